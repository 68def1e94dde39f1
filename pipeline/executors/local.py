"""The local engine: a pool of worker processes on this machine, one task in flight per worker."""
from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import wait
from typing import Any

from . import Budget
from .sandbox import BEAT, Sandbox


class LocalEngine:
    name = "local"

    def __init__(self, workers: int, budget: Budget = Budget(), warm_up: Callable[[], None] | None = None,
                 scheduler: str | None = None):  # no scheduler: the pool is this machine's
        self.workers = max(1, workers)
        self.budget = budget
        self.warm_up = warm_up

    def map(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[int, Any]]:
        # fork after warming up here: every worker starts with the knowledge base and spaCy
        # already loaded (once, shared copy-on-write), and a replaced worker starts instantly
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        warm_up = self.warm_up
        pool: list[Sandbox] = []
        idle: list[Sandbox] = []
        busy: dict[Any, Sandbox] = {}
        queue = enumerate(tasks)
        more = True
        try:
            while True:
                while more and (idle or len(pool) < self.workers):
                    item = next(queue, None)
                    if item is None:
                        more = False
                        break
                    if not pool and warm_up is not None and context.get_start_method() == "fork":
                        warm_up()  # only once there is work: a run with nothing to redo loads nothing
                        warm_up = None
                    if not idle:  # workers start on demand: a one-page run starts one
                        pool.append(Sandbox(context, fn, self.budget, warm_up))
                        idle.append(pool[-1])
                    sandbox = idle.pop()
                    sandbox.send(*item)
                    busy[sandbox.conn] = sandbox
                if not busy:
                    return
                soonest = min(s.deadline for s in busy.values())
                timeout = None if soonest == float("inf") else max(0.0, soonest - time.monotonic())
                for conn in wait(list(busy), timeout):
                    sandbox = busy.pop(conn)
                    position = sandbox.position
                    result = sandbox.receive()
                    if result is BEAT:  # one page of a multi-page input done: still busy, new deadline
                        busy[sandbox.conn] = sandbox
                        continue
                    idle.append(sandbox)
                    yield position, result
                now = time.monotonic()
                for conn, sandbox in list(busy.items()):
                    if sandbox.deadline <= now:
                        del busy[conn]
                        position = sandbox.position
                        result = sandbox.stop_overdue()
                        idle.append(sandbox)
                        yield position, result
        finally:
            for sandbox in pool:
                sandbox.close()

    def close(self) -> None:
        pass
