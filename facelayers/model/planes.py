"""Dissection planes in the layered face, and how close each comes to each nerve.

A plane is a depth, given as (layer, fraction) like everything else in the model, over a region outlined on the
face: subcutaneous = inside the fat; sub-SMAS / deep plane = the outer face of ``muscle`` (the loose areolar
layer under the SMAS; in the temple, the surface of the deep temporal fascia); subperiosteal = the inner face of
``periosteum``. Its surface is built with the same placement rule as the nerves, so the two are comparable point
by point.

A plane follows the dissection: its depth may change over its region. It has a default depth and *zones*
(outlines on the face, each with its own depth) where it follows another layer or structure (the deep plane runs
sub-SMAS laterally and on the superficial surface of zygomaticus major and orbicularis oculi medially); the depth
changes to a zone's over :data:`TRANSITION_MM` inside the zone. A depth may also be given within layer 4 (band
``space``: 0 its roof, the SMAS's inner face; 1 its floor, the deep fascia) or under its floor (band
``under_floor``), see :mod:`facelayers.model.space`: "on the deep temporal fascia" is layer 4's floor.

Clearance of a nerve from a plane is measured only where the nerve lies under the plane's region (its ray falls
inside the outline): the minimum 3D distance to the plane's surface, the side of the plane it lies on (superficial
to the plane = raised with the flap; deep to it = left on the floor of the dissection), compared point by point
with the plane's depth on the nerve's own ray, and the length of nerve within
:data:`facelayers.model.metrics.EXPOSED_MM` of the plane. The distance is a nearest-point distance in 3D, so it is
measured perpendicular to the plane, never along a ray; the side is decided by the depth coordinates on the nerve's
own ray (layer index + fraction), which stays right however small the distance is. A nerve's depth below the skin
(:attr:`facelayers.model.nerves.NervePath.depth_mm`) is likewise perpendicular to the skin.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from facelayers.core.frame import side_sign
from facelayers.core.polygons import point_in_polygon
from facelayers.model.geometry import FaceModel, layer_index
from facelayers.model.grid import params_of
from facelayers.model.metrics import (
    EXPOSED_MM,
    length_within,
    mesh_area,
    nearest_distances,
    point_triangle_distances,
)
from facelayers.model.nerves import NervePath, Patch, patch
from facelayers.model.outlines import outline_params, polygon_field

#: Width (mm, on the face) over which a plane's depth changes from its default to a zone's, inside the zone.
TRANSITION_MM = 4.0


@dataclass(frozen=True)
class Zone:
    """A zone of a placed plane: its outline in ray parameters (left side) and its depth.

    Attributes
    ----------
    zone_id, label : str
        The zone's id and its label for students (``data/techniques.json``).
    poly_u : (p,) float64 ndarray, rad
        The outline's azimuths on the model's rays (left side: the plane's ``side`` mirrors it when it is used).
    poly_s : (p,) float64 ndarray, mm
        The outline's grid heights.
    layer : str
        A layer of :data:`facelayers.core.frame.LAYERS`.
    fraction : float
        Depth within the layer (or within the band), 0 at its outer face to 1 at its inner face.
    band : {"space", "under_floor"} or None
        The depth's layer-4 band (see :mod:`facelayers.model.space`), or None for the layer itself.
    """

    zone_id: str
    label: str
    poly_u: np.ndarray
    poly_s: np.ndarray
    layer: str
    fraction: float
    band: str | None = None


@dataclass(frozen=True)
class Plane:
    """A dissection plane placed in the model on one side.

    Attributes
    ----------
    name, label : str
        The plane's id and its label for students.
    side : {"left", "right"}
    layer : str
        The default depth's layer, one of :data:`facelayers.core.frame.LAYERS`.
    fraction : float
        The default depth within it, 0 (outer face) to 1 (inner face): the nominal depth (see :meth:`depth_at`
        for the depth at a point).
    poly_u : (p,) float64 ndarray, rad
        The outline's azimuths on the model's rays, on ``side``.
    poly_s : (p,) float64 ndarray, mm
        The outline's grid heights.
    mesh : Patch
        Its surface: vertices (n, 3) float32 mm in the head frame, faces (m, 3) int32.
    band : str or None
        The default depth's layer-4 band (see :mod:`facelayers.model.space`).
    zones : tuple of Zone
        Where it runs at another depth.
    model : FaceModel
        The model it was placed in (for :meth:`depth_at`).
    """

    name: str
    label: str
    side: str
    layer: str
    fraction: float
    poly_u: np.ndarray
    poly_s: np.ndarray
    mesh: Patch
    band: str | None = None
    zones: tuple = ()
    model: FaceModel | None = field(default=None, repr=False, compare=False)

    @property
    def depth_coord(self) -> float:
        """The nominal depth coordinate: layer index + fraction of the default depth, band ignored.

        Where the depth varies (a band, zones), use :meth:`depth_at`.
        """
        return layer_index(self.layer) + float(self.fraction)

    @property
    def varies(self) -> bool:
        """True if the depth depends on the point (a layer-4 band or zones)."""
        return self.band is not None or bool(self.zones)

    @property
    def area_cm2(self) -> float:
        """The area of the plane's surface (its mesh), cm^2."""
        return mesh_area(self.mesh.vertices, self.mesh.faces) / 100.0

    def covers(self, points: np.ndarray) -> np.ndarray:
        """Which points lie under the plane's region (their ray falls inside the outline).

        Parameters
        ----------
        points : (n, 3) float array-like, mm, head frame

        Returns
        -------
        (n,) bool ndarray
        """
        u, s, _ = params_of(points)
        return point_in_polygon(self.poly_u, self.poly_s, u, s)

    def ext_at(self, u, s, f4) -> np.ndarray:
        """The plane's extended depth coordinate (:mod:`facelayers.model.space`) on given rays.

        Parameters
        ----------
        u : (n,) float array-like, rad
            Azimuths of the rays.
        s : (n,) float array-like, mm
            Grid heights of the rays.
        f4 : (n,) float ndarray
            The fraction of the muscle layer at which layer 4's floor lies on each ray.

        Returns
        -------
        (n,) float64 ndarray
            The default depth, moved toward each zone's depth over :data:`TRANSITION_MM` inside the zone.
        """
        from facelayers.model.space import ext_of_spec

        e = ext_of_spec(self.layer, self.fraction, self.band, f4)
        mirror = side_sign(self.side)
        for z in self.zones:
            w = np.clip(polygon_field(z.poly_u * mirror, z.poly_s, np.asarray(u, float), np.asarray(s, float))
                        / TRANSITION_MM, 0.0, 1.0)
            w = w * w * (3 - 2 * w)
            e = e + w * (ext_of_spec(z.layer, z.fraction, z.band, f4) - e)
        return e

    def depth_at(self, u, s, stack=None) -> np.ndarray:
        """The plane's model depth coordinate (layer index + fraction) on given rays.

        Parameters
        ----------
        u : (n,) float array-like, rad
            Azimuths of the rays.
        s : (n,) float array-like, mm
            Grid heights of the rays.
        stack : facelayers.model.stack.Stack, optional
            ``model.stack_at(u, s)`` if already computed.

        Returns
        -------
        (n,) float64 ndarray
            From 0 (the skin) to 5 (bone).
        """
        if not self.varies:
            return np.full(np.shape(u), self.depth_coord)
        from facelayers.model.space import coord_from_ext, layer4

        stack = stack if stack is not None else self.model.stack_at(u, s)
        f4 = layer4(self.model.anatomy).floor_fraction(stack)
        return coord_from_ext(self.ext_at(u, s, f4), f4)

    def points_at(self, stack) -> np.ndarray:
        """The plane's points on the rays of a stack.

        Parameters
        ----------
        stack : facelayers.model.stack.Stack
            The layer stack on n rays.

        Returns
        -------
        (n, 3) float64 ndarray, mm, head frame
        """
        from facelayers.model.space import MUSCLE

        c = self.depth_at(stack.u, stack.s, stack)
        layer = np.minimum(np.floor(c).astype(int), MUSCLE + 1)
        return stack.at_depth(layer, c - layer)


def build_plane(model: FaceModel, outline, layer: str, fraction: float, *, side: str = "left",
                name: str = "plane", label: str = "", n: int = 40, band: str | None = None,
                zones=()) -> Plane:
    """Place a plane: ``outline`` (landmark ids and/or [x, y, z] points, left side) at depth (layer, fraction).

    Parameters
    ----------
    model : FaceModel
        The model to place it in.
    outline : sequence of str or (3,) float, mm
        Landmark ids and/or points in the head frame, given for the left side.
    layer : str
        The default depth's layer (:data:`facelayers.core.frame.LAYERS`).
    fraction : float
        The default depth within the layer, 0 (outer face) to 1 (inner face).
    side : {"left", "right"}
        The side to place it on (the outline is mirrored for the right).
    name, label : str
        The plane's id (named by errors) and its label for students.
    n : int
        Grid samples per side of the patch.
    band : {"space", "under_floor"} or None
        Measure the fraction within layer 4 or under its floor (only with layer "muscle").
    zones : sequence of DepthZone
        Zones at another depth (:class:`facelayers.anatomy.procedures.DepthZone`), placed on the same side.

    Returns
    -------
    Plane

    Raises
    ------
    ValueError
        For a fraction outside [0, 1], an unknown layer or band, or an outline that encloses no face.
    """
    from facelayers.anatomy.structures import check_band

    if not 0.0 <= float(fraction) <= 1.0:
        raise ValueError(f"plane {name!r}: fraction = {fraction!r}; allowed: 0 to 1")
    layer_index(layer)
    check_band(layer, band, f"plane {name!r}")
    pu, ps = outline_params(model.anatomy, outline, side)
    placed_zones = []
    for z in zones:
        zu, zs = outline_params(model.anatomy, z.outline, "left")
        placed_zones.append(Zone(z.zone_id, z.label, zu, zs, z.layer, float(z.fraction), z.band))
    plane = Plane(name, label, side, layer, float(fraction), pu, ps, None, band, tuple(placed_zones), model)
    depth = plane.points_at if plane.varies else None
    mesh = patch(model, pu, ps, layer, float(fraction), n=n, depth=depth)
    if len(mesh.faces) == 0:
        raise ValueError(f"plane {name!r}: its outline encloses no part of the face")
    return Plane(name, label, side, layer, float(fraction), pu, ps, mesh, band, tuple(placed_zones), model)


def plane_from_spec(model: FaceModel, spec, *, side: str = "left", name: str | None = None, n: int = 40) -> Plane:
    """Place a technique's plane (a :class:`facelayers.anatomy.load.PlaneSpec`) with its band and zones.

    Parameters
    ----------
    model : FaceModel
    spec : facelayers.anatomy.load.PlaneSpec
    side : {"left", "right"}
    name : str, optional
        The plane's id; default ``spec.plane_id``.
    n : int
        Grid samples per side of the patch.

    Returns
    -------
    Plane

    Raises
    ------
    ValueError
        As :func:`build_plane`.
    """
    return build_plane(model, spec.outline, spec.layer, spec.fraction, side=side,
                       name=name or spec.plane_id, label=spec.label, n=n, band=spec.band, zones=spec.zones)


@dataclass(frozen=True)
class Clearance:
    """How close one nerve comes to one plane.

    Attributes
    ----------
    nerve_id : str
    plane : str
        The plane's name.
    min_mm : float, mm
        Smallest 3D distance from the nerve, where it lies under the plane, to the plane; inf if it never does.
    side : {"flap", "deep", "crosses", "outside"}
        Where the nerve lies under the plane: superficial to it (raised with the flap), deep to it (left on the
        floor of the dissection), both, or never under it.
    exposed_mm : float, mm
        Length of nerve within ``limit_mm`` of the plane.
    """

    nerve_id: str
    plane: str
    min_mm: float
    side: str
    exposed_mm: float


def clearance(path: NervePath, plane: Plane, limit_mm: float = EXPOSED_MM) -> Clearance:
    """Clearance of one placed nerve from one plane (see :class:`Clearance`).

    Parameters
    ----------
    path : facelayers.model.nerves.NervePath
        The placed nerve.
    plane : Plane
    limit_mm : float, mm
        A point of nerve within this distance of the plane counts as exposed
        (default :data:`facelayers.model.metrics.EXPOSED_MM`).

    Returns
    -------
    Clearance
    """
    under = plane.covers(path.points)
    if not under.any():
        return Clearance(path.nerve_id, plane.name, float("inf"), "outside", 0.0)
    d = np.full(len(path.points), np.inf)
    d[under] = point_triangle_distances(path.points[under], plane.mesh.vertices, plane.mesh.faces)
    u, s, _ = params_of(path.points[under])
    shallower = path.depth_coord[under] < plane.depth_at(u, s)
    side = "flap" if shallower.all() else "deep" if not shallower.any() else "crosses"
    return Clearance(path.nerve_id, plane.name, float(d.min()), side, length_within(path.points, d, limit_mm))


def clearance_map(plane: Plane, paths) -> np.ndarray:
    """For each vertex of the plane, the distance to the nearest point of any of the nerves.

    Parameters
    ----------
    plane : Plane
    paths : sequence of facelayers.model.nerves.NervePath
        At least one placed nerve.

    Returns
    -------
    (n,) float64 ndarray, mm
        One value per vertex of ``plane.mesh``.
    """
    pts = np.concatenate([p.points for p in paths])
    return nearest_distances(plane.mesh.vertices, pts)
