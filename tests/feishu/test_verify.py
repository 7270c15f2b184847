"""A signed callback's age is judged by the clock the edge is given, not the machine's."""

from typing import Any

import pytest

from integration.feishu.verify import MAX_AGE_S, Rejected, open_callback
from tests.clock import FakeClock
from tests.fakes.feishu_callbacks import (
    ENCRYPT_KEY,
    VERIFICATION_TOKEN,
    card_action,
    signed_request,
)


def test_a_callback_is_fresh_until_the_clock_says_otherwise(clock: FakeClock) -> None:
    payload = card_action({"action": "claim"})
    headers, body = signed_request(
        payload, ENCRYPT_KEY, VERIFICATION_TOKEN, int(clock.now().timestamp())
    )

    def opened() -> dict[str, Any]:
        return open_callback(
            headers,
            body,
            encrypt_key=ENCRYPT_KEY,
            verification_token=VERIFICATION_TOKEN,
            clock=clock,
        )

    clock.advance(seconds=MAX_AGE_S)
    assert opened() == payload
    clock.advance(seconds=1)
    with pytest.raises(Rejected, match="301 s old"):
        opened()
