"""The output folder as one set: checked before any work, locked, staged, swapped in whole.

Beside `--out` (say `processed/`) stretchpipe keeps one hidden folder, `.processed.stretchpipe/`,
on the same filesystem: the lock, the resume state (`state.sqlite`) and the staging folder. The
writers fill the staging folder; `commit` then exchanges it with `--out` in one atomic step
(renameat2 RENAME_EXCHANGE on Linux; elsewhere two renames, where a reader may briefly find no
folder but never a mix of two runs). A failure before the swap (a full disk...) leaves the
previous set exactly as it was. Files and folders get their modes from the umask.

Since the swap replaces the whole folder, --out must be stretchpipe's: new, empty, or holding only
the files its marker (`.stretchpipe.json`, written with every set) lists, or only the files an
earlier release wrote; anything else is someone's, and the run is refused (SP501) before any work.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import shutil
import tempfile
from pathlib import Path

from . import errors
from .state import make_state_folder

MARKER = ".stretchpipe.json"  # the files stretchpipe wrote in --out; only they are ever replaced
# What the releases before the marker wrote: a folder holding these only (with their manifest.json)
# is an earlier output set, and is taken over; a folder with anything else is someone's, and refused.
EARLIER_TABLES = ("stretches", "articles", "flags", "dataset", "duplicates")
EARLIER_SUFFIXES = (".json", ".jsonl", ".csv", ".parquet", ".schema.json")
EARLIER_FILES = frozenset({"manifest.json", "datapackage.json"}
                          | {t + s for t in EARLIER_TABLES for s in EARLIER_SUFFIXES})
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def umask() -> int:
    """The process umask, read without changing it where Linux allows (os.umask both sets and gets)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class OutputSet:
    def __init__(self, out: Path | str):
        self.out = Path(os.path.abspath(out))
        self.home = self.out.parent / f".{self.out.name}.stretchpipe"
        self._lock_fd: int | None = None

    @property
    def state_path(self) -> Path:
        return self.home / "state.sqlite"

    def open(self) -> OutputSet:
        """Check that --out can be written and take the lock; raises OutputError (nothing done yet)."""
        if self.out.exists() and not self.out.is_dir():
            raise errors.output_error(errors.OUT_UNWRITABLE, path=str(self.out), detail="it is a file, not a folder")
        foreign = self.foreign_entries()
        if foreign:
            # the set replaces the whole folder: never a folder of someone's other files (or the inputs)
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            raise errors.output_error(errors.OUT_UNWRITABLE, path=str(self.out),
                                      detail=f"it holds {shown}, which stretchpipe did not write; the output "
                                             "folder is replaced whole, so it must be new, empty or stretchpipe's own")
        try:
            make_state_folder(self.home)  # no link followed; owner and mode checked
            fd, probe = tempfile.mkstemp(dir=self.home, prefix="probe-")  # the parent and home take new files
            os.close(fd)
            os.unlink(probe)
            if self.out.exists() and not os.access(self.out, os.W_OK | os.X_OK):
                raise PermissionError(errno.EACCES, "permission denied")
            self._lock_fd = os.open(self.home / "lock", os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise errors.output_error(errors.OUT_UNWRITABLE, path=str(self.out),
                                      detail=exc.strerror or str(exc)) from None
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            self._lock_fd = None
            raise errors.output_error(errors.OUT_LOCKED, path=str(self.out)) from None
        for old_set in self.home.glob("staging-old-*/set"):  # killed between the two renames of the fallback
            if not self.out.exists():
                os.rename(old_set, self.out)  # the previous set goes back where it was
        for leftover in self.home.glob("staging-*"):  # from a run that was killed before its swap
            shutil.rmtree(leftover, ignore_errors=True)
        return self

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the lock
            self._lock_fd = None

    def __enter__(self) -> OutputSet:
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    def has_dataset(self) -> bool:
        return self.out.is_dir() and any(not p.name.startswith(".") for p in self.out.iterdir())

    def written_files(self) -> frozenset[str] | None:
        """The files the marker says stretchpipe wrote in --out; None without a readable marker."""
        try:
            marker = json.loads((self.out / MARKER).read_text(encoding="utf-8"))
            files = marker["files"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            return None
        return frozenset(files)

    def foreign_entries(self) -> list[str]:
        """What in --out stretchpipe did not write (sorted names): everything not in its marker, or,
        in a folder without one, everything but an earlier release's files (and only when its
        manifest.json is there). Hidden regular files (a repository's `.gitkeep`) are placeholders
        that move into every new set, never foreign; hidden folders (`.git`) are."""
        if not self.out.is_dir():
            return []
        entries = sorted(self.out.iterdir(), key=lambda p: p.name)
        hidden_files = {p.name for p in entries if p.name.startswith(".") and p.is_file() and not p.is_symlink()}
        visible = [p for p in entries if p.name not in hidden_files]
        ours = self.written_files()
        if ours is None:
            is_earlier_set = (self.out / "manifest.json").is_file()
            ours = EARLIER_FILES if is_earlier_set else frozenset()
        return [p.name for p in visible if p.name not in ours or not p.is_file() or p.is_symlink()]

    def stage(self) -> Path:
        staging = Path(tempfile.mkdtemp(dir=self.home, prefix="staging-"))
        os.chmod(staging, 0o777 & ~umask())
        return staging

    def discard(self, staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)

    def commit(self, staging: Path) -> None:
        """Make the staged set durable, then swap it in whole; the old set is deleted after.
        Hidden files that are not stretchpipe's (a repository's `.gitkeep`) move into the new set."""
        written = sorted(p.name for p in staging.iterdir() if not p.name.startswith("."))
        marker = json.dumps({"written_by": "stretchpipe", "files": written}, indent=2) + "\n"
        (staging / MARKER).write_text(marker, encoding="utf-8")
        os.chmod(staging / MARKER, 0o666 & ~umask())
        if self.out.is_dir():
            for kept in self.out.glob(".*"):
                if kept.is_file() and not (staging / kept.name).exists():
                    shutil.copy2(kept, staging / kept.name)
        for path in staging.iterdir():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(staging)
        if not self.out.exists():
            os.rename(staging, self.out)
        elif _exchange(staging, self.out):
            shutil.rmtree(staging)  # now holds the previous set
        else:
            old = Path(tempfile.mkdtemp(dir=self.home, prefix="staging-old-"))
            os.rename(self.out, old / "set")
            os.rename(staging, self.out)
            shutil.rmtree(old)
        _fsync_dir(self.out.parent)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False  # the filesystem cannot exchange: fall back to two renames
    raise OSError(err, os.strerror(err), str(b))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
