"""Writing a benchmark's figures into docs/benchmarks.md, with the date and the machine.

A figure in the documentation is written by the script that measured it. Each script
owns one section of the page, between `<!-- NAME: begin -->` and `<!-- NAME: end -->`
(NAME is the script's file name), and replaces it with `write_section` when run with
--write. The section starts with `measured_on()`, the line saying when and where.
"""

from __future__ import annotations

import os
import platform
import re
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "benchmarks.md"


def _first(path: str, prefix: str) -> str | None:
    """The rest of the first line of ``path`` that starts with ``prefix``, if any."""
    try:
        with open(path, encoding="utf-8") as file:
            for line in file:
                if line.startswith(prefix):
                    return line[len(prefix) :].strip()
    except OSError:
        pass
    return None


def machine() -> str:
    """The CPU model, cores, memory, operating system and Python of this run."""
    cpu = _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU"
    cpu = cpu.lstrip(":").strip()
    parts = [f"{cpu}, {os.cpu_count()} cores"]
    memory = _first("/proc/meminfo", "MemTotal:")
    if memory:
        parts.append(f"{int(memory.split()[0]) / 2**20:.0f} GB RAM")
    system = _first("/etc/os-release", "PRETTY_NAME=")
    parts.append(
        f"{system.strip(chr(34))}, {platform.system()} {platform.release()}"
        if system
        else platform.platform()
    )
    parts.append(f"Python {platform.python_version()}")
    return ", ".join(parts)


def measured_on(script: str) -> str:
    """The first line of a section: the date, the machine, how busy it was (the load
    average over the last minute when the figures were written: other work on the
    machine slows every timing) and the script that measured."""
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return f"Measured on {date.today().isoformat()} on {machine()}{load}, by `benchmarks/{script}`."


def write_section(name: str, markdown: str, page: Path = PAGE) -> None:
    """Replace what lies between the ``name`` markers in ``page`` with the date and machine
    line and ``markdown``. Exits with a message when the page lacks the markers, so a
    measurement is never silently lost."""
    begin, end = f"<!-- {name}: begin -->\n", f"<!-- {name}: end -->\n"
    shown = page.relative_to(ROOT) if page.is_relative_to(ROOT) else page
    text = page.read_text(encoding="utf-8")
    found = re.findall(re.escape(begin) + ".*?" + re.escape(end), text, flags=re.S)
    if len(found) != 1:
        sys.exit(
            f"{shown} must hold one pair of markers {begin.strip()} … "
            f"{end.strip()}, found {len(found)}; nothing written"
        )
    section = begin + measured_on(name) + "\n\n" + markdown.strip("\n") + "\n" + end
    page.write_text(text.replace(found[0], section), encoding="utf-8")
    print(f"written into {shown} between the {name} markers")


def table(header: list[str], align: str, rows: list[list[object]]) -> str:
    """A Markdown table: ``align`` has one letter per column, l (text) or r (numbers)."""
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" if a == "l" else "---:" for a in align) + "|",
    ]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
