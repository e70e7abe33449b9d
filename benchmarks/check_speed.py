"""Throughput of `check --site` on the corpus's Jekyll site (3,000 pages/s with 2 jobs is
the limit it checks), and on large pages: a Material for MkDocs site of 200 pages of about
150 KB each.

Run by hand (not in CI):  .venv/bin/python benchmarks/check_speed.py [--write]

It checks tests/jekyll-site.rules (three realistic rules on the site's real
selectors) with 1 and 2 jobs, median of three runs, and also times the parts
of the work per page on one core: reading and decoding, our scanner (RTP tag
lint), and BeautifulSoup's html.parser parse that soupsieve needs. The site
comes from tests/corpus/site-a.tar.xz, extracted once into benchmarks/.cache/. The
Material site is built by `mkdocs build` (the test extra has both) into a temporary folder
before anything is timed. With --write it also writes its table, with the date and the
machine, into docs/benchmarks.md between its check_speed.py markers
(benchmarks/docs_table.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bs4 import BeautifulSoup
from selectolax.lexbor import LexborHTMLParser

from rtp_snippets import load_rules
from rtp_snippets.coverage import check_site
from rtp_snippets.page import decode
from rtp_snippets.scan import scan

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # tests/corpora.py reads the corpus archives
from corpora import extracted  # noqa: E402 (after the path above)

sys.path.insert(0, str(ROOT / "benchmarks"))
from docs_table import table, write_section  # noqa: E402

SITE = extracted("site-a", ROOT / "benchmarks" / ".cache")
RULES = ROOT / "tests" / "jekyll-site.rules"


def median_rate(work, count: int) -> float:
    rates = []
    for _ in range(3):
        start = time.perf_counter()
        work()
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def material_site(folder: Path, pages: int = 200) -> Path:
    """A Material for MkDocs site of ``pages`` large pages (headings, paragraphs with links,
    a table and code on each), built by mkdocs; returns the built site."""
    (folder / "mkdocs.yml").write_text(
        "site_name: Large pages\ntheme:\n  name: material\n  font: false\n"
        "  features: [navigation.instant]\nmarkdown_extensions: [tables]\n"
    )
    section = (
        "## Section {i}\n\n"
        + "A paragraph with a [link](#x) and *emphasis*, words. " * 12
        + "\n\n| a | b | c |\n|---|---|---|\n"
        + "| one | two | three |\n" * 8
        + "\n```\ncode line\n"
        + "more code\n" * 6
        + "```\n\n"
    )
    for number in range(pages):
        page = folder / "docs" / f"page-{number}.md"
        page.parent.mkdir(exist_ok=True)
        page.write_text(f"# Page {number}\n\n" + "".join(section.format(i=i) for i in range(40)))
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(folder / "site")],
        cwd=folder,
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return folder / "site"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--write", action="store_true", help="write the table into docs/benchmarks.md"
    )
    options = parser.parse_args()
    ruleset = load_rules(RULES)
    pages = sorted(SITE.rglob("*.html"))
    datas = [path.read_bytes() for path in pages]
    rows = [
        ("check --site, 1 job", median_rate(lambda: check_site(SITE, ruleset, jobs=1), len(pages))),
        (
            f"check --site, {os.cpu_count()} jobs",
            median_rate(lambda: check_site(SITE, ruleset, jobs=os.cpu_count()), len(pages)),
        ),
        (
            "read + decode only",
            median_rate(lambda: [decode(path.read_bytes()) for path in pages], len(pages)),
        ),
        (
            "scanner (RTP tag lint) only",
            median_rate(lambda: [scan(data.decode("latin-1")) for data in datas], len(pages)),
        ),
        (
            "BeautifulSoup html.parser parse only",
            median_rate(lambda: [BeautifulSoup(data, "html.parser") for data in datas], len(pages)),
        ),
    ]
    with tempfile.TemporaryDirectory() as folder:
        large = material_site(Path(folder))
        large_pages = sorted(large.rglob("*.html"))
        size = sum(path.stat().st_size for path in large_pages) / len(large_pages)
        for jobs in (1, os.cpu_count() or 1):
            rows.append(
                (
                    f"Material site, {len(large_pages)} pages of {size / 1024:.0f} KB on average, "
                    f"{jobs} job{'s' if jobs > 1 else ''}",
                    median_rate(
                        lambda jobs=jobs: check_site(large, ruleset, jobs=jobs), len(large_pages)
                    ),
                )
            )
        # The bound on those pages: lexbor's parse alone (as check parses), one core.
        large_datas = [path.read_bytes() for path in large_pages]
        rows.append(
            (
                "Material site, lexbor's parse only (LexborHTMLParser, scripting on), 1 core",
                median_rate(
                    lambda: [
                        LexborHTMLParser(data, encoding=True, scripting=True)
                        for data in large_datas
                    ],
                    len(large_pages),
                ),
            )
        )
    markdown = (
        f"The Jekyll site's {len(pages)} pages, {RULES.name} ({len(ruleset)} rules); "
        "each rate the median of three runs:\n\n"
        + table(["work", "pages/s"], "lr", [[name, f"{rate:,.0f}"] for name, rate in rows])
    )
    print(markdown)
    if options.write:
        write_section("check_speed.py", markdown)
    two_jobs = rows[1][1]
    print(
        f"\n{'met   ' if two_jobs >= 3000 else 'MISSED'} >= 3,000 pages/s with "
        f"{os.cpu_count()} jobs on the Jekyll site: {two_jobs:,.0f}"
    )
    return 0 if two_jobs >= 3000 else 1


if __name__ == "__main__":
    sys.exit(main())
