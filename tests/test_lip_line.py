"""The line between the closed lips and the lids' band over the skin, measured on the built geometry (issue 11:
a head a lecturer would project; on the MakeHuman head the vermilion alone drew the lips as one pink lens, and the
lids' band sank under the head's sculpture below the eyes, drawn as a pale rim with torn edges)."""

from __future__ import annotations

import numpy as np

from facelayers.model import lids
from facelayers.model.grid import params_of, rays
from facelayers.model.lips import LINE_LIFT_MM, lip_line, vermilion_field
from facelayers.model.meshops import ray_hits


def test_the_lip_line_runs_in_the_groove_between_the_lips_from_commissure_to_commissure(model_lecture):
    m = model_lecture
    verts, faces = lip_line(m)
    assert len(faces) and faces.max() < len(verts)
    names, pts = m.anatomy.landmark_points(on_skin=True)
    lm = dict(zip(names, pts))
    # it spans the mouth: within 2 mm of each commissure (cheilion), on the stomion's height within 3 mm
    assert abs(verts[:, 0].max() - lm["cheilion:left"][0]) < 2.0
    assert abs(verts[:, 0].min() - lm["cheilion:right"][0]) < 2.0
    mid = np.abs(verts[:, 0]) < 10.0
    assert np.all(np.abs(verts[mid, 2] - lm["stomion"][2]) < 3.0)
    # at the groove: the skin there is concave vertically (the lips bulge above and below it)
    u, s, _ = params_of(verts[mid].astype(float))
    r = m.skin_surface.radius
    assert np.all(0.5 * (r(u, s - 2.0) + r(u, s + 2.0)) - r(u, s) > 0.1)
    # inside the vermilion, over the skin (lifted more than the vermilion patch)
    assert np.all(vermilion_field(verts[mid].astype(float), float(lm["stomion"][2]),
                                  float(lm["cheilion:left"][0])) > 0.0)
    u, s, dist = params_of(verts.astype(float))
    assert np.all(dist - m.skin_surface.radius(u, s) > 0.5 * LINE_LIFT_MM - 0.3)


def test_the_lip_line_follows_the_skin(model_lecture):
    m = model_lecture
    rest, _ = lip_line(m)
    moved, _ = lip_line(m, m.skin + np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(moved - rest, np.broadcast_to([1.0, 2.0, 3.0], rest.shape), atol=1e-4)


def test_the_lower_lids_band_never_sinks_under_the_skins_grid(model_lecture):
    """Each vertex of the band over the lower lid (2 mm or more below the canthal line) lies on or in front of the
    skin's drawn triangles along its ray."""
    m = model_lecture
    local, _, rim_p, _ = lids._rim_local()
    tie = lids._ties(m)[0][0]
    band = tie.rest[(rim_p == lids.SKIN) & (lids._below_canthal_line(local) == 1.0)]
    assert len(band) > 50
    u, s, dist = params_of(band)
    origin, direction = rays(u, s)
    near = np.linalg.norm(m.skin - band.mean(0), axis=1) < 40.0
    _, outer = ray_hits(origin, direction, m.skin, m.faces[near[m.faces].all(1)])
    ok = np.isfinite(outer)
    assert ok.mean() > 0.9
    assert np.all(dist[ok] >= outer[ok] - 1e-6), (dist - outer)[ok].min()
