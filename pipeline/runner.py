"""Running the stages over many inputs: one page's work (`process_one`), mapped by an executor.

- `process_one(Task) -> Outcome`: read, clean, extract, audit one input; whatever goes wrong
  with it ends as a manifest entry with a code, never as an exception.
- `outcomes(...)`: every input's Outcome, in input order, computed on an engine (pipeline/executors)
  under the per-page budget; for commands that print (clean, extract, audit).
- `run_dataset(...)`: the same into an output folder, incrementally: inputs whose bytes and
  pipeline version are unchanged are taken from the resume state, and the new set is written to
  a staging folder and swapped in whole (pipeline/outputs.py, pipeline/state.py).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from . import errors
from .acquire import STDIN, discover, display_name, is_archive, read_pages, with_metadata
from .acquire.files import read_bytes
from .acquire.metadata import with_author
from .clean import clean_page
from .clean.gate import decide, read
from .executors import Budget, Engine, Failure, in_order, loading, make_engine, page_done
from .curate.identity import assign_ids, attach_page
from .knowledge import load_knowledge
from .records import Article, CleanDocument, ManifestEntry, Page

log = logging.getLogger("stretchpipe")
BUDGET_CODES = frozenset({errors.TIMED_OUT, errors.OUT_OF_MEMORY})


@dataclass(frozen=True)
class Task:
    """One input for a worker: a path (read by the worker), or "-" with stdin's bytes."""

    source: str
    data: bytes | None = None
    until: str = "audit"  # "clean" stops after cleaning (stretchpipe clean)
    early_exit: bool = True  # stop a page whose content blocks show it holds no exercise section (clean/gate.py)


@dataclass
class Outcome:
    """What one input gave: a manifest entry per page (several for a WARC), the articles of the
    pages with exercises (or the cleaned documents, for `clean`), and per-step counters."""

    entries: list[ManifestEntry]
    articles: list[Article] = field(default_factory=list)
    documents: list[CleanDocument] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    traces: list[str] = field(default_factory=list)  # tracebacks of internal errors: for the debug log only
    digest: str | None = None  # of the input's bytes, as the worker read them (the parent never reads them again)


def warm_up() -> None:
    """Load the knowledge base (once per worker process, or once in the parent before it forks its
    workers). spaCy is not loaded here: a run imports it at its first page that reaches extraction,
    so a run whose pages all stop early never pays for it (about 1.2 s)."""
    import gc

    load_knowledge()
    # what is loaded once lives as long as the process: out of the cyclic collector's sight, its
    # passes stop walking it (about 6% of a page's CPU), and forked workers keep sharing its pages
    # instead of copying them when the collector touches their headers
    gc.freeze()


_extraction_loaded = False


def load_extraction() -> None:
    """Import extraction and build its spaCy pipeline, once per process (by the first page that
    gets this far: a run whose pages all stop early never pays for it), then restart the page's
    clock: loading takes seconds, and under a heavy load longer than a page's budget."""
    global _extraction_loaded
    if _extraction_loaded:
        return
    with loading():
        from .audit import audit_article  # noqa: F401
        from .extract import extract_article  # noqa: F401  (spaCy)
        from .nlp import build_nlp
        build_nlp(load_knowledge())
    _extraction_loaded = True


def process_page(page: Page, reading=None) -> tuple[CleanDocument, Article]:
    """`reading`: the early exit's parse and walk of the page, which the clean stage goes on from."""
    load_extraction()
    from .audit import audit_article
    from .extract import extract_article

    kb = load_knowledge()
    doc = clean_page(page, kb, reading=reading)
    article = extract_article(doc, kb)
    if article.records:  # the page's metadata (if unread) and the author's costly search only where used
        page = with_author(with_metadata(page))
    article.metadata = page.metadata  # the page's own metadata and JSON-LD, for provenance and the audit
    article = audit_article(article, kb, doc, page)
    attach_page(article, page, doc)
    return doc, article


def process_one(task: Task) -> Outcome:
    """Every page of one input through the stages; a bad page is a manifest entry, never an exception."""
    from .state import digest

    outcome = Outcome([])
    stats: Counter = Counter()

    def keep_digest(data: bytes) -> None:
        outcome.digest = digest(data)

    try:
        if task.source != STDIN and is_archive(task.source):
            outcome.digest = _file_digest(task.source)  # an archive is read as a stream, record by record
        # the metadata is read once a page gives records (process_page): most pages of a crawl give none
        pages = read_pages(task.source, stdin=task.data, stats=stats, metadata=False, on_bytes=keep_digest)
        for n, page in enumerate(pages):  # several for a WARC
            if n:
                page_done()  # the time budget is per page, not per archive
            _process(outcome, stats, page, task.until, task.early_exit)
    except errors.InputError as exc:
        status = errors.status_of(exc.code)
        outcome.entries.append(ManifestEntry(display_name(task.source), status, reason=str(exc), code=exc.code))
        stats[f"acquire/{status}"] += 1
    outcome.stats = dict(stats)
    return outcome


