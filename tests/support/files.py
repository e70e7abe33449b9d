"""Files a test writes or compares: a site from a dict of pages, golden files."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent  # the repository

# Pages with a <base href>: inject --external must follow the relative ones, and cannot
# know where the site is served for the others.
BASE_PAGES = {
    "index.html": "<html><head></head><body><p>home</p></body></html>",
    # Angular and Flutter apps under a sub-path, and documentation generators, write a base.
    "myapp/index.html": '<html><head><base href="./"></head><body><p>app</p></body></html>',
    "myapp/sub/page.html": '<html><head><base href="../"></head><body><p>deep</p></body></html>',
    "docs/a/b.html": '<html><head><base href="../../"></head><body><p>b</p></body></html>',
    # A base that names a place in the URL space: where the site's root is served is not
    # known from the folder.
    "other/page.html": '<html><head><base href="/myapp/"></head><body><p>x</p></body></html>',
    "cdn/page.html": '<html><head><base href="https://cdn.example/"></head><body>x</body></html>',
}


def write_site(folder: Path, pages: dict[str, str], rules: str) -> Path:
    """folder/site with the pages, and folder/rtp-rules.yml; returns the site folder."""
    root = folder / "site"
    for name, text in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (folder / "rtp-rules.yml").write_text(rules)
    return root


def compare_with_golden(golden: Path, text: str, regenerate: bool) -> None:
    """Fail with a diff when ``text`` differs from the golden file; --regenerate rewrites it."""
    if regenerate:
        golden.write_text(text, encoding="utf-8", newline="\n")
    expected = golden.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"tests/expected/{golden.name}",
                "current output",
            )
        )
        pytest.fail(
            f"{golden.name} differs from the current output; run pytest --regenerate "
            f"after a deliberate change.\n{diff}",
            pytrace=False,
        )
