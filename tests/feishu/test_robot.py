"""Reports written to the bot: `@报修助手 3栋2单元501 卫生间漏水` in a team's Feishu group,
with photos, by either transport."""

import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from baoxiu.app import create_app
from integration.feishu.robot import JOINER
from tests.fakes.feishu import BOT_NAME, BOT_OPEN_ID, GROUP_MESSAGES, FakeFeishu, Mention, Said
from tests.fakes.feishu_callbacks import message_received
from tests.feishu.company import (
    DIANTI,
    DISPATCH,
    SHUIDIAN,
    STRANGER,
    Company,
    open_id,
    settings_for,
    tenant,
)
from tests.waiting import eventually
from tests.web.uploads import jpeg

BOT = Mention("@_user_1", BOT_OPEN_ID, BOT_NAME)
REPLY_PATH = re.compile(r"/open-apis/im/v1/messages/om_\w+/reply")


@pytest.fixture(params=["webhook", "websocket"])
async def company(
    request: pytest.FixtureRequest, fake: FakeFeishu, db_url: str, tmp_path: Path
) -> AsyncIterator[Company]:
    settings = settings_for(fake, db_url, tmp_path, mode=request.param)
    tenant(fake, settings)
    async with TestClient(TestServer(create_app(settings))) as client:
        await eventually(lambda: request.param == "webhook" or fake.ws_connections == 1)
        yield Company(fake, client, settings)


def mention(company: Company, words: str, *, sender: str = "lin", **extra: Any) -> Said:
    """`@报修助手 {words}` as a text message in 水电组's group."""
    return company.fake.post_as_user(
        extra.pop("chat", SHUIDIAN),
        extra.pop("sender_id", open_id(sender)),
        "text",
        {"text": f"@_user_1 {words}"},
        mentions=(BOT,),
        **extra,
    )


def replies(company: Company, said: Said) -> list[str]:
    return [str(m.content["text"]) for m in company.fake.replies(said.message_id)]


def reply_calls(company: Company) -> int:
    return sum(1 for c in company.fake.requests if REPLY_PATH.fullmatch(c.path))


def number_in(text: str) -> str:
    return str(re.findall(r"BX\d{8}-\d{4}", text)[0])


def card_images(card: dict[str, Any]) -> set[str]:
    return set(re.findall(r"img_v3_\w+", str(card)))


def stored_photos(company: Company) -> list[Path]:
    folder = company.settings.site.data_dir / "photos"
    return list(folder.iterdir()) if folder.exists() else []


async def test_a_mention_with_a_photo_sent_twice_makes_one_ticket_showing_it(
    company: Company,
) -> None:
    post = {
        "title": "",
        "content": [
            [
                {"tag": "at", "user_id": "@_user_1", "user_name": BOT_NAME},
                {"tag": "text", "text": " 3栋2单元501 卫生间漏水，楼下在滴"},
            ],
            [{"tag": "img", "image_key": "img_v3_leak", "width": 640, "height": 480}],
        ],
    }
    said = company.fake.post_as_user(
        SHUIDIAN, open_id("lin"), "post", post, mentions=(BOT,), resources={"img_v3_leak": jpeg()}
    )
    event = message_received(said)
    await company.deliver(event)
    await company.deliver(event)  # Feishu redelivers an event it saw no answer to in time
    await eventually(lambda: reply_calls(company) == 2)
    [answer] = replies(company, said)
    assert answer.startswith("已登记 BX") and "水电组" in answer
    assert company.fake.replies(said.message_id)[0].thread_id is not None
    number = number_in(answer)
    assert await company.search() == [number]
    ticket = await company.ticket(number)
    assert (ticket["location"], ticket["description"]) == ("3栋2单元501", "卫生间漏水，楼下在滴")
    assert (ticket["category"], ticket["channel"]) == ("水电", "chat")
    assert ticket["events"][0]["source"] == "feishu"
    [key] = card_images(await company.card_in(SHUIDIAN, number))
    shown = Image.open(io.BytesIO(company.fake.images[key]))
    assert shown.size == (480, 640)  # the phone's sideways photo, turned upright by the store
    assert len(stored_photos(company)) == 1  # the redelivery's copy is gone


