"""Nerves, muscles, danger zones and ligaments placed in the layers of a built face.

Every structure is placed by the model's one rule (see :mod:`facelayers.model.geometry`): a point of the head frame
picks the skin ray through it, and a depth given as (layer, fraction within that layer) picks the point on that
ray. So a nerve stays in its declared layer whatever the thicknesses are, and moving a landmark moves it too.

A nerve is a list of waypoints; between two waypoints the ray parameters (u, s) and the continuous depth
coordinate c = layer index + fraction are interpolated linearly, so between two waypoints in the same layer the
nerve never leaves that layer, and where consecutive waypoints lie in different layers it crosses the interface
between them (for example the frontal branch becoming intra-SMAS above the zygomatic arch).

Depths are reported as the literature means them, perpendicular to the skin: a sample's depth is its nearest-point
distance to the skin mesh (:func:`facelayers.model.perpendicular.skin_depth`), and so is each interface's in the
depth profile; the depth along the model's ray, which overstates it where the ray meets the skin obliquely, is
kept as ``ray_depth_mm``. A depth the source gives in mm below the SMAS (``below_smas_mm``) is placed the same
way: perpendicular, not along the ray.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from facelayers.core.frame import LAYERS, SIDES, mirror
from facelayers.model.geometry import FaceModel, layer_index
from facelayers.model.grid import params_of, rays
from facelayers.model.outlines import polygon_field


@dataclass(frozen=True)
class NervePath:
    """A nerve placed in the model on one side.

    Attributes
    ----------
    nerve_id, label, group, kind : str
        As ``data/nerves.json`` gives them (the label is what students read).
    side : {"left", "right"}
    points : (k, 3) float64 ndarray, mm, head frame
        The nerve's course.
    depth_coord : (k,) float64 ndarray
        Continuous depth coordinate: layer index + fraction (0 = skin surface, 5 = bone).
    depth_mm : (k,) float64 ndarray, mm
        Depth below the skin measured perpendicular to it: the nearest-point distance from the sample to the
        skin mesh (:func:`facelayers.model.perpendicular.skin_depth`).
    interface_points : (k, 6, 3) float64 ndarray, mm, head frame
        The interfaces (skin ... bone) on each sample's ray; :attr:`interfaces_mm` gives their depths.
    distance_mm : (k,) float64 ndarray, mm
        Length along the nerve from its first waypoint.
    waypoint_at : (w,) int ndarray
        Sample index of each waypoint.
    waypoint_names : tuple of str
        The landmark of each waypoint, or "" for a bare position.
    ray_depth_mm : (k,) float64 ndarray, mm, or None
        Depth below the skin along the model's ray (not what the literature means; kept for comparison).
    model : FaceModel or None
        The model it was placed in (measures :attr:`interfaces_mm`).
    """

    nerve_id: str
    label: str
    group: str
    kind: str
    side: str
    points: np.ndarray
    depth_coord: np.ndarray
    depth_mm: np.ndarray
    interface_points: np.ndarray
    distance_mm: np.ndarray
    waypoint_at: np.ndarray
    waypoint_names: tuple[str, ...]
    ray_depth_mm: np.ndarray | None = None
    model: FaceModel | None = field(default=None, repr=False, compare=False)

    @cached_property
    def interfaces_mm(self) -> np.ndarray:
        """Depth below the skin of every interface on each sample's ray, (k, 6) float64 ndarray, mm.

        Measured as :attr:`depth_mm` is, perpendicular to the skin (the nearest-point distance to the skin mesh,
        :func:`facelayers.model.perpendicular.skin_depth`); column 0 (the skin) is 0. For the depth profile, so the
        nerve and the layers it lies between are read on one scale. Measured when first asked for.
        """
        from facelayers.model.perpendicular import skin_depth

        k = len(self.points)
        inner = skin_depth(self.model, self.interface_points[:, 1:].reshape(-1, 3)).reshape(k, -1)
        return np.concatenate([np.zeros((k, 1)), inner], axis=1)

    @property
    def layer(self) -> np.ndarray:
        """Index of the layer each sample lies in, (k,) int ndarray, 0 (skin) to 4 (periosteum).

        A sample on an interface counts as the layer below that interface (the one the interface is the outer
        face of), except at bone, which counts as the periosteum.
        """
        return np.clip(np.floor(self.depth_coord + 1e-9).astype(int), 0, len(LAYERS) - 1)

    @property
    def ray_interfaces_mm(self) -> np.ndarray:
        """Depth below the skin of every interface along each sample's ray, (k, 6) float64 ndarray, mm.

        The model's own coordinate (layers are laid along the rays), for comparison with :attr:`ray_depth_mm`.
        """
        return np.linalg.norm(self.interface_points - self.interface_points[:, :1], axis=2)

    @property
    def length_mm(self) -> float:
        """The nerve's length along its course, mm."""
        return float(self.distance_mm[-1])

    def shallowest(self) -> tuple[float, float, str]:
        """The shallowest sample: (depth below the skin mm, perpendicular; distance along the nerve mm; layer name)."""
        i = int(np.argmin(self.depth_mm))
        return float(self.depth_mm[i]), float(self.distance_mm[i]), LAYERS[int(self.layer[i])]

    def shallowest_under_smas(self) -> int | None:
        """Index of the shallowest sample that still lies deep to the SMAS (in the muscle layer or deeper).

        Where a facial nerve branch comes closest to the skin before it leaves the deep plane (pierces the deep
        fascia into layer 4 or enters its muscle from the deep surface): the point a sub-SMAS dissection must
        know. Depths perpendicular to the skin (:attr:`depth_mm`).

        Returns
        -------
        int or None
            A sample index, or None if no sample lies deep to the SMAS.
        """
        deep = np.flatnonzero(self.layer >= LAYERS.index("muscle"))
        if len(deep) == 0:
            return None
        return int(deep[np.argmin(self.depth_mm[deep])])


