"""`stretchpipe report`: one self-contained HTML page (no network) for editors.

Per article: the cleaned text with each finding's evidence highlighted and the findings beside
it, the removed blocks folded away with their reasons, the records as a table; above them a
summary across articles (counts by rule and severity, a bar chart) and filters by rule and
severity. The filters live in the URL's fragment too (`#severity=error&rule=kb-conflict`), so a
filtered view can be linked to, and tested in a headless browser.
"""
from __future__ import annotations

from collections import Counter
from html import escape

from ..records import Stretch
from .lint import AuditedPage, Finding, LintResult
from .registry import Rule

SEVERITY_ORDER = ("error", "warning", "info")

_CSS = """
:root{--error:#c62828;--warning:#b26a00;--info:#1565c0;--muted:#666;--line:#ddd}
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
header{padding:16px 24px;background:#263238;color:#fff}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#cfd8dc}
main{padding:16px 24px;max-width:1400px}
.panel{background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px 16px;margin-bottom:16px}
.summary{display:flex;gap:32px;flex-wrap:wrap;align-items:flex-start}
.counts span{display:inline-block;margin-right:12px;font-weight:600}
.sev-error{color:var(--error)}.sev-warning{color:var(--warning)}.sev-info{color:var(--info)}
.filters label{margin-right:12px;white-space:nowrap;font-size:14px}
.filters fieldset{border:0;padding:0;margin:0 0 8px}.filters legend{font-weight:600;padding:0}
.chart text{font-size:12px}
article.page{background:#fff;border:1px solid var(--line);border-radius:6px;margin-bottom:24px}
article.page>h2{margin:0;padding:12px 16px;border-bottom:1px solid var(--line);font-size:18px}
article.page>h2 small{color:var(--muted);font-weight:400;font-size:13px;margin-left:8px}
.cols{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:16px;padding:12px 16px}
pre.text{white-space:pre-wrap;font:14px/1.55 Georgia,serif;margin:0;max-height:70vh;overflow:auto}
mark{background:#fff3b0;border-bottom:2px solid var(--warning);padding:0 1px}
mark.error{background:#ffd6d6;border-bottom-color:var(--error)}mark.info{background:#dde9ff;border-bottom-color:var(--info)}
mark.off{background:none;border-bottom:0}
ol.findings{list-style:none;margin:0;padding:0;max-height:70vh;overflow:auto}
li.finding{border-left:4px solid var(--warning);padding:6px 10px;margin-bottom:8px;background:#fffdf5}
li.finding.error{border-left-color:var(--error);background:#fff7f7}li.finding.info{border-left-color:var(--info)}
li.finding .meta{font-size:12px;color:var(--muted)}li.finding .rule{font-weight:600}
li.finding blockquote{margin:4px 0 0;padding-left:8px;border-left:2px solid var(--line);color:#444;font-size:13px}
details{padding:0 16px 12px}summary{cursor:pointer;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid var(--line);padding:4px 6px;
text-align:left;vertical-align:top}th{background:#f5f5f5}
.none{color:var(--muted);font-style:italic}
[hidden]{display:none!important}
"""

