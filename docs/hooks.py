"""MkDocs hooks of the documentation site (mkdocs.yml, ``hooks:``).

Pages hold markers that are replaced at build time by text made from the code,
so the references follow the code without editing a page:

- ``<!-- generated: cli-reference -->``: the ``--help`` of ``rtp-snippets`` and of
  every command, from the click commands (``rtp_snippets.cli.main``);
- ``<!-- generated: rules-reference -->``: the keys of a rules file, from the JSON
  Schema that ``rtp-snippets schema`` prints (``rtp_snippets.schema.rules_schema``);
- ``<!-- generated: changes -->``: ``CHANGES.md`` at the repository root.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
WIDTH = 100  # help text is wrapped at a fixed width, so the build is the same everywhere


def cli_reference() -> str:
    from rtp_snippets.cli import main

    sections = [_help(main, None, "rtp-snippets")]
    parent = click.Context(
        main, info_name="rtp-snippets", terminal_width=WIDTH, max_content_width=WIDTH
    )
    for name in main.list_commands(parent):
        sections.append(f"## rtp-snippets {name}\n\n" + _help(main.commands[name], parent, name))
    return "\n".join(sections)


def _help(command: click.Command, parent: click.Context | None, name: str) -> str:
    context = click.Context(
        command, info_name=name, parent=parent, terminal_width=WIDTH, max_content_width=WIDTH
    )
    return f"```text\n{command.get_help(context)}\n```\n"


def rules_reference() -> str:
    from rtp_snippets.schema import rules_schema

    schema = rules_schema()
    sections = [_object_table("The rules file", "the top level of `rtp-rules.yml`", schema)]
    for key, value in schema.get("properties", {}).items():
        for where, part in _objects(value):
            sections.append(_object_table(f"`{key}`" + where, None, part))
    return "\n".join(sections)


def _objects(schema: dict, where: str = ""):
    """The object schemas inside ``schema`` (list items and alternatives included)."""
    if not isinstance(schema, dict):
        return
    if "properties" in schema:
        yield where, schema
        return
    if "items" in schema:
        yield from _objects(schema["items"], where + ": an item")
    for alternative in schema.get("oneOf", []) + schema.get("anyOf", []):
        yield from _objects(alternative, where)


def _object_table(title: str, intro: str | None, schema: dict) -> str:
    required = set(schema.get("required", []))
    lines = [f"## {title}", ""]
    if intro:
        lines += [f"Keys of {intro}.", ""]
    if schema.get("description"):
        lines += [schema["description"], ""]
    lines += ["| key | value | description |", "|---|---|---|"]
    for key, value in schema["properties"].items():
        name = f"`{key}`" + (" (required)" if key in required else "")
        lines.append(f"| {name} | {_cell(_kind(value))} | {_cell(_description(value))} |")
    return "\n".join(lines) + "\n"


def _kind(schema: dict) -> str:
    if not isinstance(schema, dict):
        return ""
    if "enum" in schema:
        return ", ".join(f"`{json.dumps(value)}`" for value in schema["enum"])
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    alternatives = schema.get("oneOf") or schema.get("anyOf")
    if alternatives:
        return " or ".join(kind for kind in (_kind(part) for part in alternatives) if kind)
    kind = schema.get("type", "")
    if kind == "array":
        return f"a list of ({_kind(schema.get('items', {}))})"
    if kind == "object" and "properties" in schema:
        return "a mapping (below)"
    bounds = [
        f"{word} {schema[key]}"
        for key, word in (
            ("minimum", "at least"),
            ("exclusiveMinimum", "above"),
            ("maximum", "at most"),
        )
        if key in schema
    ]
    return " ".join([kind or "any"] + ([f"({', '.join(bounds)})"] if bounds else []))


def _description(schema: dict) -> str:
    if not isinstance(schema, dict):
        return ""
    text = schema.get("description", "")
    if not text:
        for alternative in schema.get("oneOf", []) + schema.get("anyOf", []):
            text = text or _description(alternative)
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def example_bundle() -> str:
    """The one-rule bundle and its sizes, built when the documentation is built."""
    import tempfile

    from rtp_snippets import build_bundle, load_rules

    rule = "on click #download-whitepaper send 'download - example whitepaper'"

    def bundle(navigation: str):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "rtp-rules.yml"
            path.write_text(f'rules:\n  - "{rule}"\nnavigation: {navigation}\n', "utf-8")
            return build_bundle(load_rules(path))

    queue, send = bundle("queue"), bundle("send")
    return (
        f"The rule `{rule}`, on line 2 of a rules file (the line is in the bundle, for "
        f"the debug log), becomes {queue.size:,} bytes ({queue.gzip_size:,} gzip); "
        f"{queue.gzip_size - send.gzip_size:,} B gzip of that keeps the call when the click "
        "leaves the page (see [Clicks and submits that leave the "
        "page](guides/leaving-the-page.md)). With `navigation: send` it becomes "
        f"{send.size:,} bytes ({send.gzip_size:,} gzip):\n\n```js\n{send.code}\n```\n\n"
        "These figures are measured when this page is built, from the version it documents."
    )


GENERATED = {
    "<!-- generated: example-bundle -->": example_bundle,
    "<!-- generated: cli-reference -->": cli_reference,
    "<!-- generated: rules-reference -->": rules_reference,
    "<!-- generated: changes -->": lambda: (ROOT / "CHANGES.md").read_text(encoding="utf-8"),
}


def on_page_markdown(markdown: str, page, config, files) -> str:
    for marker, render in GENERATED.items():
        if marker in markdown:
            markdown = markdown.replace(marker, render())
    return markdown
