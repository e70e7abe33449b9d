"""Stage 11, __init__: rtp-snippets: Marketo Web Personalization (RTP) custom data events
from declarative rules.

The public API, one call per command of the command line:

- ``load_rules(path)`` reads a rules file into a ``RuleSet`` (``RulesError`` names every
  problem's file, line and column);
- ``build_bundle(ruleset)`` renders it into a ``Bundle`` (the JavaScript, its hashes);
- ``inject_site(root, ruleset, SiteOptions(...))`` puts the bundles into every page of a
  built site, ``remove_site(root)`` takes them out; both return a ``Report`` of
  ``PageResult``s;
- ``check(rules_path, site)`` lints the rules and measures them against a built site,
  returning a ``CheckResult``.

Every error they raise on purpose is an ``RtpSnippetsError``. The public names are
imported on first use (PEP 562), so that ``rtp-snippets --help`` and commands that do
not render JavaScript do not pay for the selector engine, esbuild or the minifier at
start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from .errors import (
    BudgetExceeded,
    BundleError,
    InvalidBaseUrl,
    InvalidGlob,
    InvalidOption,
    InvalidRule,
    Position,
    RtpSnippetsError,
    RuleError,
    RulesError,
    SiteBusy,
)

if TYPE_CHECKING:
    from .checking import CheckResult, check
    from .load import load_rules
    from .model import Consent, RtpTag, Rule, RuleSet
    from .options import SiteOptions
    from .render import Bundle, build_bundle
    from .site import PageResult, PageStatus, Report, inject_site, remove_site

_LAZY = {
    "load_rules": "load",
    "Consent": "model",
    "RtpTag": "model",
    "Rule": "model",
    "RuleSet": "model",
    "Bundle": "render",
    "build_bundle": "render",
    "SiteOptions": "options",
    "inject_site": "site",
    "remove_site": "site",
    "Report": "site",
    "PageResult": "site",
    "PageStatus": "site",
    "check": "checking",
    "CheckResult": "checking",
}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
    elif name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("rtp-snippets")
        except PackageNotFoundError:  # running from a source tree that is not installed
            value = "0+unknown"
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def register() -> None:
    """Pelican's plugin hook, so ``PLUGINS = ["rtp_snippets"]`` works however the package
    is installed (an editable install hides the pelican.plugins namespace portion)."""
    from .integrations.pelican import register as register_pelican_plugin

    register_pelican_plugin()


__all__ = [
    "BudgetExceeded",
    "Bundle",
    "BundleError",
    "CheckResult",
    "Consent",
    "InvalidBaseUrl",
    "InvalidGlob",
    "InvalidOption",
    "InvalidRule",
    "PageResult",
    "PageStatus",
    "Position",
    "Report",
    "RtpSnippetsError",
    "RtpTag",
    "Rule",
    "RuleError",
    "RuleSet",
    "RulesError",
    "SiteBusy",
    "SiteOptions",
    "build_bundle",
    "check",
    "inject_site",
    "load_rules",
    "remove_site",
]
