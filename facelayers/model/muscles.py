"""The muscles as bodies: each one built in its layer from its origin, insertion, width and thickness.

A **strap** muscle (frontalis, corrugator, the zygomatici, the lip elevators and depressors, platysma, masseter,
temporalis, ...) runs from its origin (the fixed end) to its insertion (the end that moves the skin). Its
centreline joins the two on the model's rays; across it the body is ``width_mm`` wide (interpolated from the
origin's width to the insertion's), rounded at the ends; through its depth it lies in its layer
(``muscles.json`` ``layer``), centred at ``fraction`` and ``thickness`` thick at the middle of the belly, thinner
toward the ends and the edges (a fusiform belly). Thicknesses are across the skin (perpendicular), as the data and
the stack's ``Stack.perpendicular`` give them; the sheets are laid along the rays with the stack's factor. A
**ring** muscle (orbicularis oculi, orbicularis oris) is an elliptical annulus around its centre, between its inner
and outer half-axes, over a sector of angles (the whole ring around the eye; the left half of the mouth's ring,
mirrored for the right half).

Everything is placed by the model's one rule (:mod:`facelayers.model.geometry`): a point in (u, s) picks a skin ray and
(layer, fraction) a point on it, through the public ``FaceModel.stack_at`` and ``Stack.at_depth``; so a body
stays inside its layer whatever the skin and the thicknesses are. Where the cited thickness is larger than the
model's layer there (the SMAS of the forehead is under a millimetre thick), the body fills the layer instead
(``fills_layer``): it never leaves its layer.

numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from facelayers.core.frame import SIDES, mirror
from facelayers.model.geometry import FaceModel, layer_index
from facelayers.model.grid import params_of

#: Points along and across a strap body, and around and across a ring (resolution of the meshes).
N_ALONG, N_ACROSS = 25, 7
N_AROUND, N_RADIAL = 48, 6
#: The body's thickness at the ends and the edges, as a fraction of the belly's (a fusiform belly).
END_THICKNESS = 0.45
EDGE_THICKNESS = 0.5
#: At most this share of the layer is filled, so the body's faces never touch the layer's (a hair inside).
MAX_FILL = 0.96
#: A step in the ray parameters to measure the skin's local scale (mm per radian of u, mm per mm of s).
_DELTA = 1e-3


def place_of(anatomy, place) -> np.ndarray:
    """A muscles.json place (a landmark_id or [x, y, z]) as a left-side point (3,) mm."""
    return anatomy.point(place) if isinstance(place, str) else np.asarray(place, float)


def local_scale(model: FaceModel, u: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the skin's local scale: mm on the skin per unit of u (rad) and per unit of s.

    The scales are given at parameters u, s (n,) and measured on the model's skin by a small step, so they
    hold for any parametrisation of the rays.
    """
    u = np.atleast_1d(np.asarray(u, float))
    s = np.atleast_1d(np.asarray(s, float))
    p = model.stack_at(u, s).points[:, 0]
    pu = model.stack_at(u + _DELTA, s).points[:, 0]
    ps = model.stack_at(u, s + _DELTA).points[:, 0]
    return np.linalg.norm(pu - p, axis=1) / _DELTA, np.linalg.norm(ps - p, axis=1) / _DELTA


@dataclass(frozen=True, eq=False)
class MuscleBody:
    """One muscle on one side as a closed mesh in its layer.

    Attributes
    ----------
    muscle_id, side, shape : str
        ``shape`` is ``"strap"`` or ``"ring"``.
    vertices : (n, 3) float32, mm
    faces : (m, 3) int32
        Closed surface: the top (outer) sheet, the bottom (inner) sheet and the walls between them.
    skin : (n, 3) float, mm
        The skin point on each vertex's ray (to clip the body by a cutaway window).
    depth_coord : (n,) float
        Each vertex's depth as layer index + fraction (``layer`` <= depth_coord <= ``layer + 1``).
    layer : int
        Index of its layer in :data:`facelayers.core.frame.LAYERS`.
    centreline : (k, 3) float, mm
        Mid-depth points along the fibres, origin end first (strap), or around the ring at mid-width.
    thickness_mm : float
        The cited (or schematic) thickness of the belly.
    belly_mm : float
        The thickness of the built body at the middle of its belly, measured on the mesh along the ray and turned
        into the thickness across the skin with its layer's factor (perpendicular / along the ray), mm.
    fills_layer : bool
        True where the model's layer (across the skin) at the belly is thinner than the cited thickness divided by
        :data:`MAX_FILL`, so the body fills the layer there (``belly_mm`` is then below the cited value).
    """

    muscle_id: str
    side: str
    shape: str
    vertices: np.ndarray
    faces: np.ndarray
    skin: np.ndarray
    depth_coord: np.ndarray
    layer: int
    centreline: np.ndarray
    thickness_mm: float
    belly_mm: float
    fills_layer: bool

    @property
    def length_mm(self) -> float:
        """Length of the centreline, mm."""
        return float(np.linalg.norm(np.diff(self.centreline, axis=0), axis=1).sum())

    def long_axis(self) -> np.ndarray:
        """(3,) unit vector: the principal axis of the body's vertices (sign: origin toward insertion)."""
        v = self.vertices.astype(float)
        c = v - v.mean(axis=0)
        _, _, vt = np.linalg.svd(c, full_matrices=False)
        axis = vt[0]
        if axis @ (self.centreline[-1] - self.centreline[0]) < 0:
            axis = -axis
        return axis


