"""Executors: map one function over a stream of tasks, each task under a budget, on an engine.

An engine is anything with `map(fn, tasks) -> Iterator[(position, result)]` and `close()`:
results come back in any order, tagged with the task's position in `tasks`, and `in_order`
restores input order so that outputs never depend on the engine or the worker count. A task
that breaks its budget (time, memory) or kills its worker comes back as a `Failure` instead of
a result, and the stream goes on. Engines pull tasks lazily and keep only a few in flight, so a
corpus is never held whole in memory.

- `local`: a pool of worker processes on this machine (`sandbox.Sandbox`, one per worker).
- `dask`: dask.distributed, a LocalCluster or an existing scheduler; each dask worker runs its
  tasks in a `Sandbox` of its own, so budgets hold there too.

A third engine (Ray, Spark) is one module with a class like `local.LocalEngine`, and one line in ENGINES.
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from ..config import BUDGET

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Budget:
    """What one task may cost: wall-clock seconds and memory growth in MB (0 = no limit)."""

    timeout_seconds: float = BUDGET.timeout_seconds
    memory_mb: int = BUDGET.memory_mb
    tasks_per_worker: int = BUDGET.tasks_per_worker  # 0 = a worker serves the whole run


@dataclass(frozen=True)
class Failure:
    """A task that returned no result: over budget, its worker died, or it raised.

    `code` is an errors.SP3xx/SP900 code; `detail` says what happened; `trace` is the traceback,
    for the debug log only (never shown to the user)."""

    code: str
    detail: str
    trace: str | None = None


class Engine(Protocol):
    name: str

    def map(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[int, Any]]: ...

    def close(self) -> None: ...


# name -> "module:class"; a class takes (workers, scheduler, budget, warm_up) as keywords
ENGINES = {
    "local": "pipeline.executors.local:LocalEngine",
    "dask": "pipeline.executors.dask:DaskEngine",
}


# name -> (module it needs, how to get it): engines whose libraries are an extra, not a dependency
NEEDS = {"dask": ("distributed", "pip install 'stretchpipe[dask]'")}


def missing_engine(name: str) -> str | None:
    """Why an engine cannot run here (its library is not installed), or None when it can."""
    module, how = NEEDS.get(name, (None, None))
    if module is None or importlib.util.find_spec(module) is not None:
        return None
    return f"the {name} engine needs dask.distributed, which is not installed: {how}"


_heartbeat: Callable[[], None] | None = None  # set inside a sandbox process
_loading_started: Callable[[], None] | None = None  # set inside a sandbox process


def page_done() -> None:
    """Tell the sandbox that a task reading several pages (a WARC) has finished one: the
    wall-clock budget is per page, so the task's deadline starts again. Outside a sandbox, nothing."""
    if _heartbeat is not None:
        _heartbeat()


@contextlib.contextmanager
def loading() -> Iterator[None]:
    """One-time loading inside a task (a lazy import, spaCy's pipeline): the worker's cost, not the
    page's. The sandbox gives it the start-up allowance instead of the page's budget, and the
    page's clock starts again when it is done. Outside a sandbox, nothing."""
    if _loading_started is not None:
        _loading_started()
    try:
        yield
    finally:
        if _heartbeat is not None:
            _heartbeat()


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def make_engine(name: str = "local", *, workers: int | None = None, scheduler: str | None = None,
                budget: Budget = Budget(), warm_up: Callable[[], None] | None = None) -> Engine:
    """`warm_up` runs once per worker before its first task (load the knowledge base, spaCy)."""
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")
    if missing_engine(name):
        raise ValueError(missing_engine(name))
    module, cls = ENGINES[name].split(":")
    engine = getattr(importlib.import_module(module), cls)  # imported only when chosen (dask is heavy)
    return engine(workers=workers or default_workers(), scheduler=scheduler, budget=budget, warm_up=warm_up)


def in_order(results: Iterable[tuple[int, R]]) -> Iterator[R]:
    """Yield results by position, holding back only those that finished ahead of a slower one."""
    waiting: dict[int, R] = {}
    next_position = 0
    for position, result in results:
        waiting[position] = result
        while next_position in waiting:
            yield waiting.pop(next_position)
            next_position += 1
    if waiting:  # an engine lost a task: a bug, never silently dropped
        raise RuntimeError(f"engine returned no result for task {next_position}")
