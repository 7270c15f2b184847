"""A property company on DingTalk, against the fake DingTalk: its settings, app and clicks.

Shared by the DingTalk tests and the DingTalk benchmark.
"""

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from baoxiu.app import create_app
from baoxiu.config import FeesConfig, Settings
from baoxiu.platforms import dingtalk
from baoxiu.platforms.dingtalk.config import dingtalk_config
from baoxiu.platforms.dingtalk.config import user_id as configured_user_id
from cards.render_dingtalk import variables
from tests import office
from tests.fakes.dingtalk import (
    APP_KEY,
    APP_SECRET,
    CARD_CALLBACK_TOPIC,
    ROBOT_CODE,
    CardInstance,
    FakeDingTalk,
)
from tests.fakes.dingtalk_callbacks import API_SECRET, card_click, picked, signed_card_headers
from tests.waiting import eventually
from tickets.actions import Verb

TEMPLATE = "5c7c2e1b-9a0d-4f7e-8f43-0b7d2c1a9e10.schema"
SHUIDIAN = "cidshuidianQ0DbfgYxJmlpw8e0m3Zs5g=="
TUJIAN = "cidtujianQ0DbfgYxJmlpw8e0m3Zs5g=="
DIANTI = "ciddiantiQ0DbfgYxJmlpw8e0m3Zs5g=="
GUOLU = "cidguoluQ0DbfgYxJmlpw8e0m3Zs5g=="
DISPATCH = "ciddispatchQ0DbfgYxJmlpw8e0m3Zs5g=="
MANAGEMENT = "cidmanagementQ0DbfgYxJmlpw8e0m3Zs5g=="
TEAM_CHATS = {"shuidian": SHUIDIAN, "tujian": TUJIAN, "dianti": DIANTI, "guolu": GUOLU}
TECHNICIANS = 4
ROUTE_KEY = "baoxiu-cards"


def user_id(member: str) -> str:
    """A member's DingTalk userId (staff ids are short strings of the organisation's)."""
    return f"dt-{member}"


def settings_for(
    fake: FakeDingTalk,
    db_url: str,
    data_dir: Path,
    mode: str = "stream",
    answer_deadline_s: float = 2.0,
) -> Settings:
    """Four teams in four DingTalk groups, a supervisors' and a management group."""
    section = {
        "answer_deadline_s": answer_deadline_s,
        "app_key": APP_KEY,
        "app_secret": APP_SECRET,
        "robot_code": ROBOT_CODE,
        "card_template_id": TEMPLATE,
        "base_url": fake.base_url,
        "mode": mode,
        "callback_route_key": ROUTE_KEY,
        "api_secret": API_SECRET,
    }
    chats = {**TEAM_CHATS, "supervisors": DISPATCH, "management": MANAGEMENT}
    return office.company_settings(
        dingtalk.PLATFORM, section, chats, user_id, TECHNICIANS, db_url, data_dir
    )


def organisation(fake: FakeDingTalk, settings: Settings) -> None:
    """The company's DingTalk: our template published, the robot in every group."""
    fake.add_template(TEMPLATE, variables())
    for chat in settings.all_chats():
        fake.add_group(chat.chat_id)
    for member in settings.members:
        known = configured_user_id(member)
        assert known is not None
        fake.add_user(known, member.name)


@dataclass
class Company:
    fake: FakeDingTalk
    client: TestClient[Any, Any]
    settings: Settings

    @property
    def mode(self) -> str:
        config = dingtalk_config(self.settings)
        assert config is not None
        return config.mode

    async def click(
        self, payload: Mapping[str, Any], *, message_id: str | None = None
    ) -> dict[str, Any]:
        """Deliver a click the way the configured mode brings it; returns our answer (the
        ack's `response` over Stream, the response body over HTTP), shown on the card as
        DingTalk does."""
        if self.mode == "stream":
            ack = await self.fake.push_callback(CARD_CALLBACK_TOPIC, payload, message_id=message_id)
            assert ack.code == 200 and not ack.late
            return dict(ack.data["response"])
        headers = signed_card_headers(API_SECRET)
        status, body = await self.fake.http_callback(
            payload, lambda: self.post_click(headers, payload)
        )
        assert status == 200, body
        return dict(body)

    async def post_click(
        self, headers: Mapping[str, str], payload: Mapping[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        response = await self.client.post(
            "/callbacks/dingtalk", data=json.dumps(payload), headers=dict(headers)
        )
        return response.status, dict(await response.json())

    async def report(self, category: str = "水电", description: str = "厨房水管漏水") -> str:
        return await office.report(self.client, category, description)

    async def ticket(self, number: str) -> dict[str, Any]:
        return await office.ticket(self.client, number)

    def cards_in(self, chat: str, number: str) -> list[CardInstance]:
        return [
            c
            for c in self.fake.cards.values()
            if any(space_id == chat for _, space_id in c.spaces) and number in c.param_map["footer"]
        ]

    async def card_in(self, chat: str, number: str) -> CardInstance:
        """The card of ticket `number` in `chat`, once the worker has sent it."""
        await eventually(lambda: bool(self.cards_in(chat, number)))
        (card,) = self.cards_in(chat, number)
        return card

    def button(self, card: CardInstance, verb: Verb) -> str:
        """The `action` parameter of the card's button for `verb`, as the template sends it."""
        params = card.param_map
        for i in range(1, 7):
            action = params.get(f"b{i}_action", "")
            if action and json.loads(action)["v"] == verb.value:
                return action
        raise AssertionError(f"no {verb.value} button on the card: {params}")

    def click_payload(
        self,
        member: str,
        card: CardInstance,
        verb: Verb,
        *,
        text: str = "",
        at: str = "",
        to: str = "",
        choice: str = "",
        as_user: str | None = None,
    ) -> dict[str, Any]:
        """A click on the card's `verb` button with its shared inputs filled: `text` and `at`
        typed, `to` picked in the person picker and `choice` in the other, each among its
        options."""
        params: dict[str, Any] = {"action": self.button(card, verb), "text": text, "at": at}
        if to:
            params["to"] = picked(card.param_map["to_options"], to)
        if choice:
            params["choice"] = picked(card.param_map["choice_options"], choice)
        return card_click(
            card.out_track_id,
            as_user or user_id(member),
            params,
            space_id=card.spaces[0][1],
        )


@asynccontextmanager
async def running(
    fake: FakeDingTalk,
    db_url: str,
    data: Path,
    mode: str,
    answer_deadline_s: float = 2.0,
    fees: FeesConfig | None = None,
) -> AsyncIterator[Company]:
    """The company's app in front of the fake; `fees` gives it a fee schedule (none by
    default: nothing can be charged)."""
    settings = settings_for(fake, db_url, data, mode, answer_deadline_s)
    if fees is not None:
        settings = settings.model_copy(update={"fees": fees})
    organisation(fake, settings)
    async with TestClient(TestServer(create_app(settings))) as client:
        if mode == "stream":
            await eventually(lambda: fake.connections == 1)
        yield Company(fake, client, settings)
    assert fake.updates_during_callbacks == []  # the card callback page's rule
