"""Procedure storyboards: a technique replayed step by step, each step a caption, the nerves at risk and a view.

A storyboard is one YAML file of ``data/storyboards/`` (``deep_plane.yaml``): a title, the technique, a summary,
its sources and 6 to 10 steps from the incision or the ports to the closure. Each step's ``view`` is a partial
:class:`~facelayers.teaching.state.ViewState` written as in a saved view (:mod:`facelayers.teaching.views`): the fields it names,
the others at their defaults, and the storyboard's technique unless the step names another::

    - title: Entering the deep plane
      caption: ...
      nerves_at_risk: [zygomatic, buccal]
      view:
        peel: 3
        camera: left
        pick: group:zygomatic

:mod:`facelayers.anatomy.validation` checks the files' syntax, schema and references (technique, sources, nerves,
pick, port label); this module adds the one check that needs the view state itself,
:func:`check_storyboard_views`, and builds :class:`Storyboard` objects from a loaded
:class:`~facelayers.anatomy.load.Anatomy`. numpy-free: PyYAML, the state and the checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import yaml

from facelayers.anatomy.reading import DataSet, storyboard_filename
from facelayers.anatomy.specs import Record
from facelayers.anatomy.table_checks import Check
from facelayers.anatomy.validation import CHECKS, read_tables
from facelayers.core.errors import InputError
from facelayers.teaching.state import ViewState
from facelayers.teaching.views import view_from_yaml

if TYPE_CHECKING:  # the anatomy imports numpy: only its type is needed here
    from facelayers.anatomy.load import Anatomy

__all__ = ["ALL_CHECKS", "SourceRef", "Step", "Storyboard", "check_storyboard_views", "load_storyboards",
           "nerve_names", "read_data", "steps_text", "view_problems", "view_state"]


# ----------------------------------------------------------------------------------------------------
# A step's view: a partial ViewState


def _view_fields() -> list[str]:
    return [f.name for f in fields(ViewState) if f.init]


def view_state(view: Mapping[str, Any], technique: str | None = None, source: str = "<view>") -> ViewState:
    """The :class:`ViewState` of a partial view: the fields it names, the others at their defaults.

    Parameters
    ----------
    view : Mapping
        Fields of ViewState (``peel``, ``camera``, ``pick``, ``visible`` as a mapping of layer to bool...).
    technique : str, optional
        The technique when the view names none (a storyboard's own).
    source : str
        Named in error messages.

    Raises
    ------
    InputError
        An unknown key (the message lists ViewState's fields), or a value ViewState refuses (its message);
        ``field`` is the key at fault (``"visible.skin"`` for a nested one). The ids the view names are
        not judged here: the data checks judge them against their own folder.
    """
    unknown = [key for key in view if key not in _view_fields()]
    if unknown:
        raise InputError(source, None, None, str(unknown[0]), None,
                         f"unknown key {unknown[0]!r}; the keys of a view are the fields of ViewState: "
                         f"{', '.join(_view_fields())}")
    data = {"technique": technique, **view} if technique is not None else dict(view)
    # Through the saved-view reader, so that a storyboard's view and a view file mean the same thing.
    text = yaml.safe_dump(_plain(data), sort_keys=False, default_flow_style=False, allow_unicode=True)
    return view_from_yaml(text, source=source, check_ids=False)


def _plain(value: Any) -> Any:
    """Read-only mappings and tuples of a loaded document as the dicts and lists yaml.safe_dump takes."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _message(error: InputError) -> str:
    """ViewState's words for an error about a view, without its file and line: ``peel = 9; allowed: ...``."""
    return error.allowed


def view_problems(filename: str, label: str, document: Mapping[str, Any],
                  lines: Mapping[tuple, int]) -> list[InputError]:
    """Every step view of one storyboard that ViewState refuses: unknown keys and values out of range.

    Parameters
    ----------
    filename, label : str
        How the problems name the file (``storyboards/deep_plane.yaml``) and the row (``storyboard deep_plane``).
    document : Mapping
        The storyboard's content (after its schema: malformed steps and views are skipped).
    lines : Mapping of tuple to int
        Line of each value by its path, as :attr:`facelayers.anatomy.specs.Record.lines`.

    Returns
    -------
    list of InputError
        One per view at fault, naming the field ``steps[<i>].view.<key>`` (0-based), its value and
        ViewState's message.
    """
    problems = []
    technique = document.get("technique") if isinstance(document.get("technique"), str) else None
    for index, step in enumerate(document.get("steps") or ()):
        view = step.get("view") if isinstance(step, Mapping) else None
        if not isinstance(view, Mapping):
            continue
        try:
            view_state(view, technique)
        except InputError as error:
            key = error.field or ""
            path = ("steps", index, "view", *(int(k) if k.isdigit() else k for k in key.split(".") if k))
            value = view
            for step_key in path[3:]:
                value = value.get(step_key) if isinstance(value, Mapping) else None
            shown = _show(value) if key else None
            line = next((lines[path[:n]] for n in range(len(path), 0, -1) if path[:n] in lines), 1)
            field = f"steps[{index}].view" + (f".{key}" if key else "")
            problems.append(InputError(filename, line, label, field, shown, f"ViewState refuses it: {_message(error)}"))
    return problems


def _show(value: Any) -> str:
    """A value as the YAML file writes it: ``9``, ``false``, ``{skin: false}``."""
    if isinstance(value, str):
        return value
    return yaml.safe_dump(_plain(value), default_flow_style=True, width=1000).strip().removesuffix("...").strip()


def check_storyboard_views(data: DataSet) -> list[InputError]:
    """Every step's view is a view ViewState accepts.

    Its keys are fields of ViewState and their values within what ViewState allows (peel 0-5, a camera preset, a
    cutaway window...).
    """
    problems = []
    for storyboard_id, record in data.storyboards.values.items():
        problems += view_problems(storyboard_filename(storyboard_id), record.label, record.values, record.lines)
    return problems


#: The data checks with the storyboard view check: what ``python -m facelayers validate`` runs.
ALL_CHECKS: tuple[Check, ...] = (*CHECKS, check_storyboard_views)


def read_data(path) -> tuple[dict[str, list[Record]], list[InputError]]:
    """:func:`facelayers.anatomy.validation.read_tables` with :data:`ALL_CHECKS`: the tables and every problem."""
    return read_tables(path, checks=ALL_CHECKS)


# ----------------------------------------------------------------------------------------------------
# Storyboards


@dataclass(frozen=True)
class SourceRef:
    """A source of a storyboard: a source_id of sources.csv and where in it."""

    source_id: str
    locator: str


@dataclass(frozen=True)
class Step:
    """One step of a procedure.

    Attributes
    ----------
    number : int
        1-based, as the player shows it ("step 3 of 8").
    title, caption : str
    nerves_at_risk : tuple of str
        nerve_ids of nerves.json (may be empty: the caption says why).
    view : Mapping
        The step's view as written, with the storyboard's technique and patient where the step names none
        (a step may name its own ``patient: {sex, age, bmi}``); read-only. Validated at construction.
    """

    number: int
    title: str
    caption: str
    nerves_at_risk: tuple[str, ...]
    view: Mapping[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "nerves_at_risk", tuple(self.nerves_at_risk))
        object.__setattr__(self, "view", MappingProxyType(dict(self.view)))
        self.state()  # a view ViewState refuses fails here, naming the step

    def state(self) -> ViewState:
        """A fresh :class:`ViewState` for this step (the fields the view names, the rest at defaults)."""
        try:
            return view_state(self.view, source=f"step {self.number} ({self.title})")
        except InputError as error:
            raise InputError(f"step {self.number} ({self.title})", None, None,
                             None if error.field is None else f"view.{error.field}", error.value,
                             _message(error)) from None


@dataclass(frozen=True)
class Storyboard:
    """A procedure, step by step (a file of ``data/storyboards/``).

    Attributes
    ----------
    storyboard_id : str
        The file's name without ``.yaml``.
    title, summary : str
    technique : str
        A technique_id of techniques.json.
    compare_with : str or None
        A technique offered beside it in the player's comparer, if the file names one.
    patient : facelayers.model.patient.Patient or None
        The patient the storyboard is told for, if the file names one (None: the reference patient).
    sources : tuple of SourceRef
    steps : tuple of Step
        6 to 10, in operating order.
    """

    storyboard_id: str
    title: str
    technique: str
    summary: str
    sources: tuple[SourceRef, ...]
    steps: tuple[Step, ...]
    compare_with: str | None = None
    patient: Any = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "steps", tuple(self.steps))
        if not self.steps:
            raise ValueError(f"storyboard {self.storyboard_id}: needs at least one step")

    def __len__(self) -> int:
        return len(self.steps)

    def step(self, number: int) -> Step:
        """Step ``number`` (1-based). Raises ValueError naming the allowed range."""
        if not isinstance(number, int) or not 1 <= number <= len(self.steps):
            raise ValueError(f"storyboard {self.storyboard_id}: step {number!r}; allowed: 1 to {len(self.steps)}")
        return self.steps[number - 1]


def _storyboard(storyboard_id: str, document: Mapping[str, Any]) -> Storyboard:
    technique = document["technique"]
    patient = _patient(document.get("patient"))
    steps = []
    for number, step in enumerate(document["steps"], start=1):
        view = dict(step["view"])
        view.setdefault("technique", technique)
        if patient is not None:  # the storyboard's patient, unless the step names its own
            view.setdefault("patient", patient.as_dict())
        steps.append(Step(number, step["title"], step["caption"], tuple(step["nerves_at_risk"]), view))
    return Storyboard(storyboard_id, document["title"], technique, document["summary"],
                      tuple(SourceRef(s["source_id"], s["locator"]) for s in document["sources"]), tuple(steps),
                      document.get("compare_with"), patient)


def _patient(value: Mapping[str, Any] | None):
    """The storyboard's optional patient (its schema has checked the fields and ranges)."""
    if value is None:
        return None
    # Imported only when a storyboard names a patient.
    from facelayers.model.patient import Patient

    return Patient.from_mapping(value, where="storyboard 'patient'")


def load_storyboards(anatomy: Anatomy) -> dict[str, Storyboard]:
    """The storyboards of a loaded anatomy, with every step's view checked by ViewState.

    Parameters
    ----------
    anatomy : Anatomy
        From :func:`facelayers.anatomy.load.load_anatomy` (its storyboards have passed the data checks).

    Returns
    -------
    dict of str to Storyboard
        By storyboard id, in file-name order.

    Raises
    ------
    InputError
        A step's view that ViewState refuses (the problems name the file, line, step and key; all of them in
        ``problems``).
    """
    files = anatomy.storyboards
    problems = [p for f in files.values() for p in view_problems(f.filename, f.label, f.document, f.lines)]
    if problems:
        raise InputError.gather(problems, f"invalid data in {anatomy.data_dir}")
    return {sid: _storyboard(sid, f.document) for sid, f in files.items()}


# ----------------------------------------------------------------------------------------------------
# The steps as text


def steps_text(storyboard: Storyboard, anatomy: Anatomy) -> str:
    """The steps of a storyboard and the nerves at risk in each, as plain text (for a lesson).

    Parameters
    ----------
    storyboard : Storyboard
    anatomy : Anatomy
        For the technique's and the nerves' labels.

    Returns
    -------
    str
        A title line, then two lines per step: its number and title, and the nerves at risk by label
        (the rami of one branch on one line: "Frontal (temporal) branch, rami 1, 2, 3") or "none".
    """
    technique = anatomy.techniques[storyboard.technique].label
    lines = [f"{storyboard.title}: {len(storyboard)} steps ({technique})"]
    for step in storyboard.steps:
        lines.append(f"{step.number:>2}. {step.title}")
        lines.append(f"    nerves at risk: {nerve_names(anatomy, step.nerves_at_risk)}")
    return "\n".join(lines)


def nerve_names(anatomy: Anatomy, nerve_ids) -> str:
    """Nerves by label, ``"; "``-separated, the rami of one branch together; ``"none"`` for none."""
    names: dict[str, list[str]] = {}
    for nerve_id in nerve_ids:
        head, sep, ramus = anatomy.nerve(nerve_id).label.rpartition(", ramus ")
        if sep:
            names.setdefault(head, []).append(ramus)
        else:
            names.setdefault(anatomy.nerve(nerve_id).label, [])
    parts = [f"{head}, {'rami' if len(rami) > 1 else 'ramus'} {', '.join(rami)}" if rami else head
             for head, rami in names.items()]
    return "; ".join(parts) or "none"
