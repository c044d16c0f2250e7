"""Accessibility in a real browser: an axe-core scan of every lesson's outputs, and the patients view driven by the
keyboard alone with a visible focus ring.

axe-core (vendored under tests/browser/vendor/axe-core, MPL-2.0) is injected into the JupyterLab page after the
lesson has run, and scans the notebook's output areas only (what the lessons draw): JupyterLab's own chrome (menus,
file browser, toolbars) is excluded, since it is not ours. The notebook is shown with windowing off, so every output is
in the DOM when it is scanned. The test fails on any violation of impact "serious" or "critical", listing the rule,
its help text and the elements.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from lab import REPO, RUN_TIMEOUT_MS, SCREENSHOTS, open_notebook, run_all

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
LESSONS = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LESSON07 = "notebooks/07_every_face_is_different.ipynb"
NOTEBOOK_SETTINGS = "@jupyterlab/notebook-extension:tracker"
#: Our outputs: every output area of the open notebook.
OUTPUTS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output"


def _put_setting(page, base_url: str, plugin: str, raw: str) -> None:
    """Write a JupyterLab user setting through the settings API, from inside the page (it holds the XSRF cookie)."""
    status = page.evaluate(
        """async ([url, raw]) => {
            const xsrf = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || '';
            const r = await fetch(url, {method: 'PUT', headers: {'X-XSRFToken': xsrf,
                'Content-Type': 'application/json'}, body: JSON.stringify({raw})});
            return r.status;
        }""",
        [f"{base_url}/lab/api/settings/{plugin}", raw],
    )
    assert status in (200, 204), f"PUT {plugin}: HTTP {status}"


@pytest.fixture
def unwindowed(lab_server, page):
    """Notebooks render every cell (no virtual scrolling) while the test runs; the setting is restored after."""
    page.goto(f"{lab_server.url}/lab?reset", wait_until="domcontentloaded")
    page.wait_for_function("() => !!window.jupyterapp", timeout=120_000)
    before = page.evaluate(
        "async (url) => (await (await fetch(url)).json()).raw",
        f"{lab_server.url}/lab/api/settings/{NOTEBOOK_SETTINGS}",
    )
    _put_setting(page, lab_server.url, NOTEBOOK_SETTINGS, json.dumps({"windowingMode": "none"}))
    yield page
    _put_setting(page, lab_server.url, NOTEBOOK_SETTINGS, before or "{}")


def _wait_for_outputs(page) -> None:
    """Every plotly plot drawn and every widget view rendered (no pending widget placeholders)."""
    page.wait_for_function(
        """() => {
            const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
            if (!panel) return false;
            const plots = Array.from(panel.querySelectorAll('.js-plotly-plot'));
            const pending = panel.querySelectorAll('.jp-OutputArea-output .widget-loading, .jupyter-widgets-loading');
            return plots.every((el) => !!el._fullLayout) && pending.length === 0;
        }""",
        timeout=RUN_TIMEOUT_MS,
        polling=250,
    )


def _axe(page) -> list[dict]:
    """Serious and critical axe violations in the notebook's outputs: rule, impact, help, up to 5 targets."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (selector) => {
            const result = await axe.run({include: [[selector]]}, {resultTypes: ['violations']});
            return result.violations
                .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                .map((v) => ({id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
                              targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: '
                                                                   + n.html.slice(0, 160))}));
        }""",
        OUTPUTS,
    )


@pytest.mark.parametrize("lesson", LESSONS)
def test_axe_finds_no_serious_violation_in_the_lesson_outputs(lesson, lab_server, unwindowed, page_log, timings):
    page = unwindowed
    open_notebook(page, lab_server.url, lesson)
    timings[f"{Path(lesson).stem[:2]} run all (a11y)"] = run_all(page)
    _wait_for_outputs(page)
    scanned = page.evaluate("(s) => document.querySelectorAll(s).length", OUTPUTS)
    assert scanned > 0, "no output area to scan"
    violations = _axe(page)
    # ipywidgets leaves its slider handles (noUiSlider, role="slider") without a name; every stage carries
    # facelayers.render.access.page_helper_html, which names them by their slider's description.
    assert not violations, json.dumps(violations, indent=2)


def _focus_ring(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const s = getComputedStyle(el);
            return {tag: el.tagName.toLowerCase(), cls: String(el.className), text: (el.textContent || '').trim()
                    .slice(0, 30), label: el.getAttribute('aria-label') || el.getAttribute('title') || '',
                    inside: !!el.closest('.fl-a11y'), outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                    shadow: s.boxShadow};
        }"""
    )


