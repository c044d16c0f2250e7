"""Bad input of every kind gets a clear error: the command line, view files, data folders, the quiz and the API.

Each case runs in this process (``cli.main`` with captured output, or the function itself) and checks what a
user sees: one line per problem naming the argument or the file (and line), the field, the value and what is
allowed; exit status 1; no traceback, no hang, no file left behind. A few end-to-end cases run the real command
in a subprocess (a signal during an export). Property-based tests (hypothesis) throw random documents and
arguments at the readers: the answer is a valid view or a clean error, never anything else.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from validation_cases import run_cli

from facelayers.anatomy.validation import validate_data_dir
from facelayers.core.documents import MAX_DEPTH, parse_csv, parse_json, parse_yaml, read_text
from facelayers.core.errors import InputError, path_text
from facelayers.model.geometry import MAX_GRID_POINTS, resolve_resolution
from facelayers.teaching import views
from facelayers.teaching.state import StateError, ViewState

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"

#: A YAML alias bomb: nine levels of nine aliases each expand to 9**9 (387 million) strings.
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))


def listing(folder: Path) -> list[str]:
    """Every file under ``folder`` (hidden ones too), relative, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def one_line(error: BaseException) -> str:
    """The error's text, which must be one line (a single problem)."""
    text = str(error)
    assert "\n" not in text, text
    assert text.strip(), "an empty message"
    return text


# ----------------------------------------------------------------------------------------------------
# The command line, in process


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder with a bad view file and a good one (the bad cases write nothing here)."""
    work = tmp_path / "work"
    work.mkdir()
    return work


def refused(folder: Path, *args: str) -> str:
    """Run ``facelayers ARGS`` in process: exit 1, nothing on stdout, one line per problem on stderr, no
    traceback, no file written. Returns stderr's first line."""
    before = listing(folder)
    proc = run_cli(*args)
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("facelayers"), lines[0]
    assert listing(folder) == before, "a bad argument must not leave a file"
    return lines[0]


LONG = "a" * 256

