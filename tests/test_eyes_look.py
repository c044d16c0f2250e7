"""The eyes and brows a lecturer projects, measured on the built geometry: the fissure's width and shape as drawn
(the lids' own band, facelayers.model.lids), the globe showing exactly through it, the brows on the skin above the
orbital rim measured on the built skull, and how both move with the expressions and a cut branch.

Sources: en-ex 33.7-34.0 mm (mps2019 Table 9, data/sources.csv; REFERENCE section 9.1); brow raise: Jorge 2012
(brow 10.6 mm at full contraction; frontal-branch palsy leaves the brow down, REFERENCE-2 section 6, Seckel).
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.message_meter import MessageMeter
from facelayers.model import brows, eyes, lids
from facelayers.model.attach import on_skin
from facelayers.model.expression import skin_displacement
from facelayers.model.face_measures import globe_meshes
from facelayers.model.grid import params_of
from facelayers.model.skull_measures import _radius, half_depth_edges

#: en-ex, mm (mps2019 Table 9: the two groups' means), and the tolerance the brief allows on the built geometry.
EN_EX_MM = (33.7, 34.0)
TOL_EN_EX_MM = 1.5
#: Resolutions the fissure is checked at: the lecture grid (118 x 73) and the fine grid (256 x 156). The band does
#: not depend on the grid, but the grid's opening under it and the landmark pins that place it do: at 96 x 56 the
#: grid's triangles still cover a sliver of the right globe within ~1 mm of the medial canthus, and the tests'
#: coarse 64 x 34 grid pins the lateral canthus further back (en-ex 35.7 mm).
RESOLUTIONS = ("lecture", "fine")
#: The brow raise must lift the brow by at least this much (mm; Jorge 2012 measured 10.6 at the brow, the model's
#: frontalis moves the brow's band by ~5-7 on average over its length); a cut frontal branch leaves under 1 mm.
BROW_RAISE_MIN_MM = 4.0
BROW_CUT_MAX_MM = 1.0


def _front_y(verts, faces, xz):
    """(k,) y of the frontmost triangle of a mesh under points seen from the front (-inf where none)."""
    out = np.full(len(xz), -np.inf)
    for i, p in enumerate(xz):
        try:
            tie = on_skin(np.asarray(verts, float), np.asarray(faces), p[None], front_y_mm=-1e9)
        except ValueError:
            continue
        out[i] = tie.rest[0, 1]
    return out


@pytest.mark.parametrize("resolution", RESOLUTIONS)
def test_the_fissure_is_as_wide_as_the_data_and_the_globe_shows_through_all_of_it(model_at, resolution):
    m = model_at(resolution)
    for side, sign in (("left", 1.0), ("right", -1.0)):
        f = lids.drawn_fissure(m, side)
        assert EN_EX_MM[0] - TOL_EN_EX_MM <= f["width_mm"] <= EN_EX_MM[1] + TOL_EN_EX_MM, (resolution, f["width_mm"])
        # Inside the margins (0.8 mm in from each margin, along the fissure) the globe is the frontmost surface:
        # neither the skin's grid nor the lids' band covers it.
        up, lo = f["upper"], f["lower"]
        k = np.linspace(0.02, 0.98, 25)
        xs = np.interp(k, np.linspace(0, 1, len(up)), up[:, 0])
        z_up = np.interp(xs * sign, up[:, 0] * sign, up[:, 2])
        z_lo = np.interp(xs * sign, lo[:, 0] * sign, lo[:, 2])
        # (where the fissure is over 1.6 mm tall: the last ~1 mm by each canthus is the corner itself)
        ok = (z_up - z_lo) > 1.6
        xs, z_up, z_lo = xs[ok], z_up[ok], z_lo[ok]
        inside = np.concatenate([np.stack([xs, z_up - 0.8], 1), np.stack([xs, z_lo + 0.8], 1),
                                 np.stack([xs, 0.5 * (z_up + z_lo)], 1)])
        gv, gf, _ = globe_meshes(m)[0 if side == "left" else 1]
        y_globe = _front_y(gv, gf, inside)
        y_skin = _front_y(m.skin, m.faces, inside)
        assert np.all(y_globe > y_skin), (resolution, side, inside[y_globe <= y_skin])


def test_the_fissure_is_an_almond_with_a_positive_canthal_tilt(model_lecture):
    """The lateral canthus higher than the medial (positive tilt, ~2 mm); the upper margin peaks medial to the
    pupil's centre, the lower is lowest lateral to it."""
    for side, sign in (("left", 1.0), ("right", -1.0)):
        f = lids.drawn_fissure(model_lecture, side)
        assert 0.5 <= f["tilt_mm"] <= 4.0, f["tilt_mm"]
        pupil_x = sign * eyes.PUPIL_MM[0]
        top = f["upper"][np.argmax(f["upper"][:, 2])]
        bottom = f["lower"][np.argmin(f["lower"][:, 2])]
        assert abs(top[0]) < abs(pupil_x), top
        assert abs(bottom[0]) > abs(pupil_x), bottom
        # wider than tall (Farkas' index ps-pi / en-ex about a third)
        height = top[2] - bottom[2]
        assert 0.25 <= height / f["width_mm"] <= 0.45


