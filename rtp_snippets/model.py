"""Stage 3, model: the rule model: frozen dataclasses that validate themselves.

A ``Rule`` is the same value whether it was written as a DSL line, a YAML
mapping or Python: the place it came from is kept in ``source`` but is not
part of equality.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import linecache
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import FrameType
from typing import Literal, TypeGuard

from . import css, links, paths
from .errors import InvalidRule, Position, Problem, ValueSyntaxError, cut, quoted
from .fields import (
    CONSENT_FIELD,
    CONSENT_FIELDS,
    CONSENT_NAME_PATTERN,
    CONSENT_PLATFORMS,
    COOKIE_VALUE_CHARACTERS,
    EVENT_NAME_PATTERN,
    EVENTS,
    FLAG_PATTERN,
    GROUP_PATTERN,
    MAX_SECONDS,
    NAME_PATTERN,
    PLATFORM_SETTINGS,
    RULE_FIELD,
    RULE_FIELDS,
    TCF_PURPOSES,
    TCF_VENDORS,
    Field,
    given,
)

PLACEHOLDERS = ("text", "attr", "path", "query", "host", "title", "percent")
_ELEMENT_PLACEHOLDERS = {"text", "attr"}
# Placeholders with no name; the others are written {kind:NAME}.
_NAMELESS = ("text", "path", "host", "title", "percent")
# The elements a link rule acts on: those a click follows to a URL.
LINKS = "a[href],area[href]"
_NAME = re.compile(NAME_PATTERN + r"\Z")
_ATTRIBUTE_NAME = re.compile(r"[^\s\"'>/=\x00-\x1f]+\Z")


@dataclass(frozen=True)
class Placeholder:
    """``{kind}`` or ``{kind:name}`` inside a value, filled in at run time."""

    kind: str
    name: str = ""


Part = str | Placeholder


def parse_value(value: str) -> tuple[Part, ...]:
    """Split a value into literal text and placeholders (``{{``/``}}`` are braces).

    Raises ``ValueSyntaxError`` (with its ``offset`` and ``message``) on a malformed
    placeholder.
    """
    parts: list[Part] = []
    literal = []
    index = 0
    while index < len(value):
        char = value[index]
        if value.startswith("{{", index) or value.startswith("}}", index):
            literal.append(char)
            index += 2
        elif char == "}":
            raise ValueSyntaxError(index, "a lone '}' must be written '}}'")
        elif char == "{":
            end = value.find("}", index)
            if end < 0:
                raise ValueSyntaxError(index, "unclosed '{'; write '{{' for a literal brace")
            placeholder = _parse_placeholder(value[index + 1 : end], index)
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(placeholder)
            index = end + 1
        else:
            literal.append(char)
            index += 1
    if literal:
        parts.append("".join(literal))
    return tuple(parts)


def _parse_placeholder(inside: str, offset: int) -> Placeholder:
    kind, colon, name = inside.partition(":")
    if kind not in PLACEHOLDERS:
        known = ", ".join("{" + k + ("}" if k in _NAMELESS else ":NAME}") for k in PLACEHOLDERS)
        raise ValueSyntaxError(
            offset,
            f"unknown placeholder '{{{cut(inside)}}}'; use one of {known}, "
            "or '{{' for a literal brace",
        )
    if kind in ("attr", "query"):
        if not name:
            raise ValueSyntaxError(
                offset, f"'{{{kind}:NAME}}' needs a name, e.g. '{{{kind}:data-product}}'"
            )
        if kind == "attr" and not _ATTRIBUTE_NAME.match(name):
            raise ValueSyntaxError(offset, f"'{cut(name)}' is not a valid attribute name")
    elif colon:
        raise ValueSyntaxError(offset, f"'{{{kind}}}' takes no name")
    return Placeholder(kind, name)


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One rule: when ``event`` happens (on ``selector``), send ``send`` to RTP.

    ``send``, ``pages`` and ``exclude`` accept a string or a list and are kept as
    tuples. ``percent`` is a number, or for a scroll rule a list of depths, kept as a
    tuple (a list of one is that number). Invalid fields raise ``InvalidRule`` listing
    every problem.
    """

    event: str
    send: tuple[str, ...]
    selector: str | None = None
    name: str | None = None
    pages: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    once: str | None = None
    percent: int | tuple[int, ...] | None = None
    seconds: float | None = None
    link: str | None = None
    dynamic: bool = False
    source: Position | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.percent, (list, tuple)):
            depths = tuple(self.percent)
            object.__setattr__(self, "percent", depths[0] if len(depths) == 1 else depths)
        # percent, a list field too, keeps one depth as a number: settled above.
        lists = tuple(spec.name for spec in RULE_FIELDS if spec.many and spec.name != "percent")
        _settle(self, lists, (str,), validate)

    @property
    def key(self) -> str:
        """A stable identifier: the name, or a digest of what the rule does."""
        if self.name:
            return self.name
        fields = [
            self.event,
            self.selector,
            self.send,
            self.pages,
            self.exclude,
            self.once,
            self.percent,
            self.seconds,
        ]
        # Fields added later are in the digest only when set: older rules keep their keys.
        if self.link is not None:
            fields.append(self.link)
        content = json.dumps(fields, ensure_ascii=False)
        return hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()[:12]

    @property
    def percents(self) -> tuple[int, ...]:
        """``percent`` as a tuple: the depths of a scroll rule, or the share of a visible one."""
        if self.percent is None:
            return ()
        return self.percent if isinstance(self.percent, tuple) else (self.percent,)

    @property
    def target(self) -> str:
        """What the rule watches, as tables show it: its selector, depths or seconds."""
        if self.event == "scroll":
            return ", ".join(f"{depth}%" for depth in self.percents)
        if self.event == "timer":
            return f"{self.seconds:g}s"
        if self.link is not None:
            link = f"link {self.link}" if self.link in links.KEYWORDS else f"link '{self.link}'"
            return f"{self.selector} {link}" if self.selector else link
        target = self.selector or "-"
        if self.event == "visible" and self.percent is not None:
            target += f" {self.percent}%"
        if self.event == "visible" and self.seconds is not None:
            target += f" for {self.seconds:g}s"
        return target

    @property
    def element_selector(self) -> str | None:
        """The CSS selector of the elements the rule acts on (None when it has none): its
        selector, or for a ``link`` rule the links (``a[href]``, ``area[href]``), those
        that match its selector if it has one. The link glob is checked apart."""
        if self.link is None:
            return self.selector
        if self.selector is None:
            return LINKS
        return f":is({LINKS}):is({self.selector})"

    @property
    def values(self) -> tuple[tuple[Part, ...], ...]:
        """Each value of ``send`` split into text and placeholders."""
        return tuple(parse_value(value) for value in self.send)

    def applies_to(self, path: str) -> bool:
        """Whether the rule's pages/exclude globs let it run on the page at ``path``."""
        if self.pages and not paths.matches(self.pages, path):
            return False
        return not (self.exclude and paths.matches(self.exclude, path))

    @property
    def sent_values(self) -> tuple[str, ...]:
        """The values as written, one set per depth of a scroll rule that sends
        ``{percent}`` (filled in: ``read 25``, ``read 50``), else ``send``."""
        return tuple(written for written, _ in self.sent_parts)

    @property
    def sent_parts(self) -> tuple[tuple[str, tuple[Part, ...]], ...]:
        """``sent_values`` with each value's parts (``{percent}`` filled in)."""
        if "percent" not in self.placeholders:
            return tuple(zip(self.send, self.values, strict=True))
        return tuple(
            (_written(parts, depth), with_depth(parts, depth))
            for depth in sorted(self.percents)
            for parts in self.values
        )

    @property
    def page_reads(self) -> tuple[str, ...]:
        """What the rule's values read from the page, for the values check shows:
        "text" and "attr:NAME" of its element, "title" of the page; in order of first use."""
        reads: dict[str, None] = {}
        for value in self.values:
            for part in value:
                if isinstance(part, Placeholder) and part.kind in ("text", "attr", "title"):
                    reads[f"attr:{part.name}" if part.kind == "attr" else part.kind] = None
        return tuple(reads)

    @property
    def placeholders(self) -> set[str]:
        """The placeholder kinds this rule uses."""
        return {
            part.kind for value in self.values for part in value if isinstance(part, Placeholder)
        }


