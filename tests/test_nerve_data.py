"""The nerve data (nerves.json, muscles.json, danger_zones.json, ligaments.csv).

Three things: the shipped files validate and say what the reference says (REFERENCE sections 2, 3, 4,
7 and 9); every kind of bad input is rejected by ``python -m facelayers validate`` with one line that
names the file, the line, the item, the waypoint index and the field (through the real CLI, as
tests/test_validation.py does); and the objects :func:`facelayers.anatomy.load.load_anatomy` builds from them.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from facelayers.anatomy.load import Anatomy, load_anatomy
from facelayers.anatomy.specs import TABLES, UNDRAWN_NERVE_GROUPS
from facelayers.anatomy.structures import DangerZone, Ligament, Muscle, Nerve, Waypoint
from facelayers.anatomy.validation import validate_data_dir
from facelayers.core.frame import LAYERS

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
NERVE_SCHEMAS = ["nerves", "muscles", "danger_zones", "ligaments"]


@pytest.fixture(scope="module")
def anatomy() -> Anatomy:
    return load_anatomy()


def doc(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------------------------------
# Helpers (small local copies of tests/test_validation.py's, plus JSON editing)


def run_validate(*args: str) -> subprocess.CompletedProcess:
    """``python -m facelayers validate ARGS``, run in this process (tests/validation_cases.py)."""
    from validation_cases import run_validate as in_process

    return in_process(*args)


def dump(document: dict) -> str:
    """The shipped files' layout: one field per line, one list item (a waypoint, a vertex) per line."""
    (key, items), = document.items()
    out = ["{", f'  "{key}": [']
    for n, item in enumerate(items):
        out.append("    {")
        fields = list(item.items())
        for m, (k, v) in enumerate(fields):
            comma = "," if m < len(fields) - 1 else ""
            if isinstance(v, list) and v and not all(isinstance(x, (int, float)) for x in v):
                out.append(f"      {json.dumps(k)}: [")
                out += ["        " + json.dumps(x, ensure_ascii=False) + ("," if j < len(v) - 1 else "")
                        for j, x in enumerate(v)]
                out.append("      ]" + comma)
            elif k == "body" and isinstance(v, dict):  # a muscle's body: indented, short number lists inline
                text = json.dumps(v, indent=2, ensure_ascii=False)
                text = re.sub(r"\[\s+(-?[\d.]+(?:,\s+-?[\d.]+)*)\s+\]",
                              lambda g: "[" + re.sub(r",\s+", ", ", g.group(1)) + "]", text)
                out.append(f"      {json.dumps(k)}: " + text.replace("\n", "\n      ") + comma)
            else:
                out.append(f"      {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}{comma}")
        out.append("    }" + ("," if n < len(items) - 1 else ""))
    return "\n".join(out + ["  ]", "}"]) + "\n"


def edit_json(path: Path, change: Callable[[dict], None]) -> str:
    """Load a JSON file of the copy, ``change`` it in place, write it back in :func:`dump`'s layout."""
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    text = dump(document)
    path.write_text(text, encoding="utf-8")
    return text


def item(document: dict, item_id: str) -> dict:
    """The item of a nerve-data document whose id (nerve_id, muscle_id, zone_id) is ``item_id``."""
    (items,) = document.values()
    return next(i for i in items if item_id in (i.get("nerve_id"), i.get("muscle_id"), i.get("zone_id")))


def line_of(text: str, item_id: str, key: str | None = None, index: int | None = None) -> int:
    """Line of an item in :func:`dump`'s layout: its ``{``, the line of its field ``key``, or of item
    ``index`` of its list ``key``."""
    lines = text.splitlines()
    id_line = next(n for n, line in enumerate(lines) if line.strip().rstrip(",").endswith(f'_id": "{item_id}"'))
    start = id_line - 1  # the item's "{" (its id is its first field)
    if key is None:
        return start + 1
    end = next(n for n in range(id_line, len(lines)) if lines[n] in ("    }", "    },"))
    key_line = next(n for n in range(start, end) if lines[n].lstrip().startswith(f'"{key}":'))
    return key_line + 1 + (0 if index is None else index + 1)


