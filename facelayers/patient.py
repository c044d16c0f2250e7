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

Rows may also target ``skull:<parameter>`` (:data:`SKULL_PARAMETERS`; REFERENCE-2 section 4: ageing widens
the orbital aperture and the gonial angle) or ``space:<space_id>`` (a layer-4 space): :func:`skull_parameters`
and :meth:`Variation.value` expose them for the modules that draw the skull and the spaces.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np

from facelayers.anatomy import Anatomy, DataError
from facelayers.validation import Problem, package_data_dir, schema_dir

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
    "load_variation",
    "read_variation",
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
}

VARIATION_FILE = "variation.csv"
FORMS = ("slope", "slope_relative", "knots", "knots_relative", "male", "male_relative", "pooled_male")
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
        """This patient's skull parameters (see :func:`skull_parameters`)."""
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
        """The rows that apply to ``target`` in ``region_id`` for ``patient``: per variable, the most specific
        (a region's row over an 'all' row, then a sex's row over an 'any' row)."""
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


def _problem(line: int | None, row: str | None, field: str | None, value: Any, allowed: str) -> Problem:
    return Problem(VARIATION_FILE, line, row, field, None if value is None else str(value), allowed)


def _knots(text: str) -> tuple[tuple[float, float], ...]:
    return tuple((float(x), float(y)) for x, y in (pair.split(":") for pair in text.split(";")))


def _check_row(values: dict[str, Any], line: int, label: str, regions, sources) -> list[Problem]:
    """The checks beyond the schema: references, the form's fields, knots."""
    problems = []
    region = values["region_id"]
    if region != "all" and region not in regions:
        problems.append(_problem(line, label, "region_id", region,
                                 f"must be 'all' or a region_id of regions.json: {', '.join(regions)}"))
    status, source = values["status"], values.get("source_id")
    if source is not None and source not in sources:
        problems.append(_problem(line, label, "source_id", source, "must be a source_id of sources.csv"))
    if status != "schematic":
        for key in ("source_id", "locator"):
            if not values.get(key):
                problems.append(_problem(line, label, key, "", f"required when status is {status}"))
    elif not values.get("note"):
        problems.append(_problem(line, label, "note", "", "required when status is schematic (say why)"))
    form, variable = values["form"], values["variable"]
    if form.startswith("knots"):
        if "knots" not in values:
            problems.append(_problem(line, label, "knots", "", f"required for form {form}"))
        else:
            knots = _knots(values["knots"])
            xs = [x for x, _ in knots]
            if any(b <= a for a, b in itertools.pairwise(xs)):
                problems.append(_problem(line, label, "knots", values["knots"], "x must increase"))
            if form == "knots_relative" and any(y <= 0 for _, y in knots):
                problems.append(_problem(line, label, "knots", values["knots"], "relative knots must be > 0"))
    elif "coefficient" not in values:
        problems.append(_problem(line, label, "coefficient", "", f"required for form {form}"))
    sex_forms = {"male", "male_relative", "pooled_male"}
    if (variable == "sex") != (form in sex_forms):
        allowed = ", ".join(sorted(sex_forms)) if variable == "sex" else ", ".join(f for f in FORMS if f not in sex_forms)
        problems.append(_problem(line, label, "form", form, f"variable {variable} takes the forms {allowed}"))
    target = values["target"]
    if target.startswith("skull:") and target[6:] not in SKULL_PARAMETERS:
        problems.append(_problem(line, label, "target", target,
                                 f"unknown skull parameter; known: {', '.join(SKULL_PARAMETERS)}"))
    if form == "male_relative" and values.get("coefficient", 0) <= -1:
        problems.append(_problem(line, label, "coefficient", values["coefficient"], "must be > -1 for male_relative"))
    return problems


