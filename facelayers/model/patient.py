"""Patients: sex, age and BMI, and how they change the layer thicknesses and the skull (numpy only).

The data tables describe one person, the **reference patient** :data:`REFERENCE_PATIENT`: a woman of 40 with
a BMI of 22 kg/m2. Why: the total tissue depths of ``thickness.csv`` come from Rhine 1983's normal-weight
women (BMI 22 is the middle of the WHO normal range, 18.5-25); its skin values are the mean of Meng 2022's two
sexes; the other sources (Meng 2022, Casabona 2019, Kim 2019) measured adults of mixed ages, and 40 is a middle
adult age (no mean age was retrieved: a choice). ``build_face()`` without a patient builds the tables as they
are, i.e. this patient with the skin of the sexes' mean; ``build_face(patient=REFERENCE_PATIENT)`` differs from
it only in the skin, which takes Meng's values for women (0.05-0.17 mm thinner).

A :class:`Patient` changes the model through ``data/variation.csv`` (one cited coefficient per row; see
``data/README.md``), **before** the geometry is built: :func:`adjust` returns a copy of the :class:`Anatomy`
whose thickness table follows the patient, and the geometry, nerves, planes, clearances and flap are built from
it as from any data. Additive terms (mm) are summed first, then the relative factors multiply, and every layer
keeps at least :data:`MIN_THICKNESS_MM`, so the layers never cross.

**A patient's soft tissue changes the total depth; the skeleton does not change** (decision, issue 11's skull).
The skull is fitted to the total soft-tissue depths of ``tissue_depths.csv`` (Rhine 1983, the reference patient),
and the muscle layer takes what the other four leave down to the bone: changing only the thickness table would let
a thinner muscle layer absorb a patient's thicker fat. So :func:`adjust` also changes the tissue-depth table: at
each site, by the sum over the five layers of the patient's change there (:func:`site_depth_changes`, blended
between the regions as the geometry blends them). The muscle layer keeps the reference patient's thickness (its
own coefficients, where cited, add to the depth like any layer), and the skin-to-bone depth moves by the patient's
change: Chen 2023's +0.12 mm per kg/m2 at soft pogonion is a change of *total* depth, measured so on the geometry.
The model's frame is the skin (the landmarks, nerves and planes are placed on it), so in the model the bone is
refitted deeper or shallower under the same skin; relative to the skin this is the skin moving out or in over a
fixed skeleton, which is what the sources describe (only depths are measured). The skull's own sex and age
(REFERENCE-2 section 4: orbit, piriform aperture, gonial angle, mandibular height, brow ridges, chin, maxilla:
:func:`skull_parameters`) is drawn on top of that fit: ``build_face(patient=...)`` turns the parameters into a
:class:`facelayers.model.skull.SkullShape` whose relief change is added after the fit
(:meth:`facelayers.model.skull_surface.SkullSurface.with_shape`), so there the total depth changes by the bone's change
(for example a man's glabella lies 2 mm nearer the skin, schematic). The reference patient's skull is the
sculpted one, unchanged.

Rows may also target ``skull:<parameter>`` (:data:`SKULL_PARAMETERS`; REFERENCE-2 section 4: ageing widens
the orbital aperture and the gonial angle) or ``space:<space_id>`` (a layer-4 space): :func:`skull_parameters`
and :meth:`Variation.value` expose them for the modules that draw the skull and the spaces.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from facelayers.anatomy.load import Anatomy
from facelayers.anatomy.specs import Problem, package_data_dir
from facelayers.anatomy.validation import read_tables
from facelayers.core.errors import InputError

__all__ = [
    "AGE_RANGE",
    "BMI_RANGE",
    "MIN_THICKNESS_MM",
    "REFERENCE_PATIENT",
    "SEXES",
    "SKULL_PARAMETERS",
    "Patient",
    "Variation",
    "VariationRow",
    "adjust",
    "coefficients_text",
    "load_variation",
    "read_variation",
    "site_depth_changes",
    "skull_parameters",
    "thickness_changes",
]

#: The sexes the data distinguish.
SEXES: tuple[str, ...] = ("female", "male")
#: Allowed ages (years, inclusive): adults; the sources measured adults up to old age.
AGE_RANGE: tuple[float, float] = (18.0, 100.0)
#: Allowed BMI (kg/m2, inclusive): from severe thinness to extreme obesity.
BMI_RANGE: tuple[float, float] = (14.0, 60.0)
#: No layer gets thinner than this (mm), whatever the coefficients say.
MIN_THICKNESS_MM = 0.1

#: Skull parameters a patient sets, with their value for the reference patient (the skull as built).
SKULL_PARAMETERS: Mapping[str, float] = {
    "orbital_aperture_scale": 1.0,
    "gonial_angle_delta_deg": 0.0,
    "mandible_height_scale": 1.0,
    "piriform_width_scale": 1.0,
    "piriform_height_scale": 1.0,
    "brow_ridge_mm": 0.0,
    "chin_mm": 0.0,
    "maxilla_mm": 0.0,
}

VARIATION_FILE = "variation.csv"
_ADDITIVE = {"slope", "knots", "male", "pooled_male"}


def _number(value: Any, field: str, lo: float, hi: float, unit: str) -> float:
    """``value`` as a float within [lo, hi], or a ValueError naming the field, the value and the range."""
    allowed = f"allowed: a number from {lo:g} to {hi:g} {unit}"
    if isinstance(value, bool):
        raise ValueError(f"Patient: field '{field}' = {value!r}: {allowed}")  # noqa: TRY004 (one error type)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Patient: field '{field}' = {value!r}: {allowed}") from None
    if not math.isfinite(number) or not lo <= number <= hi:
        raise ValueError(f"Patient: field '{field}' = {value!r}: {allowed}")
    return number


@dataclass(frozen=True)
class Patient:
    """A patient: sex, age and body-mass index, validated at construction.

    Parameters
    ----------
    sex : {"female", "male"}
    age : float, years
        18 to 100 (:data:`AGE_RANGE`).
    bmi : float, kg/m2
        14 to 60 (:data:`BMI_RANGE`).

    Raises
    ------
    ValueError
        Naming the field, the value and what is allowed, e.g.
        ``Patient: field 'age' = 12: allowed: a number from 18 to 100 years``.

    Examples
    --------
    >>> Patient("female", 75, 19).label
    'woman, 75 y, BMI 19'
    """

    sex: str = "female"
    age: float = 40.0
    bmi: float = 22.0

    def __post_init__(self) -> None:
        if self.sex not in SEXES:
            raise ValueError(f"Patient: field 'sex' = {self.sex!r}: allowed: {', '.join(SEXES)}")
        object.__setattr__(self, "age", _number(self.age, "age", *AGE_RANGE, "years"))
        object.__setattr__(self, "bmi", _number(self.bmi, "bmi", *BMI_RANGE, "kg/m2"))

    @property
    def label(self) -> str:
        """A short label for tables and legends: ``'woman, 75 y, BMI 19'``."""
        who = "woman" if self.sex == "female" else "man"
        return f"{who}, {self.age:g} y, BMI {self.bmi:g}"

    def as_dict(self) -> dict[str, Any]:
        """``{"sex": ..., "age": ..., "bmi": ...}``, as a saved view writes it."""
        return {"sex": self.sex, "age": self.age, "bmi": self.bmi}

    @classmethod
    def from_mapping(cls, value: Any, where: str = "patient") -> Patient:
        """A patient from a mapping with the keys sex, age, bmi (a saved view's or a storyboard's ``patient``).

        Parameters
        ----------
        value : Mapping or Patient
        where : str
            How the error names the value (e.g. ``"view 'patient'"``).

        Raises
        ------
        ValueError
            If ``value`` is not a mapping, has other keys, or a field is out of range.
        """
        if isinstance(value, Patient):
            return value
        if not isinstance(value, Mapping):
            raise ValueError(f"{where} = {value!r}: allowed: a mapping with the keys sex, age, bmi")  # noqa: TRY004
        unknown = sorted(set(value) - {"sex", "age", "bmi"})
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; allowed: sex, age, bmi")
        try:
            return cls(**dict(value))
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None

    def adjust(self, anatomy: Anatomy, variation: Variation | None = None) -> Anatomy:
        """The anatomy with this patient's thicknesses (see :func:`adjust`)."""
        return adjust(anatomy, self, variation)

    def skull(self, variation: Variation | None = None) -> dict[str, float]:
        """The patient's skull parameters (see :func:`skull_parameters`)."""
        return skull_parameters(self, variation)


