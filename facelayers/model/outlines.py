"""Outlines on the face: polygons in the model's ray parameters (u, s), and where points lie relative to them.

A region of the face (a plane's undermined area, a muscle, a danger zone, a space of layer 4) is given as places
(landmark ids or [x, y, z] points, left side) whose rays from the head's axis project them onto the face; in the
ray-parameter plane it is a polygon. These helpers sit just above :mod:`facelayers.model.grid` so that every module
that outlines something (nerves, planes, layer 4's spaces, the flap) can use them.
"""

from __future__ import annotations

import numpy as np

from facelayers.core.frame import mirror
from facelayers.core.polygons import point_in_polygon
from facelayers.model.grid import params_of


def outline_params(anatomy, outline, side: str = "left"):
    """(u, s) of an outline given as landmark ids and/or [x, y, z] points."""
    pts = np.array([anatomy.point(p) if isinstance(p, str) else np.asarray(p, float) for p in outline])
    u, s, _ = params_of(mirror(pts, side))
    return u, s


#: Scale from azimuth (rad) to mm on the face, to measure distances in the (u, s) parameter plane.
U_SCALE_MM = 80.0


def polygon_field(poly_u: np.ndarray, poly_s: np.ndarray, u: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Signed distance (about mm) from points (u, s) to a polygon's boundary: positive inside."""
    pu, ps, qu, qs = poly_u * U_SCALE_MM, poly_s, u * U_SCALE_MM, s
    best = np.full(u.shape, np.inf)
    n = len(pu)
    for i in range(n):
        au, as_, bu, bs = pu[i], ps[i], pu[(i + 1) % n], ps[(i + 1) % n]
        eu, es = bu - au, bs - as_
        t = np.clip(((qu - au) * eu + (qs - as_) * es) / max(eu * eu + es * es, 1e-12), 0.0, 1.0)
        best = np.minimum(best, np.hypot(qu - (au + t * eu), qs - (as_ + t * es)))
    return np.where(point_in_polygon(poly_u, poly_s, u, s), best, -best)


