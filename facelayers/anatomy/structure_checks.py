"""The checks of the nerves, muscles, danger zones, ligaments and techniques: references, places, shapes.

A technique's places are judged by their azimuth about the head's axis (:data:`facelayers.core.frame.HEAD_AXIS_Y_MM`)
and their height. Each check takes a :class:`~facelayers.anatomy.reading.DataSet` and returns its problems.
numpy-free.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from facelayers.anatomy.reading import DataSet
from facelayers.anatomy.specs import (
    FACE_AZIMUTH_DEG,
    FACE_Z_MM,
    SPECS,
    UNDRAWN_NERVE_GROUPS,
    Problem,
    Record,
    format_number,
    known_list,
)
from facelayers.anatomy.table_checks import TECHNIQUE_PARTS
from facelayers.core.documents import show
from facelayers.core.errors import path_text
from facelayers.core.frame import HEAD_AXIS_Y_MM
from facelayers.core.polygons import self_intersections

__all__ = [
    "azimuth_deg",
]

# ----------------------------------------------------------------------------------------------------
# The checks: nerves, muscles, danger zones, ligaments


def _places(name: str, record: Record) -> Iterator[tuple[tuple, Any]]:
    """Every place named in a nerve-data or technique item, with its path.

    A waypoint's landmark or point_mm, an outline vertex, a circle's centre, a technique's plane outline vertices,
    incision path points and port positions (each a landmark_id string or an [x, y, z] list).
    """
    values = record.values
    if name == "techniques":
        for index, plane in enumerate(values.get("planes", [])):
            for vertex, place in enumerate(plane.get("outline", [])):
                yield ("planes", index, "outline", vertex), place
            for zi, zone in enumerate(plane.get("zones", [])):
                for vertex, place in enumerate(zone.get("outline", [])):
                    yield ("planes", index, "zones", zi, "outline", vertex), place
        for index, incision in enumerate(values.get("incisions", [])):
            for point, place in enumerate(incision.get("path", [])):
                yield ("incisions", index, "path", point), place
        for index, port in enumerate(values.get("ports", [])):
            if "at" in port:
                yield ("ports", index, "at"), port["at"]
        return
    if name == "nerves":
        for index, waypoint in enumerate(values.get("waypoints", [])):
            for key in ("landmark", "point_mm"):
                if key in waypoint:
                    yield ("waypoints", index, key), waypoint[key]
    if "outline" in values:
        for index, vertex in enumerate(values["outline"]):
            yield ("outline", index), vertex
    if "circle" in values:
        yield ("circle", "centre"), values["circle"]["centre"]
    if isinstance(values.get("numb_area"), Mapping) and "centre" in values["numb_area"]:
        yield ("numb_area", "centre"), values["numb_area"]["centre"]
    body = values.get("body") if name == "muscles" else None
    if isinstance(body, Mapping):
        for key in ("origin", "insertion"):
            if key in body:
                yield ("body", key), body[key]
        if isinstance(body.get("ring"), Mapping) and "centre" in body["ring"]:
            yield ("body", "ring", "centre"), body["ring"]["centre"]


def check_nerve_landmarks(data: DataSet) -> list[Problem]:
    """Every landmark the nerve data and the techniques name is a row of landmarks.csv.

    A waypoint's landmark, an outline vertex, circle centre, incision point or port given by id, and a ligament's
    landmark_id.
    """
    if data.records("landmarks") is None:
        return []  # landmarks.csv did not load: reported already
    known = data.ids("landmarks")
    allowed = f"must be a landmark_id of landmarks.csv: {known_list(known)}"
    problems = []
    for name in ("nerves", "muscles", "danger_zones", "techniques", "palsies", "spaces"):
        for record in data.records(name) or []:
            for path, place in _places(name, record):
                if isinstance(place, str) and place not in known:
                    problems.append(record.problem_at(SPECS[name].filename, path, allowed, place))
    for record in data.records("ligaments") or []:
        landmark = record.values.get("landmark_id")
        if landmark is not None and landmark not in known:
            problems.append(record.problem("ligaments.csv", "landmark_id", allowed))
    return problems


def check_waypoint_places(data: DataSet) -> list[Problem]:
    """Every waypoint gives exactly one place: a landmark or a point_mm, not both, not neither."""
    problems = []
    for record in data.records("nerves") or []:
        for index, waypoint in enumerate(record.values.get("waypoints", [])):
            given = [key for key in ("landmark", "point_mm") if key in waypoint]
            if len(given) == 2:
                problems.append(record.problem_at("nerves.json", ("waypoints", index),
                                                  "gives both landmark and point_mm: must give one of them"))
            elif not given:
                problems.append(record.problem_at("nerves.json", ("waypoints", index),
                                                  "gives no place: must give landmark (a landmark_id of "
                                                  "landmarks.csv) or point_mm ([x, y, z] in mm)"))
    return problems


def _numbers(value: Any, path: tuple) -> Iterator[tuple[tuple, float]]:
    """Every number inside a JSON value, with its path."""
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _numbers(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _numbers(item, path + (index,))


def check_finite_numbers(data: DataSet) -> list[Problem]:
    """Every number in the nerve data, the techniques and the quiz is finite.

    Python's JSON reader accepts NaN and Infinity; the model cannot use them (and NaN passes every bound).
    """
    return [problem for name in ("nerves", "muscles", "danger_zones", "techniques", "quiz", "palsies", "spaces")
            for problem in finite_problems(name, data.records(name) or [])]


def finite_problems(name: str, records: Sequence[Record]) -> list[Problem]:
    """A problem for every number in a JSON table's items that is NaN or infinite."""
    problems = []
    for record in records:
        for key, value in record.values.items():
            for path, number in _numbers(value, (key,)):
                if not math.isfinite(number):
                    problems.append(record.problem_at(SPECS[name].filename, path, "must be a finite number", number))
    return problems