EXPORT_ARGS = {
    # id: (arguments after `export`, given the folder; fragments of the error)
    "lesson-superscript": (lambda d: ["¹", "--out", str(d / "x.html")], ["LESSON '¹'", "allowed: 01 or layers"]),
    "lesson-5000-digits": (lambda d: ["9" * 5000, "--out", str(d / "x.html")], ["LESSON '9999", "5000 characters",
                                                                               "allowed"]),
    "lesson-arabic-digits": (lambda d: ["٠١", "--out", str(d / "x.html")], ["LESSON '٠١'", "allowed"]),
    "lesson-fullwidth": (lambda d: ["０１", "--out", str(d / "x.html")], ["LESSON '０１'", "allowed"]),
    "lesson-emoji": (lambda d: ["🙂", "--out", str(d / "x.html")], ["LESSON '🙂'", "allowed"]),
    "lesson-newline": (lambda d: ["01\n", "--out", str(d / "x.html")], ["LESSON '01\\n'", "allowed"]),
    "lesson-empty": (lambda d: ["", "--out", str(d / "x.html")], ["LESSON ''", "allowed"]),
    "lesson-space": (lambda d: ["0 1", "--out", str(d / "x.html")], ["LESSON '0 1'", "allowed"]),
    "lesson-path": (lambda d: ["../01", "--out", str(d / "x.html")], ["LESSON '../01'", "allowed"]),
    "lesson-shell": (lambda d: ["01;rm", "--out", str(d / "x.html")], ["LESSON '01;rm'", "allowed"]),
    "lesson-hex": (lambda d: ["0x01", "--out", str(d / "x.html")], ["LESSON '0x01'", "allowed"]),
    "lesson-exponent": (lambda d: ["1e3", "--out", str(d / "x.html")], ["LESSON '1e3'", "allowed"]),
    "lesson-41-chars": (lambda d: ["a" * 41, "--out", str(d / "x.html")], ["LESSON 'aaaa", "allowed"]),
    "lesson-unknown": (lambda d: ["spleen", "--out", str(d / "x.html")], ["LESSON 'spleen'", "allowed"]),
    "lesson-99": (lambda d: ["99", "--out", str(d / "x.html")], ["LESSON '99'", "allowed"]),
    "lesson-nul": (lambda d: ["0\x001", "--out", str(d / "x.html")], ["LESSON '0", "allowed"]),
    "max-mb-nan": (lambda d: ["01", "--out", str(d / "x.html"), "--max-mb", "nan"], ["--max-mb 'nan'", "finite"]),
    "max-mb-NaN": (lambda d: ["01", "--out", str(d / "x.html"), "--max-mb", "NaN"], ["--max-mb 'NaN'", "finite"]),
    "max-mb-inf": (lambda d: ["01", "--out", str(d / "x.html"), "--max-mb", "inf"], ["--max-mb 'inf'", "finite"]),
    "max-mb-minus-inf": (lambda d: ["01", "--out", str(d / "x.html"), "--max-mb=-inf"], ["--max-mb '-inf'", ">= 0"]),
    "max-mb-negative": (lambda d: ["01", "--out", str(d / "x.html"), "--max-mb=-1"], ["--max-mb '-1'", ">= 0"]),
    "max-mb-overflow": (lambda d: ["01", "--out", str(d / "x.html"), "--max-mb", "1e999"], ["--max-mb '1e999'",
                                                                                           "finite"]),
    "max-mb-text": (lambda d: ["01", "--out", str(d / "x.html"), "--max-mb", "eight"], ["--max-mb 'eight'",
                                                                                       "a finite number"]),
    "max-mb-empty": (lambda d: ["01", "--out", str(d / "x.html"), "--max-mb", ""], ["--max-mb ''", "a finite"]),
    "max-mb-hex": (lambda d: ["01", "--out", str(d / "x.html"), "--max-mb", "0x10"], ["--max-mb '0x10'", "finite"]),
    "max-mb-comma": (lambda d: ["01", "--out", str(d / "x.html"), "--max-mb", "8,5"], ["--max-mb '8,5'", "finite"]),
    "max-mb-too-small": (lambda d: ["01", "--out", str(d / "x.html"), "--max-mb", "1.5"], ["--max-mb 1.5: lesson 01",
                                                                                       "needs", "nothing was written"]),
    "max-mb-tiny": (lambda d: ["01", "--out", str(d / "x.html"), "--max-mb", "5e-324"], ["--max-mb", "needs", "allowed: --max-mb"]),
    "out-only-suffix": (lambda d: ["01", "--out", str(d / ".html")], ["--out", "only a suffix", "lesson.html"]),
    "out-only-png-suffix": (lambda d: ["01", "--out", str(d / ".png")], ["--out", "only a suffix", "lesson.png"]),
    "out-256-bytes": (lambda d: ["01", "--out", str(d / f"{LONG}.html")], ["--out", "bytes", "at most 255"]),
    "out-long-unicode": (lambda d: ["01", "--out", str(d / ("é" * 130 + ".html"))], ["--out", "bytes", "at most"]),
    "out-path-too-long": (lambda d: ["01", "--out", "/" + "/".join(["b" * 200] * 30) + "/x.html"],
                          ["--out", "the path is", "must be shorter than"]),
    "out-empty": (lambda d: ["01", "--out", ""], ["--out ''", "is empty"]),
    "out-nul": (lambda d: ["01", "--out", str(d / "x\x00.html")], ["--out", "NUL"]),
    "out-no-suffix": (lambda d: ["01", "--out", str(d / "lesson")], ["--out", "must end in .html"]),
    "out-gif": (lambda d: ["01", "--out", str(d / "x.gif")], ["--out", "must end in .html, .png, .glb, .obj, .stl"]),
    "out-folder": (lambda d: ["01", "--out", str(d)], ["--out", "is a folder", "allowed: a file path"]),
    "out-missing-folder": (lambda d: ["01", "--out", str(d / "missing" / "x.html")], ["--out", "does not exist"]),
    "out-under-a-file": (lambda d: ["01", "--out", str(d / "view.yaml" / "x.html")], ["--out", "is not a folder"]),
    "out-stl-parts-too-long": (lambda d: ["01", "--out", str(d / ("s" * 248 + ".stl"))], ["--out", "at most 255"]),
    "format-gif": (lambda d: ["01", "--out", str(d / "x.html"), "--format", "gif"], ["--format 'gif' is not known",
                                                                                    "allowed: html, png"]),
    "format-empty": (lambda d: ["01", "--out", str(d / "x.html"), "--format", ""], ["--format '' is not known"]),
    "format-unicode": (lambda d: ["01", "--out", str(d / "x.html"), "--format", "ｈｔｍｌ"], ["--format", "not known"]),
    "format-vs-suffix": (lambda d: ["01", "--out", str(d / "x.html"), "--format", "glb"], ["does not end in .glb"]),
    "resolution-huge": (lambda d: ["01", "--out", str(d / "x.html"), "--resolution", "huge"],
                        ["--resolution 'huge' is not known", "allowed: coarse, lecture, fine"]),
    "resolution-pair": (lambda d: ["01", "--out", str(d / "x.html"), "--resolution", "64x34"],
                        ["--resolution '64x34'", "allowed: coarse"]),
    "resolution-empty": (lambda d: ["01", "--out", str(d / "x.html"), "--resolution", ""], ["--resolution ''"]),
    "view-missing": (lambda d: ["01", "--out", str(d / "x.html"), "--view", str(d / "none.yaml")],
                     ["--view", "none.yaml: no such file"]),
    "view-folder": (lambda d: ["01", "--out", str(d / "x.html"), "--view", str(d)], ["--view", "is a folder"]),
    "view-bad-peel": (lambda d: ["01", "--out", str(d / "x.html"), "--view", str(d / "view.yaml")],
                      ["--view", "view.yaml line 2: field 'peel' = '9'", "an integer 0 to 5"]),
    "view-nul-path": (lambda d: ["01", "--out", str(d / "x.html"), "--view", "v\x00.yaml"], ["--view", "NUL"]),
    "view-long-name": (lambda d: ["01", "--out", str(d / "x.html"), "--view", str(d / f"{LONG}.yaml")],
                       ["--view", "at most 255"]),
    "unknown-option": (lambda d: ["01", "--out", str(d / "x.html"), "--zoom", "3"], ["unrecognized arguments: --zoom"]),
    "no-out": (lambda d: ["01"], ["the following arguments are required: --out"]),
    "out-without-value": (lambda d: ["01", "--out"], ["--out", "expected one argument"]),
}


@pytest.mark.parametrize("case", list(EXPORT_ARGS))
def test_export_refuses_a_bad_argument(case, folder):
    (folder / "view.yaml").write_text("# facelayers view\npeel: 9\n", encoding="utf-8")
    args, fragments = EXPORT_ARGS[case]
    line = refused(folder, "export", *args(folder))
    assert line.startswith(("facelayers export: error: ", "facelayers: error: unrecognized arguments"))
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} missing from: {line}"


OTHER_ARGS = {
    "no-command": ([], "the following arguments are required: COMMAND"),
    "unknown-command": (["bogus"], "invalid choice: 'bogus'"),
    "unicode-command": (["ｅｘｐｏｒｔ"], "invalid choice"),
    "validate-missing": (["validate", "/nowhere/at/all"], "DIR '/nowhere/at/all' does not exist"),
    "validate-two-dirs": (["validate", "a", "b"], "unrecognized arguments: b"),
    "validate-nul": (["validate", "da\x00ta"], "NUL"),
    "validate-long-name": (["validate", "/tmp/" + LONG], "at most 255"),
    "validate-empty": (["validate", ""], "is empty"),
    "validate-unknown-option": (["validate", "--fix"], "unrecognized arguments: --fix"),
}


@pytest.mark.parametrize("case", list(OTHER_ARGS))
def test_the_command_line_refuses_bad_arguments(case, folder):
    args, fragment = OTHER_ARGS[case]
    line = refused(folder, *args)
    assert fragment in line, line


def test_validate_a_file_not_a_folder(folder):
    (folder / "data.csv").write_text("x\n")
    assert "is a file, not a folder" in refused(folder, "validate", str(folder / "data.csv"))


