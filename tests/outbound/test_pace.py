"""The pacer keeps any one-second span within the limit, counted from each call's answer."""

import asyncio

from integration.outbound.pace import MARGIN, SlidingWindow
from tests.clock import FakeClock


async def test_the_sixth_call_waits_for_the_first_to_be_a_window_old(clock: FakeClock) -> None:
    pace = SlidingWindow(5, 1.0, clock)
    for _ in range(5):
        async with pace.call("oc_a"):
            clock.advance(seconds=0.1)
    sixth = asyncio.create_task(pace.call("oc_a").__aenter__())
    await asyncio.sleep(0)
    assert not sixth.done()  # the first call was answered 0.1 s in; the window ends 1.15 s in
    clock.advance(seconds=0.6 + MARGIN)
    await asyncio.wait_for(sixth, 2)


async def test_keys_are_paced_apart(clock: FakeClock) -> None:
    pace = SlidingWindow(1, 1.0, clock)
    async with pace.call("oc_a"):
        pass
    async with asyncio.timeout(0.5):
        async with pace.call("oc_b"):
            pass


async def test_a_call_slow_to_answer_counts_from_its_answer(clock: FakeClock) -> None:
    pace = SlidingWindow(1, 1.0, clock)
    async with pace.call("oc_a"):
        clock.advance(seconds=3)  # in flight for 3 s: the platform may have counted it at 2.9
    second = asyncio.create_task(pace.call("oc_a").__aenter__())
    await asyncio.sleep(0.01)
    assert not second.done()
    clock.advance(seconds=1 + MARGIN)
    await asyncio.wait_for(second, 2)
