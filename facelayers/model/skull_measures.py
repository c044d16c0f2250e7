"""Measurements on a built skull: apertures, the gonial angle, the bone's projection.

The orbit's and the piriform aperture's width, the gonial angle, the bone's projection along a ray: measured on
the geometry (the skull surface and its mesh), not read from the tables.

Used by lesson 07 (how the skull of a patient changes with sex and age, :func:`skull_text`) and by the tests.
"""

from __future__ import annotations

import numpy as np

from facelayers.model import skull

__all__ = ["gonial_angle", "half_depth_edges", "orbit_breadth", "piriform_width", "projection", "skull_text"]

#: The head's vertical axis in the horizontal plane (x, y) mm, from which a radius is measured.
_AXIS_XY = np.array([0.0, skull.AXIS_Y_MM])


def half_depth_edges(coord: np.ndarray, radius: np.ndarray, centre: float) -> tuple[float, float]:
    """The two rims of a pit in a radius profile.

    Where the profile crosses half-way between the pit's floor and the lower of its two rims, on each side of
    ``centre``.

    Parameters
    ----------
    coord : (n,) float
        Increasing coordinate along the profile (rad or mm).
    radius : (n,) float, mm
        The bone's distance from the axis along the profile.
    centre : float
        A coordinate inside the pit.

    Returns
    -------
    (float, float)
        The low and high rim coordinates (linear interpolation between samples).
    """
    floor_i = int(np.argmin(np.where(np.abs(coord - centre) < 0.5 * np.ptp(coord), radius, np.inf)))
    left, right = radius[:floor_i + 1], radius[floor_i:]
    level = 0.5 * (radius[floor_i] + min(left.max(), right.max()))
    i = floor_i - int(np.argmax(left[::-1] >= level))
    j = floor_i + int(np.argmax(right >= level))
    lo = np.interp(level, [radius[i + 1], radius[i]], [coord[i + 1], coord[i]])
    hi = np.interp(level, [radius[j - 1], radius[j]], [coord[j - 1], coord[j]])
    return float(lo), float(hi)


def _radius(points: np.ndarray) -> np.ndarray:
    return np.linalg.norm(points[:, :2] - _AXIS_XY, axis=1)


def orbit_breadth(model) -> float:
    """The orbital aperture's breadth (mm), left side.

    The chord between its half-depth rims on the row through the orbit's centre (the middle of the palpebral
    fissure, 3.5 mm up).

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel
    """
    from facelayers.model.grid import params_of

    centre = 0.5 * (model.anatomy.point("endocanthion:left") + model.anatomy.point("exocanthion:left"))
    uc, sc, _ = params_of(centre[None, :] + np.array([[0.0, 0.0, 3.5]]))
    u = np.linspace(uc[0] - 0.55, uc[0] + 0.55, 600)
    row = model.skull_at(u, np.full_like(u, sc[0]))
    a, b = half_depth_edges(u, _radius(row), uc[0])
    sides = model.skull_at(np.array([a, b]), np.full(2, sc[0]))
    return float(np.linalg.norm(sides[1] - sides[0]))


def piriform_width(model) -> float:
    """The piriform aperture's width (mm): the chord between its half-depth rims on the row half-way up it.

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel
    """
    s = np.linspace(-45.0, 20.0, 650)
    col = model.skull_at(np.zeros_like(s), s)
    lo, hi = half_depth_edges(s, col[:, 1], -15.0)
    mid = 0.5 * (lo + hi)
    u = np.linspace(-0.3, 0.3, 600)
    row = model.skull_at(u, np.full_like(u, mid))
    a, b = half_depth_edges(u, _radius(row), 0.0)
    right, left = model.skull_at(np.array([a, b]), np.full(2, mid))
    return float(np.linalg.norm(left - right))


#: Where :func:`gonial_angle` reads the mandible's lower border: this azimuth (degrees from straight ahead around
#: the head's vertical axis), about the middle of its window (the body between y 15 and 45 mm).
BORDER_AT_AZIMUTH_DEG = 57.0


