"""Input discovery and safe reading of local files.

Every path named or found under a folder ends as an input to read or as a ManifestEntry that says
why not, with a precise code (errors.py). Only regular files are ever opened, and they are opened
non-blocking and read up to the byte limit, so a FIFO, /dev/zero or a huge file never blocks a run
or reads forever. Folders are walked in sorted order (runs are deterministic), each file once.
"""
from __future__ import annotations

import errno
import gzip
import os
import re
import stat
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from .. import errors
from ..display import plural, printable
from ..config import ACQUIRE, ARCHIVE_SUFFIXES, CRAWL_FILES, SUPPORTED_EXTENSIONS
from ..records import ManifestEntry

STDIN = "-"


def display_name(path: str) -> str:
    """The path as it can be written to JSON, CSV and a terminal: bytes that are not UTF-8 in a file
    name (kept by Python as lone surrogates) are shown as \\xNN escapes, and so are control
    characters and newlines (a crafted name must not drive a terminal or a CI log)."""
    if path == STDIN:
        return "<stdin>"
    return printable(os.fsencode(path).decode("utf-8", "backslashreplace"))


def is_archive(path: str) -> bool:
    return path.lower().endswith(ARCHIVE_SUFFIXES)


_RECORD_REF = re.compile(r"^(?P<path>.+\.warc(?:\.gz)?)#(?P<offset>\d+)$", re.I)


def record_ref(warc_path: str | os.PathLike, offset: int) -> str:
    """An input naming one record of a WARC file: "raw/crawl.warc.gz#428" (`stretchpipe run URL`)."""
    return f"{os.fspath(warc_path)}#{offset}"


def split_record_ref(ref: str) -> tuple[str, int] | None:
    """(WARC path, offset) for a record reference; None for anything else (an existing file wins)."""
    match = _RECORD_REF.match(ref)
    if match is None or os.path.lexists(ref):
        return None
    return match["path"], int(match["offset"])


def is_gzip(path: str) -> bool:
    """A gzip-compressed page (page.html.gz), not a web archive."""
    return path.lower().endswith(".gz") and not is_archive(path)


def inner_name(path: str) -> str:
    """The name that tells the format: page.html for page.html.gz."""
    return path[:-3] if is_gzip(path) else path


def is_supported(path: str) -> bool:
    return is_archive(path) or Path(inner_name(path)).suffix.lower() in SUPPORTED_EXTENSIONS


def discover(paths: Iterable[str], *, exclude: Iterable[str | os.PathLike] = (),
             follow_links: bool = False) -> Iterator[str | ManifestEntry]:
    """Expand folders (recursively, sorted) into input paths.

    Yields a path for every input to read, or a ManifestEntry for one that will not be read
    (missing, unreadable, a link loop, not a regular file, a duplicate, hidden, unsupported, too
    large, inside an `exclude` folder such as --out, or a symbolic link found in a folder that
    points out of it, unless `follow_links`: a folder of pages must not make a run read
    /etc/passwd). Paths named directly are always followed: the user named them.
    """
    walker = _Walker(exclude, follow_links)
    for raw in paths:
        if raw == STDIN:
            yield STDIN
            continue
        yield from walker.top(os.fspath(raw))


