"""Shared by the bad-data tests: the problem line a corruption of a data copy must produce, and
``python -m facelayers validate`` run in this process (the same ``main`` the console script runs)."""

from __future__ import annotations

import io
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

from facelayers.delivery.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """``python -m facelayers ARGS`` in this process: exit status, stdout and stderr as a finished process
    would give them (an exception escaping ``main`` fails the test, as a traceback would)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(list(args))
    return subprocess.CompletedProcess(["facelayers", *args], status, out.getvalue(), err.getvalue())


def run_validate(*args: str) -> subprocess.CompletedProcess:
    """``python -m facelayers validate ARGS``, in this process (see :func:`run_cli`)."""
    return run_cli("validate", *args)


@dataclass(frozen=True)
class Expect:
    """The problem line a corruption must produce (None: that part is not in the message).

    max_problems : how many problem lines the one fault may cause at most (no cascade).
    """

    file: str
    line: int | None
    row: str | None
    field: str | None
    value: str | None
    allowed: str
    max_problems: int = 2

    def prefix(self) -> str:
        text = self.file + (f" line {self.line}" if self.line is not None else "")
        text += f" ({self.row})" if self.row else ""
        if self.field is not None:
            text += f": field '{self.field}'" + (f" = '{self.value}'" if self.value is not None else "")
        return text + ": "


def assert_reported(expect: Expect, proc) -> None:
    """`python -m facelayers validate` (a finished run, :func:`run_validate`) refused the data with exactly this problem:
    exit 1, nothing on stdout, no traceback, the expected line, and no cascade of further lines."""
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    hits = [line for line in lines if line.startswith(expect.prefix()) and expect.allowed in line]
    assert hits, f"expected a line starting {expect.prefix()!r} holding {expect.allowed!r}; got:\n{proc.stderr}"
    assert len(lines) <= expect.max_problems, proc.stderr
