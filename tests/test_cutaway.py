"""The cutaway: exact clipping along a level set (analytic), closed walls, and terraced windows on the real model."""

from __future__ import annotations

import numpy as np
import pytest

from facelayers.core.frame import INTERFACES, LAYERS
from facelayers.model.cutaway import WINDOWS, Cut, Mesh, clip, layer_mesh, shared_wall, wall, window, window_distance


def flat_grid(n: int, z: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """The unit square in the plane z, n x n cells, two counter-clockwise triangles per cell (normals +z)."""
    xs = np.linspace(0.0, 1.0, n + 1)
    gx, gy = np.meshgrid(xs, xs)
    verts = np.stack([gx.ravel(), gy.ravel(), np.full(gx.size, z)], axis=1)
    i, j = np.meshgrid(np.arange(n), np.arange(n))
    a = (j * (n + 1) + i).ravel()
    b, c, d = a + 1, a + n + 2, a + n + 1
    faces = np.concatenate([np.stack([a, b, c], 1), np.stack([a, c, d], 1)]).astype(np.int32)
    return verts, faces


def areas(verts: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Signed area of each triangle seen from +z."""
    v = verts[faces]
    return 0.5 * np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])[:, 2]


def level_on_segments(field, clipped):
    """The field interpolated at each cut end point, (s, 2)."""
    e, t = clipped.seg_edges, clipped.seg_t
    return field[e[..., 0]] + t * (field[e[..., 1]] - field[e[..., 0]])


# ----------------------------------------------------------------------------------------------------
# Analytic


def test_clip_two_triangle_square_keeps_exact_area():
    verts = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], float)
    faces = np.array([[0, 1, 2], [0, 2, 3]], np.int32)
    field = verts[:, 0]
    c = clip(verts, faces, field, 0.25)
    a = areas(c.vertices, c.faces)
    assert a.sum() == pytest.approx(0.75, abs=1e-9)
    assert np.all(a > 0), "clipping flipped a triangle's winding"
    used = c.vertices[np.unique(c.faces)]
    assert used[:, 0].min() == pytest.approx(0.25, abs=1e-12), "kept a point where field < level"
    assert c.faces.dtype == np.int32


@pytest.mark.parametrize("level, kept", [(0.5, 1 - 0.125), (1.0, 0.5), (1.5, 0.125), (-0.1, 1.0), (2.1, 0.0)])
def test_clip_grid_with_diagonal_field_keeps_exact_area(level, kept):
    verts, faces = flat_grid(5)
    field = verts[:, 0] + verts[:, 1]
    c = clip(verts, faces, field, level)
    a = areas(c.vertices, c.faces)
    assert a.sum() == pytest.approx(kept, abs=1e-9)
    assert np.all(a > -1e-15)
    if len(c.faces):
        assert c.faces.min() >= 0 and c.faces.max() < len(c.vertices)


def test_cut_end_points_lie_on_the_level():
    rng = np.random.default_rng(7)
    verts, faces = flat_grid(6)
    coef = rng.normal(size=3)
    field = verts @ coef + 0.3 * np.sin(3 * verts[:, 0])  # not linear: the crossings are still on the level
    level = float(np.median(field))
    c = clip(verts, faces, field, level)
    assert len(c.seg_edges) > 3
    np.testing.assert_allclose(level_on_segments(field, c), level, atol=1e-12)
    assert np.all((c.seg_t >= 0) & (c.seg_t <= 1))
    # the new vertices are the segments' end points, in segment order
    e, t = c.seg_edges, c.seg_t
    ends = verts[e[..., 0]] + t[..., None] * (verts[e[..., 1]] - verts[e[..., 0]])
    np.testing.assert_allclose(c.vertices[len(verts):].reshape(-1, 2, 3), ends, atol=1e-12)
    # each segment's edges straddle the level
    assert np.all((field[e[..., 0]] - level) * (field[e[..., 1]] - level) <= 0)


def test_triangles_sharing_a_cut_edge_share_its_cut_point():
    """The clipped surface is one sheet: every cut point is used by the two triangles either side of its edge
    (on a grid, away from the border), so each used new vertex is used twice at least and no two used new
    vertices lie on the same mesh edge."""
    verts, faces = flat_grid(6)
    field = np.hypot(verts[:, 0] - 0.5, verts[:, 1] - 0.5)
    c = clip(verts, faces, field, 0.3)
    new = c.faces[c.faces >= len(verts)]
    used, count = np.unique(new, return_counts=True)
    assert len(used) == len(c.seg_edges), "a closed curve has as many cut points as segments"
    assert count.min() >= 2
    keys = np.sort(c.seg_edges.reshape(-1, 2), axis=1)[used - len(verts)]
    assert len(np.unique(keys, axis=0)) == len(keys)
    # Compacted, the duplicates are gone and the area is unchanged.
    assert areas(c.vertices, c.faces).sum() == pytest.approx(1.0 - np.pi * 0.09, abs=0.02)


def test_shared_wall_matches_the_plain_wall():
    """The shared wall covers the same area as the plain one, with each cut point once per sheet."""
    outer, faces = flat_grid(5, z=0.0)
    inner = outer - np.array([0.0, 0.0, 2.0])
    field = np.hypot(outer[:, 0] - 0.5, outer[:, 1] - 0.5)
    c = clip(outer, faces, field, 0.3)
    wv, wf = wall(outer, inner, c)
    sv, sf, (h,) = shared_wall(outer, inner, c, (np.zeros((len(c.seg_edges), 2)), np.full((len(c.seg_edges), 2), 2.0)))

    def area(v, f):
        tri = v[f]
        return 0.5 * np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1).sum()

    assert area(sv, sf) == pytest.approx(area(wv, wf), rel=1e-9)
    assert len(sv) == 2 * len(c.seg_edges) and len(wv) == 4 * len(c.seg_edges)
    np.testing.assert_allclose(h, np.concatenate([np.zeros(len(sv) // 2), np.full(len(sv) // 2, 2.0)]))
    # Same winding: the normals of matching quads point the same way.
    n_plain = np.cross(wv[wf][:, 1] - wv[wf][:, 0], wv[wf][:, 2] - wv[wf][:, 0])
    n_shared = np.cross(sv[sf][:, 1] - sv[sf][:, 0], sv[sf][:, 2] - sv[sf][:, 0])
    np.testing.assert_allclose(n_shared, n_plain, atol=1e-9)


def test_wall_between_parallel_sheets_has_their_separation_as_height():
    outer, faces = flat_grid(4, z=0.0)
    inner = outer - np.array([0.0, 0.0, 3.0])
    field = np.hypot(outer[:, 0] - 0.5, outer[:, 1] - 0.5)
    c = clip(outer, faces, field, 0.3)
    wv, wf = wall(outer, inner, c)
    s = len(c.seg_edges)
    assert wv.shape == (4 * s, 3) and wf.shape == (2 * s, 3) and wf.dtype == np.int32
    top, bottom = wv[:s], wv[3 * s:]
    np.testing.assert_allclose(top - bottom, np.tile([0.0, 0.0, 3.0], (s, 1)), atol=1e-12)
    np.testing.assert_allclose(wv[s:2 * s] - wv[2 * s:3 * s], np.tile([0.0, 0.0, 3.0], (s, 1)), atol=1e-12)
    # quads: area = 3 mm x the length of the cut
    tri = wv[wf]
    wall_area = 0.5 * np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1).sum()
    cut_length = np.linalg.norm(top - wv[s:2 * s], axis=1).sum()
    assert wall_area == pytest.approx(3.0 * cut_length, rel=1e-9)
    assert cut_length > 0


# ----------------------------------------------------------------------------------------------------
# The real model


def kept_original(model, k: int, mesh: Mesh) -> np.ndarray:
    """Indices of the grid vertices of interface k that appear unchanged in ``mesh``."""
    original = model.interface(k).astype(np.float32)
    index = {tuple(p): i for i, p in enumerate(original.tolist())}
    return np.array(sorted({index[p] for p in map(tuple, mesh.vertices.tolist()) if p in index}), int)


def test_cheek_cut_removes_the_skin_inside_the_window(model_coarse):
    cut = Cut(window("cheek"), 5)
    dist = window_distance(model_coarse, cut.window)
    radius = cut.radius_mm(0)
    mesh = layer_mesh(model_coarse, "skin", cut)
    kept = kept_original(model_coarse, 0, mesh)
    assert np.all(dist[kept] >= radius - 1e-6), "a skin vertex inside the window survived the cut"
    outside = np.flatnonzero(dist >= radius)
    assert set(outside.tolist()) <= set(kept.tolist()), "a skin vertex outside the window was lost"
    assert (dist < radius).sum() > 10, "the window removed almost nothing: test is vacuous"


def test_terraces_deeper_holes_are_smaller(model_coarse):
    cut = Cut(window("cheek"), 5)
    radii = [cut.radius_mm(k) for k in range(len(LAYERS))]
    assert all(r is not None for r in radii)
    assert np.all(np.diff(radii) < 0), f"hole radii {radii} do not shrink with depth"
    assert cut.radius_mm(len(LAYERS)) is None
    dist = window_distance(model_coarse, cut.window)
    hole_sizes = []
    for k in range(len(LAYERS)):
        mesh = layer_mesh(model_coarse, k, cut)
        kept = kept_original(model_coarse, k, mesh)
        assert np.all(dist[kept] >= radii[k] - 1e-6), f"{LAYERS[k]}: vertex inside its hole"
        hole_sizes.append(model_coarse.n_vertices - len(kept))
    assert np.all(np.diff(hole_sizes) < 0), f"holes (vertices removed) {hole_sizes} do not shrink with depth"


def test_bone_is_never_cut(model_coarse):
    plain = layer_mesh(model_coarse, "bone")
    for name in WINDOWS:
        mesh = layer_mesh(model_coarse, 5, Cut(window(name), 5))
        np.testing.assert_array_equal(mesh.vertices, plain.vertices)
        np.testing.assert_array_equal(mesh.faces, model_coarse.faces)


def test_uncut_layers_are_whole(model_coarse):
    cut = Cut(window("temple"), 2)
    for k, name in enumerate(INTERFACES):
        mesh = layer_mesh(model_coarse, name, cut)
        whole = k >= 2
        assert (len(mesh.vertices) == model_coarse.n_vertices) == whole, name
        if whole:
            np.testing.assert_array_equal(mesh.vertices, model_coarse.interface(k).astype(np.float32))


def test_skin_wall_goes_down_by_the_skin_thickness(model_coarse):
    """The skin's wall joins the cut on the skin (depth 0) to the same curve on the fat (depth = skin thickness)."""
    cut = Cut(window("cheek"), 1)
    dist = window_distance(model_coarse, cut.window)
    segments = len(clip(model_coarse.skin, model_coarse.faces, dist, cut.radius_mm(0)).seg_edges)
    mesh = layer_mesh(model_coarse, "skin", cut)
    below = mesh.depth_mm > 0
    # A closed cut curve has as many distinct cut points as segments: the wall has each once on the fat.
    assert below.sum() == segments, "each cut point should give one wall vertex on the fat"
    t = model_coarse.stack.perpendicular[:, 0]  # depths and thicknesses reported perpendicular to the skin
    assert mesh.depth_mm[below].min() >= t.min() - 1e-5 and mesh.depth_mm[below].max() <= t.max() + 1e-5
    np.testing.assert_allclose(mesh.depth_mm[below], mesh.thickness_mm[below], atol=1e-5)


@pytest.mark.parametrize("name", list(WINDOWS))
@pytest.mark.parametrize("layers_cut", [1, 3, 5])
def test_meshes_valid(model_coarse, name, layers_cut):
    cut = Cut(window(name), layers_cut)
    for k in range(len(INTERFACES)):
        mesh = layer_mesh(model_coarse, k, cut)
        assert mesh.vertices.dtype == np.float32 and mesh.faces.dtype == np.int32
        assert mesh.faces.min() >= 0 and mesh.faces.max() < len(mesh.vertices)
        assert len(mesh.thickness_mm) == len(mesh.depth_mm) == len(mesh.vertices)
        assert np.isfinite(mesh.vertices).all() and np.isfinite(mesh.depth_mm).all()
        assert len(np.unique(mesh.faces)) == len(mesh.vertices), "unused vertex left after compaction"


def test_mesh_rejects_faces_out_of_range():
    with pytest.raises(ValueError, match="outside"):
        Mesh(np.zeros((3, 3), np.float32), np.array([[0, 1, 3]], np.int32), np.zeros(3), np.zeros(3))


# ----------------------------------------------------------------------------------------------------
# Errors name what is allowed


@pytest.mark.parametrize("bad", [0, 6, -1])
def test_layers_cut_out_of_range(bad):
    with pytest.raises(ValueError, match="allowed: 1 to 5"):
        Cut(window("cheek"), bad)


def test_unknown_window_names_the_known_ones():
    with pytest.raises(ValueError) as info:
        window("chin")
    for name in WINDOWS:
        assert name in str(info.value)
    assert "'chin'" in str(info.value)


def test_unknown_layer_int_names_allowed(model_coarse):
    with pytest.raises(ValueError, match="allowed: skin, fat, smas, muscle, periosteum, bone"):
        layer_mesh(model_coarse, 6)


def test_unknown_layer_name_names_allowed(model_coarse):
    with pytest.raises(ValueError) as info:
        layer_mesh(model_coarse, "dermis")
    message = str(info.value)
    assert "dermis" in message and "allowed: skin, fat, smas, muscle, periosteum, bone" in message, (
        "BUG cutaway.layer_mesh: an unknown layer NAME raises tuple.index's bare ValueError "
        f"({message!r}) instead of the message listing the allowed surfaces"
    )


def test_layer_4_shows_as_its_own_band_in_the_cut_wall(model_coarse):
    """Issue 11: the muscle layer's cut wall starts at layer 4's floor, and layer 4's strip (roof to floor)
    fills the rest, naming its space for the hover."""
    from facelayers.model.cutaway import Cut, layer4_wall, layer_mesh, window
    from facelayers.model.space import floor_points, layer4

    assert len(layer4_wall(model_coarse).faces) == 0  # nothing cut, no wall
    cut = Cut(window("temple"), 5)
    strip = layer4_wall(model_coarse, cut)
    assert len(strip.faces) > 0 and len(strip.labels) == len(strip.vertices)
    assert np.all(strip.thickness_mm > 0)
    labels = {sp.label for sp in layer4(model_coarse.anatomy).spaces}
    assert labels & set(strip.labels), "the temple window cuts no temporal compartment"
    # the muscle wall's top edge lies on the floor, not on the SMAS's inner face
    muscle = layer_mesh(model_coarse, "muscle", cut)
    floor = floor_points(model_coarse)
    top_edge = strip.vertices[len(strip.vertices) // 2:]  # the strip's inner edge (on the floor)
    # The muscle's wall (shared cut points: the u distinct points on its top, then on the bone) is last.
    points = np.unique(np.round(top_edge, 3), axis=0)
    wall = muscle.vertices[-2 * len(points):]
    assert np.allclose(np.sort(wall[:len(wall) // 2], axis=0), np.sort(points, axis=0), atol=1e-3)
    assert floor.shape == model_coarse.interface("muscle").shape


# ----------------------------------------------------------------------------------------------------
# Clean rims (a lecturer saw the rims of the cheek window as a saw-tooth: half the wall's quads were wound the
# other way, so smooth shading averaged opposite normals at their shared edges)


def unit_normals(verts: np.ndarray, faces: np.ndarray) -> np.ndarray:
    tri = np.asarray(verts, float)[faces]
    n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)


def smooth_normal_strength(verts: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Per vertex, the length of the mean of its faces' unit normals: 1 on a consistently wound smooth strip,
    near 0 where neighbouring faces point opposite ways (what a smooth-shading renderer then lights at random)."""
    n = unit_normals(verts, faces)
    total = np.zeros((len(verts), 3))
    count = np.zeros(len(verts))
    for c in range(3):
        np.add.at(total, faces[:, c], n)
        np.add.at(count, faces[:, c], 1)
    used = count > 0
    return np.linalg.norm(total[used], axis=1) / count[used]


def test_cut_curve_is_one_oriented_loop():
    """Each cut point ends one segment and starts the next: the kept triangles' winding runs along the cut."""
    verts, faces = flat_grid(8)
    c = clip(verts, faces, np.hypot(verts[:, 0] - 0.5, verts[:, 1] - 0.5), 0.3)
    from facelayers.model.cutaway import shared_ends

    ends = shared_ends(c.seg_edges).reshape(-1, 2)
    starts, stops = np.sort(ends[:, 0]), np.sort(ends[:, 1])
    np.testing.assert_array_equal(starts, stops)  # every point is a start once and an end once
    # and the loop runs clockwise seen from +z (the kept region, outside the hole, on its left)
    e, t = c.seg_edges, c.seg_t
    p = verts[e[..., 0]] + t[..., None] * (verts[e[..., 1]] - verts[e[..., 0]])
    d = p[:, 1, :2] - p[:, 0, :2]
    mid = p.mean(axis=1)[:, :2] - 0.5
    assert np.all(mid[:, 0] * d[:, 1] - mid[:, 1] * d[:, 0] < 0)


def test_flat_wall_faces_into_the_hole():
    outer, faces = flat_grid(8, z=0.0)
    inner = outer - np.array([0.0, 0.0, 1.0])
    c = clip(outer, faces, np.hypot(outer[:, 0] - 0.5, outer[:, 1] - 0.5), 0.3)
    for v, f in (wall(outer, inner, c), shared_wall(outer, inner, c)[:2]):
        n = unit_normals(v, f)
        toward = np.array([0.5, 0.5, 0.0]) - v[f].mean(axis=1)
        toward[:, 2] = 0.0
        assert np.all((n * toward).sum(axis=1) > 0)


@pytest.mark.parametrize("name", list(WINDOWS))
def test_every_rim_faces_into_the_window_and_shades_smoothly(model_lecture, name):
    """At the lecture resolution, every layer's cut wall (and layer 4's strip) faces the window's axis and its
    smooth normals are well defined (the wall is one consistently wound strip, no quad flipped)."""
    from facelayers.model.cutaway import layer4_wall, window_centre

    cut = Cut(window(name), 5)
    centre = window_centre(model_lecture, cut.window)
    axis = centre / np.linalg.norm(centre)  # the window's outward direction, roughly: centre from the origin
    walls = [(LAYERS[k], *cut_wall(model_lecture, cut, k)) for k in range(len(LAYERS))]
    strip = layer4_wall(model_lecture, cut)
    walls.append(("layer 4", strip.vertices, strip.faces))
    for label, v, f in walls:
        assert len(f) > 20, f"{label}: no wall"
        n = unit_normals(v, f)
        mid = v[f].mean(axis=1)
        radial = centre - mid
        radial -= np.outer(radial @ axis, axis)  # across the window, not along its axis
        facing = (n * radial).sum(axis=1) > 0
        assert facing.all(), f"{name}, {label}: {(~facing).sum()} of {len(f)} wall triangles face away from the window"
        # Before the fix the median was 0.03-0.1. A lone vertex where the cut curve turns sharply (the temple's
        # 1 mm skin wall, 0.45) is a corner, not a flipped quad.
        strength = smooth_normal_strength(v, f)
        assert np.quantile(strength, 0.05) > 0.9 and strength.min() > 0.3, (
            f"{name}, {label}: smooth normals {np.quantile(strength, 0.05):.2f} long (5th percentile), "
            f"{strength.min():.2f} at least")


def cut_wall(model, cut, k) -> tuple[np.ndarray, np.ndarray]:
    """Layer k's cut wall as layer_mesh draws it (its last 2s triangles, on its last vertices): (vertices, faces)."""
    segments = len(clip(model.interface(k), model.faces, window_distance(model, cut.window) - cut.radius_mm(k),
                        0.0).seg_edges)
    mesh = layer_mesh(model, k, cut)
    faces = mesh.faces[len(mesh.faces) - 2 * segments:]
    first = faces.min()
    assert first + len(np.unique(faces)) == len(mesh.vertices), "the wall is not the mesh's last vertices"
    return mesh.vertices[first:], faces - first


@pytest.mark.parametrize("name", list(WINDOWS))
def test_window_onto_bone_is_at_least_half_the_skin_window(model_lecture, name):
    """The bone a cutaway shows is not a peephole beside the layers' rings: the periosteum's hole spans at least
    half the skin's (measured across the cut curves in 3D; a 5 mm step left about a third)."""
    cut = Cut(window(name), 5)

    def span(k):
        v, _ = cut_wall(model_lecture, cut, k)
        rim = v[: len(v) // 2]  # the wall's top edge: the cut curve on the layer's outer face
        return np.linalg.norm(rim[:, None] - rim[None], axis=2).max()

    skin, periosteum = span(0), span(len(LAYERS) - 1)
    assert periosteum >= 0.5 * skin, f"{name}: bone window {periosteum:.1f} mm across, skin window {skin:.1f} mm"