def with_depth(parts: tuple[Part, ...], depth: int | None) -> tuple[Part, ...]:
    """The parts with ``{percent}`` replaced by ``depth`` (None: as they are), joined to
    the text around it."""
    if depth is None:
        return parts
    filled: list[Part] = []
    for part in parts:
        text = str(depth) if isinstance(part, Placeholder) and part.kind == "percent" else part
        if isinstance(text, str) and filled and isinstance(filled[-1], str):
            filled[-1] += text
        else:
            filled.append(text)
    return tuple(filled)


def _written(parts: tuple[Part, ...], depth: int) -> str:
    """The parts written as a value again, with ``{percent}`` as ``depth``."""
    return "".join(
        part.replace("{", "{{").replace("}", "}}")
        if isinstance(part, str)
        else "{" + part.kind + (":" + part.name if part.name else "") + "}"
        for part in with_depth(parts, depth)
    )


def validate(rule: Rule) -> list[Problem]:
    """Every problem with the rule's fields (an empty list when it is valid), field by
    field in RULE_FIELDS order: whether the rule's event allows the field and has it
    where it needs it (an unknown event is reported alone), then, if so, its value."""
    problems: list[Problem] = []
    event_known = isinstance(rule.event, str) and rule.event in EVENTS
    for spec in RULE_FIELDS:
        found = event_problems(rule, spec) if event_known else []
        if not found:
            check = _VALUE_CHECKS.get(spec.name)
            found = check(rule) if check else _kind_problems(rule, spec)
        problems += found
    return problems


