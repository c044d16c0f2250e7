"""Layer 4 keeps its data thickness at the centre of each of its spaces, measured on the built geometry.

On the scan head the rays over the malar eminence, the maxilla and the arch are short for the data; the stack's
short-ray rule let the muscle band (whose outer part is layer 4) give up room first, and the layer-4 clamp then cut
the prezygomatic space to 1.8 mm (data 3.0), the premaxillary to 1.5 (2.0) and the sub-SMAS fat over the arch to
1.3 (2.5) at the lecture grid. Now the part of the band under the floor gives up its room first (down to
``UNDER_FLOOR_MIN_MM``); skin, fat and SMAS keep their (measured) data, so where even the whole band is too thin
for a (schematic) space, the space takes all of it but that minimum. Here the thickness is the distance along the
ray from the layer-4 roof (the SMAS's inner face, the stack's muscle interface) to its floor (the stack's point
at the floor's fraction of the band), against the thickness in ``data/spaces.json``.
"""

from __future__ import annotations

import numpy as np
import pytest

from facelayers.model.space import MUSCLE, UNDER_FLOOR_MIN_MM, layer4

TOL_MM = 0.1


@pytest.mark.parametrize("resolution", ["coarse", "lecture", "fine"])
def test_each_space_keeps_its_data_thickness_at_its_centre(model_at, resolution):
    model = model_at(resolution)
    l4 = layer4(model.anatomy)
    assert l4.spaces
    for sp, pu, ps in zip(l4.spaces, l4.poly_u, l4.poly_s):
        u, s = np.array([pu.mean()]), np.array([ps.mean()])
        assert l4.weights(u, s)[0].max() == pytest.approx(1.0), f"{sp.label}: its centre is not fully inside it"
        st = model.stack_at(u, s)
        roof = st.points[0, MUSCLE]
        floor = st.at_depth(MUSCLE, l4.floor_fraction(st))[0]
        measured = float(np.linalg.norm(floor - roof))
        band = float(st.thickness[0, MUSCLE])
        room = band - UNDER_FLOOR_MIN_MM
        if room >= sp.thickness_mm:
            assert measured == pytest.approx(sp.thickness_mm, abs=TOL_MM), (
                f"{resolution}: {sp.label}: layer 4 is {measured:.2f} mm on the model, {sp.thickness_mm} mm in the "
                f"data, with room for it ({band:.2f} mm band)")
        else:  # too short a ray: it takes the whole band but the room under its floor
            assert measured == pytest.approx(room, abs=1e-6), (resolution, sp.label, measured, band)
        # the floor stays inside the muscle band, with room under it for the deep fascia and the nerves
        under = float(np.linalg.norm(st.points[0, MUSCLE + 1] - floor))
        assert under >= min(UNDER_FLOOR_MIN_MM, 0.4 * band) - 1e-6, (resolution, sp.label, under)
