"""Jinja: ``{{ rtp_snippet() }}`` in a template gives the ``<script>`` for the rules.

    environment = jinja2.Environment(extensions=[RtpSnippetsExtension])
    environment.rtp_snippets_rules = "rtp-rules.yml"      # the default

``rtp_snippet(rules=None, page_path=None, external=None)``: ``rules`` overrides
the environment's rules file, ``page_path`` keeps only the rules whose
pages/exclude globs match that path, and ``external`` is the URL of the bundle
file (as written by ``inject --external``) to load with Subresource Integrity
instead of inlining it. Each rules file is read and built once, and again
when it changes. Rule errors raise ``jinja2.TemplateRuntimeError`` naming the
template and line.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from types import FrameType

import jinja2
from jinja2.ext import Extension
from markupsafe import Markup

from ..errors import RtpSnippetsError
from ..inject import script_block
from ..load import DEFAULT_RULES_FILE, load_rules
from ..model import RuleSet
from ..render import Bundle, build_bundle


class RtpSnippetsExtension(Extension):
    """Adds the global ``rtp_snippet()`` and the environment attribute ``rtp_snippets_rules``."""

    def __init__(self, environment: jinja2.Environment):
        super().__init__(environment)
        environment.extend(rtp_snippets_rules=DEFAULT_RULES_FILE)
        self.cache: dict[Path, tuple[tuple[int, int], RuleSet]] = {}
        self.bundles: dict[RuleSet, Bundle] = {}
        self.lock = threading.Lock()
        environment.globals["rtp_snippet"] = self.snippet

    def snippet(
        self, rules: str | None = None, page_path: str | None = None, external: str | None = None
    ) -> Markup:
        # environment.extend() (in __init__) adds the attribute; Environment does not declare it.
        path = Path(rules or self.environment.rtp_snippets_rules)  # type: ignore[attr-defined]
        try:
            ruleset = self._ruleset(path)
        except RtpSnippetsError as error:
            raise jinja2.TemplateRuntimeError(_where() + "; ".join(error.messages())) from None
        selected = ruleset.page_share(ruleset.for_page(page_path)) if page_path else ruleset
        with self.lock:
            if selected not in self.bundles:
                self.bundles[selected] = build_bundle(selected)
            bundle = self.bundles[selected]
        return Markup(script_block(bundle, external))

    def _ruleset(self, path: Path) -> RuleSet:
        status = path.stat() if path.exists() else None
        stamp = (status.st_mtime_ns, status.st_size) if status else (0, 0)
        with self.lock:
            cached = self.cache.get(path)
            if cached and cached[0] == stamp:
                return cached[1]
        ruleset = load_rules(path)
        with self.lock:
            self.cache[path] = (stamp, ruleset)
        return ruleset


def _where() -> str:
    """'template.html:12: ' for the template line that called rtp_snippet(), as Jinja
    itself maps it in tracebacks."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None:
            line = template.get_corresponding_lineno(frame.f_lineno)
            return f"{template.filename or template.name}:{line}: rtp_snippet(): "
        frame = frame.f_back
    return "rtp_snippet(): "
