"""The explorers: thin ipywidgets views over a :class:`~facelayers.widgets.controller.Controller`.

A control only writes the state (``self.update(peel=2)``); the controller draws the change as the smallest
figure update, and every control is then re-rendered from the state (:meth:`LayerExplorer.render_controls`), so
a control always shows what is drawn: a peeled layer's box is unticked and disabled, "outermost shown" names
the surface on top, a technique switch re-labels the flap slider and the endoscope. Re-rendering sets a control
only to the value the state already holds, so its observer finds nothing to change: no re-entry flags.

The stage: the 3D figure sits beside a panel of the controls a student uses while watching (peel, layers,
camera, Show A/B), and wraps below it on a narrow page; the panel keeps its sliders at least 120 px wide. The
cross-section, the depth profile, the comparison table and the endoscope follow below.
"""

from __future__ import annotations

import dataclasses
import html
import json

try:
    import ipywidgets as w
    import plotly.graph_objects  # noqa: F401  (the figures are plotly's: a clear error below without it)
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("facelayers.widgets.explorers needs ipywidgets, anywidget and plotly: "
                      "pip install 'facelayers[lessons]'") from exc

from facelayers.core.frame import INTERFACES
from facelayers.model.cutaway import WINDOWS
from facelayers.model.geometry import FaceModel, build_face
from facelayers.model.patient import AGE_RANGE, BMI_RANGE, REFERENCE_PATIENT, Patient
from facelayers.render import access
from facelayers.render import face as render
from facelayers.teaching.state import CAMERAS, FLAP_MAX_MM, RANGES, SECTION_LIMITS, SURGEON_CAMERAS, ViewState
from facelayers.widgets.controller import Controller

__all__ = ["STAGE_CSS", "DissectionComparer", "LayerExplorer", "MessageMeter", "NerveExplorer", "PatientControls",
           "SURGEON_CAMERAS"]

#: The stage's CSS (ipywidgets styles have no font size for these controls): projection-size type, a panel of
#: controls beside the figure that wraps below it on a narrow page, sliders never narrower than 120 px.
STAGE_CSS = """<style>
.facelayers-stage {width: 100%;}
.facelayers-stage .fl-row {display: flex; flex-flow: row wrap; align-items: flex-start; gap: 8px; width: 100%;}
.facelayers-stage .fl-panel {flex: 0 0 350px; width: 350px; min-width: 300px; box-sizing: border-box;
  padding-right: 4px;}
.facelayers-stage .fl-figure {flex: 1 1 560px; min-width: 420px; max-width: 100%;}
.facelayers-stage .fl-below {flex: 1 1 560px; min-width: 300px; max-width: 100%;}
.facelayers-stage label, .facelayers-stage .widget-readout, .facelayers-stage button,
.facelayers-stage select, .facelayers-stage .widget-label, .facelayers-stage .widget-html-content
  {font-size: 17px !important;}
.facelayers-stage .widget-label, .facelayers-stage .widget-checkbox label {white-space: normal;
  overflow: visible; text-overflow: clip;}
.facelayers-stage .widget-radio-box label {white-space: normal; line-height: 1.3; margin: 4px 0; height: auto;
  min-height: 24px; display: flex; flex-direction: row-reverse; justify-content: flex-end; align-items: flex-start;
  gap: 6px;}
.facelayers-stage .fl-head {font-size: 19px; font-weight: 700; margin: 8px 0 2px 0;}
.facelayers-stage .fl-note {font-size: 16px; line-height: 1.35;}
.facelayers-stage .widget-slider .slider-container, .facelayers-stage .widget-hslider .slider-container
  {min-width: 120px;}
.facelayers-stage .widget-toggle-buttons .widget-toggle-button {width: auto; min-width: 64px;
  padding: 0 8px; margin: 2px;}
.facelayers-stage .widget-toggle-buttons {flex-wrap: wrap; height: auto;}
.facelayers-stage .widget-toggle-buttons > div {display: flex; flex-wrap: wrap;}
.facelayers-stage .fl-table table {border-collapse: collapse; font-size: 15px;}
.facelayers-stage .fl-table th {white-space: normal; vertical-align: bottom; padding: 2px 6px;
  text-align: right; max-width: 110px;}
.facelayers-stage .fl-table td {padding: 2px 6px; text-align: right;}
.facelayers-stage .fl-table td:first-child, .facelayers-stage .fl-table th:first-child {text-align: left;}
</style>"""

#: Width of a slider in the panel: its description above it, the track the panel's full width.
_FULL = w.Layout(width="100%", min_width="240px")


def _head(text: str) -> w.HTML:
    return w.HTML(f"<div class='fl-head'>{html.escape(text)}</div>")


def _slider(kind, description: str, **kwargs):
    """A slider whose description sits on its own line above a full-width track.

    Never cut, never a 0 px track in a narrow panel.
    """
    slider = kind(description="", continuous_update=False, layout=w.Layout(width="100%", min_width="200px"),
                  **kwargs)
    box = w.VBox([w.HTML(f"<span class='fl-note'><b>{html.escape(description)}</b></span>"), slider],
                 layout=w.Layout(width="100%"))
    box.add_class("fl-slider")
    return box, slider


def _set_options(widget, options) -> None:
    """New options for a selection widget without selecting one on the way.

    ipywidgets selects the first option of new options unless nothing is selected, and an observer would take
    that for a choice. The observers ignore None; the caller then sets the value the state holds.
    """
    widget.value = None
    widget.options = options


def _set(widget, **values) -> None:
    """Set widget traits only where they differ (a re-render sends nothing for what is already shown)."""
    for key, value in values.items():
        if getattr(widget, key) != value:
            setattr(widget, key, value)