_JS = """
(function(){
  function checked(name){return Array.from(document.querySelectorAll('input[name='+name+']:checked')).map(function(i){return i.value;});}
  function apply(){
    var sev=checked('severity'), rules=checked('rule');
    var shown=0;
    document.querySelectorAll('li.finding').forEach(function(li){
      var on=sev.indexOf(li.dataset.severity)>=0 && rules.indexOf(li.dataset.rule)>=0;
      li.hidden=!on; if(on){shown++;}
    });
    document.querySelectorAll('mark[data-findings]').forEach(function(m){
      var on=m.dataset.findings.split(' ').some(function(id){var li=document.getElementById(id);return li&&!li.hidden;});
      m.classList.toggle('off',!on);
    });
    document.querySelectorAll('article.page').forEach(function(a){
      var n=a.querySelectorAll('li.finding:not([hidden])').length;
      a.querySelector('.shown').textContent=n;
    });
    document.getElementById('shown-total').textContent=shown;
    var all=function(name){return document.querySelectorAll('input[name='+name+']').length;};
    var parts=[];
    if(sev.length!==all('severity')){parts.push('severity='+sev.join(','));}
    if(rules.length!==all('rule')){parts.push('rule='+rules.join(','));}
    var hash=parts.join('&');
    if(('#'+hash)!==location.hash && !(hash==='' && location.hash==='')){history.replaceState(null,'',hash?'#'+hash:location.pathname);}
  }
  function fromHash(){
    var params={};
    location.hash.replace(/^#/,'').split('&').forEach(function(kv){var p=kv.split('=');if(p[0]){params[p[0]]=decodeURIComponent(p[1]||'').split(',');}});
    ['severity','rule'].forEach(function(name){
      if(!params[name]){return;}
      document.querySelectorAll('input[name='+name+']').forEach(function(i){i.checked=params[name].indexOf(i.value)>=0;});
    });
  }
  document.querySelectorAll('.filters input').forEach(function(i){i.addEventListener('change',apply);});
  window.addEventListener('hashchange',function(){fromHash();apply();});
  fromHash(); apply();
})();
"""


def render_report(result: LintResult, rules: dict[str, Rule]) -> str:
    findings = result.findings
    by_sev = Counter(f.severity for f in findings)
    by_rule = Counter(f.rule for f in findings)
    rule_ids = [r for r in rules if by_rule[r]] + sorted(r for r in by_rule if r not in rules)
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>stretchpipe audit report</title>", f"<style>{_CSS}</style></head><body>",
        "<header><h1>stretchpipe audit report</h1>",
        f"<p>{len(result.pages)} article(s), {len(findings)} finding(s); "
        f'<span id="shown-total">{len(findings)}</span> shown</p></header><main>',
        '<section class="panel summary" id="summary"><div>',
        '<div class="counts">' + "".join(f'<span class="sev-{s}" data-count-severity="{s}">{by_sev.get(s, 0)} {s}</span>'
                                         for s in SEVERITY_ORDER) + "</div>",
        _chart(rule_ids, by_rule, findings), "</div>",
        '<form class="filters" id="filters" onsubmit="return false"><fieldset><legend>Severity</legend>',
        "".join(f'<label><input type="checkbox" name="severity" value="{s}" checked> '
                f'<span class="sev-{s}">{s}</span> ({by_sev.get(s, 0)})</label>' for s in SEVERITY_ORDER),
        "</fieldset><fieldset><legend>Rule</legend>",
        "".join(f'<label title="{escape(rules[r].summary if r in rules else r)}"><input type="checkbox" name="rule" '
                f'value="{escape(r)}" checked> {escape(r)} ({by_rule[r]})</label>' for r in rule_ids),
        "</fieldset></form></section>",
    ]
    for n, page in enumerate(result.pages):
        parts.append(_article(page, n))
    parts.append(f"</main><script>{_JS}</script></body></html>")
    return "\n".join(parts) + "\n"


def _chart(rule_ids: list[str], by_rule: Counter, findings: list[Finding]) -> str:
    """Horizontal bars per rule, stacked by severity (inline SVG)."""
    if not rule_ids:
        return '<p class="none">no findings</p>'
    top = max(by_rule.values())
    width, label_w, row_h = 420, 150, 18
    sev = Counter((f.rule, f.severity) for f in findings)
    rows = []
    for i, r in enumerate(rule_ids):
        y, x = i * row_h, label_w
        rows.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(r)}</text>')
        for s in SEVERITY_ORDER:
            n = sev[(r, s)]
            if n:
                w = max(2, round((width - label_w - 30) * n / top))
                rows.append(f'<rect class="bar" data-rule="{escape(r)}" data-severity="{s}" x="{x}" y="{y + 3}" '
                            f'width="{w}" height="{row_h - 6}" fill="var(--{s})"><title>{escape(r)}: {n} {s}'
                            f"</title></rect>")
                x += w
        rows.append(f'<text x="{x + 4}" y="{y + 13}">{by_rule[r]}</text>')
    height = row_h * len(rule_ids)
    return (f'<svg class="chart" role="img" aria-label="findings by rule" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">' + "".join(rows) + "</svg>")


