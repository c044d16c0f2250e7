"""The skull drawn as its own surface (:mod:`facelayers.model.skull`)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from facelayers.model.geometry import FaceModel
from facelayers.model.grid import params_of
from facelayers.model.skull_parts import skull_parts
from facelayers.render.face import BACKGROUND, FONT, LIGHT_POSITION, ijk, layer_trace, scene_layout, surface_labels, xyz
from facelayers.teaching.state import CAMERAS

# ----------------------------------------------------------------------------------------------------
# The skull as its own surface (facelayers.model.skull)

#: Bone colour of the skull drawn alone: a little warmer and darker than the bone interface, so the
#: lighting shows the rims and fossae.
SKULL_COLOUR = "#E8DFC8"
#: The shade (ambient occlusion, 0 to 1) to colour: black to :data:`SKULL_COLOUR`, linear in RGB as plotly.js
#: interpolates a colour scale, so a vertex of shade ``a`` is drawn ``a`` times the bone colour.
SKULL_COLOURSCALE = [[0.0, "rgb(0,0,0)"], [1.0, SKULL_COLOUR]]
SKULL_LIGHTING = {"ambient": 0.32, "diffuse": 0.9, "specular": 0.12, "roughness": 0.6, "fresnel": 0.1}


def skull_trace(model: FaceModel, visible: bool = True, *, geometry: bool = True) -> go.Mesh3d:
    """The schematic skull drawn as bone, as one Mesh3d named ``skull``.

    The pieces of :func:`facelayers.model.skull_parts.skull_parts`: the cranium (the ray surface pushed in
    under the arch: the temporal and infratemporal fossae), the mandible as a closed solid standing off the
    skull base (condyle, sigmoid notch, coronoid), the zygomatic arches as bars over the fossae and the bony ear
    canals as tubes. The orbits, the piriform aperture and the foramina are open pits. Each vertex is darkened
    by the part's ambient occlusion (:attr:`~facelayers.model.skull_parts.SkullParts.shade`: the fossae by their
    depth, the pits, the hollows of the bone, the inner faces), since plotly draws no shadows.

    Parameters
    ----------
    model : FaceModel
        Its skull is drawn (head frame, mm; x plotted negated, :data:`facelayers.core.frame.PLOT_X_SIGN`).
    visible : bool
        The trace's initial visibility.
    geometry : bool
        False: the trace's style and hover with empty arrays (nothing built, a few hundred bytes), to be
        filled later (the stage sends the skull only when the bone is first bared:
        :mod:`facelayers.render.skull_stage`).

    Returns
    -------
    go.Mesh3d
        Legend group ``bone``, not in the legend. ``customdata`` is a (n_vertices,) float32 array: the total
        soft-tissue depth above each bone vertex along its ray from the head axis, mm, shown on hover.
        ``intensity`` is the (n_vertices,) float32 shade in (0, 1], drawn through :data:`SKULL_COLOURSCALE`
        (black to :data:`SKULL_COLOUR`, no colour bar): the same colours as a per-vertex ``rgb()`` list, sent
        as one binary array (a list of colour strings was ~20 B a vertex as JSON).
    """
    if not geometry:  # empty lists, not empty arrays: figures holding the placeholder stay comparable with ==
        return go.Mesh3d(name="skull", legendgroup="bone", showlegend=False, visible=visible, x=[], y=[], z=[],
                         i=[], j=[], k=[], customdata=[], intensity=[], **_skull_style())
    verts, faces, shade = skull_parts(model).mesh()
    u, s, r = params_of(verts.astype(float))
    depth = (model.skin_surface.radius(u, s) - r).astype(np.float32)
    return go.Mesh3d(name="skull", legendgroup="bone", showlegend=False, visible=visible,
                     **xyz(verts), **ijk(faces), customdata=depth,
                     intensity=np.ascontiguousarray(shade, dtype=np.float32), **_skull_style())


def _skull_style() -> dict:
    """The skull trace's colour, lighting and hover (the same with and without its arrays)."""
    return {"colorscale": SKULL_COLOURSCALE, "cmin": 0.0, "cmax": 1.0, "showscale": False,
            "hovertemplate": "<b>Bone</b><br>%{customdata:.1f} mm below the skin (along the ray)<extra></extra>",
            "flatshading": False, "lighting": SKULL_LIGHTING, "lightposition": LIGHT_POSITION,
            "hoverlabel": {"font": {"size": 18}}}


def skull_figure(model: FaceModel, camera: str = "front", *, height: int = 760,
                 title: str | None = "The skull the layers stand on", skin: bool = False) -> go.Figure:
    """The skull alone (or with the skin as a second, hidden-by-default trace) for a camera preset.

    Parameters
    ----------
    model : FaceModel
        The skull of this model (:meth:`~facelayers.model.geometry.FaceModel.skull_mesh`).
    camera : str
        A key of :data:`facelayers.teaching.state.CAMERAS`.
    height : int
        Figure height, px.
    title : str or None
        The figure's title; None for none (and a narrower top margin).
    skin : bool
        Also draw the skin (trace ``layer:skin``), visible.

    Returns
    -------
    go.Figure
        Traces ``skull`` (and ``layer:skin`` if asked), on the dark stage, with the scene of
        :func:`facelayers.render.face.scene_layout` and the preset's camera; no legend.

    Raises
    ------
    ValueError
        If ``camera`` is not a key of :data:`~facelayers.teaching.state.CAMERAS`; the message lists the allowed keys.
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
        scene=scene_layout(), scene_camera=CAMERAS[camera], showlegend=False, hoverlabel={"font": {"size": 18}},
    )
    return fig
