"""The command line: each command parses its flags and makes one library call."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .errors import RtpSnippetsError
from .load import DEFAULT_RULES_FILE, load_rules
from .preview import preview_text
from .render import build_bundle
from .schema import rules_schema

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
def build(rules: Path, output: Path | None, pretty: bool) -> None:
    """Build the JavaScript bundle for RULES (default: ./rtp-rules.yml).

    \b
    Example:
      rtp-snippets build examples/rtp-rules.yml -o site/rtp-snippets.js
    """
    ruleset = _load(rules)
    try:
        bundle = build_bundle(ruleset, minify=not pretty)
    except RtpSnippetsError as error:
        raise RulesProblem(error) from None
    if output is None:
        click.echo(bundle.code)
    else:
        output.write_text(bundle.code + "\n", encoding="ascii")


@main.command()
@RULES_ARGUMENT
def preview(rules: Path) -> None:
    """Show the readable JavaScript, a table of the rules and the bundle's size.

    \b
    Example:
      rtp-snippets preview examples/rtp-rules.yml
    """
    ruleset = _load(rules)
    try:
        text = preview_text(ruleset, color=sys.stdout.isatty())
    except RtpSnippetsError as error:
        raise RulesProblem(error) from None
    click.echo(text, nl=False)


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
