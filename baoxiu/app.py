"""The aiohttp application factory: one place where the pieces are put together."""

from collections.abc import AsyncIterator

from aiohttp import web

from baoxiu.config import Settings
from baoxiu.wiring import open_service
from integration.web import api, openapi
from integration.web.auth import bearer_auth
from integration.web.errors import error_middleware

MAX_BODY = 1024 * 1024


def create_app(settings: Settings, *, migrate: bool = True) -> web.Application:
    """`migrate=True` (what `baoxiu serve` uses) brings the database schema up to date first."""
    keys = tuple(key.get_secret_value() for key in settings.api.keys)
    app = web.Application(
        middlewares=[error_middleware, bearer_auth(keys)], client_max_size=MAX_BODY
    )

    async def service_ctx(app: web.Application) -> AsyncIterator[None]:
        async with open_service(settings, migrate=migrate) as service:
            app[api.SERVICE] = service
            yield

    app.cleanup_ctx.append(service_ctx)
    api.add_routes(app)
    openapi.add_route(app)
    return app