def _process(outcome: Outcome, stats: Counter, page: Page, until: str, early_exit: bool = True) -> None:
    source = page.source
    stats["acquire/read"] += 1
    facts = dict(format=page.format, encoding=page.encoding, encoding_rule=page.encoding_rule)
    try:
        if until == "clean":
            doc = clean_page(page, load_knowledge())
            outcome.documents.append(doc)
            outcome.entries.append(ManifestEntry(source, "processed", **facts))
            stats["clean/blocks_kept"] += len(doc.blocks)
            return
        reading = read(page, load_knowledge()) if early_exit else None
        why = decide(page, load_knowledge(), reading) if early_exit else None
        if why is not None:  # cheapest evidence first: the page cannot hold an exercise section
            err = errors.input_error(errors.NO_CUE, path=source, why=why)
            outcome.entries.append(ManifestEntry(source, "skipped", reason=str(err), code=err.code, **facts))
            stats["gate/decided_early"] += 1
            return
        doc, article = process_page(page, reading)
    except MemoryError:
        raise  # the sandbox reports it under the memory budget's code
    except Exception as exc:  # one bad page never stops the run; the manifest says what broke
        import traceback
        err = errors.StretchpipeError(errors.MESSAGES[errors.INTERNAL].format(path=source, detail=repr(exc)),
                                      code=errors.INTERNAL)
        outcome.entries.append(ManifestEntry(source, "failed", reason=str(err), code=err.code, **facts))
        outcome.traces.append(f"{source}:\n{traceback.format_exc()}")
        stats["extract/failed"] += 1
        return
    _count(stats, doc, article)
    entry = ManifestEntry(source, "processed", records=len(article.stretches), **facts)
    if page.encoding != "utf-8":
        entry.reason = f"not UTF-8: decoded as {page.encoding} ({page.encoding_rule})"
    if not article.records:
        err = errors.input_error(errors.NO_EXERCISES, path=source)
        entry.status, entry.reason, entry.code = "skipped", str(err), err.code
    else:
        outcome.articles.append(article)
    outcome.entries.append(entry)


def failed(task: Task, failure: Failure, budget: Budget) -> Outcome:
    """The Outcome of a task that returned none (over budget, worker died, or a bug)."""
    source = display_name(task.source)
    limit = {errors.TIMED_OUT: f"{budget.timeout_seconds:g}", errors.OUT_OF_MEMORY: str(budget.memory_mb)}
    err = errors.StretchpipeError(errors.MESSAGES[failure.code].format(
        path=source, limit=limit.get(failure.code, ""), detail=failure.detail), code=failure.code)
    key = {errors.TIMED_OUT: "budget/timed_out", errors.OUT_OF_MEMORY: "budget/out_of_memory"}.get(
        failure.code, "extract/failed")
    return Outcome([ManifestEntry(source, "failed", reason=str(err), code=failure.code)], stats={key: 1},
                   traces=[f"{source}:\n{failure.trace}"] if failure.trace else [])


def _count(stats: Counter, doc: CleanDocument, article: Article) -> None:
    from .audit import all_flags  # loaded by the first page that reached extraction
    stats["clean/blocks_kept"] += len(doc.blocks)
    for removed in doc.removed:
        stats[f"clean/removed/{removed.reason}"] += 1
    stats["extract/records"] += len(article.records)
    stats["extract/stretches"] += len(article.stretches)
    for flag in all_flags(article):
        stats[f"audit/{flag.rule}"] += 1


def _discovered(entry: ManifestEntry) -> Outcome:
    return Outcome([entry], stats={f"acquire/{entry.status}": 1})


def _failed(outcome: Outcome) -> int:
    """1 when the input failed (one of its pages, for a WARC), for the progress line's count."""
    return int(any(e.status == "failed" for e in outcome.entries))


def _settle(task: Task, result: Outcome | Failure, budget: Budget) -> Outcome:
    outcome = result if isinstance(result, Outcome) else failed(task, result, budget)
    for trace in outcome.traces:
        log.debug("traceback of %s", trace.rstrip())
    return outcome


