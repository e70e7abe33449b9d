"""MkDocs plugin ``rtp-snippets``: inject the rules into every built page, 404 included.

    plugins:
      - rtp-snippets:
          rules: rtp-rules.yml     # relative to mkdocs.yml
          external: false
          position: body           # or head
          prune: false

Rule errors abort the build (``PluginError`` with the CLI's ``Error:`` blocks); coverage
problems are logged as warnings, so ``mkdocs build --strict`` fails on them. With Material
for MkDocs' ``navigation.instant`` every page gets one bundle (client-side navigation), which
the build log says.
``mkdocs serve`` watches the rules file.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as options
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from ..errors import RtpSnippetsError
from ..load import DEFAULT_RULES_FILE, load_rules
from ..model import RuleSet
from .common import error_report, inject_built_site

log = logging.getLogger("mkdocs.plugins.rtp_snippets")


class RtpSnippetsConfig(base.Config):
    rules = options.Type(str, default=DEFAULT_RULES_FILE)
    external = options.Type(bool, default=False)
    position = options.Choice(("body", "head"), default="body")
    prune = options.Type(bool, default=False)


class RtpSnippetsPlugin(BasePlugin[RtpSnippetsConfig]):
    ruleset: RuleSet | None = None

    def _rules_path(self, config) -> Path:
        return Path(config.config_file_path).parent / self.config.rules

    def on_config(self, config):
        try:
            self.ruleset = load_rules(self._rules_path(config))
        except RtpSnippetsError as error:
            raise PluginError(error_report(error)) from None
        return config

    def on_serve(self, server, config, builder):
        server.watch(str(self._rules_path(config)))
        return server

    def on_post_build(self, config):
        inject_built_site(
            config.site_dir,
            self.ruleset,
            log.warning,
            inform=log.info,
            external=self.config.external,
            position=self.config.position,
            prune=self.config.prune,
        )
