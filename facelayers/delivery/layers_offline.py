"""Lesson 01 offline: the six layers with peel, cutaway and camera menus, and the same layers as meshes.

Every layer trace carries the vertices of all its cutaway variants at once (the uncut grid, then the new
vertices of each window's cut edge and wall), so a cutaway button holds triangle indices only
(:func:`layer_variants`); see :mod:`facelayers.delivery.export` for why the menus are independent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import plotly.graph_objects as go

from facelayers import __version__
from facelayers.core.frame import INTERFACES, PLOT_X_SIGN
from facelayers.delivery.menus import button_menu, camera_names, menu_title, short_label, typed_array
from facelayers.model.cutaway import WINDOWS, Cut, Mesh, layer_mesh, window
from facelayers.model.geometry import FaceModel, ear_meshes
from facelayers.render.face import (
    BACKGROUND,
    FONT,
    PALETTE,
    colour_key,
    eyes_trace,
    layer_hover,
    layer_trace,
    surface_labels,
)
from facelayers.render.skull import skull_trace
from facelayers.render.skull_stage import bone_bare
from facelayers.teaching.state import CAMERAS, ViewState

__all__ = ["CUTAWAY_CHOICES", "HIDDEN_AXIS", "LayerVariants", "layer_variants", "layers_meshes",
           "layers_offline_figure"]

#: The scene's axes, hidden, with nothing for plotly.js to build for them either (tick labels and titles are
#: turned into triangles even when the axis is hidden: about 0.3 s of the first frame in software WebGL).
HIDDEN_AXIS = {"visible": False, "showspikes": False, "showticklabels": False, "title": {"text": ""},
               "showgrid": False, "zeroline": False, "showline": False, "showbackground": False, "ticks": ""}

#: The cutaway menu's choices, in order: none, then every window of :data:`facelayers.model.cutaway.WINDOWS`.
CUTAWAY_CHOICES: tuple[str | None, ...] = (None, *WINDOWS)


@dataclass(frozen=True)
class LayerVariants:
    """One surface with all its cutaway variants on a shared vertex array.

    Attributes
    ----------
    name : str
        A surface of :data:`facelayers.core.frame.INTERFACES`.
    vertices : (n, 3) float32 ndarray, mm, head frame
        The uncut surface's vertices (with the ears for the skin), then each variant's new ones.
    customdata : (n, 2) float32 ndarray, mm
        Per vertex: the layer's thickness, and its depth below the skin.
    faces : dict of str or None -> (m, 3) int64 ndarray
        Per cutaway window (None: uncut), triangles indexing ``vertices``.
    """

    name: str
    vertices: np.ndarray
    customdata: np.ndarray
    faces: dict = field(default_factory=dict)

    @cached_property
    def index_dtype(self) -> np.dtype:
        """The smallest index type for ``vertices``: uint16 below 65,536 vertices, else uint32."""
        return np.dtype(np.uint16 if len(self.vertices) < 2**16 else np.uint32)


def _with_ears(model: FaceModel, name: str, mesh: Mesh, ears) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertices, faces and customdata of a layer mesh; the skin gets the ears.

    As :func:`facelayers.render.face.layer_trace` draws them (hover reads the skin's median thickness beside
    them, at the surface).
    """
    verts, faces = mesh.vertices, mesh.faces
    custom = np.stack([mesh.thickness_mm, mesh.depth_mm], axis=1).astype(np.float32)
    if name == "skin":
        for ev, ef in ears:
            faces = np.concatenate([faces, ef + len(verts)])
            verts = np.concatenate([verts, ev])
            custom = np.concatenate([custom, np.tile(np.float32([np.median(mesh.thickness_mm), 0.0]), (len(ev), 1))])
    return verts.astype(np.float32), faces.astype(np.int64), custom.astype(np.float32)


def _row_keys(vertices: np.ndarray) -> list[bytes]:
    """One hashable key per float32 vertex: its 12 bytes."""
    v = np.ascontiguousarray(vertices, dtype=np.float32)
    return v.view(np.dtype((np.void, 12))).ravel().tolist()


