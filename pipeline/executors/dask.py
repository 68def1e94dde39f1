"""The dask engine: dask.distributed, on a LocalCluster or an existing scheduler (`tcp://host:8786`).

Each dask worker process keeps a `Sandbox` (a child process of its own) and runs every task in
it, so the per-page budget holds on a cluster too. Tasks are submitted a few per worker ahead,
as results come back, so the corpus is never all in the scheduler at once.

For an existing cluster: stretchpipe must be installed on the workers, the inputs readable at
the same paths, and the workers started non-daemonic so they may start their sandbox process
(`DASK_DISTRIBUTED__WORKER__DAEMON=False dask worker tcp://host:8786`); a daemonic worker
runs tasks in-process, without the time and memory budget, and says so in its log.
"""
from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .. import errors
from . import Budget, Failure
from .sandbox import Sandbox

log = logging.getLogger("stretchpipe")
AHEAD_PER_WORKER = 2
# a task whose dask worker or connection was lost (KilledWorker, CommClosedError: dask's side, not the
# page's, whose failures come back as values) is sent again this many times before it is reported
RETRIES = 2


class DaskEngine:
    name = "dask"

    def __init__(self, workers: int, scheduler: str | None = None, budget: Budget = Budget(),
                 warm_up: Callable[[], None] | None = None):
        self.workers = max(1, workers)
        self.scheduler = scheduler
        self.budget = budget
        self.warm_up = warm_up
        self._client = None
        self._cluster = None

    def _connect(self):
        """The client, or an OutputError (SP507) saying why the engine cannot start: nothing was run
        yet, so the run stops before --out is touched, with one line and no traceback."""
        try:
            client = self._start()
            client.nthreads()  # a scheduler that answers once it is reached
            return client
        except Exception as exc:
            log.debug("the dask engine could not start", exc_info=True)
            self.close()
            raise errors.output_error(errors.ENGINE_START, engine="dask", detail=_reason(exc)) from exc

    def _start(self):
        import dask
        from distributed import Client, LocalCluster
        if self.scheduler:
            self._client = Client(self.scheduler)
        else:
            # non-daemonic workers may start the sandbox process that enforces the budget
            with dask.config.set({"distributed.worker.daemon": False, "distributed.logging.distributed": "error"}):
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                             host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR)
            self._client = Client(self._cluster)
        return self._client

    def map(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed
        client = self._client or self._connect()
        slots = max(1, sum(client.nthreads().values())) * AHEAD_PER_WORKER
        queue = enumerate(tasks)
        pending: dict[Any, tuple[int, Any, int]] = {}  # future -> (position, task, attempts before this one)
        lost: list[tuple[int, Failure]] = []  # tasks that could not be sent: reported, the run goes on
        running = as_completed()

        def submit(position: int, task: Any, attempt: int) -> None:
            try:
                future = client.submit(run_in_sandbox, fn, task, self.budget, self.warm_up, pure=False)
            except Exception as exc:  # the scheduler is gone
                log.debug("dask task %d could not be sent", position, exc_info=True)
                lost.append((position, Failure(errors.WORKER_CRASHED, f"dask scheduler lost: {exc!r}")))
                return
            pending[future] = (position, task, attempt)
            running.add(future)

        def submit_next() -> bool:
            item = next(queue, None)
            if item is None:
                return False
            submit(*item, 0)
            return True

        for _ in range(slots):
            if not submit_next():
                break
        while True:
            yield from _drain(lost)
            for future in running:
                position, task, attempt = pending.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # the dask worker or the connection was lost, not the page
                    future.release()
                    if attempt < RETRIES:
                        log.debug("dask task %d lost (%r), sent again", position, exc)
                        submit(position, task, attempt + 1)
                        yield from _drain(lost)
                        continue
                    log.debug("dask task %d failed", position, exc_info=True)
                    result = Failure(errors.WORKER_CRASHED, f"dask worker lost: {exc!r}")
                else:
                    future.release()
                yield position, result
                submit_next()
                yield from _drain(lost)
            if not submit_next():  # nothing running: the queue is done, or its tasks could not be sent
                yield from _drain(lost)
                return

    def close(self) -> None:
        # the results are in hand: a connection that breaks while closing (CommClosedError) fails nothing
        for part in (self._client, self._cluster):
            if part is not None:
                try:
                    part.close()
                except Exception:
                    log.debug("closing dask's %s failed", type(part).__name__, exc_info=True)
        self._client = self._cluster = None


def _reason(exc: BaseException) -> str:
    """One line for a user: dask's own message ("Timed out trying to connect to tcp://...") or the type."""
    text = " ".join(str(exc).split())
    return text[:200] if text else type(exc).__name__


def _drain(lost: list[tuple[int, Failure]]) -> Iterator[tuple[int, Failure]]:
    while lost:
        yield lost.pop(0)


_local = threading.local()


def run_in_sandbox(fn: Callable[[Any], Any], task: Any, budget: Budget, warm_up: Callable[[], None] | None) -> Any:
    """Runs on a dask worker: the task goes to this worker thread's sandbox process."""
    sandboxes = _local.__dict__.setdefault("sandboxes", {})
    key = (fn, budget)
    if key not in sandboxes:
        if multiprocessing.current_process().daemon:
            if not sandboxes.get("warned"):
                log.warning("daemonic dask worker: running tasks in-process, without the time and memory budget")
                sandboxes["warned"] = True
                if warm_up is not None:
                    warm_up()
            return fn(task)
        sandboxes[key] = Sandbox(multiprocessing.get_context("spawn"), fn, budget, warm_up)
    return sandboxes[key].run(task)
