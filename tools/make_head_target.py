"""Make the head's shape table: the MakeHuman hm08 base mesh (CC0 1.0) cast along the model's rays.

Usage: python tools/make_head_target.py [--mirror GIT_DIR] [--out data/shapes/head_makehuman.npz]

Reads, from a git mirror of https://github.com/makehumancommunity/makehuman at commit :data:`COMMIT`, the base mesh
``makehuman/data/3dobjs/base.obj`` (its ``body`` group only: no helper or joint geometry) and the macro target
``makehuman/data/targets/macrodetails/universal-female-young-averagemuscle-averageweight.target`` (a young adult
woman of average muscle and weight: the model's reference patient is a woman). Both were released as CC0 1.0 in
September 2020 (their headers; LICENSE.ASSETS.md).

Then:

1. finds landmarks on the mesh geometrically (:func:`mesh_landmarks`: the midline profile's nasion, pronasale,
   subnasale, stomion, pogonion, menton and glabella; the palpebral fissures' corners around the eye helpers'
   globes; the tragion, zygion and gonion from the head's outline; the cheilion at the mouth opening's end);
2. fits a similarity (one scale, a pitch, a translation: both heads are symmetric) that carries the weighted
   landmarks of :data:`FIT` onto the cited landmarks of ``data/landmarks.csv`` (:func:`similarity`), then bends
   the mesh with a thin-plate spline that carries every one of them (the gonion and cheilion too) exactly onto the
   cited positions while holding the cranium behind the ears and above the brows still (:func:`tps_warp`), and
   widens each ala by a local push toward the cited alare that moves nothing on the midline, the philtrum or the
   lips (:func:`widen_alae`; the mesh's nose is narrower than the cited al-al);
3. casts the model's rays (:func:`facelayers.model.grid.rays`) on a fine regular (u, s) table, independent of the
   model's resolution, against the head's triangles (Moeller-Trumbore, numpy only), keeping the outermost hit;
4. fills what is not the head's outer surface as one radius per ray: the palpebral fissures and the mouth's slit
   (closed across: the model draws its own globes, lids, fissure and vermilion), the ears (masked and filled under
   them: the model has its own ear meshes), and rays that meet nothing (the neck's cut end) (:func:`fill`);
5. writes the table as uint16 hundredths of a mm in a compressed ``.npz`` with its provenance.

The result is deterministic: running it again on the same mirror gives the same bytes of the radius table
(``tests/test_head_shape.py`` checks it when the mirror is present).
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from facelayers.model import head  # noqa: E402
from facelayers.model.grid import S_BOTTOM_MM, S_TOP_MM, params_of, rays  # noqa: E402
from facelayers.model.meshops import ray_hits  # noqa: E402

MIRROR = Path("/work/.mirror/makehumancommunity+makehuman/repo")
COMMIT = "a8bc2d54"
OBJ_PATH = "makehuman/data/3dobjs/base.obj"
TARGET = "universal-female-young-averagemuscle-averageweight"
TARGET_PATH = f"makehuman/data/targets/macrodetails/{TARGET}.target"
OUT = REPO / "data" / "shapes" / "head_makehuman.npz"

#: The table: azimuths every 0.5 degree around the head, ray parameters every 1 mm from the neck to the crown.
NU = 720
S0_MM = float(np.floor(S_BOTTOM_MM))
DS_MM = 1.0
NS = int(np.ceil((S_TOP_MM - S0_MM) / DS_MM)) + 1
#: Below this height (mm, head frame) the mesh's neck gives way to the model's schematic neck (the shoulders).
NECK_Z_MM = -95.0
#: Below this ray parameter (mm) the neck is the union of the mesh's and the model's schematic neck.
NECK_UNION_S_MM = -90.0
#: Below this ray parameter (mm; the menton's row is about -95) the neck's rows are smoothed into an even ring.
NECK_SMOOTH_S_MM = -108.0
#: Resolution of the stored radius (mm per unit of the uint16).
QUANTUM_MM = 0.01

#: Landmarks fitted by the similarity, with weights (the midline and the eyes carry the face; the ear and jaw
#: points, whose detection on the mesh is coarser, pull less).
#: The rule for the mesh's gonion: its jaw outline this far below the stomion (mm, mesh units before scaling; the
#: cited gonion lies 17 mm below the cited stomion, the mesh's face is 0.88 times as large).
GONION_BELOW_STOMION_MM = 17.0 / 0.88
#: Weight 0: not fitted, only bent onto (the mesh's mouth and nose are narrower than the cited widths, and its jaw's
#: corner is a rule rather than a detection).
FIT = {"glabella": 1.0, "nasion": 2.0, "pronasale": 1.0, "subnasale": 1.0, "stomion": 1.0, "pogonion": 1.0,
       "menton": 1.0, "endocanthion": 2.0, "exocanthion": 2.0, "tragion": 1.5, "zygion": 0.5, "gonion": 0.0,
       "cheilion": 0.0}
#: The alae widened after the bend (:func:`widen_alae`). The mesh's nose is narrower than the cited al-al
#: (40.7-43.2 mm; its ala's edge lies ~5 mm inside the cited alare along the alare's ray), and bending the alare
#: into the thin-plate spline reshaped the upper lip; instead each ala is pushed by a local bump of this size (mm),
#: this many degrees from lateral toward anterior, whose peak carries the point ``ALA_PUSH_MM`` short of the cited
#: alare (on this mesh a point of the ala's lateral wall, 0.6 mm from its surface) onto it. Schematic: chosen so
#: the built nose measures inside the cited al-al range (43.1 mm on the lecture grid) and the base surface comes
#: within 1.2 mm of the cited alare (2.4-2.6 mm after the model's 2.2 mm smoothing on the lecture and fine grids).
ALA_PUSH_MM = 4.5
ALA_PUSH_DEG = 60.0
#: The bump's support: an ellipsoid of these half-axes (x, y, z; mm) about its centre, outside which nothing moves.
#: About the cited alare (21, 88, -22) it spans x 6.8-30.8 and z -31 to -13: clear of the midline (columella,
#: subnasale, pronasale), the philtrum and the lips (the Rhine sites mid-philtrum and upper lip margin, z -37, -39).
ALA_SUPPORT_MM = (12.0, 12.0, 9.0)


def git_show(mirror: Path, path: str) -> str:
    """The text of ``path`` at :data:`COMMIT` in the mirror (a clear error if the mirror or the file is missing)."""
    proc = subprocess.run(["git", f"--git-dir={mirror}", "show", f"{COMMIT}:{path}"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"make_head_target: cannot read {path} at {COMMIT} from the mirror {mirror}: "
                         f"{proc.stderr.strip()}")
    return proc.stdout


def load_mesh(mirror: Path) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """The hm08 body with the macro target, in mm, axes turned to the model's (x left, y anterior, z up).

    Returns
    -------
    vertices : (n, 3) float64, mm
    triangles : (m, 3) int64, the body group's quads split in two
    helpers : dict of name -> (k, 3) float64 vertices (mm) of the eye helpers
    """
    v, quads, groups, grp = [], [], {}, None
    for line in git_show(mirror, OBJ_PATH).splitlines():
        if line.startswith("v "):
            v.append([float(t) for t in line.split()[1:4]])
        elif line.startswith("g "):
            grp = line.split()[1]
        elif line.startswith("f "):
            idx = [int(t.split("/")[0]) - 1 for t in line.split()[1:]]
            if grp == "body":
                quads.append(idx)
            elif grp in ("helper-l-eye", "helper-r-eye"):
                groups.setdefault(grp, set()).update(idx)
    verts = np.array(v)
    for line in git_show(mirror, TARGET_PATH).splitlines():
        if line.strip() and not line.startswith("#"):
            p = line.split()
            verts[int(p[0])] += [float(t) for t in p[1:4]]
    verts = verts[:, [0, 2, 1]] * 100.0          # MakeHuman: decimetres, y up, z forward, x the subject's left
    q = np.array(quads)
    tris = np.concatenate([q[:, [0, 1, 2]], q[:, [0, 2, 3]]])
    helpers = {k: verts[sorted(s)] for k, s in groups.items()}
    return verts, tris, helpers


def _hits(verts: np.ndarray, tris: np.ndarray, origins: np.ndarray, dirs: np.ndarray, nearest: bool = False):
    """Farthest (or nearest) hit, distance along each ray (NaN for none), of rays (k, 3) against all triangles."""
    near, far = ray_hits(origins, dirs, verts, tris)
    return near if nearest else far


def _outline(verts, tris, centre, plane_axes, angles):
    """Outline of the mesh in a plane through ``centre``: (k, 3) outermost points along rays at ``angles``."""
    e0, e1 = plane_axes
    d = np.cos(angles)[:, None] * e0 + np.sin(angles)[:, None] * e1
    o = np.repeat(centre[None], len(angles), 0)
    t = _hits(verts, tris, o, d)
    return o + d * t[:, None]


def _extreme(points: np.ndarray, direction, lo: float, hi: float, angles: np.ndarray, sign: float = 1.0):
    """The point of ``points`` whose angle lies in [lo, hi] that goes farthest along (sign > 0) or least along
    ``direction``."""
    sel = np.flatnonzero((angles >= lo) & (angles <= hi) & np.isfinite(points[:, 0]))
    return points[sel[np.argmax(sign * (points[sel] @ np.asarray(direction, float)))]]


def mesh_landmarks(verts: np.ndarray, tris: np.ndarray, helpers: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Landmarks found on the mesh by geometric rules (left side for bilateral ones), mm, mesh frame.

    The midline's outline is cast in the midsagittal plane from a centre 40 mm behind and 35 mm below the eyes'
    centres, every 0.1 degree. On it: the pronasale is the most anterior point; the nasion the most posterior
    point between it and the brow, the glabella the most anterior above the nasion; the subnasale the most
    posterior point between the pronasale and the upper lip (labrale superius, the most anterior point below the
    nose), the stomion the most posterior point between the lips; the pogonion the most anterior point of the
    chin; the menton the chin's lowest point (farthest along (0, 0.3, -1)). The canthi are the medial and
    lateral ends of the lid margins: skin vertices within 1.5 mm of the eye helper's globe, in front of its
    centre. In the horizontal section 13 mm below the eye's centre, the tragion is where the ear's front rises
    out of the cheek's outline (the outline's first jump of more than 4 mm within 2 degrees going back), the zygion is the widest
    point of the face 20 mm or more in front of it (10-30 mm below the eye), and the gonion the jaw's corner:
    in the coronal section 10 mm in front of the tragion, the jaw's lateral outline
    ``GONION_BELOW_STOMION_MM`` below the stomion's height (the mesh's jaw is rounded: a rule, not a detection).
    """
    eye = helpers["helper-l-eye"]
    eye_c = 0.5 * (eye.max(0) + eye.min(0))
    eye_r = 0.5 * float(np.mean(eye.max(0) - eye.min(0)))
    zc = verts[tris].mean(1)[:, 2]
    htris = tris[zc > eye_c[2] - 200]
    centre = np.array([0.25, eye_c[1] - 40.0, eye_c[2] - 35.0])   # off the midline's edges by 0.25 mm
    ang = np.radians(np.arange(-80.0, 110.0, 0.1))      # 0: anterior, 90: up
    out = _outline(verts, htris, centre, (np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0])), ang)
    fwd = (0, 1, 0)
    lm = {}

    oz = out[:, 2]

    def most(direction, z_lo, z_hi, sign=1.0):
        sel = np.flatnonzero((oz >= z_lo) & (oz <= z_hi) & np.isfinite(oz))
        return out[sel[np.argmax(sign * (out[sel] @ np.asarray(direction, float)))]]

    prn = most(fwd, eye_c[2] - 60, eye_c[2] - 15)
    n = most(fwd, prn[2] + 15, eye_c[2] + 20, -1.0)
    g = most(fwd, n[2], n[2] + 30)
    ls = most(fwd, prn[2] - 35, prn[2] - 12)
    sn = most(fwd, ls[2], prn[2] - 5, -1.0)
    sto = most(fwd, ls[2] - 15, ls[2] - 3, -1.0)
    li = most(fwd, sto[2] - 15, sto[2] - 2)
    pog = most(fwd, li[2] - 35, li[2] - 12)
    me = most((0, 0.3, -1.0), pog[2] - 40, pog[2])
    lm.update(pronasale=prn, nasion=n, glabella=g, subnasale=sn, stomion=sto, pogonion=pog, menton=me,
              labrale_superius=ls, labrale_inferius=li)
    for name in ("pronasale", "nasion", "glabella", "subnasale", "stomion", "pogonion", "menton"):
        lm[name] = lm[name] * [0.0, 1.0, 1.0]          # on the midline
    # The cheilion: the lateral end of the mouth's opening. Rays from the front, 1 mm apart in height around the
    # stomion and 0.25 mm apart across, meet the lips' front or, through the opening, the mouth's inside 5 mm or
    # more behind the lips: the opening's last column is the commissure.
    xs = np.arange(0.25, 40.0, 0.25)
    zs = sto[2] + np.arange(-3.0, 3.01, 1.0)
    xx, zz = np.meshgrid(xs, zs)
    fo = np.stack([xx.ravel(), np.full(xx.size, sto[1] + 60.0), zz.ravel()], axis=1)
    front_tris = htris[np.abs(verts[htris].mean(1)[:, 2] - sto[2]) < 15.0]
    depth = _hits(verts, front_tris, fo, np.tile([0.0, -1.0, 0.0], (len(fo), 1)), nearest=True).reshape(xx.shape)
    lip_front = np.nanmin(depth, axis=0)                    # the lips' surface in each column
    opening = (np.nanmax(depth, axis=0) - lip_front > 5.0)
    k = int(np.flatnonzero(opening).max())
    lm["cheilion"] = np.array([xs[k], sto[1] + 60.0 - lip_front[k], sto[2]])
    # The alare: in the horizontal section 40% of the way up from the subnasale to the pronasale, the ala's edge as
    # seen from the front: the outline's inflection (from the ala's convexity into the alar-facial groove's
    # concavity) before the groove (the outline's nearest point to a centre 30 mm behind the subnasale, 10-55
    # degrees from the midline).
    za = sn[2] + 0.4 * (prn[2] - sn[2])
    ac = np.array([0.0, sn[1] - 30.0, za])
    aang = np.radians(np.arange(10.0, 55.0, 0.25))
    nose_tris = htris[np.abs(verts[htris].mean(1)[:, 2] - za) < 15.0]
    ao = _outline(verts, nose_tris, ac, (np.array([0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0])), aang)
    groove = int(np.nanargmin(np.hypot(ao[:, 0], ao[:, 1] - ac[1])))
    seg = np.diff(ao[:, :2], axis=0)
    turn = seg[:-1, 0] * seg[1:, 1] - seg[:-1, 1] * seg[1:, 0]        # > 0 convex seen from outside (turning left)
    turn = np.convolve(np.nan_to_num(turn), np.ones(9) / 9.0, mode="same")
    sign_change = np.flatnonzero((np.sign(turn[:-1]) != np.sign(turn[1:])) & (np.arange(len(turn) - 1) < groove))
    lm["alare"] = ao[int(sign_change[-1]) + 1] if len(sign_change) else ao[groove]
    used = np.unique(tris)
    pu = verts[used]
    d = np.linalg.norm(pu - eye_c, axis=1)
    rim = pu[(d < eye_r + 1.5) & (pu[:, 1] > eye_c[1]) & (pu[:, 0] > 0)]
    lm["endocanthion"] = rim[np.argmin(rim[:, 0])]
    lm["exocanthion"] = rim[np.argmax(rim[:, 0])]
    # The horizontal section at the ear canal, cast from a centre 80 mm behind the eyes: going back from the
    # face, the outline's first jump outward of more than 4 mm within 2 degrees is the ear's front (the tragus).
    z_t = eye_c[2] - 13.0
    hc = np.array([0.0, eye_c[1] - 80.0, z_t])
    hang = np.radians(np.arange(0.0, 150.0, 0.25))
    ho = _outline(verts, htris, hc, (np.array([0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0])), hang)
    hr = np.hypot(ho[:, 0], ho[:, 1] - hc[1])
    jump = np.flatnonzero((hr[8:] - hr[:-8] > 4.0) & (np.degrees(hang[:-8]) > 30.0))
    lm["tragion"] = ho[int(jump[0]) + 2]
    cheek = pu[(pu[:, 0] > 0) & (pu[:, 2] < eye_c[2] - 10) & (pu[:, 2] > eye_c[2] - 30)
               & (pu[:, 1] > lm["tragion"][1] + 20)]
    lm["zygion"] = cheek[np.argmax(cheek[:, 0])]
    # The gonion: in the coronal section 10 mm in front of the tragion, the jaw's lateral outline below the
    # stomion's height by GONION_BELOW_STOMION_MM (the mesh's jaw is rounded, without a corner to find: a rule, not a detection).
    jc = np.array([0.0, lm["tragion"][1] + 10.0, z_t])
    jang = np.radians(np.arange(-90.0, 0.0, 0.25))
    above_shoulders = htris[verts[htris].mean(1)[:, 2] > me[2] - 15.0]
    jo = _outline(verts, above_shoulders, jc, (np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0])), jang)
    jo = jo[np.isfinite(jo[:, 0]) & (jo[:, 0] > 0.5 * lm["zygion"][0])]
    lm["gonion"] = jo[np.argmin(np.abs(jo[:, 2] - (lm["stomion"][2] - GONION_BELOW_STOMION_MM)))]
    return lm


