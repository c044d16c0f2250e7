"""The cited data tables as Python objects.

sources, layers, landmarks, regions, layer thicknesses, the nerve data: nerves (waypoints with a depth as layer +
fraction), muscles, danger zones, ligaments, and the techniques: dissection planes (a depth over an outlined
region), incisions, ports, complication rates; and the procedure storyboards (``storyboards/*.yaml``) as checked
documents, which :mod:`facelayers.teaching.storyboard` turns into steps with their view states.

:func:`load_anatomy` reads ``data/`` through the checks of :mod:`facelayers.anatomy.validation` and raises an
:class:`~facelayers.core.errors.InputError` (listing every problem) rather than return a model built on bad numbers. The frame
and unit are those of :mod:`facelayers.core.frame`: origin midway between the porions, x to the subject's
left, y anterior, z up, mm. Bilateral landmarks are stored for the left side and mirrored on demand.
numpy only.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from facelayers.anatomy.validation import (
    UNDRAWN_NERVE_GROUPS,
    Record,
    package_data_dir,
    read_tables,
    storyboard_filename,
)
from facelayers.core.errors import InputError
from facelayers.core.frame import LAYERS, SIDES, mirror

__all__ = [
    "APPROACHES",
    "Anatomy",
    "Complication",
    "DangerZone",
    "DataError",
    "Incision",
    "Landmark",
    "Layer",
    "Ligament",
    "Muscle",
    "Nerve",
    "PORT_DIRECTIONS",
    "PlaneSpec",
    "Port",
    "Region",
    "Source",
    "StoryboardFile",
    "Technique",
    "Thickness",
    "UNDRAWN_NERVE_GROUPS",
    "Waypoint",
    "default_data_dir",
    "load_anatomy",
]


def default_data_dir() -> Path:
    """The data folder shipped with the package.

    Returns
    -------
    Path
        ``facelayers/data`` in an installed wheel (pyproject force-includes ``data/`` there), else the
        repository's ``data/`` beside the package.
    """
    return package_data_dir()


#: Bad data is an :class:`~facelayers.core.errors.InputError` (the package's one error type; ``str()`` lists every
#: problem, one per line, and ``problems`` holds them); ``DataError`` is its older name here.
DataError = InputError


# ----------------------------------------------------------------------------------------------------
# One object per row


@dataclass(frozen=True)
class Source:
    """A publication cited by ``source_id`` (a row of sources.csv)."""

    source_id: str
    citation: str
    locator_hint: str
    confidence: str
    year: int | None = None  # None only where no stored source gives it (see the row's note)
    note: str | None = None


@dataclass(frozen=True)
class Layer:
    """One of the five soft-tissue layers, outermost first (a row of layers.csv)."""

    layer_id: str
    order: int
    label: str
    classic_layer: str
    contents: str
    source_id: str
    locator: str


@dataclass(frozen=True, eq=False)
class Landmark:
    """A named point of the face (a row of landmarks.csv).

    Attributes
    ----------
    landmark_id : str
    label : str
    position_mm : (3,) float64, mm, read-only
        Position in the model frame; for a bilateral landmark, its LEFT side (x > 0).
    side : {"midline", "bilateral"}
    on_skin : bool
        True if the landmark lies on the skin surface.
    status : {"measured", "derived", "schematic"}
    source_id, locator, note : str or None
        Provenance (see data/README.md).
    """

    landmark_id: str
    label: str
    position_mm: np.ndarray
    side: str
    on_skin: bool
    status: str
    source_id: str | None = None
    locator: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        position = np.array(self.position_mm, dtype=np.float64)
        if position.shape != (3,) or not np.all(np.isfinite(position)):
            raise ValueError(f"landmark {self.landmark_id}: position_mm must be 3 finite numbers, got {position!r}")
        if self.side not in ("midline", "bilateral"):
            raise ValueError(f"landmark {self.landmark_id}: side must be midline or bilateral, got {self.side!r}")
        position.flags.writeable = False
        object.__setattr__(self, "position_mm", position)

    def positions(self) -> dict[str, np.ndarray]:
        """Named positions: ``{id: xyz}`` for a midline landmark, ``{id:left, id:right}`` for a bilateral one.

        Returns
        -------
        dict of str to (3,) float64, mm
        """
        if self.side == "midline":
            return {self.landmark_id: self.position_mm.copy()}
        return {f"{self.landmark_id}:{side}": mirror(self.position_mm, side) for side in SIDES}


@dataclass(frozen=True)
class Region:
    """A region of the face with its own layer thicknesses (an item of regions.json)."""

    region_id: str
    label: str
    anchors: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Thickness:
    """Thickness of one layer in one region, mm (a row of thickness.csv)."""

    region_id: str
    layer_id: str
    thickness_mm: float
    min_mm: float | None
    max_mm: float | None
    status: str
    source_id: str | None = None
    locator: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if not (np.isfinite(self.thickness_mm) and self.thickness_mm > 0):
            raise ValueError(f"{self.region_id}/{self.layer_id}: thickness_mm must be > 0, got {self.thickness_mm}")


@dataclass(frozen=True)
class TissueDepth:
    """Total soft-tissue depth, skin to bone, at a landmark, mm (a row of tissue_depths.csv).

    Measured perpendicular to the skin, as forensic tissue-depth tables are; the model's skull is fitted
    to it (:mod:`facelayers.model.skull`).
    """

    landmark_id: str
    depth_mm: float
    status: str
    source_id: str | None = None
    locator: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if not (np.isfinite(self.depth_mm) and self.depth_mm > 0):
            raise ValueError(f"tissue depth at {self.landmark_id}: depth_mm must be > 0, got {self.depth_mm}")


# ----------------------------------------------------------------------------------------------------
# The nerve data: nerves, muscles, danger zones, ligaments


def _point(value, what: str) -> np.ndarray:
    """A read-only (3,) float64 position from a sequence of 3 finite numbers."""
    point = np.array(value, dtype=np.float64)
    if point.shape != (3,) or not np.all(np.isfinite(point)):
        raise ValueError(f"{what} must be 3 finite numbers, got {value!r}")
    point.flags.writeable = False
    return point


def _check_depth(layer: str, fraction: float, what: str) -> None:
    if layer not in LAYERS:
        raise ValueError(f"{what}: layer must be one of {', '.join(LAYERS)}, got {layer!r}")
    if not (np.isfinite(fraction) and 0.0 <= fraction <= 1.0):
        raise ValueError(f"{what}: fraction must lie in [0, 1], got {fraction!r}")


#: Sub-bands of the muscle layer (facelayers.model.space): layer 4 (the loose areolar space between the SMAS and the
#: deep fascia) and what lies under its floor. A depth with a band measures its fraction within that sub-band.
BANDS: tuple[str, ...] = ("space", "under_floor")


def _check_band(layer: str, band: str | None, what: str) -> None:
    if band is None:
        return
    if band not in BANDS:
        raise ValueError(f"{what}: band must be one of {', '.join(BANDS)}, got {band!r}")
    if layer != "muscle":
        raise ValueError(f"{what}: band {band!r} is a part of the muscle layer; allowed only with layer "
                         f"'muscle', got layer {layer!r}")


def _place(value: str | np.ndarray, anatomy: "Anatomy") -> np.ndarray:
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
            object.__setattr__(self, "point_mm", _point(self.point_mm, "waypoint point_mm"))
        _check_depth(self.layer, self.fraction, f"waypoint at {self.landmark or self.point_mm.tolist()}")
        _check_band(self.layer, self.band, f"waypoint at {self.landmark or self.point_mm.tolist()}")
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
        return _place(self.landmark if self.landmark is not None else self.point_mm, anatomy)


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
        _check_depth(self.layer, self.fraction, f"muscle {self.muscle_id}")
        outline = tuple(v if isinstance(v, str) else _point(v, f"muscle {self.muscle_id} outline vertex")
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
        return np.array([_place(v, anatomy) for v in self.outline], dtype=np.float64)


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
            object.__setattr__(self, "centre_mm", _point(self.centre_mm, f"zone {self.zone_id} centre_mm"))
            if self.centre is not None and not isinstance(self.centre, str):
                object.__setattr__(self, "centre", _point(self.centre, f"zone {self.zone_id} centre"))
            if self.radius_mm is None or not (np.isfinite(self.radius_mm) and self.radius_mm > 0):
                raise ValueError(f"zone {self.zone_id}: radius_mm must be > 0, got {self.radius_mm!r}")
        else:
            outline = tuple(v if isinstance(v, str) else _point(v, f"zone {self.zone_id} outline vertex")
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
        _check_depth(self.layer, self.fraction, f"ligament {self.ligament_id}")

    def position(self, anatomy: "Anatomy") -> np.ndarray:
        """The ligament's landmark, left side: (3,) float64, mm."""
        return anatomy.point(self.landmark_id)


