"""MkDocs plugin ``rtp-snippets``: inject the rules into every built page, 404 included.

    plugins:
      - rtp-snippets:
          rules: rtp-rules.yml     # relative to mkdocs.yml
          position: body           # or head
          external: false
          base_url: null           # with external: https://cdn.example/site/
          prune: false
          include: []              # page globs: only these pages
          exclude: []              # page globs: not these pages
          max_bytes: null          # fail when a bundle is over this many bytes gzip

The same settings, with the same defaults, as the Sphinx and Pelican integrations (there
prefixed ``rtp_snippets_`` and ``RTP_SNIPPETS_``); ``options.SiteOptions`` says what each
does. Rule and option errors abort the build (``PluginError`` with the CLI's ``Error:``
blocks); coverage problems are logged as warnings, so ``mkdocs build --strict`` fails on
them. Each build logs one info line (``common.build_summary``): the pages injected, the
bundle's size gzip, the rules without elements, and, with Material for MkDocs'
``navigation.instant``, that every page gets one bundle (client-side navigation).
``mkdocs serve`` watches the rules file.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as options
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from ..errors import InvalidOption, RtpSnippetsError
from ..inject import POSITIONS
from ..load import load_rules
from ..model import RuleSet
from ..options import SiteOptions
from .common import (
    SETTING_NAMES,
    build_options,
    error_report,
    generator_settings,
    inject_built_site,
)

log = logging.getLogger("mkdocs.plugins.rtp_snippets")
_DEFAULTS = generator_settings()


class RtpSnippetsConfig(base.Config):
    """The settings of ``generator_settings``, as MkDocs' typed schema."""

    rules = options.Type(str, default=_DEFAULTS["rules"])
    position = options.Choice(POSITIONS, default=_DEFAULTS["position"])
    external = options.Type(bool, default=_DEFAULTS["external"])
    base_url = options.Optional(options.Type(str))
    prune = options.Type(bool, default=_DEFAULTS["prune"])
    include = options.ListOfItems(options.Type(str), default=list(_DEFAULTS["include"]))
    exclude = options.ListOfItems(options.Type(str), default=list(_DEFAULTS["exclude"]))
    max_bytes = options.Optional(options.Type(int))


class RtpSnippetsPlugin(BasePlugin[RtpSnippetsConfig]):
    ruleset: RuleSet | None = None
    options: SiteOptions | None = None

    def _rules_path(self, config) -> Path:
        return Path(config.config_file_path).parent / self.config.rules

    def on_config(self, config):
        try:
            self.options = build_options({name: self.config[name] for name in _DEFAULTS})
        except InvalidOption as error:
            where = f"{config.config_file_path}: plugin rtp-snippets: "
            raise PluginError(f"Error: {where}{error.spelled(SETTING_NAMES['mkdocs'])}") from None
        try:
            self.ruleset = load_rules(self._rules_path(config))
        except RtpSnippetsError as error:
            raise PluginError(error_report(error)) from None
        return config

    def on_serve(self, server, config, builder):
        server.watch(str(self._rules_path(config)))
        return server

    def on_post_build(self, config):
        try:
            inject_built_site(
                config.site_dir, self.ruleset, log.warning, inform=log.info, options=self.options
            )
        except RtpSnippetsError as error:
            raise PluginError(error_report(error)) from None
