"""The layered face: a skin sheet on a regular (u, s) grid and five layers offset inward from it.

The pieces, in the order a build uses them:

* :mod:`facelayers.model.grid`: the grid of rays (every vertex is a ray; the parametrisation is described there),
  and smoothing and bilinear reading of tables on the grid;
* :mod:`facelayers.model.skin`: the sculpted skin cast on the grid and pinned to the cited landmarks;
* :mod:`facelayers.model.skull_surface`: the schematic skull fitted to the cited tissue depths;
* :mod:`facelayers.model.stack`: the thickness field of the regions' data and the five layers laid on the rays;
* this module: :func:`build_face` and the built :class:`FaceModel`, the named resolutions, the layer and
  interface names, and the schematic ears.

Rays never cross, so offsetting every layer *along its own ray* can never make two interfaces cross:
interface k lies at distance ``R - depth_k`` along the ray, with ``depth`` increasing with k.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from facelayers.anatomy.load import Anatomy, load_anatomy
from facelayers.core.frame import INTERFACES, LAYERS
from facelayers.core.polygons import grid_faces
from facelayers.model import skull as skull_module
from facelayers.model.grid import S_TOP_MM, bilinear, grid, params_of, rays, smooth_grid
from facelayers.model.skin import Skin
from facelayers.model.skull_surface import SkullSurface, bone_radius, build_skull
from facelayers.model.stack import Stack, ThicknessField, build_stack, build_thickness_field

#: Width of the smoothing against which :attr:`FaceModel.skull_mesh_hollow` measures the bone's hollows (mm).
SKULL_HOLLOW_MM = 10.0
#: Named resolutions: (columns around, rows up). Triangles per surface ~ 2 * nu * nv; a figure draws six.
RESOLUTIONS: dict[str, tuple[int, int]] = {
    "coarse": (64, 34),    # ~26k triangles over the six surfaces: tests (the classic profile)
    "lecture": (118, 73),  # ~103k: the default for lessons and projection (the face of the classic 144 x 84)
    "fine": (256, 156),    # ~480k: stills for slides
}


@dataclass(frozen=True, eq=False)
class FaceModel:
    """The built face: one grid of rays shared by the six surfaces.

    Attributes
    ----------
    anatomy : Anatomy
    nu, nv : int
        Columns around and rows up.
    u : (n,) float64 ndarray, rad
        Azimuth of each vertex's ray (n = nu * nv + 1; vertex j * nu + i is column i, row j; the last is the
        crown pole).
    s : (n,) float64 ndarray, mm
        Ray parameter of each vertex.
    faces : (m, 3) int32 ndarray
        Triangles shared by every surface, outward-facing.
    skin_surface : Skin
        The skin as a function of the ray parameters (sculpture on the grid + landmark pins).
    thickness_field : ThicknessField
    stack : Stack
        The layer stack on the grid's rays.
    skull_surface : SkullSurface
        The schematic skull fitted to the tissue-depth table; drawn by :meth:`skull_mesh`.
    patient : facelayers.model.patient.Patient or None
        The patient it was built for (``build_face(patient=...)``); None: the data tables as they are.

    Raises
    ------
    ValueError
        If ``faces`` is not (m, 3) int32 or indexes outside the vertices, or a vertex is not finite.
    """

    anatomy: Anatomy
    nu: int
    nv: int
    u: np.ndarray
    s: np.ndarray
    faces: np.ndarray
    skin_surface: Skin
    thickness_field: ThicknessField
    stack: Stack = field(repr=False)
    skull_surface: SkullSurface | None = field(default=None, repr=False)
    patient: Any = None

    def __post_init__(self):
        n = len(self.u)
        if self.faces.dtype != np.int32 or self.faces.ndim != 2 or self.faces.shape[1] != 3:
            raise ValueError(f"faces: dtype {self.faces.dtype}, shape {self.faces.shape}; need (m, 3) int32")
        if self.faces.min() < 0 or self.faces.max() >= n:
            raise ValueError(f"faces: index out of range [0, {n})")
        if not np.isfinite(self.stack.points).all():
            raise ValueError("stack: non-finite vertex positions")

    @property
    def n_vertices(self) -> int:
        """Vertices per surface (nu * nv + 1)."""
        return len(self.u)

    @property
    def n_triangles(self) -> int:
        """Triangles over the six surfaces, as a figure draws them."""
        return len(self.faces) * len(INTERFACES)

    def interface(self, k: int | str) -> np.ndarray:
        """Vertices of one interface: (n, 3) float64 ndarray, mm, head frame.

        Parameters
        ----------
        k : int or str
            Index (0 skin ... 5 bone) or name in :data:`facelayers.core.frame.INTERFACES`.

        Raises
        ------
        ValueError
            If ``k`` is not an interface.
        """
        k = interface_index(k)
        return self.stack.points[:, k]

    @property
    def skin(self) -> np.ndarray:
        """The skin's vertices: (n, 3) float64 ndarray, mm, head frame."""
        return self.stack.points[:, 0]

    @property
    def thickness(self) -> np.ndarray:
        """Each layer's thickness along the ray at each vertex: (n, 5) float64 ndarray, mm."""
        return self.stack.thickness

    @cached_property
    def region_index(self) -> np.ndarray:
        """The region with the largest share at each vertex: (n,) int ndarray, an index into ``thickness_field.regions``."""
        return self.stack.region_weights.argmax(axis=1)

    def stack_at(self, u, s) -> Stack:
        """The layer stack at arbitrary ray parameters, by the same rule as the grid's.

        Parameters
        ----------
        u : (n,) float array-like, rad
        s : (n,) float array-like, mm

        Returns
        -------
        Stack
        """
        return build_stack(np.asarray(u, float), np.asarray(s, float), self.skin_surface, self.thickness_field,
                      self.skull_surface)

    def skull_at(self, u, s) -> np.ndarray:
        """The skull's points on the rays (u (n,) rad, s (n,) mm): (n, 3) float64 ndarray, mm, head frame.

        The same surface as :attr:`skull`, anywhere (kept at least ``MIN_SOFT_TISSUE_MM`` inside the skin).
        """
        u = np.asarray(u, float)
        s = np.asarray(s, float)
        o, d = rays(u, s)
        r = bone_radius(self.skin_surface.radius(u, s), self.skull_surface.radius(u, s))
        return o + d * r[:, None]

    @cached_property
    def skull(self) -> np.ndarray:
        """The skull's vertices (n, 3) mm on the grid's rays (cavities open; under the neck, the neck column)."""
        return self.skull_at(self.u, self.s)

    @cached_property
    def skull_cavity(self) -> np.ndarray:
        """(n,) float, mm: how deep the skull's pits (orbits, piriform aperture, foramina) are at each vertex."""
        sk = self.skull_surface
        return bilinear(sk.gu, sk.gs, sk.cavity, sk.poles[1], self.u, self.s)

    @cached_property
    def bone_mask(self) -> np.ndarray:
        """(n,) bool: vertices where the skull is bone (not the neck column)."""
        return self.skull_surface.is_bone(self.u, self.s)

    def skull_mesh(self) -> tuple[np.ndarray, np.ndarray]:
        """The skull as its own surface.

        The grid's skull cut exactly along the mandible's lower and posterior borders and the skull base
        (:func:`facelayers.model.skull.bone_field`), so those are clean open edges; the orbits and the piriform
        aperture are open pits. The first n vertices are the grid's (vertex i is ray i); the cut adds more. Its
        triangles are mirror-symmetric about the midline (:func:`facelayers.core.polygons.grid_faces` ``mirrored``;
        :attr:`faces`, which the other surfaces use, run every cell's diagonal the same way).

        Returns
        -------
        vertices : (v, 3) float32 ndarray, mm, head frame
        faces : (f, 3) int32 ndarray
            Outward-facing.
        """
        # mirror-symmetric triangles (the right side's cells take the other diagonal): the skull is symmetric, and
        # where its relief bends within a cell (the orbit's lateral rim) one diagonal on both sides read the
        # right side's bone 0.65 mm further along a site's normal than the left's (lateral orbit, lecture grid)
        faces = grid_faces(self.nu, self.nv, periodic=True, pole=True, mirrored=True)
        verts, faces = skull_module.clip_mesh(self.skull, faces,
                                              skull_module.bone_field(self.skull, self.skull_surface.shape))
        return verts.astype(np.float32), faces

    @cached_property
    def skull_mesh_cavity(self) -> np.ndarray:
        """Pit depth (v,) mm at each vertex of :meth:`skull_mesh` (for shading)."""
        verts, _ = self.skull_mesh()
        u, s, _ = params_of(verts.astype(float))
        sk = self.skull_surface
        return bilinear(sk.gu, sk.gs, sk.cavity, sk.poles[1], u, s)

    @cached_property
    def skull_mesh_hollow(self) -> np.ndarray:
        """How far (v,) mm each vertex of :meth:`skull_mesh` lies below the skull smoothed over ``SKULL_HOLLOW_MM`` (for shading).

        Positive in a hollow (the temporal fossa, the sigmoid notch, under the brow), negative on a ridge (the
        arch, the orbital rims): the bone's concavity at the scale of its features, which the renderer turns
        into ambient occlusion (plotly draws no shadows).
        """
        sk = self.skull_surface
        uu, ss = np.meshgrid(sk.gu, sk.gs)
        o, d = rays(uu.ravel(), ss.ravel())
        r = bone_radius(self.skin_surface.radius(uu.ravel(), ss.ravel()), sk.radius(uu.ravel(), ss.ravel()))
        # neighbours weighed by their distance on the envelope (no relief), so a deep pit is averaged with its
        # rims as a shadow would be (on the bone itself the rims' distance would keep them apart)
        pts = (o + d * sk.envelope.reshape(-1)[:, None]).reshape(*uu.shape, 3)
        grid_r = r.reshape(uu.shape)
        hollow = smooth_grid(grid_r, pts, sigma_mm=SKULL_HOLLOW_MM, reach=8) - grid_r
        verts, _ = self.skull_mesh()
        u, s, _ = params_of(verts.astype(float))
        return bilinear(sk.gu, sk.gs, hollow, 0.0, u, s)

    def stack_under(self, points) -> Stack:
        """The layer stack on the rays through points (e.g. landmarks).

        Parameters
        ----------
        points : (n, 3) float array-like, mm, head frame

        Returns
        -------
        Stack
        """
        u, s, _ = params_of(points)
        return self.stack_at(u, s)


