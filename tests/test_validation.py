"""The data checks: the shipped data is valid, and every kind of bad data gets a message that names
the file, the line, the row, the field, the value and what is allowed (through the real CLI)."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

from facelayers.anatomy.reading import STORYBOARD_DIR, STORYBOARD_SCHEMA, DataSet
from facelayers.anatomy.specs import TABLES, Problem, describe, package_data_dir, schema_dir
from facelayers.anatomy.validation import CHECKS, validate_data_dir
from facelayers.core.frame import LAYERS
from facelayers.delivery.cli import main

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SCHEMAS = sorted((DATA / "schemas").glob("*.schema.json"))


# ----------------------------------------------------------------------------------------------------
# Helpers


from validation_cases import Expect, assert_reported, run_validate  # noqa: E402  (shared by the bad-data tests)


def edit_row(path: Path, match: dict[str, str], **changes: str) -> int:
    """Change cells of the one CSV row whose cells equal ``match``; return its line number."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    hits = [i for i, row in enumerate(rows) if all(row[k] == v for k, v in match.items())]
    assert len(hits) == 1, f"{match} matches {len(hits)} rows of {path.name}"
    rows[hits[0]].update(changes)
    write_rows(path, rows)
    return hits[0] + 2  # the header is line 1


def write_rows(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> None:
    """Write dict rows back as CSV (the shipped files' dialect)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns or list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def replace_once(path: Path, old: str, new: str) -> int:
    """Replace the one occurrence of ``old`` in a file; return the line it is on."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def line_starting(path: Path, prefix: str) -> int:
    """Line number of the one line that starts with ``prefix``."""
    lines = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith(prefix)]
    assert len(lines) == 1, f"{prefix!r} starts {len(lines)} lines of {path.name}"
    return lines[0]


# ----------------------------------------------------------------------------------------------------
# The shipped data and the schemas


def test_shipped_data_has_no_problems():
    assert validate_data_dir(DATA) == []


def test_each_check_passes_on_shipped_data():
    data = DataSet(DATA)
    for check in CHECKS:
        assert check(data) == [], check.__name__


def test_checks_are_named_and_documented():
    names = [check.__name__ for check in CHECKS]
    assert len(set(names)) == len(names)
    assert all(name.startswith("check_") for name in names)
    assert all(check.__doc__ and check.__doc__.strip() for check in CHECKS)


def test_cli_says_ok_on_shipped_data():
    proc = run_validate()
    rows = sum(len(read_rows(DATA / s.filename)) for s in TABLES if s.is_csv)
    rows += sum(len(json.loads((DATA / s.filename).read_text())[s.items]) for s in TABLES if not s.is_csv)
    boards = [yaml.safe_load(path.read_text()) for path in sorted((DATA / STORYBOARD_DIR).glob("*.yaml"))]
    steps = sum(len(board["steps"]) for board in boards)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == (f"OK: {package_data_dir()} is valid ({len(TABLES)} files, {rows} rows; "
                                   f"{len(boards)} storyboards, {steps} steps)")
    assert proc.stderr == ""


def test_one_schema_per_table():
    """One per table, and one for the storyboard files (data/storyboards/*.yaml)."""
    expected = [f"{s.name}.schema.json" for s in TABLES] + [f"{STORYBOARD_SCHEMA}.schema.json"]
    assert [p.name for p in SCHEMAS] == sorted(expected)


