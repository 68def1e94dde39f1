"""Findings as text (`path:line:col: severity rule message`), JSON, SARIF 2.1.0 or GitHub annotations."""
from __future__ import annotations

import json
import os
from collections import Counter
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..config import AUDIT
from ..display import printable
from .lint import Finding, LintResult
from .registry import Rule

FORMATS = ("text", "json", "sarif", "github")
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SRCROOT = "%SRCROOT%"  # the folder the run started in; artifact URIs are relative to it
_RULES_PAGE = "rules/{id}.md"  # a rule's page under the documentation folder (docs/rules/{id}.md in the source)


def plural(n: int, word: str, many: str | None = None) -> str:
    """`1 file`, `2 files`, `0 info` (a mass noun); `many` for an irregular plural."""
    if n == 1 or word == "info":
        return f"{n} {word}"
    return f"{n} {many or word + 's'}"


def summary(result: LintResult) -> str:
    counts = Counter(f.severity for f in result.findings)
    parts = [plural(counts.get(s, 0), s) for s in ("error", "warning", "info")]
    tail = f"; {result.baselined} in the baseline" if result.baselined else ""
    silenced = sum(p.suppressed for p in result.pages)
    tail += f"; {silenced} suppressed inline" if silenced else ""
    return f"{', '.join(parts)} in {plural(len(result.pages), 'file')}{tail}"


