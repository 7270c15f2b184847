"""The REST API as the platform tests' front desk: report a fault, read a ticket back."""

import asyncio
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from baoxiu.config import Settings, settings_model
from baoxiu.platforms import PLATFORMS
from baoxiu.platforms.base import Platform
from storage.engine import create_engine
from storage.outbox import DeliveryStore

KEY = "platform-test-api-key-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}


async def report(client: TestClient[Any, Any], category: str, description: str) -> str:
    """Register a resident's phone report; returns its number."""
    body = {
        "reporter": {"name": "张三", "phone": "13800138000"},
        "location": "3栋2单元501",
        "category": category,
        "description": description,
        "channel": "phone",
    }
    response = await client.post("/api/v1/tickets", json=body, headers=AUTH)
    assert response.status == 201, await response.text()
    return str((await response.json())["number"])


async def ticket(client: TestClient[Any, Any], number: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/tickets/{number}", headers=AUTH)
    assert response.status == 200
    return dict(await response.json())


async def delivery_failures(
    client: TestClient[Any, Any], number: str, timeout: float = 10.0
) -> list[dict[str, Any]]:
    """The 卡片发送失败 events on the ticket's timeline, once there is one."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        events = (await ticket(client, number))["events"]
        failed = [e for e in events if e["kind"] == "delivery_failed"]
        if failed or asyncio.get_running_loop().time() > deadline:
            return failed
        await asyncio.sleep(0.05)


async def settled(db_url: str, timeout: float = 10.0) -> None:
    """Until the outbox has nothing left to send, held-back rows included."""
    engine = create_engine(db_url)
    try:
        store = DeliveryStore(engine)
        deadline = asyncio.get_running_loop().time() + timeout
        while await store.backlog():
            assert asyncio.get_running_loop().time() < deadline, "the outbox did not settle"
            await asyncio.sleep(0.05)
    finally:
        await engine.dispose()


TEAMS = [
    ("shuidian", "水电组", ["水电", "燃气"], "claim"),
    ("tujian", "土建组", ["门窗", "土建"], "assign"),
    ("dianti", "电梯组", ["电梯"], "claim"),
    ("guolu", "锅炉组", ["供暖"], "claim"),
]
"""Four teams: 水电组 claims its tickets, 土建组 is dispatched by the supervisor."""


def technician(i: int) -> str:
    return f"t{i:02d}"


def company_settings(
    platform: Platform,
    section: Mapping[str, Any],
    chats: Mapping[str, str],
    ids: Callable[[str], str],
    technicians: int,
    db_url: str,
    data_dir: Path,
) -> Settings:
    """阳光花园物业 on one platform: `chats` maps each team, `supervisors` and `management`
    to its group; `ids` gives a member's id on the platform; `section` is the platform's
    config section. 水电组 has `technicians` 师傅 t01, t02, …"""
    crew = [(technician(i), f"师傅{i:02d}") for i in range(1, technicians + 1)]
    members: list[dict[str, Any]] = [
        {"id": id_, "name": name, "roles": ["technician"], "teams": ["shuidian"]}
        for id_, name in crew
    ]
    members += [
        {"id": "zhang", "name": "张师傅", "roles": ["technician"], "teams": ["tujian"]},
        {"id": "liu", "name": "刘师傅", "roles": ["technician"], "teams": ["dianti"]},
        {"id": "gao", "name": "高师傅", "roles": ["technician"], "teams": ["guolu"]},
        {"id": "chen", "name": "陈班长", "roles": ["supervisor"], "teams": [t[0] for t in TEAMS]},
        {"id": "zhou", "name": "周经理", "roles": ["manager"]},
        {"id": "lin", "name": "林客服", "roles": ["agent"]},
    ]
    assert platform.member_field is not None
    for member in members:
        member[platform.member_field] = ids(member["id"])
    values: dict[str, Any] = dict(
        site={
            "name": "阳光花园物业",
            "public_url": "https://baoxiu.example.com",
            "data_dir": str(data_dir),
        },
        database={"url": db_url},
        api={"keys": [KEY]},
        delivery={"poll_interval_s": 0.2},
        teams=[
            {
                "id": team,
                "name": name,
                "categories": categories,
                "dispatch": dispatch,
                "chats": [{"platform": platform.name, "chat_id": chats[team]}],
            }
            for team, name, categories, dispatch in TEAMS
        ],
        chats={
            "supervisors": [{"platform": platform.name, "chat_id": chats["supervisors"]}],
            "management": [{"platform": platform.name, "chat_id": chats["management"]}],
        },
        members=members,
    )
    values[platform.name] = dict(section)
    return settings_model(PLATFORMS)(**values)
