"""DingTalk as a platform of baoxiu: on when the config has a `[dingtalk]` section.

Laid out like Feishu: this package imports only its config (`config`); the edge (`edge`) and
the doctor's checks (`doctor`) are imported by the hooks below when a site on DingTalk first
uses them, so that every platform in the registry costs the same nothing to list.
"""

from contextlib import AbstractAsyncContextManager

from aiohttp import web

from baoxiu.config import MemberConfig, Settings
from baoxiu.platforms.base import Checkup, EdgeParts, Finding
from baoxiu.platforms.dingtalk.config import (
    LABEL,
    NAME,
    USER_ID,
    DingTalkConfig,
    dingtalk_config,
    user_id,
)
from integration.delivery.adapter import ChatAdapter
from storage.inbound import SeenOnce
from storage.usage import UsageStore


class DingTalkPlatform:
    name = NAME
    label = LABEL
    section = DingTalkConfig
    member_field = USER_ID

    def add_routes(self, app: web.Application, settings: Settings) -> None:
        config = dingtalk_config(settings)
        if config is not None:
            from baoxiu.platforms.dingtalk import edge

            edge.add_routes(app, config)

    def home(self, settings: Settings) -> str | None:
        return None

    def edge(self, parts: EdgeParts) -> AbstractAsyncContextManager[ChatAdapter] | None:
        if dingtalk_config(parts.settings) is None:
            return None
        from baoxiu.platforms.dingtalk.edge import dingtalk_edge

        usage, seen = UsageStore(parts.engine), SeenOnce(parts.engine)
        return dingtalk_edge(
            parts.app, parts.settings, parts.router, parts.service, usage, seen, parts.clock
        )

    def direct_chat(self, settings: Settings, member: MemberConfig) -> str | None:
        return user_id(member) if dingtalk_config(settings) is not None else None

    async def examine(self, checkup: Checkup) -> list[Finding]:
        config = dingtalk_config(checkup.settings)
        if config is None:
            return []
        from baoxiu.platforms.dingtalk.doctor import examine

        return await examine(checkup.settings, config, checkup.engine, checkup.clock)


PLATFORM = DingTalkPlatform()
