"""The head a lecturer projects: a smooth lower face, pins that make no bumps, a vermilion that follows the skin, ears
that shade as one surface. Each measured on the built geometry."""

from __future__ import annotations

from collections import Counter

import numpy as np

from facelayers.model.expression import skin_displacement
from facelayers.model.geometry import _ear_shape
from facelayers.model.grid import params_of, smooth_grid
from facelayers.model.lips import BOW_X_MM, LIFT_MM, vermilion_field, vermilion_patch

#: Before pinning, the sculpture lies this close to every on-skin landmark along its ray (mm): a residual of a few mm
#: under a 14 mm Gaussian pin makes a bump a lecturer sees.
PIN_RESIDUAL_MM = 4.0
#: ... and this close on the jaw, the chin and the mouth, where the light rakes across the surface (mm); 2 mm, not
#: 1.5: the gonion lies behind the face's box of the lecture grid, whose thinner columns smooth the sculpture wider.
PIN_RESIDUAL_LOWER_FACE_MM = 2.0
LOWER_FACE_PINS = ("stomion", "pogonion", "menton", "cheilion:left", "cheilion:right", "gonion:left", "gonion:right")
#: The lower face (cheeks, jaw and the jawline, 25-85 degrees from the midline, z -95 to -20 mm) departs from the same
#: surface smoothed over 8 mm by at most this (mm). The sculpture before this work (hard-edged jaw and chin pieces, the
#: jowl lumps) departed by 2.15 mm; the mandibular border's own curvature accounts for about 1.5 mm.
LUMP_MM = 1.8


def test_the_sculpture_lies_near_every_landmark(model_lecture):
    pins = model_lecture.skin_surface.pins
    residual = dict(zip(pins.names, pins.residual_mm))
    assert np.abs(pins.residual_mm).max() <= PIN_RESIDUAL_MM, residual
    for name in LOWER_FACE_PINS:
        assert abs(residual[name]) <= PIN_RESIDUAL_LOWER_FACE_MM, (name, residual[name])


def test_the_lower_face_has_no_lumps(model_lecture):
    m = model_lecture
    p = m.skin[:-1].reshape(m.nv, m.nu, 3)
    origin = np.stack([np.zeros(p.shape[:2]), np.full(p.shape[:2], -5.0), np.clip(p[..., 2], -50.0, 30.0)], axis=-1)
    r = np.linalg.norm(p - origin, axis=-1)
    deviation = r - smooth_grid(r, p, sigma_mm=8.0, reach=10)
    azimuth = np.degrees(np.arctan2(np.abs(p[..., 0]), p[..., 1] + 5.0))
    region = (azimuth > 25) & (azimuth < 85) & (p[..., 2] < -20) & (p[..., 2] > -95)
    assert np.abs(deviation[region]).max() <= LUMP_MM


def test_the_vermilion_lies_between_the_commissures_with_a_cupids_bow(model_lecture):
    m = model_lecture
    verts, faces = vermilion_patch(m)
    assert len(verts) > 50 and len(faces) > 50
    assert faces.max() < len(verts)
    ch = m.anatomy.point("cheilion:left")
    sto = m.anatomy.point("stomion")
    # within the mouth's width, around the stomion's height, on the front of the face
    assert np.abs(verts[:, 0]).max() <= ch[0] + 0.5
    assert np.abs(verts[:, 0]).max() >= ch[0] - 3.0, "the vermilion does not reach the commissures"
    assert verts[:, 2].min() > sto[2] - 12.0 and verts[:, 2].max() < sto[2] + 10.0
    assert verts[:, 1].min() > 60.0
    # the upper border peaks at the philtral columns and dips at the midline (the bow's notch)
    top = {x: verts[np.abs(np.abs(verts[:, 0]) - x) < 1.0, 2].max() for x in (0.0, BOW_X_MM)}
    assert top[BOW_X_MM] > top[0.0] + 0.3, top
    # the field's sign: the stomion is inside, the subnasale and the chin outside
    inside = vermilion_field(np.array([sto, m.anatomy.point("subnasale"), m.anatomy.point("pogonion")]),
                             sto[2], ch[0])
    assert inside[0] > 0 > max(inside[1], inside[2])


def test_the_vermilion_lies_on_the_skin_and_moves_with_it(model_lecture):
    m = model_lecture
    verts, _ = vermilion_patch(m)
    # on the skin, lifted a hair (LIFT_MM) outward: along each vertex's ray, just outside the skin
    u, s, distance = params_of(verts)
    lift = distance - m.skin_surface.radius(u, s)
    assert lift.min() > -0.2 and lift.max() < LIFT_MM + 0.5, (lift.min(), lift.max())
    # a smile moves it with the skin: the commissures go up and back, and the patch with them
    moved = skin_displacement(m, "smile")
    smiling, _ = vermilion_patch(m, m.skin + moved)
    shift = smiling - verts
    assert np.linalg.norm(shift, axis=1).max() > 2.0
    corner = np.abs(verts[:, 0]) > 22.0
    assert shift[corner, 2].mean() > 0.5, "the smile does not lift the corners of the vermilion"
    # a skin moved as a whole carries the patch unchanged in shape
    translated, _ = vermilion_patch(m, m.skin + np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(translated - verts, np.tile([1.0, 2.0, 3.0], (len(verts), 1)), atol=1e-3)


def test_the_ear_is_one_consistently_wound_surface():
    """Every edge of the ear's closed shell is used once in each direction (no patch wound inside out, which
    plotly would shade dark: the ring once seen at the ear's centre)."""
    _, faces = _ear_shape()
    edges = Counter()
    for a, b, c in faces:
        for e in ((a, b), (b, c), (c, a)):
            edges[(int(e[0]), int(e[1]))] += 1
    assert all(n == 1 for n in edges.values())
    assert all((b, a) in edges for a, b in edges)
