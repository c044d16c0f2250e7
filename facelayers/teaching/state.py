"""What a view shows, as typed, immutable state objects.

:class:`ViewState` is the only home of what the 3D views show (layers, peel, cutaway, cross-section, pick,
overlays, region labels, the techniques compared and the one shown, the flap, the endoscope, the camera);
:class:`StepState` adds the storyboard step and :class:`QuizState` the quiz question and its answer. They are
pydantic v2 dataclasses, frozen: a change is a validated copy (:meth:`ViewState.with_`), so an old and a new
state can be compared, and a state can never be mutated into one a saved view would refuse. Strict types:
``ViewState(visible={"skin": "no"})`` is an error, not a silent ``False``.

A bad value raises :class:`StateError` (a ``ValueError``) on one line, naming the field, the value and what
is allowed: ``peel = 9; allowed: an integer 0 to 5``.

:mod:`facelayers.widgets.controller` turns (old state, new state) into the smallest figure update; the widgets only
write the state and re-render their controls from it. This module is part of the light core (pydantic only).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Optional

from pydantic import ConfigDict, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic.dataclasses import dataclass

from facelayers.core.frame import INTERFACES, LAYERS
from facelayers.model.limits import FLAP_MAX_MM, SECTION_KINDS, SECTION_LIMITS

__all__ = ["CAMERAS", "FLAP_MAX_MM", "SECTION_KINDS", "SECTION_LIMITS", "SURGEON_CAMERAS", "Layers", "QuizState",
           "StateError", "StepState", "ViewState"]

#: Camera presets by name (plotly scene cameras; eye in units of the scene box). The figures plot x negated
#: (see facelayers.render.face.xyz), so a negative eye x looks at the subject's left side.
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
    # From behind and beside the left ear at cheek height, looking forward along the facelift incision into the
    # pocket under a raised flap (facelayers.model.flap): the surgeon's view of the open approach. The centre is
    # between the left cheek's pocket and the head's middle, and the eye far enough back that the whole head stays
    # in the scene's box (a closer view cut it with the box's straight edges at 1366 px): tests/test_flap.py checks
    # the fit with facelayers.render.fit.scene_ndc.
    "incision": {"eye": {"x": -1.25, "y": -1.36, "z": 0.65}, "up": {"x": 0, "y": 0, "z": 1},
                 "center": {"x": -0.10, "y": 0.04, "z": -0.05}},
    # From above and behind the crown, looking forward along a coronal incision into the pocket of a coronal
    # (open brow or subperiosteal) flap; far enough back that the turned-down flap and the chin both show.
    "crown": {"eye": {"x": -0.55, "y": -1.35, "z": 1.55}, "up": {"x": 0, "y": 0, "z": 1},
              "center": {"x": 0, "y": 0.05, "z": -0.05}},
}

#: The presets that look into a raised flap's pocket (facelayers.model.flap.surgeon_camera): the dissection comparer
#: offers them; views without a flap (the layer and nerve explorers, the quiz) do not.
SURGEON_CAMERAS = ("incision", "crown")

# SECTION_KINDS, SECTION_LIMITS and FLAP_MAX_MM are the model's (facelayers.model.limits).

#: Ranges of the endoscope's pose and the flap: (low, high, unit).
RANGES = {"scope_insertion_mm": (5.0, 120.0, "mm"), "scope_aim_deg": (-60.0, 60.0, "degrees"),
          "scope_magnification": (2.0, 40.0, "x"), "flap_mm": (0.0, FLAP_MAX_MM, "mm")}


class StateError(ValueError):
    """A state value that is not allowed, on one line: ``<field> = <value>; allowed: <what>``.

    Attributes
    ----------
    field : str or None
        The field at fault, dotted for a nested one (``"visible.skin"``).
    value : object
        The value given.
    """

    def __init__(self, message: str, field: str | None = None, value: Any = None):
        super().__init__(message)
        self.field, self.value = field, value

    @classmethod
    def from_validation(cls, error: ValidationError) -> StateError:
        """The first problem of a pydantic ``ValidationError`` in the house's words."""
        first = error.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        message = first["msg"]
        if first["loc"] and first["loc"][0] == "compare" and first["type"] != "value_error":
            value = error.errors()[0].get("input")
            return cls(f"compare = {value!r}; allowed: null or a list of 2 technique ids", "compare", value)
        if first["type"] == "value_error":  # our own validators already say `field = value; allowed: ...`
            message = message.removeprefix("Value error, ")
            head = message.split(maxsplit=1)[0].rstrip(":=") if message else ""
            field = field or (head if head in _FIELD_NAMES else None)
        else:
            allowed = {"bool_type": "true or false", "int_type": "an integer", "float_type": "a number",
                       "string_type": "a string", "dict_type": "a mapping of layer name to true/false",
                       "tuple_type": "a list of 2 technique ids", "too_short": "a list of 2 technique ids",
                       "too_long": "a list of 2 technique ids", "unexpected_keyword_argument":
                       "the fields " + ", ".join(f.name for f in dataclasses.fields(ViewState))}
            what = allowed.get(first["type"], first["msg"].lower())
            if first["type"] == "unexpected_keyword_argument":
                message = f"unknown field {field!r}; allowed: {what}"
            else:
                message = f"{field} = {first.get('input')!r}; allowed: {what} ({first['msg']})"
        return cls(message, field, first.get("input"))


