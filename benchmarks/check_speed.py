"""Throughput of `check --site` on site-a (target: 500 pages/s on 2 cores).

Run by hand (not in CI):  .venv/bin/python benchmarks/check_speed.py

It checks tests/site-a.rules (three realistic rules on the site's real
selectors) with 1 and 2 jobs, median of three runs, and also times the parts
of the work per page on one core: reading and decoding, our scanner (RTP tag
lint), and BeautifulSoup's html.parser parse that soupsieve needs. The site
comes from tests/corpus/site-a.tar.xz, extracted once into benchmarks/.cache/.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from bs4 import BeautifulSoup

from rtp_snippets import load_rules
from rtp_snippets.check import check_site
from rtp_snippets.inject import decode
from rtp_snippets.scan import scan

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # tests/corpora.py reads the corpus archives
from corpora import extracted

SITE = extracted("site-a", ROOT / "benchmarks" / ".cache")
RULES = ROOT / "tests" / "site-a.rules"


def median_rate(work, count: int) -> float:
    rates = []
    for _ in range(3):
        start = time.perf_counter()
        work()
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> int:
    ruleset = load_rules(RULES)
    pages = sorted(SITE.rglob("*.html"))
    datas = [path.read_bytes() for path in pages]
    rows = [
        ("check --site, 1 job", median_rate(lambda: check_site(SITE, ruleset, jobs=1), len(pages))),
        (f"check --site, {os.cpu_count()} jobs",
         median_rate(lambda: check_site(SITE, ruleset, jobs=os.cpu_count()), len(pages))),
        ("read + decode only", median_rate(lambda: [decode(path.read_bytes()) for path in pages],
                                           len(pages))),
        ("scanner (RTP tag lint) only", median_rate(
            lambda: [scan(data.decode("latin-1")) for data in datas], len(pages))),
        ("BeautifulSoup html.parser parse only", median_rate(
            lambda: [BeautifulSoup(data, "html.parser") for data in datas], len(pages))),
    ]
    print(f"site-a: {len(pages)} pages; rules: {RULES.name} ({len(ruleset)} rules); "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    print("| work | pages/s |")
    print("|---|---:|")
    for name, rate in rows:
        print(f"| {name} | {rate:,.0f} |")
    best = max(rows[0][1], rows[1][1])
    print(f"\n{'met   ' if best >= 500 else 'MISSED'} >= 500 pages/s: {best:,.0f}")
    return 0 if best >= 500 else 1


if __name__ == "__main__":
    sys.exit(main())
