"""Expressions driven by the muscles, and what a cut nerve or a divided muscle takes away.

Each mimetic muscle of ``data/muscles.json`` contracts along its line of action and moves the skin above it:

- A **strap** (origin to insertion) pulls the skin near its insertion toward its origin. The pull is largest at
  the insertion and fades to nothing at the fixed origin (a smooth step along the muscle), carries on a little
  beyond the insertion (the skin is one sheet: :data:`BEYOND_MM`), and fades across the muscle's edges over
  :data:`FALLOFF_MM`. At full contraction the skin at the insertion moves by the muscle's ``excursion`` (mm),
  measured where a source gives it (Jorge 2012: brow raise 10.6 mm, smile 9.3 mm at the mouth corner, eyelid
  9.1 mm, frown 7.6 mm) and schematic, a few mm, elsewhere (muscles.json says which).
- A **ring** (orbicularis oculi, orbicularis oris) is a sphincter: its fibres run around the centre and, as they
  shorten, the ring closes: the skin moves toward the centre, most at the inner edge (the lids, the lips) and
  less toward the outer edge. The mouth's ring also pushes the lips forward (a pucker, :data:`RING_FORWARD`).

The skin moves in its tangent plane (the pull, projected on the surface), so a brow rises along the forehead.
**Wrinkles** form across the pull where the muscle's data put them (``wrinkle_zone``): a small periodic
displacement along the skin's normal, whose phase runs *along* the pull, so its crests and furrows lie
perpendicular to it (forehead lines horizontal over a vertical frontalis; vertical glabellar lines over the
horizontal corrugator; crow's feet radial over the ring's circular fibres). Period :data:`WRINKLE_PERIOD_MM` and
depth :data:`WRINKLE_DEPTH_MM` are schematic: chosen to read on a projector at the lecture grid (a row every
~3 mm), deeper than real fine lines.

The layers move with the skin down to the muscle that moves them: a muscle in layer k moves the outer faces of
layers 0..k (:func:`interface_displacement`); the wrinkles are the skin's alone.

A nerve cut (``"BRANCH:SIDE"``) stops the muscles that the branch supplies on that side, in proportion to the
branch's share of their supply (muscles.json ``accessory_nerve_groups``: the corrugator keeps 30% through its
zygomatic twigs when the frontal branch is cut). ``"BRANCH:SIDE:stretch"`` is a partial conduction block
(neurapraxia): half the branch's share is lost (schematic). ``"trunk:SIDE"`` stops every facial-nerve muscle
of that side. A divided muscle (``"procerus"``, ``"corrugator_supercilii:left"``) stops on its side(s).

numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from facelayers.model import eyes
from facelayers.model.geometry import FaceModel, layer_index
from facelayers.model.grid import params_of
from facelayers.model.muscles import SIDES, local_scale, place_of

#: How far beyond a strap's insertion the skin is still carried (Gaussian scale, mm): schematic.
BEYOND_MM = 10.0
#: How fast the pull fades past a strap's edges or a ring's outer edge (Gaussian scale, mm): schematic.
FALLOFF_MM = 7.0
#: Wrinkle period and depth at full contraction (mm): schematic, chosen to be resolved by the lecture grid.
WRINKLE_PERIOD_MM = 8.0
WRINKLE_DEPTH_MM = 0.8
#: A ring muscle's pull at its outer edge, as a share of its pull at the inner edge: schematic.
RING_OUTER_SHARE = 0.35
#: How far a ring pushes the lips forward, as a share of its excursion (a pucker): schematic.
RING_FORWARD = MappingProxyType({"orbicularis_oris": 0.6})
#: The share of a stretched branch's supply that still conducts (a partial block): schematic.
STRETCH_KEEPS = 0.5
#: The muscle whose palpebral part closes the lids (:func:`facelayers.model.eyes.closure`).
LID_MUSCLE = "orbicularis_oculi"
#: Around the lids, the orbital part's pull (the cheek raised, the brow drawn down, AU6) as a share of the ring's
#: excursion, which the data give for the lids (Jorge 2012: eyelid 9.1 mm): schematic.
ORBITAL_SHARE = 0.4
#: The sides an expression can be made on.
EXPRESSION_SIDES = ("both", "left", "right")


@dataclass(frozen=True)
class Expression:
    """A facial expression as muscle contractions.

    Attributes
    ----------
    name, label : str
    action_units : tuple of str
        FACS action units (Ekman & Friesen, as tabulated by Clark 2020; REFERENCE-2 section 5).
    muscles : Mapping of muscle_id to float
        Contraction of each muscle, 0..1.
    shows : str
        What the student should see, in words.
    """

    name: str
    label: str
    action_units: tuple
    muscles: MappingProxyType
    shows: str


def _expr(name, label, aus, muscles, shows) -> Expression:
    return Expression(name, label, tuple(aus), MappingProxyType(dict(muscles)), shows)


#: The expressions, by name. Contractions are 1 for the muscle that makes the action unit, less for helpers.
EXPRESSIONS: MappingProxyType = MappingProxyType({e.name: e for e in (
    _expr("rest", "Rest", (), {}, "The face at rest"),
    _expr("raise_brows", "Raise the brows", ("AU1", "AU2"), {"frontalis": 1.0},
          "The brows rise and the forehead folds in horizontal lines"),
    _expr("frown", "Frown", ("AU4",), {"corrugator_supercilii": 1.0, "procerus": 1.0, "depressor_supercilii": 1.0},
          "The brows are drawn down and together: vertical lines between them, a transverse line at the nasal root"),
    _expr("close_eyes", "Close the eyes tightly", ("AU6", "AU7", "AU43"), {"orbicularis_oculi": 1.0},
          "The lids close, the cheek rises, crow's feet fan out from the outer corner"),
    _expr("smile", "Smile", ("AU12",), {"zygomaticus_major": 1.0, "zygomaticus_minor": 0.6},
          "The mouth corners go up and out; the nasolabial fold deepens"),
    _expr("show_lower_teeth", "Pull the lower lip down", ("AU15", "AU16"),
          {"depressor_labii_inferioris": 1.0, "depressor_anguli_oris": 1.0, "platysma": 0.4},
          "The lower lip and the mouth corners are pulled down (depressor labii inferioris and depressor anguli "
          "oris); in life the lower teeth show, but the model has no teeth and keeps the lips together"),
    _expr("pucker", "Pucker", ("AU18", "AU22"), {"orbicularis_oris": 1.0},
          "The lips are drawn together and pushed forward; vertical lines above the upper lip"),
    _expr("tense_neck", "Tense the neck", ("AU21",), {"platysma": 1.0},
          "The platysma tightens: the skin of the neck and the mouth corners are drawn down, vertical neck bands"),
    _expr("wrinkle_nose", "Wrinkle the nose", ("AU9", "AU10"),
          {"levator_labii_superioris_alaeque_nasi": 1.0, "levator_labii_superioris": 0.6, "procerus": 0.5},
          "The upper lip and the nostrils rise; bunny lines on the side of the nose"),
)})


@dataclass(frozen=True, eq=False)
class MuscleField:
    """What one muscle on one side does to the skin at full contraction.

    Attributes
    ----------
    muscle_id, side : str
    layer : int
        Its layer's index: the outer faces of layers 0..layer move with it.
    pull : (n, 3) float32, mm
        Displacement of each skin vertex (tangent to the skin).
    wrinkle : (n, 3) float32, mm
        The wrinkles' displacement (along the skin normal).
    weight : (n,) float32
        The influence, 0..1 (1 where the skin moves by the full excursion).
    direction : (n, 3) float32
        Unit vector of the fibres (the line of action) at each vertex: for a strap origin-to-insertion, for a
        ring around it; the wrinkles' crests run perpendicular to it.
    """

    muscle_id: str
    side: str
    layer: int
    pull: np.ndarray
    wrinkle: np.ndarray
    weight: np.ndarray
    direction: np.ndarray


def skin_normals(model: FaceModel) -> np.ndarray:
    """(n, 3) float unit normals of the skin mesh at its vertices (area-weighted, outward)."""
    v = model.skin
    f = model.faces
    fn = np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]])
    n = np.zeros_like(v)
    for k in range(3):
        np.add.at(n, f[:, k], fn)
    n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)
    return n


def _tangent(vec: np.ndarray, normals: np.ndarray) -> np.ndarray:
    """Vectors (n, 3) projected on the skin's tangent planes, unit length (zero where degenerate)."""
    t = vec - (vec * normals).sum(1, keepdims=True) * normals
    norm = np.linalg.norm(t, axis=1, keepdims=True)
    return np.where(norm > 1e-9, t / np.maximum(norm, 1e-12), 0.0)


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def _midline_share(model: FaceModel, sign: float) -> np.ndarray:
    """The share, (n,) float in 0..1, of a muscle of one side in the skin's movement near the midline.

    Near the midline the muscle meets its fellow of the other side (frontalis, procerus, the mouth's ring): the
    share is 1/2 on the midline, so the two halves add up to one muscle's pull there, and 1 a few mm to its own
    side (``sign`` +1 for the left, x > 0; -1 for the right).
    """
    return 0.5 * (1.0 + np.tanh(sign * model.skin[:, 0] / 3.0))


