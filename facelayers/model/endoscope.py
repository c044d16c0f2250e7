"""The endoscope: a 4 mm rod-lens scope entering a port, its angled tip, its view cone and what it sees.

The scope enters the port, slides under the flap in the dissection plane (the optical cavity: there is no
natural space, the dissection makes it and a retractor or sleeve holds it open; REFERENCE section 6) toward a
target, and looks out of its 30 degree tip toward the roof of the cavity with an 80 degree field of view.
The field width at a working distance w is about 1.68 w (2 w tan 40 degrees), so on a display D mm wide the
magnification is D / (1.68 w): about 30x at 10 mm on a 500 mm monitor (REFERENCE section 6, derived).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facelayers.model.geometry import FaceModel, layer_index
from facelayers.model.grid import params_of

DIAMETER_MM = 4.0
TIP_ANGLE_DEG = 30.0
FOV_DEG = 80.0
#: Display width used to express magnification (a 500 mm wide monitor; REFERENCE section 6).
DISPLAY_MM = 500.0
#: How far the retractor holds the cavity open (mm): roof lifted off the floor in the endoscope view.
CAVITY_MM = 8.0


def field_width_mm(working_distance_mm: float) -> float:
    """Width of the field of view at a working distance: 2 w tan(FOV / 2), about 1.68 w.

    Parameters
    ----------
    working_distance_mm : float, mm

    Returns
    -------
    float, mm
    """
    return 2.0 * working_distance_mm * np.tan(np.radians(FOV_DEG / 2))


def magnification(working_distance_mm: float, display_mm: float = DISPLAY_MM) -> float:
    """Screen magnification at a working distance: display width / field width.

    Parameters
    ----------
    working_distance_mm : float, mm
    display_mm : float, mm
        Width of the display (default a 500 mm monitor, :data:`DISPLAY_MM`).

    Returns
    -------
    float
        The magnification (x), e.g. about 30 at 10 mm on the default display.
    """
    return display_mm / field_width_mm(working_distance_mm)


def working_distance(mag: float, display_mm: float = DISPLAY_MM) -> float:
    """The working distance that gives a magnification (the inverse of :func:`magnification`).

    Parameters
    ----------
    mag : float
        Magnification (x), > 0.
    display_mm : float, mm
        Width of the display (default :data:`DISPLAY_MM`).

    Returns
    -------
    float, mm

    Raises
    ------
    ValueError
        If ``mag`` is not a number > 0.
    """
    if not mag > 0:
        raise ValueError(f"magnification = {mag!r}; allowed: a number > 0")
    return display_mm / (mag * 2.0 * np.tan(np.radians(FOV_DEG / 2)))


@dataclass(frozen=True)
class ScopePose:
    """Where the scope is (see :func:`pose`).

    Attributes
    ----------
    entry : (3,) float64 ndarray, mm, head frame
        On the skin at the port.
    tip : (3,) float64 ndarray, mm, head frame
        In the cavity, 1 mm into the roof of the plane.
    axis : (3,) float64 ndarray
        Unit vector along the shaft, from the entry to the tip.
    view : (3,) float64 ndarray
        Unit vector, the tip's line of sight: ``axis`` turned 30 degrees (:data:`TIP_ANGLE_DEG`) toward ``up``.
    up : (3,) float64 ndarray
        Unit vector perpendicular to ``axis``, toward the roof of the cavity (the skin).
    working_distance_mm : float, mm
        From the tip to what it looks at, from the magnification.
    magnification : float
        Screen magnification (x) on :data:`DISPLAY_MM`.
    """

    entry: np.ndarray
    tip: np.ndarray
    axis: np.ndarray
    view: np.ndarray
    up: np.ndarray
    working_distance_mm: float
    magnification: float

    @property
    def target(self) -> np.ndarray:
        """The point looked at, ``working_distance_mm`` along the line of sight: (3,) float64 ndarray, mm."""
        return self.tip + self.view * self.working_distance_mm


def _unit(v):
    v = np.asarray(v, float)
    n = np.linalg.norm(v)
    if n == 0:
        raise ValueError("zero-length direction")
    return v / n


def pose(model: FaceModel, entry: np.ndarray, toward: np.ndarray, layer: str, fraction: float,
         insertion_mm: float = 40.0, aim_deg: float = 0.0, mag: float = 8.0, *, plane=None) -> ScopePose:
    """Place the scope: in at a port, sliding in a dissection plane toward a point.

    The direction is ``toward - entry`` made perpendicular to the outward direction at the port (the model's
    ray from bone to skin there, close to the skin normal) and turned ``aim_deg`` about it; the tip lies
    ``insertion_mm`` along it (in a straight line from the entry), moved along the model's ray onto the plane,
    and lifted 1 mm into its roof.

    Parameters
    ----------
    model : FaceModel
    entry : (3,) float array-like, mm, head frame
        The port, a point on the skin.
    toward : (3,) float array-like, mm, head frame
        The point the scope heads for.
    layer : str
        The plane's layer (:data:`facelayers.core.frame.LAYERS`).
    fraction : float
        The plane's depth within the layer, 0 (outer face) to 1 (inner face).
    insertion_mm : float, mm
        How far in, 5 to 120.
    aim_deg : float, degrees
        Turn about the outward direction at the port, -60 to 60 (positive: counter-clockwise seen from outside).
    mag : float
        Screen magnification (x), > 0: sets the working distance (:func:`working_distance`).
    plane : Plane, optional
        A placed plane (:class:`facelayers.model.planes.Plane`): the tip then lies on its surface where it is, which
        follows layer 4's floor or the plane's zones (layer and fraction are then its nominal depth only).

    Returns
    -------
    ScopePose

    Raises
    ------
    ValueError
        If ``insertion_mm``, ``aim_deg`` or ``mag`` is out of range, ``layer`` is not known, or ``toward`` lies
        along the outward direction at the port (no direction to slide in).
    """
    if not 5.0 <= insertion_mm <= 120.0:
        raise ValueError(f"insertion_mm = {insertion_mm!r}; allowed: 5 to 120 mm")
    if not -60.0 <= aim_deg <= 60.0:
        raise ValueError(f"aim_deg = {aim_deg!r}; allowed: -60 to 60 degrees")
    k = layer_index(layer)
    u, s, _ = params_of(np.asarray(entry, float)[None, :])
    stack = model.stack_at(u, s)
    normal = _unit(stack.points[0, 0] - stack.points[0, -1])  # outward at the port
    direction = np.asarray(toward, float) - np.asarray(entry, float)
    direction = _unit(direction - normal * (direction @ normal))
    c, s_ = np.cos(np.radians(aim_deg)), np.sin(np.radians(aim_deg))
    direction = _unit(c * direction + s_ * np.cross(normal, direction))
    guess = np.asarray(entry, float) + direction * insertion_mm
    tu, ts, _ = params_of(guess[None, :])
    tstack = model.stack_at(tu, ts)
    floor = plane.points_at(tstack)[0] if plane is not None else tstack.at_depth(np.array([k]), float(fraction))[0]
    up = _unit(tstack.points[0, 0] - tstack.points[0, -1])
    # In the model the flap is not lifted, so the tip is drawn 1 mm into the roof of the plane; the endoscope
    # view opens the cavity (CAVITY_MM) as the retractor does.
    tip = floor + up * 1.0
    axis = _unit(tip - np.asarray(entry, float))
    side = _unit(np.cross(axis, up))
    up_perp = _unit(np.cross(side, axis))
    t = np.radians(TIP_ANGLE_DEG)
    view = _unit(np.cos(t) * axis + np.sin(t) * up_perp)
    wd = working_distance(mag)
    return ScopePose(np.asarray(entry, float), tip, axis, view, up_perp, wd, float(mag))


def shaft_mesh(scope: ScopePose, n: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """The shaft as an open cylinder, 4 mm across, from 25 mm outside the skin to the tip.

    Parameters
    ----------
    scope : ScopePose
    n : int
        Vertices around each end ring.

    Returns
    -------
    vertices : (2n, 3) float32 ndarray, mm, head frame
        The outer ring, then the ring at the tip.
    faces : (2n, 3) int32 ndarray
    """
    start = scope.entry - scope.axis * 25.0
    a = _unit(np.cross(scope.axis, [0.0, 0.0, 1.0] if abs(scope.axis[2]) < 0.9 else [1.0, 0.0, 0.0]))
    b = np.cross(scope.axis, a)
    theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ring = (np.cos(theta)[:, None] * a + np.sin(theta)[:, None] * b) * DIAMETER_MM / 2
    verts = np.concatenate([start + ring, scope.tip + ring])
    i = np.arange(n)
    j = (i + 1) % n
    faces = np.concatenate([np.stack([i, j, j + n], 1), np.stack([i, j + n, i + n], 1)])
    return verts.astype(np.float32), faces.astype(np.int32)


def view_cone_lines(scope: ScopePose, n: int = 12, length_mm: float = 12.0) -> np.ndarray:
    """The view cone as polylines for a plotly line trace: some apex-to-rim lines, then the rim.

    Parameters
    ----------
    scope : ScopePose
    n : int
        Points on the rim (every third gets a line from the apex).
    length_mm : float, mm
        How far the cone reaches along the line of sight.

    Returns
    -------
    (m, 3) float32 ndarray, mm, head frame
        Polylines separated by rows of NaN.
    """
    a = _unit(np.cross(scope.view, scope.up))
    b = np.cross(a, scope.view)
    r = np.tan(np.radians(FOV_DEG / 2)) * length_mm
    theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rim = scope.tip + scope.view * length_mm + r * (np.cos(theta)[:, None] * a + np.sin(theta)[:, None] * b)
    gap = np.full((1, 3), np.nan)
    parts = []
    for p in rim[::3]:
        parts += [scope.tip[None, :], p[None, :], gap]
    parts += [rim, rim[:1], gap]
    return np.concatenate(parts).astype(np.float32)
