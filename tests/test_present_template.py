"""`make present` serves the lessons with the facelayers Voila template (share/jupyter/nbconvert/templates/facelayers):
Voila's lab template without its CDN links, because a lecture hall may be offline. These tests render the pages
Voila would serve, in-process and without a kernel, and look for anything a browser would fetch from another host.
The real-browser check (every request of a served lesson stays on loopback) is in tests/browser/test_lab.py."""

from __future__ import annotations

import asyncio
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytest.importorskip("voila")
import jinja2  # noqa: E402
import nbformat  # noqa: E402
from voila.exporter import VoilaExporter  # noqa: E402
from voila.paths import collect_template_paths  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARE = REPO / "share" / "jupyter"
TEMPLATE = "facelayers"
LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
#: XML namespace and DTD identifiers (Voila's SVG spinner, its metadata): names, never fetched.
IDENTIFIER_HOSTS = {"www.w3.org", "purl.org", "creativecommons.org"}
URL = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s"'<>)`]*""")


class _Anchors(HTMLParser):
    """The href of every <a>: a link the reader may follow, not something the page loads."""

    def __init__(self):
        super().__init__()
        self.hrefs: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.update(value for name, value in attrs if name == "href" and value)


def external_urls(html: str) -> list[str]:
    """URLs of other hosts in a page (in a tag, a script or a style), except links and XML identifiers."""
    anchors = _Anchors()
    anchors.feed(html)
    found = []
    for url in URL.findall(html):
        host = urlsplit(url if "://" in url else "http:" + url).hostname or ""
        if host in LOOPBACK or host in IDENTIFIER_HOSTS or url in anchors.hrefs:
            continue
        found.append(url)
    return sorted(set(found))


@pytest.fixture
def template_paths(monkeypatch) -> list[str]:
    """The template search path `voila --template=facelayers` uses, with JUPYTER_PATH set as `make present` sets it."""
    monkeypatch.setenv("JUPYTER_PATH", str(SHARE))
    return collect_template_paths(["voila", "nbconvert"], TEMPLATE, prune=True)


def render_lesson(notebook: Path, template_paths: list[str]) -> str:
    """The lesson page as Voila renders it with `--strip_sources=True --theme=dark`, cells left unexecuted."""
    nb = nbformat.read(notebook, as_version=4)
    exporter = VoilaExporter(
        template_paths=template_paths, template_name=TEMPLATE, theme="dark", base_url="/", show_margins=False
    )
    exporter.exclude_input = exporter.exclude_output_prompt = exporter.exclude_input_prompt = True

    async def kernel_start(nb):
        return "00000000-0000-0000-0000-000000000000"

    async def cell_generator(nb, kernel_id):
        for cell in nb.cells:
            yield cell

    async def render() -> str:
        page = []
        resources = {"base_url": "/", "theme": "dark", "template": TEMPLATE, "metadata": {"name": notebook.stem}}
        context = {
            "frontend": "voila", "main_js": "voila.js", "kernel_start": kernel_start,
            "cell_generator": cell_generator, "notebook_execute": None, "progressive_rendering": False,
        }  # fmt: skip
        async for snippet, _ in exporter.generate_from_notebook_node(
            nb, resources=resources, extra_context=context, page_config={}
        ):
            page.append(snippet)
        return "".join(page)

    return asyncio.run(render())


def render_page(name: str, template_paths: list[str], **context) -> str:
    """A page of Voila's own jinja environment (the lesson menu, the error pages)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_paths), extensions=["jinja2.ext.i18n"], autoescape=True
    )
    env.install_null_translations(newstyle=False)
    url = lambda path: f"/voila/templates/{TEMPLATE}/{path}"  # noqa: E731
    return env.get_template(name).render(
        base_url="/", theme="dark", frontend="voila", page_config={"fullStaticUrl": "/voila/static"},
        include_css=lambda path: jinja2.utils.markupsafe.Markup(f'<link rel="stylesheet" href="{url(path)}">'),
        include_js=lambda path: jinja2.utils.markupsafe.Markup(f'<script src="{url(path)}"></script>'),
        include_lab_theme=lambda theme: "", **context,
    )  # fmt: skip


def test_the_scanner_finds_a_cdn_link_and_ignores_links_and_namespaces():
    page = (
        '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/x.css">'
        '<script>import("//cdnjs.cloudflare.com/x.mjs")</script>'
        '<a href="https://example.org/paper">a paper</a>'
        '<svg xmlns="http://www.w3.org/2000/svg"></svg><script src="/voila/static/voila.js"></script>'
        '<img src="http://127.0.0.1:8866/x.png">'
    )
    assert external_urls(page) == ["//cdnjs.cloudflare.com/x.mjs", "https://cdn.jsdelivr.net/npm/x.css"]


def test_the_template_extends_voilas_lab_template(template_paths):
    assert Path(template_paths[0]) == SHARE / "nbconvert" / "templates" / TEMPLATE
    assert any(Path(p).parts[-2:] == ("templates", "lab") for p in template_paths[1:]), template_paths


def test_no_voila_dir_of_our_own():
    """Voila serves /voila/api/themes (and reads settings schemas) from the first `<JUPYTER_PATH>/voila` that exists:
    a share/jupyter/voila here would shadow the installed one (its themes answer 404). Hence nbconvert/templates."""
    assert not (SHARE / "voila").exists()


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.stem)
def test_a_presented_lesson_fetches_nothing_from_another_host(notebook, template_paths):
    page = render_lesson(notebook, template_paths)
    assert external_urls(page) == []
    # What the lab template gives the page is still there: Voila's styles, the dark theme, the cell loop.
    for needed in ("voila-style.js", "static/index.css", "static/theme-dark.css", "theme-dark", "jupyter-config-data",
                   "voila_finish", f'cell-index="{len(nbformat.read(notebook, as_version=4).cells)}"'):  # fmt: skip
        assert needed in page, needed


@pytest.mark.parametrize("name", ["tree-lab.html", "404.html"])
def test_the_lesson_menu_and_error_pages_fetch_nothing_from_another_host(name, template_paths):
    page = render_page(
        name, template_paths, page_title="notebooks", breadcrumbs=[("/", "")], contents={"content": []}, query="",
        code=404, message="Not Found", status_code=404, status_message="Not Found", exception="",
    )  # fmt: skip
    assert external_urls(page) == []
    assert "static/theme-dark.css" in page
