"""The layered face: invariants of the real model (layers never cross, thickness at each anchor equals the data,
the skin passes through the landmarks, a consistent outward mesh) and a tiny analytic thickness field."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import numpy as np
import pytest

from facelayers.anatomy.load import load_anatomy
from facelayers.core.frame import INTERFACES, LAYERS
from facelayers.model.geometry import RESOLUTIONS, build_face, layer_index
from facelayers.model.grid import S_BOTTOM_MM, S_TOP_MM, params_of, rays
from facelayers.model.stack import COS_MIN, MUSCLE_MIN_SHARE, SKIN_MAX_SHARE, ThicknessField

DATA = Path(__file__).resolve().parents[1] / "data"


def thickness_csv() -> dict[tuple[str, str], float]:
    """data/thickness.csv read independently of the package."""
    with (DATA / "thickness.csv").open(newline="", encoding="utf-8") as f:
        return {(r["region_id"], r["layer_id"]): float(r["thickness_mm"]) for r in csv.DictReader(f)}


def anchor_names(anatomy, region) -> list[str]:
    """Every anchor of a region, both sides for a bilateral landmark."""
    out = []
    for anchor in region.anchors:
        if anatomy.landmarks[anchor].side == "bilateral":
            out += [f"{anchor}:left", f"{anchor}:right"]
        else:
            out.append(anchor)
    return out


def ray_point(model, point):
    """The skin point on the ray through ``point``, (3,) mm."""
    return model.stack_under(np.asarray(point, float)[None, :]).points[0, 0]


# ----------------------------------------------------------------------------------------------------
# Layers along the rays


@pytest.mark.parametrize("fixture", ["model_coarse", "model_lecture"])
def test_interfaces_never_cross(fixture, request):
    model = request.getfixturevalue(fixture)
    depth = model.stack.depth
    assert depth.shape == (model.n_vertices, len(INTERFACES))
    assert np.all(depth[:, 0] == 0.0), "the skin is the zero of depth"
    assert np.all(np.diff(depth, axis=1) >= 0.0), "an interface lies above the one outside it"


def test_each_interface_lies_on_its_ray_at_radius_minus_depth(model_coarse):
    m = model_coarse
    origins, dirs = rays(m.u, m.s)
    radius = np.einsum("ij,ij->i", m.skin - origins, dirs)
    # the skin itself is on the ray: no component off the ray direction
    off = m.skin - origins - dirs * radius[:, None]
    assert np.abs(off).max() < 1e-9
    for k in range(len(INTERFACES)):
        expected = origins + dirs * (radius - m.stack.depth[:, k])[:, None]
        np.testing.assert_allclose(m.interface(k), expected, atol=1e-9, err_msg=f"interface {INTERFACES[k]}")
        np.testing.assert_array_equal(m.interface(INTERFACES[k]), m.interface(k))


def test_depth_steps_are_the_data_thickness_laid_along_the_ray(model_coarse):
    """Skin, fat and SMAS take the data's perpendicular thickness laid along the ray as t / cos(ray, skin
    normal) (so they keep it measured along the skin's normal), the periosteum as t / cos_ray (the column's
    factor); the muscle layer takes the rest down to the floor (skull or cavity fill)."""
    m = model_coarse
    st = m.stack
    np.testing.assert_allclose(np.diff(st.depth, axis=1), st.thickness, atol=1e-9)
    data = st.region_weights @ m.thickness_field.table
    _, d = rays(st.u, st.s)
    skin_cos = np.maximum(np.einsum("ij,ij->i", st.normals, d), COS_MIN)
    lay = st.cos_ray
    # Roomy rays: the three keep their data across the skin, the periosteum along the column, and the muscle layer
    # holds at least its data.
    roomy = np.abs(st.thickness[:, 0] * skin_cos - data[:, 0]) < 1e-9
    roomy &= st.thickness[:, 3] >= data[:, 3] / lay * (1 - 1e-9)
    assert roomy.mean() > 0.4
    for k in (0, 1, 2):
        np.testing.assert_allclose(st.thickness[roomy, k], data[roomy, k] / skin_cos[roomy], rtol=1e-9,
                                   err_msg=LAYERS[k])
    np.testing.assert_allclose(st.thickness[roomy, 4], data[roomy, 4] / lay[roomy], rtol=1e-9)
    # Never more than the data, measured across the skin.
    assert np.all(st.perpendicular[:, [0, 1, 2, 4]] <= data[:, [0, 1, 2, 4]] + 1e-9)
    # Where the skull leaves less room (over the arch, parts of the forehead and scalp, the lips, the chin) the
    # muscle layer is never squeezed to nothing: it gives up room first, down to MUSCLE_MIN_SHARE of its data;
    # where all five shrink, it keeps that share of the periosteum's (both laid with the column's factor), and the
    # three shrink in proportion.
    total = st.depth[:, -1]
    assert np.all(st.thickness[total > 1.0, 3] > 0)
    shrunk = st.thickness[:, 4] < data[:, 4] / lay * (1 - 1e-6)
    assert shrunk.any()
    np.testing.assert_allclose(st.thickness[shrunk, 3] / st.thickness[shrunk, 4],
                               MUSCLE_MIN_SHARE * data[shrunk, 3] / data[shrunk, 4], rtol=1e-6,
                               err_msg="muscle not in proportion")
    # fat and SMAS shrink in proportion; the skin keeps its data across the skin (SKIN_MAX_SHARE: thinner only
    # where the ray is too short for the skin itself)
    ratio = st.thickness[shrunk][:, 1:3] / data[shrunk][:, 1:3]
    np.testing.assert_allclose(ratio, ratio[:, :1] * np.ones((1, 2)), rtol=1e-6, err_msg="not in proportion")
    fits = shrunk & (SKIN_MAX_SHARE * total > data[:, 0] / skin_cos)
    np.testing.assert_allclose(st.thickness[fits, 0], data[fits, 0] / skin_cos[fits], rtol=1e-9, err_msg="skin")
    # the perpendicular thicknesses add up to the normal depth
    has_muscle = st.perpendicular[:, 3] > 1e-9
    np.testing.assert_allclose(st.perpendicular[has_muscle].sum(axis=1),
                               (st.depth[:, -1] * lay)[has_muscle], rtol=1e-9)


def test_all_vertex_positions_finite(model_coarse, model_lecture):
    for m in (model_coarse, model_lecture):
        assert np.isfinite(m.stack.points).all()
        assert np.isfinite(m.thickness).all()


# ----------------------------------------------------------------------------------------------------
# Thickness = the data


def test_thickness_at_every_region_anchor_equals_the_data(model_coarse):
    """Perpendicular thickness (what the data give) at every region anchor. The old test read the thickness
    along the model's rays, which differs from the perpendicular one by up to 21% (issue 11)."""
    anatomy = model_coarse.anatomy
    table = anatomy.thickness_table()
    csv_values = thickness_csv()
    checked = 0
    for r, (rid, region) in enumerate(anatomy.regions.items()):
        expected = np.array([csv_values[(rid, layer)] for layer in LAYERS])
        np.testing.assert_allclose(table[r], expected, err_msg=f"thickness_table row {rid}")
        for name in anchor_names(anatomy, region):
            got = model_coarse.stack_under(anatomy.point(name)[None, :]).perpendicular[0]
            # 0.1 mm on the data layers; the muscle layer is the rest down to the skull, fitted to the total
            # depth along the skin normal, which the ray's cosine reproduces to a few tenths of a mm
            tol = 0.1 + 0.05 * expected
            assert np.all(np.abs(got - expected) <= tol), f"thickness under {name} ({rid}): {got} vs {expected}"
            checked += 1
    assert checked >= len(anatomy.regions) + 5  # several regions have bilateral or multiple anchors


