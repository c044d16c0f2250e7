"""What lesson 01's FigureWidget sends to the browser: every array a binary buffer of the narrowest type.

The byte budget itself (issue 12: at most 1.8 MB) is a target of `make bench`, not a test; these tests check the
means: no array goes as JSON numbers (a nested (n, 2) ``customdata`` once cost four times its bytes), triangles
go as uint16, coordinates and hover numbers as float32, and the lecture grid keeps the face of the classic
144 x 84 grid while spending fewer rays elsewhere.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.message_meter import MessageMeter
from facelayers.model import grid as grid_module
from facelayers.model.geometry import RESOLUTIONS
from facelayers.widgets.layer_explorer import LayerExplorer

#: The dtype each array of the figure goes as. Mesh3d triangles: uint16 (every surface has < 65,536 vertices);
#: coordinates, thickness (``intensity``) and depth (``customdata``): float32, what the hover prints to 0.1 mm.
NARROWEST = {"i": "uint16", "j": "uint16", "k": "uint16", "x": "float32", "y": "float32", "z": "float32",
             "intensity": "float32", "customdata": "float32"}


@pytest.fixture(scope="module")
def first_message(model_lecture):
    """The message that first draws lesson 01's figure, and its buffers."""
    ex = LayerExplorer(model_lecture)
    meter = MessageMeter(ex.figure, keep=True)
    ex.figure.send_state(["_widget_data", "_widget_layout"])
    assert meter.messages == 1
    msg, buffers = meter.log[0]
    return ex.figure, msg, buffers


