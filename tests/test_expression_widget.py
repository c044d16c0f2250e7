"""The expression explorer, driven headless: the state, the figure as data, and what a change sends."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.message_meter import MessageMeter
from facelayers.model.expression import skin_displacement
from facelayers.widgets.expression_explorer import ExpressionExplorer
from facelayers.widgets.expression_widget import (
    EXPRESSION_CAMERAS,
    ExpressionState,
    expression_figure,
    expression_update,
    report_lines,
    split_skin,
)

GEOMETRY = {"x", "y", "z", "i", "j", "k"}


def _trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_figure_draws_both_faces_with_their_displacement(model_coarse):
    state = ExpressionState(expression="raise_brows", cut=("frontal:left",))
    fig = expression_figure(model_coarse, state)
    mv = split_skin(model_coarse)[0]
    names = [t.name for t in fig.data if ":muscle:" not in t.name and not t.name.endswith(":deep")]
    assert names == ["expr:before:mobile", "expr:before:static", "expr:before:ears", "expr:before:eyes",
                     "expr:after:mobile", "expr:after:static", "expr:after:ears", "expr:after:eyes", "expr:after:numb"]
    for panel, kw in (("before", {}), ("after", {"cut": ["frontal:left"]})):
        t = _trace(fig, f"expr:{panel}:mobile")
        want = model_coarse.skin[mv] + skin_displacement(model_coarse, "raise_brows", **kw)[mv]
        np.testing.assert_allclose(np.asarray(t.z), want[:, 2], atol=1e-3)
    # Region by region: an isolated frontal-branch cut is not read as a grade IV with incomplete eye closure.
    assert "House-Brackmann grade by region: forehead IV · eye II · mouth I (overall IV" in fig.layout.title.text
    # The static part never moves: nothing any muscle pulls is in it.
    sv = split_skin(model_coarse)[2]
    for name in ("raise_brows", "smile", "tense_neck", "close_eyes"):
        assert np.abs(skin_displacement(model_coarse, name)[sv]).max() < 0.02


def test_a_change_sends_only_the_moving_coordinates(model_coarse):
    ex = ExpressionExplorer(model_coarse)
    meter = MessageMeter(ex.figure, keep=True)
    ex.expression.value = "raise_brows"
    # from the smile: the lips come back to rest, so the vermilion (drawn in the eyes trace) moves too
    assert meter.touched == {"expr:before:mobile", "expr:after:mobile", "expr:before:eyes", "expr:after:eyes"}
    sent = set()
    for msg, _ in meter.log:
        for value in msg.get("state", {}).values():
            if isinstance(value, dict):
                for data in value.get("restyle_data") or value.get("data") or []:
                    if isinstance(data, dict):
                        sent |= set(data)
    assert not (sent & {"i", "j", "k"})
    meter.reset()
    ex.cut.value = ("frontal:left",)
    # the 'after' face and its brows (drawn in the eyes trace: facelayers.model.brows), which stay down on the cut side
    assert meter.touched == {"expr:after:mobile", "expr:after:eyes"}, "a cut moves only the 'after' face"
    assert ex.state.cut == ("frontal:left",)
    assert "brow ptosis" in ex.report.value and "House-Brackmann IV" in ex.report.value


def test_controls_write_the_state_and_the_figure_follows(model_coarse):
    ex = ExpressionExplorer(model_coarse)
    ex.expression.value = "frown"
    ex.divided.value = ("corrugator_supercilii", "procerus")
    assert ex.state.divided == ("corrugator_supercilii", "procerus")
    after = np.asarray(_trace(ex.figure, "expr:after:mobile").x)
    before = np.asarray(_trace(ex.figure, "expr:before:mobile").x)
    assert not np.allclose(after, before - (after.mean() - before.mean()))
    ex.stretch.value = True
    ex.cut.value = ("zygomatic:right",)
    assert ex.state.cut == ("zygomatic:right:stretch",)
    ex.camera.value = "three_quarter"
    for scene in ("scene", "scene2"):  # both faces turn
        assert ex.figure.layout[scene].camera.eye.x == pytest.approx(EXPRESSION_CAMERAS["three_quarter"]["eye"]["x"])
    ex.technique.value = "endoscopic_brow"
    assert "Endoscopic brow" in ex.report.value and "5.8%" in ex.report.value
    ex.technique.value = ""  # "none": no technique in the state (the box shows "none", never an empty box)
    assert ex.state.technique is None and ex.technique.label == "none"


def test_a_state_set_from_code_shows_on_the_controls(model_coarse):
    # One source of truth: set_state (a saved view, a lesson cell) sets every control, and no control echoes a
    # change back (each writes only its own field, and only when the state does not already hold it).
    ex = ExpressionExplorer(model_coarse)
    target = ExpressionState(expression="raise_brows", strength=0.5, side="left", cut=("frontal:right:stretch",),
                             divided=("procerus",), technique="endoscopic_brow", injure=True, camera="three_quarter",
                             view="muscles")
    ex.set_state(target)
    assert ex.state == target
    assert (ex.expression.value, ex.strength.value, ex.side.value, ex.camera.value, ex.view.value) == (
        "raise_brows", 0.5, "left", "three_quarter", "muscles")
    assert ex.cut.value == ("frontal:right",) and ex.stretch.value is True and ex.divided.value == ("procerus",)
    assert ex.technique.value == "endoscopic_brow" and ex.injure.value is True
    ex.set_state(ExpressionState())
    assert ex.state == ExpressionState() and ex.technique.label == "none" and ex.cut.value == ()


def test_the_explorer_is_a_stage_panel_beside_the_faces(model_coarse):
    ex = ExpressionExplorer(model_coarse)
    assert "facelayers-stage" in ex.widget._dom_classes
    row = next(c for c in ex.widget.children if "fl-row" in c._dom_classes)
    panel, figure_box = row.children
    assert "fl-panel" in panel._dom_classes and "fl-figure" in figure_box._dom_classes
    assert ex.expression in panel.children and ex.figure in figure_box.children


def test_sensory_cut_shows_the_numb_skin(model_coarse):
    fig = expression_figure(model_coarse, ExpressionState(expression="rest", cut=("mental:left",)))
    numb = _trace(fig, "expr:after:numb")
    assert numb.visible and len(numb.x) > 5
    lines = report_lines(model_coarse, ExpressionState(expression="rest", cut=("mental:left",)))
    assert any("lower lip and the chin" in line for line in lines)


def test_update_equals_a_fresh_figure(model_coarse):
    old = ExpressionState(expression="smile")
    new = ExpressionState(expression="pucker", strength=0.5, side="left", cut=("buccal:left",))
    fig = expression_figure(model_coarse, old)
    expression_update(fig, model_coarse, old, new)
    fresh = expression_figure(model_coarse, new)
    for a, b in zip(fig.data, fresh.data):
        if ":muscle:" in a.name:
            continue  # hidden in the skin view, brought up to date when the muscle view is shown
        for axis in "xyz":
            np.testing.assert_allclose(np.asarray(getattr(a, axis), float), np.asarray(getattr(b, axis), float))
    assert fig.layout.title.text == fresh.layout.title.text


@pytest.mark.parametrize("kwargs, message", [
    ({"expression": "smirk"}, "expression 'smirk' is not known"),
    ({"camera": "top"}, "camera 'top' is not known; allowed: front, three_quarter"),
    ({"view": "bones"}, "view 'bones' is not known; allowed: skin, muscles"),
])
def test_bad_state_is_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ExpressionState(**kwargs)


def test_bad_cut_in_the_figure_is_a_clear_error(model_coarse):
    with pytest.raises(ValueError, match="cut item 'nose:left' is not known"):
        expression_figure(model_coarse, ExpressionState(cut=("nose:left",)))


def test_before_stands_on_the_viewers_left(model_coarse):
    """Each face has a scene of its own: 'before' on the viewer's left, under its label, 'after' on the right."""
    fig = expression_figure(model_coarse, ExpressionState())
    assert {t.scene for t in fig.data if t.name.startswith("expr:before:")} == {"scene"}
    assert {t.scene for t in fig.data if t.name.startswith("expr:after:")} == {"scene2"}
    before, after = fig.layout.scene.domain.x, fig.layout.scene2.domain.x
    assert before[1] <= after[0]
    labels = {a.text: a.x for a in fig.layout.annotations}
    assert before[0] < labels["before"] < before[1] and after[0] < labels["after"] < after[1]


