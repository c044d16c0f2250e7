"""The schematic skull as ray radii on the model's grid, fitted to the cited tissue depths.

The skull's shapes (:mod:`facelayers.model.skull`) are cast on the grid once per grid (cached); the bone is then
moved to each tissue-depth site's depth below the pinned skin (``data/tissue_depths.csv``) by a smooth correction
(:class:`SmoothCorrection`, then local bumps), and the foramina are placed at their landmarks.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from facelayers.anatomy.load import Anatomy
from facelayers.model import head, head_scan
from facelayers.model import skull as skull_module
from facelayers.model.blend import sq_distances, thin_matmul
from facelayers.model.grid import S_TOP_MM, bilinear, grid_key, params_of, rays, read_only, smooth_grid
from facelayers.model.skin import Skin, skin_normals

#: Smoothing of the skull's relief on the grid (mm), about the grid's spacing on the face (lecture: ~2-3 mm),
#: so that its sharp edges (the orbital rims, the arch, the ramus) do not alias into saw-teeth; the rims stay
#: crisp at lecture size.
SKULL_SMOOTH_MM = 2.0


_BASE_NAMES = frozenset(f.name for f in skull_module.BASE_FEATURES)

#: On a coarse grid the side's outlines are smoothed over this fraction of the grid's row spacing on the face,
#: if that is wider than :data:`SKULL_SMOOTH_MM` (a grid cannot carry an edge sharper than about its spacing).
SKULL_SMOOTH_PER_ROW = 1.2

#: The skull's fit to the tissue-depth sites is refined until the bone read back on the grid lies within
#: FIT_TOL_MM of every site, in at most FIT_ROUNDS rounds of local bumps (:data:`FIT_LOCAL_SIGMA_MM`). Two sites
#: that share a grid cell (mid-philtrum and the upper lip margin on the coarse grid) pull on the same grid values:
#: the damped bumps meet both (0.001 mm) and move the bone there by -2 to +4 mm (rounds of the wide blend left
#: 0.18 mm and swung it by +-10-15 mm, and on the lecture grid carried -9 mm to the piriform aperture's lower rim).
FIT_ROUNDS = 40
FIT_TOL_MM = 1e-3
#: Width (mm) of the local bumps that remove what the smooth part (:class:`SmoothCorrection`) and the grid's
#: bilinear read leave at the sites: about one cell of the lecture grid on the face, so the correction stays
#: within a cell or two of its site
#: (on a coarser grid, the median row spacing on the face if that is wider: a bump must reach its cell's nodes).
FIT_LOCAL_SIGMA_MM = 3.0
#: Damping of the local bumps' least-squares solve (mm^0, relative to the bumps' read of about 1 at their site).
FIT_LOCAL_DAMPING = 1e-5
#: The fit's smooth part (:class:`SmoothCorrection`): Gaussian radial basis functions of these widths (mm), coarse
#: then fine, each fitted to what the coarser left by a ridge-damped solve (:data:`FIT_RIDGE`). It replaces a
#: normalised (Shepard-type) 16-mm blend, which is flat at every site and turns over sharply between sites far
#: apart (its weights switch from one site to the next along their Voronoi border): over the lower face that
#: drew the mandible's body and the chin as terraces with creases between them. The widths: about the spacing
#: of the face's sites (8-25 mm) for the fine one, twice it for the coarse one, so the correction is a gentle
#: swell between sites and fades to the sculpture ~2 widths away from the last site.
FIT_SMOOTH_SCALES_MM = (30.0, 12.0)
#: Ridge damping of the smooth part's solve (relative to the kernel's 1 at its centre). It keeps the weights of
#: two sites close together (mid-philtrum and the upper lip margin, 0.4 mm apart on the lecture grid's bone) from
#: swinging apart: their difference is left to the local bumps. 0.2 leaves < 0.5 mm at any site (the lip pair)
#: and under 0.15 mm at the others, on the lecture grid.
FIT_RIDGE = 0.2


def smooth_relief(values: np.ndarray, points: np.ndarray, gs: np.ndarray, coarse: bool = False) -> np.ndarray:
    """Smooth a relief table (nv, nu) mm on the grid, weighed by distance between the envelope's points.

    Over :data:`SKULL_SMOOTH_MM`; with ``coarse`` (the side's outlines, whose edges are set in mm), over
    :data:`SKULL_SMOOTH_PER_ROW` times the median row spacing of ``gs`` between z = -60 and 40 mm if that is
    wider (a coarse grid cannot carry their edges).

    Parameters
    ----------
    values : (nv, nu) float ndarray, mm
    points : (nv, nu, 3) float ndarray, mm — the envelope's points on the grid
    gs : (nv,) float ndarray, mm — the grid's rows
    coarse : bool

    Returns
    -------
    (nv, nu) float64 ndarray, mm
    """
    face_rows = gs[(gs > -60.0) & (gs < 40.0)]
    spacing = float(np.median(np.diff(face_rows))) if len(face_rows) > 1 and coarse else 0.0
    return smooth_grid(values, points, max(SKULL_SMOOTH_MM, SKULL_SMOOTH_PER_ROW * spacing))


#: The envelope of the mandible and the lower maxilla is smoothed over this width (mm) on the grid: its pieces
#: (:data:`facelayers.model.skull.ENVELOPE_LOWER`: the jaw, the mandible's bodies, the chin) are ellipsoids whose
#: silhouettes, seen from the rays' axis, are creases on the surface (each ray's far hit turns over there), and
#: they drew the body and the chin as a row of lumps. The forms a lecturer points at there (the chin, the lower
#: border, the ramus, the alveolar line) are relief and the border's cut, laid on after this; schematic.
JAW_SMOOTH_MM = 7.0
#: The smoothing applies fully below ``JAW_SMOOTH_Z_MM[0]`` (the envelope's height z, mm) and not above
#: ``JAW_SMOOTH_Z_MM[1]`` (the alveolar process and the cheek above stay as they are), a smooth step between.
JAW_SMOOTH_Z_MM = (-56.0, -38.0)
#: Distance (mm) from the rays' origin at which the lower face's smoothing weighs the grid's neighbours: about
#: the face's radius, so the weights follow the grid's spacing there and not the envelope's creases.
JAW_SMOOTH_AT_MM = 70.0


def smooth_lower_face(env: np.ndarray, origins: np.ndarray, dirs: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The envelope (nv, nu) mm smoothed over :data:`JAW_SMOOTH_MM` in the lower face (:data:`JAW_SMOOTH_Z_MM`).

    Parameters
    ----------
    env : (nv, nu) float ndarray, mm
        The envelope's ray radius on the grid.
    origins, dirs : (nv * nu, 3) float ndarrays, mm / unit
        The grid's rays.
    points : (nv, nu, 3) float ndarray, mm
        The envelope's points (their height z sets the smoothing's weight).

    Returns
    -------
    (nv, nu) float64 ndarray, mm
    """
    shape = env.shape
    ref = (origins + dirs * JAW_SMOOTH_AT_MM).reshape(*shape, 3)
    step = np.linalg.norm(np.diff(ref, axis=0), axis=-1)
    face = (ref[:-1, :, 2] > -110.0) & (ref[:-1, :, 1] > 0.0)
    spacing = float(np.median(step[face])) if face.any() else float(np.median(step))
    reach = int(np.clip(np.ceil(2.0 * JAW_SMOOTH_MM / max(spacing, 1e-6)), 2, 10))
    smoothed = smooth_grid(env, ref, JAW_SMOOTH_MM, reach)
    lo, hi = JAW_SMOOTH_Z_MM
    w = skull_module.smoothstep((hi - points[..., 2]) / (hi - lo))
    return env + w * (smoothed - env)


@lru_cache(maxsize=8)
def _skull_sculpture(gu_bytes: bytes, gs_bytes: bytes, base: str):
    """The sculpted skull on a grid (float64 gu (nu,) rad, gs (nv,) mm, as bytes) under the skin's base ``base``.

    Returns base and cavity (nv, nu) mm, (base, cavity) at the crown pole, the smoothed envelope (nv, nu) mm and
    at the pole. Closed-form shapes (:mod:`facelayers.model.skull`), so it depends on the grid alone; the arrays are
    read-only.
    """
    gu, gs = np.frombuffer(gu_bytes), np.frombuffer(gs_bytes)
    uu, ss = np.meshgrid(gu, gs)
    o, d = rays(np.concatenate([uu.ravel(), [0.0]]), np.concatenate([ss.ravel(), [S_TOP_MM]]))
    env = skull_module.envelope(o, d, base)
    shape = (len(gs), len(gu))
    pts = (o[:-1] + d[:-1] * env[:-1, None]).reshape(*shape, 3)
    env_grid = smooth_lower_face(smooth_grid(env[:-1].reshape(shape), pts), o[:-1], d[:-1], pts)
    env = np.concatenate([env_grid.ravel(), env[-1:]])
    env_pts = o + d * env[:, None]
    side = tuple(f for f in skull_module.BASE_FEATURES if not isinstance(f, skull_module.Relief))
    rest = tuple(f for f in skull_module.BASE_FEATURES if isinstance(f, skull_module.Relief))
    rel_side, cav_side = skull_module.relief(env_pts, side, base_relief=False)
    rel, cav = skull_module.relief(env_pts, rest, base_relief=False)
    # The relief's edges (the orbital rims, the arch, the ramus' border) are smoothed on the grid over
    # SKULL_SMOOTH_MM, weighed by distance on the envelope: a step sharper than the grid's spacing would
    # otherwise alias into a saw-tooth along the rows.
    grid_pts = env_pts[:-1].reshape(*shape, 3)
    rel[:-1] = (smooth_relief(rel[:-1].reshape(shape), grid_pts, gs)
                + smooth_relief(rel_side[:-1].reshape(shape), grid_pts, gs, coarse=True)).ravel()
    cav[:-1] = (smooth_relief(cav[:-1].reshape(shape), grid_pts, gs)
                + smooth_relief(cav_side[:-1].reshape(shape), grid_pts, gs, coarse=True)).ravel()
    rel[-1] += rel_side[-1]
    cav[-1] += cav_side[-1]
    base = env + rel
    return (read_only(base[:-1].reshape(shape)), read_only(cav[:-1].reshape(shape)),
            (float(base[-1]), float(cav[-1])), read_only(env_grid), float(env[-1]))


@dataclass(frozen=True)
class SmoothCorrection:
    """A smooth correction field fitted to values at anchor points: Gaussian RBFs at two widths, ridge-damped.

    ``value(x) = sum_l sum_j weights[l][j] * exp(-|x - anchors[j]|^2 / scales[l]^2)``. Each level is fitted to
    what the coarser levels left at the anchors by ``(K + ridge * I) w = rest``; the sum passes near every value
    (what it leaves there is :meth:`remainder`) without the flat spots and the creases of a normalised blend, and
    fades to zero far from the anchors.

    Attributes
    ----------
    anchors : (k, 3) float64 ndarray, mm, head frame
    values : (k,) float64 ndarray, mm
    scales_mm : tuple of float, mm
        The levels' widths, coarse first (:data:`FIT_SMOOTH_SCALES_MM`).
    ridge : float
        The solve's damping (:data:`FIT_RIDGE`).
    weights : (levels, k) float64 ndarray, mm
    """

    anchors: np.ndarray
    values: np.ndarray
    scales_mm: tuple[float, ...]
    ridge: float
    weights: np.ndarray

    @classmethod
    def solve(cls, anchors: np.ndarray, values: np.ndarray, scales_mm: tuple[float, ...] = FIT_SMOOTH_SCALES_MM,
              ridge: float = FIT_RIDGE) -> SmoothCorrection:
        """Fit the levels to ``values`` (k,) mm at ``anchors`` (k, 3) mm, coarse to fine."""
        anchors = np.asarray(anchors, float)
        values = np.asarray(values, float)
        d2 = sq_distances(anchors, anchors)
        rest = values.copy()
        weights = []
        for sigma in scales_mm:
            k = np.exp(-d2 / sigma**2)
            w = np.linalg.solve(k + ridge * np.eye(len(values)), rest) if len(values) else np.zeros(0)
            rest = rest - k @ w
            weights.append(w)
        return cls(anchors, values, tuple(scales_mm), float(ridge), np.array(weights).reshape(len(scales_mm), -1))

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """The correction (n,) mm at points (n, 3) mm."""
        if len(self.values) == 0:
            return np.zeros(len(points))
        d2 = sq_distances(points, self.anchors)
        out = np.zeros(len(points))
        for sigma, w in zip(self.scales_mm, self.weights):
            out += thin_matmul(np.exp(-d2 / sigma**2), w)
        return out

    def remainder(self) -> np.ndarray:
        """What the field leaves at the anchors: ``values - field(anchors)``, (k,) mm."""
        return self.values - self(self.anchors)


@dataclass(frozen=True, eq=False)
class SkullSurface:
    """The schematic skull (:mod:`facelayers.model.skull`) as ray radii on the model's grid, fitted to the tissue depths.

    Attributes
    ----------
    gu : (nu,) float64 ndarray, rad
    gs : (nv,) float64 ndarray, mm
    base : (nv, nu) float64 ndarray, mm
        Ray radius of the sculpted skull (envelope plus relief).
    cavity : (nv, nu) float64 ndarray, mm
        How deep the pits (orbits, aperture, foramina) are there.
    poles : (float, float), mm
        ``base`` and ``cavity`` at the crown pole.
    fit : SmoothCorrection or None
        The wide part of the correction that puts the bone at each tissue-depth site's depth below the skin (the
        sites named in ``site_names``; ``fitted_grid`` adds the local bumps that meet them on the grid); None
        before fitting.
    site_names : tuple of str
    fitted_grid : (nv, nu) float64 ndarray, mm, or None
        The fitted ray radius on the grid; ``fitted_pole`` at the crown.
    envelope : (nv, nu) float64 ndarray, mm, or None
        The smoothed envelope (no relief) on the grid; ``envelope_pole`` at the crown.
    shape : facelayers.model.skull.SkullShape or None
        A patient's skull (:meth:`with_shape`); None: the reference skull.
    """

    gu: np.ndarray
    gs: np.ndarray
    base: np.ndarray
    cavity: np.ndarray
    poles: tuple[float, float]
    fit: SmoothCorrection | None = None
    site_names: tuple[str, ...] = ()
    fitted_grid: np.ndarray | None = None
    fitted_pole: float = 0.0
    envelope: np.ndarray | None = None
    envelope_pole: float = 0.0
    shape: skull_module.SkullShape | None = None

    @classmethod
    def sculpt(cls, gu: np.ndarray, gs: np.ndarray, base: str | None = None) -> SkullSurface:
        """Cast the skull's envelope on the grid gu (nu,) rad, gs (nv,) mm, smooth it as the skin is, add the relief.

        It depends on the grid and the skin's base only, so it is cached per (grid, base) (:func:`_skull_sculpture`;
        read-only arrays). ``base``: the skin's base surface, "scan" or "ellipsoids" (None:
        :data:`facelayers.model.head_scan.BASE`, as :meth:`facelayers.model.skin.Skin.sculpt` takes it).
        """
        gu, gs = grid_key(gu), grid_key(gs)
        base = head_scan.resolve_base(base, "SkullSurface.sculpt")
        base, cavity, poles, env_grid, env_pole = _skull_sculpture(gu.tobytes(), gs.tobytes(), base)
        return cls(gu, gs, base, cavity, poles, envelope=env_grid, envelope_pole=env_pole)

    def with_foramina(self, foramina: dict[str, tuple[float, float]]) -> SkullSurface:
        """The same skull with the foramina's pits on the rays ``{name: (u rad, s mm)}`` (left side).

        Each pit is laid where its ray meets the envelope, so it stays on that ray whatever the fit does.
        """
        if not foramina:
            return self
        names = list(foramina)
        fu = np.array([foramina[n][0] for n in names])
        fs = np.array([foramina[n][1] for n in names])
        fo, fd = rays(fu, fs)
        fr = bilinear(self.gu, self.gs, self.envelope, self.envelope_pole, fu, fs)
        centres = {n: p for n, p in zip(names, fo + fd * fr[:, None])}
        uu, ss = np.meshgrid(self.gu, self.gs)
        o, d = rays(uu.ravel(), ss.ravel())
        pts = o + d * self.envelope.ravel()[:, None]
        rel, cav = skull_module.relief(pts, skull_module.foramina(centres), base_relief=False)
        return dataclasses.replace(self, base=self.base + rel.reshape(self.base.shape),
                                   cavity=self.cavity + cav.reshape(self.base.shape))

    def base_radius(self, u, s) -> np.ndarray:
        """The sculpted skull's ray radius before fitting, (n,) mm."""
        return bilinear(self.gu, self.gs, self.base, self.poles[0], u, s)

    def envelope_points(self, u, s) -> np.ndarray:
        """The envelope's points (n, 3) mm on the rays u (n,) rad, s (n,) mm.

        The envelope is the skull without its relief (:attr:`envelope`): where the fit's smooth part
        (:class:`SmoothCorrection`) is laid out.
        """
        o, d = rays(u, s)
        return o + d * bilinear(self.gu, self.gs, self.envelope, self.envelope_pole, u, s)[:, None]

    def correction(self, u, s) -> np.ndarray:
        """The fitting correction at (u, s), (n,) mm (zero before fitting)."""
        return self.radius(u, s) - self.base_radius(u, s)

    def radius(self, u, s) -> np.ndarray:
        """Ray radius of the fitted skull (bone, cavities open) at u (n,) rad, s (n,) mm: (n,) float64, mm.

        The fitted radius is computed on the grid and interpolated bilinearly, like the skin.
        """
        if self.fitted_grid is None:
            return self.base_radius(u, s)
        return bilinear(self.gu, self.gs, self.fitted_grid, self.fitted_pole, u, s)

    def points(self, u, s) -> np.ndarray:
        """The fitted skull's points (n, 3) mm on the rays (u, s)."""
        o, d = rays(u, s)
        return o + d * self.radius(u, s)[:, None]

    def is_bone(self, u, s) -> np.ndarray:
        """(n,) bool: the skull is bone there (not the neck, see :func:`facelayers.model.skull.is_bone`)."""
        return skull_module.is_bone(self.points(u, s), self.shape)

    def cavity_weight(self, u, s, no_bone: np.ndarray | None = None) -> np.ndarray:
        """How much each ray looks into a cavity: (n,) float64 in [0, 1].

        1 where the ray looks into a cavity (orbit, piriform aperture, foramen) deeper than 7.5 mm or finds no
        bone (the neck), 0 on bone and on the rims (pits under 2.5 mm); a smooth ramp between. ``no_bone`` (n,):
        :meth:`no_bone_weight` at (u, s) if already computed (saves recomputing it).
        """
        cav = bilinear(self.gu, self.gs, self.cavity, self.poles[1], u, s)
        w = skull_module.smoothstep((cav - 2.5) / 5.0)
        return np.maximum(w, self.no_bone_weight(u, s) if no_bone is None else no_bone)

    def no_bone_weight(self, u, s, points: np.ndarray | None = None) -> np.ndarray:
        """How far each ray is off the bone: (n,) float64 in [0, 1].

        1 off the bone (the neck), 0 on it, a smooth ramp over ~4 mm on the neck's side of the mandible's
        borders and the skull base (:func:`facelayers.model.skull.bone_field`). ``points`` (n, 3) mm: :meth:`points`
        at (u, s) if already computed.
        """
        points = self.points(u, s) if points is None else points
        return 1.0 - skull_module.smoothstep((skull_module.bone_field(points, self.shape) + 4.0) / 4.0)

    def with_shape(self, shape: skull_module.SkullShape) -> SkullSurface:
        """The same (fitted) skull changed to a patient's :class:`~facelayers.model.skull.SkullShape`.

        The change of the relief (``relief(added) - relief(removed)`` of :meth:`SkullShape.changed_features`,
        laid on the envelope like the foramina) is added to the sculpture and to the fitted radius *after* the
        fit, so the patient's bone moves by it everywhere, the tissue-depth sites included (there the total
        depth changes by the bone's change). The mandible's borders follow ``shape`` through :meth:`is_bone`
        and :meth:`no_bone_weight`. The reference shape returns this skull unchanged.
        """
        if shape.is_reference:
            return self
        added, removed = shape.changed_features()
        uu, ss = np.meshgrid(self.gu, self.gs)
        o, d = rays(uu.ravel(), ss.ravel())
        pts = o + d * self.envelope.ravel()[:, None]
        # the reference skull's own features that change (the apertures, the mandible's base) are smoothed as
        # the sculpture's relief is, so their change is the change of the smoothed skull; the patient's extra
        # forms are broad and laid as they are
        grid_pts = pts.reshape(*self.base.shape, 3)
        delta = np.zeros(self.base.shape)
        dcav = np.zeros(self.base.shape)
        for own in (True, False):
            a = tuple(f for f in added if (f.name in _BASE_NAMES) == own)
            r = tuple(f for f in removed if (f.name in _BASE_NAMES) == own)
            rel_a, cav_a = skull_module.relief(pts, a, base_relief=False)
            rel_r, cav_r = skull_module.relief(pts, r, base_relief=False)
            d_rel, d_cav = (rel_a - rel_r).reshape(self.base.shape), (cav_a - cav_r).reshape(self.base.shape)
            if own:  # the apertures (ellipsoids) and the mandible's base (a side form), as in the sculpture
                for group in (True, False):
                    fa = tuple(f for f in a if isinstance(f, skull_module.Relief) == group)
                    fr = tuple(f for f in r if isinstance(f, skull_module.Relief) == group)
                    ra, ca = skull_module.relief(pts, fa, base_relief=False)
                    rr, cr = skull_module.relief(pts, fr, base_relief=False)
                    delta += smooth_relief((ra - rr).reshape(self.base.shape), grid_pts, self.gs, not group)
                    dcav += smooth_relief((ca - cr).reshape(self.base.shape), grid_pts, self.gs, not group)
                continue
            delta += d_rel
            dcav += d_cav
        fitted = None if self.fitted_grid is None else self.fitted_grid + delta
        return dataclasses.replace(self, base=self.base + delta, cavity=np.maximum(self.cavity + dcav, 0.0),
                                   fitted_grid=fitted, shape=shape)

    def fitted(self, names, points: np.ndarray) -> SkullSurface:
        """The skull corrected so that it passes through the bone points (k, 3) mm named ``names``.

        The points' radial residuals (target minus sculpture) are fitted by a smooth field (:class:`SmoothCorrection`,
        laid out on the envelope, :meth:`envelope_points`) and stored on the grid; what it and the model's bilinear
        read of the grid then leave at the points is removed by Gaussian
        bumps of :data:`FIT_LOCAL_SIGMA_MM` (or the grid's median row spacing on the face, if wider) centred on
        them, their amplitudes a damped least-squares solve (:data:`FIT_LOCAL_DAMPING`), in rounds until every
        point is read back within :data:`FIT_TOL_MM` (at most :data:`FIT_ROUNDS`).

        Parameters
        ----------
        names : sequence of str, (k,)
        points : (k, 3) float ndarray, mm, head frame

        Returns
        -------
        SkullSurface
            With ``fit``, ``site_names`` and ``fitted_grid`` / ``fitted_pole`` set.
        """
        u, s, target = params_of(points)
        o, d = rays(u, s)
        r0 = self.base_radius(u, s)
        anchors = o + d * r0[:, None]
        uu, ss = np.meshgrid(self.gu, self.gs)
        go, gd = rays(np.concatenate([uu.ravel(), [0.0]]), np.concatenate([ss.ravel(), [S_TOP_MM]]))
        flat = np.concatenate([self.base.ravel(), [self.poles[0]]])
        grid_pts = go + gd * flat[:, None]
        # The residuals are fitted by the smooth field (it passes within a few tenths of a mm of each); what it
        # and the bilinear read of the grid leave at the sites is removed by local bumps (Gaussians of
        # FIT_LOCAL_SIGMA_MM), so that it stays where the grid's cells cause it and does not spread (two sites
        # that share a cell of the coarse grid, mid-philtrum and the upper lip margin, would otherwise push a wide
        # field's values apart and carry that to the piriform aperture's rim).
        values = target - r0
        # the smooth part is laid out on the envelope (the skull without its relief), so that it is as smooth on
        # the grid as the envelope is: on the sculpture's own points it would jump where they drop into the pits
        smooth = SmoothCorrection.solve(self.envelope_points(u, s), values)
        env_flat = np.concatenate([self.envelope.ravel(), [self.envelope_pole]])
        fitted = flat + smooth(go + gd * env_flat[:, None])
        face_rows = self.gs[(self.gs > -60.0) & (self.gs < 40.0)]
        width = max(FIT_LOCAL_SIGMA_MM, float(np.median(np.diff(face_rows))) if len(face_rows) > 1 else 0.0)
        bumps = np.exp(-sq_distances(grid_pts, anchors) / width**2)  # (N + 1, k)
        read = np.stack([bilinear(self.gu, self.gs, b[:-1].reshape(self.base.shape), b[-1], u, s)
                         for b in bumps.T], axis=1)  # (k, k): bump j read at site i
        # a little damping: where two sites share a cell the exact solution swings the bone between them
        damp = np.sqrt(FIT_LOCAL_DAMPING) * np.eye(len(u))
        for _ in range(FIT_ROUNDS):
            residual = target - bilinear(self.gu, self.gs, fitted[:-1].reshape(self.base.shape), fitted[-1], u, s)
            if np.abs(residual).max() <= FIT_TOL_MM:
                break
            amp = np.linalg.lstsq(np.vstack([read, damp]), np.concatenate([residual, np.zeros(len(u))]),
                                  rcond=None)[0]
            fitted = fitted + thin_matmul(bumps, amp)
        return dataclasses.replace(self, fit=smooth, site_names=tuple(names),
                                   fitted_grid=fitted[:-1].reshape(self.base.shape), fitted_pole=float(fitted[-1]))


def bone_radius(skin_radius: np.ndarray, skull_radius: np.ndarray) -> np.ndarray:
    """The skull's ray radius kept at least :data:`facelayers.model.skull.MIN_SOFT_TISSUE_MM` inside the skin.

    A smooth minimum over 1 mm: no change where the skull lies 2.5 mm or more inside.

    Parameters
    ----------
    skin_radius, skull_radius : (n,) float ndarray, mm
        Ray radii of the skin and of the fitted skull.

    Returns
    -------
    (n,) float64 ndarray, mm
    """
    return head.smooth_min(skull_radius, skin_radius - skull_module.MIN_SOFT_TISSUE_MM, 1.0)


def tissue_depth_sites(anatomy: Anatomy, skin: Skin) -> tuple[tuple[str, ...], np.ndarray, np.ndarray,
                                                                 np.ndarray]:
    """The tissue-depth sites (``data/tissue_depths.csv``) on the skin, both sides of a bilateral one.

    Returns
    -------
    names : tuple of str, (k,)
        ``"<id>"``, or ``"<id>:left"`` and ``"<id>:right"`` for a bilateral site.
    skin_points : (k, 3) float64 ndarray, mm, head frame
        Where the ray through each landmark meets the skin.
    normals : (k, 3) float64 ndarray
        The skin's outward unit normal there.
    depth_mm : (k,) float64 ndarray, mm
        The cited total soft-tissue depth.
    """
    names, pts, depth = [], [], []
    for lid, row in anatomy.tissue_depths.items():
        lm = anatomy.landmarks[lid]
        for name in (lm.positions()):
            names.append(name)
            pts.append(anatomy.point(name))
            depth.append(row.depth_mm)
    if not names:
        return (), np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0)
    u, s, _ = params_of(np.array(pts))
    o, d = rays(u, s)
    skin_pts = o + d * skin.radius(u, s)[:, None]
    return tuple(names), skin_pts, skin_normals(skin, u, s), np.array(depth)


