"""The schematic skull the soft tissues stand on.

Design
------
The skull is sculpted like the skin (:mod:`facelayers.model.head`): a union of ellipsoids with a few cut-outs,
intersected in closed form with the model's own rays, so it shares the (u, s) grid every other surface uses.
Pieces (:data:`RELIEF`, ellipsoids): the cranial vault and frontal bone, brow ridges, the orbits (cut) with
their rims, the nasal bones and the piriform aperture (cut), the maxilla with the canine fossa and a smooth
alveolar arch (the teeth only as the occlusal line: the grid's ~3 mm spacing cannot carry separate crowns
without lumps), the zygoma bodies and the mandible's chin.

The side (:data:`SIDE`, :class:`Outline`): forms drawn as outlines in the side view, set in mm, because the
side is what a lecturer points at and ellipsoids only approximate it. Every surface here has one radius per
ray, so a bridge (the arch over the temporal fossa) or an undercut (the ramus medial to the arch) cannot be
built; they are drawn as relief: the zygomatic arch a raised band from the zygoma back to its root in front of
the tragus, with the temporal fossa's hollow above it (bounded by a soft temporal line) and the infratemporal
hollow below it, whose lower edge is the sigmoid notch between the condyle and the coronoid; the ramus a plate
with a straight posterior border; the bony ear canal a pit under the porion; the mastoid process behind and
below it. The mandible's base is thickened along its lower border (:class:`MandibleBase`). A neck column that is
*not* bone closes the rays that miss the skull (under the mandible, behind the ramus, below the skull base,
which rises from behind the mastoid toward the occiput: :func:`bone_field`).

The relief is smoothed on the grid (:data:`facelayers.model.skull_surface.SKULL_SMOOTH_MM`) so that its edges,
sharper than the grid, do not alias into saw-teeth (the orbital rims).

Dimensions are from REFERENCE-2 section 4 where it has them (orbit height 32, piriform aperture 45 x 25, mental
foramina 50 mm apart and 13 mm above the lower border, gonial angle ~120-125 degrees, the last unconfirmed);
the rest are schematic (each feature's ``status``, and the README), chosen by eye against a dry skull and so
that the sculpture lies within a few mm of the tissue-depth targets below (the fit's corrections are then small
and do not blur the forms). REFERENCE-2 has no arch, ramus, mastoid or ear-canal dimensions: their shapes are
schematic, placed on the landmarks (porion, tragion, zygion, gonion).

The skull is then *fitted to the tissue-depth table* (``data/tissue_depths.csv``), as forensic facial
reconstruction builds a face on a skull but run the other way: at every site the bone must lie ``depth``
below the skin point along the skin's inward normal (the perpendicular depth). A smooth correction on the
skull's ray radius moves it there (Gaussian radial basis functions at two widths, ridge-damped,
:class:`facelayers.model.skull_surface.SmoothCorrection`, then local bumps for what the grid's bilinear read
leaves); the sculpture lies within ~2 mm of the targets below the cheekbone and ~3 mm elsewhere
(``tests/test_skull_smooth.py``), so the correction is a gentle swell and does not draw lumps.

Cavities
--------
Where the skull has a cavity the soft tissue does not fill (the orbit behind the globe and lids, the piriform
aperture behind the nasal cartilages) or no bone at all (the neck), the deepest surface of the layer stack
is not the skull: it runs over the globe, the cartilage and the deep cervical fascia at the depth the regions'
data give (:meth:`Skull.cavity_weight`). The skull itself is drawn as its own surface
(:meth:`facelayers.model.geometry.FaceModel.skull_mesh`), only where it is bone.

Foramina
--------
The supraorbital notch, the infraorbital and the mental foramina are small cut-outs placed at the data's
landmarks (``data/landmarks.csv``), so they sit where the cited distances put them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from facelayers.model import head, head_scan
from facelayers.model.grid import params_of
from facelayers.model.head import Ellipsoid

#: Depth of a foramen's pit (mm): schematic, a visible dimple, not the canal.
FORAMEN_DEPTH_MM = 3.0
#: The pieces of the skin's sculpture (:data:`facelayers.model.head.HEAD`) that go into the skull's envelope: the big
#: forms only, no nose, lips, globes, brow or cheek pads.
ENVELOPE_PIECES: tuple[str, ...] = ("cranium", "forehead")
#: The face's big forms for the envelope (upper face, midface, lower face, jaw, mandible body, chin), kept here rather
#: than read from the skin's sculpture: the skin's pieces slope into one another past their silhouettes (their
#: ``fall``) so that the cheeks and the jaw carry no edges, where the bone under them keeps its crisp rims, border and
#: angle. Schematic.
ENVELOPE_LOWER: tuple[Ellipsoid, ...] = (
    head._piece("upper face", (0, 33, 10), (62, 50, 32), blend=20),
    head._piece("midface", (0, 30, -20), (54, 57, 46), blend=18),
    head._piece("lower face", (0, 36, -50), (47, 47, 33), blend=18),
    head._piece("jaw", (40, 20, -48), (13, 30, 26), blend=24, mirror=True),
    head._piece("mandible body", (29, 42, -70), (36, 10, 9), axis=(-0.55, 0.82, -0.1), blend=20, mirror=True),
    head._piece("chin", (0, 56, -80), (19, 9, 13), blend=18),  # 4 mm further back than the skin's (pogonion)
)
#: The neck column that closes the envelope under and behind the mandible, kept here rather than read from the
#: skin's sculpture: the skin's neck is narrower than the jaw so that the jawline shows, but the column must
#: reach out under the angle for the mandible's border to end there. Schematic.
ENVELOPE_NECK = head._piece("neck", (0, -14, -115), (52, 52, 92), blend=22)


@dataclass(frozen=True)
class Relief:
    """One feature of the skull: a raised form (height > 0) or a pit (height < 0) on the envelope.

    Its footprint is where an ellipsoid (``centre_mm``, ``radii_mm``, ``axis`` as in
    :class:`facelayers.model.head.Ellipsoid`) meets the envelope; inside, the ray radius changes by ``height_mm``
    with a smooth step of relative width ``edge`` at the border (a flat top or floor, soft rims).

    name : str; centre_mm, radii_mm : (3,) float, mm; axis : (3,) float; height_mm : float, mm;
    edge : float in (0, 1]; mirror : bool (also the right side); status : "schematic" or a source id;
    cavity : bool — a pit the soft tissues do not fill (orbit, piriform aperture, foramen): the layer stack
    runs over it, not into it; rim : bool — the step leaves the envelope steeply (:func:`rim_step`, a crisp
    rim: the orbit, the piriform aperture) instead of the symmetric smooth step.
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
    rim: bool = False

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """Radius change (n,) mm at envelope points (n, 3) mm (both sides if mirrored)."""
        step = rim_step if self.rim else smoothstep
        out = np.zeros(len(points))
        shape = Ellipsoid(self.name, self.centre_mm, self.radii_mm, self.axis)
        for sign in ((1.0, -1.0) if self.mirror else (1.0,)):
            rot = shape.frame(sign)
            centre = np.array(self.centre_mm) * np.array([sign, 1.0, 1.0])
            q = np.linalg.norm(((points - centre) @ rot) / np.array(self.radii_mm), axis=1)
            out += self.height_mm * step((1.0 - q) / self.edge)
        return out