class PatientControls:
    """Sex, age and BMI controls for one patient, compact for an explorer's panel (300-350 px).

    Each slider's name sits on its own line above a full-width track (never cut; the track at least 200 px), the
    sex is two buttons. :class:`facelayers.widgets.patient_widget.PatientPicker` is the same controls laid out for the
    patients view.

    Parameters
    ----------
    patient : facelayers.model.patient.Patient
        Shown first.
    title : str
        The label above the sex buttons.

    Attributes
    ----------
    sex : ipywidgets.ToggleButtons; age : ipywidgets.IntSlider (18-100); bmi : ipywidgets.FloatSlider (14-60, 0.5)
    box : ipywidgets.VBox
    """

    def __init__(self, patient, title: str = "Sex") -> None:
        self.sex = w.ToggleButtons(options=[("woman", "female"), ("man", "male")], value=patient.sex,
                                   tooltips=["female", "male"], style={"button_width": "90px"},
                                   layout=w.Layout(width="100%"))
        self.age = w.IntSlider(value=round(patient.age), min=int(AGE_RANGE[0]), max=int(AGE_RANGE[1]),
                               description="", continuous_update=False,
                               layout=w.Layout(width="100%", min_width="200px"))
        self.bmi = w.FloatSlider(value=patient.bmi, min=BMI_RANGE[0], max=BMI_RANGE[1], step=0.5, description="",
                                 continuous_update=False, readout_format=".1f",
                                 layout=w.Layout(width="100%", min_width="200px"))

        def labelled(text, control):
            # as _slider's boxes: the name above, the track the panel's full width (the stage's layout tests
            # measure every .fl-slider track)
            box = w.VBox([w.HTML(f"<span class='fl-note'><b>{html.escape(text)}</b></span>"), control],
                         layout=w.Layout(width="100%"))
            box.add_class("fl-slider")
            return box

        self.box = w.VBox([w.HTML(f"<span class='fl-note'><b>{html.escape(title)}</b></span>"), self.sex,
                           labelled("Age (years)", self.age), labelled("BMI (kg/m²)", self.bmi)],
                          layout=w.Layout(width="100%"))

    @property
    def patient(self):
        """The patient the controls show (a :class:`facelayers.model.patient.Patient`)."""
        return Patient(self.sex.value, float(self.age.value), float(self.bmi.value))

    def show(self, patient) -> None:
        """Set the controls to ``patient``."""
        self.sex.value, self.age.value, self.bmi.value = patient.sex, round(patient.age), float(patient.bmi)

    def on_field(self, callback) -> None:
        """Call ``callback(field, value)`` when a control changes.

        ``field`` is ``"sex"``, ``"age"`` or ``"bmi"`` and ``value`` the control's new value (a str, or a float
        for age and BMI).
        """
        self.sex.observe(lambda c: callback("sex", c["new"]), names="value")
        self.age.observe(lambda c: callback("age", float(c["new"])), names="value")
        self.bmi.observe(lambda c: callback("bmi", float(c["new"])), names="value")

    def shows(self, patient) -> bool:
        """True if the controls show ``patient`` (the age to the year, the BMI to the slider's half step)."""
        return all(self.shows_field(name, getattr(self, name).value, patient) for name in ("sex", "age", "bmi"))

    def shows_field(self, field: str, value, patient) -> bool:
        """True if ``value`` of control ``field`` ("sex", "age" or "bmi") shows that field of ``patient``.

        A writer compares against the state with this: nothing to write then.
        """
        if field == "sex":
            return value == patient.sex
        if field == "age":
            return round(value) == round(patient.age)
        return abs(value - patient.bmi) <= self.bmi.step / 2


class MessageMeter:
    """Counts what a widget sends over its comm (JSON text + binary buffers), for benchmarks and tests.

    Attributes
    ----------
    bytes, messages : int
        Sent since the last :meth:`reset`.
    touched : set of str
        Names of the traces (of a FigureWidget) whose data or style those messages changed.
    log : list of (dict, list)
        The messages and their buffers, kept only with ``keep=True``.

    Parameters
    ----------
    widget : ipywidgets.Widget
        Typically a ``go.FigureWidget``; its ``_send`` is wrapped (for the widget's lifetime) to count every
        message before sending it on. ``bytes`` counts the message as JSON text (UTF-8) plus its binary buffers.
    keep : bool
        Also keep every message and its buffers in :attr:`log`.
    """

    def __init__(self, widget, keep: bool = False):
        self.bytes = 0
        self.messages = 0
        self.touched: set[str] = set()
        self.log: list[tuple[dict, list]] = []
        self._widget = widget
        self._orig = widget._send

        def counting_send(msg, buffers=None):
            self.messages += 1
            self.bytes += len(json.dumps(msg, default=str).encode())
            self.bytes += sum(len(memoryview(b).cast("B")) for b in (buffers or []))
            data = getattr(widget, "data", ())
            for value in msg.get("state", {}).values():
                if isinstance(value, dict):
                    for key in ("style_traces", "restyle_traces"):
                        self.touched.update(data[i].name for i in (value.get(key) or []) if i < len(data))
            if keep:
                self.log.append((msg, list(buffers or [])))
            return self._orig(msg, buffers=buffers)

        widget._send = counting_send

    def reset(self) -> None:
        """Start counting afresh: zero ``bytes`` and ``messages``, empty ``touched`` and ``log``."""
        self.bytes = 0
        self.messages = 0
        self.touched = set()
        self.log = []


