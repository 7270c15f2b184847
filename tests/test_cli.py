"""The `baoxiu` command line, as a front-desk agent and a technician would use it."""

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from baoxiu.cli import app
from baoxiu.config import load
from baoxiu.platforms import PLATFORMS
from baoxiu.wiring import open_service
from storage.migrate import head
from tests.reports import AGENT, draft
from tickets.actions import Command, Verb
from tickets.events import details_to_json
from tickets.model import Actor
from tickets.states import PauseKind, Source

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A demo config whose database is this test's (SQLite or PostgreSQL)."""
    path = tmp_path / "site" / "baoxiu.toml"
    result = runner.invoke(app, ["init", "--demo", "--config", str(path)])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("BAOXIU_DATABASE__URL", db_url)
    return path


def baoxiu(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_init_writes_a_demo_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "baoxiu.toml"
    code, output = baoxiu("init", "--demo", "--config", str(path))
    assert code == 0 and "水电组" in path.read_text(encoding="utf-8")
    assert (tmp_path / "var" / "baoxiu.db").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baoxiu.toml", "var"]  # one place
    code, output = baoxiu("init", "--config", str(path))
    assert code == 1 and "already exists" in output
    code, output = baoxiu("db", "upgrade", "--config", str(path))
    assert code == 0 and f"revision {head()}" in output


def test_a_phone_report_worked_from_the_terminal(config: Path) -> None:
    c = str(config)
    code, output = baoxiu(
        "tickets", "new", "--config", c, "--category", "水电", "--location", "5栋1单元302",
        "--description", "卫生间漏水", "--name", "王女士", "--phone", "139 0000 1111",
        "--as", "lin",
    )  # fmt: skip
    assert code == 0, output
    number = re.search(r"BX\d{8}-\d{4}", output)
    assert number and "紧急" in output and "水电组" in output
    n = number.group(0)
    assert baoxiu("tickets", "act", n, "claim", "--as", "li", "--config", c)[0] == 0
    code, output = baoxiu("tickets", "act", n, "claim", "--as", "wang", "--config", c)
    assert code == 1 and "已被李师傅接走" in output
    code, output = baoxiu("tickets", "act", n, "start", "--as", "li", "--config", c)
    assert code == 0 and "维修中" in output
    code, output = baoxiu("tickets", "act", n, "pause", "--as", "li", "--config", c)
    assert code == 1 and "请填写暂停原因" in output
    code, output = baoxiu("tickets", "list", "--config", c, "--status", "in_progress")
    assert code == 0 and n in output and "李师傅" in output
    code, output = baoxiu("tickets", "list", "--config", c, "--status", "closed")
    assert code == 0 and n not in output
    reason = "等配件：需要购买DN20三通和两米PPR管，供应商明天上午才能送到，业主同意改期"
    code, output = baoxiu(
        "tickets", "act", n, "pause", "--as", "li", "--reason", reason, "--pause-kind", "parts",
        "--config", c,
    )  # fmt: skip
    assert code == 0 and output.strip() == f"✓ {n} 暂停 → 已暂停"
    code, output = baoxiu("tickets", "show", n, "--config", c)
    assert code == 0 and "13900001111" in output and "  问题描述：" in output
    assert "林客服" in output and "命令行" in output and "已接单 → 维修中" in output
    folded = "".join(
        cell.strip()
        for line in output.splitlines()
        if line.startswith("│")
        for cell in line.split("│")[2:3]
    )
    assert f"等配件，暂停维修（原因：{reason}）" in folded, output  # folded over lines, never cut


def test_bad_input_is_explained(config: Path) -> None:
    c = str(config)
    code, output = baoxiu(
        "tickets", "new", "--config", c, "--category", "水电", "--location", "5栋",
        "--description", "漏水", "--name", "王", "--phone", "12345",
    )  # fmt: skip
    assert code == 2 and "reporter.phone" in output
    code, output = baoxiu(
        "tickets", "new", "--config", c, "--category", "飞机", "--location", "5栋",
        "--description", "漏水", "--name", "王", "--phone", "13900001111",
    )  # fmt: skip
    assert code == 1 and "未知的报修类型" in output
    code, output = baoxiu("tickets", "show", "BX20000101-0001", "--config", c)
    assert code == 1 and "没有这张工单" in output
    code, output = baoxiu("tickets", "act", "BX20000101-0001", "fly", "--as", "li", "--config", c)
    assert code == 2 and "fly" in output


def test_config_errors_name_the_key(tmp_path: Path) -> None:
    path = tmp_path / "baoxiu.toml"
    path.write_text('[[teams]]\nid = "a"\nname = "A"\ncategories = []\n', encoding="utf-8")
    code, output = baoxiu("tickets", "list", "--config", str(path))
    assert code == 2 and "teams[0].categories" in output


@pytest.mark.parametrize(
    "command",
    [[], ["tickets"], ["tickets", "act"], ["db"], ["serve"], ["init"], ["rota"], ["export"]],
)
def test_help_explains_each_command(command: list[str]) -> None:
    code, output = baoxiu(*command, "--help")
    assert code == 0 and "Usage" in output and len(output.splitlines()) > 5


def test_lan_and_host_are_one_choice(tmp_path: Path) -> None:
    path = tmp_path / "baoxiu.toml"
    assert baoxiu("init", "--demo", "--config", str(path))[0] == 0
    code, output = baoxiu("serve", "--config", str(path), "--lan", "--host", "10.0.0.5")
    assert code == 2 and "--lan 就是 --host 0.0.0.0" in output
    with path.open("a", encoding="utf-8") as file:
        file.write("\n[sandbox]\non_network = 7\n")
    code, output = baoxiu("serve", "--config", str(path), "--host", "0.0.0.0")
    assert code != 0 and "sandbox.on_network" in output


MARKUP = ["3栋[/] 501", "[link=https://evil.example]点这里领红包[/link]", "[bold red]紧急[/]"]
ESCAPES = ["\x1b[2J\x1b[H清屏", "\x1b]0;假窗口标题\x07", "\x1b[8m隐藏的字\x1b[0m", "50\u202e1"]


def _stored(config: Path, location: str, description: str) -> str:
    """A ticket as an older intake let it in, straight through the core: its number."""

    async def open_one() -> str:
        async with open_service(load(config, PLATFORMS)) as service:
            made = draft(location=location, description=description)
            return (await service.open(made, AGENT, Source.API)).ticket.number

    return asyncio.run(open_one())


@pytest.mark.parametrize("text", MARKUP + ESCAPES)
def test_stored_text_reaches_the_terminal_as_text(config: Path, text: str) -> None:
    number = _stored(config, text, f"描述{text}")
    code, listed = baoxiu("tickets", "list", "--config", str(config))
    assert code == 0, listed
    code, shown = baoxiu("tickets", "show", number, "--config", str(config))
    assert code == 0, shown
    for output in (listed, shown):
        assert "\x1b" not in output and "\u202e" not in output and "\x07" not in output
    if text in MARKUP:
        assert text in shown and text[:5] in listed  # the table wraps long cells
    else:
        assert "<U+" in shown


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--location", "3栋\x1b[2J501", "位置含有不可见的控制字符 U+001B"),
        ("--location", "3栋\n501", "位置含有换行 U+000A"),
        ("--description", "漏水\u202e", "问题描述含有不可见的控制字符 U+202E"),
        ("--name", "王\x85五", "姓名含有不可见的控制字符 U+0085"),
    ],
)
def test_control_characters_are_refused_at_the_desk(
    config: Path, option: str, value: str, message: str
) -> None:
    report = {
        "--category": "水电",
        "--location": "5栋",
        "--description": "漏水\n楼下在滴",
        "--name": "王",
        "--phone": "13900001111",
    }
    args = [x for pair in {**report, option: value}.items() for x in pair]
    code, output = baoxiu("tickets", "new", "--config", str(config), *args)
    assert code == 2 and message in output, output
    code, output = baoxiu("tickets", "list", "--config", str(config))
    assert "5栋" not in output


