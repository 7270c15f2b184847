"""Bearer-token authentication for the REST API."""

import hmac

from aiohttp import web
from aiohttp.typedefs import Middleware

from integration.web.errors import Handler, error_response

PUBLIC = frozenset({"/api/v1/openapi.json"})
PROTECTED_PREFIX = "/api/"


def bearer_auth(keys: tuple[str, ...]) -> Middleware:
    encoded = [key.encode() for key in keys]

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(PROTECTED_PREFIX) or request.path in PUBLIC:
            return await handler(request)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if not encoded:
            message = "还没有配置 API 密钥：请在配置文件的 [api] keys 里添加"
        elif scheme.lower() != "bearer" or not token:
            message = "请带上请求头 Authorization: Bearer <API 密钥>"
        elif any(hmac.compare_digest(token.encode(), key) for key in encoded):
            return await handler(request)
        else:
            message = "API 密钥不正确"
        response = error_response(401, "unauthorized", message)
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    return middleware
