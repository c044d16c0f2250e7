"""The one frame, the one unit and the layer stack, named once.

Frame (after BrainGlobe's ``ATLAS_ORIENTATION``): origin midway between the two porions, **x** to the
subject's left, **y** anterior, **z** up; z = 0 is the Frankfort plane. Every length is in millimetres and
every length parameter ends in ``_mm``. Bilateral data are given for the left side (x > 0) and mirrored.
"""

from __future__ import annotations

from typing import Any

#: The five soft-tissue layers, outermost first (REFERENCE section 0; Mendelson & Jacobson 2008).
LAYERS: tuple[str, ...] = ("skin", "fat", "smas", "muscle", "periosteum")

#: The surfaces of the model, outermost first: interface k is the outer face of layer k, and the last one
#: is the bone surface. A layer lies between interface k and interface k + 1.
INTERFACES: tuple[str, ...] = LAYERS + ("bone",)

#: Continuous depth coordinate: 0 at the skin surface, 5 at bone (layer index + fraction).
DEPTH_MAX: float = float(len(LAYERS))

AXES = {"x": "subject's left", "y": "anterior", "z": "up (z = 0: Frankfort plane)"}
UNIT = "mm"

#: The two sides: data are given for the left side (x > 0) and mirrored to the right (:func:`side_sign`).
SIDES: tuple[str, ...] = ("left", "right")

#: The head's vertical axis (x = 0, y = HEAD_AXIS_Y_MM, mm), from which the model's rays leave; a place is seen
#: by its azimuth about it, ``atan2(x, y - HEAD_AXIS_Y_MM)``.
HEAD_AXIS_Y_MM: float = -5.0

#: The figures plot x negated (plotly's default camera then shows the subject's left on the viewer's right):
#: a point in a figure is ``(PLOT_X_SIGN * x, y, z)``.
PLOT_X_SIGN: float = -1.0


def side_sign(side: str) -> float:
    """The sign of x on a side: +1.0 for ``"left"``, -1.0 for ``"right"``.

    Parameters
    ----------
    side : {"left", "right"}

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Another side, naming the allowed ones.
    """
    if not isinstance(side, str) or side not in SIDES:
        raise ValueError(f"side = {side!r}; allowed: {', '.join(SIDES)}")
    return 1.0 if side == "left" else -1.0


def mirror(points: Any, side: str) -> Any:
    """Points given for the left side, placed on ``side``: x negated for the right.

    Parameters
    ----------
    points : (3,) or (n, 3) float array-like, mm
        Head frame, left side.
    side : {"left", "right"}

    Returns
    -------
    (3,) or (n, 3) float64 ndarray, mm
        A new array, the same shape as ``points``.
    """
    import numpy as np  # the frame itself stays free of numpy until a point is moved

    out = np.array(points, dtype=np.float64)
    out[..., 0] *= side_sign(side)
    return out


def to_plot(points: Any) -> Any:
    """Head-frame points as a figure draws them: x times :data:`PLOT_X_SIGN`; its own inverse.

    Parameters
    ----------
    points : (3,) or (n, 3) float array-like, mm

    Returns
    -------
    (3,) or (n, 3) float64 ndarray, mm
        A new array; ``to_plot(to_plot(p)) == p``.
    """
    import numpy as np

    out = np.array(points, dtype=np.float64)
    out[..., 0] *= PLOT_X_SIGN
    return out


#: A point picked in a figure, back in the head frame (the flip is its own inverse).
from_plot = to_plot
