"""The students' offline files at the lecture grid, as a student opens them: from disk, every network request
blocked, in headless Chromium. Each test waits for the first drawn frame, then drives the controls (peel, cutaway,
camera, nerves, technique, the storyboard slider), reads the hover text, and asserts no console error and no
request. Screenshots at 1366 x 768 and 1920 x 1080 go to ``screenshots/``; at 1366 x 768 no menu may overlap
another menu, a title or the slider.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from offline import offline_context

from benchmarks.bench_browser import PROBE
from facelayers.core.frame import INTERFACES
from facelayers.render.structures import HIGHLIGHT

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "screenshots"
SIZES = ((1366, 768), (1920, 1080))
PLOT = "document.getElementById('facelayers')"


@pytest.fixture(scope="module")
def exports(chromium_path, tmp_path_factory) -> dict[str, Path]:
    """Lesson 01 and the course at the lecture grid, written by the command line a teacher runs."""
    folder = tmp_path_factory.mktemp("offline")
    paths = {}
    for lesson in ("01", "course"):
        out = folder / f"{lesson}.html"
        done = subprocess.run([sys.executable, "-m", "facelayers", "export", lesson, "--out", str(out)],
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        assert "grid 118x73" in done.stdout, done.stdout
        paths[lesson] = out
    return paths


class Offline:
    """A page opened from disk with the network blocked, recording console errors and blocked requests."""

    def __init__(self, browser, path: Path, size: tuple[int, int]):
        self.context, self.page, self.blocked, self.errors = offline_context(browser, size)
        self.page.add_init_script(PROBE)
        t0 = time.monotonic()
        self.page.goto(path.as_uri())
        self.page.wait_for_function(f"() => {PLOT}.dataset.state !== 'loading'", timeout=120_000)
        assert self.page.evaluate(f"() => {PLOT}.dataset.state") == "drawn", self.page.inner_text("body")
        self.page.wait_for_function("() => window.__firstFrame.frame !== null", timeout=60_000)
        self.seconds = time.monotonic() - t0

    def value(self, expression: str):
        return self.page.evaluate(f"() => {{ const gd = {PLOT}; return {expression}; }}")

    def trace(self, name: str, prop: str):
        return self.value(f"gd._fullData.find((t) => t.name === {name!r}).{prop}")

    def click(self, locator) -> None:
        """A real click (100 ms, as a person clicks) at the centre of the element."""
        box = locator.bounding_box()
        assert box is not None, f"not on the page: {locator}"
        self.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, delay=100)

    def button(self, text: str):
        return self.page.locator(".updatemenu-button", has_text=text).first

    def dropdown(self, menu: str, choice: str) -> None:
        """Open the dropdown menu named ``menu`` (``layout.updatemenus[k].name``) and pick ``choice``."""
        k = self.value(f"gd.layout.updatemenus.map((m) => m.name).indexOf({menu!r})")
        assert k >= 0, menu
        self.click(self.page.locator(".updatemenu-header-group").nth(k))  # one group per menu, in layout order
        self.click(self.page.locator(".updatemenu-dropdown-button")
                   .filter(has_text=re.compile(rf"^{re.escape(choice)}$")).first)

    def hover_text(self) -> str:
        """Move the mouse over the middle of the scene until plotly shows a hover label; its text."""
        box = self.value("(() => { const s = gd._fullLayout._size, d = gd._fullLayout.scene.domain;"
                         " return [s.l + (d.x[0] + d.x[1]) / 2 * s.w, s.t + (1 - (d.y[0] + d.y[1]) / 2) * s.h]; })()")
        for dx in (0, 8, -8, 16):
            self.page.mouse.move(box[0] + dx - 20, box[1] - 20)
            self.page.mouse.move(box[0] + dx, box[1], steps=5)  # plotly's gl3d hover follows moves, not jumps
            try:
                self.page.wait_for_function("() => document.querySelectorAll('.hovertext').length > 0",
                                            timeout=8_000)
                return self.page.evaluate("() => Array.from(document.querySelectorAll('.hovertext'))"
                                          ".map((e) => e.textContent).join(' | ')")
            except Exception:  # noqa: BLE001  (no label at this point: try the next one)
                continue
        raise AssertionError("no hover label over the middle of the scene")

    def close(self) -> None:
        self.context.close()


def overlaps_at(page) -> list[str]:
    """Menus, titles and notes, the slider and the colour bar that overlap one another (boxes in px, 1 px
    tolerance)."""
    return page.evaluate("""() => {
      const box = (els) => { const rs = els.map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0);
        if (!rs.length) return null;
        return {l: Math.min(...rs.map((r) => r.left)), t: Math.min(...rs.map((r) => r.top)),
                r: Math.max(...rs.map((r) => r.right)), b: Math.max(...rs.map((r) => r.bottom))}; };
      const menus = Array.from(document.querySelectorAll('.updatemenu-header-group')).map((g, k) =>
        [`menu ${k}`, box(Array.from(g.querySelectorAll('.updatemenu-header, .updatemenu-button')))]);
      const notes = Array.from(document.querySelectorAll('g.annotation')).map((a) =>
        [`note "${a.textContent.slice(0, 30)}"`, box([a])]);
      const sliders = Array.from(document.querySelectorAll('.slider-container')).map((s, k) => [`slider ${k}`, box([s])]);
      const bars = Array.from(document.querySelectorAll('.colorbar')).map((c, k) => [`colour bar ${k}`, box([c])]);
      const hit = (a, b) => a && b && a.l < b.r - 1 && b.l < a.r - 1 && a.t < b.b - 1 && b.t < a.b - 1;
      const all = [...menus, ...notes, ...sliders, ...bars], out = [];
      all.forEach(([name, m], i) => {
        for (const [other, o] of all.slice(i + 1)) if (hit(m, o)) out.push(`${name} x ${other}`);
      });
      return out;
    }""")


def shoot(offline: Offline, name: str, size: tuple[int, int]) -> Path:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"offline_{name}_{size[0]}x{size[1]}.png"
    offline.page.screenshot(path=str(path))
    return path


def test_lesson01_offline_peel_cutaway_camera_and_hover(browser, exports, timings):
    offline = Offline(browser, exports["01"], SIZES[0])
    try:
        timings["offline lesson01 first frame"] = offline.seconds
        # the six layers, then the globes under the lids, then the drawn skull (shown by "Bone")
        assert offline.value("gd.data.map((t) => t.name)") == [f"layer:{n}" for n in INTERFACES] + ["eyes", "skull"]
        assert offline.value("gd.data[0].i instanceof Uint16Array"), "uint16 indices reach plotly.js"
        # Hover over the head: the skin's thickness, in mm.
        text = offline.hover_text()
        assert "Skin" in text and "mm thick" in text, text
        # Peel down to the SMAS: skin and fat hidden, the rest shown.
        offline.click(offline.button("SMAS"))
        offline.page.wait_for_function(f"() => {PLOT}.data[0].visible === false", timeout=30_000)
        assert [offline.trace(f"layer:{n}", "visible") for n in ("skin", "fat", "smas", "bone")] == \
            [False, False, True, True]
        assert offline.trace("eyes", "visible") is False  # the globes go with the skin
        # Cutaway: the cheek window swaps the SMAS's triangles.
        before = offline.value("gd._fullData[2].i.length")
        offline.click(offline.button("Cheek"))
        offline.page.wait_for_function(f"() => {PLOT}._fullData[2].i.length !== {before}", timeout=30_000)
        # Camera: the left preset.
        offline.click(offline.button("Left"))
        offline.page.wait_for_function(f"() => Math.abs({PLOT}._fullLayout.scene.camera.eye.y) < 1e-6 &&"
                                       f" {PLOT}._fullLayout.scene.camera.eye.x !== 0", timeout=30_000)
        offline.page.mouse.move(5, 5)
        shoot(offline, "lesson01_smas_cheek_left", SIZES[0])
        assert offline.errors == [], offline.errors
        assert offline.blocked == [], offline.blocked[:5]
    finally:
        offline.close()


def test_course_offline_nerves_technique_storyboard_and_hover(browser, exports, timings):
    offline = Offline(browser, exports["course"], SIZES[0])
    try:
        timings["offline course first frame"] = offline.seconds
        assert offline.trace("technique:deep_plane:plane", "visible") is True
        text = offline.hover_text()
        assert "mm" in text, text
        # Nerves: none, then all again.
        offline.dropdown("nerves", "None")
        offline.page.wait_for_function(f"() => {PLOT}._fullData.filter((t) => t.name.startsWith('nerve:'))"
                                       ".every((t) => t.visible === false)", timeout=30_000)
        offline.dropdown("nerves", "All")
        offline.page.wait_for_function(f"() => {PLOT}._fullData.filter((t) => t.name.startsWith('nerve:'))"
                                       ".every((t) => t.visible === true)", timeout=30_000)
        # Technique: the endoscopic brow lift.
        offline.dropdown("technique", "Endoscopic brow lift")
        offline.page.wait_for_function(
            f"() => {PLOT}._fullData.find((t) => t.name === 'technique:endoscopic_brow:plane').visible === true",
            timeout=30_000)
        assert offline.trace("technique:deep_plane:plane", "visible") is False
        # Cutaway from its dropdown.
        before = offline.value("gd._fullData[2].i.length")
        offline.dropdown("cutaway", "Temple")
        offline.page.wait_for_function(f"() => {PLOT}._fullData[2].i.length !== {before}", timeout=30_000)
        # The storyboard: step 5 of the deep-plane facelift (the zygomatic branch picked, peeled to the fascia).
        label = offline.page.locator(".slider-label").nth(4).bounding_box()
        rail = offline.page.locator(".slider-rail-rect").first.bounding_box()
        offline.page.mouse.click(label["x"] + label["width"] / 2, rail["y"] + rail["height"] / 2, delay=100)
        offline.page.wait_for_function(f"() => {PLOT}._fullLayout.title.text.startsWith('Step 5: ')", timeout=30_000)
        assert offline.trace("nerve:zygomatic", "line.color") == HIGHLIGHT
        assert offline.trace("technique:deep_plane:plane", "visible") is True
        assert offline.trace("layer:skin", "visible") is False
        offline.page.mouse.move(5, 5)
        shoot(offline, "course_step5", SIZES[0])
        assert overlaps_at(offline.page) == []
        # The step with the longest caption still fits the right column of a 768 px window.
        lines = offline.value("gd.layout.sliders[0].steps.map((s) => Object.entries(s.args[1])"
                              ".filter(([k]) => k.endsWith('.text') && k.startsWith('annotations'))"
                              ".map(([, v]) => v.split('<br>').length)[0])")
        longest = lines.index(max(lines))
        label = offline.page.locator(".slider-label").nth(longest).bounding_box()
        offline.page.mouse.click(label["x"] + label["width"] / 2, rail["y"] + rail["height"] / 2, delay=100)
        offline.page.wait_for_function(f"() => {PLOT}._fullLayout.sliders[0].active === {longest}", timeout=30_000)
        shoot(offline, "course_longest_caption", SIZES[0])
        assert overlaps_at(offline.page) == []
        assert offline.errors == [], offline.errors
        assert offline.blocked == [], offline.blocked[:5]
    finally:
        offline.close()


@pytest.mark.parametrize("lesson", ["01", "course"])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_screenshots_and_no_menu_overlaps(browser, exports, lesson, size):
    offline = Offline(browser, exports[lesson], size)
    try:
        shot = shoot(offline, lesson, size)
        assert shot.stat().st_size > 20_000
        assert overlaps_at(offline.page) == []
        assert offline.errors == [] and offline.blocked == []
    finally:
        offline.close()
