"""The spatial quiz: questions answered by clicking on the model or by choosing an option, and their scores.

A *click question* names a place (a landmark, a feature of a placed nerve, or a point of the head frame) and is
scored by distance: full marks within ``full_marks_mm``, none beyond ``zero_marks_mm``, linear in between.
The distance is measured on the model between the click and the answer, each carried out along the model's ray
through it to the skin (see :func:`on_surface`). So a click on a peeled layer counts where it lies under the
skin, and a deep answer (a foramen on the bone, a nerve under the SMAS) is hit by clicking over it: the question
is *where* on the face, whichever layer is showing. For ``side = "either"`` the nearer side counts.

A *choice question* has options and the index of the right one: 1 point or 0.

The questions live in ``data/quiz.json`` (schema ``data/schemas/quiz.schema.json``); :func:`load_quiz` reads
them through :mod:`facelayers.core.documents`, checks them with :func:`facelayers.anatomy.validation.quiz_problems` (the
same checks ``python -m facelayers validate`` runs) against the anatomy and raises an
:class:`~facelayers.core.errors.InputError` naming the file, the line, the question, the field, the value and what
is allowed. :class:`QuizSession` is the whole quiz as a plain object (current question, answers, total, summary),
so the flow is testable without widgets; :mod:`facelayers.widgets.quiz_widget` is its view. numpy only.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from facelayers.anatomy.load import Anatomy, default_data_dir, load_anatomy
from facelayers.anatomy.validation import QUIZ_WHERE, quiz_problems
from facelayers.core.documents import parse_json, read_text
from facelayers.core.errors import InputError
from facelayers.core.frame import mirror
from facelayers.model.geometry import FaceModel, params_of, rays
from facelayers.model.nerves import NervePath, place, place_all
from facelayers.teaching.state import CAMERAS, SURGEON_CAMERAS

#: The presets a question may turn to: the quiz has no raised flap to look into.
QUIZ_CAMERAS = tuple(c for c in CAMERAS if c not in SURGEON_CAMERAS)

__all__ = [
    "ARCH_ABOVE_MM",
    "ChoiceQuestion",
    "ClickAnswer",
    "ClickQuestion",
    "QuizError",
    "QuizSession",
    "Score",
    "answer_on_skin",
    "answer_point",
    "depth_below_skin",
    "feedback_text",
    "linear_points",
    "load_quiz",
    "nerve_feature",
    "on_surface",
    "quiz_path",
    "score_choice",
    "score_click",
    "score_distance",
]

QUIZ_FILE = "quiz.json"
CLICK_SIDES = ("left", "right", "either")
#: Where on a nerve a click answer lies: the arch crossing, the shallowest sample, or waypoint ``k`` (0-based).
WHERE = QUIZ_WHERE
#: The arch crossing is the nerve's first sample above the arch's inferior border plus this (mm), as in
#: tests/test_nerves.py: the middle of the arch's height.
ARCH_ABOVE_MM = 5.0

_WAYPOINT = re.compile(r"^waypoint:(\d+)$")


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
        if self.where is not None and self.where not in WHERE[:2] and not _WAYPOINT.match(self.where):
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
    """

    question_id: str
    prompt: str
    options: tuple[str, ...]
    answer: int
    explanation: str
    source_id: str
    locator: str
    kind: ClassVar[str] = "choice"

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(self.options))
        if len(self.options) < 2 or len(set(self.options)) != len(self.options):
            raise ValueError(f"question {self.question_id}: options must be at least 2 different texts")
        n = len(self.options)
        if isinstance(self.answer, bool) or not isinstance(self.answer, int) or not 0 <= self.answer < n:
            raise ValueError(f"question {self.question_id}: answer = {self.answer!r}; allowed: an index 0 to {n - 1}")


Question = ClickQuestion | ChoiceQuestion


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
    if raw["kind"] == "choice":
        return ChoiceQuestion(options=tuple(raw["options"]), answer=raw["answer"], **common)
    a = raw["answer"]
    answer = ClickAnswer(landmark=a.get("landmark"), nerve=a.get("nerve"), where=a.get("where"),
                         point_mm=tuple(a["point_mm"]) if "point_mm" in a else None)
    return ClickQuestion(answer=answer, side=raw["side"], full_marks_mm=raw["full_marks_mm"],
                         zero_marks_mm=raw["zero_marks_mm"], camera=raw.get("camera"), **common)


# ----------------------------------------------------------------------------------------------------
# Where the answer is


