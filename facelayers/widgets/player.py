"""The storyboard player: a procedure replayed step by step on the dissection comparer.

:class:`StoryboardPlayer` puts Previous / Next, the step's title, caption and nerves at risk at the top of the
comparer's control panel, beside the 3D view (so Next is where the figure is), with the comparer's controls
below them. Going to a step shows that step's :class:`~facelayers.teaching.state.ViewState` in one call
(:meth:`StepComparer.apply_state` -> :meth:`facelayers.widgets.controller.Controller.show`): only the fields that differ
from what is shown are drawn, so a step that only moves the highlight sends a restyle, never a mesh. The
player's own state is a :class:`~facelayers.teaching.state.StepState` (the step and the view).
"""

from __future__ import annotations

import html

try:
    import ipywidgets as w
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("facelayers.widgets.player needs ipywidgets, anywidget and plotly: "
                      "pip install 'facelayers[lessons]'") from exc

from facelayers.core.frame import INTERFACES
from facelayers.model.geometry import FaceModel, build_face
from facelayers.model.injury import risk_lines
from facelayers.model.skull_parts import skull_parts
from facelayers.render.face import wrap_title
from facelayers.render.skull_stage import bone_bare
from facelayers.teaching.state import StepState, ViewState
from facelayers.teaching.storyboard import Storyboard, nerve_names
from facelayers.widgets.dissection import DissectionComparer

__all__ = ["StepComparer", "StoryboardPlayer"]

#: Projection-size text for the player (CSS, since ipywidgets styles have no font size for these widgets).
_CSS = w.HTML(
    "<style>"
    ".facelayers-player .fl-title {font-size: 26px; font-weight: 700; margin: 4px 0;}"
    ".facelayers-player .fl-summary {font-size: 17px; line-height: 1.4; max-width: 1100px;}"
    ".facelayers-player .fl-step {font-size: 22px; font-weight: 700; margin: 6px 0 2px 0; line-height: 1.25;}"
    ".facelayers-player .fl-caption {font-size: 20px; line-height: 1.45; max-width: 1100px;}"
    ".facelayers-player .fl-panel .fl-caption {font-size: 17px; line-height: 1.4;}"
    ".facelayers-player .fl-risk {font-size: 18px; margin: 6px 0; color: #b0006e;}"
    ".facelayers-player .fl-near {font-size: 16px; margin: 4px 0;}"
    ".facelayers-player .fl-injury {font-size: 16px; margin: 6px 0;} .facelayers-player .fl-injury ul {margin: 4px 0;}"
    ".facelayers-player .fl-progress {font-size: 18px;}"
    ".facelayers-player button {font-size: 18px !important; height: 42px;}"
    "</style>")

#: How :meth:`StepComparer.apply_state` names what changed: the state's fields, grouped as a lecturer says
#: them, in the order they are reported.
_GROUPS = [("patient", ("patient",)), ("technique", ("technique", "compare")), ("flap", ("flap_mm",)),
           *((f"visible.{n}", (f"visible.{n}",)) for n in INTERFACES), ("peel", ("peel",)),
           ("cutaway", ("cutaway", "layers_cut")), ("section", ("section_kind", "section_at")),
           ("camera", ("camera",)), ("pick", ("pick",)), ("zones", ("zones",)), ("ligaments", ("ligaments",)),
           ("labels", ("labels",)), ("nerves", ("nerves",)),
           ("scope", ("scope_port", "scope_insertion_mm", "scope_aim_deg", "scope_magnification"))]


