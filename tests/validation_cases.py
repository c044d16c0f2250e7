"""Shared by the bad-data tests: the problem line a corruption of a data copy must produce."""

from __future__ import annotations

from dataclasses import dataclass


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
    """`python -m facelayers validate` (a finished subprocess) refused the data with exactly this problem:
    exit 1, nothing on stdout, no traceback, the expected line, and no cascade of further lines."""
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    hits = [line for line in lines if line.startswith(expect.prefix()) and expect.allowed in line]
    assert hits, f"expected a line starting {expect.prefix()!r} holding {expect.allowed!r}; got:\n{proc.stderr}"
    assert len(lines) <= expect.max_problems, proc.stderr
