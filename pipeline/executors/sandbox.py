"""One worker process that runs tasks under a budget, and is replaced when a task breaks it.

The parent enforces the wall clock: a task past its deadline has its process killed (nothing
inside a page, a regex in C or a parser, can hold it up) and a fresh process takes over. The
child enforces memory with an address-space limit (RLIMIT_AS) set after its warm-up, so a page
that needs too much gets a MemoryError, reported as such; the child then exits, since state
after a MemoryError is not trusted, and is replaced. A child killed from outside (the kernel's
OOM killer) is reported as out of memory; any other death as a crash.

The budget is the page's, not the worker's: a new process says when it is ready (imports and
warm-up done), and a task's clock starts then; until then it has `STARTUP_SECONDS` more. One-time
loading inside a task (spaCy, by the first page that reaches extraction: executors.loading) gets the
same allowance, and the page's clock starts again after it. Under a heavy load, starting a worker
and loading spaCy took longer than a page's whole budget, and the first page of a fresh worker
(every dask worker's, and the one after a replaced worker) timed out by chance: the same input gave
another output.
"""
from __future__ import annotations

import ctypes
import logging
import multiprocessing
import resource
import signal
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from .. import errors, executors
from . import Budget, Failure

log = logging.getLogger("stretchpipe")
_PR_SET_PDEATHSIG = 1
BEAT = object()  # receive(): one page of a multi-page task is done, the task goes on
STARTUP_SECONDS = 300.0  # how long a new worker may take to start (imports, warm-up) before its task's clock runs


class Sandbox:
    def __init__(self, context: multiprocessing.context.BaseContext, fn: Callable[[Any], Any], budget: Budget,
                 warm_up: Callable[[], None] | None = None):
        self._context, self._fn, self._budget, self._warm_up = context, fn, budget, warm_up
        self.position: int | None = None  # the task in flight, if any
        self.deadline = float("inf")
        self._start()

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(target=_serve, name="stretchpipe-worker", daemon=True,
                                              args=(child, self._fn, self._budget.memory_mb, self._warm_up))
        self._process.start()
        child.close()
        self.conn: Connection = parent
        self.served = 0  # tasks finished by this worker process
        self.ready, self.started = False, time.monotonic()  # ready: the child has said its warm-up is done

    def send(self, position: int, task: Any) -> None:
        try:
            self.conn.send(task)
        except OSError:  # the idle child died (killed from outside): a fresh one takes the task
            self._replace(None)
            self.conn.send(task)
        self.position = position
        self.deadline = self._deadline()

    def _deadline(self) -> float:
        if not self._budget.timeout_seconds:
            return float("inf")
        if not self.ready:  # still starting: the page's clock starts when the worker is ready
            return max(time.monotonic(), self.started + STARTUP_SECONDS) + self._budget.timeout_seconds
        return time.monotonic() + self._budget.timeout_seconds

    def receive(self) -> Any:
        """The result of the task in flight (call when `conn` is ready), a Failure, or BEAT when the
        task has only finished one of its pages (its deadline starts again; it is still in flight)."""
        try:
            kind, payload = self.conn.recv()
        except (EOFError, OSError):
            return self._replace(self._death())
        if kind == "ready":  # started: the task in flight gets its whole budget from now
            self.ready = True
            self.deadline = self._deadline()
            return BEAT
        if kind == "loading":  # one-time loading inside the task: the start-up allowance, not the page's budget
            if self._budget.timeout_seconds:
                self.deadline = time.monotonic() + STARTUP_SECONDS
            return BEAT
        if kind == "beat":
            self.deadline = self._deadline()
            return BEAT
        if kind == "failure" and payload.code == errors.OUT_OF_MEMORY:
            self._replace(None)  # the child exits after a MemoryError
        self.position, self.deadline = None, float("inf")
        self.served += 1
        if self._budget.tasks_per_worker and self.served >= self._budget.tasks_per_worker:
            self.renew()
        return payload

    def stop_overdue(self) -> Failure:
        self._process.kill()
        return self._replace(Failure(errors.TIMED_OUT, f"stopped after {self._budget.timeout_seconds:g} s"))

    def run(self, task: Any) -> Any:
        """Send one task and wait for it within the budget (for engines that call one task at a time)."""
        self.send(0, task)
        while True:
            remaining = self.deadline - time.monotonic()
            if not self.conn.poll(None if remaining == float("inf") else max(0.0, remaining)):
                return self.stop_overdue()
            result = self.receive()
            if result is not BEAT:
                return result

    def renew(self) -> None:
        """A fresh worker in place of one that has served its share of tasks (it is idle)."""
        self.close()
        self._start()

    def close(self) -> None:
        if self.position is not None:  # busy (an interrupted run): no point waiting for the page
            self._process.kill()
        try:
            self.conn.send(None)  # the child's signal to exit (EOF alone is not: forked siblings hold the pipe)
        except (BrokenPipeError, OSError):
            pass
        self.conn.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def _death(self) -> Failure:
        self._process.join(timeout=5)
        code = self._process.exitcode
        if code == -signal.SIGKILL:  # killed from outside: on Linux almost always the OOM killer
            return Failure(errors.OUT_OF_MEMORY, "the worker was killed (out of memory)")
        return Failure(errors.WORKER_CRASHED, f"exit code {code}")

    def _replace(self, failure: Failure | None) -> Failure | None:
        self.conn.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self.position, self.deadline = None, float("inf")
        self._start()
        return failure


def _serve(conn: Connection, fn: Callable[[Any], Any], memory_mb: int, warm_up: Callable[[], None] | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent()
    if warm_up is not None:
        warm_up()
    if memory_mb:
        _limit_memory(memory_mb)
    executors._heartbeat = lambda: conn.send(("beat", None))
    executors._loading_started = lambda: conn.send(("loading", None))
    try:
        conn.send(("ready", None))
    except (BrokenPipeError, OSError):
        return
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            reply: tuple[str, Any] = ("ok", fn(task))
        except MemoryError:
            reply = ("failure", Failure(errors.OUT_OF_MEMORY, f"over {memory_mb} MB"))
        except BaseException as exc:  # noqa: B036 - whatever a page raises is reported, never fatal to the run
            reply = ("failure", Failure(errors.INTERNAL, repr(exc), traceback.format_exc()))
        try:
            conn.send(reply)
        except MemoryError:
            reply = ("failure", Failure(errors.OUT_OF_MEMORY, f"over {memory_mb} MB"))
            conn.send(reply)
        except (BrokenPipeError, EOFError, OSError):
            return
        if reply[0] == "failure" and reply[1].code == errors.OUT_OF_MEMORY:
            return


def _die_with_parent() -> None:
    """A worker whose parent was killed (kill -9) must not live on (Linux: PR_SET_PDEATHSIG)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _limit_memory(memory_mb: int) -> None:
    try:
        with open("/proc/self/statm") as fh:
            current = int(fh.read().split()[0]) * resource.getpagesize()
    except OSError:  # not Linux: no budget, rather than a wrong one
        log.debug("no /proc/self/statm: memory budget not enforced")
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + memory_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
