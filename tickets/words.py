"""A timeline event in words: the one place that says what happened, for every reader.

The CLI, the API (`text`), the resident's page and the cards all print `describe(event)`, so
a line reads the same wherever it is seen. The title is written so that a resident can read
it too; the detail of a staff-only matter (why a job was handed back, a note) stays off the
resident's page (`for_resident`).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from tickets.escalation import duration
from tickets.events import (
    Assigned,
    CardReposted,
    Closed,
    Completed,
    Confirmed,
    Consented,
    Created,
    DeliveryFailed,
    Escalated,
    EventKind,
    Extended,
    Merged,
    Note,
    Paid,
    Paused,
    PhotosAdded,
    Quoted,
    Rated,
    Reason,
    Reopened,
    Rescheduled,
    Revealed,
    Reviewed,
    SlaBreached,
    Transferred,
    Unknown,
    VisitDue,
    Visited,
)
from tickets.fees import yuan
from tickets.model import Event
from tickets.payment import PayMethod
from tickets.rating import Agreement, Rating
from tickets.states import Channel, PauseKind, Source, Urgency
from tickets.visits import VisitOutcome


@dataclass(frozen=True)
class Words:
    title: str
    detail: str | None = None

    def __str__(self) -> str:
        return f"{self.title}（{self.detail}）" if self.detail else self.title


DEADLINES = {"accept": "接单", "arrive": "到场", "complete": "完工"}
"""The promises an SLA makes, by the key `SlaBreached.deadline` holds."""

PAUSED: dict[str, str] = {
    PauseKind.PARTS: "等配件，暂停维修",
    PauseKind.RESIDENT: "因业主原因暂停维修",
}
"""A pause whose clock stops says why in its title; any other is the crew's own business."""

CONSENT_WAYS = {"in_person": "当面同意", "phone": "电话同意", "page": "在报修页面同意"}
"""How the resident agreed to a higher price: `Agreement`, or on their own page."""

RESIDENT_READS = frozenset(
    {
        EventKind.COMPLETE,
        EventKind.REOPEN,
        EventKind.RATED,
        EventKind.REVIEWED,
        EventKind.QUOTED,
        EventKind.CONSENTED,
    }
)
"""Kinds whose detail the resident reads: what was repaired, why it is redone, their own
rating, why their report is not the property's to repair, why a price is what it is (the
page asking for their consent shows it) and how they agreed to it. Any other text staff type
(why a job waits, is moved or cancelled, a note) is the crew's own words, meant for
colleagues (「业主态度差」), and never leaves the crew; the forms that take it say so."""


