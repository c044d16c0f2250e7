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
from facelayers.model.geometry import FaceModel, params_of, rays
from facelayers.model.metrics import EXPOSED_MM, polyline_length
from facelayers.model.outlines import outline_params
from facelayers.model.planes import Clearance, Plane, clearance, plane_from_spec

#: How far from the skin (mm, along the model's ray) a port's position may lie.
PORT_TOLERANCE_MM = 5.0


@dataclass(frozen=True)
class PlacedIncision:
    label: str
    side: str
    points: np.ndarray  # (k, 3) mm, on the skin

    @property
    def length_mm(self) -> float:
        return polyline_length(self.points)


@dataclass(frozen=True)
class PlacedPort:
    """A port: a slit on the skin. centre (3,) mm; ends (2, 3) mm; inward (3,) unit vector; length_mm."""

    label: str
    side: str
    centre: np.ndarray
    ends: np.ndarray
    inward: np.ndarray
    length_mm: float


@dataclass(frozen=True)
class PlacedTechnique:
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
    """Place a technique (a :class:`facelayers.anatomy.procedures.Technique`, or its id) in the model on both sides."""
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
    """The closest any plane of a technique comes to one nerve (both sides)."""

    nerve_id: str
    min_mm: float
    side: str
    exposed_mm: float
    by_plane: list[Clearance] = field(default_factory=list)


def nerve_risks(placed: PlacedTechnique, paths: dict, limit_mm: float = EXPOSED_MM) -> dict[str, NerveRisk]:
    """For every nerve: the smallest clearance over the technique's planes (same side), the side of the plane
    it lies on where it is closest, and the total length within ``limit_mm`` of any plane."""
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
    """The side-by-side table of the lesson (rounded): per technique, approach, area, incisions, and per
    nerve the minimum clearance in mm with the side ('f' = in the flap, superficial to the plane; 'd' = deep to
    it; 'x' = crosses it; '-' = not under the plane)."""
    # Each nerve's name in full over two header lines (a name cut to the column read "marginal man").
    words = [n.replace("_", " ").split(" ", 1) for n in nerves]
    top = f"{'':<32}{'':<11}{'':>9}{'':>8}  " + "".join(f"{w[0] if len(w) > 1 else '':>13}" for w in words)
    head = f"{'technique':<32}{'approach':<11}{'area cm2':>9}{'scar cm':>8}  " + "".join(
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
        # Students read the technique's name, not its id.
        lines.append(f"{t.label:<32}{t.approach:<11}{pt.area_cm2:>9.0f}{pt.incision_cm:>8.1f}  " + "".join(cells))
    lines.append("clearance in mm from the nearest plane: f = nerve in the flap (superficial to the plane), "
                 "d = deep to it, x = crosses it, - = not under the plane")
    return "\n".join(lines)
