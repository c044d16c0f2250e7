"""The drawn skull on the stage (facelayers.render.skull_stage) and on lesson 01's skull figure.

Peeling to bone shows the drawn skull instead of the floor, its geometry sent once, lazily; restoring a layer brings
the floor back; the lesson's figure carries the nerves it names; the readings are measured on the drawn bone.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.message_meter import MessageMeter
from facelayers.model.skull_nerves import arch_crossings, border_course, reading_text
from facelayers.render import skull_stage
from facelayers.render.face import face_figure
from facelayers.render.updates import trace_index
from facelayers.teaching.state import ViewState

GEOMETRY = {"x", "y", "z", "i", "j", "k", "customdata", "intensity"}


def _trace(fig, name):
    return fig.data[trace_index(fig, name)]


def _shown(trace) -> bool:
    return trace.visible is None or trace.visible is True


def _geometry_sent(meter, fig=None) -> set[str]:
    """The geometry fields the meter's messages carried (with ``fig``: the names of the traces that got them)."""
    sent = set()
    for msg, _ in meter.log:
        update = (msg.get("state") or {}).get("_py2js_update") or (msg.get("state") or {}).get("_py2js_restyle")
        if isinstance(update, dict):
            data = update.get("style_data") or update.get("restyle_data") or {}
            for key in GEOMETRY & set(data):
                if fig is None:
                    sent.add(key)
                else:
                    traces = update.get("style_traces") or update.get("restyle_traces") or []
                    values = data[key] if isinstance(data[key], list) else [data[key]] * len(traces)
                    sent |= {fig.data[i].name for i, v in zip(traces, values) if v != "_undefined_"}
    return sent


@pytest.fixture(scope="module")
def explorer(model_coarse):
    from facelayers.widgets.layer_explorer import LayerExplorer

    return LayerExplorer(model_coarse)


# --- the rule --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("state, bare", [
    (ViewState(), False),
    (ViewState(peel=4), False),
    (ViewState(peel=5), True),
    (ViewState(peel=5, visible={"bone": False}), False),
    (ViewState(visible={n: False for n in ("skin", "fat", "smas", "muscle", "periosteum")}), True),
    (ViewState(cutaway="cheek", layers_cut=5), False),  # the layers round the window stand on the floor
    (ViewState(peel=5, cutaway="cheek"), True),
])
def test_the_bone_is_bare_only_when_nothing_else_is_drawn(state, bare):
    assert skull_stage.bone_bare(state) is bare


# --- static figures -------------------------------------------------------------------------------------------

def test_a_figure_with_layers_carries_an_empty_hidden_placeholder(model_coarse):
    fig = face_figure(model_coarse, ViewState(cutaway="cheek", layers_cut=5))
    skull = _trace(fig, "skull")
    assert skull.visible is False and len(skull.x) == 0 and len(skull.i) == 0
    assert _shown(_trace(fig, "layer:bone"))
    # a few hundred bytes: the style and hover, no arrays
    assert len(skull.to_plotly_json().__repr__()) < 2000


def test_a_figure_peeled_to_bone_draws_the_skull_instead_of_the_floor(model_coarse):
    from facelayers.model.skull_parts import skull_parts

    fig = face_figure(model_coarse, ViewState(peel=5, camera="left"))
    skull = _trace(fig, "skull")
    v, f, _ = skull_parts(model_coarse).mesh()
    assert _shown(skull) and len(skull.x) == len(v) and len(skull.i) == len(f)
    assert _trace(fig, "layer:bone").visible is False
    assert all(_trace(fig, f"layer:{n}").visible is False for n in ("skin", "fat", "smas", "muscle", "periosteum"))
    # hovering the bone still gives the tissue depth above it
    assert "Bone" in skull.hovertemplate and "mm below the skin" in skull.hovertemplate
    assert np.all(np.asarray(skull.customdata) > 0)
    assert skull.x.dtype == np.float32 and skull.i.dtype == np.uint16 and skull.intensity.dtype == np.float32


