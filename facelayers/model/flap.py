"""The open approach as the surgeon meets it: the flap raised over the undermined plane.

In an open facelift the surgeon undermines a plane through the incision in front of and behind the ear and
then lifts the cut edge of the flap with a retractor. The flap stays attached all round the undermined region
except along the incision, so what the surgeon sees is a pocket: a tent of skin (and fat, and SMAS in a
sub-SMAS lift) open only at the incision, with the floor of the dissection in its shadow. The nerves lie deep
to the floor (or, where the plane is chosen deep to them, in the flap itself): none can be seen from the incision.
That is the "blind" of a blind lift, and what an endoscope changes.

This module builds that picture from a placed technique (:func:`facelayers.model.techniques.place_technique`), both
sides at once (a coronal flap is one piece across the midline), on the model's own grid, so that the flap and
the hole it leaves fit exactly:

* :class:`facelayers.model.flap_region.Region` is the union of the technique's planes (their outlines in the
  ray-parameter plane, measured in mm), with its boundary split into the *free edge* (the stretch that runs along
  the incision) and the *attached edge* (everything else);
* :func:`holes` gives, for every layer whose outer face lies above the plane, a signed distance field that
  :func:`facelayers.model.cutaway.layer_mesh` uses to cut that layer away over the region (its walls closed);
* :func:`raise_flap` gives the flap: its skin, its underside (the tissue just above the plane, e.g. the SMAS
  on a deep-plane flap) and its cut edge, banded by layer, lifted along the model's rays by ``lift_mm`` times
  a weight that is 1 on the free edge and 0 on the attached edge (the flap hinges where it is still attached);
* :func:`carried` tells which points of a nerve the flap carries: those superficial to the plane, except that a
  nerve which also runs deep to it (by more than :data:`ON_PLANE_MM`) stays tethered to the floor where it lies
  *at* the plane (within that distance) and is carried only where it lies clearly above; :func:`lift_paths` moves
  the carried points with the flap (raised, unseen, inside it).

The picture is schematic in one respect, said in the lesson: a real flap is retracted forward as well as lifted;
here it is lifted along the rays, which keeps it clear of the face and of the ear.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from facelayers.core.frame import LAYERS
from facelayers.model.cutaway import clip, shared_ends
from facelayers.model.flap_region import Region, region, technique_region
from facelayers.model.geometry import FaceModel
from facelayers.model.grid import params_of, rays
from facelayers.model.limits import FLAP_MAX_MM
from facelayers.model.nerves import NervePath

#: A nerve within this distance (mm) of the plane lies *at* it: on the floor, where the dissection runs.
ON_PLANE_MM = 0.5

#: Above this height (mm) the opening is on the scalp (a coronal incision): the surgeon looks in from the crown.
CROWN_MM = 60.0


def surgeon_camera(model: FaceModel, placed) -> str:
    """The camera preset that looks into the pocket from the incision.

    Parameters
    ----------
    model : FaceModel
    placed : facelayers.model.techniques.PlacedTechnique

    Returns
    -------
    {"crown", "incision"}
        ``"crown"`` for an opening (mean height of the free edge) above :data:`CROWN_MM` on the scalp (a
        coronal flap); ``"incision"`` (from behind the ear) otherwise, and for a technique without planes.
    """
    reg = technique_region(placed)
    if reg is None:
        return "incision"
    return "crown" if reg.opening_height_mm(model) > CROWN_MM else "incision"


def holes(model: FaceModel, placed) -> dict[int, np.ndarray]:
    """The fields that cut the layers away under a raised flap (for :func:`facelayers.model.cutaway.layer_mesh`).

    A layer whose outer face is the plane itself (a sub-SMAS plane on the muscle) is the floor and is not cut.

    Parameters
    ----------
    model : FaceModel
    placed : facelayers.model.techniques.PlacedTechnique

    Returns
    -------
    dict of int -> (n,) float64 ndarray, about mm
        Per layer index (0 = skin ... 4 = periosteum) whose outer face lies above a plane of the technique:
        a field over the model's n vertices, positive where that layer is cut away. Empty for a technique
        without an incision along its planes (no flap).
    """
    out = {}
    whole = technique_region(placed)
    if whole is None or not whole.free.any():
        return out  # no incision, no flap (an endoscopic technique): nothing is cut away
    u, s = model.u, model.s
    depth_of = {}
    for plane in whole.planes:
        at = getattr(plane, "depth_at", None)
        depth_of[id(plane)] = at(u, s, model.stack) if at is not None else np.full(len(u), plane.depth_coord)
    cover = whole.covering(u, s)
    for k in range(len(LAYERS)):
        # Layer k is cut over the planes that reach below its outer face (their union, with its exact outline,
        # as the flap is cut), and, where a plane follows the dissection, on the deep side of its depth's level
        # set (scaled to about mm on the face): a plane that rises to layer k's outer face in part of its region
        # (the deep plane onto zygomaticus major) cuts it where it is more than half-way down the transition.
        deeper = [p for p in whole.planes if (depth_of[id(p)][cover == whole.planes.index(p)] - k > 1e-6).any()
                  or (not (cover == whole.planes.index(p)).any() and p.depth_coord > k)]
        if not deeper:
            continue
        reg = region(deeper, placed.incisions)
        idx = reg.covering(u, s)
        term = np.full(len(u), np.inf)
        for i, plane in enumerate(deeper):
            d = depth_of[id(plane)]
            mine = d[idx == i]
            delta = 0.5 if (mine <= k + 1e-6).any() else 1e-6
            near = idx == i if len(deeper) > 1 else np.ones(len(u), bool)
            term = np.where(near, (d - k - delta) * HOLE_EDGE_MM, term)
        out[k] = np.minimum(reg.field(u, s), term)
    return out


#: Scale (mm per unit of depth coordinate) that turns the plane's depth into a cut field where it varies.
HOLE_EDGE_MM = 20.0


@dataclass(frozen=True)
class Flap:
    """A raised flap, ready to draw.

    Attributes
    ----------
    vertices : (n, 3) float32 ndarray, mm, head frame
    faces : (m, 3) int32 ndarray
    face_layer : (m,) int8 ndarray
        The layer each triangle shows: 0 (skin) on top, the layer just above the plane on the underside, and
        each layer in its band of the cut edge.
    part : (m,) int8 ndarray
        0 = top (skin), 1 = underside, 2 = cut edge.
    lift_mm : float, mm
        How far the free edge is lifted, along the model's rays.
    technique_id : str
    """

    vertices: np.ndarray
    faces: np.ndarray
    face_layer: np.ndarray
    part: np.ndarray
    lift_mm: float
    technique_id: str


def _at_depth(stack, depth: np.ndarray) -> np.ndarray:
    """Points (n, 3) of a Stack at a depth coordinate per ray (layer index + fraction; 5.0 = bone)."""
    depth = np.clip(depth, 0.0, float(len(LAYERS)))
    layer = np.minimum(np.floor(depth).astype(int), len(LAYERS) - 1)
    return stack.at_depth(layer, depth - layer)


def check_lift(lift_mm, name: str = "lift_mm") -> float:
    """Check a flap's lift.

    Parameters
    ----------
    lift_mm : real number, mm
        0 to :data:`facelayers.teaching.state.FLAP_MAX_MM`.
    name : str
        How the error names the argument.

    Returns
    -------
    float, mm

    Raises
    ------
    ValueError
        If it is not a real number (a bool is not) or out of range; the message names it, its value and the
        range allowed.
    """
    if isinstance(lift_mm, bool) or not isinstance(lift_mm, numbers.Real) or not 0.0 <= float(lift_mm) <= FLAP_MAX_MM:
        raise ValueError(f"{name} = {lift_mm!r}; allowed: a number of mm from 0 to {FLAP_MAX_MM:g}")
    return float(lift_mm)


def raise_flap(model: FaceModel, placed, lift_mm: float = 25.0) -> Flap | None:
    """The flap of an open technique, its free edge lifted ``lift_mm`` (see the module notes).

    Parameters
    ----------
    model : FaceModel
    placed : facelayers.model.techniques.PlacedTechnique
    lift_mm : float, mm
        How far the free edge is lifted along the model's rays, 0 to :data:`facelayers.teaching.state.FLAP_MAX_MM`; the
        flap hinges on its attached edge.

    Returns
    -------
    Flap or None
        None for a technique without incisions along its planes (an endoscopic one: no flap is raised, the skin
        stays on).

    Raises
    ------
    ValueError
        If ``lift_mm`` is not allowed (:func:`check_lift`).
    """
    lift_mm = check_lift(lift_mm)
    tid = placed.technique.technique_id
    reg = technique_region(placed)
    if reg is None or not reg.free.any():
        return None
    u, s = model.u, model.s
    field = reg.field(u, s)
    depth = reg.depth_coord(u, s)
    n_bands = int(np.ceil(depth.max() - 1e-9))
    # Columns: the surfaces at depth min(j, plane) for j = 0 .. n_bands (the last is the plane itself), all
    # clipped together so the cut is exact for every one.
    surfaces = [_at_depth(model.stack, np.minimum(float(j), depth)) for j in range(n_bands)]
    surfaces.append(_at_depth(model.stack, depth))
    cols = np.concatenate(surfaces, axis=1)
    cut = clip(cols, model.faces, field, 0.0)
    keep = np.unique(cut.faces)
    n_s = len(surfaces)

    def lifted(block):
        """(k, 3 * n_s) -> the n_s surfaces (k, 3), lifted.

        The weight and the direction are evaluated at each point's own ray (not interpolated: on the cut they
        are exactly those of the boundary).
        """
        pu, ps, _ = params_of(block[:, :3])
        _, d = rays(pu, ps)
        w = reg.lift_weight(pu, ps)
        return [block[:, 3 * j:3 * j + 3] + (lift_mm * w)[:, None] * d for j in range(n_s)]

    # Top and underside share the clipped triangles (compacted to the vertices they use).
    remap = np.full(len(cut.vertices), -1)
    remap[keep] = np.arange(len(keep))
    tris = remap[cut.faces]
    lay = lifted(cut.vertices[keep])
    top, bottom = lay[0], lay[-1]
    verts = [top, bottom]
    faces = [tris, tris[:, ::-1] + len(keep)]
    tri_depth = reg.depth_coord(*_centroid_params(cut, keep, tris))
    above = np.where(tri_depth - np.floor(tri_depth) > 1e-6, np.floor(tri_depth), np.floor(tri_depth) - 1)
    layers = [np.zeros(len(tris)), np.clip(above, 0, len(LAYERS) - 1)]
    parts = [np.zeros(len(tris)), np.ones(len(tris))]
    # The cut edge, band by band: quads between surfaces j and j + 1 along the cut curve; adjacent quads of a
    # band share their edges (each cut point once per surface: :func:`facelayers.model.cutaway.shared_ends`).
    e, t = cut.seg_edges, cut.seg_t
    used, slot = np.unique(shared_ends(e), return_inverse=True)
    a, b = cols[e[..., 0]], cols[e[..., 1]]
    on = (a + t[..., None] * (b - a)).reshape(-1, cols.shape[1])[used]  # (u, columns): the distinct cut points
    ends = lifted(on)
    s0, s1 = slot[0::2], slot[1::2]  # each segment's two end points, as rows of ``on``
    base = len(keep) * 2
    for j in range(n_s - 1):
        thick = np.linalg.norm(ends[j + 1] - ends[j], axis=1)
        use = (thick[s0] + thick[s1]) > 1e-3  # a band that is empty here (the plane above this layer) draws nothing
        if not use.any():
            continue
        rows, index = np.unique(np.concatenate([s0[use], s1[use]]), return_inverse=True)
        r = len(rows)
        i0, i1 = index[:int(use.sum())], index[int(use.sum()):]
        verts.append(np.concatenate([ends[j][rows], ends[j + 1][rows]]))
        # wound to face out of the flap (the cut curve runs with the kept triangles' winding: cutaway.clip)
        faces.append(np.concatenate([np.stack([i0, i1 + r, i1], 1), np.stack([i0, i0 + r, i1 + r], 1)]) + base)
        m = int(use.sum())
        base += 2 * r
        layers.append(np.full(2 * m, j))
        parts.append(np.full(2 * m, 2))
    return Flap(np.concatenate(verts).astype(np.float32), np.concatenate(faces).astype(np.int32),
                np.concatenate(layers).astype(np.int8), np.concatenate(parts).astype(np.int8), lift_mm, tid)


def _centroid_params(cut, keep, tris) -> tuple[np.ndarray, np.ndarray]:
    """(u, s) of each kept triangle's centroid (on the skin column of the clipped vertices)."""
    skin = cut.vertices[keep][:, :3]
    u, s, _ = params_of(skin[tris].mean(axis=1))
    return u, s


