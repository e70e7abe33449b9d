"""Stage 10, cli: the command line: each command parses its flags and makes one library call.

One grammar for every command: the rules file is ``-r/--rules FILE`` (by
default ``rtp-rules.yml``, ``rtp-rules.yaml`` or the only ``*.rules`` file in
the current folder; the older positional ``RULES`` still works where it did),
and the site folder is ``--site DIR`` (``inject``, ``remove`` and ``verify`` also
take it as their argument). Library modules are imported inside the commands that use them, so
``rtp-snippets --help`` and ``rtp-snippets check`` start without esbuild, the
minifier, the HTTP server or the highlighter.
"""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .coverage import DEFAULT_MAX_MATCHES
from .errors import RtpSnippetsError
from .inject import POSITIONS
from .terminal import counted, labelled, shown
from .walk import site_folder_problem

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

    from .lint import Finding
    from .model import RuleSet
    from .site import Report

RULES_SUFFIXES = (".yml", ".yaml", ".rules", ".py")
_LINES = "\n\t"
# Work on fewer pages than this ends too soon for a progress bar to help.
PROGRESS_PAGES = 200


class RulesProblem(click.ClickException):
    """Exit status 1 with one ``Error: FILE:LINE:COL: …`` block per problem."""

    def __init__(self, error: RtpSnippetsError):
        super().__init__(str(error))
        self.error = error

    def show(self, file=None) -> None:
        for message in self.error.messages():
            # A rules error escapes itself, keeping its source line and caret lines.
            click.echo(labelled("Error", shown(message, keep=_LINES)), err=True)


class _Labelled(click.ClickException):
    """A click error (misuse, a bad value) shown as click shows it, its ``Error:`` label
    coloured on a terminal (terminal.labelled); the same exit status."""

    def __init__(self, error: click.ClickException):
        super().__init__(error.message)
        self.error = error

    def show(self, file=None) -> None:
        import io

        text = io.StringIO()
        self.error.show(text)
        before, label, after = ("\n" + text.getvalue()).rpartition("\nError: ")
        if label:
            shown_text = before[1:] + ("\n" if before else "") + labelled("Error", after)
        else:
            shown_text = text.getvalue()
        click.echo(shown_text, file=file or sys.stderr, nl=False)


class _LabelledMisuse(_Labelled):
    """A misuse (exit status 2), its ``Error:`` coloured."""

    exit_code = click.UsageError.exit_code


@dataclass(frozen=True)
class _Misplaced:
    """A value given in the other one's place: a folder where a rules file goes (``is_site``)
    or a rules file where the site folder goes (``missing``: a rules file's name, but no
    such file). The command says what to type instead, with the values the user typed
    (see _Placed)."""

    path: Path
    is_site: bool
    missing: bool = False


class RulesFile(click.ParamType):
    """A rules file; a folder here is most likely the site (see _Placed)."""

    name = "file"

    def convert(self, value, param, ctx):
        path = Path(value)
        return _Misplaced(path, is_site=True) if path.is_dir() else path


class SiteFolder(click.ParamType):
    """The folder of a built site. A rules file here is most likely the rules (see _Placed);
    a missing folder is the same error (exit status 1) in every command."""

    name = "folder"

    def convert(self, value, param, ctx):
        path = Path(value)
        problem = site_folder_problem(path)
        if problem is None:
            return path
        if path.suffix.lower() in RULES_SUFFIXES:
            return _Misplaced(path, is_site=False, missing=not path.exists())
        raise click.ClickException(problem)


class _Placed(click.Command):
    """A command that refuses values given in each other's place (exit status 2) with the
    command to type instead, made of the values the user typed: a hint that works."""

    def invoke(self, ctx):
        values = [
            item
            for value in ctx.params.values()
            for item in (value if isinstance(value, tuple) else (value,))
        ]
        misplaced = [value for value in values if isinstance(value, _Misplaced)]
        if misplaced:
            raise click.UsageError(_placement_hint(ctx, values, misplaced[0]), ctx)
        return super().invoke(ctx)


