"""The patients comparison as a figure: the layer column at each branch's danger point, per patient.

Pure: a :class:`facelayers.model.margins.MarginTable` in, a ``go.Figure`` out. For every site (frontal branch,
zygomatic branch, mandibular border) and patient, one column shows the patient's layers (stacked bars, depth
below the skin downward, along the skin's normal) at the same anatomical point in every patient
(:data:`facelayers.model.margins.SITE_LANDMARKS`), the dissection plane (a bar across the column) and the nerve
(a diamond), with the margin (the branch's closest approach to the plane anywhere) in mm written above. Trace
names are stable ids: ``band:<layer>``, ``plane:depth``, ``nerve:depth``.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from facelayers.anatomy.load import load_anatomy
from facelayers.core.frame import LAYERS
from facelayers.model.margins import MarginTable
from facelayers.render.face import BACKGROUND, FONT, PALETTE
from facelayers.render.structures import HIGHLIGHT, NERVE_COLOURS
from facelayers.render.themes import apply_theme

__all__ = ["margins_figure", "patient_tag"]


def patient_tag(index: int, patient, html: bool = False) -> str:
    """Short label of a patient: ``'A: woman, 75 y, BMI 19'`` (``html``: broken before the BMI, for an axis)."""
    who = "woman" if patient.sex == "female" else "man"
    sep = "<br>" if html else ", "
    return f"{chr(ord('A') + index)}: {who}, {patient.age:g} y{sep}BMI {patient.bmi:g}"


def margins_figure(table: MarginTable, *, theme: str = "stage", height: int = 560, width: int | None = None,
                   labels=None) -> go.Figure:
    """The layer columns, plane and nerve depths and margins of a patients comparison.

    Parameters
    ----------
    table : MarginTable
    theme : {"stage", "projector", "print"}
        See :mod:`facelayers.render.themes`.
    height : int, px
    width : int, px, optional
        None: the container's width (plotly autosize).
    labels : dict of layer id -> label, optional
        Names in the key (default: the labels of layers.csv).

    Returns
    -------
    go.Figure
        Traces ``band:skin`` ... ``band:periosteum`` (stacked bars), ``plane:depth``, ``nerve:depth``; one
        annotation per column with the margin (``'1.6 mm'``, or ``'not under the plane'``).
    """
    if labels is None:
        labels = {layer.layer_id: layer.label for layer in load_anatomy().layers.values()}
    sites, tags, rows = [], [], []
    for s, (_, site_label) in enumerate(table.sites):
        for p, patient in enumerate(table.patients):
            sites.append(site_label)
            tags.append(patient_tag(p, patient, html=True))
            rows.append(table.rows[p][s])
    x = [sites, tags]
    interfaces = np.array([m.interfaces_mm for m in rows], float)
    fig = go.Figure()
    for k, layer in enumerate(LAYERS):
        thickness = interfaces[:, k + 1] - interfaces[:, k]
        fig.add_trace(go.Bar(
            name=f"band:{layer}", x=x, y=thickness, base=interfaces[:, k], width=0.7, showlegend=False,
            marker={"color": PALETTE[layer], "line": {"color": "#000000", "width": 1}},
            hovertemplate=f"<b>{labels.get(layer, layer)}</b><br>%{{y:.1f}} mm thick, from %{{base:.1f}} mm"
                          "<extra></extra>"))
    fig.add_trace(go.Scatter(
        name="plane:depth", x=x, y=[m.plane_depth_mm for m in rows], mode="markers", showlegend=False,
        marker={"symbol": "line-ew-open", "size": 46, "color": HIGHLIGHT, "line": {"width": 5, "color": HIGHLIGHT}},
        hovertemplate="dissection plane %{y:.1f} mm below the skin<extra></extra>"))
    fig.add_trace(go.Scatter(
        name="nerve:depth", x=x, y=[m.nerve_depth_mm for m in rows], mode="markers", showlegend=False,
        marker={"symbol": "diamond", "size": 16, "color": NERVE_COLOURS["motor"],
                "line": {"width": 2, "color": "#000000"}},
        customdata=[load_anatomy().nerves[m.column_nerve_id].label if m.column_nerve_id else "" for m in rows],
        hovertemplate="%{customdata}: %{y:.1f} mm below the skin<extra></extra>"))
    deepest = float(np.nanmax(interfaces[:, -1])) if np.isfinite(interfaces).any() else 20.0
    annotations = []
    for i, m in enumerate(rows):
        text = "not under<br>the plane" if not np.isfinite(m.margin_mm) else f"closest <b>{m.margin_mm:.1f} mm</b>"
        annotations.append({"x": [sites[i], tags[i]], "y": -1.3, "xref": "x", "yref": "y", "text": text,
                            "showarrow": False, "font": {"size": FONT["size"] - 2}})
    # The key (plotly's legend would show the trace ids): layers, then the plane and the nerve.
    key = [(PALETTE[layer], "\u25A0", labels.get(layer, layer)) for layer in LAYERS]
    key += [(HIGHLIGHT, "\u2014", "dissection plane"), (NERVE_COLOURS["motor"], "\u25C6", "nerve")]
    for k, (colour, mark, text) in enumerate(key):
        annotations.append({"xref": "paper", "yref": "paper", "x": 1.02, "y": 1.0 - 0.075 * k, "xanchor": "left",
                            "yanchor": "top", "showarrow": False,
                            "text": f"<span style='color:{colour}'>{mark}</span> {text}",
                            "font": {"size": FONT["size"] - 3}})
    fig.update_layout(
        template="none", height=height, width=width, barmode="overlay", paper_bgcolor=BACKGROUND, plot_bgcolor=BACKGROUND,
        font=FONT, margin={"l": 80, "r": 215, "t": 70, "b": 110},
        title={"text": f"Margin of safety ({table.technique_label}): the layers at each branch's danger point; "
                       "above, its closest approach to the plane", "font": {"size": FONT["size"]}, "x": 0.01},
        yaxis={"title": {"text": "depth below the skin (mm)"}, "range": [deepest + 1.0, -2.6],
               "tickvals": list(range(0, int(deepest) + 2, 2))},
        xaxis={"type": "multicategory"}, annotations=annotations,
    )
    apply_theme(fig, theme)
    # Two-line patient labels under each column, level in every theme (a large projector font would tilt them).
    fig.update_xaxes(tickangle=0, tickfont={"size": 15})
    return fig
