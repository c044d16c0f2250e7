"""Updates of an existing face figure (a FigureWidget): change only what changed, never rebuild it.

Traces are found by their stable ids (:func:`trace_index`; ``layer:skin`` ... ``layer:bone``, ``labels:regions``,
``section:line``, as :func:`facelayers.render.face.face_figure` names them); the layers' visibility, the overlays,
the camera, the cutaway's holes and the section line are each sent as a small update.
"""

from __future__ import annotations

from facelayers.core.frame import INTERFACES
from facelayers.model.geometry import FaceModel
from facelayers.model.section import Section
from facelayers.render.face import cut_of, layer4_trace, layer_trace, section_line_trace, surface_labels
from facelayers.render.skull_stage import SKULL, skull_shown
from facelayers.teaching.state import CAMERAS, ViewState


def trace_index(fig, name: str) -> int:
    """Index of the trace called ``name`` in a figure.

    Parameters
    ----------
    fig : go.Figure or go.FigureWidget
    name : str
        A trace id, e.g. ``layer:skin``.

    Returns
    -------
    int
        The index of the first trace so named in ``fig.data``.

    Raises
    ------
    KeyError
        If no trace has that name; the message lists the names present.
    """
    for i, trace in enumerate(fig.data):
        if trace.name == name:
            return i
    raise KeyError(f"no trace named {name!r}; present: {', '.join(t.name for t in fig.data)}")


def set_visible(trace, want) -> bool:
    """Set a trace's ``visible`` only if it differs (``None`` is plotly's ``True``): nothing sent otherwise.

    Parameters
    ----------
    trace : plotly trace
    want : bool or "legendonly"

    Returns
    -------
    bool
        True if the property was changed.
    """
    have = True if trace.visible is None else trace.visible
    if have is want or have == want:
        return False
    trace.visible = want
    return True


def apply_visibility(fig, state: ViewState) -> None:
    """Show, hide and peel in place: only ``visible`` properties change.

    The layers (``layer:*``) follow their box and the peel, except that the drawn skull (``skull``, once loaded:
    :func:`facelayers.render.skull_stage.ensure_skull`) replaces the floor ``layer:bone`` while the bone is
    bare (:func:`~facelayers.render.skull_stage.bone_bare`); a SMAS muscle (``muscle:*`` whose ``meta["layer"]``
    is ``smas``) goes with the SMAS unless it is the one picked (a picked muscle always shows);
    ``space:layer4`` goes with the muscle layer; the globes (``eyes``) and a raised flap (``technique:flap``) go
    with the skin; the
    nerves (``nerve:*``) follow ``state.nerves``. Other traces are left alone.

    Parameters
    ----------
    fig : go.Figure or go.FigureWidget
        Changed in place.
    state : ViewState
    """
    picked = state.pick[7:] if state.pick and state.pick.startswith("muscle:") else None
    skull = skull_shown(fig, state)  # the bone bare and the drawn skull loaded: it replaces the floor
    for trace in fig.data:
        name = trace.name or ""
        if name.startswith("layer:"):
            set_visible(trace, state.shown(name[6:]) and not (skull and name == "layer:bone"))
        elif name == SKULL:
            set_visible(trace, skull)
        elif name.startswith("muscle:") and (trace.meta or {}).get("layer") == "smas":
            set_visible(trace, state.shown("smas") or name[7:] == picked)
        elif name == "space:layer4":
            set_visible(trace, state.shown("muscle"))  # layer 4 is the outer part of the muscle band
        elif name == "eyes":
            set_visible(trace, state.shown("skin"))  # the globes show through the lids, with the skin
        elif name == "technique:flap":
            set_visible(trace, state.shown("skin"))  # a raised flap is skin first: peeled or hidden with it
        elif name.startswith("nerve:"):
            set_visible(trace, bool(state.nerves))


def apply_overlays(fig, state: ViewState) -> None:
    """Seckel's danger zones (``zone:*``) and the ligaments follow ``state.zones`` / ``state.ligaments``.

    Parameters
    ----------
    fig : go.Figure or go.FigureWidget
        Changed in place; only ``visible`` properties that differ are set.
    state : ViewState
    """
    for trace in fig.data:
        name = trace.name or ""
        if name.startswith("zone:"):
            set_visible(trace, bool(state.zones))
        elif name == "ligaments":
            set_visible(trace, bool(state.ligaments))


def apply_trace_visible(fig, name: str, visible) -> None:
    """Set one trace's ``visible`` (``True``, ``False`` or ``"legendonly"``) if it differs.

    Parameters
    ----------
    fig : go.Figure or go.FigureWidget
        Changed in place.
    name : str
        The trace's id.
    visible : bool or "legendonly"

    Raises
    ------
    KeyError
        If no trace is called ``name`` (:func:`trace_index`).
    """
    set_visible(fig.data[trace_index(fig, name)], visible)


def apply_camera(fig, state: ViewState) -> None:
    """Move the scene's camera to the state's preset.

    Parameters
    ----------
    fig : go.Figure or go.FigureWidget
        Changed in place: ``layout.scene.camera``.
    state : ViewState
        Its ``camera``, a key of :data:`~facelayers.teaching.state.CAMERAS`.
    """
    fig.layout.scene.camera = CAMERAS[state.camera]


def apply_cutaway(fig, model: FaceModel, state: ViewState, previous: ViewState | None = None,
                  holes: dict | None = None, previous_holes: dict | None = None) -> list[str]:
    """Re-send the geometry of the layers whose cut (or hole under a raised flap) changed.

    Parameters
    ----------
    fig : go.Figure or go.FigureWidget
        Made by :func:`face_figure`; its ``layer:*`` traces (and ``space:layer4`` with the muscle layer) get
        new ``x, y, z, i, j, k``, ``customdata`` and ``intensity`` in place.
    model : FaceModel
    state : ViewState
        The new state (its cutaway and layers shown).
    previous : ViewState, optional
        The state the figure shows now; None re-sends every layer.
    holes : dict of int -> ndarray, optional
        A surface index (into :data:`~facelayers.core.frame.INTERFACES`) to its hole field
        (:func:`facelayers.model.flap.holes`).
    previous_holes : dict of int -> ndarray, optional
        What the figure shows now (the same object when the holes did not change; default ``holes``). Holes
        are compared by identity.

    Returns
    -------
    list of str
        The surfaces re-sent, outermost first.

    Raises
    ------
    KeyError
        If a ``layer:*`` trace is missing from ``fig`` (:func:`trace_index`).
    """
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
    """Move the ``section:line`` trace to a new cut, and show it if it was hidden in the legend.

    Parameters
    ----------
    fig : go.Figure or go.FigureWidget
        Changed in place.
    sec : facelayers.model.section.Section
        The new cut (:func:`section_line_trace`).

    Raises
    ------
    KeyError
        If the figure has no ``section:line`` trace.
    """
    fresh = section_line_trace(sec)
    trace = fig.data[trace_index(fig, "section:line")]
    trace.update(x=fresh.x, y=fresh.y, z=fresh.z)
    if trace.visible == "legendonly":
        trace.visible = True
