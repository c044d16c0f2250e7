"""The schematic skull the soft tissues stand on.

Design
------
The skull is sculpted like the skin (:mod:`facelayers.head`): a union of ellipsoids with a few cut-outs,
intersected in closed form with the model's own rays, so it shares the (u, s) grid every other surface uses.
Pieces: the cranial vault and frontal bone, brow ridges, the orbits (cut) with their rims, the nasal bones and
the piriform aperture (cut), the maxilla with the canine fossa and the alveolar arch with the teeth, the
zygoma bodies, the temporal fossae (cut) and the zygomatic arches standing proud of them, and the mandible
(body, angle, ramus, lower border, mental protuberance). A neck column that is *not* bone closes the rays
that miss the skull (under the mandible and behind it).

Dimensions are from REFERENCE-2 section 4 where it has them (orbit height 32, piriform aperture 45 x 25, mental
foramina 50 mm apart and 13 mm above the lower border); the rest are schematic (marked so in
:data:`SKULL_PIECES` and in the README), chosen so the skull lies under the skin at the cited depths.

The skull is then *fitted to the tissue-depth table* (``data/tissue_depths.csv``), as forensic facial
reconstruction builds a face on a skull but run the other way: at every site the bone must lie ``depth``
below the skin point along the skin's inward normal (the perpendicular depth). A Gaussian RBF correction on
the skull's ray radius (like the skin's landmark pins) moves it there; the sculpture is already within a few
mm of the targets, so the correction is small and local (:data:`SKULL_PIN_SIGMA_MM`).

Cavities
--------
Where the skull has a cavity the soft tissue does not fill (the orbit behind the globe and lids, the piriform
aperture behind the nasal cartilages) or no bone at all (the neck), the deepest surface of the layer stack
is not the skull: it runs over the globe, the cartilage and the deep cervical fascia at the depth the regions'
data give (:meth:`Skull.cavity_weight`). The skull itself is drawn as its own surface
(:meth:`facelayers.geometry.FaceModel.skull_mesh`), only where it is bone.

Foramina
--------
The supraorbital notch, the infraorbital and the mental foramina are small cut-outs placed at the data's
landmarks (``data/landmarks.csv``), so they sit where the cited distances put them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facelayers import head
from facelayers.head import Ellipsoid

#: Depth of a foramen's pit (mm): schematic, a visible dimple, not the canal.
FORAMEN_DEPTH_MM = 3.0
#: Width of the blend that carries each tissue-depth site's correction to its neighbourhood (mm).
SKULL_BLEND_SIGMA_MM = 16.0
#: The pieces of the skin's sculpture (:data:`facelayers.head.HEAD`) whose union is the skull's envelope:
#: the big forms only, no nose, lips, globes, brow or cheek pads.
ENVELOPE_PIECES: tuple[str, ...] = ("cranium", "forehead", "upper face", "midface", "lower face", "jaw",
                                    "mandible body", "chin", "neck")


@dataclass(frozen=True)
class Relief:
    """One feature of the skull: a raised form (height > 0) or a pit (height < 0) on the envelope.

    Its footprint is where an ellipsoid (``centre_mm``, ``radii_mm``, ``axis`` as in
    :class:`facelayers.head.Ellipsoid`) meets the envelope; inside, the ray radius changes by ``height_mm``
    with a smooth step of relative width ``edge`` at the border (a flat top or floor, soft rims).

    name : str; centre_mm, radii_mm : (3,) float, mm; axis : (3,) float; height_mm : float, mm;
    edge : float in (0, 1]; mirror : bool (also the right side); status : "schematic" or a source id;
    cavity : bool — a pit the soft tissues do not fill (orbit, piriform aperture, foramen): the layer stack
    runs over it, not into it.
    """

    name: str
    centre_mm: tuple[float, float, float]
    radii_mm: tuple[float, float, float]
    height_mm: float
    axis: tuple[float, float, float] = (1.0, 0.0, 0.0)
    edge: float = 0.35
    mirror: bool = False
    status: str = "schematic"
    cavity: bool = False

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """Radius change (n,) mm at envelope points (n, 3) mm (both sides if mirrored)."""
        out = np.zeros(len(points))
        shape = Ellipsoid(self.name, self.centre_mm, self.radii_mm, self.axis)
        for sign in ((1.0, -1.0) if self.mirror else (1.0,)):
            rot = shape.frame(sign)
            centre = np.array(self.centre_mm) * np.array([sign, 1.0, 1.0])
            q = np.linalg.norm(((points - centre) @ rot) / np.array(self.radii_mm), axis=1)
            out += self.height_mm * smoothstep((1.0 - q) / self.edge)
        return out


def _r(name, centre, radii, height, axis=(1.0, 0.0, 0.0), edge=0.35, mirror=False, status="schematic",
       cavity=False):
    return Relief(name, tuple(map(float, centre)), tuple(map(float, radii)), float(height),
                  tuple(map(float, axis)), float(edge), mirror, status, cavity)


#: The features, left side (``mirror`` places the right). Dimensions: orbital opening 40 x 33 mm (height
#: 32.1, REFERENCE-2 section 4; breadth ~40, unconfirmed), piriform aperture 45 x 25 mm (Kabakci 2020, REFERENCE-2
#: section 4); the rest schematic. Positions follow the landmarks (nasion, rhinion, zygion, gonion) and the
#: tissue-depth blend then puts the bone at the cited depth under every site.
RELIEF: tuple[Relief, ...] = (
    _r("cranial vault", (0, -10, 60), (85, 115, 70), 2.0, edge=0.6),
    _r("frontal bone", (0, 78, 50), (48, 30, 32), 3.5, edge=1.0),
    _r("temporal fossa", (63, 30, 24), (14, 30, 20), -7.0, edge=0.7, mirror=True),
    _r("zygomatic arch", (60, 24, -2), (9, 27, 5.5), 5.0, axis=(0.12, 1, 0), edge=0.45, mirror=True),
    _r("articular tubercle", (60, 12, 4), (7, 8, 7), 3.0, edge=0.8, mirror=True),
    _r("zygoma body", (47, 60, -4), (13, 12, 12), 3.5, edge=0.7, mirror=True),
    _r("frontal process of the zygoma", (46, 64, 14), (7, 8, 14), 3.0, edge=0.6, mirror=True),
    _r("superciliary arch", (19, 84, 32), (14, 8, 6), 2.5, axis=(1, -0.3, 0), edge=0.8, mirror=True),
    _r("orbit", (31, 78, 15.5), (20.0, 14, 16.5), -30.0, axis=(1, -0.25, 0), edge=0.3, mirror=True,
       status="REFERENCE-2 section 4: height 32.1 mm (Iranian CT); breadth ~40 unconfirmed", cavity=True),
    _r("nasal bones", (0, 80, 8), (8.5, 14, 12), 13.0, axis=(0, 0.3, -1), edge=1.0),
    _r("piriform aperture", (0, 90, -13), (14, 16, 22), -22.0, edge=0.25,
       status="kabakci2020: height 45.2, width 25.0 mm (males)", cavity=True),
    _r("alveolar process", (0, 78, -38), (24, 12, 11), 4.0, edge=1.0),
    _r("canine eminence", (13, 84, -34), (5, 8, 10), 1.5, edge=0.8, mirror=True),
    _r("cheek over the alveolar bone and ramus", (44, 42, -42), (13, 26, 24), -10.0, edge=0.9, mirror=True),
    _r("mental protuberance", (0, 72, -76), (14, 8, 9), 2.5, edge=0.8),
    _r("mental tubercle", (12, 70, -80), (5, 6, 5), 1.0, edge=0.8, mirror=True),
)


def foramina(points: dict[str, np.ndarray]) -> tuple[Relief, ...]:
    """Pits for the supraorbital notch and the infraorbital and mental foramina at the given points (left).

    Parameters
    ----------
    points : dict of str to (3,) float, mm
        ``supraorbital_notch``, ``infraorbital_foramen``, ``mental_foramen``: their landmarks.
    """
    size = {"supraorbital_notch": (3.0, 6.0, 4.0), "infraorbital_foramen": (2.6, 6.0, 2.2),
            "mental_foramen": (2.2, 6.0, 1.8)}
    out = []
    for name, radii in size.items():
        if name in points:
            out.append(_r(name.replace("_", " "), points[name], radii, -FORAMEN_DEPTH_MM, edge=0.3,
                          mirror=True, status="landmark", cavity=True))
    return tuple(out)


#: The skull never comes closer to the skin than this along a ray (mm, about the skin alone): a smooth clamp
#: where the schematic skull would poke through a thin soft-tissue cover (the nasal sidewall).
MIN_SOFT_TISSUE_MM = 1.5
#: The envelope lies this far inside the skin's big forms along each ray (mm): about the face's typical
#: soft-tissue depth, so that the fit to the tissue-depth table only corrects a few mm.
ENVELOPE_INSET_MM = 8.0


def envelope(origins: np.ndarray, dirs: np.ndarray) -> np.ndarray:
    """Ray radius (n,) mm of the skull's envelope: the skin's sculpture without its soft features, inset by
    :data:`ENVELOPE_INSET_MM`."""
    pieces = tuple(p for p in head.HEAD if p.name in ENVELOPE_PIECES)
    return head.cast(origins, dirs, pieces) - ENVELOPE_INSET_MM


def relief(points: np.ndarray, extra: tuple[Relief, ...] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Radius change (n,) mm from every feature at envelope points (n, 3) mm, and how deep (n,) mm the
    cavities (pits) make it there."""
    total = np.zeros(len(points))
    cavity = np.zeros(len(points))
    for feature in RELIEF + tuple(extra):
        h = feature(points)
        total += h
        if feature.cavity:
            cavity -= h
    return total, cavity


