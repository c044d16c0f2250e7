"""The checks of the quiz (``quiz.json``): fields by kind, answers that name known landmarks, nerves and waypoints.

Used by :func:`facelayers.teaching.quiz.load_quiz` and by ``python -m facelayers validate``. numpy-free.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from facelayers.anatomy.reading import DataSet, json_document_problems, type_json
from facelayers.anatomy.specs import SPECS, Problem, Record, format_number, known_list
from facelayers.anatomy.structure_checks import finite_problems
from facelayers.anatomy.table_checks import source_problems, unique_problems
from facelayers.core.documents import Document
from facelayers.core.errors import InputError

__all__ = [
    "quiz_problems",
]

# ----------------------------------------------------------------------------------------------------
# The checks: the quiz

#: The fields of each kind of question (besides question_id, kind, prompt, answer, explanation, source_id and
#: locator, which every question has: the schema requires them).
QUIZ_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "click": (("side", "full_marks_mm", "zero_marks_mm"), ("camera",)),
    "choice": (("options",), ()),
}
#: Where on a nerve a click answer may lie: the arch crossing, the shallowest sample, or waypoint ``k``.
QUIZ_WHERE: tuple[str, ...] = ("arch_crossing", "shallowest", "waypoint:<index>")
_QUIZ_COMMON = ("question_id", "title", "kind", "prompt", "answer", "explanation", "source_id", "locator")


def quiz_answer_problems(records: Sequence[Record], landmarks: Sequence[str] | None,
                         waypoints: Mapping[str, int] | None, filename: str = "quiz.json") -> list[Problem]:
    """What the schema cannot say about the quiz's questions (after it: fields at fault are left out).

    Each kind has its own fields (a click question its side and distances, a choice question its options); a
    click answer gives exactly one of landmark, nerve (with where) and point_mm, names a landmark or nerve the
    data hold (and a waypoint the nerve has), lies on the left (x >= 0); full_marks_mm < zero_marks_mm; a
    choice answer is the index of one of the options.

    Parameters
    ----------
    records : sequence of Record
        The questions (quiz.json's ``questions``), as :class:`DataSet` checks them.
    landmarks : sequence of str or None
        landmark_ids of landmarks.csv (None: not judged).
    waypoints : Mapping of str to int or None, or None
        Number of waypoints by nerve_id of nerves.json (None: not judged; a nerve's None: its indices not judged).
    filename : str
        How problems name the file.

    Returns
    -------
    list of InputError
    """
    problems = []
    for record in records:
        values = record.values
        kind = values.get("kind")
        if kind not in QUIZ_FIELDS:
            continue  # missing or refused by the schema
        required, optional = QUIZ_FIELDS[kind]
        own = set(_QUIZ_COMMON) | set(required) | set(optional)
        for key in required:
            if key not in record.raw:
                problems.append(Problem(filename, record.line, record.label, key, None,
                                        f"is missing: a {kind} question needs {', '.join(required)}"))
        for key in record.raw:
            if key not in own:
                problems.append(record.problem_at(filename, (key,), f"is not a field of a {kind} question; "
                                                  f"allowed: {', '.join(sorted(own))}", values.get(key, "")))
        answer = values.get("answer")
        if kind == "choice":
            options = values.get("options")
            if answer is not None and not isinstance(answer, int):
                problems.append(record.problem_at(filename, ("answer",), "must be the index (0-based) of the right "
                                                  "option", answer))
            elif isinstance(answer, int) and isinstance(options, list) and not answer < len(options):
                problems.append(record.problem_at(filename, ("answer",), f"index out of range: allowed 0 to "
                                                  f"{len(options) - 1} ({len(options)} options)", answer))
            continue
        full, zero = values.get("full_marks_mm"), values.get("zero_marks_mm")
        if isinstance(full, (int, float)) and isinstance(zero, (int, float)) and full >= zero:
            problems.append(record.problem_at(filename, ("full_marks_mm",), f"must be less than zero_marks_mm "
                                              f"({format_number(zero)})", full))
        if answer is None:
            continue
        if not isinstance(answer, dict):
            problems.append(record.problem_at(filename, ("answer",), 'must be an object: {"landmark": id}, '
                                              '{"nerve": id, "where": ...} or {"point_mm": [x, y, z]}', answer))
            continue
        given = [key for key in ("landmark", "nerve", "point_mm") if key in answer]
        if len(given) != 1:
            problems.append(record.problem_at(filename, ("answer",), "must give exactly one of landmark, nerve "
                                              "(with where) and point_mm", answer))
            continue
        if given[0] != "nerve" and "where" in answer:
            problems.append(record.problem_at(filename, ("answer", "where"), "goes with a nerve only",
                                              answer["where"]))
        if given[0] == "landmark" and landmarks is not None and answer["landmark"] not in landmarks:
            problems.append(record.problem_at(filename, ("answer", "landmark"), f"must be a landmark_id of "
                                              f"landmarks.csv: {known_list(landmarks)}", answer["landmark"]))
        elif given[0] == "point_mm" and answer["point_mm"][0] < 0:
            problems.append(record.problem_at(filename, ("answer", "point_mm"), "must be on the left side "
                                              "(x >= 0); side = right or either mirrors it", answer["point_mm"]))
        elif given[0] == "nerve":
            nerve, where = answer["nerve"], answer.get("where")
            if waypoints is not None and nerve not in waypoints:
                problems.append(record.problem_at(filename, ("answer", "nerve"), f"must be a nerve_id of "
                                                  f"nerves.json: {known_list(list(waypoints))}", nerve))
            if where is None:
                problems.append(Problem(filename, record.line_at(("answer",)), record.label, "answer.where", None,
                                        f"is missing: a nerve answer needs where: {', '.join(QUIZ_WHERE)}"))
            elif where.startswith("waypoint:") and waypoints is not None and waypoints.get(nerve) is not None \
                    and int(where.partition(":")[2]) >= waypoints[nerve]:
                problems.append(record.problem_at(filename, ("answer", "where"), f"waypoint index out of range: "
                                                  f"nerve {nerve} has waypoints 0 to {waypoints[nerve] - 1}", where))
    return problems


def quiz_problems(parsed: Document, sources: Sequence[str] | None, landmarks: Sequence[str] | None,
                  waypoints: Mapping[str, int] | None) -> tuple[list[Record], list[Problem]]:
    """Every problem of a quiz document.

    Its schema, repeated ids, sources, answers (see :func:`quiz_answer_problems`); used by
    :func:`facelayers.teaching.quiz.load_quiz` for a quiz file of any name.

    Parameters
    ----------
    parsed : Document
        The quiz file (:func:`facelayers.core.documents.parse_json`).
    sources, landmarks : sequence of str or None
        The ids the data hold (None: not judged).
    waypoints : Mapping of str to int, or None
        Number of waypoints by nerve_id.

    Returns
    -------
    records : list of Record
        The questions (only meaningful when there are no problems).
    problems : list of InputError
        In reading order.
    """
    spec = SPECS["quiz"]
    records, problems = json_document_problems(spec, parsed, type_json(spec, parsed))
    problems = list(dict.fromkeys(problems))
    if records is not None:
        problems += unique_problems(spec, records)
        if sources is not None:
            problems += source_problems("quiz", records, sources)
        problems += finite_problems("quiz", records)
        problems += quiz_answer_problems(records, landmarks, waypoints)
    problems = [InputError(parsed.filename, p.line, p.row, p.field, p.value, p.allowed) for p in problems]
    return records or [], sorted(problems, key=lambda p: p.line if p.line is not None else 1 << 30)


def check_quiz(data: DataSet) -> list[Problem]:
    """Every question of quiz.json has the fields of its kind, and its answer names what the data hold.

    A click answer names a landmark, a nerve (and a waypoint it has) or a point on the left; full marks come before
    zero marks; a choice answer is the index of an option (the schema, unique question_ids and the sources are
    checked with the others).
    """
    records = data.records("quiz")
    if records is None:
        return []
    landmarks = data.ids("landmarks") if data.records("landmarks") is not None else None
    nerves = data.records("nerves")
    # a nerve whose waypoints failed their schema (reported already) has None: its waypoint indices are not judged
    waypoints = ({r.values["nerve_id"]: len(r.values["waypoints"]) if "waypoints" in r.values else None
                  for r in nerves if "nerve_id" in r.values} if nerves is not None else None)
    return quiz_answer_problems(records, landmarks, waypoints)

