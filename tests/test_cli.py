"""The `baoxiu` command line, as a front-desk agent and a technician would use it."""

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from baoxiu.cli import app
from storage.migrate import head

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
    assert (tmp_path / "baoxiu.db").exists()
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
    code, output = baoxiu("tickets", "show", n, "--config", c)
    assert code == 0 and "13900001111" in output
    assert "林客服" in output and "cli" in output and "已接单 → 维修中" in output


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
    "command", [[], ["tickets"], ["tickets", "act"], ["db"], ["serve"], ["init"]]
)
def test_help_explains_each_command(command: list[str]) -> None:
    code, output = baoxiu(*command, "--help")
    assert code == 0 and "Usage" in output and len(output.splitlines()) > 5


def test_the_sandbox_stays_on_this_machine_unless_told(tmp_path: Path) -> None:
    path = tmp_path / "baoxiu.toml"
    assert baoxiu("init", "--demo", "--config", str(path))[0] == 0
    code, output = baoxiu("serve", "--config", str(path), "--host", "0.0.0.0")
    assert code == 2 and "沙盒没有登录" in output and "sandbox_on_network = true" in output
