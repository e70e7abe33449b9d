"""Stage 2, scan: a fast HTML scanner that finds where a script can go, without re-serialising.

It follows the WHATWG tokenizer where it matters for placement (comments,
bogus comments, doctype, tags with quoted attributes, raw text, RCDATA, script
data with its escape states, plaintext, CDATA in foreign content) and tracks
just enough of tree construction to know whether a position is in the body:
whether the body has started, open ``<template>`` elements, open SVG/MathML
content and framesets. Where that state is irregular it says so, and the
caller does not inject (tests/test_corpus.py checks every corpus document
against html5lib).

The scanner works on ``str``; pages in ASCII-compatible encodings are decoded
as latin-1 (one character per byte) so every offset is also a byte offset.
"""

from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass, field

WHITESPACE = "\t\n\f\r "
# Python's re keeps state for every repetition of a group until the match ends: one
# match over a tag of a million attributes took 680 MB for 9 MB of text (issue 14).
# A possessive repetition (Python 3.11 and later) keeps none, and changes no match
# here, where each repetition can be read only one way; Python 3.10 has none.
_ONCE = "+" if sys.version_info >= (3, 11) else ""
_TAG = re.compile(
    r"""<(/?)([A-Za-z][^\t\n\f\r />]*)                          # < or </, tag name
    ((?:[\t\n\f\r /]*                                             # separators
        [^\t\n\f\r />][^\t\n\f\r />=]*(?=[\t\n\f\r />=]|$)        # attribute name
        (?:[\t\n\f\r ]*=[\t\n\f\r ]*                                 # = value, or
           (?:"[^"]*"|'[^']*'|(?!["'])[^\t\n\f\r >]*(?=[\t\n\f\r >]|$))
         |(?![\t\n\f\r ]*=))                                            # no '=' at all
    )*ONCE)
    ([\t\n\f\r /]*)>""".replace("ONCE", _ONCE),
    re.VERBOSE,
)
# Fast paths: outside templates and SVG/MathML only some tokens matter, so one
# regex match skips runs of text, comments and other tags. They take lowercase
# tag names and common attribute syntax only (case-insensitive matching is
# several times slower); anything else stops them and goes through the
# tokenizer-exact code below.
# At most 100 attributes and 1,000 '<' in a script: the rest goes the exact way.
# Every repetition marked @ below can be read only one way, so on Python 3.11 and later
# it is possessive: the same matches, found 15-18 % faster on pages dense with tags
# (Material for MkDocs' highlighted code), as re keeps no places to go back to.
_COMMON_ATTRIBUTES = r"""(?:[\t\n\f\r ]+[A-Za-z_:][-A-Za-z0-9_:.]*@
    (?:[\t\n\f\r ]*@=[\t\n\f\r ]*@(?:"[^"]*@"|'[^']*@'|[^\t\n\f\r "'=<>`]+@))?@){0,100}@
    [\t\n\f\r ]*@""".replace("@", _ONCE)