def waypoint_params(anatomy, nerve, side: str = "left"):
    """Ray parameters and depth coordinates of a nerve's waypoints on one side, without a built model.

    The depth coordinate is the waypoint's (layer + fraction) as written; a waypoint with a layer-4 band or at
    its landmark resolves its depth only in a built model (:func:`waypoint_ext`).

    Parameters
    ----------
    anatomy : facelayers.anatomy.load.Anatomy
        Gives the landmarks' positions.
    nerve : facelayers.anatomy.load.Nerve
    side : {"left", "right"}

    Returns
    -------
    u : (w,) float64 ndarray, rad
        Azimuths of the waypoints' rays.
    s : (w,) float64 ndarray, mm
        Grid heights of the waypoints' rays.
    coord : (w,) float64 ndarray
        Depth coordinates, layer index + fraction.
    """
    pts = np.array([wp.position(anatomy) for wp in nerve.waypoints], float)
    u, s, _ = params_of(mirror(pts, side))
    coord = np.array([layer_index(wp.layer) + float(wp.fraction) for wp in nerve.waypoints])
    return u, s, coord


def waypoint_ext(model: FaceModel, nerve, side: str = "left"):
    """Ray parameters and *extended* depth coordinates (see :mod:`facelayers.model.space`) of a nerve's waypoints.

    A waypoint with a ``band`` is measured within layer 4 or under its floor; one ``at_landmark`` takes the
    depth where its landmark lies on its ray (a foramen: the nerve leaves the bone there), kept within its
    declared layer. One with ``below_smas_mm`` (a depth the source gives in mm) lies that far below the SMAS's
    inner face *measured perpendicular to the skin* (its depth, :func:`facelayers.model.perpendicular.skin_depth`,
    exceeds that of the SMAS's inner face on its ray by ``below_smas_mm``), kept between the layer-4 floor and
    the muscle band's inner face (the bone), so it does not collapse with the band where the tissue over the
    bone is thin.

    Parameters
    ----------
    model : FaceModel
    nerve : facelayers.anatomy.load.Nerve
    side : {"left", "right"}

    Returns
    -------
    u : (w,) float64 ndarray, rad
        Azimuths of the waypoints' rays.
    s : (w,) float64 ndarray, mm
        Grid heights of the waypoints' rays.
    ext : (w,) float64 ndarray
        Extended depth coordinates.
    """
    from facelayers.model.perpendicular import along_for_perpendicular
    from facelayers.model.space import MUSCLE, coord_of_depth_mm, ext_from_coord, ext_of_spec, layer4

    pts = mirror(np.array([wp.position(model.anatomy) for wp in nerve.waypoints], float), side)
    u, s, dist = params_of(pts)
    stack = model.stack_at(u, s)
    f4 = layer4(model.anatomy).floor_fraction(stack)
    e = np.empty(len(u))
    radius = np.linalg.norm(stack.points[:, 0] - rays(u, s)[0], axis=1)
    for i, wp in enumerate(nerve.waypoints):
        if wp.at_landmark:
            k = layer_index(wp.layer)
            c = coord_of_depth_mm(_sub(stack, i), [radius[i] - dist[i]])[0]
            c = float(np.clip(c, k, k + 1.0))
            e[i] = ext_from_coord(np.array([c]), f4[i:i + 1])[0]
        elif wp.below_smas_mm is not None:
            one = _sub(stack, i)
            roof = stack.depth[i:i + 1, MUSCLE]
            floor = roof + f4[i] * stack.thickness[i:i + 1, MUSCLE]
            want = along_for_perpendicular(model, one, roof, [wp.below_smas_mm], floor, stack.depth[i:i + 1, MUSCLE + 1])
            c = coord_of_depth_mm(one, want)[0]
            e[i] = ext_from_coord(np.array([c]), f4[i:i + 1])[0]
        else:
            e[i] = ext_of_spec(wp.layer, wp.fraction, wp.band, f4[i:i + 1])[0]
    return u, s, e


