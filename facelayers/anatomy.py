"""The cited data tables as Python objects: sources, layers, landmarks, regions, layer thicknesses.

:func:`load_anatomy` reads ``data/`` through the checks of :mod:`facelayers.validation` and raises
:class:`DataError` (listing every problem) rather than return a model built on bad numbers. The frame
and unit are those of :mod:`facelayers.frame`: origin midway between the porions, x to the subject's
left, y anterior, z up, mm. Bilateral landmarks are stored for the left side and mirrored on demand.
numpy only.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from facelayers.frame import LAYERS, SIDES
from facelayers.validation import Problem, Record, package_data_dir, read_tables

__all__ = [
    "Anatomy",
    "DataError",
    "Landmark",
    "Layer",
    "Region",
    "Source",
    "Thickness",
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


class DataError(ValueError):
    """The data folder has problems; ``str()`` lists every one, one per line.

    Parameters
    ----------
    problems : sequence of Problem
        What :func:`facelayers.validation.validate_data_dir` found.
    data_dir : Path, optional
        The folder, named in the first line of the message.
    """

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], data_dir: Path | None = None) -> None:
        self.problems = tuple(problems)
        self.data_dir = data_dir
        where = f" in {data_dir}" if data_dir is not None else ""
        count = f"{len(self.problems)} problem" + ("" if len(self.problems) == 1 else "s")
        super().__init__("\n".join([f"invalid data{where} ({count}):", *map(str, self.problems)]))


# ----------------------------------------------------------------------------------------------------
# One object per row


@dataclass(frozen=True)
class Source:
    """A publication cited by ``source_id`` (a row of sources.csv)."""

    source_id: str
    citation: str
    year: int
    locator_hint: str
    confidence: str
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
        return {f"{self.landmark_id}:{side}": self.position_mm * np.array([sign, 1.0, 1.0])
                for side, sign in SIDES.items()}


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
    """

    data_dir: Path
    sources: Mapping[str, Source]
    layers: Mapping[str, Layer]
    landmarks: Mapping[str, Landmark]
    regions: Mapping[str, Region]
    thickness: tuple[Thickness, ...]

    def __post_init__(self) -> None:
        # A cached Anatomy is shared by every caller: keep its tables read-only.
        for name in ("sources", "layers", "landmarks", "regions"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        object.__setattr__(self, "thickness", tuple(self.thickness))

    def thickness_table(self) -> np.ndarray:
        """Layer thicknesses by region and layer.

        Returns
        -------
        (n_regions, 5) float64, mm
            Rows in region order (regions.json), columns in :data:`facelayers.frame.LAYERS` order.
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
    DataError
        If the folder has any problem (see ``python -m facelayers validate``).
    """
    if data_dir is None:
        return _load_default()
    return _load(Path(data_dir))


@functools.lru_cache(maxsize=1)
def _load_default() -> Anatomy:
    """The shipped data, loaded once per process."""
    return _load(default_data_dir())


def _load(data_dir: Path) -> Anatomy:
    """Read ``data_dir`` through the checks and build the objects."""
    tables, problems = read_tables(data_dir)
    if problems:
        raise DataError(problems, data_dir)
    return Anatomy(
        data_dir=data_dir,
        sources=_by_id(tables["sources"], "source_id", Source),
        layers=_by_id(tables["layers"], "layer_id", Layer),
        landmarks={r.values["landmark_id"]: _landmark(r) for r in tables["landmarks"]},
        regions={r.values["region_id"]: _region(r) for r in tables["regions"]},
        thickness=tuple(_thickness(r) for r in tables["thickness"]),
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
