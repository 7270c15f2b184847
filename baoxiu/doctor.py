"""`baoxiu doctor`: is the database current, are cards going out, is every chat platform in
use set up; what to fix, in plain words."""

from baoxiu.config import Settings
from baoxiu.platforms import PLATFORMS
from baoxiu.platforms.base import Checkup, Finding
from storage.engine import create_engine
from storage.migrate import current, head
from storage.outbox import DeliveryStore
from tickets.clock import Clock


async def examine(settings: Settings, clock: Clock) -> list[Finding]:
    engine = create_engine(settings.database.url)
    try:
        if await current(engine) != head():
            upgrade = "数据库还不是最新结构：运行 baoxiu db upgrade（或 baoxiu serve）"
            findings = [Finding(False, upgrade)]
            checkup = Checkup(settings, clock, None)
        else:
            findings = await _outbox(DeliveryStore(engine))
            checkup = Checkup(settings, clock, engine)
        for platform in PLATFORMS:
            findings += await platform.examine(checkup)
    finally:
        await engine.dispose()
    return findings


async def _outbox(store: DeliveryStore) -> list[Finding]:
    backlog, failures = await store.backlog(), await store.failures()
    findings = [Finding(True, f"待发送的卡片：{backlog} 张")]
    findings += [
        Finding(False, f"{f.number} 发往 {f.platform} {f.chat_id} 失败：{f.error}")
        for f in failures
    ]
    return findings
