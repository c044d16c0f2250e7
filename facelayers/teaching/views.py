"""Saved views: a :class:`~facelayers.teaching.state.ViewState` as a small YAML file that reads and diffs well.

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
type or outside what :class:`ViewState` allows, or an id the data do not hold (a technique, a nerve, a
branch group, a muscle, a port) is an :class:`~facelayers.core.errors.InputError` naming the file, the line, the
key, the value and what is allowed; a key that is missing (a file written before the field existed) takes its
default. The file is read by :mod:`facelayers.core.documents` (safe, bounded YAML: no aliases, tags or merge keys,
at most :data:`MAX_VIEW_BYTES`). :func:`save_view` refuses a state that :func:`load_view` would refuse.
The keys are read from the state's fields and the types from its annotations, so a new field of the state
(technique, endoscope pose...) is saved and loaded without a change here.

Writes are atomic (:func:`facelayers.core.atomic.atomic_output`): a temporary file in the same folder, then
``os.replace``; the temporary file is removed on an error, SIGINT or SIGTERM.
This module is part of the light core: PyYAML and the standard library, no numpy, plotly or widgets.
"""

from __future__ import annotations

import os
import types
import typing
from dataclasses import MISSING, fields
from pathlib import Path

import yaml

from facelayers.anatomy.storyboard_checks import package_view_ids, view_reference_problems
from facelayers.core.atomic import atomic_output
from facelayers.core.documents import parse_yaml, read_text, show
from facelayers.core.errors import InputError, path_text
from facelayers.teaching.state import ViewState

__all__ = ["HEADER", "MAX_VIEW_BYTES", "PATIENT_KEY", "VERSION", "ViewFileError", "atomic_output", "load_view",
           "load_view_patient", "save_view", "view_from_yaml", "view_patient_from_yaml", "view_to_yaml"]

#: The first line of every view file.
HEADER = "# facelayers view"
#: The file format's version; a file without ``version`` is read as version 1.
VERSION = 1
#: The largest view file read (bytes); a saved view is under 1 kB.
MAX_VIEW_BYTES = 64 * 1024
#: An optional key of a view file: the view's patient (``ViewState.patient``), a mapping ``{sex, age, bmi}``
#: checked by :class:`facelayers.model.patient.Patient`; left out for the reference patient (None).
PATIENT_KEY = "patient"

#: A view file's error is the package's one error type (file, line, key, value, allowed); the old name.
ViewFileError = InputError


# ----------------------------------------------------------------------------------------------------
# Fields and their types, read from the dataclass


def _fields() -> list:
    """The ViewState fields written and read one to a key (the patient is the :data:`PATIENT_KEY` mapping)."""
    return [f for f in fields(ViewState) if f.init and f.name != PATIENT_KEY]


def _hints() -> dict[str, object]:
    """Field name -> annotation.

    If an annotation cannot be resolved (a name imported only for type checkers), no field is type-checked here and
    ViewState.validate alone judges the values.
    """
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
    """``value`` checked against the annotation ``hint`` (ints become floats where a float is due).

    Raises :class:`_Mismatch` naming the innermost key that does not fit.
    """
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


