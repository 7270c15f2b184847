"""Behind a reverse proxy, the client is who the proxy says, and only the site's own proxies
are believed."""

import ipaddress

import pytest
from aiohttp import web

from integration.web.proxies import Network, client_address
from tests.web.peers import request_from

PROXIES: list[Network] = [ipaddress.ip_network("127.0.0.1"), ipaddress.ip_network("10.0.0.0/8")]


async def seen(peer: str, forwarded: str | None, trusted: list[Network]) -> str:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text=request.remote or "")

    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    response = await client_address(trusted)(request_from(peer, "/r/new", headers), handler)
    assert isinstance(response, web.Response)
    return str(response.text)


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("127.0.0.1", "198.51.100.7", "198.51.100.7"),  # nginx on this machine
        ("10.1.2.3", "198.51.100.7, 10.9.9.9", "198.51.100.7"),  # two proxies of ours
        ("127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # 6.6.6.6: the client's forgery
        ("198.51.100.7", "1.2.3.4", "198.51.100.7"),  # not through a proxy: the header is a lie
        ("127.0.0.1", None, "127.0.0.1"),  # a check made on the machine itself
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("127.0.0.1", "10.0.0.1", "127.0.0.1"),  # every hop is ours: the proxy it came from
    ],
)
async def test_the_client_is_the_first_address_no_proxy_of_ours_wrote(
    peer: str, forwarded: str | None, client: str
) -> None:
    assert await seen(peer, forwarded, PROXIES) == client


async def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert await seen("127.0.0.1", "198.51.100.7", []) == "127.0.0.1"
