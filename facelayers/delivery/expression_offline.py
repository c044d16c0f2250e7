"""Expressions in the offline course file: client-side frames of the moving face, no kernel.

The course file (``python -m facelayers export course``) gets two dropdowns side by side at the foot of its left
column, **Expression** (every expression of :data:`facelayers.model.expression.EXPRESSIONS`) and **Case** (the intact
face and the teaching cases of :data:`CASES`: a cut frontal branch, a cut zygomatic branch, a cut marginal
mandibular branch, and the endoscopic brow lift's divided corrugator and procerus). Choosing either redraws the
face making that expression with that injury and writes the expression, the deficit (with its source) and the
House-Brackmann grade in the caption; the next step of the storyboard slider writes its own caption again.

Only moved coordinates are stored, once per distinct frame:

* per moving surface (the skin and the outer faces of the layers down to the deepest muscle,
  :func:`moving_surfaces`: a muscle in layer k moves layers 0..k, so the fat and the SMAS do not show through
  the moving skin), ``rows``: the trace's vertex rows that can move, (r,) uint32: the model vertices any
  expression moves (:func:`facelayers.widgets.expression_widget.split_skin`), then the cutaway variants' cut-edge and
  wall vertices near them, each following its nearest moving vertex (``src``, (r,) uint32, an index into the
  moving set);
* per (case, expression, surface) a frame: :func:`facelayers.model.expression.interface_displacement` of the moving
  set (the skin's with its wrinkles: :func:`facelayers.model.expression.skin_displacement`), quantised to
  :data:`STEP_MM` as int16 and laid out component by component (all x, then all y, then z: (3a,) int16),
  which the page's delta filter and deflate turn into a few kilobytes. Identical frames (a frontal-branch cut
  does not change a smile) are stored once by the array store of :mod:`facelayers.delivery.offline_page`; the rest pose
  has none.

In the page (:data:`SCRIPT`, a page part: :func:`facelayers.delivery.export.add_page_part`) the traces' x, y, z as drawn
are kept; a choice restyles them to ``drawn + step * frame[src]`` (x negated, as the figure draws it), so the
cutaway, peel, nerve and step controls keep working on top (they restyle visibility, triangles and colours, never
x, y, z).

numpy and plotly; the frames are computed in Python (:func:`frames`) and checked there against
:func:`facelayers.model.expression.interface_displacement` (the tests decode them as the page does).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from html import escape

import numpy as np

from facelayers.model import expression as ex
from facelayers.model import injury
from facelayers.model.geometry import FaceModel

__all__ = ["CASES", "STEP_MM", "SCRIPT", "Case", "decode_frame", "encode", "frames", "menu_labels", "moving_rows",
           "moving_surfaces", "note_text", "page_data"]

#: The quantisation step of the stored displacements (mm): int16 at 0.01 mm holds +-327 mm.
STEP_MM = 0.01
#: Cut-edge and wall vertices farther than this from any moving skin vertex do not move (mm).
FOLLOW_MM = 4.0
#: Caption width in characters (as the course's step captions).
NOTE_CHARS = 50


@dataclass(frozen=True)
class Case:
    """A teaching case: what is cut or divided, and its label in the menu.

    Attributes
    ----------
    case_id, label : str
    short : str
        The menu's label.
    cut : tuple of str
        ``"BRANCH:SIDE"`` facial-nerve injuries (:func:`facelayers.model.expression.skin_displacement`).
    divided : tuple of str
        Divided muscle ids (``"procerus"``, ``"corrugator_supercilii:left"``).
    """

    case_id: str
    label: str
    short: str
    cut: tuple = ()
    divided: tuple = ()


#: The cases of the Case menu. The brow lift's divided muscles are the technique's (``injury.technique_effect``
#: of ``endoscopic_brow`` divides corrugator and procerus), checked by the tests.
CASES: tuple[Case, ...] = (
    Case("intact", "Intact", "Intact"),
    Case("frontal_left", "Frontal branch cut (left)", "Frontal L", cut=("frontal:left",)),
    Case("zygomatic_left", "Zygomatic branch cut (left)", "Zygomatic L", cut=("zygomatic:left",)),
    Case("marginal_left", "Marginal mandibular branch cut (left)", "Marginal L",
         cut=("marginal_mandibular:left",)),
    Case("brow_lift", "Endoscopic brow lift", "Brow lift",
         divided=("corrugator_supercilii", "procerus")),
)


def moving_rows(model: FaceModel, vertices: np.ndarray, surface: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which rows of a layer trace move, and with which moving model vertex.

    Parameters
    ----------
    model : FaceModel
    vertices : (m, 3) float, mm
        The trace's vertices in the model's frame: the surface's model vertices first (in the model's order),
        then anything else (the skin's ears, cutaway vertices).
    surface : (n, 3) float, mm, optional
        The surface on the model's grid (``model.interface(k)``); default the skin.

    Returns
    -------
    mobile : (a,) int64
        The model vertices any expression moves (:func:`facelayers.widgets.expression_widget.split_skin`: every
        muscle's influence, the same on every surface, which moves on its rays).
    rows : (r,) uint32
        Rows of ``vertices`` that move: ``mobile`` itself, then the other rows lying within :data:`FOLLOW_MM`
        of a moving vertex of ``surface``.
    src : (r,) uint32
        For each row, the index into ``mobile`` of the vertex whose displacement it takes.
    """
    from facelayers.widgets.expression_widget import split_skin

    n = model.n_vertices
    surface = model.skin if surface is None else np.asarray(surface, float)
    mobile = split_skin(model)[0].astype(np.int64)
    extra = np.asarray(vertices, float)[n:]
    rows, src = [mobile], [np.arange(len(mobile))]
    if len(extra):
        pts = surface[mobile]
        best = np.empty(len(extra), np.int64)
        dist = np.empty(len(extra))
        for start in range(0, len(extra), 512):
            d2 = ((extra[start:start + 512, None, :] - pts[None, :, :]) ** 2).sum(axis=2)
            k = np.argmin(d2, axis=1)
            best[start:start + 512] = k
            dist[start:start + 512] = np.sqrt(d2[np.arange(len(k)), k])
        near = dist <= FOLLOW_MM
        rows.append(n + np.flatnonzero(near))
        src.append(best[near])
    return mobile, np.concatenate(rows).astype(np.uint32), np.concatenate(src).astype(np.uint32)


