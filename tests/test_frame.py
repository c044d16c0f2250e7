"""The frame's helpers (sides, mirror, head axis, plot x-flip) and the grid and polygon helpers, each written once."""

from __future__ import annotations

import numpy as np
import pytest

from facelayers.core import frame, polygons


def test_sides_and_mirror():
    assert frame.side_sign("left") == 1.0 and frame.side_sign("right") == -1.0
    p = np.array([[10.0, 20.0, 30.0], [1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(frame.mirror(p, "right"), p * [-1, 1, 1])
    np.testing.assert_array_equal(frame.mirror(p[0], "left"), p[0])
    assert frame.mirror(p, "left") is not p
    for bad in ("both", "Left", None, 1):
        with pytest.raises(ValueError, match="allowed: left, right"):
            frame.side_sign(bad)


def test_plot_flip_is_its_own_inverse():
    p = np.array([3.0, -4.0, 5.0])
    np.testing.assert_array_equal(frame.to_plot(p), [-3.0, -4.0, 5.0])
    np.testing.assert_array_equal(frame.from_plot(frame.to_plot(p)), p)


def test_the_head_axis_is_the_models():
    from facelayers.model.grid import Y_AXIS_MM

    assert frame.HEAD_AXIS_Y_MM == Y_AXIS_MM


def test_grid_faces_match_the_models_grid(model_coarse):
    np.testing.assert_array_equal(polygons.grid_faces(model_coarse.nu, model_coarse.nv, periodic=True, pole=True),
                                  model_coarse.faces)
    flat = polygons.grid_faces(3, 3)
    assert flat.shape == (8, 3) and flat.dtype == np.int32 and flat.max() == 8


def test_point_in_polygon_on_a_square():
    u, s = np.array([0.0, 1.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0, 1.0])
    inside = polygons.point_in_polygon(u, s, [0.5, 1.5, -0.1, 0.9], [0.5, 0.5, 0.5, 0.1])
    assert inside.tolist() == [True, False, False, True]


def test_segments_and_self_intersections():
    assert polygons.segments_intersect((0, 0), (2, 2), (0, 2), (2, 0))
    assert not polygons.segments_intersect((0, 0), (1, 0), (0, 1), (1, 1))
    assert polygons.self_intersections([(0, 0), (2, 2), (2, 0), (0, 2)]) == [(0, 2)]
    assert polygons.self_intersections([(0, 0), (1, 0), (1, 1), (0, 1)]) == []