def gonial_angle(model) -> tuple[float, float, float]:
    """The gonial angle from the skull mesh's cut edges (the mandible's borders), left side.

    The mandible's posterior and lower borders are the mesh's open edges (the vertices the cut adds, on the
    level :func:`facelayers.model.skull.bone_field` = 0); in the lateral projection (y, z) a line is fitted to the
    ramus' posterior border (x > 20, -56 < z < -32, y < 15 mm) and one to the body's lower border
    (15 < y < 45, z < -58 mm, outside the U's inner contour); the angle between the ramus going up and the body
    going forward is the gonial angle.

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel

    Returns
    -------
    angle_deg : float
        The gonial angle, degrees.
    ramus_deg : float
        The ramus' posterior border's angle back from the vertical, degrees.
    border_z_mm : float
        The lower border's height at azimuth :data:`BORDER_AT_AZIMUTH_DEG` (around the head's vertical axis,
        :data:`facelayers.model.skull.AXIS_Y_MM`), mm: from a line fitted to the window's cut vertices' heights
        against their azimuths, so that two skulls are compared at the same place along the jaw. (Their mean
        height would also follow which cut vertices fall in the window: where the bone turns under the body
        near its border, a sub-millimetre change moves the cut across the grid's cells, and the rising border
        makes the mean follow their spread along the jaw.)
    """
    verts, _ = model.skull_mesh()
    cut = verts[model.n_vertices:].astype(float)
    outer = np.hypot(cut[:, 0] / skull.ARCH_INNER_MM[0], cut[:, 1] / skull.ARCH_INNER_MM[1]) > 1.15
    left = cut[(cut[:, 0] > 20) & outer]
    ramus = left[(left[:, 2] > -56) & (left[:, 2] < -32) & (left[:, 1] < 15)]
    body = left[(left[:, 1] > 15) & (left[:, 1] < 45) & (left[:, 2] < -58)]
    if len(ramus) < 5 or len(body) < 5:
        raise ValueError(f"gonial_angle: the model's grid ({model.nu} x {model.nv}) is too coarse to find the "
                         "mandible's borders; allowed: 'coarse' or finer")
    k_ramus = np.polyfit(ramus[:, 2], ramus[:, 1], 1)[0]  # dy/dz
    k_body = np.polyfit(body[:, 1], body[:, 2], 1)  # z(y)
    up = np.array([k_ramus, 1.0]) / np.hypot(k_ramus, 1.0)
    forward = np.array([1.0, k_body[0]]) / np.hypot(1.0, k_body[0])
    azimuth = np.degrees(np.arctan2(body[:, 0], body[:, 1] - skull.AXIS_Y_MM))
    border = np.polyval(np.polyfit(azimuth, body[:, 2], 1), BORDER_AT_AZIMUTH_DEG)
    return (float(np.degrees(np.arccos(up @ forward))), float(np.degrees(np.arctan(-k_ramus))), float(border))


def projection(model, point) -> float:
    """How far the bone lies from the head's vertical axis (mm) along the model's ray through ``point``.

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel
    point : (3,) float, mm
    """
    from facelayers.model.grid import params_of

    u, s, _ = params_of(np.array([point], float))
    return float(_radius(model.skull_at(u, s))[0])


#: Where :func:`skull_text` measures the brow's and the maxilla's projection (mm): the glabella, and the
#: maxilla beside the piriform rim (left).
GLABELLA_POINT = (0.0, 86.0, 36.0)
MAXILLA_POINT = (20.0, 78.0, -16.0)


def skull_text(patients, resolution: str | tuple[int, int] = "lecture") -> str:
    """The skull of each patient, measured on their built model: a table for students.

    Parameters
    ----------
    patients : sequence of facelayers.model.patient.Patient
        The first is the row the brow and maxilla columns are measured against.
    resolution : str or (int, int)
        Grid of the models.

    Returns
    -------
    str
        One line per patient: orbit breadth and piriform width (mm), gonial angle (degrees), and the glabella's
        and the paranasal maxilla's projection relative to the first patient (mm, + = forward), one decimal.
    """
    from facelayers.model.geometry import build_face

    rows = []
    for patient in patients:
        model = build_face(resolution=resolution, patient=patient)
        rows.append((patient.label, orbit_breadth(model), piriform_width(model), gonial_angle(model)[0],
                     projection(model, GLABELLA_POINT), projection(model, MAXILLA_POINT)))
    first = rows[0]
    lines = [f"{'patient':<24}{'orbit (mm)':>11}{'piriform (mm)':>15}{'gonial angle':>14}{'glabella':>10}"
             f"{'maxilla':>9}"]
    for label, orbit, piriform, angle, glabella, maxilla in rows:
        lines.append(f"{label:<24}{orbit:>11.1f}{piriform:>15.1f}{angle:>13.1f}°{glabella - first[4]:>+10.1f}"
                     f"{maxilla - first[5]:>+9.1f}")
    return "\n".join(lines)
