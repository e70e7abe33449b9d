"""Stage 2, links: link globs (a click rule's ``link``): one meaning in Python and in the bundle.

A link glob is matched against the URL of the link clicked as the browser resolves it
(absolute and percent-encoded, as ``a.href`` gives it), without its ``?query`` and
``#fragment``, in lower case: ``*`` stands for any run of characters (``/`` included,
or none), every other character for itself, and the glob must match the whole URL. So
``*.pdf`` matches every link to a PDF file, whatever its query
(``https://example.com/files/Report.PDF?v=2``), but not ``/view?file=a.pdf``;
``https://example.com/files/*`` matches everything under that folder. A glob starts
with ``*`` or with a scheme (``https:``), since the URL it is matched against does.

The word ``outbound`` instead matches links to other hosts: an ``http:`` or ``https:``
URL whose host name is not the page's (``location.hostname``; ``www.example.com`` and
``example.com`` are different hosts, the port does not count). The word ``file`` matches
links to a file that is not a page: the URL's path ends in one of ``FILES`` (a dot and
the extension, in any case; the query and fragment do not count). The same list decides,
in the bundle, that a click on such a link does not lead to a page that runs the bundle,
so its call is sent at once rather than stored for the next page.

The visitor may choose the URL (a link in a comment, a crafted query), so matching
takes no regular expression, which could backtrack: the glob is cut at its ``*`` into
literal parts, the first must start the URL and the last end it, and each part between
is looked for, leftmost, from where the one before ended (the leftmost place leaves the
most room for the rest, so the search never goes back). That is one substring search
per part: at most the URL's length times the glob's, whatever the URL. Python
(``link_matches``) and the bundle (``linked`` in ``templates/runtime/links.js``, through
``wildcard`` in ``templates/runtime/wildcard.js``, which the consent cookie's value glob
uses too; the parts come from ``link_parts``) do the same.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

OUTBOUND = "outbound"
FILE = "file"
# Extensions of files that are not pages, which browsers show or download: documents,
# archives and installers, images, audio and video, feeds and data (after Google
# Analytics 4's list of file downloads, with images and feeds added; every name costs
# each bundle that queues calls a few bytes). Matched against the end of a URL's path by
# FILE_PATTERN here and by the same pattern in the bundle.
FILES = tuple(
    (
        "pdf doc docx xls xlsx ppt pptx odt ods odp rtf txt csv epub "  # documents
        "zip rar 7z gz tgz tar dmg exe msi "  # archives and installers
        "png jpg jpeg gif webp svg avif "  # images
        "mp3 wav ogg m4a mp4 mov webm avi mkv "  # audio and video
        "xml rss json ics"  # feeds and data
    ).split()
)
# The source of the pattern (the bundle builds the same one with the "i" flag).
FILE_PATTERN = r"\.(" + "|".join(FILES) + r")$"
_FILE = re.compile(FILE_PATTERN.replace("$", r"\Z"), re.IGNORECASE | re.ASCII)
# The words a link rule takes instead of a glob.
KEYWORDS = (OUTBOUND, FILE)
# The host that check resolves a page's links on: it does not know the site's own.
CHECK_HOST = "site.invalid"
MAX_LINK_GLOB_LENGTH = 200
MAX_STARS = 20
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# What a browser leaves as it is when it percent-encodes a URL (the rest of ASCII but
# space, quotes, '<', '>', '`' and controls).
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~|{}^\\"


def link_glob_problem(glob: str) -> tuple[int, str] | None:
    """``(offset, message)`` when the link glob cannot be used, else None."""
    if glob in KEYWORDS:
        return None
    if len(glob) > MAX_LINK_GLOB_LENGTH:
        return MAX_LINK_GLOB_LENGTH, (
            f"a link glob is at most {MAX_LINK_GLOB_LENGTH} characters; this one has {len(glob)}"
        )
    for offset, char in enumerate(glob):
        if char.isspace() or ord(char) < 0x20 or ord(char) == 0x7F:
            return offset, "a link glob cannot contain whitespace or control characters"
    for char in "?#":
        if char in glob:
            return glob.index(char), (
                "a link glob matches the URL without its ?query and #fragment; remove them"
            )
    if not glob.startswith("*") and not _SCHEME.match(glob):
        return 0, (
            "a link glob matches the whole URL (https://host/path): start it with * or the "
            "scheme, e.g. '*.pdf' or 'https://example.com/files/*', or write outbound for "
            "links to other hosts, or file for links to files that are not pages"
        )
    stars = [offset for offset, char in enumerate(glob) if char == "*"]
    if len(stars) > MAX_STARS:
        return stars[MAX_STARS], (
            f"a link glob has at most {MAX_STARS} '*'; this one has {len(stars)}"
        )
    return None


def has_scheme(url: str) -> bool:
    """Whether the URL starts with a scheme (``https:``)."""
    return _SCHEME.match(url) is not None


def link_parts(glob: str) -> str | list[str]:
    """The glob as the bundle carries it: its literal parts between the ``*``, in lower
    case; ``outbound`` and ``file`` as they are."""
    return glob if glob in KEYWORDS else glob.lower().split("*")


def is_file(url: str) -> bool:
    """Whether the URL's path names a file that is not a page (see FILES)."""
    return _FILE.search(urlsplit(url).path) is not None


def link_matches(glob: str, url: str, host: str | None = None) -> bool:
    """Whether the link glob matches ``url`` (absolute, as a browser resolves it). For
    ``outbound``: whether ``url`` is http(s) on a host other than ``host`` (with ``host``
    None: any host); for ``file``: whether it names a file that is not a page."""
    if glob == FILE:
        return is_file(url)
    split = urlsplit(url)
    if glob == OUTBOUND:
        return (
            split.scheme.lower() in ("http", "https")
            and bool(split.hostname)
            and (host is None or split.hostname != host.lower())
        )
    text = urlunsplit(split._replace(query="", fragment="")).lower()
    parts = link_parts(glob)
    at = len(parts[0])
    if not text.startswith(parts[0]):
        return False
    for part in parts[1:-1]:
        at = text.find(part, at)
        if at < 0:
            return False
        at += len(part)
    if len(parts) == 1:
        return len(text) == at
    return len(text) - len(parts[-1]) >= at and text.endswith(parts[-1])


def resolve(href: str, page_url: str) -> str:
    """``href`` resolved against ``page_url`` roughly as a browser does: spaces around it
    dropped, the result percent-encoded (urllib's rules differ from a browser's for some
    malformed URLs)."""
    url = urljoin(page_url, href.strip(" \t\n\r\f"))
    return quote(url, safe=_URL_SAFE)
