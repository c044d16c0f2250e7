"""The quiz player: the nerve explorer with a question on top, answered by clicking on the model or by choosing
an option, with the right answer shown on the model and a running score.

A thin view over a :class:`facelayers.quiz.QuizSession`. The skin shows by default, so the student must know
where things lie under it (peel, cutaway and the nerve picker still work: a dissection is allowed). A click on a
layer, a muscle or a nerve calls :meth:`QuizPlayer.click` with the point in the head frame (the figure's x is
negated back, see :func:`facelayers.render.xyz`); tests call ``click`` directly. An answer changes only the
three small ``quiz:*`` traces (a few points each) and the two ``quiz:*`` labels (scene annotations), never a
mesh.
"""

from __future__ import annotations

import html

import numpy as np

try:
    import ipywidgets as w
    import plotly.graph_objects as go
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("facelayers.quiz_widget needs ipywidgets, anywidget and plotly: "
                      "pip install 'facelayers[lessons]'") from exc

from facelayers import render
from facelayers.frame import INTERFACES
from facelayers.geometry import FaceModel, build_face
from facelayers.nerves import place_all
from facelayers.quiz import QuizSession, Score, load_quiz, on_surface
from facelayers.state import ViewState
from facelayers.widgets import NerveExplorer

#: Marker colours: the right answer in green, the student's click in blue (both read on skin, on every layer
#: colour and on the dark stage), joined by a white line along the surface. Labels are dark: the markers always
#: sit on the face, whose colours are all light or mid-tones.
ANSWER_COLOUR = "#00C853"
CLICK_COLOUR = "#2962FF"
LINE_COLOUR = "#FFFFFF"
LABEL_COLOUR = "#111111"
#: Markers stand 3 mm proud of the surface, the line 1.5 mm: the markers cover the line's ends.
MARKER_LIFT_MM = 3.0
LINE_LIFT_MM = 1.5
#: The two labels are scene annotations (drawn over the 3D view, so the curve of the face never hides them),
#: pointing at their markers from opposite corners, on a light box.
LABEL_OFFSET_PX = 55

#: Traces that answer a click: the layers, the muscles and the nerves (not the quiz markers or the overlays).
CLICKABLE = ("layer:", "muscle:", "nerve:")


def quiz_traces() -> list:
    """Three empty traces filled after an answer: ``quiz:line``, ``quiz:click``, ``quiz:answer``."""
    return [
        go.Scatter3d(name="quiz:line", mode="lines", x=[], y=[], z=[], hoverinfo="skip", showlegend=False,
                     line={"color": LINE_COLOUR, "width": 7}),
        go.Scatter3d(name="quiz:click", mode="markers", x=[], y=[], z=[], showlegend=False,
                     hovertemplate="your click<extra></extra>",
                     marker={"size": 12, "symbol": "circle", "color": CLICK_COLOUR}),
        go.Scatter3d(name="quiz:answer", mode="markers", x=[], y=[], z=[], showlegend=False,
                     hovertemplate="the answer<extra></extra>",
                     marker={"size": 15, "symbol": "diamond", "color": ANSWER_COLOUR,
                             "line": {"color": LABEL_COLOUR, "width": 2}}),
    ]


def quiz_labels(click: np.ndarray, answer: np.ndarray, distance_mm: float, visible: bool = True) -> list[dict]:
    """Scene annotations naming the markers: ``quiz:answer`` (up and right of it) and ``quiz:click`` with the
    distance (down and left). Points in the head frame (mm)."""
    def label(name, point, text, colour, ax, ay):
        x, y, z = (round(float(-point[0]), 1), round(float(point[1]), 1), round(float(point[2]), 1))  # x negated
        return {"name": name, "x": x, "y": y, "z": z, "text": text, "visible": visible, "showarrow": True,
                "ax": ax, "ay": ay,
                "arrowcolor": colour, "arrowwidth": 3, "arrowhead": 0, "font": {"size": 20, "color": LABEL_COLOUR},
                "bgcolor": "rgba(255,255,255,0.88)", "bordercolor": colour, "borderwidth": 2, "borderpad": 4}

    return [label("quiz:answer", answer, "answer", ANSWER_COLOUR, LABEL_OFFSET_PX, -LABEL_OFFSET_PX),
            label("quiz:click", click, f"your click: {distance_mm:.0f} mm", CLICK_COLOUR, -LABEL_OFFSET_PX,
                  LABEL_OFFSET_PX)]


def marker_geometry(model: FaceModel, score: Score, k: int = 0, n: int = 12):
    """Where the feedback is drawn: the click and the answer on interface ``k`` (the outermost surface shown,
    lifted :data:`MARKER_LIFT_MM`) and a line between them along that surface (lifted :data:`LINE_LIFT_MM`).

    Returns
    -------
    click, answer : (3,) float64, mm
    line : (n, 3) float64, mm
    """
    a, c = score.answer_on_skin, score.click_on_skin
    t = np.linspace(0.0, 1.0, n)[:, None]
    line = on_surface(model, c + t * (a - c), k, LINE_LIFT_MM)
    ends = on_surface(model, np.stack([c, a]), k, MARKER_LIFT_MM)
    return ends[0], ends[1], line


