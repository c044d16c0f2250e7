"""The data tables' specs: the files, their schemas and where they live, what a problem is, a schema's rules in words.

The JSON Schemas (``schemas/*.schema.json``) are the contract and are always read from the package's own data
folder, never from the folder being checked. numpy-free.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from facelayers.core.documents import show
from facelayers.core.errors import InputError, path_text

__all__ = [
    "FACE_AZIMUTH_DEG",
    "FACE_Z_MM",
    "TABLES",
    "UNDRAWN_NERVE_GROUPS",
    "Problem",
    "Record",
    "TableSpec",
    "package_data_dir",
    "schema_dir",
]

#: Row statuses: measured (from the source), derived (computed from sourced numbers), schematic (no source).
STATUSES: tuple[str, ...] = ("measured", "derived", "schematic")

#: Nerve groups that muscles.json may name although nerves.json draws no nerve for them: the
#: masticatory muscles (masseter, temporalis) are supplied by the mandibular division of the
#: trigeminal nerve (V3), which runs deep to everything the model draws.
UNDRAWN_NERVE_GROUPS: tuple[str, ...] = ("trigeminal_v3",)

# HEAD_AXIS_Y_MM (from facelayers.core.frame): a technique's places are seen by their azimuth about the head's axis,
# ``atan2(x, y - HEAD_AXIS_Y_MM)``.

#: Where a technique's plane outline may lie ("on the face"): azimuth within +-FACE_AZIMUTH_DEG of the
#: midline (0 = anterior, 90 = over the ear) and height z within FACE_Z_MM (the model's face and neck).
FACE_AZIMUTH_DEG: float = 110.0
FACE_Z_MM: tuple[float, float] = (-130.0, 130.0)


# ----------------------------------------------------------------------------------------------------
# What a problem is


#: A problem in the data is an :class:`~facelayers.core.errors.InputError` (file, line, row, field, value, allowed),
#: the package's one error type; ``Problem`` is its older name here.
Problem = InputError


# ----------------------------------------------------------------------------------------------------
# The tables


@dataclass(frozen=True)
class TableSpec:
    """One data file: its name, its schema and the column(s) that identify a row.

    Attributes
    ----------
    name : str
        Table name (``"thickness"``); the schema is ``schemas/<name>.schema.json``.
    filename : str
        File name in the data folder (``"thickness.csv"``).
    key : tuple of str
        Id column(s); unique per row, and used to name rows in messages.
    items : str, optional
        JSON only: the key of the document's list of items (``"regions"``); each item is one row.
    field_paths : bool
        JSON only: name a field at fault by its path inside the item (``waypoints[2].layer``,
        ``outline[3]``) rather than by its top-level key alone (regions.json keeps the latter).
    """

    name: str
    filename: str
    key: tuple[str, ...]
    items: str | None = None
    field_paths: bool = False

    @property
    def is_csv(self) -> bool:
        """True for a CSV table (one schema object per row), False for a JSON document."""
        return self.filename.endswith(".csv")


#: The data files, in the order they are read and reported.
TABLES: tuple[TableSpec, ...] = (
    TableSpec("sources", "sources.csv", ("source_id",)),
    TableSpec("layers", "layers.csv", ("layer_id",)),
    TableSpec("landmarks", "landmarks.csv", ("landmark_id",)),
    TableSpec("regions", "regions.json", ("region_id",), items="regions"),
    TableSpec("thickness", "thickness.csv", ("region_id", "layer_id")),
    TableSpec("nerves", "nerves.json", ("nerve_id",), items="nerves", field_paths=True),
    TableSpec("muscles", "muscles.json", ("muscle_id",), items="muscles", field_paths=True),
    TableSpec("danger_zones", "danger_zones.json", ("zone_id",), items="zones", field_paths=True),
    TableSpec("ligaments", "ligaments.csv", ("ligament_id",)),
    TableSpec("techniques", "techniques.json", ("technique_id",), items="techniques", field_paths=True),
    TableSpec("quiz", "quiz.json", ("question_id",), items="questions", field_paths=True),
    TableSpec("variation", "variation.csv", ("variation_id",)),
    TableSpec("palsies", "palsies.json", ("palsy_id",), items="palsies", field_paths=True),
    TableSpec("injury", "injury.csv", ("fact_id",)),
    TableSpec("spaces", "spaces.json", ("space_id",), items="spaces", field_paths=True),
    TableSpec("tissue_depths", "tissue_depths.csv", ("landmark_id",)),
)
SPECS: dict[str, TableSpec] = {spec.name: spec for spec in TABLES}


@dataclass(frozen=True)
class Record:
    """One row of a table: a CSV line, or one item of a JSON file's list (``regions``, ``nerves``, ...).

    Attributes
    ----------
    line : int
        Line number where the row starts (CSV header = line 1).
    label : str
        The row's id for messages, e.g. ``"region forehead, layer fat"``.
    values : Mapping[str, Any]
        Typed values (numbers as float or int, booleans as bool); an empty cell is absent, and so is
        any cell that failed its type or schema (it has been reported already).
    raw : Mapping[str, str]
        Every cell as written in the file, for messages.
    lines : Mapping[tuple, int]
        JSON only: line of every value inside the item, by its path: ``(key,)``, a list item
        ``(key, index)``, and deeper, ``("waypoints", 2, "layer")``.
    """

    line: int
    label: str
    values: Mapping[str, Any]
    raw: Mapping[str, str]
    lines: Mapping[tuple, int] = field(default_factory=dict)

    def line_of(self, key: str, index: int | None = None) -> int:
        """Line of a field (or of item ``index`` of a list field), falling back to the row's line."""
        where = (key,) if index is None else (key, index)
        return self.lines.get(where, self.line)

    def line_at(self, path: Sequence[str | int]) -> int:
        """Line of the value at ``path`` inside the item, or of its nearest enclosing value."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.line

    def problem(self, file: str, key: str, allowed: str, *, index: int | None = None,
                value: str | None = None) -> Problem:
        """A :class:`Problem` about field ``key`` of this row, showing the value as written."""
        if value is None:
            value = self.raw.get(key, "")
        return Problem(file, self.line_of(key, index), self.label, key, value, allowed)

    def problem_at(self, file: str, path: Sequence[str | int], allowed: str, value: Any = None) -> Problem:
        """A :class:`Problem` about the value at ``path`` inside a JSON item.

        Named by its path (``waypoints[2].layer``) on the line where it is written; ``value`` None shows no value.
        """
        shown = None if value is None else show(value)
        return Problem(file, self.line_at(path), self.label, path_text(path), shown, allowed)


# ----------------------------------------------------------------------------------------------------
# Where the data and the schemas live


def package_data_dir() -> Path:
    """The package's own data folder.

    Returns
    -------
    Path
        ``facelayers/data`` in an installed wheel (pyproject force-includes ``data/`` there), else the
        repository's ``data/`` beside the package (a source checkout or an editable install).
    """
    package = Path(__file__).resolve().parents[1]
    inside = package / "data"
    return inside if inside.is_dir() else package.parent / "data"


def schema_dir() -> Path:
    """Folder of the JSON Schemas: always the package's own, the contract for any data folder."""
    return package_data_dir() / "schemas"


