"""Checks of the cited data tables in ``data/``: a list of small named checks.

After BrainGlobe's ``get_all_validation_functions``: each check is a function that takes a
:class:`DataSet` (one data folder, read lazily and once) and returns a list of :class:`Problem`.
:data:`CHECKS` lists them in the order they run; :func:`validate_data_dir` runs them all, the tests
and ``python -m facelayers validate`` use it, and :func:`read_tables` hands the loader
(:mod:`facelayers.anatomy`) the typed rows together with the problems.

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
:class:`facelayers.state.ViewState` itself, which sits above this module: that check is
:func:`facelayers.storyboard.check_storyboard_views`, run with these by ``python -m facelayers validate``.
"""

from __future__ import annotations

import bisect
import copy
import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from facelayers.frame import LAYERS

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
    "Problem",
    "Record",
    "TableSpec",
    "azimuth_deg",
    "package_data_dir",
    "read_tables",
    "schema_dir",
    "segments_intersect",
    "self_intersections",
    "storyboard_filename",
    "validate_data_dir",
]

#: Row statuses: measured (from the source), derived (computed from sourced numbers), schematic (no source).
STATUSES: tuple[str, ...] = ("measured", "derived", "schematic")

#: Nerve groups that muscles.json may name although nerves.json draws no nerve for them: the
#: masticatory muscles (masseter, temporalis) are supplied by the mandibular division of the
#: trigeminal nerve (V3), which runs deep to everything the model draws.
UNDRAWN_NERVE_GROUPS: tuple[str, ...] = ("trigeminal_v3",)

#: The head's vertical axis (x = 0, y = HEAD_AXIS_Y_MM), from which the model's rays leave: the same
#: axis as ``facelayers.geometry.Y_AXIS_MM`` (kept here so that validation stays numpy-free and below
#: geometry). A technique's places are seen by their azimuth about it, ``atan2(x, y - HEAD_AXIS_Y_MM)``.
HEAD_AXIS_Y_MM: float = -5.0

#: Where a technique's plane outline may lie ("on the face"): azimuth within +-FACE_AZIMUTH_DEG of the
#: midline (0 = anterior, 90 = over the ear) and height z within FACE_Z_MM (the model's face and neck).
FACE_AZIMUTH_DEG: float = 110.0
FACE_Z_MM: tuple[float, float] = (-130.0, 130.0)


# ----------------------------------------------------------------------------------------------------
# What a problem is


@dataclass(frozen=True)
class Problem:
    """One fault in the data, worded so that a reader can find and fix it.

    Attributes
    ----------
    file : str
        File name inside the data folder (``"thickness.csv"``), or the folder itself.
    line : int or None
        Line number in the file (the CSV header is line 1); None when the fault has no line.
    row : str or None
        The row's id, e.g. ``"region forehead, layer fat"``; ``"header"`` for the CSV header.
    field : str or None
        Column (CSV) or key (JSON) at fault.
    value : str or None
        The offending value as written in the file (``""`` for an empty cell).
    allowed : str
        What is wrong and what is allowed, e.g. ``"must be a number > 0"``.
    """

    file: str
    line: int | None
    row: str | None
    field: str | None
    value: str | None
    allowed: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.row:
            where += f" ({self.row})"
        parts = [where]
        if self.field is not None:
            parts.append(f"field '{self.field}'" + ("" if self.value is None else f" = '{self.value}'"))
        parts.append(self.allowed)
        return ": ".join(parts)


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
        """A :class:`Problem` about the value at ``path`` inside a JSON item, named by its path
        (``waypoints[2].layer``) on the line where it is written; ``value`` None shows no value."""
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
    inside = Path(__file__).resolve().parent / "data"
    return inside if inside.is_dir() else Path(__file__).resolve().parent.parent / "data"


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


def _show(value: Any) -> str:
    """A typed value as text: strings as they are, anything else as JSON (a YAML date as its text)."""
    return value if isinstance(value, str) else json.dumps(value, default=str)


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


