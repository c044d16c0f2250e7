"""Facelift techniques placed in the model: their planes, incisions and ports, and the comparison metrics.

A technique (``data/techniques.json``) is an approach (open or endoscopic), one or more dissection planes
(a depth over a region), incisions (paths on the skin) or ports (short slits), the muscles it divides and its
published complication rates. Placed in a built face it yields, per side, plane surfaces, incision curves and
port slits, from which the lessons compute, for every nerve, how close the planes come and on which side of
them it lies; the area undermined; and the total incision length.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from facelayers.core.frame import SIDES, mirror
from facelayers.model.geometry import FaceModel
from facelayers.model.grid import params_of, rays
from facelayers.model.metrics import EXPOSED_MM, polyline_length
from facelayers.model.outlines import outline_params
from facelayers.model.planes import Clearance, Plane, clearance, plane_from_spec

#: How far from the skin (mm, along the model's ray) a port's position may lie.
PORT_TOLERANCE_MM = 5.0


@dataclass(frozen=True)
class PlacedIncision:
    """An incision placed on one side: a polyline on the skin.

    Attributes
    ----------
    label : str
        The incision's label (``data/techniques.json``).
    side : {"left", "right"}
    points : (k, 3) float64 ndarray, mm, head frame
        The path's places projected onto the skin along the model's rays, resampled about every 2 mm.
    """

    label: str
    side: str
    points: np.ndarray  # (k, 3) mm, on the skin

    @property
    def length_mm(self) -> float:
        """The incision's length along its polyline, mm."""
        return polyline_length(self.points)


@dataclass(frozen=True)
class PlacedPort:
    """A port placed on one side: a straight slit on the skin.

    Attributes
    ----------
    label : str
        The port's label (``data/techniques.json``).
    side : {"left", "right"}
        A port on the midline is placed once, as "left".
    centre : (3,) float64 ndarray, mm, head frame
        The skin point on the ray through the port's given position.
    ends : (2, 3) float64 ndarray, mm, head frame
        The slit's two ends, ``length_mm`` apart, through ``centre`` and perpendicular to ``inward``: vertical
        for a sagittal port, horizontal otherwise.
    inward : (3,) float64 ndarray
        Unit vector into the head, along the model's ray (where the endoscope enters).
    length_mm : float, mm
        The slit's length.
    """

    label: str
    side: str
    centre: np.ndarray
    ends: np.ndarray
    inward: np.ndarray
    length_mm: float


@dataclass(frozen=True)
class PlacedTechnique:
    """A technique placed in the model (see :func:`place_technique`).

    Attributes
    ----------
    technique : facelayers.anatomy.load.Technique
        The technique as ``data/techniques.json`` gives it.
    planes : list of facelayers.model.planes.Plane
        Every dissection plane on every side placed, named ``"<technique>:<plane>:<side>"``.
    incisions : list of PlacedIncision
    ports : list of PlacedPort
    """

    technique: object
    planes: list[Plane]
    incisions: list[PlacedIncision]
    ports: list[PlacedPort]

    @property
    def area_cm2(self) -> float:
        """Undermined area, both sides, cm^2."""
        return sum(p.area_cm2 for p in self.planes)

    @property
    def incision_cm(self) -> float:
        """Total scar length, both sides: incisions plus port slits, cm."""
        return (sum(i.length_mm for i in self.incisions) + sum(p.length_mm for p in self.ports)) / 10.0


def _skin_path(model: FaceModel, anatomy, path, side: str, step_mm: float = 2.0) -> np.ndarray:
    """A polyline of places projected onto the skin, resampled along its rays every ~step_mm."""
    u, s = outline_params(anatomy, path, side)
    pts = model.stack_at(u, s).points[:, 0]
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    uu, ss = [], []
    for i, length in enumerate(seg):
        n = max(2, int(np.ceil(length / step_mm)))
        t = np.linspace(0, 1, n, endpoint=False)
        uu.append(u[i] + t * (u[i + 1] - u[i]))
        ss.append(s[i] + t * (s[i + 1] - s[i]))
    uu = np.concatenate(uu + [u[-1:]])
    ss = np.concatenate(ss + [s[-1:]])
    return model.stack_at(uu, ss).points[:, 0]