def test_data_layers_never_exceed_the_data(model_coarse, model_lecture):
    """Skin, fat, SMAS and periosteum are a convex blend of the data (squeezed only where the skull leaves
    less room); the muscle layer is the rest down to the skull and is never negative."""
    table = model_coarse.anatomy.thickness_table()
    for m in (model_coarse, model_lecture):
        t = m.stack.perpendicular
        assert t.shape == (m.n_vertices, len(LAYERS))
        assert (t >= 0).all()
        for k in (0, 1, 2, 4):
            assert (t[:, k] <= table[:, k].max() + 1e-9).all(), f"{LAYERS[k]} above the largest data value"
        np.testing.assert_allclose(m.stack.region_weights.sum(axis=1), 1.0, atol=1e-9)


def test_thickness_field_two_anchor_analytic():
    table = np.array([[1.0, 2.0, 0.5, 4.0, 0.2], [3.0, 1.0, 1.5, 8.0, 0.6]])
    field = ThicknessField(("a", "b"), np.array([[0.0, 0.0, 0.0], [20.0, 0.0, 0.0]]), ("pa", "pb"),
                           np.array([0, 1]), table)
    at = field(np.array([[0.0, 0.0, 0.0], [20.0, 0.0, 0.0], [10.0, 0.0, 0.0], [4.0, 0.0, 0.0]]))
    np.testing.assert_allclose(at[0], table[0], atol=1e-6)
    np.testing.assert_allclose(at[1], table[1], atol=1e-6)
    lo, hi = table.min(axis=0), table.max(axis=0)
    assert np.all((at[2] > lo) & (at[2] < hi)), "the midpoint is not strictly between the two anchors' data"
    np.testing.assert_allclose(at[2], table.mean(axis=0), atol=1e-9)  # equidistant: the plain mean
    # nearer to a: closer to a's data than to b's
    assert np.all(np.abs(at[3] - table[0]) < np.abs(at[3] - table[1]))
    np.testing.assert_allclose(field.region_weights(np.array([[4.0, 1.0, -2.0]])).sum(), 1.0)


