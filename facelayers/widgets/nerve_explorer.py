"""The nerve explorer: the layer explorer plus the nerves, muscles, danger zones and ligaments, and a depth profile."""

from __future__ import annotations

try:
    import ipywidgets as w
    import plotly.graph_objects  # noqa: F401  (the figures are plotly's: a clear error below without it)
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("facelayers.widgets.nerve_explorer needs ipywidgets, anywidget and plotly: "
                      "pip install 'facelayers[lessons]'") from exc

from facelayers.model.geometry import FaceModel
from facelayers.render import structures as structure_figures
from facelayers.teaching.state import ViewState
from facelayers.widgets.controls import heading, set_quietly
from facelayers.widgets.layer_explorer import LayerExplorer

__all__ = ["NerveExplorer", "menu_value", "pick_options"]


def pick_options(anatomy) -> list[tuple[str, str]]:
    """The pick menu's entries, (label, value), in groups that are true and without duplicates.

    The facial nerve's trunk, then its motor branches (one entry per branch, ``"Branch: frontal"``; a branch of
    several rami adds one entry per ramus), then the sensory nerves (``"Sensory nerve: ..."``), then the vessels
    (``"Vessel: Sentinel vein"``), then the muscles. A branch that is one nerve has one entry (its ``group:``
    value): its ``nerve:`` pick lights the same thing (:func:`menu_value`).

    Parameters
    ----------
    anatomy : facelayers.anatomy.load.Anatomy

    Returns
    -------
    list of (str, str)
        Starting with ``("(none)", "none")``; values as ``ViewState.pick`` takes them.
    """
    options = [("(none)", "none")]
    groups: dict[str, list] = {}
    for nerve in anatomy.nerves.values():
        groups.setdefault(nerve.group, []).append(nerve)
    motor = [(g, members) for g, members in groups.items() if members[0].kind == "motor"]
    for g, members in motor:
        if g == "trunk":
            options += [(f"Facial nerve: {n.label.removeprefix('Facial nerve ')}", f"nerve:{n.nerve_id}")
                        for n in members]
    for g, members in motor:
        if g == "trunk":
            continue
        options.append((f"Branch: {g.replace('_', ' ')}", f"group:{g}"))
        if len(members) > 1:
            options += [(f"Branch: {g.replace('_', ' ')}, {n.label.rpartition(', ')[2]}", f"nerve:{n.nerve_id}")
                        for n in members]
    options += [(f"Sensory nerve: {n.label}", f"nerve:{n.nerve_id}") for n in anatomy.nerves.values()
                if n.kind == "sensory"]
    options += [(f"Vessel: {n.label}", f"nerve:{n.nerve_id}") for n in anatomy.nerves.values()
                if n.kind not in ("motor", "sensory")]
    options += [(f"Muscle: {m.label}", f"muscle:{mid}") for mid, m in anatomy.muscles.items()]
    return options


def menu_value(anatomy, pick: str | None) -> str:
    """The pick menu's entry for a state's pick: the same value, or the entry that lights the same nerves.

    ``"group:<g>"`` of a group that is one nerve and ``"nerve:<id>"`` of that nerve light the same traces; the
    menu lists one of them (:func:`pick_options`), so the other is shown as that one.

    Parameters
    ----------
    anatomy : facelayers.anatomy.load.Anatomy
    pick : str or None
        As ``ViewState.pick``.

    Returns
    -------
    str
        A value of :func:`pick_options` (``"none"`` for None), or ``pick`` unchanged if it has no twin.
    """
    if not pick:
        return "none"
    values = {v for _, v in pick_options(anatomy)}
    if pick in values:
        return pick
    kind, _, name = pick.partition(":")
    if kind == "group":
        members = anatomy.nerves_in_group(name)
        if len(members) == 1 and f"nerve:{members[0].nerve_id}" in values:
            return f"nerve:{members[0].nerve_id}"
    elif kind == "nerve" and name in anatomy.nerves:
        group = anatomy.nerves[name].group
        if len(anatomy.nerves_in_group(group)) == 1 and f"group:{group}" in values:
            return f"group:{group}"
    return pick


