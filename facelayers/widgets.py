"""The layer explorer: a thin ipywidgets view over a :class:`~facelayers.state.ViewState`.

Every control writes one field of the state and asks :mod:`facelayers.render` for the matching update of the
``FigureWidget``, inside ``batch_update``: a layer toggle or the peel slider changes only ``visible``
properties, the camera only ``layout.scene.camera``; only a cutaway change re-sends geometry, and then only
for the layers whose cut changed.
"""

from __future__ import annotations

import json

try:
    import ipywidgets as w
    import plotly.graph_objects as go
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("facelayers.widgets needs ipywidgets, anywidget and plotly: "
                      "pip install 'facelayers[lessons]'") from exc

from facelayers import render
from facelayers.cutaway import WINDOWS
from facelayers.frame import INTERFACES
from facelayers.geometry import FaceModel, build_face
from facelayers.section import section
from facelayers.state import CAMERAS, SECTION_LIMITS, ViewState

#: Projection-size text for the controls (ipywidgets styles have no font size for these controls: CSS does it).
_CSS = w.HTML("<style>.facelayers-controls label, .facelayers-controls .widget-readout, "
              ".facelayers-controls button, .facelayers-controls select, .facelayers-controls .widget-label "
              "{font-size: 16px !important;}</style>")


class MessageMeter:
    """Counts what a widget sends over its comm (JSON text + binary buffers), for benchmarks and tests."""

    def __init__(self, widget):
        self.bytes = 0
        self.messages = 0
        self._widget = widget
        self._orig = widget._send

        def counting_send(msg, buffers=None):
            self.messages += 1
            self.bytes += len(json.dumps(msg, default=str).encode())
            self.bytes += sum(len(memoryview(b).cast("B")) for b in (buffers or []))
            return self._orig(msg, buffers=buffers)

        widget._send = counting_send

    def reset(self) -> None:
        self.bytes = 0
        self.messages = 0


