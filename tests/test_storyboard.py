"""Procedure storyboards: the shipped files, their checks (every kind of bad input named by file, step and field
through the real CLI), the steps' views, and the step player driven headless."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
import yaml

from facelayers.anatomy.load import DataError, load_anatomy
from facelayers.delivery.cli import main
from facelayers.teaching.state import CAMERAS, ViewState
from facelayers.teaching.storyboard import (
    ALL_CHECKS,
    Step,
    Storyboard,
    load_storyboards,
    nerve_names,
    steps_text,
    view_state,
)
from messages import Recorder
from facelayers.anatomy.reading import STORYBOARD_DIR, DataSet
from facelayers.anatomy.validation import validate_data_dir

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SHIPPED = ("deep_plane", "endoscopic_brow")


@pytest.fixture(scope="module")
def anatomy():
    return load_anatomy()


@pytest.fixture(scope="module")
def storyboards(anatomy):
    return load_storyboards(anatomy)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A fresh copy of the shipped data (the schemas always come from the package)."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("schemas", "README.md"))
    return target


def run_validate(*args: str) -> subprocess.CompletedProcess:
    """``python -m facelayers validate ARGS`` in a fresh process, on this checkout."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "facelayers", "validate", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def validate(folder: Path, capsys) -> tuple[int, list[str]]:
    """The CLI's exit status and its problem lines (what ``python -m facelayers validate DIR`` prints)."""
    status = main(["validate", str(folder)])
    return status, capsys.readouterr().err.strip().splitlines()


