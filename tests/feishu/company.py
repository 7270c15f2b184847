"""A property company on Feishu, against the fake Feishu: its settings, app and clicks.

Shared by the Feishu tests and the Feishu benchmark.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import FormData
from aiohttp.test_utils import TestClient

from baoxiu.config import Settings
from baoxiu.platforms import feishu
from baoxiu.platforms.feishu.config import NAME, feishu_config
from baoxiu.platforms.feishu.config import open_id as configured_open_id
from storage.engine import create_engine
from storage.outbox import DeliveryStore
from tests import office
from tests.fakes.feishu import APP_ID, APP_SECRET, FakeFeishu, Message
from tests.fakes.feishu_callbacks import (
    ENCRYPT_KEY,
    MESSAGE_ID,
    VERIFICATION_TOKEN,
    card_action,
    signed_request,
)
from tests.waiting import eventually
from tests.web.uploads import FIELDS, jpeg
from tickets.actions import Verb

SHUIDIAN = "oc_5ad11d72b830411d72b836c20a1b0001"
TUJIAN = "oc_5ad11d72b830411d72b836c20a1b0002"
DIANTI = "oc_5ad11d72b830411d72b836c20a1b0003"
GUOLU = "oc_5ad11d72b830411d72b836c20a1b0004"
DISPATCH = "oc_5ad11d72b830411d72b836c20a1b0005"
MANAGEMENT = "oc_5ad11d72b830411d72b836c20a1b0006"
TEAM_CHATS = {"shuidian": SHUIDIAN, "tujian": TUJIAN, "dianti": DIANTI, "guolu": GUOLU}
TECHNICIANS = 20
"""In 水电组, so that twenty of them can race for one ticket."""
STRANGER = "ou_00000000000000000000000000000bad"


def open_id(member: str) -> str:
    """A member's Feishu open_id: `ou_` and 32 hex digits, like Feishu's."""
    return "ou_" + member.encode().hex().ljust(32, "0")[:32]


def settings_for(
    fake: FakeFeishu,
    db_url: str,
    data_dir: Path,
    mode: str = "webhook",
    answer_deadline_s: float = 3.0,
    *,
    encrypted: bool = True,
) -> Settings:
    """Four teams in four Feishu groups, a supervisors' and a management group; callbacks
    encrypted and signed unless the administrator opted out (`encrypted=False`)."""
    section: dict[str, Any] = {
        "answer_deadline_s": answer_deadline_s,
        "app_id": APP_ID,
        "app_secret": APP_SECRET,
        "verification_token": VERIFICATION_TOKEN,
        "base_url": fake.base_url,
        "mode": mode,
    }
    if encrypted:
        section["encrypt_key"] = ENCRYPT_KEY
    else:
        section["unencrypted_webhook"] = True
    chats = {**TEAM_CHATS, "supervisors": DISPATCH, "management": MANAGEMENT}
    return office.company_settings(
        feishu.PLATFORM, section, chats, open_id, TECHNICIANS, db_url, data_dir
    )


def tenant(fake: FakeFeishu, settings: Settings) -> None:
    """The company's Feishu: the bot in every group, every member reachable."""
    for chat in settings.all_chats():
        fake.add_chat(chat.chat_id)
    for member in settings.members:
        known = configured_open_id(member)
        assert known is not None
        fake.add_user(known, name=member.name)


@dataclass
class Company:
    fake: FakeFeishu
    client: TestClient[Any, Any]
    settings: Settings

    async def report(self, category: str = "水电", description: str = "厨房水管漏水") -> str:
        return await office.report(self.client, category, description)

    async def report_with_photos(self, photos: int = 2) -> str:
        """A resident's report from the web form, with `photos` photos; returns its number."""
        form = FormData(default_to_multipart=True)
        form.add_field("key", secrets.token_urlsafe(24))
        for name, value in FIELDS.items():
            form.add_field(name, value)
        for i in range(photos):
            form.add_field("photos", jpeg(), filename=f"p{i}.jpg", content_type="image/jpeg")
        async with self.client.post("/r/new", data=form, allow_redirects=False) as response:
            assert response.status == 303
        return (await self.search())[0]

    async def ticket(self, number: str) -> dict[str, Any]:
        return await office.ticket(self.client, number)

    async def search(self) -> list[str]:
        """Every ticket's number, newest first."""
        response = await self.client.get("/api/v1/tickets", headers=office.AUTH)
        assert response.status == 200
        return [str(t["number"]) for t in (await response.json())["items"]]

    async def card_in(self, chat: str, number: str) -> dict[str, Any]:
        """The card of ticket `number` in `chat`, once the worker has sent it and recorded
        where: a click on it is placed by that record, as a person's click would be."""
        found: list[Message] = []

        def sent() -> bool:
            found[:] = [m for m in self.fake.messages(chat) if number in str(m.card)]
            return bool(found)

        await eventually(sent)
        assert len(found) == 1, f"{len(found)} cards of {number} in {chat}"
        engine = create_engine(self.settings.database.url)
        try:
            store = DeliveryStore(engine)

            async def recorded() -> bool:
                return await store.posted_to(NAME, found[0].message_id) is not None

            await eventually(recorded)
        finally:
            await engine.dispose()
        return found[0].card

    def click_payload(
        self,
        member: str,
        number: str,
        verb: Verb,
        version: int,
        form: Mapping[str, str] | None = None,
        *,
        chat: str = SHUIDIAN,
        operator: str | None = None,
        event_id: str | None = None,
        message_id: str | None = None,
    ) -> dict[str, Any]:
        """A click on the card of `number` in `chat` (a group's chat_id, or a member's
        open_id for their private chat), naming that message as Feishu does; before the
        card has arrived, a message we never sent. `message_id` names another message
        about the ticket there (a reminder's)."""
        value = {"n": number, "v": verb.value, "r": version}
        form_value = {f"{verb.value}_{k}": v for k, v in form.items()} if form else None
        shown = [m for m in self.fake.messages(chat) if number in str(m.card)]
        return card_action(
            value,
            form_value=form_value,
            operator=operator or open_id(member),
            chat_id=shown[0].chat_id if shown else chat,
            event_id=event_id,
            tag="button" if form is None else "form",
            message_id=message_id or (shown[0].message_id if shown else MESSAGE_ID),
        )

    async def post_callback(
        self, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        response = await self.client.post("/callbacks/feishu", data=body, headers=dict(headers))
        return response.status, dict(await response.json())

    async def deliver(self, event: Mapping[str, Any]) -> None:
        """An event reaches the app the way its mode brings it, and is acknowledged."""
        config = feishu_config(self.settings)
        assert config is not None
        if config.mode == "websocket":
            assert (await self.fake.push(event)).code == 200
            return
        request = signed_request(event, ENCRYPT_KEY, VERIFICATION_TOKEN)
        status, answer = await self.post_callback(*request)
        assert (status, answer) == (200, {})

    async def click(
        self, member: str, number: str, verb: Verb, version: int, **extra: Any
    ) -> dict[str, Any]:
        """Click a button as Feishu posts it (encrypted, signed); the answer must be 200, and
        its card is shown on the clicked card, as Feishu does."""
        payload = self.click_payload(member, number, verb, version, **extra)
        status, answer = await self.post_callback(
            *signed_request(payload, ENCRYPT_KEY, VERIFICATION_TOKEN)
        )
        assert status == 200, answer
        self.fake.apply_answer(payload, answer)
        return answer