class LayerExplorer:
    """Checkboxes per layer, a peel slider, a cutaway window, camera presets and a cross-section.

    Parameters
    ----------
    model : FaceModel, optional
        Default: ``build_face()`` at lecture resolution.
    state : ViewState, optional
    height : int, px
        Height of the 3D view.

    Attributes
    ----------
    state : ViewState
    figure : go.FigureWidget
        The 3D view; traces ``layer:<surface>``, ``labels:regions``, ``section:line``.
    section_figure : go.FigureWidget
        The 2D cross-section.
    checkboxes : dict of str -> ipywidgets.Checkbox
    peel, cutaway, layers_cut, camera, section_kind, section_at : ipywidgets controls
    ui : ipywidgets.Box
    """

    def __init__(self, model: FaceModel | None = None, state: ViewState | None = None, *, height: int = 700,
                 extra_traces=(), title: str | None = "The five layers of the face"):
        self.model = model if model is not None else build_face()
        self.state = state if state is not None else ViewState()
        labels = render.surface_labels(self.model)
        fig = render.face_figure(self.model, self.state, height=height, key=False, title=title)
        fig.add_traces(list(extra_traces))
        self.figure = go.FigureWidget(fig)
        self.section_figure = go.FigureWidget(render.section_figure(self.model, state=self.state))

        self.checkboxes = {
            name: w.Checkbox(value=self.state.visible[name], description=labels[name], indent=False,
                             layout=w.Layout(width="auto"))
            for name in INTERFACES
        }
        self.peel = w.IntSlider(value=self.state.peel, min=0, max=len(INTERFACES) - 1, description="Peel",
                                continuous_update=False)
        self.peel_label = w.HTML()
        self.cutaway = w.Dropdown(options=[("none", "none")] + [(win.label, k) for k, win in WINDOWS.items()],
                                  value=self.state.cutaway or "none", description="Cutaway")
        self.layers_cut = w.IntSlider(value=self.state.layers_cut, min=1, max=len(INTERFACES) - 1,
                                      description="Layers cut", style={"description_width": "initial"}, continuous_update=False)
        self.camera = w.ToggleButtons(options=list(CAMERAS), value=self.state.camera)
        self.section_kind = w.ToggleButtons(options=["horizontal", "vertical"], value=self.state.section_kind,
                                            )
        lo, hi = SECTION_LIMITS[self.state.section_kind]
        self.section_at = w.FloatSlider(value=self.state.section_at, min=lo, max=hi, step=1.0,
                                        description="Cut at", continuous_update=False)
        self.show_labels = w.Checkbox(value=False, description="Region labels", indent=False)

        for name, box in self.checkboxes.items():
            box.observe(lambda change, name=name: self.set_visible(name, change["new"]), names="value")
        self.peel.observe(lambda c: self.set_peel(c["new"]), names="value")
        self.cutaway.observe(lambda c: self.set_cutaway(None if c["new"] == "none" else c["new"],
                                                        self.state.layers_cut), names="value")
        self.layers_cut.observe(lambda c: self.set_cutaway(self.state.cutaway, c["new"]), names="value")
        self.camera.observe(lambda c: self.set_camera(c["new"]), names="value")
        self.section_kind.observe(lambda c: self.set_section(c["new"], None), names="value")
        self.section_at.observe(lambda c: self.set_section(self.state.section_kind, c["new"]), names="value")
        self.show_labels.observe(lambda c: self._set_trace_visible("labels:regions", c["new"]), names="value")
        self._update_peel_label()

        controls = w.VBox([
            w.HTML("<b style='font-size:18px'>Layers</b>"),
            *(w.HBox([w.HTML(f"<span style='color:{render.PALETTE[name]};font-size:22px'>&#9632;</span>"),
                      box]) for name, box in self.checkboxes.items()),
            self.peel, self.peel_label,
            w.HTML("<b style='font-size:18px'>Cutaway</b>"), self.cutaway, self.layers_cut,
            self.show_labels,
        ], layout=w.Layout(width="330px"))
        self.ui = w.VBox([
            _CSS,
            w.HBox([controls, self.figure]),
            w.HBox([w.HTML("<b style='font-size:18px'>Camera</b>&nbsp;"), self.camera]),
            w.HBox([w.HTML("<b style='font-size:18px'>Cross-section</b>&nbsp;"), self.section_kind,
                    self.section_at]),
            self.section_figure,
        ])
        self.ui.add_class("facelayers-controls")

    # --- state changes: each writes the state, then updates only what it changes ------------------------

    def set_visible(self, name: str, value: bool) -> None:
        if name not in self.state.visible:
            raise ValueError(f"layer {name!r} is not known; allowed: {', '.join(INTERFACES)}")
        self.state.visible[name] = bool(value)
        if self.checkboxes[name].value != bool(value):
            self.checkboxes[name].value = bool(value)
        with self.figure.batch_update():
            render.apply_visibility(self.figure, self.state)

    def set_peel(self, value: int) -> None:
        self.state = self.state.with_(peel=int(value))
        self.state.validate()
        if self.peel.value != int(value):
            self.peel.value = int(value)
        self._update_peel_label()
        with self.figure.batch_update():
            render.apply_visibility(self.figure, self.state)

    def set_cutaway(self, name: str | None, layers_cut: int) -> list[str]:
        previous = self.state
        self.state = self.state.with_(cutaway=name, layers_cut=int(layers_cut))
        self.state.validate()
        if self.cutaway.value != (name or "none"):
            self.cutaway.value = name or "none"  # re-enters once with the same state: nothing changes then
        with self.figure.batch_update():
            return render.apply_cutaway(self.figure, self.model, self.state, previous)

    def set_camera(self, name: str) -> None:
        self.state = self.state.with_(camera=name)
        self.state.validate()
        with self.figure.batch_update():
            render.apply_camera(self.figure, self.state)

    #: Where a new cut starts when the orientation changes: through the cheek, or 20 degrees off the midline.
    SECTION_START = {"horizontal": -25.0, "vertical": 20.0}

    def set_section(self, kind: str, at: float | None) -> None:
        if getattr(self, "_syncing", False):
            return
        at = self.SECTION_START.get(kind, 0.0) if at is None else float(at)
        self.state = self.state.with_(section_kind=kind, section_at=at)
        self.state.validate()
        lo, hi = SECTION_LIMITS[kind]
        self._syncing = True
        try:  # move the slider to the new range without re-entering this method
            self.section_kind.value = kind
            self.section_at.min, self.section_at.max = min(lo, self.section_at.min), max(hi, self.section_at.max)
            self.section_at.value = at
            self.section_at.min, self.section_at.max = lo, hi
        finally:
            self._syncing = False
        sec = section(self.model, kind, at)
        fresh = render.section_figure(self.model, sec, self.state)
        with self.section_figure.batch_update():
            for trace, new in zip(self.section_figure.data, fresh.data):
                trace.x, trace.y = new.x, new.y
            for key in ("annotations", "shapes", "title"):
                self.section_figure.layout[key] = fresh.layout[key]
            self.section_figure.layout.xaxis.range = fresh.layout.xaxis.range
            self.section_figure.layout.yaxis.range = fresh.layout.yaxis.range
        with self.figure.batch_update():
            render.apply_section_line(self.figure, sec)

    def _set_trace_visible(self, name: str, value: bool) -> None:
        with self.figure.batch_update():
            self.figure.data[render.trace_index(self.figure, name)].visible = True if value else "legendonly"

    def _update_peel_label(self) -> None:
        labels = render.surface_labels(self.model)
        outer = INTERFACES[self.state.peel]
        self.peel_label.value = (f"<span style='font-size:15px'>outermost shown: <b>{labels[outer]}</b></span>")

    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)


