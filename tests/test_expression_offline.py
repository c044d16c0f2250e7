"""The course file's expression frames: encoded as the page stores them, decoded here as the page decodes them,
and compared with the model's own displacements (within the 0.01 mm step)."""

from __future__ import annotations

import numpy as np
import pytest

from facelayers.core.frame import INTERFACES
from facelayers.delivery import export, offline_page
from facelayers.delivery import expression_offline as eo
from facelayers.model import expression as ex
from facelayers.model import injury


@pytest.fixture(scope="module")
def course_page(model_coarse, tmp_path_factory):
    """The course at the coarse grid: the page's header, its arrays, and the figure with its arrays in place."""
    out = tmp_path_factory.mktemp("expr") / "course.html"
    export.export("course", out, resolution="coarse")
    header, arrays, _ = offline_page.read_page(out.read_text(encoding="utf-8"))
    return header, arrays, offline_page.revive(header["figure"], arrays), out


def page_part(course_page) -> dict:
    header, arrays, *_ = course_page
    (part,) = header["parts"]
    return part, offline_page.revive(part["data"], arrays)


def as_the_page_draws(figure: dict, data: dict, case: str, expression: str) -> list[np.ndarray]:
    """What the page's script computes, step by step: per moved trace, its vertices (model frame, x un-negated)
    after the frame is applied to the drawn ones."""
    out = []
    frame = data["frames"][case][expression]
    for s, k in enumerate(data["traces"]):
        t = figure["data"][k]
        v = np.stack([-np.asarray(t["x"], np.float32), t["y"], t["z"]], axis=1).astype(np.float32)
        f = frame[s]
        if f is not None:
            f = np.asarray(f, np.float32)
            a = data["count"]
            rows, src = np.asarray(data["rows"][s], np.int64), np.asarray(data["src"][s], np.int64)
            step = np.float32(data["step"])
            # The page works in float32 on x as drawn (negated): x_drawn - f * step, un-negated here.
            v[rows, 0] = -(-v[rows, 0] - f[src] * step)
            v[rows, 1] += f[a + src] * step
            v[rows, 2] += f[2 * a + src] * step
        out.append(v)
    return out


def test_encode_decode_is_within_half_a_step(model_coarse):
    mobile = np.arange(model_coarse.n_vertices)
    for name in ("raise_brows", "smile", "pucker"):
        d = ex.skin_displacement(model_coarse, name, cut=("frontal:left",))
        frame = eo.encode(d)
        assert frame.dtype == np.int16 and frame.shape == (3 * len(mobile),)
        back = eo.decode_frame(frame, len(mobile))
        assert np.abs(back - d).max() <= eo.STEP_MM / 2 + 1e-12
    assert eo.encode(ex.skin_displacement(model_coarse, "rest")) is None
    np.testing.assert_array_equal(eo.decode_frame(None, 4), np.zeros((4, 3)))


def test_a_displacement_too_large_for_int16_is_named():
    with pytest.raises(ValueError, match=r"does not fit int16 at 0.01 mm; allowed: up to 327.67 mm"):
        eo.encode(np.full((2, 3), 400.0))


def test_the_moving_set_covers_every_expression_and_case(model_coarse):
    """Outside the stored vertices nothing moves: the frames lose no movement."""
    mobile, rows, src = eo.moving_rows(model_coarse, model_coarse.skin)
    outside = np.setdiff1d(np.arange(model_coarse.n_vertices), mobile)
    np.testing.assert_array_equal(rows, mobile.astype(np.uint32))
    np.testing.assert_array_equal(src, np.arange(len(mobile)))
    for case in eo.CASES:
        for name in ex.EXPRESSIONS:
            for k in eo.moving_surfaces(model_coarse):
                d = ex.interface_displacement(model_coarse, name, k, cut=case.cut, divided=case.divided)
                assert np.abs(d[outside]).max(initial=0.0) < eo.STEP_MM, (case.case_id, name, k)


def test_moving_surfaces_reach_the_deepest_muscle(model_coarse):
    layers = {f.layer for f in ex.muscle_fields(model_coarse).values()}
    assert eo.moving_surfaces(model_coarse) == tuple(range(max(layers) + 1))
    assert max(layers) < len(INTERFACES) - 1, "bone never moves"


