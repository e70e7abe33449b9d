"""Stage 3, walk: which files of a built site's folder are its pages.

``site_pages`` lists the HTML files under a site's root, chosen by the include/exclude
globs (whose language is ``paths``), and says what it would not look at: symbolic
links (never followed), what is not a regular file, folders it could not list.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Literal

from .errors import RtpSnippetsError
from .files import not_a_regular_file
from .paths import matches

HTML_SUFFIXES = (".html", ".htm")  # the files of a built site that are pages
# What a file that is not looked at is to the run: left alone (a link), or an error.
Trouble = Literal["skipped", "error"]


def site_folder_problem(root: Path) -> str | None:
    """Why ``root`` cannot be a built site's folder, or None; the same words everywhere."""
    if root.is_dir():
        return None
    if root.exists():
        return f"{root}: not a folder; give the output folder of your site build"
    return f"{root}: no such folder; give the output folder of your site build"


def site_pages(
    root: Path, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()
) -> tuple[list[str], list[tuple[str, Trouble, str]]]:
    """The pages of a built site and what could not be looked at.

    Returns the site paths ('/blog/index.html') of the HTML files under ``root``
    chosen by the include/exclude globs, a folder's files before its subfolders,
    each sorted; and ``(path, status, reason)`` for symbolic links to files and
    folders (never followed; a folder is chosen by its path '/docs/'), what is not a
    regular file (a FIFO would hang the reader, a device feed it forever; none is
    opened) and folders that could not be listed.
    """
    problem = site_folder_problem(root)
    if problem:
        raise RtpSnippetsError(problem)
    pages: list[str] = []
    problems: list[tuple[str, Trouble, str]] = []

    def unreadable(error: OSError) -> None:
        folder = "/" + Path(error.filename).relative_to(root).as_posix() + "/"
        problems.append(
            (folder.replace("//", "/"), "error", f"cannot list the folder: {error.strerror}")
        )

    def chosen(path: str) -> bool:
        return not (include and not matches(include, path) or exclude and matches(exclude, path))

    # os.scandir gives each entry's type without a stat call (on Linux file systems),
    # so only what is neither a file, a folder nor a link is looked at more closely.
    def look(folder: str, prefix: str) -> list[tuple[str, str]]:
        """Note the folder's pages and problems; return its subfolders, sorted."""
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            unreadable(error)
            return []
        folders = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry)
                    continue
                link = entry.is_symlink()
                if link and _links_to_folder(entry.path):
                    path = prefix + entry.name + "/"
                    if chosen(path):
                        problems.append(
                            (path, "skipped", "a symbolic link to a folder (not followed)")
                        )
                    continue
                if not entry.name.lower().endswith(HTML_SUFFIXES):
                    continue
                path = prefix + entry.name
                if not chosen(path):
                    continue
                if link:
                    problems.append((path, "skipped", "a symbolic link (not followed)"))
                elif entry.is_file(follow_symlinks=False):
                    pages.append(path)
                else:
                    mode = entry.stat(follow_symlinks=False).st_mode
                    problems.append((path, "skipped", not_a_regular_file(mode)))
            except FileNotFoundError:
                if not entry.name.lower().endswith(HTML_SUFFIXES):
                    continue
                path = prefix + entry.name
                if chosen(path):
                    pages.append(path)  # gone since the folder was listed: reading it says so
            except OSError as error:
                path = prefix + entry.name
                if entry.name.lower().endswith(HTML_SUFFIXES) and chosen(path):
                    problems.append((path, "error", f"cannot look at the file: {error.strerror}"))
        return [(entry.path, prefix + entry.name + "/") for entry in folders]

    # Depth first, a folder's files before its subfolders, without recursion (a deep tree
    # must not reach Python's recursion limit).
    waiting = [(str(root), "/")]
    while waiting:
        waiting.extend(reversed(look(*waiting.pop())))
    return pages, problems


def _links_to_folder(path: str) -> bool:
    """Whether the symbolic link at ``path`` ends at a folder (a loop or a dangling link
    ends nowhere)."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False
