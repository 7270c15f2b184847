"""`baoxiu doctor` on the holiday calendar: a year China's calendar does not know yet is said."""

from datetime import UTC, datetime
from pathlib import Path

from baoxiu.config import DatabaseConfig, EscalationStep, OnCallConfig, Settings
from baoxiu.doctor import examine
from tests.clock import FakeClock


async def calendar_line(settings: Settings, year: int) -> tuple[bool, str]:
    clock = FakeClock(datetime(year, 6, 1, tzinfo=UTC))
    [found] = [f for f in await examine(settings, clock) if "节假日日历" in f.text]
    return found.ok, found.text


async def test_doctor_says_which_years_the_holiday_calendar_knows(
    demo_settings: Settings, tmp_path: Path
) -> None:
    database = DatabaseConfig(url=f"sqlite+aiosqlite:///{tmp_path / 'baoxiu.db'}")
    settings = demo_settings.model_copy(update={"database": database})
    ok, text = await calendar_line(settings, 2026)
    assert ok and "有 2026 年（含调休）" in text
    ok, text = await calendar_line(settings, 2150)  # no State Council notice yet
    assert not ok and "没有 2150 年的数据，时限按周一到周五计算" in text
    assert "pip install -U chinesecalendar" in text


async def test_doctor_names_whom_a_reminder_could_not_reach(
    demo_settings: Settings, tmp_path: Path
) -> None:
    database = DatabaseConfig(url=f"sqlite+aiosqlite:///{tmp_path / 'baoxiu.db'}")
    steps = [EscalationStep(after_minutes=0, to="member:admin")]  # in no team: no chat here
    teams = [
        t.model_copy(update={"on_call": OnCallConfig(technician="li", supervisor="chen")})
        if t.id == "shuidian"
        else t
        for t in demo_settings.teams
    ]
    settings = demo_settings.model_copy(
        update={
            "database": database,
            "teams": teams,
            "sla": demo_settings.sla.model_copy(update={"escalation": steps}),
        }
    )
    said = [f for f in await examine(settings, FakeClock()) if "没有和机器人的私聊" in f.text]
    assert [(f.ok, f.text.split("没有")[0]) for f in said] == [(False, "升级提醒管理员")]