def _article(page: AuditedPage, n: int) -> str:
    article, doc = page.article, page.doc
    title = article.title or page.page.source
    ids = {id(f): f"f{n}-{i}" for i, f in enumerate(page.findings)}
    out = [f'<article class="page" id="a{n}"><h2>{escape(title)}<small>{escape(page.page.source)} · '
           f'<span class="shown">{len(page.findings)}</span> of {len(page.findings)} finding(s)</small></h2>',
           '<div class="cols"><pre class="text">' + _highlighted(doc.text, page.findings, ids) + "</pre>",
           '<ol class="findings">']
    if not page.findings:
        out.append('<li class="none">no findings</li>')
    for f in page.findings:
        evidence = "".join(f"<blockquote>{escape(_short(e))}</blockquote>" for e in f.evidence[:3])
        where = f"line {f.line}, column {f.column}" + (f" · {escape(f.stretch)}" if f.stretch else "")
        out.append(f'<li class="finding {f.severity}" id="{ids[id(f)]}" data-rule="{escape(f.rule)}" '
                   f'data-severity="{f.severity}"><div class="meta"><span class="sev-{f.severity}">{f.severity}</span> '
                   f'<span class="rule">{escape(f.rule)}</span> · {where}</div>'
                   f"<div>{escape(f.message)}</div>{evidence}</li>")
    out.append("</ol></div>")
    out.append(_records(article.records))
    out.append(_removed(article))
    out.append("</article>")
    return "\n".join(out)


def _short(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def _highlighted(text: str, findings: list[Finding], ids: dict[int, str]) -> str:
    """The cleaned text with a <mark> over every stretch covered by a finding's evidence
    (overlaps split into segments that carry every finding covering them)."""
    spans = [(s, e, f) for f in findings for s, e in f.spans if 0 <= s < e <= len(text)]
    if not spans:
        return escape(text)
    cuts = sorted({0, len(text)} | {s for s, _, _ in spans} | {e for _, e, _ in spans})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        covering = [f for s, e, f in spans if s <= a and b <= e]
        chunk = escape(text[a:b])
        if covering:
            worst = min((SEVERITY_ORDER.index(f.severity) for f in covering))
            fids = " ".join(dict.fromkeys(ids[id(f)] for f in covering))
            tip = escape("; ".join(dict.fromkeys(f"{f.rule}: {f.message}" for f in covering)))
            out.append(f'<mark class="{SEVERITY_ORDER[worst]}" data-findings="{fids}" title="{tip}">{chunk}</mark>')
        else:
            out.append(chunk)
    return "".join(out)


def _records(records: list[Stretch]) -> str:
    if not records:
        return '<details><summary>Records (0)</summary><p class="none">no exercise sections</p></details>'
    rows = []
    for r in records:
        hold = r.hold.text if r.hold else (r.duration.text if r.duration else "")
        reps = r.repetitions.text if r.repetitions else (r.breaths.text if r.breaths else "")
        rows.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in (
            r.number if r.number is not None else "", r.name, r.kind, r.canonical_name or "", r.position or "",
            hold, reps, "yes" if r.per_side else "", ", ".join(r.targets), len(r.steps), len(r.flags))) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("#", "name", "kind", "canonical", "position", "hold", "reps/breaths",
                                             "per side", "targets", "steps", "flags"))
    return (f"<details open><summary>Records ({len(records)})</summary><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></details>")


def _removed(article) -> str:
    removed = article.removed
    reasons = Counter(r.reason for r in removed)
    head = ", ".join(f"{n} {escape(reason)}" for reason, n in sorted(reasons.items()))
    rows = "".join(f'<tr><td>{escape(r.reason)}</td><td>{escape(_short(r.text, 160))}</td></tr>' for r in removed)
    return (f'<details class="removed"><summary>Removed blocks ({len(removed)}){": " + head if head else ""}</summary>'
            f"<table><thead><tr><th>reason</th><th>text</th></tr></thead><tbody>{rows}</tbody></table></details>")
