"""Where `baoxiu serve` listens, and the address people reach it by.

A QR poster or a card's link naming 127.0.0.1 opens nothing on a resident's phone. So while
the config's public address is this machine's loopback (the demo's), the address of a run
follows where the server really listens: its port, and in LAN mode this machine's address on
the local network. A configured public address (a domain behind a reverse proxy) is kept.

The socket is bound before anything else starts, so a taken port is one line of advice, not
a traceback after a URL that never answered.
"""

import errno
import ipaddress
import socket
from urllib.parse import urlsplit

from integration.web.hosts import LOOPBACK

EVERYWHERE = "0.0.0.0"
ROUTE_PROBE = ("192.0.2.1", 9)
"""A documentation address (RFC 5737): connecting a UDP socket to it sends nothing, but makes
the system pick the interface it would route through, whose address is the one to print."""


class CannotListen(Exception):
    """The address cannot be listened on; the message says what to do instead."""


def listen(host: str, port: int) -> socket.socket:
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family)
    except socket.gaierror:
        raise CannotListen(f"不认识的监听地址 {host}：用 IP 地址，如 --host 127.0.0.1") from None
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise CannotListen(
                f"端口 {port} 已被占用：换一个端口，make run PORT={port + 1}"
                f"（或 baoxiu serve --port {port + 1}）"
            ) from None
        raise CannotListen(f"不能在 {host}:{port} 上监听：{error.strerror}") from None


def lan_address() -> str:
    """This machine's address on the local network, as a phone on the same Wi-Fi reaches it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(ROUTE_PROBE)
            address = str(probe.getsockname()[0])
        except OSError:
            address = ""
    if not address or ipaddress.ip_address(address).is_loopback:
        raise CannotListen("找不到本机的局域网地址：连上 Wi-Fi 或网线后再试")
    return address


def on_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOOPBACK


def public_url(configured: str, host: str, port: int) -> str:
    """The address people reach this run by (see the module's docstring)."""
    if not on_loopback(configured):
        return configured
    name = lan_address() if host in (EVERYWHERE, "::") else host
    if ":" in name:
        name = f"[{name}]"
    return f"http://{name}:{port}"
