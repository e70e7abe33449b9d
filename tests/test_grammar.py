"""One command-line grammar: how every command takes its rules, its site and its output."""

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from support.cli import command, ctrl_c_stops, run

RULES = "rules:\n  - \"on click '#a' send 'x'\"\n"
PAGE = "<html><body><p id=a>a</p></body></html>"
RULES_READERS = ["build", "preview", "check", "catalog"]


@pytest.fixture
def here(tmp_path, monkeypatch):
    """An empty current folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "files, chosen",
    [
        (["rtp-rules.yml"], "rtp-rules.yml"),
        (["rtp-rules.yaml"], "rtp-rules.yaml"),
        (["site.rules"], "site.rules"),
        (["rtp-rules.yml", "rtp-rules.yaml", "site.rules"], "rtp-rules.yml"),
        (["rtp-rules.yaml", "site.rules"], "rtp-rules.yaml"),
    ],
)
def test_the_default_rules_file(here, files, chosen):
    for name in files:
        text = "on click '#a' send 'x'\n" if name.endswith(".rules") else RULES
        (here / name).write_text(text)
    result = run("check")
    assert result.exit_code == 0
    assert result.stdout == f"{chosen}: 1 rule, 0 errors, 0 warnings\n"


@pytest.mark.parametrize(
    "files, message",
    [
        (
            [],
            "no rules file here: looked for rtp-rules.yml, rtp-rules.yaml and *.rules; create one "
            "or give its path with -r FILE",
        ),
        (
            ["a.rules", "b.rules"],
            "several rules files here (a.rules, b.rules); choose one with -r FILE",
        ),
    ],
)
@pytest.mark.parametrize("command", RULES_READERS + ["inject site"])
def test_no_default_rules_file_is_one_error(here, files, message, command):
    (here / "site").mkdir()
    for name in files:
        (here / name).write_text("on click '#a' send 'x'\n")
    result = run(*command.split())
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")


@pytest.mark.parametrize("command", RULES_READERS)
def test_rules_by_option_or_by_argument_are_the_same(here, command):
    (here / "mine.yml").write_text(RULES)
    by_option, by_argument = run(command, "-r", "mine.yml"), run(command, "mine.yml")
    assert by_option.exit_code == 0
    assert (by_option.stdout, by_option.stderr) == (by_argument.stdout, by_argument.stderr)
    both = run(command, "mine.yml", "-r", "mine.yml")
    assert both.exit_code == 2
    assert "Error: give the rules file with -r only, not also as an argument" in both.stderr


def test_check_takes_several_rules_files(here):
    (here / "one.yml").write_text(RULES)
    (here / "two.rules").write_text("on view send 'y'\n")
    assert run("check", "-r", "one.yml", "-r", "two.rules").stdout == (
        "one.yml: 1 rule, 0 errors, 0 warnings\ntwo.rules: 1 rule, 0 errors, 1 warning\n"
    )


@pytest.mark.parametrize(
    "command, message",
    [
        (
            "inject rtp-rules.yml",
            "inject takes the site folder; give the rules with -r: "
            "rtp-snippets inject SITE -r rtp-rules.yml",
        ),
        (
            "remove rtp-rules.yml",
            "rtp-rules.yml is a rules file; remove takes only the site "
            "folder: rtp-snippets remove SITE",
        ),
        (
            "check --site rtp-rules.yml",
            "check takes the site folder with --site; give the rules with "
            "-r: rtp-snippets check -r rtp-rules.yml --site SITE",
        ),
        (
            "catalog --site rtp-rules.yml",
            "catalog takes the site folder with --site; give the rules "
            "with -r: rtp-snippets catalog -r rtp-rules.yml --site SITE",
        ),
        (
            "preview --site rtp-rules.yml",
            "preview takes the site folder with --site; give the rules "
            "with -r: rtp-snippets preview -r rtp-rules.yml --site SITE",
        ),
        (
            "check site",
            "site is a folder, not a rules file; check takes it with --site: "
            "rtp-snippets check --site site",
        ),
        (
            "build site",
            "site is a folder, not a rules file; build reads no site: rtp-snippets build",
        ),
        (
            "check --site rtp-rules.yml -r site",
            "check takes the site folder with --site; give the "
            "rules with -r: rtp-snippets check -r rtp-rules.yml "
            "--site site",
        ),
    ],
)
def test_a_file_for_a_folder_or_a_folder_for_a_file_says_what_to_type(here, command, message):
    (here / "rtp-rules.yml").write_text(RULES)
    (here / "site").mkdir()
    result = run(*command.split())
    assert result.exit_code == 2
    assert result.stderr.endswith(f"\nError: {message}\n")


@pytest.mark.parametrize(
    "command",
    [
        "inject nope",
        "remove nope",
        "check --site nope",
        "catalog --site nope",
        "preview --site nope",
    ],
)
def test_a_missing_site_folder_is_the_same_error_everywhere(here, command):
    (here / "rtp-rules.yml").write_text(RULES)
    result = run(*command.split())
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "Error: nope: no such folder; give the output folder of your site build\n",
    )


@pytest.mark.parametrize("command", ["build", "catalog", "schema"])
def test_output_makes_missing_folders(here, command):
    (here / "rtp-rules.yml").write_text(RULES)
    result = run(command, "-o", "new/folder/out.txt")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert (here / "new" / "folder" / "out.txt").read_text() != ""


@pytest.mark.parametrize("command", ["build", "catalog", "schema"])
def test_output_that_cannot_be_written_is_one_error_line(here, command):
    (here / "rtp-rules.yml").write_text(RULES)
    (here / "file").write_text("")
    result = run(command, "-o", "file/out.txt")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: file/out.txt: cannot write: file is a file, not a folder\n"


# --- progress: a bar on a terminal for long work, nothing otherwise ----------------


def a_site(folder: Path, pages: int) -> Path:
    site = folder / "site"
    for number in range(pages):
        (site / f"p{number // 100}").mkdir(parents=True, exist_ok=True)
        (site / f"p{number // 100}" / f"{number}.html").write_text(PAGE)
    (folder / "rtp-rules.yml").write_text(RULES)
    return site


def on_a_terminal(folder: Path, *args: str) -> tuple[int, str]:
    """Run the command with stderr on a pseudo-terminal; its exit status and that output."""
    controller, terminal = pty.openpty()
    with subprocess.Popen(
        command(*args),
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
        env={**os.environ, "COLUMNS": "100"},
    ) as process:
        os.close(terminal)
        output = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal is closed once the process is gone
                break
            if not chunk:
                break
            output += chunk
        status = process.wait()
    os.close(controller)
    return status, output.decode()


@pytest.mark.parametrize(
    "command",
    [
        "check -r rtp-rules.yml --site site --jobs 1",
        "catalog -r rtp-rules.yml --site site --jobs 1",
        "inject site --prune --jobs 1",
        "remove site --jobs 1",
    ],
)
def test_long_work_shows_a_progress_bar_on_a_terminal_only(tmp_path, command):
    a_site(tmp_path, 250)
    status, output = on_a_terminal(tmp_path, *command.split())
    assert status == 0
    assert "pages  [" in output and "100%" in output
    if "prune" in command:  # one bar while it checks the selectors, one while it injects
        assert output.count("100%") >= 2
    # Not when stderr is not a terminal (CliRunner's is a buffer).
    os.chdir(tmp_path)
    assert "[" not in run(*command.split()).stderr


@pytest.mark.parametrize("pages, option", [(250, "--json"), (20, "")])
def test_no_progress_bar_with_json_or_for_a_few_pages(tmp_path, pages, option):
    a_site(tmp_path, pages)
    status, output = on_a_terminal(tmp_path, *f"inject site --prune --jobs 1 {option}".split())
    assert status == 0 and "100%" not in output and "[#" not in output


# --- start-up: import only what the command needs ----------------------------------

HEAVY = ("pygments", "http.server", "esbuild_py", "minify", "jinja2", "bs4", "soupsieve", "yaml")


@pytest.mark.parametrize(
    "args, allowed",
    [
        (["--help"], set()),
        (["build", "--help"], set()),
        # check reads rules: YAML, and soupsieve to validate selectors (soupsieve imports bs4).
        (["check", "-r", "examples/rtp-rules.yml"], {"yaml", "soupsieve", "bs4"}),
    ],
)
def test_commands_import_only_what_they_use(args, allowed):
    code = (
        "import sys\nfrom rtp_snippets.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit as exit:\n    assert not exit.code\n"
        f"print(sorted(name for name in {HEAVY!r} if name in sys.modules))"
    )
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert set(eval(result.stdout.splitlines()[-1])) == allowed


# Every hint the CLI prints is a command that works: run with SITE and RULES, where the
# hint still has them, standing for the folder and the file of this test.
HINTED = [
    "inject rtp-rules.yml",
    "inject rtp-rules.yml -r site",
    "inject site -r site",
    "remove rtp-rules.yml",
    "inject --site rtp-rules.yml",
    "inject --site rtp-rules.yml -r site",
    "inject --site site -r site",
    "inject -r site",
    "inject",
    "inject nope.yml",
    "remove --site rtp-rules.yml",
    "remove",
    "remove ../rtp-rules.yml",
    "check -r . --site site",
    "check --site rtp-rules.yml -r site",
    "check site",
    "catalog --site rtp-rules.yml -r site",
    "catalog site",
    "build site",
    "preview --site rtp-rules.yml -r site",
    "preview site",
]


@pytest.mark.parametrize("typed", HINTED)
def test_every_hint_is_a_command_that_works(here, typed):
    import shlex
    import subprocess

    (here / "rtp-rules.yml").write_text(RULES)
    (here / "site").mkdir()
    (here / "site" / "index.html").write_text("<html><body><p id=a>x</p></body></html>")
    result = run(*typed.split())
    assert result.exit_code == 2, result.output
    hint = result.stderr.rstrip("\n").rsplit(": rtp-snippets ", 1)[1]
    words = [
        {"SITE": "site", "RULES": "rtp-rules.yml"}.get(word, word) for word in shlex.split(hint)
    ]
    if words[0] != "preview":
        hinted = run(*words)
        assert hinted.exit_code == 0, (hint, hinted.output)
        return
    # preview serves until Ctrl-C: it must start serving.
    server = subprocess.Popen(
        command(*words, "--port", "0"),
        cwd=here,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ctrl_c_stops,
    )
    try:
        assert "Serving" in server.stderr.readline() + server.stderr.readline(), hint
    finally:
        server.kill()
        server.communicate()
