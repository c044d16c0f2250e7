"""Saved views: YAML round trips, the file's shape, every kind of bad input named, defaults, atomic writes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from dataclasses import fields
from pathlib import Path
from typing import Optional

import pytest
import yaml
from pydantic import ConfigDict
from pydantic.dataclasses import dataclass as pydantic_dataclass

from facelayers.core.frame import INTERFACES
from facelayers.model.cutaway import WINDOWS
from facelayers.teaching import views
from facelayers.teaching.state import CAMERAS, ViewState
from facelayers.teaching.views import ViewFileError, load_view, save_view, view_from_yaml, view_to_yaml

REPO = Path(__file__).resolve().parents[1]

#: States with every field away from its default, one way or another.
STATES = {
    "default": ViewState(),
    "cheek-peeled": ViewState(visible={"fat": False, "bone": False}, peel=2, cutaway="cheek", layers_cut=3,
                              section_kind="vertical", section_at=30.5, camera="left", pick="nerve:frontal_1",
                              zones=True, ligaments=True),
    "temple-top": ViewState(peel=5, cutaway="temple", layers_cut=1, section_at=55.0, camera="top",
                            pick="group:zygomatic", technique="endoscopic_brow", scope_port="Temporal port",
                            scope_insertion_mm=55.0, scope_aim_deg=-12.5, scope_magnification=20.0),
    "flap-raised": ViewState(technique="deep_plane", flap_mm=22.5, camera="incision", labels=True,
                             compare=("skin_only", "deep_plane")),
    "quiz-question": ViewState(nerves=False),
    "forehead-int-section": ViewState(cutaway="forehead", section_kind="vertical", section_at=-120,
                                      camera="right", pick="muscle:frontalis", zones=True),
    "old-woman": ViewState(camera="front", patient={"sex": "female", "age": 75, "bmi": 19}),
}


def write(tmp_path: Path, text: str, name: str = "view.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_error(path: Path) -> ViewFileError:
    with pytest.raises(ViewFileError) as info:
        load_view(path)
    return info.value


# ----------------------------------------------------------------------------------------------------
# Round trips and the file's shape


@pytest.mark.parametrize("name", list(STATES))
def test_round_trip_through_text_and_file(name, tmp_path):
    state = STATES[name]
    assert view_from_yaml(view_to_yaml(state)) == state
    path = save_view(state, tmp_path / f"{name}.yaml")
    assert load_view(path) == state
    assert load_view(str(path)) == state


def test_every_field_is_non_default_somewhere():
    defaults = ViewState()
    for f in fields(ViewState):
        assert any(getattr(s, f.name) != getattr(defaults, f.name) for s in STATES.values()), (
            f"no test state changes {f.name}: add one to STATES")


def test_file_is_block_yaml_with_header_version_and_keys_in_field_order():
    text = view_to_yaml(STATES["cheek-peeled"])
    lines = text.splitlines()
    assert lines[0] == "# facelayers view"
    assert lines[1] == "version: 1"
    assert text.endswith("\n")
    assert "{" not in text and "[" not in text, "flow style does not diff line by line"
    top = [line.split(":")[0] for line in lines[1:] if line and not line.startswith((" ", "#"))]
    # the patient is written only when the view names one (None: the reference patient)
    assert top == ["version", *(f.name for f in fields(ViewState) if f.name != "patient")]
    start = lines.index("visible:")
    assert lines[start + 1:start + 1 + len(INTERFACES)] == [
        f"  {name}: {'false' if name in ('fat', 'bone') else 'true'}" for name in INTERFACES]
    assert yaml.safe_load(text)["section_at"] == 30.5


def test_visible_is_written_outside_in_whatever_the_dict_order():
    state = ViewState(visible={"bone": False, "skin": True})
    text = view_to_yaml(state)
    order = [line.split(":")[0].strip() for line in text.splitlines() if line.startswith("  ")]
    assert order == list(INTERFACES)


def test_same_state_same_bytes(tmp_path):
    a = save_view(STATES["temple-top"], tmp_path / "a.yaml").read_bytes()
    b = save_view(STATES["temple-top"], tmp_path / "b.yaml").read_bytes()
    assert a == b


def test_numpy_scalars_from_widgets_are_written_as_plain_numbers():
    np = pytest.importorskip("numpy")
    state = ViewState(section_at=np.float64(12.5), peel=int(np.int64(2)))
    text = view_to_yaml(state)
    assert "section_at: 12.5\n" in text
    assert view_from_yaml(text) == state


# ----------------------------------------------------------------------------------------------------
# Older files: missing keys take their defaults


def test_missing_keys_take_the_defaults(tmp_path):
    path = write(tmp_path, """\
        # facelayers view
        version: 1
        peel: 2
        camera: front
        """)
    assert load_view(path) == ViewState(peel=2, camera="front")


def test_no_version_reads_as_version_1_and_a_partial_visible_map_fills_in(tmp_path):
    path = write(tmp_path, """\
        visible:
          smas: false
        """)
    state = load_view(path)
    assert state.visible == {name: name != "smas" for name in INTERFACES}
    assert state == ViewState(visible={"smas": False})


def test_header_and_version_only_is_the_default_view(tmp_path):
    assert load_view(write(tmp_path, "# facelayers view\nversion: 1\n")) == ViewState()


# ----------------------------------------------------------------------------------------------------
# Bad input: the message names the file, the line, the key, the value and what is allowed

BAD = {
    # id: (text, key, line, fragments that must appear besides the file, line and key)
    "peel-range": ("peel: 9\n", "peel", 1, ["9", "an integer 0 to 5"]),
    "peel-type": ("version: 1\npeel: two\n", "peel", 2, ["'two'", "an integer"]),
    "peel-float": ("peel: 2.0\n", "peel", 1, ["2.0", "an integer"]),
    "layers-cut": ("layers_cut: 0\n", "layers_cut", 1, ["0", "an integer 1 to 5"]),
    "cutaway-name": ("cutaway: elbow\n", "cutaway", 1, ["'elbow'", ", ".join(WINDOWS)]),
    "cutaway-yaml-no": ("cutaway: no\n", "cutaway", 1, ["false", "a string or null", "quote"]),
    "camera": ("camera: side\n", "camera", 1, ["'side'", ", ".join(CAMERAS)]),
    "section-kind": ("section_kind: diagonal\n", "section_kind", 1, ["'diagonal'", "horizontal, vertical"]),
    "section-at-range": ("section_kind: vertical\nsection_at: 200\n", "section_at", 2,
                         ["200", "-120 to 120 degrees"]),
    "section-at-type": ("section_at: high\n", "section_at", 1, ["'high'", "a number"]),
    "pick": ("pick: spleen\n", "pick", 1, ["'spleen'", "'nerve:<id>'"]),
    "zones": ("zones: 3\n", "zones", 1, ["3", "true or false"]),
    "visible-not-a-map": ("visible: [skin]\n", "visible", 1, ['["skin"]', "a mapping"]),
    "visible-value": ("visible:\n  skin: true\n  fat: maybe\n", "visible.fat", 3, ["'maybe'", "true or false"]),
    "visible-layer": ("visible:\n  skin: true\n  scalp: false\n", "visible.scalp", 3,
                      ["'scalp'", ", ".join(INTERFACES)]),
    "unknown-key": ("peel: 1\nzoom: 2\n", "zoom", 2,
                    ["'zoom'", "allowed keys: version, " + ", ".join(f.name for f in fields(ViewState))]),
    "version-newer": ("version: 2\npeel: 1\n", "version", 1, ["2", "allowed: 1", "up to version 1"]),
    "version-type": ("version: one\n", "version", 1, ["'one'", "allowed: 1"]),
    "duplicate-key": ("peel: 1\ncamera: left\npeel: 2\n", "peel", 3, ["given twice", "first on line 1"]),
    "duplicate-layer": ("visible:\n  skin: true\n  skin: false\n", "visible.skin", 3, ["given twice"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_value_names_file_line_key_value_and_what_is_allowed(case, tmp_path):
    text, key, line, fragments = BAD[case]
    path = write(tmp_path, text)
    error = load_error(path)
    message = str(error)
    assert message.startswith(f"{path} line {line}: field '{key}' = "), message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from: {message}"
    assert (error.source, error.key, error.line) == (str(path), key, line)
    assert "\n" not in message


def test_validate_messages_are_reused_verbatim(tmp_path):
    """The part after the key is ViewState.validate's own message."""
    with pytest.raises(ValueError) as direct:
        ViewState(camera="side")
    error = load_error(write(tmp_path, "camera: side\n"))
    assert str(error).endswith(str(direct.value))


