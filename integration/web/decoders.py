"""The threads photos are decoded on: few, cheapest photo first, memory handed back after.

A pool of the app's own, not asyncio's default one: that one has a thread per CPU and then
some, each free to hold a photo's worth of memory, and every other `to_thread` call waits
behind it. Threads are enough: Pillow decodes without the GIL, and the photo's byte budget
(integration/web/photos.py) bounds what each thread holds.

When more photos wait than there are threads, the cheapest (by the bytes its decoding takes,
known from its header) goes first: a phone photo of a report does not wait behind a queue of
photos made to be as costly as the budget allows. A costly photo can wait only as long as
cheaper ones keep coming, and every photo comes through a rate-limited form or a chat message.

glibc keeps the memory the threads freed in its arenas, where a burst of large photos leaves
the process holding gigabytes; a thread hands it back (`malloc_trim`) after each photo.
"""

import asyncio
import ctypes
import ctypes.util
import functools
import heapq
import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class Decoders:
    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="photo")
        self._free = workers
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    def close(self) -> None:
        """Wait for the photos being decoded; those still waiting are not decoded."""
        self._pool.shutdown(cancel_futures=True)

    async def run(self, cost: int, work: Callable[[], T]) -> T:
        """`work()` on a decoder thread, once the photos cheaper than `cost` have had theirs."""
        await self._turn(cost)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, _trimmed, work)
        finally:
            self._pass_on()

    async def _turn(self, cost: int) -> None:
        if self._free:  # then nobody waits
            self._free -= 1
            return
        turn = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (cost, next(self._arrivals), turn))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # given the turn as it was cancelled
                self._pass_on()
            raise

    def _pass_on(self) -> None:
        while self._waiting:
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():  # else cancelled while it waited
                turn.set_result(None)
                return
        self._free += 1


def _trimmed(work: Callable[[], T]) -> T:
    try:
        return work()
    finally:
        _trimmer()()


@functools.cache
def _trimmer() -> Callable[[], object]:
    """glibc's `malloc_trim(0)`, which returns the free memory of every arena to the system;
    elsewhere (musl, macOS) nothing, as there is no such call."""
    libc = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(libc), "malloc_trim", None) if libc else None
    return (lambda: trim(0)) if trim is not None else (lambda: None)