@dataclass
class Options:
    """How to run: the engine and its workers, and the per-page budget."""

    engine: str = "local"
    workers: int | None = None
    scheduler: str | None = None
    budget: Budget = field(default_factory=Budget)
    early_exit: bool = True  # stop pages whose content blocks show no exercise section (clean/gate.py)
    follow_links: bool = False  # symbolic links in input folders that point out of them

    def make_engine(self) -> Engine:
        return make_engine(self.engine, workers=self.workers, scheduler=self.scheduler, budget=self.budget,
                           warm_up=warm_up)


def outcomes(inputs: Iterable[str], *, stdin: bytes | None = None, until: str = "audit",
             options: Options | None = None, advance: Callable[..., None] | None = None,
             exclude: Iterable[str] = ()) -> Iterator[Outcome]:
    """Every input's Outcome, in input order (streamed: only pages in flight are held).
    Folders in `exclude` (an output folder) are never read as input."""
    options = options or Options()
    items = list(discover(inputs, exclude=exclude, follow_links=options.follow_links))
    if advance:
        advance(0, total=len(items))
    direct: list[tuple[int, Outcome]] = []  # inputs settled by discovery, without a task
    tasks: list[tuple[int, Task]] = []

    def feed() -> Iterator[Task]:
        for i, item in enumerate(items):
            if isinstance(item, ManifestEntry):
                direct.append((i, _discovered(item)))
                continue
            task = Task(item, stdin if item == STDIN else None, until, options.early_exit)
            tasks.append((i, task))
            yield task

    def tagged() -> Iterator[tuple[int, Outcome]]:
        engine = options.make_engine()
        try:
            for position, result in engine.map(process_one, feed()):
                if advance and direct:
                    advance(len(direct), failed=sum(_failed(o) for _, o in direct))
                yield from direct
                direct.clear()
                i, task = tasks[position]
                tasks[position] = (i, None)  # type: ignore[assignment]  # let the task's bytes go
                outcome = _settle(task, result, options.budget)
                if advance:
                    advance(1, failed=_failed(outcome))
                yield i, outcome
        finally:
            engine.close()
        if advance and direct:
            advance(len(direct), failed=sum(_failed(o) for _, o in direct))
        yield from direct

    yield from in_order(tagged())


@dataclass
class RunResult:
    """Everything a run gave, in memory: for the Python API and tests on small inputs."""

    articles: list[Article] = field(default_factory=list)
    documents: list[CleanDocument] = field(default_factory=list)  # filled when until="clean"
    manifest: list[ManifestEntry] = field(default_factory=list)
    stats: Counter = field(default_factory=Counter)

    @property
    def processed(self) -> int:
        return sum(1 for m in self.manifest if m.status == "processed")

    def stats_dict(self) -> dict[str, int]:
        return dict(sorted(self.stats.items()))


def run(inputs: Iterable[str], *, stdin: bytes | None = None, until: str = "audit", exclude: Iterable[str] = (),
        options: Options | None = None) -> RunResult:
    """Run the stages on every input and collect the results (use `outcomes` to stream them)."""
    result = RunResult()
    inputs = list(inputs)
    for outcome in outcomes(inputs, stdin=stdin, until=until, options=options, exclude=exclude):
        result.articles.extend(outcome.articles)
        result.documents.extend(outcome.documents)
        result.manifest.extend(outcome.entries)
        result.stats.update(outcome.stats)
    assign_ids(result.articles, inputs)
    return result


# ---- into an output folder, incrementally -------------------------------------------------------

@dataclass
class DatasetResult:
    processed: int
    total: int
    stretches: int
    flags: int
    written: list[str]
    reused: int = 0  # inputs taken from the resume state
    up_to_date: bool = False  # nothing changed: the output set was left as it was
    kept_previous: bool = False  # nothing processed: the previous dataset was kept (SP503)
    duplicates: int = 0  # articles set aside as copies of kept ones (pipeline/curate/dataset.py)
    dataset_rows: int = 0  # rows of the curated dataset
    problems: list[ManifestEntry] = field(default_factory=list)  # skipped and failed inputs


