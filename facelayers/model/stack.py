"""The layer stack: the thickness field of the regions' data, and the five layers laid on the rays.

Layers
------
Each region in ``data/regions.json`` has anchor landmarks and a thickness per layer (``data/thickness.csv``).
The thickness at any point is a normalised blend over the anchors with weights
``exp(-(d / sigma)**2) / (d**2 + eps)`` (d = distance from the point's skin position to the anchor's): the
inverse-distance factor makes it interpolate, so it equals the data at every anchor, and the Gaussian keeps
each region's influence local. It is a convex combination of the data, so it is never negative and never
exceeds the data's range.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from facelayers.anatomy.load import Anatomy
from facelayers.model.blend import sq_distances, thin_matmul
from facelayers.model.grid import params_of, rays
from facelayers.model.skin import Skin, skin_normals
from facelayers.model.skull_surface import SkullSurface, bone_radius

#: Width of each region's influence on the thickness field (mm).
SIGMA_MM = 32.0
#: Where the ray meets the skin very obliquely, a perpendicular thickness t is laid along the ray as
#: t / max(cos, COS_MIN), so a grazing ray cannot blow a thin layer up (only the ear and the nostril rims).
COS_MIN = 0.3
#: Where a ray is too short for the data (the bone lies deeper along the skin's normal than along the ray, as over
#: the masseter and the arch), the muscle layer gives up room along the ray first, down to this share of its data,
#: before skin, fat and SMAS are thinned.
MUSCLE_MIN_SHARE = 0.5
#: The skin keeps its data thickness across the skin (laid with the skin's own cosine) however short the ray: a
#: bone lying close under the skin thins the deep tissues, not the dermis (Meng 2022: submandibular skin 1.1-1.2 mm,
#: data/thickness.csv). Only where the ray is too short for the skin's data does it take less: this share of the ray
#: (or its share in proportion to the data, if larger).
SKIN_MAX_SHARE = 0.4


@dataclass(frozen=True, eq=False)
class ThicknessField:
    """Per-layer thickness anywhere on the skin: a local, interpolating blend of the regions' data.

    Attributes
    ----------
    regions : tuple of str, (r,)
        The region ids of ``data/regions.json``.
    anchors : (a, 3) float64 ndarray, mm, head frame
        Skin positions of the anchors.
    anchor_names : tuple of str, (a,)
        The anchors' landmarks: ``"<id>"``, or ``"<id>:left"`` and ``"<id>:right"`` for a bilateral one.
    anchor_region : (a,) int ndarray
        Index into ``regions``.
    table : (r, 5) float64 ndarray, mm
        Thickness by region and layer (perpendicular to the skin, as the data give it).
    """

    regions: tuple[str, ...]
    anchors: np.ndarray
    anchor_names: tuple[str, ...]
    anchor_region: np.ndarray
    table: np.ndarray

    def region_weights(self, skin_points: np.ndarray) -> np.ndarray:
        """(n, r) float: each region's share of the blend at each skin point (rows sum to 1)."""
        d2 = sq_distances(skin_points, self.anchors)
        logw = -d2 / SIGMA_MM**2 - np.log(d2 + 1e-9)
        logw -= logw.max(axis=1, keepdims=True)
        w = np.exp(logw)
        w /= w.sum(axis=1, keepdims=True)
        return thin_matmul(w, self.one_hot)

    @cached_property
    def one_hot(self) -> np.ndarray:
        """(a, r) float: which region each anchor belongs to."""
        return np.eye(len(self.regions))[self.anchor_region]

    def __call__(self, skin_points: np.ndarray) -> np.ndarray:
        """(n, 5) float, mm: thickness of each layer at each skin point."""
        return thin_matmul(self.region_weights(skin_points), self.table)


