"""Sphinx extension ``rtp_snippets.integrations.sphinx``: inject the rules after an HTML build.

    extensions = ["rtp_snippets.integrations.sphinx"]
    rtp_snippets_rules = "rtp-rules.yml"      # relative to conf.py
    rtp_snippets_position = "body"            # or "head"
    rtp_snippets_external = False
    rtp_snippets_base_url = None              # with external: "https://cdn.example/site/"
    rtp_snippets_prune = False
    rtp_snippets_include = []                 # page globs: only these pages
    rtp_snippets_exclude = []                 # page globs: not these pages
    rtp_snippets_max_bytes = None             # fail when a bundle is over this many bytes gzip

The MkDocs plugin's settings, with the same defaults, prefixed ``rtp_snippets_``
(``options.SiteOptions`` says what each does). Rule and option errors end the build as
the CLI does (``Error: file:line:col`` with the line and a caret, exit status 1);
coverage problems are Sphinx warnings, so ``-W`` fails on them. Only builders that make
the web site's pages get the rules: not the e-book, serialized or offline help builders
(NOT_WEB), which the build log says.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.util import logging

from .common import (
    SETTING_NAMES,
    build_options,
    errors_end_the_build,
    generator_settings,
    inject_built_site,
    load_rules_or_exit,
)

logger = logging.getLogger(__name__)

# Sphinx's builders of format "html" whose output is no web site: an e-book (no scripts
# run; its pages are .xhtml), pages serialized for another program to render, and the
# offline help viewers of Windows, Qt, GNOME and macOS.
NOT_WEB = frozenset({"epub", "json", "pickle", "htmlhelp", "qthelp", "devhelp", "applehelp"})
_NAME = SETTING_NAMES["sphinx"]  # a setting's name in conf.py


def _load(app, config) -> None:
    values = {name: config[_NAME(name)] for name in generator_settings()}
    with errors_end_the_build("sphinx", f"{Path(app.confdir) / 'conf.py'}: "):
        app.rtp_snippets_options = build_options(values)
    app.rtp_snippets_ruleset = load_rules_or_exit(Path(app.confdir) / values["rules"])


def _inject(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    if app.builder.name in NOT_WEB:
        logger.info(
            f"rtp-snippets: the {app.builder.name} builder makes no web pages; nothing injected"
        )
        return
    with errors_end_the_build("sphinx"):
        inject_built_site(
            app.outdir,
            app.rtp_snippets_ruleset,
            logger.warning,
            inform=logger.info,
            options=app.rtp_snippets_options,
        )


def setup(app):
    for name, default in generator_settings().items():
        # A list in conf.py is taken for a tuple default (and made one).
        types = (tuple, list) if isinstance(default, tuple) else ()
        app.add_config_value(_NAME(name), default, "env", types=types)
    app.connect("config-inited", _load)
    app.connect("build-finished", _inject)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
