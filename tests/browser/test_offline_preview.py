"""The offline files' first frame: a WebGL preview of the same arrays, drawn before plotly.js exists, where plotly's
scene will be, looking like plotly's frame, and removed once plotly has drawn. Pages are opened from disk with every
network request blocked; each test waits on conditions (page state, recorded draws), never on sleeps.
"""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from offline import offline_context

from benchmarks.bench_browser import PROBE
from facelayers.delivery.export import export
from facelayers.delivery.html_page import html_text

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "screenshots"
PLOT = "document.getElementById('facelayers')"
#: Records where the preview canvas was put when it was added to the page (it is gone once plotly has drawn).
WATCH = """
(() => {
  window.__previewBox = null;
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) {
      if (n.classList && n.classList.contains("facelayers-preview")) window.__previewBox = n.getBoundingClientRect().toJSON();
    }
  }).observe(document, {childList: true, subtree: true});
})();
"""


@pytest.fixture(scope="module")
def files(chromium_path, tmp_path_factory) -> dict[str, Path]:
    """Lesson 01 and the course at the lecture grid, and two figures the preview cannot draw."""
    folder = tmp_path_factory.mktemp("preview")
    out = {}
    for lesson in ("01", "course"):
        out[lesson] = folder / f"{lesson}.html"
        export(lesson, out[lesson])
    # No Mesh3d at all: the page carries no preview.
    scatter = go.Figure([go.Scatter3d(x=[0, 1, 2], y=[0, 1, 0], z=[0, 0, 1], mode="lines")])
    out["no-mesh"] = folder / "no-mesh.html"
    out["no-mesh"].write_text(html_text(scatter, "no mesh"), encoding="utf-8")
    # A flat-shaded Mesh3d (the preview draws smooth shading only): the script gives up, plotly draws alone.
    u, v = np.meshgrid(np.linspace(0, 2 * np.pi, 80), np.linspace(0.1, np.pi - 0.1, 60))
    x, y, z = (np.cos(u) * np.sin(v)).ravel(), (np.sin(u) * np.sin(v)).ravel(), np.cos(v).ravel()
    n = np.arange(80 * 60).reshape(60, 80)[:-1, :-1].ravel()
    i, j, k = np.concatenate([n, n + 1]), np.concatenate([n + 1, n + 81]), np.concatenate([n + 80, n + 80])
    flat = go.Figure([go.Mesh3d(x=x.astype(np.float32), y=y.astype(np.float32), z=z.astype(np.float32),
                                i=i.astype(np.uint16), j=j.astype(np.uint16), k=k.astype(np.uint16),
                                flatshading=True, color="#E9B99A")])
    out["flat"] = folder / "flat.html"
    out["flat"].write_text(html_text(flat, "flat shading"), encoding="utf-8")
    return out


class Opened:
    """A file opened from disk (optionally with a URL fragment), network blocked, console errors recorded."""

    def __init__(self, browser, path: Path, size=(1366, 768), fragment: str = "", until=("drawn",)):
        self.context, self.page, self.blocked, self.errors = offline_context(browser, size)
        self.page.add_init_script(PROBE)
        self.page.add_init_script(WATCH)
        self.page.goto(path.as_uri() + fragment)
        self.page.wait_for_function(f"() => {PLOT}.dataset.state !== 'loading'", timeout=120_000)
        state = self.page.evaluate(f"() => {PLOT}.dataset.state")
        assert state in until, self.page.inner_text("body")[:300]

    def eval(self, expression: str):
        return self.page.evaluate(f"() => {expression}")

    def mark(self, name: str) -> float | None:
        return self.eval(f"(performance.getEntriesByName('facelayers:{name}')[0] || {{startTime: null}}).startTime")

    def close(self) -> None:
        self.context.close()


