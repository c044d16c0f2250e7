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
