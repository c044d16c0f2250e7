"""Driving JupyterLab in a real browser: open a notebook, run it, read plotly traces, click widgets.

Plain functions over a Playwright sync ``Page``; the fixtures that make the server, browser and page are in
``conftest.py``. Everything waits on JupyterLab's own state (``window.jupyterapp``, exposed by
``--LabApp.expose_app_in_browser=True``) rather than on sleeps.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "screenshots"  # git-ignored

#: Timeouts, ms. Software WebGL on 2 cores is slow: a kernel starts in ~7 s, a 20k-triangle figure in ~20 s.
KERNEL_TIMEOUT_MS = 120_000
RUN_TIMEOUT_MS = 300_000
RENDER_TIMEOUT_MS = 120_000
CLICK_TIMEOUT_MS = 30_000

_KERNEL_STATUS_JS = """() => {
    const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
    return k ? k.status : null;
}"""


def kernel_status(page) -> str | None:
    """The current notebook's kernel status ('idle', 'busy', 'starting', ...), or None before there is one."""
    return page.evaluate(_KERNEL_STATUS_JS)


def open_notebook(page, base_url: str, path: str) -> float:
    """Open ``{base_url}/lab/tree/{path}?reset`` and wait until its kernel is idle; return the seconds taken.

    ``?reset`` drops the saved workspace, so a restored tab is never matched first.
    """
    t0 = time.monotonic()
    page.goto(f"{base_url.rstrip('/')}/lab/tree/{quote(path)}?reset", wait_until="domcontentloaded")
    page.wait_for_function(
        """(path) => {
            const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            if (!w || !w.context || w.context.path !== path) return false;
            const s = w.sessionContext;
            return !!(s && s.session && s.session.kernel && s.session.kernel.status === 'idle');
        }""",
        arg=path,
        timeout=KERNEL_TIMEOUT_MS,
        polling=250,
    )
    return time.monotonic() - t0


def run_all(page) -> float:
    """Run every cell, wait until the kernel is idle and no cell shows ``[*]``; return the seconds taken.

    Fails with the error's name and message if a cell raised.
    """
    t0 = time.monotonic()
    page.evaluate(
        """() => {
            window.__facelayersRunAll = 'running';
            window.jupyterapp.commands.execute('notebook:run-all-cells').then(
                (ok) => { window.__facelayersRunAll = ok === false ? 'failed' : 'done'; },
                (err) => { window.__facelayersRunAll = 'error: ' + err; });
        }"""
    )
    page.wait_for_function(
        """() => {
            if (window.__facelayersRunAll === 'running') return false;
            const w = window.jupyterapp.shell.currentWidget;
            const k = w.sessionContext.session && w.sessionContext.session.kernel;
            if (!k || k.status !== 'idle') return false;
            const busy = Array.from(w.node.querySelectorAll('.jp-InputPrompt'))
                .some((p) => p.textContent.includes('[*]'));
            return !busy;
        }""",
        timeout=RUN_TIMEOUT_MS,
        polling=250,
    )
    outcome = page.evaluate("() => window.__facelayersRunAll")
    errors = cell_errors(page)
    assert not errors and outcome == "done", f"run-all {outcome}; cell errors: {errors}"
    return time.monotonic() - t0


def cell_errors(page) -> list[str]:
    """``"cell N: Name: message"`` for every error output in the current notebook."""
    return page.evaluate(
        """() => {
            const nb = window.jupyterapp.shell.currentWidget.content;
            const found = [];
            nb.widgets.forEach((cell, i) => {
                if (cell.model.type !== 'code') return;
                const outputs = cell.model.outputs;
                for (let j = 0; j < outputs.length; j++) {
                    const o = outputs.get(j).toJSON();
                    if (o.output_type === 'error') found.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
                }
            });
            return found;
        }"""
    )