def test_extra_rows_follow_their_nearest_moving_vertex(model_coarse):
    """A vertex appended after the model's (a cutaway's cut edge) takes the displacement of the moving vertex
    next to it; one far from every moving vertex (an ear's tip) stays."""
    mobile, *_ = eo.moving_rows(model_coarse, model_coarse.skin)
    near = model_coarse.skin[mobile[10]] + [0.5, 0.0, 0.0]
    far = np.array([0.0, -400.0, 0.0])
    _, rows, src = eo.moving_rows(model_coarse, np.concatenate([model_coarse.skin, [near, far]]))
    n = model_coarse.n_vertices
    assert n in rows and n + 1 not in rows
    assert src[list(rows).index(n)] == 10


def test_the_brow_lift_case_divides_what_the_technique_divides(model_coarse):
    case = next(c for c in eo.CASES if c.case_id == "brow_lift")
    assert set(case.divided) == set(injury.technique_effect(model_coarse, "endoscopic_brow").divided)
    for case in eo.CASES:  # every case's names are the model's
        ex.parse_cuts(model_coarse, case.cut)
        ex.parse_divided(model_coarse, case.divided)


def test_the_page_draws_what_the_model_gives(course_page, model_coarse):
    """Decode the frames as the page does and compare with the displacements, for every case and a few
    expressions: the skin with its wrinkles, the deeper surfaces as their layers move."""
    header, arrays, figure, _ = course_page
    _, data = page_part(course_page)
    surfaces = eo.moving_surfaces(model_coarse)
    assert [figure["data"][k]["name"] for k in data["traces"]] == [f"layer:{INTERFACES[k]}" for k in surfaces]
    n = model_coarse.n_vertices
    for case in eo.CASES:
        for name in ("rest", "raise_brows", "frown", "smile", "show_lower_teeth"):
            drawn = as_the_page_draws(figure, data, case.case_id, name)
            for s, k in enumerate(surfaces):
                want = model_coarse.interface(k) + ex.interface_displacement(
                    model_coarse, name, k, cut=case.cut, divided=case.divided)
                # half a step, and float32 rounding of coordinates ~100 mm
                np.testing.assert_allclose(drawn[s][:n], want, atol=eo.STEP_MM / 2 + 5e-5,
                                           err_msg=f"{case.case_id} {name} {INTERFACES[k]}")


def test_frames_are_stored_once_and_the_cases_differ_where_they_should(course_page, model_coarse):
    header, arrays, figure, _ = course_page
    _, data = page_part(course_page)
    part = header["parts"][0]["data"]

    def ref(case, name, s=0):
        f = part["frames"][case][name][s]
        return None if f is None else f[offline_page.ARRAY_KEY]

    assert all(f is None for f in part["frames"]["intact"]["rest"])
    # A frontal-branch cut leaves the smile as it was: one stored array for both.
    assert ref("frontal_left", "smile") == ref("intact", "smile")
    assert ref("frontal_left", "raise_brows") != ref("intact", "raise_brows")
    assert ref("brow_lift", "frown") != ref("intact", "frown") and ref("brow_lift", "smile") == ref("intact", "smile")
    # The stored frames are int16, laid out x, y, z over the moving set.
    frame = arrays[ref("intact", "smile")]
    assert frame.dtype == np.int16 and frame.shape == (3 * data["count"],)
    # The cut side's brow stays down while the other rises (the page's own numbers).
    d = ex.skin_displacement(model_coarse, "raise_brows")
    left = np.flatnonzero(model_coarse.skin[:, 0] > 15)
    i = int(left[np.argmax(d[left, 2])])
    j = int(np.argmin(np.linalg.norm(model_coarse.skin - model_coarse.skin[i] * [-1, 1, 1], axis=1)))
    rest = as_the_page_draws(figure, data, "frontal_left", "rest")[0]
    cut = as_the_page_draws(figure, data, "frontal_left", "raise_brows")[0]
    assert cut[j, 2] - rest[j, 2] > 3.0 and cut[i, 2] - rest[i, 2] < 0.25 * (cut[j, 2] - rest[j, 2])


