"""Score the audit on a labelled set: per rule, findings caught, missed and false alarms.

`python -m pipeline.audit.evaluate tests/audit_eval` (part of `make eval`). The set is
`labels.json`: pages (paths relative to the repository) with the findings they should raise
(`rule`, `stretch` or null for the article, optionally `says`: words of the message), and how
the rest is judged: `exhaustive` pages must raise nothing else; on `no_error` pages (real pages
with no planted fault) any error is a false alarm; `silent` lists findings that must not appear.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .lint import Finding, lint

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Score:
    caught: Counter = field(default_factory=Counter)
    missed: Counter = field(default_factory=Counter)
    false_alarms: Counter = field(default_factory=Counter)
    details: list[str] = field(default_factory=list)

    def rules(self) -> list[str]:
        return sorted(set(self.caught) | set(self.missed) | set(self.false_alarms))

    def recall(self, rule: str | None = None) -> float | None:
        c = sum(self.caught.values()) if rule is None else self.caught[rule]
        m = sum(self.missed.values()) if rule is None else self.missed[rule]
        return c / (c + m) if c + m else None

    def precision(self, rule: str | None = None) -> float | None:
        c = sum(self.caught.values()) if rule is None else self.caught[rule]
        f = sum(self.false_alarms.values()) if rule is None else self.false_alarms[rule]
        return c / (c + f) if c + f else None


def _matches(label: dict, f: Finding) -> bool:
    return (f.rule == label["rule"] and f.stretch == label.get("stretch")
            and label.get("says", "").lower() in f.message.lower())


def evaluate(folder: Path, repo: Path = REPO) -> Score:
    spec = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    score = Score()
    seen: set[Path] = set()  # a page labelled on its own is not scored again by a later pattern
    planned: list[tuple[dict, Path]] = []
    for entry in spec["pages"]:
        paths = sorted(repo.glob(entry["page"])) if any(c in entry["page"] for c in "*?[") else [repo / entry["page"]]
        for path in paths:
            if path not in seen:
                seen.add(path)
                planned.append((entry, path))
    result = lint([str(path) for _, path in planned])  # one run: the engine starts once
    by_source: dict[str, list[Finding]] = {}
    for page in result.pages:
        by_source.setdefault(page.page.source, []).extend(page.findings)
    for entry, path in planned:
        findings = by_source.get(str(path), [])
        used: set[int] = set()
        for label in entry.get("findings", []):
            hit = next((i for i, f in enumerate(findings) if i not in used and _matches(label, f)), None)
            if hit is None:
                score.missed[label["rule"]] += 1
                score.details.append(f"missed {label['rule']} [{label.get('stretch')}] in {entry['page']}")
            else:
                used.add(hit)
                score.caught[label["rule"]] += 1
        for i, f in enumerate(findings):
            if i in used:
                continue
            wrong = entry.get("exhaustive") or (entry.get("no_error") and f.severity == "error") or any(
                _matches(s, f) for s in entry.get("silent", []))
            if wrong:
                score.false_alarms[f.rule] += 1
                score.details.append(f"false alarm {f.rule} [{f.stretch}] {f.message} at "
                                     f"{path.relative_to(repo)}:{f.line}")
    return score


def table(score: Score) -> str:
    def fmt(x: float | None) -> str:
        return "  -  " if x is None else f"{x:.3f}"
    lines = [f"{'rule':<20} {'caught':>6} {'missed':>6} {'false':>6} {'recall':>7} {'precision':>9}"]
    for rule in score.rules():
        lines.append(f"{rule:<20} {score.caught[rule]:>6} {score.missed[rule]:>6} {score.false_alarms[rule]:>6} "
                     f"{fmt(score.recall(rule)):>7} {fmt(score.precision(rule)):>9}")
    lines.append(f"{'all':<20} {sum(score.caught.values()):>6} {sum(score.missed.values()):>6} "
                 f"{sum(score.false_alarms.values()):>6} {fmt(score.recall()):>7} {fmt(score.precision()):>9}")
    return "\n".join(lines + [""] + score.details)


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "tests/audit_eval")
    print(table(evaluate(folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
