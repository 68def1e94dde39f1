"""Errors with stable codes (like spaCy's E-codes) and messages that say what to do.

A code never changes meaning once released; manifests and tests refer to it.
"""
from __future__ import annotations


class StretchpipeError(Exception):
    code = "SP000"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code

    def __str__(self) -> str:
        return f"[{self.code}] {self.args[0]}"


class InputError(StretchpipeError):
    """An input could not be read as a page; it is recorded in the manifest and skipped."""


# Input codes: the manifest's `code` field.
NOT_FOUND = "SP101"  # path does not exist
EMPTY = "SP102"  # zero bytes or only white space
BINARY = "SP103"  # not text (NUL bytes, undecodable)
UNSUPPORTED = "SP104"  # extension we do not read
PERMISSION_DENIED = "SP105"  # exists but may not be read
SYMLINK_LOOP = "SP106"  # a symbolic link that resolves to itself
NOT_REGULAR = "SP107"  # FIFO, device, socket: never opened, so nothing blocks or reads forever
DUPLICATE = "SP108"  # the same file (device + inode) already given as another input
IN_OUTPUT = "SP109"  # the --out folder (or inside it) found under an input folder
BROKEN_LINK = "SP110"  # a symbolic link whose target does not exist
HIDDEN = "SP111"  # name starts with "." (.git, .DS_Store): not an input
READ_ERROR = "SP112"  # any other operating-system error while reading
BAD_ARCHIVE = "SP113"  # a .warc/.warc.gz that cannot be parsed
NO_PAGES = "SP114"  # a readable archive with no HTML or plain-text response record
NOT_PAGES = "SP115"  # the records of an archive that are not pages (requests, revisits, non-HTML), counted
CRAWL_INDEX = "SP116"  # `stretchpipe fetch`'s own index and outcome files beside its archive
LINK_OUTSIDE = "SP117"  # a symbolic link in an input folder to a file or folder outside it (--follow-links)
NO_EXERCISES = "SP201"  # readable page with no exercise sections
NO_CUE = "SP202"  # readable page whose content blocks show it cannot hold one: stopped before the clean filters (clean/gate.py)
TOO_LARGE = "SP301"  # over the read limit (config.ACQUIRE.max_bytes)
# Budget codes: an input over its budget is stopped and recorded, and the run goes on (pipeline/executors).
TIMED_OUT = "SP302"  # took longer than the wall-clock budget; its worker was stopped
OUT_OF_MEMORY = "SP303"  # needed more memory than the budget (or the system had)
WORKER_CRASHED = "SP304"  # the worker process died on it (a crash in a C extension) or was lost
# Audit usage codes (stretchpipe audit / report): a usage error, exit 2, before any page is read.
AUDIT_CONFIG = "SP601"  # the audit configuration cannot be read (binary, not TOML) or a value has the wrong type
AUDIT_SELECTOR = "SP602"  # --select/--ignore/--extend-select or the configuration names no known rule or prefix
AUDIT_BASELINE = "SP603"  # the --baseline file cannot be read as a baseline
REPORT_OUTPUT = "SP604"  # stretchpipe report -o names a folder, or a file in a folder that does not exist
INTERNAL = "SP900"  # a bug: the page raised an unexpected exception
# Fetch codes (stretchpipe fetch): every URL ends fetched, not-modified, skipped or failed.
ROBOTS_DISALLOWED = "SP401"
CONTENT_TYPE = "SP402"  # not HTML, XHTML or plain text
FETCH_TOO_LARGE = "SP403"  # body over --max-bytes while streaming
PRIVATE_ADDRESS = "SP404"  # private, loopback or link-local host without --allow-private
HTTP_STATUS = "SP405"  # a 4xx, or a 5xx/429 still failing after the retries
NETWORK = "SP406"  # connection error or timeout after the retries
REDIRECTS = "SP407"  # redirect loop or more than the allowed redirects
BAD_URL = "SP408"  # not an http(s) URL
BAD_SITEMAP = "SP409"  # a sitemap that was fetched but cannot be read (not XML, text or robots.txt; a DOCTYPE)
# Output-set codes (stretchpipe run --out): the run stops before, or instead of, touching --out.
OUT_UNWRITABLE = "SP501"  # --out cannot be created or written
OUT_LOCKED = "SP502"  # another run is writing the same --out
NOTHING_PROCESSED = "SP503"  # the run processed nothing; the previous dataset is kept
WRITE_FAILED = "SP504"  # writing the new set failed (disk full...); the previous set is kept
NOT_A_DATASET = "SP505"  # `stretchpipe curate` / read_dataset: the folder holds no tables of a run
BAD_DATASET = "SP506"  # `stretchpipe curate` / read_dataset: a table of the folder is malformed
ENGINE_START = "SP507"  # the engine could not start (a dask scheduler that cannot be reached, a cluster that fails)

