"""The lips as a lecturer sees them in three-quarter view, measured on the built skin (issue 11, item 6: on the
MakeHuman head the vermilion read as a flat band; a lecturer expects an upper lip that rolls forward under its
border with a tubercle, a fuller lower lip and corners in shadow).

Measured on the lecture model's skin surface (``skin_surface.radius``, what its mesh samples) along profiles
through the lips. The thresholds are **schematic** targets (about twice the flat lips' numbers; the literature at
hand gives the mouth's outline, not its relief): the flat lips measured an upper roll of 1.0 mm, a lower of 1.0 mm,
a tubercle of 0.9 mm and a commissure standing 0.3 mm proud of its neighbours.
"""

from __future__ import annotations

import numpy as np
import pytest

from facelayers.model.grid import params_of, rays
from facelayers.model.lips import LOWER_MM, UPPER_MM, lip_relief, vermilion_patch, vermilion_shade


def skin_point(model, x_mm, z_mm) -> np.ndarray:
    """The skin point (k, 3) mm in front at each (x, z) (k,): the ray through (x, y, z), re-aimed at the hit's depth."""
    z = np.atleast_1d(np.asarray(z_mm, float))
    x = np.broadcast_to(np.asarray(x_mm, float), z.shape).copy()
    y = np.full_like(z, 100.0)
    for _ in range(4):
        u, s, _ = params_of(np.stack([x, y, z], 1))
        origin, direction = rays(u, s)
        p = origin + direction * model.skin_surface.radius(u, s)[:, None]
        y = p[:, 1]
    return p


def roll_mm(model, x_mm, z0, z1) -> float:
    """How far the lip's profile at x bulges forward (+y) of the chord from height z0 to z1 (mm)."""
    p = skin_point(model, x_mm, np.linspace(z0, z1, 81))
    t = (p[:, 2] - p[0, 2]) / (p[-1, 2] - p[0, 2])
    return float((p[:, 1] - (p[0, 1] + t * (p[-1, 1] - p[0, 1]))).max())


@pytest.fixture(scope="module")
def mouth(model_lecture):
    names, pts = model_lecture.anatomy.landmark_points(on_skin=True)
    lm = dict(zip(names, pts))
    return float(lm["stomion"][2]), float(abs(lm["cheilion:left"][0])), lm


def test_the_upper_lip_rolls_forward_under_its_border(model_lecture, mouth):
    z, _, _ = mouth
    roll = roll_mm(model_lecture, 0.0, z, z + UPPER_MM + 1.5)
    assert roll >= 1.6, f"the upper vermilion bulges {roll:.2f} mm at the midline (flat lips: 1.0)"


def test_the_lower_lip_is_fuller(model_lecture, mouth):
    z, _, _ = mouth
    lower = roll_mm(model_lecture, 0.0, z, z - LOWER_MM - 1.5)
    assert lower >= 1.6, f"the lower vermilion bulges {lower:.2f} mm at the midline (flat lips: 1.0)"
    # beside the tubercle the lower lip is the fuller of the two
    for x in (6.0, 12.0):
        up, low = roll_mm(model_lecture, x, z, z + UPPER_MM + 1.5), roll_mm(model_lecture, x, z, z - LOWER_MM - 1.5)
        assert low > up + 0.3, f"x = {x}: lower lip {low:.2f} mm, upper {up:.2f} mm"


def test_the_upper_lip_has_a_tubercle(model_lecture, mouth):
    """The midline of the upper vermilion stands proud of the vermilion 6 mm either side, more than the philtrum
    does of the skin beside it (which takes out the dental arch's curve)."""
    z, _, _ = mouth

    def proud(height):
        mid = skin_point(model_lecture, 0.0, [height])[0, 1]
        side = 0.5 * (skin_point(model_lecture, 6.0, [height])[0, 1] + skin_point(model_lecture, -6.0, [height])[0, 1])
        return mid - side

    tubercle = proud(z + 2.8) - proud(z + 12.0)
    assert tubercle >= 1.3, f"tubercle {tubercle:.2f} mm (flat lips: 0.9)"


def test_the_commissures_sit_in_a_pit(model_lecture, mouth):
    """Each corner lies behind the chord from the lips 6 mm medial to the cheek 6 mm lateral (in the horizontal
    plane): the modiolus rises beside it. On the flat lips the corner stood 0.3 mm proud of that chord."""
    z, w, _ = mouth
    for sign in (1.0, -1.0):
        a, c, b = (skin_point(model_lecture, sign * x, [z])[0, :2] for x in (w - 6.0, w, w + 6.0))
        d = b - a
        n = np.array([-d[1], d[0]]) / np.hypot(*d)
        n = n if n[1] > 0 else -n  # forward
        depth = float((a - c) @ n)
        assert depth >= 0.4, f"corner at x = {sign * w:.0f}: {depth:.2f} mm behind the chord"


def test_the_relief_leaves_the_cited_points_where_they_are(model_lecture, mouth):
    """Zero at the stomion and the cheilia (the pins' landmarks), so ch-ch stays within the cited 52.0-55.9 mm
    (mps2019, REFERENCE section 9.1) measured on the built skin."""
    z, w, lm = mouth
    points = np.array([lm["stomion"], lm["cheilion:left"], lm["cheilion:right"]], float)
    np.testing.assert_allclose(lip_relief(points, z, w), 0.0, atol=1e-3)
    left, right = skin_point(model_lecture, w, [z])[0], skin_point(model_lecture, -w, [z])[0]
    assert 52.0 <= np.linalg.norm(left - right) <= 55.9


def test_the_corners_are_drawn_in_shadow(model_lecture, mouth):
    z, w, _ = mouth
    verts, _ = vermilion_patch(model_lecture)
    shade = vermilion_shade(model_lecture)
    assert shade.shape == (len(verts),) and np.all((shade >= 0.0) & (shade <= 1.0))
    corner = np.abs(verts[:, 0]) > 0.92 * w
    fullest = (np.abs(verts[:, 0]) < 4.0) & (verts[:, 2] < z - 4.0)
    assert corner.any() and fullest.any()
    assert shade[corner].min() > 0.8 and shade[fullest].max() < 0.05