@dataclass(frozen=True)
class Stack:
    """The layer stack under a set of skin points (any (u, s), not only grid vertices).

    Attributes
    ----------
    u : (n,) float64 ndarray, rad
    s : (n,) float64 ndarray, mm
        The rays' parameters.
    points : (n, 6, 3) float64 ndarray, mm, head frame
        Skin, then the outer face of fat, SMAS, muscle, periosteum, then bone.
    depth : (n, 6) float64 ndarray, mm
        Depth of each interface below the skin along the ray (``depth[:, 0]`` = 0).
    thickness : (n, 5) float64 ndarray, mm
        Each layer's length along the ray (``np.diff(depth)``), the step that :meth:`at_depth` and the nerves'
        placement use.
    region_weights : (n, r) float64 ndarray
        Each region's share of the thickness blend (rows sum to 1).
    perpendicular : (n, 5) float64 ndarray, mm
        Each layer's thickness measured perpendicular to the skin, the quantity the data give: skin, fat and
        SMAS ``thickness * max(cos(ray, normal), COS_MIN)`` (fat and SMAS: or the larger cosine that fits them in
        where the ray has too little room even after the muscle layer gave up room, at most ``cos_ray``; the
        skin always keeps its data, see :data:`SKIN_MAX_SHARE`), the periosteum
        ``thickness * cos_ray``, the muscle layer
        the rest of the normal depth (``depth[:, -1] * cos_ray`` minus the other four), so the five add up to
        the normal depth.
    cos_ray : (n,) float64 ndarray
        The column's factor c between a depth across the skin and along the ray: on bone, the bone's depth
        along the skin normal over its depth along the ray; over a cavity, the cosine of the angle between ray
        and normal. The periosteum is laid as t / c.
    normals : (n, 3) float64 ndarray
        The skin's outward unit normal.
    """

    u: np.ndarray
    s: np.ndarray
    points: np.ndarray
    depth: np.ndarray
    thickness: np.ndarray
    region_weights: np.ndarray
    perpendicular: np.ndarray | None = None
    cos_ray: np.ndarray | None = None
    normals: np.ndarray | None = None

    def at_depth(self, layer: int | np.ndarray, fraction: float | np.ndarray) -> np.ndarray:
        """Points at a depth given as (layer index, fraction within the layer) on each of the stack's rays.

        Parameters
        ----------
        layer : int or (n,) int ndarray
            Layer index, 0 (skin) to 4 (periosteum); 5 with fraction 0 is bone.
        fraction : float or (n,) float ndarray
            0 = the layer's outer face, 1 = its inner face.

        Returns
        -------
        (n, 3) float64 ndarray, mm, head frame
        """
        layer = np.broadcast_to(np.asarray(layer), (len(self.u),))
        fraction = np.broadcast_to(np.asarray(fraction, float), (len(self.u),))
        idx = np.arange(len(self.u))
        top = self.points[idx, layer]
        bottom = self.points[idx, layer + 1]
        return top + fraction[:, None] * (bottom - top)


