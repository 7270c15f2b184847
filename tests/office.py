"""The REST API as the platform tests' front desk: report a fault, read a ticket back."""

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

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
        failed = [e for e in events if e["action"] == "delivery_failed"]
        if failed or asyncio.get_running_loop().time() > deadline:
            return failed
        await asyncio.sleep(0.05)
