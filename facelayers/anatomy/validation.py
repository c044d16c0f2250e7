"""Checks of the cited data tables in ``data/``: a list of small named checks.

After BrainGlobe's ``get_all_validation_functions``: each check is a function that takes a
:class:`DataSet` (one data folder, read lazily and once) and returns a list of :class:`Problem`.
:data:`CHECKS` lists them in the order they run; :func:`validate_data_dir` runs them all, the tests
and ``python -m facelayers validate`` use it, and :func:`read_tables` hands the loader
(:mod:`facelayers.anatomy.load`) the typed rows together with the problems.

Reading happens in stages, each reported by its own check: the folder and its files, the CSV and JSON
syntax, the typing of the cells, the JSON Schemas. A file that fails a syntax stage takes no part in
the later checks, and a cell that fails its type or schema is left out of the later checks, so one
fault gives one problem rather than a cascade.

The JSON Schemas (``schemas/*.schema.json``) are the contract and are always read from the
package's own data folder, never from the folder being checked. numpy-free.

The nerve data (nerves.json, muscles.json, danger_zones.json, ligaments.csv) and the techniques
(techniques.json) nest lists inside their items (a nerve's waypoints, a muscle's outline, a technique's
planes); a problem there names the field by its path inside the item, ``waypoints[2].layer`` or
``planes[1].outline[3]`` (0-based indices), on the line where that value is written.

The procedure storyboards (``storyboards/<storyboard_id>.yaml``, one YAML file each; the folder is
optional) are read in the same stages: file name and UTF-8, YAML syntax (with line and column; a key
given twice is an error, not silently the last), their schema, then their references to the techniques,
sources, nerves and ports. A problem names the file (``storyboards/deep_plane.yaml``), the line and the
field by its path (``steps[2].view.pick``, 0-based). The values of each step's ``view`` are judged by
:class:`facelayers.teaching.state.ViewState` itself, which sits above this module: that check is
:func:`facelayers.teaching.storyboard.check_storyboard_views`, run with these by ``python -m facelayers validate``.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import jsonschema

from facelayers.core.documents import Document, parse_csv, parse_json, parse_yaml, read_text, show
from facelayers.core.errors import InputError, path_text
from facelayers.core.frame import HEAD_AXIS_Y_MM, LAYERS
from facelayers.core.polygons import segments_intersect, self_intersections

__all__ = [
    "CHECKS",
    "FACE_AZIMUTH_DEG",
    "FACE_Z_MM",
    "HEAD_AXIS_Y_MM",
    "STORYBOARD_DIR",
    "STORYBOARD_SCHEMA",
    "TABLES",
    "UNDRAWN_NERVE_GROUPS",
    "DataSet",
    "InputError",
    "Problem",
    "Record",
    "TableSpec",
    "ViewIds",
    "azimuth_deg",
    "package_data_dir",
    "package_view_ids",
    "quiz_problems",
    "read_tables",
    "schema_dir",
    "segments_intersect",
    "self_intersections",
    "storyboard_filename",
    "validate_data_dir",
    "view_ids",
    "view_reference_problems",
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
_SPECS: dict[str, TableSpec] = {spec.name: spec for spec in TABLES}


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
        shown = None if value is None else _show(value)
        return Problem(file, self.line_at(path), self.label, _path_text(path), shown, allowed)


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
    kind = _json_type(schema)
    kinds = schema.get("type")
    if isinstance(kinds, list) and "null" in kinds and len(kinds) > 1:
        return describe({**schema, "type": [k for k in kinds if k != "null"]}) + " or null"
    if kind in ("number", "integer"):
        words = "a number" if kind == "number" else "a whole number"
        bounds = [f"{op} {_fmt(schema[k])}" for k, op in
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


def _json_type(schema: Mapping[str, Any]) -> str:
    """The JSON type of a schema (``"string"`` when only an enum is given)."""
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return kind


def _fmt(number: float) -> str:
    """A number as a reader would write it: 4, 1.39 (no trailing .0)."""
    return f"{number:g}"


_show = show


def _known(names: Sequence[str]) -> str:
    """A comma-separated list, for "must be one of" messages."""
    return ", ".join(names) if names else "(none)"


# ----------------------------------------------------------------------------------------------------
# Stage 1: the folder and its files


@dataclass(frozen=True)
class _Stage:
    """Result of one reading stage: values by table name, and the problems met."""

    values: dict[str, Any]
    problems: tuple[Problem, ...]


def _read_text(path: Path, filename: str | None = None) -> tuple[str | None, Problem | None]:
    """Text of one data file (UTF-8, a BOM is allowed), or the problem that stops reading it."""
    try:
        return read_text(path, filename or path.name,
                         missing=f"missing: the data folder must hold {_known([s.filename for s in TABLES])}"), None
    except InputError as problem:
        return None, problem


# ----------------------------------------------------------------------------------------------------
# Stage 2: syntax


def _parse_csv(spec: TableSpec, text: str) -> tuple[list[tuple[int, dict[str, str]]] | None, list[Problem]]:
    """Rows of a CSV file as ``(line, {column: cell})``, or None and the problems if it is malformed.

    :func:`facelayers.core.documents.parse_csv` checks the header against the schema's columns (missing, unknown,
    repeated), the number of cells in every row, unclosed quotes, and cells that run over several lines
    (almost always an unclosed quote that closes somewhere below).
    """
    try:
        document = parse_csv(text, spec.filename, expected_columns(spec), label=lambda raw: _label(spec, raw))
    except InputError as error:
        return None, list(error.problems)
    return [(document.lines[(i,)], row) for i, row in enumerate(document.data)], []


def _parse_json(spec: TableSpec, text: str) -> tuple[Document | None, list[Problem]]:
    """The JSON document with the line of every value, or None and the syntax problem (line and column)."""
    try:
        return parse_json(text, spec.filename), []
    except InputError as error:
        return None, list(error.problems)


def _label(spec: TableSpec, raw: Mapping[str, Any]) -> str:
    """A row's id for messages: ``"region forehead, layer fat"``."""
    parts = [f"{key.removesuffix('_id')} {_show(raw[key])}" for key in spec.key if raw.get(key) not in (None, "")]
    return ", ".join(parts)


# ----------------------------------------------------------------------------------------------------
# Stage 3: typing

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")


def _type_cell(text: str, schema: Mapping[str, Any]) -> tuple[Any, bool]:
    """A CSV cell converted to the schema's type: ``(value, ok)``.

    Numbers are plain decimals (no ``nan``, ``inf``, ``1_000`` or spaces); booleans are ``true`` or
    ``false``; anything else stays text.
    """
    kind = _json_type(schema)
    if kind == "number":
        ok = _NUMBER.fullmatch(text) is not None and math.isfinite(float(text))
        return (float(text) if ok else None), ok
    if kind == "integer":
        ok = _INTEGER.fullmatch(text) is not None
        return (int(text) if ok else None), ok
    if kind == "boolean":
        return (text == "true"), text in ("true", "false")
    return text, True


def _type_csv(spec: TableSpec, rows: list[tuple[int, dict[str, str]]]) -> tuple[list[Record], list[Problem]]:
    """Typed records of a parsed CSV file, and a problem for every cell of the wrong type."""
    properties = load_schema(spec.name)["properties"]
    records, problems = [], []
    for line, raw in rows:
        record = Record(line, _label(spec, raw), {}, raw)
        values = {}
        for column, text in raw.items():
            if text == "":
                continue
            value, ok = _type_cell(text, properties[column])
            if ok:
                values[column] = value
            else:
                problems.append(record.problem(spec.filename, column, f"must be {describe(properties[column])}"))
        records.append(Record(line, record.label, values, raw))
    return records, problems


def _type_json(spec: TableSpec, parsed: Document) -> list[Record]:
    """Records for the items of a JSON file's list (JSON is typed already; the schema checks the rest).

    Each record knows the line of every value inside its item (:attr:`Record.lines`), so that a
    problem deep in a nerve's waypoints points at the line where the value is written.
    """
    document = parsed.data
    items = document.get(spec.items) if isinstance(document, dict) else None
    if not isinstance(items, list):
        return []
    lines_of = parsed.lines
    records = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        path = (spec.items, index)
        lines = {where[2:]: line for where, line in lines_of.items() if where[:2] == path and len(where) > 2}
        raw = {key: _show(value) for key, value in item.items()}
        records.append(Record(lines_of.get(path, 1), _label(spec, item), dict(item), raw, lines))
    return records


# ----------------------------------------------------------------------------------------------------
# Stage 4: JSON Schema


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    """A draft 2020-12 validator for table ``name``."""
    return jsonschema.Draft202012Validator(load_schema(name))


def _schema_problems(error: jsonschema.ValidationError, spec: TableSpec, record: Record | None,
                     parsed: Document | None = None) -> Iterator[tuple[Problem, str | None]]:
    """A jsonschema error in our words: ``(problem, field at fault)`` pairs.

    Parameters
    ----------
    error : jsonschema.ValidationError
    spec : TableSpec
    record : Record or None
        The row the error is about; None for an error about the JSON document as a whole.
    parsed : Document, optional
        The JSON document, to give a document-level problem its line.

    The wording comes from the schema (:func:`describe`), never from jsonschema's message alone.
    """
    path = list(error.relative_path)
    inner = path[2:] if record is not None and not spec.is_csv else path  # regions.json: ["regions", 3, ...]
    for extra, value, allowed in _error_wording(error):
        where = inner + extra
        if record is None:
            line = parsed.line_at(where) if parsed is not None and where else None
            yield Problem(spec.filename, line, None, _path_text(where) or None, value, allowed), None
        elif not where:
            yield Problem(spec.filename, record.line, record.label, None, value, allowed), None
        elif spec.field_paths:
            yield record.problem_at(spec.filename, where, allowed, value), str(where[0])
        else:
            key = str(where[0])
            index = where[1] if len(where) > 1 and isinstance(where[1], int) else None
            if spec.is_csv and len(where) == 1:
                value = record.raw.get(key, value)  # as written in the file: '-1.0', not -1.0
            yield record.problem(spec.filename, key, allowed, index=index, value=value), key


