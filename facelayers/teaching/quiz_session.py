"""A whole quiz as a plain object: the current question, the answers, the total and the summary (no widgets).

numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from facelayers.model.geometry import FaceModel
from facelayers.model.nerves import place_all
from facelayers.teaching.quiz import Question, heading, load_quiz
from facelayers.teaching.quiz_scoring import Score, feedback_text, score_choice, score_click

__all__ = [
    "QuizSession",
]

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

    def summary_text(self, option_width: int = 30) -> str:
        """Every question with its result and points, and the total (rounded: deterministic).

        Each question by its short title (:func:`facelayers.teaching.quiz.heading`); a wrong choice names the
        chosen and the right option (each cut to ``option_width`` characters).

        Parameters
        ----------
        option_width : int
            Longest option text shown for a wrong choice.

        Returns
        -------
        str
            A header line, one line per question, and the total, joined by newlines.
        """
        def short(text: str) -> str:
            return text if len(text) <= option_width else text[:option_width - 3].rsplit(" ", 1)[0] + "..."

        width = max(len(heading(q)) for q in self.questions) + 2
        lines = [f"{'question':<{width}}{'kind':<8}{'points':>6}  result"]
        for q in self.questions:
            s = self.scores.get(q.question_id)
            if s is None:
                result, points = "not answered", 0.0
            elif q.kind == "click":
                result, points = f"{s.distance_mm:.1f} mm from the answer ({s.side} side)", s.points
            else:
                result = ("right" if s.points == 1.0 else
                          f"wrong: chose \u201c{short(q.options[s.choice])}\u201d, "
                          f"not \u201c{short(q.options[q.answer])}\u201d")
                points = s.points
            lines.append(f"{heading(q):<{width}}{q.kind:<8}{points:>6.2f}  {result}")
        n = len(self.questions)
        lines.append(f"Total {self.total:.2f} of {n} ({100 * self.total / n:.0f}%)")
        return "\n".join(lines)
