"""Waiting in tests: for something to become true, and on a clock the test moves by hand."""

import asyncio
from collections.abc import Callable


async def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


class ManualClock:
    """A monotonic clock for a fake's limits and expiries: time passes when the test says."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now