async def test_a_photo_posted_first_comes_with_the_mention_in_its_thread(
    company: Company,
) -> None:
    photo = company.fake.post_as_user(
        SHUIDIAN,
        open_id("lin"),
        "image",
        {"image_key": "img_v3_lift"},
        resources={"img_v3_lift": jpeg((320, 240))},
    )
    await company.deliver(message_received(photo))  # heard, with im:message.group_msg
    said = mention(company, "电梯 5栋 2号梯停在3楼不动", parent_id=photo.message_id, in_thread=True)
    await company.deliver(message_received(said))
    await eventually(lambda: bool(replies(company, said)))
    assert company.fake.replies(photo.message_id) == []
    [answer] = replies(company, said)
    assert "电梯组" in answer
    number = number_in(answer)
    assert (await company.ticket(number))["category"] == "电梯"
    [key] = card_images(await company.card_in(DIANTI, number))
    assert Image.open(io.BytesIO(company.fake.images[key])).size == (240, 320)


async def test_without_the_scope_to_read_the_group_the_report_comes_without_earlier_photos(
    company: Company,
) -> None:
    company.fake.scopes.discard(GROUP_MESSAGES)
    photo = company.fake.post_as_user(
        SHUIDIAN, open_id("lin"), "image", {"image_key": "img_v3_a"}, resources={"img_v3_a": jpeg()}
    )
    said = mention(company, "3栋2单元501 卫生间漏水", parent_id=photo.message_id)
    await company.deliver(message_received(said))
    await eventually(lambda: bool(replies(company, said)))
    number = number_in(replies(company, said)[0])
    assert (await company.ticket(number))["location"] == "3栋2单元501"
    assert card_images(await company.card_in(SHUIDIAN, number)) == set()
    assert stored_photos(company) == []


async def test_a_stranger_is_told_and_nothing_is_registered(company: Company) -> None:
    said = mention(company, "3栋2单元501 卫生间漏水", sender_id=STRANGER)
    await company.deliver(message_received(said))
    await eventually(lambda: bool(replies(company, said)))
    assert replies(company, said) == ["你还不是本物业 baoxiu 的成员，请联系管理员添加"]
    assert await company.search() == [] and company.fake.messages(SHUIDIAN) == []


async def test_messages_not_for_the_bot_in_a_team_group_are_left_alone(
    company: Company,
) -> None:
    fake = company.fake
    lin = open_id("lin")
    zhang = Mention("@_user_1", open_id("zhang"), "张师傅")
    ignored = [
        fake.post_as_user(SHUIDIAN, lin, "text", {"text": "3栋2单元501 卫生间漏水"}),
        fake.post_as_user(
            SHUIDIAN, lin, "text", {"text": "@_user_1 3栋2单元501 卫生间漏水"}, mentions=(zhang,)
        ),
        mention(company, "3栋2单元501 卫生间漏水", chat=DISPATCH),
        fake.post_as_user(fake.direct_chat(lin), lin, "text", {"text": "3栋2单元501 卫生间漏水"}),
    ]
    for said in ignored:
        await company.deliver(message_received(said))
    half = mention(company, "漏水")  # answered: so the ones before it were read and dropped
    await company.deliver(message_received(half))
    await eventually(lambda: bool(replies(company, half)))
    assert "@报修助手 位置 问题" in replies(company, half)[0]
    assert reply_calls(company) == 1 and await company.search() == []


async def test_what_the_answer_repeats_cannot_link_or_mention(company: Company) -> None:
    said = mention(company, "[3栋](https://phish.example) 卫生间漏水")
    await company.deliver(message_received(said))
    await eventually(lambda: bool(replies(company, said)))
    [answer] = replies(company, said)
    assert "[3栋](https" not in answer
    assert "[3栋](https://phish.example)" in answer.replace(JOINER, "")


async def test_a_location_past_the_apis_limit_is_answered_and_makes_no_card(
    company: Company,
) -> None:
    said = mention(company, "3栋" + "5" * 12_000 + " 卫生间漏水")
    await company.deliver(message_received(said))
    await eventually(lambda: reply_calls(company) == 1)
    [answer] = replies(company, said)
    assert answer.replace(JOINER, "").startswith("没能登记：位置最多 200 字，现在 12002 字。")
    assert await company.search() == []