#: The patient the data tables describe (see the module's docstring for why).
REFERENCE_PATIENT = Patient("female", 40.0, 22.0)


# ----------------------------------------------------------------------------------------------------
# The coefficient table


@dataclass(frozen=True)
class VariationRow:
    """One row of variation.csv (see ``data/schemas/variation.schema.json``).

    knots : tuple of (x, value) pairs, x increasing; empty unless the form is knots or knots_relative.
    """

    variation_id: str
    target: str
    region_id: str
    sex: str
    variable: str
    form: str
    coefficient: float | None
    knots: tuple[tuple[float, float], ...]
    status: str
    source_id: str | None
    locator: str | None
    note: str | None
    line: int

    @property
    def additive(self) -> bool:
        """True for terms added in the target's unit, False for factors."""
        return self.form in _ADDITIVE

    def term(self, patient: Patient, reference: Patient = REFERENCE_PATIENT) -> float:
        """The row's effect for ``patient``: an offset (additive forms, target unit) or a factor."""
        if self.variable == "sex":
            male = patient.sex == "male"
            if self.form == "pooled_male":
                return (0.5 if male else -0.5) * self.coefficient
            if self.form == "male":
                return self.coefficient if male else 0.0
            return 1.0 + self.coefficient if male else 1.0
        x, x0 = float(getattr(patient, self.variable)), float(getattr(reference, self.variable))
        if self.form == "slope":
            return self.coefficient * (x - x0)
        if self.form == "slope_relative":
            return 1.0 + self.coefficient * (x - x0)
        xs, ys = np.array(self.knots).T
        f, f0 = float(np.interp(x, xs, ys)), float(np.interp(x0, xs, ys))
        return f - f0 if self.form == "knots" else f / f0