def test_the_menus_name_every_expression_and_case(course_page):
    header, arrays, figure, _ = course_page
    _, data = page_part(course_page)
    menus = {m["name"]: m for m in figure["layout"]["updatemenus"]}
    assert [b["method"] for b in menus["expression"]["buttons"]] == ["skip"] * len(ex.EXPRESSIONS)
    assert data["expressions"] == list(ex.EXPRESSIONS)
    assert [b["label"] for b in menus["case"]["buttons"]] == [c.short for c in eo.CASES]
    assert data["cases"] == [c.case_id for c in eo.CASES]
    caption = [a.get("name") for a in figure["layout"]["annotations"]].index("caption")
    assert data["caption"] == caption
    note = data["notes"]["marginal_left"]["show_lower_teeth"]
    assert "Pull the lower lip down" in note and "House-Brackmann grade" in note and "lower lip" in note
    assert "no teeth" in note  # says what the model cannot show
    assert data["menus"] == ["expression", "case"]


def test_the_loader_runs_page_parts_after_drawing(course_page):
    _, _, _, out = course_page
    text = out.read_text(encoding="utf-8")
    assert "head.parts" in text and 'new Function("div", "Plotly", "data"' in text
    part, _ = page_part(course_page)
    assert "plotly_buttonclicked" in part["script"] and "fetch(" not in part["script"]


def test_a_page_without_parts_has_none(model_coarse, tmp_path):
    out = tmp_path / "l01.html"
    export.export("01", out, resolution="coarse")
    header, *_ = offline_page.read_page(out.read_text(encoding="utf-8"))
    assert "parts" not in header


def test_the_brows_and_lids_move_with_the_skin_in_the_page(course_page, model_coarse):
    """The eyes trace's brows, lids and lashes follow the skin's frame (the page's ``details``), the globes stay:
    closing the eyes brings the upper lashes down, raising the brows lifts them, a cut frontal branch leaves them."""
    from facelayers.model import brows, lids

    header, arrays, figure, _ = course_page
    _, data = page_part(course_page)
    det = data["details"]
    assert figure["data"][det["trace"]]["name"] == "eyes"
    t = figure["data"][det["trace"]]
    rest = np.stack([-np.asarray(t["x"], np.float64), t["y"], t["z"]], axis=1)
    rows, src = np.asarray(det["rows"], np.int64), np.asarray(det["src"], np.int64)

    def drawn(case, name):
        v = rest.copy()
        f = data["frames"][case][name][0]
        if f is not None:
            f, a = np.asarray(f, np.float64), data["count"]
            v[rows] += np.stack([f[src], f[a + src], f[2 * a + src]], 1) * data["step"]
        return v

    from facelayers.model.face_measures import globe_meshes

    globes = sum(len(v) for v, _, _ in globe_meshes(model_coarse))
    assert rows.min() >= globes  # the globes do not move
    n_lids = len(lids.lid_anchors(model_coarse))
    n_brow = len(brows.brow_anchors(model_coarse))
    brow = slice(globes + n_lids, globes + n_lids + n_brow // 2)  # the left brow
    raise_dz = (drawn("intact", "raise_brows") - rest)[brow, 2].mean()
    cut_dz = (drawn("frontal_left", "raise_brows") - rest)[brow, 2].mean()
    assert raise_dz > 4.0 and abs(cut_dz) < 1.0
    tie, up = lids.lash_tie(model_coarse, "left")
    rim = len(lids._ties(model_coarse)[0][0].rest)
    lashes = globes + rim + np.flatnonzero(up)
    assert (drawn("intact", "close_eyes") - rest)[lashes, 2].mean() < -5.0


def test_the_expression_menu_labels_are_short_enough_for_the_course_column():
    """The course page's Expression menu sits beside the Case menu in a 20%-wide column: a label longer than
    "Wrinkle nose" (12 characters) widened it into the Case menu at 1366x768 ("Lower lip down" did)."""
    from facelayers.delivery.expression_offline import SHORT_LABELS

    assert max(len(v) for v in SHORT_LABELS.values()) <= len("Wrinkle nose"), SHORT_LABELS
