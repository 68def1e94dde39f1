"""Accuracy on the labelled development set: `python -m pipeline.evaluate tests/eval` (make eval).

Three parts, scored apart:
- descriptions.jsonl: single stretch descriptions from real datasets, each labelled by hand for
  position, hold, repetitions, per_side and (where the text names them) targets;
- the saved-page cases in tests/data (pages written for the tests): record precision/recall over
  stretch names, and the same per-field accuracy on every labelled field;
- the development corpus in tests/devcorpus (real pages from other sites, labelled by hand): record
  precision/recall/F1 with names matched as a reader would (normalised, close spelling or one name's
  words inside the other's), the same fields, and the records emitted on its negative pages.
A field missing from a label is not scored. floors.json pins the minimum scores (the gate); its
"devcorpus" object pins the development corpus's own.
"""
from __future__ import annotations

import difflib
import json
import re
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


def name_key(name: str) -> str:
    """A name as a reader compares it: lower case, curly quotes straight, no leading "3." or "Step 2:"."""
    s = re.sub(r"[\u2018\u2019']", "'", name or "").lower()
    s = re.sub(r"^\s*(\d+[.)]|step \d+:?)\s*", "", s)
    return " ".join(re.sub(r"[^a-z0-9/' ]+", " ", s).split())


_GENERIC = frozenset({"the", "a", "pose", "stretch", "stretches"})


def match_names(wanted: list[str], got: list[str], min_score: float = 0.8) -> dict[str, str]:
    """Pair each labelled name with one emitted name (both as `name_key`s): the same name first,
    then the closest spelling, where one name's words lying inside the other's counts as close
    ("calf" for "calf (leg stretches)"). Ties go to the first in sorted order, so runs agree."""
    pairs: dict[str, str] = {}
    free = set(got)
    for w in wanted:
        if w in free:
            pairs[w] = w
            free.discard(w)
    for w in wanted:
        if w in pairs:
            continue
        best, score = None, 0.0
        tw = set(w.split()) - _GENERIC
        for g in sorted(free):
            r = difflib.SequenceMatcher(None, w, g).ratio()
            tg = set(g.split()) - _GENERIC
            if tw and tg and (tw <= tg or tg <= tw):
                r = max(r, 0.85)
            if r > score:
                best, score = g, r
        if best is not None and score >= min_score:
            pairs[w] = best
            free.discard(best)
    return pairs


def evaluate_devcorpus(folder: Path) -> dict:
    """Record P/R/F1 and field accuracy on real pages (`<page>` + `<page>.json` in `folder`).
    A routine given twice may repeat a name: each distinct name counts once, scored on its first record."""
    hits: dict[str, list[bool]] = defaultdict(list)
    misses: list[str] = []
    found = expected = correct = negative_records = 0
    for spec_path in sorted(folder.glob("*.json")):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        for page in case_pages(spec_path, spec):
            article = _article(page)
            got: dict[str, Stretch] = {}
            for r in article.stretches:
                got.setdefault(name_key(r.name), r)
            wanted = {name_key(s["name"]): s for s in spec["stretches"]}
            pairs = match_names(list(wanted), list(got))
            expected += len(wanted)
            found += len(got)
            correct += len(pairs)
            if not wanted:
                negative_records += len(got)
            for key, want in wanted.items():
                if key not in pairs:
                    misses.append(f"{page.name}: lost {want['name']!r}")
                    continue
                _score_fields(got[pairs[key]], want, f"{page.name}/{want['name']}", hits, misses)
            matched = set(pairs.values())
            misses.extend(f"{page.name}: extra {r.name!r}" for k, r in got.items() if k not in matched)
    scores = {f: round(sum(v) / len(v), 3) for f, v in sorted(hits.items())}
    p = correct / found if found else 0.0
    r = correct / expected if expected else 0.0
    scores["record_precision"] = round(p, 3)
    scores["record_recall"] = round(r, 3)
    scores["record_f1"] = round(2 * p * r / (p + r), 3) if p + r else 0.0
    counts = {f: len(v) for f, v in sorted(hits.items())}
    counts.update(record_precision=found, record_recall=expected, record_f1=correct)
    return {"scores": scores, "counts": counts, "negative_records": negative_records, "misses": misses}


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


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "tests/eval")
    floors = json.loads((folder / "floors.json").read_text(encoding="utf-8"))
    result = evaluate(folder)
    failed = _table("descriptions + written cases (tests/eval, tests/data)", result, floors)
    dev = evaluate_devcorpus(folder.parent / "devcorpus")
    dev_floors = floors.get("devcorpus", {})
    print()
    failed |= _table("development corpus: real pages (tests/devcorpus)", dev, dev_floors)
    ceiling = dev_floors.get("negative_records_max")
    over = ceiling is not None and dev["negative_records"] > ceiling
    failed |= over
    print(f"{'negative_records':<18} {dev['negative_records']:>6} {ceiling if ceiling is not None else '-':>6} "
          f"{'(at most)':>4}{'  ABOVE CEILING' if over else ''}")
    for title, part in (("misses (written)", result), ("misses (development corpus)", dev)):
        if part["misses"]:
            print(f"\n{title}:")
            for m in part["misses"]:
                print("  " + m)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:  # `make eval | head`: the reader left; nothing to report
        sys.stderr.close()
        sys.exit(0)
