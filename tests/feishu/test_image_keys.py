"""Photos go up to Feishu on the delivery path only, once for every replica: their keys are
kept in the database, and a click's answer is drawn with the keys kept, never waiting for an
upload within the 3 s Feishu gives it."""

import asyncio
import json
import re
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from baoxiu.app import create_app
from integration.clicks import SENDING_S
from storage.engine import create_engine
from tests.fakes.feishu import CLICK_ANSWER_S, FakeFeishu
from tests.feishu.company import SHUIDIAN, Company, open_id, settings_for, tenant
from tests.office import AUTH
from tests.waiting import eventually
from tickets.actions import Verb


def image_keys(card: object) -> set[str]:
    return set(re.findall(r"img_v3_\w+", json.dumps(card)))


async def test_a_click_is_answered_in_time_without_uploading(
    fake: FakeFeishu, db_url: str, tmp_path: Path
) -> None:
    """Replica a delivers the card; the click reaches replica b, which never uploaded the
    photos, while Feishu takes longer over an upload than it waits for the answer."""
    settings = settings_for(fake, db_url, tmp_path)
    tenant(fake, settings)
    quiet = settings.model_copy(
        update={"delivery": settings.delivery.model_copy(update={"enabled": False})}
    )
    async with (
        TestClient(TestServer(create_app(settings))) as a,
        TestClient(TestServer(create_app(quiet))) as b,
    ):
        delivering, answering = Company(fake, a, settings), Company(fake, b, quiet)
        number = await delivering.report_with_photos()
        keys = image_keys(await delivering.card_in(SHUIDIAN, number))
        assert len(keys) == 2 and fake.uploads == 2
        fake.slow_uploads(CLICK_ANSWER_S)
        loop = asyncio.get_running_loop()
        started = loop.time()
        answer = await answering.click("t01", number, Verb.CLAIM, 1)
        assert loop.time() - started < CLICK_ANSWER_S - SENDING_S
        assert answer["toast"]["type"] == "success"
        assert image_keys(answer["card"]) == keys and fake.uploads == 2


async def test_two_replicas_upload_a_photo_once(
    fake: FakeFeishu, db_url: str, tmp_path: Path
) -> None:
    """One replica posts the group's card; the next, on the same database, the assignee's."""
    settings = settings_for(fake, db_url, tmp_path)
    tenant(fake, settings)
    async with TestClient(TestServer(create_app(settings))) as first:
        replica = Company(fake, first, settings)
        number = await replica.report_with_photos()
        keys = image_keys(await replica.card_in(SHUIDIAN, number))
    async with TestClient(TestServer(create_app(settings))) as second:
        replica = Company(fake, second, settings)
        body = {"action": "claim", "actor": "t01"}
        path = f"/api/v1/tickets/{number}/actions"
        async with second.post(path, json=body, headers=AUTH) as response:
            assert response.status == 200
        assert image_keys(await replica.card_in(open_id("t01"), number)) == keys
    assert len(keys) == 2 and fake.uploads == 2


async def test_a_photo_without_a_kept_key_leaves_the_clicked_card_to_the_outbox(
    company: Company, db_url: str
) -> None:
    """As right after the upgrade that began keeping keys: the answer brings no card rather
    than one without the photos, and the outbox, uploading them, updates the clicked card."""
    number = await company.report_with_photos()
    await company.card_in(SHUIDIAN, number)
    engine = create_engine(db_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM image_upload"))
    finally:
        await engine.dispose()
    answer = await company.click("t01", number, Verb.CLAIM, 1)
    assert answer["toast"]["type"] == "success" and "card" not in answer
    [message] = company.fake.messages(SHUIDIAN)
    await eventually(lambda: "已接单" in json.dumps(message.card, ensure_ascii=False))
    assert len(image_keys(message.card)) == 2 and company.fake.uploads == 4