def _index(value: int | str, names: tuple[str, ...], what: str) -> int:
    """Position of ``value`` (a name or an index) in ``names``; a clear error lists the allowed names."""
    allowed = f"allowed: {', '.join(names)} (or an index 0..{len(names) - 1})"
    if isinstance(value, str):
        if value not in names:
            raise ValueError(f"{what} {value!r} is not known; {allowed}")
        return names.index(value)
    if not 0 <= int(value) < len(names):
        raise ValueError(f"{what} index {value} is out of range; {allowed}")
    return int(value)


def interface_index(k: int | str) -> int:
    """Index of a surface (0..5) in ``INTERFACES`` from its name or index.

    Raises
    ------
    ValueError
        An unknown name or an index out of range; the message lists the allowed names.
    """
    return _index(k, INTERFACES, "interface")


#: The most grid points (nu * nv) a model may have: four times "fine". Beyond it the build needs gigabytes of
#: memory and minutes, and no browser draws the result.
MAX_GRID_POINTS = 4 * 256 * 156


def resolve_resolution(resolution: str | tuple[int, int]) -> tuple[int, int]:
    """(nu, nv) from a name in ``RESOLUTIONS`` or an explicit pair of integers.

    Parameters
    ----------
    resolution : str or (int, int)
        ``"coarse"``, ``"lecture"``, ``"fine"``, or (columns around, rows up).

    Returns
    -------
    (int, int)

    Raises
    ------
    ValueError
        An unknown name, a pair that is not two integers (``(8.9, 6.2)`` is refused, not truncated), or
        ``nu * nv`` over :data:`MAX_GRID_POINTS` (naming the limit and why).
    """
    if isinstance(resolution, str):
        if resolution not in RESOLUTIONS:
            raise ValueError(f"resolution {resolution!r} is not known; allowed: {', '.join(RESOLUTIONS)} "
                             "or a pair (nu, nv)")
        return RESOLUTIONS[resolution]
    try:
        nu, nv = resolution
        if any(isinstance(x, bool) or int(x) != x for x in (nu, nv)):
            raise TypeError
        nu, nv = int(nu), int(nv)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"resolution {resolution!r}: need a name ({', '.join(RESOLUTIONS)}) "
                         "or a pair of integers (nu, nv)") from None
    if nu * nv > MAX_GRID_POINTS:
        raise ValueError(f"resolution ({nu}, {nv}) has {nu * nv} grid points; allowed: at most {MAX_GRID_POINTS} "
                         f"(4 x fine): beyond that the build needs gigabytes of memory and no browser draws it")
    return nu, nv