def _sheets(model: FaceModel, u: np.ndarray, s: np.ndarray, k: int, fraction: float, thickness_mm: float,
            taper: np.ndarray):
    """Return a body's top and bottom sheets at (u, s) (any shape) in layer k.

    The sheets are centred on ``fraction`` in layer k, ``thickness_mm`` x taper thick across the skin (the
    layer's room is its perpendicular thickness), shifted and clipped to stay inside the layer. Returns top,
    bottom (..., 3), skin (..., 3), depth coordinates of top and bottom (...), whether the cited thickness
    overfills the layer (...) bool, and the layer's factor between a thickness across the skin and along the
    ray (...) (``Stack.perpendicular`` / ``Stack.thickness`` of layer k).
    """
    shape = u.shape
    st = model.stack_at(u.ravel(), s.ravel())
    # Thicknesses across the skin (perpendicular), as the data give them; the fraction of the layer the body
    # takes is the same along the ray, where the sheets are laid.
    layer_mm = np.maximum(st.perpendicular[:, k], 1e-6)
    want = thickness_mm * taper.ravel()
    tf = np.minimum(want / layer_mm, MAX_FILL)
    overfills = (thickness_mm / layer_mm > MAX_FILL).reshape(shape)
    lo_limit = 0.5 * (1.0 - MAX_FILL)
    top = np.clip(fraction - tf / 2, lo_limit, None)
    bottom = top + tf
    over = bottom - (1.0 - lo_limit)
    top = np.where(over > 0, top - over, top)
    bottom = top + tf
    kk = np.full(len(top), k)
    # The layer's own factor between across the skin and along the ray (skin, fat and SMAS are laid with the skin's
    # cosine, the deeper layers with the column's: ``Stack.perpendicular`` over ``Stack.thickness``).
    factor = st.perpendicular[:, k] / np.maximum(st.thickness[:, k], 1e-9)
    p_top = st.at_depth(kk, top)
    p_bot = st.at_depth(kk, bottom)
    return (p_top.reshape(shape + (3,)), p_bot.reshape(shape + (3,)), st.points[:, 0].reshape(shape + (3,)),
            (k + top).reshape(shape), (k + bottom).reshape(shape), overfills, factor.reshape(shape))


def _grid_faces(na: int, nb: int, wrap: bool = False) -> np.ndarray:
    """Quads of an (na, nb) grid (index a * nb + b) as triangles; ``wrap`` joins row na-1 to row 0."""
    rows = na if wrap else na - 1
    a = np.arange(rows)[:, None]
    b = np.arange(nb - 1)[None, :]
    a1 = (a + 1) % na
    p, q, r, t = a * nb + b, a * nb + b + 1, a1 * nb + b + 1, a1 * nb + b
    return np.stack([np.stack([p, q, r], -1), np.stack([p, r, t], -1)], 2).reshape(-1, 3)


def _closed_mesh(top: np.ndarray, bottom: np.ndarray, wrap: bool) -> tuple[np.ndarray, np.ndarray]:
    """A closed mesh from two (na, nb, 3) sheets: top, bottom, and the walls along the grid's boundary."""
    na, nb = top.shape[:2]
    n = na * nb
    verts = np.concatenate([top.reshape(-1, 3), bottom.reshape(-1, 3)])
    grid = _grid_faces(na, nb, wrap)
    faces = [grid, grid[:, ::-1] + n]
    # The boundary loop(s) of the grid, each joined to its copy on the bottom sheet by a strip of quads.
    loops = []
    if wrap:
        loops.append(np.arange(na) * nb)               # inner edge (b = 0) all around
        loops.append(np.arange(na) * nb + nb - 1)      # outer edge
    else:
        loops.append(np.concatenate([np.arange(nb), (np.arange(1, na) * nb + nb - 1),
                                     (na - 1) * nb + np.arange(nb - 2, -1, -1), np.arange(na - 2, 0, -1) * nb]))
    for loop in loops:
        nxt = np.roll(loop, -1)
        faces.append(np.stack([loop, nxt, nxt + n], -1))
        faces.append(np.stack([loop, nxt + n, loop + n], -1))
    return verts, np.concatenate(faces).astype(np.int32)


