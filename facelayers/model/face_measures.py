"""Facial proportions measured on the built head, as an anthropometrist would take them from a face.

Each measure reads the model's geometry (the skin's grid, the globes under the lids), never the landmark table:
the palpebral fissure's width and height on the lids' margins as drawn (:mod:`facelayers.model.lids`), the
intercanthal distance between the two fissures' medial corners, the mouth's width between the lateral
ends of the groove between the lips (the commissures), the nose's width between the alae's lateral contours.
``tests/test_literature_face.py`` holds them against published adult norms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facelayers.model import eyes
from facelayers.model.geometry import FaceModel
from facelayers.model.grid import params_of, rays


@dataclass(frozen=True)
class Fissure:
    """One palpebral fissure as measured.

    Attributes
    ----------
    width_mm : float
        3D distance between its medial and lateral corners (en-ex).
    height_mm : float
        Vertical opening on the pupil's vertical (ps-pi); 0 when the lids meet.
    medial, lateral : (3,) float, mm
        The corners: the most medial and most lateral points where the skin passes behind the globe.
    upper, lower : (3,) float, mm
        The margins on the pupil's vertical (equal when closed: the point where the lids meet).
    outline : (k, 3) float, mm
        Every point of the fissure's edge found on the grid (empty when closed).
    """

    width_mm: float
    height_mm: float
    medial: np.ndarray
    lateral: np.ndarray
    upper: np.ndarray
    lower: np.ndarray
    outline: np.ndarray


def pin_shift(model: FaceModel):
    """The model's landmark correction as a displacement.

    Returns a callable, points (k, 3) mm -> (k, 3) mm along their rays (what :class:`facelayers.model.skin.Pins`
    adds to the skin there).
    """
    def shift(points: np.ndarray) -> np.ndarray:
        points = np.asarray(points, float)
        if model.skin_surface.pins is None:
            return np.zeros_like(points)
        u, s, _ = params_of(points)
        _, d = rays(u, s)
        return d * model.skin_surface.pins(points)[:, None]

    return shift


def globe_meshes(model: FaceModel) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The exposed globes of :func:`facelayers.model.eyes.eye_meshes`, moved with the model's landmark correction.

    So they stay under its lids: [(vertices (v, 3) float32 mm, faces (f, 3) int32, radial (v,) float32 mm), ...].
    """
    return eyes.eye_meshes(pin_shift(model))


def globe_gap(model: FaceModel, points: np.ndarray, side: str = "left") -> np.ndarray:
    """How far each point (k, 3) mm lies in front of the globe's exposed surface on ``side``, (k,) mm.

    Negative: behind it, where the globe shows. The globe as drawn (:func:`facelayers.model.eyes.eye_meshes`): the ellipsoid with
    the cornea's bulge, moved along the rays with the skin's landmark correction.
    """
    sign = 1.0 if side == "left" else -1.0
    f = eyes.frame()
    p = np.asarray(points, float)
    hv = f.local(p, sign)
    surface = eyes.ellipsoid_n(hv, eyes.EYE_AXES_MM)
    world = f.world(np.concatenate([hv[:, :2], surface[:, None]], 1), sign)
    radial = np.hypot(world[:, 0] * sign - eyes.PUPIL_MM[0], world[:, 2] - eyes.PUPIL_MM[2])
    surface = surface + eyes.CORNEA_BULGE_MM * np.exp(-(radial / (eyes.IRIS_RADIUS_MM * 0.9)) ** 2)
    if model.skin_surface.pins is not None:
        u, s, _ = params_of(p)
        _, d = rays(u, s)
        surface = surface + model.skin_surface.pins(p) * ((d * [sign, 1, 1]) @ f.n)
    inside = ((hv[:, 0] > -eyes.EYE_AXES_MM[0]) & (hv[:, 0] < eyes.EYE_AXES_MM[0] + eyes.LATERAL_REACH_MM)
              & (np.abs(hv[:, 1]) < eyes.EYE_AXES_MM[1])
              & (hv[:, 2] > 0.0))
    return np.where(inside, hv[:, 2] - surface, np.inf)


def _crossings(a: np.ndarray, b: np.ndarray, ga: np.ndarray, gb: np.ndarray) -> np.ndarray:
    """Points (m, 3) where the gap changes sign between consecutive points a, b (m, 3) with gaps ga, gb (m,)."""
    t = ga / np.where(ga - gb == 0, 1e-9, ga - gb)
    return a + np.clip(t, 0, 1)[:, None] * (b - a)


