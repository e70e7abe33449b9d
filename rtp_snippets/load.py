"""Stage 5, load: a rules file (YAML, plain DSL lines or Python) into a RuleSet.

Every problem becomes a ``RuleError`` with file, line and column; all problems
of a file are collected and raised together as one ``RulesError``.
"""

from __future__ import annotations

import difflib
import math
import re
import runpy
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml

from .dsl import ParsedRule, parse_consent, parse_rule
from .errors import (
    DslError,
    InvalidRule,
    Position,
    Problem,
    RuleError,
    RulesError,
    RulesFileNotFound,
    cut,
)
from .fields import CONSENT_FIELDS, CONSENT_PLATFORMS, RULE_FIELDS
from .model import (
    CLIENT_NAVIGATION_HELP,
    NAVIGATION_HELP,
    ClientNavigation,
    Consent,
    Navigation,
    RtpTag,
    Rule,
    RuleSet,
    is_client_navigation,
    is_navigation,
)

TOP_LEVEL_KEYS = ("rtp", "navigation", "client_navigation", "consent", "rules")
# The most a rules file may hold. Ten thousand rules take about 0.6 MB; a file (or a
# device such as /dev/zero) past this is not read on, so it cannot take all memory.
MAX_RULES_BYTES = 8_000_000
RTP_KEYS = ("account", "script")
# The keys of a rule's mapping and of the consent: section, and those of them that take a
# list (see fields.py).
RULE_KEYS = tuple(spec.name for spec in RULE_FIELDS)
CONSENT_KEYS = tuple(spec.name for spec in CONSENT_FIELDS)
RULE_LISTS = frozenset(spec.name for spec in RULE_FIELDS if spec.many)
CONSENT_LISTS = frozenset(spec.name for spec in CONSENT_FIELDS if spec.many)
DEFAULT_RULES_FILE = "rtp-rules.yml"
# Looked for in this order when no rules file is named; then the one *.rules file.
DEFAULT_RULES_FILES = (DEFAULT_RULES_FILE, "rtp-rules.yaml")

# Turns a field problem into (line, column), both 1-based.
Locate = Callable[[Problem], "tuple[int, int]"]

# A rules file nests four lists and mappings at most (rules, a rule, its send list);
# deeper nesting is refused before PyYAML's composer, which recurses, runs out of stack.
MAX_DEPTH = 10
# Reading stops at the problem after this many: nobody reads more, and a hostile file
# could otherwise hold hundreds of thousands.
MAX_ERRORS = 100
_YAML = "tag:yaml.org,2002:"
# The tags of the plain values a rule takes; '=' and '<<' are read with YAML's "value" and
# "merge" tags, features a rules file does not use, so they are read as text.
_SCALAR_TAGS = frozenset(
    _YAML + name for name in ("str", "int", "float", "bool", "null", "timestamp")
)
_TEXT_TAGS = frozenset((_YAML + "value", _YAML + "merge"))


def load_rules(path: str | Path) -> RuleSet:
    """Read and validate a rules file: ``*.yml``/``*.yaml``, ``*.rules`` or ``*.py``."""
    path = Path(path)
    reader = _Reader(path)
    if path.suffix == ".py":
        reader.read_python()
    else:
        text = reader.read_text()
        if path.suffix == ".rules":
            reader.read_plain()
        else:
            reader.read_yaml(text)
    reader.check_names()
    if reader.errors:
        raise reader.all_errors()
    return RuleSet(
        tuple(rule for rule, _ in reader.rules),
        path,
        reader.rtp,
        reader.navigation,
        reader.client_navigation,
        reader.consent,
    )


def find_rules_file(folder: str | Path = ".") -> Path:
    """The rules file a command uses when none is named: ``rtp-rules.yml``, else
    ``rtp-rules.yaml``, else the only ``*.rules`` file in ``folder``.

    The path is relative when ``folder`` is, so messages show what the user typed.
    """
    folder = Path(folder)
    for name in DEFAULT_RULES_FILES:
        if (folder / name).is_file():
            return folder / name
    plain = sorted(path for path in folder.glob("*.rules") if path.is_file())
    if len(plain) == 1:
        return plain[0]
    where = "here" if folder == Path(".") else f"in {folder}"
    if plain:
        names = ", ".join(path.name for path in plain)
        raise RulesFileNotFound(f"several rules files {where} ({names}); choose one with -r FILE")
    raise RulesFileNotFound(
        f"no rules file {where}: looked for {DEFAULT_RULES_FILE}, "
        f"{DEFAULT_RULES_FILES[1]} and *.rules; create one or give its "
        "path with -r FILE"
    )


def _locator(parsed: ParsedRule, line: int, column: int) -> Locate:
    """Where a problem of a DSL line parsed from ``column`` of ``line`` points: at its item
    in the field it is about (the line's start for a field not written there), plus the
    problem's own offset."""

    def locate(problem: Problem) -> tuple[int, int]:
        offset = parsed.offsets.get(problem.field, 0)
        if isinstance(offset, list):
            offset = offset[problem.index or 0]
        return line, column + offset + problem.offset

    return locate