def nerve_feature(model: FaceModel, path: NervePath, where: str) -> np.ndarray:
    """A point of a placed nerve.

    Parameters
    ----------
    model : FaceModel
    path : NervePath
    where : str
        ``"arch_crossing"``: the first sample above the zygomatic arch's inferior border + :data:`ARCH_ABOVE_MM`
        (landmark ``arch_inferior``); ``"shallowest"``: the sample nearest the skin
        (:meth:`NervePath.shallowest`); ``"waypoint:<k>"``: the sample at waypoint k (0-based).

    Returns
    -------
    (3,) float64, mm
        On the nerve, at its depth.
    """
    if where == "arch_crossing":
        z_arch = model.anatomy.point("arch_inferior")[2] + ARCH_ABOVE_MM
        above = path.points[:, 2] >= z_arch
        if not above.any():
            raise ValueError(f"nerve {path.nerve_id} ({path.side}) never reaches the zygomatic arch "
                             f"(z >= {z_arch:g} mm): 'arch_crossing' needs a nerve that crosses it")
        i = int(np.argmax(above))
    elif where == "shallowest":
        i = int(np.argmin(path.depth_mm))
    elif (match := _WAYPOINT.match(where or "")) is not None:
        k = int(match.group(1))
        if k >= len(path.waypoint_at):
            raise ValueError(f"nerve {path.nerve_id}: waypoint {k} is out of range 0 to {len(path.waypoint_at) - 1}")
        i = int(path.waypoint_at[k])
    else:
        raise ValueError(f"where = {where!r}; allowed: {', '.join(WHERE)}")
    return np.array(path.points[i], dtype=np.float64)


def answer_point(model: FaceModel, question: ClickQuestion, paths: Mapping | None = None,
                 side: str | None = None) -> np.ndarray:
    """The answer of a click question in the model, at its depth (a landmark, a nerve feature, a point).

    Parameters
    ----------
    model : FaceModel
    question : ClickQuestion
    paths : dict of (nerve_id, side) -> NervePath, optional
        Placed nerves (:func:`facelayers.model.nerves.place_all`); a nerve missing from it is placed here.
    side : {"left", "right"}, optional
        Default: the question's side (the left for "either").

    Returns
    -------
    (3,) float64, mm
    """
    side = side or ("left" if question.side == "either" else question.side)
    a = question.answer
    if a.landmark is not None:
        return mirror(model.anatomy.point(a.landmark), side)
    if a.point_mm is not None:
        return mirror(a.point_mm, side)
    path = (paths or {}).get((a.nerve, side)) or place(model, a.nerve, side)
    return nerve_feature(model, path, a.where)


def on_surface(model: FaceModel, points, k: int = 0, lift_mm: float = 0.0) -> np.ndarray:
    """Points carried along the model's rays to interface ``k`` (0 = skin), lifted ``lift_mm`` outward.

    Parameters
    ----------
    model : FaceModel
    points : (3,) or (n, 3) float, mm
    k : int
        Interface index (0 skin ... 5 bone).
    lift_mm : float, mm
        Outward along the ray (to draw a marker just above the surface).

    Returns
    -------
    (3,) or (n, 3) float64, mm
        Same leading shape as ``points``.
    """
    p = np.asarray(points, dtype=np.float64)
    u, s, _ = params_of(p.reshape(-1, 3))
    out = model.stack_at(u, s).points[:, k]
    if lift_mm:
        out = out + lift_mm * rays(u, s)[1]
    return out.reshape(p.shape)


def depth_below_skin(model: FaceModel, point) -> float:
    """How far a point lies below the skin, along its ray (mm; negative outside the skin)."""
    p = np.asarray(point, dtype=np.float64).reshape(1, 3)
    skin = on_surface(model, p)
    return float(params_of(skin)[2][0] - params_of(p)[2][0])


def answer_on_skin(model: FaceModel, question: ClickQuestion, paths: Mapping | None = None,
                   side: str | None = None) -> np.ndarray:
    """The answer carried out to the skin: where a perfect click lands. (3,) float64, mm."""
    return on_surface(model, answer_point(model, question, paths, side))


# ----------------------------------------------------------------------------------------------------
# Scores


@dataclass(frozen=True, eq=False)
class Score:
    """The score of one answer.

    Attributes
    ----------
    points : float
        0..1.
    distance_mm : float or None, mm
        Click questions: from the click to the answer, both on the skin.
    answer : (3,) float64, mm, or None
        Click questions: the answer at its depth, on the side that counted.
    click, click_on_skin, answer_on_skin : (3,) float64, mm, or None
        The click as given, and the click and the answer carried to the skin.
    side : str or None
        The side that counted ("left" or "right").
    depth_mm : float or None, mm
        How deep the answer lies below the skin.
    choice : int or None
        Choice questions: the option chosen.
    question_id : str
    """

    points: float
    distance_mm: float | None = None
    answer: np.ndarray | None = None
    click: np.ndarray | None = None
    click_on_skin: np.ndarray | None = None
    answer_on_skin: np.ndarray | None = None
    side: str | None = None
    depth_mm: float | None = None
    choice: int | None = None
    question_id: str = ""

    def __post_init__(self) -> None:
        if not 0.0 <= self.points <= 1.0:
            raise ValueError(f"points = {self.points!r}; allowed: 0 to 1")