def run_dataset(inputs: Iterable[str], output_set, *, formats: tuple[str, ...], stdin: bytes | None = None,
                options: Options | None = None, advance: Callable[..., None] | None = None) -> DatasetResult:
    """Process what changed, then write the whole set to a staging folder and swap it in.

    `output_set` is an opened (checked, locked) outputs.OutputSet. A run that processed nothing
    never replaces a dataset (`kept_previous`); a failed write raises OutputError (SP504) and
    leaves the previous set as it was."""
    from .state import StateStore

    inputs = list(inputs)
    options = options or Options()
    store = StateStore(output_set.state_path)
    try:
        items = list(discover(inputs, exclude=(output_set.out, output_set.home), follow_links=options.follow_links))
        if advance:
            advance(0, total=len(items))
        started = time.perf_counter()
        slots, reused = _process_changed(items, store, options, stdin, advance)
        log.debug("phase process: %d inputs (%d reused) in %.2f s", len(items), reused, time.perf_counter() - started)
        store.keep_only({s[0] for s in slots if isinstance(s, tuple)})
        summary = _Summary.of(slots, store, formats)
        result = DatasetResult(summary.processed, len(summary.manifest), summary.stretches, summary.flags, [],
                               reused, problems=[m for m in summary.manifest if m.status != "processed" or m.reason])
        if store.get_meta("set") == summary.fingerprint and output_set.has_dataset():
            result.up_to_date = True
            last = json.loads(store.get_meta("written") or "{}")
            result.written = last.get("files", [])
            result.stretches, result.duplicates, result.dataset_rows = (
                last.get("stretches", result.stretches), last.get("duplicates", 0), last.get("dataset_rows", 0))
        elif summary.processed == 0 and output_set.has_dataset():
            result.kept_previous = True
        else:
            started = time.perf_counter()
            if advance:
                advance(0, phase="writing the files")
            _write_set(output_set, store, inputs, slots, summary, formats, result)
            log.debug("phase write: %d files in %.2f s", len(result.written), time.perf_counter() - started)
        return result
    finally:
        store.close()


Slot = ManifestEntry | tuple[str, str | None]  # settled by discovery, or (input, digest of its bytes)


def _process_changed(items: list, store, options: Options, stdin: bytes | None,
                     advance: Callable[..., None] | None) -> tuple[list[Slot], int]:
    """Run the inputs the state does not hold for these bytes, this version and budget; each
    outcome is committed as it arrives. Returns every input's slot, in order, and how many were reused.

    A file whose size, modification time, change time and inode are as recorded, recorded when both
    times preceded the start of the run that recorded them, is trusted unchanged without reading it
    (git's rule for its index); a known file whose stat changed is hashed; a new file is read only
    by its worker, which returns the digest of what it read."""
    from .state import digest

    started = time.time_ns()  # a file changed after this may change again within its clock's tick: hash it next time
    budget_key = f"{options.budget.timeout_seconds:g}s/{options.budget.memory_mb}MB"
    slots: list[Slot] = []
    tasks: list[tuple[Task, int, str | None]] = []  # task, its slot, the stat it had when sent
    reused = 0

    def feed() -> Iterator[Task]:
        nonlocal reused
        for item in items:
            if isinstance(item, ManifestEntry):
                slots.append(item)
                if advance:
                    advance(1, failed=int(item.status == "failed"))
                continue
            stat = None if item == STDIN else _stat(item)
            dig = digest(stdin) if item == STDIN and stdin is not None else store.stat_digest(item, stat)
            if dig is None and stat is not None and store.knows(item):  # touched or changed: hash it
                data = _bytes_for_digest(item)
                dig = digest(data) if data is not None else None
            slots.append((item, dig))
            if dig is not None and store.is_current(item, dig, budget_key, BUDGET_CODES):
                store.put_stat(item, _trusted(stat, started))
                reused += 1
                if advance:
                    advance(1)
                continue
            task = Task(item, stdin if item == STDIN else None, early_exit=options.early_exit)
            tasks.append((task, len(slots) - 1, stat))
            yield task

    engine = options.make_engine()
    try:
        for position, result in engine.map(process_one, feed()):
            task, slot, stat = tasks[position]
            tasks[position] = (None, 0, None)  # type: ignore[assignment]  # let the task's bytes go
            outcome = _settle(task, result, options.budget)
            dig = outcome.digest if task.source != STDIN else slots[slot][1]
            if dig is None and isinstance(result, Failure) and task.source != STDIN:
                dig = _file_digest(task.source)  # its worker was stopped before it said: kept by digest and budget
            slots[slot] = (task.source, dig)
            codes = ",".join(sorted({e.code for e in outcome.entries if e.code}))
            store.put(task.source, dig, budget_key, codes, outcome, _Summary.summarize(outcome))
            store.put_stat(task.source, _trusted(stat, started) if dig is not None else None)
            if advance:
                advance(1, failed=_failed(outcome))
    finally:
        engine.close()
    return slots, reused


def _stat(path: str) -> str | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino}"


def _trusted(stat: str | None, started_ns: int) -> str | None:
    """The stat to record: only when neither time reaches the run's start (a file changed within the
    clock tick the run started in could change again unseen; git calls it racily clean)."""
    if stat is None:
        return None
    _, mtime, ctime, _ = stat.split()
    return stat if max(int(mtime), int(ctime)) < started_ns else None


