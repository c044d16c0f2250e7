"""The offline page's first frame: the WebGL preview script the page carries, and when it carries none.

What the preview draws, and that it looks like plotly's frame, is checked in a real browser
(tests/browser/test_offline_preview.py); here: which traces it is for, that the page embeds the script exactly as
``static/preview.js`` holds it (read at export time), before the loader, with the scene and camera it reads.
"""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
import pytest

from facelayers.delivery import layers_offline, offline_page
from facelayers.delivery.html_page import html_page

MESH = {"x": np.float32([0, 1, 0, 0]), "y": np.float32([0, 0, 1, 0]), "z": np.float32([0, 0, 0, 1]),
        "i": np.uint16([0, 0, 0, 1]), "j": np.uint16([1, 1, 2, 2]), "k": np.uint16([2, 3, 3, 3])}


def scripts(text: str) -> list[str]:
    """The page's inline scripts (not the data block), in order."""
    return re.findall(r"<script>(.*?)</script>", text, re.DOTALL)


@pytest.fixture(scope="module")
def lesson_page(model_coarse):
    fig = layers_offline.layers_offline_figure(model_coarse)
    return fig, html_page(fig, "lesson 01")


def test_the_preview_is_for_the_visible_meshes_of_the_scene(lesson_page):
    fig, _ = lesson_page
    data = fig.to_dict()["data"]
    assert offline_page.preview_traces(fig.to_dict()) == [n for n, t in enumerate(data) if t["type"] == "mesh3d"
                                                          and t.get("visible", True) is True]
    # six layers and the globes; not the drawn skull, hidden until "Bone" (render.skull_stage)
    assert len(offline_page.preview_traces(fig.to_dict())) == 7


def test_the_page_carries_the_preview_script_read_from_static_before_the_loader(lesson_page):
    _, page = lesson_page
    source = offline_page.PREVIEW_FILE.read_text(encoding="utf-8")
    assert "function preview(div, figure, array)" in source and "</script" not in source
    found = scripts(page.text)
    assert len(found) == 2, "the preview, then the loader"
    assert found[0].strip() == source.strip() == offline_page.preview_script().strip()
    assert "facelayersPreview(div, head.figure, flat)" in found[1]
    assert "http" not in source  # nothing to fetch


def test_the_page_holds_the_scene_and_camera_the_preview_reads(lesson_page):
    fig, page = lesson_page
    header, arrays, _ = offline_page.read_page(page.text)
    scene = header["figure"]["layout"]["scene"]
    assert scene["camera"] == fig.layout.scene.camera.to_plotly_json()
    assert scene["aspectmode"] == "data" and scene["domain"] == {"x": [0.16, 0.84], "y": [0.08, 1]}
    assert scene["bgcolor"] == fig.layout.scene.bgcolor
    skin = header["figure"]["data"][0]
    assert skin["lighting"] and skin["lightposition"] and skin["colorscale"]
    for key in "xyzijk":  # the arrays the preview draws are the stored ones, by reference
        assert set(skin[key]) == {offline_page.ARRAY_KEY}
        assert arrays[skin[key][offline_page.ARRAY_KEY]].size == fig.data[0][key].size


@pytest.mark.parametrize("why, traces", [
    ("no mesh", [go.Scatter3d(x=[0, 1], y=[0, 1], z=[0, 1])]),
    ("hidden mesh", [go.Mesh3d(**MESH, visible=False)]),
    ("legend-only mesh", [go.Mesh3d(**MESH, visible="legendonly"), go.Scatter3d(x=[0, 1], y=[0, 1], z=[0, 1])]),
    ("mesh on a second scene", [go.Mesh3d(**MESH, scene="scene2")]),
    ("mesh without triangles (alphahull)", [go.Mesh3d(x=MESH["x"], y=MESH["y"], z=MESH["z"], alphahull=0)]),
    ("2D only", [go.Scatter(x=[0, 1], y=[1, 0])]),
])
def test_a_figure_the_preview_cannot_draw_gets_no_preview(why, traces):
    fig = go.Figure(traces)
    assert offline_page.preview_traces(fig.to_dict()) == [], why
    page = html_page(fig, why)
    assert "facelayersPreview(div" in page.text  # the loader asks ...
    assert len(scripts(page.text)) == 1 and "function preview(" not in page.text  # ... but there is none


def test_a_mesh_among_other_traces_is_previewed(lesson_page):
    fig = go.Figure([go.Scatter3d(x=[0, 1], y=[0, 1], z=[0, 1]), go.Mesh3d(**MESH, color="#336699")])
    assert offline_page.preview_traces(fig.to_dict()) == [1]
    assert len(scripts(html_page(fig, "t").text)) == 2


def test_the_preview_can_be_left_out(lesson_page):
    _, page = lesson_page
    text = offline_page.page_html(page.packed, "t", "#000", "#fff", preview=False)
    assert len(scripts(text)) == 1 and "function preview(" not in text
    assert offline_page.read_page(text)[0] == offline_page.read_page(page.text)[0]  # the same figure either way
