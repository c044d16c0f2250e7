"""Figure themes: the dark stage (the default), a high-contrast projector theme and a light print theme.

Every figure builder of the package draws the dark stage; :func:`apply_theme` restyles any finished figure (2D
or 3D) for another setting, and the themes are also registered as plotly templates (``facelayers_projector``,
``facelayers_print``) for figures of one's own. The layer colours stay the colour-blind-safe palette of
:mod:`facelayers.render.face` in every theme (checked by :func:`facelayers.render.access.palette_distances`). Apply a theme
to a ``go.Figure`` before wrapping it in a FigureWidget (TECH_NOTES: changes after construction are lost in Voila).
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from facelayers.render.face import BACKGROUND, FONT, TEXT

__all__ = ["THEMES", "apply_theme", "theme_names"]

#: Per theme: background, text colour, font size (px), axis/grid line colour, annotation box colour.
THEMES: dict[str, dict] = {
    "stage": {"background": BACKGROUND, "text": TEXT, "size": FONT["size"], "grid": "#3a4048",
              "box": "rgba(21,25,31,0.85)"},
    # Black and white, larger type: reads from the back of a lecture theatre on a washed-out projector.
    "projector": {"background": "#000000", "text": "#FFFFFF", "size": 24, "grid": "#9a9a9a",
                  "box": "rgba(0,0,0,0.9)"},
    # White paper, black type, smaller: handouts and slides with a light background.
    "print": {"background": "#FFFFFF", "text": "#000000", "size": 14, "grid": "#b0b0b0",
              "box": "rgba(255,255,255,0.9)"},
}


def theme_names() -> tuple[str, ...]:
    """The names :func:`apply_theme` accepts."""
    return tuple(THEMES)


def _axis(spec: dict) -> dict:
    return {"color": spec["text"], "gridcolor": spec["grid"], "zerolinecolor": spec["grid"],
            "linecolor": spec["text"], "tickfont": {"color": spec["text"], "size": spec["size"] - 2}}


def apply_theme(fig: go.Figure, theme: str = "stage") -> go.Figure:
    """Restyle a figure for a setting (in place; returned for chaining).

    Parameters
    ----------
    fig : go.Figure
    theme : {"stage", "projector", "print"}

    Returns
    -------
    go.Figure

    Raises
    ------
    ValueError
        For an unknown theme, listing the known ones.
    """
    if theme not in THEMES:
        raise ValueError(f"theme = {theme!r}; allowed: {', '.join(THEMES)}")
    spec = THEMES[theme]
    font = {**FONT, "color": spec["text"], "size": spec["size"]}
    fig.update_layout(paper_bgcolor=spec["background"], plot_bgcolor=spec["background"], font=font,
                      legend={"font": {"color": spec["text"]}, "bgcolor": spec["box"]},
                      hoverlabel={"bgcolor": spec["background"], "font": {"color": spec["text"]}})
    fig.update_xaxes(**_axis(spec))
    fig.update_yaxes(**_axis(spec))
    fig.update_scenes(bgcolor=spec["background"], xaxis=_axis(spec), yaxis=_axis(spec), zaxis=_axis(spec))
    for annotation in fig.layout.annotations or ():
        annotation.font = {**(annotation.font.to_plotly_json() if annotation.font else {}), "color": spec["text"]}
        if annotation.bgcolor:
            annotation.bgcolor = spec["box"]
    if fig.layout.title and fig.layout.title.text:
        fig.layout.title.font = {"color": spec["text"], "size": spec["size"] + 2}
    return fig


def _register() -> None:
    """The themes as plotly templates (``facelayers_<name>``), for figures built outside the package."""
    for name, spec in THEMES.items():
        template = go.layout.Template()
        template.layout = go.Layout(paper_bgcolor=spec["background"], plot_bgcolor=spec["background"],
                                    font={**FONT, "color": spec["text"], "size": spec["size"]},
                                    xaxis=_axis(spec), yaxis=_axis(spec))
        pio.templates[f"facelayers_{name}"] = template


_register()
