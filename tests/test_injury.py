"""Nerve injury (issue 13 items 2-3): deficits, House-Brackmann, course measured on the placed nerves, numb skin,
what a technique does to expression; and the cited tables behind them refused when bad."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from facelayers.anatomy.validation import validate_data_dir
from facelayers.model import injury
from facelayers.model.expression import skin_displacement
from facelayers.model.nerves import place

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize("cut, grade, regions", [
    ((), 1, (1, 1, 1)),
    (("frontal:left",), 4, (4, 2, 1)),
    (("zygomatic:right",), 4, (1, 4, 3)),
    (("marginal_mandibular:left",), 3, (1, 1, 3)),
    (("cervical:left",), 1, (1, 1, 1)),        # the pseudo-paralysis: House-Brackmann does not see it
    (("trunk:left",), 6, (4, 6, 6)),
    (("frontal:left:stretch",), 3, (3, 2, 1)),
])
def test_house_brackmann_of_what_is_shown(model_coarse, cut, grade, regions):
    hb = injury.house_brackmann(model_coarse, cut)
    assert hb.grade == grade, hb.text()
    assert tuple(g for g, _, _ in hb.regions.values()) == regions, hb.text()
    if cut:
        assert hb.side == cut[0].split(":")[1] or grade == 1
    assert hb.text().startswith(f"House-Brackmann {injury.ROMAN[grade]}")
    # The headline names every region's grade before the overall one (the worst region's).
    head = hb.headline()
    assert head.startswith("House-Brackmann grade by region: forehead "), head
    for (name, (g, _, _)), want in zip(hb.regions.items(), regions):
        assert f"{name} {injury.ROMAN[want]}" in head
    assert head.endswith(f"(overall {injury.ROMAN[grade]}, the worst region's)")


def test_divided_frown_muscles_keep_house_brackmann_normal(model_coarse):
    """Dividing the corrugator and procerus touches no forehead, eye or mouth function (grade I)."""
    assert injury.house_brackmann(model_coarse, divided=["corrugator_supercilii", "procerus"]).grade == 1


def test_deficits_name_the_palsy_and_its_source(model_coarse):
    lines = injury.deficit_lines(model_coarse, ["frontal:left", "marginal_mandibular:right"], ["procerus"])
    assert "brow ptosis" in lines[0] and "(Seckel 1994)" in lines[0] and "left" in lines[0]
    assert "lower lip" in lines[1] and "Rodel & Laskawi 1998" in lines[1]
    assert lines[2].startswith("Procerus divided (both sides)") and "nasal root" in lines[2]


def test_regrowth_time_is_measured_on_the_placed_nerve(model_coarse):
    """From the arch crossing to the frontalis: the length of the placed frontal branch between the sample
    nearest the arch and the sample nearest the muscle, at 1 mm/day (Hohman 2020)."""
    rows = injury.regrowth(model_coarse, "frontal", "left")
    frontalis = next(r for r in rows if r.muscle_id == "frontalis")
    path = place(model_coarse, frontalis.nerve_id, "left")
    arch = model_coarse.anatomy.point("arch_inferior")
    start = int(np.argmin(np.linalg.norm(path.points - arch, axis=1)))
    assert frontalis.distance_mm < path.length_mm - path.distance_mm[start] + 1.0
    assert 30.0 < frontalis.distance_mm < 100.0   # REFERENCE-2 section 6 derives ~43 mm arch -> orbicularis
    assert frontalis.days == pytest.approx(frontalis.distance_mm / 1.0)
    # A cut nearer the muscle regrows sooner.
    near = injury.regrowth(model_coarse, "frontal", "left", site=path.points[-5])
    assert next(r for r in near if r.muscle_id == "frontalis").distance_mm < frontalis.distance_mm
    # The trunk is farther from every muscle than its branch's danger point.
    trunk = {r.muscle_id: r.distance_mm for r in injury.regrowth(model_coarse, "trunk", "left")}
    assert trunk["frontalis"] > frontalis.distance_mm


def test_course_by_injury_class_cites_the_table(model_coarse):
    neurapraxia = " ".join(injury.course_lines(model_coarse, "frontal", "left", "neurapraxia"))
    assert "2-12 weeks" in neurapraxia and "Sunderland 1991" in neurapraxia
    transection = "\n".join(injury.course_lines(model_coarse, "frontal", "left", "neurotmesis"))
    for text in ("72 hours", "12 months", "12-18 months", "Hohman 2020", "Fliss et al. 2022", "too strong", "to Frontalis"):
        assert text in transection
    with pytest.raises(ValueError, match="injury class 'bruise' is not known; allowed: neurapraxia, axonotmesis"):
        injury.course_lines(model_coarse, "frontal", "left", "bruise")


def test_numb_areas_lie_where_the_nerve_ends(model_coarse):
    for group, landmark in (("mental", "mental_foramen"), ("infraorbital", "infraorbital_foramen"),
                            ("supraorbital", "supraorbital_notch")):
        mask, area = injury.numb_area(model_coarse, group, "left")
        assert mask.any() and 2.0 < area < 40.0, (group, area)
        assert (model_coarse.skin[mask, 0] > 0).all()  # the left side only
        foramen = model_coarse.stack_under(model_coarse.anatomy.point(landmark)[None, :]).points[0, 0]
        assert np.linalg.norm(model_coarse.skin[mask] - foramen, axis=1).min() < 25.0, group
    with pytest.raises(ValueError, match="nerve group 'frontal' has no numb area; allowed: great_auricular"):
        injury.numb_area(model_coarse, "frontal")


def test_endoscopic_brow_lift_takes_the_frown_and_keeps_the_rest(model_coarse):
    effect = injury.technique_effect(model_coarse, "endoscopic_brow")
    assert set(effect.divided) == {"corrugator_supercilii", "procerus"}
    after = {"divided": list(effect.divided)}
    glabella = np.linalg.norm(model_coarse.skin - model_coarse.stack_under(
        model_coarse.anatomy.point("glabella")[None, :]).points[0, 0], axis=1) < 15
    before = np.linalg.norm(skin_displacement(model_coarse, "frown")[glabella], axis=1).max()
    gone = np.linalg.norm(skin_displacement(model_coarse, "frown", **after)[glabella], axis=1).max()
    assert gone < 0.5 * before
    for name in ("raise_brows", "close_eyes", "smile"):
        np.testing.assert_array_equal(skin_displacement(model_coarse, name, **after),
                                      skin_displacement(model_coarse, name))
    assert any("palsy" in m or "nerve" in m for m, _, _, _ in effect.rates)


def test_a_plane_injures_the_branches_it_comes_near(model_coarse):
    effect = injury.technique_effect(model_coarse, "endoscopic_brow", limit_mm=2.0)
    assert "frontal:left" in effect.cuts or not effect.cuts
    none = injury.technique_effect(model_coarse, "endoscopic_brow", limit_mm=0.0)
    assert len(none.cuts) <= len(effect.cuts)
    lines = injury.effect_lines(model_coarse, effect)
    assert lines[0] == "Endoscopic brow (forehead) lift:" and "5.8%" in "\n".join(lines)
    with pytest.raises(ValueError, match="limit_mm = -1"):
        injury.technique_effect(model_coarse, "endoscopic_brow", limit_mm=-1)


@pytest.mark.parametrize("file, edit, expected", [
    ("injury.csv", lambda t: t.replace("regrowth_rate,axonotmesis,axons regrow,1,1,", "regrowth_rate,axonotmesis,axons regrow,2,1,"),
     "injury.csv line 4 (fact regrowth_rate): field 'high' = '1': must not be below low (2)"),
    ("injury.csv", lambda t: t.replace(",12,18,months,measured,hohman2020", ",12,18,years,measured,hohman2020"),
     "field 'unit' = 'years'"),
    ("injury.csv", lambda t: t.replace("12,months,measured,fliss2022", "12,months,measured,flis2022"),
     "field 'source_id' = 'flis2022': must be a source_id of sources.csv"),
    ("palsies.json", lambda t: t.replace('"nerve_group": "mental"', '"nerve_group": "mentalis"'),
     "field 'nerve_group' = 'mentalis': must be a group of nerves.json"),
    ("palsies.json", lambda t: t.replace('"kind": "motor",\n      "label": "Buccal', '"kind": "sensory",\n      "label": "Buccal'),
     "a sensory palsy must give its numb_area"),
])
def test_bad_injury_data_is_refused(tmp_path, file, edit, expected):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / file).write_text(edit((data / file).read_text()))
    problems = [str(p) for p in validate_data_dir(data)]
    assert any(expected in p for p in problems), problems
    assert len(problems) <= 2, problems
