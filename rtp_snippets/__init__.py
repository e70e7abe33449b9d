"""rtp-snippets: Marketo Web Personalization (RTP) custom data events from declarative rules."""

from importlib.metadata import PackageNotFoundError, version

from .errors import (
    BundleError,
    InvalidRule,
    Position,
    RtpSnippetsError,
    RuleError,
    RulesError,
)
from .load import load_rules
from .model import RtpTag, Rule, RuleSet
from .render import Bundle, build_bundle



def register() -> None:
    """Pelican's plugin hook, so ``PLUGINS = ["rtp_snippets"]`` works however the package
    is installed (an editable install hides the pelican.plugins namespace portion)."""
    from .integrations.pelican import register as register_pelican_plugin

    register_pelican_plugin()


try:
    __version__ = version("rtp-snippets")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "Bundle",
    "BundleError",
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