def _number_lists(value, path=()):
    """Paths of JSON lists of numbers longer than 16 in a message's state (arrays that escaped the buffers)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _number_lists(item, path + (key,))
    elif isinstance(value, (list, tuple)):
        if len(value) > 16 and all(isinstance(v, (int, float, list)) and not isinstance(v, bool) for v in value):
            yield path
        else:
            for n, item in enumerate(value):
                yield from _number_lists(item, path + (n,))


def test_every_array_goes_as_a_binary_buffer(first_message):
    fig, msg, buffers = first_message
    assert list(_number_lists(msg["state"])) == []
    sent = {(path[1], path[2]) for path in msg["buffer_paths"] if path[0] == "_widget_data"}
    assert len(buffers) == len(msg["buffer_paths"])
    for n, trace in enumerate(fig.data):
        for key, value in trace.to_plotly_json().items():
            if isinstance(value, np.ndarray) and value.size:
                assert (n, key) in sent, f"{trace.name}.{key} is not a binary buffer"


def test_every_array_has_the_narrowest_dtype(first_message):
    fig, msg, buffers = first_message
    data = msg["state"]["_widget_data"]
    seen = set()
    for path, buffer in zip(msg["buffer_paths"], buffers):
        if path[0] != "_widget_data":
            continue
        n, key = path[1], path[2]
        declared = data[n][key]["dtype"]
        assert key in NARROWEST, f"{fig.data[n].name}.{key}: an array nobody chose a dtype for"
        assert declared == NARROWEST[key], f"{fig.data[n].name}.{key} goes as {declared}, not {NARROWEST[key]}"
        assert memoryview(buffer).itemsize == np.dtype(declared).itemsize
        seen.add((fig.data[n].type, key))
    # the six layers carry thickness and depth for the hover, the meshes their triangles
    assert {("mesh3d", k) for k in ("i", "j", "k", "x", "y", "z", "intensity", "customdata")} <= seen
    for trace in fig.data:
        if trace.type == "mesh3d" and trace.i is not None and len(trace.i):
            assert int(np.max([trace.i, trace.j, trace.k])) < len(trace.x) < 2**16


def test_hover_still_reads_thickness_and_depth(first_message):
    fig, _, _ = first_message
    layers = [t for t in fig.data if t.name.startswith("layer:")]
    assert [t.name for t in layers] == ["layer:skin", "layer:fat", "layer:smas", "layer:muscle",
                                        "layer:periosteum", "layer:bone"]
    for t in layers[1:-1]:
        assert "%{intensity:.1f} mm thick" in t.hovertemplate and "%{customdata:.1f} mm below" in t.hovertemplate
        assert t.intensity.ndim == 1 and t.customdata.ndim == 1 and len(t.intensity) == len(t.x)
        assert np.all(t.intensity >= 0) and np.all(np.diff([t.customdata.min(), t.customdata.max()]) > 0)
    assert "%{intensity:.1f} mm thick" in layers[0].hovertemplate
    assert "%{customdata:.1f} mm below" in layers[-1].hovertemplate


def test_the_lecture_grid_keeps_the_face_of_the_classic_grid():
    """Over the face's box the lecture grid's rays are exactly those of the classic profile at 144 x 84; outside
    it there are fewer, their spacing growing smoothly (no gap more than 1.6 times its neighbour)."""
    nu, nv = RESOLUTIONS["lecture"]
    u, s = grid_module.grid(nu, nv)
    classic_u = grid_module._warped(144, -np.pi, np.pi, grid_module.CLASSIC_U_KNOTS, periodic=True)
    classic_s = grid_module._warped(84, grid_module.S_BOTTOM_MM, grid_module.S_TOP_MM - 2.0,
                                    grid_module.CLASSIC_S_KNOTS, periodic=False)
    face_u = classic_u[np.abs(classic_u) <= grid_module.FACE_U_RAD + 1e-9]
    face_s = classic_s[(classic_s >= grid_module.FACE_S_MM[0]) & (classic_s <= grid_module.FACE_S_MM[1])]
    np.testing.assert_array_equal(u[np.abs(u) <= grid_module.FACE_U_RAD + 1e-9], face_u)
    np.testing.assert_array_equal(s[(s >= grid_module.FACE_S_MM[0]) & (s <= grid_module.FACE_S_MM[1])], face_s)
    assert nu * nv < 0.75 * 144 * 84
    for axis, gaps in (("u", np.diff(np.concatenate([u, [u[0] + 2 * np.pi]]))), ("s", np.diff(s))):
        ratio = gaps[1:] / gaps[:-1]
        assert ratio.max() < 1.6 and ratio.min() > 1 / 1.6, f"{axis}: a jump in spacing ({ratio.min():.2f}, " \
                                                            f"{ratio.max():.2f})"


@pytest.mark.parametrize("resolution", [(8, 6), (17, 11), (40, 24), (60, 32), (116, 74), (118, 73), (201, 119), (256, 156)])
def test_the_grid_is_whole_at_any_resolution(resolution):
    nu, nv = resolution
    u, s = grid_module.grid(nu, nv)
    assert u.shape == (nu,) and s.shape == (nv,)
    assert np.all(np.diff(u) > 0) and u[0] >= -np.pi and u[-1] < np.pi
    assert np.all(np.diff(s) > 0)
    assert s[0] == pytest.approx(grid_module.S_BOTTOM_MM) and s[-1] == pytest.approx(grid_module.S_TOP_MM - 2.0)
    inner = u[u > -np.pi + 1e-9]
    np.testing.assert_allclose(np.sort(-inner), inner, atol=1e-12)  # symmetric about the midline


def test_small_grids_keep_the_classic_profile():
    """The tests' coarse grid (and any grid under FACE_BOX_FROM) is sampled as before the face's box."""
    nu, nv = RESOLUTIONS["coarse"]
    assert nu < grid_module.FACE_BOX_FROM[0] or nv < grid_module.FACE_BOX_FROM[1]
    u, s = grid_module.grid(nu, nv)
    np.testing.assert_array_equal(u, grid_module._warped(nu, -np.pi, np.pi, grid_module.CLASSIC_U_KNOTS, True))
    np.testing.assert_array_equal(s, grid_module._warped(nv, grid_module.S_BOTTOM_MM, grid_module.S_TOP_MM - 2.0,
                                                         grid_module.CLASSIC_S_KNOTS, False))
