"""inject_html / remove_html on hand-written pages: '@' marks where the block must go."""

import pytest

from rtp_snippets import Rule, RuleSet, build_bundle
from rtp_snippets.inject import PageSkipped, inject_html, remove_html, script_block, sri

BUNDLE = build_bundle(RuleSet((Rule(event="click", selector="#a", send="x"),)))
OTHER = build_bundle(RuleSet((Rule(event="click", selector="#b", send="y"),)))
BLOCK = script_block(BUNDLE)


@pytest.mark.parametrize("page", [
    "<!doctype html><html><head></head><body><p>hi</p>@</body></html>",
    "<body><!-- </body> -->@</body>",
    "<body><script>document.write('</body>')</script>@</body>",
    "<body><script><!--<script>x='</script>'</script>-->'</script>@</body>",
    "<body><style>p::after{content:'</body>'}</style>@</body>",
    "<body><textarea></body></textarea><title></body></title>@</body>",
    "<body><template><p></body></p></template>@</body>",
    "<body><p title='</body>' data-x=\"</body>\">x</p>@</body>",
    "<body><svg><![CDATA[</body>]]></svg>@</body>",
    "<body><noscript></body></noscript>@</body>",
    "<BODY>x@</BODY>",
    "<body>x@</Body >",
    "<body>code: <pre>&lt;/body&gt;</pre>@</body>",
    # Two real </body> tags (a pasted sample): the block goes before the last one.
    "<body><div><html><body>sample</body></html></div><p>after</p>@</body>",
    # No </body>: before </html>, or at the end of the file.
    "<html><title>Redirecting</title><h1>Redirecting</h1><a href=/x>here</a>\n@</html>",
    "<p>a fragment without end tags@",
    "<!DOCTYPE html>\r\n<html>\r\n<body>\r\n<p>crlf</p>\r\n@</body>\r\n</html>\r\n",
    # '</body>' before any body content makes the body, so the block goes after it.
    "<html><head><title>t</title></head></body>@</html>",
])
def test_block_goes_to_the_end_of_the_body(page):
    data = page.replace("@", "").encode()
    assert inject_html(data, BUNDLE) == page.replace("@", BLOCK).encode()


@pytest.mark.parametrize("page", [
    "<html><head><title>t</title>@</head><body></body></html>",
    "<html><head>@<body>no head end tag</body></html>",
    "<head><!-- </head> -->@</HEAD>",
])
def test_position_head(page):
    data = page.replace("@", "").encode()
    assert inject_html(data, BUNDLE, position="head") == page.replace("@", BLOCK).encode()


@pytest.mark.parametrize("page, reason", [
    ("<frameset><frame src=a></frameset>", "a frameset page has no body"),
    ("google-site-verification: google123.html", "no HTML tags (not a web page, e.g. a site "
                                                 "verification file)"),
    ("<html><head><title>only a head</title></head>", "the page has no body content (only "
                                                     "head elements)"),
    ("<body><p>x</p><!-- never closed", "the page ends inside an unclosed comment, tag, script or "
                                       "raw text element, so a script added there would not run"),
    ("<body><svg><circle>", "the page ends inside unclosed SVG/MathML content"),
])
def test_pages_without_a_place_are_skipped_with_a_reason(page, reason):
    with pytest.raises(PageSkipped) as caught:
        inject_html(page.encode(), BUNDLE)
    assert caught.value.reason == reason


def test_binary_files_are_skipped():
    with pytest.raises(PageSkipped, match="a binary file, not HTML"):
        inject_html(b"\x89PNG\r\n\x1a\n" + bytes(100), BUNDLE)


@pytest.mark.parametrize("encoding, bom", [
    ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
    ("windows-1252", b""), ("shift_jis", b""), ("iso-8859-7", b""),
])
def test_encodings_are_kept(encoding, bom):
    page = "<html><head><meta charset={}></head><body><p>{}</p>@</body></html>".format(
        encoding, {"shift_jis": "日本語のページ", "iso-8859-7": "Καλημέρα"}.get(encoding, "café ½ €"))
    data = bom + page.replace("@", "").encode(encoding)
    assert inject_html(data, BUNDLE) == bom + page.replace("@", BLOCK).encode(encoding)
    assert remove_html(inject_html(data, BUNDLE)) == data


def test_undecodable_bytes_and_nul_are_kept_as_they_are():
    data = b"<body><p>\xff\xfe broken \xc3( utf-8 \x00 nul</p></body>"
    output = inject_html(data, BUNDLE)
    assert output == data.replace(b"</body>", BLOCK.encode() + b"</body>")


def test_a_utf16_page_that_would_not_survive_a_round_trip_is_skipped():
    with pytest.raises(PageSkipped, match="not valid UTF-16-LE"):
        inject_html(b"\xff\xfe<\x00b\x00>", BUNDLE)  # odd number of bytes


def test_injecting_again_changes_nothing_and_new_rules_replace_the_block():
    data = b"<body><p>x</p></body>"
    once = inject_html(data, BUNDLE)
    assert inject_html(once, BUNDLE) == once
    replaced = inject_html(once, OTHER)
    assert replaced == inject_html(data, OTHER)
    assert remove_html(replaced) == data
    assert remove_html(data) == data


def test_external_block_loads_the_file_with_subresource_integrity():
    block = script_block(BUNDLE, "../rtp-snippets.0123.js")
    assert block == ('<script data-rtp-snippets="bundle" src="../rtp-snippets.0123.js" '
                     f'integrity="{sri(BUNDLE)}" crossorigin="anonymous" defer></script>')
    output = inject_html(b"<body></body>", BUNDLE, src="../rtp-snippets.0123.js")
    assert output == b"<body>" + block.encode() + b"</body>"
