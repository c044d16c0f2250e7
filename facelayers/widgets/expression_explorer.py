"""The expression explorer: expression, strength, side, cut branches and divided muscles beside two faces.

A thin view over :mod:`facelayers.widgets.expression_widget`'s state and figures: each control writes its own field
of an :class:`~facelayers.widgets.expression_widget.ExpressionState`, and the figure, the controls, the report and
the text alternative are shown from the state.
"""

from __future__ import annotations

from dataclasses import replace

from facelayers.model import expression as ex
from facelayers.model import injury
from facelayers.model.geometry import FaceModel
from facelayers.render import access
from facelayers.widgets.expression_widget import (
    ExpressionState,
    expression_figure,
    expression_update,
    harm_in_words,
    report_lines,
)

__all__ = ["ExpressionExplorer"]


#: The panel's own rules: ``fl-stack`` puts a list's label above it, the list the panel's full width; ``fl-wrap``
#: lets a checkbox's label wrap onto a second line.
EXPLORER_CSS = """<style>
.facelayers-stage .fl-stack {flex-direction: column; align-items: stretch; height: auto;}
.facelayers-stage .fl-stack > .widget-label {width: auto !important; max-width: none; text-align: left;
  margin: 2px 0 0 0;}
.facelayers-stage .fl-stack > select {width: 100%; flex: 1 1 auto; margin: 0;}
.facelayers-stage .fl-wrap {height: auto;}
.facelayers-stage .fl-wrap label, .facelayers-stage .fl-wrap span {white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; height: auto; line-height: 1.3;}
</style>"""


