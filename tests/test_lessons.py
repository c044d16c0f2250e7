"""The lessons are written where they render: MyST markdown sources (notebooks/NN_slug.md) paired by jupytext
with the executed notebooks that nbval checks. These tests fail when a source and its notebook drift apart, and
when a markdown cell holds a broken table (a stray blank line turns the rows after it into raw pipes)."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest
from markdown_it import MarkdownIt

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SOURCES = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.md"))


def _cells(nb) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def test_every_lesson_has_a_source_and_a_notebook():
    notebooks = {p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
    sources = {p.stem for p in SOURCES}
    assert sources, "no lesson sources found in notebooks/"
    assert notebooks == sources, f"unpaired: notebooks only {sorted(notebooks - sources)}, " \
                                 f"sources only {sorted(sources - notebooks)} (run `make lessons`)"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem[:2])
def test_source_and_notebook_agree(source: Path):
    md = jupytext.read(source)
    nb = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    assert nb.metadata.get("jupytext", {}).get("formats") == "ipynb,md:myst", \
        f"{source.with_suffix('.ipynb').name} is not paired with its .md (run `make lessons`)"
    want, got = _cells(md), _cells(nb)
    for i, (a, b) in enumerate(zip(want, got)):
        assert a == b, f"{source.name} cell {i} differs from its notebook: run `make lessons` after editing the .md"
    assert len(want) == len(got), f"{source.name} has {len(want)} cells, its notebook {len(got)}: run `make lessons`"


def _stray_table_lines(text: str) -> list[str]:
    """Lines that look like table rows (start with '|') but are not inside a rendered table."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    in_table: set[int] = set()
    for tok in tokens:
        if tok.type == "table_open" and tok.map:
            in_table.update(range(*tok.map))
    # Lines inside fenced code are not tables either.
    for tok in tokens:
        if tok.type in ("fence", "code_block") and tok.map:
            in_table.update(range(*tok.map))
    return [line for i, line in enumerate(text.splitlines()) if line.lstrip().startswith("|") and i not in in_table]


def test_the_table_lint_catches_a_blank_line_inside_a_table():
    good = "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n"
    broken = "| a | b |\n|---|---|\n| 1 | 2 |\n\n| 3 | 4 |\n"
    assert _stray_table_lines(good) == []
    assert _stray_table_lines(broken) == ["| 3 | 4 |"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem[:2])
def test_markdown_tables_render(source: Path):
    for i, cell in enumerate(jupytext.read(source).cells):
        if cell.cell_type == "markdown":
            stray = _stray_table_lines(cell.source)
            assert not stray, f"{source.name} cell {i}: table rows outside a table (a blank line?): {stray[:2]}"


# ----------------------------------------------------------------------------------------------------
# Students read prose, not internals (issue 9 item 7): no REFERENCE sections, file paths or data ids in what a
# lesson shows them. Code (cells' sources, inline `code`, fenced blocks, link targets) may name files and ids: a
# lesson shows them deliberately there.

DATA = NOTEBOOKS.parent / "data"


def _data_ids() -> set[str]:
    """The snake_case ids students must not read: nerves, techniques, landmarks and quiz questions."""
    import csv
    import json

    ids = {n["nerve_id"] for n in json.loads((DATA / "nerves.json").read_text())["nerves"]}
    ids |= {t["technique_id"] for t in json.loads((DATA / "techniques.json").read_text())["techniques"]}
    ids |= {q["question_id"] for q in json.loads((DATA / "quiz.json").read_text())["questions"]}
    with open(DATA / "landmarks.csv", newline="") as f:
        ids |= {row["landmark_id"] for row in csv.DictReader(f)}
    return {i for i in ids if "_" in i}  # a one-word id ("buccal", "tragion") is an ordinary word


def _internal_patterns():
    import re

    ids = sorted(_data_ids(), key=len, reverse=True)
    return [re.compile(r"REFERENCE(-2)? section|REFERENCE \d"), re.compile(r"\bdata/"), re.compile(r"\w\.json\b"),
            re.compile(r"\w_id\b"), re.compile(r"(?<![\w/.])(" + "|".join(map(re.escape, ids)) + r")(?![\w.])")]




def _student_text(nb) -> list[tuple[str, str]]:
    """(where, text) of what students read: markdown without code and link targets, and code cells' printed output."""
    import re

    out = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            text = re.sub(r"```.*?```", "", cell.source, flags=re.S)
            text = re.sub(r"`[^`]*`", "", text)
            text = re.sub(r"\]\([^)]*\)", "]", text)
            out.append((f"markdown cell {i}", text))
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream":
                    out.append((f"output of code cell {i}", output.get("text", "")))
    return out


def _internal_words(lesson: str, nb) -> list[str]:

    patterns = _internal_patterns()
    found = []
    for where, text in _student_text(nb):
        for line in text.splitlines():
            for pattern in patterns:
                match = pattern.search(line)
                if match:
                    found.append(f"{lesson}, {where}: {match.group(0)!r} in {line.strip()[:100]!r}")
    return found


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_students_read_no_internal_ids_or_paths(source: Path):
    nb = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    assert _internal_words(source.stem, nb) == []


def test_the_internal_words_scan_finds_ids_paths_and_references():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("See REFERENCE section 2.1 and `data/nerves.json` (code: allowed)."),
                nbformat.v4.new_markdown_cell("The frontal_2 ramus, from quiz.json, source_id x."),
                nbformat.v4.new_code_cell("print('zuker_point')")]
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="near zuker_point in data/x\n")]
    found = "\n".join(_internal_words("99_test", nb))
    for word in ("REFERENCE section", "frontal_2", "quiz.json", "source_id", "zuker_point", "data/"):
        assert word in found, word
    assert "nerves.json" not in found  # inside inline code


def test_the_lessons_do_not_record_the_jupytext_version():
    """Opening a lesson with a newer jupytext must not rewrite it (a new user's clone was dirtied 1.19.6 -> 1.19.7).

    The repository's jupytext.toml filters the version out of the text files; a sync without it puts it back.
    """
    from jupytext.config import find_jupytext_configuration_file, load_jupytext_configuration_file

    config = load_jupytext_configuration_file(find_jupytext_configuration_file(str(NOTEBOOKS)))
    assert "-jupytext.text_representation.jupytext_version" in config.notebook_metadata_filter
    for source in SOURCES:
        header = source.read_text().split("\n---", 1)[0]
        assert "jupytext_version" not in header, f"{source.name} records the jupytext version"
    text = jupytext.writes(jupytext.read(SOURCES[0]), fmt="md:myst", config=config)
    assert "jupytext_version" not in text.split("\n---", 1)[0]