def _file_digest(path: str) -> str | None:
    from .state import digest

    data = _bytes_for_digest(path)
    return digest(data) if data is not None else None


@dataclass
class _Summary:
    """The manifest, the stats and the counts of a run, and a fingerprint of everything the output
    set depends on (version, formats, each input's digest and manifest entries)."""

    manifest: list[ManifestEntry]
    stats: Counter
    stretches: int
    flags: int
    fingerprint: str

    @property
    def processed(self) -> int:
        return sum(1 for m in self.manifest if m.status == "processed")

    @staticmethod
    def summarize(outcome: Outcome) -> tuple:
        """What `of` needs of one input's outcome, kept beside it in the state: a no-op re-run reads
        these, not the outcomes (whose articles are most of the state)."""
        stretches = flags = 0
        if outcome.articles:
            from .audit import all_flags  # only where there are articles
            for article in outcome.articles:
                stretches += len(article.stretches)
                flags += len(all_flags(article))
        entries = json.dumps([e.to_dict() for e in outcome.entries], sort_keys=True)
        return outcome.entries, outcome.stats, stretches, flags, entries

    @classmethod
    def of(cls, slots: list[Slot], store, formats: tuple[str, ...]) -> _Summary:
        manifest: list[ManifestEntry] = []
        stats: Counter = Counter()
        stretches = flags = 0
        fingerprint = hashlib.blake2b(f"{store.version}\0{','.join(formats)}".encode(), digest_size=16)
        kept = store.summaries()
        for slot in slots:
            if isinstance(slot, ManifestEntry):
                manifest.append(slot)
                stats[f"acquire/{slot.status}"] += 1
                fingerprint.update(json.dumps(slot.to_dict(), sort_keys=True).encode())
                continue
            summary = kept.get(slot[0]) or cls.summarize(store.load(slot[0]))
            entries, outcome_stats, outcome_stretches, outcome_flags, entries_json = summary
            manifest.extend(entries)
            stats.update(outcome_stats)
            stretches += outcome_stretches
            flags += outcome_flags
            fingerprint.update(f"\0{slot[0]}\0{slot[1]}\0".encode("utf-8", "surrogateescape") + entries_json.encode())
        return cls(manifest, stats, stretches, flags, fingerprint.hexdigest())


def _write_set(output_set, store, inputs: list[str], slots: list[Slot], summary: _Summary,
               formats: tuple[str, ...], result: DatasetResult) -> None:
    """Write every file into a staging folder and swap it in whole (SP504 if anything fails)."""
    from .curate.dataset import finish
    from .emit import write_outputs

    articles = _StoredArticles(store, [s[0] for s in slots if isinstance(s, tuple)])
    staging = output_set.stage()
    try:
        # ids, duplicates, dataset; dedupe's spill file lives beside the set (a full disk is SP504 too)
        finished = finish(articles, inputs, manifest=summary.manifest, stats=summary.stats, spill_dir=output_set.home)
        result.duplicates, result.dataset_rows = len(finished.duplicates), len(finished.dataset)
        result.stretches -= sum(d.record_count for d in finished.duplicates)  # count the kept articles' only
        names = [p.name for p in write_outputs(staging, finished.articles, summary.manifest,
                                               dict(sorted(summary.stats.items())), formats,
                                               dataset=finished.dataset, duplicates=finished.duplicates)]
        output_set.commit(staging)
    except OSError as exc:
        output_set.discard(staging)
        raise errors.output_error(errors.WRITE_FAILED, path=str(output_set.out),
                                  detail=exc.strerror or str(exc)) from exc
    result.written = [str(output_set.out / n) for n in names]
    store.set_meta("set", summary.fingerprint)
    store.set_meta("written", json.dumps({"files": result.written, "stretches": result.stretches,
                                          "duplicates": result.duplicates, "dataset_rows": result.dataset_rows}))


class _StoredArticles:
    """The run's articles in input order, read from the resume state each time they are iterated,
    so that writing the outputs never needs the whole corpus in memory at once."""

    def __init__(self, store, sources: list[str]):
        self._store, self._sources = store, sources

    def __iter__(self) -> Iterator[Article]:
        for source in self._sources:
            yield from self._store.load(source).articles


def _bytes_for_digest(path: str) -> bytes | None:
    """The bytes of a regular file within the read limit, for its content digest; None for anything
    else: the worker reads those and reports them (acquire's codes), and they are not cached."""
    try:
        return read_bytes(path)
    except errors.InputError:
        return None
