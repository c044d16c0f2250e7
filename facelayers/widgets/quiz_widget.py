"""The quiz player: the nerve explorer with a question beside the model, and a running score.

A question is answered by clicking on the model or by choosing an option, and the right answer is then shown on
the model.
A thin view over a :class:`facelayers.teaching.quiz.QuizSession` and a :class:`~facelayers.teaching.state.QuizState`. The skin shows
by default, so the student must know where things lie under it; peeling and cutting away are allowed, but while a
click question is open the nerves are hidden and the nerve picker and the danger zones are off (they would show
the answer), and they come back with the answer.

Clicks reach the kernel through :class:`ClickBridge`, a small anywidget that listens to the figure in the browser
and sends each click as its own message: plotly's FigureWidget reports clicks and hovers through one synced trait,
and a hover that follows a click within the same round trip replaced the click before it reached the kernel, so
an ordinary 150 ms click was lost. The bridge also tells a click that missed the model (the student is told so).
An answer changes only the three small ``quiz:*`` traces, the two ``quiz:*`` labels and the nerves' visibility,
never a mesh.
"""

from __future__ import annotations

import html

import numpy as np

try:
    import anywidget
    import ipywidgets as w
    import plotly.graph_objects as go
    import traitlets
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("facelayers.widgets.quiz_widget needs ipywidgets, anywidget and plotly: "
                      "pip install 'facelayers[lessons]'") from exc

from facelayers.core.frame import INTERFACES, to_plot
from facelayers.model.geometry import FaceModel, build_face
from facelayers.model.nerves import place_all
from facelayers.render import face as render
from facelayers.teaching.quiz import load_quiz
from facelayers.teaching.quiz_scoring import Score, on_surface
from facelayers.teaching.quiz_session import QuizSession
from facelayers.teaching.state import QuizState, ViewState
from facelayers.widgets.controls import heading, set_quietly
from facelayers.widgets.nerve_explorer import NerveExplorer

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

#: Traces that answer a click: the layers, the muscles and the nerves, and the drawn skull that replaces the bone
#: layer when the bone is bare (not the quiz markers or the overlays).
CLICKABLE = ("layer:", "muscle:", "nerve:", "skull")
#: Shown in the feedback as soon as a click answer arrives, before it is scored.
SCORING_NOTE = "Scoring your click\u2026"


def quiz_traces() -> list:
    """Three empty traces filled after an answer: ``quiz:line``, ``quiz:click``, ``quiz:answer``.

    Returns
    -------
    list of plotly.graph_objects.Scatter3d
        The line between the click and the answer (white), the click's marker (blue circle) and the answer's
        (green diamond), in that order.
    """
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
    """Scene annotations naming the markers: ``quiz:answer`` (up and right of it) and ``quiz:click`` (down and left).

    Parameters
    ----------
    click, answer : (3,) float ndarray, mm, head frame
        Where the markers are (the annotations carry them in the figure's frame, x negated, rounded to 0.1 mm).
    distance_mm : float, mm
        The click's distance from the answer, written in its label (rounded to 1 mm).
    visible : bool
        Whether the labels show.

    Returns
    -------
    list of dict
        Two plotly scene annotations (``layout.scene.annotations``), the answer's first, named by ``name``.
    """
    def label(name, point, text, colour, ax, ay):
        x, y, z = (round(float(v), 1) for v in to_plot(point))
        return {"name": name, "x": x, "y": y, "z": z, "text": text, "visible": visible, "showarrow": True,
                "ax": ax, "ay": ay,
                "arrowcolor": colour, "arrowwidth": 3, "arrowhead": 0, "font": {"size": 20, "color": LABEL_COLOUR},
                "bgcolor": "rgba(255,255,255,0.88)", "bordercolor": colour, "borderwidth": 2, "borderpad": 4}

    return [label("quiz:answer", answer, "answer", ANSWER_COLOUR, LABEL_OFFSET_PX, -LABEL_OFFSET_PX),
            label("quiz:click", click, f"your click: {distance_mm:.0f} mm", CLICK_COLOUR, -LABEL_OFFSET_PX,
                  LABEL_OFFSET_PX)]


