"""A JupyterLab server on loopback for the real-browser tests, started in its own process group and stopped with
its kernels. conftest.py serves the repository with it (the session server); a test module that needs a lesson
to itself serves a copy from a temporary directory (test_quiz_click.py)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

#: Settings for a test server only (its own user-settings dir): never autosave a run notebook, whose outputs
#: (and plotly's 5 MB bundle in the widget state) would otherwise land in the working tree; no news toast.
TEST_USER_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
}


@dataclass
class LabServer:
    url: str
    root: Path
    log_path: Path
    proc: subprocess.Popen = field(repr=False)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    """Stop a server and its kernels: they share the process group we gave the server."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass


@contextmanager
def serve_lab(root: Path, home: Path, timeout_s: float = 120.0) -> Iterator[LabServer]:
    """JupyterLab serving ``root`` on a free loopback port, with its config, data, runtime and settings under
    ``home`` (the user's ~/.jupyter and ~/.local/share/jupyter stay out). Yields once /api/status answers."""
    port = free_port()
    log_path = home / "jupyter-lab.log"
    args = [
        str(Path(sys.prefix) / "bin" / "jupyter"), "lab", "--no-browser",
        "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        "--IdentityProvider.token=", "--ServerApp.password=",
        "--LabApp.expose_app_in_browser=True",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={home / 'user-settings'}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
    ]  # fmt: skip
    if os.getuid() == 0:
        args.append("--allow-root")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython")}
    for relative, values in TEST_USER_SETTINGS.items():
        settings_file = home / "user-settings" / relative
        settings_file.parent.mkdir(parents=True, exist_ok=True)
        settings_file.write_text(json.dumps(values), encoding="utf-8")
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(args, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    server = LabServer(url=f"http://127.0.0.1:{port}", root=root, log_path=log_path, proc=proc)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{server.log()}", pytrace=False)
            try:
                with urllib.request.urlopen(f"{server.url}/api/status", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not answer /api/status within {timeout_s:g} s:\n{server.log()}",
                            pytrace=False)
            time.sleep(0.25)
        yield server
    finally:
        stop(proc)


@contextmanager
def serve_voila(root: Path, lesson: str, home: Path, timeout_s: float = 120.0) -> Iterator[LabServer]:
    """Voila serving ``lesson`` (a path under ``root``) on a free loopback port as `make present` does: code hidden,
    dark theme, the facelayers template (Voila's lab template without its CDN links, found through JUPYTER_PATH).
    Config, runtime and IPython dirs under ``home``. Yields once the port accepts a connection (a bare connection:
    GET / would already start a kernel and render the lesson)."""
    port = free_port()
    log_path = home / "voila.log"
    args = [str(Path(sys.prefix) / "bin" / "voila"), lesson, "--no-browser", f"--port={port}",
            "--Voila.ip=127.0.0.1", "--strip_sources=True", "--template=facelayers", "--theme=dark"]
    jupyter_path = os.pathsep.join(p for p in [str(root / "share" / "jupyter"), os.environ.get("JUPYTER_PATH")] if p)
    env = {**os.environ, "JUPYTER_PATH": jupyter_path, "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython")}
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(args, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    server = LabServer(url=f"http://127.0.0.1:{port}", root=root, log_path=log_path, proc=proc)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                pytest.fail(f"voila exited with {proc.returncode}:\n{server.log()}", pytrace=False)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"voila did not listen within {timeout_s:g} s:\n{server.log()}", pytrace=False)
            time.sleep(0.25)
        yield server
    finally:
        stop(proc)
