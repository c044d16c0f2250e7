"""Saved views: a :class:`~facelayers.state.ViewState` as a small YAML file that reads and diffs well.

A lecturer prepares a class once and replays it: every field of the view state (layers shown, peel,
cutaway, cross-section, camera, highlight, overlays) goes to one block-style YAML file, keys in the
dataclass's field order, one layer per line under ``visible``::

    # facelayers view
    version: 1
    visible:
      skin: true
      fat: true
      ...
    peel: 0
    cutaway: cheek
    ...

Loading is strict about what is there and lenient about what is not: an unknown key, a value of the wrong
type or outside what :class:`ViewState` allows is an error naming the file, the line, the key, the
value and what is allowed; a key that is missing (a file written before the field existed) takes its
default. The keys are read from ``dataclasses.fields(ViewState)`` and the types from its annotations, so a
new field of the state (technique, endoscope pose...) is saved and loaded without a change here.

Writes are atomic (:func:`atomic_output`): a temporary file in the same folder, then ``os.replace``.
This module is part of the light core: PyYAML and the standard library, no numpy, plotly or widgets.
"""

from __future__ import annotations

import os
import secrets
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import MISSING, fields
from pathlib import Path

import yaml

from facelayers.state import ViewState

__all__ = ["HEADER", "VERSION", "ViewFileError", "atomic_output", "load_view", "save_view", "view_from_yaml",
           "view_to_yaml"]

#: The first line of every view file.
HEADER = "# facelayers view"
#: The file format's version; a file without ``version`` is read as version 1.
VERSION = 1


class ViewFileError(ValueError):
    """A view file that cannot be loaded; the message names the file, line, key, value and what is allowed.

    Attributes
    ----------
    source : str
        The file (or ``"<string>"``).
    key : str or None
        The key at fault (``"visible.skin"`` for a nested one), if any.
    line : int or None
        1-based line of that key in the file, if known.
    """

    def __init__(self, source: str, message: str, key: str | None = None, line: int | None = None):
        self.source, self.key, self.line = source, key, line
        where = source + (f", line {line}" if line else "") + (f", key {key}" if key else "")
        super().__init__(f"{where}: {message}")


# ----------------------------------------------------------------------------------------------------
# Fields and their types, read from the dataclass


def _fields() -> list:
    return [f for f in fields(ViewState) if f.init]


def _hints() -> dict[str, object]:
    """Field name -> annotation. If an annotation cannot be resolved (a name imported only for type
    checkers), no field is type-checked here and ViewState.validate alone judges the values."""
    try:
        return typing.get_type_hints(ViewState)
    except (NameError, TypeError):
        return {}


def _default(f):
    return f.default_factory() if f.default_factory is not MISSING else f.default


def _describe(hint) -> str:
    """What a type annotation allows, in a YAML reader's words."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    simple = {bool: "true or false", int: "an integer", float: "a number", str: "a string",
              type(None): "null"}
    if hint in simple:
        return simple[hint]
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in args)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin is dict:
        return f"a mapping, one 'name: value' per line, each value {_describe(args[1])}" if args else "a mapping"
    if origin in (list, tuple):
        if origin is tuple and args and args[-1] is not Ellipsis:
            return f"a list of {len(args)} items ({', '.join(_describe(a) for a in args)})"
        return f"a list, each item {_describe(args[0])}" if args else "a list"
    return getattr(hint, "__name__", str(hint))


class _Mismatch(Exception):
    """A value that does not fit its annotation: ``key`` (dotted) and ``value`` at fault, ``allowed``."""

    def __init__(self, key: str, value, allowed: str):
        super().__init__(key)
        self.key, self.value, self.allowed = key, value, allowed


def _conform(value, hint, key: str):
    """``value`` checked against the annotation ``hint`` (ints become floats where a float is due);
    raise :class:`_Mismatch` naming the innermost key that does not fit."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is typing.Any:
        return value
    if hint is bool:
        if isinstance(value, bool):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif hint is str:
        if isinstance(value, str):
            return value
    elif hint is type(None):
        if value is None:
            return None
    elif origin in (typing.Union, types.UnionType):
        # None first, so that `str | None` never reads null as a string; then the first type that fits.
        for arg in sorted(args, key=lambda a: a is not type(None)):
            try:
                return _conform(value, arg, key)
            except _Mismatch as inner:
                if inner.key != key:  # the value had the right shape but a part of it is wrong
                    raise
    elif origin is typing.Literal:
        if value in args:
            return value
    elif origin is dict:
        if isinstance(value, dict):
            k_hint, v_hint = args if args else (typing.Any, typing.Any)
            return {_conform(k, k_hint, f"{key}.{k}"): _conform(v, v_hint, f"{key}.{k}") for k, v in value.items()}
    elif origin in (list, tuple):
        if isinstance(value, (list, tuple)):
            if origin is tuple and args and args[-1] is not Ellipsis:
                if len(value) == len(args):
                    return tuple(_conform(v, a, f"{key}[{i}]") for i, (v, a) in enumerate(zip(value, args)))
            else:
                item = args[0] if args else typing.Any
                out = [_conform(v, item, f"{key}[{i}]") for i, v in enumerate(value)]
                return tuple(out) if origin is tuple else out
    else:  # an annotation this reader does not know: leave the value to ViewState.validate
        return value
    raise _Mismatch(key, value, _describe(hint))


