"""The skull drawn as bone: the forms that one radius per ray cannot carry, as their own meshes.

Why
---
The model's skull (:mod:`facelayers.model.skull`, :mod:`facelayers.model.skull_surface`) gives one bone radius
per ray, which the layer stack stands on. A surface like that cannot overhang or bridge, so the zygomatic arch
standing free over the temporal fossa, the ramus standing off the skull base with the sigmoid notch between the
condyle and the coronoid, and the bony ear canal were painted on it as relief. The skull *drawn alone* (the
figure of :mod:`facelayers.render.skull`) is built here from the same grid, with those forms as geometry:

* **cranium**: the ray surface with the painted side forms taken off (the arch's band, the notch's and the
  retromandibular hollows, the ear canal's pit) and pushed in under the arch (:func:`fossa_depth`): the temporal
  fossa deepens from the temporal line down to the arch and continues under it into the infratemporal fossa, so
  there is real space medial to the arch (where temporalis passes) and behind the ramus; the ear canal is a hole;
* **mandible**: the ray surface below the occlusal line and inside the ramus' side outline
  (:data:`RAMUS_OUTLINE`: condyle, sigmoid notch, coronoid, anterior border), made a closed solid (an inner copy
  :func:`mandible_thickness` mm inward along the rays, walls along every open edge), so the ramus stands off
  the skull base with a real notch;
* **zygomatic arch**: a bar of elliptical section (:data:`ARCH_HEIGHT_MM` x :data:`ARCH_THICKNESS_MM`) from the
  zygoma's temporal process back to the articular tubercle (:data:`ARCH_Y_MM`), along the model's arch line (the
  ``arch_inferior`` landmark gives its lower border), its outer face on the stack's bone so the layers over the
  arch lie on it;
* **external acoustic meatus**: an elliptical tube (:data:`EAM_RADII_MM`, :data:`EAM_DEPTH_MM`) under the porion
  (its roof), with a lip standing 0.5 mm out (the tympanic ring).

The mastoid process stays the ray surface's form (it hangs below the skull base, which one radius per ray can
carry). The stack, the tissue-depth fit, the foramina and the nerves are not changed: they stand on the ray surface,
whose outer face over the arch and the ramus the drawn bone keeps.

Dimensions: REFERENCE-2 section 4 has no arch, ramus-thickness, notch or ear-canal figures, so these are schematic
(each constant says so); the ramus height (condylion-gonion ~60 mm male, unconfirmed) is what the outline gives
with the model's gonion.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from facelayers.model import skull as skull_module
from facelayers.model.grid import rays, read_only, smooth_grid
from facelayers.model.meshops import (
    boundary_edges,
    refine,
    relax,
    solidify,
    tube,
    vertex_neighbours,
    weld,
)
from facelayers.model.skull_surface import smooth_relief

#: The zygomatic arch's section (mm): height 7 and thickness 4 (schematic: REFERENCE-2 section 4 found no arch
#: dimensions; a dry skull's arch is about 5-8 mm tall and 3-5 mm thick).
ARCH_HEIGHT_MM = 7.0
ARCH_THICKNESS_MM = 4.0
#: The arch's section is a super-ellipse of this exponent (2: an ellipse; higher: flatter faces, rounder
#: corners), so that it reads as a flattened bar rather than a rod (schematic).
ARCH_SECTION_EXPONENT = 3.0
#: How much taller (mm) the bar grows at its front end, its upper border sweeping up into the zygoma's body and
#: frontal process, and at its back end, its root over the articular tubercle (schematic: on a dry skull the
#: arch's borders flow into those of the zygoma and the temporal squama with no joint).
ARCH_FRONT_FLARE_MM = 6.0
ARCH_ROOT_FLARE_MM = 1.5
#: The fraction of the arch's length at its front end over which its outer face lies on the drawn zygoma (no
#: step), after blending in over as much again.
ARCH_JOIN_FRACTION = 0.12
#: The arch's ends along y (mm): the articular tubercle in front of the ear canal (back) and the zygoma's
#: temporal process (front), schematic, on the model's landmarks (porion y 0, zygion y 30).
ARCH_Y_MM = (12.0, 58.0)
#: The arch's centre line rises this much from its front to its back end (mm, schematic: the arch's root lies
#: higher, at the porion's level).
ARCH_RISE_MM = 4.0
#: How deep (mm, along the ray) the temporal fossa lies at the arch's level, and the infratemporal fossa below it,
#: relative to the ray surface (schematic: the room for temporalis and its tendon medial to the arch).
TEMPORAL_FOSSA_DEPTH_MM = 11.0
INFRATEMPORAL_DEPTH_MM = 18.0
#: The mandible's thickness (mm, inward along the ray): the ramus (schematic, ~6) and the body (~10).
RAMUS_THICKNESS_MM = 6.0
BODY_THICKNESS_MM = 10.0
#: The condyle's head is wider from side to side than the ramus is thick: this much more (mm, schematic: a dry
#: skull's condylar head is ~15-20 mm wide mediolaterally, ~8-10 mm front to back).
CONDYLE_EXTRA_MM = 10.0
#: The mandible's side outline above the occlusal line (y forward, z up, mm; left, mirrored): the posterior
#: border up to the condyle (head's top at z -4, in the glenoid fossa under the arch's root, in front of the ear
#: canal), the sigmoid notch (lowest ~ -21, i.e. ~16 below the condyle and ~11 below the coronoid's tip), the
#: coronoid process (tip at z -9, medial to the arch) and the anterior border down to the occlusal line.
#: Schematic, on the model's gonion and porion; below, the lower and posterior borders are the skull's cut
#: (:func:`facelayers.model.skull.bone_field`).
RAMUS_OUTLINE: tuple[tuple[float, float], ...] = (
    (1.0, -120.0), (1.0, -24.0), (2.5, -16.0), (3.5, -10.0), (4.0, -6.5), (6.0, -4.3), (9.0, -3.8), (12.0, -4.5),
    (14.0, -6.5), (14.5, -9.0), (16.0, -13.5), (19.0, -18.5), (23.0, -21.0), (27.0, -20.5), (31.0, -16.5),
    (34.0, -11.0), (36.5, -9.0), (38.5, -10.0), (40.0, -15.0), (41.5, -25.0), (44.0, -36.0), (47.0, -44.0),
    (49.0, -120.0),
)
#: The bony ear canal: its opening's half-width (y) and half-height (z), mm, and depth (mm), schematic; its roof
#: is the porion.
EAM_RADII_MM = (3.5, 4.0)
EAM_DEPTH_MM = 12.0
#: The painted side forms of the ray surface that the drawn skull replaces by geometry (names in
#: :data:`facelayers.model.skull.SIDE`).
PAINTED = ("zygomatic arch", "sigmoid notch", "retromandibular hollow", "external acoustic meatus")
#: Side weight of the drawn skull's side forms: azimuth past this (degrees) is the side of the head.
SIDE_DEG = 30.0
#: The drawn skull's surface is relaxed on the mesh (:func:`relax`, Taubin's smoothing, which does not shrink):
#: this many passes, at full weight on the walls of the cavities (the orbits, the piriform aperture: where the
#: grid's rays meet steep walls in long thin triangles, whose normals streak the shading) and
#: :data:`RELAX_BONE_WEIGHT` on the rest of the bone. The layers do not stand on the drawn mesh.
RELAX_PASSES = 60
RELAX_BONE_WEIGHT = 0.25
#: The cavity depth (mm, :attr:`facelayers.model.skull_surface.SkullSurface.cavity`) over which the relaxing
#: ramps up from the bone's weight to full: below the low end the rim stays as sculpted (crisp).
RELAX_CAVITY_MM = (0.3, 3.0)
#: The cavities' triangles are split until no edge there is longer than this (mm), in at most
#: :data:`REFINE_PASSES` passes (each halves the long edges), before relaxing.
REFINE_EDGE_MM = 3.0
#: Triangles are split there only, where a vertex lies deeper in a cavity than this (mm).
REFINE_CAVITY_MM = 1.0
REFINE_PASSES = 3
#: Passes of diffusion of the drawn skull's shade (its ambient occlusion) with the same weights.
SHADE_PASSES = 30
#: The gap (mm) between the maxilla's alveolar border and the mandible's, drawn as a dark line (schematic: the
#: teeth are not drawn; a teaching skull shows the two jaws as separate bones).
JAW_GAP_MM = 1.6
#: The brightness of the mandible's top face under the gap (in shadow; plotly draws none).
JAW_GAP_SHADE = 0.3


def fossa_depth(points: np.ndarray) -> np.ndarray:
    """How far (n,) mm the drawn cranium lies inside the ray surface at points (n, 3) mm: the fossae.

    The temporal fossa deepens from ~30 mm above the porion's level down to the arch, between the zygoma's
    frontal process and body (front, y ~50) and the arch's root (back, y ~14; higher up the fossa reaches back
    under the temporal line); below the arch the infratemporal fossa, deeper, from behind the ramus (y ~ -2) to
    the maxilla (y ~48). Zero on the face, the vault, the ear region and the mastoid. Schematic (module notes).
    """
    y, z = points[:, 1], points[:, 2]
    s = skull_module.smoothstep
    side = skull_module.lateral_weight(points, 48.0)
    front = s((np.interp(z, [-8.0, 15.0], [48.0, 56.0]) - y) / 7.0)
    back = s((y - np.interp(z, [2.0, 16.0], [14.0, -26.0])) / 8.0)
    temporal = TEMPORAL_FOSSA_DEPTH_MM * s((30.0 - z) / 26.0) * front * back * s((z + 14.0) / 8.0)
    infra_back = s((y - np.interp(z, [-12.0, -6.0], [-2.0, 16.0])) / 6.0)
    infra = (INFRATEMPORAL_DEPTH_MM * s((-5.0 - z) / 8.0) * s((55.0 - y) / 8.0) * infra_back
             * s((z + 56.0) / 10.0))
    return np.maximum(temporal, infra) * side


def mandible_field(points: np.ndarray) -> np.ndarray:
    """Signed field (n,) mm at skull points (n, 3) mm: positive on the mandible, negative on the cranium.

    Below the occlusal line (:data:`facelayers.model.skull.OCCLUSAL_Z_MM`) everywhere; on the side also inside
    :data:`RAMUS_OUTLINE` in the side view.
    """
    side = skull_module.lateral_weight(points, SIDE_DEG)
    ramus = -skull_module.polygon_distance(points[:, 1:3], np.array(RAMUS_OUTLINE)) - 40.0 * (1.0 - side)
    return np.maximum(skull_module.OCCLUSAL_Z_MM - points[:, 2], ramus)


def mandible_thickness(points: np.ndarray) -> np.ndarray:
    """The mandible's thickness (n,) mm at points (n, 3) mm, inward along the rays.

    The body's in front, the ramus' on the side, the condyle's head (above z -12 mm, behind y 16 mm) wider.
    """
    side = skull_module.lateral_weight(points, 50.0)
    s = skull_module.smoothstep
    head = CONDYLE_EXTRA_MM * s((points[:, 2] + 12.0) / 5.0) * s((16.0 - points[:, 1]) / 4.0)
    return BODY_THICKNESS_MM + (RAMUS_THICKNESS_MM - BODY_THICKNESS_MM) * side + head * side


def eam_field(points: np.ndarray, porion: np.ndarray) -> np.ndarray:
    """(n,) about mm: negative inside the ear canal's opening (side view, both sides), positive outside."""
    cy, cz = porion[1], porion[2] - EAM_RADII_MM[1]
    q = np.hypot((points[:, 1] - cy) / EAM_RADII_MM[0], (points[:, 2] - cz) / EAM_RADII_MM[1])
    side = skull_module.lateral_weight(points, 60.0)
    return (q - 1.0) * min(EAM_RADII_MM) + 50.0 * (1.0 - side)


