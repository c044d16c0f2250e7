"""Expressions driven by the muscles (issue 13 item 1): measured on the displaced skin of the real model."""

from __future__ import annotations

import numpy as np
import pytest

from facelayers.model.expression import (
    EXPRESSIONS,
    interface_displacement,
    moved_surfaces,
    muscle_fields,
    skin_displacement,
    skin_normals,
    supply,
)

REQUIRED = {"rest", "raise_brows", "frown", "close_eyes", "smile", "show_lower_teeth", "pucker", "tense_neck"}


def _vertex(model, point):
    """Index of the skin vertex nearest the skin point on the ray through ``point``."""
    target = model.stack_under(np.asarray(point, float)[None, :]).points[0, 0]
    return int(np.argmin(np.linalg.norm(model.skin - target, axis=1)))


def _brow(model, side):
    """A skin point on the mid brow (above the pupil, just above the orbital rim)."""
    sign = 1 if side == "left" else -1
    return _vertex(model, [sign * 30.0, 82.0, 30.0])


def test_the_expressions_of_the_issue_exist(model_coarse):
    assert REQUIRED <= set(EXPRESSIONS)
    for name in EXPRESSIONS:
        d = skin_displacement(model_coarse, name)
        assert d.shape == (model_coarse.n_vertices, 3) and d.dtype == np.float64 and np.isfinite(d).all()
    assert not skin_displacement(model_coarse, "rest").any()


@pytest.mark.parametrize("side", ["left", "right"])
def test_raised_brow_moves_up_by_about_a_centimetre(model_coarse, side):
    d = skin_displacement(model_coarse, "raise_brows")[_brow(model_coarse, side)]
    assert 7.0 <= np.linalg.norm(d) <= 11.5, d  # Jorge 2012: 10.6 mm (6.0-13.1) at maximum
    assert np.degrees(np.arccos(d[2] / np.linalg.norm(d))) < 35, d  # up, along the forehead


def test_frown_pulls_the_brows_down_and_together(model_coarse):
    for side, sign in (("left", 1), ("right", -1)):
        d = skin_displacement(model_coarse, "frown")[_vertex(model_coarse, [sign * 30.0, 82.0, 33.0])]
        assert sign * d[0] < -2.0, d  # toward the midline
        assert d[2] < 0.0, d         # down


def test_smile_pulls_the_mouth_corner_up_and_out(model_coarse):
    for side, sign in (("left", 1), ("right", -1)):
        i = _vertex(model_coarse, model_coarse.anatomy.point(f"cheilion:{side}"))
        d = skin_displacement(model_coarse, "smile")[i]
        assert d[2] > 3.0 and sign * d[0] > 2.0, d
        assert 5.0 <= np.linalg.norm(d) <= 12.5, d  # Jorge 2012: 9.3 mm (6.5-12.1)


def test_close_eyes_closes_the_lids_and_show_lower_teeth_pulls_the_lip_down(model_coarse):
    upper_lid = _vertex(model_coarse, [32.0, 78.0, 17.0])
    lower_lid = _vertex(model_coarse, [32.0, 78.0, 7.0])
    d = skin_displacement(model_coarse, "close_eyes")
    assert d[upper_lid, 2] < -2.5 and d[lower_lid, 2] > 2.5
    lip = _vertex(model_coarse, [14.0, 80.0, -57.0])
    assert skin_displacement(model_coarse, "show_lower_teeth")[lip, 2] < -3.0


def test_a_cut_side_stays_still_while_the_other_moves(model_coarse):
    d = skin_displacement(model_coarse, "raise_brows", cut=["frontal:left"])
    assert np.linalg.norm(d[_brow(model_coarse, "left")]) < 0.5
    assert np.linalg.norm(d[_brow(model_coarse, "right")]) > 7.0
    # Over the whole left forehead, not only one point.
    left = (model_coarse.skin[:, 0] > 12) & (model_coarse.skin[:, 2] > 30) & (model_coarse.skin[:, 1] > 40)
    assert np.linalg.norm(d[left], axis=1).max() < 1.0