def _placement_hint(ctx: click.Context, values: list, first: _Misplaced) -> str:
    """What went where, and the command with each value in its place."""
    command = ctx.command.name or "rtp-snippets"
    given = _given_site(ctx)
    sites = [value.path for value in values if isinstance(value, _Misplaced) and value.is_site]
    rules = [
        value.path
        for value in values
        if isinstance(value, _Misplaced) and not value.is_site and not value.missing
    ] + [
        value
        for name in ("rules_argument", "rules_option", "rules")
        for value in _paths(ctx.params.get(name))
    ]
    site = given or (sites[0] if sites else None)
    usage = _command_line(ctx, site, rules[0] if rules else None)
    by_option = _site_by_option(ctx)
    with_site = " with --site" if by_option else ""
    if first.is_site:
        if given is not None:
            return (
                f"{first.path} is a folder, not a rules file; give the rules file with -r: {usage}"
            )
        where = "build reads no site" if command == "build" else f"{command} takes it with --site"
        if command in SITE_ARGUMENT_COMMANDS and not by_option:
            where = f"{command} takes it as its argument"
        return f"{first.path} is a folder, not a rules file; {where}: {usage}"
    if first.missing:
        return (
            f"{first.path}: no such file or folder; {command} takes the site "
            f"folder{with_site}: {usage}"
        )
    if command == "remove":
        return f"{first.path} is a rules file; remove takes only the site folder: {usage}"
    return f"{command} takes the site folder{with_site}; give the rules with -r: {usage}"


# The commands that take the site folder as their argument as well as with --site.
SITE_ARGUMENT_COMMANDS = ("inject", "remove", "verify")


def _given_site(ctx: click.Context) -> Path | None:
    """The site folder the command was given in its place, if any."""
    for name in ("site", "site_argument", "site_option"):
        value = ctx.params.get(name)
        if isinstance(value, Path):
            return value
    return None


def _site_by_option(ctx: click.Context) -> bool:
    """Whether the command takes, or the user gave, the site as ``--site``."""
    if ctx.command.name not in SITE_ARGUMENT_COMMANDS:
        return ctx.command.name != "build"
    return ctx.params.get("site_option") is not None


def _command_line(ctx: click.Context, site: Path | None, rules: Path | None) -> str:
    """The command as it should be typed: ``site`` (else SITE) and ``rules`` (else the
    default rules file, or RULES when the folder has none) in their places."""
    command = ctx.command.name or "rtp-snippets"
    site_text = shlex.quote(str(site)) if site is not None else "SITE"
    rules_text = f"-r {shlex.quote(str(rules))}" if rules else _default_rules()
    if command in SITE_ARGUMENT_COMMANDS:
        site_text = f"--site {site_text}" if _site_by_option(ctx) else site_text
        usage = f"rtp-snippets {command} {site_text}"
        if command != "remove":
            usage += f" {rules_text}"
    elif command == "build":
        usage = f"rtp-snippets build {rules_text}"
    else:
        usage = f"rtp-snippets {command} {rules_text} --site {site_text}"
    return " ".join(usage.split())  # no double space where the default rules need no -r


def _paths(value) -> list[Path]:
    items = value if isinstance(value, tuple) else (value,)
    return [item for item in items if isinstance(item, Path)]


def _default_rules() -> str:
    """Nothing when the folder has the rules file a command reads by default, else -r."""
    from .load import find_rules_file

    try:
        find_rules_file()
        return ""
    except RtpSnippetsError:
        return "-r RULES"


RULES_TYPE = RulesFile()
SITE_TYPE = SiteFolder()
RULES_HELP = (
    "The rules file (default: rtp-rules.yml, rtp-rules.yaml or the only *.rules "
    "file in the current folder)."
)


def rules_options(multiple: bool = False):
    """``-r/--rules FILE`` and the older positional ``RULES``, for commands that read rules."""

    def decorate(function):
        function = click.option(
            "-r",
            "--rules",
            "rules_option",
            multiple=multiple,
            metavar="FILE",
            type=RULES_TYPE,
            help=RULES_HELP + (" Repeat it for several files." if multiple else ""),
        )(function)
        return click.argument(
            "rules_argument",
            metavar="[RULES]" + ("..." if multiple else ""),
            nargs=-1 if multiple else 1,
            required=False,
            type=RULES_TYPE,
        )(function)

    return decorate


def _rule_files(argument, option) -> list[Path]:
    """The rules files named by ``RULES`` or ``-r``, else the folder's default one."""
    positional = [argument] if isinstance(argument, Path) else list(argument or ())
    named = [option] if isinstance(option, Path) else list(option or ())
    if positional and named:
        raise click.UsageError("give the rules file with -r only, not also as an argument")
    if positional or named:
        return positional or named
    from .load import find_rules_file

    return [find_rules_file()]


