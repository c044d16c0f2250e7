"""Dissection planes in the layered face, and how close each comes to each nerve.

A plane is a depth, given as (layer, fraction) like everything else in the model, over a region outlined on the
face: subcutaneous = inside the fat; sub-SMAS / deep plane = the outer face of ``muscle`` (the loose areolar
layer under the SMAS; in the temple, the surface of the deep temporal fascia); subperiosteal = the inner face of
``periosteum``. Its surface is built with the same placement rule as the nerves, so the two are comparable point
by point.

Clearance of a nerve from a plane is measured only where the nerve lies under the plane's region (its ray falls
inside the outline): the minimum 3D distance to the plane's surface, the side of the plane it lies on (superficial
to the plane = raised with the flap; deep to it = left on the floor of the dissection), and the length of nerve
within :data:`facelayers.metrics.EXPOSED_MM` of the plane.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facelayers.geometry import FaceModel, layer_index, params_of
from facelayers.metrics import EXPOSED_MM, length_within, mesh_area, nearest_distances, point_triangle_distances
from facelayers.nerves import NervePath, Patch, _inside, outline_params, patch


@dataclass(frozen=True)
class Plane:
    """A dissection plane placed in the model on one side.

    Attributes
    ----------
    name, label, side : str
    layer : str; fraction : float
        Its depth.
    poly_u, poly_s : (p,) float
        The outline in ray parameters.
    mesh : Patch
        Its surface: vertices (n, 3) float32 mm, faces (m, 3) int32.
    """

    name: str
    label: str
    side: str
    layer: str
    fraction: float
    poly_u: np.ndarray
    poly_s: np.ndarray
    mesh: Patch

    @property
    def depth_coord(self) -> float:
        return layer_index(self.layer) + float(self.fraction)

    @property
    def area_cm2(self) -> float:
        return mesh_area(self.mesh.vertices, self.mesh.faces) / 100.0

    def covers(self, points: np.ndarray) -> np.ndarray:
        """(n,) bool: which points lie under the plane's region (their ray falls inside the outline)."""
        u, s, _ = params_of(points)
        return _inside(self.poly_u, self.poly_s, u, s)


def build_plane(model: FaceModel, outline, layer: str, fraction: float, *, side: str = "left",
                name: str = "plane", label: str = "", n: int = 40) -> Plane:
    """Place a plane: ``outline`` (landmark ids and/or [x, y, z] points, left side) at depth (layer, fraction)."""
    if not 0.0 <= float(fraction) <= 1.0:
        raise ValueError(f"plane {name!r}: fraction = {fraction!r}; allowed: 0 to 1")
    layer_index(layer)
    pu, ps = outline_params(model.anatomy, outline, side)
    mesh = patch(model, pu, ps, layer, float(fraction), n=n)
    if len(mesh.faces) == 0:
        raise ValueError(f"plane {name!r}: its outline encloses no part of the face")
    return Plane(name, label, side, layer, float(fraction), pu, ps, mesh)


@dataclass(frozen=True)
class Clearance:
    """How close one nerve comes to one plane.

    min_mm : float
        Smallest 3D distance (mm) from the nerve, where it lies under the plane, to the plane; inf if it never
        does. side : "flap" (superficial to the plane), "deep" (deep to it), "crosses" (both) or "outside".
    exposed_mm : float
        Length of nerve (mm) within ``limit_mm`` of the plane.
    """

    nerve_id: str
    plane: str
    min_mm: float
    side: str
    exposed_mm: float


def clearance(path: NervePath, plane: Plane, limit_mm: float = EXPOSED_MM) -> Clearance:
    """Clearance of one placed nerve from one plane (see :class:`Clearance`)."""
    under = plane.covers(path.points)
    if not under.any():
        return Clearance(path.nerve_id, plane.name, float("inf"), "outside", 0.0)
    d = np.full(len(path.points), np.inf)
    d[under] = point_triangle_distances(path.points[under], plane.mesh.vertices, plane.mesh.faces)
    shallower = path.depth_coord[under] < plane.depth_coord
    side = "flap" if shallower.all() else "deep" if not shallower.any() else "crosses"
    return Clearance(path.nerve_id, plane.name, float(d.min()), side, length_within(path.points, d, limit_mm))


def clearance_map(plane: Plane, paths) -> np.ndarray:
    """For each vertex of the plane, the distance (mm) to the nearest point of any of the nerves: (n,) float."""
    pts = np.concatenate([p.points for p in paths])
    return nearest_distances(plane.mesh.vertices, pts)
