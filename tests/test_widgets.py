"""The layer explorer, driven headless by setting ``.value`` (ipywidgets ``widgets/tests/test_interaction.py``
style): each control writes the state and sends only the figure update it needs."""

from __future__ import annotations

import numpy as np
import pytest

from facelayers.frame import INTERFACES
from facelayers.state import CAMERAS, SECTION_LIMITS, ViewState
from facelayers.widgets import LayerExplorer
from messages import Recorder

MESH_KEYS = {"x", "y", "z", "i", "j", "k"}


@pytest.fixture
def explorer(model_coarse):
    return LayerExplorer(model_coarse)


@pytest.fixture
def recorder(explorer):
    return Recorder(explorer.figure)


def layer_trace(explorer, name):
    return next(t for t in explorer.figure.data if t.name == f"layer:{name}")


def geometry(trace):
    return [np.array(getattr(trace, c)) for c in "xyzijk" if c in trace]


# ----------------------------------------------------------------------------------------------------
# Layer toggles and the peel slider: visibility only


def test_untick_skin(explorer, recorder):
    explorer.checkboxes["skin"].value = False
    assert explorer.state.visible["skin"] is False
    assert layer_trace(explorer, "skin").visible is False
    assert all(layer_trace(explorer, n).visible is True for n in INTERFACES[1:])
    assert recorder.meter.messages > 0, "the toggle sent nothing: the meter is not measuring"
    assert recorder.meter.bytes < 1000, f"a toggle sent {recorder.meter.bytes} bytes"
    assert not (recorder.keys_sent() & MESH_KEYS), "a toggle re-sent mesh data"
    assert [set(u["style_data"]) for u in recorder.updates] == [{"visible"}]

    recorder.reset()
    explorer.checkboxes["skin"].value = True
    assert explorer.state.visible["skin"] is True and layer_trace(explorer, "skin").visible is True
    assert recorder.meter.bytes < 1000


def test_peel_slider_hides_outer_layers(explorer, recorder):
    explorer.peel.value = 2
    assert explorer.state.peel == 2
    assert [layer_trace(explorer, n).visible for n in INTERFACES] == [False, False, True, True, True, True]
    assert explorer.state.visible["skin"] is True, "peeling must not untick the checkboxes"
    assert "SMAS" in explorer.peel_label.value
    assert 0 < recorder.meter.bytes < 1000, f"peel sent {recorder.meter.bytes} bytes"
    assert not (recorder.keys_sent() & MESH_KEYS), "peeling re-sent mesh data"

    recorder.reset()
    explorer.peel.value = 0
    assert all(layer_trace(explorer, n).visible is True for n in INTERFACES)


def test_unticked_layer_stays_hidden_after_unpeeling(explorer):
    explorer.checkboxes["muscle"].value = False
    explorer.peel.value = 4
    explorer.peel.value = 0
    assert layer_trace(explorer, "muscle").visible is False
    assert layer_trace(explorer, "skin").visible is True


# ----------------------------------------------------------------------------------------------------
# Camera: only the camera


@pytest.mark.parametrize("camera", ["front", "left", "top"])
def test_camera_buttons_change_only_the_camera(explorer, recorder, camera):
    before = [geometry(t) for t in explorer.figure.data]
    visible = [t.visible for t in explorer.figure.data]
    explorer.camera.value = camera
    assert explorer.state.camera == camera
    eye = explorer.figure.layout.scene.camera.eye
    assert np.allclose([eye.x, eye.y, eye.z], [CAMERAS[camera]["eye"][c] for c in "xyz"])
    assert recorder.updates, "the camera change sent nothing"
    for update in recorder.updates:
        assert not update["style_data"] and not update["style_traces"], "the camera change restyled traces"
        assert update["layout_data"] and all(key.startswith("scene.camera") for key in update["layout_data"])
    assert recorder.meter.bytes < 2000
    assert [t.visible for t in explorer.figure.data] == visible
    for old, trace in zip(before, explorer.figure.data):
        assert all(np.array_equal(a, b) for a, b in zip(old, geometry(trace)))


# ----------------------------------------------------------------------------------------------------
# Cutaway: geometry only for the layers whose cut changed


def test_cutaway_dropdown_resends_only_cut_layers(explorer, recorder):
    explorer.layers_cut.value = 3
    assert recorder.restyled_traces() == [], "changing the depth with no window re-sent geometry"
    assert explorer.state.layers_cut == 3

    recorder.reset()
    explorer.cutaway.value = "cheek"
    assert explorer.state.cutaway == "cheek"
    assert recorder.restyled_traces() == [0, 1, 2], "only skin, fat and SMAS are cut"
    assert len(layer_trace(explorer, "skin").x) != explorer.model.n_vertices + 0

    recorder.reset()
    explorer.layers_cut.value = 4
    assert recorder.restyled_traces() == [3], "deepening the cut by one layer re-sends only the muscle"

    recorder.reset()
    explorer.cutaway.value = "none"
    assert explorer.state.cutaway is None
    assert recorder.restyled_traces() == [0, 1, 2, 3]
    assert len(layer_trace(explorer, "fat").x) == explorer.model.n_vertices


def test_set_cutaway_moves_the_dropdown(explorer, recorder):
    changed = explorer.set_cutaway("temple", 2)
    assert changed == ["skin", "fat"]
    assert explorer.cutaway.value == "temple" and explorer.state.cutaway == "temple"
    assert recorder.restyled_traces() == [0, 1], "syncing the dropdown re-sent geometry a second time"
    explorer.set_cutaway(None, 2)
    assert explorer.cutaway.value == "none" and explorer.state.cutaway is None