class LayerExplorer:
    """Layer boxes, a peel slider, camera presets, a cutaway window and a cross-section, beside the 3D model.

    Parameters
    ----------
    model : FaceModel, optional
        Default: ``build_face()`` at lecture resolution.
    state : ViewState, optional
        What to show first (a saved view: :func:`facelayers.teaching.views.load_view`).
    height : int
        Height of the 3D view, px: 620 px fits a 1366x768 laptop's JupyterLab with the panel beside it. Its
        width follows the page.
    title : str or None
        The 3D figure's title; ``""`` (default): the class's :attr:`TITLE`; None: no title.
    extra_traces : sequence of plotly traces
        Added to the 3D figure (the quiz's markers).
    layout : dict, optional
        More layout for the 3D figure (``meta``, ``scene.annotations``...).
    paths : dict of (nerve_id, side) -> facelayers.model.nerves.NervePath, optional
        The placed nerves, for the views that draw them (placed by the controller if not given).

    Raises
    ------
    ValueError
        If ``state`` names a technique, nerve or muscle the model's data do not have; the message lists the
        known ones.

    Attributes
    ----------
    controller : Controller
        Owns the figures and caches; :attr:`state` is its state.
    figure : go.FigureWidget
        The 3D view (:func:`facelayers.render.face.face_figure`): traces ``layer:<surface>``,
        ``labels:regions``, ``section:line``, ``space:layer4``, plus a subclass's nerves, muscles and
        techniques.
    section_figure : go.FigureWidget
        The 2D cross-section (:func:`facelayers.render.face.section_figure`).
    checkboxes : dict of str -> ipywidgets.Checkbox
    peel, cutaway, layers_cut, camera, section_kind, section_at, show_labels : ipywidgets controls
    panel : ipywidgets.VBox
        The controls beside the figure.
    ui : ipywidgets.VBox
    """

    #: Offer the camera presets that look into a raised flap (the dissection comparer does).
    SURGEON_VIEWS = False
    #: Where a new cut starts when the orientation changes: through the cheek, or 20 degrees off the midline.
    SECTION_START = {"horizontal": -25.0, "vertical": 20.0}
    TITLE = "The five layers of the face"
    #: What the controller draws for this view (see :class:`~facelayers.widgets.controller.Controller`).
    FEATURES: dict = {}

    def __init__(self, model: FaceModel | None = None, state: ViewState | None = None, *,
                 height: int = 620, title: str | None = "", extra_traces=(), layout: dict | None = None,
                 paths=None):
        self.model = model if model is not None else build_face()
        state = self.default_state() if state is None else state
        state = self.prepare_state(state)
        self.controller = Controller(self.model, state, paths=paths, title=self.TITLE if title == "" else title,
                                     height=height, extra_traces=extra_traces, layout=layout,
                                     wrap=access.fit_figure, **self.FEATURES)
        self.paths = self.controller.paths
        self.build_controls()
        # The text alternative of the 3D view (read by screen readers, updated with every change).
        self.alt = access.alt_text_widget("", label=f"{self.TITLE or 'Figure'}: description", visible=False)
        # The stage's CSS, the keyboard-focus ring, and the page helper that names the slider handles and fits the
        # figures to their boxes (facelayers.render.access.page_helper_html: no widget model of its own).
        self.ui = w.VBox([w.HTML(STAGE_CSS + access.page_helper_html()), *self.layout_ui()],
                         layout=w.Layout(width="100%"))
        self.ui.add_class("facelayers-stage")
        self.ui.add_class("facelayers-controls")
        self.ui.add_class("fl-a11y")
        self.render_controls()

    # --- the state ----------------------------------------------------------------------------------------

    def default_state(self) -> ViewState:
        """The state shown when none is given: ``ViewState()``."""
        return ViewState()

    def prepare_state(self, state: ViewState) -> ViewState:
        """The state this view can show (the comparer fills in its techniques)."""
        return state

    @property
    def state(self) -> ViewState:
        """What is drawn now (the controller's state)."""
        return self.controller.state

    @property
    def figure(self):
        """The 3D view, a ``go.FigureWidget`` (the controller's)."""
        return self.controller.figure

    @property
    def section_figure(self):
        """The 2D cross-section, a ``go.FigureWidget`` (the controller's)."""
        return self.controller.section_figure

    def update(self, **changes) -> list[str]:
        """A change as a student makes it (with the controller's rules), then the controls re-rendered.

        Parameters
        ----------
        **changes
            New values of :class:`~facelayers.teaching.state.ViewState` fields, e.g. ``peel=2``.

        Returns
        -------
        list of str
            The fields that changed (``[]``: the state was already so, nothing was sent).

        Raises
        ------
        StateError
            A field or value the state refuses; nothing changes then.
        """
        changed = self.controller.update(**changes)
        self.render_controls()
        return changed

    def show_state(self, state: ViewState) -> list[str]:
        """Show a whole state (a saved view, a step) in one call.

        Parameters
        ----------
        state : ViewState
            Prepared for this view first (:meth:`prepare_state`), then resolved by the controller's rules.

        Returns
        -------
        list of str
            The fields that changed, in field order.
        """
        changed = self.controller.show(self.prepare_state(state))
        self.render_controls()
        return changed

    def _write(self, **changes) -> list[str]:
        """A control's observer: change the state only where it differs (a re-render writes the same)."""
        if all(getattr(self.state, key) == value for key, value in changes.items()):
            return []
        return self.update(**changes)

    # the old API, kept for lessons, tests and the bench

    def set_visible(self, name: str, value: bool) -> list[str]:
        """Show or hide one surface (its box): ``update(visible={name: value})``.

        Parameters
        ----------
        name : str
            A surface of :data:`facelayers.core.frame.INTERFACES`.
        value : bool

        Returns
        -------
        list of str
            The fields that changed.

        Raises
        ------
        StateError
            If ``name`` is not a surface.
        """
        return self.update(visible={name: bool(value)})

    def set_peel(self, value: int) -> list[str]:
        """Peel the outermost ``value`` surfaces away: ``update(peel=value)``.

        Parameters
        ----------
        value : int
            0 (nothing peeled) to 5 (only bone left).

        Returns
        -------
        list of str
            The fields that changed.

        Raises
        ------
        StateError
            If ``value`` is out of range or not an int.
        """
        return self.update(peel=value)

    def set_cutaway(self, name: str | None, layers_cut: int) -> list[str]:
        """Open a cutaway window ``layers_cut`` layers deep.

        Parameters
        ----------
        name : str or None
            A window of :data:`facelayers.model.cutaway.WINDOWS`, or None to close the cutaway.
        layers_cut : int
            How many layers, from the skin, the window removes.

        Returns
        -------
        list of str
            The surfaces whose geometry was re-sent.

        Raises
        ------
        StateError
            If the window or the depth is refused.
        """
        self.update(cutaway=name, layers_cut=layers_cut)
        return list(self.controller.resent)

    def set_camera(self, name: str) -> list[str]:
        """Move to a camera preset: ``update(camera=name)``.

        Parameters
        ----------
        name : str
            A key of :data:`facelayers.teaching.state.CAMERAS`.

        Returns
        -------
        list of str
            The fields that changed.

        Raises
        ------
        StateError
            If ``name`` is not a preset.
        """
        return self.update(camera=name)

    def set_section(self, kind: str, at: float | None) -> list[str]:
        """Move the cross-section.

        Parameters
        ----------
        kind : {"horizontal", "vertical"}
        at : float or None
            Height z of a horizontal cut, mm, or azimuth of a vertical one, degrees from the midline (within
            :data:`facelayers.teaching.state.SECTION_LIMITS`); None: the start of :attr:`SECTION_START` for ``kind``.

        Returns
        -------
        list of str
            The fields that changed.

        Raises
        ------
        StateError
            If ``kind`` is unknown or ``at`` is out of its range.
        """
        at = self.SECTION_START.get(kind, 0.0) if at is None else float(at)
        return self.update(section_kind=kind, section_at=at)

    # --- controls -----------------------------------------------------------------------------------------

    def build_controls(self) -> None:
        """Make the controls and wire each to write the state (:meth:`update`) when a student changes it.

        Layer boxes, peel, cutaway, camera, cross-section, region labels and the patient's controls.
        """
        labels = render.surface_labels(self.model)
        self.checkboxes = {name: w.Checkbox(value=True, description=labels[name], indent=False,
                                            layout=w.Layout(width="auto"))
                           for name in INTERFACES}
        peel_box, self.peel = _slider(w.IntSlider, "Peel", value=0, min=0,
                                      max=len(INTERFACES) - 1)
        self.peel_box = peel_box
        self.peel_label = w.HTML()
        self.cutaway = w.Dropdown(options=[("none", "none")] + [(win.label, k) for k, win in WINDOWS.items()],
                                  value="none", description="Window",
                                  style={"description_width": "70px"}, layout=w.Layout(width="100%"))
        cut_box, self.layers_cut = _slider(w.IntSlider, "Layers cut", value=len(INTERFACES) - 1, min=1,
                                           max=len(INTERFACES) - 1)
        self.cut_box = cut_box
        self.camera = w.ToggleButtons(options=self.camera_options(self.state.camera), value=self.state.camera,
                                      layout=w.Layout(width="100%"))
        self.section_kind = w.ToggleButtons(options=["horizontal", "vertical"], value=self.state.section_kind)
        lo, hi = SECTION_LIMITS[self.state.section_kind]
        section_box, self.section_at = _slider(w.FloatSlider, "Cut at (mm high, or degrees from the midline)",
                                               value=self.state.section_at, min=lo, max=hi, step=1.0)
        self.section_box = section_box
        self.show_labels = w.Checkbox(value=False, description="Region labels", indent=False)

        for name, box in self.checkboxes.items():
            box.observe(lambda change, name=name: self._on_box(name, change["new"]), names="value")
        self.peel.observe(lambda c: self._write(peel=int(c["new"])), names="value")
        self.cutaway.observe(lambda c: self._write(cutaway=None if c["new"] == "none" else c["new"]), names="value")
        self.layers_cut.observe(lambda c: self._write(layers_cut=int(c["new"])), names="value")
        self.camera.observe(lambda c: c["new"] is not None and self._write(camera=c["new"]), names="value")
        self.section_kind.observe(lambda c: c["new"] is not None and c["new"] != self.state.section_kind
                                  and self.set_section(c["new"], None), names="value")
        self.section_at.observe(lambda c: self._write(section_at=float(c["new"])), names="value")
        self.show_labels.observe(lambda c: self._write(labels=bool(c["new"])), names="value")
        self.build_patient_controls()

    @property
    def model(self) -> FaceModel:
        """The model drawn now: the controller's (it changes with the state's patient)."""
        controller = self.__dict__.get("controller")
        return controller.model if controller is not None else self.__dict__["_model"]

    @model.setter
    def model(self, value: FaceModel) -> None:
        self.__dict__["_model"] = value

    @property
    def paths(self):
        """The nerves placed on the model drawn now (the controller's)."""
        controller = self.__dict__.get("controller")
        return controller.paths if controller is not None else self.__dict__.get("_paths")

    @paths.setter
    def paths(self, value) -> None:
        self.__dict__["_paths"] = value

    def build_patient_controls(self) -> None:
        """Make the patient picker (sex, age, BMI) and a button back to the reference patient.

        Each writes the state's ``patient`` (the controller then draws that patient's model).
        """
        self.patient_picker = PatientControls(self.state.patient or REFERENCE_PATIENT, "Sex")
        self.patient_reference = w.Button(description="reference patient", tooltip="the data tables as they are",
                                          layout=w.Layout(width="auto"))
        self.patient_label = w.HTML()
        self.patient_picker.on_field(self._write_patient)
        self.patient_reference.on_click(lambda _b: self._write(patient=None))

    def _write_patient(self, field: str, value) -> None:
        """A picker's control changed: write that field of the state's patient.

        Nothing is written when the value already shows that field of the state's patient (a re-render writes
        what is there; no re-entry flag).
        """
        current = self.state.patient or REFERENCE_PATIENT
        if self.patient_picker.shows_field(field, value, current):
            return
        self.update(patient=dataclasses.replace(current, **{field: value}))

    def patient_controls(self) -> list:
        """The patient's part of the panel (last: changing the patient rebuilds the whole figure)."""
        return [_head("Patient"), self.patient_label, self.patient_picker.box, self.patient_reference]

    def render_patient_controls(self) -> None:
        """Show the state's patient on the picker (the reference patient's values for None)."""
        patient = self.state.patient
        shown = patient or REFERENCE_PATIENT
        if not self.patient_picker.shows(shown):
            self.patient_picker.show(shown)
        text = (f"<b>{html.escape(patient.label)}</b>" if patient is not None
                else "<b>the reference patient</b> (the data tables: a woman of 40, BMI 22)")
        self.patient_label.value = f"<div class='fl-note'>Drawn: {text}</div>"
        _set(self.patient_reference, disabled=patient is None)

    def _on_box(self, name: str, value: bool) -> None:
        if self.state.peeled(name):
            return  # a peeled layer's box shows it is not drawn; the peel, not the box, decides
        self._write(visible={**self.state.visible, name: bool(value)})

    def camera_options(self, current: str) -> list[str]:
        """The camera presets the camera buttons offer.

        Parameters
        ----------
        current : str
            The preset shown now: always offered.

        Returns
        -------
        list of str
            Keys of :data:`~facelayers.teaching.state.CAMERAS` in their order; the surgeon's presets
            (:data:`~facelayers.teaching.state.SURGEON_CAMERAS`) only when :attr:`SURGEON_VIEWS` (or ``current``).
        """
        return [c for c in CAMERAS if c not in SURGEON_CAMERAS or self.SURGEON_VIEWS or c == current]

    def layer_controls(self) -> list:
        """The peel slider, the outermost-shown note and a box per surface beside its colour swatch.

        Returns
        -------
        list of ipywidgets.Widget
        """
        boxes = [w.HBox([w.HTML(f"<span style='color:{render.PALETTE[name]};font-size:22px'>&#9632;</span>"),
                         box], layout=w.Layout(width="100%", height="30px", align_items="center"))
                 for name, box in self.checkboxes.items()]
        return [self.peel_box, self.peel_label, _head("Layers"), *boxes]

    def panel_controls(self) -> list:
        """The controls beside the figure, most used first.

        Returns
        -------
        list of ipywidgets.Widget
        """
        return [*self.layer_controls(), _head("Camera"), self.camera, _head("Cutaway"), self.cutaway,
                self.cut_box, self.show_labels]

    def below(self) -> list:
        """What follows the stage: the cross-section's heading and orientation buttons, its slider, its figure.

        Returns
        -------
        list of ipywidgets.Widget
        """
        return [w.HBox([_head("Cross-section"), self.section_kind], layout=w.Layout(flex_flow="row wrap",
                                                                                    align_items="center")),
                w.Box([self.section_box], layout=w.Layout(width="100%", max_width="700px")),
                self.section_figure]

    def stage(self, panel_children: list) -> w.Box:
        """The panel of controls beside the 3D figure (and its text alternative), wrapping below it on a narrow page.

        Parameters
        ----------
        panel_children : list of ipywidgets.Widget
            The panel's controls, top to bottom; sets :attr:`panel` (class ``fl-panel``, 350 px) and
            :attr:`figure_box` (class ``fl-figure``).

        Returns
        -------
        ipywidgets.Box
            A flex row of class ``fl-row``.
        """
        self.panel = w.VBox(panel_children, layout=w.Layout(flex="0 0 350px", width="350px", min_width="300px",
                                                            overflow="visible"))
        self.panel.add_class("fl-panel")
        # A column box stretches the figure to its width; plotly then sizes the plot to it (no fixed width).
        figure_box = w.VBox([self.figure, self.alt], layout=w.Layout(flex="1 1 560px", min_width="420px", max_width="100%",
                                                           align_items="stretch"))
        figure_box.add_class("fl-figure")
        self.figure_box = figure_box
        row = w.Box([self.panel, figure_box], layout=w.Layout(display="flex", flex_flow="row wrap",
                                                              align_items="flex-start", width="100%"))
        row.add_class("fl-row")
        return row

    def layout_ui(self) -> list:
        """The explorer's parts, top to bottom: the stage, then :meth:`below`.

        The stage is the panel (with the patient's controls last) beside the figure.

        Returns
        -------
        list of ipywidgets.Widget
        """
        return [self.stage([*self.panel_controls(), *self.patient_controls()]), *self.below()]

    def render_controls(self) -> None:
        """Show the state on every control (only what differs is set), then update the text alternative."""
        s = self.state
        for name, box in self.checkboxes.items():
            _set(box, value=s.shown(name), disabled=s.peeled(name))
        _set(self.peel, value=s.peel)
        labels = render.surface_labels(self.model)
        outer = s.outermost
        peeled = ", ".join(labels[n] for n in INTERFACES[:s.peel])
        self.peel_label.value = ("<span class='fl-note'>outermost shown: <b>"
                                 f"{labels[outer] if outer else 'nothing (every layer is hidden)'}</b>"
                                 + (f"<br>peeled away: {peeled}" if peeled else "") + "</span>")
        _set(self.cutaway, value=s.cutaway or "none")
        _set(self.layers_cut, value=s.layers_cut)
        options = self.camera_options(s.camera)
        if list(self.camera.options) != options:
            _set_options(self.camera, options)
        _set(self.camera, value=s.camera)
        _set(self.section_kind, value=s.section_kind)
        lo, hi = SECTION_LIMITS[s.section_kind]
        if (self.section_at.min, self.section_at.max) != (lo, hi) or self.section_at.value != s.section_at:
            _set(self.section_at, min=min(lo, self.section_at.min), max=max(hi, self.section_at.max))
            _set(self.section_at, value=s.section_at)
            _set(self.section_at, min=lo, max=hi)
        _set(self.show_labels, value=s.labels)
        self.render_patient_controls()
        self.describe()

    def description(self) -> str:
        """The text alternative of what the 3D view shows now (:func:`facelayers.render.access.describe_view`)."""
        placed = self.controller.placed(self.state.technique) if self.state.technique else None
        return access.describe_view(self.model, self.state, self.paths, placed=placed)

    def describe(self) -> None:
        """Write :meth:`description` into the screen-reader region under the figure (only when it changed)."""
        region = access.alt_text_html(self.description(), label=f"{self.TITLE or 'Figure'}: description",
                                      visible=False)
        if self.alt.value != region:
            self.alt.value = region

    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)


