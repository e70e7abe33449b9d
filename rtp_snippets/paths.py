"""Page globs (``pages`` / ``exclude``): one meaning in Python and in the bundle.

A glob is a site path starting with ``/``: ``*`` matches within one segment,
``?`` one character of a segment, ``**`` any number of characters across
segments, and ``/**`` at the end or before ``/`` also matches nothing, so
``/pricing/**`` covers ``/pricing``, ``/pricing/`` and everything below.
Paths ending in ``/index.html`` (or ``.htm``) are treated as the folder path
``/…/``, both in globs and in the pages they are compared with, because a
server shows the same page under both.

The visitor chooses the path the bundle matches, so matching must never take
long, and a regular expression cannot promise that: its engine backtracks, and
``/**a**a**a**a**b`` against a 300-character path took 29 s in Python and 33 s
in Chromium (issue 12). Both matchers, ``matches`` here and ``matches`` in
``templates/runtime/globs.js``, instead go through the glob's tokens once,
keeping the set of path positions the glob so far can end at: the work grows
with path length × glob length, whatever the wildcards. ``glob_tokens`` cuts
the glob, read from its start, into ``/**`` (before ``/`` or at the end),
``**``, ``*``, ``?`` and runs of literal characters, here and for the bundle,
which carries the tokens. From a reached position,

- ``/**`` reaches it and, if the character there is ``/``, every later position;
- ``**`` reaches it and every later position;
- ``*`` reaches it and the later ones up to the next ``/`` (not past it);
- ``?`` reaches the next position unless the character there is ``/``;
- a literal run reaches the position after it if the path goes on with it.

The glob matches when the end of the path is reached after the last token.
Both keep the set as bits (Python one integer, the bundle 32-bit numbers), so a
wildcard or a literal character costs a few operations on path length / 32
words; globs have at most ``MAX_GLOB_LENGTH`` characters and ``MAX_WILDCARDS``
wildcards.
``tests/test_globs.py`` checks both matchers against the regular expression
that was used before, on many globs and paths.
"""

from __future__ import annotations

import os
import re
import stat
from functools import lru_cache
from pathlib import Path

from .errors import RtpSnippetsError

HTML_SUFFIXES = (".html", ".htm")  # the files of a built site that are pages
# \Z, not $: Python's $ also matches before a final "\n", the bundle's does not.
_INDEX = re.compile(r"/index\.html?\Z")
_WILDCARDS = ("/**", "**", "*", "?")
# Matching costs about path length × glob length (a "*" a few times a literal
# character); within these caps the slowest glob takes a few ms on a 2,000-character
# path in the browser (benchmarks/glob_speed.py).
MAX_GLOB_LENGTH = 200
MAX_WILDCARDS = 20


def normalize_path(path: str) -> str:
    """The form of a page path that globs are matched against."""
    return _INDEX.sub("/", path)


def glob_problem(glob: str) -> tuple[int, str] | None:
    """``(offset, message)`` when the glob cannot be used, else None."""
    if not glob.startswith("/"):
        return 0, f"page globs are site paths starting with '/': write '/{glob.lstrip('./')}'"
    if "***" in glob:
        return glob.index("***"), "'***' is not a glob; use '**' for any depth"
    if len(glob) > MAX_GLOB_LENGTH:
        message = f"a page glob is at most {MAX_GLOB_LENGTH} characters; this one has {len(glob)}"
        return MAX_GLOB_LENGTH, message
    for offset, char in enumerate(glob):
        if char.isspace() or ord(char) < 0x20:
            return offset, "page globs cannot contain whitespace or control characters"
    # Offsets in the folder form are the glob's: only a last "index.html" differs.
    wildcards = []
    offset = 0
    for token in glob_tokens(glob):
        if token in _WILDCARDS:
            wildcards.append(offset)
        offset += len(token)
    if len(wildcards) > MAX_WILDCARDS:
        message = (
            f"a page glob has at most {MAX_WILDCARDS} wildcards (*, ** and ?); "
            f"this one has {len(wildcards)}"
        )
        return wildcards[MAX_WILDCARDS], message
    return None


