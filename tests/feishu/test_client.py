"""The Feishu client: one token for many calls, and which failures are worth another try."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from cards.build import CardContext, ticket_card
from cards.render_feishu import card_content
from integration.feishu.client import FeishuClient
from integration.feishu.errors import FeishuError
from integration.outbound.pace import MARGIN
from integration.outbound.retry import ATTEMPTS
from tests.clock import FakeClock
from tests.fakes.feishu import (
    APP_ID,
    APP_SECRET,
    BOT_NOT_IN_CHAT,
    BOT_OPEN_ID,
    GROUP_MESSAGES,
    MISSING_SCOPE,
    RESOURCE_INVALID,
    TOKEN_PATH,
    FakeFeishu,
)
from tests.tickets.factories import make_ticket
from tickets.audience import Audience
from tickets.people import Directory
from tickets.states import Status

CHAT = "oc_5ad11d72b830411d72b836c20a1b00c1"
CARD = '{"schema":"2.0","body":{"elements":[{"tag":"markdown","content":"x"}]}}'


@dataclass
class Ticks:
    """The client's back-off sleeps, taken on the one fake clock (the fake's and the
    client's) instead of in real time."""

    clock: FakeClock
    slept: list[float] = field(default_factory=list)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds=seconds)


@pytest.fixture
def ticks(clock: FakeClock) -> Ticks:
    return Ticks(clock)


@pytest.fixture
async def fake(clock: FakeClock) -> AsyncIterator[FakeFeishu]:
    async with FakeFeishu(clock=clock.monotonic) as server:
        server.add_chat(CHAT)
        yield server


@pytest.fixture
async def client(fake: FakeFeishu, clock: FakeClock, ticks: Ticks) -> AsyncIterator[FeishuClient]:
    async with aiohttp.ClientSession() as session:
        yield FeishuClient(APP_ID, APP_SECRET, fake.base_url, session, clock, sleep=ticks.sleep)


async def test_one_token_serves_many_calls_and_a_revoked_one_is_replaced(
    fake: FakeFeishu, client: FeishuClient
) -> None:
    for i in range(3):
        await client.send_card(CHAT, CARD, f"k{i}")
    assert fake.token_fetches == 1
    fake.revoke_tokens()
    await client.send_card(CHAT, CARD, "k3")
    assert fake.token_fetches == 2 and len(fake.messages(CHAT)) == 4


async def test_rate_limits_are_waited_out_as_feishu_says(
    fake: FakeFeishu, client: FeishuClient, ticks: Ticks
) -> None:
    fake.fail_next(2, reset=3)
    await client.send_card(CHAT, CARD, "k")
    assert ticks.slept == [3.0, 3.0] and len(fake.messages(CHAT)) == 1


async def test_a_token_endpoint_that_is_down_is_not_hammered(
    fake: FakeFeishu, client: FeishuClient, ticks: Ticks
) -> None:
    fake.outage(3600)
    with pytest.raises(FeishuError) as failed:
        await client.send_card(CHAT, CARD, "k")
    assert failed.value.retryable and failed.value.status == 500
    assert fake.token_fetches <= ATTEMPTS and len(ticks.slept) == ATTEMPTS


async def test_a_5xx_is_retried_and_the_card_sent_once(
    fake: FakeFeishu, client: FeishuClient, ticks: Ticks
) -> None:
    await client.token()
    fake.fail_next(2, status=500, code=1500)
    await client.send_card(CHAT, CARD, "k")
    assert len(ticks.slept) == 2 and len(fake.messages(CHAT)) == 1


async def test_a_bot_outside_the_group_fails_at_once_with_what_to_do(
    fake: FakeFeishu, client: FeishuClient, ticks: Ticks
) -> None:
    fake.add_chat(CHAT, bot_member=False)
    with pytest.raises(FeishuError) as failed:
        await client.send_card(CHAT, CARD, "k")
    assert failed.value.code == BOT_NOT_IN_CHAT and not failed.value.retryable
    assert "把报修助手加入该群" in str(failed.value) and ticks.slept == []


