"""Time and size what the lessons do.

Usage: ``python -m benchmarks.bench [--out bench-results.json] [--quick] [--no-browser] [--no-lab] [--keep DIR]``.

Prints a markdown table (metric, value, unit, target, result) and writes the same figures as JSON
(``{"metrics", "targets", "passed", "machine", "run"}``) atomically to ``--out``. Missing a target is reported,
not an error: the exit status is 0 unless the benchmark itself breaks.

What is measured (all in this one process, started fresh; ``peak_rss_mb`` is the high-water mark after the lesson-01
session, ``peak_rss_all_mb`` after everything):

* ``build_s``: ``build_face()`` at lecture resolution, best of 5 after one warm-up (the warm-up also loads
  and validates the data, which is cached per process).
* ``figure_bytes``: the figure's JSON as the notebook receives it (plotly's mimetype payload: arrays as base64
  typed arrays); ``raw_bytes``: the same meshes as bare arrays (float32 x, y, z, customdata, intensity; uint16
  i, j, k);
  ``figure_ratio`` is their quotient. ``html_json_bytes`` is ``fig.to_json()``, which also escapes every "/" as
  "\\u002f" for embedding in HTML (about +6% on base64 text); it is reported, not targeted.
* ``toggle_*``, ``peel_bytes``, ``skull_*``, ``camera_bytes``, ``cutaway_*``, ``section_ms``: a :class:`LayerExplorer` on
  the lecture model, driven through its controls; bytes are what its 3D ``FigureWidget`` sends over its comm
  (:class:`benchmarks.message_meter.MessageMeter`), times are Python wall time of the change.
* ``rebuild_*``: the alternative to a toggle, re-sending the whole figure: bytes of the ``FigureWidget``
  state update carrying ``_widget_data`` and ``_widget_layout``; time of ``face_figure`` + ``to_json``.
* ``build_s_25k`` / ``_100k`` / ``_400k``: ``build_face`` at (nu, nv) with nu ~ 1.7 nv giving about that many
  triangles over the six surfaces, and ``scaling_exponent``, the slope of log time against log triangles.
  ``--quick`` skips the 400k case.

* ``notebook_figure_bytes``: lesson 01's figure as its ``FigureWidget`` first sends it (every array binary).
* ``export_html_mb`` / ``export_course_mb``: the offline files at the lecture grid; with PyVista installed (the
  ``bench`` extra), ``peer_html_mb`` is PyVista's ``export_html`` of the same meshes (the six surfaces and the
  drawn skull that the file's "Bone" button shows), written in this run,
  and ``export_size_ratio`` / ``course_size_ratio`` the quotients.
* ``first_frame_ms``, ``course_first_frame_ms``, ``peer_first_frame_ms``, ``first_frame_ratio``: time from
  navigation to the first frame that draws the head, in headless Chromium (:mod:`benchmarks.bench_browser`),
  the files opened in turn for three rounds, best kept. In our files that frame is the page's WebGL preview of
  the same arrays, drawn before plotly.js runs; ``interactive_ms`` / ``course_interactive_ms`` are when plotly
  has drawn and the controls work (PyVista's file is interactive at its first frame: ``peer_interactive_ms``);
  ``*_shown_ms`` the animation frame after the first one (the frame with the head produced, software WebGL
  included). ``export_console_errors`` and ``export_requests`` must be 0. Skipped with ``--no-browser`` or
  ``--quick``, or without chromium/playwright (the table says why).
* ``lab_toggle_ms``, ``lab_technique_ms``, ``lab_step_ms``: in JupyterLab, from a click (untick Skin in lesson
  01, Show B in lesson 03, Next in lesson 04) to the frame that shows its effect (:mod:`benchmarks.bench_lab`).
  Skipped with ``--no-lab`` as well.

plotly and ipywidgets are imported inside the functions that need them.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["METRICS", "Metric", "format_table", "main", "resolution_for", "run", "write_results"]

#: Triangle counts of the scaling runs, by label.
SCALING = {"25k": 25_000, "100k": 100_000, "400k": 400_000}
QUICK_SKIPS = ("400k",)
#: Columns around per row up in the scaling runs (the lecture grid is 118 x 73, about 1.6; the classic 144 x 84 about 1.7).
ASPECT = 1.7
BUILD_REPEATS = 5
SCALING_REPEATS = 5


@dataclass(frozen=True)
class Metric:
    """One row of the report.

    op / target : the pass condition ``value <op> target`` (op ``<=``, ``>=`` or ``==``), or None for
    an informational figure. fmt : how the value prints (``s``, ``ms``, ``bytes``, ``int``, ``ratio``,
    ``big``, ``exp``, ``mb``).
    """

    key: str
    unit: str
    fmt: str
    op: str | None = None
    target: float | None = None
    note: str = ""

    def check(self, value: float) -> bool | None:
        if self.op is None:
            return None
        return {"<=": value <= self.target, ">=": value >= self.target, "==": value == self.target}[self.op]

    def target_text(self) -> str:
        if self.op is None:
            return "-"
        if float(self.target).is_integer() and abs(self.target) >= 1000:
            return f"{self.op} {int(self.target):,}"
        return f"{self.op} {self.target:g}"


#: Every row, in table order.
METRICS: tuple[Metric, ...] = (
    Metric("build_s", "s", "s", "<=", 0.3, "build_face() lecture, best of 5"),
    Metric("n_triangles", "triangles", "int", note="lecture model, six surfaces"),
    Metric("patient_build_s", "s", "s", "<=", 0.5, "build_face(patient=man, 30 y, BMI 32) lecture, best of 5"),
    Metric("patients_compare_s", "s", "s", note="margins of skin-only in two new patients (patients view), lecture"),
    Metric("figure_bytes", "B", "bytes", note="JSON of the notebook payload (fig.to_plotly_json())"),
    Metric("html_json_bytes", "B", "bytes", note="fig.to_json(): also escapes '/' for HTML"),
    Metric("raw_bytes", "B", "bytes", note="Mesh3d arrays as they are (float32, uint16)"),
    Metric("figure_ratio", "x", "ratio", "<=", 1.4, "figure_bytes / raw_bytes"),
    Metric("toggle_bytes", "B", "bytes", "<=", 1024, "untick Skin: comm bytes"),
    Metric("toggle_mesh_fields", "fields", "int", "==", 0, "geometry arrays sent by the toggle"),
    Metric("toggle_ms", "ms", "ms", note="untick Skin: Python time"),
    Metric("rebuild_bytes", "B", "bytes", note="whole figure as a FigureWidget sends it"),
    Metric("rebuild_ms", "ms", "ms", note="face_figure + to_json"),
    Metric("toggle_vs_rebuild", "x", "big", ">=", 1000, "rebuild_bytes / toggle_bytes"),
    Metric("peel_bytes", "B", "bytes", note="peel slider 0 -> 1"),
    Metric("skull_first_bytes", "B", "bytes", "<=", 700_000,
           "peel 0 -> 5 the first time: the drawn skull's geometry, sent once (render.skull_stage)"),
    Metric("skull_first_ms", "ms", "ms", note="peel 0 -> 5 the first time: build and send the skull, Python time"),
    Metric("skull_toggle_bytes", "B", "bytes", "<=", 1024, "peel 5 -> 4 -> 5 again: visibility only"),
    Metric("camera_bytes", "B", "bytes", note="camera preset -> front"),
    Metric("cutaway_bytes", "B", "bytes", note="cutaway none -> cheek (geometry re-sent)"),
    Metric("cutaway_ms", "ms", "ms", note="cutaway none -> cheek"),
    Metric("section_ms", "ms", "ms", note="move the cross-section, best of 3"),
    Metric("highlight_bytes", "B", "bytes", "<=", 1024, "pick a nerve branch on the nerve explorer"),
    Metric("zones_bytes", "B", "bytes", "<=", 1024, "danger zones on (visibility only)"),
    Metric("ligaments_bytes", "B", "bytes", "<=", 1024, "ligaments on (visibility only)"),
    Metric("clearance_map_s", "s", "s", "<=", 0.2, "deep-plane planes vs all nerves, both sides, best of 3"),
    Metric("scope_move_bytes", "B", "bytes", note="scope traces + endoscope view (geometry)"),
    Metric("scope_move_ms", "ms", "ms", note="push the scope in"),
    Metric("storyboard_step_bytes_median", "B", "bytes", note="step player: next step (endoscopic brow)"),
    Metric("storyboard_step_bytes_max", "B", "bytes", note="largest step (a technique or scope change)"),
    Metric("storyboard_step_ms_median", "ms", "ms", note="step player: next step"),
    Metric("quiz_answer_bytes", "B", "bytes", note="a click answer: 3 marker traces + 2 labels move"),
    Metric("quiz_answer_ms", "ms", "ms", note="score a click and draw the feedback"),
    Metric("notebook_figure_bytes", "B", "bytes", "<=", 1_800_000,
           "lesson 01's figure as its FigureWidget first sends it (MessageMeter)"),
    Metric("notebook_figure_triangles", "triangles", "int",
           note="triangles in that figure (six surfaces, ears, globes): about 17 B each over the comm"),
    Metric("export_html_mb", "MB", "ratio", "<=", 2.24, "lesson 01 offline HTML, lecture grid (PyVista: 2.24)"),
    Metric("export_course_mb", "MB", "ratio", "<=", 3.36, "the course offline HTML, lecture grid (1.5 x 2.24)"),
    Metric("export_s", "s", "s", note="python -m facelayers export 01"),
    Metric("peer_html_mb", "MB", "ratio", note="PyVista export_html of lesson 01's six meshes and skull (bench extra)"),
    Metric("export_size_ratio", "x", "ratio", "<=", 1.0, "lesson 01 file / PyVista's, same run"),
    Metric("course_size_ratio", "x", "ratio", "<=", 1.5, "course file / PyVista's lesson 01, same run"),
    Metric("first_frame_ms", "ms", "ms",
           note="lesson 01 file: first drawn frame (its WebGL preview), headless Chromium, best of 3"),
    Metric("course_first_frame_ms", "ms", "ms", note="course file: first drawn frame (its preview), best of 3"),
    Metric("peer_first_frame_ms", "ms", "ms", note="PyVista's file: first drawn frame, best of 3, same rounds"),
    Metric("first_frame_ratio", "x", "ratio", "<=", 1.0, "lesson 01 first frame / PyVista's"),
    Metric("course_first_frame_ratio", "x", "ratio", note="course first frame / PyVista's lesson 01"),
    Metric("first_frame_shown_ms", "ms", "ms", note="lesson 01: the frame after the first (that frame produced)"),
    Metric("peer_first_frame_shown_ms", "ms", "ms", note="PyVista's file: the same"),
    Metric("interactive_ms", "ms", "ms", note="lesson 01: plotly has drawn, menus and slider work, best of 3"),
    Metric("course_interactive_ms", "ms", "ms", note="course: plotly has drawn, page parts run, best of 3"),
    Metric("peer_interactive_ms", "ms", "ms", note="PyVista's file: interactive at its first frame (vtk.js)"),
    Metric("interactive_ratio", "x", "ratio", note="lesson 01 interactive / PyVista's"),
    Metric("lab_toggle_ms", "ms", "ms", note="JupyterLab, lesson 01: click Skin -> the frame without it, best of 3"),
    Metric("lab_technique_ms", "ms", "ms", note="JupyterLab, lesson 03: click Show B -> the other technique drawn"),
    Metric("lab_step_ms", "ms", "ms", note="JupyterLab, lesson 04: click Next -> the next step drawn"),
    Metric("export_console_errors", "", "int", "==", 0, "console errors opening our files"),
    Metric("export_requests", "", "int", "==", 0, "requests other than file:, data:, blob: from our files"),
    Metric("nbval_s", "s", "s", note="every lesson under pytest --nbval-lax (skipped with --quick)"),
    Metric("nbval_failed", "", "int", "==", 0, "the nbval run passed"),
    Metric("technique_switch_bytes", "B", "bytes", note="plane + incision + port (+ scope) traces only"),
    Metric("technique_switch_other_traces", "traces", "int", "==", 0, "traces other than technique/scope touched"),
    Metric("technique_switch_ms", "ms", "ms", note="switch on the dissection comparer (placement cached)"),
    Metric("flap_raise_bytes", "B", "bytes", "<=", 1_000_000,
           "raise the skin-only flap 25 mm (holed layers + flap: geometry)"),
    Metric("flap_raise_ms", "ms", "ms", note="raise the flap on the dissection comparer (holes cached after)"),
    Metric("flap_raise_other_traces", "traces", "int", "==", 0,
           "traces other than layers (and the globes shown with the skin), the flap and the nerves it carries touched"),
    Metric("highlight_mesh_fields", "fields", "int", "==", 0, "geometry fields in the pick's messages"),
    Metric("expression_change_bytes", "B", "bytes", "<=", 300_000, "expression explorer: smile -> raise brows, both faces"),
    Metric("expression_change_ms", "ms", "ms", "<=", 200, "expression change: Python time, best of 4"),
    Metric("highlight_ms", "ms", "ms", note="pick (style + depth profile), best of 4"),
    *(m for label in SCALING for m in (
        Metric(f"build_s_{label}", "s", "s", note=f"build_face at ~{label} triangles, best of {SCALING_REPEATS}"),
        Metric(f"n_triangles_{label}", "triangles", "int"),
    )),
    Metric("scaling_exponent", "", "exp", "<=", 1.15, "slope of log time vs log triangles"),
    Metric("peak_rss_mb", "MB", "mb", "<=", 300, "high-water mark after the lesson-01 session (model, figure, explorer)"),
    Metric("peak_rss_all_mb", "MB", "mb", note="high-water mark of the whole run (every explorer of lessons 02-05)"),
)
METRIC_BY_KEY = {m.key: m for m in METRICS}

#: Trace properties that carry geometry; a visibility toggle must send none of them.
GEOMETRY_KEYS = frozenset({"x", "y", "z", "i", "j", "k", "customdata", "intensity"})


def _fmt(value: float, fmt: str) -> str:
    if fmt in ("bytes", "int"):
        return f"{int(round(value)):,}"
    if fmt == "s":
        return f"{value:.3g}" if value < 1 else f"{value:.2f}"
    if fmt == "ms":
        return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
    if fmt == "ratio":
        return f"{value:.3f}"
    if fmt == "big":
        return f"{value:,.0f}"
    if fmt == "exp":
        return f"{value:.2f}"
    if fmt == "mb":
        return f"{value:.0f}"
    return f"{value:g}"


# ----------------------------------------------------------------------------------------------------
# measurements


def _best_of(fn: Callable[[], object], repeats: int, warmup: int = 1) -> float:
    """Shortest wall time (s) of ``repeats`` calls of ``fn`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def resolution_for(triangles: int, aspect: float = ASPECT) -> tuple[int, int]:
    """(nu, nv) with nu ~ ``aspect`` * nv whose six surfaces have about ``triangles`` triangles.

    A grid of nu columns and nv rows has 2 nu (nv - 1) quad triangles plus a crown fan of nu, per surface.
    """
    nv = max(6, round(math.sqrt(triangles / (12 * aspect))))
    nu = max(8, round(triangles / (6 * (2 * nv - 1))))
    return nu, nv


def _raw_mesh_bytes(fig) -> int:
    """Bytes of the Mesh3d traces' arrays as they are (x, y, z, i, j, k, customdata, intensity: float32 and
    uint16 here), without any container."""
    total = 0
    for trace in fig.data:
        if trace.type != "mesh3d":
            continue
        for key in ("x", "y", "z", "i", "j", "k", "customdata", "intensity"):
            value = getattr(trace, key)
            total += np.asarray(value).nbytes if value is not None else 0
    return total


def _mesh_fields(meter) -> int:
    """Geometry fields in what a :class:`benchmarks.message_meter.MessageMeter` (``keep=True``) saw."""
    return sum(_geometry_fields(msg, buffers) for msg, buffers in meter.log)


def _geometry_fields(msg, buffers) -> int:
    """How many geometry arrays a comm message carries (binary buffers count one each)."""
    count = len(buffers or [])
    state = msg.get("state", {}) if isinstance(msg, dict) else {}
    for key, value in state.items():
        if key == "_widget_data" or (key == "_py2js_addTraces" and value):
            count += 1
        elif key.startswith("_py2js_") and isinstance(value, dict):
            for part in ("style_data", "restyle_data"):
                count += len(GEOMETRY_KEYS & set(value.get(part) or {}))
    return count


def _measure_build(metrics: dict) -> object:
    from facelayers.model.geometry import build_face

    holder = {}

    def build():
        holder["model"] = build_face()

    metrics["build_s"] = _best_of(build, BUILD_REPEATS, warmup=1)
    model = holder["model"]
    metrics["n_triangles"] = model.n_triangles
    return model


def _measure_patient(metrics: dict) -> None:
    """A patient's build (the thickness table adjusted, then the geometry) and the patients view's update."""
    from facelayers.model.geometry import build_face
    from facelayers.model.margins import compare_patients
    from facelayers.model.patient import Patient

    metrics["patient_build_s"] = _best_of(lambda: build_face(patient=Patient("male", 30, 32)), BUILD_REPEATS)
    start = time.perf_counter()
    compare_patients((Patient("female", 71, 18.5), Patient("male", 33, 33.5)), "skin_only")
    metrics["patients_compare_s"] = time.perf_counter() - start


def _measure_figure(model, metrics: dict) -> None:
    from plotly.utils import PlotlyJSONEncoder

    from facelayers.render import face as render

    fig = render.face_figure(model)
    metrics["figure_bytes"] = len(json.dumps(fig.to_plotly_json(), cls=PlotlyJSONEncoder,
                                             separators=(",", ":")).encode("utf-8"))
    metrics["html_json_bytes"] = len(fig.to_json().encode("utf-8"))
    metrics["raw_bytes"] = _raw_mesh_bytes(fig)
    metrics["figure_ratio"] = metrics["figure_bytes"] / metrics["raw_bytes"]


def _measure_explorer(model, metrics: dict) -> None:
    import plotly.graph_objects as go

    from benchmarks.message_meter import MessageMeter
    from facelayers.render import face as render
    from facelayers.widgets.layer_explorer import LayerExplorer

    ex = LayerExplorer(model)
    meter = MessageMeter(ex.figure, keep=True)

    # Untick Skin: bytes and geometry of the first untick; time best of 5 untick/re-tick cycles.
    meter.reset()
    t0 = time.perf_counter()
    ex.checkboxes["skin"].value = False
    first_ms = 1e3 * (time.perf_counter() - t0)
    metrics["toggle_bytes"] = meter.bytes
    metrics["toggle_mesh_fields"] = _mesh_fields(meter)
    times = [first_ms]
    for _ in range(5):
        ex.checkboxes["skin"].value = True
        t0 = time.perf_counter()
        ex.checkboxes["skin"].value = False
        times.append(1e3 * (time.perf_counter() - t0))
    metrics["toggle_ms"] = min(times)

    # The alternative: rebuild and re-send the whole figure for the same state (skin hidden).
    state = ex.state.with_()
    metrics["rebuild_ms"] = 1e3 * _best_of(lambda: render.face_figure(model, state).to_json(), 3, warmup=0)
    whole = go.FigureWidget(render.face_figure(model, state))
    whole_meter = MessageMeter(whole)
    whole.send_state(["_widget_data", "_widget_layout"])
    metrics["rebuild_bytes"] = whole_meter.bytes
    metrics["toggle_vs_rebuild"] = metrics["rebuild_bytes"] / max(metrics["toggle_bytes"], 1)
    del whole, whole_meter

    ex.checkboxes["skin"].value = True
    meter.reset()
    ex.peel.value = 1
    metrics["peel_bytes"] = meter.bytes
    ex.peel.value = 0

    # Peel to bone: the drawn skull's geometry the first time (lazily, into its placeholder), then a toggle.
    meter.reset()
    t0 = time.perf_counter()
    ex.peel.value = 5
    metrics["skull_first_ms"] = 1e3 * (time.perf_counter() - t0)
    metrics["skull_first_bytes"] = meter.bytes
    ex.peel.value = 4
    meter.reset()
    ex.peel.value = 5
    metrics["skull_toggle_bytes"] = meter.bytes
    ex.peel.value = 0

    meter.reset()
    ex.camera.value = "front" if ex.camera.value != "front" else "left"
    metrics["camera_bytes"] = meter.bytes

    meter.reset()
    t0 = time.perf_counter()
    ex.cutaway.value = "cheek"
    metrics["cutaway_ms"] = 1e3 * (time.perf_counter() - t0)
    metrics["cutaway_bytes"] = meter.bytes

    best = math.inf
    for at in (-10.0, 0.0, 10.0):
        t0 = time.perf_counter()
        ex.section_at.value = at
        best = min(best, time.perf_counter() - t0)
    metrics["section_ms"] = 1e3 * best


def _measure_techniques(model, metrics: dict) -> None:
    """Switching technique on the dissection comparer, and the clearance map (all nerves, both sides)."""
    from benchmarks.message_meter import MessageMeter
    from facelayers.model.nerves import place_all
    from facelayers.model.planes import clearance_map
    from facelayers.model.techniques import place_technique
    from facelayers.widgets.dissection import DissectionComparer

    paths = place_all(model)
    placed = place_technique(model, "deep_plane")

    def maps():
        for plane in placed.planes:
            clearance_map(plane, [p for (nid, side), p in paths.items() if side == plane.side])

    metrics["clearance_map_s"] = _best_of(maps, 3)
    ex = DissectionComparer(model, techniques=("deep_plane", "endoscopic_brow"))
    meter = MessageMeter(ex.figure)
    ex.placed("skin_only")  # placement is cached per technique: time the switch itself
    meter.reset()
    t0 = time.perf_counter()
    ex.technique_a.value = "skin_only"
    metrics["technique_switch_ms"] = 1e3 * (time.perf_counter() - t0)
    metrics["technique_switch_bytes"] = meter.bytes
    metrics["technique_switch_other_traces"] = len([n for n in meter.touched
                                                    if not n.startswith(("technique:", "endoscope:"))])
    ex.show.value = "B"  # the endoscopic technique: move the scope
    meter.reset()
    t0 = time.perf_counter()
    ex.insertion.value = 55
    metrics["scope_move_ms"] = 1e3 * (time.perf_counter() - t0)
    metrics["scope_move_bytes"] = meter.bytes
    ex.show.value = "A"  # the open technique again: raise its flap, as the surgeon meets it
    meter.reset()
    t0 = time.perf_counter()
    ex.flap.value = 25
    metrics["flap_raise_ms"] = 1e3 * (time.perf_counter() - t0)
    metrics["flap_raise_bytes"] = meter.bytes
    metrics["flap_raise_other_traces"] = len([n for n in meter.touched
                                              if not n.startswith(("layer:", "technique:flap", "nerve:"))
                                              and n != "eyes"])  # the globes are shown with the skin


def _measure_lessons_04_05(model, metrics: dict) -> None:
    """A storyboard step (the step player) and a quiz answer (a click on the model), on the widget comm."""
    from benchmarks.message_meter import MessageMeter
    from facelayers.model.nerves import place_all
    from facelayers.teaching.quiz import load_quiz
    from facelayers.teaching.quiz_scoring import answer_on_skin
    from facelayers.teaching.storyboard import load_storyboards
    from facelayers.widgets.player import StoryboardPlayer
    from facelayers.widgets.quiz_widget import QuizPlayer

    boards = load_storyboards(model.anatomy)
    player = StoryboardPlayer(boards["endoscopic_brow"], model)
    meter = MessageMeter(player.figure)
    sizes, times = [], []
    for n in range(2, len(boards["endoscopic_brow"].steps) + 1):
        meter.reset()
        t0 = time.perf_counter()
        player.go_to(n)
        times.append(1e3 * (time.perf_counter() - t0))
        sizes.append(meter.bytes)
    metrics["storyboard_step_bytes_median"] = float(np.median(sizes))
    metrics["storyboard_step_bytes_max"] = float(max(sizes))
    metrics["storyboard_step_ms_median"] = float(np.median(times))
    paths = place_all(model)
    questions = load_quiz(anatomy=model.anatomy)
    quiz = QuizPlayer(model, questions, paths=paths)
    meter = MessageMeter(quiz.figure)
    question = next(q for q in questions if q.kind == "click")
    meter.reset()
    t0 = time.perf_counter()
    quiz.click(answer_on_skin(model, question, paths))
    metrics["quiz_answer_ms"] = 1e3 * (time.perf_counter() - t0)
    metrics["quiz_answer_bytes"] = meter.bytes


def _measure_export(metrics: dict, browser: bool = True, keep: Path | None = None) -> dict:
    """The students' offline HTML at the lecture grid (lesson 01 and the course); with ``browser``, their first
    drawn frame in headless Chromium, and PyVista's export of the same meshes (when installed) in the same
    rounds. Returns what was skipped and why (``{"browser": reason, "peer": reason}``)."""
    import shutil

    from benchmarks import bench_browser
    from facelayers.delivery.export import export
    from facelayers.delivery.layers_offline import layers_meshes
    from facelayers.model.geometry import build_face
    from facelayers.model.skull_parts import skull_parts
    from facelayers.render.face import PALETTE
    from facelayers.render.skull import SKULL_COLOUR

    skipped = {}
    with tempfile.TemporaryDirectory() as tmp:
        ours, course = Path(tmp) / "lesson01.html", Path(tmp) / "course.html"
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            export("01", ours)
        metrics["export_s"] = time.perf_counter() - t0
        with contextlib.redirect_stdout(io.StringIO()):
            export("course", course)
        metrics["export_html_mb"] = ours.stat().st_size / 1e6
        metrics["export_course_mb"] = course.stat().st_size / 1e6
        files = [ours, course]
        peer = None
        if bench_browser.pyvista_available():
            peer = Path(tmp) / "pyvista01.html"
            colours = {f"layer:{k}": v for k, v in PALETTE.items()} | {"skull": SKULL_COLOUR}
            peer_model = build_face()
            # the same meshes as our file: the six surfaces and the drawn skull its "Bone" button shows
            skull_v, skull_f, _ = skull_parts(peer_model).mesh()
            bench_browser.pyvista_export({**layers_meshes(peer_model), "skull": (skull_v, skull_f)}, colours, peer)
            metrics["peer_html_mb"] = peer.stat().st_size / 1e6
            metrics["export_size_ratio"] = metrics["export_html_mb"] / metrics["peer_html_mb"]
            metrics["course_size_ratio"] = metrics["export_course_mb"] / metrics["peer_html_mb"]
            files.append(peer)
        else:
            skipped["peer"] = "PyVista is not installed (pip install 'facelayers[bench]')"
        why = None if browser else "--no-browser"
        why = why or bench_browser.available()
        if why is None:
            try:
                frames = bench_browser.first_frames(files)
            except Exception as exc:  # noqa: BLE001  (a browser that fails is reported, the bench goes on)
                why = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        if why is None:
            metrics["first_frame_ms"] = frames[ours]["best_ms"]
            metrics["course_first_frame_ms"] = frames[course]["best_ms"]
            metrics["first_frame_shown_ms"] = frames[ours]["best_shown_ms"]
            metrics["interactive_ms"] = frames[ours]["best_interactive_ms"]
            metrics["course_interactive_ms"] = frames[course]["best_interactive_ms"]
            metrics["export_console_errors"] = len(frames[ours]["errors"]) + len(frames[course]["errors"])
            metrics["export_requests"] = len(frames[ours]["requests"]) + len(frames[course]["requests"])
            if peer is not None:
                metrics["peer_first_frame_ms"] = frames[peer]["best_ms"]
                metrics["first_frame_ratio"] = metrics["first_frame_ms"] / metrics["peer_first_frame_ms"]
                metrics["course_first_frame_ratio"] = metrics["course_first_frame_ms"] / metrics["peer_first_frame_ms"]
                metrics["peer_first_frame_shown_ms"] = frames[peer]["best_shown_ms"]
                metrics["peer_interactive_ms"] = frames[peer]["best_interactive_ms"]
                metrics["interactive_ratio"] = metrics["interactive_ms"] / metrics["peer_interactive_ms"]
        else:
            skipped["browser"] = why
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            for path in files:
                shutil.copy(path, keep / path.name)
    return skipped


def _measure_lab(metrics: dict, run_it: bool) -> dict:
    """Click to visible change in JupyterLab (:mod:`benchmarks.bench_lab`); returns what was skipped and why."""
    from benchmarks import bench_browser, bench_lab

    why = None if run_it else "--no-lab, --no-browser or --quick"
    why = why or bench_browser.available()
    if why is None and not bench_lab.NOTEBOOKS.is_dir():
        why = f"no lessons at {bench_lab.NOTEBOOKS} (a repository checkout is needed)"
    if why is not None:
        return {"lab": why}
    problems: list[str] = []
    metrics.update(bench_lab.measure(problems=problems))
    return {"lab": "; ".join(problems)} if problems else {}


def _measure_notebook_figure(model, metrics: dict) -> None:
    """Lesson 01's figure as its FigureWidget first sends it to the browser (every trace, every array)."""
    from benchmarks.message_meter import MessageMeter
    from facelayers.widgets.layer_explorer import LayerExplorer

    ex = LayerExplorer(model)
    meter = MessageMeter(ex.figure)
    ex.figure.send_state(["_widget_data", "_widget_layout"])
    metrics["notebook_figure_bytes"] = meter.bytes
    meshes = [t for t in ex.figure.data if t.type == "mesh3d" and t.i is not None]
    metrics["notebook_figure_triangles"] = sum(len(t.i) for t in meshes)


def _measure_nbval(metrics: dict) -> None:
    """The whole lesson run under nbval, as `make test-notebooks` runs it."""
    root = Path(__file__).resolve().parent.parent / "notebooks"
    if not root.is_dir():
        return
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-q",
                           "-p", "no:cacheprovider", str(root)], capture_output=True, text=True)
    metrics["nbval_s"] = time.perf_counter() - t0
    metrics["nbval_failed"] = float(done.returncode != 0)


def _measure_nerves(model, metrics: dict) -> None:
    """Picking a nerve branch on the nerve explorer: bytes sent, geometry fields, Python time."""
    from benchmarks.message_meter import MessageMeter
    from facelayers.widgets.nerve_explorer import NerveExplorer

    ex = NerveExplorer(model)
    meter = MessageMeter(ex.figure, keep=True)
    meter.reset()
    t0 = time.perf_counter()
    ex.set_pick("group:frontal")
    first = 1e3 * (time.perf_counter() - t0)
    metrics["highlight_bytes"] = meter.bytes
    metrics["highlight_mesh_fields"] = _mesh_fields(meter)
    times = [first]
    for pick in ("group:zygomatic", "muscle:frontalis", "nerve:great_auricular"):
        t0 = time.perf_counter()
        ex.set_pick(pick)
        times.append(1e3 * (time.perf_counter() - t0))
    metrics["highlight_ms"] = min(times)
    meter.reset()
    ex.zones.value = True
    metrics["zones_bytes"] = meter.bytes
    meter.reset()
    ex.ligaments.value = True
    metrics["ligaments_bytes"] = meter.bytes


def _measure_expression(model, metrics: dict) -> None:
    """Changing the expression on the expression explorer: bytes sent (moved coordinates only), Python time."""
    from benchmarks.message_meter import MessageMeter
    from facelayers.widgets.expression_explorer import ExpressionExplorer

    ex = ExpressionExplorer(model)
    meter = MessageMeter(ex.figure)
    ex.expression.value = "raise_brows"
    metrics["expression_change_bytes"] = meter.bytes
    times = []
    for name in ("frown", "close_eyes", "smile", "pucker"):
        t0 = time.perf_counter()
        ex.expression.value = name
        times.append(1e3 * (time.perf_counter() - t0))
    metrics["expression_change_ms"] = min(times)


def _measure_scaling(metrics: dict, labels: Sequence[str]) -> dict[str, list[int]]:
    """Build time by resolution. The repeats go round the sizes in turn (not all of one size, then the next),
    so a burst of load from another process lands on every size alike instead of bending the slope."""
    from facelayers.model.geometry import build_face

    used = {label: list(resolution_for(SCALING[label])) for label in labels}
    best = dict.fromkeys(labels, math.inf)
    for label in labels:  # the warm-up, which also counts the triangles
        metrics[f"n_triangles_{label}"] = build_face(resolution=tuple(used[label])).n_triangles
    for _ in range(SCALING_REPEATS):
        for label in labels:
            t0 = time.perf_counter()
            build_face(resolution=tuple(used[label]))
            best[label] = min(best[label], time.perf_counter() - t0)
    for label in labels:
        metrics[f"build_s_{label}"] = best[label]
    tri = np.log([metrics[f"n_triangles_{label}"] for label in labels])
    sec = np.log([best[label] for label in labels])
    metrics["scaling_exponent"] = float(np.polyfit(tri, sec, 1)[0])
    return used


def _peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 / 1024 if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB on Linux


def _machine() -> dict:
    import ipywidgets
    import plotly

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "plotly": plotly.__version__,
        "ipywidgets": ipywidgets.__version__,
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
    }


def run(quick: bool = False, browser: bool = True, keep: Path | None = None, lab: bool = True) -> dict:
    """Measure everything; returns ``{"metrics", "targets", "passed", "machine", "run"}``.

    ``quick`` skips the 400k build, nbval and the browser; ``browser=False`` skips the browser (both parts),
    ``lab=False`` JupyterLab only; ``keep`` is a folder to keep the exported files (ours and the peer's) in."""
    started = time.perf_counter()
    metrics: dict[str, float] = {}
    from facelayers.model.geometry import RESOLUTIONS

    model = _measure_build(metrics)
    _measure_patient(metrics)
    _measure_figure(model, metrics)
    _measure_explorer(model, metrics)
    _measure_notebook_figure(model, metrics)
    metrics["peak_rss_mb"] = _peak_rss_mb()  # the lesson-01 session: model, figure, layer explorer
    _measure_nerves(model, metrics)
    _measure_techniques(model, metrics)
    _measure_lessons_04_05(model, metrics)
    _measure_expression(model, metrics)
    del model
    skipped = _measure_export(metrics, browser=browser and not quick, keep=keep)
    skipped.update(_measure_lab(metrics, lab and browser and not quick))
    if not quick:
        _measure_nbval(metrics)
    labels = [label for label in SCALING if not (quick and label in QUICK_SKIPS)]
    used = _measure_scaling(metrics, labels)
    metrics["peak_rss_all_mb"] = _peak_rss_mb()

    metrics = {m.key: _number(metrics[m.key]) for m in METRICS if m.key in metrics}
    targets = {m.key: {"op": m.op, "value": m.target, "unit": m.unit} for m in METRICS
               if m.op is not None and m.key in metrics}
    passed = {key: bool(METRIC_BY_KEY[key].check(metrics[key])) for key in targets}
    return {
        "metrics": metrics,
        "targets": targets,
        "passed": passed,
        "machine": _machine(),
        "run": {
            "quick": quick,
            "skipped": [f"build_s_{label}" for label in QUICK_SKIPS] if quick else [],
            "not_measured": skipped,
            "fresh_process": True,
            "lecture_resolution": list(RESOLUTIONS["lecture"]),
            "scaling_resolutions": used,
            "duration_s": round(time.perf_counter() - started, 2),
        },
    }


def _number(value) -> int | float:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    return float(value)


# ----------------------------------------------------------------------------------------------------
# report


def format_table(results: dict) -> str:
    """The results as a markdown table, then a line naming every missed target (or saying none was)."""
    metrics, passed = results["metrics"], results["passed"]
    skipped = set(results.get("run", {}).get("skipped", []))
    rows = [("metric", "value", "unit", "target", "result")]
    for m in METRICS:
        if m.key in metrics:
            ok = passed.get(m.key)
            result = "info" if ok is None else ("pass" if ok else "**FAIL**")
            rows.append((m.key, _fmt(metrics[m.key], m.fmt), m.unit, m.target_text(), result))
        elif m.key in skipped or m.key.replace("n_triangles_", "build_s_") in skipped:
            rows.append((m.key, "skipped (--quick)", m.unit, m.target_text(), "-"))
    widths = [max(len(r[c]) for r in rows) for c in range(5)]
    align = ["<", ">", "<", "<", "<"]

    def line(cells):
        return "| " + " | ".join(f"{c:{a}{w}}" for c, a, w in zip(cells, align, widths)) + " |"

    out = [line(rows[0]), "|" + "|".join(("-" * (w + 1) + ":" if a == ">" else "-" * (w + 2))
                                         for a, w in zip(align, widths)) + "|"]
    out += [line(r) for r in rows[1:]]
    missed = [key for key, ok in passed.items() if not ok]
    out.append("")
    if missed:
        out.append(f"TARGETS MISSED ({len(missed)} of {len(passed)}):")
        for key in missed:
            m = METRIC_BY_KEY[key]
            out.append(f"- {key} = {_fmt(metrics[key], m.fmt)} {m.unit}".rstrip()
                       + f", target {m.target_text()} {m.unit}".rstrip() + f" ({m.note})")
    else:
        out.append(f"All {len(passed)} targets met.")
    for what, why in results.get("run", {}).get("not_measured", {}).items():
        out.append(f"Not measured ({what}): {why.rstrip('.')}.")
    mach = results.get("machine", {})
    info = results.get("run", {})
    out.append(f"\npython {mach.get('python')}, numpy {mach.get('numpy')}, plotly {mach.get('plotly')}, "
               f"ipywidgets {mach.get('ipywidgets')}, {mach.get('cpu_count')} CPUs; "
               f"{'quick run, ' if info.get('quick') else ''}fresh process, {info.get('duration_s')} s.")
    return "\n".join(out)


def write_results(path: str | os.PathLike, results: dict) -> Path:
    """Write ``results`` as JSON to ``path`` atomically: a temporary file in the same folder, then
    ``os.replace``. On any failure the temporary file is removed and an existing ``path`` is left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2, allow_nan=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench",
                                     description="time and size the geometry, figure and widget updates")
    parser.add_argument("--out", type=Path, default=Path("bench-results.json"),
                        help="where to write the JSON results (default: bench-results.json)")
    parser.add_argument("--quick", action="store_true",
                        help="skip the 400k-triangle build, nbval and the browser (for tests)")
    parser.add_argument("--no-browser", dest="browser", action="store_false",
                        help="skip the headless-Chromium timings (first drawn frame of the offline files)")
    parser.add_argument("--no-lab", dest="lab", action="store_false",
                        help="skip the JupyterLab timings (click to visible change; about 2 minutes)")
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR",
                        help="keep the exported files (ours and PyVista's) in DIR")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the table, write the JSON. Exit status 0 even when a target is missed."""
    args = build_parser().parse_args(argv)
    results = run(quick=args.quick, browser=args.browser, keep=args.keep, lab=args.lab)
    print(format_table(results))
    out = write_results(args.out, results)
    print(f"Wrote {out}")
    return 0


if __name__ == "__main__":
    # As in facelayers.__main__: jsonschema would import rfc3987_syntax (~0.8 s) for a format we never use.
    sys.modules.setdefault("rfc3987_syntax", None)
    raise SystemExit(main())
