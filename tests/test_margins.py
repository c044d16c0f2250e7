"""The margin of safety per patient, and the model's derived views (comparison, clearance map, flap) following
the patient."""

from __future__ import annotations

import numpy as np
import pytest

from facelayers.model.flap import raise_flap
from facelayers.model.margins import (
    LESSON_PATIENTS,
    SITES,
    compare_patients,
    margins,
    patient_model,
)
from facelayers.model.nerves import place_all
from facelayers.model.patient import Patient
from facelayers.model.planes import clearance_map
from facelayers.model.techniques import comparison_text, nerve_risks, place_technique

THIN_OLD_WOMAN = Patient("female", 75, 19)
HEAVY_YOUNG_MAN = Patient("male", 30, 35)


@pytest.fixture(scope="module")
def two():
    return {p: patient_model(p, "coarse") for p in (THIN_OLD_WOMAN, HEAVY_YOUNG_MAN)}


def test_margins_agree_with_the_comparison_tables_clearances(two):
    for patient, model in two.items():
        paths = {k: v for k, v in place_all(model).items() if k[1] == "left"}
        risks = nerve_risks(place_technique(model, "skin_only", sides=("left",)), paths)
        for m in margins(patient, "skin_only", "coarse"):
            group = [n.nerve_id for n in model.anatomy.nerves_in_group(m.site)]
            assert m.margin_mm == pytest.approx(min(risks[n].min_mm for n in group), abs=1e-9)
            assert m.nerve_id in group


def test_subcutaneous_margin_is_thinner_in_the_thin_old_woman():
    # At the lecture grid: along the jaw line the coarse grid's rays graze the skin, and the marginal mandibular
    # branch's closest point to the plane of the next rays is a chord artefact there, not the patient's fat.
    thin = {m.site: m for m in margins(THIN_OLD_WOMAN, "skin_only", "lecture")}
    heavy = {m.site: m for m in margins(HEAVY_YOUNG_MAN, "skin_only", "lecture")}
    for site, _ in SITES:
        assert thin[site].margin_mm < heavy[site].margin_mm, site
        assert thin[site].side == heavy[site].side == "deep"
        # The column under the closest point: nerve deeper than the plane, both within the stack.
        m = thin[site]
        assert 0 < m.plane_depth_mm < m.nerve_depth_mm < m.interfaces_mm[-1]
        assert np.all(np.diff(m.interfaces_mm) >= 0)


def test_comparison_table_clearance_map_and_flap_follow_the_patient(two):
    thin, heavy = two[THIN_OLD_WOMAN], two[HEAVY_YOUNG_MAN]
    texts, maps, flaps = [], [], []
    for model in (thin, heavy):
        paths = place_all(model)
        placed = place_technique(model, "skin_only")
        texts.append(comparison_text(model, [placed], paths))
        plane = placed.planes[0]
        maps.append(clearance_map(plane, [p for (n, side), p in paths.items() if side == plane.side]))
        flaps.append(raise_flap(model, placed, 20.0))
    assert texts[0] != texts[1]
    assert maps[0].shape == maps[1].shape and not np.allclose(maps[0], maps[1])
    # The raised flap is the patient's skin and fat: the same triangles, at other positions.
    assert flaps[0].faces.shape == flaps[1].faces.shape
    underside = flaps[0].faces[flaps[0].part == 1].ravel()
    gap = np.abs(flaps[0].vertices[underside] - flaps[1].vertices[underside]).max()
    assert gap > 0.1


def test_compare_patients_table_text_and_records():
    table = compare_patients(LESSON_PATIENTS[:2], "skin_only", "coarse")
    assert table.values_mm().shape == (2, len(SITES))
    text = table.text()
    assert "margins of safety (mm): Skin-only facelift" in text
    assert "woman, 75 y, BMI 30" in text and "mandibular border" in text
    record = table.records()[1]
    assert record["sex"] == "female" and record["mandibular border"] == round(table.rows[1][2].margin_mm, 1)


def test_compare_patients_bad_input_is_named():
    with pytest.raises(ValueError, match="patients: empty"):
        compare_patients([], "skin_only", "coarse")
    with pytest.raises(TypeError, match=r"patients\[1\] = 'old man'"):
        compare_patients([THIN_OLD_WOMAN, "old man"], "skin_only", "coarse")
    with pytest.raises(ValueError, match="unknown technique 'facelift'"):
        compare_patients([THIN_OLD_WOMAN], "facelift", "coarse")
