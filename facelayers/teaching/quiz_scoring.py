"""Where a quiz answer lies on the model, and the score of a click or a choice.

A click is scored by distance: full marks within ``full_marks_mm``, none beyond ``zero_marks_mm``, linear in between;
the click and the answer are each carried along the model's ray through them to the skin (:func:`on_surface`).
numpy only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from facelayers.anatomy.load import Anatomy
from facelayers.core.frame import mirror
from facelayers.model.geometry import FaceModel
from facelayers.model.grid import params_of, rays
from facelayers.model.nerves import NervePath, place
from facelayers.teaching.quiz import ARCH_ABOVE_MM, WAYPOINT, WHERE, ChoiceQuestion, ClickQuestion, Question

__all__ = [
    "Score",
    "answer_on_skin",
    "answer_point",
    "depth_below_skin",
    "feedback_text",
    "nerve_feature",
    "on_surface",
    "score_choice",
    "score_click",
    "score_distance",
]

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
    elif (match := WAYPOINT.match(where or "")) is not None:
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
    """How far a point lies below the skin (mm): perpendicular to the skin, as a nerve's depth is reported.

    The nearest-point distance to the skin mesh (:func:`facelayers.model.perpendicular.skin_depth`) for a point
    inside the skin; outside it, minus the distance along its ray.
    """
    from facelayers.model.perpendicular import skin_depth

    p = np.asarray(point, dtype=np.float64).reshape(1, 3)
    skin = on_surface(model, p)
    along = float(params_of(skin)[2][0] - params_of(p)[2][0])
    return along if along <= 0 else float(skin_depth(model, p)[0])


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
    """What the student reads after answering: the result, the explanation and the source (plain text).

    The source as author and year (:attr:`facelayers.anatomy.basics.Source.short`) with its locator.

    Parameters
    ----------
    question : ClickQuestion or ChoiceQuestion
    score : Score
    anatomy : Anatomy, optional
        Gives the sources; default: the shipped data (:func:`facelayers.anatomy.load.load_anatomy`).

    Returns
    -------
    str
        Three lines: the result, the explanation, the source.
    """
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
    if anatomy is None:
        from facelayers.anatomy.load import load_anatomy  # the shipped data, read once and cached

        anatomy = load_anatomy()
    source = question.source_id
    if question.source_id in anatomy.sources:
        source = anatomy.sources[question.source_id].short  # author and year, never the id
    return f"{head}\n{question.explanation}\nSource: {source} ({question.locator})."


