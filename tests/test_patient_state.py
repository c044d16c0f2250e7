"""The patient in the one typed state: ViewState, view files, storyboards, the controller, the text alternative
and the patients view's pickers (no re-entry flag)."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from facelayers.model.patient import Patient
from facelayers.render.access import describe_view
from facelayers.teaching.state import StateError, ViewState
from facelayers.teaching.views import load_view, save_view, view_from_yaml, view_to_yaml
from facelayers.widgets.controller import Controller

OLD_WOMAN = Patient("female", 75, 19)


def test_the_state_holds_a_checked_patient():
    state = ViewState(patient={"sex": "female", "age": 75, "bmi": 19})
    assert state.patient == OLD_WOMAN
    assert ViewState().patient is None
    assert state.changed(ViewState()) == ["patient"]
    assert state.as_dict()["patient"] == {"sex": "female", "age": 75.0, "bmi": 19.0}
    with pytest.raises(StateError, match=r"field 'age' = 12: allowed: a number from 18 to 100 years") as info:
        ViewState().with_(patient={"sex": "female", "age": 12, "bmi": 19})
    assert info.value.field == "patient"
    with pytest.raises(StateError, match="allowed: None, a facelayers.model.patient.Patient or a mapping"):
        ViewState(patient="old")


def test_a_view_file_round_trips_its_patient(tmp_path):
    state = ViewState(camera="left", patient=Patient("male", 30, 32))
    text = view_to_yaml(state)
    assert "patient:\n  sex: male\n  age: 30.0\n  bmi: 32.0\n" in text
    assert view_from_yaml(text) == state
    path = save_view(state, tmp_path / "v.yaml")
    assert load_view(path) == state
    assert "patient" not in view_to_yaml(ViewState())  # the reference patient is left out


def test_a_storyboard_step_carries_the_storyboards_patient_or_its_own(tmp_path):
    import shutil

    from facelayers.anatomy.load import load_anatomy
    from facelayers.anatomy.specs import package_data_dir
    from facelayers.teaching.storyboard import load_storyboards

    data = tmp_path / "data"
    shutil.copytree(package_data_dir(), data)
    path = data / "storyboards" / "deep_plane.yaml"
    text = path.read_text().replace("compare_with: high_smas\n",
                                    "compare_with: high_smas\npatient:\n  sex: female\n  age: 75\n  bmi: 19\n")
    # the second step names its own patient in its view
    head, sep, rest = text.partition("view:\n")
    head2, sep2, rest2 = rest.partition("view:\n")
    text = head + sep + head2 + sep2 + "      patient: {sex: male, age: 30, bmi: 32}\n" + rest2
    path.write_text(text)
    board = load_storyboards(load_anatomy(data))["deep_plane"]
    assert board.steps[0].state().patient == OLD_WOMAN
    assert board.steps[1].state().patient == Patient("male", 30, 32)


def test_the_controller_rebuilds_the_model_when_the_patient_changes(model_lecture):
    c = Controller(model_lecture, ViewState(technique="deep_plane"), nerves=True, techniques=True,
                   wrap=go.FigureWidget)
    figure, traces = c.figure, len(c.figure.data)
    skin_before = next(t for t in c.figure.data if t.name == "layer:skin").x
    assert c.update(patient=OLD_WOMAN) == ["patient"]
    assert c.model.patient == OLD_WOMAN and c.state.patient == OLD_WOMAN
    assert c.figure is figure and len(figure.data) == traces  # replaced in place
    skin_after = next(t for t in figure.data if t.name == "layer:skin")
    assert skin_after.x is not skin_before
    # a toggle after it still sends no mesh
    x = skin_after.x
    assert c.update(peel=2) == ["peel"]
    assert c.resent == [] and next(t for t in figure.data if t.name == "layer:skin").x is x
    # back to the reference patient: the first model again (kept, not rebuilt)
    c.update(patient=None)
    assert c.model is model_lecture
    # a first state that names a patient draws that patient's model
    assert Controller(model_lecture, ViewState(patient=OLD_WOMAN)).model.patient == OLD_WOMAN


def test_the_text_alternative_names_a_patient_other_than_the_reference(model_coarse):
    assert "of a woman, 75 y, BMI 19" in describe_view(model_coarse, ViewState(patient=OLD_WOMAN))
    assert "of a " not in describe_view(model_coarse, ViewState()).split(",")[0]


def test_the_patients_view_pickers_write_the_state_without_a_flag():
    from facelayers.widgets.patient_widget import PatientComparer, PatientsView

    view = PatientComparer(resolution="coarse")
    assert not hasattr(view, "_syncing")
    renders = []
    original = view.render
    view.render = lambda: (renders.append(1), original())[1]
    # a control writes its field; the picker then shows the state
    view.picker_a.age.value = 60
    assert view.state.a == Patient("female", 60, 19) and len(renders) == 1
    # a whole state: every control shows it, one render, no echo
    target = PatientsView(Patient("male", 50, 30), Patient("female", 25, 18), view.state.technique, "print")
    view.set_state(target)
    assert view.state == target and len(renders) == 2
    assert view.picker_a.shows(target.a) and view.picker_b.shows(target.b) and view.theme.value == "print"


def test_the_player_draws_each_steps_patient(model_coarse):
    """A storyboard (or a step) may name a patient: the player draws that patient's model; a step that names
    another patient rebuilds it, and a step that only peels sends no mesh."""
    from facelayers.teaching.storyboard import Step, Storyboard
    from facelayers.widgets.player import StoryboardPlayer

    woman = OLD_WOMAN.as_dict()
    views = ({"peel": 1, "patient": woman}, {"peel": 2, "patient": woman},
             {"peel": 2, "patient": {"sex": "male", "age": 30, "bmi": 32}})
    steps = tuple(Step(i, f"Step {i}", "A caption. Another.", (), {"technique": "deep_plane", **view})
                  for i, view in enumerate(views, start=1))
    board = Storyboard("test", "A test", "deep_plane", "Summary.", (), steps, patient=OLD_WOMAN)
    player = StoryboardPlayer(board, model_coarse)
    controller = player.comparer.controller
    assert controller.model.patient == OLD_WOMAN and player.state.patient == OLD_WOMAN
    assert (controller.model.nu, controller.model.nv) == (model_coarse.nu, model_coarse.nv)
    skin = next(t for t in player.figure.data if t.name == "layer:skin").x
    assert player.go_to(2) == ["peel"]
    assert next(t for t in player.figure.data if t.name == "layer:skin").x is skin  # no mesh for a peel
    assert player.go_to(3)[0] == "patient"
    assert controller.model.patient == Patient("male", 30, 32)
    assert "of a man, 30 y, BMI 32" in player.comparer.description()


def test_the_explorers_patient_picker_writes_and_shows_the_state(model_coarse):
    from facelayers.model.patient import REFERENCE_PATIENT
    from facelayers.widgets.dissection import DissectionComparer
    from facelayers.widgets.layer_explorer import LayerExplorer

    ex = DissectionComparer(model_coarse)
    picker = ex.patient_picker
    assert ex.state.patient is None and picker.shows(REFERENCE_PATIENT) and ex.patient_reference.disabled
    assert picker.box in ex.panel.children  # in the panel beside the figure
    for slider in (picker.age, picker.bmi):  # a full-width track, never under 120 px; its name above it
        assert slider.description == "" and slider.layout.min_width == "200px" and slider.layout.width == "100%"
    assert (picker.age.min, picker.age.max, picker.bmi.min, picker.bmi.max) == (18, 100, 14.0, 60.0)
    # a control writes the state; the model follows
    picker.age.value = 75
    assert ex.state.patient == Patient("female", 75, 22) and ex.model.patient == ex.state.patient
    assert "woman, 75 y, BMI 22" in ex.patient_label.value and not ex.patient_reference.disabled
    # a whole state (a saved view): the picker shows it, and nothing echoes back
    target = ViewState(compare=ex.state.compare, patient=Patient("male", 30, 32))
    ex.show_state(target)
    assert ex.state.patient == target.patient and picker.shows(target.patient)
    # back to the reference patient (None), not a copy of its values
    ex.patient_reference.click()
    assert ex.state.patient is None and picker.shows(REFERENCE_PATIENT) and ex.model is model_coarse
    # the layer explorer has the picker too, and opens on the state's patient
    layers = LayerExplorer(model_coarse, ViewState(patient=OLD_WOMAN))
    assert layers.model.patient == OLD_WOMAN and layers.patient_picker.shows(OLD_WOMAN)


def test_a_storyboard_steps_bad_patient_is_named_by_file_line_and_field(tmp_path):
    import shutil

    from facelayers.anatomy.load import DataError, load_anatomy
    from facelayers.anatomy.specs import package_data_dir
    from facelayers.teaching.storyboard import load_storyboards

    data = tmp_path / "data"
    shutil.copytree(package_data_dir(), data)
    path = data / "storyboards" / "deep_plane.yaml"
    head, sep, rest = path.read_text().partition("view:\n")
    path.write_text(head + sep + "      patient: {sex: female, age: 12, bmi: 19}\n" + rest)
    line = (head + sep).count("\n") + 1
    with pytest.raises(DataError) as info:
        load_storyboards(load_anatomy(data))  # every step's view is checked by ViewState
    message = str(info.value)
    assert f"storyboards/deep_plane.yaml line {line}" in message
    assert "field 'steps[0].view.patient.age'" in message and "from 18 to 100 years" in message


def test_an_export_of_a_view_draws_its_patient(tmp_path):
    """``python -m facelayers export --view`` draws the view's patient: the bone of a 75-year-old woman's view
    is that patient's, not the reference's (the skin, the model's frame, is the same)."""
    import numpy as np
    import trimesh

    from facelayers.delivery import export

    meshes = {}
    for name, state in (("reference", ViewState()), ("old", ViewState(patient=OLD_WOMAN))):
        view = save_view(state, tmp_path / f"{name}.yaml")
        out = tmp_path / f"{name}.glb"
        export.export("layers", out, resolution="coarse", view=view)
        meshes[name] = dict(trimesh.load(out, force="scene", process=False).geometry)
    bone = [np.asarray(meshes[k]["layer:bone"].vertices) for k in ("reference", "old")]
    skin = [np.asarray(meshes[k]["layer:skin"].vertices) for k in ("reference", "old")]
    # glb is in metres: the bone moves by millimetres, the skin by nothing
    assert bone[0].shape == bone[1].shape and np.abs(bone[0] - bone[1]).max() > 1e-3
    np.testing.assert_allclose(skin[0], skin[1], atol=1e-6)


def test_the_controller_keeps_the_first_and_the_latest_models(model_coarse):
    from facelayers.widgets.controller import MAX_MODELS

    c = Controller(model_coarse, ViewState())
    for age in range(20, 20 + MAX_MODELS + 3):
        c.update(patient=Patient("female", age, 22))
    assert len(c._models) == MAX_MODELS and c.model.patient.age == 20 + MAX_MODELS + 2
    c.update(patient=None)
    assert c.model is model_coarse  # the first model is never dropped
