"""A CLI that speaks one language, as `preview` and its neighbours say it: the rules table
fits the terminal, the overlay names rules as the rules file does and says why a rule is
off on the page shown, help says what options take, and shell completion works."""

import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from rtp_snippets import load_rules
from rtp_snippets.preview import MIN_WIDTH, output_width, preview_text
from rtp_snippets.terminal import display_width
from support.cli import command, ctrl_c_stops, run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "rtp-rules.yml"


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


# --- The preview overlay names rules as the rules file does -------------------------

PAGE = (
    "<!doctype html><html><head><script>window.rtp = function () {};</script></head><body>"
    "<a id=pdf href='/files/report.pdf?v=2'>Report</a>"
    "<a id=out href='https://example.org/'>Elsewhere</a></body></html>"
)
OVERLAY_RULES = """rules:
  - "on click link '*.pdf' send 'pdf - {attr:href}'"
  - event: click
    link: outbound
    send: outbound
  - "on scroll 75% send 'read' pages /blog/** name blog-depth"
  - "on view send 'viewed' exclude /docs/**, /index.html"
  - "on timer 30s send 'stayed' pages /blog/**, /news/*"
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def overlay_page(tmp_path, browser):
    """Chromium on a page of a site served by a real `preview --site` process, dry run:
    overlay_page('/index.html')."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(PAGE)
    (site / "blog").mkdir()
    (site / "blog" / "post.html").write_text(PAGE)
    (tmp_path / "rtp-rules.yml").write_text(OVERLAY_RULES)
    port = free_port()
    process = subprocess.Popen(
        command("preview", "-r", "rtp-rules.yml", "--site", site, "--port", port),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=ctrl_c_stops,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    context = browser.new_context(viewport={"width": 900, "height": 600})
    context.set_default_timeout(5000)
    page = context.new_page()

    def open_page(path: str):
        page.goto(f"http://127.0.0.1:{port}{path}")
        return page

    yield open_page
    context.close()
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=10)


def calls(page) -> list[list]:
    return page.evaluate("window.rtpSnippetsPreview.calls.map(c => [c.rule, c.args[2].value])")


@pytest.mark.browser
def test_the_overlay_names_link_rules_by_their_glob(overlay_page):
    page = overlay_page("/index.html")
    page.evaluate("document.addEventListener('click', e => e.preventDefault())")
    page.click("#pdf")
    page.click("#out")
    assert calls(page) == [
        ["click link '*.pdf'", "pdf - /files/report.pdf?v=2"],
        ["click link outbound", "outbound"],
    ]
    items = page.locator("#rtp-snippets-calls li").all_inner_texts()
    assert [item.split("  ", 1)[1].split("\n")[0] for item in items] == [
        "click link '*.pdf' (line 2)",
        "click link outbound (line 3)",
    ]
    summary = page.inner_text("#rtp-snippets-summary").splitlines()
    assert summary[0] == "Active here: click link '*.pdf', click link outbound"


@pytest.mark.browser
def test_the_overlay_says_which_rules_the_page_s_address_keeps_off(overlay_page):
    page = overlay_page("/index.html")
    assert page.inner_text("#rtp-snippets-summary").splitlines()[2:] == [
        "Off on this page: blog-depth (pages /blog/**)",
        "Off on this page: view (exclude /index.html)",
        "Off on this page: timer 30s (pages /blog/**, /news/*)",
    ]
    page = overlay_page("/blog/post.html")
    summary = page.inner_text("#rtp-snippets-summary")
    assert "Off on this page" not in summary
    assert "blog-depth" in summary.splitlines()[0] and "timer 30s" in summary.splitlines()[0]


# --- --max-bytes names the pages ----------------------------------------------------


def test_max_bytes_names_the_pages_of_each_bundle_over_it(tmp_path):
    site = tmp_path / "site"
    (site / "blog").mkdir(parents=True)
    page = "<!doctype html><html><head></head><body><p>text</p></body></html>"
    names = ["index.html", "about.html", "blog/a.html", "blog/b.html", *(
        f"blog/{number}.html" for number in range(3)
    )]  # fmt: skip
    for name in names:
        (site / name).write_text(page)
    rules = tmp_path / "rtp-rules.yml"
    rules.write_text(
        "rules:\n  - \"on view send 'viewed'\"\n  - \"on scroll 50% send 'read' pages /blog/**\"\n"
    )
    result = run("inject", site, "-r", rules, "--max-bytes", "10")
    assert result.exit_code == 1
    blog, home = re.fullmatch(
        r"Error: 2 of 2 bundles are over --max-bytes 10 \(gzip\): "
        r"largest \d+ B \((.*)\), \d+ B \((.*)\)\n",
        result.stderr,
    ).groups()
    assert blog == "/blog/0.html, /blog/1.html, /blog/2.html and 2 more pages"
    assert home == "/about.html, /index.html"
    assert all(page == (site / name).read_text() for name in names)  # nothing written


# --- Help says what the options take -------------------------------------------------


def help_of(command: str, option: str) -> str:
    """The help text of ``option`` in ``rtp-snippets COMMAND --help``, on one line."""
    lines = iter(run(command, "--help").stdout.splitlines())
    for line in lines:
        if line.lstrip().startswith(option + " "):
            found = [line.lstrip()[len(option) :]]
            break
    for line in lines:
        if not line.startswith("    "):  # the next option
            break
        found.append(line)
    return " ".join(" ".join(found).split())