def _strap_field(model: FaceModel, muscle, side: str, normals: np.ndarray):
    body = muscle.body
    anatomy = model.anatomy
    sign = 1.0 if side == "left" else -1.0
    o = place_of(anatomy, body["origin"]) * [sign, 1, 1]
    i = place_of(anatomy, body["insertion"]) * [sign, 1, 1]
    (uo, ui), (so, si), _ = params_of(np.stack([o, i]))
    um, sm = 0.5 * (uo + ui), 0.5 * (so + si)
    mu, ms = local_scale(model, np.array([um]), np.array([sm]))
    # Skin vertices in millimetres of a flat map around the muscle's middle (u wrapped to [-pi, pi)).
    du = (model.u - uo + np.pi) % (2 * np.pi) - np.pi
    x = du * mu[0]
    y = (model.s - so) * ms[0]
    ex, ey = (ui - uo) * mu[0], (si - so) * ms[0]
    length = float(np.hypot(ex, ey))
    a = (x * ex + y * ey) / length ** 2
    d = np.abs(x * ey - y * ex) / length
    w0, w1 = body["width_mm"]
    half = 0.5 * (w0 + np.clip(a, 0, 1) * (w1 - w0))
    across = np.exp(-(np.maximum(d - half, 0.0) / FALLOFF_MM) ** 2)
    along = np.where(a <= 1.0, _smoothstep(a), np.exp(-((a - 1.0) * length / BEYOND_MM) ** 2))
    weight = along * across * _midline_share(model, sign)
    skin_o, skin_i = model.stack_under(np.stack([o, i])).points[:, 0]
    fibre = np.broadcast_to(skin_i - skin_o, normals.shape)
    direction = _tangent(fibre, normals)
    pull = -direction * (float(body["excursion"]["value_mm"]) * weight)[:, None]
    zone = body.get("wrinkle_zone")
    if zone:
        env = np.exp(-((a - zone["along"]) / zone["spread"]) ** 2) * across * (a > -0.2)
        phase = 2 * np.pi * a * length / WRINKLE_PERIOD_MM
        wrinkle = (WRINKLE_DEPTH_MM * env * np.sin(phase))[:, None] * normals
    else:
        wrinkle = np.zeros_like(normals)
    return pull, wrinkle, weight, direction


