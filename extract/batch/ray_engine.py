"""The Ray engine (``extract batch --engine ray``): each filing read and extracted in a Ray
task, anywhere on a cluster, while this process walks, skips and commits as the local
engine does (``runner``), so outputs, resume and errors are the same.

- A task reads the filing from its path (local, or a folder every node mounts) and returns
  the record. With the LLM it also asks the endpoint, from the worker.
- The API key reaches the workers in their environment (the task's runtime environment),
  never in a task's arguments; see :func:`extract.config.worker_environment`.
- ``--rpm`` / ``--tpm``: one actor holds the budgets, and every request on every node waits
  for it (:class:`ClusterLimiter`).
- A task whose worker process dies is run again by Ray (``TASK_RETRIES`` times): its
  filing is committed once, by this process, when a run of it returns.

Ray is an optional dependency, imported only here.
"""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING, Any

from ..backends.llm.limits import CallLimiter
from ..config import Settings, settings_on_worker, worker_environment
from ..core.errors import ConfigError, InputError
from ..core.schema import Record
from .engine import AsyncPipeline
from .remote import extract_location
from .store import settings_fingerprint
from .walk import Location, as_location

if TYPE_CHECKING:
    from ray.actor import ActorHandle

# A filing extracted by the rules keeps a core busy; one waiting for the LLM mostly waits,
# so four of them share a core.
RULES_TASK_CPUS = 1.0
LLM_TASK_CPUS = 0.25
# Filings in flight per task slot of the cluster: the next one is queued on each node
# while the current one runs.
FILINGS_PER_SLOT = 2
# How many times Ray runs a filing again after its worker process died (killed, or a
# native library crashing on it).
TASK_RETRIES = 3

INSTALL_HINT = "pip install 'filing-extract[ray]'"


def _ray() -> Any:
    try:
        import ray
    except ImportError as err:
        raise ConfigError(f"--engine ray needs Ray: {INSTALL_HINT}") from err
    return ray


class RayEngine:
    """``async with RayEngine(settings, rpm=…, tpm=…, address=…) as engine``: connected to
    Ray (started on this machine when no cluster is given and none is running), then
    :meth:`extract_path` per filing. ``concurrency`` is how many filings the cluster can
    usefully hold in flight."""

    def __init__(
        self,
        settings: Settings,
        *,
        address: str | None = None,
        rpm: float | None = None,
        tpm: float | None = None,
    ) -> None:
        self.settings = settings
        self.address = address
        self.rpm = rpm
        self.tpm = tpm
        self.task_settings = settings.with_(api_key=None)  # what a task's arguments carry
        self.task_cpus = LLM_TASK_CPUS if settings.runs_llm else RULES_TASK_CPUS
        self.concurrency = 1
        self.budget: ActorHandle[SharedBudget] | None = None
        self._task: Any = None
        self._started_ray = False

    async def __aenter__(self) -> RayEngine:
        ray = _ray()
        if not ray.is_initialized():
            self._connect(ray)
        try:
            self._task = ray.remote(extract_on_worker).options(
                num_cpus=self.task_cpus,
                max_retries=TASK_RETRIES,
                runtime_env=_runtime_env(worker_environment(self.settings)),
            )
            if self.rpm or self.tpm:
                budget = ray.remote(num_cpus=0)(SharedBudget)
                self.budget = budget.remote(self.rpm, self.tpm)
            await self._check_workers(ray)
            cpus = float(ray.cluster_resources().get("CPU", 1))
            self.concurrency = max(1, math.ceil(FILINGS_PER_SLOT * cpus / self.task_cpus))
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        ray = _ray()
        if self.budget is not None:
            ray.kill(self.budget)
            self.budget = None
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False

    def _connect(self, ray: Any) -> None:
        try:
            ray.init(address=self.address, logging_level="WARNING", configure_logging=True)
        except (ConnectionError, RuntimeError, ValueError) as err:
            where = self.address or "a local Ray"
            raise ConfigError(f"cannot connect to {where}: {err}") from err
        self._started_ray = True

    async def _check_workers(self, ray: Any) -> None:
        """One task before any filing: the cluster can run the toolkit, and its workers
        extract as this process would (same version, rules, prompts and backend; the
        records' fingerprint says so)."""
        probe = ray.remote(worker_fingerprint).options(
            num_cpus=0, runtime_env=_runtime_env(worker_environment(self.settings))
        )
        try:
            theirs = await probe.remote(self.task_settings)
        except ray.exceptions.RayError as err:
            raise ConfigError(
                "the Ray cluster cannot run filing-extract tasks (install the same "
                f"filing-extract on every node): {_cause(err)}"
            ) from err
        ours = settings_fingerprint(self.settings)
        if theirs != ours:
            raise ConfigError(
                f"the Ray workers would extract with {theirs!r}, this process with {ours!r}: "
                "install the same filing-extract (and prompts) on every node, and give the "
                "workers the API key (OPENAI_API_KEY here is passed to them)"
            )

    async def extract_path(self, path: Location) -> Record:
        """Extract one filing in a task; raises the task's own error (an ExtractError for
        a bad filing), as the local engine would."""
        ray = _ray()
        ref = self._task.remote(str(path), self.task_settings, self.budget)
        try:
            record: Record = await ref
        except asyncio.CancelledError:
            ray.cancel(ref)  # a batch abandoned with a second Ctrl-C
            raise
        except ray.exceptions.RayTaskError as err:
            raise _cause(err) from None
        except (ray.exceptions.WorkerCrashedError, ray.exceptions.OutOfMemoryError) as err:
            raise InputError(
                f"{path}: the Ray workers reading it kept dying ({type(err).__name__}; "
                "a crash in a native library, or too little memory)"
            ) from err
        return record


