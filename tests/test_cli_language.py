"""A command line that speaks one language: the site given the same way everywhere, hints
that are commands that work, warnings that say what is wrong, colour only on a terminal,
and counts in good English."""

import json
import shutil
import time
from pathlib import Path

import pytest

from support.cli import run

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TAG = (
    "<script>(function(c,h,a,f,i){})(window,document,'rtp',"
    "'//rtp.example/rtp-api/v1/rtp.js','mktoname');</script>"
)
RULES = "rules:\n  - \"on click '#a' send 'x'\"\n"
TYPO_RULES = """rules:
  - "on click #download-whitepaper send 'download - example whitepaper'"
  - name: whitepaper-typo
    event: click
    selector: "#downlaod-whitepaper"
    send: download - typo
  - "on view send 'seen'"
"""


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A current folder with rtp-rules.yml and a one-page site."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    (tmp_path / "rtp-rules.yml").write_text(RULES)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text(
        f"<html><head>{TAG}</head><body><p id=a>x</p></body></html>"
    )
    return tmp_path


@pytest.fixture
def example_site(tmp_path, monkeypatch):
    """A copy of the bundled example site, and a rules file with a typo in a selector."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    shutil.copytree(EXAMPLES / "site", tmp_path / "site")
    (tmp_path / "typo.yml").write_text(TYPO_RULES)
    return tmp_path


# --- 1. the site folder: --site DIR in every command, the argument still where it was --
# (verify is run here without a browser: only how it reads its command line.)


@pytest.mark.parametrize("command", ["inject", "remove"])
def test_inject_and_remove_take_the_site_with_site_as_check_does(here, command):
    by_option = run(command, "--site", "site")
    assert by_option.exit_code == 0, by_option.output
    by_argument = run(command, "site")
    assert by_argument.exit_code == 0, by_argument.output
    # The second run finds what the first left: the same pages, none changed.
    assert (
        by_argument.stdout.splitlines()[-1] == "1 page: 0 changed, 1 unchanged, 0 skipped, 0 errors"
    )


@pytest.mark.parametrize(
    "typed, message",
    [
        (
            "inject site --site site",
            "give the site folder once: as the argument or with --site, not both",
        ),
        (
            "remove site --site site",
            "give the site folder once: as the argument or with --site, not both",
        ),
        (
            "inject",
            "give the site folder, as the argument or with --site: rtp-snippets inject SITE",
        ),
        (
            "remove",
            "give the site folder, as the argument or with --site: rtp-snippets remove SITE",
        ),
        (
            "verify site --site site",
            "give the site folder once: as the argument or with --site, not both",
        ),
        (
            "verify",
            "give the site folder, as the argument or with --site: rtp-snippets verify SITE",
        ),
    ],
)
def test_the_site_given_twice_or_not_at_all_is_misuse(here, typed, message):
    result = run(*typed.split())
    assert result.exit_code == 2
    assert result.stderr.endswith(f"\nError: {message}\n")


@pytest.mark.parametrize(
    "typed, message",
    [
        (
            "inject --site rtp-rules.yml",
            "inject takes the site folder with --site; give the rules with -r: "
            "rtp-snippets inject --site SITE -r rtp-rules.yml",
        ),
        (
            "inject --site rtp-rules.yml -r site",
            "inject takes the site folder with --site; give the rules with -r: "
            "rtp-snippets inject --site site -r rtp-rules.yml",
        ),
        (
            "verify --site rtp-rules.yml",
            "verify takes the site folder with --site; give the rules with -r: "
            "rtp-snippets verify --site SITE -r rtp-rules.yml",
        ),
        (
            "remove --site rtp-rules.yml",
            "rtp-rules.yml is a rules file; remove takes only the site folder: "
            "rtp-snippets remove --site SITE",
        ),
        # The site the user typed stays in the hint.
        (
            "inject site -r .",
            ". is a folder, not a rules file; give the rules file with -r: rtp-snippets inject site",
        ),
        (
            "check -r . --site site",
            ". is a folder, not a rules file; give the rules file with -r: "
            "rtp-snippets check --site site",
        ),
    ],
)
def test_the_site_option_has_hints_made_of_what_was_typed(here, typed, message):
    result = run(*typed.split())
    assert result.exit_code == 2, result.output
    assert result.stderr.endswith(f"\nError: {message}\n")


# --- 2. every hint is a command that works ---------------------------------------------


@pytest.mark.parametrize("command", ["inject", "remove"])
def test_a_rules_file_that_is_not_there_still_gets_a_command(here, command):
    """``remove ../rtp-rules.yml`` said "no such folder; give the output folder of your
    site build"; the name is a rules file's, so the hint is the command to type."""
    result = run(command, "../rtp-rules.yml")
    assert result.exit_code == 2
    hint = result.stderr.rstrip("\n").rsplit(": rtp-snippets ", 1)[1]
    assert hint.split()[:2] == [command, "SITE"]
    assert "../rtp-rules.yml: no such file or folder" in result.stderr
    assert run(*hint.replace("SITE", "site").split()).exit_code == 0


# --- 3. inject warns of rules whose selector matches nothing -------------------------


def test_inject_warns_of_a_selector_that_matches_no_element(example_site):
    result = run("inject", "site", "-r", "typo.yml")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1].startswith("5 pages: 5 changed")
    assert result.stderr == (
        "Warning: typo.yml:3:5: whitepaper-typo: selector '#downlaod-whitepaper' matches no "
        "element on any of the 5 pages it applies to, so the rule never sends\n"
    )
    assert "downlaod" not in run("inject", "site", "-r", EXAMPLES / "rtp-rules.yml").stderr