#: The foramina placed on the skull, by landmark id.
FORAMINA: tuple[str, ...] = ("supraorbital_notch", "infraorbital_foramen", "mental_foramen")


def _foramen_rays(radius, anatomy: Anatomy) -> dict[str, tuple[float, float]]:
    """For each foramen, the ray on its landmark's row s whose skull point lies at the landmark's distance from the midline.

    That distance is the cited quantity; the ray is found by bisection in u.

    radius : callable (u (n,) rad, s (n,) mm) -> (n,) mm, the fitted skull's ray radius (or an estimate).
    """
    names = [name for name in FORAMINA if name in anatomy.landmarks]
    if not names:
        return {}
    # All the foramina bisected at once (each element's arithmetic is its own, so this is the one-by-one result).
    p = np.array([anatomy.point(name) for name in names])
    _, s0, _ = params_of(p)
    lo, hi = np.zeros(len(names)), np.full(len(names), np.pi / 2)
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        o, d = rays(mid, s0)
        x = (o + d * radius(mid, s0)[:, None])[:, 0]
        lo, hi = np.where(x < p[:, 0], mid, lo), np.where(x < p[:, 0], hi, mid)
    u = 0.5 * (lo + hi)
    return {name: (float(u[i]), float(s0[i])) for i, name in enumerate(names)}


