"""The head's shape from an openly licensed mesh: the MakeHuman hm08 base mesh (CC0 1.0), read along the model's rays.

``data/shapes/head_makehuman.npz`` holds the ray radius of the MakeHuman base mesh's head and neck (the ``body``
group of ``base.obj`` with the macro target of a young adult woman of average muscle and weight; Data Collection
AB, Joel Palmius, Jonas Hauquier; released CC0 1.0 in September 2020; ``data/sources.csv`` row ``makehuman2020``)
on a fine regular (u, s) table: every 0.5 degree around the head and every 1 mm of the ray parameter s, from the
neck to the crown, independent of the model's resolution. ``tools/make_head_target.py`` makes it: it finds
landmarks on the mesh geometrically, places the mesh on the cited landmarks of ``data/landmarks.csv`` with a
similarity (one scale, a pitch and a translation) and a thin-plate-spline bend onto them (the cranium held), casts the model's rays
(:func:`facelayers.model.grid.rays`) against its triangles, and fills what is not one radius per ray: the
palpebral fissures, the mouth's slit and the nostrils' rims are closed across (the model draws its own globes, lids,
fissure and vermilion), the ears are masked and the head's surface under them filled smoothly (the model has its
own ear meshes), and the neck's cut end is filled from above.

:func:`scan_radius` reads the table bilinearly (periodic in u); the skin (:mod:`facelayers.model.skin`) takes it as
its base surface when :data:`BASE` is "scan", cuts the mouth's line (:func:`mouth_groove`), keeps the skin behind the
model's lid surface at the fissures (:func:`recess_lids`), lays the eyelids (:mod:`facelayers.model.eyes`), and pins
the cited landmarks on top.
"""

from __future__ import annotations

import os
import warnings
from functools import lru_cache

import numpy as np

from facelayers.anatomy.specs import package_data_dir

#: The table, relative to the data folder.
TABLE = "shapes/head_makehuman.npz"
#: The model's skin starts from: "scan" (this module's MakeHuman head) or "ellipsoids" (the hand sculpture of
#: :mod:`facelayers.model.head`). The skull's envelope follows the same choice (:func:`facelayers.model.skull.envelope`).
#: "scan" by default (see README, "Where the head's shape comes from"); the environment variable ``FACELAYERS_HEAD``
#: ("scan" or "ellipsoids") chooses it for a session, to compare the shapes. The cited nerve waypoints, ports and
#: planes are placed for the scan: on the sculpture several branches lie on the wrong side of a plane, so a session
#: on it warns (:data:`ELLIPSOIDS_WARNING`) and is not for teaching.
BASE = os.environ.get("FACELAYERS_HEAD", "scan")
#: The allowed values of :data:`BASE` (and of every ``base`` argument that defaults to it).
BASES = ("scan", "ellipsoids")
#: What a session on the older sculpture is told once, at import.
ELLIPSOIDS_WARNING = ("FACELAYERS_HEAD=ellipsoids: the older hand-sculpted head, kept to compare shapes. The data "
                      "(nerve waypoints, ports, planes) are placed for the default MakeHuman head; on this one "
                      "several literature checks fail, including which side of a plane some branches lie. "
                      "Do not teach from it; unset FACELAYERS_HEAD for the default.")
if BASE not in BASES:
    raise ValueError(f"environment variable FACELAYERS_HEAD = {BASE!r}; allowed: 'scan', 'ellipsoids'")
if BASE == "ellipsoids":
    warnings.warn(ELLIPSOIDS_WARNING, UserWarning, stacklevel=2)


def resolve_base(base: str | None, where: str) -> str:
    """The head's base surface to use: ``base`` if given, else :data:`BASE` (read at call time).

    Parameters
    ----------
    base : str or None
        "scan", "ellipsoids" or None (the session's choice, :data:`BASE`).
    where : str
        The caller's name, for the error message.

    Returns
    -------
    str
        "scan" or "ellipsoids".

    Raises
    ------
    ValueError
        If ``base`` is anything else, naming ``where``, the value and the allowed values.
    """
    base = BASE if base is None else base
    if base not in BASES:
        raise ValueError(f"{where}: base = {base!r}; allowed: 'scan', 'ellipsoids'")
    return base


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


