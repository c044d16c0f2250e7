"""The layer explorer: thin ipywidgets views over a :class:`~facelayers.widgets.controller.Controller`.

A control only writes the state (``self.update(peel=2)``); the controller draws the change as the smallest
figure update, and every control is then re-rendered from the state (:meth:`LayerExplorer.render_controls`), so
a control always shows what is drawn: a peeled layer's box is unticked and disabled, "outermost shown" names
the surface on top, a technique switch re-labels the flap slider and the endoscope. Re-rendering sets a control
only to the value the state already holds, so its observer finds nothing to change: no re-entry flags.

The stage: the 3D figure sits beside a panel of the controls a student uses while watching (peel, layers,
camera, Show A/B), and wraps below it on a narrow page; the panel keeps its sliders at least 120 px wide. The
cross-section, the depth profile, the comparison table and the endoscope follow below.
"""

from __future__ import annotations

import dataclasses
import html

try:
    import ipywidgets as w
    import plotly.graph_objects  # noqa: F401  (the figures are plotly's: a clear error below without it)
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("facelayers.widgets.layer_explorer needs ipywidgets, anywidget and plotly: "
                      "pip install 'facelayers[lessons]'") from exc

from facelayers.core.frame import INTERFACES
from facelayers.model.cutaway import WINDOWS
from facelayers.model.geometry import FaceModel, build_face
from facelayers.model.patient import REFERENCE_PATIENT
from facelayers.render import access
from facelayers.render import face as render
from facelayers.teaching.state import CAMERAS, SECTION_LIMITS, SURGEON_CAMERAS, ViewState
from facelayers.widgets.controller import Controller
from facelayers.widgets.controls import STAGE_CSS, PatientControls, heading, labelled_slider, set_options, set_quietly

__all__ = ["LayerExplorer"]