_INTERESTING = (
    r"(?:s(?:cript|tyle|vg)|t(?:itle|extarea|emplate)|no(?:embed|frames|script)"
    r"|h(?:tml|ead)|xmp|iframe|plaintext|math|frameset|body)[\t\n\f\r />]"
)
_COMMENT = r"<!--(?:>|->|[\s\S]*?--!?>)"
# A whole <script> element whose text has no '<!--' (which would need the escape states).
_SCRIPT_ELEMENT = (
    r"<script" + _COMMON_ATTRIBUTES + r">[^<]*(?:<(?!/(?i:script)[\t\n\f\r />]|!--)"
    r"[^<]*){0,1000}</script[\t\n\f\r ]*>"
)
_BODY_TOKENS = (
    r"[^<]+@"
    r"|<(?!" + _INTERESTING + r")[a-z][a-z0-9-]*@" + _COMMON_ATTRIBUTES + r"/?>"
    r"|</(?!" + _INTERESTING + r")[a-z][a-z0-9-]*@[\t\n\f\r ]*@>"
    r"|" + _COMMENT + r"|<(?![A-Za-z!?/])"
).replace("@", _ONCE)
# Before the body: whitespace, comments and the head elements that start nothing.
_HEAD_TOKENS = r"[\t\n\f\r ]+|<(?:meta|link|base)" + _COMMON_ATTRIBUTES + r"/?>|" + _COMMENT
# Each skips a run of at most 1,000 tokens, possessively (an unbounded run over a
# tag-dense 20 MB page took over 1 GB, see _ONCE; on Python 3.10, 100 tokens); the
# scanner's loop simply skips again from where a run stopped.
_RUN = "{0,1000}+" if _ONCE else "{0,100}"
_SKIP_BODY = re.compile(f"(?:{_BODY_TOKENS}){_RUN}", re.VERBOSE)
_SKIP_HEAD = re.compile(f"(?:{_HEAD_TOKENS}){_RUN}", re.VERBOSE)
# The same, also skipping scripts, for when the caller does not need them listed.
_SKIP_BODY_AND_SCRIPTS = re.compile(f"(?:{_SCRIPT_ELEMENT}|{_BODY_TOKENS}){_RUN}", re.VERBOSE)
_SKIP_HEAD_AND_SCRIPTS = re.compile(f"(?:{_SCRIPT_ELEMENT}|{_HEAD_TOKENS}){_RUN}", re.VERBOSE)
_RAWTEXT = {"style", "xmp", "iframe", "noembed", "noframes", "noscript"}
_RCDATA = {"title", "textarea"}
# Elements whose text the scanner reads to their end tag with the start tag.
_SELF_CLOSING_TEXT = _RAWTEXT | _RCDATA | {"script"}
# Start tags that belong in <head>; any other start tag (or text) starts the body.
_HEAD_ELEMENTS = {
    "html",
    "head",
    "base",
    "basefont",
    "bgsound",
    "link",
    "meta",
    "title",
    "noscript",
    "noframes",
    "style",
    "script",
    "template",
}
# In SVG/MathML, these start tags end foreign content (the HTML spec's breakout list).
_BREAKOUT = set(
    """b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6
    head hr i img li listing menu meta nobr ol p pre ruby s small span strong strike sub sup
    table tt u ul var""".split()
)
_INTEGRATION_POINTS = {
    "foreignobject",
    "desc",
    "title",
    "mi",
    "mo",
    "mn",
    "ms",
    "mtext",
    "annotation-xml",
}
_VOID = set(
    "area base br col embed hr img input link meta source track wbr param keygen "
    "basefont bgsound frame".split()
)
_SCRIPT_TOKENS = re.compile(r"<!--|-->|<(/?)script[\t\n\f\r />]", re.IGNORECASE)
MARKER = "data-rtp-snippets"
BLOCK_KINDS = ("bundle", "rtp-tag")  # the values of MARKER that we write
# Any page with a block of ours matches; a case-insensitive search for the whole name
# is eight times slower (0.1 ms a page on site-a), one that starts at '-' is not.
_MAYBE_MARKED = re.compile("-(?i:rtp-snippets)")
# One attribute in a start tag's attribute text, as the WHATWG tokenizer splits them: the
# name runs to whitespace, '/', '>' or '=' (and may start with '='); the value is quoted,
# or runs to whitespace or '>'; an attribute without '=' has the empty value.
_ATTRIBUTE = re.compile(
    r"""[\t\n\f\r /]*([^\t\n\f\r />][^\t\n\f\r />=]*)
    (?:[\t\n\f\r ]*=[\t\n\f\r ]*("[^"]*"|'[^']*'|[^\t\n\f\r >]*))?""",
    re.VERBOSE,
)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class Script:
    """A <script> element: where it starts, its attributes and its text."""

    start: int
    attributes: str
    text: str
    in_head: bool


