"""The margin of safety per patient: how close a technique's plane comes to the facial nerve branches.

Computed in the faces of different patients, with numpy only.

A *margin* is the clearance of :mod:`facelayers.model.planes` (the smallest 3D distance, mm, between a nerve and the
technique's plane where the nerve lies under it), taken over the nerves of one branch on the left side, in a
face built for one :class:`~facelayers.model.patient.Patient`. Because the planes and the nerves are placed by
(layer, fraction) in the patient's own layers, the margins follow the patient's thicknesses: thinner fat over
the SMAS brings a subcutaneous plane closer to the branches beneath it.

Three sites are tabulated (the lesson's "margin of safety"): the frontal branch (the closest of its rami), the
zygomatic branch, and the marginal mandibular branch at the mandibular border.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from facelayers.anatomy.load import load_anatomy
from facelayers.model.geometry import FaceModel, build_face
from facelayers.model.grid import params_of
from facelayers.model.metrics import EXPOSED_MM, point_triangle_distances
from facelayers.model.nerves import NervePath, place
from facelayers.model.patient import REFERENCE_PATIENT, Patient
from facelayers.model.perpendicular import skin_depth
from facelayers.model.techniques import place_technique

__all__ = ["DEPTH_SITES", "LESSON_PATIENTS", "SITES", "SITE_LANDMARKS", "Margin", "MarginTable", "compare_patients",
           "depths_text", "margins", "measured_depths", "normal_depths", "patient_model", "site_column"]

#: The tabulated sites: (nerve group of nerves.json, label).
SITES: tuple[tuple[str, str], ...] = (
    ("frontal", "frontal branch"),
    ("zygomatic", "zygomatic branch"),
    ("marginal_mandibular", "mandibular border"),
)

#: Where each site's layer column is read, the same anatomical point in every patient (the branch's danger point):
#: the first of the landmarks that the technique's plane covers (the first if none does). The frontal branch where
#: its rami cross the zygomatic arch (zygion; Al-Kayat & Bramley 1979: 8-35 mm in front of the ear canal), or in
#: the temple for a brow lift's plane (its first ramus passes under the temporal-fossa landmark); the zygomatic
#: branch at Zuker's point (Dorafshar 2013); the marginal mandibular branch where it crosses the facial vessels at
#: the mandibular border (Dingman & Grabb 1962; Yang 2016: 33 mm in front of gonion).
SITE_LANDMARKS: dict[str, tuple[str, ...]] = {
    "frontal": ("zygion", "temporal_fossa"),
    "zygomatic": ("zuker_point",),
    "marginal_mandibular": ("facial_artery_border",),
}

#: The four patients of lesson 07: two sexes x young/old, two BMIs (each sex and each age at both BMIs).
LESSON_PATIENTS: tuple[Patient, ...] = (
    Patient("female", 30, 20), Patient("female", 75, 30), Patient("male", 30, 30), Patient("male", 75, 20),
)

#: Where lesson 07 measures the layers: (label, landmark, layer or None for the total depth to bone).
DEPTH_SITES: tuple[tuple[str, str, str | None], ...] = (
    ("forehead skin", "frontal_eminence", "skin"),
    ("temple fat", "temporal_fossa", "fat"),
    ("malar fat", "inferior_malar", "fat"),
    ("masseter fat", "mid_masseter", "fat"),
    ("angle fat", "gonion", "fat"),
    ("pogonion total", "pogonion", None),
)


@functools.lru_cache(maxsize=16)
def patient_model(patient: Patient | None = None, resolution: str | tuple[int, int] = "lecture") -> FaceModel:
    """The face built for ``patient`` (None: the tables as they are), cached per (patient, resolution).

    Returns
    -------
    FaceModel
        ``model.anatomy`` holds the patient's thicknesses.
    """
    return build_face(resolution=resolution, patient=patient)


@dataclass(frozen=True)
class Margin:
    """The margin at one site for one patient and technique.

    Attributes
    ----------
    patient : Patient or None
    technique_id, site, label : str
    nerve_id : str
        The nerve of the branch that comes closest ("" if no nerve of the branch lies under the plane).
    margin_mm : float, mm
        Smallest 3D distance from the branch to the plane; inf if the branch never lies under it.
    side : str
        ``"deep"`` (the nerve lies deep to the plane), ``"flap"`` (superficial to it: raised with the flap),
        ``"crosses"`` or ``"outside"``.
    interfaces_mm : (6,) float, mm
        The layer column at the site's landmark (:data:`SITE_LANDMARKS`, the same anatomical point in every
        patient): depth below the skin of each interface (skin ... bone) along the skin's inward normal there
        (:func:`normal_depths`), as the sources measure thickness.
    nerve_depth_mm, plane_depth_mm : float, mm
        Depth of the branch and of the plane in that column, on the same scale: each one's layer and fraction
        on the landmark's ray, read on the normal's interfaces (nan where the plane does not reach the site).
    site_landmark : str
        The landmark the column is read at (:data:`SITE_LANDMARKS`; "" if none).
    column_nerve_id : str
        The branch's nerve drawn in the column: the one passing nearest the landmark's ray.
    """

    patient: Patient | None
    technique_id: str
    site: str
    label: str
    nerve_id: str
    margin_mm: float
    side: str
    interfaces_mm: np.ndarray
    nerve_depth_mm: float
    plane_depth_mm: float
    site_landmark: str = ""
    column_nerve_id: str = ""

    @property
    def exposed(self) -> bool:
        """True when the branch comes within :data:`facelayers.model.metrics.EXPOSED_MM` of the plane."""
        return self.margin_mm <= EXPOSED_MM


def _closest(path: NervePath, planes) -> tuple[float, int, object, str]:
    """(distance mm, sample index, plane, side) of the nerve's closest approach to any plane covering it."""
    best = (float("inf"), -1, None, "outside")
    sides = set()
    for plane in planes:
        under = plane.covers(path.points)
        if not under.any():
            continue
        idx = np.flatnonzero(under)
        d = point_triangle_distances(path.points[idx], plane.mesh.vertices, plane.mesh.faces)
        u, s, _ = params_of(path.points[idx])
        shallower = path.depth_coord[idx] < plane.depth_at(u, s)  # the plane's depth on the nerve's own ray
        sides.add("flap" if shallower.all() else "deep" if not shallower.any() else "crosses")
        k = int(np.argmin(d))
        if d[k] < best[0]:
            best = (float(d[k]), int(idx[k]), plane, "")
    if best[2] is None:
        return best
    side = sides.pop() if len(sides) == 1 else "crosses"
    return best[0], best[1], best[2], side


