"""Plotly figures from the model and a view state. Pure: state in, ``go.Figure`` or trace updates out.

Every plotly import of the package lives here. Trace names are stable ids: ``layer:skin`` ... ``layer:bone``,
``labels:regions``, ``section:line``; the 2D cross-section uses ``band:<layer>``.

Styling for projection: a dark stage, a colour-blind-safe palette (Okabe & Ito 2008 for fat, SMAS, muscle and
periosteum; a skin tone and ivory for skin and bone), 18-24 px type, opaque meshes (plotly draws overlapping
translucent meshes in the wrong order, so the model never relies on transparency).
"""

from __future__ import annotations

import numpy as np

try:
    import plotly.graph_objects as go
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("facelayers.render needs plotly: pip install 'facelayers[lessons]'") from exc

from facelayers import injury
from facelayers.cutaway import Cut, layer_mesh, window
from facelayers.frame import INTERFACES, LAYERS
from facelayers.geometry import FaceModel, ear_meshes, layer_index, params_of, rays
from facelayers.section import Section, section
from facelayers.state import CAMERAS, ViewState

#: Colour per surface. Okabe-Ito (colour-blind safe) for the four inner layers; skin tone and ivory.
PALETTE: dict[str, str] = {
    "skin": "#E9B99A",
    "fat": "#F0E442",
    "smas": "#56B4E9",
    "muscle": "#D55E00",
    "periosteum": "#009E73",
    "bone": "#F3EEDF",
}
#: Layer 4 (the loose areolar plane and its spaces, the outer part of the muscle band; facelayers.space): Okabe-Ito
#: reddish purple, apart from the five layers' colours.
LAYER4_COLOUR = "#CC79A7"
BACKGROUND = "#15191f"
TEXT = "#f2f2f2"
FONT = {"family": "Inter, Helvetica Neue, Arial, sans-serif", "size": 18, "color": TEXT}

LIGHTING = {"ambient": 0.38, "diffuse": 0.85, "specular": 0.18, "roughness": 0.55, "fresnel": 0.1}
LIGHT_POSITION = {"x": -400, "y": 1200, "z": 700}


def surface_labels(model: FaceModel) -> dict[str, str]:
    """Display name of each surface, from data/layers.csv plus bone."""
    labels = {layer.layer_id: layer.label for layer in model.anatomy.layers.values()}
    return {name: labels.get(name, name.capitalize()) for name in INTERFACES}


def cut_of(state: ViewState) -> Cut | None:
    """The cutaway a view state asks for, or None."""
    return Cut(window(state.cutaway), state.layers_cut) if state.cutaway else None


def layer_trace(model: FaceModel, name: str, cut: Cut | None, visible: bool, label: str,
                hole: np.ndarray | None = None) -> go.Mesh3d:
    """One surface as a Mesh3d named ``layer:<name>`` (skin includes the ears); ``hole`` removes it under a
    raised flap (see :func:`facelayers.cutaway.layer_mesh`)."""
    mesh = layer_mesh(model, name, cut, hole)
    verts, faces = mesh.vertices, mesh.faces
    custom = np.stack([mesh.thickness_mm, mesh.depth_mm], axis=1)
    if name == "skin":
        for ev, ef in ear_meshes(model):
            faces = np.concatenate([faces, ef + len(verts)])
            verts = np.concatenate([verts, ev])
            # Ears carry no layers: hover reads the skin thickness beside them, at the surface.
            custom = np.concatenate([custom, np.tile([float(np.median(mesh.thickness_mm)), 0.0],
                                                     (len(ev), 1)).astype(np.float32)])
    if name == "bone":
        hover = f"<b>{label}</b><br>%{{customdata:.1f}} mm below the skin<extra></extra>"
    elif name == "skin":  # its outer face is the skin: no depth to give
        hover = f"<b>{label}</b><br>%{{intensity:.1f}} mm thick<extra></extra>"
    else:
        hover = (f"<b>{label}</b><br>%{{intensity:.1f}} mm thick<br>"
                 f"outer face %{{customdata:.1f}} mm below the skin<extra></extra>")
    return go.Mesh3d(
        name=f"layer:{name}", legendgroup=name, showlegend=False, visible=visible,
        **xyz(verts),
        **ijk(faces),
        **layer_hover(None if name == "bone" else custom[:, 0], None if name == "skin" else custom[:, 1],
                      PALETTE[name]), hovertemplate=hover,
        color=PALETTE[name], flatshading=False, lighting=LIGHTING, lightposition=LIGHT_POSITION,
        hoverlabel={"font": {"size": 18}},
    )


