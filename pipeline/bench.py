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
    cpu: float = 0.0  # CPU seconds (user and system) of the run's processes, start-up included


def timed_run(corpus: Path, out: Path, workers: int) -> Timing:
    """`stretchpipe run` in a fresh process: its phases, and the peak RSS of its process tree."""
    import resource

    import psutil
    log_file = out.parent / f"{out.name}.log"
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = used.ru_utime + used.ru_stime
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
    used = resource.getrusage(resource.RUSAGE_CHILDREN)  # the run and its workers, reaped by now
    cpu = used.ru_utime + used.ru_stime - before
    if proc.returncode not in (0, 1):
        sys.exit(f"run failed: {proc.stderr.read().decode(errors='replace')}")
    log = log_file.read_text(encoding="utf-8")
    phase = {name: float(seconds) for name, seconds in re.findall(r"phase (\w+): .* in ([\d.]+) s", log)}
    return Timing(elapsed, phase.get("process", elapsed), phase.get("write", 0.0), peak / 2**20, cpu)


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


def _pages_in(folder: Path, pattern: str, into: Path) -> list[Path]:
    """The pages of a folder as files a run reads (a .gz page decompressed under its own name)."""
    into.mkdir(parents=True, exist_ok=True)
    out = []
    for path in sorted(folder.glob(pattern)):
        name, text = _read_source(path)
        target = into / name.name
        target.write_bytes(text.encode("utf-8"))
        out.append(target)
    return out


def _cpu(fn, items) -> float:
    start = time.process_time()
    for item in items:
        fn(item)
    return time.process_time() - start


