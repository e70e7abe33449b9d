"""The command line: each command parses its flags and makes one library call."""

from __future__ import annotations

import json
import sys
import webbrowser
from pathlib import Path

import click

from .check import (DEFAULT_MAX_MATCHES, catalog_markdown, catalog_rows, check_report,
                    check_site, lint_rules, stale_catalog)
from .errors import RtpSnippetsError
from .inject import POSITIONS
from .load import DEFAULT_RULES_FILE, load_rules
from .paths import glob_problem
from .preview import preview_text
from .render import build_bundle
from .schema import rules_schema
from .serve import make_server, url_of
from .site import Report, check_budget, inject_site, remove_site

RULES_ARGUMENT = click.argument(
    "rules",
    default=DEFAULT_RULES_FILE,
    type=click.Path(dir_okay=False, path_type=Path),
)


class RulesProblem(click.ClickException):
    """Exit status 1 with one ``Error: FILE:LINE:COL: …`` block per problem."""

    def __init__(self, error: RtpSnippetsError):
        super().__init__(str(error))
        self.error = error

    def show(self, file=None) -> None:
        for message in self.error.messages():
            click.echo(f"Error: {message}", err=True)


def _load(path: Path):
    try:
        return load_rules(path)
    except RtpSnippetsError as error:
        raise RulesProblem(error) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rtp-snippets", prog_name="rtp-snippets")
def main() -> None:
    """Compile Marketo RTP custom data event rules into a small JavaScript bundle.

    \b
    Example:
      rtp-snippets build rtp-rules.yml -o rtp-snippets.js
    """


@main.command()
@RULES_ARGUMENT
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the bundle to FILE instead of standard output.")
@click.option("--pretty", is_flag=True, help="Readable JavaScript instead of minified.")
@click.option("--max-bytes", type=click.IntRange(min=1), metavar="N",
              help="Fail when the bundle is over N bytes gzip.")
def build(rules: Path, output: Path | None, pretty: bool, max_bytes: int | None) -> None:
    """Build the JavaScript bundle for RULES (default: ./rtp-rules.yml).

    \b
    Example:
      rtp-snippets build examples/rtp-rules.yml -o site/rtp-snippets.js
    """
    ruleset = _load(rules)
    try:
        bundle = build_bundle(ruleset, minify=not pretty)
        if max_bytes is not None:  # the budget is for the minified bundle
            check_budget([build_bundle(ruleset) if pretty else bundle], max_bytes)
    except RtpSnippetsError as error:
        raise RulesProblem(error) from None
    if output is None:
        click.echo(bundle.code)
    else:
        output.write_text(bundle.code + "\n", encoding="ascii")