@pytest.mark.parametrize("text, line", [
    ("peel: [1\n", 2),                          # unclosed flow sequence: found at the end
    ("peel: 1\ncamera: 'front\n", 3),           # unclosed quote
    ("peel: 1\n  camera: left\n", 2),           # bad indentation
    ("visible:\n  skin: true\n fat: false\n", 3),
])
def test_malformed_yaml_gives_file_and_line(text, line, tmp_path):
    path = write(tmp_path, text)
    message = str(load_error(path))
    assert message.startswith(f"{path} line {line}: malformed YAML at column "), message


@pytest.mark.parametrize("text, expected", [
    ("", "the file is empty"),
    ("# facelayers view\n", "the file is empty"),
    ("- peel\n- camera\n", "expected a mapping of keys (version, visible, peel"),
    ("just a sentence\n", "got a single value"),
])
def test_not_a_mapping(text, expected, tmp_path):
    path = write(tmp_path, text)
    message = str(load_error(path))
    assert message.startswith(str(path)) and expected in message, message


def test_unreadable_files_are_named(tmp_path):
    assert str(load_error(tmp_path / "nowhere.yaml")) == f"{tmp_path / 'nowhere.yaml'}: no such file"
    assert "is a folder" in str(load_error(tmp_path))
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"peel: \xff\xfe\n")
    assert "is not UTF-8" in str(load_error(binary))


