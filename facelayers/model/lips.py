"""The lips' vermilion: where on the skin the red of the lips lies, as a thin patch drawn over the skin.

The skin is one surface in one colour. The vermilion (the red part of the lips, between the vermilion border and
the stomion) is marked on it by a field on the skin's vertices, :func:`vermilion_field`, in mm: positive inside the
vermilion, zero on its border. Its outline, on the left side (mirrored to the right):

* the upper border, ``UPPER_MM`` above the stomion's height at the midline, with the Cupid's bow: it rises to
  ``BOW_PEAK_MM`` at the philtral columns ``BOW_X_MM`` either side of the midline and dips between them to the
  bow's notch; from the peaks it falls to the commissure;
* the lower border, ``LOWER_MM`` below the stomion at the midline, rising to the commissure;
* the commissures at the cheilion landmarks (``data/landmarks.csv``, mps2019: ch-ch 52.0-55.9 mm).

:func:`vermilion_patch` cuts the skin's triangles along the field's zero line (marching triangles), so the
border is a smooth line through the triangles, not the grid's staircase; every vertex of the patch is a point on
an edge of the skin's mesh, kept as two vertex indices and a weight, so the patch follows the skin wherever its
vertices move (an expression, :mod:`facelayers.model.expression`). It is lifted ``LIFT_MM`` off the skin along
its normals, so it draws over it.

All numbers are **schematic** (chosen within adult norms: an upper vermilion about 8 mm and a lower about 9-10 mm
high at the midline, a Cupid's bow about 10-12 mm wide), not fitted to data.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from facelayers.model.attach import forward_normals, on_skin

#: Height of the stomion (mm) and the mouth's half-width at the commissure (mm): the stomion and cheilion landmarks
#: (0, 85, -48) and (27, 76, -48) of data/landmarks.csv; the patch reads them from the model's anatomy.
#: Upper vermilion: height of the border above the stomion at the bow's notch (midline) and at its peaks, mm.
UPPER_MM = 7.0
BOW_PEAK_MM = 8.2
#: Half the distance between the bow's peaks (the philtral columns), mm.
BOW_X_MM = 5.5
#: Lower vermilion height below the stomion at the midline, mm.
LOWER_MM = 9.5
#: How far the patch lies off the skin along the normals, mm.
LIFT_MM = 0.3
#: Only skin in front of this (y, mm, head frame) can be vermilion (the lips face forward).
FRONT_MIN_Y_MM = 55.0


def vermilion_field(points: np.ndarray, stomion_z_mm: float = -48.0, half_width_mm: float = 27.0) -> np.ndarray:
    """Signed distance-like field of the vermilion at points (n, 3) mm: (n,) float64 mm, positive inside.

    Parameters
    ----------
    points : (n, 3) float ndarray, mm, head frame
        Points on the skin at rest.
    stomion_z_mm : float, mm
        Height of the stomion (where the lips meet).
    half_width_mm : float, mm
        Half the mouth's width (the cheilion's distance from the midline).

    Returns
    -------
    (n,) float64 ndarray, mm
        The smallest of: height below the upper border, height above the lower border, distance inside the
        commissure; very negative behind ``FRONT_MIN_Y_MM``.
    """
    p = np.asarray(points, float)
    x = np.abs(p[:, 0])
    z = p[:, 2] - stomion_z_mm
    w = half_width_mm
    # Upper border: from the notch (UPPER_MM) up to the peaks (BOW_PEAK_MM) at BOW_X_MM, down to 0 at the commissure.
    upper = _upper_border(x, w)
    lower = -LOWER_MM * np.clip(1.0 - (x / w) ** 2, 0.0, None) ** 0.75
    f = np.minimum(np.minimum(upper - z, z - lower), w - x)
    return np.where(p[:, 1] > FRONT_MIN_Y_MM, f, -100.0)


def _upper_border(x: np.ndarray, half_width_mm: float) -> np.ndarray:
    """Height (mm) of the upper vermilion border above the stomion at |x| (n,) mm: the Cupid's bow, then the fall."""
    t = np.clip(x / BOW_X_MM, 0.0, 1.0)
    inner = UPPER_MM + (BOW_PEAK_MM - UPPER_MM) * t * t * (3.0 - 2.0 * t)
    q = np.clip((x - BOW_X_MM) / (half_width_mm - BOW_X_MM), 0.0, 1.0)
    outer = BOW_PEAK_MM * np.sqrt(np.clip(1.0 - q * q, 0.0, None)) ** 1.2
    return np.where(x <= BOW_X_MM, inner, outer)


