"""The aiohttp application factory: one place where the pieces are put together."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import time

from aiohttp import web

from baoxiu.config import Settings
from baoxiu.platforms import PLATFORMS
from baoxiu.platforms.base import EdgeParts
from baoxiu.wiring import build_service, card_context
from integration.clicks import ClickRouter
from integration.delivery.adapter import ChatAdapter
from integration.delivery.worker import DeliveryWorker
from integration.web import (
    api,
    completion_page,
    exports,
    fee_page,
    openapi,
    resident,
    work_order,
)
from integration.web.auth import bearer_auth
from integration.web.deadline import REQUEST_S, deadline
from integration.web.errors import error_middleware
from integration.web.hosts import allowed_hosts, host_guard
from integration.web.photos import PhotoStore
from integration.web.proxies import client_address
from integration.web.ratelimit import ReportLimiter
from jobs.auto_close import AutoClose
from jobs.digest import DailyDigest
from jobs.sla_watch import SlaWatch
from jobs.visits import VisitWatch
from jobs.watch import at_time, watching
from jobs.weekly import WeeklySummary, summary_maker
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.outbox import DeliveryStore
from tickets.clock import Clock, SystemClock

MAX_BODY = 1024 * 1024
REPORT_FORM = "/r/new"
"""Where `/` leads when no platform has a page of its own."""

WORKER = web.AppKey("delivery_worker", DeliveryWorker)


def create_app(
    settings: Settings,
    *,
    migrate: bool = True,
    clock: Clock | None = None,
    request_timeout: float = REQUEST_S,
) -> web.Application:
    """`migrate=True` (what `baoxiu serve` uses) brings the database schema up to date first.
    `clock` is the one clock every part reads (a test's fake one; the system's otherwise);
    `request_timeout` the seconds a request (body included) may take."""
    clock = clock or SystemClock()
    keys = tuple(key.get_secret_value() for key in settings.api.keys)
    hosts = host_guard(allowed_hosts(settings.site.public_url))
    proxies = client_address(settings.site.trusted_proxies)
    app = web.Application(
        middlewares=[
            proxies,
            hosts,
            deadline(request_timeout),
            error_middleware,
            bearer_auth(keys),
        ],
        client_max_size=MAX_BODY,
    )
    photos = PhotoStore(settings.site.data_dir / "photos")
    app.cleanup_ctx.append(_runtime(settings, photos, migrate, clock))
    exports.add_routes(app)  # before the API's /api/v1/tickets/{number}, which "export" fits
    api.add_routes(app)
    openapi.add_route(app)
    resident.add_routes(
        app,
        resident.Resident(
            site_name=settings.site.name,
            hotline=settings.site.hotline,
            tz=settings.site.tz,
            categories=tuple(c for team in settings.teams for c in team.categories),
            photos=photos,
            clock=clock,
            limiter=ReportLimiter(clock),
        ),
    )
    fee_page.add_routes(app, settings.fee_schedule())
    completion_page.add_routes(app)
    work_order.add_routes(app)
    for platform in PLATFORMS:
        platform.add_routes(app, settings)
    home = next((page for p in PLATFORMS if (page := p.home(settings))), REPORT_FORM)
    app.router.add_get("/", _redirect(home))
    return app


def _redirect(location: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def redirect(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(location)

    return redirect


def _runtime(
    settings: Settings, photos: PhotoStore, migrate: bool, clock: Clock
) -> Callable[[web.Application], AsyncIterator[None]]:
    """Database, photo decoders, service, chat platforms, the delivery worker and the
    watchers (SLA, return visits) for the life of the app."""

    async def runtime(app: web.Application) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            engine = create_engine(settings.database.url)
            stack.push_async_callback(engine.dispose)
            stack.enter_context(photos.decoding())
            if migrate:
                await upgrade(engine)
            wakeup = asyncio.Event()
            service = build_service(settings, engine, clock, on_commit=wakeup.set)
            cards = card_context(settings, clock)
            deliveries = DeliveryStore(engine)
            router = ClickRouter(service, cards, deliveries, clock)
            parts = EdgeParts(
                app=app,
                settings=settings,
                engine=engine,
                service=service,
                router=router,
                clock=clock,
                photos=photos,
            )
            adapters: dict[str, ChatAdapter] = {}
            for platform in PLATFORMS:
                edge = platform.edge(parts)
                if edge is not None:
                    adapters[platform.name] = await stack.enter_async_context(edge)
            worker = DeliveryWorker(
                deliveries,
                service,
                cards,
                adapters,
                wakeup,
                clock,
                poll_interval=settings.delivery.poll_interval_s,
            )
            app[api.SERVICE] = service
            app[WORKER] = worker
            if settings.delivery.enabled:
                await stack.enter_async_context(worker.running())
            watches = {
                "sla_watch": SlaWatch(service),
                "auto_close": AutoClose(service),
                "visit_watch": VisitWatch(service),
            }
            scheduler = await stack.enter_async_context(
                watching(watches, settings.sla.check_seconds)
            )
            reports = settings.reports
            weekly_at = time.fromisoformat(reports.weekly_time)
            make = summary_maker(service, photos)
            weekly = WeeklySummary(service, make, reports.weekly_day, weekly_at, clock, photos)
            at_time(scheduler, "weekly", weekly.run_once, weekly_at, service.tz, reports.weekly_day)
            for team in settings.teams:
                if team.digest is not None:
                    at = time.fromisoformat(team.digest)
                    run = DailyDigest(service, team.id, at, clock)
                    at_time(scheduler, f"digest_{team.id}", run.run_once, at, service.tz)
            yield

    return runtime
