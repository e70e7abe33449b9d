"""The figures of docs/benchmarks.md are written by the scripts that measured them.

Every table of the page lies between the `<!-- NAME: begin -->` and `<!-- NAME: end -->`
markers of a script benchmarks/NAME that writes that section (through
benchmarks/docs_table.py, run with --write), and every section starts with the date and
the machine of its measurement. The scripts are not run: they take minutes.
"""

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "benchmarks.md"
BENCHMARKS = ROOT / "benchmarks"
MARKER = re.compile(r"<!-- (?P<name>[\w.-]+): (?P<side>begin|end) -->")

sys.path.insert(0, str(BENCHMARKS))
import docs_table  # noqa: E402


def sections(text: str) -> dict[str, list[str]]:
    """The lines between each pair of markers, by name; pairs must not nest or repeat."""
    found: dict[str, list[str]] = {}
    inside = None
    for number, line in enumerate(text.splitlines(), 1):
        marker = MARKER.fullmatch(line)
        if not marker:
            if inside:
                found[inside].append(line)
            continue
        name, side = marker["name"], marker["side"]
        if side == "begin":
            assert inside is None, f"line {number}: {name} begins inside {inside}"
            assert name not in found, f"line {number}: a second section {name}"
            inside, found[name] = name, []
        else:
            assert inside == name, f"line {number}: {name} ends, but {inside} was open"
            inside = None
    assert inside is None, f"{inside} has no end marker"
    return found


SECTIONS = sections(PAGE.read_text(encoding="utf-8"))


def test_every_table_lies_between_the_markers_of_a_section():
    inside = None
    outside = []
    for number, line in enumerate(PAGE.read_text(encoding="utf-8").splitlines(), 1):
        marker = MARKER.fullmatch(line)
        if marker:
            inside = marker["name"] if marker["side"] == "begin" else None
        elif line.startswith("|") and inside is None:
            outside.append(f"line {number}: {line}")
    assert outside == []


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_each_section_is_written_by_its_script(name):
    script = BENCHMARKS / name
    assert script.is_file(), f"no benchmarks/{name} writes this section"
    assert f'write_section("{name}"' in script.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_each_section_says_when_and_where_it_was_measured(name):
    lines = SECTIONS[name]
    assert lines, f"{name}: empty, run benchmarks/{name} --write"
    assert re.fullmatch(
        rf"Measured on \d{{4}}-\d\d-\d\d on .+, \d+ cores, .+, Python [\d.]+"
        rf"(, load average [\d.]+)?, by `benchmarks/{re.escape(name)}`\.",
        lines[0],
    ), lines[0]
    assert any(line.startswith("|") for line in lines), f"{name}: no table"


def test_every_script_that_writes_a_section_has_its_markers_in_the_page():
    writers = sorted(
        script.name
        for script in BENCHMARKS.glob("*.py")
        if re.search(r'write_section\("', script.read_text(encoding="utf-8"))
    )
    assert writers and writers == sorted(SECTIONS)


def test_write_section_replaces_only_its_own_section(tmp_path):
    page = tmp_path / "benchmarks.md"
    page.write_text(
        "# Page\n\n<!-- a.py: begin -->\nold\n<!-- a.py: end -->\n\ntext\n\n"
        "<!-- b.py: begin -->\nother\n<!-- b.py: end -->\n",
        encoding="utf-8",
    )
    docs_table.write_section("a.py", "| x |\n|---|\n| 1 |\n", page=page)
    text = page.read_text(encoding="utf-8")
    assert sections(text)["b.py"] == ["other"]
    measured, blank, *table = sections(text)["a.py"]
    assert measured == docs_table.measured_on("a.py") and blank == ""
    assert table == ["| x |", "|---|", "| 1 |"]
    assert text.startswith("# Page\n\n<!-- a.py: begin -->\nMeasured on ")
    assert text.endswith(
        "<!-- a.py: end -->\n\ntext\n\n<!-- b.py: begin -->\nother\n<!-- b.py: end -->\n"
    )


def test_write_section_fails_loudly_without_its_markers(tmp_path):
    page = tmp_path / "benchmarks.md"
    page.write_text("# Page\n\n<!-- a.py: begin -->\nold\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="one pair of markers <!-- a.py: begin -->"):
        docs_table.write_section("a.py", "| x |", page=page)
    assert page.read_text(encoding="utf-8") == "# Page\n\n<!-- a.py: begin -->\nold\n"


def test_the_machine_line_names_cpu_cores_and_python():
    line = docs_table.measured_on("x.py")
    assert re.fullmatch(
        r"Measured on \d{4}-\d\d-\d\d on .+, \d+ cores, .+, Python [\d.]+, "
        r"load average [\d.]+, by `benchmarks/x.py`\.",
        line,
    )
