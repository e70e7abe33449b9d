"""Issue 14: the stages run one way. A module imports only modules of lower stages (or
its own), so reading a page is the page stage's job and nothing below knows what is above."""

import ast
import re
from pathlib import Path

import rtp_snippets

# Lower numbers first; a module may import any module of a lower number (DESIGN.md's
# pipeline: load and render know nothing of pages, page nothing of rules, inject and
# check use both, site and the shells sit on top). The one numbering of the stages: a
# module's docstring that names its stage ("Stage 8, site: ...") gives this number.
STAGES = {
    "terminal": 0,
    "errors": 1,
    "files": 2,  # opening, reading and writing the site's files; the lock
    "paths": 2,  # the page glob language
    "links": 2,
    "text": 2,
    "css": 2,
    "scan": 2,
    "fields": 2,  # the table of rule fields and consent settings: data only
    "walk": 3,  # which files of a site's folder are its pages
    "model": 3,
    "dsl": 4,
    "schema": 4,
    "load": 5,
    "render": 5,
    "page": 5,
    "inject": 6,
    "lint": 6,
    "facts": 6,  # every page's facts for a rule set (coverage, prune)
    "coverage": 7,
    "memo": 7,  # what the last run found, for the next
    "options": 7,  # what a site run is asked
    "catalog": 8,
    "checking": 9,  # the check command as one call
    "site": 8,
    "preview": 8,
    "serve": 9,
    "integrations": 10,
    "cli": 10,
    "__init__": 11,  # the package's public names, and Pelican's plugin entry
    "__main__": 11,
    "verify": 9,
}


def imports_of(source: Path) -> set[str]:
    """The package modules ``source`` imports (relative imports; the first name below the
    package), wherever the import is: at the top, inside a function, under TYPE_CHECKING."""
    names = set()
    inside_package = "integrations" in source.parts
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            up = node.level - (1 if inside_package else 0)
            if up == 0 and inside_package:
                names.add("integrations")
            elif node.module:
                names.add(node.module.split(".")[0])
            else:
                names.update(alias.name for alias in node.names)
    return names


def test_every_module_has_a_stage():
    package = Path(rtp_snippets.__file__).parent
    modules = {source.stem for source in package.glob("*.py")} | {"integrations"}
    assert modules == set(STAGES)


def test_no_module_imports_a_stage_above_its_own():
    package = Path(rtp_snippets.__file__).parent
    wrong = []
    for source in sorted(package.rglob("*.py")):
        module = "integrations" if "integrations" in source.parts else source.stem
        for imported in imports_of(source) - {module}:
            if STAGES[imported] >= STAGES[module]:
                wrong.append(f"{source.relative_to(package)} imports {imported}")
    assert wrong == []


def test_the_checks_above_say_what_they_guard():
    """The checks above find a wrong import (a test that cannot fail proves nothing)."""
    sample = Path(rtp_snippets.__file__).parent / "site.py"
    assert "page" in imports_of(sample)
    assert STAGES["site"] > STAGES["page"] > STAGES["scan"]
    # What issue 14 found running backwards:
    package = Path(rtp_snippets.__file__).parent
    assert "check" not in imports_of(package / "site.py")
    assert not imports_of(package / "site.py") & {"checking", "coverage", "lint", "catalog"}
    assert "inject" not in imports_of(package / "checking.py")
    assert "inject" not in imports_of(package / "coverage.py")


def test_a_docstring_that_names_its_stage_gives_its_number_here():
    package = Path(rtp_snippets.__file__).parent
    wrong = []
    for source in sorted(package.glob("*.py")):
        docstring = ast.get_docstring(ast.parse(source.read_text(encoding="utf-8"))) or ""
        named = re.match(r"Stage (\d+), (\w+):", docstring)
        if named:
            if (int(named[1]), named[2]) != (STAGES[source.stem], source.stem):
                wrong.append(f"{source.name}: {named[0]}")
    assert wrong == []
    # Every module says where it is (__main__ only calls the command line).
    for module in set(STAGES) - {"integrations", "__main__"}:
        docstring = ast.get_docstring(ast.parse((package / f"{module}.py").read_text())) or ""
        assert docstring.startswith(f"Stage {STAGES[module]}, {module}:"), module