def layer_variants(model: FaceModel, layers_cut: int) -> list[LayerVariants]:
    """Each surface (``INTERFACES`` order) with its uncut mesh and one mesh per cutaway window.

    The meshes are :func:`facelayers.model.cutaway.layer_mesh` exactly; a variant's vertices that coincide with
    the uncut surface's (bit for bit) are shared, and its new ones (on the cut edge and the wall) appended.

    Parameters
    ----------
    model : FaceModel
    layers_cut : int
        How many layers, from the skin, every window cuts (1 to 5).

    Returns
    -------
    list of LayerVariants
        One per surface; a surface a window does not cut keeps its uncut faces for that window.
    """
    ears = ear_meshes(model)
    out = []
    for k, name in enumerate(INTERFACES):
        verts, faces, custom = _with_ears(model, name, layer_mesh(model, name, None), ears)
        lookup = dict(zip(_row_keys(verts), range(len(verts))))
        all_verts, all_custom, total = [verts], [custom], len(verts)
        variants = {None: faces}
        for wname in WINDOWS:
            cut = Cut(window(wname), layers_cut)
            if cut.radius_mm(k) is None:
                variants[wname] = faces
                continue
            cv, cf, cc = _with_ears(model, name, layer_mesh(model, name, cut), ears)
            index = np.array([lookup.get(key, -1) for key in _row_keys(cv)], dtype=np.int64)
            new = index < 0
            index[new] = total + np.arange(int(new.sum()))
            total += int(new.sum())
            all_verts.append(cv[new])
            all_custom.append(cc[new])
            variants[wname] = index[cf]
        out.append(LayerVariants(name, np.concatenate(all_verts), np.concatenate(all_custom), variants))
    return out


def layers_offline_figure(model: FaceModel, state: ViewState | None = None, surgeon_cameras: bool = False
                          ) -> go.Figure:
    """Lesson 01 for a browser without a kernel: the six layers with peel, cutaway and camera menus.

    Parameters
    ----------
    model : FaceModel
    state : ViewState, optional
        The initial view: camera, peel (and layers switched off), cutaway window and ``layers_cut``
        (every cutaway button cuts that many layers).
    surgeon_cameras : bool
        Offer the presets that look into a raised flap (the course does: its storyboard steps use them).

    Returns
    -------
    go.Figure
        Traces ``layer:skin`` ... ``layer:bone``, then ``eyes`` (the globes, shown with the skin), then ``skull``
        (the drawn skull, which the peel menu's "Bone" shows instead of ``layer:bone``:
        :mod:`facelayers.render.skull_stage`);
        ``layout.updatemenus`` named ``peel``, ``cutaway``,
        ``camera``.
    """
    state = state if state is not None else ViewState()
    labels = surface_labels(model)
    sets = layer_variants(model, state.layers_cut)
    bare = bone_bare(state)  # the bone alone: the drawn skull instead of the floor, as on the stage
    traces = []
    for ls in sets:
        # Style and hover as the lessons draw the layer; the arrays are the shared-vertex ones. A new trace,
        # not trace.update(): update keeps the old int32 dtype, and uint16 indices are half the bytes.
        shown = state.shown(ls.name) and not (bare and ls.name == "bone")
        style = layer_trace(model, ls.name, None, shown, labels[ls.name]).to_plotly_json()
        for key in ("type", "x", "y", "z", "i", "j", "k", "customdata", "intensity"):
            style.pop(key, None)
        f = np.ascontiguousarray(ls.faces[state.cutaway].T.astype(ls.index_dtype))
        v = np.ascontiguousarray(ls.vertices.T)
        hover = layer_hover(None if ls.name == "bone" else ls.customdata[:, 0],
                            None if ls.name == "skin" else ls.customdata[:, 1], PALETTE[ls.name])
        # As render.face.xyz / ijk: x times PLOT_X_SIGN (plotly's scene is right-handed), j and k swapped.
        traces.append(go.Mesh3d(x=PLOT_X_SIGN * v[0], y=v[1], z=v[2], i=f[0], j=f[2], k=f[1],
                                customdata=hover["customdata"], intensity=hover["intensity"], **style))
    n = len(traces)
    # The globes, under the lids, shown with the skin (as the lessons draw them: render.face.eyes_trace).
    traces.append(eyes_trace(model, state.shown("skin")))
    # The drawn skull (facelayers.render.skull_stage), shown by "Bone" instead of the floor. In the file from the
    # start (a page has no kernel to send it later): about 0.6 MB of arrays before the page's compression.
    traces.append(quantised_skull(skull_trace(model, visible=bare)))
    last = len(INTERFACES) - 1

    peel = [{"label": "All layers" if p == 0 else labels[INTERFACES[p]], "method": "restyle",
             "args": [{"visible": [k >= p and not (p == last and k == last) for k in range(n)] + [p == 0, p == last]},
                      list(range(n + 2))]}
            for p in range(len(INTERFACES))]
    cut_layers = [k for k, ls in enumerate(sets) if any(f is not ls.faces[None] for f in ls.faces.values())]
    cutaway = []
    for choice in CUTAWAY_CHOICES:
        args = {axis: [typed_array(sets[k].faces[choice][:, c], sets[k].index_dtype) for k in cut_layers]
                for c, axis in zip((0, 2, 1), "ijk")}
        label = "None" if choice is None else short_label(WINDOWS[choice].label)
        cutaway.append({"label": label, "method": "restyle", "args": [args, cut_layers]})
    names = camera_names(state, surgeon_cameras)
    cameras = [{"label": name.capitalize(), "method": "relayout", "args": [{"scene.camera": CAMERAS[name]}]}
               for name in names]

    menus = [
        button_menu(peel, state.peel, name="peel", direction="down", x=0.006, xanchor="left", y=0.87, yanchor="top"),
        button_menu(cutaway, CUTAWAY_CHOICES.index(state.cutaway), name="cutaway", direction="down",
              x=0.006, xanchor="left", y=0.44, yanchor="top"),
        button_menu(cameras, names.index(state.camera), name="camera", direction="right",
              x=0.5, xanchor="center", y=0.012, yanchor="bottom"),
    ]
    key = colour_key(labels, x=0.995, y=0.87)
    for note in key:
        note.update(xanchor="right", yanchor="top", font={"size": 18})
    notes = [
        menu_title("Peel down to", 0.006, 0.875, "menu:peel"),
        menu_title("Cutaway (left side)", 0.006, 0.445, "menu:cutaway"),
        menu_title("Camera", 0.5, 0.075, "menu:camera", xanchor="center"),
        {"name": "menu:hint", "text": "Drag to turn<br>Scroll to zoom<br>Hover: thickness and depth (mm)",
         "xref": "paper", "yref": "paper", "x": 0.995, "y": 0.5, "xanchor": "right", "yanchor": "top",
         "align": "right", "showarrow": False, "font": {"size": 16, "color": "#c9d1d9"}},
        {"name": "credit", "text": f"facelayers {__version__}: a schematic model for teaching, not for clinical use",
         "xref": "paper", "yref": "paper", "x": 0.995, "y": 0.94, "xanchor": "right", "yanchor": "bottom",
         "showarrow": False, "font": {"size": 16, "color": "#c9d1d9"}},
        *key,
    ]
    fig = go.Figure(traces)
    axis = HIDDEN_AXIS
    fig.update_layout(
        template="none", autosize=True, paper_bgcolor=BACKGROUND, plot_bgcolor=BACKGROUND, font=FONT,
        margin={"l": 0, "r": 0, "t": 60, "b": 0},
        title={"text": "The layers of the face", "x": 0.01, "y": 0.985, "yanchor": "top", "font": {"size": 26}},
        scene={"xaxis": axis, "yaxis": axis, "zaxis": axis, "aspectmode": "data", "bgcolor": BACKGROUND,
               "dragmode": "orbit", "camera": CAMERAS[state.camera], "domain": {"x": [0.16, 0.84], "y": [0.08, 1]}},
        showlegend=False, updatemenus=menus, annotations=notes, hoverlabel={"font": {"size": 18}},
    )
    return fig


