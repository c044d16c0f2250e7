"""The layered face: a skin sheet on a regular (u, s) grid and five layers offset inward from it.

Parametrisation
---------------
Every vertex is a ray. Between ``Z_LOW_MM`` and ``Z_CAP_MM`` a ray is horizontal, leaves the vertical axis
x = 0, y = ``Y_AXIS_MM`` at height z = s, and points at azimuth u (0 = anterior, +y; positive toward the
subject's left, +x). Above ``Z_CAP_MM`` the rays fan out from the point (0, ``Y_AXIS_MM``, ``Z_CAP_MM``) at
elevation e = (s - ``Z_CAP_MM``) / ``R_CAP_MM``, up to the crown, where one pole vertex closes the sheet.
Below ``Z_LOW_MM`` they fan downward from (0, ``Y_AXIS_MM``, ``Z_LOW_MM``) at elevation
e = (s - ``Z_LOW_MM``) / ``R_LOW_MM``, so that they meet the underside of the chin and jaw squarely instead of
grazing it; the sheet ends in an open ring around the neck.

Rays never cross, so offsetting every layer *along its own ray* can never make two interfaces cross:
interface k lies at distance ``R - depth_k`` along the ray, with ``depth`` increasing with k. Thicknesses in this
model are therefore measured along the ray (radially); on the face, where the rays meet the skin almost
square, that is the perpendicular thickness to within a few per cent (cosine of the angle).

Layers
------
Each region in ``data/regions.json`` has anchor landmarks and a thickness per layer (``data/thickness.csv``).
The thickness at any point is a normalised blend over the anchors with weights
``exp(-(d / sigma)**2) / (d**2 + eps)`` (d = distance from the point's skin position to the anchor's): the
inverse-distance factor makes it interpolate, so it equals the data at every anchor, and the Gaussian keeps
each region's influence local. It is a convex combination of the data, so it is never negative and never
exceeds the data's range.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from facelayers.anatomy.load import Anatomy, load_anatomy
from facelayers.core.frame import INTERFACES, LAYERS
from facelayers.model import eyes, head
from facelayers.model import skull as skull_module

#: The vertical axis the horizontal rays leave from, where the crown's fan starts and where the jaw's starts (mm).
Y_AXIS_MM = -5.0
Z_CAP_MM = 30.0
Z_LOW_MM = -50.0
#: Arc-length scales of the two fans' elevation angles, so s keeps roughly mm spacing (mm).
R_CAP_MM = 100.0
R_LOW_MM = 80.0
#: The lowest row: elevation of the last downward ray (rad), which ends the neck at z ~ -125 to -145 mm.
ELEV_MIN = -np.radians(62.0)
S_BOTTOM_MM = Z_LOW_MM + R_LOW_MM * ELEV_MIN
S_TOP_MM = Z_CAP_MM + R_CAP_MM * np.pi / 2

#: Width of each region's influence on the thickness field (mm).
SIGMA_MM = 32.0
#: Width of the landmark correction that pins the sculpted skin to the cited landmarks (mm).
PIN_SIGMA_MM = 14.0

#: Named resolutions: (columns around, rows up). Triangles per surface ~ 2 * nu * nv; a figure draws six.
RESOLUTIONS: dict[str, tuple[int, int]] = {
    "coarse": (64, 34),    # ~26k triangles over the six surfaces: tests
    "lecture": (144, 84),  # ~145k: the default for lessons and projection
    "fine": (256, 156),    # ~480k: stills for slides
}


def _warped(n: int, lo: float, hi: float, knots: list[tuple[float, float]], periodic: bool) -> np.ndarray:
    """Samples of [lo, hi) (periodic) or [lo, hi], n of them, whose density follows a piecewise-linear profile.

    knots : (position, density) pairs covering [lo, hi].
    """
    x = np.linspace(lo, hi, 4097)
    dens = np.interp(x, [k[0] for k in knots], [k[1] for k in knots])
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (dens[1:] + dens[:-1]) * np.diff(x))])
    cdf /= cdf[-1]
    t = np.arange(n) / n if periodic else np.linspace(0.0, 1.0, n)
    return np.interp(t, cdf, x)


def grid(nu: int, nv: int) -> tuple[np.ndarray, np.ndarray]:
    """The model's grid: azimuths and heights of its rays, denser over the face.

    Parameters
    ----------
    nu : int
        Columns around the head, at least 8.
    nv : int
        Rows up, at least 6.

    Returns
    -------
    u : (nu,) float64 ndarray, rad
        Azimuths in [-pi, pi), increasing (0 = anterior, positive toward the subject's left).
    s : (nv,) float64 ndarray, mm
        Ray parameters from ``S_BOTTOM_MM`` (the neck) to 2 mm below ``S_TOP_MM`` (the crown), increasing.

    Raises
    ------
    ValueError
        If ``nu < 8`` or ``nv < 6``.
    """
    if nu < 8 or nv < 6:
        raise ValueError(f"resolution: nu = {nu}, nv = {nv}; need nu >= 8 and nv >= 6")
    u = _warped(nu, -np.pi, np.pi, [(-np.pi, 0.45), (-1.75, 0.5), (-1.3, 1.0), (1.3, 1.0), (1.75, 0.5),
                                    (np.pi, 0.45)], periodic=True)
    s = _warped(nv, S_BOTTOM_MM, S_TOP_MM - 2.0, [(S_BOTTOM_MM, 0.4), (-110, 0.6), (-95, 1.0), (60, 1.0),
                                                   (90, 0.5), (S_TOP_MM, 0.35)], periodic=False)
    return u, s


def rays(u: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The model's rays at given parameters (see the module's notes).

    Parameters
    ----------
    u : (n,) float array-like, rad
        Azimuths (0 = anterior, +y; positive toward the subject's left, +x).
    s : (n,) float array-like, mm
        Ray parameters: the height z between ``Z_LOW_MM`` and ``Z_CAP_MM``, an arc length on the two fans.

    Returns
    -------
    origins : (n, 3) float64 ndarray, mm, head frame
        On the axis x = 0, y = ``Y_AXIS_MM``.
    directions : (n, 3) float64 ndarray
        Unit vectors, outward.
    """
    u = np.asarray(u, float)
    s = np.asarray(s, float)
    elev = np.where(s > Z_CAP_MM, np.clip((s - Z_CAP_MM) / R_CAP_MM, 0.0, np.pi / 2),
                    np.minimum((s - Z_LOW_MM) / R_LOW_MM, 0.0))
    origins = np.stack([np.zeros_like(s), np.full_like(s, Y_AXIS_MM), np.clip(s, Z_LOW_MM, Z_CAP_MM)], axis=-1)
    ce = np.cos(elev)
    dirs = np.stack([np.sin(u) * ce, np.cos(u) * ce, np.sin(elev)], axis=-1)
    return origins, dirs


def params_of(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ray through each point, and how far along it the point lies: the inverse of :func:`rays`.

    Parameters
    ----------
    points : (3,) or (n, 3) float array-like, mm, head frame

    Returns
    -------
    u : (n,) float64 ndarray, rad
    s : (n,) float64 ndarray, mm
    distance : (n,) float64 ndarray, mm
        From the ray's origin to the point.
    """
    p = np.atleast_2d(np.asarray(points, float))
    x, y, z = p[:, 0], p[:, 1] - Y_AXIS_MM, p[:, 2]
    u = np.arctan2(x, y)
    h = np.hypot(x, y)
    z0 = np.clip(z, Z_LOW_MM, Z_CAP_MM)
    elev = np.arctan2(z - z0, h)
    s = np.where(z > Z_CAP_MM, Z_CAP_MM + R_CAP_MM * elev, np.where(z < Z_LOW_MM, Z_LOW_MM + R_LOW_MM * elev, z))
    dist = np.hypot(h, z - z0)
    return u, s, dist


def _grid_faces(nu: int, nv: int) -> np.ndarray:
    """Triangles of the periodic (nu x nv) grid plus the crown fan to the pole vertex, (m, 3) int32.

    Vertex (i, j) (column i around, row j up) has index j * nu + i; the pole is nu * nv. Faces wind
    counter-clockwise seen from outside, so their normals point out of the head.
    """
    i = np.arange(nu)
    ip = (i + 1) % nu
    j = np.arange(nv - 1)[:, None]
    a = j * nu + i
    b = j * nu + ip
    c = (j + 1) * nu + ip
    d = (j + 1) * nu + i
    quads = np.stack([np.stack([a, c, b], -1), np.stack([a, d, c], -1)], axis=2).reshape(-1, 3)
    top = (nv - 1) * nu
    fan = np.stack([top + i, np.full(nu, nu * nv), top + ip], axis=-1)
    return np.concatenate([quads, fan]).astype(np.int32)


@dataclass(frozen=True)
class Pins:
    """The landmark correction: a Gaussian RBF on skin positions that makes the skin pass through the landmarks.

    Attributes
    ----------
    names : tuple of str, (k,)
        The on-skin landmarks pinned.
    centres : (k, 3) float64 ndarray, mm, head frame
        Where the sculpted skin meets each landmark's ray (before pinning).
    weights : (k,) float64 ndarray, mm
        The RBF weights.
    residual_mm : (k,) float64 ndarray, mm
        How far along its ray each landmark lay from the sculpted skin before pinning (positive: outside).
    sigma_mm : float, mm
        Width of each Gaussian.
    """

    names: tuple[str, ...]
    centres: np.ndarray
    weights: np.ndarray
    residual_mm: np.ndarray  # how far the sculpture was from each landmark before pinning
    sigma_mm: float = PIN_SIGMA_MM

    def __call__(self, skin_points: np.ndarray) -> np.ndarray:
        """The correction along the ray at skin points (n, 3) mm: (n,) float64, mm (zeros without pins)."""
        if len(self.weights) == 0:
            return np.zeros(len(skin_points))
        d2 = _sq_distances(skin_points, self.centres)
        return _mat(np.exp(-d2 / self.sigma_mm**2), self.weights)


def fit_pins(names, points: np.ndarray, base, sigma_mm: float = PIN_SIGMA_MM) -> Pins:
    """Solve the RBF weights so that the sculpted surface, corrected, passes through each point.

    Parameters
    ----------
    names : sequence of str, (k,)
    points : (k, 3) float ndarray, mm, head frame
        The targets.
    base : callable
        ``base(u, s) -> (n,) mm``: the sculpted surface's ray radius before pinning.
    sigma_mm : float, mm
        Width of the Gaussian correction.

    Returns
    -------
    Pins
    """
    u, s, target = params_of(points)
    o, d = rays(u, s)
    r0 = base(u, s)
    resid = target - r0
    centres = o + d * r0[:, None]
    d2 = ((centres[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
    phi = np.exp(-d2 / sigma_mm**2)
    w = np.linalg.solve(phi + 1e-9 * np.eye(len(phi)), resid)
    return Pins(tuple(names), centres, w, resid, float(sigma_mm))


#: Width of the smoothing applied to the sculpted skin on the grid (mm): removes creases where sculpting
#: pieces meet without blurring features (nose, lips) that are several mm across.
SMOOTH_MM = 2.2


#: Width of the second, wider smoothing of the sculpted skin away from the nose and the lips (mm): schematic.
RELAX_MM = 4.0


def _smooth_grid(radius: np.ndarray, points: np.ndarray, sigma_mm: float = SMOOTH_MM, reach: int = 4):
    """Gaussian smoothing of a (nv, nu) radius grid, with weights from the 3D distance between grid neighbours.

    So the kernel is about ``sigma_mm`` wide whatever the grid spacing. Periodic in u.
    """
    def one_axis(r, p, axis, periodic):
        total = np.zeros_like(r)
        weight = np.zeros_like(r)
        for k in range(-reach, reach + 1):
            if periodic:
                rk, pk = np.roll(r, k, axis=axis), np.roll(p, k, axis=axis)
            else:
                idx = np.clip(np.arange(r.shape[axis]) + k, 0, r.shape[axis] - 1)
                rk, pk = np.take(r, idx, axis=axis), np.take(p, idx, axis=axis)
            w = np.exp(-((np.linalg.norm(pk - p, axis=-1) / sigma_mm) ** 2))
            total += w * rk
            weight += w
        return total / weight

    out = one_axis(radius, points, 1, True)
    return one_axis(out, points, 0, False)


def _bilinear(gu: np.ndarray, gs: np.ndarray, grid_values: np.ndarray, pole: float, u, s) -> np.ndarray:
    """Bilinear interpolation of a (nv, nu) table on the (u, s) grid at parameters u (n,) rad, s (n,) mm.

    Periodic in u, the crown pole above the last row; returns (n,).
    """
    u = np.mod(np.asarray(u, float) - gu[0], 2 * np.pi) + gu[0]
    s = np.clip(np.asarray(s, float), gs[0], S_TOP_MM)
    gu = np.concatenate([gu, [gu[0] + 2 * np.pi]])
    gs = np.concatenate([gs, [S_TOP_MM]])
    table = np.concatenate([grid_values, np.full((1, grid_values.shape[1]), pole)], axis=0)
    table = np.concatenate([table, table[:, :1]], axis=1)
    i = np.clip(np.searchsorted(gu, u, side="right") - 1, 0, len(gu) - 2)
    j = np.clip(np.searchsorted(gs, s, side="right") - 1, 0, len(gs) - 2)
    tu = (u - gu[i]) / (gu[i + 1] - gu[i])
    ts = (s - gs[j]) / (gs[j + 1] - gs[j])
    return ((1 - ts) * ((1 - tu) * table[j, i] + tu * table[j, i + 1])
            + ts * ((1 - tu) * table[j + 1, i] + tu * table[j + 1, i + 1]))


def _grid_key(values: np.ndarray) -> np.ndarray:
    """A grid axis as a contiguous float64 array (its bytes key the sculpture caches)."""
    return np.ascontiguousarray(values, dtype=float)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@lru_cache(maxsize=8)
def _skin_sculpture(gu_bytes: bytes, gs_bytes: bytes) -> tuple[np.ndarray, float]:
    """The smoothed sculpture's ray radius on a grid, (nv, nu) mm (read-only), and at the crown pole, mm.

    Keyed on the grid's exact bytes (float64 gu (nu,) rad, gs (nv,) mm): the head is closed-form shapes
    (:mod:`facelayers.model.head`), so the result depends on the grid alone and every build at one resolution
    shares it.
    """
    gu, gs = np.frombuffer(gu_bytes), np.frombuffer(gs_bytes)
    uu, ss = np.meshgrid(gu, gs)
    o, d = rays(uu.ravel(), ss.ravel())
    raw = head.cast(o, d)
    pts = (o + d * raw[:, None]).reshape(len(gs), len(gu), 3)
    smooth = _smooth_grid(raw.reshape(len(gs), len(gu)), pts)
    # Away from the nose and the lips the sculpture's seams are smoothed again, wider (the cheeks, the jaw
    # line, the temples read as one smooth surface); the features keep the narrow smoothing.
    wide = _smooth_grid(smooth, pts, sigma_mm=RELAX_MM, reach=5)
    keep = head.feature_weight(pts)
    smooth = keep * smooth + (1.0 - keep) * wide
    # The eyelids over the globes, after the smoothing so that the lid margins stay crisp (facelayers.model.eyes).
    smooth = eyes.sculpt_lids(o, d, smooth.ravel()).reshape(smooth.shape)
    po, pd = rays(np.zeros(1), np.array([S_TOP_MM]))
    return _read_only(smooth), float(head.cast(po, pd)[0])


@dataclass(frozen=True, eq=False)
class Skin:
    """The skin surface as a function of the ray parameters.

    The sculpture (:mod:`facelayers.model.head`) is cast once on the model's grid and smoothed there; anywhere
    else its radius is interpolated bilinearly from that grid, so the mesh, nerves, sections and planes all
    see one surface. The landmark pins are added on top.

    Attributes
    ----------
    gu : (nu,) float64 ndarray, rad
        The grid's azimuths.
    gs : (nv,) float64 ndarray, mm
        The grid's ray parameters.
    base : (nv, nu) float64 ndarray, mm
        The smoothed sculpture's ray radius on the grid (read-only: shared between builds).
    pole_mm : float, mm
        Its radius at the crown pole.
    pins : Pins or None
        The landmark correction (None before pinning).
    """

    gu: np.ndarray
    gs: np.ndarray
    base: np.ndarray
    pole_mm: float
    pins: Pins | None = None

    @classmethod
    def sculpt(cls, gu: np.ndarray, gs: np.ndarray) -> Skin:
        """The sculpture (:data:`facelayers.model.head.HEAD`) cast on the grid gu (nu,) rad, gs (nv,) mm and smoothed.

        It depends on the grid only, so it is cached per grid (:func:`_skin_sculpture`; read-only arrays).
        """
        gu, gs = _grid_key(gu), _grid_key(gs)
        smooth, pole = _skin_sculpture(gu.tobytes(), gs.tobytes())
        return cls(gu, gs, smooth, pole)

    def base_radius(self, u, s) -> np.ndarray:
        """The smoothed sculpture's radius at (u rad, s mm), (n,) mm: bilinear on the grid."""
        return _bilinear(self.gu, self.gs, self.base, self.pole_mm, u, s)

    def radius(self, u, s) -> np.ndarray:
        """Distance from each ray's origin to the pinned skin, (n,) mm."""
        base = self.base_radius(u, s)
        if self.pins is None:
            return base
        o, d = rays(u, s)
        return base + self.pins(o + d * base[:, None])

    def pinned(self, names, points: np.ndarray) -> Skin:
        """The same skin pinned through points (k, 3) mm named ``names`` (:func:`fit_pins`), a new Skin."""
        return Skin(self.gu, self.gs, self.base, self.pole_mm, fit_pins(names, points, self.base_radius))


#: Smoothing of the sculpted skull on the grid (mm): narrower than the skin's, to keep the rims crisp.
SKULL_SMOOTH_MM = 1.2
#: Where the ray meets the skin very obliquely, a perpendicular thickness t is laid along the ray as
#: t / max(cos, COS_MIN), so a grazing ray cannot blow a thin layer up (only the ear and the nostril rims).
COS_MIN = 0.3


def skin_normals(skin: Skin, u, s, du: float = 0.03, ds_mm: float = 3.0) -> np.ndarray:
    """Outward unit normals of the skin at given ray parameters.

    Central differences of the skin's parametrisation over about 5-6 mm (wider than a lecture grid cell, so
    the normal does not jump where the bilinear skin crosses a grid line; a step of the same
    size at every resolution, so the normal at a point does not depend on the grid). Where the
    parametrisation degenerates (the crown pole) the ray direction is used.

    Parameters
    ----------
    skin : Skin
    u : (n,) float array-like, rad
    s : (n,) float array-like, mm
    du : float, rad
        Half-step of the difference in u.
    ds_mm : float, mm
        Half-step of the difference in s (the stencil is kept between ``S_BOTTOM_MM`` and ``S_TOP_MM``).

    Returns
    -------
    (n, 3) float64 ndarray
        Unit vectors, turned to the outer side (never against the ray's direction).
    """
    u = np.asarray(u, float)
    s = np.asarray(s, float)

    def point(uu, ss):
        o, d = rays(uu, ss)
        return o + d * skin.radius(uu, ss)[:, None]

    s_lo = np.clip(s - ds_mm, S_BOTTOM_MM, S_TOP_MM - 2 * ds_mm)
    s_hi = s_lo + 2 * ds_mm
    s_hi = np.maximum(s_hi, np.minimum(s + ds_mm, S_TOP_MM))
    # The four stencil points in one evaluation of the skin (the same values as four).
    p4 = point(np.concatenate([u + du, u - du, u, u]), np.concatenate([s, s, s_hi, s_lo])).reshape(4, len(u), 3)
    pu = p4[0] - p4[1]
    ps = p4[2] - p4[3]
    n = np.cross(ps, pu)
    _, d = rays(u, s)
    length = np.linalg.norm(n, axis=1)
    n = np.where(length[:, None] > 1e-6, n / np.maximum(length, 1e-12)[:, None], d)
    n *= np.sign(np.einsum("ij,ij->i", n, d) + 1e-12)[:, None]
    return n


def _mat(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The product ``a @ b`` of a (n, k) and b (k,) or (k, m), by einsum's own loop rather than BLAS.

    The model's products are tall and thin (k, m of a few dozen), where a threaded BLAS call spends more on
    handing work to its threads than on the sums (and stalls when the machine is busy). Equal to ``a @ b`` to
    rounding.
    """
    return np.einsum("ik,k->i" if b.ndim == 1 else "ik,km->im", a, b)


def _sq_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared distances (n, k) between points a (n, 3) and b (k, 3); never negative.

    Computed as |a|^2 + |b|^2 - 2 a.b (a matrix product instead of an (n, k, 3) temporary).
    """
    # einsum's own loop, not BLAS: for an inner dimension of 3 a threaded BLAS call costs more in thread
    # hand-offs than it computes (and stalls on a busy machine); the values agree to rounding (1e-12 mm^2).
    d2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * np.einsum("ij,kj->ik", a, b)
    return np.maximum(d2, 0.0)


@dataclass(frozen=True)
class Blend:
    """A local, interpolating blend of values given at anchor points.

    Weights ``exp(-(d / sigma)**2) / (d**2 + eps)``, normalised (as :class:`ThicknessField`), so it equals each
    value at its anchor and stays within the values' range.

    Attributes
    ----------
    anchors : (k, 3) float64 ndarray, mm, head frame
    values : (k,) float64 ndarray, mm
    sigma_mm : float, mm
        Width of each anchor's influence.
    """

    anchors: np.ndarray
    values: np.ndarray
    sigma_mm: float

    def weights(self, points: np.ndarray) -> np.ndarray:
        """(n, k) normalised weights of the anchors at points (n, 3) mm (rows sum to 1)."""
        d2 = _sq_distances(points, self.anchors)
        logw = -d2 / self.sigma_mm**2 - np.log(d2 + 1e-9)
        logw -= logw.max(axis=1, keepdims=True)
        w = np.exp(logw)
        return w / w.sum(axis=1, keepdims=True)

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """The blended value (n,) at points (n, 3) mm."""
        if len(self.values) == 0:
            return np.zeros(len(points))
        return _mat(self.weights(points), self.values)


@lru_cache(maxsize=8)
def _skull_sculpture(gu_bytes: bytes, gs_bytes: bytes):
    """The sculpted skull on a grid (float64 gu (nu,) rad, gs (nv,) mm, as bytes).

    Returns base and cavity (nv, nu) mm, (base, cavity) at the crown pole, the smoothed envelope (nv, nu) mm and
    at the pole. Closed-form shapes (:mod:`facelayers.model.skull`), so it depends on the grid alone; the arrays are
    read-only.
    """
    gu, gs = np.frombuffer(gu_bytes), np.frombuffer(gs_bytes)
    uu, ss = np.meshgrid(gu, gs)
    o, d = rays(np.concatenate([uu.ravel(), [0.0]]), np.concatenate([ss.ravel(), [S_TOP_MM]]))
    env = skull_module.envelope(o, d)
    shape = (len(gs), len(gu))
    pts = (o[:-1] + d[:-1] * env[:-1, None]).reshape(*shape, 3)
    env_grid = _smooth_grid(env[:-1].reshape(shape), pts)
    env = np.concatenate([env_grid.ravel(), env[-1:]])
    rel, cav = skull_module.relief(o + d * env[:, None])
    base = env + rel
    return (_read_only(base[:-1].reshape(shape)), _read_only(cav[:-1].reshape(shape)),
            (float(base[-1]), float(cav[-1])), _read_only(env_grid), float(env[-1]))


@dataclass(frozen=True, eq=False)
class SkullSurface:
    """The schematic skull (:mod:`facelayers.model.skull`) as ray radii on the model's grid, fitted to the tissue depths.

    Attributes
    ----------
    gu : (nu,) float64 ndarray, rad
    gs : (nv,) float64 ndarray, mm
    base : (nv, nu) float64 ndarray, mm
        Ray radius of the sculpted skull (envelope plus relief).
    cavity : (nv, nu) float64 ndarray, mm
        How deep the pits (orbits, aperture, foramina) are there.
    poles : (float, float), mm
        ``base`` and ``cavity`` at the crown pole.
    fit : Blend or None
        The correction that puts the bone at each tissue-depth site's depth below the skin (the sites named in
        ``site_names``); None before fitting.
    site_names : tuple of str
    fitted_grid : (nv, nu) float64 ndarray, mm, or None
        The fitted ray radius on the grid; ``fitted_pole`` at the crown.
    envelope : (nv, nu) float64 ndarray, mm, or None
        The smoothed envelope (no relief) on the grid; ``envelope_pole`` at the crown.
    shape : facelayers.model.skull.SkullShape or None
        A patient's skull (:meth:`with_shape`); None: the reference skull.
    """

    gu: np.ndarray
    gs: np.ndarray
    base: np.ndarray
    cavity: np.ndarray
    poles: tuple[float, float]
    fit: Blend | None = None
    site_names: tuple[str, ...] = ()
    fitted_grid: np.ndarray | None = None
    fitted_pole: float = 0.0
    envelope: np.ndarray | None = None
    envelope_pole: float = 0.0
    shape: skull_module.SkullShape | None = None

    @classmethod
    def sculpt(cls, gu: np.ndarray, gs: np.ndarray) -> SkullSurface:
        """Cast the skull's envelope on the grid gu (nu,) rad, gs (nv,) mm, smooth it as the skin is, add the relief.

        It depends on the grid only, so it is cached per grid (:func:`_skull_sculpture`; read-only arrays).
        """
        gu, gs = _grid_key(gu), _grid_key(gs)
        base, cavity, poles, env_grid, env_pole = _skull_sculpture(gu.tobytes(), gs.tobytes())
        return cls(gu, gs, base, cavity, poles, envelope=env_grid, envelope_pole=env_pole)

    def with_foramina(self, foramina: dict[str, tuple[float, float]]) -> SkullSurface:
        """The same skull with the foramina's pits on the rays ``{name: (u rad, s mm)}`` (left side).

        Each pit is laid where its ray meets the envelope, so it stays on that ray whatever the fit does.
        """
        if not foramina:
            return self
        names = list(foramina)
        fu = np.array([foramina[n][0] for n in names])
        fs = np.array([foramina[n][1] for n in names])
        fo, fd = rays(fu, fs)
        fr = _bilinear(self.gu, self.gs, self.envelope, self.envelope_pole, fu, fs)
        centres = {n: p for n, p in zip(names, fo + fd * fr[:, None])}
        uu, ss = np.meshgrid(self.gu, self.gs)
        o, d = rays(uu.ravel(), ss.ravel())
        pts = o + d * self.envelope.ravel()[:, None]
        rel, cav = skull_module.relief(pts, skull_module.foramina(centres), base_relief=False)
        return dataclasses.replace(self, base=self.base + rel.reshape(self.base.shape),
                                   cavity=self.cavity + cav.reshape(self.base.shape))

    def base_radius(self, u, s) -> np.ndarray:
        """The sculpted skull's ray radius before fitting, (n,) mm."""
        return _bilinear(self.gu, self.gs, self.base, self.poles[0], u, s)

    def correction(self, u, s) -> np.ndarray:
        """The fitting correction at (u, s), (n,) mm (zero before fitting)."""
        return self.radius(u, s) - self.base_radius(u, s)

    def radius(self, u, s) -> np.ndarray:
        """Ray radius of the fitted skull (bone, cavities open) at u (n,) rad, s (n,) mm: (n,) float64, mm.

        The fitted radius is computed on the grid and interpolated bilinearly, like the skin.
        """
        if self.fitted_grid is None:
            return self.base_radius(u, s)
        return _bilinear(self.gu, self.gs, self.fitted_grid, self.fitted_pole, u, s)

    def points(self, u, s) -> np.ndarray:
        """The fitted skull's points (n, 3) mm on the rays (u, s)."""
        o, d = rays(u, s)
        return o + d * self.radius(u, s)[:, None]

    def is_bone(self, u, s) -> np.ndarray:
        """(n,) bool: the skull is bone there (not the neck, see :func:`facelayers.model.skull.is_bone`)."""
        return skull_module.is_bone(self.points(u, s), self.shape)

    def cavity_weight(self, u, s, no_bone: np.ndarray | None = None) -> np.ndarray:
        """How much each ray looks into a cavity: (n,) float64 in [0, 1].

        1 where the ray looks into a cavity (orbit, piriform aperture, foramen) deeper than 7.5 mm or finds no
        bone (the neck), 0 on bone and on the rims (pits under 2.5 mm); a smooth ramp between. ``no_bone`` (n,):
        :meth:`no_bone_weight` at (u, s) if already computed (saves recomputing it).
        """
        cav = _bilinear(self.gu, self.gs, self.cavity, self.poles[1], u, s)
        w = skull_module.smoothstep((cav - 2.5) / 5.0)
        return np.maximum(w, self.no_bone_weight(u, s) if no_bone is None else no_bone)

    def no_bone_weight(self, u, s, points: np.ndarray | None = None) -> np.ndarray:
        """How far each ray is off the bone: (n,) float64 in [0, 1].

        1 off the bone (the neck), 0 on it, a smooth ramp over ~4 mm on the neck's side of the mandible's
        borders and the skull base (:func:`facelayers.model.skull.bone_field`). ``points`` (n, 3) mm: :meth:`points`
        at (u, s) if already computed.
        """
        points = self.points(u, s) if points is None else points
        return 1.0 - skull_module.smoothstep((skull_module.bone_field(points, self.shape) + 4.0) / 4.0)

    def with_shape(self, shape: skull_module.SkullShape) -> SkullSurface:
        """The same (fitted) skull changed to a patient's :class:`~facelayers.model.skull.SkullShape`.

        The change of the relief (``relief(added) - relief(removed)`` of :meth:`SkullShape.changed_features`,
        laid on the envelope like the foramina) is added to the sculpture and to the fitted radius *after* the
        fit, so the patient's bone moves by it everywhere, the tissue-depth sites included (there the total
        depth changes by the bone's change). The mandible's borders follow ``shape`` through :meth:`is_bone`
        and :meth:`no_bone_weight`. The reference shape returns this skull unchanged.
        """
        if shape.is_reference:
            return self
        added, removed = shape.changed_features()
        uu, ss = np.meshgrid(self.gu, self.gs)
        o, d = rays(uu.ravel(), ss.ravel())
        pts = o + d * self.envelope.ravel()[:, None]
        rel_a, cav_a = skull_module.relief(pts, added, base_relief=False)
        rel_r, cav_r = skull_module.relief(pts, removed, base_relief=False)
        delta = (rel_a - rel_r).reshape(self.base.shape)
        dcav = (cav_a - cav_r).reshape(self.base.shape)
        fitted = None if self.fitted_grid is None else self.fitted_grid + delta
        return dataclasses.replace(self, base=self.base + delta, cavity=np.maximum(self.cavity + dcav, 0.0),
                                   fitted_grid=fitted, shape=shape)

    def fitted(self, names, points: np.ndarray) -> SkullSurface:
        """The skull corrected so that it passes through the bone points (k, 3) mm named ``names``.

        Each point's radial residual is blended over :data:`facelayers.model.skull.SKULL_BLEND_SIGMA_MM`. The blend
        is found with the bilinear radius the model uses, so the fitted surface passes through the points to
        within the grid's interpolation (a few hundredths of a mm), and then stored on the grid.
        """
        u, s, target = params_of(points)
        o, d = rays(u, s)
        r0 = self.base_radius(u, s)
        anchors = o + d * r0[:, None]
        uu, ss = np.meshgrid(self.gu, self.gs)
        go, gd = rays(np.concatenate([uu.ravel(), [0.0]]), np.concatenate([ss.ravel(), [S_TOP_MM]]))
        flat = np.concatenate([self.base.ravel(), [self.poles[0]]])
        grid_pts = go + gd * flat[:, None]
        fitted = flat.copy()
        values = np.zeros(len(u))
        weights = Blend(anchors, values, skull_module.SKULL_BLEND_SIGMA_MM).weights(grid_pts)
        # A few rounds: the blend is stored on the grid and read back bilinearly; each round adds the
        # residual the bilinear read leaves at the sites (it shrinks with the grid spacing).
        for _ in range(4):
            at_sites = _bilinear(self.gu, self.gs, fitted[:-1].reshape(self.base.shape), fitted[-1], u, s)
            residual = target - at_sites
            values = values + residual
            fitted = fitted + _mat(weights, residual)
        fit = Blend(anchors, values, skull_module.SKULL_BLEND_SIGMA_MM)
        return dataclasses.replace(self, fit=fit, site_names=tuple(names),
                                   fitted_grid=fitted[:-1].reshape(self.base.shape), fitted_pole=float(fitted[-1]))


def s_at_height(u: np.ndarray, z_mm: float, skin: Skin, iterations: int = 40) -> np.ndarray:
    """Grid parameter s whose skin point lies at height ``z_mm`` on each azimuth.

    Between ``Z_LOW_MM`` and ``Z_CAP_MM`` that is s = z; on the fans (jaw and neck, crown) s is an arc length,
    so it is found by bisection (the skin's height grows with s along each azimuth).

    Parameters
    ----------
    u : (n,) float array-like, rad
    z_mm : float, mm
        The height (head frame z).
    skin : Skin
    iterations : int
        Bisection steps on a fan.

    Returns
    -------
    (n,) float64 ndarray, mm
        Clamped to the fan's range where the skin never reaches ``z_mm`` on it.
    """
    u = np.asarray(u, float)
    if Z_LOW_MM <= z_mm <= Z_CAP_MM:
        return np.full_like(u, float(z_mm))
    lo, hi = (np.full_like(u, S_BOTTOM_MM), np.full_like(u, Z_LOW_MM)) if z_mm < Z_LOW_MM else \
        (np.full_like(u, Z_CAP_MM), np.full_like(u, S_TOP_MM))
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        o, d = rays(u, mid)
        z = o[:, 2] + d[:, 2] * skin.radius(u, mid)
        below = z < z_mm
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return 0.5 * (lo + hi)


@dataclass(frozen=True, eq=False)
class ThicknessField:
    """Per-layer thickness anywhere on the skin: a local, interpolating blend of the regions' data.

    Attributes
    ----------
    regions : tuple of str, (r,)
        The region ids of ``data/regions.json``.
    anchors : (a, 3) float64 ndarray, mm, head frame
        Skin positions of the anchors.
    anchor_names : tuple of str, (a,)
        The anchors' landmarks: ``"<id>"``, or ``"<id>:left"`` and ``"<id>:right"`` for a bilateral one.
    anchor_region : (a,) int ndarray
        Index into ``regions``.
    table : (r, 5) float64 ndarray, mm
        Thickness by region and layer (perpendicular to the skin, as the data give it).
    """

    regions: tuple[str, ...]
    anchors: np.ndarray
    anchor_names: tuple[str, ...]
    anchor_region: np.ndarray
    table: np.ndarray

    def region_weights(self, skin_points: np.ndarray) -> np.ndarray:
        """(n, r) float: each region's share of the blend at each skin point (rows sum to 1)."""
        d2 = _sq_distances(skin_points, self.anchors)
        logw = -d2 / SIGMA_MM**2 - np.log(d2 + 1e-9)
        logw -= logw.max(axis=1, keepdims=True)
        w = np.exp(logw)
        w /= w.sum(axis=1, keepdims=True)
        return _mat(w, self.one_hot)

    @cached_property
    def one_hot(self) -> np.ndarray:
        """(a, r) float: which region each anchor belongs to."""
        return np.eye(len(self.regions))[self.anchor_region]

    def __call__(self, skin_points: np.ndarray) -> np.ndarray:
        """(n, 5) float, mm: thickness of each layer at each skin point."""
        return _mat(self.region_weights(skin_points), self.table)


@dataclass(frozen=True)
class Stack:
    """The layer stack under a set of skin points (any (u, s), not only grid vertices).

    Attributes
    ----------
    u : (n,) float64 ndarray, rad
    s : (n,) float64 ndarray, mm
        The rays' parameters.
    points : (n, 6, 3) float64 ndarray, mm, head frame
        Skin, then the outer face of fat, SMAS, muscle, periosteum, then bone.
    depth : (n, 6) float64 ndarray, mm
        Depth of each interface below the skin along the ray (``depth[:, 0]`` = 0).
    thickness : (n, 5) float64 ndarray, mm
        Each layer's length along the ray (``np.diff(depth)``), the step that :meth:`at_depth` and the nerves'
        placement use.
    region_weights : (n, r) float64 ndarray
        Each region's share of the thickness blend (rows sum to 1).
    perpendicular : (n, 5) float64 ndarray, mm
        Each layer's thickness measured perpendicular to the skin, the quantity the data give: skin, fat and
        SMAS ``thickness * max(cos(ray, normal), COS_MIN)`` (or the larger cosine that fits them in where the
        ray has too little room, at most ``cos_ray``), the periosteum ``thickness * cos_ray``, the muscle layer
        the rest of the normal depth (``depth[:, -1] * cos_ray`` minus the other four), so the five add up to
        the normal depth.
    cos_ray : (n,) float64 ndarray
        The column's factor c between a depth across the skin and along the ray: on bone, the bone's depth
        along the skin normal over its depth along the ray; over a cavity, the cosine of the angle between ray
        and normal. The periosteum is laid as t / c.
    normals : (n, 3) float64 ndarray
        The skin's outward unit normal.
    """

    u: np.ndarray
    s: np.ndarray
    points: np.ndarray
    depth: np.ndarray
    thickness: np.ndarray
    region_weights: np.ndarray
    perpendicular: np.ndarray | None = None
    cos_ray: np.ndarray | None = None
    normals: np.ndarray | None = None

    def at_depth(self, layer: int | np.ndarray, fraction: float | np.ndarray) -> np.ndarray:
        """Points at a depth given as (layer index, fraction within the layer) on each of the stack's rays.

        Parameters
        ----------
        layer : int or (n,) int ndarray
            Layer index, 0 (skin) to 4 (periosteum); 5 with fraction 0 is bone.
        fraction : float or (n,) float ndarray
            0 = the layer's outer face, 1 = its inner face.

        Returns
        -------
        (n, 3) float64 ndarray, mm, head frame
        """
        layer = np.broadcast_to(np.asarray(layer), (len(self.u),))
        fraction = np.broadcast_to(np.asarray(fraction, float), (len(self.u),))
        idx = np.arange(len(self.u))
        top = self.points[idx, layer]
        bottom = self.points[idx, layer + 1]
        return top + fraction[:, None] * (bottom - top)


@dataclass(frozen=True, eq=False)
class FaceModel:
    """The built face: one grid of rays shared by the six surfaces.

    Attributes
    ----------
    anatomy : Anatomy
    nu, nv : int
        Columns around and rows up.
    u : (n,) float64 ndarray, rad
        Azimuth of each vertex's ray (n = nu * nv + 1; vertex j * nu + i is column i, row j; the last is the
        crown pole).
    s : (n,) float64 ndarray, mm
        Ray parameter of each vertex.
    faces : (m, 3) int32 ndarray
        Triangles shared by every surface, outward-facing.
    skin_surface : Skin
        The skin as a function of the ray parameters (sculpture on the grid + landmark pins).
    thickness_field : ThicknessField
    stack : Stack
        The layer stack on the grid's rays.
    skull_surface : SkullSurface
        The schematic skull fitted to the tissue-depth table; drawn by :meth:`skull_mesh`.
    patient : facelayers.model.patient.Patient or None
        The patient it was built for (``build_face(patient=...)``); None: the data tables as they are.

    Raises
    ------
    ValueError
        If ``faces`` is not (m, 3) int32 or indexes outside the vertices, or a vertex is not finite.
    """

    anatomy: Anatomy
    nu: int
    nv: int
    u: np.ndarray
    s: np.ndarray
    faces: np.ndarray
    skin_surface: Skin
    thickness_field: ThicknessField
    stack: Stack = field(repr=False)
    skull_surface: SkullSurface | None = field(default=None, repr=False)
    patient: Any = None

    def __post_init__(self):
        n = len(self.u)
        if self.faces.dtype != np.int32 or self.faces.ndim != 2 or self.faces.shape[1] != 3:
            raise ValueError(f"faces: dtype {self.faces.dtype}, shape {self.faces.shape}; need (m, 3) int32")
        if self.faces.min() < 0 or self.faces.max() >= n:
            raise ValueError(f"faces: index out of range [0, {n})")
        if not np.isfinite(self.stack.points).all():
            raise ValueError("stack: non-finite vertex positions")

    @property
    def n_vertices(self) -> int:
        """Vertices per surface (nu * nv + 1)."""
        return len(self.u)

    @property
    def n_triangles(self) -> int:
        """Triangles over the six surfaces, as a figure draws them."""
        return len(self.faces) * len(INTERFACES)

    def interface(self, k: int | str) -> np.ndarray:
        """Vertices of one interface: (n, 3) float64 ndarray, mm, head frame.

        Parameters
        ----------
        k : int or str
            Index (0 skin ... 5 bone) or name in :data:`facelayers.core.frame.INTERFACES`.

        Raises
        ------
        ValueError
            If ``k`` is not an interface.
        """
        k = interface_index(k)
        return self.stack.points[:, k]

    @property
    def skin(self) -> np.ndarray:
        """The skin's vertices: (n, 3) float64 ndarray, mm, head frame."""
        return self.stack.points[:, 0]

    @property
    def thickness(self) -> np.ndarray:
        """Each layer's thickness along the ray at each vertex: (n, 5) float64 ndarray, mm."""
        return self.stack.thickness

    @cached_property
    def region_index(self) -> np.ndarray:
        """The region with the largest share at each vertex: (n,) int ndarray, an index into ``thickness_field.regions``."""
        return self.stack.region_weights.argmax(axis=1)

    def stack_at(self, u, s) -> Stack:
        """The layer stack at arbitrary ray parameters, by the same rule as the grid's.

        Parameters
        ----------
        u : (n,) float array-like, rad
        s : (n,) float array-like, mm

        Returns
        -------
        Stack
        """
        return _stack(np.asarray(u, float), np.asarray(s, float), self.skin_surface, self.thickness_field,
                      self.skull_surface)

    def skull_at(self, u, s) -> np.ndarray:
        """The skull's points on the rays (u (n,) rad, s (n,) mm): (n, 3) float64 ndarray, mm, head frame.

        The same surface as :attr:`skull`, anywhere (kept at least ``MIN_SOFT_TISSUE_MM`` inside the skin).
        """
        u = np.asarray(u, float)
        s = np.asarray(s, float)
        o, d = rays(u, s)
        r = bone_radius(self.skin_surface.radius(u, s), self.skull_surface.radius(u, s))
        return o + d * r[:, None]

    @cached_property
    def skull(self) -> np.ndarray:
        """The skull's vertices (n, 3) mm on the grid's rays (cavities open; under the neck, the neck column)."""
        return self.skull_at(self.u, self.s)

    @cached_property
    def skull_cavity(self) -> np.ndarray:
        """(n,) float, mm: how deep the skull's pits (orbits, piriform aperture, foramina) are at each vertex."""
        sk = self.skull_surface
        return _bilinear(sk.gu, sk.gs, sk.cavity, sk.poles[1], self.u, self.s)

    @cached_property
    def bone_mask(self) -> np.ndarray:
        """(n,) bool: vertices where the skull is bone (not the neck column)."""
        return self.skull_surface.is_bone(self.u, self.s)

    def skull_mesh(self) -> tuple[np.ndarray, np.ndarray]:
        """The skull as its own surface.

        The grid's skull cut exactly along the mandible's lower and posterior borders and the skull base
        (:func:`facelayers.model.skull.bone_field`), so those are clean open edges; the orbits and the piriform
        aperture are open pits. The first n vertices are the grid's (vertex i is ray i); the cut adds more.

        Returns
        -------
        vertices : (v, 3) float32 ndarray, mm, head frame
        faces : (f, 3) int32 ndarray
            Outward-facing.
        """
        verts, faces = skull_module.clip_mesh(self.skull, self.faces,
                                              skull_module.bone_field(self.skull, self.skull_surface.shape))
        return verts.astype(np.float32), faces

    @cached_property
    def skull_mesh_cavity(self) -> np.ndarray:
        """Pit depth (v,) mm at each vertex of :meth:`skull_mesh` (for shading)."""
        verts, _ = self.skull_mesh()
        u, s, _ = params_of(verts.astype(float))
        sk = self.skull_surface
        return _bilinear(sk.gu, sk.gs, sk.cavity, sk.poles[1], u, s)

    def stack_under(self, points) -> Stack:
        """The layer stack on the rays through points (e.g. landmarks).

        Parameters
        ----------
        points : (n, 3) float array-like, mm, head frame

        Returns
        -------
        Stack
        """
        u, s, _ = params_of(points)
        return self.stack_at(u, s)


def _index(value: int | str, names: tuple[str, ...], what: str) -> int:
    """Position of ``value`` (a name or an index) in ``names``; a clear error lists the allowed names."""
    allowed = f"allowed: {', '.join(names)} (or an index 0..{len(names) - 1})"
    if isinstance(value, str):
        if value not in names:
            raise ValueError(f"{what} {value!r} is not known; {allowed}")
        return names.index(value)
    if not 0 <= int(value) < len(names):
        raise ValueError(f"{what} index {value} is out of range; {allowed}")
    return int(value)


def interface_index(k: int | str) -> int:
    """Index of a surface (0..5) in ``INTERFACES`` from its name or index.

    Raises
    ------
    ValueError
        An unknown name or an index out of range; the message lists the allowed names.
    """
    return _index(k, INTERFACES, "interface")


def _stack(u: np.ndarray, s: np.ndarray, skin: Skin, thick: ThicknessField, skull: SkullSurface) -> Stack:
    """The layer stack on the rays (u, s): the soft tissues standing on the skull.

    The skin, fat, SMAS and periosteum take their data thickness measured perpendicular to the skin; the
    muscle layer (deep fascia, muscle, deep fat) takes what is left down to the stack's floor. Skin, fat and
    SMAS lie just under the skin and are laid along the ray as t / cos(ray, skin normal), so that measured
    along the skin's normal they keep their data thickness (where the ray has too little room, with the larger
    cosine that just fits them, at most c); the periosteum lies on the bone and is laid as
    t / c, c the bone's depth along the skin's normal over its depth along the ray (over a cavity, the
    cosine between ray and normal); the muscle layer's perpendicular thickness is the normal depth minus the
    other four (exact at the tissue-depth sites). The floor is the fitted skull, except over a cavity or where
    there is no bone, where it runs at the regions' total depth (over the globe, the nasal cartilages, the
    deep cervical fascia). If the room is less than the five data layers need, all five shrink in proportion
    (the muscle layer, which holds layer 4 and the nerves under it, keeps its share and is never empty).
    """
    o, d = rays(u, s)
    radius = skin.radius(u, s)
    skin_pts = o + d * radius[:, None]
    weights = thick.region_weights(skin_pts)
    data = _mat(weights, thick.table)
    normals = skin_normals(skin, u, s)
    cos = np.einsum("ij,ij->i", normals, d)
    skull_r = skull.radius(u, s)
    bone = bone_radius(radius, skull_r)
    no_bone = skull.no_bone_weight(u, s, o + d * skull_r[:, None])
    w = skull.cavity_weight(u, s, no_bone)
    # On bone the layers are laid with an effective cosine, the bone's depth along the skin normal over its
    # depth along the ray, so that their perpendicular thicknesses add up to the normal depth the
    # tissue-depth table gives (exact at its sites); over a cavity, with the ray's cosine.
    normal_depth = _depth_along_normal(skin_pts, normals, skull, (radius - bone) * np.maximum(cos, COS_MIN))
    on_bone = np.clip(normal_depth / np.maximum(radius - bone, 1e-6), 0.8 * np.maximum(cos, COS_MIN), 1.5)
    lay = w * np.maximum(cos, COS_MIN) + (1.0 - w) * on_bone  # continuous across a cavity's rim
    fill = radius - data.sum(axis=1) / lay
    # Over a pit the floor rises to the fill (the globe, the cartilage), never below the bone; where there is
    # no bone at all (the neck) it is the fill.
    lift = np.maximum(fill - bone, 0.0) + no_bone * np.minimum(fill - bone, 0.0)
    floor = bone + w * lift
    # Never past the axis: the deepest surface keeps at least 2 mm of the ray (only matters in the neck).
    floor = np.clip(floor, 2.0, None)
    total = np.maximum(radius - floor, 0.0)
    # Skin, fat and SMAS lie just under the skin: laid with the skin's own cosine, so that measured along the
    # skin's normal they keep their data thickness (with the column's factor they were up to 22% off at the
    # temple, cheek and masseter); the periosteum lies on the bone: laid with the column's factor. Where the
    # ray leaves less room than that and the muscle layer's data need, the three take the cosine that just fills
    # it (at most the column's factor); if even that is too little, all five shrink in proportion, so the muscle
    # layer (layer 4 and the nerves under it) keeps its share and is never squeezed to nothing.
    skin_cos = np.maximum(cos, COS_MIN)
    periosteum = data[:, 4] / lay
    muscle = data[:, 3] / lay
    top = data[:, :3].sum(axis=1)
    fills = top / np.maximum(total - periosteum - muscle, 1e-9)
    top_cos = np.maximum(skin_cos, np.minimum(fills, np.maximum(lay, skin_cos)))
    upper = np.concatenate([data[:, :3] / top_cos[:, None], periosteum[:, None]], axis=1)
    scale = np.minimum(1.0, total / np.maximum(upper.sum(axis=1) + muscle, 1e-9))
    upper = upper * scale[:, None]
    along = np.stack([upper[:, 0], upper[:, 1], upper[:, 2], total - upper.sum(axis=1), upper[:, 3]], axis=1)
    along = np.maximum(along, 0.0)
    depth = np.concatenate([np.zeros((len(u), 1)), np.cumsum(along, axis=1)], axis=1)
    points = o[:, None, :] + d[:, None, :] * (radius[:, None] - depth)[:, :, None]
    thickness = np.diff(depth, axis=1)
    perpendicular = thickness * np.stack([top_cos, top_cos, top_cos, lay, lay], axis=1)
    # The muscle layer is the rest of the normal depth (the column's factor times its ray depth).
    perpendicular[:, 3] = np.maximum(depth[:, -1] * lay - np.delete(perpendicular, 3, axis=1).sum(axis=1), 0.0)
    return Stack(u, s, points, depth, thickness, weights, perpendicular, lay, normals)


def bone_radius(skin_radius: np.ndarray, skull_radius: np.ndarray) -> np.ndarray:
    """The skull's ray radius kept at least :data:`facelayers.model.skull.MIN_SOFT_TISSUE_MM` inside the skin.

    A smooth minimum over 1 mm: no change where the skull lies 2.5 mm or more inside.

    Parameters
    ----------
    skin_radius, skull_radius : (n,) float ndarray, mm
        Ray radii of the skin and of the fitted skull.

    Returns
    -------
    (n,) float64 ndarray, mm
    """
    return head._smooth_min(skull_radius, skin_radius - skull_module.MIN_SOFT_TISSUE_MM, 1.0)


def _depth_along_normal(skin_pts: np.ndarray, normals: np.ndarray, skull: SkullSurface, guess: np.ndarray,
                        iterations: int = 4) -> np.ndarray:
    """Distance (n,) mm from skin points (n, 3) along their inward normals (n, 3) to the skull.

    Secant iterations on the signed gap between the point's ray radius and the skull's, from ``guess`` (n,) mm.
    """
    def gap(t):
        uu, ss, dist = params_of(skin_pts - normals * t[:, None])
        return dist - skull.radius(uu, ss)

    t0 = np.maximum(guess, 0.5)
    t1 = t0 * 1.1 + 0.2
    f0, f1 = gap(t0), gap(t1)
    for _ in range(iterations):
        denom = np.where(np.abs(f1 - f0) > 1e-9, f1 - f0, 1e-9)
        t2 = np.clip(t1 - f1 * (t1 - t0) / denom, 0.0, 3.0 * t0 + 10.0)
        t0, f0, t1 = t1, f1, t2
        f1 = gap(t1)
    return t1


def tissue_depth_sites(anatomy: Anatomy, skin: Skin) -> tuple[tuple[str, ...], np.ndarray, np.ndarray,
                                                                 np.ndarray]:
    """The tissue-depth sites (``data/tissue_depths.csv``) on the skin, both sides of a bilateral one.

    Returns
    -------
    names : tuple of str, (k,)
        ``"<id>"``, or ``"<id>:left"`` and ``"<id>:right"`` for a bilateral site.
    skin_points : (k, 3) float64 ndarray, mm, head frame
        Where the ray through each landmark meets the skin.
    normals : (k, 3) float64 ndarray
        The skin's outward unit normal there.
    depth_mm : (k,) float64 ndarray, mm
        The cited total soft-tissue depth.
    """
    names, pts, depth = [], [], []
    for lid, row in anatomy.tissue_depths.items():
        lm = anatomy.landmarks[lid]
        for name in (lm.positions()):
            names.append(name)
            pts.append(anatomy.point(name))
            depth.append(row.depth_mm)
    if not names:
        return (), np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0)
    u, s, _ = params_of(np.array(pts))
    o, d = rays(u, s)
    skin_pts = o + d * skin.radius(u, s)[:, None]
    return tuple(names), skin_pts, skin_normals(skin, u, s), np.array(depth)


#: The foramina placed on the skull, by landmark id.
FORAMINA: tuple[str, ...] = ("supraorbital_notch", "infraorbital_foramen", "mental_foramen")


def _foramen_rays(radius, anatomy: Anatomy) -> dict[str, tuple[float, float]]:
    """For each foramen, the ray on its landmark's row s whose skull point lies at the landmark's distance from the midline.

    That distance is the cited quantity; the ray is found by bisection in u.

    radius : callable (u (n,) rad, s (n,) mm) -> (n,) mm, the fitted skull's ray radius (or an estimate).
    """
    names = [name for name in FORAMINA if name in anatomy.landmarks]
    if not names:
        return {}
    # All the foramina bisected at once (each element's arithmetic is its own, so this is the one-by-one result).
    p = np.array([anatomy.point(name) for name in names])
    _, s0, _ = params_of(p)
    lo, hi = np.zeros(len(names)), np.full(len(names), np.pi / 2)
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        o, d = rays(mid, s0)
        x = (o + d * radius(mid, s0)[:, None])[:, 0]
        lo, hi = np.where(x < p[:, 0], mid, lo), np.where(x < p[:, 0], hi, mid)
    u = 0.5 * (lo + hi)
    return {name: (float(u[i]), float(s0[i])) for i, name in enumerate(names)}


def build_skull(anatomy: Anatomy, skin: Skin, gu: np.ndarray, gs: np.ndarray,
                shape: skull_module.SkullShape | None = None) -> SkullSurface:
    """The skull sculpted on the grid and fitted to the tissue depths.

    The bone lies at each tissue-depth site's depth below the skin, along the skin's inward normal; the foramina
    are then placed on the fitted bone at their landmarks' distances from the midline (two passes: placing a
    pit does not move the sites).

    Parameters
    ----------
    anatomy : Anatomy
        Its ``tissue_depths`` and landmarks.
    skin : Skin
        The pinned skin.
    gu : (nu,) float ndarray, rad
    gs : (nv,) float ndarray, mm
        The model's grid (:func:`grid`).
    shape : facelayers.model.skull.SkullShape, optional
        A patient's skull, applied last (:meth:`SkullSurface.with_shape`); None: the reference skull.

    Returns
    -------
    SkullSurface
        Not fitted (the sculpture alone) if the data have no tissue-depth sites.
    """
    if shape is not None and not shape.is_reference:
        return build_skull(anatomy, skin, gu, gs).with_shape(shape)
    sculpture = SkullSurface.sculpt(gu, gs)
    names, pts, normals, depth = tissue_depth_sites(anatomy, skin)
    targets = pts - normals * depth[:, None]
    if not names:
        return sculpture
    # A quick estimate of the fitted skull (the blend evaluated directly, no grid) is enough to place the
    # foramina on it; the pits do not move the sites, so the fit proper follows once.
    u, s, target = params_of(targets)
    o, d = rays(u, s)
    r0 = sculpture.base_radius(u, s)
    quick = Blend(o + d * r0[:, None], target - r0, skull_module.SKULL_BLEND_SIGMA_MM)

    def estimate(uu, ss):
        base = sculpture.base_radius(uu, ss)
        oo, dd = rays(uu, ss)
        return base + quick(oo + dd * base[:, None])

    return sculpture.with_foramina(_foramen_rays(estimate, anatomy)).fitted(names, targets)


def _thickness_field(anatomy: Anatomy, skin: Skin) -> ThicknessField:
    regions = tuple(anatomy.regions)
    names, idx, pts = [], [], []
    for r, region in enumerate(anatomy.regions.values()):
        for anchor in region.anchors:
            lm = anatomy.landmarks[anchor]
            sides = ("left", "right") if lm.side == "bilateral" else (None,)
            for side in sides:
                name = anchor if side is None else f"{anchor}:{side}"
                names.append(name)
                idx.append(r)
                pts.append(anatomy.point(name))
    u, s, _ = params_of(np.array(pts))
    o, d = rays(u, s)
    points = o + d * skin.radius(u, s)[:, None]
    return ThicknessField(regions, points, tuple(names), np.array(idx), anatomy.thickness_table())


#: The most grid points (nu * nv) a model may have: four times "fine". Beyond it the build needs gigabytes of
#: memory and minutes, and no browser draws the result.
MAX_GRID_POINTS = 4 * 256 * 156


def resolve_resolution(resolution: str | tuple[int, int]) -> tuple[int, int]:
    """(nu, nv) from a name in ``RESOLUTIONS`` or an explicit pair of integers.

    Parameters
    ----------
    resolution : str or (int, int)
        ``"coarse"``, ``"lecture"``, ``"fine"``, or (columns around, rows up).

    Returns
    -------
    (int, int)

    Raises
    ------
    ValueError
        An unknown name, a pair that is not two integers (``(8.9, 6.2)`` is refused, not truncated), or
        ``nu * nv`` over :data:`MAX_GRID_POINTS` (naming the limit and why).
    """
    if isinstance(resolution, str):
        if resolution not in RESOLUTIONS:
            raise ValueError(f"resolution {resolution!r} is not known; allowed: {', '.join(RESOLUTIONS)} "
                             "or a pair (nu, nv)")
        return RESOLUTIONS[resolution]
    try:
        nu, nv = resolution
        if any(isinstance(x, bool) or int(x) != x for x in (nu, nv)):
            raise TypeError
        nu, nv = int(nu), int(nv)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"resolution {resolution!r}: need a name ({', '.join(RESOLUTIONS)}) "
                         "or a pair of integers (nu, nv)") from None
    if nu * nv > MAX_GRID_POINTS:
        raise ValueError(f"resolution ({nu}, {nv}) has {nu * nv} grid points; allowed: at most {MAX_GRID_POINTS} "
                         f"(4 x fine): beyond that the build needs gigabytes of memory and no browser draws it")
    return nu, nv


def build_face(anatomy: Anatomy | None = None, resolution: str | tuple[int, int] = "lecture",
               patient=None) -> FaceModel:
    """Build the layered face: the skin, five layers and the skull on one grid of rays.

    Parameters
    ----------
    anatomy : Anatomy, optional
        The data (default: the package's own, validated).
    resolution : str or (int, int)
        ``"coarse"``, ``"lecture"`` (default), ``"fine"``, or (columns around, rows up).
    patient : facelayers.model.patient.Patient, optional
        Whose thicknesses (sex, age, BMI; :func:`facelayers.model.patient.adjust`) and skull
        (:func:`facelayers.model.patient.skull_parameters` as a :class:`facelayers.model.skull.SkullShape`). None builds
        the tables as they are: the reference patient of :mod:`facelayers.model.patient`. ``model.anatomy`` is then
        the adjusted data.

    Returns
    -------
    FaceModel

    Raises
    ------
    TypeError
        If ``anatomy`` is neither an Anatomy nor None.
    ValueError
        If ``resolution`` is not allowed (:func:`resolve_resolution`; a grid under 8 x 6 is refused by
        :func:`grid`).
    """
    if anatomy is not None and not isinstance(anatomy, Anatomy):
        raise TypeError(f"build_face(anatomy): {type(anatomy).__name__} {anatomy!r:.40}; allowed: an Anatomy "
                        "(facelayers.anatomy.load.load_anatomy) or None")
    shape = None
    if patient is not None:
        # The patient's thicknesses, before any geometry (imported here: patient imports anatomy only).
        from facelayers.model.patient import adjust, skull_parameters
        anatomy = adjust(anatomy if anatomy is not None else load_anatomy(), patient)
        shape = skull_module.SkullShape.from_parameters(skull_parameters(patient))
    nu, nv = resolve_resolution(resolution)
    anatomy = anatomy if anatomy is not None else load_anatomy()
    gu, gs = grid(nu, nv)
    u = np.concatenate([np.tile(gu, nv), [0.0]])
    s = np.concatenate([np.repeat(gs, nu), [S_TOP_MM]])
    names, pts = anatomy.landmark_points(on_skin=True)
    skin = Skin.sculpt(gu, gs).pinned(names, pts)
    thick = _thickness_field(anatomy, skin)
    skull = build_skull(anatomy, skin, gu, gs, shape)
    stack = _stack(u, s, skin, thick, skull)
    return FaceModel(anatomy, nu, nv, u, s, _grid_faces(nu, nv), skin, thick, stack, skull, patient=patient)


def layer_index(layer: int | str) -> int:
    """Index of a layer (0..4) in ``LAYERS`` from its name or index.

    Raises
    ------
    ValueError
        An unknown name or an index out of range; the message lists the allowed names.
    """
    return _index(layer, LAYERS, "layer")


def _uv_ellipsoid(n_around: int = 28, n_up: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Unit sphere as a closed triangle mesh: vertices (v, 3), faces (f, 3) int32 (outward)."""
    theta = np.linspace(0, 2 * np.pi, n_around, endpoint=False)
    phi = np.linspace(-np.pi / 2, np.pi / 2, n_up)[1:-1]
    ring = np.stack([np.cos(phi)[:, None] * np.cos(theta), np.cos(phi)[:, None] * np.sin(theta),
                     np.sin(phi)[:, None] * np.ones_like(theta)], axis=-1).reshape(-1, 3)
    verts = np.concatenate([ring, [[0, 0, -1], [0, 0, 1]]])
    nr = len(phi)
    i = np.arange(n_around)
    ip = (i + 1) % n_around
    j = np.arange(nr - 1)[:, None]
    a, b, c, d = j * n_around + i, j * n_around + ip, (j + 1) * n_around + ip, (j + 1) * n_around + i
    quads = np.stack([np.stack([a, b, c], -1), np.stack([a, c, d], -1)], 2).reshape(-1, 3)
    south, north = len(verts) - 2, len(verts) - 1
    top = (nr - 1) * n_around
    caps = np.concatenate([np.stack([np.full(n_around, south), ip, i], -1),
                           np.stack([top + i, top + ip, np.full(n_around, north)], -1)])
    return verts, np.concatenate([quads, caps]).astype(np.int32)


def _ear_shape(n_rho: int = 16, n_theta: int = 56) -> tuple[np.ndarray, np.ndarray]:
    """A schematic left ear in its own frame, as a closed shell (front and back sheets joined at the rim).

    Vertices (v, 3) as (W back, A up, N out of the ear's plane), unit-less shape in [-1, 1] for W and A, N in
    mm; faces (f, 3) int32, outward.

    The front carries the helix (a rolled rim from the lobule's top, over the top, to the root in front),
    the antihelix inside it, the concha (a hollow in front of the antihelix), the tragus (a flap in front of
    the concha, at the attached edge) and a soft, rim-less lobule below. Schematic shapes (no data).
    """
    rho = np.linspace(0.0, 1.0, n_rho)[1:]
    theta = np.linspace(0.0, 2 * np.pi, n_theta, endpoint=False)
    rr, tt = np.meshgrid(rho, theta, indexing="ij")
    deg = np.degrees(tt)
    # outline: the lobule (below, 230-310 degrees) is narrower than the helix's shell
    lobule = np.exp(-((deg - 270.0) / 38.0) ** 2)
    wscale = 1.0 - 0.3 * lobule
    w = rr * np.cos(tt) * wscale
    a = rr * np.sin(tt)

    def band(centre, width, lo, hi):
        inside = ((deg - lo) % 360.0) <= ((hi - lo) % 360.0)
        return np.exp(-((rr - centre) / width) ** 2) * inside

    helix = 4.2 * band(0.86, 0.09, 300.0, 200.0)
    antihelix = 2.4 * band(0.58, 0.09, 320.0, 120.0)
    concha = -4.5 * np.exp(-(((w + 0.22) / 0.3) ** 2 + ((a + 0.1) / 0.32) ** 2))
    tragus = 3.2 * np.exp(-(((w + 0.78) / 0.12) ** 2 + ((a + 0.12) / 0.14) ** 2))
    front = 2.2 + helix + antihelix + concha + tragus + 1.5 * lobule
    close = 1.0 - np.clip((rr - 0.93) / 0.07, 0.0, 1.0) ** 2  # the rim rounds over to the back
    front = front * close
    # The back sheet's rim lies just inside the front's (0.98 of it), so no two vertices coincide.
    back = -1.6 * (1.0 - (0.98 * rr) ** 2)
    # The ear stands off the head: its free (back) edge ~14 mm out, the attached front edge on the skin.
    lift = 14.0 * np.clip((w + 0.6) / 1.6, 0.0, 1.0) ** 1.3
    verts_front = np.stack([w, a, front + lift], axis=-1).reshape(-1, 3)
    verts_back = np.stack([0.98 * w, 0.98 * a, back + lift], axis=-1).reshape(-1, 3)
    nr, nt = len(rho), n_theta
    centre_front = verts_front[:n_theta].mean(axis=0, keepdims=True)
    centre_back = verts_back[:n_theta].mean(axis=0, keepdims=True)
    verts = np.concatenate([verts_front, verts_back, centre_front, centre_back])
    nf = nr * nt
    cf, cb = 2 * nf, 2 * nf + 1
    i = np.arange(nt)
    ip = (i + 1) % nt
    faces = []
    for sheet, c, flip in ((0, cf, False), (nf, cb, True)):
        fan = np.stack([np.full(nt, c), sheet + i, sheet + ip], axis=-1)
        j = np.arange(nr - 1)[:, None]
        q0 = sheet + j * nt + i
        q1 = sheet + j * nt + ip
        q2 = sheet + (j + 1) * nt + ip
        q3 = sheet + (j + 1) * nt + i
        quads = np.concatenate([np.stack([q0, q1, q2], -1).reshape(-1, 3), np.stack([q0, q2, q3], -1).reshape(-1, 3)])
        part = np.concatenate([fan, quads])
        faces.append(part[:, ::-1] if flip else part)
    # the rim: join the front's and the back's last rings
    r0 = (nr - 1) * nt
    rim = np.concatenate([np.stack([r0 + i, nf + r0 + ip, r0 + ip], -1), np.stack([r0 + i, nf + r0 + i, nf + r0 + ip], -1)])
    faces.append(rim[:, ::-1])
    return verts, np.concatenate(faces).astype(np.int32)


def ear_meshes(model: FaceModel) -> list[tuple[np.ndarray, np.ndarray]]:
    """Schematic ears, left and right, placed by the helical root, earlobe and tragion landmarks.

    Helix, antihelix, concha, tragus and lobule (:func:`_ear_shape`), the free edge standing off the head.
    Drawn with the skin; they carry no layers.

    Parameters
    ----------
    model : FaceModel

    Returns
    -------
    list of (vertices, faces)
        Left ear first: vertices (v, 3) float32 ndarray, mm, head frame; faces (f, 3) int32 ndarray, outward.
    """
    shape, faces = _ear_shape()
    out = []
    for side, sign in (("left", 1.0), ("right", -1.0)):
        top = model.anatomy.point(f"helical_root:{side}")
        lobe = model.anatomy.point(f"earlobe:{side}")
        tragion = model.stack_under(model.anatomy.point(f"tragion:{side}")[None, :]).points[0, 0]
        long = top - lobe + np.array([0.0, -0.28 * (top[2] - lobe[2]), 0.0])
        half_len = 0.5 * np.linalg.norm(long) + 8.0
        a = long / np.linalg.norm(long)
        # The ear's plane faces out and a little forward: its normal is lateral, turned 25 degrees back.
        normal = np.array([sign * np.cos(np.radians(25)), -np.sin(np.radians(25)), 0.0])
        normal -= a * (normal @ a)
        normal /= np.linalg.norm(normal)
        width_dir = np.cross(normal, a)
        if width_dir[1] > 0:
            width_dir = -width_dir
        centre = 0.5 * (top + lobe) + width_dir * 9.0
        centre[0] = tragion[0] - sign * 1.5
        verts = (centre + np.outer(shape[:, 0] * 16.0, width_dir) + np.outer(shape[:, 1] * half_len, a)
                 + np.outer(shape[:, 2], normal))
        # the right ear is the mirror image: flip the winding so its normals stay outward
        f = faces if sign > 0 else faces[:, ::-1]
        out.append((verts.astype(np.float32), np.ascontiguousarray(f)))
    return out
