"""`baoxiu doctor` on DingTalk: the month's API calls, the credentials, members without ids."""

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from baoxiu.config import Settings
from baoxiu.platforms.base import Finding, without_ids
from baoxiu.platforms.dingtalk.config import LABEL, NAME, USER_ID, DingTalkConfig
from baoxiu.platforms.dingtalk.edge import client, this_month
from integration.outbound.errors import DeliveryError
from storage.usage import UsageStore
from tickets.clock import Clock

WARN_AT = 0.8
"""The share of the month's calls at which doctor warns."""


async def examine(
    settings: Settings, config: DingTalkConfig, engine: AsyncEngine | None, clock: Clock
) -> list[Finding]:
    """`engine` is None when the database cannot be read yet; the month's calls are left out."""
    found = [] if engine is None else [await _usage(settings, config, UsageStore(engine), clock)]
    async with aiohttp.ClientSession() as session:
        try:
            await client(config, session, clock).token()
        except DeliveryError as error:
            hint = "钉钉凭证不可用（检查 [dingtalk] app_key / app_secret）"
            return [*found, Finding(False, f"{hint}：{error}")]
    found.append(Finding(True, f"钉钉凭证有效（{config.app_key}）"))
    return found + without_ids(settings, NAME, LABEL, USER_ID)


async def _usage(
    settings: Settings, config: DingTalkConfig, usage: UsageStore, clock: Clock
) -> Finding:
    """The calls DingTalk counts (integration/dingtalk/client.py says which) against the
    configured quota."""
    calls = await usage.calls(NAME, this_month(clock, settings.site.tz))
    quota = config.monthly_api_calls
    text = f"本月钉钉接口已调用 {calls} 次（每月额度 {quota:,} 次）"
    if calls >= quota * WARN_AT:
        return Finding(
            False,
            text + "：快用完了，用完后卡片发不出去；升级钉钉版本或购买调用量增购包，"
            "再改 [dingtalk] monthly_api_calls",
        )
    return Finding(True, text)
