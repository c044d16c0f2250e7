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
    box.scroll_into_view_if_needed(timeout=CLICK_TIMEOUT_MS)
    box.click(timeout=CLICK_TIMEOUT_MS)


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