#: Figure sizes (px) the faces must fit: JupyterLab at 1366x768 with the file browser open (the figure 575 x 622),
#: the figure's smallest box (420 px wide), and a 1920x1080 projector.
FIT_SIZES = ((575, 622), (420, 560), (1100, 700))


@pytest.mark.parametrize("camera", ["front", "three_quarter"])
@pytest.mark.parametrize("view", ["skin", "muscles"])
def test_each_face_fits_its_scene_and_the_colour_bar_covers_none(model_coarse, camera, view):
    """No face is cropped at the scene's edge (plotly's projection, facelayers.render.fit), and the colour bar lies
    in the band below the scenes (it stood over the 'after' face's injured side at 1366 px)."""
    from facelayers.render.fit import scene_ndc

    fig = expression_figure(model_coarse, ExpressionState(expression="close_eyes", camera=camera, view=view,
                                                          cut=("frontal:left",)))
    for width, height in FIT_SIZES:
        for scene in ("scene", "scene2"):
            ndc = scene_ndc(fig, scene, width, height)
            assert np.abs(ndc).max() < 0.97, (scene, width, height, np.abs(ndc).max(axis=0))
    bar = fig.layout.coloraxis.colorbar
    assert bar.orientation == "h" and bar.y == 0 and bar.yanchor == "bottom"
    band = min(fig.layout.scene.domain.y[0], fig.layout.scene2.domain.y[0])
    for _, height in FIT_SIZES:
        plot_h = height - fig.layout.margin.t - fig.layout.margin.b
        assert bar.thickness + bar.ypad + 24 <= band * plot_h  # the bar, its padding and its tick labels