# --- the stage: sent once, toggled after ------------------------------------------------------------------------

def test_peeling_to_bone_sends_the_skull_once_then_toggles(explorer):
    ex = explorer
    fig = ex.figure
    skull, bone = _trace(fig, "skull"), _trace(fig, "layer:bone")
    assert not skull_stage.is_loaded(skull) and skull.visible is False
    meter = MessageMeter(fig, keep=True)

    ex.peel.value = 5
    assert ex.state.peel == 5 and ex.controller.skull_sent
    assert skull_stage.is_loaded(skull) and _shown(skull) and bone.visible is False
    assert {"x", "i", "intensity", "customdata"} <= _geometry_sent(meter)
    assert _geometry_sent(meter, fig) == {"skull"}  # no other trace's geometry
    first = meter.bytes
    assert first > 50_000  # the arrays went over the comm

    meter.reset()
    ex.peel.value = 4  # a layer restored: the floor is back, the skull hidden
    assert skull.visible is False and _shown(bone) and _shown(_trace(fig, "layer:periosteum"))
    assert not _geometry_sent(meter) and meter.bytes < 1024

    meter.reset()
    ex.peel.value = 5  # again: a visibility toggle only
    assert _shown(skull) and bone.visible is False and not ex.controller.skull_sent
    assert not _geometry_sent(meter) and meter.bytes < 1024

    meter.reset()
    ex.checkboxes["bone"].value = False  # the Bone box hides the bone, drawn skull and all
    assert skull.visible is False and bone.visible is False and not _geometry_sent(meter)
    ex.checkboxes["bone"].value = True
    assert _shown(skull) and bone.visible is False
    # the control shows what is drawn: bone ticked, the rest peeled
    assert ex.checkboxes["bone"].value is True and ex.checkboxes["periosteum"].disabled
    assert "skull" in ex.description()
    ex.peel.value = 0
    assert skull.visible is False and _shown(bone) and _shown(_trace(fig, "layer:skin"))


def test_a_stage_that_starts_on_bone_has_the_skull_in_its_first_figure(model_coarse):
    from facelayers.widgets.controller import Controller

    c = Controller(model_coarse, ViewState(peel=5))
    skull = _trace(c.figure, "skull")
    assert skull_stage.is_loaded(skull) and _shown(skull) and _trace(c.figure, "layer:bone").visible is False
    assert not skull_stage.ensure_skull(c.figure, model_coarse, c.state)  # nothing more to send
    c.update(peel=2)
    assert skull.visible is False and _shown(_trace(c.figure, "layer:smas"))


def test_a_cutaway_with_layers_keeps_the_floor(model_coarse):
    from facelayers.widgets.controller import Controller

    c = Controller(model_coarse)
    c.update(cutaway="cheek", layers_cut=5)
    assert not c.skull_sent and not skull_stage.is_loaded(_trace(c.figure, "skull"))
    assert _shown(_trace(c.figure, "layer:bone")) and _trace(c.figure, "skull").visible is False


def test_a_figure_without_a_loaded_skull_never_hides_the_floor(model_coarse):
    from facelayers.render.updates import apply_visibility

    fig = face_figure(model_coarse)
    apply_visibility(fig, ViewState(peel=5))  # the placeholder was never filled
    assert _shown(_trace(fig, "layer:bone")) and _trace(fig, "skull").visible is False


# --- lesson 01's skull figure ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def paths(model_lecture):
    from facelayers.model.nerves import place_all

    return place_all(model_lecture)