def edit_csv(path: Path, match: dict[str, str], **changes: str) -> int:
    """Change cells of the one CSV row matching ``match``; return its line number (header = 1)."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    hits = [i for i, row in enumerate(rows) if all(row[k] == v for k, v in match.items())]
    assert len(hits) == 1
    rows[hits[0]].update(changes)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return hits[0] + 2


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A fresh copy of the shipped data (without the schemas: they always come from the package)."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("schemas", "README.md"))
    return target


# ----------------------------------------------------------------------------------------------------
# The shipped data and its schemas


def test_shipped_data_validates():
    assert validate_data_dir(DATA) == []
    proc = run_validate()
    assert proc.returncode == 0, proc.stderr
    assert f"({len(TABLES)} files," in proc.stdout


def test_the_nerve_files_are_tables_of_the_data_folder():
    files = {spec.filename: spec for spec in TABLES}
    assert {"nerves.json", "muscles.json", "danger_zones.json", "ligaments.csv"} <= set(files)
    assert (files["nerves.json"].items, files["muscles.json"].items, files["danger_zones.json"].items) == \
        ("nerves", "muscles", "zones")


def _objects(schema: dict, where: str = ""):
    """Every object schema inside a schema, with where it is (for messages)."""
    if schema.get("type") == "object" or "properties" in schema:
        yield where or "(top)", schema
    for key in ("properties",):
        for name, sub in schema.get(key, {}).items():
            yield from _objects(sub, f"{where}.{name}")
    if "items" in schema:
        yield from _objects(schema["items"], f"{where}[]")
    for option in schema.get("oneOf", []) + schema.get("anyOf", []):
        yield from _objects(option, where)


@pytest.mark.parametrize("name", NERVE_SCHEMAS)
def test_nerve_schemas_are_strict_and_described_all_the_way_down(name):
    schema = json.loads((DATA / "schemas" / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    objects = list(_objects(schema))
    assert objects
    for where, obj in objects:
        assert obj.get("additionalProperties") is False, f"{name}{where} allows unknown fields"
        assert set(obj.get("required", [])) <= set(obj["properties"])
        for field, prop in obj["properties"].items():
            assert prop.get("description"), f"{name}{where}.{field} has no description"


@pytest.mark.parametrize("name", ["nerves", "muscles", "danger_zones", "ligaments"])
def test_layer_enums_are_frame_layers(name):
    text = (DATA / "schemas" / f"{name}.schema.json").read_text()
    for obj in (o for _, o in _objects(json.loads(text))):
        if "layer" in obj["properties"]:
            assert tuple(obj["properties"]["layer"]["enum"]) == LAYERS


# ----------------------------------------------------------------------------------------------------
# What the data say (REFERENCE sections 2, 3, 4, 7, 9)

GROUPS = ("trunk", "frontal", "zygomatic", "buccal", "marginal_mandibular", "cervical", "great_auricular",
          "supraorbital", "supratrochlear", "infraorbital", "mental", "zygomaticotemporal", "sentinel_vein")
FACIAL_BRANCHES = ("frontal", "zygomatic", "buccal", "marginal_mandibular", "cervical")


def test_the_nerves_and_their_groups(anatomy):
    assert anatomy.nerve_groups() == GROUPS
    assert {n.nerve_id for n in anatomy.nerves.values()} >= {
        "facial_trunk", "frontal_1", "frontal_2", "frontal_3", "zygomatic", "buccal", "marginal_mandibular",
        "cervical", "great_auricular", "supraorbital", "supratrochlear", "infraorbital", "mental",
        "zygomaticotemporal", "sentinel_vein"}
    for nerve in anatomy.nerves.values():
        # The trunk runs straight from the stylomastoid foramen to the pes (two waypoints at their landmarks).
        assert (2 if nerve.nerve_id == "facial_trunk" else 3) <= len(nerve.waypoints) <= 8, nerve.nerve_id
        expected_kind = {"sentinel_vein": "vein", "trunk": "motor"}.get(nerve.group)
        expected_kind = expected_kind or ("motor" if nerve.group in FACIAL_BRANCHES else "sensory")
        assert nerve.kind == expected_kind, nerve.nerve_id
        if nerve.group in FACIAL_BRANCHES:
            assert nerve.parent == "facial_trunk"
            assert nerve.waypoints[0].landmark == "pes_anserinus"
    trunk = anatomy.nerve("facial_trunk")
    assert (trunk.waypoints[0].landmark, trunk.waypoints[-1].landmark) == ("stylomastoid_foramen", "pes_anserinus")


def test_the_trunk_is_15_to_20_mm_long(anatomy):
    """Stylomastoid foramen to pes anserinus: 15-20 mm (REFERENCE section 2.1)."""
    length = np.linalg.norm(anatomy.point("pes_anserinus") - anatomy.point("stylomastoid_foramen"))
    assert 15.0 <= length <= 20.0


def _frontal_crossings(anatomy):
    """(ramus, index, waypoint, position) of each frontal ramus's arch crossing: its waypoint(s) at
    arch height, between the arch's inferior border (arch_inferior) and 9 mm above it."""
    arch_z = anatomy.point("arch_inferior")[2]
    found = []
    for nerve in anatomy.nerves_in_group("frontal"):
        hits = [(i, wp, wp.position(anatomy)) for i, wp in enumerate(nerve.waypoints)
                if arch_z <= wp.position(anatomy)[2] <= arch_z + 9]
        assert len(hits) == 1, f"{nerve.nerve_id}: {len(hits)} waypoints at the height of the arch"
        found.append((nerve, *hits[0]))
    return found


def test_frontal_branch_is_a_fan_of_rami(anatomy):
    rami = anatomy.nerves_in_group("frontal")
    assert 2 <= len(rami) <= 4  # 2.05±0.6 rami; a median of 3 (Gosain 1997)
    ys = sorted(p[1] for *_, p in _frontal_crossings(anatomy))
    assert ys[-1] - ys[0] >= 10  # spread over the arch, not one line


def test_frontal_rami_cross_the_arch_10_to_35_mm_in_front_of_the_tragus(anatomy):
    """Measured in the horizontal (x-y) plane from the tragion, and along y alone: both 10-35 mm
    (REFERENCE section 2.1: 10-31 mm, 8-35 mm, posterior ramus 16.8-24.9 mm)."""
    tragion = anatomy.point("tragion")
    for nerve, index, wp, p in _frontal_crossings(anatomy):
        horizontal = float(np.hypot(*(p - tragion)[:2]))
        along_y = float(p[1] - tragion[1])
        assert 10.0 <= horizontal <= 35.0, (nerve.nerve_id, horizontal)
        assert 10.0 <= along_y <= 35.0, (nerve.nerve_id, along_y)


def test_frontal_rami_are_deep_at_the_arch_and_in_the_smas_above_it(anatomy):
    """Over the arch deep to the SMAS near the periosteum (Trussler 2010); intra-SMAS about 9.6 mm above
    it (Pankratz 2020), on the TPF's undersurface (Stuzin 1989): fraction >= 0.85 of the smas."""
    for nerve, index, wp, p in _frontal_crossings(anatomy):
        assert wp.layer in ("muscle", "periosteum"), nerve.nerve_id
        above = [(w, w.position(anatomy)) for w in nerve.waypoints[index + 1:]]
        superficial = [q for w, q in above if w.layer == "smas" and w.fraction >= 0.85 and q[2] > p[2] + 5]
        assert superficial, f"{nerve.nerve_id}: no smas waypoint (fraction >= 0.85) above the arch"
        assert min(q[2] for q in superficial) <= p[2] + 20  # the transition is near the arch, not at the brow
        # once above the arch it never dives under the SMAS again
        assert all(w.layer in ("smas", "fat") for w, q in above if q[2] > p[2] + 5), nerve.nerve_id
        assert nerve.waypoints[-1].layer == "smas" and nerve.waypoints[-1].fraction >= 0.85  # frontalis, deep face