def test_help_exits_0_and_a_254_character_out_name_is_written(tmp_path):
    assert run_cli("export", "--help").returncode == 0
    out = tmp_path / ("a" * 249 + ".html")  # 254 bytes: legal, and its temporary file must be too
    proc = run_cli("export", "01", "--out", str(out), "--resolution", "coarse")
    assert proc.returncode == 0, proc.stderr
    assert listing(tmp_path) == [out.name]


# ----------------------------------------------------------------------------------------------------
# View files: load_view


NERVES = "facial_trunk, frontal_1"

VIEW_FILES = {
    # id: (file content (str or bytes), fragments of the error besides the file's name)
    "nul": (b"peel: 1\x00\n", ["line 1", "NUL"]),
    "not-utf8": (b"peel: \xff\n", ["line 1", "0xff is not UTF-8"]),
    "bell-character": ("peel: 1\n\x07\n", ["line 2", "#x0007 is not allowed"]),
    "python-tag": ("peel: !!python/object/apply:os.system ['true']\n", ["line 1", "field 'peel'", "a tag is not allowed"]),
    "python-name-tag": ("camera: !!python/name:os.system\n", ["a tag is not allowed"]),
    "custom-tag": ("peel: !big 3\n", ["field 'peel' = '!big'", "a tag is not allowed"]),
    "merge-key": ("base: &b {peel: 1}\n<<: *b\n", ["alias"]),
    "merge-key-inline": ("<<: {peel: 1}\ncamera: left\n", ["field '<<'", "a merge key (<<) is not allowed"]),
    "alias": ("camera: &c left\npick: *c\n", ["line 2", "an alias (*name) is not allowed"]),
    "alias-bomb": (ALIAS_BOMB, ["line 2", "an alias"]),
    "list-as-key": ("? [peel]\n: 1\n", ["a key must be text"]),
    "mapping-as-key": ("? {peel: 1}\n: 1\n", ["a key must be text"]),
    "number-as-key": ("1: peel\n", ["field '1' = '1'", "a key must be text"]),
    "bool-as-key": ("yes: peel\n", ["a key must be text"]),
    "null-as-key": ("~: peel\n", ["a key must be text"]),
    "deep-nesting": ("visible: " + "[" * 200 + "]" * 200 + "\n", ["nested more than"]),
    "deep-mappings": ("visible:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(40)) + "  " * 41 + "x: 1\n",
                      ["nested more than"]),
    "huge-number": ("peel: " + "9" * 5000 + "\n", ["field 'peel'", "a number of 5000 characters"]),
    "huge-float": ("section_at: 1" + "0" * 400 + ".5\n", ["field 'section_at'", "characters"]),
    "too-large": ("# " + "x" * (70 * 1024) + "\npeel: 1\n", ["larger than 64 kB"]),
    "duplicate-key": ("peel: 1\npeel: 2\n", ["line 2", "given twice (first on line 1)"]),
    "empty": ("", ["the file is empty"]),
    "comment-only": ("# facelayers view\n", ["the file is empty"]),
    "a-list": ("- peel\n", ["expected a mapping", "got a list"]),
    "a-scalar": ("hello\n", ["got a single value"]),
    "unclosed-flow": ("peel: [1\n", ["line 2", "malformed YAML"]),
    "tab-indent": ("visible:\n\tskin: true\n", ["line 2", "malformed YAML"]),
    "unknown-key": ("zoom: 2\n", ["field 'zoom' = '2'", "unknown key", "allowed keys: version"]),
    "unknown-unicode-key": ("pееl: 2\n", ["unknown key"]),  # Cyrillic e
    "peel-range": ("peel: 9\n", ["field 'peel' = '9'", "an integer 0 to 5"]),
    "peel-negative": ("peel: -1\n", ["field 'peel' = '-1'", "an integer 0 to 5"]),
    "peel-float": ("peel: 2.5\n", ["field 'peel' = '2.5'", "an integer"]),
    "peel-nan": ("peel: .nan\n", ["field 'peel'", "an integer"]),
    "section-at-nan": ("section_at: .nan\n", ["field 'section_at' = 'NaN'"]),
    "section-at-inf": ("section_at: .inf\n", ["field 'section_at' = 'Infinity'"]),
    "scope-insertion-inf": ("scope_insertion_mm: -.inf\n", ["field 'scope_insertion_mm'"]),
    "flap-too-far": ("technique: deep_plane\nflap_mm: 400\n", ["field 'flap_mm' = '400'", "0 to 40 mm"]),
    "visible-string": ("visible: skin\n", ["field 'visible' = 'skin'", "a mapping"]),
    "visible-value-string": ("visible:\n  skin: 'no'\n", ["field 'visible.skin' = 'no'", "true or false"]),
    "visible-unknown-layer": ("visible:\n  scalp: false\n", ["field 'visible.scalp'", "skin, fat"]),
    "camera-unknown": ("camera: side\n", ["field 'camera' = 'side'", "oblique"]),
    "camera-number": ("camera: 3\n", ["field 'camera' = '3'", "a string"]),
    "cutaway-unknown": ("cutaway: elbow\n", ["field 'cutaway' = 'elbow'", "cheek"]),
    "version-newer": ("version: 7\n", ["field 'version' = '7'", "allowed: 1"]),
    "version-text": ("version: one\n", ["field 'version' = 'one'"]),
    "pick-unknown-nerve": ("pick: nerve:facial_x\n", ["field 'pick' = 'nerve:facial_x'", "must name a nerve_id",
                                                      NERVES]),
    "pick-unknown-group": ("pick: group:vagus\n", ["field 'pick' = 'group:vagus'", "a group of nerves.json", "frontal"]),
    "pick-unknown-muscle": ("pick: muscle:biceps\n", ["field 'pick' = 'muscle:biceps'", "a muscle_id of muscles.json",
                                                      "frontalis"]),
    "pick-unknown-kind": ("pick: vein:x\n", ["field 'pick' = 'vein:x'", "'nerve:<id>'"]),
    "technique-unknown": ("technique: facelift\n", ["field 'technique' = 'facelift'", "a technique_id",
                                                    "endoscopic_brow"]),
    "scope-port-of-open-lift": ("technique: deep_plane\nscope_port: Temporal port\n", ["field 'scope_port'",
                                                                                      "has no ports"]),
    "scope-port-id-not-label": ("technique: endoscopic_brow\nscope_port: temporal\n",
                                ["field 'scope_port' = 'temporal'", "takes its label 'Temporal port'"]),
    "patient-age-too-young": ("peel: 1\npatient:\n  sex: female\n  age: 12\n  bmi: 22\n",
                              ["line 4", "field 'patient.age' = '12'", "from 18 to 100 years"]),
    "patient-bmi-too-high": ("patient:\n  sex: male\n  age: 40\n  bmi: 70\n",
                             ["line 4", "field 'patient.bmi' = '70'", "from 14 to 60 kg/m2"]),
    "patient-sex-unknown": ("patient:\n  sex: other\n  age: 40\n  bmi: 22\n",
                            ["line 2", "field 'patient.sex' = 'other'", "allowed: female, male"]),
    "patient-unknown-key": ("patient:\n  sex: male\n  weight: 80\n",
                            ["field 'patient'", "unknown key(s) 'weight'; allowed: sex, age, bmi"]),
    "patient-not-a-mapping": ("patient: old\n", ["field 'patient' = 'old'", "a mapping with the keys sex, age, bmi"]),
}


