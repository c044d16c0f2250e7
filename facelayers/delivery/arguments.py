"""The export's arguments checked before anything is built: format, output path, resolution, size budget, view.

Every check raises :class:`ExportError`, one line naming the argument, the value and what is allowed, so a bad
argument writes nothing.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from facelayers.core.frame import INTERFACES
from facelayers.model.geometry import RESOLUTIONS
from facelayers.teaching.state import ViewState
from facelayers.teaching.views import ViewFileError, load_view

__all__ = ["FORMATS", "MAX_HTML_MB", "MESH_FORMATS", "OUT_ALLOWED", "ExportError", "check_format", "check_max_mb",
           "check_out", "check_out_folder", "check_resolution", "output_paths", "read_view", "view_patient"]

#: Output formats and the suffix ``--out`` must have.
FORMATS: dict[str, str] = {"html": ".html", "png": ".png", "glb": ".glb", "obj": ".obj", "stl": ".stl"}
#: The formats written as meshes (trimesh, the ``export`` extra).
MESH_FORMATS = ("glb", "obj", "stl")
#: Default size budget of an exported HTML file (MB = 10**6 bytes): none. A budget never scales the grid down:
#: an export over it is an error that says what would fit.
MAX_HTML_MB: float | None = None


class ExportError(Exception):
    """A problem the user can fix, in one line naming the argument, the value and what is allowed.

    Parameters
    ----------
    message : str
        The line for the user.
    status : int
        The command line's exit status: 2 (default) for a bad argument, 1 for a missing tool or a failed write.

    Attributes
    ----------
    status : int
    """

    def __init__(self, message: str, status: int = 2):
        super().__init__(message)
        self.status = status


def check_format(fmt: str | None, out: Path) -> str:
    """The format: ``fmt``, or the one ``out``'s suffix names; ``out`` must end in that format's suffix.

    Parameters
    ----------
    fmt : str or None
        A key of :data:`FORMATS`, or None: from ``out``'s suffix (any case).
    out : pathlib.Path
        The file to write.

    Returns
    -------
    str
        A key of :data:`FORMATS`.

    Raises
    ------
    ExportError
        An unknown ``fmt``, or an ``out`` whose suffix names no format or not ``fmt``'s.
    """
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
    """The files an export writes: ``out``, or for STL one file per surface, ``<stem>-<surface>.stl``.

    Parameters
    ----------
    out : pathlib.Path
        The ``--out`` path.
    fmt : str
        A key of :data:`FORMATS`.

    Returns
    -------
    list of pathlib.Path
        ``[out]``; for ``"stl"`` six paths beside it, in :data:`facelayers.core.frame.INTERFACES` order.
    """
    if fmt == "stl":
        return [out.with_name(f"{out.stem}-{name}.stl") for name in INTERFACES]
    return [out]


#: What ``--out`` may be, as the errors say it.
OUT_ALLOWED = "a file path in an existing, writable folder"


def check_out_folder(out: Path) -> None:
    """Check that ``out`` is not a folder and that its folder exists.

    Parameters
    ----------
    out : pathlib.Path

    Raises
    ------
    ExportError
        ``out`` is a folder, or its parent is missing or not a folder.
    """
    folder = out.parent
    if out.is_dir():
        raise ExportError(f"--out {str(out)!r} is a folder; allowed: {OUT_ALLOWED}")
    if not folder.exists():
        raise ExportError(f"--out {str(out)!r}: folder {str(folder)!r} does not exist; allowed: {OUT_ALLOWED}")
    if not folder.is_dir():
        raise ExportError(f"--out {str(out)!r}: {str(folder)!r} is not a folder; allowed: {OUT_ALLOWED}")


def check_out(out: Path, fmt: str) -> None:
    """Check that ``out`` is a file path in an existing folder where files can be created (for STL, every part).

    Parameters
    ----------
    out : pathlib.Path
    fmt : str
        A key of :data:`FORMATS` (STL writes :func:`output_paths`).

    Raises
    ------
    ExportError
        As :func:`check_out_folder`; a file to write that is a folder; a folder where a temporary file cannot
        be created (permissions, a read-only mount), with the system's reason.
    """
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
    """The model's grid named by ``--resolution``.

    Parameters
    ----------
    resolution : str
        A key of :data:`facelayers.model.geometry.RESOLUTIONS` (``coarse``, ``lecture``, ``fine``).

    Returns
    -------
    str
        ``resolution`` itself.

    Raises
    ------
    ExportError
        Another name, listing the known ones.
    """
    if resolution not in RESOLUTIONS:
        raise ExportError(f"--resolution {resolution!r} is not known; allowed: {', '.join(RESOLUTIONS)}")
    return resolution


def check_max_mb(max_mb: float | None) -> float | None:
    """A size budget, which must be a positive, finite number of MB (or None: no budget).

    Parameters
    ----------
    max_mb : float or None
        MB = 10**6 bytes, the whole file; a bool is not a number here.

    Returns
    -------
    float or None

    Raises
    ------
    ExportError
        Not a number, not finite, or not positive.
    """
    if max_mb is None:
        return None
    if isinstance(max_mb, bool) or not isinstance(max_mb, (int, float)) or not math.isfinite(max_mb) or max_mb <= 0:
        raise ExportError(f"--max-mb {max_mb!r} is not a size; allowed: a positive number of MB (10**6 bytes), "
                          "or none for no budget")
    return float(max_mb)


def view_patient(state: ViewState | None):
    """The patient a view names.

    Parameters
    ----------
    state : ViewState or None

    Returns
    -------
    facelayers.model.patient.Patient or None
        None: the reference patient, the data tables as they are (also for no state).
    """
    return None if state is None else state.patient


def read_view(path: Path | None) -> ViewState:
    """The view saved at ``--view`` (:func:`facelayers.teaching.views.load_view`).

    Parameters
    ----------
    path : pathlib.Path or None
        A view file (YAML); None: the default view.

    Returns
    -------
    ViewState

    Raises
    ------
    ExportError
        The view file's own error (file, line, field, value, what is allowed), after ``--view``.
    """
    if path is None:
        return ViewState()
    try:
        return load_view(path)
    except ViewFileError as exc:
        raise ExportError(f"--view {exc}") from None