class ExpressionExplorer:
    """Widgets over :func:`expression_figure`; ``widget`` is the box to display.

    Expression, strength, side, branch cuts per side (cut or stretch), sensory nerves, divided muscles, a
    technique (and "injure the branches its plane comes near"), camera; the report (deficits, House-Brackmann,
    course) below.
    """

    def __init__(self, model: FaceModel | None = None, state: ExpressionState | None = None, *, height: int = 560):
        import ipywidgets as w

        from facelayers.model.geometry import build_face

        self.model = model if model is not None else build_face()
        self.state = state or ExpressionState()
        injury.placed_nerves(self.model)  # place the nerves now, so the first cut answers as fast as the rest
        anatomy = self.model.anatomy
        fig = expression_figure(self.model, self.state, height=height)
        self.figure = access.fit_figure(fig)
        full = w.Layout(width="100%")
        wide = {"description_width": "90px"}
        self.expression = w.Dropdown(options=[(e.label, k) for k, e in ex.EXPRESSIONS.items()],
                                     value=self.state.expression, description="Expression", style=wide, layout=full)
        self.strength = w.FloatSlider(value=self.state.strength, min=0.0, max=1.0, step=0.1, description="Strength",
                                      continuous_update=False, style=wide, layout=full)
        self.side = w.ToggleButtons(options=list(ex.EXPRESSION_SIDES), value=self.state.side, description="Side",
                                    style={"description_width": "90px", "button_width": "auto"})
        branches = [g for g in ex.facial_branches(self.model)]
        sensory = [p["nerve_group"] for p in anatomy.palsies.values() if "numb_area" in p]
        labels = {p["nerve_group"]: p["label"] for p in anatomy.palsies.values()}
        self.cut = w.SelectMultiple(
            options=[(f"{labels.get(g, g.replace('_', ' '))} ({s})", f"{g}:{s}") for g in branches + sensory
                     for s in ex.SIDES],
            value=tuple(c for c in self.state.cut if c.count(":") == 1), description="Cut", rows=7, style=wide,
            layout=full)
        self.stretch = w.Checkbox(value=False, description="stretch, not cut (a partial block)", indent=False,
                                  layout=full)
        self.divided = w.SelectMultiple(options=[(m.label, mid) for mid, m in anatomy.muscles.items()],
                                        value=self.state.divided, description="Divide", rows=5, style=wide,
                                        layout=full)
        # "" stands for no technique: ipywidgets shows a None value as an empty box.
        self.technique = w.Dropdown(options=[("none", "")] + [(t.label, tid) for tid, t in
                                                               anatomy.techniques.items()],
                                    value=self.state.technique or "", description="Technique", style=wide,
                                    layout=full)
        self.injure = w.Checkbox(value=self.state.injure, description="injure the branches its plane comes near",
                                 indent=False, layout=full)
        self.camera = w.ToggleButtons(options=[("front", "front"), ("three-quarter", "three_quarter")],
                                      value=self.state.camera, description="Camera",
                                      style={"description_width": "90px", "button_width": "auto"})
        self.view = w.ToggleButtons(options=[("skin", "skin"), ("muscles", "muscles")], value=self.state.view,
                                    description="Show", style={"description_width": "90px", "button_width": "auto"})
        self.report = w.HTML()
        # Each control writes its own field of the state (nothing if the state already holds it); the controls are
        # then shown from the state (set_state), so a state set from code shows on them too.
        for name in ("expression", "side", "camera", "view"):
            getattr(self, name).observe(lambda c, name=name: self._write(**{name: c["new"]}), names="value")
        self.strength.observe(lambda c: self._write(strength=float(c["new"])), names="value")
        self.technique.observe(lambda c: self._write(technique=c["new"] or None), names="value")
        self.injure.observe(lambda c: self._write(injure=bool(c["new"])), names="value")
        self.divided.observe(lambda c: self._write(divided=tuple(c["new"])), names="value")
        for control in (self.cut, self.stretch):
            control.observe(lambda c: self._write(cut=self._cut_from_controls()), names="value")
        self._write_report()

        def head(text):
            return w.HTML(f"<div class='fl-head'>{text}</div>")

        # The stage (as the layer explorers'): the panel beside the two faces, wrapping below them on a narrow page;
        # the expression, strength, side and camera at the top, beside the faces.
        panel = w.VBox([head("Expression"), self.expression, self.strength, self.side, self.camera, self.view,
                        head("Injure"), self.cut, self.stretch, self.divided, self.technique, self.injure],
                       layout=w.Layout(flex="0 0 350px", width="350px", min_width="300px"))
        panel.add_class("fl-panel")
        self.alt = access.alt_text_widget(self.description(), label="Expression: description", visible=False)
        figure_box = w.VBox([self.figure, self.alt], layout=w.Layout(flex="1 1 560px", min_width="420px",
                                                                      max_width="100%", align_items="stretch"))
        figure_box.add_class("fl-figure")
        row = w.Box([panel, figure_box], layout=w.Layout(display="flex", flex_flow="row wrap",
                                                         align_items="flex-start", width="100%"))
        row.add_class("fl-row")
        from facelayers.widgets.controls import STAGE_CSS

        # The two lists take their label above them and the panel's whole width (a label beside them clipped
        # "Marginal mandibular branch (left)"); the technique's checkbox wraps its long label.
        for control in (self.cut, self.divided):
            control.add_class("fl-stack")
        self.injure.add_class("fl-wrap")
        self.widget = w.VBox([w.HTML(STAGE_CSS + EXPLORER_CSS + access.page_helper_html()), row, self.report],
                             layout=w.Layout(width="100%"))
        self.widget.add_class("facelayers-stage")
        self.widget.add_class("fl-a11y")

    def description(self) -> str:
        """The text alternative of the two faces: which expression, how strong, on which side, what is injured."""
        s = self.state
        anatomy = self.model.anatomy
        harm = [*(harm_in_words(self.model, c) for c in s.cut),
                *(f"{anatomy.muscle(d.split(':')[0]).label}{' on the ' + d.split(':')[1] if ':' in d else ''} divided"
                  for d in s.divided)]
        if s.technique and s.injure:
            harm.append(f"the branches near the plane of the {anatomy.technique(s.technique).label} injured")
        after = "; ".join(harm) if harm else "nothing injured (the same face)"
        return (f"Two 3D faces side by side, {s.view} view, seen from the {s.camera}: on the left the intact face, on "
                f"the right the face after: {after}. Both make the expression {ex.EXPRESSIONS[s.expression].label} at "
                f"strength {s.strength:.1f} {'on both sides' if s.side == 'both' else f'on the {s.side} side'}. "
                "The report below names the deficit.")

    def _cut_from_controls(self) -> tuple:
        """The ``cut`` field the Cut list and the stretch box say (motor branches get ``:stretch`` when ticked)."""
        suffix = ":stretch" if self.stretch.value else ""
        motor = set(ex.facial_branches(self.model))
        return tuple(c + (suffix if c.split(":")[0] in motor else "") for c in self.cut.value)

    def _write(self, **fields) -> None:
        new = replace(self.state, **fields)
        if new != self.state:
            self.set_state(new)

    def set_state(self, state: ExpressionState) -> None:
        """Show ``state``: the figure gets the smallest update, the controls and the report follow it."""
        old, self.state = self.state, state
        expression_update(self.figure, self.model, old, state)
        self._show_controls(state)
        self._write_report()
        self.alt.value = access.alt_text_html(self.description(), label="Expression: description", visible=False)

    def _show_controls(self, state: ExpressionState) -> None:
        """Set every control to what ``state`` holds (only where it differs: nothing is sent otherwise)."""
        stretched = any(c.endswith(":stretch") for c in state.cut)
        listed = tuple(c.removesuffix(":stretch") for c in state.cut)
        for control, value in ((self.expression, state.expression), (self.strength, float(state.strength)),
                               (self.side, state.side), (self.camera, state.camera), (self.view, state.view),
                               (self.technique, state.technique or ""), (self.injure, bool(state.injure)),
                               (self.divided, tuple(state.divided)),
                               # the list before the stretch box: the box then turns the listed cuts into stretches
                               (self.cut, tuple(c for c in listed if c in {v for _, v in self.cut.options})),
                               (self.stretch, stretched)):
            if control.value != value:
                control.value = value

    def _write_report(self) -> None:
        import html

        lines = report_lines(self.model, self.state)
        self.report.value = ("<div style='font-size:16px;line-height:1.45'>"
                             + "<br>".join(html.escape(x).replace("  ", "&nbsp;&nbsp;") for x in lines) + "</div>")
