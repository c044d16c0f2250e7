"""The muscles as bodies (issue 11 item 3): every fact measured on the built meshes, not read back from the
table: each body inside its layer, its long axis along its line of action, its ends at the cited origin and
insertion, its belly as thick as the data (or filling a thinner layer), closed; and bad body data refused."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import numpy as np
import pytest

from facelayers.anatomy.validation import validate_data_dir
from facelayers.model.geometry import layer_index
from facelayers.model.grid import params_of
from facelayers.model.muscles import (
    MAX_FILL,
    SIDES,
    bodies,
    build_body,
    place_of,
    summary_text,
)

#: The muscles issue 11 asks for (levator labii superioris with and without alaeque nasi).
ISSUE_MUSCLES = {
    "frontalis", "corrugator_supercilii", "procerus", "depressor_supercilii", "orbicularis_oculi",
    "zygomaticus_major", "zygomaticus_minor", "levator_labii_superioris", "levator_labii_superioris_alaeque_nasi",
    "levator_anguli_oris", "risorius", "orbicularis_oris", "depressor_anguli_oris", "depressor_labii_inferioris",
    "mentalis", "platysma", "buccinator", "masseter", "temporalis",
}


@pytest.fixture(scope="module")
def built(model_coarse):
    return bodies(model_coarse)


def test_every_muscle_of_the_issue_has_a_body_with_its_facts(model_coarse):
    anatomy = model_coarse.anatomy
    assert ISSUE_MUSCLES <= set(anatomy.muscles)
    for mid in ISSUE_MUSCLES:
        m = anatomy.muscle(mid)
        assert m.body is not None and m.attachments and m.nerve_group, mid
        assert m.body["thickness"]["value_mm"] > 0, mid
        if m.nerve_group != "trigeminal_v3":
            assert m.action_units, mid
    assert anatomy.muscle("zygomaticus_major").action_units == ("AU12",)
    assert anatomy.muscle("frontalis").action_units == ("AU1", "AU2")
    assert anatomy.muscle("corrugator_supercilii").nerve_shares() == pytest.approx({"frontal": 0.7, "zygomatic": 0.3})


def _depth_below_skin(model, points):
    """Depth of points (n, 3) below the skin along their rays, and the interface depths (n, 6) there."""
    u, s, dist = params_of(points)
    st = model.stack_at(u, s)
    skin_dist = params_of(st.points[:, 0])[2]
    return skin_dist - dist, st.depth


@pytest.mark.parametrize("side", SIDES)
def test_each_body_lies_inside_its_layer(model_coarse, built, side):
    for mid in model_coarse.anatomy.muscles:
        b = built[(mid, side)]
        depth, interfaces = _depth_below_skin(model_coarse, b.vertices.astype(float))
        k = b.layer
        assert (depth >= interfaces[:, k] - 0.02).all(), (mid, side, float((interfaces[:, k] - depth).max()))
        assert (depth <= interfaces[:, k + 1] + 0.02).all(), (mid, side, float((depth - interfaces[:, k + 1]).max()))
        assert k == layer_index(model_coarse.anatomy.muscle(mid).layer)


def test_bodies_are_closed_meshes(built):
    for key, b in built.items():
        edges = Counter()
        for f in b.faces:
            for i in range(3):
                a, c = int(f[i]), int(f[(i + 1) % 3])
                edges[(min(a, c), max(a, c))] += 1
        assert set(edges.values()) == {2}, key


def test_long_axis_follows_the_line_of_action(model_coarse, built):
    """For every strap longer than it is wide, the principal axis of the body's vertices lies within 15
    degrees of the chord from its origin to its insertion (the line of action)."""
    checked = 0
    for mid, muscle in model_coarse.anatomy.muscles.items():
        if muscle.body["shape"] != "strap":
            continue
        b = built[(mid, "left")]
        chord = b.centreline[-1] - b.centreline[0]
        if np.linalg.norm(chord) < 1.5 * max(muscle.body["width_mm"]):
            continue
        angle = np.degrees(np.arccos(abs(b.long_axis() @ chord) / np.linalg.norm(chord)))
        assert angle < 15.0, (mid, angle)
        checked += 1
    assert checked >= 12


@pytest.mark.parametrize("side", SIDES)
def test_ends_lie_at_the_cited_origin_and_insertion(model_coarse, built, side):
    """The body's centreline starts under the origin and ends under the insertion: its ends lie on the skin
    rays through the cited points (within 1 mm on the skin) and inside the muscle's layer there."""
    sign = 1.0 if side == "left" else -1.0
    for mid, muscle in model_coarse.anatomy.muscles.items():
        if muscle.body["shape"] != "strap":
            continue
        b = built[(mid, side)]
        for end, key in ((b.centreline[0], "origin"), (b.centreline[-1], "insertion")):
            cited = place_of(model_coarse.anatomy, muscle.body[key]) * [sign, 1, 1]
            st = model_coarse.stack_under(cited[None, :])
            on_skin = model_coarse.stack_under(end[None, :]).points[0, 0]
            assert np.linalg.norm(on_skin - st.points[0, 0]) < 1.0, (mid, side, key)
            k = b.layer
            top, bottom = st.points[0, k], st.points[0, k + 1]
            gap = np.linalg.norm(end - 0.5 * (top + bottom))
            assert gap <= 0.5 * np.linalg.norm(top - bottom) + 0.05, (mid, side, key, gap)


