"""The skull's building blocks on tiny analytic cases, and the skull figure as data."""

from __future__ import annotations

import numpy as np
import pytest

from facelayers.model import skull
from facelayers.model.blend import Blend


def test_clip_mesh_cuts_a_square_exactly_along_the_zero_level():
    # a unit square of two triangles, field = x - 0.25: the kept part is x >= 0.25, area 0.75
    verts = np.array([[0.0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]])
    faces = np.array([[0, 1, 2], [0, 2, 3]])
    v, f = skull.clip_mesh(verts, faces, verts[:, 0] - 0.25)
    tri = v[f]
    area = 0.5 * np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    assert area.sum() == pytest.approx(0.75)
    assert tri[:, :, 0].min() == pytest.approx(0.25)
    normals = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    assert np.all(normals[:, 2] > 0), "the cut pieces keep the mesh's winding"
    # nothing to cut: the same triangles back
    _, f2 = skull.clip_mesh(verts, faces, np.ones(4))
    np.testing.assert_array_equal(f2, faces)


def test_relief_is_flat_inside_and_zero_outside_its_footprint():
    bump = skull.Relief("test", (0.0, 0.0, 0.0), (10.0, 10.0, 10.0), 4.0, edge=0.3)
    pts = np.array([[0.0, 0, 0], [6.0, 0, 0], [10.5, 0, 0], [0, 0, 20.0]])
    h = bump(pts)
    np.testing.assert_allclose(h, [4.0, 4.0, 0.0, 0.0])
    mid = bump(np.array([[8.5, 0.0, 0.0]]))[0]  # half-way through the edge (q 0.7 to 1)
    assert 0.0 < mid < 4.0
    total, cavity = skull.relief(pts, (skull.Relief("pit", (0.0, 0, 0), (5.0, 5, 5), -3.0, cavity=True),),
                                 base_relief=False)
    np.testing.assert_allclose(total, [-3.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(cavity, [3.0, 0.0, 0.0, 0.0])


def test_bone_field_is_bone_above_the_border_and_neck_below():
    pts = np.array([[0.0, 60.0, -80.0],    # the chin, above the border under menton (-88)
                    [0.0, 40.0, -95.0],    # under the chin: the floor of the mouth, no bone
                    [0.0, 30.0, -70.0],    # inside the mandible's U: no bone
                    [45.0, 10.0, -50.0],   # the ramus
                    [45.0, -15.0, -40.0],  # behind the ramus, below the skull base: the neck
                    [0.0, -60.0, 40.0]])   # the vault
    np.testing.assert_array_equal(skull.is_bone(pts), [True, False, False, True, False, True])
    assert np.all(np.diff(skull.border_z(np.array([[0.0, 60, 0], [20, 40, 0], [44, 5, 0]]))) > 0), \
        "the lower border rises from the chin to the angle"


def test_blend_interpolates_the_values_at_its_anchors_and_stays_in_their_range():
    anchors = np.array([[0.0, 0, 0], [30.0, 0, 0], [0, 30.0, 0]])
    values = np.array([-5.0, 2.0, 7.0])
    b = Blend(anchors, values, 16.0)
    np.testing.assert_allclose(b(anchors), values, atol=1e-6)
    rng = np.random.default_rng(11)
    got = b(rng.uniform(-40, 60, (200, 3)))
    assert got.min() >= values.min() - 1e-9 and got.max() <= values.max() + 1e-9
    np.testing.assert_allclose(b.weights(rng.uniform(-40, 60, (20, 3))).sum(axis=1), 1.0)


def test_skull_figure_is_one_named_mesh_and_rejects_unknown_cameras(model_coarse):
    from facelayers.render.skull import skull_figure
    fig = skull_figure(model_coarse, "left", title=None, skin=True)
    names = [t.name for t in fig.data]
    assert names == ["skull", "layer:skin"]
    skull_trace = fig.data[0]
    from facelayers.model.skull_parts import skull_parts
    v, f, shade = skull_parts(model_coarse).mesh()  # the skull drawn as bone: cranium, mandible, arches, ear canals
    assert len(skull_trace.i) == len(f) and len(skull_trace.x) == len(v)
    # the shade as one float32 intensity array through a black-to-bone colour scale (not a list of rgb strings)
    np.testing.assert_allclose(skull_trace.intensity, shade)
    assert skull_trace.vertexcolor is None and skull_trace.showscale is False
    with pytest.raises(ValueError, match="camera = 'behind'.*allowed: front"):
        skull_figure(model_coarse, "behind")


def test_region_anchors_with_a_tissue_depth_add_up_to_it():
    """Data consistency: where a region's anchor is a tissue-depth site, its five layers add up to the depth
    (so the muscle layer, the rest down to the skull, meets the data at the anchor)."""
    from facelayers.anatomy.load import load_anatomy
    a = load_anatomy()
    table = a.thickness_table()
    checked = 0
    for r, region in enumerate(a.regions.values()):
        for anchor in region.anchors:
            if anchor in a.tissue_depths:
                assert table[r].sum() == pytest.approx(a.tissue_depths[anchor].depth_mm, abs=0.011), anchor
                checked += 1
    assert checked >= 12
