"""A signed request's timestamp is judged by the clock the edge is given, not the machine's."""

import pytest

from integration.dingtalk.verify import MAX_SKEW_MS, Rejected, check_card_callback
from tests.clock import FakeClock
from tests.fakes.dingtalk_callbacks import API_SECRET, signed_card_headers


def test_a_card_callback_is_fresh_within_five_minutes_by_the_clock(clock: FakeClock) -> None:
    headers = signed_card_headers(API_SECRET, int(clock.now().timestamp() * 1000))
    clock.advance(milliseconds=MAX_SKEW_MS)
    check_card_callback(headers, API_SECRET, clock)
    clock.advance(milliseconds=1)
    with pytest.raises(Rejected, match="more than five minutes off"):
        check_card_callback(headers, API_SECRET, clock)