def rim_step(x: np.ndarray) -> np.ndarray:
    """0 below 0, 1 above 1, between a quadratic that leaves 0 steeply and meets 1 flat: a pit's crisp rim."""
    x = np.clip(x, 0.0, 1.0)
    return 1.0 - (1.0 - x) ** 2


def polygon_distance(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Signed distance (n,) from 2-D points (n, 2) to a closed polygon (k, 2): negative inside, same units.

    Parameters
    ----------
    points : (n, 2) float ndarray
    polygon : (k, 2) float ndarray
        Its vertices in order (either winding); the last joins the first.

    Returns
    -------
    (n,) float64 ndarray
    """
    p = np.asarray(points, float)[:, None, :]
    a = np.asarray(polygon, float)[None, :, :]
    b = np.roll(a, -1, axis=1)
    ab = b - a
    t = np.clip(np.einsum("nkd,nkd->nk", p - a, np.broadcast_to(ab, (p.shape[0],) + ab.shape[1:]))
                / np.einsum("kd,kd->k", ab[0], ab[0])[None, :], 0.0, 1.0)
    dist = np.linalg.norm(p - (a + t[..., None] * ab), axis=2).min(axis=1)
    # even-odd rule: a horizontal ray from each point crosses the edges an odd number of times inside
    ay, by = a[..., 1], b[..., 1]
    crosses = ((ay > p[..., 1]) != (by > p[..., 1])) & (
        p[..., 0] < a[..., 0] + (p[..., 1] - ay) * (b[..., 0] - a[..., 0]) / np.where(by == ay, 1e-12, by - ay))
    inside = crosses.sum(axis=1) % 2 == 1
    return np.where(inside, -dist, dist)


@dataclass(frozen=True)
class Outline:
    """A feature of the skull's side drawn as an outline in the side view: a raised form or a hollow.

    The outline is a polygon in the lateral projection (y forward, z up, mm; left side, mirrored to the right);
    a point on the envelope whose (y, z) lies inside it, and which lies on the side of the head (azimuth
    past ``lateral_deg``, :func:`lateral_weight`), moves by ``height_mm`` along its ray. The border is a smooth
    step ``edge_mm`` wide centred on the outline, so a sharp edge (the arch's borders, the ramus' posterior
    border) and a soft one (the temporal line) are set in mm, whatever the form's size. Being a side-view
    outline, it can draw the forms a lecturer points at from the side (the arch, the sigmoid notch, the
    condyle, the mastoid), which ellipsoids only approximate.

    name : str; outline_mm : tuple of (y, z) pairs, mm; height_mm : float, mm; edge_mm : float, mm;
    lateral_deg : float, degrees; status : "schematic" or a source; cavity : bool (as :class:`Relief`).
    """

    name: str
    outline_mm: tuple[tuple[float, float], ...]
    height_mm: float
    edge_mm: float = 3.0
    lateral_deg: float = 50.0
    status: str = "schematic"
    cavity: bool = False

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """Radius change (n,) mm at envelope points (n, 3) mm (both sides)."""
        sd = polygon_distance(points[:, 1:3], np.array(self.outline_mm))
        return self.height_mm * smoothstep(0.5 - sd / self.edge_mm) * self.side_weight(points)

    def side_weight(self, points: np.ndarray) -> np.ndarray:
        """(n,) float in [0, 1]: 1 on the side of the head (azimuth from the front past ``lateral_deg``)."""
        return lateral_weight(points, self.lateral_deg)


def lateral_weight(points: np.ndarray, lateral_deg: float) -> np.ndarray:
    """(n,) float in [0, 1]: how far points (n, 3) mm are on the side of the head.

    0 in front of the azimuth ``lateral_deg`` - 6 degrees (measured around the head's vertical axis
    :data:`AXIS_Y_MM` from straight ahead), 1 past ``lateral_deg`` + 6, a smooth ramp between.
    """
    az = np.degrees(np.arctan2(np.abs(points[:, 0]), points[:, 1] - AXIS_Y_MM))
    return smoothstep((az - lateral_deg) / 12.0 + 0.5)


def _o(name, outline, height, edge=3.0, lateral=50.0, status="schematic", cavity=False):
    return Outline(name, tuple((float(y), float(z)) for y, z in outline), float(height), float(edge),
                   float(lateral), status, cavity)


def _r(name, centre, radii, height, axis=(1.0, 0.0, 0.0), edge=0.35, mirror=False, status="schematic",
       cavity=False, rim=False):
    return Relief(name, tuple(map(float, centre)), tuple(map(float, radii)), float(height),
                  tuple(map(float, axis)), float(edge), mirror, status, cavity, rim)


#: The features, left side (``mirror`` places the right). Dimensions: orbital opening 40 x 33 mm (height
#: 32.1, REFERENCE-2 section 4; breadth ~40, unconfirmed), piriform aperture 45 x 25 mm (Kabakci 2020, REFERENCE-2
#: section 4); the rest schematic. Positions follow the landmarks (nasion, rhinion, zygion, gonion) and the
#: tissue-depth blend then puts the bone at the cited depth under every site. The orbit's cut is centred 1.5 mm
#: lateral to the orbit's middle and stops short of the nasal bones (its medial wall at x ~ 7 mm, the frontal
#: process of the maxilla between them), so its medial half-depth rim on the bone is the orbit's own, not the
#: nose's flank: the rims are 35.4 mm apart on the reference skull (test_literature) and widen with a patient's
#: ``orbital_aperture_scale``. (Its lateral half-depth rim, x ~ 40, lies where the envelope rises toward the
#: lateral orbital rim inside the cut, so it moves less than the cut does: schematic, a known limit.)
#: The amplitudes and centres of the midface and lower face's pieces were set so that the sculpture lies within
#: ~2 mm of every tissue-depth target below the cheekbone and ~3 mm elsewhere on the lecture grid
#: (``tests/test_skull_smooth.py``; the cheek's hollows had put it 5-7 mm too deep at supra-M2, the buccal centre
#: and mid-masseter, the fit then pushing lumps out): the cheek's hollow shallower and the buccal hollow gone (a
#: dark ring round the maxilla in the side view); the zygoma body, the zygomaticoalveolar crest (broad and low: the
#: grid cannot carry the ridge from the first molar up to the zygoma, a narrow one read as a knob) and the maxilla
#: below the orbit raised; the nasal bones lower (rhinion lay
#: 5 mm proud); the nasion and the temporal fossa's floor hollowed (2.5 and 3.5 mm proud); the frontal eminences.
RELIEF: tuple[Relief, ...] = (
    _r("cranial vault", (0, -10, 60), (85, 115, 70), 2.0, edge=0.6),
    _r("frontal bone", (0, 78, 50), (48, 30, 32), 3.5, edge=1.0),
    _r("zygoma body", (47, 60, -6), (13, 12, 14), 8.0, edge=0.7, mirror=True),
    _r("frontal process of the zygoma", (46, 64, 14), (7, 8, 14), 3.0, edge=0.6, mirror=True),
    _r("frontal eminence", (26, 78, 62), (16, 16, 16), 2.0, edge=1.0, mirror=True),
    _r("zygomaticoalveolar crest", (45, 50, -22), (14, 16, 20), 3.0, edge=1.0, mirror=True),
    _r("maxilla below the orbit", (37, 71, -7), (11, 12, 9), 6.0, edge=1.0, mirror=True),
    _r("nasion", (0, 80, 22), (12, 12, 8), -2.5, edge=1.0),
    _r("floor of the temporal fossa", (50, 42, 25), (10, 14, 14), -3.5, edge=1.0, mirror=True),
    _r("superciliary arch", (19, 84, 32), (14, 8, 6), 2.5, axis=(1, -0.3, 0), edge=0.8, mirror=True),
    _r("orbit", (32.5, 78, 16.0), (29.5, 60, 19.0), -30.0, axis=(1, -0.25, 0), edge=0.3, mirror=True,
       status="REFERENCE-2 section 4: height 32.1 mm (Iranian CT); breadth ~40 unconfirmed", cavity=True,
       rim=False),
    _r("nasal bones", (0, 80, 8), (12, 14, 11), 9.5, axis=(0, 0.3, -1), edge=1.0),
    _r("piriform aperture", (0, 90, -14.5), (15.8, 60, 19.5), -22.0, edge=0.25,
       status="kabakci2020: height 45.2, width 25.0 mm (males)", cavity=True),
    # 1.5 mm proud of the envelope, flat-topped (was a 4-mm dome, and 9 on the hand sculpture): the dome stood
    # 1.2 mm further out at the upper lip margin's bone than at mid-philtrum's, where Rhine's depths want the
    # bone 0.4 mm further back, and the fit creased the maxilla between them; the plateau lifts both alike
    _r("alveolar process", (0, 80, -42), (18, 12, 13), 1.5, edge=0.5),
    _r("canine eminence", (13, 84, -34), (5, 8, 10), 1.5, edge=0.8, mirror=True),
    _r("cheek over the alveolar bone and ramus", (44, 42, -44), (13, 26, 19), -5.0, edge=0.9, mirror=True),
    # the chin's prominence is the envelope's chin piece (set back, ENVELOPE_LOWER) with a low protuberance on
    # it, not a pit cut under a bump (the old "chin set back", -5 mm, whose rim drew a V across the chin); above
    # it the bone is hollow between the incisors' roots and the chin (point B, supramentale, 2.3 mm proud)
    _r("mental protuberance", (0, 72, -76), (14, 8, 9), 1.0, edge=0.8),
    _r("incisive fossa", (0, 72, -57), (16, 20, 8), -2.5, edge=1.0),
)


def _temporal_line() -> tuple[tuple[float, float], ...]:
    """The temporal line in the side view, (y, z) mm pairs (schematic).

    A half-ellipse from behind the lateral orbital rim, up over the temple and down behind the ear.
    """
    t = np.radians(np.linspace(0.0, 180.0, 19))
    return tuple((float(2.0 + 42.0 * np.cos(a)), float(14.0 + 44.0 * np.sin(a))) for a in t)


#: The side of the skull, drawn as outlines in the side view (y forward, z up, mm; left side, mirrored):
#: schematic shapes placed on the landmarks (porion at (0, 0), the bony ear canal's roof; zygion y ~30; the
#: gonion y ~3, z ~-62; REFERENCE section 9) so the side view shows what a lecturer points at. The grid's rays
#: give one bone radius each (no bridge, no undercut), so the arch over the temporal fossa and the ramus
#: medial to it are drawn as relief: the arch a raised band with the fossa's hollow above it and the
#: infratemporal hollow (the sigmoid notch between the condyle and the coronoid) below it; the ramus a raised
#: plate with a sharp posterior border; the mastoid process behind and below the ear canal's pit.
SIDE: tuple[Outline, ...] = (
    # the temporal fossa: bounded above by the temporal line (soft), deepening toward the arch
    _o("temporal fossa", _temporal_line() + ((-20, 18), (0, 22), (16, 20), (26, 6), (44, 4)), -6.0, edge=12.0),
    _o("temporal fossa above the arch", [(42, 3), (42, 16), (34, 22), (28, 20), (26, 12), (28, 4)], -6.0,
       edge=12.0),
    # the lower lateral face sits deeper than the skin's big forms (the masseter, parotid and buccal fat lie
    # on it): the whole region, then the forms on it
    # (its upper edge under the arch's lower border, so the arch's face stays upright over the bar's height)
    _o("lower lateral face", [(-30, -6), (4, -6), (16, -12), (56, -12), (64, -40), (56, -100), (-30, -100)], -5.0,
       edge=12.0, lateral=38.0),
    # the zygomatic arch from the zygoma body back to its root above the condyle and in front of the tragus,
    # continuing back as the supramastoid crest
    _o("zygomatic arch", [(56, -15), (56, 0), (40, -1), (24, -1), (16, 4), (10, 14), (2, 16), (2, 1), (8, -6),
                          (16, -11), (28, -14), (42, -15)], 4.0, edge=4.0, lateral=45.0),
    # the arch curves medially from zygion back to its root over the articular tubercle, so a dry skull is widest
    # across the arches at zygion (bizygomatic) and narrower across their roots: the arch's back third recedes
    _o("arch receding to its root", [(0, -10), (18, -10), (18, 6), (0, 6)], -3.0, edge=10.0, lateral=45.0),
    _o("supramastoid crest", [(4, 7), (4, 13), (-24, 14), (-30, 10), (-20, 8)], 2.0, edge=4.0),
    # below the arch: the infratemporal hollow, whose lower edge is the sigmoid notch between the condyle
    # (behind) and the coronoid process (in front, its tip under the arch)
    _o("sigmoid notch", [(10, -8), (20, -12), (28, -14.5), (38, -15.5), (36, -17), (31, -18), (26, -22), (21, -22),
                         (18, -17), (15, -12), (12, -10)], -9.0, edge=4.0),
    # behind the ramus' posterior border, below the ear canal: the retromandibular hollow
    _o("retromandibular hollow", [(-6, -11), (3, -11), (2, -18), (0, -32), (-7, -32)], -8.0, edge=4.0),
    # the mandible's ramus: a plate with a sharp posterior border, the condyle in front of the ear canal
    _o("ramus", [(1, -56), (1, -24), (3, -16), (6, -10), (7, -4), (11, -1), (16, -3), (17, -8), (19, -15),
                 (22, -19), (26, -19), (30, -15), (34, -11), (38, -14), (40, -30), (46, -48), (48, -56)], 2.5,
       edge=4.0, lateral=45.0),
    _o("condyle", [(6, -2), (9, 0), (14, 0), (17, -3), (16, -8), (8, -8)], 2.0, edge=3.0),
    # the mastoid process behind and below the ear canal, its tip about 28 mm below the porion
    _o("mastoid process", [(-3, -6), (-3, -16), (-6, -26), (-10, -31), (-14, -29), (-20, -18), (-26, -6),
                           (-14, -3)], 4.5, edge=5.0),
    # the bony ear canal: a pit under the porion, at the tragion's depth
    _o("external acoustic meatus", [(-4.5, -4), (-3, -7.5), (0, -9), (3, -7.5), (4.5, -4), (3, -0.5), (0, 1),
                                    (-3, -0.5)], -16.0, edge=3.0, cavity=True),
)


@dataclass(frozen=True)
class MandibleBase:
    """The base of the mandible: a rounded thickening along its lower border, from the chin to the angle.

    Points of the envelope from ``below_mm`` under the lower border (:func:`border_z`) to ``above_mm`` over it
    move out by ``height_mm`` (smooth steps ``edge_mm`` wide at both ends), in front of the angle (azimuth
    under ``max_azimuth_deg``). It keeps the bone's sheet outside the mandible's U down to the border, so the
    border is a clean edge where the marginal mandibular branch follows it. It runs unbroken under the chin
    (``min_azimuth_deg`` lies past the midline) and fades out toward the angle over ``fade_deg`` before
    ``max_azimuth_deg`` (full to ~8 degrees, half at ~23, gone at 38): the body behind it is fitted to the masseter's
    and the cheek's depths. (It used to fade in beside the chin and out behind the mental foramen over 12 degrees
    each, which drew two bars, a lump on each side of the chin.)

    name : str; height_mm, below_mm, above_mm, edge_mm : float, mm; min_azimuth_deg, max_azimuth_deg : float,
    degrees; border_shift_mm : float, mm — a patient's rise of the lower border (:attr:`SkullShape.border_shift_mm`);
    status : str; cavity : bool (always False: bone); fade_deg : float, degrees.
    """

    name: str = "base of the mandible"
    height_mm: float = 4.0
    below_mm: float = 12.0
    above_mm: float = 12.0
    edge_mm: float = 10.0
    min_azimuth_deg: float = -30.0
    max_azimuth_deg: float = 38.0
    border_shift_mm: float = 0.0
    status: str = "schematic"
    cavity: bool = False
    fade_deg: float = 30.0

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """Radius change (n,) mm at envelope points (n, 3) mm (both sides)."""
        dz = points[:, 2] - border_z(points) - self.border_shift_mm
        az = np.degrees(np.arctan2(np.abs(points[:, 0]), points[:, 1] - AXIS_Y_MM))
        band = smoothstep((dz + self.below_mm) / self.edge_mm) * smoothstep((self.above_mm - dz) / self.edge_mm)
        along = (smoothstep((az - self.min_azimuth_deg) / self.fade_deg)
                 * smoothstep((self.max_azimuth_deg - az) / self.fade_deg))
        return self.height_mm * band * along


#: The teeth, schematic: grooves between the crowns (upper and lower, mm from the midline: the central and
#: lateral incisors, canine, premolars, first molar) and the occlusal line between the arches, so the
#: alveolar region reads as a dentition. Shallow (under 2.5 mm): drawn darker, never a cavity of the stack.
TOOTH_GROOVES_X_MM: tuple[float, ...] = (0.0, 8.5, 15.5, 22.5, 28.0, 33.0, 40.0)
OCCLUSAL_Z_MM = -46.5


def _teeth() -> tuple[Relief, ...]:
    out = [_r("occlusal line", (0, 70, OCCLUSAL_Z_MM), (44, 70, 1.5), -2.4, edge=0.6, cavity=True)]
    for x in TOOTH_GROOVES_X_MM:
        out.append(_r(f"interdental groove at {x:g} mm", (x, 70, OCCLUSAL_Z_MM), (1.8, 70, 9.0), -2.4, edge=0.8,
                      mirror=x > 0, cavity=True))
    return tuple(out)


TEETH: tuple[Relief, ...] = _teeth()


def foramina(points: dict[str, np.ndarray]) -> tuple[Relief, ...]:
    """Pits for the supraorbital notch and the infraorbital and mental foramina at the given points (left).

    Parameters
    ----------
    points : dict of str to (3,) float, mm
        ``supraorbital_notch``, ``infraorbital_foramen``, ``mental_foramen``: their landmarks.
    """
    size = {"supraorbital_notch": (3.5, 20.0, 5.0), "infraorbital_foramen": (2.6, 20.0, 2.2),
            "mental_foramen": (2.2, 20.0, 1.8)}
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


#: Where the envelope follows the scanned head's cranium (:mod:`facelayers.model.head_scan`) rather than the
#: schematic pieces: above ``CRANIUM_FROM_Z_MM`` (the brows' top) and behind ``CRANIUM_BEHIND_Y_MM`` (the ear
#: canal: the scan is ~7 mm narrower behind the ear than the sculpture, whose pieces put the bone outside the
#: skin there), each ramping in over ``CRANIUM_RAMP_MM`` (mm, head frame). Schematic: the cranium's bone follows
#: the scalp at the envelope's inset; the face keeps the crisp schematic forms (rims, border, angle) the fit then
#: corrects.
CRANIUM_FROM_Z_MM = 45.0
CRANIUM_BEHIND_Y_MM = -4.0
CRANIUM_RAMP_MM = 16.0


def envelope(origins: np.ndarray, dirs: np.ndarray, base: str | None = None) -> np.ndarray:
    """Return the ray radius (n,) mm of the skull's envelope along rays origins, dirs (n, 3) mm / unit.

    The envelope is the skin's big forms without its soft features, inset by :data:`ENVELOPE_INSET_MM`. ``base``
    is the skin's base surface ("scan" or "ellipsoids"; None: :data:`facelayers.model.head_scan.BASE`, as
    :meth:`facelayers.model.skin.Skin.sculpt` takes it). With the scanned head as the skin's base ("scan"): over the
    cranium (above the brows, behind the ear canal) the scanned head itself (:func:`facelayers.model.head_scan.scan_radius`),
    over the face the schematic pieces (:data:`ENVELOPE_LOWER`), blended over :data:`CRANIUM_RAMP_MM`.
    """
    pieces = tuple(p for p in head.HEAD if p.name in ENVELOPE_PIECES) + ENVELOPE_LOWER + (ENVELOPE_NECK,)
    schematic = head.cast(origins, dirs, pieces)
    if head_scan.resolve_base(base, "skull.envelope") != "scan":
        return schematic - ENVELOPE_INSET_MM
    u, s, _ = params_of(origins + dirs * 100.0)
    scan = head_scan.scan_radius(u, s)
    p = origins + dirs * scan[:, None]
    up = np.clip((p[:, 2] - CRANIUM_FROM_Z_MM) / CRANIUM_RAMP_MM, 0.0, 1.0)
    back = np.clip((CRANIUM_BEHIND_Y_MM - p[:, 1]) / CRANIUM_RAMP_MM, 0.0, 1.0)
    w = np.maximum(up, back)
    w = w * w * (3.0 - 2.0 * w)
    return (1.0 - w) * schematic + w * scan - ENVELOPE_INSET_MM


#: The reference skull's body height at the symphysis (mm) that ``mandible_height_scale`` scales: the lower
#: border rises by (1 - scale) x this height (schematic: REFERENCE-2 section 4 lists ~29 F / ~32 M, unconfirmed).
MANDIBLE_BODY_HEIGHT_MM = 30.0


@dataclass(frozen=True)
class SkullShape:
    """How a patient's skull differs from the reference skull (:data:`RELIEF`, the mandible's borders).

    The values are :func:`facelayers.model.patient.skull_parameters` (``data/variation.csv``, targets
    ``skull:<name>``); the defaults are the reference patient's, i.e. the skull as sculpted.

    Parameters
    ----------
    orbital_aperture_scale : float
        Scales the orbit's opening (width and height of the ``orbit`` cut; its depth is kept).
    gonial_angle_delta_deg : float, degrees
        Opens (> 0) or closes the gonial angle: the ramus' posterior border turns back about the gonion.
    mandible_height_scale : float
        Scales the mandibular body's height: the lower border rises by (1 - scale) x
        :data:`MANDIBLE_BODY_HEIGHT_MM` (the occlusal line stays).
    piriform_width_scale, piriform_height_scale : float
        Scale the piriform aperture's cut.
    brow_ridge_mm : float, mm
        Extra projection of the glabella and the superciliary arches (along the ray).
    chin_mm : float, mm
        Extra projection of the mental protuberance.
    maxilla_mm : float, mm
        Projection of the paranasal maxilla, around the piriform rim (< 0: it recedes).
    """

    orbital_aperture_scale: float = 1.0
    gonial_angle_delta_deg: float = 0.0
    mandible_height_scale: float = 1.0
    piriform_width_scale: float = 1.0
    piriform_height_scale: float = 1.0
    brow_ridge_mm: float = 0.0
    chin_mm: float = 0.0
    maxilla_mm: float = 0.0

    @classmethod
    def from_parameters(cls, parameters) -> SkullShape:
        """The shape from a mapping of parameter names to values (unknown names are an error)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(parameters) - names)
        if unknown:
            raise ValueError(f"skull parameters {unknown}: allowed: {', '.join(sorted(names))}")
        return cls(**{k: float(v) for k, v in parameters.items()})

    @property
    def is_reference(self) -> bool:
        """True if this is the skull as sculpted (every parameter at its default)."""
        return self == SkullShape()

    def features(self) -> tuple[Relief, ...]:
        """The relief features of this skull.

        :data:`BASE_FEATURES` with the orbit and the piriform aperture scaled and the mandible's base following
        the lower border, then the patient's extra forms (brow
        ridges, chin, maxilla) where their height is not zero.
        """
        out = []
        for f in BASE_FEATURES:
            if isinstance(f, MandibleBase):
                f = dataclasses.replace(f, border_shift_mm=self.border_shift_mm)
            elif f.name == "orbit":
                k = self.orbital_aperture_scale
                f = dataclasses.replace(f, radii_mm=(f.radii_mm[0] * k, f.radii_mm[1], f.radii_mm[2] * k))
            elif f.name == "piriform aperture":
                f = dataclasses.replace(f, radii_mm=(f.radii_mm[0] * self.piriform_width_scale, f.radii_mm[1],
                                                     f.radii_mm[2] * self.piriform_height_scale))
            out.append(f)
        for f, height in zip(PATIENT_RELIEF, (self.brow_ridge_mm, self.chin_mm, self.maxilla_mm)):
            if height != 0.0:
                out.append(dataclasses.replace(f, height_mm=float(height)))
        return tuple(out)

    def changed_features(self) -> tuple[tuple[Relief, ...], tuple[Relief, ...]]:
        """The features added to and removed from :data:`BASE_FEATURES`: ``(added, removed)``.

        The skull's change is ``relief(added) - relief(removed)``.
        """
        mine = self.features()
        return tuple(f for f in mine if f not in BASE_FEATURES), tuple(f for f in BASE_FEATURES if f not in mine)

    @property
    def ramus_lean(self) -> float:
        """How far back the ramus' posterior border moves per mm up (tan of its angle to the vertical)."""
        return float(np.tan(np.arctan(RAMUS_LEAN) + np.radians(self.gonial_angle_delta_deg)))

    @property
    def border_shift_mm(self) -> float:
        """How far the mandible's lower border rises (mm; < 0: it drops)."""
        return (1.0 - self.mandible_height_scale) * MANDIBLE_BODY_HEIGHT_MM


