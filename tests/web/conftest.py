"""An API client for tests that checks every response against the OpenAPI document."""

import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from jsonschema import Draft202012Validator
from pydantic import SecretStr

from baoxiu.app import create_app
from baoxiu.config import ApiConfig, DatabaseConfig, Settings
from integration.web.openapi import document

KEY = "test-key-0123456789abcdef"
REPORT: dict[str, Any] = {
    "reporter": {"name": "张三", "phone": "13800138000"},
    "location": "3栋2单元501",
    "category": "水电",
    "description": "卫生间水管爆裂",
    "channel": "phone",
}
"""A valid report body; tests change what they need."""
AUTH = {"Authorization": f"Bearer {KEY}"}


class Api:
    """Calls the app; each answer must match the document's schema for its status."""

    def __init__(self, client: TestClient[Any, Any]) -> None:
        self.client = client
        self.doc = document()
        self._paths = [  # a fixed path before a template it fits (export, not a {number})
            (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$"), p)
            for p in sorted(self.doc["paths"], key=lambda p: p.count("{"))
        ]
        self.seen: set[tuple[str, str, int]] = set()

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        raw: str | None = None,
    ) -> tuple[int, Any]:
        kwargs: dict[str, Any] = {"headers": AUTH if headers is None else headers}
        if raw is not None:
            kwargs["data"] = raw
        elif body is not None:
            kwargs["json"] = body
        async with self.client.request(method, path, **kwargs) as response:
            answer = await response.json()
            self._check(method.lower(), path.split("?")[0], response.status, answer)
            return response.status, answer

    async def download(self, path: str) -> tuple[int, str, bytes]:
        """GET a file: its status, media type and bytes. A file must come as a media type the
        document lists for that status; an error, as the JSON the document describes."""
        async with self.client.get(path, headers=AUTH) as response:
            data = await response.read()
            status, media_type = response.status, response.content_type
        if media_type == "application/json":
            self._check("get", path.split("?")[0], status, json.loads(data))
        else:
            content = self._responses("get", path.split("?")[0], status)["content"]
            assert media_type in content, f"{path} answered {media_type}, undocumented"
        return status, media_type, data

    def _responses(self, method: str, path: str, status: int) -> dict[str, Any]:
        template = next((t for rx, t in self._paths if rx.match(path)), None)
        assert template is not None, f"{path} is not in the OpenAPI document"
        responses = self.doc["paths"][template][method]["responses"]
        assert str(status) in responses, f"{method} {template} answered {status}, undocumented"
        self.seen.add((method, template, status))
        return dict(responses[str(status)])

    def _check(self, method: str, path: str, status: int, answer: Any) -> None:
        schema = self._responses(method, path, status)["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**schema, "components": self.doc["components"]})
        validator.validate(answer)

    async def create(self, **overrides: Any) -> dict[str, Any]:
        status, ticket = await self.call("POST", "/api/v1/tickets", {**REPORT, **overrides})
        assert status == 201, ticket
        return dict(ticket)

    async def act(self, number: str, action: str, actor: str, **extra: Any) -> tuple[int, Any]:
        body = {"action": action, "actor": actor, **extra}
        return await self.call("POST", f"/api/v1/tickets/{number}/actions", body)


ApiFor = Callable[[Settings], AbstractAsyncContextManager[Api]]


@pytest.fixture
def api_for(db_url: str) -> ApiFor:
    @asynccontextmanager
    async def open_api(settings: Settings) -> AsyncIterator[Api]:
        settings = settings.model_copy(
            update={
                "database": DatabaseConfig(url=db_url),
                "api": ApiConfig(keys=[SecretStr(KEY)]),
            }
        )
        async with TestClient(TestServer(create_app(settings))) as client:
            yield Api(client)

    return open_api


@pytest.fixture
async def api(api_for: ApiFor, demo_settings: Settings) -> AsyncIterator[Api]:
    async with api_for(demo_settings) as api:
        yield api
