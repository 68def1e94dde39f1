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
        positions: dict[Any, int] = {}
        running = as_completed()

        def submit_next() -> bool:
            item = next(queue, None)
            if item is None:
                return False
            position, task = item
            future = client.submit(run_in_sandbox, fn, task, self.budget, self.warm_up, pure=False)
            positions[future] = position
            running.add(future)
            return True

        for _ in range(slots):
            if not submit_next():
                break
        for future in running:
            position = positions.pop(future)
            try:
                result = future.result()
            except Exception as exc:  # the dask worker itself was lost (KilledWorker...)
                log.debug("dask task %d failed", position, exc_info=True)
                result = Failure(errors.WORKER_CRASHED, f"dask worker lost: {exc!r}")
            future.release()
            yield position, result
            submit_next()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None


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