#: Forms a patient adds to the skull, unit height (1 mm; :class:`SkullShape` sets the height), schematic
#: footprints centred on the reference skull's bone (deep along y, so the footprint is the x-z ellipse): the brow
#: (glabella and both superciliary arches, full height within 15 mm of the midline, fading to 30 mm), the
#: mental protuberance and the paranasal maxilla around the piriform rim (left, mirrored).
PATIENT_RELIEF: tuple[Relief, ...] = (
    _r("brow ridges (patient)", (0, 86, 36), (30, 30, 8), 1.0, edge=0.5),
    _r("mental protuberance (patient)", (0, 62, -78), (14, 30, 9), 1.0, edge=0.6),
    _r("paranasal maxilla (patient)", (20, 78, -16), (12, 30, 14), 1.0, edge=0.6, mirror=True),
)


#: Every feature of the reference skull, in the order :func:`relief` adds them.
BASE_FEATURES: tuple = RELIEF + SIDE + (MandibleBase(),) + TEETH


def relief(points: np.ndarray, extra: tuple[Relief, ...] = (), base_relief: bool = True
           ) -> tuple[np.ndarray, np.ndarray]:
    """Return the radius change (n,) mm from the relief features and the cavities' depth (n,) mm.

    The features are :data:`BASE_FEATURES` (and ``extra``), or ``extra`` alone if ``base_relief`` is False; they are evaluated at
    envelope points (n, 3) mm, and the second array is how deep (n,) mm the cavities make it there.
    """
    total = np.zeros(len(points))
    cavity = np.zeros(len(points))
    for feature in (BASE_FEATURES if base_relief else ()) + tuple(extra):
        h = feature(points)
        total += h
        if feature.cavity:
            cavity -= h
    return total, cavity


