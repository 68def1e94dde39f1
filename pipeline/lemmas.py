"""English lookup lemmas, without spaCy: pipeline/data/lemmas_en.json.gz, the lower-case entries of
spacy-lookups-data's table (built by scripts/build_lemma_table.py; licences beside it), so the
install needs none of the 100 MB of every language's tables. A word not in the table is its own lemma."""
from __future__ import annotations

import gzip
import json
from functools import lru_cache

from .config import DATA_DIR


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    return json.loads(gzip.decompress((DATA_DIR / "lemmas_en.json.gz").read_bytes()))["lemmas"]


def lemma(word: str) -> str:
    low = word.lower()
    return lemma_table().get(low, low)
