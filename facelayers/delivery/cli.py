"""Command line: ``python -m facelayers <command>`` (also installed as ``facelayers``).

Commands are registered in :data:`COMMANDS` (name -> :class:`Command`), so a new one (``export``) is
one entry: a help line, a function that adds its arguments, and a function that runs it.

Every bad input is one line on stderr naming the argument (or the file, line and field), the value and what
is allowed, and exit status 1; never a traceback, never a hang, never a half-written file. Arguments are
checked before any work: ids of any form (a 5000-digit lesson number, ``¹``), numbers (``nan``, ``inf``,
negative), paths of any length (a name the file system cannot hold is refused, one it can is written). SIGINT
(Ctrl-C) and SIGTERM during a command remove the temporary file being written (:mod:`facelayers.core.atomic`) and
print one line; the exit status is then 130 or 143.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from facelayers.anatomy.specs import TABLES, package_data_dir
from facelayers.core.atomic import Terminated, install_signal_handlers
from facelayers.core.errors import InputError
from facelayers.teaching.storyboard import read_data

__all__ = ["COMMANDS", "Command", "build_parser", "check_id", "check_number", "check_path", "main"]

#: How a lesson (or any other) id given on the command line may look: ASCII letters, digits, ``_`` and ``-``.
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}", re.ASCII)
#: The longest file name most file systems hold (bytes), when the folder cannot be asked.
NAME_MAX = 255
#: The longest path (bytes), when the system cannot be asked.
PATH_MAX = 4096


@dataclass(frozen=True)
class Command:
    """One subcommand.

    Attributes
    ----------
    help : str
        One line for ``--help``.
    add_arguments : callable
        ``add_arguments(parser)`` adds the subcommand's arguments to its ``argparse`` parser.
    run : callable
        ``run(args, parser) -> int`` does the work and returns the exit status; ``parser`` is the
        subcommand's parser, for usage errors.
    """

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, argparse.ArgumentParser], int]


# ----------------------------------------------------------------------------------------------------
# validate


def _add_validate_arguments(parser: argparse.ArgumentParser) -> None:
    """``validate [DIR]``."""
    parser.add_argument("dir", nargs="?", metavar="DIR", default=None,
                        help="data folder to check (default: the data shipped with the package)")


def _run_validate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Check a data folder: one line per problem on stderr and exit 1, or an OK line and exit 0."""
    data_dir = check_path("DIR", args.dir) if args.dir is not None else package_data_dir()
    try:
        exists, is_dir = data_dir.exists(), data_dir.is_dir()
    except OSError as error:
        raise InputError("DIR", None, None, None, str(data_dir),
                         f"cannot be read ({error.strerror or error}): must be a data folder") from None
    if not exists:
        return _usage_error(parser, f"DIR {str(data_dir)!r} does not exist")
    if not is_dir:
        return _usage_error(parser, f"DIR {str(data_dir)!r} is a file, not a folder")
    tables, problems = read_data(data_dir)  # the data checks and the storyboards' views
    for problem in problems:
        _say(str(problem), sys.stderr)
    if problems:
        return 1
    storyboards = tables.pop("storyboards", [])
    rows = sum(len(records) for records in tables.values())
    steps = sum(len(record.values["steps"]) for record in storyboards)
    print(f"OK: {data_dir} is valid ({len(TABLES)} files, {rows} rows; {len(storyboards)} storyboards, "
          f"{steps} steps)")
    return 0


def _usage_error(parser: argparse.ArgumentParser, message: str, status: int = 1) -> int:
    """An argparse-style one-line error on stderr; exit status 1 (or ``status``)."""
    _say(f"{parser.prog}: error: {message}", sys.stderr)
    return status


def _say(text: str, stream) -> None:
    """Print one line, whatever the terminal's encoding (a file name that is not UTF-8 is escaped)."""
    try:
        print(text, file=stream)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "utf-8"
        print(text.encode(encoding, "backslashreplace").decode(encoding), file=stream)


# ----------------------------------------------------------------------------------------------------
# Checking arguments