def eyes_trace(model: FaceModel | None = None, visible: bool = True, name: str = "eyes", coords=None) -> go.Mesh3d:
    """The exposed globes (sclera, iris, pupil; :func:`facelayers.eyes.eye_meshes`) as one Mesh3d, named ``eyes``
    in the layer figures, shown and hidden with the skin. Coloured by the distance from the gaze axis on a
    stepped scale (a crisp limbus and pupil at any zoom).

    Parameters
    ----------
    model : FaceModel, optional
        Whose landmark correction the globes follow (so they stay under its lids).
    visible : bool
    name : str
        The trace's name.
    coords : callable, optional
        (v, 3) mm points to the trace's ``x``, ``y``, ``z`` (default :func:`xyz`; a side-by-side panel shifts them).
    """
    from facelayers.eyes import IRIS, IRIS_RADIUS_MM, PUPIL, PUPIL_RADIUS_MM, SCLERA, eye_meshes
    from facelayers.face_measures import globe_meshes

    verts, faces, radial = [], [], []
    for v, f, r in (eye_meshes() if model is None else globe_meshes(model)):
        faces.append(f + sum(len(x) for x in verts))
        verts.append(v)
        radial.append(r)
    coords = xyz if coords is None else coords
    top = 12.0
    p, i = PUPIL_RADIUS_MM / top, IRIS_RADIUS_MM / top
    scale = [[0.0, PUPIL], [p, PUPIL], [p + 0.004, IRIS], [i, IRIS], [i + 0.004, SCLERA], [1.0, SCLERA]]
    return go.Mesh3d(name=name, legendgroup="skin", showlegend=False, visible=visible,
                     **coords(np.concatenate(verts)), **ijk(np.concatenate(faces)),
                     intensity=np.clip(np.concatenate(radial), 0, top).astype(np.float32), cmin=0.0, cmax=top,
                     colorscale=scale, showscale=False, flatshading=False, hoverinfo="skip",
                     lighting={**LIGHTING, "specular": 0.6, "roughness": 0.2}, lightposition=LIGHT_POSITION)


def layer4_trace(model: FaceModel, cut: Cut | None, visible: bool, hole: np.ndarray | None = None) -> go.Mesh3d:
    """Layer 4's band in the cut wall of the muscle layer (:func:`facelayers.cutaway.layer4_wall`), named
    ``space:layer4``; hover names the space and its thickness. Empty where the muscle layer is not cut."""
    from facelayers.cutaway import layer4_wall

    w = layer4_wall(model, cut, hole)
    if len(w.faces):
        geometry = {**xyz(w.vertices), **ijk(w.faces),
                    "customdata": np.stack([w.thickness_mm, w.depth_mm], axis=1).astype(np.float32)}
    else:  # nothing cut: plain empty lists (empty arrays make figure dicts incomparable)
        geometry = {"x": [], "y": [], "z": [], "i": [], "j": [], "k": [], "customdata": []}
    return go.Mesh3d(
        name="space:layer4", legendgroup="muscle", showlegend=False, visible=visible, **geometry,
        text=list(w.labels), color=LAYER4_COLOUR, flatshading=False,
        lighting=LIGHTING, lightposition=LIGHT_POSITION, hoverlabel={"font": {"size": 18}},
        hovertemplate="<b>Layer 4: %{text}</b><br>%{customdata[0]:.1f} mm thick<br>"
                      "roof %{customdata[1]:.1f} mm below the skin<extra></extra>")


def layer_hover(thickness_mm: np.ndarray | None, depth_mm: np.ndarray | None, colour: str) -> dict:
    """A layer's per-vertex hover numbers as flat float32 arrays, which the notebook's FigureWidget sends as
    binary buffers (an (n, 2) ``customdata`` goes as nested JSON lists, four times the bytes).

    Parameters
    ----------
    thickness_mm : (n,) float, mm, or None
        The layer's thickness at each vertex (None for bone, which has none to give).
    depth_mm : (n,) float, mm, or None
        The depth of the layer's outer face below the skin (None for the skin itself: zero everywhere).
    colour : str
        The layer's colour.

    Returns
    -------
    dict
        Mesh3d properties: ``customdata`` = depth (``%{customdata}`` in a hover template) and ``intensity`` =
        thickness (``%{intensity}``) drawn in one colour (a two-stop ``colorscale`` of ``colour``, no colour
        bar), so the surface looks as with ``color=colour``; a property whose numbers are None is None.
    """
    out = {"customdata": None if depth_mm is None else np.ascontiguousarray(depth_mm, dtype=np.float32),
           "intensity": None, "colorscale": None, "showscale": None}
    if thickness_mm is not None:
        out.update(intensity=np.ascontiguousarray(thickness_mm, dtype=np.float32),
                   colorscale=[[0.0, colour], [1.0, colour]], showscale=False)
    return out


def region_labels_trace(model: FaceModel, visible: bool = True) -> go.Scatter3d:
    """Region names at their anchors on the skin (left side and midline), with each layer's thickness and
    its source on hover."""
    anatomy = model.anatomy
    field = model.thickness_field
    keep = [i for i, n in enumerate(field.anchor_names) if not n.endswith(":right")]
    pts = model.stack_under(np.array([anatomy.point(field.anchor_names[i]) for i in keep])).points[:, 0]
    pts = pts + 4.0 * (pts - np.array([0.0, 0.0, 0.0])) / np.linalg.norm(pts, axis=1, keepdims=True)
    text, hover = [], []
    seen = set()
    for i in keep:
        rid = field.regions[field.anchor_region[i]]
        region = anatomy.regions[rid]
        text.append(region.label if rid not in seen else "")
        seen.add(rid)
        rows = []
        for layer in LAYERS:
            t = anatomy.thickness_row(rid, layer)
            src = injury.cite(model, t.source_id) if t.status != "schematic" else "schematic"
            rows.append(f"{surface_labels(model)[layer]}: {t.thickness_mm:.2f} mm ({src})")
        hover.append(f"<b>{region.label}</b><br>" + "<br>".join(rows))
    return go.Scatter3d(
        name="labels:regions", showlegend=False, visible=visible, mode="markers+text",
        **xyz(pts), text=text, hovertext=hover, hoverinfo="text",
        textposition="top center", textfont={"size": 16, "color": TEXT},
        marker={"size": 4, "color": TEXT, "line": {"width": 0}},
    )


