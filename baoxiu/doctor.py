"""`baoxiu doctor`: is every chat platform set up, and what to fix, in plain words."""

from collections.abc import Awaitable
from dataclasses import dataclass

import aiohttp

from baoxiu.config import Settings
from baoxiu.wiring import FEISHU
from integration.delivery.adapter import DeliveryError
from storage.engine import create_engine
from storage.migrate import current, head
from storage.outbox import DeliveryStore


@dataclass(frozen=True)
class Finding:
    ok: bool
    text: str


async def examine(settings: Settings) -> list[Finding]:
    findings = await _outbox(settings)
    if settings.feishu is not None:
        findings += await _feishu(settings)
    return findings


async def _outbox(settings: Settings) -> list[Finding]:
    engine = create_engine(settings.database.url)
    try:
        if await current(engine) != head():
            return [
                Finding(False, "数据库还不是最新结构：运行 baoxiu db upgrade（或 baoxiu serve）")
            ]
        store = DeliveryStore(engine)
        backlog, failures = await store.backlog(), await store.failures()
    finally:
        await engine.dispose()
    findings = [Finding(True, f"待发送的卡片：{backlog} 张")]
    findings += [
        Finding(False, f"{f.number} 发往 {f.platform} {f.chat_id} 失败：{f.error}")
        for f in failures
    ]
    return findings


async def _feishu(settings: Settings) -> list[Finding]:
    from baoxiu.feishu import client  # lark-oapi takes seconds to import: only when needed

    config = settings.feishu
    assert config is not None
    async with aiohttp.ClientSession() as session:
        feishu = client(config, session)
        try:
            await feishu.token()
        except DeliveryError as error:
            return [Finding(False, f"飞书凭证不可用（检查 [feishu] app_id / app_secret）：{error}")]
        found = [Finding(True, f"飞书凭证有效（{config.app_id}）")]
        for chat in (c for c in settings.all_chats() if c.platform == FEISHU):
            found.append(
                await _check(
                    feishu.chat_name(chat.chat_id),
                    f"机器人在群 {chat.chat_id} 里，群名",
                    f"群 {chat.chat_id}：请把报修助手机器人加入这个群，并确认 chat_id 正确",
                )
            )
        on_feishu = {t.id for t in settings.teams if any(c.platform == FEISHU for c in t.chats)}
        for member in settings.members:
            if not member.feishu_open_id and on_feishu & set(member.teams):
                found.append(
                    Finding(
                        False, f"{member.name} 没有配置 feishu_open_id：在飞书卡片上点按钮会被拒绝"
                    )
                )
            if member.feishu_open_id:
                found.append(
                    await _check(
                        feishu.user_name(member.feishu_open_id),
                        f"{member.name} 的 open_id 对应飞书用户",
                        f"{member.name} 的 feishu_open_id 找不到：请核对，或给应用开通通讯录权限",
                    )
                )
    return found


async def _check(ask: Awaitable[str], good: str, bad: str) -> Finding:
    """`good` is followed by the name Feishu gave back; `bad` says what to do."""
    try:
        name = await ask
    except DeliveryError as error:
        return Finding(False, f"{bad}（{error}）")
    return Finding(True, f"{good}「{name}」")
