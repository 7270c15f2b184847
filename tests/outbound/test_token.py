"""One token fetch serves every caller; a failed fetch is not repeated by each of them."""

import asyncio

import pytest

from integration.outbound.errors import DeliveryError
from integration.outbound.token import EARLY_S, RETRY_S, CachedToken
from tests.clock import FakeClock


class Platform:
    def __init__(self) -> None:
        self.fetches = 0
        self.down = False

    async def fetch(self) -> tuple[str, float]:
        self.fetches += 1
        await asyncio.sleep(0)
        if self.down:
            raise DeliveryError("token endpoint answered 500", retryable=True)
        return f"t{self.fetches}", 7200


async def test_concurrent_callers_share_one_fetch_until_the_token_nears_its_end(
    clock: FakeClock,
) -> None:
    platform = Platform()
    token = CachedToken(platform.fetch, clock)
    assert await asyncio.gather(*(token.get() for _ in range(10))) == ["t1"] * 10
    clock.advance(seconds=7200 - EARLY_S - 1)
    assert await token.get() == "t1"
    clock.advance(seconds=2)
    assert await token.get() == "t2" and platform.fetches == 2


async def test_a_failed_fetch_is_remembered_briefly_and_a_refused_token_forgotten(
    clock: FakeClock,
) -> None:
    platform = Platform()
    token = CachedToken(platform.fetch, clock)
    platform.down = True
    for _ in range(5):
        with pytest.raises(DeliveryError):
            await token.get()
    assert platform.fetches == 1
    platform.down = False
    clock.advance(seconds=RETRY_S + 0.1)
    assert await token.get() == "t2"
    token.forget()
    assert await token.get() == "t3"