class NerveExplorer(LayerExplorer):
    """The layer explorer plus the nerves, muscles, Seckel's danger zones and the retaining ligaments.

    Pick a nerve, a branch or a muscle: it glows and the rest dims (a muscle also lights its branch), the view
    peels back as far as the nerve needs (a picked muscle shows even with its layer peeled), and the depth
    profile shows that nerve's depth below the skin along its course. Every pick changes styling only.
    """

    TITLE = "Nerves, muscles and danger zones"
    FEATURES = {"nerves": True, "muscles": True, "profile": True}

    def __init__(self, model: FaceModel | None = None, state: ViewState | None = None, *,
                 height: int = 620, title: str | None = "", extra_traces=(), muscles: bool = True,
                 layout: dict | None = None, paths=None):
        if not muscles:
            self.FEATURES = {**self.FEATURES, "muscles": False}
        super().__init__(model, state, height=height, title=title, extra_traces=extra_traces, layout=layout,
                         paths=paths)

    def default_state(self) -> ViewState:
        """The state shown when none is given: three layers peeled (the nerves show), seen from the left."""
        return ViewState(peel=3, camera="left")

    @property
    def profile(self):
        """The depth profile of the picked nerve (a FigureWidget)."""
        return self.controller.profile_figure

    def profile_nerve(self, pick: str) -> str:
        """The nerve whose depth profile a pick shows.

        Parameters
        ----------
        pick : str or None
            As ``ViewState.pick``: ``"nerve:<id>"``, ``"group:<group>"``, ``"muscle:<id>"`` or None.

        Returns
        -------
        str
            The nerve itself, or the first nerve of its branch; the first nerve of the data when nothing is picked.
        """
        return self.controller.profile_nerve(pick)

    def set_pick(self, pick: str | None) -> list[str]:
        """Light a nerve, branch or muscle: ``update(pick=pick)``.

        Parameters
        ----------
        pick : str or None
            ``"nerve:<id>"``, ``"group:<group>"``, ``"muscle:<id>"`` or None (no pick).

        Returns
        -------
        list of str
            The fields that changed (a pick may also peel the view as far as the nerve needs).

        Raises
        ------
        ValueError
            If ``pick`` has another form (a :class:`~facelayers.teaching.state.StateError`) or names an
            unknown nerve or muscle; the message lists the known ones.
        """
        return self.update(pick=pick)

    def set_overlay(self, which: str, value: bool) -> list[str]:
        """Show or hide Seckel's danger zones or the retaining ligaments.

        Parameters
        ----------
        which : {"zones", "ligaments"}
        value : bool

        Returns
        -------
        list of str
            The fields that changed.

        Raises
        ------
        ValueError
            If ``which`` is another name.
        """
        if which not in ("zones", "ligaments"):
            raise ValueError(f"overlay {which!r}; allowed: zones, ligaments")
        return self.update(**{which: bool(value)})

    def build_controls(self) -> None:
        """Make the layer explorer's controls plus the pick menu and the zone and ligament boxes.

        The pick menu (:func:`pick_options`) offers the facial nerve's trunk and branches, then the sensory
        nerves, the vessels and the muscles; each control writes the state.
        """
        super().build_controls()
        options = pick_options(self.model.anatomy)
        self.pick = w.Dropdown(options=options, value="none", description="Pick",
                               style={"description_width": "44px"}, layout=w.Layout(width="100%"))
        self.zones = w.Checkbox(value=False, description="Danger zones (Seckel)", indent=False)
        self.ligaments = w.Checkbox(value=False, description="Retaining ligaments", indent=False)
        # The zones' key (numbers as drawn on the skin, and the nerve each guards), shown while the zones are.
        self.zone_key = w.HTML("")
        self.pick.observe(self._on_pick, names="value")
        self.zones.observe(lambda c: self._write(zones=bool(c["new"])), names="value")
        self.ligaments.observe(lambda c: self._write(ligaments=bool(c["new"])), names="value")

    def _on_pick(self, change) -> None:
        """The pick menu's observer: write its value, unless the state's pick is its twin (the menu showing it)."""
        if menu_value(self.model.anatomy, self.state.pick) != change["new"]:
            self._write(pick=None if change["new"] == "none" else change["new"])

    def pick_controls(self) -> list:
        """The pick menu under its heading.

        Returns
        -------
        list of ipywidgets.Widget
        """
        return [heading("Light a nerve, branch, vessel or muscle"), self.pick]

    def overlay_controls(self) -> list:
        """The zone box with the zones' key under it, and the ligament box.

        Returns
        -------
        list of ipywidgets.Widget
        """
        return [self.zones, self.zone_key, self.ligaments]

    def nerve_controls(self) -> list:
        """The pick menu, the zone box with the zones' key under it, and the ligament box, under their heading.

        Returns
        -------
        list of ipywidgets.Widget
            :meth:`pick_controls`, then :meth:`overlay_controls`.
        """
        return [*self.pick_controls(), *self.overlay_controls()]

    def panel_controls(self) -> list:
        """The controls beside the figure: layers, camera, the nerve controls, cutaway.

        Returns
        -------
        list of ipywidgets.Widget
        """
        return [*self.layer_controls(), heading("Camera"), self.camera, *self.nerve_controls(), heading("Cutaway"),
                self.cutaway, self.cut_box, self.show_labels]

    def below(self) -> list:
        """What follows the stage: the depth profile (if kept), then the cross-section.

        Returns
        -------
        list of ipywidgets.Widget
        """
        return [self.profile, *super().below()] if self.profile is not None else super().below()

    def render_controls(self) -> None:
        """Show the state on every control, the pick menu and the overlay boxes too."""
        super().render_controls()
        s = self.state
        set_quietly(self.pick, value=menu_value(self.model.anatomy, s.pick))
        set_quietly(self.zones, value=s.zones)
        set_quietly(self.zone_key, value=structure_figures.zone_key_html(self.model) if s.zones else "")
        set_quietly(self.ligaments, value=s.ligaments)
