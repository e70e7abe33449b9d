"""Stage 5, render: a RuleSet into the JavaScript bundle.

The Jinja template ``templates/bundle.js.j2`` puts the runtime's partials
(``templates/runtime/*.js``, one per concern, each valid JavaScript alone) together,
with the rules as data (``RuleRecord``); esbuild parses and normalises it, minify
(tdewolff/minify) shrinks it, and a last pass makes the text safe inside an HTML
``<script>`` in any page encoding. The same rules always give the same bytes.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
import sys
import sysconfig
import threading
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

import jinja2
import minify

from .errors import BudgetExceeded, BundleError
from .links import FILE, FILE_PATTERN, link_parts
from .model import Consent, RtpTag, Rule, RuleSet, with_depth
from .paths import glob_tokens
from .text import FORMAT_PATTERN

TEMPLATE = "bundle.js.j2"
RTP_TAG_TEMPLATE = "rtp-tag.js.j2"
OVERLAY_TEMPLATE = "overlay.js.j2"
DELEGATED_EVENTS = ("click", "submit")
# Events that happen once per page shown (or per element on it).
PAGE_EVENTS = ("view", "visible", "scroll", "timer")


@dataclass(frozen=True)
class Bundle:
    """The generated JavaScript and its measurements."""

    code: str
    minified: bool

    @property
    def data(self) -> bytes:
        return self.code.encode("ascii")

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def gzip_size(self) -> int:
        return len(gzip.compress(self.data, compresslevel=9, mtime=0))

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def csp_source(self) -> str:
        """The ``script-src`` source that allows this code as an inline script."""
        digest = base64.b64encode(hashlib.sha256(self.data).digest()).decode("ascii")
        return f"'sha256-{digest}'"


def build_bundle(
    ruleset: RuleSet, minify: bool = True, preview: bool = False, max_bytes: int | None = None
) -> Bundle:
    """Render the rules into JavaScript: minified, or readable with ``minify=False``.

    ``preview`` is for ``rtp-snippets preview`` only: every call goes to the debug
    overlay's ``rtpSnippetsPreview(rule, arguments)`` with the rule's name and line.
    With ``client_navigation: on`` the bundle also treats a new path shown without a
    page load (history.pushState, back/forward) as a new page for its rules.
    ``max_bytes`` raises ``BudgetExceeded`` when the minified bundle's gzip size is over
    it (the budget is for what is deployed, also when a readable bundle is asked for).
    """
    groups: dict[str, list[list]] = {}
    for rule in ruleset:
        groups.setdefault(rule.event, []).extend(
            record.to_json() for record in _records(rule, preview)
        )
    features = bundle_features(ruleset, preview)
    source = _template(TEMPLATE).render(
        groups=groups, features=features, file_pattern=FILE_PATTERN, format_pattern=FORMAT_PATTERN
    )
    bundle = _finish(source, TEMPLATE, minify)
    if max_bytes is not None:
        check_budget([bundle if minify else _finish(source, TEMPLATE, True)], max_bytes)
    return bundle


def check_budget(
    bundles: list[Bundle], max_bytes: int, pages: Sequence[Sequence[str]] = ()
) -> None:
    """Raise BudgetExceeded naming the bundles whose gzip size is over ``max_bytes``: by
    the pages that get each (``pages``, in the order of ``bundles``), else by hash."""
    over = sorted(
        (
            (bundle, pages[number] if number < len(pages) else ())
            for number, bundle in enumerate(bundles)
            if bundle.gzip_size > max_bytes
        ),
        key=lambda entry: entry[0].gzip_size,
        reverse=True,
    )
    if len(bundles) == 1 and over:
        bundle, where = over[0]
        raise BudgetExceeded(
            f"the bundle{_for_pages(where)} is {bundle.gzip_size} bytes gzip, "
            f"over --max-bytes {max_bytes}"
        )
    if over:
        sizes = ", ".join(
            f"{bundle.gzip_size} B ({_pages_named(where) if where else bundle.sha256[:12]})"
            for bundle, where in over[:3]
        )
        raise BudgetExceeded(
            f"{len(over)} of {len(bundles)} bundles are over --max-bytes "
            f"{max_bytes} (gzip): largest {sizes}"
        )


def _pages_named(pages: Sequence[str], shown: int = 3) -> str:
    """``/a.html, /b.html and 4 more pages``: the first ``shown`` pages and how many more."""
    named = ", ".join(pages[:shown])
    rest = len(pages) - shown
    if rest > 0:
        named += f" and {rest} more page" + ("" if rest == 1 else "s")
    return named


def _for_pages(pages: Sequence[str]) -> str:
    return f" for {_pages_named(pages)}" if pages else ""


def preview_name(rule: Rule) -> str:
    """The rule as the preview overlay names it: its name, else its event and what it
    watches as the preview table shows it (``click link '*.pdf'``, ``scroll 75%``)."""
    if rule.name:
        return rule.name
    return rule.event if rule.target == "-" else f"{rule.event} {rule.target}"


def build_overlay(
    ruleset: RuleSet | None,
    live: bool = False,
    error: str | None = None,
    off_page: Sequence[tuple[Rule, str]] = (),
) -> Bundle:
    """The debug overlay of ``rtp-snippets preview`` (readable; never in build output).
    ``off_page``: the rules that the page's address keeps off it, each with why
    (``pages /blog/**``)."""
    rules = [
        {
            "name": preview_name(rule),
            "line": rule.source.line if rule.source else 0,
            "event": rule.event,
            "selector": rule.selector,
            "values": list(rule.send),
        }
        for rule in (ruleset or ())
    ]
    off = [{"name": preview_name(rule), "why": why} for rule, why in off_page]
    data = {"rules": rules, "off": off, "live": live, "error": error}
    return _finish(_template(OVERLAY_TEMPLATE).render(data=data), OVERLAY_TEMPLATE, minify=False)


def build_rtp_tag(tag: RtpTag, minify: bool = True, consent: Consent | None = None) -> Bundle:
    """Marketo's RTP tag for the account, built like the bundle; with ``consent`` it
    loads rtp.js only once consent is granted."""
    source = _template(RTP_TAG_TEMPLATE).render(tag=tag, consent=consent)
    return _finish(source, RTP_TAG_TEMPLATE, minify)


def _finish(source: str, template: str, minify: bool) -> Bundle:
    code = _parse(source, f"the JavaScript rendered from templates/{template}")
    if minify:
        code = _minify(code)
    code = html_safe(code)
    _parse(code, "the minified bundle" if minify else "the bundle")
    return Bundle(code, minify)


def html_safe(code: str) -> str:
    """Escape what the minifier turned back into raw characters.

    The minifier rewrites ``"\\u003c/script>"`` as ``"</script>"``, ``\\u2028``
    as the raw character and ``"a\\nb"`` as a template literal. Those characters
    only occur inside string literals (the template has none in code), where an
    escape means the same character. Non-ASCII text is escaped too, so the
    bundle can go into a page of any encoding.
    """
    return _UNSAFE.sub(_escaped, code)


# What html_safe escapes: '<' before '/script' (any case) or '!--', and every character
# outside printable ASCII but tab and newline.
_UNSAFE = re.compile(r"<(?=/[Ss][Cc][Rr][Ii][Pp][Tt]|!--)|[^\t\n\x20-\x7e]")


def _escaped(match: re.Match) -> str:
    char = match.group()
    if char == "<":
        return "\\x3c"
    point = ord(char)
    if point > 0xFFFF:
        point -= 0x10000
        return f"\\u{0xD800 + (point >> 10):04x}\\u{0xDC00 + (point & 0x3FF):04x}"
    return f"\\u{point:04x}"


Options = Mapping[str, str | int | float | list[str] | list[list[str]]]


@dataclass(frozen=True)
class RuleRecord:
    """One rule as the bundle carries it: the data contract between Python and the
    runtime's partials (``templates/runtime/``), which read it as the JSON list
    ``[target, values, line, options]`` (``to_json``).

    ``target`` is the CSS selector (click, submit, visible, view), or 0 for a view rule
    without one, the percent (scroll) or the seconds (timer). ``values`` is a string (one
    plain value) or a list of values, each a string or, with placeholders, a list of text
    and ``[kind, name]`` parts. ``line`` is the rule's line in the rules file (0 when not
    known), for the debug log. ``options`` holds only what the rule needs: once, key (for
    once), pages, exclude (each a list of globs cut into tokens by paths.glob_tokens),
    share (0-1) and ms for a visible rule with percent or seconds, link (the glob's
    parts, links.link_parts) for a click rule with a link, name (preview only); when it
    is empty the list has three items.
    """

    target: str | int | float
    values: object
    line: int
    options: Options = field(default_factory=dict)

    def to_json(self) -> list:
        record: list = [self.target, self.values, self.line]
        if self.options:
            record.append(dict(self.options))
        return record


def _records(rule: Rule, preview: bool = False) -> list[RuleRecord]:
    """The rule as the bundle's data: one record (``_record``), or for a scroll rule one
    per depth, deepest last, each with its ``{percent}`` filled in and, for ``once``, a
    key of its own (the rule's key and ``@`` and the depth: no name has an ``@``)."""
    if rule.event != "scroll" or not isinstance(rule.percent, tuple):
        return [_record(rule, preview)]
    return [
        _record(rule, preview, depth, key=f"{rule.key}@{depth}" if rule.once else None)
        for depth in sorted(rule.percent)
    ]


# Placeholders filled in when the bundle is built; the bundle never sees them.
BUILD_TIME_PLACEHOLDERS = frozenset({"percent"})


def _record(
    rule: Rule, preview: bool = False, depth: int | None = None, key: str | None = None
) -> RuleRecord:
    """The rule's record; a scroll rule's for ``depth`` (default: its one depth), and a
    ``once`` rule's with ``key`` (default: the rule's key)."""
    target: str | int | float
    if rule.event == "scroll":
        depth = rule.percents[0] if depth is None else depth
        target = depth
    elif rule.event == "timer":
        target = rule.seconds or 0
    else:
        target = rule.element_selector or 0
    values = [_value(with_depth(parts, depth)) for parts in rule.values]
    options: dict[str, str | int | float | list[str] | list[list[str]]] = {}
    if rule.once:
        options["once"] = rule.once
        options["key"] = key or rule.key
    if rule.pages:
        options["pages"] = [list(glob_tokens(glob)) for glob in rule.pages]
    if rule.exclude:
        options["exclude"] = [list(glob_tokens(glob)) for glob in rule.exclude]
    if rule.link is not None:
        options["link"] = link_parts(rule.link)
    if rule.event == "visible" and rule.percent is not None:
        options["share"] = rule.percents[0] / 100
    if rule.event == "visible" and rule.seconds is not None:
        options["ms"] = round(rule.seconds * 1000)
    if preview:
        options["name"] = preview_name(rule)
    return RuleRecord(
        target,
        values[0] if len(values) == 1 and isinstance(values[0], str) else values,
        rule.source.line if rule.source else 0,
        options,
    )


def _value(parts: tuple) -> object:
    """A plain value as its text; one with placeholders as [text, [kind, name], …]."""
    if all(isinstance(part, str) for part in parts):
        return "".join(parts)
    return [
        part if isinstance(part, str) else [part.kind, part.name] if part.name else [part.kind]
        for part in parts
    ]


def _per_page(rule: Rule) -> bool:
    """True when the rule's behaviour depends on the page shown: its event happens once per
    page, it is scoped to pages, it is `once: page` or it sends the page's address."""
    return bool(
        rule.event in PAGE_EVENTS
        or rule.pages
        or rule.exclude
        or rule.once == "page"
        or "path" in rule.placeholders
    )


@dataclass(frozen=True)
class Features:
    """The parts of the runtime a bundle includes: ``templates/bundle.js.j2`` reads them
    as ``features.<name>`` to choose the partials of ``templates/runtime/``. Every part
    is left out unless some rule needs it; a name that is not a field fails the render
    (the environment's undefined is strict). Built by ``bundle_features``."""

    # Events: the listeners and observers the bundle sets up.
    delegated: tuple[str, ...]
    """The delegated events some rule listens for, in ``DELEGATED_EVENTS`` order."""
    links: bool
    """Some click rule has a link glob (``linked()``)."""
    files: bool
    """The bundle tells links to files that are not pages (``file()``, links.FILES): to
    send their calls at once (``queue``), or for a ``link: file`` rule."""
    view: bool
    """Some rule is a view rule."""
    visible: bool
    """Some rule is a visible rule (IntersectionObserver, MutationObserver)."""
    dwell: bool
    """Some visible rule has a share (``percent``) or a time (``seconds``)."""
    scroll: bool
    """Some rule is a scroll rule."""
    timer: bool
    """Some rule is a timer rule."""
    ready: bool
    """Some part waits for the document to be ready: view, visible or scroll, or navigate."""
    navigate: bool
    """A path shown without a page load is a new page for the rules that depend on the
    page shown (``client_navigation: on`` and at least one such rule)."""

    # Values: what a rule sends and how.
    runtime: bool
    """Rules go through the ``fire()`` helper; without it they call rtp directly."""
    arrays: bool
    """Some rule sends several values or values with placeholders (always in preview)."""
    fill: bool
    """Some value has placeholders to fill in at run time."""
    placeholders: frozenset[str]
    """The placeholder kinds the bundle fills in (text, attr, path, query, host, title)."""

    # Scope: on which pages and how often a rule sends.
    path: bool
    """The bundle reads the page's path: for globs or a ``{path}`` placeholder."""
    globs: bool
    """Some rule has ``pages`` or ``exclude``."""
    once: bool
    """Some rule sends once only (``once: page`` or ``once: session``)."""
    session: bool
    """Some rule is ``once: session`` (sessionStorage)."""
    options: bool
    """``option()``: rule options read as the rule's own properties (globs, once, dwell,
    links)."""

    # Calls made while the page is leaving.
    queue: bool
    """Calls made by a click or submit that leaves the page are queued
    (``RuleSet.queues``)."""
    deliver: bool
    """Calls queued by the previous page are sent (``RuleSet.delivers``)."""
    preview: bool
    """``rtp-snippets preview``: every call goes to the debug overlay as it happens, so
    nothing is queued and every rule goes through ``fire()``."""

    debug: bool
    """The console log of ``#rtp-snippets-debug`` (always on in preview). Every bundle has
    it; ``benchmarks/bundle_size.py`` turns it off only to measure what it costs."""

    # Consent.
    consent: Consent | None
    """What must be granted before anything is sent (the rules file's ``consent:``):
    ``allow()`` holds calls until then; see ``templates/runtime/consent-hold.js`` and
    ``templates/consent.js.j2``."""


def bundle_features(ruleset: RuleSet, preview: bool = False) -> Features:
    """The parts of the bundle these rules need (``preview``: see ``build_bundle``)."""
    rules = tuple(ruleset)
    events = {rule.event for rule in rules}
    placeholders = (
        frozenset().union(*(rule.placeholders for rule in rules)) - BUILD_TIME_PLACEHOLDERS
    )
    globs = any(rule.pages or rule.exclude for rule in rules)
    arrays = preview or any(
        len(rule.send) > 1 or rule.placeholders - BUILD_TIME_PLACEHOLDERS for rule in rules
    )
    once = any(rule.once for rule in rules)
    links = any(rule.link is not None for rule in rules)
    dwell = any(
        rule.event == "visible" and (rule.percent is not None or rule.seconds is not None)
        for rule in rules
    )
    # Only rules that depend on the page shown need to hear of client-side navigation.
    navigate = ruleset.client_navigation == "on" and any(_per_page(rule) for rule in rules)
    return Features(
        delegated=tuple(event for event in DELEGATED_EVENTS if event in events),
        links=links,
        files=ruleset.queues and not preview or any(rule.link == FILE for rule in rules),
        view="view" in events,
        visible="visible" in events,
        dwell=dwell,
        scroll="scroll" in events,
        timer="timer" in events,
        ready=bool(events & {"view", "visible", "scroll"}) or navigate,
        navigate=navigate,
        # Without arrays, once or consent, rules call rtp directly and need no fire().
        runtime=arrays or once or ruleset.consent is not None,
        arrays=arrays,
        fill=bool(placeholders),
        placeholders=placeholders,
        path=globs or "path" in placeholders,
        globs=globs,
        once=once,
        session=any(rule.once == "session" for rule in rules),
        options=globs or once or dwell or links,
        queue=ruleset.queues and not preview,
        deliver=ruleset.delivers and not preview,
        preview=preview,
        debug=True,
        consent=ruleset.consent,
    )


@cache
def _template(name: str) -> jinja2.Template:
    return _environment().get_template(name)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    folder = resources.files("rtp_snippets.templates")
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    # The one way data enters the JavaScript is Jinja's tojson filter: JSON with ``<``,
    # ``>``, ``&`` and ``'`` escaped, so no value can end the script or open an HTML
    # comment; ASCII only, so U+2028 and U+2029 are escaped too; compact, and with keys
    # in the order they were written.
    environment.policies["json.dumps_kwargs"] = {
        "ensure_ascii": True,
        "separators": (",", ":"),
        "sort_keys": False,
    }
    return environment


_ESBUILD_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _esbuild_transform() -> Callable[[str], str]:
    """esbuild-py's ``transform``, imported on first use.

    esbuild-py 0.1.6 imports ``distutils`` only to call
    ``distutils.sysconfig.get_config_var('EXT_SUFFIX')`` while finding its
    library. On Python 3.11 that import goes through setuptools' distutils
    shim and costs about 0.4 s; on 3.12 and later there is no distutils at all
    without setuptools. The standard library's ``sysconfig`` gives the same
    value, so it stands in for ``distutils.sysconfig`` during that one import
    and is taken away again, leaving ``sys.modules`` as it was.
    """
    stand_in = types.ModuleType("distutils.sysconfig")
    stand_in.get_config_var = sysconfig.get_config_var  # type: ignore[attr-defined]
    package = types.ModuleType("distutils")
    package.sysconfig = stand_in  # type: ignore[attr-defined]
    names = ("distutils", "distutils.sysconfig")
    with _ESBUILD_LOCK:
        saved = {name: sys.modules.get(name) for name in names}
        sys.modules.update({"distutils": package, "distutils.sysconfig": stand_in})
        try:
            import esbuild_py
        finally:
            for name, module in saved.items():
                if module is None:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = module
    return esbuild_py.transform


def _parse(code: str, what: str) -> str:
    """esbuild's formatted version of the code; esbuild-py returns '' on a syntax error."""
    formatted = _esbuild_transform()(code)
    if not formatted:
        raise BundleError(f"esbuild could not parse {what}; this is a bug in rtp-snippets")
    return formatted


def _minify(code: str) -> str:
    # The minifier's settings are global to the process, so set them every time.
    minify.config({"js-version": 2019, "js-keep-var-names": False})
    try:
        return minify.string("application/javascript", code)
    except minify.MinifyError as error:
        raise BundleError(f"the minifier failed: {error}") from None