def marker_geometry(model: FaceModel, score: Score, k: int = 0, n: int = 12):
    """Where the feedback is drawn: the click, the answer and a line between them, on one surface.

    Parameters
    ----------
    model : FaceModel
    score : facelayers.teaching.quiz.Score
        A click question's score (its click and answer on the skin).
    k : int
        The interface to draw on (0 skin ... 5 bone): the outermost surface shown.
    n : int
        Points along the line.

    Returns
    -------
    click, answer : (3,) float64 ndarray, mm, head frame
        On interface ``k``, lifted :data:`MARKER_LIFT_MM` outward along the model's rays.
    line : (n, 3) float64 ndarray, mm, head frame
        The straight segment from the click to the answer carried onto interface ``k`` along the rays, lifted
        :data:`LINE_LIFT_MM`.
    """
    a, c = score.answer_on_skin, score.click_on_skin
    t = np.linspace(0.0, 1.0, n)[:, None]
    line = on_surface(model, c + t * (a - c), k, LINE_LIFT_MM)
    ends = on_surface(model, np.stack([c, a]), k, MARKER_LIFT_MM)
    return ends[0], ends[1], line


#: The bridge's front end: find the figure whose ``layout.meta.clicks`` is this bridge's token, and send every
#: click on it as a message of its own. A click is a press and release within 6 px on the 3D canvas; plotly's
#: own ``plotly_click`` is used when it comes, else the point last hovered (the gl3d scene may not turn a short
#: click into a ``plotly_click`` on a slow machine), else it is a miss.
CLICK_BRIDGE_ESM = r"""
function render({ model, el }) {
  el.style.display = "none";
  const token = model.get("token");
  const attached = new WeakSet();
  const clickable = (p) => p && p.data && /^(layer|muscle|nerve):/.test(p.data.name || "");
  const point = (p) => ({ x: p.x, y: p.y, z: p.z, trace: p.data.name });
  function attach(gd) {
    if (attached.has(gd) || typeof gd.on !== "function") return;
    attached.add(gd);
    gd.dataset.facelayersClicks = token;  // a mark for tests: this figure's clicks are listened to
    let hover = null, down = null, reported = 0;
    gd.on("plotly_hover", (e) => {
      const p = e && e.points && e.points[0];
      hover = clickable(p) ? point(p) : null;
    });
    gd.on("plotly_unhover", () => { hover = null; });
    gd.on("plotly_click", (e) => {
      const p = e && e.points && e.points[0];
      if (!clickable(p)) return;
      reported = Date.now();
      model.send({ kind: "click", point: point(p), via: "plotly_click" });
    });
    gd.addEventListener("pointerdown", (ev) => {
      down = (ev.target && ev.target.tagName === "CANVAS") ? { x: ev.clientX, y: ev.clientY } : null;
    }, true);
    gd.addEventListener("pointerup", (ev) => {
      const d = down; down = null;
      if (!d || Math.hypot(ev.clientX - d.x, ev.clientY - d.y) > 6) return;  // a drag turns the head
      const at = Date.now(), seen = hover;
      setTimeout(() => {
        if (reported >= at - 100) return;  // plotly reported this click itself
        if (seen) model.send({ kind: "click", point: seen, via: "hover" });
        else model.send({ kind: "miss" });
      }, 300);
    }, true);
  }
  function scan() {
    document.querySelectorAll(".js-plotly-plot").forEach((gd) => {
      const meta = gd.layout && gd.layout.meta;
      if (meta && meta.clicks === token) attach(gd);
    });
  }
  scan();
  const timer = setInterval(scan, 400);
  return () => clearInterval(timer);
}
export default { render };
"""


class ClickBridge(anywidget.AnyWidget):
    """Sends the clicks on one figure (``layout.meta.clicks == token``) to the kernel as messages of their own.

    Parameters
    ----------
    token : str
        The id written into the figure's ``layout.meta`` (``{"clicks": token}``).
    on_click : callable(dict or None)
        Called with the clicked point in the figure's frame (``{"x", "y", "z", "trace"}``), or None when the
        click missed the model.
    """

    _esm = CLICK_BRIDGE_ESM
    token = traitlets.Unicode("").tag(sync=True)

    def __init__(self, token: str, on_click, **kwargs):
        super().__init__(token=token, **kwargs)
        self._callback = on_click
        self.on_msg(self._received)

    def _received(self, _widget, content, _buffers) -> None:
        if not isinstance(content, dict):
            return
        if content.get("kind") == "click" and isinstance(content.get("point"), dict):
            self._callback(content["point"])
        elif content.get("kind") == "miss":
            self._callback(None)