# ----------------------------------------------------------------------------------------------------
# The techniques: planes, incisions, ports, complications

#: How a technique reaches its plane: open (a long incision, the plane undermined blind) or endoscopic.
APPROACHES: tuple[str, ...] = ("open", "endoscopic")

#: Orientation of a port's slit on the skin: sagittal (front to back) or transverse (ear-to-ear direction).
PORT_DIRECTIONS: tuple[str, ...] = ("sagittal", "transverse")


def _places_tuple(values, what: str, minimum: int) -> tuple:
    """A tuple of places (landmark ids kept as str, positions as read-only (3,) float64), at least ``minimum``."""
    places = tuple(v if isinstance(v, str) else _point(v, f"{what} point") for v in values)
    if len(places) < minimum:
        raise ValueError(f"{what}: needs at least {minimum} places, got {len(places)}")
    return places


@dataclass(frozen=True, eq=False)
class DepthZone:
    """A part of a plane's region where the dissection runs at another depth.

    Attributes
    ----------
    zone_id, label : str
    layer : str; fraction : float; band : str or None
        The depth there, as for :class:`PlaneSpec`.
    outline : tuple of (str or (3,) float64 array)
        The zone as a simple polygon seen on the face (left side); it may reach beyond the plane's region.
    status, source_id, locator, note
        Provenance.
    """

    zone_id: str
    label: str
    layer: str
    fraction: float
    outline: tuple
    status: str
    source_id: str | None = None
    locator: str | None = None
    note: str | None = None
    band: str | None = None

    def __post_init__(self) -> None:
        _check_depth(self.layer, self.fraction, f"zone {self.zone_id}")
        _check_band(self.layer, self.band, f"zone {self.zone_id}")
        object.__setattr__(self, "fraction", float(self.fraction))
        object.__setattr__(self, "outline", _places_tuple(self.outline, f"zone {self.zone_id} outline", 3))