def _error_wording(error: jsonschema.ValidationError) -> list[tuple[list[str], str, str]]:
    """``(extra path, value, allowed)`` for a jsonschema error.

    The extra path names the field for errors reported on the object that holds it (``required``,
    ``additionalProperties``); it is empty for errors on the value itself.
    """
    properties = error.schema.get("properties", {})
    instance = error.instance if isinstance(error.instance, dict) else {}
    if error.validator == "required":
        return [([name], "", f"must be given: {describe(properties[name])}")
                for name in error.validator_value if name not in instance]
    if error.validator == "additionalProperties":
        return [([name], _show(instance[name]), f"unknown field: the fields are {', '.join(properties)}")
                for name in instance if name not in properties]
    return [([], _brief(error.instance), f"must be {describe(error.schema)}")]


def _brief(value: Any) -> str:
    """A value for a message: as :func:`_show`, but a list of objects (a nerve's waypoints) as its size."""
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        return f"[{len(value)} item{'' if len(value) == 1 else 's'}]"
    return _show(value)


_path_text = path_text


def _check_csv_records(spec: TableSpec, records: list[Record]) -> tuple[list[Record], list[Problem]]:
    """Validate every row against the row schema; drop the fields at fault from the records."""
    validator = _validator(spec.name)
    clean, problems = [], []
    for record in records:
        bad: set[str] = set()
        for error in validator.iter_errors(dict(record.values)):
            for problem, key in _schema_problems(error, spec, record):
                if key in record.raw and record.raw[key] != "" and key not in record.values:
                    continue  # a cell of the wrong type: reported by the typing stage
                problems.append(problem)
                bad.add(key)
        clean.append(_without(record, bad))
    return clean, problems


def _check_json_document(spec: TableSpec, parsed: Document,
                         records: list[Record]) -> tuple[list[Record] | None, list[Problem]]:
    """Validate a JSON file as a whole; drop the fields at fault from the item records.

    Returns None for the records when the document itself is at fault (not just some fields of some
    items): nothing in it is used by the later checks.
    """
    document = parsed.data
    by_index = _records_by_index(spec, document, records)
    problems, bad = [], {}
    document_ok = True
    for error in _validator(spec.name).iter_errors(document):
        path = list(error.relative_path)
        record = by_index.get(path[1]) if len(path) >= 2 and path[0] == spec.items else None
        if record is None:
            document_ok = False
        for problem, key in _schema_problems(error, spec, record, parsed):
            problems.append(problem)
            if record is not None:
                bad.setdefault(id(record), set()).add(key)
    if not document_ok:
        return None, problems
    return [_without(record, bad.get(id(record), set())) for record in records], problems


def _records_by_index(spec: TableSpec, document: Any, records: list[Record]) -> dict[int, Record]:
    """Records of a JSON file keyed by their index in its list of items (``regions``, ``nerves``, ...)."""
    items = document.get(spec.items) if isinstance(document, dict) else None
    if not isinstance(items, list):
        return {}
    indices = [i for i, item in enumerate(items) if isinstance(item, dict)]
    return dict(zip(indices, records))


def _without(record: Record, keys: set[str]) -> Record:
    """A copy of ``record`` without the values of ``keys``."""
    if not keys:
        return record
    values = {k: v for k, v in record.values.items() if k not in keys}
    return Record(record.line, record.label, values, record.raw, record.lines)


# ----------------------------------------------------------------------------------------------------
# Storyboards: one YAML file per procedure in data/storyboards/

#: The folder of the storyboards inside a data folder: one ``<storyboard_id>.yaml`` per procedure. The
#: folder is optional (a data folder without it has no storyboards); every ``.yaml`` file in it is checked.
STORYBOARD_DIR: str = "storyboards"
#: The schema of one storyboard file: ``schemas/storyboards.schema.json``.
STORYBOARD_SCHEMA: str = "storyboards"
_STORYBOARD_ID = re.compile(r"[a-z][a-z0-9_]*")


def storyboard_filename(storyboard_id: str) -> str:
    """How problems name a storyboard's file: ``storyboards/deep_plane.yaml``."""
    return f"{STORYBOARD_DIR}/{storyboard_id}.yaml"


def _parse_yaml(filename: str, label: str, text: str) -> tuple[Document | None, list[Problem]]:
    """The YAML document of one file with the line of every value, or None and the problems.

    A syntax error (with its line and column), an empty file, a key given twice or a key that is not text, an alias,
    a merge key, a tag, nesting too deep (:func:`facelayers.core.documents.parse_yaml`).
    """
    try:
        return parse_yaml(text, filename, label=label,
                          empty=f"empty file: must be a storyboard ({_known(_storyboard_fields())})"), []
    except InputError as error:
        return None, list(error.problems)


def _storyboard_fields() -> list[str]:
    """The top-level fields of a storyboard file, in schema order."""
    return list(load_schema(STORYBOARD_SCHEMA)["properties"])


def _drop(values: Any, path: Sequence[str | int]) -> None:
    """Remove the value at ``path`` so that the later checks skip it.

    A key of a mapping is removed; an item of a list becomes None, so that the other items keep their index.
    """
    parent = values
    try:
        for step in path[:-1]:
            parent = parent[step]
    except (KeyError, IndexError, TypeError):
        return
    if isinstance(parent, dict):
        parent.pop(path[-1], None)
    elif isinstance(parent, list) and isinstance(path[-1], int) and path[-1] < len(parent):
        parent[path[-1]] = None


#: jsonschema errors about a list as a whole (its size, repeats): its items stay in the later checks.
_WHOLE_LIST = ("minItems", "maxItems", "uniqueItems")


def _check_storyboard(storyboard_id: str, parsed: Document) -> tuple[Record | None, list[Problem]]:
    """A storyboard file against its schema: the record (fields at fault left out) and the problems."""
    label = f"storyboard {storyboard_id}"
    document = parsed.data
    if not isinstance(document, dict):
        kind = "a list" if isinstance(document, list) else "a single value"
        return None, [Problem(parsed.filename, 1, label, None, None,
                              f"must be a mapping of the fields {_known(_storyboard_fields())}, not {kind}")]
    raw = {str(key): _show(value) for key, value in document.items()}
    record = Record(1, label, document, raw, parsed.lines)
    problems, drops = [], []
    for error in _validator(STORYBOARD_SCHEMA).iter_errors(document):
        path = list(error.relative_path)
        for extra, value, allowed in _error_wording(error):
            where = path + extra
            if where:
                problems.append(record.problem_at(parsed.filename, where, allowed, value))
            else:
                problems.append(Problem(parsed.filename, record.line, label, None, value or None, allowed))
            if error.validator not in ("required", *_WHOLE_LIST):
                drops.append(where)
    values = copy.deepcopy(document)
    for where in drops:
        _drop(values, where)
    return Record(1, label, values, raw, parsed.lines), problems


# ----------------------------------------------------------------------------------------------------
# The data folder, read in stages


