"""Time and memory of `rtp-snippets check` on hostile rules files, each under 1 MB.

Run by hand (not in CI):  .venv/bin/python benchmarks/hostile_rules.py [--write]

Each file is checked by a new process (start-up and imports included, about 0.3 s);
the peak memory is that process's maximum resident set size. The limit it checks: any
rules file under 1 MB is refused or accepted in under 1 s and 200 MB. A run is stopped
after 60 s. Exits 1 and prints MISSED when a file is over the limit. With --write it also
writes its table (without the output's first lines), with the date and the machine, into
docs/benchmarks.md between its hostile_rules.py markers (benchmarks/docs_table.py).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docs_table import table, write_section  # noqa: E402

LIMIT_SECONDS, LIMIT_MEGABYTES, STOP_SECONDS = 1.0, 200, 60

# A parent process per run, so that RUSAGE_CHILDREN is that one run's peak memory.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
try:
    child = subprocess.run([sys.executable, "-m", "rtp_snippets", "check", "-r", sys.argv[1]],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           timeout=float(sys.argv[2]))
    status, first = child.returncode, (child.stderr.splitlines() or [""])[0]
except subprocess.TimeoutExpired:
    status, first = None, ""
print(json.dumps({"seconds": time.perf_counter() - start, "status": status, "first": first,
                  "megabytes": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def alias_bomb(use: str, levels: int = 9) -> str:
    lines = ['b0: &b0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        lines.append(f"b{level}: &b{level} [" + ",".join([f"*b{level - 1}"] * 9) + "]")
    return "\n".join([*lines, "rules:", use.replace("BOMB", f"*b{levels - 1}")]) + "\n"


SELECTOR_PARTS = " ".join(["a"] * 20_000)
FILES = {
    "alias bomb in event (9 levels)": ("a.yml", alias_bomb("  - event: BOMB\n    send: x")),
    "alias bomb in once": ("a.yml", alias_bomb("  - event: view\n    send: x\n    once: BOMB")),
    "alias bomb as a key": (
        "a.yml",
        alias_bomb("  - event: view\n    send: x\n    ? BOMB\n    : 1"),
    ),
    "alias bomb in pages": ("a.yml", alias_bomb("  - event: view\n    send: x\n    pages: BOMB")),
    "recursive alias": ("a.yml", "rules:\n  - event: &r [*r]\n    send: x\n"),
    "`!!python/object/apply` tag": (
        "a.yml",
        "rules:\n  - event: !!python/object/apply:os.system [x]\n    send: x\n",
    ),
    "list nested 100,000 deep": (
        "a.yml",
        "rules:\n  - event: " + "[" * 100_000 + "]" * 100_000 + "\n    send: x\n",
    ),
    "mapping nested 50,000 deep": (
        "a.yml",
        "rules:\n  - event: " + "{a: " * 50_000 + "x" + "}" * 50_000 + "\n    send: x\n",
    ),
    "selector of 20,000 parts": ("a.rules", f"on click '{SELECTOR_PARTS}' send 'x'\n"),
    "selector of 50,000 alternatives": (
        "a.rules",
        "on click " + ",".join(["a"] * 50_000) + " send 'x'\n",
    ),
    "percent of 500,000 digits": ("a.rules", "on scroll " + "9" * 500_000 + "% send 'x'\n"),
    "event word of 900,000 letters": ("a.rules", "on " + "x" * 900_000 + " send 'x'\n"),
    "NUL byte in YAML": ("a.yml", "rules:\n  - \"on view send 'a\x00b'\"\n"),
    "200,000 values on one line, all empty": (
        "a.rules",
        "on view send " + ", ".join(["''"] * 200_000) + "\n",
    ),
    "400,000 bad lines": ("a.rules", "x\n" * 400_000),
    "20,000 bad YAML rules": ("a.yml", "rules:\n" + "  - {event: tap, send: x}\n" * 20_000),
    # Valid files: what rules files near 1 MB cost to accept.
    "30,000 view rules (valid)": (
        "a.rules",
        "".join(f"on view send '{index:04x}' once page\n" for index in range(30_000)),
    ),
    "20,000 click rules (valid)": (
        "a.rules",
        "".join(f"on click #b{index:x} send '{index:04x}'\n" for index in range(20_000)),
    ),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--write", action="store_true", help="write the table into docs/benchmarks.md"
    )
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, (file_name, text) in FILES.items():
            path = Path(folder) / file_name
            path.write_text(text, encoding="utf-8")
            size = path.stat().st_size
            assert size < 1_000_000, (name, size)
            result = json.loads(
                subprocess.run(
                    [sys.executable, "-c", MEASURE, file_name, str(STOP_SECONDS)],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=folder,
                ).stdout
            )
            rows.append((name, size, result))
    print(f"Python {sys.version.split()[0]}\n")
    print("| rules file | bytes | seconds | MB | exit | first line of the output |")
    print("|---|---:|---:|---:|---:|---|")
    missed = []
    for name, size, result in rows:
        stopped = result["status"] is None
        seconds = f"> {STOP_SECONDS}" if stopped else f"{result['seconds']:.2f}"
        first = result["first"][:90].replace("|", "\\|")
        print(
            f"| {name} | {size:,} | {seconds} | {result['megabytes']:.0f} "
            f"| {'-' if stopped else result['status']} | {first} |"
        )
        if stopped or result["seconds"] >= LIMIT_SECONDS or result["megabytes"] >= LIMIT_MEGABYTES:
            missed.append(name)
    markdown = table(
        ["rules file", "bytes", "seconds", "MB", "exit"],
        "lrrrr",
        [
            [
                name,
                f"{size:,}",
                f"> {STOP_SECONDS}" if result["status"] is None else f"{result['seconds']:.2f}",
                f"{result['megabytes']:.0f}",
                "-" if result["status"] is None else result["status"],
            ]
            for name, size, result in rows
        ],
    )
    if options.write:
        write_section("hostile_rules.py", markdown)
    print()
    for name, _, _result in rows:
        met = name not in missed
        print(
            f"{'met   ' if met else 'MISSED'} {name}: under {LIMIT_SECONDS:.0f} s and "
            f"{LIMIT_MEGABYTES} MB"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
