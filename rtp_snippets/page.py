"""Stage 5, page: what one built page says, read once.

Decoding (the bytes stay as they are: ASCII-compatible pages are read as latin-1, so
every offset is a byte offset), the RTP tags present, whether the page changes pages
without loading them, and the elements selectors match: by lexbor (selectolax), a
browser's HTML parser and selector engine whose counts agree with Chromium's
(tests/test_check_engine.py), and by soupsieve for the selectors lexbor does not run
as Chromium does. The scanner (``scan``) finds where a script can go.

This stage knows nothing of rules: callers give it selectors under keys of their own.
"""

from __future__ import annotations

import html
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from . import links
from .errors import PageSkipped
from .files import Unreadable, read_page
from .scan import Scan, Script, attribute_value, scan
from .text import read_text

_Task = TypeVar("_Task")
_Shared = TypeVar("_Shared")
_Result = TypeVar("_Result")

_BINARY_MAGIC = (
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"%PDF",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"RIFF",
    b"\x00\x00\x01\x00",
    b"wOF2",
    b"wOFF",
)
_BOMS = ((b"\xef\xbb\xbf", "latin-1"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))

# The official tag and its variants all load .../rtp-api/v1/rtp.js (or rtp.js?aid=...).
_RTP_TAG = re.compile(r"rtp-api/v\d+/rtp\.js|/rtp\.js\?(?:[^\"'\s]*&)?aid=")
# What may come before an attribute value or one of its words (besides white space): a
# quote, '=', or the end of a character reference (';', or a digit or a-f as in '&#32'
# or '&#xA' without one). Not '#', '.', '/' or a letter: "#name" in a code sample, or a
# URL, holds no id.
_BEFORE_VALUE = frozenset("\"'=;0123456789abcdef")
# Character references that can stand for a character of an id or class name in a page's
# lowered text: numeric ones, and &lowbar; / &UnderBar; ('_'); no other named reference is
# an ASCII letter, digit, '-' or '_'.
_NAME_REFERENCE = re.compile(r"&(?:#|lowbar;|underbar;)")
# An id or class a simple selector needs: a page without its name cannot match.
_SIMPLE_TOKEN = re.compile(r"[#.]([A-Za-z_][-A-Za-z0-9_]*)")


# Encodings in which the bytes of '<', '/' and ASCII letters can be part of other
# characters, so that a block spliced into the bytes is read as something else: the
# labels WHATWG's Encoding standard gives ISO-2022-JP and those it maps to "replacement"
# (the other ISO-2022 encodings and HZ), and UTF-7, which browsers do not decode at all.
_NOT_ASCII_COMPATIBLE = {
    "iso-2022-jp": "ISO-2022-JP",
    "csiso2022jp": "ISO-2022-JP",
    "iso-2022-kr": "ISO-2022-KR",
    "csiso2022kr": "ISO-2022-KR",
    "iso-2022-cn": "ISO-2022-CN",
    "iso-2022-cn-ext": "ISO-2022-CN-EXT",
    "hz-gb-2312": "HZ-GB-2312",
    "replacement": "replacement",
    "utf-7": "UTF-7",
    "unicode-1-1-utf-7": "UTF-7",
    "unicode-2-0-utf-7": "UTF-7",
    "csunicode11utf7": "UTF-7",
}
# The charset a <meta> declares (charset=…, or in http-equiv's content), in the first
# bytes browsers look at for one (4 KB here, more than their 1,024).
_META_CHARSET = re.compile(
    rb"<meta[^>]{0,1000}?charset[\t\n\f\r ]*=[\t\n\f\r ]*[\"']?[\t\n\f\r ]*"
    rb"([^\t\n\f\r \"';>/]{1,40})",
    re.IGNORECASE,
)
# The escape sequences that switch ISO-2022 text to another character set: a page holding
# one is ISO-2022 whatever it declares (browsers detect it from them).
_ISO_2022_ESCAPES = (
    (b"\x1b$)C", "ISO-2022-KR"),
    (b"\x1b$)A", "ISO-2022-CN"),
    (b"\x1b$)G", "ISO-2022-CN"),
    (b"\x1b$B", "ISO-2022-JP"),
    (b"\x1b$@", "ISO-2022-JP"),
    (b"\x1b$(D", "ISO-2022-JP"),
    (b"\x1b(J", "ISO-2022-JP"),
)