#: The mandible's lower border: its height z (mm) against the azimuth around the head's vertical axis (deg,
#: 0 under the chin, ~78 at the angle), so the border follows the jaw and not the neck under it. Bone lies
#: above it (schematic; the mental foramen then lies ~13 mm above it, as Sheikhi 2016 measured).
BORDER_AZIMUTH_DEG = (0.0, 10.0, 20.0, 30.0, 45.0, 60.0, 72.0, 80.0, 180.0)
BORDER_Z_MM = (-88.0, -86.0, -82.5, -79.0, -74.0, -68.5, -63.5, -62.0, -62.0)
#: The ramus' posterior border: y (mm) at gonion height, and how far back it moves per mm up (about 6 degrees
#: back from the vertical toward the condyle, so that with the lower border's ~25 degrees to the Frankfort
#: plane the gonial angle is ~120 degrees; schematic).
RAMUS_BORDER_Y_MM = 3.0
RAMUS_LEAN = 0.1
#: The inner contour of the mandible's U (the floor of the mouth lies inside it): an ellipse in the
#: horizontal plane, semi-axes (x, y) mm about its centre (0, y) mm, below ``ARCH_INNER_TOP_Z_MM`` (schematic:
#: the symphysis ~10 mm thick front to back, the bodies ~12 mm).
ARCH_INNER_MM = (34.0, 50.0)
ARCH_INNER_CENTRE_Y_MM = 0.0
ARCH_INNER_TOP_Z_MM = -55.0
#: Below this height, behind the ramus, there is no bone (the mastoid tip is about 25 mm below the porion).
SKULL_BASE_Z_MM = -24.0
#: How far the skull base rises from behind the mastoid (y = -30 mm) to the occiput (y = -90 mm), mm (schematic).
OCCIPITAL_RISE_MM = 16.0
#: The head's vertical axis (mm) the azimuth is measured around (the model's ray axis).
AXIS_Y_MM = -5.0


