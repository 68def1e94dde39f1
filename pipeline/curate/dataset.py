"""The stages that need every article of a run: identity, duplicate articles, the curated dataset.

`finish(articles, roots)` takes the run's articles in input order, as a list or as an iterable
that can be read again (the executor streams them from its resume state, so a large run never
holds every article at once): the first pass sets ids and gathers what dedupe needs (a MinHash
signature in memory, the shingles on disk); the second gives the kept articles' records to
curation one at a time; a third, when the files are written, yields the kept articles with the
same ids.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .identity import IdAssigner, relative_path
from ..records import Article, ManifestEntry


@dataclass
class Finished:
    articles: Iterable[Article]  # the kept articles, ids set; iterable more than once
    duplicates: list = field(default_factory=list)  # dedupe.Duplicate
    dataset: list = field(default_factory=list)  # curate.DatasetRow


class _Kept:
    def __init__(self, articles: Iterable[Article], roots: list[str], dropped: set[str]):
        self._articles, self._roots, self._dropped = articles, roots, dropped

    def __iter__(self) -> Iterator[Article]:
        assigner = IdAssigner(self._roots)  # a fresh pass gives the same ids in the same order
        for article in self._articles:
            if assigner.assign(article).id not in self._dropped:
                yield article


def finish(articles: Iterable[Article], roots: Iterable[str], *, manifest: list[ManifestEntry] | None = None,
           stats=None, dedupe: bool = True, curate: bool = True, spill_dir=None) -> Finished:
    """`spill_dir`: where dedupe keeps its temporary files (signatures, shingles, LSH index;
    default: the system's temp folder)."""
    from .curate import Curator
    from .dedupe import DuplicateFinder

    roots = [str(r) for r in roots]
    assigner = IdAssigner(roots)
    finder = DuplicateFinder(spill_dir=spill_dir)
    try:
        for article in articles:  # first pass: ids, and what dedupe needs (kept compact or on disk)
            assigner.assign(article)
            if dedupe:
                finder.add(article)
        duplicates = finder.duplicates() if dedupe and len(finder.candidates) > 1 else []
    finally:
        finder.close()
    dropped = {d.id for d in duplicates}
    kept = [a for a in articles if a.id not in dropped] if isinstance(articles, list) else \
        _Kept(articles, roots, dropped)
    dataset = []
    if curate:  # second pass: the kept articles' records, one at a time
        curator = Curator()
        for article in kept:
            curator.add_article(article)
        dataset = curator.rows()
    if manifest is not None:
        _note_duplicates(manifest, duplicates, {c.id: c.label for c in finder.candidates}, roots)
    if stats is not None:
        stats["dedupe/duplicates"] = len(duplicates)
        if curate:
            stats["curate/rows"] = len(dataset)
            stats["curate/source-conflict"] = sum(len(r.flags) for r in dataset)
    return Finished(kept, duplicates, dataset)


def _note_duplicates(manifest: list[ManifestEntry], duplicates, labels: dict[str, str], roots: list[str]) -> None:
    """The manifest says, for each input set aside, which article it duplicates."""
    by_label = {labels[d.id]: d for d in duplicates}
    for entry in manifest:
        dup = by_label.get(relative_path(entry.source, roots)) if entry.status == "processed" else None
        if dup is not None:
            note = f"duplicate ({dup.method}) of {labels[dup.kept_id]}, set aside; see duplicates.json"
            entry.reason = f"{entry.reason}; {note}" if entry.reason else note
