"""`baoxiu serve` as `make run` starts it: a real process that migrates and answers."""

import socket
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from baoxiu.config import load
from baoxiu.demo import config_text
from baoxiu.listening import lan_address
from baoxiu.platforms import PLATFORMS
from tests.server import serving
from tests.test_cli import baoxiu
from tests.web.conftest import REPORT


def test_serve_migrates_a_new_database_and_takes_reports(tmp_path: Path) -> None:
    path = tmp_path / "baoxiu.toml"
    path.write_text(config_text(demo=True), encoding="utf-8")  # no database yet
    key = load(path, PLATFORMS).api.keys[0].get_secret_value()
    with serving(path, key) as server:
        report = {**REPORT, "location": "1栋大堂", "category": "电梯", "description": "电梯困人"}
        status, ticket = server.request("/api/v1/tickets", report)
        assert status == 201 and ticket["urgency"] == "emergency"
        assert ticket["assignee"] is not None  # 电梯组 is round-robin
    assert (tmp_path / "var" / "baoxiu.db").exists()


def test_a_taken_port_is_one_line_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "baoxiu.toml"
    path.write_text(config_text(demo=True), encoding="utf-8")
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, output = baoxiu("serve", "--config", str(path), "--port", str(port))
    assert code == 2
    assert output.strip().splitlines() == [
        f"✗ 端口 {port} 已被占用：换一个端口，make run PORT={port + 1}"
        f"（或 baoxiu serve --port {port + 1}）"
    ]
    assert not (tmp_path / "var").exists()  # nothing started


def test_on_the_lan_phones_get_this_machine_s_address_and_the_sandbox_stays_here(
    tmp_path: Path,
) -> None:
    path = tmp_path / "baoxiu.toml"
    path.write_text(config_text(demo=True), encoding="utf-8")
    key = load(path, PLATFORMS).api.keys[0].get_secret_value()
    with serving(path, key, "--lan") as server:
        assert server.request("/api/v1/tickets", REPORT)[0] == 201
        with urllib.request.urlopen(server.base + "/sandbox/c/shuidian", timeout=10) as page:
            assert page.status == 200  # 127.0.0.1 is this machine
    lan = f"http://{lan_address()}:{urlsplit(server.base).port}"
    printed = server.output()
    assert f"· {lan}\n" in printed and f"同一网络的手机打开报修页：{lan}/r/new" in printed
    assert "REST API 对网络开放" in printed and "沙盒对网络开放" not in printed


def test_the_sandbox_is_opened_to_the_network_only_knowingly(tmp_path: Path) -> None:
    path = tmp_path / "baoxiu.toml"
    path.write_text(config_text(demo=True) + "\n[sandbox]\non_network = true\n", "utf-8")
    key = load(path, PLATFORMS).api.keys[0].get_secret_value()
    with serving(path, key, "--host", "0.0.0.0") as server:
        pass
    assert "⚠ 沙盒对网络开放（[sandbox] on_network = true）" in server.output()