@lru_cache(maxsize=8)
def _painted(gu_bytes: bytes, gs_bytes: bytes) -> np.ndarray:
    """The painted side forms' relief (nv, nu) mm on a grid, smoothed as the sculpture's (read-only)."""
    from facelayers.model.skull_surface import SkullSurface

    gu, gs = np.frombuffer(gu_bytes), np.frombuffer(gs_bytes)
    sk = SkullSurface.sculpt(gu, gs)
    uu, ss = np.meshgrid(gu, gs)
    o, d = rays(uu.ravel(), ss.ravel())
    pts = o + d * sk.envelope.ravel()[:, None]
    # the side forms the drawn skull builds as geometry, and the teeth's grooves (the drawn skull shows a smooth
    # alveolar arch and a gap between the jaws instead, :data:`JAW_GAP_MM`)
    feats = tuple(f for f in skull_module.SIDE if f.name in PAINTED)
    total = np.zeros(len(pts))
    for f in feats:
        h = f(pts)
        if f.name == "zygomatic arch":  # keep the arch's root and the zygoma's body (the bar ends in them)
            h = h * skull_module.smoothstep((pts[:, 1] - ARCH_Y_MM[0] - 4.0) / 6.0) * skull_module.smoothstep(
                (ARCH_Y_MM[1] - 4.0 - pts[:, 1]) / 8.0)
        total += h
    shape = (len(gs), len(gu))
    # each smoothed as the sculpture smooths it (the side's outlines coarse, the teeth not), so none is left over
    teeth = sum(f(pts) for f in skull_module.TEETH)
    return read_only(smooth_relief(total.reshape(shape), pts.reshape(*shape, 3), gs, coarse=True)
                     + smooth_relief(teeth.reshape(shape), pts.reshape(*shape, 3), gs))


