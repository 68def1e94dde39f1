"""Stage 6: from the run's articles to the published dataset.

- `identity`: stable ids for articles, stretches and flags, and the sources they are reported under;
- `dedupe`: near-duplicate articles (MinHash, LSH Ensemble), set aside with the evidence;
- `curate`: one row per distinct stretch across articles, with its votes and conflicts;
- `dataset`: the write phase that streams a run's articles through the three.
"""
from __future__ import annotations

from .curate import Curator, DatasetRow, curate_records

__all__ = ["Curator", "DatasetRow", "curate_records"]
