"""Plotly figures of the layered face from the model and a view state. Pure: state in, ``go.Figure`` out.

The layers, region labels and the section line; the 2D cross-section. The updates of an existing figure
(FigureWidget) that change only what changed are in :mod:`facelayers.render.updates`. The nerves, muscles and
zones are drawn by :mod:`facelayers.render.structures`, the techniques and the endoscope by
:mod:`facelayers.render.techniques`, the skull by :mod:`facelayers.render.skull`.
Trace names are stable ids: ``layer:skin`` ... ``layer:bone``, ``labels:regions``, ``section:line``; the 2D
cross-section uses ``band:<layer>``.

Styling for projection: a dark stage, a colour-blind-safe palette (Okabe & Ito 2008 for fat, SMAS, muscle and
periosteum; a skin tone and ivory for skin and bone), 18-24 px type, opaque meshes (plotly draws overlapping
translucent meshes in the wrong order, so the model never relies on transparency).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from facelayers.core.frame import INTERFACES, LAYERS, PLOT_X_SIGN
from facelayers.model import injury
from facelayers.model.cutaway import Cut, layer_mesh, window
from facelayers.model.geometry import FaceModel, ear_meshes
from facelayers.model.section import Section, section
from facelayers.render.section_labels import layer4_key_text, place_region_labels, region_annotations
from facelayers.teaching.state import CAMERAS, ViewState

#: Colour per surface. Okabe-Ito (colour-blind safe) for the four inner layers; skin tone and ivory.
PALETTE: dict[str, str] = {
    "skin": "#E9B99A",
    "fat": "#F0E442",
    "smas": "#56B4E9",
    "muscle": "#D55E00",
    "periosteum": "#009E73",
    "bone": "#F3EEDF",
}
#: Layer 4 (the loose areolar plane and its spaces, the outer part of the muscle band; facelayers.model.space): Okabe-Ito
#: reddish purple, apart from the five layers' colours.
LAYER4_COLOUR = "#CC79A7"
#: The lips' vermilion (schematic: a muted red that reads against the skin tone on a projector).
VERMILION = "#B56D66"
BACKGROUND = "#15191f"
TEXT = "#f2f2f2"
FONT = {"family": "Inter, Helvetica Neue, Arial, sans-serif", "size": 18, "color": TEXT}

LIGHTING = {"ambient": 0.38, "diffuse": 0.85, "specular": 0.18, "roughness": 0.55, "fresnel": 0.1}
LIGHT_POSITION = {"x": -400, "y": 1200, "z": 700}


def surface_labels(model: FaceModel) -> dict[str, str]:
    """Display name of each surface, from data/layers.csv plus bone.

    Parameters
    ----------
    model : FaceModel
        Its anatomy's layer table gives the labels.

    Returns
    -------
    dict of str -> str
        One entry per surface of :data:`facelayers.core.frame.INTERFACES` (``skin`` ... ``bone``); a surface
        without a row (bone) gets its id capitalised.
    """
    labels = {layer.layer_id: layer.label for layer in model.anatomy.layers.values()}
    return {name: labels.get(name, name.capitalize()) for name in INTERFACES}


def cut_of(state: ViewState) -> Cut | None:
    """The cutaway a view state asks for, or None.

    Parameters
    ----------
    state : ViewState
        Its ``cutaway`` (window id, or None) and ``layers_cut`` (how many layers are removed).

    Returns
    -------
    facelayers.model.cutaway.Cut or None
        None when ``state.cutaway`` is None or empty.
    """
    return Cut(window(state.cutaway), state.layers_cut) if state.cutaway else None


def layer_trace(model: FaceModel, name: str, cut: Cut | None, visible: bool, label: str,
                hole: np.ndarray | None = None) -> go.Mesh3d:
    """One surface as a Mesh3d named ``layer:<name>`` (skin includes the ears).

    Parameters
    ----------
    model : FaceModel
    name : str
        A surface of :data:`facelayers.core.frame.INTERFACES` (``skin`` ... ``bone``).
    cut : facelayers.model.cutaway.Cut or None
        The cutaway window and depth (:func:`cut_of`), or None for the whole surface.
    visible : bool
        The trace's initial visibility.
    label : str
        Display name in the hover (:func:`surface_labels`).
    hole : ndarray or None
        The surface's hole field under a raised flap (:func:`facelayers.model.flap.holes`), which removes it
        there (see :func:`facelayers.model.cutaway.layer_mesh`).

    Returns
    -------
    go.Mesh3d
        Head-frame vertices in mm drawn with x negated (:func:`xyz`), faces as uint16/uint32 ``i, j, k``
        (:func:`ijk`), legend group ``name``, colour :data:`PALETTE` ``[name]``. Hover numbers as
        :func:`layer_hover`: ``intensity`` = the layer's thickness (mm, not for bone), ``customdata`` = depth of
        its outer face below the skin (mm, not for skin); the ears carry the skin's median thickness and depth 0.
    """
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


def eyes_trace(model: FaceModel | None = None, visible: bool = True, name: str = "eyes", coords=None,
               skin_points: np.ndarray | None = None) -> go.Mesh3d:
    """The globes, the lids' margins and lashes, the brows and the lips' vermilion as one Mesh3d, named ``eyes``.

    Shown and hidden with the skin: the details drawn with the skin that are not plain skin.

    Sclera, iris and pupil (:func:`facelayers.model.eyes.eye_meshes`), coloured by the distance from the gaze axis
    on a stepped scale (a crisp limbus and pupil at any zoom); with a model, the lids' margins and the lashes
    (:func:`facelayers.model.lids.lid_meshes`: the fissure drawn finer than the skin's grid), the brows
    (:func:`facelayers.model.brows.brow_meshes`), the vermilion (:func:`facelayers.model.lips.vermilion_patch`) and
    the line between the lips (:func:`facelayers.model.lips.lip_line`), each following the skin's vertices, each in
    its own band of the colour scale (:data:`EYES_BANDS`).

    Parameters
    ----------
    model : FaceModel, optional
        Whose landmark correction the globes follow (so they stay under its lids), and whose skin the lids,
        brows and vermilion lie on.
    visible : bool
    name : str
        The trace's name.
    coords : callable, optional
        (v, 3) mm points to the trace's ``x``, ``y``, ``z`` (default :func:`xyz`; a side-by-side panel shifts them).
    skin_points : (n, 3) float ndarray, mm, optional
        The skin's vertices as drawn (moved by an expression), which the lids, brows and vermilion follow; default
        the model's. The globes do not move (the lids close over them).

    Returns
    -------
    go.Mesh3d
        Vertices in the order globes, lids, brows, vermilion, lip line (fixed for a model, so an expression re-sends only
        x, y, z); ``intensity`` float32 picks the colour: the globes' radial distance (mm, under
        ``EYES_BANDS["globe"]``), then one value per part.
    """
    from facelayers.model.brows import HAIR, HAIR_EDGE, brow_meshes
    from facelayers.model.eyes import IRIS, IRIS_RADIUS_MM, PUPIL, PUPIL_RADIUS_MM, SCLERA, eye_meshes
    from facelayers.model.face_measures import globe_meshes
    from facelayers.model.lids import CREASE, LASH, MARGIN, lid_meshes
    from facelayers.model.lips import lip_line, vermilion_patch, vermilion_shade

    b = EYES_BANDS
    verts, faces, value = [], [], []

    def add(v, f, val):
        faces.append(np.asarray(f) + sum(len(x) for x in verts))
        verts.append(np.asarray(v, np.float32))
        value.append(np.asarray(val, np.float32))

    for v, f, r in (eye_meshes() if model is None else globe_meshes(model)):
        add(v, f, np.clip(r, 0, b["globe"] - 0.5))
    if model is not None:
        v, f, part = lid_meshes(model, skin_points)
        add(v, f, np.select([part == MARGIN, part == LASH, part == CREASE], [b["margin"], b["lash"], b["crease"]],
                            b["lid"]))
        v, f, shade = brow_meshes(model, skin_points)
        add(v, f, b["brow"] + 2.0 * shade)
        v, f = vermilion_patch(model, skin_points)
        # shaded toward the lip line's colour at the corners and where the lips turn in (no extra arrays sent)
        add(v, f, b["vermilion"] + VERMILION_SHADE * (b["lip_line"] - b["vermilion"]) * vermilion_shade(model))
        v, f = lip_line(model, skin_points)
        add(v, f, np.full(len(v), b["lip_line"]))
    coords = xyz if coords is None else coords
    top = b["brow"] + 2.0

    def at(x):
        return x / top

    e = 0.004
    scale = [[0.0, PUPIL], [at(PUPIL_RADIUS_MM), PUPIL], [at(PUPIL_RADIUS_MM) + e, IRIS], [at(IRIS_RADIUS_MM), IRIS],
             [at(IRIS_RADIUS_MM) + e, SCLERA], [at(b["globe"]), SCLERA]]
    # one stop per part (every vertex of a part carries its band's value; at most 16 stops, or the notebook's comm
    # would send the scale as a list of numbers)
    for key, colour in (("vermilion", VERMILION), ("lip_line", LIP_LINE), ("lid", PALETTE["skin"]), ("crease", CREASE_COLOUR),
                        ("margin", LID_MARGIN), ("lash", LASH_COLOUR)):
        scale.append([at(b[key]), colour])
    scale += [[at(b["brow"]) + e, HAIR_EDGE], [1.0, HAIR]]
    return go.Mesh3d(name=name, legendgroup="skin", showlegend=False, visible=visible,
                     **coords(np.concatenate(verts)), **ijk(np.concatenate(faces)),
                     intensity=np.concatenate(value).astype(np.float32), cmin=0.0, cmax=top,
                     colorscale=scale, showscale=False, flatshading=False, hoverinfo="skip",
                     lighting=LIGHTING, lightposition=LIGHT_POSITION)


def eyes_skin_anchors(model: FaceModel) -> np.ndarray:
    """For each vertex of :func:`eyes_trace` (in its order), the skin vertex it follows most: (v,) int64.

    -1 for the globes, which do not move;
    the lids, lashes and crease (:func:`facelayers.model.lids.lid_anchors`), the brows
    (:func:`facelayers.model.brows.brow_anchors`), the vermilion (the nearer of the two skin vertices it blends) and
    the lip line (:func:`facelayers.model.lips.lip_line_anchors`).
    A page that moves the skin by vertex (the offline course) moves them with it.
    """
    from facelayers.model.brows import brow_anchors
    from facelayers.model.face_measures import globe_meshes
    from facelayers.model.lids import lid_anchors
    from facelayers.model.lips import lip_line_anchors, vermilion_anchors

    globes = sum(len(v) for v, _, _ in globe_meshes(model))
    return np.concatenate([np.full(globes, -1, np.int64), lid_anchors(model), brow_anchors(model),
                           vermilion_anchors(model), lip_line_anchors(model)])


#: The eyes trace's colour-scale bands (intensity values): the globes below ``globe`` (their radial distance, mm),
#: then one value per part (the brow from ``brow`` to ``brow`` + 2 by its hair density).
EYES_BANDS = {"globe": 12.0, "vermilion": 13.0, "lip_line": 13.7, "lid": 14.5, "crease": 16.0, "margin": 17.5, "lash": 19.0,
              "brow": 20.0}
#: The upper lid crease's shadow (the skin tone darkened), the lids' intermarginal strip (a little pinker than the
#: skin) and the lashes (sRGB hex; schematic).
CREASE_COLOUR = "#B98468"
LID_MARGIN = "#CF9587"
LASH_COLOUR = "#1C1512"
#: The line between the closed lips (the oral fissure's shadow; sRGB hex; schematic).
LIP_LINE = "#7A3A3A"
#: How far the vermilion's shaded parts (:func:`facelayers.model.lips.vermilion_shade`) go from the vermilion's
#: colour toward the lip line's (0 to 1; schematic: the corners in shadow, not a second line).
VERMILION_SHADE = 0.75


def layer4_trace(model: FaceModel, cut: Cut | None, visible: bool, hole: np.ndarray | None = None) -> go.Mesh3d:
    """Layer 4's band in the cut wall of the muscle layer, named ``space:layer4``.

    Parameters
    ----------
    model : FaceModel
    cut : facelayers.model.cutaway.Cut or None
        The cutaway (:func:`cut_of`); the band is the wall it leaves (:func:`facelayers.model.cutaway.layer4_wall`).
    visible : bool
        The trace's initial visibility (it follows the muscle layer's).
    hole : ndarray or None
        The muscle layer's hole field under a raised flap (:func:`facelayers.model.flap.holes`).

    Returns
    -------
    go.Mesh3d
        Legend group ``muscle``, colour :data:`LAYER4_COLOUR`. ``text`` names the space of each vertex;
        ``customdata`` is (n, 2) float32: layer 4's thickness and its roof's depth below the skin, mm. Empty
        (plain empty lists) where the muscle layer is not cut.
    """
    from facelayers.model.cutaway import layer4_wall

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
    """A layer's per-vertex hover numbers as flat float32 arrays.

    The notebook's FigureWidget sends flat arrays as binary buffers (an (n, 2) ``customdata`` goes as nested
    JSON lists, four times the bytes).

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
    """Region names at their anchors on the skin (left side and midline), named ``labels:regions``.

    Parameters
    ----------
    model : FaceModel
        Its thickness field's anchors and the anatomy's regions and thickness table.
    visible : bool or "legendonly"
        The trace's initial visibility.

    Returns
    -------
    go.Scatter3d
        One marker per left-side or midline anchor, placed on the skin and pushed 4 mm outward from the
        origin (float32 mm, head frame, x plotted negated); each region's name is written once. Hover lists each
        layer's thickness there (mm) with its source (author and year) or ``schematic``.
    """
    anatomy = model.anatomy
    field = model.thickness_field
    keep = [i for i, n in enumerate(field.anchor_names) if not n.endswith(":right")]
    pts = model.stack_under(np.array([anatomy.point(field.anchor_names[i]) for i in keep])).points[:, 0]
    pts = pts + 4.0 * (pts - np.array([0.0, 0.0, 0.0])) / np.linalg.norm(pts, axis=1, keepdims=True)
    pts = pts.astype(np.float32)  # as every other trace's coordinates (float64 would double their bytes)
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
    """The cross-section's cut drawn on the skin, named ``section:line``.

    Parameters
    ----------
    sec : facelayers.model.section.Section
        Its ``skin_points`` (n, 3), mm, head frame.
    visible : bool or "legendonly"
        The trace's initial visibility.

    Returns
    -------
    go.Scatter3d
        A white line through the points lifted 1.5 mm outward from the origin so it stays visible; float32
        coordinates, x plotted negated; no hover.
    """
    p = sec.skin_points * 1.0
    p = p + 1.5 * p / np.maximum(np.linalg.norm(p, axis=1, keepdims=True), 1e-9)
    return go.Scatter3d(name="section:line", showlegend=False, visible=visible, mode="lines",
                        **xyz(p.astype(np.float32)), line={"color": "#ffffff", "width": 6},
                        hoverinfo="skip")