class _Walker:
    def __init__(self, exclude: Iterable[str | os.PathLike], follow_links: bool = False):
        self.follow_links = follow_links
        self.root = ""  # the real path of the input folder being walked
        self.excluded = set()
        for folder in exclude:
            try:
                st = os.stat(folder)
            except OSError:
                continue  # an --out that does not exist yet cannot hold inputs
            self.excluded.add((st.st_dev, st.st_ino))
        self.seen: dict[tuple[int, int], str] = {}  # (device, inode) -> first path given

    def top(self, path: str) -> Iterator[str | ManifestEntry]:
        ref = split_record_ref(path)
        self.root = os.path.realpath(path)
        if ref is None:
            yield from self._visit(path, explicit=True, ancestors=frozenset())
            return
        for item in self._visit(ref[0], explicit=True, ancestors=frozenset(), record=ref[1]):
            if isinstance(item, ManifestEntry):
                item.source = display_name(path)
            yield path if isinstance(item, str) else item

    def _visit(self, path: str, *, explicit: bool, ancestors: frozenset,
               record: int | None = None) -> Iterator[str | ManifestEntry]:
        try:
            st = os.stat(path)  # follows links
        except OSError as exc:
            yield _entry(path, error_for(exc, path))
            return
        key = (st.st_dev, st.st_ino) if record is None else (st.st_dev, st.st_ino, record)
        if stat.S_ISDIR(st.st_mode):
            if key in self.excluded:
                yield _entry(path, errors.input_error(errors.IN_OUTPUT, path=display_name(path)))
            elif key in ancestors:  # a link back to a folder being walked
                yield _entry(path, errors.input_error(errors.SYMLINK_LOOP, path=display_name(path)))
            elif key in self.seen:
                yield _entry(path, errors.input_error(errors.DUPLICATE, path=display_name(path),
                                                      first=display_name(self.seen[key])))
            else:
                self.seen[key] = path
                yield from self._walk(path, ancestors | {key})
            return
        if not stat.S_ISREG(st.st_mode):
            yield _entry(path, errors.input_error(errors.NOT_REGULAR, path=display_name(path), kind=kind_of(st.st_mode)))
            return
        if not explicit and os.path.basename(path) in CRAWL_FILES:
            yield _entry(path, errors.input_error(errors.CRAWL_INDEX, path=display_name(path)))
            return
        if not explicit and not is_supported(path):
            ext = "".join(Path(inner_name(path)).suffixes[-1:]) or "none"
            yield _entry(path, errors.input_error(errors.UNSUPPORTED, path=display_name(path), ext=ext))
            return
        if key in self.seen:
            yield _entry(path, errors.input_error(errors.DUPLICATE, path=display_name(path),
                                                  first=display_name(self.seen[key])))
            return
        self.seen[key] = path
        if is_archive(path) and record is None:
            yield from self._archive(path)
            return
        if st.st_size > ACQUIRE.max_bytes and not is_archive(path):
            yield _entry(path, errors.input_error(errors.TOO_LARGE, path=display_name(path), size=str(st.st_size),
                                                  limit=str(ACQUIRE.max_bytes)))
            return
        yield path

    def _is_excluded(self, path: str) -> bool:
        """An excluded folder (the --out folder, or stretchpipe's hidden folder beside it)."""
        try:
            st = os.stat(path)
        except OSError:
            return False
        return (st.st_dev, st.st_ino) in self.excluded

    def _outside_link(self, path: str) -> str | None:
        """The real path a symbolic link resolves to when it leaves the input folder (and links are
        not followed); None otherwise. A broken link is left to the read, which names it (SP110)."""
        if self.follow_links or not os.path.islink(path) or not os.path.exists(path):
            return None
        target = os.path.realpath(path)
        return None if os.path.commonpath([target, self.root]) == self.root else target

    def _archive(self, path: str) -> Iterator[str | ManifestEntry]:
        """A WARC as one input per page record, plus one entry that counts its other records."""
        from .warc import page_records  # warcio only when an archive is found

        offsets, others, error = page_records(path)
        for offset in offsets:
            yield record_ref(path, offset)
        counts = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in sorted(others.items()))
        if error is not None:
            yield _entry(path, error)
        elif not offsets:
            yield _entry(path, errors.input_error(errors.NO_PAGES, path=display_name(path), counts=counts or "none"))
        elif others:
            yield _entry(path, errors.input_error(errors.NOT_PAGES, path=display_name(path),
                                                  pages=plural(len(offsets), "page record"),
                                                  counts=counts))

    def _walk(self, folder: str, ancestors: frozenset) -> Iterator[str | ManifestEntry]:
        try:
            with os.scandir(folder) as it:
                names = sorted(entry.name for entry in it)
        except OSError as exc:
            yield _entry(folder, error_for(exc, folder))
            return
        for name in names:
            child = os.path.join(folder, name)
            if name.startswith(".") and not self._is_excluded(child):  # .git, .DS_Store, swap files: never walked
                yield _entry(child, errors.input_error(errors.HIDDEN, path=display_name(child)))
                continue
            outside = self._outside_link(child)
            if outside:
                yield _entry(child, errors.input_error(errors.LINK_OUTSIDE, path=display_name(child),
                                                       target=display_name(outside), folder=display_name(self.root)))
                continue
            yield from self._visit(child, explicit=False, ancestors=ancestors)


