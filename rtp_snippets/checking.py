"""Stage 9, checking: the ``check`` command as one library call: lint the rules file,
measure it against a built site, compare the committed event catalogue; the result knows
what to report and whether the check failed. (Not named ``check``: the package exports
the function ``check``, which a submodule of the same name would hide once imported.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .catalog import stale_catalog
from .coverage import DEFAULT_MAX_MATCHES, EXAMPLES, SiteCheck, check_site
from .lint import Finding, lint_rules
from .load import load_rules
from .terminal import counted, shown

if TYPE_CHECKING:
    from .errors import Position
    from .model import RuleSet


@dataclass(frozen=True)
class CheckResult:
    """What ``check`` found for one rules file: its ``findings`` (lint, and with a site
    coverage and the RTP tags), and the site's measurements (``site``)."""

    rules_path: Path
    ruleset: RuleSet
    site: SiteCheck | None  # with a site: coverage per rule, RTP tags, navigation
    findings: list[Finding]

    @property
    def errors(self) -> int:
        """How many findings are errors (the others are warnings)."""
        return sum(finding.level == "error" for finding in self.findings)

    def failed(self, strict: bool = False) -> bool:
        """Whether the check fails: on an error, or with ``strict`` on any finding."""
        return bool(self.errors or strict and self.findings)

    def site_lines(self) -> list[str]:
        """The site's table and summaries (nothing without a site)."""
        if self.site is None:
            return []
        lines = [
            self.site.table(),
            *self.site.values_summary(),
            self.site.rtp_summary(),
            self.site.consent_summary(),
            self.site.navigation_summary(),
            self.site.engine_summary(),
            self.site.links_summary(),
            self.site.base_summary(),
        ]
        return [line for line in lines if line]

    def summary(self) -> str:
        """The last line: the file, its rules, and how many errors and warnings."""
        return shown(
            f"{self.rules_path}: {counted(len(self.ruleset), 'rule')}, "
            f"{counted(self.errors, 'error')}, "
            f"{counted(len(self.findings) - self.errors, 'warning')}"
        )

    def as_json(self) -> dict:
        """The machine-readable report of ``rtp-snippets check --json``."""
        return _json_report(self.rules_path, self.site, self.findings)


def check(
    rules_path: Path,
    site: str | Path | None = None,
    *,
    max_matches: int = DEFAULT_MAX_MATCHES,
    catalog_file: Path | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CheckResult:
    """Load and lint the rules file; with ``site``, measure the rules against its pages
    (``check_site``); with ``catalog_file``, an error when it is not what
    ``rtp-snippets catalog`` would write now. Raises the loader's ``RulesError``."""
    ruleset = load_rules(rules_path)
    result = (
        check_site(site, ruleset, max_matches=max_matches, jobs=jobs, progress=progress)
        if site
        else None
    )
    findings = result.findings if result else lint_rules(ruleset)
    if catalog_file is not None:
        site_folder = Path(site) if site else None
        findings = findings + stale_catalog(catalog_file, ruleset, result, rules_path, site_folder)
    return CheckResult(rules_path, ruleset, result, findings)


def _json_report(rules_path: Path, site: SiteCheck | None, findings: list[Finding]) -> dict:
    report: dict = {
        "rules_file": str(rules_path),
        "findings": [
            {"level": finding.level, "message": finding.message, **_place(finding.source)}
            for finding in findings
        ],
    }
    if site:
        report["pages"] = site.pages
        report["rules"] = [
            {
                **_place(entry.rule.source),
                "name": entry.rule.name,
                "event": entry.rule.event,
                "selector": entry.rule.selector,
                "applies": entry.applies,
                "link": entry.rule.link,
                "matches": entry.pages if entry.rule.element_selector is not None else None,
                "elements": entry.elements if entry.rule.element_selector is not None else None,
                "examples": entry.examples,
                **(
                    {
                        "values": [
                            {
                                "value": written,
                                "sent": [
                                    {"value": value, "pages": pages}
                                    for value, pages in entry.value_examples(written, 20)
                                ],
                                "distinct": entry.distinct_values(written),
                            }
                            for written in entry.values
                        ]
                    }
                    if entry.values
                    else {}
                ),
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
        if site.consent is not None:
            report["consent_script"] = {
                "selector": site.consent[0],
                "missing": {"count": len(site.consent[1]), "examples": site.consent[1][:EXAMPLES]},
            }
        report["soupsieve_selectors"] = site.soupsieve
        if site.fixed_base:
            report["base_href"] = {
                "count": len(site.fixed_base),
                "examples": site.fixed_base[:EXAMPLES],
            }
        if site.links_summary():
            report["links_note"] = site.links_summary()
        report["unreadable"] = [
            {"path": path, "reason": reason} for path, reason in site.unreadable
        ]
    return report


def _place(source: Position | None) -> dict:
    """The report's "line" and "column" of a place; None for both when it is not known."""
    return {"line": source.line if source else None, "column": source.column if source else None}
