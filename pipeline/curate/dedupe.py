"""Duplicate articles: exact copies and near-duplicates, each kept once, the rest written out.

Exact copies have the same cleaned text (after case and white space are normalised).
Near-duplicates (one article saved twice with different chrome, syndicated on two sites, the
HTML and the text dump of one page) are found with MinHash LSH Ensemble over word shingles
(datasketch's MinHash, and its LSH Ensemble partitions and parameters), which finds the articles
that contain most of a given one; every candidate pair is then confirmed by computing the real
containment of the two shingle sets, so the LSH only decides which pairs are worth comparing.
Clusters are the connected components of confirmed pairs. The article kept is chosen
deterministically (most stretch records, then the most text, then the smallest id); every other
member becomes a `Duplicate` row pointing at it, so nothing is dropped without a trace.

Words are not records: a beginner and an advanced version of one routine, or two short pages of
one site's template, share most of their words and differ in their holds, repetitions or stretch
names. Copies are copies only when their records agree: an article is set aside only when each of
its records (name, hold, repetitions, sides) is also a record of the article kept in its place,
so no record is ever lost to dedupe; a pair whose records disagree is never joined.

Memory stays small on large runs: articles are added one at a time (`DuplicateFinder.add`), each
keeps its id, source and a few numbers in memory; its 512-byte signature and its shingle set go to
temporary files (the shingles are read back only to confirm a candidate pair), and the LSH index
keeps its band keys in sorted arrays (`ContainmentIndex`, about 3 KB per article) rather than
datasketch's dicts of sets (about 80 KB per article, which was most of a 10,000-page run's memory),
mapped from temporary files, so that the system can reclaim them like any file cache.
"""
from __future__ import annotations

import hashlib
import re
import tempfile
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..config import DEDUPE, DedupeConfig
from ..records import Article, ArticleSource

if TYPE_CHECKING:  # numpy is imported where an index or a shingle set is built: a run with no
    import numpy as np  # article to compare (a one-page run) never pays for it

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


def similarity(a, b) -> float:
    """How much of the smaller text the larger one contains (overlap coefficient). Chrome left
    on one copy only makes that copy larger, so a copy stays a copy; a shared paragraph between two
    different articles is a small share of either. Takes two sets, or two sorted arrays of
    distinct shingle hashes."""
    if not len(a) or not len(b):
        return 0.0
    if not isinstance(a, (set, frozenset)):  # sorted arrays of distinct hashes
        import numpy as np
        common = len(np.intersect1d(a, b, assume_unique=True))
    else:
        common = len(a & b)
    return common / min(len(a), len(b))


def shingle_hashes(encoded: list[bytes]) -> np.ndarray:
    import numpy as np
    """A shingle set (its UTF-8 bytes) as sorted 64-bit hashes (blake2b, stable across runs and
    machines): 8 bytes a shingle instead of a Python string, and a C-speed intersection."""
    digests = b"".join(hashlib.blake2b(s, digest_size=8).digest() for s in encoded)
    return np.unique(np.frombuffer(digests, dtype=">u8").astype(np.uint64))


def article_text(article: Article) -> str:
    """The words dedupe compares: the cleaned text, lower-cased, joined by single spaces (the title
    and the records when an article has no text of its own)."""
    text = article.text or " ".join([article.title or "", *(" ".join([r.name, *r.steps]) for r in article.records)])
    return " ".join(words(text))