def _not_ascii_compatible(data: bytes) -> str | None:
    """The name of the page's encoding when it is one of those, else None."""
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        label = declared.group(1).decode("latin-1").lower()
        if label in _NOT_ASCII_COMPATIBLE:
            return _NOT_ASCII_COMPATIBLE[label]
    if b"\x1b" in data:
        for escape, name in _ISO_2022_ESCAPES:
            if escape in data:
                return name
    return None


def decode(data: bytes) -> tuple[bytes, str, str]:
    """(BOM, text, codec) such that ``BOM + text.encode(codec)`` gives back ``data``."""
    if (
        data.startswith(_BINARY_MAGIC)
        or data[:4096].count(0) > 512
        and not (data.startswith((b"\xff\xfe", b"\xfe\xff")))
    ):
        raise PageSkipped("a binary file, not HTML")
    bom, codec = next(
        ((bom, codec) for bom, codec in _BOMS if data.startswith(bom)), (b"", "latin-1")
    )
    if not bom:
        encoding = _not_ascii_compatible(data)
        if encoding:
            raise PageSkipped(
                f"its encoding ({encoding}) is not ASCII-compatible: a script added to its "
                "bytes would be read as other characters"
            )
    try:
        text = data[len(bom) :].decode(codec, "surrogatepass")
    except UnicodeDecodeError:
        raise PageSkipped(
            f"not valid {codec.upper()} although it starts with its byte order mark"
        ) from None
    if codec != "latin-1" and text.encode(codec, "surrogatepass") != data[len(bom) :]:
        raise PageSkipped(f"its {codec.upper()} does not survive decoding and encoding unchanged")
    return bom, text, codec


def may_have_rtp_tag(text: str) -> bool:
    """False when no script of the page can be an RTP tag (it never names rtp.js's URL)."""
    return "rtp.js" in text and _RTP_TAG.search(text) is not None


def has_rtp_tag(found: Scan) -> bool:
    """Whether a script of the page loads rtp.js, in any of the tag's known variants."""
    return any(is_rtp_tag(script) for script in found.scripts)


def is_rtp_tag(script: Script) -> bool:
    """Whether the script is an RTP tag: a script that runs (see runs) and loads rtp.js
    (src, or the tag's loader code). A data block that names rtp.js (a consent
    platform's list of scripts to block) is not one."""
    return bool(_RTP_TAG.search(script.attributes) or _RTP_TAG.search(script.text)) and runs(script)


# The types of a script that runs: WHATWG's JavaScript MIME type essences, and module.
_SCRIPT_TYPES = frozenset(
    (
        "application/ecmascript application/javascript application/x-ecmascript "
        "application/x-javascript text/ecmascript text/javascript text/javascript1.0 "
        "text/javascript1.1 text/javascript1.2 text/javascript1.3 text/javascript1.4 "
        "text/javascript1.5 text/jscript text/livescript text/x-ecmascript "
        "text/x-javascript module"
    ).split()
)


def runs(script: Script) -> bool:
    """Whether the browser runs the script: no type (or an empty one), a JavaScript MIME
    type (parameters ignored, any case) or module; not JSON, text/plain or another data
    block."""
    kind = attribute_value(script.attributes, "type")
    if kind is None or not kind.strip(" \t\n\f\r"):
        return True
    return kind.split(";")[0].strip(" \t\n\f\r").lower() in _SCRIPT_TYPES


def rtp_tag_place(found: Scan) -> int | None:
    """Marketo asks for the tag as the first script in <head>: before the first script
    there, else at the end of the head (which ends where the body starts)."""
    for script in found.scripts:
        if script.in_head:
            return script.start
    return found.head_end if found.head_end is not None else found.body_start


# Material for MkDocs writes its theme settings into every page as JSON:
# <script id="__config" type="application/json">{"features": [...], ...}</script>.
_MATERIAL_CONFIG = re.compile(rb'<script id="__config"[^>]*>([^<]*)</script>')
MATERIAL_INSTANT = "Material for MkDocs' navigation.instant"