def test_ring_muscles_surround_the_eye_and_the_mouth(model_coarse, built):
    eye = model_coarse.stack_under(model_coarse.anatomy.point("midpalpebral:left")[None, :]).points[0, 0]
    ring = built[("orbicularis_oculi", "left")].centreline
    d = np.linalg.norm(ring - eye, axis=1)
    assert d.min() > 5 and d.max() < 35
    # The mouth's ring is two halves meeting on the midline.
    for side, sign in (("left", 1), ("right", -1)):
        c = built[("orbicularis_oris", side)].centreline
        assert (sign * c[:, 0] >= -0.5).all() and abs(c[0, 0]) < 1.0 and abs(c[-1, 0]) < 1.0


def test_belly_thickness_is_the_cited_one_or_fills_a_thinner_layer(model_coarse, built):
    for (mid, side), b in built.items():
        muscle = model_coarse.anatomy.muscle(mid)
        cited = muscle.body["thickness"]["value_mm"]
        assert b.thickness_mm == cited
        if b.fills_layer:
            assert b.belly_mm < cited
        else:
            assert b.belly_mm == pytest.approx(cited, abs=0.05), (mid, side)
    # Measured, not schematic, and big enough to check on the model: Kiliaridis 1991, men at rest.
    assert built[("masseter", "left")].belly_mm == pytest.approx(9.7, abs=0.05)
    assert not built[("masseter", "left")].fills_layer


def test_belly_is_measured_across_the_skin(model_coarse, built):
    """The cited thickness is across the skin, as the data's layers are (``Stack.perpendicular``); the sheets are
    laid along the rays, so on the mesh the belly's length along its ray times the stack's factor there is the
    cited value, and the two measures differ where the factor is not 1 (up to ~8 % here: temporalis, buccinator,
    levator anguli oris; the masseter's 15 % came from a lump the skull's old fit raised at mid-masseter)."""
    from facelayers.model.muscles import N_ACROSS, N_ALONG

    n_sheet = N_ALONG * N_ACROSS
    i = (N_ALONG // 2) * N_ACROSS + N_ACROSS // 2  # the middle of the belly on the top sheet
    checked = 0
    differs = 0.0
    for (mid, side), b in built.items():
        if b.shape != "strap" or b.fills_layer:
            continue
        along = float(np.linalg.norm(b.vertices[i].astype(float) - b.vertices[n_sheet + i].astype(float)))
        st = model_coarse.stack_under(b.skin[i][None, :])
        factor = float(st.perpendicular[0, b.layer] / st.thickness[0, b.layer])
        assert along * factor == pytest.approx(b.thickness_mm, abs=0.02), (mid, side, along, factor)
        differs = max(differs, abs(along - b.belly_mm))
        checked += 1
    assert checked >= 4
    # measured along the ray some belly would not be its cited thickness (by five times the check's tolerance)
    assert differs > 0.1


def test_belly_fill_is_capped_inside_the_layer(model_coarse):
    b = build_body(model_coarse, "frontalis", "left")
    assert b.fills_layer
    depth, interfaces = _depth_below_skin(model_coarse, b.vertices.astype(float))
    layer = interfaces[:, b.layer + 1] - interfaces[:, b.layer]
    assert (depth - interfaces[:, b.layer] <= layer).all()
    assert b.belly_mm <= MAX_FILL * layer.max() + 1e-6


def test_build_body_errors_name_what_is_allowed(model_coarse):
    with pytest.raises(ValueError, match="side 'middle' is not known; allowed: left, right"):
        build_body(model_coarse, "frontalis", "middle")
    with pytest.raises(ValueError, match="frontalis"):
        build_body(model_coarse, "frontalus", "left")


def test_summary_text_lists_every_muscle(model_coarse):
    text = summary_text(model_coarse)
    assert len(text.splitlines()) == 1 + len(model_coarse.anatomy.muscles)
    assert "Masseter" in text and "9.7mm" in text


def _corrupt(tmp_path, change):
    from pathlib import Path

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data", data)
    doc = json.loads((data / "muscles.json").read_text())
    change({m["muscle_id"]: m for m in doc["muscles"]})
    (data / "muscles.json").write_text(json.dumps(doc, indent=2))
    return [str(p) for p in validate_data_dir(data)]


@pytest.mark.parametrize("change, expected", [
    (lambda m: m["corrugator_supercilii"]["body"]["thickness"].pop("source_id"),
     "(muscle corrugator_supercilii): field 'body.thickness.source_id'"),
    (lambda m: m["corrugator_supercilii"]["accessory_nerve_groups"][0].update(group="zygo"),
     "field 'accessory_nerve_groups[0].group' = 'zygo': must be a group of nerves.json"),
    (lambda m: m["orbicularis_oculi"]["body"]["ring"].update(inner_mm=[30, 6]),
     "field 'body.ring.inner_mm' = '[30, 6]': must be smaller than outer_mm"),
    (lambda m: m["frontalis"]["body"].update(origin="no_such_landmark"),
     "field 'body.origin' = 'no_such_landmark': must be a landmark_id of landmarks.csv"),
    (lambda m: m["risorius"]["body"].pop("width_mm"), "(muscle risorius)"),
    (lambda m: m["masseter"]["body"]["thickness"].update(value_mm=-1), "(muscle masseter): field 'body.thickness.value_mm'"),
])
def test_bad_body_data_is_refused_with_a_clear_line(tmp_path, change, expected):
    problems = _corrupt(tmp_path, change)
    assert any(expected in p and p.startswith("muscles.json line ") for p in problems), problems
    assert len(problems) <= 2, problems