class DataSet:
    """One data folder, read lazily in stages; every check reads from here, so files are read once.

    Parameters
    ----------
    path : str or Path
        The data folder (``data/`` or a copy of it).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @cached_property
    def texts(self) -> _Stage:
        """Stage 1: text of each readable file, by table name."""
        if not self.path.is_dir():
            return _Stage({}, ())
        texts, problems = {}, []
        for spec in TABLES:
            text, problem = _read_text(self.path / spec.filename)
            if problem is None:
                texts[spec.name] = text
            else:
                problems.append(problem)
        return _Stage(texts, tuple(problems))

    @cached_property
    def parsed(self) -> _Stage:
        """Stage 2: CSV rows ``[(line, {column: cell})]`` or the JSON document, by table name."""
        parsed, problems = {}, []
        for spec in TABLES:
            if spec.name not in self.texts.values:
                continue
            parse = _parse_csv if spec.is_csv else _parse_json
            value, found = parse(spec, self.texts.values[spec.name])
            problems += found
            if not found:
                parsed[spec.name] = value
        return _Stage(parsed, tuple(problems))

    @cached_property
    def typed(self) -> _Stage:
        """Stage 3: typed :class:`Record` lists, by table name."""
        typed, problems = {}, []
        for spec in TABLES:
            if spec.name not in self.parsed.values:
                continue
            value = self.parsed.values[spec.name]
            if spec.is_csv:
                typed[spec.name], found = _type_csv(spec, value)
                problems += found
            else:
                typed[spec.name] = _type_json(spec, value)
        return _Stage(typed, tuple(problems))

    @cached_property
    def checked(self) -> _Stage:
        """Stage 4: records after their JSON Schema, by table name (fields at fault left out)."""
        checked, problems = {}, []
        for spec in TABLES:
            if spec.name not in self.typed.values:
                continue
            records = self.typed.values[spec.name]
            if spec.is_csv:
                clean, found = _check_csv_records(spec, records)
            else:
                clean, found = _check_json_document(spec, self.parsed.values[spec.name], records)
            problems += found
            if clean is not None:
                checked[spec.name] = clean
        # jsonschema reports each missing required field once per missing field, with the same context
        return _Stage(checked, tuple(dict.fromkeys(problems)))

    @cached_property
    def storyboard_documents(self) -> _Stage:
        """The storyboards' stages 1-2: each ``storyboards/<id>.yaml`` read and parsed, by storyboard id."""
        folder = self.path / STORYBOARD_DIR
        if not folder.exists() or not self.path.is_dir():
            return _Stage({}, ())
        if not folder.is_dir():
            return _Stage({}, (Problem(STORYBOARD_DIR, None, None, None, None,
                                       "is a file: must be a folder of storyboards, one <storyboard_id>.yaml "
                                       "each"),))
        documents, problems = {}, []
        for path in sorted(folder.iterdir()):
            filename = f"{STORYBOARD_DIR}/{path.name}"
            if path.name.startswith(".") or path.suffix not in (".yaml", ".yml"):
                continue  # editors' and atomic writes' temporary files, a README
            if path.suffix == ".yml" or not _STORYBOARD_ID.fullmatch(path.stem):
                problems.append(Problem(filename, None, None, None, None,
                                        f"file name: a storyboard is named <storyboard_id>.yaml, the id "
                                        f"matching {_STORYBOARD_ID.pattern} (e.g. deep_plane.yaml)"))
                continue
            text, problem = _read_text(path, filename)
            if problem is not None:
                problems.append(problem)
                continue
            document, found = _parse_yaml(filename, f"storyboard {path.stem}", text)
            problems += found
            if document is not None:
                documents[path.stem] = document
        return _Stage(documents, tuple(problems))

    @cached_property
    def storyboards(self) -> _Stage:
        """The storyboards' stages 3-4: one :class:`Record` per file after its schema, by storyboard id."""
        checked, problems = {}, []
        for storyboard_id, document in self.storyboard_documents.values.items():
            record, found = _check_storyboard(storyboard_id, document)
            problems += found
            if record is not None:
                checked[storyboard_id] = record
        return _Stage(checked, tuple(dict.fromkeys(problems)))

    def records(self, name: str) -> list[Record] | None:
        """Checked records of table ``name``, or None if the file could not be read or parsed."""
        return self.checked.values.get(name)

    def ids(self, name: str) -> list[str]:
        """Ids of the rows of table ``name`` (in file order, without repeats); [] if it did not load."""
        key = _SPECS[name].key[0]
        return list(dict.fromkeys(r.values[key] for r in self.records(name) or [] if key in r.values))


# ----------------------------------------------------------------------------------------------------
# The checks: reading

Check = Callable[[DataSet], list[Problem]]


def check_data_dir(data: DataSet) -> list[Problem]:
    """The data folder exists and is a folder."""
    if data.path.is_dir():
        return []
    state = "is a file" if data.path.exists() else "does not exist"
    return [Problem(str(data.path), None, None, None, None,
                    f"{state}: must be a folder holding {_known([s.filename for s in TABLES])}")]


def check_files_readable(data: DataSet) -> list[Problem]:
    """Every data file is present, readable and UTF-8."""
    return list(data.texts.problems)


def check_csv_parses(data: DataSet) -> list[Problem]:
    """Every CSV file parses: the header has the schema's columns, every row has one cell per column."""
    return [p for p in data.parsed.problems if p.file.endswith(".csv")]


def check_json_parses(data: DataSet) -> list[Problem]:
    """Every JSON file (regions.json and the nerve data) is well-formed JSON."""
    return [p for p in data.parsed.problems if p.file.endswith(".json")]


def check_cell_types(data: DataSet) -> list[Problem]:
    """Every CSV cell has its schema's type: numbers are numbers, booleans are true or false."""
    return list(data.typed.problems)


def check_schemas(data: DataSet) -> list[Problem]:
    """Every CSV row, and every JSON file as a whole, satisfies its JSON Schema."""
    return list(data.checked.problems)


# ----------------------------------------------------------------------------------------------------
# The checks: content


def check_unique_ids(data: DataSet) -> list[Problem]:
    """Ids are unique.

    Checked: source_id, layer_id, landmark_id, region_id, (region_id, layer_id) in thickness, nerve_id, muscle_id, zone_id,
    ligament_id, technique_id and question_id.
    """
    return [problem for spec in TABLES for problem in _unique_problems(spec, data.records(spec.name) or [])]


def _unique_problems(spec: TableSpec, records: Sequence[Record]) -> list[Problem]:
    """A problem for every record whose id repeats an earlier one's."""
    problems = []
    first_line: dict[tuple, int] = {}
    for record in records:
        key = tuple(record.values.get(k) for k in spec.key)
        if None in key:
            continue
        if key in first_line:
            what = "unique" if len(key) == 1 else f"unique per {', '.join(spec.key)} pair"
            problems.append(record.problem(spec.filename, spec.key[-1],
                                           f"must be {what}: already used on line {first_line[key]}"))
        else:
            first_line[key] = record.line_of(spec.key[-1])
    return problems


def check_source_references(data: DataSet) -> list[Problem]:
    """Every source_id names a row of sources.csv."""
    if data.records("sources") is None:
        return []  # sources.csv did not load: reported already
    known = data.ids("sources")
    allowed = f"must be a source_id of sources.csv: {_known(known)}"
    problems = []
    for name in ("layers", "landmarks", "thickness", "tissue_depths", "ligaments", "variation", "injury"):
        for record in data.records(name) or []:
            source = record.values.get("source_id")
            if source is not None and source not in known:
                problems.append(record.problem(_SPECS[name].filename, "source_id", allowed))
    for name in ("nerves", "muscles", "danger_zones", "techniques", "quiz", "palsies", "spaces"):
        problems += _source_problems(name, data.records(name) or [], known)
    return problems


def _source_problems(name: str, records: Sequence[Record], known: Sequence[str]) -> list[Problem]:
    """A problem for every source_id of a JSON table's items (and their parts) that ``known`` lacks."""
    allowed = f"must be a source_id of sources.csv: {_known(known)}"
    problems = []
    for record in records:
        for path, entry in _sourced(name, record):
            source = entry.get("source_id")
            if source is not None and source not in known:
                problems.append(record.problem_at(_SPECS[name].filename, path + ("source_id",), allowed, source))
    return problems


def _provenanced(name: str, record: Record) -> Iterator[tuple[tuple, Mapping[str, Any]]]:
    """The parts of a nerve-data or technique item that carry their own provenance (a status), with their paths.

    A nerve's waypoints (``("waypoints", 2)``); a muscle or zone as a whole (``()``); a technique as a whole and
    each of its planes, incisions and ports (``("planes", 1)``).
    """
    if name == "nerves":
        for index, waypoint in enumerate(record.values.get("waypoints", [])):
            yield ("waypoints", index), waypoint
        return
    yield (), record.values
    if name == "muscles":
        for key in ("thickness", "excursion"):
            if isinstance(record.values.get("body", {}).get(key), Mapping):
                yield ("body", key), record.values["body"][key]
    if name == "techniques":
        for key in _TECHNIQUE_PARTS:
            for index, part in enumerate(record.values.get(key, [])):
                yield (key, index), part


def _sourced(name: str, record: Record) -> Iterator[tuple[tuple, Mapping[str, Any]]]:
    """Every part of an item that names a source_id.

    The provenanced parts, and a technique's complications (``("complications", 0)``), which always cite their
    source.
    """
    yield from _provenanced(name, record)
    if name == "techniques":
        for index, complication in enumerate(record.values.get("complications", [])):
            yield ("complications", index), complication


#: The lists of a technique whose items have an id and a provenance, with the id key of their items.
_TECHNIQUE_PARTS: dict[str, str] = {"planes": "plane_id", "incisions": "incision_id", "ports": "port_id"}


def check_region_and_layer_references(data: DataSet) -> list[Problem]:
    """Every thickness row names a region of regions.json and a layer of layers.csv."""
    problems = []
    for key, table, where in (("region_id", "regions", "regions.json"), ("layer_id", "layers", "layers.csv")):
        if data.records(table) is None:
            continue
        known = data.ids(table)
        for record in data.records("thickness") or []:
            value = record.values.get(key)
            if value is not None and value not in known:
                problems.append(record.problem("thickness.csv", key, f"must be a {key} of {where}: {_known(known)}"))
    return problems


def check_anchor_references(data: DataSet) -> list[Problem]:
    """Every anchor of a region in regions.json names a landmark of landmarks.csv."""
    if data.records("landmarks") is None:
        return []
    known = data.ids("landmarks")
    problems = []
    for record in data.records("regions") or []:
        for index, anchor in enumerate(record.values.get("anchors", [])):
            if anchor not in known:
                problems.append(record.problem("regions.json", "anchors",
                                               f"must be a landmark_id of landmarks.csv: {_known(known)}",
                                               index=index, value=anchor))
    for record in data.records("tissue_depths") or []:
        landmark = record.values.get("landmark_id")
        if landmark is not None and landmark not in known:
            problems.append(record.problem("tissue_depths.csv", "landmark_id",
                                           f"must be a landmark_id of landmarks.csv: {_known(known)}"))
    return problems