def client_navigation(data: bytes) -> str | None:
    """What makes the page change pages without loading them, or None.

    Known: Material for MkDocs with the ``navigation.instant`` feature (its theme
    settings say so on every page). Other sites say ``client_navigation: on``."""
    if b"navigation.instant" not in data:
        return None
    match = _MATERIAL_CONFIG.search(data)
    if not match:
        return None
    try:
        config = json.loads(match.group(1))
    except ValueError:
        return None
    features = config.get("features") if isinstance(config, dict) else None
    if isinstance(features, list) and "navigation.instant" in features:
        return MATERIAL_INSTANT
    return None


# Pseudo-classes lexbor (selectolax 1.0.2) runs as Chromium does; tests/test_check_engine.py
# compares its counts with Chromium's on every corpus page. The others go to soupsieve:
# lexbor cannot parse some (:dir, :lang, :focus-within, :target, ...) and answers others
# differently (:enabled, :optional, :read-only, :read-write, and :checked on <option>).
LEXBOR_PSEUDO_CLASSES = frozenset(
    """
    any-link disabled empty first-child first-of-type has is last-child
    last-of-type link not nth-child nth-last-child nth-last-of-type nth-of-type
    only-child only-of-type required root where
    """.split()
)
# lexbor never counts the root element for these (Chromium does: <html> is the first, last
# and only child of the document)...
_STRUCTURAL = re.compile(r":(?:first|last|only|nth)-", re.IGNORECASE)
# ... and compares these attributes' values case-sensitively, where HTML wants them
# compared ignoring ASCII case ([lang|=en] matches lang="EN").
_CASELESS_ATTRIBUTES = frozenset(
    """
    accept accept-charset align alink axis bgcolor charset checked clear codetype color
    compact declare defer dir direction disabled enctype face frame hreflang http-equiv
    lang language link media method multiple nohref noresize noshade nowrap readonly rel
    rev rules scope scrolling selected shape target text type valign valuetype vlink
    """.split()
)
_PSEUDO_CLASS = re.compile(r"(?<!\\):{1,2}([-A-Za-z]+)")
_ATTRIBUTE_VALUE = re.compile(r"\[\s*([-A-Za-z_:]+)\s*[~|^$*]?=")
_SUBJECT_TYPE = re.compile(r"[A-Za-z][-A-Za-z0-9]*")


@lru_cache(maxsize=1024)
def lexbor_runs(selector: str) -> bool:
    """Whether lexbor counts what Chromium counts for ``selector`` (else soupsieve does)."""
    names = {name.lower() for name in _PSEUDO_CLASS.findall(selector)}
    if not names <= LEXBOR_PSEUDO_CLASSES:
        return False
    if any(name.lower() in _CASELESS_ATTRIBUTES for name in _ATTRIBUTE_VALUE.findall(selector)):
        return False
    if _STRUCTURAL.search(selector) and any(
        _may_be_root(subject) for subject in _subjects(selector)
    ):
        return False
    return _lexbor_parses(selector)


def _subjects(selector: str) -> list[str]:
    """Of each selector in the list, the compound selector that may match the root: the
    whole selector, when it has no combinator ("" when it has one: then the element it
    matches has a parent or a sibling, which the root has not)."""
    subjects, depth, start, quote, combined = [], 0, 0, "", False
    for position, char in enumerate(selector):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth == 0 and (char in ">+~" or char == " " and _between(selector, start, position)):
            combined = True
        elif depth == 0 and char == ",":
            subjects.append("" if combined else selector[start:position].strip())
            start, combined = position + 1, False
    subjects.append("" if combined else selector[start:].strip())
    return subjects


def _between(selector: str, start: int, position: int) -> bool:
    """Whether the space at ``position`` has a compound selector on both sides."""
    after = selector[position:].lstrip()[:1]
    return bool(selector[start:position].strip()) and after not in ("", ",")


def _may_be_root(subject: str) -> bool:
    """Whether a compound selector may match <html>: no type, or the type html."""
    if not subject:
        return False
    element = _SUBJECT_TYPE.match(subject)
    return element is None or element.group(0).lower() == "html"


