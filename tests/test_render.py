"""Figures as data: trace names, colours, visibility, dtypes, cameras, cutaway updates, the 2D section, the palette."""

from __future__ import annotations

import itertools

import numpy as np
import plotly.graph_objects as go
import pytest

from facelayers.core.frame import INTERFACES, LAYERS
from facelayers.model.section import section
from facelayers.render import face as render
from facelayers.render import updates
from facelayers.teaching.state import CAMERAS, ViewState

# space:layer4: layer 4's band in the muscle layer's cut wall (issue 11, facelayers.model.cutaway.layer4_wall)
TRACE_NAMES = [f"layer:{name}" for name in INTERFACES] + ["labels:regions", "section:line", "space:layer4", "eyes",
                                                     "skull"]

#: Machado, Oliveira & Fernandes 2009, severity 1.0, applied to linear RGB.
MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
}
#: Smallest sRGB (0-1) Euclidean distance between any two simulated layer colours. Measured minimum at the time
#: of writing: 0.287 (skin vs periosteum, protanopia); 0.339 (skin vs bone, deuteranopia).
MIN_CVD_DISTANCE = 0.15


@pytest.fixture(scope="module")
def default_fig(model_coarse):
    return render.face_figure(model_coarse)


def by_name(fig) -> dict:
    return {t.name: t for t in fig.data}


def same_geometry(a, b) -> bool:
    return all(np.array_equal(np.asarray(getattr(a, c)), np.asarray(getattr(b, c))) for c in "xyzijk")


# ----------------------------------------------------------------------------------------------------
# The 3D figure


def test_trace_names(default_fig):
    assert [t["name"] for t in default_fig.to_dict()["data"]] == TRACE_NAMES


def test_layer_colours_are_the_palette(default_fig):
    assert list(render.PALETTE) == list(INTERFACES)
    data = default_fig.to_dict()["data"]
    for name in INTERFACES:
        trace = next(t for t in data if t["name"] == f"layer:{name}")
        assert trace["color"] == render.PALETTE[name]
        assert trace["type"] == "mesh3d"
        assert trace.get("opacity", 1) == 1, "meshes must be opaque (plotly sorts translucent meshes badly)"


@pytest.mark.parametrize("state", [
    ViewState(),
    ViewState(peel=2),
    ViewState(peel=5),
    ViewState(visible={"muscle": False, "bone": False}),
    ViewState(peel=1, visible={"smas": False}),
])
def test_visibility_follows_the_state(model_coarse, state):
    fig = render.face_figure(model_coarse, state)
    traces = by_name(fig)
    bare = state.outermost == "bone"  # the bone alone: the drawn skull instead of the floor (render.skull_stage)
    for name in INTERFACES:
        assert traces[f"layer:{name}"].visible is (state.shown(name) and not (bare and name == "bone")), name
    assert traces["skull"].visible is bare
    if state.peel == 2:
        assert not state.shown("skin") and not state.shown("fat") and state.shown("smas")
    # labels and the section line start hidden-but-listed
    assert traces["labels:regions"].visible == "legendonly"
    assert traces["section:line"].visible == "legendonly"


def test_geometry_is_float32_and_indices_uint16(default_fig):
    for name in INTERFACES:
        trace = by_name(default_fig)[f"layer:{name}"]
        for c in "xyz":
            assert np.asarray(getattr(trace, c)).dtype == np.float32, f"{name}.{c}"
        for c in "ijk":
            assert np.asarray(getattr(trace, c)).dtype == np.uint16, f"{name}.{c}"
        # 1D hover arrays (depth, thickness): a FigureWidget sends those as binary, an (n, 2) one as JSON lists
        # (skin: thickness only, its depth is 0; bone: depth only, it has no thickness)
        if name != "skin":
            assert np.asarray(trace.customdata).dtype == np.float32 and np.asarray(trace.customdata).shape == (len(trace.x),)
        if name != "bone":
            assert np.asarray(trace.intensity).dtype == np.float32 and len(trace.intensity) == len(trace.x)
        assert np.asarray(trace.i).max() < len(trace.x)
    # and as serialised: typed arrays f4 / u2, not lists of Python floats
    for t in default_fig.to_dict()["data"][:len(INTERFACES)]:
        assert {c: t[c]["dtype"] for c in "xyzijk"} == {**dict.fromkeys("xyz", "f4"), **dict.fromkeys("ijk", "u2")}


def test_skin_includes_the_ears_other_layers_do_not(model_coarse, default_fig):
    traces = by_name(default_fig)
    assert len(traces["layer:skin"].x) > model_coarse.n_vertices
    assert len(traces["layer:fat"].x) == model_coarse.n_vertices