#: The lips' relief (:func:`lip_relief`), all **schematic** (sized by eye within the vermilion's outline above so
#: that a three-quarter view reads as lips: the literature at hand gives the outline's landmarks, ch-ch and sn-sto,
#: not the lips' projection). How far (mm, along the rays) the upper vermilion rolls forward at the midline, where
#: in its height it is fullest (a fraction of the border's height: close under the border, the upper lip's most
#: forward point, labrale superius), and the tubercle's extra fullness just above the stomion at the midline. The
#: roll is 0 for now: any roll tilted the skin's normal at the mid-philtrum's tissue-depth site (4 mm above the
#: border), and the coarse grid's skull fit there moved the perpendicular depths by 0.2-0.5 mm (0.14 allowed); the
#: upper lip's relief is the tubercle's alone.
UPPER_ROLL_MM = 0.0
UPPER_FULLEST = 0.78
TUBERCLE_MM = 0.9
TUBERCLE_HALF_MM = (4.5, 2.4)
#: The lower vermilion: fuller than the upper (mm at the midline), fullest at this fraction of its height.
LOWER_ROLL_MM = 0.9
LOWER_FULLEST = 0.5
#: The chin-lip fold below the lower lip (mentolabial sulcus): depth (mm), its height below the stomion (mm), and
#: its half-height and half-width (mm).
SULCUS_MM = 1.4
SULCUS_BELOW_MM = 14.0
SULCUS_HALF_MM = (14.0, 3.5)
#: The modiolus beside each commissure: the cheek rises this much (mm) just lateral to the corner, centred this far
#: (mm) beyond it, so the corner reads as a shadowed pit.
MODIOLUS_MM = 1.8
MODIOLUS_OUT_MM = 5.0
MODIOLUS_HALF_MM = (4.0, 5.0)


def lip_relief(points: np.ndarray, stomion_z_mm: float = -48.0, half_width_mm: float = 27.0) -> np.ndarray:
    """How far the lips' relief raises the skin at points (n, 3) mm on it, along the rays: (n,) float64 mm.

    A closed mouth in a three-quarter view reads by its relief: the upper vermilion rolls forward under its
    border (fullest close under it) with a tubercle at the midline, the lower vermilion is fuller, the chin-lip
    fold lies below it, and the modiolus rises beside each commissure so the corners sit in shadow. The relief is
    zero on the stomion's height (where the lips meet: the mouth's groove and the stomion's pin stay as they
    were) and fades to nothing at the commissures and past the vermilion. Sizes: the ``UPPER_*``, ``LOWER_*``,
    ``TUBERCLE_*``, ``SULCUS_*`` and ``MODIOLUS_*`` constants (schematic).

    Parameters
    ----------
    points : (n, 3) float ndarray, mm, head frame
        Points on the skin before the relief.
    stomion_z_mm, half_width_mm : float, mm
        The stomion's height and the cheilion's distance from the midline (as :func:`vermilion_field`).

    Returns
    -------
    (n,) float64 ndarray, mm
        Positive outward; 0 behind ``FRONT_MIN_Y_MM``.
    """
    p = np.asarray(points, float)
    x = np.abs(p[:, 0])
    z = p[:, 2] - stomion_z_mm
    w = half_width_mm
    across = np.clip(1.0 - (x / w) ** 2, 0.0, None)  # 1 at the midline, 0 at the commissure
    parted = 1.0 - np.exp(-((z / 1.6) ** 2))  # 0 where the lips meet
    # upper vermilion: a roll from the stomion to its border, fullest close under the border, fading above it
    up = np.maximum(_upper_border(x, w), 1.0)
    t = np.clip(z / up, 0.0, None)
    upper = np.exp(-(((t - UPPER_FULLEST) / np.where(t < UPPER_FULLEST, 0.45, 0.42)) ** 2)) * parted
    upper = np.where(z > 0.0, UPPER_ROLL_MM * across ** 0.7 * upper, 0.0)
    tubercle = TUBERCLE_MM * np.exp(-((x / TUBERCLE_HALF_MM[0]) ** 2) - (((z - 0.4 * UPPER_MM) / TUBERCLE_HALF_MM[1]) ** 2))
    upper = upper + np.where(z > 0.0, tubercle * parted, 0.0)
    # lower vermilion: fuller, fullest half-way down; then the chin-lip fold
    low = LOWER_MM * np.clip(1.0 - (x / w) ** 2, 0.0, None) ** 0.75
    t = np.clip(-z / np.maximum(low, 1.0), 0.0, None)
    lower = np.exp(-(((t - LOWER_FULLEST) / 0.45) ** 2)) * parted
    lower = np.where(z < 0.0, LOWER_ROLL_MM * across ** 0.6 * lower, 0.0)
    sulcus = -SULCUS_MM * np.exp(-((x / SULCUS_HALF_MM[0]) ** 2) - (((z + SULCUS_BELOW_MM) / SULCUS_HALF_MM[1]) ** 2))
    # the modiolus beside each commissure
    modiolus = MODIOLUS_MM * np.exp(-(((x - w - MODIOLUS_OUT_MM) / MODIOLUS_HALF_MM[0]) ** 2)
                                    - ((z / MODIOLUS_HALF_MM[1]) ** 2))
    modiolus *= 1.0 - np.exp(-(((x - w) / 2.5) ** 2) - ((z / 2.5) ** 2))  # none at the cheilion itself
    return np.where(p[:, 1] > FRONT_MIN_Y_MM, upper + lower + sulcus + modiolus, 0.0)


