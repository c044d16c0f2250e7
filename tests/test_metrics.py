"""Metrics on analytic cases with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from facelayers.model.metrics import (length_within, mesh_area, nearest_distances, point_triangle_distances,
                                polyline_length)


def flat_square(size=20.0, n=21, z=0.0):
    """A flat square sheet at height z: vertices (n*n, 3), faces."""
    g = np.linspace(-size / 2, size / 2, n)
    x, y = np.meshgrid(g, g)
    v = np.stack([x.ravel(), y.ravel(), np.full(x.size, z)], 1)
    i = np.arange(n - 1)
    j = np.arange(n - 1)[:, None]
    a, b, c, d = j * n + i, j * n + i + 1, (j + 1) * n + i + 1, (j + 1) * n + i
    f = np.stack([np.stack([a, b, c], -1), np.stack([a, c, d], -1)], 2).reshape(-1, 3)
    return v, f


def straight_nerve(z=-3.0, n=11):
    return np.stack([np.linspace(-5, 5, n), np.zeros(n), np.full(n, z)], 1)


def rigid(points, angle=0.7, axis=(1.0, 2.0, 0.5), shift=(12.0, -40.0, 7.5)):
    axis = np.asarray(axis) / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    r = np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k
    return points @ r.T + np.asarray(shift)


def test_straight_nerve_three_mm_under_a_flat_plane_is_three_mm_away():
    v, f = flat_square()
    d = point_triangle_distances(straight_nerve(-3.0), v, f)
    assert np.allclose(d, 3.0)


def test_plane_distance_is_exact_between_vertices():
    """A coarse plane (2 triangles): the nearest point is inside a face, not at a vertex."""
    v, f = flat_square(size=20.0, n=2)
    d = point_triangle_distances(np.array([[1.3, -2.1, -3.0]]), v, f)
    assert d[0] == pytest.approx(3.0)
    assert nearest_distances(np.array([[1.3, -2.1, -3.0]]), v)[0] > 3.0  # vertex-only distance is larger


def test_distance_beyond_the_edge_goes_to_the_edge():
    v, f = flat_square(size=20.0, n=3)
    d = point_triangle_distances(np.array([[14.0, 0.0, 3.0]]), v, f)
    assert d[0] == pytest.approx(5.0)  # 4 mm past the edge at x = 10, 3 mm above


def test_distances_do_not_change_under_a_rigid_motion():
    v, f = flat_square(n=9)
    nerve = straight_nerve(-3.0) + np.array([0.0, 2.0, 0.0])
    before = point_triangle_distances(nerve, v, f)
    after = point_triangle_distances(rigid(nerve), rigid(v), f)
    assert np.allclose(before, after)
    assert np.allclose(nearest_distances(nerve, v), nearest_distances(rigid(nerve), rigid(v)))


def test_nearest_distance_chunks_agree_with_one_block():
    rng = np.random.default_rng(7)
    p, c = rng.normal(size=(300, 3)), rng.normal(size=(200, 3))
    assert np.allclose(nearest_distances(p, c, chunk=7), nearest_distances(p, c, chunk=10_000))
    brute = np.sqrt(((p[:, None] - c[None]) ** 2).sum(-1)).min(1)
    assert np.allclose(nearest_distances(p, c), brute)


def test_lengths_and_areas():
    assert polyline_length(straight_nerve()) == pytest.approx(10.0)
    v, f = flat_square(size=20.0, n=5)
    assert mesh_area(v, f) == pytest.approx(400.0)
    assert mesh_area(rigid(v), f) == pytest.approx(400.0)


def test_length_within_counts_only_the_close_part():
    nerve = np.stack([np.linspace(0, 10, 11), np.zeros(11), np.zeros(11)], 1)
    d = np.where(nerve[:, 0] <= 4.0, 1.0, 5.0)  # points 0..4 within 2 mm
    assert length_within(nerve, d, 2.0) == pytest.approx(4.5)  # 4 whole segments + half of the 4-5 segment
    assert length_within(nerve, np.full(11, 0.5)) == pytest.approx(10.0)


@pytest.mark.parametrize("bad", [np.zeros((3, 2)), np.zeros((0, 3)), np.array([[0.0, np.nan, 0.0]])])
def test_bad_points_are_refused_with_the_argument_named(bad):
    v, f = flat_square(n=3)
    with pytest.raises(ValueError, match="points"):
        point_triangle_distances(bad, v, f)


def test_pruned_search_equals_brute_force_on_a_bumpy_mesh():
    rng = np.random.default_rng(3)
    v, f = flat_square(size=30.0, n=16)
    v[:, 2] = 3.0 * np.sin(v[:, 0] / 4.0) * np.cos(v[:, 1] / 5.0)
    pts = rng.uniform([-18, -18, -8], [18, 18, 8], size=(400, 3))
    from facelayers.model.metrics import _closest_on_triangles

    a, b, c = v[f[:, 0]], v[f[:, 1]], v[f[:, 2]]
    brute = np.array([np.linalg.norm(q - _closest_on_triangles(q[None, None], a[None], b[None], c[None])[0],
                                     axis=1).min() for q in pts])
    assert np.allclose(point_triangle_distances(pts, v, f), brute)
