"""One reader for the documents the package reads (CSV, JSON, YAML) that keeps the line of every value.

Every file the package reads by hand or from a lecturer (the data tables, a saved view, a storyboard, the quiz)
goes through here, so that a problem anywhere names the file and the line where the value is written, and so
that no file can crash or hang a reader:

* :func:`read_text` reads UTF-8 (a BOM is allowed) of at most ``max_bytes`` and refuses NUL bytes;
* :func:`parse_json` keeps the line of every value and refuses nesting deeper than :data:`MAX_DEPTH`;
* :func:`parse_yaml` reads YAML *safely and bounded*: PyYAML's safe loader, and before anything is built, no
  alias (``*name``) and no merge key (``<<``) (an alias bomb expands exponentially), no tag other than
  YAML's plain types (no ``!!python/...``), no key given twice, every key text, nesting at most
  :data:`MAX_DEPTH` and at most :data:`MAX_NODES` values;
* :func:`parse_csv` reads a table with a header, one cell per column.

Each returns a :class:`Document`: the parsed value and ``lines``, the 1-based line of every value by its path
of keys and list indices (``("steps", 2, "view", "pick")``). Every refusal is an
:class:`~facelayers.core.errors.InputError` naming the file and the line; several at once are gathered
(:meth:`InputError.gather`). The standard library and PyYAML only.

To read a new table: ``doc = read_document(path)`` then ``doc.error(("items", 3, "name"), "must be ...",
value)`` for each problem found (see data/README.md).
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from facelayers.core.errors import InputError, path_text

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "Document",
    "parse_csv",
    "parse_json",
    "parse_yaml",
    "read_document",
    "read_text",
    "show",
]

#: The largest file read (bytes): the shipped tables are under 40 kB, a view file under 1 kB.
MAX_BYTES: int = 4 * 1024 * 1024
#: The deepest nesting of lists and mappings accepted (the shipped data nests 6 deep).
MAX_DEPTH: int = 32
#: The most values (scalars, lists, mappings) in one YAML document.
MAX_NODES: int = 200_000
#: The longest number written in a YAML or JSON document (digits): Python refuses to read more than 4300.
MAX_DIGITS: int = 100

#: The YAML tags a document may carry: YAML's plain types (explicit ``!!str`` and the like included).
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in
                        ("str", "int", "float", "bool", "null", "seq", "map", "timestamp"))


@dataclass(frozen=True)
class Document:
    """A parsed file and the line of every value in it.

    Attributes
    ----------
    filename : str
        How problems name the file (``"nerves.json"``, ``"storyboards/deep_plane.yaml"``, a path).
    data : Any
        The parsed value: dicts, lists, str, int, float, bool, None (and dates from YAML). For a CSV file, a
        list of rows, each a dict of column -> cell text.
    lines : Mapping of tuple to int
        1-based line of every value by its path: ``()`` the whole document, ``("regions", 3)`` an item,
        ``("regions", 3, "anchors", 0)`` deeper. A mapping's value is on its key's line. CSV: ``(i,)`` row i
        (0-based, header excluded) and ``(i, column)`` its cells.
    """

    filename: str
    data: Any
    lines: Mapping[tuple, int] = field(default_factory=dict)

    def line_at(self, path: Sequence[str | int]) -> int:
        """Line of the value at ``path``, or of its nearest enclosing value (1 for the document).

        Parameters
        ----------
        path : sequence of str and int

        Returns
        -------
        int
            1-based line.
        """
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def error(self, path: Sequence[str | int], allowed: str, value: Any = None, row: str | None = None,
              field: str | None = None) -> InputError:
        """An :class:`InputError` about the value at ``path``, on the line where it is written.

        Parameters
        ----------
        path : sequence of str and int
            Where the value is; named as the field (``waypoints[2].layer``) unless ``field`` is given.
        allowed : str
            What is wrong and what is allowed.
        value : Any, optional
            The value at fault (shown with :func:`show`); None shows none.
        row : str, optional
            The row or item it belongs to (``"question q1"``).
        field : str, optional
            The field's name in the message, when not its path.

        Returns
        -------
        InputError
        """
        name = field if field is not None else (path_text(path) or None)
        return InputError(self.filename, self.line_at(path), row, name, None if value is None else show(value),
                          allowed)


def show(value: Any) -> str:
    """A value for a message: text as it is, anything else as JSON (a YAML date as its text).

    Parameters
    ----------
    value : Any

    Returns
    -------
    str
    """
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return repr(value)


# ----------------------------------------------------------------------------------------------------
# Text


def read_text(path: str | Path, filename: str | None = None, *, max_bytes: int = MAX_BYTES,
              missing: str = "no such file") -> str:
    r"""The text of a file: UTF-8 (a byte-order mark is allowed), line ends as ``\n``.

    Parameters
    ----------
    path : str or Path
    filename : str, optional
        How problems name the file (default: ``path`` as given).
    max_bytes : int
        The largest file read.
    missing : str
        What a problem says when the file does not exist.

    Returns
    -------
    str

    Raises
    ------
    InputError
        The file is missing, a folder, not a regular file (a FIFO or a device, which could block), unreadable,
        larger than ``max_bytes``, not UTF-8, or holds a NUL byte (with its line).
    """
    path = Path(path)
    name = filename if filename is not None else str(path)
    try:
        if path.exists() and not path.is_file() and not path.is_dir():  # a FIFO or a device: reading may block
            raise InputError(name, allowed="is not a regular file: must be a file")
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(name, allowed=missing) from None
    except IsADirectoryError:
        raise InputError(name, allowed="is a folder: must be a file") from None
    except OSError as error:
        raise InputError(name, allowed=f"cannot be read ({error.strerror or error}): must be a readable file") from None
    if len(data) > max_bytes:
        raise InputError(name, allowed=f"is larger than {max_bytes // 1024} kB: must be at most that")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(name, line, allowed=f"byte 0x{data[error.start]:02x} is not UTF-8: must be UTF-8 text") from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(name, line, allowed="holds a NUL byte: must be plain text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_document(path: str | Path, filename: str | None = None, *, max_bytes: int = MAX_BYTES) -> Document:
    """Read and parse a ``.json``, ``.yaml``/``.yml`` or ``.csv`` file (chosen by its suffix).

    Parameters
    ----------
    path : str or Path
    filename : str, optional
        How problems name the file.
    max_bytes : int

    Returns
    -------
    Document

    Raises
    ------
    InputError
        Anything :func:`read_text` or the parser refuses.
    """
    path = Path(path)
    name = filename if filename is not None else str(path)
    parsers = {".json": parse_json, ".yaml": parse_yaml, ".yml": parse_yaml, ".csv": parse_csv}
    if path.suffix not in parsers:
        raise InputError(name, allowed=f"unknown kind of file: must end in {', '.join(parsers)}")
    return parsers[path.suffix](read_text(path, name, max_bytes=max_bytes), name)


# ----------------------------------------------------------------------------------------------------
# JSON


def parse_json(text: str, filename: str) -> Document:
    """A JSON document with the line of every value.

    Parameters
    ----------
    text : str
    filename : str
        How problems name the file.

    Returns
    -------
    Document

    Raises
    ------
    InputError
        Malformed JSON (line and column), a key given twice in one object (all of them), nesting deeper than
        :data:`MAX_DEPTH`, a number too long to read.
    """
    lines, depth = _json_lines(text)
    if depth > MAX_DEPTH:
        line = lines.get("deepest", 1)
        raise InputError(filename, line, allowed=f"nested {depth} deep: must nest at most {MAX_DEPTH} deep")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(filename, error.lineno,
                         allowed=f"malformed JSON at column {error.colno} ({error.msg}): must be valid JSON") from None
    except (ValueError, RecursionError):  # a number of more than 4300 digits
        raise InputError(filename, allowed="malformed JSON (a number of more than 4300 digits): must be valid "
                                           "JSON") from None
    lines.pop("deepest", None)
    repeats = lines.pop("repeats", [])
    if repeats:  # json.loads silently keeps the last
        problems = [InputError(filename, line, None, path_text(path), str(path[-1]),
                               f"is given twice (first on line {lines[path]}): keep one") for path, line in repeats]
        raise InputError.gather(problems, f"invalid JSON in {filename}") if len(problems) > 1 else problems[0]
    return Document(filename, data, lines)


_SPACES = re.compile(r"[ \t\n\r]*")


def _json_lines(text: str) -> tuple[dict, int]:
    """Line of every value of a JSON text by its path, and the deepest nesting met.

    One pass over the text (the json module keeps no positions), iterative so that no nesting can exhaust
    the stack: containers are walked here, scalars and keys skipped with ``raw_decode``. Stops quietly at the
    first syntax error (:func:`json.loads` then reports it) and once the nesting passes :data:`MAX_DEPTH`.
    A repeated key keeps its first position; ``lines["deepest"]`` is the line of the deepest opening and
    ``lines["repeats"]`` lists the keys given twice, ``(path, line)``.
    """
    decoder = json.JSONDecoder()

    def skip(i: int) -> int:
        return _SPACES.match(text, i).end()

    def key_at(i: int, base: tuple) -> tuple[tuple, int]:
        key, i = decoder.raw_decode(text, i)
        if base + (key,) in offsets:
            repeats.append((base + (key,), i))
        return base + (key,), skip(skip(i) + 1)  # past the colon

    offsets: dict = {}
    repeats: list[tuple[tuple, int]] = []  # keys given twice in one object: (path, offset of the repeat)
    stack: list[list] = []  # open containers: [path, closer, index of the current item]
    deepest, deepest_at = 0, 0
    path: tuple = ()
    i = skip(0)
    try:
        while True:
            offsets.setdefault(path, i)  # i is at the start of the value at `path`
            if text[i] in "{[":
                closer = "}" if text[i] == "{" else "]"
                stack.append([path, closer, 0])
                if len(stack) > deepest:
                    deepest, deepest_at = len(stack), i
                    if deepest > MAX_DEPTH:
                        break
                i = skip(i + 1)
                if text[i] != closer:
                    path, i = key_at(i, path) if closer == "}" else (path + (0,), i)
                    continue
                stack.pop()
                i += 1
            else:
                i = decoder.raw_decode(text, i)[1]
            while stack:  # after a value: the next item, or close the container
                i = skip(i)
                top = stack[-1]
                if text[i] == ",":
                    top[2] += 1
                    i = skip(i + 1)
                    path, i = key_at(i, top[0]) if top[1] == "}" else (top[0] + (top[2],), i)
                    break
                stack.pop()
                i += 1
            else:
                break
    except (IndexError, ValueError, RecursionError):
        pass  # not valid JSON: json.loads says where
    breaks = [n for n, char in enumerate(text) if char == "\n"]
    lines: dict = {p: bisect.bisect_left(breaks, offset) + 1 for p, offset in offsets.items()}
    lines["deepest"] = bisect.bisect_left(breaks, deepest_at) + 1
    lines["repeats"] = [(path, bisect.bisect_left(breaks, offset) + 1) for path, offset in repeats]
    return lines, deepest


# ----------------------------------------------------------------------------------------------------
# YAML


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses aliases and counts depth and values while composing.

    So no document can expand exponentially or exhaust the stack before the checks see it.
    """

    def __init__(self, stream: str, filename: str) -> None:
        super().__init__(stream)
        self._filename = filename
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent, index):  # noqa: D102 (PyYAML's hook)
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise InputError(self._filename, event.start_mark.line + 1, None, None, f"*{event.anchor}",
                             "an alias (*name) is not allowed: write the value out in full")
        self._nodes += 1
        if self._nodes > MAX_NODES:
            mark = self.peek_event().start_mark
            raise InputError(self._filename, mark.line + 1,
                             allowed=f"holds more than {MAX_NODES} values: must hold fewer")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise InputError(self._filename, mark.line + 1,
                                 allowed=f"nested more than {MAX_DEPTH} deep: must nest at most {MAX_DEPTH} deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def parse_yaml(text: str, filename: str, *, label: str | None = None, empty: str = "must not be empty") -> Document:
    """A YAML document, read safely and bounded, with the line of every value.

    Parameters
    ----------
    text : str
    filename : str
        How problems name the file.
    label : str, optional
        The row problems name (``"storyboard deep_plane"``) for keys given twice or not text.
    empty : str
        What a problem says about an empty document (``"empty file: must be a storyboard (...)"``).

    Returns
    -------
    Document
        ``data`` is None never: an empty document is refused.

    Raises
    ------
    InputError
        Malformed YAML (line and column), a NUL or other unprintable character, an alias or merge key, a tag
        other than YAML's plain types, a key given twice or that is not text (gathered: all of them), a number
        too long, nesting deeper than :data:`MAX_DEPTH` or more than :data:`MAX_NODES` values.
    """
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(filename, line, allowed="holds a NUL byte: must be plain text")
    try:
        loader = _BoundedLoader(text, filename)
    except yaml.YAMLError as error:  # an unprintable character, found by the reader
        raise _yaml_error(filename, error, text) from None
    try:
        root = loader.get_single_node()
        if root is None:
            raise InputError(filename, 1, allowed=empty)
        problems: list[InputError] = []
        lines: dict[tuple, int] = {(): root.start_mark.line + 1}
        _walk_nodes(filename, label, root, (), lines, problems)
        if problems:
            raise InputError.gather(problems, f"invalid YAML in {filename}") if len(problems) > 1 else problems[0]
        data = loader.construct_document(root)
    except yaml.YAMLError as error:
        raise _yaml_error(filename, error, text) from None
    except RecursionError:
        raise InputError(filename, allowed=f"nested too deeply: must nest at most {MAX_DEPTH} deep") from None
    finally:
        loader.dispose()
    return Document(filename, data, lines)


def _walk_nodes(filename: str, label: str | None, root: yaml.Node, path: tuple, lines: dict,
                problems: list) -> None:
    """Record the line of every value and collect what the safe reading refuses (iteratively)."""
    todo = [(root, path)]
    while todo:
        node, path = todo.pop()
        if node.tag not in _PLAIN_TAGS:
            problems.append(InputError(filename, node.start_mark.line + 1, label, path_text(path) or None,
                                       node.tag.replace("tag:yaml.org,2002:", "!!"),
                                       "a tag is not allowed: write plain YAML values (text, numbers, true/false, "
                                       "lists and mappings)"))
            continue
        if isinstance(node, yaml.ScalarNode):
            if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and len(node.value) > MAX_DIGITS:
                problems.append(InputError(filename, node.start_mark.line + 1, label, path_text(path) or None,
                                           node.value[:20] + "...",
                                           f"a number of {len(node.value)} characters: must be at most {MAX_DIGITS}"))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[path + (index,)] = item.start_mark.line + 1
                todo.append((item, path + (index,)))
        elif isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for knode, vnode in node.value:
                line = knode.start_mark.line + 1
                if knode.tag == "tag:yaml.org,2002:merge":
                    problems.append(InputError(filename, line, label, path_text(path + ("<<",)), "<<",
                                               "a merge key (<<) is not allowed: write the keys out in full"))
                    continue
                is_text = isinstance(knode, yaml.ScalarNode) and knode.tag == "tag:yaml.org,2002:str"
                key = str(knode.value) if isinstance(knode, yaml.ScalarNode) else f"<{knode.tag.split(':')[-1]}>"
                where = path_text(path + (key,))
                if not is_text:
                    problems.append(InputError(filename, line, label, where, key,
                                               "a key must be text: quote it (YAML reads yes, no, on, off, true, "
                                               "false, null and numbers as other types; a list or a mapping "
                                               "cannot be a key)"))
                    continue
                if key in seen:
                    problems.append(InputError(filename, line, label, where, key,
                                               f"is given twice (first on line {seen[key]}): keep one"))
                    continue
                seen[key] = line
                lines[path + (key,)] = line
                todo.append((vnode, path + (key,)))
    problems.sort(key=lambda p: p.line or 0)


def _yaml_error(filename: str, error: yaml.YAMLError, text: str) -> InputError:
    """A PyYAML error as an :class:`InputError` with the line (and column) where it was found."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = str(error.problem or error.context or "")
        if error.context and error.context_mark is not None and error.problem_mark is not None:
            # "while parsing a flow sequence": where the unclosed thing opened, often the line to fix
            problem += f"; {error.context} that starts on line {error.context_mark.line + 1}"
        column = f" at column {mark.column + 1}" if mark else ""
        return InputError(filename, mark.line + 1 if mark else None,
                          allowed=f"malformed YAML{column} ({problem}): must be valid YAML (indent with spaces; quote "
                                  f"text that holds ': ' or starts with a special character)")
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, max(0, error.position)) + 1
        return InputError(filename, line, allowed=f"character #x{error.character:04x} is not allowed: must be "
                                                  "printable text")
    return InputError(filename, allowed=f"malformed YAML ({error}): must be valid YAML")


# ----------------------------------------------------------------------------------------------------
# CSV


def parse_csv(text: str, filename: str, columns: Sequence[str] | None = None, *,
              label=None) -> Document:
    """A CSV table with a header line: one dict of column -> cell text per row.

    Parameters
    ----------
    text : str
    filename : str
        How problems name the file.
    columns : sequence of str, optional
        The columns the header must hold (each once, no others); any order.
    label : callable, optional
        ``label(cells) -> str``: how problems name a row (its id), from its cells.

    Returns
    -------
    Document
        ``data`` is a list of dicts; ``lines[(i,)]`` is row i's line (the header is line 1), and
        ``lines[(i, column)]`` the same line.

    Raises
    ------
    InputError
        Gathered: missing, unknown and repeated columns; an unclosed quote; a cell that spans lines; a row
        with the wrong number of cells; an empty file.
    """
    allowed = f"the columns are {', '.join(columns)}" if columns is not None else "a header line of column names"
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[InputError] = []
    rows: list[dict[str, str]] = []
    lines: dict[tuple, int] = {(): 1}
    header: list[str] | None = None
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            reason = "unclosed quote" if "unexpected end of data" in str(error) else str(error)
            problems.append(InputError(filename, start, allowed=f"malformed CSV ({reason}): quote a cell that holds "
                                                                "commas and close the quote on the same line"))
            break
        if not cells:  # a blank line
            continue
        if reader.line_num > start:
            problems.append(InputError(filename, start, allowed=f"malformed CSV: a quoted cell runs from line {start} "
                                                                f"to line {reader.line_num} (unclosed quote?): a cell "
                                                                "must not span lines"))
            continue
        if header is None:
            header = cells
            if columns is not None:
                problems += _header_problems(filename, header, columns, allowed)
            if problems:  # the rows are checked once the header is right, not against a wrong one
                break
            continue
        if len(cells) != len(header):
            row = label(dict(zip(header, cells))) if label is not None else None
            problems.append(InputError(filename, start, row or None, allowed=f"malformed CSV: {len(cells)} cells, "
                                       f"must have {len(header)} (one per column: {', '.join(header)})"))
            continue
        lines[(len(rows),)] = start
        for column in header:
            lines[(len(rows), column)] = start
        rows.append(dict(zip(header, cells)))
    if header is None and not problems:
        problems.append(InputError(filename, 1, "header", allowed=f"empty file: must start with a header line; "
                                                                  f"{allowed}"))
    if problems:
        raise InputError.gather(problems, f"invalid CSV in {filename}") if len(problems) > 1 else problems[0]
    return Document(filename, rows, lines)


def _header_problems(filename: str, header: list[str], expected: Sequence[str], allowed: str) -> list[InputError]:
    """Missing, unknown and repeated columns of a CSV header (line 1)."""
    problems = []
    for column in expected:
        if column not in header:
            problems.append(InputError(filename, 1, "header", column, None, f"missing column: {allowed}"))
    seen: set[str] = set()
    for column in header:
        if column not in expected:
            problems.append(InputError(filename, 1, "header", column, None, f"unknown column: {allowed}"))
        elif column in seen:
            problems.append(InputError(filename, 1, "header", column, None, f"repeated column: {allowed}"))
        seen.add(column)
    return problems
