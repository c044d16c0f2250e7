"""The checks of the storyboards, and the ids a view may name (shared with view files).

A storyboard's references to the techniques, sources, nerves and ports are checked here; the values of its steps'
views by :func:`facelayers.teaching.storyboard.check_storyboard_views`. numpy-free.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from facelayers.anatomy.reading import DataSet, storyboard_filename
from facelayers.anatomy.specs import Problem, Record, known_list, package_data_dir

__all__ = [
    "ViewIds",
    "package_view_ids",
    "view_ids",
    "view_reference_problems",
]

# ----------------------------------------------------------------------------------------------------
# The checks: storyboards


def check_storyboards_parse(data: DataSet) -> list[Problem]:
    """Every file of storyboards/ is named <storyboard_id>.yaml, is UTF-8 and is valid YAML.

    No syntax error, no key given twice, every key text.
    """
    return list(data.storyboard_documents.problems)


def check_storyboard_schemas(data: DataSet) -> list[Problem]:
    """Every storyboard satisfies storyboards.schema.json.

    The fields title, technique, summary, sources and steps and no others; 6 to 10 steps, each with a title, a
    caption, the nerves at risk and a view.
    """
    return list(data.storyboards.problems)


def _step_views(record: Record) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """``(index, view)`` of every step of a storyboard whose view survived its schema."""
    for index, step in enumerate(record.values.get("steps") or []):
        if isinstance(step, Mapping) and isinstance(step.get("view"), Mapping):
            yield index, step["view"]


@dataclass(frozen=True)
class ViewIds:
    """The ids a view may name, from one data folder (None: that table did not load, so it is not judged).

    Attributes
    ----------
    techniques : tuple of str or None
        technique_ids of techniques.json.
    ports : Mapping of str to tuple of (str, str)
        By technique_id: its ports' (port_id, label) pairs, in file order (a view's ``scope_port`` names the
        label).
    nerves, groups, muscles : tuple of str or None
        nerve_ids and branch groups of nerves.json, muscle_ids of muscles.json.
    """

    techniques: tuple[str, ...] | None
    ports: Mapping[str, tuple[tuple[str, str], ...]]
    nerves: tuple[str, ...] | None
    groups: tuple[str, ...] | None
    muscles: tuple[str, ...] | None


def view_ids(data: DataSet) -> ViewIds:
    """The ids a view may name in the data folder ``data`` (see :class:`ViewIds`)."""
    techniques = data.records("techniques")
    nerves = data.records("nerves")
    ports = {r.values["technique_id"]: tuple((p.get("port_id"), p.get("label")) for p in r.values.get("ports", [])
                                             if isinstance(p, Mapping))
             for r in techniques or [] if "technique_id" in r.values and isinstance(r.values.get("ports"), list)}
    return ViewIds(
        techniques=tuple(data.ids("techniques")) if techniques is not None else None,
        ports=ports,
        nerves=tuple(data.ids("nerves")) if nerves is not None else None,
        groups=tuple(dict.fromkeys(r.values["group"] for r in nerves if "group" in r.values))
        if nerves is not None else None,
        muscles=tuple(data.ids("muscles")) if data.records("muscles") is not None else None,
    )


@cache
def package_view_ids() -> ViewIds:
    """:func:`view_ids` of the package's own data folder, read once."""
    return view_ids(DataSet(package_data_dir()))


def view_reference_problems(view: Mapping[str, Any], ids: ViewIds,
                            technique: str | None = None) -> list[tuple[str, Any, str]]:
    """What a view names that the data do not hold: ``(key, value, allowed)`` for each.

    Parameters
    ----------
    view : Mapping
        A view's fields (a saved view, a storyboard step's view); only ``technique``, ``pick`` and
        ``scope_port`` are judged here (the other fields are ViewState's).
    ids : ViewIds
    technique : str, optional
        The technique when the view names none (a storyboard's own).

    Returns
    -------
    list of (str, Any, str)
        The key at fault, its value and what is allowed (naming the ids that are).
    """
    problems = []
    named = view.get("technique")
    if isinstance(named, str) and ids.techniques is not None and named not in ids.techniques:
        problems.append(("technique", named, f"must be a technique_id of techniques.json: {known_list(ids.techniques)}"))
    pick = view.get("pick")
    if isinstance(pick, str):
        kind, _, name = pick.partition(":")
        known = {"nerve": (ids.nerves, "a nerve_id of nerves.json"), "group": (ids.groups, "a group of nerves.json"),
                 "muscle": (ids.muscles, "a muscle_id of muscles.json")}.get(kind)
        if known is not None and known[0] is not None and name not in known[0]:
            problems.append(("pick", pick, f"must name {known[1]} after '{kind}:': {known_list(known[0])}"))
    port = view.get("scope_port")
    technique_id = named if isinstance(named, str) else technique
    ports = ids.ports.get(technique_id) if isinstance(technique_id, str) else None
    if isinstance(port, str) and ports is not None:
        labels = [label for _, label in ports]
        by_id = dict(ports)
        if not ports:
            problems.append(("scope_port", port, f"the technique {technique_id} has no ports (an open approach): "
                                                 "leave scope_port out"))
        elif port not in labels:
            hint = f"; {port!r} is the port_id, scope_port takes its label {by_id[port]!r}" if port in by_id else ""
            problems.append(("scope_port", port, f"must be the label of a port of {technique_id}: "
                                                 f"{known_list(labels)}{hint}"))
    return problems


def check_storyboard_references(data: DataSet) -> list[Problem]:
    """A storyboard names what the data hold.

    Its technique and compare_with (technique_ids of techniques.json), its sources (source_ids of sources.csv), each
    step's nerves at risk (nerve_ids of nerves.json) and, in each step's view, the technique, the pick (a nerve, a
    branch group of nerves.json or a muscle) and scope_port (the label of a port of the step's technique).
    """
    tables = {name: data.records(name) for name in ("techniques", "sources", "nerves")}
    known = {
        "techniques": (data.ids("techniques") if tables["techniques"] is not None else None,
                       "a technique_id of techniques.json"),
        "sources": (data.ids("sources") if tables["sources"] is not None else None, "a source_id of sources.csv"),
        "nerves": (data.ids("nerves") if tables["nerves"] is not None else None, "a nerve_id of nerves.json"),
    }
    ids = view_ids(data)
    problems = []
    for storyboard_id, record in data.storyboards.values.items():
        filename = storyboard_filename(storyboard_id)

        def refer(path: tuple, value: Any, table: str) -> None:
            ids, what = known[table]
            if ids is not None and isinstance(value, str) and value not in ids:
                problems.append(record.problem_at(filename, path, f"must be {what}: {known_list(ids)}", value))

        for key in ("technique", "compare_with"):
            refer((key,), record.values.get(key), "techniques")
        for index, source in enumerate(record.values.get("sources") or []):
            if isinstance(source, Mapping):
                refer(("sources", index, "source_id"), source.get("source_id"), "sources")
        for index, step in enumerate(record.values.get("steps") or []):
            if isinstance(step, Mapping):
                for j, nerve in enumerate(step.get("nerves_at_risk") or []):
                    refer(("steps", index, "nerves_at_risk", j), nerve, "nerves")
        technique = record.values.get("technique")
        for index, view in _step_views(record):
            if known["nerves"][0] is None and "pick" in view:  # as before: picks are judged once nerves.json loads
                view = {k: v for k, v in view.items() if k != "pick"}
            for key, value, allowed in view_reference_problems(view, ids, technique if isinstance(technique, str)
                                                               else None):
                problems.append(record.problem_at(filename, ("steps", index, "view", key), allowed, value))
    return problems


