"""The stage's 3D figure follows the height of the page, measured in a real browser.

On a 1366x768 laptop (JupyterLab, file browser open) the figure and the controls used while watching it (peel, the
layers, the camera; lesson 03: the A and B menus, Show A/B, the Pick menu and the cutaway's Window too) are in view
together, beside the figure and no lower than its bottom; on a 1920x1080 projector the head fills most of the
screen (the figure at least 0.7 of the window's height, JupyterLab and Voila). The same page is resized from one to
the other, as a lecturer's window is, and the figure follows without a resize loop.

Every wait is on a condition (kernel idle, a trace drawn, the drawn height); screenshots go to ``/tmp/stage2_*.png``.
"""

from __future__ import annotations

import json

import pytest
import test_stage as base  # the stage helpers (a module attribute: its tests are not collected again here)
from lab import run_all

pytestmark = pytest.mark.browser

#: The stage's 3D figure: its drawn size (plotly's), its box, the height the page shows it in, the page helper's
#: count of fits, the boxes of the controls used while watching (the comparer's technique menus, Show A/B, Pick and
#: Window are absent in other lessons), and every child of the panel from top to bottom.
_FIGURE_JS = """(row) => {
    const box = (el) => { if (!el) return null; const b = el.getBoundingClientRect();
        return {left: b.left, top: b.top, right: b.right, bottom: b.bottom, width: b.width, height: b.height}; };
    const gd = row.querySelector('.fl-figure .js-plotly-plot');
    const scroller = gd.closest('.jp-WindowedPanel-outer, .jp-Notebook');
    const panel = row.querySelector('.fl-panel');
    const labelled = (name) => Array.from(panel.querySelectorAll('.widget-dropdown')).filter((d) =>
        (d.querySelector('label') || {textContent: ''}).textContent.replace(/\\u200b/g, '').trim() === name);
    const dropdowns = [...labelled('A'), ...labelled('B')];
    const show = Array.from(panel.querySelectorAll('.widget-toggle-buttons')).find((t) => t.innerText.includes('Show A'));
    const camera = Array.from(panel.querySelectorAll('.widget-toggle-buttons')).find((t) => t.innerText.includes('front'));
    const layers = Array.from(panel.querySelectorAll('.widget-checkbox')).filter((c) =>
        ['Skin', 'Bone'].includes(c.innerText.trim()));
    // The panel's controls from top to bottom (what each shows first), for the report and a failing assertion.
    const rows = Array.from(panel.children).map((c) => ({text: c.innerText.trim().split('\\n')[0].slice(0, 40),
                                                          ...box(c)}));
    return {drawnHeight: gd._fullLayout.height, drawnWidth: gd._fullLayout.width, figure: box(gd),
            panel: box(panel), shown: scroller ? Math.min(innerHeight, scroller.clientHeight) : innerHeight,
            viewport: {width: innerWidth, height: innerHeight}, fits: (window.__facelayersPage || {}).fits || 0,
            techniques: dropdowns.map(box), show: box(show), pick: box(labelled('Pick')[0]),
            window: box(labelled('Window')[0]), camera: box(camera), layers: layers.map(box),
            peel: box(Array.from(panel.querySelectorAll('.fl-slider')).find((s) => s.innerText.startsWith('Peel'))),
            rows};
}"""

#: True once the figure is drawn as tall as the page helper wants it for the height the page shows now.
_FOLLOWED_JS = """([row, lo, hi, reserve]) => {
    const gd = row.querySelector('.fl-figure .js-plotly-plot');
    const scroller = gd.closest('.jp-WindowedPanel-outer, .jp-Notebook');
    const shown = scroller ? Math.min(innerHeight, scroller.clientHeight) : innerHeight;
    const want = Math.max(lo, Math.min(shown - reserve, hi));
    return gd._fullLayout && Math.abs(gd._fullLayout.height - want) <= 8
        && Math.abs(gd.getBoundingClientRect().height - want) <= 8
        && Math.abs(gd._fullLayout.width - gd.getBoundingClientRect().width) <= 8;
}"""