def resample(model, vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The drawn skull's sheet with its cavities' long triangles split, then relaxed.

    Split by :func:`refine` to :data:`REFINE_EDGE_MM` where a vertex lies deeper than :data:`REFINE_CAVITY_MM`,
    relaxed by :func:`relax` (weights :func:`relax_weight`, spread one ring onto the rims).

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel; vertices : (v, 3) float, mm; faces : (f, 3) int

    Returns
    -------
    vertices : (w, 3) float64, mm; faces : (g, 3) int64
    """
    v, f = np.asarray(vertices, float), np.asarray(faces, np.int64)
    marked = _cavity(model, v) > REFINE_CAVITY_MM if len(v) else np.zeros(0, bool)
    for _ in range(REFINE_PASSES):
        v, f, marked = refine(v, f, marked, REFINE_EDGE_MM)
    # the rim's vertices next to a cavity's wall relax with it: the rim line, which steps across the grid's
    # columns where the rays leave the rim for the cavity's floor, becomes a smooth curve
    w = relax_weight(model, v)
    a, b = vertex_neighbours(len(v), f)
    np.maximum.at(w, a, w[b])
    return relax(v, f, w, passes=RELAX_PASSES), f


@dataclass(frozen=True, eq=False)
class SkullParts:
    """The skull drawn as bone (module notes): its pieces, each a mesh in the head frame (mm).

    Attributes
    ----------
    parts : dict of str to ((v, 3) float64 ndarray, (f, 3) int64 ndarray)
        ``cranium``, ``mandible`` (closed solid), ``arch:left``/``arch:right`` (closed bars),
        ``eam:left``/``eam:right`` (tubes closed at the bottom). Outward-facing triangles.
    shade : dict of str to (v,) float64 ndarray in (0, 1]
        Per-vertex brightness of each part (ambient occlusion: plotly draws no shadows).
    depth : (n,) float64 ndarray, mm
        :func:`fossa_depth` at the grid's rays (the cranium's displacement).
    """

    parts: dict
    shade: dict
    depth: np.ndarray

    def mesh(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All parts as one mesh, welded where the mandible's surface continues in the cranium.

        So the shading runs across the seam. Returns vertices (v, 3) float32 mm, faces (f, 3) int32 and
        shade (v,) float32.
        """
        vs, fs, sh, base = [], [], [], 0
        for name, (v, f) in self.parts.items():
            vs.append(v)
            fs.append(f + base)
            sh.append(self.shade[name])
            base += len(v)
        v, f, shade = np.concatenate(vs), np.concatenate(fs), np.concatenate(sh)
        # weld only across parts: a vertex of a later part that coincides with one of the cranium's takes its
        # index (the mandible's seam); inside a part, coinciding copies stay apart (the walls' crisp rims)
        n_c = len(self.parts["cranium"][0])
        key = np.round(v, 4)
        _, inv = np.unique(key, axis=0, return_inverse=True)
        inv = inv.reshape(-1)
        owner = np.full(inv.max() + 1, -1)
        owner[inv[:n_c][::-1]] = np.arange(n_c)[::-1]
        target = owner[inv]
        remap = np.where((np.arange(len(v)) >= n_c) & (target >= 0), target, np.arange(len(v)))
        f = remap[f]
        f = f[(f[:, 0] != f[:, 1]) & (f[:, 1] != f[:, 2]) & (f[:, 0] != f[:, 2])]
        used = np.unique(f)
        index = np.full(len(v), -1)
        index[used] = np.arange(len(used))
        return v[used].astype(np.float32), index[f].astype(np.int32), shade[used].astype(np.float32)