def test_frontal_rami_end_above_the_lateral_brow(anatomy):
    """Pitanguy's line ends 1.5 cm above the lateral brow: a ramus ends there, the others near it."""
    target = anatomy.point("lateral_brow") + [0.0, 0.0, 15.0]
    ends = [np.linalg.norm(n.waypoints[-1].position(anatomy) - target) for n in anatomy.nerves_in_group("frontal")]
    assert min(ends) <= 6.0
    assert max(ends) <= 15.0


def test_facial_branches_stay_under_the_smas_until_their_muscle(anatomy):
    """The depth rule (REFERENCE section 2.2): deep to the SMAS (in the muscle layer, under the deep
    fascia) except where a branch reaches its muscle's deep surface (smas >= 0.9)."""
    for group in ("zygomatic", "buccal", "marginal_mandibular", "cervical"):
        for nerve in anatomy.nerves_in_group(group):
            for i, wp in enumerate(nerve.waypoints):
                assert wp.layer == "muscle" or (wp.layer == "smas" and wp.fraction >= 0.9), (nerve.nerve_id, i)
            outside = [wp for wp in nerve.waypoints[1:] if wp.layer == "muscle"]
            # Under the deep fascia: now the layer-4 floor (band under_floor); the upper zygomatic branch lies
            # deeper between the ligaments, about 4 mm under the sub-SMAS plane (alghoul2013).
            assert all(wp.band == "under_floor" and wp.fraction <= (0.8 if wp.source_id == "alghoul2013" else 0.15)
                       for wp in outside), nerve.nerve_id


def test_zygomatic_branch_pierces_near_zukers_point(anatomy):
    nerve = anatomy.nerve("zygomatic")
    at_zuker = [wp for wp in nerve.waypoints if wp.landmark == "zuker_point"]
    assert len(at_zuker) == 1 and at_zuker[0].layer == "muscle" and at_zuker[0].fraction <= 0.05
    after = nerve.waypoints[[wp.landmark for wp in nerve.waypoints].index("zuker_point") + 1:]
    assert any(wp.layer == "smas" and wp.fraction >= 0.9 for wp in after)  # zygomaticus major's deep surface


def test_marginal_mandibular_dips_below_the_border_only_behind_the_facial_artery(anatomy):
    """Dingman & Grabb 1962: behind the artery up to 1 cm below the border (19%); in front, always above.
    The artery crosses the border at facial_artery_border (the border's height there)."""
    nerve = anatomy.nerve("marginal_mandibular")
    artery = anatomy.point("facial_artery_border")
    points = nerve.positions(anatomy)
    assert any(wp.landmark == "facial_artery_border" for wp in nerve.waypoints)
    behind = points[points[:, 1] < artery[1] - 1]
    in_front = points[points[:, 1] > artery[1] + 1]
    assert (behind[:, 2] <= artery[2] - 5).any()  # below the border behind the artery
    assert (behind[:, 2] >= artery[2] - 12).all()  # ... by about 1 cm at most
    assert (in_front[:, 2] >= artery[2]).all()
    end = nerve.waypoints[-1]
    assert end.layer == "smas" and end.fraction >= 0.9  # depressor anguli oris, deep surface


def test_great_auricular_is_shallowest_at_mckinneys_point(anatomy):
    nerve = anatomy.nerve("great_auricular")
    names = [wp.landmark for wp in nerve.waypoints]
    assert "mckinney_point" in names
    at = nerve.waypoints[names.index("mckinney_point")]
    assert at.layer == "muscle" and 0.0 <= at.fraction <= 0.1  # just under the superficial fascia over SCM
    assert at.depth_coord == min(wp.depth_coord for wp in nerve.waypoints)
    assert nerve.waypoints[-1].landmark == "earlobe"


def test_mckinneys_point_is_6_5_cm_below_the_ear_canal(anatomy):
    porion = anatomy.point("porion")
    assert 60.0 <= porion[2] - anatomy.point("mckinney_point")[2] <= 75.0


@pytest.mark.parametrize(("nerve_id", "exit_landmark"), [
    ("supraorbital", "supraorbital_notch"), ("supratrochlear", "supratrochlear"),
    ("infraorbital", "infraorbital_foramen"), ("mental", "mental_foramen")])
def test_sensory_nerves_leave_their_foramen_deep_and_end_superficial(anatomy, nerve_id, exit_landmark):
    nerve = anatomy.nerve(nerve_id)
    first, last = nerve.waypoints[0], nerve.waypoints[-1]
    assert (first.landmark, first.layer) == (exit_landmark, "periosteum")
    assert last.depth_coord < first.depth_coord - 1.5


@pytest.mark.parametrize("nerve_id", ["supraorbital", "supratrochlear"])
def test_forehead_nerves_are_in_the_fat_2_to_3_cm_above_the_rim(anatomy, nerve_id):
    nerve = anatomy.nerve(nerve_id)
    rim_z = nerve.waypoints[0].position(anatomy)[2]
    high = [wp for wp in nerve.waypoints if wp.position(anatomy)[2] >= rim_z + 25]
    assert high and all(wp.layer == "fat" for wp in high)


@pytest.mark.parametrize(("nerve_id", "landmark"), [("zygomaticotemporal", "ztn_exit"), ("sentinel_vein", "sentinel_vein")])
def test_ztn_and_sentinel_vein_pierce_the_deep_temporal_fascia(anatomy, nerve_id, landmark):
    nerve = anatomy.nerve(nerve_id)
    names = [wp.landmark for wp in nerve.waypoints]
    at = nerve.waypoints[names.index(landmark)]
    assert (at.layer, at.fraction) == ("muscle", 0.0)
    before, after = nerve.waypoints[: names.index(landmark)], nerve.waypoints[names.index(landmark) + 1:]
    assert all(wp.layer == "muscle" for wp in before) and before
    assert all(wp.layer in ("smas", "fat") for wp in after) and after


SECKEL = {1: "great_auricular", 2: "frontal", 3: "marginal_mandibular", 4: "zygomatic", 5: "supraorbital",
          6: "infraorbital", 7: "mental"}


