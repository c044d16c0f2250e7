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
