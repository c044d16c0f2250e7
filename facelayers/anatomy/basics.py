"""One object per row of the basic tables: sources, layers, landmarks, regions, thicknesses, tissue depths.

The frame and unit are those of :mod:`facelayers.core.frame` (mm; bilateral landmarks stored for the left side and
mirrored on demand). numpy only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from facelayers.core.frame import SIDES, mirror

__all__ = [
    "Landmark",
    "Layer",
    "Region",
    "Source",
    "Thickness",
]

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

    @property
    def short(self) -> str:
        """The source as students read it: ``"Hohman 2020"``, ``"House & Brackmann 1985"``, ``"Fliss et al. 2022"``.

        From the citation's author list (an unattributed citation by the start of its title) and the year;
        ``"Mansour et al., year not known"`` where sources.csv gives no year (not "n.d.", which students read as
        a typo). Never the internal id.
        """
        known = self.year not in (None, "")
        authors = self.citation.split(". ")[0].split(" (")[0]
        names = [a.strip() for a in authors.replace(" et al", ", et al").split(",")]
        pattern = re.compile(r"^((van|von|de|da|di|le) )?[A-Z][A-Za-z'\-]+( [A-Z][A-Za-z'\-]+)*( [A-Z]{1,3})?( Jr)?$")

        def dated(who: str) -> str:
            return f"{who} {self.year}" if known else f"{who}, year not known"

        if not names or not pattern.match(names[0]):
            title = f"'{' '.join(self.citation.split()[:6])}...'"
            return f"{title}, {self.year}" if known else f"{title}, year not known"

        def surname(name: str) -> str:
            bare = re.sub(r" [A-Z]{1,3}( Jr)?$", "", name)
            return bare[:1].upper() + bare[1:]  # "van Alfen" opens a sentence as "Van Alfen"

        if len(names) == 1:
            return dated(surname(names[0]))
        if len(names) == 2 and names[1] != "et al":
            return dated(f"{surname(names[0])} & {surname(names[1])}")
        return dated(f"{surname(names[0])} et al.")


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