async def test_a_refused_download_says_feishus_code_and_is_not_retried(
    fake: FakeFeishu, client: FeishuClient, ticks: Ticks
) -> None:
    """The SDK leaves a failed download's code unread; the client reads it from the body."""
    said = fake.post_as_user(CHAT, "ou_155184d1e73cbfb8973e5a9e698e74f2", "text", {"text": "?"})
    with pytest.raises(FeishuError) as failed:
        await client.message_image(said.message_id, "img_v3_from_another_message")
    assert failed.value.code == RESOURCE_INVALID and failed.value.status == 400
    assert not failed.value.retryable and ticks.slept == []


async def test_the_bots_open_id_is_asked_of_feishu(client: FeishuClient) -> None:
    assert await client.bot_open_id() == BOT_OPEN_ID


async def test_a_missing_scope_is_named_as_feishus_message_names_it(
    fake: FakeFeishu, client: FeishuClient, ticks: Ticks
) -> None:
    said = fake.post_as_user(CHAT, "ou_155184d1e73cbfb8973e5a9e698e74f2", "text", {"text": "?"})
    fake.scopes.discard(GROUP_MESSAGES)
    with pytest.raises(FeishuError) as failed:
        await client.message(said.message_id)
    assert failed.value.code == MISSING_SCOPE and not failed.value.retryable and ticks.slept == []
    hint = str(failed.value).rsplit("（", 1)[-1]
    assert f"开通 {GROUP_MESSAGES}" in hint and "send_as_bot" not in hint


def test_a_missing_scope_feishu_does_not_name_still_says_what_to_do() -> None:
    error = FeishuError(MISSING_SCOPE, "Access denied")
    assert "按飞书的提示在开发者后台开通所需权限" in str(error) and not error.retryable


async def test_the_apps_calls_are_paced_to_a_thousand_a_minute(
    fake: FakeFeishu, client: FeishuClient, clock: FakeClock
) -> None:
    """Feishu counts 1,000 calls a minute per app besides 50 a second. A thousand calls, fifty
    every 3 s, leave the next one waiting until the first fifty are a minute old. They are
    counted on the client's own pacer: a thousand requests through the SDK, which builds an
    HTTP client for each, would take half a minute."""
    said = fake.post_as_user(CHAT, "ou_155184d1e73cbfb8973e5a9e698e74f2", "text", {"text": "?"})
    for fifty in range(20):
        clock.advance(seconds=3 if fifty else 0)
        for _ in range(50):
            async with client.per_app_minute.call("app"):
                pass
    clock.advance(seconds=2.5)  # 59.5 s after the first fifty
    late = asyncio.ensure_future(client.message(said.message_id))
    await asyncio.sleep(0.1)
    assert not late.done() and [c.path for c in fake.requests] == [TOKEN_PATH]
    clock.advance(seconds=0.5 + MARGIN)
    await asyncio.wait_for(late, 2)
    assert [c.status for c in fake.requests if "/im/v1/messages/" in c.path] == [200]


async def test_a_card_cut_to_fit_fits_feishus_limit_on_the_request_body(
    fake: FakeFeishu, client: FeishuClient, directory: Directory
) -> None:
    """Feishu's 30 KB is the request's: the card's JSON escaped into `content` (every quote
    one byte more) and the fields around it."""
    description = '卫生间"滴水"，' * 4000
    ticket = make_ticket(Status.NEW, description=description)
    card = ticket_card(ticket, Audience.TEAM, CardContext(directory, ZoneInfo("Asia/Shanghai")))
    await client.send_card(CHAT, card_content(card, {}), "k")
    (sent,) = fake.messages(CHAT)
    assert '卫生间"滴水"，' * 100 in str(sent.card)
