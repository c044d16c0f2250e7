"""The storyboard player: a procedure replayed step by step on the dissection comparer.

:class:`StoryboardPlayer` puts Previous / Next buttons, the step's title, caption and nerves at risk, and a
progress bar above a :class:`StepComparer`, the dissection comparer of lesson 03 (layers, nerves, planes,
ports, the endoscope and its view all work as there). Going to a step applies that step's
:class:`~facelayers.state.ViewState` field by field through the comparer's own controls and ``set_*``
methods, and only the fields that differ from what is shown: a step that only moves the highlight sends a
restyle, never a mesh.
"""

from __future__ import annotations

import html

try:
    import ipywidgets as w
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("facelayers.player needs ipywidgets, anywidget and plotly: "
                      "pip install 'facelayers[lessons]'") from exc

from facelayers.frame import INTERFACES
from facelayers.geometry import FaceModel, build_face
from facelayers.state import ViewState
from facelayers.storyboard import Storyboard, nerve_names
from facelayers.widgets import DissectionComparer

__all__ = ["StepComparer", "StoryboardPlayer"]

#: Projection-size text for the player (as the explorers' controls: CSS, since ipywidgets styles have no font
#: size for these widgets).
_CSS = w.HTML(
    "<style>"
    ".facelayers-player .fl-title {font-size: 26px; font-weight: 700; margin: 4px 0;}"
    ".facelayers-player .fl-summary {font-size: 17px; line-height: 1.4; max-width: 1100px;}"
    ".facelayers-player .fl-step {font-size: 24px; font-weight: 700; margin: 6px 0 2px 0;}"
    ".facelayers-player .fl-caption {font-size: 20px; line-height: 1.45; max-width: 1100px;}"
    ".facelayers-player .fl-risk {font-size: 20px; margin: 6px 0; color: #b0006e;}"
    ".facelayers-player .fl-progress {font-size: 18px;}"
    ".facelayers-player button {font-size: 18px !important; height: 42px;}"
    "</style>")


class StepComparer(DissectionComparer):
    """The dissection comparer, able to take a whole :class:`ViewState` at once (:meth:`apply_state`)."""

    def apply_state(self, target: ViewState) -> list[str]:
        """Show ``target``: every field that differs from what is shown, through the comparer's controls and
        its ``set_*`` methods, so that only what changed is sent to the browser.

        A field with a control of its own (a layer's checkbox, the camera, the pick, the overlays, the
        technique menus) is set on that control, whose observer calls the ``set_*`` method once, as a
        click would; the cutaway and the cross-section, whose controls come in pairs, through
        :meth:`set_cutaway` and :meth:`set_section`; the four endoscope controls together, then one
        :meth:`set_scope`; the flap through :meth:`set_flap` (folded before a technique switch, raised after
        it, before the peel and camera, which raising it sets).

        Parameters
        ----------
        target : ViewState
            ``scope_port`` is a port's label; None (or a label the technique does not have) means its
            first port, as the comparer's port menu does.

        Returns
        -------
        list of str
            The fields applied, in the order applied (``[]``: nothing was sent).
        """
        target.validate()
        changed = []
        if self.state.flap_mm and not target.flap_mm:
            self.set_flap(0.0)  # folded first: a technique switch would otherwise re-raise it for the new one
            changed.append("flap")
        if target.technique is not None and target.technique != self.state.technique:
            self._set_scope_controls(target, port=False)  # so that the switch's own scope update uses them
            self._show_technique(target.technique)
            changed.append("technique")
        if self.state.flap_mm != float(target.flap_mm):
            peel, camera = self.state.peel, self.state.camera
            self.set_flap(float(target.flap_mm))  # before peel and camera: raising it sets both
            changed.append("flap")
            changed += [name for name, was in (("peel", peel), ("camera", camera))
                        if getattr(self.state, name) != was and getattr(target, name) == getattr(self.state, name)]
        for name in INTERFACES:
            if self.state.visible[name] != target.visible[name]:
                self.checkboxes[name].value = bool(target.visible[name])
                changed.append(f"visible.{name}")
        if self.state.peel != target.peel:
            self.set_peel(target.peel)
            changed.append("peel")
        if (self.state.cutaway, self.state.layers_cut) != (target.cutaway, target.layers_cut):
            self.set_cutaway(target.cutaway, target.layers_cut)
            self.layers_cut.value = target.layers_cut  # the slider follows; the cut is already applied
            changed.append("cutaway")
        if (self.state.section_kind, self.state.section_at) != (target.section_kind, float(target.section_at)):
            self.set_section(target.section_kind, target.section_at)
            changed.append("section")
        if self.state.camera != target.camera:
            self.camera.value = target.camera
            changed.append("camera")
        if self.state.pick != target.pick:
            self.pick.value = target.pick or "none"
            changed.append("pick")
        for which in ("zones", "ligaments"):
            if getattr(self.state, which) != getattr(target, which):
                getattr(self, which).value = bool(getattr(target, which))
                changed.append(which)
        if self._apply_scope(target):
            changed.append("scope")
        return changed

    def _show_technique(self, technique_id: str) -> None:
        """Show a technique through the A/B menus, so that they say what is shown: one switch."""
        self.model.anatomy.technique(technique_id)  # a clear error listing the known ones
        if technique_id == self.technique_a.value:
            self.show.value = "A"
        elif technique_id == self.technique_b.value:
            self.show.value = "B"
        elif self.show.value == "A":
            self.technique_a.value = technique_id
        else:
            self.technique_b.value = technique_id

    def _scope_target(self, target: ViewState) -> tuple:
        ports = list(self.port.options)
        port = target.scope_port if target.scope_port in ports else (ports[0] if ports else None)
        return (port, float(target.scope_insertion_mm), float(target.scope_aim_deg),
                float(target.scope_magnification))

    def _set_scope_controls(self, target: ViewState, port: bool = True) -> None:
        """Move the endoscope's controls without an update for each (set_scope reads them all)."""
        want = self._scope_target(target)
        self._syncing_ports = True  # set_scope returns at once while this is set (see DissectionComparer)
        try:
            if port and want[0] is not None:
                self.port.value = want[0]
            self.insertion.value, self.aim.value, self.magnification.value = want[1:]
        finally:
            self._syncing_ports = False

    def _apply_scope(self, target: ViewState) -> bool:
        want = self._scope_target(target)
        have = (self.state.scope_port, self.state.scope_insertion_mm, self.state.scope_aim_deg,
                self.state.scope_magnification)
        shown = (self.port.value, float(self.insertion.value), float(self.aim.value),
                 float(self.magnification.value))
        if want == have == shown:
            return False
        self._set_scope_controls(target)
        self.set_scope()
        return True


