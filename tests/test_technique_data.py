"""The technique data (techniques.json): dissection planes, incisions, ports and complication rates.

Three things, as tests/test_nerve_data.py does for the nerve data: the shipped file validates and says
what the reference says (REFERENCE sections 5, 6 and 9.2); every kind of bad input is rejected by
``python -m facelayers validate`` with one line that names the file, the line, the technique, the field
path, the value and what is allowed (through the real CLI, in a fresh process); and the objects
:func:`facelayers.anatomy.load.load_anatomy` builds from it.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from facelayers.anatomy.load import Anatomy, load_anatomy
from facelayers.anatomy.procedures import Complication, Incision, PlaneSpec, Port, Technique
from facelayers.anatomy.specs import FACE_AZIMUTH_DEG, FACE_Z_MM, TABLES
from facelayers.anatomy.validation import validate_data_dir
from facelayers.core.frame import HEAD_AXIS_Y_MM, LAYERS
from facelayers.core.polygons import segments_intersect, self_intersections

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"

OPEN = ("skin_only", "smas_plication", "lateral_smasectomy", "high_smas", "deep_plane", "open_subperiosteal")
ENDOSCOPIC = ("endoscopic_brow", "endoscopic_midface")
SUBCUTANEOUS = ("fat", 0.5)
SUB_SMAS = ("muscle", 0.0)
# "On the deep temporal fascia" in the temple: the floor of layer 4 (band "space", fraction 1), no longer the
# SMAS/muscle interface, since layer 4 has a thickness (issue 11; facelayers.model.space).
ON_DTF = ("muscle", 1.0, "space")
SUBPERIOSTEAL = ("periosteum", 1.0)


@pytest.fixture(scope="module")
def anatomy() -> Anatomy:
    return load_anatomy()


def shipped() -> dict:
    return json.loads((DATA / "techniques.json").read_text(encoding="utf-8"))


def azimuth(point) -> float:
    """Degrees about the head's axis, as the validation sees it: atan2(x, y + 5)."""
    return math.degrees(math.atan2(point[0], point[1] - HEAD_AXIS_Y_MM))


def flat(positions: np.ndarray) -> list[tuple[float, float]]:
    """(azimuth, z) of places (k, 3)."""
    return [(azimuth(p), float(p[2])) for p in positions]


def inside(polygon: list[tuple[float, float]], point: tuple[float, float], tol: float = 1e-6) -> bool:
    """Even-odd test; a point on an edge (within ``tol``) counts as inside."""
    x, y = point
    hit = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1]):
        cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
        if abs(cross) <= tol * max(1.0, math.hypot(x2 - x1, y2 - y1)) and \
                min(x1, x2) - tol <= x <= max(x1, x2) + tol and min(y1, y2) - tol <= y <= max(y1, y2) + tol:
            return True
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


# ----------------------------------------------------------------------------------------------------
# The file's layout, with the line of every value (independent of the validator's own line finder)


def _inline(value) -> bool:
    return isinstance(value, list) and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in value)


def dump(document: dict) -> tuple[str, dict[tuple, int]]:
    """The shipped layout: one field per line, one list item per line, [x, y, z] written inline.

    Returns the text and the line (1-based) where each value starts, by its path (``("techniques", 0,
    "planes", 1, "layer")``).
    """
    lines: list[str] = []
    where: dict[tuple, int] = {}

    def emit(value, path: tuple, prefix: str, indent: int, comma: str) -> None:
        pad = "  " * indent
        where[path] = len(lines) + 1
        if isinstance(value, dict) and value:
            lines.append(pad + prefix + "{")
            items = list(value.items())
            for n, (key, item) in enumerate(items):
                emit(item, path + (key,), json.dumps(key) + ": ", indent + 1, "," if n < len(items) - 1 else "")
            lines.append(pad + "}" + comma)
        elif isinstance(value, list) and value and not _inline(value):
            lines.append(pad + prefix + "[")
            for n, item in enumerate(value):
                emit(item, path + (n,), "", indent + 1, "," if n < len(value) - 1 else "")
            lines.append(pad + "]" + comma)
        else:
            lines.append(pad + prefix + json.dumps(value, ensure_ascii=False) + comma)

    emit(document, (), "", 0, "")
    return "\n".join(lines) + "\n", where


def test_dump_reproduces_the_shipped_layout():
    """The corruptions below rewrite the file with dump(); the shipped file uses the same layout, so the
    line numbers in these tests are the ones a reader would see."""
    text = (DATA / "techniques.json").read_text(encoding="utf-8")
    assert dump(json.loads(text))[0] == text


# ----------------------------------------------------------------------------------------------------
# The shipped data and the schema


def run_validate(*args: str) -> subprocess.CompletedProcess:
    """``python -m facelayers validate ARGS``, run in this process (tests/validation_cases.py)."""
    from validation_cases import run_validate as in_process

    return in_process(*args)


def test_shipped_data_validates():
    assert validate_data_dir(DATA) == []
    proc = run_validate()
    assert proc.returncode == 0, proc.stderr
    assert f"({len(TABLES)} files," in proc.stdout