def _load(path: Path) -> RuleSet:
    from .load import load_rules

    return load_rules(path)


def _write(output: Path, text: str, encoding: str) -> None:
    """Write ``-o FILE``, making its missing parent folders."""
    blocker = next((parent for parent in output.parents if parent.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise click.ClickException(f"{output}: cannot write: {blocker} is a file, not a folder")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding=encoding)
    except OSError as error:
        raise click.ClickException(f"{output}: cannot write: {error.strerror}") from None


class _Progress:
    """``progress(done, total)`` for the library: a bar on stderr for long work.

    Shown only when stderr is a terminal, not with ``--json``, and for at least
    PROGRESS_PAGES pages; each stage (``--prune`` checks, then injects) gets its own bar.
    """

    def __init__(self, label: str, as_json: bool = False):
        self.label = label
        self.enabled = not as_json and sys.stderr.isatty()
        self.bar: ProgressBar[int] | None = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < PROGRESS_PAGES:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, file=sys.stderr, label=self.label)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)
        if done >= total:
            self.bar.__exit__(None, None, None)
            self.bar = None


class _Commands(click.Group):
    """The commands; the one place where a library error becomes the CLI's exit status 1
    and its ``Error:`` blocks (no traceback)."""

    command_class = _Placed

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except RtpSnippetsError as error:
            raise RulesProblem(error) from None
        except RulesProblem:
            raise
        except click.ClickException as error:
            if error.exit_code == _Labelled.exit_code:
                raise _Labelled(error) from None
            if error.exit_code == _LabelledMisuse.exit_code:
                raise _LabelledMisuse(error) from None
            raise


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rtp-snippets", prog_name="rtp-snippets")
def main() -> None:
    """Compile Marketo RTP custom data event rules into a small JavaScript bundle.

    \b
    Example:
      rtp-snippets build -r rtp-rules.yml -o rtp-snippets.js
    """


@main.command()
@rules_options()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the bundle to FILE instead of standard output.",
)
@click.option("--pretty", is_flag=True, help="Readable JavaScript instead of minified.")
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    metavar="N",
    help="Fail when the bundle is over N bytes gzip.",
)
def build(
    rules_argument: Path | None,
    rules_option: Path | None,
    output: Path | None,
    pretty: bool,
    max_bytes: int | None,
) -> None:
    """Build the JavaScript bundle of the rules.

    \b
    Example:
      rtp-snippets build -r examples/rtp-rules.yml -o build/rtp-snippets.js
    """
    from .render import build_bundle

    ruleset = _load(_rule_files(rules_argument, rules_option)[0])
    bundle = build_bundle(ruleset, minify=not pretty, max_bytes=max_bytes)
    if output is None:
        click.echo(bundle.code)
    else:
        _write(output, bundle.code + "\n", "ascii")


@main.command()
@rules_options()
@click.option(
    "--site", type=SITE_TYPE, help="Serve this built site with the rules and a debug overlay."
)
@click.option(
    "--serve",
    is_flag=True,
    help="Serve a generated page with one element per rule (no site needed).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="With --site or --serve: the port to serve on, at 127.0.0.1 (0: any free port).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
@click.option(
    "--live",
    is_flag=True,
    help="Also send the calls to the page's real rtp (default: log them only).",
)
def preview(
    rules_argument: Path | None,
    rules_option: Path | None,
    site: Path | None,
    serve: bool,
    port: int,
    open_browser: bool,
    live: bool,
) -> None:
    """Show a table of the rules, the bundle's size and the readable JavaScript;
    with --site (or --serve), serve pages with the rules and an event log overlay.

    The table fits the terminal ($COLUMNS if set): long cells wrap within their
    column. Piped to another program or a file, lines are kept whole unless
    COLUMNS is set, as ls and git do.

    \b
    Examples:
      rtp-snippets preview -r examples/rtp-rules.yml
      rtp-snippets preview -r rtp-rules.yml --site _site --open
    """
    rules = _rule_files(rules_argument, rules_option)[0]
    if not site and not serve:
        if live or open_browser:
            raise click.UsageError("--live and --open need --site or --serve")
        from .preview import preview_text

        ruleset = _load(rules)
        text = preview_text(ruleset, color=sys.stdout.isatty())
        click.echo(text, nl=False)
        return
    from .serve import make_server, url_of

    server = make_server(rules, site, port, live, report=lambda text: click.echo(text, err=True))
    url = url_of(server)
    mode = (
        "live: calls are sent to the page's rtp" if live else "dry run: calls are logged, not sent"
    )
    click.echo(
        shown(f"Serving {site or 'a page of the rules'} at {url} ({mode}). Ctrl-C stops."),
        err=True,
    )
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        server.server_close()


@main.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the schema to FILE instead of standard output.",
)
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the rules file, for editors.

    \b
    Example (then point yaml-language-server at it):
      rtp-snippets schema -o rtp-rules.schema.json
    """
    from .schema import rules_schema

    text = json.dumps(rules_schema(), indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        _write(output, text, "utf-8")


def _flag(option: str) -> str:
    """The flag of a site run's option (``options.SiteOptions``): ``--base-url``."""
    return "--" + option.replace("_", "-")


