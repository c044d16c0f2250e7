"""Offline exports for students: one self-contained HTML per lesson, meshes for Blender or a printer, PNG stills.

``python -m facelayers export LESSON --out FILE`` (see :mod:`facelayers.delivery.cli`) calls :func:`export`.

HTML
    One file, no network request of any kind (no CDN, no web fonts, no MathJax), at the grid asked for (the
    lecture grid by default), never scaled down: :mod:`facelayers.delivery.offline_page` stores each array once,
    delta-filtered and deflated together with plotly.js's gl3d partial bundle (vendored, the installed plotly's
    version), and the page inflates them with the browser's ``DecompressionStream`` before ``Plotly.newPlot``
    (lesson 01 at the lecture grid: about 2.0 MB, against 12.5 MB as plotly writes it). The controls are plotly
    ``updatemenus`` that run in the browser without a kernel: a **peel** menu
    (``visible`` over the six layer traces), a **cutaway** menu and **camera** presets (``relayout`` of
    ``scene.camera``). The three menus are independent because each changes a different property: peel
    sets ``visible``, camera sets the camera, and a cutaway *swaps the triangles* (``i``, ``j``, ``k``) of
    the layers it cuts. For that, every layer trace carries the vertices of all its cutaway variants at
    once (the uncut grid, then the new vertices of each window's cut edge and wall), so a cutaway button
    holds triangle indices only, as uint16 typed arrays. A menu that hid one trace set and showed another
    could not work with the peel menu: plotly's buttons are stateless, so the peel buttons would have to
    know which cutaway is on. ``max_mb`` is a budget, not a target: a page over it is an error naming its
    size and the coarser grids that fit; nothing is written.
    Lesson ``course`` (``all``, :func:`course_offline_figure`) adds the nerves with a **Nerves** menu, every
    technique's planes with a **Technique** dropdown, a **Step** slider replaying both storyboards, and
    **Expression** and **Case** dropdowns that move the face in the page (:mod:`facelayers.delivery.expression_offline`:
    the moved coordinates only, int16 in 0.01 mm, one frame per case and expression);
    :func:`add_course_part` lets another lesson add its own traces, menus, sliders or frames, and
    :func:`add_page_part` JavaScript the page runs once drawn.

Meshes (glb, obj, stl; trimesh, the ``export`` extra)
    One mesh per surface, named ``layer:skin`` ... ``layer:bone`` (the skin includes the ears, as drawn),
    with the saved view's cutaway applied. Coordinates are converted to each format's convention, so the
    head stands up and is not mirrored (the model's frame, x to the subject's *left*, y anterior, z up,
    is left-handed): **glb** in metres, +Y up, +Z anterior, +X the subject's left (glTF 2.0);
    **obj** the same axes in millimetres (Blender's OBJ default: up +Y, forward -Z); **stl** in
    millimetres, DICOM LPS (+X left, +Y posterior, +Z up; what slicers expect: Z up). STL has no names,
    so each layer goes to its own file next to ``--out``: ``head.stl`` gives ``head-skin.stl`` ...
    ``head-bone.stl`` (a slicer takes one part per file; ``head.stl`` itself is not written).

PNG
    The lesson's figure without its menus at 1920 x 1080, rendered by plotly's kaleido (which drives
    Debian's chromium).

Every write is atomic (:func:`facelayers.teaching.views.atomic_output`): a temporary file in the target's folder,
moved into place only when complete; a failed export leaves no file, and for STL every part is written
before any is moved into place.
"""

from __future__ import annotations

import base64
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

try:
    import plotly.graph_objects as go
    import plotly.io as pio
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("facelayers.delivery.export needs plotly: pip install 'facelayers[lessons]'") from exc

from facelayers import __version__
from facelayers.model.cutaway import WINDOWS, Cut, Mesh, layer_mesh, window
from facelayers.core.frame import INTERFACES
from facelayers.model.geometry import RESOLUTIONS, FaceModel, build_face, ear_meshes, resolve_resolution
from facelayers.render.face import BACKGROUND, FONT, PALETTE, TEXT, colour_key, layer_hover, layer_trace, surface_labels
from facelayers.teaching.state import CAMERAS, SURGEON_CAMERAS, ViewState
from facelayers.delivery.offline_page import GL3D_VERSION, PackedFigure, gl3d_bundle, needs_full_bundle, page_html, pack
from facelayers.teaching.views import ViewFileError, atomic_output, load_view

__all__ = ["CHROMIUM", "FORMATS", "LESSONS", "MAX_HTML_MB", "ExportError", "ExportResult", "HtmlPage", "Lesson",
           "add_course_part", "add_expression_menus", "add_page_part", "course_offline_figure", "html_page", "write_file",
           "export", "find_lesson", "html_text",
           "layers_offline_figure", "layers_meshes",
           "register"]

#: Output formats and the suffix ``--out`` must have.
FORMATS: dict[str, str] = {"html": ".html", "png": ".png", "glb": ".glb", "obj": ".obj", "stl": ".stl"}
MESH_FORMATS = ("glb", "obj", "stl")
#: Default size budget of an exported HTML file (MB = 10**6 bytes): none. A budget never scales the grid down:
#: an export over it is an error that says what would fit.
MAX_HTML_MB: float | None = None
#: The PNG still (px): 16:9, a slide.
PNG_SIZE = (1920, 1080)
#: Debian's chromium (``apt-get install -y chromium``); flags from docs TECH_NOTES (WebGL via SwiftShader).
CHROMIUM = "/usr/bin/chromium"
#: plotly.js's CDN, which an offline file must not name.
PLOTLY_CDN = "https://cdn.plot.ly/"
#: plotly config of every exported figure: no plotly logo (and so no link to plotly's site).
CONFIG = {"displaylogo": False}

#: The scene's axes, hidden, with nothing for plotly.js to build for them either (tick labels and titles are
#: turned into triangles even when the axis is hidden: about 0.3 s of the first frame in software WebGL).
HIDDEN_AXIS = {"visible": False, "showspikes": False, "showticklabels": False, "title": {"text": ""},
               "showgrid": False, "zeroline": False, "showline": False, "showbackground": False, "ticks": ""}

#: Buttons on the dark stage. plotly paints the active button #F4FAFF whatever the menu's colours, so the
#: buttons are light with dark text: the active one reads brightest.
BUTTON_BG = "#A9B4C2"
BUTTON_TEXT = "#101418"
BUTTON_BORDER = "#5C6773"
MENU_FONT = 17


