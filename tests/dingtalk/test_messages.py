"""What baoxiu sends on its own reaches DingTalk: a reminder through the ticket card template
(it has buttons), a note and a report as robot markdown messages (nothing to click)."""

from integration.web.api import SERVICE
from tests.dingtalk.company import DISPATCH, MANAGEMENT, Company, user_id
from tests.fakes.dingtalk import CREATE_AND_DELIVER_PATH, ONE_TO_ONE_PATH
from tests.waiting import eventually
from tickets.messages import Note, Plot, Reminder, Report, Series
from tickets.recipients import Reach


async def test_a_reminder_a_note_and_a_report_each_reach_their_chat_once(company: Company) -> None:
    service = company.client.app[SERVICE]
    number = await company.report(category="门窗", description="单元门闭门器坏了")
    desk = await company.card_in(DISPATCH, number)
    assert await service.send(Reminder("超过接单时限 30 分钟"), Reach.SUPERVISORS, number) == 1
    await eventually(lambda: len(company.cards_in(DISPATCH, number)) == 2)
    (reminder,) = [c for c in company.cards_in(DISPATCH, number) if c is not desk]
    assert reminder.out_track_id != desk.out_track_id
    assert reminder.param_map["n1_text"] == "超过接单时限 30 分钟"
    assert "dispatch" in reminder.param_map["b1_action"]

    await service.send(Note("值班提醒", "今晚由[李师傅](http://x)值班"), "t01")
    await eventually(lambda: bool(company.fake.one_to_one_messages(user_id("t01"))))
    (note,) = company.fake.one_to_one_messages(user_id("t01"))
    assert note.msg_key == "sampleMarkdown" and note.msg_param["title"] == "值班提醒"
    assert "今晚由［李师傅］（http://x）值班" in note.msg_param["text"], "no link is made"

    report = Report(
        "本周报修",
        "11月23日—11月29日",
        (("收到", "12 单"),),
        plots=(Plot("按类别", ("水电", "门窗"), (Series("收到", (8.0, 4.0)),)),),
    )
    await service.send(report, Reach.MANAGEMENT)
    await eventually(lambda: bool(company.fake.group_messages(MANAGEMENT)))
    (summary,) = company.fake.group_messages(MANAGEMENT)
    assert "- **收到**：12 单" in summary.msg_param["text"]
    assert (
        "- 水电：收到 8" in summary.msg_param["text"]
        and "- 门窗：收到 4" in summary.msg_param["text"]
    )
    calls = [(r.path, str(r.body)) for r in company.fake.requests]
    assert [p for p, _ in calls].count(ONE_TO_ONE_PATH) == 1
    made = [b for p, b in calls if p == CREATE_AND_DELIVER_PATH and reminder.out_track_id in b]
    assert len(made) == 1
