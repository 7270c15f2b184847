"""Reports typed to the robot: `@报修助手 3栋2单元501 卫生间漏水` in a group, or the same
words without the @ in a person's one-to-one chat with the robot.

DingTalk strips the @name and hands us the rest, which is read as every platform reads it
(integration/intake.py), keyed by DingTalk's msgId. The robot answers where it was asked, with
the number or with what to type instead: in a group (conversationType "2") through the group
message API, in a one-to-one chat (conversationType "1", whose conversationId is no group's)
through the one-to-one API to the sender's userId. Not through the message's
`sessionWebhook`: that is an address taken from the message itself, good for about 90
minutes, on a host other than the configured `base_url`, and it would be a second way to send
the same text.
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

ONE_TO_ONE = "1"
"""conversationType of a person's one-to-one chat with the robot; a group's is "2"."""


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
    staff_id = str(data.get("senderStaffId") or "")
    sender = intake.senders.get(staff_id)
    text = _words(data)
    one_to_one = str(data.get("conversationType")) == ONE_TO_ONE
    log.info(  # how a company finds its groups' openConversationIds, as the README says
        "robot message in DingTalk %s conversationId=%s 「%s」 from userId=%s",
        "one-to-one chat" if one_to_one else "group",
        conversation,
        data.get("conversationTitle", ""),
        staff_id,
    )
    reply_to = staff_id if one_to_one else conversation
    if sender is None:
        return await _say(intake, reply_to, NOT_A_MEMBER)
    known = known_categories(intake.service.directory)
    report = read(text, intake.categories.get(conversation), known)
    if report is None:
        return await _say(intake, reply_to, USAGE)
    key = f"dingtalk:{data.get('msgId') or message_id}"
    refusal = intake.pace.refusal(sender, conversation, key)
    if refusal is not None:
        return await _say(intake, reply_to, refusal)
    outcome = await register(intake.service, sender, report, Source.DINGTALK, key)
    return await _say(intake, reply_to, outcome.answer)


class Unreadable(ValueError):
    """Not a robot message as DingTalk sends one: its `text` is not an object."""


def _words(data: Mapping[str, Any]) -> str:
    """The words after the mention; a message without text (a picture) has none."""
    text = data.get("text") or {}
    if not isinstance(text, Mapping):
        raise Unreadable('text must be an object like {"content": "…"}')
    return str(text.get("content") or "").strip()


async def _say(intake: RobotIntake, chat_id: str, text: str) -> dict[str, Any]:
    """`chat_id` is the group's openConversationId, or the userId of a one-to-one chat."""
    try:
        await intake.client.send_text(chat_id, inert(text))
    except DeliveryError as error:
        log.warning("could not answer in DingTalk chat %s: %s", chat_id, error)
    return {}