def build_face(anatomy: Anatomy | None = None, resolution: str | tuple[int, int] = "lecture",
               patient=None) -> FaceModel:
    """Build the layered face: the skin, five layers and the skull on one grid of rays.

    Parameters
    ----------
    anatomy : Anatomy, optional
        The data (default: the package's own, validated).
    resolution : str or (int, int)
        ``"coarse"``, ``"lecture"`` (default), ``"fine"``, or (columns around, rows up).
    patient : facelayers.model.patient.Patient, optional
        Whose thicknesses (sex, age, BMI; :func:`facelayers.model.patient.adjust`) and skull
        (:func:`facelayers.model.patient.skull_parameters` as a :class:`facelayers.model.skull.SkullShape`). None builds
        the tables as they are: the reference patient of :mod:`facelayers.model.patient`. ``model.anatomy`` is then
        the adjusted data.

    Returns
    -------
    FaceModel

    Raises
    ------
    TypeError
        If ``anatomy`` is neither an Anatomy nor None.
    ValueError
        If ``resolution`` is not allowed (:func:`resolve_resolution`; a grid under 8 x 6 is refused by
        :func:`grid`).
    """
    if anatomy is not None and not isinstance(anatomy, Anatomy):
        raise TypeError(f"build_face(anatomy): {type(anatomy).__name__} {anatomy!r:.40}; allowed: an Anatomy "
                        "(facelayers.anatomy.load.load_anatomy) or None")
    shape = None
    if patient is not None:
        # The patient's thicknesses, before any geometry (imported here: patient imports anatomy only).
        from facelayers.model.patient import adjust, skull_parameters
        anatomy = adjust(anatomy if anatomy is not None else load_anatomy(), patient)
        shape = skull_module.SkullShape.from_parameters(skull_parameters(patient))
    nu, nv = resolve_resolution(resolution)
    anatomy = anatomy if anatomy is not None else load_anatomy()
    gu, gs = grid(nu, nv)
    u = np.concatenate([np.tile(gu, nv), [0.0]])
    s = np.concatenate([np.repeat(gs, nu), [S_TOP_MM]])
    names, pts = anatomy.landmark_points(on_skin=True)
    skin = Skin.sculpt(gu, gs).pinned(names, pts)
    thick = build_thickness_field(anatomy, skin)
    skull = build_skull(anatomy, skin, gu, gs, shape)
    stack = build_stack(u, s, skin, thick, skull)
    return FaceModel(anatomy, nu, nv, u, s, grid_faces(nu, nv, periodic=True, pole=True), skin, thick, stack, skull, patient=patient)