@lru_cache(maxsize=1024)
def _lexbor_parses(selector: str) -> bool:
    from selectolax.lexbor import LexborHTMLParser, SelectolaxError

    try:
        LexborHTMLParser("<p>").css(selector)
    except SelectolaxError:
        return False
    return True


# A match: the element's tag name, a key for it (when asked), the key of the nearest
# <a> or <button> around it (when asked; None without one), its href (when asked) and
# what was asked to be read of it (see READ_LIMIT; None when nothing was). Keys compare
# within one page only.
Match = tuple[str, int, "int | None", "str | None", "tuple[str | None, ...] | None"]
# What can be read of an element for the values check shows: "text" (its text as a
# visitor reads it, text.read_text) and "attr:NAME" (the attribute as getAttribute gives
# it: None when it is missing). Only the first READ_LIMIT elements a key matches are read.
READ_LIMIT = 5


def select(
    data: bytes,
    selectors: dict[int, str],
    around: set[int] | frozenset[int] = frozenset(),
    hrefs: set[int] | frozenset[int] = frozenset(),
    reads: Mapping[int, tuple[str, ...]] | None = None,
) -> dict[int, list[Match]]:
    """The elements each selector matches on the page: by lexbor, as a browser parses the
    page, or by soupsieve on html.parser's tree for the selectors lexbor does not run as
    Chromium does (keys of the two do not compare: an element inside a link one engine
    found is not "claimed" by a link the other found). The link around an element is
    looked up for the selectors in ``around`` only (None for the others), the href for
    those in ``hrefs``, and for those in ``reads`` what it names (see READ_LIMIT) of the first
    READ_LIMIT elements."""
    reads = reads or {}
    found: dict[int, list[Match]] = {}
    by_lexbor = {index: s for index, s in selectors.items() if lexbor_runs(s)}
    if by_lexbor:
        from selectolax.lexbor import LexborHTMLParser

        tree = LexborHTMLParser(data, encoding=True, scripting=True)
        for index, selector in by_lexbor.items():
            found[index] = [
                (
                    *(
                        (node.tag or "", node.mem_id, _around(node, "tag", "mem_id"))
                        if index in around
                        else (node.tag or "", 0, None)
                    ),
                    node.attributes.get("href") if index in hrefs else None,
                    _read(node, reads[index]) if index in reads and number < READ_LIMIT else None,
                )
                for number, node in enumerate(tree.css(selector))
            ]
    if len(by_lexbor) < len(selectors):
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(data, "html.parser")
        for index, selector in selectors.items():
            if index not in by_lexbor:
                found[index] = [
                    (
                        *(
                            (element.name, id(element), _around(element, "name", None))
                            if index in around
                            else (element.name, 0, None)
                        ),
                        _text(element.get("href")) if index in hrefs else None,
                        _read(_Soup(element), reads[index])
                        if index in reads and number < READ_LIMIT
                        else None,
                    )
                    for number, element in enumerate(soup.select(selector))
                ]
    return found


def _read(node: Any, needs: tuple[str, ...]) -> tuple[str | None, ...]:
    """What ``needs`` name of the element ``node`` (see READ_LIMIT)."""
    attributes = node.attributes or {}
    found: list[str | None] = []
    for need in needs:
        if need == "text":
            found.append(read_text(node))
        else:
            name = need.partition(":")[2].lower()
            found.append((attributes[name] or "") if name in attributes else None)
    return tuple(found)


class _Soup:
    """A BeautifulSoup node as text.read_text reads a lexbor node."""

    def __init__(self, node: Any):
        self.node = node

    @staticmethod
    def of(node: Any) -> _Soup | None:
        return None if node is None else _Soup(node)

    @property
    def tag(self) -> str:
        from bs4 import BeautifulSoup, NavigableString, Tag

        if isinstance(self.node, BeautifulSoup):
            return "-document"
        if isinstance(self.node, Tag):
            return self.node.name
        return "-text" if type(self.node) is NavigableString else "-other"

    @property
    def attributes(self) -> dict[str, str | None]:
        attrs = getattr(self.node, "attrs", None) or {}
        return {name: _text(value) for name, value in attrs.items()}

    @property
    def text_content(self) -> str:
        return str(self.node)

    @property
    def parent(self) -> _Soup | None:
        return _Soup.of(self.node.parent)

    @property
    def child(self) -> _Soup | None:
        contents = getattr(self.node, "contents", None)
        return _Soup(contents[0]) if contents else None

    @property
    def next(self) -> _Soup | None:
        return _Soup.of(self.node.next_sibling)


