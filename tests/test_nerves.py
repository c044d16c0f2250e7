"""Nerves, muscles and danger zones placed in the real model (issue 3)."""

from __future__ import annotations

import numpy as np
import pytest

from facelayers.core.frame import LAYERS
from facelayers.core.polygons import point_in_polygon
from facelayers.model.geometry import layer_index
from facelayers.model.grid import params_of
from facelayers.model.nerves import place, place_all, summary_text
from facelayers.model.outlines import outline_params


@pytest.fixture(scope="module")
def paths(model_coarse):
    return place_all(model_coarse)


def test_every_nerve_stays_in_its_declared_layer_between_same_layer_waypoints(model_coarse, paths):
    anatomy = model_coarse.anatomy
    for (nid, side), path in paths.items():
        wps = anatomy.nerves[nid].waypoints
        for i in range(len(wps) - 1):
            a, b = path.waypoint_at[i], path.waypoint_at[i + 1]
            if wps[i].layer != wps[i + 1].layer or wps[i].at_landmark or wps[i + 1].at_landmark:
                continue
            k = layer_index(wps[i].layer)
            depth = path.depth_mm[a:b + 1]
            top = path.interfaces_mm[a:b + 1, k]
            bottom = path.interfaces_mm[a:b + 1, k + 1]
            assert np.all(depth >= top - 1e-6) and np.all(depth <= bottom + 1e-6), (
                f"{nid} ({side}) leaves the {wps[i].layer} between waypoints {i} and {i + 1}")


def test_waypoints_sit_at_their_declared_depth(model_coarse, paths):
    anatomy = model_coarse.anatomy
    for (nid, side), path in paths.items():
        for i, wp in enumerate(anatomy.nerves[nid].waypoints):
            j = path.waypoint_at[i]
            k = layer_index(wp.layer)
            if wp.at_landmark or wp.band is not None:
                continue  # at its landmark, or in a layer-4 band: tested in test_literature_planes.py
            # (layer, fraction) is a position on the ray: measured along it
            ifc = path.ray_interfaces_mm
            want = ifc[j, k] + wp.fraction * (ifc[j, k + 1] - ifc[j, k])
            assert path.ray_depth_mm[j] == pytest.approx(want, abs=1e-6), (nid, side, i)


def test_nerve_points_lie_on_their_rays_under_the_waypoint_positions(model_coarse, paths):
    anatomy = model_coarse.anatomy
    for (nid, side), path in paths.items():
        for i, wp in enumerate(anatomy.nerves[nid].waypoints):
            target = wp.position(anatomy) * np.array([1 if side == "left" else -1, 1, 1])
            u_t, s_t, _ = params_of(target)
            u_p, s_p, _ = params_of(path.points[path.waypoint_at[i]])
            assert u_p[0] == pytest.approx(u_t[0], abs=1e-6) and s_p[0] == pytest.approx(s_t[0], abs=1e-4)


def test_left_and_right_are_mirror_images(paths):
    for (nid, side), left in paths.items():
        if side != "left":
            continue
        right = paths[(nid, "right")]
        assert np.allclose(left.points * [-1, 1, 1], right.points, atol=1e-6)
        np.testing.assert_allclose(left.depth_mm, right.depth_mm, atol=1e-9)  # depths measured alike


def _arch_crossing(model, path):
    """Where the nerve passes the zygomatic arch's height (z of the arch's inferior border + 5 mm)."""
    z_arch = model.anatomy.point("arch_inferior")[2] + 5.0
    z = path.points[:, 2]
    i = int(np.argmax(z >= z_arch))
    return path.points[i], i


def test_frontal_branch_crosses_the_arch_within_the_published_distance_in_front_of_the_tragus(model_coarse,
                                                                                              paths):
    """REFERENCE 2.1: the rami cross the arch 10-31 mm (ASJ 2021) / 8-35 mm (Al-Kayat & Bramley) in front of the
    tragus. Measured along y (anterior) from the tragion."""
    tragion_y = model_coarse.anatomy.point("tragion")[1]
    frontal = [p for (nid, side), p in paths.items() if side == "left" and p.group == "frontal"]
    assert 2 <= len(frontal) <= 4, "the frontal branch is a fan of 2-4 rami"
    for p in frontal:
        point, _ = _arch_crossing(model_coarse, p)
        ahead = point[1] - tragion_y
        assert 8.0 <= ahead <= 35.0, f"{p.nerve_id} crosses the arch {ahead:.1f} mm in front of the tragus"