def _ring_field(model: FaceModel, muscle, side: str, normals: np.ndarray):
    body = muscle.body
    ring = body["ring"]
    sign = 1.0 if side == "left" else -1.0
    c = place_of(model.anatomy, ring["centre"]) * [sign, 1, 1]
    (uc,), (sc,), _ = params_of(c[None, :])
    mu, ms = local_scale(model, np.array([uc]), np.array([sc]))
    du = (model.u - uc + np.pi) % (2 * np.pi) - np.pi
    x = sign * du * mu[0]                      # lateral, mm (on either side)
    y = (model.s - sc) * ms[0]                 # up, mm
    (ai, bi), (ao, bo) = ring["inner_mm"], ring["outer_mm"]
    rho_i = np.hypot(x / ai, y / bi)
    rho_o = np.hypot(x / ao, y / bo)
    # Radial position between the inner (0) and outer (1) edges, along each vertex's own direction from the
    # centre: the edges lie at r / rho_i and r / rho_o.
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (1.0 - 1.0 / rho_i) / (1.0 / rho_o - 1.0 / rho_i)
    t = np.where(rho_i <= 1.0, 0.0, np.nan_to_num(t, nan=0.0))
    share = np.where(t <= 0, 1.0, 1.0 - (1.0 - RING_OUTER_SHARE) * np.clip(t, 0, 1))
    r_out = np.hypot(x, y) * (1.0 - 1.0 / np.maximum(rho_o, 1e-9))  # mm past the outer edge (where rho_o > 1)
    weight = share * np.where(rho_o > 1.0, np.exp(-(r_out / FALLOFF_MM) ** 2), 1.0)
    lo, hi = np.radians(ring["sector_deg"])
    theta = np.arctan2(y / bo, x / ao)
    if not np.isclose(hi - lo, 2 * np.pi):
        # A half ring (the mouth's): its own side fades into the other side's across the midline (the two
        # halves add up to one ring there).
        weight = weight * _midline_share(model, sign)
    skin_c = model.stack_under(c[None, :]).points[0, 0]
    to_centre = skin_c[None, :] - model.skin
    dist = np.linalg.norm(to_centre, axis=1)
    inward = _tangent(to_centre, normals)
    excursion = float(body["excursion"]["value_mm"])
    amount = np.minimum(excursion * weight, 0.9 * dist)
    pull = inward * amount[:, None]
    forward = RING_FORWARD.get(muscle.muscle_id, 0.0)
    if forward:
        # The lips are pushed straight forward (anterior, +y), most at the lips, none past the ring.
        push = forward * excursion * share * (rho_o < 1.0)
        if not np.isclose(hi - lo, 2 * np.pi):
            push = push * _midline_share(model, sign)
        pull = pull + push[:, None] * np.array([0.0, 1.0, 0.0])
    # Fibres run around the centre: the tangent perpendicular to the inward pull in the skin's plane.
    direction = np.cross(normals, inward)
    zone = body.get("wrinkle_zone")
    if zone:
        dth = np.angle(np.exp(1j * (theta - np.radians(zone["angle_deg"]))))
        env = np.exp(-(dth / np.radians(zone["spread_deg"])) ** 2) * np.exp(-((rho_o - 0.95) / 0.4) ** 2)
        if not np.isclose(hi - lo, 2 * np.pi):
            env = env * _midline_share(model, sign)
        arc = theta * 0.5 * (ao + bo)          # mm along the fibres
        wrinkle = (WRINKLE_DEPTH_MM * env * np.sin(2 * np.pi * arc / WRINKLE_PERIOD_MM))[:, None] * normals
    else:
        wrinkle = np.zeros_like(normals)
    return pull, wrinkle, weight, direction


