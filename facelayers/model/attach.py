"""Small meshes that ride on the skin: where they sit on the skin at rest, and how they follow it when it moves.

Details drawn over the skin (the brows, the lids' margins, the lashes: :mod:`facelayers.model.brows`,
:mod:`facelayers.model.lids`) are finer than the skin's grid. Each of their vertices is tied to skin vertices,
so whatever moves the skin (an expression, :mod:`facelayers.model.expression`) moves them:

* :func:`on_skin` places points on the skin's *drawn* triangles, seen from the front (barycentric weights on the
  triangle's three vertices), so they lie on the surface the figure draws and move exactly with it;
* :func:`near_skin` ties points that lie off the grid's surface (the lid margins, finer than the grid) to the
  nearest few skin vertices of a chosen set (inverse-distance weights), and they move by those vertices' mean
  displacement.

numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Tie:
    """Points tied to skin vertices.

    Attributes
    ----------
    index : (k, m) int64
        The skin vertices each point follows.
    weight : (k, m) float64
        Their weights (rows sum to 1).
    rest : (k, 3) float64, mm
        The points at rest (head frame).
    """

    index: np.ndarray
    weight: np.ndarray
    rest: np.ndarray

    @property
    def anchor(self) -> np.ndarray:
        """(k,) int64: the skin vertex each point follows most (its largest weight)."""
        return self.index[np.arange(len(self.index)), np.argmax(self.weight, axis=1)]

    def follow(self, skin_rest: np.ndarray, skin_points: np.ndarray | None) -> np.ndarray:
        """The points (k, 3) float64 mm when the skin's vertices (n, 3) mm moved from ``skin_rest`` to ``skin_points``.

        Each point moves by the weighted displacement of its skin vertices; None (or the rest) leaves them.
        """
        if skin_points is None:
            return self.rest.copy()
        d = np.asarray(skin_points, float) - skin_rest
        return self.rest + np.einsum("km,kmc->kc", self.weight, d[self.index])


def forward_normals(tri: np.ndarray) -> np.ndarray:
    """Unit normals of triangles, turned to face forward (+y): the direction to lift a drawn detail off the skin.

    Parameters
    ----------
    tri : (k, 3, 3) float ndarray, mm
        The triangles' corners (e.g. ``skin[tie.index]`` for a :class:`Tie` on the skin's triangles).

    Returns
    -------
    (k, 3) float64 ndarray
    """
    n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)
    return n * np.where(n[:, 1:2] < 0, -1.0, 1.0)


def on_skin(skin: np.ndarray, faces: np.ndarray, points_xz: np.ndarray, front_y_mm: float = 0.0,
            margin_mm: float = 6.0) -> Tie:
    """Tie points given by (x, z) to the frontmost drawn skin triangle under them (seen from the front, along -y).

    Parameters
    ----------
    skin : (n, 3) float ndarray, mm
        The skin's vertices at rest.
    faces : (f, 3) int ndarray
        The skin's triangles.
    points_xz : (k, 2) float ndarray, mm
        Where the points lie seen from the front.
    front_y_mm : float, mm
        Only triangles whose vertices all lie in front of this y count (the face, not the back of the head).
    margin_mm : float, mm
        Only triangles within the points' (x, z) box grown by this much count (a coarse grid needs more).

    Returns
    -------
    Tie
        Three vertices and barycentric weights per point; ``rest`` on the triangle.

    Raises
    ------
    ValueError
        If a point has no front-facing skin triangle under it (it lies off the face).
    """
    p = np.asarray(points_xz, float)
    lo, hi = p.min(0) - margin_mm, p.max(0) + margin_mm
    tri = skin[faces]
    near = ((tri[:, :, 1] > front_y_mm).all(1) & (tri[:, :, 0] > lo[0]).all(1) & (tri[:, :, 0] < hi[0]).all(1)
            & (tri[:, :, 2] > lo[1]).all(1) & (tri[:, :, 2] < hi[1]).all(1))
    f = np.asarray(faces)[near]
    t = tri[near]
    if not len(f):
        raise ValueError(f"on_skin: no skin triangle in front of y = {front_y_mm} mm lies near the points (x, z) = "
                         f"{tuple(float(v) for v in np.round(p[0], 1))} mm ...; allowed: points on the face")
    a, b, c = t[:, 0][:, [0, 2]], t[:, 1][:, [0, 2]], t[:, 2][:, [0, 2]]
    v0, v1 = b - a, c - a
    den = v0[:, 0] * v1[:, 1] - v0[:, 1] * v1[:, 0]
    ok = np.abs(den) > 1e-9
    w = p[:, None, :] - a[None]
    l1 = (w[..., 0] * v1[None, :, 1] - w[..., 1] * v1[None, :, 0]) / np.where(ok, den, 1.0)[None]
    l2 = (v0[None, :, 0] * w[..., 1] - v0[None, :, 1] * w[..., 0]) / np.where(ok, den, 1.0)[None]
    l0 = 1.0 - l1 - l2
    eps = -1e-7
    inside = ok[None] & (l0 >= eps) & (l1 >= eps) & (l2 >= eps)
    y = l0 * t[None, :, 0, 1] + l1 * t[None, :, 1, 1] + l2 * t[None, :, 2, 1]
    y = np.where(inside, y, -np.inf)
    best = np.argmax(y, axis=1)
    rows = np.arange(len(p))
    if not np.isfinite(y[rows, best]).all():
        bad = p[~np.isfinite(y[rows, best])][0]
        raise ValueError(f"on_skin: point (x, z) = {tuple(float(v) for v in np.round(bad, 1))} mm has no skin triangle in front of "
                         f"y = {front_y_mm} mm under it; allowed: points on the face")
    weight = np.stack([l0[rows, best], l1[rows, best], l2[rows, best]], 1)
    index = f[best].astype(np.int64)
    rest = np.einsum("km,kmc->kc", weight, skin[index])
    return Tie(index, weight, rest)


def near_skin(skin: np.ndarray, points: np.ndarray, eligible: np.ndarray, k: int = 4) -> Tie:
    """Tie points (p, 3) mm to their ``k`` nearest skin vertices among ``eligible`` (inverse squared distance).

    Parameters
    ----------
    skin : (n, 3) float ndarray, mm
        The skin's vertices at rest.
    points : (p, 3) float ndarray, mm
        The points at rest (they need not lie on the skin's triangles).
    eligible : (n,) bool ndarray, or (p, n) bool ndarray
        Which skin vertices a point may follow (one set for all, or one per point).
    k : int
        How many vertices each point follows.

    Returns
    -------
    Tie
        ``rest`` = ``points``.

    Raises
    ------
    ValueError
        If fewer than ``k`` vertices are eligible for a point.
    """
    pts = np.asarray(points, float)
    elig = np.asarray(eligible, bool)
    cand = np.flatnonzero(elig if elig.ndim == 1 else elig.any(0))
    if len(cand) < k:
        raise ValueError(f"near_skin: {len(cand)} eligible skin vertices; need at least k = {k}")
    d2 = ((pts[:, None, :] - skin[cand][None]) ** 2).sum(-1)
    if elig.ndim == 2:
        d2 = np.where(elig[:, cand], d2, np.inf)
    order = np.argsort(d2, axis=1)[:, :k]
    dk = np.take_along_axis(d2, order, 1)
    if not np.isfinite(dk).all():
        raise ValueError(f"near_skin: a point has fewer than k = {k} eligible skin vertices")
    w = 1.0 / (dk + 0.25)
    return Tie(cand[order].astype(np.int64), w / w.sum(1, keepdims=True), pts.copy())
