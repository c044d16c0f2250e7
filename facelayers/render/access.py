"""Accessibility: text alternatives of the figures, keyboard focus styles, and the palette's colour-blind check.

The text alternative of a figure is generated from what the figure is drawn from (the view state and the model),
never from the pixels, so it always says what is shown: which layers, which cut, which plane, which nerve is
picked and how close the plane comes to it. :func:`describe_view` is pure (numpy core); :func:`alt_text_widget`
and :func:`with_alt_text` (which import ipywidgets when called) put it beside a widget view as screen-reader text:
an ``ipywidgets.HTML`` whose content is a ``role="status"`` region with ``aria-live="polite"``, so a screen
reader announces each new description after a control changes the figure.

:data:`FOCUS_CSS` gives every control of our widgets a visible keyboard-focus ring (ipywidgets' own is faint or
missing on sliders and toggle buttons); :func:`page_helper_html` installs it in the page together with accessible
names for ipywidgets' slider handles (which ipywidgets leaves unnamed), and fits the figures made by
:func:`fit_figure` to their boxes. The figures :func:`fit_figure` makes start in the page through
:mod:`facelayers.render.figure_module` (plotly's bundle imported once per page, anywidget's 2 s start-up limit
always met, no message from Python lost while plotly loads; see ``StageFigure``).

:func:`palette_distances` simulates protanopia, deuteranopia and tritanopia (Machado, Oliveira & Fernandes 2009,
severity 1) on the layer colours and returns the smallest CIELAB difference between any two of them.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Mapping

import numpy as np

from facelayers.core.frame import INTERFACES, LAYERS

__all__ = [
    "ALT_TEXT_CLASS",
    "CVD_MATRICES",
    "FIGURE_HEIGHT_PX",
    "FIGURE_HEIGHT_RESERVE_PX",
    "FOCUS_CSS",
    "alt_text_html",
    "alt_text_widget",
    "describe_margins",
    "describe_view",
    "fit_figure",
    "without_echoed_arrays",
    "page_helper_html",
    "page_helper_widget",
    "palette_distances",
    "with_alt_text",
]

#: CSS class of the text-alternative region (tests and the browser scan find it by this).
ALT_TEXT_CLASS = "fl-alt-text"

_CAMERA_WORDS = {
    "front": "from the front", "left": "from the subject's left side", "right": "from the subject's right side",
    "oblique": "from the front-left, obliquely", "top": "from above", "incision": "from behind the left ear, "
    "looking forward along the facelift incision", "crown": "from above and behind the crown",
}


def _names(model, which) -> list[str]:
    labels = {layer.layer_id: layer.label for layer in model.anatomy.layers.values()}
    def lower(label: str) -> str:  # "Subcutaneous fat" -> "subcutaneous fat", "SMAS" stays
        return label[0].lower() + label[1:] if label[1:2].islower() else label

    return [lower(labels.get(name, name.capitalize())) if name != "bone" else "bone" for name in which]


def _join(words: list[str]) -> str:
    if not words:
        return "none"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def describe_view(model, state, paths: Mapping | None = None, placed=None, patient=None) -> str:
    """A text alternative of a 3D view of the face, from its state and model.

    Parameters
    ----------
    model : facelayers.model.geometry.FaceModel
    state : facelayers.teaching.state.ViewState
        What the figure shows (layers, peel, cutaway, cut, camera, pick, technique).
    paths : dict of (nerve_id, side) -> NervePath, optional
        The placed nerves; with a technique, the picked nerve's clearance is measured from them.
    placed : facelayers.model.techniques.PlacedTechnique, optional
        The technique as placed (default: placed from ``state.technique`` when ``paths`` is given).
    patient : facelayers.model.patient.Patient, optional
        Named in the text when given (default: ``state.patient``; None, the reference patient, is not named).

    Returns
    -------
    str
        A few plain sentences, e.g. ``"3D model of the layered face, seen from the front. Shown: skin, ...
        Picked: Zygomatic branch; the deep plane comes within 0.0 mm of it (crosses it): exposed."``
    """
    patient = patient if patient is not None else getattr(state, "patient", None)
    sentences = ["3D model of the layered face" + (f" of a {patient.label}" if patient is not None else "")
                 + f", seen {_CAMERA_WORDS.get(state.camera, state.camera)}."]
    shown = [n for i, n in enumerate(INTERFACES) if state.visible.get(n, True) and i >= state.peel]
    hidden = [n for n in INTERFACES if n not in shown]
    sentences.append(f"Shown: {_join(_names(model, shown))}."
                     + (f" Hidden or peeled away: {_join(_names(model, hidden))}." if hidden else ""))
    if shown == ["bone"]:  # the stage draws the skull itself then (facelayers.render.skull_stage)
        sentences.append("The bone is bare, drawn as the skull: the zygomatic arch standing free over the temporal "
                         "fossa, the mandible with its condyle, notch and coronoid, the orbits and the foramina.")
    if state.cutaway:
        cut = _names(model, LAYERS[:state.layers_cut])
        sentences.append(f"A cutaway window on the {state.cutaway} removes {_join(cut)}.")
    if state.section_kind == "horizontal":
        sentences.append(f"Cross-section: a horizontal cut at height {state.section_at:g} mm (the Frankfort plane "
                         "through the ear canal and the lower orbital rim is 0).")
    else:
        sentences.append(f"Cross-section: a vertical cut at {state.section_at:g} degrees from the midline.")
    if state.zones:
        sentences.append("Seckel's facial danger zones are outlined on the skin.")
    if state.ligaments:
        sentences.append("The retaining ligaments are marked.")
    technique = None
    if state.technique:
        technique = model.anatomy.technique(state.technique)
        layers = model.anatomy.layers
        planes = "; ".join(f"{p.label} ({layers[p.layer].label if p.layer in layers else p.layer}, "
                           f"fraction {p.fraction:g})" for p in technique.planes)
        sentences.append(f"Technique: {technique.label} ({technique.approach}); dissection plane: {planes}.")
        if state.flap_mm and technique.approach == "open":
            sentences.append(f"The flap is raised {state.flap_mm:g} mm at the incision.")
    if state.pick:
        kind, _, name = state.pick.partition(":")
        if kind == "muscle":
            sentences.append(f"Picked: the muscle {model.anatomy.muscle(name).label}.")
        else:
            nerves = (model.anatomy.nerves_in_group(name) if kind == "group" else (model.anatomy.nerve(name),))
            label = (nerves[0].label if kind == "nerve" else f"the {model.anatomy.group_label(name)}"
                     + (f" ({len(nerves)} rami)" if len(nerves) > 1 else ""))
            text = f"Picked: {label}"
            if technique is not None and paths is not None:
                from facelayers.model.techniques import (  # core, imported when needed
                    nerve_risks,
                    place_technique,
                )

                placed = placed if placed is not None else place_technique(model, technique)
                risks = nerve_risks(placed, paths)
                found = [risks[n.nerve_id] for n in nerves if n.nerve_id in risks and risks[n.nerve_id].side != "outside"]
                if found:
                    best = min(found, key=lambda r: r.min_mm)
                    where = {"deep": "it lies deep to the plane", "flap": "it lies in the flap, superficial to the "
                             "plane", "crosses": "it crosses the plane"}[best.side]
                    exposed = "exposed" if best.min_mm <= 2.0 else "not exposed"
                    text += (f"; the plane comes within {best.min_mm:.1f} mm of it ({where}): {exposed}, "
                             f"{best.exposed_mm:.0f} mm of nerve within 2 mm")
                else:
                    text += "; it does not lie under the dissection plane"
            sentences.append(text + ".")
    return " ".join(sentences)


def describe_margins(table) -> str:
    """A text alternative of the patients comparison (:class:`facelayers.model.margins.MarginTable`).

    Returns
    -------
    str
        One sentence per patient with the margin at each site in mm, and which are exposed.
    """
    technique = table.technique_label
    out = [(f"Bar chart of the layers under the {technique} plane at {len(table.sites)} sites for "
           f"{len(table.patients)} patients, with the margin of safety in millimetres.")]
    for patient, parts in table.cells(lambda m: f"{m.label}: not under the plane",
                                      lambda m: f"{m.label} {m.margin_mm:.1f} mm{' (exposed)' if m.exposed else ''}"):
        label = patient.label
        out.append(f"{label[0].upper()}{label[1:]}: {'; '.join(parts)}.")
    return " ".join(out)


def alt_text_html(text: str, label: str = "Figure description", visible: bool = True) -> str:
    """The HTML of a text-alternative region: ``role="status"``, ``aria-live="polite"``, labelled.

    Parameters
    ----------
    text : str
        The description (escaped here).
    label : str
        Its accessible name (``aria-label``) and visible heading.
    visible : bool
        Shown as a caption under the figure (default) or only to screen readers (visually hidden).
    """
    style = ("" if visible else ' style="position:absolute;width:1px;height:1px;overflow:hidden;'
             'clip:rect(0 0 0 0);white-space:nowrap"')
    return (f'<div class="{ALT_TEXT_CLASS}" role="status" aria-live="polite" aria-label="{html.escape(label)}"'
            f'{style}><strong>{html.escape(label)}:</strong> {html.escape(text)}</div>')


def alt_text_widget(text: str, label: str = "Figure description", visible: bool = True):
    """An ``ipywidgets.HTML`` holding :func:`alt_text_html`; set ``.value = alt_text_html(new)`` to update."""
    import ipywidgets as widgets

    return widgets.HTML(alt_text_html(text, label, visible), layout=widgets.Layout(max_width="1100px"))


def with_alt_text(view, text: str, label: str = "Figure description", visible: bool = True):
    """``view`` (any widget) with its text alternative under it, in a VBox; the HTML widget is ``.alt``.

    This is the one call an explorer makes to carry a description: ``box = with_alt_text(view, describe_view(...))``,
    then ``box.alt.value = alt_text_html(describe_view(...))`` after each change.
    """
    import ipywidgets as widgets

    alt = alt_text_widget(text, label, visible)
    box = widgets.VBox([page_helper_widget(), view, alt])
    box.add_class("fl-a11y")
    box.alt = alt
    return box


#: Visible keyboard focus for every control of our widgets (3 px amber ring, offset so it shows on any colour).
FOCUS_CSS = """
.fl-a11y button:focus-visible, .fl-a11y input:focus-visible, .fl-a11y select:focus-visible,
.fl-a11y textarea:focus-visible, .fl-a11y [tabindex]:focus-visible, .fl-a11y .noUi-handle:focus,
.fl-a11y .widget-toggle-button:focus, .fl-a11y .jupyter-button:focus, .fl-a11y [contenteditable]:focus,
.fl-a11y .widget-readout:focus, .fl-a11y a:focus {
  outline: 3px solid #FFB000 !important; outline-offset: 2px !important; box-shadow: 0 0 0 5px #000 !important;
}
.fl-a11y .widget-toggle-buttons .jupyter-button.mod-active { text-decoration: underline; font-weight: 700; }
.fl-alt-text { font-size: 15px; line-height: 1.4; margin: 6px 0; }
"""


#: Runs in the page, once per stage, from the ``onload`` of a 1x1 image in an ``ipywidgets.HTML`` (see
#: :func:`page_helper_html`): no widget model, so nothing can miss anywidget's 2 s start-up limit. It does two things
#: for the stage the image sits in (the closest ``.facelayers-stage``, ``.fl-a11y`` or the page):
#:
#: * **names every ipywidgets slider handle** by its slider's description: ipywidgets' sliders (noUiSlider) expose
#:   ``role="slider"`` with values but no name, a serious axe-core violation ("aria-input-field-name"). A
#:   MutationObserver names sliders drawn later. Idempotent.
#: * **fits each plotly figure to its box.** plotly's FigureWidget draws at plotly's default 700 px when it is drawn
#:   before its box is laid out, and under anywidget nothing resizes it later. The figures are made responsive
#:   (:func:`fit_figure`), and whenever a figure's drawn width differs from its box by more than 8 px (after it is
#:   drawn, or when the box changes: the file browser opens, the window is resized) the figure's own responsive
#:   handler is called, which relayouts it to its box (and reports the new size to the kernel).
#: * **fits the stage's 3D figure to the height the page shows** (a figure in a box of class ``fl-figure``): its
#:   div's CSS height is set to the shown height (the notebook's scroller in JupyterLab, the window in Voila) less
#:   :data:`FIGURE_HEIGHT_RESERVE_PX`, clamped to :data:`FIGURE_HEIGHT_PX`, and plotly's responsive handler draws it
#:   that tall. The height depends on the scroller, never on the content, so a taller figure cannot change it
#:   again (no resize loop); the window's resize event and the ResizeObserver bring it back to date.
_PAGE_JS = r"""
(function (img) {
  var F = window.__facelayersPage || (window.__facelayersPage = {stages: 0, MIN_H: __MIN_H__, MAX_H: __MAX_H__,
                                                                 RESERVE_H: __RESERVE_H__});
  if (!F.labelSliders) {
    F.labelSliders = function () {
      document.querySelectorAll(".widget-slider, .widget-hslider, .widget-vslider").forEach(function (slider) {
        var label = slider.querySelector(".widget-label");
        var name = label ? label.textContent.replace(/\u200b/g, "").trim() : "";
        slider.querySelectorAll(".noUi-handle").forEach(function (handle) {
          if (!handle.getAttribute("aria-label") && !handle.getAttribute("aria-labelledby")) {
            handle.setAttribute("aria-label", name || slider.getAttribute("title") || "slider");
          }
        });
      });
    };
    var pending = false;
    new MutationObserver(function () {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; F.labelSliders(); });
    }).observe(document.body, {childList: true, subtree: true});
  }
  F.labelSliders();
  var stage = img.closest(".facelayers-stage, .fl-a11y") || document.body;
  if (stage.__flFitted) return;
  stage.__flFitted = true;
  F.stages += 1;
  var timer = null;
  // The height the page shows: the notebook's scroller in JupyterLab, the window in Voila (never more).
  function shown(gd) {
    var scroller = gd.closest(".jp-WindowedPanel-outer, .jp-Notebook, .jp-NotebookPanel-notebook");
    var h = window.innerHeight;
    if (scroller && scroller.clientHeight > 0) h = Math.min(h, scroller.clientHeight);
    return h;
  }
  function fit() {
    timer = null;
    stage.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
      if (!gd._fullLayout || !gd._responsiveChartHandler) return;
      var tall = gd.closest(".fl-figure") !== null;
      var want = tall ? Math.round(Math.max(F.MIN_H, Math.min(shown(gd) - F.RESERVE_H, F.MAX_H))) : null;
      if (tall && Math.abs((parseFloat(gd.style.height) || 0) - want) > 8) gd.style.height = want + "px";
      var wide = gd.clientWidth > 0 && Math.abs(gd._fullLayout.width - gd.clientWidth) > 8;
      var high = tall && Math.abs(gd._fullLayout.height - want) > 8;
      if (wide || high) {
        gd._responsiveChartHandler();
        F.fits = (F.fits || 0) + 1;
      }
    });
  }
  function later() { if (timer === null) timer = setTimeout(fit, 120); }
  window.addEventListener("resize", later);
  var seen = new WeakSet();
  var sizes = new ResizeObserver(later);
  function watch() {
    stage.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
      if (!seen.has(gd)) { seen.add(gd); sizes.observe(gd); }
    });
  }
  new MutationObserver(function () { watch(); later(); }).observe(stage, {childList: true, subtree: true});
  document.addEventListener("plotlywidget-after-render", function () { watch(); later(); });
  watch();
  later();
})(this);
"""

#: The height of a stage's 3D figure (in a box of class ``fl-figure``), px: the page helper sets it to the height the
#: page shows (JupyterLab's notebook scroller, or the window in Voila) less :data:`FIGURE_HEIGHT_RESERVE_PX`, clamped to
#: this range: about 620 px on a 1366x768 laptop in JupyterLab, 900 px on a 1920x1080 projector. The height the
#: kernel set (``height=``) is what is drawn until the page helper runs, and in an exported page without it.
FIGURE_HEIGHT_PX = (480, 900)
#: Space kept above and below a stage's 3D figure, px, so that the whole figure shows with a little margin.
FIGURE_HEIGHT_RESERVE_PX = 24

#: A transparent 1x1 GIF: the image whose ``onload`` runs :data:`_PAGE_JS` (no request, nothing drawn).
_PIXEL = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


def _page_script() -> str:
    """:data:`_PAGE_JS` with the figure heights filled in (:data:`FIGURE_HEIGHT_PX`, :data:`FIGURE_HEIGHT_RESERVE_PX`)."""
    return (_PAGE_JS.replace("__MIN_H__", str(FIGURE_HEIGHT_PX[0])).replace("__MAX_H__", str(FIGURE_HEIGHT_PX[1]))
            .replace("__RESERVE_H__", str(FIGURE_HEIGHT_RESERVE_PX)))


def page_helper_html() -> str:
    """The HTML that makes a stage keyboard- and screen-reader-friendly and fits its figures to their boxes.

    :data:`FOCUS_CSS` (the focus ring) as a ``<style>``, and a hidden 1x1 image whose ``onload`` runs the page
    helper (:data:`_PAGE_JS`: names slider handles, fits plotly figures made by :func:`fit_figure` to their box).
    Put it in an ``ipywidgets.HTML`` inside the box whose class is ``facelayers-stage`` or ``fl-a11y``; it needs no
    widget model of its own (a second anywidget beside plotly's failed anywidget's 2 s start-up limit on a busy
    machine).

    Returns
    -------
    str
    """
    script = _page_script()
    return (f"<style>{FOCUS_CSS}</style><img class=\"fl-page-helper\" alt=\"\" aria-hidden=\"true\" width=\"1\" "
            f"height=\"1\" style=\"position:absolute;opacity:0;pointer-events:none\" src=\"{_PIXEL}\" "
            f"onload=\"{html.escape(script, quote=True)}\">")


def page_helper_widget():
    """An ``ipywidgets.HTML`` holding :func:`page_helper_html` (put it in the stage's box)."""
    import ipywidgets as widgets

    return widgets.HTML(page_helper_html(), layout=widgets.Layout(height="0px", overflow="hidden", margin="0"))


def fit_figure(figure):
    """``figure`` as a plotly ``FigureWidget`` that the page helper fits to its box (plotly's ``responsive``).

    Parameters
    ----------
    figure : plotly.graph_objects.Figure
        Complete (Voila keeps only what a FigureWidget had when it was built); no ``layout.width`` (a set width is
        kept as it is).

    Returns
    -------
    plotly.graph_objects.FigureWidget
    """
    widget = _stage_figure_class()(figure)
    widget._config = {**widget._config, "responsive": True}
    return widget


def without_echoed_arrays(props: dict, echoed: dict) -> dict:
    """``echoed`` without the entries where ``props`` holds an array and the browser echoed an object.

    After a restyle, plotly.js reports a trace's defaults back to the kernel; a typed array it was sent (a 1-D
    ``customdata`` or ``intensity``) comes back as a JSON object, and plotly's FigureWidget then fails
    reconciling it with the array (``ValueError: The truth value of an array ...`` in ``_remove_overlapping_props``,
    in JupyterLab's log console). The array the kernel sent is what is drawn, so such an echo is dropped.

    Parameters
    ----------
    props : dict
        A trace's properties as the kernel holds them (nested dicts).
    echoed : dict
        The browser's defaults for that trace.

    Returns
    -------
    dict
        A copy of ``echoed`` without those entries (nested dicts filtered alike).
    """
    out = {}
    for key, value in echoed.items():
        mine = props.get(key) if isinstance(props, dict) else None
        if isinstance(value, dict) and isinstance(mine, np.ndarray):
            continue
        if isinstance(value, dict) and isinstance(mine, dict):
            value = without_echoed_arrays(mine, value)
        out[key] = value
    return out


_STAGE_FIGURE = None


def _stage_figure_class():
    """Plotly's FigureWidget, reconciling the browser's echo of typed arrays, started in the page within 2 s.

    The echo: :func:`without_echoed_arrays`; the start: :func:`facelayers.render.figure_module.module_source`.
    """
    global _STAGE_FIGURE
    if _STAGE_FIGURE is None:
        import plotly.graph_objects as go
        import traitlets
        from plotly.basewidget import BaseFigureWidget

        from facelayers.render import figure_module

        class StageFigure(go.FigureWidget):
            """A FigureWidget ignoring echoed typed arrays, whose browser module starts within anywidget's 2 s.

            Its trace-delta reconciliation drops the browser's echo of typed arrays; its browser module (``_esm``)
            is :func:`facelayers.render.figure_module.module_source`, which imports plotly's bundle (sent in the
            trait :data:`facelayers.render.figure_module.BUNDLE_TRAIT`) once per page.

            anywidget rejects a model whose module has not loaded and initialised within 2 s of its creation, and
            then drops every later message from Python: plotly's own module (its 4.96 MB bundle, evaluated once
            per figure) missed that on a busy machine, and the figure never changed again (lesson 04 in Voila:
            the panel on step 2, the 3D view on step 1). The small module loads at once, returns from
            ``initialize`` at once, starts the bundle's import once the page's figures have started, and replays to
            plotly, in order, whatever Python sent while plotly was loading; once started, it has the figure's
            messages delivered past anywidget's 2 s gate (a page too busy to start even that module in time still
            follows Python). Python's side is plotly's, unchanged.
            """

            _esm = figure_module.module_source()
            _plotly_bundle = traitlets.Unicode(figure_module.bundle_code()).tag(sync=True)

            @staticmethod
            def _remove_overlapping_props(input_data, delta_data, prop_path=()):
                if isinstance(input_data, dict) and isinstance(delta_data, dict):
                    delta_data = without_echoed_arrays(input_data, delta_data)
                return BaseFigureWidget._remove_overlapping_props(input_data, delta_data, prop_path)

        _STAGE_FIGURE = StageFigure
    return _STAGE_FIGURE


# ---------------------------------------------------------------------------------------------------
# Colour-vision deficiency


#: Machado, Oliveira & Fernandes 2009 (IEEE TVCG 15:1291), severity 1.0, on linear RGB.
CVD_MATRICES: dict[str, np.ndarray] = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, -0.691367, 1.687939]]),
}


def _linear_rgb(colour: str) -> np.ndarray:
    text = colour.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"colour {colour!r}: allowed: '#rrggbb'")
    c = np.array([int(text[i:i + 2], 16) for i in (0, 2, 4)]) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of linear sRGB (3,)."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ rgb
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def palette_distances(palette: Mapping[str, str]) -> dict[str, tuple[float, str, str]]:
    """The smallest colour difference between any two colours of ``palette``, per kind of colour vision.

    Seen with normal colour vision and with each simulated deficiency.

    Parameters
    ----------
    palette : mapping of name -> '#rrggbb'

    Returns
    -------
    dict
        ``{"normal" | "protanopia" | "deuteranopia" | "tritanopia": (delta E 1976, name, name)}``: the closest
        pair (CIELAB distance; about 2.3 is just noticeable, above 10 is easy to tell apart at a glance).
    """
    matrices = {"normal": np.eye(3), **CVD_MATRICES}
    out = {}
    for kind, matrix in matrices.items():
        lab = {name: _lab(np.clip(matrix @ _linear_rgb(c), 0.0, 1.0)) for name, c in palette.items()}
        out[kind] = min((float(np.linalg.norm(lab[a] - lab[b])), a, b) for a, b in itertools.combinations(lab, 2))
    return out
