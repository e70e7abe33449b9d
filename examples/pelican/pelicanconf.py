from pathlib import Path

SITENAME = "rtp-snippets Pelican example"
PATH = "content"
TIMEZONE = "UTC"
SITEURL = ""
PLUGINS = ["rtp_snippets"]
RTP_SNIPPETS_RULES = str(Path(__file__).parent / "rtp-rules.yml")
# Keep the example's output small: no feeds.
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
