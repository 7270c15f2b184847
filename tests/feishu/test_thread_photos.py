"""Photos after the repair, posted by the technician in the thread of the ticket's card, in
the team's Feishu group or in their private chat with the bot."""

import re
from pathlib import Path
from typing import Any

from PIL import Image

from integration.intake import NOT_A_MEMBER
from integration.web.api import SERVICE
from tests.fakes.feishu import BOT_NAME, BOT_OPEN_ID, Mention, Message, Said
from tests.fakes.feishu_callbacks import message_received
from tests.feishu.company import MANAGEMENT, SHUIDIAN, STRANGER, Company, open_id
from tests.waiting import eventually
from tests.web.uploads import jpeg
from tickets.actions import Command, Verb
from tickets.model import MAX_PHOTOS, Actor
from tickets.states import Source

BOT = Mention("@_user_1", BOT_OPEN_ID, BOT_NAME)
REPLY_PATH = re.compile(r"/open-apis/im/v1/messages/om_\w+/reply")


async def started(company: Company) -> tuple[str, Message]:
    """A leak 师傅01 (t01) claimed and is repairing, and its card in 水电组's group."""
    number = await company.report()
    service = company.client.app[SERVICE]
    for verb in (Verb.CLAIM, Verb.START):
        await service.act(number, Command(verb, Actor.member("t01")), Source.API)
    await company.card_in(SHUIDIAN, number)
    [card] = company.fake.messages(SHUIDIAN)
    return number, card


def photos(
    company: Company, chat: str, parent: str, count: int = 1, *, by: str = "t01", **extra: Any
) -> Said:
    """`count` photos from `by`, replying to `parent` in its thread: one an image message,
    more a post with pictures, as the client sends them."""
    keys = {f"img_v3_after_{i}_{parent[-6:]}": jpeg() for i in range(count)}
    content: dict[str, Any] = {"image_key": next(iter(keys))}
    kind = "image"
    if count > 1:
        pictures = [[{"tag": "img", "image_key": key}] for key in keys]
        words = [[{"tag": "text", "text": "修好了"}]]
        kind, content = "post", {"title": "", "content": words + pictures}
    sender = extra.pop("sender_id", open_id(by))
    return company.fake.post_as_user(
        chat, sender, kind, content, resources=keys, parent_id=parent, in_thread=True, **extra
    )


def replies(company: Company, said: Said) -> list[str]:
    return [str(m.content["text"]) for m in company.fake.replies(said.message_id)]


def reply_calls(company: Company) -> int:
    return sum(1 for c in company.fake.requests if REPLY_PATH.fullmatch(c.path))


def stored(company: Company) -> set[str]:
    folder = company.settings.site.data_dir / "photos"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


async def answered(company: Company, said: Said) -> str:
    await company.deliver(message_received(said))
    await eventually(lambda: bool(replies(company, said)))
    [answer] = replies(company, said)
    return answer


async def test_the_assignee_adds_photos_in_the_cards_thread_in_the_group_and_privately(
    company: Company,
) -> None:
    number, card = await started(company)
    first = photos(company, SHUIDIAN, card.message_id)
    assert await answered(company, first) == f"已收到 1 张完工照片，已附在 {number} 上"
    more = photos(company, SHUIDIAN, first.message_id, 2)  # in the thread, under the first
    assert more.root_id == card.message_id
    assert await answered(company, more) == f"已收到 2 张完工照片，已附在 {number} 上"
    await company.card_in(open_id("t01"), number)
    [private] = company.fake.messages(open_id("t01"))
    direct = company.fake.direct_chat(open_id("t01"))
    last = photos(company, direct, private.message_id)
    assert await answered(company, last) == f"已收到 1 张完工照片，已附在 {number} 上"

    ticket = await company.ticket(number)
    assert len(ticket["photos_after"]) == MAX_PHOTOS == 4
    assert set(ticket["photos_after"]) == stored(company)
    folder: Path = company.settings.site.data_dir / "photos"
    with Image.open(folder / ticket["photos_after"][0]) as shown:
        assert shown.size == (480, 640) and not shown.getexif()  # upright, EXIF gone
    added = [e for e in ticket["events"] if e["kind"] == "photos_added"]
    assert [(e["source"], e["text"]) for e in added] == [
        ("feishu", "师傅01补充了 1 张完工照片"),
        ("feishu", "师傅01补充了 2 张完工照片"),
        ("feishu", "师傅01补充了 1 张完工照片"),
    ]

    over = photos(company, SHUIDIAN, card.message_id)
    assert await answered(company, over) == (
        f"工单{number}已有 4 张完工照片，每单最多 4 张，不能再添加"
    )
    assert len((await company.ticket(number))["photos_after"]) == 4
    assert len(stored(company)) == 4  # the refused photo is not kept


async def test_someone_other_than_the_assignee_is_told_and_nothing_is_kept(
    company: Company,
) -> None:
    number, card = await started(company)
    teammate = photos(company, SHUIDIAN, card.message_id, by="t02")
    assert (await answered(company, teammate)).startswith(
        "师傅02不能补充完工照片：只有接单人（师傅01）可以补充完工照片。"
    )
    stranger = photos(company, SHUIDIAN, card.message_id, sender_id=STRANGER)
    assert await answered(company, stranger) == NOT_A_MEMBER
    ticket = await company.ticket(number)
    assert ticket["photos_after"] == [] and stored(company) == set()
    assert [e["kind"] for e in ticket["events"]] == ["create", "claim", "start"]


async def test_a_redelivered_message_adds_its_photos_once(company: Company) -> None:
    number, card = await started(company)
    said = photos(company, SHUIDIAN, card.message_id, 2)
    event = message_received(said)
    await company.deliver(event)
    await company.deliver(event)  # Feishu redelivers an event it saw no answer to in time
    await eventually(lambda: reply_calls(company) == 2)
    assert replies(company, said) == [f"已收到 2 张完工照片，已附在 {number} 上"]
    ticket = await company.ticket(number)
    assert len(ticket["photos_after"]) == 2 and set(ticket["photos_after"]) == stored(company)
    assert [e["kind"] for e in ticket["events"]].count("photos_added") == 1


async def test_what_is_not_a_photo_for_a_card_is_left_alone(company: Company) -> None:
    number, card = await started(company)
    fake, t01 = company.fake, open_id("t01")
    chat = fake.post_as_user(SHUIDIAN, t01, "text", {"text": "业主不在家，下午再来"})
    ignored = [
        fake.post_as_user(
            SHUIDIAN, t01, "text", {"text": "修好了"}, parent_id=card.message_id, in_thread=True
        ),
        photos(company, SHUIDIAN, chat.message_id),  # answers a colleague, not a card
    ]
    await company.card_in(MANAGEMENT, number)
    [management] = fake.messages(MANAGEMENT)
    ignored.append(photos(company, MANAGEMENT, management.message_id))  # not a team's group
    for said in ignored:
        await company.deliver(message_received(said))
    report = fake.post_as_user(  # a report still, though written in a card's thread
        SHUIDIAN,
        t01,
        "text",
        {"text": "@_user_1 5栋1单元302 厨房下水道堵了"},
        mentions=(BOT,),
        parent_id=card.message_id,
        in_thread=True,
    )
    answer = await answered(company, report)  # answered: so the ones before were dropped
    assert answer.startswith("已登记 BX") and number not in answer
    assert reply_calls(company) == 1
    assert (await company.ticket(number))["photos_after"] == [] and stored(company) == set()
