"""A saved view told in plain words, for students (the YAML file's keys, ``flap_mm`` or ``section_kind``, are not).

:func:`view_in_words` lists what a :class:`~facelayers.teaching.state.ViewState` shows, one line a setting, in the
words the panels use; what is at its default is said in one short line or left out.
"""

from __future__ import annotations

from facelayers.core.frame import INTERFACES
from facelayers.teaching.state import ViewState

__all__ = ["view_in_words"]


def view_in_words(state: ViewState, model) -> str:
    """What ``state`` shows, as lines of plain words.

    Parameters
    ----------
    state : ViewState
    model : FaceModel
        For the layers' names and the techniques' labels (its anatomy).

    Returns
    -------
    str
        Lines such as ``"Patient: woman, 75 y, BMI 19"``, ``"Cutaway: cheek window, 2 layers removed (Skin,
        Subcutaneous fat)"``, ``"Camera: from the left"``; no field name of the YAML file.
    """
    from facelayers.render.face import surface_labels

    labels = surface_labels(model)
    lines = []
    if state.patient is not None:
        lines.append(f"Patient: {state.patient.label}")
    hidden = [labels[n] for n in INTERFACES if not state.shown(n)]
    peeled = [labels[n] for n in INTERFACES[:state.peel]]
    if peeled:
        lines.append(f"Peeled away: {', '.join(peeled)}")
    extra = [h for h in hidden if h not in peeled]
    lines.append(f"Layers hidden: {', '.join(extra)}" if extra else "Layers: every layer shown"
                 + (" that is not peeled" if peeled else ""))
    if state.cutaway:
        cut = [labels[n] for n in INTERFACES[:state.layers_cut]]
        lines.append(f"Cutaway: {state.cutaway.replace('_', ' ')} window, {state.layers_cut} "
                     f"layer{'s' if state.layers_cut != 1 else ''} removed ({', '.join(cut)})")
    else:
        lines.append("Cutaway: none")
    lines.append(f"Camera: {_camera_words(state.camera)}")
    if state.pick:
        lines.append(f"Nerve lit: {state.pick.split(':')[-1].replace('_', ' ')}")
    overlays = [name for name, on in (("danger zones", state.zones), ("retaining ligaments", state.ligaments),
                                      ("region labels", state.labels)) if on]
    if overlays:
        lines.append(f"Shown over the face: {', '.join(overlays)}")
    if state.technique:
        lines.append(f"Technique: {model.anatomy.technique(state.technique).label}")
        if state.flap_mm > 0:
            lines.append(f"Flap raised {state.flap_mm:g} mm at the incision")
        if state.scope_port:
            lines.append(f"Endoscope: through the {state.scope_port.replace('_', ' ')} port, "
                         f"{state.scope_insertion_mm:g} mm in, aimed {state.scope_aim_deg:g} degrees")
    return "\n".join(lines)


def _camera_words(camera: str) -> str:
    return {"front": "from the front", "left": "from the left", "right": "from the right",
            "oblique": "from the front and left (oblique)", "top": "from above",
            "incision": "along the facelift incision (the surgeon's view)",
            "crown": "from behind the crown (the surgeon's view of a coronal flap)"}.get(camera, camera)
