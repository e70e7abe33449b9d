"""Link globs and URLs, and whether each glob matches: the table that Python's
``rtp_snippets.links.link_matches`` and the bundle in Chromium are both held to."""

LINK_GLOB_CASES = [
    ("*.pdf", "https://example.com/files/report.pdf", True),
    ("*.pdf", "https://example.com/files/REPORT.PDF", True),
    ("*.pdf", "https://example.com/files/report.pdf?download=1#page=2", True),
    ("*.pdf", "https://example.com/files/report.pdf.html", False),
    ("*.pdf", "https://example.com/view?file=report.pdf", False),
    ("*.pdf", "https://example.com/page#report.pdf", False),
    ("https://example.com/files/*", "https://example.com/files/a/b.zip", True),
    ("https://example.com/files/*", "https://example.com/filesx", False),
    ("https://example.com/files/*", "https://example.org/files/a", False),
    ("*/downloads/*.zip", "https://cdn.example.com/downloads/v2/tool.zip", True),
    ("*a*a*b", "https://x/aab", True),
    ("*ab*ab", "https://x/ab", False),
    ("*ab*ba", "https://x/aba", False),
    ("https://x/a", "https://x/a", True),
    ("https://x/a", "https://x/ab", False),
    # file: a URL whose path names a file that is not a page (rtp_snippets.links.FILES)
    ("file", "https://example.com/files/brochure.PDF?x=1#page=2", True),
    ("file", "https://example.com/downloads/tool.tar.gz", True),
    ("file", "https://example.com/media/talk.mp4", True),
    ("file", "https://cdn.example.org/img/photo.jpeg", True),
    ("file", "https://example.com/docs/report.docx", True),
    ("file", "https://example.com/pricing/", False),
    ("file", "https://example.com/pricing/index.html", False),
    ("file", "https://example.com/view?file=report.pdf", False),
    ("file", "https://example.com/page#report.pdf", False),
    ("file", "https://example.com/files.pdf/", False),
    ("file", "https://example.com/v1.2", False),
]