def _raise_clear_errors(cls):
    """Turn pydantic's multi-line ``ValidationError`` into a one-line :class:`StateError` at construction."""
    init = cls.__init__

    def __init__(self, *args, **kwargs):
        try:
            init(self, *args, **kwargs)
        except ValidationError as error:
            raise StateError.from_validation(error) from None

    __init__.__doc__ = init.__doc__
    cls.__init__ = __init__
    return cls


class Layers(dict):
    """Which surfaces are ticked (``INTERFACES`` order, every one present): a read-only dict.

    A state never changes in place; write ``state.with_(visible={...})`` instead.
    """

    def _refuse(self, *args, **kwargs):
        raise TypeError("a view state's layers cannot change in place; use state.with_(visible={...})")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = __ior__ = _refuse

    def __hash__(self):
        return hash(tuple(self.items()))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return (Layers, (dict(self),))


def _not_allowed(name: str, value, allowed) -> StateError:
    return StateError(f"{name} = {value!r}; allowed: {', '.join(map(str, allowed))}", name, value)


_CONFIG = ConfigDict(strict=True, extra="forbid", validate_default=True)


@_raise_clear_errors
@dataclass(frozen=True, config=_CONFIG)
class ViewState:
    """Everything a 3D view shows.

    Attributes
    ----------
    visible : dict of str -> bool
        Per surface in ``INTERFACES`` (the five layers and bone): ticked or not. Missing names are ticked;
        read-only (:class:`Layers`).
    peel : int
        Peel depth 0..5: surfaces above index ``peel`` are peeled away (0 = nothing peeled, 5 = bone only).
    cutaway : str or None
        Name of a window in :data:`facelayers.model.cutaway.WINDOWS`, or None.
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
    labels : bool
        Show the region names on the skin.
    nerves : bool
        Draw the nerves (the quiz hides them while a click question is open: they would be the answer).
    technique : str or None
        The technique shown (an id of data/techniques.json).
    compare : (str, str) or None
        The techniques A and B of the dissection comparer; ``technique`` is the one shown (A when both
        are the same). None outside the comparer.
    scope_port : str or None
        The endoscope's port (a port label of the technique; None = its first port).
    scope_insertion_mm, scope_aim_deg, scope_magnification : float
        How far in (5-120 mm), turned how far about the skin normal (-60 to 60 degrees), at what
        magnification (2-40x on a 50 cm screen).
    flap_mm : float
        How far an open technique's flap is raised at its incision (0 = not raised, up to
        :data:`FLAP_MAX_MM`). An endoscopic technique raises no flap, whatever this says.
    patient : facelayers.model.patient.Patient or None
        Whose face is drawn (sex, age, BMI); None = the reference patient (the data tables as they are). A
        mapping ``{sex, age, bmi}`` is accepted and checked (ranges of :mod:`facelayers.model.patient`).
    """

    visible: dict[str, bool] = dataclasses.field(default_factory=lambda: {name: True for name in INTERFACES})
    peel: int = 0
    cutaway: Optional[str] = None
    layers_cut: int = len(LAYERS)
    section_kind: str = "horizontal"
    section_at: float = -25.0
    camera: str = "oblique"
    pick: Optional[str] = None
    zones: bool = False
    ligaments: bool = False
    technique: Optional[str] = None
    scope_port: Optional[str] = None
    scope_insertion_mm: float = 40.0
    scope_aim_deg: float = 0.0
    scope_magnification: float = 8.0
    flap_mm: float = 0.0
    labels: bool = False
    nerves: bool = True
    compare: Optional[tuple[str, str]] = None
    patient: Optional[Any] = None

    # --- checks, run on every construction (and so on every with_) -------------------------------------

    @field_validator("visible")
    @classmethod
    def _visible(cls, value: dict) -> Layers:
        unknown = [k for k in value if k not in INTERFACES]
        if unknown:
            raise ValueError(f"visible: unknown layer {unknown[0]!r}; allowed: {', '.join(INTERFACES)}")
        return Layers({name: value.get(name, True) for name in INTERFACES})

    @field_validator("peel")
    @classmethod
    def _peel(cls, value: int) -> int:
        if not 0 <= value <= len(LAYERS):
            raise ValueError(f"peel = {value!r}; allowed: an integer 0 to {len(LAYERS)}")
        return value

    @field_validator("layers_cut")
    @classmethod
    def _layers_cut(cls, value: int) -> int:
        if not 1 <= value <= len(LAYERS):
            raise ValueError(f"layers_cut = {value!r}; allowed: an integer 1 to {len(LAYERS)}")
        return value

    @field_validator("cutaway")
    @classmethod
    def _cutaway(cls, value):
        if value is not None:
            from facelayers.model.cutaway import WINDOWS  # a sibling in the core; imported late to keep state light

            if value not in WINDOWS:
                raise ValueError(f"cutaway = {value!r} is not allowed; allowed: {', '.join(map(str, [*WINDOWS, None]))}")
        return value

    @field_validator("section_kind", "camera")
    @classmethod
    def _one_of(cls, value, info: ValidationInfo):
        allowed = {"section_kind": SECTION_KINDS, "camera": CAMERAS}[info.field_name]
        if value not in allowed:
            raise ValueError(f"{info.field_name} = {value!r} is not allowed; allowed: {', '.join(allowed)}")
        return value

    @field_validator("pick")
    @classmethod
    def _pick(cls, value):
        if value is not None and (value.partition(":")[0] not in ("nerve", "group", "muscle")
                                  or not value.partition(":")[2]):
            raise ValueError(f"pick = {value!r}; allowed: None, 'nerve:<id>', 'group:<group>' or 'muscle:<id>'")
        return value

    @field_validator("scope_insertion_mm", "scope_aim_deg", "scope_magnification", "flap_mm", mode="before")
    @classmethod
    def _ranges(cls, value, info):
        # Before the type check, so the message quotes the value as given (-1, not -1.0).
        lo, hi, unit = RANGES[info.field_name]
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not lo <= value <= hi:
            raise ValueError(f"{info.field_name} = {value!r}; allowed: {lo:g} to {hi:g} {unit}")  # NaN too
        return value

    @field_validator("patient", mode="before")
    @classmethod
    def _patient(cls, value):
        if value is None:
            return None
        # numpy-backed: imported only when a state names a patient (keeps the state module light)
        from facelayers.model.patient import Patient

        if isinstance(value, Patient):
            return value
        if not isinstance(value, Mapping):
            raise ValueError(f"patient = {value!r}; allowed: None, a facelayers.model.patient.Patient or a mapping "
                             "with the keys sex, age, bmi")
        return Patient.from_mapping(value, where="patient")

    @model_validator(mode="after")
    def _together(self):
        lo, hi = SECTION_LIMITS[self.section_kind]
        if not lo <= self.section_at <= hi:
            unit = "mm (height)" if self.section_kind == "horizontal" else "degrees (azimuth)"
            raise ValueError(f"section_at = {self.section_at!r}; allowed for a {self.section_kind} cut: "
                             f"{lo:g} to {hi:g} {unit}")
        if self.compare is not None and self.technique is not None and self.technique not in self.compare:
            raise ValueError(f"technique = {self.technique!r}; allowed with compare = {list(self.compare)}: "
                             f"one of {', '.join(self.compare)}")
        return self

    # --- reading -----------------------------------------------------------------------------------------

    def shown(self, name: str) -> bool:
        """Is surface ``name`` drawn: its box is ticked and it is not peeled away."""
        return bool(self.visible[name]) and INTERFACES.index(name) >= self.peel

    def peeled(self, name: str) -> bool:
        """Is surface ``name`` peeled away (whatever its box says)."""
        return INTERFACES.index(name) < self.peel

    @property
    def outermost(self) -> str | None:
        """The outermost surface drawn (None when every one is hidden)."""
        return next((name for name in INTERFACES if self.shown(name)), None)

    @property
    def shown_slot(self) -> str:
        """``"A"`` or ``"B"``: which of :attr:`compare` is shown (``"A"`` outside the comparer)."""
        if self.compare is not None and self.technique == self.compare[1] != self.compare[0]:
            return "B"
        return "A"

    # --- changing ----------------------------------------------------------------------------------------

    def with_(self, **changes) -> ViewState:
        """A validated copy with some fields changed (``visible`` may be given in part: the rest are kept).

        Raises
        ------
        StateError
            A field that does not exist or a value it does not allow; ``self`` is unchanged.
        """
        if "visible" in changes and isinstance(changes["visible"], Mapping):
            changes["visible"] = {**self.visible, **changes["visible"]}
        unknown = [k for k in changes if k not in _FIELD_NAMES]
        if unknown:
            raise StateError(f"unknown field {unknown[0]!r}; allowed: {', '.join(_FIELD_NAMES)}", unknown[0])
        return dataclasses.replace(self, **changes)

    def validate(self) -> None:
        """Check the state again (it was checked when made; kept for callers of the old API).

        Raises
        ------
        StateError
        """
        dataclasses.replace(self)

    def as_dict(self) -> dict:
        """Every field as plain Python.

        ``visible`` is a plain dict, ``compare`` a list or None, ``patient`` a ``{sex, age, bmi}`` dict or None.
        """
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "patient":
                out[f.name] = None if value is None else value.as_dict()
                continue
            out[f.name] = dict(value) if isinstance(value, dict) else list(value) if isinstance(value, tuple) \
                else value
        return out

    def changed(self, other: ViewState) -> list[str]:
        """The fields whose value differs between ``self`` and ``other``, in field order."""
        return [f.name for f in dataclasses.fields(self) if getattr(self, f.name) != getattr(other, f.name)]


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(ViewState))