def test_a_control_character_in_a_reason_is_refused(config: Path) -> None:
    number = _stored(config, "3栋2单元501", "漏水")
    c = str(config)
    assert baoxiu("tickets", "act", number, "claim", "--as", "li", "--config", c)[0] == 0
    code, output = baoxiu(
        "tickets", "act", number, "cancel", "--as", "li", "--reason", "重复\x1b[8m", "--config", c
    )
    assert code == 2 and "原因含有不可见的控制字符 U+001B" in output, output


def test_the_desk_extends_pauses_and_calls_the_technician_from_the_terminal(
    config: Path,
) -> None:
    number = _stored(config, "3栋2单元501", "漏水")
    c = ("--config", str(config))
    for action in ("claim", "start"):
        assert baoxiu("tickets", "act", number, action, "--as", "li", *c)[0] == 0
    code, output = baoxiu(
        "tickets", "act", number, "extend", "--as", "chen", "--reason", "供应商明天送货",
        "--minutes", "0", *c,
    )  # fmt: skip
    assert code == 2 and "minutes: 延期分钟数不能小于 1" in output, output
    code, output = baoxiu(
        "tickets", "act", number, "extend", "--as", "chen", "--reason", "供应商明天送货",
        "--minutes", "1440", *c,
    )  # fmt: skip
    assert code == 0 and output.strip() == f"✓ {number} 延期 → 维修中", output
    code, output = baoxiu(
        "tickets", "act", number, "pause", "--as", "li", "--reason", "等阀门",
        "--pause-kind", "later", *c,
    )  # fmt: skip
    assert code == 2 and "pause_kind: 暂停类型只能是 parts、resident、other" in output, output
    code, output = baoxiu(
        "tickets", "act", number, "pause", "--as", "li", "--reason", "等阀门",
        "--pause-kind", "parts", *c,
    )  # fmt: skip
    assert code == 0 and output.strip() == f"✓ {number} 暂停 → 已暂停", output
    code, output = baoxiu("tickets", "act", number, "call_technician", "--as", "lin", *c)
    assert code == 0 and "李师傅，电话 13800000001" in output, output

    async def events() -> list[tuple[str, dict[str, object]]]:
        async with open_service(load(config, PLATFORMS)) as service:
            history = await service.history(number)
        return [(e.kind.value, details_to_json(e.details)) for e in history.events[3:]]

    recorded = asyncio.run(events())
    assert [kind for kind, _ in recorded] == ["extended", "pause", "reveal"]
    assert recorded[0][1]["deadline"] == "complete" and recorded[0][1]["minutes"] == 1440
    assert recorded[1][1] == {"reason": "等阀门", "kind": "parts"}
    assert recorded[2][1] == {"field": "assignee"}