def test_techniques_is_a_table_of_the_data_folder():
    spec = {s.filename: s for s in TABLES}["techniques.json"]
    assert (spec.name, spec.key, spec.items, spec.field_paths) == ("techniques", ("technique_id",), "techniques", True)


def _objects(schema: dict, where: str = ""):
    if schema.get("type") == "object" or "properties" in schema:
        yield where or "(top)", schema
    for name, sub in schema.get("properties", {}).items():
        yield from _objects(sub, f"{where}.{name}")
    if "items" in schema:
        yield from _objects(schema["items"], f"{where}[]")
    for option in schema.get("oneOf", []) + schema.get("anyOf", []):
        yield from _objects(option, where)


def test_schema_is_strict_and_described_all_the_way_down():
    schema = json.loads((DATA / "schemas" / "techniques.schema.json").read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    objects = list(_objects(schema))
    assert len(objects) >= 6  # document, technique, plane, incision, port, complication
    for where, obj in objects:
        assert obj.get("additionalProperties") is False, f"techniques{where} allows unknown fields"
        assert set(obj.get("required", [])) <= set(obj["properties"])
        for field, prop in obj["properties"].items():
            assert prop.get("description"), f"techniques{where}.{field} has no description"
        if "layer" in obj["properties"]:
            assert tuple(obj["properties"]["layer"]["enum"]) == LAYERS


def test_the_face_limits_use_the_models_axis():
    from facelayers.model.grid import Y_AXIS_MM

    assert HEAD_AXIS_Y_MM == Y_AXIS_MM
    assert (FACE_AZIMUTH_DEG, FACE_Z_MM) == (110.0, (-130.0, 130.0))


# ----------------------------------------------------------------------------------------------------
# What the data say (REFERENCE sections 5, 6 and 9.2)


def test_the_eight_techniques_and_their_approach(anatomy):
    assert tuple(anatomy.techniques) == OPEN + ENDOSCOPIC
    for tid in OPEN:
        assert anatomy.technique(tid).approach == "open"
    for tid in ENDOSCOPIC:
        assert anatomy.technique(tid).approach == "endoscopic" and anatomy.technique(tid).is_endoscopic
    for technique in anatomy.techniques.values():
        sentences = [s for s in technique.description.split(". ") if s.strip()]
        assert 2 <= len(sentences) <= 3, technique.technique_id


def _length_mm(positions: np.ndarray) -> float:
    return float(np.linalg.norm(np.diff(positions, axis=0), axis=1).sum())


def test_endoscopic_techniques_have_ports_and_no_long_incision(anatomy):
    for tid in ENDOSCOPIC:
        technique = anatomy.technique(tid)
        assert technique.ports, tid
        assert all(_length_mm(i.path_positions(anatomy)) < 30.0 for i in technique.incisions), tid
        assert all(10.0 <= port.length_mm <= 25.0 for port in technique.ports), tid


def test_open_techniques_have_long_incisions_and_no_ports(anatomy):
    for tid in OPEN:
        technique = anatomy.technique(tid)
        assert technique.incisions and not technique.ports, tid
        assert max(_length_mm(i.path_positions(anatomy)) for i in technique.incisions) > 100.0, tid


def test_endoscopic_brow_planes_ports_and_muscles(anatomy):
    """Forehead under L5, temple on the DTF (REFERENCE section 5); ports at the midline, x about 30 and
    x about 60, 15-20 mm long (REFERENCE section 9.2); corrugator and procerus divided."""
    brow = anatomy.technique("endoscopic_brow")
    assert (brow.plane("forehead").layer, brow.plane("forehead").fraction) == SUBPERIOSTEAL
    assert (brow.plane("temple").layer, brow.plane("temple").fraction, brow.plane("temple").band) == ON_DTF
    xs = sorted(float(port.position(anatomy)[0]) for port in brow.ports)
    assert xs[0] == 0.0 and abs(xs[1] - 30) <= 5 and abs(xs[2] - 60) <= 5
    assert all(15.0 <= port.length_mm <= 20.0 for port in brow.ports)
    assert set(brow.muscles_divided) == {"corrugator_supercilii", "procerus"}
    # the two pockets are joined at the conjoint tendon: they share the temporal line
    forehead = {tuple(p) for p in brow.plane("forehead").outline_positions(anatomy)}
    temple = {tuple(p) for p in brow.plane("temple").outline_positions(anatomy)}
    assert len(forehead & temple) >= 3


def test_endoscopic_midface_goes_from_the_dtf_to_the_bone(anatomy):
    mid = anatomy.technique("endoscopic_midface")
    depths = [(p.layer, p.fraction) for p in mid.planes]
    assert depths == [ON_DTF[:2], SUBPERIOSTEAL] and mid.planes[0].band == "space"
    sulcus = next(port for port in mid.ports if "buccal" in port.port_id)
    assert "intraoral" in sulcus.note.lower() and "canine fossa" in sulcus.note
    assert any(port.port_id == "temporal" for port in mid.ports)


def test_open_planes_by_depth(anatomy):
    for tid in ("skin_only", "smas_plication", "lateral_smasectomy"):
        assert [(p.layer, p.fraction) for p in anatomy.technique(tid).planes] == [SUBCUTANEOUS], tid
    assert [(p.layer, p.fraction) for p in anatomy.technique("high_smas").planes] == [SUB_SMAS]
    deep = anatomy.technique("deep_plane")
    assert [(p.layer, p.fraction) for p in deep.planes] == [SUBCUTANEOUS, SUB_SMAS]
    coronal = anatomy.technique("open_subperiosteal")
    assert (coronal.plane("forehead").layer, coronal.plane("forehead").fraction) == SUBPERIOSTEAL
    assert (coronal.plane("temple").layer, coronal.plane("temple").fraction, coronal.plane("temple").band) == ON_DTF
    assert "frontal-branch injury" in coronal.note and "medscape2018" in coronal.note


def test_deep_plane_splits_at_the_malar_to_angle_line(anatomy):
    """The two parts of the deep plane meet on the line from the lateral malar eminence to gonion, and the
    ligaments it releases (zygomatic, masseteric) lie in its sub-SMAS part (Hamra 1990)."""
    deep = anatomy.technique("deep_plane")
    sub, under = deep.plane("subcutaneous"), deep.plane("sub_smas")
    named = [{v for v in plane.outline if isinstance(v, str)} for plane in (sub, under)]
    assert all({"lateral_malar_eminence", "gonion"} <= names for names in named)
    region = flat(under.outline_positions(anatomy))
    for landmark in ("mcgregor_patch", "upper_masseteric_ligament"):
        p = anatomy.point(landmark)
        assert inside(region, (azimuth(p), p[2])), landmark
        assert not inside(flat(sub.outline_positions(anatomy)), (azimuth(p), p[2])), landmark


def test_high_smas_cut_runs_along_the_upper_border_of_the_arch(anatomy):
    """The flap's top edge is the high-SMAS cut, at the arch's upper border (z about -2 in nerves.json,
    which puts the frontal rami's rise into the SMAS at z = -1): above the low-SMAS level, below the
    frontal branch's transition."""
    outline = anatomy.technique("high_smas").plane("sub_smas").outline_positions(anatomy)
    top_over_arch = max(p[2] for p in outline if 55 <= azimuth(p) <= 85)
    assert -4.0 <= top_over_arch <= 0.0


def test_ports_lie_on_the_skin_of_the_model(anatomy):
    """Ports are given on the skin (the model rejects a port more than a few mm off it when placing it)."""
    from facelayers.model.geometry import build_face
    from facelayers.model.grid import params_of

    model = build_face(anatomy, resolution="coarse")
    for tid in ENDOSCOPIC:
        for port in anatomy.technique(tid).ports:
            p = port.position(anatomy)
            u, s, _ = params_of(p[None, :])
            assert np.linalg.norm(model.stack_at(u, s).points[0, 0] - p) < 2.0, (tid, port.port_id)


def test_ports_open_into_a_plane_of_their_technique(anatomy):
    for tid in ENDOSCOPIC:
        technique = anatomy.technique(tid)
        regions = [flat(p.outline_positions(anatomy)) for p in technique.planes]
        for port in technique.ports:
            p = port.position(anatomy)
            assert any(inside(r, (azimuth(p), p[2])) for r in regions), (tid, port.port_id)


def test_outlines_are_simple_on_the_face_and_in_the_models_ray_parameters(anatomy):
    """Simple polygons in (azimuth, z), as the validation checks, and in the model's own (u, s) ray
    parameters, which are what build the plane (they differ on the crown and under the jaw)."""
    from facelayers.model.grid import params_of

    for technique in anatomy.techniques.values():
        for plane in technique.planes:
            positions = plane.outline_positions(anatomy)
            assert self_intersections(flat(positions)) == [], (technique.technique_id, plane.plane_id)
            u, s, _ = params_of(positions)
            assert self_intersections(list(zip(np.degrees(u), s))) == [], (technique.technique_id, plane.plane_id)
            assert all(abs(azimuth(p)) <= FACE_AZIMUTH_DEG and FACE_Z_MM[0] <= p[2] <= FACE_Z_MM[1] for p in positions)


def test_jacono_high_smas_temporary_facial_nerve_injury(anatomy):
    rates = {(c.source_id, c.value) for c in anatomy.technique("high_smas").complications}
    assert ("jacono2019", 1.85) in rates
    hits = [c for c in anatomy.technique("high_smas").complications if c.value == 1.85]
    assert "temporary facial nerve injury" in hits[0].measure


@pytest.mark.parametrize(("tid", "figures"), [
    ("deep_plane", {("jacono2019", 1.22), ("jacono2019", 1.52), ("vayalapra2025", 3.0)}),
    ("smas_plication", {("jacono2019", 1.92)}),
    ("endoscopic_brow", {("efl650", 5.8), ("efl650", 4.2), ("efl650", 1.2), ("prsgo2018", 2.8),
                         ("rohrich2019", 1.4)}),
    ("high_smas", {("chang2022", 2.2), ("chang2022", 7.1)}),
])
def test_published_figures_from_reference_section_5(anatomy, tid, figures):
    assert figures <= {(c.source_id, c.value) for c in anatomy.technique(tid).complications}


def test_every_figure_and_part_has_provenance(anatomy):
    for technique in anatomy.techniques.values():
        for c in technique.complications:
            assert c.unit == "%" and 0 <= c.value <= 100 and c.source_id in anatomy.sources and c.locator
        for part in (technique, *technique.planes, *technique.incisions, *technique.ports):
            if part.status == "schematic":
                assert part.note
            else:
                assert part.source_id in anatomy.sources and part.locator
            assert part.source_id is None or part.source_id in anatomy.sources


NEW_LANDMARKS = ("temporal_incision_start", "occipital_incision_end", "lateral_malar_eminence")


def test_new_landmarks_do_not_pin_the_skin(anatomy):
    for landmark in NEW_LANDMARKS:
        assert anatomy.landmarks[landmark].on_skin is False and anatomy.landmarks[landmark].side == "bilateral"
    facelift = anatomy.technique("skin_only").incisions[0]
    assert (facelift.path[0], facelift.path[-1]) == ("temporal_incision_start", "occipital_incision_end")
    assert {"tragion", "earlobe", "helical_root"} <= {p for p in facelift.path if isinstance(p, str)}


# ----------------------------------------------------------------------------------------------------
# The objects


def test_techniques_are_read_only_and_in_file_order(anatomy):
    assert list(anatomy.techniques) == [t["technique_id"] for t in shipped()["techniques"]]
    with pytest.raises(TypeError):
        anatomy.techniques["new"] = None
    technique = anatomy.technique("endoscopic_brow")
    assert isinstance(technique, Technique)
    assert all(isinstance(p, PlaneSpec) for p in technique.planes)
    assert all(isinstance(p, Port) for p in technique.ports)
    assert all(isinstance(c, Complication) for c in technique.complications)
    assert all(isinstance(i, Incision) for i in anatomy.technique("skin_only").incisions)
    assert isinstance(technique.planes, tuple) and isinstance(technique.muscles_divided, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        technique.label = "x"
    with pytest.raises(dataclasses.FrozenInstanceError):
        technique.planes[0].fraction = 0.5
    port = technique.ports[1]
    assert port.at.dtype == np.float64 and port.at.shape == (3,)
    with pytest.raises(ValueError):
        port.at[0] = 0.0  # read-only
    assert technique.ports[0].on_midline is True and port.on_midline is False


def test_unknown_technique_lists_the_known_ones(anatomy):
    with pytest.raises(ValueError, match="known") as error:
        anatomy.technique("facelift")
    assert "'facelift'" in str(error.value)
    assert all(tid in str(error.value) for tid in OPEN + ENDOSCOPIC)
    with pytest.raises(ValueError, match="its planes: forehead, temple"):
        anatomy.technique("endoscopic_brow").plane("midface")


def test_objects_check_themselves():
    outline = ["tragion", "gonion", "cheilion", "exocanthion"]
    PlaneSpec("p", "P", "muscle", 0.0, outline, "schematic", note="test")
    with pytest.raises(ValueError, match="layer"):
        PlaneSpec("p", "P", "deep", 0.0, outline, "schematic")
    with pytest.raises(ValueError, match="fraction"):
        PlaneSpec("p", "P", "fat", 1.5, outline, "schematic")
    with pytest.raises(ValueError, match="at least 3"):
        PlaneSpec("p", "P", "fat", 0.5, outline[:2], "schematic")
    with pytest.raises(ValueError, match="3 finite numbers"):
        PlaneSpec("p", "P", "fat", 0.5, outline[:3] + [[1.0, math.nan, 2.0]], "schematic")
    with pytest.raises(ValueError, match="at least 2"):
        Incision("i", "I", ["tragion"], "schematic")
    with pytest.raises(ValueError, match="length_mm"):
        Port("p", "P", [0.0, 60.0, 100.0], 0.0, "sagittal", "schematic")
    with pytest.raises(ValueError, match="direction"):
        Port("p", "P", [0.0, 60.0, 100.0], 15.0, "oblique", "schematic")
    plane = PlaneSpec("p", "P", "fat", 0.5, outline, "schematic")
    with pytest.raises(ValueError, match="approach must be one of open, endoscopic"):
        Technique("t", "T", "blind", "d", [plane], [], [], [], [], "schematic")
    with pytest.raises(ValueError, match="at least one plane"):
        Technique("t", "T", "open", "d", [], [], [], [], [], "schematic")
    with pytest.raises(ValueError, match="repeated plane_id"):
        Technique("t", "T", "open", "d", [plane, plane], [], [], [], [], "schematic")
    assert plane.depth_coord == LAYERS.index("fat") + 0.5


# ----------------------------------------------------------------------------------------------------
# The geometry helpers of the validation


def test_segment_intersection():
    assert segments_intersect((0, 0), (2, 2), (0, 2), (2, 0))  # an X
    assert segments_intersect((0, 0), (2, 0), (1, 0), (1, 5))  # a T: touching counts
    assert segments_intersect((0, 0), (2, 0), (1, 0), (3, 0))  # collinear overlap
    assert not segments_intersect((0, 0), (2, 0), (3, 0), (4, 0))  # collinear, apart
    assert not segments_intersect((0, 0), (1, 1), (2, 0), (3, 1))


def test_self_intersections():
    square = [(0, 0), (1, 0), (1, 1), (0, 1)]
    assert self_intersections(square) == []
    assert self_intersections([(0, 0), (1, 1), (1, 0), (0, 1)]) == [(0, 2)]  # a bow tie
    assert self_intersections([(0, 0), (2, 0), (1, 0), (1, 1)]) != []  # folds back on itself
    assert self_intersections([(0, 0), (2, 0), (2, 2), (1, 0), (0, 2)]) != []  # a vertex on another edge


# ----------------------------------------------------------------------------------------------------
# Bad input: every kind is rejected through the real CLI, one line naming file, line, technique,
# field path, value and what is allowed


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A fresh copy of the shipped data (without the schemas: they always come from the package)."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("schemas", "README.md"))
    return target


import functools  # noqa: E402

import validation_cases  # noqa: E402
from validation_cases import assert_reported  # noqa: E402

#: Each fault here must give exactly one problem line.
Expect = functools.partial(validation_cases.Expect, max_problems=1)


CORRUPTIONS: dict[str, Callable[[Path], Expect]] = {}


def corruption(fn: Callable[[Path], Expect]) -> Callable[[Path], Expect]:
    CORRUPTIONS[fn.__name__] = fn
    return fn


def edit(d: Path, tid: str, change: Callable[[dict], None]) -> tuple[dict[tuple, int], int]:
    """Change technique ``tid`` in the copy (in place), write it back in dump()'s layout; return the lines
    of every value and the technique's index."""
    document = json.loads((d / "techniques.json").read_text(encoding="utf-8"))
    index = next(i for i, t in enumerate(document["techniques"]) if t["technique_id"] == tid)
    change(document["techniques"][index])
    text, where = dump(document)
    (d / "techniques.json").write_text(text, encoding="utf-8")
    return where, index


def at(d: Path, tid: str, path: tuple, change: Callable[[dict], None]) -> int:
    """Apply ``change`` to technique ``tid``; return the line of the value at ``path`` inside it."""
    where, index = edit(d, tid, change)
    return where[("techniques", index) + path]


def plane_of(technique: dict, plane_id: str) -> dict:
    return next(p for p in technique["planes"] if p["plane_id"] == plane_id)


LAYER_WORDS = "must be one of: skin, fat, smas, muscle, periosteum"
LANDMARK_WORDS = "must be a landmark_id of landmarks.csv: tragion, porion, nasion"
SOURCE_WORDS = "must be a source_id of sources.csv: meng2022, chopra2015"
FRACTION_WORDS = "must be a number >= 0 and <= 1"


@corruption
def malformed_json(d: Path) -> Expect:
    path = d / "techniques.json"
    lines = path.read_text().splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if '"technique_id": "deep_plane",' in line)
    lines[n] = lines[n].replace('"deep_plane",', '"deep_plane"')
    path.write_text("".join(lines))
    return Expect("techniques.json", n + 2, None, None, None, "malformed JSON at column 7 (Expecting ',' delimiter)")


@corruption
def missing_file(d: Path) -> Expect:
    (d / "techniques.json").unlink()
    return Expect("techniques.json", None, None, None, None,
                  "missing: the data folder must hold sources.csv, layers.csv, landmarks.csv, regions.json, "
                  "thickness.csv, nerves.json, muscles.json, danger_zones.json, ligaments.csv, techniques.json")


@corruption
def unknown_layer(d: Path) -> Expect:
    line = at(d, "deep_plane", ("planes", 1, "layer"), lambda t: t["planes"][1].update(layer="sub_smas"))
    return Expect("techniques.json", line, "technique deep_plane", "planes[1].layer", "sub_smas", LAYER_WORDS)


@corruption
def fraction_above_one(d: Path) -> Expect:
    line = at(d, "endoscopic_brow", ("planes", 0, "fraction"), lambda t: t["planes"][0].update(fraction=1.2))
    return Expect("techniques.json", line, "technique endoscopic_brow", "planes[0].fraction", "1.2", FRACTION_WORDS)


@corruption
def fraction_below_zero(d: Path) -> Expect:
    line = at(d, "high_smas", ("planes", 0, "fraction"), lambda t: t["planes"][0].update(fraction=-0.1))
    return Expect("techniques.json", line, "technique high_smas", "planes[0].fraction", "-0.1", FRACTION_WORDS)


@corruption
def unknown_landmark_in_outline(d: Path) -> Expect:
    line = at(d, "deep_plane", ("planes", 1, "outline", 7),
              lambda t: t["planes"][1]["outline"].__setitem__(7, "gonium"))
    return Expect("techniques.json", line, "technique deep_plane", "planes[1].outline[7]", "gonium", LANDMARK_WORDS)


@corruption
def unknown_landmark_in_incision(d: Path) -> Expect:
    line = at(d, "skin_only", ("incisions", 0, "path", 3),
              lambda t: t["incisions"][0]["path"].__setitem__(3, "tragus"))
    return Expect("techniques.json", line, "technique skin_only", "incisions[0].path[3]", "tragus", LANDMARK_WORDS)


@corruption
def unknown_landmark_as_port(d: Path) -> Expect:
    line = at(d, "endoscopic_brow", ("ports", 0, "at"), lambda t: t["ports"][0].update(at="hairline"))
    return Expect("techniques.json", line, "technique endoscopic_brow", "ports[0].at", "hairline", LANDMARK_WORDS)


@corruption
def unknown_muscle_divided(d: Path) -> Expect:
    line = at(d, "endoscopic_brow", ("muscles_divided", 1),
              lambda t: t["muscles_divided"].__setitem__(1, "depressor_glabellae"))
    return Expect("techniques.json", line, "technique endoscopic_brow", "muscles_divided[1]", "depressor_glabellae",
                  "must be a muscle_id of muscles.json: frontalis, corrugator_supercilii, procerus")


@corruption
def unknown_source_of_technique(d: Path) -> Expect:
    line = at(d, "deep_plane", ("source_id",), lambda t: t.update(source_id="hamra1991"))
    return Expect("techniques.json", line, "technique deep_plane", "source_id", "hamra1991", SOURCE_WORDS)


@corruption
def unknown_source_of_plane(d: Path) -> Expect:
    line = at(d, "high_smas", ("planes", 0, "source_id"), lambda t: t["planes"][0].update(source_id="barton2002"))
    return Expect("techniques.json", line, "technique high_smas", "planes[0].source_id", "barton2002", SOURCE_WORDS)


@corruption
def unknown_source_of_complication(d: Path) -> Expect:
    line = at(d, "high_smas", ("complications", 0, "source_id"),
              lambda t: t["complications"][0].update(source_id="jacono2020"))
    return Expect("techniques.json", line, "technique high_smas", "complications[0].source_id", "jacono2020",
                  SOURCE_WORDS)


@corruption
def duplicate_technique_id(d: Path) -> Expect:
    """A later technique renamed to an earlier one's id: reported at the later one."""
    where, index = edit(d, "endoscopic_midface", lambda t: t.update(technique_id="deep_plane"))
    first = next(i for i, t in enumerate(shipped()["techniques"]) if t["technique_id"] == "deep_plane")
    return Expect("techniques.json", where[("techniques", index, "technique_id")], "technique deep_plane",
                  "technique_id", "deep_plane",
                  f"must be unique: already used on line {where[('techniques', first, 'technique_id')]}")


@corruption
def duplicate_plane_id(d: Path) -> Expect:
    where, index = edit(d, "endoscopic_midface", lambda t: t["planes"][1].update(plane_id="temple"))
    return Expect("techniques.json", where[("techniques", index, "planes", 1, "plane_id")],
                  "technique endoscopic_midface", "planes[1].plane_id", "temple",
                  f"must be unique within the technique: planes[0] on line "
                  f"{where[('techniques', index, 'planes', 0, 'plane_id')]} already has this plane_id")


@corruption
def duplicate_port_id(d: Path) -> Expect:
    where, index = edit(d, "endoscopic_brow", lambda t: t["ports"][2].update(port_id="midline"))
    return Expect("techniques.json", where[("techniques", index, "ports", 2, "port_id")], "technique endoscopic_brow",
                  "ports[2].port_id", "midline", "must be unique within the technique: ports[0] on line")


@corruption
def duplicate_incision_id(d: Path) -> Expect:
    def change(t: dict) -> None:
        t["incisions"].append(dict(t["incisions"][0], path=t["incisions"][0]["path"][:3]))

    where, index = edit(d, "open_subperiosteal", change)
    return Expect("techniques.json", where[("techniques", index, "incisions", 1, "incision_id")],
                  "technique open_subperiosteal", "incisions[1].incision_id", "coronal",
                  "must be unique within the technique: incisions[0] on line")


@corruption
def self_intersecting_outline(d: Path) -> Expect:
    """Swapping vertices 1 and 2 of a simple polygon A B C D ... makes A C B D ...: edges A-C and B-D cross."""
    def change(t: dict) -> None:
        outline = t["planes"][0]["outline"]
        outline[1], outline[2] = outline[2], outline[1]

    line = at(d, "skin_only", ("planes", 0, "outline", 0), change)
    return Expect("techniques.json", line, "technique skin_only", "planes[0].outline",
                  "edges outline[0]-outline[1] and outline[2]-outline[3]",
                  "cross: the outline must be a simple polygon as seen on the face")


@corruption
def outline_behind_the_ear(d: Path) -> Expect:
    line = at(d, "high_smas", ("planes", 0, "outline", 8),
              lambda t: t["planes"][0]["outline"].__setitem__(8, [40, -60, -45]))
    behind = math.degrees(math.atan2(40, -60 + 5))  # about 144 degrees: behind the ear
    return Expect("techniques.json", line, "technique high_smas", "planes[0].outline[8]", "[40, -60, -45]",
                  f"leaves the face: its azimuth atan2(x, y + 5) is {behind:.1f} degrees, must lie within +-110 "
                  "degrees of the midline")


@corruption
def outline_below_the_neck(d: Path) -> Expect:
    line = at(d, "skin_only", ("planes", 0, "outline", 5),
              lambda t: t["planes"][0]["outline"].__setitem__(5, [49, 4, -140]))
    return Expect("techniques.json", line, "technique skin_only", "planes[0].outline[5]", "[49, 4, -140]",
                  "leaves the face: its z is -140 mm, must lie within -130..130 mm")


@corruption
def outline_landmark_off_the_face(d: Path) -> Expect:
    line = at(d, "deep_plane", ("planes", 0, "outline", 4),
              lambda t: t["planes"][0]["outline"].__setitem__(4, "occipital_incision_end"))
    return Expect("techniques.json", line, "technique deep_plane", "planes[0].outline[4]",
                  "occipital_incision_end (55, -48, -15)", "leaves the face: its azimuth", max_problems=2)


@corruption
def outline_of_three(d: Path) -> Expect:
    line = at(d, "endoscopic_midface", ("planes", 0, "outline"),
              lambda t: t["planes"][0]["outline"].__delitem__(slice(3, None)))
    kept = json.dumps(plane_of(next(t for t in shipped()["techniques"] if t["technique_id"] == "endoscopic_midface"),
                               "temple")["outline"][:3])
    return Expect("techniques.json", line, "technique endoscopic_midface", "planes[0].outline", kept,
                  "must be a list (at least 4 items)")


@corruption
def outline_on_the_right(d: Path) -> Expect:
    line = at(d, "deep_plane", ("planes", 1, "outline", 2),
              lambda t: t["planes"][1]["outline"].__setitem__(2, [-57, 59, 8]))
    return Expect("techniques.json", line, "technique deep_plane", "planes[1].outline[2]", "[-57, 59, 8]",
                  "is on the right side: positions are given for the left side and mirrored, must have x >= 0",
                  max_problems=2)  # it may also make the polygon cross itself


@corruption
def outline_point_with_nan(d: Path) -> Expect:
    line = at(d, "skin_only", ("planes", 0, "outline", 1),
              lambda t: t["planes"][0]["outline"][1].__setitem__(1, math.nan))
    return Expect("techniques.json", line, "technique skin_only", "planes[0].outline[1][1]", "NaN",
                  "must be a finite number")


@corruption
def zero_length_port(d: Path) -> Expect:
    line = at(d, "endoscopic_brow", ("ports", 1, "length_mm"), lambda t: t["ports"][1].update(length_mm=0))
    return Expect("techniques.json", line, "technique endoscopic_brow", "ports[1].length_mm", "0",
                  "must be a number > 0 and <= 100")


@corruption
def negative_length_port(d: Path) -> Expect:
    line = at(d, "endoscopic_midface", ("ports", 0, "length_mm"), lambda t: t["ports"][0].update(length_mm=-15))
    return Expect("techniques.json", line, "technique endoscopic_midface", "ports[0].length_mm", "-15",
                  "must be a number > 0 and <= 100")


@corruption
def port_off_the_skin(d: Path) -> Expect:
    line = at(d, "endoscopic_brow", ("ports", 0, "at"), lambda t: t["ports"][0].update(at=[0, 60, 200]))
    return Expect("techniques.json", line, "technique endoscopic_brow", "ports[0].at", "[0, 60, 200]",
                  "is off the skin: a port must lie on the skin of the model; its z is 200 mm, must lie within "
                  "-130..130 mm")


@corruption
def port_on_the_axis(d: Path) -> Expect:
    line = at(d, "endoscopic_midface", ("ports", 1, "at"), lambda t: t["ports"][1].update(at=[0, -5, 0]))
    return Expect("techniques.json", line, "technique endoscopic_midface", "ports[1].at", "[0, -5, 0]",
                  "is off the skin: a port must lie on the skin of the model; it lies on the head's vertical axis")


@corruption
def incision_off_the_skin(d: Path) -> Expect:
    line = at(d, "open_subperiosteal", ("incisions", 0, "path", 0),
              lambda t: t["incisions"][0]["path"].__setitem__(0, [0, 28, 150]))
    return Expect("techniques.json", line, "technique open_subperiosteal", "incisions[0].path[0]", "[0, 28, 150]",
                  "is off the skin: an incision point must lie on the skin of the model; its z is 150 mm")


@corruption
def unknown_port_direction(d: Path) -> Expect:
    line = at(d, "endoscopic_brow", ("ports", 2, "direction"), lambda t: t["ports"][2].update(direction="oblique"))
    return Expect("techniques.json", line, "technique endoscopic_brow", "ports[2].direction", "oblique",
                  "must be one of: sagittal, transverse")


@corruption
def unknown_approach(d: Path) -> Expect:
    line = at(d, "skin_only", ("approach",), lambda t: t.update(approach="blind"))
    return Expect("techniques.json", line, "technique skin_only", "approach", "blind",
                  "must be one of: open, endoscopic")


@corruption
def technique_without_planes(d: Path) -> Expect:
    line = at(d, "lateral_smasectomy", ("planes",), lambda t: t.update(planes=[]))
    return Expect("techniques.json", line, "technique lateral_smasectomy", "planes", "[]",
                  "must be a list (at least 1 item)")


@corruption
def missing_ports_field(d: Path) -> Expect:
    where, index = edit(d, "deep_plane", lambda t: t.pop("ports"))
    return Expect("techniques.json", where[("techniques", index)], "technique deep_plane", "ports", "",
                  "must be given: a list, each item an object with the fields port_id")


@corruption
def unknown_field_in_port(d: Path) -> Expect:
    line = at(d, "endoscopic_brow", ("ports", 0, "depth_mm"), lambda t: t["ports"][0].update(depth_mm=4))
    return Expect("techniques.json", line, "technique endoscopic_brow", "ports[0].depth_mm", "4",
                  "unknown field: the fields are port_id, label, at, length_mm, direction")


@corruption
def schematic_plane_without_reason(d: Path) -> Expect:
    where, index = edit(d, "skin_only", lambda t: t["planes"][0].pop("note"))
    return Expect("techniques.json", where[("techniques", index, "planes", 0)], "technique skin_only",
                  "planes[0].note", "", "a schematic plane must give in note the reason it has no source")


@corruption
def derived_port_without_locator(d: Path) -> Expect:
    where, index = edit(d, "endoscopic_brow", lambda t: t["ports"][1].pop("locator"))
    return Expect("techniques.json", where[("techniques", index, "ports", 1)], "technique endoscopic_brow",
                  "ports[1].locator", "", "a derived port must say where in the source the number is")


@corruption
def complication_in_the_wrong_unit(d: Path) -> Expect:
    line = at(d, "deep_plane", ("complications", 0, "unit"), lambda t: t["complications"][0].update(unit="per cent"))
    return Expect("techniques.json", line, "technique deep_plane", "complications[0].unit", "per cent",
                  "must be one of: %")


@corruption
def complication_without_source(d: Path) -> Expect:
    where, index = edit(d, "deep_plane", lambda t: t["complications"][1].pop("source_id"))
    return Expect("techniques.json", where[("techniques", index, "complications", 1)], "technique deep_plane",
                  "complications[1].source_id", "", "must be given: an id matching")


@corruption
def negative_complication_rate(d: Path) -> Expect:
    line = at(d, "endoscopic_brow", ("complications", 0, "value"), lambda t: t["complications"][0].update(value=-5.8))
    return Expect("techniques.json", line, "technique endoscopic_brow", "complications[0].value", "-5.8",
                  "must be a number >= 0 and <= 100")


@corruption
def band_on_a_layer_other_than_muscle(d: Path) -> Expect:
    """Issue 11: a layer-4 band is a part of the muscle layer."""
    line = at(d, "endoscopic_brow", ("planes", 1, "layer"), lambda t: t["planes"][1].update(layer="smas"))
    return Expect("techniques.json", line, "technique endoscopic_brow", "planes[1].layer", "smas",
                  "must be one of: muscle")


@corruption
def unknown_band_in_a_zone(d: Path) -> Expect:
    line = at(d, "deep_plane", ("planes", 1, "zones", 0, "layer"),
              lambda t: t["planes"][1]["zones"][0].update(layer="muscle", band="cavity"))
    line = edit(d, "deep_plane", lambda t: None)[0][("techniques", 4, "planes", 1, "zones", 0, "band")]
    return Expect("techniques.json", line, "technique deep_plane", "planes[1].zones[0].band", "cavity",
                  "must be one of: space, under_floor")


@corruption
def unknown_landmark_in_a_zone(d: Path) -> Expect:
    line = at(d, "deep_plane", ("planes", 1, "zones", 0, "outline", 0),
              lambda t: t["planes"][1]["zones"][0]["outline"].__setitem__(0, "zygomaticus"))
    return Expect("techniques.json", line, "technique deep_plane", "planes[1].zones[0].outline[0]", "zygomaticus",
                  LANDMARK_WORDS)


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_cli_reports_bad_technique_data(name, data_copy):
    expect = CORRUPTIONS[name](data_copy)
    assert_reported(expect, run_validate(str(data_copy)))


def test_bad_technique_data_stops_load_anatomy(data_copy):
    from facelayers.anatomy.load import DataError

    edit(data_copy, "endoscopic_brow", lambda t: t["planes"][1].update(layer="dtf"))
    with pytest.raises(DataError, match=r"techniques.json line \d+ \(technique endoscopic_brow\): "
                                        r"field 'planes\[1\].layer' = 'dtf'"):
        load_anatomy(data_copy)


def test_a_good_copy_loads_the_same_techniques(data_copy):
    copy = load_anatomy(data_copy)
    assert list(copy.techniques) == list(load_anatomy().techniques)
    for tid, technique in copy.techniques.items():
        for mine, theirs in zip(technique.planes, load_anatomy().technique(tid).planes):
            np.testing.assert_array_equal(mine.outline_positions(copy), theirs.outline_positions(load_anatomy()))