def _text(value: object) -> str | None:
    """An attribute's value as html.parser gives it (a list for class-like names)."""
    return " ".join(value) if isinstance(value, list) else value  # type: ignore[return-value]


def _around(element, name: str, key: str | None) -> int | None:
    """The key of the nearest <a> or <button> that holds ``element``, or None."""
    parent = element.parent
    while parent is not None:
        if getattr(parent, name) in ("a", "button"):
            return getattr(parent, key) if key else id(parent)
        parent = parent.parent
    return None


def _possible(selectors: Mapping[int, str], lowered: str) -> dict[int, str]:
    """The ``selectors`` the page (its text in lower case) may match (see _may_match).

    A name can be written with character references inside it (id="&#100;ownload"): where
    a selector's names are not all there as written and the page has a reference that can
    stand for a name's character (a numeric one, or &lowbar;), the page is searched again
    with its references decoded."""
    wanted = {key: selector for key, selector in selectors.items() if _may_match(selector, lowered)}
    if len(wanted) < len(selectors) and _NAME_REFERENCE.search(lowered):
        decoded = html.unescape(lowered.replace("&underbar;", "_")).lower()
        wanted = {
            key: selector
            for key, selector in selectors.items()
            if key in wanted or _may_match(selector, decoded)
        }
    return wanted


def _may_match(selector: str, lowered: str) -> bool:
    """False only when the page (its text in lower case) cannot match: an id or class the
    selector needs is absent.

    Selectors with alternatives, pseudo-classes or escapes are always parsed.
    """
    if any(char in selector for char in ",:\\[("):
        return True
    return all(_stands_as_value(pattern, lowered) for pattern in _value_patterns(selector))


def _stands_as_value(pattern: re.Pattern, lowered: str) -> bool:
    """Whether ``pattern`` (a name, then what may follow it) occurs after a character that
    may come before an attribute value or one of its words. The name leads the pattern,
    so the search runs at the speed of a substring search."""
    for match in pattern.finditer(lowered):
        start = match.start()
        if start == 0 or lowered[start - 1] in _BEFORE_VALUE or lowered[start - 1].isspace():
            return True
    return False


@lru_cache(maxsize=1024)
def _value_patterns(selector: str) -> tuple[re.Pattern, ...]:
    """For each id or class a simple selector needs, the name (lower case) and what may
    follow it where an attribute value or one of its words holds it: white space, a
    quote, '>' or a character reference ('&'); not more of a longer word. When the
    selector's name goes on in characters the token leaves out (``#café``), only its start
    is looked for. What may come before it is _stands_as_value's part."""
    patterns = []
    for match in _SIMPLE_TOKEN.finditer(selector):
        after = selector[match.end() : match.end() + 1]
        end = r"(?![^\s\"'>&])" if after in ("", ".", "#", " ", ">", "+", "~") else ""
        token = re.escape(match.group(1).lower())
        patterns.append(re.compile(token + end))
    return tuple(patterns)


# --- one page ----------------------------------------------------------------


@dataclass(frozen=True)
class PageFacts:
    """What one page says: how many elements each selector matches (under the caller's
    keys), which click selectors only match inside another's link or button, its RTP
    tags, and what makes it change pages without a load."""

    path: str
    matches: dict[int, int]
    claimed: dict[int, bool]  # every match sits inside an <a>/<button> another key matched
    rtp_tags: int
    rtp_first: bool
    problem: str = ""  # why the page could not be read (then nothing else is known)
    navigation: str | None = None
    # For the keys asked to read (see READ_LIMIT): what was read of each of their first
    # elements; and the page's title as document.title gives it (when asked).
    readings: dict[int, list[tuple[str | None, ...]]] | None = None
    title: str | None = None
    base: str | None = None  # its <base href>

    @classmethod
    def unknown(cls, path: str, problem: str) -> PageFacts:
        """The facts of a page that could not be read, or was skipped: ``problem`` says why."""
        return cls(path, {}, {}, 0, False, problem)


