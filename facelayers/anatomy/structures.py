"""The nerve data as objects: nerves (waypoints with a depth as layer + fraction), muscles, danger zones, ligaments.

numpy only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from facelayers.core.frame import LAYERS

__all__ = [
    "DangerZone",
    "Ligament",
    "Muscle",
    "Nerve",
    "Waypoint",
]

if TYPE_CHECKING:  # the whole anatomy, which holds these objects
    from facelayers.anatomy.load import Anatomy

# ----------------------------------------------------------------------------------------------------
# The nerve data: nerves, muscles, danger zones, ligaments


def as_point(value, what: str) -> np.ndarray:
    """A read-only (3,) float64 position from a sequence of 3 finite numbers."""
    point = np.array(value, dtype=np.float64)
    if point.shape != (3,) or not np.all(np.isfinite(point)):
        raise ValueError(f"{what} must be 3 finite numbers, got {value!r}")
    point.flags.writeable = False
    return point


def check_depth(layer: str, fraction: float, what: str) -> None:
    if layer not in LAYERS:
        raise ValueError(f"{what}: layer must be one of {', '.join(LAYERS)}, got {layer!r}")
    if not (np.isfinite(fraction) and 0.0 <= fraction <= 1.0):
        raise ValueError(f"{what}: fraction must lie in [0, 1], got {fraction!r}")


#: Sub-bands of the muscle layer (facelayers.model.space): layer 4 (the loose areolar space between the SMAS and the
#: deep fascia) and what lies under its floor. A depth with a band measures its fraction within that sub-band.
BANDS: tuple[str, ...] = ("space", "under_floor")


def check_band(layer: str, band: str | None, what: str) -> None:
    if band is None:
        return
    if band not in BANDS:
        raise ValueError(f"{what}: band must be one of {', '.join(BANDS)}, got {band!r}")
    if layer != "muscle":
        raise ValueError(f"{what}: band {band!r} is a part of the muscle layer; allowed only with layer "
                         f"'muscle', got layer {layer!r}")


def resolve_place(value: str | np.ndarray, anatomy: "Anatomy") -> np.ndarray:
    """A landmark id (its left side) or a position, as a (3,) float64 copy."""
    return anatomy.point(value) if isinstance(value, str) else np.array(value, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class Waypoint:
    """One point of a nerve's course: a place (picks the skin ray) and a depth (layer, fraction).

    Attributes
    ----------
    landmark : str or None
        A landmark id (its left side), or None when ``point_mm`` is given.
    point_mm : (3,) float64, mm, read-only, or None
        A position in the head frame, left side, when no landmark is given. Only the skin ray through
        the place matters: its depth is (layer, fraction).
    layer : str
        One of :data:`facelayers.core.frame.LAYERS`.
    fraction : float
        Depth within the layer: 0 its outer face, 1 its inner face.
    status, source_id, locator, note
        Provenance (see data/README.md).
    band : {"space", "under_floor"} or None
        With layer "muscle": the fraction is measured within layer 4 (``space``: 0 the SMAS's inner face,
        1 the layer-4 floor) or under it (``under_floor``: 0 the floor, 1 the muscle band's inner face);
        see :mod:`facelayers.model.space`. None: within the whole layer.
    at_landmark : bool
        True: the nerve passes through the landmark itself (a foramen), not through the point at (layer,
        fraction) on the landmark's skin ray; the depth is then where the landmark lies in the stack.
    below_smas_mm : float or None, mm
        With band ``under_floor``, where the source gives a depth in mm: in a built model the waypoint lies
        this far (along the ray) below the SMAS's inner face (the sub-SMAS plane), kept under the layer-4
        floor and above the muscle band's inner face (:func:`facelayers.model.nerves.waypoint_ext`); ``fraction``
        is then only the depth used before a model is built.
    """

    landmark: str | None
    point_mm: np.ndarray | None
    layer: str
    fraction: float
    status: str
    source_id: str | None = None
    locator: str | None = None
    note: str | None = None
    band: str | None = None
    at_landmark: bool = False
    below_smas_mm: float | None = None

    def __post_init__(self) -> None:
        if (self.landmark is None) == (self.point_mm is None):
            raise ValueError(f"waypoint: give exactly one of landmark and point_mm, got landmark={self.landmark!r}, "
                             f"point_mm={self.point_mm!r}")
        if self.point_mm is not None:
            object.__setattr__(self, "point_mm", as_point(self.point_mm, "waypoint point_mm"))
        check_depth(self.layer, self.fraction, f"waypoint at {self.landmark or self.point_mm.tolist()}")
        check_band(self.layer, self.band, f"waypoint at {self.landmark or self.point_mm.tolist()}")
        if self.at_landmark and self.landmark is None:
            raise ValueError(f"waypoint at {self.point_mm.tolist()}: at_landmark needs a landmark")
        if self.below_smas_mm is not None:
            where = f"waypoint at {self.landmark or self.point_mm.tolist()}"
            if self.band != "under_floor":
                raise ValueError(f"{where}: below_smas_mm needs band 'under_floor', got band {self.band!r}")
            if not np.isfinite(float(self.below_smas_mm)) or float(self.below_smas_mm) <= 0:
                raise ValueError(f"{where}: below_smas_mm must be a number > 0 (mm), got {self.below_smas_mm!r}")
            object.__setattr__(self, "below_smas_mm", float(self.below_smas_mm))
        object.__setattr__(self, "fraction", float(self.fraction))

    @property
    def depth_coord(self) -> float:
        """Continuous depth coordinate: layer index + fraction (0 = skin surface, 5 = bone)."""
        return LAYERS.index(self.layer) + self.fraction

    def position(self, anatomy: "Anatomy") -> np.ndarray:
        """The waypoint's place, left side.

        Parameters
        ----------
        anatomy : Anatomy
            Resolves a landmark id.

        Returns
        -------
        (3,) float64, mm
            A copy; mirror x for the right side.
        """
        return resolve_place(self.landmark if self.landmark is not None else self.point_mm, anatomy)


@dataclass(frozen=True, eq=False)
class Nerve:
    """A nerve (or a warning vein) of nerves.json: its identity and its course as waypoints.

    Attributes
    ----------
    nerve_id, label : str
    group : str
        The branch or nerve it belongs to (``"frontal"`` for each frontal ramus).
    kind : {"motor", "sensory", "vein"}
    parent : str or None
        The nerve_id it branches from.
    description : str
    waypoints : tuple of Waypoint
        From origin to end, at least 2.
    """

    nerve_id: str
    label: str
    group: str
    kind: str
    parent: str | None
    description: str
    waypoints: tuple[Waypoint, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "waypoints", tuple(self.waypoints))
        if len(self.waypoints) < 2:
            raise ValueError(f"nerve {self.nerve_id}: needs at least 2 waypoints, got {len(self.waypoints)}")
        if self.kind not in ("motor", "sensory", "vein"):
            raise ValueError(f"nerve {self.nerve_id}: kind must be motor, sensory or vein, got {self.kind!r}")

    def positions(self, anatomy: "Anatomy") -> np.ndarray:
        """The waypoints' places, left side: (k, 3) float64, mm."""
        return np.array([wp.position(anatomy) for wp in self.waypoints], dtype=np.float64)


@dataclass(frozen=True, eq=False)
class Muscle:
    """A muscle of muscles.json: a patch in its layer, its motor nerve group and the wrinkle it makes.

    Attributes
    ----------
    muscle_id, label : str
    layer : str
        One of :data:`facelayers.core.frame.LAYERS` (REFERENCE section 7).
    fraction : float
        Where its middle lies within the layer.
    outline : tuple of (str or (3,) float64 array)
        A polygon around it as seen on the face (left side): landmark ids or positions, mm.
    nerve_group : str
        A group of nerves.json, or one of :data:`UNDRAWN_NERVE_GROUPS` (``trigeminal_v3``).
    action : str
    wrinkle : str or None
    status, source_id, locator, note
        Provenance.
    attachments : str
        Origin and insertion in words.
    action_units : tuple of str
        FACS action units (``"AU12"``).
    accessory_nerve_groups : tuple of dict
        Other groups that also supply it: ``{"group": str, "share": float}`` (share schematic).
    body : Mapping
        The body as muscles.json gives it (shape, origin, insertion, width_mm or ring, thickness, excursion,
        wrinkle_zone); :mod:`facelayers.model.muscles` builds it in the model.
    """

    muscle_id: str
    label: str
    layer: str
    fraction: float
    outline: tuple
    nerve_group: str
    action: str
    wrinkle: str | None
    status: str
    source_id: str | None = None
    locator: str | None = None
    note: str | None = None
    attachments: str = ""
    action_units: tuple = ()
    accessory_nerve_groups: tuple = ()
    body: Mapping | None = None

    def __post_init__(self) -> None:
        check_depth(self.layer, self.fraction, f"muscle {self.muscle_id}")
        outline = tuple(v if isinstance(v, str) else as_point(v, f"muscle {self.muscle_id} outline vertex")
                        for v in self.outline)
        if len(outline) < 3:
            raise ValueError(f"muscle {self.muscle_id}: the outline needs at least 3 vertices, got {len(outline)}")
        object.__setattr__(self, "outline", outline)
        object.__setattr__(self, "action_units", tuple(self.action_units))
        object.__setattr__(self, "accessory_nerve_groups",
                           tuple(MappingProxyType(dict(g)) for g in self.accessory_nerve_groups))
        if self.body is not None:
            object.__setattr__(self, "body", MappingProxyType(dict(self.body)))

    def nerve_shares(self) -> dict[str, float]:
        """Share (0..1) of the muscle's motor supply by nerve group; the shares add up to 1.

        The accessory groups have their (schematic) shares and the main group the rest:
        ``{"frontal": 0.7, "zygomatic": 0.3}`` for the corrugator.
        """
        shares = {g["group"]: float(g["share"]) for g in self.accessory_nerve_groups}
        shares[self.nerve_group] = 1.0 - sum(shares.values())
        return shares

    def outline_positions(self, anatomy: "Anatomy") -> np.ndarray:
        """The outline's vertices, left side: (k, 3) float64, mm."""
        return np.array([resolve_place(v, anatomy) for v in self.outline], dtype=np.float64)


@dataclass(frozen=True, eq=False)
class DangerZone:
    """One of Seckel's facial danger zones (danger_zones.json): a circle or a polygon on the skin.

    Attributes
    ----------
    zone_id : str
    number : int
        Seckel's number, 1-7.
    label, nerve_group, surface_landmarks, deficit : str
    verified : bool
        True for zones checked against the 1994 atlas (1-3), False for those as commonly reproduced.
    centre : str or (3,) float64 array or None
        A circle's centre as given (landmark id or position); None for a polygon.
    centre_mm : (3,) float64, mm, or None
        The circle's centre resolved to a position (left side).
    radius_mm : float or None
        The circle's radius, mm.
    outline : tuple of (str or (3,) array) or None
        A polygon's vertices as given; None for a circle.
    status, source_id, locator, note
        Provenance.
    """

    zone_id: str
    number: int
    label: str
    nerve_group: str
    surface_landmarks: str
    deficit: str
    verified: bool
    status: str
    centre: str | np.ndarray | None = None
    centre_mm: np.ndarray | None = None
    radius_mm: float | None = None
    outline: tuple | None = None
    source_id: str | None = None
    locator: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        circle = self.centre_mm is not None
        if circle == (self.outline is not None):
            raise ValueError(f"zone {self.zone_id}: give a circle (centre_mm, radius_mm) or an outline, not both")
        if circle:
            object.__setattr__(self, "centre_mm", as_point(self.centre_mm, f"zone {self.zone_id} centre_mm"))
            if self.centre is not None and not isinstance(self.centre, str):
                object.__setattr__(self, "centre", as_point(self.centre, f"zone {self.zone_id} centre"))
            if self.radius_mm is None or not (np.isfinite(self.radius_mm) and self.radius_mm > 0):
                raise ValueError(f"zone {self.zone_id}: radius_mm must be > 0, got {self.radius_mm!r}")
        else:
            outline = tuple(v if isinstance(v, str) else as_point(v, f"zone {self.zone_id} outline vertex")
                            for v in self.outline)
            if len(outline) < 3:
                raise ValueError(f"zone {self.zone_id}: the outline needs at least 3 vertices, got {len(outline)}")
            object.__setattr__(self, "outline", outline)

    @property
    def is_circle(self) -> bool:
        """True for a zone drawn as a circle (``centre_mm`` and ``radius_mm``), False for an outline."""
        return self.centre_mm is not None

    def outline_points(self, n: int = 32) -> tuple:
        """The zone's boundary as places (left side), ready for projection onto the skin.

        A polygon is returned as given (landmark ids and positions). A circle is sampled at ``n``
        points, mm, in the vertical plane through its centre that faces the head's vertical axis
        (perpendicular to the horizontal direction from the frame origin to the centre); projected
        along the model's rays, that gives a disc of about ``radius_mm`` on the skin.

        Returns
        -------
        tuple of (str or (3,) float64 array)
        """
        if not self.is_circle:
            return self.outline
        out = np.array([self.centre_mm[0], self.centre_mm[1], 0.0])
        out = out / np.linalg.norm(out) if np.linalg.norm(out) > 0 else np.array([0.0, 1.0, 0.0])
        across = np.array([-out[1], out[0], 0.0])  # horizontal, along the skin
        up = np.array([0.0, 0.0, 1.0])
        theta = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
        ring = self.centre_mm + self.radius_mm * (np.cos(theta)[:, None] * across + np.sin(theta)[:, None] * up)
        return tuple(ring)


@dataclass(frozen=True)
class Ligament:
    """A retaining ligament (a row of ligaments.csv): a landmark and the depth of its marker."""

    ligament_id: str
    landmark_id: str
    label: str
    layer: str
    fraction: float
    status: str
    source_id: str | None = None
    locator: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        check_depth(self.layer, self.fraction, f"ligament {self.ligament_id}")

    def position(self, anatomy: "Anatomy") -> np.ndarray:
        """The ligament's landmark, left side: (3,) float64, mm."""
        return anatomy.point(self.landmark_id)