@pytest.mark.parametrize("camera", list(CAMERAS))
def test_camera_preset(model_coarse, camera):
    fig = render.face_figure(model_coarse, ViewState(camera=camera))
    cam = fig.to_dict()["layout"]["scene"]["camera"]
    for key in ("eye", "up", "center"):
        assert np.allclose([cam[key][c] for c in "xyz"], [CAMERAS[camera][key][c] for c in "xyz"]), key


def test_apply_camera_changes_only_the_camera(model_coarse, default_fig):
    fig = go.Figure(default_fig)
    before = fig.to_dict()
    updates.apply_camera(fig, ViewState(camera="left"))
    after = fig.to_dict()
    want = CAMERAS["left"]["eye"]
    assert np.allclose([after["layout"]["scene"]["camera"]["eye"][c] for c in "xyz"], [want[c] for c in "xyz"])
    assert after["data"] == before["data"]
    del after["layout"]["scene"]["camera"], before["layout"]["scene"]["camera"]
    assert after["layout"] == before["layout"]


def test_cutaway_changes_only_the_cut_layers(model_coarse, default_fig):
    cut = by_name(render.face_figure(model_coarse, ViewState(cutaway="cheek", layers_cut=2)))
    plain = by_name(default_fig)
    for k, name in enumerate(INTERFACES):
        a, b = cut[f"layer:{name}"], plain[f"layer:{name}"]
        assert same_geometry(a, b) == (k >= 2), f"{name}: cut={k < 2} but geometry changed={not same_geometry(a, b)}"
        assert a.color == b.color and a.visible == b.visible
    for name in ("labels:regions", "section:line"):
        assert all(np.array_equal(getattr(cut[name], c), getattr(plain[name], c)) for c in "xyz"), name


@pytest.mark.parametrize("before, after, expected", [
    (dict(cutaway="cheek", layers_cut=2), dict(cutaway="cheek", layers_cut=3), ["smas"]),
    (dict(cutaway="cheek", layers_cut=4), dict(cutaway="cheek", layers_cut=2), ["smas", "muscle"]),
    (dict(cutaway=None), dict(cutaway="temple", layers_cut=5), list(LAYERS)),
    (dict(cutaway="cheek", layers_cut=3), dict(cutaway="forehead", layers_cut=3), ["skin", "fat", "smas"]),
    (dict(cutaway="cheek", layers_cut=3), dict(cutaway=None, layers_cut=3), ["skin", "fat", "smas"]),
    (dict(cutaway=None, layers_cut=2), dict(cutaway=None, layers_cut=4), []),
    (dict(cutaway="cheek", peel=0), dict(cutaway="cheek", peel=3), []),
])
def test_apply_cutaway_resends_only_changed_layers(model_coarse, before, after, expected):
    old, new = ViewState(**before), ViewState(**after)
    fig = go.Figure(render.face_figure(model_coarse, old))
    changed = updates.apply_cutaway(fig, model_coarse, new, previous=old)
    assert changed == expected
    want = by_name(render.face_figure(model_coarse, new))
    for name in INTERFACES:
        assert same_geometry(by_name(fig)[f"layer:{name}"], want[f"layer:{name}"]), name


def test_apply_cutaway_without_previous_resends_every_surface(model_coarse, default_fig):
    fig = go.Figure(default_fig)
    assert updates.apply_cutaway(fig, model_coarse, ViewState()) == list(INTERFACES)


def test_apply_visibility(model_coarse, default_fig):
    fig = go.Figure(default_fig)
    state = ViewState(peel=2, visible={"bone": False})
    updates.apply_visibility(fig, state)
    assert [by_name(fig)[f"layer:{n}"].visible for n in INTERFACES] == [False, False, True, True, True, False]


def test_trace_index_names_the_present_traces(default_fig):
    assert updates.trace_index(default_fig, "layer:smas") == 2
    with pytest.raises(KeyError, match="layer:skin"):
        updates.trace_index(default_fig, "layer:dermis")


def test_colour_key_names_every_layer(model_coarse, default_fig):
    labels = render.surface_labels(model_coarse)
    assert labels["smas"] == "SMAS" and labels["bone"] == "Bone"
    texts = [a.text for a in default_fig.layout.annotations]
    for name in INTERFACES:
        assert sum(labels[name] in t and render.PALETTE[name] in t for t in texts) == 1, name


def test_hover_templates_give_millimetres(default_fig):
    for name in INTERFACES:
        template = by_name(default_fig)[f"layer:{name}"].hovertemplate
        # thickness from intensity (not bone), depth from customdata (not skin): flat arrays, binary on the comm
        assert "mm" in template and ("%{intensity" in template) == (name != "bone"), name
        assert ("%{customdata" in template) == (name != "skin"), name
    hover = by_name(default_fig)["labels:regions"].hovertext
    assert all(" mm" in h for h in hover)