#: A triangle folds when its normal turns by more than this angle under a muscle's full pull (deg).
FOLD_DEG = 60.0


def _face_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    n = np.cross(vertices[faces[:, 1]] - vertices[faces[:, 0]], vertices[faces[:, 2]] - vertices[faces[:, 0]])
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)


@lru_cache(maxsize=4)
def _neighbours(model: FaceModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertex pairs sharing a triangle (src, dst, each vertex with itself too) and each vertex's count."""
    f = model.faces
    src = np.concatenate([f[:, k] for k in range(3) for _ in range(3)])
    dst = np.concatenate([f[:, j] for _ in range(3) for j in range(3)])
    return src, dst, np.bincount(src, minlength=model.n_vertices).astype(float)


def _unfold(model: FaceModel, pull: np.ndarray, iterations: int = 20) -> np.ndarray:
    """Damp a pull (n, 3) float, mm, on the skin's vertices where it would fold the skin over itself; a copy.

    Where the skin turns sharply (under the brow ridge, into the orbit, at the lips) a large translation can flip
    triangles. Each round (at most ``iterations``) scales the pull down by a quarter on the folded triangles and
    their neighbours and averages it with the neighbours', until no triangle's normal turns by more than
    :data:`FOLD_DEG`. The pull elsewhere is untouched.
    """
    faces = model.faces
    n0 = _face_normals(model.skin, faces)
    limit = np.cos(np.radians(FOLD_DEG))
    pull = pull.copy()
    for _ in range(iterations):
        bad = (n0 * _face_normals(model.skin + pull, faces)).sum(1) < limit
        if not bad.any():
            break
        hit = np.zeros(len(pull), bool)
        hit[faces[bad].ravel()] = True
        near = np.zeros(len(pull), bool)
        near[faces[hit[faces].any(axis=1)].ravel()] = True
        src, dst, count = _neighbours(model)
        mean = np.stack([np.bincount(src, weights=pull[dst, c], minlength=len(pull)) for c in range(3)], 1)
        mean /= np.maximum(count, 1)[:, None]
        pull[near] = 0.75 * (0.5 * pull[near] + 0.5 * mean[near])
    return pull


@lru_cache(maxsize=4)
def muscle_fields(model: FaceModel) -> dict[tuple[str, str], MuscleField]:
    """Every muscle's field on both sides, keyed by (muscle_id, side); computed once per model.

    About 0.5 s at the lecture grid. Each pull is made fold-free at full contraction (:func:`_unfold`).
    """
    normals = skin_normals(model)
    out = {}
    for mid, muscle in model.anatomy.muscles.items():
        if muscle.body is None:
            continue
        for side in SIDES:
            make = _ring_field if muscle.body["shape"] == "ring" else _strap_field
            pull, wrinkle, weight, direction = make(model, muscle, side, normals)
            if np.abs(pull).max() > 0:
                pull = _unfold(model, pull)
            if mid == LID_MUSCLE:
                # The palpebral part closes the lids over the globe (facelayers.model.eyes); the ring's pull acts on
                # the skin around them. Each side closes its own eye.
                lids, share = eyes.closure(model.skin)
                own = (model.skin[:, 0] * (1.0 if side == "left" else -1.0) > 0)
                share = share * own
                pull = ORBITAL_SHARE * pull * (1.0 - share)[:, None] + lids * own[:, None]
            out[(mid, side)] = MuscleField(mid, side, layer_index(muscle.layer), pull.astype(np.float32),
                                           wrinkle.astype(np.float32), weight.astype(np.float32),
                                           direction.astype(np.float32))
    return out


# --- nerves and divided muscles ------------------------------------------------------------------------------

def facial_branches(model: FaceModel) -> tuple[str, ...]:
    """The facial-nerve groups a cut can name: the motor groups of nerves.json (``trunk`` among them)."""
    groups = [n.group for n in model.anatomy.nerves.values() if n.kind == "motor"]
    return tuple(dict.fromkeys(groups))


def parse_cuts(model: FaceModel, cut) -> dict[tuple[str, str], float]:
    """Check and read ``cut`` items into ``{(branch, side): share of the branch that still conducts}``.

    An item is ``"BRANCH:SIDE"`` (a cut: share 0) or ``"BRANCH:SIDE:stretch"`` (a stretch: share
    :data:`STRETCH_KEEPS`).

    Raises
    ------
    ValueError
        Naming the item and what is allowed.
    """
    if isinstance(cut, str):
        cut = (cut,)
    branches = facial_branches(model)
    out = {}
    for item in cut:
        parts = str(item).split(":")
        if len(parts) not in (2, 3) or parts[0] not in branches or parts[1] not in SIDES or (
                len(parts) == 3 and parts[2] not in ("cut", "stretch")):
            raise ValueError(
                f"cut item {item!r} is not known: write 'BRANCH:SIDE' (or 'BRANCH:SIDE:stretch' for a partial "
                f"block), BRANCH one of {', '.join(branches)}, SIDE one of {', '.join(SIDES)}")
        keep = STRETCH_KEEPS if len(parts) == 3 and parts[2] == "stretch" else 0.0
        out[(parts[0], parts[1])] = min(out.get((parts[0], parts[1]), 1.0), keep)
    return out


def parse_divided(model: FaceModel, divided) -> set[tuple[str, str]]:
    """Check and read ``divided`` items into a set of (muscle_id, side).

    An item is ``"muscle_id"`` (both sides), ``"muscle_id:left"`` or ``"muscle_id:right"``.

    Raises
    ------
    ValueError
        Naming the item and the allowed muscle ids and sides.
    """
    if isinstance(divided, str):
        divided = (divided,)
    known = tuple(model.anatomy.muscles)
    out = set()
    for item in divided:
        mid, _, side = str(item).partition(":")
        if mid not in known or (side and side not in SIDES):
            raise ValueError(f"divided item {item!r} is not known: write 'MUSCLE' or 'MUSCLE:SIDE', MUSCLE one of "
                             f"{', '.join(known)}, SIDE one of {', '.join(SIDES)}")
        out |= {(mid, s) for s in ((side,) if side else SIDES)}
    return out


def supply(model: FaceModel, cut=(), divided=()) -> dict[tuple[str, str], float]:
    """The share of each muscle's motor supply left on each side, 0..1, keyed by (muscle_id, side).

    Parameters
    ----------
    model : FaceModel
    cut : sequence of str
        ``"BRANCH:SIDE"`` or ``"BRANCH:SIDE:stretch"``; ``"trunk:SIDE"`` stops every facial muscle on that side.
    divided : sequence of str
        ``"muscle_id"`` or ``"muscle_id:SIDE"``.

    Returns
    -------
    dict of (muscle_id, side) to float
        1 = intact. The masticatory muscles (trigeminal) are not touched by a facial-nerve cut.
    """
    cuts = parse_cuts(model, cut)
    gone = parse_divided(model, divided)
    branches = facial_branches(model)
    out = {}
    for mid, muscle in model.anatomy.muscles.items():
        for side in SIDES:
            if (mid, side) in gone:
                out[(mid, side)] = 0.0
                continue
            trunk = cuts.get(("trunk", side), 1.0)
            total = 0.0
            for group, share in muscle.nerve_shares().items():
                keep = cuts.get((group, side), 1.0)
                if group in branches:
                    keep = min(keep, trunk)
                total += share * keep
            out[(mid, side)] = total
    return out


def check_expression(expression: str, strength: float = 1.0, side: str = "both") -> Expression:
    """The expression named, after checking the arguments that choose and scale it.

    Parameters
    ----------
    expression : str
        An id in :data:`EXPRESSIONS`.
    strength : float
        How hard, from 0 to 1.
    side : str
        One of :data:`EXPRESSION_SIDES`.

    Returns
    -------
    Expression

    Raises
    ------
    ValueError
        An unknown expression or side, or a strength that is not a number from 0 to 1; the message names the
        argument, the value and what is allowed.
    """
    if expression not in EXPRESSIONS:
        raise ValueError(f"expression {expression!r} is not known; allowed: {', '.join(EXPRESSIONS)}")
    try:
        ok = 0.0 <= float(strength) <= 1.0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"strength = {strength!r}: must be a number from 0 to 1")
    if side not in EXPRESSION_SIDES:
        raise ValueError(f"side {side!r} is not known; allowed: {', '.join(EXPRESSION_SIDES)}")
    return EXPRESSIONS[expression]