#: Steps the offline skull's arrays are rounded to (powers of two, so the float32's low mantissa bits are zero
#: and the page's deflate packs them): coordinates 1/64 mm, the shade 1/256, the depth on hover 1/16 mm (shown to
#: 0.1 mm). About 200 KB less in the file; nothing a student can see.
SKULL_STEPS = {"x": 1 / 64, "y": 1 / 64, "z": 1 / 64, "intensity": 1 / 256, "customdata": 1 / 16}


def quantised_skull(trace: go.Mesh3d) -> go.Mesh3d:
    """The drawn skull's trace with its float arrays rounded to :data:`SKULL_STEPS`, for the offline file.

    Parameters
    ----------
    trace : go.Mesh3d
        :func:`facelayers.render.skull.skull_trace` (changed in place).

    Returns
    -------
    go.Mesh3d
        The same trace; float32 arrays, each value within half its step of the original.
    """
    trace.update(**{key: (np.round(np.asarray(getattr(trace, key), np.float64) / step) * step).astype(np.float32)
                    for key, step in SKULL_STEPS.items()})
    return trace


def layers_meshes(model: FaceModel, state: ViewState | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The six surfaces as meshes, with the state's cutaway applied; the skin includes the ears.

    Parameters
    ----------
    model : FaceModel
    state : ViewState, optional
        Its ``cutaway`` and ``layers_cut`` (default: uncut).

    Returns
    -------
    dict of str -> (ndarray, ndarray)
        ``{"layer:<surface>": (vertices (n, 3) float32 mm in the head frame, faces (m, 3) int32)}``, in
        :data:`facelayers.core.frame.INTERFACES` order.
    """
    state = state if state is not None else ViewState()
    cut = Cut(window(state.cutaway), state.layers_cut) if state.cutaway else None
    ears = ear_meshes(model)
    out = {}
    for name in INTERFACES:
        verts, faces, _ = _with_ears(model, name, layer_mesh(model, name, cut), ears)
        out[f"layer:{name}"] = (verts, faces.astype(np.int32))
    return out