def test_frontal_branch_becomes_superficial_above_the_arch(model_coarse, paths):
    """Deep (under the SMAS) at the arch, in the SMAS (undersurface of the TPF) above it."""
    smas = LAYERS.index("smas")
    for (nid, side), p in paths.items():
        if side != "left" or p.group != "frontal":
            continue
        _, i = _arch_crossing(model_coarse, p)
        assert p.layer[max(i - 3, 0)] > smas, f"{nid} should be deep to the SMAS at the arch"
        above = p.points[:, 2] > model_coarse.anatomy.point("arch_inferior")[2] + 20
        assert above.any() and np.all(p.layer[above] <= smas), f"{nid} should be in the SMAS above the arch"
        assert p.depth_mm[above].min() < p.depth_mm[i], f"{nid} should be shallower above the arch"


def test_facial_branches_in_the_cheek_run_deep_to_the_smas(model_coarse, paths):
    smas = LAYERS.index("smas")
    for (nid, side), p in paths.items():
        if side == "left" and p.group in ("buccal", "zygomatic"):
            assert p.layer[0] > smas, f"{nid} should start deep to the SMAS (in the parotid / under the fascia)"


def test_each_danger_zone_contains_its_nerve(model_coarse, paths):
    anatomy = model_coarse.anatomy
    for zone in anatomy.zones.values():
        pu, ps = outline_params(anatomy, zone.outline_points(), "left")
        nerves = [p for (nid, side), p in paths.items() if side == "left" and p.group == zone.nerve_group]
        assert nerves, f"zone {zone.number}: no nerve of group {zone.nerve_group}"
        hit = False
        for p in nerves:
            u, s, _ = params_of(p.points)
            hit |= bool(point_in_polygon(pu, ps, u, s).any())
        assert hit, f"danger zone {zone.number} ({zone.label}) does not contain its nerve ({zone.nerve_group})"


def test_point_in_polygon_on_a_square():
    pu = np.array([0.0, 1.0, 1.0, 0.0])
    ps = np.array([0.0, 0.0, 1.0, 1.0])
    got = point_in_polygon(pu, ps, np.array([0.5, 1.5, -0.1, 0.99]), np.array([0.5, 0.5, 0.5, 0.01]))
    assert got.tolist() == [True, False, False, True]


def test_unknown_nerve_lists_the_known_ones(model_coarse):
    with pytest.raises(ValueError) as info:
        place(model_coarse, "vagus")
    assert "vagus" in str(info.value) and "frontal_1" in str(info.value)


def test_unknown_side_is_refused(model_coarse):
    with pytest.raises(ValueError, match="allowed: left, right"):
        place(model_coarse, next(iter(model_coarse.anatomy.nerves)), side="middle")


def test_summary_lists_every_nerve_with_finite_numbers(model_coarse, paths):
    text = summary_text(model_coarse, paths)
    for nerve in model_coarse.anatomy.nerves.values():
        assert nerve.label in text
    assert "nan" not in text


def test_picking_a_nerve_changes_only_styling(model_coarse):
    from benchmarks.message_meter import MessageMeter
    from facelayers.widgets.nerve_explorer import NerveExplorer

    explorer = NerveExplorer(model_coarse)
    sent = []
    meter = MessageMeter(explorer.figure)
    original = explorer.figure._send

    def record(msg, buffers=None):
        sent.append(msg)
        return original(msg, buffers=buffers)

    explorer.figure._send = record
    meter.reset()
    explorer.pick.value = "group:frontal"
    text = repr(sent)
    for key in ("'x'", "'y'", "'z'", "'i'", "'j'", "'k'"):
        assert key not in text, f"a pick re-sent geometry ({key})"
    assert meter.bytes <= 1024
    frontal = [t for t in explorer.figure.data if t.name.startswith("nerve:frontal")]
    others = [t for t in explorer.figure.data if t.name.startswith("nerve:") and not t.name.startswith("nerve:frontal")]
    from facelayers.render.structures import HIGHLIGHT

    assert all(t.line.color == HIGHLIGHT for t in frontal)
    assert all(t.line.color != HIGHLIGHT and t.opacity is not None and t.opacity < 1 for t in others)


