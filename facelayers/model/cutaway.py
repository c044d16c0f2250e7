"""Seeing inside without transparency: per-layer meshes with an atlas-style cutaway window.

plotly draws overlapping translucent meshes in the wrong order, so the model is always opaque: each layer is
drawn as its outer surface, and a *cutaway* removes a window from the outer layers in steps, the way an atlas
dissection does: the skin is removed over the widest window, each deeper layer over a slightly smaller
one, so the layers show as terraces. The cut walls are closed, so every layer's thickness shows at the edge.

The window is a level set of the distance (on the skin, in mm) from a centre; every layer is clipped exactly
along its circle (not along grid edges), and the wall of layer k joins interface k to interface k + 1 along
the same curve, because all surfaces share the grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facelayers.core.frame import INTERFACES, LAYERS
from facelayers.model.geometry import FaceModel, interface_index


@dataclass(frozen=True)
class Window:
    """A cutaway window: where, how wide, how the terraces step in.

    Parameters
    ----------
    name : str
        The window's id (a key of :data:`WINDOWS`, as a view's ``cutaway`` names it).
    label : str
        What students read.
    landmark : str
        The landmark whose ray gives the window's centre on the skin (left side for bilateral ones).
    radius_mm : float, mm
        Radius of the hole in the skin.
    step_mm : float, mm
        How much smaller the hole is in each deeper layer.
    """

    name: str
    label: str
    landmark: str
    radius_mm: float
    step_mm: float


#: Windows offered by the lessons, on the subject's left side. Schematic placements (teaching choices): the
#: steps are narrow enough that the window onto bone keeps at least half the skin window's radius (a 5 mm step
#: left a third, a peephole beside the layers' rings), wide enough that each ring reads on a projector.
WINDOWS: dict[str, Window] = {
    "cheek": Window("cheek", "Cheek (parotid-masseteric)", "mid_masseter:left", 32.0, 3.5),
    "temple": Window("temple", "Temple", "temporal_fossa:left", 28.0, 3.25),
    "forehead": Window("forehead", "Forehead", "frontal_eminence:left", 30.0, 3.5),
}


def window(name: str) -> Window:
    """The window called ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`WINDOWS`.

    Returns
    -------
    Window

    Raises
    ------
    ValueError
        If the name is not known; the message lists the known ones.
    """
    if name not in WINDOWS:
        raise ValueError(f"cutaway {name!r} is not known; allowed: {', '.join(WINDOWS)}")
    return WINDOWS[name]


@dataclass(frozen=True)
class Cut:
    """A cutaway applied to a model: a window and how many layers it removes.

    Parameters
    ----------
    window : Window
    layers_cut : int
        1 (the skin only) to 5 (down to bone); layer k's hole is ``k * window.step_mm`` smaller than the skin's.

    Raises
    ------
    ValueError
        If ``layers_cut`` is outside 1 to 5.
    """

    window: Window
    layers_cut: int = len(LAYERS)

    def __post_init__(self):
        if not 1 <= int(self.layers_cut) <= len(LAYERS):
            raise ValueError(f"layers_cut = {self.layers_cut!r}; allowed: 1 to {len(LAYERS)} "
                             f"(1 = {LAYERS[0]} only, {len(LAYERS)} = down to bone)")

    def radius_mm(self, k: int) -> float | None:
        """Radius of the hole in the outer face of layer k, or None if layer k is not cut.

        Parameters
        ----------
        k : int
            Layer index, 0 (skin) to 4 (periosteum).

        Returns
        -------
        float, mm, or None
        """
        if k >= self.layers_cut:
            return None
        return self.window.radius_mm - k * self.window.step_mm


def window_centre(model: FaceModel, win: Window) -> np.ndarray:
    """The window's centre on the skin: the skin point on the ray through its landmark.

    Parameters
    ----------
    model : FaceModel
    win : Window

    Returns
    -------
    (3,) float64 ndarray, mm, head frame
    """
    return model.stack_under(model.anatomy.point(win.landmark)[None, :]).points[0, 0]


def window_distance(model: FaceModel, win: Window, skin_points: np.ndarray | None = None) -> np.ndarray:
    """Straight-line distance from skin points to the window's centre.

    Parameters
    ----------
    model : FaceModel
    win : Window
    skin_points : (n, 3) float ndarray, mm, optional
        Default: the model's skin vertices.

    Returns
    -------
    (n,) float64 ndarray, mm
    """
    points = model.skin if skin_points is None else skin_points
    return np.linalg.norm(points - window_centre(model, win), axis=1)


@dataclass(frozen=True)
class Clipped:
    """A surface clipped to where ``field >= level``, and the cut curve as edge crossings.

    Attributes
    ----------
    vertices : (n + 2s, d) float ndarray
        The original vertices followed by the two new end points of each cut segment (segment i's are
        n + 2i and n + 2i + 1), interpolated in every column (positions in mm, then any per-vertex values).
    faces : (m, 3) int32 ndarray
        Indices into ``vertices``; unused original vertices stay in place.
    seg_edges : (s, 2, 2) int64 ndarray
        For each cut segment, the original edge each of its two end points lies on, as vertex-index pairs (a, b).
    seg_t : (s, 2) float64 ndarray
        Where along each edge (0 at a, 1 at b) the end point lies.
    """

    vertices: np.ndarray
    faces: np.ndarray
    seg_edges: np.ndarray
    seg_t: np.ndarray


def clip(vertices: np.ndarray, faces: np.ndarray, field: np.ndarray, level: float) -> Clipped:
    """Keep the part of a triangle mesh where ``field >= level``, cutting triangles exactly along the level.

    Parameters
    ----------
    vertices : (n, d) float
        Positions in mm (d = 3), optionally followed by per-vertex values interpolated the same way.
    faces : (m, 3) int
    field : (n,) float
        A scalar per vertex; the level set is interpolated linearly along edges.
    level : float
        The level kept above (in the field's units).

    Returns
    -------
    Clipped
    """
    g = field - level
    keep = g[faces] >= 0.0
    count = keep.sum(axis=1)
    whole = faces[count == 3]
    new_pts, new_faces, seg_edges, seg_t = [], [], [], []
    n = len(vertices)

    def crossing(a, b):
        t = g[a] / (g[a] - g[b])
        return vertices[a] + t[:, None] * (vertices[b] - vertices[a]), t

    # Rotate each partial triangle so the lone vertex (kept or dropped) comes first; winding is kept.
    # New vertices are numbered in segment order: segment i's two end points are n + 2i and n + 2i + 1.
    # Every segment runs the way the kept triangle's winding runs along the cut (a -> ab -> ac when a is kept,
    # ac -> ab when a is dropped), so the cut curve is oriented and the wall built on it faces one way: with
    # half the quads flipped, the smooth-shaded wall averaged opposite normals and showed as a saw-tooth.
    done = 0
    for lone_kept in (True, False):
        rows = count == (1 if lone_kept else 2)
        sel, k = faces[rows], keep[rows]
        lone = np.argmax(k if lone_kept else ~k, axis=1)
        tri = np.take_along_axis(sel, (lone[:, None] + np.arange(3)) % 3, axis=1)
        a, b, c = tri[:, 0], tri[:, 1], tri[:, 2]
        pab, tab = crossing(a, b)
        pac, tac = crossing(a, c)
        m = len(a)
        first = n + 2 * (done + np.arange(m))
        done += m
        if lone_kept:
            iab, iac = first, first + 1
            new_pts.append(np.stack([pab, pac], axis=1).reshape(-1, vertices.shape[1]))
            new_faces.append(np.stack([a, iab, iac], axis=1))
            seg_edges.append(np.stack([np.stack([a, b], 1), np.stack([a, c], 1)], axis=1))
            seg_t.append(np.stack([tab, tac], axis=1))
        else:
            iac, iab = first, first + 1
            new_pts.append(np.stack([pac, pab], axis=1).reshape(-1, vertices.shape[1]))
            new_faces.append(np.stack([iab, b, c], axis=1))
            new_faces.append(np.stack([iab, c, iac], axis=1))
            seg_edges.append(np.stack([np.stack([a, c], 1), np.stack([a, b], 1)], axis=1))
            seg_t.append(np.stack([tac, tab], axis=1))
    verts = np.concatenate([vertices] + new_pts)
    all_faces = np.concatenate([whole] + new_faces)
    edges = np.concatenate(seg_edges).astype(np.int64)
    # Two triangles that share a cut edge share its cut point: their faces use the first of the two (the
    # other stays in ``vertices``, unused), so the cut surface is one sheet (smooth shading across the cut
    # curve) and compacting it drops the duplicates (a third fewer vertices on the cut curve to send).
    new = all_faces >= n
    all_faces[new] = n + shared_ends(edges)[all_faces[new] - n]
    return Clipped(verts, all_faces.astype(np.int32), edges, np.concatenate(seg_t))


def shared_ends(seg_edges: np.ndarray) -> np.ndarray:
    """The first end point on the same mesh edge for each cut end point: (2s,) int64.

    End points are flat indices ``2 i + j`` (segment i's end j); adjacent segments meet at the shared one.

    Parameters
    ----------
    seg_edges : (s, 2, 2) int
        As :attr:`Clipped.seg_edges`.
    """
    if len(seg_edges) == 0:
        return np.zeros(0, np.int64)
    keys = np.sort(np.asarray(seg_edges, np.int64).reshape(-1, 2), axis=1)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    return first[inverse.reshape(-1)].astype(np.int64)


def shared_wall(outer: np.ndarray, inner: np.ndarray, clipped: Clipped, *values: tuple[np.ndarray, np.ndarray]):
    """The wall of :func:`wall` with adjacent quads sharing their edges.

    Each cut point appears once on ``outer`` and once on ``inner``.

    Parameters
    ----------
    outer, inner : (n, 3) float, mm
    clipped : Clipped
    values : pairs of (s, 2) float
        Per cut end point, a value on the outer and on the inner curve (thickness, depth ...).

    Returns
    -------
    vertices : (2u, 3) float
        The u distinct cut points on ``outer``, then the same on ``inner``.
    faces : (2s, 3) int32
    values : list of (2u,) float
        Each pair of ``values`` for the vertices, in the same order.
    """
    e, t = clipped.seg_edges, clipped.seg_t
    s = len(e)
    canon = shared_ends(e)
    used, slot = np.unique(canon, return_inverse=True)  # slot: each flat end point's row among the u
    u = len(used)

    def on(surface):
        a, b = surface[e[..., 0]], surface[e[..., 1]]
        return (a + t[..., None] * (b - a)).reshape(-1, 3)[used]

    verts = np.concatenate([on(outer), on(inner)])
    p0, p1 = slot[0::2], slot[1::2]
    # Wound to face into the window (the side a viewer sees), as the surfaces face outward.
    faces = np.concatenate([np.stack([p0, p1 + u, p1], 1), np.stack([p0, p0 + u, p1 + u], 1)]) if s else \
        np.zeros((0, 3), np.int64)
    out = [np.concatenate([np.asarray(o).reshape(-1)[used], np.asarray(i).reshape(-1)[used]]) for o, i in values]
    return verts, faces.astype(np.int32), out


def wall(outer: np.ndarray, inner: np.ndarray, clipped: Clipped) -> tuple[np.ndarray, np.ndarray]:
    """The closed wall of a cut layer: quads joining the cut curve on ``outer`` to the same curve on ``inner``.

    Parameters
    ----------
    outer, inner : (n, 3) float ndarray, mm
        Two surfaces on the same vertices (the model's shared grid), e.g. interfaces k and k + 1.
    clipped : Clipped
        The cut of ``outer``; its s segments are carried to ``inner`` by the same edges and fractions.

    Returns
    -------
    vertices : (4s, 3) float ndarray, mm
        Each segment's two end points on ``outer``, then on ``inner``.
    faces : (2s, 3) int32 ndarray
        Two triangles per segment.
    """
    e, t = clipped.seg_edges, clipped.seg_t

    def on(surface):
        a, b = surface[e[..., 0]], surface[e[..., 1]]
        return a + t[..., None] * (b - a)  # (s, 2, 3)

    p, q = on(outer), on(inner)
    s = len(e)
    verts = np.concatenate([p[:, 0], p[:, 1], q[:, 1], q[:, 0]])
    i = np.arange(s)
    faces = np.concatenate([np.stack([i, i + 2 * s, i + s], 1), np.stack([i, i + 3 * s, i + 2 * s], 1)])
    return verts, faces.astype(np.int32)


@dataclass(frozen=True)
class Mesh:
    """A triangle mesh ready to draw, with per-vertex values for hover.

    Parameters
    ----------
    vertices : (n, 3) float32 ndarray, mm, head frame
    faces : (m, 3) int32 ndarray
        Indices into ``vertices``.
    thickness_mm : (n,) float32 ndarray, mm
        The layer's thickness at each vertex (0 on bone), measured perpendicular to the skin as the data give it
        (:attr:`facelayers.model.stack.Stack.perpendicular`).
    depth_mm : (n,) float32 ndarray, mm
        Depth of the vertex below the skin, perpendicular to it: the perpendicular thicknesses of the layers
        above it added up (:func:`perpendicular_depths`).

    Raises
    ------
    ValueError
        If a face indexes outside the vertices.
    """

    vertices: np.ndarray
    faces: np.ndarray
    thickness_mm: np.ndarray
    depth_mm: np.ndarray

    def __post_init__(self):
        if self.faces.size and (self.faces.min() < 0 or self.faces.max() >= len(self.vertices)):
            raise ValueError("faces index outside the vertices")


def _compact(verts, faces, *per_vertex):
    used, inverse = np.unique(faces, return_inverse=True)
    return (verts[used], inverse.reshape(faces.shape).astype(np.int32), *(a[used] for a in per_vertex))


def perpendicular_depths(stack) -> np.ndarray:
    """Depth of every interface below the skin, perpendicular to it, (n, 6) float64 ndarray, mm.

    The layers' perpendicular thicknesses (:attr:`facelayers.model.stack.Stack.perpendicular`, the data's
    quantity) added up from the skin: what the layers' hovers report. (A nerve's depth is measured on the mesh
    instead, :func:`facelayers.model.perpendicular.skin_depth`.)

    Parameters
    ----------
    stack : facelayers.model.stack.Stack
        n rays.

    Returns
    -------
    (n, 6) float64 ndarray, mm
        Column 0 (the skin) is 0.
    """
    perp = stack.perpendicular if stack.perpendicular is not None else stack.thickness
    return np.concatenate([np.zeros((len(perp), 1)), np.cumsum(perp, axis=1)], axis=1)


def layer_mesh(model: FaceModel, layer: int | str, cut: Cut | None = None, hole: np.ndarray | None = None) -> Mesh:
    """The mesh of one layer (its outer face, 0..4) or of bone (5), with the cutaway applied.

    Parameters
    ----------
    model : FaceModel
    layer : int or str
        Index or name in ``INTERFACES``.
    cut : Cut, optional
        The cutaway window; a layer it does not cut is whole.
    hole : (n,) float, optional
        A field over the model's vertices, positive where the layer is removed as well (the region under a
        raised flap, :func:`facelayers.model.flap.holes`); its edge gets a closed wall like the cutaway's.

    Returns
    -------
    Mesh
        The surface (unused vertices dropped where cut), followed by the cut's wall down to the next interface
        (for the muscle layer, from layer 4's floor: :func:`layer4_wall` draws layer 4's strip).

    Raises
    ------
    ValueError
        If ``layer`` is not known, or ``hole`` is given for bone or without one value per model vertex.
    """
    k = interface_index(layer)
    surface = model.interface(k)
    perp_depth = perpendicular_depths(model.stack)
    depth = perp_depth[:, k]
    thick = model.stack.perpendicular[:, k] if k < len(LAYERS) else np.zeros(model.n_vertices)
    radius = cut.radius_mm(k) if cut is not None else None
    if hole is not None and (len(hole) != model.n_vertices or k >= len(LAYERS)):
        raise ValueError(f"hole: {len(hole)} values for layer {INTERFACES[k]!r}; allowed: one per model vertex "
                         f"({model.n_vertices}), for a layer (not bone)")
    if radius is None and hole is None:
        return Mesh(surface.astype(np.float32), model.faces, thick.astype(np.float32), depth.astype(np.float32))
    keep = np.full(model.n_vertices, np.inf)
    if radius is not None:
        keep = window_distance(model, cut.window) - radius
    if hole is not None:
        keep = np.minimum(keep, -np.asarray(hole, float))  # kept where outside the window and the hole
    clipped = clip(surface, model.faces, keep, 0.0)
    e, t = clipped.seg_edges, clipped.seg_t

    def along_cut(values):
        """(s, 2) values at the cut's end points, interpolated like the positions."""
        a, b = values[e[..., 0]], values[e[..., 1]]
        return a + t * (b - a)

    seg_thick, seg_depth = along_cut(thick), along_cut(depth)
    verts, faces, thick_all, depth_all = _compact(
        clipped.vertices, clipped.faces,
        np.concatenate([thick, seg_thick.reshape(-1)]), np.concatenate([depth, seg_depth.reshape(-1)]))
    # The muscle band's wall starts at layer 4's floor: layer 4's own strip is drawn by layer4_wall.
    top = surface if k != LAYER4_HOST else _floor(model)
    seg_depth_in = along_cut(perp_depth[:, k + 1])
    wv, wf, (wall_thick, wall_depth) = shared_wall(top, model.interface(k + 1), clipped, (seg_thick, seg_thick),
                                                   (seg_depth, seg_depth_in))
    return Mesh(np.concatenate([verts, wv]).astype(np.float32),
                np.concatenate([faces, wf + len(verts)]).astype(np.int32),
                np.concatenate([thick_all, wall_thick]).astype(np.float32),
                np.concatenate([depth_all, wall_depth]).astype(np.float32))