def moving_surfaces(model: FaceModel) -> tuple[int, ...]:
    """The surfaces some expression moves, (0 = skin, k = outer face of layer k, ...).

    Down to the deepest muscle's layer (:func:`facelayers.model.expression.interface_displacement`).
    """
    deepest = max(f.layer for f in ex.muscle_fields(model).values())
    return tuple(range(deepest + 1))


def encode(displacement: np.ndarray) -> np.ndarray | None:
    """A displacement (a, 3) float, mm, as the page stores it.

    Returns (3a,) int16 in steps of :data:`STEP_MM`, all x then all y then all z; None when nothing moves (the
    rest pose). A displacement beyond int16's range is a ValueError naming it.
    """
    q = np.round(np.asarray(displacement, float) / STEP_MM)
    if not np.any(q):
        return None
    if np.abs(q).max() > np.iinfo(np.int16).max:
        raise ValueError(f"a displacement of {np.abs(displacement).max():.1f} mm does not fit int16 at "
                         f"{STEP_MM} mm; allowed: up to {np.iinfo(np.int16).max * STEP_MM:.2f} mm")
    return np.ascontiguousarray(q.T.reshape(-1).astype(np.int16))


def decode_frame(frame: np.ndarray | None, count: int) -> np.ndarray:
    """What the page computes from a stored frame (or None): the displacement (count, 3) float64, mm."""
    if frame is None:
        return np.zeros((count, 3))
    return np.asarray(frame, np.float64).reshape(3, count).T * STEP_MM


