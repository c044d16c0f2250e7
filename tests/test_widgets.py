"""The layer explorer, driven headless by setting ``.value`` (ipywidgets ``widgets/tests/test_interaction.py``
style): each control writes the state and sends only the figure update it needs."""

from __future__ import annotations

import numpy as np
import pytest

from facelayers.core.frame import INTERFACES
from facelayers.teaching.state import CAMERAS, SECTION_LIMITS, ViewState
from facelayers.widgets.layer_explorer import LayerExplorer
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
    # the muscle and layer 4's band in its cut wall (space:layer4, issue 11)
    band = [t.name for t in explorer.figure.data].index("space:layer4")
    assert recorder.restyled_traces() == [3, band], "deepening the cut by one layer re-sends only the muscle"

    recorder.reset()
    explorer.cutaway.value = "none"
    assert explorer.state.cutaway is None
    assert recorder.restyled_traces() == [0, 1, 2, 3, band]
    assert len(layer_trace(explorer, "fat").x) == explorer.model.n_vertices


def test_set_cutaway_moves_the_dropdown(explorer, recorder):
    changed = explorer.set_cutaway("temple", 2)
    assert changed == ["skin", "fat"]
    assert explorer.cutaway.value == "temple" and explorer.state.cutaway == "temple"
    assert recorder.restyled_traces() == [0, 1], "syncing the dropdown re-sent geometry a second time"
    explorer.set_cutaway(None, 2)
    assert explorer.cutaway.value == "none" and explorer.state.cutaway is None


def test_layer_swatches_use_the_palette(explorer):
    from facelayers.render import face as render

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
    from facelayers.teaching.state import SURGEON_CAMERAS
    from facelayers.widgets.dissection import DissectionComparer

    assert not set(SURGEON_CAMERAS) & set(explorer.camera.options)  # no pocket to look into here
    assert set(SURGEON_CAMERAS) <= set(DissectionComparer(model_coarse).camera.options)
    # A saved view that looks from the incision still opens in a plain explorer (its preset is offered).
    opened = LayerExplorer(model_coarse, ViewState(camera="incision"))
    assert opened.camera.value == "incision" and "crown" not in opened.camera.options


# ----------------------------------------------------------------------------------------------------
# One source of truth: the controls show what is drawn


def test_a_peeled_layers_box_is_unticked_and_disabled(explorer):
    explorer.peel.value = 2
    for name in INTERFACES[:2]:
        assert explorer.checkboxes[name].value is False and explorer.checkboxes[name].disabled, name
        assert layer_trace(explorer, name).visible is False
    assert explorer.checkboxes["smas"].value is True and not explorer.checkboxes["smas"].disabled
    assert explorer.state.visible["skin"] is True, "peeling does not untick the layer: unpeeling brings it back"
    explorer.peel.value = 0
    assert explorer.checkboxes["skin"].value is True and not explorer.checkboxes["skin"].disabled


def test_outermost_shown_names_the_surface_on_top(explorer):
    explorer.checkboxes["skin"].value = False
    assert "outermost shown: <b>Subcutaneous fat</b>" in explorer.peel_label.value
    explorer.peel.value = 3
    assert "outermost shown: <b>Deep fascia and muscle</b>" in explorer.peel_label.value


def test_the_peel_note_is_one_line_and_the_grid_marks_the_peeled_rows(explorer):
    from facelayers.render import face as render

    labels = render.surface_labels(explorer.model)
    explorer.peel.value = 2
    note = explorer.peel_label.value
    assert "<br" not in note and "outermost shown: <b>SMAS</b> (2 peeled away)" in note, note
    assert f"title='peeled away: {labels['skin']}, {labels['fat']}'" in note, note
    assert [n for n, row in explorer.layer_rows.items() if "fl-peeled" in row._dom_classes] == ["skin", "fat"]
    explorer.show_state(ViewState(peel=0))  # a saved view moves the note and the rows too
    assert "peeled" not in explorer.peel_label.value
    assert not any("fl-peeled" in row._dom_classes for row in explorer.layer_rows.values())


def test_the_layers_are_one_grid_of_swatch_and_box_rows_outermost_first(explorer):
    grid = explorer.layer_grid
    assert "fl-layers" in grid._dom_classes and grid in explorer.panel.children
    assert [row.children[1] for row in grid.children] == [explorer.checkboxes[n] for n in INTERFACES]
    for name, row in zip(INTERFACES, grid.children):
        swatch, box = row.children
        assert "fl-layer" in row._dom_classes and from_palette(name) in swatch.value, name
        assert box.description == explorer.checkboxes[name].description
    # The short sliders carry their name on their own row; the track keeps its width.
    for box, slider in ((explorer.peel_box, explorer.peel), (explorer.cut_box, explorer.layers_cut)):
        assert "fl-inline" in box._dom_classes and "fl-slider" in box._dom_classes and box.children[1] is slider
        assert slider.layout.min_width == "160px"