def check_id(name: str, value: str, allowed: str) -> str:
    """An id given on the command line: ASCII letters, digits, ``_`` and ``-``, at most 40.

    Parameters
    ----------
    name : str
        The argument (``"LESSON"``), named in the error.
    value : str
    allowed : str
        The ids that are allowed, for the error (``"01 or layers, 00 or course"``).

    Returns
    -------
    str
        ``value``, unchanged.

    Raises
    ------
    InputError
        Naming the argument, the value (shortened) and what is allowed.
    """
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise InputError(name, None, None, None, _brief(value), f"is not known; allowed: {allowed}")
    return value


def check_number(name: str, text: str, *, minimum: float = 0.0, unit: str = "") -> float:
    """A number given on the command line: finite and at least ``minimum``.

    Parameters
    ----------
    name : str
        The argument (``"--max-mb"``).
    text : str
        As given.
    minimum : float
    unit : str
        Named in the error (``"MB"``).

    Returns
    -------
    float

    Raises
    ------
    InputError
        Not a number, ``nan``, ``inf`` or below ``minimum``.
    """
    allowed = f"must be a finite number >= {minimum:g}" + (f" ({unit})" if unit else "")
    try:
        value = float(text)
    except (TypeError, ValueError, OverflowError):
        raise InputError(name, None, None, None, _brief(text), allowed) from None
    if not math.isfinite(value) or value < minimum:
        raise InputError(name, None, None, None, _brief(text), allowed)
    return value


def check_path(name: str, text: str, *, file: bool = False) -> Path:
    """A path given on the command line that the file system can hold.

    Parameters
    ----------
    name : str
        The argument (``"--out"``).
    text : str
        As given.
    file : bool
        A file to write: its name must not be a bare suffix (``.html``).

    Returns
    -------
    Path

    Raises
    ------
    InputError
        A NUL character, a file name longer than the folder's limit (usually 255 bytes), a path longer than
        the system's, or (``file``) a name that is only a suffix.
    """
    if "\x00" in text:
        raise InputError(name, None, None, None, _brief(text), "holds a NUL character: must be a file path")
    path = Path(text)
    if not text:
        raise InputError(name, None, None, None, "", "is empty: must be a path")
    encoded = os.fsencode(text)
    limit = _limit(path.parent, "PC_PATH_MAX", PATH_MAX)
    if len(encoded) >= limit:
        raise InputError(name, None, None, None, _brief(text),
                         f"the path is {len(encoded)} bytes: must be shorter than {limit}")
    name_max = _limit(path.parent, "PC_NAME_MAX", NAME_MAX)
    for part in path.parts:
        if len(os.fsencode(part)) > name_max:
            raise InputError(name, None, None, None, _brief(text),
                             f"a name in the path is {len(os.fsencode(part))} bytes: the file system holds at "
                             f"most {name_max}")
    if file and path.name.startswith(".") and path.suffix == "" and path.name.count(".") == 1 and len(path.name) > 1:
        raise InputError(name, None, None, None, text, f"the file name is only a suffix: give a name before it, "
                                                       f"e.g. lesson{path.name}")
    return path


def _limit(folder: Path, what: str, default: int) -> int:
    """A file-system limit for ``folder`` (``os.pathconf``), or ``default`` when it cannot be asked."""
    try:
        return int(os.pathconf(folder if str(folder) and folder.is_dir() else ".", what))
    except (OSError, ValueError, AttributeError):
        return default