@dataclass(frozen=True, eq=False)
class Space:
    """A space of layer 4 (an item of spaces.json; see :mod:`facelayers.model.space`).

    Attributes
    ----------
    space_id, label : str
    kind : {"background", "space", "compartment", "fat"}
    level : {"layer4", "under_floor"}
    thickness_mm : float, mm
    outline : tuple of (str or (3,) float64 array)
        Empty for the background.
    roof, floor, nerves : str
    status, source_id, locator, note
        Provenance.
    """

    space_id: str
    label: str
    kind: str
    level: str
    thickness_mm: float
    roof: str
    floor: str
    nerves: str
    status: str
    outline: tuple = ()
    source_id: str | None = None
    locator: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if (self.kind == "background") == bool(self.outline):
            raise ValueError(f"space {self.space_id}: the background has no outline, every other space one")
        object.__setattr__(self, "thickness_mm", float(self.thickness_mm))
        if self.outline:
            object.__setattr__(self, "outline", _places_tuple(self.outline, f"space {self.space_id} outline", 3))


@dataclass(frozen=True, eq=False)
class PlaneSpec:
    """A dissection plane of a technique as the data give it: a depth over a region outlined on the face.

    Attributes
    ----------
    plane_id, label : str
    layer : str
        One of :data:`facelayers.core.frame.LAYERS`.
    fraction : float
        Depth within the layer: 0 its outer face, 1 its inner face (subcutaneous = fat 0.5; sub-SMAS and
        on the deep temporal fascia = muscle 0.0; subperiosteal = periosteum 1.0).
    outline : tuple of (str or (3,) float64 array)
        A simple polygon as seen on the face (left side): landmark ids or positions, mm. The model
        projects them along its rays onto the face.
    status, source_id, locator, note
        Provenance (see data/README.md).
    band : {"space", "under_floor"} or None
        As for a :class:`Waypoint`: with layer "muscle", ``space`` measures the fraction within layer 4
        (fraction 1 = on its floor, the deep fascia), ``under_floor`` under it.
    zones : tuple of DepthZone
        Parts of the region where the dissection follows another layer or structure (the deep plane on the
        superficial surface of zygomaticus major); the plane's depth changes to the zone's over
        :data:`facelayers.model.planes.TRANSITION_MM` inside the zone's outline.
    """

    plane_id: str
    label: str
    layer: str
    fraction: float
    outline: tuple
    status: str
    source_id: str | None = None
    locator: str | None = None
    note: str | None = None
    band: str | None = None
    zones: tuple = ()

    def __post_init__(self) -> None:
        _check_depth(self.layer, self.fraction, f"plane {self.plane_id}")
        _check_band(self.layer, self.band, f"plane {self.plane_id}")
        object.__setattr__(self, "fraction", float(self.fraction))
        object.__setattr__(self, "outline", _places_tuple(self.outline, f"plane {self.plane_id} outline", 3))
        zones = tuple(z if isinstance(z, DepthZone) else DepthZone(**z) for z in self.zones)
        ids = [z.zone_id for z in zones]
        if len(set(ids)) != len(ids):
            raise ValueError(f"plane {self.plane_id}: repeated zone_id in zones: {', '.join(ids)}")
        object.__setattr__(self, "zones", zones)

    @property
    def depth_coord(self) -> float:
        """Continuous depth coordinate: layer index + fraction (0 = skin surface, 5 = bone)."""
        return LAYERS.index(self.layer) + self.fraction

    def outline_positions(self, anatomy: "Anatomy") -> np.ndarray:
        """The outline's vertices, left side: (k, 3) float64, mm."""
        return np.array([_place(v, anatomy) for v in self.outline], dtype=np.float64)