def allows(spec: Field, event: object) -> bool:
    """Whether ``event`` allows the field ``spec`` (RULE_FIELDS' ``allowed_by``)."""
    return spec.allowed_by is None or event in spec.allowed_by


def event_problems(rule: Rule, spec: Field) -> list[Problem]:
    """The field given where the rule's event does not allow it, or missing where the
    event needs it (or, with ``instead``, needs it or the other field)."""
    if given(getattr(rule, spec.name)):
        if allows(spec, rule.event):
            return []
        return [Problem(spec.name, spec.refused.format(event=rule.event))]
    if rule.event not in spec.needed_by:
        return []
    message = spec.missing
    if spec.instead is not None and allows(RULE_FIELD[spec.instead[0]], rule.event):
        if given(getattr(rule, spec.instead[0])):
            return []
        message = spec.instead[1]
    return [Problem(spec.name, message.format(event=rule.event))]


def _kind_problems(record: object, spec: Field) -> list[Problem]:
    """The check of a field that has none of its own: its value is of its kind."""
    value = getattr(record, spec.name)
    if spec.kind == "flag":
        return (
            [] if isinstance(value, bool) else [Problem(spec.name, f"{spec.name} is true or false")]
        )
    if value is None:
        return []
    if spec.kind == "choice" and value not in spec.choices:
        choices = " or ".join(f"'{choice}'" for choice in spec.choices)
        return [Problem(spec.name, f"{spec.name} must be {choices}, not {quoted(value)}")]
    if spec.kind == "text" and (not isinstance(value, str) or not value):
        return [Problem(spec.name, f"{spec.name} must be a non-empty string")]
    if spec.kind in ("integer", "number") and (
        type(value) not in ((int,) if spec.kind == "integer" else (int, float))
    ):
        return [Problem(spec.name, f"{spec.name} must be a number")]
    return []


def _event_problem(rule: Rule) -> list[Problem]:
    if isinstance(rule.event, str) and rule.event in EVENTS:
        return []
    return [Problem("event", _unknown_event_message(rule.event))]


def _name_problems(rule: Rule) -> list[Problem]:
    if rule.name is not None and (not isinstance(rule.name, str) or not _NAME.match(rule.name)):
        return [
            Problem("name", "a name is letters, digits and '-_.:', starting with a letter or digit")
        ]
    return []


def _glob_problems(field_name: str) -> Callable[[Rule], list[Problem]]:
    """The check of ``pages`` or ``exclude``: page globs."""

    def check(rule: Rule) -> list[Problem]:
        globs = getattr(rule, field_name)
        if not isinstance(globs, tuple):
            return [
                Problem(
                    field_name,
                    f"'{field_name}' takes a page glob or a list of them, "
                    f'e.g. {field_name}: "/blog/**"',
                )
            ]
        problems = []
        for index, glob in enumerate(globs):
            if not isinstance(glob, str) or not glob:
                problems.append(
                    Problem(field_name, "a page glob must be a non-empty string", index)
                )
                continue
            found = paths.glob_problem(glob)
            if found:
                problems.append(Problem(field_name, found[1], index, found[0]))
        return problems

    return check


