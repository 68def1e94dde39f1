"""Findings as text (`path:line:col: severity rule message`), JSON, SARIF 2.1.0 or GitHub annotations."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from .. import __version__
from .lint import Finding, LintResult
from .registry import Rule

FORMATS = ("text", "json", "sarif", "github")
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
RULES_DOC_URL = "docs/rules/{id}.md"


def summary(result: LintResult) -> str:
    counts = Counter(f.severity for f in result.findings)
    parts = [f"{counts.get(s, 0)} {s}{'s' if counts.get(s, 0) != 1 and s != 'info' else ''}"
             for s in ("error", "warning", "info")]
    tail = f"; {result.baselined} in the baseline" if result.baselined else ""
    silenced = sum(p.suppressed for p in result.pages)
    tail += f"; {silenced} suppressed inline" if silenced else ""
    return f"{', '.join(parts)} in {len(result.pages)} file(s){tail}"


def render(result: LintResult, fmt: str, rules: dict[str, Rule]) -> str:
    if fmt == "json":
        return json.dumps({"findings": [f.to_dict() for f in result.findings],
                           "summary": dict(Counter(f.severity for f in result.findings)),
                           "files": len(result.pages)}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "sarif":
        return json.dumps(sarif(result, rules), ensure_ascii=False, indent=2) + "\n"
    if fmt == "github":
        return "".join(github_line(f) + "\n" for f in result.findings)
    lines = [f"{f.path}:{f.line}:{f.column}: {f.severity} {f.rule} {_one_line(f)}" for f in result.findings]
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
    return (f"::{level} file={_escape_property(f.path)},line={f.line},col={f.column},"
            f"title={_escape_property(f.rule)}::{_escape_data(_one_line(f))}")


def sarif(result: LintResult, rules: dict[str, Rule]) -> dict:
    used = sorted({f.rule for f in result.findings} | set(rules))
    index = {rule_id: i for i, rule_id in enumerate(used)}
    driver_rules = []
    for rule_id in used:
        r = rules.get(rule_id)
        driver_rules.append({
            "id": rule_id,
            "shortDescription": {"text": r.summary if r else rule_id},
            "helpUri": RULES_DOC_URL.format(id=rule_id),
            "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity if r else "warning"]},
            "properties": {"family": r.family if r else "", "scope": r.scope if r else ""},
        })
    results = []
    for f in result.findings:
        item = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": _one_line(f)},
            "locations": [_location(f.path, f.line, f.column)],
            "partialFingerprints": {"stretchpipe/v1": f.fingerprint},
        }
        if f.related:
            item["relatedLocations"] = [dict(_location(r.path, r.line, r.column), id=i)
                                        for i, r in enumerate(f.related)]
        if f.evidence:
            item["properties"] = {"evidence": f.evidence, "stretch": f.stretch}
        results.append(item)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "stretchpipe", "version": __version__,
                                "rules": driver_rules}},
            "artifacts": [{"location": {"uri": _uri(p.page.source)}} for p in result.pages],
            "results": results,
        }],
    }


def _uri(path: str) -> str:
    return Path(path).as_posix() if path != "<stdin>" else "stdin"


def _location(path: str, line: int, column: int) -> dict:
    return {"physicalLocation": {"artifactLocation": {"uri": _uri(path)},
                                 "region": {"startLine": line, "startColumn": column}}}