#: The layer whose outer part is layer 4 (facelayers.model.space): its cut wall shows layer 4 as a band of its own.
LAYER4_HOST = LAYERS.index("muscle")


def _floor(model: FaceModel) -> np.ndarray:
    """Layer 4's floor under the model's vertices (n, 3) mm."""
    from facelayers.model.space import floor_points

    return floor_points(model)


@dataclass(frozen=True)
class Layer4Wall:
    """Layer 4's band in the wall of a cut (the strip between the SMAS's inner face and layer 4's floor).

    Attributes
    ----------
    vertices : (n, 3) float32 ndarray, mm, head frame
    faces : (m, 3) int32 ndarray
    thickness_mm : (n,) float32 ndarray, mm
        Layer 4's thickness at each vertex.
    depth_mm : (n,) float32 ndarray, mm
        Depth of each vertex below the skin.
    labels : tuple of str, (n,)
        The space at each vertex (``data/spaces.json``), or the loose areolar plane's label.
    """

    vertices: np.ndarray
    faces: np.ndarray
    thickness_mm: np.ndarray
    depth_mm: np.ndarray
    labels: tuple


def layer4_wall(model: FaceModel, cut: Cut | None = None, hole: np.ndarray | None = None) -> Layer4Wall:
    """Layer 4's strip in the wall of the muscle layer's cut (cutaway window and/or the hole under a raised flap).

    Parameters
    ----------
    model : FaceModel
    cut : Cut, optional
    hole : (n,) float, optional
        As :func:`layer_mesh`'s.

    Returns
    -------
    Layer4Wall
        Empty (no vertices) where the muscle layer is not cut.
    """
    from facelayers.model.grid import params_of
    from facelayers.model.space import layer4

    k = LAYER4_HOST
    radius = cut.radius_mm(k) if cut is not None else None
    empty = Layer4Wall(np.zeros((0, 3), np.float32), np.zeros((0, 3), np.int32), np.zeros(0, np.float32),
                       np.zeros(0, np.float32), ())
    if radius is None and hole is None:
        return empty
    keep = np.full(model.n_vertices, np.inf)
    if radius is not None:
        keep = window_distance(model, cut.window) - radius
    if hole is not None:
        keep = np.minimum(keep, -np.asarray(hole, float))
    surface = model.interface(k)
    clipped = clip(surface, model.faces, keep, 0.0)
    if len(clipped.seg_edges) == 0:
        return empty
    floor = _floor(model)
    e, t = clipped.seg_edges, clipped.seg_t

    def along(values):
        a, b = values[e[..., 0]], values[e[..., 1]]
        return a + t * (b - a)

    # perpendicular, as the layers' hovers: the muscle band's factor between its perpendicular and along-ray steps
    st = model.stack
    factor = st.perpendicular[:, k] / np.maximum(st.thickness[:, k], 1e-9)
    top_d = along(perpendicular_depths(st)[:, k])
    thick = along(np.linalg.norm(floor - surface, axis=1) * factor)
    # Adjacent quads share their edges (as the layers' walls), so the strip shades smoothly, not quad by quad.
    verts, faces, (thickness, depth) = shared_wall(surface, floor, clipped, (thick, thick), (top_d, top_d + thick))
    u, s, _ = params_of(verts)
    labels = tuple(layer4(model.anatomy).space_at(u, s))
    return Layer4Wall(verts.astype(np.float32), faces, thickness.astype(np.float32), depth.astype(np.float32),
                      labels)
