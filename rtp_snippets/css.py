"""Stage 2, css: which CSS selectors a rule may use: valid CSS that browsers' ``closest()`` can run.

soupsieve parses the selector (so we catch syntax errors at build time with a
column), but it also accepts extensions that a browser rejects or never
matches: ``:-soup-contains()``, ``:contains()``, ``[attr!=value]``, namespace
prefixes, ``:local-link``… A scan of the selector refuses those.
"""

from __future__ import annotations

import re
import warnings

import soupsieve

from .errors import cut

# Longer selectors are refused before soupsieve reads them: it fails with a ValueError
# past 8,192 parts, and a real selector is a few dozen characters.
MAX_SELECTOR_LENGTH = 1000

# Pseudo-classes that soupsieve understands and current Chromium, Firefox and
# Safari all run in querySelector/closest (tests/test_browser.py checks each one
# in Chromium).
BROWSER_PSEUDO_CLASSES = frozenset(
    """
    active any-link autofill checked default defined dir disabled empty enabled
    first-child first-of-type focus focus-visible focus-within fullscreen has hover
    in-range indeterminate is lang last-child last-of-type link not
    nth-child nth-last-child nth-last-of-type nth-of-type only-child only-of-type
    optional out-of-range placeholder-shown read-only read-write required root
    scope target user-invalid visited where
    """.split()
)

_TEXT_MATCHERS = {"contains", "-soup-contains", "-soup-contains-own"}
# Browser pseudo-classes that soupsieve cannot parse, so we cannot check them.
_UNCHECKABLE = {"valid", "invalid", "user-valid", "modal"}


def selector_problems(selector: str) -> list[tuple[int, str]]:
    """Return ``(offset, message)`` for each reason the selector cannot be used.

    An empty list means soupsieve parsed it and every part of it runs in browsers.
    """
    if len(selector) > MAX_SELECTOR_LENGTH:
        return [
            (
                0,
                f"a selector is at most {MAX_SELECTOR_LENGTH} characters; "
                f"this one has {len(selector)}",
            )
        ]
    try:
        with warnings.catch_warnings():
            # soupsieve warns that ':contains' is deprecated; we refuse it below.
            warnings.simplefilter("ignore")
            soupsieve.compile(selector)
    except soupsieve.SelectorSyntaxError as error:
        offset = max((error.col or 1) - 1, 0)
        name = (
            _read_name(selector, offset + 1).lower() if selector[offset : offset + 1] == ":" else ""
        )
        if name in _UNCHECKABLE:
            return [
                (
                    offset,
                    f"':{name}' cannot be checked here (soupsieve, which rtp-snippets "
                    "checks selectors with, does not support it); select by id, class "
                    "or attribute instead",
                )
            ]
        message = re.sub(r"\s+(at )?(position|line) \d+.*", "", str(error).splitlines()[0])
        return [(offset, f"invalid CSS selector: {message}")]
    except NotImplementedError:
        offset = selector.find("::")
        return [(max(offset, 0), _pseudo_element_message(selector, offset))]
    return _browser_problems(selector)


def _pseudo_element_message(selector: str, offset: int) -> str:
    name = cut(_read_name(selector, offset + 2)) if offset >= 0 else ""
    return f"pseudo-element '::{name}' never matches an element; select the element itself"


def _browser_problems(selector: str) -> list[tuple[int, str]]:
    problems = []
    in_attribute = False
    index = 0
    while index < len(selector):
        char = selector[index]
        following = selector[index + 1 : index + 2]
        if char == "\\":
            index += 2
            continue
        if char in "\"'":
            end = index + 1
            while end < len(selector) and selector[end] != char:
                end += 2 if selector[end] == "\\" else 1
            index = end + 1
            continue
        if char == "[":
            in_attribute = True
        elif char == "]":
            in_attribute = False
        elif in_attribute and char == "!" and following == "=":
            problems.append(
                (
                    index,
                    "'!=' is a soupsieve extension browsers do not support; "
                    "use :not([name=value]) instead",
                )
            )
        elif char == "|" and following != "=" and selector[index - 1 : index] != "|":
            problems.append(
                (
                    index,
                    "namespace prefixes ('ns|tag') cannot be declared in a browser; "
                    "drop the prefix",
                )
            )
        elif char == ":" and not in_attribute:
            if following == ":":
                problems.append((index, _pseudo_element_message(selector, index)))
                index += 2
                continue
            name = _read_name(selector, index + 1).lower()
            if name in _TEXT_MATCHERS:
                problems.append(
                    (
                        index,
                        f"':{name}()' matches text, which browser selectors cannot do; "
                        "select by id, class or attribute (use {text} to send the text)",
                    )
                )
            elif name not in BROWSER_PSEUDO_CLASSES:
                problems.append(
                    (
                        index,
                        f"':{cut(name)}' does not run in every current browser (soupsieve "
                        "accepts it; Chromium, Firefox or Safari do not); select by id, "
                        "class or attribute instead",
                    )
                )
            index += 1 + len(name)
            continue
        index += 1
    return problems


def _read_name(text: str, start: int) -> str:
    end = start
    while end < len(text) and (text[end].isalnum() or text[end] in "-_"):
        end += 1
    return text[start:end]