@dataclass(frozen=True, eq=False)
class Variation:
    """The checked rows of variation.csv.

    Attributes
    ----------
    rows : tuple of VariationRow
        In file order.
    path : Path
        The file they were read from.
    """

    rows: tuple[VariationRow, ...]
    path: Path

    def rows_for(self, target: str, region_id: str, patient: Patient) -> tuple[VariationRow, ...]:
        """The rows that apply to ``target`` in ``region_id`` for ``patient``.

        Per variable, the most specific: a region's row over an 'all' row, then a sex's row over an 'any' row.
        """
        best: dict[str, tuple[tuple[int, int], VariationRow]] = {}
        for row in self.rows:
            if row.target != target or row.region_id not in (region_id, "all") or row.sex not in ("any", patient.sex):
                continue
            rank = (row.region_id == region_id, row.sex == patient.sex)
            if row.variable not in best or rank > best[row.variable][0]:
                best[row.variable] = (rank, row)
        return tuple(row for _, row in best.values())

    def value(self, target: str, region_id: str, base: float, patient: Patient,
              floor: float | None = None) -> float:
        """``base`` (the reference patient's value) changed for ``patient``: (base + offsets) * factors.

        Parameters
        ----------
        target : str
            A layer id, ``"skull:<parameter>"`` or ``"space:<space_id>"``.
        region_id : str
            A region of regions.json, or ``"all"`` (skull parameters).
        base : float
            The reference value (mm for a thickness).
        patient : Patient
        floor : float, optional
            Lower bound of the result (thicknesses use :data:`MIN_THICKNESS_MM`).
        """
        rows = self.rows_for(target, region_id, patient)
        offset = sum(row.term(patient) for row in rows if row.additive)
        factor = math.prod(row.term(patient) for row in rows if not row.additive)
        out = (base + offset) * factor
        return out if floor is None else max(out, floor)


def _knots(text: str) -> tuple[tuple[float, float], ...]:
    return tuple((float(x), float(y)) for x, y in (pair.split(":") for pair in text.split(";")))


def read_variation(data_dir: str | Path | None = None) -> tuple[Variation | None, list[Problem]]:
    """Read ``variation.csv`` through the data checks of :mod:`facelayers.anatomy.validation` (the one reader).

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder (default: the package's).

    Returns
    -------
    variation : Variation or None
        None if the folder has problems.
    problems : list of Problem
        Every problem of the folder; for variation.csv each names the line (header = 1), the row, the field,
        the value and what is allowed, e.g. ``variation.csv line 27 (variation fat_bmi_chin): field
        'region_id' = 'chinn': must be 'all' or a region_id of regions.json: ...``.
    """
    folder = Path(data_dir) if data_dir is not None else package_data_dir()
    tables, problems = read_tables(folder)
    if problems:
        return None, problems
    rows = []
    for record in tables.get("variation", []):
        values = record.values
        rows.append(VariationRow(
            values["variation_id"], values["target"], values["region_id"], values["sex"], values["variable"],
            values["form"], values.get("coefficient"), _knots(values["knots"]) if "knots" in values else (),
            values["status"], values.get("source_id"), values.get("locator"), values.get("note"), record.line))
    return Variation(tuple(rows), folder / VARIATION_FILE), []


