"""Plotly traces of the nerves, muscles, danger zones and ligaments, the highlight of a pick, and the depth profile.

These are the structures of lesson 02, added to a :func:`facelayers.render.face.face_figure`. Trace names are
stable ids: ``nerve:<nerve_id>``, ``muscle:<muscle_id>``, ``zone:<zone_id>`` and ``zone:labels``, ``ligaments``;
the depth profile uses ``band:<surface>``, ``profile:nerve`` and ``profile:waypoints``. Coordinates are in the
head frame, mm, plotted with x negated (:func:`facelayers.render.face.xyz`).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from facelayers.core.frame import LAYERS
from facelayers.model import injury
from facelayers.model.cutaway import Cut
from facelayers.model.geometry import FaceModel, layer_index
from facelayers.render.face import (
    BACKGROUND,
    FONT,
    LIGHT_POSITION,
    LIGHTING,
    TEXT,
    colour_key,
    cut_of,
    ijk,
    layer_bands,
    surface_labels,
    xyz,
)
from facelayers.teaching.state import ViewState

# --- nerves, muscles, danger zones, ligaments (lesson 02) --------------------------------------------------

#: Nerve colours by kind (chosen to read on every layer colour); the highlight colour (a pick changes only
#: colour and opacity, so it stays under 1 KB on the widget comm); the dimmed opacity.
NERVE_COLOURS = {"motor": "#FFF3B0", "sensory": "#9BE7FF", "vein": "#7B6CF6"}
HIGHLIGHT = "#FF3DB8"
DIM_OPACITY = 0.25
NERVE_WIDTH = 10
MUSCLE_COLOUR = "#B5262F"
ZONE_COLOUR = "#E4007C"


def _above_skin(model: FaceModel, point: np.ndarray, lift_mm: float) -> np.ndarray:
    """The skin point on the ray through ``point``, lifted ``lift_mm`` outward along the ray (for labels)."""
    from facelayers.model.grid import params_of, rays

    u, s, _ = params_of(point[None, :])
    _, d = rays(u, s)
    return model.stack_at(u, s).points[0, 0] + lift_mm * d[0]


def join_sides(paths) -> np.ndarray:
    """Both sides' points in one array, separated by a NaN row (plotly breaks the line there).

    Parameters
    ----------
    paths : sequence of facelayers.model.nerves.NervePath
        One or more paths; their ``points`` are (k_i, 3), mm, head frame.

    Returns
    -------
    (sum k_i + len(paths) - 1, 3) float32 ndarray, mm
        The points in order, with one all-NaN row between consecutive paths.
    """
    out = []
    for p in paths:
        out += [p.points, np.full((1, 3), np.nan)]
    return np.concatenate(out[:-1]).astype(np.float32)


def nerve_traces(model: FaceModel, paths: dict, highlight: str | None = None) -> list:
    """One Scatter3d line per nerve (both sides), named ``nerve:<nerve_id>``.

    Parameters
    ----------
    model : FaceModel
        Its anatomy's nerves, in the order of ``data/nerves.json``.
    paths : dict of (nerve_id, side) -> facelayers.model.nerves.NervePath
        The placed nerves; a nerve with no path here gets no trace.
    highlight : str or None
        Unused (the highlight is applied afterwards by :func:`apply_highlight`).

    Returns
    -------
    list of go.Scatter3d
        Lines coloured by kind (:data:`NERVE_COLOURS`), width :data:`NERVE_WIDTH`, the two sides joined by a
        NaN gap (:func:`join_sides`). ``meta`` holds the nerve's ``group`` and ``kind``. Hover gives the name,
        branch, the layer the nerve is in at that point (``text``), its depth below the skin (``customdata``,
        a plain list rounded to 0.01 mm) and the sources (author and year) of its waypoints, or ``schematic``.
    """
    labels = surface_labels(model)
    traces = []
    for nid, nerve in model.anatomy.nerves.items():
        sides = [p for (pid, _), p in paths.items() if pid == nid]
        if not sides:
            continue
        pts = join_sides(sides)
        custom, text = [], []
        for p in sides:
            custom += [p.depth_mm, [0.0]]  # a NaN would not survive the widget's JSON: the gap row is in x/y/z
            text += [labels[LAYERS[k]] for k in p.layer] + [""]
        custom, text = np.concatenate(custom[:-1]), text[:-1]
        sources = sorted({injury.cite(model, wp.source_id) for wp in nerve.waypoints if wp.source_id})
        hover = (f"<b>{nerve.label}</b><br>branch: {nerve.group.replace('_', ' ')}<br>in: %{{text}}<br>"
                 f"%{{customdata:.1f}} mm below the skin<br>source: {', '.join(sources) or 'schematic'}"
                 "<extra></extra>")
        traces.append(go.Scatter3d(
            name=f"nerve:{nid}", mode="lines", **xyz(pts),
            # A plain list, not a float32 array: after a restyle of the line (a nerve carried by a raised flap),
            # the browser echoes a 1-D typed customdata back as an object, and plotly's FigureWidget raised
            # ValueErrors in _remove_overlapping_props comparing it with the array. Rounded to 0.01 mm.
            text=text, customdata=np.round(custom.astype(np.float64), 2).tolist(), hovertemplate=hover,
            showlegend=False,
            line={"color": NERVE_COLOURS.get(nerve.kind, "#ffffff"), "width": NERVE_WIDTH},
            meta={"group": nerve.group, "kind": nerve.kind},
        ))
    return traces


def muscle_geometry(model: FaceModel, muscle, cut: Cut | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Both sides of a muscle as its body, with the cutaway applied like its layer's.

    The body is :func:`facelayers.model.muscles.build_body`'s: a closed mesh with thickness in its layer, from
    origin to insertion. A superficial mimetic muscle *is* part of the SMAS, and its body fills the SMAS layer; it is drawn 0.3 mm
    outward along the rays (a display offset only: the body itself lies inside its layer) so that it shows on
    the SMAS whenever the SMAS is the layer exposed. A deep muscle is drawn where it is, under the deep fascia
    and the branches that run on it: it shows once the deep fascia is peeled or cut away.

    Parameters
    ----------
    model : FaceModel
    muscle : str or facelayers.anatomy.load.Muscle
        The muscle, or its id in ``data/muscles.json``.
    cut : facelayers.model.cutaway.Cut or None
        The cutaway (:func:`facelayers.render.face.cut_of`); the body is clipped where its layer is.

    Returns
    -------
    vertices : (n, 3) float32 ndarray, mm, head frame
        The left side's vertices, then the right side's.
    faces : (m, 3) int32 ndarray
        Indices into ``vertices``.

    Raises
    ------
    ValueError
        If ``muscle`` is an unknown id; the message lists the known ones.
    """
    from facelayers.model.cutaway import clip, window_distance
    from facelayers.model.muscles import bodies

    if isinstance(muscle, str):
        muscle = model.anatomy.muscle(muscle)
    verts, faces = [], []
    radius = cut.radius_mm(layer_index(muscle.layer)) if cut is not None else None
    built = bodies(model)
    for side in ("left", "right"):
        body = built[(muscle.muscle_id, side)]
        v, f = body.vertices.astype(float), body.faces
        if muscle.layer == "smas":
            out = body.skin - v
            v = v + 0.3 * out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        if radius is not None and len(f):
            clipped = clip(np.concatenate([v, body.skin], axis=1), f,
                           window_distance(model, cut.window, body.skin), radius)
            v, f = clipped.vertices[:, :3], clipped.faces
        faces.append(f + sum(len(x) for x in verts))
        verts.append(v)
    return np.concatenate(verts).astype(np.float32), np.concatenate(faces).astype(np.int32)