def _finish(
    report: Report, as_json: bool, strict: bool = False, unmatched: list[Finding] | None = None
) -> None:
    """Print what a site run did (``unmatched``: inject's warnings of rules whose selector
    matched nothing) and exit 1 if it failed."""
    from .coverage import unmatched_json, unmatched_line

    if as_json:
        extra = {} if unmatched is None else {"warnings": [unmatched_json(f) for f in unmatched]}
        click.echo(json.dumps({**report.as_json(), **extra}, indent=2))
    else:
        # Page and file names are the site's own text: shown, never raw (terminal.shown).
        if report.check:
            for page in report.changed:
                click.echo(shown(f"would change: {page.path}"))
        for name in report.deleted:
            click.echo(shown(f"{'would delete' if report.check else 'deleted'}: /{name}"))
        for page in report.errors:
            click.echo(labelled("Error", shown(f"{page.path}: {page.reason}")), err=True)
        for page in report.file_warnings:
            click.echo(labelled("Warning", shown(f"{page.path}: {page.file_warning}")), err=True)
        if report.warnings:
            count = len(report.warnings)
            examples = ", ".join(page.path for page in report.warnings[:5])
            more = " …" if count > 5 else ""
            click.echo(
                labelled(
                    "Warning",
                    shown(
                        f"{counted(count, 'page')} {'has' if count == 1 else 'have'} no RTP "
                        "tag, so rtp() calls go nowhere; add the tag, or an rtp: section to "
                        f"the rules file to inject it: {examples}{more}"
                    ),
                ),
                err=True,
            )
        if report.navigation_note():
            click.echo(shown(report.navigation_note()))
        click.echo(report.summary())
        # After the summary, where a linter puts its findings: each names its rule.
        for finding in unmatched or []:
            click.echo(labelled("Warning", unmatched_line(finding)), err=True)
    if report.failed(strict) or (strict and unmatched):
        sys.exit(1)


def site_options(function):
    """The site folder as the argument ``SITE`` or as ``--site DIR``, as other commands
    take it (one of the two; see _site)."""
    function = click.option(
        "--site",
        "site_option",
        type=SITE_TYPE,
        metavar="DIR",
        help="The built site's folder, as other commands take it (or give it as SITE).",
    )(function)
    return click.argument("site_argument", metavar="[SITE]", required=False, type=SITE_TYPE)(
        function
    )


def _site(argument: Path | None, option: Path | None) -> Path:
    """The site folder given as the argument or with --site: exactly one of them."""
    if argument is not None and option is not None:
        raise click.UsageError(
            "give the site folder once: as the argument or with --site, not both"
        )
    site = argument or option
    if site is None:
        ctx = click.get_current_context()
        rules = ctx.params.get("rules")
        usage = _command_line(ctx, None, rules if isinstance(rules, Path) else None)
        raise click.UsageError(f"give the site folder, as the argument or with --site: {usage}")
    return site


JOBS_OPTION = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes (default: the number of CPUs).",
)
# inject and verify choose pages alike.
INCLUDE_OPTION = click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help="Only pages matching GLOB, a page glob as in a rule's pages: a site path where * "
    "matches within a folder and ** across folders, e.g. '/blog/**'. Repeatable.",
)
EXCLUDE_OPTION = click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Leave out pages matching GLOB (a page glob, as --include), e.g. '/drafts/**'.",
)
CHECK_OPTION = click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 if any page would change (for CI)."
)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="A per-page report as JSON.")