def _read_text(path: Path) -> tuple[str | None, Problem | None]:
    """Text of one data file (UTF-8, a BOM is allowed), or the problem that stops reading it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, Problem(path.name, None, None, None, None,
                             f"missing: the data folder must hold {_known([s.filename for s in TABLES])}")
    except OSError as error:
        return None, Problem(path.name, None, None, None, None,
                             f"cannot be read ({error.strerror or error}): must be a readable file")
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n"), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, Problem(path.name, line, None, None, None,
                             f"byte 0x{data[error.start]:02x} is not UTF-8: must be UTF-8 text")


# ----------------------------------------------------------------------------------------------------
# Stage 2: syntax


def _parse_csv(spec: TableSpec, text: str) -> tuple[list[tuple[int, dict[str, str]]] | None, list[Problem]]:
    """Rows of a CSV file as ``(line, {column: cell})``, or None and the problems if it is malformed.

    Checks the header against the schema's columns (missing, unknown, repeated), the number of cells
    in every row, unclosed quotes, and cells that run over several lines (almost always an unclosed
    quote that closes somewhere below).
    """
    expected = expected_columns(spec)
    allowed = f"the columns are {', '.join(expected)}"
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            reason = "unclosed quote" if "unexpected end of data" in str(error) else str(error)
            problems.append(Problem(spec.filename, start, None, None, None,
                                    f"malformed CSV ({reason}): quote a cell that holds commas "
                                    f"and close the quote on the same line"))
            return None, problems
        if not cells:  # a blank line
            continue
        if reader.line_num > start:
            problems.append(Problem(spec.filename, start, None, None, None,
                                    f"malformed CSV: a quoted cell runs from line {start} to line "
                                    f"{reader.line_num} (unclosed quote?): a cell must not span lines"))
            continue
        if header is None:
            header = cells
            problems += _header_problems(spec.filename, header, expected, allowed)
            if problems:  # the rows are checked once the header is right, not against a wrong one
                return None, problems
            continue
        if len(cells) != len(header):
            label = _label(spec, dict(zip(header, cells)))
            problems.append(Problem(spec.filename, start, label, None, None,
                                    f"malformed CSV: {len(cells)} cells, must have {len(header)} "
                                    f"(one per column: {', '.join(header)})"))
            continue
        rows.append((start, dict(zip(header, cells))))
    if header is None:
        problems.append(Problem(spec.filename, 1, "header", None, None,
                                f"empty file: must start with a header line; {allowed}"))
    return (None if problems else rows), problems


def _header_problems(filename: str, header: list[str], expected: Sequence[str], allowed: str) -> list[Problem]:
    """Missing, unknown and repeated columns of a CSV header (line 1)."""
    problems = []
    for column in expected:
        if column not in header:
            problems.append(Problem(filename, 1, "header", column, None, f"missing column: {allowed}"))
    seen: set[str] = set()
    for column in header:
        if column not in expected:
            problems.append(Problem(filename, 1, "header", column, None, f"unknown column: {allowed}"))
        elif column in seen:
            problems.append(Problem(filename, 1, "header", column, None, f"repeated column: {allowed}"))
        seen.add(column)
    return problems


def _parse_json(spec: TableSpec, text: str) -> tuple[Any, list[Problem]]:
    """The JSON document, or None and the syntax problem (with its line and column)."""
    try:
        return json.loads(text), []
    except json.JSONDecodeError as error:
        return None, [Problem(spec.filename, error.lineno, None, None, None,
                              f"malformed JSON at column {error.colno} ({error.msg}): must be valid JSON")]


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


def _type_json(spec: TableSpec, document: Any, text: str) -> list[Record]:
    """Records for the items of a JSON file's list (JSON is typed already; the schema checks the rest).

    Each record knows the line of every value inside its item (:attr:`Record.lines`), so that a
    problem deep in a nerve's waypoints points at the line where the value is written.
    """
    items = document.get(spec.items) if isinstance(document, dict) else None
    if not isinstance(items, list):
        return []
    lines_of = _json_lines(text)
    records = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        path = (spec.items, index)
        lines = {where[2:]: line for where, line in lines_of.items() if where[:2] == path and len(where) > 2}
        raw = {key: _show(value) for key, value in item.items()}
        records.append(Record(lines_of.get(path, 1), _label(spec, item), dict(item), raw, lines))
    return records


def _json_lines(text: str) -> dict[tuple, int]:
    """Line (1-based) of every value in a valid JSON text, by its path of keys and list indices.

    One pass over the text (the json module keeps no positions): containers are walked here, scalars
    and keys skipped with ``raw_decode``. A repeated key keeps its first position, as :func:`_json_line`.
    """
    decoder = json.JSONDecoder()
    spaces = re.compile(r"[ \t\n\r]*")
    offsets: dict[tuple, int] = {}

    def skip(i: int) -> int:
        return spaces.match(text, i).end()

    def walk(i: int, path: tuple) -> int:
        i = skip(i)
        offsets.setdefault(path, i)
        if text[i] == "{":
            i = skip(i + 1)
            while text[i] != "}":
                key, i = decoder.raw_decode(text, i)
                i = walk(skip(i) + 1, path + (key,))  # past the colon
                i = skip(i)
                if text[i] == ",":
                    i = skip(i + 1)
            return i + 1
        if text[i] == "[":
            i, n = skip(i + 1), 0
            while text[i] != "]":
                i = skip(walk(i, path + (n,)))
                n += 1
                if text[i] == ",":
                    i = skip(i + 1)
            return i + 1
        return decoder.raw_decode(text, i)[1]

    try:
        walk(0, ())
    except (IndexError, ValueError):  # not valid JSON: the syntax check reports it
        return {}
    breaks = [i for i, char in enumerate(text) if char == "\n"]
    return {path: bisect.bisect_left(breaks, offset) + 1 for path, offset in offsets.items()}


def _json_line(text: str, path: Sequence[str | int]) -> int:
    """Line (1-based) of the value at ``path`` in a valid JSON text; 1 if it cannot be found."""
    offset = _json_offset(text, path)
    return text.count("\n", 0, offset) + 1 if offset is not None else 1


def _json_offset(text: str, path: Sequence[str | int]) -> int | None:
    """Character offset of the value at ``path`` (keys and list indices) in a valid JSON text.

    The json module keeps no positions; this walks the text with ``raw_decode`` to skip values.
    """
    decoder = json.JSONDecoder()
    spaces = re.compile(r"\s*")

    def skip(i: int) -> int:
        return spaces.match(text, i).end()

    i = skip(0)
    try:
        for step in path:
            opener, closer = ("{", "}") if isinstance(step, str) else ("[", "]")
            if text[i] != opener:
                return None
            i, n = skip(i + 1), 0
            while text[i] != closer:
                if isinstance(step, str):
                    key, i = decoder.raw_decode(text, i)
                    i = skip(skip(i) + 1)  # past the colon
                    if key == step:
                        break
                elif n == step:
                    break
                _, i = decoder.raw_decode(text, i)
                i, n = skip(i), n + 1
                if text[i] == ",":
                    i = skip(i + 1)
            else:
                return None
    except (IndexError, ValueError):
        return None
    return i


# ----------------------------------------------------------------------------------------------------
# Stage 4: JSON Schema


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    """A draft 2020-12 validator for table ``name``."""
    return jsonschema.Draft202012Validator(load_schema(name))


def _schema_problems(error: jsonschema.ValidationError, spec: TableSpec, record: Record | None,
                     text: str | None = None) -> Iterator[tuple[Problem, str | None]]:
    """A jsonschema error in our words: ``(problem, field at fault)`` pairs.

    Parameters
    ----------
    error : jsonschema.ValidationError
    spec : TableSpec
    record : Record or None
        The row the error is about; None for an error about the JSON document as a whole.
    text : str, optional
        The JSON text, to give a document-level problem its line.

    The wording comes from the schema (:func:`describe`), never from jsonschema's message alone.
    """
    path = list(error.relative_path)
    inner = path[2:] if record is not None and not spec.is_csv else path  # regions.json: ["regions", 3, ...]
    for extra, value, allowed in _error_wording(error):
        where = inner + extra
        if record is None:
            line = _json_line(text, where) if text is not None and where else None
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


def _path_text(path: Sequence[str | int]) -> str:
    """A JSON path as text: ``regions[3].anchors``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


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


