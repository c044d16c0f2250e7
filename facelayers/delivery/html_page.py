"""A plotly figure as one offline HTML page: which plotly.js it embeds, its page parts, the page's text.

The packing (arrays stored once, deflated with plotly.js) is :mod:`facelayers.delivery.offline_page`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from facelayers.delivery.offline_page import GL3D_VERSION, PackedFigure, gl3d_bundle, needs_full_bundle, pack, page_html
from facelayers.render.face import BACKGROUND, TEXT

__all__ = ["CONFIG", "PAGE_PARTS", "PLOTLY_CDN", "HtmlPage", "add_page_part", "html_page", "html_text",
           "plotly_js_source", "plotly_js_version"]

#: plotly.js's CDN, which an offline file must not name.
PLOTLY_CDN = "https://cdn.plot.ly/"
#: plotly config of every exported figure: no plotly logo (and so no link to plotly's site).
CONFIG = {"displaylogo": False}


def plotly_js_version() -> str:
    """The plotly.js version the installed plotly package carries (``"4.1.1"`` for plotly 7.1)."""
    from plotly.offline import get_plotlyjs_version

    return get_plotlyjs_version()


def plotly_js_source(figure: dict) -> tuple[bytes, str, tuple[str, ...]]:
    """The plotly.js an export embeds, and why.

    The vendored gl3d bundle when it is the installed plotly's version and draws every trace type of
    ``figure``, else plotly's full bundle (and a note saying why).

    Parameters
    ----------
    figure : dict
        The figure as ``go.Figure.to_dict()`` gives it.

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
    """An offline page, what was packed into it and notes for the user.

    Attributes
    ----------
    text : str
        The whole HTML file.
    packed : facelayers.delivery.offline_page.PackedFigure
        The figure's arrays and plotly.js, stored once and deflated.
    notes : tuple of str
        Lines for the user (which plotly.js, when not the vendored gl3d bundle).
    """

    text: str
    packed: PackedFigure
    notes: tuple[str, ...] = ()

    @property
    def size_bytes(self) -> int:
        """The file's size in bytes (UTF-8)."""
        return len(self.text.encode("utf-8"))


#: The attribute of a ``go.Figure`` that holds its page parts (:func:`add_page_part`).
PAGE_PARTS = "_facelayers_page_parts"


def add_page_part(fig: go.Figure, script: str, data: dict) -> None:
    """Give an offline figure a page part: JavaScript the page runs once the figure is drawn.

    Parameters
    ----------
    fig : go.Figure
        The offline figure; its parts are kept on it (attribute :data:`PAGE_PARTS`).
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
    """A figure as one self-contained HTML page (:mod:`facelayers.delivery.offline_page`).

    Its arrays are stored once, delta-filtered and deflated with plotly.js, inflated in the browser; page parts
    (:func:`add_page_part`) run after it is drawn. Same input, same bytes.

    Parameters
    ----------
    fig : go.Figure
    title : str
        The page's ``<title>``.

    Returns
    -------
    HtmlPage
    """
    figure = fig.to_dict()
    source, name, notes = plotly_js_source(figure)
    packed = pack(figure, {**CONFIG, "responsive": True}, source, name, tuple(getattr(fig, PAGE_PARTS, ())))
    return HtmlPage(page_html(packed, title, BACKGROUND, TEXT), packed, notes)


def html_text(fig: go.Figure, title: str) -> str:
    """The text of :func:`html_page`.

    Parameters
    ----------
    fig : go.Figure
    title : str
        The page's ``<title>``.

    Returns
    -------
    str
        The whole HTML file.
    """
    return html_page(fig, title).text

