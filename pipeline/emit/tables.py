"""The output tables: which record class each one holds, its keys, and its rows."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..curate.curate import DatasetRow
from ..curate.dedupe import Duplicate
from ..records import Article, ArticleRow, Flag, Stretch
from ..schema import to_data


@dataclass(frozen=True)
class Table:
    name: str
    record: type  # the dataclass that defines a row
    description: str
    primary_key: str = "id"
    foreign_keys: list[dict] = field(default_factory=list)


def _fk(column: str, table: str) -> dict:
    return {"fields": [column], "reference": {"resource": table, "fields": ["id"]}}


TABLES = (
    Table("stretches", Stretch, "One row per stretch record (static and dynamic stretches) of a kept article.",
          foreign_keys=[_fk("article_id", "articles")]),
    Table("articles", ArticleRow, "One row per kept article: source, claims, removed blocks, article-level flags."),
    Table("flags", Flag, "One row per audit or curation flag, with the id of the article, record or dataset row "
          "it is about.", foreign_keys=[_fk("article_id", "articles"), _fk("record_id", "stretches"),
                                        _fk("dataset_id", "dataset")]),
    Table("dataset", DatasetRow, "The curated dataset: one row per canonical stretch across all articles."),
    Table("duplicates", Duplicate, "Articles set aside as copies of a kept article (exact or near duplicates).",
          foreign_keys=[_fk("kept_id", "articles")]),
)
TABLE_BY_NAME = {t.name: t for t in TABLES}


def stretch_flags(article: Article) -> list[Flag]:
    """Flags of the flags table: article-level and on stretch records (other exercises keep theirs
    in `articles.other_exercises`)."""
    return list(article.flags) + [f for r in article.stretches for f in r.flags]


def table_rows(articles, dataset: list[DatasetRow], duplicates: list[Duplicate]) -> Iterator[tuple[str, dict]]:
    """Every table's rows as (table name, plain data), in writing order; `articles` is read once,
    one article at a time (it may stream from disk), and no table is gathered in memory."""
    for article in articles:
        for record in article.stretches:
            yield "stretches", to_data(record)
        yield "articles", to_data(article.row())
        for flag in stretch_flags(article):
            yield "flags", to_data(flag)
    for row in dataset:
        for flag in row.flags:
            yield "flags", to_data(flag)
    for row in dataset:
        yield "dataset", to_data(row)
    for duplicate in duplicates:
        yield "duplicates", to_data(duplicate)


def table_lists(articles, dataset: list[DatasetRow], duplicates: list[Duplicate]) -> dict[str, list[dict]]:
    """Every table's rows gathered in lists (for small runs held in memory: the Python API)."""
    rows: dict[str, list[dict]] = {t.name: [] for t in TABLES}
    for name, row in table_rows(articles, dataset, duplicates):
        rows[name].append(row)
    return rows
