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

import os
from pathlib import Path

try:
    import plotly.graph_objects  # noqa: F401  (every figure here is plotly's: a clear error below without it)
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("facelayers.delivery.export needs plotly: pip install 'facelayers[lessons]'") from exc

from facelayers.delivery.arguments import (
    MAX_HTML_MB,
    ExportError,
    check_format,
    check_max_mb,
    check_out,
    check_out_folder,
    check_resolution,
    read_view,
)
from facelayers.delivery.course import add_course_part
from facelayers.delivery.html_page import add_page_part
from facelayers.delivery.lessons import LESSONS, find_lesson
from facelayers.delivery.writers import ExportResult, export_html, export_meshes, export_png

#: The documented API (README "Exports"): the entry point, its error and result, the lessons it knows, and how
#: another lesson adds to the course file and its page.
__all__ = ["LESSONS", "ExportError", "ExportResult", "add_course_part", "add_page_part", "export", "find_lesson"]

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