class _Reader:
    def __init__(self, path: Path):
        self.path = path
        self.file = str(path)
        self.lines: list[str] = []
        self.errors: list[RuleError] = []
        self.rules: list[tuple[Rule, Locate]] = []
        self.rtp: RtpTag | None = None
        self.navigation: Navigation = "queue"
        self.client_navigation: ClientNavigation = "auto"
        self.consent: Consent | None = None
        self.consent_line = 0  # the line of a .rules file's consent line

    # --- errors and rules ---------------------------------------------------

    def position(self, line: int, column: int) -> Position:
        source_line = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return Position(self.file, line, column, source_line)

    def error(self, line: int, column: int, message: str) -> None:
        if len(self.errors) == MAX_ERRORS:
            stop = RuleError(
                self.position(line, column),
                f"stopped after {MAX_ERRORS} problems; fix these and run again",
            )
            raise RulesError([*self.all_errors().errors, stop]) from None
        self.errors.append(RuleError(self.position(line, column), message))

    def fail(self, line: int, column: int, message: str) -> RulesError:
        """Record a problem after which the file cannot be read further."""
        self.error(line, column, message)
        return self.all_errors()

    def all_errors(self) -> RulesError:
        return RulesError(
            sorted(self.errors, key=lambda error: (error.position.line, error.position.column))
        )

    def add_rule(
        self,
        fields: dict,
        start: tuple[int, int],
        locate: Locate,
        refused: frozenset[str] = frozenset(),
    ) -> None:
        """Validate a rule; problems with the ``refused`` fields (already reported, and
        left out of ``fields``) are not reported again."""
        try:
            # A missing event or send reaches the model as None, which reports it.
            missing = {spec.name: None for spec in RULE_FIELDS if spec.required}
            rule = Rule(**{**missing, **fields}, source=self.position(*start))
        except InvalidRule as invalid:
            for problem in invalid.problems:
                if problem.field not in refused:
                    self.error(*locate(problem), problem.message)
            return
        self.rules.append((rule, locate))

    def check_names(self) -> None:
        first_use: dict[str, Rule] = {}
        for rule, locate in self.rules:
            if rule.name is None:
                continue
            if rule.name in first_use:
                earlier = first_use[rule.name].source
                where = f"line {earlier.line}" if earlier else "an earlier rule"
                self.error(
                    *locate(Problem("name", "")),
                    f"duplicate name '{cut(rule.name)}'; {where} already uses it",
                )
            else:
                first_use[rule.name] = rule

    # --- text formats -------------------------------------------------------

    def read_bytes(self) -> bytes:
        """The file's bytes, at most MAX_RULES_BYTES of them."""
        try:
            with open(self.path, "rb") as handle:
                data = handle.read(MAX_RULES_BYTES + 1)
        except FileNotFoundError:
            raise self.fail(0, 0, "no such rules file; create it or give the path of one") from None
        except OSError as error:
            raise self.fail(0, 0, f"cannot read the rules file: {error.strerror}") from None
        if len(data) > MAX_RULES_BYTES:
            raise self.fail(
                0,
                0,
                f"the rules file is larger than {MAX_RULES_BYTES // 1_000_000} MB, more than "
                "a rules file holds; is it the right file?",
            )
        return data

    def read_text(self) -> str:
        data = self.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            self.lines = data.decode("utf-8", "replace").splitlines()
            line = data[: error.start].count(b"\n") + 1
            column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
            raise self.fail(line, column, "the rules file is not UTF-8 text") from None
        self.lines = text.splitlines()
        return text

    def read_plain(self) -> None:
        """One DSL rule per line, and at most one consent line; blank lines and lines
        starting with '#' are skipped."""
        for number, line in enumerate(self.lines, start=1):
            words = line.split(None, 1)
            if words and words[0] == "consent":
                self.read_consent_line(line, number)
            elif line.strip() and not line.lstrip().startswith("#"):
                self.read_dsl(line, number, 1)

    def read_consent_line(self, line: str, number: int) -> None:
        column = len(line) - len(line.lstrip()) + 1
        if self.consent_line:
            self.error(number, column, f"a second consent line; line {self.consent_line} has one")
            return
        self.consent_line = number
        try:
            parsed = parse_consent(line[column - 1 :])
        except DslError as error:
            self.error(number, column + error.offset, error.message)
            return
        locate = _locator(parsed, number, column)
        try:
            self.consent = Consent(**parsed.fields, source=self.position(number, column))
        except InvalidRule as invalid:
            for problem in invalid.problems:
                self.error(*locate(problem), problem.message)

    def read_dsl(
        self, text: str, line: int, column: int, comment_column: int | None = None
    ) -> None:
        try:
            parsed = parse_rule(text)
        except DslError as error:
            if comment_column is not None and error.offset >= len(text.rstrip()):
                whole = self.lines[line - 1][column - 1 :].rstrip().replace('"', '\\"')
                fix = f': - "{whole}"' if len(whole) <= 200 else " in double quotes"
                self.error(
                    line,
                    comment_column,
                    "this rule is cut short here: in YAML ' #' starts a comment. "
                    f"Quote the whole rule{fix}",
                )
            else:
                self.error(line, column + error.offset, error.message)
            return
        self.add_rule(parsed.fields, (line, column), _locator(parsed, line, column))

    # --- YAML ---------------------------------------------------------------

    def read_yaml(self, text: str) -> None:
        seen = _TokensSeen()
        try:
            root = _compose(text, seen)
        except _TooDeep as deep:
            message = f"nested more than {MAX_DEPTH} levels deep; a rules file needs 4 at most"
            raise self.fail(deep.mark.line + 1, deep.mark.column + 1, message) from None
        except yaml.reader.ReaderError as error:  # a character YAML refuses anywhere
            code = error.character
            escape = f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
            raise self.fail(
                *self._line_and_column(text, error.position),
                f"YAML does not allow the character U+{code:04X} in a file; "
                f"to send it, write {escape} in a double-quoted string",
            ) from None
        except yaml.MarkedYAMLError as error:
            raise self.fail(*_YamlSyntax(error, text, self.lines, seen).explain()) from None
        if root is None:
            raise self.fail(1, 1, "the rules file is empty; it needs a 'rules:' list")
        if not isinstance(root, yaml.MappingNode):
            raise self.fail(*_start(root), "the top level must be a mapping with a 'rules:' list")
        sections = self.mapping(root, TOP_LEVEL_KEYS)
        if "rules" not in sections:
            raise self.fail(*_start(root), "no 'rules:' list in the file")
        if "rtp" in sections:
            self.read_yaml_rtp(sections["rtp"])
        if "consent" in sections:
            self.read_yaml_consent(sections["consent"])
        if "navigation" in sections:
            node = sections["navigation"]
            self.read_navigation(node.value if _is_string(node) else None, *_start(node))
        if "client_navigation" in sections:
            # The node's text, not its YAML type: YAML 1.1 reads a plain on/off as a boolean.
            node = sections["client_navigation"]
            value = node.value if isinstance(node, yaml.ScalarNode) else None
            self.read_client_navigation(value, *_start(node))
        rules = sections["rules"]
        if not isinstance(rules, yaml.SequenceNode):
            raise self.fail(*_start(rules), "'rules:' must be a list, one rule per '- ' item")
        for item in rules.value:
            if _is_string(item):
                self.read_yaml_dsl(item)
            elif isinstance(item, yaml.MappingNode):
                self.read_yaml_mapping(item)
            else:
                self.error(
                    *_start(item),
                    f"a rule is a one-line rule in quotes or a mapping of {', '.join(RULE_KEYS)}",
                )

    def mapping(self, node: yaml.MappingNode, known: tuple[str, ...]) -> dict[str, yaml.Node]:
        """The mapping's values by key; unknown and repeated keys are reported."""
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if _is_string(key_node) else None
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(
                    *_start(key_node),
                    f"a key is a plain word such as 'event', not a {_kind(key_node)}",
                )
            elif key not in known:
                close = (
                    difflib.get_close_matches(str(key), known, n=1) if len(str(key)) < 50 else []
                )
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.error(
                    *_start(key_node),
                    f"unknown key '{cut(key_node.value)}'; known keys are {', '.join(known)}{hint}",
                )
            elif key in found:
                self.error(*_start(key_node), f"key '{key}' is given twice")
            else:
                found[key] = value_node
        return found

    def read_yaml_dsl(self, node: yaml.ScalarNode) -> None:
        line, column = _start(node)
        comment_column = None
        if node.style is None:  # a plain scalar: YAML may have cut it at ' #'
            rest = self.lines[node.end_mark.line][node.end_mark.column :]
            if rest.lstrip().startswith("#"):
                comment_column = node.end_mark.column + len(rest) - len(rest.lstrip()) + 1
        self.read_dsl(
            node.value, line, column + (1 if node.style in ("'", '"') else 0), comment_column
        )

    def read_yaml_rtp(self, node: yaml.Node) -> None:
        if not isinstance(node, yaml.MappingNode):
            self.error(
                *_start(node),
                "'rtp:' is a mapping with account and script, copied from your RTP tag",
            )
            return
        nodes = self.mapping(node, RTP_KEYS)
        fields, refused = self.construct(nodes, frozenset())
        try:
            self.rtp = RtpTag(
                # A missing key reaches the model as "", which reports it.
                account=fields.get("account", ""),
                script=fields.get("script", ""),
                source=self.position(*_start(node)),
            )
        except InvalidRule as invalid:
            for problem in invalid.problems:
                if problem.field not in refused:
                    self.error(*_locate_in_mapping(node, nodes, problem), problem.message)

    def read_yaml_consent(self, node: yaml.Node) -> None:
        if not isinstance(node, yaml.MappingNode):
            self.error(
                *_start(node),
                "'consent:' is a mapping with the platform and what it must grant, "
                "e.g. platform: onetrust and groups: C0004",
            )
            return
        nodes = self.mapping(node, CONSENT_KEYS)
        fields, refused = self.construct(nodes, CONSENT_LISTS)
        if "platform" not in fields:
            if "platform" not in refused:  # a refused platform was reported where it is
                self.error(
                    *_start(node),
                    f"'consent:' needs a platform: {', '.join(CONSENT_PLATFORMS)}",
                )
            return
        try:
            self.consent = Consent(**fields, source=self.position(*_start(node)))
        except InvalidRule as invalid:
            for problem in invalid.problems:
                if problem.field not in refused:
                    self.error(*_locate_in_mapping(node, nodes, problem), problem.message)

    def read_navigation(self, value: object, line: int, column: int) -> None:
        if is_navigation(value):
            self.navigation = value
        else:
            self.error(line, column, NAVIGATION_HELP)

    def read_client_navigation(self, value: object, line: int, column: int) -> None:
        if is_client_navigation(value):
            self.client_navigation = value
        else:
            self.error(line, column, CLIENT_NAVIGATION_HELP)

    def read_yaml_mapping(self, node: yaml.MappingNode) -> None:
        nodes = self.mapping(node, RULE_KEYS)
        fields, refused = self.construct(nodes, RULE_LISTS)

        def locate(problem: Problem) -> tuple[int, int]:
            return _locate_in_mapping(node, nodes, problem)

        self.add_rule(fields, _start(node), locate, refused)

    def construct(
        self, nodes: dict[str, yaml.Node], lists: frozenset[str]
    ) -> tuple[dict, frozenset[str]]:
        """The fields' Python values, and the names of those refused: a value that is not
        a plain one (a YAML tag, a list or mapping where one value goes; the keys in
        ``lists`` take a list) is reported at its place and left out. The check reads the
        node tree only, so an alias bomb is never expanded and a recursive alias never
        followed."""
        constructor = _Loader("")
        fields = {}
        refused = set()
        for key, value in nodes.items():
            problem = _value_problem(key, value, key in lists)
            if problem is None:
                fields[key] = constructor.construct_object(value, deep=True)
            else:
                self.error(*_start(problem[0]), problem[1])
                refused.add(key)
        return fields, frozenset(refused)

    def _line_and_column(self, text: str, offset: int) -> tuple[int, int]:
        """The line and column of a character offset, counting lines as ``self.lines`` does."""
        start = 0
        for number, line in enumerate(text.splitlines(keepends=True), start=1):
            if offset < start + len(line):
                return number, offset - start + 1
            start += len(line)
        return max(len(self.lines), 1), 1

    # --- Python -------------------------------------------------------------

    def read_python(self) -> None:
        source = self.read_bytes().decode("utf-8", "replace")
        self.lines = source.splitlines()
        if "\x00" in source:  # refused by Python itself, with a message that differs by version
            raise self.fail(
                *self._line_and_column(source, source.index("\x00")),
                "Python does not allow the character U+0000 in a source file; "
                "to send it, write \\x00 in a string",
            )
        try:
            namespace = runpy.run_path(self.file)
        except InvalidRule as invalid:
            line = self._traceback_line(invalid)
            for problem in invalid.problems:
                self.error(line, self._indent(line), f"{problem.field}: {problem.message}")
            raise self.all_errors() from None
        # The user's module failed, or exited: show where, not our traceback, and never
        # end the run with the module's exit status.
        except (Exception, SystemExit) as error:
            line = self._traceback_line(error)
            message = f"running the rules file failed: {type(error).__name__}: {error}"
            raise self.fail(line, self._indent(line), message) from None
        self.rtp = namespace.get("rtp")
        if self.rtp is not None and not isinstance(self.rtp, RtpTag):
            raise self.fail(1, 1, "'rtp' in a Python rules file must be an rtp_snippets.RtpTag")
        self.consent = namespace.get("consent")
        if self.consent is not None and not isinstance(self.consent, Consent):
            raise self.fail(
                *self._assignment_line("consent"),
                "'consent' in a Python rules file must be an rtp_snippets.Consent",
            )
        if "navigation" in namespace:
            self.read_navigation(namespace["navigation"], *self._assignment_line("navigation"))
        if "client_navigation" in namespace:
            self.read_client_navigation(
                namespace["client_navigation"], *self._assignment_line("client_navigation")
            )
        rules = namespace.get("rules")
        if not isinstance(rules, (list, tuple)):
            raise self.fail(
                1, 1, "a Python rules file must set 'rules' to a list of rtp_snippets.Rule"
            )
        for index, rule in enumerate(rules):
            if not isinstance(rule, Rule):
                raise self.fail(
                    1, 1, f"rules[{index}] is a {type(rule).__name__}, not an rtp_snippets.Rule"
                )
            where = rule.source or self.position(1, 1)

            def locate(problem: Problem, where: Position = where) -> tuple[int, int]:
                return where.line, where.column

            self.rules.append((rule, locate))

    def _assignment_line(self, name: str) -> tuple[int, int]:
        """Where the module assigns ``name`` at the top level (else line 1)."""
        for number, line in enumerate(self.lines, start=1):
            if re.match(rf"{name}\s*(:[^=]*)?=[^=]", line):
                return number, 1
        return 1, 1

    def _traceback_line(self, error: BaseException) -> int:
        """The line of the rules file where the error happened (the last frame there)."""
        if isinstance(error, SyntaxError) and error.lineno:
            return error.lineno
        lines = [
            frame.lineno
            for frame in traceback.extract_tb(error.__traceback__)
            if Path(frame.filename) == self.path and frame.lineno is not None
        ]
        return lines[-1] if lines else 1

    def _indent(self, line: int) -> int:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return len(text) - len(text.lstrip()) + 1


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark):
        super().__init__(mark)
        self.mark = mark


