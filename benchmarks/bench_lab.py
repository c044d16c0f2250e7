"""Click to visible change in JupyterLab, in headless Chromium: what a student waits for after a click.

Used by :mod:`benchmarks.bench` (``make bench``; skipped with ``--no-lab``, ``--no-browser`` or ``--quick``).
Serves a temporary copy of ``notebooks/`` with JupyterLab on loopback (its own settings, no autosave), opens a
lesson, runs it, then times three clicks a student makes:

* ``lab_toggle_ms``: lesson 01, untick **Skin**;
* ``lab_technique_ms``: lesson 03, **Show B** (the comparer switches to the endoscopic brow lift);
* ``lab_step_ms``: lesson 04, **Next** (the storyboard's next step).

Each time runs from just before the click (``performance.now()`` in the page) to the animation frame after
the state of any plotly figure on the page changed (its traces and layout, arrays compared by length): the frame
that shows the change. Best of :data:`REPEATS` where the click can be
undone and repeated (the toggle), else one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from benchmarks.bench_browser import CHROMIUM, FLAGS

__all__ = ["NOTEBOOKS", "measure"]

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
REPEATS = 3
SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
}

#: A signature of every plotly figure's drawn state (its traces and layout, each array reduced to its length);
#: a click has shown its effect once this changes.
SIGNATURE = """() => JSON.stringify(Array.from(document.querySelectorAll('.js-plotly-plot')).map((el) =>
    [el.data || [], el.layout || {}]), (key, value) =>
    (ArrayBuffer.isView(value) || (Array.isArray(value) && value.length > 64)) ? value.length : value)"""
NEXT_FRAME = "() => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())))"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Lab:
    """JupyterLab on loopback serving ``root``, in its own process group (stopped with its kernels)."""

    def __init__(self, root: Path, home: Path):
        self.port = _free_port()
        settings = home / "user-settings"
        for name, value in SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value), encoding="utf-8")
        args = [str(Path(sys.prefix) / "bin" / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1",
                f"--port={self.port}", "--ServerApp.port_retries=0", "--IdentityProvider.token=",
                "--ServerApp.password=", "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={root}",
                f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={home / 'workspaces'}"]
        if hasattr(os, "getuid") and os.getuid() == 0:
            args.append("--allow-root")
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
               "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython")}
        self.log = open(home / "lab.log", "w", encoding="utf-8")  # noqa: SIM115  (closed in stop())
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited ({self.proc.returncode}); log: {home / 'lab.log'}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError("JupyterLab did not answer in 120 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
            except ProcessLookupError:
                pass
        self.log.close()


def _open_and_run(page, base: str, notebook: str) -> None:
    page.goto(f"{base}/lab/tree/{quote(notebook)}?reset", wait_until="domcontentloaded")
    page.wait_for_function("""(path) => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        const k = w && w.context && w.context.path === path && w.sessionContext.session
                  && w.sessionContext.session.kernel;
        return !!(k && k.status === 'idle'); }""", arg=notebook, timeout=180_000, polling=250)
    page.evaluate("() => { window.__run = 'running'; window.jupyterapp.commands.execute('notebook:run-all-cells')"
                  ".then(() => { window.__run = 'done'; }, () => { window.__run = 'error'; }); }")
    page.wait_for_function("""() => { if (window.__run === 'running') return false;
        const w = window.jupyterapp.shell.currentWidget, k = w.sessionContext.session.kernel;
        return k.status === 'idle' && !Array.from(w.node.querySelectorAll('.jp-InputPrompt'))
            .some((p) => p.textContent.includes('[*]')); }""", timeout=600_000, polling=250)


def _timed_click(page, locator, timeout_ms: float = 120_000) -> float:
    """Milliseconds from just before a real click on ``locator`` to the frame after the figures' state changed."""
    locator.scroll_into_view_if_needed()
    locator.click(trial=True, timeout=timeout_ms)  # visible, stable, enabled and on top: then time the click
    page.wait_for_timeout(300)  # let a scroll's own redraw settle, so it is not taken for the click's
    before = page.evaluate(SIGNATURE)
    box = locator.bounding_box()
    t0 = page.evaluate("() => performance.now()")
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function(f"(before) => ({SIGNATURE})() !== before", arg=before, timeout=timeout_ms,
                           polling="raf")
    return float(page.evaluate(NEXT_FRAME)) - t0


def _wait_for_trace(page, name: str) -> None:
    page.wait_for_function("(name) => Array.from(document.querySelectorAll('.js-plotly-plot'))"
                           ".some((el) => el._fullLayout && (el.data || []).some((t) => t.name === name))",
                           arg=name, timeout=300_000, polling=500)


def _toggle(page) -> float:
    skin = (page.locator(".widget-checkbox").filter(has_text=re.compile(r"^\W*Skin\W*$")).first
            .locator("input[type=checkbox]"))
    times = []
    for _ in range(REPEATS):
        times.append(_timed_click(page, skin))  # untick
        _timed_click(page, skin)  # tick again
    return min(times)


#: (metric, lesson, a trace to wait for, the timed click)
CLICKS = (
    ("lab_toggle_ms", "notebooks/01_layers_of_the_face.ipynb", "layer:skin", _toggle),
    ("lab_technique_ms", "notebooks/03_blind_versus_endoscopic.ipynb", "technique:plane",
     lambda page: _timed_click(page, page.locator(".widget-toggle-buttons button", has_text="Show B").first)),
    ("lab_step_ms", "notebooks/04_procedures_step_by_step.ipynb", "technique:plane",
     lambda page: _timed_click(page, page.locator(".widget-button", has_text="Next").first)),
)


def measure(root: Path = NOTEBOOKS, problems: list[str] | None = None) -> dict[str, float]:
    """Run the three lessons in JupyterLab and time the three clicks; ``{metric: ms}``.

    A click whose effect never shows (or a lesson that fails to run) is left out of the result and described
    in ``problems`` (when given), so one bad lesson does not lose the rest of a benchmark run.
    """
    from playwright.sync_api import sync_playwright

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="facelayers-lab-bench-") as tmp:
        served = Path(tmp) / "notebooks"
        shutil.copytree(root, served, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        home = Path(tmp) / "home"
        home.mkdir()
        lab = _Lab(Path(tmp), home)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
                try:
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    for metric, notebook, trace, click in CLICKS:
                        try:
                            _open_and_run(page, lab.url, notebook)
                            _wait_for_trace(page, trace)
                            out[metric] = click(page)
                        except Exception as exc:  # noqa: BLE001  (reported, and the other lessons still run)
                            if problems is not None:
                                problems.append(f"{metric}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
                finally:
                    browser.close()
        finally:
            lab.stop()
    return out