def _plain(value):
    """A value as YAML's safe dumper takes it: plain bool/int/float/str/None, lists and str-keyed dicts."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):  # a numpy scalar from a widget; numpy itself is not imported here
        return _plain(value.item())
    raise TypeError(f"cannot write a {type(value).__name__} ({value!r}) to a view file")


# ----------------------------------------------------------------------------------------------------
# YAML text


def view_to_yaml(state: ViewState) -> str:
    """The view file's text for ``state``: a header comment, ``version``, then every field in order.

    Parameters
    ----------
    state : ViewState

    Returns
    -------
    str
        Block-style YAML, one key per line (one layer per line under ``visible``), ending in a newline.
    """
    hints = _hints()
    data = {"version": VERSION}
    for f in _fields():
        value = _plain(getattr(state, f.name))
        default = _default(f)
        if isinstance(value, dict) and isinstance(default, dict):
            # The default's key order (visible: skin ... bone, outside in), so files diff line by line.
            order = {k: i for i, k in enumerate(map(str, default))}
            value = dict(sorted(value.items(), key=lambda kv: order.get(kv[0], len(order))))
        try:
            value = _plain(_conform(value, hints.get(f.name, typing.Any), f.name))
        except _Mismatch as bad:
            raise TypeError(f"view field {bad.key} = {bad.value!r}; allowed: {bad.allowed}") from None
        data[f.name] = value
    body = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000)
    return f"{HEADER}\n{body}"


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader; the node tree is inspected before construction for lines and duplicates."""