@pytest.mark.parametrize("case", list(VIEW_FILES))
def test_a_bad_view_file_is_one_clear_error(case, tmp_path):
    content, fragments = VIEW_FILES[case]
    path = tmp_path / "view.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        views.load_view(path)
    assert time.perf_counter() - start < 5, "a view file must never take long to refuse"
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert "\n" not in message or len(info.value.problems) > 1, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from: {message}"


def test_every_problem_of_a_view_file_is_listed_when_there_are_several(tmp_path):
    path = tmp_path / "view.yaml"
    path.write_text("peel: 1\npeel: 2\ncamera: left\ncamera: top\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        views.load_view(path)
    assert [p.line for p in info.value.problems] == [2, 4]
    assert all("\n" not in str(p) for p in info.value.problems)


def test_a_view_file_that_is_a_fifo_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "view.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="is not a regular file"):
        views.load_view(fifo)
    proc = run_cli("export", "01", "--out", str(tmp_path / "x.html"), "--view", str(fifo))
    assert proc.returncode == 1 and "is not a regular file" in proc.stderr


@pytest.mark.parametrize("path", [123, None, 4.5, ["a.yaml"], b"\xff.yaml"])
def test_load_view_refuses_a_path_of_the_wrong_type(path):
    with pytest.raises(InputError, match="load_view\\(path\\): field 'path'.*must be a str or a path"):
        views.load_view(path)


# ----------------------------------------------------------------------------------------------------
# The Python API


@pytest.mark.parametrize("resolution, fragment", [
    ((8.9, 6.2), "a pair of integers"),
    ((64.0, 34.5), "a pair of integers"),
    ((True, 8), "a pair of integers"),
    (("64", "34"), "a pair of integers"),
    (("a", "b"), "a pair of integers"),
    ((math.nan, 34), "a pair of integers"),
    ((math.inf, 34), "a pair of integers"),
    ((64,), "a pair of integers"),
    ((64, 34, 2), "a pair of integers"),
    (None, "a pair of integers"),
    (64, "a pair of integers"),
    ({"nu": 64}, "a pair of integers"),
    ("huge", "is not known; allowed: coarse, lecture, fine"),
    ("", "is not known"),
    ((20000, 20000), f"allowed: at most {MAX_GRID_POINTS}"),
    ((10 ** 6, 8), "gigabytes of memory"),
    ((10 ** 400, 8), "grid points"),
])
def test_resolution_is_refused_before_any_work(resolution, fragment):
    with pytest.raises(ValueError) as info:
        resolve_resolution(resolution)
    assert fragment in one_line(info.value)


def test_build_face_checks_its_arguments_first():
    from facelayers.model.geometry import build_face

    start = time.perf_counter()
    with pytest.raises(ValueError, match="at most"):
        build_face(resolution=(20000, 20000))
    with pytest.raises(ValueError, match="pair of integers"):
        build_face(resolution=(8.9, 6.2))
    with pytest.raises(TypeError, match="allowed: an Anatomy"):
        build_face("lecture")
    assert time.perf_counter() - start < 2, "refused before building anything"


def _mutated(**changes) -> ViewState | None:
    """A valid state changed after construction, or None if the state refuses the change itself."""
    state = ViewState()
    try:
        for name, value in changes.items():
            setattr(state, name, value)
    except (ValueError, TypeError, AttributeError):
        return None  # validated on every change: nothing to save
    return state


@pytest.mark.parametrize("changes, fragment", [
    ({"peel": 9}, "peel"),
    ({"peel": "two"}, "peel"),
    ({"camera": "side"}, "camera"),
    ({"visible": {"skin": "no"}}, "visible"),
    ({"visible": {"scalp": True}}, "visible"),
    ({"pick": "nerve:facial_x"}, "pick"),
    ({"technique": "facelift"}, "technique"),
    ({"section_at": math.nan}, "section_at"),
    ({"flap_mm": -3.0}, "flap_mm"),
])
def test_save_view_refuses_what_load_view_would_refuse(changes, fragment, tmp_path):
    state = _mutated(**changes)
    if state is None:
        return
    target = tmp_path / "view.yaml"
    with pytest.raises(InputError) as info:
        views.save_view(state, target)
    assert fragment in str(info.value)
    assert listing(tmp_path) == [], "nothing written"


@pytest.mark.parametrize("state", [None, {"peel": 1}, "peel: 1", 3])
def test_save_view_refuses_what_is_not_a_state(state, tmp_path):
    with pytest.raises(InputError, match="must be a ViewState"):
        views.save_view(state, tmp_path / "v.yaml")
    assert listing(tmp_path) == []


@pytest.mark.parametrize("text, fragment", [
    ('{"a": 1,}', "malformed JSON at column"),
    ("[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5), f"must nest at most {MAX_DEPTH} deep"),
    ("[" * 100_000, "must nest at most"),
    ("9" * 5000, "more than 4300 digits"),
    ("", "malformed JSON"),
    ('{"a": tru}', "malformed JSON"),
    ("\ufeff{}", "malformed JSON"),  # read_text strips a BOM; parse_json is given text
])
def test_parse_json_refuses_with_the_line(text, fragment):
    with pytest.raises(InputError) as info:
        parse_json(text, "x.json")
    assert one_line(info.value).startswith("x.json")
    assert fragment in str(info.value)


@pytest.mark.parametrize("text, columns, fragment", [
    ("", ("a",), "empty file"),
    ("a,b\n1\n", ("a", "b"), "1 cells, must have 2"),
    ('a,b\n"1,2\n', ("a", "b"), "unclosed quote"),
    ("a,c\n1,2\n", ("a", "b"), "missing column"),
    ("a,b,b\n1,2,3\n", ("a", "b"), "repeated column"),
])
def test_parse_csv_refuses_with_the_line(text, columns, fragment):
    with pytest.raises(InputError) as info:
        parse_csv(text, "x.csv", columns)
    assert fragment in str(info.value)
    assert all(p.file == "x.csv" and p.line is not None for p in info.value.problems)


@pytest.mark.parametrize("content, fragment", [
    (b"a\x00b", "NUL"),
    (b"\xc3\x28", "not UTF-8"),
    (b"x" * 2048, "larger than 1 kB"),
])
def test_read_text_refuses_with_the_line(content, fragment, tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=fragment):
        read_text(path, max_bytes=1024)


def test_read_text_names_a_missing_file_and_a_folder(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_text(tmp_path / "none")
    with pytest.raises(InputError, match="is a folder"):
        read_text(tmp_path)


def test_an_error_is_one_line_with_every_part():
    error = InputError("thickness.csv", 7, "region forehead, layer fat", "thickness_mm", "-1.0",
                       "must be a number > 0")
    assert str(error) == ("thickness.csv line 7 (region forehead, layer fat): field 'thickness_mm' = '-1.0': "
                          "must be a number > 0")
    assert str(InputError("--max-mb", value="nan", allowed="must be finite")) == "--max-mb 'nan': must be finite"
    assert str(InputError("f", 1, None, "k", "a\nb", "bad")) == "f line 1: field 'k' = 'a\\nb': bad"
    assert error == InputError("thickness.csv", 7, "region forehead, layer fat", "thickness_mm", "-1.0",
                               "must be a number > 0")
    assert isinstance(error, ValueError)
    assert path_text(("steps", 2, "view", "pick")) == "steps[2].view.pick"
    many = InputError.gather([error, InputError("x.csv", 2, allowed="bad")], "invalid data in d")
    assert str(many).splitlines() == ["invalid data in d (2 problems):", str(error), "x.csv line 2: bad"]
    assert many.problems[0] is error


@pytest.mark.parametrize("call", [
    lambda q: __import__("facelayers.teaching.quiz_scoring", fromlist=["x"]).score_choice(q, 9),
    lambda q: __import__("facelayers.teaching.quiz_scoring", fromlist=["x"]).score_choice(q, -1),
    lambda q: __import__("facelayers.teaching.quiz_scoring", fromlist=["x"]).score_choice(q, True),
    lambda q: __import__("facelayers.teaching.quiz_scoring", fromlist=["x"]).score_choice(q, "1"),
    lambda q: __import__("facelayers.teaching.quiz_scoring", fromlist=["x"]).score_choice(q, 1.0),
    lambda q: __import__("facelayers.teaching.quiz", fromlist=["x"]).linear_points(math.nan, 1, 2),
    lambda q: __import__("facelayers.teaching.quiz", fromlist=["x"]).linear_points(-1, 1, 2),
    lambda q: __import__("facelayers.teaching.quiz", fromlist=["x"]).linear_points(1, 3, 2),
])
def test_quiz_scoring_refuses_bad_answers(call):
    from facelayers.teaching.quiz import ChoiceQuestion

    question = ChoiceQuestion("q", "Which?", ("a", "b"), 0, "Because.", "src", "p. 1")
    with pytest.raises(ValueError) as info:
        call(question)
    one_line(info.value)


@pytest.mark.parametrize("script, data, fragment", [
    (None, {}, r"add_page_part: script None; allowed: JavaScript source, a non-empty str"),
    ("   ", {}, r"add_page_part: script '   '; allowed"),
    ("return 1;", [1, 2], r"add_page_part: data list \[1, 2\]; allowed: a dict"),
])
def test_a_page_part_names_what_is_wrong(script, data, fragment):
    """The offline page's parts (the course's expression frames use one): a bad script or data is named."""
    export = pytest.importorskip("facelayers.delivery.export")
    go = pytest.importorskip("plotly.graph_objects")
    fig = go.Figure()
    with pytest.raises(TypeError, match=fragment):
        export.add_page_part(fig, script, data)
    html_page = pytest.importorskip("facelayers.delivery.html_page")
    assert not getattr(fig, html_page.PAGE_PARTS, None), "nothing was added"


def test_expression_frames_refuse_a_displacement_beyond_int16():
    eo = pytest.importorskip("facelayers.delivery.expression_offline")
    with pytest.raises(ValueError, match=r"a displacement of 400.0 mm does not fit int16 at 0.01 mm; allowed: up to"):
        eo.encode([[400.0, 0.0, 0.0]] * 3)


@pytest.mark.parametrize("lesson", ["9" * 5000, "¹", "٠١", "０１", "", "spleen"])
def test_the_export_api_refuses_a_lesson_of_any_form(lesson, tmp_path):
    export = pytest.importorskip("facelayers.delivery.export")
    with pytest.raises(export.ExportError, match="LESSON .* is not known; allowed"):
        export.export(lesson, tmp_path / "x.html")
    assert listing(tmp_path) == []


@pytest.mark.parametrize("port", ["zzz", "temporal", ""])
def test_set_scope_refuses_a_port_the_technique_does_not_have(port, model_coarse):
    """An unknown port was silently swapped for the technique's first one: now it names the argument, the value
    and the technique's ports, and changes nothing."""
    pytest.importorskip("ipywidgets")
    from facelayers.widgets.dissection import DissectionComparer

    comparer = DissectionComparer(model_coarse, ("deep_plane", "endoscopic_brow"))
    with pytest.raises(StateError, match=rf"set_scope: port = {port!r} is not a port of 'deep_plane'; "
                                         r"allowed: none: 'deep_plane' has no ports"):
        comparer.set_scope(port=port)
    comparer.set_technique("endoscopic_brow")
    ports = comparer.controller.ports("endoscopic_brow")
    before = comparer.state
    with pytest.raises(StateError, match=rf"port = {port!r} is not a port of 'endoscopic_brow'; allowed: "
                                         + re.escape(", ".join(repr(p) for p in ports)) + "$") as info:
        comparer.set_scope(port=port, insertion_mm=before.scope_insertion_mm + 5)
    assert (info.value.field, info.value.value) == ("scope_port", port)
    assert comparer.state == before, "nothing changed"
    assert comparer.set_scope(port=ports[-1]) in (["scope_port"], [])  # a real port still moves the scope
    assert comparer.state.scope_port == ports[-1]


TRI = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]


@pytest.mark.parametrize("call, fragment", [
    (lambda m: m.mesh_area(TRI, [[0, 1, 3]]), "index 3 out of range; allowed 0 to 2"),
    (lambda m: m.mesh_area(TRI, [[0, 1, -1]]), "index -1 out of range"),
    (lambda m: m.mesh_area(TRI, [[0.0, 1.0, 2.0]]), "integer vertex indices"),
    (lambda m: m.mesh_area(TRI, [[0, 1]]), "need (m, 3)"),
    (lambda m: m.mesh_area("abc", [[0, 1, 2]]), "not an array of numbers"),
    (lambda m: m.polyline_length([[0, 0, math.nan]]), "non-finite"),
    (lambda m: m.polyline_length([[0, 0]]), "need (n, 3)"),
    (lambda m: m.polyline_length([]), "need (n, 3)"),
    (lambda m: m.nearest_distances(TRI, [[1, 2, math.inf]]), "non-finite"),
    (lambda m: m.point_triangle_distances(TRI, TRI, []), "faces: none"),
    (lambda m: m.point_triangle_distances(TRI, TRI, [[0, 1, 9]]), "out of range"),
    (lambda m: m.length_within(TRI, [1.0, 2.0]), "distances: shape (2,); need (3,)"),
])
def test_metrics_refuse_bad_arrays(call, fragment):
    from facelayers.model import metrics

    with pytest.raises(ValueError) as info:
        call(metrics)
    assert fragment in one_line(info.value)


# ----------------------------------------------------------------------------------------------------
# Data folders and the quiz file


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("schemas", "README.md"))
    return target


def _quiz_edit(change):
    def edit(d: Path) -> None:
        doc = json.loads((d / "quiz.json").read_text(encoding="utf-8"))
        change(doc["questions"])
        (d / "quiz.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return edit


def _append(name: str, text: str):
    def edit(d: Path) -> None:
        with open(d / name, "a", encoding="utf-8") as f:
            f.write(text)
    return edit


def _write(name: str, content: str | bytes):
    def edit(d: Path) -> None:
        (d / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return edit


def _first(kind):
    return lambda qs: next(q for q in qs if q["kind"] == kind)


DATA_FAULTS = {
    # id: (edit of a data copy, file named, fragments of the problem)
    "csv-nul": (_append("layers.csv", "x\x00,y\n"), "layers.csv", ["NUL"]),
    "csv-not-utf8": (_write("sources.csv", b"source_id\n\xff\n"), "sources.csv", ["not UTF-8"]),
    "json-nested": (_write("regions.json", '{"regions": ' + "[" * 100 + "]" * 100 + "}"), "regions.json",
                    ["must nest at most"]),
    "json-huge-number": (_write("regions.json", '{"regions": [' + "1" * 5000 + "]}"), "regions.json", ["digits"]),
    "json-nan": (_write("nerves.json", '{"nerves": NaN}'), "nerves.json", ["must be a list"]),
    "quiz-missing": (lambda d: (d / "quiz.json").unlink(), "quiz.json", ["missing: the data folder must hold"]),
    "json-duplicate-key": (lambda d: (d / "regions.json").write_text(
        (d / "regions.json").read_text().replace('"label": "Forehead",', '"label": "Forehead",\n      "label": "Brow",')),
        "regions.json", ["field 'regions[1].label' = 'label'", "is given twice (first on line"]),
    "quiz-nan-distance": (lambda d: (d / "quiz.json").write_text(
        (d / "quiz.json").read_text().replace('"full_marks_mm": 8,', '"full_marks_mm": NaN,', 1)),
        "quiz.json", ["field 'full_marks_mm' = 'NaN'", "must be a finite number"]),
    "quiz-infinite-point": (_quiz_edit(lambda qs: _first("click")(qs).update(answer={"point_mm": [1e400, 0, 0]})),
                            "quiz.json", ["field 'answer.point_mm[0]' = 'Infinity'", "must be a finite number"]),
    "fifo-for-a-table": (lambda d: ((d / "layers.csv").unlink(), os.mkfifo(d / "layers.csv")), "layers.csv",
                         ["is not a regular file"]),
    "quiz-malformed": (_write("quiz.json", '{"questions": [}'), "quiz.json", ["malformed JSON at column"]),
    "quiz-unknown-kind": (_quiz_edit(lambda qs: qs[0].update(kind="drag")), "quiz.json",
                          ["field 'kind' = 'drag'", "one of: click, choice"]),
    "quiz-unknown-landmark": (_quiz_edit(lambda qs: _first("click")(qs).update(answer={"landmark": "elbow"})),
                              "quiz.json", ["field 'answer.landmark' = 'elbow'", "a landmark_id of landmarks.csv"]),
    "quiz-unknown-nerve": (_quiz_edit(lambda qs: _first("click")(qs).update(answer={"nerve": "vagus",
                                                                                   "where": "shallowest"})),
                           "quiz.json", ["field 'answer.nerve' = 'vagus'", "a nerve_id of nerves.json"]),
    "quiz-answer-out-of-range": (_quiz_edit(lambda qs: _first("choice")(qs).update(answer=9)), "quiz.json",
                                 ["field 'answer' = '9'", "index out of range"]),
    "quiz-choice-without-options": (_quiz_edit(lambda qs: _first("choice")(qs).pop("options")), "quiz.json",
                                    ["field 'options'", "is missing"]),
    "quiz-unknown-source": (_quiz_edit(lambda qs: qs[0].update(source_id="nobody")), "quiz.json",
                            ["field 'source_id' = 'nobody'", "a source_id of sources.csv"]),
    "quiz-duplicate-id": (_quiz_edit(lambda qs: qs[1].update(question_id=qs[0]["question_id"])), "quiz.json",
                          ["must be unique"]),
    "quiz-camera": (_quiz_edit(lambda qs: _first("click")(qs).update(camera="incision")), "quiz.json",
                    ["field 'camera' = 'incision'", "one of: front"]),
    "storyboard-alias-bomb": (_write("storyboards/bomb.yaml", ALIAS_BOMB), "storyboards/bomb.yaml",
                              ["an alias (*name) is not allowed"]),
    "storyboard-python-tag": (_write("storyboards/evil.yaml", "title: !!python/object/apply:os.system ['true']\n"),
                              "storyboards/evil.yaml", ["a tag is not allowed"]),
    "storyboard-nul": (_write("storyboards/nul.yaml", "title: a\x00\n"), "storyboards/nul.yaml", ["NUL"]),
    "storyboard-merge-key": (_write("storyboards/merge.yaml", "<<: {title: a}\n"), "storyboards/merge.yaml",
                             ["a merge key"]),
    "storyboard-list-key": (_write("storyboards/listkey.yaml", "? [a]\n: 1\n"), "storyboards/listkey.yaml",
                            ["a key must be text"]),
    "storyboard-deep": (_write("storyboards/deep.yaml", "title: " + "[" * 100 + "]" * 100 + "\n"),
                        "storyboards/deep.yaml", ["nested more than"]),
    "storyboard-too-large": (_write("storyboards/big.yaml", "# " + "x" * (5 * 1024 * 1024) + "\n"),
                             "storyboards/big.yaml", ["larger than"]),
}


@pytest.mark.parametrize("case", list(DATA_FAULTS))
def test_a_bad_data_folder_names_the_file_line_and_field(case, data_copy):
    edit, filename, fragments = DATA_FAULTS[case]
    edit(data_copy)
    start = time.perf_counter()
    problems = validate_data_dir(data_copy)
    assert time.perf_counter() - start < 20
    hits = [p for p in problems if p.file == filename]
    assert hits, "\n".join(map(str, problems))
    text = str(hits[0])
    assert "\n" not in text
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} missing from: {text}"
    proc = run_cli("validate", str(data_copy))
    assert proc.returncode == 1 and proc.stdout == "" and "Traceback" not in proc.stderr


def test_the_quiz_schema_names_the_quiz_cameras():
    from facelayers.teaching.quiz import QUIZ_CAMERAS

    schema = json.loads((DATA / "schemas" / "quiz.schema.json").read_text())
    camera = schema["properties"]["questions"]["items"]["properties"]["camera"]
    assert tuple(camera["enum"]) == QUIZ_CAMERAS


@pytest.mark.parametrize("call, fragment", [
    (lambda: __import__("facelayers.teaching.quiz", fromlist=["x"]).load_quiz(123), "load_quiz(path): field 'path' = 'int'"),
    (lambda: __import__("facelayers.teaching.quiz", fromlist=["x"]).load_quiz(None, anatomy="data"), "must be an Anatomy"),
    (lambda: __import__("facelayers.anatomy.load", fromlist=["x"]).load_anatomy(3.5), "load_anatomy(data_dir)"),
    (lambda: __import__("facelayers.anatomy.load", fromlist=["x"]).load_anatomy("/nowhere"), "does not exist"),
    (lambda: __import__("facelayers.anatomy.load", fromlist=["x"]).load_anatomy().nerve(["frontal_1"]), "unknown nerve"),
    (lambda: __import__("facelayers.anatomy.load", fromlist=["x"]).load_anatomy().technique("facelift"), "known techniques"),
])
def test_loaders_check_the_type_of_their_arguments_first(call, fragment):
    with pytest.raises(ValueError) as info:
        call()
    assert fragment in str(info.value)


def test_load_quiz_refuses_an_unsafe_file(tmp_path):
    from facelayers.teaching.quiz import load_quiz

    for content, fragment in [(b"\x00", "NUL"), ("[" * 500, "nest"), ("", "malformed JSON")]:
        path = tmp_path / "quiz.json"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        with pytest.raises(InputError, match=fragment) as info:
            load_quiz(path)
        assert str(path) in str(info.value).splitlines()[0]


# ----------------------------------------------------------------------------------------------------
# Property-based: random documents never give anything but a valid view or a clean error

FIELDS = ["version", "visible", "peel", "cutaway", "layers_cut", "section_kind", "section_at", "camera", "pick",
          "zones", "ligaments", "technique", "scope_port", "scope_insertion_mm", "scope_aim_deg",
          "scope_magnification", "flap_mm", "zoom"]
SCALARS = (st.none() | st.booleans() | st.integers(-10 ** 30, 10 ** 30) | st.floats(allow_nan=True)
           | st.text(max_size=20) | st.sampled_from(["skin", "fat", "left", "cheek", "nerve:frontal_1", "vertical",
                                                    "group:buccal", "muscle:frontalis", "deep_plane", "Temporal port"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8) | st.sampled_from(["skin", "fat", "bone"]), inner,
                                        max_size=4), max_leaves=12)
VIEWS = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), VALUES, max_size=8)

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(VIEWS)
def test_random_view_mappings_give_a_view_or_a_clean_error(view):
    for text in (yaml.safe_dump(view, allow_unicode=True), json.dumps(view, default=str)):
        try:
            state = views.view_from_yaml(text, source="random.yaml")
        except InputError as error:
            assert str(error).startswith("random.yaml"), str(error)
            continue
        assert isinstance(state, ViewState)
        assert views.view_from_yaml(views.view_to_yaml(state)) == state  # what loads, saves and loads again