def activations(model: FaceModel, expression: str, *, cut=(), divided=(), strength: float = 1.0,
                side: str = "both") -> dict[tuple[str, str], float]:
    """How hard each muscle contracts on each side, 0..1, keyed by (muscle_id, side).

    The expression's contraction x strength x the share of its supply left (see :func:`supply`); muscles at rest
    are left out.
    """
    expr = check_expression(expression, strength, side)
    left = supply(model, cut, divided)
    out = {}
    for mid, level in expr.muscles.items():
        for s in SIDES:
            if side in ("both", s):
                out[(mid, s)] = float(level) * float(strength) * left[(mid, s)]
    return out


def skin_displacement(model: FaceModel, expression: str, *, cut=(), divided=(), strength: float = 1.0,
                      side: str = "both", wrinkles: bool = True) -> np.ndarray:
    """How far each skin vertex moves when the face makes an expression.

    Parameters
    ----------
    model : FaceModel
    expression : str
        A name of :data:`EXPRESSIONS`.
    cut : sequence of str
        Facial-nerve injuries, ``"BRANCH:SIDE"`` (BRANCH a facial-nerve group of nerves.json or ``trunk``; SIDE
        ``left`` or ``right``), or ``"BRANCH:SIDE:stretch"`` for a partial block.
    divided : sequence of str
        Divided muscles: muscle ids of muscles.json, optionally ``":left"`` or ``":right"``.
    strength : float
        0..1, how hard the expression is made.
    side : {"both", "left", "right"}
        Which side of the face makes it.
    wrinkles : bool
        Include the wrinkles (default) or only the pull.

    Returns
    -------
    (n, 3) float64, mm
        One row per skin vertex in the model's order (``model.skin``): add it to draw the expression.

    Raises
    ------
    ValueError
        An unknown expression, branch, side or muscle, or a strength outside 0..1: the message lists what is
        allowed.
    """
    return interface_displacement(model, expression, 0, cut=cut, divided=divided, strength=strength, side=side,
                                  wrinkles=wrinkles)