def check_min_not_above_max(data: DataSet) -> list[Problem]:
    """In thickness.csv, min_mm is not above max_mm when both are given."""
    problems = []
    for record in data.records("thickness") or []:
        low, high = record.values.get("min_mm"), record.values.get("max_mm")
        if low is not None and high is not None and low > high:
            problems.append(record.problem("thickness.csv", "min_mm",
                                           f"must be <= max_mm ({record.raw['max_mm']})"))
    return problems


def check_thickness_within_range(data: DataSet) -> list[Problem]:
    """In thickness.csv, thickness_mm lies within [min_mm, max_mm] (each bound checked when given)."""
    problems = []
    for record in data.records("thickness") or []:
        value = record.values.get("thickness_mm")
        low, high = record.values.get("min_mm"), record.values.get("max_mm")
        if value is None or (low is not None and high is not None and low > high):
            continue  # an inverted range is reported by check_min_not_above_max
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"[{record.raw['min_mm'] or '-'}, {record.raw['max_mm'] or '-'}]"
            problems.append(record.problem("thickness.csv", "thickness_mm",
                                           f"must lie within min_mm..max_mm = {bounds}"))
    return problems


def check_provenance(data: DataSet) -> list[Problem]:
    """No number without provenance.

    A measured or derived row names a source_id and a locator (for derived, the locator says how the
    number was computed); a schematic row gives the reason it has no source in note. The same rule
    holds for every row of ligaments.csv, every waypoint of nerves.json, every muscle and zone, and
    every technique and each of its planes, incisions and ports.
    """
    problems = []
    for name in ("landmarks", "thickness", "tissue_depths", "variation", "injury"):
        filename = _SPECS[name].filename
        for record in data.records(name) or []:
            status = record.values.get("status")
            if status in ("measured", "derived"):
                if "source_id" not in record.values and record.raw.get("source_id", "") == "":
                    problems.append(record.problem(filename, "source_id",
                                                   f"a {status} row must name a source_id of sources.csv "
                                                   "(or have status schematic with the reason in note)"))
                if "locator" not in record.values and record.raw.get("locator", "") == "":
                    how = " and how the number was computed" if status == "derived" else ""
                    problems.append(record.problem(filename, "locator",
                                                   f"a {status} row must say where in the source the number "
                                                   f"is (table, figure, page){how}"))
            elif status == "schematic" and not record.values.get("note", "").strip():
                problems.append(record.problem(filename, "note",
                                               "a schematic row must give in note the reason it has no source"))
    for record in data.records("ligaments") or []:
        problems += _provenance_problems(
            record.values, lambda key, allowed, r=record: r.problem("ligaments.csv", key, allowed),
            present=lambda key, r=record: key in r.values or r.raw.get(key, "") != "", what="row")
    for name in ("nerves", "muscles", "danger_zones", "techniques", "palsies", "spaces"):
        filename = _SPECS[name].filename
        for record in data.records(name) or []:
            for path, entry in _provenanced(name, record):
                what = {"waypoints": "waypoint", "planes": "plane", "incisions": "incision",
                        "ports": "port", "body": f"muscle {path[-1]}"}[path[0]] if path else "entry"
                # a field of the item itself that failed its schema was dropped from values: reported already
                shown = entry if path else record.raw
                problems += _provenance_problems(
                    entry,
                    lambda key, allowed, r=record, p=path, e=entry: r.problem_at(filename, p + (key,), allowed,
                                                                                  e.get(key, "")),
                    present=lambda key, e=entry, s=shown: key in e or key in s, what=what)
    return problems


def _provenance_problems(values: Mapping[str, Any], problem: Callable[[str, str], Problem],
                         present: Callable[[str], bool], what: str) -> list[Problem]:
    """The provenance rule for one entry (a row, a waypoint, a muscle, a zone).

    A measured or derived entry names a source_id and a locator; a schematic one gives the reason in note.
    """
    status = values.get("status")
    problems = []
    if status in ("measured", "derived"):
        if not present("source_id"):
            problems.append(problem("source_id", f"a {status} {what} must name a source_id of sources.csv "
                                                 "(or have status schematic with the reason in note)"))
        if not present("locator"):
            how = " and how the number was computed or placed" if status == "derived" else ""
            problems.append(problem("locator", f"a {status} {what} must say where in the source the number "
                                               f"is (table, figure, page){how}"))
    elif status == "schematic" and not str(values.get("note", "")).strip():
        problems.append(problem("note", f"a schematic {what} must give in note the reason it has no source"))
    return problems


def check_landmark_sides(data: DataSet) -> list[Problem]:
    """Midline landmarks lie on x = 0; bilateral ones are given for the left side (x > 0)."""
    problems = []
    for record in data.records("landmarks") or []:
        side, x = record.values.get("side"), record.values.get("x_mm")
        if side == "midline" and x is not None and x != 0:
            problems.append(record.problem("landmarks.csv", "x_mm", "a midline landmark must have x_mm = 0"))
        elif side == "bilateral" and x is not None and x <= 0:
            problems.append(record.problem("landmarks.csv", "x_mm",
                                           "a bilateral landmark is given for the left side: must be > 0"))
    return problems


def check_layer_order(data: DataSet) -> list[Problem]:
    """layers.csv lists exactly facelayers.core.frame.LAYERS, in that order, with order = 1, 2, ..."""
    records = data.records("layers")
    if records is None:
        return []
    wanted = f"layers.csv lists facelayers.core.frame.LAYERS in order: {', '.join(LAYERS)}"
    problems = []
    for position, record in enumerate(records):
        expected = LAYERS[position] if position < len(LAYERS) else None
        layer = record.values.get("layer_id")
        if layer is not None and layer != expected:
            must = f"must be {expected}" if expected else "must not be here"
            problems.append(record.problem("layers.csv", "layer_id", f"{must}: {wanted}"))
        order = record.values.get("order")
        if order is not None and order != position + 1:
            problems.append(record.problem("layers.csv", "order", f"must be {position + 1}, the row's position"))
    for missing in LAYERS[len(records):]:
        problems.append(Problem("layers.csv", None, None, "layer_id", missing, f"no row for this layer: {wanted}"))
    return problems


def check_thickness_complete(data: DataSet) -> list[Problem]:
    """Every region of regions.json has a thickness row for each of the five layers."""
    if data.records("regions") is None or data.records("thickness") is None:
        return []
    present: dict[str, dict[str, int]] = {}
    for record in data.records("thickness"):
        region, layer = record.values.get("region_id"), record.values.get("layer_id")
        if region is not None and layer is not None:
            present.setdefault(region, {}).setdefault(layer, record.line)
    problems = []
    for region in data.ids("regions"):
        rows = present.get(region, {})
        lines = sorted(rows.values())
        where = f"its rows are on lines {_known([str(n) for n in lines])}" if lines else "it has no rows"
        for layer in LAYERS:
            if layer not in rows:
                problems.append(Problem("thickness.csv", None, f"region {region}", "layer_id", layer,
                                        f"no row for this layer ({where}): every region of regions.json "
                                        f"needs one row for each layer: {', '.join(LAYERS)}"))
    return problems


# ----------------------------------------------------------------------------------------------------
# The checks: nerves, muscles, danger zones, ligaments


def _places(name: str, record: Record) -> Iterator[tuple[tuple, Any]]:
    """Every place named in a nerve-data or technique item, with its path.

    A waypoint's landmark or point_mm, an outline vertex, a circle's centre, a technique's plane outline vertices,
    incision path points and port positions (each a landmark_id string or an [x, y, z] list).
    """
    values = record.values
    if name == "techniques":
        for index, plane in enumerate(values.get("planes", [])):
            for vertex, place in enumerate(plane.get("outline", [])):
                yield ("planes", index, "outline", vertex), place
            for zi, zone in enumerate(plane.get("zones", [])):
                for vertex, place in enumerate(zone.get("outline", [])):
                    yield ("planes", index, "zones", zi, "outline", vertex), place
        for index, incision in enumerate(values.get("incisions", [])):
            for point, place in enumerate(incision.get("path", [])):
                yield ("incisions", index, "path", point), place
        for index, port in enumerate(values.get("ports", [])):
            if "at" in port:
                yield ("ports", index, "at"), port["at"]
        return
    if name == "nerves":
        for index, waypoint in enumerate(values.get("waypoints", [])):
            for key in ("landmark", "point_mm"):
                if key in waypoint:
                    yield ("waypoints", index, key), waypoint[key]
    if "outline" in values:
        for index, vertex in enumerate(values["outline"]):
            yield ("outline", index), vertex
    if "circle" in values:
        yield ("circle", "centre"), values["circle"]["centre"]
    if isinstance(values.get("numb_area"), Mapping) and "centre" in values["numb_area"]:
        yield ("numb_area", "centre"), values["numb_area"]["centre"]
    body = values.get("body") if name == "muscles" else None
    if isinstance(body, Mapping):
        for key in ("origin", "insertion"):
            if key in body:
                yield ("body", key), body[key]
        if isinstance(body.get("ring"), Mapping) and "centre" in body["ring"]:
            yield ("body", "ring", "centre"), body["ring"]["centre"]