def _port(model: FaceModel, technique, port, side: str) -> PlacedPort:
    where = port.at
    p = model.anatomy.point(where) if isinstance(where, str) else np.asarray(where, float)
    p = mirror(p[None, :], side)[0]
    u, s, _ = params_of(p[None, :])
    skin = model.stack_at(u, s).points[0, 0]
    _, d = rays(u, s)
    off = float(np.linalg.norm(p - skin))  # p and its skin point share a ray: this is the gap along it
    if off > PORT_TOLERANCE_MM:
        raise ValueError(f"technique {technique.technique_id!r}, port {port.port_id!r}: its position lies "
                         f"{off:.1f} mm off the skin; allowed: within {PORT_TOLERANCE_MM:g} mm")
    inward = -d[0]
    if port.direction == "sagittal":
        along = np.array([0.0, 0.0, 1.0])
    else:
        along = np.cross(np.array([0.0, 0.0, 1.0]), inward)
    along = along - inward * (along @ inward)
    along /= np.linalg.norm(along)
    half = 0.5 * port.length_mm * along
    return PlacedPort(port.label, side, skin, np.stack([skin - half, skin + half]), inward, float(port.length_mm))


def place_technique(model: FaceModel, technique, sides=SIDES) -> PlacedTechnique:
    """Place a technique in the model: its planes, incisions and ports, on each side.

    Parameters
    ----------
    model : FaceModel
    technique : facelayers.anatomy.load.Technique or str
        The technique, or its id in ``data/techniques.json``.
    sides : sequence of {"left", "right"}
        The sides to place it on (default both). A port on the midline is placed once, with the left side.

    Returns
    -------
    PlacedTechnique

    Raises
    ------
    ValueError
        If the id is unknown (the message lists the known ones), a plane cannot be placed
        (:func:`facelayers.model.planes.build_plane`), or a port's position lies more than :data:`PORT_TOLERANCE_MM`
        off the skin.
    """
    if isinstance(technique, str):
        technique = model.anatomy.technique(technique)
    planes, incisions, ports = [], [], []
    for side in sides:
        for spec in technique.planes:
            planes.append(plane_from_spec(model, spec, side=side,
                                          name=f"{technique.technique_id}:{spec.plane_id}:{side}"))
        for inc in technique.incisions:
            incisions.append(PlacedIncision(inc.label, side, _skin_path(model, model.anatomy, inc.path, side)))
        for port in technique.ports:
            at = model.anatomy.point(port.at) if isinstance(port.at, str) else np.asarray(port.at, float)
            if side == "left" or abs(at[0]) > 1e-9:  # a midline port is one port, not two
                ports.append(_port(model, technique, port, side))
    return PlacedTechnique(technique, planes, incisions, ports)


@dataclass(frozen=True)
class NerveRisk:
    """The closest any plane of a technique comes to one nerve (both sides).

    Attributes
    ----------
    nerve_id : str
    min_mm : float, mm
        The smallest clearance over the planes the nerve lies under (same side); inf if it lies under none.
    side : {"flap", "deep", "crosses", "outside"}
        Where the nerve lies relative to the planes: as the closest plane's :attr:`Clearance.side
        <facelayers.model.planes.Clearance.side>` when every plane it lies under agrees, "crosses" when they do not,
        "outside" when it lies under none.
    exposed_mm : float, mm
        Total length of nerve within the limit of a plane, summed over the planes.
    by_plane : list of facelayers.model.planes.Clearance
        One per plane on the nerve's side.
    """

    nerve_id: str
    min_mm: float
    side: str
    exposed_mm: float
    by_plane: list[Clearance] = field(default_factory=list)