@PROPERTY
@given(st.text(max_size=200))
def test_random_text_gives_a_view_or_a_clean_error(text):
    try:
        views.view_from_yaml(text, source="t.yaml")
    except InputError as error:
        assert str(error).startswith("t.yaml")


@PROPERTY
@given(st.text(alphabet=st.sampled_from(list("[]{}:,-&*!<? \n\t'\"#|>%@`ab1.")), max_size=120))
def test_yaml_punctuation_soup_gives_a_document_or_a_clean_error(text):
    try:
        parse_yaml(text, "soup.yaml")
    except InputError as error:
        assert str(error).startswith("soup.yaml")


@PROPERTY
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                                max_size=3), max_leaves=20))
def test_random_json_keeps_the_line_of_every_value(value):
    text = json.dumps(value, indent=1)
    document = parse_json(text, "r.json")
    assert document.line_at(()) == 1
    assert all(1 <= line <= text.count("\n") + 1 for line in document.lines.values())


@PROPERTY
@given(st.one_of(st.tuples(st.integers(-10 ** 6, 10 ** 6), st.integers(-10 ** 6, 10 ** 6)),
                 st.tuples(st.floats(), st.floats()), st.text(max_size=10), st.none(), st.integers(),
                 st.lists(st.integers(0, 300), max_size=4)))
