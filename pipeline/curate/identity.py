"""Identity and provenance: stable ids for articles, records and flags, and where each came from.

An article's id is a hash of its normalised source: the URL when known, else the input path
relative to the input root it was found under (so running from another folder, or on another
machine, gives the same ids). A record's id is the article id plus the section's position among
the article's exercise sections; a flag's id is its owner's id plus the rule.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit, urlunsplit

from ..records import Article, CleanDocument, Flag, Page
from ..vocab import target_areas

ID_LENGTH = 12  # hex digits of sha256: collisions need ~16 million articles to become likely
STDIN_SOURCE = "<stdin>"


def normalise_url(url: str) -> str:
    """Scheme and host lower-cased, default port, fragment and trailing slash dropped."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port and (parts.scheme, parts.port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), host, path, parts.query, ""))


def is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def relative_path(source: str, roots: Iterable[str]) -> str:
    """`source` as found under one of the input roots given: relative to that folder, or the
    file's own name when the file was given directly. POSIX separators, so ids do not depend on
    the operating system either."""
    if source == STDIN_SOURCE or is_url(source):
        return source
    path = Path(source)
    for root in roots:
        if root in ("-", ""):
            continue
        base = Path(root)
        if path == base:
            return path.name
        try:
            return PurePosixPath(*path.relative_to(base).parts).as_posix()
        except ValueError:
            continue
    return path.name


def article_key(url: str | None, path: str | None) -> str:
    return f"url:{normalise_url(url)}" if url else f"path:{path}"


def make_id(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:ID_LENGTH]


def attach_page(article: Article, page: Page, doc: CleanDocument) -> None:
    """Copy what the page says about itself into the article's source (the URL it was fetched from,
    else its canonical URL; author; publication date), and keep the cleaned text for finding
    duplicates."""
    article.text = doc.text
    meta = page.metadata
    url = page.url or (page.source if is_url(page.source) else None) or (meta.canonical_url if meta else None)
    for src in [article.source, *(r.source for r in article.records)]:
        src.url = url
        src.author = src.author or _text(meta.author if meta else None)
        src.date = src.date or _text(meta.published if meta else None)


def _text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or None
    return str(value)


class IdAssigner:
    """Sets relative source paths and the ids of every article, record and flag, and each record's
    `target_areas` (the vocabulary's ids), one article at a time in input order (so a run can
    stream its articles).

    Two inputs with the same key (the same file name given from two folders) get `#2`, `#3`... in
    input order, so ids stay unique and deterministic. An article that already has an id is left
    as it is, so assigning twice changes nothing."""

    def __init__(self, roots: Iterable[str]):
        self.roots = [str(r) for r in roots]
        self.seen: Counter[str] = Counter()

    def assign(self, article: Article) -> Article:
        if article.id:
            return article
        source = article.source.path
        path = relative_path(source, self.roots) if source and not is_url(source) else None
        key = article_key(article.source.url, path)
        self.seen[key] += 1
        if self.seen[key] > 1:
            key = f"{key}#{self.seen[key]}"
        article.id = make_id(key)
        article.source.path = path
        _stamp_flags(article.flags, article.id, None, article.id)
        for position, record in enumerate(article.records, start=1):
            record.id = f"{article.id}-{position:02d}"
            record.article_id = article.id
            record.source.path = path
            record.target_areas = target_areas(record.targets)  # vocabulary ids beside the page's words
            _stamp_flags(record.flags, article.id, record.id, record.id)
        return article


def assign_ids(articles: Iterable[Article], roots: Iterable[str]) -> None:
    """`IdAssigner` over a list of articles, in place."""
    assigner = IdAssigner(roots)
    for article in articles:
        assigner.assign(article)


def _stamp_flags(flags: list[Flag], article_id: str, record_id: str | None, owner: str) -> None:
    counts: Counter[str] = Counter()
    for flag in flags:
        counts[flag.rule] += 1
        suffix = f"-{counts[flag.rule]}" if counts[flag.rule] > 1 else ""
        flag.id = f"{owner}-{flag.rule}{suffix}"
        flag.article_id = article_id
        flag.record_id = record_id
        if flag.related_positions:  # record ids are the article id and the record's position, from 1
            flag.related = [f"{article_id}-{position + 1:02d}" for position in flag.related_positions]
