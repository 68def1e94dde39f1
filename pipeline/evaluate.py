"""Accuracy on the labelled development set: `python -m pipeline.evaluate tests/eval` (make eval).

Three parts, scored apart:
- descriptions.jsonl: single stretch descriptions from real datasets, each labelled by hand for
  position, hold, repetitions, per_side and (where the text names them) targets;
- the saved-page cases in tests/data (pages written for the tests): record precision/recall over
  stretch names, and the same per-field accuracy on every labelled field;
- the development corpus of real pages (../shared/dev-corpus, 64 pages from 57 sites, plus 240 recipe
  pages that teach no stretch), scored by leave-one-site-out grouped cross-validation with
  score_gold.py's matching rules (pipeline/evaluate_corpus.py), beside the same scores in-sample.
A field missing from a label is not scored. floors.json pins the minimum scores (the gate); its
"devcorpus_cv" object pins the cross-validated figures of the development corpus.
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from .audit import audit_article
from .clean import clean_page
from .extract import extract_article
from .acquire import read_page
from .config import SUPPORTED_EXTENSIONS
from .records import Page, Stretch

REPO = Path(__file__).resolve().parents[1]
FIELDS = ("position", "hold", "repetitions", "per_side", "targets")


def _value(record: Stretch, field: str):
    if field == "hold":
        return None if record.hold is None else [record.hold.min_seconds, record.hold.max_seconds]
    if field == "repetitions":
        r = record.repetitions
        return None if r is None else [r.min, r.max]
    if field == "targets":
        return sorted(record.targets) if record.targets_source == "text" else []
    return getattr(record, field)


def _same(field: str, got, want) -> bool:
    if field == "targets":
        return sorted(got) == sorted(want)
    return got == want


def case_pages(spec_path: Path, spec: dict) -> list[Path]:
    """The pages a saved-page case checks: the ones its `inputs` name (from the repo root),
    else the pages beside it with the same stem (`<case>.html` for `<case>.json`)."""
    if "inputs" in spec:
        return [REPO / p for p in spec["inputs"]]
    return sorted(p for p in spec_path.parent.glob(spec_path.stem + ".*") if p.suffix in SUPPORTED_EXTENSIONS)


def _description_article(name: str, text: str):
    page = Page(source=name, format="text", text=f"Stretch guide\n\n1. {name}\n\n{text}\n")
    return audit_article(extract_article(clean_page(page)))


def _score_fields(record: Stretch, want: dict, label: str, hits: dict, misses: list[str]) -> None:
    for field in FIELDS:
        if field in want:
            ok = _same(field, _value(record, field), want[field])
            hits[field].append(ok)
            if not ok:
                misses.append(f"{label}: {field} = {_value(record, field)!r}, want {want[field]!r}")


def _article(page: Path):
    return audit_article(extract_article(clean_page(read_page(str(page)))))


def evaluate(folder: Path) -> dict:
    hits: dict[str, list[bool]] = defaultdict(list)
    misses: list[str] = []
    found = expected = correct = 0
    for line in (folder / "descriptions.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        article = _description_article(item["name"], item["text"])
        expected += 1
        found += len(article.records)
        if len(article.records) != 1:
            misses.append(f"{item['name']}: {len(article.records)} records")
            continue
        correct += 1
        record = article.records[0]
        _score_fields(record, item["labels"], item["name"], hits, misses)
    cases = folder.parent / "data"
    for spec_path in sorted(cases.glob("*.json")):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        for page in case_pages(spec_path, spec):
            article = _article(page)
            got = {r.name: r for r in article.stretches}
            want_names = [s["name"] for s in spec["stretches"]]
            expected += len(want_names)
            found += len(got)
            correct += len(set(got) & set(want_names))
            for want in spec["stretches"]:
                record = got.get(want["name"])
                if record is None:
                    misses.append(f"{page.name}: lost {want['name']}")
                    continue
                _score_fields(record, want, f"{page.name}/{want['name']}", hits, misses)
    scores = {f: round(sum(v) / len(v), 3) for f, v in sorted(hits.items())}
    scores["record_precision"] = round(correct / found, 3) if found else 0.0
    scores["record_recall"] = round(correct / expected, 3) if expected else 0.0
    return {"scores": scores, "counts": {f: len(v) for f, v in sorted(hits.items())}, "misses": misses}


def _table(title: str, result: dict, floors: dict) -> bool:
    """Print one part's scores beside its floors; True when one is below its floor."""
    failed = False
    print(f"{title}\n{'metric':<18} {'score':>6} {'floor':>6} {'n':>4}")
    for metric, score in result["scores"].items():
        floor = floors.get(metric) if isinstance(floors.get(metric), (int, float)) else None
        mark = "" if floor is None or score >= floor else "  BELOW FLOOR"
        failed |= bool(mark)
        print(f"{metric:<18} {score:>6.3f} {floor if floor is not None else '-':>6} "
              f"{result['counts'].get(metric, ''):>4}{mark}")
    return failed