def section_line_trace(sec: Section, visible: bool = True) -> go.Scatter3d:
    """The cross-section's cut drawn on the skin, lifted 1.5 mm so it stays visible."""
    p = sec.skin_points * 1.0
    p = p + 1.5 * p / np.maximum(np.linalg.norm(p, axis=1, keepdims=True), 1e-9)
    return go.Scatter3d(name="section:line", showlegend=False, visible=visible, mode="lines",
                        **xyz(p.astype(np.float32)), line={"color": "#ffffff", "width": 6},
                        hoverinfo="skip")


def xyz(points: np.ndarray) -> dict:
    """Trace coordinates for points (n, 3) in the head frame.

    The head frame (x to the subject's left, y anterior, z up) is left-handed; plotly's scene is right-handed,
    so drawn as they are the points would show the face's mirror image. The figures therefore plot x negated
    (the scene's +x is the subject's right): the subject's left appears on the viewer's right from the front.
    """
    return {"x": -points[:, 0], "y": points[:, 1], "z": points[:, 2]}


def ijk(faces: np.ndarray) -> dict:
    """Mesh3d's i, j, k for faces (m, 3) int: negating x (see :func:`xyz`) turns every triangle's winding
    inside out, so j and k are swapped to keep the normals, and the lighting, outward.

    The indices are uint16 when every one is below 65,536 (every surface here), else uint32: half the bytes
    of int32 over the notebook's comm and in files, drawn alike by plotly.js. Each is a contiguous array.
    """
    faces = np.asarray(faces)
    dtype = np.uint16 if faces.size == 0 or int(faces.max()) < 2**16 else np.uint32
    cols = np.ascontiguousarray(faces.T, dtype=dtype).reshape(3, -1)
    return {"i": cols[0], "j": cols[2], "k": cols[1]}


def _scene() -> dict:
    axis = {"visible": False, "showspikes": False}
    return {"xaxis": axis, "yaxis": axis, "zaxis": axis, "aspectmode": "data", "bgcolor": BACKGROUND,
            "dragmode": "orbit"}


def wrap_title(text: str, width: int = 52) -> str:
    """A figure title broken into lines of at most ``width`` characters with ``<br>`` (plotly does not wrap
    titles: a long one runs off a narrow figure)."""
    import textwrap

    return "<br>".join(textwrap.wrap(text, width)) if text else text


def face_figure(model: FaceModel, state: ViewState | None = None, *, height: int | None = 760,
                title: str | None = "The five layers of the face", key: bool = True) -> go.Figure:
    """The 3D layer explorer figure for a view state.

    Parameters
    ----------
    model : FaceModel
    state : ViewState, optional
    height : int or None, px
        None: no height in the layout (the page's CSS sizes the plot; see facelayers.widgets.STAGE_CSS).
    title : str or None
    key : bool
        Draw the colour key in the corner (the layer explorer shows its own swatches instead).

    Returns
    -------
    go.Figure
        Traces ``layer:<surface>`` (six), ``labels:regions``, ``section:line``, ``space:layer4``, ``eyes`` (the
        globes, shown with the skin).
    """
    state = state if state is not None else ViewState()
    labels = surface_labels(model)
    cut = cut_of(state)
    traces = [layer_trace(model, name, cut, state.shown(name), labels[name]) for name in INTERFACES]
    traces.append(region_labels_trace(model, visible="legendonly"))
    traces.append(section_line_trace(section(model, state.section_kind, state.section_at), visible="legendonly"))
    traces.append(layer4_trace(model, cut, state.shown("muscle")))
    traces.append(eyes_trace(model, state.shown("skin")))
    fig = go.Figure(traces)
    fig.update_layout(
        template="none", height=height, paper_bgcolor=BACKGROUND, plot_bgcolor=BACKGROUND, font=FONT,
        margin={"l": 0, "r": 0, "t": (30 + 30 * (title.count("<br>") + 1)) if title else 8, "b": 0},
        title={"text": title, "x": 0.02, "font": {"size": 24}} if title else None,
        scene=_scene(), scene_camera=CAMERAS[state.camera],
        showlegend=False, annotations=colour_key(labels) + [_layer4_key(len(INTERFACES))] if key else [],
        hoverlabel={"font": {"size": 18}}, uirevision="facelayers",
    )
    return fig


def _layer4_key(row: int, x: float = 0.01, y: float = 0.93) -> dict:
    """Layer 4's colour in the key (it shows in the muscle layer's cut wall)."""
    return {"xref": "paper", "yref": "paper", "x": x, "y": y - 0.05 * row, "xanchor": "left", "showarrow": False,
            "text": f"<span style='color:{LAYER4_COLOUR}'>\u25A0</span> Layer 4 (loose areolar, spaces)",
            "font": {"size": 19}}


def colour_key(labels: dict[str, str], x: float = 0.01, y: float = 0.93) -> list[dict]:
    """The layer colours as a key in the figure's corner (plotly's legend would show the trace ids)."""
    return [{"xref": "paper", "yref": "paper", "x": x, "y": y - 0.05 * k, "xanchor": "left", "showarrow": False,
             "text": f"<span style='color:{PALETTE[name]}'>\u25A0</span> {labels[name]}", "font": {"size": 19}}
            for k, name in enumerate(INTERFACES)]


