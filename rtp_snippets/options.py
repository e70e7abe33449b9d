"""Stage 7, options: what a site run is asked, checked once.

``SiteOptions`` is the one record of a run's options: the CLI's ``inject`` builds it from
its flags, ``inject_site`` from its keyword arguments, and each site-generator plugin
from its settings. It is frozen and refuses, when it is made, a value that cannot work
(``InvalidOption``, naming the option, the value and what to give instead), so nothing
after it checks again.

The fields marked ``GENERATOR`` are the settings every site-generator plugin offers, under
the same names and defaults, spelled in each generator's way
(``integrations.common.SETTING_NAMES``):
``base_url`` is ``base_url`` in mkdocs.yml, ``rtp_snippets_base_url`` in Sphinx's conf.py
and ``RTP_SNIPPETS_BASE_URL`` in Pelican's settings. The others belong to a run of the
command line (``check``, ``jobs``): a build writes its pages, in its own process.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .errors import InvalidBaseUrl, InvalidGlob, InvalidOption
from .inject import POSITIONS
from .paths import glob_problem

ACCEPTED_BASE_URLS = (
    "give an absolute http(s) URL (https://cdn.example/site/), a protocol-relative "
    "URL (//cdn.example/site/) or an absolute path (/docs/)"
)
# Besides letters and digits, the characters RFC 3986 allows in a URL ('%' for escapes).
_URL_CHARACTERS = frozenset("-._~:/?#[]@!$&'()*+,;=%")
# In a field's metadata: a site-generator plugin offers this option.
GENERATOR = {"generator": True}


@dataclass(frozen=True)
class SiteOptions:
    """The options of one ``inject_site`` run, checked when made (``InvalidOption``).

    - ``position``: ``body`` puts the script at the end of ``<body>``, ``head`` at the
      end of ``<head>``.
    - ``external``: write the bundle as ``rtp-snippets.<hash>.js`` at the site root and
      load it with Subresource Integrity, instead of inlining it.
    - ``base_url``: with ``external``, the URL of the site's root the bundle files load
      from (``https://cdn.example/site/``, ``//cdn.example/site/`` or ``/docs/``);
      without it, each page names the file by a relative URL.
    - ``prune``: give each page only the rules whose selector matches something on it.
    - ``include`` / ``exclude``: page globs (``/blog/**``): only the pages matching an
      ``include`` glob, if any is given, and none matching an ``exclude`` glob.
    - ``max_bytes``: fail, writing nothing, when a bundle is over this many bytes gzip.
    - ``check``: a dry run: write nothing, report what would change.
    - ``jobs``: worker processes (default: one per CPU).
    """

    position: str = field(default="body", metadata=GENERATOR)
    external: bool = field(default=False, metadata=GENERATOR)
    base_url: str | None = field(default=None, metadata=GENERATOR)
    prune: bool = field(default=False, metadata=GENERATOR)
    include: tuple[str, ...] = field(default=(), metadata=GENERATOR)
    exclude: tuple[str, ...] = field(default=(), metadata=GENERATOR)
    max_bytes: int | None = field(default=None, metadata=GENERATOR)
    check: bool = False
    jobs: int | None = None

    def __post_init__(self) -> None:
        # In the order the command line has always checked its flags.
        if self.position not in POSITIONS:
            raise InvalidOption("position", self.position, f"give one of {', '.join(POSITIONS)}")
        for name in ("external", "prune", "check"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidOption(name, getattr(self, name), "give true or false")
        if self.base_url is not None and not isinstance(self.base_url, str):
            raise InvalidBaseUrl("base_url", self.base_url, f"not text; {ACCEPTED_BASE_URLS}")
        if self.base_url and not self.external:
            raise InvalidOption("base_url", self.base_url, needs="external")
        problem = base_url_problem(self.base_url) if self.base_url is not None else None
        if problem:
            raise InvalidBaseUrl("base_url", self.base_url, problem)
        for name in ("include", "exclude"):
            globs = getattr(self, name)
            if isinstance(globs, str) or not all(isinstance(glob, str) for glob in globs):
                raise InvalidOption(name, globs, "give a list of globs such as /blog/**")
            object.__setattr__(self, name, tuple(globs))  # a list from a settings file
            for glob in globs:
                refused = glob_problem(glob)
                if refused:
                    raise InvalidGlob(name, glob, refused[1])
        for name in ("max_bytes", "jobs"):
            number = getattr(self, name)
            if number is not None and (
                isinstance(number, bool) or not isinstance(number, int) or number < 1
            ):
                raise InvalidOption(name, number, "give a whole number of 1 or more")

    def replace(self, **changes: Any) -> SiteOptions:
        """These options with ``changes`` (field names), checked again; a name that is no
        option raises TypeError, as a misspelt keyword argument does."""
        names = [option.name for option in dataclasses.fields(self)]
        for name in changes:
            if name not in names:
                raise TypeError(
                    f"{name!r} is no option of a site run; the options: {', '.join(names)}"
                )
        return dataclasses.replace(self, **changes)


def generator_options() -> dict[str, Any]:
    """The options every site-generator plugin offers, and their defaults."""
    return {
        option.name: option.default
        for option in dataclasses.fields(SiteOptions)
        if option.metadata.get("generator")
    }


def base_url_problem(base_url: str) -> str | None:
    """Why pages could not load the bundle files from ``base_url``, and what is accepted;
    None for an absolute http(s) URL, a protocol-relative URL or an absolute path, in
    ASCII and without a query or fragment (the file name is appended to it)."""
    problem = _base_url_reason(base_url)
    return f"{problem}; {ACCEPTED_BASE_URLS}" if problem else None


def _base_url_reason(base_url: str) -> str | None:
    for char in base_url:
        if not char.isascii():
            return f"{char!r} is not ASCII; percent-encode it (host names in their xn-- form)"
        if not (char.isalnum() or char in _URL_CHARACTERS):
            return f"{char!r} cannot appear in a URL"
    if base_url.startswith("/") and not base_url.startswith("//"):
        parts = None  # an absolute path
    else:
        try:
            parts = urlsplit(base_url)
        except ValueError:  # a bracketed host that is not an IPv6 address
            return "the host is not a host name or an IP address"
    if parts is not None and not base_url.startswith("//"):
        if not parts.scheme:
            return "a relative path means a different folder on each page"
        if parts.scheme.lower() not in ("http", "https"):
            return f"a {parts.scheme + ':'!r} URL cannot load the bundle"
    if parts is not None and not parts.netloc:
        return "the URL has no host"
    if "?" in base_url or "#" in base_url:
        return "a query or fragment would come before the file name"
    return None
