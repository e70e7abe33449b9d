"""Speed of `rtp-snippets verify` on the corpus site: its 400 pages with its rules file,
injected, verified with 1 and 2 jobs (tabs at once).

Run by hand (not in CI):

    .venv/bin/python benchmarks/verify_speed.py [--browser PATH]... [--write]

The site comes from tests/corpus/site-a.tar.xz, extracted into a temporary folder and
injected with tests/jekyll-site.rules (a click on the page's banner, articles coming into
view once per session, a click on each author's name) before anything is timed. For
each browser (default: the one verify finds) and number of jobs it prints the seconds of
the whole run (browser start included), pages and checks per second, and the counts of
checks passed, failed and not applicable. With --write it also writes that table, with
the date and the machine, into docs/benchmarks.md between its verify_speed.py markers
(benchmarks/docs_table.py).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from rtp_snippets import load_rules
from rtp_snippets.site import inject_site
from rtp_snippets.verify import verify_site

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # tests/corpora.py reads the corpus archives
from corpora import extract_corpus  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from docs_table import write_section  # noqa: E402

RULES = ROOT / "tests" / "jekyll-site.rules"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--browser", action="append", help="a Chromium to drive (repeatable)")
    parser.add_argument(
        "--write", action="store_true", help="write the table into docs/benchmarks.md"
    )
    options = parser.parse_args()
    ruleset = load_rules(RULES)
    lines = [
        "| browser | jobs | seconds | pages/s | checks/s | passed | failed | not applicable |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory() as folder:
        site = extract_corpus("site-a", Path(folder) / "site")
        inject_site(site, ruleset)
        for browser in options.browser or [None]:
            for jobs in (1, 2):
                started = time.monotonic()
                report = verify_site(site, ruleset, jobs=jobs, browser=browser)
                seconds = time.monotonic() - started
                counts = report.counts()
                lines.append(
                    f"| {report.browser} | {jobs} | {seconds:.1f} | {report.pages / seconds:.1f} "
                    f"| {len(report.results) / seconds:.1f} | {counts['passed']} "
                    f"| {counts['failed']} | {counts['not_applicable']} |"
                )
                print(lines[-1], flush=True)
        shutil.rmtree(site)
    if options.write:
        write_section("verify_speed.py", "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