# --- updates for an existing figure (FigureWidget): only what changed --------------------------------------

def trace_index(fig, name: str) -> int:
    """Index of the trace called ``name``; a clear error lists the names present."""
    for i, trace in enumerate(fig.data):
        if trace.name == name:
            return i
    raise KeyError(f"no trace named {name!r}; present: {', '.join(t.name for t in fig.data)}")


def _set_visible(trace, want) -> bool:
    """Set a trace's ``visible`` only if it differs (``None`` is plotly's ``True``): nothing sent otherwise."""
    have = True if trace.visible is None else trace.visible
    if have is want or have == want:
        return False
    trace.visible = want
    return True


def apply_visibility(fig, state: ViewState) -> None:
    """Show/hide/peel: only ``visible`` properties change. The layers follow their box and the peel; a SMAS
    muscle goes with the SMAS unless it is the one picked (a picked muscle always shows); a raised flap goes
    with the skin; the nerves follow ``state.nerves``."""
    picked = state.pick[7:] if state.pick and state.pick.startswith("muscle:") else None
    for trace in fig.data:
        name = trace.name or ""
        if name.startswith("layer:"):
            _set_visible(trace, state.shown(name[6:]))
        elif name.startswith("muscle:") and (trace.meta or {}).get("layer") == "smas":
            _set_visible(trace, state.shown("smas") or name[7:] == picked)
        elif name == "space:layer4":
            _set_visible(trace, state.shown("muscle"))  # layer 4 is the outer part of the muscle band
        elif name == "eyes":
            _set_visible(trace, state.shown("skin"))  # the globes show through the lids, with the skin
        elif name == "technique:flap":
            _set_visible(trace, state.shown("skin"))  # a raised flap is skin first: peeled or hidden with it
        elif name.startswith("nerve:"):
            _set_visible(trace, bool(state.nerves))


def apply_overlays(fig, state: ViewState) -> None:
    """Seckel's danger zones (``zone:*``) and the ligaments follow ``state.zones`` / ``state.ligaments``."""
    for trace in fig.data:
        name = trace.name or ""
        if name.startswith("zone:"):
            _set_visible(trace, bool(state.zones))
        elif name == "ligaments":
            _set_visible(trace, bool(state.ligaments))


def apply_trace_visible(fig, name: str, visible) -> None:
    """Set one trace's ``visible`` (``True``, ``False`` or ``"legendonly"``) if it differs."""
    _set_visible(fig.data[trace_index(fig, name)], visible)


def apply_camera(fig, state: ViewState) -> None:
    fig.layout.scene.camera = CAMERAS[state.camera]


def apply_cutaway(fig, model: FaceModel, state: ViewState, previous: ViewState | None = None,
                  holes: dict | None = None, previous_holes: dict | None = None) -> list[str]:
    """Re-send the geometry of the layers whose cut (or hole under a raised flap) changed; return their names.

    ``holes`` maps a layer index to its hole field (:func:`facelayers.flap.holes`); ``previous_holes`` is what
    the figure shows now (the same object when the holes did not change)."""
    new_cut, old_cut = cut_of(state), (cut_of(previous) if previous is not None else None)
    holes = holes or {}
    previous_holes = holes if previous_holes is None else previous_holes
    changed = []
    labels = surface_labels(model)
    for k, name in enumerate(INTERFACES):
        r_new = new_cut.radius_mm(k) if new_cut else None
        r_old = old_cut.radius_mm(k) if old_cut else None
        same_window = (new_cut and old_cut and new_cut.window == old_cut.window)
        same_hole = holes.get(k) is previous_holes.get(k)
        if previous is not None and r_new == r_old and (r_new is None or same_window) and same_hole:
            continue
        fresh = layer_trace(model, name, new_cut, state.shown(name), labels[name], holes.get(k))
        trace = fig.data[trace_index(fig, f"layer:{name}")]
        trace.update(x=fresh.x, y=fresh.y, z=fresh.z, i=fresh.i, j=fresh.j, k=fresh.k,
                     customdata=fresh.customdata, intensity=fresh.intensity)
        changed.append(name)
        if name == "muscle" and any(t.name == "space:layer4" for t in fig.data):
            band = layer4_trace(model, new_cut, state.shown("muscle"), holes.get(k))
            fig.data[trace_index(fig, "space:layer4")].update(x=band.x, y=band.y, z=band.z, i=band.i, j=band.j,
                                                               k=band.k, customdata=band.customdata, text=band.text)
    return changed


def apply_section_line(fig, sec: Section) -> None:
    fresh = section_line_trace(sec)
    trace = fig.data[trace_index(fig, "section:line")]
    trace.update(x=fresh.x, y=fresh.y, z=fresh.z)
    if trace.visible == "legendonly":
        trace.visible = True


# --- the 2D cross-section ---------------------------------------------------------------------------------

