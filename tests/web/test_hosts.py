"""A request addressed to a name that is not ours is refused before anything runs (the attack:
a page elsewhere rebinding its own name to 127.0.0.1 to read the sandbox, which has no login)."""

from aiohttp.test_utils import TestClient, TestServer

from baoxiu.app import create_app
from baoxiu.config import DatabaseConfig, Settings


async def test_only_our_own_names_are_answered(db_url: str, demo_settings: Settings) -> None:
    site = demo_settings.site.model_copy(update={"public_url": "https://baoxiu.example.com"})
    settings = demo_settings.model_copy(
        update={"database": DatabaseConfig(url=db_url), "site": site}
    )
    async with TestClient(TestServer(create_app(settings))) as client:
        for host, status in (
            ("attacker.example", 421),
            ("127.0.0.1.attacker.example:8080", 421),
            ("baoxiu.example.com", 200),
            ("BAOXIU.example.com:443", 200),
            ("localhost:8080", 200),
            ("[::1]:8080", 200),
        ):
            async with client.get("/sandbox", headers={"Host": host}) as response:
                assert response.status == status, host
                if status == 421:
                    assert "不是本站" in await response.text()
