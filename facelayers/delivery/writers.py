"""The files an export writes: the offline HTML page, a PNG still (kaleido), meshes (glb, obj, stl; trimesh).

Every write is atomic (:func:`facelayers.teaching.views.atomic_output`) and goes through :func:`write_file`.
"""

from __future__ import annotations

import math
import os
import shutil
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from facelayers import __version__
from facelayers.delivery.arguments import MAX_HTML_MB, MESH_FORMATS, ExportError, output_paths, view_patient
from facelayers.delivery.html_page import html_page
from facelayers.delivery.lessons import Lesson
from facelayers.model.geometry import RESOLUTIONS, build_face, resolve_resolution
from facelayers.render.face import PALETTE
from facelayers.teaching.state import ViewState
from facelayers.teaching.views import atomic_output

__all__ = ["CHROMIUM", "PNG_SIGNATURE", "PNG_SIZE", "ExportResult", "export_html", "export_meshes", "export_png",
           "find_chromium", "png_figure", "to_format_frame", "write_file"]

#: The PNG still (px): 16:9, a slide.
PNG_SIZE = (1920, 1080)
#: Debian's chromium (``apt-get install -y chromium``); flags from docs TECH_NOTES (WebGL via SwiftShader).
CHROMIUM = "/usr/bin/chromium"


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote.

    Attributes
    ----------
    paths : tuple of pathlib.Path
        The files written.
    size_bytes : int
        Their total size, bytes.
    notes : tuple of str
        Lines for the user (sizes, the grid used).
    """

    paths: tuple[Path, ...]
    size_bytes: int
    notes: tuple[str, ...] = ()


def write_file(path: Path, data: bytes) -> None:
    """Write one file of an export: every file an export writes goes through here.

    Parameters
    ----------
    path : pathlib.Path
        The temporary path that :func:`facelayers.core.atomic.atomic_output` gives (removed on an error,
        SIGTERM or SIGINT), never the target.
    data : bytes
        The whole file.
    """
    path.write_bytes(data)


def export_html(lesson: Lesson, out: Path, resolution: str = "lecture", state: ViewState | None = None,
                max_mb: float | None = MAX_HTML_MB) -> ExportResult:
    """Write the lesson's offline HTML at ``resolution``'s grid, never scaled down.

    Parameters
    ----------
    lesson : facelayers.delivery.lessons.Lesson
    out : pathlib.Path
        The file to write, already checked (:mod:`facelayers.delivery.arguments`).
    resolution : str
        A key of :data:`facelayers.model.geometry.RESOLUTIONS`: the model's grid.
    state : ViewState, optional
        The initial view (and the patient it names).
    max_mb : float or None
        A size budget (MB = 10**6 bytes, the whole file). When the page is larger, nothing is written and
        :class:`ExportError` says how large it is and what would fit (a coarser ``--resolution``).

    Returns
    -------
    ExportResult
        ``out``, its size and a note with the grid, the size and what it holds.

    Raises
    ------
    ExportError
        The page is over ``max_mb``.
    """
    nu, nv = resolve_resolution(resolution)
    model = build_face(resolution=(nu, nv), patient=view_patient(state))  # the view's patient, if it names one
    page = html_page(lesson.figure(model, state), f"facelayers: {lesson.title}")
    data = page.text.encode("utf-8")
    size = len(data)
    if max_mb is not None and size > max_mb * 1e6:
        fits = []
        for name, grid in RESOLUTIONS.items():
            if grid[0] * grid[1] < nu * nv:
                smaller = html_page(lesson.figure(build_face(resolution=name, patient=view_patient(state)), state),
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
    """The browser kaleido drives: ``$BROWSER_PATH`` if set, else Debian's chromium.

    Returns
    -------
    str
        The browser's path.

    Raises
    ------
    ExportError
        No such browser (``status`` 1), saying how to install it.
    """
    wanted = os.environ.get("BROWSER_PATH") or CHROMIUM
    found = shutil.which(wanted) or shutil.which("chromium")
    if not found:
        raise ExportError(f"--format png needs chromium ({wanted}), which is missing: apt-get install -y chromium",
                          status=1)
    return found


#: The first bytes of every PNG file.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_figure(fig: go.Figure, size: tuple[int, int] = PNG_SIZE) -> go.Figure:
    """A lesson's figure as a still: no menus, sliders or their titles; the scene fills the frame.

    Parameters
    ----------
    fig : go.Figure
        An offline figure (left unchanged).
    size : (int, int)
        Width and height, px.

    Returns
    -------
    go.Figure
        A copy.
    """
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

    Parameters
    ----------
    lesson : facelayers.delivery.lessons.Lesson
    out : pathlib.Path
        The file to write, already checked (:mod:`facelayers.delivery.arguments`).
    resolution : str
        A key of :data:`facelayers.model.geometry.RESOLUTIONS`: the model's grid.
    state : ViewState, optional
        The initial view (and the patient it names).
    size : (int, int)
        Width and height, px.

    Returns
    -------
    ExportResult

    Raises
    ------
    ExportError
        chromium or kaleido missing, kaleido failing, or returning no PNG (``status`` 1).
    """
    browser = find_chromium()
    try:
        import kaleido  # noqa: F401  (plotly's own error for a missing kaleido names no extra)
    except ImportError:
        raise ExportError("--format png needs kaleido, which is missing: pip install 'facelayers[export]'",
                          status=1) from None
    model = build_face(resolution=resolution, patient=view_patient(state))
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
    """Vertices and faces in the format's convention (see :mod:`facelayers.delivery.export`).

    Each mapping swaps or flips one axis, which mirrors the winding: the faces are reversed so their normals
    still point out.

    Parameters
    ----------
    vertices : (n, 3) float ndarray, mm, head frame
        x to the subject's left, y anterior, z up.
    faces : (m, 3) int ndarray
    fmt : {"glb", "obj", "stl"}
        glb: metres, +Y up, +Z anterior; obj: the same axes in mm; stl: mm, DICOM LPS.

    Returns
    -------
    vertices : (n, 3) float64 ndarray
    faces : (m, 3) int ndarray
        Each triangle's winding reversed.

    Raises
    ------
    ValueError
        Another format.
    """
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
    """Write the lesson's meshes: glb and obj one file, a scene of named meshes; stl one file per mesh.

    Parameters
    ----------
    lesson : facelayers.delivery.lessons.Lesson
    out : pathlib.Path
        The file to write; for stl the stem of ``<stem>-<surface>.stl``.
    fmt : {"glb", "obj", "stl"}
    resolution : str
        A key of :data:`facelayers.model.geometry.RESOLUTIONS`: the model's grid.
    state : ViewState, optional
        Its cutaway is applied (and its patient built).

    Returns
    -------
    ExportResult

    Raises
    ------
    ExportError
        trimesh is missing (``status`` 1).
    """
    trimesh = _trimesh()
    model = build_face(resolution=resolution, patient=view_patient(state))
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

