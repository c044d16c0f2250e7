"""The checks of reading and of the tables' content: files, syntax, types, schemas, ids, sources, ranges, layers.

Each takes a :class:`~facelayers.anatomy.reading.DataSet` and returns its problems. numpy-free.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from facelayers.anatomy.reading import DataSet
from facelayers.anatomy.specs import SPECS, TABLES, Problem, Record, TableSpec, known_list
from facelayers.core.frame import LAYERS

__all__ = [
]

# ----------------------------------------------------------------------------------------------------
# The checks: reading

Check = Callable[[DataSet], list[Problem]]


def check_data_dir(data: DataSet) -> list[Problem]:
    """The data folder exists and is a folder."""
    if data.path.is_dir():
        return []
    state = "is a file" if data.path.exists() else "does not exist"
    return [Problem(str(data.path), None, None, None, None,
                    f"{state}: must be a folder holding {known_list([s.filename for s in TABLES])}")]


def check_files_readable(data: DataSet) -> list[Problem]:
    """Every data file is present, readable and UTF-8."""
    return list(data.texts.problems)


def check_csv_parses(data: DataSet) -> list[Problem]:
    """Every CSV file parses: the header has the schema's columns, every row has one cell per column."""
    return [p for p in data.parsed.problems if p.file.endswith(".csv")]


def check_json_parses(data: DataSet) -> list[Problem]:
    """Every JSON file (regions.json and the nerve data) is well-formed JSON."""
    return [p for p in data.parsed.problems if p.file.endswith(".json")]


def check_cell_types(data: DataSet) -> list[Problem]:
    """Every CSV cell has its schema's type: numbers are numbers, booleans are true or false."""
    return list(data.typed.problems)


def check_schemas(data: DataSet) -> list[Problem]:
    """Every CSV row, and every JSON file as a whole, satisfies its JSON Schema."""
    return list(data.checked.problems)


# ----------------------------------------------------------------------------------------------------
# The checks: content


def check_unique_ids(data: DataSet) -> list[Problem]:
    """Ids are unique.

    Checked: source_id, layer_id, landmark_id, region_id, (region_id, layer_id) in thickness, nerve_id, muscle_id, zone_id,
    ligament_id, technique_id and question_id.
    """
    return [problem for spec in TABLES for problem in unique_problems(spec, data.records(spec.name) or [])]


def unique_problems(spec: TableSpec, records: Sequence[Record]) -> list[Problem]:
    """A problem for every record whose id repeats an earlier one's."""
    problems = []
    first_line: dict[tuple, int] = {}
    for record in records:
        key = tuple(record.values.get(k) for k in spec.key)
        if None in key:
            continue
        if key in first_line:
            what = "unique" if len(key) == 1 else f"unique per {', '.join(spec.key)} pair"
            problems.append(record.problem(spec.filename, spec.key[-1],
                                           f"must be {what}: already used on line {first_line[key]}"))
        else:
            first_line[key] = record.line_of(spec.key[-1])
    return problems


def check_source_references(data: DataSet) -> list[Problem]:
    """Every source_id names a row of sources.csv."""
    if data.records("sources") is None:
        return []  # sources.csv did not load: reported already
    known = data.ids("sources")
    allowed = f"must be a source_id of sources.csv: {known_list(known)}"
    problems = []
    for name in ("layers", "landmarks", "thickness", "tissue_depths", "ligaments", "variation", "injury"):
        for record in data.records(name) or []:
            source = record.values.get("source_id")
            if source is not None and source not in known:
                problems.append(record.problem(SPECS[name].filename, "source_id", allowed))
    for name in ("nerves", "muscles", "danger_zones", "techniques", "quiz", "palsies", "spaces"):
        problems += source_problems(name, data.records(name) or [], known)
    return problems


def source_problems(name: str, records: Sequence[Record], known: Sequence[str]) -> list[Problem]:
    """A problem for every source_id of a JSON table's items (and their parts) that ``known`` lacks."""
    allowed = f"must be a source_id of sources.csv: {known_list(known)}"
    problems = []
    for record in records:
        for path, entry in _sourced(name, record):
            source = entry.get("source_id")
            if source is not None and source not in known:
                problems.append(record.problem_at(SPECS[name].filename, path + ("source_id",), allowed, source))
    return problems


def _provenanced(name: str, record: Record) -> Iterator[tuple[tuple, Mapping[str, Any]]]:
    """The parts of a nerve-data or technique item that carry their own provenance (a status), with their paths.

    A nerve's waypoints (``("waypoints", 2)``); a muscle or zone as a whole (``()``); a technique as a whole and
    each of its planes, incisions and ports (``("planes", 1)``).
    """
    if name == "nerves":
        for index, waypoint in enumerate(record.values.get("waypoints", [])):
            yield ("waypoints", index), waypoint
        return
    yield (), record.values
    if name == "muscles":
        for key in ("thickness", "excursion"):
            if isinstance(record.values.get("body", {}).get(key), Mapping):
                yield ("body", key), record.values["body"][key]
    if name == "techniques":
        for key in TECHNIQUE_PARTS:
            for index, part in enumerate(record.values.get(key, [])):
                yield (key, index), part