def fissure(model: FaceModel, side: str = "left", displacement: np.ndarray | None = None) -> Fissure:
    """The palpebral fissure of one eye, measured on the lids as drawn.

    The lids' margins and the fissure's corners are drawn by their own fine band over the skin's grid
    (:func:`facelayers.model.lids.drawn_fissure`; the grid opens wider under it), which follows the skin's
    vertices: the corners are where the margins' inner edges meet, the height is the opening between the margins
    on the pupil's vertical.

    Parameters
    ----------
    model : FaceModel
    side : {"left", "right"}
    displacement : (n, 3) float, mm, optional
        Moves the skin first (an expression, :func:`facelayers.model.expression.skin_displacement`).

    Returns
    -------
    Fissure
        Closed (height 0, the four points the meeting point) when the upper margin comes down to the lower one
        on the pupil's vertical.
    """
    from facelayers.model import lids

    if side not in ("left", "right"):
        raise ValueError(f"side {side!r} is not known; allowed: left, right")
    sign = 1.0 if side == "left" else -1.0
    skin = None if displacement is None else model.skin + np.asarray(displacement, float)
    f = lids.drawn_fissure(model, side, skin)
    x = sign * eyes.PUPIL_MM[0]

    def at(line):
        order = np.argsort(line[:, 0] * sign)
        return np.array([np.interp(x * sign, line[order, 0] * sign, line[order, c]) for c in range(3)])

    upper, lower = at(f["upper"]), at(f["lower"])
    height = float(upper[2] - lower[2])
    if height <= 0.0:
        meet = 0.5 * (upper + lower)
        return Fissure(0.0, 0.0, meet, meet, meet, meet, np.zeros((0, 3)))
    return Fissure(f["width_mm"], height, f["medial"], f["lateral"], upper, lower,
                   np.concatenate([f["upper"], f["lower"][::-1]]))


def margin_travel_mm(model: FaceModel, displacement: np.ndarray, side: str = "left") -> tuple[float, float]:
    """How far the upper and the lower lid margin move down / up under a skin displacement (n, 3) mm.

    Returns two floats, mm, positive toward each other. On the grid a margin is the skin vertex on the lid's side of the fissure's
    edge as measured at rest (:func:`fissure`): of the eight vertices nearest the margin's point on the pupil's
    vertical, the nearest that lies in front of the globe (the lid's, not the fissure's skin tucked behind it).
    """
    rest = fissure(model, side)
    d = np.asarray(displacement, float)
    out = []
    for point, sign in ((rest.upper, -1.0), (rest.lower, 1.0)):
        # The nearest vertex in front of the globe: the lid's. The two nearest can both be the fissure's skin tucked
        # behind the globe (where the lids bulge forward, the margin's vertex lies farther off than they do).
        near = np.argsort(np.linalg.norm(model.skin - point, axis=1))[:8]
        gaps = globe_gap(model, model.skin[near], side)
        k = near[np.argmax(gaps > 0.0)] if np.any(gaps > 0.0) else near[np.argmax(gaps)]
        out.append(sign * float(d[k, 2]))
    return out[0], out[1]


def intercanthal_mm(model: FaceModel) -> float:
    """Distance (mm) between the two fissures' medial corners (en-en), measured as :func:`fissure` does."""
    return float(np.linalg.norm(fissure(model, "left").medial - fissure(model, "right").medial))


def _row_profile(model: FaceModel, z_mm: float, x_max_mm: float = 50.0, n: int = 201):
    u = np.linspace(0.0, np.arctan2(x_max_mm, 80.0), n)
    s = np.full_like(u, z_mm)
    o, d = rays(u, s)
    return u, s, o + d * model.skin_surface.radius(u, s)[:, None]


def mouth_width_mm(model: FaceModel, z_mm: float | None = None, groove_mm: float = 0.15) -> float:
    """The mouth's width (ch-ch), mm.

    Twice the distance from the midline to where the groove between the lips ends laterally (the commissure), on the
    row through the stomion's height (or ``z_mm``).
    The groove is measured as the skin's vertical concavity over +-3.5 mm (mean of the radii above and below
    minus the radius there); it ends where that falls under ``groove_mm``.
    """
    z = model.anatomy.point("stomion")[2] if z_mm is None else z_mm
    u, s, p = _row_profile(model, z)
    r = model.skin_surface.radius
    concave = 0.5 * (r(u, s - 3.5) + r(u, s + 3.5)) - r(u, s)
    inside = np.flatnonzero(concave > groove_mm)
    if len(inside) == 0 or inside[0] > 0:
        return 0.0  # no groove on the midline: the grid does not resolve the lips (a coarse grid)
    end = inside[np.flatnonzero(np.diff(inside) > 1)[0]] if np.any(np.diff(inside) > 1) else inside[-1]
    return float(2.0 * p[end, 0])


def nose_width_mm(model: FaceModel, z_mm: float | None = None) -> float:
    """The nose's width (al-al), mm.

    Twice the distance from the midline to the ala's lateral contour on the row through the alare's height (or
    ``z_mm``): where the skin turns from the ala's convexity into the alar-facial groove's concavity (the inflection
    of the row's profile), the ala's edge as seen from the front.
    """
    z = model.anatomy.point("alare:left")[2] if z_mm is None else z_mm
    u, s, p = _row_profile(model, z)
    r = model.skin_surface.radius
    du = np.radians(2.5)
    concave = 0.5 * (r(u - du, s) + r(u + du, s)) - r(u, s)
    # The ala: the most convex point past the dorsum (x over 12 mm); its contour: the first inflection lateral to it.
    lateral = p[:, 0] > 12.0
    k = int(np.flatnonzero(lateral)[np.argmin(concave[lateral])])
    after = np.flatnonzero(concave[k:] > 0)
    j = k + int(after[0])
    t = concave[j - 1] / (concave[j - 1] - concave[j])
    x = p[j - 1, 0] + t * (p[j, 0] - p[j - 1, 0])
    return float(2.0 * x)
