"""Distances between nerves and dissection planes, areas and lengths (numpy only).

All functions take plain arrays in millimetres, so they are tested on analytic cases (a flat plane and a straight
nerve 3 mm under it gives 3.0 mm) and used unchanged on the real model.
"""

from __future__ import annotations

import numpy as np

#: How close a nerve may come to a plane before it counts as exposed (REFERENCE 9.2 "Risk display"), mm.
EXPOSED_MM = 2.0


def _check_points(name: str, points) -> np.ndarray:
    """``points`` as an (n, 3) float64 array of finite numbers, n >= 1; a ValueError naming ``name`` otherwise."""
    try:
        p = np.asarray(points, float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {type(points).__name__} is not an array of numbers; need (n, 3) points in mm") from None
    if p.ndim != 2 or p.shape[1] != 3:
        raise ValueError(f"{name}: shape {p.shape}; need (n, 3) points in mm")
    if len(p) == 0:
        raise ValueError(f"{name}: no points")
    if not np.isfinite(p).all():
        raise ValueError(f"{name}: non-finite coordinates")
    return p


def _check_faces(faces, n_vertices: int) -> np.ndarray:
    """``faces`` as an (m, 3) int array of indices into ``n_vertices`` vertices; a ValueError otherwise."""
    try:
        f = np.asarray(faces)
    except (TypeError, ValueError):
        f = np.asarray([])
    if len(f) == 0:
        return np.zeros((0, 3), np.int64)
    if f.ndim != 2 or f.shape[1] != 3 or not np.issubdtype(f.dtype, np.integer):
        raise ValueError(f"faces: shape {f.shape}, dtype {f.dtype}; need (m, 3) integer vertex indices")
    if f.min() < 0 or f.max() >= n_vertices:
        raise ValueError(f"faces: index {int(f.min() if f.min() < 0 else f.max())} out of range; allowed 0 to "
                         f"{n_vertices - 1}")
    return f


def nearest_distances(points, cloud, chunk: int = 4096) -> np.ndarray:
    """For each point, the distance to the nearest point of ``cloud``: (n,) float, mm.

    Parameters
    ----------
    points : (n, 3) float, mm
    cloud : (m, 3) float, mm
    chunk : int
        Rows of ``points`` per block (keeps memory at chunk * m floats).

    Returns
    -------
    (n,) float64, mm

    Raises
    ------
    ValueError
        Either array is not (k, 3) finite numbers with k >= 1.
    """
    p = _check_points("points", points)
    c = _check_points("cloud", cloud)
    out = np.empty(len(p))
    c2 = (c * c).sum(axis=1)
    for start in range(0, len(p), chunk):
        block = p[start:start + chunk]
        d2 = (block * block).sum(axis=1)[:, None] - 2.0 * block @ c.T + c2[None, :]
        out[start:start + chunk] = np.sqrt(np.maximum(d2.min(axis=1), 0.0))
    return out


def point_triangle_distances(points, vertices, faces) -> np.ndarray:
    """Exact distance from each point to a triangle mesh (n,) mm: the closest point may lie inside a face.

    Brute force over faces, vectorised (Ericson, *Real-Time Collision Detection*, 5.1.5). Fine for the sizes
    here (hundreds of nerve points against a few thousand plane triangles).

    Parameters
    ----------
    points : (n, 3) float, mm
    vertices : (v, 3) float, mm
    faces : (m, 3) int
        Indices into ``vertices``, m >= 1.

    Returns
    -------
    (n,) float64, mm

    Raises
    ------
    ValueError
        Shapes, non-finite coordinates, or face indices out of range.
    """
    p = _check_points("points", points)
    v = _check_points("vertices", vertices)
    f = _check_faces(faces, len(v))
    if len(f) == 0:
        raise ValueError("faces: none; need (m, 3) vertex indices, m >= 1")
    a, b, c = v[f[:, 0]], v[f[:, 1]], v[f[:, 2]]
    # The closest point lies in a triangle whose three vertices are all within (nearest-vertex distance +
    # longest edge) of the query: only those candidate pairs are solved exactly.
    edge = float(max(np.linalg.norm(b - a, axis=1).max(), np.linalg.norm(c - b, axis=1).max(),
                     np.linalg.norm(a - c, axis=1).max()))
    best = np.full(len(p), np.inf)
    v2 = (v * v).sum(axis=1)
    for start in range(0, len(p), 512):
        q = p[start:start + 512]
        d2 = np.maximum((q * q).sum(axis=1)[:, None] - 2.0 * q @ v.T + v2[None, :], 0.0)
        reach = (np.sqrt(d2.min(axis=1)) + edge + 1e-9) ** 2
        near = d2 <= reach[:, None]
        rows, tris = np.nonzero(near[:, f].all(axis=2))
        closest = _closest_on_triangles(q[rows], a[tris], b[tris], c[tris])
        dist = np.linalg.norm(q[rows] - closest, axis=1)
        out = np.full(len(q), np.inf)
        np.minimum.at(out, rows, dist)
        best[start:start + 512] = out
    return best


def _closest_on_triangles(p, a, b, c):
    ab, ac, ap = b - a, c - a, p - a
    d1 = (ab * ap).sum(-1)
    d2 = (ac * ap).sum(-1)
    bp = p - b
    d3 = (ab * bp).sum(-1)
    d4 = (ac * bp).sum(-1)
    cp = p - c
    d5 = (ab * cp).sum(-1)
    d6 = (ac * cp).sum(-1)
    va = d3 * d6 - d5 * d4
    vb = d5 * d2 - d1 * d6
    vc = d1 * d4 - d3 * d2
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = va + vb + vc
        v_ = np.where(denom != 0, vb / denom, 0.0)
        w_ = np.where(denom != 0, vc / denom, 0.0)
        result = a + ab * v_[..., None] + ac * w_[..., None]
        # Edge regions.
        t_ab = np.where(d1 - d3 != 0, d1 / (d1 - d3), 0.0)
        on_ab = (vc <= 0) & (d1 >= 0) & (d3 <= 0)
        result = np.where(on_ab[..., None], a + ab * t_ab[..., None], result)
        t_ac = np.where(d2 - d6 != 0, d2 / (d2 - d6), 0.0)
        on_ac = (vb <= 0) & (d2 >= 0) & (d6 <= 0)
        result = np.where(on_ac[..., None], a + ac * t_ac[..., None], result)
        t_bc = np.where((d4 - d3) + (d5 - d6) != 0, (d4 - d3) / ((d4 - d3) + (d5 - d6)), 0.0)
        on_bc = (va <= 0) & ((d4 - d3) >= 0) & ((d5 - d6) >= 0)
        result = np.where(on_bc[..., None], b + (c - b) * t_bc[..., None], result)
    # Vertex regions last (they take precedence).
    result = np.where(((d1 <= 0) & (d2 <= 0))[..., None], a, result)
    result = np.where(((d3 >= 0) & (d4 <= d3))[..., None], b, result)
    result = np.where(((d6 >= 0) & (d5 <= d6))[..., None], c, result)
    return result


def polyline_length(points) -> float:
    """Length of a polyline, mm.

    Parameters
    ----------
    points : (n, 3) float, mm
        The vertices in order, n >= 1.

    Returns
    -------
    float, mm
    """
    p = _check_points("points", points)
    return float(np.linalg.norm(np.diff(p, axis=0), axis=1).sum())


def mesh_area(vertices, faces) -> float:
    """Area of a triangle mesh, mm^2.

    Parameters
    ----------
    vertices : (v, 3) float, mm
    faces : (m, 3) int
        Indices into ``vertices`` (m may be 0: area 0).

    Returns
    -------
    float, mm^2
    """
    v = _check_points("vertices", vertices)
    f = _check_faces(faces, len(v))
    if len(f) == 0:
        return 0.0
    a, b, c = v[f[:, 0]], v[f[:, 1]], v[f[:, 2]]
    return float(0.5 * np.linalg.norm(np.cross(b - a, c - a), axis=1).sum())


def length_within(points, distances, limit_mm: float = EXPOSED_MM) -> float:
    """Length of a polyline (mm) whose points lie within ``limit_mm`` of something.

    Each segment counts by the fraction of its two end points that are within (so a segment half in counts half).

    Parameters
    ----------
    points : (n, 3) float, mm
        The polyline's vertices in order.
    distances : (n,) float, mm
        Each vertex's distance to the thing (:func:`point_triangle_distances`).
    limit_mm : float, mm
        Within this distance counts (default :data:`EXPOSED_MM`).

    Returns
    -------
    float, mm
    """
    p = _check_points("points", points)
    d = np.asarray(distances, float)
    if d.shape != (len(p),):
        raise ValueError(f"distances: shape {d.shape}; need ({len(p)},)")
    seg = np.linalg.norm(np.diff(p, axis=0), axis=1)
    within = (d <= limit_mm).astype(float)
    return float((seg * 0.5 * (within[1:] + within[:-1])).sum())