def test_layer_swatches_use_the_palette(explorer):
    from facelayers import render

    def html(widget):
        out = [widget.value] if hasattr(widget, "value") and isinstance(widget.value, str) else []
        for child in getattr(widget, "children", ()):
            out += html(child)
        return out

    text = " ".join(html(explorer.ui))
    for name in INTERFACES:
        assert render.PALETTE[name] in text, f"no swatch in the colour of {name}"


def test_region_labels_checkbox(explorer, recorder):
    explorer.show_labels.value = True
    labels = next(t for t in explorer.figure.data if t.name == "labels:regions")
    assert labels.visible is True
    assert not (recorder.keys_sent() & MESH_KEYS)
    explorer.show_labels.value = False
    assert labels.visible == "legendonly"


# ----------------------------------------------------------------------------------------------------
# Cross-section


def test_section_slider_updates_both_figures(explorer, recorder):
    band = explorer.section_figure.data[0]
    line = next(t for t in explorer.figure.data if t.name == "section:line")
    old_band, old_line = np.array(band.y), np.array(line.z)
    explorer.section_at.value = -45.0
    assert explorer.state.section_at == -45.0
    assert not np.array_equal(np.array(band.y), old_band), "the 2D section did not change"
    assert not np.array_equal(np.array(line.z), old_line), "the 3D section line did not move"
    assert np.allclose(np.array(line.z), -45.0, atol=2.0), "the line is not at the new height"
    assert line.visible is True
    assert "z = -45 mm" in explorer.section_figure.layout.title.text
    assert recorder.restyled_traces() == [7], "moving the section re-sent layer geometry"


def test_section_kind_switches_range(explorer):
    explorer.section_kind.value = "vertical"
    assert explorer.state.section_kind == "vertical"
    assert explorer.state.section_at == LayerExplorer.SECTION_START["vertical"]
    assert (explorer.section_at.min, explorer.section_at.max) == SECTION_LIMITS["vertical"]
    assert explorer.section_at.value == explorer.state.section_at
    assert "vertical" in explorer.section_figure.layout.title.text
    explorer.section_at.value = -60.0
    assert explorer.state.section_at == -60.0 and explorer.state.section_kind == "vertical"


# ----------------------------------------------------------------------------------------------------
# Invalid state


def test_invalid_state_names_field_and_allowed_values():
    with pytest.raises(ValueError, match=r"peel = 9.*0 to 5"):
        ViewState(peel=9)
    with pytest.raises(ValueError, match=r"camera = 'side'.*front, left, right, oblique, top"):
        ViewState(camera="side")
    with pytest.raises(ValueError, match=r"cutaway = 'chin'.*cheek"):
        ViewState(cutaway="chin")
    with pytest.raises(ValueError, match=r"layers_cut = 0.*1 to 5"):
        ViewState(layers_cut=0)
    with pytest.raises(ValueError, match=r"section_at = 80.*-60 to 60"):
        ViewState(section_at=80.0)
    with pytest.raises(ValueError, match=r"visible.*'dermis'.*skin"):
        ViewState(visible={"dermis": False})


def test_explorer_rejects_invalid_values_and_keeps_its_state(explorer, recorder):
    with pytest.raises(ValueError, match="camera"):
        explorer.set_camera("side")
    assert explorer.state.camera == "oblique"
    with pytest.raises(ValueError, match="allowed: skin"):
        explorer.set_visible("dermis", False)
    with pytest.raises(ValueError, match="peel"):
        explorer.set_peel(9)
    assert explorer.state.peel == 0
    assert recorder.meter.messages == 0, "a rejected change reached the figure"


def test_with_copies_and_never_mutates(explorer):
    state = ViewState()
    copy = state.with_(peel=1, visible={"skin": False})
    assert state.visible["skin"] is True and copy.visible["skin"] is False and copy.visible["fat"] is True
    with pytest.raises(TypeError):
        copy.visible["skin"] = True


def test_control_styles_are_applied(model_coarse):
    """The controls ask for 16 px type for projection; every style argument must be one the widget knows
    (traitlets warns and drops unknown ones, so the request would silently do nothing)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        LayerExplorer(model_coarse)
    dropped = sorted({str(w.message).split("(")[1].split(")")[0] for w in caught
                      if "unrecognized arguments" in str(w.message)})
    assert not dropped, (
        "BUG widgets._BIG: style={'font_size': '16px'} is not a trait of CheckboxStyle, SliderStyle, "
        f"DescriptionStyle or ToggleButtonsStyle, so the controls keep the default size; dropped: {dropped}"
    )


def test_the_flap_cameras_are_offered_where_there_is_a_flap(explorer, model_coarse):
    from facelayers.widgets import SURGEON_CAMERAS, DissectionComparer

    assert not set(SURGEON_CAMERAS) & set(explorer.camera.options)  # no pocket to look into here
    assert set(SURGEON_CAMERAS) <= set(DissectionComparer(model_coarse).camera.options)
    # A saved view that looks from the incision still opens in a plain explorer (its preset is offered).
    opened = LayerExplorer(model_coarse, ViewState(camera="incision"))
    assert opened.camera.value == "incision" and "crown" not in opened.camera.options