#: The mandible's lower border: (y, z) of the border at menton and at gonion, mm (bone, schematic; the
#: border runs straight between them and along the ramus' posterior border above gonion).
BORDER_MENTON = (60.0, -92.0)
BORDER_GONION = (6.0, -58.0)
#: Below this height, behind the ramus, there is no bone (the mastoid tip is about 25 mm below the porion).
SKULL_BASE_Z_MM = -24.0


def is_bone(points: np.ndarray) -> np.ndarray:
    """(n,) bool: points (n, 3) mm on the skull's surface that are bone, not the neck.

    Bone lies above the mandible's lower border (the line menton-gonion), in front of the ramus' posterior
    border above gonion, and everywhere above the skull base.
    """
    y, z = points[:, 1], points[:, 2]
    (y0, z0), (y1, z1) = BORDER_MENTON, BORDER_GONION
    t = np.clip((y - y1) / (y0 - y1), 0.0, 1.0)
    border = z1 + t * (z0 - z1)
    jaw = (z > border) & (y > y1 - 0.12 * (z - z1))
    return jaw | (z > SKULL_BASE_Z_MM) | ((y > y1) & (z > border))


def smoothstep(x: np.ndarray) -> np.ndarray:
    """0 below 0, 1 above 1, a cubic ramp between."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)