def _link_problems(rule: Rule) -> list[Problem]:
    if rule.link is None:
        return []
    if not isinstance(rule.link, str) or not rule.link:
        return [
            Problem(
                "link", "a link glob is a non-empty string such as '*.pdf', or outbound, or file"
            )
        ]
    found = links.link_glob_problem(rule.link)
    return [Problem("link", found[1], None, found[0])] if found else []


def _unknown_event_message(event: object) -> str:
    if event is None:
        return f"a rule needs an event: {', '.join(EVENTS)}"
    message = f"unknown event {quoted(event)}; events are {', '.join(EVENTS)}"
    # Only a word can be a misspelt event (a list could be an expanded YAML alias bomb).
    close = (
        difflib.get_close_matches(event, EVENTS, n=1)
        if isinstance(event, str) and len(event) < 50
        else []
    )
    return message + (f" (did you mean '{close[0]}'?)" if close else "")


def _selector_problems(rule: Rule) -> list[Problem]:
    if rule.selector is None:
        return []
    if not isinstance(rule.selector, str) or not rule.selector.strip():
        return [Problem("selector", "the selector must be a non-empty string")]
    return [
        Problem("selector", message, None, offset)
        for offset, message in css.selector_problems(rule.selector)
    ]


def _send_problems(rule: Rule) -> list[Problem]:
    if rule.send is not None and not isinstance(rule.send, tuple):
        return [
            Problem(
                "send",
                f"values must be strings, not {type(rule.send).__name__}; put the value in quotes",
            )
        ]
    if not rule.send:
        return [Problem("send", "a rule needs send: a value or a list of values")]
    problems = []
    has_element = rule.element_selector is not None and allows(RULE_FIELD["selector"], rule.event)
    for index, value in enumerate(rule.send):
        if not isinstance(value, str):
            problems.append(
                Problem(
                    "send",
                    f"values must be strings, not {type(value).__name__}; put the value in quotes",
                    index,
                )
            )
            continue
        if not value.strip():
            problems.append(Problem("send", "values must not be empty", index))
            continue
        surrogate = re.search("[\ud800-\udfff]", value)
        if surrogate:
            problems.append(
                Problem(
                    "send",
                    f"lone surrogate U+{ord(surrogate.group()):04X} cannot be sent as text",
                    index,
                    surrogate.start(),
                )
            )
            continue
        try:
            parts = parse_value(value)
        except ValueSyntaxError as error:
            problems.append(Problem("send", error.message, index, error.offset))
            continue
        for part in parts:
            if isinstance(part, Placeholder) and part.kind == "percent" and rule.event != "scroll":
                problems.append(
                    Problem(
                        "send",
                        "'{percent}' is the scroll depth reached: only a 'scroll' rule can send it",
                        index,
                        value.find("{percent}"),
                    )
                )
            if (
                isinstance(part, Placeholder)
                and part.kind in _ELEMENT_PLACEHOLDERS
                and not has_element
            ):
                offset = value.find("{" + part.kind)
                problems.append(
                    Problem(
                        "send",
                        f"'{{{part.kind}}}' needs an element, but this rule has no selector",
                        index,
                        offset,
                    )
                )
    return problems


def _seconds_problems(rule: Rule) -> list[Problem]:
    if rule.seconds is not None and (
        type(rule.seconds) not in (int, float) or not 0 < rule.seconds <= MAX_SECONDS
    ):
        return [Problem("seconds", f"seconds must be a number above 0 and at most {MAX_SECONDS}")]
    return []


def _depth_problems(rule: Rule) -> list[Problem]:
    """Problems with ``percent``: a scroll rule's depths, a visible rule's share."""
    if not given(rule.percent):
        return []
    if rule.event in RULE_FIELD["percent"].one_for and isinstance(rule.percent, tuple):
        return [
            Problem(
                "percent",
                "a 'visible' rule takes one percent (the share of the element in view), not a list",
            )
        ]
    if not isinstance(rule.percent, tuple):
        if type(rule.percent) is not int or not 1 <= rule.percent <= 100:
            return [Problem("percent", "percent must be a whole number from 1 to 100")]
        return []
    problems = []
    seen: set[int] = set()
    for index, depth in enumerate(rule.percent):
        if type(depth) is not int or not 1 <= depth <= 100:
            message = "a depth is a whole number from 1 to 100, e.g. percent: [25, 50, 75, 100]"
            problems.append(Problem("percent", message, index))
        elif depth in seen:
            message = f"the depth {depth} is given twice; give each depth once"
            problems.append(Problem("percent", message, index))
        else:
            seen.add(depth)
    return problems