def _sourced(name: str, record: Record) -> Iterator[tuple[tuple, Mapping[str, Any]]]:
    """Every part of an item that names a source_id.

    The provenanced parts, and a technique's complications (``("complications", 0)``), which always cite their
    source.
    """
    yield from _provenanced(name, record)
    if name == "techniques":
        for index, complication in enumerate(record.values.get("complications", [])):
            yield ("complications", index), complication


#: The lists of a technique whose items have an id and a provenance, with the id key of their items.
TECHNIQUE_PARTS: dict[str, str] = {"planes": "plane_id", "incisions": "incision_id", "ports": "port_id"}


def check_region_and_layer_references(data: DataSet) -> list[Problem]:
    """Every thickness row names a region of regions.json and a layer of layers.csv."""
    problems = []
    for key, table, where in (("region_id", "regions", "regions.json"), ("layer_id", "layers", "layers.csv")):
        if data.records(table) is None:
            continue
        known = data.ids(table)
        for record in data.records("thickness") or []:
            value = record.values.get(key)
            if value is not None and value not in known:
                problems.append(record.problem("thickness.csv", key, f"must be a {key} of {where}: {known_list(known)}"))
    return problems


def check_anchor_references(data: DataSet) -> list[Problem]:
    """Every anchor of a region in regions.json names a landmark of landmarks.csv."""
    if data.records("landmarks") is None:
        return []
    known = data.ids("landmarks")
    problems = []
    for record in data.records("regions") or []:
        for index, anchor in enumerate(record.values.get("anchors", [])):
            if anchor not in known:
                problems.append(record.problem("regions.json", "anchors",
                                               f"must be a landmark_id of landmarks.csv: {known_list(known)}",
                                               index=index, value=anchor))
    for record in data.records("tissue_depths") or []:
        landmark = record.values.get("landmark_id")
        if landmark is not None and landmark not in known:
            problems.append(record.problem("tissue_depths.csv", "landmark_id",
                                           f"must be a landmark_id of landmarks.csv: {known_list(known)}"))
    return problems


def check_min_not_above_max(data: DataSet) -> list[Problem]:
    """In thickness.csv, min_mm is not above max_mm when both are given."""
    problems = []
    for record in data.records("thickness") or []:
        low, high = record.values.get("min_mm"), record.values.get("max_mm")
        if low is not None and high is not None and low > high:
            problems.append(record.problem("thickness.csv", "min_mm",
                                           f"must be <= max_mm ({record.raw['max_mm']})"))
    return problems


def check_thickness_within_range(data: DataSet) -> list[Problem]:
    """In thickness.csv, thickness_mm lies within [min_mm, max_mm] (each bound checked when given)."""
    problems = []
    for record in data.records("thickness") or []:
        value = record.values.get("thickness_mm")
        low, high = record.values.get("min_mm"), record.values.get("max_mm")
        if value is None or (low is not None and high is not None and low > high):
            continue  # an inverted range is reported by check_min_not_above_max
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"[{record.raw['min_mm'] or '-'}, {record.raw['max_mm'] or '-'}]"
            problems.append(record.problem("thickness.csv", "thickness_mm",
                                           f"must lie within min_mm..max_mm = {bounds}"))
    return problems


def check_provenance(data: DataSet) -> list[Problem]:
    """No number without provenance.

    A measured or derived row names a source_id and a locator (for derived, the locator says how the
    number was computed); a schematic row gives the reason it has no source in note. The same rule
    holds for every row of ligaments.csv, every waypoint of nerves.json, every muscle and zone, and
    every technique and each of its planes, incisions and ports.
    """
    problems = []
    for name in ("landmarks", "thickness", "tissue_depths", "variation", "injury"):
        filename = SPECS[name].filename
        for record in data.records(name) or []:
            status = record.values.get("status")
            if status in ("measured", "derived"):
                if "source_id" not in record.values and record.raw.get("source_id", "") == "":
                    problems.append(record.problem(filename, "source_id",
                                                   f"a {status} row must name a source_id of sources.csv "
                                                   "(or have status schematic with the reason in note)"))
                if "locator" not in record.values and record.raw.get("locator", "") == "":
                    how = " and how the number was computed" if status == "derived" else ""
                    problems.append(record.problem(filename, "locator",
                                                   f"a {status} row must say where in the source the number "
                                                   f"is (table, figure, page){how}"))
            elif status == "schematic" and not record.values.get("note", "").strip():
                problems.append(record.problem(filename, "note",
                                               "a schematic row must give in note the reason it has no source"))
    for record in data.records("ligaments") or []:
        problems += _provenance_problems(
            record.values, lambda key, allowed, r=record: r.problem("ligaments.csv", key, allowed),
            present=lambda key, r=record: key in r.values or r.raw.get(key, "") != "", what="row")
    for name in ("nerves", "muscles", "danger_zones", "techniques", "palsies", "spaces"):
        filename = SPECS[name].filename
        for record in data.records(name) or []:
            for path, entry in _provenanced(name, record):
                what = {"waypoints": "waypoint", "planes": "plane", "incisions": "incision",
                        "ports": "port", "body": f"muscle {path[-1]}"}[path[0]] if path else "entry"
                # a field of the item itself that failed its schema was dropped from values: reported already
                shown = entry if path else record.raw
                problems += _provenance_problems(
                    entry,
                    lambda key, allowed, r=record, p=path, e=entry: r.problem_at(filename, p + (key,), allowed,
                                                                                  e.get(key, "")),
                    present=lambda key, e=entry, s=shown: key in e or key in s, what=what)
    return problems