def xyz(points: np.ndarray) -> dict:
    """Trace coordinates for points in the head frame.

    The head frame (x to the subject's left, y anterior, z up) is left-handed; plotly's scene is right-handed,
    so drawn as they are the points would show the face's mirror image. The figures therefore plot x negated
    (the scene's +x is the subject's right): the subject's left appears on the viewer's right from the front.

    Parameters
    ----------
    points : (n, 3) float ndarray, mm, head frame

    Returns
    -------
    dict
        ``x`` (= :data:`~facelayers.core.frame.PLOT_X_SIGN` times column 0), ``y``, ``z``: (n,) arrays of the
        points' dtype, mm.
    """
    return {"x": PLOT_X_SIGN * points[:, 0], "y": points[:, 1], "z": points[:, 2]}


def ijk(faces: np.ndarray) -> dict:
    """Mesh3d's i, j, k for triangles, wound for the plotted (x-negated) frame.

    Negating x (see :func:`xyz`) turns every triangle's winding inside out, so j and k are swapped to keep the
    normals, and the lighting, outward.

    Parameters
    ----------
    faces : (m, 3) int array-like
        Vertex indices of each triangle.

    Returns
    -------
    dict
        ``i``, ``j``, ``k``: (m,) contiguous arrays, uint16 when every index is below 65,536 (every surface
        here), else uint32: half the bytes of int32 over the notebook's comm and in files, drawn alike by
        plotly.js.
    """
    faces = np.asarray(faces)
    dtype = np.uint16 if faces.size == 0 or int(faces.max()) < 2**16 else np.uint32
    cols = np.ascontiguousarray(faces.T, dtype=dtype).reshape(3, -1)
    return {"i": cols[0], "j": cols[2], "k": cols[1]}