class StoryboardPlayer:
    """A procedure, step by step: Previous / Next, the step's caption and nerves at risk, and the model.

    Parameters
    ----------
    storyboard : Storyboard
        From :func:`facelayers.storyboard.load_storyboards`.
    model : FaceModel, optional
        Default: ``build_face()`` at lecture resolution.
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

    def __init__(self, storyboard: Storyboard, model: FaceModel | None = None, *, height: int = 640):
        self.storyboard = storyboard
        model = model if model is not None else build_face()
        first = storyboard.steps[0].state()
        shown = first.technique or storyboard.technique
        other = storyboard.compare_with or next(t for t in model.anatomy.techniques if t != shown)
        if other == shown:
            other = next(t for t in model.anatomy.techniques if t != shown)
        self.comparer = StepComparer(model, techniques=(shown, other), state=first, height=height)
        self.number = 0
        self.previous = w.Button(description="◀ Previous", tooltip="previous step",
                                 layout=w.Layout(width="160px"))
        self.next = w.Button(description="Next ▶", tooltip="next step", button_style="primary",
                             layout=w.Layout(width="160px"))
        self.progress = w.IntProgress(value=1, min=0, max=len(storyboard), layout=w.Layout(width="320px"))
        self.progress_label = w.HTML()
        self.caption = w.HTML(layout=w.Layout(min_height="150px"))
        self.previous.on_click(lambda _: self.go_to(self.number - 1))
        self.next.on_click(lambda _: self.go_to(self.number + 1))
        header = w.HTML(f"<div class='fl-title'>{html.escape(storyboard.title)}</div>"
                        f"<div class='fl-summary'>{html.escape(storyboard.summary)}</div>")
        self.ui = w.VBox([
            _CSS, header,
            w.HBox([self.previous, self.next, self.progress, self.progress_label],
                   layout=w.Layout(align_items="center")),
            self.caption, self.comparer.ui,
        ])
        self.ui.add_class("facelayers-player")
        self.go_to(1)

    @property
    def step(self):
        """The :class:`~facelayers.storyboard.Step` shown."""
        return self.storyboard.step(self.number)

    @property
    def state(self) -> ViewState:
        """What the model shows now (the comparer's state)."""
        return self.comparer.state

    @property
    def figure(self):
        """The 3D view (the comparer's ``FigureWidget``)."""
        return self.comparer.figure

    def go_to(self, number: int) -> list[str]:
        """Show step ``number`` (1-based): its caption, and its view applied to the comparer.

        Returns
        -------
        list of str
            The view's fields that changed (see :meth:`StepComparer.apply_state`).

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
        title = f"{self.storyboard.title.split(',')[0]}: step {number} of {total}, {step.title}"
        if self.figure.layout.title.text != title:  # the 3D view says which step it shows (projected alone)
            self.figure.layout.title.text = title
        risk = nerve_names(self.comparer.model.anatomy, step.nerves_at_risk)
        self.caption.value = (
            f"<div class='fl-step'>Step {number} of {total}: {html.escape(step.title)}</div>"
            f"<div class='fl-caption'>{html.escape(step.caption)}</div>"
            f"<div class='fl-risk'><b>Nerves at risk:</b> {html.escape(risk)}</div>")
        return changed

    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)