def test_random_resolutions_are_a_valid_pair_or_a_clean_error(resolution):
    try:
        nu, nv = resolve_resolution(resolution)
    except ValueError as error:
        one_line(error)
        return
    assert isinstance(nu, int) and isinstance(nv, int) and nu * nv <= MAX_GRID_POINTS


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lesson=st.text(max_size=30), max_mb=st.text(max_size=12))
def test_random_export_arguments_are_refused_in_one_line(tmp_path, lesson, max_mb):
    proc = run_cli("export", lesson, "--out", str(tmp_path / "missing" / "x.html"), "--max-mb", max_mb)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1


def assert_valid_or_clean(folder: Path) -> None:
    """The folder validates with one-line problems only; with none, the anatomy and the quiz load from it."""
    from facelayers.anatomy.load import load_anatomy
    from facelayers.teaching.quiz import load_quiz

    problems = validate_data_dir(folder)
    for problem in problems:
        assert isinstance(problem, InputError)
        assert "\n" not in str(problem) and problem.file
    if not problems:
        load_quiz(folder / "quiz.json", anatomy=load_anatomy(folder))


CSV_TABLES = ["sources.csv", "layers.csv", "landmarks.csv", "thickness.csv", "ligaments.csv"]
JSON_TABLES = ["regions.json", "nerves.json", "muscles.json", "danger_zones.json", "techniques.json", "quiz.json"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(CSV_TABLES), row=st.integers(0, 200), column=st.integers(0, 20),
       text=st.text(max_size=12) | st.sampled_from(["nan", "inf", "-1", "1e400", "", "true", '"', "x,y"]))