def margins(patient: Patient | None = REFERENCE_PATIENT, technique: str = "skin_only",
            resolution: str | tuple[int, int] = "lecture", sites=SITES) -> tuple[Margin, ...]:
    """The margins of one technique at the tabulated sites, for one patient (left side).

    Parameters
    ----------
    patient : Patient or None
        None: the tables as they are (see :mod:`facelayers.model.patient`).
    technique : str
        A technique_id of techniques.json.
    resolution : str or (int, int)
        Grid of the model (``"lecture"`` by default, as the lessons draw it).
    sites : sequence of (nerve group, label)

    Returns
    -------
    tuple of Margin
        One per site, in order.
    """
    model = patient_model(patient, resolution)
    placed = place_technique(model, technique, sides=("left",))
    out = []
    for group, label in sites:
        best = None
        paths = [place(model, nerve, "left") for nerve in model.anatomy.nerves_in_group(group)]
        for path in paths:
            dist, i, plane, side = _closest(path, placed.planes)
            if best is None or dist < best[0]:
                best = (dist, i, plane, side, path)
        dist, i, plane, side, path = best
        landmark = _site_landmark(model, SITE_LANDMARKS.get(group, ()), placed.planes)
        if landmark:
            interfaces, nerve_depth, plane_depth, column_nerve = site_column(model, landmark, paths, placed.planes)
        elif plane is not None:  # no landmark for the group: the column under the closest point
            interfaces = path.interfaces_mm[i].copy()
            nerve_depth, column_nerve = float(path.depth_mm[i]), path.nerve_id
            u, s, _ = params_of(path.points[i:i + 1])
            plane_depth = float(skin_depth(model, plane.points_at(model.stack_at(u, s)))[0])
        else:
            interfaces, nerve_depth, plane_depth, column_nerve = np.full(6, np.nan), float("nan"), float("nan"), ""
        if plane is None:
            out.append(Margin(patient, placed.technique.technique_id, group, label, "", float("inf"), "outside",
                              interfaces, nerve_depth, plane_depth, landmark, column_nerve))
            continue
        out.append(Margin(patient, placed.technique.technique_id, group, label, path.nerve_id, dist, side,
                          interfaces, nerve_depth, plane_depth, landmark, column_nerve))
    return tuple(out)


