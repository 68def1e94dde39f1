"""Per-stage CPU time per page (`make bench-stages`): where one page's time goes.

Usage: python scripts/bench_stages.py FOLDER... [--repeat N] [--limit N]

Reads every page under the folders (a .gz page is decompressed first, as `stretchpipe run` does)
into memory, then runs the stages of `pipeline.runner.process_one` one by one on each page and sums
the CPU time of this process per stage: acquire (decode and format; the page metadata and the
author search only for pages that give records, as a run reads them; of which the page metadata
alone), the early exit (the gate: the page's parse and walk, which the clean stage goes on from,
and its decision; `gate stopped` counts the pages it stops), then, for the pages it lets through,
clean, extract, audit and identity. The whole
pipeline per page is set beside trafilatura's `extract` on the same pages (the reference a user
would otherwise start from). One process, after a warm-up pass over all pages; the best of
`--repeat` passes per stage (the least disturbed by other work on the machine). A benchmark: it
prints, asserts nothing.
"""
from __future__ import annotations

import argparse
import gzip
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.acquire import decode_page, with_metadata
from pipeline.acquire import metadata
from pipeline.acquire.metadata import with_author
from pipeline.audit import audit_article
from pipeline.clean import clean_page
from pipeline.clean.gate import decide, read
from pipeline.extract import extract_article
from pipeline.curate.identity import attach_page
from pipeline.knowledge import load_knowledge
from pipeline.runner import warm_up

STAGES = ("acquire", "  metadata", "gate", "clean", "extract", "audit", "identity")


def load(folders: list[str], limit: int | None) -> list[tuple[str, bytes]]:
    """(name the format is told from, bytes) of every file under the folders, sorted by path."""
    pages = []
    for folder in folders:
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            data = path.read_bytes()
            name = str(path)
            if name.endswith(".gz"):
                data, name = gzip.decompress(data), name[:-3]
            pages.append((name, data))
    return pages[:limit]


def one_pass(pages: list[tuple[str, bytes]]) -> tuple[dict[str, float], int]:
    """CPU seconds per stage over all pages, in process_one's order, and the pages the gate stopped."""
    kb = load_knowledge()
    spent = dict.fromkeys(STAGES, 0.0)
    stopped = 0

    def timed(stage: str, step: Callable, *args, **kwargs):
        start = time.process_time()
        result = step(*args, **kwargs)
        spent[stage] += time.process_time() - start
        return result

    # the page metadata is read inside decode_page (which imports it when called): timed in place
    real_metadata = metadata.page_metadata
    metadata.page_metadata = lambda *args: timed("  metadata", real_metadata, *args)
    try:
        for name, data in pages:
            try:
                page = timed("acquire", decode_page, name, data, metadata=False)
            except Exception:  # an input the pipeline skips (empty, binary): nothing to time further
                continue
            reading = timed("gate", read, page, kb)
            if timed("gate", decide, page, kb, reading) is not None:
                stopped += 1
                continue
            doc = timed("clean", clean_page, page, kb, reading=reading)
            article = timed("extract", extract_article, doc, kb)
            if article.records:  # as process_page: the metadata and the author only for pages that give records
                page = timed("acquire", lambda p: with_author(with_metadata(p)), page)
            article.metadata = page.metadata
            article = timed("audit", audit_article, article, kb, doc)
            timed("identity", attach_page, article, page, doc)
    finally:
        metadata.page_metadata = real_metadata
    return spent, stopped


def trafilatura_pass(pages: list[tuple[str, bytes]]) -> float:
    import trafilatura
    start = time.process_time()
    for _, data in pages:
        # precision mode, as `make bench-extraction` runs it: the reference the goals are stated against
        trafilatura.extract(data, favor_precision=True, include_comments=False, deduplicate=False)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    args = parser.parse_args()
    pages = load(args.folders, args.limit)
    warm_up()
    one_pass(pages)
    passes = [one_pass(pages) for _ in range(args.repeat)]
    best = {stage: min(p[stage] for p, _ in passes) for stage in STAGES}
    stopped = passes[0][1]
    reference = min(trafilatura_pass(pages) for _ in range(args.repeat))
    n = len(pages) or 1
    html = sum(1 for name, _ in pages if name.lower().endswith((".html", ".htm")))
    print(f"{len(pages)} pages ({html} .html), CPU ms per page, best of {args.repeat} passes; "
          f"gate stopped {stopped} ({stopped / n:.0%}): the stages after it ran on {len(pages) - stopped}")
    total = sum(v for k, v in best.items() if not k.startswith(" "))  # metadata is part of acquire
    for stage in STAGES:
        print(f"  {stage:<12} {best[stage] / n * 1000:7.2f}  {best[stage] / reference:5.2f}x  {best[stage] / total:4.0%}")
    print(f"  {'pipeline':<12} {total / n * 1000:7.2f}  {total / reference:5.2f}x")
    print(f"  {'trafilatura':<12} {reference / n * 1000:7.2f}  1.00x  (precision mode, same pages)")


if __name__ == "__main__":
    main()
