"""`baoxiu serve` as `make run` starts it: a real process that migrates and answers."""

from pathlib import Path

from baoxiu.config import load
from baoxiu.demo import config_text
from baoxiu.platforms import PLATFORMS
from tests.server import serving
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
    assert (tmp_path / "baoxiu.db").exists()
