"""Pelican finds plugins in the namespace package pelican.plugins: this is the
rtp-snippets plugin there (the code is rtp_snippets.integrations.pelican)."""

from rtp_snippets.integrations.pelican import register

__all__ = ["register"]
