"""Score the clean stage on the article-extraction benchmark (make bench-clean).

Usage: python scripts/score_boilerplate.py ../shared/bench/article-extraction
Metric as the benchmark defines it: word tokens (\\w+), 4-token shingles with multiplicity;
precision averaged over pages with a prediction, recall over pages with a truth; F1 of the two.
"""
from __future__ import annotations

import collections
import gzip
import json
import re
import sys
import time
from pathlib import Path

from pipeline.clean import clean_page
from pipeline.records import Page


def shingles(text: str) -> collections.Counter:
    tokens = re.findall(r"\w+", text)
    return collections.Counter(tuple(tokens[i:i + 4]) for i in range(max(0, len(tokens) - 3)))


def main(folder: str) -> int:
    root = Path(folder)
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    precisions, recalls, empty = [], [], 0
    start = time.perf_counter()
    for page_id, item in sorted(truth.items()):
        html = gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8", "replace")
        predicted = clean_page(Page(source=page_id, format="html", text=html)).text
        empty += not predicted.strip()
        got, want = shingles(predicted), shingles(item["articleBody"])
        tp = sum((got & want).values())
        fp, fn = sum(got.values()) - tp, sum(want.values()) - tp
        if tp + fp:
            precisions.append(tp / (tp + fp))
        if tp + fn:
            recalls.append(tp / (tp + fn))
    p, r = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    print(f"{len(truth)} pages in {time.perf_counter() - start:.1f} s: precision {p:.3f}, recall {r:.3f}, "
          f"F1 {2 * p * r / (p + r):.3f}, empty {empty}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "../shared/bench/article-extraction"))