def check_left_side(data: DataSet) -> list[Problem]:
    """Positions in the nerve data and the techniques are given for the left side and mirrored.

    A waypoint's point_mm has x > 0; an outline vertex, circle centre, incision point or port x >= 0 (0 on the
    midline).
    """
    problems = []
    for name in ("nerves", "muscles", "danger_zones", "techniques", "palsies", "spaces"):
        for record in data.records(name) or []:
            for path, place in _places(name, record):
                if isinstance(place, str) or not math.isfinite(place[0]):
                    continue
                strict = path[0] == "waypoints"
                if place[0] < 0 or (strict and place[0] == 0):
                    must = "x > 0" if strict else "x >= 0 (0 on the midline)"
                    problems.append(record.problem_at(SPECS[name].filename, path,
                                                      f"is on the right side: positions are given for the left side "
                                                      f"and mirrored, must have {must}", place))
    return problems


def check_parent_nerves(data: DataSet) -> list[Problem]:
    """Every nerve's parent is null or another nerve of nerves.json, and following parents never loops."""
    records = data.records("nerves") or []
    known = data.ids("nerves")
    parents = {r.values["nerve_id"]: r.values.get("parent") for r in records if "nerve_id" in r.values}
    problems = []
    for record in records:
        nerve, parent = record.values.get("nerve_id"), record.values.get("parent")
        if parent is None or nerve is None:
            continue  # a root, or a field that failed its schema (reported already)
        if parent not in known:
            problems.append(record.problem("nerves.json", "parent",
                                           f"must be null or a nerve_id of nerves.json: {known_list(known)}"))
            continue
        chain, step = [nerve], parent
        while step is not None and step not in chain and step in parents:
            chain.append(step)
            step = parents[step]
        if step == nerve:  # a nerve below a loop is not reported: the loop's members are
            loop = " -> ".join(chain + [step])
            problems.append(record.problem("nerves.json", "parent",
                                           f"makes a loop ({loop}): a nerve cannot descend from itself"))
    return problems


