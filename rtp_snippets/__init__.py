"""rtp-snippets: Marketo Web Personalization (RTP) custom data events from declarative rules.

The public names are imported on first use (PEP 562), so that ``rtp-snippets
--help`` and commands that do not render JavaScript do not pay for the
selector engine, esbuild or the minifier at start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from .errors import (
    BundleError,
    InvalidRule,
    Position,
    RtpSnippetsError,
    RuleError,
    RulesError,
)

if TYPE_CHECKING:
    from .load import load_rules
    from .model import Consent, RtpTag, Rule, RuleSet
    from .render import Bundle, build_bundle

_LAZY = {
    "load_rules": "load",
    "Consent": "model",
    "RtpTag": "model",
    "Rule": "model",
    "RuleSet": "model",
    "Bundle": "render",
    "build_bundle": "render",
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
    "Bundle",
    "BundleError",
    "Consent",
    "InvalidRule",
    "Position",
    "RtpSnippetsError",
    "RtpTag",
    "Rule",
    "RuleError",
    "RuleSet",
    "RulesError",
    "build_bundle",
    "load_rules",
]