@_raise_clear_errors
@dataclass(frozen=True, config=_CONFIG)
class StepState:
    """A storyboard player's state: which step is shown, and what the model shows.

    Attributes
    ----------
    step : int
        1-based step number.
    view : ViewState
        The step's view, as changed by the student since (the controls stay live between steps).
    """

    step: int
    view: ViewState

    @field_validator("step")
    @classmethod
    def _step(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"step = {value!r}; allowed: an integer from 1")
        return value


@_raise_clear_errors
@dataclass(frozen=True, config=_CONFIG)
class QuizState:
    """A quiz player's state: the question, its answer (if given) and what the model shows.

    Attributes
    ----------
    question : int
        0-based index of the question shown (= the number of questions: the quiz is over).
    click : (float, float, float) or None
        The point clicked, head frame (mm), once a click question is answered.
    choice : int or None
        The option chosen, once a choice question is answered.
    missed : bool
        The last click on the figure missed the model (the student is told).
    view : ViewState
    """

    question: int
    view: ViewState
    click: Optional[tuple[float, float, float]] = None
    choice: Optional[int] = None
    missed: bool = False

    @property
    def answered(self) -> bool:
        """Has the question shown been answered."""
        return self.click is not None or self.choice is not None

    def with_(self, **changes) -> QuizState:
        """A validated copy with some fields changed."""
        return dataclasses.replace(self, **changes)
