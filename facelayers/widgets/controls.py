"""The explorers' controls: the stage's CSS, headings, labelled sliders, quiet setters and the patient picker.

A re-render sets a control only where it differs from the state (:func:`set_quietly`), so an observer finds
nothing to change; :func:`set_options` changes a menu's choices without selecting one on the way.
"""

from __future__ import annotations

import html

try:
    import ipywidgets as w
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("facelayers.widgets.controls needs ipywidgets: "
                      "pip install 'facelayers[lessons]'") from exc

from facelayers.model.patient import AGE_RANGE, BMI_RANGE, Patient

__all__ = ["STAGE_CSS", "PatientControls", "heading", "labelled_slider", "set_options", "set_quietly"]

#: The stage's CSS (ipywidgets styles have no font size for these controls): projection-size type, a panel of
#: controls beside the figure that wraps below it on a narrow page, sliders never narrower than 120 px.
#: Its last rule is for the page: printed tables (cell outputs) wrap between words, never inside one (JupyterLab
#: breaks a long output line anywhere: "Malar / midfa|ce").
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
.facelayers-stage .fl-head {font-size: 19px; font-weight: 700; margin: 4px 0 0 0; line-height: 26px;}
.facelayers-stage .fl-note {font-size: 16px; line-height: 1.35;}
.facelayers-stage .fl-panel > .widget-html, .facelayers-stage .fl-panel > .widget-html > .widget-html-content
  {height: auto; min-height: 0; line-height: 24px;}
.facelayers-stage .fl-panel > * {margin-top: 1px; margin-bottom: 1px;}
.facelayers-stage .fl-layers {display: grid; grid-template-columns: max-content minmax(0, 1fr);
  grid-auto-flow: row; column-gap: 12px; row-gap: 0; width: 100%;}
.facelayers-stage .fl-layer {min-height: 30px; height: auto; align-items: center; margin: 0;}
.facelayers-stage .fl-layer .widget-checkbox {height: auto; min-height: 28px; margin: 0; min-width: 0;}
.facelayers-stage .fl-layer > .widget-html {flex: 0 0 auto; width: auto; margin: 0 4px 0 0;}
.facelayers-stage .fl-layer > .widget-html > .widget-html-content {display: flex; align-items: center;}
.facelayers-stage .fl-swatch {display: inline-block; width: 18px; height: 18px; border-radius: 3px;
  border: 1px solid rgba(0, 0, 0, 0.35); box-sizing: border-box;}
.facelayers-stage .fl-layer .widget-checkbox label {display: flex; align-items: center; gap: 5px; line-height: 1.2;}
.facelayers-stage .fl-layer .widget-checkbox input {flex: 0 0 auto; margin: 0; align-self: center;}
.facelayers-stage .fl-layer.fl-peeled .widget-checkbox span {text-decoration: line-through;}
.facelayers-stage .fl-inline {align-items: center; gap: 6px;}
.facelayers-stage .fl-inline > .widget-html {flex: 0 0 auto; width: auto;}
.facelayers-stage .fl-inline > .widget-slider {flex: 1 1 auto; min-width: 160px;}
.facelayers-stage .widget-slider .slider-container, .facelayers-stage .widget-hslider .slider-container
  {min-width: 120px;}
.facelayers-stage .widget-toggle-buttons .widget-toggle-button {width: auto; min-width: 64px;
  padding: 0 8px; margin: 2px;}
.facelayers-stage .fl-camera .widget-toggle-button {min-width: 44px; padding: 0 6px; margin: 1px;}
.facelayers-stage .widget-toggle-buttons {flex-wrap: wrap; height: auto;}
.facelayers-stage .widget-toggle-buttons > div {display: flex; flex-wrap: wrap;}
.facelayers-stage .fl-table table {border-collapse: collapse; font-size: 15px;}
.facelayers-stage .fl-table th {white-space: normal; vertical-align: bottom; padding: 2px 6px;
  text-align: right; max-width: 110px;}
.facelayers-stage .fl-table td {padding: 2px 6px; text-align: right;}
.facelayers-stage .fl-table td:first-child, .facelayers-stage .fl-table th:first-child {text-align: left;}
.jp-OutputArea-output pre {word-break: normal !important; overflow-wrap: break-word;}
</style>"""


def heading(text: str) -> w.HTML:
    """A heading in an explorer's panel (class ``fl-head``: 19 px, bold).

    Parameters
    ----------
    text : str
        Plain text (HTML-escaped here).

    Returns
    -------
    ipywidgets.HTML
    """
    return w.HTML(f"<div class='fl-head'>{html.escape(text)}</div>")


def labelled_slider(kind, description: str, *, inline: bool = False, **kwargs):
    """A slider whose description sits on its own line above a full-width track, or before it on one line.

    Never cut, never a 0 px track in a narrow panel.

    Parameters
    ----------
    kind : type
        An ipywidgets slider class (``IntSlider``, ``FloatSlider``).
    description : str
        Plain text above the track (HTML-escaped here).
    inline : bool
        Put a short description ("Peel", "Layers cut") before the track on the same line (one row, class
        ``fl-inline``; the track then at least 160 px) instead of above it.
    **kwargs
        The slider's ``value``, ``min``, ``max``, ``step``...; it never updates while dragged.

    Returns
    -------
    box : ipywidgets.VBox or ipywidgets.HBox
        The description and the slider (class ``fl-slider``), 100% wide.
    slider : ipywidgets widget
        The slider itself (at least 200 px wide, 160 px inline), to observe and set.
    """
    slider = kind(description="", continuous_update=False,
                  layout=w.Layout(width="100%" if not inline else "auto", min_width="160px" if inline else "200px"),
                  **kwargs)
    label = w.HTML(f"<span class='fl-note'><b>{html.escape(description)}</b></span>")
    if inline:
        box = w.HBox([label, slider], layout=w.Layout(width="100%", align_items="center"))
        box.add_class("fl-inline")
    else:
        box = w.VBox([label, slider], layout=w.Layout(width="100%"))
    box.add_class("fl-slider")
    return box, slider


def set_options(widget, options) -> None:
    """New options for a selection widget without selecting one on the way.

    ipywidgets selects the first option of new options unless nothing is selected, and an observer would take
    that for a choice. The observers ignore None; the caller then sets the value the state holds.

    Parameters
    ----------
    widget : ipywidgets selection widget
        A ``Dropdown``, ``ToggleButtons``...; left with the value None.
    options : sequence
        Its new options (values, or (label, value) pairs).
    """
    widget.value = None
    widget.options = options


def set_quietly(widget, **values) -> None:
    """Set widget traits only where they differ (a re-render sends nothing for what is already shown).

    Parameters
    ----------
    widget : ipywidgets.Widget
    **values
        Trait names and the values to show (``value=2``, ``disabled=True``), set in the order given.
    """
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