def load_variation(data_dir: str | Path | None = None) -> Variation:
    """The checked coefficient table (the package's is read once and cached).

    Raises
    ------
    DataError
        Listing every problem of the file.
    """
    if data_dir is None:
        return _load_default()
    return _load(Path(data_dir))


@functools.lru_cache(maxsize=1)
def _load_default() -> Variation:
    return _load(package_data_dir())


def _load(folder: Path) -> Variation:
    variation, problems = read_variation(folder)
    if problems:
        raise InputError.gather(problems, f"invalid data in {folder}")
    return variation


# ----------------------------------------------------------------------------------------------------
# Applying it


def _variation_for(anatomy: Anatomy, variation: Variation | None) -> Variation:
    if variation is not None:
        return variation
    if (Path(anatomy.data_dir) / VARIATION_FILE).exists():
        return load_variation(None if Path(anatomy.data_dir) == package_data_dir() else anatomy.data_dir)
    return load_variation()


def adjust(anatomy: Anatomy, patient: Patient, variation: Variation | None = None) -> Anatomy:
    """The anatomy with ``patient``'s layer thicknesses: a copy whose thickness rows follow the coefficients.

    Parameters
    ----------
    anatomy : Anatomy
        The reference data (thickness.csv describes :data:`REFERENCE_PATIENT`).
    patient : Patient
    variation : Variation, optional
        The coefficients (default: ``variation.csv`` of the anatomy's data folder, else the package's).

    Returns
    -------
    Anatomy
        Same landmarks, nerves, techniques; every :class:`~facelayers.anatomy.basics.Thickness` row's
        ``thickness_mm`` = (reference + additive terms) * factors, at least :data:`MIN_THICKNESS_MM`.
        Its ``patient`` attribute is not set (Anatomy is shared); keep the patient beside it.
    """
    if not isinstance(patient, Patient):
        raise TypeError(f"patient = {patient!r}: allowed: a facelayers.model.patient.Patient")
    variation = _variation_for(anatomy, variation)
    rows = tuple(
        dataclasses.replace(row, thickness_mm=float(variation.value(row.layer_id, row.region_id, row.thickness_mm,
                                                                    patient, floor=MIN_THICKNESS_MM)))
        for row in anatomy.thickness)
    adjusted = dataclasses.replace(anatomy, thickness=rows)
    change = site_depth_changes(anatomy, adjusted)
    depths = {lid: dataclasses.replace(row, depth_mm=max(row.depth_mm + change[lid], _MIN_DEPTH_MM))
              for lid, row in anatomy.tissue_depths.items()}
    return dataclasses.replace(adjusted, tissue_depths=depths)


#: Width of the blend of the regions' thicknesses between their anchors (mm): the geometry's
#: ``facelayers.model.stack.SIGMA_MM`` (repeated here: this module sits below the geometry; a test checks
#: that they agree).
REGION_SIGMA_MM = 32.0
#: A patient's total depth at a tissue-depth site never falls below the five layers' floor (mm).
_MIN_DEPTH_MM = 5 * MIN_THICKNESS_MM


def site_depth_changes(reference: Anatomy, adjusted: Anatomy) -> dict[str, float]:
    """How much each tissue-depth site's total depth changes between two thickness tables (mm).

    At each site of ``tissue_depths.csv`` the change is the sum over the five layers of (adjusted -
    reference) thickness, blended between the regions as the geometry blends them (weights
    ``exp(-(d / REGION_SIGMA_MM)**2) / d**2`` over the regions' anchor landmarks, normalised; an anchor's
    own region has all the weight at the anchor). The skull is fitted to the changed depths, so a patient's
    thicker or thinner soft tissue changes the total depth, not the muscle layer.

    Parameters
    ----------
    reference, adjusted : Anatomy
        The same landmarks and regions; the thickness tables differ.

    Returns
    -------
    dict of str to float
        ``{landmark_id: change_mm}`` for every site of ``reference.tissue_depths`` (0.0 if the tables agree).
    """
    if not reference.tissue_depths:
        return {}
    delta = (adjusted.thickness_table() - reference.thickness_table()).sum(axis=1)  # (regions,)
    anchors, region = [], []
    for r, item in enumerate(reference.regions.values()):
        for anchor in item.anchors:
            for position in reference.landmarks[anchor].positions().values():
                anchors.append(position)
                region.append(r)
    anchors, region = np.array(anchors), np.array(region)
    out = {}
    for lid in reference.tissue_depths:
        site = next(iter(reference.landmarks[lid].positions().values()))  # left side (symmetric)
        d2 = ((anchors - site) ** 2).sum(axis=1)
        logw = -d2 / REGION_SIGMA_MM**2 - np.log(d2 + 1e-9)
        w = np.exp(logw - logw.max())
        out[lid] = float((w / w.sum()) @ delta[region])
    return out


