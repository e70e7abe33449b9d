"""Stage 2, paths: the page glob language (``pages`` / ``exclude``, ``--include``):
one meaning in Python and in the bundle. Walking a site's folder is ``walk``'s.

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

import re
from functools import lru_cache

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
