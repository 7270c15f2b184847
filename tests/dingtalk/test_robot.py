"""Reports typed to the robot: `@报修助手 3栋2单元501 卫生间漏水` becomes a ticket."""

import json
import re
import time
from typing import Any

from cards.render_dingtalk import JOINER
from integration.intake import SENDER_LIMIT
from tests import office
from tests.dingtalk.company import SHUIDIAN, Company, user_id
from tests.fakes.dingtalk import APP_SECRET, BOT_MESSAGE_TOPIC, CONVERSATION_INVALID
from tests.fakes.dingtalk_callbacks import bot_message, signed_bot_headers
from tests.waiting import eventually


async def say(company: Company, message: dict[str, Any]) -> None:
    """The message reaches us the way the configured mode brings it."""
    if company.mode == "stream":
        ack = await company.fake.push_callback(BOT_MESSAGE_TOPIC, message)
        assert ack.code == 200
        return
    response = await company.client.post(
        "/callbacks/dingtalk/robot", data=json.dumps(message), headers=signed_bot_headers()
    )
    assert response.status == 200, await response.text()


def replies(company: Company, group: str) -> list[str]:
    """The robot's answers there, as people read them (mentions made inert look the same)."""
    messages = company.fake.group_messages(group)
    return [str(m.msg_param["content"]).replace(JOINER, "") for m in messages]


async def test_a_mention_in_a_team_group_registers_a_ticket_once(company: Company) -> None:
    message = bot_message(
        "3栋2单元501 卫生间漏水，楼下在滴",
        conversation_id=SHUIDIAN,
        sender_staff_id=user_id("lin"),
        sender_nick="林客服",
    )
    await say(company, message)
    await say(company, message)  # DingTalk redelivers a message whose ack was slow
    await eventually(lambda: len(replies(company, SHUIDIAN)) == 2)
    first, again = replies(company, SHUIDIAN)
    assert first == again and first.startswith("已登记 BX") and "水电组" in first
    number = re.findall(r"BX\d{8}-\d{4}", first)[0]
    ticket = await company.ticket(number)
    assert (ticket["location"], ticket["description"]) == ("3栋2单元501", "卫生间漏水，楼下在滴")
    assert ticket["category"] == "水电" and ticket["channel"] == "chat"
    assert ticket["events"][0]["source"] == "dingtalk"
    await company.card_in(SHUIDIAN, number)


async def test_a_first_word_naming_a_category_routes_the_report(company: Company) -> None:
    await say(
        company,
        bot_message(
            "电梯 5栋 2号梯停在3楼不动",
            conversation_id=SHUIDIAN,
            sender_staff_id=user_id("lin"),
            sender_nick="林客服",
        ),
    )
    await eventually(lambda: bool(replies(company, SHUIDIAN)))
    assert "电梯组" in replies(company, SHUIDIAN)[0]


async def test_strangers_and_half_reports_get_told_what_to_do(company: Company) -> None:
    stranger = bot_message(
        "3栋 漏水", conversation_id=SHUIDIAN, sender_staff_id="dt-nobody", sender_nick="路人"
    )
    half = bot_message(
        "漏水", conversation_id=SHUIDIAN, sender_staff_id=user_id("lin"), sender_nick="林客服"
    )
    await say(company, stranger)
    await say(company, half)
    await eventually(lambda: len(replies(company, SHUIDIAN)) == 2)
    told = replies(company, SHUIDIAN)
    assert "不是本物业" in told[0] and "@报修助手 位置 问题" in told[1]
    assert company.fake.cards == {}


async def test_an_unsigned_or_old_robot_message_is_refused(company: Company) -> None:
    if company.mode != "http":
        return  # Stream messages come over the connection we opened to DingTalk
    message = bot_message(
        "3栋 漏水", conversation_id=SHUIDIAN, sender_staff_id=user_id("lin"), sender_nick="林客服"
    )
    old = signed_bot_headers(APP_SECRET, int(time.time() * 1000) - 3601 * 1000)
    forged = signed_bot_headers("not-our-secret")
    for headers in ({}, old, forged):
        response = await company.client.post(
            "/callbacks/dingtalk/robot", data=json.dumps(message), headers=headers
        )
        assert response.status == 401
    assert replies(company, SHUIDIAN) == []


