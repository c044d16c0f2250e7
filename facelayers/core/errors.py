"""The one error type for bad input: a data table, a view file, a storyboard, the quiz, an argument.

Every bad input the package meets (a cell of ``thickness.csv``, a key of a saved view, a step of a storyboard, a
question of ``quiz.json``, a command-line argument, an argument of a public function) is reported as an
:class:`InputError`: where it is (the file or argument, the line, the row), which field (by its path,
``steps[2].view.pick``), the value as written and what is allowed. ``str()`` is one line::

    thickness.csv line 7 (region forehead, layer fat): field 'thickness_mm' = '-1.0': must be a number > 0

An :class:`InputError` is a ``ValueError``: it can be raised, and it can be collected (the data checks return
lists of them). One that gathers several problems (:meth:`InputError.gather`) lists them, one per line, under a
heading, and keeps them in :attr:`InputError.problems`. The standard library only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["InputError", "path_text"]


def path_text(path: Sequence[str | int]) -> str:
    """A field path as text: ``("steps", 2, "view", "pick")`` -> ``steps[2].view.pick``.

    Parameters
    ----------
    path : sequence of str and int
        Keys of mappings (str) and indices of lists (int, 0-based), outermost first.

    Returns
    -------
    str
        Keys joined by ``.``, indices in brackets; ``""`` for the empty path.
    """
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


class InputError(ValueError):
    """One bad input, worded so that a reader can find and fix it.

    Parameters
    ----------
    file : str
        Where the input is: a file name (``"thickness.csv"``, ``"storyboards/deep_plane.yaml"``), a path, an
        argument (``"--max-mb"``) or a function argument (``"build_face(resolution)"``).
    line : int, optional
        1-based line in the file; None when the input has no line (an argument, a missing file).
    row : str, optional
        The row or item the field belongs to (``"region forehead, layer fat"``, ``"question q1"``).
    field : str, optional
        The field at fault, by its path inside the row or document (``"waypoints[2].layer"``).
    value : str, optional
        The value as written (``""`` for an empty cell); None shows no value.
    allowed : str
        What is wrong and what is allowed (``"must be a number > 0"``).

    Attributes
    ----------
    problems : tuple of InputError
        Every problem this error stands for: ``(self,)``, or all of them for :meth:`gather`.
    heading : str or None
        The first line of a gathered error (``"invalid data in data/ (2 problems):"``).

    Notes
    -----
    ``source`` and ``key`` are read-only aliases of ``file`` and ``field`` (the names the view-file error used).
    Two errors are equal when their six fields are, so repeated problems can be dropped with ``dict.fromkeys``.
    """

    def __init__(self, file: str, line: int | None = None, row: str | None = None, field: str | None = None,
                 value: str | None = None, allowed: str = "") -> None:
        self.file = str(file)
        self.line = line
        self.row = row
        self.field = field
        self.value = value
        self.allowed = allowed
        self.problems: tuple[InputError, ...] = (self,)
        self.heading: str | None = None
        super().__init__(self._line_text())

    # ------------------------------------------------------------------------------------------------
    # Several problems at once

    @classmethod
    def gather(cls, problems: Iterable[InputError], heading: str) -> InputError:
        """One error that stands for several problems (at least one).

        Parameters
        ----------
        problems : iterable of InputError
            The problems, in reading order.
        heading : str
            What was being read, e.g. ``"invalid data in data/"``; the count is added.

        Returns
        -------
        InputError
            Its fields are the first problem's; ``problems`` holds them all; ``str()`` is the heading with the
            count, then one line per problem.
        """
        problems = tuple(problems)
        if not problems:
            raise ValueError("InputError.gather needs at least one problem")
        first = problems[0]
        error = cls(first.file, first.line, first.row, first.field, first.value, first.allowed)
        count = f"{len(problems)} problem" + ("" if len(problems) == 1 else "s")
        error.heading = f"{heading} ({count}):"
        error.problems = problems
        error.args = ("\n".join([error.heading, *(p._line_text() for p in problems)]),)
        return error

    # ------------------------------------------------------------------------------------------------
    # Text

    def _line_text(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.row:
            where += f" ({self.row})"
        if self.field is None and self.value is not None:  # an argument: ``--max-mb 'nan'``
            where += f" '{_one_line(self.value)}'"
        parts = [where]
        if self.field is not None:
            # the field's name escaped too: a JSON key may hold a newline (hypothesis found {"\n": null})
            parts.append(f"field '{_one_line(self.field)}'"
                         + ("" if self.value is None else f" = '{_one_line(self.value)}'"))
        if self.allowed:
            parts.append(self.allowed)
        return ": ".join(parts)

    def __str__(self) -> str:
        return self.args[0] if self.args else self._line_text()

    def __repr__(self) -> str:
        return (f"InputError({self.file!r}, {self.line!r}, {self.row!r}, {self.field!r}, {self.value!r}, "
                f"{self.allowed!r})")

    # ------------------------------------------------------------------------------------------------
    # Equality and the old attribute names

    def _key(self) -> tuple[Any, ...]:
        return (self.file, self.line, self.row, self.field, self.value, self.allowed)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InputError):
            return NotImplemented
        return self._key() == other._key() and len(self.problems) == len(other.problems)

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self):
        return (InputError, self._key())

    @property
    def source(self) -> str:
        """The file (or argument) the input came from: an alias of ``file``."""
        return self.file

    @property
    def key(self) -> str | None:
        """The field at fault: an alias of ``field``."""
        return self.field


def _one_line(value: str) -> str:
    r"""A value for a one-line message.

    Control characters and line separators escaped (``\n``, ``\x0c``), at most 200 characters.
    """
    text = "".join(repr(char)[1:-1] if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char
                   for char in str(value)[:400])
    return text if len(text) <= 200 else text[:197] + "..."