def _sub(stack, i: int):
    """The one-point Stack at index i of a Stack."""
    sl = slice(i, i + 1)
    return type(stack)(stack.u[sl], stack.s[sl], stack.points[sl], stack.depth[sl], stack.thickness[sl],
                       stack.region_weights[sl])


def place(model: FaceModel, nerve, side: str = "left", step_mm: float = 1.5) -> NervePath:
    """Place one nerve (an :class:`facelayers.anatomy.structures.Nerve`) in the model.

    Parameters
    ----------
    model : FaceModel
    nerve : facelayers.anatomy.load.Nerve or str
        The nerve, or its id in ``data/nerves.json``.
    side : {"left", "right"}
    step_mm : float, mm
        About how far apart the samples are along the skin (at least two samples per stretch between
        waypoints).

    Returns
    -------
    NervePath

    Raises
    ------
    ValueError
        If the id is unknown (the message lists the known ones).
    """
    from facelayers.model.perpendicular import skin_depth
    from facelayers.model.space import (
        coord_of_depth_mm,
        depth_mm_of_coord,
        layer4,
        points_at_ext,
    )

    if isinstance(nerve, str):
        nerve = model.anatomy.nerve(nerve)
    u_w, s_w, c_w = waypoint_ext(model, nerve, side)  # c_w: extended coordinates, interpolated below
    skin_w = model.stack_at(u_w, s_w).points[:, 0]
    seg_len = np.linalg.norm(np.diff(skin_w, axis=0), axis=1)
    counts = np.maximum(2, np.ceil(seg_len / step_mm).astype(int))
    u, s, c, at = [], [], [], [0]
    for i, n in enumerate(counts):
        t = np.linspace(0.0, 1.0, n, endpoint=False)
        u.append(u_w[i] + t * (u_w[i + 1] - u_w[i]))
        s.append(s_w[i] + t * (s_w[i + 1] - s_w[i]))
        c.append(c_w[i] + t * (c_w[i + 1] - c_w[i]))
        at.append(at[-1] + n)
    u = np.concatenate(u + [u_w[-1:]])
    s = np.concatenate(s + [s_w[-1:]])
    c = np.concatenate(c + [c_w[-1:]])
    stack = model.stack_at(u, s)
    points, c = points_at_ext(stack, c, layer4(model.anatomy).floor_fraction(stack))
    depth = depth_mm_of_coord(stack, c)
    # A nerve leaves its foramen at the landmark itself (the landmark lies on its own ray, so only the distance
    # along the ray changes); its depth there is where the landmark lies in the stack (0..5).
    wps = nerve.waypoints
    for i, wp in enumerate(wps):
        if wp.at_landmark:
            j = at[i] if i < len(at) - 1 else len(u) - 1
            points[j] = mirror(wp.position(model.anatomy)[None, :], side)[0]
            depth[j] = float(np.linalg.norm(stack.points[j, 0] - points[j]))
            c[j] = coord_of_depth_mm(_sub(stack, j), [depth[j]])[0]
    # Between two foramina-like waypoints (the trunk from the stylomastoid foramen to the pes) the nerve runs
    # straight through the deep tissue, not along a layer.
    for i in range(len(wps) - 1):
        if wps[i].at_landmark and wps[i + 1].at_landmark:
            j0, j1 = at[i], (at[i + 1] if i + 1 < len(at) - 1 else len(u) - 1)
            t = np.linspace(0.0, 1.0, j1 - j0 + 1)[:, None]
            seg = points[j0] + t * (points[j1] - points[j0])
            su, ss, sd = params_of(seg)
            sub = model.stack_at(su, ss)
            radius = np.linalg.norm(sub.points[:, 0] - rays(su, ss)[0], axis=1)
            points[j0:j1 + 1] = seg
            u[j0:j1 + 1], s[j0:j1 + 1] = su, ss
            depth[j0:j1 + 1] = radius - sd
            c[j0:j1 + 1] = coord_of_depth_mm(sub, radius - sd)
            stack.depth[j0:j1 + 1] = sub.depth
            stack.points[j0:j1 + 1] = sub.points
    dist = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))])
    names = tuple(wp.landmark or "" for wp in nerve.waypoints)
    # Depths perpendicular to the skin (the interfaces' are measured when first asked for).
    return NervePath(nerve.nerve_id, nerve.label, nerve.group, nerve.kind, side, points, c, skin_depth(model, points),
                     stack.points, dist, np.array(at), names, depth, model)