def line_of(path: Path, text: str) -> int:
    """1-based line of the first line of ``path`` that contains ``text``."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


# ----------------------------------------------------------------------------------------------------
# The shipped storyboards


def test_shipped_storyboards_validate():
    assert validate_data_dir(DATA) == []
    assert [p for check in ALL_CHECKS for p in check(DataSet(DATA))] == []
    proc = run_validate()
    assert proc.returncode == 0, proc.stderr
    assert "; 2 storyboards, 18 steps)" in proc.stdout


def test_the_anatomy_loads_both_storyboards(anatomy, storyboards):
    assert tuple(anatomy.storyboards) == SHIPPED
    assert tuple(storyboards) == SHIPPED
    assert anatomy.storyboards["deep_plane"].filename == "storyboards/deep_plane.yaml"
    with pytest.raises(TypeError):
        anatomy.storyboards["deep_plane"].document["title"] = "changed"  # a shared, cached anatomy: read-only


@pytest.mark.parametrize("name", SHIPPED)
def test_each_storyboard_runs_6_to_10_steps_from_access_to_closure(storyboards, anatomy, name):
    board = storyboards[name]
    assert 6 <= len(board) <= 10
    assert board.technique in anatomy.techniques
    assert board.compare_with in anatomy.techniques and board.compare_with != board.technique
    assert [s.number for s in board.steps] == list(range(1, len(board) + 1))
    first, last = board.steps[0], board.steps[-1]
    assert ("incision" if name == "deep_plane" else "ports") in first.title.lower()
    assert last.title == "Closure" and last.nerves_at_risk == ()
    for step in board.steps:
        sentences = [s for s in step.caption.replace("e.g.", "eg").split(". ") if s.strip()]
        assert 2 <= len(sentences) <= 5, f"{name} step {step.number}: {len(sentences)} sentences"
        if not step.nerves_at_risk:  # the caption says why none is at risk
            assert "no nerve" in step.caption.lower() or "none is at risk" in step.caption.lower(), step.title
    for source in board.sources:
        assert source.source_id in anatomy.sources and source.locator


@pytest.mark.parametrize("name", SHIPPED)
def test_every_step_state_is_valid_and_names_what_exists(storyboards, anatomy, name):
    board = storyboards[name]
    technique = anatomy.techniques[board.technique]
    labels = [port.label for port in technique.ports]
    for step in board.steps:
        state = step.state()
        assert isinstance(state, ViewState)
        state.validate()
        assert state.technique == board.technique
        assert state.camera in CAMERAS
        assert set(step.nerves_at_risk) <= set(anatomy.nerves), step.title
        if state.pick:
            kind, _, target = state.pick.partition(":")
            known = {"nerve": anatomy.nerves, "group": anatomy.nerve_groups(), "muscle": anatomy.muscles}[kind]
            assert target in known, state.pick
            # The highlight is the nerve at risk (or its branch).
            lit = {target} if kind == "nerve" else {n.nerve_id for n in anatomy.nerves_in_group(target)}
            assert lit & set(step.nerves_at_risk), f"{name} step {step.number} lights {state.pick}"
        if technique.is_endoscopic:
            assert state.scope_port in labels, f"{name} step {step.number}: scope_port {state.scope_port!r}"
        else:
            assert state.scope_port is None
        assert step.state() is not step.state()  # a fresh state each time: the player may change it


def test_the_brow_lift_follows_the_reference(storyboards):
    """REFERENCE 2-6 and 9.2: ports, subperiosteal forehead, temple on the DTF, the conjoint tendon, the sentinel
    vein with the frontal branch above it, the arcus marginalis with the supraorbital bundles, the corrugator
    and procerus, fixation, closure."""
    board = storyboards["endoscopic_brow"]
    text = " ".join(s.title + " " + s.caption for s in board.steps).lower()
    for words in ("behind the hairline", "subperiosteal", "deep temporal fascia", "conjoint tendon",
                  "temporal line", "sentinel vein", "arcus marginalis", "corrugator", "procerus", "fixation"):
        assert words in text, words
    at_risk = {nid for s in board.steps for nid in s.nerves_at_risk}
    assert {"frontal_2", "sentinel_vein", "supraorbital", "supratrochlear"} <= at_risk
    vein = next(s for s in board.steps if "sentinel_vein" in s.nerves_at_risk)
    assert {"frontal_1", "frontal_2", "frontal_3"} <= set(vein.nerves_at_risk)
    ports = {s.state().scope_port for s in board.steps}
    assert ports == {"Midline port", "Paramedian port", "Temporal port"}


def test_the_deep_plane_follows_the_reference(storyboards):
    """REFERENCE 2-5: subcutaneous behind the malar-to-angle line, sub-SMAS forward of it on the deep fascia,
    the zygomatic (McGregor) and masseteric ligaments, Zuker's point, the mandibular ligament, McKinney's point."""
    board = storyboards["deep_plane"]
    text = " ".join(s.title + " " + s.caption for s in board.steps)
    for words in ("malar", "angle of the jaw", "SMAS", "deep fascia", "McGregor", "masseteric", "Zuker's point",
                  "mandibular ligament", "antegonial notch", "McKinney's point", "redraping"):
        assert words.lower() in text.lower(), words
    order = [nid for s in board.steps for nid in s.nerves_at_risk]
    assert order.index("zygomatic") < order.index("marginal_mandibular") < order.index("great_auricular")
    zuker = next(s for s in board.steps if "Zuker" in s.caption)
    assert zuker.nerves_at_risk == ("zygomatic",) and zuker.state().ligaments
    # Steps over the cheek peel down to the plane (the sub-SMAS plane shows once the SMAS is peeled), or show it
    # as the surgeon meets it: the flap raised, the plane under it.
    assert all(s.state().peel >= 3 or s.state().flap_mm > 0 for s in board.steps if "zygomatic" in s.nerves_at_risk)
    assert any(s.state().flap_mm > 0 for s in board.steps)


def test_steps_text_is_deterministic_and_names_the_nerves(storyboards, anatomy):
    text = steps_text(storyboards["endoscopic_brow"], anatomy)
    lines = text.splitlines()
    assert lines[0] == "Endoscopic brow lift, step by step: 9 steps (Endoscopic brow (forehead) lift)"
    assert lines[1:3] == [" 1. Ports behind the hairline", "    nerves at risk: none"]
    assert "    nerves at risk: Frontal (temporal) branch, rami 1, 2, 3; Sentinel vein; Zygomaticotemporal nerve" in lines
    assert text == steps_text(storyboards["endoscopic_brow"], anatomy)
    assert nerve_names(anatomy, ["frontal_3"]) == "Frontal (temporal) branch, ramus 3"
    assert nerve_names(anatomy, []) == "none"


def test_the_view_field_of_the_schema_names_every_viewstate_field():
    """The schema leaves the view's keys to ViewState; its description lists them for authors: keep it whole."""
    schema = json.loads((DATA / "schemas" / "storyboards.schema.json").read_text())
    view = schema["properties"]["steps"]["items"]["properties"]["view"]
    for f in fields(ViewState):
        assert f.name in view["description"], f.name