def statistics(result: LintResult) -> list[dict]:
    """Findings counted per rule (most first), as `ruff --statistics` counts violations per code."""
    counts = Counter(f.rule for f in result.findings)
    severity = {f.rule: f.severity for f in result.findings}
    return [{"rule": rule, "count": n, "severity": severity[rule]}
            for rule, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def render_statistics(result: LintResult, fmt: str) -> str:
    rows = statistics(result)
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    width = max((len(str(r["count"])) for r in rows), default=1)
    rule_width = max((len(r["rule"]) for r in rows), default=1)
    return "".join(f"{r['count']:>{width}}\t{r['rule']:<{rule_width}}\t{r['severity']}\n" for r in rows)


def render(result: LintResult, fmt: str, rules: dict[str, Rule], *, docs_url: str | None = None,
           root: Path | None = None) -> str:
    if fmt == "json":
        return json.dumps({"findings": [f.to_dict() for f in result.findings],
                           "summary": dict(Counter(f.severity for f in result.findings)),
                           "files": len(result.pages)}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "sarif":
        return json.dumps(sarif(result, rules, docs_url=docs_url, root=root), ensure_ascii=False, indent=2) + "\n"
    if fmt == "github":
        return "".join(github_line(f) + "\n" for f in result.findings)
    # file names and page text are escaped: a crafted name must not drive the terminal
    lines = [f"{printable(f.path)}:{f.line}:{f.column}: {f.severity} {f.rule} {printable(_one_line(f))}"
             for f in result.findings]
    return "".join(line + "\n" for line in lines) + summary(result) + "\n"


def _one_line(f: Finding) -> str:
    where = f"[{f.stretch}] " if f.stretch else ""
    lines = list(dict.fromkeys(r.line for r in f.related if r.line != f.line))[:3]
    also = f" (see also line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))})" if lines else ""
    return f"{where}{f.message}{also}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(f: Finding) -> str:
    level = {"error": "error", "warning": "warning", "info": "notice"}[f.severity]
    end = f",endLine={f.end_line}" if f.end_line and f.end_line != f.line else ""
    end += f",endColumn={f.end_column}" if f.end_line == f.line and f.end_column > f.column else ""
    return (f"::{level} file={_escape_property(printable(f.path))},line={f.line},col={f.column}{end},"
            f"title={_escape_property(f.rule)}::{_escape_data(printable(_one_line(f)))}")


def docs_url_template(configured: str | None = None) -> str | None:
    """Where a rule's documentation can be opened ({id} for the rule): the configuration's
    `docs-url`, else config.AUDIT.docs_url, else the installed distribution's `Project-URL:
    Documentation` (the docs folder: its rules/{id}.md, or the URL itself when it holds {id}).
    None when nothing names one: a repository or home page is no documentation page to link to,
    and SARIF then carries each rule's help text alone."""
    if configured or AUDIT.docs_url:
        return configured or AUDIT.docs_url
    try:
        urls = metadata.metadata("stretchpipe").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    named = {k.strip().lower(): v.strip() for k, v in (u.split(",", 1) for u in urls if "," in u)}
    base = named.get("documentation")
    if not base or not base.startswith(("https://", "http://")):
        return None
    return base if "{id}" in base else base.rstrip("/") + "/" + _RULES_PAGE


def sarif(result: LintResult, rules: dict[str, Rule], *, docs_url: str | None = None,
          root: Path | None = None) -> dict:
    """SARIF 2.1.0: artifact URIs relative to %SRCROOT% (the folder the run started in, named in
    originalUriBaseIds), regions with start and end (columns counted in code points), and per rule
    its documentation as help text and, when a documentation URL is known, helpUri."""
    from . import rule_doc

    root = (root or Path.cwd()).resolve()
    template = docs_url_template(docs_url)
    used = sorted({f.rule for f in result.findings} | set(rules))
    index = {rule_id: i for i, rule_id in enumerate(used)}
    driver_rules = []
    for rule_id in used:
        r = rules.get(rule_id)
        descriptor: dict = {
            "id": rule_id,
            "name": "".join(w.capitalize() for w in rule_id.split("-")),
            "shortDescription": {"text": r.summary if r else rule_id},
        }
        doc = rule_doc(rule_id)
        if doc:  # shown by code-scanning UIs beside the alert, with the rule's bad and good examples
            descriptor["help"] = {"text": r.summary if r else rule_id, "markdown": doc}
        if template:
            descriptor["helpUri"] = template.format(id=rule_id)
        descriptor["defaultConfiguration"] = {"level": _SARIF_LEVEL[r.severity if r else "warning"]}
        descriptor["properties"] = {"family": r.family if r else "", "scope": r.scope if r else ""}
        driver_rules.append(descriptor)
    artifacts: dict[str, int] = {}
    for p in result.pages:
        artifacts.setdefault(p.page.source, len(artifacts))
    results = []
    for f in result.findings:
        item = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": _one_line(f)},
            "locations": [_location(f.path, f.line, f.column, f.end_line, f.end_column, root,
                                    artifacts.get(f.path))],
            "partialFingerprints": {"stretchpipe/v1": f.fingerprint},
        }
        if f.related:
            item["relatedLocations"] = [dict(_location(r.path, r.line, r.column, r.end_line, r.end_column, root,
                                                       artifacts.get(f.path)), id=i)
                                        for i, r in enumerate(f.related)]
        if f.evidence:
            item["properties"] = {"evidence": f.evidence, "stretch": f.stretch}
        results.append(item)
    driver: dict = {"name": "stretchpipe", "version": __version__, "rules": driver_rules}
    if template and template.startswith(("https://", "http://")):
        driver["informationUri"] = template.split("{id}")[0].rsplit("/docs/", 1)[0]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
            "artifacts": [{"location": _artifact(source, root)} for source in artifacts],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def relative_path(path: str, root: Path | None = None) -> str:
    """A local input's path relative to `root` (the folder the run started in), with / separators;
    URLs and stdin as they are."""
    if path == "<stdin>" or "://" in path:
        return path
    root = (root or Path.cwd()).resolve()
    return Path(os.path.relpath(Path(path).resolve(), root)).as_posix()


def _artifact(path: str, root: Path) -> dict:
    if path == "<stdin>":
        return {"uri": "stdin"}
    if "://" in path:  # a fetched page (a WARC record) is its URL, made a valid URI
        return {"uri": quote(path, safe=":/?#[]@!$&'()*+,;=%~")}
    return {"uri": quote(relative_path(path, root)), "uriBaseId": SRCROOT}


def _location(path: str, line: int, column: int, end_line: int, end_column: int, root: Path,
              artifact: int | None) -> dict:
    region = {"startLine": line, "startColumn": column}
    if end_line and (end_line, end_column) > (line, column):
        region.update(endLine=end_line, endColumn=end_column)
    location = _artifact(path, root)
    if artifact is not None:
        location["index"] = artifact
    return {"physicalLocation": {"artifactLocation": location, "region": region}}