def place_all(model: FaceModel, sides=SIDES) -> dict[tuple[str, str], NervePath]:
    """Place every nerve of the data on the given sides.

    Parameters
    ----------
    model : FaceModel
    sides : sequence of {"left", "right"}
        Default both.

    Returns
    -------
    dict of (str, str) -> NervePath
        Keyed by (nerve id, side), in the data's order.
    """
    return {(nid, side): place(model, nerve, side)
            for nid, nerve in model.anatomy.nerves.items() for side in sides}


# --- patches (muscles, danger zones) ------------------------------------------------------------------------

@dataclass(frozen=True)
class Patch:
    """A patch of surface at a depth (a muscle, a danger zone, a dissection plane).

    Attributes
    ----------
    vertices : (n, 3) float32 ndarray, mm, head frame
    faces : (m, 3) int32 ndarray
        Indices into ``vertices``; m may be 0 if the outline encloses no part of the face.
    centre : (3,) float64 ndarray, mm
        The mean of the vertices used by a face (for a label).
    skin : (n, 3) float64 ndarray, mm
        The skin point above each vertex, on its ray (to clip the patch by a cutaway window).
    """

    vertices: np.ndarray
    faces: np.ndarray
    centre: np.ndarray
    skin: np.ndarray


def patch(model: FaceModel, poly_u: np.ndarray, poly_s: np.ndarray, layer: int | str, fraction: float,
          lift_mm: float = 0.0, n: int = 40, depth=None) -> Patch:
    """The part of a surface at a depth inside a polygon of ray parameters, cut exactly along the polygon.

    Parameters
    ----------
    model : FaceModel
    poly_u : (p,) float ndarray, rad
        The polygon's azimuths on the model's rays.
    poly_s : (p,) float ndarray, mm
        The polygon's grid heights.
    layer : int or str
        The layer's index or name (:data:`facelayers.core.frame.LAYERS`).
    fraction : float
        Depth within the layer, 0 (its outer face) to 1 (its inner face).
    lift_mm : float, mm
        How far the patch is lifted outward (from bone toward the skin), so it shows on top of the layer it
        belongs to.
    n : int
        Grid samples per side of the polygon's bounding box (the patch has up to 2 (n - 1)^2 triangles before
        the cut).
    depth : callable, optional
        ``depth(stack) -> (n, 3) points``: a depth that varies over the patch (a plane that follows the
        dissection, :mod:`facelayers.model.planes`); it replaces (layer, fraction).

    Returns
    -------
    Patch

    Raises
    ------
    ValueError
        If ``layer`` is not a layer (:func:`facelayers.model.geometry.layer_index`).
    """
    from facelayers.model.cutaway import clip

    k = layer_index(layer)
    pad_u, pad_s = 0.02, 2.0
    uu, ss = np.meshgrid(np.linspace(poly_u.min() - pad_u, poly_u.max() + pad_u, n),
                         np.linspace(poly_s.min() - pad_s, poly_s.max() + pad_s, n))
    uu, ss = uu.ravel(), ss.ravel()
    stack = model.stack_at(uu, ss)
    pts = stack.at_depth(np.full(len(uu), k), float(fraction)) if depth is None else depth(stack)
    outward = stack.points[:, 0] - stack.points[:, -1]
    outward /= np.maximum(np.linalg.norm(outward, axis=1, keepdims=True), 1e-9)
    pts = pts + lift_mm * outward
    i = np.arange(n - 1)
    j = np.arange(n - 1)[:, None]
    a, b, c, d = j * n + i, j * n + i + 1, (j + 1) * n + i + 1, (j + 1) * n + i
    faces = np.stack([np.stack([a, c, b], -1), np.stack([a, d, c], -1)], 2).reshape(-1, 3)
    field = polygon_field(poly_u, poly_s, uu, ss)
    cut = clip(np.concatenate([pts, stack.points[:, 0], uu[:, None], ss[:, None]], axis=1), faces, field, 0.0)
    verts, skin = cut.vertices[:, :3].copy(), cut.vertices[:, 3:6].copy()
    # The cut's vertices lie on the polygon between two grid rays. A chord between those rays' points cuts a corner
    # where the stack bends within a cell (an orbital rim, the nasal bones), so each is put on its own ray, at the
    # depth, as the grid's vertices are.
    if len(verts) > len(uu):
        edge = slice(len(uu), None)
        on_edge = model.stack_at(cut.vertices[edge, 6], cut.vertices[edge, 7])
        at = (on_edge.at_depth(np.full(len(on_edge.u), k), float(fraction)) if depth is None
              else depth(on_edge))
        out = on_edge.points[:, 0] - on_edge.points[:, -1]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        verts[edge] = at + lift_mm * out
        skin[edge] = on_edge.points[:, 0]
    used = np.unique(cut.faces)
    centre = verts[used].mean(axis=0) if len(used) else pts.mean(axis=0)
    return Patch(verts.astype(np.float32), cut.faces.astype(np.int32), centre, skin)


