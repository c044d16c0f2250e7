"""A data folder read in stages, each stage's problems kept: files, syntax, cell types, JSON Schemas, storyboards.

A file that fails a syntax stage takes no part in the later stages. The nerve data (nerves.json, muscles.json,
danger_zones.json, ligaments.csv) and the techniques (techniques.json) nest lists inside their items; a problem there
names the field by its path inside the item, ``waypoints[2].layer`` or ``planes[1].outline[3]`` (0-based indices),
on the line where that value is written.

The procedure storyboards (``storyboards/<storyboard_id>.yaml``, one YAML file each; the folder is optional) are
read in the same stages: file name and UTF-8, YAML syntax (with line and column; a key given twice is an error, not
silently the last), then their schema. A problem names the file (``storyboards/deep_plane.yaml``), the line and the
field by its path (``steps[2].view.pick``, 0-based). numpy-free.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import jsonschema

from facelayers.anatomy.specs import (
    SPECS,
    TABLES,
    Problem,
    Record,
    TableSpec,
    describe,
    expected_columns,
    json_type_name,
    known_list,
    load_schema,
)
from facelayers.core.documents import Document, parse_csv, parse_json, parse_yaml, read_text, show
from facelayers.core.errors import InputError, path_text

__all__ = [
    "STORYBOARD_DIR",
    "STORYBOARD_SCHEMA",
    "DataSet",
    "storyboard_filename",
]

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
                         missing=f"missing: the data folder must hold {known_list([s.filename for s in TABLES])}"), None
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
    parts = [f"{key.removesuffix('_id')} {show(raw[key])}" for key in spec.key if raw.get(key) not in (None, "")]
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
    kind = json_type_name(schema)
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


def type_json(spec: TableSpec, parsed: Document) -> list[Record]:
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
        raw = {key: show(value) for key, value in item.items()}
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
            yield Problem(spec.filename, line, None, path_text(where) or None, value, allowed), None
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
        return [([name], show(instance[name]), f"unknown field: the fields are {', '.join(properties)}")
                for name in instance if name not in properties]
    return [([], _brief(error.instance), f"must be {describe(error.schema)}")]


def _brief(value: Any) -> str:
    """A value for a message: as :func:`show`, but a list of objects (a nerve's waypoints) as its size."""
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        return f"[{len(value)} item{'' if len(value) == 1 else 's'}]"
    return show(value)


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


def json_document_problems(spec: TableSpec, parsed: Document,
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
                          empty=f"empty file: must be a storyboard ({known_list(_storyboard_fields())})"), []
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
                              f"must be a mapping of the fields {known_list(_storyboard_fields())}, not {kind}")]
    raw = {str(key): show(value) for key, value in document.items()}
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
                typed[spec.name] = type_json(spec, value)
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
                clean, found = json_document_problems(spec, self.parsed.values[spec.name], records)
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
        key = SPECS[name].key[0]
        return list(dict.fromkeys(r.values[key] for r in self.records(name) or [] if key in r.values))


