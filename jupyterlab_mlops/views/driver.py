"""Plans: view logic that spans several backends or calls at once, written once for both transports.

A *flow* (:mod:`..client.calls`) yields one call at a time to one backend. A *plan* yields
:class:`Fanout` objects: several ``(backend, flow)`` jobs whose results come back in order, a failed
job's :class:`~..client.errors.MlopsError` in place of its result. :func:`run_async` runs the jobs of a
fanout concurrently (the server: at most ``concurrency`` in flight, a job with a ``timeout`` answers
:class:`BackendTimeout` when it is late and finishes in the background); :func:`run_sync` runs them
one after the other (kernels and widgets). Also the two small task helpers of the server's caches.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Generator, NamedTuple, Optional, Sequence, TypeVar, Union

from ..client.calls import Flow
from ..client.errors import BackendTimeout, MlopsError

T = TypeVar("T")
CONCURRENCY = 6  # calls in flight per plan (the connection pool would otherwise time requests out)

SyncDrive = Callable[[str, Flow[Any]], Any]
AsyncDrive = Callable[[str, Flow[Any]], Awaitable[Any]]
#: ``await direct(backend, read)``: ``read(store)`` on that backend's own store, or None
DirectDrive = Callable[[str, Callable[[Any], Any]], Awaitable[Any]]


class Job(NamedTuple):
    """One flow against one backend; ``timeout`` (seconds, async driver only) bounds the wait for it.

    Or, with ``read`` instead of a flow, a read of the backend's own store (the embedded backend's SQLite
    file, :mod:`..client.embedded_store`): its result, or None where the driver has no such path (the plan
    then asks the REST API)."""

    backend: str
    flow: Optional[Flow[Any]]
    timeout: Optional[float] = None
    read: Optional[Callable[[Any], Any]] = None


@dataclass
class Fanout:
    """Jobs a plan hands its driver at once; the plan receives their results (or errors) in order."""

    jobs: Sequence[Union[Job, tuple[str, Flow[Any]]]] = field(default_factory=list)

    def normalized(self) -> list[Job]:
        return [j if isinstance(j, Job) else Job(*j) for j in self.jobs]


Plan = Generator[Fanout, list[Any], T]


def single(backend: str, flow: Flow[T]) -> Plan[T]:
    """A plan step of one flow: its result, or its error raised into the plan."""
    (result,) = yield Fanout([Job(backend, flow)])
    if isinstance(result, MlopsError):
        raise result
    return result


def run_sync(plan: Plan[T], drive: SyncDrive) -> T:
    """Drive ``plan`` with a synchronous ``drive(backend, flow)``: jobs run one after the other."""
    try:
        fan = next(plan)
        while True:
            results: list[Any] = []
            for job in fan.normalized():
                if job.flow is None:
                    results.append(None)  # no store of its own here: the plan takes the REST path
                    continue
                try:
                    results.append(drive(job.backend, job.flow))
                except MlopsError as exc:
                    results.append(exc)
            fan = plan.send(results)
    except StopIteration as stop:
        return stop.value


async def run_async(
    plan: Plan[T], drive: AsyncDrive, concurrency: int = CONCURRENCY, direct: Optional[DirectDrive] = None
) -> T:
    """Drive ``plan`` with an async ``drive(backend, flow)``: the jobs of a fanout run concurrently;
    ``read`` jobs go to ``direct`` (None without it)."""
    sem = asyncio.Semaphore(concurrency)

    async def limited(job: Job) -> Any:
        async with sem:
            if job.flow is None:
                return await direct(job.backend, job.read) if direct and job.read else None
            return await drive(job.backend, job.flow)

    async def one(job: Job) -> Any:
        if job.timeout is None:
            return await limited(job)
        task = background(limited(job))  # a late answer still lands in the flow's own caches
        try:
            return await asyncio.wait_for(asyncio.shield(task), job.timeout)
        except asyncio.TimeoutError:
            return BackendTimeout(f"Backend {job.backend!r} did not answer within {job.timeout:g} s.")

    try:
        fan = next(plan)
        while True:
            results = await asyncio.gather(*(one(j) for j in fan.normalized()), return_exceptions=True)
            for res in results:
                if isinstance(res, BaseException) and not isinstance(res, MlopsError):
                    plan.close()
                    raise res
            fan = plan.send(list(results))
    except StopIteration as stop:
        return stop.value


def background(coro: Any) -> "asyncio.Task[Any]":
    """A task whose failure is kept for the next reader, never logged as "never retrieved"."""
    task = asyncio.ensure_future(coro)
    task.add_done_callback(lambda t: t.cancelled() or t.exception())
    return task


class SharedReads:
    """Reads asked for while the same one is on its way wait for that one (single flight): the run page's
    charts, asked together, read their run once. Only reads: a joiner may get an answer begun just before it
    asked, never an older one."""

    def __init__(self) -> None:
        self._flights: dict[Any, "asyncio.Task[Any]"] = {}

    async def read(self, key: Any, start: Callable[[], Awaitable[T]]) -> T:
        flight = self._flights.get(key)
        if flight is None:
            flight = self._flights[key] = background(start())
            flight.add_done_callback(lambda _t: self._flights.pop(key, None))
        return await asyncio.shield(flight)  # a caller that goes away leaves the read to the others


def failed(task: Optional["asyncio.Future[Any]"]) -> bool:
    """Whether a cached task ended in an error (or was cancelled): the next reader starts it again."""
    return task is not None and task.done() and (task.cancelled() or task.exception() is not None)
