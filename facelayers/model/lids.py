"""The lids' margins and the lashes: the palpebral fissure drawn finer than the skin's grid.

The skin's grid has a row every ~2.9 mm at the lecture grid, too coarse for the fissure's corners, which taper to
a point: drawn by the grid alone the corners come out blunt and the fissure ~5 mm short of its cited width. So the
grid opens wider than the fissure (:data:`facelayers.model.eyes.OPEN_CORNER_MM`, ``OPEN_MARGIN_MM``), and the
lids' margins are drawn by their own fine mesh, :func:`lid_rim`: a band around the almond of
:func:`facelayers.model.eyes.margins` (medial canthus to lateral canthus, the upper margin peaking medial to the
pupil, the lateral canthus :data:`~facelayers.model.eyes.CANTHAL_RISE_MM` higher than the medial), from the margin
(rolled back onto the globe: the intermarginal strip, tinted) out to :data:`REACH_MM` over the lids' surface, with
the lid crease carved as the skin's. It lies :data:`LIFT_MM` over the lids' surface and covers the grid's wider
opening, so the globe shows exactly through the almond.

The lashes (:func:`lashes`) are short dark strokes along the front edge of both margins, curving up from the upper
lid and down from the lower, longer toward the lateral corner.

Everything is tied to the skin's vertices (:func:`facelayers.model.attach.near_skin`: the upper lid's band and
lashes to the upper lid's skin, the lower's to the lower's), so an expression that moves the skin moves them: the
closing lids (:func:`facelayers.model.eyes.closure`) bring the margins and their lashes together.

All dimensions are **schematic** (chosen to read at lecture size within adult norms: upper lashes ~8-12 mm and
lower ~5-7 mm in life, drawn shorter so they do not hide the fissure from the front).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from facelayers.model import eyes
from facelayers.model.attach import Tie, forward_normals, near_skin
from facelayers.model.meshops import ray_triangles

#: How far the band reaches out from the margin over the lids (mm): past the grid's wider opening and two rows
#: (the grid's shading is off next to the opening, where its triangles turn in behind the globe).
REACH_MM = 6.0
#: Where the band's lift starts to fade toward its outer ring (mm out from the margin), and how far under the
#: lids' surface the outer ring lies (mm): the band's edge meets the skin there instead of ending in a step.
SINK_FROM_MM = 4.2
SINK_MM = 0.0
#: Offsets (mm, in the eye's (h, v) plane) of the band's rings outward from the margin; ring 0 is the margin's
#: inner edge (on the globe), ring 1 its front edge.
RINGS_MM = (0.0, 0.45, 1.0, 2.0, 3.1, SINK_FROM_MM, REACH_MM)
#: How far the band lies over the lids' surface (mm), fading to none at its outer ring.
LIFT_MM = 0.3
#: Where the head's sculpture stands in front of the lids' surface, the band lies at least this far over the skin's
#: drawn triangles (mm): else the grid shows through it in patches (the two surfaces at one depth).
OVER_GRID_MM = 0.08
#: Over how far (mm) the margins come forward to the canthi.
CORNER_MM = 3.0
#: Points along each margin, canthus to canthus.
N_MARGIN = 40
#: Upper and lower lash length at the lateral end (mm; shorter medially) and their base width (mm); lashes per
#: margin.
UPPER_LASH_MM = 4.2
LOWER_LASH_MM = 1.8
LASH_BASE_MM = 0.35
N_UPPER_LASHES = 40
N_LOWER_LASHES = 18
#: Lash angle out of the lid's surface toward the front (deg), and how much they curl (up / down) at the tip (mm).
LASH_TILT_DEG = 50.0
LASH_CURL_MM = 1.4
#: Parts of the lid meshes, for colouring: skin, the intermarginal strip, lashes, the upper lid's crease.
SKIN, MARGIN, LASH, CREASE = 0, 1, 2, 3
#: The crease's shadow: a thin line along the upper lid's crease (:data:`facelayers.model.eyes.CREASE_MM` above the
#: margin), this wide (mm), from this far along the fissure to this far (0 medial, 1 lateral), lifted off the skin
#: (mm). The grid's rows are too far apart for the crease's groove to cast a shadow, so its shadow is drawn.
CREASE_LINE_MM = 0.9
CREASE_SPAN = (0.12, 0.93)
CREASE_LIFT_MM = 0.25
N_CREASE = 28


def outline(n: int = N_MARGIN) -> tuple[np.ndarray, np.ndarray]:
    """The fissure's outline in the left eye's frame: (m, 2) (h, v) mm, and (m,) bool True on the upper margin.

    The upper margin from the medial to the lateral canthus (both included), then the lower margin back (the
    canthi not repeated); points crowd toward the corners (cosine spacing), where the margins meet at an angle.
    """
    m, lat = eyes._hv("medial"), eyes._hv("lateral")
    t = 0.5 * (1.0 - np.cos(np.pi * np.arange(n + 1) / n))
    h = m[0] + t * (lat[0] - m[0])
    upper, lower, _ = eyes.margins(h)
    # exactly the canthi at the ends (margins() meets the canthal line there)
    hv_u = np.stack([h, upper], 1)
    hv_l = np.stack([h[::-1][1:-1], lower[::-1][1:-1]], 1)
    is_upper = np.concatenate([np.ones(len(hv_u), bool), np.zeros(len(hv_l), bool)])
    return np.concatenate([hv_u, hv_l]), is_upper


def _outward(hv: np.ndarray) -> np.ndarray:
    """Unit outward directions (m, 2) of a closed outline (m, 2), smoothed over ~1.2 mm of arc (round corners)."""
    nxt, prv = np.roll(hv, -1, 0), np.roll(hv, 1, 0)
    tangent = nxt - prv
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], 1)
    normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-12)
    # the outline runs clockwise seen with h right, v up (upper margin left to right): (-t_v, t_h) points out
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(hv, axis=0), axis=1))])
    total = arc[-1] + np.linalg.norm(hv[0] - hv[-1])
    d = np.abs(arc[:, None] - arc[None, :])
    d = np.minimum(d, total - d)
    w = np.exp(-(d / 1.2) ** 2)
    out = w @ normal
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def _surface_n(hv: np.ndarray) -> np.ndarray:
    """The depth n (k,) mm of the lids' surface with the crease (as :func:`facelayers.model.eyes.sculpt_lids` carves it)."""
    h, v = hv[:, 0], hv[:, 1]
    upper, _, _ = eyes.margins(h)
    m, lat = eyes._hv("medial"), eyes._hv("lateral")
    along = np.exp(-(np.maximum(np.maximum(m[0] - h, h - lat[0]), 0.0) / 3.0) ** 2)
    crease = eyes.CREASE_DEPTH_MM * along * np.exp(-((v - upper - eyes.CREASE_MM) / eyes.CREASE_WIDTH_MM) ** 2)
    return eyes.ellipsoid_n(hv, eyes.lid_axes()) - crease