# The checks of each rule field's value, run when its event allows it (see validate); a
# field with none here gets the check of its kind.
_VALUE_CHECKS: dict[str, Callable[[Rule], list[Problem]]] = {
    "name": _name_problems,
    "event": _event_problem,
    "selector": _selector_problems,
    "send": _send_problems,
    "pages": _glob_problems("pages"),
    "exclude": _glob_problems("exclude"),
    "percent": _depth_problems,
    "seconds": _seconds_problems,
    "link": _link_problems,
}


def _settle(
    record: Rule | Consent,
    lists: tuple[str, ...],
    single: tuple[type, ...],
    problems: Callable[..., list[Problem]],
) -> None:
    """The end of a frozen record's __post_init__: each field named in ``lists`` becomes a
    tuple (from a list, or one value of a ``single`` type other than bool), ``source`` is
    where the caller wrote it in Python unless given, and ``problems`` must find none, else
    InvalidRule."""
    for name in lists:
        value = getattr(record, name)
        if isinstance(value, (list, tuple)):
            object.__setattr__(record, name, tuple(value))
        elif isinstance(value, single) and not isinstance(value, bool):
            object.__setattr__(record, name, (value,))
    if record.source is None:
        object.__setattr__(record, "source", _caller_position())
    found = problems(record)
    if found:
        raise InvalidRule(found)


def _caller_position() -> Position | None:
    """Where a Rule was written in Python: the first frame outside this package."""
    package = str(Path(__file__).parent)
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(package) and not filename.startswith("<"):
            linecache.checkcache(filename)  # the file may have changed since it was cached
            line = linecache.getline(filename, frame.f_lineno)
            column = len(line) - len(line.lstrip()) + 1
            return Position(filename, frame.f_lineno, column, line)
        frame = frame.f_back
    return None


# What happens to the calls of a click or submit that makes the page leave.
Navigation = Literal["queue", "send"]
NAVIGATION: dict[Navigation, str] = {
    "queue": "they go to sessionStorage and the next page of the site that carries the "
    "bundle sends them (the default)",
    "send": "they go out at once (a smaller bundle; rtp.js may not finish sending them "
    "before the page unloads)",
}
NAVIGATION_HELP = (
    "navigation must be 'queue' (the default: the calls of a click or submit "
    "that leaves the page are sent by the next page) or 'send' (sent at once)"
)
NAVIGATION_EVENTS = ("click", "submit")

# Whether the site changes pages without loading them (history.pushState: Material for
# MkDocs' navigation.instant, Turbo, swup, Astro view transitions).
ClientNavigation = Literal["auto", "on", "off"]
CLIENT_NAVIGATION: dict[ClientNavigation, str] = {
    "auto": "on when the site's pages say so (Material for MkDocs with navigation.instant), "
    "else off (the default)",
    "on": "every page gets one bundle with every rule; a new path shown by history.pushState "
    "or back/forward is a new page for the rules",
    "off": "every page is loaded by the browser; each page gets only its own rules",
}
CLIENT_NAVIGATION_HELP = (
    "client_navigation must be 'auto' (the default: on for sites built with Material for "
    "MkDocs' navigation.instant), 'on' (the site changes pages with history.pushState) or 'off'"
)


def is_navigation(value: object) -> TypeGuard[Navigation]:
    """Whether ``value`` is a ``navigation`` setting (see NAVIGATION)."""
    return isinstance(value, str) and value in NAVIGATION


def is_client_navigation(value: object) -> TypeGuard[ClientNavigation]:
    """Whether ``value`` is a ``client_navigation`` setting (see CLIENT_NAVIGATION)."""
    return isinstance(value, str) and value in CLIENT_NAVIGATION


# The key of the consent platform's script among a page's selectors (rule indexes are >= 0).
CONSENT_SCRIPT = -1