#: How close (mm) a landmark must lie to a waypoint for the lesson's table to name the place by it.
NEAR_LANDMARK_MM = 15.0


#: A label that starts with one of these names a site by where it lies (``"Over the upper second molar"``).
_PLACE_PREPOSITIONS = frozenset({"over", "under", "beneath", "above", "below"})


def in_words(label: str) -> str:
    """A landmark's or structure's label as it reads inside a sentence, with its article.

    An eponym (``"Zuker's point"``, ``"McKinney's point"``) stays as it is; any other label takes "the" and, unless
    its first word is an abbreviation (``"SMAS"``), a lowered first letter:
    ``"Pes anserinus (facial nerve bifurcation)"`` -> ``"the pes anserinus (facial nerve bifurcation)"``; a label
    that names a site by where it lies takes "the site": ``"Over the upper second molar"`` -> ``"the site over the
    upper second molar"``.

    Parameters
    ----------
    label : str

    Returns
    -------
    str
    """
    if not label:
        return label
    first = label.split(" ")[0]
    if first.endswith("'s"):
        return label
    if first.lower() in _PLACE_PREPOSITIONS:  # "Over the upper second molar": a site named by where it lies
        return f"the site {label[0].lower()}{label[1:]}"
    if first.isupper() or first[1:2].isupper():
        return f"the {label}"
    return f"the {label[0].lower()}{label[1:]}"


