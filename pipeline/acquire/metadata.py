"""What an HTML page says about itself: canonical URL, title, author, dates, language, and its
schema.org JSON-LD (HowTo steps kept for the audit's structured-data-mismatch rule).

trafilatura reads the page's metadata (title, author, canonical URL, site name) and htmldate the
publication and update dates; JSON-LD values win where present. JSON-LD is read tolerantly: HTML
comments, CDATA wrappers, raw control characters and trailing commas are forgiven; a block that
still does not parse is counted in `json_ld_broken`, never an error. A page whose metadata cannot
be read at all gets none; its text is still processed.

A page is parsed once: the tree read here (`clean.html.parse_shared`, never changed here) is the
one the clean stage walks next.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ..clean.blocks import collapse_ws
from ..records import HowTo, Page, PageMetadata

log = logging.getLogger("stretchpipe")

_WRAPPERS = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_TAGS = re.compile(r"<[^>]+>")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
ARTICLE_TYPES = {"Article", "NewsArticle", "BlogPosting", "WebPage", "MedicalWebPage", "Report", "TechArticle"}


def page_metadata(html: str, url: str | None = None) -> PageMetadata | None:
    try:
        return _read(html, url)
    except Exception:  # metadata is a bonus: a page is never lost over it
        log.debug("metadata not read from %s", url, exc_info=True)
        return None


def _read(html: str, url: str | None) -> PageMetadata | None:
    from htmldate import find_date

    from ..clean.html import parse_shared  # the tree the clean stage walks next: one parse per page

    tree = parse_shared(html)
    if tree is None:
        return None
    objects, broken = json_ld(tree)
    article = next((o for o in objects if _types(o) & ARTICLE_TYPES), {})
    ld_title, ld_author = _text(article.get("headline")), _author(article.get("author"))
    ld_published = _date(article.get("datePublished"))
    updated = _date(article.get("dateModified")) or find_date(tree, extensive_search=False, original_date=False)
    # no author search here: it is the costliest step and only pages that give records use the
    # author, so process_page asks for it then (with_author)
    meta = trafilatura_metadata(tree, url, title=not ld_title, author=False, date=not ld_published)
    published = ld_published or meta.date  # trafilatura asks htmldate for the original date
    return PageMetadata(
        canonical_url=_canonical(tree) or (meta.url if meta.url != url else None) or None,
        title=ld_title or _line(meta.title),
        author=ld_author or _line(meta.author),
        published=published or None,
        updated=updated if updated and updated != published else None,
        language=_language(tree) or _text(article.get("inLanguage")) or None,
        site_name=_line(meta.sitename),
        json_ld_types=tuple(sorted({t for o in objects for t in _types(o)})),
        howto=tuple(h for o in objects if _types(o) & {"HowTo", "ExercisePlan"} for h in [_howto(o)] if h.steps),
        json_ld_broken=broken,
    )


def with_author(page: Page) -> Page:
    """The page with its author searched in its body (trafilatura's `extract_author`) when its
    `<meta>` tags and JSON-LD name none: the step `page_metadata` leaves out, for the pages whose
    author is used (those that give records). The search copies the whole tree and costs about
    4 ms, on the ~40% of news pages that name no author up front; it runs on a fresh parse of the
    same text, as it would have in `page_metadata`. The same author either way (tests/test_metadata.py)."""
    meta = page.metadata
    if meta is None or meta.author is not None or page.format != "html":
        return page
    try:
        author = search_author(page.text)
    except Exception:  # metadata is a bonus: a page is never lost over it
        log.debug("author not searched in %s", page.source, exc_info=True)
        return page
    author = _line(author)
    return replace(page, metadata=replace(meta, author=author)) if author else page


def search_author(html: str) -> str | None:
    """trafilatura's author search on the page, cleaned and trimmed as `extract_metadata` does."""
    from trafilatura import metadata as tm

    from ..clean.html import parse_fresh

    tree = parse_fresh(html)
    if tree is None:
        return None
    found = tm.Document()
    found.author = tm.extract_author(tree)
    found.clean_and_trim()
    return found.author or None


def trafilatura_metadata(tree, url: str | None, *, title: bool = True, author: bool = True, date: bool = True):
    """trafilatura's `extract_metadata` (its steps in its order, trafilatura 2.x), less what
    stretchpipe never reads: categories, tags and license (a third of its time), and the title,
    author and date searches when the page's JSON-LD already gives them (`title`/`author`/`date`
    False; the author search, which copies the whole tree, is its costliest step). The fields read
    here (title, author, url, sitename, date) are checked equal to extract_metadata's on real pages
    by tests/test_metadata.py, so an upgrade of trafilatura that changes its steps fails there."""
    from htmldate import find_date
    from trafilatura import metadata as tm

    meta = tm.examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None  # trafilatura: a one-word author from a <meta> tag is a handle, not a name
    try:
        meta = tm.extract_meta_json(tree, meta)
    except Exception:  # trafilatura's own guard: its JSON-LD reader has bugs
        log.debug("trafilatura's JSON-LD reading failed", exc_info=True)
    if title and not meta.title:
        meta.title = tm.extract_title(tree)
    if author and not meta.author:
        meta.author = tm.extract_author(tree)
    if not meta.url:
        meta.url = tm.extract_url(tree, url)
    if date:
        meta.date = find_date(tree, extensive_search=False, original_date=True, url=meta.url)
    if not meta.sitename:
        meta.sitename = tm.extract_sitename(tree)
    if meta.sitename:
        meta.sitename = meta.sitename.lstrip("@")  # a Twitter handle
        if meta.sitename and "." not in meta.sitename and not meta.sitename[0].isupper():
            meta.sitename = meta.sitename.title()
    elif meta.url and (host := tm.META_URL.match(meta.url)):
        meta.sitename = host[1]
    meta.clean_and_trim()  # entities, spaces, control characters; at most 10,000 characters
    return meta


def json_ld(tree) -> tuple[list[dict[str, Any]], int]:
    """Every JSON-LD object on the page (lists and @graph flattened), and the number of broken blocks."""
    objects: list[dict[str, Any]] = []
    broken = 0
    for script in tree.xpath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]"):
        data = _parse(script.text or "")
        if data is None:
            broken += bool((script.text or "").strip())
            continue
        objects.extend(_flatten(data))
    return objects, broken