def test_the_fissures_are_mirror_images(model_lecture):
    left, right = lids.drawn_fissure(model_lecture, "left"), lids.drawn_fissure(model_lecture, "right")
    assert left["width_mm"] == pytest.approx(right["width_mm"], abs=0.05)
    np.testing.assert_allclose(left["medial"] * [-1, 1, 1], right["medial"], atol=0.05)


def _rim_z(model, x_mm: float) -> float:
    """Height (mm) of the supraorbital rim on the built skull: the upper half-depth edge of the orbit's pit on
    the vertical through (x_mm, the pupil's height)."""
    u, _, _ = params_of(np.array([[x_mm, 80.0, eyes.PUPIL_MM[2]]]))
    s = np.linspace(-20.0, 60.0, 400)
    row = model.skull_at(np.full_like(s, u[0]), s)
    _, hi = half_depth_edges(s, _radius(row), eyes.PUPIL_MM[2])
    return float(model.skull_at(np.array([u[0]]), np.array([hi]))[0, 2])


def test_the_brows_lie_on_the_skin(model_lecture):
    m = model_lecture
    for side in ("left", "right"):
        b = brows.brow_points(m, side)
        tie = brows._ties(m)[0 if side == "left" else 1][0]
        tri = m.skin[tie.index]
        n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
        n /= np.linalg.norm(n, axis=1, keepdims=True)
        dist = np.abs(((b - tri[:, 0]) * n).sum(1))
        assert dist.max() < 1.0 and dist.min() > 0.05, (dist.min(), dist.max())


def test_the_brows_lie_above_the_supraorbital_rim(model_lecture):
    """A woman's brow (the reference patient) arches above the rim: its lower edge over the pupil lies above the
    rim measured on the built skull; the whole brow lies in front of the skull (on the soft tissue)."""
    m = model_lecture
    rim = _rim_z(m, eyes.PUPIL_MM[0])
    b = brows.brow_points(m, "left").reshape(brows.N_ACROSS, brows.N_ALONG, 3)
    lower = b[0]
    z_at_pupil = np.interp(eyes.PUPIL_MM[0], lower[:, 0], lower[:, 2])
    assert z_at_pupil > rim, (z_at_pupil, rim)
    assert z_at_pupil < rim + 8.0
    # the brow's head lies over the medial canthus, its tail lateral to the lateral canthus
    en, ex = m.anatomy.point("endocanthion:left"), m.anatomy.point("exocanthion:left")
    assert lower[0, 0] < en[0] and lower[-1, 0] > ex[0]


def test_a_mans_brow_is_lower_and_flatter(model_at):
    from facelayers.model.geometry import build_face
    from facelayers.model.patient import Patient

    woman = model_at("coarse")
    man = build_face(resolution="coarse", patient=Patient(sex="male"))
    bw = brows.brow_points(woman, "left").reshape(brows.N_ACROSS, brows.N_ALONG, 3)[0]
    bm = brows.brow_points(man, "left").reshape(brows.N_ACROSS, brows.N_ALONG, 3)[0]
    zw = np.interp(eyes.PUPIL_MM[0] + 6.0, bw[:, 0], bw[:, 2])
    zm = np.interp(eyes.PUPIL_MM[0] + 6.0, bm[:, 0], bm[:, 2])
    assert zm < zw - 1.5
    # flatter: the arch (peak over the head) smaller
    assert (bm[:, 2].max() - bm[0, 2]) < (bw[:, 2].max() - bw[0, 2])


def _brow_move(m, side, **kw):
    d = skin_displacement(m, **kw)
    return brows.brow_points(m, side, m.skin + d) - brows.brow_points(m, side)


def test_the_brows_rise_with_frontalis_and_stay_down_where_the_frontal_branch_is_cut(model_lecture):
    m = model_lecture
    for side in ("left", "right"):
        assert _brow_move(m, side, expression="raise_brows")[:, 2].mean() > BROW_RAISE_MIN_MM
    cut = dict(expression="raise_brows", cut=["frontal:left"])
    assert abs(_brow_move(m, "left", **cut)[:, 2].mean()) < BROW_CUT_MAX_MM
    assert _brow_move(m, "right", **cut)[:, 2].mean() > BROW_RAISE_MIN_MM


