"""The weekly summary (周报) in words: what a property manager reads in thirty seconds.

The figures come from tickets/stats.py (and the hot spots from tickets/hotspots.py); this
module only says them: the week against the week before, how fast and how well the work was
done, what is overdue now and with whom, who did the most, and where the same fault keeps
coming back. Figures a site cannot have yet (no rating, no deadline) are left out, never
shown as zero.
"""

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from tickets.escalation import duration
from tickets.fees import yuan
from tickets.hotspots import Hotspot
from tickets.messages import Plot, Report, Section, Series
from tickets.stats import DayCount, Figures, Overdue, Period

WEEKDAYS = "一二三四五六日"
SHOWN = 5
"""Lines in each list: the oldest overdue jobs, the top technicians, the hot spots."""


@dataclass(frozen=True)
class Week:
    """Everything the summary of one week says, as read from the database."""

    name: str
    """The ISO week, 2026-W48."""
    period: Period
    total: Figures
    before: Figures
    """The week before, for the changes."""
    teams: Sequence[Figures]
    teams_before: Sequence[Figures]
    categories: Sequence[Figures]
    categories_before: Sequence[Figures]
    technicians: Sequence[Figures]
    days: Sequence[DayCount]
    overdue: Sequence[Overdue]
    """Every open job overdue now, the most overdue first."""
    hotspots: Sequence[Hotspot]

    @property
    def quiet(self) -> bool:
        """Nothing happened and nothing waits: a site not in use yet."""
        t = self.total
        return not (t.received or t.closed or t.cancelled or t.open_at_end)


def _change(now: int, before: int) -> str:
    difference = now - before
    return (
        f"上周 {before}，{'+' if difference > 0 else ''}{difference}"
        if difference
        else "与上周持平"
    )


def _span(seconds: int | None) -> str | None:
    return None if seconds is None else duration(timedelta(seconds=seconds))


def _speed(p50: int | None, p90: int | None) -> str | None:
    half, most = _span(p50), _span(p90)
    return None if half is None else f"中位 {half}，90% 在 {most}内"


def _by(groups: Sequence[Figures], before: Sequence[Figures]) -> tuple[str, ...]:
    """Each group's received, closed and open, with received against the week before; the
    busiest first."""
    was = {f.key: f.received for f in before}
    shown = sorted(groups, key=lambda f: (-f.received, -f.open_at_end, f.name or ""))
    return tuple(
        f"{f.name or '其他'}：收到 {f.received}（{_change(f.received, was.get(f.key, 0))}）"
        f"，结单 {f.closed}，未完成 {f.open_at_end}"
        for f in shown
        if f.received or f.closed or f.open_at_end
    )


def _overdue(jobs: Sequence[Overdue]) -> tuple[str, ...]:
    return tuple(
        f"{j.number} {j.category}·{j.location} {j.assignee_name or '无人接单'}"
        f"，已超时{duration(timedelta(seconds=j.late_s))}"
        for j in jobs[:SHOWN]
    )


def _technicians(people: Sequence[Figures]) -> tuple[str, ...]:
    ranked = sorted(
        (f for f in people if f.key is not None and f.closed),
        key=lambda f: (-f.closed, -(f.rating_overall_avg or 0), f.name or ""),
    )
    return tuple(
        f"{f.name}：结单 {f.closed}"
        + (f"，评分 {f.rating_overall_avg:.1f}" if f.rating_overall_avg is not None else "")
        for f in ranked[:SHOWN]
    )


def _hotspots(spots: Sequence[Hotspot]) -> tuple[str, ...]:
    return tuple(
        f"{h.place or f'{h.building}（多处）'} {h.category}报修 {h.count} 次"
        f"，最近一单 {h.numbers[0]}"
        for h in spots[:SHOWN]
    )


