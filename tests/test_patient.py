"""Patients: validation, the coefficient table, and the thicknesses measured on the built geometry."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facelayers.anatomy.load import DataError, load_anatomy
from facelayers.anatomy.specs import package_data_dir, schema_dir
from facelayers.core.frame import LAYERS
from facelayers.model.geometry import build_face
from facelayers.model.margins import normal_depths
from facelayers.model.patient import (
    AGE_RANGE,
    BMI_RANGE,
    MIN_THICKNESS_MM,
    REFERENCE_PATIENT,
    SKULL_PARAMETERS,
    Patient,
    adjust,
    load_variation,
    read_variation,
    site_depth_changes,
    skull_parameters,
    thickness_changes,
)


def _measured(model, landmark: str, layer: str | None = None) -> float:
    """Thickness of one layer (or the total depth to bone) on the built model, under a landmark, mm.

    Measured as the sources measure it (ultrasound, CT, cephalograms; the tissue-depth table): perpendicular to
    the skin, walking the skin's inward normal through the built interfaces (``margins.normal_depths``). Since the
    skull model the layers are laid along oblique rays, so the thickness along the ray is not the cited one.
    """
    depth = normal_depths(model, model.anatomy.point(landmark)[None, :])[0]
    if layer is None:
        return float(depth[-1])
    return float(np.diff(depth)[LAYERS.index(layer)])


@pytest.fixture(scope="module")
def anatomy():
    return load_anatomy()


# ---------------------------------------------------------------------------------------------------
# The patient object


@pytest.mark.parametrize("kwargs, field, allowed", [
    ({"sex": "f"}, "sex", "allowed: female, male"),
    ({"sex": "other"}, "sex", "allowed: female, male"),
    ({"age": 17}, "age", "from 18 to 100 years"),
    ({"age": 101}, "age", "from 18 to 100 years"),
    ({"age": "old"}, "age", "from 18 to 100 years"),
    ({"age": float("nan")}, "age", "from 18 to 100 years"),
    ({"bmi": 13.9}, "bmi", "from 14 to 60 kg/m2"),
    ({"bmi": 61}, "bmi", "from 14 to 60 kg/m2"),
    ({"bmi": True}, "bmi", "from 14 to 60 kg/m2"),
])
def test_bad_values_are_clear_errors(kwargs, field, allowed):
    with pytest.raises(ValueError) as info:
        Patient(**kwargs)
    message = str(info.value)
    assert f"field '{field}' = {next(iter(kwargs.values()))!r}" in message
    assert allowed in message


def test_bounds_are_inclusive_and_labels_read_well():
    assert Patient("male", AGE_RANGE[0], BMI_RANGE[0]).label == "man, 18 y, BMI 14"
    assert Patient("female", AGE_RANGE[1], BMI_RANGE[1]).label == "woman, 100 y, BMI 60"
    assert REFERENCE_PATIENT == Patient("female", 40, 22)


def test_from_mapping_round_trip_and_errors():
    patient = Patient("male", 30, 32)
    assert Patient.from_mapping(patient.as_dict()) == patient
    with pytest.raises(ValueError, match=r"view 'patient': unknown key\(s\) 'weight'; allowed: sex, age, bmi"):
        Patient.from_mapping({"sex": "male", "weight": 80}, where="view 'patient'")
    with pytest.raises(ValueError, match=r"view 'patient': Patient: field 'age' = 5"):
        Patient.from_mapping({"age": 5}, where="view 'patient'")
    with pytest.raises(ValueError, match="a mapping with the keys sex, age, bmi"):
        Patient.from_mapping("old man")


# ---------------------------------------------------------------------------------------------------
# The coefficient table


def test_variation_table_loads_with_provenance(anatomy):
    variation = load_variation()
    assert len(variation.rows) >= 30
    for row in variation.rows:
        if row.status == "schematic":
            assert row.note
        else:
            assert row.source_id in anatomy.sources and row.locator
    schema = json.loads((schema_dir() / "variation.schema.json").read_text())
    assert all(layer in schema["properties"]["target"]["pattern"] for layer in LAYERS)


@pytest.mark.parametrize("find, replace, expect", [
    ("fat_bmi_chin,fat,chin,any,bmi,slope,0.12", "fat_bmi_chin,fat,chinn,any,bmi,slope,0.12",
     "variation.csv line 27 (variation fat_bmi_chin): field 'region_id' = 'chinn': must be 'all' or a region_id"),
    ("fat_bmi_chin,fat,chin,any,bmi,slope,0.12", "fat_bmi_chin,fat,chin,any,bmi,slope,lots",
     "variation.csv line 27 (variation fat_bmi_chin): field 'coefficient' = 'lots': must be a number"),
    ("fat_bmi_chin,fat,chin,any,bmi,slope,0.12", "fat_bmi_chin,fat,chin,any,sex,slope,0.12",
     "variation.csv line 27 (variation fat_bmi_chin): field 'form' = 'slope': variable sex takes the forms"),
    ("25:12.3;45:8.4;70:8.9", "25:12.3;45:8.4;40:8.9",
     "field 'knots' = '25:12.3;45:8.4;40:8.9': the x of the knots must increase"),
    (",measured,chen2023,", ",measured,chen2099,",
     "field 'source_id' = 'chen2099': must be a source_id of sources.csv"),
    ("skull:gonial_angle_delta_deg,all,any,age", "skull:jaw_size,all,any,age",
     "field 'target' = 'skull:jaw_size': must be an id matching"),
])
def test_bad_variation_rows_are_named(tmp_path, find, replace, expect):
    data = tmp_path / "data"
    shutil.copytree(package_data_dir(), data)
    path = data / "variation.csv"
    text = path.read_text()
    assert find in text
    path.write_text(text.replace(find, replace, 1))
    variation, problems = read_variation(data)
    assert variation is None
    assert any(expect in str(p) for p in problems), [str(p) for p in problems]
    with pytest.raises(DataError, match="invalid data"):
        load_variation(data)


def test_wrong_header_is_named(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(package_data_dir(), data)
    path = data / "variation.csv"
    path.write_text(path.read_text().replace("variation_id,target", "id,target", 1))
    _, problems = read_variation(data)
    assert str(problems[0]).startswith("variation.csv line 1 (header)"), problems
    assert "variation_id" in str(problems[0])


# ---------------------------------------------------------------------------------------------------
# Measured on the built geometry: direction and amount


@pytest.fixture(scope="module")
def women(anatomy):
    """A 25- and a 75-year-old woman at the reference BMI, lecture grid (the coarse grid's skull misses the
    tissue-depth sites by up to 0.15 mm and its interfaces are too coarse for a 0.1 mm measure)."""
    return {age: build_face(anatomy, "lecture", patient=Patient("female", age, 22)) for age in (25, 75)}


def test_default_build_is_the_reference_tables(anatomy, model_coarse):
    assert np.allclose(build_face(anatomy, "coarse", patient=None).skin, model_coarse.skin)
    # The reference patient changes only the skin: from the sexes' mean to Meng 2022's women (F = min_mm).
    changed = thickness_changes(anatomy, REFERENCE_PATIENT)
    assert changed and {c["layer_id"] for c in changed} == {"skin"}
    forehead = next(c for c in changed if c["region_id"] == "forehead")
    assert forehead["patient_mm"] == pytest.approx(1.23 - 0.33 / 2, abs=1e-9)  # Meng F 1.06, M 1.39


def test_temporal_fat_of_a_75_year_old_woman_is_wysongs_ratio(women):
    # Wysong 2013: temporal subcutaneous 12.3 mm young, 8.9 mm older (ratio 0.724); tolerance 1%.
    ratio = _measured(women[75], "temporal_fossa", "fat") / _measured(women[25], "temporal_fossa", "fat")
    assert ratio == pytest.approx(8.9 / 12.3, rel=0.01)


def test_temporal_fat_falls_gradually_in_men(anatomy):
    men = {age: build_face(anatomy, "coarse", patient=Patient("male", age, 22)) for age in (25, 45, 75)}
    fat = {age: _measured(m, "temporal_fossa", "fat") for age, m in men.items()}
    assert fat[25] > fat[45] > fat[75]
    assert fat[45] / fat[25] == pytest.approx(10.9 / 12.5, rel=0.01)  # Wysong 2014
    assert fat[75] / fat[25] == pytest.approx(9.6 / 12.5, rel=0.01)


def test_medial_cheek_fat_loss_in_women_is_wysongs_mm(women):
    # Wysong 2013: medial cheek -3.2 mm in the older group vs young. Tolerance 0.1 mm: the fat is laid along the
    # model's rays with the skin's cosine, and walking the normal through the curved cheek reads it to about 1%
    # of its 3-6 mm (measured: 6.20 mm at 25 y for 6.27 in the table, 3.08 at 75 y for 3.07; loss -3.12).
    loss = _measured(women[75], "inferior_malar", "fat") - _measured(women[25], "inferior_malar", "fat")
    assert loss == pytest.approx(-3.2, abs=0.1)


def test_dermis_thins_six_percent_per_decade(anatomy):
    # Branchet 1990: -6% per decade; at the forehead (no region-specific age row) over 30 years.
    skin = {age: _measured(build_face(anatomy, "coarse", patient=Patient("female", age, 22)), "frontal_eminence",
                           "skin") for age in (30, 40, 60)}
    # Linear in age: 3 decades take 18% of the thickness at the reference age (tolerance 0.5%).
    assert (skin[30] - skin[60]) / skin[40] == pytest.approx(0.18, abs=0.005)


def test_soft_pogonion_gains_chens_slope_per_bmi(anatomy):
    # Chen 2023: +0.120 mm per kg/m2 at soft pogonion; 10 kg/m2 -> +1.2 mm of total depth (tolerance 0.05 mm).
    # The skull stays where the skeleton is: the total depth, skin to bone along the skin's normal, grows.
    # Lecture grid: on the coarse one the bilinear skull misses the sites by up to 0.15 mm (measured 1.11).
    lean = build_face(anatomy, "lecture", patient=Patient("female", 40, 22))
    heavy = build_face(anatomy, "lecture", patient=Patient("female", 40, 32))
    assert _measured(heavy, "pogonion") - _measured(lean, "pogonion") == pytest.approx(1.2, abs=0.05)


def test_the_skeleton_stays_and_the_muscle_layer_keeps_its_thickness(women):
    """A patient's fat change moves the total depth, not the muscle layer: the skull is fitted to the patient's
    tissue depths (the reference depths plus the patient's change of the five layers)."""
    young, old = women[25], women[75]
    fat = _measured(old, "inferior_malar", "fat") - _measured(young, "inferior_malar", "fat")
    skin = _measured(old, "inferior_malar", "skin") - _measured(young, "inferior_malar", "skin")
    total = _measured(old, "inferior_malar") - _measured(young, "inferior_malar")
    muscle = _measured(old, "inferior_malar", "muscle") - _measured(young, "inferior_malar", "muscle")
    assert fat < -3.0
    assert total == pytest.approx(fat + skin, abs=0.15)  # SMAS and periosteum have no age row at the cheek
    assert abs(muscle) < 0.15
    # and the table the skull is fitted to carries the change
    assert old.anatomy.tissue_depths["inferior_malar"].depth_mm - young.anatomy.tissue_depths[
        "inferior_malar"].depth_mm == pytest.approx(-3.2 + (old.anatomy.thickness_row("malar", "skin").thickness_mm
                                                           - young.anatomy.thickness_row("malar", "skin").thickness_mm),
                                                    abs=1e-6)


def test_site_depth_changes_blend_the_regions_as_the_geometry_does(anatomy):
    from facelayers.model import patient, stack

    assert patient.REGION_SIGMA_MM == stack.SIGMA_MM
    assert all(v == 0.0 for v in site_depth_changes(anatomy, anatomy).values())
    heavy = adjust(anatomy, Patient("male", 40, 35))
    change = site_depth_changes(anatomy, heavy)
    assert set(change) == set(anatomy.tissue_depths)
    # at a site that is a region's anchor, the change is that region's (all weight on the anchor)
    chin = anatomy.thickness_table()[list(anatomy.regions).index("chin")]
    chin_heavy = heavy.thickness_table()[list(anatomy.regions).index("chin")]
    assert change["pogonion"] == pytest.approx((chin_heavy - chin).sum(), abs=1e-6)
    assert heavy.tissue_depths["pogonion"].depth_mm == pytest.approx(13.0 + change["pogonion"])


def test_normal_depths_reach_the_cited_depth_at_the_sites(anatomy, model_lecture):
    """The normal walk finds the skull at the tissue-depth table's depth (Rhine 1983) on the lecture grid."""
    names = [n for lid in anatomy.tissue_depths for n in anatomy.landmarks[lid].positions()]
    depth = normal_depths(model_lecture, np.array([anatomy.point(n) for n in names]))
    cited = np.array([anatomy.tissue_depths[n.split(":")[0]].depth_mm for n in names])
    assert np.all(np.diff(depth, axis=1) >= 0)
    assert np.abs(depth[:, -1] - cited).max() < 0.05


def _soft_tissue(model, landmark: str) -> float:
    """Soft-tissue depth under a landmark along the skin's normal, mm: down to the bone where there is bone; in
    the neck, which has no bone, down to the platysma's deep face (skin + fat + SMAS).

    The neck's floor (the deep cervical fascia) is a schematic stop laid on the model's fan of rays, which meet
    the front of the neck at cosines of about 0.6 and converge behind it: the skin's normal there does not cross
    it (``margins.normal_depths`` walks on to the clamp at the rays' axis, ~41 mm), so it measures nothing."""
    from facelayers.model.grid import params_of

    u, s, _ = params_of(model.anatomy.point(landmark)[None, :])
    if model.skull_surface.no_bone_weight(u, s)[0] > 0.5:
        return float(normal_depths(model, model.anatomy.point(landmark)[None, :])[0, 3])
    return _measured(model, landmark)


def test_bmi_thickens_every_region(anatomy):
    # Dong 2012: thickness rises with BMI at every landmark (direction; magnitude schematic elsewhere).
    lean = build_face(anatomy, "coarse", patient=Patient("male", 40, 18))
    heavy = build_face(anatomy, "coarse", patient=Patient("male", 40, 35))
    for region in anatomy.regions.values():
        for anchor in region.anchors:
            assert _soft_tissue(heavy, anchor) > _soft_tissue(lean, anchor), anchor


def test_men_have_thicker_skin_by_mengs_difference(anatomy):
    man = build_face(anatomy, "coarse", patient=Patient("male", 40, 22))
    woman = build_face(anatomy, "coarse", patient=Patient("female", 40, 22))
    diff = _measured(man, "frontal_eminence", "skin") - _measured(woman, "frontal_eminence", "skin")
    assert diff == pytest.approx(1.39 - 1.06, abs=0.02)  # Meng 2022 forehead, M - F
    # Tower 2019: men have less superficial cheek fat (-1.18 cc on 11.18 cc).
    ratio = _measured(man, "buccal_centre", "fat") / _measured(woman, "buccal_centre", "fat")
    assert ratio == pytest.approx(1 - 1.18 / 11.18, rel=0.01)


def test_skull_follows_the_cited_directions():
    young, old = Patient("female", 25, 22), Patient("female", 75, 22)
    assert skull_parameters(REFERENCE_PATIENT) == dict(SKULL_PARAMETERS)
    assert skull_parameters(old)["orbital_aperture_scale"] > skull_parameters(young)["orbital_aperture_scale"]
    assert skull_parameters(old)["gonial_angle_delta_deg"] > skull_parameters(young)["gonial_angle_delta_deg"]
    man = skull_parameters(Patient("male", 40, 22))
    assert man["gonial_angle_delta_deg"] < 0  # women have the larger angle
    assert man["piriform_width_scale"] == pytest.approx(25.0 / 23.5, rel=1e-3)  # Kabakci 2020


# ---------------------------------------------------------------------------------------------------
# Never crossing, and fast enough


@settings(max_examples=25, deadline=None)
@given(sex=st.sampled_from(["female", "male"]), age=st.integers(18, 100), bmi=st.integers(14, 60))
def test_layers_never_cross_for_any_valid_patient(sex, age, bmi):
    patient = Patient(sex, age, bmi)
    anatomy = adjust(load_anatomy(), patient)
    assert anatomy.thickness_table().min() >= MIN_THICKNESS_MM
    model = build_face(None, (32, 20), patient=patient)  # the patient's thicknesses and skull
    depth = model.stack.depth
    assert np.all(np.diff(depth, axis=1) >= -1e-9)
    # Measured on the surfaces: along each ray, every interface is no farther from the bone than the one above.
    radial = np.linalg.norm(model.stack.points - model.stack.points[:, -1:, :], axis=2)
    assert np.all(np.diff(radial, axis=1) <= 1e-6)


# ---------------------------------------------------------------------------------------------------
# Saved views and storyboards may name a patient; a layer-4 space can follow the patient too


def test_a_saved_view_keeps_its_patient(tmp_path):
    from facelayers.teaching.state import ViewState
    from facelayers.teaching.views import ViewFileError, load_view, load_view_patient, save_view

    path = save_view(ViewState(camera="left"), tmp_path / "v.yaml", patient=Patient("male", 30, 32))
    assert load_view(path).camera == "left"
    assert load_view_patient(path) == Patient("male", 30, 32)
    assert load_view_patient(save_view(ViewState(), tmp_path / "plain.yaml")) is None
    path.write_text(path.read_text().replace("bmi: 32.0", "bmi: 70"))
    with pytest.raises(ViewFileError) as info:
        load_view(path)
    message = str(info.value)
    assert "field 'patient.bmi' = '70'" in message and "line " in message and "from 14 to 60 kg/m2" in message


def _storyboard_copy(tmp_path, patient_yaml: str):
    data = tmp_path / "data"
    shutil.copytree(package_data_dir(), data)
    path = data / "storyboards" / "deep_plane.yaml"
    path.write_text(path.read_text().replace("compare_with: high_smas\n", f"compare_with: high_smas\n{patient_yaml}"))
    return data


def test_a_storyboard_may_name_its_patient(tmp_path):
    from facelayers.teaching.storyboard import load_storyboards

    data = _storyboard_copy(tmp_path, "patient:\n  sex: female\n  age: 75\n  bmi: 19\n")
    boards = load_storyboards(load_anatomy(data))
    assert boards["deep_plane"].patient == Patient("female", 75, 19)
    assert boards["endoscopic_brow"].patient is None


def test_a_storyboards_bad_patient_is_named(tmp_path):
    data = _storyboard_copy(tmp_path, "patient:\n  sex: female\n  age: 12\n  bmi: 19\n")
    with pytest.raises(DataError) as info:
        load_anatomy(data)
    assert "storyboards/deep_plane.yaml line 9 (storyboard deep_plane): field 'patient.age' = '12'" in str(info.value)


def test_a_layer_4_space_can_follow_the_patient(anatomy):
    """The planes helper's spaces (data/spaces.json) can call Variation.value with a 'space:<id>' target."""
    from dataclasses import replace as _replace

    variation = load_variation()
    row = _replace(variation.rows[0], variation_id="space_bmi", target="space:prezygomatic", region_id="malar",
                   variable="bmi", form="slope_relative", coefficient=0.02)
    extended = type(variation)(variation.rows + (row,), variation.path)
    assert extended.value("space:prezygomatic", "malar", 2.0, Patient("female", 40, 32)) == pytest.approx(2.4)
    assert extended.value("space:prezygomatic", "malar", 2.0, REFERENCE_PATIENT) == pytest.approx(2.0)
    # No row for a space: it keeps its reference value.
    assert variation.value("space:premasseter", "buccal", 1.5, Patient("male", 80, 50)) == 1.5
