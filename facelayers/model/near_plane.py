"""Which nerves come near a technique's planes, measured as the planes' clearance colours show it.

The dissection views colour each plane by the distance from its vertices to the nearest nerve of its side
(:func:`facelayers.model.planes.clearance_map`, on the scale of
:data:`facelayers.render.techniques.CLEARANCE_SCALE`: red at 0 mm, pink by 6 mm, blue from 15 mm). A procedure
step's caption names the nerves at risk *in that step*; :func:`near_plane_nerves` gives, measured the same way as
the colours, the nerves that come within :data:`NEAR_MM` of the whole plane drawn, so the caption can say which
nerves the red of the plane is (lesson 04). numpy only.
"""

from __future__ import annotations

import numpy as np

from facelayers.model.planes import clearance_map

__all__ = ["NEAR_MM", "near_plane_nerves"]

#: A nerve within this distance of a plane colours it red to pink (0-5 mm of the 0-15 mm clearance scale).
NEAR_MM = 5.0


def near_plane_nerves(placed, paths: dict, near_mm: float = NEAR_MM) -> tuple[str, ...]:
    """The nerves (ids, either side) that come within ``near_mm`` of any of a placed technique's planes.

    Measured as the planes' colours are: the distance from each plane vertex to the nerve's points
    (:func:`facelayers.model.planes.clearance_map`), on the plane's own side.

    Parameters
    ----------
    placed : facelayers.model.techniques.PlacedTechnique
    paths : dict of (nerve_id, side) -> facelayers.model.nerves.NervePath
    near_mm : float, mm
        Positive.

    Returns
    -------
    tuple of str
        Nerve ids in the order of ``paths``, each once; empty without a plane.

    Raises
    ------
    ValueError
        If ``near_mm`` is not a positive finite number.
    """
    if not (np.isfinite(near_mm) and near_mm > 0):
        raise ValueError(f"near_mm = {near_mm!r}; allowed: a positive number of mm")
    out: list[str] = []
    for (nid, side), path in paths.items():
        if nid in out:
            continue
        for plane in placed.planes:
            if plane.side == side and float(clearance_map(plane, [path]).min()) <= near_mm:
                out.append(nid)
                break
    return tuple(out)
