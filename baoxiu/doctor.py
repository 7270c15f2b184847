"""`baoxiu doctor`: is every chat platform set up, and what to fix, in plain words."""

from collections.abc import Awaitable
from dataclasses import dataclass

import aiohttp

from baoxiu.config import Settings
from baoxiu.platforms.dingtalk.edge import client as dingtalk_client
from baoxiu.platforms.dingtalk.edge import this_month
from baoxiu.wiring import DINGTALK, FEISHU, ID_FIELDS
from integration.delivery.adapter import DeliveryError
from storage.engine import create_engine
from storage.migrate import current, head
from storage.outbox import DeliveryStore
from storage.usage import UsageStore
from tickets.clock import Clock


@dataclass(frozen=True)
class Finding:
    ok: bool
    text: str


DINGTALK_MONTHLY = 10_000
"""API calls a month for a standard-edition DingTalk organisation."""


async def examine(settings: Settings, clock: Clock) -> list[Finding]:
    engine = create_engine(settings.database.url)
    try:
        if await current(engine) != head():
            upgrade = "数据库还不是最新结构：运行 baoxiu db upgrade（或 baoxiu serve）"
            findings = [Finding(False, upgrade)]
        else:
            findings = await _outbox(DeliveryStore(engine))
            if settings.dingtalk is not None:
                findings.append(await _dingtalk_usage(settings, UsageStore(engine), clock))
    finally:
        await engine.dispose()
    if settings.feishu is not None:
        findings += await _feishu(settings)
    if settings.dingtalk is not None:
        findings += await _dingtalk(settings)
    return findings


async def _outbox(store: DeliveryStore) -> list[Finding]:
    backlog, failures = await store.backlog(), await store.failures()
    findings = [Finding(True, f"待发送的卡片：{backlog} 张")]
    findings += [
        Finding(False, f"{f.number} 发往 {f.platform} {f.chat_id} 失败：{f.error}")
        for f in failures
    ]
    return findings


async def _dingtalk_usage(settings: Settings, usage: UsageStore, clock: Clock) -> Finding:
    calls = await usage.calls(DINGTALK, this_month(clock, settings.site.tz))
    text = f"本月钉钉接口已调用 {calls} 次（标准版组织每月 {DINGTALK_MONTHLY:,} 次）"
    if calls >= DINGTALK_MONTHLY * 0.8:
        return Finding(False, text + "：快用完了，用完后卡片发不出去，考虑升级钉钉版本")
    return Finding(True, text)


async def _dingtalk(settings: Settings) -> list[Finding]:
    config = settings.dingtalk
    assert config is not None
    async with aiohttp.ClientSession() as session:
        try:
            await dingtalk_client(config, session).token()
        except DeliveryError as error:
            hint = "钉钉凭证不可用（检查 [dingtalk] app_key / app_secret）"
            return [Finding(False, f"{hint}：{error}")]
    found = [Finding(True, f"钉钉凭证有效（{config.app_key}）")]
    return found + _without_ids(settings, DINGTALK, "钉钉")


async def _feishu(settings: Settings) -> list[Finding]:
    # lark-oapi takes seconds to import: only when needed
    from baoxiu.platforms.feishu.edge import client

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
        found += _without_ids(settings, FEISHU, "飞书")
        for member in settings.members:
            if member.feishu_open_id:
                found.append(
                    await _check(
                        feishu.user_name(member.feishu_open_id),
                        f"{member.name} 的 open_id 对应飞书用户",
                        f"{member.name} 的 feishu_open_id 找不到：请核对，或给应用开通通讯录权限",
                    )
                )
    return found


def _without_ids(settings: Settings, platform: str, name: str) -> list[Finding]:
    """Members of a team working on `platform` whom the platform's clicks cannot name."""
    field = ID_FIELDS[platform]
    teams = {t.id for t in settings.teams if any(c.platform == platform for c in t.chats)}
    return [
        Finding(False, f"{m.name} 没有配置 {field}：在{name}卡片上点按钮会被拒绝")
        for m in settings.members
        if not getattr(m, field) and teams & set(m.teams)
    ]


async def _check(ask: Awaitable[str], good: str, bad: str) -> Finding:
    """`good` is followed by the name Feishu gave back; `bad` says what to do."""
    try:
        name = await ask
    except DeliveryError as error:
        return Finding(False, f"{bad}（{error}）")
    return Finding(True, f"{good}「{name}」")
