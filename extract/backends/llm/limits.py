"""Budgets shared by every concurrent LLM call of a run: requests in flight at once,
requests per minute and tokens per minute."""

from __future__ import annotations

import asyncio

from aiolimiter import AsyncLimiter


class CallLimiter:
    """The budgets every LLM call of a run shares.

    ``await limiter.before_call(estimated_tokens)`` before each LLM request and, once it is
    answered or has failed, ``await limiter.after_call(used_tokens - estimated_tokens)``.
    ``max_in_flight`` caps the requests waiting for the endpoint at once (a batch's
    ``--concurrency``: a filing asks its sections concurrently, so filings in progress
    alone would not cap them). With no limits set both calls return at once.
    """

    def __init__(
        self, rpm: float | None = None, tpm: float | None = None, max_in_flight: int | None = None
    ) -> None:
        self._requests = AsyncLimiter(rpm, 60) if rpm else None
        self._tokens = AsyncLimiter(tpm, 60) if tpm else None
        self._slots = asyncio.Semaphore(max_in_flight) if max_in_flight else None

    @property
    def active(self) -> bool:
        return self._requests is not None or self._tokens is not None

    async def before_call(self, estimated_tokens: int = 0) -> None:
        """Wait for a free slot, then until one more request (and ``estimated_tokens``)
        fits the budgets."""
        if self._slots is not None:
            await self._slots.acquire()
        try:
            if self._requests is not None:
                await self._requests.acquire()
            await self._charge(estimated_tokens)
        except BaseException:  # cancelled while waiting: the slot was never used
            self._release()
            raise

    async def after_call(self, extra_tokens: int) -> None:
        """Free the request's slot, then charge the tokens it used beyond the estimate
        (waits if that overdraws the budget)."""
        self._release()
        await self._charge(extra_tokens)

    def _release(self) -> None:
        if self._slots is not None:
            self._slots.release()

    async def _charge(self, tokens: int) -> None:
        if self._tokens is not None and tokens > 0:
            # aiolimiter refuses a single charge above its capacity; a minute's worth is the most
            await self._tokens.acquire(min(tokens, self._tokens.max_rate))