def build_stack(u: np.ndarray, s: np.ndarray, skin: Skin, thick: ThicknessField, skull: SkullSurface) -> Stack:
    """The layer stack on the rays (u, s): the soft tissues standing on the skull.

    The skin, fat, SMAS and periosteum take their data thickness measured perpendicular to the skin; the
    muscle layer (deep fascia, muscle, deep fat) takes what is left down to the stack's floor. Skin, fat and
    SMAS lie just under the skin and are laid along the ray as t / cos(ray, skin normal), so that measured
    along the skin's normal they keep their data thickness (where the ray has too little room, fat and SMAS take
    the larger cosine that just fits them, at most c; the skin never does); the periosteum lies on the bone and is laid as
    t / c, c the bone's depth along the skin's normal over its depth along the ray (over a cavity, the
    cosine between ray and normal); the muscle layer's perpendicular thickness is the normal depth minus the
    other four (exact at the tissue-depth sites). The floor is the fitted skull, except over a cavity or where
    there is no bone, where it runs at the regions' total depth (over the globe, the nasal cartilages, the
    deep cervical fascia). If the room is less than the five data layers need, the four under the skin shrink in
    proportion (the muscle layer, which holds layer 4 and the nerves under it, keeps its share and is never
    empty); the skin keeps its data thickness (at most :data:`SKIN_MAX_SHARE` of the ray), as a bone close under
    the skin thins the deep tissues, not the dermis.

    Parameters
    ----------
    u : (n,) float64 ndarray, rad
    s : (n,) float64 ndarray, mm
        The rays' parameters.
    skin : facelayers.model.skin.Skin
        The pinned skin.
    thick : ThicknessField
        The regions' thickness data (:func:`build_thickness_field`).
    skull : facelayers.model.skull_surface.SkullSurface
        The fitted skull (:func:`facelayers.model.skull_surface.build_skull`).

    Returns
    -------
    Stack
    """
    o, d = rays(u, s)
    radius = skin.radius(u, s)
    skin_pts = o + d * radius[:, None]
    weights = thick.region_weights(skin_pts)
    data = thin_matmul(weights, thick.table)
    normals = skin_normals(skin, u, s)
    cos = np.einsum("ij,ij->i", normals, d)
    skull_r = skull.radius(u, s)
    bone = bone_radius(radius, skull_r)
    no_bone = skull.no_bone_weight(u, s, o + d * skull_r[:, None])
    w = skull.cavity_weight(u, s, no_bone)
    # On bone the layers are laid with an effective cosine, the bone's depth along the skin normal over its
    # depth along the ray, so that their perpendicular thicknesses add up to the normal depth the
    # tissue-depth table gives (exact at its sites); over a cavity, with the ray's cosine.
    normal_depth = _depth_along_normal(skin_pts, normals, skull, (radius - bone) * np.maximum(cos, COS_MIN))
    on_bone = np.clip(normal_depth / np.maximum(radius - bone, 1e-6), 0.8 * np.maximum(cos, COS_MIN), 1.5)
    lay = w * np.maximum(cos, COS_MIN) + (1.0 - w) * on_bone  # continuous across a cavity's rim
    fill = radius - data.sum(axis=1) / lay
    # Over a pit the floor rises to the fill (the globe, the cartilage), never below the bone; where there is
    # no bone at all (the neck) it is the fill.
    lift = np.maximum(fill - bone, 0.0) + no_bone * np.minimum(fill - bone, 0.0)
    floor = bone + w * lift
    # Never past the axis: the deepest surface keeps at least 2 mm of the ray (only matters in the neck).
    floor = np.clip(floor, 2.0, None)
    total = np.maximum(radius - floor, 0.0)
    # Skin, fat and SMAS lie just under the skin: laid with the skin's own cosine, so that measured along the
    # skin's normal they keep their data thickness (with the column's factor they were up to 22% off at the
    # temple, cheek and masseter); the periosteum lies on the bone: laid with the column's factor. Where the
    # ray leaves less room than that and the muscle layer's data need, the muscle layer gives it up first, down
    # to MUSCLE_MIN_SHARE of its data (the muscle layer is the rest of the normal depth, so across the skin it
    # keeps its data at the tissue-depth sites); then fat and SMAS take the cosine that just fills it (at most the
    # column's factor, and they are then thinner than the data across the skin); if even that is too little,
    # the four under the skin shrink in proportion, so the muscle layer (layer 4 and the nerves under it) is
    # never squeezed to nothing.
    # The skin itself is never thinned by a short ray (SKIN_MAX_SHARE): fat, SMAS, muscle and periosteum give up
    # the room (at the jaw line the ray is 2-10 mm for 11-16 mm of data; thinning the skin with them left
    # 0.25-0.5 mm of skin over the mandibular border).
    skin_cos = np.maximum(cos, COS_MIN)
    periosteum = data[:, 4] / lay
    muscle = MUSCLE_MIN_SHARE * data[:, 3] / lay
    skin_data = data[:, 0] / skin_cos
    need = data[:, :3].sum(axis=1) / skin_cos + periosteum + muscle
    # in full where there is room; else at least SKIN_MAX_SHARE of the ray, and never less than its share in
    # proportion (what the old rule gave)
    skin_along = np.minimum(skin_data, np.maximum(SKIN_MAX_SHARE * total, total * skin_data / np.maximum(need, 1e-9)))
    top = data[:, 1:3].sum(axis=1)
    fills = top / np.maximum(total - skin_along - periosteum - muscle, 1e-9)
    top_cos = np.maximum(skin_cos, np.minimum(fills, np.maximum(lay, skin_cos)))
    upper = np.concatenate([data[:, 1:3] / top_cos[:, None], periosteum[:, None]], axis=1)
    scale = np.minimum(1.0, (total - skin_along) / np.maximum(upper.sum(axis=1) + muscle, 1e-9))
    upper = upper * scale[:, None]
    along = np.stack([skin_along, upper[:, 0], upper[:, 1], total - skin_along - upper.sum(axis=1), upper[:, 2]],
                     axis=1)
    along = np.maximum(along, 0.0)
    depth = np.concatenate([np.zeros((len(u), 1)), np.cumsum(along, axis=1)], axis=1)
    points = o[:, None, :] + d[:, None, :] * (radius[:, None] - depth)[:, :, None]
    thickness = np.diff(depth, axis=1)
    perpendicular = thickness * np.stack([skin_cos, top_cos, top_cos, lay, lay], axis=1)
    # The muscle layer is the rest of the normal depth (the column's factor times its ray depth).
    perpendicular[:, 3] = np.maximum(depth[:, -1] * lay - np.delete(perpendicular, 3, axis=1).sum(axis=1), 0.0)
    return Stack(u, s, points, depth, thickness, weights, perpendicular, lay, normals)