def place_in_words(model: FaceModel, point_mm, side: str = "left", name: str | None = None) -> str:
    """Where a point lies, for students: the landmark named there, else the nearest within :data:`NEAR_LANDMARK_MM`.

    Parameters
    ----------
    model : FaceModel
    point_mm : (3,) array_like of float, mm
        A point in the model's frame (x toward the left, y forward, z up; origin between the porions).
    side : {"left", "right"}
        The side the point is on (a bilateral landmark is mirrored to it).
    name : str, optional
        A landmark id the point was placed at; its label is used as it is.

    Returns
    -------
    str
        ``"at Zuker's point"`` (placed at a landmark), ``"8 mm from the temporal ligamentous adhesion"`` (the
        nearest landmark), or, with no landmark near, ``"at 53, 55, 40 mm in the model's frame"``.
    """
    marks = model.anatomy.landmarks
    if name and name in marks:
        return f"at {in_words(marks[name].label)}"
    point = np.asarray(point_mm, dtype=float)
    best, best_d = None, NEAR_LANDMARK_MM
    for mark in marks.values():
        pos = np.asarray(mark.position_mm, dtype=float)
        if side == "right":
            pos = pos * np.array([-1.0, 1.0, 1.0])
        d = float(np.linalg.norm(pos - point))
        if d <= best_d:
            best, best_d = mark, d
    if best is not None:
        return f"{best_d:.0f} mm from {in_words(best.label)}"
    x, y, z = np.round(point).astype(int)
    return f"at {x}, {y}, {z} mm in the model's frame"


def summary_text(model: FaceModel, paths: dict | None = None, side: str = "left") -> str:
    """A table of the nerves on one side, as fixed-width text: the lesson's summary (nbval checks it).

    Per nerve: its length, its shallowest depth below the skin, the layer there (its label) and where the
    waypoint nearest to that place lies in words (:func:`place_in_words`). Rounded, mm.

    Parameters
    ----------
    model : FaceModel
    paths : dict of (str, str) -> NervePath, optional
        Placed nerves keyed by (nerve id, side); default: every nerve placed on ``side``.
    side : {"left", "right"}
        Only the paths on this side are listed (and named in the header).

    Returns
    -------
    str
        A header line, then one line per nerve, joined by newlines.
    """
    paths = paths if paths is not None else place_all(model, sides=(side,))
    lines = [f"{'Nerve (' + side + ')':<40}{'length':>8}{'shallowest':>12}  in, where"]
    for (nid, s), p in paths.items():
        if s != side:
            continue
        depth, at, layer = p.shallowest()
        i = int(np.argmin(p.depth_mm))
        w = int(np.argmin(np.abs(p.waypoint_at - i)))
        near = place_in_words(model, p.points[p.waypoint_at[w]], side, p.waypoint_names[w])
        label = model.anatomy.layers[layer].label if layer in model.anatomy.layers else layer
        lines.append(f"{p.label:<40}{p.length_mm:>6.0f}mm{depth:>10.1f}mm  {label}, {near}")
    return "\n".join(lines)


def under_smas_text(model: FaceModel, paths: dict | None = None, side: str = "left") -> str:
    """Where each facial nerve branch comes closest to the skin while still deep to the SMAS, as fixed-width text.

    Per motor branch of the facial nerve (not the trunk): its depth below the skin there (perpendicular,
    :meth:`NervePath.shallowest_under_smas`), the same point's depth along the model's ray (what the table read
    before depths were measured perpendicular), and where the waypoint nearest that point lies
    (:func:`place_in_words`). This is where the branch leaves the protection of the deep plane: for the
    zygomatic branch, Zuker's point, where it pierces the deep fascia (Dorafshar 2013). Rounded, mm.

    Parameters
    ----------
    model : FaceModel
    paths : dict of (str, str) -> NervePath, optional
        Placed nerves keyed by (nerve id, side); default: every nerve placed on ``side``.
    side : {"left", "right"}

    Returns
    -------
    str
        A header line, then one line per branch, joined by newlines.
    """
    paths = paths if paths is not None else place_all(model, sides=(side,))
    lines = [f"{'Branch (' + side + ')':<40}{'perpendicular':>14}{'along ray':>11}  where"]
    for (nid, s), p in paths.items():
        nerve = model.anatomy.nerves[nid]
        if s != side or nerve.kind != "motor" or nerve.group == "trunk":
            continue
        i = p.shallowest_under_smas()
        if i is None:
            continue
        w = int(np.argmin(np.abs(p.waypoint_at - i)))
        near = place_in_words(model, p.points[p.waypoint_at[w]], side, p.waypoint_names[w])
        ray = p.ray_depth_mm[i] if p.ray_depth_mm is not None else float("nan")
        lines.append(f"{p.label:<40}{p.depth_mm[i]:>12.1f}mm{ray:>9.1f}mm  {near}")
    return "\n".join(lines)
