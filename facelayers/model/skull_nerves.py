"""Where the facial nerve branches that matter cross the drawn skull, measured on the built geometry.

Two readings a lecturer points at on the skull (lesson 01, "The skull the layers stand on"):

* :func:`arch_crossings`: where each ramus of the frontal (temporal) branch crosses the **lower border of the
  zygomatic arch**, how far in front of the tragion and how far off the bone. The lower border is the drawn
  arch bar's (:mod:`facelayers.model.skull_parts`, part ``arch:<side>``): its lowest vertex in a 2 mm slice at
  the nerve's y. The crossing is where the placed ramus (:func:`facelayers.model.nerves.place_all`) first rises
  through that border; "off the bone" is the exact distance from there to the drawn skull's mesh.
* :func:`border_course`: how high the **marginal mandibular branch** runs above (or below) the **lower border of
  the mandible** along its course, behind and in front of the facial artery (landmark ``facial_artery_border``).
  The border under a nerve sample is the drawn mandible's lowest vertex at the sample's azimuth around the head's
  vertical axis (within :data:`AZIMUTH_HALF_WIDTH_DEG`): the border seen from the side, straight below the nerve.

Nothing here reads the nerve table back: the nerves are the placed paths and the bone is the drawn mesh, so a
change to either moves the numbers. numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facelayers.model import skull as skull_module
from facelayers.model.metrics import point_triangle_distances
from facelayers.model.skull_parts import skull_parts

__all__ = ["AZIMUTH_HALF_WIDTH_DEG", "FRONTAL_RAMI", "ArchCrossing", "BorderCourse", "arch_crossings",
           "border_course", "reading_text"]

#: The rami of the frontal branch (``data/nerves.json`` ids), front to back of the fan as placed.
FRONTAL_RAMI = ("frontal_1", "frontal_2", "frontal_3")
#: Half-width (degrees of azimuth) of the wedge in which the mandible's lower border is read under a nerve sample.
AZIMUTH_HALF_WIDTH_DEG = 1.5
#: Half-width (mm) of the slice (in y) in which the arch's lower border is read under a nerve sample.
ARCH_SLICE_MM = 1.0


@dataclass(frozen=True)
class ArchCrossing:
    """One frontal ramus crossing the lower border of the zygomatic arch.

    Attributes
    ----------
    nerve_id, label : str
        The ramus (its id, and the name students read).
    point : (3,) float64 ndarray, mm, head frame
        Where it crosses.
    in_front_of_tragion_mm : float
        How far in front of the tragion (along y), mm.
    from_tragion_mm : float
        Straight-line distance from the tragion, mm.
    off_bone_mm : float
        Distance from the crossing to the drawn skull's surface, mm (the tissue between nerve and arch).
    """

    nerve_id: str
    label: str
    point: np.ndarray
    in_front_of_tragion_mm: float
    from_tragion_mm: float
    off_bone_mm: float


@dataclass(frozen=True)
class BorderCourse:
    """The marginal mandibular branch against the mandible's lower border, sample by sample.

    Attributes
    ----------
    points : (k,) -> (k, 3) float64 ndarray, mm
        The nerve's samples over the mandible (those with mandible below them).
    height_mm : (k,) float64 ndarray, mm
        Height of each sample above the lower border straight below it (negative: below the border).
    behind_artery : (k,) bool ndarray
        The sample lies behind (posterior to) the facial artery's crossing of the border.
    """

    points: np.ndarray
    height_mm: np.ndarray
    behind_artery: np.ndarray

    @property
    def lowest_behind_mm(self) -> float:
        """The lowest height above the border behind the facial artery, mm (negative: below it)."""
        return float(self.height_mm[self.behind_artery].min())

    @property
    def lowest_in_front_mm(self) -> float:
        """The lowest height above the border in front of the facial artery, mm."""
        return float(self.height_mm[~self.behind_artery].min())


def _side_sign(side: str) -> float:
    if side not in ("left", "right"):
        raise ValueError(f"side = {side!r} is not allowed; allowed: 'left', 'right'")
    return 1.0 if side == "left" else -1.0


def arch_crossings(model, paths: dict, side: str = "left") -> list[ArchCrossing]:
    """Where each frontal ramus crosses the lower border of the drawn zygomatic arch.

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel
    paths : dict of (nerve_id, side) -> facelayers.model.nerves.NervePath
        The placed nerves (:func:`facelayers.model.nerves.place_all`).
    side : {"left", "right"}

    Returns
    -------
    list of ArchCrossing
        One per ramus of :data:`FRONTAL_RAMI` that rises through the arch's lower border (in the arch's length).

    Raises
    ------
    ValueError
        If ``side`` is not ``"left"`` or ``"right"``.
    """
    sign = _side_sign(side)
    parts = skull_parts(model)
    arch, _ = parts.parts[f"arch:{side}"]
    verts, faces, _ = parts.mesh()
    tragion = model.anatomy.point("tragion") * np.array([sign, 1.0, 1.0])
    out = []
    for nid in FRONTAL_RAMI:
        path = paths.get((nid, side))
        if path is None:
            continue
        p = np.asarray(path.points, float)
        border = np.full(len(p), np.nan)
        for n, y in enumerate(p[:, 1]):
            near = np.abs(arch[:, 1] - y) < ARCH_SLICE_MM
            if near.any():
                border[n] = arch[near, 2].min()
        h = p[:, 2] - border
        up = np.nonzero((h[:-1] < 0) & (h[1:] >= 0))[0]
        if not len(up):
            continue
        k = up[0]
        q = p[k] + (-h[k] / (h[k + 1] - h[k])) * (p[k + 1] - p[k])
        gap = float(point_triangle_distances(q[None, :], verts, faces)[0])
        out.append(ArchCrossing(nid, path.label, q, float(q[1] - tragion[1]), float(np.linalg.norm(q - tragion)),
                                gap))
    return out


def border_course(model, paths: dict, side: str = "left") -> BorderCourse:
    """The marginal mandibular branch's height above the drawn mandible's lower border along its course.

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel
    paths : dict of (nerve_id, side) -> facelayers.model.nerves.NervePath
        Must hold ``("marginal_mandibular", side)``.
    side : {"left", "right"}

    Returns
    -------
    BorderCourse
        The samples with drawn mandible straight below them (at their azimuth), their heights above its lower
        border, and which lie behind the facial artery (y less than the ``facial_artery_border`` landmark's).

    Raises
    ------
    ValueError
        If ``side`` is not allowed.
    KeyError
        If ``paths`` has no marginal mandibular branch on that side.
    """
    sign = _side_sign(side)
    mandible, _ = skull_parts(model).parts["mandible"]
    mand = mandible[sign * mandible[:, 0] > 5.0]
    az_m = np.degrees(np.arctan2(sign * mand[:, 0], mand[:, 1] - skull_module.AXIS_Y_MM))
    p = np.asarray(paths[("marginal_mandibular", side)].points, float)
    az_p = np.degrees(np.arctan2(sign * p[:, 0], p[:, 1] - skull_module.AXIS_Y_MM))
    border = np.full(len(p), np.nan)
    for n, a in enumerate(az_p):
        near = np.abs(az_m - a) < AZIMUTH_HALF_WIDTH_DEG
        if near.any():
            border[n] = mand[near, 2].min()
    keep = np.isfinite(border)
    artery_y = model.anatomy.point("facial_artery_border")[1]
    return BorderCourse(p[keep], (p[:, 2] - border)[keep], p[keep, 1] < artery_y)


def reading_text(model, paths: dict, side: str = "left") -> str:
    """The two readings, rounded to the millimetre, each beside its cited value (author and year).

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel
    paths : dict of (nerve_id, side) -> facelayers.model.nerves.NervePath
    side : {"left", "right"}

    Returns
    -------
    str
        A few lines: per frontal ramus, where it crosses the arch's lower border (mm in front of the tragion, mm
        off the bone) beside al-Kayat & Bramley's range; the marginal mandibular branch's lowest height against
        the lower border behind and in front of the facial artery beside Dingman & Grabb's.
    """
    from facelayers.model.injury import cite

    lines = ["Frontal branch, where each ramus crosses the lower border of the zygomatic arch (this model):"]
    for c in arch_crossings(model, paths, side):
        lines.append(f"  {c.label}: {c.in_front_of_tragion_mm:.0f} mm in front of the tragion, "
                     f"{c.off_bone_mm:.0f} mm off the bone")
    lines.append(f"  cited: 8-35 mm (mean 20) in front of the ear canal ({cite(model, 'alkayat1979')})")
    course = border_course(model, paths, side)
    lines.append("Marginal mandibular branch against the lower border of the mandible (this model):")
    behind = course.lowest_behind_mm
    lines.append(f"  behind the facial artery: down to {abs(behind):.0f} mm "
                 + ("below the border" if behind < 0 else "above the border"))
    lines.append(f"  in front of the facial artery: at least {course.lowest_in_front_mm:.0f} mm above the border")
    lines.append(f"  cited: behind the artery above the border in 81%, up to 10 mm below it in 19%; in front of it "
                 f"always above ({cite(model, 'dingman1962')})")
    return "\n".join(lines)
