"""The exportable lessons: a registry by name and number, with lessons 01 (``layers``) and 00 (``course``).

Another lesson registers itself with :func:`register`; the command line finds one with :func:`find_lesson`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from facelayers.delivery.arguments import ExportError
from facelayers.delivery.course import course_offline_figure
from facelayers.delivery.layers_offline import layers_meshes, layers_offline_figure
from facelayers.model.geometry import FaceModel
from facelayers.teaching.state import ViewState

__all__ = ["LESSONS", "Lesson", "find_lesson", "lesson_choices", "register"]


@dataclass(frozen=True)
class Lesson:
    """An exportable lesson.

    Attributes
    ----------
    name, number, title : str
        ``"layers"``, ``"01"``, ``"The layers of the face"``; the command line takes the name or the number.
    figure : callable
        ``figure(model, state) -> go.Figure``: the offline figure, its controls as ``updatemenus`` (and
        ``sliders``); menu titles and hints are annotations whose ``name`` starts with ``"menu"``.
    meshes : callable
        ``meshes(model, state) -> {name: (vertices (n, 3) float32 mm, faces (m, 3) int32)}`` in the model's
        frame, for glb/obj/stl.
    aliases : tuple of str
        Other names the command line takes (``all`` for ``course``).
    """

    name: str
    number: str
    title: str
    figure: Callable[[FaceModel, ViewState], go.Figure]
    meshes: Callable[[FaceModel, ViewState], dict[str, tuple[np.ndarray, np.ndarray]]]
    aliases: tuple[str, ...] = ()


#: Exportable lessons by name: ``layers`` (01) and ``course`` (00), registered below; another lesson registers
#: itself with :func:`register`.
LESSONS: dict[str, Lesson] = {}


def register(lesson: Lesson) -> Lesson:
    """Add a lesson to :data:`LESSONS` (its number must be new; its name replaces a lesson of that name).

    Parameters
    ----------
    lesson : Lesson

    Returns
    -------
    Lesson
        ``lesson`` itself.

    Raises
    ------
    ValueError
        Another lesson already has its number.
    """
    for other in LESSONS.values():
        if other.name != lesson.name and other.number == lesson.number:
            raise ValueError(f"lesson number {lesson.number} is taken by {other.name!r}")
    LESSONS[lesson.name] = lesson
    return lesson


def lesson_choices() -> str:
    """The lessons the command line takes, as its errors list them.

    Returns
    -------
    str
        ``"01 or layers, 00 or course or all"``: each lesson's number, name and aliases.
    """
    return ", ".join(f"{lesson.number} or {' or '.join((name, *lesson.aliases))}" for name, lesson in LESSONS.items())


def find_lesson(name: str) -> Lesson:
    """The lesson called ``name`` or numbered ``name``.

    Parameters
    ----------
    name : str
        A name or alias (``"layers"``, ``"all"``) or a number of up to three ASCII digits (``"01"``, ``"1"``).

    Returns
    -------
    Lesson

    Raises
    ------
    ExportError
        No such lesson, listing the known ones.
    """
    for lesson in LESSONS.values():
        if name == lesson.name or name in lesson.aliases or (
                name.isascii() and name.isdigit() and len(name) <= 3 and int(name) == int(lesson.number)):
            return lesson
    raise ExportError(f"LESSON {name!r} is not known; allowed: {lesson_choices()}")


register(Lesson("layers", "01", "The layers of the face", layers_offline_figure, layers_meshes))

register(Lesson("course", "00", "The whole course: layers, nerves, planes and procedures", course_offline_figure,
                layers_meshes, aliases=("all",)))
