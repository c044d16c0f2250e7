"""The lessons in a real JupyterLab, in headless chromium: what a student sees and clicks.

Point the harness elsewhere with FACELAYERS_LAB_ROOT (the served directory) and FACELAYERS_LESSON01 (the
notebook's path inside it).
"""

from __future__ import annotations

import os
import time

import pytest

from lab import click_checkbox, open_notebook, plot_with_trace, run_all, screenshot, wait_for_trace

LESSON01 = os.environ.get("FACELAYERS_LESSON01", "notebooks/01_layers_of_the_face.ipynb")

pytestmark = pytest.mark.browser


def test_lesson01_skin_checkbox_hides_the_skin(lab_server, page, page_log, timings):
    assert (lab_server.root / LESSON01).is_file(), f"{LESSON01} not found under {lab_server.root}"

    timings["lesson01 kernel idle"] = open_notebook(page, lab_server.url, LESSON01)
    t0 = time.monotonic()
    timings["lesson01 run all"] = run_all(page)
    wait_for_trace(page, "layer:skin", visible=True)
    timings["lesson01 skin drawn"] = time.monotonic() - t0
    plot = plot_with_trace(page, "layer:skin")
    screenshot(page, "lesson01_before.png", show=plot)

    t0 = time.monotonic()
    click_checkbox(page, "Skin")
    wait_for_trace(page, "layer:skin", visible=False)
    timings["lesson01 click to hidden"] = time.monotonic() - t0
    screenshot(page, "lesson01_after.png", show=plot)

    assert page_log.page_errors == []
    assert page_log.console_errors == []
    assert page_log.external_requests == [], "the page reached beyond loopback"


LESSON02 = "notebooks/02_nerves_muscles_and_danger_zones.ipynb"


def test_lesson02_nerve_picker_highlights_the_branch(lab_server, page, page_log, timings):
    from lab import select_dropdown, wait_for_line_colour

    from facelayers.render import HIGHLIGHT

    assert (lab_server.root / LESSON02).is_file(), f"{LESSON02} not found under {lab_server.root}"
    timings["lesson02 kernel idle"] = open_notebook(page, lab_server.url, LESSON02)
    t0 = time.monotonic()
    timings["lesson02 run all"] = run_all(page)
    wait_for_trace(page, "nerve:frontal_1", visible=True)
    timings["lesson02 nerves drawn"] = time.monotonic() - t0
    plot = plot_with_trace(page, "nerve:frontal_1")
    screenshot(page, "lesson02_before.png", show=plot)

    t0 = time.monotonic()
    select_dropdown(page, "Pick", "Branch: frontal")
    wait_for_line_colour(page, "nerve:frontal_1", HIGHLIGHT)
    timings["lesson02 pick to highlight"] = time.monotonic() - t0
    screenshot(page, "lesson02_after.png", show=plot)

    assert page_log.page_errors == []
    assert page_log.console_errors == []
    assert page_log.external_requests == [], "the page reached beyond loopback"


LESSON03 = "notebooks/03_blind_versus_endoscopic.ipynb"


def test_lesson03_switching_technique_redraws_the_plane(lab_server, page, page_log, timings):
    from lab import select_dropdown

    assert (lab_server.root / LESSON03).is_file(), f"{LESSON03} not found under {lab_server.root}"
    timings["lesson03 kernel idle"] = open_notebook(page, lab_server.url, LESSON03)
    t0 = time.monotonic()
    timings["lesson03 run all"] = run_all(page)
    wait_for_trace(page, "technique:plane", visible=True)
    timings["lesson03 plane drawn"] = time.monotonic() - t0
    plot = plot_with_trace(page, "technique:plane")
    screenshot(page, "lesson03_before.png", show=plot)

    def plane_size():
        return page.evaluate(
            """() => { for (const el of document.querySelectorAll('.js-plotly-plot')) {
                   for (const t of (el.data || [])) if (t.name === 'technique:plane') return t.x.length; }
               return -1; }""")

    before = plane_size()
    t0 = time.monotonic()
    select_dropdown(page, "A", "Skin-only facelift")
    page.wait_for_function(
        """(n) => Array.from(document.querySelectorAll('.js-plotly-plot')).some((el) =>
            (el.data || []).some((t) => t.name === 'technique:plane' && t.x.length !== n))""",
        arg=before, timeout=60_000, polling=100)
    timings["lesson03 switch to redraw"] = time.monotonic() - t0
    screenshot(page, "lesson03_after.png", show=plot)

    assert page_log.page_errors == []
    assert page_log.console_errors == []
    assert page_log.external_requests == [], "the page reached beyond loopback"