def test_version() -> None:
    code, output = baoxiu("--version")
    assert code == 0 and output.strip() == f"baoxiu {version('baoxiu')}"


def test_doctor_on_the_demo_checks_the_database_the_site_and_the_sandbox(tmp_path: Path) -> None:
    path = tmp_path / "baoxiu.toml"
    assert baoxiu("init", "--demo", "--config", str(path))[0] == 0
    code, output = baoxiu("doctor", "--config", str(path))
    lines = output.splitlines()
    assert code == 1  # residents cannot reach a demo on 127.0.0.1
    assert lines[0].startswith("✗ [site] public_url 是本机地址 http://127.0.0.1:8080")
    assert "make run LAN=1" in lines[0]
    assert lines[1].startswith("✓ 数据库（sqlite+aiosqlite:///") and "结构是最新的" in lines[1]
    assert "✓ 待发送的卡片：0 张" in lines
    assert any(
        line.startswith("✓ 沙盒已开启") and "只在运行 baoxiu 的这台电脑上" in line for line in lines
    )

    public = {"BAOXIU_SITE__PUBLIC_URL": "https://wy.example.cn"}
    result = runner.invoke(app, ["doctor", "--config", str(path)], env=public)
    code, output = result.exit_code, result.output
    assert code == 0 and "✓ 业主通过 https://wy.example.cn 报修和查看进度" in output