class NerveExplorer(LayerExplorer):
    """The layer explorer plus the nerves, muscles, Seckel's danger zones and the retaining ligaments.

    Pick a nerve, a branch or a muscle: it glows and the rest dims (a muscle also lights its branch), the view
    peels back as far as the nerve needs (a picked muscle shows even with its layer peeled), and the depth
    profile shows that nerve's depth below the skin along its course. Every pick changes styling only.
    """

    TITLE = "Nerves, muscles and danger zones"
    FEATURES = {"nerves": True, "muscles": True, "profile": True}

    def __init__(self, model: FaceModel | None = None, state: ViewState | None = None, *,
                 height: int = 620, title: str | None = "", extra_traces=(), muscles: bool = True,
                 layout: dict | None = None, paths=None):
        if not muscles:
            self.FEATURES = {**self.FEATURES, "muscles": False}
        super().__init__(model, state, height=height, title=title, extra_traces=extra_traces, layout=layout,
                         paths=paths)

    def default_state(self) -> ViewState:
        """The state shown when none is given: three layers peeled (the nerves show), seen from the left."""
        return ViewState(peel=3, camera="left")

    @property
    def profile(self):
        """The depth profile of the picked nerve (a FigureWidget)."""
        return self.controller.profile_figure

    def profile_nerve(self, pick: str) -> str:
        """The nerve whose depth profile a pick shows.

        Parameters
        ----------
        pick : str or None
            As ``ViewState.pick``: ``"nerve:<id>"``, ``"group:<group>"``, ``"muscle:<id>"`` or None.

        Returns
        -------
        str
            The nerve itself, or the first nerve of its branch; the first nerve of the data when nothing is picked.
        """
        return self.controller.profile_nerve(pick)

    def set_pick(self, pick: str | None) -> list[str]:
        """Light a nerve, branch or muscle: ``update(pick=pick)``.

        Parameters
        ----------
        pick : str or None
            ``"nerve:<id>"``, ``"group:<group>"``, ``"muscle:<id>"`` or None (no pick).

        Returns
        -------
        list of str
            The fields that changed (a pick may also peel the view as far as the nerve needs).

        Raises
        ------
        ValueError
            If ``pick`` has another form (a :class:`~facelayers.teaching.state.StateError`) or names an
            unknown nerve or muscle; the message lists the known ones.
        """
        return self.update(pick=pick)

    def set_overlay(self, which: str, value: bool) -> list[str]:
        """Show or hide Seckel's danger zones or the retaining ligaments.

        Parameters
        ----------
        which : {"zones", "ligaments"}
        value : bool

        Returns
        -------
        list of str
            The fields that changed.

        Raises
        ------
        ValueError
            If ``which`` is another name.
        """
        if which not in ("zones", "ligaments"):
            raise ValueError(f"overlay {which!r}; allowed: zones, ligaments")
        return self.update(**{which: bool(value)})

    def build_controls(self) -> None:
        """Make the layer explorer's controls plus the pick menu and the zone and ligament boxes.

        The pick menu offers the branches, then the nerves, then the muscles; each control writes the state.
        """
        super().build_controls()
        anatomy = self.model.anatomy
        groups = {}
        for nerve in anatomy.nerves.values():
            groups.setdefault(nerve.group, nerve)
        options = [("(none)", "none")]
        options += [(f"Branch: {g.replace('_', ' ')}", f"group:{g}") for g in groups]
        options += [(f"Nerve: {n.label}", f"nerve:{nid}") for nid, n in anatomy.nerves.items()]
        options += [(f"Muscle: {m.label}", f"muscle:{mid}") for mid, m in anatomy.muscles.items()]
        self.pick = w.Dropdown(options=options, value="none", description="Pick",
                               style={"description_width": "44px"}, layout=w.Layout(width="100%"))
        self.zones = w.Checkbox(value=False, description="Danger zones (Seckel)", indent=False)
        self.ligaments = w.Checkbox(value=False, description="Retaining ligaments", indent=False)
        self.pick.observe(lambda c: self._write(pick=None if c["new"] == "none" else c["new"]), names="value")
        self.zones.observe(lambda c: self._write(zones=bool(c["new"])), names="value")
        self.ligaments.observe(lambda c: self._write(ligaments=bool(c["new"])), names="value")

    def nerve_controls(self) -> list:
        """The pick menu and the zone and ligament boxes, under their heading.

        Returns
        -------
        list of ipywidgets.Widget
        """
        return [_head("Light a nerve, branch or muscle"), self.pick, self.zones, self.ligaments]

    def panel_controls(self) -> list:
        """The controls beside the figure: layers, camera, the nerve controls, cutaway.

        Returns
        -------
        list of ipywidgets.Widget
        """
        return [*self.layer_controls(), _head("Camera"), self.camera, *self.nerve_controls(), _head("Cutaway"),
                self.cutaway, self.cut_box, self.show_labels]

    def below(self) -> list:
        """What follows the stage: the depth profile (if kept), then the cross-section.

        Returns
        -------
        list of ipywidgets.Widget
        """
        return [self.profile, *super().below()] if self.profile is not None else super().below()

    def render_controls(self) -> None:
        """Show the state on every control, the pick menu and the overlay boxes too."""
        super().render_controls()
        s = self.state
        _set(self.pick, value=s.pick or "none")
        _set(self.zones, value=s.zones)
        _set(self.ligaments, value=s.ligaments)