def record_facts(article: Article) -> frozenset[int]:
    """What each record of an article says that a copy must say too: its name, hold, repetitions and
    whether it is done on each side, one 64-bit hash per record (small enough to keep for every article)."""
    facts = set()
    for r in article.records:
        hold = (r.hold.min_seconds, r.hold.max_seconds) if r.hold else None
        reps = (r.repetitions.min, r.repetitions.max) if r.repetitions else None
        key = repr((" ".join(words(r.name)), hold, reps, r.per_side)).encode("utf-8")
        facts.add(int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big"))
    return frozenset(facts)


def _agree(a: Candidate, b: Candidate) -> bool:
    """The records of one are all records of the other: one may be set aside for the other."""
    return a.records <= b.records or b.records <= a.records


@dataclass(frozen=True)
class Candidate:
    """What dedupe keeps of an article in memory (not its text: that goes to the spill file)."""

    id: str
    stretch_count: int
    text_length: int
    source: ArticleSource
    records: frozenset[int] = frozenset()  # `record_facts`: what its records say, compared between copies

    @property
    def label(self) -> str:
        return self.source.path or self.source.url or self.id


def _sketch(module: str):
    """A module of datasketch (its MinHash, its LSH Ensemble's partitions) loaded without the package's
    __init__, which imports every sketch datasketch has and, through its LSH, scipy (about 1.2 s of
    every run that compares articles); these two need numpy only. A later `import datasketch` runs
    the __init__ as usual and finds the modules loaded here (the same classes)."""
    import importlib
    import importlib.util
    import sys
    if "datasketch" in sys.modules:
        return importlib.import_module(f"datasketch.{module}")
    sys.modules["datasketch"] = importlib.util.module_from_spec(importlib.util.find_spec("datasketch"))
    try:
        return importlib.import_module(f"datasketch.{module}")
    finally:
        del sys.modules["datasketch"]  # the bare package only while its submodule loads


def optimal_params(threshold: float, num_perm: int, m: int, xqs: list[float],
                   weights: tuple[float, float]) -> list[tuple[int, int]]:
    """datasketch's LSH Ensemble (bands, rows) for each query/index size ratio in `xqs`
    (`lshensemble._optimal_param`). They depend on these numbers and datasketch's version only,
    and computing them needs scipy's integration (over a second to import), so they are kept in the
    user's cache folder ($XDG_CACHE_HOME/stretchpipe, else ~/.cache/stretchpipe) under a key of all
    of them and computed only when the cached file is missing or damaged."""
    import json
    from importlib.metadata import version

    from ..cache import cache_folder, write_cached
    key = json.dumps([version("datasketch"), threshold, num_perm, m, xqs, list(weights)])
    path = cache_folder() / f"lsh-{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        params = [(int(b), int(r)) for b, r in cached["params"]]
        if cached["key"] == key and len(params) == len(xqs) and all(b >= 1 and r >= 1 for b, r in params):
            return params
    except (OSError, ValueError, KeyError, TypeError):
        pass  # missing or damaged: computed again
    import numpy as np
    from datasketch.lshensemble import _optimal_param
    params = [tuple(int(v) for v in _optimal_param(threshold, num_perm, m, np.float64(xq), *weights)) for xq in xqs]
    write_cached(path, json.dumps({"key": key, "params": params}).encode("utf-8"))
    return params


class ContainmentIndex:
    """MinHash LSH Ensemble (Zhu et al., VLDB 2016) over signatures given all at once: which
    indexed sets probably contain at least `threshold` of a query set.

    The partitions by set size and the (bands, rows) chosen for each query come from datasketch
    (`optimal_partitions`, `_optimal_param`), as in its `MinHashLSHEnsemble`; only the storage
    differs: for each partition and band width, one sorted array of 64-bit keys (band number and
    band hash) beside the row of the set, searched with `np.searchsorted`. Candidates are the
    same as datasketch's (band hashes are 32-bit, so a rare extra candidate is possible; the
    caller confirms every pair anyway)."""

    _MIX = 0x9E3779B97F4A7C15  # odd 64-bit constant for multiplicative hashing

    def __init__(self, signatures: np.ndarray, sizes: np.ndarray, *, threshold: float, num_part: int, m: int = 8,
                 weights: tuple[float, float] = (0.5, 0.5), store=None):
        import numpy as np
        optimal_partitions = _sketch("lshensemble_partition").optimal_partitions

        self.h = signatures.shape[1]
        self.xqs = np.exp(np.linspace(-5, 5, 10))  # query/index size ratios the parameters are tuned for
        self.params = np.array(optimal_params(threshold, self.h, m, self.xqs.tolist(), weights), dtype=int)
        self.signatures = signatures
        self._store = store or (lambda array: array)  # where a finished table is kept (memory, or a mapped file)
        unique, counts = np.unique(sizes, return_counts=True)
        self.uppers = [upper for _, upper in optimal_partitions(unique, counts, num_part)]
        order = np.argsort(sizes, kind="stable")
        part, members = 0, [[] for _ in self.uppers]
        for row in order:
            if sizes[row] > self.uppers[part]:
                part += 1
            members[part].append(row)
        rs = sorted({int(r) for _, r in self.params})
        self.tables = [{r: self._table(np.array(rows, dtype=np.int64), r) for r in rs} if rows else {}
                       for rows in members]

    def _band_keys(self, signatures: np.ndarray, r: int, bands: int) -> np.ndarray:
        """(rows x bands) keys: band number in the high 32 bits, the hash of its r values in the low."""
        import numpy as np
        values = signatures[:, :bands * r].reshape(len(signatures), bands, r).astype(np.uint64)
        if r == 1:
            low = values[:, :, 0]  # one 32-bit value is its own key
        else:
            acc = np.zeros(values.shape[:2], dtype=np.uint64)
            for k in range(r):
                acc = (acc ^ values[:, :, k]) * np.uint64(self._MIX)
            low = acc >> np.uint64(32)
        return (np.arange(bands, dtype=np.uint64) << np.uint64(32)) | low

    def _table(self, rows: np.ndarray, r: int) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np
        bands = self.h // r
        keys = self._band_keys(self.signatures[rows], r, bands).ravel()
        owners = np.repeat(rows, bands).astype(np.uint32)
        order = np.argsort(keys, kind="stable")
        return self._store(keys[order]), self._store(owners[order])

    def query(self, row: int, size: int) -> set[int]:
        import numpy as np
        found: set[int] = set()
        signature = self.signatures[row:row + 1]
        for upper, tables in zip(self.uppers, self.tables):
            if not tables:
                continue
            i = min(int(np.searchsorted(self.xqs, float(upper) / float(size), side="left")), len(self.params) - 1)
            b, r = (int(v) for v in self.params[i])
            keys, owners = tables[r]
            wanted = self._band_keys(signature, r, b).ravel()
            starts = np.searchsorted(keys, wanted, side="left")
            ends = np.searchsorted(keys, wanted, side="right")
            for start, end in zip(starts[ends > starts], ends[ends > starts]):
                found.update(owners[start:end].tolist())
        return found


class DuplicateFinder:
    """Add the run's articles one at a time (ids already set), then ask for the duplicates."""

    def __init__(self, config: DedupeConfig = DEDUPE, spill_dir=None):
        self.config = config
        self.candidates: list[Candidate] = []
        self._first: list[int] = []  # per article: the first article with the same text (itself if none)
        self._by_digest: dict[bytes, int] = {}
        self._distinct: list[int] = []  # first copies with at least one shingle
        # per distinct article: its MinHash values (uint32), spilled to a file
        self._signatures = tempfile.TemporaryFile(prefix="stretchpipe-dedupe-", dir=spill_dir)
        self._spill_dir = spill_dir
        self._sizes: list[int] = []  # per distinct article: distinct shingles
        self._spans: dict[int, tuple[int, int]] = {}  # article -> (offset, count) of its shingle hashes in the spill
        self._spill = tempfile.TemporaryFile(prefix="stretchpipe-dedupe-", dir=spill_dir)
        self._end = 0

    def add(self, article: Article) -> None:
        text = article_text(article)
        i = len(self.candidates)
        self.candidates.append(Candidate(article.id, len(article.stretches), len(text), article.source,
                                         record_facts(article)))
        digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        first = self._by_digest.setdefault(digest, i)
        self._first.append(first)
        if first != i:
            return  # an exact copy: joined to its first copy, never compared again
        shingle_set = shingles(text, self.config.shingle_words)
        if not shingle_set:
            return
        import numpy as np
        MinHash = _sketch("minhash").MinHash
        mh = MinHash(num_perm=self.config.num_perm, seed=self.config.seed, hashfunc=zlib.crc32)  # C-speed, stable
        encoded = [s.encode("utf-8") for s in shingle_set]
        mh.update_batch(encoded)  # order does not change a MinHash
        self._signatures.write(mh.hashvalues.astype(np.uint32).tobytes())  # values are below 2**32
        self._sizes.append(len(shingle_set))
        self._distinct.append(i)
        hashes = shingle_hashes(encoded)
        self._spill.seek(self._end)
        self._spill.write(hashes.tobytes())
        self._spans[i] = (self._end, len(hashes))
        self._end += hashes.nbytes

    def _hashes(self, i: int) -> np.ndarray:
        import numpy as np
        i = self._first[i]
        if i not in self._spans:
            return np.empty(0, dtype=np.uint64)
        offset, count = self._spans[i]
        self._spill.seek(offset)
        return np.frombuffer(self._spill.read(count * 8), dtype=np.uint64)

    def duplicates(self) -> list[Duplicate]:
        """The articles to set aside, each pointing at the article kept in its place."""
        n = len(self.candidates)
        parent = list(range(n))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        def union(i: int, j: int) -> None:
            ri, rj = find(i), find(j)
            if ri != rj:
                parent[max(ri, rj)] = min(ri, rj)

        for i, first in enumerate(self._first):
            union(first, i)
        if len(self._distinct) > 1:
            import numpy as np
            # LSH Ensemble answers "which sets contain most of this one": the same measure as the
            # confirmation, so a copy with extra kept text (comments, a Q&A) is still a candidate
            self._signatures.flush()
            signatures = _mapped(self._signatures, np.uint32, (len(self._distinct), self.config.num_perm))
            index = ContainmentIndex(signatures, np.array(self._sizes), store=self._on_disk,
                                     threshold=self.config.lsh_threshold, num_part=self.config.lsh_partitions)
            for row, i in enumerate(self._distinct):
                mine = None
                for other in sorted(index.query(row, self._sizes[row])):
                    j = self._distinct[other]
                    if j == i or find(i) == find(j):
                        continue  # a pair already joined needs no confirmation
                    if not _agree(self.candidates[i], self.candidates[j]):
                        continue  # alike in words, not in records: two articles
                    mine = self._hashes(i) if mine is None else mine
                    if similarity(mine, self._hashes(j)) >= self.config.min_similarity:
                        union(i, j)

        clusters: dict[int, list[int]] = {}
        for i in range(n):
            clusters.setdefault(find(i), []).append(i)
        duplicates: list[Duplicate] = []
        for members in clusters.values():
            if len(members) == 1:
                continue
            c = self.candidates
            keep = min(members, key=lambda i: (-c[i].stretch_count, -c[i].text_length, c[i].id))
            kept = self._hashes(keep)
            for i in members:
                if i == keep or not c[i].records <= c[keep].records:
                    continue  # a member whose records the kept article lacks stays an article of its own
                exact = self._first[i] == self._first[keep]
                score = 1.0 if exact else similarity(self._hashes(i), kept)
                duplicates.append(Duplicate(c[i].id, c[keep].id, "exact" if exact else "near", round(score, 4),
                                            c[i].stretch_count, c[i].source))
        duplicates.sort(key=lambda d: (d.kept_id, d.id))
        return duplicates

    def _on_disk(self, array: np.ndarray) -> np.ndarray:
        """The array kept in a temporary file and mapped back: the page cache holds it, not the heap."""
        if not array.size:
            return array
        fh = tempfile.TemporaryFile(prefix="stretchpipe-dedupe-", dir=self._spill_dir)
        with fh:  # the mapping keeps its own handle on the (unlinked) file
            fh.write(array.tobytes())
            fh.flush()
            return _mapped(fh, array.dtype, array.shape)

    def close(self) -> None:
        self._spill.close()
        self._signatures.close()


def _mapped(fh, dtype, shape: tuple[int, ...]) -> np.ndarray:
    import numpy as np
    return np.memmap(fh, dtype=dtype, mode="r", shape=shape)
