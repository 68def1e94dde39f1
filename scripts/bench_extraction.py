"""Main-content extraction on the shared article-extraction benchmark (`make bench-extraction`).

Usage: python scripts/bench_extraction.py [BENCHMARK_DIR] [--floors tests/eval/floors.json]

Scores stretchpipe's clean stage and trafilatura in precision mode (the reference a user would
otherwise start from) on the same 181 real pages in one run, with the benchmark's own metric:
word tokens (\\w+), 4-token shingles with multiplicity; precision averaged over pages with a
prediction, recall over pages with a truth; F1 of the two averages. Speed is CPU time of this
process, the two extractors interleaved page by page (so a busy machine slows both alike), one
process, after a warm-up page. Prints one line per extractor and their speed ratio; exits 1 when
stretchpipe's F1 falls under the floor pinned in the floors file (`extraction_benchmark.f1`).
Speed is printed, never asserted.
"""
from __future__ import annotations

import argparse
import collections
import gzip
import json
import re
import sys
import time
from pathlib import Path

from pipeline.clean import clean_page
from pipeline.knowledge import load_knowledge
from pipeline.records import Page


def shingles(text: str) -> collections.Counter:
    tokens = re.findall(r"\w+", text)
    return collections.Counter(tuple(tokens[i:i + 4]) for i in range(max(0, len(tokens) - 3)))


def score(predictions: dict[str, str], truth: dict[str, dict]) -> tuple[float, float, float, int]:
    precisions, recalls, empty = [], [], 0
    for page_id, item in truth.items():
        predicted = predictions[page_id]
        empty += not predicted.strip()
        got, want = shingles(predicted), shingles(item["articleBody"])
        tp = sum((got & want).values())
        fp, fn = sum(got.values()) - tp, sum(want.values()) - tp
        if tp + fp:
            precisions.append(tp / (tp + fp))
        if tp + fn:
            recalls.append(tp / (tp + fn))
    p, r = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    return p, r, 2 * p * r / (p + r), empty


def scaling(clean) -> str:
    """No quadratic step: the clean stage's time per item on a list of 1,000 and of 5,000 items,
    and per section on pages of 2,000 and 10,000 headings (written pages, CPU time)."""
    def items(n: int) -> str:
        return "<html><body><ol>" + "".join(f"<li>Step {i}: hold for 30 seconds.</li>" for i in range(n)) + "</ol>"

    def headings(n: int) -> str:
        return "<html><body>" + "".join(f"<h3>Part {i}</h3><p>Text of part {i}.</p>" for i in range(n))

    parts = []
    for label, build, small, large in (("list items", items, 1000, 5000), ("headings", headings, 2000, 10000)):
        per = []
        for n in (small, large):
            html = build(n)
            start = time.process_time()
            clean(html)
            per.append((time.process_time() - start) / n * 1000)
        parts.append(f"{label} {per[0]:.2f} -> {per[1]:.2f} ms each ({small:,} -> {large:,})")
    return "scaling: " + "; ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("benchmark", nargs="?", default="../shared/bench/article-extraction")
    parser.add_argument("--floors", default="tests/eval/floors.json")
    args = parser.parse_args()
    import trafilatura

    root = Path(args.benchmark)
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {pid: gzip.decompress((root / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8", "replace")
             for pid in sorted(truth)}
    kb = load_knowledge()

    def ours(html: str) -> str:
        return clean_page(Page(source="bench", format="html", text=html), kb).text

    def reference(html: str) -> str:
        return trafilatura.extract(html, favor_precision=True, include_comments=False) or ""

    first = next(iter(pages.values()))
    ours(first), reference(first)  # warm-up: knowledge base, lazy imports
    out: dict[str, dict[str, str]] = {"stretchpipe": {}, "trafilatura": {}}
    cpu = {"stretchpipe": 0.0, "trafilatura": 0.0}
    for n, (page_id, html) in enumerate(pages.items()):
        order = [("stretchpipe", ours), ("trafilatura", reference)]
        for name, fn in (order if n % 2 else order[::-1]):
            start = time.process_time()
            out[name][page_id] = fn(html)
            cpu[name] += time.process_time() - start
    speed = {name: len(pages) / cpu[name] for name in cpu}
    f1s = {}
    for name, label in (("stretchpipe", "stretchpipe clean"), ("trafilatura", "trafilatura precision")):
        p, r, f1, empty = score(out[name], truth)
        f1s[name] = f1
        print(f"{label:<22} P {p:.3f}  R {r:.3f}  F1 {f1:.3f}  empty {empty}  {speed[name]:6.1f} pages/s")
    print(f"speed ratio (stretchpipe / trafilatura): {speed['stretchpipe'] / speed['trafilatura']:.2f}  "
          f"({len(pages)} pages, one process, CPU time)")
    print(scaling(ours))
    floor = json.loads(Path(args.floors).read_text(encoding="utf-8")).get("extraction_benchmark", {}).get("f1")
    if floor is not None and f1s["stretchpipe"] < floor:
        print(f"FAIL: F1 {f1s['stretchpipe']:.3f} is under the pinned floor {floor}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