_TOKENS = iter(range(1, 1 << 30))


class QuizPlayer(NerveExplorer):
    """The quiz on the 3D model.

    Parameters
    ----------
    model : FaceModel, optional
        Default ``build_face()`` (lecture resolution).
    questions : sequence of questions, optional
        Default: the shipped quiz (:func:`facelayers.teaching.quiz.load_quiz`).
    state : ViewState, optional
        Default: every layer shown (the skin on), camera from the first question.
    paths : dict of (nerve_id, side) -> NervePath, optional

    Attributes
    ----------
    session : QuizSession
        The quiz as a plain object; the widgets only read and write it.
    quiz_state : QuizState
        The question shown, its answer, a missed click, and the view.
    prompt, feedback, score : ipywidgets.HTML
    choices : ipywidgets.RadioButtons
        Options of a choice question (value = option index).
    submit, next_button : ipywidgets.Button
    bridge : ClickBridge or None
        Brings the browser's clicks on the model to :meth:`click` (or :meth:`missed`); None for a quiz without
        click questions.
    """

    TITLE = "Quiz"

    def __init__(self, model: FaceModel | None = None, questions=None, state: ViewState | None = None, *,
                 height: int = 620, paths=None):
        model = model if model is not None else build_face()
        questions = tuple(questions) if questions is not None else load_quiz(anatomy=model.anatomy)
        first = questions[0] if questions else None
        first_camera = next((q.camera for q in questions if q.kind == "click" and q.camera), "oblique")
        state = state if state is not None else ViewState(peel=0, camera=first_camera)
        if first is not None and first.kind == "click":  # the first question is open: its answer stays hidden
            state = state.with_(nerves=False, pick=None, zones=False)
        paths = paths if paths is not None else place_all(model)
        self._missed = False
        self._token = f"facelayers-quiz-{next(_TOKENS)}-{id(self):x}"
        zero = np.zeros(3)
        # The labels exist, hidden, before the figure is wrapped: an answer then sends only their position,
        # text and visibility, and Voila shows them (it keeps only what the figure had when it was built).
        layout = {"meta": {"clicks": self._token},
                  "scene": {"annotations": quiz_labels(zero, zero, 0.0, visible=False)}}
        self.session = None
        # Made before the layout, so that it is part of it (its front end must be on the page to listen); only
        # for a quiz with click questions (one widget less to start in the browser otherwise).
        has_clicks = any(q.kind == "click" for q in questions)
        self.bridge = ClickBridge(self._token, self._on_bridge) if has_clicks else None
        super().__init__(model, state, height=height, extra_traces=quiz_traces(), title="", layout=layout,
                         paths=paths)
        self.session = QuizSession(questions, self.model, self.paths)
        for trace in self.figure.data:
            if (trace.name or "").startswith(CLICKABLE):
                trace.on_click(self._on_figure_click)
        self._show_question()

    # --- layout -----------------------------------------------------------------------------------------

    def build_controls(self) -> None:
        """Make the explorer's controls and the quiz's: prompt, options, Submit, Next question, feedback, score."""
        super().build_controls()
        self.prompt = w.HTML(layout=w.Layout(width="100%"))
        self.choices = w.RadioButtons(options=[], value=None, layout=w.Layout(width="auto"))
        self.submit = w.Button(description="Submit", button_style="primary", disabled=True,
                               layout=w.Layout(width="auto", min_width="140px"))
        self.next_button = w.Button(description="Next question", disabled=True,
                                    layout=w.Layout(width="auto", min_width="170px"))
        self.feedback = w.HTML(layout=w.Layout(width="100%"))
        self.score = w.HTML()
        self.choice_box = w.VBox([self.choices, self.submit])
        # Next question and the score sit right under the question and its options, above the feedback: a long
        # feedback (at 1366 px it fills the panel) never pushes Next below the fold.
        self.nav = w.HBox([self.next_button, self.score], layout=w.Layout(flex_flow="row wrap",
                                                                          align_items="center",
                                                                          grid_gap="4px 12px"))
        self.choices.observe(lambda c: self._sync_submit(), names="value")
        # Button.click() runs the handlers even when the button is disabled (disabled is a browser-side state):
        # check it here, so a headless click behaves as the student's does.
        self.submit.on_click(lambda b: None if b.disabled else self.choose(self.choices.value))
        self.next_button.on_click(lambda b: None if b.disabled else self.next())

    def quiz_controls(self) -> list:
        """The quiz's own controls, top to bottom: the question, its options, Next question with the score, the feedback.

        Returns
        -------
        list of ipywidgets.Widget
        """
        return [self.prompt, self.choice_box, self.nav, self.feedback]

    def panel_controls(self) -> list:
        """The controls beside the figure: the quiz's first (:meth:`quiz_controls`), then the view's."""
        return [*self.quiz_controls(),
                *self.layer_controls(), heading("Camera"), self.camera, *self.nerve_controls(), heading("Cutaway"),
                self.cutaway, self.cut_box]

    def below(self) -> list:
        """Nothing below the stage (an empty list)."""
        return []  # the depth profile and the cross-section are left out

    def layout_ui(self) -> list:
        """The explorer's layout, followed by the (hidden) click bridge when there is one.

        A quiz of choice questions only draws no figure (nothing on the model answers it, and an idle 3D view
        beside the options only took room): its layout is the quiz's controls alone, at most 760 px wide.
        """
        if self.bridge is None:
            return [w.VBox(self.quiz_controls(), layout=w.Layout(width="100%", max_width="760px"))]
        return [*super().layout_ui(), self.bridge]

    def render_controls(self) -> None:
        """Show the state on every control (only what differs is set).

        The nerve picker and the danger zones are disabled while a click question is open.
        """
        super().render_controls()
        hidden = self._answer_hidden()
        set_quietly(self.pick, disabled=hidden)
        set_quietly(self.zones, disabled=hidden)

    def _answer_hidden(self) -> bool:
        """Is a click question open (its answer not yet given): nerves, picker and zones stay off."""
        session = getattr(self, "session", None)
        q = session.current if session is not None else None
        return q is not None and q.kind == "click" and not session.answered

    @property
    def quiz_state(self) -> QuizState:
        """The quiz's state: question, answer (the click in the head frame, or the option), a missed click, the view.

        Returns
        -------
        QuizState
            Made afresh on each access from the session and the view.
        """
        q = self.session.current
        score = self.session.scores.get(q.question_id) if q is not None else None
        click = tuple(float(v) for v in score.click) if score is not None and q.kind == "click" else None
        choice = int(score.choice) if score is not None and q.kind == "choice" and \
            getattr(score, "choice", None) is not None else None
        return QuizState(question=self.session.index, view=self.state, click=click, choice=choice,
                         missed=self._missed)

    # --- answers ----------------------------------------------------------------------------------------

    def click(self, point_mm) -> Score | None:
        """Answer the current click question with a point of the head frame.

        Parameters
        ----------
        point_mm : (3,) float array-like, mm, head frame
            x to the subject's left (the figure's x negated back).

        Returns
        -------
        facelayers.teaching.quiz.Score or None
            The score, or None if the click was not an answer (a choice question, already answered, or the quiz
            is over); then nothing changes but, for a choice question, a hint.

        Raises
        ------
        ValueError
            If the point is not 3 finite numbers.
        """
        q = self.session.current
        if q is None or self.session.answered:
            return None
        if q.kind != "click":
            self.feedback.value = _note("This question is answered with the options above, then Submit.")
            return None
        self._missed = False
        # Said at once (the message leaves before the scoring starts): scoring carries the click to the skin and
        # may take a second on a busy machine.
        self.feedback.value = _note(SCORING_NOTE)
        score = self.session.answer_click(np.asarray(point_mm, dtype=np.float64))
        self._draw(score)
        self._after_answer()
        return score

    def missed(self) -> None:
        """A click on the figure that hit no layer, muscle or nerve: tell the student (nothing is scored)."""
        q = self.session.current
        if q is None or q.kind != "click" or self.session.answered:
            return
        self._missed = True
        self.feedback.value = _note("Your click missed the model: click on the face itself (a layer, a muscle "
                                    "or a nerve). Drag to turn the head.")

    def choose(self, index: int | None) -> Score | None:
        """Answer the current choice question with an option index (what Submit does).

        Parameters
        ----------
        index : int or None
            The option's index in the question's options; None (nothing chosen) is not an answer.

        Returns
        -------
        facelayers.teaching.quiz.Score or None
            None if this was not an answer: no option, not a choice question, already answered, or the quiz
            is over.

        Raises
        ------
        ValueError
            If ``index`` is not an option's index (the message gives the allowed range).
        """
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

    def _on_bridge(self, point) -> None:
        if point is None:
            self.missed()
            return
        if not str(point.get("trace", "")).startswith(CLICKABLE):
            return
        try:
            x, y, z = (float(point[k]) for k in "xyz")
        except (KeyError, TypeError, ValueError):
            return
        self.click(np.array([-x, y, z]))  # the figure plots x negated

    def _on_figure_click(self, trace, points, selector) -> None:
        """Plotly FigureWidget click callback (called for every trace; only the clicked one has points)."""
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
        head = f"<div style='font-size:19px;font-weight:600;color:{colour}'>{html.escape(lines[0])}</div>"
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
        if not self.state.nerves:  # the answer is given: the nerves come back (visibility only)
            self.update(nerves=True)
        else:
            self.render_controls()

    def _show_question(self) -> None:
        q = self.session.current
        self._update_score()
        self._missed = False
        self.feedback.value = ""
        if q is None:
            self.prompt.value = "<div style='font-size:26px;font-weight:600'>The quiz is over.</div>"
            summary = html.escape(self.session.summary_text())
            self.feedback.value = f"<pre style='font-size:14px;line-height:1.35;white-space:pre-wrap'>{summary}</pre>"
            self.choice_box.layout.display = "none"
            self.next_button.disabled = True
            self.show_state(self.state.with_(nerves=True))
            return
        number = f"Question {self.session.index + 1} of {len(self.session.questions)}"
        how = ("Click on the model. Peel or cut away layers if you need to; the distance is measured on the skin."
               if q.kind == "click" else "Choose one answer, then Submit.")
        self.prompt.value = (f"<div style='font-size:16px;color:#777'>{number} &middot; {how}</div>"
                             f"<div style='font-size:24px;font-weight:600;line-height:1.25'>"
                             f"{html.escape(q.prompt)}</div>")
        self.next_button.disabled = True
        if q.kind == "choice":
            self.choices.options = [(text, i) for i, text in enumerate(q.options)]
            self.choices.value = None
            self.choices.disabled = False
            self.choice_box.layout.display = None
            self.show_state(self.state.with_(nerves=True))
        else:
            self.choice_box.layout.display = "none"
            # One call: the question's camera, and its answer hidden (no nerves, no pick, no zones).
            self.show_state(self.state.with_(nerves=False, pick=None, zones=False,
                                             camera=q.camera or self.state.camera))
        self._sync_submit()

    def _sync_submit(self) -> None:
        q = self.session.current
        self.submit.disabled = not (q is not None and q.kind == "choice" and not self.session.answered
                                    and self.choices.value is not None)

    def _update_score(self) -> None:
        text = html.escape(self.session.score_text())
        self.score.value = f"<div style='font-size:19px;margin:4px 0'>{text}</div>"


def _small_xyz(points: np.ndarray) -> dict:
    """Trace coordinates (figure frame, x negated) of a few points as lists rounded to 0.1 mm.

    For a handful of points a JSON list is smaller than a binary buffer with its dtype, shape and path
    (TECH_NOTES: arrays pay off for meshes, not for markers).
    """
    xyz = render.xyz(np.asarray(points, dtype=np.float64))
    return {axis: [round(float(v), 1) for v in values] for axis, values in xyz.items()}


def _note(text: str) -> str:
    return f"<div style='font-size:18px;color:#B26A00'>{html.escape(text)}</div>"