def plotly_traces(page) -> list[dict]:
    """``{"plot", "name", "visible"}`` for every trace of every rendered ``.js-plotly-plot`` on the page.

    ``visible`` is plotly's value (True, False or "legendonly"); a trace without one is visible: True.
    """
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap((el, plot) =>
            (el.data || []).map((t) => ({
                plot, name: t.name === undefined ? null : t.name,
                visible: t.visible === undefined ? true : t.visible,
            })))"""
    )


def wait_for_trace(page, name: str, *, visible: bool, timeout_ms: int = RENDER_TIMEOUT_MS) -> float:
    """Wait until a drawn plotly plot (one with ``_fullLayout``) holds trace ``name`` in that visibility state.

    Returns the seconds waited.
    """
    t0 = time.monotonic()
    page.wait_for_function(
        """([name, visible]) => Array.from(document.querySelectorAll('.js-plotly-plot')).some((el) =>
            el._fullLayout && (el.data || []).some((t) =>
                t.name === name && ((t.visible === undefined ? true : t.visible) === visible)))""",
        arg=[name, visible],
        timeout=timeout_ms,
        polling=100,
    )
    return time.monotonic() - t0


def plot_with_trace(page, name: str):
    """A locator for the plotly plot holding trace ``name`` (the first one, if several)."""
    index = page.evaluate(
        """(name) => Array.from(document.querySelectorAll('.js-plotly-plot'))
            .findIndex((el) => (el.data || []).some((t) => t.name === name))""",
        name,
    )
    assert index >= 0, f"no plotly plot has a trace named {name!r}: {plotly_traces(page)}"
    return page.locator(".js-plotly-plot").nth(index)


def click_checkbox(page, label: str) -> None:
    """Click the ipywidgets checkbox (``.widget-checkbox``) whose label text is exactly ``label``."""
    # ipywidgets puts a zero-width space in the description: compare without it.
    labels = page.evaluate(
        """() => Array.from(document.querySelectorAll('.widget-checkbox'))
            .map((el) => el.textContent.replace(/\u200b/g, '').trim())"""
    )
    matches = [i for i, text in enumerate(labels) if text == label]
    assert len(matches) == 1, f"want one checkbox labelled {label!r}, found {len(matches)} among {labels}"
    box = page.locator(".widget-checkbox").nth(matches[0]).locator("input[type=checkbox]")
    before = box.is_checked()
    # JupyterLab's windowed notebook may move the cell between Playwright's aim and its click (a figure above
    # re-measured): a click that did not reach the box leaves it as it was, and is made again.
    for _ in range(3):
        box.scroll_into_view_if_needed(timeout=CLICK_TIMEOUT_MS)
        box.click(timeout=CLICK_TIMEOUT_MS)
        try:
            page.wait_for_function("([el, was]) => el.checked !== was", arg=[box.element_handle(), before],
                                   timeout=10_000, polling=100)
            return
        except Exception:
            continue
    raise AssertionError(f"the checkbox {label!r} did not change after three clicks")


def screenshot(page, name: str, *, show=None) -> Path:
    """Save a viewport screenshot to ``<repo>/screenshots/name``, after scrolling locator ``show`` into view."""
    SCREENSHOTS.mkdir(exist_ok=True)
    if show is not None:
        show.scroll_into_view_if_needed(timeout=CLICK_TIMEOUT_MS)
        # JupyterLab renders cells lazily (windowed notebook): give the scrolled-to cell time to paint.
        page.wait_for_timeout(1500)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path))
    return path


def select_dropdown(page, description: str, option: str) -> None:
    """Choose ``option`` (its visible text) in the ipywidgets dropdown whose description is ``description``."""
    labels = page.evaluate(
        """() => Array.from(document.querySelectorAll('.widget-dropdown'))
            .map((el) => (el.querySelector('label') || {textContent: ''}).textContent.replace(/\u200b/g, '').trim())"""
    )
    matches = [i for i, text in enumerate(labels) if text == description]
    assert len(matches) == 1, f"want one dropdown described {description!r}, found {len(matches)} among {labels}"
    select = page.locator(".widget-dropdown").nth(matches[0]).locator("select")
    select.scroll_into_view_if_needed(timeout=CLICK_TIMEOUT_MS)
    select.select_option(label=option, timeout=CLICK_TIMEOUT_MS)


def wait_for_line_colour(page, name: str, colour: str, *, timeout_ms: int = RENDER_TIMEOUT_MS) -> float:
    """Wait until a drawn plot's trace ``name`` has ``line.color == colour``; returns the seconds waited."""
    t0 = time.monotonic()
    page.wait_for_function(
        """([name, colour]) => Array.from(document.querySelectorAll('.js-plotly-plot')).some((el) =>
            el._fullLayout && (el.data || []).some((t) => t.name === name && t.line && t.line.color === colour))""",
        arg=[name, colour],
        timeout=timeout_ms,
        polling=100,
    )
    return time.monotonic() - t0


# --- clicking a 3D plot -------------------------------------------------------------------------------------
#
# plotly.js gl3d does not emit plotly_click from the DOM click event. Its mouse listener picks (reads the WebGL
# pick framebuffer under the pointer) on every move, press and release, and records the mouse buttons held; the
# scene's render, run on the next animation frame, then emits plotly_click if the pick hit something (distance
# < 5 px) while a button was held, plotly_hover otherwise. Playwright's mouse.click() presses and releases within
# one frame, so the render sees the button already up and plotly reports a hover, never a click. A student's click
# lasts ~100 ms, many frames: click_3d holds the button until plotly has emitted the click.

_SCENE_EVENTS_JS = """(gd) => {
    if (!gd.__facelayersEvents) {
        gd.__facelayersEvents = [];
        for (const name of ['plotly_hover', 'plotly_click', 'plotly_unhover']) {
            gd.on(name, (e) => gd.__facelayersEvents.push({
                name, points: ((e && e.points) || []).map((p) => ({
                    trace: p.fullData ? p.fullData.name : null, curveNumber: p.curveNumber,
                    pointNumber: p.pointNumber, x: p.x, y: p.y, z: p.z})),
            }));
        }
    }
    gd.__facelayersEvents.length = 0;
}"""