def _check_json_document(spec: TableSpec, document: Any, records: list[Record],
                         text: str) -> tuple[list[Record] | None, list[Problem]]:
    """Validate a JSON file as a whole; drop the fields at fault from the item records.

    Returns None for the records when the document itself is at fault (not just some fields of some
    items): nothing in it is used by the later checks.
    """
    by_index = _records_by_index(spec, document, records)
    problems, bad = [], {}
    document_ok = True
    for error in _validator(spec.name).iter_errors(document):
        path = list(error.relative_path)
        record = by_index.get(path[1]) if len(path) >= 2 and path[0] == spec.items else None
        if record is None:
            document_ok = False
        for problem, key in _schema_problems(error, spec, record, text):
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


@dataclass(frozen=True)
class _YamlDocument:
    """A parsed YAML file: the document and the line of every value by its path (as :attr:`Record.lines`)."""

    filename: str
    document: Any
    lines: dict[tuple, int]


class _YamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader; the node tree is walked before construction, for lines and repeated keys."""


def _node_problems(filename: str, label: str, node: yaml.Node, path: tuple = ()) -> list[Problem]:
    """Keys given twice in one mapping (PyYAML silently keeps the last) and keys that YAML reads as
    something other than text (``on:``, ``yes:``, ``1:``)."""
    problems = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for knode, vnode in node.value:
            key = str(knode.value) if isinstance(knode, yaml.ScalarNode) else f"<{knode.tag}>"
            line = knode.start_mark.line + 1
            where = _path_text(path + (key,))
            if not (isinstance(knode, yaml.ScalarNode) and knode.tag == "tag:yaml.org,2002:str"):
                problems.append(Problem(filename, line, label, where, key,
                                        "a key must be text: quote it (YAML reads yes, no, on, off, true, "
                                        "false, null and numbers as other types)"))
            elif key in seen:
                problems.append(Problem(filename, line, label, where, key,
                                        f"is given twice (first on line {seen[key]}): keep one"))
            else:
                seen[key] = line
            problems += _node_problems(filename, label, vnode, path + (key,))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems += _node_problems(filename, label, item, path + (index,))
    return problems


def _node_lines(node: yaml.Node, path: tuple, lines: dict[tuple, int]) -> None:
    """The line of every value below ``node``: a mapping value on its key's line, a list item on its own."""
    if isinstance(node, yaml.MappingNode):
        for knode, vnode in node.value:
            sub = path + (str(knode.value),)
            lines[sub] = knode.start_mark.line + 1
            _node_lines(vnode, sub, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            _node_lines(item, path + (index,), lines)


def _parse_yaml(filename: str, label: str, text: str) -> tuple[_YamlDocument | None, list[Problem]]:
    """The YAML document of one file with the line of every value, or None and the problems: a syntax
    error (with its line and column), an empty file, a key given twice or a key that is not text."""
    loader = _YamlLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, [Problem(filename, 1, None, None, None,
                                  f"empty file: must be a storyboard ({_known(_storyboard_fields())})")]
        problems = _node_problems(filename, label, root)
        if problems:
            return None, problems
        document = loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = str(error.problem or error.context or "")
        if error.context and error.context_mark is not None and error.problem_mark is not None:
            # "while parsing a flow sequence": where the unclosed thing opened, often the line to fix
            problem += f"; {error.context} that starts on line {error.context_mark.line + 1}"
        column = f" at column {mark.column + 1}" if mark else ""
        return None, [Problem(filename, mark.line + 1 if mark else None, None, None, None,
                              f"malformed YAML{column} ({problem}): must be valid YAML (indent with "
                              f"spaces; quote text that holds ': ' or starts with a special character)")]
    except yaml.YAMLError as error:
        return None, [Problem(filename, None, None, None, None, f"malformed YAML ({error}): must be valid YAML")]
    finally:
        loader.dispose()
    lines: dict[tuple, int] = {}
    _node_lines(root, (), lines)
    return _YamlDocument(filename, document, lines), []


def _storyboard_fields() -> list[str]:
    """The top-level fields of a storyboard file, in schema order."""
    return list(load_schema(STORYBOARD_SCHEMA)["properties"])


def _drop(values: Any, path: Sequence[str | int]) -> None:
    """Remove the value at ``path`` (a key of a mapping; an item of a list becomes None, so that the
    other items keep their index) so that the later checks skip it."""
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


def _check_storyboard(storyboard_id: str, parsed: _YamlDocument) -> tuple[Record | None, list[Problem]]:
    """A storyboard file against its schema: the record (fields at fault left out) and the problems."""
    label = f"storyboard {storyboard_id}"
    document = parsed.document
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
                typed[spec.name] = _type_json(spec, value, self.texts.values[spec.name])
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
                clean, found = _check_json_document(spec, self.parsed.values[spec.name], records,
                                                    self.texts.values[spec.name])
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
            text, problem = _read_text(path)
            if problem is not None:
                problems.append(Problem(filename, problem.line, None, None, None, problem.allowed))
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
    """Ids are unique: source_id, layer_id, landmark_id, region_id, (region_id, layer_id) in thickness,
    nerve_id, muscle_id, zone_id, ligament_id and technique_id."""
    problems = []
    for spec in TABLES:
        first_line: dict[tuple, int] = {}
        for record in data.records(spec.name) or []:
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
    for name in ("layers", "landmarks", "thickness", "tissue_depths", "ligaments"):
        for record in data.records(name) or []:
            source = record.values.get("source_id")
            if source is not None and source not in known:
                problems.append(record.problem(_SPECS[name].filename, "source_id", allowed))
    for name in ("nerves", "muscles", "danger_zones", "techniques"):
        for record in data.records(name) or []:
            for path, entry in _sourced(name, record):
                source = entry.get("source_id")
                if source is not None and source not in known:
                    problems.append(record.problem_at(_SPECS[name].filename, path + ("source_id",), allowed, source))
    return problems


def _provenanced(name: str, record: Record) -> Iterator[tuple[tuple, Mapping[str, Any]]]:
    """The parts of a nerve-data or technique item that carry their own provenance (a status), with
    their paths: a nerve's waypoints (``("waypoints", 2)``); a muscle or zone as a whole (``()``); a
    technique as a whole and each of its planes, incisions and ports (``("planes", 1)``)."""
    if name == "nerves":
        for index, waypoint in enumerate(record.values.get("waypoints", [])):
            yield ("waypoints", index), waypoint
        return
    yield (), record.values
    if name == "techniques":
        for key in _TECHNIQUE_PARTS:
            for index, part in enumerate(record.values.get(key, [])):
                yield (key, index), part


def _sourced(name: str, record: Record) -> Iterator[tuple[tuple, Mapping[str, Any]]]:
    """Every part of an item that names a source_id: the provenanced parts, and a technique's
    complications (``("complications", 0)``), which always cite their source."""
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
    for name in ("landmarks", "thickness", "tissue_depths"):
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
    for name in ("nerves", "muscles", "danger_zones", "techniques"):
        filename = _SPECS[name].filename
        for record in data.records(name) or []:
            for path, entry in _provenanced(name, record):
                what = {"waypoints": "waypoint", "planes": "plane", "incisions": "incision",
                        "ports": "port"}[path[0]] if path else "entry"
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
    """The provenance rule for one entry (a row, a waypoint, a muscle, a zone): a measured or derived
    entry names a source_id and a locator; a schematic one gives the reason in note."""
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
    """layers.csv lists exactly facelayers.frame.LAYERS, in that order, with order = 1, 2, ..."""
    records = data.records("layers")
    if records is None:
        return []
    wanted = f"layers.csv lists facelayers.frame.LAYERS in order: {', '.join(LAYERS)}"
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
    """Every place named in a nerve-data or technique item, with its path: a waypoint's landmark or
    point_mm, an outline vertex, a circle's centre, a technique's plane outline vertices, incision path
    points and port positions (each a landmark_id string or an [x, y, z] list)."""
    values = record.values
    if name == "techniques":
        for index, plane in enumerate(values.get("planes", [])):
            for vertex, place in enumerate(plane.get("outline", [])):
                yield ("planes", index, "outline", vertex), place
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


def check_nerve_landmarks(data: DataSet) -> list[Problem]:
    """Every landmark the nerve data and the techniques name is a row of landmarks.csv: a waypoint's
    landmark, an outline vertex, circle centre, incision point or port given by id, and a ligament's
    landmark_id."""
    if data.records("landmarks") is None:
        return []  # landmarks.csv did not load: reported already
    known = data.ids("landmarks")
    allowed = f"must be a landmark_id of landmarks.csv: {_known(known)}"
    problems = []
    for name in ("nerves", "muscles", "danger_zones", "techniques"):
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
    """Every number in the nerve data and the techniques is finite: Python's JSON reader accepts NaN, the
    model cannot use it (Infinity already fails the schemas' bounds)."""
    problems = []
    for name in ("nerves", "muscles", "danger_zones", "techniques"):
        for record in data.records(name) or []:
            for key, value in record.values.items():
                for path, number in _numbers(value, (key,)):
                    if not math.isfinite(number):
                        problems.append(record.problem_at(_SPECS[name].filename, path, "must be a finite number",
                                                          number))
    return problems


def check_left_side(data: DataSet) -> list[Problem]:
    """Positions in the nerve data and the techniques are given for the left side and mirrored: a
    waypoint's point_mm has x > 0; an outline vertex, circle centre, incision point or port x >= 0 (0 on
    the midline)."""
    problems = []
    for name in ("nerves", "muscles", "danger_zones", "techniques"):
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
    """Every muscle's nerve_group is a group of nerves.json or an undrawn group (trigeminal_v3, the
    masticatory muscles' nerve); every danger zone's nerve_group is a group of nerves.json."""
    if data.records("nerves") is None:
        return []  # nerves.json did not load: reported already
    groups = list(dict.fromkeys(r.values["group"] for r in data.records("nerves") if "group" in r.values))
    problems = []
    for name, known in (("muscles", groups + list(UNDRAWN_NERVE_GROUPS)), ("danger_zones", groups)):
        where = "a group of nerves.json" + (f" or {', '.join(UNDRAWN_NERVE_GROUPS)} (not drawn)"
                                            if name == "muscles" else "")
        for record in data.records(name) or []:
            group = record.values.get("nerve_group")
            if group is not None and group not in known:
                problems.append(record.problem(_SPECS[name].filename, "nerve_group",
                                               f"must be {where}: {_known(known)}"))
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
    """Within a technique, no two planes share a plane_id, no two incisions an incision_id and no two
    ports a port_id."""
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
    """Positions of the landmarks of landmarks.csv (left side), by id. Rows without all three coordinates,
    and rows on the wrong side (reported by check_landmark_sides), are kept out, so that one bad landmark
    gives one problem rather than a cascade through every outline that names it."""
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
    """A place (landmark id or [x, y, z]) as a finite position, or None (unknown landmark, bad numbers:
    reported by their own checks)."""
    point = landmarks.get(place) if isinstance(place, str) else place
    if point is None or len(point) != 3 or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in point):
        return None
    return float(point[0]), float(point[1]), float(point[2])