def interface_displacement(model: FaceModel, expression: str, interface: int = 0, *, cut=(), divided=(),
                           strength: float = 1.0, side: str = "both", wrinkles: bool = True) -> np.ndarray:
    """Displacement (n, 3) float64, mm, of one surface's vertices (0 = skin, k = outer face of layer k).

    The muscles in layer k or deeper move it; the wrinkles are on the skin only. Same arguments as
    :func:`skin_displacement`.
    """
    act = activations(model, expression, cut=cut, divided=divided, strength=strength, side=side)
    fields = muscle_fields(model)
    out = np.zeros((model.n_vertices, 3))
    for key, level in act.items():
        f = fields.get(key)
        if f is None or level == 0.0 or f.layer < interface:
            continue
        out += level * f.pull
        if wrinkles and interface == 0:
            out += level * f.wrinkle
    return out


def moved_surfaces(model: FaceModel, expression: str, **kwargs) -> tuple[int, ...]:
    """Indices of the surfaces (0 = skin ...) that an expression moves: those at or above its deepest muscle."""
    act = activations(model, expression, **{k: v for k, v in kwargs.items() if k != "wrinkles"})
    fields = muscle_fields(model)
    deepest = max((fields[k].layer for k, v in act.items() if v > 0 and k in fields), default=-1)
    return tuple(range(deepest + 1))