def _runtime_env(env: dict[str, str]) -> dict[str, Any] | None:
    return {"env_vars": env} if env else None


def _cause(err: Exception) -> Exception:
    """The exception a task raised, without Ray's wrapper (so errors.jsonl names its kind)."""
    cause = getattr(err, "cause", None)
    return cause if isinstance(cause, Exception) else err


# -- what runs on the workers ------------------------------------------------------------------


def extract_on_worker(
    path: str, settings: Settings, budget: ActorHandle[SharedBudget] | None
) -> Record:
    """A Ray task: one filing, with the worker's own API key and response cache."""
    settings = settings_on_worker(settings)
    if not settings.runs_llm:
        return extract_location(as_location(path), settings)
    limiter = ClusterLimiter(budget) if budget is not None else None
    return asyncio.run(_extract_with_llm(as_location(path), settings, limiter))


async def _extract_with_llm(
    path: Location, settings: Settings, limiter: CallLimiter | None
) -> Record:
    async with AsyncPipeline(settings, limiter) as pipeline:
        return await pipeline.extract_path(path)


def worker_fingerprint(settings: Settings) -> str:
    """A Ray task: the settings fingerprint as a worker sees it."""
    return settings_fingerprint(settings_on_worker(settings))


class SharedBudget:
    """A Ray actor, one per batch: the requests and tokens per minute of the whole cluster.
    Counts what it was charged (``usage``), for tests and curiosity."""

    def __init__(self, rpm: float | None, tpm: float | None) -> None:
        self._limiter = CallLimiter(rpm, tpm)
        self.requests = 0
        self.tokens = 0

    async def before_call(self, estimated_tokens: int) -> None:
        self.requests += 1
        self.tokens += estimated_tokens
        await self._limiter.before_call(estimated_tokens)

    async def after_call(self, extra_tokens: int) -> None:
        self.tokens += extra_tokens
        await self._limiter.after_call(extra_tokens)

    def usage(self) -> tuple[int, int]:
        """Requests and tokens charged so far."""
        return self.requests, self.tokens


class ClusterLimiter(CallLimiter):
    """A worker's view of the :class:`SharedBudget` actor: the LLM client waits on it as on
    a local limiter."""

    def __init__(self, budget: ActorHandle[SharedBudget]) -> None:
        super().__init__()
        self._budget = budget

    @property
    def active(self) -> bool:
        return True

    async def before_call(self, estimated_tokens: int = 0) -> None:
        await self._budget.before_call.remote(estimated_tokens)

    async def after_call(self, extra_tokens: int) -> None:
        await self._budget.after_call.remote(extra_tokens)
