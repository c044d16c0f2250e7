"""Grid and polygon helpers, written once: triangles of a grid of samples, and plane polygons.

* :func:`grid_faces`: the two triangles of every cell of an (nu x nv) grid of samples (optionally periodic
  around, optionally closed by a fan to a pole), winding counter-clockwise;
* :func:`point_in_polygon`: the even-odd test, vectorised over query points;
* :func:`segments_intersect` and :func:`self_intersections`: whether segments and a polygon's edges meet
  (numbers, no numpy: the data checks use them).

numpy is imported by the functions that need it, so the data checks stay numpy-free.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["grid_faces", "point_in_polygon", "segments_intersect", "self_intersections"]


def grid_faces(nu: int, nv: int, *, periodic: bool = False, pole: bool = False, mirrored: bool = False) -> Any:
    """The triangles of an (nu x nv) grid of samples, two per cell.

    Parameters
    ----------
    nu, nv : int
        Samples per row (around) and rows (up); sample (i, j) has index ``j * nu + i``.
    periodic : bool
        Join the last column to the first (a grid around the head).
    pole : bool
        Close the top row with a fan to one more vertex, index ``nu * nv``.
    mirrored : bool
        With ``periodic`` and an even ``nu``: the cells of the first half (columns 0 to nu/2) take the other
        diagonal, so that the triangles are the mirror image of the second half's about columns 0 and nu/2 (a
        grid symmetric about them, as the model's is about the midline, then has mirror-symmetric triangles).
        Ignored otherwise.

    Returns
    -------
    (m, 3) int32 ndarray
        Vertex indices; each triangle winds counter-clockwise with i to the right and j up (normals point
        out of a head whose azimuth grows with i).
    """
    import numpy as np

    i = np.arange(nu if periodic else nu - 1)
    ip = (i + 1) % nu
    j = np.arange(nv - 1)[:, None]
    a, b, c, d = j * nu + i, j * nu + ip, (j + 1) * nu + ip, (j + 1) * nu + i
    a, b, c, d = (np.broadcast_to(x, (nv - 1, len(i))) for x in (a, b, c, d))
    faces = np.stack([np.stack([a, c, b], -1), np.stack([a, d, c], -1)], axis=2)
    if mirrored and periodic and nu % 2 == 0:
        half = i < nu // 2
        other = np.stack([np.stack([a, d, b], -1), np.stack([b, d, c], -1)], axis=2)
        faces = np.where(half[None, :, None, None], other, faces)
    faces = faces.reshape(-1, 3)
    if pole:
        top = (nv - 1) * nu
        faces = np.concatenate([faces, np.stack([top + i, np.full(len(i), nu * nv), top + ip], axis=-1)])
    return faces.astype(np.int32)


def point_in_polygon(poly_u: Any, poly_s: Any, u: Any, s: Any) -> Any:
    """Even-odd point-in-polygon test in a plane, vectorised over the query points.

    Parameters
    ----------
    poly_u, poly_s : (k,) float array-like
        The polygon's vertices, in order (closed implicitly).
    u, s : (n,) float array-like
        The query points, in the same units.

    Returns
    -------
    (n,) bool ndarray
        True inside.
    """
    import numpy as np

    u, s = np.asarray(u, float), np.asarray(s, float)
    inside = np.zeros(u.shape, bool)
    n = len(poly_u)
    for k in range(n):
        u1, s1, u2, s2 = poly_u[k], poly_s[k], poly_u[(k + 1) % n], poly_s[(k + 1) % n]
        crosses = (s1 > s) != (s2 > s)
        with np.errstate(divide="ignore", invalid="ignore"):
            u_at = u1 + (s - s1) * (u2 - u1) / (s2 - s1)
        inside ^= crosses & (u < u_at)
    return inside


def _orientation(a: tuple, b: tuple, c: tuple) -> float:
    """Twice the signed area of the triangle abc in the plane: > 0 counter-clockwise, 0 collinear."""
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_segment(a: tuple, b: tuple, c: tuple) -> bool:
    """For collinear a, b, c: c lies on the segment ab (ends included)."""
    return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])


def segments_intersect(p1: tuple, p2: tuple, q1: tuple, q2: tuple) -> bool:
    """True if the closed segments p1-p2 and q1-q2 of the plane share a point (crossing or touching).

    Parameters
    ----------
    p1, p2, q1, q2 : (2,) tuple of float
        The segments' end points.

    Returns
    -------
    bool
    """
    d1, d2 = _orientation(q1, q2, p1), _orientation(q1, q2, p2)
    d3, d4 = _orientation(p1, p2, q1), _orientation(p1, p2, q2)
    if ((d1 > 0) != (d2 > 0)) and d1 != 0 and d2 != 0 and ((d3 > 0) != (d4 > 0)) and d3 != 0 and d4 != 0:
        return True
    return ((d1 == 0 and _on_segment(q1, q2, p1)) or (d2 == 0 and _on_segment(q1, q2, p2))
            or (d3 == 0 and _on_segment(p1, p2, q1)) or (d4 == 0 and _on_segment(p1, p2, q2)))


def self_intersections(points: Sequence[tuple[float, float]]) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, of edges of a closed polygon that meet where they should not.

    Edge i runs from vertex i to vertex i + 1 (the last one back to vertex 0). Edges that are not
    neighbours must not share any point; neighbours share their common vertex only (they must not fold
    back over each other).

    Parameters
    ----------
    points : sequence of (2,) tuple of float
        The polygon's vertices, in order (closed implicitly).

    Returns
    -------
    list of (int, int)
        Empty for a simple polygon.
    """
    n = len(points)
    found = []
    for i in range(n):
        a, b = points[i], points[(i + 1) % n]
        for j in range(i + 1, n):
            c, d = points[j], points[(j + 1) % n]
            if j == i + 1 or (i == 0 and j == n - 1):  # neighbours: a fold-back is collinear overlap
                shared, far_ij = (b, (a, d)) if j == i + 1 else (a, (b, c))
                p, q = far_ij
                if _orientation(p, shared, q) == 0 and (
                        (p[0] - shared[0]) * (q[0] - shared[0]) + (p[1] - shared[1]) * (q[1] - shared[1])) > 0:
                    found.append((i, j))
            elif segments_intersect(a, b, c, d):
                found.append((i, j))
    return found