class DissectionComparer(NerveExplorer):
    """Blind versus endoscopic: two techniques (A and B, one shown) side by side in one view.

    Their planes coloured by the distance to the nearest nerve (red = near, a titled colour bar), their
    incisions or ports, an open technique's flap, the endoscope and what it sees, and the comparison table.

    Switching technique re-sends only the three technique traces (plane, incisions, ports), the scope's and,
    with a raised flap, the flap and the layers it opens; moving the scope re-sends only the scope's traces and
    the endoscope view.

    Parameters
    ----------
    model : FaceModel, optional
        Default: ``build_face()``.
    techniques : (str, str)
        The pair compared, ids of ``data/techniques.json``; A is shown first.
    state : ViewState, optional
        What to show first; a state without a pair gets this one (:meth:`prepare_state`).
    height, title, paths
        As :class:`LayerExplorer`. The muscles are not drawn (here red means "close to a nerve").

    Raises
    ------
    ValueError
        If a technique id is unknown; the message lists the known ones.
    """

    SURGEON_VIEWS = True
    TITLE = "Blind versus endoscopic"
    FEATURES = {"nerves": True, "muscles": False, "profile": True, "techniques": True}

    def __init__(self, model: FaceModel | None = None, techniques: tuple[str, str] = ("deep_plane", "endoscopic_brow"),
                 state: ViewState | None = None, *, height: int = 620, title: str | None = "",
                 paths=None):
        model = model if model is not None else build_face()
        for tid in techniques:
            model.anatomy.technique(tid)  # a clear error listing the known ones
        self._pair = tuple(techniques)
        # No muscle patches here: lesson 02 shows them, and in this view red means "close to a nerve".
        super().__init__(model, state, height=height, title=title, muscles=False, paths=paths)

    def default_state(self) -> ViewState:
        """The state shown when none is given: technique A of the pair, two layers peeled, seen from the left."""
        return ViewState(peel=2, camera="left", technique=self._pair[0], compare=self._pair)

    def prepare_state(self, state: ViewState) -> ViewState:
        """Fill in the pair of techniques.

        A state without a pair keeps the comparer's pair; the technique it shows, if not one of the pair, takes
        the place of the one shown (as choosing it in that menu would).

        Parameters
        ----------
        state : ViewState

        Returns
        -------
        ViewState
            ``state`` itself if it has a pair, else a copy with ``technique`` and ``compare`` set.
        """
        pair = getattr(self, "controller", None) and self.state.compare or self._pair
        if state.compare is not None:
            return state
        tid = state.technique or pair[0]
        if tid not in pair:
            slot = self.state.shown_slot if getattr(self, "controller", None) else "A"
            pair = (tid, pair[1]) if slot == "A" else (pair[0], tid)
        return state.with_(technique=tid, compare=tuple(pair))

    # the old API

    @property
    def scope(self):
        """The endoscope's pose now (None for a technique without ports)."""
        return self.controller.scope(self.state)

    @property
    def holes(self) -> dict:
        """Per layer index, the hole a raised flap opens in it ({} without a raised flap)."""
        return self.controller._holes

    @property
    def scope_view(self):
        """The endoscope's view, a ``go.FigureWidget`` (the controller's)."""
        return self.controller.scope_figure

    def placed(self, technique_id: str):
        """A technique placed on the model (cached by the controller).

        Parameters
        ----------
        technique_id : str
            An id of ``data/techniques.json``.

        Returns
        -------
        facelayers.model.techniques.PlacedTechnique

        Raises
        ------
        ValueError
            If the id is unknown; the message lists the known ones.
        """
        return self.controller.placed(technique_id)

    def _scope_plane(self):
        """The plane the scope's tip lies in (left side), or None."""
        return self.controller.scope_plane(self.state, self.scope)

    def set_technique(self, technique_id: str) -> list[str]:
        """Show a technique in the slot shown (A or B), or switch to its slot if it is one of the pair.

        Parameters
        ----------
        technique_id : str
            An id of ``data/techniques.json``.

        Returns
        -------
        list of str
            The fields that changed.

        Raises
        ------
        ValueError
            If the id is unknown; the message lists the known ones.
        """
        return self.show_state(self.state.with_(technique=technique_id, compare=None))

    def set_flap(self, lift_mm) -> list[str]:
        """Raise an open technique's flap ``lift_mm`` at its incision (0 folds it back).

        Raising it from 0 shows every layer and turns to the surgeon's camera (see :meth:`Controller.resolve`).

        Parameters
        ----------
        lift_mm : real number, mm
            0 to :data:`facelayers.teaching.state.FLAP_MAX_MM`.

        Returns
        -------
        list of str
            The fields that changed.

        Raises
        ------
        ValueError
            If ``lift_mm`` is not a real number (a bool is not) or out of range
            (:func:`facelayers.model.flap.check_lift`), or is refused by the state.
        """
        from facelayers.model.flap import check_lift

        return self.update(flap_mm=check_lift(lift_mm))

    def set_scope(self, port: str | None = None, insertion_mm: float | None = None, aim_deg: float | None = None,
                  magnification: float | None = None) -> list[str]:
        """Move the endoscope (any of its port, insertion, aim, magnification; None leaves one as it is).

        Parameters
        ----------
        port : str, optional
            A port label of the shown technique (left side); a label it does not have is not refused but
            resolved, by the controller's rules, to its first port.
        insertion_mm : float, optional
            How far the scope is inserted, mm.
        aim_deg : float, optional
            The scope's aim, degrees.
        magnification : float, optional
            Screen magnification (x) on a 50 cm screen.

        Returns
        -------
        list of str
            The fields that changed.

        Raises
        ------
        StateError
            If a value is out of its range in :data:`facelayers.teaching.state.RANGES`.
        """
        changes = {k: v for k, v in (("scope_port", port), ("scope_insertion_mm", insertion_mm),
                                     ("scope_aim_deg", aim_deg), ("scope_magnification", magnification))
                   if v is not None}
        return self.update(**changes)

    # --- controls -----------------------------------------------------------------------------------------

    def build_controls(self) -> None:
        """Make the nerve explorer's controls plus the technique and endoscope controls.

        The A and B menus, Show A/B, the flap slider and the endoscope's port, insertion, aim and magnification;
        each writes the state.
        """
        super().build_controls()
        labels = [(t.label, tid) for tid, t in self.model.anatomy.techniques.items()]
        self.technique_a = w.Dropdown(options=labels, value=self.state.compare[0], description="A",
                                      style={"description_width": "22px"}, layout=w.Layout(width="100%"))
        self.technique_b = w.Dropdown(options=labels, value=self.state.compare[1], description="B",
                                      style={"description_width": "22px"}, layout=w.Layout(width="100%"))
        self.show = w.ToggleButtons(options=[("Show A", "A"), ("Show B", "B")], value="A",
                                    layout=w.Layout(width="100%"))
        flap_box, self.flap = _slider(w.FloatSlider, "Raise the flap (mm at the incision)", value=0.0, min=0.0,
                                      max=FLAP_MAX_MM, step=1.0)
        self.flap_box = flap_box
        self.flap_note = w.HTML()
        self.shown_label = w.HTML()
        self.table = w.HTML()
        self.table.add_class("fl-table")
        self.port = w.Dropdown(description="Port", options=[], style={"description_width": "44px"},
                                layout=w.Layout(width="100%"))
        lo, hi, _ = RANGES["scope_insertion_mm"]
        ins_box, self.insertion = _slider(w.FloatSlider, "Insert (mm)", value=self.state.scope_insertion_mm,
                                          min=lo, max=hi, step=1)
        lo, hi, _ = RANGES["scope_aim_deg"]
        aim_box, self.aim = _slider(w.FloatSlider, "Aim (°)", value=self.state.scope_aim_deg, min=lo, max=hi,
                                    step=1)
        lo, hi, _ = RANGES["scope_magnification"]
        mag_box, self.magnification = _slider(w.FloatSlider, "Magnification (× on a 50 cm screen)",
                                              value=self.state.scope_magnification, min=lo, max=hi, step=1)
        self.scope_boxes = [ins_box, aim_box, mag_box]
        self.technique_a.observe(lambda c: self._pick_pair(0, c["new"]), names="value")
        self.technique_b.observe(lambda c: self._pick_pair(1, c["new"]), names="value")
        self.show.observe(lambda c: c["new"] is not None and self._write(
            technique=self.state.compare["AB".index(c["new"])]), names="value")
        self.flap.observe(lambda c: self._write(flap_mm=float(c["new"])), names="value")
        self.port.observe(lambda c: c["new"] is not None and self._write(scope_port=c["new"]), names="value")
        self.insertion.observe(lambda c: self._write(scope_insertion_mm=float(c["new"])), names="value")
        self.aim.observe(lambda c: self._write(scope_aim_deg=float(c["new"])), names="value")
        self.magnification.observe(lambda c: self._write(scope_magnification=float(c["new"])), names="value")

    def _pick_pair(self, slot: int, tid: str) -> None:
        pair = list(self.state.compare)
        if pair[slot] == tid:
            return
        pair[slot] = tid
        shown = pair["AB".index(self.state.shown_slot)]
        self._write(compare=tuple(pair), technique=shown)

    def panel_controls(self) -> list:
        """The controls beside the figure.

        Show A/B, layers, camera, the flap, the pair, the nerve controls, cutaway.

        Returns
        -------
        list of ipywidgets.Widget
        """
        return [self.show, self.shown_label, *self.layer_controls(), _head("Camera"), self.camera,
                _head("Open approach"), self.flap_box, self.flap_note, _head("Techniques compared"),
                self.technique_a, self.technique_b, *self.nerve_controls(), _head("Cutaway"), self.cutaway,
                self.cut_box, self.show_labels]

    def below(self) -> list:
        """What follows the stage: the table, the endoscope, the depth profile and the cross-section.

        The endoscope's controls sit beside its view.

        Returns
        -------
        list of ipywidgets.Widget
        """
        scope_panel = w.VBox([_head("Endoscope"), self.port, *self.scope_boxes],
                             layout=w.Layout(flex="0 0 350px", width="350px", min_width="300px"))
        scope_box = w.VBox([self.scope_view], layout=w.Layout(flex="1 1 560px", min_width="420px",
                                                              align_items="stretch"))
        scope_row = w.Box([scope_panel, scope_box], layout=w.Layout(display="flex", flex_flow="row wrap",
                                                                    align_items="flex-start", width="100%"))
        return [self.table, scope_row, *super().below()]

    def render_controls(self) -> None:
        """Show the state on every control, the technique and endoscope controls too.

        The pair, the flap (disabled for an endoscopic technique) and its note, the endoscope's controls
        (disabled without ports) and the table (rebuilt when the pair or the patient changes).
        """
        super().render_controls()
        s = self.state
        model = self.model
        _set(self.technique_a, value=s.compare[0])
        _set(self.technique_b, value=s.compare[1])
        _set(self.show, value=s.shown_slot)
        technique = model.anatomy.technique(s.technique)
        self.shown_label.value = (f"<div class='fl-note'>Shown: <b>{html.escape(technique.label)}</b> "
                                  f"({technique.approach})</div>")
        is_open = self.controller.is_open(s.technique)
        _set(self.flap, value=float(s.flap_mm), disabled=not is_open)
        if not is_open:
            note = "Endoscopic: no flap is raised; the plane is seen through the scope (below)."
        elif s.flap_mm > 0:
            note = ("What the surgeon sees from the incision: the flap, the floor of the pocket in its shadow, "
                    "<b>no nerve</b>.")
            if self.controller.surgeon_camera(s.technique) == "crown":
                note += (" (A coronal flap is then turned down to the brows, where the supraorbital bundles are "
                         "freed under direct vision.)")
        else:
            note = "Raise the flap to see the open approach as the surgeon meets it."
        self.flap_note.value = f"<div class='fl-note'>{note}</div>"
        ports = self.controller.ports(s.technique)
        if list(self.port.options) != ports:
            _set_options(self.port, ports)
        _set(self.port, value=s.scope_port, disabled=not ports)
        for control, name in ((self.insertion, "scope_insertion_mm"), (self.aim, "scope_aim_deg"),
                              (self.magnification, "scope_magnification")):
            _set(control, value=float(getattr(s, name)), disabled=not ports)
        if getattr(self, "_table_for", None) != (s.compare, s.patient):  # the clearances follow the patient
            self.table.value = self.table_html(s.compare)
            self._table_for = (s.compare, s.patient)

    def table_html(self, pair) -> str:
        """The comparison of the two techniques as an HTML table.

        Full nerve names (headers wrap, never cut), each nerve's clearance from the plane in mm with the side
        it lies on (in the flap, deep to it, crosses it; a dash outside), each technique's approach, area
        (cm²) and scar length (cm); then up to three published complication rates per technique, with author
        and year.

        Parameters
        ----------
        pair : (str, str)
            Technique ids (one row if they are the same).

        Returns
        -------
        str
            HTML: two headings, a ``<table>`` and a ``<ul>``.
        """
        from facelayers.model.techniques import nerve_risks

        anatomy = self.model.anatomy
        nerves = ("frontal_2", "zygomatic", "buccal", "marginal_mandibular", "great_auricular", "supraorbital")
        head = "".join(f"<th>{html.escape(anatomy.nerves[n].label)}</th>" for n in nerves if n in anatomy.nerves)
        rows = []
        for tid in dict.fromkeys(pair):
            placed = self.placed(tid)
            risks = nerve_risks(placed, self.paths)
            cells = []
            for nid in nerves:
                if nid not in anatomy.nerves:
                    continue
                r = risks.get(nid)
                if r is None or r.side == "outside":
                    cells.append("<td>&ndash;</td>")
                else:
                    side = {"flap": "in the flap", "deep": "deep to it", "crosses": "crosses it"}.get(r.side, r.side)
                    cells.append(f"<td>{r.min_mm:.1f} mm, {side}</td>")
            t = placed.technique
            rows.append(f"<tr><td><b>{html.escape(t.label)}</b><br>{t.approach}, {placed.area_cm2:.0f} cm², "
                        f"scar {placed.incision_cm:.1f} cm</td>{''.join(cells)}</tr>")
        rates = []
        for tid in dict.fromkeys(pair):
            t = anatomy.technique(tid)
            for c in t.complications[:3]:
                rates.append(f"<li>{html.escape(t.label)}: {html.escape(c.measure)} {c.value:g}{html.escape(c.unit)} "
                             f"({html.escape(source_citation(anatomy, c.source_id))})</li>")
        return (f"<div class='fl-head'>Clearance of each nerve from the plane</div>"
                f"<table><tr><th>technique</th>{head}</tr>{''.join(rows)}</table>"
                f"<div class='fl-head'>Published complication rates</div><ul class='fl-note'>{''.join(rates)}</ul>")


def source_citation(anatomy, source_id: str) -> str:
    """A source as a student reads it: first author and year ("Jacono 2019"), from data/sources.csv.

    A source whose authors or year were not retrieved is named by its title, marked unverified.

    Parameters
    ----------
    anatomy : facelayers.anatomy.load.Anatomy
        Its ``sources``.
    source_id : str

    Returns
    -------
    str
        ``"<Author> [et al.] <year>"``; the title shortened to 110 characters with "(authors and year not
        verified)"; or "source in the data" for an unknown id.
    """
    import re

    src = anatomy.sources.get(source_id)
    if src is None:
        return "source in the data"
    citation = src.citation or ""
    author = re.match(r"([A-Z][A-Za-z'\-]+)\s+[A-Z]{1,3}\b", citation)
    if author and "NOT RETRIEVED" not in (src.note or "").upper():
        more = " et al." if ("et al" in citation or citation.count(",") > 1) else ""
        return f"{author.group(1)}{more} {src.year}"
    title = citation.split(". ")[0].split(" (")[0]
    import textwrap

    return f"{textwrap.shorten(title, 110, placeholder='...')} (authors and year not verified)"
