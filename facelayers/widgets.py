"""The layer explorer: a thin ipywidgets view over a :class:`~facelayers.state.ViewState`.

Every control writes one field of the state and asks :mod:`facelayers.render` for the matching update of the
``FigureWidget``, inside ``batch_update``: a layer toggle or the peel slider changes only ``visible``
properties, the camera only ``layout.scene.camera``; only a cutaway change re-sends geometry, and then only
for the layers whose cut changed.
"""

from __future__ import annotations

import json

import numpy as np

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
from facelayers.state import CAMERAS, FLAP_MAX_MM, SECTION_LIMITS, SURGEON_CAMERAS, ViewState

#: Projection-size text for the controls (ipywidgets styles have no font size for these controls: CSS does it).
_CSS = w.HTML("<style>.facelayers-controls label, .facelayers-controls .widget-readout, "
              ".facelayers-controls button, .facelayers-controls select, .facelayers-controls .widget-label "
              "{font-size: 16px !important;}</style>")


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
        self.bytes = 0
        self.messages = 0
        self.touched = set()
        self.log = []


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

    #: Offer the camera presets that look into a raised flap (the dissection comparer does).
    SURGEON_VIEWS = False

    def __init__(self, model: FaceModel | None = None, state: ViewState | None = None, *, height: int = 700,
                 extra_traces=(), title: str | None = "The five layers of the face"):
        self.model = model if model is not None else build_face()
        self.state = state if state is not None else ViewState()
        #: Per layer index, the field of its hole under a raised flap (DissectionComparer); none here.
        self.holes: dict = {}
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
        cameras = [c for c in CAMERAS if c not in SURGEON_CAMERAS or self.SURGEON_VIEWS or c == self.state.camera]
        self.camera = w.ToggleButtons(options=cameras, value=self.state.camera)
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
            # Side by side where there is room (a projector); on a narrower page the figure wraps below the
            # controls instead of sliding over them.
            w.HBox([controls, self.figure], layout=w.Layout(flex_flow="row wrap")),
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
            return render.apply_cutaway(self.figure, self.model, self.state, previous, self.holes)

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

    def __init__(self, model: FaceModel | None = None, state: ViewState | None = None, *, height: int = 700,
                 extra_traces=(), title: str = "Nerves, muscles and danger zones", muscles: bool = True):
        from facelayers.nerves import place_all

        model = model if model is not None else build_face()
        state = state if state is not None else ViewState(peel=3, camera="left")
        self.paths = getattr(self, "paths", None) or place_all(model)
        extra = [*render.nerve_traces(model, self.paths),
                 *(render.muscle_traces(model, render.cut_of(state), state) if muscles else []),
                 *render.zone_traces(model, visible=state.zones), render.ligament_trace(model, visible=state.ligaments),
                 *extra_traces]
        super().__init__(model, state, height=height, extra_traces=extra, title=title)
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