_SCENE_STATE_JS = """(gd) => {
    const scene = gd._fullLayout.scene._scene;
    const gl = scene.glplot.gl;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const sel = scene.glplot.selection;
    return {
        renderer: info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER),
        selection: {distance: sel.distance, hit: !!sel.object, buttons: sel.buttons, mouse: sel.mouse},
        hovermode: gd._fullLayout.scene.hovermode, dragmode: gd._fullLayout.scene.dragmode,
        hoverlabels: gd.querySelectorAll('.hovertext').length,
        events: (gd.__facelayersEvents || []).slice(-5),
    };
}"""


def scene_point_on_page(plot, point) -> tuple[float, float]:
    """Where the figure-frame point ``(x, y, z)`` of the plot's 3D scene is drawn, in page pixels.

    The projection plotly uses for 3D annotations: the scene camera's projection, view and model matrices on the
    point scaled by the scene's ``dataScale``, then clip space to the scene's container.
    """
    x, y, z = (float(v) for v in point)
    return tuple(plot.evaluate(
        """(gd, p) => {
            const scene = gd._fullLayout.scene._scene;
            const c = scene.glplot.cameraParams, s = scene.dataScale;
            const mul = (m, v) => [0, 1, 2, 3].map((r) =>
                m[r] * v[0] + m[4 + r] * v[1] + m[8 + r] * v[2] + m[12 + r] * v[3]);
            const q = mul(c.projection, mul(c.view, mul(c.model, [p[0] * s[0], p[1] * s[1], p[2] * s[2], 1])));
            const box = scene.container.getBoundingClientRect();
            return [box.left + (0.5 + 0.5 * q[0] / q[3]) * box.width, box.top + (0.5 - 0.5 * q[1] / q[3]) * box.height];
        }""",
        [x, y, z],
    ))


def scene_state(plot) -> dict:
    """Diagnostics of a plot's 3D scene: WebGL renderer, current pick, hover and drag modes, last events."""
    return plot.evaluate(_SCENE_STATE_JS)


def click_3d(page, plot, x: float, y: float, *, timeout_ms: int = CLICK_TIMEOUT_MS) -> dict:
    """Click the 3D scene of ``plot`` at page pixel ``(x, y)`` (in the viewport: scroll the plot into view first)
    as a student does; return plotly's clicked point.

    Moves there, waits until the scene has picked something under the pointer (a ``plotly_hover`` at that spot),
    presses, holds the button until plotly emits ``plotly_click``, and releases without moving (a
    move with the button down would orbit the camera). The returned dict has ``trace`` (the trace's name),
    ``curveNumber``, ``pointNumber`` and the point's figure-frame ``x``, ``y``, ``z``.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = plot.evaluate("(gd) => { const b = gd._fullLayout.scene._scene.container.getBoundingClientRect();"
                        " return [b.left, b.top, b.right, b.bottom, window.innerWidth, window.innerHeight]; }")
    assert box[0] < x < box[2] and box[1] < y < box[3] and 0 < x < box[4] and 0 < y < box[5], \
        f"({x:.0f}, {y:.0f}) is not on the scene (left, top, right, bottom, viewport w, h = {box}): scroll it into view"
    plot.evaluate(_SCENE_EVENTS_JS)
    # One move: the scene picks on every mousemove, and with software WebGL each move costs a frame (~1 s).
    page.mouse.move(x, y)
    try:
        plot.evaluate(
            """(gd, xy) => new Promise((resolve, reject) => {
                const canvas = gd._fullLayout.scene._scene.glplot.canvas;
                const t0 = performance.now();
                const poll = () => {
                    const box = canvas.getBoundingClientRect();
                    const sel = gd._fullLayout.scene._scene.glplot.selection;
                    const here = Math.abs(sel.mouse[0] - (xy[0] - box.left)) < 1.5
                        && Math.abs(sel.mouse[1] - (xy[1] - box.top)) < 1.5;
                    const hovered = gd.__facelayersEvents.some((e) => e.name === 'plotly_hover');
                    if (here && sel.object && sel.distance < 5 && hovered) resolve();
                    else if (performance.now() - t0 > xy[2]) reject(new Error('no pick under the pointer'));
                    else requestAnimationFrame(poll);
                };
                poll();
            })""",
            [x, y, timeout_ms],
        )
    except Exception as exc:
        raise AssertionError(f"plotly picked nothing at ({x:.0f}, {y:.0f}): {scene_state(plot)}") from exc
    plot.evaluate("(gd) => { gd.__facelayersEvents.length = 0; }")
    page.mouse.down()
    try:
        page.wait_for_function(
            "(gd) => gd.__facelayersEvents.some((e) => e.name === 'plotly_click')",
            arg=plot.element_handle(), timeout=timeout_ms, polling="raf",
        )
    except PlaywrightTimeout as exc:
        raise AssertionError(f"plotly emitted no click at ({x:.0f}, {y:.0f}): {scene_state(plot)}") from exc
    finally:
        page.mouse.up()
    click = plot.evaluate("(gd) => gd.__facelayersEvents.find((e) => e.name === 'plotly_click')")
    assert click["points"], f"plotly_click without points: {click}"
    return click["points"][0]
