"""The stage's controller: a view state in, the smallest figure update out. No ipywidgets.

A :class:`Controller` owns the figures of one view (the 3D model; the cross-section, the nerve's depth profile
and the endoscope's view where the view has them) and every cache that drawing them needs (placed techniques,
holes under a raised flap, the surgeon's camera per technique, the scope's pose, the nerves as a flap carries
them). It holds the current :class:`~facelayers.teaching.state.ViewState` and turns (old state, new state) into updates:

* :meth:`Controller.update` is a student's change (``update(peel=2)``, ``update(technique="skin_only")``): the
  change, plus the rules that keep the view coherent (:meth:`Controller.resolve`), applied in one batch;
* :meth:`Controller.show` is a whole state (a saved view, a storyboard step, a quiz question), applied
  literally, in one call.

A change of ``patient`` is the one change that is not small: the face itself changes, so the controller
builds (once, then keeps) that patient's model (:meth:`Controller.model_for`) and replaces its figures' data and
layout in place.

Either way only what differs between the old and the new state is sent: a layer toggle, the peel or a pick
changes styles (under 1 KB), the camera only ``scene.camera``, a cutaway or a flap the geometry of the layers it
changes, a technique its three traces and the scope's. The first state is drawn by the same code on a plain
``go.Figure`` before it is wrapped (``wrap=go.FigureWidget``), so a figure starts complete (Voila keeps only
what a FigureWidget had when it was built).

How a technique switch flows: widget (menu A/B or Show A/B) -> ``Controller.update(technique=...)`` ->
``resolve`` (scope port, surgeon's camera if the flap is raised) -> ``_apply``: :func:`technique_figures.apply_technique`
(3 traces), :func:`updates.apply_cutaway` + :func:`technique_figures.apply_flap` (holes and flap for the new technique),
:func:`technique_figures.apply_endoscope` (scope or none), scope view -> the widget re-renders its controls from the
state.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from facelayers.core.frame import INTERFACES
from facelayers.model.geometry import FaceModel
from facelayers.model.section import section
from facelayers.render import face as render
from facelayers.render import skull_stage, updates
from facelayers.render import structures as structure_figures
from facelayers.render import techniques as technique_figures
from facelayers.teaching.state import SURGEON_CAMERAS, ViewState

__all__ = ["MAX_MODELS", "Controller", "exposing_peel", "replace_figure"]

#: Patients' models a controller keeps (the first one, then the latest): a return to a recent patient is quick.
MAX_MODELS = 6


def exposing_peel(paths) -> int:
    """The peel (0-5) at which most of a nerve lies on or above the outermost surface shown.

    Parameters
    ----------
    paths : iterable of NervePath
        The nerve's paths (both sides, or a whole branch).

    Returns
    -------
    int
        ``ceil`` of the median depth coordinate (layer index + fraction; 3.0 = on the deep fascia) less
        0.05, so a nerve running on a surface is shown with that surface.
    """
    depth = np.concatenate([np.asarray(p.depth_coord, dtype=float) for p in paths]) if paths else np.zeros(1)
    return int(min(len(INTERFACES) - 1, max(0, np.ceil(np.median(depth) - 0.05))))


class Controller:
    """Owns a view's figures and caches; applies state changes as the smallest updates.

    Parameters
    ----------
    model : FaceModel
    state : ViewState, optional
        The first state (default ``ViewState()``); resolved (scope port, techniques) before it is drawn.
    paths : dict of (nerve_id, side) -> NervePath, optional
        Needed for ``nerves`` or ``techniques``; placed here if not given.
    nerves : bool
        Draw the nerves, Seckel's zones and the ligaments (and the muscles, if ``muscles``).
    muscles : bool
    techniques : bool
        Draw the shown technique's plane (coloured by nerve clearance, one titled colour bar), incisions and
        ports, the endoscope and a raised flap; keep an endoscope view figure.
    profile : bool
        Keep a nerve depth-profile figure (follows the pick).
    cross_section : bool
        Keep the 2D cross-section figure (follows ``section_kind`` / ``section_at``).
    title : str or None
    height : int or None, px
        None: the page's CSS sizes the plot (the widgets' stage).
    extra_traces : sequence of plotly traces
        Added to the 3D figure before it is wrapped (the quiz's markers).
    layout : dict, optional
        More layout for the 3D figure, set before it is wrapped (``meta``, ``scene.annotations``...).
    wrap : callable, optional
        Applied to each finished ``go.Figure`` (``go.FigureWidget`` in the widgets); default: keep the
        plain figure (headless tests, exports).

    Attributes
    ----------
    state : ViewState
        What is drawn now.
    figure : go.Figure or go.FigureWidget
        The 3D view.
    section_figure, profile_figure, scope_figure : figure or None
    skull_sent : bool
        The last change sent the drawn skull's geometry (the first time the bone was bared:
        :func:`facelayers.render.skull_stage.ensure_skull`).
    """

    def __init__(self, model: FaceModel, state: ViewState | None = None, *, paths=None, nerves: bool = False,
                 muscles: bool = False, techniques: bool = False, profile: bool = False,
                 cross_section: bool = True, title: str | None = None, height: int | None = 700, extra_traces=(),
                 layout: dict | None = None, wrap: Callable | None = None):
        from facelayers.model.nerves import place_all

        state = state if state is not None else ViewState()
        # What a patient change rebuilds from (see _change_patient): the options, and one model per patient.
        self._options = {"nerves": nerves, "muscles": muscles, "techniques": techniques, "profile": profile,
                         "cross_section": cross_section, "title": title, "height": height,
                         "extra_traces": extra_traces, "layout": layout}
        self._models = getattr(self, "_models", {getattr(model, "patient", None): model})
        if getattr(model, "patient", None) != state.patient:  # the state names another patient: draw that one
            model = self.model_for(state.patient, like=model)
            paths = None
        self.model = model
        self.features = {"nerves": nerves, "muscles": muscles and nerves, "techniques": techniques}
        if (nerves or techniques) and paths is None:
            paths = place_all(model)
        self.paths = paths or {}
        self._cache: dict = {}
        target = self.resolve(state)
        # Drawn in two steps on a plain figure, by the same code as every later change: the base (no flap, no
        # pick), then the target applied on it. Only then wrapped.
        base = target.with_(flap_mm=0.0, pick=None)
        wrap = wrap or (lambda fig: fig)
        fig = render.face_figure(model, base, height=height, key=False, title=title)
        extra = []
        if nerves:
            extra += structure_figures.nerve_traces(model, self.paths)
            if muscles:
                extra += structure_figures.muscle_traces(model, render.cut_of(base), base)
            extra += [*structure_figures.zone_traces(model, visible=base.zones), structure_figures.ligament_trace(model, base.ligaments)]
        if techniques:
            placed = self.placed(base.technique)
            extra += technique_figures.technique_traces(model, placed, self.paths)
            extra += technique_figures.endoscope_traces_empty() + [technique_figures.flap_trace(model, None)]
            # The colour bar in a column of its own, right of the scene: it never covers the head.
            fig.update_layout(coloraxis=technique_figures.clearance_coloraxis(), scene_domain={"x": [0.0, 0.84], "y": [0, 1]})
            fig.update_layout(coloraxis_colorbar={"x": 0.86, "xanchor": "left", "len": 0.7, "thickness": 24,
                                                  "tickvals": [0, 5, 10, 15],
                                                  "ticktext": ["0 near", "5", "10", "15 far"],
                                                  "title": {"text": "nearest<br>nerve<br>(mm)", "side": "top"}})
        fig.add_traces([*extra, *extra_traces])
        if layout:
            fig.update_layout(layout)
        self.figure = fig
        self.state = base
        self._holes: dict = {}
        self._shown_paths = self.paths
        self._scope = None
        self.section_figure = render.section_figure(model, state=base) if cross_section else None
        self.profile_figure = None
        if profile and nerves:
            first = next(iter(model.anatomy.nerves))
            self.profile_figure = structure_figures.depth_profile_figure(model, self.paths[(first, "left")])
        self.scope_figure = technique_figures.no_scope_figure() if techniques else None
        self._apply(base, target, force_scope=True)
        self.state = target
        self.figure = wrap(self.figure)
        for name in ("section_figure", "profile_figure", "scope_figure"):
            if getattr(self, name) is not None:
                setattr(self, name, wrap(getattr(self, name)))

    # --- patients -----------------------------------------------------------------------------------------

    def model_for(self, patient, like: FaceModel | None = None) -> FaceModel:
        """The model of ``patient`` (None: the data tables as they are), built once per patient and kept.

        Parameters
        ----------
        patient : facelayers.model.patient.Patient or None
        like : FaceModel, optional
            Whose grid and data folder to use (default: the current model's).

        Returns
        -------
        FaceModel
            ``build_face(anatomy, (nu, nv), patient=patient)`` with ``like``'s grid and its data folder's
            anatomy (the reference tables, not a patient's adjusted copy).
        """
        from facelayers.anatomy.load import load_anatomy
        from facelayers.anatomy.specs import package_data_dir
        from facelayers.model.geometry import build_face

        if patient not in self._models:
            like = like if like is not None else self.model
            folder = like.anatomy.data_dir
            anatomy = load_anatomy() if Path(folder) == package_data_dir() else load_anatomy(folder)
            self._models[patient] = build_face(anatomy, (like.nu, like.nv), patient=patient)
            # keep the first model and the latest few (a student dragging the age slider builds one per stop)
            while len(self._models) > MAX_MODELS:
                oldest = list(self._models)[1]
                del self._models[oldest]
                getattr(self, "_paths_by_patient", {}).pop(oldest, None)
        return self._models[patient]

    def _change_patient(self, new: ViewState) -> None:
        """Draw ``new`` on its patient's model.

        The figures are rebuilt from scratch (a full replace of their data and layout, in place, so a
        FigureWidget stays the same widget); the caches start again.
        """
        options = dict(self._options)
        self._paths_by_patient = getattr(self, "_paths_by_patient", {})
        self._paths_by_patient[self.model.patient] = self.paths  # placed once per patient, like the model
        fresh = Controller.__new__(Controller)
        fresh._models = self._models
        fresh.__init__(self.model_for(new.patient), new, paths=self._paths_by_patient.get(new.patient), **options)
        for name in ("figure", "section_figure", "profile_figure", "scope_figure"):
            mine, theirs = getattr(self, name), getattr(fresh, name)
            if mine is None or theirs is None:
                continue
            with mine.batch_update():
                mine.data = []
                mine.add_traces(list(theirs.data))
                mine.layout = theirs.layout
        for name in ("model", "paths", "_cache", "_holes", "_shown_paths", "_scope", "features"):
            setattr(self, name, getattr(fresh, name))
        self.resent = list(INTERFACES)

    # --- caches -------------------------------------------------------------------------------------------

    def _cached(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def placed(self, technique_id: str):
        """The technique placed on the model (cached)."""
        from facelayers.model.techniques import place_technique

        self.model.anatomy.technique(technique_id)  # a clear error listing the known ones
        return self._cached(("placed", technique_id), lambda: place_technique(self.model, technique_id))

    def is_open(self, technique_id: str | None) -> bool:
        """Is the technique an open one (a flap can be raised)."""
        return technique_id is not None and self.model.anatomy.technique(technique_id).approach == "open"

    def surgeon_camera(self, technique_id: str) -> str:
        """The preset that looks into the technique's pocket (cached)."""
        from facelayers.model.flap import surgeon_camera

        return self._cached(("camera", technique_id),
                            lambda: surgeon_camera(self.model, self.placed(technique_id)))

    def ports(self, technique_id: str | None) -> list[str]:
        """The labels of the technique's left-side ports (the endoscope works on the left)."""
        if technique_id is None:
            return []
        return [p.label for p in self.placed(technique_id).ports if p.side == "left"]

    def flap_geometry(self, state: ViewState):
        """Return the flap geometry drawn for a state.

        The result is (holes per layer index, flap or None, nerve paths as drawn), cached per technique and
        lift.
        """
        from facelayers.model.flap import holes, lift_paths, raise_flap

        tid = state.technique
        if not self.features["techniques"] or not self.is_open(tid) or state.flap_mm <= 0:
            return {}, None, self.paths
        placed = self.placed(tid)
        flap = self._cached(("flap", tid, state.flap_mm), lambda: raise_flap(self.model, placed, state.flap_mm))
        if flap is None:
            return {}, None, self.paths
        hole = self._cached(("holes", tid), lambda: holes(self.model, placed))
        paths = self._cached(("paths", tid, state.flap_mm),
                             lambda: lift_paths(self.model, placed, self.paths, state.flap_mm))
        return hole, flap, paths

    def scope(self, state: ViewState):
        """The endoscope's pose for a state, or None (no technique, or one without ports)."""
        from facelayers.model.endoscope import pose

        if not self.features["techniques"] or state.technique is None:
            return None
        placed = self.placed(state.technique)
        ports = [p for p in placed.ports if p.side == "left"]
        if not ports:
            return None
        port = next((p for p in ports if p.label == state.scope_port), ports[0])
        key = ("scope", state.technique, port.label, state.scope_insertion_mm, state.scope_aim_deg,
               state.scope_magnification)

        def make():
            planes = [p for p in placed.planes if p.side == "left"]
            nearest = min(planes, key=lambda pl: np.linalg.norm(pl.mesh.centre - port.centre))
            # The scope heads for the lower edge of its plane (the orbital rims, the arch, the maxilla): the
            # way the dissection runs from ports placed above.
            used = np.unique(nearest.mesh.faces)
            verts = nearest.mesh.vertices[used]
            low = verts[verts[:, 2] <= np.quantile(verts[:, 2], 0.2)].mean(axis=0)
            return pose(self.model, port.centre, low, nearest.layer, nearest.fraction, state.scope_insertion_mm,
                        state.scope_aim_deg, state.scope_magnification, plane=nearest)

        return self._cached(key, make)

    def pick_paths(self, pick: str | None) -> list:
        """The nerve paths a pick lights (a nerve, a branch, or a muscle's branch), both sides."""
        if not pick:
            return []
        anatomy = self.model.anatomy
        kind, _, name = pick.partition(":")
        if kind == "nerve":
            nids = {anatomy.nerve(name).nerve_id}
        else:
            group = name if kind == "group" else anatomy.muscle(name).nerve_group
            nids = {nid for nid, n in anatomy.nerves.items() if n.group == group}
        return [p for (nid, _), p in self.paths.items() if nid in nids]

    # --- rules --------------------------------------------------------------------------------------------

    def resolve(self, state: ViewState, old: ViewState | None = None, changes=()) -> ViewState:
        """Return the state as it will be drawn.

        This is the canonical form of ``state`` and, for a student's change from ``old`` (the fields named in
        ``changes``), the rules that keep the view coherent.

        Always: the comparer's technique defaults to its A; the scope's port is one the technique has (its
        first when unnamed), None without ports; a pick is checked against the anatomy.

        After a change: a new pick peels back as far as its nerve needs (never re-covers); raising a flap from
        0 on an open technique shows every layer and turns to the surgeon's camera; a technique switch with a
        raised flap and a surgeon's camera turns to the new technique's pocket. A field named in ``changes``
        is never overridden by a rule.
        """
        fix = {}
        if state.compare is not None and state.technique is None:
            fix["technique"] = state.compare[0]
        tid = fix.get("technique", state.technique)
        if self.features["techniques"] and tid is not None:
            ports = self.ports(tid)
            port = (state.scope_port if state.scope_port in ports else ports[0]) if ports else None
            if port != state.scope_port:
                fix["scope_port"] = port
        if state.pick and self.features["nerves"]:
            self.pick_paths(state.pick)  # a clear error for an unknown nerve, branch or muscle
        if old is not None:
            if state.pick and state.pick != old.pick and "peel" not in changes:
                need = exposing_peel(self.pick_paths(state.pick))
                if need > state.peel:
                    fix["peel"] = need
            opened = self.is_open(tid) and self.features["techniques"]
            if opened and old.flap_mm == 0 < state.flap_mm:
                if "peel" not in changes:
                    fix["peel"] = 0
                if "camera" not in changes:
                    fix["camera"] = self.surgeon_camera(tid)
            elif (opened and tid != old.technique and state.flap_mm > 0 and state.camera in SURGEON_CAMERAS
                  and "camera" not in changes):
                fix["camera"] = self.surgeon_camera(tid)
        return state.with_(**fix) if fix else state

    # --- changing -----------------------------------------------------------------------------------------

    def update(self, **changes) -> list[str]:
        """A student's change: ``changes`` plus the rules (:meth:`resolve`), drawn in one batch.

        Returns
        -------
        list of str
            The fields that changed (``[]``: the state was already so, nothing was sent).

        Raises
        ------
        StateError
            A field or value the state refuses; nothing changes then.
        """
        new = self.resolve(self.state.with_(**changes), self.state, set(changes))
        return self.show(new, resolved=True)

    def show(self, state: ViewState, *, resolved: bool = False) -> list[str]:
        """Draw a whole state (a saved view, a storyboard step, a quiz question) in one call.

        Returns
        -------
        list of str
            The fields that changed, in field order.
        """
        new = state if resolved else self.resolve(state)
        old = self.state
        changed = new.changed(old)
        if "patient" in changed:  # another face: a full replace (a toggle never comes here)
            self._change_patient(new)
            self.state = new
        elif changed:
            self._apply(old, new)
            self.state = new
        return changed

    # --- drawing ------------------------------------------------------------------------------------------

    def _apply(self, old: ViewState, new: ViewState, force_scope: bool = False) -> None:
        fig = self.figure
        changed = set(new.changed(old))
        techniques = self.features["techniques"]
        # The drawn skull's geometry, the first time the bone is bared (facelayers.render.skull_stage): before the
        # batch, so that the visibility below sees it loaded (a batch defers what it sets).
        self.skull_sent = skull_stage.ensure_skull(fig, self.model, new)
        with fig.batch_update():
            if techniques and "technique" in changed:
                technique_figures.apply_technique(fig, self.model, self.placed(new.technique), self.paths)
            holes, flap, paths = self.flap_geometry(new)
            cut_changed = bool({"cutaway", "layers_cut"} & changed)
            self.resent = []
            if cut_changed or holes is not self._holes:
                self.resent = updates.apply_cutaway(fig, self.model, new, old, holes, self._holes)
                if cut_changed and self.features["muscles"]:
                    structure_figures.apply_muscle_cut(fig, self.model, new)
            if techniques and (flap is not None or paths is not self._shown_paths
                               or {"technique", "flap_mm"} & changed):
                technique_figures.apply_flap(fig, self.model, flap, paths, self._shown_paths)
            self._holes, self._shown_paths = holes, paths
            updates.apply_visibility(fig, new)
            if "camera" in changed:
                updates.apply_camera(fig, new)
            if "labels" in changed:
                updates.apply_trace_visible(fig, "labels:regions", True if new.labels else "legendonly")
            if self.features["nerves"]:
                if "pick" in changed:
                    structure_figures.apply_highlight(fig, self.model, new.pick)
                updates.apply_overlays(fig, new)
            if {"section_kind", "section_at"} & changed:
                updates.apply_section_line(fig, section(self.model, new.section_kind, new.section_at))
            if techniques:
                scope = self.scope(new)
                if force_scope or scope is not self._scope:
                    technique_figures.apply_endoscope(fig, scope)
                    self._update_scope_view(new, scope)
                    self._scope = scope
        if self.section_figure is not None and {"section_kind", "section_at"} & changed:
            self._update_section(new)
        if self.profile_figure is not None and "pick" in changed and new.pick:
            self._update_profile(new)

    def _update_section(self, state: ViewState) -> None:
        fresh = render.section_figure(self.model, state=state)
        sf = self.section_figure
        with sf.batch_update():
            for trace, new in zip(sf.data, fresh.data):
                trace.x, trace.y = new.x, new.y
            for key in ("annotations", "shapes", "title"):
                sf.layout[key] = fresh.layout[key]
            sf.layout.xaxis.range = fresh.layout.xaxis.range
            sf.layout.yaxis.range = fresh.layout.yaxis.range

    def profile_nerve(self, pick: str) -> str:
        """The nerve whose depth profile a pick shows: the nerve itself, or the first nerve of its branch."""
        paths = self.pick_paths(pick)
        return paths[0].nerve_id if paths else next(iter(self.model.anatomy.nerves))

    def _update_profile(self, state: ViewState) -> None:
        fresh = structure_figures.depth_profile_figure(self.model, self.paths[(self.profile_nerve(state.pick), "left")])
        pf = self.profile_figure
        with pf.batch_update():
            for trace, new in zip(pf.data, fresh.data):
                trace.x, trace.y = new.x, new.y
                if new.text is not None:
                    trace.text = new.text
            pf.layout.title = fresh.layout.title
            pf.layout.xaxis.range = [0, float(fresh.data[0].x.max())]
            pf.layout.yaxis.range = fresh.layout.yaxis.range

    def scope_plane(self, state: ViewState, scope):
        """The plane the scope's tip lies in (left side), or None."""
        if scope is None:
            return None
        planes = [p for p in self.placed(state.technique).planes if p.side == "left"]
        if not planes:
            return None
        covering = [p for p in planes if p.covers(scope.tip[None, :])[0]]
        return (covering or planes)[0]

    def _update_scope_view(self, state: ViewState, scope) -> None:
        plane = self.scope_plane(state, scope)
        if plane is None:
            label = self.model.anatomy.technique(state.technique).label if state.technique else "this view"
            fresh = technique_figures.no_scope_figure(label)
        else:
            fresh = technique_figures.endoscope_view_figure(self.model, scope, plane, self.paths)
        replace_figure(self.scope_figure, fresh)


def replace_figure(figure, fresh) -> None:
    """Make ``figure`` (a FigureWidget, or a Figure) draw exactly ``fresh``: its traces, and its layout.

    plotly sends a new layout as a relayout, which the browser merges into the old one: a key the new layout does
    not have (the open approach's "No endoscope" note, a 3D scene after a 2D figure) would stay drawn. So every
    top-level layout key of the old figure that ``fresh`` does not set is removed explicitly (set to None) first.

    Parameters
    ----------
    figure : go.FigureWidget or go.Figure
        Changed in place.
    fresh : go.Figure
    """
    new_layout = fresh.layout.to_plotly_json()
    gone = {key: None for key in figure.layout.to_plotly_json() if key not in new_layout and key != "template"}
    figure.data = []
    figure.add_traces(list(fresh.data))
    if gone:
        figure.plotly_relayout(gone)
    figure.layout = fresh.layout