def check_nerve_groups(data: DataSet) -> list[Problem]:
    """Every muscle's and danger zone's nerve_group is a group of nerves.json.

    A muscle may also name an undrawn group (trigeminal_v3, the masticatory muscles' nerve).
    """
    if data.records("nerves") is None:
        return []  # nerves.json did not load: reported already
    groups = list(dict.fromkeys(r.values["group"] for r in data.records("nerves") if "group" in r.values))
    problems = []
    for name, known in (("muscles", groups + list(UNDRAWN_NERVE_GROUPS)), ("danger_zones", groups),
                        ("palsies", groups)):
        where = "a group of nerves.json" + (f" or {', '.join(UNDRAWN_NERVE_GROUPS)} (not drawn)"
                                            if name == "muscles" else "")
        for record in data.records(name) or []:
            group = record.values.get("nerve_group")
            if group is not None and group not in known:
                problems.append(record.problem(SPECS[name].filename, "nerve_group",
                                               f"must be {where}: {known_list(known)}"))
    return problems


def check_injury_ranges(data: DataSet) -> list[Problem]:
    """injury.csv: low is not above high; palsies.json: a sensory palsy gives its numb_area, a motor one none."""
    problems = []
    for record in data.records("injury") or []:
        low, high = record.values.get("low"), record.values.get("high")
        if low is not None and high is not None and low > high:
            problems.append(record.problem("injury.csv", "high", f"must not be below low ({format_number(low)})"))
    for record in data.records("palsies") or []:
        kind, area = record.values.get("kind"), "numb_area" in record.values
        if kind == "sensory" and not area:
            problems.append(record.problem_at("palsies.json", ("kind",), "a sensory palsy must give its numb_area "
                                              "(centre and radius_mm)", kind))
        elif kind == "motor" and area:
            problems.append(record.problem_at("palsies.json", ("numb_area",), "a motor palsy has no numb_area: "
                                              "its deficit is the muscles that stop", "numb_area"))
    return problems


def check_muscle_bodies(data: DataSet) -> list[Problem]:
    """A muscle's body makes sense: its nerve groups and shares, a ring's half-axes, origin and insertion.

    Each accessory nerve group is a group of nerves.json other than its main one, the shares leave the main
    group at least half; a ring's inner half-axes are smaller than its outer ones; origin and insertion are
    different places.
    """
    records = data.records("muscles")
    if records is None or data.records("nerves") is None:
        return []  # reported already
    groups = list(dict.fromkeys(r.values["group"] for r in data.records("nerves") if "group" in r.values))
    problems = []
    for record in records:
        values = record.values
        accessory = values.get("accessory_nerve_groups", [])
        for index, entry in enumerate(accessory):
            group = entry.get("group")
            if group not in groups or group == values.get("nerve_group"):
                problems.append(record.problem_at(
                    "muscles.json", ("accessory_nerve_groups", index, "group"),
                    f"must be a group of nerves.json other than the main nerve_group "
                    f"({values.get('nerve_group')}): {known_list(groups)}", group))
        if sum(float(e.get("share", 0)) for e in accessory) > 0.5:
            problems.append(record.problem_at("muscles.json", ("accessory_nerve_groups",),
                                              "shares add up to more than 0.5: the main nerve_group must keep "
                                              "at least half of the supply", accessory))
        body = values.get("body", {})
        ring = body.get("ring")
        if isinstance(ring, Mapping) and all(k in ring for k in ("inner_mm", "outer_mm")):
            if any(i >= o for i, o in zip(ring["inner_mm"], ring["outer_mm"])):
                problems.append(record.problem_at("muscles.json", ("body", "ring", "inner_mm"),
                                                  f"must be smaller than outer_mm {ring['outer_mm']} on both axes",
                                                  ring["inner_mm"]))
        if "origin" in body and body.get("origin") == body.get("insertion"):
            problems.append(record.problem_at("muscles.json", ("body", "insertion"),
                                              "is the same place as the origin: a muscle needs two ends",
                                              body["insertion"]))
    return problems