def muscle_traces(model: FaceModel, cut: Cut | None = None, state: ViewState | None = None) -> list:
    """Each muscle as a Mesh3d named ``muscle:<muscle_id>``, its body on both sides.

    Parameters
    ----------
    model : FaceModel
        Its anatomy's muscles, in the order of ``data/muscles.json``.
    cut : facelayers.model.cutaway.Cut or None
        The cutaway applied to the bodies (:func:`muscle_geometry`).
    state : ViewState, optional
        A SMAS muscle is visible when the state shows the SMAS (peeled with it); without a state, every
        muscle is visible.

    Returns
    -------
    list of go.Mesh3d
        Colour :data:`MUSCLE_COLOUR`; ``meta`` holds the nerve ``group`` and the ``layer`` (``smas`` or the
        deep one). Hover gives the attachments, action and FACS action units, wrinkle and nerve branches.
    """
    traces = []
    for mid, muscle in model.anatomy.muscles.items():
        v, f = muscle_geometry(model, muscle, cut)
        wrinkle = f"<br>wrinkle: {muscle.wrinkle}" if muscle.wrinkle else ""
        aus = f" ({'+'.join(muscle.action_units)})" if muscle.action_units else ""
        nerves = ", ".join(g.replace("_", " ") for g in muscle.nerve_shares())
        traces.append(go.Mesh3d(
            name=f"muscle:{mid}", **xyz(v), **ijk(f),
            color=MUSCLE_COLOUR, flatshading=False, lighting=LIGHTING, lightposition=LIGHT_POSITION,
            hovertemplate=(f"<b>{muscle.label}</b><br>{muscle.attachments}<br>{muscle.action}{aus}{wrinkle}<br>"
                           f"nerve: {nerves}<extra></extra>"),
            showlegend=False, meta={"group": muscle.nerve_group, "layer": muscle.layer},
            visible=True if muscle.layer != "smas" or state is None else state.shown("smas"),
        ))
    return traces