def azimuth_deg(point: Sequence[float]) -> float:
    """Azimuth of a place about the head's vertical axis, degrees: ``atan2(x, y - HEAD_AXIS_Y_MM)``;
    0 straight ahead, +90 over the left ear, 180 at the back of the head."""
    return math.degrees(math.atan2(point[0], point[1] - HEAD_AXIS_Y_MM))


def _shown_place(place: Any, point: tuple[float, float, float]) -> str:
    """A place for a message: a landmark with its position, a point as written."""
    if isinstance(place, str):
        return f"{place} ({_fmt(point[0])}, {_fmt(point[1])}, {_fmt(point[2])})"
    return _show(place)


def check_outlines_on_face(data: DataSet) -> list[Problem]:
    """Every vertex of a technique's plane outline lies on the face: its azimuth about the head's axis,
    atan2(x, y + 5), within +-110 degrees of the midline, and its height z within -130..130 mm."""
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


def _orientation(a: tuple, b: tuple, c: tuple) -> float:
    """Twice the signed area of the triangle abc in the plane: > 0 counter-clockwise, 0 collinear."""
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_segment(a: tuple, b: tuple, c: tuple) -> bool:
    """For collinear a, b, c: c lies on the segment ab (ends included)."""
    return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])


def segments_intersect(p1: tuple, p2: tuple, q1: tuple, q2: tuple) -> bool:
    """True if the closed segments p1-p2 and q1-q2 of the plane share a point (crossing or touching)."""
    d1, d2 = _orientation(q1, q2, p1), _orientation(q1, q2, p2)
    d3, d4 = _orientation(p1, p2, q1), _orientation(p1, p2, q2)
    if ((d1 > 0) != (d2 > 0)) and d1 != 0 and d2 != 0 and ((d3 > 0) != (d4 > 0)) and d3 != 0 and d4 != 0:
        return True
    return ((d1 == 0 and _on_segment(q1, q2, p1)) or (d2 == 0 and _on_segment(q1, q2, p2))
            or (d3 == 0 and _on_segment(p1, p2, q1)) or (d4 == 0 and _on_segment(p1, p2, q2)))


