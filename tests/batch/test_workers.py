"""The worker-process pool: results and errors come back, a dead worker is replaced."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TypeVar

import pytest
import worker_tasks

from extract.batch.workers import WorkerPool

T = TypeVar("T")


def run(pool_size: int, scenario: Callable[[WorkerPool], Awaitable[T]]) -> T:
    """``scenario`` against a fresh pool of ``pool_size`` workers, closed afterwards."""

    async def main() -> T:
        pool = WorkerPool(pool_size)
        try:
            return await scenario(pool)
        finally:
            pool.close()

    return asyncio.run(main())


def test_calls_run_in_workers_and_their_errors_come_back() -> None:
    async def scenario(pool: WorkerPool) -> list[int]:
        with pytest.raises(ValueError, match="bad filing"):
            await pool.run(worker_tasks.fail, "bad filing")
        return list(await asyncio.gather(*(pool.run(worker_tasks.square, i) for i in range(6))))

    assert run(2, scenario) == [0, 1, 4, 9, 16, 25]


def test_a_worker_that_dies_is_replaced_and_the_call_tried_again(tmp_path: Path) -> None:
    async def scenario(pool: WorkerPool) -> tuple[str, int]:
        answer = await pool.run(worker_tasks.die_once, str(tmp_path / "marker"))
        return answer, pool.restarts

    assert run(1, scenario) == ("answered", 1)


def test_a_call_that_kills_its_worker_twice_fails_and_the_pool_goes_on() -> None:
    async def scenario(pool: WorkerPool) -> int:
        with pytest.raises(BrokenProcessPool):
            await pool.run(worker_tasks.die)
        return await pool.run(worker_tasks.square, 7)

    assert run(1, scenario) == 49


def test_workers_ignore_ctrl_c_which_the_batch_handles() -> None:
    async def scenario(pool: WorkerPool) -> str:
        return await pool.run(worker_tasks.interrupt_self)

    assert run(1, scenario) == "still here"
