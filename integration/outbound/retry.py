"""Trying a platform call again while it can still succeed, and no longer.

Both platform clients make each call through `retrying`: an attempt raises a DeliveryError,
and a retryable one is tried again after the wait the platform asked for (`retry_after`;
0 to go again at once, as after fetching a fresh token), or else after a jittered backoff.
What is still failing after `ATTEMPTS` goes to the outbox, which tries again later.
"""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from integration.outbound.errors import DeliveryError
from integration.outbound.pace import backoff

ATTEMPTS = 4

T = TypeVar("T")


async def retrying(
    attempt: Callable[[], Awaitable[T]], sleep: Callable[[float], Awaitable[None]]
) -> T:
    failure: DeliveryError | None = None
    for n in range(ATTEMPTS):
        try:
            return await attempt()
        except DeliveryError as error:
            if not error.retryable:
                raise
            failure = error
        await sleep(failure.retry_after if failure.retry_after is not None else backoff(n))
    assert failure is not None
    raise failure