class LayerExplorer:
    """Layer boxes, a peel slider, camera presets, a cutaway window and a cross-section, beside the 3D model.

    Parameters
    ----------
    model : FaceModel, optional
        Default: ``build_face()`` at lecture resolution.
    state : ViewState, optional
        What to show first (a saved view: :func:`facelayers.teaching.views.load_view`).
    height : int
        Height of the 3D view, px: 620 px fits a 1366x768 laptop's JupyterLab with the panel beside it. Its
        width follows the page.
    title : str or None
        The 3D figure's title; ``""`` (default): the class's :attr:`TITLE`; None: no title.
    extra_traces : sequence of plotly traces
        Added to the 3D figure (the quiz's markers).
    layout : dict, optional
        More layout for the 3D figure (``meta``, ``scene.annotations``...).
    paths : dict of (nerve_id, side) -> facelayers.model.nerves.NervePath, optional
        The placed nerves, for the views that draw them (placed by the controller if not given).

    Raises
    ------
    ValueError
        If ``state`` names a technique, nerve or muscle the model's data do not have; the message lists the
        known ones.

    Attributes
    ----------
    controller : Controller
        Owns the figures and caches; :attr:`state` is its state.
    figure : go.FigureWidget
        The 3D view (:func:`facelayers.render.face.face_figure`): traces ``layer:<surface>``,
        ``labels:regions``, ``section:line``, ``space:layer4``, plus a subclass's nerves, muscles and
        techniques.
    section_figure : go.FigureWidget
        The 2D cross-section (:func:`facelayers.render.face.section_figure`).
    checkboxes : dict of str -> ipywidgets.Checkbox
    layer_rows : dict of str -> ipywidgets.HBox
        Per surface, its colour swatch beside its box (class ``fl-layer``, and ``fl-peeled`` while peeled).
    layer_grid : ipywidgets.Box
        The rows in a two-column grid, outermost first (class ``fl-layers``).
    peel, cutaway, layers_cut, camera, section_kind, section_at, show_labels : ipywidgets controls
    panel : ipywidgets.VBox
        The controls beside the figure.
    ui : ipywidgets.VBox
    """

    #: Offer the camera presets that look into a raised flap (the dissection comparer does).
    SURGEON_VIEWS = False
    #: Where a new cut starts when the orientation changes: through the cheek, or 20 degrees off the midline.
    SECTION_START = {"horizontal": -25.0, "vertical": 20.0}
    TITLE = "The five layers of the face"
    #: What the controller draws for this view (see :class:`~facelayers.widgets.controller.Controller`).
    FEATURES: dict = {}

    def __init__(self, model: FaceModel | None = None, state: ViewState | None = None, *,
                 height: int = 620, title: str | None = "", extra_traces=(), layout: dict | None = None,
                 paths=None):
        self.model = model if model is not None else build_face()
        state = self.default_state() if state is None else state
        state = self.prepare_state(state)
        self.controller = Controller(self.model, state, paths=paths, title=self.TITLE if title == "" else title,
                                     height=height, extra_traces=extra_traces, layout=layout,
                                     wrap=access.fit_figure, **self.FEATURES)
        self.paths = self.controller.paths
        self.build_controls()
        # The text alternative of the 3D view (read by screen readers, updated with every change).
        self.alt = access.alt_text_widget("", label=f"{self.TITLE or 'Figure'}: description", visible=False)
        # The stage's CSS, the keyboard-focus ring, and the page helper that names the slider handles and fits the
        # figures to their boxes (facelayers.render.access.page_helper_html: no widget model of its own).
        self.ui = w.VBox([w.HTML(STAGE_CSS + access.page_helper_html()), *self.layout_ui()],
                         layout=w.Layout(width="100%"))
        self.ui.add_class("facelayers-stage")
        self.ui.add_class("facelayers-controls")
        self.ui.add_class("fl-a11y")
        self.render_controls()

    # --- the state ----------------------------------------------------------------------------------------

    def default_state(self) -> ViewState:
        """The state shown when none is given: ``ViewState()``."""
        return ViewState()

    def prepare_state(self, state: ViewState) -> ViewState:
        """The state this view can show (the comparer fills in its techniques)."""
        return state

    @property
    def state(self) -> ViewState:
        """What is drawn now (the controller's state)."""
        return self.controller.state

    @property
    def figure(self):
        """The 3D view, a ``go.FigureWidget`` (the controller's)."""
        return self.controller.figure

    @property
    def section_figure(self):
        """The 2D cross-section, a ``go.FigureWidget`` (the controller's)."""
        return self.controller.section_figure

    def update(self, **changes) -> list[str]:
        """A change as a student makes it (with the controller's rules), then the controls re-rendered.

        Parameters
        ----------
        **changes
            New values of :class:`~facelayers.teaching.state.ViewState` fields, e.g. ``peel=2``.

        Returns
        -------
        list of str
            The fields that changed (``[]``: the state was already so, nothing was sent).

        Raises
        ------
        StateError
            A field or value the state refuses; nothing changes then.
        """
        changed = self.controller.update(**changes)
        self.render_controls()
        return changed

    def show_state(self, state: ViewState) -> list[str]:
        """Show a whole state (a saved view, a step) in one call.

        Parameters
        ----------
        state : ViewState
            Prepared for this view first (:meth:`prepare_state`), then resolved by the controller's rules.

        Returns
        -------
        list of str
            The fields that changed, in field order.
        """
        changed = self.controller.show(self.prepare_state(state))
        self.render_controls()
        return changed

    def _write(self, **changes) -> list[str]:
        """A control's observer: change the state only where it differs (a re-render writes the same)."""
        if all(getattr(self.state, key) == value for key, value in changes.items()):
            return []
        return self.update(**changes)

    # the old API, kept for lessons, tests and the bench

    def set_visible(self, name: str, value: bool) -> list[str]:
        """Show or hide one surface (its box): ``update(visible={name: value})``.

        Parameters
        ----------
        name : str
            A surface of :data:`facelayers.core.frame.INTERFACES`.
        value : bool

        Returns
        -------
        list of str
            The fields that changed.

        Raises
        ------
        StateError
            If ``name`` is not a surface.
        """
        return self.update(visible={name: bool(value)})

    def set_peel(self, value: int) -> list[str]:
        """Peel the outermost ``value`` surfaces away: ``update(peel=value)``.

        Parameters
        ----------
        value : int
            0 (nothing peeled) to 5 (only bone left).

        Returns
        -------
        list of str
            The fields that changed.

        Raises
        ------
        StateError
            If ``value`` is out of range or not an int.
        """
        return self.update(peel=value)

    def set_cutaway(self, name: str | None, layers_cut: int) -> list[str]:
        """Open a cutaway window ``layers_cut`` layers deep.

        Parameters
        ----------
        name : str or None
            A window of :data:`facelayers.model.cutaway.WINDOWS`, or None to close the cutaway.
        layers_cut : int
            How many layers, from the skin, the window removes.

        Returns
        -------
        list of str
            The surfaces whose geometry was re-sent.

        Raises
        ------
        StateError
            If the window or the depth is refused.
        """
        self.update(cutaway=name, layers_cut=layers_cut)
        return list(self.controller.resent)

    def set_camera(self, name: str) -> list[str]:
        """Move to a camera preset: ``update(camera=name)``.

        Parameters
        ----------
        name : str
            A key of :data:`facelayers.teaching.state.CAMERAS`.

        Returns
        -------
        list of str
            The fields that changed.

        Raises
        ------
        StateError
            If ``name`` is not a preset.
        """
        return self.update(camera=name)

    def set_section(self, kind: str, at: float | None) -> list[str]:
        """Move the cross-section.

        Parameters
        ----------
        kind : {"horizontal", "vertical"}
        at : float or None
            Height z of a horizontal cut, mm, or azimuth of a vertical one, degrees from the midline (within
            :data:`facelayers.teaching.state.SECTION_LIMITS`); None: the start of :attr:`SECTION_START` for ``kind``.

        Returns
        -------
        list of str
            The fields that changed.

        Raises
        ------
        StateError
            If ``kind`` is unknown or ``at`` is out of its range.
        """
        at = self.SECTION_START.get(kind, 0.0) if at is None else float(at)
        return self.update(section_kind=kind, section_at=at)

    # --- controls -----------------------------------------------------------------------------------------

    def build_controls(self) -> None:
        """Make the controls and wire each to write the state (:meth:`update`) when a student changes it.

        Layer boxes, peel, cutaway, camera, cross-section, region labels and the patient's controls.
        """
        labels = render.surface_labels(self.model)
        self.checkboxes = {name: w.Checkbox(value=True, description=labels[name], indent=False,
                                            layout=w.Layout(width="auto"))
                           for name in INTERFACES}
        peel_box, self.peel = labelled_slider(w.IntSlider, "Peel", value=0, min=0,
                                      max=len(INTERFACES) - 1, inline=True)
        self.peel_box = peel_box
        self.peel_label = w.HTML()
        self.cutaway = w.Dropdown(options=[("none", "none")] + [(win.label, k) for k, win in WINDOWS.items()],
                                  value="none", description="Window",
                                  style={"description_width": "70px"}, layout=w.Layout(width="100%"))
        cut_box, self.layers_cut = labelled_slider(w.IntSlider, "Layers cut", value=len(INTERFACES) - 1, min=1,
                                           max=len(INTERFACES) - 1, inline=True)
        self.cut_box = cut_box
        self.camera = w.ToggleButtons(options=self.camera_options(self.state.camera), value=self.state.camera,
                                      layout=w.Layout(width="100%"))
        self.camera.add_class("fl-camera")  # narrower buttons: the five presets in one row, the seven in two
        self.section_kind = w.ToggleButtons(options=["horizontal", "vertical"], value=self.state.section_kind)
        lo, hi = SECTION_LIMITS[self.state.section_kind]
        section_box, self.section_at = labelled_slider(w.FloatSlider, "Cut at (mm high, or degrees from the midline)",
                                               value=self.state.section_at, min=lo, max=hi, step=1.0)
        self.section_box = section_box
        self.show_labels = w.Checkbox(value=False, description="Region labels", indent=False)

        for name, box in self.checkboxes.items():
            box.observe(lambda change, name=name: self._on_box(name, change["new"]), names="value")
        self.peel.observe(lambda c: self._write(peel=int(c["new"])), names="value")
        self.cutaway.observe(lambda c: self._write(cutaway=None if c["new"] == "none" else c["new"]), names="value")
        self.layers_cut.observe(lambda c: self._write(layers_cut=int(c["new"])), names="value")
        self.camera.observe(lambda c: c["new"] is not None and self._write(camera=c["new"]), names="value")
        self.section_kind.observe(lambda c: c["new"] is not None and c["new"] != self.state.section_kind
                                  and self.set_section(c["new"], None), names="value")
        self.section_at.observe(lambda c: self._write(section_at=float(c["new"])), names="value")
        self.show_labels.observe(lambda c: self._write(labels=bool(c["new"])), names="value")
        self.build_patient_controls()

    @property
    def model(self) -> FaceModel:
        """The model drawn now: the controller's (it changes with the state's patient)."""
        controller = self.__dict__.get("controller")
        return controller.model if controller is not None else self.__dict__["_model"]

    @model.setter
    def model(self, value: FaceModel) -> None:
        self.__dict__["_model"] = value

    @property
    def paths(self):
        """The nerves placed on the model drawn now (the controller's)."""
        controller = self.__dict__.get("controller")
        return controller.paths if controller is not None else self.__dict__.get("_paths")

    @paths.setter
    def paths(self, value) -> None:
        self.__dict__["_paths"] = value

    def build_patient_controls(self) -> None:
        """Make the patient picker (sex, age, BMI) and a button back to the reference patient.

        Each writes the state's ``patient`` (the controller then draws that patient's model).
        """
        self.patient_picker = PatientControls(self.state.patient or REFERENCE_PATIENT, "Sex")
        self.patient_reference = w.Button(description="reference patient", tooltip="the data tables as they are",
                                          layout=w.Layout(width="auto"))
        self.patient_label = w.HTML()
        self.patient_picker.on_field(self._write_patient)
        self.patient_reference.on_click(lambda _b: self._write(patient=None))

    def _write_patient(self, field: str, value) -> None:
        """A picker's control changed: write that field of the state's patient.

        Nothing is written when the value already shows that field of the state's patient (a re-render writes
        what is there; no re-entry flag).
        """
        current = self.state.patient or REFERENCE_PATIENT
        if self.patient_picker.shows_field(field, value, current):
            return
        self.update(patient=dataclasses.replace(current, **{field: value}))

    def patient_controls(self) -> list:
        """The patient's part of the panel (last: changing the patient rebuilds the whole figure)."""
        return [heading("Patient"), self.patient_label, self.patient_picker.box, self.patient_reference]

    def render_patient_controls(self) -> None:
        """Show the state's patient on the picker (the reference patient's values for None)."""
        patient = self.state.patient
        shown = patient or REFERENCE_PATIENT
        if not self.patient_picker.shows(shown):
            self.patient_picker.show(shown)
        text = (f"<b>{html.escape(patient.label)}</b>" if patient is not None
                else "<b>the reference patient</b> (the data tables: a woman of 40, BMI 22)")
        self.patient_label.value = f"<div class='fl-note'>Drawn: {text}</div>"
        set_quietly(self.patient_reference, disabled=patient is None)

    def _on_box(self, name: str, value: bool) -> None:
        if self.state.peeled(name):
            return  # a peeled layer's box shows it is not drawn; the peel, not the box, decides
        self._write(visible={**self.state.visible, name: bool(value)})

    def camera_options(self, current: str) -> list[str]:
        """The camera presets the camera buttons offer.

        Parameters
        ----------
        current : str
            The preset shown now: always offered.

        Returns
        -------
        list of str
            Keys of :data:`~facelayers.teaching.state.CAMERAS` in their order; the surgeon's presets
            (:data:`~facelayers.teaching.state.SURGEON_CAMERAS`) only when :attr:`SURGEON_VIEWS` (or ``current``).
        """
        return [c for c in CAMERAS if c not in SURGEON_CAMERAS or self.SURGEON_VIEWS or c == current]

    def layer_controls(self) -> list:
        """The peel slider (one row), the outermost-shown note (one line) and the layers' grid.

        The grid (:attr:`layer_grid`, class ``fl-layers``) holds a row per surface, its colour swatch beside its box,
        in two columns read across, outermost first (skin | fat, SMAS | deep fascia, periosteum | bone: the short
        names in the first column leave the second room for the long ones) (:attr:`layer_rows`, class
        ``fl-layer``; a peeled surface's row also has class ``fl-peeled``).

        Returns
        -------
        list of ipywidgets.Widget
        """
        if not hasattr(self, "layer_grid"):
            self.layer_rows = {
                name: w.HBox([w.HTML(f"<span class='fl-swatch' style='background:{render.PALETTE[name]}'></span>"),
                              box], layout=w.Layout(width="auto", align_items="center"))
                for name, box in self.checkboxes.items()}
            for row in self.layer_rows.values():
                row.add_class("fl-layer")
            self.layer_grid = w.Box(list(self.layer_rows.values()), layout=w.Layout(width="100%"))
            self.layer_grid.add_class("fl-layers")
        return [self.peel_box, self.peel_label, heading("Layers"), self.layer_grid]

    def panel_controls(self) -> list:
        """The controls beside the figure, most used first.

        Returns
        -------
        list of ipywidgets.Widget
        """
        return [*self.layer_controls(), heading("Camera"), self.camera, heading("Cutaway"), self.cutaway,
                self.cut_box, self.show_labels]

    def below(self) -> list:
        """What follows the stage: the cross-section's heading and orientation buttons, its slider, its figure.

        Returns
        -------
        list of ipywidgets.Widget
        """
        return [w.HBox([heading("Cross-section"), self.section_kind], layout=w.Layout(flex_flow="row wrap",
                                                                                    align_items="center")),
                w.Box([self.section_box], layout=w.Layout(width="100%", max_width="700px")),
                self.section_figure]

    def stage(self, panel_children: list) -> w.Box:
        """The panel of controls beside the 3D figure (and its text alternative), wrapping below it on a narrow page.

        Parameters
        ----------
        panel_children : list of ipywidgets.Widget
            The panel's controls, top to bottom; sets :attr:`panel` (class ``fl-panel``, 350 px) and
            :attr:`figure_box` (class ``fl-figure``).

        Returns
        -------
        ipywidgets.Box
            A flex row of class ``fl-row``.
        """
        self.panel = w.VBox(panel_children, layout=w.Layout(flex="0 0 350px", width="350px", min_width="300px",
                                                            overflow="visible"))
        self.panel.add_class("fl-panel")
        # A column box stretches the figure to its width; plotly then sizes the plot to it (no fixed width).
        figure_box = w.VBox([self.figure, self.alt], layout=w.Layout(flex="1 1 560px", min_width="420px", max_width="100%",
                                                           align_items="stretch"))
        figure_box.add_class("fl-figure")
        self.figure_box = figure_box
        row = w.Box([self.panel, figure_box], layout=w.Layout(display="flex", flex_flow="row wrap",
                                                              align_items="flex-start", width="100%"))
        row.add_class("fl-row")
        return row

    def layout_ui(self) -> list:
        """The explorer's parts, top to bottom: the stage, then :meth:`below`.

        The stage is the panel (with the patient's controls last) beside the figure.

        Returns
        -------
        list of ipywidgets.Widget
        """
        return [self.stage([*self.panel_controls(), *self.patient_controls()]), *self.below()]

    def render_controls(self) -> None:
        """Show the state on every control (only what differs is set), then update the text alternative."""
        s = self.state
        for name, box in self.checkboxes.items():
            set_quietly(box, value=s.shown(name), disabled=s.peeled(name))
            row = getattr(self, "layer_rows", {}).get(name)
            if row is not None and ("fl-peeled" in row._dom_classes) != s.peeled(name):
                (row.add_class if s.peeled(name) else row.remove_class)("fl-peeled")
        set_quietly(self.peel, value=s.peel)
        labels = render.surface_labels(self.model)
        outer = s.outermost
        peeled = ", ".join(labels[n] for n in INTERFACES[:s.peel])
        # One line: the surface on top, and how many are peeled away (named in the tooltip; their rows in the
        # grid are struck through and disabled).
        note = (f"<span class='fl-note' title='peeled away: {html.escape(peeled, quote=True)}'>" if peeled
                else "<span class='fl-note'>")
        value = (note + "outermost shown: <b>"
                 + f"{html.escape(labels[outer]) if outer else 'nothing (every layer is hidden)'}</b>"
                 + (f" ({s.peel} peeled away)" if peeled else "") + "</span>")
        set_quietly(self.peel_label, value=value)
        set_quietly(self.cutaway, value=s.cutaway or "none")
        set_quietly(self.layers_cut, value=s.layers_cut)
        options = self.camera_options(s.camera)
        if list(self.camera.options) != options:
            set_options(self.camera, options)
        set_quietly(self.camera, value=s.camera)
        set_quietly(self.section_kind, value=s.section_kind)
        lo, hi = SECTION_LIMITS[s.section_kind]
        if (self.section_at.min, self.section_at.max) != (lo, hi) or self.section_at.value != s.section_at:
            set_quietly(self.section_at, min=min(lo, self.section_at.min), max=max(hi, self.section_at.max))
            set_quietly(self.section_at, value=s.section_at)
            set_quietly(self.section_at, min=lo, max=hi)
        set_quietly(self.show_labels, value=s.labels)
        self.render_patient_controls()
        self.describe()

    def description(self) -> str:
        """The text alternative of what the 3D view shows now (:func:`facelayers.render.access.describe_view`)."""
        placed = self.controller.placed(self.state.technique) if self.state.technique else None
        return access.describe_view(self.model, self.state, self.paths, placed=placed)

    def describe(self) -> None:
        """Write :meth:`description` into the screen-reader region under the figure (only when it changed)."""
        region = access.alt_text_html(self.description(), label=f"{self.TITLE or 'Figure'}: description",
                                      visible=False)
        if self.alt.value != region:
            self.alt.value = region

    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)
