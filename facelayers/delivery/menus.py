"""The controls of an offline page: plotly ``updatemenus`` styled for the dark stage, their titles, typed arrays.

The buttons run in the browser without a kernel; their arguments may carry numpy arrays as plotly.js typed
arrays (:func:`typed_array`), several times smaller than JSON lists.
"""

from __future__ import annotations

import base64

import numpy as np

from facelayers.render.face import FONT, TEXT
from facelayers.teaching.state import CAMERAS, SURGEON_CAMERAS, ViewState

__all__ = ["BUTTON_BG", "BUTTON_BORDER", "BUTTON_TEXT", "MENU_FONT", "button_menu", "camera_names", "menu_title",
           "short_label", "typed_array"]

#: Buttons on the dark stage. plotly paints the active button #F4FAFF whatever the menu's colours, so the
#: buttons are light with dark text: the active one reads brightest.
BUTTON_BG = "#A9B4C2"
BUTTON_TEXT = "#101418"
BUTTON_BORDER = "#5C6773"
#: The buttons' type size (px); a menu's title is 1 px larger.
MENU_FONT = 17


def typed_array(array: np.ndarray, dtype: np.dtype) -> dict:
    """A plotly.js typed-array spec (base64), as plotly.py writes trace arrays.

    Used inside button args, which plotly.py would otherwise write as JSON lists of numbers (several times
    larger).

    Parameters
    ----------
    array : (n,) array-like
        The values.
    dtype : numpy dtype
        ``uint16``, ``uint32`` or ``float32``: the array's type in the page (written little-endian).

    Returns
    -------
    dict
        ``{"dtype": "u2" | "u4" | "f4", "bdata": base64 str}``.

    Raises
    ------
    KeyError
        Another dtype.
    """
    code = {np.dtype(np.uint16): "u2", np.dtype(np.uint32): "u4", np.dtype(np.float32): "f4"}[np.dtype(dtype)]
    data = np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<"))
    return {"dtype": code, "bdata": base64.b64encode(data.tobytes()).decode("ascii")}


def short_label(label: str) -> str:
    """A label up to its first parenthesis, for a button: ``"Cheek (parotid-masseteric)"`` -> ``"Cheek"``.

    Parameters
    ----------
    label : str

    Returns
    -------
    str
    """
    return label.split(" (")[0]


def button_menu(buttons: list[dict], active: int, **where) -> dict:
    """A plotly ``updatemenus`` entry styled for the dark stage (light buttons, dark text).

    Parameters
    ----------
    buttons : list of dict
        plotly buttons (``label``, ``method``, ``args``).
    active : int
        Index of the button shown active.
    **where
        More of the menu: ``name``, ``direction``, ``x``, ``y`` (paper fractions), anchors, ``type``.

    Returns
    -------
    dict
        ``type`` ``"buttons"`` unless ``where`` says otherwise.
    """
    return {"type": "buttons", "buttons": buttons, "active": active, "showactive": True,
            "bgcolor": BUTTON_BG, "bordercolor": BUTTON_BORDER, "borderwidth": 1,
            "font": {"size": MENU_FONT, "color": BUTTON_TEXT, "family": FONT["family"]},
            "pad": {"l": 2, "r": 2, "t": 2, "b": 2}, **where}


def menu_title(text: str, x: float, y: float, name: str, **extra) -> dict:
    """A menu's title: a bold annotation whose bottom-left corner is at (``x``, ``y``) in paper fractions.

    Parameters
    ----------
    text : str
        The title (HTML-escaped by the caller if needed).
    x, y : float
        Paper fractions, 0 to 1.
    name : str
        The annotation's name; ``"menu:..."`` marks it as a menu's, which a PNG still leaves out.
    **extra
        More of the annotation (``xanchor``...).

    Returns
    -------
    dict
        A plotly layout annotation.
    """
    return {"name": name, "text": f"<b>{text}</b>", "xref": "paper", "yref": "paper", "x": x, "y": y,
            "xanchor": "left", "yanchor": "bottom", "showarrow": False,
            "font": {"size": MENU_FONT + 1, "color": TEXT}, **extra}


def camera_names(state: ViewState, surgeon: bool = False) -> list[str]:
    """The camera presets a figure offers.

    Parameters
    ----------
    state : ViewState
        Its camera is always offered.
    surgeon : bool
        Offer every preset, also those that look into a raised flap
        (:data:`facelayers.teaching.state.SURGEON_CAMERAS`).

    Returns
    -------
    list of str
        Keys of :data:`facelayers.teaching.state.CAMERAS`, in their order.
    """
    return [c for c in CAMERAS if surgeon or c not in SURGEON_CAMERAS or c == state.camera]