def section_figure(model: FaceModel, sec: Section | None = None, state: ViewState | None = None, *,
                   height: int = 540) -> go.Figure:
    """The classic five-layer diagram along a cut: distance along the skin (mm) across, depth (mm) down.

    Bands are coloured as in 3D and named in the legend; the thickness of each layer at the middle of the
    cut is written on its band, and the regions the cut crosses are named along the top.
    """
    state = state if state is not None else ViewState()
    sec = sec if sec is not None else section(model, state.section_kind, state.section_at)
    labels = surface_labels(model)
    x = sec.distance_mm
    depth = sec.depth_mm
    bone_floor = depth[:, -1] + 4.0
    traces = _bands(x, depth)
    if sec.layer4_mm is not None:  # layer 4, the outer part of the muscle band, as a band of its own
        top, floor = depth[:, LAYERS.index("muscle")], sec.floor_mm
        traces.append(go.Scatter(
            name="band:layer4", legendgroup="muscle", x=np.concatenate([x, x[::-1]]).astype(np.float32),
            y=np.concatenate([top, floor[::-1]]).astype(np.float32), fill="toself", fillcolor=LAYER4_COLOUR,
            mode="lines", line={"color": "rgba(0,0,0,0.35)", "width": 1}, showlegend=False,
            text=list(sec.spaces) + list(sec.spaces[::-1]), hoveron="points+fills",
            hovertemplate="<b>Layer 4: %{text}</b><extra></extra>"))
    fig = go.Figure(traces)
    mid = len(x) // 2
    notes = [{"xref": "paper", "yref": "paper", "x": 1.02, "y": 0.97, "xanchor": "left", "showarrow": False,
              "text": "<b>At the dashed line</b>", "font": {"size": 17}}]
    for k, name in enumerate(INTERFACES):
        value = f"{sec.thickness_mm[mid, k]:.1f} mm" if k < len(LAYERS) else f"at {depth[mid, k]:.1f} mm"
        notes.append({"xref": "paper", "yref": "paper", "x": 1.02, "y": 0.86 - 0.11 * k, "xanchor": "left",
                      "showarrow": False, "font": {"size": 17},
                      "text": f"<span style='color:{PALETTE[name]}'>\u25A0</span> {labels[name]}: {value}"})
    if sec.layer4_mm is not None:
        notes.append({"xref": "paper", "yref": "paper", "x": 1.02, "y": 0.86 - 0.11 * len(INTERFACES),
                      "xanchor": "left", "showarrow": False, "font": {"size": 17},
                      "text": f"<span style='color:{LAYER4_COLOUR}'>\u25A0</span> Layer 4 (in the muscle band): "
                              f"{sec.layer4_mm[mid]:.1f} mm<br>   {sec.spaces[mid]}"})
    shown = []
    for rid, start, end in sec.runs():
        centre = (start + end) / 2
        if end - start < 25 or any(abs(centre - c) < 45 for c in shown):
            continue
        shown.append(centre)
        notes.append({"x": centre, "y": -0.6, "xref": "x", "yref": "y", "showarrow": False,
                      "text": model.anatomy.regions[rid].label, "font": {"size": 15}, "yanchor": "bottom"})
    where = (f"horizontal cut at z = {sec.at:.0f} mm (left ear to right ear)" if sec.kind == "horizontal"
             else f"vertical cut at {sec.at:.0f}° from the midline (neck to crown)")
    fig.update_layout(
        template="none", height=height, paper_bgcolor=BACKGROUND, plot_bgcolor=BACKGROUND, font=FONT,
        title={"text": f"Cross-section: {where}", "x": 0.02, "font": {"size": 22}},
        margin={"l": 80, "r": 330, "t": 70, "b": 80}, annotations=notes, showlegend=False,
        shapes=[{"type": "line", "x0": float(x[mid]), "x1": float(x[mid]), "y0": -3, "y1": float(bone_floor.max()),
                 "line": {"color": TEXT, "width": 2, "dash": "dash"}}],
        xaxis={"title": {"text": "distance along the skin (mm)"}, "gridcolor": "#333a44", "zeroline": False,
               "range": [0, float(x[-1])]},
        yaxis={"title": {"text": "depth below the skin (mm)"}, "autorange": "reversed",
               "gridcolor": "#333a44", "zeroline": False, "range": [float(bone_floor.max()) + 1, -4]},
    )
    return fig


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
    from facelayers.geometry import params_of, rays

    u, s, _ = params_of(point[None, :])
    _, d = rays(u, s)
    return model.stack_at(u, s).points[0, 0] + lift_mm * d[0]


def _join_sides(paths) -> np.ndarray:
    """Both sides' points in one array, separated by a NaN row (plotly breaks the line there)."""
    out = []
    for p in paths:
        out += [p.points, np.full((1, 3), np.nan)]
    return np.concatenate(out[:-1]).astype(np.float32)


def nerve_traces(model: FaceModel, paths: dict, highlight: str | None = None) -> list:
    """One Scatter3d line per nerve (both sides), named ``nerve:<nerve_id>``, with hover giving the name,
    branch, current layer, depth below the skin (mm) and the source."""
    labels = surface_labels(model)
    traces = []
    for nid, nerve in model.anatomy.nerves.items():
        sides = [p for (pid, _), p in paths.items() if pid == nid]
        if not sides:
            continue
        pts = _join_sides(sides)
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
    """Both sides of a muscle as its body (:func:`facelayers.muscles.build_body`: a closed mesh with thickness
    in its layer, from origin to insertion), with the cutaway applied like its layer's: (vertices (n, 3)
    float32 mm, faces (m, 3) int32).

    A superficial mimetic muscle *is* part of the SMAS, and its body fills the SMAS layer; it is drawn 0.3 mm
    outward along the rays (a display offset only: the body itself lies inside its layer) so that it shows on
    the SMAS whenever the SMAS is the layer exposed. A deep muscle is drawn where it is, under the deep fascia
    and the branches that run on it: it shows once the deep fascia is peeled or cut away.
    """
    from facelayers.cutaway import clip, window_distance
    from facelayers.muscles import bodies

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
    """Each muscle as a Mesh3d named ``muscle:<muscle_id>``, its body on both sides (see
    :func:`muscle_geometry`); hover gives its attachments, action and FACS action units, wrinkle and nerve. A
    SMAS muscle is shown with the SMAS (peeled with it)."""
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