@pytest.mark.parametrize("lesson", ["01", "course"])
def test_the_preview_draws_before_plotly_exists_and_goes_once_plotly_has_drawn(browser, files, lesson):
    opened = Opened(browser, files[lesson])
    try:
        rec = opened.eval("window.__firstFrame")
        # The first draw of a model (>= 3,000 vertices) happened before plotly.js had run, and was the preview's.
        assert rec["draw"] is not None and rec["plotlyAtDraw"] == "undefined", rec
        assert rec["draw"] <= opened.mark("preview") <= opened.mark("plotly-start") < opened.mark("plotly")
        # plotly then drew the scene itself, before the page removed the preview.
        assert rec["plotlyDraw"] is not None and opened.mark("plotly") <= rec["plotlyDraw"] <= opened.mark("plotted")
        assert opened.eval(f"{PLOT}.dataset.preview") == "removed"
        assert opened.eval("document.querySelectorAll('canvas.facelayers-preview').length") == 0
        # It was exactly where plotly's scene is: no jump when plotly takes over.
        preview = opened.eval("window.__previewBox")
        scene = opened.eval("document.querySelector('.gl-container > div').getBoundingClientRect().toJSON()")
        assert preview is not None
        for key in ("x", "y", "width", "height"):
            assert abs(preview[key] - scene[key]) <= 1, (key, preview, scene)
        assert opened.errors == [] and opened.blocked == []
    finally:
        opened.close()


def _screenshot_pixels(browser, shots: list[bytes], box: dict) -> list[np.ndarray]:
    """RGB pixels (h, w, 3) of ``box`` in each PNG, decoded by the browser itself (no imaging library)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        out = []
        for png in shots:
            flat = page.evaluate("""async ([src, b]) => {
              const img = new Image(); img.src = "data:image/png;base64," + src; await img.decode();
              const c = document.createElement("canvas"); c.width = img.width; c.height = img.height;
              const g = c.getContext("2d"); g.drawImage(img, 0, 0);
              return Array.from(g.getImageData(b.x, b.y, b.w, b.h).data);
            }""", [base64.b64encode(png).decode("ascii"), box])
            out.append(np.asarray(flat, dtype=np.int16).reshape(box["h"], box["w"], 4)[..., :3])
        return out
    finally:
        context.close()


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_the_preview_looks_like_plotlys_first_frame(browser, files, size):
    """The preview alone (plotly never started: ``#preview-only``) and plotly's frame: same framing, colours and
    lighting, pixel for pixel within a small mean difference."""
    alone = Opened(browser, files["01"], size, "#preview-only", until=("preview-only",))
    try:
        assert alone.eval("typeof window.Plotly") == "undefined"
        preview = alone.page.screenshot()
        SHOTS.mkdir(exist_ok=True)
        (SHOTS / f"offline_preview_01_{size[0]}x{size[1]}.png").write_bytes(preview)
        assert alone.errors == [] and alone.blocked == []
    finally:
        alone.close()
    drawn = Opened(browser, files["01"], size)
    try:
        plotly = drawn.page.screenshot()
        r = drawn.eval("document.querySelector('.gl-container > div').getBoundingClientRect().toJSON()")
    finally:
        drawn.close()
    box = {"x": int(r["x"]) + 1, "y": int(r["y"]) + 1, "w": int(r["width"]) - 2, "h": int(r["height"]) - 2}
    a, b = _screenshot_pixels(browser, [preview, plotly], box)
    head = (np.abs(a - a[2, 2]).sum(axis=-1) > 30).mean()
    assert 0.1 < head < 0.9, f"the preview shows the head on {head:.0%} of the scene"
    diff = np.abs(a - b).mean()
    assert diff < 3.0, f"preview and plotly differ by {diff:.2f} per channel on average"
    assert (np.abs(a - b).max(axis=-1) > 40).mean() < 0.03  # only the edges' anti-aliasing


def test_a_figure_without_a_mesh_has_no_preview(browser, files):
    opened = Opened(browser, files["no-mesh"])
    try:
        assert opened.eval(f"{PLOT}.dataset.preview") is None  # the page carries no preview script
        assert opened.eval("typeof facelayersPreview") == "undefined"
        assert opened.eval("document.querySelectorAll('canvas.facelayers-preview').length") == 0
        assert opened.errors == [] and opened.blocked == []
    finally:
        opened.close()


def test_a_mesh_the_preview_cannot_draw_is_left_to_plotly(browser, files):
    opened = Opened(browser, files["flat"])
    try:
        assert opened.eval(f"{PLOT}.dataset.preview") == "none"
        assert opened.eval("window.__previewBox") is None
        rec = opened.eval("window.__firstFrame")
        assert rec["plotlyAtDraw"] == "object" and rec["plotlyDraw"] == rec["draw"]  # plotly drew first
        assert opened.errors == [] and opened.blocked == []
    finally:
        opened.close()
