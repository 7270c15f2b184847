"""Long-running work that raises is logged and started again; cancelling it still stops it."""

import asyncio
import logging

import pytest

from integration.supervisor import supervise, supervised
from tests.waiting import eventually


class Flaky:
    """Work that fails its first `failures` runs, then runs until cancelled."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.starts = 0
        self.stopped = asyncio.Event()

    async def run(self) -> None:
        self.starts += 1
        if self.starts <= self.failures:
            raise ValueError(f"unexpected answer #{self.starts}")
        try:
            await asyncio.Event().wait()
        finally:
            self.stopped.set()


async def test_work_that_raises_is_logged_and_started_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    work = Flaky(failures=2)
    with caplog.at_level(logging.ERROR, logger="integration.supervisor"):
        task = asyncio.create_task(supervise("the flaky work", work.run, first=0.01, cap=0.05))
        await eventually(lambda: work.starts == 3)
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert work.stopped.is_set()
    failed = [r for r in caplog.records if "the flaky work failed" in r.getMessage()]
    assert len(failed) == 2
    assert all(r.exc_info and isinstance(r.exc_info[1], ValueError) for r in failed)


async def test_work_that_returns_is_not_started_again() -> None:
    starts = 0

    async def once() -> None:
        nonlocal starts
        starts += 1

    await asyncio.wait_for(supervise("once", once, first=0.01), 1.0)
    assert starts == 1


async def test_supervised_work_stops_with_the_block() -> None:
    work = Flaky(failures=1)
    async with supervised({"the flaky work": work.run}):
        await eventually(lambda: work.starts == 2, timeout=5)
    assert work.stopped.is_set()
