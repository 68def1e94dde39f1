"""Files kept between runs only to save time ($XDG_CACHE_HOME/stretchpipe, else ~/.cache/stretchpipe):
each is keyed by everything its content depends on, checked when read, and made again when it is
missing or damaged, so removing the folder costs the next run the time, nothing else."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_folder() -> Path:
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(home) / "stretchpipe"


def write_cached(path: Path, data: bytes) -> None:
    """Write a cache file whole or not at all, whoever else writes it at the same time; a read-only
    or full cache folder only means that it is made again next time."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as fh:
            tmp = fh.name
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