def from_palette(name):
    from facelayers.render import face as render

    return render.PALETTE[name]


def test_the_comparers_panel_puts_the_flap_under_show_ab(model_coarse):
    # The flap slider right under Show A/B (a new user found it below the fold at 1366 px under the cutaway),
    # then peel, layers, camera, pick and cutaway.
    from facelayers.widgets.dissection import DissectionComparer
    from facelayers.widgets.nerve_explorer import NerveExplorer

    ex = DissectionComparer(model_coarse)
    order = list(ex.panel.children)
    at = {name: order.index(getattr(ex, name)) for name in
          ("technique_a", "technique_b", "show", "flap_box", "peel_box", "layer_grid", "camera", "pick", "cutaway",
           "zones", "ligaments", "show_labels")}
    assert list(at) == sorted(at, key=at.get), at  # in that order, top to bottom
    assert ex.zone_key in order and order.index(ex.zone_key) == at["zones"] + 1
    # Every control is in the panel once; the nerve explorer keeps its own order (pick, zones, ligaments, cutaway).
    assert len(order) == len({id(c) for c in order})
    nerve = NerveExplorer(model_coarse)
    order = list(nerve.panel.children)
    at = [order.index(getattr(nerve, name)) for name in ("layer_grid", "camera", "pick", "zones", "ligaments", "cutaway")]
    assert at == sorted(at), at


def test_a_saved_view_is_shown_in_one_call_and_every_control_follows(explorer, recorder):
    view = ViewState(visible={"fat": False}, peel=1, cutaway="cheek", layers_cut=3, camera="left",
                     section_kind="vertical", section_at=30.0, labels=True)
    changed = explorer.show_state(view)
    assert set(changed) == {"visible", "peel", "cutaway", "layers_cut", "camera", "section_kind", "section_at",
                            "labels"}
    assert explorer.state == view
    assert explorer.peel.value == 1 and explorer.cutaway.value == "cheek" and explorer.layers_cut.value == 3
    assert explorer.camera.value == "left" and explorer.section_kind.value == "vertical"
    assert explorer.section_at.value == 30.0 and explorer.show_labels.value is True
    assert explorer.checkboxes["skin"].disabled and explorer.checkboxes["fat"].value is False
    recorder.reset()
    assert explorer.show_state(view) == [] and recorder.meter.messages == 0, "the same view again sends nothing"


def test_the_controller_works_headless_on_a_plain_figure(model_coarse):
    import plotly.graph_objects as go

    from facelayers.widgets.controller import Controller

    c = Controller(model_coarse, ViewState(peel=1))
    assert isinstance(c.figure, go.Figure) and not isinstance(c.figure, go.FigureWidget)
    skin = next(t for t in c.figure.data if t.name == "layer:skin")
    assert skin.visible is False
    assert c.update(peel=0) == ["peel"] and skin.visible is True
    assert c.update(peel=0) == []
    with pytest.raises(ValueError, match="peel = 7"):
        c.update(peel=7)
    assert c.state.peel == 0