class _TokensSeen:
    """What the parser read before an error, as much as explaining it needs (a rules file
    may hold millions of tokens): the last token and the last scalar, the quoted values
    over several lines, the brackets still open."""

    def __init__(self) -> None:
        self.last: yaml.Token | None = None
        self.scalar: yaml.ScalarToken | None = None
        self.quoted: list[yaml.ScalarToken] = []
        self.flows: list[yaml.Token] = []

    def add(self, token: yaml.Token) -> None:
        self.last = token
        if isinstance(token, yaml.ScalarToken):
            self.scalar = token
            over_lines = token.start_mark.line != token.end_mark.line
            if token.style in ("'", '"') and over_lines and len(self.quoted) < MAX_ERRORS:
                self.quoted.append(token)
        elif isinstance(token, _FLOW_STARTS):
            self.flows.append(token)
        elif isinstance(token, _FLOW_ENDS) and self.flows:
            self.flows.pop()

    def until(self, error: yaml.MarkedYAMLError, queued: list[yaml.Token]) -> None:
        """Add the tokens the scanner read ahead (``queued``) that come before the error."""
        mark = error.problem_mark or error.context_mark
        for token in queued:
            if mark and token.start_mark.index >= mark.index:
                break
            self.add(token)


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, with what a rules file needs on top:

    - lists and mappings nested deeper than MAX_DEPTH are refused (``_TooDeep``);
    - an alias of a list or mapping becomes a node placed at the alias (sharing the
      items), so that a problem with it is reported where it is used;
    - a decimal integer too long for ``int()`` (over 4,300 digits) is read as infinity,
      out of range for every field, which the model then says; a date that does not
      exist is read as text;
    - what the parser read is kept, as much as ``_YamlSyntax`` needs (``_TokensSeen``).
    """

    depth = 0

    def __init__(self, stream: str, seen: _TokensSeen | None = None):
        self.seen = seen or _TokensSeen()
        super().__init__(stream)

    def get_token(self) -> yaml.Token | None:
        token = super().get_token()
        if token is not None:
            self.seen.add(token)
        return token

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            alias = self.peek_event()
            node = super().compose_node(parent, index)
            if isinstance(node, yaml.SequenceNode | yaml.MappingNode):
                node = type(node)(node.tag, node.value, alias.start_mark, alias.end_mark)
            return node
        if not self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            return super().compose_node(parent, index)
        if self.depth == MAX_DEPTH:
            raise _TooDeep(self.peek_event().start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _compose(text: str, seen: _TokensSeen) -> yaml.Node | None:
    """``yaml.compose`` with ``_Loader``; what it read before an error is in ``seen``."""
    loader = _Loader(text, seen)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        seen.until(error, loader.tokens)
        raise
    finally:
        loader.dispose()


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int | float:
    try:
        return loader.construct_yaml_int(node)
    except ValueError:
        return math.inf


def _construct_date(loader: _Loader, node: yaml.ScalarNode) -> object:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:  # a date that does not exist, such as 2024-02-30: its text
        return loader.construct_yaml_str(node)


def _construct_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    return loader.construct_yaml_str(node)


_Loader.add_constructor(_YAML + "int", _construct_int)
_Loader.add_constructor(_YAML + "timestamp", _construct_date)
for _tag in _TEXT_TAGS:
    _Loader.add_constructor(_tag, _construct_text)


def _value_problem(key: str, node: yaml.Node, many: bool) -> tuple[yaml.Node, str] | None:
    """Where and why ``node`` is not a value the field ``key`` takes (a list too when
    ``many``), or None."""
    if not _plain_tag(node):
        return node, _tag_message(node)
    if isinstance(node, yaml.ScalarNode):
        return None
    if not many:
        return node, f"'{key}' takes a single value, not a {_kind(node)}"
    if isinstance(node, yaml.MappingNode):
        return node, f"'{key}' takes a value or a list of values, not a mapping"
    for item in node.value:
        if not _plain_tag(item):
            return item, _tag_message(item)
        if not isinstance(item, yaml.ScalarNode):
            return item, f"each item of '{key}' is a single value, not a {_kind(item)}"
    return None


def _plain_tag(node: yaml.Node) -> bool:
    """Whether the node has YAML's own tag for its kind (no tag written, or a standard one)."""
    if isinstance(node, yaml.ScalarNode):
        return node.tag in _SCALAR_TAGS or node.tag in _TEXT_TAGS
    return node.tag == _YAML + ("seq" if isinstance(node, yaml.SequenceNode) else "map")


