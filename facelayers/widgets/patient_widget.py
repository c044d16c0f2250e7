"""The "patients" view: the same technique in two patients, side by side, with the margins in mm.

Thin widgets over a plain state (:class:`PatientsView`): two patient pickers (sex, age, BMI), the technique and
the figure theme write the state; :meth:`PatientComparer.render` turns the state into the margin table
(:func:`facelayers.model.margins.compare_patients`), the figure (:func:`facelayers.render.margin_figure.margins_figure`), an
HTML table and the figure's text alternative (:func:`facelayers.render.access.describe_margins`, announced to screen
readers). Every control is a native button, slider or select: reachable with Tab and operated with the arrow
keys, Space or Enter, with the focus ring of :data:`facelayers.render.access.FOCUS_CSS`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace

import ipywidgets as widgets

from facelayers.anatomy.load import load_anatomy
from facelayers.model.margins import MarginTable, compare_patients
from facelayers.model.patient import AGE_RANGE, BMI_RANGE, Patient
from facelayers.render.access import alt_text_html, describe_margins, fit_figure, page_helper_widget
from facelayers.render.margin_figure import margins_figure, patient_tag
from facelayers.render.themes import THEMES
from facelayers.widgets.controls import PatientControls

__all__ = ["PatientComparer", "PatientPicker", "PatientsView", "margins_html"]


#: The comparison the view opens with: a thin 75-year-old woman and a heavy 30-year-old man.
DEFAULT_PAIR = (Patient("female", 75, 19), Patient("male", 30, 32))


@dataclass(frozen=True)
class PatientsView:
    """What the patients view shows: two patients, one technique, a theme."""

    a: Patient = DEFAULT_PAIR[0]
    b: Patient = DEFAULT_PAIR[1]
    technique: str = "skin_only"
    theme: str = "stage"

    def __post_init__(self) -> None:
        for name in ("a", "b"):
            if not isinstance(getattr(self, name), Patient):
                raise TypeError(f"PatientsView: field '{name}' = {getattr(self, name)!r}: allowed: a Patient")
        if self.theme not in THEMES:
            raise ValueError(f"PatientsView: field 'theme' = {self.theme!r}: allowed: {', '.join(THEMES)}")


class PatientPicker(PatientControls):
    """Sex, age and BMI controls for one patient, laid out for the patients view (labels beside the sliders).

    The controls' logic (:meth:`show`, :meth:`shows`, :meth:`shows_field`, :meth:`on_field`, :attr:`patient`) is
    :class:`facelayers.widgets.controls.PatientControls`'s, the explorers' compact picker.

    Attributes
    ----------
    sex : ipywidgets.ToggleButtons; age : ipywidgets.IntSlider; bmi : ipywidgets.FloatSlider
    box : ipywidgets.VBox
        The three controls under a heading.
    """

    def __init__(self, patient: Patient, title: str = "Patient") -> None:
        self.sex = widgets.ToggleButtons(options=[("woman", "female"), ("man", "male")], value=patient.sex,
                                         description="Sex", tooltips=["female", "male"],
                                         style={"button_width": "80px"})
        self.age = widgets.IntSlider(value=round(patient.age), min=int(AGE_RANGE[0]), max=int(AGE_RANGE[1]),
                                     description="Age (years)", continuous_update=False,
                                     style={"description_width": "110px"}, layout=widgets.Layout(min_width="340px"))
        self.bmi = widgets.FloatSlider(value=patient.bmi, min=BMI_RANGE[0], max=BMI_RANGE[1], step=0.5,
                                       description="BMI (kg/m²)", continuous_update=False, readout_format=".1f",
                                       style={"description_width": "110px"}, layout=widgets.Layout(min_width="340px"))
        heading = widgets.HTML(f"<b>{html.escape(title)}</b>")
        self.box = widgets.VBox([heading, self.sex, self.age, self.bmi],
                                layout=widgets.Layout(min_width="360px", margin="0 18px 0 0"))

    def observe(self, callback) -> None:
        """Call ``callback`` whenever the sex, age or BMI control changes.

        Parameters
        ----------
        callback : callable
            An ipywidgets observer, called with the change (a dict with ``"old"`` and ``"new"``).
        """
        for control in (self.sex, self.age, self.bmi):
            control.observe(callback, names="value")


def margins_html(table: MarginTable) -> str:
    """The margins as an accessible HTML table (caption, column and row headers), mm to one decimal."""
    head = "".join(f'<th scope="col">{html.escape(label)} (mm)</th>' for _, label in table.sites)
    body = []
    for i, (patient, row) in enumerate(zip(table.patients, table.rows)):
        cells = "".join(
            "<td>not under the plane</td>" if m.margin_mm == float("inf")
            else f"<td>{m.margin_mm:.1f}{' <b>(exposed)</b>' if m.exposed else ''}</td>" for m in row)
        body.append(f'<tr><th scope="row">{html.escape(patient_tag(i, patient))}</th>{cells}</tr>')
    caption = (f"Margin of safety (mm) for {html.escape(table.technique_label)}: the closest "
               "distance between the dissection plane and each branch (exposed: within 2 mm)")
    return (f'<style>.fl-margins th, .fl-margins td {{padding: 2px 14px; text-align: left}}</style>'
            f'<table class="fl-margins" style="border-collapse:collapse;font-size:16px">'
            f'<caption style="text-align:left">{caption}</caption><thead><tr><th scope="col">patient</th>{head}'
            f"</tr></thead><tbody>{''.join(body)}</tbody></table>")


class PatientComparer:
    """The patients view: two pickers, a technique and a theme; figure, table and text alternative.

    Parameters
    ----------
    a, b : Patient
        The two patients shown first (default: a thin 75-year-old woman and a heavy 30-year-old man).
    technique : str
        A technique_id of techniques.json (open techniques are offered).
    resolution : str or (int, int)
        Grid of the models.
    theme : {"stage", "projector", "print"}

    Attributes
    ----------
    state : PatientsView
        The one home of what is shown.
    table : MarginTable
    figure : plotly.graph_objects.FigureWidget
        Traces ``band:<layer>``, ``plane:depth``, ``nerve:depth``.
    box : ipywidgets.VBox
        Display this.
    """

    def __init__(self, a: Patient = DEFAULT_PAIR[0], b: Patient = DEFAULT_PAIR[1], technique: str = "skin_only",
                 resolution: str | tuple[int, int] = "lecture", theme: str = "stage") -> None:
        anatomy = load_anatomy()
        anatomy.technique(technique)
        self.resolution = resolution
        self.state = PatientsView(a, b, technique, theme)
        self.picker_a = PatientPicker(a, "Patient A")
        self.picker_b = PatientPicker(b, "Patient B")
        options = [(t.label, t.technique_id) for t in anatomy.techniques.values() if t.approach == "open"]
        self.technique = widgets.Dropdown(options=options, value=technique, description="Technique",
                                          style={"description_width": "90px"}, layout=widgets.Layout(width="380px"))
        self.theme = widgets.ToggleButtons(options=[(name, name) for name in THEMES], value=theme,
                                           description="Theme", style={"button_width": "90px"})
        self.table = compare_patients((a, b), technique, resolution)
        # Build the figure complete, then wrap it (TECH_NOTES: later changes are lost in Voila).
        self.figure = fit_figure(margins_figure(self.table, theme=theme))
        self.table_html = widgets.HTML(margins_html(self.table))
        self.alt = widgets.HTML(alt_text_html(describe_margins(self.table)))
        controls = widgets.VBox([self.technique, self.theme])
        header = widgets.HBox([self.picker_a.box, self.picker_b.box, controls],
                              layout=widgets.Layout(flex_flow="row wrap"))
        self.box = widgets.VBox([page_helper_widget(), header, self.figure, self.table_html, self.alt])
        self.box.add_class("fl-a11y")
        # Each control writes its one field into the state; no re-entry flag: while set_state shows a state on
        # the controls, each control's write compares against that state and finds nothing to change.
        self.picker_a.on_field(lambda field, value: self._write_patient("a", field, value))
        self.picker_b.on_field(lambda field, value: self._write_patient("b", field, value))
        self.technique.observe(lambda c: self.set_state(replace(self.state, technique=c["new"])), names="value")
        self.theme.observe(lambda c: self.set_state(replace(self.state, theme=c["new"])), names="value")

    def _write_patient(self, slot: str, field: str, value) -> None:
        """A picker's control changed: write that field of patient ``slot`` ("a" or "b") into the state.

        Nothing is written when the value already shows that field of the state's patient (a re-render writes
        what is there).
        """
        picker, current = (self.picker_a if slot == "a" else self.picker_b), getattr(self.state, slot)
        if picker.shows_field(field, value, current):
            return
        self.set_state(replace(self.state, **{slot: replace(current, **{field: value})}))

    def set_state(self, state: PatientsView) -> None:
        """Show ``state``: the controls are set to it and the figure, table and description re-rendered."""
        if state == self.state:
            return
        self.state = state  # first: the controls' observers then compare against the new state
        for picker, patient in ((self.picker_a, state.a), (self.picker_b, state.b)):
            if not picker.shows(patient):
                picker.show(patient)
        self.technique.value, self.theme.value = state.technique, state.theme
        self.render()

    def render(self) -> None:
        """Recompute the margins for the state and update the figure (one batch), the table and the text."""
        s = self.state
        self.table = compare_patients((s.a, s.b), s.technique, self.resolution)
        new = margins_figure(self.table, theme=s.theme)
        with self.figure.batch_update():
            for trace, fresh in zip(self.figure.data, new.data):
                trace.update(y=fresh.y, x=fresh.x, customdata=fresh.customdata)
                if fresh.type == "bar":
                    trace.update(base=fresh.base)
            # Only what changed (the bars' annotations, the axis's range, a theme's colours): assigning the whole
            # layout re-sent its height, template and margins, plotly.js redrew the figure from scratch, its height
            # fell back from the page's fit and the notebook jumped to the cell's top.
            self.figure.update_layout(new.layout.to_plotly_json())
        self.table_html.value = margins_html(self.table)
        self.alt.value = alt_text_html(describe_margins(self.table))

    def swap(self) -> None:
        """Show patient B as A and A as B."""
        self.set_state(replace(self.state, a=self.state.b, b=self.state.a))