def nerve_risks(placed: PlacedTechnique, paths: dict, limit_mm: float = EXPOSED_MM) -> dict[str, NerveRisk]:
    """Each nerve's risk from a placed technique: its clearances from the planes on the same side.

    Parameters
    ----------
    placed : PlacedTechnique
    paths : dict of (str, str) -> facelayers.model.nerves.NervePath
        The placed nerves, by (nerve id, side).
    limit_mm : float, mm
        A point of nerve within this distance of a plane counts as exposed
        (default :data:`facelayers.model.metrics.EXPOSED_MM`).

    Returns
    -------
    dict of str -> NerveRisk
        By nerve id; only nerves on a side the technique has a plane on.
    """
    out = {}
    by_nerve: dict[str, list] = {}
    for (nid, side), path in paths.items():
        for plane in placed.planes:
            if plane.side == side:
                by_nerve.setdefault(nid, []).append(clearance(path, plane, limit_mm))
    for nid, rows in by_nerve.items():
        inside = [c for c in rows if c.side != "outside"]
        if not inside:
            out[nid] = NerveRisk(nid, float("inf"), "outside", 0.0, rows)
            continue
        best = min(inside, key=lambda c: c.min_mm)
        sides = {c.side for c in inside}
        where = best.side if len(sides) == 1 else "crosses" if "crosses" in sides or len(sides) > 1 else best.side
        out[nid] = NerveRisk(nid, best.min_mm, where, sum(c.exposed_mm for c in rows), rows)
    return out


def comparison_text(model: FaceModel, placed: list[PlacedTechnique], paths: dict,
                    nerves: tuple[str, ...] = ("frontal_2", "zygomatic", "buccal", "marginal_mandibular",
                                               "great_auricular", "supraorbital")) -> str:
    """The side-by-side table of the lesson, as fixed-width text (rounded).

    One row per technique: its label, approach, undermined area (cm^2), scar length (cm), and per nerve the
    minimum clearance in mm with the side ('f' = in the flap, superficial to the plane; 'd' = deep to it;
    'x' = crosses it; '-' = not under the plane); a last line explains the letters.

    Parameters
    ----------
    model : FaceModel
        Gives the nerves' labels for the column headers.
    placed : list of PlacedTechnique
    paths : dict of (str, str) -> facelayers.model.nerves.NervePath
        The placed nerves, by (nerve id, side).
    nerves : tuple of str
        The nerve ids of the columns, in order.

    Returns
    -------
    str
        Lines joined by newlines, no trailing newline.
    """
    # Each nerve's short label in full over two header lines (a name cut to the column read "marginal man"):
    # the group's label ("frontal branch"), never its id ("frontal / 2").
    def short(nid: str) -> str:
        nerve = model.anatomy.nerves.get(nid)
        name = model.anatomy.group_label(nerve.group) if nerve is not None else nid.replace("_", " ")
        return name.removesuffix(" branch").removesuffix(" nerve")

    words = [short(n).rsplit(" ", 1) for n in nerves]
    width = max([len("technique")] + [len(pt.technique.label) for pt in placed]) + 2
    top = f"{'':<{width}}{'':<11}{'':>9}{'':>8}  " + "".join(f"{w[0] if len(w) > 1 else '':>13}" for w in words)
    head = f"{'technique':<{width}}{'approach':<11}{'area cm2':>9}{'scar cm':>8}  " + "".join(
        f"{w[-1]:>13}" for w in words)
    lines = [top.rstrip(), head]
    for pt in placed:
        risks = nerve_risks(pt, paths)
        cells = []
        for nid in nerves:
            r = risks.get(nid)
            if r is None or r.side == "outside":
                cells.append(f"{'-':>13}")
            else:
                cells.append(f"{r.min_mm:>10.1f} {r.side[0] if r.side != 'crosses' else 'x':>1} ")
        t = pt.technique
        # Students read the technique's name, not its id; the name column is as wide as the longest name.
        lines.append(f"{t.label:<{width}}{t.approach:<11}{pt.area_cm2:>9.0f}{pt.incision_cm:>8.1f}  " + "".join(cells))
    lines.append("clearance in mm from the nearest plane: f = nerve in the flap (superficial to the plane), "
                 "d = deep to it, x = crosses it, - = not under the plane")
    return "\n".join(lines)