def zone_traces(model: FaceModel, visible=False) -> list:
    """Seckel's danger zones as patches on the skin (lifted 0.6 mm), named ``zone:<zone_id>``, plus their
    numbers (``zone:labels``)."""
    from facelayers.nerves import outline_params, patch

    traces, centres, numbers = [], [], []
    for zid, zone in model.anatomy.zones.items():
        verts, faces = [], []
        for side in ("left", "right"):
            pu, ps = outline_params(model.anatomy, zone.outline_points(), side)
            pt = patch(model, pu, ps, "skin", 0.0, lift_mm=0.6)
            faces.append(pt.faces + sum(len(v) for v in verts))
            verts.append(pt.vertices)
            centres.append(_above_skin(model, pt.centre, 6.0))
            numbers.append(str(zone.number))
        v, f = np.concatenate(verts), np.concatenate(faces)
        note = "" if zone.verified else "<br>(as commonly reproduced; borders unverified)"
        traces.append(go.Mesh3d(
            name=f"zone:{zid}", **xyz(v), **ijk(f),
            color=ZONE_COLOUR, flatshading=True, visible=visible, showlegend=False,
            hovertemplate=(f"<b>Danger zone {zone.number}: {zone.label}</b><br>{zone.surface_landmarks}<br>"
                           f"if injured: {zone.deficit}{note}<extra></extra>"),
        ))
    c = np.array(centres, np.float32)
    traces.append(go.Scatter3d(name="zone:labels", mode="text", **xyz(c), text=numbers,
                               textfont={"size": 22, "color": "#ffffff"}, hoverinfo="skip", visible=visible,
                               showlegend=False))
    return traces


def ligament_trace(model: FaceModel, visible=False) -> go.Scatter3d:
    """Retaining ligaments as markers where they cross the sub-SMAS plane (both sides); the hover gives the
    thickness of layer 4 they cross there, from the deep fascia to the SMAS (facelayers.space)."""
    from facelayers.space import layer4

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
    """Re-send the muscles' geometry for a new cutaway (a geometry change)."""
    cut = cut_of(state)
    for trace in fig.data:
        if (trace.name or "").startswith("muscle:"):
            v, f = muscle_geometry(model, model.anatomy.muscles[trace.name[7:]], cut)
            trace.update(**xyz(v), **ijk(f))


def apply_highlight(fig, model: FaceModel, pick: str | None) -> None:
    """Make the picked nerve, branch group or muscle glow and dim the rest (style only: colour, width,
    opacity). A muscle also highlights the nerves of its branch. ``pick``: ``"nerve:<id>"``,
    ``"group:<group>"``, ``"muscle:<id>"`` or None."""
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
    """A nerve's depth below the skin along its length, drawn over the layer bands at each point, with the
    landmarks it passes marked: where it becomes superficial shows at a glance."""
    labels = surface_labels(model)
    x = path.distance_mm
    depth = path.interfaces_mm
    traces = _bands(x, depth)
    traces.append(go.Scatter(name="profile:nerve", x=x.astype(np.float32), y=path.depth_mm.astype(np.float32),
                             mode="lines", line={"color": HIGHLIGHT, "width": 5}, showlegend=False,
                             hovertemplate="%{x:.0f} mm along: %{y:.1f} mm deep<extra></extra>"))
    wx = x[path.waypoint_at]
    wy = path.depth_mm[path.waypoint_at]
    names = [n.replace("_", " ") if n else "" for n in path.waypoint_names]
    traces.append(go.Scatter(name="profile:waypoints", x=wx, y=wy, mode="markers+text", text=names,
                             textposition="top center", textfont={"size": 14, "color": TEXT},
                             marker={"size": 10, "color": "#ffffff", "line": {"color": "#000", "width": 1}},
                             showlegend=False, hoverinfo="skip"))
    d, at, layer = path.shallowest()
    fig = go.Figure(traces)
    fig.update_layout(
        template="none", height=height, paper_bgcolor=BACKGROUND, plot_bgcolor=BACKGROUND, font=FONT,
        title={"text": f"{path.label} ({path.side}): shallowest {d:.1f} mm, in the {labels[layer]}",
               "x": 0.02, "font": {"size": 20}},
        margin={"l": 80, "r": 260, "t": 70, "b": 80}, showlegend=False,
        xaxis={"title": {"text": "distance along the nerve (mm)"}, "gridcolor": "#333a44", "zeroline": False},
        yaxis={"title": {"text": "depth below the skin (mm)"}, "autorange": "reversed", "gridcolor": "#333a44",
               "zeroline": False, "range": [float(depth[:, -1].max()) + 4, -4]},
        annotations=colour_key(labels, x=1.02, y=0.95),
    )
    return fig


