"""What baoxiu sends on its own reaches Feishu as cards: a reminder (the ticket's card with
its buttons), a note in a member's private chat, a report with a chart."""

import json

from integration.web.api import SERVICE
from tests.feishu.company import DISPATCH, MANAGEMENT, Company, open_id
from tests.waiting import eventually
from tickets.messages import Note, Plot, Reminder, Report, Series
from tickets.recipients import Reach


def text(card: object) -> str:
    return json.dumps(card, ensure_ascii=False)


async def test_a_reminder_a_note_and_a_report_each_reach_their_chat_once(company: Company) -> None:
    service = company.client.app[SERVICE]
    number = await company.report(category="门窗", description="单元门闭门器坏了")
    desk = await company.card_in(DISPATCH, number)
    reminder = Reminder("超过接单时限 30 分钟，仍无人接单")
    assert await service.send(reminder, Reach.SUPERVISORS, number) == 1
    await eventually(lambda: len(company.fake.messages(DISPATCH)) == 2)
    first, second = company.fake.messages(DISPATCH)
    assert first.card == desk, "the ticket's own card is left as it was"
    assert "超过接单时限 30 分钟" in text(second.card) and number in text(second.card)
    assert '"v": "dispatch"' in text(second.card), "the supervisor can act from the reminder"
    assert second.uuid is not None and second.uuid != first.uuid

    await service.send(Note("值班提醒", "今晚由李师傅值班"), "t01")
    await eventually(lambda: bool(company.fake.messages(open_id("t01"))))
    (note,) = company.fake.messages(open_id("t01"))
    assert "今晚由李师傅值班" in text(note.card)

    report = Report(
        "本周报修",
        "11月23日—11月29日",
        (("收到", "12 单"), ("已完成", "9 单")),
        plots=(
            Plot(
                "按类别", ("水电", "门窗"), (Series("收到", (8.0, 4.0)), Series("完成", (7.0, 2.0)))
            ),
        ),
    )
    await service.send(report, Reach.MANAGEMENT)
    await eventually(lambda: len(company.fake.messages(MANAGEMENT)) == 1)
    (summary,) = company.fake.messages(MANAGEMENT)
    elements = text(summary.card)
    assert '"tag": "chart"' in elements and "12 单" in elements and "11月23日" in elements
