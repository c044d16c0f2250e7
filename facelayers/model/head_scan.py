"""The head's shape from an openly licensed mesh: the MakeHuman hm08 base mesh (CC0 1.0), read along the model's rays.

``data/shapes/head_makehuman.npz`` holds the ray radius of the MakeHuman base mesh's head and neck (the ``body``
group of ``base.obj`` with the macro target of a young adult woman of average muscle and weight; Data Collection
AB, Joel Palmius, Jonas Hauquier; released CC0 1.0 in September 2020; ``data/sources.csv`` row ``makehuman2020``)
on a fine regular (u, s) table: every 0.5 degree around the head and every 1 mm of the ray parameter s, from the
neck to the crown, independent of the model's resolution. ``tools/make_head_target.py`` makes it: it finds
landmarks on the mesh geometrically, places the mesh on the cited landmarks of ``data/landmarks.csv`` with a
similarity (one scale, a pitch and a translation), casts the model's rays
(:func:`facelayers.model.grid.rays`) against its triangles, and fills what is not one radius per ray: the
palpebral fissures, the mouth's slit and the nostrils' rims are closed across (the model draws its own globes, lids,
fissure and vermilion), the ears are masked and the head's surface under them filled smoothly (the model has its
own ear meshes), and the neck's cut end is filled from above.

:func:`scan_radius` reads the table bilinearly (periodic in u); the skin (:mod:`facelayers.model.skin`) takes it as
its base surface, then lays the eyelids (:mod:`facelayers.model.eyes`), cuts the mouth's line, and pins the cited
landmarks on top.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from facelayers.anatomy.specs import package_data_dir

#: The table, relative to the data folder.
TABLE = "shapes/head_makehuman.npz"


@lru_cache(maxsize=1)
def _table() -> tuple[np.ndarray, float, float, float, float]:
    """(radius (ns, nu) float64 mm, u0 rad, du rad, s0 mm, ds mm), read once."""
    path = package_data_dir() / TABLE
    try:
        with np.load(path) as z:
            radius = z["radius_cmm"].astype(float) * float(z["quantum_mm"])
            axes = tuple(float(z[k]) for k in ("u0_rad", "du_rad", "s0_mm", "ds_mm"))
    except (OSError, KeyError, ValueError) as err:
        raise ValueError(f"{path}: cannot read the head's shape table ({err}); "
                         "remake it with tools/make_head_target.py") from err
    radius.flags.writeable = False
    return (radius, *axes)


def scan_radius(u, s) -> np.ndarray:
    """The MakeHuman head's ray radius at ray parameters (u, s): bilinear on the table, periodic in u.

    Parameters
    ----------
    u : (n,) float array-like, rad
        Azimuths (any value; taken modulo 2 pi).
    s : (n,) float array-like, mm
        Ray parameters (clamped to the table's range, which covers the model's grid).

    Returns
    -------
    (n,) float64 ndarray, mm
        Distance from each ray's origin to the head's surface.
    """
    radius, u0, du, s0, ds = _table()
    ns, nu = radius.shape
    fu = np.mod(np.asarray(u, float) - u0, 2 * np.pi) / du
    fs = np.clip((np.asarray(s, float) - s0) / ds, 0.0, ns - 1.000001)
    i = np.floor(fu).astype(int) % nu
    j = np.floor(fs).astype(int)
    tu, ts = fu - np.floor(fu), fs - j
    i1 = (i + 1) % nu
    return ((1 - ts) * ((1 - tu) * radius[j, i] + tu * radius[j, i1])
            + ts * ((1 - tu) * radius[j + 1, i] + tu * radius[j + 1, i1]))
