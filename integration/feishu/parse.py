"""A Feishu card click (`card.action.trigger`, schema 2.0) as the platform-neutral `Click`."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cards.model import ActionValue
from integration.clicks import Click
from tickets.audience import Audience
from tickets.states import Source

CARD_ACTION = "card.action.trigger"


class NotAClick(Exception):
    """A payload this edge does not handle (another event type, a malformed click)."""


@dataclass(frozen=True)
class FeishuPeople:
    """Who and where, in Feishu's ids: members by open_id, our group chats by chat id."""

    members: Mapping[str, str]
    """open_id → member id"""
    chats: Mapping[str, Audience]
    """open_chat_id → audience of each group in the config. A private chat's open_chat_id is
    not in it (we send those cards by open_id): the card we posted there says whose it is."""


def parse_click(payload: Mapping[str, Any], people: FeishuPeople) -> Click:
    header = payload.get("header") or {}
    if header.get("event_type") != CARD_ACTION:
        raise NotAClick(f"event type {header.get('event_type')!r}")
    event = payload.get("event") or {}
    action = event.get("action") or {}
    value = action.get("value")
    if not isinstance(value, dict):
        raise NotAClick("the button carries no value object")
    try:
        action_value = ActionValue.from_dict(value)
    except ValueError as error:
        raise NotAClick(str(error)) from error
    open_id = str((event.get("operator") or {}).get("open_id", ""))
    member = people.members.get(open_id)
    context = event.get("context") or {}
    chat = str(context.get("open_chat_id", ""))
    return Click(
        source=Source.FEISHU,
        member_id=member,
        value=action_value,
        audience=people.chats.get(chat),
        form=_form(action.get("form_value"), f"{action_value.verb.value}_"),
        event_id=str(header.get("event_id") or "") or None,
        card_id=str(context.get("open_message_id") or "") or None,
    )


def _form(values: object, prefix: str) -> dict[str, str]:
    """Form fields as strings, by the Command field they fill.

    Names on a Feishu card are unique card-wide, so the renderer prefixes them with the verb
    (`pause_reason`); a multi-select (a list) keeps its first choice.
    """
    if not isinstance(values, dict):
        return {}
    form = {}
    for name, value in values.items():
        if isinstance(value, list):
            value = value[0] if value else ""
        form[str(name).removeprefix(prefix)] = str(value)
    return form
