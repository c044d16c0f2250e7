"""Blind versus endoscopic: the dissection comparer (two techniques, the flap, the endoscope, the table).

Also :func:`source_citation`, a source as a student reads it (first author and year).
"""

from __future__ import annotations

import html

try:
    import ipywidgets as w
    import plotly.graph_objects  # noqa: F401  (the figures are plotly's: a clear error below without it)
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("facelayers.widgets.dissection needs ipywidgets, anywidget and plotly: "
                      "pip install 'facelayers[lessons]'") from exc

from facelayers.model.geometry import FaceModel, build_face
from facelayers.teaching.state import FLAP_MAX_MM, RANGES, StateError, ViewState
from facelayers.widgets.controls import heading, labelled_slider, set_options, set_quietly
from facelayers.widgets.nerve_explorer import NerveExplorer

__all__ = ["DissectionComparer", "source_citation"]


class DissectionComparer(NerveExplorer):
    """Blind versus endoscopic: two techniques (A and B, one shown) side by side in one view.

    Their planes coloured by the distance to the nearest nerve (red = near, a titled colour bar), their
    incisions or ports, an open technique's flap, the endoscope and what it sees, and the comparison table.

    Switching technique re-sends only the three technique traces (plane, incisions, ports), the scope's and,
    with a raised flap, the flap and the layers it opens; moving the scope re-sends only the scope's traces and
    the endoscope view.

    Parameters
    ----------
    model : FaceModel, optional
        Default: ``build_face()``.
    techniques : (str, str)
        The pair compared, ids of ``data/techniques.json``; A is shown first.
    state : ViewState, optional
        What to show first; a state without a pair gets this one (:meth:`prepare_state`).
    height, title, paths
        As :class:`LayerExplorer`. The muscles are not drawn (here red means "close to a nerve").

    Raises
    ------
    ValueError
        If a technique id is unknown; the message lists the known ones.
    """

    SURGEON_VIEWS = True
    TITLE = "Blind versus endoscopic"
    FEATURES = {"nerves": True, "muscles": False, "profile": True, "techniques": True}

    def __init__(self, model: FaceModel | None = None, techniques: tuple[str, str] = ("deep_plane", "endoscopic_brow"),
                 state: ViewState | None = None, *, height: int = 620, title: str | None = "",
                 paths=None):
        model = model if model is not None else build_face()
        for tid in techniques:
            model.anatomy.technique(tid)  # a clear error listing the known ones
        self._pair = tuple(techniques)
        # No muscle patches here: lesson 02 shows them, and in this view red means "close to a nerve".
        super().__init__(model, state, height=height, title=title, muscles=False, paths=paths)

    def default_state(self) -> ViewState:
        """The state shown when none is given: technique A of the pair, two layers peeled, seen from the left."""
        return ViewState(peel=2, camera="left", technique=self._pair[0], compare=self._pair)

    def prepare_state(self, state: ViewState) -> ViewState:
        """Fill in the pair of techniques.

        A state without a pair keeps the comparer's pair; the technique it shows, if not one of the pair, takes
        the place of the one shown (as choosing it in that menu would).

        Parameters
        ----------
        state : ViewState

        Returns
        -------
        ViewState
            ``state`` itself if it has a pair, else a copy with ``technique`` and ``compare`` set.
        """
        pair = getattr(self, "controller", None) and self.state.compare or self._pair
        if state.compare is not None:
            return state
        tid = state.technique or pair[0]
        if tid not in pair:
            slot = self.state.shown_slot if getattr(self, "controller", None) else "A"
            pair = (tid, pair[1]) if slot == "A" else (pair[0], tid)
        return state.with_(technique=tid, compare=tuple(pair))

    # the old API

    @property
    def scope(self):
        """The endoscope's pose now (None for a technique without ports)."""
        return self.controller.scope(self.state)

    @property
    def holes(self) -> dict:
        """Per layer index, the hole a raised flap opens in it ({} without a raised flap)."""
        return self.controller._holes

    @property
    def scope_view(self):
        """The endoscope's view, a ``go.FigureWidget`` (the controller's)."""
        return self.controller.scope_figure

    def placed(self, technique_id: str):
        """A technique placed on the model (cached by the controller).

        Parameters
        ----------
        technique_id : str
            An id of ``data/techniques.json``.

        Returns
        -------
        facelayers.model.techniques.PlacedTechnique

        Raises
        ------
        ValueError
            If the id is unknown; the message lists the known ones.
        """
        return self.controller.placed(technique_id)

    def _scope_plane(self):
        """The plane the scope's tip lies in (left side), or None."""
        return self.controller.scope_plane(self.state, self.scope)

    def set_technique(self, technique_id: str) -> list[str]:
        """Show a technique in the slot shown (A or B), or switch to its slot if it is one of the pair.

        Parameters
        ----------
        technique_id : str
            An id of ``data/techniques.json``.

        Returns
        -------
        list of str
            The fields that changed.

        Raises
        ------
        ValueError
            If the id is unknown; the message lists the known ones.
        """
        return self.show_state(self.state.with_(technique=technique_id, compare=None))

    def set_flap(self, lift_mm) -> list[str]:
        """Raise an open technique's flap ``lift_mm`` at its incision (0 folds it back).

        Raising it from 0 shows every layer and turns to the surgeon's camera (see :meth:`Controller.resolve`).

        Parameters
        ----------
        lift_mm : real number, mm
            0 to :data:`facelayers.teaching.state.FLAP_MAX_MM`.

        Returns
        -------
        list of str
            The fields that changed.

        Raises
        ------
        ValueError
            If ``lift_mm`` is not a real number (a bool is not) or out of range
            (:func:`facelayers.model.flap.check_lift`), or is refused by the state.
        """
        from facelayers.model.flap import check_lift

        return self.update(flap_mm=check_lift(lift_mm))

    def set_scope(self, port: str | None = None, insertion_mm: float | None = None, aim_deg: float | None = None,
                  magnification: float | None = None) -> list[str]:
        """Move the endoscope (any of its port, insertion, aim, magnification; None leaves one as it is).

        Parameters
        ----------
        port : str, optional
            A port label of the shown technique (left side), as :meth:`Controller.ports` lists them.
        insertion_mm : float, optional
            How far the scope is inserted, mm.
        aim_deg : float, optional
            The scope's aim, degrees.
        magnification : float, optional
            Screen magnification (x) on a 50 cm screen.

        Returns
        -------
        list of str
            The fields that changed.

        Raises
        ------
        StateError
            If ``port`` is not a port of the shown technique (the message names the technique and its ports;
            nothing changes), or a value is out of its range in :data:`facelayers.teaching.state.RANGES`.
        """
        if port is not None:
            ports = self.controller.ports(self.state.technique)
            if port not in ports:
                allowed = ", ".join(repr(p) for p in ports) if ports else (
                    f"none: {self.state.technique!r} has no ports (an open approach)")
                raise StateError(f"set_scope: port = {port!r} is not a port of {self.state.technique!r}; "
                                 f"allowed: {allowed}", "scope_port", port)
        changes = {k: v for k, v in (("scope_port", port), ("scope_insertion_mm", insertion_mm),
                                     ("scope_aim_deg", aim_deg), ("scope_magnification", magnification))
                   if v is not None}
        return self.update(**changes)

    # --- controls -----------------------------------------------------------------------------------------

    def build_controls(self) -> None:
        """Make the nerve explorer's controls plus the technique and endoscope controls.

        The A and B menus, Show A/B, the flap slider and the endoscope's port, insertion, aim and magnification;
        each writes the state.
        """
        super().build_controls()
        labels = [(t.label, tid) for tid, t in self.model.anatomy.techniques.items()]
        self.technique_a = w.Dropdown(options=labels, value=self.state.compare[0], description="A",
                                      style={"description_width": "22px"}, layout=w.Layout(width="100%"))
        self.technique_b = w.Dropdown(options=labels, value=self.state.compare[1], description="B",
                                      style={"description_width": "22px"}, layout=w.Layout(width="100%"))
        self.show = w.ToggleButtons(options=[("Show A", "A"), ("Show B", "B")], value="A",
                                    layout=w.Layout(width="100%"))
        # One row (label, track, "mm"): the slider sits under Show A/B and must leave Pick and Window in view.
        flap_box, self.flap = labelled_slider(w.FloatSlider, "Raise the flap", value=0.0, min=0.0, max=FLAP_MAX_MM,
                                              step=1.0, inline=True, readout_format=".0f")
        self.flap.tooltip = "How far the flap is raised at its incision, mm"
        flap_box.children = (*flap_box.children, w.HTML("<span class='fl-note'>mm</span>"))
        self.flap_box = flap_box
        self.flap_note = w.HTML()
        self.shown_label = w.HTML()
        self.table = w.HTML()
        self.table.add_class("fl-table")
        self.port = w.Dropdown(description="Port", options=[], style={"description_width": "44px"},
                                layout=w.Layout(width="100%"))
        lo, hi, _ = RANGES["scope_insertion_mm"]
        ins_box, self.insertion = labelled_slider(w.FloatSlider, "Insert (mm)", value=self.state.scope_insertion_mm,
                                          min=lo, max=hi, step=1)
        lo, hi, _ = RANGES["scope_aim_deg"]
        aim_box, self.aim = labelled_slider(w.FloatSlider, "Aim (°)", value=self.state.scope_aim_deg, min=lo, max=hi,
                                    step=1)
        lo, hi, _ = RANGES["scope_magnification"]
        mag_box, self.magnification = labelled_slider(w.FloatSlider, "Magnification (× on a 50 cm screen)",
                                              value=self.state.scope_magnification, min=lo, max=hi, step=1)
        self.scope_boxes = [ins_box, aim_box, mag_box]
        self.technique_a.observe(lambda c: self._pick_pair(0, c["new"]), names="value")
        self.technique_b.observe(lambda c: self._pick_pair(1, c["new"]), names="value")
        self.show.observe(lambda c: c["new"] is not None and self._write(
            technique=self.state.compare["AB".index(c["new"])]), names="value")
        self.flap.observe(lambda c: self._write(flap_mm=float(c["new"])), names="value")
        self.port.observe(lambda c: c["new"] is not None and self._write(scope_port=c["new"]), names="value")
        self.insertion.observe(lambda c: self._write(scope_insertion_mm=float(c["new"])), names="value")
        self.aim.observe(lambda c: self._write(scope_aim_deg=float(c["new"])), names="value")
        self.magnification.observe(lambda c: self._write(scope_magnification=float(c["new"])), names="value")

    def _pick_pair(self, slot: int, tid: str) -> None:
        pair = list(self.state.compare)
        if pair[slot] == tid:
            return
        pair[slot] = tid
        shown = pair["AB".index(self.state.shown_slot)]
        self._write(compare=tuple(pair), technique=shown)

    def panel_controls(self) -> list:
        """The controls beside the figure, most used first.

        The pair (A and B menus) and Show A/B, the flap right under them (with its note, which says what raising
        it changed), peel and layers, camera, the pick menu, the cutaway, then the overlays (danger zones with
        their key, ligaments, region labels): on a 1366x768 laptop with JupyterLab's file browser open, the flap
        slider is in view with the figure (it stood at y 754, below the fold, under the cutaway).

        Returns
        -------
        list of ipywidgets.Widget
        """
        return [heading("Techniques compared"), self.technique_a, self.technique_b, self.show, self.shown_label,
                self.flap_box, self.flap_note,
                *self.layer_controls(), heading("Camera"), self.camera, *self.pick_controls(), heading("Cutaway"),
                self.cutaway, self.cut_box, *self.overlay_controls(), self.show_labels]

    def update(self, **changes) -> list[str]:
        """A change as a student makes it, remembering what raising the flap changed besides the flap.

        Raising the flap from 0 sets the peel to 0 and turns to the surgeon's camera (the controller's rule); the
        flap's note then says so (e.g. "Peel set from 2 to 0"), for as long as the flap is up and the peel and
        the camera stay as the rule set them.

        Parameters
        ----------
        **changes
            New values of :class:`~facelayers.teaching.state.ViewState` fields.

        Returns
        -------
        list of str
            The fields that changed.
        """
        old = self.state
        changed = self.controller.update(**changes)
        new = self.state
        if "flap_mm" in changes and old.flap_mm == 0 < new.flap_mm:
            self._flap_moves = {f: (getattr(old, f), getattr(new, f)) for f in ("peel", "camera")
                                if f not in changes and getattr(old, f) != getattr(new, f)}
        elif new.flap_mm == 0:
            self._flap_moves = {}
        self.render_controls()
        return changed

    def below(self) -> list:
        """What follows the stage: the table, the endoscope, the depth profile and the cross-section.

        The endoscope's controls sit beside its view.

        Returns
        -------
        list of ipywidgets.Widget
        """
        scope_panel = w.VBox([heading("Endoscope"), self.port, *self.scope_boxes],
                             layout=w.Layout(flex="0 0 350px", width="350px", min_width="300px"))
        scope_box = w.VBox([self.scope_view], layout=w.Layout(flex="1 1 560px", min_width="420px",
                                                              align_items="stretch"))
        scope_row = w.Box([scope_panel, scope_box], layout=w.Layout(display="flex", flex_flow="row wrap",
                                                                    align_items="flex-start", width="100%"))
        return [self.table, scope_row, *super().below()]

    def render_controls(self) -> None:
        """Show the state on every control, the technique and endoscope controls too.

        The pair, the flap (disabled for an endoscopic technique) and its note, the endoscope's controls
        (disabled without ports) and the table (rebuilt when the pair or the patient changes).
        """
        super().render_controls()
        s = self.state
        model = self.model
        set_quietly(self.technique_a, value=s.compare[0])
        set_quietly(self.technique_b, value=s.compare[1])
        set_quietly(self.show, value=s.shown_slot)
        technique = model.anatomy.technique(s.technique)
        self.shown_label.value = (f"<div class='fl-note'>Shown: <b>{html.escape(technique.label)}</b> "
                                  f"({technique.approach})</div>")
        is_open = self.controller.is_open(s.technique)
        set_quietly(self.flap, value=float(s.flap_mm), disabled=not is_open)
        if not is_open:
            note = "Endoscopic: no flap is raised; the plane is seen through the scope (below)."
        elif s.flap_mm > 0:
            note = ("What the surgeon sees from the incision: the flap, the floor of the pocket in its shadow, "
                    "<b>no nerve</b>.")
            if self.controller.surgeon_camera(s.technique) == "crown":
                note += (" (A coronal flap is then turned down to the brows, where the supraorbital bundles are "
                         "freed under direct vision.)")
            said = {"peel": "Peel set from {} to {}, every layer shown", "camera": "camera turned from {} to {}"}
            moves = [said[f].format(a, b) for f, (a, b) in getattr(self, "_flap_moves", {}).items()
                     if getattr(s, f) == b]
            if moves:
                note += f" <i>To show the flap: {'; '.join(moves)}.</i>"
        else:
            note = ""  # the slider's label says what it does; a note would push the pick and window down
        self.flap_note.value = f"<div class='fl-note'>{note}</div>" if note else ""
        ports = self.controller.ports(s.technique)
        if list(self.port.options) != ports:
            set_options(self.port, ports)
        set_quietly(self.port, value=s.scope_port, disabled=not ports)
        for control, name in ((self.insertion, "scope_insertion_mm"), (self.aim, "scope_aim_deg"),
                              (self.magnification, "scope_magnification")):
            set_quietly(control, value=float(getattr(s, name)), disabled=not ports)
        if getattr(self, "_table_for", None) != (s.compare, s.patient):  # the clearances follow the patient
            self.table.value = self.table_html(s.compare)
            self._table_for = (s.compare, s.patient)

    def table_html(self, pair) -> str:
        """The comparison of the two techniques as an HTML table.

        Full nerve names (headers wrap, never cut), each nerve's clearance from the plane in mm with the side
        it lies on (in the flap, deep to it, crosses it; a dash outside), each technique's approach, area
        (cm²) and scar length (cm); then up to three published complication rates per technique, with author
        and year.

        Parameters
        ----------
        pair : (str, str)
            Technique ids (one row if they are the same).

        Returns
        -------
        str
            HTML: two headings, a ``<table>`` and a ``<ul>``.
        """
        from facelayers.model.techniques import nerve_risks

        anatomy = self.model.anatomy
        nerves = ("frontal_2", "zygomatic", "buccal", "marginal_mandibular", "great_auricular", "supraorbital")
        head = "".join(f"<th>{html.escape(anatomy.nerves[n].label)}</th>" for n in nerves if n in anatomy.nerves)
        rows = []
        for tid in dict.fromkeys(pair):
            placed = self.placed(tid)
            risks = nerve_risks(placed, self.paths)
            cells = []
            for nid in nerves:
                if nid not in anatomy.nerves:
                    continue
                r = risks.get(nid)
                if r is None or r.side == "outside":
                    cells.append("<td>&ndash;</td>")
                else:
                    side = {"flap": "in the flap", "deep": "deep to it", "crosses": "crosses it"}.get(r.side, r.side)
                    cells.append(f"<td>{r.min_mm:.1f} mm, {side}</td>")
            t = placed.technique
            rows.append(f"<tr><td><b>{html.escape(t.label)}</b><br>{t.approach}, {placed.area_cm2:.0f} cm², "
                        f"scar {placed.incision_cm:.1f} cm</td>{''.join(cells)}</tr>")
        rates = []
        for tid in dict.fromkeys(pair):
            t = anatomy.technique(tid)
            for c in t.complications[:3]:
                rates.append(f"<li>{html.escape(t.label)}: {html.escape(c.measure)} {c.value:g}{html.escape(c.unit)} "
                             f"({html.escape(source_citation(anatomy, c.source_id))})</li>")
        return (f"<div class='fl-head'>Clearance of each nerve from the plane</div>"
                f"<table><tr><th>technique</th>{head}</tr>{''.join(rows)}</table>"
                f"<div class='fl-head'>Published complication rates</div><ul class='fl-note'>{''.join(rates)}</ul>")


def source_citation(anatomy, source_id: str) -> str:
    """A source as a student reads it: first author and year ("Jacono 2019"), from data/sources.csv.

    A source whose authors or year were not retrieved is named by its title, marked unverified.

    Parameters
    ----------
    anatomy : facelayers.anatomy.load.Anatomy
        Its ``sources``.
    source_id : str

    Returns
    -------
    str
        ``"<Author> [et al.] <year>"``; the title shortened to 110 characters with "(authors and year not
        verified)"; or "source in the data" for an unknown id.
    """
    import re

    src = anatomy.sources.get(source_id)
    if src is None:
        return "source in the data"
    citation = src.citation or ""
    if re.match(r"([A-Z][A-Za-z'\-]+)\s+[A-Z]{1,3}\b", citation) and "NOT RETRIEVED" not in (src.note or "").upper():
        return src.short  # one author-year form for every citation students read ("year not known" without one)
    title = citation.split(". ")[0].split(" (")[0]
    import textwrap

    return f"{textwrap.shorten(title, 110, placeholder='...')} (authors and year not verified)"
