"""Stage 4, dsl: the one-line rule language.

    rule     = "on" event [target] "send" value {"," value} {clause}
    target   = selector                  submit; optional for view
             | [selector] ["link" url]   click: a selector, a link or both
             | selector [share] [time]   visible
             | depth {"," depth}         scroll: depths in percent of the page
             | NUMBER "s"                timer: seconds since the page loaded
    depth    = NUMBER "%"                each fires once, smallest first
    share    = NUMBER "%"                visible: this share of the element in view
    time     = "for" NUMBER "s"          visible: for at least this long
    url      = quoted | word             a URL glob such as '*.pdf', outbound or file
    clause   = "once" ("page" | "session")
             | "pages" glob {"," glob}
             | "exclude" glob {"," glob}
             | "name" NAME
             | "dynamic"                 elements made by page scripts (kept by --prune)
    selector = quoted | word             a word runs to the next space
    value    = quoted                    'text' or "text"; double a quote to include it
    glob     = quoted | word             a word here also ends at a comma

Each clause is the mapping key of the same name followed by its value, so
every field of the YAML mapping has a spelling here.

A ``.rules`` file may also hold one consent line (the YAML ``consent:`` section):

    consent  = "consent" platform item {"," item} {setting}
    platform = "onetrust"                items: group ids
             | "cookiebot"               items: categories
             | "tcf"                     items: purposes, then optionally
                                         "vendors" item {"," item}
             | "cookieconsent"           items: categories
             | "klaro"                   items: services
             | "cookie"                  items: the cookie's name, then its value glob,
                                         or "field" PATH [quoted]: a field of its JSON
             | "flag"                    item: the window property
    setting  = "event" word | "script" quoted
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field

from .errors import DslError, cut
from .fields import CONSENT_FIELD, CONSENT_PLATFORMS, EVENTS, PLATFORM_SETTINGS, RULE_FIELDS

# The clauses after the values: the rule fields that have one (Field.clause), in order.
CLAUSES = tuple(
    spec.name for spec in sorted(RULE_FIELDS, key=lambda spec: spec.clause) if spec.clause
)
_CLAUSE_FIELDS = {spec.name: spec for spec in RULE_FIELDS if spec.clause}
# Regular expressions, not loops over characters: a line may be a megabyte long. In a
# str pattern \s is exactly what str.isspace() accepts.
_SPACE = re.compile(r"\s*")
_WORD = re.compile(r"\S*")
_WORD_BEFORE_COMMA = re.compile(r"[^\s,]*")
_SIMPLE_STRING = {quote: re.compile(f"{quote}([^{quote}]*){quote}(?!{quote})") for quote in "'\""}
_PERCENT = re.compile(r"(\d+)%\Z")
_SECONDS = re.compile(r"(\d+(?:\.\d+)?)s\Z")
_SEVERAL_SHARES = re.compile(r"\d+%,")


@dataclass
class ParsedRule:
    """The fields of a rule and where each was written (offsets into the line).

    List fields map to a list of offsets, one per item.
    """

    fields: dict = field(default_factory=dict)
    offsets: dict = field(default_factory=dict)


def parse_rule(line: str) -> ParsedRule:
    """Parse one DSL line into rule fields; raise ``DslError`` at the bad token."""
    return _Parser(line).rule()


def parse_consent(line: str) -> ParsedRule:
    """Parse a ``consent`` line into the fields of a Consent; raise ``DslError``."""
    return _Parser(line).consent()


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.index = 0
        self.parsed = ParsedRule()

    # --- tokens -------------------------------------------------------------

    def _skip_space(self) -> None:
        self.index = _SPACE.match(self.text, self.index).end()  # type: ignore[union-attr]

    def _at_end(self) -> bool:
        self._skip_space()
        return self.index >= len(self.text)

    def _is_quote(self) -> bool:
        return self.text[self.index : self.index + 1] in ("'", '"')

    def _bare(self, stop: str = "") -> tuple[int, str]:
        self._skip_space()
        start = self.index
        word = (_WORD_BEFORE_COMMA if stop == "," else _WORD).match(self.text, start)
        self.index = word.end()  # type: ignore[union-attr]
        return start, self.text[start : self.index]

    def _peek_word(self) -> str:
        saved = self.index
        word = self._bare()[1]
        self.index = saved
        return word

    def _quoted(
        self, what: str, example: str = "send 'download - example whitepaper'"
    ) -> tuple[int, str]:
        self._skip_space()
        start = self.index
        if not self._is_quote():
            found = self._bare()[1]
            got = f"'{cut(found)}'" if found else "the end of the line"
            raise DslError(
                start,
                f"expected {what} in quotes, got {got}; e.g. {example}",
            )
        quote = self.text[start]
        simple = _SIMPLE_STRING[quote].match(self.text, start)
        if simple:  # no doubled quote inside: the common case, one regular expression
            self.index = simple.end()
            return start, simple.group(1)
        chars = []
        self.index += 1
        while True:
            end = self.text.find(quote, self.index)
            if end < 0:
                raise DslError(
                    start,
                    f"unterminated {quote}…{quote} string; "
                    f"close it with {quote} (write {quote}{quote} for a {quote} inside)",
                )
            chars.append(self.text[self.index : end])
            self.index = end + 1
            if self.text[self.index : self.index + 1] != quote:
                return start, "".join(chars)
            chars.append(quote)  # a doubled quote stands for one quote
            self.index += 1

    def _item(self, what: str) -> tuple[int, str]:
        self._skip_space()
        if self._is_quote():
            return self._quoted(what)
        start, word = self._bare(stop=",")
        if not word:
            raise DslError(start, f"expected {what}")
        return start, word

    def _comma(self) -> bool:
        self._skip_space()
        if self.text[self.index : self.index + 1] == ",":
            self.index += 1
            return True
        return False

    def _set(self, name: str, value, offset) -> None:
        self.parsed.fields[name] = value
        self.parsed.offsets[name] = offset

    # --- grammar ------------------------------------------------------------

    def rule(self) -> ParsedRule:
        start, word = self._bare()
        if word != "on":
            raise DslError(
                start,
                "a rule starts with 'on', "
                "e.g. on click #download-whitepaper send 'download - example whitepaper'",
            )
        offset, event = self._bare()
        if event not in EVENTS:
            close = difflib.get_close_matches(event, EVENTS, n=1) if len(event) < 50 else []
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            shown = f"'{cut(event)}'" if event else "nothing"
            raise DslError(offset, f"unknown event {shown}; events are {', '.join(EVENTS)}{hint}")
        self._set("event", event, offset)
        self._target(event)
        offset, word = self._bare()
        if word != "send":
            shown = f"'{cut(word)}'" if word else "the end of the line"
            raise DslError(
                offset,
                f"expected 'send', got {shown}"
                + ("; quote a selector that contains spaces" if word else ""),
            )
        values, offsets = [], []
        while True:
            offset, value = self._quoted("a value")
            values.append(value)
            offsets.append(offset + 1)  # the first character inside the quotes
            if not self._comma():
                break
        self._set("send", values, offsets)
        while not self._at_end():
            self._clause()
        return self.parsed

    def consent(self) -> ParsedRule:
        self._bare()  # "consent", as the caller found
        offset, platform = self._bare()
        if platform not in CONSENT_PLATFORMS:
            shown = f"'{cut(platform)}'" if platform else "nothing"
            raise DslError(
                offset,
                f"unknown consent platform {shown}; platforms are {', '.join(CONSENT_PLATFORMS)}",
            )
        self._set("platform", platform, offset)
        # The items after the platform's name fill its first setting.
        field_name = PLATFORM_SETTINGS[platform][0]
        if platform == "tcf" and self._peek_word() == "vendors":
            field_name = "vendors"
            self._bare()
        while True:
            items, offsets = self._items(f"a {field_name} item")
            if platform == "cookie":
                # the cookie's name, then its value glob
                self._set("cookie", items[0], offsets[0])
                if len(items) > 1:
                    raise DslError(offsets[1], "a cookie line names one cookie, then its value")
                if self._peek_word() == "field":
                    self._bare()
                    field_offset, path = self._bare()
                    if not path:
                        raise DslError(
                            field_offset,
                            "field is followed by the field of the cookie's JSON, e.g. "
                            "consent cookie cc_cookie field categories 'marketing'",
                        )
                    self._set("field", path, field_offset)
                    if not self._at_end() and self._is_quote():
                        value_offset, value = self._quoted(
                            "the entry the field's list holds",
                            "consent cookie cc_cookie field categories 'marketing'",
                        )
                        self._set("value", value, value_offset + 1)
                else:
                    value_offset, value = self._quoted(
                        "the cookie's value glob",
                        "consent cookie site_consent 'granted', or for a cookie that holds "
                        "JSON, consent cookie cc_cookie field categories 'marketing'",
                    )
                    self._set("value", value, value_offset + 1)
            elif platform == "flag":
                self._set("flag", items[0], offsets[0])
                if len(items) > 1:
                    raise DslError(offsets[1], "a flag line names one window property")
            else:
                numbers = CONSENT_FIELD[field_name].kind == "integer"
                self._set(
                    field_name,
                    [int(item) if numbers and item.isdigit() else item for item in items],
                    offsets,
                )
            if platform == "tcf" and field_name == "purposes" and self._peek_word() == "vendors":
                field_name = "vendors"
                self._bare()
                continue
            break
        while not self._at_end():
            offset, keyword = self._bare()
            if keyword not in ("event", "script"):
                raise DslError(
                    offset, f"unexpected '{cut(keyword)}'; after the platform come event, script"
                )
            if keyword in self.parsed.fields:
                raise DslError(offset, f"'{keyword}' is given twice")
            if keyword == "event":
                value_offset, value = self._bare()
                self._set("event", value, value_offset)
            else:
                value_offset, value = self._quoted("a CSS selector", "script 'script#cmp'")
                self._set("script", value, value_offset + 1)
        return self.parsed

    def _items(self, what: str) -> tuple[list[str], list[int]]:
        """Items separated by commas, and the offset of each (inside its quotes)."""
        items, offsets = [], []
        while True:
            offset, item = self._item(what)
            items.append(item)
            offsets.append(offset + (1 if self.text[offset] in "'\"" else 0))
            if not self._comma():
                return items, offsets

    def _target(self, event: str) -> None:
        self._skip_space()
        if event == "scroll":
            self._depths()
            return
        if event == "timer":
            offset, word = self._bare()
            match = _SECONDS.match(word)
            if not match:
                raise DslError(offset, "'on timer' is followed by its seconds, e.g. on timer 30s")
            number = match.group(1)
            self._set(
                "seconds", _whole_number(number) if "." not in number else float(number), offset
            )
            return
        if self._at_end() or (not self._is_quote() and self._peek_word() == "send"):
            # No selector; the model says whether the event needs one, pointing here.
            self.parsed.offsets["selector"] = self.index
            return
        if event == "click" and self._link():
            self.parsed.offsets["selector"] = self.parsed.offsets["link"]
            return
        if self._is_quote():
            offset, selector = self._quoted("a selector")
        else:
            offset, selector = self._bare()
        self._set("selector", selector, offset + (1 if self.text[offset] in "'\"" else 0))
        if event == "visible":
            self._share_and_time()
        if event == "click":
            self._link()

    def _link(self) -> bool:
        """A click rule's ``link GLOB``, if the next word is ``link`` followed by more than
        ``send`` (``on click link send …`` has the selector ``link``)."""
        saved = self.index
        if self._is_quote() or self._bare()[1] != "link" or self._peek_word() in ("", "send"):
            self.index = saved
            return False
        self._skip_space()
        if self._is_quote():
            offset, glob = self._quoted("a link glob")
            self._set("link", glob, offset + 1)
        else:
            offset, glob = self._bare()
            self._set("link", glob, offset)
        return True

    def _share_and_time(self) -> None:
        """A visible rule's optional share (``50%``) and time (``for 2s``)."""
        saved = self.index
        offset, word = self._bare()
        if _SEVERAL_SHARES.match(word):
            raise DslError(
                offset,
                "a 'visible' rule takes one share of the element, "
                "e.g. on visible .pricing-table 50% for 2s",
            )
        match = _PERCENT.match(word)
        if match:
            self._set("percent", _whole_number(match.group(1)), offset)
            saved = self.index
            offset, word = self._bare()
        if word != "for":
            if _SECONDS.match(word):
                raise DslError(
                    offset, f"expected 'send', got '{word}'; write the time as for {word}"
                )
            self.index = saved
            return
        offset, word = self._bare()
        match = _SECONDS.match(word)
        if not match:
            raise DslError(offset, "'for' is followed by a time in seconds, e.g. for 2s")
        number = match.group(1)
        self._set("seconds", _whole_number(number) if "." not in number else float(number), offset)

    def _depths(self) -> None:
        """One depth (``75%``: the field is that number) or several (``25%, 50%``: a list)."""
        depths: list[int | float] = []
        offsets: list[int] = []
        while True:
            offset, word = self._bare(stop=",")
            match = _PERCENT.match(word)
            if not match:
                raise DslError(
                    offset,
                    "expected a depth such as 50% after ','"
                    if depths
                    else "'on scroll' is followed by its percent, e.g. on scroll 50%",
                )
            depths.append(_whole_number(match.group(1)))
            offsets.append(offset)
            if not self._comma():
                break
        if len(depths) == 1:
            self._set("percent", depths[0], offsets[0])
        else:
            self._set("percent", depths, offsets)

    def _clause(self) -> None:
        offset, keyword = self._bare()
        if keyword not in CLAUSES:
            close = difflib.get_close_matches(keyword, CLAUSES, n=1) if len(keyword) < 50 else []
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise DslError(
                offset,
                f"unexpected '{cut(keyword)}'; after the values come {', '.join(CLAUSES)}{hint}",
            )
        if keyword in self.parsed.fields:
            raise DslError(offset, f"'{keyword}' is given twice")
        spec = _CLAUSE_FIELDS[keyword]
        if spec.many:
            self._set(keyword, *self._items(spec.follows))
        elif spec.kind == "flag":
            self._set(keyword, True, offset)
        else:
            value_offset, value = self._bare()
            if not value or (spec.choices and value not in spec.choices):
                raise DslError(value_offset, f"'{keyword}' is followed by {spec.follows}")
            self._set(keyword, value, value_offset)


def _whole_number(digits: str) -> int | float:
    """The number, or infinity when ``int()`` refuses it (over 4,300 digits): out of range
    for percent and seconds either way, as the model then says."""
    try:
        return int(digits)
    except ValueError:
        return math.inf