def ratios(work: Path, repeat: int = 3) -> list[str]:
    """CPU ms per page, one process, as ratios to trafilatura precision measured in the same run
    (the three interleaved pass by pass, medians of `repeat`): the whole page work of stretchpipe
    (process_one: read, early exit, clean, extract, audit), trafilatura in precision mode, and an
    lxml parse plus a walk of every element (a floor no HTML tool goes under); on the news pages,
    the stretch pages in HTML, and a crawl-like mix of ten news pages to one stretch page. Then
    `stretchpipe run --workers 1` on the stretch pages with start-up taken off (a run of all of
    them minus a run of one, per page, in CPU time), beside the in-process page work: the run's own
    cost; and a one-page run of a news page the early exit stops (CPU and wall time)."""
    import statistics

    import trafilatura
    from lxml import html as lxml_html

    from .runner import Task, process_one, warm_up

    news = _pages_in(SHARED / "bench" / "article-extraction" / "html", "*.html.gz", work / "news")
    stretch = _pages_in(SHARED / "dev-corpus" / "pages", "*.html", work / "stretch")
    mix_size = min(len(news), 10 * len(stretch))
    mix = news[:mix_size] + stretch[: max(1, mix_size // 10)]
    texts = {p: p.read_text(encoding="utf-8") for p in news + stretch}

    def ours(path: Path) -> None:
        process_one(Task(str(path)))

    def reference(path: Path) -> None:
        trafilatura.extract(texts[path], favor_precision=True, include_comments=False, deduplicate=False)

    def floor(path: Path) -> None:
        for _ in lxml_html.document_fromstring(texts[path]).iter():
            pass

    warm_up()
    for fn in (ours, reference, floor):  # warm-up: spaCy and every lazy import
        fn(stretch[0])
        fn(news[0])
    lines = []
    for label, pages in ((f"{len(news)} news pages", news), (f"{len(stretch)} stretch pages (HTML)", stretch),
                         (f"crawl-like mix, {mix_size} news : {len(mix) - mix_size} stretch", mix)):
        runs: dict[str, list[float]] = {"stretchpipe": [], "trafilatura": [], "lxml": []}
        for _ in range(repeat):
            for name, fn in (("stretchpipe", ours), ("trafilatura", reference), ("lxml", floor)):
                runs[name].append(_cpu(fn, pages) / len(pages) * 1000)
        ms = {name: statistics.median(v) for name, v in runs.items()}
        ref = ms["trafilatura"]
        lines.append(f"{label}: stretchpipe {ms['stretchpipe']:.1f} ms ({ms['stretchpipe'] / ref:.2f}x), "
                     f"trafilatura precision {ref:.1f} ms (1.00x), lxml parse+walk {ms['lxml']:.1f} ms "
                     f"({ms['lxml'] / ref:.2f}x) CPU per page")
        print(lines[-1], flush=True)
    # start-up taken off: a one-page run of a page that gives records (it loads what a run with rows
    # loads: spaCy, dedupe's and the tables' libraries), and the same page first in the page work
    first = next((p for p in stretch if _gives_records(p)), stretch[0])
    (work / "stretch-one").mkdir()
    shutil.copy(first, work / "stretch-one" / first.name)
    one = timed_run(work / "stretch-one", work / "out-one", 1)
    whole = timed_run(work / "stretch", work / "out-stretch", 1)
    others = [p for p in stretch if p != first]
    cold = statistics.median(_first_pass(first, others) for _ in range(repeat))
    page_work = statistics.median(runs_of(ours, stretch, repeat))
    ref = statistics.median(runs_of(reference, stretch, repeat))
    per_page = (whole.cpu - one.cpu) / len(others) * 1000
    lines.append(f"stretchpipe run --workers 1, {len(stretch)} stretch pages, start-up taken off: {per_page:.1f} ms "
                 f"CPU a page ({per_page / ref:.2f}x trafilatura precision's {ref:.1f} ms); page work in one process "
                 f"{cold:.1f} ms a page met once, as a run meets it (run overhead {100 * (per_page / cold - 1):+.0f}%), "
                 f"{page_work:.1f} ms on passes after the first ({100 * (per_page / page_work - 1):+.0f}%)")
    print(lines[-1], flush=True)
    gated = next((p for p in news if _stopped(p)), news[0])
    (work / "news-one").mkdir()
    shutil.copy(gated, work / "news-one" / gated.name)
    alone = timed_run(work / "news-one", work / "out-news-one", 1)
    lines.append(f"one-page run of a news page the early exit stops: {alone.cpu:.2f} s CPU ({alone.wall:.2f} s wall); "
                 f"of a stretch page: {one.cpu:.2f} s CPU ({one.wall:.2f} s wall)")
    print(lines[-1], flush=True)
    return lines


def noop_rerun(work: Path, count: int, built: bool = False) -> Timing:
    """A re-run over `count` unchanged pages already run once into the same output folder: nothing
    is redone, and its time is the run's own (start-up, reading the state, checking every file)."""
    if not built:
        build_corpus(work / "large", count)
        timed_run(work / "large", work / "out-large", 2)
    import statistics
    runs = [timed_run(work / "large", work / "out-large", 2) for _ in range(3)]
    wall, cpu = statistics.median(t.wall for t in runs), statistics.median(t.cpu for t in runs)
    print(f"no-op re-run of {count} pages (median of 3): {wall:.2f} s ({cpu:.2f} s CPU)", flush=True)
    return runs[0]


def _gives_records(path: Path) -> bool:
    from .runner import Task, process_one
    return bool(process_one(Task(str(path))).articles)


def _first_pass(first: Path, pages: list[Path]) -> float:
    """CPU ms per page of the page work on pages the process meets for the first time, as a run's
    worker meets them: in a fresh process, after warming up and a first page (what a one-page run does)."""
    code = ("import sys, time\nfrom pipeline.runner import Task, process_one, warm_up\nwarm_up()\n"
            "process_one(Task(sys.argv[1]))\nstart = time.process_time()\n"
            "for page in sys.argv[2:]:\n    process_one(Task(page))\n"
            "print((time.process_time() - start) / len(sys.argv[2:]) * 1000)")
    out = subprocess.run([sys.executable, "-c", code, str(first), *map(str, pages)], capture_output=True, text=True,
                         check=True, cwd=REPO).stdout
    return float(out.split()[-1])


def _stopped(path: Path) -> bool:
    from .runner import Task, process_one
    return process_one(Task(str(path))).stats.get("gate/decided_early", 0) > 0


def runs_of(fn, pages: list[Path], repeat: int) -> list[float]:
    return [_cpu(fn, pages) / len(pages) * 1000 for _ in range(repeat)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000, help="pages for throughput and the first memory figure")
    parser.add_argument("--large", type=int, default=10000, help="pages for the second memory figure and the re-run")
    parser.add_argument("--ratios-only", action="store_true", help="only the CPU ratios to trafilatura precision")
    parser.add_argument("--noop-only", action="store_true",
                        help="only the no-op re-run of LARGE pages (a first run, then the timed one)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="stretchpipe-bench-"))
    try:
        if args.noop_only:
            noop_rerun(work, args.large)
            return 0
        ratios(work / "ratios")
        if args.ratios_only:
            return 0
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
        noop_rerun(work, args.large, built=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
