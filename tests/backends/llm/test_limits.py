"""The call budgets a run shares: requests in flight, per minute, tokens per minute."""

from __future__ import annotations

import asyncio

from extract.backends.llm.limits import CallLimiter


def test_requests_in_flight_never_exceed_the_cap() -> None:
    async def scenario() -> tuple[int, int]:
        limiter = CallLimiter(max_in_flight=3)
        in_flight = peak = 0

        async def call() -> None:
            nonlocal in_flight, peak
            await limiter.before_call()
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1
            await limiter.after_call(0)

        await asyncio.gather(*(call() for _ in range(20)))
        return peak, in_flight

    assert asyncio.run(scenario()) == (3, 0)


def test_a_call_cancelled_while_waiting_does_not_keep_a_slot() -> None:
    async def scenario() -> None:
        limiter = CallLimiter(tpm=60, max_in_flight=1)
        await limiter.before_call(60)  # the minute's whole token budget
        await limiter.after_call(0)
        waiting = asyncio.create_task(limiter.before_call(60))  # holds the slot, waits
        await asyncio.sleep(0.05)
        assert not waiting.done()
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
        # the only slot is free again: a call that needs no tokens gets it at once
        await asyncio.wait_for(limiter.before_call(0), timeout=1)

    asyncio.run(scenario())