SHORT = {NOT_FOUND: "not found", EMPTY: "empty", BINARY: "binary", UNSUPPORTED: "unsupported type",
         PERMISSION_DENIED: "permission denied", SYMLINK_LOOP: "symlink loop", NOT_REGULAR: "not a regular file",
         DUPLICATE: "duplicate", IN_OUTPUT: "inside the output folder", BROKEN_LINK: "broken symlink",
         HIDDEN: "hidden", READ_ERROR: "read error", BAD_ARCHIVE: "unreadable archive", NO_PAGES: "no pages in archive",
         NOT_PAGES: "archive records that are not pages", CRAWL_INDEX: "fetch index",
         NO_EXERCISES: "no exercise sections", NO_CUE: "no exercise cue (decided early)", TOO_LARGE: "too large",
         LINK_OUTSIDE: "link out of the input folder",
         ROBOTS_DISALLOWED: "disallowed by robots.txt", CONTENT_TYPE: "content type not allowed",
         FETCH_TOO_LARGE: "too large", PRIVATE_ADDRESS: "private address", HTTP_STATUS: "HTTP error",
         NETWORK: "network error", REDIRECTS: "redirects", BAD_URL: "bad URL", BAD_SITEMAP: "unreadable sitemap",
         TIMED_OUT: "timed out", OUT_OF_MEMORY: "out of memory", WORKER_CRASHED: "worker crashed",
         INTERNAL: "internal error"}

# Inputs that are not pages to read are "skipped"; inputs that should have been read and could not are "failed".
SKIPPED = frozenset({EMPTY, UNSUPPORTED, NOT_REGULAR, DUPLICATE, IN_OUTPUT, HIDDEN, NO_PAGES, NOT_PAGES, CRAWL_INDEX,
                     NO_EXERCISES, NO_CUE, TOO_LARGE,
                     LINK_OUTSIDE,
                     ROBOTS_DISALLOWED, CONTENT_TYPE, FETCH_TOO_LARGE, PRIVATE_ADDRESS})


def status_of(code: str | None) -> str:
    """"skipped" or "failed" for an error code (see SKIPPED)."""
    return "skipped" if code in SKIPPED else "failed"