class StepComparer(DissectionComparer):
    """The dissection comparer, able to take a whole :class:`ViewState` at once (:meth:`apply_state`).

    Parameters
    ----------
    *args, **kwargs
        As :class:`facelayers.widgets.dissection.DissectionComparer` (model, techniques, state, height, title, paths).
    lead : sequence of ipywidgets.Widget
        Widgets put at the top of the control panel, above the comparer's own (the player's step controls).
    """

    def __init__(self, *args, lead=(), **kwargs):
        self.lead = list(lead)
        super().__init__(*args, **kwargs)

    def panel_controls(self) -> list:
        """The controls beside the figure: the ``lead`` widgets, then the comparer's own."""
        return [*self.lead, *super().panel_controls()]

    def apply_state(self, target: ViewState) -> list[str]:
        """Show ``target`` in one call; only what differs from what is shown is drawn.

        Parameters
        ----------
        target : ViewState
            ``scope_port`` is a port's label; None (or a label the technique does not have) means its
            first port. A technique outside the comparer's pair takes the shown one's place.

        Returns
        -------
        list of str
            What changed, grouped: ``patient`` (the model was rebuilt), ``technique``, ``flap``, ``visible.<layer>``, ``peel``, ``cutaway``,
            ``section``, ``camera``, ``pick``, ``zones``, ``ligaments``, ``labels``, ``nerves``, ``scope``
            (``[]``: nothing was sent).
        """
        old = self.state
        fields = set(self.show_state(target))
        if "visible" in fields:
            fields |= {f"visible.{n}" for n in INTERFACES if old.visible[n] != self.state.visible[n]}
        return [group for group, names in _GROUPS if fields & set(names)]


