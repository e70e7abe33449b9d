"""Stage 6, inject: put one marked block into a page's bytes, or take it out.

The page is never re-serialised: the output is the input with one contiguous
block inserted, in the page's own encoding, line endings and BOM. Pages in
ASCII-compatible encodings (UTF-8, windows-1252, Shift_JIS, …) are handled as
latin-1 text so every byte, decodable or not, is kept as it is; UTF-16 pages
(with a BOM) are decoded and encoded back, and left alone if that round trip
would change a byte. The block is ASCII, so it is valid in every such encoding.
"""

from __future__ import annotations

import base64
import hashlib
import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import PageSkipped
from .page import decode, has_rtp_tag, may_have_rtp_tag, rtp_tag_place
from .scan import MARKER, may_have_blocks, scan

if TYPE_CHECKING:
    from .render import Bundle

POSITIONS = ("body", "head")


def script_block(bundle: Bundle, src: str | None = None) -> str:
    """The marked ``<script>`` element: inline, or loading ``src`` with Subresource Integrity
    (``src`` is escaped, so the attribute holds it exactly as given)."""
    if src is None:
        return f'<script {MARKER}="bundle">{bundle.code}</script>'
    return (
        f'<script {MARKER}="bundle" src="{html.escape(src)}" integrity="{sri(bundle)}" '
        f'crossorigin="anonymous" defer></script>'
    )


def sri(bundle: Bundle) -> str:
    """The Subresource Integrity value of the bundle as a file (its code plus a newline)."""
    digest = hashlib.sha384((bundle.code + "\n").encode("ascii")).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


def rtp_tag_block(tag: Bundle) -> str:
    """The marked ``<script>`` element holding the RTP tag."""
    return f'<script {MARKER}="rtp-tag">{tag.code}</script>'


def inject_html(
    data: bytes,
    bundle: Bundle,
    position: str = "body",
    src: str | None = None,
    rtp_tag: Bundle | None = None,
) -> bytes:
    """The page with the bundle's block at the end of its body (or head); an earlier
    block is replaced. ``src`` loads the bundle from that URL instead of inlining it.
    ``rtp_tag`` (from ``build_rtp_tag``) also puts the RTP tag first in ``<head>``
    where the page has no RTP tag of its own.

    Raises ``PageSkipped`` when the page has no place where a script would run.
    """
    tag = rtp_tag_block(rtp_tag) if rtp_tag else None
    return insert_blocks(data, script_block(bundle, src), position, tag).data


@dataclass(frozen=True)
class Injected:
    """A page with its blocks, and whether it now has an RTP tag (its own or ours)."""

    data: bytes
    has_rtp_tag: bool


@dataclass(frozen=True)
class Placement:
    """Where ``insert_blocks`` put the blocks into a page in an ASCII-compatible encoding:
    enough to put them into the same bytes again without scanning (``insert``)."""

    start: int  # the bytes before the text (a byte order mark)
    removed: tuple[tuple[int, int], ...]  # our earlier blocks, cut out
    place: int  # the block's place, in the text left after the cuts
    tag_place: int | None  # the RTP tag block's place, when one was put in
    has_tag: bool

    def insert(self, data: bytes, block: str, tag_block: str | None) -> Injected:
        """The page ``data`` (the bytes this placement was found in) with ``block`` and,
        where the page got one, ``tag_block`` (the same position and the same presence of
        a tag block as when found; the blocks themselves may differ)."""
        insertions = _insertions(self.place, block, self.tag_place, tag_block)
        return Injected(_splice(data, self.start, list(self.removed), insertions), self.has_tag)


def insert_blocks(
    data: bytes, block: str, position: str = "body", tag_block: str | None = None
) -> Injected:
    """``inject_html`` for ready-made blocks (the site stage builds each block once)."""
    return place_blocks(data, block, position, tag_block)[0]