def skull_parameters(patient: Patient, variation: Variation | None = None) -> dict[str, float]:
    """The skull parameters for ``patient`` (REFERENCE-2 section 4 directions; see variation.csv).

    The skull is built elsewhere (:mod:`facelayers.model.skull_surface` / :mod:`facelayers.model.head`); these are the values a
    skull builder can read: scales (1.0 = the reference skull) and the gonial angle's change in degrees.

    Returns
    -------
    dict of str to float
        One entry per name of :data:`SKULL_PARAMETERS`.
    """
    variation = variation if variation is not None else load_variation()
    return {name: float(variation.value(f"skull:{name}", "all", base, patient))
            for name, base in SKULL_PARAMETERS.items()}


def thickness_changes(anatomy: Anatomy, patient: Patient, variation: Variation | None = None) -> list[dict[str, Any]]:
    """What the patient changes, row by row, with the rows of variation.csv that did it.

    Returns
    -------
    list of dict
        ``{"region_id", "layer_id", "reference_mm", "patient_mm", "rows": (variation_id, ...)}`` for every
        thickness that differs from the reference by more than 0.005 mm, in thickness.csv order.
    """
    variation = _variation_for(anatomy, variation)
    adjusted = adjust(anatomy, patient, variation)
    out = []
    for before, after in zip(anatomy.thickness, adjusted.thickness):
        if abs(after.thickness_mm - before.thickness_mm) > 0.005:
            used = variation.rows_for(before.layer_id, before.region_id, patient)
            out.append({"region_id": before.region_id, "layer_id": before.layer_id,
                        "reference_mm": before.thickness_mm, "patient_mm": after.thickness_mm,
                        "rows": tuple(r.variation_id for r in used)})
    return out



def author_year(anatomy: Anatomy, source_id: str | None) -> str:
    """How a student sees a source: ``'Wysong 2013'`` (first author's surname and year), never its id."""
    if source_id is None:
        return "schematic"
    return anatomy.sources[source_id].short


def coefficients_text(anatomy: Anatomy, variation: Variation | None = None, targets=None) -> str:
    """The coefficients as a table for students: what changes, where, for whom, by what, and the source.

    Parameters
    ----------
    anatomy : Anatomy
        For the sources' authors and years.
    variation : Variation, optional
    targets : collection of str, optional
        Only these targets (e.g. ``{"skin", "fat"}``); default all.

    Returns
    -------
    str
        One line per row of variation.csv; the effect in words (``-0.6 %/year``, ``+0.12 mm per kg/m2``,
        ``x0.72 at 70 vs 25 y``); the source as author and year, or ``schematic`` with the direction's source.
    """
    variation = _variation_for(anatomy, variation)
    lines = [f"{'what':<40}{'who':<8}{'by':<5}{'effect':<34}source"]
    for row in variation.rows:
        if targets is not None and row.target not in targets:
            continue
        what = f"{row.target} ({row.region_id.replace('_', ' ')})"
        unit = {"age": "year", "bmi": "kg/m2"}.get(row.variable, "")
        if row.form == "slope":
            effect = f"{row.coefficient:+g} {'mm' if not row.target.startswith('skull') else ''} per {unit}"
        elif row.form == "slope_relative":
            effect = f"{100 * row.coefficient:+.2g} % per {unit}"
        elif row.form == "knots_relative":
            (x0, y0), (x1, y1) = row.knots[0], row.knots[-1]
            effect = f"x{y1 / y0:.2f} at {x1:g} vs {x0:g} y"
        elif row.form == "knots":
            (x0, y0), (x1, y1) = row.knots[0], row.knots[-1]
            effect = f"{y1 - y0:+.1f} mm at {x1:g} vs {x0:g} y"
        elif row.form == "male_relative":
            effect = f"men {100 * row.coefficient:+.1f} %"
        elif row.form == "male":
            effect = f"men {row.coefficient:+g}"
        else:
            effect = f"men {row.coefficient:+.2f} mm vs women"
        source = author_year(anatomy, row.source_id)
        if row.status == "schematic":
            source = "schematic: direction only"
        lines.append(f"{what:<40}{row.sex:<8}{row.variable:<5}{' '.join(effect.split()):<34}{source}")
    return "\n".join(lines)
