"""Reports typed to the robot in a DingTalk group: `@报修助手 3栋2单元501 卫生间漏水`.

DingTalk strips the @name and hands us the rest, which is read as every platform reads it
(integration/intake.py), keyed by DingTalk's msgId. The robot answers in the group with the
number, or with what to type instead.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cards.render_dingtalk import inert
from integration.dingtalk.client import DingTalkClient
from integration.intake import NOT_A_MEMBER, USAGE, Pace, Sender, known_categories, read, register
from integration.outbound.errors import DeliveryError
from tickets.service import TicketService
from tickets.states import Source

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RobotIntake:
    service: TicketService
    client: DingTalkClient
    senders: Mapping[str, Sender]
    """DingTalk userId (senderStaffId) → the configured member"""
    categories: Mapping[str, str]
    """A group's openConversationId → the category its team takes by default"""
    pace: Pace


async def on_message(
    intake: RobotIntake, data: Mapping[str, Any], message_id: str
) -> dict[str, Any]:
    """Register the report; the answer goes to the group as a robot message."""
    conversation = str(data.get("conversationId") or "")
    sender = intake.senders.get(str(data.get("senderStaffId") or ""))
    text = _words(data)
    log.info(  # how a company finds its groups' openConversationIds, as the README says
        "robot message in DingTalk group conversationId=%s 「%s」 from userId=%s",
        conversation,
        data.get("conversationTitle", ""),
        data.get("senderStaffId", ""),
    )
    if sender is None:
        return await _say(intake, conversation, NOT_A_MEMBER)
    known = known_categories(intake.service.directory)
    report = read(text, intake.categories.get(conversation), known)
    if report is None:
        return await _say(intake, conversation, USAGE)
    key = f"dingtalk:{data.get('msgId') or message_id}"
    refusal = intake.pace.refusal(sender, conversation, key)
    if refusal is not None:
        return await _say(intake, conversation, refusal)
    outcome = await register(intake.service, sender, report, Source.DINGTALK, key)
    return await _say(intake, conversation, outcome.answer)


class Unreadable(ValueError):
    """Not a robot message as DingTalk sends one: its `text` is not an object."""


def _words(data: Mapping[str, Any]) -> str:
    """The words after the mention; a message without text (a picture) has none."""
    text = data.get("text") or {}
    if not isinstance(text, Mapping):
        raise Unreadable('text must be an object like {"content": "…"}')
    return str(text.get("content") or "").strip()


async def _say(intake: RobotIntake, conversation: str, text: str) -> dict[str, Any]:
    try:
        await intake.client.send_text(conversation, inert(text))
    except DeliveryError as error:
        log.warning("could not answer in DingTalk group %s: %s", conversation, error)
    return {}