def _scalar_key(node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else f"<{node.tag}>"


def _check_duplicates(node, source: str, path: str = "") -> None:
    """A key given twice in one mapping (PyYAML would silently keep the last) is an error."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for knode, vnode in node.value:
            key = _scalar_key(knode)
            full = f"{path}.{key}" if path else key
            line = knode.start_mark.line + 1
            if key in seen:
                raise ViewFileError(source, f"{full!r} is given twice (first on line {seen[key]}); "
                                            "keep one", key=full, line=line)
            seen[key] = line
            _check_duplicates(vnode, source, full)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_duplicates(item, source, f"{path}[{i}]")


def _record_lines(node, path: str, lines: dict[str, int]) -> None:
    """The line of every nested key and item, as ``visible.skin`` or ``endoscope_mm[1]``."""
    if isinstance(node, yaml.MappingNode):
        for knode, vnode in node.value:
            sub = f"{path}.{_scalar_key(knode)}"
            lines[sub] = knode.start_mark.line + 1
            _record_lines(vnode, sub, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[f"{path}[{i}]"] = item.start_mark.line + 1
            _record_lines(item, f"{path}[{i}]", lines)


def _parse(text: str, source: str) -> tuple[dict, dict[str, int]]:
    """The top-level mapping and the line of each key (``"visible.skin"`` for nested ones)."""
    loader = _Loader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
            raise ViewFileError(f"{source}{line}", f"not valid YAML: {problem}") from None
        except yaml.YAMLError as exc:
            raise ViewFileError(source, f"not valid YAML: {exc}") from None
        keys = ", ".join(["version", *(f.name for f in _fields())])
        if root is None:
            raise ViewFileError(source, f"the file is empty; a view file holds the keys {keys}")
        if not isinstance(root, yaml.MappingNode):
            raise ViewFileError(source, f"expected a mapping of keys ({keys}) at the top, got a "
                                        f"{'list' if isinstance(root, yaml.SequenceNode) else 'single value'}",
                                line=root.start_mark.line + 1)
        _check_duplicates(root, source)
        data, lines = {}, {}
        for knode, vnode in root.value:
            key = loader.construct_object(knode, deep=True)
            data[key] = loader.construct_object(vnode, deep=True)
            lines[str(key)] = knode.start_mark.line + 1
            _record_lines(vnode, str(key), lines)
        return data, lines
    finally:
        loader.dispose()


def view_from_yaml(text: str, source: str = "<string>") -> ViewState:
    """A :class:`ViewState` from a view file's text, validated.

    Parameters
    ----------
    text : str
    source : str
        Named in error messages (the file's path).

    Returns
    -------
    ViewState
        Keys missing from the text take the field's default.

    Raises
    ------
    ViewFileError
        Malformed YAML (with the line), a key given twice, an unknown key (listing the allowed ones), a
        ``version`` newer than this reader, a value of the wrong type or outside what ViewState allows.
    """
    data, lines = _parse(text, source)
    known = _fields()
    names = [f.name for f in known]
    allowed_keys = ", ".join(["version", *names])
    unknown = [k for k in data if k != "version" and k not in names]
    if unknown:
        first = unknown[0]
        more = f" (and {len(unknown) - 1} more: {', '.join(map(str, unknown[1:]))})" if len(unknown) > 1 else ""
        raise ViewFileError(source, f"unknown key {first!r}{more}; allowed keys: {allowed_keys}",
                            key=str(first), line=lines.get(str(first)))
    version = data.get("version", VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= VERSION:
        allowed = "1" if VERSION == 1 else f"an integer 1 to {VERSION}"
        raise ViewFileError(source, f"version = {version!r}; allowed: {allowed} "
                                    f"(this facelayers reads view files up to version {VERSION})",
                            key="version", line=lines.get("version"))
    hints = _hints()
    values = {}
    for f in known:
        if f.name not in data:
            continue  # an older file: the field keeps its default
        try:
            values[f.name] = _conform(data[f.name], hints.get(f.name, typing.Any), f.name)
        except _Mismatch as bad:
            line = lines.get(bad.key, lines.get(f.name))
            hint = ""
            if isinstance(bad.value, bool) and "a string" in bad.allowed:
                hint = " (YAML reads yes/no/on/off/true/false as a boolean: quote the word)"
            raise ViewFileError(source, f"{bad.key} = {bad.value!r}; allowed: {bad.allowed}{hint}",
                                key=bad.key, line=line) from None
    try:
        return ViewState(**values)
    except (ValueError, TypeError) as exc:
        message = str(exc)
        # A StateError names its field ("peel", "visible.skin"); otherwise the message names it first.
        head = message.split(maxsplit=1)[0].rstrip(":=") if message else ""
        key = getattr(exc, "field", None) or (head if head in names else None)
        if key is not None and key not in names and key not in lines:
            key = key.split(".")[0]
        if key is not None:  # a nested key quoted in the message ("unknown layer 'scalp'") has its own line
            key = next((k for k in lines if k.startswith(f"{key}.") and f"'{k[len(key) + 1:]}'" in message), key)
        raise ViewFileError(source, message, key=key, line=lines.get(key) if key else None) from None


# ----------------------------------------------------------------------------------------------------
# Files


@contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    """Write a file all at once: yields a temporary path in the same folder, moved onto ``path`` by
    ``os.replace`` when the block ends without an error, and removed when it raises.

    The temporary file is created empty (mode 0666 less the umask, like a plain ``open``) and keeps the
    target's suffix, for tools that choose a format by it. The target's folder must exist.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.tmp{path.suffix}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb") as done:
            os.fsync(done.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def save_view(state: ViewState, path: str | os.PathLike) -> Path:
    """Write ``state`` to a view file, atomically (the old file stays whole if anything fails).

    Parameters
    ----------
    state : ViewState
    path : str or path-like
        Conventionally ``*.yaml``; its folder must exist.

    Returns
    -------
    Path
    """
    path = Path(path)
    text = view_to_yaml(state)
    with atomic_output(path) as tmp:
        _write_text(tmp, text)
    return path


def load_view(path: str | os.PathLike) -> ViewState:
    """Read and validate a view file written by :func:`save_view` (or by hand).

    Raises
    ------
    ViewFileError
        The file cannot be read, or its content is not a valid view (see :func:`view_from_yaml`).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ViewFileError(str(path), "no such file") from None
    except IsADirectoryError:
        raise ViewFileError(str(path), "is a folder, not a view file") from None
    except UnicodeDecodeError as exc:
        raise ViewFileError(str(path), f"not UTF-8 text (byte {exc.start}): not a view file") from None
    except OSError as exc:
        raise ViewFileError(str(path), f"cannot read: {exc.strerror or exc}") from None
    return view_from_yaml(text, source=str(path))