def _figures(week: Week) -> tuple[tuple[str, str], ...]:
    t, b = week.total, week.before
    lines: list[tuple[str, str | None]] = [
        ("收到报修", f"{t.received} 单（{_change(t.received, b.received)}）"),
        ("结单", f"{t.closed} 单（{_change(t.closed, b.closed)}）"),
        ("未完成", f"{t.open_at_end} 单，其中超时 {len(week.overdue)} 单"),
        ("接单用时", _speed(t.accept_p50_s, t.accept_p90_s)),
        ("完工用时", _speed(t.complete_p50_s, t.complete_p90_s)),
        (
            "按时完成率",
            f"{t.sla_met_pct:.1f}%（{t.sla_met}/{t.sla_judged}）" if t.sla_judged else None,
        ),
        ("升级提醒", f"{t.escalations} 次" if t.escalations else None),
        (
            "满意度",
            f"{t.rating_overall_avg:.1f} 分（{t.ratings} 人评价）"
            if t.rating_overall_avg is not None
            else None,
        ),
        ("差评 / 返工 / 投诉", f"{t.low_ratings} / {t.reworks} / {t.complaints}"),
        ("维修收费", f"{yuan(t.revenue_fen)} 元" if t.revenue_fen else None),
    ]
    return tuple((label, value) for label, value in lines if value is not None)


def _plots(week: Week) -> tuple[Plot, ...]:
    days = tuple(f"周{WEEKDAYS[d.day.weekday()]}" for d in week.days)  # the header says which
    daily = Plot(
        "每日收到与结单",
        days,
        (
            Series("收到", tuple(float(d.received) for d in week.days)),
            Series("结单", tuple(float(d.closed) for d in week.days)),
        ),
        "line",
    )
    shown = [f for f in week.categories if f.received or f.closed]
    if not shown:
        return (daily,)
    shown.sort(key=lambda f: (-f.received, f.name or ""))
    categories = Plot(
        "按报修类别",
        tuple(f.name or "其他" for f in shown),
        (
            Series("收到", tuple(float(f.received) for f in shown)),
            Series("结单", tuple(float(f.closed) for f in shown)),
        ),
    )
    return (daily, categories)


def weekly_report(week: Week, tz: ZoneInfo) -> Report:
    first, *_, last = week.period.days(tz)
    sections = [
        Section("各班组", _by(week.teams, week.teams_before)),
        Section("各类别", _by(week.categories, week.categories_before)),
        Section(f"超时最久的 {SHOWN} 单", _overdue(week.overdue)),
        Section("师傅结单排行", _technicians(week.technicians)),
        Section("反复报修的地点", _hotspots(week.hotspots)),
    ]
    return Report(
        title="物业报修周报",
        period=f"{first.month}月{first.day}日—{last.month}月{last.day}日（{week.name}）",
        figures=_figures(week),
        sections=tuple(s for s in sections if s.lines),
        plots=_plots(week),
    )


def week_json(week: Week) -> dict[str, object]:
    """The week's figures as data (`baoxiu report weekly --json`): the same numbers the
    summary says, durations in seconds and money in fen."""

    def figures(f: Figures) -> dict[str, object]:
        return {**asdict(f), "sla_met_pct": f.sla_met_pct}

    return {
        "week": week.name,
        "from": week.period.start.isoformat(),
        "to": week.period.end.isoformat(),
        "total": figures(week.total),
        "before": figures(week.before),
        "teams": [figures(f) for f in week.teams],
        "categories": [figures(f) for f in week.categories],
        "technicians": [figures(f) for f in week.technicians],
        "days": [
            {"day": d.day.isoformat(), "received": d.received, "closed": d.closed}
            for d in week.days
        ],
        "overdue": [{**asdict(o), "due": o.due.isoformat()} for o in week.overdue[:SHOWN]],
        "overdue_count": len(week.overdue),
        "hotspots": [
            {**asdict(h), "first_at": h.first_at.isoformat(), "last_at": h.last_at.isoformat()}
            for h in week.hotspots
        ],
    }