def test_danger_zones_are_seckels_seven(anatomy):
    zones = list(anatomy.zones.values())
    assert [z.number for z in zones] == [1, 2, 3, 4, 5, 6, 7]
    for zone in zones:
        assert zone.verified is (zone.number <= 3), zone.zone_id
        assert zone.nerve_group in anatomy.nerve_groups(), zone.zone_id
        assert zone.nerve_group == SECKEL[zone.number]
        assert zone.surface_landmarks and zone.deficit
        assert zone.source_id == "seckel1994"


def test_danger_zone_shapes(anatomy):
    zones = {z.number: z for z in anatomy.zones.values()}
    assert (zones[3].centre, zones[3].radius_mm) == ("seckel3_centre", 20.0)
    assert zones[1].centre == "mckinney_point" and 15.0 <= zones[1].radius_mm <= 20.0
    assert not zones[2].is_circle and not zones[4].is_circle
    assert [v for v in zones[4].outline if isinstance(v, str)] == ["cheilion"]  # malar eminence - commissure - angle
    for number, centre in ((5, "supraorbital_notch"), (6, "infraorbital_foramen"), (7, "mental_foramen")):
        assert zones[number].centre == centre and zones[number].radius_mm == pytest.approx(10.0)
    # zone 3 is 2 cm behind the commissure
    assert anatomy.point("cheilion")[1] - anatomy.point("seckel3_centre")[1] == pytest.approx(20.0, abs=3.0)


def test_zone_2_lies_below_the_line_from_under_the_tragus_to_above_the_brow(anatomy):
    """Its outline starts 0.5 cm below the tragus and runs to 2 cm above the lateral brow (Seckel)."""
    outline = np.array(anatomy.zone("seckel_2").outline, float)
    assert np.allclose(outline[0][1:], anatomy.point("tragion")[1:] + [0.0, -5.0], atol=3.0)
    assert np.allclose(outline[1][1:], anatomy.point("lateral_brow")[1:] + [0.0, 20.0], atol=5.0)


EXPECTED_LAYER = {  # REFERENCE section 7 in the project's stack (section 0)
    "frontalis": "smas", "corrugator_supercilii": "muscle", "procerus": "smas", "orbicularis_oculi": "smas",
    "zygomaticus_major": "smas", "zygomaticus_minor": "smas", "orbicularis_oris": "smas",
    "depressor_anguli_oris": "smas", "mentalis": "muscle", "platysma": "smas", "masseter": "muscle",
    "temporalis": "muscle", "depressor_supercilii": "smas", "levator_labii_superioris": "smas",
    "levator_labii_superioris_alaeque_nasi": "smas", "levator_anguli_oris": "muscle", "risorius": "smas",
    "buccinator": "muscle", "depressor_labii_inferioris": "smas",
}
EXPECTED_WRINKLE = {
    "frontalis": "horizontal forehead", "corrugator_supercilii": "glabellar", "procerus": "nasal root",
    "orbicularis_oculi": "crow's feet", "zygomaticus_major": "nasolabial", "depressor_anguli_oris": "marionette",
    "mentalis": "chin", "platysma": "neck bands", "orbicularis_oris": "perioral",
}
EXPECTED_GROUP = {
    "frontalis": "frontal", "corrugator_supercilii": "frontal", "procerus": "frontal",
    "zygomaticus_major": "zygomatic", "depressor_anguli_oris": "marginal_mandibular",
    "mentalis": "marginal_mandibular", "platysma": "cervical", "masseter": "trigeminal_v3",
    "temporalis": "trigeminal_v3",
}


def test_muscles_lie_in_their_reference_layers(anatomy):
    assert {m: anatomy.muscle(m).layer for m in EXPECTED_LAYER} == EXPECTED_LAYER
    assert set(anatomy.muscles) == set(EXPECTED_LAYER)


@pytest.mark.parametrize("muscle_id", list(EXPECTED_WRINKLE))
def test_muscles_make_their_wrinkles(anatomy, muscle_id):
    assert EXPECTED_WRINKLE[muscle_id] in anatomy.muscle(muscle_id).wrinkle.lower()


def test_muscles_name_a_known_nerve_group(anatomy):
    known = set(anatomy.nerve_groups()) | set(UNDRAWN_NERVE_GROUPS)
    for muscle in anatomy.muscles.values():
        assert muscle.nerve_group in known, muscle.muscle_id
        assert len(muscle.outline) >= 4
        assert muscle.action
    for muscle_id, group in EXPECTED_GROUP.items():
        assert anatomy.muscle(muscle_id).nerve_group == group
    assert "trigeminal_v3" not in anatomy.nerve_groups()  # not drawn: no nerve for it


def test_ligaments(anatomy):
    assert set(anatomy.ligaments) == {"zygomatic", "upper_masseteric", "mandibular", "orbicularis_retaining",
                                      "temporal_adhesion"}
    for lig in anatomy.ligaments.values():
        assert (lig.layer, lig.fraction) in (("smas", 1.0), ("muscle", 0.0)), lig.ligament_id  # the sub-SMAS plane
        assert lig.landmark_id in anatomy.landmarks
    # Huettner 2015: 56.2±3.1 mm forward of the gonial angle (horizontal), 9.1 mm above the border
    horizontal = np.hypot(*(anatomy.point("mandibular_ligament") - anatomy.point("gonion"))[:2])
    assert horizontal == pytest.approx(56.2, abs=5.0)
    # Alghoul 2013: about 45 mm from the tragus
    for landmark in ("mcgregor_patch", "upper_masseteric_ligament"):
        assert np.linalg.norm(anatomy.point(landmark) - anatomy.point("tragion")) == pytest.approx(45.0, abs=5.0)


NEW_LANDMARKS = ("stylomastoid_foramen", "pes_anserinus", "zuker_point", "mckinney_point", "ztn_exit",
                 "sentinel_vein", "mcgregor_patch", "upper_masseteric_ligament", "mandibular_ligament",
                 "facial_artery_border", "seckel3_centre", "orl_lateral", "tla")