def _rim_local() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The band in the left eye's frame: (v, 3) (h, v, n) mm, faces (f, 3), part (v,), upper (v,) bool."""
    hv, is_upper = outline()
    out = _outward(hv)
    m = len(hv)
    rings, parts = [], []
    for k, d in enumerate(RINGS_MM):
        p = hv + d * out
        if k == 0:  # the margin's inner edge lies on the globe (the globe's surface, a little under it)
            n = eyes.ellipsoid_n(p, eyes.EYE_AXES_MM) - 0.15
        else:
            sink = np.clip((d - SINK_FROM_MM) / (REACH_MM - SINK_FROM_MM), 0.0, 1.0)
            lift = LIFT_MM - (LIFT_MM + SINK_MM) * sink if k > 1 else 0.0
            n = _surface_n(p) + lift - (0.35 if k == 1 else 0.0)  # the front edge: rounded, a little back
        # At the canthi the lids meet in front of the exposed globe's surface (which recedes steeply there): the
        # band's margin comes forward to the canthi (the frame's canthus points), fading over CORNER_MM.
        for name in ("medial", "lateral"):
            c = eyes._hv(name)
            w = np.exp(-(np.hypot(p[:, 0] - c[0], p[:, 1] - c[1]) / CORNER_MM) ** 2) * max(0.0, 1.0 - 0.3 * k)
            n = n + w * np.maximum(c[2] - (0.6 if k == 0 else 0.2) - n, 0.0)
        rings.append(np.concatenate([p, n[:, None]], 1))
        parts.append(np.full(m, MARGIN if k <= 1 else SKIN))
    verts = np.concatenate(rings)
    i = np.arange(m)
    faces = []
    for k in range(len(RINGS_MM) - 1):
        a, b = k * m + i, k * m + (i + 1) % m
        c, d = (k + 1) * m + (i + 1) % m, (k + 1) * m + i
        faces += [np.stack([a, b, c], 1), np.stack([a, c, d], 1)]
    return verts, np.concatenate(faces), np.concatenate(parts), np.tile(is_upper, len(RINGS_MM))



