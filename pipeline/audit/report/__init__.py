"""`stretchpipe report`: one self-contained HTML page (no network) for editors.

An index of the articles with their counts by severity, a summary across articles (counts by
severity and a bar chart per rule) and filters by rule and severity that filter the findings, the
chart and the index alike; per article its cleaned text, headings as headings, with each finding's
evidence highlighted beside the list of findings (a click on a finding scrolls to its evidence),
the records as a table and the removed blocks folded away. The filters and the chosen finding live
in the URL's fragment too (`#severity=error&rule=kb-conflict&finding=f0-3`), so a view can be
linked to, and tested in a headless browser.

The page is `report.html.j2` (Jinja2, autoescaped) with `report.css` and `report.js` inlined;
this module only prepares what the template shows.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ...records import Block, Stretch
from ..formats import plural, relative_path
from ..lint import AuditedPage, Finding, LintResult
from ..registry import Rule

SEVERITY_ORDER = ("error", "warning", "info")
_HERE = Path(__file__).parent
# the article's own <h2> holds its title; its headings start one level below
_HEADING_TAGS = {1: "h3", 2: "h4", 3: "h5"}
_CHART = {"width": 440, "label": 170, "row": 18}


@dataclass
class Segment:
    text: str
    severity: str | None = None  # the worst severity of the findings that cover it; None: not evidence
    findings: str = ""  # their ids, space-separated
    tip: str = ""


@dataclass
class TextBlock:
    tag: str  # h3..h5 for headings, p for the rest
    kind: str
    marker: str
    segments: list[Segment] = field(default_factory=list)


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(_HERE), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["plural"] = plural
    return env


def render_report(result: LintResult, rules: dict[str, Rule], root: Path | None = None) -> str:
    """The report as one HTML page; paths are shown relative to `root` (default: the working
    folder, where the run started)."""
    findings = result.findings
    by_sev = Counter(f.severity for f in findings)
    by_rule = Counter(f.rule for f in findings)
    rule_ids = [r for r in rules if by_rule[r]] + sorted(r for r in by_rule if r not in rules)
    pages = [_page(page, n, root) for n, page in enumerate(result.pages)]
    template = _environment().get_template("report.html.j2")
    return template.render(
        pages=pages, findings=findings, severities=SEVERITY_ORDER, by_sev=by_sev, by_rule=by_rule,
        rule_ids=rule_ids, summaries={r: rules[r].summary for r in rule_ids if r in rules},
        chart=_chart(rule_ids, findings),
        css=_asset("report.css"), js=_asset("report.js"))


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return (_HERE / name).read_text(encoding="utf-8")


def _chart(rule_ids: list[str], findings: list[Finding]) -> dict:
    """Bars per rule stacked by severity: positions for the unfiltered view (the script redraws
    them from the findings left by the filters)."""
    width, label, row = _CHART["width"], _CHART["label"], _CHART["row"]
    per = Counter((f.rule, f.severity) for f in findings)
    totals = Counter(f.rule for f in findings)
    top = max(totals.values(), default=1)
    rows = []
    for i, rule_id in enumerate(rule_ids):
        x, bars = label, []
        for sev in SEVERITY_ORDER:
            n = per[(rule_id, sev)]
            w = max(2, round((width - label - 30) * n / top)) if n else 0
            bars.append({"severity": sev, "count": n, "x": x, "width": w})
            x += w
        rows.append({"rule": rule_id, "y": i * row, "bars": bars, "total": totals[rule_id], "end": x})
    return {"rows": rows, "width": width, "label": label, "row": row, "height": row * len(rule_ids)}


def _page(page: AuditedPage, n: int, root: Path | None) -> dict:
    article, doc = page.article, page.doc
    ids = {id(f): f"f{n}-{i}" for i, f in enumerate(page.findings)}
    counts = Counter(f.severity for f in page.findings)
    path = relative_path(page.page.source, root)
    return {
        "id": f"a{n}", "title": article.title or path, "path": path, "counts": counts,
        "findings": [_finding(f, ids[id(f)], path) for f in page.findings],
        "blocks": _blocks(doc.blocks, doc.text, page.findings, ids),
        "records": [_record(r) for r in article.records],
        "removed": [{"reason": r.reason, "text": _short(r.text, 160)} for r in article.removed],
        "removed_reasons": sorted(Counter(r.reason for r in article.removed).items()),
    }


def _finding(f: Finding, fid: str, path: str) -> dict:
    return {"id": fid, "rule": f.rule, "severity": f.severity, "message": f.message, "stretch": f.stretch,
            "where": f"{path}:{f.line}:{f.column}", "line": f.line, "column": f.column,
            "evidence": [_short(e) for e in f.evidence[:3]], "has_mark": bool(f.spans)}


def _record(r: Stretch) -> list:
    hold = r.hold.text if r.hold else (r.duration.text if r.duration else "")
    reps = r.repetitions.text if r.repetitions else (r.breaths.text if r.breaths else "")
    return [r.number if r.number is not None else "", r.name, r.kind, r.canonical_name or "", r.position or "",
            hold, reps, "yes" if r.per_side else "", ", ".join(r.targets), len(r.steps), len(r.flags)]


def _short(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def _blocks(blocks: list[Block], text: str, findings: list[Finding], ids: dict[int, str]) -> list[TextBlock]:
    """The cleaned text block by block (headings kept as headings), each cut into segments where a
    finding's evidence starts or ends; a segment covered by findings carries their ids."""
    spans = [(s, e, f) for f in findings for s, e in f.spans if 0 <= s < e <= len(text)]
    out = []
    placed = [b for b in blocks if 0 <= b.start < b.end <= len(text)] or [Block(text=text, start=0, end=len(text))]
    for block in placed:
        tag = _HEADING_TAGS.get(block.level, "h5") if block.kind == "heading" else "p"
        item = TextBlock(tag, block.kind, block.list_marker if block.kind == "list_item" else "")
        inside = [(max(s, block.start), min(e, block.end), f) for s, e, f in spans if s < block.end and e > block.start]
        cuts = sorted({block.start, block.end} | {s for s, _, _ in inside} | {e for _, e, _ in inside})
        for a, b in zip(cuts, cuts[1:]):
            covering = [f for s, e, f in inside if s <= a and b <= e]
            if not covering:
                item.segments.append(Segment(text[a:b]))
                continue
            worst = min(SEVERITY_ORDER.index(f.severity) for f in covering)
            item.segments.append(Segment(
                text[a:b], SEVERITY_ORDER[worst], " ".join(dict.fromkeys(ids[id(f)] for f in covering)),
                "; ".join(dict.fromkeys(f"{f.rule}: {f.message}" for f in covering))))
        out.append(item)
    return out