@main.command()
@site_options
@click.option("-r", "--rules", metavar="FILE", type=RULES_TYPE, help=RULES_HELP)
@click.option(
    "--position",
    type=click.Choice(POSITIONS),
    default="body",
    show_default=True,
    help="Put the script at the end of <body> or of <head>.",
)
@click.option(
    "--external",
    is_flag=True,
    help="Write the bundle as rtp-snippets.<hash>.js and load it with SRI.",
)
@click.option(
    "--base-url",
    help="With --external: the URL of the site root: https://cdn.example/site/, "
    "//cdn.example/site/ or /docs/.",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Give each page only the rules whose selector matches something on it.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    metavar="N",
    help="Fail, writing nothing, when a bundle is over N bytes gzip.",
)
@INCLUDE_OPTION
@EXCLUDE_OPTION
@CHECK_OPTION
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 on warnings too (a selector that matches nothing, a page without an RTP "
    "tag); the pages are written all the same.",
)
@JOBS_OPTION
@JSON_OPTION
def inject(
    site_argument: Path | None,
    site_option: Path | None,
    rules: Path | None,
    position: str,
    external: bool,
    base_url: str | None,
    prune: bool,
    max_bytes: int | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    check: bool,
    strict: bool,
    jobs: int | None,
    as_json: bool,
) -> None:
    """Put the bundle into every HTML page of a built SITE folder (or --site DIR), and warn
    of rules whose selector matches no element on any of its pages.

    \b
    Example:
      rtp-snippets inject _site -r rtp-rules.yml
    """
    from .coverage import unmatched_selectors
    from .errors import InvalidOption
    from .options import SiteOptions
    from .site import inject_site

    site = _site(site_argument, site_option)

    try:
        options = SiteOptions(
            position=position,
            external=external,
            base_url=base_url,
            prune=prune,
            include=include,
            exclude=exclude,
            max_bytes=max_bytes,
            check=check,
            jobs=jobs,
        )
    except InvalidOption as error:
        raise click.UsageError(error.spelled(_flag)) from None
    ruleset = _load(_rule_files(None, rules)[0])
    # The pages' facts are read in the same pass as the injection, for the warnings.
    report = inject_site(site, ruleset, options, progress=_Progress("pages", as_json), facts=True)
    if not as_json and not external and report.bundles:
        click.echo(f"Content-Security-Policy: script-src {' '.join(report.csp_sources)}")
    _finish(report, as_json, strict, unmatched_selectors(ruleset, report.facts))


@main.command()
@site_options
@CHECK_OPTION
@JOBS_OPTION
@JSON_OPTION
def remove(
    site_argument: Path | None,
    site_option: Path | None,
    check: bool,
    jobs: int | None,
    as_json: bool,
) -> None:
    """Take the rtp-snippets blocks out of every page of SITE (or --site DIR), restoring
    the original bytes, and delete the bundle files that inject --external wrote.

    \b
    Example:
      rtp-snippets remove _site
    """
    from .site import remove_site

    site = _site(site_argument, site_option)

    report = remove_site(site, check=check, jobs=jobs, progress=_Progress("pages", as_json))
    _finish(report, as_json)


