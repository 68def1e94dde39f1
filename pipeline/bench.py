"""Throughput and peak memory: `python -m pipeline.bench [COPIES]` (make bench).

Runs every page in raw/ and tests/data through clean -> extract -> audit COPIES times in one
process (the knowledge base and spaCy pipeline load once, as in a real run) and reports pages/s,
ms/page and peak RSS. Measured here, never asserted in tests.
"""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from .acquire import read_page
from .config import SUPPORTED_EXTENSIONS
from .run import process_page


def main(argv: list[str]) -> int:
    copies = int(argv[0]) if argv else 20
    root = Path(__file__).resolve().parents[1]
    paths = sorted(p for folder in ("raw", "tests/data") for p in (root / folder).glob("*")
                   if p.suffix in SUPPORTED_EXTENSIONS)
    pages = [read_page(str(p)) for p in paths]
    t0 = time.perf_counter()
    process_page(pages[0])  # first call loads the knowledge base and spaCy pipeline
    warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    records = 0
    for _ in range(copies):
        for page in pages:
            records += len(process_page(page)[1].records)
    elapsed = time.perf_counter() - t0
    n = copies * len(pages)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    chars = sum(len(p.text) for p in pages) * copies
    print(f"startup (knowledge base + spaCy): {warm:.2f} s")
    print(f"{n} pages ({chars / 1e6:.1f} M chars, {records} records) in {elapsed:.2f} s: "
          f"{n / elapsed:.1f} pages/s, {1000 * elapsed / n:.1f} ms/page; peak RSS {rss_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