class ExportError(Exception):
    """A problem the user can fix, in one line naming the argument, the value and what is allowed.

    ``status`` is the command line's exit status: 2 for a bad argument, 1 for a missing tool or a failed
    write.
    """

    def __init__(self, message: str, status: int = 2):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote. ``paths``: the files; ``size_bytes``: their total size; ``notes``: lines for the
    user (sizes, the grid used)."""

    paths: tuple[Path, ...]
    size_bytes: int
    notes: tuple[str, ...] = ()


# ----------------------------------------------------------------------------------------------------
# Lessons


@dataclass(frozen=True)
class Lesson:
    """An exportable lesson.

    Attributes
    ----------
    name, number, title : str
        ``"layers"``, ``"01"``, ``"The layers of the face"``; the command line takes the name or the number.
    figure : callable
        ``figure(model, state) -> go.Figure``: the offline figure, its controls as ``updatemenus`` (and
        ``sliders``); menu titles and hints are annotations whose ``name`` starts with ``"menu"``.
    meshes : callable
        ``meshes(model, state) -> {name: (vertices (n, 3) float32 mm, faces (m, 3) int32)}`` in the model's
        frame, for glb/obj/stl.
    aliases : tuple of str
        Other names the command line takes (``all`` for ``course``).
    """

    name: str
    number: str
    title: str
    figure: Callable[[FaceModel, ViewState], go.Figure]
    meshes: Callable[[FaceModel, ViewState], dict[str, tuple[np.ndarray, np.ndarray]]]
    aliases: tuple[str, ...] = ()


#: Exportable lessons by name (lessons 02 ``nerves`` and 03 ``planes`` register here).
LESSONS: dict[str, Lesson] = {}


def register(lesson: Lesson) -> Lesson:
    """Add a lesson to :data:`LESSONS` (name and number must be new)."""
    for other in LESSONS.values():
        if other.name != lesson.name and other.number == lesson.number:
            raise ValueError(f"lesson number {lesson.number} is taken by {other.name!r}")
    LESSONS[lesson.name] = lesson
    return lesson


def lesson_choices() -> str:
    return ", ".join(f"{lesson.number} or {' or '.join((name, *lesson.aliases))}" for name, lesson in LESSONS.items())


def find_lesson(name: str) -> Lesson:
    """The lesson called ``name`` or numbered ``name`` (``"01"``, ``"1"``)."""
    for lesson in LESSONS.values():
        if name == lesson.name or name in lesson.aliases or (
                name.isascii() and name.isdigit() and len(name) <= 3 and int(name) == int(lesson.number)):
            return lesson
    raise ExportError(f"LESSON {name!r} is not known; allowed: {lesson_choices()}")


# ----------------------------------------------------------------------------------------------------
# Lesson 01: the layers, with every cutaway variant sharing one vertex array per layer


CUTAWAY_CHOICES: tuple[str | None, ...] = (None, *WINDOWS)


@dataclass(frozen=True)
class LayerVariants:
    """One surface with all its cutaway variants on a shared vertex array.

    vertices : (n, 3) float32, mm; customdata : (n, 2) float32 (thickness, depth below the skin), mm;
    faces : {cutaway name or None: (m, 3) int64 into ``vertices``}.
    """

    name: str
    vertices: np.ndarray
    customdata: np.ndarray
    faces: dict = field(default_factory=dict)

    @cached_property
    def index_dtype(self) -> np.dtype:
        return np.dtype(np.uint16 if len(self.vertices) < 2**16 else np.uint32)


def _with_ears(model: FaceModel, name: str, mesh: Mesh, ears) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertices, faces and customdata of a layer mesh; the skin gets the ears, as :func:`render.layer_trace`
    draws them (hover reads the skin's median thickness beside them, at the surface)."""
    verts, faces = mesh.vertices, mesh.faces
    custom = np.stack([mesh.thickness_mm, mesh.depth_mm], axis=1).astype(np.float32)
    if name == "skin":
        for ev, ef in ears:
            faces = np.concatenate([faces, ef + len(verts)])
            verts = np.concatenate([verts, ev])
            custom = np.concatenate([custom, np.tile(np.float32([np.median(mesh.thickness_mm), 0.0]), (len(ev), 1))])
    return verts.astype(np.float32), faces.astype(np.int64), custom.astype(np.float32)


def _row_keys(vertices: np.ndarray) -> list[bytes]:
    """One hashable key per float32 vertex: its 12 bytes."""
    v = np.ascontiguousarray(vertices, dtype=np.float32)
    return v.view(np.dtype((np.void, 12))).ravel().tolist()


def layer_variants(model: FaceModel, layers_cut: int) -> list[LayerVariants]:
    """Each surface (``INTERFACES`` order) with its uncut mesh and one mesh per cutaway window.

    The meshes are :func:`facelayers.model.cutaway.layer_mesh` exactly; a variant's vertices that coincide with
    the uncut surface's (bit for bit) are shared, and its new ones (on the cut edge and the wall) appended.
    """
    ears = ear_meshes(model)
    out = []
    for k, name in enumerate(INTERFACES):
        verts, faces, custom = _with_ears(model, name, layer_mesh(model, name, None), ears)
        lookup = dict(zip(_row_keys(verts), range(len(verts))))
        all_verts, all_custom, total = [verts], [custom], len(verts)
        variants = {None: faces}
        for wname in WINDOWS:
            cut = Cut(window(wname), layers_cut)
            if cut.radius_mm(k) is None:
                variants[wname] = faces
                continue
            cv, cf, cc = _with_ears(model, name, layer_mesh(model, name, cut), ears)
            index = np.array([lookup.get(key, -1) for key in _row_keys(cv)], dtype=np.int64)
            new = index < 0
            index[new] = total + np.arange(int(new.sum()))
            total += int(new.sum())
            all_verts.append(cv[new])
            all_custom.append(cc[new])
            variants[wname] = index[cf]
        out.append(LayerVariants(name, np.concatenate(all_verts), np.concatenate(all_custom), variants))
    return out


def _typed(array: np.ndarray, dtype: np.dtype) -> dict:
    """A plotly.js typed-array spec (base64), as plotly.py writes trace arrays; used inside button args,
    which plotly.py would otherwise write as JSON lists of numbers (several times larger)."""
    code = {np.dtype(np.uint16): "u2", np.dtype(np.uint32): "u4", np.dtype(np.float32): "f4"}[np.dtype(dtype)]
    data = np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<"))
    return {"dtype": code, "bdata": base64.b64encode(data.tobytes()).decode("ascii")}


def _short(label: str) -> str:
    return label.split(" (")[0]


def _menu(buttons: list[dict], active: int, **where) -> dict:
    return {"type": "buttons", "buttons": buttons, "active": active, "showactive": True,
            "bgcolor": BUTTON_BG, "bordercolor": BUTTON_BORDER, "borderwidth": 1,
            "font": {"size": MENU_FONT, "color": BUTTON_TEXT, "family": FONT["family"]},
            "pad": {"l": 2, "r": 2, "t": 2, "b": 2}, **where}


def _menu_title(text: str, x: float, y: float, name: str, **extra) -> dict:
    return {"name": name, "text": f"<b>{text}</b>", "xref": "paper", "yref": "paper", "x": x, "y": y,
            "xanchor": "left", "yanchor": "bottom", "showarrow": False,
            "font": {"size": MENU_FONT + 1, "color": TEXT}, **extra}


def camera_names(state: ViewState, surgeon: bool = False) -> list[str]:
    """The camera presets a figure offers: all of them with ``surgeon``, else those that need no raised flap
    (plus the state's own camera, whatever it is)."""
    return [c for c in CAMERAS if surgeon or c not in SURGEON_CAMERAS or c == state.camera]


