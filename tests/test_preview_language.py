"""A CLI that speaks one language, as `preview` and its neighbours say it: the rules table
fits the terminal, the overlay names rules as the rules file does and says why a rule is
off on the page shown, help says what options take, and shell completion works."""

import re

import pytest

from rtp_snippets import load_rules
from rtp_snippets.preview import MIN_WIDTH, output_width, preview_text
from rtp_snippets.terminal import display_width
from support.cli import run

EXAMPLE = "examples/rtp-rules.yml"


def text_lines(output: str) -> list[str]:
    """The preview's lines before the readable JavaScript (code is printed as it is)."""
    return output.partition("\n\n(function")[0].splitlines()


# --- The rules table fits the terminal ----------------------------------------------


def table_cells(table: list[str]) -> list[list[str]]:
    """The cells of each row of a (possibly wrapped) preview table, each cell's lines
    joined without whitespace: a row begins where the line column is filled."""
    header = table[0]
    names = re.split(r"  +", header)
    starts = [header.index(name) for name in names] + [None]
    rows: list[list[str]] = []
    for line in table[1:]:
        parts = [line[start:end] for start, end in zip(starts, starts[1:], strict=False)]
        if parts[0].strip():
            rows.append([""] * len(names))
        for column, part in enumerate(parts):
            rows[-1][column] += re.sub(r"\s+", "", part)
    return rows


@pytest.mark.parametrize("columns", [80, 120])
def test_the_preview_fits_columns(monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    lines = text_lines(run("preview", "-r", EXAMPLE).stdout)
    assert max(display_width(line) for line in lines) <= columns
    # Nothing is cut: every selector and value is whole in its cell, wrapped at most.
    table = lines[: lines.index("")]
    rows = table_cells(table)
    rules = list(load_rules(EXAMPLE))
    assert len(rows) == len(rules)
    for row, rule in zip(rows, rules, strict=True):
        assert row[3] == re.sub(r"\s+", "", rule.target)
        assert row[4] == re.sub(r"\s+", "", " | ".join(rule.send))


def test_a_long_cell_wraps_within_its_column_and_rows_stay_together(rules_file):
    path = rules_file(
        "rules:\n"
        "  - event: click\n"
        "    selector: " + ".a-very-long-class-name " * 6 + "\n"
        "    send: [" + ", ".join(f"value number {number}" for number in range(8)) + "]\n"
        "  - \"on click #b send 'short'\"\n"
    )
    lines = text_lines(preview_text(load_rules(path), width=60))
    table = lines[: lines.index("")]
    assert max(display_width(line) for line in table) <= 60
    assert len(table) > 3  # wrapped
    assert re.split(r"  +", table[0]) == [
        "line", "name", "event", "selector", "values", "pages", "once"
    ]  # fmt: skip
    # Continuation lines have nothing under line, name and event: each row's lines stay
    # together, and each cell is whole across them.
    assert table_cells(table) == [
        ["2", "-", "click", ".a-very-long-class-name" * 6,
         "|".join(f"valuenumber{number}" for number in range(8)), "all", "-"],
        ["5", "-", "click", "#b", "short", "all", "-"],
    ]  # fmt: skip


def test_wide_characters_wrap_by_display_width(rules_file):
    path = rules_file("rules:\n  - event: view\n    send: " + "日本語のテキスト " * 12 + "\n")
    lines = text_lines(preview_text(load_rules(path), width=60))
    assert max(display_width(line) for line in lines) <= 60
    assert len(lines) > 3


def test_no_width_keeps_lines_whole():
    ruleset = load_rules(EXAMPLE)
    lines = text_lines(preview_text(ruleset, width=None))
    assert max(display_width(line) for line in lines) > 120  # the example is wide
    assert preview_text(ruleset, width=400) == preview_text(ruleset, width=None)


@pytest.mark.parametrize(
    "columns, width", [("100", 100), ("30", MIN_WIDTH), ("", None), ("wide", None)]
)
def test_output_width_is_columns_else_the_terminal_else_none(monkeypatch, columns, width):
    # Under pytest standard output is not a terminal: without COLUMNS there is no limit,
    # as for `ls` and `git` writing to a pipe.
    monkeypatch.setenv("COLUMNS", columns)
    assert output_width() == width


def test_piped_output_without_columns_is_not_cut(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    lines = text_lines(run("preview", "-r", EXAMPLE).stdout)
    assert max(display_width(line) for line in lines) > 120
