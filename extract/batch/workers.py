"""Worker processes for CPU-bound steps: a batch uses every core, and its event loop stays
free to answer the LLM endpoint while long filings are read and indexed.

Workers are spawned, not forked (the parent runs threads, which a fork would copy
mid-lock). They ignore Ctrl-C, which the batch handles by letting running files finish,
and they exit when the parent dies (``kill -9`` included) rather than linger.
A worker that dies (a native library crashing on one file) breaks only the calls in
flight: the pool is replaced and each of those calls is tried once more on the new one.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # on a busy machine the parent, which talks to the endpoint, should get the CPU first
    os.nice(10)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()


def _exit_with(parent_sentinel: int) -> None:
    """Wait for the parent process to end, however it ends, then end this worker."""
    multiprocessing.connection.wait([parent_sentinel])
    os._exit(1)


class WorkerPool:
    """``workers`` processes; :meth:`run` awaits one call in one of them."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.restarts = 0
        self._pool = self._new_pool()

    async def start(self, warm_up: Callable[[], object]) -> None:
        """Spawn every worker now and have each run ``warm_up`` (imports, vocabularies),
        rather than making the first files wait for it."""
        await asyncio.gather(*(self._submit(self._pool, warm_up) for _ in range(self.workers)))

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker (both picklable); its exception is raised here.
        Raises BrokenProcessPool if the worker dies twice running it."""
        pool = self._pool
        try:
            return await self._submit(pool, fn, *args)
        except BrokenProcessPool:
            self._replace(pool)
        return await self._submit(self._pool, fn, *args)

    def close(self) -> None:
        """Drop queued calls, wait for running ones (short: one file each), stop."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _new_pool(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=_init_worker)

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        if self._pool is broken:  # the first of the calls it broke replaces it
            broken.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            self.restarts += 1

    @staticmethod
    async def _submit(pool: ProcessPoolExecutor, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, functools.partial(fn, *args))