def _clip_triangles(faces: np.ndarray, f: np.ndarray):
    """Marching triangles: the parts of triangles (m, 3) where the vertex field f (n,) is >= 0.

    Returns edge points as (a, b, t) (the point (1 - t) P[a] + t P[b]) and triangles on them.
    """
    key: dict[tuple[int, int, float], int] = {}
    ea, eb, et, tris = [], [], [], []

    def vid(a, b, t):
        if t <= 0.0:
            b, t = a, 0.0
        elif t >= 1.0:
            a, t = b, 0.0
        k = (int(a), int(b), round(float(t), 6)) if a <= b or t == 0.0 else (int(b), int(a), round(1.0 - float(t), 6))
        if k not in key:
            key[k] = len(ea)
            ea.append(k[0])
            eb.append(k[1])
            et.append(k[2])
        return key[k]

    def cross(a, b):  # the zero of f on the edge a-b
        return vid(a, b, f[a] / (f[a] - f[b]))

    for tri in faces:
        inside = f[tri] >= 0.0
        n_in = int(inside.sum())
        if n_in == 0:
            continue
        if n_in == 3:
            tris.append([vid(v, v, 0.0) for v in tri])
            continue
        # rotate so the odd vertex comes first, keeping the winding
        odd = int(np.flatnonzero(inside if n_in == 1 else ~inside)[0])
        a, b, c = tri[odd], tri[(odd + 1) % 3], tri[(odd + 2) % 3]
        if n_in == 1:
            tris.append([vid(a, a, 0.0), cross(a, b), cross(a, c)])
        else:
            ab, ac = cross(b, a), cross(c, a)
            vb, vc = vid(b, b, 0.0), vid(c, c, 0.0)
            tris.append([ab, vb, vc])
            tris.append([ab, vc, ac])
    return (np.array(ea, np.int64), np.array(eb, np.int64), np.array(et, float),
            np.array(tris, np.int64).reshape(-1, 3))


@lru_cache(maxsize=4)
def _patch_topology(faces_bytes: bytes, n_faces: int, rest_bytes: bytes, stomion_z: float, half_width: float):
    faces = np.frombuffer(faces_bytes, dtype=np.int64).reshape(n_faces, 3)
    rest = np.frombuffer(rest_bytes, dtype=float).reshape(-1, 3)
    f = vermilion_field(rest, stomion_z, half_width)
    near = faces[(f[faces] > -6.0).any(axis=1)]
    return _clip_triangles(near, f)


