"""Duplicate articles: exact copies and near-duplicates, each kept once, the rest written out.

Exact copies have the same cleaned text (after case and white space are normalised).
Near-duplicates (one article saved twice with different chrome, syndicated on two sites, the
HTML and the text dump of one page) are found with MinHash LSH Ensemble (datasketch) over word
shingles, which finds the articles that contain most of a given one; every candidate pair is then
confirmed by computing the real containment of the two shingle sets, so the LSH only decides
which pairs are worth comparing. Clusters are the connected
components of confirmed pairs. The article kept is chosen deterministically (most stretch
records, then the most text, then the smallest id); every other member becomes a `Duplicate`
row pointing at it, so nothing is dropped without a trace.
"""
from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass, field

from .config import DEDUPE, DedupeConfig
from .records import Article, ArticleSource

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Duplicate:
    """An article set aside as a copy of a kept article."""

    id: str = field(metadata={"doc": "the id the duplicate article would have had"})
    kept_id: str = field(metadata={"doc": "the article kept in its place (one cluster per kept article)"})
    method: str = field(metadata={"enum": ("exact", "near"), "doc": "exact: same cleaned text; near: MinHash "
                                  "candidate confirmed by shingle similarity"})
    similarity: float = field(metadata={"minimum": 0, "doc": "share of the smaller article's word 5-grams found in "
                                        "the other (1 for exact)"})
    record_count: int = field(metadata={"minimum": 0, "doc": "stretch records the duplicate had"})
    source: ArticleSource


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def shingles(text: str, size: int) -> set[str]:
    tokens = words(text)
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i:i + size]) for i in range(len(tokens) - size + 1)}


def similarity(a: set[str], b: set[str]) -> float:
    """How much of the smaller text the larger one contains (overlap coefficient). Chrome left
    on one copy only makes that copy larger, so a copy stays a copy; a shared paragraph between two
    different articles is a small share of either."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@dataclass(frozen=True)
class Candidate:
    """What dedupe needs of an article (not the article itself, so a large run stays small)."""

    id: str
    text: str  # the cleaned text's words, lower-cased, joined by single spaces
    stretch_count: int
    source: ArticleSource

    @property
    def label(self) -> str:
        return self.source.path or self.source.url or self.id

    @classmethod
    def of(cls, article: Article) -> Candidate:
        text = article.text or " ".join([article.title or "", *(" ".join([r.name, *r.steps])
                                                                   for r in article.records)])
        return cls(article.id, " ".join(words(text)), len(article.stretches), article.source)


def find_duplicates(candidates: list[Candidate], config: DedupeConfig = DEDUPE) -> list[Duplicate]:
    """The articles to set aside, each pointing at the article kept in its place."""
    from datasketch import MinHash, MinHashLSHEnsemble

    texts = [c.text for c in candidates]
    parent = list(range(len(candidates)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    by_hash: dict[str, int] = {}
    for i, text in enumerate(texts):
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest in by_hash:
            union(by_hash[digest], i)
        else:
            by_hash[digest] = i
    first_copies = set(by_hash.values())

    sets = [shingles(t, config.shingle_words) if i in first_copies else set() for i, t in enumerate(texts)]
    distinct = [i for i in sorted(first_copies) if sets[i]]  # exact copies are already joined to their first copy
    signatures = {}
    for i in distinct:
        mh = MinHash(num_perm=config.num_perm, seed=config.seed, hashfunc=zlib.crc32)  # C-speed, stable 32-bit
        mh.update_batch([s.encode("utf-8") for s in sets[i]])  # order does not change a MinHash
        signatures[i] = mh
    if len(distinct) > 1:
        # LSH Ensemble answers "which sets contain most of this one": the same measure as the
        # confirmation, so a copy with extra kept text (comments, a Q&A) is still a candidate
        lsh = MinHashLSHEnsemble(threshold=config.lsh_threshold, num_perm=config.num_perm,
                                 num_part=config.lsh_partitions)
        lsh.index([(i, signatures[i], len(sets[i])) for i in distinct])
        for i in distinct:
            for j in sorted(lsh.query(signatures[i], len(sets[i]))):
                if j != i and similarity(sets[i], sets[j]) >= config.min_similarity:
                    union(i, j)

    clusters: dict[int, list[int]] = {}
    for i in range(len(candidates)):
        clusters.setdefault(find(i), []).append(i)
    duplicates: list[Duplicate] = []
    for members in clusters.values():
        if len(members) == 1:
            continue
        keep = min(members, key=lambda i: (-candidates[i].stretch_count, -len(texts[i]), candidates[i].id))
        for i in members:
            if i == keep:
                continue
            exact = texts[i] == texts[keep]
            score = 1.0 if exact else similarity(sets[i] or shingles(texts[i], config.shingle_words),
                                                 sets[keep] or shingles(texts[keep], config.shingle_words))
            c = candidates[i]
            duplicates.append(Duplicate(c.id, candidates[keep].id, "exact" if exact else "near",
                                        round(score, 4), c.stretch_count, c.source))
    duplicates.sort(key=lambda d: (d.kept_id, d.id))
    return duplicates
