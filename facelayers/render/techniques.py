"""Plotly traces of a technique: its planes' clearance, incisions, ports, the raised flap and the endoscope's view.

These are lesson 03's, added to a :func:`facelayers.render.face.face_figure`. Trace names are stable ids:
``technique:plane``, ``technique:incisions``, ``technique:ports``, ``technique:flap``, ``endoscope:shaft`` and
``endoscope:cone``; the endoscope's own figure uses ``scope:floor``, ``scope:roof``, ``scope:<nerve_id>`` and
``scope:muscle:<muscle_id>``. Coordinates are in the head frame, mm, plotted with x negated
(:func:`facelayers.render.face.xyz`).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from facelayers.core.frame import INTERFACES, LAYERS, PLOT_X_SIGN, to_plot
from facelayers.model.geometry import FaceModel, layer_index
from facelayers.model.grid import params_of, rays
from facelayers.render.face import (
    FONT,
    LIGHT_POSITION,
    LIGHTING,
    PALETTE,
    TEXT,
    ijk,
    surface_labels,
    xyz,
)
from facelayers.render.structures import MUSCLE_COLOUR, NERVE_COLOURS, join_sides
from facelayers.render.updates import set_visible, trace_index

# --- techniques, planes, incisions, ports, endoscope (lesson 03) ---------------------------------------------

CLEARANCE_SCALE = [[0.0, "#b2182b"], [0.2, "#ef8a62"], [0.4, "#fddbc7"], [0.6, "#d1e5f0"], [1.0, "#2166ac"]]
CLEARANCE_MAX_MM = 15.0
INCISION_COLOUR = "#111111"
PORT_COLOUR = "#00E5FF"


def technique_geometry(placed, paths) -> dict:
    """The arrays of one technique's traces.

    Parameters
    ----------
    placed : facelayers.model.techniques.PlacedTechnique
        Its planes, incisions and ports.
    paths : dict of (nerve_id, side) -> facelayers.model.nerves.NervePath
        The placed nerves; each plane's clearance is measured to the nerves of its own side.

    Returns
    -------
    dict
        ``plane``: a tuple of vertices (n, 3) float32 mm (all planes, drawn 0.3 mm outward of their true
        depth), faces (m, 3) int32 and clearance (n,) float32 mm, the distance from each vertex to the nearest
        nerve at the true depth, capped at :data:`CLEARANCE_MAX_MM`; empty arrays without a plane.
        ``incisions``: (k, 3) float32 mm, the incision polylines with a NaN row between two. ``ports``:
        (3p - 1, 3) float32 mm for p ports, each port's slit as its two ends, with a NaN row between two. Without
        incisions or ports, a single NaN row.
    """
    from facelayers.model.planes import clearance_map

    verts, faces, dist = [], [], []
    for plane in placed.planes:
        same_side = [p for (nid, side), p in paths.items() if side == plane.side]
        faces.append(plane.mesh.faces + sum(len(v) for v in verts))
        # Drawn 0.3 mm proud of its depth so it shows over the surface it lies on once the layers above
        # it are peeled (the clearance map is measured at the true depth).
        outward = plane.mesh.skin - plane.mesh.vertices
        outward /= np.maximum(np.linalg.norm(outward, axis=1, keepdims=True), 1e-9)
        verts.append(plane.mesh.vertices + 0.3 * outward)
        dist.append(clearance_map(plane, same_side))
    v = np.concatenate(verts) if verts else np.zeros((0, 3), np.float32)
    f = np.concatenate(faces) if faces else np.zeros((0, 3), np.int32)
    d = np.concatenate(dist) if dist else np.zeros(0)
    lines = []
    for inc in placed.incisions:
        lines += [inc.points * 1.0 + 0.0, np.full((1, 3), np.nan)]
    inc = np.concatenate(lines[:-1]) if lines else np.full((1, 3), np.nan)
    slits = []
    for port in placed.ports:
        slits += [port.ends, np.full((1, 3), np.nan)]
    ports = np.concatenate(slits[:-1]) if slits else np.full((1, 3), np.nan)
    return {"plane": (v.astype(np.float32), f.astype(np.int32), np.minimum(d, CLEARANCE_MAX_MM).astype(np.float32)),
            "incisions": inc.astype(np.float32), "ports": ports.astype(np.float32)}


def technique_traces(model: FaceModel, placed, paths) -> list:
    """The three traces whose data change with the technique.

    Parameters
    ----------
    model : FaceModel
    placed : facelayers.model.techniques.PlacedTechnique
    paths : dict of (nerve_id, side) -> facelayers.model.nerves.NervePath
        As :func:`technique_geometry`.

    Returns
    -------
    list of go.Mesh3d and go.Scatter3d
        ``technique:plane`` (the planes, ``intensity`` = clearance to the nearest nerve in mm on the layout's
        shared ``coloraxis``, see :func:`clearance_coloraxis`; hover gives the technique and the clearance),
        ``technique:incisions`` (black lines) and ``technique:ports`` (cyan slits).
    """
    geo = technique_geometry(placed, paths)
    v, f, d = geo["plane"]
    label = placed.technique.label
    plane = go.Mesh3d(
        name="technique:plane", **xyz(v), **ijk(f),
        intensity=d, coloraxis="coloraxis", flatshading=False, lighting=LIGHTING, lightposition=LIGHT_POSITION,
        hovertemplate=f"<b>{label}</b><br>plane: nearest nerve %{{intensity:.1f}} mm<extra></extra>",
        showlegend=False)
    inc = geo["incisions"]
    incisions = go.Scatter3d(name="technique:incisions", mode="lines", **xyz(inc),
                             line={"color": INCISION_COLOUR, "width": 9}, showlegend=False,
                             hovertemplate="incision<extra></extra>")
    pts = geo["ports"]
    ports = go.Scatter3d(name="technique:ports", mode="lines", **xyz(pts),
                         line={"color": PORT_COLOUR, "width": 14}, showlegend=False,
                         hovertemplate="endoscope port<extra></extra>")
    return [plane, incisions, ports]


def apply_technique(fig, model: FaceModel, placed, paths) -> None:
    """Switch technique: only the three technique traces change.

    Parameters
    ----------
    fig : go.Figure or go.FigureWidget
        Its ``technique:plane`` (geometry, intensity, hover) and ``technique:incisions`` and
        ``technique:ports`` (coordinates) are updated in place.
    model : FaceModel
    placed : facelayers.model.techniques.PlacedTechnique
    paths : dict of (nerve_id, side) -> facelayers.model.nerves.NervePath

    Raises
    ------
    KeyError
        If one of the three traces is missing from ``fig``.
    """
    fresh = technique_traces(model, placed, paths)
    for new in fresh:
        trace = fig.data[trace_index(fig, new.name)]
        if new.type == "mesh3d":
            trace.update(x=new.x, y=new.y, z=new.z, i=new.i, j=new.j, k=new.k, intensity=new.intensity,
                         hovertemplate=new.hovertemplate)
        else:
            trace.update(x=new.x, y=new.y, z=new.z)


def flap_trace(model: FaceModel, flap=None) -> go.Mesh3d:
    """``technique:flap``: the raised flap of an open technique, or an empty trace when there is none.

    Parameters
    ----------
    model : FaceModel
    flap : facelayers.model.flap.Flap or None
        The flap (:func:`facelayers.model.flap.raise_flap`); None for an empty trace styled like a flap, so
        raising one later sends only its geometry and colours.

    Returns
    -------
    go.Mesh3d
        Each triangle in its layer's :data:`~facelayers.render.face.PALETTE` colour (:func:`face_colours`):
        skin on top, the layer just above the plane on its underside, its cut edge banded by layer. Hover gives
        the lift (mm) and the layers of the underside.
    """
    colours = [PALETTE[name] for name in LAYERS]
    if flap is None:  # styled like a flap already: raising one later sends only its geometry and colours
        return go.Mesh3d(name="technique:flap", x=[], y=[], z=[], i=[], j=[], k=[], showlegend=False,
                         hoverinfo="skip", flatshading=False, lighting=LIGHTING, lightposition=LIGHT_POSITION,
                         **face_colours(np.zeros(0, np.uint8), colours))
    labels = surface_labels(model)
    under = sorted({LAYERS[k] for k in flap.face_layer[flap.part == 1]}, key=LAYERS.index)
    text = (f"<b>The flap</b>, raised {flap.lift_mm:.0f} mm at the incision<br>its underside: "
            f"{', '.join(labels[n] for n in under)}<extra></extra>")
    # Coloured per triangle through a cell intensity on a stepped scale of the layer colours, not a
    # facecolor array of strings: plotly's FigureWidget could not reconcile the browser's echo of such an
    # array (ValueErrors in _remove_overlapping_props when a flap was re-raised for another technique).
    return go.Mesh3d(name="technique:flap", **xyz(flap.vertices), **ijk(flap.faces),
                     **face_colours(flap.face_layer, colours), flatshading=False, lighting=LIGHTING,
                     lightposition=LIGHT_POSITION, hovertemplate=text, showlegend=False)


def face_colours(index: np.ndarray, colours: list[str]) -> dict:
    """Mesh3d properties that paint face ``f`` in ``colours[index[f]]``.

    A uint8 per face (``intensity`` in cell mode) and a stepped colour scale, instead of one colour string per
    face (``facecolor``, which the notebook's FigureWidget sends as a JSON list: about 11 bytes a face
    against 1).

    Parameters
    ----------
    index : (m,) int
        Each face's colour, an index into ``colours`` (fewer than 256).
    colours : list of str
        CSS colours.

    Returns
    -------
    dict
        ``intensity`` ((m,) contiguous uint8), ``intensitymode="cell"``, ``colorscale`` (two stops per colour),
        ``cmin`` = -0.5, ``cmax`` = len(colours) - 0.5, ``showscale=False``.
    """
    n = len(colours)
    scale = []
    for c, colour in enumerate(colours):  # colour c over normalised values [c / n, (c + 1) / n]
        scale += [[c / n, colour], [(c + 1) / n, colour]]
    return {"intensity": np.ascontiguousarray(index, dtype=np.uint8), "intensitymode": "cell",
            "colorscale": scale, "cmin": -0.5, "cmax": n - 0.5, "showscale": False}


def apply_flap(fig, model: FaceModel, flap, paths: dict, previous_paths: dict | None = None) -> list[str]:
    """Show (or fold back) the flap, and move the nerves it carries.

    The layers' holes are re-sent by :func:`facelayers.render.updates.apply_cutaway`.

    Parameters
    ----------
    fig : go.Figure or go.FigureWidget
        Its ``technique:flap`` trace gets the flap's geometry and colours (emptied for None; nothing is sent
        when it is empty already), and each ``nerve:<id>`` trace whose paths changed gets new coordinates.
    model : FaceModel
    flap : facelayers.model.flap.Flap or None
        The flap raised, or None to fold it back.
    paths : dict of (nerve_id, side) -> facelayers.model.nerves.NervePath
        The nerves as shown now (moved with the flap, or not).
    previous_paths : dict, optional
        The nerves as shown before; a nerve is re-sent when one of its paths is not the same object. None:
        no nerve is re-sent.

    Returns
    -------
    list of str
        The names of the nerve traces re-sent.

    Raises
    ------
    KeyError
        If ``fig`` has no ``technique:flap`` trace, or no trace for a moved nerve.
    """
    fresh = flap_trace(model, flap)
    trace = fig.data[trace_index(fig, "technique:flap")]
    if flap is None and (trace.x is None or not len(trace.x)):
        fields = {}  # nothing raised, nothing drawn: nothing to send
    else:
        fields = {"x": fresh.x, "y": fresh.y, "z": fresh.z, "i": fresh.i, "j": fresh.j, "k": fresh.k,
                  "hovertemplate": fresh.hovertemplate, "hoverinfo": fresh.hoverinfo}
        fields["intensity"] = fresh.intensity if flap is not None else []
    if fields:
        trace.update(**fields)
    moved = []
    if previous_paths is not None:
        for nid in {pid for pid, _ in paths}:
            keys = [key for key in paths if key[0] == nid]
            if all(paths[key] is previous_paths.get(key) for key in keys):
                continue
            pts = join_sides([paths[key] for key in keys])
            fig.data[trace_index(fig, f"nerve:{nid}")].update(**xyz(pts))
            moved.append(f"nerve:{nid}")
    return moved


def clearance_coloraxis() -> dict:
    """The shared colour axis of the planes' clearance.

    Returns
    -------
    dict
        A plotly ``layout.coloraxis``: :data:`CLEARANCE_SCALE` from red (0 mm, a nerve on the plane) to blue
        (:data:`CLEARANCE_MAX_MM` or more), with a colour bar titled "nearest nerve (mm)".
    """
    return {"colorscale": CLEARANCE_SCALE, "cmin": 0.0, "cmax": CLEARANCE_MAX_MM,
            "colorbar": {"title": {"text": "nearest<br>nerve (mm)", "font": {"size": 16}},
                         "tickfont": {"size": 15}, "len": 0.6, "x": 0.98}}


def endoscope_traces(scope) -> list:
    """The scope in the 3D view: ``endoscope:shaft`` (a 4 mm rod) and ``endoscope:cone`` (its field of view).

    Parameters
    ----------
    scope : facelayers.model.endoscope.ScopePose

    Returns
    -------
    list of go.Mesh3d and go.Scatter3d
        The shaft (:func:`facelayers.model.endoscope.shaft_mesh`, grey) and the view cone's lines
        (:func:`facelayers.model.endoscope.view_cone_lines`, yellow, no hover).
    """
    from facelayers.model.endoscope import shaft_mesh, view_cone_lines

    v, f = shaft_mesh(scope)
    cone = view_cone_lines(scope)
    return [go.Mesh3d(name="endoscope:shaft", **xyz(v), **ijk(f), color="#C0C7D0", flatshading=False,
                      lighting=LIGHTING, lightposition=LIGHT_POSITION, hovertemplate="endoscope<extra></extra>",
                      showlegend=False),
            go.Scatter3d(name="endoscope:cone", mode="lines", **xyz(cone), line={"color": "#FFE600", "width": 4},
                         hoverinfo="skip", showlegend=False)]


def endoscope_traces_empty() -> list:
    """Placeholders for the scope's traces when the technique has no port.

    Returns
    -------
    list of go.Mesh3d and go.Scatter3d
        ``endoscope:shaft`` and ``endoscope:cone`` with no points, for :func:`apply_endoscope` to fill.
    """
    return [go.Mesh3d(name="endoscope:shaft", x=[], y=[], z=[], i=[], j=[], k=[], showlegend=False),
            go.Scatter3d(name="endoscope:cone", mode="lines", x=[], y=[], z=[], showlegend=False)]


def apply_endoscope(fig, scope) -> None:
    """Draw the scope in an existing figure, or empty and hide it.

    Parameters
    ----------
    fig : go.Figure or go.FigureWidget
        Its ``endoscope:shaft`` and ``endoscope:cone`` traces are updated in place and shown.
    scope : facelayers.model.endoscope.ScopePose or None
        None (a technique without ports): both traces are emptied (if not empty already) and hidden.

    Raises
    ------
    KeyError
        If ``scope`` is given and ``fig`` lacks one of the two traces.
    """
    if scope is None:
        for trace in fig.data:
            if (trace.name or "").startswith("endoscope:"):
                if trace.x is not None and len(trace.x):
                    fields = {"x": [], "y": [], "z": []}
                    if trace.type == "mesh3d":
                        fields.update(i=[], j=[], k=[])
                    trace.update(**fields)
                set_visible(trace, False)
        return
    for new in endoscope_traces(scope):
        trace = fig.data[trace_index(fig, new.name)]
        if new.type == "mesh3d":
            trace.update(x=new.x, y=new.y, z=new.z, i=new.i, j=new.j, k=new.k, color=new.color,
                         lighting=new.lighting, lightposition=new.lightposition, hovertemplate=new.hovertemplate)
        else:
            trace.update(x=new.x, y=new.y, z=new.z, line=new.line)
        set_visible(trace, True)


def no_scope_figure(technique_label: str = "This technique", *, height: int = 200) -> go.Figure:
    """The endoscope view's place for a technique without ports: a short dark panel that says so.

    Parameters
    ----------
    technique_label : str
        The technique's name, as students read it.
    height : int
        Figure height, px.

    Returns
    -------
    go.Figure
        No traces; hidden axes on black, one centred annotation saying the technique is an open approach.
    """
    fig = go.Figure()
    fig.update_layout(
        template="none", height=height, paper_bgcolor="#000000", plot_bgcolor="#000000", font=FONT,
        margin={"l": 10, "r": 10, "t": 10, "b": 10}, xaxis={"visible": False}, yaxis={"visible": False},
        annotations=[{"xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5, "showarrow": False,
                      "text": f"<b>No endoscope</b>: {technique_label} is an open approach.<br>"
                              "The surgeon looks into the pocket directly: raise the flap to see it.",
                      "font": {"size": 20, "color": TEXT}}])
    return fig


def endoscope_view_figure(model: FaceModel, scope, plane, paths, *, radius_mm: float = 60.0,
                          height: int = 520) -> go.Figure:
    """What the scope sees: the optical cavity ahead of the tip, opened by the retractor, in a round field.

    The floor is the plane's surface, in the colour of the layer below it; the roof is the same surface lifted
    :data:`facelayers.model.endoscope.CAVITY_MM`, in the colour of the layer above. A nerve (or the sentinel vein)
    lying in the flap within 4 mm of the plane is drawn on the underside of the roof, where the scope sees it
    through the thin areolar tissue; one on the floor is drawn on the floor; a structure that crosses the plane
    spans the cavity. The camera stands back along the tip's line of sight at the working distance that gives
    the magnification (everything behind the lens is cropped away), and only what lies inside the scope's
    field of view is kept, so the picture is round like an endoscope's.

    Parameters
    ----------
    model : FaceModel
    scope : facelayers.model.endoscope.ScopePose
        The scope's tip, line of sight, up vector, working distance and magnification.
    plane : facelayers.model.planes.Plane
        The dissection plane the scope works in (one side).
    paths : dict of (nerve_id, side) -> facelayers.model.nerves.NervePath
        The placed nerves; only those of the plane's side are considered.
    radius_mm : float
        How far beyond the working distance the view reaches, mm.
    height : int
        Figure height, px.

    Returns
    -------
    go.Figure
        Traces ``scope:floor`` and ``scope:roof`` (the cavity's surfaces in layer colours), ``scope:<nerve_id>``
        for each nerve seen (at least two samples in view and within 4 mm of the plane) and
        ``scope:muscle:<muscle_id>`` for each muscle of the layer above the plane that is in view. The layout
        is a black scene with hidden axes, a cube of side ``2 * (radius_mm + working_distance_mm)`` about the
        tip, the camera set on the scope's line of sight, and a title with the magnification, the working
        distance (mm) and what is in view.
    """
    from facelayers.model.endoscope import CAVITY_MM, FOV_DEG

    k = layer_index(plane.layer)
    below = INTERFACES[k + 1] if plane.fraction >= 1.0 else LAYERS[k]
    above = LAYERS[k] if plane.fraction > 0.0 else (LAYERS[k - 1] if k > 0 else "skin")
    varies = getattr(plane, "varies", False)  # a plane in layer 4 (on the DTF) or one that follows the dissection
    if getattr(plane, "band", None) is not None:
        below, above = LAYERS[k], LAYERS[k - 1]  # on layer 4's floor: the deep fascia below, the TPF above
    look_at = scope.tip + scope.view * 10.0
    eye = look_at - scope.view * scope.working_distance_mm
    cos_half = np.cos(np.radians(FOV_DEG / 2 - 2))

    def in_view(points):
        rel = points - eye
        dist = np.linalg.norm(rel, axis=1)
        ahead = (points - scope.tip) @ scope.view >= -1.0
        return ahead & (dist <= radius_mm + scope.working_distance_mm) & \
            (rel @ scope.view >= cos_half * np.maximum(dist, 1e-9))

    stack = model.stack
    surface = plane.points_at(stack) if varies else stack.at_depth(np.full(model.n_vertices, k), plane.fraction)
    outward = stack.points[:, 0] - stack.points[:, -1]
    outward /= np.linalg.norm(outward, axis=1, keepdims=True)
    roof_surface = surface + CAVITY_MM * outward

    def crop(vertices):
        keep = in_view(vertices)
        f = model.faces[keep[model.faces].all(axis=1)]
        used, inv = np.unique(f, return_inverse=True)
        return vertices[used], inv.reshape(f.shape).astype(np.int32)

    fv, ff = crop(surface)
    rv, rf = crop(roof_surface)
    scope_light = {"ambient": 0.7, "diffuse": 0.5, "specular": 0.35, "roughness": 0.4}
    traces = [
        go.Mesh3d(name="scope:floor", **xyz(fv), **ijk(ff), color=PALETTE[below], flatshading=False,
                  lighting=scope_light, lightposition=LIGHT_POSITION, hoverinfo="skip", showlegend=False),
        go.Mesh3d(name="scope:roof", **xyz(rv), **ijk(rf[:, ::-1]), color=PALETTE[above], flatshading=False,
                  lighting=scope_light, lightposition=LIGHT_POSITION, hoverinfo="skip", showlegend=False),
    ]
    depth = plane.depth_coord
    for (nid, side), path in paths.items():
        if side != plane.side:
            continue
        u, s, _ = params_of(path.points)
        st = model.stack_at(u, s)
        on_plane = plane.points_at(st) if varies else st.at_depth(np.full(len(u), k), plane.fraction)
        gap = np.linalg.norm(path.points - on_plane, axis=1)  # mm between the nerve and the plane, on its ray
        _, d = rays(u, s)
        in_flap = path.depth_coord < (plane.depth_at(u, s, st) if varies else depth)
        pts = np.where(in_flap[:, None], on_plane + (CAVITY_MM - 0.6) * d, on_plane + 0.4 * d)
        seen = in_view(pts) & (gap <= 4.0)
        if seen.sum() < 2:
            continue
        pts = np.where(seen[:, None], pts, np.nan)
        nerve = model.anatomy.nerves[nid]
        traces.append(go.Scatter3d(
            name=f"scope:{nid}", mode="lines", **xyz(pts.astype(np.float32)),
            line={"color": NERVE_COLOURS.get(nerve.kind, "#ffffff"), "width": 14}, showlegend=False,
            hovertemplate=f"<b>{nerve.label}</b><br>{'in the roof (flap)' if in_flap.any() else 'on the floor'}"
                          "<extra></extra>"))
    # Muscles in the roof within reach of the scope (the corrugator at the medial brow): drawn on the roof's
    # underside, as the nerves are, in the muscle colour.
    for mid, muscle in model.anatomy.muscles.items():
        # The muscles of the layer just above the plane line the roof: the deep muscles (corrugator) over a
        # subperiosteal plane, the SMAS muscles over a plane on the deep fascia.
        if layer_index(muscle.layer) != k - 1:
            continue
        from facelayers.model.nerves import patch
        from facelayers.model.outlines import outline_params

        pu, ps = outline_params(model.anatomy, muscle.outline, plane.side)
        pt = patch(model, pu, ps, plane.layer, plane.fraction, n=24, depth=plane.points_at if varies else None)
        if len(pt.faces) == 0:
            continue
        u, s, _ = params_of(pt.vertices.astype(float))
        _, d = rays(u, s)
        verts = pt.vertices + (CAVITY_MM - 0.8) * d
        keep = in_view(verts)
        f = pt.faces[keep[pt.faces].all(axis=1)]
        if len(f) == 0:
            continue
        traces.append(go.Mesh3d(name=f"scope:muscle:{mid}", **xyz(verts), **ijk(f[:, ::-1]), color=MUSCLE_COLOUR,
                                lighting=scope_light, lightposition=LIGHT_POSITION, showlegend=False,
                                hovertemplate=f"<b>{muscle.label}</b> (in the roof)<extra></extra>"))
    span = radius_mm + scope.working_distance_mm
    lo = scope.tip - span
    hi = scope.tip + span

    def norm(p):  # figure frame -> plotly's camera coordinates, for a cube of side 2 * span
        q = to_plot(p)
        c = to_plot(scope.tip)
        return dict(zip("xyz", ((q - c) / (2 * span)).tolist()))

    up = scope.up
    names = ", ".join(t.name.split(":")[-1].replace("_", " ") for t in traces[2:]) or "nothing in view"
    fig = go.Figure(traces)
    fig.update_layout(
        template="none", height=height, paper_bgcolor="#000000", font=FONT, showlegend=False,
        margin={"l": 0, "r": 0, "t": 70, "b": 0},
        title={"text": f"Endoscope view (30° scope), {scope.magnification:.0f}× on a 50 cm screen, "
                       f"{scope.working_distance_mm:.0f} mm from the tissue<br><sub>in view: {names}</sub>",
               "x": 0.02, "font": {"size": 18}},
        scene={"xaxis": {"visible": False, "range": [-hi[0], -lo[0]]},
               "yaxis": {"visible": False, "range": [lo[1], hi[1]]},
               "zaxis": {"visible": False, "range": [lo[2], hi[2]]}, "aspectmode": "manual",
               "aspectratio": {"x": 1, "y": 1, "z": 1}, "bgcolor": "#000000",
               "camera": {"eye": norm(eye), "center": norm(look_at),
                          "up": {"x": PLOT_X_SIGN * float(up[0]), "y": float(up[1]), "z": float(up[2])}}},
    )
    return fig


