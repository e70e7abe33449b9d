"""Stage 7, coverage: every rule measured against the built pages (part of check).

``check_site`` reads every page once (the page stage: lexbor, a browser's parser and
selector engine) and counts, per rule, the pages it applies to and the elements its
selector matches, so a selector broken by a redesign is found before deploying. It also
checks each page's RTP tag and says how the site changes pages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import quoted
from .facts import read_site_facts
from .links import CHECK_HOST
from .lint import Finding, lint_rules
from .page import PageFacts, is_fixed_base, lexbor_runs
from .paths import matches
from .terminal import counted, shown, table
from .walk import site_pages

if TYPE_CHECKING:
    from .model import Consent, Part, Rule, RuleSet

DEFAULT_MAX_MATCHES = 50
EXAMPLES = 3
# The different values kept per value of a rule (with the pages each is sent on); the
# others are only counted.
MAX_VALUES = 200
# Placeholders the pages' HTML fills in; {host} and {query:NAME} it cannot know.
PAGE_PLACEHOLDERS = frozenset({"text", "attr", "title", "path"})


@dataclass
class RuleCoverage:
    rule: Rule
    applies: int = 0
    pages: int = 0
    elements: int = 0
    examples: list[str] = field(default_factory=list)
    most: tuple[int, str] = (0, "")
    claimed: bool = True
    # For each value as written that has placeholders the HTML fills in: the values it
    # sends, as far as the pages' HTML tells, and on how many pages each; and how many
    # other values there were beyond MAX_VALUES.
    values: dict[str, Counter[str]] = field(default_factory=dict)
    more_values: dict[str, int] = field(default_factory=dict)

    def value_examples(self, written: str, count: int = EXAMPLES) -> list[tuple[str, int]]:
        """The values most pages send for ``written``: (value, pages), most first."""
        found = self.values.get(written, Counter())
        return sorted(found.items(), key=lambda item: (-item[1], item[0]))[:count]

    def distinct_values(self, written: str) -> int:
        return len(self.values.get(written, ())) + self.more_values.get(written, 0)


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
    # The consent platform's script selector and the pages without it (None: not checked).
    consent: tuple[str, list[str]] | None = None
    # Pages whose <base href> names a place in the URL space (page.is_fixed_base).
    fixed_base: list[str] = field(default_factory=list)

    def base_summary(self) -> str:
        """One line on pages whose <base href> inject --external cannot follow, or ""."""
        if not self.fixed_base:
            return ""
        return shown(
            f"<base href>: {counted(len(self.fixed_base), 'page')} "
            f"{'names' if len(self.fixed_base) == 1 else 'name'} a place in the site's URL space "
            f"(e.g. {', '.join(self.fixed_base[:EXAMPLES])}): inject --external skips them "
            "unless given --base-url; inline bundles are not affected"
        )

    def engine_summary(self) -> str:
        """One line on the selector engine, or "" when lexbor ran every selector."""
        if not self.soupsieve:
            return ""
        return shown(
            "Selectors checked with soupsieve on html.parser's tree, as lexbor does not run "
            "them as Chromium does (on malformed pages their counts may differ from a "
            "browser's): " + ", ".join(quoted(selector) for selector in self.soupsieve)
        )

    def links_summary(self) -> str:
        """One line on what check cannot know of link rules, or "" when there are none."""
        if not any(entry.rule.link is not None for entry in self.coverage):
            return ""
        return (
            "Link rules: each page's links were resolved against its path (or <base href>) "
            f"on a stand-in host, {CHECK_HOST}, as check does not know the site's own: a "
            "glob that names the site's host counts no relative link, and 'outbound' also "
            "counts links that spell out the site's own host"
        )

    def navigation_summary(self) -> str:
        """One line on client-side navigation: what was found, and what inject does."""
        found = "; ".join(
            f"{kind} on {len(pages)} of {counted(self.pages, 'page')} "
            f"(e.g. {', '.join(pages[:EXAMPLES])})"
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
            has_selector = rule.element_selector is not None
            rows.append(
                (
                    str(rule.source.line) if rule.source else "-",
                    f"{rule.name + ': ' if rule.name else ''}{rule.event} {rule.target}",
                    str(entry.applies),
                    str(entry.pages) if has_selector else "-",
                    str(entry.elements) if has_selector else "-",
                    ", ".join(entry.examples),
                )
            )
        return table(rows, right={2, 3, 4})

    def values_summary(self) -> list[str]:
        """The values of rules whose placeholders the pages fill in, as their HTML gives
        them: a heading line and a line per value (none when no rule has such a value)."""
        lines = []
        for entry in self.coverage:
            for written in entry.values:
                examples = entry.value_examples(written)
                rest = entry.distinct_values(written) - len(examples)
                found = ", ".join(
                    f"{quoted(value)} ({counted(pages, 'page')})" for value, pages in examples
                )
                if rest:
                    found += f", and {rest} other{'s' if rest != 1 else ''}"
                line = entry.rule.source.line if entry.rule.source else "-"
                lines.append(
                    shown(f"  line {line}, {quoted(written)}: {found or 'never sent (empty)'}")
                )
        if not lines:
            return []
        return [
            "Values with placeholders, as the pages' HTML fills them in (a style sheet may "
            "hide more text in the browser):",
            *lines,
        ]

    def consent_summary(self) -> str:
        """One line on the consent platform's script, or "" when it is not looked for."""
        if self.consent is None:
            return ""
        selector, missing = self.consent
        found = (
            f"missing on {counted(len(missing), 'page')} (e.g. {', '.join(missing[:EXAMPLES])})"
            if missing
            else "found on every page"
        )
        return shown(
            f"Consent platform script ({selector}) on {counted(self.pages, 'page')}: {found}"
        )

    def rtp_summary(self) -> str:
        """One line about the RTP tag across the pages: on how many it is, and where it is
        missing, doubled or not the first script in <head>."""
        missing = self.rtp.get("missing", [])
        tagged = self.pages - len(missing) - len(self.unreadable)
        problems = [
            (label, pages)
            for label, pages in (
                ("missing", missing),
                ("more than one", self.rtp.get("several", [])),
                ("not the first script in <head>", self.rtp.get("not first", [])),
            )
            if pages
        ]
        if not problems:
            where = "the 1 page" if self.pages == 1 else f"all {self.pages} pages"
            return f"RTP tag: on {where}, the first script in <head>"
        if not tagged:
            where = "the 1 page" if self.pages == 1 else f"all {self.pages} pages"
            head = f"missing on {where} (e.g. {', '.join(missing[:EXAMPLES])})"
            problems = problems[1:]
        else:
            head = f"on {tagged} of {counted(self.pages, 'page')}"
        return shown(
            "RTP tag: "
            + "; ".join(
                [head]
                + [
                    f"{label} on {len(pages)} (e.g. {', '.join(pages[:EXAMPLES])})"
                    for label, pages in problems
                ]
            )
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
    paths = sorted(site_pages(Path(root))[0])  # the same pages inject would process
    facts = read_site_facts(root, paths, ruleset, jobs, progress)
    return site_coverage(ruleset, facts, max_matches)


def site_coverage(
    ruleset: RuleSet, facts: list[PageFacts], max_matches: int = DEFAULT_MAX_MATCHES
) -> SiteCheck:
    """The coverage of the rules on pages whose facts were read for them (by ``check_site``,
    or by ``inject_site(facts=True)`` in the same pass as the injection)."""
    from .model import CONSENT_SCRIPT  # here: the model loads soupsieve, not needed at start-up

    facts = sorted(facts, key=lambda page: page.path)
    paths = [page.path for page in facts]
    rules = tuple(ruleset)
    coverage = [RuleCoverage(rule) for rule in rules]
    rtp: dict[str, list[str]] = {"missing": [], "several": [], "not first": []}
    unreadable = []
    navigating: dict[str, list[str]] = {}
    no_consent_script: list[str] = []
    fixed_base: list[str] = []
    for page in facts:
        if page.problem:
            unreadable.append((page.path, page.problem))
            continue
        for index in ruleset.for_page(page.path):
            coverage[index].applies += 1
        for index in ruleset.for_page(page.path):
            _count_values(coverage[index], page, index)
        for index, count in page.matches.items():
            if count == 0 or index == CONSENT_SCRIPT:
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
        if page.base is not None and is_fixed_base(page.base):
            fixed_base.append(page.path)
        if page.matches.get(CONSENT_SCRIPT) == 0:
            no_consent_script.append(page.path)
        if page.rtp_tags == 0:
            rtp["missing"].append(page.path)
        elif page.rtp_tags > 1:
            rtp["several"].append(page.path)
        elif not page.rtp_first:
            rtp["not first"].append(page.path)
    findings = lint_rules(ruleset) + _coverage_findings(coverage, paths, max_matches)
    selector = ruleset.consent.script_selector if ruleset.consent else None
    consent = (selector, no_consent_script) if selector else None
    if ruleset.consent and selector and no_consent_script:
        findings.append(_consent_finding(ruleset.consent, selector, no_consent_script))
    soupsieve = sorted(
        {
            selector
            for rule in rules
            if (selector := rule.element_selector) and not lexbor_runs(selector)
        }
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
        consent,
        fixed_base,
    )


def unmatched_selectors(ruleset: RuleSet, facts: list[PageFacts]) -> list[Finding]:
    """A warning for each rule whose selector (or link glob) matches no element on any of
    the pages it applies to, among the pages whose ``facts`` were read (``inject_site``
    reads them in the same pass as it injects): the rule can never send there. Rules
    whose elements page scripts make (``dynamic``) and rules on no page are left out."""
    applies: Counter[int] = Counter()
    matched: set[int] = set()
    for page in facts:
        if page.problem:
            continue
        applies.update(ruleset.for_page(page.path))
        matched.update(index for index, count in page.matches.items() if count)
    findings = []
    for index, rule in enumerate(ruleset.rules):
        if rule.element_selector is None or rule.dynamic or not applies[index]:
            continue
        if index in matched:
            continue
        what = (
            f"selector {quoted(rule.selector)} matches no element"
            if rule.link is None
            else f"{quoted(rule.target)} matches no link"
        )
        where = (
            "the one page it applies to"
            if applies[index] == 1
            else f"any of the {applies[index]} pages it applies to"
        )
        findings.append(Finding("warning", f"{what} on {where}, so the rule never sends", rule))
    return findings


def unmatched_line(finding: Finding) -> str:
    """A finding of ``unmatched_selectors`` as one line: where, the rule's name, why."""
    name = f"{finding.rule.name}: " if finding.rule and finding.rule.name else ""
    return shown(f"{finding.source or '-'}: {name}{finding.message}")


def unmatched_json(finding: Finding) -> dict:
    """A finding of ``unmatched_selectors`` in ``inject --json``'s "warnings"."""
    source, rule = finding.source, finding.rule
    return {
        "file": source.file if source else None,
        "line": source.line if source else None,
        "column": source.column if source else None,
        "rule": rule.name if rule else None,
        "selector": rule.target if rule else None,
        "message": finding.message,
    }


def _count_values(entry: RuleCoverage, page: PageFacts, index: int) -> None:
    """Add the values the rule of ``entry`` (at ``index``) sends on ``page``, as far as
    its HTML tells, to ``entry.values``: filled in from each element read (for a rule
    with an element), or once for the page."""
    rule = entry.rule
    forms = [
        (written, parts)
        for written, parts in rule.sent_parts
        if any(not isinstance(part, str) and part.kind in PAGE_PLACEHOLDERS for part in parts)
    ]
    if not forms:
        return
    element_reads = [need for need in rule.page_reads if need != "title"]
    elements: list[dict[str, str | None]] = [{}]
    if rule.element_selector is not None and not page.matches.get(index):
        return
    if element_reads:
        elements = [
            dict(zip(element_reads, found, strict=True))
            for found in (page.readings or {}).get(index, [])
        ]
    for written, parts in forms:
        sent = {
            value
            for element in elements
            if (value := _filled(parts, element, page.path, page.title)) is not None
        }
        counter = entry.values.setdefault(written, Counter())
        for value in sent:
            if value in counter or len(counter) < MAX_VALUES:
                counter[value] += 1
            else:
                entry.more_values[written] = entry.more_values.get(written, 0) + 1


_INDEX = re.compile(r"/index\.html?\Z")


def _filled(
    parts: tuple[Part, ...], element: dict[str, str | None], path: str, title: str | None
) -> str | None:
    """The value the parts make on a page whose element read ``element`` (see
    Rule.page_reads), at ``path`` with ``title``; None when a placeholder is empty there
    (the bundle then leaves the value out). {host} and {query:NAME}, which the HTML cannot
    tell, stay as written."""
    text = []
    for part in parts:
        if isinstance(part, str):
            text.append(part)
            continue
        found: str | None
        if part.kind == "text":
            found = element.get("text")
        elif part.kind == "attr":
            found = element.get(f"attr:{part.name}")
        elif part.kind == "title":
            found = title
        elif part.kind == "path":
            found = _INDEX.sub("/", path)  # as the address of a folder's page shows it
        else:
            found = "{" + part.kind + (f":{part.name}" if part.name else "") + "}"
        if not found:
            return None
        text.append(found)
    return "".join(text)


def _consent_finding(consent: Consent, selector: str, missing: list[str]) -> Finding:
    return Finding(
        "warning",
        f"{counted(len(missing), 'page')} {'has' if len(missing) == 1 else 'have'} no "
        f"{consent.platform} script ({selector}), e.g. "
        f"{', '.join(missing[:EXAMPLES])}: consent is never granted there, so no rule "
        "sends; add the platform's script to those pages"
        + ("" if consent.script else ", or set consent: script: to the selector of yours"),
        at=consent.source,
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
        for written, counter in entry.values.items():
            if not counter and not entry.more_values.get(written):
                findings.append(
                    Finding(
                        "warning",
                        f"the value {written!r} is empty on every page it could be sent "
                        "from (a placeholder in it is empty there, as the HTML tells), so "
                        "it is never sent",
                        rule,
                    )
                )
        if rule.element_selector is None or entry.applies == 0:
            continue
        what = (
            f"selector {rule.selector!r}"
            if rule.link is None
            else f"{rule.target!r} (links whose URL matches)"
        )
        if rule.dynamic:
            continue  # page scripts make its elements: the built pages cannot show them
        if entry.pages == 0:
            where = (
                "any page"
                if entry.applies == len(paths)
                else f"the {entry.applies} pages it applies to"
            )
            findings.append(Finding("error", f"{what} matches nothing on {where}", rule))
            continue
        # A link rule (every PDF, every outbound link) is meant to match many links.
        if entry.most[0] > max_matches and rule.link is None:
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
                    f"every element {rule.selector if rule.link is None else rule.target!r} "
                    "matches is inside "
                    "a link or button that another click rule already sends for; "
                    "one click sends both",
                    rule,
                )
            )
    return findings
