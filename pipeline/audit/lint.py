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
from typing import Any

from .. import errors
from ..records import Article, CleanDocument, Flag, ManifestEntry, Page
from .registry import SEVERITIES
from .locate import SourceMap

_SUPPRESS = re.compile(r"<!--\s*stretchpipe:\s*ignore\b([^>]*?)-->", re.I)


class ConfigError(ValueError):
    """A configuration or baseline file that cannot be used (exit 2)."""


@dataclass(frozen=True)
class Location:
    path: str
    line: int
    column: int


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

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "column": self.column, "severity": self.severity,
                "rule": self.rule, "message": self.message, "stretch": self.stretch, "evidence": self.evidence,
                "related": [{"line": r.line, "column": r.column} for r in self.related],
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
    select: frozenset[str] | None = None  # None: every rule
    ignore: frozenset[str] = frozenset()
    severity: dict[str, str] = field(default_factory=dict)
    fail_on: str | None = None

    def applies(self, rule_id: str) -> bool:
        return (self.select is None or rule_id in self.select) and rule_id not in self.ignore


@dataclass
class LintResult:
    pages: list[AuditedPage] = field(default_factory=list)
    problems: list[ManifestEntry] = field(default_factory=list)  # inputs that could not be read or failed
    baselined: int = 0

    @property
    def findings(self) -> list[Finding]:
        return [f for p in self.pages for f in p.findings]


# --------------------------------------------------------------------------- configuration

def load_config(path: str | None, rule_ids: Iterable[str], cwd: Path | None = None) -> Config:
    """`--config FILE` (a TOML file with the keys at the top or under [tool.stretchpipe.audit]),
    else `[tool.stretchpipe.audit]` in the nearest pyproject.toml above the working directory."""
    table: dict[str, Any] = {}
    if path:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read config {path}: {exc}") from exc
        table = data.get("tool", {}).get("stretchpipe", {}).get("audit", data)
    else:
        for folder in [(cwd or Path.cwd()).resolve(), *(cwd or Path.cwd()).resolve().parents]:
            candidate = folder / "pyproject.toml"
            if candidate.is_file():
                try:
                    data = tomllib.loads(candidate.read_text(encoding="utf-8"))
                except (OSError, tomllib.TOMLDecodeError) as exc:
                    raise ConfigError(f"cannot read {candidate}: {exc}") from exc
                table = data.get("tool", {}).get("stretchpipe", {}).get("audit", {})
                break
    known = set(rule_ids)
    select = table.get("select")
    ignore = table.get("ignore", [])
    severity = table.get("severity", {})
    for name in list(select or []) + list(ignore) + list(severity):
        if name not in known:
            raise ConfigError(f"unknown audit rule {name!r} in the configuration; `stretchpipe rules` lists them")
    for name, level in severity.items():
        if level not in SEVERITIES:
            raise ConfigError(f"severity {level!r} for {name} must be one of {', '.join(SEVERITIES)}")
    fail_on = table.get("fail-on", table.get("fail_on"))
    if fail_on is not None and fail_on not in SEVERITIES:
        raise ConfigError(f"fail-on {fail_on!r} must be one of {', '.join(SEVERITIES)}")
    return Config(frozenset(select) if select is not None else None, frozenset(ignore), dict(severity), fail_on)


def read_baseline(path: str) -> set[str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return set(data["fingerprints"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"cannot read baseline {path}: {exc}; write one with --write-baseline") from exc


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
    items = list(discover(inputs))
    if advance:
        advance(0, total=len(items))
    tasks: list[LintTask] = []
    for item in items:
        if isinstance(item, ManifestEntry):
            if item.status == "failed":
                result.problems.append(item)
            if advance:
                advance(1)
        else:
            tasks.append(LintTask(item, stdin if item == STDIN else None, config))

    def tagged():
        engine = options.make_engine()
        try:
            for position, outcome in engine.map(lint_one, iter(tasks)):
                if advance:
                    advance(1)
                if isinstance(outcome, Failure):  # over budget, or the worker died
                    outcome = ([], [ManifestEntry(display_name(tasks[position].source), "failed",
                                                  reason=f"[{outcome.code}] {outcome.detail}", code=outcome.code)])
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
        offset, related = _where(flag, article, smap)
        line, col = smap.position(offset)
        out.append(Finding(page.source, line, col, config.severity.get(flag.rule, flag.severity), flag.rule,
                           flag.message, flag.stretch, list(flag.evidence), related, list(flag.spans),
                           _fingerprint(page.source, flag)))
    out.sort(key=lambda f: (f.line, f.column, f.rule, f.message))
    kept = _apply_suppressions(out, article, smap)
    audited.suppressed = len(out) - len(kept)
    audited.findings = kept


def _where(flag: Flag, article: Article, smap: SourceMap) -> tuple[int, list[Location]]:
    """The source offset a finding points at (its first quote, else its record's heading, else the
    title), and where its other evidence sits (a removed copy is looked for after the original)."""
    places = [smap.locate_span(s, e) for s, e in flag.spans]
    extra = flag.evidence[len(flag.spans):]
    after = places[0] + 1 if places else 0
    for text in extra:
        found = smap.find(text, after)
        if found is not None:
            places.append(found)
            after = found + 1
    if not places:
        record = next((r for r in article.records if r.name == flag.stretch), None)
        heading = record.evidence.heading if record else None
        if heading is not None:
            places.append(smap.locate_span(heading.start, heading.end))
        elif article.title:
            found = smap.find(article.title)
            places.append(found or 0)
        else:
            places.append(0)
    related = []
    for p in places[1:]:
        line, col = smap.position(p)
        if (line, col) != smap.position(places[0]):
            related.append(Location(article.source.path or article.source.url or "", line, col))
    return places[0], list(dict.fromkeys(related))


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

