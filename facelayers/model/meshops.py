"""Mesh operations on plain arrays: vertices (v, 3) float mm, triangles (f, 3) int.

Weld, open edges, neighbours, refinement, Taubin smoothing, solidifying a sheet, tubes.

Used by :mod:`facelayers.model.skull_parts` to draw the skull as bone; nothing here knows about the face.
"""

from __future__ import annotations

import numpy as np


def weld(vertices: np.ndarray, faces: np.ndarray, decimals: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Merge vertices that coincide (to ``decimals`` of a mm) and drop triangles that collapse.

    Parameters
    ----------
    vertices : (v, 3) float, mm; faces : (f, 3) int

    Returns
    -------
    vertices : (w, 3) float64; faces : (g, 3) int64
    """
    key = np.round(np.asarray(vertices, float), decimals)
    uniq, inverse = np.unique(key, axis=0, return_inverse=True)
    f = inverse.reshape(-1)[faces]
    ok = (f[:, 0] != f[:, 1]) & (f[:, 1] != f[:, 2]) & (f[:, 0] != f[:, 2])
    return uniq, f[ok]


def boundary_edges(faces: np.ndarray) -> np.ndarray:
    """Directed edges (e, 2) that only one triangle of ``faces`` (f, 3) uses, as that triangle winds them."""
    e = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    key = np.sort(e, axis=1)
    _, inv, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    return e[counts[inv.reshape(-1)] == 1]


def vertex_neighbours(n: int, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mesh's undirected edges as (a, b) index pairs, both directions: (2e,) int64 each, for ``n`` vertices."""
    e = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    e = np.unique(np.sort(e, axis=1), axis=0)
    return np.concatenate([e[:, 0], e[:, 1]]), np.concatenate([e[:, 1], e[:, 0]])


def refine(vertices: np.ndarray, faces: np.ndarray, marked: np.ndarray, max_edge_mm: float
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One pass of conforming refinement: every edge longer than ``max_edge_mm`` with a marked end is split.

    A triangle with one, two or three split edges becomes two, three or four (red-green refinement, so no
    T-junctions); the winding is kept. New vertices are the edges' midpoints (:func:`relax` then moves them onto
    a smooth surface).

    Parameters
    ----------
    vertices : (v, 3) float, mm; faces : (f, 3) int; marked : (v,) bool; max_edge_mm : float

    Returns
    -------
    vertices : (v + k, 3) float64; faces : (g, 3) int64; marked : (v + k,) bool (a new vertex is marked)
    """
    v = np.asarray(vertices, float)
    f = np.asarray(faces, np.int64)
    e = np.stack([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]], axis=1)  # (f, 3, 2)
    key = np.sort(e.reshape(-1, 2), axis=1)
    uniq, inv = np.unique(key, axis=0, return_inverse=True)
    length = np.linalg.norm(v[uniq[:, 0]] - v[uniq[:, 1]], axis=1)
    split = (length > max_edge_mm) & (marked[uniq[:, 0]] | marked[uniq[:, 1]])
    if not split.any():
        return v, f, np.asarray(marked, bool)
    mid_index = np.full(len(uniq), -1)
    mid_index[split] = len(v) + np.arange(split.sum())
    new_v = 0.5 * (v[uniq[split, 0]] + v[uniq[split, 1]])
    mids = mid_index[inv.reshape(-1)].reshape(-1, 3)  # (f, 3): midpoint of edge k (-1: not split)
    n_split = (mids >= 0).sum(axis=1)
    out = [f[n_split == 0]]
    # rotate: one split -> it is edge 0 (ab); two -> the unsplit one is edge 2 (ca)
    rot = np.where(n_split == 1, np.argmax(mids >= 0, axis=1), np.where(n_split == 2, (np.argmin(mids >= 0, axis=1) + 1) % 3, 0))
    idx = (rot[:, None] + np.arange(3)[None, :]) % 3
    fr = np.take_along_axis(f, idx, axis=1)
    mr = np.take_along_axis(mids, idx, axis=1)
    a, b, c = fr[:, 0], fr[:, 1], fr[:, 2]
    mab, mbc, mca = mr[:, 0], mr[:, 1], mr[:, 2]
    k1, k2, k3 = n_split == 1, n_split == 2, n_split == 3
    out += [np.stack([a, mab, c], 1)[k1], np.stack([mab, b, c], 1)[k1]]
    out += [np.stack([mab, b, mbc], 1)[k2], np.stack([a, mab, mbc], 1)[k2], np.stack([a, mbc, c], 1)[k2]]
    out += [np.stack([a, mab, mca], 1)[k3], np.stack([mab, b, mbc], 1)[k3], np.stack([mca, mbc, c], 1)[k3],
            np.stack([mab, mbc, mca], 1)[k3]]
    return (np.concatenate([v, new_v]), np.concatenate(out),
            np.concatenate([np.asarray(marked, bool), np.ones(len(new_v), bool)]))



def relax(vertices: np.ndarray, faces: np.ndarray, weight: np.ndarray, passes: int = 60,
          lam: float = 0.5, mu: float = -0.53) -> np.ndarray:
    """Taubin's smoothing of a mesh's vertices, each moved by ``weight`` times the umbrella step.

    Each pass moves every vertex towards the mean of its neighbours by ``lam * weight`` and then away by
    ``mu * weight`` (the second step undoes the shrinking of the first; Taubin 1995). The open edges' vertices
    stay put (a seam or a cut keeps its place). The uniform umbrella also evens out long thin triangles.

    Parameters
    ----------
    vertices : (v, 3) float, mm (or (v,) float: one value per vertex, e.g. a shade); faces : (f, 3) int
    weight : (v,) float in [0, 1] — 0 keeps a vertex where it is
    passes : int; lam, mu : float — Taubin's factors (lam > 0 > mu, |mu| slightly > lam; mu 0: plain diffusion)

    Returns
    -------
    (v, 3) float64, mm (or (v,) float64)
    """
    v = np.asarray(vertices, float).copy()
    if v.ndim == 1:  # a value per vertex (a shade): smoothed the same way
        return relax(v[:, None], faces, weight, passes, lam, mu)[:, 0]
    if len(faces) == 0:
        return v
    a, b = vertex_neighbours(len(v), faces)
    count = np.bincount(a, minlength=len(v)).astype(float)
    w = np.asarray(weight, float).copy()
    w[np.unique(boundary_edges(faces))] = 0.0
    w[count == 0] = 0.0
    count[count == 0] = 1.0
    for _ in range(passes):
        for factor in (lam, mu):
            mean = np.zeros_like(v)
            np.add.at(mean, a, v[b])
            v += (factor * w)[:, None] * (mean / count[:, None] - v)
    return v


def solidify(vertices: np.ndarray, faces: np.ndarray, inward: np.ndarray,
             open_vertices: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A sheet made a solid: an inner copy moved by ``inward`` and walls along its open edges.

    Parameters
    ----------
    vertices : (v, 3) float, mm; faces : (f, 3) int — outward-facing sheet, welded
    inward : (v, 3) float, mm — each vertex's move to its inner copy
    open_vertices : (v,) bool, optional — an open edge between two of these gets no wall (a seam where the sheet
        continues in another mesh); None: every open edge gets one (a closed solid)

    Returns
    -------
    vertices : (2v + 2r, 3) float64 — the sheet's, the inner copy's, then the walls' own copies of the r rim
        vertices (outer, inner: the walls' normals stay apart from the faces'); faces : (g, 3) int64,
        outward-facing. Closed (watertight) once welded (:func:`weld`).
    """
    n = len(vertices)
    edges = boundary_edges(faces)
    if open_vertices is not None:
        edges = edges[~(open_vertices[edges[:, 0]] & open_vertices[edges[:, 1]])]
    # the walls get their own copies of the rim's vertices: the renderer's smooth normals then do not mix the
    # face's and the wall's, and the rim stays crisp
    rim = np.unique(edges)
    k = len(rim)
    index = np.full(n, -1)
    index[rim] = np.arange(k)
    wall_out = vertices[rim]
    wall_in = vertices[rim] + inward[rim]
    a, b = 2 * n + index[edges[:, 0]], 2 * n + index[edges[:, 1]]
    walls = np.concatenate([np.stack([b, a, a + k], axis=1), np.stack([b, a + k, b + k], axis=1)])
    inner = faces[:, ::-1] + n
    return (np.concatenate([vertices, vertices + inward, wall_out, wall_in]),
            np.concatenate([faces, inner, walls]))


def tube(centres: np.ndarray, axis_a: np.ndarray, axis_b: np.ndarray, radii: tuple[float, float],
         sides: int = 16, caps: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """A tube of elliptical section along a polyline, closed at both ends.

    Parameters
    ----------
    centres : (k, 3) float, mm — the centre line
    axis_a, axis_b : (k, 3) float — unit section axes at each centre (a x b along the line for outward faces)
    radii : (float, float), mm — the section's semi-axes along a and b
    sides : int — vertices per section
    caps : bool — close the ends (a fan to each end's centre)

    Returns
    -------
    vertices : (k * sides + 2, 3) float64; faces : (f, 3) int64, outward-facing
    """
    k = len(centres)
    t = np.linspace(0.0, 2.0 * np.pi, sides, endpoint=False)
    ring = (radii[0] * np.cos(t)[None, :, None] * axis_a[:, None, :]
            + radii[1] * np.sin(t)[None, :, None] * axis_b[:, None, :])
    verts = (centres[:, None, :] + ring).reshape(-1, 3)
    i = np.arange(k - 1)[:, None] * sides
    j = np.arange(sides)[None, :]
    p00, p01 = i + j, i + (j + 1) % sides
    p10, p11 = p00 + sides, p01 + sides
    faces = np.concatenate([np.stack([p00, p11, p10], -1).reshape(-1, 3),
                            np.stack([p00, p01, p11], -1).reshape(-1, 3)])
    if caps:
        c0, c1 = k * sides, k * sides + 1
        verts = np.concatenate([verts, centres[:1], centres[-1:]])
        jj = np.arange(sides)
        faces = np.concatenate([faces, np.stack([np.full(sides, c0), (jj + 1) % sides, jj], -1),
                                np.stack([np.full(sides, c1), (k - 1) * sides + jj,
                                          (k - 1) * sides + (jj + 1) % sides], -1)])
    return verts, faces


def ray_hits(origins: np.ndarray, dirs: np.ndarray, vertices: np.ndarray, faces: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """Where rays meet a mesh: the nearest and the farthest hit along each ray (Moller-Trumbore, every triangle).

    Parameters
    ----------
    origins, dirs : (k, 3) float, mm — the rays (t > 0 only; ``dirs`` need not be unit: t is in its units)
    vertices : (v, 3) float, mm; faces : (f, 3) int

    Returns
    -------
    nearest, farthest : (k,) float64 — the distance along each ray to its nearest and its farthest hit; NaN where
        the ray meets no triangle.
    """
    v = np.asarray(vertices, float)
    f = np.asarray(faces, np.int64)
    p0, p1, p2 = v[f[:, 0]], v[f[:, 1]], v[f[:, 2]]
    e1, e2 = p1 - p0, p2 - p0
    origins, dirs = np.atleast_2d(np.asarray(origins, float)), np.atleast_2d(np.asarray(dirs, float))
    nearest = np.full(len(origins), np.nan)
    farthest = np.full(len(origins), np.nan)
    for i, (o, d) in enumerate(zip(origins, dirs)):
        hit, _, _, t = ray_triangles(o, d, p0, e1, e2)
        if hit.any():
            nearest[i], farthest[i] = t[hit].min(), t[hit].max()
    return nearest, farthest


def ray_triangles(origin: np.ndarray, direction: np.ndarray, p0: np.ndarray, e1: np.ndarray, e2: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One ray against many triangles (Moller-Trumbore): which it meets (t > 0), and where.

    Parameters
    ----------
    origin, direction : (3,) float, mm — the ray (``direction`` need not be unit: t is in its units)
    p0 : (f, 3) float, mm — each triangle's first corner; e1, e2 : (f, 3) float, mm — its edges p1 - p0, p2 - p0

    Returns
    -------
    hit : (f,) bool
    a, b : (f,) float64 — the hit's barycentric weights of p1 and p2 (p0's is 1 - a - b)
    t : (f,) float64 — the distance along the ray (meaningful where ``hit``)
    """
    pv = np.cross(direction, e2)
    det = np.einsum("ij,ij->i", e1, pv)
    good = np.abs(det) > 1e-12
    inv = 1.0 / np.where(good, det, 1.0)
    tv = origin - p0
    a = np.einsum("ij,ij->i", tv, pv) * inv
    qv = np.cross(tv, e1)
    b = (qv @ direction) * inv
    t = np.einsum("ij,ij->i", e2, qv) * inv
    return good & (a >= 0) & (b >= 0) & (a + b <= 1) & (t > 0), a, b, t
