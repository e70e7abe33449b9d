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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .inject import PageSkipped, decode, is_rtp_tag
from .paths import matches, site_pages
from .scan import scan

if TYPE_CHECKING:
    from .model import Rule, RuleSet

DEFAULT_MAX_MATCHES = 50
EXAMPLES = 3
_SIMPLE_TOKEN = re.compile(r"[#.]([A-Za-z_][-A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Finding:
    """A problem: ``level`` is "error" or "warning"; ``rule`` is the rule it is about."""

    level: str
    message: str
    rule: Rule | None = None

    def __str__(self) -> str:
        where = f"{self.rule.source}: " if self.rule and self.rule.source else ""
        return f"{where}{self.level}: {self.message}"


def lint_rules(ruleset: RuleSet) -> list[Finding]:
    """Rules that are valid but probably not what was meant."""
    findings = []
    seen: dict[str, tuple[str, Rule]] = {}
    for rule in ruleset:
        for value in rule.send:
            if value in seen:
                continue
            for other_value, other in seen.values():
                problem = _values_problem(other_value, value)
                if problem:
                    findings.append(
                        Finding(
                            "warning",
                            f"values {other_value!r} (line "
                            f"{_line(other)}) and {value!r} {problem}; RTP "
                            "counts them as different events",
                            rule,
                        )
                    )
            seen[value] = (value, rule)
    by_target = defaultdict(list)
    for rule in ruleset:
        if rule.selector is not None:
            by_target[rule.event, rule.selector].append(rule)
    for (event, selector), rules in by_target.items():
        for rule in rules[1:]:
            findings.append(
                Finding(
                    "warning",
                    f"line {_line(rules[0])} also sends on {event} of "
                    f"{selector!r}; one click would send both",
                    rule,
                )
            )
    for rule in ruleset:
        if rule.event in ("view", "visible") and rule.once is None:
            findings.append(
                Finding(
                    "warning",
                    f"a '{rule.event}' rule without once sends again "
                    "on every page load; add once: session (custom data events "
                    "count once per session anyway)",
                    rule,
                )
            )
    return findings


def _values_problem(first: str, second: str) -> str | None:
    if _normalized(first) == _normalized(second):
        return "differ only in case, spaces or punctuation"
    if min(len(first), len(second)) >= 6 and _distance(first.lower(), second.lower()) <= 2:
        return "are one or two letters apart (a typo?)"
    return None


def _normalized(value: str) -> str:
    kept = [
        char
        for char in value.lower()
        if not unicodedata.category(char).startswith(("P", "Z")) and not char.isspace()
    ]
    return "".join(kept)


def _distance(first: str, second: str) -> int:
    """Levenshtein distance, stopping early once it is known to exceed 2."""
    if abs(len(first) - len(second)) > 2:
        return 3
    previous = list(range(len(second) + 1))
    for row, char in enumerate(first, start=1):
        current = [row]
        for column, other in enumerate(second, start=1):
            current.append(
                min(
                    previous[column] + 1,
                    current[column - 1] + 1,
                    previous[column - 1] + (char != other),
                )
            )
        if min(current) > 2:
            return 3
        previous = current
    return previous[-1]


def _line(rule: Rule) -> str:
    return str(rule.source.line) if rule.source else "?"


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
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        numbers = {2, 3, 4}
        return "\n".join(
            "  ".join(
                cell.rjust(width) if column in numbers else cell.ljust(width)
                for column, (cell, width) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
            for row in rows
        )

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
        return f"RTP tag on {self.pages} pages: " + ("; ".join(parts) if parts else "all fine")


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
        if page.rtp_tags == 0:
            rtp["missing"].append(page.path)
        elif page.rtp_tags > 1:
            rtp["several"].append(page.path)
        elif not page.rtp_first:
            rtp["not first"].append(page.path)
    findings = lint_rules(ruleset) + _coverage_findings(coverage, paths, max_matches)
    return SiteCheck(len(paths), coverage, rtp, findings, unreadable)


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
    tasks = [(str(root), path, rules) for path in paths]
    facts: list[PageFacts] = []
    if jobs == 1 or len(tasks) < 2:
        for task in tasks:
            facts.append(_facts(task))
            if progress:
                progress(len(facts), len(tasks))
        return facts
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        chunksize = max(1, min(32, len(tasks) // (jobs * 4)))
        for result in pool.map(_facts, tasks, chunksize=chunksize):
            facts.append(result)
            if progress:
                progress(len(facts), len(tasks))
    return facts


def _facts(task: tuple[str, str, tuple[Rule, ...]]) -> PageFacts:
    root, path, rules = task
    try:
        with open(os.path.join(root, path[1:]), "rb") as handle:
            data = handle.read()
        _, text, _ = decode(data)
    except PageSkipped as skipped:
        return PageFacts(path, (), {}, {}, 0, False, skipped.reason)
    except OSError as error:
        return PageFacts(path, (), {}, {}, 0, False, f"cannot read: {error.strerror}")
    applies = tuple(index for index, rule in enumerate(rules) if rule.applies_to(path))
    found = scan(text)
    tags = [script for script in found.scripts if is_rtp_tag(script)]
    head_scripts = [script for script in found.scripts if script.in_head]
    rtp_first = bool(tags) and bool(head_scripts) and head_scripts[0] is tags[0]
    selectors = {index: rules[index].selector for index in applies}
    wanted = [
        index
        for index, selector in selectors.items()
        if selector is not None and _may_match(selector, text)
    ]
    counts: dict[int, int] = {index: 0 for index in applies if rules[index].selector is not None}
    claimed: dict[int, bool] = {}
    if wanted:
        from bs4 import BeautifulSoup  # only pages a selector may match are parsed

        soup = BeautifulSoup(data, "html.parser")
        selected = {index: soup.select(selectors[index] or "") for index in wanted}
        clickable = {
            id(element)
            for index, elements in selected.items()
            if rules[index].event == "click"
            for element in elements
            if element.name in ("a", "button")
        }
        for index, elements in selected.items():
            counts[index] = len(elements)
            if rules[index].event == "click" and elements:
                claimed[index] = all(_inside_claimed(element, clickable) for element in elements)
    return PageFacts(path, applies, counts, claimed, len(tags), rtp_first)


def _inside_claimed(element, clickable: set[int]) -> bool:
    parent = element.parent
    while parent is not None:
        if parent.name in ("a", "button"):
            return id(parent) in clickable
        parent = parent.parent
    return False


def _may_match(selector: str, text: str) -> bool:
    """False only when the page cannot match: an id or class the selector needs is absent.

    Selectors with alternatives, pseudo-classes or escapes are always parsed.
    """
    if any(char in selector for char in ",:\\[("):
        return True
    lowered = text.lower()
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
    for row in rows:
        cells = [
            str(row[column]).replace("|", "\\|") if row[column] not in (None, "") else "-"
            for column in columns
        ]
        lines.append("| " + " | ".join(cells) + " |")
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
        report["unreadable"] = [
            {"path": path, "reason": reason} for path, reason in site.unreadable
        ]
    return report


def _place(rule: Rule | None) -> dict:
    """The report's "line" and "column" of a rule; None for both when it is not known."""
    source = rule.source if rule else None
    return {"line": source.line if source else None, "column": source.column if source else None}
