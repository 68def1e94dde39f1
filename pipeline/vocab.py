"""The controlled vocabularies of the published records (pipeline/data/vocabularies.json): the
positions, and the body areas with their hierarchy, read without loading the knowledge base so
that the record definitions (and their schemas' enums) can use them.

`target_areas(targets)` turns a record's targets (the page's own words, or the areas they were
normalised to) into area ids: an area's name, one of its synonyms in body_parts.csv, or the
longest synonym inside the words ("tight backs of the thighs" -> hamstrings)."""
from __future__ import annotations

import csv
import io
import json
import re
from functools import lru_cache

from .config import DATA_DIR

_VOCAB = json.loads((DATA_DIR / "vocabularies.json").read_text(encoding="utf-8"))
POSITIONS: tuple[str, ...] = tuple(_VOCAB["positions"])
BODY_AREAS: tuple[str, ...] = tuple(a["id"] for a in _VOCAB["body_areas"])
AREA_PARENT: dict[str, str | None] = {a["id"]: a["parent"] for a in _VOCAB["body_areas"]}


def ancestors(area: str) -> list[str]:
    """The broader areas an area lies in, nearest first ("hamstrings" -> thighs, legs)."""
    found, parent = [], AREA_PARENT.get(area)
    while parent:
        found.append(parent)
        parent = AREA_PARENT.get(parent)
    return found


@lru_cache(maxsize=1)
def _phrases() -> dict[str, str]:
    """Lower-case phrase -> area id, from the vocabulary's names and body_parts.csv's synonyms."""
    by_name = {name: a["id"] for a in _VOCAB["body_areas"] for name in a["names"]}
    text = (DATA_DIR / "body_parts.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO("\n".join(ln for ln in text.splitlines() if not ln.startswith("#"))))
    phrases = dict(by_name)
    for row in rows:
        area = by_name.get(row["canonical"])
        if area is None:
            raise ValueError(f"body_parts.csv area {row['canonical']!r} is in no body_areas entry of vocabularies.json")
        for synonym in row["synonyms"].split("|"):
            if synonym.strip():
                phrases.setdefault(synonym.strip().lower(), area)
    return phrases


@lru_cache(maxsize=1)
def _phrase_re() -> re.Pattern:
    alternatives = sorted(_phrases(), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(map(re.escape, alternatives)) + r")\b")


def area_of(words: str) -> str | None:
    low = " ".join(words.lower().split())
    if low in _phrases():
        return _phrases()[low]
    found = _phrase_re().search(low)
    return _phrases()[found.group(1)] if found else None


def target_areas(targets) -> list[str]:
    """The area ids of a record's targets, in their order, each once; words naming no area give none."""
    return list(dict.fromkeys(a for a in map(area_of, targets) if a))
