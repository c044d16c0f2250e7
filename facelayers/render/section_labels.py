"""Labels of the 2D cross-section that never run together: the regions along its top, the layer-4 key line.

The regions a cut crosses are named along the top of :func:`facelayers.render.face.section_figure`. Their widths are
estimated in pixels (15 px type) at the narrowest plot the stage gives the section (about 540 px wide: a 1366 px
laptop with JupyterLab's file browser open, less the figure's margins) and placed longest run first on up to two
rows; a label that fits on neither is left out (the region is still in the key of the 3D view and in the hover).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

__all__ = ["LABEL_FONT_PX", "NARROWEST_PLOT_PX", "layer4_key_text", "place_region_labels", "region_annotations"]

#: Type size of the region labels, px, and the average width of one character at that size (DejaVu Sans).
LABEL_FONT_PX = 15
CHAR_PX = 0.58 * LABEL_FONT_PX
#: Space kept between two labels on a row, px.
GAP_PX = 12
#: The narrowest plot area the section is drawn in (figure width less its left and right margins), px.
NARROWEST_PLOT_PX = 540
#: Height of a row of labels, px.
ROW_PX = 22


def place_region_labels(runs: Sequence[tuple[str, float, float]], labels: Mapping[str, str], length_mm: float, *,
                        plot_px: float = NARROWEST_PLOT_PX, min_run_mm: float = 20.0,
                        rows: int = 2) -> list[tuple[str, float, int]]:
    """Where each region's label goes along the top of the section, none overlapping another on its row.

    Parameters
    ----------
    runs : sequence of (region id, start mm, end mm)
        The cut's runs of one region (:meth:`facelayers.model.section.Section.runs`).
    labels : mapping of region id -> str
        The text of each region's label.
    length_mm : float, mm
        The cut's length (the x axis runs from 0 to it).
    plot_px : float, px
        The plot's width the labels must fit in (default: the narrowest the stage draws).
    min_run_mm : float, mm
        Shorter runs are not labelled.
    rows : int
        Rows of labels available (1 or more).

    Returns
    -------
    list of (text, centre mm, row)
        Sorted by centre; row 0 is the one nearest the skin. The label's estimated extent,
        ``centre +/- (len(text) * CHAR_PX + GAP_PX) / 2 * length_mm / plot_px``, lies within [0, length_mm] and
        overlaps no other label of its row.

    Raises
    ------
    ValueError
        If ``length_mm`` or ``plot_px`` is not > 0, or ``rows`` < 1.
    """
    if not length_mm > 0 or not plot_px > 0 or rows < 1:
        raise ValueError(f"place_region_labels: length_mm = {length_mm!r}, plot_px = {plot_px!r}, rows = {rows!r}; "
                         "allowed: length_mm > 0, plot_px > 0, rows >= 1")
    mm_per_px = length_mm / plot_px
    taken: list[list[tuple[float, float]]] = [[] for _ in range(rows)]
    out = []
    for rid, start, end in sorted(runs, key=lambda r: (-(r[2] - r[1]), r[1])):
        if end - start < min_run_mm:
            continue
        text = labels[rid]
        half = (len(text) * CHAR_PX + GAP_PX) / 2 * mm_per_px
        if 2 * half > length_mm:
            continue
        centre = min(max((start + end) / 2, half), length_mm - half)
        lo, hi = centre - half, centre + half
        for row in range(rows):
            if all(hi <= a or lo >= b for a, b in taken[row]):
                taken[row].append((lo, hi))
                out.append((text, centre, row))
                break
    return sorted(out, key=lambda t: t[1])


def region_annotations(placed: Sequence[tuple[str, float, int]], bottom_mm: float, height_px: float,
                       margin_px: float = 150.0) -> tuple[list[dict], float]:
    """Plotly annotations of placed region labels, and the top of the depth axis that makes room for them.

    Parameters
    ----------
    placed : sequence of (text, centre mm, row)
        From :func:`place_region_labels`.
    bottom_mm : float, mm
        The bottom of the (reversed) depth axis.
    height_px : float, px
        The figure's height.
    margin_px : float, px
        Its top and bottom margins together.

    Returns
    -------
    annotations : list of dict
        One per label, in data coordinates, bottom-anchored 0.6 mm above the skin (row 0) or a row higher.
    top_mm : float, mm
        The top of the depth axis (negative: above the skin): -4 with one row, more with two.
    """
    n = 1 + max((row for _, _, row in placed), default=0)
    share = ROW_PX / max(height_px - margin_px, 100.0) * n  # the part of the axis the rows take
    top = min(-4.0, -(0.9 + share * bottom_mm) / (1.0 - share))
    row_mm = ROW_PX * (bottom_mm - top) / max(height_px - margin_px, 100.0)
    notes = [{"x": centre, "y": -0.6 - row * row_mm, "xref": "x", "yref": "y", "showarrow": False, "text": text,
              "font": {"size": LABEL_FONT_PX}, "yanchor": "bottom"} for text, centre, row in placed]
    return notes, top


def layer4_key_text(thickness_mm: float, space: str) -> str:
    """The key line of layer 4 at the dashed line: its thickness and the space it is there, "layer 4" said once.

    Parameters
    ----------
    thickness_mm : float, mm
    space : str
        The space's name (e.g. "Loose areolar plane (layer 4)"; a trailing "(layer 4)" is dropped).

    Returns
    -------
    str
        E.g. ``"Layer 4 (in the muscle band): 0.8 mm<br>   loose areolar plane"``.
    """
    name = re.sub(r"\s*\(layer 4\)\s*$", "", space, flags=re.IGNORECASE).strip()
    name = name[:1].lower() + name[1:] if name[1:2].islower() else name
    return f"Layer 4 (in the muscle band): {thickness_mm:.1f} mm<br>   {name}"
