"""Reports typed to the robot in a DingTalk group: `@报修助手 3栋2单元501 卫生间漏水`.

DingTalk strips the @name and hands us the rest. The first word may name a category
(`@报修助手 电梯 5栋 2号梯困人`); otherwise the group's own team takes it, in its first
category. The report goes through the same core call as the REST API, keyed by DingTalk's
msgId so that a redelivered message registers one ticket, and the robot answers in the group
with the number, or with what to type instead.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cards.render_dingtalk import inert
from integration.delivery.adapter import DeliveryError
from integration.dingtalk.client import DingTalkClient
from tickets.errors import TicketError
from tickets.model import Actor, Reporter, TicketDraft
from tickets.service import TicketService
from tickets.states import Channel, Source

log = logging.getLogger(__name__)

USAGE = "请按「@报修助手 位置 问题」发送，例如：@报修助手 3栋2单元501 卫生间漏水"


@dataclass(frozen=True)
class Sender:
    member_id: str
    name: str
    phone: str


@dataclass(frozen=True)
class RobotIntake:
    service: TicketService
    client: DingTalkClient
    senders: Mapping[str, Sender]
    """DingTalk userId (senderStaffId) → the configured member"""
    categories: Mapping[str, str]
    """A group's openConversationId → the category its team takes by default"""

    @property
    def known(self) -> frozenset[str]:
        """Every category a report may name."""
        return frozenset(c for t in self.service.directory.teams.values() for c in t.categories)


@dataclass(frozen=True)
class Report:
    category: str
    location: str
    description: str


def read(text: str, default: str | None, known: frozenset[str]) -> Report | None:
    words = text.split(maxsplit=1)
    category = default
    if words and words[0] in known:
        category, text = words[0], words[1] if len(words) > 1 else ""
    rest = text.split(maxsplit=1)
    if category is None or len(rest) < 2:
        return None
    return Report(category, rest[0], rest[1].strip())


async def on_message(
    intake: RobotIntake, data: Mapping[str, Any], message_id: str
) -> dict[str, Any]:
    """Register the report; the answer goes to the group as a robot message."""
    conversation = str(data.get("conversationId") or "")
    sender = intake.senders.get(str(data.get("senderStaffId") or ""))
    text = str((data.get("text") or {}).get("content") or "").strip()
    log.info(  # how a company finds its groups' openConversationIds, as the README says
        "robot message in DingTalk group conversationId=%s 「%s」 from userId=%s",
        conversation,
        data.get("conversationTitle", ""),
        data.get("senderStaffId", ""),
    )
    if sender is None:
        return await _say(intake, conversation, "你还不是本物业 baoxiu 的成员，请联系管理员添加")
    report = read(text, intake.categories.get(conversation), intake.known)
    if report is None:
        return await _say(intake, conversation, USAGE)
    draft = TicketDraft(
        reporter=Reporter(name=sender.name, phone=sender.phone),
        location=report.location,
        category=report.category,
        description=report.description,
        channel=Channel.CHAT,
    )
    key = f"dingtalk:{data.get('msgId') or message_id}"
    try:
        opened = await intake.service.open(
            draft, Actor.member(sender.member_id), Source.DINGTALK, submission_key=key
        )
    except TicketError as error:
        return await _say(intake, conversation, f"没能登记：{error.message}。{USAGE}")
    ticket = opened.ticket
    team = intake.service.directory.teams[ticket.team_id].name
    done = f"已登记 {ticket.number}（{report.category} · {report.location}），卡片已发到{team}"
    return await _say(intake, conversation, done)


async def _say(intake: RobotIntake, conversation: str, text: str) -> dict[str, Any]:
    try:
        await intake.client.send_text(conversation, inert(text))
    except DeliveryError as error:
        log.warning("could not answer in DingTalk group %s: %s", conversation, error)
    return {}