def test_a_random_cell_of_a_table_gives_valid_data_or_clean_problems(tmp_path_factory, table, row, column, text):
    import csv
    import io

    folder = tmp_path_factory.mktemp("cell") / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("schemas", "README.md"))
    rows = list(csv.reader(io.StringIO((folder / table).read_text(encoding="utf-8"))))
    cells = rows[1 + row % (len(rows) - 1)]
    cells[column % len(cells)] = text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    (folder / table).write_text(out.getvalue(), encoding="utf-8")
    assert_valid_or_clean(folder)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(JSON_TABLES), at=st.integers(0, 10 ** 6), value=VALUES)
def test_a_random_value_in_a_json_table_gives_valid_data_or_clean_problems(tmp_path_factory, table, at, value):
    folder = tmp_path_factory.mktemp("value") / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("schemas", "README.md"))
    document = json.loads((folder / table).read_text(encoding="utf-8"))
    slots = []  # (container, key) of every value in the document

    def walk(node):
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            slots.append((node, key))
            walk(child)

    walk(document)
    container, key = slots[at % len(slots)]
    container[key] = value
    (folder / table).write_text(json.dumps(document, indent=1), encoding="utf-8")
    assert_valid_or_clean(folder)


# ----------------------------------------------------------------------------------------------------
# End to end: the real command, a signal during an export