@main.command()
@rules_options(multiple=True)
@click.option(
    "--site", type=SITE_TYPE, help="Also measure the rules against the built pages in this folder."
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option(
    "--max-matches",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_MATCHES,
    show_default=True,
    help="Warn when a selector matches more elements on one page.",
)
@click.option(
    "--catalog",
    "catalog_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fail when this catalogue file is not what `catalog` would write now.",
)
@JOBS_OPTION
@JSON_OPTION
def check(
    rules_argument: tuple[Path, ...],
    rules_option: tuple[Path, ...],
    site: Path | None,
    strict: bool,
    max_matches: int,
    catalog_file: Path | None,
    jobs: int | None,
    as_json: bool,
) -> None:
    """Validate and lint the rules; with --site, check them against a built site.

    \b
    Example:
      rtp-snippets check -r rtp-rules.yml --site _site
    """
    from .checking import check as check_rules

    failed = False
    for path in _rule_files(rules_argument, rules_option):
        result = check_rules(
            path,
            site,
            max_matches=max_matches,
            catalog_file=catalog_file,
            jobs=jobs,
            progress=_Progress("pages", as_json),
        )
        if as_json:
            click.echo(json.dumps(result.as_json(), indent=2))
        else:
            for line in result.site_lines():
                click.echo(line)
            for finding in result.findings:
                click.echo(str(finding), err=True)
            click.echo(result.summary())
        failed = failed or result.failed(strict)
    if failed:
        sys.exit(1)


@main.command()
@rules_options()
@click.option(
    "--site",
    type=SITE_TYPE,
    help="Add how many pages of this built site each value can be sent from.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the catalogue to FILE instead of standard output.",
)
@JOBS_OPTION
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="A JSON array instead of Markdown: one object per value, with value, rule, line, "
    "event, selector, pages and once; with --site also 'site pages' and 'sent on the site'.",
)
def catalog(
    rules_argument: Path | None,
    rules_option: Path | None,
    site: Path | None,
    output: Path | None,
    jobs: int | None,
    as_json: bool,
) -> None:
    """List every event value the rules can send (Markdown, or JSON with --json).

    \b
    Example (commit the file; `check --catalog` fails when it is stale):
      rtp-snippets catalog -r rtp-rules.yml --site _site -o rtp-events.md
    """
    from .catalog import catalog

    rows = catalog(
        _rule_files(rules_argument, rules_option)[0],
        site,
        jobs=jobs,
        progress=_Progress("pages", as_json),
    )
    text = rows.as_json() if as_json else rows.markdown()
    if output is None:
        click.echo(text, nl=False)
    else:
        _write(output, text, "utf-8")


@main.command()
@site_options
@click.option("-r", "--rules", metavar="FILE", type=RULES_TYPE, help=RULES_HELP)
@INCLUDE_OPTION
@EXCLUDE_OPTION
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Pages verified at once, each in a tab of its own (default: the CPUs, at most 4).",
)
@click.option(
    "--consent",
    type=click.Choice(("all", "none", "refused", "granted")),
    default="all",
    show_default=True,
    help="With a consent: section, the states to check: no choice yet, refused, granted.",
)
@click.option(
    "--elements",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Elements of each rule tried on a page (the first ones).",
)
@click.option("--all-elements", is_flag=True, help="Try every element of each rule.")
@click.option(
    "--json",
    "json_output",
    metavar="FILE",
    help="Write the results as JSON to FILE (- for standard output).",
)
@click.option(
    "--junit",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write JUnit XML to FILE: one test case per rule, page and consent state.",
)
@click.option(
    "--baseline",
    metavar="FILE",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A --json of an earlier run: report rules whose matched elements changed.",
)
@click.option("--browser", metavar="PATH", help="The Chromium or Chrome to drive.")
def verify(
    site_argument: Path | None,
    site_option: Path | None,
    rules: Path | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    jobs: int | None,
    consent: str,
    elements: int,
    all_elements: bool,
    json_output: str | None,
    junit: Path | None,
    baseline: Path | None,
    browser: str | None,
) -> None:
    """Prove the rules on the built, injected SITE (or --site DIR) in a real browser: for
    every page and every rule that can fire there, act as a visitor and compare the rtp
    calls with those the rule and the live page give. Needs the verify extra (Playwright).

    \b
    Example:
      rtp-snippets verify _site -r rtp-rules.yml --junit verify.xml
    """
    from .verify import verify_site

    site = _site(site_argument, site_option)
    path = _rule_files(None, rules)[0]
    previous = None
    if baseline is not None:
        try:
            previous = json.loads(baseline.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise click.ClickException(
                f"{baseline}: not a JSON report of verify: {error}"
            ) from None
    report = verify_site(
        site,
        _load(path),
        include=include,
        exclude=exclude,
        jobs=jobs,
        consent=consent,
        browser=browser,
        elements=None if all_elements else elements,
        baseline=previous,
        progress=_Progress("pages", json_output == "-"),
    )
    if json_output == "-":
        click.echo(json.dumps(report.as_json(), indent=2))
    else:
        for line in report.failure_lines():
            click.echo(shown(line))
        for change in report.changes:
            click.echo(shown(f"changed since the baseline: {change}"))
        click.echo(report.summary())
    if json_output not in (None, "-"):
        _write(Path(json_output), json.dumps(report.as_json(), indent=2) + "\n", "utf-8")
    if junit is not None:
        _write(junit, report.junit(), "utf-8")
    if report.failures:
        sys.exit(1)
