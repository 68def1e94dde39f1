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
# web archives: each HTML response record is a page (pipeline/acquire/warc.py)
ARCHIVE_SUFFIXES = (".warc", ".warc.gz")
# text extensions whose content is still sniffed for HTML (a saved page renamed .txt)
SNIFFED_EXTENSIONS = (".txt", ".text", "")


@dataclass(frozen=True)
class AcquireConfig:
    # a file larger than this is skipped (SP301) before it is read; reads stop at the limit
    max_bytes: int = 10 * 1024 * 1024
    # how far the <meta charset> prescan looks (the spec's 1024 bytes, extended because browsers also
    # honour a later <meta> in the head by re-decoding)
    prescan_bytes: int = 64 * 1024
    # a decoded text with more control characters than this share is binary (SP103)
    max_control_share: float = 0.05


@dataclass(frozen=True)
class FetchConfig:
    delay: float = 1.0  # seconds between two requests to one host (robots.txt Crawl-delay can raise it)
    timeout: float = 20.0  # connect and read timeout, seconds
    max_bytes: int = 5 * 1024 * 1024  # body cap, enforced while streaming
    max_redirects: int = 5
    retries: int = 3  # attempts after the first, on connection errors, 429 and 5xx
    backoff: float = 1.0  # first wait between tries, doubled each time (when no Retry-After is given)
    max_retry_wait: float = 60.0  # longest Retry-After honoured, seconds
    # total time for one HTTP exchange, and for one page (its robots.txt, redirects and retries):
    # the timeout bounds each read only, and a body sent a byte a second never times out
    request_deadline: float = 120.0
    page_deadline: float = 300.0
    robots_max_bytes: int = 500 * 1024  # RFC 9309: at least the first 500 KiB are parsed; the rest is ignored
    content_types: tuple[str, ...] = ("text/html", "application/xhtml+xml", "text/plain")
    user_agent: str = "stretchpipe/{version}"  # --contact adds " (+CONTACT)"


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
    # main content (trafilatura's decision over our blocks): ignored when it keeps less than this many
    # characters and less than this share of the page; blocks of at most this many words must match a
    # whole line of the main text (or open or close one), longer ones may sit anywhere in it
    main_content_min_chars: int = 200
    main_content_min_share: float = 0.1
    main_content_exact_words: int = 3
    # no paragraph an author writes is this long (the longest of the 305 development pages: 6,918):
    # a longer block (a data dump, run-on text with no break) is removed as "too-long", text kept there
    max_block_chars: int = 100_000


@dataclass(frozen=True)
class ExtractConfig:
    # rapidfuzz score (0-100) needed to link a heading to the knowledge base
    canonical_min_score: float = 88.0
    # a sentence whose content words are this much covered by earlier steps is a repeat
    repeat_coverage: float = 0.75
    # fuzzy score for matching summary-list items to section headings
    list_match_score: float = 85.0
    max_sentence_tokens: int = 1000  # longer "sentences" (run-on text) are read in pieces this long (nlp.py)


@dataclass(frozen=True)
class BudgetConfig:
    """What one page may cost before it is stopped and recorded (SP302-SP304) and the run goes on;
    the read limit is AcquireConfig.max_bytes (SP301)."""

    timeout_seconds: float = 30.0  # wall clock per input, reading included
    memory_mb: int = 2048  # growth of a worker's address space while it processes one input
    # a local worker is replaced by a fresh fork of the warmed-up parent after this many inputs:
    # what a worker accumulates over a long run (spaCy's string store grows with every new word,
    # allocator fragmentation) stays bounded whatever the corpus size
    tasks_per_worker: int = 500


@dataclass(frozen=True)
class DedupeConfig:
    # word n-grams compared between articles
    shingle_words: int = 5
    # MinHash LSH Ensemble: permutations, size partitions, and the containment (share of one
    # article's shingles found in the other) at which a pair becomes a candidate; set below
    # min_similarity so that MinHash's estimation error does not hide a real pair
    num_perm: int = 128
    lsh_partitions: int = 16
    lsh_threshold: float = 0.6
    seed: int = 1
    # a candidate is a duplicate when this share of the smaller article's shingles is in the other
    min_similarity: float = 0.8


@dataclass(frozen=True)
class AuditConfig:
    """`stretchpipe audit` and `report`: the defaults that `[tool.stretchpipe.audit]` in pyproject.toml
    (or `--config FILE`) and then the command line override (pipeline/audit/lint.py checks them)."""

    table: tuple[str, ...] = ("tool", "stretchpipe", "audit")  # where pyproject.toml keeps the settings
    select: tuple[str, ...] = ("ALL",)  # every rule runs unless a selection says otherwise
    fail_on: str = "error"  # exit 1 when a finding is at or above this severity
    # SARIF helpUri of a rule ({id}); unset, the installed package's Documentation URL + docs/rules/{id}.md
    docs_url: str | None = None


ACQUIRE = AcquireConfig()
AUDIT = AuditConfig()
# `stretchpipe fetch` keeps these beside its archive (crawl.warc.gz): bookkeeping, never pages to read
CRAWL_INDEX_NAME = "crawl.sqlite"
FETCH_MANIFEST_NAME = "fetch-manifest.json"
CRAWL_FILES = frozenset({CRAWL_INDEX_NAME, f"{CRAWL_INDEX_NAME}-journal", f"{CRAWL_INDEX_NAME}-wal",
                         f"{CRAWL_INDEX_NAME}-shm", FETCH_MANIFEST_NAME})

BUDGET = BudgetConfig()
FETCH = FetchConfig()
CLEAN = CleanConfig()
EXTRACT = ExtractConfig()
DEDUPE = DedupeConfig()