@dataclass(frozen=True)
class RuleSet:
    """The validated rules of one rules file, in file order, and its settings: the RTP
    tag to inject, what happens to calls made while the page is leaving
    (``navigation``, see NAVIGATION), whether the site changes pages without loading
    them (``client_navigation``, see CLIENT_NAVIGATION) and what the visitor must grant
    before anything is sent (``consent``, see Consent)."""

    rules: tuple[Rule, ...]
    path: Path | None = field(default=None, compare=False)
    rtp: RtpTag | None = None
    navigation: Navigation = "queue"
    client_navigation: ClientNavigation = "auto"
    consent: Consent | None = None
    # Set on a page's share of a larger set (subset()) whose other bundles queue calls.
    receives: bool = False

    def __post_init__(self) -> None:
        # The types say so, but a Python rules file or a caller without mypy may not.
        if not is_navigation(self.navigation):
            raise InvalidRule([Problem("navigation", NAVIGATION_HELP)])
        if not is_client_navigation(self.client_navigation):
            raise InvalidRule([Problem("client_navigation", CLIENT_NAVIGATION_HELP)])
        if self.consent is not None and not isinstance(self.consent, Consent):
            raise InvalidRule([Problem("consent", "consent must be an rtp_snippets.Consent")])

    @property
    def can_leave(self) -> bool:
        """True when a rule's event (click, submit) can be one that makes the page leave."""
        return any(rule.event in NAVIGATION_EVENTS for rule in self.rules)

    @property
    def queues(self) -> bool:
        """True when this set's bundle queues the calls of a page that is leaving."""
        return self.navigation == "queue" and self.can_leave

    @property
    def delivers(self) -> bool:
        """True when this set's bundle sends calls queued on the previous page."""
        return self.queues or self.receives

    def subset(self, rules: Iterable[Rule]) -> RuleSet:
        """The same settings with only ``rules`` (one page's share): its bundle still
        sends the calls that the bundles of the other pages queued."""
        return replace(self, rules=tuple(rules), receives=self.delivers)

    def for_page(self, path: str) -> tuple[int, ...]:
        """The indexes of the rules that run on the page at ``path`` (``/``-rooted), as
        their pages/exclude globs decide."""
        return tuple(index for index, rule in enumerate(self.rules) if rule.applies_to(path))

    def page_selectors(
        self, path: str
    ) -> tuple[dict[int, str], frozenset[int], dict[int, str], dict[int, tuple[str, ...]]]:
        """The selectors of the rules that run on the page at ``path`` (by rule index),
        the indexes of the click rules among them, the link globs of link rules (the
        page stage counts only links whose URL matches) and what each rule's values read
        (``Rule.page_reads``): what the page stage is asked. The consent platform's script
        selector, if any, is asked under CONSENT_SCRIPT."""
        running = self.for_page(path)
        selectors = {
            index: selector
            for index in running
            if (selector := self.rules[index].element_selector) is not None
        }
        clicks = frozenset(index for index in selectors if self.rules[index].event == "click")
        globs = {index: link for index in selectors if (link := self.rules[index].link) is not None}
        reads = {index: needs for index in running if (needs := self.rules[index].page_reads)}
        if self.consent is not None and self.consent.script_selector:
            selectors[CONSENT_SCRIPT] = self.consent.script_selector
        return selectors, clicks, globs, reads

    def page_share(self, indexes: Iterable[int]) -> RuleSet:
        """The rules at ``indexes`` (from ``for_page``) as one page's set: pages and
        exclude were decided for the page, so its rules carry none."""
        decided = self._decided
        return self.subset(decided[index] for index in indexes)

    @cached_property
    def _decided(self) -> tuple[Rule, ...]:
        return tuple(
            replace(rule, pages=(), exclude=()) if rule.pages or rule.exclude else rule
            for rule in self.rules
        )

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)


_ACCOUNT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
_SCRIPT_URL = re.compile(r"(https:)?//[^\s\"'<>\\]+\.js\Z")


@dataclass(frozen=True, kw_only=True)
class RtpTag:
    """The RTP tag to put into pages: the account id (``aid``) and the ``rtp.js`` URL,
    both copied from the tag Marketo generates for the account."""

    account: str
    script: str
    source: Position | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.account, str) or not _ACCOUNT.match(self.account):
            problems.append(
                Problem(
                    "account", "account is the aid from your RTP tag: letters, digits and '_.-'"
                )
            )
        if not isinstance(self.script, str) or not _SCRIPT_URL.match(self.script):
            problems.append(
                Problem(
                    "script",
                    "script is the rtp.js URL from your RTP tag, starting with https:// or //",
                )
            )
        if problems:
            raise InvalidRule(problems)