def test_the_controller_module_imports_no_widgets():
    import json
    import subprocess
    import sys

    code = ("import json, sys; import facelayers.widgets.controller; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('ipywidgets', 'anywidget'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_picking_a_muscle_shows_the_muscle_and_lights_its_nerve(model_coarse):
    from facelayers.render import structures as structure_figures
    from facelayers.widgets.nerve_explorer import NerveExplorer

    ex = NerveExplorer(model_coarse, ViewState(peel=0, camera="left"))
    ex.pick.value = "muscle:zygomaticus_major"
    muscle = next(t for t in ex.figure.data if t.name == "muscle:zygomaticus_major")
    assert muscle.visible is not False and muscle.color == structure_figures.HIGHLIGHT
    lit = [t for t in ex.figure.data if t.name.startswith("nerve:") and t.line.color == structure_figures.HIGHLIGHT]
    assert lit, "the muscle's nerve is lit"
    # peeled back as far as the nerve needs: its layer is the outermost shown, and the control says so
    assert ex.state.peel >= 3 and ex.peel.value == ex.state.peel
    assert ex.checkboxes["skin"].disabled and ex.checkboxes["skin"].value is False
    assert not ex.state.shown("smas") and muscle.visible is True, "the picked SMAS muscle stays in view"


def test_b_to_a_withdraws_the_endoscope(model_coarse):
    from facelayers.widgets.dissection import DissectionComparer

    c = DissectionComparer(model_coarse, techniques=("deep_plane", "endoscopic_brow"))
    shaft = next(t for t in c.figure.data if t.name == "endoscope:shaft")
    assert shaft.visible is False and not c.port.options and c.insertion.disabled
    assert "No endoscope" in c.scope_view.layout.annotations[0].text
    c.show.value = "B"
    assert shaft.visible is True and len(shaft.x) > 0 and c.port.value == c.state.scope_port is not None
    assert not c.insertion.disabled and c.flap.disabled
    c.show.value = "A"
    assert shaft.visible is False and len(shaft.x) == 0 and c.port.value is None and c.insertion.disabled
    assert c.state.technique == "deep_plane" and c.technique_a.value == "deep_plane"


def test_the_comparer_starts_complete_with_a_titled_colour_bar(model_coarse):
    """Voila keeps only what a FigureWidget had when it was built: the colour bar is in the figure from the start,
    beside the scene (never over the head), red = near."""
    from facelayers.widgets.dissection import DissectionComparer

    c = DissectionComparer(model_coarse)
    layout = c.figure._widget_layout  # what was sent when the widget was built
    colorbar = layout["coloraxis"]["colorbar"]
    assert "nearest" in colorbar["title"]["text"] and colorbar["ticktext"][0].endswith("near")
    assert layout["coloraxis"]["colorscale"][0][1].lower() == "#b2182b"
    assert colorbar["x"] > layout["scene"]["domain"]["x"][1]


def test_the_comparison_table_names_nerves_in_full_and_cites_author_and_year(model_coarse):
    from facelayers.widgets.dissection import DissectionComparer

    c = DissectionComparer(model_coarse, techniques=("deep_plane", "endoscopic_brow"))
    assert "Marginal mandibular" in c.table.value or "marginal mandibular" in c.table.value.lower()
    assert "efl650" not in c.table.value and "jacono2019" not in c.table.value
    assert "Jacono et al. 2019" in c.table.value or "not verified" in c.table.value


def test_the_figure_carries_a_text_alternative_that_follows_the_state(model_coarse):
    """Issue 14: every explorer's 3D view has a screen-reader region under it, written from the state."""
    from facelayers.widgets.dissection import DissectionComparer
    from facelayers.widgets.nerve_explorer import NerveExplorer

    layer = LayerExplorer(model_coarse)
    region = layer.alt.value
    assert 'role="status"' in region and 'aria-live="polite"' in region and "Shown: skin" in region
    layer.peel.value = 3  # the student moves the Peel slider
    assert "Shown: skin" not in layer.alt.value and "skin" in layer.alt.value.split("Hidden or peeled away:")[1]
    assert layer.alt in layer.figure_box.children  # under the figure it describes
    nerves = NerveExplorer(model_coarse)
    nerves.update(pick="group:frontal")
    assert "Picked: the frontal branch (3 rami)" in nerves.alt.value
    comparer = DissectionComparer(model_coarse)
    assert "Technique: " in comparer.alt.value and comparer.state.technique in (
        "deep_plane", "endoscopic_brow") and "dissection plane" in comparer.alt.value


def test_switching_the_scope_view_removes_what_the_old_view_drew(model_coarse):
    # plotly merges a new layout into the old one in the browser: the open approach's "No endoscope" note (and its
    # 2D axes) must be removed explicitly when the endoscopic technique is shown, and come back after it.
    from facelayers.widgets.dissection import DissectionComparer
    from benchmarks.message_meter import MessageMeter

    c = DissectionComparer(model_coarse, techniques=("deep_plane", "endoscopic_brow"))
    sv = c.scope_view
    assert "No endoscope" in sv.layout.annotations[0].text
    meter = MessageMeter(sv, keep=True)
    c.show.value = "B"
    relayouts = [m["state"]["_py2js_relayout"]["relayout_data"] for m, _ in meter.log
                 if (m.get("state") or {}).get("_py2js_relayout")]
    removed = {k for r in relayouts for k, v in r.items() if v is None}
    assert {"annotations", "xaxis", "yaxis"} <= removed, relayouts
    assert len(sv.layout.annotations) == 0 and len(sv.data) > 0
    c.show.value = "A"
    assert "No endoscope" in sv.layout.annotations[0].text and len(sv.data) == 0


def test_complication_rates_cite_author_and_year_never_none():
    # The comparer's published rates: "Mansour et al., year not known" for a source whose year no stored record
    # gives (a student saw "Mansour et al. None", then "n.d."); one short form for every citation (Source.short).
    from facelayers.anatomy.load import load_anatomy
    from facelayers.widgets.dissection import source_citation

    anatomy = load_anatomy()
    cited = {sid: source_citation(anatomy, sid) for sid in anatomy.sources}
    assert not [c for c in cited.values() if "None" in c], cited
    assert cited["efl650"] == "Mansour et al., year not known"
    assert cited["jacono2019"] == anatomy.sources["jacono2019"].short