def describe(event: Event) -> Words:
    d = event.details
    who = event.actor_name
    match event.kind, d:
        case EventKind.CREATED, Created():
            channel = _label(Channel, d.channel)
            urgency = _label(Urgency, d.urgency)
            return Words("报修已受理", " · ".join(x for x in (channel, urgency) if x) or None)
        case EventKind.CLAIM, _:
            return Words(f"{who}已接单")
        case EventKind.DISPATCH, Assigned():
            return Words(f"已派给{d.to_name}", "超出接单上限" if d.over_cap else None)
        case EventKind.AUTO_ASSIGNED, Assigned():
            return Words(f"已自动派给{d.to_name}")
        case EventKind.TRANSFER, Transferred():
            where = d.to_name or d.team_name or "其他班组"
            return Words(f"已转给{where}", _reason(d.reason))
        case EventKind.HAND_BACK, Reason() if event.source is Source.JOB:
            return Words("超时未到场，已退回重新安排", _reason(d.reason))
        case EventKind.HAND_BACK, Reason():
            return Words(f"{who}已退单，正在重新安排", _reason(d.reason))
        case EventKind.START, _:
            return Words(f"{who}已到场维修")
        case EventKind.PAUSE, Paused():
            return Words(PAUSED.get(d.kind, "暂停维修"), _reason(d.reason))
        case EventKind.RESUME, Note():
            return Words("继续维修", d.note)
        case EventKind.COMPLETE, Completed():
            said = [
                *([f"检查结果：{d.findings}"] if d.findings else []),
                *([f"维修结果：{d.note}"] if d.note else []),
                *([f"费用 {yuan(d.fees_total_fen)} 元"] if d.fees_total_fen else []),
            ]
            return Words("维修完成，等待验收", "；".join(said) or None)
        case EventKind.CONFIRM, Confirmed(on_behalf=True):
            how = _agreement(d.agreed)
            return Words(f"{who}代业主确认完成" + (f"（业主{how}同意）" if how else ""), d.note)
        case EventKind.CONFIRM, Confirmed(signed=True):
            stars = _stars(d.overall, d.speed, d.attitude, d.comment)
            return Words(f"{who}已确认修好，已签名", stars or d.note)
        case EventKind.CONFIRM, Confirmed():  # as confirmations read before the sign-off
            return Words(f"{who}已确认完成", d.note)
        case EventKind.REOPEN, Reopened():
            return Words(f"已安排第 {d.rework} 次返工", _reason(d.reason))
        case EventKind.CLOSE, Closed():
            title = "已结单（未经业主验收）" if d.unconfirmed else "已结单"
            return Words(title, _reason(d.reason))
        case EventKind.CANCEL, Reason():
            return Words("已取消", _reason(d.reason))
        case EventKind.COMMENT, Note():
            return Words(f"{who}备注", d.note)
        case EventKind.REVEAL, Revealed(field="assignee"):
            return Words(f"{who}查看了师傅联系方式")
        case EventKind.REVEAL, _:
            return Words(f"{who}查看了报修人联系方式")
        case EventKind.DELIVERY_FAILED, DeliveryFailed():
            return Words("卡片发送失败", f"{d.platform} {d.chat}：{d.error}")
        case EventKind.CARD_REPOSTED, CardReposted():
            return Words("旧卡片不能再更新，已发新卡片", f"{d.platform} {d.chat}：{d.reason}")
        case EventKind.SLA_BREACHED, SlaBreached():
            return Words(f"{DEADLINES.get(d.deadline, d.deadline)}超时")
        case EventKind.ESCALATED, Escalated():
            deadline = DEADLINES.get(d.deadline, "")
            return Words(f"{deadline}超时，已提醒{d.to_name or d.to}", f"第 {d.step} 级升级")
        case EventKind.EXTENDED, Extended():
            deadline = DEADLINES.get(d.deadline, "")
            later = duration(timedelta(minutes=d.minutes))
            return Words(f"{who}将{deadline}时限延后{later}", _reason(d.reason))
        case EventKind.RESCHEDULED, Rescheduled():
            return Words(f"{who}改约上门时间：{_moment(d.at)}", _reason(d.reason))
        case EventKind.TAKEN_OVER, _:
            return Words(f"{who}接手跟进")
        case EventKind.HURRIED, _:
            return Words(f"{who}催单")
        case EventKind.PAID, Paid():
            paid = f"{yuan(d.amount_fen)} 元（{_label(PayMethod, d.method) or d.method}）"
            if d.correction:
                return Words(f"{who}更正收费记录：{paid}", _reason(d.correction))
            return Words(f"{who}记录收费 {paid}")
        case EventKind.RATED, Rated():
            how = _agreement(d.agreed)
            title = f"{who}记录业主评价" + (f"（{how}）" if how else "")
            return Words(title, _stars(d.overall, d.speed, d.attitude, d.comment))
        case EventKind.FLAGGED, Reason():
            return Words(f"{who}标记为可能不属于服务范围，待班组长审核", _reason(d.reason))
        case EventKind.REVIEWED, Reviewed(decision="approve"):
            return Words("经审核属于服务范围", d.reason)
        case EventKind.REVIEWED, Reviewed():
            return Words("经审核不属于服务范围，已取消", _reason(d.reason))
        case EventKind.QUOTED, Quoted(pending=True):
            return Words(f"报价 {yuan(d.amount_fen)} 元，等待业主同意", d.reason)
        case EventKind.QUOTED, Quoted():
            return Words(f"报价 {yuan(d.amount_fen)} 元", d.reason)
        case EventKind.CONSENTED, Consented():
            return Words(f"业主同意报价 {yuan(d.amount_fen)} 元", CONSENT_WAYS.get(d.agreed))
        case EventKind.VISIT_DUE, VisitDue():
            return Words(f"待回访（第 {d.attempt} 次），已发到客服群")
        case EventKind.VISITED, Visited():
            return Words(f"{who}回访：{_visit_words(d)}", d.note)
        case EventKind.PHOTOS_ADDED, PhotosAdded():
            return Words(f"{who}补充了 {d.count} 张完工照片")
        case EventKind.MERGED, Merged():
            return Words(f"与 {d.into} 是同一问题，已合并处理")
        case EventKind.MERGED_IN, Merged():
            return Words(f"{who}合并了 {d.duplicate}（重复报修）")
        case _, Unknown():
            return Words(f"其他记录（{d.kind}）")
    return Words(event.kind.label)


def for_resident(event: Event) -> Words | None:
    """What the resident's page shows of the event: nothing of the crew's own business."""
    if not event.kind.public:
        return None
    words = describe(event)
    return words if event.kind in RESIDENT_READS else Words(words.title)


def _stars(overall: int, speed: int, attitude: int, comment: str | None) -> str | None:
    if not overall:
        return None
    stars = Rating(overall, speed, attitude).words()
    return f"{stars}；{comment}" if comment else stars


def _agreement(value: str | None) -> str | None:
    try:
        return Agreement(value).label if value else None
    except ValueError:
        return None


def _visit_words(visited: Visited) -> str:
    try:
        outcome = VisitOutcome(visited.outcome).label
    except ValueError:
        return visited.outcome
    if visited.again_at:
        return f"{outcome}（第 {visited.attempt} 次），{_moment(visited.again_at)}再回访"
    return outcome


def _reason(reason: str | None) -> str | None:
    return f"原因：{reason}" if reason else None


def _moment(iso: str) -> str:
    """A stored moment as people read it, in the zone it was stored in (the site's)."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}"


def _label(kind: type[Channel] | type[Urgency] | type[PayMethod], value: str) -> str | None:
    try:
        return kind(value).label
    except ValueError:
        return None