#: Where the vermilion is drawn darker (toward the lip line's colour): from this fraction of the mouth's half-width
#: out to the commissure, and in a band this high (mm, Gaussian) along the line between the lips. Schematic.
SHADE_FROM = 0.5
SHADE_LINE_MM = 1.8


def vermilion_shade(model) -> np.ndarray:
    """How much each vertex of :func:`vermilion_patch` is shaded, (v,) float64 in [0, 1].

    The lips' corners sit in shadow (the commissures turn in, under the modiolus) and the vermilion darkens
    where it turns in toward the line between the lips; the fullest parts, the tubercle and the middle of the
    lower lip, catch the light (0). Read from the rest skin, so the shading moves with the patch.

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel

    Returns
    -------
    (v,) float64 ndarray
        1 at the commissures, about 0.5 along the line between the lips, 0 on the fullest parts.
    """
    rest, a, b, t, _ = _model_topology(model)
    p = (1.0 - t)[:, None] * rest[a] + t[:, None] * rest[b]
    names, pts = model.anatomy.landmark_points(on_skin=True)
    lm = dict(zip(names, pts))
    stomion_z = float(lm["stomion"][2]) if "stomion" in lm else -48.0
    half_width = float(abs(lm["cheilion:left"][0])) if "cheilion:left" in lm else 27.0
    c = np.clip((np.abs(p[:, 0]) / half_width - SHADE_FROM) / (1.0 - SHADE_FROM), 0.0, 1.0)
    corner = c * c * (3.0 - 2.0 * c)
    line = 0.5 * np.exp(-(((p[:, 2] - stomion_z) / SHADE_LINE_MM) ** 2))
    return np.maximum(corner, line)


def vermilion_anchors(model) -> np.ndarray:
    """For each vertex of :func:`vermilion_patch` (in its order), the nearer skin vertex it blends: (v,) int64."""
    _, a, b, t, _ = _model_topology(model)
    return np.where(t <= 0.5, a, b).astype(np.int64)


def _model_topology(model):
    """The patch's topology on ``model``'s rest skin (:func:`_patch_topology`), with that rest skin.

    The mouth's height and width come from the stomion and cheilion landmarks. Returns the rest skin (n, 3)
    float64 mm, then ``_patch_topology``'s a, b, t and triangles.
    """
    rest = np.ascontiguousarray(model.skin, dtype=float)
    faces = np.ascontiguousarray(model.faces, dtype=np.int64)
    names, pts = model.anatomy.landmark_points(on_skin=True)
    lm = dict(zip(names, pts))
    stomion_z = float(lm["stomion"][2]) if "stomion" in lm else -48.0
    half_width = float(abs(lm["cheilion:left"][0])) if "cheilion:left" in lm else 27.0
    return (rest, *_patch_topology(faces.tobytes(), len(faces), rest.tobytes(), stomion_z, half_width))


