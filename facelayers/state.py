"""What the viewer shows, as a plain Python object.

Widgets only read and write a :class:`ViewState`; :mod:`facelayers.render` turns it into a figure or into
the few trace updates that a change needs. So every behaviour is testable without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from facelayers.frame import INTERFACES, LAYERS

#: Camera presets by name (plotly scene cameras; eye in units of the scene box). The figures plot x negated
#: (see facelayers.render.xyz), so a negative eye x looks at the subject's left side.
CAMERAS: dict[str, dict] = {
    "front": {"eye": {"x": 0.0, "y": 1.9, "z": 0.12}, "up": {"x": 0, "y": 0, "z": 1},
              "center": {"x": 0, "y": 0, "z": -0.05}},
    "left": {"eye": {"x": -1.9, "y": 0.0, "z": 0.12}, "up": {"x": 0, "y": 0, "z": 1},
             "center": {"x": 0, "y": 0, "z": -0.05}},
    "right": {"eye": {"x": 1.9, "y": 0.0, "z": 0.12}, "up": {"x": 0, "y": 0, "z": 1},
              "center": {"x": 0, "y": 0, "z": -0.05}},
    "oblique": {"eye": {"x": -1.35, "y": 1.35, "z": 0.35}, "up": {"x": 0, "y": 0, "z": 1},
                "center": {"x": 0, "y": 0, "z": -0.05}},
    "top": {"eye": {"x": 0.0, "y": 0.35, "z": 2.0}, "up": {"x": 0, "y": 1, "z": 0},
            "center": {"x": 0, "y": 0, "z": 0}},
    # From behind the left ear, looking forward along the facelift incision into the pocket under a raised
    # flap (facelayers.flap): the surgeon's view of the open approach.
    "incision": {"eye": {"x": -1.25, "y": -0.62, "z": 0.78}, "up": {"x": 0, "y": 0, "z": 1},
                 "center": {"x": -0.1, "y": 0.12, "z": -0.12}},
    # From above and behind the crown, looking forward along a coronal incision into the pocket of a coronal
    # (open brow or subperiosteal) flap.
    "crown": {"eye": {"x": -0.45, "y": -1.1, "z": 1.35}, "up": {"x": 0, "y": 0, "z": 1},
              "center": {"x": 0, "y": 0.1, "z": 0.05}},
}

#: The presets that look into a raised flap's pocket (facelayers.flap.surgeon_camera): the dissection comparer
#: offers them; views without a flap (the layer and nerve explorers, the quiz) do not.
SURGEON_CAMERAS = ("incision", "crown")

#: Cross-section orientations: a horizontal cut at a height z (mm) or a vertical cut at an azimuth (degrees,
#: 0 = midline, + toward the subject's left).
SECTION_KINDS = ("horizontal", "vertical")
#: Below z = -60 mm a horizontal cut would run along the underside of the jaw: use a vertical cut there.
SECTION_LIMITS = {"horizontal": (-60.0, 60.0), "vertical": (-120.0, 120.0)}
#: The most an open technique's flap is raised at its incision in the lessons (mm).
FLAP_MAX_MM = 40.0


def _check_choice(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{name} = {value!r} is not allowed; allowed: {', '.join(map(str, allowed))}")


@dataclass
class ViewState:
    """Everything the layer explorer shows.

    Attributes
    ----------
    visible : dict of str -> bool
        Per surface in ``INTERFACES`` (the five layers and bone): shown or hidden by its checkbox.
    peel : int
        Peel depth 0..5: layers above index ``peel`` are peeled away (0 = nothing peeled, 5 = bone only).
    cutaway : str or None
        Name of a window in :data:`facelayers.cutaway.WINDOWS`, or None.
    layers_cut : int
        How many layers the cutaway removes, 1 (skin) to 5 (down to bone).
    section_kind : str
        ``"horizontal"`` (at height ``section_at`` mm) or ``"vertical"`` (at azimuth ``section_at`` degrees).
    section_at : float
    camera : str
        A name in :data:`CAMERAS`.
    pick : str or None
        Highlighted structure: ``"nerve:<id>"``, ``"group:<branch>"``, ``"muscle:<id>"`` or None.
    zones, ligaments : bool
        Show Seckel's danger zones / the retaining ligaments.
    technique : str or None
        The technique shown (an id of data/techniques.json).
    scope_port, scope_insertion_mm, scope_aim_deg, scope_magnification
        The endoscope's pose: which port (an id of the technique's ports), how far in (5-120 mm), turned how
        far about the skin normal (-60 to 60 degrees), at what magnification (2-40x on a 50 cm screen).
    flap_mm : float
        How far an open technique's flap is raised at its incision (0 = not raised, up to
        :data:`FLAP_MAX_MM`): the open approach as the surgeon meets it (:mod:`facelayers.flap`). An
        endoscopic technique raises no flap, whatever this says.
    """

    visible: dict[str, bool] = field(default_factory=lambda: {name: True for name in INTERFACES})
    peel: int = 0
    cutaway: str | None = None
    layers_cut: int = len(LAYERS)
    section_kind: str = "horizontal"
    section_at: float = -25.0
    camera: str = "oblique"
    pick: str | None = None
    zones: bool = False
    ligaments: bool = False
    technique: str | None = None
    scope_port: str | None = None
    scope_insertion_mm: float = 40.0
    scope_aim_deg: float = 0.0
    scope_magnification: float = 8.0
    flap_mm: float = 0.0

    def __post_init__(self):
        self.validate()

    def validate(self) -> None:
        """Raise ValueError naming the field, the value and what is allowed."""
        unknown = set(self.visible) - set(INTERFACES)
        if unknown:
            raise ValueError(f"visible: unknown layer {sorted(unknown)[0]!r}; allowed: {', '.join(INTERFACES)}")
        for name in INTERFACES:
            self.visible.setdefault(name, True)
        if not isinstance(self.peel, int) or not 0 <= self.peel <= len(LAYERS):
            raise ValueError(f"peel = {self.peel!r}; allowed: an integer 0 to {len(LAYERS)}")
        if self.cutaway is not None:
            from facelayers.cutaway import WINDOWS  # a sibling in the core; imported late to keep state light

            _check_choice("cutaway", self.cutaway, [*WINDOWS, None])
        if not isinstance(self.layers_cut, int) or not 1 <= self.layers_cut <= len(LAYERS):
            raise ValueError(f"layers_cut = {self.layers_cut!r}; allowed: an integer 1 to {len(LAYERS)}")
        _check_choice("section_kind", self.section_kind, SECTION_KINDS)
        lo, hi = SECTION_LIMITS[self.section_kind]
        if not lo <= float(self.section_at) <= hi:
            unit = "mm (height)" if self.section_kind == "horizontal" else "degrees (azimuth)"
            raise ValueError(f"section_at = {self.section_at!r}; allowed for a {self.section_kind} cut: "
                             f"{lo:g} to {hi:g} {unit}")
        _check_choice("camera", self.camera, CAMERAS)
        for name, lo, hi, unit in (("scope_insertion_mm", 5.0, 120.0, "mm"), ("scope_aim_deg", -60.0, 60.0, "degrees"),
                                   ("scope_magnification", 2.0, 40.0, "x"), ("flap_mm", 0.0, FLAP_MAX_MM, "mm")):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not lo <= float(value) <= hi:
                raise ValueError(f"{name} = {value!r}; allowed: {lo:g} to {hi:g} {unit}")
        if self.pick is not None and self.pick.partition(":")[0] not in ("nerve", "group", "muscle"):
            raise ValueError(f"pick = {self.pick!r}; allowed: None, 'nerve:<id>', 'group:<group>' or 'muscle:<id>'")

    def shown(self, name: str) -> bool:
        """Is surface ``name`` drawn: its checkbox is on and it is not peeled away."""
        return bool(self.visible[name]) and INTERFACES.index(name) >= self.peel

    def with_(self, **changes) -> ViewState:
        """A validated copy with some fields changed."""
        return replace(self, visible=dict(self.visible), **changes)

    def as_dict(self) -> dict:
        return {f.name: (dict(v) if isinstance(v := getattr(self, f.name), dict) else v) for f in fields(self)}
