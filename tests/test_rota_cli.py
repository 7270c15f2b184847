"""`baoxiu rota`: the office imports its holiday sheet and checks who is on duty."""

from datetime import date, time
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from baoxiu.cli import app
from baoxiu.config import load
from baoxiu.demo import config_text
from baoxiu.platforms import PLATFORMS

README = Path(__file__).resolve().parents[1] / "README.md"

runner = CliRunner()

LIFT_ROTA = """
[teams.on_call]
technician = "liu"
supervisor = "chen"

[[teams.rota]]
members = ["liu", "sun", "chen"]
hours = ["08:30-17:30"]
"""
"""电梯组, the demo's last team, keeps a rota: both technicians and 陈班长 by day."""

SHEET = (
    "日期,班组,成员,开始,结束,值班类型,电话\n"
    "2026-10-01,电梯组,孙师傅,08:30,17:30,值班,13800000006\n"
    "2026-10-01,电梯组,陈班长,08:30,17:30,值班,\n"
    "2026-10-02,电梯组,sun,17:30,08:30,备班,\n"
)


@pytest.fixture
def config(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "baoxiu.toml"
    assert runner.invoke(app, ["init", "--demo", "--config", str(path)]).exit_code == 0
    path.write_text(path.read_text(encoding="utf-8") + LIFT_ROTA, encoding="utf-8")
    monkeypatch.setenv("BAOXIU_DATABASE__URL", db_url)
    return path


def baoxiu(config: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--config", str(config)])
    return result.exit_code, result.output


def sheet(tmp_path: Path, text: str, encoding: str = "utf-8-sig") -> str:
    path = tmp_path / "排班.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


def rows(output: str) -> dict[str, list[str]]:
    """The table's rows by team name, cell by cell."""
    found = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if cells[0].endswith("组"):
            found[cells[0]] = cells[1:]
    return found


def test_the_holiday_sheet_decides_who_is_on_duty(config: Path, tmp_path: Path) -> None:
    code, output = baoxiu(config, "rota", "show", "--at", "2026-09-30T10:00:00+08:00")
    assert code == 0, output
    assert "2026-09-30 10:00" in output
    assert rows(output) == {
        "水电组": ["李师傅、王师傅", "陈班长", "未排班：全员在岗"],
        "土建组": ["张师傅、赵师傅", "陈班长", "未排班：全员在岗"],
        "电梯组": ["刘师傅、孙师傅", "陈班长", "值班"],
    }
    holiday = ("rota", "show", "--team", "dianti", "--at", "2026-10-01T10:00:00+08:00")
    assert rows(baoxiu(config, *holiday)[1]) == {
        "电梯组": ["刘师傅（备班）", "陈班长（备班）", "非值班时间：急修找备班"]
    }

    code, output = baoxiu(config, "rota", "import", sheet(tmp_path, SHEET))
    assert code == 0, output
    assert "✓ 已导入 3 条排班" in output and "电梯组：2026-10-01 至 2026-10-02" in output
    assert rows(baoxiu(config, *holiday)[1]) == {"电梯组": ["孙师傅", "陈班长", "值班"]}
    night = ("rota", "show", "--team", "dianti", "--at", "2026-10-02T23:00:00+08:00")
    assert rows(baoxiu(config, *night)[1]) == {
        "电梯组": ["孙师傅（备班）", "陈班长（备班）", "非值班时间：急修找备班"]
    }

    again = "日期,班组,成员,开始,结束\n2026/10/1,dianti,刘师傅,9:00,18:00\n"
    code, output = baoxiu(config, "rota", "import", sheet(tmp_path, again, "gbk"))
    assert code == 0, output
    assert "电梯组：2026-10-01 至 2026-10-01，替换原有 2 条" in output
    assert rows(baoxiu(config, *holiday)[1]) == {"电梯组": ["刘师傅", "陈班长", "值班"]}
    assert rows(baoxiu(config, *night)[1])["电梯组"][0] == "孙师傅（备班）"  # the 2nd is kept


def test_a_sheet_with_bad_rows_imports_nothing(config: Path, tmp_path: Path) -> None:
    bad = SHEET + "2026-10-03,电梯组,李师傅,08:30,17:30,值班,\n2026-10-04,水电组,李师傅,8,9,,\n"
    code, output = baoxiu(config, "rota", "import", sheet(tmp_path, bad))
    assert code == 1
    assert "排班表有误，什么也没有导入" in output
    assert "第5行：李师傅不是电梯组的维修师傅或班组长" in output
    assert "第6行：水电组没有排班：先在配置里给它设 [teams.on_call]" in output
    assert "第6行：开始时间「8」看不懂，请写成 08:30" in output
    holiday = ("rota", "show", "--team", "dianti", "--at", "2026-10-01T10:00:00+08:00")
    assert rows(baoxiu(config, *holiday)[1])["电梯组"][0] == "刘师傅（备班）"  # as before


def test_show_refuses_what_it_cannot_read(config: Path, tmp_path: Path) -> None:
    code, output = baoxiu(config, "rota", "show", "--at", "2026-10-01 10:00")
    assert code == 2 and "--at 写成带时区的时间" in output
    code, output = baoxiu(config, "rota", "show", "--team", "lvhua")
    assert code == 2 and "没有班组 lvhua" in output
    code, output = baoxiu(config, "rota", "show")  # now
    assert code == 0 and "电梯组" in output
    code, output = baoxiu(config, "rota", "import", str(tmp_path / "missing.csv"))
    assert code == 2 and "missing.csv" in output


def test_the_readme_examples_work(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAOXIU_DATABASE__URL", db_url)
    text = README.read_text(encoding="utf-8")
    rest = text[text.index("### On-duty rota (排班)") :]
    team = rest[rest.index("```toml\n") + 8 : rest.index("```\n", rest.index("```toml"))]
    csv_start = rest.index("```\n日期") + 4
    csv = rest[csv_start : rest.index("```", csv_start)]
    demo = config_text(demo=True)
    lifts = demo[demo.index('[[teams]]\nid = "dianti"') : demo.index("# Where tickets wait")]
    path = tmp_path / "baoxiu.toml"
    path.write_text(demo.replace(lifts, team + "\n"), encoding="utf-8")
    settings = load(path, PLATFORMS)
    night = settings.rotas().teams["dianti"].entries[1]
    assert (night.weekdays, str(night.spans[0])) == (frozenset({0, 2, 4}), "17:30-08:30")
    code, output = baoxiu(path, "rota", "import", sheet(tmp_path, csv))
    assert code == 0 and "✓ 已导入 3 条排班" in output, output


def test_the_sheet_may_be_an_excel_workbook(config: Path, tmp_path: Path) -> None:
    book = Workbook()
    rota = book.active
    assert rota is not None
    rota.append(["日期", "班组", "成员", "开始", "结束", "值班类型"])
    rota.append([date(2026, 10, 1), "电梯组", "孙师傅", time(8, 30), time(17, 30), "值班"])
    rota.append([date(2026, 10, 1), "电梯组", "陈班长", time(8, 30), time(17, 30), None])
    rota.append([date(2026, 10, 1), "电梯组", "李师傅", time(8, 30), time(17, 30), None])
    book.save(tmp_path / "排班.xlsx")
    code, output = baoxiu(config, "rota", "import", str(tmp_path / "排班.xlsx"))
    assert code == 1 and "第4行：李师傅不是电梯组的维修师傅或班组长" in output, output
    rota.delete_rows(4)
    book.save(tmp_path / "排班.xlsx")
    code, output = baoxiu(config, "rota", "import", str(tmp_path / "排班.xlsx"))
    assert code == 0 and "电梯组：2026-10-01 至 2026-10-01" in output, output
    holiday = ("rota", "show", "--team", "dianti", "--at", "2026-10-01T10:00:00+08:00")
    assert rows(baoxiu(config, *holiday)[1]) == {"电梯组": ["孙师傅", "陈班长", "值班"]}