def evaluate_corpus(shared: Path | None = None) -> dict:
    """The development corpus and the recipe negatives: the record decision scored by grouped
    cross-validation (refitted without each held-out site) and in-sample, beside the rules alone
    (nothing fitted, so one figure). See pipeline/evaluate_corpus.py."""
    from . import evaluate_corpus as ec
    shared = shared or ec.shared_folder()
    pages = ec.load_corpus(shared) + ec.written_pages()
    prepared = ec.prepare(pages, ec.prepare_page)
    cv = ec.score_all(pages, ec.grouped_cv(pages, prepared, ec.fit_decision, ec.decide_model))
    ins = ec.score_all(pages, ec.in_sample(pages, prepared, ec.fit_decision, ec.decide_model))
    rules = ec.score_all(pages, ec.in_sample(pages, prepared, lambda *_: None, ec.decide_rules))
    return {"pages": pages, "cv": cv, "in_sample": ins, "rules": rules,
            "lines": [ec.summary_line("grouped-cv", pages, cv), ec.summary_line("in-sample", pages, ins),
                      ec.summary_line("rules-only", pages, rules)]}


def below_corpus_floors(score, floors: dict) -> dict:
    """Each cross-validated figure under its floor, and the negatives over their ceilings."""
    q = score.ratios()
    out = {k: (round(q[k], 3), v) for k, v in floors.items()
           if not k.startswith("_") and k in q and isinstance(v, (int, float)) and q[k] < v}
    if score.negatives_with_records > floors.get("negatives_with_records_max", 10**9):
        out["negatives_with_records"] = (score.negatives_with_records, floors["negatives_with_records_max"])
    if len(score.corpus_negatives_with_records) > floors.get("corpus_negatives_with_records_max", 10**9):
        out["corpus_negatives_with_records"] = (score.corpus_negatives_with_records,
                                                floors["corpus_negatives_with_records_max"])
    return out


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "tests/eval")
    floors = json.loads((folder / "floors.json").read_text(encoding="utf-8"))
    result = evaluate(folder)
    failed = _table("descriptions + written cases (tests/eval, tests/data)", result, floors)
    from .evaluate_corpus import shared_folder
    shared = shared_folder()
    print()
    if shared is None:
        print("devcorpus: ../shared/dev-corpus not found (set STRETCHPIPE_SHARED); not scored")
    else:
        corpus = evaluate_corpus(shared)
        below = below_corpus_floors(corpus["cv"], floors.get("devcorpus_cv", {}))
        failed |= bool(below)
        for line in corpus["lines"]:
            print(line)
        for metric, (got, floor) in sorted(below.items()):
            print(f"  BELOW FLOOR (grouped-cv) {metric}: {got} < {floor}")
        if "-v" in argv[1:]:
            print("\nmisses (grouped-cv):")
            for m in corpus["cv"].misses:
                print("  " + m)
    if result["misses"]:
        print("\nmisses (written):")
        for m in result["misses"]:
            print("  " + m)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:  # `make eval | head`: the reader left; nothing to report
        sys.stderr.close()
        sys.exit(0)