_CACHE: dict[int, SkullParts] = {}


def skull_parts(model) -> SkullParts:
    """The skull drawn as bone for a built model (cached per model).

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel

    Returns
    -------
    SkullParts
    """
    key = id(model)
    if key not in _CACHE:
        _CACHE[key] = _build(model)
        weakref.finalize(model, _CACHE.pop, key, None)
    return _CACHE[key]


def _build(model) -> SkullParts:
    sk = model.skull_surface
    shape = (len(sk.gs), len(sk.gu))
    n_grid = shape[0] * shape[1]
    o, d = rays(model.u, model.s)
    stack_pts = model.skull
    r_stack = np.einsum("ij,ij->i", stack_pts - o, d)
    skin_r = model.skin_surface.radius(model.u, model.s)
    painted = np.zeros(len(model.u))
    painted[:n_grid] = _painted(sk.gu.tobytes(), sk.gs.tobytes()).ravel()
    # the drawn bone without the painted forms, never nearer the skin than the stack's bone may come
    r_draw = np.minimum(r_stack - painted, skin_r - skull_module.MIN_SOFT_TISSUE_MM)
    outer = o + d * r_draw[:, None]
    depth = fossa_depth(outer)
    inner = o + d * (r_draw - depth)[:, None]

    bone = skull_module.bone_field(stack_pts, sk.shape)
    mand = mandible_field(stack_pts)
    porion = model.anatomy.point("porion:left")
    ear = eam_field(stack_pts, porion)
    faces = model.faces
    # the cranium: on bone, off the mandible (but behind the ramus where the fossa is deeper than the ramus is
    # thick: the infratemporal fossa's wall seen through the notch), with the ear canals open
    thick = mandible_thickness(outer)
    # a gap of JAW_GAP_MM between the maxilla's alveolar border and the mandible's (the two jaws are two bones)
    f_cranium = np.minimum(np.minimum(bone, np.maximum(-mand - JAW_GAP_MM, depth - thick - 2.0)), ear)
    cv, cf = skull_module.clip_mesh(inner, faces, f_cranium)
    cv, cf = _used(*weld(cv, cf))
    cv, cf = resample(model, cv, cf)
    mv, mf = skull_module.clip_mesh(outer, faces, np.minimum(bone, mand))
    mv, mf = _used(*weld(mv, mf))
    mv, mf = resample(model, mv, mf)
    # inward along each vertex's ray by the mandible's thickness
    mu = _ray_dirs(mv)
    # no wall where the mandible continues in the cranium at the same surface (the occlusal line, the anterior
    # border's foot): there the two are one sheet, welded when drawn (:meth:`SkullParts.mesh`)
    seam = _on(mv, cv[np.isin(np.arange(len(cv)), boundary_edges(cf))])
    mv2, mf2 = solidify(mv, mf, -mu * mandible_thickness(mv)[:, None], seam)

    parts = {"cranium": (cv, cf), "mandible": (mv2, mf2)}
    # shading: the fossae by their depth, the cranium's hollows and pits as before
    c_depth = fossa_depth(_outer_of(cv, r_draw, model)) if len(cv) else np.zeros(0)
    hollow_c = _hollow(model, r_draw - depth, cv)
    cav_c = _cavity(model, cv)
    shade_c = ((1.0 - 0.72 * np.clip(c_depth / TEMPORAL_FOSSA_DEPTH_MM, 0, 1) ** 0.8)
               * (1.0 - 0.7 * np.clip(cav_c / 24.0, 0, 1) ** 1.4)
               * (1.0 - 0.35 * np.clip(hollow_c / 8.0, 0, 1) ** 0.8))
    hollow_m = _hollow(model, r_draw, mv)
    shade_m = np.concatenate([(1.0 - 0.3 * np.clip(hollow_m / 8.0, 0, 1)) * (1.0 - 0.7 * np.clip(
        _cavity(model, mv) / 24.0, 0, 1) ** 1.4), np.full(len(mv2) - len(mv), 0.8)])
    # the mandible's top along the occlusal line is in the shadow of the maxilla: the gap between the jaws reads
    # as a dark line
    top = mv2[len(mv):, 2] > skull_module.OCCLUSAL_Z_MM - 1.0
    shade_m[len(mv):][top] = JAW_GAP_SHADE
    # the shade diffused over the mesh where it was relaxed: no streaks along the cavities' long triangles
    shade_c = relax(shade_c, cf, relax_weight(model, cv), passes=SHADE_PASSES, mu=0.0)
    n_m = len(mv)
    shade_m[:n_m] = relax(shade_m[:n_m], mf, relax_weight(model, mv), passes=SHADE_PASSES, mu=0.0)
    shades = {"cranium": shade_c, "mandible": shade_m}
    for side, sign in (("left", 1.0), ("right", -1.0)):
        av, af = arch_bar(model, sign, r_draw - depth)
        parts[f"arch:{side}"] = (av, af)
        shades[f"arch:{side}"] = np.ones(len(av))
        ev, ef, es = ear_canal(model, sign, r_draw)
        parts[f"eam:{side}"] = (ev, ef)
        shades[f"eam:{side}"] = es
    return SkullParts(parts, shades, read_only(depth))