def _site_landmark(model: FaceModel, landmarks, planes) -> str:
    """The first of ``landmarks`` (left side) that a plane covers; the first if none does; "" if there are none."""
    for name in landmarks:
        lm = model.anatomy.landmarks[name]
        point = np.asarray([model.anatomy.point(f"{name}:left" if lm.side == "bilateral" else name)], float)
        if any(plane.covers(point)[0] for plane in planes):
            return name
    return landmarks[0] if landmarks else ""


def site_column(model: FaceModel, landmark: str, paths, planes) -> tuple[np.ndarray, float, float, str]:
    """The layer column at a landmark (left side), with a branch's and a plane's depth in it.

    The column is the skin's inward normal at the skin point of the landmark's ray (:func:`normal_depths`). The
    branch drawn is the nerve of ``paths`` whose samples pass nearest that ray, at its nearest sample; it and the
    plane are placed by their layer and fraction on the landmark's ray and read on the normal's interfaces, so
    nerve, plane and layers are on one scale and each lies in its own layer.

    Parameters
    ----------
    model : FaceModel
    landmark : str
        A landmark id (a bilateral one is taken on the left).
    paths : sequence of NervePath
        The branch's nerves (left side).
    planes : sequence of PlacedPlane
        The technique's planes (left side).

    Returns
    -------
    interfaces : (6,) float64 ndarray, mm
        Depth of skin (0) ... bone along the normal.
    nerve_depth_mm, plane_depth_mm : float, mm
        nan where no plane covers the site.
    nerve_id : str
    """
    lm = model.anatomy.landmarks[landmark]
    point = np.asarray(model.anatomy.point(f"{landmark}:left" if lm.side == "bilateral" else landmark), float)
    interfaces = normal_depths(model, point[None, :])[0]
    u, s, _ = params_of(point[None, :])
    stack = model.stack_at(u, s)
    skin = stack.points[0, 0]
    axis = stack.points[0, -1] - skin
    axis /= np.linalg.norm(axis)

    def on_normal(coord: float) -> float:
        k = int(np.clip(np.floor(coord), 0, 4))
        return float(interfaces[k] + (coord - k) * (interfaces[k + 1] - interfaces[k]))

    nearest = None
    for path in paths:
        rel = path.points - skin
        off = np.linalg.norm(rel - (rel @ axis)[:, None] * axis[None, :], axis=1)
        j = int(np.argmin(off))
        if nearest is None or off[j] < nearest[0]:
            nearest = (off[j], path, j)
    _, path, j = nearest
    nerve_depth = on_normal(float(path.depth_coord[j]))
    plane_depth = float("nan")
    for plane in planes:
        if plane.covers(point[None, :])[0]:
            plane_depth = on_normal(float(plane.depth_at(u, s, stack)[0]))
            break
    return interfaces, nerve_depth, plane_depth, path.nerve_id


