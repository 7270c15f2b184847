"""Killing the server between commit and delivery loses nothing and doubles nothing."""

import asyncio
from collections import Counter
from pathlib import Path

from baoxiu.config import load
from baoxiu.demo import config_text
from baoxiu.platforms import PLATFORMS
from storage.engine import create_engine
from storage.outbox import DeliveryStore
from storage.sandbox import SandboxStore
from tests.server import serving
from tests.web.conftest import REPORT

REPORTS = [
    {**REPORT, "description": "卫生间水管爆裂"},  # 水电组 + management (emergency)
    {**REPORT, "category": "门窗", "description": "单元门关不上"},  # 土建组 + dispatch desk
    {**REPORT, "category": "电梯", "description": "电梯异响"},  # 电梯组 + the assignee's DM
    {**REPORT, "location": "8栋1单元101", "description": "厨房水龙头滴水"},  # no neighbour's
]
EXPECTED_CHATS = {
    0: ["shuidian", "management"],
    1: ["tujian", "dispatch"],
    2: ["dianti", "dm-liu"],
    3: ["shuidian"],
}


async def sandbox_state(url: str) -> tuple[int, list[tuple[str, str]]]:
    engine = create_engine(url)
    try:
        backlog = await DeliveryStore(engine).backlog()  # first: what it counts is posted
        store = SandboxStore(engine)
        chats = ["shuidian", "tujian", "dianti", "dispatch", "management", "dm-liu", "dm-sun"]
        return backlog, [(c, m.html) for c in chats for m in await store.messages(c)]
    finally:
        await engine.dispose()


def test_pending_cards_are_delivered_once_after_a_crash(tmp_path: Path, db_url: str) -> None:
    config = tmp_path / "baoxiu.toml"
    config.write_text(config_text(demo=True), encoding="utf-8")
    key = load(config, PLATFORMS).api.keys[0].get_secret_value()
    database = {"BAOXIU_DATABASE__URL": db_url}

    with serving(config, key, BAOXIU_DELIVERY__ENABLED="false", **database) as server:
        numbers = [server.request("/api/v1/tickets", body)[1]["number"] for body in REPORTS]
        server.kill()  # committed, not yet delivered
    backlog, posted = asyncio.run(sandbox_state(db_url))
    assert backlog == sum(len(chats) for chats in EXPECTED_CHATS.values()) and posted == []

    with serving(config, key, **database) as server:
        for _ in range(100):
            backlog, posted = asyncio.run(sandbox_state(db_url))
            if backlog == 0:
                break
            asyncio.run(asyncio.sleep(0.1))
        server.kill()
    assert backlog == 0
    seen = Counter((chat, n) for chat, html in posted for n in numbers if n in html)
    expected = {(chat, numbers[i]) for i, chats in EXPECTED_CHATS.items() for chat in chats}
    assert set(seen) == expected and set(seen.values()) == {1}, seen
