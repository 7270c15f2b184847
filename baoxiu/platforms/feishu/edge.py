"""Putting the Feishu edge together from settings: client, adapter, callbacks and the robot,
transport."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web

from baoxiu.config import Settings
from baoxiu.platforms.base import reporters, team_categories
from baoxiu.platforms.feishu.config import (
    NAME,
    OPEN_ID,
    UNSIGNED_WARNING,
    FeishuConfig,
    feishu_config,
    open_id,
    unsigned,
)
from integration.clicks import ClickRouter
from integration.feishu import webhook
from integration.feishu.adapter import FeishuAdapter
from integration.feishu.client import FeishuClient
from integration.feishu.longconn import LongConnection
from integration.feishu.parse import FeishuPeople
from integration.feishu.robot import FeishuRobot
from integration.intake import Pace
from integration.supervisor import supervised
from integration.web.photos import PhotoStore
from storage.images import ImageKeys
from storage.outbox import DeliveryStore
from tickets.clock import Clock
from tickets.service import TicketService

log = logging.getLogger(__name__)


def people(settings: Settings) -> FeishuPeople:
    chats = {chat_id: audience for audience, chat_id in settings.groups(NAME)}
    members = {oid: m.id for m in settings.members if (oid := open_id(m))}
    return FeishuPeople(members=members, chats=chats)


def client(config: FeishuConfig, session: aiohttp.ClientSession, clock: Clock) -> FeishuClient:
    return FeishuClient(
        config.app_id, config.app_secret.get_secret_value(), config.base_url, session, clock
    )


def add_routes(app: web.Application, config: FeishuConfig) -> None:
    if config.mode == "webhook":
        webhook.add_routes(app)


@asynccontextmanager
async def feishu_edge(
    app: web.Application,
    settings: Settings,
    router: ClickRouter,
    service: TicketService,
    photos: PhotoStore,
    clock: Clock,
    image_keys: ImageKeys,
    deliveries: DeliveryStore,
) -> AsyncIterator[FeishuAdapter]:
    """The adapter cards go out through, and clicks and messages coming in by either
    transport."""
    config = feishu_config(settings)
    assert config is not None
    if unsigned(config):
        log.warning(UNSIGNED_WARNING)
    async with aiohttp.ClientSession() as session:
        outbound = client(config, session, clock)
        adapter = FeishuAdapter(outbound, photos.path, image_keys)
        senders, categories = reporters(settings, OPEN_ID), team_categories(settings, NAME)
        pace = Pace(clock, settings.site.hotline)
        robot = FeishuRobot(service, outbound, photos, senders, categories, pace, deliveries)
        callbacks = webhook.FeishuCallbacks(
            router=router,
            adapter=adapter,
            people=people(settings),
            robot=robot,
            encrypt_key=config.encrypt_key.get_secret_value() if config.encrypt_key else None,
            verification_token=(
                config.verification_token.get_secret_value() if config.verification_token else None
            ),
            deadline=config.answer_deadline_s,
            clock=clock,
        )
        app[webhook.FEISHU] = callbacks
        try:
            if config.mode != "websocket":
                yield adapter
                return
            secret = config.app_secret.get_secret_value()
            connection = LongConnection(config.app_id, secret, config.base_url, callbacks)
            async with supervised({"the Feishu long connection": connection.run}):
                yield adapter
        finally:
            await robot.close()
