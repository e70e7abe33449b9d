"""Pelican plugin: ``PLUGINS = ["rtp_snippets"]`` injects the rules once the output is written.

    RTP_SNIPPETS_RULES = "rtp-rules.yml"      # relative to the current folder
    RTP_SNIPPETS_POSITION = "body"            # or "head"
    RTP_SNIPPETS_EXTERNAL = False
    RTP_SNIPPETS_BASE_URL = None              # with external: "https://cdn.example/site/"
    RTP_SNIPPETS_PRUNE = False
    RTP_SNIPPETS_INCLUDE = []                 # page globs: only these pages
    RTP_SNIPPETS_EXCLUDE = []                 # page globs: not these pages
    RTP_SNIPPETS_MAX_BYTES = None             # fail when a bundle is over this many bytes gzip

The MkDocs plugin's settings, with the same defaults, in capitals and prefixed
``RTP_SNIPPETS_`` (``options.SiteOptions`` says what each does). Rule and option errors
end the build as the CLI does (``Error: file:line:col`` with the line and a caret, exit
status 1); coverage problems are logged as warnings (``--fatal warnings`` makes them fail
the build).
"""

from __future__ import annotations

import logging
from pathlib import Path

from pelican.plugins import signals

from .common import (
    SETTING_NAMES,
    build_options,
    errors_end_the_build,
    generator_settings,
    inject_built_site,
    load_rules_or_exit,
)

logger = logging.getLogger(__name__)
# Each setting's name in Pelican's settings, and its default.
SETTINGS = {
    SETTING_NAMES["pelican"](name): default for name, default in generator_settings().items()
}


def _initialized(pelican) -> None:
    values = {
        name: pelican.settings.get(SETTING_NAMES["pelican"](name), default)
        for name, default in generator_settings().items()
    }
    with errors_end_the_build("pelican", "Pelican settings: "):
        pelican.rtp_snippets_options = build_options(values)
    pelican.rtp_snippets_ruleset = load_rules_or_exit(Path(values["rules"]))


def _finalized(pelican) -> None:
    with errors_end_the_build("pelican"):
        inject_built_site(
            pelican.output_path,
            pelican.rtp_snippets_ruleset,
            logger.warning,
            inform=logger.info,
            options=pelican.rtp_snippets_options,
        )


def register() -> None:
    signals.initialized.connect(_initialized)
    signals.finalized.connect(_finalized)