#: The normal's depth search samples the inward normal at this many steps down to 3 x the guess + 10 mm, then
#: refines the first crossing of the bone by bisection (:func:`_depth_along_normal`).
NORMAL_SAMPLES = 16
NORMAL_BISECTIONS = 10
#: Where the normal meets the bone more than GRAZE_FROM_MM beyond the point where it passes nearest (it grazes a rim
#: and goes on into a fossa), the depth moves to that nearest pass over the next GRAZE_BLEND_MM (schematic).
GRAZE_FROM_MM = 2.0
GRAZE_BLEND_MM = 4.0


def _depth_along_normal(skin_pts: np.ndarray, normals: np.ndarray, skull: SkullSurface, guess: np.ndarray) -> np.ndarray:
    """Distance (n,) mm from skin points (n, 3) along their inward normals (n, 3) to the skull.

    The signed gap between a point's ray radius and the skull's is sampled at :data:`NORMAL_SAMPLES` steps along
    the normal, from 0 to 3 x ``guess`` (n,) mm + 10 mm; the first step where it changes sign (the normal reaches
    the bone) is refined by :data:`NORMAL_BISECTIONS` bisections. Where the normal passes close by the bone before
    it meets it, or misses it (behind the lateral orbital rim the skin's normal runs past the rim into the temporal
    fossa's concavity), the depth is the least of step + gap along it (blended in where that is more than
    :data:`GRAZE_FROM_MM` short of the crossing): the rim it grazes, not the fossa's floor
    10 mm further on, so the depth is continuous as the normal slides off the rim. (Secant steps from the guess
    jumped between the rim and the fossa from one ray to the next there, a saw-tooth of 11 to 18 mm in the
    sections.)

    Returns
    -------
    (n,) float64 ndarray, mm
    """
    n = len(skin_pts)

    def gap(t):  # t (n, k) -> (n, k)
        pts = skin_pts[:, None, :] - normals[:, None, :] * t[:, :, None]
        uu, ss, dist = params_of(pts.reshape(-1, 3))
        return (dist - skull.radius(uu, ss)).reshape(t.shape)

    t_max = 3.0 * np.maximum(guess, 0.5) + 10.0
    steps = t_max[:, None] * np.linspace(0.0, 1.0, NORMAL_SAMPLES + 1)[None, :]
    g = gap(steps)
    crossed = (g[:, :-1] > 0.0) & (g[:, 1:] <= 0.0)
    hit = crossed.any(axis=1)
    first = np.argmax(crossed, axis=1)
    rows = np.arange(n)
    lo, hi = steps[rows, first], steps[rows, first + 1]
    for _ in range(NORMAL_BISECTIONS):
        mid = 0.5 * (lo + hi)
        outside = gap(mid[:, None])[:, 0] > 0.0
        lo, hi = np.where(outside, mid, lo), np.where(outside, hi, mid)
    near = (steps + np.maximum(g, 0.0)).min(axis=1)
    root = np.where(hit, 0.5 * (lo + hi), near)
    # the rim, not the fossa: only where the normal comes much nearer the bone than where it meets it (a radial gap
    # is not a distance, so a normal running obliquely over the bone, as at the philtrum, reads a little "nearer"
    # than its crossing: 1.2 mm there); blended over GRAZE_BLEND_MM so the depth stays continuous
    w = np.clip((root - near - GRAZE_FROM_MM) / GRAZE_BLEND_MM, 0.0, 1.0)
    w = w * w * (3.0 - 2.0 * w)
    return root - w * (root - near)


def build_thickness_field(anatomy: Anatomy, skin: Skin) -> ThicknessField:
    """The thickness field of the data: each region's anchors (both sides of a bilateral one) on the skin.

    Parameters
    ----------
    anatomy : facelayers.anatomy.load.Anatomy
        Its regions (anchor landmarks) and thickness table.
    skin : facelayers.model.skin.Skin
        The pinned skin: each anchor sits where the ray through its landmark meets it.

    Returns
    -------
    ThicknessField
    """
    regions = tuple(anatomy.regions)
    names, idx, pts = [], [], []
    for r, region in enumerate(anatomy.regions.values()):
        for anchor in region.anchors:
            lm = anatomy.landmarks[anchor]
            sides = ("left", "right") if lm.side == "bilateral" else (None,)
            for side in sides:
                name = anchor if side is None else f"{anchor}:{side}"
                names.append(name)
                idx.append(r)
                pts.append(anatomy.point(name))
    u, s, _ = params_of(np.array(pts))
    o, d = rays(u, s)
    points = o + d * skin.radius(u, s)[:, None]
    return ThicknessField(regions, points, tuple(names), np.array(idx), anatomy.thickness_table())