def test_new_landmarks_do_not_pin_the_skin(anatomy):
    """They only pick skin rays: on_skin false, so adding them leaves the built face unchanged."""
    for landmark in NEW_LANDMARKS:
        assert anatomy.landmarks[landmark].on_skin is False, landmark
        assert anatomy.landmarks[landmark].side == "bilateral"


def test_every_waypoint_has_provenance(anatomy):
    for nerve in anatomy.nerves.values():
        for i, wp in enumerate(nerve.waypoints):
            if wp.status == "schematic":
                assert wp.note, (nerve.nerve_id, i)
            else:
                assert wp.source_id in anatomy.sources and wp.locator, (nerve.nerve_id, i)


# ----------------------------------------------------------------------------------------------------
# The objects


def test_tables_are_read_only_and_in_file_order(anatomy):
    assert list(anatomy.nerves) == [n["nerve_id"] for n in doc("nerves.json")["nerves"]]
    assert list(anatomy.muscles) == [m["muscle_id"] for m in doc("muscles.json")["muscles"]]
    assert list(anatomy.zones) == [z["zone_id"] for z in doc("danger_zones.json")["zones"]]
    for table in (anatomy.nerves, anatomy.muscles, anatomy.zones, anatomy.ligaments):
        with pytest.raises(TypeError):
            table["new"] = None
    with pytest.raises(dataclasses.FrozenInstanceError):
        anatomy.nerve("buccal").label = "x"
    assert isinstance(anatomy.nerve("buccal"), Nerve)
    assert isinstance(anatomy.muscle("frontalis"), Muscle)
    assert isinstance(anatomy.zone("seckel_3"), DangerZone)
    assert isinstance(anatomy.ligaments["mandibular"], Ligament)


@pytest.mark.parametrize(("method", "name", "known"), [
    ("nerve", "frontal", "frontal_1"), ("nerve", "", "facial_trunk"), ("muscle", "risorious", "frontalis"),
    ("zone", "zone_8", "seckel_1")])
def test_unknown_names_list_the_known_ones(anatomy, method, name, known):
    with pytest.raises(ValueError, match="known") as error:
        getattr(anatomy, method)(name)
    assert repr(name) in str(error.value) and known in str(error.value)


def test_nerves_in_group(anatomy):
    assert [n.nerve_id for n in anatomy.nerves_in_group("frontal")] == ["frontal_1", "frontal_2", "frontal_3"]
    assert anatomy.nerves_in_group("trigeminal_v3") == ()
    with pytest.raises(ValueError, match="known groups: trunk, frontal"):
        anatomy.nerves_in_group("temporal")


def test_waypoint_positions(anatomy):
    trunk = anatomy.nerve("facial_trunk")
    first = trunk.waypoints[0]
    assert first.point_mm is None and first.landmark == "stylomastoid_foramen"
    np.testing.assert_array_equal(first.position(anatomy), anatomy.point("stylomastoid_foramen"))
    middle = anatomy.nerve("frontal_1").waypoints[1]  # the trunk has no bare position since issue 11
    assert middle.landmark is None and middle.point_mm.shape == (3,) and middle.point_mm.dtype == np.float64
    np.testing.assert_array_equal(middle.position(anatomy), middle.point_mm)
    with pytest.raises(ValueError):
        middle.point_mm[0] = 0.0  # read-only
    middle.position(anatomy)[0] = 0.0  # a copy
    assert middle.point_mm[0] != 0.0
    positions = trunk.positions(anatomy)
    assert positions.shape == (len(trunk.waypoints), 3) and np.all(positions[:, 0] > 0)  # left side
    assert first.depth_coord == LAYERS.index("periosteum") + 0.5
    assert first.at_landmark and trunk.waypoints[-1].at_landmark  # leaves its foramen where the data put it


def test_waypoint_checks_itself():
    base = dict(layer="smas", fraction=0.5, status="schematic", note="test")
    Waypoint("tragion", None, **base)
    with pytest.raises(ValueError, match="exactly one"):
        Waypoint("tragion", [1.0, 2.0, 3.0], **base)
    with pytest.raises(ValueError, match="exactly one"):
        Waypoint(None, None, **base)
    with pytest.raises(ValueError, match="3 finite numbers"):
        Waypoint(None, [1.0, math.nan, 3.0], **base)
    with pytest.raises(ValueError, match="layer"):
        Waypoint("tragion", None, **{**base, "layer": "dermis"})
    with pytest.raises(ValueError, match="fraction"):
        Waypoint("tragion", None, **{**base, "fraction": 1.5})
    with pytest.raises(ValueError, match="at least 2 waypoints"):
        Nerve("x", "X", "g", "motor", None, "d", (Waypoint("tragion", None, **base),))


def test_zone_outline_points(anatomy):
    polygon = anatomy.zone("seckel_2")
    assert polygon.outline_points() == polygon.outline
    circle = anatomy.zone("seckel_3")
    ring = np.array(circle.outline_points(24))
    assert ring.shape == (24, 3)
    np.testing.assert_allclose(np.linalg.norm(ring - circle.centre_mm, axis=1), 20.0)
    np.testing.assert_array_equal(circle.centre_mm, anatomy.point("seckel3_centre"))


def test_muscle_and_ligament_positions(anatomy):
    frontalis = anatomy.muscle("frontalis")
    assert frontalis.outline_positions(anatomy).shape == (len(frontalis.outline), 3)
    lig = anatomy.ligaments["mandibular"]
    np.testing.assert_array_equal(lig.position(anatomy), anatomy.point("mandibular_ligament"))


# ----------------------------------------------------------------------------------------------------
# Bad input: one corruption per kind, through the CLI


import functools  # noqa: E402

import validation_cases  # noqa: E402
from validation_cases import assert_reported  # noqa: E402

#: Each fault here must give exactly one problem line.
Expect = functools.partial(validation_cases.Expect, max_problems=1)


CORRUPTIONS: dict[str, Callable[[Path], Expect]] = {}


def corruption(fn: Callable[[Path], Expect]) -> Callable[[Path], Expect]:
    CORRUPTIONS[fn.__name__] = fn
    return fn


