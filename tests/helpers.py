"""Small helpers shared by the tests: run one page through the stages in memory."""
from pipeline.acquire import read_page
from pipeline.audit import audit_article
from pipeline.clean import clean_page
from pipeline.extract import extract_article
from pipeline.records import Page


def page_from(text: str, fmt: str = "text", source: str = "test") -> Page:
    return Page(source=source, format=fmt, text=text)


def article_from(text: str, fmt: str = "text"):
    doc = clean_page(page_from(text, fmt))
    return audit_article(extract_article(doc), doc=doc)


def article_from_file(path):
    doc = clean_page(read_page(str(path)))
    return audit_article(extract_article(doc), doc=doc)


def by_name(article):
    return {r.name: r for r in article.records}
