"""A client that sends its body slowly is cut off, not waited for (the attack held handlers,
and the photos read so far, open for as long as it liked)."""

import asyncio
from collections.abc import AsyncIterator

from aiohttp.test_utils import TestClient, TestServer

from baoxiu.app import create_app
from baoxiu.config import DatabaseConfig, Settings


async def test_a_body_that_never_ends_is_timed_out(db_url: str, demo_settings: Settings) -> None:
    settings = demo_settings.model_copy(update={"database": DatabaseConfig(url=db_url)})

    async def dribble() -> AsyncIterator[bytes]:
        yield b'{"reporter": '
        await asyncio.sleep(30)
        yield b"{}}"

    key = settings.api.keys[0].get_secret_value()
    app = create_app(settings, request_timeout=0.5)
    async with TestClient(TestServer(app)) as client:
        started = asyncio.get_running_loop().time()
        async with client.post(
            "/api/v1/tickets",
            data=dribble(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        ) as response:
            assert response.status == 408 and "超时" in await response.text()
        assert asyncio.get_running_loop().time() - started < 5
