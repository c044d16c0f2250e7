"""Offline exports: the self-contained HTML and its menus, meshes reloaded with trimesh, PNG stills, bad arguments
named in one line, and writes that leave no partial file."""

from __future__ import annotations

import base64
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from facelayers.core.frame import INTERFACES
from facelayers.delivery import arguments, course, export, layers_offline, offline_page, writers
from facelayers.delivery.cli import main
from facelayers.model.cutaway import WINDOWS, Cut, layer_mesh, window
from facelayers.model.geometry import ear_meshes
from facelayers.render.face import BACKGROUND, surface_labels
from facelayers.teaching.state import CAMERAS, SURGEON_CAMERAS, ViewState
from facelayers.teaching.views import save_view

REPO = Path(__file__).resolve().parents[1]
LAYER_NAMES = [f"layer:{name}" for name in INTERFACES]
#: plotly.js paints the active button this colour, whatever the menu's colours.
PLOTLY_ACTIVE = "#F4FAFF"


def has_trimesh() -> bool:
    try:
        import trimesh  # noqa: F401
    except ImportError:
        return False
    return True


needs_trimesh = pytest.mark.skipif(not has_trimesh(), reason="trimesh missing: pip install 'facelayers[export]'")


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ----------------------------------------------------------------------------------------------------
# HTML: written, self-contained, small, reproducible


@pytest.fixture(scope="module")
def html_export(tmp_path_factory):
    out = tmp_path_factory.mktemp("html") / "layers.html"
    result = export.export("layers", out, resolution="coarse")
    return out, result


def page_figure(path: Path) -> tuple[dict, list[np.ndarray], bytes]:
    """The figure (arrays back in place), the distinct arrays and plotly.js of an exported page."""
    header, arrays, script = offline_page.read_page(path.read_text(encoding="utf-8"))
    return offline_page.revive(header["figure"], arrays), header, arrays, script


def test_html_is_written_and_its_size_reported(html_export):
    out, result = html_export
    assert result.paths == (out,)
    assert out.stat().st_size == result.size_bytes
    assert re.search(r"grid 64x34, \d+\.\d\d MB \(plotly\.js-gl3d-dist-min 4\.1\.1 1\.75 MB", result.notes[0]), result.notes
    assert listing(out.parent) == ["layers.html"], "a temporary file was left behind"


def test_html_is_self_contained(html_export):
    text = html_export[0].read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, re.I), "every script must be inline"
    assert not re.search(r"<link[^>]*\bhref\s*=", text, re.I), "no stylesheet or font links"
    assert not re.search(r"<(img|iframe|source)[^>]*\bsrc\s*=", text, re.I)
    assert not re.search(r"https?://", text), "the page names no server"
    assert "fetch(" not in text and "XMLHttpRequest" not in text and "import(" not in text
    figure, header, _, script = page_figure(html_export[0])
    assert script.startswith(b"/**\n* plotly.js (gl3d - minified) v4.1.1"), "the vendored bundle, inflated"
    assert b"cdn.plot.ly" not in script and b"MathJax" not in script[:0] + b""
    assert header["config"]["displaylogo"] is False


def test_the_vendored_bundle_is_the_installed_plotly_js_version_with_its_licence():
    from plotly.offline import get_plotlyjs_version

    assert offline_page.GL3D_VERSION == get_plotlyjs_version()
    head = offline_page.GL3D_FILE.read_text(encoding="utf-8")[:200]
    assert f"plotly.js (gl3d - minified) v{offline_page.GL3D_VERSION}" in head
    assert "MIT License" in offline_page.GL3D_LICENCE.read_text(encoding="utf-8")


def test_html_holds_the_menus_in_its_figure(html_export):
    figure, *_ = page_figure(html_export[0])
    names = [m["name"] for m in figure["layout"]["updatemenus"]]
    assert names == ["peel", "cutaway", "camera"]
    labels = [b["label"] for m in figure["layout"]["updatemenus"] for b in m["buttons"]]
    for label in ("All layers", "Cheek", "Temple", "Forehead", "Oblique"):
        assert label in labels


def test_the_page_holds_exactly_the_figure_plotly_would_draw(html_export, model_coarse):
    """Every array of the figure comes back bit for bit, in trace data and in button args alike."""
    figure, *_ = page_figure(html_export[0])
    want = layers_offline.layers_offline_figure(model_coarse).to_dict()
    for got_t, want_t in zip(figure["data"], want["data"], strict=True):
        for key, value in want_t.items():
            if isinstance(value, dict) and "bdata" in value:
                np.testing.assert_array_equal(got_t[key], offline_page._spec_array(value), err_msg=key)
            else:
                assert got_t[key] == value, key
    got_cut = [b["args"][0] for b in figure["layout"]["updatemenus"][1]["buttons"]]
    want_cut = [b["args"][0] for b in want["layout"]["updatemenus"][1]["buttons"]]
    for got, wanted in zip(got_cut, want_cut, strict=True):
        for axis in "ijk":
            for g, w in zip(got[axis], wanted[axis], strict=True):
                np.testing.assert_array_equal(g, offline_page._spec_array(w))
                assert g.dtype == np.uint16