def test_section_line_follows_the_cut(model_coarse):
    sec = section(model_coarse, "horizontal", -40.0)
    line = render.section_line_trace(sec)
    pts = np.stack([-np.asarray(line.x), line.y, line.z], axis=1)  # figures plot x negated (render.xyz)
    lift = np.linalg.norm(pts - sec.skin_points, axis=1)
    assert np.allclose(lift, 1.5, atol=1e-3), "the line is lifted 1.5 mm off the skin"


# ----------------------------------------------------------------------------------------------------
# The 2D cross-section


def test_section_figure_bands(model_coarse):
    fig = render.section_figure(model_coarse, state=ViewState(section_at=-30.0))
    # band:layer4 (issue 11): layer 4 drawn over the outer part of the muscle band
    assert [t.name for t in fig.data] == [f"band:{name}" for name in INTERFACES] + ["band:cavity", "band:layer4"]
    assert [t.fillcolor for t in fig.data] == [render.PALETTE[n] for n in INTERFACES] + [render.CAVITY_COLOUR, render.LAYER4_COLOUR]
    assert fig.layout.yaxis.autorange == "reversed", "depth must grow downward"
    sec = section(model_coarse, "horizontal", -30.0)
    # each band's outline is its top interface then its bottom interface, reversed
    n = len(sec.distance_mm)
    for k, trace in enumerate(fig.data[:len(LAYERS)]):
        np.testing.assert_allclose(trace.y[:n], sec.depth_mm[:, k], atol=1e-4)
        np.testing.assert_allclose(trace.y[n:], sec.depth_mm[::-1, k + 1], atol=1e-4)
    texts = " ".join(a.text for a in fig.layout.annotations)
    for label in render.surface_labels(model_coarse).values():
        assert label in texts
    assert "z = -30 mm" in fig.layout.title.text


# ----------------------------------------------------------------------------------------------------
# The palette under colour-vision deficiency


def _to_linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _to_srgb(linear: np.ndarray) -> np.ndarray:
    c = np.clip(linear, 0.0, 1.0)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def cvd_min_distance(palette: dict[str, str], matrix: np.ndarray) -> tuple[float, str, str]:
    sim = {name: _to_srgb(matrix @ _to_linear(c)) for name, c in palette.items()}
    return min((float(np.linalg.norm(sim[a] - sim[b])), a, b) for a, b in itertools.combinations(sim, 2))


def _to_hex(linear: np.ndarray) -> str:
    return "#" + "".join(f"{round(255 * v):02X}" for v in _to_srgb(linear))


@pytest.mark.parametrize("kind", list(MACHADO))
def test_simulation_can_fail(kind):
    """Two colours on one confusion line (differing along the matrix's null direction) collapse when simulated."""
    null = np.linalg.svd(MACHADO[kind])[2][-1]
    base = np.array([0.35, 0.35, 0.35])
    pair = {"a": _to_hex(base - 0.2 * null), "b": _to_hex(base + 0.2 * null)}
    assert cvd_min_distance(pair, np.eye(3))[0] > MIN_CVD_DISTANCE
    assert cvd_min_distance(pair, MACHADO[kind])[0] < MIN_CVD_DISTANCE


@pytest.mark.parametrize("kind", ["normal", "protanopia", "deuteranopia"])
def test_palette_stays_distinguishable(kind):
    matrix = np.eye(3) if kind == "normal" else MACHADO[kind]
    dist, a, b = cvd_min_distance(render.PALETTE, matrix)
    assert dist >= MIN_CVD_DISTANCE, f"{kind}: {a} and {b} only {dist:.3f} apart in sRGB"


def test_figures_are_not_mirror_images(model_coarse, default_fig):
    """The head frame is left-handed, plotly's scene right-handed: the subject's left must be where the
    'left' camera looks, and on the viewer's right from the front (plotly's front view has +x on the right)."""
    from facelayers.teaching.state import CAMERAS

    skin = by_name(default_fig)["layer:skin"]
    x = np.asarray(skin["x"], float)
    left_tragion = model_coarse.stack_under(model_coarse.anatomy.point("tragion:left")[None, :]).points[0, 0]
    i = int(np.argmin(np.linalg.norm(model_coarse.skin - left_tragion, axis=1)))
    assert np.sign(x[i]) == np.sign(CAMERAS["left"]["eye"]["x"]), "the 'left' camera must look at the left side"
    assert x[i] < 0, "from the front camera (eye on +y) the scene's -x is on the viewer's right"