def waypoint_edit(d: Path, nerve_id: str, index: int, change: Callable[[dict], None]) -> int:
    """Change waypoint ``index`` of a nerve in the copy; return the line it is written on."""
    text = edit_json(d / "nerves.json", lambda document: change(item(document, nerve_id)["waypoints"][index]))
    return line_of(text, nerve_id, "waypoints", index)


LAYER_WORDS = "must be one of: skin, fat, smas, muscle, periosteum"
LANDMARK_WORDS = "must be a landmark_id of landmarks.csv: tragion, porion, nasion"
SOURCE_WORDS = "must be a source_id of sources.csv: meng2022, chopra2015"


@corruption
def malformed_json(d: Path) -> Expect:
    path = d / "nerves.json"
    lines = path.read_text().splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if '"nerve_id": "buccal",' in line)
    lines[n] = lines[n].replace('"buccal",', '"buccal"')
    path.write_text("".join(lines))
    return Expect("nerves.json", n + 2, None, None, None, "malformed JSON at column 7 (Expecting ',' delimiter)")


@corruption
def unknown_layer(d: Path) -> Expect:
    line = waypoint_edit(d, "frontal_2", 2, lambda w: w.update(layer="smass"))
    return Expect("nerves.json", line, "nerve frontal_2", "waypoints[2].layer", "smass", LAYER_WORDS)


@corruption
def fraction_above_one(d: Path) -> Expect:
    line = waypoint_edit(d, "buccal", 1, lambda w: w.update(fraction=1.5))
    return Expect("nerves.json", line, "nerve buccal", "waypoints[1].fraction", "1.5", "must be a number >= 0 and <= 1")


@corruption
def fraction_below_zero(d: Path) -> Expect:
    line = waypoint_edit(d, "marginal_mandibular", 3, lambda w: w.update(fraction=-0.05))
    return Expect("nerves.json", line, "nerve marginal_mandibular", "waypoints[3].fraction", "-0.05",
                  "must be a number >= 0 and <= 1")


@corruption
def unknown_field_in_waypoint(d: Path) -> Expect:
    line = waypoint_edit(d, "buccal", 1, lambda w: w.update(colour="red"))
    return Expect("nerves.json", line, "nerve buccal", "waypoints[1].colour", "red",
                  "unknown field: the fields are landmark, point_mm, layer, fraction, status")


@corruption
def waypoint_without_layer(d: Path) -> Expect:
    line = waypoint_edit(d, "cervical", 2, lambda w: w.pop("layer"))
    return Expect("nerves.json", line, "nerve cervical", "waypoints[2].layer", "", f"must be given: {LAYER_WORDS[8:]}")


@corruption
def unknown_landmark_in_waypoint(d: Path) -> Expect:
    line = waypoint_edit(d, "zygomatic", 2, lambda w: w.update(landmark="zuker_pt"))
    return Expect("nerves.json", line, "nerve zygomatic", "waypoints[2].landmark", "zuker_pt", LANDMARK_WORDS)


@corruption
def waypoint_with_landmark_and_point(d: Path) -> Expect:
    line = waypoint_edit(d, "frontal_1", 2, lambda w: w.update(landmark="zygion"))
    return Expect("nerves.json", line, "nerve frontal_1", "waypoints[2]", None,
                  "gives both landmark and point_mm: must give one of them")


@corruption
def waypoint_without_place(d: Path) -> Expect:
    line = waypoint_edit(d, "great_auricular", 1, lambda w: w.pop("landmark"))
    return Expect("nerves.json", line, "nerve great_auricular", "waypoints[1]", None,
                  "gives no place: must give landmark (a landmark_id of landmarks.csv) or point_mm")


@corruption
def point_with_two_numbers(d: Path) -> Expect:
    line = waypoint_edit(d, "buccal", 1, lambda w: w.update(point_mm=[55, -32]))
    return Expect("nerves.json", line, "nerve buccal", "waypoints[1].point_mm", "[55, -32]",
                  "must be a list (exactly 3 items), each item a number")


@corruption
def point_with_nan(d: Path) -> Expect:
    line = waypoint_edit(d, "buccal", 2, lambda w: w["point_mm"].__setitem__(1, math.nan))
    return Expect("nerves.json", line, "nerve buccal", "waypoints[2].point_mm[1]", "NaN", "must be a finite number")


@corruption
def point_with_text(d: Path) -> Expect:
    line = waypoint_edit(d, "buccal", 2, lambda w: w["point_mm"].__setitem__(0, "x"))
    return Expect("nerves.json", line, "nerve buccal", "waypoints[2].point_mm[0]", "x",
                  "must be a number >= -300 and <= 300")


@corruption
def point_on_the_right(d: Path) -> Expect:
    line = waypoint_edit(d, "buccal", 1, lambda w: w.update(point_mm=[-55, 30, -32]))
    return Expect("nerves.json", line, "nerve buccal", "waypoints[1].point_mm", "[-55, 30, -32]",
                  "is on the right side: positions are given for the left side and mirrored, must have x > 0")


@corruption
def unknown_source_in_waypoint(d: Path) -> Expect:
    line = waypoint_edit(d, "buccal", 1, lambda w: w.update(source_id="stuzin2021"))
    return Expect("nerves.json", line, "nerve buccal", "waypoints[1].source_id", "stuzin2021", SOURCE_WORDS)


@corruption
def derived_waypoint_without_locator(d: Path) -> Expect:
    line = waypoint_edit(d, "buccal", 1, lambda w: w.pop("locator"))
    return Expect("nerves.json", line, "nerve buccal", "waypoints[1].locator", "",
                  "a derived waypoint must say where in the source the number is")


@corruption
def measured_waypoint_without_source(d: Path) -> Expect:
    line = waypoint_edit(d, "mental", 0, lambda w: (w.pop("source_id"), w.update(status="measured")))
    return Expect("nerves.json", line, "nerve mental", "waypoints[0].source_id", "",
                  "a measured waypoint must name a source_id of sources.csv")