def test_storyboard_schema_is_strict_all_the_way_down():
    schema = json.loads((DATA / "schemas" / "storyboards.schema.json").read_text())

    def objects(node, where="(top)"):
        if node.get("type") == "object" and "properties" in node:
            yield where, node
        for name, sub in node.get("properties", {}).items():
            yield from objects(sub, f"{where}.{name}")
        if "items" in node:
            yield from objects(node["items"], f"{where}[]")

    found = list(objects(schema))
    assert len(found) == 4  # the file, its patient, a source, a step (a step's view is ViewState's: its keys are not repeated)
    for where, obj in found:
        assert obj["additionalProperties"] is False, where
        assert set(obj["required"]) <= set(obj["properties"]), where
        assert all(prop.get("description") for prop in obj["properties"].values()), where


def test_storyboard_module_is_light():
    """facelayers.teaching.storyboard is core: no plotly or widgets (and no numpy just to import it)."""
    code = textwrap.dedent("""
        import json, sys
        import facelayers.teaching.storyboard
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("plotly", "ipywidgets", "anywidget", "numpy"))))
        """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


# ----------------------------------------------------------------------------------------------------
# Bad input: every kind names the file, the line, the step and the field, and exits 1


def _edit(folder: Path, name: str, old: str, new: str, count: int = 1) -> Path:
    path = folder / STORYBOARD_DIR / f"{name}.yaml"
    text = path.read_text()
    assert text.count(old) >= count, f"{old!r} not in {name}.yaml"
    path.write_text(text.replace(old, new, count))
    return path


# (name, file, old text, new text, expected pieces of the one problem line, the text whose line it names)
BAD = [
    ("yaml_syntax", "deep_plane", "    nerves_at_risk: [zygomatic, buccal]\n",
     "    nerves_at_risk: [zygomatic, buccal\n",
     ["storyboards/deep_plane.yaml line", "malformed YAML", "must be valid YAML"], None),
    ("key_twice", "deep_plane", "      camera: left\n      peel: 2\n", "      camera: left\n      camera: front\n",
     ["storyboards/deep_plane.yaml line", "field 'steps[1].view.camera'", "given twice"], "camera: front"),
    ("key_not_text", "deep_plane", "      camera: left\n      peel: 2\n", "      camera: left\n      on: 2\n",
     ["field 'steps[1].view.on'", "a key must be text: quote it"], "      on: 2"),
    ("unknown_top_key", "deep_plane", "compare_with: high_smas\n", "compare_with: high_smas\nauthor: me\n",
     ["(storyboard deep_plane)", "field 'author' = 'me'", "unknown field: the fields are title, technique"],
     "author: me"),
    ("unknown_step_key", "deep_plane", "  - title: Redraping and fixation\n",
     "  - title: Redraping and fixation\n    duration_min: 20\n",
     ["field 'steps[7].duration_min' = '20'", "unknown field: the fields are title, caption, nerves_at_risk, view"],
     "duration_min: 20"),
    ("missing_nerves_at_risk", "deep_plane", "    nerves_at_risk: [great_auricular]\n", "",
     ["field 'steps[6].nerves_at_risk' = ''", "must be given: a list (no repeats)"], "Behind the ear"),
    ("unknown_technique", "deep_plane", "technique: deep_plane\n", "technique: deep_plain\n",
     ["field 'technique' = 'deep_plain'", "must be a technique_id of techniques.json: skin_only, smas_plication"],
     "technique: deep_plain"),
    ("unknown_nerve", "deep_plane", "    nerves_at_risk: [great_auricular]\n",
     "    nerves_at_risk: [great_auricular_nerve]\n",
     ["field 'steps[6].nerves_at_risk[0]' = 'great_auricular_nerve'",
      "must be a nerve_id of nerves.json: facial_trunk, frontal_1"], "great_auricular_nerve"),
    ("unknown_source", "deep_plane", "  - source_id: hamra1990\n", "  - source_id: hamra1991\n",
     ["field 'sources[0].source_id' = 'hamra1991'", "must be a source_id of sources.csv: meng2022"], "hamra1991"),
    ("nerve_not_a_list", "deep_plane", "    nerves_at_risk: [marginal_mandibular]\n",
     "    nerves_at_risk: marginal_mandibular\n",
     ["field 'steps[5].nerves_at_risk' = 'marginal_mandibular'", "must be a list (no repeats)"],
     "nerves_at_risk: marginal_mandibular"),
    ("view_unknown_key", "deep_plane", "      camera: left\n      peel: 2\n", "      camera: left\n      zoom: 2\n",
     ["field 'steps[1].view.zoom' = '2'", "ViewState refuses it: unknown key 'zoom'",
      "the keys of a view are the fields of ViewState: visible, peel, cutaway"], "zoom: 2"),
    ("view_value_out_of_range", "deep_plane", "      peel: 2\n", "      peel: 9\n",
     ["field 'steps[1].view.peel' = '9'", "ViewState refuses it: peel = 9; allowed: an integer 0 to 5"], "peel: 9"),
    ("view_unknown_camera", "deep_plane", "      camera: oblique\n      peel: 4\n",
     "      camera: behind\n      peel: 4\n",
     ["field 'steps[4].view.camera' = 'behind'", "ViewState refuses it: camera = 'behind' is not allowed; allowed: front, left"],
     "camera: behind"),
    ("view_flap_out_of_range", "deep_plane", "      flap_mm: 25\n", "      flap_mm: 90\n",
     ["field 'steps[3].view.flap_mm' = '90'", "ViewState refuses it: flap_mm = 90.0; allowed: 0 to 40 mm"],
     "flap_mm: 90"),
    ("view_wrong_type", "deep_plane", "      peel: 2\n", "      peel: two\n",
     ["field 'steps[1].view.peel' = 'two'", "ViewState refuses it: peel = 'two'; allowed: an integer"],
     "peel: two"),
    ("view_bad_layer", "deep_plane", "      camera: left\n      peel: 2\n",
     "      camera: left\n      visible:\n        scalp: false\n",
     ["field 'steps[1].view.visible.scalp' = 'false'", "unknown layer 'scalp'; allowed: skin, fat"], "scalp: false"),
    ("view_pick_unknown_nerve", "deep_plane", "pick: nerve:great_auricular", "pick: nerve:greater_auricular",
     ["field 'steps[6].view.pick' = 'nerve:greater_auricular'",
      "must name a nerve_id of nerves.json after 'nerve:': facial_trunk"], "nerve:greater_auricular"),
    ("view_pick_bad_kind", "deep_plane", "pick: nerve:great_auricular", "pick: vein:great_auricular",
     ["field 'steps[6].view.pick' = 'vein:great_auricular'", "ViewState refuses it: pick = 'vein:great_auricular'"],
     "vein:great_auricular"),
    ("view_unknown_technique", "deep_plane", "      camera: left\n      peel: 2\n",
     "      camera: left\n      technique: facelift\n",
     ["field 'steps[1].view.technique' = 'facelift'", "must be a technique_id of techniques.json"],
     "technique: facelift"),
    ("port_id_not_label", "endoscopic_brow", "scope_port: Temporal port", "scope_port: temporal",
     ["field 'steps[2].view.scope_port' = 'temporal'",
      "must be the label of a port of endoscopic_brow: Midline port, Paramedian port, Temporal port; "
      "'temporal' is the port_id, scope_port takes its label 'Temporal port'"], "scope_port: temporal"),
    ("port_of_an_open_lift", "deep_plane", "      camera: left\n      peel: 2\n",
     "      camera: left\n      scope_port: Temporal port\n",
     ["field 'steps[1].view.scope_port' = 'Temporal port'", "the technique deep_plane has no ports"],
     "scope_port: Temporal port"),
]


@pytest.mark.parametrize("name, board, old, new, pieces, at", BAD, ids=[b[0] for b in BAD])
def test_bad_storyboard_is_named_by_file_step_and_field(data_copy, capsys, name, board, old, new, pieces, at):
    path = _edit(data_copy, board, old, new)
    status, problems = validate(data_copy, capsys)
    assert status == 1
    assert len(problems) == 1, "\n".join(problems)  # one fault, one problem: no cascade
    for piece in pieces:
        assert piece in problems[0], f"{piece!r} not in: {problems[0]}"
    assert problems[0].startswith(f"storyboards/{board}.yaml line ")
    if at is not None:
        assert problems[0].startswith(f"storyboards/{board}.yaml line {line_of(path, at)} "), problems[0]


@pytest.mark.parametrize("count", [5, 11])
def test_too_few_or_too_many_steps(data_copy, capsys, count):
    path = data_copy / STORYBOARD_DIR / "deep_plane.yaml"
    document = yaml.safe_load(path.read_text())
    steps = document["steps"]
    document["steps"] = json.loads(json.dumps((steps * 2)[:count]))  # no shared items: YAML aliases are refused
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    status, problems = validate(data_copy, capsys)
    assert status == 1
    assert problems == [f"storyboards/deep_plane.yaml line {line_of(path, 'steps:')} (storyboard deep_plane): "
                        f"field 'steps' = '[{count} items]': must be a list (6 to 10 items), each item an object "
                        f"with the fields title, caption, nerves_at_risk, view"]


def test_a_badly_named_file_and_a_yml_file_are_named(data_copy, capsys):
    folder = data_copy / STORYBOARD_DIR
    shutil.copy(folder / "deep_plane.yaml", folder / "Deep-Plane.yaml")
    shutil.copy(folder / "deep_plane.yaml", folder / "brow.yml")
    (folder / "README.md").write_text("not a storyboard")
    status, problems = validate(data_copy, capsys)
    assert status == 1
    assert problems == [
        "storyboards/Deep-Plane.yaml: file name: a storyboard is named <storyboard_id>.yaml, the id matching "
        "[a-z][a-z0-9_]* (e.g. deep_plane.yaml)",
        "storyboards/brow.yml: file name: a storyboard is named <storyboard_id>.yaml, the id matching "
        "[a-z][a-z0-9_]* (e.g. deep_plane.yaml)",
    ]


def test_an_empty_file_and_a_list_are_refused(data_copy, capsys):
    folder = data_copy / STORYBOARD_DIR
    (folder / "empty.yaml").write_text("# nothing yet\n")
    (folder / "listed.yaml").write_text("- title: a\n- title: b\n")
    status, problems = validate(data_copy, capsys)
    assert status == 1
    assert problems[0].startswith("storyboards/empty.yaml line 1: empty file: must be a storyboard (title, ")
    assert problems[1].startswith("storyboards/listed.yaml line 1 (storyboard listed): must be a mapping of the "
                                  "fields title, technique")


def test_a_data_folder_without_storyboards_is_valid(data_copy, capsys):
    shutil.rmtree(data_copy / STORYBOARD_DIR)
    assert main(["validate", str(data_copy)]) == 0
    assert "0 storyboards, 0 steps" in capsys.readouterr().out
    assert load_anatomy(data_copy).storyboards == {}


def test_problems_in_both_files_are_all_reported_in_reading_order(data_copy, capsys):
    _edit(data_copy, "endoscopic_brow", "technique: endoscopic_brow\n", "technique: endoscopic\n")
    _edit(data_copy, "deep_plane", "      peel: 3\n", "      peel: 7\n")
    _edit(data_copy, "deep_plane", "      peel: 2\n", "      peel: 6\n")
    status, problems = validate(data_copy, capsys)
    assert status == 1
    assert [p.split(" line ")[0] for p in problems] == ["storyboards/deep_plane.yaml"] * 2 + \
        ["storyboards/endoscopic_brow.yaml"]
    assert "steps[1].view.peel' = '6'" in problems[0] and "steps[2].view.peel' = '7'" in problems[1]


def test_the_real_cli_exits_1_naming_the_file_step_and_field(data_copy):
    path = _edit(data_copy, "deep_plane", "      peel: 2\n", "      peel: -1\n")
    proc = run_validate(str(data_copy))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.strip() == (f"storyboards/deep_plane.yaml line {line_of(path, 'peel: -1')} (storyboard "
                                   "deep_plane): field 'steps[1].view.peel' = '-1': ViewState refuses it: "
                                   "peel = -1; allowed: an integer 0 to 5")


def test_load_storyboards_refuses_a_view_that_viewstate_refuses(data_copy):
    """The anatomy's checks do not judge the views (ViewState sits above them); load_storyboards does."""
    _edit(data_copy, "deep_plane", "      camera: oblique\n      peel: 4\n", "      camera: oblique\n      peel: 7\n")
    anatomy = load_anatomy(data_copy)
    with pytest.raises(DataError) as info:
        load_storyboards(anatomy)
    assert "field 'steps[4].view.peel' = '7': ViewState refuses it: peel = 7" in str(info.value)


def test_view_state_names_the_key_and_uses_the_defaults():
    state = view_state({"peel": 3, "visible": {"skin": False}}, technique="deep_plane")
    assert (state.peel, state.visible["skin"], state.visible["fat"], state.camera, state.technique) == \
        (3, False, True, "oblique", "deep_plane")
    assert view_state({"technique": "high_smas"}, technique="deep_plane").technique == "high_smas"
    with pytest.raises(ValueError, match="scope_aim_deg = 90"):
        view_state({"scope_aim_deg": 90})


def test_a_step_is_checked_at_construction():
    with pytest.raises(ValueError, match=r"step 2 \(Closure\).*camera = 'behind'"):
        Step(2, "Closure", "Text. More.", (), {"camera": "behind"})


# ----------------------------------------------------------------------------------------------------
# The player, driven headless


def _board(*views, technique="deep_plane") -> Storyboard:
    steps = [Step(i, f"Step {i}", "A caption. Another sentence.", (), {"technique": technique, **view})
             for i, view in enumerate(views, start=1)]
    return Storyboard("test", "A test", technique, "Summary.", (), tuple(steps))




def _trace(fig, name):
    return next(t for t in fig.data if t.name == name)


@pytest.fixture(scope="module")
def brow_player(model_coarse, storyboards):
    from facelayers.widgets.player import StoryboardPlayer

    return StoryboardPlayer(storyboards["endoscopic_brow"], model_coarse)


def test_next_and_previous_move_the_step_and_apply_its_view(model_coarse, storyboards):
    from facelayers.widgets.player import StoryboardPlayer
    from facelayers.render.structures import HIGHLIGHT

    board = storyboards["deep_plane"]
    player = StoryboardPlayer(board, model_coarse)
    fig = player.figure
    assert player.number == 1 and player.previous.disabled and not player.next.disabled
    assert fig.layout.scene.camera.eye.x == pytest.approx(CAMERAS["left"]["eye"]["x"])
    player.next.click()  # step 2: peel 2 (skin and fat peeled)
    assert player.number == 2 and player.progress.value == 2
    assert player.state.peel == 2
    assert _trace(fig, "layer:skin").visible is False and _trace(fig, "layer:smas").visible is True
    assert "Step 2 of 9" in player.caption.value and "Nerves at risk:</b> none" in player.caption.value
    skin_vertices = len(_trace(fig, "layer:skin").x)
    player.next.click()
    player.next.click()  # step 4: the composite flap raised, seen from the incision
    assert player.number == 4 and player.state.flap_mm == 25 and player.state.peel == 0
    assert fig.layout.scene.camera.eye.y == pytest.approx(CAMERAS["incision"]["eye"]["y"])
    assert len(_trace(fig, "technique:flap").x) > 0 and _trace(fig, "technique:flap").visible is not False
    assert len(_trace(fig, "layer:skin").x) != skin_vertices  # the skin is cut away under the flap
    player.next.click()  # step 5: the zygomatic branch lit, the ligaments shown; the flap folded back
    assert player.number == 5
    assert len(_trace(fig, "technique:flap").x) == 0 and len(_trace(fig, "layer:skin").x) == skin_vertices
    want = board.step(5).state()
    for f in fields(ViewState):
        if f.name != "compare":  # the comparer keeps its pair of techniques (A and B)
            assert getattr(player.state, f.name) == getattr(want, f.name), f.name
    assert _trace(fig, "nerve:zygomatic").line.color == HIGHLIGHT
    assert _trace(fig, "nerve:buccal").line.color != HIGHLIGHT
    assert _trace(fig, "ligaments").visible is True
    # the menu shows the entry that lights the same nerve (the zygomatic branch is one nerve: one entry)
    assert player.comparer.pick.value == "group:zygomatic" and player.comparer.ligaments.value is True
    assert "Zygomatic branch" in player.caption.value
    assert fig.layout.scene.camera.eye.x == pytest.approx(CAMERAS["oblique"]["eye"]["x"])
    player.previous.click()
    assert player.number == 4 and player.state.pick is None and player.state.ligaments is False
    assert _trace(fig, "nerve:zygomatic").line.color != HIGHLIGHT


def test_buttons_are_disabled_at_the_ends(brow_player):
    player = brow_player
    player.go_to(1)
    assert player.previous.disabled and not player.next.disabled
    player.previous.click()  # a disabled button's click does nothing harmful: still step 1
    player.go_to(len(player.storyboard))
    assert player.next.disabled and not player.previous.disabled
    assert player.progress.value == player.progress.max == 9
    with pytest.raises(ValueError, match="allowed: 1 to 9"):
        player.go_to(10)
    assert player.number == 9


def test_the_endoscope_follows_the_steps(brow_player, storyboards):
    player = brow_player
    player.go_to(5)  # the sentinel vein, from the temporal port
    step = storyboards["endoscopic_brow"].step(5)
    assert player.comparer.port.value == "Temporal port" == player.state.scope_port
    assert player.state.scope_insertion_mm == step.state().scope_insertion_mm == 40
    assert player.comparer.insertion.value == 40
    assert "scope:sentinel_vein" in {t.name for t in player.comparer.scope_view.data}
    player.go_to(6)  # the arcus marginalis, from a paramedian port
    assert player.comparer.port.value == "Paramedian port"
    assert "scope:supraorbital" in {t.name for t in player.comparer.scope_view.data}
    shaft = np.array(_trace(player.figure, "endoscope:shaft").x)
    player.go_to(5)
    assert not np.allclose(shaft, np.array(_trace(player.figure, "endoscope:shaft").x)), "the scope did not move"


def test_a_step_that_only_changes_the_pick_sends_under_2_kb_and_no_mesh(model_coarse):
    from facelayers.widgets.player import StoryboardPlayer
    from facelayers.render.structures import HIGHLIGHT

    board = _board({"peel": 3, "camera": "left", "pick": "group:zygomatic"},
                   {"peel": 3, "camera": "left", "pick": "nerve:marginal_mandibular"},
                   {"peel": 3, "camera": "left"})
    player = StoryboardPlayer(board, model_coarse)
    recorder = Recorder(player.figure)
    assert player.go_to(2) == ["pick"]
    text = repr(recorder.messages)
    for key in ("'x'", "'y'", "'z'", "'i'", "'j'", "'k'", "_widget_data"):
        assert key not in text, f"a pick re-sent geometry ({key})"
    assert 0 < recorder.bytes < 2048, recorder.bytes
    assert _trace(player.figure, "nerve:marginal_mandibular").line.color == HIGHLIGHT
    assert _trace(player.figure, "nerve:zygomatic").line.color != HIGHLIGHT
    recorder.reset()
    assert player.go_to(2) == [] and recorder.bytes == 0  # the same step again: nothing to send


def test_a_step_that_changes_technique_switches_the_comparer(model_coarse):
    from facelayers.widgets.player import StoryboardPlayer

    board = _board({"peel": 3}, {"peel": 5, "technique": "endoscopic_brow", "scope_port": "Temporal port"},
                   {"peel": 3, "technique": "skin_only"})
    player = StoryboardPlayer(board, model_coarse)
    c = player.comparer
    plane = np.array(_trace(player.figure, "technique:plane").x)
    changed = player.go_to(2)
    assert changed[0] == "technique" and "scope" in changed
    assert c.state.technique == "endoscopic_brow" and c.port.value == "Temporal port"
    assert c.technique_b.value == "endoscopic_brow" or c.technique_a.value == "endoscopic_brow"
    shown = c.technique_a.value if c.show.value == "A" else c.technique_b.value
    assert shown == "endoscopic_brow"  # the menus say what is shown
    assert not np.array_equal(plane, np.array(_trace(player.figure, "technique:plane").x))
    assert len(_trace(player.figure, "endoscope:shaft").x) > 0
    player.go_to(3)  # a technique in neither menu: it takes the shown one's place
    shown = c.technique_a.value if c.show.value == "A" else c.technique_b.value
    assert shown == "skin_only" == c.state.technique and c.port.value is None
    assert len(_trace(player.figure, "endoscope:shaft").x) == 0


def test_the_cutaway_and_the_section_are_applied(model_coarse):
    from facelayers.widgets.player import StoryboardPlayer

    board = _board({}, {"cutaway": "cheek", "layers_cut": 3, "section_kind": "vertical", "section_at": 30})
    player = StoryboardPlayer(board, model_coarse)
    assert player.go_to(2) == ["cutaway", "section"]
    c = player.comparer
    assert (c.state.cutaway, c.state.layers_cut) == ("cheek", 3)
    assert (c.cutaway.value, c.layers_cut.value) == ("cheek", 3)
    assert (c.state.section_kind, c.state.section_at) == ("vertical", 30.0) and c.section_at.value == 30
    player.go_to(1)
    assert c.state.cutaway is None and c.cutaway.value == "none"


def test_player_text_is_large_for_projection(brow_player):
    assert "facelayers-player" in brow_player.ui._dom_classes
    css = brow_player.ui.children[0].value
    assert ".facelayers-player .fl-caption {font-size: 20px" in css
    assert "Endoscopic brow lift, step by step" in brow_player.ui.children[1].value


def test_a_step_with_branches_at_risk_says_what_their_injury_would_take_away(brow_player, storyboards):
    # Step 3 of the endoscopic brow lift puts the frontal branches at risk: the caption says what a cut would leave
    # (the palsy of their group, with its source) and points to lesson 06; a step with no nerve at risk says nothing.
    player = brow_player
    board = storyboards["endoscopic_brow"]
    at_risk = next(n for n in range(1, len(board) + 1)
                   if any(nid.startswith("frontal") for nid in board.step(n).nerves_at_risk))
    player.go_to(at_risk)
    assert "If a branch at risk here were injured" in player.caption.value and "lesson 06" in player.caption.value
    assert "brow ptosis" in player.caption.value and "Seckel 1994" in player.caption.value
    assert player.caption.value.count("Frontal (temporal) branch:") == 1  # one line per group, not per branch
    quiet = next(n for n in range(1, len(board) + 1) if not board.step(n).nerves_at_risk)
    player.go_to(quiet)
    assert "If a branch at risk here were injured" not in player.caption.value
