"""The techniques as objects: planes, incisions, ports, complications, techniques, storyboard files.

Dissection planes (a depth over an outlined region), incisions, ports, complication
rates, and the procedure storyboards (``storyboards/*.yaml``) as checked documents, which
:mod:`facelayers.teaching.storyboard` turns into steps with their view states. numpy only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from facelayers.anatomy.structures import as_point, check_band, check_depth, resolve_place
from facelayers.core.frame import LAYERS

__all__ = [
    "APPROACHES",
    "PORT_DIRECTIONS",
    "Complication",
    "Incision",
    "PlaneSpec",
    "Port",
    "StoryboardFile",
    "Technique",
]

if TYPE_CHECKING:  # the whole anatomy, which holds these objects
    from facelayers.anatomy.load import Anatomy

# ----------------------------------------------------------------------------------------------------
# The techniques: planes, incisions, ports, complications

#: How a technique reaches its plane: open (a long incision, the plane undermined blind) or endoscopic.
APPROACHES: tuple[str, ...] = ("open", "endoscopic")

#: Orientation of a port's slit on the skin: sagittal (front to back) or transverse (ear-to-ear direction).
PORT_DIRECTIONS: tuple[str, ...] = ("sagittal", "transverse")


def _places_tuple(values, what: str, minimum: int) -> tuple:
    """A tuple of places (landmark ids kept as str, positions as read-only (3,) float64), at least ``minimum``."""
    places = tuple(v if isinstance(v, str) else as_point(v, f"{what} point") for v in values)
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
        check_depth(self.layer, self.fraction, f"zone {self.zone_id}")
        check_band(self.layer, self.band, f"zone {self.zone_id}")
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
        check_depth(self.layer, self.fraction, f"plane {self.plane_id}")
        check_band(self.layer, self.band, f"plane {self.plane_id}")
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
        return np.array([resolve_place(v, anatomy) for v in self.outline], dtype=np.float64)


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
        return np.array([resolve_place(v, anatomy) for v in self.path], dtype=np.float64)


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
            object.__setattr__(self, "at", as_point(self.at, f"port {self.port_id} at"))
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
        return resolve_place(self.at, anatomy)


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