def self_intersections(points: Sequence[tuple[float, float]]) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, of edges of a closed polygon that meet where they should not.

    Edge i runs from vertex i to vertex i + 1 (the last one back to vertex 0). Edges that are not
    neighbours must not share any point; neighbours share their common vertex only (they must not fold
    back over each other). An empty list means a simple polygon.
    """
    n = len(points)
    found = []
    for i in range(n):
        a, b = points[i], points[(i + 1) % n]
        for j in range(i + 1, n):
            c, d = points[j], points[(j + 1) % n]
            if j == i + 1 or (i == 0 and j == n - 1):  # neighbours: a fold-back is collinear overlap
                shared, far_ij = (b, (a, d)) if j == i + 1 else (a, (b, c))
                p, q = far_ij
                if _orientation(p, shared, q) == 0 and (
                        (p[0] - shared[0]) * (q[0] - shared[0]) + (p[1] - shared[1]) * (q[1] - shared[1])) > 0:
                    found.append((i, j))
            elif segments_intersect(a, b, c, d):
                found.append((i, j))
    return found


def check_outlines_simple(data: DataSet) -> list[Problem]:
    """Every plane outline of a technique is a simple polygon as seen on the face: no two of its edges
    cross or touch in the (azimuth, z) plane (azimuth = atan2(x, y + 5) in degrees, z in mm)."""
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
    """Every point of an incision's path and every port lies on the model's skin: z within -130..130 mm,
    and not on the head's vertical axis (x = 0, y = -5) between the fans (-50 < z < 30), where a place
    picks no skin ray."""
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
    """Every file of storyboards/ is named <storyboard_id>.yaml, is UTF-8 and is valid YAML: no syntax
    error, no key given twice, every key text."""
    return list(data.storyboard_documents.problems)


def check_storyboard_schemas(data: DataSet) -> list[Problem]:
    """Every storyboard satisfies storyboards.schema.json: the fields title, technique, summary, sources
    and steps and no others; 6 to 10 steps, each with a title, a caption, the nerves at risk and a view."""
    return list(data.storyboards.problems)


def _step_views(record: Record) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """``(index, view)`` of every step of a storyboard whose view survived its schema."""
    for index, step in enumerate(record.values.get("steps") or []):
        if isinstance(step, Mapping) and isinstance(step.get("view"), Mapping):
            yield index, step["view"]


def _pick_problem(pick: str, nerves: list[str], groups: list[str], muscles: list[str] | None) -> str | None:
    """What is wrong with a view's pick (``nerve:<id>``, ``group:<group>``, ``muscle:<id>``), or None.
    Another prefix is left to ViewState (the storyboard view check); an unloaded table is not judged."""
    kind, _, name = pick.partition(":")
    known = {"nerve": (nerves, "a nerve_id of nerves.json"), "group": (groups, "a group of nerves.json"),
             "muscle": (muscles, "a muscle_id of muscles.json")}.get(kind)
    if known is None or known[0] is None or name in known[0]:
        return None
    return f"must name {known[1]} after '{kind}:': {_known(known[0])}"


def check_storyboard_references(data: DataSet) -> list[Problem]:
    """A storyboard names what the data hold: its technique and compare_with (technique_ids of
    techniques.json), its sources (source_ids of sources.csv), each step's nerves at risk (nerve_ids of
    nerves.json) and, in each step's view, the technique, the pick (a nerve, a branch group of nerves.json
    or a muscle) and scope_port (the label of a port of the step's technique)."""
    tables = {name: data.records(name) for name in ("techniques", "sources", "nerves", "muscles")}
    techniques = {r.values["technique_id"]: r.values for r in tables["techniques"] or [] if "technique_id" in r.values}
    known = {
        "techniques": (list(techniques) if tables["techniques"] is not None else None,
                       "a technique_id of techniques.json"),
        "sources": (data.ids("sources") if tables["sources"] is not None else None, "a source_id of sources.csv"),
        "nerves": (data.ids("nerves") if tables["nerves"] is not None else None, "a nerve_id of nerves.json"),
    }
    groups = list(dict.fromkeys(r.values["group"] for r in tables["nerves"] or [] if "group" in r.values))
    muscles = data.ids("muscles") if tables["muscles"] is not None else None
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
        for index, view in _step_views(record):
            path = ("steps", index, "view")
            refer(path + ("technique",), view.get("technique"), "techniques")
            pick = view.get("pick")
            if isinstance(pick, str) and known["nerves"][0] is not None:
                wrong = _pick_problem(pick, known["nerves"][0], groups, muscles)
                if wrong:
                    problems.append(record.problem_at(filename, path + ("pick",), wrong, pick))
            port = view.get("scope_port")
            technique_id = view.get("technique", record.values.get("technique"))
            technique = techniques.get(technique_id) if isinstance(technique_id, str) else None
            if isinstance(port, str) and technique is not None and "ports" in technique:  # else reported
                ports = [p for p in technique["ports"] if isinstance(p, Mapping)]
                labels = [p.get("label") for p in ports]
                if not ports:
                    problems.append(record.problem_at(
                        filename, path + ("scope_port",),
                        f"the technique {technique_id} has no ports (an open approach): leave scope_port out", port))
                elif port not in labels:
                    by_id = {p.get("port_id"): p.get("label") for p in ports}
                    hint = (f"; {port!r} is the port_id, scope_port takes its label {by_id[port]!r}"
                            if port in by_id else "")
                    problems.append(record.problem_at(
                        filename, path + ("scope_port",),
                        f"must be the label of a port of {technique_id}: {_known(labels)}{hint}", port))
    return problems


#: Every check, in the order it runs (BrainGlobe's ``get_all_validation_functions``).
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
    check_zone_shapes,
    check_technique_part_ids,
    check_muscles_divided,
    check_outlines_on_face,
    check_outlines_simple,
    check_incisions_and_ports_on_skin,
    check_storyboards_parse,
    check_storyboard_schemas,
    check_storyboard_references,
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
    """Sort key: file (the folder first, then :data:`TABLES` order, then the storyboards by name), then
    line (problems without a line last)."""
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
