"""`baoxiu serve` as `make run` starts it: a real process that migrates and answers."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from baoxiu.config import load
from baoxiu.demo import config_text
from tests.web.conftest import REPORT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(url: str, key: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers), timeout=5) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_serve_migrates_a_new_database_and_takes_reports(tmp_path: Path) -> None:
    path = tmp_path / "baoxiu.toml"
    path.write_text(config_text(demo=True), encoding="utf-8")  # no database yet
    key = load(path).api.keys[0].get_secret_value()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOXIU_")}
    server = subprocess.Popen(
        [sys.executable, "-m", "baoxiu", "serve", "--config", str(path), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = request(f"{base}/healthz", key)
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stdout and server.stdout.read()
                assert time.monotonic() < deadline, "server did not start within 30 s"
                time.sleep(0.1)
        assert (status, body) == (200, {"status": "ok"})
        report = {**REPORT, "location": "1栋大堂", "category": "电梯", "description": "电梯困人"}
        status, ticket = request(f"{base}/api/v1/tickets", key, report)
        assert status == 201 and ticket["urgency"] == "emergency"
        assert ticket["assignee"] is not None  # 电梯组 is round-robin
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert (tmp_path / "baoxiu.db").exists()
