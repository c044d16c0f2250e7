"""The eyes: the exposed globe, the eyelids over it, and how the lids close.

The skin of :mod:`facelayers.model.head` is one sheet cast along the model's rays. Around each eye this module reshapes
that sheet into two lids lying on the globe (:func:`sculpt_lids`, applied to the sculpted skin on the grid before
the landmark pins): the lids follow an ellipsoid concentric with the eye, ``LID_MM`` proud of the globe's exposed
surface; between their margins (the palpebral fissure, an almond whose upper margin peaks medial of the centre
and whose lower margin is lowest lateral of it, the lateral canthus ``CANTHAL_RISE_MM`` higher than the medial)
the sheet turns in behind the globe, so the globe, drawn as its own surface (:func:`eye_meshes`: sclera, iris,
pupil), shows through. The grid's rows are too far apart to draw the fissure's corners, so the grid opens a little
wider (:func:`opening`) and the margins, the corners and the lashes are drawn by the lids' own fine band over it
(:mod:`facelayers.model.lids`). The upper lid carries its crease. The eye is not one of the five layers: the layers are
offset from the skin along the rays as everywhere, and the globe is drawn with the skin (as the ears are).

Closing the eye (:func:`closure`) moves each lid vertex along the lid surface: the upper lid margin comes down to
meet the lower one at the meeting line (about a fifth of the fissure's height above the lower margin; squeezed
shut, the margins pass each other by ``OVERLAP_MM``), the lower margin rises to it; each lid's tarsal part moves as
a piece and the skin beyond it, up to the brow or down to the lid-cheek junction, stretches; the fissure's inner
surface comes forward onto the lid surface. :mod:`facelayers.model.expression` drives
it with orbicularis oculi's contraction, so a cut branch leaves the eye open in proportion (lagophthalmos).

All numbers here are **schematic** (chosen to sit within adult norms, not fitted to a dataset) but the fissure's
corners, which lie at the cited canthi (``data/landmarks.csv``, mps2019): its height ``FISSURE_HEIGHT_MM`` ~10 mm, the
margin-reflex distances ``MRD1_MM`` / ``MRD2_MM`` (upper / lower margin from the pupil's centre) 4.8 / 5.6 mm,
the iris ``IRIS_RADIUS_MM`` 5.9 mm (a corneal diameter of ~11.8 mm), the crease ``CREASE_MM`` 8 mm above the upper
margin. ``tests/test_literature_face.py`` and ``tests/test_eyes_look.py`` measure them on the built geometry.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: Medial and lateral canthus of the left eye (mm), the corners of the almond: the endocanthion (16, 80, 12) and
#: exocanthion (48, 68, 12) landmarks (mps2019), the lateral raised by CANTHAL_RISE_MM. The lids' band
#: (facelayers.model.lids) draws the corners there, finer than the grid.
MEDIAL_CANTHUS_MM = (16.0, 80.0, 12.0)
LATERAL_CANTHUS_MM = (48.0, 68.0, 14.0)
#: The lateral canthus lies higher than the medial (a positive canthal tilt), mm: schematic.
CANTHAL_RISE_MM = 2.0
#: The pupil's centre (left eye), mm: 31.5 mm from the midline (an interpupillary distance of 63 mm); schematic.
PUPIL_MM = (31.5, 79.0, 13.5)
#: Upper and lower margin-reflex distances (margin above / below the pupil's centre), mm: schematic.
MRD1_MM = 4.8
MRD2_MM = 5.6
FISSURE_HEIGHT_MM = MRD1_MM + MRD2_MM
#: Where along the fissure (0 medial, 1 lateral) the upper margin peaks and the lower is lowest: schematic.
UPPER_PEAK = 0.36
LOWER_PEAK = 0.6
#: Semi-axes (horizontal, vertical, depth) of the exposed globe's surface, mm: the cornea's front is DEPTH_MM
#: ahead of the centre; the horizontal axis is long enough to reach the canthi (the conjunctiva and caruncle
#: in the corners). Schematic.
EYE_AXES_MM = (18.5, 12.5, 12.0)
#: The exposed globe's surface reaches this much further laterally than medially (mm on its horizontal semi-axis):
#: toward the lateral canthus the conjunctiva runs back into the lateral fornix less steeply than a symmetric
#: ellipsoid would, so the globe shows to the corner. Schematic.
LATERAL_REACH_MM = 3.5
#: How far the lids stand proud of the globe's surface (lid thickness), mm: schematic.
LID_MM = 1.4
#: How far behind the globe's surface the skin turns in within the fissure (hidden by the globe), mm.
TUCK_MM = 2.5
#: Over how much of the fissure's edge the lid margin rounds in behind the globe, mm.
TUCK_RAMP_MM = 1.6
#: How far the globe's drawn surface reaches under the lid margins, mm.
RIM_MM = 0.6
#: Upper lid crease above the upper margin, mm, and its depth and width: schematic.
CREASE_MM = 8.0
CREASE_DEPTH_MM = 0.8
CREASE_WIDTH_MM = 2.4
#: Iris and pupil radius (mm) and the cornea's bulge over the sclera (mm): schematic.
IRIS_RADIUS_MM = 5.9
PUPIL_RADIUS_MM = 1.8
CORNEA_BULGE_MM = 0.9
#: The closed lids meet this share of the fissure's height above the lower margin: schematic.
MEET_SHARE = 0.22
#: Height of the upper and lower tarsal plates (they move as a piece), mm: schematic (upper ~8-10, lower ~4-5).
UPPER_TARSUS_MM = 8.0
LOWER_TARSUS_MM = 4.0
#: Squeezed shut (AU6+7+43) the lid margins pass each other by this much, the lower behind the upper, mm;
#: the tucked skin lies this far behind the lids' surface (still in front of the globe): schematic.
OVERLAP_MM = 2.5
TUCK_UNDER_MM = 0.9
#: The most a lid point's depth changes as it slides over the lid surface (mm): schematic.
MAX_DEPTH_CHANGE_MM = 2.0
#: How much wider than the fissure the skin's grid opens behind the lid margins (mm past each canthus, and past
#: each margin): the grid's rows (~2.9 mm apart at the lecture grid) cannot draw the fissure's corners, so the
#: grid opens wider and the lids' own fine geometry (:mod:`facelayers.model.lids`, which covers this band) draws
#: the margins and the corners. Schematic, chosen to be covered by ``lids.REACH_MM``.
OPEN_CORNER_MM = 2.5
OPEN_MARGIN_MM = 1.6
#: Within this distance of the grid's opening the skin is the lids' surface (not the head's sculpture), mm: schematic.
MARGIN_LID_MM = 2.0
#: The zone where the lids replace the sculpted skin: half-widths (mm) horizontally, up, down; the blend ramps
#: over the outer quarter.
ZONE_MM = (26.0, 18.0, 13.0)


@dataclass(frozen=True)
class EyeFrame:
    """The left eye's frame: centre (3,) mm and unit axes h (toward the lateral canthus), v (up), n (out)."""

    centre: np.ndarray
    h: np.ndarray
    v: np.ndarray
    n: np.ndarray

    def local(self, points: np.ndarray, sign: float = 1.0) -> np.ndarray:
        """Points (k, 3) mm in the frame of the eye on side ``sign`` (+1 left, -1 right).

        Returns (k, 3) as (h, v, n) mm, h positive laterally on both sides.
        """
        p = np.asarray(points, float) * np.array([sign, 1.0, 1.0])
        q = p - self.centre
        return np.stack([q @ self.h, q @ self.v, q @ self.n], axis=-1)

    def world(self, local: np.ndarray, sign: float = 1.0) -> np.ndarray:
        """Inverse of :meth:`local`: (k, 3) (h, v, n) mm to points (k, 3) mm."""
        q = self.centre + local[:, :1] * self.h + local[:, 1:2] * self.v + local[:, 2:3] * self.n
        return q * np.array([sign, 1.0, 1.0])