def test_the_frown_draws_the_brows_down_and_together(model_lecture):
    m = model_lecture
    for side, sign in (("left", 1.0), ("right", -1.0)):
        d = _brow_move(m, side, expression="frown").reshape(brows.N_ACROSS, brows.N_ALONG, 3)
        head = d[:, :8].reshape(-1, 3)
        assert head[:, 2].mean() < -2.0  # down
        assert (head[:, 0] * sign).mean() < -0.8  # toward the midline


def test_the_lashes_move_with_the_lids(model_lecture):
    """Closing the eyes brings the upper lashes down with the upper margin (~9 mm, Jorge 2012 eyelid 9.1 mm) and
    the lower ones up; with the zygomatic branch cut on the left the left lashes barely move (lagophthalmos)."""
    m = model_lecture
    tie, up = lids.lash_tie(m, "left")
    d = skin_displacement(m, "close_eyes")
    move = tie.follow(m.skin, m.skin + d) - tie.rest
    assert move[up, 2].mean() < -6.0
    assert move[~up, 2].mean() > 1.0
    cut = skin_displacement(m, "close_eyes", cut=["zygomatic:left"])
    weak = tie.follow(m.skin, m.skin + cut) - tie.rest
    assert weak[up, 2].mean() > 0.5 * move[up, 2].mean()
    # closed: the upper margin comes down to or past the lower one on the pupil's vertical
    f = lids.drawn_fissure(m, "left", m.skin + d)
    x = eyes.PUPIL_MM[0]
    assert np.interp(x, f["upper"][:, 0], f["upper"][:, 2]) <= np.interp(x, f["lower"][:, 0], f["lower"][:, 2]) + 0.5


def test_an_expression_change_sends_the_brows_and_lashes_and_stays_small(model_lecture):
    from facelayers.widgets.expression_explorer import ExpressionExplorer

    ex = ExpressionExplorer(model_lecture)
    meter = MessageMeter(ex.figure, keep=True)
    before = np.asarray(next(t for t in ex.figure.data if t.name == "expr:after:eyes").z, float).copy()
    ex.expression.value = "raise_brows"
    assert meter.bytes <= 300_000, meter.bytes
    assert {"expr:before:eyes", "expr:after:eyes"} <= meter.touched
    after = np.asarray(next(t for t in ex.figure.data if t.name == "expr:after:eyes").z, float)
    assert (after - before).max() > BROW_RAISE_MIN_MM  # the brows in the eyes trace rose


# ----------------------------------------------------------------------------------------------------
# The ties, on a tiny analytic fixture: a flat square at y = 10 (two triangles) that moves.

SQUARE = np.array([[0.0, 10.0, 0.0], [10.0, 10.0, 0.0], [10.0, 10.0, 10.0], [0.0, 10.0, 10.0]])
SQUARE_FACES = np.array([[0, 1, 2], [0, 2, 3]])


def test_on_skin_lies_on_the_triangle_and_follows_it():
    from facelayers.model.attach import on_skin

    tie = on_skin(SQUARE, SQUARE_FACES, np.array([[2.0, 7.0], [8.0, 1.0]]))
    np.testing.assert_allclose(tie.rest, [[2.0, 10.0, 7.0], [8.0, 10.0, 1.0]])
    np.testing.assert_allclose(tie.weight.sum(1), 1.0)
    moved = SQUARE + [0.0, 0.0, 3.0]
    np.testing.assert_allclose(tie.follow(SQUARE, moved), tie.rest + [0.0, 0.0, 3.0])
    # a shear moves a point by its share of each vertex
    shear = SQUARE.copy()
    shear[:, 0] += SQUARE[:, 2] * 0.1
    np.testing.assert_allclose(tie.follow(SQUARE, shear)[:, 0], [2.7, 8.1])


def test_on_skin_refuses_a_point_off_the_skin():
    from facelayers.model.attach import on_skin

    with pytest.raises(ValueError, match=r"\(x, z\) = \(20.0, 5.0\).*allowed: points on the face"):
        on_skin(SQUARE, SQUARE_FACES, np.array([[20.0, 5.0]]))
    # near the square but outside both triangles
    with pytest.raises(ValueError, match=r"\(x, z\) = \(12.0, 5.0\).*allowed: points on the face"):
        on_skin(SQUARE, SQUARE_FACES, np.array([[5.0, 5.0], [12.0, 5.0]]))


def test_near_skin_weights_the_nearest_eligible_vertices():
    from facelayers.model.attach import near_skin

    tie = near_skin(SQUARE, np.array([[1.0, 10.0, 1.0]]), np.array([True, True, False, True]), k=3)
    assert 2 not in tie.index[0] and tie.anchor[0] == 0
    np.testing.assert_allclose(tie.weight.sum(1), 1.0)
    with pytest.raises(ValueError, match="2 eligible skin vertices; need at least k = 3"):
        near_skin(SQUARE, np.array([[1.0, 10.0, 1.0]]), np.array([True, True, False, False]), k=3)