def page_facts(
    path: str,
    data: bytes,
    selectors: Mapping[int, str],
    clicks: Iterable[int] = (),
    link_globs: Mapping[int, str] | None = None,
    reads: Mapping[int, tuple[str, ...]] | None = None,
) -> PageFacts:
    """The facts of the page ``data`` (at ``path``) for ``selectors``; ``clicks`` are the
    keys of the selectors whose matches may be claimed by another's link or button;
    ``link_globs`` (see links.py) keep, for their keys, only the links whose URL matches.
    A link's URL is its href resolved against the page's <base href> or path on the
    host ``links.CHECK_HOST``: the site's real host is not known here. ``reads`` names
    what to read (see READ_LIMIT) of the elements a key's selector matches, and "title" the
    page's title (also for keys without a selector)."""
    link_globs = link_globs or {}
    reads = reads or {}
    try:
        _, text, _ = decode(data)
    except PageSkipped as skipped:
        return PageFacts.unknown(path, skipped.reason)
    tags: list[Script] = []
    rtp_first = False
    # Every form of the RTP tag names rtp.js: without it, the page needs no scan.
    if "rtp.js" in text:
        found = scan(text)
        tags = [script for script in found.scripts if is_rtp_tag(script)]
        head_scripts = [script for script in found.scripts if script.in_head]
        rtp_first = bool(tags) and bool(head_scripts) and head_scripts[0] is tags[0]
    title = page_title(text) if any("title" in needs for needs in reads.values()) else None
    lowered = text.lower()
    del text
    wanted = _possible(selectors, lowered)
    del lowered
    counts = dict.fromkeys(selectors, 0)
    claimed: dict[int, bool] = {}
    readings: dict[int, list[tuple[str | None, ...]]] = {}
    if wanted:
        clicking = set(clicks) & wanted.keys()
        element_reads = {
            index: of_element
            for index, needs in reads.items()
            if index in wanted and (of_element := tuple(need for need in needs if need != "title"))
        }
        selected = select(data, wanted, clicking, link_globs.keys() & wanted.keys(), element_reads)
        if link_globs:
            _keep_matching_links(path, data, selected, link_globs)
        clickable = {
            match[1]
            for index in clicking
            for match in selected[index]
            if match[0] in ("a", "button")
        }
        for index, elements in selected.items():
            counts[index] = len(elements)
            if index in clicking and elements:
                claimed[index] = all(
                    match[2] is not None and match[2] in clickable for match in elements
                )
        readings = {
            index: [match[4] for match in selected[index] if match[4] is not None]
            for index in element_reads
        }
    navigation = client_navigation(data)
    return PageFacts(
        path,
        counts,
        claimed,
        len(tags),
        rtp_first,
        navigation=navigation,
        readings=readings or None,
        title=title,
        base=base_href(data),
    )


# The first <title> and its text (RCDATA: no tags inside), as document.title finds it.
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
_ASCII_WHITESPACE = re.compile("[\t\n\f\r ]+")


def page_title(text: str) -> str:
    """The page's title as document.title gives it: the first <title>'s text with its
    character references decoded and ASCII white space collapsed and trimmed."""
    found = _TITLE.search(text)
    if not found:
        return ""
    return _ASCII_WHITESPACE.sub(" ", html.unescape(found.group(1))).strip(" ")


def _keep_matching_links(
    path: str, data: bytes, selected: dict[int, list[Match]], link_globs: Mapping[int, str]
) -> None:
    """Of the links selected for a link glob, only those whose URL it matches."""
    page_url = f"https://{links.CHECK_HOST}{path}"
    base = base_href(data)
    if base is not None:
        page_url = links.resolve(base, page_url)
    for index, glob in link_globs.items():
        if index in selected:
            selected[index] = [
                match
                for match in selected[index]
                if match[3] is not None
                and links.link_matches(glob, links.resolve(match[3], page_url), links.CHECK_HOST)
            ]