def _lashes_local() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lash strokes in the left eye's frame: (v, 3) (h, v, n) mm, faces (f, 3), upper (v,) bool.

    Each lash is a thin tapering stroke (one triangle, curved through its tip) from the margin's front edge, out of the lid
    (up from the upper margin, down from the lower) and forward, curling away from the fissure; none in the
    corners' last few mm (the lashes stop short of the canthi), longest laterally.
    """
    m, lat = eyes._hv("medial"), eyes._hv("lateral")
    verts, faces, up = [], [], []
    tilt = np.radians(LASH_TILT_DEG)
    for upper, count, span in ((True, N_UPPER_LASHES, (0.1, 0.93)), (False, N_LOWER_LASHES, (0.25, 0.9))):
        t = np.linspace(span[0], span[1], count)
        h = m[0] + t * (lat[0] - m[0])
        u_v, l_v, _ = eyes.margins(h)
        v = (u_v + 0.45) if upper else (l_v - 0.45)  # on the margin's front edge
        sgn = 1.0 if upper else -1.0
        for j in range(count):
            n0 = _surface_n(np.array([[h[j], v[j]]]))[0] - 0.3
            length = (UPPER_LASH_MM if upper else LOWER_LASH_MM) * (0.6 + 0.4 * t[j])
            # fanning a little toward the corners
            fan = 0.35 * (t[j] - 0.5)
            direction = np.array([fan * np.cos(tilt), sgn * np.cos(tilt), np.sin(tilt)])
            direction /= np.linalg.norm(direction)
            curl = np.array([0.0, sgn, 0.0]) * LASH_CURL_MM * (length / UPPER_LASH_MM)
            base = np.array([h[j], v[j], n0])
            side = np.array([0.5 * LASH_BASE_MM, 0.0, 0.0])
            tip = base + length * direction + curl
            k = sum(len(x) for x in verts)
            verts.append(np.stack([base - side, base + side, tip]))
            faces.append(np.array([[0, 1, 2]]) + k)
            up.append(np.full(3, upper))
    return np.concatenate(verts), np.concatenate(faces), np.concatenate(up)


def _onto_skin(model, world: np.ndarray, which: np.ndarray, lift: np.ndarray) -> np.ndarray:
    """The band's skin rings brought out onto the skin where the head's sculpture stands in front of the lids' surface.

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel
    world : (v, 3) float ndarray, mm
        The band's vertices on the lids' surface (:func:`_rim_local` in the head frame).
    which : (v,) bool ndarray
        The vertices to move (the band over the lids, not the margin).
    lift : (v,) float ndarray, mm
        How far each lies over the lids' surface; it lies as far over the skin (at least :data:`OVER_GRID_MM`).

    Returns
    -------
    (v, 3) float64 ndarray, mm
        Each moved vertex at the farthest of its place, the smooth skin (on its ray) plus its lift and the skin's
        drawn triangles plus :data:`OVER_GRID_MM`: the band never sinks under the skin's grid (whose own shading
        would show through it in torn patches), and
        it stays on the lids' surface where the skin is tucked behind it (the fissure's corners).
    """
    from facelayers.model.grid import params_of, rays
    from facelayers.model.meshops import ray_hits

    u, s, dist = params_of(world)
    origin, direction = rays(u, s)
    pts = world[which]
    # only the skin's triangles near the band (the ray test visits every triangle it is given)
    near = np.linalg.norm(model.skin - pts.mean(0), axis=1) < np.linalg.norm(pts - pts.mean(0), axis=1).max() + 8.0
    faces = model.faces[near[model.faces].all(1)]
    _, hit = ray_hits(origin[which], direction[which], model.skin, faces)
    smooth = model.skin_surface.radius(u[which], s[which])
    hit = np.where(np.isfinite(hit), hit, smooth)
    moved = world.copy()
    # on the smooth skin (whose shading the grid's interpolated normals give), and over the drawn triangles where
    # they stand in front of it (a concave stretch)
    out_dist = np.maximum(dist[which], np.maximum(smooth + np.maximum(lift[which], 0.0), hit + OVER_GRID_MM))
    moved[which] = origin[which] + direction[which] * out_dist[:, None]
    return moved


def _below_canthal_line(local: np.ndarray) -> np.ndarray:
    """How far below the canthal line points (v, 3) of the eye's frame lie, as (v,) float in 0..1.

    1 for 2 mm or more below the line between the canthi (extended past them), 0 on it and above it.
    """
    m, lat = eyes._hv("medial"), eyes._hv("lateral")
    line = m[1] + (local[:, 0] - m[0]) * (lat[1] - m[1]) / (lat[0] - m[0])
    x = np.clip((line - local[:, 1]) / 2.0, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def _grid_tie(model, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The skin's drawn triangle under each point (k, 3) mm along its ray (the outermost it meets), as a tie.

    Returns
    -------
    index : (k, 3) int64
        The triangle's skin vertices (0 where none is met).
    weight : (k, 3) float64
        The hit's barycentric weights (rows sum to 1; zeros where none is met).
    met : (k,) bool
        Whether the ray meets a triangle.
    """
    from facelayers.model.grid import params_of, rays

    pts = np.asarray(points, float)
    u, s, _ = params_of(pts)
    origin, direction = rays(u, s)
    skin = model.skin
    near = np.linalg.norm(skin - pts.mean(0), axis=1) < np.linalg.norm(pts - pts.mean(0), axis=1).max() + 8.0
    faces = np.asarray(model.faces, np.int64)[near[model.faces].all(1)]
    p0, p1, p2 = skin[faces[:, 0]], skin[faces[:, 1]], skin[faces[:, 2]]
    e1, e2 = p1 - p0, p2 - p0
    index = np.zeros((len(pts), 3), np.int64)
    weight = np.zeros((len(pts), 3))
    met = np.zeros(len(pts), bool)
    for i, (o, d) in enumerate(zip(origin, direction)):  # Moeller-Trumbore against the nearby triangles
        hit, a, b, t = ray_triangles(o, d, p0, e1, e2)
        if hit.any():
            j = np.flatnonzero(hit)[np.argmax(t[hit])]
            index[i], weight[i], met[i] = faces[j], (1.0 - a[j] - b[j], a[j], b[j]), True
    return index, weight, met