def _bands(x: np.ndarray, depth: np.ndarray) -> list:
    """Filled bands between consecutive interface depths (n, 6), plus a 4 mm band of bone, named
    ``band:<surface>``."""
    bone_floor = depth[:, -1] + 4.0
    traces = []
    for k, name in enumerate(INTERFACES):
        top = depth[:, k]
        bottom = depth[:, k + 1] if k < len(LAYERS) else bone_floor
        traces.append(go.Scatter(
            name=f"band:{name}", legendgroup=name, x=np.concatenate([x, x[::-1]]).astype(np.float32),
            y=np.concatenate([top, bottom[::-1]]).astype(np.float32), fill="toself", fillcolor=PALETTE[name],
            mode="lines", line={"color": "rgba(0,0,0,0.35)", "width": 1}, hoverinfo="skip", showlegend=False))
    return traces


# --- techniques, planes, incisions, ports, endoscope (lesson 03) ---------------------------------------------

CLEARANCE_SCALE = [[0.0, "#b2182b"], [0.2, "#ef8a62"], [0.4, "#fddbc7"], [0.6, "#d1e5f0"], [1.0, "#2166ac"]]
CLEARANCE_MAX_MM = 15.0
INCISION_COLOUR = "#111111"
PORT_COLOUR = "#00E5FF"


def technique_geometry(placed, paths) -> dict:
    """The arrays of one technique's traces: plane (vertices, faces, clearance per vertex), incisions
    (polyline points with NaN gaps), ports (slit segments with NaN gaps)."""
    from facelayers.planes import clearance_map

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
    """Three traces whose data change with the technique: ``technique:plane`` (the planes, coloured by the
    distance to the nearest nerve, one shared colour bar), ``technique:incisions``, ``technique:ports``."""
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
    """Switch technique: only the three technique traces change."""
    fresh = technique_traces(model, placed, paths)
    for new in fresh:
        trace = fig.data[trace_index(fig, new.name)]
        if new.type == "mesh3d":
            trace.update(x=new.x, y=new.y, z=new.z, i=new.i, j=new.j, k=new.k, intensity=new.intensity,
                         hovertemplate=new.hovertemplate)
        else:
            trace.update(x=new.x, y=new.y, z=new.z)


def flap_trace(model: FaceModel, flap=None) -> go.Mesh3d:
    """``technique:flap``: the raised flap of an open technique (empty when there is none): skin on top, the
    layer just above the plane on its underside, its cut edge banded by layer (:mod:`facelayers.flap`)."""
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
    """Mesh3d properties that paint face ``f`` in ``colours[index[f]]``: a uint8 per face (``intensity`` in
    cell mode) and a stepped colour scale, instead of one colour string per face (``facecolor``, which the
    notebook's FigureWidget sends as a JSON list: about 11 bytes a face against 1).

    Parameters
    ----------
    index : (m,) int
        Each face's colour, an index into ``colours`` (fewer than 256).
    colours : list of str
    """
    n = len(colours)
    scale = []
    for c, colour in enumerate(colours):  # colour c over normalised values [c / n, (c + 1) / n]
        scale += [[c / n, colour], [(c + 1) / n, colour]]
    return {"intensity": np.ascontiguousarray(index, dtype=np.uint8), "intensitymode": "cell",
            "colorscale": scale, "cmin": -0.5, "cmax": n - 0.5, "showscale": False}


def apply_flap(fig, model: FaceModel, flap, paths: dict, previous_paths: dict | None = None) -> list[str]:
    """Show (or fold back) the flap: the ``technique:flap`` trace, and the nerve traces whose points moved with
    the flap (``paths`` as shown now; ``previous_paths`` as shown before). The layers' holes are re-sent by
    :func:`apply_cutaway`. Returns the names of the nerve traces re-sent."""
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
            pts = _join_sides([paths[key] for key in keys])
            fig.data[trace_index(fig, f"nerve:{nid}")].update(**xyz(pts))
            moved.append(f"nerve:{nid}")
    return moved


def clearance_coloraxis() -> dict:
    return {"colorscale": CLEARANCE_SCALE, "cmin": 0.0, "cmax": CLEARANCE_MAX_MM,
            "colorbar": {"title": {"text": "nearest<br>nerve (mm)", "font": {"size": 16}},
                         "tickfont": {"size": 15}, "len": 0.6, "x": 0.98}}


def endoscope_traces(scope) -> list:
    """The scope in the 3D view: ``endoscope:shaft`` (a 4 mm rod) and ``endoscope:cone`` (its field of view)."""
    from facelayers.endoscope import shaft_mesh, view_cone_lines

    v, f = shaft_mesh(scope)
    cone = view_cone_lines(scope)
    return [go.Mesh3d(name="endoscope:shaft", **xyz(v), **ijk(f), color="#C0C7D0", flatshading=False,
                      lighting=LIGHTING, lightposition=LIGHT_POSITION, hovertemplate="endoscope<extra></extra>",
                      showlegend=False),
            go.Scatter3d(name="endoscope:cone", mode="lines", **xyz(cone), line={"color": "#FFE600", "width": 4},
                         hoverinfo="skip", showlegend=False)]


def endoscope_traces_empty() -> list:
    """Placeholders for the scope's traces when the technique has no port."""
    return [go.Mesh3d(name="endoscope:shaft", x=[], y=[], z=[], i=[], j=[], k=[], showlegend=False),
            go.Scatter3d(name="endoscope:cone", mode="lines", x=[], y=[], z=[], showlegend=False)]