@corruption
def schematic_waypoint_without_reason(d: Path) -> Expect:
    line = waypoint_edit(d, "mental", 1, lambda w: w.pop("note"))
    return Expect("nerves.json", line, "nerve mental", "waypoints[1].note", "",
                  "a schematic waypoint must give in note the reason it has no source")


@corruption
def one_waypoint(d: Path) -> Expect:
    text = edit_json(d / "nerves.json", lambda document: item(document, "cervical")["waypoints"].__delitem__(
        slice(1, None)))
    return Expect("nerves.json", line_of(text, "cervical", "waypoints"), "nerve cervical", "waypoints", "[1 item]",
                  "must be a list (at least 2 items)")


@corruption
def duplicate_nerve_id(d: Path) -> Expect:
    text = edit_json(d / "nerves.json", lambda document: item(document, "cervical").update(nerve_id="buccal"))
    lines = text.splitlines()
    first, second = [n + 1 for n, line in enumerate(lines) if line.strip() == '"nerve_id": "buccal",']
    return Expect("nerves.json", second, "nerve buccal", "nerve_id", "buccal",
                  f"must be unique: already used on line {first}")


@corruption
def unknown_parent(d: Path) -> Expect:
    text = edit_json(d / "nerves.json", lambda document: item(document, "cervical").update(parent="facial_trunck"))
    return Expect("nerves.json", line_of(text, "cervical", "parent"), "nerve cervical", "parent", "facial_trunck",
                  "must be null or a nerve_id of nerves.json: facial_trunk, frontal_1")


@corruption
def parent_loop(d: Path) -> Expect:
    text = edit_json(d / "nerves.json", lambda document: item(document, "facial_trunk").update(parent="buccal"))
    return Expect("nerves.json", line_of(text, "facial_trunk", "parent"), "nerve facial_trunk", "parent", "buccal",
                  "makes a loop (facial_trunk -> buccal -> facial_trunk)", max_problems=2)


@corruption
def unknown_kind(d: Path) -> Expect:
    text = edit_json(d / "nerves.json", lambda document: item(document, "mental").update(kind="autonomic"))
    return Expect("nerves.json", line_of(text, "mental", "kind"), "nerve mental", "kind", "autonomic",
                  "must be one of: motor, sensory, vein")


@corruption
def missing_nerves_file(d: Path) -> Expect:
    (d / "nerves.json").unlink()
    return Expect("nerves.json", None, None, None, None,
                  "missing: the data folder must hold sources.csv, layers.csv, landmarks.csv, regions.json, "
                  "thickness.csv, nerves.json, muscles.json, danger_zones.json, ligaments.csv")


# muscles.json


@corruption
def unknown_muscle_layer(d: Path) -> Expect:
    text = edit_json(d / "muscles.json", lambda document: item(document, "mentalis").update(layer="deep"))
    return Expect("muscles.json", line_of(text, "mentalis", "layer"), "muscle mentalis", "layer", "deep", LAYER_WORDS)


@corruption
def muscle_fraction_outside(d: Path) -> Expect:
    text = edit_json(d / "muscles.json", lambda document: item(document, "platysma").update(fraction=2))
    return Expect("muscles.json", line_of(text, "platysma", "fraction"), "muscle platysma", "fraction", "2",
                  "must be a number >= 0 and <= 1")


@corruption
def unknown_landmark_in_outline(d: Path) -> Expect:
    text = edit_json(d / "muscles.json", lambda document: item(document, "depressor_anguli_oris")["outline"]
                     .__setitem__(2, "seckel_centre"))
    return Expect("muscles.json", line_of(text, "depressor_anguli_oris", "outline", 2),
                  "muscle depressor_anguli_oris", "outline[2]", "seckel_centre", LANDMARK_WORDS)


@corruption
def outline_vertex_with_two_numbers(d: Path) -> Expect:
    text = edit_json(d / "muscles.json", lambda document: item(document, "frontalis")["outline"].__setitem__(3, [1, 2]))
    return Expect("muscles.json", line_of(text, "frontalis", "outline", 3), "muscle frontalis", "outline[3]",
                  "[1, 2]", "must be an id matching ^[a-z][a-z0-9_]*$ (e.g. tragion) or a list (exactly 3 items)")


@corruption
def unknown_nerve_group_in_muscle(d: Path) -> Expect:
    text = edit_json(d / "muscles.json", lambda document: item(document, "frontalis").update(nerve_group="frontall"))
    return Expect("muscles.json", line_of(text, "frontalis", "nerve_group"), "muscle frontalis", "nerve_group",
                  "frontall", "must be a group of nerves.json or trigeminal_v3 (not drawn): trunk, frontal, zygomatic")


@corruption
def unknown_source_in_muscle(d: Path) -> Expect:
    text = edit_json(d / "muscles.json", lambda document: item(document, "procerus").update(source_id="grays1918"))
    return Expect("muscles.json", line_of(text, "procerus", "source_id"), "muscle procerus", "source_id",
                  "grays1918", SOURCE_WORDS)


@corruption
def schematic_muscle_without_reason(d: Path) -> Expect:
    text = edit_json(d / "muscles.json", lambda document: item(document, "procerus").pop("note"))
    return Expect("muscles.json", line_of(text, "procerus"), "muscle procerus", "note", "",
                  "a schematic entry must give in note the reason it has no source")


@corruption
def duplicate_muscle_id(d: Path) -> Expect:
    text = edit_json(d / "muscles.json", lambda document: item(document, "mentalis").update(muscle_id="platysma"))
    lines = text.splitlines()
    first, second = [n + 1 for n, line in enumerate(lines) if line.strip() == '"muscle_id": "platysma",']
    return Expect("muscles.json", second, "muscle platysma", "muscle_id", "platysma",
                  f"must be unique: already used on line {first}")


# danger_zones.json


@corruption
def unknown_landmark_as_zone_centre(d: Path) -> Expect:
    text = edit_json(d / "danger_zones.json",
                     lambda document: item(document, "seckel_1")["circle"].update(centre="mckiney_point"))
    return Expect("danger_zones.json", line_of(text, "seckel_1", "circle"), "zone seckel_1", "circle.centre",
                  "mckiney_point", LANDMARK_WORDS)