@dataclass(frozen=True)
class MarginTable:
    """Margins for several patients and one technique: ``rows[p][s]`` is patient p at site s.

    Attributes
    ----------
    technique_id : str
    patients : tuple of Patient
    sites : tuple of (group, label)
    rows : tuple of tuple of Margin
    """

    technique_id: str
    patients: tuple[Patient, ...]
    sites: tuple[tuple[str, str], ...]
    rows: tuple[tuple[Margin, ...], ...]

    def values_mm(self) -> np.ndarray:
        """(patients, sites) float, mm: the margins (inf where the branch is not under the plane)."""
        return np.array([[m.margin_mm for m in row] for row in self.rows])

    def records(self, decimals: int = 1) -> list[dict]:
        """One plain dict per patient: ``{"patient": label, "sex", "age", "bmi", <site label>: mm or None}``."""
        out = []
        for patient, row in zip(self.patients, self.rows):
            record = {"patient": patient.label, **patient.as_dict()}
            for m in row:
                record[m.label] = None if not np.isfinite(m.margin_mm) else round(m.margin_mm, decimals)
            out.append(record)
        return out

    def cells(self, missing: Callable[[Margin], str], shown: Callable[[Margin], str]) -> list[tuple[Patient, list[str]]]:
        """Each patient with its sites as text: ``missing(m)`` where the branch is not under the plane, else ``shown(m)``.

        Parameters
        ----------
        missing, shown : callable
            From one site's :class:`Margin` (``label``, ``margin_mm``, ``exposed``) to its text.

        Returns
        -------
        list of (Patient, list of str)
            In the order of :attr:`patients`, one string per site.
        """
        return [(patient, [shown(m) if np.isfinite(m.margin_mm) else missing(m) for m in row])
                for patient, row in zip(self.patients, self.rows)]

    @property
    def technique_label(self) -> str:
        """The technique's name as students read it (``"Skin-only facelift"``), never its id."""
        return load_anatomy().technique(self.technique_id).label

    def text(self, decimals: int = 1) -> str:
        """The table as aligned text in mm (what the lesson prints and nbval checks).

        '-' where the branch is not under the plane, '*' where it is within the exposure distance.
        """
        width = max(len(p.label) for p in self.patients) + 2
        head = f"{'patient':<{width}}" + "".join(f"{label:>20}" for _, label in self.sites)
        lines = [f"margins of safety (mm): {self.technique_label}", head]
        for patient, cells in self.cells(lambda m: f"{'-':>20}",
                                         lambda m: f"{m.margin_mm:>19.{decimals}f}{'*' if m.exposed else ' '}"):
            lines.append(f"{patient.label:<{width}}" + "".join(cells))
        lines.append(f"* within {EXPOSED_MM:g} mm of the plane (exposed); - the branch is not under the plane")
        return "\n".join(lines)


def compare_patients(patients=LESSON_PATIENTS, technique: str = "skin_only",
                     resolution: str | tuple[int, int] = "lecture", sites=SITES) -> MarginTable:
    """The same technique in several patients: the margins (mm) at each site.

    Parameters
    ----------
    patients : sequence of Patient
        At least one (the "patients" view compares two; lesson 07 four).
    technique : str
        A technique_id of techniques.json.
    resolution : str or (int, int)
    sites : sequence of (nerve group, label)

    Returns
    -------
    MarginTable
    """
    patients = tuple(patients)
    if not patients:
        raise ValueError("patients: empty; allowed: one or more facelayers.model.patient.Patient")
    for i, patient in enumerate(patients):
        if not isinstance(patient, Patient):
            raise TypeError(f"patients[{i}] = {patient!r}: allowed: a facelayers.model.patient.Patient")
    rows = tuple(margins(p, technique, resolution, sites) for p in patients)
    return MarginTable(rows[0][0].technique_id if rows[0] else technique, patients, tuple(sites), rows)





