"""What a user installs: the wheel and the sdist that ``python -m build`` makes, each
installed into a fresh virtualenv and run on the bundled example from a folder that is
not the project; the editable install of the set-up; the pre-commit hook.

``python -m build`` runs with build isolation, on a copy of the working tree: the
backend it installs (setuptools>=77 and trove-classifiers, pyproject.toml's
build-system) is newer than the tests' virtualenv has, so pip fetches it from the
package index (its cache, after the first time). Installing the sdist builds a wheel
from it the same way.

Every test here is marked ``slow``: the builds and installs take tens of seconds each,
so CI's slow run (``.ci/run``, ``-m slow``) runs them and the everyday command does not.
Two ways to install each distribution:

- the quicker: the project only (``pip install --no-deps``, with this
  run's pip); its dependencies come from the virtualenv running the tests, through a
  ``.pth`` line behind the new virtualenv's own site-packages. That keeps the test about
  what the package ships, at a fraction of the cost.
- the full one: a plain ``pip install`` of the file, every dependency from
  the package index, as a user installs it; this proves the declared dependencies are
  enough.
"""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXPECTED_BUNDLE = (ROOT / "tests" / "expected" / "example.min.js").read_text()
TEMPLATES = ROOT / "rtp_snippets" / "templates"
# Not part of a copy of the working tree: virtualenvs, git, build outputs, caches.
LOCAL = {".git", "build", "dist", "site", ".pytest_cache", ".hypothesis", ".mypy_cache"}
LOCAL_ANYWHERE = shutil.ignore_patterns("__pycache__", "*.egg-info", ".venv*", "artifacts")

# Builds and installs take tens of seconds each: the slow run (CI) runs them.
pytestmark = [pytest.mark.packaging, pytest.mark.slow]


def ignore_local(folder: str, names: list[str]) -> set[str]:
    ignored = set(LOCAL_ANYWHERE(folder, names))
    if Path(folder) == ROOT:
        ignored |= LOCAL & set(names)
    return ignored


def files(root: Path) -> list[str]:
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


@dataclass(frozen=True)
class Distributions:
    wheel: Path
    sdist: Path
    log: str  # what python -m build printed


@pytest.fixture(scope="module")
def distributions(tmp_path_factory) -> Distributions:
    folder = tmp_path_factory.mktemp("build")
    project = folder / "project"
    shutil.copytree(ROOT, project, ignore=ignore_local)
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(folder / "dist"), str(project)],
        capture_output=True,
        text=True,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    (wheel,) = (folder / "dist").glob("*.whl")
    (sdist,) = (folder / "dist").glob("*.tar.gz")
    return Distributions(wheel, sdist, log)


def test_the_build_gives_no_warning(distributions):
    # setuptools frames its warnings (deprecated license format, a package left out of
    # `packages`, ...) in lines of "!!"; "no previously-included files" is MANIFEST.in's
    # pruning of outputs that a clean tree does not have.
    assert "!!" not in distributions.log
    assert "deprecat" not in distributions.log.lower()


def test_the_metadata(distributions):
    with zipfile.ZipFile(distributions.wheel) as wheel:
        metadata = email.message_from_string(
            wheel.read("rtp_snippets-0.1.0.dist-info/METADATA").decode()
        )
        assert (
            wheel.read("rtp_snippets-0.1.0.dist-info/licenses/LICENSE")
            == (ROOT / "LICENSE").read_bytes()
        )
    assert metadata["Name"] == "rtp-snippets"
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata["Author"] == "rtp-snippets developers"
    assert "Copyright (c) 2026 rtp-snippets developers" in (ROOT / "LICENSE").read_text()
    classifiers = metadata.get_all("Classifier")
    assert "Environment :: Web Environment" in classifiers
    assert "Programming Language :: Python :: 3.13" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # the expression says it
    assert "pre-commit" in metadata["Keywords"].split(",")
    assert metadata["Project-URL"] is None  # no public address to give yet
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert metadata.get_payload() == (ROOT / "README.md").read_text()


def test_the_sdist_holds_what_the_wheel_and_the_quick_start_need(distributions):
    with tarfile.open(distributions.sdist) as sdist:
        names = {name.partition("/")[2] for name in sdist.getnames()}
    for name in ["pyproject.toml", "README.md", "LICENSE", "CHANGES.md", "MANIFEST.in"]:
        assert name in names
    for name in files(TEMPLATES):  # the bundle's templates and runtime/*.js, verify.js
        assert f"rtp_snippets/templates/{name}" in names
    for name in files(EXAMPLES):
        if not name.startswith(
            ("mkdocs/site/", "pelican/output/", "sphinx/_build/", "jinja/_site/")
        ):
            assert f"examples/{name}" in names
    assert "pelican/plugins/rtp_snippets/__init__.py" in names
    assert not [name for name in names if name.startswith("tests") or "__pycache__" in name]


def test_the_wheel_ships_the_package_and_nothing_else(distributions):
    with zipfile.ZipFile(distributions.wheel) as wheel:
        names = wheel.namelist()
    assert {name.split("/")[0] for name in names} == {
        "rtp_snippets",
        "pelican",  # the Pelican plugin: pelican/plugins/rtp_snippets/
        "rtp_snippets-0.1.0.dist-info",
    }
    templates = sorted(
        name.removeprefix("rtp_snippets/templates/")
        for name in names
        if name.startswith("rtp_snippets/templates/")
    )
    assert templates == files(TEMPLATES)
    assert "rtp_snippets/integrations/mkdocs.py" in names
    assert not [name for name in names if "tests" in name.split("/") or "conftest" in name]