@corruption
def unknown_nerve_group_in_zone(d: Path) -> Expect:
    text = edit_json(d / "danger_zones.json", lambda document: item(document, "seckel_1").update(nerve_group="trigeminal_v3"))
    return Expect("danger_zones.json", line_of(text, "seckel_1", "nerve_group"), "zone seckel_1", "nerve_group",
                  "trigeminal_v3", "must be a group of nerves.json: trunk, frontal")


@corruption
def zone_with_circle_and_outline(d: Path) -> Expect:
    text = edit_json(d / "danger_zones.json",
                     lambda document: item(document, "seckel_3").update(outline=["gonion", "cheilion", "pogonion"]))
    return Expect("danger_zones.json", line_of(text, "seckel_3", "outline"), "zone seckel_3", "outline", None,
                  "the zone has both circle and outline: must have one of them")


@corruption
def zone_without_shape(d: Path) -> Expect:
    text = edit_json(d / "danger_zones.json", lambda document: item(document, "seckel_7").pop("circle"))
    return Expect("danger_zones.json", line_of(text, "seckel_7"), "zone seckel_7", None, None,
                  "the zone has no shape: must have circle {centre, radius_mm} or outline")


@corruption
def zone_radius_not_positive(d: Path) -> Expect:
    text = edit_json(d / "danger_zones.json", lambda document: item(document, "seckel_5")["circle"].update(radius_mm=0))
    return Expect("danger_zones.json", line_of(text, "seckel_5", "circle"), "zone seckel_5", "circle.radius_mm",
                  "0", "must be a number > 0 and <= 100")


@corruption
def repeated_zone_number(d: Path) -> Expect:
    text = edit_json(d / "danger_zones.json", lambda document: item(document, "seckel_2").update(number=1))
    return Expect("danger_zones.json", line_of(text, "seckel_2", "number"), "zone seckel_2", "number", "1",
                  f"must be unique: zone 1 is already on line {line_of(text, 'seckel_1', 'number')}")


@corruption
def zone_number_out_of_range(d: Path) -> Expect:
    text = edit_json(d / "danger_zones.json", lambda document: item(document, "seckel_7").update(number=8))
    return Expect("danger_zones.json", line_of(text, "seckel_7", "number"), "zone seckel_7", "number", "8",
                  "must be a whole number >= 1 and <= 7")


@corruption
def verified_not_boolean(d: Path) -> Expect:
    text = edit_json(d / "danger_zones.json", lambda document: item(document, "seckel_4").update(verified="no"))
    return Expect("danger_zones.json", line_of(text, "seckel_4", "verified"), "zone seckel_4", "verified", "no",
                  "must be true or false")


# ligaments.csv


@corruption
def unknown_landmark_in_ligament(d: Path) -> Expect:
    line = edit_csv(d / "ligaments.csv", {"ligament_id": "zygomatic"}, landmark_id="mcgregor_pach")
    return Expect("ligaments.csv", line, "ligament zygomatic", "landmark_id", "mcgregor_pach", LANDMARK_WORDS)


@corruption
def ligament_fraction_outside(d: Path) -> Expect:
    line = edit_csv(d / "ligaments.csv", {"ligament_id": "mandibular"}, fraction="1.5")
    return Expect("ligaments.csv", line, "ligament mandibular", "fraction", "1.5", "must be a number >= 0 and <= 1")


@corruption
def ligament_unknown_layer(d: Path) -> Expect:
    line = edit_csv(d / "ligaments.csv", {"ligament_id": "mandibular"}, layer="bone")
    return Expect("ligaments.csv", line, "ligament mandibular", "layer", "bone", LAYER_WORDS)


@corruption
def unknown_source_in_ligament(d: Path) -> Expect:
    line = edit_csv(d / "ligaments.csv", {"ligament_id": "temporal_adhesion"}, source_id="moss2001")
    return Expect("ligaments.csv", line, "ligament temporal_adhesion", "source_id", "moss2001", SOURCE_WORDS)


@corruption
def duplicate_ligament_id(d: Path) -> Expect:
    line = edit_csv(d / "ligaments.csv", {"ligament_id": "mandibular"}, ligament_id="zygomatic")
    return Expect("ligaments.csv", line, "ligament zygomatic", "ligament_id", "zygomatic",
                  "must be unique: already used on line 2")


@corruption
def derived_ligament_without_locator(d: Path) -> Expect:
    line = edit_csv(d / "ligaments.csv", {"ligament_id": "upper_masseteric"}, locator="")
    return Expect("ligaments.csv", line, "ligament upper_masseteric", "locator", "",
                  "a derived row must say where in the source the number is")


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_cli_reports_bad_nerve_data(name, data_copy):
    expect = CORRUPTIONS[name](data_copy)
    assert_reported(expect, run_validate(str(data_copy)))


def test_bad_nerve_data_stops_load_anatomy(data_copy):
    from facelayers.anatomy.load import DataError

    waypoint_edit(data_copy, "frontal_1", 3, lambda w: w.update(layer="smass"))
    with pytest.raises(DataError, match=r"nerves.json line \d+ \(nerve frontal_1\): field 'waypoints\[3\].layer'"):
        load_anatomy(data_copy)


def test_a_good_copy_loads_the_same_nerves(data_copy):
    copy = load_anatomy(data_copy)
    assert list(copy.nerves) == list(load_anatomy().nerves)
    for nid, nerve in copy.nerves.items():
        np.testing.assert_array_equal(nerve.positions(copy), load_anatomy().nerve(nid).positions(load_anatomy()))


def test_dump_reproduces_the_shipped_layout():
    """The corruptions rewrite files with dump(); the shipped files use the same layout, so the line
    numbers in these tests are the ones a reader would see (a failure here means the layout drifted:
    harmless for the data, but update dump() to match)."""
    for name in ("nerves.json", "muscles.json", "danger_zones.json"):
        text = (DATA / name).read_text(encoding="utf-8")
        assert dump(json.loads(text)) == text, name
