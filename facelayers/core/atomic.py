"""Files written all at once: a temporary file beside the target, moved onto it only when complete.

:func:`atomic_output` yields a temporary path in the target's folder (a short name, ``.<8 hex>.tmp<suffix>``,
so that a target name of any legal length still has a legal temporary name) and moves it onto the target
with ``os.replace`` when the block ends without an error. On an error, a ``KeyboardInterrupt`` (SIGINT) or
:class:`Terminated` (SIGTERM, once :func:`install_signal_handlers` has run), the temporary file is removed
and the old target is left as it was: a reader never sees half a file.

The command line (:mod:`facelayers.delivery.cli`) installs the handlers, so that ``kill`` or Ctrl-C during an export
leaves no temporary file and prints one line. The standard library only.
"""

from __future__ import annotations

import os
import secrets
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["Terminated", "atomic_output", "install_signal_handlers", "temporary_name"]

#: The longest suffix kept on a temporary file (tools choose a format by it: ``.html``, ``.glb``).
_SUFFIX_MAX = 10

#: Temporary files being written now, removed by the signal handler as well as by the writer.
_LIVE: set[Path] = set()


class Terminated(BaseException):
    """SIGTERM arrived (raised by the handler :func:`install_signal_handlers` installs).

    A ``BaseException`` like ``KeyboardInterrupt``, so that ``except Exception`` does not swallow it and every
    ``finally`` and context manager on the way out runs (removing temporary files).

    Attributes
    ----------
    signum : int
        The signal's number (15).
    """

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(f"terminated by signal {signum}")
        self.signum = signum


def temporary_name(path: str | os.PathLike) -> Path:
    """A fresh temporary path beside ``path``: ``.<8 hex digits>.tmp<suffix>``, at most 23 characters.

    Parameters
    ----------
    path : str or path-like
        The target file.

    Returns
    -------
    Path
        In the target's folder; keeps the target's suffix when it is short (``.html``), else none.
    """
    path = Path(path)
    suffix = path.suffix if len(path.suffix) <= _SUFFIX_MAX else ""
    return path.with_name(f".{secrets.token_hex(4)}.tmp{suffix}")


@contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    """Write a file all at once.

    Parameters
    ----------
    path : str or path-like
        The target; its folder must exist.

    Yields
    ------
    Path
        A temporary file in the same folder, created empty (mode 0666 less the umask, like a plain ``open``).
        Write to it inside the block; it is moved onto ``path`` when the block ends without an error, and
        removed when it raises (any exception, ``KeyboardInterrupt``, :class:`Terminated`).

    Raises
    ------
    OSError
        The temporary file cannot be created (a missing or read-only folder); nothing is written.
    """
    path = Path(path)
    tmp = temporary_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    os.close(fd)
    _LIVE.add(tmp)
    try:
        yield tmp
        with open(tmp, "rb") as done:
            os.fsync(done.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        _LIVE.discard(tmp)


def _on_signal(signum: int, frame) -> None:
    """Remove the temporary files being written, then unwind: KeyboardInterrupt or :class:`Terminated`."""
    for tmp in list(_LIVE):
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(signum)


def install_signal_handlers() -> None:
    """Make SIGTERM and SIGINT unwind the program (removing temporary files on the way).

    SIGINT raises ``KeyboardInterrupt`` and SIGTERM :class:`Terminated`; both remove every temporary file of
    :func:`atomic_output` first. Only in the main thread (Python's rule for signal handlers); elsewhere a no-op.
    """
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _on_signal)