def relax_weight(model, points: np.ndarray) -> np.ndarray:
    """How much (k,) in [0, 1] :func:`relax` moves the drawn skull's points (k, 3) mm.

    Fully on the cavities' walls (deeper than :data:`RELAX_CAVITY_MM`), :data:`RELAX_BONE_WEIGHT` on the bone and
    the rims.
    """
    lo, hi = RELAX_CAVITY_MM
    ramp = skull_module.smoothstep((_cavity(model, points) - lo) / (hi - lo))
    return RELAX_BONE_WEIGHT + (1.0 - RELAX_BONE_WEIGHT) * ramp


def _on(points: np.ndarray, others: np.ndarray, decimals: int = 4) -> np.ndarray:
    """(k,) bool: which points (k, 3) coincide (to ``decimals``) with one of ``others`` (m, 3)."""
    a = np.round(points, decimals)
    b = np.round(others, decimals)
    both = np.concatenate([b, a])
    _, inv = np.unique(both, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    return np.isin(inv[len(b):], inv[:len(b)])


def _used(vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    used = np.unique(faces)
    remap = np.full(len(vertices), -1)
    remap[used] = np.arange(len(used))
    return vertices[used], remap[faces]


def _ray_dirs(points: np.ndarray) -> np.ndarray:
    from facelayers.model.grid import params_of

    u, s, _ = params_of(points)
    return rays(u, s)[1]


def _outer_of(points: np.ndarray, r_draw: np.ndarray, model) -> np.ndarray:
    """The drawn outer surface's points on the rays through ``points`` (k, 3) mm."""
    from facelayers.model.grid import bilinear, params_of

    sk = model.skull_surface
    n = len(sk.gu) * len(sk.gs)
    u, s, _ = params_of(points)
    o, d = rays(u, s)
    r = bilinear(sk.gu, sk.gs, r_draw[:n].reshape(len(sk.gs), len(sk.gu)), float(r_draw[-1]), u, s)
    return o + d * r[:, None]


def _hollow(model, radius: np.ndarray, points: np.ndarray) -> np.ndarray:
    """How far (k,) mm points lie below ``radius`` (grid's rays) smoothed over 10 mm: the bone's hollows."""
    from facelayers.model.grid import bilinear, params_of

    sk = model.skull_surface
    shape = (len(sk.gs), len(sk.gu))
    n = shape[0] * shape[1]
    o, d = rays(model.u[:n], model.s[:n])
    env = (o + d * sk.envelope.reshape(-1)[:, None]).reshape(*shape, 3)
    grid_r = radius[:n].reshape(shape)
    hollow = smooth_grid(grid_r, env, sigma_mm=10.0, reach=8) - grid_r
    u, s, _ = params_of(points)
    return bilinear(sk.gu, sk.gs, hollow, 0.0, u, s)


def _cavity(model, points: np.ndarray) -> np.ndarray:
    from facelayers.model.grid import bilinear, params_of

    sk = model.skull_surface
    u, s, _ = params_of(points)
    return bilinear(sk.gu, sk.gs, sk.cavity, sk.poles[1], u, s)


#: How far (mm) the arch bar's outer face may step in from the stack's bone at its centre height, toward the bone
#: under it at its lower border (schematic; the bar's face stays within 0.5 mm of the bone the layers stand on).
ARCH_INSET_MAX_MM = 0.45


def arch_line(model, sign: float = 1.0, samples: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """The zygomatic arch bar's centre line and its outward horizontal normal (one side).

    The lower border lies at the ``arch_inferior`` landmark's height (its front), rising :data:`ARCH_RISE_MM`
    to the back; the bar's outer face lies on the stack's bone (the layers over the arch lie on it).

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel
    sign : float — 1 the left side, -1 the right
    samples : int

    Returns
    -------
    centres : (samples, 3) float64, mm; outward : (samples, 3) float64 unit horizontal normals
    """
    from facelayers.model.grid import params_of

    inferior = model.anatomy.point("arch_inferior:left")
    y = np.linspace(ARCH_Y_MM[0], ARCH_Y_MM[1], samples)
    t = (y - ARCH_Y_MM[0]) / (ARCH_Y_MM[1] - ARCH_Y_MM[0])
    z = inferior[2] + 0.5 * ARCH_HEIGHT_MM + ARCH_RISE_MM * (1.0 - t)
    def on_bone(x, height):
        """The stack's bone where the ray through (x, y, height) meets it, x refined three times (n, 3) mm."""
        point = np.c_[x, y, height]
        for _ in range(3):
            u, s, _ = params_of(np.c_[point[:, 0], y, height])
            point = model.skull_at(u, s)
        return point, u, s

    surface, u, s = on_bone(np.full(samples, 60.0 * sign), z)
    _, d = rays(u, s)
    out = d * np.array([1.0, 1.0, 0.0])
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    # The bar's outer face: on the stack's bone at its centre height or, where the bone recedes toward the bar's
    # lower border (the ray surface's arch face leans in below its crest, up to ~1.1 mm), stepped in toward the bone
    # there by at most ARCH_INSET_MAX_MM, so a branch on the arch's periosteum (Trussler 2010) lies outside the bar
    # over its whole height while the face stays on the bone the layers stand on.
    low, _, _ = on_bone(surface[:, 0], z - 0.35 * ARCH_HEIGHT_MM)
    inset = np.clip(np.einsum("ij,ij->i", surface - low, out), 0.0, ARCH_INSET_MAX_MM)
    centres = surface - out * (0.5 * ARCH_THICKNESS_MM + inset[:, None])
    centres[:, 2] = z
    return centres, out


def arch_profile(samples: int) -> tuple[np.ndarray, np.ndarray]:
    """The arch bar's height (samples,) mm and its centre's rise (samples,) mm along :func:`arch_line`.

    :data:`ARCH_HEIGHT_MM` along its middle; in front its upper border sweeps up by :data:`ARCH_FRONT_FLARE_MM`
    into the zygoma's body and frontal process (its lower border runs on into the zygoma's), behind it widens
    by :data:`ARCH_ROOT_FLARE_MM` into its root over the articular tubercle: so the bar flows out of the bone
    at both ends rather than being stuck on it.
    """
    t = np.linspace(0.0, 1.0, samples)  # 0 at the root (back), 1 at the zygoma (front)
    s = skull_module.smoothstep
    front = ARCH_FRONT_FLARE_MM * s((t - 0.7) / 0.3) ** 1.5
    back = ARCH_ROOT_FLARE_MM * s((0.2 - t) / 0.2) ** 1.5
    height = ARCH_HEIGHT_MM + front + back
    rise = 0.5 * front + 0.5 * back * 0.6  # the root widens a little more upward than downward
    return height, rise


def arch_bar(model, sign: float = 1.0, cranium_r: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The zygomatic arch as a closed bar (vertices (v, 3) float64 mm, faces (f, 3) int64), one side.

    A flattened bar (a super-ellipse section, exponent :data:`ARCH_SECTION_EXPONENT`: flat outer and inner
    faces, rounded borders), :data:`ARCH_HEIGHT_MM` tall and :data:`ARCH_THICKNESS_MM` thick along
    :func:`arch_line`, flaring into the bone at both ends (:func:`arch_profile`); its ends sink into the bone
    they join (the zygoma in front, the arch's root behind).

    With ``cranium_r`` (the drawn cranium's radius on the model's rays, (n,) mm), the bar's front end moves
    onto the drawn zygoma (its outer face on the cranium's surface over the last :data:`ARCH_JOIN_FRACTION` of
    its length, blending in over as much again): the bar flows out of the zygoma's body with no step. Its root
    ends on the solid bone over the articular tubercle (the fossa begins in front of it, :func:`fossa_depth`).
    """
    centres, out = arch_line(model, sign)
    k = len(centres)
    height, rise = arch_profile(k)
    sink = np.zeros(k)
    sink[:3] = [3.0, 1.5, 0.5]
    sink[-2:] = [0.5, 1.5]  # the front cap inside the zygoma
    centres[:, 2] += rise
    if cranium_r is not None:
        outer = centres + out * (0.5 * ARCH_THICKNESS_MM)
        on_bone = _outer_of(outer, cranium_r, model)
        step = np.einsum("ij,ij->i", on_bone - outer, _ray_dirs(outer))  # < 0: the cranium lies inside
        t = np.linspace(0.0, 1.0, k)
        join = skull_module.smoothstep((t - (1.0 - 2.0 * ARCH_JOIN_FRACTION)) / ARCH_JOIN_FRACTION)
        centres = centres + out * (join * np.minimum(step, 0.0))[:, None]
    centres = centres - out * sink[:, None]
    up = np.tile([0.0, 0.0, 1.0], (k, 1))
    along = np.gradient(centres, axis=0)
    # a x b along the line: outward faces
    sides = 24
    if np.einsum("ij,ij->i", np.cross(out, up), along).mean() < 0:
        a, b, ra, rb = up, out, 0.5 * height, np.full(k, 0.5 * ARCH_THICKNESS_MM)
    else:
        a, b, ra, rb = out, up, np.full(k, 0.5 * ARCH_THICKNESS_MM), 0.5 * height
    verts, faces = tube(centres, a, b, (1.0, 1.0), sides=sides)
    # the super-ellipse section, ring by ring, with this ring's semi-axes
    th = np.linspace(0.0, 2.0 * np.pi, sides, endpoint=False)
    p = 2.0 / ARCH_SECTION_EXPONENT
    ca = np.sign(np.cos(th)) * np.abs(np.cos(th)) ** p
    cb = np.sign(np.sin(th)) * np.abs(np.sin(th)) ** p
    ring = (ra[:, None, None] * ca[None, :, None] * a[:, None, :]
            + rb[:, None, None] * cb[None, :, None] * b[:, None, :])
    verts[:k * sides] = (centres[:, None, :] + ring).reshape(-1, 3)
    if cranium_r is not None:
        # no vertex of the join stands proud of the zygoma (its borders, the flare's top): each is moved in along
        # the bar's outward normal onto the cranium's surface
        pts = verts[:k * sides]
        step = np.einsum("ij,ij->i", _outer_of(pts, cranium_r, model) - pts, _ray_dirs(pts))
        w = np.repeat(join, sides) * (np.minimum(step, 0.0))
        verts[:k * sides] = pts + np.repeat(out, sides, axis=0) * w[:, None]
    return verts, faces


def ear_canal(model, sign: float, r_draw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The bony ear canal: a tube (:data:`EAM_RADII_MM`, :data:`EAM_DEPTH_MM`) under the porion, one side.

    Its lip stands 0.5 mm out of the drawn bone; closed at the bottom. Returns vertices (v, 3) float64 mm,
    faces (f, 3) int64 (facing into the canal, as seen from outside) and shade (v,) float64 (darker inward).
    """
    from facelayers.model.grid import params_of

    porion = model.anatomy.point("porion:left")
    centre_yz = np.array([porion[1], porion[2] - EAM_RADII_MM[1]])
    rim = np.array([60.0 * sign, centre_yz[0], centre_yz[1]])
    for _ in range(3):  # the drawn bone's point at the canal's centre (y, z)
        rim = _outer_of(np.array([[rim[0], centre_yz[0], centre_yz[1]]]), r_draw, model)[0]
    u, s, _ = params_of(rim[None, :])
    _, d = rays(u, s)
    out = (d * np.array([1.0, 1.0, 0.0]))[0]
    out /= np.linalg.norm(out)
    steps = np.array([0.5, 0.0, -2.0, -EAM_DEPTH_MM * 0.5, -EAM_DEPTH_MM])
    centres = rim[None, :] + out[None, :] * steps[:, None]
    k = len(centres)
    a = np.tile([0.0, 1.0, 0.0], (k, 1))
    b = np.tile([0.0, 0.0, 1.0], (k, 1))
    grow = np.array([1.15, 1.05, 1.0, 0.9, 0.8])
    verts, faces = tube(centres, a, b, EAM_RADII_MM, sides=16)
    # scale each ring (the lip flares a little, the canal narrows inward)
    ring = np.repeat(np.arange(k), 16)
    verts[:k * 16] = centres[ring] + (verts[:k * 16] - centres[ring]) * grow[ring, None]
    # seen from outside we look into the canal: its faces turn inward; the outer cap (the opening) is dropped
    along = out * (-1.0)
    n = np.cross(verts[faces[:, 1]] - verts[faces[:, 0]], verts[faces[:, 2]] - verts[faces[:, 0]])
    mid = verts[faces].mean(axis=1)
    axis_pt = centres[0]
    radial = mid - axis_pt - np.outer((mid - axis_pt) @ along, along)
    outward = np.einsum("ij,ij->i", n, radial) > 0
    faces = np.where(outward[:, None], faces[:, ::-1], faces)
    opening = (faces == k * 16).any(axis=1)
    faces = faces[~opening]
    depth_in = np.concatenate([np.clip(-steps[ring] / EAM_DEPTH_MM, 0, 1), [0.0, 1.0]])
    shade = 0.75 - 0.55 * depth_in
    return verts, faces, shade
