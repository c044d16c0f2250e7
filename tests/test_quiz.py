"""The spatial quiz: loading with named errors, scoring by distance on analytic cases and on the real model, the
session as a plain object, and the player driven headless (a click by ``click(point)`` or through plotly's click
callback, a choice by the RadioButtons and Submit)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from facelayers.model.grid import params_of
from facelayers.model.nerves import place_all
from facelayers.teaching.quiz import (
    ChoiceQuestion,
    ClickAnswer,
    ClickQuestion,
    QuizError,
    linear_points,
    load_quiz,
    quiz_path,
)
from facelayers.teaching.quiz_scoring import (
    answer_on_skin,
    answer_point,
    depth_below_skin,
    on_surface,
    score_choice,
    score_click,
    score_distance,
)
from facelayers.teaching.quiz_session import QuizSession


@pytest.fixture(scope="module")
def paths(model_coarse):
    return place_all(model_coarse)


@pytest.fixture(scope="module")
def questions():
    return load_quiz()


def by_id(questions, qid):
    return next(q for q in questions if q.question_id == qid)


# ----------------------------------------------------------------------------------------------------
# The shipped quiz


def test_quiz_core_imports_no_plotting_or_widgets():
    """facelayers.teaching.quiz is numpy core (STYLE.md); the widget lives in facelayers.widgets.quiz_widget."""
    code = ("import json, sys, facelayers.teaching.quiz; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('plotly', 'ipywidgets', "
            "'anywidget'))))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def test_shipped_quiz_loads_with_both_kinds(questions):
    clicks = [q for q in questions if q.kind == "click"]
    choices = [q for q in questions if q.kind == "choice"]
    assert len(clicks) >= 6 and len(choices) >= 6
    ids = {q.question_id for q in questions}
    for qid in ("click_frontal_arch", "click_mckinney_point", "click_zuker_point", "click_supraorbital_notch",
                "click_infraorbital_foramen", "click_mental_foramen", "click_sentinel_vein", "click_seckel3_centre",
                "choice_plane_frontal_in_flap", "choice_branches_over_masseter", "choice_glabellar_lines",
                "choice_mckinney_nerve", "choice_zone_marginal", "choice_endoscope_port"):
        assert qid in ids
    for q in choices:
        assert 0 <= q.answer < len(q.options)
    assert quiz_path().name == "quiz.json" and quiz_path().exists()


def test_shipped_quiz_answers_match_the_anatomy(questions, model_coarse):
    """The choice answers say what the data say."""
    anatomy = model_coarse.anatomy
    glabellar = by_id(questions, "choice_glabellar_lines")
    corrugator = anatomy.muscle("corrugator_supercilii")
    assert "glabellar" in corrugator.wrinkle.lower()
    assert glabellar.options[glabellar.answer].startswith("Corrugator")
    zone = by_id(questions, "choice_zone_marginal")
    number = next(z.number for z in anatomy.zones.values() if z.nerve_group == "marginal_mandibular")
    assert zone.options[zone.answer] == f"Zone {number}"


# ----------------------------------------------------------------------------------------------------
# Bad input: a ValueError naming the file, the line, the question, the field, the value and what is allowed


def _write(tmp_path, change, text=None):
    doc = json.loads(quiz_path().read_text(encoding="utf-8"))
    if change is not None:
        change(doc["questions"])
    path = tmp_path / "quiz.json"
    path.write_text(text if text is not None else json.dumps(doc, indent=2), encoding="utf-8")
    return path


def _first(questions, kind):
    return next(q for q in questions if q["kind"] == kind)


def _set(kind, key, value, sub=None):
    def change(qs):
        q = _first(qs, kind)
        (q[sub] if sub else q)[key] = value
    return change


BAD = {
    "unknown kind": (lambda qs: qs[0].update(kind="drag"), "kind", "drag", "must be one of: click, choice"),
    "unknown landmark": (lambda qs: by_dict(qs, "click_mckinney_point")["answer"].update(landmark="mckinney"),
                         "answer.landmark", "mckinney", "must be a landmark_id of landmarks.csv"),
    "unknown nerve": (lambda qs: by_dict(qs, "click_frontal_arch")["answer"].update(nerve="frontal_9"),
                      "answer.nerve", "frontal_9", "must be a nerve_id of nerves.json"),
    "unknown feature": (lambda qs: by_dict(qs, "click_frontal_arch")["answer"].update(where="deepest"),
                        "answer.where", "deepest",
                        "must be one of: arch_crossing, shallowest or an id matching ^waypoint:[0-9]+$"),
    "waypoint out of range": (lambda qs: by_dict(qs, "click_marginal_artery")["answer"].update(where="waypoint:9"),
                              "answer.where", "waypoint:9", "waypoint index out of range"),
    "unknown source": (_set("choice", "source_id", "nobody2020"), "source_id", "nobody2020",
                       "must be a source_id of sources.csv"),
    "answer index out of range": (_set("choice", "answer", 7), "answer", "7", "index out of range: allowed 0 to 3"),
    "full marks not below zero marks": (_set("click", "full_marks_mm", 30), "full_marks_mm", "30",
                                        "must be less than zero_marks_mm"),
    "negative distance": (_set("click", "zero_marks_mm", -20), "zero_marks_mm", "-20",
                          "must be a number >= 0"),
    "unknown side": (_set("click", "side", "both"), "side", "both", "must be one of: left, right, either"),
    "unknown field": (_set("choice", "explanaton", "typo"), "explanaton", "typo", "unknown field: the fields are"),
    "point on the right": (lambda qs: by_dict(qs, "click_pitanguy_upper")["answer"].update(point_mm=[-53, 63, 43]),
                           "answer.point_mm", "[-53, 63, 43]", "must be on the left side"),
}


def by_dict(qs, qid):
    return next(q for q in qs if q["question_id"] == qid)


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_names_file_line_question_field_value_and_what_is_allowed(tmp_path, case):
    change, field, value, allowed = BAD[case]
    path = _write(tmp_path, change)
    with pytest.raises(ValueError) as err:
        load_quiz(path)
    assert isinstance(err.value, QuizError)
    message = str(err.value)
    assert str(path) in message.splitlines()[0]
    assert re.search(r"quiz\.json line \d+ \(question [a-z_0-9]+\)", message), message
    assert f"field '{field}' = '{value}'" in message, message
    assert allowed in message, message


def test_the_line_named_is_the_line_of_the_value(tmp_path):
    path = _write(tmp_path, lambda qs: by_dict(qs, "click_mckinney_point")["answer"].update(landmark="mckinney"))
    lines = path.read_text(encoding="utf-8").splitlines()
    want = next(i for i, line in enumerate(lines, 1) if '"landmark": "mckinney"' in line)
    with pytest.raises(QuizError, match=rf"quiz\.json line {want} \(question click_mckinney_point\)"):
        load_quiz(path)


def test_duplicate_ids_are_named(tmp_path):
    def dup(qs):
        qs[1]["question_id"] = qs[0]["question_id"]
    path = _write(tmp_path, dup)
    with pytest.raises(QuizError, match=r"field 'question_id' = 'click_frontal_arch': must be unique: already used "
                                        r"on line 4"):
        load_quiz(path)


def test_missing_field_is_named(tmp_path):
    path = _write(tmp_path, lambda qs: _first(qs, "choice").pop("options"))
    with pytest.raises(QuizError, match=r"field 'options': is missing: a choice question needs options"):
        load_quiz(path)


def test_every_problem_is_listed(tmp_path):
    def two(qs):
        qs[0]["kind"] = "drag"
        _first(qs, "choice")["answer"] = -1
    path = _write(tmp_path, two)
    with pytest.raises(QuizError) as err:
        load_quiz(path)
    assert len(err.value.problems) == 2


def test_malformed_json_gives_line_and_column(tmp_path):
    path = _write(tmp_path, None, text='{"questions": [\n  {"question_id": "a",\n   "kind" "click"}\n]}\n')
    with pytest.raises(QuizError, match=r"quiz\.json line 3: malformed JSON at column 11 \(Expecting ':' delimiter\)"):
        load_quiz(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(QuizError, match=r"nothere\.json: cannot be read: no such file"):
        load_quiz(tmp_path / "nothere.json")


def test_question_objects_validate_themselves():
    answer = ClickAnswer(point_mm=(1, 2, 3))
    with pytest.raises(ValueError, match="full_marks_mm = 20 must be less than zero_marks_mm = 5"):
        ClickQuestion("q", "p", answer, "either", 20, 5, "e", "s", "l")
    with pytest.raises(ValueError, match="side = 'top'"):
        ClickQuestion("q", "p", answer, "top", 5, 20, "e", "s", "l")
    with pytest.raises(ValueError, match="exactly one of landmark"):
        ClickAnswer(landmark="nasion", point_mm=(0, 1, 2))
    with pytest.raises(ValueError, match="answer = 2; allowed: an index 0 to 1"):
        ChoiceQuestion("q", "p", ("a", "b"), 2, "e", "s", "l")


# ----------------------------------------------------------------------------------------------------
# Scoring: analytic cases


def _point_question(side="either", full=5.0, zero=20.0):
    return ClickQuestion("q", "Click it.", ClickAnswer(point_mm=(50.0, 0.0, 0.0)), side, full, zero, "why",
                         "mckinney1980", "here")


def test_linear_points():
    assert linear_points(0.0, 5, 20) == 1.0
    assert linear_points(5.0, 5, 20) == 1.0
    assert linear_points(12.5, 5, 20) == pytest.approx(0.5)
    assert linear_points(20.0, 5, 20) == 0.0
    assert linear_points(80.0, 5, 20) == 0.0
    with pytest.raises(ValueError, match="distance_mm"):
        linear_points(-1.0, 5, 20)


def test_score_by_distance_on_the_answer_at_zero_and_halfway():
    q = _point_question(side="left")
    answers = {"left": np.array([50.0, 0.0, 0.0])}
    assert score_distance(q, [50, 0, 0], answers).points == 1.0
    at_zero = score_distance(q, [50, 0, 20], answers)
    assert at_zero.distance_mm == pytest.approx(20.0) and at_zero.points == 0.0
    half = score_distance(q, [50, 12.5, 0], answers)
    assert half.distance_mm == pytest.approx(12.5) and half.points == pytest.approx(0.5)


def test_either_side_scores_against_the_nearer_side():
    q = _point_question()
    answers = {"left": np.array([50.0, 0.0, 0.0]), "right": np.array([-50.0, 0.0, 0.0])}
    s = score_distance(q, [-50.0, 0.0, 12.5], answers)
    assert s.side == "right" and s.points == pytest.approx(0.5)
    assert np.allclose(s.answer, [-50, 0, 0])


def test_score_choice():
    q = ChoiceQuestion("c", "Which?", ("a", "b", "c"), 1, "because", "seckel1994", "zone 3")
    assert score_choice(q, 1).points == 1.0
    assert score_choice(q, 2).points == 0.0 and score_choice(q, 2).choice == 2
    with pytest.raises(ValueError, match="choice = 3; allowed: an index 0 to 2"):
        score_choice(q, 3)


# ----------------------------------------------------------------------------------------------------
# Answers and scores on the real model


def test_arch_crossing_lies_8_to_35_mm_in_front_of_the_tragion(model_coarse, paths, questions):
    q = by_id(questions, "click_frontal_arch")
    p = answer_point(model_coarse, q, paths)
    ahead = p[1] - model_coarse.anatomy.point("tragion")[1]
    assert 8.0 <= ahead <= 35.0
    assert p[2] >= model_coarse.anatomy.point("arch_inferior")[2] + 5.0 - 2.0


def test_answers_lie_on_or_in_the_model(model_coarse, paths, questions):
    for q in questions:
        if q.kind != "click":
            continue
        for side in ("left", "right"):
            deep = answer_point(model_coarse, q, paths, side)
            skin = answer_on_skin(model_coarse, q, paths, side)
            assert np.sign(deep[0]) == np.sign(skin[0]) == (1 if side == "left" else -1)
            # the skin point is on the skin: carrying it again does not move it
            assert np.allclose(on_surface(model_coarse, skin), skin, atol=1e-6)
            depth = depth_below_skin(model_coarse, deep)
            bone = model_coarse.stack_under(deep[None]).depth[0, -1]
            if q.answer.nerve is not None:
                assert 0.0 <= depth <= bone + 1e-6, f"{q.question_id}: nerve answer {depth:.1f} mm deep"
            else:  # landmarks and points are estimates (+-5-10 mm, landmarks.csv): within 12 mm of the tissue
                assert -12.0 <= depth <= bone + 12.0, f"{q.question_id}: {depth:.1f} mm below the skin"


def test_foramina_lie_where_the_reference_puts_them(model_coarse, paths, questions):
    anatomy = model_coarse.anatomy
    mental = answer_point(model_coarse, by_id(questions, "click_mental_foramen"), paths)
    assert 15.0 <= anatomy.point("cheilion")[2] - mental[2] <= 30.0  # 21.8 mm below the commissure
    supra = answer_point(model_coarse, by_id(questions, "click_supraorbital_notch"), paths)
    assert 20.0 <= supra[0] <= 33.0  # 26.5 mm from the midline


def test_a_click_on_the_answer_scores_full_marks_on_either_side(model_coarse, paths, questions):
    for q in (by_id(questions, "click_frontal_arch"), by_id(questions, "click_mental_foramen")):
        skin = answer_on_skin(model_coarse, q, paths)
        left = score_click(model_coarse, q, skin, paths)
        assert left.points == 1.0 and left.distance_mm < 1e-6 and left.side == "left"
        right = score_click(model_coarse, q, skin * [-1, 1, 1], paths)
        assert right.points == 1.0 and right.side == "right"


def test_a_click_on_a_peeled_layer_counts_where_it_lies_under_the_skin(model_coarse, paths, questions):
    q = by_id(questions, "click_infraorbital_foramen")
    bone = on_surface(model_coarse, answer_point(model_coarse, q, paths), k=5)
    s = score_click(model_coarse, q, bone, paths)
    assert s.distance_mm < 1e-6 and s.points == 1.0
    assert s.depth_mm > 3.0  # the foramen is on the bone, under the soft tissue


def test_a_click_10_mm_off_scores_linearly(model_coarse, paths, questions):
    q = by_id(questions, "click_mckinney_point")
    skin = answer_on_skin(model_coarse, q, paths)
    s = score_click(model_coarse, q, skin + [0.0, 0.0, 10.0], paths)
    assert 7.0 <= s.distance_mm <= 11.0
    assert s.points == pytest.approx((q.zero_marks_mm - s.distance_mm) / (q.zero_marks_mm - q.full_marks_mm))


def test_shallowest_and_waypoint_answers(model_coarse, paths):
    q = ClickQuestion("q", "p", ClickAnswer(nerve="great_auricular", where="shallowest"), "left", 5, 20, "e",
                      "mckinney1980", "l")
    path = paths[("great_auricular", "left")]
    p = answer_point(model_coarse, q, paths)
    assert depth_below_skin(model_coarse, p) == pytest.approx(path.shallowest()[0], abs=1e-6)
    w = ClickQuestion("w", "p", ClickAnswer(nerve="great_auricular", where="waypoint:1"), "left", 5, 20, "e",
                      "mckinney1980", "l")
    u_w, s_w, _ = params_of(answer_point(model_coarse, w, paths))
    u_m, s_m, _ = params_of(model_coarse.anatomy.point("mckinney_point"))
    assert u_w[0] == pytest.approx(u_m[0], abs=1e-6) and s_w[0] == pytest.approx(s_m[0], abs=1e-4)


# ----------------------------------------------------------------------------------------------------
# The session: the whole flow without widgets


def test_session_scores_a_scripted_quiz(model_coarse, paths, questions):
    session = QuizSession(questions, model_coarse, paths)
    for q in questions:
        assert session.current is q and not session.answered
        if q.kind == "choice":
            session.answer(q.answer)
        else:
            session.answer(answer_on_skin(model_coarse, q, paths))
        assert session.answered and session.feedback()
        session.next()
    assert session.finished and session.current is None
    assert session.total == pytest.approx(len(questions))
    summary = session.summary_text()
    assert summary.splitlines()[-1] == f"Total {len(questions):.2f} of {len(questions)} (100%)"


def test_session_guards_and_skips(model_coarse, paths, questions):
    session = QuizSession(questions, model_coarse, paths)
    first = session.current
    assert first.kind == "click"
    with pytest.raises(ValueError, match="is a click question, not a choice question"):
        session.answer_choice(0)
    session.answer_click(answer_on_skin(model_coarse, first, paths))
    with pytest.raises(ValueError, match="already answered"):
        session.answer_click([0.0, 90.0, 0.0])
    session.next()
    session.next()  # the second question is skipped: it counts 0
    assert session.total == pytest.approx(1.0)
    assert "not answered" in session.summary_text()
    assert session.score_text() == f"Score 1.00 from 1 answer; question 3 of {len(questions)}"


def test_choice_feedback_names_the_right_option(questions):
    q = by_id(questions, "choice_glabellar_lines")
    session = QuizSession([q])
    session.answer_choice(0)
    text = session.feedback()
    assert text.startswith("Not quite: you chose \u201cProcerus\u201d; "
                           "the answer is \u201cCorrugator supercilii\u201d.")
    assert "Source: Janis et al. 2007 (" in text  # author and year, never the id
    assert "janis2007" not in text


def test_summary_names_questions_and_options_in_words(questions):
    q = by_id(questions, "choice_glabellar_lines")
    session = QuizSession([q])
    session.answer_choice(0)
    text = session.summary_text()
    assert "Vertical frown lines" in text and q.question_id not in text
    assert "chose \u201cProcerus\u201d, not \u201cCorrugator supercilii\u201d" in text


def test_every_question_has_a_short_title_and_no_internal_words(questions):
    for q in questions:
        assert q.title and len(q.title) <= 40
        for text in (q.title, q.prompt, q.explanation, q.locator, *getattr(q, "options", ())):
            assert "REFERENCE" not in text and "data/" not in text and ".json" not in text, (q.question_id, text)
            assert q.question_id not in text


# ----------------------------------------------------------------------------------------------------
# The player, headless


class Sent:
    """Every message a FigureWidget sends, with its size (JSON + binary buffers)."""

    def __init__(self, widget):
        self.messages, self.bytes = [], 0
        inner = widget._send

        def record(msg, buffers=None):
            self.messages.append(msg)
            self.bytes += len(json.dumps(msg, default=str)) + sum(len(memoryview(b).cast("B")) for b in buffers or [])
            return inner(msg, buffers=buffers)

        widget._send = record

    def restyled(self) -> set[int]:
        return {i for m in self.messages if (u := m.get("state", {}).get("_py2js_update")) and u.get("style_data")
                for i in u["style_traces"]}


@pytest.fixture
def player(model_coarse, paths, questions):
    from facelayers.widgets.quiz_widget import QuizPlayer

    return QuizPlayer(model_coarse, questions, paths=paths)


def _snapshot(fig):
    """Every trace but the quiz's, as JSON text (arrays included; a nerve's visibility left out: the nerves are
    hidden while a click question is open and come back with its answer)."""
    import plotly.io as pio

    return [pio.to_json({k: v for k, v in t.to_plotly_json().items()
                         if not (k == "visible" and t.name.startswith("nerve:"))})
            for t in fig.data if not t.name.startswith("quiz:")]


def test_player_starts_on_the_skin_with_empty_markers(player, questions):
    assert player.state.peel == 0 and player.state.shown("skin")
    # a click question is open: the nerves (its answer) are hidden, the picker and the zones are off
    assert not player.state.nerves and player.pick.disabled and player.zones.disabled
    assert all(t.visible is False for t in player.figure.data if t.name.startswith("nerve:"))
    names = [t.name for t in player.figure.data]
    assert {"quiz:line", "quiz:click", "quiz:answer"} <= set(names)
    for t in player.figure.data:
        if t.name.startswith("quiz:"):
            assert len(t.x) == 0
    assert questions[0].prompt in player.prompt.value
    assert player.choice_box.layout.display == "none"
    assert player.state.camera == questions[0].camera


def test_player_click_shows_the_answer_and_changes_only_quiz_traces(player, model_coarse, paths, questions):
    q = player.session.current
    before = _snapshot(player.figure)
    sent = Sent(player.figure)
    target = answer_on_skin(model_coarse, q, paths) + [0.0, 10.0, 0.0]
    score = player.click(target)
    assert score is not None and 0.0 < score.points < 1.0
    assert f"{score.distance_mm:.1f} mm from the answer: {score.points:.2f} points" in player.feedback.value
    assert "Score " + f"{score.points:.2f}" in player.score.value
    quiz = {i for i, t in enumerate(player.figure.data) if t.name.startswith("quiz:")}
    nerves = {i for i, t in enumerate(player.figure.data) if t.name.startswith("nerve:")}
    assert sent.restyled() and sent.restyled() <= quiz | nerves
    assert _snapshot(player.figure) == before
    assert all(player.figure.data[i].visible is True for i in nerves), "the answer brings the nerves back"
    assert sent.bytes <= 2000, f"an answer sent {sent.bytes} B: markers, labels and visibility only, no mesh"
    answer = next(t for t in player.figure.data if t.name == "quiz:answer")
    click = next(t for t in player.figure.data if t.name == "quiz:click")
    # the figure plots x negated: the markers sit on the side clicked (the subject's left: figure x < 0)
    assert answer.x[0] < 0 and click.x[0] < 0
    labels = {a.name: a.text for a in player.figure.layout.scene.annotations if a.visible}
    assert labels == {"quiz:answer": "answer", "quiz:click": f"your click: {score.distance_mm:.0f} mm"}
    # a second click on an answered question changes nothing
    assert player.click(target) is None
    # next question: the markers are cleared
    player.next_button.click()
    assert all(len(t.x) == 0 for t in player.figure.data if t.name.startswith("quiz:"))
    assert not any(a.visible for a in player.figure.layout.scene.annotations)


def test_plotly_click_callback_negates_x(model_coarse, paths, questions):
    """A click arrives as plotly would send it (figure frame, x negated); a left-only question proves the sign."""
    from facelayers.widgets.quiz_widget import QuizPlayer

    q = by_id(questions, "click_zuker_point")
    left_only = ClickQuestion(q.question_id, q.prompt, q.answer, "left", q.full_marks_mm, q.zero_marks_mm,
                              q.explanation, q.source_id, q.locator)
    player = QuizPlayer(model_coarse, [left_only], paths=paths)
    skin = next(i for i, t in enumerate(player.figure.data) if t.name == "layer:skin")
    trace = player.figure.data[skin]
    verts = np.stack([-np.asarray(trace.x), np.asarray(trace.y), np.asarray(trace.z)], axis=1)
    target = answer_on_skin(model_coarse, left_only, paths)
    v = int(np.argmin(np.linalg.norm(verts - target, axis=1)))
    player.figure._handler_js2py_pointsCallback({"new": {
        "event_type": "plotly_click", "selector": None, "device_state": None,
        "points": {"trace_indexes": [skin], "point_indexes": [v], "xs": [float(trace.x[v])],
                   "ys": [float(trace.y[v])]}}})
    score = player.session.scores[left_only.question_id]
    assert score.side == "left" and score.distance_mm < 6.0 and score.points > 0.9
    assert np.allclose(score.click, verts[v], atol=1e-3)


def test_player_choice_by_radio_buttons_and_submit(player, questions):
    player.next_button.click()  # not answered yet: the button is disabled, nothing happens
    assert player.session.index == 0
    player.next()  # skip the first (click) question
    q = player.session.current
    assert q.kind == "choice" and player.choice_box.layout.display is None
    assert player.submit.disabled
    before = _snapshot(player.figure)
    assert player.click([0.0, 90.0, 0.0]) is None  # clicks do not answer a choice question
    assert "options above" in player.feedback.value
    player.choices.value = q.answer
    assert not player.submit.disabled
    player.submit.click()
    assert player.session.scores[q.question_id].points == 1.0
    assert "Correct:" in player.feedback.value and player.submit.disabled and not player.next_button.disabled
    assert "Score 1.00 from 1 answer" in player.score.value
    assert _snapshot(player.figure) == before
    player.next_button.click()
    player.next_button.click()  # unanswered: disabled, stays
    assert player.session.index == 2


def test_player_wrong_choice_and_the_end(model_coarse, paths, questions):
    from facelayers.widgets.quiz_widget import QuizPlayer

    q = by_id(questions, "choice_glabellar_lines")
    player = QuizPlayer(model_coarse, [q], paths=paths)
    player.choices.value = 0
    player.submit.click()
    assert "Not quite" in player.feedback.value and player.session.total == 0.0
    assert player.next_button.description == "Finish"
    player.next_button.click()
    assert "The quiz is over" in player.prompt.value
    assert "Total 0.00 of 1 (0%)" in player.feedback.value


def test_a_click_through_the_bridge_answers_and_a_miss_is_told(model_coarse, paths, questions):
    """The browser's click bridge sends a click as a message of its own (figure frame, x negated), or a miss."""
    from facelayers.widgets.quiz_widget import QuizPlayer

    player = QuizPlayer(model_coarse, questions, paths=paths)
    q = player.session.current
    assert player.figure.layout.meta["clicks"] == player.bridge.token
    assert player.bridge in player.ui.children, "the bridge must be on the page to listen"
    player.bridge._received(player.bridge, {"kind": "miss"}, [])
    assert "missed the model" in player.feedback.value and player.quiz_state.missed
    assert not player.session.answered
    target = answer_on_skin(model_coarse, q, paths)
    point = {"x": -float(target[0]), "y": float(target[1]), "z": float(target[2]), "trace": "layer:skin"}
    player.bridge._received(player.bridge, {"kind": "click", "point": point}, [])
    score = player.session.scores[q.question_id]
    assert score.distance_mm < 1.0 and score.points == 1.0
    assert player.quiz_state.click is not None and not player.quiz_state.missed
    assert player.state.nerves and not player.pick.disabled
    player.bridge._received(player.bridge, {"kind": "miss"}, [])  # answered: a miss changes nothing
    assert "missed" not in player.feedback.value