#: The page helper's count of fits over one second of the page's own time: 0 once settled (no resize loop). This is
#: a measurement window, not a wait for readiness.
_FITS_IN_A_SECOND_JS = """() => new Promise((resolve) => { const F = window.__facelayersPage || {};
    const before = F.fits || 0; setTimeout(() => resolve((F.fits || 0) - before), 1000); })"""


def _limits():
    from facelayers.render.access import FIGURE_HEIGHT_PX, FIGURE_HEIGHT_RESERVE_PX

    return [FIGURE_HEIGHT_PX[0], FIGURE_HEIGHT_PX[1], FIGURE_HEIGHT_RESERVE_PX]


def _wait_followed(page, row):
    page.wait_for_function(_FOLLOWED_JS, arg=[row.element_handle(), *_limits()], timeout=60_000, polling=200)


_ROW_OFFSET_JS = """(r) => { const scroller = r.closest('.jp-WindowedPanel-outer');
    return r.getBoundingClientRect().top - (scroller ? scroller.getBoundingClientRect().top : 0); }"""


def _top(page, row):
    """Scroll the stage's row to the top of its scroller and wait until it stays there for two frames.

    JupyterLab's windowed notebook may move it again once it has measured the cells around it (seen after the
    window grew): then scroll again, up to 10 times.
    """
    for _ in range(10):
        page.wait_for_function(
            """(r) => new Promise((resolve) => {
                const scroller = r.closest('.jp-WindowedPanel-outer');
                const offset = () => r.getBoundingClientRect().top
                    - (scroller ? scroller.getBoundingClientRect().top : 0);
                if (Math.abs(offset()) > 2) { r.scrollIntoView({block: 'start'}); resolve(false); return; }
                requestAnimationFrame(() => requestAnimationFrame(() => resolve(Math.abs(offset()) <= 2))); })""",
            arg=row.element_handle(), timeout=30_000, polling=200)
        if abs(row.evaluate(_ROW_OFFSET_JS)) <= 2:
            return
    raise AssertionError(f"the stage's row does not stay at the top of its scroller: {row.evaluate(_ROW_OFFSET_JS)}")


def _measured_in_place(page, row) -> dict:
    """The figure's measures, taken with the stage's row at the top of its scroller and still there afterwards.

    JupyterLab's windowed notebook may scroll again while it measures the cells around the stage (seen on a busy
    machine): a measure the row moved under is taken again, up to 5 times.
    """
    for _ in range(5):
        _top(page, row)
        m = row.evaluate(_FIGURE_JS)
        if abs(row.evaluate(_ROW_OFFSET_JS)) <= 2:
            return m
    raise AssertionError(f"the stage moved while it was measured: {row.evaluate(_ROW_OFFSET_JS)}")


def _in_view(b, vp) -> bool:
    return b is not None and b["top"] >= 0 and b["bottom"] <= vp["height"] and b["left"] >= 0 and b["right"] <= vp["width"]


def _beside_figure(b, m) -> bool:
    """In view and no lower than the figure's bottom: seen beside the figure without scrolling."""
    return _in_view(b, m["viewport"]) and b["bottom"] <= m["figure"]["bottom"] + 1