def check_nerve_landmarks(data: DataSet) -> list[Problem]:
    """Every landmark the nerve data and the techniques name is a row of landmarks.csv.

    A waypoint's landmark, an outline vertex, circle centre, incision point or port given by id, and a ligament's
    landmark_id.
    """
    if data.records("landmarks") is None:
        return []  # landmarks.csv did not load: reported already
    known = data.ids("landmarks")
    allowed = f"must be a landmark_id of landmarks.csv: {_known(known)}"
    problems = []
    for name in ("nerves", "muscles", "danger_zones", "techniques", "palsies", "spaces"):
        for record in data.records(name) or []:
            for path, place in _places(name, record):
                if isinstance(place, str) and place not in known:
                    problems.append(record.problem_at(_SPECS[name].filename, path, allowed, place))
    for record in data.records("ligaments") or []:
        landmark = record.values.get("landmark_id")
        if landmark is not None and landmark not in known:
            problems.append(record.problem("ligaments.csv", "landmark_id", allowed))
    return problems


def check_waypoint_places(data: DataSet) -> list[Problem]:
    """Every waypoint gives exactly one place: a landmark or a point_mm, not both, not neither."""
    problems = []
    for record in data.records("nerves") or []:
        for index, waypoint in enumerate(record.values.get("waypoints", [])):
            given = [key for key in ("landmark", "point_mm") if key in waypoint]
            if len(given) == 2:
                problems.append(record.problem_at("nerves.json", ("waypoints", index),
                                                  "gives both landmark and point_mm: must give one of them"))
            elif not given:
                problems.append(record.problem_at("nerves.json", ("waypoints", index),
                                                  "gives no place: must give landmark (a landmark_id of "
                                                  "landmarks.csv) or point_mm ([x, y, z] in mm)"))
    return problems


def _numbers(value: Any, path: tuple) -> Iterator[tuple[tuple, float]]:
    """Every number inside a JSON value, with its path."""
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _numbers(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _numbers(item, path + (index,))


def check_finite_numbers(data: DataSet) -> list[Problem]:
    """Every number in the nerve data, the techniques and the quiz is finite.

    Python's JSON reader accepts NaN and Infinity; the model cannot use them (and NaN passes every bound).
    """
    return [problem for name in ("nerves", "muscles", "danger_zones", "techniques", "quiz", "palsies", "spaces")
            for problem in _finite_problems(name, data.records(name) or [])]


def _finite_problems(name: str, records: Sequence[Record]) -> list[Problem]:
    """A problem for every number in a JSON table's items that is NaN or infinite."""
    problems = []
    for record in records:
        for key, value in record.values.items():
            for path, number in _numbers(value, (key,)):
                if not math.isfinite(number):
                    problems.append(record.problem_at(_SPECS[name].filename, path, "must be a finite number", number))
    return problems


def check_left_side(data: DataSet) -> list[Problem]:
    """Positions in the nerve data and the techniques are given for the left side and mirrored.

    A waypoint's point_mm has x > 0; an outline vertex, circle centre, incision point or port x >= 0 (0 on the
    midline).
    """
    problems = []
    for name in ("nerves", "muscles", "danger_zones", "techniques", "palsies", "spaces"):
        for record in data.records(name) or []:
            for path, place in _places(name, record):
                if isinstance(place, str) or not math.isfinite(place[0]):
                    continue
                strict = path[0] == "waypoints"
                if place[0] < 0 or (strict and place[0] == 0):
                    must = "x > 0" if strict else "x >= 0 (0 on the midline)"
                    problems.append(record.problem_at(_SPECS[name].filename, path,
                                                      f"is on the right side: positions are given for the left side "
                                                      f"and mirrored, must have {must}", place))
    return problems


def check_parent_nerves(data: DataSet) -> list[Problem]:
    """Every nerve's parent is null or another nerve of nerves.json, and following parents never loops."""
    records = data.records("nerves") or []
    known = data.ids("nerves")
    parents = {r.values["nerve_id"]: r.values.get("parent") for r in records if "nerve_id" in r.values}
    problems = []
    for record in records:
        nerve, parent = record.values.get("nerve_id"), record.values.get("parent")
        if parent is None or nerve is None:
            continue  # a root, or a field that failed its schema (reported already)
        if parent not in known:
            problems.append(record.problem("nerves.json", "parent",
                                           f"must be null or a nerve_id of nerves.json: {_known(known)}"))
            continue
        chain, step = [nerve], parent
        while step is not None and step not in chain and step in parents:
            chain.append(step)
            step = parents[step]
        if step == nerve:  # a nerve below a loop is not reported: the loop's members are
            loop = " -> ".join(chain + [step])
            problems.append(record.problem("nerves.json", "parent",
                                           f"makes a loop ({loop}): a nerve cannot descend from itself"))
    return problems


def check_nerve_groups(data: DataSet) -> list[Problem]:
    """Every muscle's and danger zone's nerve_group is a group of nerves.json.

    A muscle may also name an undrawn group (trigeminal_v3, the masticatory muscles' nerve).
    """
    if data.records("nerves") is None:
        return []  # nerves.json did not load: reported already
    groups = list(dict.fromkeys(r.values["group"] for r in data.records("nerves") if "group" in r.values))
    problems = []
    for name, known in (("muscles", groups + list(UNDRAWN_NERVE_GROUPS)), ("danger_zones", groups),
                        ("palsies", groups)):
        where = "a group of nerves.json" + (f" or {', '.join(UNDRAWN_NERVE_GROUPS)} (not drawn)"
                                            if name == "muscles" else "")
        for record in data.records(name) or []:
            group = record.values.get("nerve_group")
            if group is not None and group not in known:
                problems.append(record.problem(_SPECS[name].filename, "nerve_group",
                                               f"must be {where}: {_known(known)}"))
    return problems


def check_injury_ranges(data: DataSet) -> list[Problem]:
    """injury.csv: low is not above high; palsies.json: a sensory palsy gives its numb_area, a motor one none."""
    problems = []
    for record in data.records("injury") or []:
        low, high = record.values.get("low"), record.values.get("high")
        if low is not None and high is not None and low > high:
            problems.append(record.problem("injury.csv", "high", f"must not be below low ({_fmt(low)})"))
    for record in data.records("palsies") or []:
        kind, area = record.values.get("kind"), "numb_area" in record.values
        if kind == "sensory" and not area:
            problems.append(record.problem_at("palsies.json", ("kind",), "a sensory palsy must give its numb_area "
                                              "(centre and radius_mm)", kind))
        elif kind == "motor" and area:
            problems.append(record.problem_at("palsies.json", ("numb_area",), "a motor palsy has no numb_area: "
                                              "its deficit is the muscles that stop", "numb_area"))
    return problems


def check_muscle_bodies(data: DataSet) -> list[Problem]:
    """A muscle's body makes sense: its nerve groups and shares, a ring's half-axes, origin and insertion.

    Each accessory nerve group is a group of nerves.json other than its main one, the shares leave the main
    group at least half; a ring's inner half-axes are smaller than its outer ones; origin and insertion are
    different places.
    """
    records = data.records("muscles")
    if records is None or data.records("nerves") is None:
        return []  # reported already
    groups = list(dict.fromkeys(r.values["group"] for r in data.records("nerves") if "group" in r.values))
    problems = []
    for record in records:
        values = record.values
        accessory = values.get("accessory_nerve_groups", [])
        for index, entry in enumerate(accessory):
            group = entry.get("group")
            if group not in groups or group == values.get("nerve_group"):
                problems.append(record.problem_at(
                    "muscles.json", ("accessory_nerve_groups", index, "group"),
                    f"must be a group of nerves.json other than the main nerve_group "
                    f"({values.get('nerve_group')}): {_known(groups)}", group))
        if sum(float(e.get("share", 0)) for e in accessory) > 0.5:
            problems.append(record.problem_at("muscles.json", ("accessory_nerve_groups",),
                                              "shares add up to more than 0.5: the main nerve_group must keep "
                                              "at least half of the supply", accessory))
        body = values.get("body", {})
        ring = body.get("ring")
        if isinstance(ring, Mapping) and all(k in ring for k in ("inner_mm", "outer_mm")):
            if any(i >= o for i, o in zip(ring["inner_mm"], ring["outer_mm"])):
                problems.append(record.problem_at("muscles.json", ("body", "ring", "inner_mm"),
                                                  f"must be smaller than outer_mm {ring['outer_mm']} on both axes",
                                                  ring["inner_mm"]))
        if "origin" in body and body.get("origin") == body.get("insertion"):
            problems.append(record.problem_at("muscles.json", ("body", "insertion"),
                                              "is the same place as the origin: a muscle needs two ends",
                                              body["insertion"]))
    return problems


def check_zone_shapes(data: DataSet) -> list[Problem]:
    """Every danger zone is a circle or an outline (not both, not neither), and no zone number repeats."""
    problems = []
    first_line: dict[int, int] = {}
    for record in data.records("danger_zones") or []:
        shapes = [key for key in ("circle", "outline") if key in record.raw]
        if len(shapes) == 2:
            problems.append(record.problem_at("danger_zones.json", ("outline",),
                                              "the zone has both circle and outline: must have one of them"))
        elif not shapes:
            problems.append(Problem("danger_zones.json", record.line, record.label, None, None,
                                    "the zone has no shape: must have circle {centre, radius_mm} or outline "
                                    "(a list of at least 3 places)"))
        number = record.values.get("number")
        if number in first_line:
            problems.append(record.problem("danger_zones.json", "number",
                                           f"must be unique: zone {number} is already on line {first_line[number]}"))
        elif number is not None:
            first_line[number] = record.line_of("number")
    return problems


# ----------------------------------------------------------------------------------------------------
# The checks: techniques


def check_technique_part_ids(data: DataSet) -> list[Problem]:
    """Within a technique, no two planes share a plane_id, no two incisions an incision_id and no two ports a port_id."""
    problems = []
    for record in data.records("techniques") or []:
        for key, id_key in _TECHNIQUE_PARTS.items():
            first_line: dict[str, tuple[int, int]] = {}
            for index, part in enumerate(record.values.get(key, [])):
                name = part.get(id_key)
                path = (key, index, id_key)
                if name in first_line:
                    problems.append(record.problem_at(
                        "techniques.json", path,
                        f"must be unique within the technique: {key}[{first_line[name][0]}] on line "
                        f"{first_line[name][1]} already has this {id_key}", name))
                elif name is not None:
                    first_line[name] = (index, record.line_at(path))
    return problems


def check_muscles_divided(data: DataSet) -> list[Problem]:
    """Every muscle a technique divides (muscles_divided) is a muscle of muscles.json."""
    if data.records("muscles") is None:
        return []  # muscles.json did not load: reported already
    known = data.ids("muscles")
    problems = []
    for record in data.records("techniques") or []:
        for index, muscle in enumerate(record.values.get("muscles_divided", [])):
            if muscle not in known:
                problems.append(record.problem_at("techniques.json", ("muscles_divided", index),
                                                  f"must be a muscle_id of muscles.json: {_known(known)}", muscle))
    return problems


def _landmark_positions(data: DataSet) -> dict[str, tuple[float, float, float]]:
    """Positions of the landmarks of landmarks.csv (left side), by id.

    Rows without all three coordinates, and rows on the wrong side (reported by check_landmark_sides), are kept out,
    so that one bad landmark gives one problem rather than a cascade through every outline that names it.
    """
    positions = {}
    for record in data.records("landmarks") or []:
        values = record.values
        if not all(k in values for k in ("landmark_id", "x_mm", "y_mm", "z_mm")):
            continue
        side, x = values.get("side"), values["x_mm"]
        if (side == "midline" and x != 0) or (side == "bilateral" and x <= 0):
            continue
        positions[values["landmark_id"]] = (values["x_mm"], values["y_mm"], values["z_mm"])
    return positions


def _resolve(place: Any, landmarks: Mapping[str, tuple]) -> tuple[float, float, float] | None:
    """A place (landmark id or [x, y, z]) as a finite position, or None (unknown landmark, bad numbers.

    Reported by their own checks).
    """
    point = landmarks.get(place) if isinstance(place, str) else place
    if point is None or len(point) != 3 or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in point):
        return None
    return float(point[0]), float(point[1]), float(point[2])