class NerveExplorer(LayerExplorer):
    """The layer explorer plus the nerves, muscles, Seckel's danger zones and the retaining ligaments.

    Pick a nerve, a branch or a muscle: it glows and the rest dims (a muscle also lights its branch), and the
    depth profile shows that nerve's depth below the skin along its course over the layer bands. The layer
    controls (peel, cutaway) work as in :class:`LayerExplorer`. Every pick changes styling only.
    """

    def __init__(self, model: FaceModel | None = None, state: ViewState | None = None, *, height: int = 700):
        from facelayers.nerves import place_all

        model = model if model is not None else build_face()
        state = state if state is not None else ViewState(peel=3, camera="left")
        self.paths = place_all(model)
        extra = [*render.nerve_traces(model, self.paths), *render.muscle_traces(model, render.cut_of(state), state),
                 *render.zone_traces(model, visible=state.zones), render.ligament_trace(model, visible=state.ligaments)]
        super().__init__(model, state, height=height, extra_traces=extra,
                         title="Nerves, muscles and danger zones")
        anatomy = self.model.anatomy
        groups = {}
        for nerve in anatomy.nerves.values():
            groups.setdefault(nerve.group, nerve)
        options = [("(none)", "none")]
        options += [(f"Branch: {g.replace('_', ' ')}", f"group:{g}") for g in groups]
        options += [(f"Nerve: {n.label}", f"nerve:{nid}") for nid, n in anatomy.nerves.items()]
        options += [(f"Muscle: {m.label}", f"muscle:{mid}") for mid, m in anatomy.muscles.items()]
        self.pick = w.Dropdown(options=options, value=state.pick or "none", description="Pick",
                               layout=w.Layout(width="420px"))
        self.zones = w.Checkbox(value=state.zones, description="Danger zones (Seckel)", indent=False)
        self.ligaments = w.Checkbox(value=state.ligaments, description="Retaining ligaments", indent=False)
        first = next(iter(anatomy.nerves))
        self.profile = go.FigureWidget(render.depth_profile_figure(self.model, self.paths[(first, "left")]))
        self.pick.observe(lambda c: self.set_pick(None if c["new"] == "none" else c["new"]), names="value")
        self.zones.observe(lambda c: self.set_overlay("zones", c["new"]), names="value")
        self.ligaments.observe(lambda c: self.set_overlay("ligaments", c["new"]), names="value")
        self.ui.children = (*self.ui.children[:2],
                            w.HBox([w.HTML("<b style='font-size:18px'>Nerves</b>&nbsp;"), self.pick, self.zones,
                                    self.ligaments]),
                            self.profile, *self.ui.children[2:])
        if state.pick:
            self.set_pick(state.pick)

    def set_cutaway(self, name: str | None, layers_cut: int) -> list[str]:
        changed = super().set_cutaway(name, layers_cut)
        if changed:
            with self.figure.batch_update():
                render.apply_muscle_cut(self.figure, self.model, self.state)
        return changed

    def profile_nerve(self, pick: str) -> str:
        """The nerve whose depth profile a pick shows: the nerve itself, the first nerve of a branch, or the
        first nerve of a muscle's branch."""
        anatomy = self.model.anatomy
        kind, _, name = pick.partition(":")
        group = name if kind == "group" else anatomy.muscle(name).nerve_group if kind == "muscle" else None
        if kind == "nerve":
            return anatomy.nerve(name).nerve_id
        for nid, nerve in anatomy.nerves.items():
            if nerve.group == group:
                return nid
        return next(iter(anatomy.nerves))

    def set_pick(self, pick: str | None) -> None:
        self.state = self.state.with_(pick=pick)
        self.state.validate()
        if self.pick.value != (pick or "none"):
            self.pick.value = pick or "none"
        with self.figure.batch_update():
            render.apply_highlight(self.figure, self.model, pick)
        if pick:
            fresh = render.depth_profile_figure(self.model, self.paths[(self.profile_nerve(pick), "left")])
            with self.profile.batch_update():
                for trace, new in zip(self.profile.data, fresh.data):
                    trace.x, trace.y = new.x, new.y
                    if new.text is not None:
                        trace.text = new.text
                self.profile.layout.title = fresh.layout.title
                self.profile.layout.xaxis.range = [0, float(fresh.data[0].x.max())]
                self.profile.layout.yaxis.range = fresh.layout.yaxis.range

    def set_overlay(self, which: str, value: bool) -> None:
        self.state = self.state.with_(**{which: bool(value)})
        prefix = "zone:" if which == "zones" else "ligaments"
        with self.figure.batch_update():
            for trace in self.figure.data:
                if (trace.name or "").startswith(prefix) and trace.visible != bool(value):
                    trace.visible = bool(value)
