"""The executor: reader -> clean -> extract -> audit for each input, with per-step stats.

One bad page never stops a run: every input ends as an article or as a manifest entry that
says why it was skipped or failed.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from . import errors
from .acquire import discover, display_name, read_pages
from .audit import all_flags, audit_article
from .clean import clean_page
from .extract import extract_article
from .knowledge import load_knowledge
from .records import Article, CleanDocument, ManifestEntry, Page

log = logging.getLogger("stretchpipe")


@dataclass
class RunResult:
    articles: list[Article] = field(default_factory=list)
    documents: list[CleanDocument] = field(default_factory=list)  # filled when run(until="clean")
    manifest: list[ManifestEntry] = field(default_factory=list)
    stats: Counter = field(default_factory=Counter)

    @property
    def processed(self) -> int:
        return sum(1 for m in self.manifest if m.status == "processed")

    def stats_dict(self) -> dict[str, int]:
        return dict(sorted(self.stats.items()))


def process_page(page: Page) -> tuple[CleanDocument, Article]:
    kb = load_knowledge()
    doc = clean_page(page, kb)
    article = audit_article(extract_article(doc, kb), kb, doc)
    return doc, article


def run(inputs: Iterable[str], *, stdin: bytes | None = None,
        progress: Callable[[Iterable], Iterable] | None = None, until: str = "audit",
        exclude: Iterable[str] = ()) -> RunResult:
    """Run the stages on every input; `until="clean"` stops after cleaning (for `stretchpipe clean`).
    Folders in `exclude` (the --out folder) are never read as input."""
    result = RunResult()
    items = list(discover(inputs, exclude=exclude))
    for item in (progress(items) if progress else items):
        if isinstance(item, ManifestEntry):
            result.manifest.append(item)
            result.stats[f"acquire/{item.status}"] += 1
            continue
        try:
            for page in read_pages(item, stdin=stdin, stats=result.stats):  # several for a WARC
                _run_page(result, page, until)
        except errors.InputError as exc:
            status = errors.status_of(exc.code)
            result.manifest.append(ManifestEntry(display_name(item), status, reason=str(exc), code=exc.code))
            result.stats[f"acquire/{status}"] += 1
    return result


def _run_page(result: RunResult, page: Page, until: str) -> None:
    source = page.source
    result.stats["acquire/read"] += 1
    if until == "clean":
        doc = clean_page(page, load_knowledge())
        result.documents.append(doc)
        result.manifest.append(ManifestEntry(source, "processed", format=page.format, encoding=page.encoding,
                                             encoding_rule=page.encoding_rule))
        result.stats["clean/blocks_kept"] += len(doc.blocks)
        return
    try:
        doc, article = process_page(page)
    except Exception as exc:  # one bad page never stops the run; the manifest says what broke
        log.debug("failed on %s", source, exc_info=True)  # the manifest and stderr line say what broke
        result.manifest.append(ManifestEntry(source, "failed", reason=f"[SP900] internal error: {exc!r}; "
                                             "please report it with the input", code="SP900",
                                             format=page.format, encoding=page.encoding,
                                             encoding_rule=page.encoding_rule))
        result.stats["extract/failed"] += 1
        return
    _count(result.stats, doc, article)
    entry = ManifestEntry(source, "processed", format=page.format, encoding=page.encoding,
                          records=len(article.stretches), encoding_rule=page.encoding_rule)
    if page.encoding != "utf-8":
        entry.reason = f"not UTF-8: decoded as {page.encoding} ({page.encoding_rule})"
    if not article.records:
        err = errors.input_error(errors.NO_EXERCISES, path=source)
        entry.status, entry.reason, entry.code = "skipped", str(err), err.code
    else:
        result.articles.append(article)
    result.manifest.append(entry)


def _count(stats: Counter, doc: CleanDocument, article: Article) -> None:
    stats["clean/blocks_kept"] += len(doc.blocks)
    for removed in doc.removed:
        stats[f"clean/removed/{removed.reason}"] += 1
    stats["extract/records"] += len(article.records)
    stats["extract/stretches"] += len(article.stretches)
    for flag in all_flags(article):
        stats[f"audit/{flag.rule}"] += 1