def test_doctor_says_when_the_database_is_unreachable(tmp_path: Path) -> None:
    path = tmp_path / "baoxiu.toml"
    assert baoxiu("init", "--demo", "--config", str(path))[0] == 0
    text = path.read_text(encoding="utf-8").replace(
        'url = "sqlite+aiosqlite:///var/baoxiu.db"',
        'url = "postgresql+asyncpg://baoxiu:s3cret@127.0.0.1:1/baoxiu"',
    )
    path.write_text(text, encoding="utf-8")
    code, output = baoxiu("doctor", "--config", str(path))
    assert (
        code == 1 and "数据库（postgresql+asyncpg://baoxiu:***@127.0.0.1:1/baoxiu）连不上" in output
    )
    assert "s3cret" not in output


def test_sla_deadline_prints_what_the_calendar_implies(config: Path) -> None:
    args = ["sla", "deadline", "--urgency", "normal", "--config", str(config)]
    code, output = baoxiu(*args, "--from", "2026-09-30T17:50:00+08:00")
    assert code == 0, output
    assert json.loads(output) == {  # National Day off, its make-up Saturday worked
        "accept": "2026-10-12T10:00:00+08:00",
        "arrive": "2026-10-15T11:30:00+08:00",
        "complete": "2026-10-20T14:30:00+08:00",
    }
    for bad in ("2026-09-30T17:50:00", "国庆前"):
        code, output = baoxiu(*args, "--from", bad)
        assert code == 2 and "写成带时区的时间" in output
    code, output = baoxiu(*args, "--from", "2026-09-30T17:50:00+08:00", "--category", "飞机")
    assert code == 2 and "[sla.categories] 里没有「飞机」" in output


def test_sla_explain_tells_how_a_tickets_deadlines_were_reached(config: Path) -> None:
    async def a_paused_job() -> str:
        settings = load(config, PLATFORMS)
        async with open_service(settings, migrate=True) as service:
            number = (await service.open(draft(), AGENT, Source.API)).ticket.number
            for command in (
                Command(Verb.CLAIM, Actor.member("li")),
                Command(Verb.START, Actor.member("li")),
                Command(
                    Verb.PAUSE, Actor.member("li"), reason="等配件", pause_kind=PauseKind.PARTS
                ),
                Command(Verb.RESUME, Actor.member("li")),
            ):
                await service.act(number, command, Source.API)
            extend = Command(Verb.EXTEND, Actor.member("chen"), minutes=120, reason="业主改约")
            await service.act(number, extend, Source.API)
        return number

    number = asyncio.run(a_paused_job())
    code, output = baoxiu("sla", "explain", number, "--config", str(config))
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == (
        f"{number}：一般，水电，按工作时间计时；"
        "时限：接单 工作时间 24小时、到场 工作时间 48小时、完工 工作时间 72小时"
    )
    said = "\n".join(lines)
    for words in ("登记：接单时限 工作时间 24小时", "接单：到场时限", "开始维修：完工时限"):
        assert words in said
    assert "暂停（等配件）：时钟停止" in said and "继续：时钟停了" in said
    assert "陈班长延期 工作时间 2小时：完工截止改为" in said
    assert lines[-2].startswith("现在计时：完工截止")
    assert lines[-1].endswith("（assignee）") and lines[-1].startswith("下一级提醒：第 1 级")
    code, output = baoxiu("sla", "explain", "BX20200101-0001", "--config", str(config))
    assert code == 1 and "没有这张工单" in output


