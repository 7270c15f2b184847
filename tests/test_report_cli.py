"""`baoxiu report weekly`: the summary in the terminal, its figures as JSON, and sent to the
management chats once per week."""

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.test_cli import baoxiu, config, phoned

__all__ = ["config"]


def this_week() -> str:
    year, week, _ = datetime.now(ZoneInfo("Asia/Shanghai")).isocalendar()
    return f"{year}-W{week:02d}"


def test_the_weekly_summary_from_the_terminal(config: Path) -> None:
    c, week = str(config), this_week()
    phoned(c, "5栋1单元302")
    phoned(c, "2栋3单元101")
    code, output = baoxiu("report", "weekly", "--config", c, "--week", week, "--json")
    assert code == 0, output
    data = json.loads(output)
    assert data["week"] == week and data["total"]["received"] == 2
    assert data["total"]["open_at_end"] == 2 and [t["name"] for t in data["teams"]] == ["水电组"]
    assert "王女士" not in output and "13900001111" not in output

    code, output = baoxiu("report", "weekly", "--config", c, "--week", week)
    assert code == 0 and "物业报修周报" in output and f"（{week}）" in output
    assert "收到报修" in output and "2 单" in output and "水电组：收到 2" in output

    code, output = baoxiu("report", "weekly", "--config", c, "--week", week, "--send")
    assert code == 0 and "已排入发送队列：1 个管理群" in output
    photos = list((config.parent / "var" / "photos").iterdir())
    assert [p.suffix for p in photos] == [".png"]  # the plots, for DingTalk and the sandbox
    code, output = baoxiu("report", "weekly", "--config", c, "--week", week, "--send")
    assert code == 0 and f"{week} 的周报已发到全部 1 个管理群，不再重复发送" in output
    assert len(list((config.parent / "var" / "photos").iterdir())) == 1


def test_a_week_that_is_no_week_is_refused(config: Path) -> None:
    code, output = baoxiu("report", "weekly", "--config", str(config), "--week", "2026-W99")
    assert code == 2 and "周要写成 2026-W48 这样：2026-W99" in output
