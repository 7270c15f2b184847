"""`baoxiu export`: November's tickets as finance opens them, read back from the files."""

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from baoxiu.cli import app
from baoxiu.config import load
from baoxiu.platforms import PLATFORMS
from tests.exports import (
    HOSTILE,
    NAME,
    PHONE,
    November,
    check_workbook,
    csv_rows,
    seed_november,
    shown,
)
from tests.test_cli import config

__all__ = ["config"]

runner = CliRunner()
MONTH = ("--from", "2026-11-01", "--to", "2026-11-30")


@pytest.fixture
def november(config: Path, db_url: str) -> November:
    return asyncio.run(seed_november(load(config, PLATFORMS), db_url))


def export(config: Path, *args: str) -> tuple[int, str, bytes]:
    result = runner.invoke(app, ["export", *args, "--config", str(config)])
    return result.exit_code, result.stderr, result.stdout_bytes


def test_a_month_as_csv_on_standard_output(config: Path, november: November) -> None:
    code, said, data = export(config, *MONTH)
    assert code == 0, said
    rows = csv_rows(data)
    assert [row["单号"] for row in rows] == [november.paid, *november.open]
    paid = rows[0]
    assert (paid["报修时间"], paid["状态"], paid["时效"]) == ("2026-11-01 00:00", "已结单", "按时")
    assert (paid["费用合计（元）"], paid["已收（元）"], paid["收款方式"]) == (
        "110.50",
        "110.50",
        "微信",
    )
    assert (paid["总体满意度"], paid["响应速度"], paid["服务态度"]) == ("4", "5", "5")
    assert (paid["班组"], paid["接单人"], paid["位置"]) == ("水电组", "李师傅", "'=3栋2单元501")
    assert [row["问题描述"] for row in rows] == [shown(typed) for typed in HOSTILE]
    assert NAME.encode() not in data and PHONE.encode() not in data


def test_a_month_as_a_workbook(config: Path, november: November, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "十一月.xlsx"
    code, said, data = export(config, *MONTH, "--out", str(out))
    assert code == 0, said
    assert data.decode().strip() == f"✓ 已导出 {len(HOSTILE)} 张工单到 {out}"
    check_workbook(out.read_bytes(), november)
    assert [p.name for p in folder.iterdir()] == ["十一月.xlsx"]  # nothing .partial left


def test_csv_to_a_file_and_an_empty_period(
    config: Path, november: November, tmp_path: Path
) -> None:
    out = tmp_path / "十一月.csv"
    assert export(config, *MONTH, "--out", str(out))[0] == 0
    assert len(csv_rows(out.read_bytes())) == len(HOSTILE)
    code, said, data = export(config, "--from", "2025-01-01", "--to", "2025-01-31")
    assert code == 0 and csv_rows(data) == [], said


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ("--from", "2026-11-30", "--to", "2026-11-01"),
            "结束日期 to（2026-11-01）早于开始日期 from（2026-11-30）",
        ),
        (
            ("--from", "2026-11-31", "--to", "2026-12-01"),
            "开始日期 from「2026-11-31」不是日期，请写成 2026-11-01",
        ),
        (("--from", "2026-11-01", "--to", "11/30"), "结束日期 to「11/30」不是日期"),
        (
            ("--from", "1999-12-31", "--to", "2026-11-30"),
            "开始日期 from 要在 2000-01-01 到 2099-12-31 之间",
        ),
        ((*MONTH, "--format", "xlsx"), "导出 Excel 要用 --out 指定文件"),
        ((*MONTH, "--out", "/nonexistent/工单.csv"), "目录不存在：/nonexistent"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_and_writes_nothing(
    config: Path, args: tuple[str, ...], said: str
) -> None:
    code, error, data = export(config, *args)
    assert code == 2 and said in error and data == b"", error


def test_an_unknown_format_and_a_missing_date_are_usage_errors(config: Path) -> None:
    code, error, _ = export(config, *MONTH, "--format", "pdf")
    assert code == 2 and "Invalid value for '--format'" in error and "'pdf'" in error, error
    code, error, _ = export(config, "--from", "2026-11-01")
    assert code == 2 and "Missing option '--to'" in error, error
