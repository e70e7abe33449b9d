"""Pelican plugin: ``PLUGINS = ["rtp_snippets"]`` injects the rules once the output is written.

    RTP_SNIPPETS_RULES = "rtp-rules.yml"      # relative to the current folder
    RTP_SNIPPETS_EXTERNAL = False

Rule errors stop the build with file:line; coverage problems are logged as
warnings (``--fatal warnings`` makes them fail the build).
"""

from __future__ import annotations

import logging
from pathlib import Path

from pelican import signals

from ..errors import RtpSnippetsError
from ..load import DEFAULT_RULES_FILE, load_rules
from .common import inject_built_site

logger = logging.getLogger(__name__)


class RulesError(Exception):
    """The rules file has errors; the message lists them with file:line."""


def _rules(settings: dict):
    try:
        return load_rules(Path(settings.get("RTP_SNIPPETS_RULES", DEFAULT_RULES_FILE)))
    except RtpSnippetsError as error:
        raise RulesError("\n".join(error.messages())) from None


def _initialized(pelican) -> None:
    pelican.rtp_snippets_ruleset = _rules(pelican.settings)


def _finalized(pelican) -> None:
    inject_built_site(pelican.output_path, pelican.rtp_snippets_ruleset, logger.warning,
                      external=bool(pelican.settings.get("RTP_SNIPPETS_EXTERNAL", False)))


def register() -> None:
    signals.initialized.connect(_initialized)
    signals.finalized.connect(_finalized)