#: Width of a danger zone's outline, px, and how far it is lifted above the skin, mm.
ZONE_WIDTH = 7
ZONE_LIFT_MM = 1.0


def zone_outline(model: FaceModel, zone, side: str, per_edge: int | None = None) -> np.ndarray:
    """A danger zone's outline on the skin, closed, lifted :data:`ZONE_LIFT_MM` outward.

    Parameters
    ----------
    model : FaceModel
    zone : facelayers.anatomy.structures.DangerZone
        Its outline (landmark ids and/or points, given for the left side).
    side : {"left", "right"}
    per_edge : int, optional
        Points per edge of the outline polygon in the (u, s) parameter plane (so a zone given by 3 landmarks
        still follows the curve of the face); default: enough for about 64 points in all.

    Returns
    -------
    (k, 3) float64 ndarray, mm, head frame
        The closed line (its last point is its first).
    """
    from facelayers.model.grid import rays
    from facelayers.model.outlines import outline_params

    pu, ps = outline_params(model.anatomy, zone.outline_points(), side)
    per_edge = per_edge or max(1, -(-64 // len(pu)))
    t = np.arange(per_edge) / per_edge
    u = np.concatenate([pu[i] + t * (pu[(i + 1) % len(pu)] - pu[i]) for i in range(len(pu))] + [pu[:1]])
    v = np.concatenate([ps[i] + t * (ps[(i + 1) % len(ps)] - ps[i]) for i in range(len(ps))] + [ps[:1]])
    _, d = rays(u, v)
    return model.stack_at(u, v).points[:, 0] + ZONE_LIFT_MM * d


def zone_traces(model: FaceModel, visible=False) -> list:
    """Seckel's danger zones as outlines on the skin, named ``zone:<zone_id>``, plus their numbers.

    Outlines, not filled patches: the nerves under a zone stay in view (with the skin peeled away), and no
    second translucent surface is drawn (plotly.js draws overlapping translucent meshes in the wrong order).

    Parameters
    ----------
    model : FaceModel
        Its anatomy's zones (outlines given for the left side, mirrored).
    visible : bool
        The traces' initial visibility (the view's ``zones`` switch).

    Returns
    -------
    list of go.Scatter3d
        One closed line per zone, both sides (NaN between them), :data:`ZONE_WIDTH` px, colour
        :data:`ZONE_COLOUR`, float32; hover gives its number, name, surface landmarks and the deficit if injured
        (and says so where the borders are unverified). Last, ``zone:labels``: each zone's number 6 mm above the
        skin at each side's centre, whose hover names the zone. :func:`zone_key_html` is their key.
    """
    from facelayers.model.grid import params_of, rays

    traces, centres, numbers, names = [], [], [], []
    for zid, zone in model.anatomy.zones.items():
        lines = []
        for side in ("left", "right"):
            line = zone_outline(model, zone, side)
            lines.append(line)
            # the label over the outline's centre in the (u, s) plane, lifted 6 mm above the skin
            u, s_, _ = params_of(line[:-1])
            cu, cs = np.array([u.mean()]), np.array([s_.mean()])
            _, d = rays(cu, cs)
            centres.append(model.stack_at(cu, cs).points[0, 0] + 6.0 * d[0])
            numbers.append(str(zone.number))
            names.append(zone.label)
        points = np.concatenate([lines[0], np.full((1, 3), np.nan), lines[1]]).astype(np.float32)
        note = "" if zone.verified else "<br>(as commonly reproduced; borders unverified)"
        traces.append(go.Scatter3d(
            name=f"zone:{zid}", mode="lines", **xyz(points), visible=visible, showlegend=False,
            line={"color": ZONE_COLOUR, "width": ZONE_WIDTH}, connectgaps=False,
            hovertemplate=(f"<b>Danger zone {zone.number}: {zone.label}</b><br>{zone.surface_landmarks}<br>"
                           f"if injured: {zone.deficit}{note}<extra></extra>"),
        ))
    c = np.array(centres, np.float32)
    traces.append(go.Scatter3d(name="zone:labels", mode="text", **xyz(c), text=numbers, hovertext=names,
                               hovertemplate="<b>Danger zone %{text}</b>: %{hovertext}<extra></extra>",
                               textfont={"size": 22, "color": "#ffffff"}, visible=visible, showlegend=False))
    return traces


def zone_key_html(model: FaceModel) -> str:
    """The key of Seckel's danger zones: each number (as drawn on the skin) with the nerve it guards.

    Parameters
    ----------
    model : FaceModel
        Its anatomy's zones, in Seckel's order.

    Returns
    -------
    str
        HTML (class ``fl-zone-key``): a line per zone, its number in :data:`ZONE_COLOUR`, the name, and "(borders
        unverified)" where they are; the source named once (Seckel 1994).
    """
    import html as html_module

    rows = "".join(
        f"<div><b style='color:{ZONE_COLOUR};display:inline-block;min-width:1.3em'>{zone.number}</b>"
        f"{html_module.escape(zone.label)}{'' if zone.verified else ' <i>(borders unverified)</i>'}</div>"
        for zone in sorted(model.anatomy.zones.values(), key=lambda z: z.number))
    return (f"<div class='fl-zone-key fl-note'>"
            f"<div>Danger zones (Seckel 1994), outlined in <b style='color:{ZONE_COLOUR}'>magenta</b>:</div>"
            f"{rows}</div>")


def ligament_trace(model: FaceModel, visible=False) -> go.Scatter3d:
    """Retaining ligaments as markers where they cross their layer, on both sides, named ``ligaments``.

    Parameters
    ----------
    model : FaceModel
        Its anatomy's ligaments: each is placed under its landmark (mirrored for the right side) at its layer
        and fraction of depth.
    visible : bool
        The trace's initial visibility (the view's ``ligaments`` switch).

    Returns
    -------
    go.Scatter3d
        White diamond markers, float32 coordinates; the hover names the ligament and gives the thickness of
        layer 4 it crosses there, from the deep fascia to the SMAS, mm (:mod:`facelayers.model.space`).
    """
    from facelayers.model.space import layer4

    pts, text = [], []
    l4 = layer4(model.anatomy)
    for lig in model.anatomy.ligaments.values():
        for sign in (1.0, -1.0):
            p = model.anatomy.point(lig.landmark_id) * np.array([sign, 1, 1])
            st = model.stack_under(p[None, :])
            pts.append(st.at_depth(layer_index(lig.layer), lig.fraction)[0])
            text.append(f"{lig.label}</b><br>crosses layer 4 ({float(l4.thickness_mm(st)[0]):.1f} mm) "
                        "from the deep fascia to the SMAS<b>")
    p = np.array(pts, np.float32)
    return go.Scatter3d(name="ligaments", mode="markers", **xyz(p), text=text,
                        hovertemplate="<b>%{text}</b><br>retaining ligament<extra></extra>", visible=visible,
                        marker={"size": 7, "symbol": "diamond", "color": "#FFFFFF",
                                "line": {"color": "#111111", "width": 2}}, showlegend=False)


def apply_muscle_cut(fig, model: FaceModel, state: ViewState) -> None:
    """Re-send the muscles' geometry for a new cutaway (a geometry change).

    Parameters
    ----------
    fig : go.Figure or go.FigureWidget
        Every ``muscle:*`` trace gets new ``x, y, z, i, j, k`` in place (:func:`muscle_geometry`).
    model : FaceModel
    state : ViewState
        Its cutaway (:func:`facelayers.render.face.cut_of`).

    Raises
    ------
    KeyError
        If a ``muscle:*`` trace names a muscle the model's anatomy does not have.
    """
    cut = cut_of(state)
    for trace in fig.data:
        if (trace.name or "").startswith("muscle:"):
            v, f = muscle_geometry(model, model.anatomy.muscles[trace.name[7:]], cut)
            trace.update(**xyz(v), **ijk(f))


def apply_highlight(fig, model: FaceModel, pick: str | None) -> None:
    """Make the picked nerve, branch group or muscle glow and dim the rest.

    Style only: the line colour and opacity of the nerves and the colour of the muscles change, and only
    where they differ, so a pick stays small on the widget comm. A muscle also highlights the nerves of its
    branch. With no pick, every nerve is drawn in its kind's colour at full opacity.

    Parameters
    ----------
    fig : go.Figure or go.FigureWidget
        Changed in place: ``nerve:*`` traces turn :data:`HIGHLIGHT` (picked) or dim to :data:`DIM_OPACITY`;
        ``muscle:*`` traces turn :data:`HIGHLIGHT` (picked) or :data:`MUSCLE_COLOUR`.
    model : FaceModel
    pick : str or None
        ``"nerve:<id>"``, ``"group:<group>"``, ``"muscle:<id>"`` or None.

    Raises
    ------
    ValueError
        If ``pick`` has another form, or names an unknown muscle.
    KeyError
        If a ``nerve:*`` trace names a nerve the model's anatomy does not have.
    """
    groups, nerves, muscles = set(), set(), set()
    if pick:
        kind, _, name = pick.partition(":")
        if kind == "nerve":
            nerves.add(name)
        elif kind == "group":
            groups.add(name)
        elif kind == "muscle":
            muscles.add(name)
            groups.add(model.anatomy.muscle(name).nerve_group)
        else:
            raise ValueError(f"pick {pick!r}: allowed 'nerve:<id>', 'group:<group>', 'muscle:<id>' or None")
    for trace in fig.data:
        name = trace.name or ""
        if name.startswith("nerve:"):
            nid = name[6:]
            nerve = model.anatomy.nerves[nid]
            on = nid in nerves or nerve.group in groups
            colour = HIGHLIGHT if on else NERVE_COLOURS.get(nerve.kind, "#ffffff")
            opacity = 1.0 if (on or not pick) else DIM_OPACITY
            if trace.line.color != colour:
                trace.line.color = colour
            if trace.opacity != opacity and not (trace.opacity is None and opacity == 1.0):
                trace.opacity = opacity
        elif name.startswith("muscle:"):
            colour = HIGHLIGHT if name[7:] in muscles else MUSCLE_COLOUR
            if trace.color != colour:
                trace.color = colour


def depth_profile_figure(model: FaceModel, path, *, height: int = 460) -> go.Figure:
    """A nerve's depth below the skin along its length, drawn over the layer bands at each point.

    Where it becomes superficial shows at a glance; the landmarks it passes are marked.

    Parameters
    ----------
    model : FaceModel
    path : facelayers.model.nerves.NervePath
        One side of one nerve: its ``distance_mm`` (k,), ``depth_mm`` (k,) and ``interfaces_mm`` (k, 6), mm.
    height : int
        Figure height, px.

    Returns
    -------
    go.Figure
        2D traces ``band:<surface>`` (six, :func:`facelayers.render.face.layer_bands`), ``profile:nerve``
        (the nerve's depth, hover gives distance and depth in mm) and ``profile:waypoints`` (markers with the
        landmark names). x axis: distance along the nerve, mm; y axis: depth below the skin, mm, reversed, the
        nerve's and the layers' measured perpendicular to the skin (:attr:`NervePath.interfaces_mm
        <facelayers.model.nerves.NervePath.interfaces_mm>`). The
        title gives the nerve, side, its shallowest depth (mm) and the layer it is in there; the colour key
        is on the right; no legend.
    """
    labels = surface_labels(model)
    x = path.distance_mm
    depth = path.interfaces_mm
    traces = layer_bands(x, depth)
    traces.append(go.Scatter(name="profile:nerve", x=x.astype(np.float32), y=path.depth_mm.astype(np.float32),
                             mode="lines", line={"color": HIGHLIGHT, "width": 5}, showlegend=False,
                             hovertemplate="%{x:.0f} mm along: %{y:.1f} mm deep<extra></extra>"))
    wx = x[path.waypoint_at]
    wy = path.depth_mm[path.waypoint_at]
    names = [n.replace("_", " ") if n else "" for n in path.waypoint_names]
    # the labels at the ends run inward, and none is clipped at the plot's edge (cut at 1366 px before)
    positions = ["top center"] * len(names)
    if len(names) > 1:
        positions[0] = "top right" if wx[0] <= wx[-1] else "top left"
        positions[-1] = "top left" if wx[0] <= wx[-1] else "top right"
    traces.append(go.Scatter(name="profile:waypoints", x=wx, y=wy, mode="markers+text", text=names,
                             textposition=positions, cliponaxis=False, textfont={"size": 14, "color": TEXT},
                             marker={"size": 10, "color": "#ffffff", "line": {"color": "#000", "width": 1}},
                             showlegend=False, hoverinfo="skip"))
    d, at, layer = path.shallowest()
    fig = go.Figure(traces)
    fig.update_layout(
        template="none", height=height, paper_bgcolor=BACKGROUND, plot_bgcolor=BACKGROUND, font=FONT,
        title={"text": f"{path.label} ({path.side}): shallowest {d:.1f} mm, in the {labels[layer]}",
               "x": 0.02, "font": {"size": 20}},
        margin={"l": 80, "r": 260, "t": 70, "b": 90}, showlegend=False,
        xaxis={"title": {"text": "distance along the nerve (mm)"}, "gridcolor": "#333a44", "zeroline": False},
        yaxis={"title": {"text": "depth below the skin (mm)"}, "autorange": "reversed", "gridcolor": "#333a44",
               "zeroline": False, "range": [float(depth[:, -1].max()) + 4, -4]},
        annotations=_spaced_key(colour_key(labels, x=1.02, y=0.95), height),
    )
    return fig


def _spaced_key(key: list[dict], height: int, row_px: float = 26.0, top: float = 0.95) -> list[dict]:
    """The colour key's rows ``row_px`` apart whatever the figure's height (at 0.05 of a 310 px plot they touched).

    Parameters
    ----------
    key : list of dict
        Plotly annotations in paper coordinates, one per row (:func:`facelayers.render.face.colour_key`).
    height : int, px
        The figure's height (its plot is 150 px less: the margins).
    row_px, top : float
        Row spacing, px; the first row's paper y.

    Returns
    -------
    list of dict
        The same annotations, top-anchored, 17 px type, evenly spaced.
    """
    step = row_px / max(height - 150, 100)
    return [{**a, "y": top - k * step, "yanchor": "top", "font": {**a.get("font", {}), "size": 17}}
            for k, a in enumerate(key)]


