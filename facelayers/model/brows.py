"""The eyebrows: a band of hair over each supraorbital rim, lying on the skin and moving with it.

Each brow is a band drawn on the skin's drawn triangles (:func:`facelayers.model.attach.on_skin`, barycentric
weights on three skin vertices), lifted :data:`LIFT_MM` off the surface along the triangle's normal. Because every
vertex follows its skin triangle, every expression moves it: frontalis lifts it (brow raise), corrugator, procerus
and depressor supercilii draw it down and together (frown), and on the side whose frontal branch is cut it stays
down (:mod:`facelayers.model.expression`, :mod:`facelayers.model.injury`).

Its outline comes from the model's landmarks (``data/landmarks.csv``): the head starts over the endocanthion, the
band runs over the supraorbital point (skin over the top of the orbital rim) and ends at the lateral brow tail;
the peak of the arch lies over the lateral limbus. The brow's height over the rim differs by sex, in the way the
aesthetic literature describes it (a woman's brow arches above the supraorbital rim and peaks laterally; a man's
lies at the rim and is flatter and thicker). No stored source gives these heights in mm, so they are
**schematic** (:data:`SHAPES`, chosen by eye within the common descriptions); the band's height tapers from
~9-10 mm at the head to ~2 mm at the tail. ``tests/test_eyes_look.py`` measures that the band lies on the skin,
above the rim measured on the built skull, and how far it moves.
"""

from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType

import numpy as np

from facelayers.model import eyes
from facelayers.model.attach import Tie, forward_normals, on_skin

#: How far the brow lies off the skin along its triangle's normal (mm).
LIFT_MM = 0.5
#: Columns along the brow and rows across it.
N_ALONG = 48
N_ACROSS = 5
#: The brow's outline per sex, mm relative to landmarks (schematic; see the module docstring). Per key point
#: (head, peak, tail): (lower edge, upper edge) relative to the supraorbital point's height at the head and the
#: peak, and relative to the lateral brow tail's height at the tail. The head lies ``HEAD_X_MM`` medial to the
#: endocanthion, the peak ``PEAK_X_MM`` lateral to the pupil's centre, the tail at the tail landmark's x.
SHAPES = MappingProxyType({
    "female": MappingProxyType({"head": (-10.0, -1.5), "peak": (-6.0, 0.5), "tail": (1.5, 3.5)}),
    "male": MappingProxyType({"head": (-11.0, -1.5), "peak": (-9.0, -1.5), "tail": (0.5, 4.0)}),
})
HEAD_X_MM = 1.5
PEAK_X_MM = 7.0
#: Hair colours: the band's core and its soft edge (sRGB hex; schematic, a dark brown that reads on a projector).
HAIR = "#3B2A20"
HAIR_EDGE = "#8A6450"


def _sex(model) -> str:
    patient = getattr(model, "patient", None)
    sex = getattr(patient, "sex", None) or "female"  # the reference patient (facelayers.model.patient) is a woman
    if sex not in SHAPES:
        raise ValueError(f"patient sex {sex!r} has no brow shape; allowed: {', '.join(SHAPES)}")
    return sex


