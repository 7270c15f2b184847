"""`baoxiu doctor` on Feishu: the credentials, the bot in every group, every open_id."""

from collections.abc import Awaitable

import aiohttp

from baoxiu.config import Settings
from baoxiu.platforms.base import Finding, without_ids
from baoxiu.platforms.feishu.config import (
    LABEL,
    NAME,
    OPEN_ID,
    UNSIGNED_WARNING,
    FeishuConfig,
    open_id,
    unsigned,
)
from baoxiu.platforms.feishu.edge import client
from integration.feishu.client import FeishuClient
from integration.outbound.errors import DeliveryError
from tickets.clock import Clock


async def examine(settings: Settings, config: FeishuConfig, clock: Clock) -> list[Finding]:
    async with aiohttp.ClientSession() as session:
        feishu = client(config, session, clock)
        try:
            await feishu.token()
        except DeliveryError as error:
            return [Finding(False, f"飞书凭证不可用（检查 [feishu] app_id / app_secret）：{error}")]
        found = [Finding(True, f"飞书凭证有效（{config.app_id}）")]
        if unsigned(config):
            found.append(Finding(False, UNSIGNED_WARNING))
        for chat in (c for c in settings.all_chats() if c.platform == NAME):
            found.append(await _chat(feishu, chat.chat_id))
        found += without_ids(settings, NAME, LABEL, OPEN_ID)
        for member in settings.members:
            if member_open_id := open_id(member):
                found.append(
                    await _check(
                        feishu.user_name(member_open_id),
                        f"{member.name}的 feishu_open_id 对应飞书用户",
                        f"{member.name}的 feishu_open_id 找不到：请核对，或给应用开通通讯录权限",
                    )
                )
    return found


async def _chat(feishu: FeishuClient, chat_id: str) -> Finding:
    """Feishu names a chat the bot is not in as well: membership is asked on its own."""
    bad = f"群 {chat_id}：请把报修助手机器人加入这个群，并确认 chat_id 正确"
    try:
        inside = await feishu.bot_in_chat(chat_id)
        name = await feishu.chat_name(chat_id)
    except DeliveryError as error:
        return Finding(False, f"{bad}（{error}）")
    if not inside:
        return Finding(False, f"{bad}（群名「{name}」，机器人不在群里）")
    return Finding(True, f"机器人在群 {chat_id} 里，群名「{name}」")


async def _check(ask: Awaitable[str], good: str, bad: str) -> Finding:
    """`good` is followed by the name Feishu gave back; `bad` says what to do."""
    try:
        name = await ask
    except DeliveryError as error:
        return Finding(False, f"{bad}（{error}）")
    return Finding(True, f"{good}「{name}」")
