"""The spatial quiz's questions, answered by clicking on the model or by choosing an option, and their loading.

A *click question* names a place (a landmark, a feature of a placed nerve, or a point of the head frame) and is
scored by distance: full marks within ``full_marks_mm``, none beyond ``zero_marks_mm``, linear in between.
The distance is measured on the model between the click and the answer, each carried out along the model's ray
through it to the skin (see :func:`on_surface`). So a click on a peeled layer counts where it lies under the
skin, and a deep answer (a foramen on the bone, a nerve under the SMAS) is hit by clicking over it: the question
is *where* on the face, whichever layer is showing. For ``side = "either"`` the nearer side counts.

A *choice question* has options and the index of the right one: 1 point or 0.

The questions live in ``data/quiz.json`` (schema ``data/schemas/quiz.schema.json``); :func:`load_quiz` reads
them through :mod:`facelayers.core.documents`, checks them with :func:`facelayers.anatomy.quiz_checks.quiz_problems` (the
same checks ``python -m facelayers validate`` runs) against the anatomy and raises an
:class:`~facelayers.core.errors.InputError` naming the file, the line, the question, the field, the value and what
is allowed. :class:`QuizSession` is the whole quiz as a plain object (current question, answers, total, summary),
so the flow is testable without widgets (:mod:`facelayers.teaching.quiz_session`); :mod:`facelayers.widgets.quiz_widget` is
its view. Where an answer lies and how a click scores: :mod:`facelayers.teaching.quiz_scoring`. numpy only.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from facelayers.anatomy.load import Anatomy, default_data_dir, load_anatomy
from facelayers.anatomy.quiz_checks import QUIZ_WHERE, quiz_problems
from facelayers.core.documents import parse_json, read_text
from facelayers.core.errors import InputError
from facelayers.teaching.state import CAMERAS, SURGEON_CAMERAS

__all__ = [
    "ARCH_ABOVE_MM",
    "ChoiceQuestion",
    "ClickAnswer",
    "ClickQuestion",
    "QuizError",
    "load_quiz",
    "quiz_path",
]

#: The presets a question may turn to: the quiz has no raised flap to look into.
QUIZ_CAMERAS = tuple(c for c in CAMERAS if c not in SURGEON_CAMERAS)

QUIZ_FILE = "quiz.json"
CLICK_SIDES = ("left", "right", "either")
#: Where on a nerve a click answer lies: the arch crossing, the shallowest sample, or waypoint ``k`` (0-based).
WHERE = QUIZ_WHERE
#: The arch crossing is the nerve's first sample above the arch's inferior border plus this (mm), as in
#: tests/test_nerves.py: the middle of the arch's height.
ARCH_ABOVE_MM = 5.0

WAYPOINT = re.compile(r"^waypoint:(\d+)$")

def linear_points(distance_mm: float, full_marks_mm: float, zero_marks_mm: float) -> float:
    """1 at or within ``full_marks_mm``, 0 at or beyond ``zero_marks_mm``, linear in between."""
    if not full_marks_mm < zero_marks_mm:
        raise ValueError(f"full_marks_mm = {full_marks_mm:g} must be less than zero_marks_mm = {zero_marks_mm:g}")
    if not math.isfinite(distance_mm) or distance_mm < 0:
        raise ValueError(f"distance_mm = {distance_mm!r}; allowed: a finite number >= 0")
    return float(min(1.0, max(0.0, (zero_marks_mm - distance_mm) / (zero_marks_mm - full_marks_mm))))


# ----------------------------------------------------------------------------------------------------
# Questions


@dataclass(frozen=True)
class ClickAnswer:
    """Where a click question's answer is: exactly one of a landmark, a nerve feature or a point.

    Attributes
    ----------
    landmark : str or None
        A landmark id of landmarks.csv (its left side; mirrored for the right).
    nerve, where : str or None
        A nerve id of nerves.json and a feature of it: ``"arch_crossing"``, ``"shallowest"`` or
        ``"waypoint:<k>"`` (see :func:`nerve_feature`).
    point_mm : (3,) tuple of float, mm, or None
        A point of the head frame, left side (x >= 0).
    """

    landmark: str | None = None
    nerve: str | None = None
    where: str | None = None
    point_mm: tuple[float, float, float] | None = None

    def __post_init__(self) -> None:
        given = [self.landmark is not None, self.nerve is not None, self.point_mm is not None]
        if sum(given) != 1:
            raise ValueError(f"click answer: give exactly one of landmark, nerve (+ where) and point_mm; got {self}")
        if (self.nerve is None) != (self.where is None):
            raise ValueError(f"click answer: 'where' goes with 'nerve' and only with it; got {self}")
        if self.where is not None and self.where not in WHERE[:2] and not WAYPOINT.match(self.where):
            raise ValueError(f"click answer: where = {self.where!r}; allowed: {', '.join(WHERE)}")
        if self.point_mm is not None:
            p = tuple(float(v) for v in self.point_mm)
            if len(p) != 3 or not all(math.isfinite(v) for v in p):
                raise ValueError(f"click answer: point_mm = {self.point_mm!r}; allowed: 3 finite numbers (mm)")
            object.__setattr__(self, "point_mm", p)

    def describe(self) -> str:
        """A short phrase naming the answer (for summaries)."""
        if self.landmark is not None:
            return f"landmark {self.landmark}"
        if self.nerve is not None:
            return f"nerve {self.nerve} ({self.where})"
        return f"point {list(self.point_mm)} mm"


@dataclass(frozen=True)
class ClickQuestion:
    """A question answered by clicking on the model, scored by the distance to the answer.

    Attributes
    ----------
    question_id, prompt, explanation : str
    answer : ClickAnswer
    side : {"left", "right", "either"}
        Which side's answer counts; "either" scores against the nearer side.
    full_marks_mm, zero_marks_mm : float, mm
        Full marks at or within ``full_marks_mm``, none at or beyond ``zero_marks_mm``, linear between.
    source_id, locator : str
        Provenance of the answer and the explanation (sources.csv).
    camera : str or None
        A camera preset (:data:`QUIZ_CAMERAS`) that shows the place, or None to keep the current view.
    title : str
        A short title for the results table ("" if quiz.json gives none: :attr:`heading` uses the prompt).
    """

    question_id: str
    prompt: str
    answer: ClickAnswer
    side: str
    full_marks_mm: float
    zero_marks_mm: float
    explanation: str
    source_id: str
    locator: str
    camera: str | None = None
    title: str = ""
    kind: ClassVar[str] = "click"

    def __post_init__(self) -> None:
        if self.side not in CLICK_SIDES:
            raise ValueError(f"question {self.question_id}: side = {self.side!r}; allowed: {', '.join(CLICK_SIDES)}")
        for name in ("full_marks_mm", "zero_marks_mm"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise ValueError(f"question {self.question_id}: {name} = {value!r}; allowed: a number >= 0 (mm)")
            object.__setattr__(self, name, float(value))
        if self.full_marks_mm >= self.zero_marks_mm:
            raise ValueError(f"question {self.question_id}: full_marks_mm = {self.full_marks_mm:g} must be less than "
                             f"zero_marks_mm = {self.zero_marks_mm:g}")
        if self.camera is not None and self.camera not in QUIZ_CAMERAS:
            raise ValueError(f"question {self.question_id}: camera = {self.camera!r}; "
                             f"allowed: {', '.join(QUIZ_CAMERAS)}")

    def points_for(self, distance_mm: float) -> float:
        """Points 0..1 for a click ``distance_mm`` from the answer (see :func:`linear_points`)."""
        return linear_points(distance_mm, self.full_marks_mm, self.zero_marks_mm)


@dataclass(frozen=True)
class ChoiceQuestion:
    """A multiple-choice question: 1 point for the right option, 0 otherwise.

    Attributes
    ----------
    question_id, prompt, explanation : str
    options : tuple of str
        At least two, all different.
    answer : int
        Index of the right option (0-based).
    source_id, locator : str
    title : str
        A short title for the results table ("" if quiz.json gives none: :attr:`heading` uses the prompt).
    """

    question_id: str
    prompt: str
    options: tuple[str, ...]
    answer: int
    explanation: str
    source_id: str
    locator: str
    title: str = ""
    kind: ClassVar[str] = "choice"

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(self.options))
        if len(self.options) < 2 or len(set(self.options)) != len(self.options):
            raise ValueError(f"question {self.question_id}: options must be at least 2 different texts")
        n = len(self.options)
        if isinstance(self.answer, bool) or not isinstance(self.answer, int) or not 0 <= self.answer < n:
            raise ValueError(f"question {self.question_id}: answer = {self.answer!r}; allowed: an index 0 to {n - 1}")


Question = ClickQuestion | ChoiceQuestion


def heading(question: Question, width: int = 36) -> str:
    """A question's short title as students read it: its ``title``, else the start of its prompt.

    Parameters
    ----------
    question : ClickQuestion or ChoiceQuestion
    width : int
        At most this many characters (a longer prompt is cut at a word and ends with "...").

    Returns
    -------
    str
    """
    text = question.title or question.prompt.rstrip(".?")
    if len(text) <= width:
        return text
    return text[:width - 3].rsplit(" ", 1)[0] + "..."


# ----------------------------------------------------------------------------------------------------
# Loading, with every problem named


#: A problem in a quiz file is an :class:`~facelayers.core.errors.InputError` (the package's one error type);
#: ``QuizError`` is its older name here.
QuizError = InputError


def quiz_path() -> Path:
    """The quiz shipped with the package: ``data/quiz.json`` (``facelayers/data`` in a wheel)."""
    return default_data_dir() / QUIZ_FILE


def load_quiz(path: str | Path | None = None, anatomy: Anatomy | None = None) -> tuple[Question, ...]:
    """Load and check a quiz file.

    Parameters
    ----------
    path : str or Path, optional
        Default :func:`quiz_path` (the shipped ``data/quiz.json``).
    anatomy : Anatomy, optional
        Resolves landmarks, nerves and sources; default :func:`facelayers.anatomy.load.load_anatomy`.

    Returns
    -------
    tuple of ClickQuestion and ChoiceQuestion
        In file order.

    Raises
    ------
    InputError
        Listing every problem (``problems``): unreadable or malformed JSON (with line and column), the schema
        (an unknown kind or field, a negative distance, a missing field), an unknown landmark, nerve, feature
        or source, an index out of range, ``full_marks_mm >= zero_marks_mm``, a duplicate id.
    """
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise InputError("load_quiz(path)", None, None, "path", type(path).__name__, "must be a str or a path")
    if anatomy is not None and not isinstance(anatomy, Anatomy):
        raise InputError("load_quiz(anatomy)", None, None, "anatomy", type(anatomy).__name__,
                         "must be an Anatomy (facelayers.anatomy.load.load_anatomy) or None")
    path = Path(path) if path is not None else quiz_path()
    anatomy = anatomy if anatomy is not None else load_anatomy()
    try:
        parsed = parse_json(read_text(path, path.name, missing="cannot be read: no such file"), path.name)
    except InputError as error:
        raise InputError.gather(error.problems, f"invalid quiz {path}") from None
    waypoints = {nerve_id: len(nerve.waypoints) for nerve_id, nerve in anatomy.nerves.items()}
    records, problems = quiz_problems(parsed, list(anatomy.sources), list(anatomy.landmarks), waypoints)
    if problems:
        raise InputError.gather(problems, f"invalid quiz {path}")
    return tuple(_question(record.values) for record in records)


def _question(raw: Mapping[str, Any]) -> Question:
    """A question object from a checked item of quiz.json."""
    common = {k: raw[k] for k in ("question_id", "prompt", "explanation", "source_id", "locator")}
    common["title"] = raw.get("title", "")
    if raw["kind"] == "choice":
        return ChoiceQuestion(options=tuple(raw["options"]), answer=raw["answer"], **common)
    a = raw["answer"]
    answer = ClickAnswer(landmark=a.get("landmark"), nerve=a.get("nerve"), where=a.get("where"),
                         point_mm=tuple(a["point_mm"]) if "point_mm" in a else None)
    return ClickQuestion(answer=answer, side=raw["side"], full_marks_mm=raw["full_marks_mm"],
                         zero_marks_mm=raw["zero_marks_mm"], camera=raw.get("camera"), **common)