def _tag_message(node: yaml.Node) -> str:
    tag = cut(node.tag.replace(_YAML, "!!", 1) if node.tag.startswith(_YAML) else node.tag)
    return f"the YAML tag '{tag}' is not allowed in a rules file; write the plain value"


def _kind(node: yaml.Node) -> str:
    return "list" if isinstance(node, yaml.SequenceNode) else "mapping"


def _locate_in_mapping(
    node: yaml.MappingNode, nodes: dict[str, yaml.Node], problem: Problem
) -> tuple[int, int]:
    """Where a field problem points: at the field's value (or item), else at the mapping."""
    value = nodes.get(problem.field)
    if value is None:
        return _start(node)
    if isinstance(value, yaml.SequenceNode) and problem.index is not None:
        value = value.value[problem.index]
    line, column = _start(value)
    quoted = isinstance(value, yaml.ScalarNode) and value.style in ("'", '"')
    return line, column + (1 if quoted else 0) + problem.offset


def _is_string(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str"


def _start(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


# --- YAML syntax errors in plain words -----------------------------------------------
#
# PyYAML says where its parser gave up, in its grammar's words ("expected <block end>, but
# found '<block mapping start>'"), and that is often lines after the mistake: a quote
# left open swallows the lines up to the next quote. _YamlSyntax looks at what the
# parser read before the error and at the lines around it, names the common mistakes
# where they are, and otherwise gives PyYAML's own words at PyYAML's place.

# A line's key: the indentation, any '- ' item marks, then a plain key and ': '.
_KEY_LINE = re.compile(
    r"(?P<lead> *(?:- +)*)(?P<key>[^\s#'\"\[\]{},:?-][^:]*?|-\S[^:]*?) *:(?:\s|$)"
)
# Where a quoted value can open: at the start of a line, after '- ' or after 'key: '.
_VALUE_START = re.compile(r"\s*(?:- +)*(?:[^\s#'\"][^:]*: +)?")
_KEY_LIMIT = 200
_CLOSING = {"[": "]", "{": "}"}
_FLOW_WORDS = {"[": "list", "{": "mapping"}
_FLOW_STARTS = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)
_FLOW_ENDS = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)
_FLOW_PAIRS: dict[type, type] = {
    yaml.FlowSequenceEndToken: yaml.FlowSequenceStartToken,
    yaml.FlowMappingEndToken: yaml.FlowMappingStartToken,
}


