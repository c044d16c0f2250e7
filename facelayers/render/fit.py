"""Where plotly.js puts a 3D scene's points on the screen: to check, without a browser, that a figure's heads fit.

The projection is plotly.js 4's for a gl3d scene (as ``facelayers/delivery/static/preview.js`` draws it): bounds
= the data's range padded by 1/32 each side (or the axis's ``range``), the aspect box (``aspectmode``), gl-plot3d's
``lookAt(eye, center, up)`` and a perspective of vertical field of view pi/4 over the scene's box on the page
(the plot area less the margins, times the scene's ``domain``). A point whose normalised device coordinates lie
outside [-1, 1] is cut off at the scene's edge.
"""

from __future__ import annotations

import numpy as np

__all__ = ["scene_box_px", "scene_ndc"]

_AXES = "xyz"
_SCENE_TYPES = ("mesh3d", "scatter3d")


def _get(obj, key, default=None):
    value = obj.get(key) if isinstance(obj, dict) else None
    return default if value is None else value


def scene_box_px(layout: dict, scene: str, width: float, height: float) -> tuple[float, float]:
    """The width and height (px) plotly gives scene ``scene`` in a figure drawn ``width`` x ``height`` px.

    Parameters
    ----------
    layout : dict
        The figure's layout (``fig.to_plotly_json()["layout"]``).
    scene : str
        ``"scene"``, ``"scene2"``, ...
    width, height : float, px
        The figure's drawn size.

    Returns
    -------
    (float, float)
        The scene's box, px.
    """
    margin = {"l": 80, "r": 80, "t": 100, "b": 80, **_get(layout, "margin", {})}
    domain = {"x": [0, 1], "y": [0, 1], **_get(_get(layout, scene, {}), "domain", {})}
    pw, ph = width - margin["l"] - margin["r"], height - margin["t"] - margin["b"]
    return pw * (domain["x"][1] - domain["x"][0]), ph * (domain["y"][1] - domain["y"][0])


def scene_ndc(figure, scene: str, width: float, height: float) -> np.ndarray:
    """Normalised device coordinates of every visible point of scene ``scene`` (x to the right, y up).

    Parameters
    ----------
    figure : plotly.graph_objects.Figure or FigureWidget, or its plotly JSON dict
        Mesh3d and Scatter3d traces only are counted (``visible`` True or unset).
    scene : str
        ``"scene"``, ``"scene2"``, ...
    width, height : float, px
        The figure's drawn size.

    Returns
    -------
    (n, 2) float64 ndarray
        Each point's (x, y) on the scene's box, -1 ... 1 from edge to edge when it is in view.

    Raises
    ------
    ValueError
        If the scene has no visible points, or its box on the page is empty.
    """
    import plotly.graph_objects as go

    fig = go.Figure(figure) if isinstance(figure, dict) else figure
    layout = fig.layout.to_plotly_json()
    spec = _get(layout, scene, {})
    points = []
    for t in fig.data:
        if t.type not in _SCENE_TYPES or t.visible not in (None, True):
            continue
        if (t.scene or "scene") != scene:
            continue
        xyz = [np.asarray(getattr(t, a) if getattr(t, a) is not None else [], dtype=np.float64).ravel()
               for a in _AXES]
        if min(len(v) for v in xyz):
            points.append(np.stack(xyz, axis=1))
    if not points:
        raise ValueError(f"scene {scene!r} has no visible Mesh3d or Scatter3d points")
    p = np.concatenate(points)
    p = p[np.isfinite(p).all(axis=1)]
    lo, hi = p.min(axis=0), p.max(axis=0)
    scale, b0, b1 = np.ones(3), np.zeros(3), np.zeros(3)
    for a, name in enumerate(_AXES):
        ax = _get(spec, f"{name}axis", {})
        scale[a] = 1.0 / (hi[a] - lo[a]) if hi[a] > lo[a] else 1.0
        if _get(ax, "range") is not None and _get(ax, "autorange") is not True:
            b0[a], b1[a] = (float(v) for v in ax["range"])
        else:
            d = hi[a] - lo[a]
            b0[a], b1[a] = lo[a] - d / 32, hi[a] + d / 32
        if b0[a] == b1[a]:
            b0[a], b1[a] = b0[a] - 1, b1[a] + 1
    b0, b1 = b0 * scale, b1 * scale
    mode = _get(spec, "aspectmode", "auto")
    data_ratio = np.cbrt(scale.prod()) / scale
    if mode == "cube":
        ratio = np.ones(3)
    elif mode == "manual":
        r = _get(spec, "aspectratio", {})
        ratio = np.array([float(_get(r, a, 1.0)) for a in _AXES])
    else:
        ratio = data_ratio if mode == "data" or data_ratio.max() / data_ratio.min() <= 4 else np.ones(3)
    s = ratio / (b1 - b0)
    model = p * scale * s - s * 0.5 * (b0 + b1)  # the model matrix: into the aspect box, centred
    camera = _get(spec, "camera", {})
    eye = np.array([float(_get(_get(camera, "eye", {}), a, 1.25)) for a in _AXES])
    center = np.array([float(_get(_get(camera, "center", {}), a, 0.0)) for a in _AXES])
    up = np.array([float(_get(_get(camera, "up", {}), a, 1.0 if a == "z" else 0.0)) for a in _AXES])
    f = center - eye
    f /= np.linalg.norm(f)
    r = np.cross(f, up)
    r /= np.linalg.norm(r)
    u = np.cross(r, f)
    rel = model - eye
    xv, yv, depth = rel @ r, rel @ u, rel @ f  # depth > 0 in front of the eye
    w, h = scene_box_px(layout, scene, width, height)
    if not (w > 1 and h > 1):
        raise ValueError(f"scene {scene!r} has an empty box ({w:.0f} x {h:.0f} px) at {width} x {height} px")
    t = 1.0 / np.tan(np.pi / 8)  # fovy pi/4
    return np.stack([xv * t / (w / h) / depth, yv * t / depth], axis=1)


#: The share of a figure's width left to the colour key beside the scene (:func:`key_beside_scene`).
KEY_FRACTION = 0.34


def key_beside_scene(figure, fraction: float = KEY_FRACTION):
    """Move a face figure's scene right of its colour key (the key's rows lay over the eye in a narrow figure).

    Parameters
    ----------
    figure : plotly.graph_objects.Figure
        A figure with one scene and its key as paper annotations at the left (:func:`facelayers.render.face.
        face_figure` with ``key=True``); changed in place.
    fraction : float
        The share of the width kept for the key, 0 < fraction < 0.6.

    Returns
    -------
    plotly.graph_objects.Figure
        ``figure``, its ``layout.scene.domain.x`` = ``[fraction, 1]`` and the key's font 16 px.

    Raises
    ------
    ValueError
        If ``fraction`` is outside (0, 0.6).
    """
    if not 0 < fraction < 0.6:
        raise ValueError(f"key_beside_scene: fraction = {fraction!r}; allowed: a number between 0 and 0.6")
    figure.layout.scene.domain = {"x": [fraction, 1.0], "y": [0.0, 1.0]}
    for ann in figure.layout.annotations:
        if ann.xref == "paper" and ann.xanchor == "left" and (ann.x or 0) < fraction:
            ann.font.size = 16
    return figure