#: The mouth's line cut into the scan (whose parted lips the table closes): at the stomion's height (landmarks.csv:
#: stomion z -48; the former sculpture's mouth line at -47.6), out to the commissures (cheilion x 27), a groove
#: ``MOUTH_GROOVE_MM`` deep and ``MOUTH_GROOVE_HALF_MM`` high (Gaussian), fading over the last ``MOUTH_TAPER_MM``.
#: Schematic (a closed mouth's line, sized to the cited stomion and cheilia).
MOUTH_Z_MM = -47.6
MOUTH_HALF_WIDTH_MM = 27.0
MOUTH_GROOVE_MM = 1.6
MOUTH_GROOVE_HALF_MM = 1.4
MOUTH_TAPER_MM = 4.0
#: Only skin in front of this (y, mm) is lip.
MOUTH_FRONT_Y_MM = 55.0


def mouth_groove(points: np.ndarray) -> np.ndarray:
    """How far the mouth's line sinks the skin at points (n, 3) mm on it: (n,) float64 mm, >= 0 (see ``MOUTH_*``)."""
    p = np.asarray(points, float)
    x = np.abs(p[:, 0])
    t = np.clip((MOUTH_HALF_WIDTH_MM - x) / MOUTH_TAPER_MM, 0.0, 1.0)
    along = t * t * (3.0 - 2.0 * t)
    across = np.exp(-(((p[:, 2] - MOUTH_Z_MM) / MOUTH_GROOVE_HALF_MM) ** 2))
    return np.where(p[:, 1] > MOUTH_FRONT_Y_MM, MOUTH_GROOVE_MM * along * across, 0.0)


#: Around each palpebral fissure the scan's own lids (closed across by the table) are pulled back this far behind the
#: model's lid surface (mm), so that the model's lids (:func:`facelayers.model.eyes.sculpt_lids`) and fissure show.
LID_RECESS_MM = 0.5
#: ... within about this height of the fissure's line (mm, Gaussian).
LID_RECESS_HALF_MM = 4.0


def recess_lids(origins: np.ndarray, dirs: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """The scan's radius (k,) mm with the skin around each fissure kept behind the model's lid surface.

    Parameters
    ----------
    origins, dirs : (k, 3) float
        The rays (mm; unit directions).
    radius : (k,) float, mm
        The scan's radius along them.

    Returns
    -------
    (k,) float64 ndarray, mm
        At most the lid surface's radius less ``LID_RECESS_MM`` near the fissure (full weight within half the eye
        zone of :data:`facelayers.model.eyes.ZONE_MM`, fading to none at 0.85 of it); unchanged elsewhere.
    """
    from facelayers.model import eyes

    out = np.asarray(radius, float).copy()
    for sign in (1.0, -1.0):
        t_lid, hv = eyes._ray_ellipsoid(origins, dirs, sign, eyes.lid_axes())
        hit = np.isfinite(t_lid)
        if not hit.any():
            continue
        h, v = hv[:, 0], hv[:, 1]
        zh, zu, zd = eyes.ZONE_MM
        rho = np.hypot(h / zh, v / np.where(v > 0, zu, zd))
        x = np.clip((0.85 - rho) / 0.35, 0.0, 1.0)
        # near the fissure's line only (the lids' margins and the canthi), not over the brow or the cheek
        w = np.where(hit, x * x * (3.0 - 2.0 * x) * np.exp(-((v / LID_RECESS_HALF_MM) ** 2)), 0.0)
        target = np.minimum(out, np.nan_to_num(t_lid, nan=0.0) - LID_RECESS_MM)
        out = np.where(w > 0, (1.0 - w) * out + w * target, out)
    return out