def test_inject_strict_fails_on_a_warning_but_still_writes_the_pages(example_site):
    result = run("inject", "--site", "site", "-r", "typo.yml", "--strict")
    assert result.exit_code == 1
    assert "#downlaod-whitepaper" in result.stderr
    assert "data-rtp-snippets" in (example_site / "site" / "index.html").read_text()
    clean = run("inject", "site", "-r", EXAMPLES / "rtp-rules.yml", "--strict")
    assert clean.exit_code == 0, clean.output


def test_inject_json_has_the_warnings(example_site):
    report = json.loads(run("inject", "site", "-r", "typo.yml", "--json").stdout)
    assert report["warnings"] == [
        {
            "file": "typo.yml",
            "line": 3,
            "column": 5,
            "rule": "whitepaper-typo",
            "selector": "#downlaod-whitepaper",
            "message": "selector '#downlaod-whitepaper' matches no element on any of the 5 "
            "pages it applies to, so the rule never sends",
        }
    ]


def test_the_selector_check_costs_little(example_site):
    """The pages are parsed in the same pass as the injection: inject with the check takes
    little more than check alone would add."""
    started = time.perf_counter()
    assert run("inject", "site", "-r", "typo.yml", "--jobs", "1").exit_code == 0
    assert time.perf_counter() - started < 10


# --- 4. colour on a terminal, and never with NO_COLOR -----------------------------------

RED, YELLOW = "\x1b[31m", "\x1b[33m"


def test_error_and_warning_are_coloured_on_a_terminal(example_site):
    error = run("inject", "nope", color=True)
    assert error.stderr.startswith(f"{RED}\x1b[1mError:\x1b[0m nope: ")
    misuse = run("inject", color=True)
    assert f"{RED}\x1b[1mError:\x1b[0m give the site folder" in misuse.stderr
    warning = run("inject", "site", "-r", "typo.yml", color=True)
    assert warning.stderr.startswith(f"{YELLOW}\x1b[1mWarning:\x1b[0m typo.yml:3:5: ")


@pytest.mark.parametrize("color", [True, False])
def test_no_colour_with_no_color_or_off_a_terminal(example_site, monkeypatch, color):
    if color:
        monkeypatch.setenv("NO_COLOR", "1")
    for args in (["inject", "nope"], ["inject"], ["inject", "site", "-r", "typo.yml"]):
        result = run(*args, color=color)
        assert "\x1b" not in result.stderr
        assert result.stderr.splitlines()[-1].startswith(("Error: ", "Warning: "))


def test_an_empty_no_color_is_not_set(example_site, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "")
    assert RED in run("inject", "nope", color=True).stderr


# --- 5. counts in good English ---------------------------------------------------------


def test_one_rule_one_warning_one_page(here):
    (here / "one.rules").write_text("on view send 'y'\n")
    assert run("check", "-r", "one.rules").stdout == "one.rules: 1 rule, 0 errors, 1 warning\n"
    assert run("check").stdout == "rtp-rules.yml: 1 rule, 0 errors, 0 warnings\n"
    assert run("inject", "site").stdout.splitlines()[-1] == (
        "1 page: 1 changed, 0 unchanged, 0 skipped, 0 errors"
    )


def test_one_error_is_one_error(here):
    (here / "gone.yml").write_text("rules:\n  - \"on click '#gone' send 'x'\"\n")
    result = run("check", "-r", "gone.yml", "--site", "site")
    assert result.stdout.splitlines()[-1] == "gone.yml: 1 rule, 1 error, 0 warnings"


def test_one_page_without_the_rtp_tag_is_one_page(here):
    (here / "site" / "index.html").write_text("<html><body><p id=a>x</p></body></html>")
    result = run("inject", "site")
    assert result.stdout.splitlines()[-1] == (
        "1 page: 1 changed, 0 unchanged, 0 skipped, 0 errors, 1 without an RTP tag"
    )
    assert result.stderr.startswith("Warning: 1 page has no RTP tag, so rtp() calls go nowhere")


# --- 6. what check --site says of the RTP tag is true ---------------------------------


def a_site(folder: Path, tagged: int, untagged: int) -> Path:
    site = folder / "tags"
    site.mkdir()
    for number in range(tagged):
        (site / f"t{number}.html").write_text(f"<html><head>{TAG}</head><body><p id=a></p>")
    for number in range(untagged):
        (site / f"u{number}.html").write_text("<html><head></head><body><p id=a></p>")
    return site


@pytest.mark.parametrize(
    "tagged, untagged, line",
    [
        (4, 0, "RTP tag: on all 4 pages, the first script in <head>"),
        (1, 0, "RTP tag: on the 1 page, the first script in <head>"),
        (0, 4, "RTP tag: missing on all 4 pages (e.g. /u0.html, /u1.html, /u2.html)"),
        (0, 1, "RTP tag: missing on the 1 page (e.g. /u0.html)"),
        (2, 2, "RTP tag: on 2 of 4 pages; missing on 2 (e.g. /u0.html, /u1.html)"),
        (3, 1, "RTP tag: on 3 of 4 pages; missing on 1 (e.g. /u0.html)"),
    ],
)
def test_check_says_where_the_rtp_tag_is_and_is_not(here, tagged, untagged, line):
    site = a_site(here, tagged, untagged)
    result = run("check", "--site", site)
    assert line in result.stdout.splitlines()
    assert "pages: " not in result.stdout.replace("pages: [", "")


def test_check_on_the_example_site_says_the_tag_is_on_every_page(monkeypatch):
    monkeypatch.chdir(EXAMPLES.parent)
    result = run("check", "-r", "examples/rtp-rules.yml", "--site", "examples/site")
    assert "RTP tag: on all 5 pages, the first script in <head>" in result.stdout.splitlines()