def test_picking_a_muscle_lights_its_branch(model_coarse):
    from facelayers.widgets.nerve_explorer import NerveExplorer

    explorer = NerveExplorer(model_coarse)
    muscle = model_coarse.anatomy.muscles["zygomaticus_major"]
    explorer.pick.value = "muscle:zygomaticus_major"
    from facelayers.render.structures import HIGHLIGHT

    lit = {t.name for t in explorer.figure.data if t.name.startswith("nerve:") and t.line.color == HIGHLIGHT}
    group = {f"nerve:{nid}" for nid, n in model_coarse.anatomy.nerves.items() if n.group == muscle.nerve_group}
    assert lit == group
    assert explorer.state.pick == "muscle:zygomaticus_major"


def test_widget_state_is_strict_json(model_coarse):
    """The kernel refuses NaN in widget messages ("Out of range float values are not JSON compliant")."""
    import json

    from ipywidgets.widgets.widget import _remove_buffers

    from facelayers.widgets.nerve_explorer import NerveExplorer

    explorer = NerveExplorer(model_coarse)
    explorer.set_pick("group:zygomatic")
    for widget in (explorer.figure, explorer.profile, explorer.section_figure):
        state, _, _ = _remove_buffers(widget.get_state())
        json.dumps(state, allow_nan=False)


def test_smas_muscles_are_peeled_with_the_smas_and_deep_muscles_stay(model_coarse):
    from facelayers.widgets.nerve_explorer import NerveExplorer

    explorer = NerveExplorer(model_coarse)
    explorer.peel.value = 1
    muscles = {t.name[7:]: t for t in explorer.figure.data if t.name.startswith("muscle:")}
    assert muscles["frontalis"].visible is True and muscles["masseter"].visible is True
    explorer.peel.value = 3
    assert muscles["frontalis"].visible is False, "frontalis is part of the SMAS: peeled with it"
    assert muscles["masseter"].visible is True, "masseter lies under the deep fascia: seen once it is peeled"


def test_summary_names_places_and_side_in_words(model_coarse, paths):
    text = summary_text(model_coarse, paths)
    assert text.splitlines()[0].startswith("Nerve (left)")
    assert "McKinney's point" in text
    # the zygomatic branch's shallowest place is named by its nearest landmark (Zuker's point, or the cheek hollow
    # where it enters zygomaticus major from the deep surface, depending on the bone under it), not by coordinates
    zygomatic = next(line for line in text.splitlines() if line.startswith("Zygomatic branch"))
    assert " from the " in zygomatic or "Zuker's point" in zygomatic
    assert "model's frame" not in zygomatic
    assert "_" not in text  # no landmark or layer id
    right = summary_text(model_coarse, side="right")
    assert right.splitlines()[0].startswith("Nerve (right)")
    assert len(right.splitlines()) == len(text.splitlines())


def test_in_words_gives_a_site_named_by_where_it_lies_an_article():
    from facelayers.model.nerves import in_words

    assert in_words("Over the upper second molar") == "the site over the upper second molar"
    assert in_words("Zuker's point") == "Zuker's point"


def test_place_in_words_labels_far_points_with_the_frame(model_coarse):
    from facelayers.model.nerves import place_in_words

    assert place_in_words(model_coarse, [58, 36, -17]) == "0 mm from Zuker's point"
    assert place_in_words(model_coarse, [-58, 36, -17], side="right") == "0 mm from Zuker's point"
    assert place_in_words(model_coarse, [58, 36, -17], name="zuker_point") == "at Zuker's point"
    assert place_in_words(model_coarse, [50, 12, -28], name="pes_anserinus").startswith("at the pes anserinus")
    assert place_in_words(model_coarse, [0, -200, 300]) == "at 0, -200, 300 mm in the model's frame"