def test_from_yaml_names_the_source_given():
    with pytest.raises(ViewFileError, match=r"^lecture 3 line 1: field 'peel' = '7': peel = 7"):
        view_from_yaml("peel: 7\n", source="lecture 3")
    with pytest.raises(ViewFileError, match=r"^<string> line 1: field 'peel'"):
        view_from_yaml("peel: 7\n")


# ----------------------------------------------------------------------------------------------------
# Atomic writes


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = save_view(STATES["temple-top"], tmp_path / "lesson.yaml")
    before = path.read_bytes()

    def half_then_fail(target: Path, text: str) -> None:
        target.write_text(text[: len(text) // 2], encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(views, "_write_text", half_then_fail)
    with pytest.raises(OSError, match="No space left"):
        save_view(STATES["cheek-peeled"], path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lesson.yaml"], "a temporary file was left behind"
    assert load_view(path) == STATES["temple-top"]


def test_a_failed_first_write_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(views, "_write_text", lambda target, text: (_ for _ in ()).throw(OSError("boom")))
    with pytest.raises(OSError):
        save_view(ViewState(), tmp_path / "new.yaml")
    assert list(tmp_path.iterdir()) == []


def test_saved_file_has_ordinary_permissions(tmp_path):
    plain = tmp_path / "plain.yaml"
    plain.write_text("x")
    saved = save_view(ViewState(), tmp_path / "saved.yaml")
    assert stat.S_IMODE(saved.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


def test_save_into_a_missing_folder_raises_and_writes_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        save_view(ViewState(), tmp_path / "missing" / "v.yaml")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------------------------------
# Fields come from the dataclass: a future field is saved and loaded without a change to views.py


@pydantic_dataclass(frozen=True, config=ConfigDict(strict=True, extra="forbid", validate_default=True))
class FutureState(ViewState):
    endoscope_mm: Optional[tuple[float, float, float]] = None


def test_new_fields_are_saved_loaded_and_checked(monkeypatch):
    monkeypatch.setattr(views, "ViewState", FutureState)
    state = FutureState(peel=1, technique="deep_plane", endoscope_mm=(10.0, 20.5, -3.0))
    text = view_to_yaml(state)
    assert "technique: deep_plane\n" in text and "endoscope_mm:\n- 10.0\n- 20.5\n- -3.0\n" in text
    assert view_from_yaml(text) == state
    assert view_from_yaml("peel: 1\n") == FutureState(peel=1)  # written before the fields existed
    with pytest.raises(ViewFileError, match=r"field 'endoscope_mm' = '\[1, 2\]': endoscope_mm = \[1, 2\]; allowed: a list of 3"):
        view_from_yaml("endoscope_mm: [1, 2]\n")
    with pytest.raises(ViewFileError, match=r"line 3: field 'endoscope_mm\[1\]' = 'x'"):
        view_from_yaml("endoscope_mm:\n- 1\n- x\n- 3\n")


def test_a_state_cannot_be_changed_in_place_and_every_change_is_checked():
    """Frozen, copy-on-write: a state never becomes one that a saved view would refuse."""
    from facelayers.teaching.state import StateError

    state = ViewState()
    with pytest.raises(Exception):
        state.peel = 9
    with pytest.raises(TypeError, match="with_"):
        state.visible["skin"] = False
    with pytest.raises(StateError, match=r"visible.skin = 'no'; allowed: true or false"):
        ViewState(visible={"skin": "no"})
    with pytest.raises(StateError, match=r"peel = 9; allowed: an integer 0 to 5"):
        state.with_(peel=9)
    with pytest.raises(StateError, match=r"unknown field 'zoom'"):
        state.with_(zoom=2)
    with pytest.raises(StateError, match=r"technique = 'deep_plane'; allowed with compare"):
        ViewState(technique="deep_plane", compare=("skin_only", "endoscopic_brow"))
    assert state == ViewState() and state.with_(visible={"fat": False}).visible["skin"] is True
    assert state.with_(peel=2).changed(state) == ["peel"]


# ----------------------------------------------------------------------------------------------------
# The module stays in the light core


def test_views_imports_no_plotting_widgets_or_mesh_library():
    code = textwrap.dedent(
        """
        import json, sys
        import facelayers.teaching.views
        print(json.dumps(sorted(m for m in sys.modules
                                if m.split(".")[0] in ("plotly", "ipywidgets", "anywidget", "trimesh"))))
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