def check_zone_shapes(data: DataSet) -> list[Problem]:
    """Every danger zone is a circle or an outline (not both, not neither), and no zone number repeats."""
    problems = []
    first_line: dict[int, int] = {}
    for record in data.records("danger_zones") or []:
        shapes = [key for key in ("circle", "outline") if key in record.raw]
        if len(shapes) == 2:
            problems.append(record.problem_at("danger_zones.json", ("outline",),
                                              "the zone has both circle and outline: must have one of them"))
        elif not shapes:
            problems.append(Problem("danger_zones.json", record.line, record.label, None, None,
                                    "the zone has no shape: must have circle {centre, radius_mm} or outline "
                                    "(a list of at least 3 places)"))
        number = record.values.get("number")
        if number in first_line:
            problems.append(record.problem("danger_zones.json", "number",
                                           f"must be unique: zone {number} is already on line {first_line[number]}"))
        elif number is not None:
            first_line[number] = record.line_of("number")
    return problems


# ----------------------------------------------------------------------------------------------------
# The checks: techniques


def check_technique_part_ids(data: DataSet) -> list[Problem]:
    """Within a technique, no two planes share a plane_id, no two incisions an incision_id and no two ports a port_id."""
    problems = []
    for record in data.records("techniques") or []:
        for key, id_key in TECHNIQUE_PARTS.items():
            first_line: dict[str, tuple[int, int]] = {}
            for index, part in enumerate(record.values.get(key, [])):
                name = part.get(id_key)
                path = (key, index, id_key)
                if name in first_line:
                    problems.append(record.problem_at(
                        "techniques.json", path,
                        f"must be unique within the technique: {key}[{first_line[name][0]}] on line "
                        f"{first_line[name][1]} already has this {id_key}", name))
                elif name is not None:
                    first_line[name] = (index, record.line_at(path))
    return problems


def check_muscles_divided(data: DataSet) -> list[Problem]:
    """Every muscle a technique divides (muscles_divided) is a muscle of muscles.json."""
    if data.records("muscles") is None:
        return []  # muscles.json did not load: reported already
    known = data.ids("muscles")
    problems = []
    for record in data.records("techniques") or []:
        for index, muscle in enumerate(record.values.get("muscles_divided", [])):
            if muscle not in known:
                problems.append(record.problem_at("techniques.json", ("muscles_divided", index),
                                                  f"must be a muscle_id of muscles.json: {known_list(known)}", muscle))
    return problems


def _landmark_positions(data: DataSet) -> dict[str, tuple[float, float, float]]:
    """Positions of the landmarks of landmarks.csv (left side), by id.

    Rows without all three coordinates, and rows on the wrong side (reported by check_landmark_sides), are kept out,
    so that one bad landmark gives one problem rather than a cascade through every outline that names it.
    """
    positions = {}
    for record in data.records("landmarks") or []:
        values = record.values
        if not all(k in values for k in ("landmark_id", "x_mm", "y_mm", "z_mm")):
            continue
        side, x = values.get("side"), values["x_mm"]
        if (side == "midline" and x != 0) or (side == "bilateral" and x <= 0):
            continue
        positions[values["landmark_id"]] = (values["x_mm"], values["y_mm"], values["z_mm"])
    return positions


def _resolve(place: Any, landmarks: Mapping[str, tuple]) -> tuple[float, float, float] | None:
    """A place (landmark id or [x, y, z]) as a finite position, or None (unknown landmark, bad numbers.

    Reported by their own checks).
    """
    point = landmarks.get(place) if isinstance(place, str) else place
    if point is None or len(point) != 3 or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in point):
        return None
    return float(point[0]), float(point[1]), float(point[2])


def azimuth_deg(point: Sequence[float]) -> float:
    """Azimuth of a place about the head's vertical axis, degrees.

    ``atan2(x, y - HEAD_AXIS_Y_MM)``; 0 straight ahead, +90 over the left ear, 180 at the back of the head.
    """
    return math.degrees(math.atan2(point[0], point[1] - HEAD_AXIS_Y_MM))


def _shown_place(place: Any, point: tuple[float, float, float]) -> str:
    """A place for a message: a landmark with its position, a point as written."""
    if isinstance(place, str):
        return f"{place} ({format_number(point[0])}, {format_number(point[1])}, {format_number(point[2])})"
    return show(place)


