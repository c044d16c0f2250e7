"""The stage's 2D figures and overlays read on a laptop and a projector: section labels that never run together,
layer 4 named once in the section's key, depth-profile labels not clipped, danger zones outlined (the nerves under
them stay in view) with a key."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from facelayers.core.frame import PLOT_X_SIGN
from facelayers.model.geometry import build_face
from facelayers.model.grid import params_of, rays
from facelayers.model.section import section
from facelayers.render import face as render
from facelayers.render import structures as S
from facelayers.render.section_labels import CHAR_PX, GAP_PX, NARROWEST_PLOT_PX, place_region_labels
from facelayers.teaching.state import ViewState

CUTS = [("horizontal", -25.0), ("horizontal", 10.0), ("vertical", 0.0), ("vertical", 20.0)]


@pytest.fixture(scope="module")
def model():
    return build_face(resolution="coarse")


def _extent(text: str, centre: float, length: float) -> tuple[float, float]:
    half = (len(text) * CHAR_PX + GAP_PX) / 2 * length / NARROWEST_PLOT_PX
    return centre - half, centre + half


@pytest.mark.parametrize("kind, at", CUTS)
def test_region_labels_never_overlap_on_a_row(model, kind, at):
    sec = section(model, kind, at)
    length = float(sec.distance_mm[-1])
    fig = render.section_figure(model, sec)
    labels = [a for a in fig.layout.annotations if a.xref == "x"]
    assert len(labels) >= 3, [a.text for a in labels]  # the cut's main regions are named
    rows: dict[float, list] = {}
    for a in labels:
        rows.setdefault(round(a.y, 3), []).append(_extent(a.text, a.x, length))
    assert len(rows) <= 2
    for spans in rows.values():
        spans.sort()
        for (lo, hi), (lo2, _) in zip(spans, spans[1:]):
            assert hi <= lo2 + 1e-9, (kind, at, spans)
        assert spans[0][0] >= -1e-9 and spans[-1][1] <= length + 1e-9
    # every label is above the skin (y < 0 on the reversed depth axis) and inside the axis range
    top = fig.layout.yaxis.range[1]
    assert all(top < a.y < 0 for a in labels)


def test_the_old_rule_ran_labels_together_and_the_new_one_does_not(model):
    # The vertical cut at 20 degrees: 'Chin', 'Cheek hollow (buccal)' and 'Eyelids (periorbital)' overlapped at
    # 540 px with centres only 45 mm apart.
    sec = section(model, "vertical", 20.0)
    names = {r: v.label for r, v in model.anatomy.regions.items()}
    length = float(sec.distance_mm[-1])
    old = []
    for rid, start, end in sec.runs():
        centre = (start + end) / 2
        if end - start >= 25 and not any(abs(centre - c) < 45 for _, c in old):
            old.append((names[rid], centre))
    spans = sorted(_extent(t, c, length) for t, c in old)
    assert any(hi > lo2 for (lo, hi), (lo2, _) in zip(spans, spans[1:])), "the old labels did not overlap"
    placed = place_region_labels(sec.runs(), names, length, rows=1)
    spans = sorted(_extent(t, c, length) for t, c, _ in placed)
    assert all(hi <= lo2 + 1e-9 for (lo, hi), (lo2, _) in zip(spans, spans[1:]))


def test_place_region_labels_refuses_bad_input():
    with pytest.raises(ValueError, match="length_mm"):
        place_region_labels([], {}, 0.0)
    with pytest.raises(ValueError, match="rows"):
        place_region_labels([], {}, 100.0, rows=0)


def test_the_section_key_names_layer_4_once_and_its_rows_do_not_touch(model):
    fig = render.section_figure(model, state=ViewState())
    key = [a for a in fig.layout.annotations if a.xref == "paper"]
    layer4 = [a.text for a in key if "layer 4" in a.text.lower()]
    assert len(layer4) == 1 and layer4[0].lower().count("layer 4") == 1, layer4
    ys = sorted((a.y for a in key), reverse=True)
    assert all(a.yanchor == "top" for a in key[1:])
    plot_px = fig.layout.height - 150
    assert min(a - b for a, b in zip(ys, ys[1:])) * plot_px >= 24  # 17 px type, never touching


def test_depth_profile_labels_are_not_clipped_and_the_key_rows_are_apart(model):
    from facelayers.model.nerves import place_all

    paths = place_all(model)
    fig = S.depth_profile_figure(model, paths[("marginal_mandibular", "left")])
    way = next(t for t in fig.data if t.name == "profile:waypoints")
    assert way.cliponaxis is False
    positions = list(way.textposition)
    assert positions[0] == "top right" and positions[-1] == "top left"  # the end labels run inward
    key = sorted((a.y for a in fig.layout.annotations), reverse=True)
    assert min(a - b for a, b in zip(key, key[1:])) * (fig.layout.height - 150) >= 24


def test_danger_zones_are_outlines_on_the_skin_with_a_named_hover(model):
    traces = S.zone_traces(model, visible=True)
    zones = [t for t in traces if t.name != "zone:labels"]
    assert len(zones) == len(model.anatomy.zones) == 7
    for t, zone in zip(zones, model.anatomy.zones.values()):
        # a line, not a filled patch: nothing of the zone covers a nerve under it
        assert isinstance(t, go.Scatter3d) and t.mode == "lines", t.name
        assert f"Danger zone {zone.number}: {zone.label}" in t.hovertemplate
        x = np.asarray(t.x, float)
        pts = np.column_stack([PLOT_X_SIGN * x, t.y, t.z])  # the figure's x is the head frame's times the sign
        pts = pts[np.isfinite(pts).all(axis=1)]
        # measured on the built geometry: each outline point lies ZONE_LIFT_MM outside the skin along its ray
        u, s, along = params_of(pts)
        skin = model.stack_at(u, s).points[:, 0]
        _, d = rays(u, s)
        lift = np.einsum("ij,ij->i", pts - skin, d)
        assert np.allclose(lift, S.ZONE_LIFT_MM, atol=0.05), (t.name, lift.min(), lift.max())
        assert not any(isinstance(o, go.Mesh3d) and o.name == t.name for o in traces)
    labels = traces[-1]
    assert labels.name == "zone:labels" and "%{hovertext}" in labels.hovertemplate
    assert sorted(set(labels.hovertext)) == sorted(z.label for z in model.anatomy.zones.values())


def test_the_zone_key_lists_every_zone_and_shows_only_with_the_zones(model):
    key = S.zone_key_html(model)
    for zone in model.anatomy.zones.values():
        assert f">{zone.number}</b>{zone.label}" in key.replace("&#x27;", "'")
    assert "Seckel 1994" in key
    from facelayers.widgets.nerve_explorer import NerveExplorer

    explorer = NerveExplorer(model)
    assert explorer.zone_key.value == ""
    explorer.zones.value = True
    assert explorer.zone_key.value == key
    assert all(t.visible is True for t in explorer.figure.data if (t.name or "").startswith("zone:"))
    explorer.zones.value = False
    assert explorer.zone_key.value == ""


def test_the_incision_camera_looks_into_the_raised_flaps_pocket(model):
    # Measured on the built figure: plotly normalises a scene (aspectmode 'data') by the geometric mean of the
    # data's extents (times 1.0625, its padding), so a camera point n is the data point mid + n * gm / 1.0625.
    from facelayers.teaching.state import CAMERAS
    from facelayers.widgets.dissection import DissectionComparer

    comparer = DissectionComparer(model)
    comparer.set_flap(25)
    assert comparer.state.camera == "incision"
    parts = []
    for t in comparer.figure.data:
        if t.x is None or t.visible is False or t.type not in ("mesh3d", "scatter3d"):
            continue
        a = np.column_stack([np.asarray(t.x, float), np.asarray(t.y, float), np.asarray(t.z, float)])
        parts.append(a[np.isfinite(a).all(axis=1)])
    every = np.concatenate(parts)
    lo, hi = every.min(axis=0), every.max(axis=0)
    mid, gm = (lo + hi) / 2, float(np.prod(hi - lo) ** (1 / 3))
    cam = CAMERAS["incision"]
    centre = mid + np.array([cam["center"][c] for c in "xyz"]) * gm / 1.0625
    eye = mid + np.array([cam["eye"][c] for c in "xyz"]) * gm / 1.0625
    plane = next(t for t in comparer.figure.data if t.name == "technique:plane")
    floor = np.column_stack([np.asarray(plane.x, float), np.asarray(plane.y, float), np.asarray(plane.z, float)])
    floor = floor[np.isfinite(floor).all(axis=1)]
    left = floor[floor[:, 0] * PLOT_X_SIGN > 0]  # the subject's left side (head-frame x > 0)
    pocket = left.mean(axis=0)
    # it looks toward the left pocket (the centre moved from the head's middle to the pocket's side)
    assert np.dot(centre - mid, pocket - mid) > 0, (centre, pocket, mid)
    # from behind the pocket's opening and beside the face: posterior to the floor, lateral to it
    assert eye[1] < left[:, 1].min() and abs(eye[0]) > np.abs(left[:, 0]).max(), (eye, left.min(axis=0))
    # the pocket in the middle of the view, and the whole head in the scene's box (a closer preset cut the head
    # with the box's straight edges at 1366 px): plotly's projection, at JupyterLab 1366 (file browser open) and
    # at 1920
    from facelayers.render.fit import scene_ndc

    for width, height in ((575, 622), (1100, 700)):
        ndc = scene_ndc(comparer.figure, "scene", width, height)
        assert np.abs(ndc).max() < 0.97, (width, height, np.abs(ndc).max(axis=0))
    probe = comparer.figure.to_dict()
    probe["data"] = [{"type": "scatter3d", "x": [pocket[0]], "y": [pocket[1]], "z": [pocket[2]]}] + [
        {"type": "scatter3d", "x": [v[0]], "y": [v[1]], "z": [v[2]], "visible": True} for v in (lo, hi)]
    at = scene_ndc(probe, "scene", 1100, 700)[0]  # the data's bounds kept by the two corner points
    assert np.abs(at).max() < 0.6, at