def layer_index(layer: int | str) -> int:
    """Index of a layer (0..4) in ``LAYERS`` from its name or index.

    Raises
    ------
    ValueError
        An unknown name or an index out of range; the message lists the allowed names.
    """
    return _index(layer, LAYERS, "layer")


def _ear_shape(n_rho: int = 16, n_theta: int = 56) -> tuple[np.ndarray, np.ndarray]:
    """A schematic left ear in its own frame, as a closed shell (front and back sheets joined at the rim).

    Vertices (v, 3) as (W back, A up, N out of the ear's plane), unit-less shape in [-1, 1] for W and A, N in
    mm; faces (f, 3) int32, outward.

    The front carries the helix (a rolled rim from the lobule's top, over the top, to the root in front),
    the scapha (a groove inside it), the antihelix, the concha (a deep hollow in front of the antihelix, the back
    sheet kept behind it), the tragus (a flap in front of
    the concha, at the attached edge) and a soft, rim-less lobule below. Schematic shapes (no data).
    """
    rho = np.linspace(0.0, 1.0, n_rho)[1:]
    theta = np.linspace(0.0, 2 * np.pi, n_theta, endpoint=False)
    rr, tt = np.meshgrid(rho, theta, indexing="ij")
    deg = np.degrees(tt)
    # outline: the lobule (below, 230-310 degrees) is narrower than the helix's shell
    lobule = np.exp(-((deg - 270.0) / 38.0) ** 2)
    wscale = 1.0 - 0.3 * lobule
    w = rr * np.cos(tt) * wscale
    a = rr * np.sin(tt)

    def band(centre, width, lo, hi):
        inside = ((deg - lo) % 360.0) <= ((hi - lo) % 360.0)
        return np.exp(-((rr - centre) / width) ** 2) * inside

    helix = 5.5 * band(0.87, 0.075, 300.0, 200.0)
    scapha = -1.5 * band(0.73, 0.06, 320.0, 150.0)  # the groove between the helix and the antihelix
    antihelix = 3.2 * band(0.58, 0.09, 320.0, 120.0)
    concha = -7.5 * np.exp(-(((w + 0.22) / 0.3) ** 2 + ((a + 0.1) / 0.32) ** 2))
    tragus = 3.2 * np.exp(-(((w + 0.78) / 0.12) ** 2 + ((a + 0.12) / 0.14) ** 2))
    front = 2.2 + helix + scapha + antihelix + concha + tragus + 1.5 * lobule
    close = 1.0 - np.clip((rr - 0.93) / 0.07, 0.0, 1.0) ** 2  # the rim rounds over to the back
    front = front * close
    # The back sheet's rim lies just inside the front's (0.98 of it), so no two vertices coincide.
    back = -1.6 * (1.0 - (0.98 * rr) ** 2)
    back = np.minimum(back, front - 0.8)  # behind the deep concha too: the front sheet never pierces the back
    # The ear stands off the head: its free (back) edge ~14 mm out, the attached front edge on the skin.
    lift = 14.0 * np.clip((w + 0.6) / 1.6, 0.0, 1.0) ** 1.3
    verts_front = np.stack([w, a, front + lift], axis=-1).reshape(-1, 3)
    verts_back = np.stack([0.98 * w, 0.98 * a, back + lift], axis=-1).reshape(-1, 3)
    nr, nt = len(rho), n_theta
    centre_front = verts_front[:n_theta].mean(axis=0, keepdims=True)
    centre_back = verts_back[:n_theta].mean(axis=0, keepdims=True)
    verts = np.concatenate([verts_front, verts_back, centre_front, centre_back])
    nf = nr * nt
    cf, cb = 2 * nf, 2 * nf + 1
    i = np.arange(nt)
    ip = (i + 1) % nt
    faces = []
    for sheet, c, flip in ((0, cf, False), (nf, cb, True)):
        fan = np.stack([np.full(nt, c), sheet + ip, sheet + i], axis=-1)  # wound as the quads around it
        j = np.arange(nr - 1)[:, None]
        q0 = sheet + j * nt + i
        q1 = sheet + j * nt + ip
        q2 = sheet + (j + 1) * nt + ip
        q3 = sheet + (j + 1) * nt + i
        quads = np.concatenate([np.stack([q0, q1, q2], -1).reshape(-1, 3), np.stack([q0, q2, q3], -1).reshape(-1, 3)])
        part = np.concatenate([fan, quads])
        faces.append(part[:, ::-1] if flip else part)
    # the rim: join the front's and the back's last rings
    r0 = (nr - 1) * nt
    rim = np.concatenate([np.stack([r0 + i, nf + r0 + ip, r0 + ip], -1), np.stack([r0 + i, nf + r0 + i, nf + r0 + ip], -1)])
    faces.append(rim[:, ::-1])
    return verts, np.concatenate(faces).astype(np.int32)


