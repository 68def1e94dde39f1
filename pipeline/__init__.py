"""stretchpipe: fitness articles in, a clean audited stretch dataset out.

    import pipeline
    ds = pipeline.run(["raw/"], out="processed")   # DataFrames: ds.stretches, ds.dataset, ...
    ds = pipeline.read_dataset("processed")        # the same tables, read back

`pipeline.run` is the executor module (`pipeline/run.py`) and, called, the API function
`pipeline.api.run`. Everything heavy (spaCy, pandas, pyarrow) loads on first use, so
`import pipeline` and `stretchpipe --help` stay fast.
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"
__all__ = ["run", "read_dataset", "Dataset"]


def __getattr__(name: str) -> Any:
    # PEP 562: loaded on first use
    if name == "run":
        return importlib.import_module(".run", __name__)  # a callable module (see the end of run.py)
    if name in ("read_dataset", "Dataset"):
        return getattr(importlib.import_module(".api", __name__), name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