def check_outlines_on_face(data: DataSet) -> list[Problem]:
    """Every vertex of a technique's plane outline lies on the face.

    Its azimuth about the head's axis, atan2(x, y + 5), within +-110 degrees of the midline, and its height z within
    -130..130 mm.
    """
    landmarks = _landmark_positions(data)
    low, high = FACE_Z_MM
    problems = []
    for record in data.records("techniques") or []:
        for index, plane in enumerate(record.values.get("planes", [])):
            for vertex, place in enumerate(plane.get("outline", [])):
                point = _resolve(place, landmarks)
                if point is None:
                    continue
                azimuth = azimuth_deg(point)
                reasons = []
                if abs(azimuth) > FACE_AZIMUTH_DEG:
                    reasons.append(f"its azimuth atan2(x, y + {format_number(-HEAD_AXIS_Y_MM)}) is {azimuth:.1f} degrees, "
                                   f"must lie within +-{format_number(FACE_AZIMUTH_DEG)} degrees of the midline")
                if not low <= point[2] <= high:
                    reasons.append(f"its z is {format_number(point[2])} mm, must lie within {format_number(low)}..{format_number(high)} mm")
                if reasons:
                    problems.append(Problem(
                        "techniques.json", record.line_at(("planes", index, "outline", vertex)), record.label,
                        path_text(("planes", index, "outline", vertex)), _shown_place(place, point),
                        "leaves the face: " + "; ".join(reasons)))
    return problems


def check_outlines_simple(data: DataSet) -> list[Problem]:
    """Every plane outline of a technique is a simple polygon as seen on the face.

    No two of its edges cross or touch in the (azimuth, z) plane (azimuth = atan2(x, y + 5) in degrees, z in mm).
    """
    landmarks = _landmark_positions(data)
    problems = []
    for record in data.records("techniques") or []:
        for index, plane in enumerate(record.values.get("planes", [])):
            outline = plane.get("outline", [])
            points = [_resolve(place, landmarks) for place in outline]
            if not outline or any(point is None for point in points):
                continue  # an unknown landmark or a bad number: reported by its own check
            flat = [(azimuth_deg(point), point[2]) for point in points]
            n = len(flat)
            for i, j in self_intersections(flat):
                edges = f"outline[{i}]-outline[{(i + 1) % n}] and outline[{j}]-outline[{(j + 1) % n}]"
                problems.append(Problem(
                    "techniques.json", record.line_at(("planes", index, "outline", i)), record.label,
                    path_text(("planes", index, "outline")), f"edges {edges}",
                    "cross: the outline must be a simple polygon as seen on the face (no two edges may cross "
                    "or touch in azimuth atan2(x, y + 5) and z); reorder its vertices"))
    return problems


def check_incisions_and_ports_on_skin(data: DataSet) -> list[Problem]:
    """Every point of an incision's path and every port lies on the model's skin.

    Z within -130..130 mm, and not on the head's vertical axis (x = 0, y = -5) between the fans (-50 < z < 30),
    where a place picks no skin ray.
    """
    landmarks = _landmark_positions(data)
    low, high = FACE_Z_MM
    problems = []
    for record in data.records("techniques") or []:
        for path, place in _places("techniques", record):
            if path[0] == "planes":
                continue
            point = _resolve(place, landmarks)
            if point is None:
                continue
            what = "a port" if path[0] == "ports" else "an incision point"
            reason = None
            if not low <= point[2] <= high:
                reason = f"its z is {format_number(point[2])} mm, must lie within {format_number(low)}..{format_number(high)} mm"
            elif math.hypot(point[0], point[1] - HEAD_AXIS_Y_MM) < 1e-6 and -50.0 < point[2] < 30.0:
                reason = (f"it lies on the head's vertical axis (x = 0, y = {format_number(HEAD_AXIS_Y_MM)}), which "
                          "picks no direction: give a place on the skin")
            if reason:
                problems.append(Problem("techniques.json", record.line_at(path), record.label, path_text(path),
                                        _shown_place(place, point), f"is off the skin: {what} must lie on the "
                                        f"skin of the model; {reason}"))
    return problems


