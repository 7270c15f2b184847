"""The pacer keeps any one-second span within the limit, counted from each call's answer."""

import asyncio

from integration.outbound.pace import MARGIN, SlidingWindow


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_the_sixth_call_waits_for_the_first_to_be_a_window_old() -> None:
    clock = Clock()
    pace = SlidingWindow(5, 1.0, clock)
    for _ in range(5):
        async with pace.call("oc_a"):
            clock.now += 0.1
    sixth = asyncio.create_task(pace.call("oc_a").__aenter__())
    await asyncio.sleep(0)
    assert not sixth.done()  # the first call was answered at 0.1; the window ends at 1.15
    clock.now = 0.1 + 1.0 + MARGIN
    await asyncio.wait_for(sixth, 2)


async def test_keys_are_paced_apart() -> None:
    clock = Clock()
    pace = SlidingWindow(1, 1.0, clock)
    async with pace.call("oc_a"):
        pass
    async with asyncio.timeout(0.5):
        async with pace.call("oc_b"):
            pass


async def test_a_call_slow_to_answer_counts_from_its_answer() -> None:
    clock = Clock()
    pace = SlidingWindow(1, 1.0, clock)
    async with pace.call("oc_a"):
        clock.now = 3.0  # in flight for 3 s: the platform may have counted it at 2.9
    second = asyncio.create_task(pace.call("oc_a").__aenter__())
    await asyncio.sleep(0.01)
    assert not second.done()
    clock.now = 4.0 + MARGIN
    await asyncio.wait_for(second, 2)
