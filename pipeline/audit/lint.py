"""`stretchpipe audit` as a linter: run the stages on every input, turn flags into findings with a
line and column in the original file, then apply the configuration (select, ignore, severities),
inline suppressions and a baseline.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import errors
from ..config import AUDIT
from ..records import Article, CleanDocument, Flag, ManifestEntry, Page
from .locate import SourceMap
from .registry import SEVERITIES

_BODY_START = re.compile(r"<body\b[^>]*>|</head\s*>", re.I)
_SUPPRESS = re.compile(r"<!--\s*stretchpipe:\s*ignore\b([^>]*?)-->", re.I)


class ConfigError(ValueError):
    """A configuration, selection or baseline that cannot be used (a usage error, exit 2); the message
    starts with its code."""

    def __init__(self, message: str, code: str = errors.AUDIT_CONFIG):
        super().__init__(f"[{code}] {message}")
        self.code = code


@dataclass(frozen=True)
class Location:
    path: str
    line: int
    column: int
    end_line: int = 0  # 0: unknown (a point)
    end_column: int = 0


@dataclass
class Finding:
    path: str
    line: int
    column: int
    severity: str
    rule: str
    message: str
    stretch: str | None
    evidence: list[str]
    related: list[Location] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)  # in the cleaned text (for the report)
    fingerprint: str = ""
    end_line: int = 0  # where the evidence ends (exclusive column, as ruff and SARIF count)
    end_column: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "column": self.column, "end_line": self.end_line,
                "end_column": self.end_column, "severity": self.severity, "rule": self.rule,
                "message": self.message, "stretch": self.stretch, "evidence": self.evidence,
                "related": [{"line": r.line, "column": r.column, "end_line": r.end_line, "end_column": r.end_column}
                            for r in self.related],
                "fingerprint": self.fingerprint}


@dataclass
class AuditedPage:
    page: Page
    doc: CleanDocument
    article: Article
    findings: list[Finding] = field(default_factory=list)
    suppressed: int = 0


@dataclass
class Config:
    enabled: frozenset[str] | None = None  # the rules that run; None: every rule
    severity: dict[str, str] = field(default_factory=dict)
    fail_on: str | None = None
    docs_url: str | None = None  # SARIF helpUri template ({id}); None: the package's documentation URL

    def applies(self, rule_id: str) -> bool:
        return self.enabled is None or rule_id in self.enabled


@dataclass
class LintResult:
    pages: list[AuditedPage] = field(default_factory=list)
    problems: list[ManifestEntry] = field(default_factory=list)  # inputs that could not be read or failed
    baselined: int = 0

    @property
    def findings(self) -> list[Finding]:
        return [f for p in self.pages for f in p.findings]


# --------------------------------------------------------------------------- configuration

Level = Literal["info", "warning", "error"]


class AuditSettings(BaseModel):
    """The `[tool.stretchpipe.audit]` table (or a `--config` file), checked key by key."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_by_name=True, validate_by_alias=True)

    select: list[str] | None = None
    extend_select: list[str] = Field(default_factory=list, alias="extend-select")
    ignore: list[str] = Field(default_factory=list)
    severity: dict[str, Level] = Field(default_factory=dict)
    fail_on: Level | None = Field(default=None, alias="fail-on")
    docs_url: str | None = Field(default=None, alias="docs-url")