def _heights(model: FaceModel, reg: Region, points: np.ndarray):
    """(under, above_mm): which points lie under the region, and how far each lies superficial to the plane.

    The height is measured along the point's ray to the plane over it (mm; negative = deep to the plane).
    """
    u, s, dist = params_of(points)
    plane = _at_depth(model.stack_at(u, s), reg.depth_coord(u, s))
    return reg.covering(u, s) >= 0, dist - params_of(plane)[2]


def carried(model: FaceModel, reg: Region, path: NervePath) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which points of a nerve the raised flap carries, for one region.

    Parameters
    ----------
    model : FaceModel
    reg : Region
    path : facelayers.model.nerves.NervePath
        A placed nerve with k points.

    Returns
    -------
    under : (k,) bool ndarray
        The points under the pocket.
    carried : (k,) bool ndarray
        Those the flap carries: superficial to the plane; but if the nerve also runs deep to the plane by more
        than :data:`ON_PLANE_MM`, only those more than that above it (where such a nerve rises to the plane it
        stays tethered to the floor).
    at_plane : (k,) bool ndarray
        The points under the pocket, not carried, lying at the plane (within :data:`ON_PLANE_MM`): they stay on
        the floor, where the dissection runs.
    """
    under, above = _heights(model, reg, path.points)
    tethered = (under & (above < -ON_PLANE_MM)).any()
    take = under & (above > (ON_PLANE_MM if tethered else 0.0))
    at_plane = under & ~take & (np.abs(above) <= ON_PLANE_MM)
    return under, take, at_plane


def lift_paths(model: FaceModel, placed, paths: dict, lift_mm: float) -> dict:
    """The nerve paths with the points the flap carries (:func:`carried`) moved with it.

    Parameters
    ----------
    model : FaceModel
    placed : facelayers.model.techniques.PlacedTechnique
    paths : dict of (str, str) -> facelayers.model.nerves.NervePath
        Placed nerves by (nerve id, side).
    lift_mm : float, mm
        The flap's lift (as :func:`raise_flap`).

    Returns
    -------
    dict of (str, str) -> facelayers.model.nerves.NervePath
        A new dict with the same keys; a carried path is a copy whose points move along their rays by
        ``lift_mm`` times the flap's lift weight there, every other path is the same object.

    Raises
    ------
    ValueError
        If ``lift_mm`` is not allowed (:func:`check_lift`).
    """
    lift_mm = check_lift(lift_mm)
    reg = technique_region(placed)
    if reg is None or lift_mm == 0.0 or not reg.free.any():
        return dict(paths)
    out = {}
    for key, path in paths.items():
        _, take, _ = carried(model, reg, path)
        if not take.any():
            out[key] = path
            continue
        u, s, _ = params_of(path.points)
        _, d = rays(u, s)
        moved = path.points + (lift_mm * reg.lift_weight(u, s) * take)[:, None] * d
        out[key] = _with_points(path, moved)
    return out


def _with_points(path: NervePath, points: np.ndarray) -> NervePath:
    from dataclasses import replace

    return replace(path, points=points)


#: How describe() says where a nerve lies, by what the flap does to it.
WHERE = {
    "flap": "in the flap, lifted with it",
    "floor": "under the floor",
    "plane": "at the plane, on the floor (at risk)",
    "crosses": "crosses the plane, spanning the pocket",
}


def where(model: FaceModel, reg: Region, path: NervePath) -> str | None:
    """Where a nerve lies under the pocket: a key of :data:`WHERE`, or None if it does not run under it.

    Parameters
    ----------
    model : FaceModel
    reg : Region
    path : facelayers.model.nerves.NervePath

    Returns
    -------
    {"flap", "floor", "plane", "crosses"} or None
    """
    return _where(*carried(model, reg, path))


def _where(under, take, at_plane) -> str | None:
    if not under.any():
        return None
    if take[under].all():
        return "flap"
    if take.any():
        return "crosses"
    return "plane" if at_plane.any() else "floor"


def describe(model: FaceModel, placed, paths: dict, side: str = "left") -> str:
    """What the surgeon meets on one side, as text in rounded figures.

    The opening (the free edge, along the incision) and the pocket (the area undermined) it gives onto, what
    the flap carries over each plane, and, for every nerve (and vessel) that runs under the pocket, how much of
    it lies there and where (:func:`where`). None can be seen from the incision: the flap and the floor are
    opaque tissue.

    Parameters
    ----------
    model : FaceModel
    placed : facelayers.model.techniques.PlacedTechnique
    paths : dict of (str, str) -> facelayers.model.nerves.NervePath
        Placed nerves by (nerve id, side); only those on ``side`` are described.
    side : {"left", "right"}

    Returns
    -------
    str
        Lines joined by newlines; one sentence for a technique that raises no flap.

    Raises
    ------
    ValueError
        If ``side`` is not a side.
    """
    from facelayers.core.frame import SIDES
    from facelayers.model.geometry import layer_index

    if side not in SIDES:
        raise ValueError(f"side = {side!r}; allowed: {', '.join(SIDES)}")
    reg = technique_region(placed)
    technique = placed.technique
    if reg is None or not reg.free.any():
        return (f"{technique.label}: no flap is raised (an endoscopic approach): the plane is reached through "
                f"ports and seen through the scope.")
    planes = [p for p in placed.planes if p.side == side]
    sign = 1.0 if side == "left" else -1.0
    mid = 0.5 * (reg.seg_a + reg.seg_b)
    on_side = (mid[:, 0] * sign) > 0
    opening_cm = np.linalg.norm(reg.seg_b - reg.seg_a, axis=1)[reg.free & on_side].sum() / 10.0
    labels = {layer.layer_id: layer.label for layer in model.anatomy.layers.values()}
    lines = [f"{technique.label}, {side} side: a {opening_cm:.0f} cm opening along the incision onto a pocket of "
             f"{sum(p.area_cm2 for p in planes):.0f} cm2"]
    def carries(layer, fraction, band):
        k = layer_index(layer)
        kept = [labels.get(n, n) for n in LAYERS[:k + (1 if fraction > 0 and band is None else 0)]]
        if band == "space" and fraction > 0:
            kept.append("layer 4 (the loose areolar tissue)")
        return ", ".join(kept)

    for plane in planes:
        text = f"  {plane.label}: the flap carries {carries(plane.layer, plane.fraction, getattr(plane, 'band', None))}"
        for zone in getattr(plane, "zones", ()):
            text += f"; {zone.label[0].lower() + zone.label[1:]}: {carries(zone.layer, zone.fraction, zone.band)}"
        lines.append(text)
    rows = []
    for (nid, nside), path in paths.items():
        if nside != side:
            continue
        under, take, at_plane = carried(model, reg, path)
        key = _where(under, take, at_plane)
        if key is None:
            continue
        length = np.linalg.norm(np.diff(path.points, axis=0), axis=1)
        name = model.anatomy.nerve(nid).label  # students read names, never ids
        rows.append(f"  {name}: {length[under[1:] & under[:-1]].sum():.0f} mm under the pocket, "
                    f"{length[take[1:] & take[:-1]].sum():.0f} mm of it in the flap: {WHERE[key]}")
    lines.append("Under the pocket (none can be seen from the incision):" if rows
                 else "No nerve runs under the pocket.")
    return "\n".join(lines + sorted(rows))
