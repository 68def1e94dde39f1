"""stretchpipe: fitness articles in, a clean audited stretch dataset out.

    import pipeline
    ds = pipeline.run(["raw/"], out="processed")   # DataFrames: ds.stretches, ds.dataset, ...
    ds = pipeline.read_dataset("processed")        # the same tables, read back
    records = pipeline.extract_page(html)          # one page's stretch records, nothing written

The distribution is `stretchpipe`; the import name is `pipeline`. The functions live in
`pipeline.api`; the run over many pages is `pipeline.runner`. Everything heavy (spaCy, pandas,
pyarrow) loads on first use, so `import pipeline` and `stretchpipe --help` stay fast.
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"
__all__ = ["run", "read_dataset", "extract_page", "Dataset", "polars_schema", "duckdb_columns"]


def __getattr__(name: str) -> Any:
    # PEP 562: `pipeline.api` (and pandas behind it) loads on first use; what is returned is the
    # function itself, so help() and editors see its real signature
    if name in __all__:
        return getattr(importlib.import_module(".api", __name__), name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
