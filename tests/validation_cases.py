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