@pytest.mark.parametrize("lesson", [base.LESSON01, base.LESSON03])
def test_the_figure_follows_the_page_from_a_laptop_to_a_projector(browser, lab_server, lesson, timings):
    number = lesson[10:12]
    context, page, errors = base._lab_page(browser, (1366, 768))
    try:
        base._open(page, lab_server, lesson)
        page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")
        page.wait_for_function("() => { const f = document.querySelector('.jp-FileBrowser');"
                               " return f && f.getBoundingClientRect().width > 150; }", timeout=30_000)
        run_all(page)
        row = base._stage(page)
        page.wait_for_function("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
                               " === 'idle'", timeout=120_000, polling=250)
        _wait_followed(page, row)
        m = _measured_in_place(page, row)
        page.screenshot(path=f"/tmp/stage2_{number}_1366x768.png")
        fig, vp = m["figure"], m["viewport"]
        # The laptop: the whole figure is in view, beside its panel, as tall as the page shows it.
        assert 480 <= m["drawnHeight"] <= m["shown"], m
        assert fig["bottom"] <= vp["height"] + 1 and fig["right"] <= vp["width"] + 1, m
        assert fig["left"] >= m["panel"]["right"] - 1 and abs(fig["top"] - m["panel"]["top"]) < 40, m
        with open(f"/tmp/panel_positions_{number}_1366x768.json", "w") as out:
            json.dump(m, out, indent=1)
        # Peel, the layers (the first and the last box) and the camera are in view beside the figure.
        for name in ("peel", "camera"):
            assert _beside_figure(m[name], m), (name, m[name], m["figure"], m["rows"])
        assert len(m["layers"]) == 2 and all(_beside_figure(b, m) for b in m["layers"]), (m["layers"], m["rows"])
        if number == "03":
            # The technique pair and the switch between them, the pick menu and the cutaway's window are in view
            # beside the figure, each control still at least 28 px tall (nothing shrunk to fit).
            assert len(m["techniques"]) == 2 and all(_beside_figure(b, m) for b in m["techniques"]), m
            for name in ("show", "pick", "window"):
                assert _beside_figure(m[name], m), (name, m[name], m["figure"], m["rows"])
            for b in (*m["techniques"], m["pick"], m["window"], m["show"], m["camera"]):
                assert b["height"] >= 28, (b, m["rows"])
        assert row.evaluate(base._MEASURE_JS)["cut"] == []

        # The same window on a projector: 1920x1080, the file browser closed.
        page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
        page.wait_for_function("() => { const f = document.querySelector('.jp-FileBrowser');"
                               " return !f || f.getBoundingClientRect().width === 0; }", timeout=30_000)
        page.set_viewport_size({"width": 1920, "height": 1080})
        _wait_followed(page, row)
        big = _measured_in_place(page, row)
        page.screenshot(path=f"/tmp/stage2_{number}_1920x1080.png")
        assert big["drawnHeight"] >= 0.7 * 1080, big
        assert big["drawnHeight"] > m["drawnHeight"] + 100, (m, big)
        assert big["figure"]["top"] >= 0 and big["figure"]["bottom"] <= 1080 + 1, big
        assert page.evaluate(_FITS_IN_A_SECOND_JS) == 0, "the figure is still being resized (a resize loop)"
        assert errors == [], errors
    finally:
        context.close()


def test_voila_draws_the_head_large_on_a_projector_and_follows_a_smaller_window(browser, voila_server, timings):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text[:300]) if m.type == "error" else None)
    try:
        page.goto(voila_server.url, timeout=300_000, wait_until="domcontentloaded")
        row = base._stage(page)
        _wait_followed(page, row)
        m = _measured_in_place(page, row)
        page.screenshot(path="/tmp/stage2_voila01_1920x1080.png")
        assert m["drawnHeight"] >= 0.7 * 1080, m
        assert m["figure"]["bottom"] <= 1080 + 1 and m["figure"]["left"] >= m["panel"]["right"] - 1, m
        page.set_viewport_size({"width": 1366, "height": 768})
        _wait_followed(page, row)
        _top(page, row)
        small = row.evaluate(_FIGURE_JS)
        page.screenshot(path="/tmp/stage2_voila01_1366x768.png")
        assert 480 <= small["drawnHeight"] <= 768 - 24 + 1, small
        assert small["figure"]["bottom"] <= 768 + 1, small
        assert page.evaluate(_FITS_IN_A_SECOND_JS) == 0, "the figure is still being resized (a resize loop)"
        assert [e for e in errors if "[anywidget]" not in e] == [], errors
    finally:
        context.close()