def view_to_yaml(state: ViewState, patient=None) -> str:
    """The view file's text for ``state``: a header comment, ``version``, then every field in order.

    Parameters
    ----------
    state : ViewState
    patient : facelayers.model.patient.Patient, optional
        Written last, as ``patient: {sex, age, bmi}``; default ``state.patient`` (left out when None).

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
    patient = patient if patient is not None else state.patient
    if patient is not None:
        data[PATIENT_KEY] = _plain(patient.as_dict())
    body = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000)
    return f"{HEADER}\n{body}"


def _parse(text: str, source: str) -> tuple[dict, dict[str, int]]:
    """The top-level mapping and the line of each key (``"visible.skin"`` for nested ones)."""
    keys = ", ".join(["version", *(f.name for f in _fields()), PATIENT_KEY])
    document = parse_yaml(text, source, empty=f"the file is empty; a view file holds the keys {keys}")
    if not isinstance(document.data, dict):
        kind = "list" if isinstance(document.data, list) else "single value"
        raise InputError(source, document.line_at(()), allowed=f"expected a mapping of keys ({keys}) at the top, "
                                                                f"got a {kind}")
    lines = {path_text(path): line for path, line in document.lines.items() if path}
    return document.data, lines


def _error(source: str, key: str | None, value, allowed: str, lines: dict[str, int]) -> InputError:
    """An :class:`InputError` about ``key`` (dotted, ``visible.skin``) on its line (or its parent's)."""
    line = None
    if key is not None:
        probe = key
        while probe and probe not in lines:
            probe = probe.rpartition(".")[0] if "." in probe else probe.rpartition("[")[0]
        line = lines.get(probe)
    return InputError(source, line, None, key, None if key is None else show(value), allowed)


def view_from_yaml(text: str, source: str = "<string>", *, check_ids: bool = True,
                   data_dir: str | os.PathLike | None = None) -> ViewState:
    """A :class:`ViewState` from a view file's text, validated.

    Parameters
    ----------
    text : str
    source : str
        Named in error messages (the file's path).
    check_ids : bool
        Check the ids the view names (technique, pick, scope_port) against the data (default True; a
        storyboard's steps are checked against their own data folder by :mod:`facelayers.anatomy.validation`).
    data_dir : str or path-like, optional
        The data folder whose ids count (default: the package's own).

    Returns
    -------
    ViewState
        Keys missing from the text take the field's default.

    Raises
    ------
    InputError
        Malformed or unsafe YAML (with the line), a key given twice, an unknown key (listing the allowed ones),
        a ``version`` newer than this reader, a value of the wrong type or outside what ViewState allows, an
        unknown technique, nerve, group, muscle or port (listing the known ones).
    """
    data, lines = _parse(text, source)
    known = _fields()
    names = [f.name for f in known]
    allowed_keys = ", ".join(["version", *names, PATIENT_KEY])
    patient = _patient(data.pop(PATIENT_KEY), source, lines) if PATIENT_KEY in data else None
    unknown = [k for k in data if k != "version" and k not in names]
    if unknown:
        first = unknown[0]
        more = f" (and {len(unknown) - 1} more: {', '.join(map(str, unknown[1:]))})" if len(unknown) > 1 else ""
        raise _error(source, str(first), data[first], f"unknown key{more}; allowed keys: {allowed_keys}", lines)
    version = data.get("version", VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= VERSION:
        allowed = "1" if VERSION == 1 else f"an integer 1 to {VERSION}"
        raise _error(source, "version", version, f"version = {version!r}; allowed: {allowed} (this facelayers "
                                                 f"reads view files up to version {VERSION})", lines)
    hints = _hints()
    values = {}
    for f in known:
        if f.name not in data:
            continue  # an older file: the field keeps its default
        try:
            values[f.name] = _conform(data[f.name], hints.get(f.name, typing.Any), f.name)
        except _Mismatch as bad:
            hint = ""
            if isinstance(bad.value, bool) and "a string" in bad.allowed:
                hint = " (YAML reads yes/no/on/off/true/false as a boolean: quote the word)"
            raise _error(source, bad.key, bad.value, f"{bad.key} = {bad.value!r}; allowed: {bad.allowed}{hint}",
                         lines) from None
    if check_ids:
        ids = package_view_ids() if data_dir is None else _view_ids(data_dir)
        for key, value, allowed in view_reference_problems(values, ids):
            raise _error(source, key, value, allowed, lines)
    if patient is not None:
        values[PATIENT_KEY] = patient
    try:
        return ViewState(**values)
    except (ValueError, TypeError) as exc:
        message = str(exc).replace("\n", "; ")
        # A StateError names its field ("peel", "visible.skin"); otherwise the message names it first.
        head = message.split(maxsplit=1)[0].rstrip(":=") if message else ""
        key = getattr(exc, "field", None) or (head if head in names else None)
        if key is not None and key not in names and key not in lines:
            key = key.split(".")[0]
        if key is not None:  # a nested key quoted in the message ("unknown layer 'scalp'") has its own line
            key = next((k for k in lines if k.startswith(f"{key}.") and f"'{k[len(key) + 1:]}'" in message), key)
        value = _lookup(data, key) if key is not None else None
        raise _error(source, key, value, message, lines) from None


def _lookup(data: dict, key: str):
    """The value at a dotted key (``visible.skin``) of the file's mapping, or None."""
    value = data
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _view_ids(data_dir):
    """:func:`facelayers.anatomy.storyboard_checks.view_ids` of another data folder."""
    from facelayers.anatomy.reading import DataSet
    from facelayers.anatomy.storyboard_checks import view_ids

    return view_ids(DataSet(data_dir))


def _patient(value, source: str, lines: dict[str, int]):
    """The view's patient, or a ViewFileError naming the line, the key and what is allowed."""
    # numpy-backed: imported only when a view names a patient.
    from facelayers.model.patient import Patient

    try:
        return Patient.from_mapping(value, where=PATIENT_KEY)
    except (TypeError, ValueError) as exc:
        field = next((k for k in ("sex", "age", "bmi") if f"field '{k}'" in str(exc)), None)
        key = f"{PATIENT_KEY}.{field}" if field else PATIENT_KEY
        raise _error(source, key, _lookup({PATIENT_KEY: value}, key), str(exc), lines) from None


def view_patient_from_yaml(text: str, source: str = "<string>"):
    """The patient a view file names (its optional ``patient`` key), or None.

    Returns
    -------
    facelayers.model.patient.Patient or None

    Raises
    ------
    ViewFileError
        As :func:`view_from_yaml` (the whole view is checked too).
    """
    view_from_yaml(text, source)
    data, lines = _parse(text, source)
    return _patient(data[PATIENT_KEY], source, lines) if PATIENT_KEY in data else None


# ----------------------------------------------------------------------------------------------------
# Files


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def save_view(state: ViewState, path: str | os.PathLike, patient=None) -> Path:
    """Write ``state`` to a view file, atomically (the old file stays whole if anything fails).

    Parameters
    ----------
    state : ViewState
    path : str or path-like
        Conventionally ``*.yaml``; its folder must exist.
    patient : facelayers.model.patient.Patient, optional
        Saved as the view's ``patient`` key (default: ``state.patient``).

    Returns
    -------
    Path

    Raises
    ------
    InputError
        ``state`` is not a ViewState, or holds a value :func:`load_view` would refuse (a field changed
        after construction to a value out of range, an unknown id); nothing is written.
    """
    path = Path(path)
    if not isinstance(state, ViewState):
        raise InputError("save_view(state)", None, None, "state", type(state).__name__,
                         "must be a ViewState (facelayers.teaching.state)")
    try:
        text = view_to_yaml(state, patient)
    except TypeError as exc:  # a field mutated to something no view file can hold
        raise InputError(str(path), None, None, None, None, f"cannot be saved: {exc}") from None
    view_from_yaml(text, source=str(path))  # what load_view would refuse is refused here, before any file
    with atomic_output(path) as tmp:
        _write_text(tmp, text)
    return path


def load_view(path: str | os.PathLike, *, data_dir: str | os.PathLike | None = None) -> ViewState:
    """Read and validate a view file written by :func:`save_view` (or by hand).

    Parameters
    ----------
    path : str or path-like
    data_dir : str or path-like, optional
        The data folder whose ids the view may name (default: the package's own).

    Returns
    -------
    ViewState

    Raises
    ------
    InputError
        The file cannot be read (missing, a folder, not UTF-8, a NUL byte, over :data:`MAX_VIEW_BYTES`), or its
        content is not a valid view (see :func:`view_from_yaml`).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InputError("load_view(path)", None, None, "path", type(path).__name__, "must be a str or a path")
    path = Path(path)
    text = read_text(path, str(path), max_bytes=MAX_VIEW_BYTES)
    return view_from_yaml(text, source=str(path), data_dir=data_dir)


def load_view_patient(path: str | os.PathLike):
    """The patient a view file names, or None (the file is checked as by :func:`load_view` first).

    Returns
    -------
    facelayers.model.patient.Patient or None
    """
    load_view(path)
    text = read_text(Path(path), str(path), max_bytes=MAX_VIEW_BYTES)
    return view_patient_from_yaml(text, source=str(path))
