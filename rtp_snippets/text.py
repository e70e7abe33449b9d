"""Stage 2, text: an element's text as a visitor reads it: what the ``{text}`` placeholder sends.

``textContent`` is the source text: it holds a heading's permalink (Sphinx, MkDocs and
Pelican write ``<a class="headerlink" href="#install">¶</a>`` inside every heading,
VitePress a zero-width space), text hidden from the visitor, and words of two blocks run
together. The bundle (``read()`` in ``templates/runtime/fill-text.js``) reads an element as it
is shown in the browser; ``read_text`` here reads it from the HTML alone, for what
``check --site`` and ``catalog --site`` show. Both:

- leave out what is not shown: in the browser every element whose computed ``display``
  is ``none`` (the ``hidden`` attribute, ``script``, ``style``, ``template``,
  ``noscript`` and the like by the browser's own style sheet) and text whose element has
  ``visibility: hidden``; from the HTML, those elements, the ``hidden`` attribute and an
  inline ``style`` that says ``display: none`` or ``visibility: hidden``;
- put a space where a block (a paragraph, a list item, a table cell: by its computed
  ``display`` in the browser, by its tag here) or a line break separates words;
- leave out a link inside the element that points at the element itself or at an element
  around it (``href="#id"``) and shows only a symbol: no letter or digit once format
  characters and text hidden from sight (a ``visually-hidden`` label for screen readers)
  are left out. That is a heading's permalink: ``¶``, ``#``, ``§``, ``🔗``, an icon or a
  zero-width space;
- remove invisible format characters (``FORMAT``: zero-width spaces and joiners,
  direction marks and isolates, the soft hyphen, the byte order mark), then collapse
  white space (``WHITESPACE``, JavaScript's ``\\s``) and trim it.

The HTML cannot tell what a style sheet hides, so a value read here may still hold text
the site's CSS hides; ``check --site`` says so where it shows values.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import unquote

# Invisible format characters: soft hyphen, Arabic letter mark, Mongolian vowel
# separator, zero-width space / non-joiner / joiner, left-to-right and right-to-left
# marks, embeddings and overrides, word joiner and invisible operators, isolates and the
# deprecated format controls, the byte order mark (zero-width no-break space). The bundle
# builds the same class from this source.
FORMAT_PATTERN = "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
FORMAT = re.compile(FORMAT_PATTERN)
# JavaScript's \s, which the bundle collapses: Python's differs (U+001C-U+001F, U+0085).
WHITESPACE = re.compile(
    "[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+"
)
# Elements whose text the browser never shows: display: none by its own style sheet
# (a template's content is not even its children), and an iframe, whose text children
# are never rendered (the bundle skips iframes and noscript too: Chromium does not
# give noscript display: none).
NOT_SHOWN = frozenset("head script style template noscript title datalist iframe".split())
# Elements the browser shows as blocks (or table parts, or line breaks) by its own style
# sheet: a space stands between their words and those around them.
BLOCKS = frozenset(
    "address article aside blockquote body br caption center dd details dialog dir div dl "
    "dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html "
    "legend li listing main menu nav ol optgroup option p plaintext pre section summary "
    "table tbody td tfoot th thead tr ul xmp".split()
)
# Class names that sites give text shown only to screen readers (Bootstrap's sr-only
# and visually-hidden, WordPress's screen-reader-text, the HTML5 Boilerplate's
# visuallyhidden): the HTML's only hint of a style that hides text from sight.
VISUALLY_HIDDEN = frozenset(
    ("sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text", "hidden-visually")
)
_HIDING_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\b", re.I)


def clean(text: str) -> str:
    """``text`` with format characters removed and white space collapsed and trimmed."""
    return WHITESPACE.sub(" ", FORMAT.sub("", text)).strip(" ")


def is_symbol(text: str) -> bool:
    """True when ``text`` (cleaned) holds no letter and no digit."""
    return not any(unicodedata.category(char)[0] in "LN" for char in text)


def read_text(element: Any) -> str:
    """The text of ``element`` (a selectolax lexbor node) as a visitor reads it, as far
    as the HTML tells (see the module's description)."""
    ids = set()
    around = element
    while around is not None and around.tag != "-document":
        identifier = (around.attributes or {}).get("id")
        if identifier:
            ids.add(identifier)
        around = around.parent
    return clean(_shown(element, ids, sighted=False))


def _hidden(node: Any) -> bool:
    attributes = node.attributes or {}
    return (
        node.tag in NOT_SHOWN
        or "hidden" in attributes
        or bool(_HIDING_STYLE.search(attributes.get("style") or ""))
    )


def _shown(node: Any, ids: set[str], sighted: bool) -> str:
    """The text shown inside ``node``; with ``sighted``, leaving out text for screen
    readers only as well."""
    parts = []
    child = node.child
    while child is not None:
        if child.tag == "-text":
            parts.append(child.text_content or "")
        elif (
            child.tag
            and not child.tag.startswith("-")
            and not _hidden(child)
            and not (sighted and _screen_reader_only(child))
            and not _permalink(child, ids)
        ):
            inner = _shown(child, ids, sighted)
            parts.append(f" {inner} " if child.tag in BLOCKS else inner)
        child = child.next
    return "".join(parts)


def _screen_reader_only(node: Any) -> bool:
    classes = ((node.attributes or {}).get("class") or "").split()
    return any(name in VISUALLY_HIDDEN for name in classes)


def _permalink(node: Any, ids: set[str]) -> bool:
    """Whether ``node`` is a link to the element read (or one around it) that shows only
    a symbol."""
    if node.tag != "a":
        return False
    href = (node.attributes or {}).get("href") or ""
    if not href.startswith("#"):
        return False
    target = href[1:]
    try:
        target = unquote(target, errors="strict")  # as decodeURIComponent in the bundle
    except UnicodeDecodeError:
        pass
    return target in ids and is_symbol(clean(_shown(node, ids, sighted=True)))
