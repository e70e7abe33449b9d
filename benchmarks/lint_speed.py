"""Speed of `rtp-snippets check` without a site (the lint) on large rule sets.

Run by hand (not in CI):  .venv/bin/python benchmarks/lint_speed.py [--write]

Two series of rules, those of benchmarks/bundle_size.py:
  - click: `on click #cta-N send 'cta N - pricing page'`; every value is one or two
    letters from many others, so all of them are one group of look-alike values (the
    worst case for the near-duplicate lint, which compared every pair of values);
  - mixed: every event and feature, values such as 'product N', 'form N', 'read N'.
For 1,000, 4,000 and 10,000 rules it writes each series as a `.rules` file and prints the
seconds of the whole `rtp-snippets check` command (a new process: start-up, loading the
rules, the lint) and of `lint_rules` alone, and how many warnings `check` prints. Its limit:
10,000 rules checked in under 20 s; it exits 1 and prints MISSED when that is missed. With
--write it also writes its table, with the date and the machine, into docs/benchmarks.md
between its lint_speed.py markers (benchmarks/docs_table.py).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rtp_snippets import Rule, RuleSet, load_rules
from rtp_snippets.lint import lint_rules

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bundle_size import click_rules, mixed_rules  # noqa: E402  (the same rules as that benchmark)
from docs_table import table, write_section  # noqa: E402

COUNTS = (1_000, 4_000, 10_000)
LIMIT_RULES, LIMIT_SECONDS = 10_000, 20.0


def quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def dsl_line(rule: Rule) -> str:
    """The one-line form of a rule (see README, "The one-line form")."""
    if rule.event == "scroll":
        target = f" {rule.percent}%"
    elif rule.event == "timer":
        target = f" {rule.seconds:g}s"
    else:
        target = f" {quoted(rule.selector)}" if rule.selector else ""
    line = f"on {rule.event}{target} send {', '.join(quoted(value) for value in rule.send)}"
    if rule.once:
        line += f" once {rule.once}"
    for clause in ("pages", "exclude"):
        if getattr(rule, clause):
            line += f" {clause} " + ", ".join(quoted(glob) for glob in getattr(rule, clause))
    return line


def seconds(work) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--write", action="store_true", help="write the table into docs/benchmarks.md"
    )
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for series, make in (("click", click_rules), ("mixed", mixed_rules)):
            for count in COUNTS:
                path = Path(folder) / f"{series}-{count}.rules"
                path.write_text("".join(dsl_line(rule) + "\n" for rule in make(count)))
                command, result = seconds(
                    lambda path=path: subprocess.run(
                        [sys.executable, "-m", "rtp_snippets", "check", "-r", str(path)],
                        capture_output=True,
                        text=True,
                    )
                )
                ruleset = load_rules(path)
                assert len(ruleset) == count, (series, count, len(ruleset))
                lint, findings = seconds(lambda ruleset=ruleset: lint_rules(RuleSet(ruleset.rules)))
                rows.append((count, series, command, lint, len(findings), result.stdout.strip()))
    markdown = table(
        ["rules", "series", "check (s)", "lint only (s)", "warnings"],
        "rlrrr",
        [
            [f"{count:,}", series, f"{command:.2f}", f"{lint:.2f}", warnings]
            for count, series, command, lint, warnings, _ in rows
        ],
    )
    print(markdown)
    if options.write:
        write_section("lint_speed.py", markdown)
    worst = max(command for count, _, command, *_ in rows if count == LIMIT_RULES)
    met = worst < LIMIT_SECONDS
    print(
        f"\n{'met   ' if met else 'MISSED'} {LIMIT_RULES:,} rules checked in under "
        f"{LIMIT_SECONDS:.0f} s: worst {worst:.2f} s"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
