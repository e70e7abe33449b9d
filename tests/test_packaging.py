"""The templates are found from a wheel install and from an editable install,
each in a fresh virtualenv, run from a folder that is not the project.

The virtualenvs get the project only (``pip install --no-deps``, with this
run's pip); its dependencies come from the virtualenv running the tests,
through a ``.pth`` line behind the new virtualenv's own site-packages. That
keeps the test about what the package ships, at a third of the cost of
installing every dependency again; installing with dependencies into a fresh
virtualenv is what the README's set-up does, and ``.ci/run`` runs it.
"""

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ["pyproject.toml", "README.md", "rtp_snippets", "examples", "pelican"]

pytestmark = pytest.mark.packaging


def copy_project(target: Path) -> Path:
    target.mkdir()
    for name in SHIPPED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    return target


def install(tmp_path: Path, *pip_args: str) -> Path:
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(environment)
    python = environment / "bin" / "python"
    site_packages = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site_packages) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--quiet",
            "--no-deps",
            *pip_args,
        ],
        check=True,
        capture_output=True,
    )
    return environment


def run(environment: Path, cwd: Path, *args: str) -> str:
    return subprocess.run(
        [str(environment / "bin" / args[0]), *args[1:]],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


TEMPLATES = "import importlib.resources as r; print(r.files('rtp_snippets.templates'))"


@pytest.mark.parametrize("editable", [False, True], ids=["wheel", "editable"])
def test_templates_are_found_after_install(tmp_path, editable):
    project = copy_project(tmp_path / "project")
    environment = install(tmp_path, *(["-e"] if editable else []), str(project))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    example = str(project / "examples" / "rtp-rules.yml")
    expected = (ROOT / "tests" / "expected" / "example.min.js").read_text()

    folder = Path(run(environment, elsewhere, "python", "-c", TEMPLATES).strip())
    if editable:
        assert folder == project / "rtp_snippets" / "templates"
    else:
        assert folder.is_relative_to(environment) and (folder / "bundle.js.j2").is_file()

        # Every template ships: the bundle's, its runtime's partials (templates/runtime/)
        # and verify's script (rtp_snippets/templates/verify.js).
        def files(root):
            return sorted(
                str(path.relative_to(root))
                for path in root.rglob("*")
                if path.is_file() and "__pycache__" not in path.parts
            )

        assert files(folder) == files(ROOT / "rtp_snippets" / "templates")
        # The integrations ship too (their generators are not installed here, so no import).
        site_packages = folder.parent.parent
        assert (site_packages / "pelican" / "plugins" / "rtp_snippets" / "__init__.py").is_file()
        assert (site_packages / "rtp_snippets" / "integrations" / "mkdocs.py").is_file()
        shutil.rmtree(project / "rtp_snippets")  # the wheel must not need the source tree
    assert run(environment, elsewhere, "rtp-snippets", "build", example) == expected
    assert run(environment, elsewhere, "python", "-m", "rtp_snippets", "build", example) == expected
