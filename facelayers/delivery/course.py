"""The course offline: layers, nerves, techniques and both storyboards in one figure, and its course parts.

:func:`course_offline_figure` builds lesson ``course`` (``all``); other lessons add traces, menus, sliders,
frames (:func:`add_course_part`) or page scripts; :func:`add_expression_menus` is such a part.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go

from facelayers import __version__
from facelayers.core.frame import INTERFACES
from facelayers.delivery.html_page import add_page_part
from facelayers.delivery.layers_offline import layers_offline_figure
from facelayers.delivery.menus import BUTTON_BG, BUTTON_BORDER, button_menu, menu_title
from facelayers.model.geometry import FaceModel
from facelayers.render.face import PALETTE, TEXT, surface_labels
from facelayers.teaching.state import CAMERAS, ViewState

__all__ = ["COURSE_PARTS", "NERVE_CHOICES", "add_course_part", "add_expression_menus", "course_offline_figure"]

#: Layout of the course page (px of a 1000 px high window; placed in paper fractions): the menus in a
#: column on the left, the 3D scene in the middle, the step's caption and the keys on the right, the step
#: slider along the bottom.
COURSE_SCENE = {"x": [0.225, 0.66], "y": [0.15, 0.93]}
#: Where the step's caption starts (paper x), and its characters a line (16 px type: ~420 px at 1366 px).
CAPTION_X = 0.67
COURSE_MARGIN_TOP = 60
COURSE_PAPER_PX = 708  # the smallest window the column must fit: 1366 x 768 (a laptop), less the top margin
BUTTON_ROW_PX = 35
MENU_TITLE_PX = 26
MENU_GAP_PX = 14
CAPTION_CHARS = 50
#: Grid of each technique plane in the course (the lessons use 40): 8 techniques, 12 planes.
COURSE_PLANE_N = 24
#: The nerve menu's choices: label and which nerve kinds it shows.
NERVE_CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("All", ("motor", "sensory", "vein")), ("Facial nerve only", ("motor",)),
    ("Sensory only", ("sensory",)), ("None", ()))


def _plain_label(label: str) -> str:
    """A label without its parenthesis: ``Endoscopic brow (forehead) lift`` -> ``Endoscopic brow lift``."""
    import re

    return re.sub(r"\s*\([^)]*\)", "", label).strip()


def _wrap(text: str, width: int = CAPTION_CHARS) -> str:
    import html
    import textwrap

    return "<br>".join(html.escape(line) for line in textwrap.wrap(text, width))


def _picked_nerves(model: FaceModel, pick: str | None) -> set[str]:
    """The nerve ids a ViewState's ``pick`` highlights (as :func:`facelayers.render.structures.apply_highlight`)."""
    if not pick:
        return set()
    kind, _, name = pick.partition(":")
    if kind == "nerve":
        return {name}
    group = name if kind == "group" else model.anatomy.muscle(name).nerve_group if kind == "muscle" else None
    return {nid for nid, nerve in model.anatomy.nerves.items() if nerve.group == group}


def _compact(trace):
    """A technique trace with float32 coordinates and uint16/uint32 face indices (half the bytes)."""
    data = {axis: np.asarray(getattr(trace, axis), np.float32) for axis in "xyz"}
    if trace.type == "mesh3d":
        dtype = np.uint16 if len(data["x"]) < 2**16 else np.uint32
        data.update({axis: np.asarray(getattr(trace, axis), dtype) for axis in "ijk"})
        data["intensity"] = np.asarray(trace.intensity, np.float32)
    trace.update(**data)
    return trace


def _layer_shown(state: ViewState, name: str) -> bool:
    """Is trace ``name`` of :func:`layers_offline_figure` drawn in ``state``.

    A layer by its box and the peel (the floor not while the bone is bare), the drawn skull only then, the globes
    with the skin.
    """
    from facelayers.render.skull_stage import bone_bare

    if name == "skull":
        return bone_bare(state)
    if name == "layer:bone":
        return state.shown("bone") and not bone_bare(state)
    return state.shown(name.removeprefix("layer:") if name.startswith("layer:") else "skin")