def test_marginal_mandibular_cut_leaves_the_lower_lip_up_on_that_side(model_coarse):
    d = skin_displacement(model_coarse, "show_lower_teeth", cut=["marginal_mandibular:left"])
    left, right = _vertex(model_coarse, [14.0, 80.0, -57.0]), _vertex(model_coarse, [-14.0, 80.0, -57.0])
    assert abs(d[left, 2]) < 1.5, d[left]
    assert -d[right, 2] > 3.0, d[right]


def test_cervical_cut_keeps_the_lower_lip_moving(model_coarse):
    """The cervical branch's pseudo-paralysis: platysma's pull goes, the lip depressors stay (Daane 2003)."""
    full = skin_displacement(model_coarse, "show_lower_teeth")
    cut = skin_displacement(model_coarse, "show_lower_teeth", cut=["cervical:left"])
    lip = _vertex(model_coarse, [14.0, 80.0, -57.0])
    assert cut[lip, 2] < -3.0 and cut[lip, 2] <= 0.8 * full[lip, 2], (cut[lip], full[lip])
    neck = _vertex(model_coarse, [35.0, 40.0, -100.0])
    assert np.linalg.norm(cut[neck]) < 0.3 * np.linalg.norm(full[neck])


def test_trunk_cut_stops_every_facial_muscle_on_that_side(model_coarse):
    left_half = model_coarse.skin[:, 0] > 6
    for name in EXPRESSIONS:
        d = skin_displacement(model_coarse, name, cut=["trunk:left"])
        assert np.linalg.norm(d[left_half], axis=1).max() < 0.5, name


def test_stretch_is_a_partial_loss(model_coarse):
    full = skin_displacement(model_coarse, "raise_brows")
    half = skin_displacement(model_coarse, "raise_brows", cut=["frontal:left:stretch"])
    i = _brow(model_coarse, "left")
    assert 0.3 < np.linalg.norm(half[i]) / np.linalg.norm(full[i]) < 0.7


def test_a_divided_muscle_leaves_the_others(model_coarse):
    divided = ["corrugator_supercilii", "procerus"]
    frown = skin_displacement(model_coarse, "frown", divided=divided)
    intact = skin_displacement(model_coarse, "frown")
    i = _vertex(model_coarse, [30.0, 82.0, 33.0])
    assert np.linalg.norm(frown[i]) < 0.35 * np.linalg.norm(intact[i])
    for name in ("raise_brows", "close_eyes", "smile"):
        np.testing.assert_allclose(skin_displacement(model_coarse, name, divided=divided),
                                   skin_displacement(model_coarse, name))
    one_side = skin_displacement(model_coarse, "frown", divided=["corrugator_supercilii:left"])
    j = _vertex(model_coarse, [-30.0, 82.0, 33.0])
    np.testing.assert_allclose(one_side[j], intact[j])


def test_strength_scales_the_movement(model_coarse):
    full = skin_displacement(model_coarse, "smile")
    np.testing.assert_allclose(skin_displacement(model_coarse, "smile", strength=0.5), 0.5 * full, atol=1e-9)
    assert not skin_displacement(model_coarse, "smile", strength=0.0).any()


def test_one_side_only(model_coarse):
    d = skin_displacement(model_coarse, "smile", side="left")
    right_half = model_coarse.skin[:, 0] < -6
    assert np.linalg.norm(d[right_half], axis=1).max() < 0.3
    assert np.linalg.norm(d[~right_half], axis=1).max() > 5


@pytest.mark.parametrize("expression, muscle", [("raise_brows", "frontalis"), ("frown", "corrugator_supercilii"),
                                                ("close_eyes", "orbicularis_oculi"), ("pucker", "orbicularis_oris")])