def linear_points(distance_mm: float, full_marks_mm: float, zero_marks_mm: float) -> float:
    """1 at or within ``full_marks_mm``, 0 at or beyond ``zero_marks_mm``, linear in between."""
    if not full_marks_mm < zero_marks_mm:
        raise ValueError(f"full_marks_mm = {full_marks_mm:g} must be less than zero_marks_mm = {zero_marks_mm:g}")
    if not math.isfinite(distance_mm) or distance_mm < 0:
        raise ValueError(f"distance_mm = {distance_mm!r}; allowed: a finite number >= 0")
    return float(min(1.0, max(0.0, (zero_marks_mm - distance_mm) / (zero_marks_mm - full_marks_mm))))


def score_distance(question: ClickQuestion, click_mm, answers_mm: Mapping[str, np.ndarray]) -> Score:
    """Score a click against candidate answer points by straight distance (no model: pure geometry).

    Parameters
    ----------
    question : ClickQuestion
    click_mm : (3,) float, mm
    answers_mm : dict of side -> (3,) float, mm
        One answer per side that counts; the nearest is scored.
    """
    click = _finite_point(click_mm, "click point_mm")
    sides = {side: np.asarray(p, dtype=np.float64) for side, p in answers_mm.items()}
    dist = {side: float(np.linalg.norm(click - p)) for side, p in sides.items()}
    best = min(dist, key=dist.get)
    return Score(points=question.points_for(dist[best]), distance_mm=dist[best], answer=sides[best], click=click,
                 click_on_skin=click, answer_on_skin=sides[best], side=best, question_id=question.question_id)


def score_click(model: FaceModel, question: ClickQuestion, point_mm, paths: Mapping | None = None) -> Score:
    """Score a click on the model.

    Parameters
    ----------
    model : FaceModel
    question : ClickQuestion
    point_mm : (3,) float, mm
        The clicked point in the head frame (x to the subject's left: a point read from a figure has its x
        negated back, see :func:`facelayers.core.frame.from_plot`).
    paths : dict of (nerve_id, side) -> NervePath, optional

    Returns
    -------
    Score
        ``distance_mm`` between the click and the answer, both carried along their rays to the skin; for
        ``side = "either"`` the nearer side.
    """
    click = _finite_point(point_mm, "click point_mm")
    sides = ("left", "right") if question.side == "either" else (question.side,)
    deep = {side: answer_point(model, question, paths, side) for side in sides}
    on_skin = {side: on_surface(model, p) for side, p in deep.items()}
    click_skin = on_surface(model, click)
    dist = {side: float(np.linalg.norm(click_skin - p)) for side, p in on_skin.items()}
    best = min(sides, key=dist.get)
    return Score(points=question.points_for(dist[best]), distance_mm=dist[best], answer=deep[best], click=click,
                 click_on_skin=click_skin, answer_on_skin=on_skin[best], side=best,
                 depth_mm=depth_below_skin(model, deep[best]), question_id=question.question_id)


def score_choice(question: ChoiceQuestion, index: int) -> Score:
    """1 point for the right option, 0 for another; an index out of range is a ValueError."""
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < len(question.options):
        raise ValueError(f"question {question.question_id}: choice = {index!r}; allowed: an index 0 to "
                         f"{len(question.options) - 1}")
    return Score(points=1.0 if int(index) == question.answer else 0.0, choice=int(index),
                 question_id=question.question_id)


def _finite_point(point, what: str) -> np.ndarray:
    p = np.asarray(point, dtype=np.float64)
    if p.shape != (3,) or not np.all(np.isfinite(p)):
        raise ValueError(f"{what} = {point!r}; allowed: 3 finite numbers (mm)")
    return p


def feedback_text(question: Question, score: Score, anatomy: Anatomy | None = None) -> str:
    """What the student reads after answering: the result, the explanation and the source (plain text)."""
    if question.kind == "click":
        head = (f"{score.distance_mm:.1f} mm from the answer: {score.points:.2f} points "
                f"(full marks within {question.full_marks_mm:g} mm, none beyond {question.zero_marks_mm:g} mm).")
        if score.depth_mm is not None and score.depth_mm > 0.5:
            head += f" The answer lies {score.depth_mm:.1f} mm below the skin."
    elif score.points == 1.0:
        head = f"Correct: {question.options[question.answer]}."
    else:
        head = (f"Not quite: you chose \u201c{question.options[score.choice]}\u201d; the answer is "
                f"\u201c{question.options[question.answer]}\u201d.")
    source = question.source_id
    if anatomy is not None and question.source_id in anatomy.sources:
        source = anatomy.sources[question.source_id].citation
    return f"{head}\n{question.explanation}\nSource: {source} ({question.locator})."


