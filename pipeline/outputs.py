"""The output folder as one set: checked before any work, locked, staged, swapped in whole.

Beside `--out` (say `processed/`) stretchpipe keeps one hidden folder, `.processed.stretchpipe/`,
on the same filesystem: the lock, the resume state (`state.sqlite`) and the staging folder. The
writers fill the staging folder; `commit` then exchanges it with `--out` in one atomic step
(renameat2 RENAME_EXCHANGE on Linux; elsewhere two renames, where a reader may briefly find no
folder but never a mix of two runs). A failure before the swap (a full disk...) leaves the
previous set exactly as it was. Files and folders get their modes from the umask.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
from pathlib import Path

from . import errors

MARKER = "manifest.json"  # every output set has one: a folder without it is not ours to replace
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
        if self.has_dataset() and not (self.out / MARKER).is_file():
            # the set replaces the whole folder: never a folder of someone's other files (or the inputs)
            raise errors.output_error(errors.OUT_UNWRITABLE, path=str(self.out),
                                      detail=f"it holds files but no {MARKER}, so it is not a stretchpipe output "
                                             "folder and would be replaced whole")
        try:
            self.home.mkdir(parents=True, exist_ok=True)
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

    def stage(self) -> Path:
        staging = Path(tempfile.mkdtemp(dir=self.home, prefix="staging-"))
        os.chmod(staging, 0o777 & ~umask())
        return staging

    def discard(self, staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)

    def commit(self, staging: Path) -> None:
        """Make the staged set durable, then swap it in whole; the old set is deleted after.
        Hidden files that are not stretchpipe's (a repository's `.gitkeep`) move into the new set."""
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