def _widgets_in(widget) -> list:
    """Every widget in the tree under ``widget`` (itself included)."""
    found = [widget]
    for child in getattr(widget, "children", ()):
        found.extend(_widgets_in(child))
    return found


def test_a_choice_only_quiz_draws_no_figure(model_coarse, paths, questions):
    """Lesson 05's multiple-choice round: no (empty) chart beside the options, and no view controls for it."""
    from facelayers.widgets.quiz_widget import QuizPlayer

    player = QuizPlayer(model_coarse, [q for q in questions if q.kind == "choice"], paths=paths)
    shown = _widgets_in(player.ui)
    assert player.figure not in shown and player.camera not in shown and player.peel not in shown
    assert player.prompt in shown and player.choices in shown and player.next_button in shown
    # the quiz with click questions keeps the model beside the question
    mixed = QuizPlayer(model_coarse, questions, paths=paths)
    assert mixed.figure in _widgets_in(mixed.ui)


def test_next_question_sits_above_the_feedback(player):
    """A long feedback must not push Next question below the fold: Next comes right after the question."""
    order = player.panel.children
    assert order.index(player.nav) < order.index(player.feedback)
    assert player.next_button in player.nav.children


def test_a_click_answer_says_scoring_at_once(player, model_coarse, paths):
    """The panel says 'Scoring' before the (slow) scoring, then shows the score."""
    q = player.session.current
    seen = []
    player.feedback.observe(lambda c: seen.append(c["new"]), names="value")
    player.click(answer_on_skin(model_coarse, q, paths))
    assert seen and "Scoring your click" in seen[0]
    assert "Scoring" not in player.feedback.value and player.session.answered