def test_catalog_help_names_the_fields_that_catalog_json_prints(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><body><a id=a>x</a></body></html>")
    rules = tmp_path / "rtp-rules.yml"
    rules.write_text("rules:\n  - \"on click #a send 'a {text}'\"\n")
    described = help_of("catalog", "--json")
    assert described.startswith("A JSON array instead of Markdown: one object per value")
    plain = json.loads(run("catalog", "-r", rules, "--json").stdout)
    with_site = json.loads(run("catalog", "-r", rules, "--site", site, "-j", "1", "--json").stdout)
    assert isinstance(plain, list) and len(plain) == len(with_site) == 1
    named, extra = described.split("; with --site also ")
    for key in plain[0]:
        assert key in named
    for key in set(with_site[0]) - set(plain[0]):
        assert f"'{key}'" in extra


def test_preview_port_has_help():
    assert "the port to serve on" in help_of("preview", "--port INTEGER RANGE")


@pytest.mark.parametrize("command", ["inject", "verify"])
def test_include_and_exclude_say_which_globs_they_take(command):
    include, exclude = help_of(command, "--include GLOB"), help_of(command, "--exclude GLOB")
    assert "a page glob as in a rule's pages" in include and "e.g. '/blog/**'" in include
    assert "a page glob" in exclude and "e.g. '/drafts/**'" in exclude


def test_the_include_and_exclude_examples_choose_those_pages(tmp_path):
    site = tmp_path / "site"
    for name in ["index.html", "blog/a.html", "blog/drafts/b.html", "drafts/c.html"]:
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("<html><head></head><body></body></html>")
    rules = tmp_path / "rtp-rules.yml"
    rules.write_text("rules:\n  - \"on view send 'viewed'\"\n")
    options = ["--include", "/blog/**", "--exclude", "/drafts/**", "--exclude", "/blog/drafts/**"]
    report = json.loads(run("inject", site, "-r", rules, *options, "-j", "1", "--json").stdout)
    assert sorted(page["path"] for page in report["pages"]) == ["/blog/a.html"]


# --- Shell completion -----------------------------------------------------------------


def completion(shell: str, **environment: str) -> subprocess.CompletedProcess:
    """``rtp-snippets`` asked for completions as the shell's script asks (click 8)."""
    return subprocess.run(
        command(),
        env={**os.environ, "_RTP_SNIPPETS_COMPLETE": f"{shell}_complete", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_getting_started_says_how_to_load_completion(shell):
    page = (ROOT / "docs" / "getting-started.md").read_text()
    section = page.partition("\n## Shell completion\n")[2].partition("\n## ")[0]
    assert f"_RTP_SNIPPETS_COMPLETE={shell}_source rtp-snippets" in section
    assert f"```{shell}\n" in section


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_script_is_printed(shell):
    script = subprocess.run(
        command(),
        env={**os.environ, "_RTP_SNIPPETS_COMPLETE": f"{shell}_source"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert script.returncode == 0 and script.stderr == ""
    assert "_rtp_snippets_completion" in script.stdout
    assert f"_RTP_SNIPPETS_COMPLETE={shell}_complete" in script.stdout


@pytest.mark.parametrize(
    "shell, environment, offered",
    [
        ("bash", {"COMP_WORDS": "rtp-snippets in", "COMP_CWORD": "1"}, "plain,inject"),
        ("zsh", {"COMP_WORDS": "rtp-snippets in", "COMP_CWORD": "1"}, "plain\ninject\n"),
        ("fish", {"COMP_WORDS": "rtp-snippets in", "COMP_CWORD": "in"}, "plain,inject\t"),
    ],
)
def test_completing_in_offers_inject(shell, environment, offered):
    result = completion(shell, **environment)
    assert result.returncode == 0
    assert result.stdout.startswith(offered)


def test_bash_completes_in_to_inject_with_the_printed_script(tmp_path):
    # The script as bash loads it, and its function as bash calls it on Tab.
    (tmp_path / "rtp-snippets").write_text(f'#!/bin/sh\nexec {" ".join(command())} "$@"\n')
    (tmp_path / "rtp-snippets").chmod(0o755)
    script = (
        'eval "$(_RTP_SNIPPETS_COMPLETE=bash_source rtp-snippets)"\n'
        "COMP_WORDS=(rtp-snippets in); COMP_CWORD=1\n"
        "_rtp_snippets_completion rtp-snippets\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(
        ["bash", "--norc", "-c", script],
        env={**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "inject\n", "")


# --- The example rules file speaks to users, in the current command form -------------

TEAM_WORDS = re.compile(r"\b(seed|issues?|goals?|targets?|site-[a-z])\b", re.I)


def example_comments() -> list[tuple[Path, str]]:
    """Every comment line of the example rules files and scripts, with its file."""
    found = []
    for path in sorted((ROOT / "examples").rglob("*")):
        if path.suffix not in (".yml", ".py", ".cfg", ".toml") or "_build" in path.parts:
            continue
        for line in path.read_text().splitlines():
            comment = line.strip()
            if comment.startswith("#"):
                found.append((path, comment.lstrip("# ")))
            elif comment.startswith("Run: "):  # a docstring's usage line
                found.append((path, comment))
    return found


def test_example_comments_use_no_word_only_the_team_knows():
    assert [
        (path.name, comment) for path, comment in example_comments() if TEAM_WORDS.search(comment)
    ] == []


def test_the_commands_in_the_example_comments_run_as_written(tmp_path, monkeypatch):
    commands = [
        comment.split(": ", 1)[1]
        for _, comment in example_comments()
        if re.search(r": rtp-snippets (build|preview|check|catalog) ", comment)
    ]
    assert commands == ["rtp-snippets build -r examples/rtp-rules.yml"]
    monkeypatch.chdir(ROOT)
    for line in commands:
        arguments = line.split()[1:]
        # The current form: the rules file is given with -r, never as an argument.
        assert arguments[arguments.index("examples/rtp-rules.yml") - 1] == "-r"
        result = run(*arguments)
        assert result.exit_code == 0, result.output