@dataclass(frozen=True, eq=False)
class Incision:
    """A skin incision of a technique: a polyline on the skin (left side; the model mirrors it).

    Attributes
    ----------
    incision_id, label : str
    path : tuple of (str or (3,) float64 array)
        At least 2 places, from one end to the other; a point with x = 0 is on the midline.
    status, source_id, locator, note
        Provenance.
    """

    incision_id: str
    label: str
    path: tuple
    status: str
    source_id: str | None = None
    locator: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", _places_tuple(self.path, f"incision {self.incision_id} path", 2))

    def path_positions(self, anatomy: "Anatomy") -> np.ndarray:
        """The path's points, left side: (k, 3) float64, mm (before projection onto the skin)."""
        return np.array([_place(v, anatomy) for v in self.path], dtype=np.float64)


@dataclass(frozen=True, eq=False)
class Port:
    """An endoscopic port: a short slit in the skin at a place.

    Attributes
    ----------
    port_id, label : str
    at : str or (3,) float64 array
        Its centre: a landmark id or a position (left side; x = 0 on the midline, not mirrored).
    length_mm : float
        Length of the slit, mm (> 0).
    direction : {"sagittal", "transverse"}
        Orientation of the slit: front to back, or in the ear-to-ear direction.
    status, source_id, locator, note
        Provenance.
    """

    port_id: str
    label: str
    at: str | np.ndarray
    length_mm: float
    direction: str
    status: str
    source_id: str | None = None
    locator: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.at, str):
            object.__setattr__(self, "at", _point(self.at, f"port {self.port_id} at"))
        if not (np.isfinite(self.length_mm) and self.length_mm > 0):
            raise ValueError(f"port {self.port_id}: length_mm must be > 0, got {self.length_mm!r}")
        object.__setattr__(self, "length_mm", float(self.length_mm))
        if self.direction not in PORT_DIRECTIONS:
            raise ValueError(f"port {self.port_id}: direction must be one of {', '.join(PORT_DIRECTIONS)}, "
                             f"got {self.direction!r}")

    @property
    def on_midline(self) -> bool | None:
        """True for a port given at x = 0 (one port, not mirrored); None when ``at`` is a landmark id."""
        return None if isinstance(self.at, str) else bool(self.at[0] == 0.0)

    def position(self, anatomy: "Anatomy") -> np.ndarray:
        """The port's centre, left side: (3,) float64, mm (before projection onto the skin)."""
        return _place(self.at, anatomy)


@dataclass(frozen=True)
class Complication:
    """A published complication rate of a technique (REFERENCE section 5).

    Attributes
    ----------
    measure : str
        What is counted (``"temporary facial nerve injury"``).
    value : float
        The rate, in ``unit``.
    unit : str
        ``"%"``.
    source_id, locator : str
        Where the rate is published.
    note : str or None
    """

    measure: str
    value: float
    unit: str
    source_id: str
    locator: str
    note: str | None = None

    def __post_init__(self) -> None:
        if not (np.isfinite(self.value) and self.value >= 0):
            raise ValueError(f"complication {self.measure!r}: value must be a finite number >= 0, got {self.value!r}")
        object.__setattr__(self, "value", float(self.value))


