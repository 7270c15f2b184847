"""Webhook callbacks that nobody signed: refused without the verification token, and an
explicit opt-out of encryption is warned about at start and by `baoxiu doctor`."""

import json
import logging
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from baoxiu.app import create_app
from baoxiu.doctor import examine
from baoxiu.platforms.feishu.config import UNSIGNED_WARNING
from tests.fakes.feishu import FakeFeishu
from tests.fakes.feishu_callbacks import card_action
from tests.feishu.company import settings_for, tenant
from tickets.clock import SystemClock


async def test_an_unsigned_callback_needs_the_token_and_the_opt_out_is_warned(
    fake: FakeFeishu, db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(fake, db_url, tmp_path, encrypted=False)
    tenant(fake, settings)
    with caplog.at_level(logging.WARNING):
        async with TestClient(TestServer(create_app(settings))) as client:
            click = card_action({"n": "BX20261201-0001", "v": "cancel", "r": 1})
            for token in ("", "a-guess"):
                click["header"]["token"] = token
                response = await client.post("/callbacks/feishu", data=json.dumps(click))
                assert response.status == 401, await response.text()
    assert UNSIGNED_WARNING in caplog.text
    findings = await examine(settings, SystemClock())
    assert any(not f.ok and f.text == UNSIGNED_WARNING for f in findings)
