"""Requests as they arrive from a given address, for the checks that read who is asking."""

from collections.abc import Mapping
from typing import Any

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

SERVER = ("192.0.2.2", 8080)


class Transport:
    """A connection as aiohttp's transport describes it: who is on each end."""

    def __init__(self, peer: str, local: tuple[str, int] = SERVER) -> None:
        self._info = {"peername": (peer, 50000), "sockname": local}

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._info.get(name, default)


def request_from(
    peer: str, path: str = "/", headers: Mapping[str, str] | None = None
) -> web.Request:
    return make_mocked_request("GET", path, headers=headers, transport=Transport(peer))