def _orient(verts: np.ndarray, faces: np.ndarray, centre_of: np.ndarray) -> np.ndarray:
    """Flip faces whose normal points toward ``centre_of`` so the closed body's faces point outward.

    Per face, ``centre_of`` is the nearest centreline point; the flipped faces shade evenly.
    """
    a, b, c = verts[faces[:, 0]], verts[faces[:, 1]], verts[faces[:, 2]]
    normal = np.cross(b - a, c - a)
    mid = (a + b + c) / 3
    d2 = ((mid[:, None, :] - centre_of[None, :, :]) ** 2).sum(-1)
    near = centre_of[np.argmin(d2, axis=1)]
    flip = (normal * (mid - near)).sum(1) < 0
    out = faces.copy()
    out[flip] = out[flip][:, ::-1]
    return out


def strap_params(model: FaceModel, muscle, side: str = "left", na: int = N_ALONG, nb: int = N_ACROSS):
    """Return the ray parameters of a strap body's grid.

    Returns u, s (na, nb), and the along / across coordinates a in [0, 1] (origin to insertion), b in
    [-1, 1] (edge to edge).
    """
    body = muscle.body
    o = mirror(place_of(model.anatomy, body["origin"]), side)
    i = mirror(place_of(model.anatomy, body["insertion"]), side)
    (uo, ui), (so, si), _ = params_of(np.stack([o, i]))
    a = np.linspace(0.0, 1.0, na)
    uc = uo + a * (ui - uo)
    sc = so + a * (si - so)
    mu, ms = local_scale(model, uc, sc)
    # Unit vector across the fibres in skin millimetres, turned back into parameter steps at each point.
    eu, es = (ui - uo) * mu, (si - so) * ms
    norm = np.hypot(eu, es)
    nu_mm, ns_mm = -es / norm, eu / norm
    w0, w1 = body["width_mm"]
    width = (w0 + a * (w1 - w0)) * (0.75 + 0.25 * np.sin(np.pi * a))
    b = np.linspace(-1.0, 1.0, nb)
    half = 0.5 * width[:, None] * b[None, :]
    u = uc[:, None] + half * (nu_mm / mu)[:, None]
    s = sc[:, None] + half * (ns_mm / ms)[:, None]
    return u, s, np.broadcast_to(a[:, None], u.shape), np.broadcast_to(b[None, :], u.shape)


def ring_params(model: FaceModel, muscle, side: str = "left", na: int = N_AROUND, nb: int = N_RADIAL):
    """Return the ray parameters of a ring body's grid.

    Returns u, s (na, nb), the angle (rad; 0 lateral, pi/2 up) and the radial position r in [0, 1] (inner to
    outer edge). ``wrap`` is True for a full ring.
    """
    ring = muscle.body["ring"]
    sign = 1.0 if side == "left" else -1.0
    c = mirror(place_of(model.anatomy, ring["centre"]), side)
    (uc,), (sc,), _ = params_of(c[None, :])
    mu, ms = local_scale(model, np.array([uc]), np.array([sc]))
    lo, hi = np.radians(ring["sector_deg"])
    wrap = np.isclose(hi - lo, 2 * np.pi)
    theta = np.linspace(lo, hi, na, endpoint=not wrap)
    r = np.linspace(0.0, 1.0, nb)
    (ai, bi), (ao, bo) = ring["inner_mm"], ring["outer_mm"]
    ax = ai + r * (ao - ai)
    az = bi + r * (bo - bi)
    x_mm = np.cos(theta)[:, None] * ax[None, :]
    z_mm = np.sin(theta)[:, None] * az[None, :]
    u = uc + sign * x_mm / mu[0]
    s = sc + z_mm / ms[0]
    return u, s, np.broadcast_to(theta[:, None], u.shape), np.broadcast_to(r[None, :], u.shape), bool(wrap)


