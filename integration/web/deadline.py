"""A request with a body has a deadline: a client that sends it slowly does not hold a handler
(and the photos it has sent so far) for ever. Requests without one (pages, the sandbox's
event streams, which are meant to stay open) are left alone."""

import asyncio

from aiohttp import web
from aiohttp.typedefs import Middleware

from integration.web.errors import Handler

REQUEST_S = 120.0
"""Long enough for four 5 MB photos from a phone on a slow connection."""


def deadline(seconds: float = REQUEST_S) -> Middleware:
    @web.middleware
    async def within(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.body_exists:
            return await handler(request)
        try:
            async with asyncio.timeout(seconds):
                return await handler(request)
        except TimeoutError:
            raise web.HTTPRequestTimeout(text="请求太慢，已超时，请重试") from None

    return within