def ear_meshes(model: FaceModel) -> list[tuple[np.ndarray, np.ndarray]]:
    """Schematic ears, left and right, placed by the helical root, earlobe and tragion landmarks.

    Helix, antihelix, concha, tragus and lobule (:func:`_ear_shape`), the free edge standing off the head.
    Drawn with the skin; they carry no layers.

    Parameters
    ----------
    model : FaceModel

    Returns
    -------
    list of (vertices, faces)
        Left ear first: vertices (v, 3) float32 ndarray, mm, head frame; faces (f, 3) int32 ndarray, outward.
    """
    shape, faces = _ear_shape()
    out = []
    for side, sign in (("left", 1.0), ("right", -1.0)):
        top = model.anatomy.point(f"helical_root:{side}")
        lobe = model.anatomy.point(f"earlobe:{side}")
        tragion = model.stack_under(model.anatomy.point(f"tragion:{side}")[None, :]).points[0, 0]
        long = top - lobe + np.array([0.0, -0.28 * (top[2] - lobe[2]), 0.0])
        half_len = 0.5 * np.linalg.norm(long) + 8.0
        a = long / np.linalg.norm(long)
        # The ear's plane faces out and a little forward: its normal is lateral, turned 25 degrees back.
        normal = np.array([sign * np.cos(np.radians(25)), -np.sin(np.radians(25)), 0.0])
        normal -= a * (normal @ a)
        normal /= np.linalg.norm(normal)
        width_dir = np.cross(normal, a)
        if width_dir[1] > 0:
            width_dir = -width_dir
        centre = 0.5 * (top + lobe) + width_dir * 9.0
        centre[0] = tragion[0] - sign * 1.5
        verts = (centre + np.outer(shape[:, 0] * 16.0, width_dir) + np.outer(shape[:, 1] * half_len, a)
                 + np.outer(shape[:, 2], normal))
        # the right ear is the mirror image: flip the winding so its normals stay outward
        f = faces if sign > 0 else faces[:, ::-1]
        out.append((verts.astype(np.float32), np.ascontiguousarray(f)))
    return out