def test_shared_arrays_are_stored_once(html_export):
    figure, header, arrays, _ = page_figure(html_export[0])
    keys = [a.tobytes() for a in arrays]
    assert len(set(keys)) == len(keys), "two stored arrays are identical"
    # the uncut triangle lists of the five layers on the same grid are one array (the skin has the ears)
    skeleton = header["figure"]["data"]
    refs = [t["i"][offline_page.ARRAY_KEY] for t in skeleton[1:5]]
    assert len(set(refs)) == 1


def test_same_input_same_bytes(html_export, tmp_path):
    again = export.export("01", tmp_path / "again.html", resolution="coarse")
    assert again.paths[0].read_bytes() == html_export[0].read_bytes()


def test_a_budget_that_fits_writes_the_file_at_the_grid_asked_for(tmp_path):
    result = export.export("layers", tmp_path / "fits.html", resolution="coarse", max_mb=3.0)
    assert result.size_bytes <= 3_000_000 and "grid 64x34" in result.notes[0]


def test_a_budget_below_what_the_grid_needs_is_an_error_and_writes_nothing(tmp_path):
    with pytest.raises(export.ExportError) as info:
        export.export("layers", tmp_path / "small.html", resolution="coarse", max_mb=1.0)
    message = str(info.value)
    assert re.search(r"--max-mb 1: lesson 01 at the coarse grid \(64x34\) needs \d\.\d\d MB; "
                     r"allowed: --max-mb \d\.\d\d or more; nothing was written", message), message
    assert info.value.status == 2
    assert listing(tmp_path) == []


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_a_budget_must_be_a_positive_size(bad, tmp_path):
    with pytest.raises(export.ExportError, match=r"--max-mb .* is not a size; allowed: a positive number of MB"):
        export.export("layers", tmp_path / "x.html", resolution="coarse", max_mb=bad)


# Size budgets on the real thing: the lecture grid, as a student gets it (PyVista's export_html of the same six
# meshes is 2.24 MB; the course may take 1.5 times that).
PEER_MB = 2.24


@pytest.fixture(scope="module")
def lecture_exports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lecture")
    return {name: export.export(name, folder / f"{name}.html") for name in ("01", "course")}


def test_lesson_01_at_the_lecture_grid_is_no_larger_than_the_peer(lecture_exports):
    result = lecture_exports["01"]
    assert "grid 118x73" in result.notes[0]
    assert result.size_bytes <= PEER_MB * 1e6, result.notes


def test_the_course_at_the_lecture_grid_is_within_one_and_a_half_times_the_peer(lecture_exports):
    result = lecture_exports["course"]
    assert "grid 118x73" in result.notes[0]
    assert result.size_bytes <= 1.5 * PEER_MB * 1e6, result.notes


# ----------------------------------------------------------------------------------------------------
# The figure as data: traces, menus, what each button does


@pytest.fixture(scope="module")
def offline_fig(model_coarse):
    return layers_offline.layers_offline_figure(model_coarse)


def menus(fig) -> dict:
    return {m["name"]: m for m in fig.to_dict()["layout"]["updatemenus"]}


def decode(spec: dict) -> np.ndarray:
    dtype = {"u2": "<u2", "u4": "<u4", "f4": "<f4"}[spec["dtype"]]
    return np.frombuffer(base64.b64decode(spec["bdata"]), dtype=dtype)


