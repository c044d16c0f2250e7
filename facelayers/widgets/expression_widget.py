"""The expression explorer: the face before and after, side by side, making an expression.

Cut or stretch a branch, divide a muscle or apply a technique, and read the deficit and its House-Brackmann grade.

Three parts, as elsewhere in the package: a plain state (:class:`ExpressionState`), pure figure functions
(:func:`expression_figure`, :func:`expression_update`); the ipywidgets view over them is
:class:`facelayers.widgets.expression_explorer.ExpressionExplorer`
that writes the state and re-renders from it.

Speed: the skin is split once into the part any expression can move (the union of every muscle's influence)
and the rest. Changing the expression, its strength, side, a cut or a divided muscle re-sends only the x, y, z
of the moving part of the panel(s) that changed, and how far each of its vertices moved (its colour), all
float32, never triangles; at the lecture grid that is well
under 300 KB and a few ms of Python (``make bench``: ``expression_change_bytes``, ``expression_change_ms``).
Offline, the exported course file carries client-side expression frames (:mod:`facelayers.delivery.expression_offline`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

try:
    import plotly.graph_objects as go
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("facelayers.widgets.expression_widget needs plotly: pip install 'facelayers[lessons]'") from exc

from facelayers.model import expression as ex
from facelayers.model import injury
from facelayers.model.geometry import FaceModel, ear_meshes
from facelayers.render.face import BACKGROUND, FONT, LIGHT_POSITION, LIGHTING, PALETTE, TEXT, eyes_trace
from facelayers.render.structures import MUSCLE_COLOUR

#: Cameras for each face: from the front, and three-quarter from the subject's left.
EXPRESSION_CAMERAS: dict[str, dict] = {
    # Far back (a long lens), each face's box scaled up by ZOOM to fill its scene.
    "front": {"eye": {"x": 0.0, "y": 2.4, "z": 0.05}, "up": {"x": 0, "y": 0, "z": 1},
              "center": {"x": 0, "y": 0, "z": 0.0}},
    "three_quarter": {"eye": {"x": 1.0, "y": 2.2, "z": 0.2}, "up": {"x": 0, "y": 0, "z": 1},
                      "center": {"x": 0, "y": 0, "z": 0.0}},
}
#: Each face's box, in units of plotly's "data" aspect (largest range 1), with the cameras above: the face fits its
#: scene down to a scene PANEL_FIT_RATIO times as wide as it is tall (checked in tests/test_expression_widget.py
#: with :func:`facelayers.render.fit.scene_ndc`).
ZOOM = 1.6
PANEL_FIT_RATIO = 0.55
#: Each face has a scene of its own, side by side ('before' on the left), so a face never overlaps the other (one
#: shared scene put the heads behind one another from three-quarter) and each fits its own box; the band below
#: them holds the labels and the colour bar (horizontal), clear of both faces.
SCENE_NAMES = {"before": "scene", "after": "scene2"}
SCENE_DOMAINS = {"before": {"x": [0.0, 0.5], "y": [0.15, 1.0]}, "after": {"x": [0.5, 1.0], "y": [0.15, 1.0]}}
PANELS = ("before", "after")
VIEWS = ("skin", "muscles")
NUMB_COLOUR = "#9BE7FF"
#: The moving skin is coloured by how far it moved: skin tone at rest, deepening to red at MOVED_MAX_MM and beyond.
MOVED_MAX_MM = 10.0
MOVED_SCALE = [[0.0, "#E9B99A"], [0.15, "#E9B99A"], [0.6, "#E07B5A"], [1.0, "#B5262F"]]


@dataclass(frozen=True)
class ExpressionState:
    """What the expression explorer shows.

    Attributes
    ----------
    expression : str
        A name of :data:`facelayers.model.expression.EXPRESSIONS`.
    strength : float
        0..1.
    side : {"both", "left", "right"}
        The side that makes the expression.
    cut : tuple of str
        ``"BRANCH:SIDE"`` (or ``":stretch"``) facial-nerve injuries, or ``"NERVE:SIDE"`` for a sensory nerve
        with a numb area (shown on the skin).
    divided : tuple of str
        Divided muscles (``"procerus"``, ``"corrugator_supercilii:left"``).
    technique : str or None
        A technique id: its divided muscles are added, and with ``injure`` the branches its planes come within
        ``limit_mm`` of.
    injure : bool
    limit_mm : float
    camera : {"front", "three_quarter"}
    view : {"skin", "muscles"}
        The skin, or the muscle bodies on the deep fascia (skin, fat and SMAS lifted away), each moving with
        the outer face of its layer.
    """

    expression: str = "smile"
    strength: float = 1.0
    side: str = "both"
    cut: tuple = ()
    divided: tuple = ()
    technique: str | None = None
    injure: bool = False
    limit_mm: float = 2.0
    camera: str = "front"
    view: str = "skin"

    def __post_init__(self) -> None:
        object.__setattr__(self, "cut", tuple(self.cut))
        object.__setattr__(self, "divided", tuple(self.divided))
        if self.camera not in EXPRESSION_CAMERAS:
            raise ValueError(f"camera {self.camera!r} is not known; allowed: {', '.join(EXPRESSION_CAMERAS)}")
        if self.view not in VIEWS:
            raise ValueError(f"view {self.view!r} is not known; allowed: {', '.join(VIEWS)}")
        if self.expression not in ex.EXPRESSIONS:
            raise ValueError(f"expression {self.expression!r} is not known; allowed: {', '.join(ex.EXPRESSIONS)}")


@dataclass(frozen=True)
class Applied:
    """The state resolved against the model.

    The motor cuts, the sensory cuts, the divided muscles (with the technique's), and the technique's effect if
    any.
    """

    motor: tuple
    sensory: tuple
    divided: tuple
    effect: object = None
    notes: tuple = field(default=())


def resolve(model: FaceModel, state: ExpressionState) -> Applied:
    """Split the state's cuts into motor and sensory, and add a technique's divided muscles.

    With ``injure``, the branches the technique's planes come near are cut too. Bad names raise ValueError
    listing what is allowed.
    """
    motor_groups = set(ex.facial_branches(model))
    sensory_groups = {p["nerve_group"] for p in model.anatomy.palsies.values() if "numb_area" in p}
    motor, sensory = [], []
    for item in state.cut:
        group = str(item).split(":")[0]
        if group in sensory_groups:
            side = str(item).split(":")[1] if ":" in str(item) else ""
            if side not in ex.SIDES:
                raise ValueError(f"cut item {item!r}: a sensory nerve is cut as 'NERVE:SIDE', SIDE one of "
                                 f"{', '.join(ex.SIDES)}")
            sensory.append(str(item))
        elif group in motor_groups:
            motor.append(str(item))
        else:
            raise ValueError(f"cut item {item!r} is not known: BRANCH one of {', '.join(sorted(motor_groups))} "
                             f"or a sensory nerve {', '.join(sorted(sensory_groups))}, then ':left' or ':right'")
    divided = list(state.divided)
    effect = None
    if state.technique:
        effect = injury.technique_effect(model, state.technique, state.limit_mm)
        divided += [m for m in effect.divided if m not in divided]
        if state.injure:
            motor += [c for c in effect.cuts if c not in motor]
            sensory += [c for c in effect.sensory if c.split(":")[0] in sensory_groups and c not in sensory]
    ex.parse_cuts(model, motor)
    ex.parse_divided(model, divided)
    return Applied(tuple(motor), tuple(sensory), tuple(divided), effect)


@lru_cache(maxsize=4)
def split_skin(model: FaceModel) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The skin split into the part any expression moves and the rest.

    Returns
    -------
    mobile_vertices : (a,) int
        Skin vertex indices of the moving part (in the model's order).
    mobile_faces : (p, 3) int32
        Its triangles, indexing ``mobile_vertices``.
    static_vertices : (b,) int
    static_faces : (q, 3) int32
    """
    moving = np.zeros(model.n_vertices, bool)
    for f in ex.muscle_fields(model).values():
        moving |= (f.weight > 2e-3) | (np.abs(f.wrinkle).sum(1) > 1e-4)
    faces = model.faces
    mobile_face = moving[faces].any(axis=1)

    def compact(fs):
        used = np.unique(fs)
        remap = np.full(model.n_vertices, -1, np.int64)
        remap[used] = np.arange(len(used))
        return used, remap[fs].astype(np.int32)

    mv, mf = compact(faces[mobile_face])
    sv, sf = compact(faces[~mobile_face])
    return mv, mf, sv, sf


@lru_cache(maxsize=4)
def body_anchor(model: FaceModel) -> dict:
    """For every muscle body, what it needs to ride on its layer's displacement; keyed by muscle_id.

    A tuple per muscle, the two sides joined: its vertices (v, 3) float, mm; its faces (f, 3) int32; its layer
    index; and for each vertex (v,) int64 the skin-grid vertex whose ray is nearest (by the ray parameters),
    through which it takes its layer's displacement.
    """
    from facelayers.model.grid import params_of
    from facelayers.model.muscles import bodies

    built = bodies(model)
    # Candidates: the skin vertices any muscle moves (elsewhere every layer's displacement is zero).
    cand = split_skin(model)[0]
    ru, rs = model.u[cand], model.s[cand]
    out = {}
    for mid in model.anatomy.muscles:
        verts, faces, layer = [], [], 0
        for side in ex.SIDES:
            b = built[(mid, side)]
            faces.append(b.faces + sum(len(v) for v in verts))
            verts.append(b.vertices.astype(float))
            layer = b.layer
        v = np.concatenate(verts)
        u, s_, _ = params_of(v)
        # Only the candidates around this muscle (its bounding box in the ray parameters, with a margin).
        near = ((ru > u.min() - 0.12) & (ru < u.max() + 0.12) & (rs > s_.min() - 8) & (rs < s_.max() + 8))
        cu, cs, ci = (ru[near], rs[near], cand[near]) if near.any() else (ru, rs, cand)
        nearest = np.empty(len(v), np.int64)
        for start in range(0, len(v), 1024):
            du = ((u[start:start + 1024, None] - cu[None, :] + np.pi) % (2 * np.pi) - np.pi) * 80.0
            ds = s_[start:start + 1024, None] - cs[None, :]
            nearest[start:start + 1024] = ci[np.argmin(du * du + ds * ds, axis=1)]
        out[mid] = (v, np.concatenate(faces).astype(np.int32), layer, nearest)
    return out


def body_displacement(model: FaceModel, state: ExpressionState, panel: str, muscle_id: str,
                      applied: Applied | None = None) -> np.ndarray:
    """Displacement (v, 3) float, mm, of a muscle's body (both sides) in one panel.

    It is the displacement of the outer face of its layer on the nearest ray
    (:func:`facelayers.model.expression.interface_displacement`), so an active muscle shortens toward its origin and
    the muscles it lies under ride with it.
    """
    v, _, layer, nearest = body_anchor(model)[muscle_id]
    kw = dict(strength=state.strength, side=state.side, wrinkles=False)
    if panel == "after":
        applied = applied or resolve(model, state)
        kw.update(cut=applied.motor, divided=applied.divided)
    return ex.interface_displacement(model, state.expression, layer, **kw)[nearest]


def _aspect(traces) -> dict:
    """Plotly's ``data`` aspect ratio of the traces (largest range 1), scaled by :data:`ZOOM`."""
    spans = []
    for axis in "xyz":
        values = np.concatenate([np.asarray(getattr(t, axis), float) for t in traces
                                 if getattr(t, axis) is not None and len(getattr(t, axis))])
        spans.append(float(values.max() - values.min()))
    top = max(spans)
    return {axis: ZOOM * span / top for axis, span in zip("xyz", spans)}


def _xyz(points: np.ndarray, panel: str) -> dict:
    """Trace coordinates of head-frame points (x negated, float32) in ``panel``'s scene (``scene`` key)."""
    p = np.asarray(points, float)
    return {"scene": SCENE_NAMES[panel], "x": (-p[:, 0]).astype(np.float32), "y": p[:, 1].astype(np.float32),
            "z": p[:, 2].astype(np.float32)}


def _ijk(faces: np.ndarray) -> dict:
    return {"i": faces[:, 0], "j": faces[:, 2], "k": faces[:, 1]}


def panel_displacement(model: FaceModel, state: ExpressionState, panel: str,
                       applied: Applied | None = None) -> np.ndarray:
    """The skin's displacement (n, 3) float, mm, in one panel.

    'before' = intact, 'after' = with the state's injuries, divided muscles and technique.
    """
    kw = {"strength": state.strength, "side": state.side}
    if panel == "before":
        return ex.skin_displacement(model, state.expression, **kw)
    applied = applied or resolve(model, state)
    return ex.skin_displacement(model, state.expression, cut=applied.motor, divided=applied.divided, **kw)


def _numb_points(model: FaceModel, applied: Applied, moved: np.ndarray) -> np.ndarray:
    pts = []
    for item in applied.sensory:
        group, side = item.split(":")[:2]
        mask, _ = injury.numb_area(model, group, side)
        p = model.skin[mask] + moved[mask]
        normal = ex.skin_normals(model)[mask]
        pts.append(p + 2.0 * normal)  # lifted clear of the skin, so no marker sinks into it
    return np.concatenate(pts) if pts else np.zeros((0, 3))


def harm_in_words(model: FaceModel, item: str) -> str:
    """A cut item as students read it: ``"frontal:left"`` -> ``"frontal branch cut on the left"``.

    ``"BRANCH:SIDE:stretch"`` reads ``"... stretched on the left"``; the group by its label
    (:meth:`facelayers.anatomy.load.Anatomy.group_label`).
    """
    parts = item.split(":")
    what = "stretched" if parts[2:] == ["stretch"] else "cut"
    side = f" on the {parts[1]}" if len(parts) > 1 else ""
    return f"{model.anatomy.group_label(parts[0])} {what}{side}"


def title_text(model: FaceModel, state: ExpressionState, applied: Applied | None = None) -> str:
    """The figure's title: the expression, what was done, and the House-Brackmann grade of the 'after' face."""
    applied = applied or resolve(model, state)
    e = ex.EXPRESSIONS[state.expression]
    aus = f" ({'+'.join(e.action_units)})" if e.action_units else ""
    done = [harm_in_words(model, c) for c in applied.motor + applied.sensory]
    done += [f"{model.anatomy.muscle(d.split(':')[0]).label} divided" + (f" on the {d.split(':')[1]}" if ":" in d else "")
             for d in applied.divided]
    hb = injury.house_brackmann(model, applied.motor, applied.divided)
    what = ", ".join(done) if done else "intact"
    strength = "" if state.strength == 1 else f", strength {state.strength:.1f}"
    side = "" if state.side == "both" else f", {state.side} side only"
    return (f"{e.label}{aus}{strength}{side}<br><sub>before: intact · after: {what}</sub><br>"
            f"<sub>{hb.headline()}</sub>")


def expression_figure(model: FaceModel, state: ExpressionState | None = None, *, height: int = 620,
                      width: int | None = None) -> go.Figure:
    """Two faces side by side making the state's expression: intact, and with the state's changes.

    Intact is 'before', on the viewer's left; 'after', on the viewer's right, has the injuries, divided muscles
    or technique.

    Trace names: ``expr:<panel>:mobile`` (the part that moves: its x, y, z change), ``expr:<panel>:static``,
    ``expr:<panel>:ears``, ``expr:<panel>:eyes`` (the globes), ``expr:after:numb`` (numb skin of a cut sensory
    nerve). Pure: state in, figure out.
    """
    state = state or ExpressionState()
    applied = resolve(model, state)
    mv, mf, sv, sf = split_skin(model)
    traces = []
    skin_style = {"color": PALETTE["skin"], "flatshading": False, "lighting": LIGHTING, "lightposition": LIGHT_POSITION,
                      "hoverinfo": "skip", "showlegend": False}
    for panel in PANELS:
        moved = panel_displacement(model, state, panel, applied)
        skin = model.skin + moved
        moving = dict(skin_style, coloraxis="coloraxis")
        moving.pop("color")
        traces.append(go.Mesh3d(name=f"expr:{panel}:mobile", **_xyz(skin[mv], panel), **_ijk(mf),
                                intensity=_moved_mm(moved[mv]), **moving))
        traces.append(go.Mesh3d(name=f"expr:{panel}:static", **_xyz(model.skin[sv], panel), **_ijk(sf),
                                intensity=np.zeros(len(sv), np.float32), **moving))
        verts, faces = [], []
        for v, f in ear_meshes(model):
            faces.append(f + sum(len(x) for x in verts))
            verts.append(v)
        traces.append(go.Mesh3d(name=f"expr:{panel}:ears", **_xyz(np.concatenate(verts), panel),
                                **_ijk(np.concatenate(faces)), **skin_style))
        # The globes do not move: the lids close over them (facelayers.model.eyes).
        # (the vermilion in the same trace moves with the skin: facelayers.model.lips)
        traces.append(eyes_trace(model, name=f"expr:{panel}:eyes", coords=lambda p, panel=panel: _xyz(p, panel),
                                 skin_points=skin))
        muscles_on = state.view == "muscles"
        for trace in traces[-4:]:
            trace.visible = not muscles_on
        for mid, (v, f, _, _) in body_anchor(model).items():
            d = body_displacement(model, state, panel, mid, applied)
            traces.append(go.Mesh3d(name=f"expr:{panel}:muscle:{mid}", **_xyz(v + d, panel), **_ijk(f),
                                    color=MUSCLE_COLOUR, lighting=LIGHTING, lightposition=LIGHT_POSITION,
                                    hovertemplate=f"<b>{model.anatomy.muscle(mid).label}</b><extra></extra>",
                                    showlegend=False, visible=muscles_on))
        deep = model.interface("muscle")
        traces.append(go.Mesh3d(name=f"expr:{panel}:deep", **_xyz(deep, panel), **_ijk(model.faces),
                                color=PALETTE["muscle"], lighting=LIGHTING, lightposition=LIGHT_POSITION,
                                hoverinfo="skip", showlegend=False, visible=muscles_on))
        if panel == "after":
            numb = _numb_points(model, applied, moved) if not muscles_on else np.zeros((0, 3))
            traces.append(go.Scatter3d(name="expr:after:numb", mode="markers", **_xyz(numb, panel),
                                       marker={"size": 3.5, "color": NUMB_COLOUR}, hoverinfo="skip",
                                       showlegend=False, visible=bool(len(numb))))
    fig = go.Figure(traces)
    axis = {"visible": False, "showspikes": False}
    # One box for both faces (the resting 'before' face's), so the two stand at one scale.
    aspect = _aspect([t for t in traces if t.scene == SCENE_NAMES["before"] and t.type == "mesh3d"])
    band = SCENE_DOMAINS["before"]["y"][0]
    scenes = {SCENE_NAMES[p]: {"xaxis": axis, "yaxis": axis, "zaxis": axis, "aspectmode": "manual",
                               "aspectratio": aspect, "bgcolor": BACKGROUND, "domain": SCENE_DOMAINS[p],
                               "camera": EXPRESSION_CAMERAS[state.camera]} for p in PANELS}
    fig.update_layout(
        template="none", height=height, width=width, paper_bgcolor=BACKGROUND, font=FONT, showlegend=False,
        margin={"l": 0, "r": 0, "t": 104, "b": 0}, uirevision="expression",
        title={"text": title_text(model, state, applied), "x": 0.02, "font": {"size": 20}},
        # The labels under their faces, on the band's top; the colour bar at the band's bottom, between them.
        annotations=[{"text": p, "x": sum(SCENE_DOMAINS[p]["x"]) / 2, "y": band, "yanchor": "top",
                      "xref": "paper", "yref": "paper", "showarrow": False, "font": {"size": 18, "color": TEXT}}
                     for p in PANELS],
        **scenes,
        coloraxis={"colorscale": MOVED_SCALE, "cmin": 0.0, "cmax": MOVED_MAX_MM,
                   "colorbar": {"title": {"text": "moved (mm)", "side": "right"}, "orientation": "h",
                                "x": 0.5, "xanchor": "center", "y": 0.0, "yanchor": "bottom", "len": 0.4,
                                "thickness": 10, "ypad": 6}},
    )
    return fig


def _moved_mm(moved: np.ndarray) -> np.ndarray:
    """How far each vertex moved, mm (float32): the colour of the moving skin."""
    return np.linalg.norm(moved, axis=1).astype(np.float32)


def gallery_figure(model: FaceModel, expressions=None, *, camera: str = "front", cut=(), divided=(),
                   columns: int = 4, tile_px: int = 330) -> go.Figure:
    """Several expressions side by side, one 3D scene each, for slides and screenshots.

    The face is cropped to forehead-to-chin; the traces are ``expr:gallery:<name>``. ``camera`` is ``"front"``
    or ``"three_quarter"``.
    """
    from plotly.subplots import make_subplots

    names = list(expressions or ex.EXPRESSIONS)
    for name in names:
        ex.check_expression(name, 1.0, "both")
    if camera not in EXPRESSION_CAMERAS:
        raise ValueError(f"camera {camera!r} is not known; allowed: {', '.join(EXPRESSION_CAMERAS)}")
    rows = -(-len(names) // columns)
    cols = min(columns, len(names))
    fig = make_subplots(rows=rows, cols=cols, specs=[[{"type": "scene"}] * cols] * rows,
                        subplot_titles=[ex.EXPRESSIONS[n].label for n in names], horizontal_spacing=0.0,
                        vertical_spacing=0.05)
    keep = (model.skin[:, 1] > -20) & (model.skin[:, 2] > -125) & (model.skin[:, 2] < 85)
    faces = model.faces[keep[model.faces].all(axis=1)]
    eye = {"front": {"x": 0.0, "y": 1.25, "z": 0.05}, "three_quarter": {"x": 0.9, "y": 0.95, "z": 0.18}}[camera]
    for n, name in enumerate(names):
        p = model.skin + ex.skin_displacement(model, name, cut=cut, divided=divided)
        fig.add_trace(go.Mesh3d(name=f"expr:gallery:{name}", x=(-p[:, 0]).astype(np.float32),
                                y=p[:, 1].astype(np.float32), z=p[:, 2].astype(np.float32), **_ijk(faces),
                                color=PALETTE["skin"], lighting=LIGHTING, lightposition=LIGHT_POSITION,
                                hoverinfo="skip", showlegend=False), row=n // cols + 1, col=n % cols + 1)
        fig.add_trace(eyes_trace(model, name=f"expr:gallery:{name}:eyes", skin_points=p), row=n // cols + 1,
                      col=n % cols + 1)  # the brows, lids and lips move with the skin
    axis = {"visible": False, "showspikes": False}
    for k in range(1, len(names) + 1):
        fig.layout[f"scene{k if k > 1 else ''}"].update(
            xaxis=axis, yaxis=axis, zaxis=axis, aspectmode="data", bgcolor=BACKGROUND,
            camera={"eye": eye, "up": {"x": 0, "y": 0, "z": 1}, "center": {"x": 0, "y": 0, "z": 0}})
    fig.update_layout(template="none", width=tile_px * cols, height=int(tile_px * 1.15) * rows, paper_bgcolor=BACKGROUND,
                      font=FONT, showlegend=False, margin={"l": 0, "r": 0, "t": 40, "b": 0})
    return fig


def _index(fig, name: str) -> int:
    for i, t in enumerate(fig.data):
        if t.name == name:
            return i
    raise KeyError(f"no trace named {name!r}")


def _layer_displacements(model: FaceModel, state: ExpressionState, panel: str, applied: Applied) -> dict:
    """{layer index: (n, 3) displacement of its outer face} for the layers that hold muscles, in one panel."""
    kw = dict(strength=state.strength, side=state.side, wrinkles=False)
    if panel == "after":
        kw.update(cut=applied.motor, divided=applied.divided)
    layers = {layer for _, _, layer, _ in body_anchor(model).values()}
    return {k: ex.interface_displacement(model, state.expression, k, **kw) for k in layers}


def expression_update(fig, model: FaceModel, old: ExpressionState, new: ExpressionState) -> None:
    """Bring a figure drawn for ``old`` to ``new`` with the smallest update, never triangles.

    In the skin view: the moving skin's x, y, z and colour in the panel(s) whose displacement changed (the
    'before' panel only when the expression, strength or side changed). In the muscle view: the x, y, z of the
    muscle bodies whose displacement changed. Switching the view flips visibility and brings the newly shown
    traces up to date. Also the numb markers, the title and the camera.
    """
    applied = resolve(model, new)
    mv = split_skin(model)[0]
    motion_changed = (old.expression, old.strength, old.side) != (new.expression, new.strength, new.side)
    injury_changed = (old.cut, old.divided, old.technique, old.injure, old.limit_mm) != (
        new.cut, new.divided, new.technique, new.injure, new.limit_mm)
    switched = old.view != new.view
    anchors = body_anchor(model)
    with fig.batch_update():
        for panel in PANELS:
            changed = motion_changed or (panel == "after" and injury_changed)
            if new.view == "skin" and (changed or switched):
                moved = panel_displacement(model, new, panel, applied)
                fig.data[_index(fig, f"expr:{panel}:mobile")].update(**_xyz(model.skin[mv] + moved[mv], panel),
                                                                     intensity=_moved_mm(moved[mv]))
                # the globes stay, the vermilion moves with the skin (the same trace, the same vertex order); sent
                # only when the lips move or have moved (the trace holds the last state)
                eyes = fig.data[_index(fig, f"expr:{panel}:eyes")]
                now = eyes_trace(model, coords=lambda p, panel=panel: _xyz(p, panel), skin_points=model.skin + moved)
                if not np.allclose(np.asarray(eyes.z, float), np.asarray(now.z, float), atol=0.05):
                    eyes.update(x=now.x, y=now.y, z=now.z)
            if new.view == "muscles" and (changed or switched):
                now = _layer_displacements(model, new, panel, applied)
                before = None if switched else _layer_displacements(model, old, panel, resolve(model, old))
                for mid, (v, _, layer, nearest) in anchors.items():
                    d = now[layer][nearest]
                    if before is not None and np.allclose(d, before[layer][nearest], atol=1e-6):
                        continue
                    fig.data[_index(fig, f"expr:{panel}:muscle:{mid}")].update(**_xyz(v + d, panel))
            if panel == "after" and (changed or switched) and (applied.sensory or resolve(model, old).sensory):
                moved = panel_displacement(model, new, panel, applied)
                numb = _numb_points(model, applied, moved) if new.view == "skin" else np.zeros((0, 3))
                trace = fig.data[_index(fig, "expr:after:numb")]
                trace.update(**_xyz(numb, panel), visible=bool(len(numb)))
        if switched:
            muscles_on = new.view == "muscles"
            for trace in fig.data:
                name = trace.name or ""
                if name.endswith((":mobile", ":static", ":ears", ":eyes")):
                    trace.visible = not muscles_on
                elif ":muscle:" in name or name.endswith(":deep"):
                    trace.visible = muscles_on
        if motion_changed or injury_changed:
            fig.layout.title.text = title_text(model, new, applied)
        if old.camera != new.camera:
            for name in SCENE_NAMES.values():  # both faces turn together
                fig.layout[name].camera = EXPRESSION_CAMERAS[new.camera]


def report_lines(model: FaceModel, state: ExpressionState, injury_class: str = "neurotmesis") -> list[str]:
    """What the 'after' face shows, in words, one string per line.

    The deficits, the House-Brackmann grade by region, the course of the first motor injury by class (regrowth
    measured on the nerves), the numb areas, the technique.
    """
    applied = resolve(model, state)
    lines = injury.deficit_lines(model, applied.motor, applied.divided)
    for item in applied.sensory:
        group, side = item.split(":")[:2]
        p = next(p for p in model.anatomy.palsies.values() if p["nerve_group"] == group)
        _, area = injury.numb_area(model, group, side)
        lines.append(f"{p['label']} cut, {side}: {p['deficit']} (about {area:.0f} cm² on the model; "
                     f"{injury.cite(model, p['source_id'])})")
    lines.append(injury.house_brackmann(model, applied.motor, applied.divided).text())
    if applied.motor:
        parts = applied.motor[0].split(":")
        cls = "neurapraxia" if len(parts) == 3 and parts[2] == "stretch" else injury_class
        # A branch a technique's plane comes near is injured where it first does; a branch cut by hand, at its
        # danger-zone landmark.
        site = applied.effect.sites.get(applied.motor[0]) if applied.effect is not None else None
        lines += injury.course_lines(model, parts[0], parts[1], cls, site=site)
    if applied.effect is not None:
        lines += injury.effect_lines(model, applied.effect)
    return lines