def _provenance_problems(values: Mapping[str, Any], problem: Callable[[str, str], Problem],
                         present: Callable[[str], bool], what: str) -> list[Problem]:
    """The provenance rule for one entry (a row, a waypoint, a muscle, a zone).

    A measured or derived entry names a source_id and a locator; a schematic one gives the reason in note.
    """
    status = values.get("status")
    problems = []
    if status in ("measured", "derived"):
        if not present("source_id"):
            problems.append(problem("source_id", f"a {status} {what} must name a source_id of sources.csv "
                                                 "(or have status schematic with the reason in note)"))
        if not present("locator"):
            how = " and how the number was computed or placed" if status == "derived" else ""
            problems.append(problem("locator", f"a {status} {what} must say where in the source the number "
                                               f"is (table, figure, page){how}"))
    elif status == "schematic" and not str(values.get("note", "")).strip():
        problems.append(problem("note", f"a schematic {what} must give in note the reason it has no source"))
    return problems


def check_landmark_sides(data: DataSet) -> list[Problem]:
    """Midline landmarks lie on x = 0; bilateral ones are given for the left side (x > 0)."""
    problems = []
    for record in data.records("landmarks") or []:
        side, x = record.values.get("side"), record.values.get("x_mm")
        if side == "midline" and x is not None and x != 0:
            problems.append(record.problem("landmarks.csv", "x_mm", "a midline landmark must have x_mm = 0"))
        elif side == "bilateral" and x is not None and x <= 0:
            problems.append(record.problem("landmarks.csv", "x_mm",
                                           "a bilateral landmark is given for the left side: must be > 0"))
    return problems


def check_layer_order(data: DataSet) -> list[Problem]:
    """layers.csv lists exactly facelayers.core.frame.LAYERS, in that order, with order = 1, 2, ..."""
    records = data.records("layers")
    if records is None:
        return []
    wanted = f"layers.csv lists facelayers.core.frame.LAYERS in order: {', '.join(LAYERS)}"
    problems = []
    for position, record in enumerate(records):
        expected = LAYERS[position] if position < len(LAYERS) else None
        layer = record.values.get("layer_id")
        if layer is not None and layer != expected:
            must = f"must be {expected}" if expected else "must not be here"
            problems.append(record.problem("layers.csv", "layer_id", f"{must}: {wanted}"))
        order = record.values.get("order")
        if order is not None and order != position + 1:
            problems.append(record.problem("layers.csv", "order", f"must be {position + 1}, the row's position"))
    for missing in LAYERS[len(records):]:
        problems.append(Problem("layers.csv", None, None, "layer_id", missing, f"no row for this layer: {wanted}"))
    return problems


def check_thickness_complete(data: DataSet) -> list[Problem]:
    """Every region of regions.json has a thickness row for each of the five layers."""
    if data.records("regions") is None or data.records("thickness") is None:
        return []
    present: dict[str, dict[str, int]] = {}
    for record in data.records("thickness"):
        region, layer = record.values.get("region_id"), record.values.get("layer_id")
        if region is not None and layer is not None:
            present.setdefault(region, {}).setdefault(layer, record.line)
    problems = []
    for region in data.ids("regions"):
        rows = present.get(region, {})
        lines = sorted(rows.values())
        where = f"its rows are on lines {known_list([str(n) for n in lines])}" if lines else "it has no rows"
        for layer in LAYERS:
            if layer not in rows:
                problems.append(Problem("thickness.csv", None, f"region {region}", "layer_id", layer,
                                        f"no row for this layer ({where}): every region of regions.json "
                                        f"needs one row for each layer: {', '.join(LAYERS)}"))
    return problems