@dataclass(frozen=True, eq=False)
class Technique:
    """A facelift or brow-lift technique (an item of techniques.json).

    Attributes
    ----------
    technique_id, label : str
    approach : {"open", "endoscopic"}
    description : str
        Two or three sentences for students.
    planes : tuple of PlaneSpec
        At least one; one per depth (the deep plane has a subcutaneous and a sub-SMAS part).
    incisions : tuple of Incision
    ports : tuple of Port
    muscles_divided : tuple of str
        muscle_ids of muscles.json.
    complications : tuple of Complication
    status, source_id, locator, note
        Provenance of the technique as a whole.
    """

    technique_id: str
    label: str
    approach: str
    description: str
    planes: tuple
    incisions: tuple
    ports: tuple
    muscles_divided: tuple
    complications: tuple
    status: str
    source_id: str | None = None
    locator: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.approach not in APPROACHES:
            raise ValueError(f"technique {self.technique_id}: approach must be one of {', '.join(APPROACHES)}, "
                             f"got {self.approach!r}")
        for name in ("planes", "incisions", "ports", "muscles_divided", "complications"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not self.planes:
            raise ValueError(f"technique {self.technique_id}: needs at least one plane")
        for name, key in (("planes", "plane_id"), ("incisions", "incision_id"), ("ports", "port_id")):
            ids = [getattr(part, key) for part in getattr(self, name)]
            if len(set(ids)) != len(ids):
                raise ValueError(f"technique {self.technique_id}: repeated {key} in {name}: {', '.join(ids)}")

    @property
    def is_endoscopic(self) -> bool:
        """True for an endoscopic technique (ports, no long incision)."""
        return self.approach == "endoscopic"

    def plane(self, name: str) -> PlaneSpec:
        """One plane by its plane_id.

        Raises
        ------
        ValueError
            If the id is unknown; the message lists the technique's planes.
        """
        planes = {plane.plane_id: plane for plane in self.planes}
        if name not in planes:
            raise ValueError(f"unknown plane {name!r} of technique {self.technique_id}; its planes: "
                             f"{', '.join(planes)}")
        return planes[name]


@dataclass(frozen=True, eq=False)
class StoryboardFile:
    """A procedure storyboard as checked data: one file of ``data/storyboards/``.

    The anatomy keeps the document as read (its steps' views are partial view states, which
    :mod:`facelayers.teaching.storyboard` checks against :class:`facelayers.teaching.state.ViewState` and turns into
    :class:`facelayers.teaching.storyboard.Storyboard` objects), with the line of every value for messages.

    Attributes
    ----------
    storyboard_id : str
        The file's name without ``.yaml``.
    filename : str
        ``"storyboards/<storyboard_id>.yaml"``, as problems name it.
    label : str
        ``"storyboard <storyboard_id>"``, as problems name the row.
    document : Mapping
        The file's content, read-only: mappings as read-only mappings, lists as tuples.
    lines : Mapping of tuple to int
        Line of every value by its path, ``("steps", 2, "view", "pick")`` (0-based indices).
    """

    storyboard_id: str
    filename: str
    label: str
    document: Mapping[str, Any]
    lines: Mapping[tuple, int]

    def __post_init__(self) -> None:
        object.__setattr__(self, "document", _read_only(self.document))
        object.__setattr__(self, "lines", MappingProxyType(dict(self.lines)))


def _read_only(value: Any) -> Any:
    """A nested document that cannot be changed: mappings as MappingProxyType, lists as tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: _read_only(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_read_only(item) for item in value)
    return value


# ----------------------------------------------------------------------------------------------------
# The whole model


@dataclass(frozen=True, eq=False)
class Anatomy:
    """The data tables, loaded and checked.

    Attributes
    ----------
    data_dir : Path
        Where the tables were read from.
    sources, layers, landmarks, regions : Mapping of id to Source, Layer, Landmark, Region
        Read-only, in file order.
    thickness : tuple of Thickness
        In file order.
    nerves, muscles, zones, ligaments : Mapping of id to Nerve, Muscle, DangerZone, Ligament
        Read-only, in file order (nerves.json, muscles.json, danger_zones.json, ligaments.csv).
    techniques : Mapping of id to Technique
        Read-only, in file order (techniques.json).
    storyboards : Mapping of id to StoryboardFile
        Read-only, by file name (``storyboards/<id>.yaml``); empty if the data folder has none.
    palsies, injury_facts : Mapping of id to Mapping
        The rows of palsies.json (what an injured nerve shows) and injury.csv (the course of an injury), as
        read-only mappings of their fields (:mod:`facelayers.model.injury` uses them).
    spaces : Mapping of id to Space
        Read-only, in file order (spaces.json): layer 4's background and spaces.
    tissue_depths : Mapping of landmark id to TissueDepth
        Read-only, in file order (tissue_depths.csv): total soft-tissue depth at landmarks.
    """

    data_dir: Path
    sources: Mapping[str, Source]
    layers: Mapping[str, Layer]
    landmarks: Mapping[str, Landmark]
    regions: Mapping[str, Region]
    thickness: tuple[Thickness, ...]
    nerves: Mapping[str, Nerve] = field(default_factory=dict)
    muscles: Mapping[str, Muscle] = field(default_factory=dict)
    zones: Mapping[str, DangerZone] = field(default_factory=dict)
    ligaments: Mapping[str, Ligament] = field(default_factory=dict)
    techniques: Mapping[str, Technique] = field(default_factory=dict)
    storyboards: Mapping[str, StoryboardFile] = field(default_factory=dict)
    palsies: Mapping[str, Mapping] = field(default_factory=dict)
    injury_facts: Mapping[str, Mapping] = field(default_factory=dict)
    spaces: Mapping[str, Space] = field(default_factory=dict)
    tissue_depths: Mapping[str, TissueDepth] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A cached Anatomy is shared by every caller: keep its tables read-only.
        for name in ("sources", "layers", "landmarks", "regions", "nerves", "muscles", "zones", "ligaments",
                     "techniques", "storyboards", "palsies", "injury_facts",
                     "spaces", "tissue_depths"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        object.__setattr__(self, "thickness", tuple(self.thickness))

    def nerve(self, name: str) -> Nerve:
        """One nerve of nerves.json by its id.

        Raises
        ------
        ValueError
            If the id is unknown; the message lists the known ones.
        """
        return _lookup(self.nerves, name, "nerve")

    def muscle(self, name: str) -> Muscle:
        """One muscle of muscles.json by its id.

        Raises
        ------
        ValueError
            If the id is unknown; the message lists the known ones.
        """
        return _lookup(self.muscles, name, "muscle")

    def zone(self, name: str) -> DangerZone:
        """One danger zone of danger_zones.json by its id.

        Raises
        ------
        ValueError
            If the id is unknown; the message lists the known ones.
        """
        return _lookup(self.zones, name, "danger zone")

    def technique(self, name: str) -> Technique:
        """One technique of techniques.json by its id.

        Raises
        ------
        ValueError
            If the id is unknown; the message lists the known ones.
        """
        return _lookup(self.techniques, name, "technique")

    def nerve_groups(self) -> tuple[str, ...]:
        """The groups of the nerves in nerves.json (``trunk``, ``frontal``, ...), in file order, without repeats.

        Muscles may also name one of :data:`UNDRAWN_NERVE_GROUPS`, which has no nerve here.
        """
        return tuple(dict.fromkeys(nerve.group for nerve in self.nerves.values()))

    def nerves_in_group(self, group: str) -> tuple[Nerve, ...]:
        """The nerves of one group, in file order (the three frontal rami for ``"frontal"``).

        Raises
        ------
        ValueError
            If the group is unknown; the message lists the known ones (an undrawn group gives ()).
        """
        if group in UNDRAWN_NERVE_GROUPS:
            return ()
        if group not in self.nerve_groups():
            raise ValueError(f"unknown nerve group {group!r}; known groups: {', '.join(self.nerve_groups())}"
                             f" (and, not drawn: {', '.join(UNDRAWN_NERVE_GROUPS)})")
        return tuple(nerve for nerve in self.nerves.values() if nerve.group == group)

    def thickness_table(self) -> np.ndarray:
        """Layer thicknesses by region and layer.

        Returns
        -------
        (n_regions, 5) float64, mm
            Rows in region order (regions.json), columns in :data:`facelayers.core.frame.LAYERS` order.
        """
        table = np.full((len(self.regions), len(LAYERS)), np.nan)
        rows = {region: i for i, region in enumerate(self.regions)}
        for row in self.thickness:
            table[rows[row.region_id], LAYERS.index(row.layer_id)] = row.thickness_mm
        return table

    def thickness_row(self, region_id: str, layer_id: str) -> Thickness:
        """The thickness row of one layer in one region.

        Raises
        ------
        ValueError
            If the region or the layer is unknown; the message lists the known ones.
        """
        if region_id not in self.regions:
            raise ValueError(f"unknown region {region_id!r}; known regions: {', '.join(self.regions)}")
        if layer_id not in LAYERS:
            raise ValueError(f"unknown layer {layer_id!r}; known layers: {', '.join(LAYERS)}")
        return next(row for row in self.thickness if (row.region_id, row.layer_id) == (region_id, layer_id))

    def landmark_points(self, on_skin: bool | None = None) -> tuple[tuple[str, ...], np.ndarray]:
        """Every landmark position, bilateral ones on both sides.

        Parameters
        ----------
        on_skin : bool, optional
            Keep only landmarks on the skin (True) or off it (False); None keeps all.

        Returns
        -------
        names : tuple of str
            ``"nasion"`` for a midline landmark; ``"tragion:left"`` then ``"tragion:right"`` for a
            bilateral one (the right side has x mirrored).
        points : (n, 3) float64, mm
        """
        named: dict[str, np.ndarray] = {}
        for landmark in self.landmarks.values():
            if on_skin is None or landmark.on_skin == on_skin:
                named.update(landmark.positions())
        points = np.array(list(named.values()), dtype=np.float64).reshape(-1, 3)
        return tuple(named), points

    def point(self, name: str) -> np.ndarray:
        """Position of one landmark.

        Parameters
        ----------
        name : str
            ``"nasion"``, ``"tragion:left"``, ``"tragion:right"``, or a bare bilateral id
            (``"tragion"``), which means the left side.

        Returns
        -------
        (3,) float64, mm

        Raises
        ------
        ValueError
            If the name is unknown; the message lists the known names.
        """
        landmark = self.landmarks.get(name)
        if landmark is not None and landmark.side == "bilateral":
            name = f"{name}:left"
        base = name.split(":", 1)[0]
        positions = self.landmarks[base].positions() if base in self.landmarks else {}
        if name not in positions:
            names = self.landmark_points()[0]
            raise ValueError(f"unknown landmark {name!r}; known names (a bare bilateral id means its left "
                             f"side): {', '.join(names)}")
        return positions[name]


def _lookup(table: Mapping[str, Any], name: str, what: str) -> Any:
    """``table[name]``, or a ValueError that lists the known ids."""
    if not isinstance(name, str) or name not in table:
        raise ValueError(f"unknown {what} {name!r}; known {what}s: {', '.join(table) or '(none)'}")
    return table[name]


# ----------------------------------------------------------------------------------------------------
# Loading


def load_anatomy(data_dir: str | Path | None = None) -> Anatomy:
    """Load and check the data tables.

    Parameters
    ----------
    data_dir : str or Path, optional
        A data folder; default :func:`default_data_dir` (loaded once and cached).

    Returns
    -------
    Anatomy

    Raises
    ------
    InputError
        If the folder has any problem (see ``python -m facelayers validate``); ``problems`` lists them all.
    """
    if data_dir is None:
        return _load_default()
    if not isinstance(data_dir, (str, os.PathLike)):
        raise InputError("load_anatomy(data_dir)", None, None, "data_dir", type(data_dir).__name__,
                         "must be a str or a path (a data folder), or None for the shipped data")
    return _load(Path(data_dir))


@functools.lru_cache(maxsize=1)
def _load_default() -> Anatomy:
    """The shipped data, loaded once per process."""
    return _load(default_data_dir())


def _load(data_dir: Path) -> Anatomy:
    """Read ``data_dir`` through the checks and build the objects."""
    tables, problems = read_tables(data_dir)
    if problems:
        raise InputError.gather(problems, f"invalid data in {data_dir}")
    landmarks = {r.values["landmark_id"]: _landmark(r) for r in tables["landmarks"]}
    return Anatomy(
        data_dir=data_dir,
        sources=_by_id(tables["sources"], "source_id", Source),
        layers=_by_id(tables["layers"], "layer_id", Layer),
        landmarks=landmarks,
        regions={r.values["region_id"]: _region(r) for r in tables["regions"]},
        thickness=tuple(_thickness(r) for r in tables["thickness"]),
        nerves={r.values["nerve_id"]: _nerve(r) for r in tables["nerves"]},
        muscles={r.values["muscle_id"]: _muscle(r) for r in tables["muscles"]},
        zones={r.values["zone_id"]: _zone(r, landmarks) for r in tables["danger_zones"]},
        ligaments=_by_id(tables["ligaments"], "ligament_id", Ligament),
        techniques={r.values["technique_id"]: _technique(r) for r in tables["techniques"]},
        storyboards={s.storyboard_id: s for s in map(_storyboard_file, tables.get("storyboards", []))},
        palsies={r.values["palsy_id"]: MappingProxyType(dict(r.values)) for r in tables.get("palsies", [])},
        injury_facts={r.values["fact_id"]: MappingProxyType(dict(r.values)) for r in tables.get("injury", [])},
        spaces={r.values["space_id"]: Space(**r.values) for r in tables.get("spaces", [])},
        tissue_depths=_by_id(tables["tissue_depths"], "landmark_id", TissueDepth),
    )


def _by_id(records: list[Record], key: str, cls: type) -> dict[str, Any]:
    """Objects of ``cls`` built from the records' values, keyed by ``key``."""
    return {record.values[key]: cls(**record.values) for record in records}


def _landmark(record: Record) -> Landmark:
    """A :class:`Landmark` from a landmarks.csv record."""
    values = dict(record.values)
    position = [values.pop(axis) for axis in ("x_mm", "y_mm", "z_mm")]
    return Landmark(position_mm=np.array(position), **values)


def _region(record: Record) -> Region:
    """A :class:`Region` from a regions.json item."""
    values = record.values
    return Region(values["region_id"], values["label"], tuple(values["anchors"]), values["description"])


def _thickness(record: Record) -> Thickness:
    """A :class:`Thickness` from a thickness.csv record (absent bounds are None)."""
    values = dict(record.values)
    return Thickness(min_mm=values.pop("min_mm", None), max_mm=values.pop("max_mm", None), **values)


def _waypoint(values: Mapping[str, Any]) -> Waypoint:
    """A :class:`Waypoint` from one item of a nerve's ``waypoints`` list."""
    values = dict(values)
    return Waypoint(landmark=values.pop("landmark", None), point_mm=values.pop("point_mm", None), **values)


def _nerve(record: Record) -> Nerve:
    """A :class:`Nerve` from a nerves.json item."""
    values = dict(record.values)
    waypoints = tuple(_waypoint(w) for w in values.pop("waypoints"))
    return Nerve(waypoints=waypoints, **values)


def _muscle(record: Record) -> Muscle:
    """A :class:`Muscle` from a muscles.json item."""
    return Muscle(**record.values)


def _zone(record: Record, landmarks: Mapping[str, Landmark]) -> DangerZone:
    """A :class:`DangerZone` from a danger_zones.json item (a circle's centre resolved, left side)."""
    values = dict(record.values)
    circle = values.pop("circle", None)
    if circle is not None:
        centre = circle["centre"]
        values.update(centre=centre, radius_mm=float(circle["radius_mm"]),
                      centre_mm=landmarks[centre].position_mm if isinstance(centre, str) else centre)
    if "outline" in values:
        values["outline"] = tuple(values["outline"])
    return DangerZone(**values)


def _technique(record: Record) -> Technique:
    """A :class:`Technique` from a techniques.json item."""
    values = dict(record.values)
    return Technique(
        planes=tuple(PlaneSpec(**plane) for plane in values.pop("planes")),
        incisions=tuple(Incision(**incision) for incision in values.pop("incisions")),
        ports=tuple(Port(**port) for port in values.pop("ports")),
        muscles_divided=tuple(values.pop("muscles_divided")),
        complications=tuple(Complication(**c) for c in values.pop("complications")),
        **values,
    )


def _storyboard_file(record: Record) -> StoryboardFile:
    """A :class:`StoryboardFile` from a storyboard's record (label ``"storyboard <id>"``)."""
    storyboard_id = record.label.removeprefix("storyboard ")
    return StoryboardFile(storyboard_id, storyboard_filename(storyboard_id), record.label, record.values,
                          record.lines)