def cited_landmarks() -> dict[str, np.ndarray]:
    """The left-side positions (mm) of data/landmarks.csv."""
    with open(REPO / "data" / "landmarks.csv", newline="") as fh:
        return {r["landmark_id"]: np.array([float(r["x_mm"]), float(r["y_mm"]), float(r["z_mm"])])
                for r in csv.DictReader(fh)}


def similarity(src: np.ndarray, dst: np.ndarray, w: np.ndarray, isotropic: bool = True):
    """Weighted least-squares fit dst ~ S @ R(pitch) @ src + t: a pitch (rotation about x), scales and a translation.

    The mesh and the model are both symmetric about x = 0, so the only rotation is a pitch (searched every
    0.05 degree within +-20); for each pitch the scales and the translation are linear least squares. With
    ``isotropic`` one scale for the three axes (a similarity); else one per axis (x: breadth, y: depth, z:
    height), so the head keeps the mesh's shape and takes the cited landmarks' proportions.

    Returns
    -------
    scale : (3,) float64
    rot : (3, 3) float64
    t : (3,) float64
    """
    w = w / w.sum()
    best = None
    for deg in np.arange(-20.0, 20.0001, 0.05):
        a = np.radians(deg)
        rot = np.array([[1.0, 0.0, 0.0], [0.0, np.cos(a), -np.sin(a)], [0.0, np.sin(a), np.cos(a)]])
        p = src @ rot.T
        pm, qm = w @ p, w @ dst
        pc, qc = p - pm, dst - qm
        num, den = (w[:, None] * pc * qc).sum(0), (w[:, None] * pc * pc).sum(0)
        scale = np.full(3, num.sum() / den.sum()) if isotropic else num / np.where(den > 1e-9, den, 1.0)
        if not isotropic and den[0] <= 1e-9:
            scale[0] = scale[1:].mean()
        t = qm - scale * pm
        err = float((w * ((scale * p + t - dst) ** 2).sum(1)).sum())
        if best is None or err < best[0]:
            best = (err, scale, rot, t)
    return best[1], best[2], best[3]