def test_the_desk_hurries_and_the_technician_moves_the_visit_from_the_terminal(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # one table row per event, nothing wrapped
    c = str(config)
    code, output = baoxiu(
        "tickets", "new", "--config", c, "--category", "水电", "--location", "5栋1单元302",
        "--description", "厨房水龙头滴水", "--name", "王女士", "--phone", "13900001111",
        "--as", "lin",
    )  # fmt: skip
    number = re.search(r"BX\d{8}-\d{4}", output)
    assert code == 0 and number
    n = number.group(0)
    assert baoxiu("tickets", "act", n, "hurry", "--as", "lin", "--config", c)[0] == 0
    code, output = baoxiu("tickets", "act", n, "hurry", "--as", "lin", "--config", c)
    assert code == 1 and "30分钟后可以再催" in output
    assert baoxiu("tickets", "act", n, "claim", "--as", "li", "--config", c)[0] == 0
    visit = (datetime.now(UTC) + timedelta(days=1)).astimezone(ZoneInfo("Asia/Shanghai"))
    at = f"{visit:%Y-%m-%dT%H:%M}+08:00"
    code, output = baoxiu(
        "tickets", "act", n, "reschedule", "--as", "li", "--at", at, "--reason", "业主明天在家",
        "--config", c,
    )  # fmt: skip
    assert code == 0 and output.strip() == f"✓ {n} 改约上门时间 → 已接单"
    code, output = baoxiu("tickets", "show", n, "--config", c)
    assert f"改约上门时间：{visit.month}月{visit.day}日 {visit:%H:%M}" in output, output
    code, output = baoxiu(
        "tickets", "act", n, "reschedule", "--as", "li", "--at", "明天", "--reason", "x",
        "--config", c,
    )  # fmt: skip
    assert code == 2 and "at" in output


def test_a_job_is_completed_with_fees_and_materials_from_the_terminal(config: Path) -> None:
    number = _stored(config, "3栋2单元501", "下水道堵了")
    c = ("--config", str(config))
    for action in ("claim", "start"):
        assert baoxiu("tickets", "act", number, action, "--as", "li", *c)[0] == 0
    code, output = baoxiu(
        "tickets", "act", number, "complete", "--as", "li", "--findings", "存水弯堵塞",
        "--fee", "SD-02:1:250", *c,
    )  # fmt: skip
    assert code == 1 and "只能收 50.00–150.00 元/次" in output, output
    code, output = baoxiu(
        "tickets", "act", number, "complete", "--as", "li", "--findings", "存水弯堵塞",
        "--note", "疏通", "--fee", "SD-02:1:80", "--fee", "SD-01:2",
        "--material", "生料带:1:卷:resident", *c,
    )  # fmt: skip
    assert code == 0 and output.strip() == f"✓ {number} 完工 → 待验收", output
    code, output = baoxiu("tickets", "show", number, *c)
    assert "费用 140.00 元" in output, output


def test_the_desk_confirms_for_the_resident_and_records_a_phone_rating(config: Path) -> None:
    number = _stored(config, "3栋2单元501", "漏水")
    c = ("--config", str(config))
    for action in ("claim", "start", "complete"):
        done = ("--findings", "三通漏水")
        assert baoxiu("tickets", "act", number, action, "--as", "li", *done, *c)[0] == 0
    code, output = baoxiu("tickets", "act", number, "confirm", "--as", "lin", *c)
    assert code != 0 and "工作人员只能代业主确认" in output, output
    code, output = baoxiu(
        "tickets", "act", number, "confirm", "--as", "lin", "--on-behalf", "--agreed", "in_person",
        *c,
    )  # fmt: skip
    assert code == 0 and "已验收" in output, output
    code, output = baoxiu(
        "tickets", "act", number, "rate", "--as", "lin", "--stars", "4/5", *c
    )  # fmt: skip
    assert code == 2 and "请写三个星级" in output, output
    code, output = baoxiu(
        "tickets", "act", number, "rate", "--as", "lin", "--stars", "2/5/5", "--agreed", "phone",
        "--comment", "等太久", *c,
    )  # fmt: skip
    assert code == 0, output
    code, output = baoxiu("tickets", "show", number, *c)
    assert "林客服代业主确认完成" in output and "林客服记录业主评价（电话）" in output, output
    assert "等太久" in output, output


def test_the_desk_records_a_payment_from_the_terminal(config: Path) -> None:
    number = _stored(config, "3栋2单元501", "下水道堵了")
    c = ("--config", str(config))
    for action in ("claim", "start"):
        assert baoxiu("tickets", "act", number, action, "--as", "li", *c)[0] == 0
    done = ("--findings", "存水弯堵塞", "--fee", "SD-02:1:80", "--fee", "SD-01:2")
    assert baoxiu("tickets", "act", number, "complete", "--as", "li", *done, *c)[0] == 0
    code, output = baoxiu("tickets", "act", number, "pay", "--as", "lin", "--method", "card", *c)
    assert code == 2 and "method" in output, output
    code, output = baoxiu("tickets", "act", number, "pay", "--as", "lin", "--method", "wechat", *c)
    assert code == 0 and output.strip() == f"✓ {number} 收费 → 待验收", output
    code, output = baoxiu("tickets", "act", number, "pay", "--as", "lin", "--method", "cash", *c)
    assert code == 1 and "如需更正，请填写更正原因" in output, output
    code, output = baoxiu("tickets", "show", number, *c)
    assert "收费：已收费 140.00 元（微信）" in output, output


def test_a_return_visit_is_recorded_from_the_terminal(config: Path) -> None:
    """A visit due at once (after_days = 0), put on the agents' chat by the core as the
    watcher would; the agent records 问题复发 and hears the new ticket's number."""
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("after_days = 3", "after_days = 0"), encoding="utf-8")
    c = str(config)
    n = _stored(config, "3栋2单元501", "厨房水龙头滴水")
    for action, extra in (
        ("claim", ()),
        ("start", ()),
        ("complete", ("--findings", "阀芯磨损")),
        ("close", ("--reason", "业主电话确认")),
    ):
        actor = "lin" if action == "close" else "li"
        code, output = baoxiu("tickets", "act", n, action, "--as", actor, *extra, "--config", c)
        assert code == 0, output

    def send_visit() -> None:
        async def send() -> None:
            async with open_service(load(config, PLATFORMS)) as service:
                assert await service.send_visit(n) is not None

        asyncio.run(send())

    send_visit()

    def visit(*extra: str) -> tuple[int, str]:
        return baoxiu("tickets", "act", n, "visit", "--as", "lin", *extra, "--config", c)

    code, output = visit("--outcome", "maybe")
    assert code != 0 and "回访结果只能是 resolved、recurred、unreachable" in output
    code, output = visit("--outcome", "recurred", "--note", "又滴水了")
    assert code == 0 and "已记录问题复发，已为业主新建报修单" in output, output
    opened = re.search(r"新工单 (BX\d{8}-\d{4})", output)
    assert opened is not None and opened.group(1) != n
    code, output = visit("--outcome", "resolved")
    assert code == 1 and "已经记录为「问题复发」" in output


def phoned(config: str, location: str) -> str:
    """A leak the desk takes by phone at `location`; its number."""
    code, output = baoxiu(
        "tickets", "new", "--config", config, "--category", "水电", "--location", location,
        "--description", "卫生间漏水", "--name", "王女士", "--phone", "139 0000 1111",
        "--as", "lin",
    )  # fmt: skip
    assert code == 0, output
    found = re.search(r"BX\d{8}-\d{4}", output)
    assert found is not None
    return found.group(0)


def test_a_duplicate_merged_from_the_terminal(config: Path) -> None:
    c = str(config)
    first, second = (phoned(c, location) for location in ("5栋1单元302", "5号楼1单元402"))
    code, output = baoxiu("tickets", "act", second, "merge", "--as", "lin", "--config", c)
    assert code == 0, output
    assert f"{second} 合并 → 已取消" in output
    code, output = baoxiu(
        "tickets", "act", first, "merge", "--as", "lin", "--into", second, "--config", c
    )
    assert code != 0 and f"已合并到{first}" in output
