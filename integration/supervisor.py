"""Long-running work the app starts is supervised: logged, and started again when it fails.

An asyncio task that raises dies silently: its exception waits inside the task until someone
awaits it, which the app does only when it stops. A Stream client that met an answer it did
not expect would leave DingTalk's clicks and @-mentions unanswered until someone restarted
baoxiu, and a delivery worker that did would leave every card unsent. So each piece of
long-running work runs under `supervise`: an unexpected exception is logged with its
traceback and the work starts again after a jittered backoff (`pace.backoff`), from the
first step again once it had been running well for longer than the longest wait. Work that
returns has finished; cancelling it stops it, as it always did.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager

from integration.outbound.pace import backoff

log = logging.getLogger(__name__)

FIRST_S = 1.0
MAX_BACKOFF_S = 60.0

Work = Callable[[], Awaitable[None]]
"""Starts the work afresh each time it is called: a coroutine runs only once."""


async def supervise(
    name: str, work: Work, *, first: float = FIRST_S, cap: float = MAX_BACKOFF_S
) -> None:
    """Run `work` until it returns or this is cancelled, starting it again whenever it
    raises; `name` says in the log what failed."""
    loop = asyncio.get_running_loop()
    failures = 0
    while True:
        started = loop.time()
        try:
            await work()
            return
        except Exception:
            if loop.time() - started > cap:
                failures = 0
            delay = backoff(failures, first=first, cap=cap)
            failures += 1
            log.exception("%s failed; starting it again in %.1f s", name, delay)
        await asyncio.sleep(delay)


@asynccontextmanager
async def supervised(work: Mapping[str, Work]) -> AsyncIterator[None]:
    """Run each piece of `work` (by its name) under `supervise` while the block runs; cancel
    them and wait for them afterwards."""
    running = [asyncio.create_task(supervise(name, w), name=name) for name, w in work.items()]
    try:
        yield
    finally:
        for task in running:
            task.cancel()
        for task in running:
            with contextlib.suppress(asyncio.CancelledError):
                await task
