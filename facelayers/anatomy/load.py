"""The whole anatomy as one object, and :func:`load_anatomy`, which reads ``data/`` into it.

:func:`load_anatomy` reads ``data/`` through the checks of :mod:`facelayers.anatomy.validation` and raises an
:class:`~facelayers.core.errors.InputError` (listing every problem) rather than return a model built on bad numbers.
The objects per row are in :mod:`facelayers.anatomy.basics` (sources, layers, landmarks, regions, thicknesses),
:mod:`facelayers.anatomy.structures` (nerves, muscles, danger zones, ligaments) and
:mod:`facelayers.anatomy.procedures` (planes, incisions, ports, complications, techniques, storyboard files). The
frame and unit are those of :mod:`facelayers.core.frame`: origin midway between the porions, x to the subject's
left, y anterior, z up, mm. Bilateral landmarks are stored for the left side and mirrored on demand. numpy only.
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

from facelayers.anatomy.basics import Landmark, Layer, Region, Source, Thickness, TissueDepth
from facelayers.anatomy.procedures import Complication, Incision, PlaneSpec, Port, Space, StoryboardFile, Technique
from facelayers.anatomy.reading import storyboard_filename
from facelayers.anatomy.specs import UNDRAWN_NERVE_GROUPS, Record, package_data_dir
from facelayers.anatomy.structures import DangerZone, Ligament, Muscle, Nerve, Waypoint
from facelayers.anatomy.validation import read_tables
from facelayers.core.errors import InputError
from facelayers.core.frame import LAYERS

__all__ = [
    "Anatomy",
    "DataError",
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

    def group_label(self, group: str) -> str:
        """A nerve group as students read it inside a sentence: ``"facial nerve trunk"``, ``"frontal branch"``.

        Facial-nerve branches read ``"<group> branch"``; a group of one other nerve (or vein) reads as its label
        with a lowered first letter (``"great auricular nerve"``); an undrawn group as its words
        (``"trigeminal V3"``).

        Parameters
        ----------
        group : str
            A group of nerves.json or of :data:`UNDRAWN_NERVE_GROUPS`.

        Returns
        -------
        str

        Raises
        ------
        ValueError
            If the group is unknown (the message lists the known ones).
        """
        if group == "trunk":
            return "facial nerve trunk"
        if group == "trigeminal_v3":
            return "trigeminal nerve (V3)"
        nerves = self.nerves_in_group(group)
        if not nerves:
            return group.replace("_", " ")
        label = nerves[0].label
        if "branch" in label.lower():
            return f"{group.replace('_', ' ')} branch"
        return label[0].lower() + label[1:]

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
