"""Stage 1, load: a rules file (YAML, plain DSL lines or Python) into a RuleSet.

Every problem becomes a ``RuleError`` with file, line and column; all problems
of a file are collected and raised together as one ``RulesError``.
"""

from __future__ import annotations

import difflib
import re
import runpy
import traceback
from collections.abc import Callable
from pathlib import Path

import yaml

from .dsl import DslError, parse_rule
from .errors import InvalidRule, Position, Problem, RtpSnippetsError, RuleError, RulesError
from .model import NAVIGATION, NAVIGATION_HELP, RtpTag, Rule, RuleSet

TOP_LEVEL_KEYS = ("rtp", "navigation", "rules")
RTP_KEYS = ("account", "script")
RULE_KEYS = (
    "name",
    "event",
    "selector",
    "send",
    "pages",
    "exclude",
    "once",
    "percent",
    "seconds",
    "dynamic",
)
DEFAULT_RULES_FILE = "rtp-rules.yml"
# Looked for in this order when no rules file is named; then the one *.rules file.
DEFAULT_RULES_FILES = (DEFAULT_RULES_FILE, "rtp-rules.yaml")

# Turns a field problem into (line, column), both 1-based.
Locate = Callable[[Problem], "tuple[int, int]"]


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
    return RuleSet(tuple(rule for rule, _ in reader.rules), path, reader.rtp, reader.navigation)


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


class RulesFileNotFound(RtpSnippetsError):
    """No rules file was named and none (or several) are in the folder."""


class _Reader:
    def __init__(self, path: Path):
        self.path = path
        self.file = str(path)
        self.lines: list[str] = []
        self.errors: list[RuleError] = []
        self.rules: list[tuple[Rule, Locate]] = []
        self.rtp: RtpTag | None = None
        self.navigation = "queue"

    # --- errors and rules ---------------------------------------------------

    def position(self, line: int, column: int) -> Position:
        source_line = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return Position(self.file, line, column, source_line)

    def error(self, line: int, column: int, message: str) -> None:
        self.errors.append(RuleError(self.position(line, column), message))

    def fail(self, line: int, column: int, message: str) -> RulesError:
        """Record a problem after which the file cannot be read further."""
        self.error(line, column, message)
        return self.all_errors()

    def all_errors(self) -> RulesError:
        return RulesError(
            sorted(self.errors, key=lambda error: (error.position.line, error.position.column))
        )

    def add_rule(self, fields: dict, start: tuple[int, int], locate: Locate) -> None:
        try:
            # A missing event or send reaches the model as None, which reports it.
            rule = Rule(**{"event": None, "send": None, **fields}, source=self.position(*start))
        except InvalidRule as invalid:
            for problem in invalid.problems:
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
                    f"duplicate name '{rule.name}'; {where} already uses it",
                )
            else:
                first_use[rule.name] = rule

    # --- text formats -------------------------------------------------------

    def read_text(self) -> str:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise self.fail(0, 0, "no such rules file; create it or give the path of one") from None
        except OSError as error:
            raise self.fail(0, 0, f"cannot read the rules file: {error.strerror}") from None
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
        """One DSL rule per line; blank lines and lines starting with '#' are skipped."""
        for number, line in enumerate(self.lines, start=1):
            if line.strip() and not line.lstrip().startswith("#"):
                self.read_dsl(line, number, 1)

    def read_dsl(
        self, text: str, line: int, column: int, comment_column: int | None = None
    ) -> None:
        try:
            parsed = parse_rule(text)
        except DslError as error:
            if comment_column is not None and error.offset >= len(text.rstrip()):
                whole = self.lines[line - 1][column - 1 :].rstrip().replace('"', '\\"')
                self.error(
                    line,
                    comment_column,
                    "this rule is cut short here: in YAML ' #' starts a comment. "
                    f'Quote the whole rule: - "{whole}"',
                )
            else:
                self.error(line, column + error.offset, error.message)
            return

        def locate(problem: Problem) -> tuple[int, int]:
            offset = parsed.offsets.get(problem.field, 0)
            if isinstance(offset, list):
                offset = offset[problem.index or 0]
            return line, column + offset + problem.offset

        self.add_rule(parsed.fields, (line, column), locate)

    # --- YAML ---------------------------------------------------------------

    def read_yaml(self, text: str) -> None:
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            problem = error.problem or error.context or "invalid YAML"
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            raise self.fail(line, column, f"YAML syntax error: {problem}") from None
        if root is None:
            raise self.fail(1, 1, "the rules file is empty; it needs a 'rules:' list")
        if not isinstance(root, yaml.MappingNode):
            raise self.fail(*_start(root), "the top level must be a mapping with a 'rules:' list")
        sections = self.mapping(root, TOP_LEVEL_KEYS)
        if "rules" not in sections:
            raise self.fail(*_start(root), "no 'rules:' list in the file")
        if "rtp" in sections:
            self.read_yaml_rtp(sections["rtp"])
        if "navigation" in sections:
            node = sections["navigation"]
            self.read_navigation(node.value if _is_string(node) else None, *_start(node))
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
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.error(
                    *_start(key_node),
                    f"unknown key '{key_node.value}'; known keys are {', '.join(known)}{hint}",
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
        fields = _construct(nodes)
        try:
            self.rtp = RtpTag(
                # A missing key reaches the model as "", which reports it.
                account=fields.get("account", ""),
                script=fields.get("script", ""),
                source=self.position(*_start(node)),
            )
        except InvalidRule as invalid:
            for problem in invalid.problems:
                self.error(*_locate_in_mapping(node, nodes, problem), problem.message)

    def read_navigation(self, value: object, line: int, column: int) -> None:
        if isinstance(value, str) and value in NAVIGATION:
            self.navigation = value
        else:
            self.error(line, column, NAVIGATION_HELP)

    def read_yaml_mapping(self, node: yaml.MappingNode) -> None:
        nodes = self.mapping(node, RULE_KEYS)
        fields = _construct(nodes)

        def locate(problem: Problem) -> tuple[int, int]:
            return _locate_in_mapping(node, nodes, problem)

        self.add_rule(fields, _start(node), locate)

    # --- Python -------------------------------------------------------------

    def read_python(self) -> None:
        try:
            self.lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            raise self.fail(0, 0, "no such rules file; create it or give the path of one") from None
        except OSError as error:
            raise self.fail(0, 0, f"cannot read the rules file: {error.strerror}") from None
        try:
            namespace = runpy.run_path(self.file)
        except InvalidRule as invalid:
            line = self._traceback_line(invalid)
            for problem in invalid.problems:
                self.error(line, self._indent(line), f"{problem.field}: {problem.message}")
            raise self.all_errors() from None
        except Exception as error:  # the user's module failed: show where, not our traceback
            line = self._traceback_line(error)
            message = f"running the rules file failed: {type(error).__name__}: {error}"
            raise self.fail(line, self._indent(line), message) from None
        self.rtp = namespace.get("rtp")
        if self.rtp is not None and not isinstance(self.rtp, RtpTag):
            raise self.fail(1, 1, "'rtp' in a Python rules file must be an rtp_snippets.RtpTag")
        if "navigation" in namespace:
            self.read_navigation(namespace["navigation"], *self._assignment_line("navigation"))
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
            source = rule.source or self.position(1, 1)

            def locate(problem: Problem, source: Position = source) -> tuple[int, int]:
                return source.line, source.column

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


def _construct(nodes: dict[str, yaml.Node]) -> dict:
    constructor = yaml.SafeLoader("")
    return {key: constructor.construct_object(value, deep=True) for key, value in nodes.items()}


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