class QuizPlayer(NerveExplorer):
    """The quiz on the 3D model.

    Parameters
    ----------
    model : FaceModel, optional
        Default ``build_face()`` (lecture resolution).
    questions : sequence of questions, optional
        Default: the shipped quiz (:func:`facelayers.quiz.load_quiz`).
    state : ViewState, optional
        Default: every layer shown (the skin on), camera from the first question.
    paths : dict of (nerve_id, side) -> NervePath, optional

    Attributes
    ----------
    session : QuizSession
        The quiz as a plain object; the widgets only read and write it.
    prompt, feedback, score : ipywidgets.HTML
    choices : ipywidgets.RadioButtons
        Options of a choice question (value = option index).
    submit, next_button : ipywidgets.Button
    """

    def __init__(self, model: FaceModel | None = None, questions=None, state: ViewState | None = None, *,
                 height: int = 700, paths=None):
        model = model if model is not None else build_face()
        questions = tuple(questions) if questions is not None else load_quiz(anatomy=model.anatomy)
        first_camera = next((q.camera for q in questions if q.kind == "click" and q.camera), "oblique")
        state = state if state is not None else ViewState(peel=0, camera=first_camera)
        self.paths = paths if paths is not None else place_all(model)
        super().__init__(model, state, height=height, extra_traces=quiz_traces(), title="Quiz")
        self.session = QuizSession(questions, self.model, self.paths)

        self.prompt = w.HTML()
        self.choices = w.RadioButtons(options=[], value=None, layout=w.Layout(width="auto"))
        self.submit = w.Button(description="Submit", button_style="primary", disabled=True)
        self.next_button = w.Button(description="Next question", disabled=True)
        self.feedback = w.HTML()
        self.score = w.HTML()
        self.choice_box = w.HBox([self.choices, self.submit])
        self.choices.observe(lambda c: self._sync_submit(), names="value")
        # Button.click() runs the handlers even when the button is disabled (disabled is a browser-side state):
        # check it here, so a headless click behaves as the student's does.
        self.submit.on_click(lambda b: None if b.disabled else self.choose(self.choices.value))
        self.next_button.on_click(lambda b: None if b.disabled else self.next())
        for trace in self.figure.data:
            if (trace.name or "").startswith(CLICKABLE):
                trace.on_click(self._on_figure_click)
        # The labels exist, hidden, before the widget is shown: an answer then sends only their position,
        # text and visibility (a few hundred bytes), not their style.
        zero = np.zeros(3)
        self.figure.layout.scene.annotations = [*self.figure.layout.scene.annotations,
                                                *quiz_labels(zero, zero, 0.0, visible=False)]

        panel = w.VBox([self.prompt, self.choice_box, self.feedback, w.HBox([self.next_button, self.score])],
                       layout=w.Layout(padding="4px 8px"))
        # The quiz on top, then the model with its layer controls, the nerve picker and the cameras; the
        # depth profile and the cross-section are left out.
        css, model_row, nerve_row, _profile, camera_row, *_section = self.ui.children
        self.ui.children = (css, panel, model_row, nerve_row, camera_row)
        self._show_question()

    # --- answers ----------------------------------------------------------------------------------------

    def click(self, point_mm) -> Score | None:
        """Answer the current click question with a point of the head frame (mm, x to the subject's left).

        Returns the score, or None if the click was not an answer (a choice question, already answered, or the
        quiz is over); then nothing changes but a hint.
        """
        q = self.session.current
        if q is None or self.session.answered:
            return None
        if q.kind != "click":
            self.feedback.value = _note("This question is answered with the options above, then Submit.")
            return None
        score = self.session.answer_click(np.asarray(point_mm, dtype=np.float64))
        self._draw(score)
        self._after_answer()
        return score

    def choose(self, index: int | None) -> Score | None:
        """Answer the current choice question with an option index (what Submit does)."""
        q = self.session.current
        if q is None or q.kind != "choice" or self.session.answered or index is None:
            return None
        score = self.session.answer_choice(int(index))
        self._after_answer()
        return score

    def next(self) -> None:
        """Go to the next question: clear the markers, show the prompt (and the camera the question asks for)."""
        self.session.next()
        self._clear()
        self._show_question()

    def _on_figure_click(self, trace, points, selector) -> None:
        """plotly FigureWidget click callback (called for every trace; only the clicked one has points)."""
        if not points.point_inds:
            return
        i = points.point_inds[0]
        zs = getattr(points, "zs", None)  # plotly's Points has xs, ys only; z is read from the trace
        x, y, z = (points.xs[0], points.ys[0], zs[0]) if zs else (trace.x[i], trace.y[i], trace.z[i])
        self.click(np.array([-float(x), float(y), float(z)]))  # the figure plots x negated

    # --- display ----------------------------------------------------------------------------------------

    def _outermost_shown(self) -> int:
        return next((k for k, name in enumerate(INTERFACES) if self.state.shown(name)), len(INTERFACES) - 1)

    def _draw(self, score: Score) -> None:
        click, answer, line = marker_geometry(self.model, score, self._outermost_shown())
        traces = {t.name: t for t in self.figure.data if (t.name or "").startswith("quiz:")}
        with self.figure.batch_update():
            traces["quiz:line"].update(**_small_xyz(line))
            traces["quiz:click"].update(**_small_xyz(click[None]))
            traces["quiz:answer"].update(**_small_xyz(answer[None]))
            self._set_labels(quiz_labels(click, answer, score.distance_mm))

    def _clear(self) -> None:
        with self.figure.batch_update():
            for trace in self.figure.data:
                if (trace.name or "").startswith("quiz:") and trace.x is not None and len(trace.x):
                    trace.update(x=[], y=[], z=[])
            self._set_labels([])

    def _set_labels(self, labels: list[dict]) -> None:
        """Move, reword and show the quiz's labels (an empty list hides them); other annotations stay."""
        new = {label["name"]: label for label in labels}
        for ann in self.figure.layout.scene.annotations:
            name = ann.name or ""
            if not name.startswith("quiz:"):
                continue
            if name in new:
                ann.update({k: new[name][k] for k in ("x", "y", "z", "text")}, visible=True)
            elif ann.visible:
                ann.visible = False

    def _after_answer(self) -> None:
        q = self.session.current
        s = self.session.scores[q.question_id]
        lines = self.session.feedback().split("\n")
        colour = "#1B873F" if s.points >= 0.999 else ("#B26A00" if s.points > 0 else "#C62828")
        head = f"<div style='font-size:22px;font-weight:600;color:{colour}'>{html.escape(lines[0])}</div>"
        if q.kind == "click":
            head += ("<div style='font-size:17px'><span style='color:#00C853'>&#9670;</span> the answer &nbsp; "
                     "<span style='color:#2962FF'>&#9679;</span> your click</div>")
        body = "".join(f"<div style='font-size:18px;margin-top:6px'>{html.escape(t)}</div>" for t in lines[1:-1])
        source = f"<div style='font-size:14px;color:#777;margin-top:6px'>{html.escape(lines[-1])}</div>"
        self.feedback.value = head + body + source
        self.choices.disabled = True
        self.submit.disabled = True
        self.next_button.disabled = False
        self.next_button.description = "Next question" if self.session.index + 1 < len(self.session.questions) \
            else "Finish"
        self._update_score()

    def _show_question(self) -> None:
        q = self.session.current
        self._update_score()
        self.feedback.value = ""
        if q is None:
            self.prompt.value = "<div style='font-size:28px;font-weight:600'>The quiz is over.</div>"
            summary = html.escape(self.session.summary_text())
            self.feedback.value = f"<pre style='font-size:15px;line-height:1.35'>{summary}</pre>"
            self.choice_box.layout.display = "none"
            self.next_button.disabled = True
            return
        number = f"Question {self.session.index + 1} of {len(self.session.questions)}"
        how = ("Click on the model. Peel or cut away layers if you need to; the distance is measured on the skin."
               if q.kind == "click" else "Choose one answer, then Submit.")
        self.prompt.value = (f"<div style='font-size:16px;color:#777'>{number} &middot; {how}</div>"
                             f"<div style='font-size:28px;font-weight:600;line-height:1.25'>"
                             f"{html.escape(q.prompt)}</div>")
        self.next_button.disabled = True
        if q.kind == "choice":
            self.choices.options = [(text, i) for i, text in enumerate(q.options)]
            self.choices.value = None
            self.choices.disabled = False
            self.choice_box.layout.display = None
        else:
            self.choice_box.layout.display = "none"
            if q.camera and q.camera != self.state.camera:
                self.camera.value = q.camera  # the camera toggle writes the state and moves the view
        self._sync_submit()

    def _sync_submit(self) -> None:
        q = self.session.current
        self.submit.disabled = not (q is not None and q.kind == "choice" and not self.session.answered
                                    and self.choices.value is not None)

    def _update_score(self) -> None:
        text = html.escape(self.session.score_text())
        self.score.value = f"<span style='font-size:20px;margin-left:16px'>{text}</span>"


def _small_xyz(points: np.ndarray) -> dict:
    """Trace coordinates (figure frame, x negated) of a few points as lists rounded to 0.1 mm: for a handful of
    points a JSON list is smaller than a binary buffer with its dtype, shape and path (TECH_NOTES: arrays pay
    off for meshes, not for markers)."""
    xyz = render.xyz(np.asarray(points, dtype=np.float64))
    return {axis: [round(float(v), 1) for v in values] for axis, values in xyz.items()}


def _note(text: str) -> str:
    return f"<div style='font-size:18px;color:#B26A00'>{html.escape(text)}</div>"