def scene_layout() -> dict:
    """The 3D scene of every figure: hidden axes, true proportions, dark background, orbit drag.

    Returns
    -------
    dict
        A plotly ``layout.scene`` (without a camera): axes invisible and without spikes, ``aspectmode="data"``
        (a millimetre is as long on every axis), ``bgcolor`` :data:`BACKGROUND`, ``dragmode="orbit"``.
    """
    axis = {"visible": False, "showspikes": False}
    return {"xaxis": axis, "yaxis": axis, "zaxis": axis, "aspectmode": "data", "bgcolor": BACKGROUND,
            "dragmode": "orbit"}


def wrap_title(text: str, width: int = 52) -> str:
    """A figure title broken into lines of at most ``width`` characters with ``<br>``.

    Plotly does not wrap titles: a long one runs off a narrow figure.

    Parameters
    ----------
    text : str
        The title; an empty one is returned as it is.
    width : int
        The longest line, characters.

    Returns
    -------
    str
    """
    import textwrap

    return "<br>".join(textwrap.wrap(text, width)) if text else text


def face_figure(model: FaceModel, state: ViewState | None = None, *, height: int | None = 760,
                title: str | None = "The five layers of the face", key: bool = True) -> go.Figure:
    """The 3D layer explorer figure for a view state.

    Parameters
    ----------
    model : FaceModel
    state : ViewState, optional
        What to show (default: ``ViewState()``): the layers shown and peeled, the cutaway, the section and the
        camera preset.
    height : int or None
        Figure height, px. None: no height in the layout (the page's CSS sizes the plot; see
        facelayers.widgets.controls.STAGE_CSS).
    title : str or None
        The title (may hold ``<br>``, see :func:`wrap_title`); None for none.
    key : bool
        Draw the colour key in the corner (the layer explorer shows its own swatches instead).

    Returns
    -------
    go.Figure
        Traces ``layer:<surface>`` (six, :func:`layer_trace`), ``labels:regions`` and ``section:line`` (both
        ``"legendonly"``, i.e. hidden), ``space:layer4`` (:func:`layer4_trace`), ``eyes`` (the globes, shown
        with the skin: :func:`eyes_trace`), ``skull`` (the drawn skull, shown instead of ``layer:bone`` when the
        bone is bare; an empty placeholder otherwise: :mod:`facelayers.render.skull_stage`). The layout holds the scene
        (:func:`scene_layout`), the state's camera, the colour key as annotations when ``key``, no legend, and
        ``uirevision="facelayers"`` so a user's rotation survives updates.
    """
    from facelayers.render.skull_stage import bone_bare, stage_skull_trace  # (imports this module)

    state = state if state is not None else ViewState()
    labels = surface_labels(model)
    cut = cut_of(state)
    # the bone bare: the drawn skull instead of the floor (facelayers.render.skull_stage)
    traces = [layer_trace(model, name, cut, state.shown(name) and not (name == "bone" and bone_bare(state)),
                          labels[name]) for name in INTERFACES]
    traces.append(region_labels_trace(model, visible="legendonly"))
    traces.append(section_line_trace(section(model, state.section_kind, state.section_at), visible="legendonly"))
    traces.append(layer4_trace(model, cut, state.shown("muscle")))
    traces.append(eyes_trace(model, state.shown("skin")))
    traces.append(stage_skull_trace(model, state))
    fig = go.Figure(traces)
    fig.update_layout(
        template="none", height=height, paper_bgcolor=BACKGROUND, plot_bgcolor=BACKGROUND, font=FONT,
        margin={"l": 0, "r": 0, "t": (30 + 30 * (title.count("<br>") + 1)) if title else 8, "b": 0},
        title={"text": title, "x": 0.02, "font": {"size": 24}} if title else None,
        scene=scene_layout(), scene_camera=CAMERAS[state.camera],
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
    """The layer colours as a key in the figure's corner (plotly's legend would show the trace ids).

    Parameters
    ----------
    labels : dict of str -> str
        Display name of each surface (:func:`surface_labels`).
    x, y : float
        Paper coordinates (0-1) of the first row; each next row is 0.05 lower.

    Returns
    -------
    list of dict
        One plotly annotation per surface of :data:`~facelayers.core.frame.INTERFACES`: a square in its
        :data:`PALETTE` colour and its name.
    """
    return [{"xref": "paper", "yref": "paper", "x": x, "y": y - 0.05 * k, "xanchor": "left", "showarrow": False,
             "text": f"<span style='color:{PALETTE[name]}'>\u25A0</span> {labels[name]}", "font": {"size": 19}}
            for k, name in enumerate(INTERFACES)]


# --- the 2D cross-section ---------------------------------------------------------------------------------

#: Depth of the band drawn under the deepest interface in a section (mm): bone, or a cavity.
BONE_BAND_MM = 4.0
#: Fill of a section's band where the layers run over a cavity or off the bone: dark, so it does not read as bone.
CAVITY_COLOUR = "#4A5261"
CAVITY_HOVER = "<b>No bone here</b>: the layers run over the orbit (the globe), the nasal aperture or the neck"
#: The key's line for it, shown when the cut crosses a cavity.
CAVITY_KEY = "No bone: orbit, nose or neck"

def section_figure(model: FaceModel, sec: Section | None = None, state: ViewState | None = None, *,
                   height: int = 540) -> go.Figure:
    """The classic five-layer diagram along a cut: distance along the skin (mm) across, depth (mm) down.

    Parameters
    ----------
    model : FaceModel
    sec : facelayers.model.section.Section, optional
        The cut; default: the state's (``state.section_kind`` at ``state.section_at``).
    state : ViewState, optional
        Default ``ViewState()``; used only when ``sec`` is None.
    height : int
        Figure height, px.

    Returns
    -------
    go.Figure
        2D traces ``band:<surface>`` (six, :func:`layer_bands`, coloured as in 3D), ``band:cavity`` (where the
        layers run over a cavity or off the bone; zero height elsewhere) and, when the section has
        layer 4, ``band:layer4`` (hover names its space). The layout has no legend; annotations on the right
        give each layer's thickness (mm) at the middle of the cut, marked by a dashed vertical line, and bone's
        depth there; the regions the cut crosses (runs of at least 20 mm) are named along the top, on one or
        two rows, never overlapping (:mod:`facelayers.render.section_labels`). x axis:
        distance along the skin, 0 to the cut's length, mm; y axis: depth below the skin, mm, reversed.
    """
    state = state if state is not None else ViewState()
    sec = sec if sec is not None else section(model, state.section_kind, state.section_at)
    labels = surface_labels(model)
    x = sec.distance_mm
    depth = sec.depth_mm
    bone_floor = depth[:, -1] + BONE_BAND_MM
    traces = layer_bands(x, depth, sec.cavity)
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
        if k == len(LAYERS) and sec.cavity is not None and sec.cavity[mid] >= 0.5:
            value = "none here (a cavity)"
        notes.append({"xref": "paper", "yref": "paper", "x": 1.02, "y": 0.86 - 0.11 * k, "xanchor": "left",
                      "yanchor": "top", "showarrow": False, "font": {"size": 17},
                      "text": f"<span style='color:{PALETTE[name]}'>\u25A0</span> {labels[name]}: {value}"})
    if sec.layer4_mm is not None:
        notes.append({"xref": "paper", "yref": "paper", "x": 1.02, "y": 0.86 - 0.11 * len(INTERFACES),
                      "xanchor": "left", "yanchor": "top", "showarrow": False, "font": {"size": 17},
                      "text": f"<span style='color:{LAYER4_COLOUR}'>\u25A0</span> "
                              + layer4_key_text(float(sec.layer4_mm[mid]), sec.spaces[mid])})
    if sec.cavity is not None and float(np.max(sec.cavity)) >= 0.5:
        notes.append({"xref": "paper", "yref": "paper", "x": 1.02, "y": 0.86 - 0.11 * (len(INTERFACES) + 1.45),
                      "xanchor": "left", "yanchor": "top", "showarrow": False, "font": {"size": 17},
                      "text": f"<span style='color:{CAVITY_COLOUR}'>\u25A0</span> {CAVITY_KEY}"})
    # the regions along the top, never running together (facelayers.render.section_labels)
    placed = place_region_labels(sec.runs(), {r: v.label for r, v in model.anatomy.regions.items()}, float(x[-1]))
    regions, top_mm = region_annotations(placed, float(bone_floor.max()) + 1, height)
    notes += regions
    where = (f"horizontal cut at z = {sec.at:.0f} mm (left ear to right ear)" if sec.kind == "horizontal"
             else f"vertical cut at {sec.at:.0f}° from the midline (neck to crown)")
    fig.update_layout(
        template="none", height=height, paper_bgcolor=BACKGROUND, plot_bgcolor=BACKGROUND, font=FONT,
        title={"text": f"Cross-section: {where}", "x": 0.02, "font": {"size": 22}},
        margin={"l": 80, "r": 350, "t": 70, "b": 90}, annotations=notes, showlegend=False,
        shapes=[{"type": "line", "x0": float(x[mid]), "x1": float(x[mid]), "y0": -3, "y1": float(bone_floor.max()),
                 "line": {"color": TEXT, "width": 2, "dash": "dash"}}],
        xaxis={"title": {"text": "distance along the skin (mm)"}, "gridcolor": "#333a44", "zeroline": False,
               "range": [0, float(x[-1])]},
        yaxis={"title": {"text": "depth below the skin (mm)"}, "autorange": "reversed",
               "gridcolor": "#333a44", "zeroline": False, "range": [float(bone_floor.max()) + 1, top_mm]},
    )
    return fig


def layer_bands(x: np.ndarray, depth: np.ndarray, cavity: np.ndarray | None = None) -> list:
    """Filled bands between consecutive interface depths, plus a 4 mm band of bone (or of a cavity).

    Parameters
    ----------
    x : (n,) float ndarray, mm
        Distance along the skin of each sample.
    depth : (n, 6) float ndarray, mm
        Depth of each interface below the skin (:attr:`facelayers.model.section.Section.depth_mm`).
    cavity : (n,) float ndarray in [0, 1], optional
        :attr:`facelayers.model.section.Section.cavity`. Where it is 1 the deepest interface runs over a cavity or
        off the bone (the orbit's globe, the nasal aperture, the neck): the 4 mm band there is drawn as
        ``band:cavity`` (:data:`CAVITY_COLOUR`, hover says what it is), not as bone; between, both in proportion.

    Returns
    -------
    list of go.Scatter
        Six closed, filled polygons named ``band:<surface>`` in :data:`PALETTE` colours, float32 coordinates,
        no hover; with ``cavity``, a seventh, ``band:cavity``.
    """
    floor = depth[:, -1]
    w = np.zeros(len(x)) if cavity is None else np.clip(np.asarray(cavity, float), 0.0, 1.0)
    traces = []
    for k, name in enumerate(INTERFACES):
        top = depth[:, k]
        bottom = depth[:, k + 1] if k < len(LAYERS) else floor + BONE_BAND_MM * (1.0 - w)
        traces.append(go.Scatter(
            name=f"band:{name}", legendgroup=name, x=np.concatenate([x, x[::-1]]).astype(np.float32),
            y=np.concatenate([top, bottom[::-1]]).astype(np.float32), fill="toself", fillcolor=PALETTE[name],
            mode="lines", line={"color": "rgba(0,0,0,0.35)", "width": 1}, hoverinfo="skip", showlegend=False))
    if cavity is not None:
        traces.append(go.Scatter(
            name="band:cavity", legendgroup="bone", x=np.concatenate([x, x[::-1]]).astype(np.float32),
            y=np.concatenate([floor, (floor + BONE_BAND_MM * w)[::-1]]).astype(np.float32), fill="toself",
            fillcolor=CAVITY_COLOUR, mode="lines", line={"color": "rgba(0,0,0,0)", "width": 0}, showlegend=False,
            hoveron="fills", hoverinfo="text", text=CAVITY_HOVER))
    return traces


