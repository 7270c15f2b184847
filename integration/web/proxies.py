"""Who is asking, behind a reverse proxy: the client's address from `X-Forwarded-For`, believed
only when the request comes from a proxy the site names (`[site] trusted_proxies`).

Behind nginx every resident arrives from the proxy's address, so the report limit would count
them all as one. The header is easy to forge, so it is read only from a trusted peer, right to
left, skipping the site's own proxies (nginx's `real_ip_recursive`): the first address no proxy
of ours wrote is the client. aiohttp-remotes' `XForwardedFiltered` believes the header from
anyone, and its `XForwardedStrict` refuses every request whose hop count differs from the
configured chain (a health check made on the machine itself), so neither fits.
"""

import ipaddress
from collections.abc import Sequence

from aiohttp import web
from aiohttp.typedefs import Middleware

from integration.web.hosts import Handler

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(trusted: Sequence[Network]) -> Middleware:
    def ours(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return False
        return any(ip in network for network in trusted)

    @web.middleware
    async def real_client(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.remote or not ours(request.remote):
            return await handler(request)
        chain = [
            a.strip() for h in request.headers.getall("X-Forwarded-For", []) for a in h.split(",")
        ]
        for address in reversed(chain):
            if not ours(address):
                try:
                    client = str(ipaddress.ip_address(address))
                except ValueError:
                    break  # not an address: keep the proxy's, as if no header had come
                return await handler(request.clone(remote=client))
        return await handler(request)

    return real_client