def movement_at(model: FaceModel, expression: str, point, **kwargs) -> np.ndarray:
    """The displacement (3,) float, mm, of the skin under ``point``: how far that spot moves.

    The spot is the skin vertex nearest the skin point on the ray through ``point`` (3,) mm (a landmark's
    position, say); ``kwargs`` as :func:`skin_displacement`.
    """
    target = model.stack_under(np.asarray(point, float)[None, :]).points[0, 0]
    i = int(np.argmin(np.linalg.norm(model.skin - target, axis=1)))
    return skin_displacement(model, expression, **kwargs)[i]


#: Where :func:`summary_text` reads each expression's movement: a landmark (left side) or a point, mm.
WATCH = MappingProxyType({
    "raise_brows": ("mid brow", (30.0, 82.0, 30.0)),
    "frown": ("mid brow", (30.0, 82.0, 33.0)),
    "close_eyes": ("upper lid margin", (31.0, 80.0, 20.0)),
    "smile": ("mouth corner", "cheilion"),
    "show_lower_teeth": ("lower lip", (14.0, 80.0, -57.0)),
    "pucker": ("mouth corner", "cheilion"),
    "tense_neck": ("neck", (30.0, 50.0, -95.0)),
    "wrinkle_nose": ("upper lip by the ala", (15.0, 86.0, -29.0)),
})


def summary_text(model: FaceModel, **kwargs) -> str:
    """One line per expression: its action units, its muscles, and how far and which way a watched spot moves.

    The watched spot is on the left side; distances in mm, rounded for lessons. ``kwargs`` as
    :func:`skin_displacement`: cut, divided, strength, side.
    """
    lines = [f"{'Expression':<24}{'AUs':<14}{'watched spot (left)':<22}{'moves':>7}  direction"]
    for name, e in EXPRESSIONS.items():
        if name not in WATCH:
            continue
        label, where = WATCH[name]
        point = model.anatomy.point(where) if isinstance(where, str) else np.asarray(where, float)
        d = movement_at(model, name, point, wrinkles=False, **kwargs)  # the pull, without the wrinkles' ripple
        size = float(np.linalg.norm(d))
        words = []
        for axis, (pos, neg) in zip(d, (("out", "in"), ("forward", "back"), ("up", "down"))):
            if abs(axis) >= max(1.0, 0.35 * size):
                words.append(pos if axis > 0 else neg)
        lines.append(f"{e.label:<24}{'+'.join(e.action_units):<14}{label:<22}{size:>5.1f}mm  "
                     f"{', '.join(words) or '-'}")
    return "\n".join(lines)
