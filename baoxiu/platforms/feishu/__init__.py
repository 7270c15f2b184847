"""Feishu (Lark) as a platform of baoxiu: on when the config has a `[feishu]` section.

lark-oapi takes about three seconds to import. This package imports only its config (`config`),
so listing it in the registry costs nothing; the edge (`edge`) and the doctor's checks
(`doctor`), which need the SDK, are imported by the hooks below when a site on Feishu first
uses them.
"""

from contextlib import AbstractAsyncContextManager

from aiohttp import web

from baoxiu.config import MemberConfig, Settings
from baoxiu.platforms.base import Checkup, EdgeParts, Finding
from baoxiu.platforms.feishu.config import (
    LABEL,
    NAME,
    OPEN_ID,
    FeishuConfig,
    feishu_config,
    open_id,
)
from integration.delivery.adapter import ChatAdapter
from storage.images import ImageKeys
from storage.outbox import DeliveryStore


class FeishuPlatform:
    name = NAME
    label = LABEL
    section = FeishuConfig
    member_field = OPEN_ID

    def add_routes(self, app: web.Application, settings: Settings) -> None:
        config = feishu_config(settings)
        if config is not None:
            from baoxiu.platforms.feishu import edge

            edge.add_routes(app, config)

    def home(self, settings: Settings) -> str | None:
        return None

    def edge(self, parts: EdgeParts) -> AbstractAsyncContextManager[ChatAdapter] | None:
        if feishu_config(parts.settings) is None:
            return None
        from baoxiu.platforms.feishu.edge import feishu_edge

        return feishu_edge(
            parts.app,
            parts.settings,
            parts.router,
            parts.service,
            parts.photos,
            parts.clock,
            ImageKeys(parts.engine, NAME),
            DeliveryStore(parts.engine),
        )

    def direct_chat(self, settings: Settings, member: MemberConfig) -> str | None:
        return open_id(member) if feishu_config(settings) is not None else None

    async def examine(self, checkup: Checkup) -> list[Finding]:
        config = feishu_config(checkup.settings)
        if config is None:
            return []
        from baoxiu.platforms.feishu.doctor import examine

        return await examine(checkup.settings, config, checkup.clock)


PLATFORM = FeishuPlatform()
