"""What the MkDocs plugin logs in a real ``mkdocs build``: one INFO line per build (the
pages injected, the bundle's size gzip, the rules without elements), soft problems as
warnings without the word "error:", and a rules error as the build's one error, in plain
words at its place."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mkdocs"
# The level MkDocs prints, then what the plugin logged.
LOG_LINE = re.compile(r"^(INFO|WARNING|ERROR) +- +(.*)$")


def mkdocs_build(tmp_path: Path, rules: str | None = None, config: str | None = None, *flags):
    """Build a copy of the MkDocs example (with these rules and mkdocs.yml); returns the
    result and the log as (level, message) pairs."""
    source = tmp_path / "project"
    if not source.exists():
        shutil.copytree(EXAMPLE, source)
    if rules is not None:
        (source / "rtp-rules.yml").write_text(rules)
    if config is not None:
        (source / "mkdocs.yml").write_text(config)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *flags, "-d", str(tmp_path / "site")],
        cwd=source,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"},
    )
    log = [found.groups() for line in result.stderr.splitlines() if (found := LOG_LINE.match(line))]
    return result, log


def ours(log, level):
    return [message for found, message in log if found == level and "rtp-snippets" in message]


def assert_no_warning_says_error(result):
    for line in (result.stdout + result.stderr).splitlines():
        assert not ("WARNING" in line and "error:" in line), line


def test_a_build_logs_one_line_with_pages_and_bundle_sizes(tmp_path):
    result, log = mkdocs_build(tmp_path, None, None, "--strict")
    assert result.returncode == 0, result.stderr
    [line] = ours(log, "INFO")
    # Three pages (404 included); the pricing page gets its own bundle.
    assert re.fullmatch(r"rtp-snippets: 3 pages injected, 2 bundles of \d+-\d+ bytes gzip", line)
    assert ours(log, "WARNING") == []
    assert_no_warning_says_error(result)


@pytest.mark.slow
def test_a_selector_that_matches_nothing_is_a_warning_and_named_in_the_line(tmp_path):
    rules = "rules:\n  - \"on click #nothing-here send 'x'\"\n"
    result, log = mkdocs_build(tmp_path, rules)
    assert result.returncode == 0, result.stderr
    [line] = ours(log, "INFO")
    assert re.fullmatch(
        r"rtp-snippets: 3 pages injected, bundle \d+ bytes gzip; 1 rule without elements "
        r"\(line 2\)",
        line,
    )
    assert ours(log, "WARNING") == [
        f"rtp-snippets: {tmp_path / 'project' / 'rtp-rules.yml'}:2:6: selector "
        "'#nothing-here' matches nothing on any page"
    ]
    assert_no_warning_says_error(result)
    # --strict makes the warning fail the build.
    strict, _ = mkdocs_build(tmp_path, None, None, "--strict")
    assert strict.returncode != 0


def test_a_rules_file_with_broken_yaml_ends_the_build_in_plain_words(tmp_path):
    rules = "rules:\n  - \"on view send 'a'\"\n  - \"on click #a send 'x'\n"
    result, log = mkdocs_build(tmp_path, rules)
    assert result.returncode != 0
    path = tmp_path / "project" / "rtp-rules.yml"
    assert (
        f'ERROR   -  Error: {path}:3:5: this quoted string is never closed; close it with "\n'
        "    - \"on click #a send 'x'\n"
        "      ^\n"
    ) in result.stderr
    assert "Traceback" not in result.stderr
    assert ours(log, "INFO") == []


@pytest.mark.slow
@pytest.mark.parametrize("instant", [False, True])
def test_material_builds_log_one_line_too(tmp_path, instant):
    features = "\n  features: [navigation.instant]" if instant else ""
    config = (
        f"site_name: example\ntheme:\n  name: material{features}\n"
        "plugins:\n  - rtp-snippets:\n      rules: rtp-rules.yml\n"
    )
    result, log = mkdocs_build(tmp_path, None, config, "--strict")
    assert result.returncode == 0, result.stderr
    [line] = ours(log, "INFO")
    assert line.startswith("rtp-snippets: 3 pages injected, ")
    # With instant navigation every page gets the one bundle, and the line says why.
    assert ("; Client-side navigation (Material for MkDocs' navigation.instant" in line) is instant
    assert_no_warning_says_error(result)
