"""The data checks run as one list, and the entry points.

After BrainGlobe's ``get_all_validation_functions``: each check is a function that takes a
:class:`~facelayers.anatomy.reading.DataSet` (one data folder, read lazily and once) and returns a list of problems
(:class:`~facelayers.core.errors.InputError`). :data:`CHECKS` lists them in the order they run, from the modules
that group them (``table_checks``, ``structure_checks``, ``storyboard_checks``, ``quiz_checks``);
:func:`validate_data_dir` runs them all, the tests and ``python -m facelayers validate`` use it, and
:func:`read_tables` hands the loader (:mod:`facelayers.anatomy.load`) the typed rows together with the problems.

Reading happens in stages (:mod:`facelayers.anatomy.reading`), each reported by its own check: the folder and its
files, the CSV and JSON syntax, the typing of the cells, the JSON Schemas. A file that fails a syntax stage takes no
part in the later checks, and a cell that fails its type or schema is left out of the later checks, so one fault
gives one problem rather than a cascade. The tables and their schemas are described in
:mod:`facelayers.anatomy.specs`. numpy-free.

The values of each storyboard step's ``view`` are judged by :class:`facelayers.teaching.state.ViewState` itself,
which sits above this module: that check is :func:`facelayers.teaching.storyboard.check_storyboard_views`, run with
these by ``python -m facelayers validate``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

from facelayers.anatomy.quiz_checks import check_quiz
from facelayers.anatomy.reading import STORYBOARD_DIR, DataSet
from facelayers.anatomy.specs import SPECS, TABLES, Problem, Record, known_list
from facelayers.anatomy.storyboard_checks import (
    check_storyboard_references,
    check_storyboard_schemas,
    check_storyboards_parse,
)
from facelayers.anatomy.structure_checks import (
    check_finite_numbers,
    check_incisions_and_ports_on_skin,
    check_injury_ranges,
    check_left_side,
    check_muscle_bodies,
    check_muscles_divided,
    check_nerve_groups,
    check_nerve_landmarks,
    check_outlines_on_face,
    check_outlines_simple,
    check_parent_nerves,
    check_technique_part_ids,
    check_waypoint_places,
    check_zone_shapes,
)
from facelayers.anatomy.table_checks import (
    Check,
    check_anchor_references,
    check_cell_types,
    check_csv_parses,
    check_data_dir,
    check_files_readable,
    check_json_parses,
    check_landmark_sides,
    check_layer_order,
    check_min_not_above_max,
    check_provenance,
    check_region_and_layer_references,
    check_schemas,
    check_source_references,
    check_thickness_complete,
    check_thickness_within_range,
    check_unique_ids,
)

__all__ = [
    "CHECKS",
    "read_tables",
    "validate_data_dir",
]

def check_spaces(data: DataSet) -> list[Problem]:
    """Layer 4's spaces (spaces.json): exactly one background item, without an outline; every other has one.

    The background item has no outline because it is the thickness everywhere else.
    """
    records = data.records("spaces")
    if records is None:
        return []
    problems = []
    background = [r for r in records if r.values.get("kind") == "background"]
    for record in records:
        kind, has_outline = record.values.get("kind"), "outline" in record.values
        if kind == "background" and has_outline:
            problems.append(record.problem_at("spaces.json", ("outline",), "must be absent for the background "
                                              "(its thickness holds everywhere outside the spaces)",
                                              record.values["outline"]))
        elif kind is not None and kind != "background" and not has_outline and "outline" not in record.raw:
            problems.append(record.problem_at("spaces.json", ("outline",), "must be given: the space as a simple "
                                              "polygon seen on the face, at least 3 places (landmark_id or [x, y, z])"))
    if len(background) != 1 and records:
        first = (background[1] if len(background) > 1 else records[0])
        problems.append(first.problem_at("spaces.json", ("kind",), f"{len(background)} items of kind background: "
                                         "must be exactly one (the loose areolar plane's thickness outside every "
                                         "space)", first.values.get("kind")))
    return problems


#: Every check, in the order it runs (BrainGlobe's ``get_all_validation_functions``).
def check_variation_rows(data: DataSet) -> list[Problem]:
    """variation.csv (facelayers.model.patient): regions, forms, knots and coefficients make sense.

    Each region_id is 'all' or a region of regions.json; the form suits the variable (sex takes male,
    male_relative, pooled_male; age and bmi the others); a knots form has knots with x increasing (relative
    knots > 0), any other form a coefficient; male_relative > -1.
    """
    problems = []
    regions = data.ids("regions") if data.records("regions") is not None else None
    sex_forms = ("male", "male_relative", "pooled_male")
    for record in data.records("variation") or []:
        values, file = record.values, SPECS["variation"].filename
        region = values.get("region_id")
        if regions is not None and region is not None and region != "all" and region not in regions:
            problems.append(record.problem(file, "region_id", f"must be 'all' or a region_id of regions.json: "
                                                              f"{known_list(regions)}"))
        form, variable = values.get("form"), values.get("variable")
        if form is None or variable is None:
            continue  # reported by the schema
        if (variable == "sex") != (form in sex_forms):
            forms = sex_forms if variable == "sex" else ("slope", "slope_relative", "knots", "knots_relative")
            problems.append(record.problem(file, "form", f"variable {variable} takes the forms {', '.join(forms)}"))
        if form.startswith("knots"):
            if "knots" not in values:
                problems.append(record.problem(file, "knots", f"required for form {form}"))
                continue
            knots = [tuple(map(float, pair.split(":"))) for pair in values["knots"].split(";")]
            if any(b[0] <= a[0] for a, b in itertools.pairwise(knots)):
                problems.append(record.problem(file, "knots", "the x of the knots must increase"))
            if form == "knots_relative" and any(y <= 0 for _, y in knots):
                problems.append(record.problem(file, "knots", "relative knots must be > 0"))
        elif "coefficient" not in values:
            problems.append(record.problem(file, "coefficient", f"required for form {form}"))
        elif form == "male_relative" and values["coefficient"] <= -1:
            problems.append(record.problem(file, "coefficient", "must be > -1 for male_relative"))
    return problems


CHECKS: tuple[Check, ...] = (
    check_data_dir,
    check_files_readable,
    check_csv_parses,
    check_json_parses,
    check_cell_types,
    check_schemas,
    check_unique_ids,
    check_source_references,
    check_region_and_layer_references,
    check_anchor_references,
    check_min_not_above_max,
    check_thickness_within_range,
    check_provenance,
    check_landmark_sides,
    check_layer_order,
    check_thickness_complete,
    check_nerve_landmarks,
    check_waypoint_places,
    check_finite_numbers,
    check_left_side,
    check_parent_nerves,
    check_nerve_groups,
    check_muscle_bodies,
    check_injury_ranges,
    check_zone_shapes,
    check_technique_part_ids,
    check_muscles_divided,
    check_outlines_on_face,
    check_outlines_simple,
    check_incisions_and_ports_on_skin,
    check_quiz,
    check_spaces,
    check_storyboards_parse,
    check_storyboard_schemas,
    check_storyboard_references,
    check_variation_rows,
)


# ----------------------------------------------------------------------------------------------------
# Entry points


def read_tables(path: str | Path, checks: Sequence[Check] = CHECKS) -> tuple[dict[str, list[Record]], list[Problem]]:
    """Read a data folder through the checks.

    Parameters
    ----------
    path : str or Path
        The data folder.
    checks : sequence of callables, optional
        The checks to run (default :data:`CHECKS`).

    Returns
    -------
    tables : dict of str to list of Record
        Checked records by table name (``"thickness"``), for the files that could be read and parsed,
        and ``"storyboards"``: one record per storyboard file (its ``label`` is ``"storyboard <id>"``).
        Only meaningful when ``problems`` is empty.
    problems : list of Problem
        Every problem found, by file and line (in check order within a line); empty for valid data.
    """
    data = DataSet(path)
    problems = [problem for check in checks for problem in check(data)]
    tables = dict(data.checked.values)
    tables["storyboards"] = list(data.storyboards.values.values())
    return tables, sorted(problems, key=_reading_order)


def _reading_order(problem: Problem) -> tuple[int, str, int]:
    """Sort key.

    File (the folder first, then :data:`TABLES` order, then the storyboards by name), then line (problems without a
    line last).
    """
    files = [spec.filename for spec in TABLES]
    if problem.file in files:
        rank = files.index(problem.file) + 1
    elif problem.file.startswith(f"{STORYBOARD_DIR}/") or problem.file == STORYBOARD_DIR:
        rank = len(files) + 1
    else:
        rank = 0
    return rank, problem.file, problem.line if problem.line is not None else 1 << 30


def validate_data_dir(path: str | Path) -> list[Problem]:
    """Every problem in a data folder; an empty list means it is valid.

    Never raises for bad content: a missing folder, a missing file or a malformed one is a
    :class:`Problem` like any other.

    Parameters
    ----------
    path : str or Path
        The data folder (``data/`` or a copy of it).

    Returns
    -------
    list of Problem
    """
    return read_tables(path)[1]
