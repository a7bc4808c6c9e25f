"""Request and token budgets per minute, shared by every concurrent LLM call of a run."""

from __future__ import annotations

from aiolimiter import AsyncLimiter


class CallLimiter:
    """Requests-per-minute and tokens-per-minute budgets shared by every worker.

    ``await limiter.before_call(estimated_tokens)`` before each LLM request and
    ``await limiter.after_call(used_tokens - estimated_tokens)`` after it. With no limits
    set both return at once.
    """

    def __init__(self, rpm: float | None = None, tpm: float | None = None) -> None:
        self._requests = AsyncLimiter(rpm, 60) if rpm else None
        self._tokens = AsyncLimiter(tpm, 60) if tpm else None

    @property
    def active(self) -> bool:
        return self._requests is not None or self._tokens is not None

    async def before_call(self, estimated_tokens: int = 0) -> None:
        """Wait until one more request (and ``estimated_tokens``) fits the budgets."""
        if self._requests is not None:
            await self._requests.acquire()
        await self._charge(estimated_tokens)

    async def after_call(self, extra_tokens: int) -> None:
        """Charge tokens used beyond the estimate (waits if that overdraws the budget)."""
        await self._charge(extra_tokens)

    async def _charge(self, tokens: int) -> None:
        if self._tokens is not None and tokens > 0:
            # aiolimiter refuses a single charge above its capacity; a minute's worth is the most
            await self._tokens.acquire(min(tokens, self._tokens.max_rate))