def _bilateral_pairs(lm: dict[str, np.ndarray], cited: dict[str, np.ndarray]):
    src, dst, w, names = [], [], [], []
    for name, weight in FIT.items():
        p, q = lm[name], cited[name]
        weight = max(weight, 1e-6)            # weight 0: bent onto its landmark, not fitted
        sides = ((1.0, ""), (-1.0, ":right")) if q[0] != 0.0 else ((1.0, ""),)
        for sign, tag in sides:
            src.append(p * [sign, 1, 1])
            dst.append(q * [sign, 1, 1])
            w.append(weight)
            names.append(name + tag)
    return np.array(src), np.array(dst), np.array(w), names


def tps_warp(points: np.ndarray, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Thin-plate-spline (3D biharmonic, kernel r) warp that carries ``src`` (k, 3) exactly onto ``dst``, applied to
    ``points`` (n, 3) mm: the smoothest bending that makes the landmarks meet."""
    k = len(src)
    kern = np.linalg.norm(src[:, None] - src[None], axis=-1)
    poly = np.concatenate([np.ones((k, 1)), src], axis=1)
    a = np.zeros((k + 4, k + 4))
    a[:k, :k], a[:k, k:], a[k:, :k] = kern, poly, poly.T
    rhs = np.zeros((k + 4, 3))
    rhs[:k] = dst
    coef = np.linalg.solve(a, rhs)
    out = np.empty_like(points)
    for i in range(0, len(points), 4096):
        p = points[i:i + 4096]
        ker = np.linalg.norm(p[:, None] - src[None], axis=-1)
        out[i:i + 4096] = ker @ coef[:k] + np.concatenate([np.ones((len(p), 1)), p], axis=1) @ coef[k:]
    return out


def widen_alae(points: np.ndarray, alare: np.ndarray, push_mm: float = ALA_PUSH_MM, push_deg: float = ALA_PUSH_DEG,
               support_mm: tuple[float, float, float] = ALA_SUPPORT_MM) -> np.ndarray:
    """Points with each ala pushed out by a local, compactly supported bump (mirror-symmetric).

    Parameters
    ----------
    points : (n, 3) float64 ndarray, mm, head frame (x left, y anterior, z up)
        The placed, bent mesh's vertices.
    alare : (3,) float64 ndarray, mm
        The cited left alare: the bump's peak carries the point ``alare - push`` onto it (the right side mirrored).
    push_mm : float, mm
        The push at the bump's centre.
    push_deg : float, degrees
        The push's direction in the horizontal plane, from lateral (0) toward anterior (90).
    support_mm : (3,) floats, mm
        Half-axes (x, y, z) of the ellipsoid about each centre outside which nothing moves.

    Returns
    -------
    (n, 3) float64 ndarray, mm
        Each point moved by ``push * (1 - q)**3`` (q < 1: its squared ellipsoidal distance from its side's centre;
        the bump and its first two derivatives fall to zero on the ellipsoid), unmoved elsewhere.

    Raises
    ------
    ValueError
        If the support reaches the midline (its x half-axis not below the centre's distance from it), or if the
        bump is steep enough to fold the surface (its gradient, at most 1.72 push / smallest half-axis, reaching 1).
    """
    a = np.radians(push_deg)
    push = push_mm * np.array([np.cos(a), np.sin(a), 0.0])
    c = np.asarray(alare, float) - push
    radii = np.asarray(support_mm, float)
    if not 0.0 < radii[0] < abs(c[0]):
        raise ValueError(f"widen_alae: support_mm's x half-axis is {radii[0]} mm; allowed: between 0 and the bump "
                         f"centre's distance from the midline, {abs(c[0]):.1f} mm (the midline must not move)")
    if 6.0 / np.sqrt(5.0) * 0.64 * abs(push_mm) / radii.min() >= 1.0:
        raise ValueError(f"widen_alae: push_mm {push_mm} over the support's smallest half-axis {radii.min()} mm "
                         "would fold the surface; allowed: push_mm < 0.58 x the smallest half-axis")
    side = np.where(points[:, 0] >= 0.0, 1.0, -1.0)
    mirror = np.stack([side, np.ones_like(side), np.ones_like(side)], axis=1)
    q = (((points - c * mirror) / radii) ** 2).sum(1)
    bump = np.where(q < 1.0, (1.0 - np.minimum(q, 1.0)) ** 3, 0.0)
    return points + bump[:, None] * push * mirror


def cast(verts: np.ndarray, tris: np.ndarray, uu: np.ndarray, ss: np.ndarray) -> np.ndarray:
    """Outermost hit along each ray of the (NS, NU) table (mm; NaN where a ray meets nothing).

    Each triangle is tested only against the table's rays inside its (u, s) bounding box (the rays never
    cross, so a ray can only meet a triangle whose vertices' parameters surround its own).
    """
    u_ax, s_ax = uu[0], ss[:, 0]
    du = u_ax[1] - u_ax[0]
    tu, ts, _ = params_of(verts[tris].reshape(-1, 3))
    tu, ts = tu.reshape(-1, 3), ts.reshape(-1, 3)
    span = tu.max(1) - tu.min(1)
    wrap = span > np.pi                       # straddles the back (u = +-pi): shift negatives by 2 pi
    tu = np.where(wrap[:, None] & (tu < 0), tu + 2 * np.pi, tu)
    # the box, one cell wider on every side (rays through a shared edge or vertex must meet one of its triangles)
    i0 = np.floor((tu.min(1) - u_ax[0]) / du).astype(int) - 1
    i1 = np.ceil((tu.max(1) - u_ax[0]) / du).astype(int) + 1
    j0 = np.floor((ts.min(1) - s_ax[0]) / DS_MM).astype(int) - 1
    j1 = np.ceil((ts.max(1) - s_ax[0]) / DS_MM).astype(int) + 1
    j0, j1 = np.maximum(j0, 0), np.minimum(j1, len(s_ax) - 1)
    # near the crown's pole a small triangle spans many azimuths: test it against the whole rows
    whole = (i1 - i0 >= len(u_ax) // 4) | (np.max(ts, 1) > S_TOP_MM - 12.0)
    i0, i1 = np.where(whole, 0, i0), np.where(whole, len(u_ax) - 1, i1)
    ok = (j1 >= j0) & (j1 - j0 < 80)
    tri_id, ray_id = [], []
    for t in np.flatnonzero(ok):
        ii = np.arange(i0[t], i1[t] + 1) % len(u_ax)
        jj = np.arange(j0[t], j1[t] + 1)
        ray_id.append((jj[:, None] * len(u_ax) + ii[None, :]).ravel())
        tri_id.append(np.full(ray_id[-1].shape, t))
    tri_id, ray_id = np.concatenate(tri_id), np.concatenate(ray_id)
    o, d = rays(uu.ravel(), ss.ravel())
    best = np.full(uu.size, -np.inf)
    for k in range(0, len(tri_id), 400_000):
        t_i, r_i = tri_id[k:k + 400_000], ray_id[k:k + 400_000]
        p0, p1, p2 = (verts[tris[t_i, c]] for c in range(3))
        e1, e2 = p1 - p0, p2 - p0
        dd = d[r_i]
        pv = np.cross(dd, e2)
        det = np.einsum("ij,ij->i", e1, pv)
        good = np.abs(det) > 1e-12
        inv = np.where(good, 1.0 / np.where(good, det, 1.0), 0.0)
        tv = o[r_i] - p0
        a = np.einsum("ij,ij->i", tv, pv) * inv
        qv = np.cross(tv, e1)
        b = np.einsum("ij,ij->i", dd, qv) * inv
        t = np.einsum("ij,ij->i", e2, qv) * inv
        hit = good & (a >= 0) & (b >= 0) & (a + b <= 1) & (t > 0)
        np.maximum.at(best, r_i[hit], t[hit])
    best[~np.isfinite(best)] = np.nan
    return best.reshape(uu.shape)


def _harmonic_fill(r: np.ndarray, mask: np.ndarray, iterations: int = 3000, bottom: float | None = None) -> np.ndarray:
    """Fill the masked cells of a (NS, NU) table by the discrete Laplace equation (periodic in u).

    ``bottom``: the value held below the first row (None: no condition there, the fill goes on level).
    """
    out = r.copy()
    known = ~mask
    # start from a row-wise interpolation so the iterations converge quickly
    for j in range(out.shape[0]):
        if mask[j].any() and known[j].any():
            x = np.arange(out.shape[1])
            k = np.flatnonzero(known[j])
            out[j, mask[j]] = np.interp(x[mask[j]], k, out[j, k], period=out.shape[1])
    out[np.isnan(out)] = np.nanmean(out)
    for _ in range(iterations):
        up = np.concatenate([out[1:], out[-1:]])
        dn = np.concatenate([out[:1] if bottom is None else np.full_like(out[:1], bottom), out[:-1]])
        avg = 0.25 * (up + dn + np.roll(out, 1, 1) + np.roll(out, -1, 1))
        out = np.where(mask, avg, out)
    return out


def _closing(r: np.ndarray, half_u: int, half_s: int) -> np.ndarray:
    """Morphological closing (max filter, then min filter) of a table over a (2 half_s + 1, 2 half_u + 1) box."""
    def filt(a, fn):
        out = a.copy()
        for k in range(1, half_u + 1):
            out = fn(out, fn(np.roll(a, k, 1), np.roll(a, -k, 1)))
        b = out.copy()
        for k in range(1, half_s + 1):
            up = np.concatenate([b[k:], np.repeat(b[-1:], k, 0)])
            dn = np.concatenate([np.repeat(b[:1], k, 0), b[:-k]])
            out = fn(out, fn(up, dn))
        return out
    return filt(filt(r, np.maximum), np.minimum)


def fill(r: np.ndarray, uu: np.ndarray, ss: np.ndarray, cited: dict[str, np.ndarray]) -> tuple[np.ndarray, dict]:
    """The table made one smooth outer surface: slits closed, ears masked and filled, missing rays filled.

    Returns the filled (NS, NU) table and the masks (booleans, same shape) by name.
    """
    o, d = rays(uu.ravel(), ss.ravel())
    missing = np.isnan(r)
    base = np.where(missing, np.nanmean(r), r)
    # Slits (the palpebral fissures, the mouth, the nostrils' rims): where the outermost hit lies well inside the
    # closed surface over a box about 12 mm wide and 9 mm tall, on the face.
    face = (np.abs(uu) < 1.0) & (ss > -70) & (ss < 30)
    closed = _closing(base, 12, 5)
    slit = face & (closed - base > 2.5)
    # The ears: an ellipse in (u, s) around the ear (behind and above the tragion): masked, filled under.
    tr = cited["tragion"]
    ut, st, _ = params_of(tr + np.array([0.0, -12.0, 2.0]))
    ear = (((np.abs(uu) - ut[0]) / 0.40) ** 2 + ((ss - st[0] + 3.0) / 42.0) ** 2) < 1.0
    # The neck's cut end: rays that meet nothing, or meet the mesh below NECK_Z_MM (where the shoulders begin),
    # take the model's schematic neck (the ellipsoid "neck" of facelayers.model.head) moved in or out by the
    # harmonic continuation of the mesh's own offset from it, so the neck goes on from the scan without a seam; the
    # offset fades to nothing at the table's last row (the mesh's neck is slender: the neck widens to its base).
    z_hit = o[:, 2] + d[:, 2] * base.ravel()
    low = missing | (z_hit.reshape(r.shape) < NECK_Z_MM)
    neck = head.cast(o, d, tuple(p for p in head.HEAD if p.name == "neck")).reshape(r.shape)
    offset = _harmonic_fill(base - neck, low, bottom=0.0)
    base = np.where(low, neck + offset, base)
    mask = slit | ear
    out = _harmonic_fill(base, mask)
    # Below the chin the mesh's neck is slender and set back (its front 26 mm ahead of the rays' axis where the
    # model's schematic neck has 36): the neck is the smooth union of the two there, so the sheet's front reaches
    # down to the neck's base as the model's neck did, and the chin (rows above NECK_UNION_S_MM) is the mesh's.
    union = -head.smooth_min(-out, -neck, 8.0)
    w = np.clip((NECK_UNION_S_MM - ss) / 15.0, 0.0, 1.0)
    out = (1 - w) * out + w * union
    # The neck's last rows (below the chin: s < NECK_SMOOTH_S_MM) smoothed, so the sheet's open end is an even ring.
    soft = out.copy()
    for _ in range(40):
        up = np.concatenate([soft[1:], soft[-1:]])
        dn = np.concatenate([soft[:1], soft[:-1]])
        soft = (2 * soft + np.roll(soft, 1, 1) + np.roll(soft, -1, 1) + up + dn) / 6.0
    w = np.clip((NECK_SMOOTH_S_MM - ss) / 12.0, 0.0, 1.0)
    out = (1 - w) * out + w * soft
    return out, {"missing": low, "slit": slit, "ear": ear}


def _cranium_anchors(placed: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Points on the placed mesh that the bend holds still: the cranium above z = 70 mm (above the brows) and the
    head behind y = -30 mm (behind the ears) down to the neck, one vertex in 40 (about 7-15 mm apart)."""
    used = np.unique(tris)
    p = placed[used]
    sel = ((p[:, 2] > 70.0) | ((p[:, 1] < -30.0) & (p[:, 2] > -110.0))) & (p[:, 2] < 200.0)
    return p[sel][::40]


def build(mirror: Path = MIRROR) -> dict[str, np.ndarray]:
    """Everything the table file holds (arrays by name), computed from the mirror."""
    verts, tris, helpers = load_mesh(mirror)
    lm = mesh_landmarks(verts, tris, helpers)
    cited = cited_landmarks()
    src, dst, w, names = _bilateral_pairs(lm, cited)
    scale, rot, t = similarity(src, dst, w, isotropic=True)
    placed = scale * (verts @ rot.T) + t
    fitted = scale * (src @ rot.T) + t
    resid = fitted - dst
    # Then a thin-plate-spline bend carries the fitted landmarks onto the cited ones (the mesh's face is shorter and
    # its jaw narrower than the cited proportions), holding the cranium behind the ears and above the brows where the
    # similarity put it (anchors that do not move), so the cranium keeps the mesh's shape.
    ring = _cranium_anchors(placed, tris)
    placed = tps_warp(placed, np.concatenate([fitted, ring]), np.concatenate([dst, ring]))
    # The alae widened by a local push (zero on the midline, at the subnasale, the pronasale, the philtrum and the
    # lips): the bend leaves the mesh's narrow nose, and bending the alare into it reshaped the upper lip.
    placed = widen_alae(placed, cited["alare"])
    # keep the head and neck: triangles above the shoulders (the lower fan's rays end the neck)
    zc = placed[tris][:, :, 2].mean(1)
    yc = placed[tris][:, :, 1].mean(1)
    keep = (zc > NECK_Z_MM - 40.0) & (yc > -160.0)
    head_tris = tris[keep]
    u_ax = -np.pi + np.arange(NU) * (2 * np.pi / NU)
    s_ax = S0_MM + np.arange(NS) * DS_MM
    uu, ss = np.meshgrid(u_ax, s_ax)
    raw = cast(placed, head_tris, uu, ss)
    filled, masks = fill(raw, uu, ss, cited)
    # symmetric: the mean of the table and its mirror image (u -> -u); the mesh is symmetric to ~0.1 mm
    mirror_idx = (-np.arange(NU)) % NU
    filled = 0.5 * (filled + filled[:, mirror_idx])
    q = np.round(filled / QUANTUM_MM)
    if q.min() < 0 or q.max() > 65535:
        raise SystemExit(f"make_head_target: radius out of the uint16 range: {filled.min()} .. {filled.max()} mm")
    return {
        "radius_cmm": q.astype(np.uint16),
        "u0_rad": np.float64(u_ax[0]), "du_rad": np.float64(2 * np.pi / NU),
        "s0_mm": np.float64(S0_MM), "ds_mm": np.float64(DS_MM), "quantum_mm": np.float64(QUANTUM_MM),
        "masked": (masks["slit"] | masks["ear"] | masks["missing"]).astype(np.uint8),
        "fit_names": np.array(names), "fit_residual_mm": resid.round(3),
        "scale": np.round(scale, 6), "pitch_deg": np.float64(round(float(np.degrees(np.arctan2(rot[2, 1], rot[1, 1]))), 3)),
        "source": np.array(f"MakeHuman hm08 base mesh (body group) + macro target {TARGET}; "
                           f"github.com/makehumancommunity/makehuman commit {COMMIT}, {OBJ_PATH}, "
                           f"{TARGET_PATH}; CC0 1.0 (Data Collection AB, Joel Palmius, Jonas Hauquier; "
                           "target originally Manuel Bastioni); made by tools/make_head_target.py"),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror", type=Path, default=MIRROR, help="git dir of the makehuman mirror")
    ap.add_argument("--out", type=Path, default=OUT, help="the .npz to write")
    args = ap.parse_args(argv)
    table = build(args.mirror)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **table)
    tmp.replace(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB); scales {table['scale']}, pitch {float(table['pitch_deg'])}")
    for n, r in zip(table["fit_names"], table["fit_residual_mm"]):
        print(f"  {n:22s} {np.linalg.norm(r):5.1f} mm  {r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