def build_body(model: FaceModel, muscle, side: str = "left") -> MuscleBody:
    """Build one muscle (a :class:`facelayers.anatomy.structures.Muscle` or its id) on one side as a :class:`MuscleBody`.

    Parameters
    ----------
    model : FaceModel
    muscle : Muscle or str
    side : {"left", "right"}

    Returns
    -------
    MuscleBody

    Raises
    ------
    ValueError
        An unknown muscle id or side (the message lists the allowed ones), or a muscle without a body.
    """
    if isinstance(muscle, str):
        muscle = model.anatomy.muscle(muscle)
    if side not in SIDES:
        raise ValueError(f"side {side!r} is not known; allowed: {', '.join(SIDES)}")
    if muscle.body is None:
        raise ValueError(f"muscle {muscle.muscle_id}: muscles.json gives it no body")
    body = muscle.body
    k = layer_index(muscle.layer)
    t_mm = float(body["thickness"]["value_mm"])
    if body["shape"] == "ring":
        u, s, theta, r, wrap = ring_params(model, muscle, side)
        taper = EDGE_THICKNESS + (1 - EDGE_THICKNESS) * np.sin(np.pi * r)
        centre_col = u.shape[1] // 2
    else:
        u, s, a, b = strap_params(model, muscle, side)
        wrap = False
        taper = ((END_THICKNESS + (1 - END_THICKNESS) * np.sin(np.pi * a))
                 * (EDGE_THICKNESS + (1 - EDGE_THICKNESS) * np.sqrt(np.clip(1 - b ** 2, 0, 1))))
        centre_col = u.shape[1] // 2
    top, bottom, skin, c_top, c_bot, overfills, cos_ray = _sheets(model, u, s, k, float(muscle.fraction), t_mm, taper)
    centreline = 0.5 * (top[:, centre_col] + bottom[:, centre_col])
    if body["shape"] == "ring":  # the belly is measured straight above the centre (the cited site at the lip)
        belly_at = (int(np.argmin(np.abs(np.angle(np.exp(1j * (theta[:, 0] - np.pi / 2)))))), centre_col)
    else:
        belly_at = (u.shape[0] // 2, centre_col)
    # Measured on the mesh along the ray, turned into the thickness across the skin (the stack's factor c).
    belly = float(np.linalg.norm(top[belly_at] - bottom[belly_at]) * cos_ray[belly_at])
    overfills = bool(overfills[belly_at])
    verts, faces = _closed_mesh(top, bottom, wrap)
    faces = _orient(verts, faces, centreline)
    # Top and bottom sheets: orient by the ray (outward for the top, inward for the bottom) instead.
    n_sheet = top.shape[0] * top.shape[1]
    skin_all = np.concatenate([skin.reshape(-1, 3)] * 2)
    depth = np.concatenate([c_top.ravel(), c_bot.ravel()])
    faces = _orient_sheets(verts, faces, skin_all, n_sheet)
    return MuscleBody(muscle.muscle_id, side, body["shape"], verts.astype(np.float32), faces, skin_all, depth, k,
                      centreline, t_mm, belly, overfills)


def _orient_sheets(verts: np.ndarray, faces: np.ndarray, skin: np.ndarray, n_sheet: int) -> np.ndarray:
    """Faces wholly on the top sheet point toward the skin, faces wholly on the bottom sheet away from it."""
    a, b, c = verts[faces[:, 0]], verts[faces[:, 1]], verts[faces[:, 2]]
    normal = np.cross(b - a, c - a)
    outward = skin[faces[:, 0]] - a
    on_top = (faces < n_sheet).all(axis=1)
    on_bottom = (faces >= n_sheet).all(axis=1)
    facing = (normal * outward).sum(1)
    flip = (on_top & (facing < 0)) | (on_bottom & (facing > 0))
    out = faces.copy()
    out[flip] = out[flip][:, ::-1]
    return out


@lru_cache(maxsize=8)
def bodies(model: FaceModel) -> dict[tuple[str, str], MuscleBody]:
    """Every muscle of the model's data on both sides, keyed by (muscle_id, side). Cached per model."""
    return {(mid, side): build_body(model, muscle, side)
            for mid, muscle in model.anatomy.muscles.items() for side in SIDES}


def summary_text(model: FaceModel, side: str = "left") -> str:
    """Return a text table with one line per muscle (one side), rounded for lessons.

    Each line gives the layer (its label), length, belly thickness measured on the body across the skin (and the
    cited value where the layer is thinner and the body fills it), nerve (its group's label), action units.

    Parameters
    ----------
    model : FaceModel
    side : {"left", "right"}

    Returns
    -------
    str
        A header line, then one line per muscle, joined by newlines.
    """
    built = bodies(model)
    layers = model.anatomy.layers
    lines = [f"{'Muscle':<40}{'layer':<24}{'length':>8}{'belly':>8}  nerve, action units"]
    for mid, muscle in model.anatomy.muscles.items():
        b = built[(mid, side)]
        # Filling, the belly takes MAX_FILL of the layer there (the taper is 1 at the belly).
        note = (f" (cited {b.thickness_mm:.1f} mm; fills {MAX_FILL:.0%} of its {b.belly_mm / MAX_FILL:.1f} mm layer)"
                if b.fills_layer else "")
        layer = layers[muscle.layer].label if muscle.layer in layers else muscle.layer
        lines.append(f"{muscle.label:<40}{layer:<24}{b.length_mm:>6.0f}mm{b.belly_mm:>6.1f}mm  "
                     f"{model.anatomy.group_label(muscle.nerve_group)}, {'+'.join(muscle.action_units) or '-'}{note}")
    return "\n".join(lines)