class DissectionComparer(NerveExplorer):
    """Blind versus endoscopic: two techniques, their planes coloured by the distance to the nearest nerve,
    their incisions or ports, the endoscope and what it sees, and the comparison table.

    Switching technique re-sends only the three technique traces (plane, incisions, ports); moving the scope
    re-sends only the scope's two traces and the endoscope view.
    """

    SURGEON_VIEWS = True

    def __init__(self, model: FaceModel | None = None, techniques: tuple[str, str] = ("deep_plane", "endoscopic_brow"),
                 state: ViewState | None = None, *, height: int = 700):
        from facelayers.nerves import place_all

        model = model if model is not None else build_face()
        for tid in techniques:
            model.anatomy.technique(tid)  # a clear error listing the known ones
        state = state if state is not None else ViewState(peel=2, camera="left", technique=techniques[0])
        state = state.with_(technique=state.technique or techniques[0])
        self.model = model
        self.paths = place_all(model)
        self._placed = {}
        placed = self.placed(state.technique)
        self.scope = self._pose(state, placed)
        extra = [*render.technique_traces(model, placed, self.paths)]
        extra += render.endoscope_traces(self.scope) if self.scope else render.endoscope_traces_empty()
        extra.append(render.flap_trace(model, None))
        self._shown_paths = self.paths  # the nerves as drawn: moved with a raised flap where they lie in it
        # No muscle patches here: lesson 02 shows them, and in this view red means "close to a nerve".
        super().__init__(model, state, height=height, extra_traces=extra, title="Blind versus endoscopic",
                         muscles=False)
        self.figure.layout.coloraxis = render.clearance_coloraxis()
        ids = list(model.anatomy.techniques)
        labels = [(model.anatomy.techniques[t].label, t) for t in ids]
        self.technique_a = w.Dropdown(options=labels, value=techniques[0], description="A",
                                      layout=w.Layout(width="420px"))
        self.technique_b = w.Dropdown(options=labels, value=techniques[1], description="B",
                                      layout=w.Layout(width="420px"))
        self.show = w.ToggleButtons(options=[("Show A", "A"), ("Show B", "B")], value="A")
        self.flap = w.FloatSlider(value=state.flap_mm, min=0, max=FLAP_MAX_MM, step=1,
                                  description="Raise the flap (mm)", continuous_update=False,
                                  style={"description_width": "initial"}, layout=w.Layout(width="420px"))
        self.flap_note = w.HTML()
        self.table = w.HTML()
        self.port = w.Dropdown(description="Port", options=[], layout=w.Layout(width="300px"))
        self.insertion = w.FloatSlider(value=state.scope_insertion_mm, min=5, max=120, step=1,
                                       description="Insert (mm)", continuous_update=False,
                                       style={"description_width": "initial"})
        self.aim = w.FloatSlider(value=state.scope_aim_deg, min=-60, max=60, step=1, description="Aim (°)",
                                 continuous_update=False, style={"description_width": "initial"})
        self.magnification = w.FloatSlider(value=state.scope_magnification, min=2, max=40, step=1,
                                           description="Magnification (×)", continuous_update=False,
                                           style={"description_width": "initial"})
        self.scope_view = go.FigureWidget(self._scope_figure())
        self.technique_a.observe(lambda c: self._chosen(), names="value")
        self.technique_b.observe(lambda c: self._chosen(), names="value")
        self.show.observe(lambda c: self._chosen(), names="value")
        for control in (self.port, self.insertion, self.aim, self.magnification):
            control.observe(lambda c: self.set_scope(), names="value")
        self.flap.observe(lambda c: self.set_flap(c["new"]), names="value")
        self._sync_ports()
        self._update_table()
        if state.flap_mm > 0:
            self._show_flap()
        self._sync_flap()
        self.ui.children = (*self.ui.children[:1],
                            w.HBox([w.HTML("<b style='font-size:18px'>Technique</b>&nbsp;"), self.technique_a,
                                    self.technique_b, self.show]),
                            w.HBox([w.HTML("<b style='font-size:18px'>Open approach</b>&nbsp;"), self.flap,
                                    self.flap_note]),
                            *self.ui.children[1:3], self.table,
                            w.HBox([w.HTML("<b style='font-size:18px'>Endoscope</b>&nbsp;"), self.port,
                                    self.insertion, self.aim, self.magnification]),
                            self.scope_view, *self.ui.children[3:])

    # --- placement (cached per technique) ---------------------------------------------------------------

    def placed(self, technique_id: str):
        from facelayers.techniques import place_technique

        if technique_id not in self._placed:
            self._placed[technique_id] = place_technique(self.model, technique_id)
        return self._placed[technique_id]

    def _pose(self, state: ViewState, placed):
        from facelayers.endoscope import pose

        ports = [p for p in placed.ports if p.side == "left"]
        if not ports:
            return None
        port = next((p for p in ports if p.label == state.scope_port), ports[0])
        planes = [p for p in placed.planes if p.side == "left"]
        nearest = min(planes, key=lambda pl: np.linalg.norm(pl.mesh.centre - port.centre))
        # The scope heads for the lower edge of its plane (the orbital rims, the arch, the maxilla): the way
        # the dissection runs from ports placed above.
        used = np.unique(nearest.mesh.faces)
        verts = nearest.mesh.vertices[used]
        low = verts[verts[:, 2] <= np.quantile(verts[:, 2], 0.2)].mean(axis=0)
        return pose(self.model, port.centre, low, nearest.layer, nearest.fraction,
                    state.scope_insertion_mm, state.scope_aim_deg, state.scope_magnification, plane=nearest)

    def _scope_plane(self):
        placed = self.placed(self.state.technique)
        planes = [p for p in placed.planes if p.side == "left"]
        if self.scope is None or not planes:
            return None
        covering = [p for p in planes if p.covers(self.scope.tip[None, :])[0]]
        return (covering or planes)[0]

    def _scope_figure(self):
        plane = self._scope_plane()
        if plane is None:
            fig = go.Figure()
            fig.update_layout(template="none", height=200, paper_bgcolor="#000000", font=render.FONT,
                              title={"text": "Endoscope view: this technique has no ports (open approach, "
                                             "no scope)", "x": 0.02, "font": {"size": 18}})
            return fig
        return render.endoscope_view_figure(self.model, self.scope, plane, self.paths)

    # --- controls ---------------------------------------------------------------------------------------

    def _chosen(self) -> None:
        tid = self.technique_a.value if self.show.value == "A" else self.technique_b.value
        self.set_technique(tid)
        self._update_table()

    def set_technique(self, technique_id: str) -> None:
        """Show a technique: only its three traces (and the scope's, if its ports differ) change."""
        self.model.anatomy.technique(technique_id)
        self.state = self.state.with_(technique=technique_id, scope_port=None)
        self.state.validate()
        placed = self.placed(technique_id)
        with self.figure.batch_update():
            render.apply_technique(self.figure, self.model, placed, self.paths)
        if self.state.flap_mm > 0 or self.holes:  # a raised flap follows the technique (geometry)
            self._show_flap()
            if self.holes and self.state.camera in SURGEON_CAMERAS:  # and so does the surgeon's viewpoint
                self.camera.value = self._surgeon_camera()
        self._sync_flap()
        self._sync_ports()
        self.set_scope()

    # --- the open approach as the surgeon meets it ----------------------------------------------------------

    def set_flap(self, lift_mm: float) -> None:
        """Raise an open technique's flap ``lift_mm`` at its incision (0 folds it back).

        Raising it from 0 shows every layer (peel 0) and turns the camera to look along the incision into
        the pocket, as the surgeon does (:func:`facelayers.flap.surgeon_camera`: from behind the ear, or from
        the crown for a coronal flap); the layers above the plane are re-sent with their hole, the flap and
        the nerves that lie in it. An endoscopic technique raises no flap (the slider is disabled).
        """
        if getattr(self, "_syncing_flap", False):
            return
        from facelayers.flap import check_lift

        lift_mm = check_lift(lift_mm)
        was = self.state.flap_mm
        self.state = self.state.with_(flap_mm=lift_mm)
        self.state.validate()
        self._syncing_flap = True
        try:  # the slider follows without re-entering
            self.flap.value = float(lift_mm)
        finally:
            self._syncing_flap = False
        if was == 0 and lift_mm > 0 and self._is_open():
            if self.state.peel:
                self.set_peel(0)
            self.camera.value = self._surgeon_camera()
        self._show_flap()

    def _surgeon_camera(self) -> str:
        """The preset that looks into the shown technique's pocket (cached per technique, like its holes)."""
        from facelayers.flap import surgeon_camera

        key = ("camera", self.state.technique)
        if key not in self._placed:
            self._placed[key] = surgeon_camera(self.model, self.placed(self.state.technique))
        return self._placed[key]

    def _is_open(self) -> bool:
        return self.model.anatomy.technique(self.state.technique).approach == "open"

    def _show_flap(self) -> None:
        from facelayers.flap import holes, lift_paths, raise_flap

        placed = self.placed(self.state.technique)
        lift = self.state.flap_mm if self._is_open() else 0.0
        flap = raise_flap(self.model, placed, lift) if lift > 0 else None
        if flap is None:
            new_holes, paths = {}, self.paths
        else:
            key = ("holes", self.state.technique)
            if key not in self._placed:
                self._placed[key] = holes(self.model, placed)
            new_holes, paths = self._placed[key], lift_paths(self.model, placed, self.paths, lift)
        with self.figure.batch_update():
            render.apply_cutaway(self.figure, self.model, self.state, self.state, new_holes, self.holes)
            render.apply_flap(self.figure, self.model, flap, paths, self._shown_paths)
        self.holes, self._shown_paths = new_holes, paths
        self._sync_flap()

    def _sync_flap(self) -> None:
        is_open = self._is_open()
        self.flap.disabled = not is_open
        if not is_open:
            self.flap_note.value = ("<span style='font-size:15px'>Endoscopic: no flap is raised; the plane is "
                                    "seen through the scope (below).</span>")
        elif self.state.flap_mm > 0:
            coronal = self._surgeon_camera() == "crown"
            self.flap_note.value = (
                "<span style='font-size:15px'>What the surgeon sees from the incision: the flap, the floor of "
                "the pocket in its shadow, <b>no nerve</b>." + (
                    " (A coronal flap is then turned down to the brows, where the supraorbital bundles are "
                    "freed under direct vision.)" if coronal else "") + "</span>")
        else:
            self.flap_note.value = ("<span style='font-size:15px'>Raise the flap to see the open approach "
                                    "as the surgeon meets it.</span>")

    def _sync_ports(self) -> None:
        ports = [p.label for p in self.placed(self.state.technique).ports if p.side == "left"]
        self._syncing_ports = True
        try:
            self.port.options = ports
            self.port.value = ports[0] if ports else None
            self.port.disabled = not ports
        finally:
            self._syncing_ports = False

    def set_scope(self) -> None:
        """Move the scope (port, insertion, aim, magnification): only the scope traces and its view change."""
        if getattr(self, "_syncing_ports", False):
            return
        self.state = self.state.with_(scope_port=self.port.value, scope_insertion_mm=float(self.insertion.value),
                                      scope_aim_deg=float(self.aim.value),
                                      scope_magnification=float(self.magnification.value))
        self.state.validate()
        self.scope = self._pose(self.state, self.placed(self.state.technique))
        with self.figure.batch_update():
            if self.scope is not None:
                render.apply_endoscope(self.figure, self.scope)
            else:
                for trace in self.figure.data:
                    if trace.name.startswith("endoscope:"):
                        trace.update(x=[], y=[], z=[])
        fresh = self._scope_figure()
        with self.scope_view.batch_update():
            self.scope_view.data = []
            self.scope_view.add_traces(list(fresh.data))
            self.scope_view.layout = fresh.layout

    def _update_table(self) -> None:
        from facelayers.techniques import comparison_text

        chosen = [self.placed(self.technique_a.value), self.placed(self.technique_b.value)]
        text = comparison_text(self.model, chosen, self.paths)
        rows = "".join(f"<div>{t.technique.label}: {c.measure} {c.value:g}{c.unit} ({c.source_id})</div>"
                       for t in chosen for c in t.technique.complications[:3])
        self.table.value = (f"<pre style='font-size:13px;line-height:1.3;white-space:pre;overflow-x:auto'>{text}</pre>"
                            f"<div style='font-size:14px'><b>Published complication rates</b>{rows}</div>")
