"""`baoxiu doctor`: is the database reachable and current, can residents reach the site, are
cards going out, is every chat platform in use set up; what to fix, in plain words."""

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from baoxiu.config import Settings
from baoxiu.listening import on_loopback
from baoxiu.platforms import PLATFORMS
from baoxiu.platforms.base import Checkup, Finding
from baoxiu.wiring import planner_for
from storage.engine import create_engine
from storage.migrate import current, head
from storage.outbox import DeliveryStore
from tickets.clock import Clock
from tickets.worktime import covers


async def examine(settings: Settings, clock: Clock) -> list[Finding]:
    engine = create_engine(settings.database.url)
    try:
        database, current_schema = await _database(engine, settings.database.url)
        findings = [_site(settings), database, *_calendar(settings, clock), *_reach(settings)]
        if current_schema:
            findings += await _outbox(DeliveryStore(engine))
        checkup = Checkup(settings, clock, engine if current_schema else None)
        for platform in PLATFORMS:
            findings += await platform.examine(checkup)
    finally:
        await engine.dispose()
    return findings


async def _database(engine: AsyncEngine, url: str) -> tuple[Finding, bool]:
    """Whether the database answers and is at the current schema: nothing else can be read
    from it before."""
    where = f"数据库（{make_url(url).render_as_string(hide_password=True)}）"
    try:
        revision = await current(engine)
    except DBAPIError as error:
        return Finding(False, f"{where}连不上：{error.orig}"), False
    except (SQLAlchemyError, OSError) as error:
        return Finding(False, f"{where}连不上：{error}"), False
    if revision != head():
        return Finding(
            False, f"{where}还不是最新结构：运行 baoxiu db upgrade（或 baoxiu serve）"
        ), False
    return Finding(True, f"{where}可以连接，结构是最新的（修订 {revision}）"), True


def _site(settings: Settings) -> Finding:
    """Links on cards, status pages and QR posters start with `public_url`."""
    url = settings.site.public_url
    if on_loopback(url):
        return Finding(
            False,
            f"[site] public_url 是本机地址 {url}：业主的手机打不开报修链接和二维码海报。"
            "在局域网演示用 make run LAN=1；正式使用时设为业主能打开的地址",
        )
    return Finding(True, f"业主通过 {url} 报修和查看进度（[site] public_url）")


def _calendar(settings: Settings, clock: Clock) -> list[Finding]:
    """China's holidays are published a year at a time (late in the year before); a year the
    calendar does not know is counted Monday to Friday, so deadlines over its holidays come
    out wrong."""
    if settings.sla.calendar != "cn":
        return []
    year = clock.now().astimezone(settings.site.tz).year
    upgrade = "升级 chinesecalendar（pip install -U chinesecalendar）"
    if not covers(year):
        return [Finding(False, f"节假日日历没有 {year} 年的数据，时限按周一到周五计算：{upgrade}")]
    if not covers(year + 1):
        said = f"节假日日历有 {year} 年（含调休）；{year + 1} 年的放假安排公布后，请{upgrade}"
        return [Finding(True, said)]
    return [Finding(True, f"节假日日历已有 {year}、{year + 1} 年的放假安排（含调休）")]


def _reach(settings: Settings) -> list[Finding]:
    """The people baoxiu writes to on their own at night or up an escalation: each needs a
    chat of their own with the bot, or what is meant for them goes nowhere."""
    direct = planner_for(settings).direct_chats
    directory = settings.directory()
    named = [
        (f"{team.name}备班", member)
        for team in settings.teams
        if team.on_call
        for member in (team.on_call.technician, team.on_call.supervisor)
    ]
    named += [
        ("升级提醒", step.to.removeprefix("member:"))
        for step in settings.sla.escalation
        if step.to.startswith("member:")
    ]
    return [
        Finding(
            False,
            f"{why}{directory.name_of(member)}没有和机器人的私聊：发给他的提醒到不了。"
            "在 [[members]] 里填上他在聊天平台上的账号",
        )
        for why, member in dict.fromkeys(named)
        if not direct.get(member)
    ]


async def _outbox(store: DeliveryStore) -> list[Finding]:
    backlog, failures = await store.backlog(), await store.failures()
    findings = [Finding(True, f"待发送的卡片：{backlog} 张")]
    findings += [
        Finding(False, f"{f.number} 发往 {f.platform} {f.chat_id} 失败：{f.error}")
        for f in failures
    ]
    return findings