def layers_offline_figure(model: FaceModel, state: ViewState | None = None, surgeon_cameras: bool = False
                          ) -> go.Figure:
    """Lesson 01 for a browser without a kernel: the six layers with peel, cutaway and camera menus.

    Parameters
    ----------
    model : FaceModel
    state : ViewState, optional
        The initial view: camera, peel (and layers switched off), cutaway window and ``layers_cut``
        (every cutaway button cuts that many layers).
    surgeon_cameras : bool
        Offer the presets that look into a raised flap (the course does: its storyboard steps use them).

    Returns
    -------
    go.Figure
        Traces ``layer:skin`` ... ``layer:bone``; ``layout.updatemenus`` named ``peel``, ``cutaway``,
        ``camera``.
    """
    state = state if state is not None else ViewState()
    labels = surface_labels(model)
    sets = layer_variants(model, state.layers_cut)
    traces = []
    for ls in sets:
        # Style and hover as the lessons draw the layer; the arrays are the shared-vertex ones. A new trace,
        # not trace.update(): update keeps the old int32 dtype, and uint16 indices are half the bytes.
        style = layer_trace(model, ls.name, None, state.shown(ls.name), labels[ls.name]).to_plotly_json()
        for key in ("type", "x", "y", "z", "i", "j", "k", "customdata", "intensity"):
            style.pop(key, None)
        f = np.ascontiguousarray(ls.faces[state.cutaway].T.astype(ls.index_dtype))
        v = np.ascontiguousarray(ls.vertices.T)
        hover = layer_hover(None if ls.name == "bone" else ls.customdata[:, 0],
                            None if ls.name == "skin" else ls.customdata[:, 1], PALETTE[ls.name])
        # As render.xyz / render.ijk: x negated (plotly's scene is right-handed), j and k swapped to match.
        traces.append(go.Mesh3d(x=-v[0], y=v[1], z=v[2], i=f[0], j=f[2], k=f[1],
                                customdata=hover["customdata"], intensity=hover["intensity"], **style))
    n = len(traces)

    peel = [{"label": "All layers" if p == 0 else labels[INTERFACES[p]], "method": "restyle",
             "args": [{"visible": [k >= p for k in range(n)]}, list(range(n))]}
            for p in range(len(INTERFACES))]
    cut_layers = [k for k, ls in enumerate(sets) if any(f is not ls.faces[None] for f in ls.faces.values())]
    cutaway = []
    for choice in CUTAWAY_CHOICES:
        args = {axis: [_typed(sets[k].faces[choice][:, c], sets[k].index_dtype) for k in cut_layers]
                for c, axis in zip((0, 2, 1), "ijk")}
        label = "None" if choice is None else _short(WINDOWS[choice].label)
        cutaway.append({"label": label, "method": "restyle", "args": [args, cut_layers]})
    names = camera_names(state, surgeon_cameras)
    cameras = [{"label": name.capitalize(), "method": "relayout", "args": [{"scene.camera": CAMERAS[name]}]}
               for name in names]

    menus = [
        _menu(peel, state.peel, name="peel", direction="down", x=0.006, xanchor="left", y=0.87, yanchor="top"),
        _menu(cutaway, CUTAWAY_CHOICES.index(state.cutaway), name="cutaway", direction="down",
              x=0.006, xanchor="left", y=0.44, yanchor="top"),
        _menu(cameras, names.index(state.camera), name="camera", direction="right",
              x=0.5, xanchor="center", y=0.012, yanchor="bottom"),
    ]
    key = colour_key(labels, x=0.995, y=0.87)
    for note in key:
        note.update(xanchor="right", yanchor="top", font={"size": 18})
    notes = [
        _menu_title("Peel down to", 0.006, 0.875, "menu:peel"),
        _menu_title("Cutaway (left side)", 0.006, 0.445, "menu:cutaway"),
        _menu_title("Camera", 0.5, 0.075, "menu:camera", xanchor="center"),
        {"name": "menu:hint", "text": "Drag to turn<br>Scroll to zoom<br>Hover: thickness and depth (mm)",
         "xref": "paper", "yref": "paper", "x": 0.995, "y": 0.5, "xanchor": "right", "yanchor": "top",
         "align": "right", "showarrow": False, "font": {"size": 16, "color": "#c9d1d9"}},
        {"name": "credit", "text": f"facelayers {__version__}: a schematic model for teaching, not for clinical use",
         "xref": "paper", "yref": "paper", "x": 0.995, "y": 0.94, "xanchor": "right", "yanchor": "bottom",
         "showarrow": False, "font": {"size": 16, "color": "#c9d1d9"}},
        *key,
    ]
    fig = go.Figure(traces)
    axis = HIDDEN_AXIS
    fig.update_layout(
        template="none", autosize=True, paper_bgcolor=BACKGROUND, plot_bgcolor=BACKGROUND, font=FONT,
        margin={"l": 0, "r": 0, "t": 60, "b": 0},
        title={"text": "The layers of the face", "x": 0.01, "y": 0.985, "yanchor": "top", "font": {"size": 26}},
        scene={"xaxis": axis, "yaxis": axis, "zaxis": axis, "aspectmode": "data", "bgcolor": BACKGROUND,
               "dragmode": "orbit", "camera": CAMERAS[state.camera], "domain": {"x": [0.16, 0.84], "y": [0.08, 1]}},
        showlegend=False, updatemenus=menus, annotations=notes, hoverlabel={"font": {"size": 18}},
    )
    return fig


def layers_meshes(model: FaceModel, state: ViewState | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The six surfaces as meshes, ``{"layer:<surface>": (vertices (n, 3) float32 mm, faces (m, 3) int32)}``,
    with the state's cutaway applied; the skin includes the ears."""
    state = state if state is not None else ViewState()
    cut = Cut(window(state.cutaway), state.layers_cut) if state.cutaway else None
    ears = ear_meshes(model)
    out = {}
    for name in INTERFACES:
        verts, faces, _ = _with_ears(model, name, layer_mesh(model, name, cut), ears)
        out[f"layer:{name}"] = (verts, faces.astype(np.int32))
    return out


register(Lesson("layers", "01", "The layers of the face", layers_offline_figure, layers_meshes))


# ----------------------------------------------------------------------------------------------------
# The course: layers, nerves, techniques and both storyboards in one file

#: Layout of the course page (px of a 1000 px high window; placed in paper fractions): the menus in a
#: column on the left, the 3D scene in the middle, the step's caption and the keys on the right, the step
#: slider along the bottom.
COURSE_SCENE = {"x": [0.2, 0.66], "y": [0.15, 0.93]}
#: Where the step's caption starts (paper x), and its characters a line (16 px type: ~420 px at 1366 px).
CAPTION_X = 0.67
COURSE_MARGIN_TOP = 60
COURSE_PAPER_PX = 708  # the smallest window the column must fit: 1366 x 768 (a laptop), less the top margin
BUTTON_ROW_PX = 35
MENU_TITLE_PX = 26
MENU_GAP_PX = 14
CAPTION_CHARS = 50
#: Grid of each technique plane in the course (the lessons use 40): 8 techniques, 12 planes.
COURSE_PLANE_N = 24
#: The nerve menu's choices: label and which nerve kinds it shows.
NERVE_CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("All", ("motor", "sensory", "vein")), ("Facial nerve only", ("motor",)),
    ("Sensory only", ("sensory",)), ("None", ()))


def _plain_label(label: str) -> str:
    """A label without its parenthesis: ``Endoscopic brow (forehead) lift`` -> ``Endoscopic brow lift``."""
    import re

    return re.sub(r"\s*\([^)]*\)", "", label).strip()