def read_variation(data_dir: str | Path | None = None, regions=None, sources=None) -> tuple[Variation | None, list[Problem]]:
    """Read and check ``variation.csv``.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder (default: the package's).
    regions, sources : collections of str, optional
        Known region and source ids (default: read from the folder's regions.json and sources.csv).

    Returns
    -------
    variation : Variation or None
        None if there were problems.
    problems : list of Problem
        Each names the file, the line (header = 1), the row, the field, the value and what is allowed.
    """
    folder = Path(data_dir) if data_dir is not None else package_data_dir()
    path = folder / VARIATION_FILE
    if regions is None:
        try:
            regions = [r["region_id"] for r in json.loads((folder / "regions.json").read_text())["regions"]]
        except (OSError, ValueError, KeyError, TypeError):
            regions = []
    if sources is None:
        try:
            with open(folder / "sources.csv", newline="", encoding="utf-8") as handle:
                sources = [r["source_id"] for r in csv.DictReader(handle)]
        except (OSError, KeyError, csv.Error):
            sources = []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        return None, [_problem(None, None, None, None, f"cannot be read: {error.strerror or error}")]
    schema = json.loads((schema_dir() / "variation.schema.json").read_text())
    columns = list(schema["properties"])
    validator = jsonschema.Draft202012Validator(schema)
    reader = csv.reader(io.StringIO(text))
    problems: list[Problem] = []
    rows: list[VariationRow] = []
    try:
        header = next(reader)
    except StopIteration:
        return None, [_problem(1, "header", None, "", f"the file is empty; need the columns {', '.join(columns)}")]
    if header != columns:
        return None, [_problem(1, "header", None, None,
                               f"reads {','.join(header)!r}; columns must be: {','.join(columns)}")]
    seen: dict[str, int] = {}
    keys: dict[tuple, str] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        label = f"variation {cells[0]}" if cells and cells[0] else None
        if len(cells) != len(columns):
            problems.append(_problem(line, label, None, None,
                                     f"has {len(cells)} cells; need {len(columns)} ({','.join(columns)})"))
            continue
        values: dict[str, Any] = {}
        for name, cell in zip(columns, cells):
            if cell == "":
                continue
            if name == "coefficient":
                try:
                    values[name] = float(cell)
                except ValueError:
                    values[name] = cell
            else:
                values[name] = cell
        row_problems = [_problem(line, label, ".".join(map(str, e.absolute_path)) or None,
                                 e.instance if e.absolute_path else None, e.message)
                        for e in validator.iter_errors(values)]
        if not row_problems:
            row_problems = _check_row(values, line, label, regions, sources)
        vid = values.get("variation_id")
        if vid in seen:
            row_problems.append(_problem(line, label, "variation_id", vid, f"repeats line {seen[vid]}; ids must be unique"))
        elif vid:
            seen[vid] = line
        key = tuple(values.get(k) for k in ("target", "region_id", "sex", "variable"))
        if key in keys and not row_problems:
            row_problems.append(_problem(line, label, "variable", values["variable"],
                                         f"{keys[key]} already gives {values['target']} in {values['region_id']} "
                                         f"for sex {values['sex']} by {values['variable']}; one row per combination"))
        keys.setdefault(key, vid)
        if row_problems:
            problems.extend(row_problems)
            continue
        rows.append(VariationRow(
            values["variation_id"], values["target"], values["region_id"], values["sex"], values["variable"],
            values["form"], values.get("coefficient"), _knots(values["knots"]) if "knots" in values else (),
            values["status"], values.get("source_id"), values.get("locator"), values.get("note"), line))
    if problems:
        return None, problems
    return Variation(tuple(rows), path), []


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
        raise DataError(problems, folder)
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
        Same landmarks, nerves, techniques; every :class:`~facelayers.anatomy.Thickness` row's
        ``thickness_mm`` = (reference + additive terms) * factors, at least :data:`MIN_THICKNESS_MM`.
        Its ``patient`` attribute is not set (Anatomy is shared); keep the patient beside it.
    """
    if not isinstance(patient, Patient):
        raise TypeError(f"patient = {patient!r}: allowed: a facelayers.patient.Patient")
    variation = _variation_for(anatomy, variation)
    rows = tuple(
        dataclasses.replace(row, thickness_mm=float(variation.value(row.layer_id, row.region_id, row.thickness_mm,
                                                                    patient, floor=MIN_THICKNESS_MM)))
        for row in anatomy.thickness)
    return dataclasses.replace(anatomy, thickness=rows)


def skull_parameters(patient: Patient, variation: Variation | None = None) -> dict[str, float]:
    """The skull parameters for ``patient`` (REFERENCE-2 section 4 directions; see variation.csv).

    The skull is built elsewhere (:mod:`facelayers.geometry` / :mod:`facelayers.head`); these are the values a
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