@dataclass(frozen=True)
class Selection:
    """One layer of rule selection, as ruff resolves it: the configuration file's, then the command
    line's. `select` (when given) replaces what earlier layers chose; `extend_select` and `ignore`
    adjust it."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    origin: str = "the command line"  # named in error messages


_KIND = {str: "a string", int: "a number", float: "a number", bool: "true/false", list: "a list", dict: "a table"}


def _expand(selector: str, rule_ids: list[str], origin: str, key: str) -> tuple[int, list[str]]:
    """The rules a selector names and how specific it is: `ALL` (0) < a prefix of whole words
    (`missing` for missing-hold, missing-steps...; 1 per word) < a rule id (exact)."""
    if selector == "ALL":
        return 0, list(rule_ids)
    if selector in rule_ids:
        return 1000, [selector]
    words = selector.split("-")
    matched = [r for r in rule_ids if r.split("-")[:len(words)] == words]
    if not matched or not selector:
        raise ConfigError(f"{origin}: {key}: unknown rule or prefix {selector!r}; `stretchpipe rules` lists "
                          "them (ALL selects every rule)", errors.AUDIT_SELECTOR)
    return len(words), matched


def resolve_rules(layers: Iterable[Selection], rule_ids: Iterable[str]) -> frozenset[str]:
    """The enabled rules after every layer. Within a layer, less specific selectors apply first and
    more specific ones override them (`--select ALL --ignore kb-conflict`, `--ignore ALL --select
    safety`); at equal specificity `ignore` wins."""
    ids = list(rule_ids)
    enabled: set[str] = set()
    for layer in [Selection(AUDIT.select, origin="the defaults"), *layers]:
        updates: dict[int, list[tuple[bool, list[str]]]] = {}
        for key, on, selectors in (("select", True, layer.select or ()), ("extend-select", True, layer.extend_select),
                                   ("ignore", False, layer.ignore)):
            for selector in selectors:
                level, rules = _expand(selector, ids, layer.origin, key)
                updates.setdefault(level, []).append((on, rules))
        state: dict[str, bool] = {}
        for level in sorted(updates):
            for on, rules in sorted(updates[level], key=lambda u: u[0], reverse=True):  # select, then ignore
                state.update(dict.fromkeys(rules, on))
        if layer.select is not None:
            enabled = {r for r, on in state.items() if on}
        else:
            enabled |= {r for r, on in state.items() if on}
            enabled -= {r for r, on in state.items() if not on}
    return frozenset(enabled)


def load_config(path: str | None, rule_ids: Iterable[str], cwd: Path | None = None,
                cli: Selection | None = None) -> Config:
    """`--config FILE` (a TOML file with the keys at the top or under [tool.stretchpipe.audit]),
    else `[tool.stretchpipe.audit]` in the nearest pyproject.toml above the working directory that
    has one; then the command line's selection on top (it wins, as ruff's does)."""
    ids = list(rule_ids)
    where, table = _config_table(path, cwd)
    try:
        settings = AuditSettings.model_validate(table)
    except ValidationError as exc:
        raise ConfigError(f"{where}: " + "; ".join(_describe(e) for e in exc.errors())) from None
    for name in settings.severity:
        if name not in ids:
            raise ConfigError(f"{where}: severity: unknown audit rule {name!r}; `stretchpipe rules` lists them",
                              errors.AUDIT_SELECTOR)
    layers = [Selection(tuple(settings.select) if settings.select is not None else None,
                        tuple(settings.extend_select), tuple(settings.ignore), where)]
    if cli is not None:
        layers.append(cli)
    return Config(resolve_rules(layers, ids), dict(settings.severity), settings.fail_on, settings.docs_url)


def _describe(error: dict) -> str:
    key = ".".join(str(part) for part in error["loc"]) or "(table)"
    value = error.get("input")
    if error["type"] == "extra_forbidden":
        known = ", ".join(f.alias or name for name, f in AuditSettings.model_fields.items())
        return f"unknown key {key!r} (known keys: {known})"
    if error["type"] == "list_type":
        return (f"{key} must be a list of strings, such as {key} = [\"kb-conflict\"]; "
                f"got {_KIND.get(type(value), 'a value')} {value!r}")
    if error["type"] == "string_type":
        return f"{key} must be a string; got {_KIND.get(type(value), 'a value')} {value!r}"
    if error["type"] == "dict_type":
        return (f"{key} must be a table, such as {key} = {{ missing-hold = \"error\" }}; "
                f"got {_KIND.get(type(value), 'a value')} {value!r}")
    if error["type"] == "literal_error":
        return f"{key} must be one of {', '.join(SEVERITIES)}; got {value!r}"
    return f"{key}: {error['msg']}; got {value!r}"


def _config_table(path: str | None, cwd: Path | None) -> tuple[str, dict[str, Any]]:
    if path:
        data = _read_toml(Path(path))
        tool = data.get("tool")
        if tool is None:
            return path, data
        return f"{path} [{'.'.join(AUDIT.table)}]", _subtable(data, path) or {}
    here = (cwd or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            data = _read_toml(candidate)
            table = _subtable(data, str(candidate))
            if table is not None:  # a pyproject.toml without the table is not ours (ruff skips it too)
                return f"{candidate} [{'.'.join(AUDIT.table)}]", table
    return "the defaults", {}


def _subtable(data: dict[str, Any], where: str) -> dict[str, Any] | None:
    node: Any = data
    for depth, name in enumerate(AUDIT.table):
        node = node.get(name) if isinstance(node, dict) else None
        if node is None:
            return None
        if not isinstance(node, dict):
            raise ConfigError(f"{where}: {'.'.join(AUDIT.table[:depth + 1])} must be a table; got "
                              f"{_KIND.get(type(node), 'a value')}")
    return node


def _read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's table; unreadable, undecodable (a binary file) or invalid TOML is a ConfigError
    that names the file and the place, never echoing its bytes."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not a UTF-8 text file (undecodable byte at offset {exc.start}); "
                          "a configuration is a TOML file") from None
    if "\x00" in text:
        raise ConfigError(f"{path} is a binary file (it holds NUL bytes); a configuration is a TOML file") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def read_baseline(path: str) -> set[str]:
    try:
        data = json.loads(Path(path).read_bytes().decode("utf-8"))
        fingerprints = data["fingerprints"]
        if not isinstance(fingerprints, list) or not all(isinstance(f, str) for f in fingerprints):
            raise TypeError("fingerprints must be a list of strings")
        return set(fingerprints)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) else type(exc).__name__ if isinstance(
            exc, UnicodeDecodeError) else str(exc)
        raise ConfigError(f"cannot read baseline {path}: {detail}; write one with --write-baseline",
                          errors.AUDIT_BASELINE) from None


def baseline_json(findings: list[Finding]) -> str:
    return json.dumps({"version": 1, "fingerprints": sorted({f.fingerprint for f in findings})}, indent=2) + "\n"


# --------------------------------------------------------------------------- running

@dataclass(frozen=True)
class LintTask:
    """One input for a worker: a path (read by the worker), or "-" with stdin's bytes."""

    source: str
    data: bytes | None
    config: Config


