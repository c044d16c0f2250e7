"""The skin: the sculpted head cast on the model's grid, smoothed there, and pinned to the cited landmarks.

The sculpture (:mod:`facelayers.model.head`, with the eyelids of :mod:`facelayers.model.eyes`) depends on the
grid alone, so it is cached per grid; the landmark pins (:class:`Pins`) are a Gaussian RBF correction along
the rays on top of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from facelayers.model import eyes, head, head_scan
from facelayers.model.blend import sq_distances, thin_matmul
from facelayers.model.grid import (
    S_BOTTOM_MM,
    S_TOP_MM,
    bilinear,
    grid_key,
    params_of,
    rays,
    read_only,
    smooth_grid,
)
from facelayers.model.lips import lip_relief

#: Width of the landmark correction that pins the sculpted skin to the cited landmarks (mm).
PIN_SIGMA_MM = 14.0


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
        d2 = sq_distances(skin_points, self.centres)
        return thin_matmul(np.exp(-d2 / self.sigma_mm**2), self.weights)


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


#: Width of the second, wider smoothing of the sculpted skin away from the nose and the lips (mm): schematic. It
#: takes out the seams and lumps where the sculpting pieces meet on the cheeks, the jaw and the neck.
RELAX_MM = 7.0
#: The wide smoothing fades out between these heights (z, mm, head frame): below the brows only. Schematic.
RELAX_TOP_MM = (5.0, 20.0)


@lru_cache(maxsize=8)
def _skin_sculpture(gu_bytes: bytes, gs_bytes: bytes, base: str) -> tuple[np.ndarray, float]:
    """The smoothed sculpture's ray radius on a grid, (nv, nu) mm (read-only), and at the crown pole, mm.

    Keyed on the grid's exact bytes (float64 gu (nu,) rad, gs (nv,) mm): the head is a fixed table or closed-form
    shapes, so the result depends on the grid alone and every build at one resolution shares it. ``base``:
    "scan" or "ellipsoids" (:data:`facelayers.model.head_scan.BASE`).
    """
    gu, gs = np.frombuffer(gu_bytes), np.frombuffer(gs_bytes)
    uu, ss = np.meshgrid(gu, gs)
    o, d = rays(uu.ravel(), ss.ravel())
    po, pd = rays(np.zeros(1), np.array([S_TOP_MM]))
    if base == "scan":
        raw = head_scan.scan_radius(uu.ravel(), ss.ravel())
        pts = (o + d * raw[:, None]).reshape(len(gs), len(gu), 3)
        # The scan smoothed as the sculpture is (the narrow smoothing everywhere, the wide one on the lower face
        # away from the features), then the mouth's line cut in (the scan's parted lips were closed) and the eyelids.
        smooth = smooth_grid(raw.reshape(len(gs), len(gu)), pts)
        # the lower face (below the brows, away from the nose and the lips) smoothed wider, as the sculpture is
        wide = smooth_grid(smooth, pts, sigma_mm=RELAX_MM, reach=8)
        t = np.clip((pts[..., 2] - RELAX_TOP_MM[0]) / (RELAX_TOP_MM[1] - RELAX_TOP_MM[0]), 0.0, 1.0)
        keep = np.maximum(head.feature_weight(pts), t * t * (3.0 - 2.0 * t))
        smooth = (keep * smooth + (1.0 - keep) * wide).ravel()
        smooth = smooth - head_scan.mouth_groove(o + d * smooth[:, None])
        smooth = head_scan.recess_lids(o, d, smooth)
        smooth = eyes.sculpt_lids(o, d, smooth).reshape(len(gs), len(gu))
        return read_only(smooth), float(head_scan.scan_radius(np.zeros(1), np.array([S_TOP_MM]))[0])
    raw = head.cast(o, d)
    pts = (o + d * raw[:, None]).reshape(len(gs), len(gu), 3)
    smooth = smooth_grid(raw.reshape(len(gs), len(gu)), pts)
    # Away from the nose and the lips the sculpture's seams are smoothed again, wider (the cheeks, the jaw
    # line, the temples read as one smooth surface); the features keep the narrow smoothing.
    wide = smooth_grid(smooth, pts, sigma_mm=RELAX_MM, reach=8)
    keep = head.feature_weight(pts)
    # ... and only below the brows (the lower face, the cheeks and the jaw, where the pieces meet), not on the
    # forehead, whose smooth sculpture carries the brow's wrinkles (facelayers.model.expression) as it is.
    t = np.clip((pts[..., 2] - RELAX_TOP_MM[0]) / (RELAX_TOP_MM[1] - RELAX_TOP_MM[0]), 0.0, 1.0)
    keep = np.maximum(keep, t * t * (3.0 - 2.0 * t))
    smooth = keep * smooth + (1.0 - keep) * wide
    # The eyelids over the globes, after the smoothing so that the lid margins stay crisp (facelayers.model.eyes).
    smooth = eyes.sculpt_lids(o, d, smooth.ravel()).reshape(smooth.shape)
    return read_only(smooth), float(head.cast(po, pd)[0])


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
    lips : bool
        Whether the lips' relief (:func:`facelayers.model.lips.lip_relief`) is laid on the pinned skin: on the
        scanned head, whose smoothed and closed lips read as one flat band. It is added after the pins, evaluated
        at each point (not read off the grid), so it is zero at the stomion and the cheilia whatever the grid,
        and the pins do not flatten it again.
    """

    gu: np.ndarray
    gs: np.ndarray
    base: np.ndarray
    pole_mm: float
    pins: Pins | None = None
    lips: bool = False

    @classmethod
    def sculpt(cls, gu: np.ndarray, gs: np.ndarray, base: str | None = None) -> Skin:
        """The base surface on the grid gu (nu,) rad, gs (nv,) mm, smoothed.

        It depends on the grid only, so it is cached per grid (:func:`_skin_sculpture`; read-only arrays).
        ``base``: "scan" (the MakeHuman head, :mod:`facelayers.model.head_scan`) or "ellipsoids" (the hand
        sculpture, :data:`facelayers.model.head.HEAD`); None: the model's choice,
        :data:`facelayers.model.head_scan.BASE`.
        """
        base = head_scan.resolve_base(base, "Skin.sculpt")
        gu, gs = grid_key(gu), grid_key(gs)
        smooth, pole = _skin_sculpture(gu.tobytes(), gs.tobytes(), base)
        return cls(gu, gs, smooth, pole, lips=base == "scan")

    def base_radius(self, u, s) -> np.ndarray:
        """The smoothed sculpture's radius at (u rad, s mm), (n,) mm: bilinear on the grid."""
        return bilinear(self.gu, self.gs, self.base, self.pole_mm, u, s)

    def radius(self, u, s) -> np.ndarray:
        """Distance from each ray's origin to the pinned skin (with the lips' relief on the scan), (n,) mm."""
        r = self.base_radius(u, s)
        if self.pins is None and not self.lips:
            return r
        o, d = rays(u, s)
        if self.pins is not None:
            r = r + self.pins(o + d * r[:, None])
        if self.lips:
            r = r + lip_relief(o + d * r[:, None])
        return r

    def pinned(self, names, points: np.ndarray) -> Skin:
        """The same skin pinned through points (k, 3) mm named ``names`` (:func:`fit_pins`), a new Skin."""
        return Skin(self.gu, self.gs, self.base, self.pole_mm, fit_pins(names, points, self.base_radius), self.lips)


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
