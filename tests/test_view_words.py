"""Lesson 07: a view told in plain words, and its last figure's key clear of the face in a figure of any width."""

from __future__ import annotations

import re

import numpy as np
import pytest

from facelayers.model.patient import Patient
from facelayers.teaching.state import ViewState

YAML_KEYS = ("flap_mm", "scope_aim_deg", "section_kind", "layers_cut", "scope_port", "section_at", "cutaway:")


@pytest.mark.parametrize("state", [
    ViewState(camera="left", cutaway="cheek", layers_cut=2, patient=Patient("female", 75, 19)),
    ViewState(camera="incision", peel=2, technique="deep_plane", flap_mm=20, zones=True, pick="group:frontal"),
    ViewState(camera="oblique", technique="endoscopic_brow", scope_port="temporal_left", visible={"bone": False}),
])
def test_a_view_in_words_names_no_yaml_key(state, model_coarse):
    from facelayers.render.view_words import view_in_words

    text = view_in_words(state, model_coarse)
    assert not [k for k in YAML_KEYS if k in text], text
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), text  # no snake_case id at all
    assert "Camera: from" in text or "Camera: along" in text
    if state.patient is not None:
        assert "woman, 75 y, BMI 19" in text and "2 layers removed (Skin, Subcutaneous fat)" in text
    if state.flap_mm:
        assert "Flap raised 20 mm" in text and "Peeled away: Skin, Subcutaneous fat" in text


@pytest.mark.parametrize("width", [700, 930, 1500])
def test_the_key_lies_clear_of_the_face(model_coarse, width):
    """Lesson 07's last figure: no point of the face under a row of the key (it lay over the eye at 700 px)."""
    from facelayers.render.face import face_figure
    from facelayers.render.fit import key_beside_scene, scene_box_px, scene_ndc

    height = 640
    state = ViewState(camera="left", cutaway="cheek", layers_cut=2)
    fig = key_beside_scene(face_figure(model_coarse, state, title="A woman, 75 y, BMI 19", height=height))
    layout = fig.layout.to_plotly_json()
    ndc = scene_ndc(fig, "scene", width, height)
    assert np.abs(ndc).max() < 1.0  # the head whole in its box
    m = layout["margin"]
    bw, bh = scene_box_px(layout, "scene", width, height)
    left = m["l"] + fig.layout.scene.domain.x[0] * (width - m["l"] - m["r"])
    px = left + (ndc[:, 0] + 1) / 2 * bw
    py = m["t"] + (1 - ndc[:, 1]) / 2 * bh
    ph = height - m["t"] - m["b"]
    rows = [a for a in fig.layout.annotations if a.xref == "paper" and a.x < 0.2]
    assert len(rows) == 7
    for a in rows:
        text = re.sub(r"<[^>]+>", "", a.text)
        x0 = m["l"] + a.x * (width - m["l"] - m["r"])
        x1 = x0 + 0.6 * a.font.size * len(text)  # a generous width for 16 px sans-serif
        yc = m["t"] + (1 - a.y) * ph
        under = (px > x0) & (px < x1) & (np.abs(py - yc) < a.font.size)
        assert not under.any(), (text, width, int(under.sum()))


def test_printed_tables_wrap_between_words():
    """The layer table's long contents wrap at words under their column, and the page's CSS wraps any printed
    line between words ("leva/tor anguli oris" in Voila, "Malar / midfa/ce" in JupyterLab)."""
    from facelayers.anatomy import tables
    from facelayers.anatomy.load import load_anatomy
    from facelayers.widgets.controls import STAGE_CSS

    anatomy = load_anatomy()
    text = tables.layers_text(anatomy)
    assert max(len(line) for line in text.splitlines()) <= tables.TEXT_WIDTH
    flat = " ".join(text.split())
    for layer in anatomy.layers.values():  # every word whole: the contents read back intact, spaces aside
        assert " ".join(layer.contents.split()) in flat, layer.label
    assert ".jp-OutputArea-output pre {word-break: normal !important" in STAGE_CSS