def test_package_reads_these_schemas():
    """The contract is the package's copy (facelayers/data in a wheel, data/ in a checkout): the same files."""
    for path in SCHEMAS:
        assert (schema_dir() / path.name).read_text() == path.read_text()


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_schema_is_draft_2020_12_and_strict(path):
    schema = json.loads(path.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    objects = [schema] if path.name != "regions.schema.json" else [schema["properties"]["regions"]["items"]]
    for obj in objects:
        assert obj["additionalProperties"] is False
        for name, prop in obj["properties"].items():
            assert prop.get("description"), f"{path.name}: {name} has no description"
            assert set(obj["required"]) <= set(obj["properties"])


@pytest.mark.parametrize("table", [s for s in TABLES if s.is_csv], ids=lambda s: s.filename)
def test_schema_columns_are_the_file_columns_in_order(table):
    schema = json.loads((DATA / "schemas" / f"{table.name}.schema.json").read_text())
    header = (DATA / table.filename).read_text().splitlines()[0].split(",")
    assert header == list(schema["properties"])


@pytest.mark.parametrize("name", ["layers", "thickness"])
def test_layer_enum_is_frame_layers(name):
    schema = json.loads((DATA / "schemas" / f"{name}.schema.json").read_text())
    assert tuple(schema["properties"]["layer_id"]["enum"]) == LAYERS


@pytest.mark.parametrize("name", ["landmarks", "thickness"])
def test_status_enum_is_closed(name):
    schema = json.loads((DATA / "schemas" / f"{name}.schema.json").read_text())
    assert schema["properties"]["status"]["enum"] == ["measured", "derived", "schematic"]


def test_problem_reads_as_one_line():
    problem = Problem("thickness.csv", 7, "region forehead, layer fat", "thickness_mm", "-1.0", "must be a number > 0")
    assert str(problem) == ("thickness.csv line 7 (region forehead, layer fat): field 'thickness_mm' = '-1.0': "
                            "must be a number > 0")
    assert str(Problem("layers.csv", None, None, None, None, "missing")) == "layers.csv: missing"


@pytest.mark.parametrize(("schema", "words"), [
    ({"type": "number", "exclusiveMinimum": 0, "maximum": 100}, "a number > 0 and <= 100"),
    ({"type": "integer", "minimum": 1}, "a whole number >= 1"),
    ({"enum": ["H", "M", "L"]}, "one of: H, M, L"),
    ({"type": "boolean"}, "true or false"),
    ({"type": "string", "minLength": 1}, "non-empty text"),
    ({"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string"}},
     "a list (at least 1 item, no repeats), each item text"),
])
def test_describe_words_a_schema(schema, words):
    assert describe(schema) == words


# ----------------------------------------------------------------------------------------------------
# Bad data: one corruption per kind, through the CLI


CORRUPTIONS: dict[str, Callable[[Path], Expect]] = {}


def corruption(fn: Callable[[Path], Expect]) -> Callable[[Path], Expect]:
    """Register a corruption of a data copy; it returns the problem it must cause."""
    CORRUPTIONS[fn.__name__] = fn
    return fn


FOREHEAD_SKIN = {"region_id": "forehead", "layer_id": "skin"}
THICKNESS_COLUMNS = "region_id, layer_id, thickness_mm, min_mm, max_mm, status, source_id, locator, note"


@corruption
def missing_column(d: Path) -> Expect:
    rows = read_rows(d / "thickness.csv")
    for row in rows:
        del row["locator"]
    write_rows(d / "thickness.csv", rows)
    return Expect("thickness.csv", 1, "header", "locator", None, f"missing column: the columns are {THICKNESS_COLUMNS}")


@corruption
def unknown_column(d: Path) -> Expect:
    rows = read_rows(d / "landmarks.csv")
    for row in rows:
        row["depth_mm"] = "1"
    write_rows(d / "landmarks.csv", rows)
    return Expect("landmarks.csv", 1, "header", "depth_mm", None,
                  "unknown column: the columns are landmark_id, label, x_mm, y_mm, z_mm, side, on_skin")


@corruption
def negative_thickness(d: Path) -> Expect:
    line = edit_row(d / "thickness.csv", FOREHEAD_SKIN, thickness_mm="-1.0")
    return Expect("thickness.csv", line, "region forehead, layer skin", "thickness_mm", "-1.0", "must be a number > 0")