def course_offline_figure(model: FaceModel, state: ViewState | None = None) -> go.Figure:
    """Every lesson in one offline figure: layers, nerves, techniques and the storyboards' steps.

    The layers with lesson 01's peel, cutaway and camera menus (:func:`layers_offline_figure`); the nerves
    (:func:`facelayers.render.structures.nerve_traces`) with a **Nerves** menu (all, the facial nerve, the sensory
    nerves, none); three traces per technique (plane, incisions, ports: :func:`facelayers.render.techniques.technique_traces`,
    named ``technique:<id>:plane`` ...), one technique shown at a time by a **Technique** dropdown; and a
    **Step** slider over the steps of both storyboards. Each step is a plotly ``update``: the visibility of
    every trace (the step's peel, its technique, all nerves), the picked nerves in
    :data:`facelayers.render.structures.HIGHLIGHT` (the others dimmed), the step's camera, the title
    ``Step k: <title>``, the caption with the nerves at risk, and the menus' active buttons. A step does not
    change the cutaway (no storyboard step uses one), nor raise an open technique's flap (that would re-send
    three layers with their hole per open technique, not yet done): such a step's caption says so.

    Parameters
    ----------
    model : FaceModel
    state : ViewState, optional
        The initial view; by default (or a default ViewState) the first step of the first storyboard.

    Returns
    -------
    go.Figure
        ``layout.meta["course"]`` holds the trace indices: ``layers``, ``nerves``, ``techniques``
        (``{technique_id: [plane, incisions, ports]}``) and ``steps`` (``[storyboard_id, number]`` per slider
        step).
    """
    from dataclasses import replace

    from facelayers.core.frame import SIDES
    from facelayers.model.nerves import place_all
    from facelayers.model.planes import plane_from_spec
    from facelayers.model.techniques import place_technique
    from facelayers.render.structures import DIM_OPACITY, HIGHLIGHT, NERVE_COLOURS, nerve_traces
    from facelayers.render.techniques import clearance_coloraxis, technique_traces
    from facelayers.teaching.storyboard import load_storyboards, nerve_names

    anatomy = model.anatomy
    boards = load_storyboards(anatomy)
    steps = [(board, step) for board in boards.values() for step in board.steps]
    first = steps[0][1].state()
    start = first if state is None or state == ViewState() else state
    if start.technique is None:
        start.technique = first.technique

    fig = layers_offline_figure(model, start, surgeon_cameras=True)
    layers = list(range(len(fig.data)))

    paths = place_all(model)
    nerves = nerve_traces(model, paths)
    nerve_ids = [t.name.split(":", 1)[1] for t in nerves]
    nerve_index = list(range(len(fig.data), len(fig.data) + len(nerves)))
    fig.add_traces(nerves)

    techniques: dict[str, list[int]] = {}
    for tid, technique in anatomy.techniques.items():
        placed = place_technique(model, technique)
        # The planes on a coarser grid than the lessons' (n = 40), to leave the size budget to the layers.
        planes = [plane_from_spec(model, spec, side=side, name=f"{tid}:{spec.plane_id}:{side}", n=COURSE_PLANE_N)
                  for side in SIDES for spec in technique.planes]
        traces = technique_traces(model, replace(placed, planes=planes), paths)
        techniques[tid] = list(range(len(fig.data), len(fig.data) + len(traces)))
        for trace in traces:
            part = trace.name.split(":", 1)[1]
            trace.update(name=f"technique:{tid}:{part}", visible=tid == start.technique, meta={"technique": tid})
            _compact(trace)
        fig.add_traces(traces)
    tech_index = [k for ks in techniques.values() for k in ks]
    n = len(fig.data)

    def nerve_style(pick: str | None) -> tuple[list, list]:
        on = _picked_nerves(model, pick)
        colours = [HIGHLIGHT if nid in on else NERVE_COLOURS.get(anatomy.nerves[nid].kind, "#ffffff")
                   for nid in nerve_ids]
        return colours, [1.0 if (nid in on or not on) else DIM_OPACITY for nid in nerve_ids]

    colours, opacity = nerve_style(start.pick)
    for k, c, o in zip(nerve_index, colours, opacity):
        fig.data[k].update(line={"color": c}, opacity=o)

    # Menus: lesson 01's peel and cutaway button columns, then nerves, technique and camera, in one column.
    old = {m.name: m.to_plotly_json() for m in fig.layout.updatemenus}
    nerve_buttons = [{"label": label, "method": "restyle",
                      "args": [{"visible": [anatomy.nerves[nid].kind in kinds for nid in nerve_ids]}, nerve_index]}
                     for label, kinds in NERVE_CHOICES]
    tech_buttons = [{"label": _plain_label(anatomy.techniques[tid].label), "method": "restyle",
                     "args": [{"visible": [k in ks for k in tech_index]}, tech_index]}
                    for tid, ks in techniques.items()]
    column = [("peel", "Peel down to", old["peel"]["buttons"], start.peel, "buttons"),
              # Dropdowns below the peel buttons: the column fits a 768 px high window.
              ("cutaway", "Cutaway (left side)", old["cutaway"]["buttons"], old["cutaway"]["active"], "dropdown"),
              ("nerves", "Nerves", nerve_buttons, 0, "dropdown"),
              ("technique", "Technique", tech_buttons, list(techniques).index(start.technique), "dropdown"),
              ("camera", "Camera", old["camera"]["buttons"], list(CAMERAS).index(start.camera), "dropdown")]
    menus, notes, top = [], [], 0
    for name, title, buttons, active, kind in column:
        y_title = 1 - (top + MENU_TITLE_PX) / COURSE_PAPER_PX
        notes.append(menu_title(title, 0.006, y_title, f"menu:{name}"))
        # The camera's list opens upward: downward it would run off a 768 px window, and plotly then lays it
        # over its own header, where its first choice cannot be clicked.
        menu = button_menu(buttons, active, name=name, direction="up" if name == "camera" else "down", x=0.006,
                     xanchor="left",
                     y=y_title - 4 / COURSE_PAPER_PX, yanchor="top")
        menu["type"] = kind
        menus.append(menu)
        rows = len(buttons) if kind == "buttons" else 1
        top += MENU_TITLE_PX + 4 + rows * BUTTON_ROW_PX + MENU_GAP_PX
    menu_at = {name: k for k, (name, *_) in enumerate(column)}
    notes.append({"name": "menu:hint", "text": "Drag to turn, scroll to zoom<br>Hover: thickness, depth (mm)",
                  "xref": "paper", "yref": "paper", "x": 0.006, "y": 1 - (top + 6) / COURSE_PAPER_PX,
                  "xanchor": "left", "yanchor": "top", "align": "left", "showarrow": False,
                  "font": {"size": 16, "color": "#c9d1d9"}})

    # The layer key in one row over the scene; the right column holds the step's caption (the longest, 20
    # lines, fits a 768 px window), the credit below it; the clearance colour bar stands at the scene's right edge.
    labels = surface_labels(model)
    key = "&nbsp;&nbsp; ".join(f"<span style='color:{PALETTE[name]}'>\u25A0</span> {labels[name]}"
                               for name in INTERFACES)
    notes.append({"name": "key", "text": key, "xref": "paper", "yref": "paper", "x": COURSE_SCENE["x"][0],
                  "y": COURSE_SCENE["y"][1] + 0.005, "xanchor": "left", "yanchor": "bottom", "showarrow": False,
                  "font": {"size": 16, "color": TEXT}})
    caption_at = len(notes)
    notes.append({"name": "caption", "text": "", "xref": "paper", "yref": "paper", "x": CAPTION_X,
                  "y": COURSE_SCENE["y"][1], "xanchor": "left", "yanchor": "top", "align": "left",
                  "showarrow": False, "font": {"size": 16, "color": TEXT}})
    notes.append({"name": "credit", "text": f"facelayers {__version__}: a schematic model<br>for teaching, "
                  "not for clinical use", "xref": "paper", "yref": "paper", "x": 0.995, "y": 0.14,
                  "xanchor": "right", "yanchor": "bottom", "align": "right", "showarrow": False,
                  "font": {"size": 16, "color": "#c9d1d9"}})

    def step_caption(board, step) -> str:
        # The raised flap re-cuts three layers (megabytes): this file shows the skin before it is lifted.
        flap = ("<br><i>" + _wrap("(In lesson 04 the flap is raised here; this file shows the skin before it "
                                  "is lifted.)") + "</i>") if step.state().flap_mm > 0 else ""
        return (f"<b>{board.title.split(',')[0]}, step {step.number} of {len(board)}</b><br>"
                f"{_wrap(step.caption)}{flap}<br><br><b>Nerves at risk:</b><br>"
                f"{_wrap(nerve_names(anatomy, step.nerves_at_risk))}")

    # The step slider: both storyboards, one after the other.
    slider_steps, step_ids = [], []
    for board, step in steps:
        s = step.state()
        # the layers, then the globes with the skin
        visible = [_layer_shown(s, fig.data[k].name) for k in layers] + [True] * len(nerve_index)
        visible += [k in techniques.get(s.technique, ()) for k in tech_index]
        colours, opacity = nerve_style(s.pick)
        line_colour = [None] * len(layers) + colours + [
            fig.data[k].line.color if fig.data[k].type == "scatter3d" else None for k in tech_index]
        opacities = [None] * len(layers) + opacity + [None] * len(tech_index)
        layout = {"scene.camera": CAMERAS[s.camera], "title.text": f"Step {step.number}: {step.title}",
                  f"annotations[{caption_at}].text": step_caption(board, step),
                  f"updatemenus[{menu_at['peel']}].active": s.peel,
                  f"updatemenus[{menu_at['nerves']}].active": 0}
        if s.technique in techniques:
            layout[f"updatemenus[{menu_at['technique']}].active"] = list(techniques).index(s.technique)
        layout[f"updatemenus[{menu_at['camera']}].active"] = list(CAMERAS).index(s.camera)
        slider_steps.append({"label": str(step.number), "method": "update",
                             "args": [{"visible": visible, "line.color": line_colour, "opacity": opacities},
                                      layout, list(range(n))]})
        step_ids.append([board.storyboard_id, step.number])

    slider_x, slider_len = COURSE_SCENE["x"][0], 0.995 - COURSE_SCENE["x"][0]
    slider = {"name": "step", "active": 0, "steps": slider_steps, "x": slider_x, "len": slider_len,
              "y": 0.0, "yanchor": "bottom", "xanchor": "left", "pad": {"t": 4, "b": 6, "l": 0, "r": 0},
              "currentvalue": {"visible": False}, "font": {"size": 16, "color": TEXT},
              "bgcolor": BUTTON_BG, "activebgcolor": "#F4FAFF", "bordercolor": BUTTON_BORDER,
              "tickcolor": TEXT, "ticklen": 6}
    # A name over each storyboard's run of steps (the slider's ticks are evenly spaced).
    count = len(slider_steps)
    done = 0
    for board in boards.values():
        mid = (done + (len(board) - 1) / 2) / max(count - 1, 1)
        notes.append({"name": "menu:storyboard", "text": f"<b>{board.title.split(',')[0]}</b>: steps",
                      "xref": "paper", "yref": "paper", "x": slider_x + 0.02 + mid * (slider_len - 0.04),
                      "y": 0.085, "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                      "font": {"size": 17, "color": TEXT}})
        done += len(board)

    if start is first:
        board, step = steps[0]
        title = f"Step {step.number}: {step.title}"
        notes[caption_at]["text"] = step_caption(board, step)
        active = 0
    else:
        title = "facelayers: the layers, nerves, planes and procedures of the face"
        notes[caption_at]["text"] = _wrap("Move the Step slider to replay a procedure step by step.")
        active = 0
    slider["active"] = active

    coloraxis = clearance_coloraxis()
    coloraxis["colorbar"].update({"x": COURSE_SCENE["x"][1], "xanchor": "right", "y": 0.5, "yanchor": "middle",
                                  "len": 0.4, "thickness": 18, "outlinewidth": 0})
    # Assigned, not passed to update_layout: that would merge the new lists into lesson 01's item by item.
    fig.layout.updatemenus, fig.layout.annotations, fig.layout.sliders = menus, notes, [slider]
    fig.update_layout(
        title={"text": title, "x": 0.01, "y": 0.985, "yanchor": "top", "font": {"size": 26}}, coloraxis=coloraxis,
        margin={"l": 0, "r": 0, "t": COURSE_MARGIN_TOP, "b": 0},
        scene={"camera": CAMERAS[start.camera], "domain": COURSE_SCENE},
        meta={"course": {"layers": layers, "nerves": nerve_index, "techniques": techniques, "steps": step_ids}},
    )
    for part in COURSE_PARTS:
        part(fig, model, start)
    return fig


#: What other lessons add to the course file, in order (:func:`add_course_part`).
COURSE_PARTS: list[Callable[[go.Figure, FaceModel, ViewState], None]] = []


def add_course_part(part: Callable[[go.Figure, FaceModel, ViewState], None]):
    """Have :func:`course_offline_figure` call ``part(fig, model, state)`` once the course figure is built.

    A part may add traces (``fig.add_traces``), menus (``fig.layout.updatemenus += (...)``), sliders or
    animation frames (``fig.frames``): all run in the browser without a kernel, and every numpy array it
    adds (trace data, button or slider args, frames) is stored once and deflated like the rest of the file
    (:mod:`facelayers.delivery.offline_page`). The course's own trace indices are in ``fig.layout.meta["course"]``;
    its slider's steps restyle only those traces, so a part's traces keep their state across steps.

    Parameters
    ----------
    part : callable
        ``part(fig, model, state) -> None``; added once (a second call with the same part does nothing).

    Returns
    -------
    callable
        ``part``, so it can be used as a decorator.
    """
    if part not in COURSE_PARTS:
        COURSE_PARTS.append(part)
    return part


#: Where the Case menu starts (paper fraction), right of the Expression menu in the column's last row.
CASE_X = 0.112


def add_expression_menus(fig: go.Figure, model: FaceModel, state: ViewState | None = None) -> None:
    """The course's Expression and Case dropdowns and their frames (a course part).

    The two dropdowns go side by side at the foot of the left column (the hint moves below them) and open
    upward; a choice redraws the face in the page and writes the expression, the deficit and its
    House-Brackmann grade in the caption (the next step of the slider writes its own again). The frames and
    the page's script are :mod:`facelayers.delivery.expression_offline`'s.

    Parameters
    ----------
    fig : go.Figure
        The course figure (:func:`course_offline_figure`).
    model : FaceModel
    state : ViewState, optional
        Unused: the course opens at rest, on the intact face.
    """
    from facelayers.delivery.expression_offline import SCRIPT, menu_labels, page_data

    annotations = list(fig.layout.annotations)
    at = {a.name: k for k, a in enumerate(annotations)}
    hint = annotations[at["menu:hint"]]
    top = (1 - hint.y) * COURSE_PAPER_PX - 6  # px below the top where the column's last menu ended
    y_title = 1 - (top + MENU_TITLE_PX) / COURSE_PAPER_PX
    hint.y = 1 - (top + MENU_TITLE_PX + 4 + BUTTON_ROW_PX + MENU_GAP_PX + 6) / COURSE_PAPER_PX
    where = {"direction": "up", "xanchor": "left", "y": y_title - 4 / COURSE_PAPER_PX, "yanchor": "top"}
    expressions, cases = menu_labels()
    menus = [button_menu([{"label": label, "method": "skip", "args": []} for label in expressions], 0,
                   name="expression", x=0.006, **where),
             button_menu([{"label": label, "method": "skip", "args": []} for label in cases], 0,
                   name="case", x=CASE_X, **where)]
    for menu in menus:
        menu["type"] = "dropdown"
    data = page_data(fig, model, at["caption"])
    fig.layout.updatemenus = tuple(fig.layout.updatemenus) + tuple(menus)
    fig.layout.annotations = annotations + [menu_title("Expression", 0.006, y_title, "menu:expression"),
                                            menu_title("Case", CASE_X, y_title, "menu:case")]
    add_page_part(fig, SCRIPT, data)


add_course_part(add_expression_menus)