# ----------------------------------------------------------------------------------------------------
# The mesh


def test_faces_int32_in_range(model_coarse):
    f = model_coarse.faces
    assert f.dtype == np.int32 and f.ndim == 2 and f.shape[1] == 3
    assert f.min() >= 0 and f.max() < model_coarse.n_vertices
    assert len(np.unique(f)) == model_coarse.n_vertices, "a vertex belongs to no face"
    assert np.all((f[:, 0] != f[:, 1]) & (f[:, 1] != f[:, 2]) & (f[:, 0] != f[:, 2])), "degenerate triangle"


def test_faces_consistently_oriented_with_only_the_neck_ring_open(model_coarse):
    m = model_coarse
    f = m.faces.astype(np.int64)
    directed = np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]])
    keys = directed[:, 0] * m.n_vertices + directed[:, 1]
    assert len(np.unique(keys)) == len(keys), "a directed edge appears twice: inconsistent winding"
    reverse = set((directed[:, 1] * m.n_vertices + directed[:, 0]).tolist())
    boundary = directed[[k not in reverse for k in keys.tolist()]]
    assert len(boundary) == m.nu, "boundary edges other than the open neck ring"
    # the boundary is the lowest row of the grid
    assert set(boundary.ravel().tolist()) == set(range(m.nu))


def test_face_normals_point_outward(model_coarse):
    m = model_coarse
    origins, _ = rays(m.u, m.s)
    for k in range(len(INTERFACES)):
        v = m.interface(k)[m.faces]
        normal = np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])
        outward = (v.mean(axis=1) - origins[m.faces].mean(axis=1))
        share = np.mean(np.einsum("ij,ij->i", normal, outward) > 0)
        assert share > 0.99, f"{INTERFACES[k]}: only {share:.3f} of face normals point outward"


def test_skin_passes_through_every_on_skin_landmark(model_coarse):
    names, points = model_coarse.anatomy.landmark_points(on_skin=True)
    assert len(names) > 10
    skin = model_coarse.stack_under(points).points[:, 0]
    miss = np.linalg.norm(skin - points, axis=1)
    worst = int(np.argmax(miss))
    assert miss.max() < 0.5, f"skin misses {names[worst]} by {miss[worst]:.2f} mm"


def test_resolution_sets_the_vertex_count(model_coarse, model_lecture):
    for m, name in ((model_coarse, "coarse"), (model_lecture, "lecture")):
        nu, nv = RESOLUTIONS[name]
        assert (m.nu, m.nv) == (nu, nv)
        assert m.n_vertices == nu * nv + 1 == len(m.u) == len(m.s) == len(m.skin)
        assert len(m.faces) == 2 * nu * (nv - 1) + nu
    small = build_face(model_coarse.anatomy, resolution=(16, 10))
    assert small.n_vertices == 16 * 10 + 1
    assert small.n_triangles == len(small.faces) * len(INTERFACES)


def test_unknown_resolution_lists_the_names():
    with pytest.raises(ValueError, match="coarse") as info:
        build_face(resolution="huge")
    assert "lecture" in str(info.value) and "huge" in str(info.value)
    with pytest.raises(ValueError, match="nu >= 8"):
        build_face(resolution=(4, 4))


# ----------------------------------------------------------------------------------------------------
# Moving a landmark moves the face


