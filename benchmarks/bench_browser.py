"""What a student feels, in headless Chromium: an offline file's first drawn frame, and when its controls work.

Used by :mod:`benchmarks.bench` (``make bench``). Needs playwright and Debian's chromium (the ``test`` extra and
``apt-get install -y chromium``); the peer comparison needs PyVista (the ``bench`` extra).

**First drawn frame.** Before the page's own scripts run, a small script wraps WebGL's draw calls. The first
call that draws at least :data:`MIN_DRAW_VERTICES` vertices (a head, not a menu) marks the frame that shows
the model; the time of the animation frame after it, from the start of navigation (``performance.now()``), is
the first drawn frame. The same measure for any WebGL page, plotly.js or vtk.js: the files are opened in turn,
round after round (ours, the peer's, ours, ...), so a burst of load from elsewhere lands on both alike, and the
best of the rounds is kept. In our files that first frame is the page's WebGL *preview* of the same arrays
(``facelayers/delivery/static/preview.js``), drawn before plotly.js is parsed.

**Shown.** The animation frame after *that* one: the browser has finished producing the frame with the model
(with software WebGL, rasterising it takes a few hundred ms that the first measure does not see). Reported for
every file alike.

**Interactive.** When the controls work. For our files: the later of plotly's first big draw (the frame after
it) and the page's ``facelayers:drawn`` mark (menus, slider and page parts ready); the probe also records
whether ``window.Plotly`` existed at the first big draw. For a page that is not ours (vtk.js), the first
drawn frame: its controls work as soon as it draws.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["CHROMIUM", "MIN_DRAW_VERTICES", "PROBE", "available", "first_frames", "pyvista_available",
           "pyvista_export"]

CHROMIUM = Path(os.environ.get("FACELAYERS_CHROMIUM", "/usr/bin/chromium"))
#: Flags that work on this kind of machine (docs: TECH_NOTES); the proxy sends anything not local to a dead port.
FLAGS = ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         "--proxy-server=http://127.0.0.1:9"]
#: A draw call with at least this many vertices draws a model (a coarse head surface has ~13,000), not a label.
MIN_DRAW_VERTICES = 3_000
VIEWPORT = (1366, 768)

#: Runs before any script of the page: records the first big draw, the animation frame after it and the one after
#: that, whether plotly.js existed then, and the same for the first big draw made once plotly.js exists.
PROBE = """
(() => {
  const rec = window.__firstFrame = {draw: null, frame: null, shown: null, plotlyAtDraw: null,
                                     plotlyDraw: null, plotlyFrame: null};
  const wrap = (proto) => {
    for (const name of ["drawElements", "drawArrays", "drawElementsInstanced", "drawArraysInstanced"]) {
      const orig = proto && proto[name];
      if (!orig) continue;
      proto[name] = function (mode, a, b) {
        const count = name.startsWith("drawElements") ? a : b;
        if (count >= %d) {
          const now = performance.now();  // one clock reading: the first draw may also be plotly's
          if (rec.draw === null) {
            rec.draw = now;
            rec.plotlyAtDraw = typeof window.Plotly;
            requestAnimationFrame(() => {
              rec.frame = performance.now();
              requestAnimationFrame(() => { rec.shown = performance.now(); });
            });
          }
          if (rec.plotlyDraw === null && typeof window.Plotly !== "undefined") {
            rec.plotlyDraw = now;
            requestAnimationFrame(() => { rec.plotlyFrame = performance.now(); });
          }
        }
        return orig.apply(this, arguments);
      };
    }
  };
  wrap(window.WebGLRenderingContext && WebGLRenderingContext.prototype);
  wrap(window.WebGL2RenderingContext && WebGL2RenderingContext.prototype);
})();
""" % MIN_DRAW_VERTICES

#: After the first frame: when the page answers its controls (see the module's docstring), in ms, or null while
#: an offline page of ours is still loading.
INTERACTIVE = """() => {
  const rec = window.__firstFrame, div = document.getElementById("facelayers");
  if (!div || !div.dataset.state) return rec.frame;
  if (div.dataset.state === "error") return -1;
  const drawn = performance.getEntriesByName("facelayers:drawn");
  if (div.dataset.state !== "drawn" || !drawn.length || rec.plotlyFrame === null) return null;
  return Math.max(rec.plotlyFrame, drawn[0].startTime);
}"""


def available() -> str | None:
    """None when the browser measures can run, else why not (one line)."""
    if not CHROMIUM.exists():
        return f"no chromium at {CHROMIUM} (apt-get install -y chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "playwright is missing (pip install 'facelayers[test]')"
    return None


def pyvista_available() -> bool:
    """PyVista and its HTML exporter (trame) are installed: the ``bench`` extra."""
    return all(importlib.util.find_spec(m) is not None for m in ("pyvista", "trame_vtk"))


def first_frames(paths: Sequence[Path], rounds: int = 3, timeout_s: float = 90.0) -> dict[Path, dict]:
    """Time to the first drawn frame, to that frame shown, and to interactive, of each file, opened in turn.

    Parameters
    ----------
    paths : sequence of Path
        HTML files (opened as ``file://``, nothing served).
    rounds : int
    timeout_s : float
        Per page.

    Returns
    -------
    dict
        Per path: ``ms``, ``shown_ms`` and ``interactive_ms`` (lists, one per round, ms from navigation);
        ``best_ms``, ``median_ms``, ``best_shown_ms``, ``best_interactive_ms``, ``median_interactive_ms``;
        ``plotly_at_first_draw`` (``typeof window.Plotly`` at the first big draw, last round); ``errors``
        (console errors of the last round) and ``requests`` (URLs other than ``file:``, ``data:`` and ``blob:``
        the page asked for).

    Raises
    ------
    RuntimeError
        A page of ours reported an error instead of drawing (``data-state="error"``).
    """
    from playwright.sync_api import sync_playwright

    out = {Path(p): {"ms": [], "shown_ms": [], "interactive_ms": [], "errors": [], "requests": []} for p in paths}
    with sync_playwright() as pw, tempfile.TemporaryDirectory(prefix="facelayers-bench-") as profile:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            for _ in range(rounds):
                for path in out:
                    context = browser.new_context(viewport={"width": VIEWPORT[0], "height": VIEWPORT[1]})
                    page = context.new_page()
                    errors, requests = [], []
                    page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
                    page.on("request", lambda r, q=requests: q.append(r.url)
                            if not r.url.startswith(("file:", "data:", "blob:")) else None)
                    page.add_init_script(PROBE)
                    page.goto(path.resolve().as_uri())
                    page.wait_for_function("window.__firstFrame && window.__firstFrame.shown !== null",
                                           timeout=timeout_s * 1000)
                    interactive = page.wait_for_function(f"({INTERACTIVE})()", timeout=timeout_s * 1000).json_value()
                    if interactive < 0:
                        raise RuntimeError(f"{path}: the page reported an error: {page.inner_text('body')[:200]}")
                    rec = page.evaluate("window.__firstFrame")
                    out[path]["ms"].append(float(rec["frame"]))
                    out[path]["shown_ms"].append(float(rec["shown"]))
                    out[path]["interactive_ms"].append(float(interactive))
                    out[path]["plotly_at_first_draw"] = rec["plotlyAtDraw"]
                    out[path]["errors"], out[path]["requests"] = errors, requests
                    context.close()
        finally:
            browser.close()
        del profile
    for rec in out.values():
        rec["best_ms"] = min(rec["ms"])
        rec["median_ms"] = float(np.median(rec["ms"]))
        rec["best_shown_ms"] = min(rec["shown_ms"])
        rec["best_interactive_ms"] = min(rec["interactive_ms"])
        rec["median_interactive_ms"] = float(np.median(rec["interactive_ms"]))
    return out


def pyvista_export(meshes: dict[str, tuple[np.ndarray, np.ndarray]], colours: dict[str, str], out: Path) -> Path:
    """PyVista's offline HTML (vtk.js, ``Plotter.export_html``) of the same meshes.

    Parameters
    ----------
    meshes : dict
        ``{name: (vertices (n, 3) float32 mm, faces (m, 3) int)}``.
    colours : dict
        ``{name: "#rrggbb"}``.
    out : Path
    """
    import warnings

    os.environ.setdefault("PYVISTA_OFF_SCREEN", "true")
    import pyvista as pv

    plotter = pv.Plotter(off_screen=True)
    for name, (verts, faces) in meshes.items():
        cells = np.hstack([np.full((len(faces), 1), 3), np.asarray(faces)]).astype(np.int64).ravel()
        plotter.add_mesh(pv.PolyData(np.asarray(verts, np.float32), cells), color=colours.get(name, "#cccccc"))
    exporter = getattr(plotter, "trame", None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # export_html moved to plotter.trame in PyVista 0.49
        (exporter if exporter is not None and hasattr(exporter, "export_html") else plotter).export_html(str(out))
    plotter.close()
    return out
