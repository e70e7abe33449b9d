"""Stage 6, lint: rules that are valid but probably not what was meant (part of check)."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import Position, quoted
from .terminal import shown

if TYPE_CHECKING:
    from .model import Rule, RuleSet

# The lint shows this many warnings of each kind and counts the rest; a warning about a
# group names this many of its values or lines.
SHOWN_FINDINGS = 20
SHOWN_VALUES = 5


@dataclass(frozen=True)
class Finding:
    """A problem: ``level`` is "error" or "warning"; ``rule`` is the rule it is about, or
    ``at`` the place in the rules file (a section) when it is about no rule."""

    level: str
    message: str
    rule: Rule | None = None
    at: Position | None = None

    @property
    def source(self) -> Position | None:
        """Where in the rules file the finding points (None: nowhere in particular)."""
        return self.rule.source if self.rule else self.at

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        return shown(f"{where}{self.level}: {self.message}")


def lint_rules(ruleset: RuleSet) -> list[Finding]:
    """Rules that are valid but probably not what was meant: values that look alike,
    several rules sending on one event and selector, ``view``/``visible`` rules without
    ``once``, and a value glob over a consent banner's JSON cookie. At most
    SHOWN_FINDINGS warnings of each kind, then one that counts the rest: a file of ten
    thousand rules gets a report that can be read."""
    return (
        _look_alike_findings(ruleset)
        + _same_target_findings(ruleset)
        + _no_once_findings(ruleset)
        + _consent_findings(ruleset)
    )


# Consent banners that keep their choice as JSON in a cookie, and what to write instead of
# a value glob (which never grants consent from JSON: templates/runtime/consent-cookie-value.js).
JSON_COOKIES = {
    "cc_cookie": "vanilla-cookieconsent's cookie; use platform: cookieconsent, or field: "
    "categories and value: marketing",
    "klaro": "Klaro's cookie; use platform: klaro, or field: the service's name",
    "CookieConsent": "Cookiebot's cookie; use platform: cookiebot",
}


def _consent_findings(ruleset: RuleSet) -> list[Finding]:
    consent = ruleset.consent
    if consent is None or consent.platform != "cookie" or consent.field is not None:
        return []
    advice = JSON_COOKIES.get(consent.cookie or "")
    if advice is None:
        return []
    return [
        Finding(
            "warning",
            f"{consent.cookie} holds JSON, which a value glob never grants consent from: "
            f"it is {advice}",
            at=consent.source,
        )
    ]


def _look_alike_findings(ruleset: RuleSet) -> list[Finding]:
    first_rule: dict[str, Rule] = {}  # each value and the first rule that sends it
    for rule in ruleset:
        for value in rule.send:
            first_rule.setdefault(value, rule)
    findings = []
    for group in similar_values(list(first_rule)):
        shown_values = group.values[:SHOWN_VALUES]
        named = ", ".join(
            f"{quoted(value)} (line {_line(first_rule[value])})" for value in shown_values[:-1]
        )
        last, rest = quoted(shown_values[-1]), len(group.values) - len(shown_values)
        listed = f"{named}, {last} and {rest} more" if rest else f"{named} and {last}"
        if group.case and group.typo:
            how = "differ only in case, spaces or punctuation, or are one or two letters apart"
        elif group.case:
            how = "differ only in case, spaces or punctuation"
        else:
            how = "are one or two letters apart"
        findings.append(
            Finding(
                "warning",
                f"values {listed} {how}{' (a typo?)' if group.typo else ''}; "
                "RTP counts them as different events",
                # Where the last value it names is, the one written without its line.
                first_rule[shown_values[-1]],
            )
        )
    return _capped(
        findings,
        "group of values that differ only in case, spaces or punctuation or by one or two letters",
        "groups of values that differ only in case, spaces or punctuation or by one or two letters",
    )


def _same_target_findings(ruleset: RuleSet) -> list[Finding]:
    by_target: dict[tuple[str, str], list[Rule]] = defaultdict(list)
    for rule in ruleset:
        if rule.element_selector is not None:
            by_target[rule.event, rule.target].append(rule)
    findings = []
    for (event, selector), rules in by_target.items():
        if len(rules) < 2:
            continue
        lines = [_line(rule) for rule in rules[:-1]]
        if len(lines) == 1:
            others, sends, count = f"line {lines[0]}", "sends", "both"
        else:
            if len(lines) > SHOWN_VALUES:
                lines = [*lines[: SHOWN_VALUES - 1], f"{len(lines) - SHOWN_VALUES + 1} more"]
            others = f"lines {', '.join(lines[:-1])} and {lines[-1]}"
            sends, count = "send", f"all {len(rules)}"
        findings.append(
            Finding(
                "warning",
                f"{others} also {sends} on {event} of {quoted(selector)}; "
                f"one click would send {count}",
                rules[-1],
            )
        )
    return _capped(
        findings,
        "selector that several rules send on",
        "selectors that several rules send on",
    )


def _no_once_findings(ruleset: RuleSet) -> list[Finding]:
    findings = [
        Finding(
            "warning",
            f"a '{rule.event}' rule without once sends again "
            "on every page load; add once: session (custom data events "
            "count once per session anyway)",
            rule,
        )
        for rule in ruleset
        if rule.event in ("view", "visible") and rule.once is None
    ]
    return _capped(
        findings,
        "'view' or 'visible' rule without once",
        "'view' or 'visible' rules without once",
    )


def _capped(findings: list[Finding], one: str, several: str) -> list[Finding]:
    """The first SHOWN_FINDINGS findings, and one that counts the rest."""
    if len(findings) <= SHOWN_FINDINGS:
        return findings
    rest = len(findings) - SHOWN_FINDINGS
    what = f"{rest} more {one} is" if rest == 1 else f"{rest} more {several} are"
    return [*findings[:SHOWN_FINDINGS], Finding("warning", f"{what} not shown")]


def _line(rule: Rule) -> str:
    return str(rule.source.line) if rule.source else "?"


# --- values that look alike ---------------------------------------------------------

# Values this long or longer that are one or two letters apart look alike.
TYPO_LENGTH = 6
# Forms up to this long are compared by cutting letters out of them: the time grows with
# the square of their length. Longer forms, rare in practice, by thirds (_long_pairs).
_CUT_LENGTH = 40
# Marks the place of a cut letter: a lone surrogate, which no value holds (the model
# refuses them).
_MARK = "\ud800"
_CASE, _TYPO = 1, 2


@dataclass(frozen=True)
class SimilarValues:
    """Values that RTP counts as different events but that look alike, in file order.
    ``case``: some of them differ only in case, spaces or punctuation; ``typo``: some
    (``TYPO_LENGTH`` or more characters long) are one or two letters apart."""

    values: tuple[str, ...]
    case: bool
    typo: bool


def similar_values(values: Sequence[str]) -> list[SimilarValues]:
    """The groups of look-alike ``values`` (all different), in the order of their first
    value: two values are in one group when a chain of look-alike pairs joins them.

    Values are grouped by their normalized form (a dict), and the pairs one or two letters
    apart are found by cutting letters out (``_near_pairs``), never by comparing every
    pair: ten thousand values take seconds, not hours.
    """
    groups = _Groups(len(values))
    by_form: dict[str, int] = {}
    for index, value in enumerate(values):
        groups.join(by_form.setdefault(_normalized(value), index), index, _CASE)
    lowered: dict[str, int] = {}  # values equal in lower case normalize alike: joined above
    for index, value in enumerate(values):
        if len(value) >= TYPO_LENGTH:
            lowered.setdefault(value.lower(), index)
    forms, owners = list(lowered), list(lowered.values())

    def joined(first: int, second: int) -> bool:
        return groups.find(owners[first]) == groups.find(owners[second])

    for first, second in _near_pairs(forms, joined):
        groups.join(owners[first], owners[second], _TYPO)
    members: dict[int, list[int]] = defaultdict(list)
    for index in range(len(values)):
        members[groups.find(index)].append(index)
    return [
        SimilarValues(
            tuple(values[index] for index in indexes),
            bool(groups.kinds[root] & _CASE),
            bool(groups.kinds[root] & _TYPO),
        )
        for root, indexes in members.items()
        if len(indexes) > 1
    ]


class _Groups:
    """Union-find over indexes; each group remembers how its members were joined."""

    def __init__(self, size: int):
        self.parent = list(range(size))
        self.kinds = [0] * size

    def find(self, index: int) -> int:
        while self.parent[index] != index:
            self.parent[index] = self.parent[self.parent[index]]
            index = self.parent[index]
        return index

    def join(self, first: int, second: int, kind: int) -> None:
        first, second = self.find(first), self.find(second)
        if first != second:
            self.parent[second] = first
            self.kinds[first] |= self.kinds[second] | kind


def _near_pairs(forms: list[str], joined: Callable[[int, int], bool]) -> Iterator[tuple[int, int]]:
    """Pairs of ``forms`` (all different) one or two edits apart (a letter inserted,
    deleted or replaced): all of them, or enough to join the same groups.

    Two forms of one length are one or two letters replaced, and so equal once the same
    two places are cut out of both; or one letter inserted and another deleted, and so
    equal once each loses a letter. A form one letter longer is, less one of its letters,
    at most one letter replaced from the shorter form: equal with one place marked in
    both. A form two letters longer is the shorter form once two of its letters are cut.
    Each test is a dict lookup; forms sharing a cut form are all one group apart, so one
    of them stands for the rest. ``joined(i, j)`` says whether a pair is already in one
    group, which spares comparing long forms again.
    """
    by_length: dict[int, list[int]] = defaultdict(list)
    for index, form in enumerate(forms):
        by_length[len(form)].append(index)
    for length, group in sorted(by_length.items()):
        if length > _CUT_LENGTH:
            break
        texts = [forms[index] for index in group]
        if len(group) > 1:
            for first in range(length):
                cut = [text[:first] + text[first + 1 :] for text in texts]
                for second in range(first, length - 1):
                    yield from _equal([text[:second] + text[second + 1 :] for text in cut], group)
            yield from _equal(
                [text[:at] + text[at + 1 :] for text in texts for at in range(length)],
                [index for index in group for _ in range(length)],
            )
        one_longer = by_length.get(length + 1, ())
        if one_longer:
            marked = dict(zip(texts, group, strict=True))
            for text, index in zip(texts, group, strict=True):
                marked.update(dict.fromkeys(_marked(text), index))
            for index in one_longer:
                shorter = set(_deletions(forms[index]))
                for key in shorter.union(*map(_marked, shorter)) & marked.keys():
                    yield marked[key], index
        two_longer = by_length.get(length + 2, ())
        if two_longer:
            whole = dict(zip(texts, group, strict=True))
            for index in two_longer:
                for key in _two_deletions(forms[index]) & whole.keys():
                    yield whole[key], index
    yield from _long_pairs(forms, by_length, joined)


def _equal(keys: list[str], owners: list[int]) -> Iterator[tuple[int, int]]:
    """A pair of owners for each key that several own (one of them with each other)."""
    last = dict(zip(keys, owners, strict=True))
    if len(last) < len(keys):
        for key, owner in zip(keys, owners, strict=True):
            if last[key] != owner:
                yield last[key], owner


def _deletions(text: str) -> list[str]:
    return [text[:at] + text[at + 1 :] for at in range(len(text))]


def _two_deletions(text: str) -> set[str]:
    return {
        shorter[:second] + shorter[second + 1 :]
        for first, shorter in enumerate(_deletions(text))
        for second in range(first, len(shorter))
    }


def _marked(text: str) -> list[str]:
    return [text[:at] + _MARK + text[at + 1 :] for at in range(len(text))]


def _long_pairs(
    forms: list[str], by_length: dict[int, list[int]], joined: Callable[[int, int], bool]
) -> Iterator[tuple[int, int]]:
    """The near pairs of forms longer than _CUT_LENGTH. An edit touches at most one of
    the thirds of a form, so one of them is unchanged in the other form, at most two
    places off: forms sharing one are compared with ``_within_two``."""
    thirds: dict[tuple[int, int, str], list[int]] = defaultdict(list)
    for length, group in sorted(by_length.items()):
        if length <= _CUT_LENGTH:
            continue
        for index in group:
            text = forms[index]
            candidates: set[int] = set()
            for other in range(length - 2, length + 1):
                for number, (start, end) in enumerate(_thirds(other)):
                    for shift in range(max(-2, -start), min(2, length - end) + 1):
                        key = (other, number, text[start + shift : end + shift])
                        candidates.update(thirds.get(key, ()))
            for candidate in sorted(candidates):
                if not joined(candidate, index) and _within_two(forms[candidate], text):
                    yield candidate, index
            for number, (start, end) in enumerate(_thirds(length)):
                thirds[length, number, text[start:end]].append(index)


def _thirds(length: int) -> tuple[tuple[int, int], ...]:
    first, second = length // 3, 2 * length // 3
    return ((0, first), (first, second), (second, length))


def _within_two(first: str, second: str) -> bool:
    """Whether the Levenshtein distance of the two is at most 2: the common start and end
    are set aside, then the table is filled two cells either side of its diagonal only."""
    if len(first) > len(second):
        first, second = second, first
    if len(second) - len(first) > 2:
        return False
    start = 0
    while start < len(first) and first[start] == second[start]:
        start += 1
    end, end_second = len(first), len(second)
    while end > start and first[end - 1] == second[end_second - 1]:
        end, end_second = end - 1, end_second - 1
    first, second = first[start:end], second[start:end_second]
    previous = list(range(len(second) + 1))
    for row, char in enumerate(first, start=1):
        current = [row] + [3] * len(second)
        for column in range(max(1, row - 2), min(len(second), row + 2) + 1):
            current[column] = min(
                previous[column] + 1,
                current[column - 1] + 1,
                previous[column - 1] + (char != second[column - 1]),
            )
        if min(current) > 2:
            return False
        previous = current
    return previous[-1] <= 2


def _normalized(value: str) -> str:
    kept = [
        char
        for char in value.lower()
        if not unicodedata.category(char).startswith(("P", "Z")) and not char.isspace()
    ]
    return "".join(kept)
