"""A DingTalk card click (`actionCallback`) as the platform-neutral `Click`.

The click names only its card (`outTrackId`, which is our delivery key) and the clicker's
userId; the key ends with a digest of the card's chat, which says whom the card shows. Button
parameters arrive in `cardPrivateData.params`: `action` is the button's own value, and the
card's shared inputs come as `text`, `to` and `choice` (cards.render_dingtalk.SLOTS), of which
a button reads only those its `f` names, each into the field it names. The text input arrives
as a string; each picker (a select) as an object holding the picked option's place and value,
`{"index": 1, "value": "li"}`.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cards.model import ActionValue
from cards.render_dingtalk import SLOTS
from integration.clicks import Click
from integration.outbound.keys import digest_of_key
from tickets.audience import Audience
from tickets.states import Source


class NotAClick(Exception):
    """A payload this edge does not handle (another type, a card that is not ours)."""


@dataclass(frozen=True)
class DingTalkPeople:
    """Who and where, in DingTalk's ids."""

    members: Mapping[str, str]
    """DingTalk userId → member id"""
    chats: Mapping[str, tuple[Audience, str | None]]
    """A chat's digest (the end of a card's outTrackId) → whom the card there shows, and
    for a private chat, whose it is"""


def parse_click(data: Mapping[str, Any], people: DingTalkPeople, event_id: str | None) -> Click:
    if data.get("type") != "actionCallback":
        raise NotAClick(f"not a card click: {data.get('type')!r}")
    try:
        content = json.loads(str(data.get("content") or "{}"))
        params = content["cardPrivateData"]["params"]
        action = json.loads(str(params["action"]))
        value = ActionValue.from_dict(action)
    except (ValueError, KeyError, TypeError) as error:
        raise NotAClick(f"the click carries no baoxiu action: {error!r}") from error
    card_id = str(data.get("outTrackId") or "")
    digest = digest_of_key(card_id)
    if digest is None or digest not in people.chats:
        raise NotAClick(f"card {data.get('outTrackId')!r} is not in a chat baoxiu knows")
    audience, owner = people.chats[digest]
    member = people.members.get(str(data.get("userId") or ""))
    form = {
        name: _input(params.get(SLOTS[name]))
        for name in action.get("f", [])
        if isinstance(name, str) and name in SLOTS
    }
    return Click(
        source=Source.DINGTALK,
        member_id=member,
        value=value,
        audience=audience,
        viewer_id=owner,
        form=form,
        event_id=event_id,
        card_id=card_id,
    )


def _input(raw: object) -> str:
    """An input's value: the text typed, or the picked option's value. Nothing picked or
    typed (the key missing, an empty object) is an empty value, which the command refuses
    with its own words."""
    if isinstance(raw, Mapping):
        raw = raw.get("value")
    return "" if raw is None else str(raw)