def test_moving_a_landmark_moves_the_face(model_coarse):
    anatomy = model_coarse.anatomy
    old = anatomy.landmarks["pronasale"]
    moved = dataclasses.replace(old, position_mm=old.position_mm + np.array([0.0, 5.0, 0.0]))
    landmarks = dict(anatomy.landmarks)
    landmarks["pronasale"] = moved
    changed = dataclasses.replace(anatomy, landmarks=landmarks)
    assert load_anatomy().landmarks["pronasale"] is old, "the cached anatomy must not change"
    new_model = build_face(changed, resolution="coarse")

    tip_old = ray_point(model_coarse, old.position_mm)
    tip_new = ray_point(new_model, old.position_mm)
    assert np.linalg.norm(tip_new - tip_old) == pytest.approx(5.0, abs=0.5)
    assert tip_new[1] - tip_old[1] > 4.5, "the nasal tip did not move forward"
    np.testing.assert_allclose(tip_new, moved.position_mm, atol=0.5)

    occiput = anatomy.point("occiput")
    far = np.linalg.norm(ray_point(new_model, occiput) - ray_point(model_coarse, occiput))
    assert far < 0.5, f"moving the nasal tip moved the back of the head by {far:.2f} mm"


# ----------------------------------------------------------------------------------------------------
# Parameters


def test_params_of_inverts_rays():
    rng = np.random.default_rng(20240611)
    n = 500
    u = rng.uniform(-np.pi + 1e-3, np.pi - 1e-3, n)
    s = rng.uniform(S_BOTTOM_MM, S_TOP_MM - 5.0, n)
    dist = rng.uniform(10.0, 120.0, n)
    origins, dirs = rays(u, s)
    np.testing.assert_allclose(np.linalg.norm(dirs, axis=1), 1.0, atol=1e-12)
    u2, s2, d2 = params_of(origins + dirs * dist[:, None])
    np.testing.assert_allclose(np.angle(np.exp(1j * (u2 - u))), 0.0, atol=1e-9)
    np.testing.assert_allclose(s2, s, atol=1e-9)
    np.testing.assert_allclose(d2, dist, atol=1e-9)


def test_stack_at_grid_params_reproduces_the_grid(model_coarse):
    m = model_coarse
    idx = np.arange(0, m.n_vertices - 1, 37)
    st = m.stack_at(m.u[idx], m.s[idx])
    np.testing.assert_allclose(st.points, m.stack.points[idx], atol=1e-9)
    np.testing.assert_allclose(st.at_depth(2, 0.0), m.interface("smas")[idx], atol=1e-9)
    np.testing.assert_allclose(st.at_depth(2, 1.0), m.interface("muscle")[idx], atol=1e-9)


# ----------------------------------------------------------------------------------------------------
# Errors name what is allowed


def test_layer_index_and_interface_errors_name_allowed_values(model_coarse):
    assert layer_index("smas") == 2 and layer_index(4) == 4
    with pytest.raises(ValueError, match="allowed: skin, fat, smas, muscle, periosteum"):
        layer_index("dermis")
    with pytest.raises(ValueError, match=r"0\.\.4"):
        layer_index(5)
    with pytest.raises(ValueError, match="bone"):
        model_coarse.interface("cartilage")
    with pytest.raises(ValueError, match=r"0\.\.5"):
        model_coarse.interface(6)
    with pytest.raises(ValueError, match=r"0\.\.5"):
        model_coarse.interface(-1)


def test_sculptures_are_cached_per_grid_read_only_and_change_nothing():
    """The skin's and the skull's sculptures depend on the grid only: cached per grid, shared read-only (a write
    raises instead of corrupting the next build), and a build from the cache equals one computed afresh."""
    from facelayers.model import geometry, skin, skull_surface
    from facelayers.model.grid import grid

    gu, gs = grid(40, 24)
    first = geometry.build_face(resolution=(40, 24))
    assert skin.Skin.sculpt(gu, gs).base is first.skin_surface.base
    with pytest.raises(ValueError):
        first.skin_surface.base[0, 0] = 0.0
    with pytest.raises(ValueError):
        skull_surface.SkullSurface.sculpt(gu, gs).base[0, 0] = 0.0
    skin._skin_sculpture.cache_clear()
    skull_surface._skull_sculpture.cache_clear()
    fresh = geometry.build_face(resolution=(40, 24))
    assert fresh.skin_surface.base is not first.skin_surface.base
    np.testing.assert_array_equal(fresh.stack.points, first.stack.points)
    np.testing.assert_array_equal(fresh.skull, first.skull)