@corruption
def zero_thickness(d: Path) -> Expect:
    line = edit_row(d / "thickness.csv", {"region_id": "scalp", "layer_id": "fat"}, thickness_mm="0")
    return Expect("thickness.csv", line, "region scalp, layer fat", "thickness_mm", "0", "must be a number > 0")


@corruption
def non_numeric_thickness(d: Path) -> Expect:
    line = edit_row(d / "thickness.csv", {"region_id": "nose", "layer_id": "fat"}, thickness_mm="0,6")
    return Expect("thickness.csv", line, "region nose, layer fat", "thickness_mm", "0,6", "must be a number > 0")


@corruption
def non_boolean_on_skin(d: Path) -> Expect:
    line = edit_row(d / "landmarks.csv", {"landmark_id": "nasion"}, on_skin="yes")
    return Expect("landmarks.csv", line, "landmark nasion", "on_skin", "yes", "must be true or false")


@corruption
def non_integer_year(d: Path) -> Expect:
    line = edit_row(d / "sources.csv", {"source_id": "meng2022"}, year="2022a")
    return Expect("sources.csv", line, "source meng2022", "year", "2022a", "must be a whole number")


@corruption
def unknown_layer(d: Path) -> Expect:
    line = edit_row(d / "thickness.csv", {"region_id": "malar", "layer_id": "fat"}, layer_id="fatt")
    return Expect("thickness.csv", line, "region malar, layer fatt", "layer_id", "fatt",
                  "must be one of: skin, fat, smas, muscle, periosteum")


@corruption
def unknown_region(d: Path) -> Expect:
    line = edit_row(d / "thickness.csv", FOREHEAD_SKIN, region_id="forhead")
    return Expect("thickness.csv", line, "region forhead, layer skin", "region_id", "forhead",
                  "must be a region_id of regions.json: scalp, forehead, glabella", max_problems=3)


@corruption
def unknown_source(d: Path) -> Expect:
    line = edit_row(d / "thickness.csv", FOREHEAD_SKIN, source_id="meng2023")
    return Expect("thickness.csv", line, "region forehead, layer skin", "source_id", "meng2023",
                  "must be a source_id of sources.csv: meng2022, chopra2015")


@corruption
def unknown_landmark_anchor(d: Path) -> Expect:
    line = replace_once(d / "regions.json", '"temporal_fossa"', '"temporal_fosa"')
    return Expect("regions.json", line, "region temple", "anchors", "temporal_fosa",
                  "must be a landmark_id of landmarks.csv: tragion, porion, nasion")


@corruption
def unknown_json_field(d: Path) -> Expect:
    line = replace_once(d / "regions.json", '"label": "Temple",', '"label": "Temple",\n      "colour": "red",') + 1
    return Expect("regions.json", line, "region temple", "colour", "red",
                  "unknown field: the fields are region_id, label, anchors, description")


@corruption
def duplicate_source_id(d: Path) -> Expect:
    first = line_starting(d / "sources.csv", "meng2022,")
    line = edit_row(d / "sources.csv", {"source_id": "chopra2015"}, source_id="meng2022")
    return Expect("sources.csv", line, "source meng2022", "source_id", "meng2022",
                  f"must be unique: already used on line {first}", max_problems=3)


@corruption
def duplicate_landmark_id(d: Path) -> Expect:
    first = line_starting(d / "landmarks.csv", "nasion,")
    line = edit_row(d / "landmarks.csv", {"landmark_id": "trichion"}, landmark_id="nasion")
    return Expect("landmarks.csv", line, "landmark nasion", "landmark_id", "nasion",
                  f"must be unique: already used on line {first}")


@corruption
def duplicate_region_id(d: Path) -> Expect:
    text = (d / "regions.json").read_text()
    first = text[: text.index('"region_id": "forehead"')].count("\n") + 1
    line = replace_once(d / "regions.json", '"region_id": "glabella"', '"region_id": "forehead"')
    return Expect("regions.json", line, "region forehead", "region_id", "forehead",
                  f"must be unique: already used on line {first}", max_problems=7)  # + variation.csv names glabella