def vermilion_patch(model, skin_points: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The vermilion as a thin mesh over the skin, following the skin's vertices.

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel
        Its skin at rest (``model.skin``, (n, 3) mm) and grid triangles (``model.faces``) place the outline; its
        anatomy's stomion and cheilion landmarks set the mouth's height and width.
    skin_points : (n, 3) float ndarray, mm, optional
        The skin's vertices as drawn (e.g. moved by an expression); default ``model.skin``.

    Returns
    -------
    vertices : (v, 3) float32 ndarray, mm, head frame
        Points on the skin's triangles, lifted ``LIFT_MM`` along the patch's normals.
    faces : (f, 3) int32 ndarray
        Triangles, wound as the skin's.
    """
    rest, a, b, t, tris = _model_topology(model)
    p = rest if skin_points is None else np.asarray(skin_points, float)
    verts = (1.0 - t)[:, None] * p[a] + t[:, None] * p[b]
    # normals of the patch, to lift it off the skin
    n = np.zeros_like(verts)
    if len(tris):
        fn = np.cross(verts[tris[:, 1]] - verts[tris[:, 0]], verts[tris[:, 2]] - verts[tris[:, 0]])
        for k in range(3):
            np.add.at(n, tris[:, k], fn)
    length = np.linalg.norm(n, axis=1, keepdims=True)
    n = np.where(length > 1e-9, n / np.maximum(length, 1e-12), 0.0)
    # outward: the lips face forward (+y) as a whole (one sign for the patch: the winding is consistent)
    n *= -1.0 if n[:, 1].sum() < 0.0 else 1.0
    return (verts + LIFT_MM * n).astype(np.float32), tris.astype(np.int32)


#: The line between the lips (the oral fissure's shadow, stomion to the commissures): its width at the midline (mm),
#: tapering to nothing at the commissures, how far it lies off the skin (mm, over the vermilion) and its points per
#: side. Schematic (a line a lecture's screen shows; the lips closed at rest).
LINE_MM = 1.1
LINE_LIFT_MM = 0.45
N_LINE = 24


def _groove_z(model, x: np.ndarray, stomion_z: float) -> np.ndarray:
    """Height (mm) of the groove between the lips at each x (k,) mm, (k,) float64.

    The row of the skin's deepest vertical concavity within 3.5 mm of the stomion's height (smoothed along the mouth).
    """
    from facelayers.model.grid import params_of

    z = stomion_z + np.linspace(-3.5, 3.5, 57)
    xx, zz = np.meshgrid(x, z, indexing="ij")
    u, s, _ = params_of(np.stack([xx.ravel(), np.full(xx.size, 80.0), zz.ravel()], 1))
    r = model.skin_surface.radius
    concave = (0.5 * (r(u, s - 1.5) + r(u, s + 1.5)) - r(u, s)).reshape(xx.shape)
    best = z[np.argmax(concave, axis=1)]
    kernel = np.array([1.0, 2.0, 3.0, 2.0, 1.0]) / 9.0
    padded = np.concatenate([best[:1].repeat(2), best, best[-1:].repeat(2)])
    return np.convolve(padded, kernel, mode="valid")


@lru_cache(maxsize=8)
def _line_tie(model):
    names, pts = model.anatomy.landmark_points(on_skin=True)
    lm = dict(zip(names, pts))
    stomion_z = float(lm["stomion"][2]) if "stomion" in lm else -48.0
    half_width = float(abs(lm["cheilion:left"][0])) if "cheilion:left" in lm else 27.0
    t = np.linspace(-1.0, 1.0, 2 * N_LINE + 1)
    x = 0.96 * half_width * t
    z = _groove_z(model, x, stomion_z)
    half = 0.5 * LINE_MM * np.clip(1.0 - np.abs(t) ** 3, 0.0, None) ** 0.5 + 0.04
    xz = np.concatenate([np.stack([x, z + half], 1), np.stack([x, z - half], 1)])
    k = len(x)
    i = np.arange(k - 1)
    faces = np.concatenate([np.stack([i, k + i + 1, i + 1], 1), np.stack([i, k + i, k + i + 1], 1)])
    return on_skin(model.skin, model.faces, xz, front_y_mm=40.0, margin_mm=16.0), faces.astype(np.int32)


def lip_line(model, skin_points: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The line between the closed lips, as a thin ribbon on the skin's drawn triangles, following the skin.

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel
        Its rest skin places the line: along the groove between the lips (the skin's deepest vertical concavity
        near the stomion's height), from commissure to commissure (the cheilion landmarks).
    skin_points : (n, 3) float ndarray, mm, optional
        The skin's vertices as drawn (moved by an expression); default ``model.skin``.

    Returns
    -------
    vertices : (v, 3) float32 ndarray, mm, head frame
        :data:`LINE_LIFT_MM` off the skin's triangles (over the vermilion).
    faces : (f, 3) int32 ndarray
        Wound toward the viewer.
    """
    tie, faces = _line_tie(model)
    skin = model.skin if skin_points is None else np.asarray(skin_points, float)
    n = forward_normals(skin[tie.index])
    verts = tie.follow(model.skin, skin_points) + LINE_LIFT_MM * n
    return verts.astype(np.float32), faces


def lip_line_anchors(model) -> np.ndarray:
    """For each vertex of :func:`lip_line` (in its order), the skin vertex it follows most: (v,) int64."""
    return _line_tie(model)[0].anchor