# A <base href="…"> (quoted or not) before <body>; good enough to resolve links and to know
# where an external bundle's src loads from. Bounded, so that a page full of unclosed
# "<base " costs linear time.
_BASE_HREF = re.compile(
    rb"""<base[\t\n\f\r ][^>]{0,1000}?href[\t\n\f\r ]*=[\t\n\f\r ]*"""
    rb"""(?:"([^"]{0,2000})"|'([^']{0,2000})'|([^\t\n\f\r "'>]{1,2000}))""",
    re.IGNORECASE,
)


def base_href(data: bytes) -> str | None:
    """The page's <base href> as written (character references decoded), or None."""
    head = data[: data.find(b"<body")] if b"<body" in data else data
    found = _BASE_HREF.search(head)
    if found is None:
        return None
    value = next(group for group in found.groups() if group is not None).decode("latin-1")
    return html.unescape(value).strip("\t\n\f\r ")


def is_fixed_base(base: str) -> bool:
    """Whether a base href names a place in the URL space (a path from the root, another
    host, a scheme): where it points depends on where the site is served."""
    return base.startswith("/") or links.has_scheme(base)


def read_facts(
    root: str,
    path: str,
    selectors: Mapping[int, str],
    clicks: Iterable[int] = (),
    link_globs: Mapping[int, str] | None = None,
    reads: Mapping[int, tuple[str, ...]] | None = None,
) -> PageFacts:
    """``page_facts`` of the page at ``path`` (``/``-rooted) under ``root``; a page that
    cannot be read says why in ``problem``."""
    data = read_page(root, path)
    if isinstance(data, Unreadable):
        return PageFacts.unknown(path, data.reason)
    return page_facts(path, data, selectors, clicks, link_globs, reads)


# --- every page --------------------------------------------------------------


def map_pages(
    function: Callable[[_Shared, _Task], _Result],
    tasks: list[_Task],
    shared: _Shared,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    finished: Callable[[_Result], bool] | None = None,
) -> list[_Result]:
    """``function(shared, task)`` of each task, in order: in this process with one job (or
    one task), else in ``jobs`` worker processes (default: one per core), each given
    ``shared`` (what every task needs) once, not with every task. ``progress(done,
    total)`` is called after each task; with ``finished``, only the results it says are
    finished count as done (the caller reports the others as it finishes them). Workers
    end with this process."""
    jobs = jobs or os.cpu_count() or 1
    results: list[_Result] = []
    if jobs == 1 or len(tasks) < 2:
        outcomes: Iterator[_Result] = (function(shared, task) for task in tasks)
        pool = None
    else:
        pool = ProcessPoolExecutor(
            max_workers=jobs, initializer=_prepare, initargs=(os.getpid(), function, shared)
        )
        # Small chunks: the workers end together (chunks of 50 left one working alone for
        # up to 40 ms on site-a with 2 jobs).
        chunksize = max(1, min(64, len(tasks) // (jobs * 16)))
        outcomes = pool.map(_work, tasks, chunksize=chunksize)
    done = 0
    try:
        for result in outcomes:
            results.append(result)
            if finished is None or finished(result):
                done += 1
            if progress:
                progress(done, len(tasks))
    finally:
        if pool is not None:
            pool.shutdown()
    return results


_WORK: tuple[Callable, object] | None = None  # a worker process's function and shared data


def _prepare(parent: int, function: Callable, shared: object) -> None:
    """Pool worker set-up: exit when the run's process is gone (a worker of a killed run
    would otherwise wait for work forever, and could still be writing a page after a new
    run has started); keep the function and what every task needs."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.1)
        os._exit(1)

    def watch_from_afar() -> None:
        while True:
            try:
                os.kill(parent, 0)
            except OSError:
                os._exit(1)
            time.sleep(0.1)

    # Forked or spawned by the run, a worker's parent is the run; started by a fork
    # server (Python 3.14's default on Linux) it is the server, and the run is looked for.
    threading.Thread(
        target=watch if os.getppid() == parent else watch_from_afar, daemon=True
    ).start()

    global _WORK
    _WORK = (function, shared)


def _work(task: Any) -> Any:
    assert _WORK is not None
    function, shared = _WORK
    return function(shared, task)
