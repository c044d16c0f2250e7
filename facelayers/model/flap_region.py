"""The undermined region of a technique: its planes' union in the ray-parameter plane, and its free edge.

A :class:`Region` is the union of a placed technique's planes (their outlines in the ray-parameter plane, measured
in mm), with its boundary split into the *free edge* (the stretch that runs along an incision, within
:data:`FREE_EDGE_MM`) and the *attached edge* (everything else). :mod:`facelayers.model.flap` raises the flap over
it and cuts the layers away under it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facelayers.core.polygons import point_in_polygon
from facelayers.model.geometry import FaceModel
from facelayers.model.grid import params_of
from facelayers.model.outlines import U_SCALE_MM

#: Boundary of the undermined region within this distance (mm, on the face) of the incision is its free edge.
FREE_EDGE_MM = 15.0
#: Pieces (mm) into which the region's boundary is cut to tell its outer edge from the edges the planes share.
_PIECE_MM = 2.0


def segment_distances(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance from each 2D point to the nearest of the segments a[i] -> b[i].

    Parameters
    ----------
    points : (n, 2) float array-like
    a, b : (q, 2) float array-like
        The segments' start and end points, in the same units as ``points``.

    Returns
    -------
    (n,) float64 ndarray
        In the points' units; inf everywhere if there are no segments.
    """
    points = np.asarray(points, float)
    best = np.full(len(points), np.inf)
    for (au, as_), (bu, bs) in zip(np.asarray(a, float), np.asarray(b, float)):
        eu, es = bu - au, bs - as_
        qu, qs = points[:, 0] - au, points[:, 1] - as_
        t = np.clip((qu * eu + qs * es) / max(eu * eu + es * es, 1e-12), 0.0, 1.0)
        best = np.minimum(best, np.hypot(qu - t * eu, qs - t * es))
    return best


def _metric(u, s) -> np.ndarray:
    """(n, 2) positions in the ray-parameter plane, in about mm on the face."""
    return np.stack([np.asarray(u, float) * U_SCALE_MM, np.asarray(s, float)], axis=-1)


@dataclass(frozen=True)
class Region:
    """The union of some planes of a technique (both sides), and its boundary.

    Attributes
    ----------
    planes : tuple of facelayers.model.planes.Plane
    seg_a, seg_b : (q, 2) float64 ndarray, about mm
        The union's boundary as segments in the (u * U_SCALE_MM, s) plane (the edges two planes share are
        left out: the flap is continuous across them), cut into pieces of about 2 mm.
    free : (q,) bool ndarray
        Which boundary segments run along an incision (within :data:`FREE_EDGE_MM`).
    """

    planes: tuple
    seg_a: np.ndarray
    seg_b: np.ndarray
    free: np.ndarray

    def covering(self, u, s) -> np.ndarray:
        """Index of the plane whose outline contains each point (u rad, s mm), -1 where none does: (n,) int ndarray."""
        out = np.full(np.shape(u), -1)
        for i, plane in enumerate(self.planes):
            out = np.where((out < 0) & point_in_polygon(plane.poly_u, plane.poly_s, u, s), i, out)
        return out

    def field(self, u, s) -> np.ndarray:
        """Signed distance from points (u rad, s mm) to the region's boundary, positive inside: (n,) float64, about mm."""
        d = segment_distances(_metric(u, s), self.seg_a, self.seg_b)
        return np.where(self.covering(u, s) >= 0, d, -d)

    def depth_coord(self, u, s) -> np.ndarray:
        """The depth coordinate (layer index + fraction) of the plane over each point: (n,) float64 ndarray.

        Points are given as ray parameters (u rad, s mm); outside the region, the depth is that of the plane
        whose outline is nearest.
        """
        cover = self.covering(u, s)
        if len(self.planes) > 1:
            q = _metric(u, s)
            nearest = np.argmin([segment_distances(q, *_closed(p)) for p in self.planes], axis=0)
            cover = np.where(cover >= 0, cover, nearest)
        cover = np.maximum(cover, 0)
        u = np.asarray(u, float)
        s = np.asarray(s, float)
        out = np.empty(np.shape(u))
        for i, plane in enumerate(self.planes):
            sel = cover == i
            if sel.any():
                at = getattr(plane, "depth_at", None)  # a plane that follows the dissection varies
                out[sel] = at(u[sel], s[sel]) if at is not None else plane.depth_coord
        return out

    def opening_height_mm(self, model: FaceModel) -> float:
        """Mean height (z, mm) of the free edge on the skin: where the surgeon looks in from (nan without one)."""
        mid = 0.5 * (self.seg_a + self.seg_b)[self.free]
        if not len(mid):
            return float("nan")
        return float(model.stack_at(mid[:, 0] / U_SCALE_MM, mid[:, 1]).points[:, 0, 2].mean())

    def lift_weight(self, u, s) -> np.ndarray:
        """(n,) in [0, 1]: 1 on the free edge, falling to 0 on the attached edge.

        The weight is d_attached / (d_attached + d_free), with the distances to the two parts of the
        boundary: a smooth tent that hinges on the attached edge and opens at the incision. It is continuous
        across the boundary (defined outside the region too), so a cut through a triangle interpolates it.
        """
        q = _metric(u, s)
        if not self.free.any():
            return np.zeros(len(q))
        d_free = segment_distances(q, self.seg_a[self.free], self.seg_b[self.free])
        d_att = segment_distances(q, self.seg_a[~self.free], self.seg_b[~self.free]) if (~self.free).any() \
            else np.full(len(q), np.inf)
        return np.where(np.isinf(d_att), 1.0, d_att / np.maximum(d_att + d_free, 1e-9))


