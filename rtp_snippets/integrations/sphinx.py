"""Sphinx extension ``rtp_snippets.integrations.sphinx``: inject the rules after an HTML build.

    extensions = ["rtp_snippets.integrations.sphinx"]
    rtp_snippets_rules = "rtp-rules.yml"      # relative to conf.py
    rtp_snippets_external = False

Rule errors end the build as the CLI does (``Error: file:line:col`` with the line
and a caret, exit status 1); coverage problems are Sphinx warnings, so ``-W``
fails on them. Only builders that make the web site's pages get the rules: not the
e-book, serialized or offline help builders (NOT_WEB), which the build log says.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.util import logging

from ..load import DEFAULT_RULES_FILE
from .common import inject_built_site, load_rules_or_exit

logger = logging.getLogger(__name__)

# Sphinx's builders of format "html" whose output is no web site: an e-book (no scripts
# run; its pages are .xhtml), pages serialized for another program to render, and the
# offline help viewers of Windows, Qt, GNOME and macOS.
NOT_WEB = frozenset({"epub", "json", "pickle", "htmlhelp", "qthelp", "devhelp", "applehelp"})


def _load(app, config) -> None:
    app.rtp_snippets_ruleset = load_rules_or_exit(Path(app.confdir) / config.rtp_snippets_rules)


def _inject(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    if app.builder.name in NOT_WEB:
        logger.info(
            f"rtp-snippets: the {app.builder.name} builder makes no web pages; nothing injected"
        )
        return
    inject_built_site(
        app.outdir,
        app.rtp_snippets_ruleset,
        logger.warning,
        inform=logger.info,
        external=app.config.rtp_snippets_external,
    )


def setup(app):
    app.add_config_value("rtp_snippets_rules", DEFAULT_RULES_FILE, "env")
    app.add_config_value("rtp_snippets_external", False, "env")
    app.connect("config-inited", _load)
    app.connect("build-finished", _inject)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
