"""A real mouse click on the 3D model answers the quiz: lesson 05 in JupyterLab, in headless chromium.

tests/test_quiz.py calls the click handler directly; here the click goes through the whole chain: the mouse on
the WebGL canvas, plotly's pick, plotly_click, the FigureWidget's message to the kernel, QuizPlayer's handler,
and the markers and feedback sent back to the page. See ``lab.click_3d`` for why the button must be held.

The test asks for a point 12 mm in front of the first question's answer (on the skin), projects it through the
scene's camera and clicks there, so it knows what the score must be.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from lab import (click_3d, open_notebook, plot_with_trace, run_all, scene_point_on_page, screenshot,
                 wait_for_trace)
from servers import serve_lab

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
LESSON = "notebooks/05_quiz.ipynb"
#: Where the click goes: this far from the answer (head frame, mm; +y is anterior), then carried to the skin.
OFFSET_MM = np.array([0.0, 12.0, 0.0])
@pytest.fixture(scope="module")
def lab_server(chromium_path, tmp_path_factory):
    """This module's own JupyterLab, serving a copy of lesson 05 from a temporary directory.

    It overrides conftest's session server for the tests here (the ``page`` fixture uses it): test_lab.py runs
    lesson 05 in that server, and opening the same notebook a second time in one server reconnects the page to the
    first run's widget models. The copy lives outside the working tree.
    """
    source = Path(os.environ.get("FACELAYERS_LAB_ROOT", REPO)).resolve() / LESSON
    home = tmp_path_factory.mktemp("quiz-lab")
    root = home / "root"
    (root / Path(LESSON).parent).mkdir(parents=True)
    shutil.copyfile(source, root / LESSON)
    with serve_lab(root, home) as server:
        yield server


@pytest.fixture(scope="module")
def first_question():
    """The lesson's first question, its answer and the click target on the skin, computed here as the notebook
    does (``load_quiz()``, ``build_face()``, ``place_all``)."""
    from facelayers.model.geometry import build_face
    from facelayers.model.nerves import place_all
    from facelayers.teaching.quiz_scoring import answer_on_skin, on_surface
    from facelayers.teaching.quiz import load_quiz

    model = build_face()
    paths = place_all(model)
    question = load_quiz()[0]
    assert question.kind == "click", f"lesson 05 should open on a click question, not {question.question_id}"
    answer = answer_on_skin(model, question, paths)
    target = on_surface(model, answer + OFFSET_MM)
    return model, paths, question, answer, target


# The quiz player's own widgets: the texts of the notebook cell that holds the plot (the lesson has two players).
_PLAYER_TEXT_JS = """(gd) => Array.from(gd.closest('.jp-Cell').querySelectorAll('.widget-html-content'))
    .map((e) => e.innerText).join(' | ')"""
_QUIZ_TRACE_JS = """(gd) => Object.fromEntries(gd.data.filter((t) => (t.name || '').startsWith('quiz:'))
    .map((t) => [t.name, Array.from(t.x || []).map((x, i) => [x, t.y[i], t.z[i]])]))"""


def test_lesson05_a_real_click_on_the_model_answers_the_question(lab_server, page, page_log, timings,
                                                                 first_question):
    from facelayers.teaching.quiz_scoring import score_click

    model, paths, question, answer, target = first_question
    timings["quiz click kernel idle"] = open_notebook(page, lab_server.url, LESSON)
    timings["quiz click run all"] = run_all(page)
    wait_for_trace(page, "quiz:click", visible=True)
    plot = plot_with_trace(page, "quiz:click")  # the first player: the whole quiz, opening on a click question
    plot.scroll_into_view_if_needed()
    # The cell's widgets fill in once scrolled to (JupyterLab renders the notebook lazily).
    page.wait_for_function(f"(gd) => ({_PLAYER_TEXT_JS})(gd).includes('Question 1 of')", arg=plot.element_handle(),
                           timeout=30_000, polling=100)
    before = plot.evaluate(_PLAYER_TEXT_JS)
    assert "Question 1 of" in before and "Click on the model" in before, before
    assert all(points == [] for points in plot.evaluate(_QUIZ_TRACE_JS).values())

    # The target in the figure frame (x negated, see facelayers.render.face.xyz), projected to the page.
    target_fig = target * np.array([-1.0, 1.0, 1.0])
    x, y = scene_point_on_page(plot, target_fig)
    t0 = time.monotonic()
    clicked = click_3d(page, plot, x, y)
    timings["quiz click: plotly_click"] = time.monotonic() - t0
    picked = np.array([clicked["x"], clicked["y"], clicked["z"]], dtype=float)
    assert clicked["trace"] == "layer:skin", f"the click should land on the skin: {clicked}"
    # plotly reports the picked triangle's nearest vertex: within a few mm of the projected target.
    assert np.linalg.norm(picked - target_fig) < 5.0, f"picked {picked}, aimed at {target_fig}"

    # The kernel answers: the feedback, the score and the three markers come back to the page.
    page.wait_for_function(
        "(gd) => { const t = gd.data.find((t) => t.name === 'quiz:click'); return !!(t && t.x && t.x.length); }",
        arg=plot.element_handle(), timeout=60_000, polling=100,
    )
    page.wait_for_function(f"(gd) => ({_PLAYER_TEXT_JS})(gd) !== {json.dumps(before)}",
                           arg=plot.element_handle(), timeout=60_000, polling=100)
    timings["quiz click: feedback shown"] = time.monotonic() - t0
    after = plot.evaluate(_PLAYER_TEXT_JS)
    markers = plot.evaluate(_QUIZ_TRACE_JS)
    assert len(markers["quiz:click"]) == 1 and len(markers["quiz:answer"]) == 1 and len(markers["quiz:line"]) > 1

    # The score is that of the point plotly picked (head frame: x negated back), and about 12 mm off the answer.
    expected = score_click(model, question, picked * np.array([-1.0, 1.0, 1.0]), paths)
    found = re.search(r"([\d.]+) mm from the answer: ([\d.]+) points", after)
    assert found, f"no distance and points in the feedback: {after}"
    distance, points = float(found[1]), float(found[2])
    assert distance == pytest.approx(expected.distance_mm, abs=0.051), (distance, expected.distance_mm)
    assert points == pytest.approx(expected.points, abs=0.0051), (points, expected.points)
    assert abs(distance - np.linalg.norm(target - answer)) < 5.0, "the click should be about 12 mm off"
    assert 0.0 < points < 1.0, "12 mm off the frontal branch scores part of the point"
    assert f"Score {points:.2f} from 1 answer" in after, after
    # The blue marker sits on the skin over the click (lifted 3 mm), the green one over the answer.
    assert np.linalg.norm(np.array(markers["quiz:click"][0]) - picked) < 6.0, (markers["quiz:click"], picked)
    answer_fig = answer * np.array([-1.0, 1.0, 1.0])
    assert np.linalg.norm(np.array(markers["quiz:answer"][0]) - answer_fig) < 6.0, (markers["quiz:answer"], answer_fig)

    # Screenshot without plotly's hover label over the markers (pointer moved off the plot), in a viewport tall
    # enough for the question, the feedback and the model at once.
    page.mouse.move(5, page.viewport_size["height"] - 5)
    page.wait_for_function("(gd) => gd.querySelectorAll('.hovertext').length === 0", arg=plot.element_handle(),
                           timeout=10_000)
    page.set_viewport_size({"width": page.viewport_size["width"], "height": 1500})
    plot.evaluate("""(gd) => Array.from(gd.closest('.jp-Cell').querySelectorAll('.widget-html-content'))
        .find((e) => e.innerText.includes('Question 1 of')).scrollIntoView({block: 'start'})""")
    screenshot(page, "quiz_click.png", show=plot)
    assert page_log.page_errors == [] and page_log.console_errors == []
    assert page_log.external_requests == []
