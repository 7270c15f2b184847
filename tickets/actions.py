"""What people can do to a ticket: the verbs, and one command value every edge builds."""

from dataclasses import dataclass
from enum import StrEnum


class Verb(StrEnum):
    CLAIM = "claim"
    DISPATCH = "dispatch"
    TRANSFER = "transfer"
    HAND_BACK = "hand_back"
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    COMPLETE = "complete"
    CONFIRM = "confirm"
    REOPEN = "reopen"
    CLOSE = "close"
    CANCEL = "cancel"
    COMMENT = "comment"
    REVEAL = "reveal"

    @property
    def label(self) -> str:
        """The word on the button, as crews say it."""
        return _LABELS[self]


_LABELS = {
    Verb.CLAIM: "接单",
    Verb.DISPATCH: "派单",
    Verb.TRANSFER: "转单",
    Verb.HAND_BACK: "退单",
    Verb.START: "开始维修",
    Verb.PAUSE: "暂停",
    Verb.RESUME: "继续",
    Verb.COMPLETE: "完工",
    Verb.CONFIRM: "确认完成",
    Verb.REOPEN: "返工",
    Verb.CLOSE: "结单",
    Verb.CANCEL: "取消",
    Verb.COMMENT: "备注",
    Verb.REVEAL: "查看联系方式",
}

MAX_TEXT = 500
"""Longest reason or note we accept: a chat card has no room for an essay."""


@dataclass(frozen=True)
class Command:
    """One action on one ticket, as every edge (API, CLI, card button) expresses it.

    `to` names a member (dispatch, transfer), `team` a team (transfer to another team),
    `reason` explains pause / hand_back / reopen / cancel / close, `note` is free text
    (comment, completion result, resume note).
    """

    verb: Verb
    actor_id: str
    to: str | None = None
    team: str | None = None
    reason: str | None = None
    note: str | None = None