@cache
def load_schema(name: str) -> dict:
    """The JSON Schema of table ``name`` (``"thickness"``), read once.

    Raises
    ------
    FileNotFoundError
        If the package is installed without its schemas (a packaging bug, not a data problem).
    """
    return json.loads((schema_dir() / f"{name}.schema.json").read_text(encoding="utf-8"))


def expected_columns(spec: TableSpec) -> tuple[str, ...]:
    """Columns of a CSV table, in schema order (the order of the shipped files)."""
    return tuple(load_schema(spec.name)["properties"])


# ----------------------------------------------------------------------------------------------------
# Wording: what a schema allows, in words


def describe(schema: Mapping[str, Any]) -> str:
    """What a (sub)schema allows, in words: ``"a number > 0"``, ``"one of: H, M, L"``.

    Parameters
    ----------
    schema : Mapping
        A JSON Schema for one value (one of our schemas' properties, or a list's ``items``).

    Returns
    -------
    str
        A phrase that completes "must be ...".
    """
    if "enum" in schema:
        return "one of: " + ", ".join(str(v) for v in schema["enum"])
    for combiner in ("oneOf", "anyOf"):
        if combiner in schema:
            return " or ".join(describe(option) for option in schema[combiner])
    kind = json_type_name(schema)
    kinds = schema.get("type")
    if isinstance(kinds, list) and "null" in kinds and len(kinds) > 1:
        return describe({**schema, "type": [k for k in kinds if k != "null"]}) + " or null"
    if kind in ("number", "integer"):
        words = "a number" if kind == "number" else "a whole number"
        bounds = [f"{op} {format_number(schema[k])}" for k, op in
                  (("exclusiveMinimum", ">"), ("minimum", ">="), ("exclusiveMaximum", "<"), ("maximum", "<="))
                  if k in schema]
        return " ".join([words, " and ".join(bounds)]).strip()
    if kind == "boolean":
        return "true or false"
    if kind == "string":
        if "pattern" in schema:
            example = f" (e.g. {schema['examples'][0]})" if schema.get("examples") else ""
            return f"an id matching {schema['pattern']}{example}"
        return "non-empty text" if schema.get("minLength") else "text"
    if kind == "array":
        low, high = schema.get("minItems"), schema.get("maxItems")
        if low and low == high:
            size = [f"exactly {low} item" + ("s" if low > 1 else "")]
        elif low and high is not None:
            size = [f"{low} to {high} items"]
        elif high is not None:
            size = [f"at most {high} item" + ("s" if high != 1 else "")]
        else:
            size = [f"at least {low} item" + ("s" if low > 1 else "")] if low else []
        size += ["no repeats"] if schema.get("uniqueItems") else []
        size_text = f" ({', '.join(size)})" if size else ""
        return f"a list{size_text}, each item {describe(schema.get('items', {}))}"
    if kind == "object":
        if not schema.get("properties"):
            return "a mapping (one 'key: value' per line)"
        return "an object with the fields " + ", ".join(schema.get("properties", {}))
    return "valid"


def json_type_name(schema: Mapping[str, Any]) -> str:
    """The JSON type of a schema (``"string"`` when only an enum is given)."""
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return kind


def format_number(number: float) -> str:
    """A number as a reader would write it: 4, 1.39 (no trailing .0)."""
    return f"{number:g}"


def known_list(names: Sequence[str]) -> str:
    """A comma-separated list, for "must be one of" messages."""
    return ", ".join(names) if names else "(none)"