@corruption
def duplicate_region_layer(d: Path) -> Expect:
    first = line_starting(d / "thickness.csv", "forehead,skin,")
    line = edit_row(d / "thickness.csv", {"region_id": "forehead", "layer_id": "fat"}, layer_id="skin")
    return Expect("thickness.csv", line, "region forehead, layer skin", "layer_id", "skin",
                  f"must be unique per region_id, layer_id pair: already used on line {first}")


@corruption
def unclosed_quote(d: Path) -> Expect:
    line = replace_once(d / "thickness.csv", ",,,Pericranium: no number in the reference\nglabella",
                        ',,,"Pericranium: no number in the reference\nglabella')
    return Expect("thickness.csv", line, None, None, None,
                  "malformed CSV (',' expected after '\"'): quote a cell that holds commas and close the quote",
                  max_problems=1)


@corruption
def unclosed_quote_at_end(d: Path) -> Expect:
    line = replace_once(d / "thickness.csv", ",,,No bone under the neck surface",
                        ',,,"No bone under the neck surface')
    return Expect("thickness.csv", line, None, None, None,
                  "malformed CSV (unclosed quote): quote a cell that holds commas and close the quote on the same line",
                  max_problems=1)


@corruption
def wrong_number_of_cells(d: Path) -> Expect:
    line = replace_once(d / "landmarks.csv", "nasion,Soft-tissue nasion,0,86,22,",
                        "nasion,Soft-tissue nasion,0,86,22,0,")
    return Expect("landmarks.csv", line, "landmark nasion", None, None,
                  "malformed CSV: 12 cells, must have 11 (one per column: landmark_id, label, x_mm")


@corruption
def malformed_json(d: Path) -> Expect:
    line = replace_once(d / "regions.json", '"label": "Forehead",', '"label": "Forehead"') + 1
    return Expect("regions.json", line, None, None, None,
                  "malformed JSON at column 7 (Expecting ',' delimiter): must be valid JSON", max_problems=1)


@corruption
def min_above_max(d: Path) -> Expect:
    line = edit_row(d / "thickness.csv", FOREHEAD_SKIN, min_mm="1.5")
    return Expect("thickness.csv", line, "region forehead, layer skin", "min_mm", "1.5", "must be <= max_mm (1.39)")


@corruption
def thickness_outside_range(d: Path) -> Expect:
    line = edit_row(d / "thickness.csv", FOREHEAD_SKIN, thickness_mm="2.0")
    return Expect("thickness.csv", line, "region forehead, layer skin", "thickness_mm", "2.0",
                  "must lie within min_mm..max_mm = [1.06, 1.39]")


@corruption
def measured_without_source(d: Path) -> Expect:
    line = edit_row(d / "thickness.csv", {"region_id": "perioral", "layer_id": "fat"}, source_id="")
    return Expect("thickness.csv", line, "region perioral, layer fat", "source_id", "",
                  "a measured row must name a source_id of sources.csv")


@corruption
def derived_without_locator(d: Path) -> Expect:
    line = edit_row(d / "landmarks.csv", {"landmark_id": "nasion"}, locator="")
    return Expect("landmarks.csv", line, "landmark nasion", "locator", "",
                  "a derived row must say where in the source the number is")


@corruption
def schematic_without_reason(d: Path) -> Expect:
    line = edit_row(d / "thickness.csv", {"region_id": "chin", "layer_id": "fat"}, note="")
    return Expect("thickness.csv", line, "region chin, layer fat", "note", "",
                  "a schematic row must give in note the reason it has no source")


@corruption
def bilateral_landmark_on_right(d: Path) -> Expect:
    line = edit_row(d / "landmarks.csv", {"landmark_id": "gonion"}, x_mm="-50")
    return Expect("landmarks.csv", line, "landmark gonion", "x_mm", "-50",
                  "a bilateral landmark is given for the left side: must be > 0")


