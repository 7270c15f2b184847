"""The office's rota sheet: read as Excel saves it, every bad row named by its row number."""

from datetime import date, time

import pytest

from tests.tickets.test_rota import DIRECTORY, ROTAS
from tickets.people import Directory, Member, Role
from tickets.rota import Duty, Shift, Span
from tickets.rota_sheet import read_sheet
from tickets.sheet import BadSheet, csv_cells, decode

HEADER = "日期,班组,成员,开始,结束,值班类型,电话\n"


def test_a_holiday_sheet_is_read() -> None:
    text = (
        HEADER
        + "2026-10-01,水电组,李师傅,08:30,17:30,值班,13800000001\n"
        + "2026/10/1,shuidian,陈班长,8:30,17:30:00,白班,\n"
        + "2026/10/2,水电组,何师傅,17:30,08:30,备班,\n"
        + ",,,,,,\n"  # Excel's trailing empty rows
        + "2026-10-03,水电组,王师傅,00:00,24:00,,\n"
    )
    sheet = read_sheet(csv_cells(text), DIRECTORY, ROTAS)
    assert sheet.shifts == (
        Shift("shuidian", date(2026, 10, 1), "li", Span(time(8, 30), time(17, 30))),
        Shift("shuidian", date(2026, 10, 1), "chen", Span(time(8, 30), time(17, 30))),
        Shift("shuidian", date(2026, 10, 2), "he", Span(time(17, 30), time(8, 30)), Duty.ON_CALL),
        Shift("shuidian", date(2026, 10, 3), "wang", Span(time(0), time(0))),
    )
    assert sheet.days == {"shuidian": (date(2026, 10, 1), date(2026, 10, 3))}


def test_every_bad_row_is_named_by_its_row_number() -> None:
    text = (
        "日期,班组,成员,开始,结束,值班类型\n"
        "2026-10-01,水电组,李师傅,08:30,17:30,值班\n"  # row 2 is good
        "10月1日,水电组,李师傅,08:30,17:30,值班\n"
        "2026-10-01,绿化组,李师傅,08:30,17:30,值班\n"
        "2026-10-01,水电组,李四,8点半,17:30,休息\n"
        "2026-10-01,水电组,张师傅,08:30,,值班\n"
        "2026-10-01,土建组,张师傅,08:30,17:30,值班\n"
        "2026-10-01,水电组,李师傅,08:30,17:30,值班\n"
    )
    with pytest.raises(BadSheet) as refused:
        read_sheet(csv_cells(text), DIRECTORY, ROTAS)
    assert refused.value.problems == [
        "第3行：日期「10月1日」看不懂，请写成 2026-10-01",
        "第4行：没有班组「绿化组」（有：水电组、土建组）",
        "第5行：没有成员「李四」",
        "第5行：开始时间「8点半」看不懂，请写成 08:30",
        "第5行：值班类型「休息」不认识，可写：值班、白班、夜班、备班（空着算值班）",
        "第6行：张师傅不是水电组的维修师傅或班组长",
        "第6行：缺少结束时间",
        "第7行：土建组没有排班：先在配置里给它设 [teams.on_call]，再导入它的排班",
        "第8行：与第2行重复",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "文件是空的"),
        (HEADER, "文件里没有排班"),
        (
            "date,team,member\n2026-10-01,水电组,李师傅\n",
            "第1行缺少列：日期、班组、成员、开始、结束（表头写成：日期,班组,成员,开始,结束,值班类型）",
        ),
    ],
)
def test_a_sheet_that_is_not_a_rota_says_so(text: str, problem: str) -> None:
    with pytest.raises(BadSheet) as refused:
        read_sheet(csv_cells(text), DIRECTORY, ROTAS)
    assert refused.value.problems == [problem]


def test_a_name_two_members_share_must_be_written_as_an_id() -> None:
    twins = Directory(
        DIRECTORY.teams.values(),
        [
            *DIRECTORY.members.values(),
            Member("wang2", "王师傅", frozenset({Role.TECHNICIAN}), frozenset({"shuidian"})),
        ],
    )
    with pytest.raises(BadSheet) as refused:
        read_sheet(csv_cells(HEADER + "2026-10-01,水电组,王师傅,08:30,17:30,值班,\n"), twins, ROTAS)
    assert refused.value.problems == ["第2行：不止一位成员叫「王师傅」，请写成员 id"]
    sheet = read_sheet(
        csv_cells(HEADER + "2026-10-01,水电组,wang2,08:30,17:30,值班,\n"), twins, ROTAS
    )
    assert sheet.shifts[0].member_id == "wang2"


def test_excel_saves_in_utf8_with_a_bom_or_in_gbk() -> None:
    text = HEADER + "2026-10-01,水电组,李师傅,08:30,17:30,值班,\n"
    assert decode(b"\xef\xbb\xbf" + text.encode()) == text
    assert decode(text.encode("gbk")) == text
