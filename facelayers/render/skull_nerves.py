"""The skull with the nerves that matter on it: a figure a lecturer can point at (lesson 01).

The drawn skull (:func:`facelayers.render.skull.skull_trace`) with the placed nerves' own traces
(:func:`facelayers.render.structures.nerve_traces`, the same lines and hover as lesson 02's, recoloured to read
on ivory bone): the frontal (temporal) branch's rami crossing the zygomatic arch, the marginal mandibular branch
along the mandible's lower border, and the supraorbital, infraorbital and mental nerves leaving their foramina.
Each is labelled in the scene (an arrow to the place, 20 px type), at points measured on the geometry
(:mod:`facelayers.model.skull_nerves`), so a label follows the nerve if the model changes. The nerves stay where
they are placed in the layers (the frontal rami ~1-2 mm off the arch, on its periosteum; the marginal
mandibular branch on the masseter, lateral to the bone): nothing is projected onto the bone.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from facelayers.model.geometry import FaceModel
from facelayers.model.skull_nerves import FRONTAL_RAMI, arch_crossings, border_course
from facelayers.render.face import BACKGROUND, FONT, TEXT, scene_layout, xyz
from facelayers.render.skull import skull_trace
from facelayers.render.structures import nerve_traces
from facelayers.teaching.state import CAMERAS

__all__ = ["SKULL_CAMERA", "SKULL_NERVES", "SKULL_NERVE_COLOURS", "skull_nerve_figure"]

#: The nerves drawn on the skull (``data/nerves.json`` ids).
SKULL_NERVES = (*FRONTAL_RAMI, "marginal_mandibular", "supraorbital", "infraorbital", "mental")
#: Line colours that read on ivory bone and on the dark stage (Okabe & Ito 2008): the facial nerve's (motor)
#: branches vermilion, the trigeminal's (sensory) nerves blue. Lesson 02's pale colours are for the soft tissues.
SKULL_NERVE_COLOURS = {"motor": "#D55E00", "sensory": "#0072B2"}
#: From the left, a little in front and above: the arch and the mandible's border side on, the three foramina
#: still facing the viewer (between the ``left`` and ``oblique`` presets).
SKULL_CAMERA = {"eye": {"x": -1.6, "y": 0.85, "z": 0.25}, "up": {"x": 0, "y": 0, "z": 1},
                "center": {"x": 0, "y": 0, "z": -0.05}}
LINE_WIDTH = 12
LABEL_SIZE = 20


def _label(point: np.ndarray, text: str, ax: int, ay: int, colour: str) -> dict:
    """A scene annotation with an arrow from (ax, ay) px off to a head-frame point (mm)."""
    p = xyz(np.asarray(point, float)[None, :])
    return {"x": float(p["x"][0]), "y": float(p["y"][0]), "z": float(p["z"][0]), "text": text,
            "showarrow": True, "arrowhead": 2, "arrowwidth": 2.5, "arrowcolor": colour, "ax": ax, "ay": ay,
            "font": {"size": LABEL_SIZE, "color": TEXT}, "bgcolor": "rgba(21,25,31,0.82)", "bordercolor": colour,
            "borderwidth": 2, "borderpad": 5, "align": "left"}


def skull_nerve_figure(model: FaceModel, paths: dict, camera: str = "skull", *, height: int = 620,
                       title: str | None = "The skull the layers stand on, and the nerves that cross it"
                       ) -> go.Figure:
    """The drawn skull with the frontal, marginal mandibular, supraorbital, infraorbital and mental nerves.

    Parameters
    ----------
    model : FaceModel
    paths : dict of (nerve_id, side) -> facelayers.model.nerves.NervePath
        The placed nerves (:func:`facelayers.model.nerves.place_all`); must hold the left side of every nerve
        of :data:`SKULL_NERVES` (the labels point at the left side).
    camera : str
        ``"skull"`` (:data:`SKULL_CAMERA`, default) or a key of :data:`facelayers.teaching.state.CAMERAS` (the
        labels are placed for the views of the left side: ``"skull"``, ``"left"``, ``"oblique"``).
    height : int
        Figure height, px (620 fits JupyterLab's notebook panel on a 1366 x 768 laptop).
    title : str or None

    Returns
    -------
    go.Figure
        Traces ``skull``, then ``nerve:<id>`` for each nerve of :data:`SKULL_NERVES` (both sides; hover: name,
        branch, layer, depth below the skin, sources by author and year), coloured by kind
        (:data:`SKULL_NERVE_COLOURS`). ``layout.scene.annotations``: five labels with arrows, at the middle
        ramus's crossing of the arch's lower border, at the marginal mandibular branch where it runs lowest
        against the border, and at the three nerves' exits from their foramina. A key of the two colours in the
        corner; no legend.

    Raises
    ------
    ValueError
        If ``camera`` is not a preset (the message lists them).
    KeyError
        If ``paths`` lacks the left side of a nerve of :data:`SKULL_NERVES`.
    """
    if camera not in CAMERAS and camera != "skull":
        raise ValueError(f"camera = {camera!r} is not allowed; allowed: skull, {', '.join(CAMERAS)}")
    missing = [nid for nid in SKULL_NERVES if (nid, "left") not in paths]
    if missing:
        raise KeyError(f"paths has no left {missing[0]!r}; the skull figure draws {', '.join(SKULL_NERVES)}")
    chosen = {k: p for k, p in paths.items() if k[0] in SKULL_NERVES}
    nerves = nerve_traces(model, chosen)
    for trace in nerves:
        trace.line.color = SKULL_NERVE_COLOURS.get(trace.meta["kind"], TEXT)
        trace.line.width = LINE_WIDTH
    motor, sensory = SKULL_NERVE_COLOURS["motor"], SKULL_NERVE_COLOURS["sensory"]
    crossings = {c.nerve_id: c for c in arch_crossings(model, paths)}
    at_arch = crossings.get(FRONTAL_RAMI[1]) or next(iter(crossings.values()), None)
    course = border_course(model, paths)
    behind = np.nonzero(course.behind_artery)[0]
    low = behind[np.argmin(course.height_mm[behind])] if len(behind) else int(np.argmin(course.height_mm))
    exits = {nid: paths[(nid, "left")].points[0] for nid in ("supraorbital", "infraorbital", "mental")}
    labels = []
    if at_arch is not None:
        labels.append(_label(at_arch.point, "<b>Frontal (temporal) branch</b><br>crosses the zygomatic arch",
                             190, -150, motor))
    labels += [
        _label(course.points[low], "<b>Marginal mandibular branch</b><br>along the mandible's lower border",
               210, 5, motor),
        _label(exits["supraorbital"], "<b>Supraorbital nerve</b><br>from its notch", -150, -90, sensory),
        _label(exits["infraorbital"], "<b>Infraorbital nerve</b><br>from its foramen", -170, 0, sensory),
        _label(exits["mental"], "<b>Mental nerve</b><br>from its foramen", -190, 10, sensory),
    ]
    key = [{"xref": "paper", "yref": "paper", "x": 0.01, "y": 0.97 - 0.06 * n, "xanchor": "left", "yanchor": "top",
            "showarrow": False, "font": {"size": LABEL_SIZE},
            "text": f"<span style='color:{colour}'>\u25AC</span> {text}"}
           for n, (colour, text) in enumerate(((motor, "Facial nerve branches (motor)"),
                                               (sensory, "Sensory nerves (trigeminal)")))]
    scene = scene_layout()
    scene["annotations"] = labels
    fig = go.Figure([skull_trace(model), *nerves])
    fig.update_layout(
        template="none", height=height, paper_bgcolor=BACKGROUND, plot_bgcolor=BACKGROUND, font=FONT,
        margin={"l": 0, "r": 0, "t": 60 if title else 8, "b": 0},
        title={"text": title, "x": 0.02, "font": {"size": 24}} if title else None,
        scene=scene, scene_camera=SKULL_CAMERA if camera == "skull" else CAMERAS[camera], showlegend=False,
        annotations=key,
        hoverlabel={"font": {"size": 18}},
    )
    return fig