def triangles(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """(m, 9) float32 corner coordinates, rows sorted: compares two meshes whatever their vertex order."""
    tri = np.asarray(vertices, np.float32)[np.asarray(faces, np.int64)].reshape(-1, 9)
    return tri[np.lexsort(tri.T[::-1])]


def expected_mesh(model, name: str, cut: Cut | None):
    """The layer as the lessons draw it: cutaway.layer_mesh, plus the ears on the skin."""
    verts, faces, _ = layers_offline._with_ears(model, name, layer_mesh(model, name, cut), ear_meshes(model))
    return verts, faces


def test_traces_are_the_six_layers_and_the_globes(offline_fig):
    data = offline_fig.to_dict()["data"]
    # the globes under the lids, as the lessons draw; the drawn skull that "Bone" shows (render.skull_stage)
    assert [t["name"] for t in data] == LAYER_NAMES + ["eyes", "skull"]
    assert all(t["type"] == "mesh3d" and t.get("opacity", 1) == 1 for t in data)


def test_face_indices_are_compact_typed_arrays(offline_fig):
    for trace in offline_fig.data:
        assert trace.i.dtype == np.uint16 and trace.x.dtype == np.float32
    assert offline_fig.to_dict()["data"][0]["i"]["dtype"] == "u2"


def test_peel_menu_sets_visible_arrays(offline_fig, model_coarse):
    peel = menus(offline_fig)["peel"]
    labels = surface_labels(model_coarse)
    assert [b["label"] for b in peel["buttons"]] == ["All layers"] + [labels[n] for n in INTERFACES[1:]]
    for p, button in enumerate(peel["buttons"]):
        assert button["method"] == "restyle"
        update, indices = button["args"]
        assert indices == list(range(len(INTERFACES) + 2))
        # the layers from the one peeled to, the globes only with the skin, and at "Bone" the drawn skull instead
        # of the floor
        last = len(INTERFACES) - 1
        assert update["visible"] == [k >= p and not k == p == last for k in range(len(INTERFACES))] + [p == 0, p == last]


def test_camera_menu_relayouts_to_the_presets(offline_fig):
    """Lesson 01 offers the presets that need no raised flap (it has none to look into)."""
    camera = menus(offline_fig)["camera"]
    names = [name for name in CAMERAS if name not in SURGEON_CAMERAS]
    assert [b["label"] for b in camera["buttons"]] == [name.capitalize() for name in names]
    for button, name in zip(camera["buttons"], names):
        assert button["method"] == "relayout"
        assert button["args"] == [{"scene.camera": CAMERAS[name]}]


def test_the_course_offers_the_flap_cameras_its_steps_use(course_fig):
    camera = menus(course_fig)["camera"]
    assert [b["label"] for b in camera["buttons"]] == [name.capitalize() for name in CAMERAS]


@pytest.mark.parametrize("choice", [None, *WINDOWS])
def test_cutaway_buttons_swap_in_exactly_the_cut_meshes(choice, offline_fig, model_coarse):
    """Each button's triangles, on the trace's shared vertices, are cutaway.layer_mesh's triangles."""
    cutaway = menus(offline_fig)["cutaway"]
    labels = [b["label"] for b in cutaway["buttons"]]
    assert labels == ["None", "Cheek", "Temple", "Forehead"]
    button = cutaway["buttons"][[None, *WINDOWS].index(choice)]
    update, indices = button["args"]
    assert indices == [0, 1, 2, 3, 4], "every layer above bone is cut (layers_cut = 5); bone never changes"
    cut = Cut(window(choice), 5) if choice else None
    for n, k in enumerate(indices):
        trace = offline_fig.data[k]
        # The figure plots x negated and swaps j/k (render.xyz / render.ijk): back to the model's frame.
        faces = np.stack([decode(update[axis][n]) for axis in "ikj"], axis=1)
        verts = np.stack([-np.asarray(trace.x), trace.y, trace.z], axis=1)
        want_v, want_f = expected_mesh(model_coarse, INTERFACES[k], cut)
        np.testing.assert_array_equal(triangles(verts, faces), triangles(want_v, want_f))


def test_a_view_on_bone_starts_on_the_drawn_skull(model_coarse):
    fig = layers_offline.layers_offline_figure(model_coarse, ViewState(peel=5))
    shown = {t.name: t.visible for t in fig.data}
    assert shown["skull"] is True and shown["layer:bone"] is False and len(fig.data[-1].i) > 1000
    # the arrays rounded to powers of two (the page deflates them better), within half a step of the stage's
    from facelayers.render.skull import skull_trace

    stage = skull_trace(model_coarse)
    for key, step in layers_offline.SKULL_STEPS.items():
        got = np.asarray(getattr(fig.data[-1], key), np.float64)
        assert np.all(np.abs(got - np.asarray(getattr(stage, key))) <= step / 2 + 1e-6), key
        assert np.allclose(got / step, np.round(got / step))


def test_initial_view_comes_from_the_state(model_coarse):
    state = ViewState(cutaway="temple", peel=2, camera="left", visible={"bone": False})
    fig = layers_offline.layers_offline_figure(model_coarse, state)
    layout = fig.to_dict()["layout"]
    assert [t.visible for t in fig.data] == [state.shown(n) for n in INTERFACES] + [state.shown("skin"), False]
    assert layout["scene"]["camera"] == CAMERAS["left"]
    assert [m["active"] for m in layout["updatemenus"]] == [2, 2, list(CAMERAS).index("left")]
    skin = fig.data[0]
    verts = np.stack([-np.asarray(skin.x), skin.y, skin.z], axis=1)
    faces = np.stack([skin.i, skin.k, skin.j], axis=1)
    want = expected_mesh(model_coarse, "skin", Cut(window("temple"), state.layers_cut))
    np.testing.assert_array_equal(triangles(verts, faces), triangles(*want))


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_menus_are_readable_on_the_dark_stage(offline_fig):
    layout = offline_fig.to_dict()["layout"]
    for menu in layout["updatemenus"]:
        assert menu["font"]["size"] >= 16
        text, bg = menu["font"]["color"], menu["bgcolor"]
        assert contrast(text, bg) >= 4.5, "button text on a button"
        assert contrast(text, PLOTLY_ACTIVE) >= 4.5, "button text on the active button"
        assert contrast(bg, BACKGROUND) >= 3, "buttons stand out from the stage"
    for note in layout["annotations"]:
        assert note["font"]["size"] >= 16, note["text"]


# ----------------------------------------------------------------------------------------------------
# Bad arguments: one line, exit 2, no traceback, no file


def _unwritable(tmp_path: Path) -> Path:
    if os.geteuid() == 0:  # root writes through file modes: use a folder no one can create files in
        return Path("/proc/facelayers-export-test.html")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder / "x.html"


BAD_ARGS = {
    # id: (arguments given tmp_path, fragments of the one-line error)
    "lesson": (lambda t: ["spleen", "--out", str(t / "x.html")],
               ["LESSON 'spleen' is not known; allowed: 01 or layers"]),
    "folder-missing": (lambda t: ["01", "--out", str(t / "missing" / "x.html")],
                       ["--out", "missing", "does not exist", "allowed: a file path in an existing, writable folder"]),
    "out-is-a-folder": (lambda t: ["01", "--out", str(t)], ["--out", "is a folder", "allowed: a file path"]),
    "unwritable": (lambda t: ["01", "--out", str(_unwritable(t))], ["--out", "cannot write in folder", "allowed:"]),
    "format": (lambda t: ["01", "--out", str(t / "x.html"), "--format", "gif"],
               ["--format 'gif' is not known; allowed: html, png, glb, obj, stl"]),
    "format-vs-suffix": (lambda t: ["01", "--out", str(t / "x.html"), "--format", "glb"],
                         ["--out", "x.html' does not end in .glb", "allowed for --format glb"]),
    "suffix": (lambda t: ["01", "--out", str(t / "x.gif")], ["--out", "must end in .html, .png, .glb, .obj, .stl"]),
    "resolution": (lambda t: ["01", "--out", str(t / "x.html"), "--resolution", "huge"],
                   ["--resolution 'huge' is not known; allowed: coarse, lecture, fine"]),
    "view": (lambda t: ["01", "--out", str(t / "x.html"), "--view", str(t / "bad.yaml")],
             ["--view", "bad.yaml line 2: field 'peel' = '9': peel = 9; allowed: an integer 0 to 5"]),
    "view-missing": (lambda t: ["01", "--out", str(t / "x.html"), "--view", str(t / "none.yaml")],
                     ["--view", "none.yaml: no such file"]),
    # A budget below what the lecture grid needs: an error that says what it needs and what fits, no file.
    # (1.5: lesson 01 at the lecture grid needs ~2.0 MB with the drawn skull, the coarse grid ~1.24 MB)
    "max-mb": (lambda t: ["01", "--out", str(t / "x.html"), "--max-mb", "1.5"],
               ["--max-mb 1.5: lesson 01 at the lecture grid (118x73) needs ", " MB; allowed: --max-mb ",
                "or --resolution coarse (", "nothing was written"]),
    "max-mb-negative": (lambda t: ["01", "--out", str(t / "x.html"), "--max-mb", "-3"],
                        ["--max-mb '-3': must be a finite number >= 0"]),
    "no-out": (lambda t: ["01"], ["the following arguments are required: --out"]),
}


@pytest.fixture(scope="module")
def bad_runs(tmp_path_factory):
    """Every bad command line, run at once in its own process and folder: (folder, listing before, process)."""
    runs = {}
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for case, (args, _) in BAD_ARGS.items():
        folder = tmp_path_factory.mktemp(case)
        (folder / "bad.yaml").write_text("# facelayers view\npeel: 9\n", encoding="utf-8")
        argv = args(folder)
        before = listing(folder)
        proc = subprocess.Popen([sys.executable, "-m", "facelayers", "export", *argv], cwd=folder, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        runs[case] = (folder, before, argv, proc)
    done = {}
    for case, (folder, before, argv, proc) in runs.items():
        out, err = proc.communicate(timeout=120)
        done[case] = (folder, before, argv, proc.returncode, out, err)
    yield done
    for folder, *_ in done.values():
        for sub in folder.iterdir():
            if sub.is_dir():
                sub.chmod(0o755)


@pytest.mark.parametrize("case", list(BAD_ARGS))
def test_bad_argument_is_one_line_exit_2_and_writes_nothing(case, bad_runs):
    folder, before, argv, status, out, err = bad_runs[case]
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("facelayers export: error: ")
    for fragment in BAD_ARGS[case][1]:
        assert fragment in lines[0], f"{fragment!r} missing from: {lines[0]}"
    assert status == 1
    assert out == ""
    assert listing(folder) == before, "a bad argument must not leave a file"
    if "--out" in argv:
        target = Path(argv[argv.index("--out") + 1])
        assert not target.is_file()


def test_errors_from_the_api_carry_the_exit_status(tmp_path):
    with pytest.raises(export.ExportError) as info:
        export.export("spleen", tmp_path / "x.html")
    assert info.value.status == 2


# ----------------------------------------------------------------------------------------------------
# Atomic writes


def test_a_failed_html_write_keeps_the_old_file(tmp_path, monkeypatch):
    out = tmp_path / "lesson.html"
    out.write_text("the old file")

    def half_then_fail(path: Path, data: bytes) -> None:
        path.write_bytes(data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writers, "write_file", half_then_fail)
    with pytest.raises(OSError, match="No space left"):
        export.export("layers", out, resolution="coarse")
    assert out.read_text() == "the old file"
    assert listing(tmp_path) == ["lesson.html"]


@needs_trimesh
def test_a_failed_stl_part_leaves_no_part(tmp_path, monkeypatch):
    calls = []
    real = writers.write_file

    def fail_third(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(5, "Input/output error")
        real(path, data)

    monkeypatch.setattr(writers, "write_file", fail_third)
    with pytest.raises(OSError):
        export.export("layers", tmp_path / "head.stl", resolution="coarse")
    assert listing(tmp_path) == []


# ----------------------------------------------------------------------------------------------------
# Meshes: glb, obj, stl reloaded with trimesh

#: Per format: (up axis, anterior axis as (index, sign), mm per unit) of the written coordinates.
FRAMES = {"glb": (1, (2, 1.0), 1000.0), "obj": (1, (2, 1.0), 1.0), "stl": (2, (1, -1.0), 1.0)}


@pytest.fixture(scope="module")
def mesh_exports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("meshes")
    return {fmt: (folder / f"head.{fmt}", export.export("layers", folder / f"head.{fmt}", resolution="coarse"))
            for fmt in arguments.MESH_FORMATS} if has_trimesh() else {}


def load_meshes(fmt: str, out: Path) -> dict:
    import trimesh

    if fmt == "stl":
        return {f"layer:{name}": trimesh.load(out.with_name(f"head-{name}.stl"), process=False)
                for name in INTERFACES}
    kwargs = {"split_objects": True, "group_material": False} if fmt == "obj" else {}
    return dict(trimesh.load(out, force="scene", process=False, **kwargs).geometry)


@needs_trimesh
@pytest.mark.parametrize("fmt", arguments.MESH_FORMATS)
def test_meshes_reload_with_their_names_and_sizes(fmt, mesh_exports, model_coarse):
    out, result = mesh_exports[fmt]
    expected = layers_offline.layers_meshes(model_coarse)
    assert list(expected) == LAYER_NAMES
    loaded = load_meshes(fmt, out)
    assert sorted(loaded) == sorted(LAYER_NAMES)
    for name, (verts, faces) in expected.items():
        mesh = loaded[name]
        assert len(mesh.faces) == len(faces), name
        if fmt == "stl":  # STL stores each triangle's corners: count the distinct positions
            assert len(np.unique(np.asarray(mesh.vertices, np.float32), axis=0)) == len(verts), name
        else:
            assert len(mesh.vertices) == len(verts), name
    if fmt == "stl":
        assert not out.exists(), "STL writes one file per layer, not --out itself"
        assert [p.name for p in result.paths] == [f"head-{name}.stl" for name in INTERFACES]
    else:
        assert result.paths == (out,)
    assert sum(p.stat().st_size for p in result.paths) == result.size_bytes


@needs_trimesh
@pytest.mark.parametrize("fmt", arguments.MESH_FORMATS)
def test_meshes_stand_up_face_forward_and_are_not_mirrored(fmt, mesh_exports, model_coarse):
    """In each format's convention: the crown is up, the nose forward, the normals out, and the subject's
    left (x > 0 in the model) lies on up x forward's side (a right-handed frame, as the formats assume)."""
    up, (fwd, sign), mm = FRAMES[fmt]
    bone = load_meshes(fmt, mesh_exports[fmt][0])["layer:bone"]
    v = np.unique(np.asarray(bone.vertices, np.float64), axis=0) * mm  # STL repeats corners: unique positions
    want = layers_offline.layers_meshes(model_coarse)["layer:bone"][0]
    np.testing.assert_allclose(np.sort(v[:, up]), np.sort(want[:, 2]), atol=1e-3)       # up = model z
    np.testing.assert_allclose(np.sort(sign * v[:, fwd]), np.sort(want[:, 1]), atol=1e-3)  # forward = model y
    centre = v.mean(axis=0)
    outward = ((bone.triangles_center * mm - centre) * bone.face_normals).sum(axis=1) > 0
    assert outward.mean() > 0.95
    up_axis, fwd_axis = np.eye(3)[up], sign * np.eye(3)[fwd]
    left = np.cross(up_axis, fwd_axis)
    landmark = model_coarse.anatomy.point("mid_masseter:left")
    assert landmark[0] > 0
    written, _ = writers.to_format_frame(landmark[None, :], np.zeros((0, 3), int), fmt)
    assert written[0] @ left > 0


@needs_trimesh
def test_meshes_carry_the_views_cutaway(tmp_path, model_coarse):
    state = ViewState(cutaway="cheek", layers_cut=3)
    view = save_view(state, tmp_path / "cheek.yaml")
    out = tmp_path / "cheek.glb"
    export.export("layers", out, resolution="coarse", view=view)
    loaded = load_meshes("glb", out)
    cut, uncut = layers_offline.layers_meshes(model_coarse, state), layers_offline.layers_meshes(model_coarse)
    for name in LAYER_NAMES:
        assert len(loaded[name].vertices) == len(cut[name][0])
    assert len(cut["layer:skin"][1]) != len(uncut["layer:skin"][1])
    assert len(cut["layer:muscle"][1]) == len(uncut["layer:muscle"][1]), "layers_cut = 3 leaves muscle whole"


@needs_trimesh
def test_cli_writes_meshes_and_says_what(tmp_path, capsys):
    assert main(["export", "layers", "--out", str(tmp_path / "head.obj"), "--resolution", "coarse"]) == 0
    out = capsys.readouterr().out
    assert f"wrote {tmp_path / 'head.obj'}" in out
    assert "6 meshes (layer:skin, layer:fat" in out


def test_missing_trimesh_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "trimesh", None)
    with pytest.raises(export.ExportError, match=r"pip install 'facelayers\[export\]'") as info:
        export.export("layers", tmp_path / "head.glb", resolution="coarse")
    assert info.value.status == 1
    assert listing(tmp_path) == []


# ----------------------------------------------------------------------------------------------------
# PNG


def test_missing_chromium_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(writers.shutil, "which", lambda *args, **kwargs: None)
    with pytest.raises(export.ExportError, match=r"apt-get install -y chromium") as info:
        export.export("layers", tmp_path / "still.png", resolution="coarse")
    assert info.value.status == 1
    assert listing(tmp_path) == []


def _png_rows(data: bytes) -> tuple[int, int, bytes]:
    pos, idat, size = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(kind + body)
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return size[0], size[1], zlib.decompress(idat)


def test_missing_kaleido_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "kaleido", None)
    with pytest.raises(export.ExportError, match=r"needs kaleido.*pip install 'facelayers\[export\]'") as info:
        export.export("layers", tmp_path / "still.png", resolution="coarse")
    assert info.value.status == 1
    assert listing(tmp_path) == []


def test_png_figure_drops_the_menus_and_fills_the_frame(model_coarse):
    fig = writers.png_figure(course.course_offline_figure(model_coarse))
    assert not fig.layout.updatemenus and not fig.layout.sliders
    assert not [a for a in fig.layout.annotations if (a.name or "").startswith("menu")]
    assert (fig.layout.width, fig.layout.height) == writers.PNG_SIZE
    assert list(fig.layout.scene.domain.x) == [0.0, 1.0]


def _pixels(data: bytes) -> np.ndarray:
    """RGB pixels of an 8-bit RGB or RGBA PNG, unfiltered (test helper)."""
    width, height, raw = _png_rows(data)
    bpp = (len(raw) // height - 1) // width
    stride = width * bpp
    out = np.zeros((height, stride), np.int64)
    prev = np.zeros(stride, np.int64)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], np.frombuffer(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)], np.uint8)
        cur = line.astype(np.int64)
        if kind == 1:
            for x in range(bpp, stride):
                cur[x] = (cur[x] + cur[x - bpp]) & 255
        elif kind == 2:
            cur = (cur + prev) & 255
        elif kind == 3:
            for x in range(stride):
                cur[x] = (cur[x] + ((cur[x - bpp] if x >= bpp else 0) + prev[x]) // 2) & 255
        elif kind == 4:
            for x in range(stride):
                a = cur[x - bpp] if x >= bpp else 0
                b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                cur[x] = (cur[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out[y], prev = cur, cur
    return out.reshape(height, width, bpp)[..., :3]


@pytest.mark.browser
@pytest.mark.skipif(shutil.which(writers.CHROMIUM) is None, reason="needs chromium: apt-get install -y chromium")
def test_png_still_of_a_saved_view(tmp_path):
    view = save_view(ViewState(cutaway="cheek", camera="left"), tmp_path / "cheek.yaml")
    out = tmp_path / "still.png"
    result = export.export("01", out, resolution="coarse", view=view)
    assert result.paths == (out,)
    data = out.read_bytes()
    assert data.startswith(writers.PNG_SIGNATURE)
    pixels = _pixels(data)
    assert pixels.shape[:2] == (writers.PNG_SIZE[1], writers.PNG_SIZE[0])
    stage = np.array([int(BACKGROUND[i:i + 2], 16) for i in (1, 3, 5)])
    is_stage = (np.abs(pixels - stage).max(axis=2) <= 3)
    assert is_stage[-1].all() and is_stage[:, 0].all(), "the figure fills the still: stage colour at its edges"
    assert 0.05 < 1 - is_stage.mean() < 0.6, "the head is drawn (WebGL worked) and does not fill the frame"
    assert listing(tmp_path) == ["cheek.yaml", "still.png"]


# ----------------------------------------------------------------------------------------------------
# The course: layers, nerves, techniques and storyboard steps in one offline file


@pytest.fixture(scope="module")
def course_export(tmp_path_factory):
    out = tmp_path_factory.mktemp("course") / "course.html"
    return out, export.export("course", out, resolution="coarse")


@pytest.fixture(scope="module")
def course_fig(model_coarse):
    return course.course_offline_figure(model_coarse)


def test_course_is_written_self_contained_and_small(course_export):
    out, result = course_export
    assert result.paths == (out,) and out.stat().st_size == result.size_bytes <= 1.5 * PEER_MB * 1e6
    assert listing(out.parent) == ["course.html"]
    text = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, re.I)
    assert not re.search(r"https?://", text) and "fetch(" not in text
    figure, *_ = page_figure(out)
    assert [m["name"] for m in figure["layout"]["updatemenus"]] == ["peel", "cutaway", "nerves", "technique", "camera",
                                                                  "expression", "case"]
    assert [s["name"] for s in figure["layout"]["sliders"]] == ["step"]


def test_a_course_part_adds_traces_and_a_slider_stored_like_the_rest(model_coarse, monkeypatch, tmp_path):
    """What lesson 06 will do: add a trace and a slider of client-side frames to the course file."""
    import plotly.graph_objects as go

    def part(fig, model, state):
        z = np.linspace(0, 1, 50, dtype=np.float32)
        fig.add_trace(go.Scatter3d(name="expression:demo", x=z, y=z, z=z, mode="lines"))
        k = len(fig.data) - 1
        steps = [{"label": str(a), "method": "restyle", "args": [{"z": [z * a]}, [k]]} for a in (1, 2)]
        fig.layout.sliders += ({"name": "expression", "steps": steps, "y": 0.5},)

    monkeypatch.setattr(course, "COURSE_PARTS", [])
    assert export.add_course_part(part) is part
    fig = course.course_offline_figure(model_coarse)
    assert fig.data[-1].name == "expression:demo" and [s.name for s in fig.layout.sliders] == ["step", "expression"]
    out = tmp_path / "course.html"
    export.export("course", out, resolution="coarse")
    figure, *_ = page_figure(out)
    step = figure["layout"]["sliders"][1]["steps"][1]["args"][0]["z"][0]
    assert step.dtype == np.float32 and step[-1] == 2.0


def test_course_alias_and_lesson_list(tmp_path):
    assert export.find_lesson("all") is export.find_lesson("course") is export.LESSONS["course"]
    assert export.find_lesson("01").name == "layers"
    with pytest.raises(export.ExportError, match=r"allowed: 01 or layers, 00 or course or all"):
        export.find_lesson("spleen")


def course_meta(fig) -> dict:
    return fig.to_dict()["layout"]["meta"]["course"]


def test_course_traces_layers_nerves_then_three_per_technique(course_fig, model_coarse):
    data, meta = course_fig.to_dict()["data"], course_meta(course_fig)
    # the globes go with the skin; the drawn skull shows when the bone is bare
    assert [data[k]["name"] for k in meta["layers"]] == LAYER_NAMES + ["eyes", "skull"]
    assert [data[k]["name"] for k in meta["nerves"]] == [f"nerve:{n}" for n in model_coarse.anatomy.nerves]
    assert list(meta["techniques"]) == list(model_coarse.anatomy.techniques)
    for tid, ks in meta["techniques"].items():
        assert [data[k]["name"] for k in ks] == [f"technique:{tid}:{p}" for p in ("plane", "incisions", "ports")]
        assert data[ks[0]]["coloraxis"] == "coloraxis"
    assert course_fig.layout.coloraxis.cmax == 15.0
    shown = [tid for tid, ks in meta["techniques"].items() if all(data[k].get("visible", True) is True for k in ks)]
    assert shown == ["deep_plane"], "one technique shown at first: the first storyboard's"
    assert len(data) == 6 + 2 + len(meta["nerves"]) + 3 * len(meta["techniques"])


def test_course_nerve_menu(course_fig, model_coarse):
    meta, nerves = course_meta(course_fig), model_coarse.anatomy.nerves
    menu = menus(course_fig)["nerves"]
    assert [b["label"] for b in menu["buttons"]] == ["All", "Facial nerve only", "Sensory only", "None"]
    kinds = [nerves[n].kind for n in nerves]
    want = [[True] * len(kinds), [k == "motor" for k in kinds], [k == "sensory" for k in kinds], [False] * len(kinds)]
    for button, visible in zip(menu["buttons"], want):
        assert button["method"] == "restyle"
        assert button["args"] == [{"visible": visible}, meta["nerves"]]


def test_course_technique_menu_shows_exactly_one_technique(course_fig, model_coarse):
    meta = course_meta(course_fig)
    menu = menus(course_fig)["technique"]
    assert menu["type"] == "dropdown"
    indices = [k for ks in meta["techniques"].values() for k in ks]
    assert len(menu["buttons"]) == len(meta["techniques"])
    for button, (tid, ks) in zip(menu["buttons"], meta["techniques"].items()):
        update, targets = button["args"]
        assert button["method"] == "restyle" and targets == indices
        assert [k for k, v in zip(targets, update["visible"]) if v] == ks, tid
        assert button["label"].split()[0] in model_coarse.anatomy.techniques[tid].label


def test_course_steps_replay_both_storyboards(course_fig, model_coarse):
    from facelayers.render.structures import HIGHLIGHT
    from facelayers.teaching.storyboard import load_storyboards

    boards = load_storyboards(model_coarse.anatomy)
    layout, meta = course_fig.to_dict()["layout"], course_meta(course_fig)
    assert [s["name"] for s in layout["sliders"]] == ["step"]
    steps = layout["sliders"][0]["steps"]
    want = [(b, s) for b in boards.values() for s in b.steps]
    assert len(steps) == len(want) == len(meta["steps"])
    caption = [a.get("name") for a in layout["annotations"]].index("caption")
    n = len(course_fig.data)
    for slider_step, (board, step), ids in zip(steps, want, meta["steps"]):
        state = step.state()
        assert ids == [board.storyboard_id, step.number]
        assert slider_step["method"] == "update"
        data, lay, targets = slider_step["args"]
        assert targets == list(range(n))
        assert lay["scene.camera"] == CAMERAS[state.camera] and lay["scene.camera"] in CAMERAS.values()
        assert lay["title.text"] == f"Step {step.number}: {step.title}"
        text = lay[f"annotations[{caption}].text"]
        assert "Nerves at risk" in text and step.caption.split()[0] in text
        # A step that raises the flap in the lessons says the file shows the skin before it is lifted.
        assert ("flap is raised here" in text) == (state.flap_mm > 0)
        visible = data["visible"]
        bare = state.outermost == "bone"  # the drawn skull instead of the floor (the brow lift's steps on bone)
        assert [visible[k] for k in meta["layers"]] == ([k >= state.peel and not (bare and k == 5) for k in range(6)]
                                                        + [state.shown("skin"), bare])
        assert all(visible[k] for k in meta["nerves"])
        on = [tid for tid, ks in meta["techniques"].items() if all(visible[k] for k in ks)]
        assert on == [state.technique]
        assert sum(visible[k] for ks in meta["techniques"].values() for k in ks) == 3
        lit = {course_fig.data[k].name[6:] for k in meta["nerves"] if data["line.color"][k] == HIGHLIGHT}
        picked = course._picked_nerves(model_coarse, state.pick)
        assert lit == picked
        if state.pick and state.pick.startswith("nerve:"):
            assert lit == {state.pick[6:]}
    assert any(s["args"][0]["line.color"].count(HIGHLIGHT) for s in steps), "some step highlights a nerve"


def test_course_menus_and_fonts_are_readable_and_left_of_the_scene(course_fig):
    layout = course_fig.to_dict()["layout"]
    left = layout["scene"]["domain"]["x"][0]
    for menu in layout["updatemenus"]:
        # One column; the last row holds two menus side by side (Expression, Case), both left of the scene.
        assert menu["font"]["size"] >= 16 and menu["xanchor"] == "left"
        assert menu["x"] < 0.05 or (menu["name"] == "case" and menu["x"] < left - 0.05), menu["name"]
    tops = [m["y"] for m in layout["updatemenus"]]
    assert tops == sorted(tops, reverse=True), "one column, top to bottom"
    for note in layout["annotations"]:
        assert note["font"]["size"] >= 16, note["text"]
        if (note.get("name") or "").startswith("menu:") and note["name"] != "menu:storyboard":
            assert note["x"] < left
    slider = layout["sliders"][0]
    assert slider["font"]["size"] >= 16 and slider["x"] >= left
    assert layout["title"]["font"]["size"] >= 16


# ----------------------------------------------------------------------------------------------------
# The page's encoding: delta filter, arrays stored once, deflate, and back


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

CODES = list(offline_page.DTYPES)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(CODES).flatmap(lambda code: hnp.arrays(np.dtype(offline_page.DTYPES[code]),
                                                               st.integers(0, 300))))
def test_delta_filter_round_trips_bit_for_bit(array):
    """Any dtype the page knows, any values (NaN, inf, -0.0, wrap-around): back to the same bytes."""
    code = offline_page._code(array)
    data = offline_page.delta_filter(array)
    assert len(data) == array.nbytes
    back = offline_page.undo_delta_filter(data, code, array.shape)
    assert back.dtype == np.dtype(offline_page.DTYPES[code])
    assert back.tobytes() == np.ascontiguousarray(array, dtype=back.dtype).tobytes()


def test_uint16_indices_round_trip_and_compress():
    faces = np.arange(60_000, dtype=np.uint16)  # a grid's index run: the filter turns it into ones
    data = offline_page.delta_filter(faces)
    assert np.array_equal(offline_page.undo_delta_filter(data, "u2", faces.shape), faces)
    assert len(zlib.compress(data, 9)) < len(zlib.compress(faces.tobytes(), 9)) / 20


def test_pack_stores_identical_arrays_once_and_unpacks_them():
    shared = np.arange(12, dtype=np.uint16)
    custom = np.arange(10, dtype=np.float32).reshape(5, 2)
    spec = {"dtype": "u2", "bdata": base64.b64encode(shared.tobytes()).decode()}
    figure = {"data": [{"type": "mesh3d", "i": shared, "j": shared.copy(), "customdata": custom},
                       {"type": "mesh3d", "i": spec, "x": np.float32([1, np.nan]), "name": "b"}],
              "layout": {"updatemenus": [{"buttons": [{"args": [{"i": [shared, spec]}]}]}], "title": "t"}}
    packed = offline_page.pack(figure, {"displaylogo": False}, b"window.Plotly = {};", "test")
    header, arrays, script = offline_page.unpack(packed.blob)
    assert len(arrays) == 3, "shared (4 uses, as arrays and as a plotly spec), customdata, x"
    assert script == b"window.Plotly = {};" and header["config"] == {"displaylogo": False}
    back = offline_page.revive(header["figure"], arrays)
    for value in (back["data"][0]["i"], back["data"][0]["j"], back["data"][1]["i"],
                  *back["layout"]["updatemenus"][0]["buttons"][0]["args"][0]["i"]):
        assert value.dtype == np.uint16 and np.array_equal(value, shared)
    assert back["data"][0]["customdata"].shape == (5, 2) and np.array_equal(back["data"][0]["customdata"], custom)
    assert np.isnan(back["data"][1]["x"][1]) and back["data"][1]["name"] == "b" and back["layout"]["title"] == "t"


def test_an_array_plotly_js_cannot_type_is_named():
    with pytest.raises(ValueError, match=r"dtype float16 has no plotly.js typed array"):
        offline_page.figure_arrays({"data": [{"x": np.zeros(3, np.float16)}]})


def test_a_page_that_is_not_ours_is_named():
    with pytest.raises(ValueError, match="not a facelayers offline page"):
        offline_page.read_page("<html></html>")


def test_the_wheel_ships_the_vendored_bundle_and_its_licence(tmp_path):
    """An export must work after a plain `pip install` with no network: the bundle is inside the package."""
    import zipfile

    pytest.importorskip("hatchling")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(REPO)], check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("facelayers-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"facelayers/delivery/static/plotly-gl3d.min.js", "facelayers/delivery/static/LICENSE-plotly.js.txt"} <= names