def _alt_text(page) -> str:
    return page.evaluate("() => document.querySelector('.fl-a11y .fl-alt-text').textContent")


def test_patients_view_is_operable_by_keyboard_with_visible_focus(lab_server, unwindowed, page_log, timings):
    page = unwindowed
    open_notebook(page, lab_server.url, LESSON07)
    run_all(page)
    _wait_for_outputs(page)
    box = page.locator(".fl-a11y").first
    box.scroll_into_view_if_needed()
    # From the first control, Tab visits every control of the view, each with a visible focus ring.
    box.locator("button").first.focus()
    seen = []
    for _ in range(40):
        ring = _focus_ring(page)
        if not ring["inside"]:
            break
        seen.append(ring)
        assert ring["outline"] != "none" and ring["width"] >= 2, f"no visible focus ring on {ring}"
        page.keyboard.press("Tab")
    buttons = [r["text"] for r in seen if r["tag"] == "button"]
    handles = [r for r in seen if "noUi-handle" in r["cls"]]
    selects = [r for r in seen if r["tag"] == "select"]
    assert buttons.count("woman") == 2 and buttons.count("man") == 2, buttons
    assert {"stage", "projector", "print"} <= set(buttons), buttons
    assert len(handles) == 4, seen  # age and BMI of each patient
    assert len(selects) == 1, seen  # the technique
    # Operate with the keyboard alone: patient A one year older (arrow key on the age slider), then a man (Space).
    start = _alt_text(page)
    assert "Woman, 75 y, BMI 19" in start, start
    age_handle = box.locator(".noUi-handle").first
    age_handle.focus()
    t0 = time.monotonic()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('.fl-a11y .fl-alt-text').textContent.includes('Woman, 76 y, BMI 19')",
        timeout=60_000, polling=100)
    timings["a11y: arrow key to new margins"] = time.monotonic() - t0
    box.locator("button", has_text="man").filter(has_not_text="woman").first.focus()
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => document.querySelector('.fl-a11y .fl-alt-text').textContent.includes('Man, 76 y, BMI 19')",
        timeout=60_000, polling=100)
    # The figure follows: its first column's annotation is patient A's frontal margin, as the description says.
    text = _alt_text(page)
    first_margin = text.split("Man, 76 y, BMI 19: frontal branch ")[1].split(" mm")[0]
    annotations = page.evaluate(
        """() => Array.from(document.querySelector('.fl-a11y .js-plotly-plot')._fullLayout.annotations)
            .map((a) => a.text)""")
    assert f"closest <b>{first_margin} mm</b>" == annotations[0], (first_margin, annotations[:6])
    # The live region is announced: role status, polite.
    assert page.evaluate(
        "() => { const r = document.querySelector('.fl-a11y .fl-alt-text');"
        " return r.getAttribute('role') + '/' + r.getAttribute('aria-live'); }") == "status/polite"


def test_screenshot_of_the_patients_comparison(lab_server, unwindowed, page_log):
    page = unwindowed
    open_notebook(page, lab_server.url, LESSON07)
    run_all(page)
    _wait_for_outputs(page)
    page.set_viewport_size({"width": 1500, "height": 1900})  # the whole view fits: pickers, figure, table, text
    box = page.locator(".fl-a11y").first
    box.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => !!document.querySelector('.fl-a11y .js-plotly-plot')._fullLayout", timeout=60_000)
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / "patients_comparison.png"
    box.screenshot(path=str(path))
    assert path.stat().st_size > 20_000
    shutil.copy(path, SCREENSHOTS / "patients_comparison_last.png")