@lru_cache(maxsize=1)
def frame() -> EyeFrame:
    """The left eye's frame: n looks straight ahead (+y, turned out a little with the canthal line), v up."""
    en, ex = np.array(MEDIAL_CANTHUS_MM), np.array(LATERAL_CANTHUS_MM)
    h = ex - en
    h[2] = 0.0
    h /= np.linalg.norm(h)
    v = np.array([0.0, 0.0, 1.0])
    n = np.cross(h, v)
    if n[1] < 0:
        n = -n
    centre = np.array(PUPIL_MM) - n * EYE_AXES_MM[2]
    return EyeFrame(centre, h, v, n)


def _hv(name: str) -> np.ndarray:
    f = frame()
    return f.local(np.array([MEDIAL_CANTHUS_MM if name == "medial" else LATERAL_CANTHUS_MM]))[0]


def margins(h: np.ndarray, grow_mm: float = 0.0, reach_mm: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The lid margins at horizontal positions h (k,) mm of the eye's frame.

    Returns (upper v, lower v, inside) with v mm; ``inside`` (k,) bool is True between the canthi. Outside the
    canthi both margins are the canthal line. ``grow_mm`` moves both margins out (up / down) by that much at
    their peaks and ``reach_mm`` the canthi out along the canthal line: the wider almond the skin's grid opens
    (:data:`OPEN_MARGIN_MM`, :data:`OPEN_CORNER_MM`).
    """
    h = np.asarray(h, float)
    m, lat = _hv("medial").copy(), _hv("lateral").copy()
    if reach_mm:
        slope = (lat[1] - m[1]) / (lat[0] - m[0])
        m[:2] = m[0] - reach_mm, m[1] - reach_mm * slope
        lat[:2] = lat[0] + reach_mm, lat[1] + reach_mm * slope
    t = np.clip((h - m[0]) / (lat[0] - m[0]), 0.0, 1.0)
    line = m[1] + t * (lat[1] - m[1])
    pupil_v = frame().local(np.array([PUPIL_MM]))[0, 1]
    # Bumps peaking at UPPER_PEAK / LOWER_PEAK: sin(pi t^k) peaks where t^k = 1/2.
    ku, kl = np.log(0.5) / np.log(UPPER_PEAK), np.log(0.5) / np.log(LOWER_PEAK)
    bu, bl = np.sin(np.pi * t**ku) ** 0.7, np.sin(np.pi * t**kl) ** 0.8
    t_u, t_l = 0.5 ** (1 / ku), 0.5 ** (1 / kl)
    line_u, line_l = m[1] + t_u * (lat[1] - m[1]), m[1] + t_l * (lat[1] - m[1])
    upper = line + bu * (pupil_v + MRD1_MM + grow_mm - line_u)
    lower = line - bl * (line_l - (pupil_v - MRD2_MM - grow_mm))
    return upper, lower, (h > m[0]) & (h < lat[0])


def opening(h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The wider almond the skin's grid opens behind the lids' band (:mod:`facelayers.model.lids`).

    The fissure's margins moved out by :data:`OPEN_MARGIN_MM` everywhere (also near the corners, where the fissure
    is thinner than a row of the grid), and past each canthus a slit along the canthal line that narrows to nothing
    :data:`OPEN_CORNER_MM` beyond it.

    Parameters
    ----------
    h : (k,) float, mm
        Horizontal positions in the eye's frame.

    Returns
    -------
    upper, lower : (k,) float, mm
        The opening's edges (v).
    inside : (k,) bool
        Within the opening's horizontal extent.
    """
    h = np.asarray(h, float)
    upper, lower, _ = margins(h)
    m, lat = _hv("medial"), _hv("lateral")
    past = np.maximum(np.maximum(m[0] - h, h - lat[0]), 0.0)
    grow = OPEN_MARGIN_MM * np.clip(1.0 - past / OPEN_CORNER_MM, 0.0, 1.0)
    return upper + grow, lower - grow, past < OPEN_CORNER_MM


def ellipsoid_n(hv: np.ndarray, axes) -> np.ndarray:
    """Height of an ellipsoid's front above the eye's (h, v) plane, in the eye's frame (:func:`frame`).

    Parameters
    ----------
    hv : (k, 2) or (k, 3) float ndarray, mm
        Points in the eye's frame; only the first two columns (h, v) are read.
    axes : (float, float, float), mm
        The ellipsoid's semi-axes along h, v and n (e.g. :data:`EYE_AXES_MM`).

    Returns
    -------
    (k,) float64 ndarray, mm
        n of the front surface at each (h, v); 0 outside the ellipsoid's outline.
    """
    a, b, c = axes
    a = a + np.where(hv[:, 0] > 0, LATERAL_REACH_MM, 0.0)  # longer laterally (LATERAL_REACH_MM)
    return c * np.sqrt(np.clip(1.0 - (hv[:, 0] / a) ** 2 - (hv[:, 1] / b) ** 2, 0.0, None))


def _ray_ellipsoid(origins, dirs, sign, axes) -> tuple[np.ndarray, np.ndarray]:
    """Far distance along rays (k,) to the eye's ellipsoid of semi-axes ``axes`` (NaN where missed).

    Also the hit's (h, v, n) (k, 3); only the ellipsoid's front, ahead of the ray's origin, counts. The lateral half
    (h > 0) is :data:`LATERAL_REACH_MM` longer, as :func:`ellipsoid_n`.
    """
    t_med, hit_med = _ray_half_ellipsoid(origins, dirs, sign, axes)
    t_lat, hit_lat = _ray_half_ellipsoid(origins, dirs, sign, (axes[0] + LATERAL_REACH_MM, axes[1], axes[2]))
    lateral = hit_lat[:, 0] > 0
    return np.where(lateral, t_lat, t_med), np.where(lateral[:, None], hit_lat, hit_med)


def _ray_half_ellipsoid(origins, dirs, sign, axes) -> tuple[np.ndarray, np.ndarray]:
    f = frame()
    o = f.local(origins, sign)
    d = np.stack([(dirs * [sign, 1, 1]) @ f.h, (dirs * [sign, 1, 1]) @ f.v, (dirs * [sign, 1, 1]) @ f.n], -1)
    inv = 1.0 / np.array(axes)
    oo, dd = o * inv, d * inv
    a = (dd * dd).sum(1)
    b = (oo * dd).sum(1)
    c = (oo * oo).sum(1) - 1.0
    disc = b * b - a * c
    t = np.where(disc >= 0, (-b + np.sqrt(np.clip(disc, 0, None))) / a, np.nan)
    hit = o + d * np.nan_to_num(t)[:, None]
    # Only the front of the eye, ahead of the ray's origin (a ray pointing back through the head misses it).
    t = np.where((t > 0) & (hit[:, 2] > 0), t, np.nan)
    return t, hit


def _smoothstep(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def _smooth_max(a, b, k):
    h = np.clip(k - np.abs(a - b), 0.0, None) / k
    return np.fmax(a, b) + h * h * k * 0.25


def lid_axes() -> tuple[float, float, float]:
    """Semi-axes (mm) of the lids' surface: the exposed globe's, LID_MM larger."""
    return tuple(a + LID_MM for a in EYE_AXES_MM)


def sculpt_lids(origins: np.ndarray, dirs: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """The skin's ray radius (k,) mm with the eyelids laid over both globes.

    Parameters
    ----------
    origins, dirs : (k, 3) float
        The rays (mm; unit directions), as :func:`facelayers.model.grid.rays` gives them.
    radius : (k,) float, mm
        The sculpted skin's radius along each ray.

    Returns
    -------
    (k,) float, mm
        In each eye's zone the lids' surface (with the crease), blended into ``radius`` toward the zone's edge;
        between the margins the surface turns in ``TUCK_MM`` behind the globe. Elsewhere ``radius`` unchanged.
    """
    out = np.asarray(radius, float).copy()
    for sign in (1.0, -1.0):
        t_lid, hv = _ray_ellipsoid(origins, dirs, sign, lid_axes())
        hit = np.isfinite(t_lid)
        if not hit.any():
            continue
        h, v = hv[:, 0], hv[:, 1]
        zh, zu, zd = ZONE_MM
        rho = np.hypot(h / zh, v / np.where(v > 0, zu, zd))
        w = np.where(hit, 1.0 - _smoothstep((rho - 0.72) / 0.28), 0.0)
        upper, lower, inside = margins(h)
        open_u, open_l, open_in = opening(h)
        # The crease: a groove following the upper margin CREASE_MM above it, fading past the canthi.
        m, lat = _hv("medial"), _hv("lateral")
        along = np.exp(-(np.maximum(np.maximum(m[0] - h, h - lat[0]), 0.0) / 3.0) ** 2)
        crease = CREASE_DEPTH_MM * along * np.exp(-((v - upper - CREASE_MM) / CREASE_WIDTH_MM) ** 2)
        # Where the brow or the cheek stands in front of the lids' surface, the sculpture holds (the lid runs up
        # under the brow and meets the cheek at the lid-cheek junction): a smooth maximum over 3 mm.
        lid = _smooth_max(np.nan_to_num(t_lid), out, 3.0) - crease
        # Inside the fissure: tucked behind the globe. Depth into the fissure (mm past the nearer margin).
        # (the wider almond the grid opens: the lids' own mesh draws the margins over it)
        into = np.where(open_in, np.minimum(open_u - v, v - open_l), -1.0)
        # Along the margins (within MARGIN_LID_MM of the opening, between the canthi) the skin is the lid itself,
        # LID_MM proud of the globe, not a sculpture that stands in front of it there (a head whose own canthi lie
        # further forward): else a grid triangle from a lid vertex across the corner covers the globe. Past the
        # canthi the sculpture holds (the globe must not show beyond the corners).
        past = np.maximum(np.maximum(m[0] - h, h - lat[0]), 0.0)
        beside = np.minimum(open_u - v, v - open_l)
        own = _smoothstep((beside + MARGIN_LID_MM) / MARGIN_LID_MM) * (1.0 - _smoothstep(past / 1.0))
        lid = lid + (np.nan_to_num(t_lid) - crease - lid) * own * hit
        t_eye, _ = _ray_ellipsoid(origins, dirs, sign, EYE_AXES_MM)
        tuck = np.where(np.isfinite(t_eye), t_eye, np.nan_to_num(t_lid) - LID_MM) - TUCK_MM
        # The lid's margin rounds in over TUCK_RAMP_MM (at the lecture grid's row spacing the margin then lies
        # where the skin passes behind the globe, about a third of a row inside the last lid vertex).
        shaped = lid + (tuck - lid) * _smoothstep(into / TUCK_RAMP_MM)
        out = np.where(w > 0, (1.0 - w) * out + w * shaped, out)
    return out


def closure(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each skin point goes when the lids close fully, and the lids' share of the movement there.

    Parameters
    ----------
    points : (k, 3) float, mm
        Skin points (the model's skin vertices).

    Returns
    -------
    displacement : (k, 3) float, mm
        On the lids and in the fissure, the move along the lids' surface that brings the upper margin down and
        the lower margin up to the meeting line (the fissure's inner surface comes forward onto the lids'
        surface); zero outside the lid zone. Each lid's tarsal part moves as a piece (UPPER_TARSUS_MM,
        LOWER_TARSUS_MM); the skin beyond stretches, its move fading to none 6 mm above the upper tarsus and 5 mm
        below the lower.
    share : (k,) float
        Where the lids move the skin (fading over a few mm past the crease, the lid-cheek junction and the
        canthi); :mod:`facelayers.model.expression` lets orbicularis oculi's ring pull act on the rest.
    """
    points = np.asarray(points, float)
    out = np.zeros_like(points)
    share = np.zeros(len(points))
    axes = lid_axes()
    f = frame()
    for sign in (1.0, -1.0):
        hv = f.local(points, sign)
        h, v = hv[:, 0], hv[:, 1]
        upper, lower, inside = margins(h)
        zh, zu, zd = ZONE_MM
        near = (np.abs(h) < zh + 6.0) & (v > -zd - 10.0) & (v < zu + 10.0) & (hv[:, 2] > 0)
        if not near.any():
            continue
        meet = lower + MEET_SHARE * (upper - lower)
        # Squeezed shut, the margins pass each other by OVERLAP_MM, the lower tucked behind the upper.
        meet_u, meet_l = meet - 0.5 * OVERLAP_MM, meet + 0.5 * OVERLAP_MM
        # Each lid's tarsal plate moves as a piece (its skin moves with it); the skin beyond it, up to the brow
        # (``top``) or down to the lid-cheek junction (``bottom``), stretches.
        t_u, t_l = upper + UPPER_TARSUS_MM, lower - LOWER_TARSUS_MM
        top, bottom = t_u + 6.0, t_l - 5.0
        drop, rise = upper - meet_u, meet_l - lower
        # The skin the grid tucks behind the globe (the wider almond, OPEN_*) comes forward as the fissure's
        # inside; the lids beyond it move by the margins' travel.
        open_u, open_l, open_in = opening(h)
        upper_c, lower_c = np.maximum(upper, open_u), np.minimum(lower, open_l)
        new_v = v.copy()
        up = v >= upper_c
        new_v = np.where(up & (v < t_u), v - drop, new_v)
        new_v = np.where(up & (v >= t_u) & (v < top), v - drop * (top - v) / (top - t_u), new_v)
        down = v <= lower_c
        new_v = np.where(down & (v > t_l), v + rise, new_v)
        new_v = np.where(down & (v <= t_l) & (v > bottom), v + rise * (v - bottom) / (t_l - bottom), new_v)
        mid = ~up & ~down
        new_v = np.where(mid, meet, new_v)
        # Fade the move out past the canthi (the canthal tendons hold the corners).
        m, lat = _hv("medial"), _hv("lateral")
        past = np.maximum(np.maximum(m[0] - h, h - lat[0]), 0.0)
        fade = np.exp(-(past / 2.5) ** 2) * near
        new_v = v + (new_v - v) * fade
        on_lid = ellipsoid_n(np.stack([h, new_v], 1), axes)
        # Points on the lid follow the lid surface's change in depth (at most MAX_DEPTH_CHANGE_MM: near the
        # surface's horizontal edge, past the canthi, it is steep and would throw the skin forward); the fissure's
        # inner surface comes up onto the surface, and it and the lower lid's margin lie just behind the upper
        # margin (TUCK_UNDER_MM), in front of the globe.
        change = np.clip(on_lid - ellipsoid_n(hv, axes), -MAX_DEPTH_CHANGE_MM, MAX_DEPTH_CHANGE_MM)
        depth = np.where(mid & open_in, on_lid, hv[:, 2] + change)
        under = TUCK_UNDER_MM * np.where(mid & open_in, 1.0, down * _smoothstep((new_v - meet_u + 1.0) / 2.0))
        moved = np.stack([h, new_v, depth - under], axis=1)
        moved[:, 2] = hv[:, 2] + (moved[:, 2] - hv[:, 2]) * fade
        target = f.world(moved, sign)
        out += np.where((fade > 0)[:, None], target - points, 0.0)
        band = _smoothstep((top + 4.0 - v) / 4.0) * _smoothstep((v - bottom + 4.0) / 4.0)
        share = np.maximum(share, band * np.exp(-(past / 4.0) ** 2) * near)
    return out, share


def lid_margin_points(h_mm: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """The left eye's upper and lower margin points (3,) mm each, on the lids' surface.

    ``h_mm``: horizontal position in the eye's frame (0 = the pupil's vertical).
    """
    f = frame()
    h = np.array([h_mm]) + f.local(np.array([PUPIL_MM]))[0, 0]
    upper, lower, _ = margins(h)
    out = []
    for v in (upper, lower):
        hv = np.stack([h, v], 1)
        out.append(f.world(np.concatenate([hv, ellipsoid_n(hv, lid_axes())[:, None]], 1))[0])
    return out[0], out[1]


#: Colours of the eye's surface: sclera, iris, pupil (sRGB hex).
SCLERA = "#F4F1EA"
IRIS = "#5B7F95"
PUPIL = "#101418"


def eye_meshes(shift=None, n_h: int = 36, n_v: int = 18) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The exposed globes, left and right.

    Returns [(vertices (v, 3) float32 mm, faces (f, 3) int32, radial (v,) float32 mm), ...]. ``radial`` is each
    vertex's distance from the gaze axis through the pupil, for colouring (iris within :data:`IRIS_RADIUS_MM`, pupil
    within :data:`PUPIL_RADIUS_MM`). The surface is the front of the
    exposed globe's ellipsoid (with the cornea's bulge) over the fissure and a little beyond it (the rest lies
    under the lids). ``shift``: optional callable, points (v, 3) mm -> displacements (v, 3) mm, applied to the
    vertices (:func:`facelayers.model.face_measures.globe_meshes` moves the globes with a model's landmark correction).
    n_h, n_v : int, columns across the fissure and rows up it.
    """
    f = frame()
    m, lat = _hv("medial"), _hv("lateral")
    # A mesh that follows the fissure: columns across it, rows from 1.5 mm under the lower margin to 1.5 mm
    # over the upper one (the lids cover that rim), so no corner of it stands out past the lids.
    hh = np.linspace(m[0] - 0.5, lat[0] + 0.5, n_h)
    upper, lower, _ = margins(hh)
    frac = np.linspace(0.0, 1.0, n_v)[:, None]
    V = (lower - RIM_MM) + frac * (upper - lower + 2 * RIM_MM)
    H = np.broadcast_to(hh, V.shape)
    hv = np.stack([H.ravel(), V.ravel()], 1)
    n = ellipsoid_n(hv, EYE_AXES_MM)
    # The gaze is straight ahead (+y): the iris is a disc round the pupil seen from the front, so its radius
    # is measured across y (the lids' frame is turned with the canthal line, the gaze is not).
    world = f.world(np.concatenate([hv, n[:, None]], 1))
    radial = np.hypot(world[:, 0] - PUPIL_MM[0], world[:, 2] - PUPIL_MM[2])
    n = n + CORNEA_BULGE_MM * np.exp(-(radial / (IRIS_RADIUS_MM * 0.9)) ** 2)
    local = np.concatenate([hv, n[:, None]], 1)
    i = np.arange(n_h - 1)
    j = np.arange(n_v - 1)[:, None]
    a, b, c, d = j * n_h + i, j * n_h + i + 1, (j + 1) * n_h + i + 1, (j + 1) * n_h + i
    faces = np.stack([np.stack([a, b, c], -1), np.stack([a, c, d], -1)], 2).reshape(-1, 3).astype(np.int32)
    out = []
    for sign in (1.0, -1.0):
        verts = f.world(local, sign)
        if shift is not None:
            verts = verts + shift(verts)
        verts = verts.astype(np.float32)
        # h, v, n is right-handed on the left eye; mirrored on the right, so flip the winding there.
        out.append((verts, faces if sign > 0 else np.ascontiguousarray(faces[:, ::-1]), radial.astype(np.float32)))
    return out