COOKIEBOT_CATEGORIES = ("preferences", "statistics", "marketing")
# The script that loads the platform, for check --site, when the rules file names none.
CONSENT_SCRIPTS = {
    "onetrust": 'script[src*="otSDKStub.js" i], script[src*="otBannerSdk.js" i]',
    "cookiebot": 'script#Cookiebot, script[src*="consent.cookiebot." i]',
    "cookieconsent": 'script[src*="cookieconsent" i]',
    "klaro": 'script[src*="klaro" i]',
}
_GROUP = re.compile(GROUP_PATTERN + r"\Z")
_CONSENT_NAME = re.compile(CONSENT_NAME_PATTERN + r"\Z")
# A field of a JSON cookie: names, separated by dots, of nested objects.
_FIELD = re.compile(r"[^.\s\x00-\x1f]+(\.[^.\s\x00-\x1f]+)*\Z")
_COOKIE_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_COOKIE_VALUE = re.compile(f"[{COOKIE_VALUE_CHARACTERS}]*\\Z")
_FLAG = re.compile(FLAG_PATTERN + r"\Z", re.ASCII)
_EVENT_NAME = re.compile(EVENT_NAME_PATTERN + r"\Z")


@dataclass(frozen=True, kw_only=True)
class Consent:
    """What the visitor must have granted before any rule sends: ``platform`` (see
    CONSENT_PLATFORMS) and its condition. Until the platform says, calls are held in
    memory; granted, they go out in order; refused, they are dropped.

    ``groups``, ``categories``, ``purposes``, ``vendors`` and ``services`` accept one
    value or a list and are kept as tuples. ``script`` is a CSS selector for the element
    that loads the platform, which ``check --site`` looks for on every page (OneTrust,
    Cookiebot, vanilla-cookieconsent and Klaro have one by default, see
    CONSENT_SCRIPTS)."""

    platform: str
    groups: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    purposes: tuple[int, ...] = ()
    vendors: tuple[int, ...] = ()
    services: tuple[str, ...] = ()
    cookie: str | None = None
    # Before the setting named field, which hides dataclasses.field in this class body.
    source: Position | None = field(default=None, compare=False, repr=False)
    field: str | None = None
    value: str | None = None
    flag: str | None = None
    event: str | None = None
    script: str | None = None

    def __post_init__(self) -> None:
        lists = tuple(spec.name for spec in CONSENT_FIELDS if spec.many)
        _settle(self, lists, (str, int), consent_problems)

    @property
    def script_selector(self) -> str | None:
        """The selector ``check --site`` looks for on each page (None: nothing to look for)."""
        return self.script or CONSENT_SCRIPTS.get(self.platform)