# ----------------------------------------------------------------------------------------------------
# A whole quiz as a plain object


@dataclass
class QuizSession:
    """A quiz in progress: the questions in order, the current one, the answers and the total.

    Parameters
    ----------
    questions : sequence of questions, optional
        Default: :func:`load_quiz` (the shipped quiz).
    model : FaceModel, optional
        Needed to score click questions.
    paths : dict of (nerve_id, side) -> NervePath, optional
        Placed nerves; placed on first need otherwise.

    Attributes
    ----------
    index : int
        Position of the current question; ``len(questions)`` when the quiz is over.
    scores : dict of question_id -> Score
        The answers so far (a question skipped with :meth:`next` has none and counts 0).
    """

    questions: tuple = ()
    model: FaceModel | None = None
    paths: dict | None = None
    index: int = 0
    scores: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.questions:
            self.questions = load_quiz(anatomy=self.model.anatomy if self.model is not None else None)
        self.questions = tuple(self.questions)
        ids = [q.question_id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise ValueError(f"question ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")

    @property
    def current(self) -> Question | None:
        """The question being asked, or None when the quiz is over."""
        return self.questions[self.index] if self.index < len(self.questions) else None

    @property
    def finished(self) -> bool:
        """True once every question has been answered or skipped."""
        return self.index >= len(self.questions)

    @property
    def answered(self) -> bool:
        """True once the current question has been answered."""
        return self.current is not None and self.current.question_id in self.scores

    def _placed(self) -> dict:
        if self.model is None:
            raise ValueError("a click question needs a model: QuizSession(questions, model=build_face())")
        if self.paths is None:
            self.paths = place_all(self.model)
        return self.paths

    def _open(self, kind: str) -> Question:
        q = self.current
        if q is None:
            raise ValueError("the quiz is over: no question to answer")
        if q.kind != kind:
            raise ValueError(f"question {q.question_id} is a {q.kind} question, not a {kind} question")
        if q.question_id in self.scores:
            raise ValueError(f"question {q.question_id} is already answered: call next()")
        return q

    def answer_click(self, point_mm) -> Score:
        """Score a click (head frame, mm) on the current click question and record it."""
        q = self._open("click")
        paths = self._placed()
        score = score_click(self.model, q, point_mm, paths)
        self.scores[q.question_id] = score
        return score

    def answer_choice(self, index: int) -> Score:
        """Score an option (0-based) of the current choice question and record it."""
        q = self._open("choice")
        score = score_choice(q, index)
        self.scores[q.question_id] = score
        return score

    def answer(self, value) -> Score:
        """A point (3,) mm for a click question, an option index for a choice question."""
        q = self.current
        if q is not None and q.kind == "choice":
            return self.answer_choice(value)
        return self.answer_click(value)

    def next(self) -> Question | None:
        """Move to the next question (an unanswered one counts 0); the new question or None at the end."""
        if self.index < len(self.questions):
            self.index += 1
        return self.current

    def feedback(self) -> str:
        """Feedback on the current question's answer ('' before it is answered)."""
        q = self.current
        if q is None or q.question_id not in self.scores:
            return ""
        anatomy = self.model.anatomy if self.model is not None else None
        return feedback_text(q, self.scores[q.question_id], anatomy)

    @property
    def total(self) -> float:
        """Sum of the points so far (each question 0..1)."""
        return float(sum(s.points for s in self.scores.values()))

    def score_text(self) -> str:
        """The running score, e.g. ``Score 3.50 from 4 answers; question 5 of 19``."""
        where = (f"question {self.index + 1} of {len(self.questions)}" if not self.finished
                 else f"all {len(self.questions)} questions done")
        n = len(self.scores)
        return f"Score {self.total:.2f} from {n} answer{'' if n == 1 else 's'}; {where}"

    def summary_text(self) -> str:
        """Every question with its result and points, and the total (rounded: deterministic)."""
        width = max(len(q.question_id) for q in self.questions) + 2
        lines = [f"{'question':<{width}}{'kind':<8}{'result':<22}{'points':>6}"]
        for q in self.questions:
            s = self.scores.get(q.question_id)
            if s is None:
                result, points = "not answered", 0.0
            elif q.kind == "click":
                result, points = f"{s.distance_mm:.1f} mm ({s.side})", s.points
            else:
                result = "right" if s.points == 1.0 else f"wrong (chose {s.choice}, not {q.answer})"
                points = s.points
            lines.append(f"{q.question_id:<{width}}{q.kind:<8}{result:<22}{points:>6.2f}")
        n = len(self.questions)
        lines.append(f"Total {self.total:.2f} of {n} ({100 * self.total / n:.0f}%)")
        return "\n".join(lines)
