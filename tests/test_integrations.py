"""Each integration builds its example with the real generator, then a browser clicks.

The examples are built once per test run, by the README's own commands
(the ``readme_run`` fixture); a second build here must give the same pages.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BLOCK = 'data-rtp-snippets="bundle"'
BAD_RULES = "rules:\n  - on click #download-whitepaper send 'x'\n"


def build_command(name: str, source: Path, output: Path) -> list[str]:
    return {
        "mkdocs": [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(source / "mkdocs.yml"),
            "-d",
            str(output),
        ],
        "pelican": [
            sys.executable,
            "-m",
            "pelican",
            str(source / "content"),
            "-o",
            str(output),
            "-s",
            str(source / "pelicanconf.py"),
            "--fatal",
            "warnings",
        ],
        "sphinx": [
            sys.executable,
            "-m",
            "sphinx",
            "-q",
            "-W",
            "-b",
            "html",
            str(source),
            str(output),
        ],
        "jinja": [sys.executable, str(source / "build.py"), str(output)],
    }[name]


# The page with the button, and the pages the 'viewed pricing' rule goes to.
PAGES = {
    "mkdocs": ("index.html", {"pricing/index.html"}),
    "pelican": ("the-whitepaper.html", {"pages/pricing.html"}),
    "sphinx": ("index.html", {"pricing.html"}),
    "jinja": ("index.html", {"pricing/index.html"}),
}
GENERATORS = sorted(PAGES)


def build(name: str, tmp_path: Path, rules: str | None = None, output_name: str = "out"):
    source = tmp_path / name
    if not source.exists():
        shutil.copytree(EXAMPLES / name, source)
    if rules is not None:
        (source / "rtp-rules.yml").write_text(rules)
    output = tmp_path / output_name
    # SOURCE_DATE_EPOCH: generators that stamp the build date (MkDocs) use this one.
    # COLUMNS: Pelican logs through rich, which wraps lines at the terminal width.
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "COLUMNS": "1000"}
    result = subprocess.run(
        build_command(name, source, output),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
    )
    return result, output


def html_pages(output: Path) -> dict[str, str]:
    return {
        path.relative_to(output).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(output.rglob("*.html"))
    }


# Where the README's build command of each example writes (run by the readme_run fixture).
README_OUTPUTS = {
    "mkdocs": "mkdocs/site",
    "pelican": "pelican/output",
    "sphinx": "sphinx/_build",
    "jinja": "jinja/_site",
}


@pytest.fixture
def built(readme_run):
    """The example site of a generator as the README's command built it (once per run)."""
    folder, _ = readme_run

    def output(name: str) -> Path:
        site = folder / "examples" / README_OUTPUTS[name]
        assert site.is_dir(), f"the README's build of {name} wrote nothing (see test_readme.py)"
        return site

    return output


@pytest.mark.slow
@pytest.mark.parametrize("name", GENERATORS)
def test_every_page_gets_one_block_with_its_rules_and_a_rebuild_is_identical(name, tmp_path, built):
    pages = html_pages(built(name))
    button_page, pricing_pages = PAGES[name]
    assert button_page in pages and pricing_pages <= set(pages)
    for path, text in pages.items():
        assert text.count(BLOCK) == 1, path
        assert "download - example whitepaper" in text, path
        assert ("viewed pricing" in text) == (path in pricing_pages), path
    again, second = build(name, tmp_path, output_name="again")
    assert again.returncode == 0
    assert html_pages(second) == pages


# The CLI's message for BAD_RULES from the file name on: every generator shows the same block.
BAD_RULES_ERROR = """\
rtp-rules.yml:2:14: this rule is cut short here: in YAML ' #' starts a comment. Quote the whole rule: - "on click #download-whitepaper send 'x'"
    - on click #download-whitepaper send 'x'
               ^"""
# What a generator writes before the block: MkDocs logs the PluginError as an error.
ERROR_PREFIX = {"mkdocs": "ERROR   -  ", "pelican": "", "sphinx": ""}


