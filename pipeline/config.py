"""Configuration in one place: where the data files live and the tunable thresholds."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"

SUPPORTED_EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
}


@dataclass(frozen=True)
class CleanConfig:
    # a block this dense in links, and this short, is a menu or a link list
    max_link_density: float = 0.5
    link_block_max_words: int = 25
    # a run of this many short, unpunctuated lines is a menu (unless they name exercises)
    menu_run_min: int = 3
    menu_item_max_words: int = 5
    # duplicates: blocks at least this long are dropped on their own; shorter ones only in runs
    duplicate_min_words: int = 12
    duplicate_run_min: int = 3
    # a long block this similar (rapidfuzz ratio, 0-100) to an earlier one is a near-duplicate copy
    near_duplicate_score: float = 95.0


@dataclass(frozen=True)
class ExtractConfig:
    # rapidfuzz score (0-100) needed to link a heading to the knowledge base
    canonical_min_score: float = 88.0
    # a sentence whose content words are this much covered by earlier steps is a repeat
    repeat_coverage: float = 0.75
    # fuzzy score for matching summary-list items to section headings
    list_match_score: float = 85.0


CLEAN = CleanConfig()
EXTRACT = ExtractConfig()