def _brief(value) -> str:
    """A value for an error: its repr-safe text, shortened to 60 characters."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else f"{text[:40]}... ({len(text)} characters)"


# ----------------------------------------------------------------------------------------------------
# export


def _add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """``export LESSON --out FILE [--format F] [--resolution R] [--view VIEW.yaml] [--max-mb MB]``.

    Choices are checked by :mod:`facelayers.delivery.arguments` (one line naming the argument, the value and what is
    allowed), not by argparse, so that this parser stays free of plotly and the errors read alike.
    """
    parser.add_argument("lesson", metavar="LESSON",
                        help="what to export: 01 (or layers) for lesson 01; 00 (or course, all) for the whole course: "
                             "layers, nerves, techniques and the storyboard steps")
    parser.add_argument("--out", required=True, metavar="FILE",
                        help="the file to write, in an existing folder; for stl, FILE-skin.stl ... FILE-bone.stl")
    parser.add_argument("--format", dest="fmt", default=None, metavar="FORMAT",
                        help="html (self-contained, offline), png, glb, obj or stl; default: from FILE's suffix")
    parser.add_argument("--resolution", default="lecture", metavar="RES",
                        help="the model's grid: coarse, lecture (default) or fine; never scaled down")
    parser.add_argument("--view", default=None, metavar="VIEW.yaml",
                        help="a saved view (facelayers.teaching.views): the initial view, and the cutaway of the meshes")
    parser.add_argument("--max-mb", default="0", metavar="MB",
                        help="size budget of an html export in MB (whole file): over it, nothing is written and the "
                             "error says what fits (default and 0: no budget)")


def _run_export(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Export a lesson; print what was written (paths, sizes, the grid used)."""
    try:
        from facelayers.delivery import arguments
        from facelayers.delivery import export as exporter
        from facelayers.delivery.lessons import lesson_choices
    except ImportError as exc:  # plotly missing: facelayers.delivery.export says which extra to install
        return _usage_error(parser, str(exc), status=1)
    check_id("LESSON", args.lesson, lesson_choices())
    out = check_path("--out", args.out, file=True)
    view = check_path("--view", args.view) if args.view is not None else None
    max_mb = check_number("--max-mb", args.max_mb, unit="MB; 0: no limit")
    try:
        arguments.check_out_folder(out)
        fmt = arguments.check_format(args.fmt, out)
        longest = max(arguments.output_paths(out, fmt), key=lambda p: len(os.fsencode(p.name)))
        check_path("--out", str(longest))  # STL parts are longer than FILE: each must fit the file system
        result = exporter.export(args.lesson, out, fmt=fmt, resolution=args.resolution, view=view,
                                 max_mb=None if max_mb == 0 else max_mb)
    except exporter.ExportError as exc:
        return _usage_error(parser, str(exc), status=1)
    for path in result.paths:
        _say(f"wrote {path}", sys.stdout)
    for note in result.notes:
        _say(note, sys.stdout)
    return 0


class _OneLineParser(argparse.ArgumentParser):
    """A parser whose errors are one line (``facelayers export: error: ...``), exit status 1."""

    def error(self, message: str):
        """Print ``message`` as one line and exit with status 1."""
        self.exit(1, f"{self.prog}: error: {message}\n")


#: The subcommands, by name.
COMMANDS: dict[str, Command] = {
    "validate": Command(
        help="check the data tables (files, columns, types, schemas, references, provenance)",
        add_arguments=_add_validate_arguments,
        run=_run_validate,
    ),
    "export": Command(
        help="write a lesson for students: one offline HTML file, meshes (glb, obj, stl) or a PNG still",
        add_arguments=_add_export_arguments,
        run=_run_export,
    ),
}


# ----------------------------------------------------------------------------------------------------
# main


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The top-level parser and one subparser per command in :data:`COMMANDS`."""
    parser = _OneLineParser(prog="facelayers", description="facelayers command line tools")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                       parser_class=_OneLineParser)
    parsers = {}
    for name, command in COMMANDS.items():
        parsers[name] = subparsers.add_parser(name, help=command.help, description=command.help)
        command.add_arguments(parsers[name])
    return parser, parsers


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 success, 1 a bad argument, bad data or a failed command (one line on stderr each),
        130 interrupted by SIGINT, 143 by SIGTERM (one line; no temporary file is left).
    """
    parser, parsers = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed its message (or --help)
        return exit_.code if isinstance(exit_.code, int) and exit_.code in (0, 1) else 1
    prog = parsers[args.command].prog
    install_signal_handlers()
    try:
        return COMMANDS[args.command].run(args, parsers[args.command])
    except InputError as error:
        for problem in error.problems:
            _say(f"{prog}: error: {problem}", sys.stderr)
        return 1
    except KeyboardInterrupt:
        _say(f"{prog}: interrupted (SIGINT): stopped; no file was left half-written", sys.stderr)
        return 128 + signal.SIGINT
    except Terminated as stop:
        _say(f"{prog}: terminated (SIGTERM): stopped; no file was left half-written", sys.stderr)
        return 128 + stop.signum
    except OSError as error:
        where = f" {error.filename!r}" if error.filename else ""
        _say(f"{prog}: error:{where} {error.strerror or error}", sys.stderr)
        return 1
    except RecursionError:
        _say(f"{prog}: error: an input is nested too deeply", sys.stderr)
        return 1