@dataclass
class Scan:
    """What the scanner learnt about a page.

    ``body_end`` is where a script placed runs as the last thing in the body:
    before the last ``</body>`` (or ``</html>``) that the parser acts on, or
    the end of the file. ``head_end`` is the end of ``<head>`` (before a real
    ``</head>``, else after the ``<head>`` start tag). None means there is no
    such place, and ``problem`` says why.
    """

    body_end: int | None = None
    head_end: int | None = None
    body_start: int | None = None
    problem: str | None = None
    blocks: list[tuple[int, int]] = field(default_factory=list)
    scripts: list[Script] = field(default_factory=list)


def may_have_blocks(text: str) -> bool:
    """False when the page certainly has no block of ours (a fast test before a scan)."""
    return _MAYBE_MARKED.search(text) is not None


def attribute_value(attributes: str, name: str) -> str | None:
    """The value of the attribute ``name`` (lowercase) in a start tag's attribute text, as
    HTML reads it: names in any ASCII case, the first of two attributes with one name, and
    character references decoded. None when the tag has no such attribute.

    ``html.unescape`` decodes references as text does; in attribute values, legacy
    references without ';' before a letter, digit or '=' stay as written. Those decode to
    punctuation and non-ASCII letters only, so the difference never makes or unmakes a
    value made of ASCII letters and '-', such as ours.
    """
    position = 0
    while True:
        match = _ATTRIBUTE.match(attributes, position)
        if match is None or match.end() == position:
            return None
        position = match.end()
        if match.group(1).translate(_ASCII_LOWER) == name:
            value = match.group(2) or ""
            if value[:1] in ("'", '"'):
                value = value[1:-1]
            return html.unescape(value) if "&" in value else value


def is_block(attributes: str) -> bool:
    """Whether a <script> with these attributes is a block of ours: it has the attribute
    named MARKER with a value we write. A script whose attributes only mention the name
    (a src, a title, another attribute's value) belongs to the page."""
    return may_have_blocks(attributes) and attribute_value(attributes, MARKER) in BLOCK_KINDS


def scan(text: str, scripts: bool = True) -> Scan:
    """Scan a page. With ``scripts=False`` the result lists no scripts and no blocks,
    which lets the scanner skip most scripts much faster."""
    return _Scanner(text, scripts).run()


