"""The schematic head: a union of ellipsoids, cast along the model's rays.

The skin is sculpted from a few dozen ellipsoids (cranium, forehead, midface, brow ridges, orbits, globes,
nose, lips, malar eminences, cheek pads, zygomatic arches, mandible, chin, neck). Instead of an implicit surface that would
need ray marching, each ray is intersected with each ellipsoid in closed form: for rays that start inside the
head, the outermost point of a union of convex pieces is the largest of their far intersections, and a smooth
maximum of those distances blends the pieces the way a smooth union of distance fields would. Removing a
piece (the orbit hollows, the mouth line) takes the near intersection where the surface falls inside it.

The sculpting numbers below are **schematic**: chosen by eye so the head looks like an adult head at the
proportions of REFERENCE section 9.1, and so that the sculpture lies within a few mm of every cited landmark
before pinning (a large residual under a 14-mm pin would make a bump). The broad pieces slope into their neighbours
past their silhouettes (their ``fall``): a crisp edge there reads as a lump on the jaw or the cheek. The cited
landmarks in ``data/landmarks.csv`` then pin the surface
(see :func:`facelayers.model.geometry.build_face`), so moving a landmark moves the face.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Ellipsoid:
    """One sculpting piece.

    Parameters
    ----------
    name : str
        What it stands for.
    centre_mm : (3,) float, mm
        Centre in the head frame (left side for a mirrored piece).
    radii_mm : (3,) float, mm
        Semi-axes along the piece's own axes.
    axis : (3,) float
        Direction of the first semi-axis (need not be unit). For a mostly horizontal axis the second
        semi-axis is horizontal and the third points up; for a mostly vertical axis the second points
        anterior (+y) and the third lateral. With the default axis (+x), ``radii_mm`` are simply (x, y, z).
    op : {"add", "cut"}
        Union or subtraction.
    blend_mm : float, mm
        Width of the smooth blend with what came before.
    mirror : bool
        Also place a copy mirrored to the right side (x -> -x).
    fall : float
        How steeply the piece's surface falls away past its silhouette, seen from a ray's origin (see
        :func:`_ray_hits`): 10 keeps a crisp edge (the nose, the lips); 1.5-3 lets a broad piece (the malar
        eminence, the zygomatic arch, the jaw) slope into its neighbours without a shelf.
    """

    name: str
    centre_mm: tuple[float, float, float]
    radii_mm: tuple[float, float, float]
    axis: tuple[float, float, float] = (1.0, 0.0, 0.0)
    op: str = "add"
    blend_mm: float = 6.0
    mirror: bool = False
    fall: float = 10.0

    def frame(self, sign: float = 1.0) -> np.ndarray:
        """Rotation whose columns are the piece's axes in the head frame.

        Parameters
        ----------
        sign : float
            1.0 for the piece as given, -1.0 for its mirror image on the right side (the axis's x negated).

        Returns
        -------
        (3, 3) float64 ndarray
            Orthonormal columns: the unit ``axis``, then the second and third semi-axes' directions.
        """
        a = np.array(self.axis, float) * np.array([sign, 1.0, 1.0])
        a /= np.linalg.norm(a)
        if abs(a[2]) < 0.9:
            third = np.array([0.0, 0.0, 1.0]) - a * a[2]
            third /= np.linalg.norm(third)
            second = np.cross(third, a)
        else:
            second = np.array([0.0, 1.0, 0.0]) - a * a[1]
            second /= np.linalg.norm(second)
            third = np.cross(a, second)
        return np.stack([a, second, third], axis=1)


def _piece(name, centre, radii, axis=(1.0, 0.0, 0.0), op="add", blend=6.0, mirror=False,
           fall=10.0) -> Ellipsoid:
    return Ellipsoid(name, tuple(map(float, centre)), tuple(map(float, radii)), tuple(map(float, axis)),
                     op, float(blend), mirror, float(fall))


#: The sculpture, applied in order. Schematic (see the module docstring).
HEAD: tuple[Ellipsoid, ...] = (
    _piece("cranium", (0, -10, 30), (70, 95, 98), blend=0),
    _piece("forehead", (0, 28, 48), (58, 60, 60), blend=16),
    _piece("upper face", (0, 33, 10), (62, 50, 32), blend=20, fall=3.0),
    _piece("midface", (0, 30, -20), (54, 57, 46), blend=18, fall=3.0),
    _piece("lower face", (0, 36, -50), (47, 47, 33), blend=18, fall=3.0),
    _piece("temporal fullness", (49, 10, 30), (20, 45, 45), blend=14, mirror=True, fall=3.0),
    _piece("zygomatic arch", (58, 24, -3), (28, 5, 9), axis=(0.12, 1, 0.05), blend=20, mirror=True, fall=2.0),
    _piece("malar eminence", (40, 55, -5), (20, 9, 14), blend=20, mirror=True, fall=2.0),
    _piece("cheek", (34, 45, -25), (20, 22, 22), blend=22, mirror=True, fall=2.5),
    _piece("jaw", (40, 20, -48), (13, 30, 26), blend=24, mirror=True, fall=2.5),
    _piece("mandible body", (29, 42, -70), (36, 10, 9), axis=(-0.55, 0.82, -0.1), blend=20, mirror=True, fall=2.5),
    _piece("chin", (0, 60, -80), (19, 12, 13), blend=18, fall=3.0),
    _piece("neck", (0, -14, -115), (52, 51, 92), blend=24),
    _piece("brow ridge", (27, 76, 29), (21, 5, 6), axis=(1, -0.5, -0.05), blend=16, mirror=True, fall=2.5),
    _piece("orbit", (31, 96, 12), (18, 28, 12.5), op="cut", blend=16, mirror=True),
    _piece("globe and lids", (32, 63, 12), (14.5, 15, 12.5), blend=8, mirror=True),
    _piece("nasal dorsum", (0, 88, 2), (21, 9, 8), axis=(0, 0.38, -0.92), blend=8),
    _piece("nasal tip", (0, 92, -15), (12, 11, 8.5), blend=8),
    _piece("ala", (13, 85, -20), (8.5, 8.5, 7), blend=8, mirror=True),
    _piece("upper lip", (10, 79, -40.5), (18, 8, 7), axis=(1, -0.4, 0), blend=8, mirror=True),
    _piece("lower lip", (9, 75.5, -54.5), (18, 7.5, 6.5), axis=(1, -0.4, 0), blend=10, mirror=True),
    _piece("mouth line", (0, 96, -47.6), (35, 14, 1.3), op="cut", blend=1.8),
    _piece("nostril", (9, 94, -23.5), (4.5, 6, 2.2), axis=(1, 0.3, 0), op="cut", blend=1.5, mirror=True),
)


def _smooth_max(a: np.ndarray, b: np.ndarray, k: float) -> np.ndarray:
    """Polynomial smooth maximum of two distances (Quilez), exact max where they differ by more than k."""
    if k <= 0:
        return np.fmax(a, b)
    h = np.clip(k - np.abs(a - b), 0.0, None) / k
    return np.fmax(a, b) + h * h * k * 0.25


def smooth_min(a: np.ndarray, b: np.ndarray, k: float) -> np.ndarray:
    """A smooth minimum of two arrays (polynomial, the mirror of the smooth maximum that blends the pieces).

    Equal to ``np.fmin(a, b)`` where the two differ by ``k`` or more; in between it rounds the corner, never
    above the smaller one.

    Parameters
    ----------
    a, b : float ndarray, mm
        Broadcastable to one shape (e.g. two ray radii).
    k : float, mm
        Width of the blend; 0 or less: the plain minimum.

    Returns
    -------
    float64 ndarray, mm
        The broadcast shape.
    """
    return -_smooth_max(-a, -b, k)


def _ray_hits(piece: Ellipsoid, sign: float, origins: np.ndarray, dirs: np.ndarray):
    """Near and far distances along each ray to one placed ellipsoid, (n,) float, mm each.

    Where a ray misses, both continue past the silhouette: they meet at the ray's closest approach and
    separate in proportion to how far the ray misses. That keeps the skin continuous where a piece's
    edge, seen from the ray origin, stands proud of the surface (a plain miss would leave a step there).
    """
    rot = piece.frame(sign)
    centre = np.array(piece.centre_mm) * np.array([sign, 1.0, 1.0])
    inv_r = 1.0 / np.array(piece.radii_mm)
    o = ((origins - centre) @ rot) * inv_r
    d = (dirs @ rot) * inv_r
    a = np.einsum("ij,ij->i", d, d)
    t_mid = -np.einsum("ij,ij->i", o, d) / a
    miss2 = np.einsum("ij,ij->i", o + t_mid[:, None] * d, o + t_mid[:, None] * d)
    half = np.sqrt(np.clip(1.0 - miss2, 0.0, None) / a)
    fall = (np.sqrt(np.maximum(miss2, 1.0)) - 1.0) * piece.fall * float(np.mean(piece.radii_mm))
    fall = np.where(miss2 > 1.0, fall, 0.0)
    return t_mid - half + fall, t_mid + half - fall


def cast(origins: np.ndarray, dirs: np.ndarray, pieces: tuple[Ellipsoid, ...] = HEAD) -> np.ndarray:
    """Distance along each ray from its origin to the skin, (n,) float, mm.

    Parameters
    ----------
    origins : (n, 3) float, mm
        Ray origins, inside the head.
    dirs : (n, 3) float
        Unit directions, pointing outward.
    pieces : tuple of Ellipsoid
        The sculpting pieces, in order (default: the schematic head ``HEAD``).

    Returns
    -------
    (n,) float64 ndarray, mm
        The smooth union of the "add" pieces' far intersections, with the "cut" pieces' inner walls taken
        where a ray passes through one.
    """
    radius = np.zeros(len(origins))
    for piece in pieces:
        if piece.mirror and piece.op == "add":
            # The smooth maximum is not associative: adding the left copy, then the right, would make the head
            # asymmetric where the two copies meet (the lips at the midline). Both orders, averaged: symmetric.
            left, right = (_ray_hits(piece, sign, origins, dirs)[1] for sign in (1.0, -1.0))
            k = piece.blend_mm
            radius = 0.5 * (_smooth_max(_smooth_max(radius, left, k), right, k)
                            + _smooth_max(_smooth_max(radius, right, k), left, k))
            continue
        for sign in ((1.0, -1.0) if piece.mirror else (1.0,)):
            t_in, t_out = _ray_hits(piece, sign, origins, dirs)
            if piece.op == "add":
                radius = _smooth_max(radius, t_out, piece.blend_mm)
            else:
                # Cutting pieces sit in front of the face: where a ray passes through one, the surface
                # moves in to the piece's inner wall.
                wall = np.where((t_in <= t_out) & (radius < t_out), t_in, np.inf)
                radius = np.where(np.isfinite(wall), smooth_min(radius, wall, piece.blend_mm), radius)
    return radius


#: Where the sculpture keeps its fine detail (the nose, the lips and the philtrum, the brows and the glabella): centres and
#: semi-axes (mm) of soft ellipsoidal masks; elsewhere :mod:`facelayers.model.skin` smooths the skin wider.
FEATURES: tuple[tuple[tuple[float, float, float], tuple[float, float, float]], ...] = (
    ((0.0, 92.0, -8.0), (24.0, 30.0, 27.0)),    # the nose, alae and nostrils
    ((0.0, 82.0, -47.0), (34.0, 22.0, 15.0)),   # the lips and the commissures
    ((0.0, 84.0, 30.0), (36.0, 22.0, 13.0)),    # the brows and the glabella
)


def feature_weight(points: np.ndarray) -> np.ndarray:
    """(..., ) float in [0, 1]: 1 on the features of :data:`FEATURES`, 0 away from them, for points (..., 3) mm."""
    p = np.asarray(points, float)
    w = np.zeros(p.shape[:-1])
    for centre, radii in FEATURES:
        rho2 = (((p - np.array(centre)) / np.array(radii)) ** 2).sum(-1)
        w = np.maximum(w, np.exp(-(rho2 ** 2)))
    return w