def azimuth_deg(point: Sequence[float]) -> float:
    """Azimuth of a place about the head's vertical axis, degrees.

    ``atan2(x, y - HEAD_AXIS_Y_MM)``; 0 straight ahead, +90 over the left ear, 180 at the back of the head.
    """
    return math.degrees(math.atan2(point[0], point[1] - HEAD_AXIS_Y_MM))


def _shown_place(place: Any, point: tuple[float, float, float]) -> str:
    """A place for a message: a landmark with its position, a point as written."""
    if isinstance(place, str):
        return f"{place} ({_fmt(point[0])}, {_fmt(point[1])}, {_fmt(point[2])})"
    return _show(place)


def check_outlines_on_face(data: DataSet) -> list[Problem]:
    """Every vertex of a technique's plane outline lies on the face.

    Its azimuth about the head's axis, atan2(x, y + 5), within +-110 degrees of the midline, and its height z within
    -130..130 mm.
    """
    landmarks = _landmark_positions(data)
    low, high = FACE_Z_MM
    problems = []
    for record in data.records("techniques") or []:
        for index, plane in enumerate(record.values.get("planes", [])):
            for vertex, place in enumerate(plane.get("outline", [])):
                point = _resolve(place, landmarks)
                if point is None:
                    continue
                azimuth = azimuth_deg(point)
                reasons = []
                if abs(azimuth) > FACE_AZIMUTH_DEG:
                    reasons.append(f"its azimuth atan2(x, y + {_fmt(-HEAD_AXIS_Y_MM)}) is {azimuth:.1f} degrees, "
                                   f"must lie within +-{_fmt(FACE_AZIMUTH_DEG)} degrees of the midline")
                if not low <= point[2] <= high:
                    reasons.append(f"its z is {_fmt(point[2])} mm, must lie within {_fmt(low)}..{_fmt(high)} mm")
                if reasons:
                    problems.append(Problem(
                        "techniques.json", record.line_at(("planes", index, "outline", vertex)), record.label,
                        _path_text(("planes", index, "outline", vertex)), _shown_place(place, point),
                        "leaves the face: " + "; ".join(reasons)))
    return problems


def check_outlines_simple(data: DataSet) -> list[Problem]:
    """Every plane outline of a technique is a simple polygon as seen on the face.

    No two of its edges cross or touch in the (azimuth, z) plane (azimuth = atan2(x, y + 5) in degrees, z in mm).
    """
    landmarks = _landmark_positions(data)
    problems = []
    for record in data.records("techniques") or []:
        for index, plane in enumerate(record.values.get("planes", [])):
            outline = plane.get("outline", [])
            points = [_resolve(place, landmarks) for place in outline]
            if not outline or any(point is None for point in points):
                continue  # an unknown landmark or a bad number: reported by its own check
            flat = [(azimuth_deg(point), point[2]) for point in points]
            n = len(flat)
            for i, j in self_intersections(flat):
                edges = f"outline[{i}]-outline[{(i + 1) % n}] and outline[{j}]-outline[{(j + 1) % n}]"
                problems.append(Problem(
                    "techniques.json", record.line_at(("planes", index, "outline", i)), record.label,
                    _path_text(("planes", index, "outline")), f"edges {edges}",
                    "cross: the outline must be a simple polygon as seen on the face (no two edges may cross "
                    "or touch in azimuth atan2(x, y + 5) and z); reorder its vertices"))
    return problems


def check_incisions_and_ports_on_skin(data: DataSet) -> list[Problem]:
    """Every point of an incision's path and every port lies on the model's skin.

    Z within -130..130 mm, and not on the head's vertical axis (x = 0, y = -5) between the fans (-50 < z < 30),
    where a place picks no skin ray.
    """
    landmarks = _landmark_positions(data)
    low, high = FACE_Z_MM
    problems = []
    for record in data.records("techniques") or []:
        for path, place in _places("techniques", record):
            if path[0] == "planes":
                continue
            point = _resolve(place, landmarks)
            if point is None:
                continue
            what = "a port" if path[0] == "ports" else "an incision point"
            reason = None
            if not low <= point[2] <= high:
                reason = f"its z is {_fmt(point[2])} mm, must lie within {_fmt(low)}..{_fmt(high)} mm"
            elif math.hypot(point[0], point[1] - HEAD_AXIS_Y_MM) < 1e-6 and -50.0 < point[2] < 30.0:
                reason = (f"it lies on the head's vertical axis (x = 0, y = {_fmt(HEAD_AXIS_Y_MM)}), which "
                          "picks no direction: give a place on the skin")
            if reason:
                problems.append(Problem("techniques.json", record.line_at(path), record.label, _path_text(path),
                                        _shown_place(place, point), f"is off the skin: {what} must lie on the "
                                        f"skin of the model; {reason}"))
    return problems


# ----------------------------------------------------------------------------------------------------
# The checks: storyboards


def check_storyboards_parse(data: DataSet) -> list[Problem]:
    """Every file of storyboards/ is named <storyboard_id>.yaml, is UTF-8 and is valid YAML.

    No syntax error, no key given twice, every key text.
    """
    return list(data.storyboard_documents.problems)


def check_storyboard_schemas(data: DataSet) -> list[Problem]:
    """Every storyboard satisfies storyboards.schema.json.

    The fields title, technique, summary, sources and steps and no others; 6 to 10 steps, each with a title, a
    caption, the nerves at risk and a view.
    """
    return list(data.storyboards.problems)


def _step_views(record: Record) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """``(index, view)`` of every step of a storyboard whose view survived its schema."""
    for index, step in enumerate(record.values.get("steps") or []):
        if isinstance(step, Mapping) and isinstance(step.get("view"), Mapping):
            yield index, step["view"]


@dataclass(frozen=True)
class ViewIds:
    """The ids a view may name, from one data folder (None: that table did not load, so it is not judged).

    Attributes
    ----------
    techniques : tuple of str or None
        technique_ids of techniques.json.
    ports : Mapping of str to tuple of (str, str)
        By technique_id: its ports' (port_id, label) pairs, in file order (a view's ``scope_port`` names the
        label).
    nerves, groups, muscles : tuple of str or None
        nerve_ids and branch groups of nerves.json, muscle_ids of muscles.json.
    """

    techniques: tuple[str, ...] | None
    ports: Mapping[str, tuple[tuple[str, str], ...]]
    nerves: tuple[str, ...] | None
    groups: tuple[str, ...] | None
    muscles: tuple[str, ...] | None


def view_ids(data: DataSet) -> ViewIds:
    """The ids a view may name in the data folder ``data`` (see :class:`ViewIds`)."""
    techniques = data.records("techniques")
    nerves = data.records("nerves")
    ports = {r.values["technique_id"]: tuple((p.get("port_id"), p.get("label")) for p in r.values.get("ports", [])
                                             if isinstance(p, Mapping))
             for r in techniques or [] if "technique_id" in r.values and isinstance(r.values.get("ports"), list)}
    return ViewIds(
        techniques=tuple(data.ids("techniques")) if techniques is not None else None,
        ports=ports,
        nerves=tuple(data.ids("nerves")) if nerves is not None else None,
        groups=tuple(dict.fromkeys(r.values["group"] for r in nerves if "group" in r.values))
        if nerves is not None else None,
        muscles=tuple(data.ids("muscles")) if data.records("muscles") is not None else None,
    )


