"""The decoder threads: cheapest photo first, and a turn is never lost."""

import asyncio
import functools
import threading

from integration.web.decoders import Decoders


async def test_the_cheapest_waiting_photo_goes_first() -> None:
    decoders = Decoders(1)
    busy, order = threading.Event(), list[int]()
    try:
        first = asyncio.create_task(decoders.run(0, busy.wait))
        await asyncio.sleep(0.01)
        waiting = []
        for cost in (300, 100, 200):
            work = functools.partial(order.append, cost)
            waiting.append(asyncio.create_task(decoders.run(cost, work)))
            await asyncio.sleep(0.01)
        busy.set()
        await asyncio.gather(first, *waiting)
        assert order == [100, 200, 300]
    finally:
        busy.set()
        decoders.close()


async def test_a_photo_given_up_while_waiting_leaves_its_turn_to_the_next() -> None:
    decoders = Decoders(1)
    busy = threading.Event()
    try:
        first = asyncio.create_task(decoders.run(0, busy.wait))
        await asyncio.sleep(0.01)
        given_up = asyncio.create_task(decoders.run(1, lambda: "given up"))
        later = asyncio.create_task(decoders.run(2, lambda: "decoded"))
        await asyncio.sleep(0.01)
        given_up.cancel()
        busy.set()
        assert await asyncio.wait_for(later, 5) == "decoded"
        await first
        assert await decoders.run(0, lambda: "again") == "again", "the thread is free again"
    finally:
        busy.set()
        decoders.close()