def _closed(plane) -> tuple[np.ndarray, np.ndarray]:
    p = _metric(plane.poly_u, plane.poly_s)
    return p, np.roll(p, -1, axis=0)


def region(planes, incisions=()) -> Region:
    """The union of some placed planes, with its free edge along the incisions.

    Parameters
    ----------
    planes : sequence of facelayers.model.planes.Plane
        One or more placed planes (both sides may be given: a coronal flap is one piece).
    incisions : sequence of facelayers.model.techniques.PlacedIncision
        The boundary within :data:`FREE_EDGE_MM` of one of them is the free edge; none: no free edge.

    Returns
    -------
    Region

    Raises
    ------
    ValueError
        If there are no planes.
    """
    planes = tuple(planes)
    if not planes:
        raise ValueError("region: no planes; allowed: one or more planes of a technique")
    seg_a, seg_b = [], []
    for i, plane in enumerate(planes):
        a, b = _closed(plane)
        n = np.maximum(1, np.ceil(np.linalg.norm(b - a, axis=1) / _PIECE_MM).astype(int))
        t0 = np.concatenate([np.arange(k) / k for k in n])
        t1 = np.concatenate([np.arange(1, k + 1) / k for k in n])
        rows = np.repeat(np.arange(len(a)), n)
        pa = a[rows] + t0[:, None] * (b[rows] - a[rows])
        pb = a[rows] + t1[:, None] * (b[rows] - a[rows])
        # A piece is on the union's boundary if a small step outward from its middle leaves every plane.
        mid, edge = 0.5 * (pa + pb), pb - pa
        normal = np.stack([edge[:, 1], -edge[:, 0]], axis=1)
        normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-12)
        inside_own = point_in_polygon(plane.poly_u, plane.poly_s, (mid[:, 0] + 0.5 * normal[:, 0]) / U_SCALE_MM,
                             mid[:, 1] + 0.5 * normal[:, 1])
        normal = np.where(inside_own[:, None], -normal, normal)  # make it point out of this plane
        out = mid + 0.5 * normal
        others = [q for j, q in enumerate(planes) if j != i]
        covered = np.zeros(len(mid), bool)
        for q in others:
            covered |= point_in_polygon(q.poly_u, q.poly_s, out[:, 0] / U_SCALE_MM, out[:, 1])
        seg_a.append(pa[~covered])
        seg_b.append(pb[~covered])
    seg_a, seg_b = np.concatenate(seg_a), np.concatenate(seg_b)
    free = np.zeros(len(seg_a), bool)
    cuts = list(incisions)
    if cuts:
        a_inc, b_inc = [], []
        for inc in cuts:
            u, s, _ = params_of(inc.points)
            m = _metric(u, s)
            a_inc.append(m[:-1])
            b_inc.append(m[1:])
        mid = 0.5 * (seg_a + seg_b)
        free = segment_distances(mid, np.concatenate(a_inc), np.concatenate(b_inc)) <= FREE_EDGE_MM
    return Region(planes, seg_a, seg_b, free)


def technique_region(placed, deeper_than: float | None = None) -> Region | None:
    """The region of a placed technique's planes, or None if it has none.

    Parameters
    ----------
    placed : facelayers.model.techniques.PlacedTechnique
    deeper_than : float, optional
        Keep only the planes whose nominal depth coordinate (layer index + fraction) is greater.

    Returns
    -------
    Region or None
        The planes' union (both sides), its free edge along the technique's incisions.
    """
    planes = [p for p in placed.planes if deeper_than is None or p.depth_coord > deeper_than]
    return region(planes, placed.incisions) if planes else None