SLOW_WRITE = textwrap.dedent(
    """
    import sys, time
    import facelayers.delivery.writers as writers

    def slow(path, data):  # write half the file, then wait for the signal
        path.write_bytes(data[: len(data) // 2])
        print("HALF", flush=True)
        time.sleep(120)

    writers.write_file = slow
    from facelayers.delivery.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


@pytest.mark.parametrize("signum, status, word", [(signal.SIGTERM, 143, "terminated (SIGTERM)"),
                                                  (signal.SIGINT, 130, "interrupted (SIGINT)")])
def test_a_signal_during_an_export_leaves_no_temporary_file_and_prints_one_line(tmp_path, signum, status, word):
    out = tmp_path / "out"
    out.mkdir()
    (out / "lesson.html").write_text("the old file")
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITE, "export", "01", "--out", str(out / "lesson.html"),
                             "--resolution", "coarse"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert proc.stdout.readline().strip() == "HALF"
        assert len(listing(out)) == 2, "the temporary file is being written"
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == status
    assert stderr.splitlines() == [f"facelayers export: {word}: stopped; no file was left half-written"]
    assert listing(out) == ["lesson.html"]
    assert (out / "lesson.html").read_text() == "the old file"


def test_the_real_command_refuses_a_bad_argument_in_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "facelayers", "export", "¹", "--out", str(tmp_path / "x.html")],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == ["facelayers export: error: LESSON '¹': is not known; allowed: "
                                        + proc.stderr.split("allowed: ", 1)[1].strip()]
    assert listing(tmp_path) == []


def test_a_field_name_with_a_newline_is_escaped_in_the_one_line_message():
    """A JSON key may be any string: an unknown field named "\\n" (found by hypothesis) stays on one line."""
    from facelayers.core.errors import InputError

    text = str(InputError("regions.json", 4, field="\n", value="null", allowed="unknown field"))
    assert "\n" not in text and "field '\\n'" in text