class _Scanner:
    def __init__(self, text: str, scripts: bool = True):
        self.text = text
        self.skip_body = _SKIP_BODY if scripts else _SKIP_BODY_AND_SCRIPTS
        self.skip_head = _SKIP_HEAD if scripts else _SKIP_HEAD_AND_SCRIPTS
        self.result = Scan()
        self.body_started = False
        self.frameset = False
        # One list of open elements per open <template>, innermost template last.
        self.templates: list[list[str]] = []
        self.foreign: list[str] = []  # open SVG/MathML elements, innermost last
        self.tags = 0
        self.last_end_html: int | None = None
        self.head_start_end: int | None = None
        self.head_closed = False
        self.irregular: str | None = None

    def clean(self) -> bool:
        return not self.templates and not self.foreign and not self.frameset

    def run(self) -> Scan:
        text = self.text
        index = 0
        length = len(text)
        while index < length:
            if self.tags and not self.templates and not self.foreign:
                skip = self.skip_body if self.body_started else self.skip_head
                skipped = skip.match(text, index)
                assert skipped is not None  # the pattern can match nothing, so it always matches
                index = skipped.end()
                if index >= length:
                    break
            start = text.find("<", index)
            if start < 0:
                self.see_text(index, length)
                index = length
                break
            if start > index:
                self.see_text(index, start)
            after = self.markup(start)
            if after is None:  # the rest of the file is swallowed (unclosed comment, tag, …)
                return self.finish(eof_ok=False)
            index = after
        return self.finish(eof_ok=True)

    def finish(self, eof_ok: bool) -> Scan:
        result = self.result
        if self.irregular:
            result.body_end = result.head_end = None
            result.problem = self.irregular
            return result
        if self.frameset:
            result.body_end = result.head_end = None
            result.problem = "a frameset page has no body"
            return result
        if self.tags == 0:
            result.problem = "no HTML tags (not a web page, e.g. a site verification file)"
            return result
        if result.body_end is None:
            if self.last_end_html is not None:
                result.body_end = self.last_end_html
            elif eof_ok and self.clean() and self.body_started:
                result.body_end = len(self.text)
            elif not eof_ok:
                result.problem = (
                    "the page ends inside an unclosed comment, tag, script or "
                    "raw text element, so a script added there would not run"
                )
            elif not self.body_started:
                result.problem = "the page has no body content (only head elements)"
            elif self.foreign:
                result.problem = "the page ends inside unclosed SVG/MathML content"
            else:
                result.problem = "the page ends inside an unclosed <template>"
        if result.head_end is None and self.head_start_end is not None:
            result.head_end = self.head_start_end
        return result

    def see_text(self, start: int, end: int) -> None:
        if not self.body_started and not self.foreign and not self.templates:
            chunk = self.text[start:end]
            if chunk.strip(WHITESPACE):
                self.start_body(start + len(chunk) - len(chunk.lstrip(WHITESPACE)))

    def start_body(self, position: int) -> None:
        """The token at ``position`` starts the body (the head, if any, ends before it)."""
        if not self.body_started:
            self.body_started = True
            self.result.body_start = position

    # --- markup -------------------------------------------------------------

    def markup(self, start: int) -> int | None:
        """Handle the markup at '<'; return where scanning goes on (None: end of file)."""
        text = self.text
        following = text[start + 1 : start + 2]
        if following == "!":
            return self.declaration(start)
        if following == "?":
            return self.bogus_comment(start + 2)
        if following == "/" and text[start + 2 : start + 3] == ">":
            return start + 3  # '</>' is dropped
        if (
            following.isascii()
            and following.isalpha()
            or (
                following == "/"
                and text[start + 2 : start + 3].isascii()
                and text[start + 2 : start + 3].isalpha()
            )
        ):
            match = _TAG.match(text, start)
            if match is None:
                return None  # a tag cut off by the end of the file swallows the rest
            self.tags += 1
            name = match.group(2).lower()
            if match.group(1):
                self.end_tag(name, start, match.end())
                return match.end()
            return self.start_tag(name, match, start)
        if following == "/":
            return self.bogus_comment(start + 2)
        self.see_text(start, start + 1)
        return start + 1

    def declaration(self, start: int) -> int | None:
        text = self.text
        if text.startswith("<!--", start):
            if text.startswith("<!-->", start):
                return start + 5
            if text.startswith("<!--->", start):
                return start + 6
            ends = [
                found
                for found in (text.find("-->", start + 4), text.find("--!>", start + 4))
                if found >= 0
            ]
            if not ends:
                return None
            end = min(ends)
            return end + (3 if text.startswith("-->", end) else 4)
        if text[start + 2 : start + 9].lower() == "doctype":
            self.tags += 1
            return self.bogus_comment(start + 9)
        if text.startswith("<![CDATA[", start) and self.foreign and not self.integration_point():
            end = text.find("]]>", start + 9)
            return None if end < 0 else end + 3
        return self.bogus_comment(start + 2)

    def bogus_comment(self, start: int) -> int | None:
        end = self.text.find(">", start)
        return None if end < 0 else end + 1

    def integration_point(self) -> bool:
        return bool(self.foreign) and self.foreign[-1] in _INTEGRATION_POINTS

    def start_tag(self, name: str, match: re.Match, start: int) -> int | None:
        end = match.end()
        self_closing = match.group(4).endswith("/")
        if self.foreign and not self.integration_point():
            if name in _BREAKOUT or (
                name == "font"
                and re.search(r"(^|[\t\n\f\r /])(color|face|size)\b", match.group(3), re.IGNORECASE)
            ):
                self.foreign.clear()  # HTML content again; the tag itself is HTML
            else:
                if not self_closing:
                    self.foreign.append(name)
                return end
        if name in ("svg", "math"):
            if not self_closing:
                self.foreign.append(name)
            self.start_body(start)
            return end
        if name == "frameset":
            # Whether a frameset replaces the body depends on state we do not track
            # (the spec's frameset-ok flag), so any frameset counts.
            self.frameset = True
        elif name not in _HEAD_ELEMENTS and not self.templates:
            self.start_body(start)
        if name == "head" and self.head_start_end is None and not self.body_started:
            self.head_start_end = end
        if name == "template":
            self.templates.append([])
        elif self.templates and name not in _VOID and name not in _SELF_CLOSING_TEXT:
            # A script or raw text element is read to its end tag here: it is never open.
            self.templates[-1].append(name)
        if name == "script":
            attributes = match.group(3)
            close = self.script_end(end)
            if is_block(attributes):
                self.result.blocks.append((start, len(self.text) if close is None else close[1]))
            content = self.text[end : len(self.text) if close is None else close[0]]
            in_head = not self.body_started and not self.templates
            self.result.scripts.append(Script(start, attributes, content, in_head))
            return None if close is None else close[1]
        if name in _RAWTEXT or name in _RCDATA:
            return self.raw_text_end(name, end)
        if name == "plaintext":
            return None
        return end

    def end_tag(self, name: str, start: int, end: int) -> None:
        if self.foreign:
            if name in self.foreign:  # closes that element and everything inside it
                del self.foreign[len(self.foreign) - 1 - self.foreign[::-1].index(name) :]
                return
            if not self.integration_point():
                # HTML rules then act on the open elements, which we do not track.
                self.irregular = f"'</{name}>' inside unclosed SVG/MathML content"
                return
        if name == "template" and self.templates:
            if self.templates.pop():
                # Parsers differ on a template closed with elements left open in it.
                self.irregular = "a <template> closed while elements in it are still open"
        elif self.templates:
            inside = self.templates[-1]
            if name in inside:
                del inside[len(inside) - 1 - inside[::-1].index(name) :]
        elif name == "head" and not self.body_started and not self.head_closed:
            self.head_closed = True
            self.result.head_end = start
        elif name == "body" and self.clean():
            if self.body_started:
                self.result.body_end = start
            else:  # '</body>' before any body content creates the body: go after it
                self.start_body(start)
                self.result.body_end = end
        elif name == "html" and self.clean():
            if self.body_started:
                self.last_end_html = start
            self.start_body(start)  # after '</html>' the parser has made a body
        elif name == "br" and not self.body_started:
            self.start_body(start)  # before the body only '</br>' of these acts (it makes a <br>)

    def raw_text_end(self, name: str, start: int) -> int | None:
        pattern = re.compile(r"</" + name + r"[\t\n\f\r />]", re.IGNORECASE)
        match = pattern.search(self.text, start)
        return None if match is None else match.start()

    def script_end(self, start: int) -> tuple[int, int] | None:
        """(start, end) of the '</script…>' that ends script data beginning at ``start``."""
        text = self.text
        escaped = double = False
        position = start
        while True:
            match = _SCRIPT_TOKENS.search(text, position)
            if match is None:
                return None
            token = match.group(0)
            if token == "<!--":
                if not escaped:
                    escaped = True
                position = match.start() + 2  # '<!-->' ends the escape at once
            elif token == "-->":
                escaped = double = False
                position = match.end()
            elif match.group(1):  # </script
                if not double:
                    close = _TAG.match(text, match.start())
                    return None if close is None else (match.start(), close.end())
                double = False
                position = match.end() - 1
            else:  # <script
                if escaped:
                    double = True
                position = match.end() - 1
