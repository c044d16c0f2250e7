"""Depth below the skin as the literature means it: the shortest distance to the skin, not the depth along a ray.

The model lays its layers along rays (:mod:`facelayers.model.geometry`), so a point's depth *along its ray* is
cheap, but where the ray meets the skin obliquely (the cheek at Zuker's point, the jaw line, the temple) it
overstates the depth a dissector or an ultrasound measures, by 1/cos of the angle. The depths the sources give
(a nerve x mm under the skin or under the SMAS) are taken perpendicular to the surface.

**Definition.** :func:`skin_depth` is the nearest-point distance from a point to the skin surface, where the skin
surface is the model's own skin mesh: the skin vertices on the model's grid (``model.skin``) and its triangles
(``model.faces``); the schematic ears, which are separate shells, do not count. Where the skin is locally flat
this is the distance along the skin's normal through the nearest skin point; in a concavity it is the shorter of
the normals. It is measured on the built geometry, whatever the skin is, and it is exact for the mesh (no
tolerance other than floating point). A point on the right (x < 0) is measured as its mirror image on the left,
so the two sides read the same depth (the face is mirror-symmetric, but each quad's diagonal runs the same way on
both sides, which at the coarse grid moves a depth by up to 0.6 mm).

The search is exact and local: a point's distance to its own ray's skin point (on the skin's parametrisation, which
passes through every vertex of the mesh), plus :data:`BOUND_MARGIN` median edges, bounds the nearest distance, so
only the triangles within that bound (plus each one's longest edge) are solved exactly
(:func:`facelayers.model.metrics.point_triangle_distances`); ``tests/test_perpendicular_depths.py`` checks the result
against a brute-force distance to every skin triangle at every resolution.
"""

from __future__ import annotations

import weakref

import numpy as np

from facelayers.model.grid import params_of, rays
from facelayers.model.metrics import point_triangle_distances

#: Points handled together: the candidate triangles are those near the group's bounding ball.
CHUNK = 16
#: Margin on a point's distance bound, in median edges of the skin mesh (the mesh lies within a cell of the skin).
BOUND_MARGIN = 2.0


def skin_depth(model, points) -> np.ndarray:
    """Nearest-point distance (mm) from each point to the model's skin mesh: its depth below the skin.

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel
        The built face; its skin vertices (``model.skin``, (n, 3) mm) and triangles (``model.faces``).
    points : (k, 3) float array-like, mm, head frame
        Points inside (or on) the head. Points that lie near one another in the array (a nerve's samples in
        order) are measured fastest.

    Returns
    -------
    (k,) float64 ndarray, mm
        The shortest distance to the skin surface (0 on the skin), measured on the left half (a point with
        x < 0 as its mirror image). Empty for k = 0.

    Raises
    ------
    ValueError
        If ``points`` is not a (k, 3) array of finite numbers (the message names ``points``).
    """
    p = np.asarray(points, dtype=float)
    if p.ndim != 2 or p.shape[1] != 3:
        raise ValueError(f"points: shape {p.shape}; need (k, 3) points in mm")
    if len(p) == 0:
        return np.zeros(0)
    if not np.isfinite(p).all():
        raise ValueError("points: non-finite coordinates; need finite (k, 3) points in mm")
    # The face is mirror-symmetric but its triangles are not (each quad's diagonal runs the same way on both
    # sides): a point is measured as its mirror image on the left (x >= 0), so both sides read the same depth.
    p = p.copy()
    p[:, 0] = np.abs(p[:, 0])
    verts, faces, tri, edge, median_edge = _skin_mesh(model)
    # An upper bound on each point's distance: the skin point on its own ray, plus a margin for the mesh's
    # departure from the skin's parametrisation between vertices (less than a cell; BOUND_MARGIN median edges).
    u, s, _ = params_of(p)
    o, d = rays(u, s)
    bound = np.linalg.norm(o + d * model.skin_surface.radius(u, s)[:, None] - p, axis=1) + BOUND_MARGIN * median_edge
    # Triangles that any point could reach (every vertex of a triangle holding a point within ``bound`` of q lies
    # within bound + the triangle's longest edge of q), then per group of points.
    lo, hi = (p - bound[:, None]).min(axis=0), (p + bound[:, None]).max(axis=0)
    first = tri[:, 0]
    pool = np.flatnonzero(np.all((first >= lo - edge[:, None]) & (first <= hi + edge[:, None]), axis=1))
    first, pool_edge = first[pool], edge[pool]
    out = np.empty(len(p))
    for start in range(0, len(p), CHUNK):
        q = p[start:start + CHUNK]
        centre = q.mean(axis=0)
        reach = float(np.linalg.norm(q - centre, axis=1).max() + bound[start:start + CHUNK].max())
        gap = first - centre
        keep = pool[np.einsum("ij,ij->i", gap, gap) <= (reach + pool_edge) ** 2]
        sub = faces[keep] if len(keep) else faces  # none: cannot happen inside the head; the whole mesh then
        used, inverse = np.unique(sub, return_inverse=True)
        out[start:start + CHUNK] = point_triangle_distances(q, verts[used], inverse.reshape(sub.shape))
    return out


_MESHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _skin_mesh(model):
    """The model's skin mesh and its triangles' sizes, cached per model.

    Returns vertices (n, 3) mm, faces (m, 3) int, triangle corners (m, 3, 3) mm, each triangle's longest edge
    (m,) mm and the median of those, mm.
    """
    try:
        return _MESHES[model]
    except (KeyError, TypeError):
        pass
    verts, faces = np.asarray(model.skin, float), np.asarray(model.faces)
    tri = verts[faces]
    edge = np.linalg.norm(tri - np.roll(tri, 1, axis=1), axis=2).max(axis=1)
    out = (verts, faces, tri, edge, float(np.median(edge)))
    try:
        _MESHES[model] = out
    except TypeError:  # a model that cannot be weakly referenced is measured afresh each time
        pass
    return out


def ray_point(stack, depth_along_mm) -> np.ndarray:
    """Points (n, 3) mm at given depths (n,) mm along each ray of a Stack, below its skin point.

    Parameters
    ----------
    stack : facelayers.model.stack.Stack
        n rays.
    depth_along_mm : (n,) float array-like, mm

    Returns
    -------
    (n, 3) float64 ndarray, mm, head frame
    """
    skin, bone = stack.points[:, 0], stack.points[:, -1]
    inward = bone - skin
    inward /= np.maximum(np.linalg.norm(inward, axis=1, keepdims=True), 1e-12)
    return skin + np.asarray(depth_along_mm, float)[:, None] * inward


def along_for_perpendicular(model, stack, start_mm, below_mm, lo_mm, hi_mm, iterations: int = 30) -> np.ndarray:
    """Depths along each ray (n,) mm whose point lies ``below_mm`` deeper, measured perpendicular, than ``start_mm``.

    On each ray of ``stack`` the point at ``start_mm`` along the ray (e.g. the SMAS's inner face) has a
    perpendicular depth D0 (:func:`skin_depth`); the answer is the depth along the ray, within
    [``lo_mm``, ``hi_mm``], whose point's perpendicular depth is D0 + ``below_mm`` (bisection; the
    perpendicular depth grows along a ray into the head). If even ``hi_mm`` is not that deep, ``hi_mm``; if
    ``lo_mm`` is already deeper, ``lo_mm``.

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel
    stack : facelayers.model.stack.Stack
        n rays.
    start_mm, below_mm, lo_mm, hi_mm : (n,) float array-like, mm
        Depths along the rays (``start_mm``, the bracket) and the wanted perpendicular distance below.
    iterations : int
        Bisection steps (30 halve a 30-mm bracket to below a micrometre).

    Returns
    -------
    (n,) float64 ndarray, mm along the rays
    """
    start = np.asarray(start_mm, float)
    want = skin_depth(model, ray_point(stack, start)) + np.asarray(below_mm, float)
    lo = np.asarray(lo_mm, float).copy()
    hi = np.maximum(np.asarray(hi_mm, float), lo)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        deeper = skin_depth(model, ray_point(stack, mid)) >= want
        hi = np.where(deeper, mid, hi)
        lo = np.where(deeper, lo, mid)
    return 0.5 * (lo + hi)
