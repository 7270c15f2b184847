"""Answering only to our own names: the `Host` a request was sent to must be ours.

A page on another site can make a browser send requests to 127.0.0.1 under a name that site
controls (DNS rebinding), and read the answers as its own. The sandbox has no login, and the
resident pages and callbacks need none to be reached, so a request addressed to any name but
the configured public address or this machine's loopback is refused before anything runs.
"""

import ipaddress
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def allowed_hosts(public_url: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The public address's host name, the loopback names, and any `extra` ones."""
    public = urlsplit(public_url).hostname
    return LOOPBACK | {h.lower() for h in extra} | ({public.lower()} if public else set())


def host_guard(allowed: frozenset[str]) -> Middleware:
    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        host = (urlsplit(f"//{request.host}").hostname or "").lower()
        if host not in allowed:
            raise web.HTTPMisdirectedRequest(
                text=f"{request.host} 不是本站的地址，请用配置的 public_url 打开"
            )
        return await handler(request)

    return guard


def from_this_machine(request: web.Request) -> bool:
    """The request came from this machine itself: over loopback (an IPv4-mapped one too), or
    to one of its own addresses from that same address (a browser here opening the LAN URL)."""
    try:
        address = ipaddress.ip_address(request.remote or "")
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    if address.is_loopback or (mapped is not None and mapped.is_loopback):
        return True
    local = request.transport.get_extra_info("sockname") if request.transport else None
    return isinstance(local, tuple) and request.remote == local[0]


def same_origin(request: web.Request) -> bool:
    """A state-changing request made by our own page: JSON (which a page elsewhere cannot
    send without the browser asking first), and, where the browser names the page it came
    from (`Origin`), a page of this host."""
    if request.content_type != "application/json":
        return False
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc.lower() == request.host.lower()