def open_regular(path: str) -> BinaryIO:
    """Open a regular file for reading. It is opened non-blocking and checked with fstat before any
    read, so a FIFO or device never blocks. Raises InputError with the precise code."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise error_for(exc, path) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise errors.input_error(errors.NOT_REGULAR, path=display_name(path), kind=kind_of(mode))
    return os.fdopen(fd, "rb")


def read_bytes(path: str, *, limit: int | None = None) -> bytes:
    """Read a regular file, at most `limit` bytes (InputError TOO_LARGE past it); a .gz page is
    decompressed, with the limit on the decompressed size."""
    limit = ACQUIRE.max_bytes if limit is None else limit
    with open_regular(path) as fh:
        if is_gzip(path):
            return _gunzip(fh, path, limit)
        try:
            size = os.fstat(fh.fileno()).st_size
            if size <= limit:
                # read(n) allocates n bytes first: ask for the file's size (and one byte to see it
                # grew since), and read on to the limit only if it did
                data = fh.read(size + 1)
                if len(data) > size:
                    data += fh.read(limit + 1 - len(data))
                if len(data) <= limit:
                    return data
            raise errors.input_error(errors.TOO_LARGE, path=display_name(path), size=str(max(size, limit + 1)),
                                     limit=str(limit))
        except OSError as exc:
            raise error_for(exc, path) from None


def _gunzip(fh: BinaryIO, path: str, limit: int) -> bytes:
    try:
        with gzip.GzipFile(fileobj=fh) as unzipped:
            data = unzipped.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise errors.input_error(errors.READ_ERROR, path=display_name(path), detail=f"not valid gzip ({exc})") from None
    if len(data) > limit:
        raise errors.input_error(errors.TOO_LARGE, path=display_name(path), size=f"more than {limit} (uncompressed)",
                                 limit=str(limit))
    return data


def error_for(exc: OSError, path: str) -> errors.InputError:
    """The precise InputError for an operating-system error on `path`."""
    name = display_name(path)
    if exc.errno == errno.ENOENT:
        if os.path.islink(path):
            return errors.input_error(errors.BROKEN_LINK, path=name, target=display_name(os.readlink(path)))
        return errors.input_error(errors.NOT_FOUND, path=name)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return errors.input_error(errors.PERMISSION_DENIED, path=name)
    if exc.errno == errno.ELOOP:
        return errors.input_error(errors.SYMLINK_LOOP, path=name)
    if exc.errno in (errno.ENXIO, errno.ENODEV, errno.EISDIR):
        return errors.input_error(errors.NOT_REGULAR, path=name, kind="special file")
    return errors.input_error(errors.READ_ERROR, path=name, detail=exc.strerror or str(exc))


def kind_of(mode: int) -> str:
    """A file type in words, for messages: FIFO, character device, socket..."""
    for test, kind in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
                       (stat.S_ISSOCK, "socket"), (stat.S_ISDIR, "folder")):
        if test(mode):
            return kind
    return "special file"


def _entry(path: str, exc: errors.InputError) -> ManifestEntry:
    return ManifestEntry(display_name(path), errors.status_of(exc.code), reason=str(exc), code=exc.code)