def assert_reported_like_the_cli(name: str, result: subprocess.CompletedProcess) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    block = (
        "^" + re.escape(ERROR_PREFIX[name] + "Error: ") + ".*?" + re.escape(BAD_RULES_ERROR) + "$"
    )
    assert re.search(block, output, re.MULTILINE), output
    # Sphinx's bug-report text says "To report this error" and "Please also report this".
    for phrase in ("traceback", "report this"):
        assert phrase not in output.lower(), output


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mkdocs", "pelican", "sphinx"])
def test_strict_builds_fail_on_a_selector_that_matches_nothing(name, tmp_path):
    rules = "rules:\n  - \"on click '#no-such-button' send 'x'\"\n"
    result, _ = build(name, tmp_path, rules=rules)
    assert result.returncode != 0
    assert re.search(
        r"rtp-rules\.yml:2:6: selector '#no-such-button' matches nothing on "
        "any page",
        result.stdout + result.stderr,
    )


def test_jinja_rebuilds_when_the_rules_change_and_errors_name_the_template_line(tmp_path):
    import jinja2

    from rtp_snippets.integrations.jinja import RtpSnippetsExtension

    rules = tmp_path / "rtp-rules.yml"
    rules.write_text("rules:\n  - \"on click #a send 'first'\"\n")
    (tmp_path / "page.html").write_text("<body>\n\n{{ rtp_snippet() }}</body>")
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(tmp_path), extensions=[RtpSnippetsExtension]
    )
    environment.rtp_snippets_rules = str(rules)
    assert '"first"' in environment.get_template("page.html").render()
    rules.write_text("rules:\n  - \"on click #a send 'second value'\"\n")
    assert '"second value"' in environment.get_template("page.html").render()
    rules.write_text(BAD_RULES)
    with pytest.raises(jinja2.TemplateRuntimeError) as caught:
        environment.get_template("page.html").render()
    assert str(caught.value).startswith(
        f"{tmp_path / 'page.html'}:3: rtp_snippet(): {rules}:2:14: this rule is cut short here"
    )


def test_mkdocs_serve_watches_the_rules_file(tmp_path):
    from rtp_snippets.integrations.mkdocs import RtpSnippetsPlugin

    class Server:
        watched = []

        def watch(self, path):
            self.watched.append(path)

    class Config(dict):
        config_file_path = str(tmp_path / "mkdocs.yml")

    plugin = RtpSnippetsPlugin()
    plugin.load_config({"rules": "rules.yml"})
    server = Server()
    assert plugin.on_serve(server, Config(), None) is server
    assert server.watched == [str(tmp_path / "rules.yml")]


@pytest.mark.browser
@pytest.mark.parametrize("name", GENERATORS)
def test_a_built_page_sends_the_click(name, built, browser):
    output = built(name)
    context = browser.new_context()
    context.set_default_timeout(5000)

    def serve(route):
        url = route.request.url
        if not url.startswith("http://site.test/"):
            route.abort()
            return
        path = output / unquote(url[len("http://site.test/") :].split("?")[0])
        if path.is_file():
            route.fulfill(
                body=path.read_bytes(),
                headers={"content-type": "text/html" if path.suffix == ".html" else "text/plain"},
            )
        else:
            route.fulfill(status=404, body="")

    context.route("**/*", serve)
    page = context.new_page()
    page.goto("http://site.test/" + PAGES[name][0])
    page.click("#download-whitepaper")
    calls = page.evaluate("Array.from(window.rtp.q, function (args) { return Array.from(args); })")
    assert calls == [["send", "event", {"value": "download - example whitepaper"}]]
    context.close()


