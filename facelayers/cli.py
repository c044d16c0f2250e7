"""Command line: ``python -m facelayers <command>`` (also installed as ``facelayers``).

Commands are registered in :data:`COMMANDS` (name -> :class:`Command`), so a new one (``export``) is
one entry: a help line, a function that adds its arguments, and a function that runs it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from facelayers.storyboard import read_data
from facelayers.validation import TABLES, package_data_dir

__all__ = ["COMMANDS", "Command", "build_parser", "main"]


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
    parser.add_argument("dir", nargs="?", metavar="DIR", type=Path, default=None,
                        help="data folder to check (default: the data shipped with the package)")


def _run_validate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Check a data folder: one line per problem on stderr and exit 1, or an OK line and exit 0."""
    data_dir = args.dir if args.dir is not None else package_data_dir()
    if not data_dir.exists():
        return _usage_error(parser, f"DIR {str(data_dir)!r} does not exist")
    if not data_dir.is_dir():
        return _usage_error(parser, f"DIR {str(data_dir)!r} is a file, not a folder")
    tables, problems = read_data(data_dir)  # the data checks and the storyboards' views
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    storyboards = tables.pop("storyboards", [])
    rows = sum(len(records) for records in tables.values())
    steps = sum(len(record.values["steps"]) for record in storyboards)
    print(f"OK: {data_dir} is valid ({len(TABLES)} files, {rows} rows; {len(storyboards)} storyboards, "
          f"{steps} steps)")
    return 0


def _usage_error(parser: argparse.ArgumentParser, message: str, status: int = 2) -> int:
    """An argparse-style one-line error on stderr; exit status 2 (or ``status``)."""
    print(f"{parser.prog}: error: {message}", file=sys.stderr)
    return status


# ----------------------------------------------------------------------------------------------------
# export


def _add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """``export LESSON --out FILE [--format F] [--resolution R] [--view VIEW.yaml] [--max-mb MB]``.

    Choices are checked by :mod:`facelayers.export` (one line naming the argument, the value and what is
    allowed), not by argparse, so that this parser stays free of plotly and the errors read alike.
    """
    parser.add_argument("lesson", metavar="LESSON", help="what to export: 01 (or layers) for lesson 01; 00 (or course, all) for the whole course: layers, nerves, techniques and the storyboard steps")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE",
                        help="the file to write, in an existing folder; for stl, FILE-skin.stl ... FILE-bone.stl")
    parser.add_argument("--format", dest="fmt", default=None, metavar="FORMAT",
                        help="html (self-contained, offline), png, glb, obj or stl; default: from FILE's suffix")
    parser.add_argument("--resolution", default="lecture", metavar="RES",
                        help="the model's grid: coarse, lecture (default) or fine; never scaled down")
    parser.add_argument("--view", type=Path, default=None, metavar="VIEW.yaml",
                        help="a saved view (facelayers.views): the initial view, and the cutaway of the meshes")
    parser.add_argument("--max-mb", type=float, default=None, metavar="MB",
                        help="size budget of an html export in MB (whole file): over it, nothing is written and the "
                             "error says what fits (default and 0: no budget)")


def _run_export(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Export a lesson; print what was written (paths, sizes, the grid used)."""
    try:
        from facelayers.export import ExportError, export
    except ImportError as exc:  # plotly missing: facelayers.export says which extra to install
        return _usage_error(parser, str(exc), status=1)
    try:
        result = export(args.lesson, args.out, fmt=args.fmt, resolution=args.resolution, view=args.view,
                        max_mb=None if not args.max_mb else args.max_mb)
    except ExportError as exc:
        return _usage_error(parser, str(exc), status=exc.status)
    for path in result.paths:
        print(f"wrote {path}")
    for note in result.notes:
        print(note)
    return 0


class _OneLineParser(argparse.ArgumentParser):
    """A subcommand's parser whose errors are one line (``facelayers export: error: ...``), exit 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


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
    parser = argparse.ArgumentParser(prog="facelayers", description="facelayers command line tools")
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
        Exit status: 0 success, 1 the command found problems, 2 a usage error.
    """
    parser, parsers = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed its message (or --help)
        return exit_.code if isinstance(exit_.code, int) else 2
    return COMMANDS[args.command].run(args, parsers[args.command])