def lint_one(task: LintTask) -> tuple[list[AuditedPage], list[ManifestEntry]]:
    """Every page of one input through the stages, with its findings; a bad page is a problem entry."""
    from ..acquire import display_name, read_pages
    from ..runner import process_page

    pages: list[AuditedPage] = []
    problems: list[ManifestEntry] = []
    try:
        for page in read_pages(task.source, stdin=task.data):  # several for a WARC
            try:
                doc, article = process_page(page)
            except MemoryError:
                raise  # the sandbox reports it under the memory budget's code
            except Exception as exc:  # one bad page never stops the run
                problems.append(ManifestEntry(page.source, "failed", reason=f"[{errors.INTERNAL}] internal error: "
                                              f"{exc!r}; please report it with the input", code=errors.INTERNAL))
                continue
            audited = AuditedPage(page, doc, article)
            _findings(audited, task.config)
            pages.append(audited)
    except errors.InputError as exc:
        problems.append(ManifestEntry(display_name(task.source), errors.status_of(exc.code), reason=str(exc),
                                      code=exc.code))
    return pages, problems


def lint(inputs: Iterable[str], *, stdin: bytes | None = None, config: Config | None = None,
         baseline: set[str] | None = None, advance: Callable[..., None] | None = None,
         options: Any = None) -> LintResult:
    """Audit every page of every input on the executor's engine (`options`: pipeline.runner.Options),
    each input under the per-page budget; one bad page never stops the run. Results keep input order."""
    from ..acquire import STDIN, discover, display_name
    from ..executors import Failure, in_order
    from ..runner import Options

    config = config or Config()
    options = options or Options()
    result = LintResult()
    items = list(discover(inputs, follow_links=options.follow_links))
    if advance:
        advance(0, total=len(items))
    tasks: list[LintTask] = []
    for item in items:
        if isinstance(item, ManifestEntry):
            if item.status == "failed":
                result.problems.append(item)
            if advance:
                advance(1, failed=int(item.status == "failed"))
        else:
            tasks.append(LintTask(item, stdin if item == STDIN else None, config))

    def tagged():
        engine = options.make_engine()
        try:
            for position, outcome in engine.map(lint_one, iter(tasks)):
                if isinstance(outcome, Failure):  # over budget, or the worker died
                    outcome = ([], [ManifestEntry(display_name(tasks[position].source), "failed",
                                                  reason=f"[{outcome.code}] {outcome.detail}", code=outcome.code)])
                if advance:
                    advance(1, failed=int(any(e.status == "failed" for e in outcome[1])))
                yield position, outcome
        finally:
            engine.close()

    for pages, problems in in_order(tagged()):
        result.pages.extend(pages)
        result.problems.extend(problems)
    if baseline:
        for p in result.pages:
            kept = [f for f in p.findings if f.fingerprint not in baseline]
            result.baselined += len(p.findings) - len(kept)
            p.findings = kept
    return result


