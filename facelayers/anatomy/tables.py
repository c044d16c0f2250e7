"""Plain-text tables of the data for lessons (rounded, deterministic: nbval checks them)."""

from __future__ import annotations

from facelayers.anatomy.load import Anatomy
from facelayers.core.frame import LAYERS

_STATUS = {"measured": "m", "derived": "d", "schematic": "s"}


def thickness_text(anatomy: Anatomy, decimals: int = 1) -> str:
    """Thickness (mm) of each layer by region, with the total and a provenance letter per value.

    Letters: m = measured (a number straight from a source), d = derived from sourced numbers,
    s = schematic (no published figure; the reason is in data/thickness.csv).

    Parameters
    ----------
    anatomy : Anatomy
        The data (:func:`facelayers.anatomy.load.load_anatomy`).
    decimals : int
        Digits after the point (mm).

    Returns
    -------
    str
        A header line, one line per region (the five layers and the total, mm), and a key to the letters.
    """
    heads = [anatomy.layers[k].label if k in anatomy.layers else k for k in LAYERS]
    short = {"Subcutaneous fat": "Fat", "Deep fascia and muscle": "Muscle"}
    heads = [short.get(h, h) for h in heads]
    width = 11
    lines = [f"{'Region':<28}" + "".join(f"{h:>{width}}" for h in heads) + f"{'Total':>{width}}"]
    table = anatomy.thickness_table()
    for r, (rid, region) in enumerate(anatomy.regions.items()):
        cells = []
        for k, layer in enumerate(LAYERS):
            row = anatomy.thickness_row(rid, layer)
            cells.append(f"{table[r, k]:.{decimals}f} {_STATUS[row.status]}".rjust(width))
        lines.append(f"{region.label:<28}" + "".join(cells) + f"{table[r].sum():>{width}.{decimals}f}")
    lines.append("m measured, d derived from sourced numbers, s schematic (sources and reasons: the thickness table)")
    return "\n".join(lines)


#: The widest line a printed table writes (characters): it fits JupyterLab's output at 1366 px with the file
#: browser open, so the page never wraps it inside a word.
TEXT_WIDTH = 100


def layers_text(anatomy: Anatomy) -> str:
    """The layer stack, outermost first, with the classic layer each one corresponds to.

    Parameters
    ----------
    anatomy : Anatomy

    Returns
    -------
    str
        One row per layer: its order, label, classic layer and contents, the contents wrapped between words at
        :data:`TEXT_WIDTH` characters under their own column (an output area wrapped a long line inside a word:
        "leva/tor anguli oris").
    """
    import textwrap

    rows = []
    for layer in anatomy.layers.values():
        head = f"{layer.order}. {layer.label:<24} "
        rows.append(textwrap.fill(f"({layer.classic_layer}) {layer.contents}", TEXT_WIDTH, initial_indent=head,
                                  subsequent_indent=" " * len(head), break_long_words=False,
                                  break_on_hyphens=False))
    return "\n".join(rows)
