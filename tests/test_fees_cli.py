"""`baoxiu fees`: the office imports its fee sheet into the config file and exports it back."""

from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from baoxiu.cli import app
from baoxiu.config import load
from baoxiu.demo import config_text
from baoxiu.platforms import PLATFORMS
from tickets.fees import FeeItem

runner = CliRunner()

SHEET = (
    "编码,项目名称,类别,单位,单价,最低价,最高价,是否免费,备注\n"
    "SD-01,更换水龙头,水电,个,35,,,否,不含材料\n"
    "SD-02,疏通下水道,水电,次,,60,180,,\n"
    "TY-01,上门检查,,次,,,,是,\n"
)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "baoxiu.toml"
    assert runner.invoke(app, ["init", "--demo", "--config", str(path)]).exit_code == 0
    return path


def baoxiu(config: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--config", str(config)])
    return result.exit_code, result.output


def sheet(tmp_path: Path, text: str, encoding: str = "utf-8-sig") -> str:
    path = tmp_path / "收费标准.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_a_good_sheet_replaces_the_schedule_and_keeps_the_file(
    config: Path, tmp_path: Path
) -> None:
    before = config.read_text(encoding="utf-8")
    code, output = baoxiu(config, "fees", "import", sheet(tmp_path, SHEET, "gbk"))
    assert code == 0, output
    assert "✓ 已导入 3 个收费项目（原有 12 个）" in output and "重启 baoxiu serve 后生效" in output
    after = config.read_text(encoding="utf-8")
    assert after[: before.index("[[fees.items]]")] == before[: before.index("[[fees.items]]")]
    assert "# 维修服务项目表及收费标准" in after  # the comments stay
    assert list(load(config, PLATFORMS).fee_schedule().items.values()) == [
        FeeItem("SD-01", "更换水龙头", "个", "水电", price_fen=3500),
        FeeItem("SD-02", "疏通下水道", "次", "水电", min_fen=6000, max_fen=18000),
        FeeItem("TY-01", "上门检查", "次", None, free=True),
    ]


def test_a_sheet_with_one_bad_row_imports_nothing(config: Path, tmp_path: Path) -> None:
    before = config.read_text(encoding="utf-8")
    bad = SHEET + "SD-03,更换角阀,绿化,个,25,,,,\n"
    code, output = baoxiu(config, "fees", "import", sheet(tmp_path, bad))
    assert code == 1
    assert "收费标准表有误，什么也没有导入" in output
    assert "第5行：没有班组负责类别「绿化」" in output
    assert config.read_text(encoding="utf-8") == before


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_imports_back_unchanged(config: Path, tmp_path: Path, kind: str) -> None:
    before = config.read_text(encoding="utf-8")
    out = tmp_path / f"收费标准.{kind}"
    code, output = baoxiu(config, "fees", "export", "--out", str(out))
    assert code == 0 and f"✓ 已导出 12 个收费项目到 {out}" in output, output
    code, output = baoxiu(config, "fees", "import", str(out))
    assert code == 0 and "✓ 已导入 12 个收费项目（原有 12 个）" in output, output
    assert config.read_text(encoding="utf-8") == before


def test_csv_goes_to_standard_output_as_excel_opens_it(config: Path) -> None:
    code, output = baoxiu(config, "fees", "export")
    assert code == 0
    lines = output.splitlines()
    assert lines[0] == "编码,项目名称,类别,单位,单价,最低价,最高价,是否免费"
    assert "SD-02,疏通下水道,水电,次,,50.00,150.00,否" in lines
    assert "TY-01,上门检查（未维修）,,次,,,,是" in lines


def test_a_workbook_typed_in_excel_is_read(config: Path, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["项目编码", "服务项目", "报修类型", "计量单位", "收费标准", "免费"])
    sheet.append(["MC-01", "更换门锁", "门窗", "把", 55.5, False])
    sheet.append(["GG-01", "公共照明维修", "公共设施", "次", None, True])
    book.save(tmp_path / "收费.xlsx")
    code, output = baoxiu(config, "fees", "import", str(tmp_path / "收费.xlsx"))
    assert code == 0, output
    assert list(load(config, PLATFORMS).fee_schedule().items.values()) == [
        FeeItem("MC-01", "更换门锁", "把", "门窗", price_fen=5550),
        FeeItem("GG-01", "公共照明维修", "次", "公共设施", free=True),
    ]


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("收费.xlsx", b"not a workbook", "不是能打开的 Excel 文件（.xlsx）"),
        ("收费.xls", b"\xd0\xcf\x11\xe0", "不支持旧版 Excel（.xls）"),
    ],
)
def test_a_file_it_cannot_read_changes_nothing(
    config: Path, tmp_path: Path, name: str, data: bytes, problem: str
) -> None:
    before = config.read_text(encoding="utf-8")
    (tmp_path / name).write_bytes(data)
    code, output = baoxiu(config, "fees", "import", str(tmp_path / name))
    assert code == 1 and problem in output, output
    assert config.read_text(encoding="utf-8") == before


def test_what_cannot_be_done_is_refused(config: Path, tmp_path: Path) -> None:
    code, output = baoxiu(config, "fees", "export", "--format", "xlsx")
    assert code == 2 and "导出 Excel 要用 --out 指定文件" in output
    code, output = baoxiu(config, "fees", "import", str(tmp_path / "missing.csv"))
    assert code == 2 and "missing.csv" in output


def test_the_readme_example_is_a_schedule(tmp_path: Path) -> None:
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    rest = text[text.index("### Fee schedule (收费标准)") :]
    example = rest[rest.index("```toml\n") + 8 : rest.index("```\n", rest.index("```toml"))]
    demo = config_text(demo=True)
    path = tmp_path / "baoxiu.toml"
    path.write_text(demo[: demo.index("[[fees.items]]")] + example, encoding="utf-8")
    schedule = load(path, PLATFORMS).fee_schedule()
    assert [i.price_words for i in schedule.items.values()] == [
        "30.00 元/个",
        "50.00–150.00 元/次",
        "免费（物业费已含）",
    ]


def test_the_items_are_replaced_wherever_the_file_keeps_them(config: Path, tmp_path: Path) -> None:
    demo = config.read_text(encoding="utf-8")
    inline = '[fees]\n# 旧的收费标准\nitems = [{ code = "A", name = "旧", price = 1 }]\n'
    config.write_text(
        demo[: demo.index("# 维修服务项目表")] + inline + '\n[reports]\nweekly_day = "tue"\n',
        encoding="utf-8",
    )
    code, output = baoxiu(config, "fees", "import", sheet(tmp_path, SHEET))
    assert code == 0 and "（原有 1 个）" in output, output
    after = config.read_text(encoding="utf-8")
    assert "# 旧的收费标准" in after and 'free = true\n\n[reports]\nweekly_day = "tue"\n' in after
    settings = load(config, PLATFORMS)
    assert list(settings.fee_schedule().items) == ["SD-01", "SD-02", "TY-01"]
    assert settings.reports.weekly_day == "tue"
