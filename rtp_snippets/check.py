"""Stage 4, check: lint the rules, and measure them against the built pages.

``lint_rules`` finds rules that are valid but probably wrong. ``check_site``
parses every page (BeautifulSoup's html.parser, selectors by soupsieve) and
counts, per rule, the pages it applies to and the elements its selector
matches, so a selector broken by a redesign is found before deploying. It also
checks each page's RTP tag.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import quoted
from .inject import PageSkipped, decode, is_rtp_tag
from .paths import matches, site_pages
from .scan import client_navigation, scan
from .terminal import shown, shown_cells, table

if TYPE_CHECKING:
    from .model import Rule, RuleSet

DEFAULT_MAX_MATCHES = 50
EXAMPLES = 3
# The lint shows this many warnings of each kind and counts the rest; a warning about a
# group names this many of its values or lines.
SHOWN_FINDINGS = 20
SHOWN_VALUES = 5
_SIMPLE_TOKEN = re.compile(r"[#.]([A-Za-z_][-A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Finding:
    """A problem: ``level`` is "error" or "warning"; ``rule`` is the rule it is about."""

    level: str
    message: str
    rule: Rule | None = None

    def __str__(self) -> str:
        where = f"{self.rule.source}: " if self.rule and self.rule.source else ""
        return shown(f"{where}{self.level}: {self.message}")


def lint_rules(ruleset: RuleSet) -> list[Finding]:
    """Rules that are valid but probably not what was meant: values that look alike,
    several rules sending on one event and selector, and ``view``/``visible`` rules
    without ``once``. At most SHOWN_FINDINGS warnings of each kind, then one that counts
    the rest: a file of ten thousand rules gets a report that can be read."""
    return (
        _look_alike_findings(ruleset) + _same_target_findings(ruleset) + _no_once_findings(ruleset)
    )


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
        if rule.selector is not None:
            by_target[rule.event, rule.selector].append(rule)
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


# --- the site ---------------------------------------------------------------


@dataclass(frozen=True)
class PageFacts:
    """What one page says about each rule (by index) and about its RTP tag."""

    path: str
    applies: tuple[int, ...]
    matches: dict[int, int]
    claimed: dict[int, bool]  # click rules: every match sits inside an <a>/<button> of another rule
    rtp_tags: int
    rtp_first: bool
    problem: str = ""
    navigation: str | None = None  # what makes the page change pages without a load


@dataclass
class RuleCoverage:
    rule: Rule
    applies: int = 0
    pages: int = 0
    elements: int = 0
    examples: list[str] = field(default_factory=list)
    most: tuple[int, str] = (0, "")
    claimed: bool = True


@dataclass
class SiteCheck:
    """The result of ``check_site``: coverage per rule, RTP tag lint, findings."""

    pages: int
    coverage: list[RuleCoverage]
    rtp: dict[str, list[str]]
    findings: list[Finding]
    unreadable: list[tuple[str, str]]
    # client_navigation of the rules file, and the pages that change pages without a load.
    client_navigation: str = "auto"
    navigating: dict[str, list[str]] = field(default_factory=dict)
    # Selectors lexbor does not run as Chromium does, so soupsieve checked them.
    soupsieve: list[str] = field(default_factory=list)

    def engine_summary(self) -> str:
        """One line on the selector engine, or "" when lexbor ran every selector."""
        if not self.soupsieve:
            return ""
        return shown(
            "Selectors checked with soupsieve on html.parser's tree, as lexbor does not run "
            "them as Chromium does (on malformed pages their counts may differ from a "
            "browser's): " + ", ".join(quoted(selector) for selector in self.soupsieve)
        )

    def navigation_summary(self) -> str:
        """One line on client-side navigation: what was found, and what inject does."""
        found = "; ".join(
            f"{kind} on {len(pages)} of {self.pages} pages (e.g. {', '.join(pages[:EXAMPLES])})"
            for kind, pages in self.navigating.items()
        )
        if self.client_navigation == "off":
            return shown(
                "Client-side navigation: off in the rules file"
                + (
                    f", though the site has {found}: pages shown without a load keep "
                    "the rules of the page loaded first"
                    if found
                    else ""
                )
            )
        if self.client_navigation == "on":
            found = "on in the rules file"
        elif not found:
            return (
                "Client-side navigation: none found; each page gets its own rules "
                "(set client_navigation: on if the site changes pages with history.pushState)"
            )
        return shown(
            f"Client-side navigation: {found}; inject gives every page one bundle with "
            "every rule, and pages/exclude are checked in the browser for each page shown"
        )

    def table(self) -> str:
        """An aligned table: one row per rule with its coverage."""
        rows = [("line", "rule", "applies", "matches", "elements", "examples")]
        for entry in self.coverage:
            rule = entry.rule
            target = rule.selector or (
                f"{rule.percent}%"
                if rule.percent
                else f"{rule.seconds:g}s"
                if rule.seconds
                else "-"
            )
            has_selector = rule.selector is not None
            rows.append(
                (
                    str(rule.source.line) if rule.source else "-",
                    f"{rule.name + ': ' if rule.name else ''}{rule.event} {target}",
                    str(entry.applies),
                    str(entry.pages) if has_selector else "-",
                    str(entry.elements) if has_selector else "-",
                    ", ".join(entry.examples),
                )
            )
        return table(rows, right={2, 3, 4})

    def rtp_summary(self) -> str:
        """One line about the RTP tag across the pages."""
        labels = {
            "missing": "without an RTP tag",
            "several": "with more than one RTP tag",
            "not first": "where the RTP tag is not the first script in <head>",
        }
        parts = [
            f"{len(pages)} pages {labels[kind]} (e.g. {', '.join(pages[:EXAMPLES])})"
            for kind, pages in self.rtp.items()
            if pages
        ]
        return shown(
            f"RTP tag on {self.pages} pages: " + ("; ".join(parts) if parts else "all fine")
        )


def check_site(
    root: str | Path,
    ruleset: RuleSet,
    *,
    max_matches: int = DEFAULT_MAX_MATCHES,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SiteCheck:
    """Measure every rule against every HTML page under ``root``;
    ``progress(done, total)`` is called after each page."""
    root = Path(root)
    paths = sorted(site_pages(root)[0])  # the same pages inject would process
    rules = tuple(ruleset)
    facts = page_facts(root, paths, rules, jobs, progress)
    coverage = [RuleCoverage(rule) for rule in rules]
    rtp: dict[str, list[str]] = {"missing": [], "several": [], "not first": []}
    unreadable = []
    navigating: dict[str, list[str]] = {}
    for page in facts:
        if page.problem:
            unreadable.append((page.path, page.problem))
            continue
        for index in page.applies:
            coverage[index].applies += 1
        for index, count in page.matches.items():
            if count == 0:
                continue
            entry = coverage[index]
            entry.pages += 1
            entry.elements += count
            if len(entry.examples) < EXAMPLES:
                entry.examples.append(page.path)
            if count > entry.most[0]:
                entry.most = (count, page.path)
            entry.claimed = entry.claimed and page.claimed.get(index, False)
        if page.navigation:
            navigating.setdefault(page.navigation, []).append(page.path)
        if page.rtp_tags == 0:
            rtp["missing"].append(page.path)
        elif page.rtp_tags > 1:
            rtp["several"].append(page.path)
        elif not page.rtp_first:
            rtp["not first"].append(page.path)
    findings = lint_rules(ruleset) + _coverage_findings(coverage, paths, max_matches)
    soupsieve = sorted(
        {rule.selector for rule in rules if rule.selector and not lexbor_runs(rule.selector)}
    )
    return SiteCheck(
        len(paths),
        coverage,
        rtp,
        findings,
        unreadable,
        ruleset.client_navigation,
        navigating,
        soupsieve,
    )


def _coverage_findings(
    coverage: list[RuleCoverage], paths: list[str], max_matches: int
) -> list[Finding]:
    findings = []
    for entry in coverage:
        rule = entry.rule
        glob_errors = [
            Finding("error", f"{field_name} glob {glob!r} matches no page", rule)
            for field_name in ("pages", "exclude")
            for glob in getattr(rule, field_name)
            if not any(matches([glob], path) for path in paths)
        ]
        findings += glob_errors
        if entry.applies == 0 and not glob_errors:
            findings.append(Finding("error", "pages and exclude leave no page for the rule", rule))
        if rule.selector is None or entry.applies == 0:
            continue
        if rule.dynamic:
            continue  # page scripts make its elements: the built pages cannot show them
        if entry.pages == 0:
            where = (
                "any page"
                if entry.applies == len(paths)
                else f"the {entry.applies} pages it applies to"
            )
            findings.append(
                Finding("error", f"selector {rule.selector!r} matches nothing on {where}", rule)
            )
            continue
        if entry.most[0] > max_matches:
            findings.append(
                Finding(
                    "warning",
                    f"selector {rule.selector!r} matches {entry.most[0]} "
                    f"elements on {entry.most[1]} (more than {max_matches}); "
                    "is it too broad?",
                    rule,
                )
            )
        if rule.event == "click" and entry.claimed:
            findings.append(
                Finding(
                    "warning",
                    f"every element {rule.selector!r} matches is inside "
                    "a link or button that another click rule already sends for; "
                    "one click sends both",
                    rule,
                )
            )
    return findings


def page_facts(
    root: Path,
    paths: list[str],
    rules: tuple[Rule, ...],
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[PageFacts]:
    """PageFacts for each path, in worker processes when jobs > 1."""
    jobs = jobs or os.cpu_count() or 1
    tasks = [(str(root), path) for path in paths]
    facts: list[PageFacts] = []
    if jobs == 1 or len(tasks) < 2:
        _use_rules(rules)
        for task in tasks:
            facts.append(_facts(task))
            if progress:
                progress(len(facts), len(tasks))
        return facts
    from concurrent.futures import ProcessPoolExecutor

    # The rules go to each worker once, not with every page.
    with ProcessPoolExecutor(max_workers=jobs, initializer=_use_rules, initargs=(rules,)) as pool:
        chunksize = max(1, min(32, len(tasks) // (jobs * 4)))
        for result in pool.map(_facts, tasks, chunksize=chunksize):
            facts.append(result)
            if progress:
                progress(len(facts), len(tasks))
    return facts


_RULES: tuple[Rule, ...] = ()  # the rules _facts checks, in this process


def _use_rules(rules: tuple[Rule, ...]) -> None:
    global _RULES
    _RULES = rules


def _facts(task: tuple[str, str]) -> PageFacts:
    root, path = task
    rules = _RULES
    try:
        with open(os.path.join(root, path[1:]), "rb") as handle:
            data = handle.read()
        _, text, _ = decode(data)
    except PageSkipped as skipped:
        return PageFacts(path, (), {}, {}, 0, False, skipped.reason)
    except OSError as error:
        return PageFacts(path, (), {}, {}, 0, False, f"cannot read: {error.strerror}")
    applies = tuple(index for index, rule in enumerate(rules) if rule.applies_to(path))
    tags: list = []
    rtp_first = False
    # Every form of the RTP tag names rtp.js: without it, the page needs no scan.
    if "rtp.js" in text:
        found = scan(text)
        tags = [script for script in found.scripts if is_rtp_tag(script)]
        head_scripts = [script for script in found.scripts if script.in_head]
        rtp_first = bool(tags) and bool(head_scripts) and head_scripts[0] is tags[0]
    selectors = {index: rules[index].selector for index in applies}
    lowered = text.lower()
    wanted = [
        index
        for index, selector in selectors.items()
        if selector is not None and _may_match(selector, lowered)
    ]
    counts: dict[int, int] = {index: 0 for index in applies if rules[index].selector is not None}
    claimed: dict[int, bool] = {}
    if wanted:
        # Only pages a selector may match are parsed: by lexbor, a browser's HTML parser
        # and selector engine, unless a selector needs soupsieve (see lexbor_runs).
        chosen = {index: selectors[index] or "" for index in wanted}
        clicks = {index for index in wanted if rules[index].event == "click"}
        selected = select(data, chosen, clicks)
        clickable = {
            key
            for index, elements in selected.items()
            if rules[index].event == "click"
            for name, key, _ in elements
            if name in ("a", "button")
        }
        for index, elements in selected.items():
            counts[index] = len(elements)
            if rules[index].event == "click" and elements:
                claimed[index] = all(
                    link is not None and link in clickable for _, _, link in elements
                )
    return PageFacts(
        path, applies, counts, claimed, len(tags), rtp_first, navigation=client_navigation(data)
    )


# Pseudo-classes lexbor (selectolax 1.0.2) runs as Chromium does; tests/test_check_engine.py
# compares its counts with Chromium's on every corpus page. The others go to soupsieve:
# lexbor cannot parse some (:dir, :lang, :focus-within, :target, ...) and answers others
# differently (:enabled, :optional, :read-only, :read-write, and :checked on <option>).
LEXBOR_PSEUDO_CLASSES = frozenset(
    """
    any-link disabled empty first-child first-of-type has is last-child
    last-of-type link not nth-child nth-last-child nth-last-of-type nth-of-type
    only-child only-of-type required root where
    """.split()
)
# lexbor never counts the root element for these (Chromium does: <html> is the first, last
# and only child of the document)...
_STRUCTURAL = re.compile(r":(?:first|last|only|nth)-", re.IGNORECASE)
# ... and compares these attributes' values case-sensitively, where HTML wants them
# compared ignoring ASCII case ([lang|=en] matches lang="EN").
_CASELESS_ATTRIBUTES = frozenset(
    """
    accept accept-charset align alink axis bgcolor charset checked clear codetype color
    compact declare defer dir direction disabled enctype face frame hreflang http-equiv
    lang language link media method multiple nohref noresize noshade nowrap readonly rel
    rev rules scope scrolling selected shape target text type valign valuetype vlink
    """.split()
)
_PSEUDO_CLASS = re.compile(r"(?<!\\):{1,2}([-A-Za-z]+)")
_ATTRIBUTE_VALUE = re.compile(r"\[\s*([-A-Za-z_:]+)\s*[~|^$*]?=")
_SUBJECT_TYPE = re.compile(r"[A-Za-z][-A-Za-z0-9]*")


@lru_cache(maxsize=1024)
def lexbor_runs(selector: str) -> bool:
    """Whether lexbor counts what Chromium counts for ``selector`` (else soupsieve does)."""
    names = {name.lower() for name in _PSEUDO_CLASS.findall(selector)}
    if not names <= LEXBOR_PSEUDO_CLASSES:
        return False
    if any(name.lower() in _CASELESS_ATTRIBUTES for name in _ATTRIBUTE_VALUE.findall(selector)):
        return False
    if _STRUCTURAL.search(selector) and any(
        _may_be_root(subject) for subject in _subjects(selector)
    ):
        return False
    return _lexbor_parses(selector)


def _subjects(selector: str) -> list[str]:
    """Of each selector in the list, the compound selector that may match the root: the
    whole selector, when it has no combinator ("" when it has one: then the element it
    matches has a parent or a sibling, which the root has not)."""
    subjects, depth, start, quote, combined = [], 0, 0, "", False
    for position, char in enumerate(selector):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth == 0 and (char in ">+~" or char == " " and _between(selector, start, position)):
            combined = True
        elif depth == 0 and char == ",":
            subjects.append("" if combined else selector[start:position].strip())
            start, combined = position + 1, False
    subjects.append("" if combined else selector[start:].strip())
    return subjects


def _between(selector: str, start: int, position: int) -> bool:
    """Whether the space at ``position`` has a compound selector on both sides."""
    after = selector[position:].lstrip()[:1]
    return bool(selector[start:position].strip()) and after not in ("", ",")


def _may_be_root(subject: str) -> bool:
    """Whether a compound selector may match <html>: no type, or the type html."""
    if not subject:
        return False
    element = _SUBJECT_TYPE.match(subject)
    return element is None or element.group(0).lower() == "html"


@lru_cache(maxsize=1024)
def _lexbor_parses(selector: str) -> bool:
    from selectolax.lexbor import LexborHTMLParser, SelectolaxError

    try:
        LexborHTMLParser("<p>").css(selector)
    except SelectolaxError:
        return False
    return True


# A match: the element's tag name, a key for it, and the key of the nearest <a> or
# <button> around it (None without one); keys compare within one page only.
Match = tuple[str, int, "int | None"]


def select(
    data: bytes, selectors: dict[int, str], around: set[int] | frozenset[int] = frozenset()
) -> dict[int, list[Match]]:
    """The elements each selector matches on the page: by lexbor, as a browser parses the
    page, or by soupsieve on html.parser's tree for the selectors lexbor does not run as
    Chromium does (keys of the two do not compare: an element inside a link one engine
    found is not "claimed" by a link the other found). The link around an element is
    looked up for the selectors in ``around`` only (None for the others)."""
    found: dict[int, list[Match]] = {}
    by_lexbor = {index: s for index, s in selectors.items() if lexbor_runs(s)}
    if by_lexbor:
        from selectolax.lexbor import LexborHTMLParser

        tree = LexborHTMLParser(data, encoding=True, scripting=True)
        for index, selector in by_lexbor.items():
            found[index] = [
                (node.tag or "", node.mem_id, _around(node, "tag", "mem_id"))
                if index in around
                else (node.tag or "", 0, None)
                for node in tree.css(selector)
            ]
    if len(by_lexbor) < len(selectors):
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(data, "html.parser")
        for index, selector in selectors.items():
            if index not in by_lexbor:
                found[index] = [
                    (element.name, id(element), _around(element, "name", None))
                    if index in around
                    else (element.name, 0, None)
                    for element in soup.select(selector)
                ]
    return found


def _around(element, name: str, key: str | None) -> int | None:
    """The key of the nearest <a> or <button> that holds ``element``, or None."""
    parent = element.parent
    while parent is not None:
        if getattr(parent, name) in ("a", "button"):
            return getattr(parent, key) if key else id(parent)
        parent = parent.parent
    return None


def _may_match(selector: str, lowered: str) -> bool:
    """False only when the page (its text in lower case) cannot match: an id or class the
    selector needs is absent.

    Selectors with alternatives, pseudo-classes or escapes are always parsed.
    """
    if any(char in selector for char in ",:\\[("):
        return True
    return all(token.lower() in lowered for token in _SIMPLE_TOKEN.findall(selector))


def catalog_rows(ruleset: RuleSet, site: SiteCheck | None = None) -> list[dict]:
    """One row per value a rule can send, for ``rtp-snippets catalog``."""
    rows = []
    coverage = {id(entry.rule): entry for entry in site.coverage} if site else {}
    for rule in ruleset:
        entry = coverage.get(id(rule))
        for value in rule.send:
            row = {
                "value": value,
                "rule": rule.name or "",
                "line": rule.source.line if rule.source else None,
                "event": rule.event,
                "selector": rule.selector or "",
                "pages": ", ".join(rule.pages) or "all",
                "once": rule.once or "",
            }
            if entry is not None:
                row["site pages"] = entry.pages if rule.selector is not None else entry.applies
            rows.append(row)
    return rows


def catalog_markdown(rows: list[dict]) -> str:
    if not rows:
        return "# RTP custom data events\n\nNo rules.\n"
    columns = list(rows[0])
    lines = [
        "# RTP custom data events",
        "",
        "Every value this site can send with rtp('send', 'event', …). Generated by "
        "`rtp-snippets catalog`; commit it so reviews show added, removed and renamed events.",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
    ]
    table_cells, _ = shown_cells(
        [
            [str(row[column]) if row[column] not in (None, "") else "-" for column in columns]
            for row in rows
        ]
    )
    for cells in table_cells:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def stale_catalog(
    catalog_file: Path,
    ruleset: RuleSet,
    site: SiteCheck | None,
    rules_path: Path,
    site_folder: Path | None,
) -> list[Finding]:
    """An error when ``catalog_file`` is not what ``rtp-snippets catalog`` would write now."""
    wanted = catalog_markdown(catalog_rows(ruleset, site))
    current = catalog_file.read_text(encoding="utf-8") if catalog_file.exists() else None
    if current == wanted:
        return []
    site_option = f" --site {site_folder}" if site_folder else ""
    return [
        Finding(
            "error",
            f"the catalogue {catalog_file} is stale; run rtp-snippets catalog "
            f"-r {rules_path}{site_option} -o {catalog_file}",
        )
    ]


def check_report(rules_path: Path, site: SiteCheck | None, findings: list[Finding]) -> dict:
    """The machine-readable report of ``rtp-snippets check --json``."""
    report: dict = {
        "rules_file": str(rules_path),
        "findings": [
            {"level": finding.level, "message": finding.message, **_place(finding.rule)}
            for finding in findings
        ],
    }
    if site:
        report["pages"] = site.pages
        report["rules"] = [
            {
                **_place(entry.rule),
                "name": entry.rule.name,
                "event": entry.rule.event,
                "selector": entry.rule.selector,
                "applies": entry.applies,
                "matches": entry.pages if entry.rule.selector is not None else None,
                "elements": entry.elements if entry.rule.selector is not None else None,
                "examples": entry.examples,
            }
            for entry in site.coverage
        ]
        report["rtp_tag"] = {
            kind: {"count": len(pages), "examples": pages[:EXAMPLES]}
            for kind, pages in site.rtp.items()
        }
        report["client_navigation"] = {
            "setting": site.client_navigation,
            "found": {
                kind: {"count": len(pages), "examples": pages[:EXAMPLES]}
                for kind, pages in site.navigating.items()
            },
        }
        report["soupsieve_selectors"] = site.soupsieve
        report["unreadable"] = [
            {"path": path, "reason": reason} for path, reason in site.unreadable
        ]
    return report


def _place(rule: Rule | None) -> dict:
    """The report's "line" and "column" of a rule; None for both when it is not known."""
    source = rule.source if rule else None
    return {"line": source.line if source else None, "column": source.column if source else None}
