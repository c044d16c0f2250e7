"""``python -m benchmarks.bench``: the report names every metric, the JSON holds finite numbers, the write is atomic.

One quick run (no 400k build, a few seconds) in a subprocess, shared by the tests below; it is not marked
``browser``, so ``make test-unit`` runs it. The targets themselves are not asserted here: the bench reports.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import bench

REPO = Path(__file__).resolve().parents[1]

#: Every key a quick run must write (the 400k case is skipped by --quick).
REQUIRED = (
    "build_s", "figure_bytes", "raw_bytes", "figure_ratio", "toggle_bytes", "toggle_ms", "rebuild_bytes",
    "rebuild_ms", "toggle_vs_rebuild", "peel_bytes", "camera_bytes", "cutaway_bytes", "cutaway_ms",
    "section_ms", "peak_rss_mb", "build_s_25k", "build_s_100k", "n_triangles_25k", "n_triangles_100k",
    "scaling_exponent",
)
SKIPPED_BY_QUICK = ("build_s_400k", "n_triangles_400k")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "b.json"
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench", "--quick", "--out", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=out.parent)
    assert proc.returncode == 0, f"bench failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout, json.loads(out.read_text()), out


def test_json_has_every_metric_as_a_finite_number(quick_run):
    _, results, _ = quick_run
    assert set(results) >= {"metrics", "targets", "passed", "machine"}
    metrics = results["metrics"]
    missing = [key for key in REQUIRED if key not in metrics]
    assert not missing, f"missing metrics: {missing}"
    for key, value in metrics.items():
        assert isinstance(value, (int, float)) and not isinstance(value, bool), f"{key} = {value!r}"
        assert math.isfinite(value), f"{key} = {value!r}"
    assert not set(SKIPPED_BY_QUICK) & set(metrics), "--quick must skip the 400k build"
    assert metrics["toggle_bytes"] > 0, "the MessageMeter saw nothing: is it still wrapping the comm?"
    assert metrics["rebuild_bytes"] > metrics["raw_bytes"] > 0
    assert metrics["figure_ratio"] == pytest.approx(metrics["figure_bytes"] / metrics["raw_bytes"])
    assert metrics["toggle_vs_rebuild"] == pytest.approx(metrics["rebuild_bytes"] / metrics["toggle_bytes"])


def test_targets_and_passed_agree(quick_run):
    _, results, _ = quick_run
    for key in ("build_s", "figure_ratio", "toggle_bytes", "toggle_vs_rebuild", "scaling_exponent",
                "peak_rss_mb"):
        assert key in results["targets"], key
    assert set(results["passed"]) == set(results["targets"])
    for key, target in results["targets"].items():
        value = results["metrics"][key]
        expected = {"<=": value <= target["value"], ">=": value >= target["value"],
                    "==": value == target["value"]}[target["op"]]
        assert results["passed"][key] is expected, key
    machine = results["machine"]
    assert {"python", "numpy", "plotly", "cpu_count"} <= set(machine)


def test_table_names_every_metric_and_each_missed_target(quick_run):
    stdout, results, _ = quick_run
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\|\s*(\w+)\s*\|\s*([^|]*?)\s*\|", stdout, re.M)}
    for key in [*results["metrics"], *SKIPPED_BY_QUICK]:
        assert key in rows, f"the table has no row for {key}:\n{stdout}"
    assert rows["toggle_bytes"] == f"{results['metrics']['toggle_bytes']:,}"  # same figure as the JSON
    missed = [key for key, ok in results["passed"].items() if not ok]
    if missed:
        summary = stdout[stdout.index("TARGETS MISSED"):]
        assert all(f"- {key} " in summary for key in missed), stdout
    else:
        assert "targets met" in stdout


# --- the atomic writer, in process --------------------------------------------------------------------


def test_write_results_writes_parseable_json_and_no_stray_files(tmp_path):
    path = tmp_path / "r.json"
    bench.write_results(path, {"metrics": {"a": 1.5}})
    assert json.loads(path.read_text()) == {"metrics": {"a": 1.5}}
    assert os.listdir(tmp_path) == ["r.json"]


@pytest.mark.parametrize("bad", [object(), float("nan")], ids=["unserialisable", "nan"])
def test_a_failure_while_serialising_leaves_the_old_file_and_no_partial_one(tmp_path, bad):
    path = tmp_path / "r.json"
    path.write_text('{"old": true}\n')
    # A large first part so the encoder has already written to the temporary file when it fails.
    results = {"metrics": {f"m{i}": float(i) for i in range(5000)}, "zz": bad}
    with pytest.raises((TypeError, ValueError)):
        bench.write_results(path, results)
    assert path.read_text() == '{"old": true}\n'
    assert os.listdir(tmp_path) == ["r.json"]


def test_a_failure_before_the_rename_leaves_nothing_behind(tmp_path, monkeypatch):
    def no_replace(src, dst):
        assert Path(src).read_text().startswith("{"), "the temporary file should be complete"
        raise OSError("injected")

    monkeypatch.setattr(bench.os, "replace", no_replace)
    path = tmp_path / "r.json"
    with pytest.raises(OSError, match="injected"):
        bench.write_results(path, {"metrics": {"a": 1.0}})
    assert os.listdir(tmp_path) == []