def matches(globs: tuple[str, ...] | list[str], path: str) -> bool:
    """Whether the page path matches any of the globs (the bundle does the same)."""
    path = normalize_path(path)
    return any(_reaches_the_end(glob_tokens(glob), path) for glob in globs)


@lru_cache(maxsize=256)
def glob_tokens(glob: str) -> tuple[str, ...]:
    """The glob in folder form, cut into "/**" (before "/" or at the end), "**",
    "*", "?" and runs of literal characters (which never hold "*" or "?")."""
    glob = normalize_path(glob)
    tokens: list[str] = []
    position = 0
    while position < len(glob):
        if glob.startswith("/**", position) and glob[position + 3 : position + 4] in ("", "/"):
            token = "/**"
        elif glob.startswith("**", position):
            token = "**"
        else:
            token = glob[position]
        if token not in _WILDCARDS and tokens and tokens[-1] not in _WILDCARDS:
            tokens[-1] += token  # literal characters make one run
        else:
            tokens.append(token)
        position += len(token)
    return tuple(tokens)


@lru_cache(maxsize=1024)
def _positions(path: str) -> dict[str, int]:
    """For each character of the path, the positions before it, as the bits of one
    integer: bit i is the position before path[i], bit len(path) the end. Cached:
    a build matches every rule's globs against the same page path."""
    at: dict[str, int] = {}
    for index, character in enumerate(path):
        at[character] = at.get(character, 0) | 1 << index
    return at


def _reaches_the_end(tokens: tuple[str, ...], path: str) -> bool:
    reached = 1
    if tokens and tokens[0] not in _WILDCARDS:
        # Most globs start with a literal ("/blog/"), which most paths do not.
        if not path.startswith(tokens[0]):
            return False
        reached, tokens = 1 << len(tokens[0]), tokens[1:]
    at = _positions(path)
    slashes = at.get("/", 0)
    others = (1 << len(path)) - 1 & ~slashes  # before a character other than "/"
    everywhere = (1 << (len(path) + 1)) - 1
    for token in tokens:
        if token == "*":
            # Adding a reached bit to a run of ones in `others` carries it to the run's
            # end (the next "/" or the end), so the XOR sets it up to there.
            reached |= ((reached & others) + others) ^ others
        elif token in ("**", "/**"):
            # Those reached, and every position from the first reached one on ("**")
            # or from the one after the first reached "/" on ("/**"). -bit is that bit
            # and every bit above it.
            start = reached if token == "**" else (reached & slashes) << 1
            reached |= everywhere & -(start & -start)
        else:
            # "?" or a run of literal characters, one character after another.
            for character in token:
                reached = (reached & (others if token == "?" else at.get(character, 0))) << 1
        if not reached:
            return False
    return bool(reached >> len(path) & 1)


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
    each sorted; and ``(path, status, reason)`` for symbolic links to files and
    folders (never followed; a folder is chosen by its path '/docs/'), what is not a
    regular file (a FIFO would hang the reader, a device feed it forever; none is
    opened) and folders that could not be listed.
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


def page_opener(path: str, flags: int) -> int:
    """The ``opener`` for what is read from a site (pages, our bundle files): no symbolic
    link is followed, and a FIFO put in a file's place since the listing is not waited on
    (the caller checks the kind with fstat)."""
    return os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)


def not_a_regular_file(mode: int) -> str:
    """Why a file of this ``st_mode`` is not read as a page; '' for a regular file."""
    if stat.S_ISREG(mode):
        return ""
    kinds = {
        stat.S_IFIFO: "a FIFO",
        stat.S_IFCHR: "a character device",
        stat.S_IFBLK: "a block device",
        stat.S_IFSOCK: "a socket",
        stat.S_IFDIR: "a folder",
        stat.S_IFLNK: "a symbolic link",
    }
    return f"not a regular file ({kinds.get(stat.S_IFMT(mode), 'of an unknown kind')})"
