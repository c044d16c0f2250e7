"""Fixtures for the real-browser tests: a JupyterLab server on loopback, headless Debian chromium, a page
that records console errors and any request that leaves the machine.

Environment:
    FACELAYERS_REQUIRE_BROWSER=1  fail (do not skip) when chromium or playwright is missing (CI sets it).
    FACELAYERS_LAB_ROOT           directory JupyterLab serves (default: the repository).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from servers import LabServer, serve_lab, serve_voila

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
MISSING_BROWSER = (
    "browser tests need Debian chromium and playwright: apt-get install -y chromium; pip install playwright; "
    "or run .ci/run"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--enable-unsafe-swiftshader",  # software WebGL for Mesh3d; --disable-software-rasterizer would turn it off
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Belt and braces: anything not on loopback goes to a dead proxy instead of the network (loopback bypasses
    # proxies). The page fixture still records such requests, and the tests assert there are none.
    "--proxy-server=http://127.0.0.1:9",
]
NO_NEWS = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

#: Seconds per phase, filled by the fixtures and tests, printed at the end of the run.
TIMINGS: dict[str, float] = {}


# --- browser and server -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    missing = []
    if not CHROMIUM.exists():
        missing.append(str(CHROMIUM))
    if importlib.util.find_spec("playwright") is None:
        missing.append("playwright")
    if missing:
        message = f"{MISSING_BROWSER} (missing: {', '.join(missing)})"
        if os.environ.get("FACELAYERS_REQUIRE_BROWSER") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return CHROMIUM


def _ensure_no_news_override() -> None:
    """JupyterLab's news toast covers the page unless the app-level overrides.json turns it off."""
    path = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    settings = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if all(settings.get(plugin, {}).get(k) == v for plugin, kv in NO_NEWS.items() for k, v in kv.items()):
        return
    for plugin, kv in NO_NEWS.items():
        settings.setdefault(plugin, {}).update(kv)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def lab_server(chromium_path, tmp_path_factory) -> Iterator[LabServer]:
    root = Path(os.environ.get("FACELAYERS_LAB_ROOT", REPO)).resolve()
    _ensure_no_news_override()
    t0 = time.monotonic()
    with serve_lab(root, tmp_path_factory.mktemp("jupyter")) as server:
        TIMINGS["lab server up"] = time.monotonic() - t0
        with urllib.request.urlopen(f"{server.url}/lab/api/settings/@jupyterlab/docmanager-extension:plugin") as r:
            autosave = json.load(r)["settings"].get("autosave")
        assert autosave is False, f"the test server would autosave notebooks (autosave={autosave!r})"
        yield server


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# --- page ---------------------------------------------------------------------------------------------------


def _is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https", "ws", "wss", "ftp"}:
        return True  # data:, blob:, about:, chrome-extension: never reach the network
    return parts.hostname in LOOPBACK_HOSTS


def _is_favicon_404(message: dict) -> bool:
    """The one console error we accept: a missing favicon."""
    return message["text"].startswith("Failed to load resource") and "favicon" in message["url"]


@dataclass
class PageLog:
    console: list[dict] = field(default_factory=list)  # every console message: type, text, url
    page_errors: list[str] = field(default_factory=list)  # uncaught exceptions in the page
    external_requests: list[str] = field(default_factory=list)  # every request not to 127.0.0.1 / localhost
    anywidget_timeouts: int = 0  # see ANYWIDGET_TIMEOUT

    @property
    def console_errors(self) -> list[str]:
        return [
            f"{m['text']} ({m['url']})" for m in self.console if m["type"] == "error" and not _is_favicon_404(m)
        ]

    #: anywidget (which plotly's FigureWidget runs on) rejects a model that has not started within 2 s
    #: (``AbortSignal.timeout(2000)`` in its runtime) with this error; on a busy 2-core machine plotly's 4.8 MB
    #: bundle can take longer to evaluate. It is anywidget's limit, not an error of ours, and every test that meets
    #: it still waits for the figure it drives: it is kept in ``anywidget_timeouts`` (and the report), not in
    #: ``page_errors``.
    ANYWIDGET_TIMEOUT = "[anywidget] Failed to initialize model."

    def record_page_error(self, text: str) -> None:
        """An uncaught page exception: anywidget's start-up timeout apart, a test failure."""
        if text.strip() == self.ANYWIDGET_TIMEOUT:
            self.anywidget_timeouts += 1
        else:
            self.page_errors.append(text)

    def report(self) -> str:
        lines = [f"console {m['type']}: {m['text']} ({m['url']})" for m in self.console]
        lines += [f"page error: {e}" for e in self.page_errors]
        lines += [f"anywidget start-up timeouts: {self.anywidget_timeouts}"] if self.anywidget_timeouts else []
        lines += [f"external request: {u}" for u in self.external_requests]
        return "\n".join(lines) or "(nothing recorded)"


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(browser, lab_server, page_log):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()

    def on_console(msg):
        page_log.console.append({"type": msg.type, "text": msg.text, "url": (msg.location or {}).get("url", "")})

    def on_request(url):
        if not _is_loopback(url):
            page_log.external_requests.append(url)

    page.on("console", on_console)
    page.on("pageerror", lambda err: page_log.record_page_error(str(err)))
    page.on("request", lambda request: on_request(request.url))
    page.on("websocket", lambda ws: on_request(ws.url))
    yield page
    context.close()


@pytest.fixture
def timings() -> dict[str, float]:
    """Record ``timings["phase"] = seconds``; printed at the end of the session."""
    return TIMINGS


# --- reporting ----------------------------------------------------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    if isinstance(funcargs.get("page_log"), PageLog):
        report.sections.append(("browser console and requests", funcargs["page_log"].report()))
    if isinstance(funcargs.get("lab_server"), LabServer):
        log = funcargs["lab_server"].log()
        report.sections.append(("jupyter lab log (last 200 lines)", "\n".join(log.splitlines()[-200:])))


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        terminalreporter.write_sep("-", "browser timings")
        for phase, seconds in TIMINGS.items():
            terminalreporter.write_line(f"{phase:<28} {seconds:6.1f} s")



@pytest.fixture(scope="session")
def voila_server(chromium_path, tmp_path_factory) -> Iterator[LabServer]:
    """`voila` serving lesson 01 on loopback, as `make present` does: code hidden, dark theme, and the facelayers
    template (Voila's lab template without its CDN links), found through JUPYTER_PATH."""
    lesson = "notebooks/01_layers_of_the_face.ipynb"
    with serve_voila(REPO, lesson, tmp_path_factory.mktemp("voila"), timeout_s=60) as server:
        yield server