def _wrap(text: str, width: int = CAPTION_CHARS) -> str:
    import html
    import textwrap

    return "<br>".join(html.escape(line) for line in textwrap.wrap(text, width))


def _picked_nerves(model: FaceModel, pick: str | None) -> set[str]:
    """The nerve ids a ViewState's ``pick`` highlights (as :func:`facelayers.render.structures.apply_highlight`)."""
    if not pick:
        return set()
    kind, _, name = pick.partition(":")
    if kind == "nerve":
        return {name}
    group = name if kind == "group" else model.anatomy.muscle(name).nerve_group if kind == "muscle" else None
    return {nid for nid, nerve in model.anatomy.nerves.items() if nerve.group == group}


def _compact(trace):
    """A technique trace with float32 coordinates and uint16/uint32 face indices (half the bytes)."""
    data = {axis: np.asarray(getattr(trace, axis), np.float32) for axis in "xyz"}
    if trace.type == "mesh3d":
        dtype = np.uint16 if len(data["x"]) < 2**16 else np.uint32
        data.update({axis: np.asarray(getattr(trace, axis), dtype) for axis in "ijk"})
        data["intensity"] = np.asarray(trace.intensity, np.float32)
    trace.update(**data)
    return trace


def course_offline_figure(model: FaceModel, state: ViewState | None = None) -> go.Figure:
    """Every lesson in one offline figure: layers, nerves, techniques and the storyboards' steps.

    The layers with lesson 01's peel, cutaway and camera menus (:func:`layers_offline_figure`); the nerves
    (:func:`facelayers.render.structures.nerve_traces`) with a **Nerves** menu (all, the facial nerve, the sensory
    nerves, none); three traces per technique (plane, incisions, ports: :func:`facelayers.render.techniques.technique_traces`,
    named ``technique:<id>:plane`` ...), one technique shown at a time by a **Technique** dropdown; and a
    **Step** slider over the steps of both storyboards. Each step is a plotly ``update``: the visibility of
    every trace (the step's peel, its technique, all nerves), the picked nerves in
    :data:`facelayers.render.structures.HIGHLIGHT` (the others dimmed), the step's camera, the title
    ``Step k: <title>``, the caption with the nerves at risk, and the menus' active buttons. A step does not
    change the cutaway (no storyboard step uses one), nor raise an open technique's flap (that would re-send
    three layers with their hole per open technique, not yet done): such a step's caption says so.

    Parameters
    ----------
    model : FaceModel
    state : ViewState, optional
        The initial view; by default (or a default ViewState) the first step of the first storyboard.

    Returns
    -------
    go.Figure
        ``layout.meta["course"]`` holds the trace indices: ``layers``, ``nerves``, ``techniques``
        (``{technique_id: [plane, incisions, ports]}``) and ``steps`` (``[storyboard_id, number]`` per slider
        step).
    """
    from dataclasses import replace

    from facelayers.core.frame import SIDES
    from facelayers.model.nerves import place_all
    from facelayers.model.planes import plane_from_spec
    from facelayers.render.structures import DIM_OPACITY, HIGHLIGHT, NERVE_COLOURS, nerve_traces
    from facelayers.render.techniques import clearance_coloraxis, technique_traces
    from facelayers.teaching.storyboard import load_storyboards, nerve_names
    from facelayers.model.techniques import place_technique

    anatomy = model.anatomy
    boards = load_storyboards(anatomy)
    steps = [(board, step) for board in boards.values() for step in board.steps]
    first = steps[0][1].state()
    start = first if state is None or state == ViewState() else state
    if start.technique is None:
        start.technique = first.technique

    fig = layers_offline_figure(model, start, surgeon_cameras=True)
    layers = list(range(len(fig.data)))

    paths = place_all(model)
    nerves = nerve_traces(model, paths)
    nerve_ids = [t.name.split(":", 1)[1] for t in nerves]
    nerve_index = list(range(len(fig.data), len(fig.data) + len(nerves)))
    fig.add_traces(nerves)

    techniques: dict[str, list[int]] = {}
    for tid, technique in anatomy.techniques.items():
        placed = place_technique(model, technique)
        # The planes on a coarser grid than the lessons' (n = 40), to leave the size budget to the layers.
        planes = [plane_from_spec(model, spec, side=side, name=f"{tid}:{spec.plane_id}:{side}", n=COURSE_PLANE_N)
                  for side in SIDES for spec in technique.planes]
        traces = technique_traces(model, replace(placed, planes=planes), paths)
        techniques[tid] = list(range(len(fig.data), len(fig.data) + len(traces)))
        for trace in traces:
            part = trace.name.split(":", 1)[1]
            trace.update(name=f"technique:{tid}:{part}", visible=tid == start.technique, meta={"technique": tid})
            _compact(trace)
        fig.add_traces(traces)
    tech_index = [k for ks in techniques.values() for k in ks]
    n = len(fig.data)

    def nerve_style(pick: str | None) -> tuple[list, list]:
        on = _picked_nerves(model, pick)
        colours = [HIGHLIGHT if nid in on else NERVE_COLOURS.get(anatomy.nerves[nid].kind, "#ffffff")
                   for nid in nerve_ids]
        return colours, [1.0 if (nid in on or not on) else DIM_OPACITY for nid in nerve_ids]

    colours, opacity = nerve_style(start.pick)
    for k, c, o in zip(nerve_index, colours, opacity):
        fig.data[k].update(line={"color": c}, opacity=o)

    # Menus: lesson 01's peel and cutaway button columns, then nerves, technique and camera, in one column.
    old = {m.name: m.to_plotly_json() for m in fig.layout.updatemenus}
    nerve_buttons = [{"label": label, "method": "restyle",
                      "args": [{"visible": [anatomy.nerves[nid].kind in kinds for nid in nerve_ids]}, nerve_index]}
                     for label, kinds in NERVE_CHOICES]
    tech_buttons = [{"label": _plain_label(anatomy.techniques[tid].label), "method": "restyle",
                     "args": [{"visible": [k in ks for k in tech_index]}, tech_index]}
                    for tid, ks in techniques.items()]
    column = [("peel", "Peel down to", old["peel"]["buttons"], start.peel, "buttons"),
              # Dropdowns below the peel buttons: the column fits a 768 px high window.
              ("cutaway", "Cutaway (left side)", old["cutaway"]["buttons"], old["cutaway"]["active"], "dropdown"),
              ("nerves", "Nerves", nerve_buttons, 0, "dropdown"),
              ("technique", "Technique", tech_buttons, list(techniques).index(start.technique), "dropdown"),
              ("camera", "Camera", old["camera"]["buttons"], list(CAMERAS).index(start.camera), "dropdown")]
    menus, notes, top = [], [], 0
    for name, title, buttons, active, kind in column:
        y_title = 1 - (top + MENU_TITLE_PX) / COURSE_PAPER_PX
        notes.append(_menu_title(title, 0.006, y_title, f"menu:{name}"))
        # The camera's list opens upward: downward it would run off a 768 px window, and plotly then lays it
        # over its own header, where its first choice cannot be clicked.
        menu = _menu(buttons, active, name=name, direction="up" if name == "camera" else "down", x=0.006,
                     xanchor="left",
                     y=y_title - 4 / COURSE_PAPER_PX, yanchor="top")
        menu["type"] = kind
        menus.append(menu)
        rows = len(buttons) if kind == "buttons" else 1
        top += MENU_TITLE_PX + 4 + rows * BUTTON_ROW_PX + MENU_GAP_PX
    menu_at = {name: k for k, (name, *_) in enumerate(column)}
    notes.append({"name": "menu:hint", "text": "Drag to turn, scroll to zoom<br>Hover: thickness, depth (mm)",
                  "xref": "paper", "yref": "paper", "x": 0.006, "y": 1 - (top + 6) / COURSE_PAPER_PX,
                  "xanchor": "left", "yanchor": "top", "align": "left", "showarrow": False,
                  "font": {"size": 16, "color": "#c9d1d9"}})

    # The layer key in one row over the scene; the right column holds the step's caption (the longest, 20
    # lines, fits a 768 px window), the credit below it; the clearance colour bar stands at the scene's right edge.
    labels = surface_labels(model)
    key = "&nbsp;&nbsp; ".join(f"<span style='color:{PALETTE[name]}'>\u25A0</span> {labels[name]}"
                               for name in INTERFACES)
    notes.append({"name": "key", "text": key, "xref": "paper", "yref": "paper", "x": COURSE_SCENE["x"][0],
                  "y": COURSE_SCENE["y"][1] + 0.005, "xanchor": "left", "yanchor": "bottom", "showarrow": False,
                  "font": {"size": 16, "color": TEXT}})
    caption_at = len(notes)
    notes.append({"name": "caption", "text": "", "xref": "paper", "yref": "paper", "x": CAPTION_X,
                  "y": COURSE_SCENE["y"][1], "xanchor": "left", "yanchor": "top", "align": "left",
                  "showarrow": False, "font": {"size": 16, "color": TEXT}})
    notes.append({"name": "credit", "text": f"facelayers {__version__}: a schematic model<br>for teaching, "
                  "not for clinical use", "xref": "paper", "yref": "paper", "x": 0.995, "y": 0.14,
                  "xanchor": "right", "yanchor": "bottom", "align": "right", "showarrow": False,
                  "font": {"size": 16, "color": "#c9d1d9"}})

    def step_caption(board, step) -> str:
        # The raised flap re-cuts three layers (megabytes): this file shows the skin before it is lifted.
        flap = ("<br><i>" + _wrap("(In lesson 04 the flap is raised here; this file shows the skin before it "
                                  "is lifted.)") + "</i>") if step.state().flap_mm > 0 else ""
        return (f"<b>{board.title.split(',')[0]}, step {step.number} of {len(board)}</b><br>"
                f"{_wrap(step.caption)}{flap}<br><br><b>Nerves at risk:</b><br>"
                f"{_wrap(nerve_names(anatomy, step.nerves_at_risk))}")

    # The step slider: both storyboards, one after the other.
    slider_steps, step_ids = [], []
    for board, step in steps:
        s = step.state()
        visible = [s.shown(INTERFACES[k]) for k in layers] + [True] * len(nerve_index)
        visible += [k in techniques.get(s.technique, ()) for k in tech_index]
        colours, opacity = nerve_style(s.pick)
        line_colour = [None] * len(layers) + colours + [
            fig.data[k].line.color if fig.data[k].type == "scatter3d" else None for k in tech_index]
        opacities = [None] * len(layers) + opacity + [None] * len(tech_index)
        layout = {"scene.camera": CAMERAS[s.camera], "title.text": f"Step {step.number}: {step.title}",
                  f"annotations[{caption_at}].text": step_caption(board, step),
                  f"updatemenus[{menu_at['peel']}].active": s.peel,
                  f"updatemenus[{menu_at['nerves']}].active": 0}
        if s.technique in techniques:
            layout[f"updatemenus[{menu_at['technique']}].active"] = list(techniques).index(s.technique)
        layout[f"updatemenus[{menu_at['camera']}].active"] = list(CAMERAS).index(s.camera)
        slider_steps.append({"label": str(step.number), "method": "update",
                             "args": [{"visible": visible, "line.color": line_colour, "opacity": opacities},
                                      layout, list(range(n))]})
        step_ids.append([board.storyboard_id, step.number])

    slider_x, slider_len = COURSE_SCENE["x"][0], 0.995 - COURSE_SCENE["x"][0]
    slider = {"name": "step", "active": 0, "steps": slider_steps, "x": slider_x, "len": slider_len,
              "y": 0.0, "yanchor": "bottom", "xanchor": "left", "pad": {"t": 4, "b": 6, "l": 0, "r": 0},
              "currentvalue": {"visible": False}, "font": {"size": 16, "color": TEXT},
              "bgcolor": BUTTON_BG, "activebgcolor": "#F4FAFF", "bordercolor": BUTTON_BORDER,
              "tickcolor": TEXT, "ticklen": 6}
    # A name over each storyboard's run of steps (the slider's ticks are evenly spaced).
    count = len(slider_steps)
    done = 0
    for board in boards.values():
        mid = (done + (len(board) - 1) / 2) / max(count - 1, 1)
        notes.append({"name": "menu:storyboard", "text": f"<b>{board.title.split(',')[0]}</b>: steps",
                      "xref": "paper", "yref": "paper", "x": slider_x + 0.02 + mid * (slider_len - 0.04),
                      "y": 0.085, "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                      "font": {"size": 17, "color": TEXT}})
        done += len(board)

    if start is first:
        board, step = steps[0]
        title = f"Step {step.number}: {step.title}"
        notes[caption_at]["text"] = step_caption(board, step)
        active = 0
    else:
        title = "facelayers: the layers, nerves, planes and procedures of the face"
        notes[caption_at]["text"] = _wrap("Move the Step slider to replay a procedure step by step.")
        active = 0
    slider["active"] = active

    coloraxis = clearance_coloraxis()
    coloraxis["colorbar"].update({"x": COURSE_SCENE["x"][1], "xanchor": "right", "y": 0.5, "yanchor": "middle",
                                  "len": 0.4, "thickness": 18, "outlinewidth": 0})
    # Assigned, not passed to update_layout: that would merge the new lists into lesson 01's item by item.
    fig.layout.updatemenus, fig.layout.annotations, fig.layout.sliders = menus, notes, [slider]
    fig.update_layout(
        title={"text": title, "x": 0.01, "y": 0.985, "yanchor": "top", "font": {"size": 26}}, coloraxis=coloraxis,
        margin={"l": 0, "r": 0, "t": COURSE_MARGIN_TOP, "b": 0},
        scene={"camera": CAMERAS[start.camera], "domain": COURSE_SCENE},
        meta={"course": {"layers": layers, "nerves": nerve_index, "techniques": techniques, "steps": step_ids}},
    )
    for part in COURSE_PARTS:
        part(fig, model, start)
    return fig


#: What other lessons add to the course file, in order (:func:`add_course_part`).
COURSE_PARTS: list[Callable[[go.Figure, FaceModel, ViewState], None]] = []


def add_course_part(part: Callable[[go.Figure, FaceModel, ViewState], None]):
    """Have :func:`course_offline_figure` call ``part(fig, model, state)`` once the course figure is built.

    A part may add traces (``fig.add_traces``), menus (``fig.layout.updatemenus += (...)``), sliders or
    animation frames (``fig.frames``): all run in the browser without a kernel, and every numpy array it
    adds (trace data, button or slider args, frames) is stored once and deflated like the rest of the file
    (:mod:`facelayers.delivery.offline_page`). The course's own trace indices are in ``fig.layout.meta["course"]``;
    its slider's steps restyle only those traces, so a part's traces keep their state across steps. Returns
    ``part``, so it can be used as a decorator.
    """
    if part not in COURSE_PARTS:
        COURSE_PARTS.append(part)
    return part


#: Where the Case menu starts (paper fraction), right of the Expression menu in the column's last row.
CASE_X = 0.112


def add_expression_menus(fig: go.Figure, model: FaceModel, state: ViewState | None = None) -> None:
    """The course's Expression and Case dropdowns and their frames (a course part).

    The two dropdowns go side by side at the foot of the left column (the hint moves below them) and open
    upward; a choice redraws the face in the page and writes the expression, the deficit and its
    House-Brackmann grade in the caption (the next step of the slider writes its own again). The frames and
    the page's script are :mod:`facelayers.delivery.expression_offline`'s.

    Parameters
    ----------
    fig : go.Figure
        The course figure (:func:`course_offline_figure`).
    model : FaceModel
    state : ViewState, optional
        Unused: the course opens at rest, on the intact face.
    """
    from facelayers.delivery.expression_offline import SCRIPT, menu_labels, page_data

    annotations = list(fig.layout.annotations)
    at = {a.name: k for k, a in enumerate(annotations)}
    hint = annotations[at["menu:hint"]]
    top = (1 - hint.y) * COURSE_PAPER_PX - 6  # px below the top where the column's last menu ended
    y_title = 1 - (top + MENU_TITLE_PX) / COURSE_PAPER_PX
    hint.y = 1 - (top + MENU_TITLE_PX + 4 + BUTTON_ROW_PX + MENU_GAP_PX + 6) / COURSE_PAPER_PX
    where = {"direction": "up", "xanchor": "left", "y": y_title - 4 / COURSE_PAPER_PX, "yanchor": "top"}
    expressions, cases = menu_labels()
    menus = [_menu([{"label": label, "method": "skip", "args": []} for label in expressions], 0,
                   name="expression", x=0.006, **where),
             _menu([{"label": label, "method": "skip", "args": []} for label in cases], 0,
                   name="case", x=CASE_X, **where)]
    for menu in menus:
        menu["type"] = "dropdown"
    data = page_data(fig, model, at["caption"])
    fig.layout.updatemenus = tuple(fig.layout.updatemenus) + tuple(menus)
    fig.layout.annotations = annotations + [_menu_title("Expression", 0.006, y_title, "menu:expression"),
                                            _menu_title("Case", CASE_X, y_title, "menu:case")]
    add_page_part(fig, SCRIPT, data)


add_course_part(add_expression_menus)


register(Lesson("course", "00", "The whole course: layers, nerves, planes and procedures", course_offline_figure,
                layers_meshes, aliases=("all",)))


# ----------------------------------------------------------------------------------------------------
# Checking the arguments


def check_format(fmt: str | None, out: Path) -> str:
    """The format: ``fmt``, or the one ``out``'s suffix names; ``out`` must end in that format's suffix."""
    suffix = out.suffix.lower()
    allowed = ", ".join(FORMATS)
    if fmt is None:
        for name, ext in FORMATS.items():
            if suffix == ext:
                return name
        raise ExportError(f"--out {str(out)!r}: the name must end in {', '.join(FORMATS.values())} "
                          f"(or give --format, one of {allowed})")
    if fmt not in FORMATS:
        raise ExportError(f"--format {fmt!r} is not known; allowed: {allowed}")
    if suffix != FORMATS[fmt]:
        raise ExportError(f"--out {str(out)!r} does not end in {FORMATS[fmt]}; allowed for --format {fmt}: "
                          f"a file name ending in {FORMATS[fmt]}")
    return fmt


def output_paths(out: Path, fmt: str) -> list[Path]:
    """The files an export writes: ``out``, or for STL one file per surface, ``<stem>-<surface>.stl``."""
    if fmt == "stl":
        return [out.with_name(f"{out.stem}-{name}.stl") for name in INTERFACES]
    return [out]


OUT_ALLOWED = "a file path in an existing, writable folder"


def check_out_folder(out: Path) -> None:
    """``out`` is not a folder, and its folder exists."""
    folder = out.parent
    if out.is_dir():
        raise ExportError(f"--out {str(out)!r} is a folder; allowed: {OUT_ALLOWED}")
    if not folder.exists():
        raise ExportError(f"--out {str(out)!r}: folder {str(folder)!r} does not exist; allowed: {OUT_ALLOWED}")
    if not folder.is_dir():
        raise ExportError(f"--out {str(out)!r}: {str(folder)!r} is not a folder; allowed: {OUT_ALLOWED}")


def check_out(out: Path, fmt: str) -> None:
    """``out`` must be a file path in an existing folder where we can create files (for STL, every part)."""
    check_out_folder(out)
    folder, allowed = out.parent, OUT_ALLOWED
    for path in output_paths(out, fmt):
        if path.is_dir():
            raise ExportError(f"--out {str(out)!r}: {str(path)!r} would be written and is a folder; "
                              f"allowed: {allowed}")
    try:  # the real test (permissions, read-only mounts, root): create and remove a temporary file there
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".facelayers-check-"):
            pass
    except OSError as exc:
        raise ExportError(f"--out {str(out)!r}: cannot write in folder {str(folder)!r} "
                          f"({exc.strerror or exc}); allowed: {allowed}") from None


def check_resolution(resolution: str) -> str:
    if resolution not in RESOLUTIONS:
        raise ExportError(f"--resolution {resolution!r} is not known; allowed: {', '.join(RESOLUTIONS)}")
    return resolution


def check_max_mb(max_mb: float | None) -> float | None:
    """A size budget must be a positive, finite number of MB (or None: no budget)."""
    if max_mb is None:
        return None
    if isinstance(max_mb, bool) or not isinstance(max_mb, (int, float)) or not math.isfinite(max_mb) or max_mb <= 0:
        raise ExportError(f"--max-mb {max_mb!r} is not a size; allowed: a positive number of MB (10**6 bytes), "
                          "or none for no budget")
    return float(max_mb)


def _patient(state: ViewState | None):
    """The patient a view names (None: the reference patient, the data tables as they are)."""
    return None if state is None else state.patient


def read_view(path: Path | None) -> ViewState:
    if path is None:
        return ViewState()
    try:
        return load_view(path)
    except ViewFileError as exc:
        raise ExportError(f"--view {exc}") from None


# ----------------------------------------------------------------------------------------------------
# Writers


def plotly_js_version() -> str:
    """The plotly.js version the installed plotly package carries (``"4.1.1"`` for plotly 7.1)."""
    from plotly.offline import get_plotlyjs_version

    return get_plotlyjs_version()


def plotly_js_source(figure: dict) -> tuple[bytes, str, tuple[str, ...]]:
    """The plotly.js an export embeds: the vendored gl3d bundle when it is the installed plotly's version and
    draws every trace type of ``figure``, else plotly's full bundle (and a note saying why).

    Returns
    -------
    source : bytes
        UTF-8 JavaScript, with plotly's CDN address (its default topojson URL, never used here) removed.
    name : str
        ``"plotly.js-gl3d-dist-min 4.1.1"`` or ``"plotly.js 4.1.1 (full bundle)"``.
    notes : tuple of str
        Empty with the gl3d bundle; otherwise one line for the user.
    """
    from plotly.offline import get_plotlyjs

    version = plotly_js_version()
    others = needs_full_bundle(figure)
    if version == GL3D_VERSION and not others:
        source, name, notes = gl3d_bundle(), f"plotly.js-gl3d-dist-min {GL3D_VERSION}", ()
    else:
        why = (f"trace types {', '.join(others)} need it" if others else
               f"the vendored gl3d bundle is plotly.js {GL3D_VERSION}, the installed plotly carries {version}")
        source, name = get_plotlyjs().encode("utf-8"), f"plotly.js {version} (full bundle)"
        notes = (f"using plotly.js's full bundle ({len(source) / 1e6:.2f} MB before deflate): {why}",)
    return source.replace(PLOTLY_CDN.encode(), b""), name, notes


@dataclass(frozen=True)
class HtmlPage:
    """An offline page: its ``text``, what was packed (:class:`facelayers.delivery.offline_page.PackedFigure`), and
    notes for the user (which plotly.js)."""

    text: str
    packed: PackedFigure
    notes: tuple[str, ...] = ()

    @property
    def size_bytes(self) -> int:
        return len(self.text.encode("utf-8"))


#: The attribute of a ``go.Figure`` that holds its page parts (:func:`add_page_part`).
PAGE_PARTS = "_facelayers_page_parts"


def add_page_part(fig: go.Figure, script: str, data: dict) -> None:
    """Give an offline figure a page part: JavaScript the page runs once the figure is drawn.

    Parameters
    ----------
    fig : go.Figure
    script : str
        The body of ``function (div, Plotly, data)``; it may return a promise (the page is ``drawn`` once
        it settles).
    data : dict
        JSON-ready, numpy arrays anywhere (1D arrays arrive as typed arrays; stored once with the figure's).

    Raises
    ------
    TypeError
        A script that is not a non-empty str, or data that is not a dict: the message names it.
    """
    if not isinstance(script, str) or not script.strip():
        raise TypeError(f"add_page_part: script {script!r:.40}; allowed: JavaScript source, a non-empty str")
    if not isinstance(data, dict):
        raise TypeError(f"add_page_part: data {type(data).__name__} {data!r:.40}; allowed: a dict (JSON-ready, "
                        "numpy arrays anywhere)")
    parts = getattr(fig, PAGE_PARTS, None)
    if parts is None:
        parts = []
        setattr(fig, PAGE_PARTS, parts)
    parts.append((script, data))


def html_page(fig: go.Figure, title: str) -> HtmlPage:
    """A figure as one self-contained HTML page (:mod:`facelayers.delivery.offline_page`): its arrays stored once,
    delta-filtered and deflated with plotly.js, inflated in the browser; page parts
    (:func:`add_page_part`) run after it is drawn. Same input, same bytes."""
    figure = fig.to_dict()
    source, name, notes = plotly_js_source(figure)
    packed = pack(figure, {**CONFIG, "responsive": True}, source, name, tuple(getattr(fig, PAGE_PARTS, ())))
    return HtmlPage(page_html(packed, title, BACKGROUND, TEXT), packed, notes)


def html_text(fig: go.Figure, title: str) -> str:
    """The text of :func:`html_page`."""
    return html_page(fig, title).text


def write_file(path: Path, data: bytes) -> None:
    """Every file an export writes goes through here; callers pass the temporary path that
    :func:`facelayers.core.atomic.atomic_output` gives (removed on an error, SIGTERM or SIGINT), never the target."""
    path.write_bytes(data)



def export_html(lesson: Lesson, out: Path, resolution: str = "lecture", state: ViewState | None = None,
                max_mb: float | None = MAX_HTML_MB) -> ExportResult:
    """Write the lesson's offline HTML at ``resolution``'s grid, never scaled down.

    Parameters
    ----------
    max_mb : float or None
        A size budget (MB = 10**6 bytes, the whole file). When the page is larger, nothing is written and
        :class:`ExportError` says how large it is and what would fit (a coarser ``--resolution``).
    """
    nu, nv = resolve_resolution(resolution)
    model = build_face(resolution=(nu, nv), patient=_patient(state))  # the view's patient, if it names one
    page = html_page(lesson.figure(model, state), f"facelayers: {lesson.title}")
    data = page.text.encode("utf-8")
    size = len(data)
    if max_mb is not None and size > max_mb * 1e6:
        fits = []
        for name, grid in RESOLUTIONS.items():
            if grid[0] * grid[1] < nu * nv:
                smaller = html_page(lesson.figure(build_face(resolution=name, patient=_patient(state)), state),
                                    lesson.title).size_bytes
                if smaller <= max_mb * 1e6:
                    fits.append(f"--resolution {name} ({smaller / 1e6:.2f} MB)")
        raise ExportError(f"--max-mb {max_mb:g}: lesson {lesson.number} at the {resolution} grid ({nu}x{nv}) needs "
                          f"{size / 1e6:.2f} MB; allowed: --max-mb {math.ceil(size / 1e4) / 100:.2f} or more"
                          + (f", or {' or '.join(fits)}" if fits else "") + "; nothing was written")
    with atomic_output(out) as tmp:
        write_file(tmp, data)
    js = page.packed.header["script"][1]
    notes = [f"{lesson.number} {lesson.title}: grid {nu}x{nv}, {size / 1e6:.2f} MB "
             f"({page.packed.header['plotlyjs']} {js / 1e6:.2f} MB and {page.packed.array_bytes / 1e6:.2f} MB of "
             f"arrays, {len(page.packed.header['arrays'])} stored once each, deflated to "
             f"{len(page.packed.blob) / 1e6:.2f} MB, base64)", *page.notes]
    return ExportResult((out,), size, tuple(notes))


def find_chromium() -> str:
    """The browser kaleido drives: ``$BROWSER_PATH`` if set, else Debian's chromium."""
    wanted = os.environ.get("BROWSER_PATH") or CHROMIUM
    found = shutil.which(wanted) or shutil.which("chromium")
    if not found:
        raise ExportError(f"--format png needs chromium ({wanted}), which is missing: apt-get install -y chromium",
                          status=1)
    return found


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_figure(fig: go.Figure, size: tuple[int, int] = PNG_SIZE) -> go.Figure:
    """A lesson's figure as a still: no menus, sliders or their titles; the scene fills the frame."""
    fig = go.Figure(fig)
    fig.layout.updatemenus = []
    fig.layout.sliders = []
    fig.layout.annotations = [a for a in fig.layout.annotations if not (a.name or "").startswith("menu")]
    fig.update_layout(width=size[0], height=size[1], autosize=False)
    fig.layout.scene.domain = {"x": [0.0, 1.0], "y": [0.0, 1.0]}
    return fig


def export_png(lesson: Lesson, out: Path, resolution: str = "lecture", state: ViewState | None = None,
               size: tuple[int, int] = PNG_SIZE) -> ExportResult:
    """A still of the lesson's figure (menus removed) in the given view, rendered by plotly's kaleido.

    kaleido drives a headless chromium through choreographer, which finds it through ``$BROWSER_PATH``:
    set here to Debian's chromium (:data:`CHROMIUM`) unless the caller set it.
    """
    browser = find_chromium()
    try:
        import kaleido  # noqa: F401  (plotly's own error for a missing kaleido names no extra)
    except ImportError:
        raise ExportError("--format png needs kaleido, which is missing: pip install 'facelayers[export]'",
                          status=1) from None
    model = build_face(resolution=resolution, patient=_patient(state))
    fig = png_figure(lesson.figure(model, state), size)
    previous = os.environ.get("BROWSER_PATH")
    os.environ["BROWSER_PATH"] = previous or browser
    try:
        data = pio.to_image(fig, format="png", width=size[0], height=size[1], scale=1, validate=False)
    except Exception as exc:  # kaleido's errors are many (browser, timeout, javascript): one line for the user
        raise ExportError(f"--format png: kaleido failed with {browser}: {type(exc).__name__}: "
                          f"{str(exc).strip().splitlines()[-1] if str(exc).strip() else 'no message'}",
                          status=1) from None
    finally:
        if previous is None:
            os.environ.pop("BROWSER_PATH", None)
    if not data.startswith(PNG_SIGNATURE):
        raise ExportError("--format png: kaleido returned no PNG", status=1)
    with atomic_output(out) as tmp:
        write_file(tmp, data)
    written = out.stat().st_size
    return ExportResult((out,), written, (f"{lesson.number} {lesson.title}: {size[0]}x{size[1]} px, "
                                          f"{written / 1e6:.2f} MB",))


def _trimesh():
    try:
        import trimesh
    except ImportError:
        raise ExportError("--format glb/obj/stl needs trimesh, which is missing: pip install 'facelayers[export]'",
                          status=1) from None
    return trimesh


def to_format_frame(vertices: np.ndarray, faces: np.ndarray, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    """Vertices and faces in the format's convention (see the module docstring). Each mapping swaps or
    flips one axis, which mirrors the winding: the faces are reversed so their normals still point out."""
    x, y, z = vertices[:, 0], vertices[:, 1], vertices[:, 2]
    if fmt == "glb":
        v = np.stack([x, z, y], axis=1) / 1000.0
    elif fmt == "obj":
        v = np.stack([x, z, y], axis=1)
    elif fmt == "stl":
        v = np.stack([x, -y, z], axis=1)
    else:
        raise ValueError(f"format {fmt!r}: allowed {', '.join(MESH_FORMATS)}")
    return v.astype(np.float64), np.ascontiguousarray(faces[:, ::-1])


def _rgba(hex_colour: str) -> list[int]:
    h = hex_colour.lstrip("#")
    return [int(h[i:i + 2], 16) for i in (0, 2, 4)] + [255]


def export_meshes(lesson: Lesson, out: Path, fmt: str, resolution: str = "lecture",
                  state: ViewState | None = None) -> ExportResult:
    """glb / obj: one file, a scene of named meshes; stl: one file per mesh (``<stem>-<surface>.stl``)."""
    trimesh = _trimesh()
    model = build_face(resolution=resolution, patient=_patient(state))
    meshes = {}
    for name, (verts, faces) in lesson.meshes(model, state).items():
        v, f = to_format_frame(verts, faces, fmt)
        colour = _rgba(PALETTE.get(name.split(":")[-1], "#cccccc"))
        mesh = trimesh.Trimesh(v, f, process=False)
        if fmt == "glb":
            mesh.visual = trimesh.visual.TextureVisuals(material=trimesh.visual.material.PBRMaterial(
                name=name, baseColorFactor=colour, metallicFactor=0.0, roughnessFactor=0.7, doubleSided=True))
        elif fmt == "obj":
            mesh.visual = trimesh.visual.ColorVisuals(mesh, vertex_colors=np.tile(colour, (len(v), 1)))
        meshes[name] = mesh
    files: dict[Path, bytes] = {}
    if fmt == "stl":
        for path, (name, mesh) in zip(output_paths(out, fmt), meshes.items()):
            files[path] = trimesh.exchange.stl.export_stl(mesh)
    else:
        scene = trimesh.Scene()
        for name, mesh in meshes.items():
            scene.add_geometry(mesh, geom_name=name, node_name=name)
        if fmt == "glb":
            files[out] = trimesh.exchange.gltf.export_glb(scene)
        else:
            header = (f"facelayers {__version__}: {lesson.title}; mm, +Y up, +Z anterior, +X the subject's left; "
                      "one object per layer")
            text = trimesh.exchange.obj.export_obj(scene, include_normals=False, include_texture=False,
                                                   include_color=True, header=header)
            files[out] = text.encode("utf-8")
    with ExitStack() as stack:  # every file is complete before any is moved into place
        temps = {path: stack.enter_context(atomic_output(path)) for path in files}
        for path, data in files.items():
            write_file(temps[path], data)
    total = sum(len(d) for d in files.values())
    n_vertices = sum(len(m.vertices) for m in meshes.values())
    names = ", ".join(meshes)
    what = f"{len(files)} files" if len(files) > 1 else "1 file"
    return ExportResult(tuple(files), total, (f"{lesson.number} {lesson.title}: {what}, {len(meshes)} meshes "
                                              f"({names}), {n_vertices} vertices, {total / 1e6:.2f} MB",))


# ----------------------------------------------------------------------------------------------------
# Entry point


def export(lesson: str, out: str | os.PathLike, fmt: str | None = None, resolution: str = "lecture",
           view: str | os.PathLike | None = None, max_mb: float | None = MAX_HTML_MB) -> ExportResult:
    """Export a lesson; every argument is checked first, so a bad one writes nothing.

    Parameters
    ----------
    lesson : str
        A name or number in :data:`LESSONS` (``"layers"`` or ``"01"``).
    out : path
        The file to write; its folder must exist. For STL, the stem of the per-layer files.
    fmt : str, optional
        ``html``, ``png``, ``glb``, ``obj`` or ``stl``; default: from ``out``'s suffix.
    resolution : str
        ``coarse``, ``lecture`` (default) or ``fine``: the model's grid, never scaled down.
    view : path, optional
        A saved view (:mod:`facelayers.teaching.views`): the initial view of HTML and PNG, the cutaway of meshes.
    max_mb : float or None
        HTML size budget in MB (10**6 bytes, the whole file); a page over it is an :class:`ExportError` that
        names its size and the coarser grids that fit, and nothing is written. None: no budget.

    Raises
    ------
    ExportError
        One line naming the argument, the value and what is allowed (``status`` 2), or a missing tool or a
        failed run (``status`` 1).
    """
    found = find_lesson(str(lesson))
    out = Path(out)
    check_out_folder(out)
    fmt = check_format(fmt, out)
    check_out(out, fmt)
    resolution = check_resolution(resolution)
    state = read_view(Path(view) if view is not None else None)
    if fmt == "html":
        return export_html(found, out, resolution, state, check_max_mb(max_mb))
    if fmt == "png":
        return export_png(found, out, resolution, state)
    return export_meshes(found, out, fmt, resolution, state)