@main.command()
@RULES_ARGUMENT
@click.option("--site", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Serve this built site with the rules and a debug overlay.")
@click.option("--serve", is_flag=True,
              help="Serve a generated page with one element per rule (no site needed).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
@click.option("--live", is_flag=True,
              help="Also send the calls to the page's real rtp (default: log them only).")
def preview(rules: Path, site: Path | None, serve: bool, port: int, open_browser: bool,
            live: bool) -> None:
    """Show the readable JavaScript, a table of the rules and the bundle's size;
    with --site (or --serve), serve pages with the rules and an event log overlay.

    \b
    Examples:
      rtp-snippets preview examples/rtp-rules.yml
      rtp-snippets preview rtp-rules.yml --site _site --open
    """
    if not site and not serve:
        if live or open_browser:
            raise click.UsageError("--live and --open need --site or --serve")
        ruleset = _load(rules)
        try:
            text = preview_text(ruleset, color=sys.stdout.isatty())
        except RtpSnippetsError as error:
            raise RulesProblem(error) from None
        click.echo(text, nl=False)
        return
    try:
        server = make_server(rules, site, port, live, report=lambda text: click.echo(text, err=True))
    except RtpSnippetsError as error:
        raise RulesProblem(error) from None
    url = url_of(server)
    mode = "live: calls are sent to the page's rtp" if live else "dry run: calls are logged, not sent"
    click.echo(f"Serving {site or 'a page of the rules'} at {url} ({mode}). Ctrl-C stops.", err=True)
    if open_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        server.server_close()


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the schema to FILE instead of standard output.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the rules file, for editors.

    \b
    Example (then point yaml-language-server at it):
      rtp-snippets schema -o rtp-rules.schema.json
    """
    text = json.dumps(rules_schema(), indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def _globs(option: str, globs: tuple[str, ...]) -> tuple[str, ...]:
    for glob in globs:
        problem = glob_problem(glob)
        if problem:
            raise click.UsageError(f"{option} {glob!r}: {problem[1]}")
    return globs


class _Progress:
    """A progress bar on stderr, only when stderr is a terminal."""

    def __init__(self):
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, file=sys.stderr, label="pages")
            self.bar.__enter__()
        self.bar.update(1)
        if done == total:
            self.bar.__exit__(None, None, None)


def _finish(report: Report, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2))
    else:
        if report.check:
            for page in report.changed:
                click.echo(f"would change: {page.path}")
        for page in report.errors:
            click.echo(f"Error: {page.path}: {page.reason}", err=True)
        if report.warnings:
            examples = ", ".join(page.path for page in report.warnings[:5])
            more = " …" if len(report.warnings) > 5 else ""
            click.echo(f"Warning: {len(report.warnings)} pages have no RTP tag, so rtp() calls "
                       "go nowhere; add the tag, or an rtp: section to the rules file to inject "
                       f"it: {examples}{more}", err=True)
        click.echo(report.summary())
    if report.errors or (report.check and report.changed):
        sys.exit(1)


SITE_ARGUMENT = click.argument("site", type=click.Path(file_okay=False, path_type=Path))
JOBS_OPTION = click.option("-j", "--jobs", type=click.IntRange(min=1),
                           help="Worker processes (default: the number of CPUs).")
CHECK_OPTION = click.option("--check", is_flag=True,
                            help="Write nothing; exit 1 if any page would change (for CI).")
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="A per-page report as JSON.")


@main.command()
@SITE_ARGUMENT
@click.option("-r", "--rules", default=DEFAULT_RULES_FILE, show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The rules file.")
@click.option("--position", type=click.Choice(POSITIONS), default="body", show_default=True,
              help="Put the script at the end of <body> or of <head>.")
@click.option("--external", is_flag=True,
              help="Write the bundle as rtp-snippets.<hash>.js and load it with SRI.")
@click.option("--base-url", help="With --external: the URL of the site root, e.g. /docs/.")
@click.option("--prune", is_flag=True,
              help="Give each page only the rules whose selector matches something on it.")
@click.option("--max-bytes", type=click.IntRange(min=1), metavar="N",
              help="Fail, writing nothing, when a bundle is over N bytes gzip.")
@click.option("--include", multiple=True, metavar="GLOB", help="Only pages matching GLOB.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Leave out pages matching GLOB.")
@CHECK_OPTION
@JOBS_OPTION
@JSON_OPTION
def inject(site: Path, rules: Path, position: str, external: bool, base_url: str | None,
           prune: bool, max_bytes: int | None, include: tuple[str, ...],
           exclude: tuple[str, ...], check: bool, jobs: int | None, as_json: bool) -> None:
    """Put the bundle into every HTML page of a built SITE folder.

    \b
    Example:
      rtp-snippets inject _site -r rtp-rules.yml
    """
    if base_url and not external:
        raise click.UsageError("--base-url only applies with --external")
    include, exclude = _globs("--include", include), _globs("--exclude", exclude)
    ruleset = _load(rules)
    try:
        report = inject_site(site, ruleset, position=position, external=external,
                             base_url=base_url, include=include, exclude=exclude, check=check,
                             prune=prune, max_bytes=max_bytes, jobs=jobs, progress=_Progress())
    except RtpSnippetsError as error:
        raise RulesProblem(error) from None
    if not as_json and not external and report.bundles:
        click.echo(f"Content-Security-Policy: script-src {' '.join(report.csp_sources)}")
    _finish(report, as_json)


@main.command()
@SITE_ARGUMENT
@CHECK_OPTION
@JOBS_OPTION
@JSON_OPTION
def remove(site: Path, check: bool, jobs: int | None, as_json: bool) -> None:
    """Take the rtp-snippets blocks out of every page of SITE, restoring the original bytes.

    \b
    Example:
      rtp-snippets remove _site
    """
    try:
        report = remove_site(site, check=check, jobs=jobs, progress=_Progress())
    except RtpSnippetsError as error:
        raise RulesProblem(error) from None
    _finish(report, as_json)


@main.command()
@click.argument("rules", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--site", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Also measure the rules against the built pages in this folder.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--max-matches", type=click.IntRange(min=1), default=DEFAULT_MAX_MATCHES,
              show_default=True, help="Warn when a selector matches more elements on one page.")
@click.option("--catalog", "catalog_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Fail when this catalogue file is not what `catalog` would write now.")
@JOBS_OPTION
@JSON_OPTION
def check(rules: tuple[Path, ...], site: Path | None, strict: bool, max_matches: int,
          catalog_file: Path | None, jobs: int | None, as_json: bool) -> None:
    """Validate and lint RULES (default: ./rtp-rules.yml); with --site, check coverage.

    \b
    Example:
      rtp-snippets check rtp-rules.yml --site _site
    """
    failed = False
    for path in rules or (Path(DEFAULT_RULES_FILE),):
        ruleset = _load(path)
        result = check_site(site, ruleset, max_matches=max_matches, jobs=jobs) if site else None
        findings = result.findings if result else lint_rules(ruleset)
        if catalog_file is not None:
            findings = findings + stale_catalog(catalog_file, ruleset, result, path, site)
        if as_json:
            click.echo(json.dumps(check_report(path, result, findings), indent=2))
        else:
            if result:
                click.echo(result.table())
                click.echo(result.rtp_summary())
            for finding in findings:
                click.echo(str(finding), err=True)
            errors = sum(finding.level == "error" for finding in findings)
            click.echo(f"{path}: {len(ruleset)} rules, {errors} errors, "
                       f"{len(findings) - errors} warnings")
        failed = failed or any(finding.level == "error" or strict for finding in findings)
    if failed:
        sys.exit(1)


@main.command()
@RULES_ARGUMENT
@click.option("--site", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Add how many pages of this built site each value can be sent from.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the catalogue to FILE instead of standard output.")
@JOBS_OPTION
@JSON_OPTION
def catalog(rules: Path, site: Path | None, output: Path | None, jobs: int | None,
            as_json: bool) -> None:
    """List every event value the rules can send (Markdown, or JSON with --json).

    \b
    Example (commit the file; `check --catalog` fails when it is stale):
      rtp-snippets catalog rtp-rules.yml --site _site -o rtp-events.md
    """
    ruleset = _load(rules)
    result = check_site(site, ruleset, jobs=jobs) if site else None
    rows = catalog_rows(ruleset, result)
    text = json.dumps(rows, indent=2) + "\n" if as_json else catalog_markdown(rows)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