def place_blocks(
    data: bytes, block: str, position: str = "body", tag_block: str | None = None
) -> tuple[Injected, Placement | None]:
    """``insert_blocks``, and where the blocks went (None for a page whose encoding is not
    ASCII-compatible, such as UTF-16).

    Memory: the page's bytes, its text and the output at most (3x the page), as each
    copy is let go before the next is made; text offsets are byte offsets in
    ASCII-compatible pages, so their output is cut from the input bytes directly.
    """
    prefix, text, codec = decode(data)
    removed: list[tuple[int, int]] = []
    if may_have_blocks(text):
        removed = scan(text).blocks
        if codec == "latin-1":
            del text  # the text of the page without our blocks replaces it
            text = _splice(data, len(prefix), removed, [], with_start=False).decode("latin-1")
        else:
            text = _without_blocks(text, removed)
    maybe_tagged = may_have_rtp_tag(text)
    # Scripts are only looked at for the RTP tag: skipping them otherwise is faster.
    found = scan(text, scripts=maybe_tagged or tag_block is not None)
    place = found.body_end if position == "body" else found.head_end
    if place is None:
        raise PageSkipped(found.problem or "the page has no <head> element")
    has_tag = maybe_tagged and has_rtp_tag(found)
    tag_place = None
    if tag_block and not has_tag:
        tag_place = rtp_tag_place(found)
        has_tag = tag_place is not None
    del found
    if codec == "latin-1":
        del text
        placement = Placement(len(prefix), tuple(removed), place, tag_place, has_tag)
        return placement.insert(data, block, tag_block), placement
    insertions = _insertions(place, block, tag_place, tag_block)
    for offset, piece in sorted(insertions, key=lambda item: item[0], reverse=True):
        text = text[:offset] + piece + text[offset:]
    return Injected(prefix + text.encode(codec, "surrogatepass"), has_tag), None


def _insertions(
    place: int, block: str, tag_place: int | None, tag_block: str | None
) -> list[tuple[int, str]]:
    """(offset, text) of the block, and of the RTP tag block where the page gets one."""
    if tag_place is None:
        return [(place, block)]
    assert tag_block is not None
    return [(place, block), (tag_place, tag_block)]


def _splice(
    data: bytes,
    start: int,
    removed: list[tuple[int, int]],
    insertions: list[tuple[int, str]],
    with_start: bool = True,
) -> bytes:
    """``data`` with the ranges ``removed`` cut out and each (offset, ASCII text) of
    ``insertions`` put in; the offsets count from ``start`` in ``data`` (the bytes before
    it, a BOM, are kept ``with_start``), those of the insertions in the text left after
    the cuts. One copy: the output."""
    view = memoryview(data)
    pieces: list[bytes | memoryview] = [view[:start]] if with_start else []
    position = 0  # in data, from start
    shift = 0  # bytes cut out before ``position``
    cuts = iter(sorted(removed))
    cut = next(cuts, None)
    # At one offset, a later insertion goes first (the RTP tag before the bundle), as
    # when each is put in at its offset from the last to the first.
    ordered = sorted(enumerate(insertions), key=lambda item: (item[1][0], -item[0]))
    for offset, piece in (insertion for _, insertion in ordered):
        # Cut out every removed range that starts before the insertion's place in data.
        while cut is not None and cut[0] <= offset + shift:
            pieces.append(view[start + position : start + cut[0]])
            shift += cut[1] - cut[0]
            position = cut[1]
            cut = next(cuts, None)
        pieces.append(view[start + position : start + offset + shift])
        pieces.append(piece.encode("ascii"))
        position = offset + shift
    while cut is not None:
        pieces.append(view[start + position : start + cut[0]])
        position = cut[1]
        cut = next(cuts, None)
    pieces.append(view[start + position :])
    return b"".join(pieces)


def remove_html(data: bytes) -> bytes:
    """The page without the blocks rtp-snippets put into it (the original bytes)."""
    prefix, text, codec = decode(data)
    if not may_have_blocks(text):
        return data
    removed = scan(text).blocks
    if codec == "latin-1":
        del text
        return _splice(data, len(prefix), removed, [])
    return prefix + _without_blocks(text, removed).encode(codec, "surrogatepass")


def _without_blocks(text: str, blocks: list[tuple[int, int]]) -> str:
    pieces = []
    position = 0
    for start, end in blocks:
        pieces.append(text[position:start])
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