# Each generator's plain command line, run in a copy of its example, with its strict flag
# and the flags that ask for more detail (verbose, debug, "show tracebacks"): the report
# is the CLI's whatever they say. Jinja's rule errors are the calling script's exception
# (test_jinja_rebuilds_… above).
PLAIN_COMMANDS = {
    "mkdocs": ["mkdocs", "build", "-d", "out"],
    "pelican": ["pelican", "content", "-o", "out", "-s", "pelicanconf.py"],
    "sphinx": ["sphinx", "-b", "html", ".", "out"],
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "flags"),
    [
        ("mkdocs", ["--strict", "--verbose"]),
        ("pelican", ["--fatal", "warnings", "--debug", "--log-handler", "plain"]),
        ("sphinx", ["-W", "-v", "-T"]),
    ],
)
def test_a_rules_error_fails_the_build_like_the_cli(name, flags, tmp_path):
    source = tmp_path / name
    shutil.copytree(EXAMPLES / name, source)
    (source / "rtp-rules.yml").write_text(BAD_RULES)
    result = subprocess.run(
        [sys.executable, "-m", *PLAIN_COMMANDS[name], *flags],
        cwd=source,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "1000"},
    )
    assert_reported_like_the_cli(name, result)


def test_a_mkdocs_rebuild_in_one_process_reads_only_the_pages_that_changed(tmp_path, monkeypatch):
    """`mkdocs serve` rebuilds in one process: the plugin's page memo (see site.PageMemo)
    lets the second build put the blocks into the pages it wrote as before without
    scanning them (only pages whose bytes changed are read), and the pages come out as a
    first build of the same sources gives them."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    import rtp_snippets.site as site_module

    project = tmp_path / "project"
    shutil.copytree(EXAMPLES / "mkdocs", project, ignore=shutil.ignore_patterns("site"))
    scanned: list[bytes] = []
    real_place = site_module.place_blocks
    monkeypatch.setattr(
        site_module,
        "place_blocks",
        lambda data, *args: scanned.append(data) or real_place(data, *args),
    )

    def built(site: Path) -> dict[str, bytes]:
        scanned.clear()
        build(load_config(str(project / "mkdocs.yml"), site_dir=str(site)))
        return {
            path.relative_to(site).as_posix(): path.read_bytes()
            for path in sorted(site.rglob("*.html"))
        }

    built(tmp_path / "site")
    pricing = project / "docs" / "pricing.md"
    pricing.write_text(pricing.read_text() + "\nEdited.\n")
    rebuilt = built(tmp_path / "site")
    # Read again: the edited page, and the home page, whose comment "Build Date UTC" (the
    # mkdocs theme's) changes at every build; not 404.html.
    titles = sorted(re.search(rb"<title>(.*?)</title>", data).group(1) for data in scanned)
    assert titles == [b"Pricing - rtp-snippets MkDocs example", b"rtp-snippets MkDocs example"]
    assert any(b"Edited." in data for data in scanned)
    assert len(rebuilt) == 3 and all(BLOCK.encode() in data for data in rebuilt.values())
    # A process that never built: every page is read, and comes out the same (but for the
    # home page's build date).
    monkeypatch.setattr("rtp_snippets.integrations.common._MEMO", site_module.PageMemo())
    fresh = built(tmp_path / "fresh")
    assert len(scanned) == len(rebuilt)
    date = re.compile(rb"Build Date UTC : [^\n]*")
    assert {name: date.sub(b"", data) for name, data in fresh.items()} == {
        name: date.sub(b"", data) for name, data in rebuilt.items()
    }


@pytest.mark.slow
@pytest.mark.parametrize("builder", ["epub", "json", "pickle", "htmlhelp", "qthelp", "devhelp"])
def test_sphinx_builders_that_make_no_web_pages_get_no_bundle_and_no_warning(builder, tmp_path):
    """Sphinx's other HTML-format builders (an e-book, serialized pages for another
    program, offline help viewers) make no pages of the web site: the extension leaves
    them alone and says why, so `sphinx-build -W -b epub` (Read the Docs builds one)
    passes with the extension on."""
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES / "sphinx", project)
    output = tmp_path / "out"
    # EPUB3 wants a version and a copyright, and no doctrees among its files.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "-b",
            builder,
            "-d",
            str(tmp_path / "doctrees"),
            "-D",
            "version=1",
            "-D",
            "copyright=Example",
            str(project),
            str(output),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "rtp-snippets: the " + builder + " builder makes no web pages" in result.stdout
    written = [path for path in output.rglob("*") if path.is_file()]
    assert written and not [path for path in written if b"data-rtp-snippets" in path.read_bytes()]