def apply_endoscope(fig, scope) -> None:
    """Draw the scope (``endoscope:shaft`` and ``endoscope:cone``), or, with ``scope=None`` (a technique
    without ports), empty and hide both."""
    if scope is None:
        for trace in fig.data:
            if (trace.name or "").startswith("endoscope:"):
                if trace.x is not None and len(trace.x):
                    fields = {"x": [], "y": [], "z": []}
                    if trace.type == "mesh3d":
                        fields.update(i=[], j=[], k=[])
                    trace.update(**fields)
                _set_visible(trace, False)
        return
    for new in endoscope_traces(scope):
        trace = fig.data[trace_index(fig, new.name)]
        if new.type == "mesh3d":
            trace.update(x=new.x, y=new.y, z=new.z, i=new.i, j=new.j, k=new.k, color=new.color,
                         lighting=new.lighting, lightposition=new.lightposition, hovertemplate=new.hovertemplate)
        else:
            trace.update(x=new.x, y=new.y, z=new.z, line=new.line)
        _set_visible(trace, True)


def no_scope_figure(technique_label: str = "This technique", *, height: int = 200) -> go.Figure:
    """The endoscope view's place for a technique without ports: a short dark panel that says so."""
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
    :data:`facelayers.endoscope.CAVITY_MM`, in the colour of the layer above. A nerve (or the sentinel vein)
    lying in the flap within 4 mm of the plane is drawn on the underside of the roof, where the scope sees it
    through the thin areolar tissue; one on the floor is drawn on the floor; a structure that crosses the plane
    spans the cavity. The camera stands back along the tip's line of sight at the working distance that gives
    the magnification (everything behind the lens is cropped away), and only what lies inside the scope's
    field of view is kept, so the picture is round like an endoscope's.
    """
    from facelayers.endoscope import CAVITY_MM, FOV_DEG

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
        from facelayers.nerves import outline_params, patch

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
        q = np.array([-p[0], p[1], p[2]])
        c = np.array([-scope.tip[0], scope.tip[1], scope.tip[2]])
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
                          "up": {"x": -float(up[0]), "y": float(up[1]), "z": float(up[2])}}},
    )
    return fig


# ----------------------------------------------------------------------------------------------------
# The skull as its own surface (facelayers.skull)

#: Bone colour of the skull drawn alone: a little warmer and darker than the bone interface, so the
#: lighting shows the rims and fossae.
SKULL_COLOUR = "#E8DFC8"
SKULL_LIGHTING = {"ambient": 0.32, "diffuse": 0.9, "specular": 0.12, "roughness": 0.6, "fresnel": 0.1}


def skull_trace(model: FaceModel, visible: bool = True) -> go.Mesh3d:
    """The schematic skull as one Mesh3d named ``skull`` (only where it is bone: the orbits, the piriform
    aperture and the foramina are open pits, the mandible's lower border an open edge).

    Parameters
    ----------
    model : FaceModel
    visible : bool

    Returns
    -------
    go.Mesh3d
        Hover gives the total soft-tissue depth above each bone vertex along its ray, mm.
    """
    verts, faces = model.skull_mesh()
    u, s, r = params_of(verts.astype(float))
    depth = (model.skin_surface.radius(u, s) - r).astype(np.float32)
    # Plotly draws no shadows: darken the pits (orbits, aperture, foramina) by their depth, as ambient
    # occlusion would, so they read as cavities.
    shade = 1.0 - 0.62 * np.clip(model.skull_mesh_cavity / 22.0, 0.0, 1.0) ** 0.7
    base = np.array([int(SKULL_COLOUR[i:i + 2], 16) for i in (1, 3, 5)], float)
    rgb = (base[None, :] * shade[:, None]).astype(int)
    colours = [f"rgb({r},{g},{b})" for r, g, b in rgb]
    return go.Mesh3d(
        name="skull", legendgroup="bone", showlegend=False, visible=visible,
        **xyz(verts), **ijk(faces), customdata=depth, vertexcolor=colours,
        hovertemplate="<b>Bone</b><br>%{customdata:.1f} mm below the skin (along the ray)<extra></extra>",
        color=SKULL_COLOUR, flatshading=False, lighting=SKULL_LIGHTING, lightposition=LIGHT_POSITION,
        hoverlabel={"font": {"size": 18}},
    )


def skull_figure(model: FaceModel, camera: str = "front", *, height: int = 760,
                 title: str | None = "The skull the layers stand on", skin: bool = False) -> go.Figure:
    """The skull alone (or with the skin as a second, hidden-by-default trace) for a camera preset.

    Parameters
    ----------
    model : FaceModel
    camera : str
        A key of :data:`facelayers.state.CAMERAS`.
    height : int, px
    title : str or None
    skin : bool
        Also draw the skin (trace ``layer:skin``), visible.

    Returns
    -------
    go.Figure
        Traces ``skull`` (and ``layer:skin`` if asked).
    """
    if camera not in CAMERAS:
        raise ValueError(f"camera = {camera!r} is not allowed; allowed: {', '.join(CAMERAS)}")
    traces = [skull_trace(model)]
    if skin:
        traces.append(layer_trace(model, "skin", None, True, surface_labels(model)["skin"]))
    fig = go.Figure(traces)
    fig.update_layout(
        template="none", height=height, paper_bgcolor=BACKGROUND, plot_bgcolor=BACKGROUND, font=FONT,
        margin={"l": 0, "r": 0, "t": 56 if title else 8, "b": 0},
        title={"text": title, "x": 0.02, "font": {"size": 24}} if title else None,
        scene=_scene(), scene_camera=CAMERAS[camera], showlegend=False, hoverlabel={"font": {"size": 18}},
    )
    return fig