class StoryboardPlayer:
    """A procedure, step by step: Previous / Next, the step's caption and nerves at risk, and the model.

    Parameters
    ----------
    storyboard : Storyboard
        From :func:`facelayers.teaching.storyboard.load_storyboards`.
    model : FaceModel, optional
        Default: ``build_face(patient=...)`` at lecture resolution, for the first step's patient (the
        storyboard's ``patient``, or the reference patient). A step that names another patient is drawn on
        that patient's model (the comparer's controller builds and keeps it).
    height : int, px
        Height of the 3D view.

    Attributes
    ----------
    storyboard : Storyboard
    comparer : StepComparer
        The dissection comparer the steps are shown on (its controls stay live between steps).
    number : int
        The step shown, 1-based.
    previous, next : ipywidgets.Button
        Disabled at the first and the last step.
    progress : ipywidgets.IntProgress
        ``value`` = the step shown, ``max`` = the number of steps.
    caption : ipywidgets.HTML
        "Step k of n", the title, the caption and the nerves at risk.
    ui : ipywidgets.VBox
    """

    def __init__(self, storyboard: Storyboard, model: FaceModel | None = None, *, height: int = 620):
        self.storyboard = storyboard
        first = storyboard.steps[0].state()
        # the first step's patient (the storyboard's, or its own); a later step's patient rebuilds it
        model = model if model is not None else build_face(patient=first.patient)
        shown = first.technique or storyboard.technique
        other = storyboard.compare_with or next(t for t in model.anatomy.techniques if t != shown)
        if other == shown:
            other = next(t for t in model.anatomy.techniques if t != shown)
        self.number = 1
        self.previous = w.Button(description="◀ Previous", tooltip="previous step", layout=w.Layout(width="150px"))
        self.next = w.Button(description="Next ▶", tooltip="next step", button_style="primary",
                             layout=w.Layout(width="150px"))
        self.progress = w.IntProgress(value=1, min=0, max=len(storyboard), layout=w.Layout(width="100%"))
        self.progress_label = w.HTML()
        self.caption = w.HTML(layout=w.Layout(width="100%"))
        self.previous.on_click(lambda b: None if b.disabled else self.go_to(self.number - 1))
        self.next.on_click(lambda b: None if b.disabled else self.go_to(self.number + 1))
        self.step_head = w.HTML(layout=w.Layout(width="100%"))
        # Beside the model: the buttons, where the step is, its title and the nerves at risk; the caption goes
        # under the model, so the controls used while watching stay in the same screen as the model.
        lead = [w.HBox([self.previous, self.next], layout=w.Layout(flex_flow="row wrap")),
                w.HBox([self.progress_label]), self.progress, self.step_head]
        # The first step's view and title are drawn before the figure is wrapped (Voila keeps only that).
        self.comparer = StepComparer(model, techniques=(shown, other), state=first, height=height, lead=lead,
                                     title=wrap_title(self._title(1)))
        header = w.HTML(f"<div class='fl-title'>{html.escape(storyboard.title)}</div>"
                        f"<div class='fl-summary'>{html.escape(storyboard.summary)}</div>")
        self.comparer.figure_box.children = (*self.comparer.figure_box.children, self.caption)
        self.ui = w.VBox([_CSS, header, self.comparer.ui], layout=w.Layout(width="100%"))
        self.ui.add_class("facelayers-player")
        self.go_to(1)
        # A step on bare bone draws the drawn skull (facelayers.render.skull_stage): build it now (cached per model,
        # nothing sent), so that Next onto that step does not wait ~1.3 s for it.
        if any(bone_bare(step.state()) for step in storyboard.steps):
            skull_parts(self.comparer.model)

    def _title(self, number: int) -> str:
        step = self.storyboard.step(number)
        return f"{self.storyboard.title.split(',')[0]}: step {number} of {len(self.storyboard)}, {step.title}"

    @property
    def step(self):
        """The :class:`~facelayers.teaching.storyboard.Step` shown."""
        return self.storyboard.step(self.number)

    @property
    def state(self) -> ViewState:
        """What the model shows now (the comparer's state)."""
        return self.comparer.state

    @property
    def figure(self):
        """The 3D view (the comparer's ``FigureWidget``)."""
        return self.comparer.figure

    @property
    def step_state(self) -> StepState:
        """The player's state: the step shown and what the model shows."""
        return StepState(step=self.number, view=self.state)

    def go_to(self, number: int) -> list[str]:
        """Show step ``number`` (1-based): its caption, and its view applied to the comparer in one call.

        Parameters
        ----------
        number : int
            1 to the number of steps.

        Returns
        -------
        list of str
            What changed (see :meth:`StepComparer.apply_state`).

        Raises
        ------
        ValueError
            A number outside 1 to the number of steps (the message gives the range).
        """
        step = self.storyboard.step(number)
        self.number = number
        changed = self.comparer.apply_state(step.state())
        total = len(self.storyboard)
        self.previous.disabled = number == 1
        self.next.disabled = number == total
        self.progress.value = number
        self.progress_label.value = f"<span class='fl-progress'>Step <b>{number}</b> of {total}</span>"
        title = wrap_title(self._title(number))
        if self.figure.layout.title.text != title:  # the 3D view says which step it shows (projected alone)
            self.figure.layout.title.text = title
        risk = nerve_names(self.comparer.model.anatomy, step.nerves_at_risk)
        near = self.near_text(self.state.technique)
        self.step_head.value = (
            f"<div class='fl-step'>Step {number} of {total}: {html.escape(step.title)}</div>"
            f"<div class='fl-risk'><b>Nerves at risk:</b> {html.escape(risk)}</div>{near}")
        # What an injury here would take away (lesson 06 shows it on a moving face).
        lost = risk_lines(self.comparer.model, step.nerves_at_risk)
        injured = ("" if not lost else
                   "<div class='fl-injury'><b>If a branch at risk here were injured</b> (lesson 06, <i>Expression, "
                   "and what a cut nerve takes away</i>, shows it on a moving face):<ul>"
                   + "".join(f"<li>{html.escape(line)}</li>" for line in lost) + "</ul></div>")
        self.caption.value = (
            f"<div class='fl-step'>Step {number} of {total}: {html.escape(step.title)}</div>"
            f"<div class='fl-caption'>{html.escape(step.caption)}</div>"
            f"<div class='fl-risk'><b>Nerves at risk:</b> {html.escape(risk)}</div>{near}{injured}")
        return changed

    def near_text(self, technique_id: str | None) -> str:
        """HTML: the nerves within :data:`facelayers.model.near_plane.NEAR_MM` of the whole plane drawn, measured.

        The plane is coloured by its distance to the nearest nerve (red at 0 mm): this names the nerves its red
        and pink are, so a step's "Nerves at risk" (that step's manoeuvre) and the colours never seem to disagree.

        Parameters
        ----------
        technique_id : str or None
            The technique shown ("" without one).

        Returns
        -------
        str
            One ``<div class='fl-near'>`` line, or "" without a technique.
        """
        from facelayers.model.near_plane import NEAR_MM, near_plane_nerves

        if not technique_id:
            return ""
        cache = self.__dict__.setdefault("_near", {})
        if technique_id not in cache:
            ids = near_plane_nerves(self.comparer.placed(technique_id), self.comparer.paths)
            cache[technique_id] = nerve_names(self.comparer.model.anatomy, ids)
        return (f"<div class='fl-near'>Within {NEAR_MM:g} mm of the whole plane drawn (its red and pink): "
                f"{html.escape(cache[technique_id])}</div>")

    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)