def test_the_lesson_figure_draws_the_skull_and_the_nerves_it_names(model_lecture, paths):
    from facelayers.render.skull_nerves import SKULL_NERVES, skull_nerve_figure

    fig = skull_nerve_figure(model_lecture, paths)
    names = [t.name for t in fig.data]
    assert names[0] == "skull"
    assert {f"nerve:{n}" for n in ("frontal_1", "frontal_2", "frontal_3", "marginal_mandibular", "supraorbital",
                                   "infraorbital", "mental")} == set(names[1:]) == {f"nerve:{n}" for n in SKULL_NERVES}
    labels = fig.layout.scene.annotations
    texts = " ".join(a.text for a in labels)
    for words in ("Frontal (temporal) branch", "zygomatic arch", "Marginal mandibular branch", "lower border",
                  "Supraorbital", "Infraorbital", "Mental"):
        assert words in texts
    assert all(18 <= a.font.size <= 24 for a in labels) and len(labels) == 5
    assert all(18 <= a.font.size <= 24 for a in fig.layout.annotations)
    # students read names, authors and years, never internal ids
    hovers = " ".join(t.hovertemplate for t in fig.data)
    for internal in ("frontal_1", "marginal_mandibular", "alkayat1979", "dingman1962", "nerve:"):
        assert internal not in hovers and internal not in texts
    # the arch label points at the measured crossing (left side, x plotted negated)
    crossing = next(c for c in arch_crossings(model_lecture, paths) if c.nerve_id == "frontal_2")
    arch = next(a for a in labels if "zygomatic arch" in a.text)
    np.testing.assert_allclose([-arch.x, arch.y, arch.z], crossing.point, atol=1e-6)


def test_the_lesson_figure_refuses_an_unknown_camera_and_missing_nerves(model_lecture, paths):
    from facelayers.render.skull_nerves import skull_nerve_figure

    with pytest.raises(ValueError, match="camera = 'behind' is not allowed; allowed: skull, front"):
        skull_nerve_figure(model_lecture, paths, "behind")
    with pytest.raises(KeyError, match="paths has no left 'mental'"):
        skull_nerve_figure(model_lecture, {k: p for k, p in paths.items() if k[0] != "mental"})


# --- the readings, measured on the drawn bone ------------------------------------------------------------------

#: al-Kayat & Bramley 1979 (alkayat1979): the frontal rami cross the arch 8-35 mm in front of the ear canal.
ARCH_RANGE_MM = (8.0, 35.0)
#: On the arch's periosteum (trussler2010: deep to the SMAS, near the periosteum): within this of the drawn bone.
OFF_BONE_MAX_MM = 4.0
#: dingman1962: behind the facial artery up to 10 mm below the border (ziarah1981: 12 mm); in front always above.
BELOW_BEHIND_MAX_MM = 12.0


@pytest.mark.parametrize("side", ["left", "right"])
def test_frontal_rami_cross_the_drawn_arch_where_cited(model_lecture, paths, side):
    crossings = arch_crossings(model_lecture, paths, side)
    assert [c.nerve_id for c in crossings] == ["frontal_1", "frontal_2", "frontal_3"]
    for c in crossings:
        assert ARCH_RANGE_MM[0] <= c.in_front_of_tragion_mm <= ARCH_RANGE_MM[1], c
        assert 0.0 < c.off_bone_mm <= OFF_BONE_MAX_MM, c


@pytest.mark.parametrize("side", ["left", "right"])
def test_marginal_mandibular_branch_against_the_drawn_lower_border(model_lecture, paths, side):
    course = border_course(model_lecture, paths, side)
    assert course.behind_artery.any() and (~course.behind_artery).any()
    assert course.lowest_behind_mm >= -BELOW_BEHIND_MAX_MM
    assert course.lowest_in_front_mm > 0.0  # in front of the artery always above the border


def test_the_reading_names_authors_not_ids_and_refuses_a_bad_side(model_lecture, paths):
    text = reading_text(model_lecture, paths)
    assert "Al-Kayat & Bramley 1979" in text and "Dingman & Grabb 1962" in text
    assert "alkayat1979" not in text and "frontal_1" not in text
    with pytest.raises(ValueError, match="side = 'up' is not allowed; allowed: 'left', 'right'"):
        arch_crossings(model_lecture, paths, "up")