@cache
def package_view_ids() -> ViewIds:
    """:func:`view_ids` of the package's own data folder, read once."""
    return view_ids(DataSet(package_data_dir()))


def view_reference_problems(view: Mapping[str, Any], ids: ViewIds,
                            technique: str | None = None) -> list[tuple[str, Any, str]]:
    """What a view names that the data do not hold: ``(key, value, allowed)`` for each.

    Parameters
    ----------
    view : Mapping
        A view's fields (a saved view, a storyboard step's view); only ``technique``, ``pick`` and
        ``scope_port`` are judged here (the other fields are ViewState's).
    ids : ViewIds
    technique : str, optional
        The technique when the view names none (a storyboard's own).

    Returns
    -------
    list of (str, Any, str)
        The key at fault, its value and what is allowed (naming the ids that are).
    """
    problems = []
    named = view.get("technique")
    if isinstance(named, str) and ids.techniques is not None and named not in ids.techniques:
        problems.append(("technique", named, f"must be a technique_id of techniques.json: {_known(ids.techniques)}"))
    pick = view.get("pick")
    if isinstance(pick, str):
        kind, _, name = pick.partition(":")
        known = {"nerve": (ids.nerves, "a nerve_id of nerves.json"), "group": (ids.groups, "a group of nerves.json"),
                 "muscle": (ids.muscles, "a muscle_id of muscles.json")}.get(kind)
        if known is not None and known[0] is not None and name not in known[0]:
            problems.append(("pick", pick, f"must name {known[1]} after '{kind}:': {_known(known[0])}"))
    port = view.get("scope_port")
    technique_id = named if isinstance(named, str) else technique
    ports = ids.ports.get(technique_id) if isinstance(technique_id, str) else None
    if isinstance(port, str) and ports is not None:
        labels = [label for _, label in ports]
        by_id = dict(ports)
        if not ports:
            problems.append(("scope_port", port, f"the technique {technique_id} has no ports (an open approach): "
                                                 "leave scope_port out"))
        elif port not in labels:
            hint = f"; {port!r} is the port_id, scope_port takes its label {by_id[port]!r}" if port in by_id else ""
            problems.append(("scope_port", port, f"must be the label of a port of {technique_id}: "
                                                 f"{_known(labels)}{hint}"))
    return problems


def check_storyboard_references(data: DataSet) -> list[Problem]:
    """A storyboard names what the data hold.

    Its technique and compare_with (technique_ids of techniques.json), its sources (source_ids of sources.csv), each
    step's nerves at risk (nerve_ids of nerves.json) and, in each step's view, the technique, the pick (a nerve, a
    branch group of nerves.json or a muscle) and scope_port (the label of a port of the step's technique).
    """
    tables = {name: data.records(name) for name in ("techniques", "sources", "nerves")}
    known = {
        "techniques": (data.ids("techniques") if tables["techniques"] is not None else None,
                       "a technique_id of techniques.json"),
        "sources": (data.ids("sources") if tables["sources"] is not None else None, "a source_id of sources.csv"),
        "nerves": (data.ids("nerves") if tables["nerves"] is not None else None, "a nerve_id of nerves.json"),
    }
    ids = view_ids(data)
    problems = []
    for storyboard_id, record in data.storyboards.values.items():
        filename = storyboard_filename(storyboard_id)

        def refer(path: tuple, value: Any, table: str) -> None:
            ids, what = known[table]
            if ids is not None and isinstance(value, str) and value not in ids:
                problems.append(record.problem_at(filename, path, f"must be {what}: {_known(ids)}", value))

        for key in ("technique", "compare_with"):
            refer((key,), record.values.get(key), "techniques")
        for index, source in enumerate(record.values.get("sources") or []):
            if isinstance(source, Mapping):
                refer(("sources", index, "source_id"), source.get("source_id"), "sources")
        for index, step in enumerate(record.values.get("steps") or []):
            if isinstance(step, Mapping):
                for j, nerve in enumerate(step.get("nerves_at_risk") or []):
                    refer(("steps", index, "nerves_at_risk", j), nerve, "nerves")
        technique = record.values.get("technique")
        for index, view in _step_views(record):
            if known["nerves"][0] is None and "pick" in view:  # as before: picks are judged once nerves.json loads
                view = {k: v for k, v in view.items() if k != "pick"}
            for key, value, allowed in view_reference_problems(view, ids, technique if isinstance(technique, str)
                                                               else None):
                problems.append(record.problem_at(filename, ("steps", index, "view", key), allowed, value))
    return problems


# ----------------------------------------------------------------------------------------------------
# The checks: the quiz

#: The fields of each kind of question (besides question_id, kind, prompt, answer, explanation, source_id and
#: locator, which every question has: the schema requires them).
QUIZ_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "click": (("side", "full_marks_mm", "zero_marks_mm"), ("camera",)),
    "choice": (("options",), ()),
}
#: Where on a nerve a click answer may lie: the arch crossing, the shallowest sample, or waypoint ``k``.
QUIZ_WHERE: tuple[str, ...] = ("arch_crossing", "shallowest", "waypoint:<index>")
_QUIZ_COMMON = ("question_id", "kind", "prompt", "answer", "explanation", "source_id", "locator")


def quiz_answer_problems(records: Sequence[Record], landmarks: Sequence[str] | None,
                         waypoints: Mapping[str, int] | None, filename: str = "quiz.json") -> list[Problem]:
    """What the schema cannot say about the quiz's questions (after it: fields at fault are left out).

    Each kind has its own fields (a click question its side and distances, a choice question its options); a
    click answer gives exactly one of landmark, nerve (with where) and point_mm, names a landmark or nerve the
    data hold (and a waypoint the nerve has), lies on the left (x >= 0); full_marks_mm < zero_marks_mm; a
    choice answer is the index of one of the options.

    Parameters
    ----------
    records : sequence of Record
        The questions (quiz.json's ``questions``), as :class:`DataSet` checks them.
    landmarks : sequence of str or None
        landmark_ids of landmarks.csv (None: not judged).
    waypoints : Mapping of str to int or None, or None
        Number of waypoints by nerve_id of nerves.json (None: not judged; a nerve's None: its indices not judged).
    filename : str
        How problems name the file.

    Returns
    -------
    list of InputError
    """
    problems = []
    for record in records:
        values = record.values
        kind = values.get("kind")
        if kind not in QUIZ_FIELDS:
            continue  # missing or refused by the schema
        required, optional = QUIZ_FIELDS[kind]
        own = set(_QUIZ_COMMON) | set(required) | set(optional)
        for key in required:
            if key not in record.raw:
                problems.append(Problem(filename, record.line, record.label, key, None,
                                        f"is missing: a {kind} question needs {', '.join(required)}"))
        for key in record.raw:
            if key not in own:
                problems.append(record.problem_at(filename, (key,), f"is not a field of a {kind} question; "
                                                  f"allowed: {', '.join(sorted(own))}", values.get(key, "")))
        answer = values.get("answer")
        if kind == "choice":
            options = values.get("options")
            if answer is not None and not isinstance(answer, int):
                problems.append(record.problem_at(filename, ("answer",), "must be the index (0-based) of the right "
                                                  "option", answer))
            elif isinstance(answer, int) and isinstance(options, list) and not answer < len(options):
                problems.append(record.problem_at(filename, ("answer",), f"index out of range: allowed 0 to "
                                                  f"{len(options) - 1} ({len(options)} options)", answer))
            continue
        full, zero = values.get("full_marks_mm"), values.get("zero_marks_mm")
        if isinstance(full, (int, float)) and isinstance(zero, (int, float)) and full >= zero:
            problems.append(record.problem_at(filename, ("full_marks_mm",), f"must be less than zero_marks_mm "
                                              f"({_fmt(zero)})", full))
        if answer is None:
            continue
        if not isinstance(answer, dict):
            problems.append(record.problem_at(filename, ("answer",), 'must be an object: {"landmark": id}, '
                                              '{"nerve": id, "where": ...} or {"point_mm": [x, y, z]}', answer))
            continue
        given = [key for key in ("landmark", "nerve", "point_mm") if key in answer]
        if len(given) != 1:
            problems.append(record.problem_at(filename, ("answer",), "must give exactly one of landmark, nerve "
                                              "(with where) and point_mm", answer))
            continue
        if given[0] != "nerve" and "where" in answer:
            problems.append(record.problem_at(filename, ("answer", "where"), "goes with a nerve only",
                                              answer["where"]))
        if given[0] == "landmark" and landmarks is not None and answer["landmark"] not in landmarks:
            problems.append(record.problem_at(filename, ("answer", "landmark"), f"must be a landmark_id of "
                                              f"landmarks.csv: {_known(landmarks)}", answer["landmark"]))
        elif given[0] == "point_mm" and answer["point_mm"][0] < 0:
            problems.append(record.problem_at(filename, ("answer", "point_mm"), "must be on the left side "
                                              "(x >= 0); side = right or either mirrors it", answer["point_mm"]))
        elif given[0] == "nerve":
            nerve, where = answer["nerve"], answer.get("where")
            if waypoints is not None and nerve not in waypoints:
                problems.append(record.problem_at(filename, ("answer", "nerve"), f"must be a nerve_id of "
                                                  f"nerves.json: {_known(list(waypoints))}", nerve))
            if where is None:
                problems.append(Problem(filename, record.line_at(("answer",)), record.label, "answer.where", None,
                                        f"is missing: a nerve answer needs where: {', '.join(QUIZ_WHERE)}"))
            elif where.startswith("waypoint:") and waypoints is not None and waypoints.get(nerve) is not None \
                    and int(where.partition(":")[2]) >= waypoints[nerve]:
                problems.append(record.problem_at(filename, ("answer", "where"), f"waypoint index out of range: "
                                                  f"nerve {nerve} has waypoints 0 to {waypoints[nerve] - 1}", where))
    return problems