def frames(model: FaceModel, mobile: np.ndarray, surfaces=(0,)) -> dict[str, dict[str, list]]:
    """The stored frames, ``{case_id: {expression: [per surface (3a,) int16 or None]}}``.

    Over the ``mobile`` vertices (a,) int: the skin with its wrinkles, each deeper surface of ``surfaces`` as
    :func:`facelayers.model.expression.interface_displacement` moves it.
    """
    out = {}
    for case in CASES:
        out[case.case_id] = {
            name: [encode(ex.interface_displacement(model, name, k, cut=case.cut, divided=case.divided)[mobile])
                   for k in surfaces]
            for name in ex.EXPRESSIONS}
    return out


def note_text(model: FaceModel, case: Case, expression: str) -> str:
    """The caption for a choice (HTML, wrapped to the caption's width).

    The expression, its action units and what it shows; the case, its deficit
    (:func:`facelayers.model.injury.deficit_lines`, with sources) and the House-Brackmann grade.
    """
    e = ex.EXPRESSIONS[expression]
    aus = f" ({'+'.join(e.action_units)})" if e.action_units else ""

    def wrap(text: str) -> str:
        return "<br>".join(escape(line) for line in textwrap.wrap(text, NOTE_CHARS))

    hb = injury.house_brackmann(model, case.cut, case.divided)
    lines = injury.deficit_lines(model, case.cut, case.divided) if (case.cut or case.divided) else []
    deficit = "<br>".join(wrap(line) for line in lines) or wrap("Every branch of the facial nerve and every muscle intact.")
    return (f"<b>{escape(e.label)}{aus}</b><br>{wrap(e.shows + '.')}<br><br><b>{escape(case.label)}</b><br>"
            f"{deficit}<br>{wrap(hb.headline())}")


#: The page part: keeps the moving traces as drawn, restyles them to a frame when a menu changes. ``data``: see
#: :func:`add_expressions`. Sets ``div.dataset.expression`` and ``div.dataset.case`` to what is drawn (tests wait
#: on them).
SCRIPT = r"""
const d = data;
// the skin's details (the eyes trace: brows, lids, lashes, lips) move with the skin's frame (frame[0])
const moved = d.details ? d.traces.concat([d.details.trace]) : d.traces;
const rowsOf = d.details ? d.rows.concat([d.details.rows]) : d.rows;
const srcOf = d.details ? d.src.concat([d.details.src]) : d.src;
const base = moved.map(function (k) {
  const t = div.data[k];
  return {x: Float32Array.from(t.x), y: Float32Array.from(t.y), z: Float32Array.from(t.z)};
});
const count = d.count, step = d.step;
let expression = d.start[0], kase = d.start[1];
function draw(caption) {
  const frame = d.frames[kase][expression] || [];
  const xs = [], ys = [], zs = [];
  moved.forEach(function (k, s) {
    const b = base[s], rows = rowsOf[s], src = srcOf[s], f = frame[s < d.traces.length ? s : 0];
    const x = b.x.slice(), y = b.y.slice(), z = b.z.slice();
    if (f) {
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r], j = src[r];
        x[row] -= f[j] * step;                 // the figure draws x negated
        y[row] += f[count + j] * step;
        z[row] += f[2 * count + j] * step;
      }
    }
    xs.push(x); ys.push(y); zs.push(z);
  });
  const layout = {};
  if (caption) layout["annotations[" + d.caption + "].text"] = d.notes[kase][expression];
  return Plotly.update(div, {x: xs, y: ys, z: zs}, layout, moved).then(function () {
    div.dataset.expression = expression;
    div.dataset.case = kase;
  });
}
div.on("plotly_buttonclicked", function (event) {
  const name = event.menu && event.menu.name;
  const index = event.menu.buttons.indexOf(event.button);
  const at = index >= 0 ? index : event.active;
  if (name === d.menus[0]) expression = d.expressions[at];
  else if (name === d.menus[1]) kase = d.cases[at];
  else return;
  draw(true);
});
// The page opens at rest on the intact face, as drawn: nothing to restyle (no second mesh upload).
div.dataset.expression = expression;
div.dataset.case = kase;
"""