def test_wrinkles_lie_perpendicular_to_the_pull(model_lecture, expression, muscle):
    """Over the grid's edges where the wrinkles are deepest, the wrinkle displacement changes fast along the
    fibres and slowly across them: its crests lie perpendicular to the line of action."""
    model_coarse = model_lecture  # the lecture grid (a row every ~3 mm) resolves an 8 mm period
    field = muscle_fields(model_coarse)[(muscle, "left")]
    # The muscle's own wrinkles: the frown's other muscles (procerus, depressor supercilii) cross the corrugator's
    # vertical lines with their transverse ones at the nasal root, inside the corrugator's zone, so they are divided
    # here (the other expressions have one muscle each).
    others = [m for m in EXPRESSIONS[expression].muscles if m != muscle]
    w = skin_displacement(model_coarse, expression, side="left", divided=others) - skin_displacement(
        model_coarse, expression, side="left", wrinkles=False, divided=others)
    height = (w * skin_normals(model_coarse)).sum(1)  # the wrinkles' relief along the skin normal, mm
    f = model_coarse.faces
    pairs = np.unique(np.sort(np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]]), axis=1), axis=0)
    env = np.linalg.norm(field.wrinkle, axis=1)
    strong = env[pairs].min(1) > 0.3 * env.max()
    pairs = pairs[strong]
    assert len(pairs) >= 8
    edge = model_coarse.skin[pairs[:, 1]] - model_coarse.skin[pairs[:, 0]]
    length = np.linalg.norm(edge, axis=1)
    along = np.abs((edge * field.direction[pairs[:, 0]]).sum(1)) / length
    slope = np.abs(height[pairs[:, 1]] - height[pairs[:, 0]]) / length
    parallel, across = slope[along > 0.8], slope[along < 0.45]
    assert len(parallel) and len(across)
    assert parallel.mean() > 2.0 * across.mean(), (parallel.mean(), across.mean())


def test_layers_move_down_to_the_deepest_muscle(model_coarse):
    # The corrugator lies in the muscle layer: it moves the outer face of the muscle layer; frontalis does not.
    assert np.abs(interface_displacement(model_coarse, "frown", 3)).max() > 1.0
    assert not interface_displacement(model_coarse, "raise_brows", 3).any()
    assert np.abs(interface_displacement(model_coarse, "raise_brows", 2)).max() > 5.0
    assert moved_surfaces(model_coarse, "raise_brows") == (0, 1, 2)
    assert moved_surfaces(model_coarse, "frown") == (0, 1, 2, 3)
    # Wrinkles are on the skin only.
    a = interface_displacement(model_coarse, "raise_brows", 1)
    b = interface_displacement(model_coarse, "raise_brows", 1, wrinkles=False)
    np.testing.assert_array_equal(a, b)


def test_supply_shares(model_coarse):
    left = supply(model_coarse, cut=["frontal:left"])
    assert left[("frontalis", "left")] == 0 and left[("frontalis", "right")] == 1
    assert left[("corrugator_supercilii", "left")] == pytest.approx(0.3)  # its zygomatic twigs
    assert supply(model_coarse, cut=["trunk:left"])[("masseter", "left")] == 1  # trigeminal, not facial


@pytest.mark.parametrize("kwargs, message", [
    ({"expression": "smirk"}, "expression 'smirk' is not known; allowed: rest, raise_brows, frown"),
    ({"expression": "smile", "cut": ["frontal:up"]}, "cut item 'frontal:up' is not known"),
    ({"expression": "smile", "cut": ["temporal:left"]}, "BRANCH one of trunk, frontal, zygomatic, buccal"),
    ({"expression": "smile", "cut": ["frontal:left:crushed"]}, "'BRANCH:SIDE:stretch'"),
    ({"expression": "smile", "divided": ["corrugator"]}, "divided item 'corrugator' is not known"),
    ({"expression": "smile", "divided": ["procerus:middle"]}, "SIDE one of left, right"),
    ({"expression": "smile", "strength": 2}, "strength = 2: must be a number from 0 to 1"),
    ({"expression": "smile", "strength": "lots"}, "strength = 'lots'"),
    ({"expression": "smile", "side": "middle"}, "side 'middle' is not known; allowed: both, left, right"),
])
def test_bad_names_are_clear_errors(model_coarse, kwargs, message):
    with pytest.raises(ValueError) as err:
        skin_displacement(model_coarse, **kwargs)
    assert message in str(err.value)
