"""The output tables: which record class each one holds, its keys, and its rows."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..curate import DatasetRow
from ..dedupe import Duplicate
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


def table_rows(articles, dataset: list[DatasetRow], duplicates: list[Duplicate]) -> dict[str, list[dict]]:
    """Every table's rows as plain data; `articles` is read once (it may stream from disk)."""
    rows: dict[str, list[dict]] = {"stretches": [], "articles": [], "flags": []}
    for article in articles:
        rows["stretches"].extend(to_data(r) for r in article.stretches)
        rows["articles"].append(to_data(article.row()))
        rows["flags"].extend(to_data(f) for f in stretch_flags(article))
    rows["flags"].extend(to_data(f) for d in dataset for f in d.flags)
    rows["dataset"] = [to_data(d) for d in dataset]
    rows["duplicates"] = [to_data(d) for d in duplicates]
    return rows
