"""Throughput, scaling and memory of whole runs: `python -m pipeline.bench` (make bench).

A benchmark, not a test: it prints figures, asserts nothing. From one invocation:

- pages/s of `stretchpipe run` with 1 and with 2 workers on the same corpus, and their ratio,
  beside the machine's own ceiling (two CPU-bound processes against one: 2.0 on two idle cores);
- trafilatura's `extract` alone on the same pages, in one process: the reference a user would
  otherwise start from;
- peak memory (RSS summed over the run's process tree, sampled) at SMALL and at LARGE pages;
- the time of a no-op re-run over the LARGE corpus (nothing changed: nothing is redone).

The corpus is built in a temporary folder from the real pages in ../shared (the development
corpus, the seed article and the 181 news pages of the article-extraction benchmark, so that
most pages are HTML as a crawl's are), each copy varied a little (a hold time, a closing line), so
every page has its own bytes and no two copies give the same content digest.

Beside the reference, CPU time per page in one process by input format (HTML, Markdown, text):
trafilatura reads HTML, so that is where the two do the same job.
"""
from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("STRETCHPIPE_SHARED", REPO.parent / "shared"))
_SECONDS = re.compile(r"\b(\d{1,3}) seconds\b")


def source_pages() -> list[Path]:
    pages = (sorted((SHARED / "dev-corpus" / "pages").glob("*")) + sorted((SHARED / "seed").glob("*"))
             + sorted((SHARED / "bench" / "article-extraction" / "html").glob("*.html.gz")))
    if not pages:
        sys.exit(f"no pages under {SHARED}; set STRETCHPIPE_SHARED to the shared folder")
    return pages


def _read_source(path: Path) -> tuple[Path, str]:
    if path.suffix == ".gz":
        return path.with_suffix(""), gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
    return path, path.read_text(encoding="utf-8", errors="replace")


def build_corpus(folder: Path, count: int) -> list[Path]:
    """`count` pages: the real pages in turn, copy n varied by its hold times and a closing line."""
    originals = [_read_source(p) for p in source_pages()]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(count):
        path, text = originals[i % len(originals)]
        n = i // len(originals)
        varied = _SECONDS.sub(lambda m, shift=n % 15: f"{int(m.group(1)) + shift} seconds", text)
        closing = f"Updated for reader {n}." if path.suffix != ".html" else f"<p>Updated for reader {n}.</p>"
        target = folder / f"{i // 1000:03d}" / f"{path.stem}-{n:05d}{path.suffix}"
        target.parent.mkdir(exist_ok=True)
        target.write_text(f"{varied}\n\n{closing}\n", encoding="utf-8")
        written.append(target)
    return written


@dataclass
class Timing:
    wall: float  # seconds, start-up to exit
    process: float  # seconds of the processing phase (the engine at work), from the run's debug log
    write: float  # seconds of the writing phase (dedupe, curation, every format), serial by nature
    peak_mb: float  # peak RSS summed over the run's process tree


def timed_run(corpus: Path, out: Path, workers: int) -> Timing:
    """`stretchpipe run` in a fresh process: its phases, and the peak RSS of its process tree."""
    import psutil
    log_file = out.parent / f"{out.name}.log"
    command = [sys.executable, "-m", "pipeline.cli", "run", str(corpus), "--out", str(out), "--workers", str(workers),
               "--log-file", str(log_file)]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"run failed: {proc.stderr.read().decode(errors='replace')}")
    log = log_file.read_text(encoding="utf-8")
    phase = {name: float(seconds) for name, seconds in re.findall(r"phase (\w+): .* in ([\d.]+) s", log)}
    return Timing(elapsed, phase.get("process", elapsed), phase.get("write", 0.0), peak / 2**20)


def _burn(n: int) -> None:
    total = 0
    for i in range(n):
        total += i * i