def test_muscle_view_moves_the_bodies_and_only_those_that_change(model_coarse):
    from facelayers.widgets.expression_widget import body_anchor

    ex = ExpressionExplorer(model_coarse)
    meter = MessageMeter(ex.figure, keep=True)
    ex.view.value = "muscles"
    assert _trace(ex.figure, "expr:before:muscle:frontalis").visible is True
    assert _trace(ex.figure, "expr:before:mobile").visible is False
    meter.reset()
    ex.expression.value = "raise_brows"
    touched = meter.touched
    assert touched and all(":muscle:" in name for name in touched)
    assert "expr:before:muscle:frontalis" in touched and "expr:before:muscle:masseter" not in touched
    assert meter.bytes < 300_000
    # The frontalis shortens toward its origin: its lower (insertion) end rises, its upper end stays.
    v = body_anchor(model_coarse)["frontalis"][0]
    z = np.asarray(_trace(ex.figure, "expr:before:muscle:frontalis").z, float)
    low, high = v[:, 2] < np.percentile(v[:, 2], 15), v[:, 2] > np.percentile(v[:, 2], 85)
    assert (z - v[:, 2])[low].mean() > 5.0 and abs((z - v[:, 2])[high].mean()) < 2.0
    # Back to the skin: it is brought up to date for the current expression.
    meter.reset()
    ex.view.value = "skin"
    assert "expr:before:mobile" in meter.touched and _trace(ex.figure, "expr:before:mobile").visible is True


def test_muscle_view_update_equals_a_fresh_figure(model_coarse):
    old = ExpressionState(expression="smile", view="muscles")
    new = ExpressionState(expression="frown", view="muscles", divided=("procerus",))
    fig = expression_figure(model_coarse, old)
    expression_update(fig, model_coarse, old, new)
    fresh = expression_figure(model_coarse, new)
    for a, b in zip(fig.data, fresh.data):
        if ":muscle:" in (a.name or ""):
            np.testing.assert_allclose(np.asarray(a.z, float), np.asarray(b.z, float), atol=1e-4)


def test_title_and_description_say_what_was_cut_in_words(model_coarse):
    from facelayers.widgets.expression_widget import title_text

    state = ExpressionState(expression="raise_brows", cut=("frontal:left", "trunk:right:stretch"),
                            divided=("procerus",))
    title = title_text(model_coarse, state)
    assert "after: frontal branch cut on the left" in title
    assert "facial nerve trunk stretched on the right" in title and "Procerus divided" in title
    assert "_" not in title and "frontal left" not in title
    explorer = ExpressionExplorer(model_coarse, state)
    text = explorer.description()
    assert "frontal branch cut on the left" in text and "Raise the brows" in text and "_" not in text


def test_the_cut_and_divide_lists_take_the_panels_width_and_the_long_checkbox_wraps(model_coarse):
    """'Marginal mandibular branch (left)' was clipped beside a 90 px label, and the technique's checkbox label
    cut short: the lists stack their label above them (full width), the checkbox's label wraps."""
    ex = ExpressionExplorer(model_coarse)
    css = ex.widget.children[0].value
    assert "fl-stack" in ex.cut._dom_classes and "fl-stack" in ex.divided._dom_classes
    assert "fl-wrap" in ex.injure._dom_classes
    assert ".fl-stack {flex-direction: column" in css and ".fl-stack > select {width: 100%" in css
    assert "white-space: normal !important" in css
    longest = max(len(label) for label, _ in ex.cut.options)
    assert longest * 9 < 350  # about 9 px a character at 17 px: the longest option fits the panel's width