@lru_cache(maxsize=8)
def _ties(model) -> tuple[tuple, tuple]:
    """Per side: (rim vertices' Tie, rim faces, rim parts, lash Tie, lash faces); cached per model."""
    from facelayers.model.face_measures import globe_gap, pin_shift

    f = eyes.frame()
    rim_v, rim_f, rim_p, rim_up = _rim_local()
    lash_v, lash_f, lash_up = _lashes_local()
    skin = model.skin
    shift = pin_shift(model)
    out = []
    for sign, side in ((1.0, "left"), (-1.0, "right")):
        hv = f.local(skin, sign)
        upper, lower, _ = eyes.margins(hv[:, 0])
        mid = 0.5 * (upper + lower)
        front = globe_gap(model, skin, side) > 0.5
        zone = (np.abs(hv[:, 0]) < eyes.ZONE_MM[0]) & (hv[:, 1] > -eyes.ZONE_MM[2]) & (hv[:, 1] < eyes.ZONE_MM[1])
        zone &= hv[:, 2] > 0
        lid_up = front & zone & (hv[:, 1] > mid)
        lid_down = front & zone & (hv[:, 1] <= mid)
        parts = []
        for local, up in ((rim_v, rim_up), (lash_v, lash_up)):
            world = f.world(local, sign)
            world = world + shift(world)
            if local is rim_v:
                # the lower lid's band only (the pale rim under the eyes), fading out across the canthal line; the
                # upper lid's band keeps to the lids' surface (on the skin it shades apart from the grid's ramp there)
                moved = _onto_skin(model, world, rim_p == SKIN, local[:, 2] - _surface_n(local))
                world = world + _below_canthal_line(local)[:, None] * (moved - world)
            elig = np.where(up[:, None], lid_up[None, :], lid_down[None, :])
            tie = near_skin(skin, world, elig)
            if local is rim_v:
                # The band over the lower lid lies on the skin's drawn triangles: it follows the triangle under it
                # (blended in across the canthal line as it was brought onto the skin). Tied to the nearest
                # lower-lid vertices alone, its tip below the medial canthus followed vertices a few mm away and
                # folded over (a dark crack) when the frown or the nose wrinkle moved the skin under it.
                # Medial to the medial canthus (where the lids do not part) the band follows the skin under it too.
                c = np.clip((eyes._hv("medial")[0] - local[:, 0]) / 2.0, 0.0, 1.0)
                w = np.where(rim_p == SKIN, np.maximum(_below_canthal_line(local), c * c * (3.0 - 2.0 * c)), 0.0)
                index, weight, met = _grid_tie(model, world)
                w = np.where(met, w, 0.0)[:, None]
                tie = Tie(np.concatenate([tie.index, index], 1),
                          np.concatenate([(1.0 - w) * tie.weight, w * weight], 1), tie.rest)
            parts.append(tie)
        # wound as the skin's (outward, toward the viewer); mirrored on the right
        faces_r = rim_f[:, ::-1] if sign > 0 else rim_f
        faces_l = lash_f[:, ::-1] if sign > 0 else lash_f
        out.append((parts[0], np.ascontiguousarray(faces_r), rim_p, parts[1], np.ascontiguousarray(faces_l)))
    return tuple(out)