def measured_depths(patient: Patient | None, resolution: str | tuple[int, int] = "lecture",
                    sites=DEPTH_SITES) -> np.ndarray:
    """Thickness of a layer (or total depth to bone) under landmarks, measured on the patient's built model.

    Returns
    -------
    (len(sites),) float, mm
    """
    model = patient_model(patient, resolution)
    names = [landmark for _, landmark, _ in sites]
    depth = normal_depths(model, np.array([model.anatomy.point(n) for n in names]))
    out = []
    for i, (_, _, layer) in enumerate(sites):
        out.append(depth[i, -1] if layer is None else np.diff(depth[i])[["skin", "fat", "smas", "muscle",
                                                                          "periosteum"].index(layer)])
    return np.array(out, float)


def normal_depths(model: FaceModel, points, samples: int = 600) -> np.ndarray:
    """Depth of every interface below the skin along the skin's inward normal, measured on the built surfaces.

    The sources measure thickness perpendicular to the skin (ultrasound, CT, cephalograms), and the model's
    layers are laid along its rays, which meet the skin obliquely where it curves: so the measure walks the
    inward normal from the skin point over the ray through each point and finds where it crosses each interface
    (each interface's ray radius at the walked point, from :meth:`facelayers.model.geometry.FaceModel.stack_at`),
    to about 0.01 mm (linear interpolation between ``samples`` steps).

    Parameters
    ----------
    model : FaceModel
    points : (n, 3) float, mm
        Points (e.g. landmarks); the measure starts where the ray through each meets the skin.
    samples : int
        Steps along each normal, over 3 x the ray depth + 10 mm.

    Returns
    -------
    (n, 6) float64, mm
        Depth of skin (0), fat, SMAS, muscle, periosteum and bone interfaces along the normal; the layer
        thicknesses are ``np.diff(out, axis=1)``. NaN where the normal never reaches an interface (deep in the
        neck, where the deepest surface turns away).
    """
    from facelayers.model.grid import params_of

    stack = model.stack_under(np.atleast_2d(np.asarray(points, float)))
    n = len(stack.u)
    skin = stack.points[:, 0, :]
    inward = -stack.normals
    reach = 3.0 * stack.depth[:, -1] + 10.0
    t = np.linspace(0.0, 1.0, samples)[None, :] * reach[:, None]  # (n, m)
    q = skin[:, None, :] + inward[:, None, :] * t[:, :, None]
    u, s, r = params_of(q.reshape(-1, 3))
    walked = model.stack_at(u, s)
    radius = model.skin_surface.radius(u, s)
    gap = (r[:, None] - (radius[:, None] - walked.depth)).reshape(n, samples, 6)  # > 0: above the interface
    out = np.zeros((n, 6))
    for k in range(1, 6):
        g = gap[:, :, k]
        below = g <= 0.0
        below[:, 0] = False
        first = np.where(below.any(axis=1), below.argmax(axis=1), -1)
        j = np.maximum(first, 1)
        rows = np.arange(n)
        g0, g1 = g[rows, j - 1], g[rows, j]
        t0, t1 = t[rows, j - 1], t[rows, j]
        cross = t0 + (t1 - t0) * g0 / np.where(g0 - g1 > 1e-12, g0 - g1, 1e-12)
        out[:, k] = np.where(first > 0, cross, np.nan)
    return np.maximum.accumulate(out, axis=1)


def depths_text(patients=LESSON_PATIENTS, resolution: str | tuple[int, int] = "lecture", sites=DEPTH_SITES,
                decimals: int = 1) -> str:
    """The layers that change with the patient, measured on each patient's model (mm), as aligned text."""
    patients = tuple(patients)
    width = max(len(p.label) for p in patients) + 2
    lines = [f"{'patient':<{width}}" + "".join(f"{label:>16}" for label, _, _ in sites)]
    for patient in patients:
        values = measured_depths(patient, resolution, sites)
        lines.append(f"{patient.label:<{width}}" + "".join(f"{v:>16.{decimals}f}" for v in values))
    return "\n".join(lines)