def _parse(text: str) -> Any:
    text = _WRAPPERS.sub("", text.strip())
    for attempt in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            continue
    return None


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        if "@graph" in data:
            yield from _flatten(data["@graph"])
        if "@type" in data:
            yield data
        for key in ("mainEntity", "mainEntityOfPage", "hasPart"):
            if isinstance(data.get(key), (dict, list)):
                yield from _flatten(data[key])


def _types(obj: dict[str, Any]) -> set[str]:
    kinds = obj.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return {k.rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)}


def _howto(obj: dict[str, Any]) -> HowTo:
    steps = [s for s in _steps(obj.get("step") or obj.get("steps") or obj.get("recipeInstructions")) if s]
    return HowTo(name=_text(obj.get("name")) or "", steps=tuple(steps))


def _steps(value: Any) -> Iterator[str]:
    """HowToStep/HowToDirection texts in order, through HowToSection and ItemList nesting."""
    if isinstance(value, str):
        yield _plain(value)
    elif isinstance(value, list):
        for item in value:
            yield from _steps(item)
    elif isinstance(value, dict):
        if "itemListElement" in value:
            yield from _steps(value["itemListElement"])
        elif isinstance(value.get("text") or value.get("name"), str):
            yield _plain(value.get("text") or value.get("name"))


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return _plain(value) if isinstance(value, str) and value.strip() else None


def _plain(text: str) -> str:
    return collapse_ws(_TAGS.sub(" ", text))


def _line(text: str | None) -> str | None:
    """A field as one line of text, control characters dropped (as in all text); None when empty."""
    return collapse_ws(text) or None if text else None


def _author(value: Any) -> str | None:
    items = value if isinstance(value, list) else [value]
    names = [_text(a.get("name")) if isinstance(a, dict) else _text(a) for a in items]
    names = [n for n in names if n]
    return ", ".join(dict.fromkeys(names)) or None


def _date(value: Any) -> str | None:
    value = _text(value)
    return value[:10] if value and _ISO_DATE.match(value) else None


def _canonical(tree) -> str | None:
    hrefs = tree.xpath("//link[contains(concat(' ', translate(@rel, 'CANONICAL', 'canonical'), ' '), ' canonical ')]/@href")
    return hrefs[0].strip() or None if hrefs else None


_LANGUAGE_SOURCES = ("/html/@lang | //html/@lang | //html/@xml:lang",
                     "//meta[translate(@http-equiv, 'CONTENTLANGUAGE', 'contentlanguage')='content-language']/@content",
                     "//meta[@property='og:locale']/@content")


def _language(tree) -> str | None:
    for source in _LANGUAGE_SOURCES:  # in order, each searched only when the ones before say nothing
        for value in tree.xpath(source):
            value = value.strip().replace("_", "-")
            if value:
                return value.split(",")[0].strip()
    return None