def _findings(audited: AuditedPage, config: Config) -> None:
    page, doc, article = audited.page, audited.doc, audited.article
    smap = SourceMap(page.text, doc)
    flags: list[Flag] = list(article.flags) + [f for r in article.records for f in r.flags]
    out: list[Finding] = []
    for flag in flags:
        if not config.applies(flag.rule):
            continue
        (start, end), related = _where(flag, article, doc, smap)
        line, col = smap.position(start)
        end_line, end_col = smap.position(max(start, end))
        out.append(Finding(page.source, line, col, config.severity.get(flag.rule, flag.severity), flag.rule,
                           flag.message, flag.stretch, list(flag.evidence), related, list(flag.spans),
                           _fingerprint(page.source, flag), end_line, end_col))
    out.sort(key=lambda f: (f.line, f.column, f.rule, f.message))
    kept = _apply_suppressions(out, article, smap)
    audited.suppressed = len(out) - len(kept)
    audited.findings = kept


def _where(flag: Flag, article: Article, doc: CleanDocument, smap: SourceMap) -> tuple[tuple[int, int], list[Location]]:
    """Where in the source a finding points (its first quote, else its record's heading, else the
    article's visible title heading) and where its other evidence sits (a removed copy is looked for
    after the original); each a start and end offset."""
    places = [smap.locate_range(s, e, flag.evidence[i] if i < len(flag.evidence) else None)
              for i, (s, e) in enumerate(flag.spans)]
    extra = flag.evidence[len(flag.spans):]
    after = places[0][0] + 1 if places else 0
    title = _norm(article.title or "")
    for text in extra:
        # the title quoted as evidence is the visible heading, not the <title> in the head
        found = _title_heading(article, doc, smap) if title and _norm(text) == title else smap.find_range(text, after)
        if found is not None:
            places.append(found)
            after = found[0] + 1
    if not places:
        record = next((r for r in article.records if r.name == flag.stretch), None)
        heading = record.evidence.heading if record else None
        if heading is not None:
            places.append(smap.locate_range(heading.start, heading.end))
        else:
            places.append(_title_heading(article, doc, smap))
    related = []
    path = article.source.path or article.source.url or ""
    for start, end in places[1:]:
        line, col = smap.position(start)
        if (line, col) != smap.position(places[0][0]):
            related.append(Location(path, line, col, *smap.position(max(start, end))))
    return places[0], list(dict.fromkeys(related))


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _title_heading(article: Article, doc: CleanDocument, smap: SourceMap) -> tuple[int, int]:
    """The heading a reader sees as the article's title, never the <title> element in the page's
    head: the kept heading block that reads as the title, else the title's words in the body, else
    the first kept <h1>, else the first line."""
    title = _norm(article.title or "")
    headings = [b for b in doc.blocks if b.kind == "heading" and b.start >= 0]
    block = next((b for b in headings if _norm(b.text) == title), None) if title else None
    if block is not None:
        return smap.locate_range(block.start, block.end)
    if article.title:  # the title's words where the body shows them (a heading the cleaner set aside)
        body = _BODY_START.search(smap.text)
        found = smap.find_range(article.title, body.end() if body else 0)
        if found is not None and (body is None or found[0] >= body.end()):
            return found
    block = next((b for b in headings if b.level == 1), None)
    if block is not None:
        return smap.locate_range(block.start, block.end)
    return 0, smap.line_end(0)


def _fingerprint(path: str, flag: Flag) -> str:
    """Stable across edits that move text: rule, file, stretch and the evidence words, no line numbers."""
    words = " ".join(re.findall(r"\w+", (flag.evidence[0] if flag.evidence else flag.message).lower()))
    raw = "\x1f".join([flag.rule, Path(path).name, flag.stretch or "", words])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def _apply_suppressions(findings: list[Finding], article: Article, smap: SourceMap) -> list[Finding]:
    """`<!-- stretchpipe: ignore kb-conflict -->` silences the named rules (all, if none is named) in
    the section it sits in, or in the whole file when it comes before the first section."""
    comments = [(smap.position(m.start())[0], set(re.findall(r"[a-z]+(?:-[a-z]+)*", m.group(1).lower())))
                for m in _SUPPRESS.finditer(smap.text)]
    if not comments:
        return findings
    sections = sorted((smap.position(smap.locate_span(r.evidence.heading.start, r.evidence.heading.end))[0], r.name)
                      for r in article.records if r.evidence.heading is not None)
    lines = [line for line, _ in sections]

    def silenced(f: Finding) -> bool:
        for line, rules in comments:
            if rules and f.rule not in rules and "all" not in rules:
                continue
            if not sections or line < lines[0]:
                return True
            i = bisect.bisect_right(lines, line) - 1
            end = lines[i + 1] if i + 1 < len(lines) else float("inf")
            if f.stretch == sections[i][1] or lines[i] <= f.line < end:
                return True
        return False

    return [f for f in findings if not silenced(f)]