@lru_cache(maxsize=8)
def _crease_ties(model) -> tuple[tuple[Tie, np.ndarray], ...]:
    """Per side: the crease line's Tie on the skin's drawn triangles and its faces (f, 3); cached per model."""
    from facelayers.model.attach import on_skin
    from facelayers.model.face_measures import pin_shift

    m, lat = eyes._hv("medial"), eyes._hv("lateral")
    t = np.linspace(CREASE_SPAN[0], CREASE_SPAN[1], N_CREASE)
    h = m[0] + t * (lat[0] - m[0])
    upper, _, _ = eyes.margins(h)
    half = 0.5 * CREASE_LINE_MM * np.sin(np.pi * (t - t[0]) / (t[-1] - t[0])) ** 0.5
    rows = [np.stack([h, upper + eyes.CREASE_MM + k * np.maximum(half, 0.05)], 1) for k in (-1.0, 1.0)]
    hv = np.concatenate(rows)
    local = np.concatenate([hv, _surface_n(hv)[:, None]], 1)
    i = np.arange(N_CREASE - 1)
    faces = np.concatenate([np.stack([i, i + 1, N_CREASE + i + 1], 1), np.stack([i, N_CREASE + i + 1, N_CREASE + i], 1)])
    out = []
    shift = pin_shift(model)
    for sign in (1.0, -1.0):
        world = eyes.frame().world(local, sign)
        world = world + shift(world)
        tie = on_skin(model.skin, model.faces, world[:, [0, 2]], front_y_mm=20.0)
        out.append((tie, np.ascontiguousarray(faces[:, ::-1]) if sign > 0 else faces))
    return tuple(out)