async def test_a_message_whose_text_is_not_an_object_is_refused(company: Company) -> None:
    message = bot_message(
        "3栋 漏水", conversation_id=SHUIDIAN, sender_staff_id=user_id("lin"), sender_nick="林客服"
    )
    message["text"] = "3栋 漏水"
    if company.mode == "stream":
        ack = await company.fake.push_callback(BOT_MESSAGE_TOPIC, message)
        assert ack.code == 200
    else:
        response = await company.client.post(
            "/callbacks/dingtalk/robot", data=json.dumps(message), headers=signed_bot_headers()
        )
        assert response.status == 400 and "text" in (await response.json())["message"]
    assert company.fake.group_messages(SHUIDIAN) == [] and company.fake.cards == {}


async def test_a_report_past_the_apis_limits_is_answered_with_them(company: Company) -> None:
    for words in ["3栋" + "5" * 12_000 + " 漏水", "3栋\u202e105 漏水", "3栋 " + "漏" * 2001]:
        await say(
            company,
            bot_message(
                words,
                conversation_id=SHUIDIAN,
                sender_staff_id=user_id("lin"),
                sender_nick="林客服",
            ),
        )
    await eventually(lambda: len(replies(company, SHUIDIAN)) == 3)
    long, hidden, wordy = replies(company, SHUIDIAN)
    assert long.startswith("没能登记：位置最多 200 字，现在 12002 字。")
    assert hidden.startswith("没能登记：位置含有不可见的控制字符 U+202E")
    assert wordy.startswith("没能登记：问题描述最多 2000 字，现在 2001 字。")
    assert company.fake.cards == {}


async def test_one_person_cannot_flood_the_group_with_reports(company: Company) -> None:
    """The attack made 50 tickets through the robot in 3.3 s."""
    for i in range(SENDER_LIMIT + 2):
        message = bot_message(
            f"{i}栋 卫生间漏水",
            conversation_id=SHUIDIAN,
            sender_staff_id=user_id("lin"),
            sender_nick="林客服",
        )
        await say(company, message)
    await eventually(lambda: len(replies(company, SHUIDIAN)) == SENDER_LIMIT + 2)
    answers = replies(company, SHUIDIAN)
    assert all(a.startswith("已登记 BX") for a in answers[:SENDER_LIMIT])
    assert all(a.startswith("报修太频繁了") for a in answers[SENDER_LIMIT:])
    listed = await company.client.get("/api/v1/tickets?limit=100", headers=office.AUTH)
    assert len((await listed.json())["items"]) == SENDER_LIMIT


async def test_a_report_in_a_one_to_one_chat_is_answered_there(company: Company) -> None:
    """A person writing to the robot directly: DingTalk marks it conversationType "1", and
    its conversationId is no group, so the answer goes to the person's chat with the robot.
    No group's team stands behind the chat: the first word names the category."""
    lin = user_id("lin")
    message = bot_message(
        "水电 3栋2单元501 卫生间漏水",
        conversation_id=company.fake.conversation_with(lin),
        conversation_type="1",
        at_robot=False,
        sender_staff_id=lin,
        sender_nick="林客服",
    )
    await say(company, message)
    await eventually(lambda: bool(company.fake.one_to_one_messages(lin)))
    (reply,) = company.fake.one_to_one_messages(lin)
    assert reply.msg_key == "sampleText"
    assert str(reply.msg_param["content"]).replace(JOINER, "").startswith("已登记 BX")
    refused = [c for c in company.fake.requests if c.code == CONVERSATION_INVALID]
    assert refused == []
