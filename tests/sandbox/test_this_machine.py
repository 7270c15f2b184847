"""The sandbox has no login: unless the config says otherwise, only this machine opens it,
however widely the server listens (the resident pages then reach phones on the network)."""

from typing import Any

import pytest
from aiohttp import web

from integration.sandbox import web as sandbox_web
from integration.web.hosts import from_this_machine
from tests.web.peers import request_from


def request(path: str, peer: str) -> web.Request:
    return request_from(peer, path)


@pytest.mark.parametrize(
    ("peer", "here"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("192.0.2.2", True),  # a browser on the server opening its LAN address
        ("192.0.2.77", False),  # a phone on the same Wi-Fi
        ("::ffff:192.0.2.77", False),
    ],
)
def test_this_machine_is_loopback_or_its_own_address(peer: str, here: bool) -> None:
    assert from_this_machine(request("/sandbox", peer)) is here


async def _ok(_: web.Request) -> web.StreamResponse:
    return web.Response(text="ok")


def _guard(this_machine_only: bool) -> list[Any]:
    app = web.Application()
    sandbox_web.add_routes(app, this_machine_only=this_machine_only)
    return list(app.middlewares)


async def test_another_machine_is_refused_the_sandbox_and_told_why() -> None:
    [guard] = _guard(this_machine_only=True)
    with pytest.raises(web.HTTPForbidden) as refused:
        await guard(request("/sandbox/c/shuidian", "192.0.2.77"), _ok)
    assert "只能在运行 baoxiu 的这台电脑上打开" in str(refused.value.text)
    assert "on_network = true" in str(refused.value.text)
    for path in ("/r/new", "/api/v1/tickets", "/sandboxes"):  # everything else is not its
        assert (await guard(request(path, "192.0.2.77"), _ok)).status == 200
    assert (await guard(request("/sandbox", "127.0.0.1"), _ok)).status == 200


def test_a_sandbox_opened_to_the_network_has_no_guard() -> None:
    assert _guard(this_machine_only=False) == []
