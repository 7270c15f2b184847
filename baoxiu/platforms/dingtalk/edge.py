"""Putting the DingTalk edge together from settings: client, adapter, clicks by either
transport (Stream, or HTTP callbacks registered at start-up)."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import tzinfo
from typing import Any

import aiohttp
from aiohttp import web

from baoxiu.config import Settings
from baoxiu.platforms.base import reporters, team_categories
from baoxiu.platforms.dingtalk.config import NAME, USER_ID, DingTalkConfig, dingtalk_config, user_id
from integration.clicks import ClickRouter
from integration.dingtalk import http
from integration.dingtalk.adapter import DingTalkAdapter
from integration.dingtalk.callbacks import DingTalkCallbacks, OutsideCallbacks, answer
from integration.dingtalk.client import DingTalkClient
from integration.dingtalk.parse import DingTalkPeople
from integration.dingtalk.robot import RobotIntake, on_message
from integration.dingtalk.stream import CARD_CALLBACK, ROBOT_MESSAGE, Reply, StreamClient
from integration.intake import Pace
from integration.outbound.errors import DeliveryError
from integration.outbound.keys import chat_digest
from integration.supervisor import supervise, supervised
from storage.inbound import SeenOnce
from storage.usage import UsageStore
from tickets.audience import Audience
from tickets.clock import Clock
from tickets.service import TicketService

log = logging.getLogger(__name__)

COUNT_EVERY_S = 30.0


def client(config: DingTalkConfig, session: aiohttp.ClientSession, clock: Clock) -> DingTalkClient:
    return DingTalkClient(
        config.app_key,
        config.app_secret.get_secret_value(),
        config.robot_code,
        config.base_url,
        session,
        clock,
    )


def callback(config: DingTalkConfig) -> dict[str, str]:
    """How DingTalk is told to bring a card's clicks back."""
    if config.mode == "http":
        assert config.callback_route_key is not None  # the config checks this
        return {"callbackType": "HTTP", "callbackRouteKey": config.callback_route_key}
    return {"callbackType": "STREAM"}


def chats(settings: Settings) -> dict[str, tuple[Audience, str | None]]:
    """Every DingTalk chat a card can be in, by digest: whom a card there shows."""
    found: dict[str, tuple[Audience, str | None]] = {
        chat_digest(NAME, chat_id): (audience, None) for audience, chat_id in settings.groups(NAME)
    }
    for member in settings.members:
        if uid := user_id(member):
            found[chat_digest(NAME, uid)] = (Audience.DIRECT, member.id)
    return found


def robot_intake(
    settings: Settings, service: TicketService, client: DingTalkClient, clock: Clock
) -> RobotIntake:
    """Who may report by @-mentioning the robot, which category each group takes, and how
    fast."""
    senders = reporters(settings, USER_ID)
    categories = team_categories(settings, NAME)
    pace = Pace(clock, settings.site.hotline)
    return RobotIntake(service, client, senders, categories, pace)


def add_routes(app: web.Application, config: DingTalkConfig) -> None:
    if config.mode == "http":
        http.add_routes(app)


def this_month(clock: Clock, tz: tzinfo) -> str:
    """The month DingTalk's quota counts, in the site's time zone (China's for DingTalk)."""
    return f"{clock.now().astimezone(tz):%Y-%m}"


@asynccontextmanager
async def counting(
    client: DingTalkClient, usage: UsageStore, clock: Clock, tz: tzinfo
) -> AsyncIterator[None]:
    """Add the client's calls to the month's count every so often, and once more at the end.

    Stopped by an event rather than cancelled, so that no count is cut off mid-write."""
    stop = asyncio.Event()

    async def flush() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), COUNT_EVERY_S)
            try:
                await usage.add(NAME, this_month(clock, tz), client.take_calls())
            except Exception:
                log.exception("could not record DingTalk API calls")

    task = asyncio.create_task(supervise("the DingTalk call count", flush))
    try:
        yield
    finally:
        stop.set()
        await task


@asynccontextmanager
async def dingtalk_edge(
    app: web.Application,
    settings: Settings,
    router: ClickRouter,
    service: TicketService,
    usage: UsageStore,
    seen: SeenOnce,
    clock: Clock,
) -> AsyncIterator[OutsideCallbacks]:
    """The adapter cards go out through, and clicks and robot messages coming in by either
    transport."""
    config = dingtalk_config(settings)
    assert config is not None

    async with contextlib.AsyncExitStack() as stack:
        session = await stack.enter_async_context(aiohttp.ClientSession())
        outbound = client(config, session, clock)
        adapter = DingTalkAdapter(
            outbound, config.card_template_id, callback(config), settings.site.public_url
        )
        members = {uid: m.id for m in settings.members if (uid := user_id(m))}
        people = DingTalkPeople(members=members, chats=chats(settings))
        callbacks = DingTalkCallbacks(router, adapter, people, config.answer_deadline_s)
        intake = robot_intake(settings, service, outbound, clock)
        await stack.enter_async_context(counting(outbound, usage, clock, settings.site.tz))
        if config.mode == "http":
            assert config.api_secret is not None and config.callback_route_key is not None
            secret = config.api_secret.get_secret_value()
            app_secret = config.app_secret.get_secret_value()
            app[http.DINGTALK] = http.HttpCallbacks(
                callbacks, secret, intake, app_secret, clock, seen
            )
            url = settings.site.public_url.rstrip("/") + http.ROUTE
            try:
                await outbound.register_callback(url, secret, config.callback_route_key)
            except DeliveryError as error:  # cards still go out; `baoxiu doctor` says more
                log.error("could not register the DingTalk callback URL %s: %s", url, error)
            yield OutsideCallbacks(adapter, router)
            return

        async def on_click(data: Mapping[str, Any], message_id: str) -> Reply:
            reply, clicked = await answer(callbacks, data, message_id)
            return Reply(reply, lambda: router.answer_sent(clicked))

        async def on_robot(data: Mapping[str, Any], message_id: str) -> Reply:
            return Reply(await on_message(intake, data, message_id))

        stream = StreamClient(
            config.app_key,
            config.app_secret.get_secret_value(),
            config.base_url,
            session,
            {CARD_CALLBACK: on_click, ROBOT_MESSAGE: on_robot},
        )
        async with supervised({"the DingTalk Stream connection": stream.run}):
            yield OutsideCallbacks(adapter, router)