MESSAGES = {
    NOT_FOUND: "no such file or directory: {path}; check the path",
    EMPTY: "{path} is empty; nothing to extract",
    BINARY: "{path} looks like a binary file, not a text or HTML page; pass .txt, .html or .md files",
    UNSUPPORTED: "{path} has an extension stretchpipe does not read ({ext}); "
                 "supported: .txt, .html, .htm, .md, .markdown",
    PERMISSION_DENIED: "cannot read {path}: permission denied; check its permissions or run as a user who may read it",
    SYMLINK_LOOP: "{path} is a symbolic link loop (it resolves to itself); fix or remove the link",
    NOT_REGULAR: "{path} is not a regular file ({kind}); only regular files are read",
    DUPLICATE: "{path} is the same file as {first}, given earlier; it is read once",
    IN_OUTPUT: "{path} is the output folder (--out); output is never read back as input",
    BROKEN_LINK: "{path} is a symbolic link to {target}, which does not exist; fix or remove the link",
    HIDDEN: "{path} is hidden (its name starts with '.'); rename it to read it",
    READ_ERROR: "could not read {path}: {detail}",
    BAD_ARCHIVE: "{path} is not a readable WARC archive: {detail}",
    NO_PAGES: "{path} holds no HTML or plain-text response with status 2xx (its records: {counts})",
    NOT_PAGES: "{path}: {pages} read one by one; the other records are not pages: {counts}",
    CRAWL_INDEX: "{path} is stretchpipe fetch's own bookkeeping; its pages are read from the WARC beside it",
    LINK_OUTSIDE: "{path} is a symbolic link to {target}, outside the input folder {folder}; "
                  "not followed (pass --follow-links to read it)",
    NO_EXERCISES: "{path} was read but holds no numbered or headed exercise sections",
    NO_CUE: "{path} was read but names no exercise and instructs no body ({why}); stopped before cleaning",
    TOO_LARGE: "{path} is {size} bytes, over the read limit of {limit} bytes; split it or raise the limit",
    ROBOTS_DISALLOWED: "{path} is disallowed for stretchpipe by the site's robots.txt; not fetched",
    CONTENT_TYPE: "{path} is {content_type}, not an HTML, XHTML or plain-text page; not stored",
    FETCH_TOO_LARGE: "{path} is larger than --max-bytes ({limit} bytes); not stored",
    PRIVATE_ADDRESS: "{path} resolves to a private, loopback or link-local address ({address}); "
                     "pass --allow-private to fetch it",
    HTTP_STATUS: "{path} answered HTTP {status}{detail}",
    NETWORK: "could not fetch {path}: {detail}",
    REDIRECTS: "{path}: {detail}",
    BAD_URL: "{path} is not an http or https URL",
    BAD_SITEMAP: "{path} was fetched but is not a sitemap stretchpipe reads: {detail}",
    TIMED_OUT: "{path} took longer than the {limit} s budget and was stopped; "
               "raise --timeout if the page is genuinely that large",
    OUT_OF_MEMORY: "{path} needed more than the {limit} MB memory budget and was stopped; "
                   "raise --max-memory if the page is genuinely that large",
    WORKER_CRASHED: "the worker processing {path} died ({detail}); please report it with the input",
    INTERNAL: "internal error on {path}: {detail}; please report it with the input",
    OUT_UNWRITABLE: "cannot write to {path}: {detail}; choose another --out or fix its permissions",
    OUT_LOCKED: "another stretchpipe run is writing to {path}; wait for it to finish or choose another --out",
    NOTHING_PROCESSED: "no input could be processed, so {path} keeps the previous dataset",
    WRITE_FAILED: "writing the new dataset failed ({detail}); {path} still holds the previous dataset",
    NOT_A_DATASET: "{path} holds no {table}.jsonl, {table}.json or {table}.parquet; "
                   "pass a folder written by `stretchpipe run --out`",
    BAD_DATASET: "{path} cannot be read as a table of `stretchpipe run`: {detail}; "
                 "rerun `stretchpipe run` to write it again",
    ENGINE_START: "the {engine} engine could not start ({detail}); nothing was run and --out is as it was. "
                  "Check that --scheduler names a running dask scheduler, or run with --engine local",
}


class OutputError(StretchpipeError):
    """The output set cannot be written; the run stops and the previous set is left as it was."""


def output_error(code: str, **fields: str) -> OutputError:
    return OutputError(MESSAGES[code].format(**fields), code=code)


def input_error(code: str, **fields: str) -> InputError:
    return InputError(MESSAGES[code].format(**fields), code=code)