@corruption
def layers_out_of_order(d: Path) -> Expect:
    rows = read_rows(d / "layers.csv")
    rows[1], rows[2] = rows[2], rows[1]
    write_rows(d / "layers.csv", rows)
    return Expect("layers.csv", 3, "layer smas", "layer_id", "smas",
                  "must be fat: layers.csv lists facelayers.core.frame.LAYERS in order: skin, fat, smas", max_problems=4)


@corruption
def missing_file(d: Path) -> Expect:
    (d / "layers.csv").unlink()
    return Expect("layers.csv", None, None, None, None,
                  "missing: the data folder must hold sources.csv, layers.csv, landmarks.csv, regions.json, "
                  "thickness.csv", max_problems=1)


@corruption
def missing_region_layer_row(d: Path) -> Expect:
    rows = read_rows(d / "thickness.csv")
    lines = [n for n, row in enumerate(rows, 2) if row["region_id"] == "chin" and row["layer_id"] != "smas"]
    write_rows(d / "thickness.csv", [r for r in rows if (r["region_id"], r["layer_id"]) != ("chin", "smas")])
    lines = [n if n < lines[2] else n - 1 for n in lines]  # the rows after the removed one move up
    return Expect("thickness.csv", None, "region chin", "layer_id", "smas",
                  f"no row for this layer (its rows are on lines {', '.join(map(str, lines))}): every region of "
                  "regions.json needs one row for each layer: skin, fat, smas, muscle, periosteum")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A fresh copy of the shipped data (without the schemas: they always come from the package)."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("schemas", "README.md"))
    return target


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_cli_reports_bad_data(name, data_copy):
    expect = CORRUPTIONS[name](data_copy)
    assert_reported(expect, run_validate(str(data_copy)))


def test_every_problem_is_one_line_in_process(data_copy):
    """The same checks in process: validate_data_dir returns Problems, each a single line."""
    edit_row(data_copy / "thickness.csv", FOREHEAD_SKIN, thickness_mm="2.0", source_id="nobody")
    problems = validate_data_dir(data_copy)
    assert [p.field for p in problems] == ["source_id", "thickness_mm"]  # check order within a line
    assert all("\n" not in str(p) for p in problems)


def test_problems_are_sorted_by_file_and_line(data_copy):
    edit_row(data_copy / "thickness.csv", {"region_id": "neck", "layer_id": "fat"}, thickness_mm="-2")
    edit_row(data_copy / "thickness.csv", FOREHEAD_SKIN, source_id="nobody")
    edit_row(data_copy / "landmarks.csv", {"landmark_id": "gonion"}, x_mm="-50")
    problems = validate_data_dir(data_copy)
    assert [(p.file, p.field) for p in problems] == [
        ("landmarks.csv", "x_mm"), ("thickness.csv", "source_id"), ("thickness.csv", "thickness_mm")]


# ----------------------------------------------------------------------------------------------------
# Usage errors: exit 1, one line, no traceback


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_cli_rejects_a_dir_that_is_not_a_folder(kind, tmp_path):
    target = tmp_path / "nowhere"
    if kind == "file":
        target.write_text("not a folder")
    proc = run_validate(str(target))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    reason = "does not exist" if kind == "missing" else "is a file, not a folder"
    assert proc.stderr.strip().splitlines() == [f"facelayers validate: error: DIR '{target}' {reason}"]


def test_main_returns_exit_status(capsys, tmp_path):
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.startswith("OK: ")
    assert main(["validate", str(tmp_path / "nowhere")]) == 1
    assert main([]) == 1  # a subcommand is required
    assert "COMMAND" in capsys.readouterr().err


def test_validate_data_dir_reports_a_missing_folder(tmp_path):
    problems = validate_data_dir(tmp_path / "nowhere")
    assert len(problems) == 1
    assert str(problems[0]).startswith(f"{tmp_path / 'nowhere'}: does not exist: must be a folder holding sources.csv")