def border_z(points: np.ndarray, shape: SkullShape | None = None) -> np.ndarray:
    """Height (n,) mm of the mandible's lower border at the azimuth of points (n, 3) mm.

    Raised by ``shape.border_shift_mm`` for a patient's :class:`SkullShape`.
    """
    az = np.degrees(np.arctan2(np.abs(points[:, 0]), points[:, 1] - AXIS_Y_MM))
    return np.interp(az, BORDER_AZIMUTH_DEG, BORDER_Z_MM) + (0.0 if shape is None else shape.border_shift_mm)


def is_bone(points: np.ndarray, shape: SkullShape | None = None) -> np.ndarray:
    """(n,) bool: points (n, 3) mm on the skull's surface that are bone, not the neck.

    Bone lies above the skull base, and below it in the mandible: above its lower border
    (:func:`border_z`) and in front of the ramus' posterior border (the zero level of :func:`bone_field`).
    """
    return bone_field(points, shape) > 0


def smoothstep(x: np.ndarray) -> np.ndarray:
    """0 below 0, 1 above 1, a cubic ramp between."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def bone_field(points: np.ndarray, shape: SkullShape | None = None) -> np.ndarray:
    """Return a signed distance-like field (n,) mm: positive on bone, negative on the neck.

    Its zero level is the mandible's lower and posterior borders and the skull base (:func:`is_bone` is
    ``bone_field > 0``). ``shape`` (a patient's :class:`SkullShape`) raises the lower border and turns the
    ramus' posterior border about the gonion; None is the reference skull.
    """
    x, y, z = points[:, 0], points[:, 1], points[:, 2]
    lean, gonion_z = RAMUS_LEAN, BORDER_Z_MM[-1]
    if shape is not None:
        lean, gonion_z = shape.ramus_lean, gonion_z + shape.border_shift_mm
    jaw = np.minimum(z - border_z(points, shape), y - (RAMUS_BORDER_Y_MM - lean * (z - gonion_z)))
    # outside the U's inner contour (in mm, roughly: the ellipse's radial excess), or above the mouth's floor
    q = np.hypot(x / ARCH_INNER_MM[0], (y - ARCH_INNER_CENTRE_Y_MM) / ARCH_INNER_MM[1])
    outside_u = np.maximum((q - 1.0) * 30.0, z - ARCH_INNER_TOP_Z_MM)
    # the mastoid process hangs below the skull base behind the ear canal (its outline in the side view)
    mastoid = next(f for f in SIDE if f.name == "mastoid process")
    side = mastoid.side_weight(points)
    in_mastoid = -polygon_distance(points[:, 1:3], np.array(mastoid.outline_mm)) - 20.0 * (1.0 - side)
    # behind the mastoid the skull base rises toward the occiput (the occipital bone's lower outline in the
    # side view), instead of a flat cut
    base = SKULL_BASE_Z_MM + OCCIPITAL_RISE_MM * smoothstep((-y - 30.0) / 60.0)
    return np.maximum(np.maximum(z - base, in_mastoid), np.minimum(jaw, outside_u))


def clip_mesh(vertices: np.ndarray, faces: np.ndarray, field: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The part of a triangle mesh where a per-vertex field is positive, cut exactly along its zero level.

    Parameters
    ----------
    vertices : (v, 3) float; faces : (f, 3) int; field : (v,) float

    Returns
    -------
    vertices : (v + e, 3) float — the old vertices, then one new vertex per cut edge
    faces : (g, 3) int32 — kept triangles, then the cut pieces, with the original winding
    """
    f = np.asarray(faces)
    pos = field[f] > 0
    n_pos = pos.sum(axis=1)
    keep = f[n_pos == 3]
    cut = f[(n_pos == 1) | (n_pos == 2)]
    if len(cut) == 0:
        return vertices, keep.astype(np.int32)
    cpos = field[cut] > 0
    # Rotate each cut triangle so that its odd vertex (the lone positive or the lone negative) comes first;
    # the winding is kept by a cyclic rotation.
    lone = np.where(cpos.sum(axis=1) == 1, np.argmax(cpos, axis=1), np.argmin(cpos, axis=1))
    idx = (lone[:, None] + np.arange(3)[None, :]) % 3
    tri = np.take_along_axis(cut, idx, axis=1)
    a, b, c = tri[:, 0], tri[:, 1], tri[:, 2]

    def cross_point(p, q):
        t = field[p] / (field[p] - field[q])
        return vertices[p] + t[:, None] * (vertices[q] - vertices[p])

    pab = cross_point(a, b)
    pac = cross_point(a, c)
    base = len(vertices)
    m = len(tri)
    iab = base + np.arange(m)
    iac = base + m + np.arange(m)
    new_vertices = np.concatenate([vertices, pab, pac])
    one_in = field[a] > 0  # the lone vertex is the positive one: keep the tip
    tips = np.stack([a, iab, iac], axis=1)[one_in]
    # the lone vertex is negative: keep the quad b, c, ac, ab as two triangles
    quads = np.stack([iab, b, c, iac], axis=1)[~one_in]
    quad_tris = np.concatenate([quads[:, [0, 1, 2]], quads[:, [0, 2, 3]]])
    out = np.concatenate([keep, tips, quad_tris]).astype(np.int32)
    return new_vertices, out
