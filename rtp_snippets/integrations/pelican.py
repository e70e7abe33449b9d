"""Pelican plugin: ``PLUGINS = ["rtp_snippets"]`` injects the rules once the output is written.

    RTP_SNIPPETS_RULES = "rtp-rules.yml"      # relative to the current folder
    RTP_SNIPPETS_EXTERNAL = False

Rule errors end the build as the CLI does (``Error: file:line:col`` with the line
and a caret, exit status 1); coverage problems are logged as warnings
(``--fatal warnings`` makes them fail the build).
"""

from __future__ import annotations

import logging
from pathlib import Path

from pelican.plugins import signals

from ..load import DEFAULT_RULES_FILE
from .common import inject_built_site, load_rules_or_exit

logger = logging.getLogger(__name__)


def _initialized(pelican) -> None:
    rules = Path(pelican.settings.get("RTP_SNIPPETS_RULES", DEFAULT_RULES_FILE))
    pelican.rtp_snippets_ruleset = load_rules_or_exit(rules)


def _finalized(pelican) -> None:
    inject_built_site(
        pelican.output_path,
        pelican.rtp_snippets_ruleset,
        logger.warning,
        inform=logger.info,
        external=bool(pelican.settings.get("RTP_SNIPPETS_EXTERNAL", False)),
    )


def register() -> None:
    signals.initialized.connect(_initialized)
    signals.finalized.connect(_finalized)