def fresh_virtualenv(folder: Path, *, dependencies_from_here: bool) -> Path:
    venv.EnvBuilder(with_pip=False).create(folder)
    if dependencies_from_here:
        site_packages = python(
            folder, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"
        )
        (Path(site_packages.strip()) / "dependencies.pth").write_text(
            sysconfig.get_path("purelib") + "\n"
        )
    return folder


def pip_install(environment: Path, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(environment / "bin" / "python")]
        + ["install", "--quiet", *args],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def python(environment: Path, *args: str, cwd: Path | None = None) -> str:
    return run(environment, "python", *args, cwd=cwd)


def run(environment: Path, command: str, *args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [str(environment / "bin" / command), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "1000"},
    )
    assert result.returncode == 0, f"$ {command} {' '.join(args)}\n{result.stdout}{result.stderr}"
    return result.stdout


def use_the_example(environment: Path, folder: Path) -> None:
    """The README's quick start, with the installed rtp-snippets, outside the project."""
    folder.mkdir()
    shutil.copy2(EXAMPLES / "rtp-rules.yml", folder / "rtp-rules.yml")
    shutil.copytree(EXAMPLES / "site", folder / "site")
    pages = [path for path in (folder / "site").rglob("*.html")]

    templates = python(environment, "-c", IMPORTED_TEMPLATES, cwd=folder).strip()
    assert Path(templates).is_relative_to(environment)  # the installed copy, not the source

    run(environment, "rtp-snippets", "build", "-o", "build/rtp-snippets.js", cwd=folder)
    assert (folder / "build" / "rtp-snippets.js").read_text() == EXPECTED_BUNDLE
    assert python(environment, "-m", "rtp_snippets", "build", cwd=folder) == EXPECTED_BUNDLE

    checked = run(environment, "rtp-snippets", "check", "--site", "site", cwd=folder)
    assert "#download-whitepaper" in checked

    before = {page: page.read_text() for page in pages}
    run(environment, "rtp-snippets", "inject", "site", cwd=folder)
    for page in pages:
        text = page.read_text()
        assert text != before[page] and "data-rtp-snippets" in text, page

    table = run(environment, "rtp-snippets", "preview", cwd=folder).splitlines()
    assert table[0].split() == ["line", "name", "event", "selector", "values", "pages", "once"]
    assert table[1].split()[:4] == ["11", "-", "click", "#download-whitepaper"]


IMPORTED_TEMPLATES = "import importlib.resources as r; print(r.files('rtp_snippets.templates'))"


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_installed_without_dependencies(tmp_path, distributions, kind):
    environment = fresh_virtualenv(tmp_path / "venv", dependencies_from_here=True)
    pip_install(environment, "--no-deps", str(getattr(distributions, kind)))
    use_the_example(environment, tmp_path / "example")


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_installed_with_its_dependencies(tmp_path, distributions, kind):
    environment = fresh_virtualenv(tmp_path / "venv", dependencies_from_here=False)
    pip_install(environment, str(getattr(distributions, kind)))
    use_the_example(environment, tmp_path / "example")


def test_templates_are_found_after_an_editable_install(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for name in [
        "pyproject.toml",
        "README.md",
        "LICENSE",
        "MANIFEST.in",
        "rtp_snippets",
        "pelican",
    ]:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, project / name)
    environment = fresh_virtualenv(tmp_path / "venv", dependencies_from_here=True)
    pip_install(environment, "--no-deps", "-e", str(project))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = python(environment, "-c", IMPORTED_TEMPLATES, cwd=elsewhere).strip()
    assert Path(folder) == project / "rtp_snippets" / "templates"
    example = str(EXAMPLES / "rtp-rules.yml")
    assert run(environment, "rtp-snippets", "build", example, cwd=elsewhere) == EXPECTED_BUNDLE


@pytest.fixture(scope="module")
def pre_commit(tmp_path_factory) -> Path:
    """pre-commit in a virtualenv of its own (from the index): the tests need it only here."""
    environment = fresh_virtualenv(
        tmp_path_factory.mktemp("pre-commit"), dependencies_from_here=False
    )
    pip_install(environment, "pre-commit")
    return environment / "bin" / "pre-commit"


GOOD_RULES = "rules:\n  - \"on click #download-whitepaper send 'download - example whitepaper'\"\n"
BAD_RULES = "rules:\n  - \"on click #a send 'a'\"\n  - \"on clik #b send 'b'\"\n"


@pytest.mark.parametrize("rules", [GOOD_RULES, BAD_RULES], ids=["good", "bad"])
def test_the_pre_commit_hook(tmp_path, pre_commit, rules):
    # pre-commit installs a hook from a git repository's commit: a clone of this one's HEAD,
    # so the hook tested is the committed .pre-commit-hooks.yaml. pre-commit builds the
    # hook's own virtualenv (pip install of the clone, its dependencies from the index);
    # try-repo does that again on every run.
    clone = tmp_path / "rtp-snippets"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    site = tmp_path / "site"
    site.mkdir()
    (site / "rtp-rules.yml").write_text(rules)
    subprocess.run(["git", "init", "--quiet"], cwd=site, check=True)
    subprocess.run(["git", "add", "rtp-rules.yml"], cwd=site, check=True)
    result = subprocess.run(
        [str(pre_commit), "try-repo", str(clone), "rtp-snippets-check", "--files", "rtp-rules.yml"],
        cwd=site,
        capture_output=True,
        text=True,
        env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"},
    )
    output = result.stdout + result.stderr
    if rules == GOOD_RULES:
        assert result.returncode == 0, output
        assert "rtp-snippets check..." in output and "Passed" in output
    else:
        assert result.returncode == 1, output
        assert "Failed" in output and "- hook id: rtp-snippets-check" in output
        assert "Error: rtp-rules.yml:3:9: unknown event 'clik'" in output