def build_skull(anatomy: Anatomy, skin: Skin, gu: np.ndarray, gs: np.ndarray,
                shape: skull_module.SkullShape | None = None) -> SkullSurface:
    """The skull sculpted on the grid and fitted to the tissue depths.

    The bone lies at each tissue-depth site's depth below the skin, along the skin's inward normal; the foramina
    are then placed on the fitted bone at their landmarks' distances from the midline (two passes: placing a
    pit does not move the sites).

    Parameters
    ----------
    anatomy : Anatomy
        Its ``tissue_depths`` and landmarks.
    skin : Skin
        The pinned skin.
    gu : (nu,) float ndarray, rad
    gs : (nv,) float ndarray, mm
        The model's grid (:func:`grid`).
    shape : facelayers.model.skull.SkullShape, optional
        A patient's skull, applied last (:meth:`SkullSurface.with_shape`); None: the reference skull.

    Returns
    -------
    SkullSurface
        Not fitted (the sculpture alone) if the data have no tissue-depth sites.
    """
    if shape is not None and not shape.is_reference:
        return build_skull(anatomy, skin, gu, gs).with_shape(shape)
    sculpture = SkullSurface.sculpt(gu, gs)
    names, pts, normals, depth = tissue_depth_sites(anatomy, skin)
    targets = pts - normals * depth[:, None]
    if not names:
        return sculpture
    # A quick estimate of the fitted skull (the smooth part evaluated directly, no grid) is enough to place the
    # foramina on it; the pits do not move the sites, so the fit proper follows once. The estimate has its
    # cavities filled (the bone's face over them): a foramen lies on the face of the bone, and a notch on a rim
    # (the supraorbital notch on the upper orbital margin) must not be placed on the ray that finds its distance
    # from the midline on the orbit's inner wall.
    u, s, target = params_of(targets)
    o, d = rays(u, s)
    r0 = sculpture.base_radius(u, s)
    quick = SmoothCorrection.solve(sculpture.envelope_points(u, s), target - r0)

    def estimate(uu, ss):
        base = sculpture.base_radius(uu, ss) + bilinear(sculpture.gu, sculpture.gs, sculpture.cavity,
                                                        sculpture.poles[1], uu, ss)
        return base + quick(sculpture.envelope_points(uu, ss))

    return sculpture.with_foramina(_foramen_rays(estimate, anatomy)).fitted(names, targets)