def consent_problems(consent: Consent) -> list[Problem]:
    """Every problem with a Consent's fields (an empty list when it is valid)."""
    platform = consent.platform
    if not isinstance(platform, str) or platform not in CONSENT_PLATFORMS:
        return [
            Problem(
                "platform",
                f"unknown consent platform {quoted(platform)}; "
                f"platforms are {', '.join(CONSENT_PLATFORMS)}",
            )
        ]
    problems = []
    allowed = PLATFORM_SETTINGS[platform]
    for spec in CONSENT_FIELDS:
        if spec.allowed_by is not None and platform not in spec.allowed_by:
            if given(getattr(consent, spec.name)):
                problems.append(
                    Problem(
                        spec.name,
                        f"'{spec.name}' is not a {platform} setting; {platform} takes "
                        + ", ".join(allowed),
                    )
                )
    if platform == "onetrust":
        problems += _items(
            consent,
            "groups",
            lambda item: isinstance(item, str) and bool(_GROUP.match(item)),
            "a OneTrust group id, e.g. C0004 (targeting cookies)",
        )
    elif platform == "cookiebot":
        problems += _items(
            consent,
            "categories",
            lambda item: item in COOKIEBOT_CATEGORIES,
            f"a Cookiebot category: {', '.join(COOKIEBOT_CATEGORIES)}",
        )
    elif platform == "cookieconsent":
        problems += _items(
            consent,
            "categories",
            lambda item: isinstance(item, str) and bool(_CONSENT_NAME.match(item)),
            "a category of your vanilla-cookieconsent configuration, e.g. marketing",
        )
    elif platform == "klaro":
        problems += _items(
            consent,
            "services",
            lambda item: isinstance(item, str) and bool(_CONSENT_NAME.match(item)),
            "the name of a service in your Klaro configuration, e.g. google-ads",
        )
    elif platform == "tcf":
        purposes = CONSENT_FIELD["purposes"]
        if purposes.instead is not None and not consent.purposes and not consent.vendors:
            problems.append(Problem("purposes", purposes.instead[1]))
        problems += _items(
            consent,
            "purposes",
            lambda item: _whole(item, TCF_PURPOSES),
            f"a TCF purpose: a whole number from 1 to {TCF_PURPOSES}",
        )
        problems += _items(
            consent,
            "vendors",
            lambda item: _whole(item, TCF_VENDORS),
            "a TCF vendor id from the Global Vendor List: a whole number from 1",
        )
    elif platform == "cookie":
        if not isinstance(consent.cookie, str) or not _COOKIE_NAME.match(consent.cookie):
            problems.append(
                Problem("cookie", "cookie is the name of the consent cookie, e.g. site_consent")
            )
        if consent.field is not None:
            if not isinstance(consent.field, str) or not _FIELD.match(consent.field):
                problems.append(
                    Problem(
                        "field",
                        "field names a field of the cookie's JSON value, or a path of them "
                        "such as consent.categories",
                    )
                )
            if consent.value is not None and (
                not isinstance(consent.value, str) or not consent.value
            ):
                problems.append(
                    Problem(
                        "value",
                        "with field, value is the entry the field's list must hold, e.g. "
                        "marketing (without value, the field must be true)",
                    )
                )
        elif not isinstance(consent.value, str) or not consent.value:
            problems.append(
                Problem(
                    "value",
                    "value is a glob for the cookie's value as the browser has it "
                    "('*' for any characters), e.g. \"granted\"; for a cookie that holds "
                    "JSON, name its field instead (field: categories, value: marketing)",
                )
            )
        elif not _COOKIE_VALUE.match(consent.value):
            problems.append(
                Problem(
                    "value",
                    "a cookie value cannot hold spaces, quotes, commas, semicolons or "
                    "backslashes; write them as the site encodes them (e.g. %2C)",
                )
            )
    elif platform == "flag" and (
        not isinstance(consent.flag, str) or not _FLAG.match(consent.flag)
    ):
        problems.append(
            Problem(
                "flag",
                "flag is a window property, or a path of them such as siteConsent.marketing",
            )
        )
    if consent.event is not None and (
        not isinstance(consent.event, str) or not _EVENT_NAME.match(consent.event)
    ):
        problems.append(Problem("event", "event is a DOM event name (letters, digits, '_.:-')"))
    if consent.script is not None:
        if not isinstance(consent.script, str) or not consent.script.strip():
            problems.append(Problem("script", "script is a CSS selector, e.g. script#my-cmp"))
        else:
            problems += [
                Problem("script", message, None, offset)
                for offset, message in css.selector_problems(consent.script)
            ]
    return problems


def _whole(item: object, most: int) -> bool:
    return type(item) is int and 1 <= item <= most


def _items(
    consent: Consent,
    name: str,
    valid: Callable[[object], bool],
    what: str,
) -> list[Problem]:
    """The problems of a list setting: each item must be ``valid``; a platform that needs
    the setting (CONSENT_FIELDS' ``needed_by``, unless another may stand in) needs one."""
    spec = CONSENT_FIELD[name]
    required = consent.platform in spec.needed_by and spec.instead is None
    items = getattr(consent, name)
    if not isinstance(items, tuple):
        return [Problem(name, f"{name} takes one value or a list: each {what}")]
    if required and not items:
        return [Problem(name, f"{consent.platform} needs {name}: each {what}")]
    problems = [
        Problem(name, f"{quoted(item)} is not {what}", index)
        for index, item in enumerate(items)
        if not valid(item)
    ]
    if len(set(map(repr, items))) < len(items):
        problems.append(Problem(name, f"{name} lists a value twice"))
    return problems
