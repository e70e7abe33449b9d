"""Page globs (``pages`` / ``exclude``): one regular expression for Python and JS.

A glob is a site path starting with ``/``: ``*`` matches within one segment,
``?`` one character of a segment, ``**`` any number of characters across
segments, and ``/**`` at the end or before ``/`` also matches nothing, so
``/pricing/**`` covers ``/pricing``, ``/pricing/`` and everything below.
Paths ending in ``/index.html`` (or ``.htm``) are treated as the folder path
``/…/``, both in globs and in the pages they are compared with, because a
server shows the same page under both.

The generated expression uses only syntax that Python's ``re`` and
JavaScript's ``RegExp`` read the same way, so the bundle and the tests agree.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from .errors import RtpSnippetsError

HTML_SUFFIXES = (".html", ".htm")  # the files of a built site that are pages
_INDEX = re.compile(r"/index\.html?$")
_REGEX_SPECIAL = set("\\.^$|?*+()[]{}")


def normalize_path(path: str) -> str:
    """The form of a page path that globs are matched against."""
    return _INDEX.sub("/", path)


def glob_problem(glob: str) -> tuple[int, str] | None:
    """``(offset, message)`` when the glob cannot be used, else None."""
    if not glob.startswith("/"):
        return 0, f"page globs are site paths starting with '/': write '/{glob.lstrip('./')}'"
    if "***" in glob:
        return glob.index("***"), "'***' is not a glob; use '**' for any depth"
    for offset, char in enumerate(glob):
        if char.isspace() or ord(char) < 0x20:
            return offset, "page globs cannot contain whitespace or control characters"
    return None


def glob_regex(globs: tuple[str, ...] | list[str]) -> str:
    """One anchored regular expression source that matches any of the globs."""
    return "^(?:" + "|".join(_glob_body(normalize_path(glob)) for glob in globs) + ")$"


def _glob_body(glob: str) -> str:
    parts = []
    index = 0
    while index < len(glob):
        if glob.startswith("/**", index) and glob[index + 3 : index + 4] in ("", "/"):
            parts.append("(?:/.*)?")
            index += 3
        elif glob.startswith("**", index):
            parts.append(".*")
            index += 2
        elif glob[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif glob[index] == "?":
            parts.append("[^/]")
            index += 1
        else:
            char = glob[index]
            parts.append("\\" + char if char in _REGEX_SPECIAL else char)
            index += 1
    return "".join(parts)


def matches(globs: tuple[str, ...] | list[str], path: str) -> bool:
    """Whether the page path matches any of the globs (the bundle does the same)."""
    return _compiled(tuple(globs)).match(normalize_path(path)) is not None


@lru_cache(maxsize=256)
def _compiled(globs: tuple[str, ...]) -> re.Pattern:
    return re.compile(glob_regex(globs))


def site_folder_problem(root: Path) -> str | None:
    """Why ``root`` cannot be a built site's folder, or None; the same words everywhere."""
    if root.is_dir():
        return None
    if root.exists():
        return f"{root}: not a folder; give the output folder of your site build"
    return f"{root}: no such folder; give the output folder of your site build"


def site_pages(
    root: Path, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()
) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The pages of a built site and what could not be looked at.

    Returns the site paths ('/blog/index.html') of the HTML files under ``root``
    chosen by the include/exclude globs, a folder's files before its subfolders,
    each sorted; and ``(path, status, reason)`` for symbolic links (never
    followed) and folders that could not be listed.
    """
    problem = site_folder_problem(root)
    if problem:
        raise RtpSnippetsError(problem)
    pages: list[str] = []
    problems: list[tuple[str, str, str]] = []

    def unreadable(error: OSError) -> None:
        folder = "/" + Path(error.filename).relative_to(root).as_posix() + "/"
        problems.append(
            (folder.replace("//", "/"), "error", f"cannot list the folder: {error.strerror}")
        )

    for folder, folders, files in os.walk(root, onerror=unreadable, followlinks=False):
        folders.sort()
        for name in sorted(files):
            if not name.lower().endswith(HTML_SUFFIXES):
                continue
            full = Path(folder) / name
            path = "/" + full.relative_to(root).as_posix()
            if include and not matches(include, path):
                continue
            if exclude and matches(exclude, path):
                continue
            if full.is_symlink():
                problems.append((path, "skipped", "a symbolic link (not followed)"))
                continue
            pages.append(path)
    return pages, problems