def lid_meshes(model, skin_points: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Both eyes' lid margins and lashes, following the skin.

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel
        Its skin at rest places them (the globes' landmark correction too).
    skin_points : (n, 3) float ndarray, mm, optional
        The skin's vertices as drawn (moved by an expression); default the model's skin.

    Returns
    -------
    vertices : (v, 3) float32 ndarray, mm, head frame
    faces : (f, 3) int32 ndarray
    part : (v,) int8 ndarray
        :data:`SKIN` (the band over the lids), :data:`MARGIN` (the intermarginal strip), :data:`LASH`,
        :data:`CREASE` (the upper lid crease's shadow, on the skin's drawn triangles, :data:`CREASE_LIFT_MM` off them).
    """
    skin = model.skin if skin_points is None else np.asarray(skin_points, float)
    verts, faces, parts = [], [], []
    for (rim, rim_f, rim_p, lash, lash_f), (crease, crease_f) in zip(_ties(model), _crease_ties(model)):
        for tie, f, p in ((rim, rim_f, rim_p), (lash, lash_f, np.full(len(lash.rest), LASH))):
            faces.append(f + sum(len(x) for x in verts))
            verts.append(tie.follow(model.skin, skin_points))
            parts.append(p)
        n = forward_normals(skin[crease.index])
        faces.append(crease_f + sum(len(x) for x in verts))
        verts.append(crease.follow(model.skin, skin_points) + CREASE_LIFT_MM * n)
        parts.append(np.full(len(crease.rest), CREASE))
    return (np.concatenate(verts).astype(np.float32), np.concatenate(faces).astype(np.int32),
            np.concatenate(parts).astype(np.int8))


def lid_anchors(model) -> np.ndarray:
    """For each vertex of :func:`lid_meshes` (in its order), the skin vertex it follows most: (v,) int64."""
    out = []
    for (rim, _, _, lash, _), (crease, _) in zip(_ties(model), _crease_ties(model)):
        out += [rim.anchor, lash.anchor, crease.anchor]
    return np.concatenate(out)


def fissure_outline(model, side: str = "left", skin_points: np.ndarray | None = None) -> np.ndarray:
    """The fissure's edge as drawn: the lid band's inner ring (the margins' inner edge), (m, 3) float64 mm.

    The upper margin medial to lateral, then the lower back (:func:`outline`'s order), moved with the skin.
    """
    if side not in ("left", "right"):
        raise ValueError(f"side {side!r} is not known; allowed: left, right")
    rim = _ties(model)[0 if side == "left" else 1][0]
    m = len(outline()[0])
    return rim.follow(model.skin, skin_points)[:m]


def lash_tie(model, side: str = "left") -> tuple[Tie, np.ndarray]:
    """The lashes of one eye: their Tie and (v,) bool True on the upper lid's."""
    if side not in ("left", "right"):
        raise ValueError(f"side {side!r} is not known; allowed: left, right")
    return _ties(model)[0 if side == "left" else 1][3], _lashes_local()[2]


def drawn_fissure(model, side: str = "left", skin_points: np.ndarray | None = None) -> dict:
    """The palpebral fissure as drawn, measured on the lid band's margins.

    The corners (the canthi) are where the margins' inner edges (the band's ring 0) meet, the margins those
    inner edges.

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel
    side : {"left", "right"}
    skin_points : (n, 3) float ndarray, mm, optional
        The skin as moved by an expression.

    Returns
    -------
    dict
        ``width_mm`` (en-ex, 3D distance between the corners), ``medial`` and ``lateral`` (3,) mm (the corners),
        ``tilt_mm`` (lateral corner's height above the medial's), ``upper`` (k, 3) and ``lower`` (j, 3) mm (the
        margins' inner edges, medial to lateral).
    """
    if side not in ("left", "right"):
        raise ValueError(f"side {side!r} is not known; allowed: left, right")
    rim = _ties(model)[0 if side == "left" else 1][0]
    hv, is_upper = outline()
    m = len(hv)
    pts = rim.follow(model.skin, skin_points)
    edge = pts[:m]
    medial, lateral = edge[0], edge[np.flatnonzero(is_upper)[-1]]
    lower = np.concatenate([edge[:1], edge[~is_upper][::-1], edge[np.flatnonzero(is_upper)[-1]][None]])
    return {"width_mm": float(np.linalg.norm(lateral - medial)), "medial": medial, "lateral": lateral,
            "tilt_mm": float(lateral[2] - medial[2]), "upper": edge[is_upper], "lower": lower}