def _scan(text: str) -> Iterator[yaml.Token]:
    """PyYAML's tokens of ``text``, up to its first scanner error."""
    try:
        yield from yaml.scan(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return


def _key_at(line: str) -> tuple[int, str] | None:
    """The 1-based column and the name of the key that ``line`` starts, or None."""
    # A key is short; the cut keeps the match fast on a hostile file's megabyte line.
    found = _KEY_LINE.match(line[:_KEY_LIMIT])
    return (len(found["lead"]) + 1, found["key"]) if found else None


class _YamlSyntax:
    """One PyYAML error, with the text it was found in, explained in plain words."""

    def __init__(self, error: yaml.MarkedYAMLError, text: str, lines: list[str], seen: _TokensSeen):
        self.error, self.text, self.lines, self.seen = error, text, lines, seen
        self.problem = error.problem or ""
        self.context = error.context or ""
        self.mark = error.problem_mark or error.context_mark

    def line(self, number: int) -> str:
        """The text of 0-based line ``number``, or ""."""
        return self.lines[number] if 0 <= number < len(self.lines) else ""

    def explain(self) -> tuple[int, int, str]:
        """(line, column, message), both 1-based."""
        for explanation in (
            self.unclosed_quote,
            self.unclosed_bracket,
            self.misindented,
            self.tab_or_reserved,
            self.missing_colon,
            self.colon_in_value,
            self.text_after_quote,
            self.stray_bracket,
            self.unknown_escape,
            self.duplicate_anchor,
        ):
            found = explanation()
            if found:
                return found
        problem = self.problem or self.context or "invalid YAML"
        where = self.error.context_mark
        if self.error.context == "while scanning an alias" or "undefined alias" in problem:
            # A link glob such as *.pdf, written without quotes, reads as an alias.
            problem += '; a value that starts with * must be quoted, e.g. link: "*.pdf"'
        elif self.problem and self.context and where and where is not self.mark:
            problem += f" ({self.context} at line {where.line + 1}, column {where.column + 1})"
        line, column = (self.mark.line + 1, self.mark.column + 1) if self.mark else (1, 1)
        return line, column, f"YAML syntax error: {problem}"

    # Each explanation returns (line, column, message), or None when it does not apply.

    def unclosed_quote(self) -> tuple[int, int, str] | None:
        """A quote left open: the first quoted value that swallowed a line which looks like
        YAML (a '- ' item, a key), or closes where a value would open; else the quote that
        runs to the end of the file."""
        for token in self.seen.quoted:
            start, end = token.start_mark, token.end_mark
            inside = [self.line(number) for number in range(start.line + 1, end.line + 1)]
            inside[-1] = inside[-1][: end.column - 1]
            before_close = self.line(end.line)[: end.column - 1]
            swallowed = any(text.lstrip().startswith("- ") or _key_at(text) for text in inside) or (
                len(before_close) <= _KEY_LIMIT and _VALUE_START.fullmatch(before_close)
            )
            if swallowed:
                return self._never_closed(start)
        if self.context == "while scanning a quoted scalar" and self.error.context_mark:
            return self._never_closed(self.error.context_mark)
        return None

    def _never_closed(self, start: yaml.Mark) -> tuple[int, int, str]:
        quote = self.text[start.index]
        return (
            start.line + 1,
            start.column + 1,
            f"this quoted string is never closed; close it with {quote}",
        )

    def unclosed_bracket(self) -> tuple[int, int, str] | None:
        """A '[' or '{' left open: the one the parser names, or one opened on an earlier
        line than the error, when no matching bracket follows it."""
        opened = self.seen.flows
        if not opened or not self.mark:
            return None
        start = opened[-1].start_mark
        named = self.error.context_mark
        if not (named and named.index == start.index) and start.line == self.mark.line:
            return None
        bracket = self.text[start.index]
        if self._closed(opened[-1]):
            expected = re.fullmatch(r"expected ',' or '[\]}]', but got .*", self.problem)
            if not expected:
                return None
            return (
                self.mark.line + 1,
                self.mark.column + 1,
                f"a ',' is missing before this item of the {bracket} {_FLOW_WORDS[bracket]} "
                f"at line {start.line + 1}, column {start.column + 1}",
            )
        return (
            start.line + 1,
            start.column + 1,
            f"this {bracket} {_FLOW_WORDS[bracket]} is never closed; close it with "
            f"{_CLOSING[bracket]}",
        )

    def _closed(self, opening: yaml.Token) -> bool:
        """Whether a bracket of the same kind closes ``opening`` later in the file."""
        depth: list[type] = []
        for token in _scan(self.text):
            if token.start_mark.index <= opening.start_mark.index:
                continue
            if isinstance(token, _FLOW_STARTS):
                depth.append(type(token))
            elif isinstance(token, _FLOW_ENDS):
                closes = _FLOW_PAIRS[type(token)]
                if depth and depth[-1] is closes:
                    depth.pop()
                elif depth:
                    return False
                else:
                    return isinstance(opening, closes)
        return False

    def misindented(self) -> tuple[int, int, str] | None:
        """A key or '- ' item indented more or less than the one above it."""
        if not self.mark:
            return None
        line, column = self.mark.line, self.mark.column + 1
        found = self.problem.rsplit("but found ", 1)[-1]
        if "mapping values are not allowed here" in self.problem:
            return self._folded_key()
        if found == "'<block mapping start>'" and self.problem.startswith("expected '<document"):
            key = _key_at(self.line(line))
            first = next(
                ((n, above) for n in range(line) if (above := _key_at(self.line(n)))), None
            )
            if first is None or not key:
                return None
            return (
                first[0] + 1,
                first[1][0],
                f"this key is indented, unlike '{cut(key[1])}' below it; the keys at the "
                "top of the file start at column 1",
            )
        if found == "'<block mapping start>'":
            return self._key_not_aligned(line, column, self._sibling_key(line))
        if found in ("'<block sequence start>'", "'-'"):
            for number in range(line - 1, -1, -1):
                text = self.line(number)
                lead = len(text) - len(text.lstrip(" "))
                if text[lead:].startswith("- ") and lead + 1 != column:
                    return (
                        line + 1,
                        column,
                        f"this '- ' item is indented differently from the one above it "
                        f"(column {column} vs {lead + 1}); align it",
                    )
            return None
        if found == "'?'" and self.context == "while parsing a block collection":
            context = self.error.context_mark
            if context and context.column + 1 == column:
                return (
                    line + 1,
                    column,
                    "a key at the column of the '- ' items above it: start a new item with "
                    "'- ', or indent the key under the item it belongs to",
                )
            above = next(
                (
                    key
                    for number in range(line - 1, -1, -1)
                    if (key := _key_at(self.line(number))) and key[0] < column
                ),
                None,
            )
            return self._key_not_aligned(line, column, above)
        return None

    def _sibling_key(self, line: int) -> tuple[int, str] | None:
        """The key above 0-based ``line`` that the key on it should line up with."""
        context = self.error.context_mark
        if not context:
            return None
        if self.context == "while parsing a block mapping":
            wanted = context.column + 1
            return next(
                (
                    key
                    for number in range(line - 1, context.line - 1, -1)
                    if (key := _key_at(self.line(number))) and key[0] == wanted
                ),
                None,
            )
        # In a list: the keys of its item's mapping, right of the '-'.
        return next(
            (
                key
                for number in range(line - 1, context.line - 1, -1)
                if (key := _key_at(self.line(number))) and key[0] > context.column + 1
            ),
            None,
        )

    def _key_not_aligned(
        self, line: int, column: int, above: tuple[int, str] | None
    ) -> tuple[int, int, str] | None:
        if not _key_at(self.line(line)):
            return None
        if not above or above[0] == column:
            return (
                line + 1,
                column,
                "this key is indented differently from the keys above it; align it",
            )
        return (
            line + 1,
            column,
            f"this key is indented differently from '{cut(above[1])}' above it "
            f"(column {column} vs {above[0]}); align it with '{cut(above[1])}'",
        )

    def _folded_key(self) -> tuple[int, int, str] | None:
        """'key: value' read as more of the value above: the key is indented further than
        its sibling, or the line above is 'key:value' without a space."""
        assert self.mark
        scalar = self.seen.scalar
        if not scalar or scalar.start_mark.line == self.mark.line:
            return None
        start = scalar.start_mark
        first_line = self.line(start.line)
        glued = re.match(r"([^\s:#'\"]+):(?=\S)", first_line[start.column :])
        if glued and re.fullmatch(r" *(?:- +)*", first_line[: start.column]):
            key = glued[1]
            rest = first_line[start.column + len(key) + 1 :]
            return (
                start.line + 1,
                start.column + len(key) + 1,
                f"a ':' after a key needs a space: write '{cut(key)}: {cut(rest.strip(), 20)}'",
            )
        line = self.mark.line
        key = _key_at(self.line(line))
        if not key:
            return None
        return self._key_not_aligned(line, key[0], _key_at(first_line))

    def tab_or_reserved(self) -> tuple[int, int, str] | None:
        found = re.fullmatch(r"found character '(.+)' that cannot start any token", self.problem)
        if not found or not self.mark:
            return None
        line, column = self.mark.line + 1, self.mark.column + 1
        if found[1] == "\\t":
            if not self.line(self.mark.line)[: self.mark.column].strip():
                return line, column, "a tab in the indentation: YAML indents with spaces only"
            return line, column, "a tab where a value starts: YAML allows spaces only here"
        character = found[1]
        return (
            line,
            column,
            f"a YAML value cannot start with {character}; put the value in quotes, "
            f'e.g. "{character}…"',
        )

    def missing_colon(self) -> tuple[int, int, str] | None:
        start = self.error.context_mark
        if self.problem != "could not find expected ':'" or not start:
            return None
        rest = self.line(start.line)[start.column :]
        glued = re.match(r"([^\s:#]+):(?=\S)", rest)
        if glued:
            key = glued[1]
            value = rest[len(key) + 1 :].strip()
            return (
                start.line + 1,
                start.column + len(key) + 1,
                f"a ':' after a key needs a space: write '{cut(key)}: {cut(value, 20)}'",
            )
        word = rest.split()[0] if rest.split() else rest
        return (
            start.line + 1,
            start.column + 1,
            f"'{cut(word)}' has no ':' after it; a key is written 'key: value'",
        )

    def colon_in_value(self) -> tuple[int, int, str] | None:
        if "mapping values are not allowed here" not in self.problem or not self.mark:
            return None
        return (
            self.mark.line + 1,
            self.mark.column + 1,
            "a second ': ' on this line; a value with ': ' in it must be quoted, "
            'e.g. send: "a: b"',
        )

    def text_after_quote(self) -> tuple[int, int, str] | None:
        if not self.mark or not self.problem.startswith("expected <block end>, but found"):
            return None
        last = self.seen.last
        if (
            isinstance(last, yaml.ScalarToken)
            and last.style in ("'", '"')
            and last.end_mark.line == self.mark.line
        ):
            return (
                self.mark.line + 1,
                self.mark.column + 1,
                "text after the closing quote; put the whole value inside the quotes",
            )
        return None

    def stray_bracket(self) -> tuple[int, int, str] | None:
        found = re.search(r"but found '([\]}])'$", self.problem)
        if not found or not self.mark:
            return None
        opening = "[" if found[1] == "]" else "{"
        return (
            self.mark.line + 1,
            self.mark.column + 1,
            f"a {found[1]} with no {opening} before it; remove it",
        )

    def unknown_escape(self) -> tuple[int, int, str] | None:
        found = re.fullmatch(r"found unknown escape character '?(.+?)'?", self.problem)
        if not found or not self.mark:
            return None
        return (
            self.mark.line + 1,
            self.mark.column,
            f"'\\{found[1]}' is not an escape of a double-quoted YAML string; write \\\\ for a "
            "backslash, or put the value in single quotes",
        )

    def duplicate_anchor(self) -> tuple[int, int, str] | None:
        found = re.match(r"found duplicate anchor '?([^';]*)'?", self.context)
        first = self.error.context_mark
        if not found or not self.mark or not first:
            return None
        return (
            self.mark.line + 1,
            self.mark.column + 1,
            f"the anchor &{cut(found[1])} is defined twice (first at line {first.line + 1}); "
            "give this one another name",
        )