def outline_xz(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The left brow's outline seen from the front, from the model's landmarks.

    Returns
    -------
    x : (N_ALONG,) float64, mm
        From the head (medial) to the tail (lateral).
    lower, upper : (N_ALONG,) float64, mm
        Heights (z) of the brow's lower and upper edges.
    """
    a = model.anatomy
    en, so, tail = (a.point(f"{n}:left") for n in ("endocanthion", "supraorbital", "lateral_brow"))
    shape = SHAPES[_sex(model)]
    xs = np.array([en[0] - HEAD_X_MM, eyes.PUPIL_MM[0] + PEAK_X_MM, tail[0]])
    lo = np.array([so[2] + shape["head"][0], so[2] + shape["peak"][0], tail[2] + shape["tail"][0]])
    hi = np.array([so[2] + shape["head"][1], so[2] + shape["peak"][1], tail[2] + shape["tail"][1]])
    t = 0.5 * (1.0 - np.cos(np.pi * np.linspace(0.0, 1.0, N_ALONG)))  # denser at the ends
    x = xs[0] + t * (xs[2] - xs[0])

    def edge(k):
        # a rounded arch: a sine rise from the head to the peak, a cosine fall from the peak to the tail
        u = np.clip((x - xs[0]) / (xs[1] - xs[0]), 0, 1)
        w = np.clip((x - xs[1]) / (xs[2] - xs[1]), 0, 1)
        rise = k[0] + (k[1] - k[0]) * np.sin(0.5 * np.pi * u)
        fall = k[1] + (k[2] - k[1]) * (1.0 - np.cos(0.5 * np.pi * w)) ** 1.2
        return np.where(x <= xs[1], rise, fall)

    lower, upper = edge(lo), edge(hi)
    # the tail tapers to a point; the head is rounded
    taper = np.clip((xs[2] - x) / 3.0, 0.0, 1.0) ** 0.5 * np.sqrt(np.clip((x - xs[0]) / 2.5, 0.0, 1.0))
    centre = 0.5 * (lower + upper)
    half = 0.5 * (upper - lower) * np.maximum(taper, 0.15)
    return x, centre - np.maximum(half, 0.1), centre + np.maximum(half, 0.1)


@lru_cache(maxsize=8)
def _ties(model) -> tuple[tuple[Tie, np.ndarray], ...]:
    """Per side (left, right): the band's Tie and its faces (f, 3); cached per model."""
    x, lower, upper = outline_xz(model)
    r = np.linspace(0.0, 1.0, N_ACROSS)[:, None]
    xx = np.broadcast_to(x, (N_ACROSS, N_ALONG))
    zz = lower + r * (upper - lower)
    i = np.arange(N_ALONG - 1)
    j = np.arange(N_ACROSS - 1)[:, None]
    a, b, c, d = j * N_ALONG + i, j * N_ALONG + i + 1, (j + 1) * N_ALONG + i + 1, (j + 1) * N_ALONG + i
    faces = np.stack([np.stack([a, b, c], -1), np.stack([a, c, d], -1)], 2).reshape(-1, 3)
    out = []
    for sign in (1.0, -1.0):
        pts = np.stack([sign * xx.ravel(), zz.ravel()], 1)
        tie = on_skin(model.skin, model.faces, pts, front_y_mm=20.0)
        out.append((tie, np.ascontiguousarray(faces[:, ::-1]) if sign > 0 else faces))  # wound as the skin's
    return tuple(out)


def _shade() -> np.ndarray:
    """(N_ACROSS * N_ALONG,) float in 0..1: 1 in the band's core, toward 0 at its edges, with a hair-like grain."""
    r = np.linspace(0.0, 1.0, N_ACROSS)[:, None]
    t = np.linspace(0.0, 1.0, N_ALONG)[None, :]
    core = np.sin(np.pi * r) ** 0.7
    grain = 0.18 * np.sin(2 * np.pi * (9.0 * t + 1.3 * r)) + 0.12 * np.cos(2 * np.pi * 23.0 * t)
    ends = np.clip(t / 0.06, 0, 1) * np.clip((1 - t) / 0.15, 0, 1)
    return np.clip((core + grain * core) * (0.55 + 0.45 * ends), 0.0, 1.0).ravel()


def brow_meshes(model, skin_points: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Both brows, on the skin as drawn.

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel
    skin_points : (n, 3) float ndarray, mm, optional
        The skin's vertices as drawn (moved by an expression); default the model's skin.

    Returns
    -------
    vertices : (v, 3) float32 ndarray, mm, head frame
        On the skin's triangles, lifted :data:`LIFT_MM` along their normals.
    faces : (f, 3) int32 ndarray
    shade : (v,) float32 ndarray
        0..1, the hair's density (1 dark core, 0 the soft edge): :data:`HAIR_EDGE` to :data:`HAIR`.
    """
    skin = model.skin if skin_points is None else np.asarray(skin_points, float)
    verts, faces, shade = [], [], []
    for tie, f in _ties(model):
        p = tie.follow(model.skin, skin)
        n = forward_normals(skin[tie.index])
        # The band rides over the wrinkles' crests and does not dip into their furrows (a brow's hairs bridge
        # them): the inward part of its move along the skin's normal at rest is dropped.
        n0 = forward_normals(model.skin[tie.index])
        dip = np.minimum(((p - tie.rest) * n0).sum(1), 0.0)
        faces.append(f + sum(len(x) for x in verts))
        verts.append(p - dip[:, None] * n0 + LIFT_MM * n)
        shade.append(_shade())
    return (np.concatenate(verts).astype(np.float32), np.concatenate(faces).astype(np.int32),
            np.concatenate(shade).astype(np.float32))


def brow_anchors(model) -> np.ndarray:
    """For each vertex of :func:`brow_meshes` (in its order), the skin vertex it follows most: (v,) int64."""
    return np.concatenate([tie.anchor for tie, _ in _ties(model)])


def brow_points(model, side: str = "left", skin_points: np.ndarray | None = None) -> np.ndarray:
    """One brow's vertices (N_ACROSS * N_ALONG, 3) float64 mm as drawn (row-major: rows lower to upper edge)."""
    if side not in ("left", "right"):
        raise ValueError(f"side {side!r} is not known; allowed: left, right")
    v, _, _ = brow_meshes(model, skin_points)
    k = N_ACROSS * N_ALONG
    return v[:k].astype(float) if side == "left" else v[k:].astype(float)
