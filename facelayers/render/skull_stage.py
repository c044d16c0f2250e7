"""The drawn skull on the stage: shown when the bone is bare, sent only when first needed.

Why
---
The layers stand on a floor, ``layer:bone``: one radius per ray, with the zygomatic arch, the sigmoid notch and
the retromandibular hollow only painted on it as relief. The skull *drawn as bone* (:mod:`facelayers.model.skull_parts`,
:func:`facelayers.render.skull.skull_trace`: the fossae medial to a free-standing arch, the ramus with its condyle,
notch and coronoid, the ear canal) cannot carry the layers (its coronoid stands up to 9 mm lateral to the floor),
but it is the bone a student should see once nothing covers it.

The rule (:func:`bone_bare`)
----------------------------
The stage draws the drawn skull, trace ``skull``, instead of the floor exactly when **bone is the only surface
drawn** (``state.outermost == "bone"``): peel = 5 ("bone only"), or every layer's box unticked. Then nothing stands
on the floor, so nothing is lost by swapping it. Whenever a layer is drawn (any peel below 5 with that layer
ticked, and so every cutaway window with layers round it: the terraces and walls stand on the floor) the floor
stays and the skull is hidden: the drawn skull would poke through the layers over the arch and the ramus. Unticking
Bone hides both. Nerves, muscles, planes and markers are not moved: they keep their places in the layers (over
the temporal fossa a nerve or a plane on the deep temporal fascia lies where temporalis would be, above the bone).

Hover on the skull gives what the floor gave: "Bone", and the soft-tissue depth above it (mm, along the ray).
Every view on the stage follows the same rule (the nerve explorer, the dissection comparer, the storyboard
player: the endoscopic brow lift's steps on bone show the skull under their planes; the quiz takes a click on the
skull as a click on the bone). The offline files (:mod:`facelayers.delivery.layers_offline`, the course) carry the
skull from the start (a page has no kernel to send it later) and their "Peel down to: Bone" shows it the same way.

Messages
--------
:func:`facelayers.render.face.face_figure` adds the ``skull`` trace to every stage figure, with its geometry
only if the first state already bares the bone; otherwise an empty placeholder (style and hover, no arrays: a few
hundred bytes). :func:`ensure_skull` fills it the first time a state bares the bone (one message of the skull's
arrays: float32 x, y, z, shade and depth, uint16 triangles); after that, peeling to bone and back is a visibility
toggle (:func:`facelayers.render.updates.apply_visibility`, a few hundred bytes).
"""

from __future__ import annotations

import plotly.graph_objects as go

from facelayers.model.geometry import FaceModel
from facelayers.render.skull import skull_trace
from facelayers.teaching.state import ViewState

__all__ = ["SKULL", "bone_bare", "ensure_skull", "is_loaded", "skull_shown", "stage_skull_trace"]

#: The drawn skull's trace name on the stage (as :func:`facelayers.render.skull.skull_trace` names it).
SKULL = "skull"


def bone_bare(state: ViewState) -> bool:
    """Does the view show bone with nothing over it: bone is the only surface drawn.

    Parameters
    ----------
    state : ViewState

    Returns
    -------
    bool
        True when :attr:`~facelayers.teaching.state.ViewState.outermost` is ``"bone"`` (peel 5 with Bone
        ticked, or every layer unticked).
    """
    return state.outermost == "bone"


def stage_skull_trace(model: FaceModel, state: ViewState) -> go.Mesh3d:
    """The ``skull`` trace of a stage figure for its first state.

    Parameters
    ----------
    model : FaceModel
    state : ViewState
        When it bares the bone (:func:`bone_bare`), the skull is built, drawn and visible.

    Returns
    -------
    go.Mesh3d
        :func:`facelayers.render.skull.skull_trace`, with its geometry when the bone is bare, else an empty,
        hidden placeholder (filled by :func:`ensure_skull` when first needed).
    """
    bare = bone_bare(state)
    return skull_trace(model, visible=bare, geometry=bare)


def is_loaded(trace) -> bool:
    """Does a ``skull`` trace carry its geometry (not the empty placeholder).

    Parameters
    ----------
    trace : go.Mesh3d

    Returns
    -------
    bool
    """
    return trace.i is not None and len(trace.i) > 0


def _skull_of(fig):
    return next((t for t in fig.data if t.name == SKULL), None)


def skull_shown(fig, state: ViewState) -> bool:
    """Should ``fig`` draw its skull (and hide the floor) for ``state``: the bone is bare and the skull is loaded.

    A figure without a ``skull`` trace, or with the placeholder still empty, keeps the floor (never a bare
    stage with nothing drawn).

    Parameters
    ----------
    fig : go.Figure or go.FigureWidget
    state : ViewState

    Returns
    -------
    bool
    """
    if not bone_bare(state):
        return False
    trace = _skull_of(fig)
    return trace is not None and is_loaded(trace)


def ensure_skull(fig, model: FaceModel, state: ViewState) -> bool:
    """Send the skull's geometry into the figure's placeholder the first time a state bares the bone.

    Only the arrays are set (the style came with the placeholder); visibility is left to
    :func:`facelayers.render.updates.apply_visibility`. Nothing is sent when the bone is covered, when the
    figure has no ``skull`` trace, or when it is loaded already.

    Parameters
    ----------
    fig : go.Figure or go.FigureWidget
        Changed in place.
    model : FaceModel
        Whose skull (:func:`facelayers.model.skull_parts.skull_parts`, cached per model).
    state : ViewState
        The state about to be drawn.

    Returns
    -------
    bool
        True if the geometry was sent now.
    """
    trace = _skull_of(fig)
    if trace is None or is_loaded(trace) or not bone_bare(state):
        return False
    fresh = skull_trace(model, visible=False)
    trace.update(x=fresh.x, y=fresh.y, z=fresh.z, i=fresh.i, j=fresh.j, k=fresh.k, customdata=fresh.customdata,
                 intensity=fresh.intensity)
    return True