def machine_ceiling(n: int = 20_000_000) -> float:
    """How much faster two processes finish two equal CPU-bound jobs than one process finishes one
    of them twice: the most two workers can gain on this machine right now (2.0 on two idle cores;
    less when other work shares them). The 2-worker ratio is read against it."""
    import multiprocessing
    start = time.perf_counter()
    _burn(n)
    one = time.perf_counter() - start
    with multiprocessing.get_context("fork").Pool(2) as pool:
        start = time.perf_counter()
        pool.map(_burn, [n, n])
        two = time.perf_counter() - start
    return 2 * one / two


def trafilatura_rate(pages: list[Path]) -> float:
    import trafilatura
    texts = [p.read_text(encoding="utf-8") for p in pages]
    start = time.perf_counter()
    for text in texts:
        trafilatura.extract(text, deduplicate=False)
    return len(texts) / (time.perf_counter() - start)


def cpu_per_page(pages: list[Path]) -> dict[str, tuple[int, float, float]]:
    """By file type: pages, CPU ms per page of stretchpipe's whole page work (process_one: read,
    clean, extract, audit) and of trafilatura.extract, both in this one process, warmed up."""
    import trafilatura

    from .runner import Task, process_one, warm_up
    warm_up()
    by_type: dict[str, list[Path]] = {}
    for page in pages:
        by_type.setdefault(page.suffix.lstrip(".") or "txt", []).append(page)
    figures = {}
    for kind, group in sorted(by_type.items()):
        process_one(Task(str(group[0])))
        start = time.process_time()
        for page in group:
            process_one(Task(str(page)))
        ours = (time.process_time() - start) / len(group) * 1000
        texts = [p.read_text(encoding="utf-8") for p in group]
        start = time.process_time()
        for text in texts:
            trafilatura.extract(text, deduplicate=False)
        theirs = (time.process_time() - start) / len(group) * 1000
        figures[kind] = (len(group), ours, theirs)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000, help="pages for throughput and the first memory figure")
    parser.add_argument("--large", type=int, default=10000, help="pages for the second memory figure and the re-run")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="stretchpipe-bench-"))
    try:
        small = build_corpus(work / "small", args.small)
        print(f"corpus: {args.small} and {args.large} pages from {len(source_pages())} real pages in {SHARED}",
              flush=True)
        one = timed_run(work / "small", work / "out-1", 1)
        two = timed_run(work / "small", work / "out-2", 2)
        for label, t in (("1 worker ", one), ("2 workers", two)):
            print(f"{label}: {args.small / t.wall:6.1f} pages/s overall ({t.wall:.1f} s: processing {t.process:.1f} s "
                  f"= {args.small / t.process:.1f} pages/s, writing {t.write:.1f} s), peak {t.peak_mb:.0f} MB",
                  flush=True)
        print(f"2 workers / 1 worker: {one.process / two.process:.2f}x processing, {one.wall / two.wall:.2f}x overall "
              f"(this machine's ceiling now: {machine_ceiling():.2f}x for two CPU-bound processes)", flush=True)
        rate = trafilatura_rate(small)
        print(f"trafilatura.extract alone, 1 process: {rate:6.1f} pages/s; stretchpipe with 2 workers "
              f"{args.small / two.wall / rate:.2f}x that overall", flush=True)
        for kind, (n, ours, theirs) in cpu_per_page(small).items():
            print(f"  CPU per page, 1 process, {n} {kind} pages: stretchpipe {ours:.1f} ms, "
                  f"trafilatura.extract {theirs:.1f} ms ({theirs / ours:.2f}x)", flush=True)
        build_corpus(work / "large", args.large)
        large = timed_run(work / "large", work / "out-large", 2)
        print(f"{args.large} pages, 2 workers: {args.large / large.wall:6.1f} pages/s overall ({large.wall:.1f} s: "
              f"processing {large.process:.1f} s, writing {large.write:.1f} s)", flush=True)
        print(f"peak memory: {two.peak_mb:.0f} MB at {args.small} pages, {large.peak_mb:.0f} MB at {args.large} pages "
              f"({100 * (large.peak_mb / two.peak_mb - 1):+.0f}%)", flush=True)
        again = timed_run(work / "large", work / "out-large", 2)
        print(f"no-op re-run of {args.large} pages: {again.wall:.1f} s", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
