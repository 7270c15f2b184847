"""Routing a report: which team gets it, how urgent it is, who gets it in round-robin teams."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from tickets.errors import InvalidInput
from tickets.people import Directory, Member, Team
from tickets.states import Urgency

DEFAULT_EMERGENCY_WORDS: tuple[str, ...] = (
    "爆管",
    "水管爆裂",
    "爆裂",
    "漏水",
    "跑水",
    "淹水",
    "停电",
    "断电",
    "漏电",
    "触电",
    "燃气",
    "煤气",
    "天然气",
    "困人",
    "被困",
    "关人",
    "着火",
    "冒烟",
    "火警",
)
"""Words in a description that make a report an emergency (DOMAIN.md: handled at once)."""

DEFAULT_URGENT_WORDS: tuple[str, ...] = (
    "渗水",
    "堵塞",
    "堵了",
    "没水",
    "停水",
    "跳闸",
    "门锁",
    "打不开",
    "电梯故障",
)
"""Words that suggest same-day handling without being an emergency."""


def team_for(directory: Directory, category: str) -> Team:
    team = directory.team_by_category.get(category)
    if team is None:
        known = "、".join(sorted(directory.team_by_category))
        raise InvalidInput(f"未知的报修类型「{category}」，可选：{known}", field="category")
    return team


def suggest_urgency(
    description: str,
    emergency_words: Iterable[str] = DEFAULT_EMERGENCY_WORDS,
    urgent_words: Iterable[str] = DEFAULT_URGENT_WORDS,
) -> Urgency:
    if any(word in description for word in emergency_words):
        return Urgency.EMERGENCY
    if any(word in description for word in urgent_words):
        return Urgency.URGENT
    return Urgency.NORMAL


def pick_round_robin(
    technicians: Sequence[Member],
    open_jobs: Mapping[str, int],
    last_assigned: Mapping[str, datetime],
    cap: int,
) -> Member | None:
    """The technician under the cap with the fewest open jobs, then the longest idle.

    None when the whole team is at the cap: the ticket waits for the supervisor.
    """
    free = [m for m in technicians if open_jobs.get(m.id, 0) < cap]
    if not free:
        return None

    def load(member: Member) -> tuple[int, float, str]:
        last = last_assigned.get(member.id)
        return (open_jobs.get(member.id, 0), last.timestamp() if last else 0.0, member.id)

    return min(free, key=load)