def quiz_problems(parsed: Document, sources: Sequence[str] | None, landmarks: Sequence[str] | None,
                  waypoints: Mapping[str, int] | None) -> tuple[list[Record], list[Problem]]:
    """Every problem of a quiz document.

    Its schema, repeated ids, sources, answers (see :func:`quiz_answer_problems`); used by
    :func:`facelayers.teaching.quiz.load_quiz` for a quiz file of any name.

    Parameters
    ----------
    parsed : Document
        The quiz file (:func:`facelayers.core.documents.parse_json`).
    sources, landmarks : sequence of str or None
        The ids the data hold (None: not judged).
    waypoints : Mapping of str to int, or None
        Number of waypoints by nerve_id.

    Returns
    -------
    records : list of Record
        The questions (only meaningful when there are no problems).
    problems : list of InputError
        In reading order.
    """
    spec = _SPECS["quiz"]
    records, problems = _check_json_document(spec, parsed, _type_json(spec, parsed))
    problems = list(dict.fromkeys(problems))
    if records is not None:
        problems += _unique_problems(spec, records)
        if sources is not None:
            problems += _source_problems("quiz", records, sources)
        problems += _finite_problems("quiz", records)
        problems += quiz_answer_problems(records, landmarks, waypoints)
    problems = [InputError(parsed.filename, p.line, p.row, p.field, p.value, p.allowed) for p in problems]
    return records or [], sorted(problems, key=lambda p: p.line if p.line is not None else 1 << 30)


def check_quiz(data: DataSet) -> list[Problem]:
    """Every question of quiz.json has the fields of its kind, and its answer names what the data hold.

    A click answer names a landmark, a nerve (and a waypoint it has) or a point on the left; full marks come before
    zero marks; a choice answer is the index of an option (the schema, unique question_ids and the sources are
    checked with the others).
    """
    records = data.records("quiz")
    if records is None:
        return []
    landmarks = data.ids("landmarks") if data.records("landmarks") is not None else None
    nerves = data.records("nerves")
    # a nerve whose waypoints failed their schema (reported already) has None: its waypoint indices are not judged
    waypoints = ({r.values["nerve_id"]: len(r.values["waypoints"]) if "waypoints" in r.values else None
                  for r in nerves if "nerve_id" in r.values} if nerves is not None else None)
    return quiz_answer_problems(records, landmarks, waypoints)


def check_spaces(data: DataSet) -> list[Problem]:
    """Layer 4's spaces (spaces.json): exactly one background item, without an outline; every other has one.

    The background item has no outline because it is the thickness everywhere else.
    """
    records = data.records("spaces")
    if records is None:
        return []
    problems = []
    background = [r for r in records if r.values.get("kind") == "background"]
    for record in records:
        kind, has_outline = record.values.get("kind"), "outline" in record.values
        if kind == "background" and has_outline:
            problems.append(record.problem_at("spaces.json", ("outline",), "must be absent for the background "
                                              "(its thickness holds everywhere outside the spaces)",
                                              record.values["outline"]))
        elif kind is not None and kind != "background" and not has_outline and "outline" not in record.raw:
            problems.append(record.problem_at("spaces.json", ("outline",), "must be given: the space as a simple "
                                              "polygon seen on the face, at least 3 places (landmark_id or [x, y, z])"))
    if len(background) != 1 and records:
        first = (background[1] if len(background) > 1 else records[0])
        problems.append(first.problem_at("spaces.json", ("kind",), f"{len(background)} items of kind background: "
                                         "must be exactly one (the loose areolar plane's thickness outside every "
                                         "space)", first.values.get("kind")))
    return problems


#: Every check, in the order it runs (BrainGlobe's ``get_all_validation_functions``).
def check_variation_rows(data: DataSet) -> list[Problem]:
    """variation.csv (facelayers.model.patient): regions, forms, knots and coefficients make sense.

    Each region_id is 'all' or a region of regions.json; the form suits the variable (sex takes male,
    male_relative, pooled_male; age and bmi the others); a knots form has knots with x increasing (relative
    knots > 0), any other form a coefficient; male_relative > -1.
    """
    problems = []
    regions = data.ids("regions") if data.records("regions") is not None else None
    sex_forms = ("male", "male_relative", "pooled_male")
    for record in data.records("variation") or []:
        values, file = record.values, _SPECS["variation"].filename
        region = values.get("region_id")
        if regions is not None and region is not None and region != "all" and region not in regions:
            problems.append(record.problem(file, "region_id", f"must be 'all' or a region_id of regions.json: "
                                                              f"{_known(regions)}"))
        form, variable = values.get("form"), values.get("variable")
        if form is None or variable is None:
            continue  # reported by the schema
        if (variable == "sex") != (form in sex_forms):
            forms = sex_forms if variable == "sex" else ("slope", "slope_relative", "knots", "knots_relative")
            problems.append(record.problem(file, "form", f"variable {variable} takes the forms {', '.join(forms)}"))
        if form.startswith("knots"):
            if "knots" not in values:
                problems.append(record.problem(file, "knots", f"required for form {form}"))
                continue
            knots = [tuple(map(float, pair.split(":"))) for pair in values["knots"].split(";")]
            if any(b[0] <= a[0] for a, b in itertools.pairwise(knots)):
                problems.append(record.problem(file, "knots", "the x of the knots must increase"))
            if form == "knots_relative" and any(y <= 0 for _, y in knots):
                problems.append(record.problem(file, "knots", "relative knots must be > 0"))
        elif "coefficient" not in values:
            problems.append(record.problem(file, "coefficient", f"required for form {form}"))
        elif form == "male_relative" and values["coefficient"] <= -1:
            problems.append(record.problem(file, "coefficient", "must be > -1 for male_relative"))
    return problems


CHECKS: tuple[Check, ...] = (
    check_data_dir,
    check_files_readable,
    check_csv_parses,
    check_json_parses,
    check_cell_types,
    check_schemas,
    check_unique_ids,
    check_source_references,
    check_region_and_layer_references,
    check_anchor_references,
    check_min_not_above_max,
    check_thickness_within_range,
    check_provenance,
    check_landmark_sides,
    check_layer_order,
    check_thickness_complete,
    check_nerve_landmarks,
    check_waypoint_places,
    check_finite_numbers,
    check_left_side,
    check_parent_nerves,
    check_nerve_groups,
    check_muscle_bodies,
    check_injury_ranges,
    check_zone_shapes,
    check_technique_part_ids,
    check_muscles_divided,
    check_outlines_on_face,
    check_outlines_simple,
    check_incisions_and_ports_on_skin,
    check_quiz,
    check_spaces,
    check_storyboards_parse,
    check_storyboard_schemas,
    check_storyboard_references,
    check_variation_rows,
)


# ----------------------------------------------------------------------------------------------------
# Entry points


def read_tables(path: str | Path, checks: Sequence[Check] = CHECKS) -> tuple[dict[str, list[Record]], list[Problem]]:
    """Read a data folder through the checks.

    Parameters
    ----------
    path : str or Path
        The data folder.
    checks : sequence of callables, optional
        The checks to run (default :data:`CHECKS`).

    Returns
    -------
    tables : dict of str to list of Record
        Checked records by table name (``"thickness"``), for the files that could be read and parsed,
        and ``"storyboards"``: one record per storyboard file (its ``label`` is ``"storyboard <id>"``).
        Only meaningful when ``problems`` is empty.
    problems : list of Problem
        Every problem found, by file and line (in check order within a line); empty for valid data.
    """
    data = DataSet(path)
    problems = [problem for check in checks for problem in check(data)]
    tables = dict(data.checked.values)
    tables["storyboards"] = list(data.storyboards.values.values())
    return tables, sorted(problems, key=_reading_order)


def _reading_order(problem: Problem) -> tuple[int, str, int]:
    """Sort key.

    File (the folder first, then :data:`TABLES` order, then the storyboards by name), then line (problems without a
    line last).
    """
    files = [spec.filename for spec in TABLES]
    if problem.file in files:
        rank = files.index(problem.file) + 1
    elif problem.file.startswith(f"{STORYBOARD_DIR}/") or problem.file == STORYBOARD_DIR:
        rank = len(files) + 1
    else:
        rank = 0
    return rank, problem.file, problem.line if problem.line is not None else 1 << 30


def validate_data_dir(path: str | Path) -> list[Problem]:
    """Every problem in a data folder; an empty list means it is valid.

    Never raises for bad content: a missing folder, a missing file or a malformed one is a
    :class:`Problem` like any other.

    Parameters
    ----------
    path : str or Path
        The data folder (``data/`` or a copy of it).

    Returns
    -------
    list of Problem
    """
    return read_tables(path)[1]