#: Short menu labels (the left column is 20% of the window wide); the caption gives the full names.
SHORT_LABELS = {"rest": "Rest", "raise_brows": "Raise brows", "frown": "Frown", "close_eyes": "Close eyes",
                "smile": "Smile", "show_lower_teeth": "Lip down", "pucker": "Pucker", "tense_neck": "Tense neck",
                "wrinkle_nose": "Wrinkle nose"}


def _details(fig, model: FaceModel, mobile: np.ndarray) -> dict | None:
    """The eyes trace's rows that follow the skin (brows, lids, lashes, vermilion; not the globes).

    Each with the index into ``mobile`` of the skin vertex it follows most
    (:func:`facelayers.render.face.eyes_skin_anchors`). Returns ``{"trace": index, "rows": (r,) uint32,
    "src": (r,) uint32}``, or None when the figure has no ``eyes`` trace or none of its rows moves.
    """
    from facelayers.render.face import eyes_skin_anchors

    index = next((i for i, t in enumerate(fig.data) if t.name == "eyes"), None)
    if index is None:
        return None
    anchors = eyes_skin_anchors(model)
    if len(anchors) != len(fig.data[index].x):
        return None
    where = np.full(model.n_vertices, -1, np.int64)
    where[mobile] = np.arange(len(mobile))
    pos = np.where(anchors >= 0, where[np.maximum(anchors, 0)], -1)
    rows = np.flatnonzero(pos >= 0)
    if not len(rows):
        return None
    return {"trace": index, "rows": rows.astype(np.uint32), "src": pos[rows].astype(np.uint32)}


def menu_labels() -> tuple[list[str], list[str]]:
    """The labels of the Expression menu (one per expression, short) and of the Case menu (one per case)."""
    return ([SHORT_LABELS.get(n, ex.EXPRESSIONS[n].label) for n in ex.EXPRESSIONS], [c.short for c in CASES])


def page_data(fig, model: FaceModel, caption: int) -> dict:
    """The page part's data for a course figure (what :data:`SCRIPT` reads).

    Parameters
    ----------
    fig : go.Figure
        The course figure (:func:`facelayers.delivery.course.course_offline_figure`): its layer traces down to the
        deepest muscle's (:func:`moving_surfaces`) are restyled in the page.
    model : FaceModel
    caption : int
        The index of the caption annotation, which a choice rewrites.

    Returns
    -------
    dict
        ``traces`` (their indices), ``count`` (a, the moving set), ``rows`` and ``src`` (per trace, (r,) uint32),
        ``step`` (mm), ``expressions`` and ``cases`` (ids in menu order), ``menus`` (the two menus' names),
        ``frames`` (:func:`frames`), ``notes`` (``{case: {expression: caption HTML}}``), ``caption``, ``start``,
        ``details`` (:func:`_details`: the eyes trace, moved with the skin's frame; None without one).
    """
    from facelayers.core.frame import INTERFACES

    surfaces = moving_surfaces(model)
    traces, rows, src = [], [], []
    for k in surfaces:
        index = next(i for i, t in enumerate(fig.data) if t.name == f"layer:{INTERFACES[k]}")
        t = fig.data[index]
        drawn = np.stack([-np.asarray(t.x, float), np.asarray(t.y, float), np.asarray(t.z, float)], axis=1)
        mobile, r, c = moving_rows(model, drawn, model.interface(k))
        traces.append(index)
        rows.append(r)
        src.append(c)
    names = list(ex.EXPRESSIONS)
    stored = frames(model, mobile, surfaces)
    notes = {c.case_id: {n: note_text(model, c, n) for n in names} for c in CASES}
    assert all(f is None for f in stored[CASES[0].case_id][names[0]]), "the page opens as drawn: at rest"
    details = _details(fig, model, mobile)
    return {"traces": traces, "count": len(mobile), "rows": rows, "src": src, "step": STEP_MM, "details": details,
            "expressions": names, "cases": [c.case_id for c in CASES], "menus": ["expression", "case"],
            "frames": stored, "notes": notes, "caption": caption, "start": [names[0], CASES[0].case_id]}
