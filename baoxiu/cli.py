"""The `baoxiu` command line: set up, serve, migrate, and work tickets from a terminal."""

import asyncio
import json
import logging
import sys
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from datetime import datetime, time
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any, BinaryIO, TypeVar

import typer
from aiohttp import web
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Column, Table
from rich.text import Text

from baoxiu.app import create_app
from baoxiu.config import ConfigError, Settings, config_path, load
from baoxiu.demo import config_text
from baoxiu.doctor import examine
from baoxiu.listening import EVERYWHERE, CannotListen, listen, on_loopback, public_url
from baoxiu.platforms import PLATFORMS
from baoxiu.platforms.sandbox import exposure
from baoxiu.qr import DPI, MAX_LOCATION, make_poster, report_url
from baoxiu.schedule_file import write_schedule
from baoxiu.sheet_files import EXCEL, Format, read_cells, write_cells
from baoxiu.wiring import open_service
from cards.fonts import FontNotFoundError
from integration.clicks import TOASTS
from integration.export import TicketExport, period
from integration.web.controls import visible
from integration.web.errors import validation_fields
from integration.web.hosts import LOOPBACK
from integration.web.photos import PhotoStore
from integration.web.schemas import ActionRequest, TicketCreate
from jobs.weekly import due_week, read_week, summary_maker
from storage.engine import create_engine
from storage.migrate import current, upgrade
from storage.uow import SqlUnitOfWorkFactory
from tickets.actions import Verb
from tickets.clock import SystemClock
from tickets.errors import InvalidInput, TicketError
from tickets.explain import explain
from tickets.fee_sheet import fee_rows, read_fees
from tickets.messages import Report
from tickets.model import SYSTEM, Actor
from tickets.payment import payment_words
from tickets.ports import TicketQuery
from tickets.recipients import Reach
from tickets.rota_sheet import read_sheet
from tickets.sheet import BadSheet
from tickets.states import Channel, Source, Status, Urgency
from tickets.stats import Period
from tickets.summary import Week, week_json, weekly_report
from tickets.words import describe

T = TypeVar("T")

app = typer.Typer(
    help="baoxiu 报修: repair tickets for property management, in your crews' group chats.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(asked: bool) -> None:
    if asked:
        out.print(f"baoxiu {version('baoxiu')}", highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """baoxiu 报修: repair tickets for property management, in your crews' group chats."""


db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
tickets_app = typer.Typer(help="Look at tickets and act on them.", no_args_is_help=True)
sla_app = typer.Typer(help="Check the SLA's deadlines against the calendar.", no_args_is_help=True)
rota_app = typer.Typer(
    help="Import the office's rota sheet; see who is on duty.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(tickets_app, name="tickets")
app.add_typer(sla_app, name="sla")
fees_app = typer.Typer(
    help="The published fee schedule: import the office's sheet, export it.", no_args_is_help=True
)
app.add_typer(rota_app, name="rota")
app.add_typer(fees_app, name="fees")
report_app = typer.Typer(help="Management's reports: the weekly summary.", no_args_is_help=True)
app.add_typer(report_app, name="report")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Config file (TOML). Default: $BAOXIU_CONFIG, else ./baoxiu.toml.",
        show_default=False,
    ),
]


OutOption = Annotated[
    Path | None,
    typer.Option("--out", help="Write here. Default: CSV to standard output.", show_default=False),
]


def _sheet_kind(kind: Format | None, file: Path | None, example: str) -> Format:
    """The format asked for, else --out's, else CSV; a workbook needs a file to go to."""
    kind = kind or ("xlsx" if file is not None and file.suffix.lower() in EXCEL else "csv")
    if file is None and kind == "xlsx":
        err.print(f"✗ 导出 Excel 要用 --out 指定文件，例如 --out {example}", highlight=False)
        raise typer.Exit(2)
    return kind


def _settings(config: Path | None) -> Settings:
    path = config_path(config)
    try:
        return load(path, PLATFORMS)
    except ConfigError as error:
        err.print(f"[bold red]配置有误[/] {error.path}:", highlight=False)
        for problem in error.problems:
            err.print(f"  - {problem}", markup=False, highlight=False)
        raise typer.Exit(2) from None


def _shown(text: str, style: str = "") -> Text:
    """Stored text for the terminal: never markup (`3栋[/] 501`, `[link=…]`), and any control
    character that came in before intake refused them spelled out, not obeyed."""
    return Text(visible(text), style=style)


def _refused(error: ValidationError) -> typer.Exit:
    """Say which fields failed, as the API would; the exit to raise."""
    for field in validation_fields(error):
        err.print(_shown(f"✗ {field.field}: {field.message}"))
    return typer.Exit(2)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coroutine)
    except TicketError as error:  # its message may quote what was typed
        err.print(Text("✗ ", style="bold red") + _shown(error.message))
        raise typer.Exit(1) from None


@app.command()
def init(
    config: ConfigOption = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="A demo community: 水电, 土建, 电梯 teams and staff.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a starter config file and create the database."""
    path = config_path(config)
    if path.exists() and not force:
        err.print(f"{path} already exists; pass --force to overwrite it.", highlight=False)
        raise typer.Exit(1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(config_text(demo=demo), encoding="utf-8")
    settings = _settings(path)
    _run(_upgrade(settings))
    out.print(f"wrote {path} and created the database. Next: baoxiu serve --config {path}")


@app.command()
def serve(
    config: ConfigOption = None,
    host: Annotated[
        str | None, typer.Option(help="Address to listen on.  [default: 127.0.0.1]")
    ] = None,
    port: Annotated[int, typer.Option(help="Port to listen on.", min=0, max=65535)] = 8080,
    lan: Annotated[
        bool,
        typer.Option(
            "--lan",
            help="Listen on the local network too (0.0.0.0), so phones on the same Wi-Fi "
            "open the resident pages; the sandbox still answers only this machine.",
        ),
    ] = False,
) -> None:
    """Run the web server (REST API); brings the database schema up to date first."""
    settings = _settings(config)
    if lan and host is not None:
        err.print("✗ --lan 就是 --host 0.0.0.0：二者只能选一个", highlight=False)
        raise typer.Exit(2)
    host = EVERYWHERE if lan else host or "127.0.0.1"
    try:
        url = public_url(settings.site.public_url, host, port)
        sock = listen(host, port)
    except CannotListen as error:
        err.print(f"✗ {error}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    settings = settings.reached_at(url)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not every watcher's round
    out.print(f"baoxiu · {settings.site.name} · {url}", markup=False, highlight=False)
    out.print("REST API: /api/v1/openapi.json · API keys: [api] keys in the config", markup=False)
    if host not in LOOPBACK:
        out.print(f"同一网络的手机打开报修页：{url}/r/new", markup=False, highlight=False)
    for warning in exposures(settings, host):
        err.print(f"⚠ {warning}", markup=False, highlight=False)
    web.run_app(create_app(settings), sock=sock, print=None)


def exposures(settings: Settings, host: str) -> list[str]:
    """What listening on `host` opens to other machines, said at start."""
    if host in LOOPBACK:
        return []
    found = []
    if settings.api.keys:
        found.append(
            "REST API 对网络开放：持有 [api] keys 里密钥的人能以任何成员的身份操作，"
            "密钥不要外传（演示配置的密钥写在配置文件里）"
        )
    if (sandbox := exposure(settings, host)) is not None:
        found.append(sandbox)
    return found


@app.command()
def doctor(config: ConfigOption = None) -> None:
    """Check the database, card delivery and the chat platforms; say what to fix."""
    findings = _run(examine(_settings(config), SystemClock()))
    for finding in findings:
        out.print("[green]✓[/] " if finding.ok else "[bold red]✗[/] ", end="")
        out.print(finding.text, markup=False, highlight=False)
    if not all(finding.ok for finding in findings):
        raise typer.Exit(1)


async def _upgrade(settings: Settings) -> str | None:
    engine = create_engine(settings.database.url)
    try:
        await upgrade(engine)
        return await current(engine)
    finally:
        await engine.dispose()


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Apply pending migrations (safe to run at any time)."""
    revision = _run(_upgrade(_settings(config)))
    out.print(f"database is at revision {revision}")


def _local(moment: datetime | None, settings: Settings) -> str:
    return moment.astimezone(settings.site.tz).strftime("%m-%d %H:%M") if moment else ""


@tickets_app.command("list")
def tickets_list(
    config: ConfigOption = None,
    status: Annotated[
        list[Status] | None, typer.Option("--status", "-s", help="Repeat for several.")
    ] = None,
    team: Annotated[str | None, typer.Option(help="Team id.")] = None,
    assignee: Annotated[str | None, typer.Option(help="Member id.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 30,
) -> None:
    """List tickets, newest first."""
    settings = _settings(config)
    query = TicketQuery(
        statuses=frozenset(status or []), team_id=team, assignee_id=assignee, limit=limit
    )

    async def fetch() -> Table:
        async with open_service(settings) as service:
            page = await service.search(query)
            table = Table(
                Column("单号", no_wrap=True), "状态", "紧急", "班组", "接单人", "位置", "报修时间"
            )
            for t in page.items:
                team = service.directory.teams.get(t.team_id)
                table.add_row(
                    _shown(t.number),
                    t.status.label,
                    t.urgency.label,
                    _shown(team.name if team else t.team_id),
                    _shown(service.directory.name_of(t.assignee_id) or ""),
                    _shown(t.location),
                    _local(t.created_at, settings),
                )
            return table

    out.print(_run(fetch()))


@tickets_app.command("show")
def tickets_show(number: str, config: ConfigOption = None) -> None:
    """Show one ticket and its timeline."""
    settings = _settings(config)

    async def fetch() -> None:
        async with open_service(settings) as service:
            history = await service.history(number)
        t = history.ticket
        directory = service.directory
        out.print(_shown(t.number, "bold") + f" {t.status.label} · {t.urgency.label}")
        for label, value in [
            ("报修类型", f"{t.category}（{directory.teams[t.team_id].name}）"),
            ("位置", t.location),
            ("问题描述", t.description),
            ("报修人", f"{t.reporter.name} {t.reporter.phone}"),
            ("接单人", directory.name_of(t.assignee_id) or "—"),
            ("返工次数", str(t.rework_count)),
            *([("收费", payment_words(t))] if t.fee_lines else []),
        ]:
            out.print(Text(f"  {label}：") + _shown(value))
        timeline = Table(
            "时间", Column("经过", overflow="fold", ratio=1), "操作人", "来源", "状态", expand=True
        )  # the words fold onto more lines rather than being cut: a reason is read in full
        for e in history.events:
            change = f"{e.from_status.label} → {e.to_status.label}" if e.from_status else ""
            timeline.add_row(
                _local(e.at, settings),
                _shown(str(describe(e))),
                _shown(e.actor_name),
                e.source.label,
                change,
            )
        out.print(timeline)

    _run(fetch())


@tickets_app.command("new")
def tickets_new(
    category: Annotated[str, typer.Option(help="报修类型, one of the config's categories.")],
    location: Annotated[str, typer.Option(help="Where: 3栋2单元501, or a public area.")],
    description: Annotated[str, typer.Option(help="What is wrong, and where exactly.")],
    name: Annotated[str, typer.Option(help="Reporter's name.")],
    phone: Annotated[str, typer.Option(help="Reporter's phone.")],
    member: Annotated[
        str | None, typer.Option("--as", help="Member id of the agent taking the report.")
    ] = None,
    channel: Annotated[Channel, typer.Option(help="How the report came in.")] = Channel.PHONE,
    urgency: Annotated[
        Urgency | None, typer.Option(help="Leave out to let baoxiu suggest one.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Register a report taken by phone or at the front desk."""
    settings = _settings(config)
    try:
        body = TicketCreate.model_validate(
            {
                "reporter": {"name": name, "phone": phone},
                "location": location,
                "category": category,
                "description": description,
                "channel": channel,
                "urgency": urgency,
                "actor": member,
            }
        )
    except ValidationError as error:
        raise _refused(error) from None

    async def register() -> None:
        async with open_service(settings) as service:
            actor = Actor.member(member) if member else SYSTEM
            ticket = (await service.open(body.draft(), actor, Source.CLI)).ticket
            team = service.directory.teams[ticket.team_id].name
        out.print(
            f"✓ {ticket.number} {ticket.urgency.label} → {team}（{ticket.status.label}）",
            markup=False,
            highlight=False,
        )

    _run(register())


@tickets_app.command("act")
def tickets_act(
    number: str,
    action: Annotated[Verb, typer.Argument(help="What to do.")],
    member: Annotated[str, typer.Option("--as", help="Member id of the person acting.")],
    config: ConfigOption = None,
    to: Annotated[str | None, typer.Option(help="Member id (dispatch, transfer).")] = None,
    team: Annotated[str | None, typer.Option(help="Team id (transfer to another team).")] = None,
    reason: Annotated[
        str | None, typer.Option(help="Why (pause, hand_back, reopen, cancel, extend).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="Comment or result text.")] = None,
    at: Annotated[
        str | None, typer.Option(help="New visit time (reschedule), e.g. 2026-12-03T14:00+08:00.")
    ] = None,
    pause_kind: Annotated[
        str | None,
        typer.Option(
            help="Pause: parts (等配件) or resident (业主原因) stop the clock; other (其他原因)."
        ),
    ] = None,
    minutes: Annotated[
        int | None, typer.Option(help="Extend: how many minutes of the ticket's clock.")
    ] = None,
    findings: Annotated[
        str | None, typer.Option(help="Complete: what was found (required).")
    ] = None,
    fee: Annotated[
        list[str] | None,
        typer.Option(help="Complete: a fee line CODE:QUANTITY[:PRICE in yuan]; repeat it."),
    ] = None,
    material: Annotated[
        list[str] | None,
        typer.Option(help="Complete: NAME:QUANTITY:UNIT:resident|property; repeat it."),
    ] = None,
    decision: Annotated[str | None, typer.Option(help="Review: approve or decline.")] = None,
    amount: Annotated[str | None, typer.Option(help="Quote: the price in yuan.")] = None,
    on_behalf: Annotated[
        bool, typer.Option("--on-behalf", help="Confirm for the resident, who agreed (--agreed).")
    ] = False,
    agreed: Annotated[
        str | None,
        typer.Option(
            help="How the resident agreed (confirm, consent): in_person (当面) or phone (电话)."
        ),
    ] = None,
    stars: Annotated[
        str | None,
        typer.Option(help="Rate: the resident's stars overall/speed/attitude, e.g. 4/5/5."),
    ] = None,
    comment: Annotated[str | None, typer.Option(help="Rate: the resident's words.")] = None,
    method: Annotated[
        str | None,
        typer.Option(help="Pay: cash, wechat, alipay or transfer (a correction needs --reason)."),
    ] = None,
    outcome: Annotated[
        str | None,
        typer.Option(help="Visit (回访): resolved, recurred (opens a linked ticket), unreachable."),
    ] = None,
    into: Annotated[
        str | None,
        typer.Option(
            help="Merge (合并): the ticket the duplicate goes into (default: the marked one)."
        ),
    ] = None,
) -> None:
    """Act on a ticket as a member: claim, dispatch, start, pause, complete, extend, …"""
    settings = _settings(config)
    fees = [dict(zip(("code", "quantity", "price"), f.split(":"), strict=False)) for f in fee or []]
    used = ("name", "quantity", "unit", "supplied_by")
    materials = [dict(zip(used, m.split(":"), strict=False)) for m in material or []]
    try:
        body = ActionRequest.model_validate(
            {
                "action": action,
                "actor": member,
                "to": to,
                "team": team,
                "reason": reason,
                "note": note,
                "at": at,
                "pause_kind": pause_kind,
                "minutes": minutes,
                "findings": findings,
                "fees": fees,
                "materials": materials,
                "decision": decision,
                "amount": amount,
                "on_behalf": on_behalf,
                "agreed": agreed,
                "rating": _stars(stars, comment),
                "method": method,
                "outcome": outcome,
                "into": into,
            }
        )
    except ValidationError as error:
        raise _refused(error) from None
    command = body.command()

    async def act() -> None:
        async with open_service(settings) as service:
            outcome = await service.act(number, command, Source.CLI)
            ticket, directory = outcome.ticket, service.directory
        out.print(f"✓ {ticket.number} {action.label} → {ticket.status.label}", highlight=False)
        if action is Verb.VISIT:  # what comes of it: a call tomorrow, or a new ticket
            out.print(TOASTS[action](ticket, directory), markup=False, highlight=False)
        if outcome.follow_up is not None:
            out.print(f"新工单 {outcome.follow_up.number}", highlight=False)
        if action is Verb.CALL_TECHNICIAN:  # the phone, as the card's toast shows it
            out.print(TOASTS[action](ticket, directory), markup=False, highlight=False)

    _run(act())


def _stars(stars: str | None, comment: str | None) -> dict[str, object] | None:
    """`4/5/5` as the API's rating; what is not three numbers is left for it to refuse."""
    if stars is None:
        return None
    parts = stars.split("/")
    numbers: list[object] = [int(p) if p.strip().isdecimal() else p for p in parts]
    if len(numbers) != 3:
        raise typer.BadParameter(
            "请写三个星级：总体/响应速度/师傅态度，如 4/5/5", param_hint="--stars"
        )
    return dict(zip(("overall", "speed", "attitude"), numbers, strict=True)) | {"comment": comment}


@sla_app.command("deadline")
def sla_deadline(
    urgency: Annotated[Urgency, typer.Option(help="The report's urgency.")],
    start: Annotated[
        str,
        typer.Option(
            "--from",
            help="When the report came in, with its UTC offset: 2026-09-30T17:50:00+08:00.",
            show_default=False,
        ),
    ],
    category: Annotated[str | None, typer.Option(help="A category with its own promise.")] = None,
    config: ConfigOption = None,
) -> None:
    """The three deadlines a report at --from gets, each counted from --from as if every step
    before it happened at once: to check the working hours and the holiday calendar."""
    settings = _settings(config)
    reported = _moment(start, "--from")
    if category is not None and category not in settings.sla.categories:
        known = "、".join(settings.sla.categories) or "无"
        said = f"✗ [sla.categories] 里没有「{category}」（有：{known}）"
        err.print(said, markup=False, highlight=False)
        raise typer.Exit(2)
    tz = settings.site.tz
    plan = settings.sla.policy(tz).plan(urgency, reported, category)
    out.print_json(data={step.value: due.astimezone(tz).isoformat() for step, due in plan.items()})


@sla_app.command("explain")
def sla_explain(number: str, config: ConfigOption = None) -> None:
    """How a ticket's deadlines were reached: its promise, each change that set a deadline,
    pauses, extensions and escalations, and what it holds now."""
    settings = _settings(config)
    tz = settings.site.tz

    async def fetch() -> list[str]:
        async with open_service(settings) as service:
            history = await service.history(number)
        return explain(settings.sla.policy(tz), history.ticket, history.events, tz)

    for line in _run(fetch()):
        out.print(_shown(line))


@rota_app.command("import")
def rota_import(
    file: Annotated[
        Path, typer.Argument(help="The sheet, .xlsx or .csv: 日期,班组,成员,开始,结束[,值班类型].")
    ],
    config: ConfigOption = None,
) -> None:
    """Store the office's dated shifts (holiday rotas, swapped shifts).

    For each team in the sheet they replace what was stored from its first to its last date.
    A sheet with any bad row imports nothing and names every bad row.
    """
    settings = _settings(config)
    if not file.is_file():
        err.print(f"✗ 找不到文件：{file}", markup=False, highlight=False)
        raise typer.Exit(2)
    try:
        sheet = read_sheet(read_cells(file), settings.directory(), settings.rotas())
    except BadSheet as error:
        err.print("[bold red]✗ 排班表有误，什么也没有导入：[/]")
        for problem in error.problems:
            err.print(_shown(f"  {problem}"))
        raise typer.Exit(1) from None

    async def store() -> dict[str, int]:
        engine = create_engine(settings.database.url)
        try:
            async with SqlUnitOfWorkFactory(engine)() as uow:
                return {
                    team: await uow.rota.replace(
                        team,
                        first,
                        last,
                        [s for s in sheet.shifts if s.team_id == team],
                        SystemClock().now(),
                    )
                    for team, (first, last) in sheet.days.items()
                }
        finally:
            await engine.dispose()

    removed = _run(store())
    out.print(f"✓ 已导入 {len(sheet.shifts)} 条排班", highlight=False)
    for team, (first, last) in sheet.days.items():
        replaced = f"，替换原有 {removed[team]} 条" if removed[team] else ""
        name = settings.directory().teams[team].name
        out.print(_shown(f"  {name}：{first} 至 {last}{replaced}"), highlight=False)


@fees_app.command("import")
def fees_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="The sheet, .xlsx or .csv: 编码,项目名称,类别,单位,单价,最低价,最高价,是否免费."
        ),
    ],
    config: ConfigOption = None,
) -> None:
    """Replace the fee schedule ([[fees.items]] of the config file) with the office's sheet.

    A sheet with any bad row changes nothing and names every bad row. The rest of the file,
    comments included, stays as it is; `baoxiu serve` uses the new schedule once restarted.
    """
    settings = _settings(config)
    if not file.is_file():
        err.print(f"✗ 找不到文件：{file}", markup=False, highlight=False)
        raise typer.Exit(2)
    categories = [c for team in settings.teams for c in team.categories]
    try:
        items = read_fees(read_cells(file), categories)
    except BadSheet as error:
        err.print("[bold red]✗ 收费标准表有误，什么也没有导入：[/]")
        for problem in error.problems:
            err.print(_shown(f"  {problem}"))
        raise typer.Exit(1) from None
    path = config_path(config)
    try:
        before = write_schedule(path, items, PLATFORMS)
    except ConfigError as error:  # the environment overrides what the sheet may not break
        err.print(f"[bold red]✗ 导入后配置有误，什么也没有写入[/] {error.path}:", highlight=False)
        for problem in error.problems:
            err.print(f"  - {problem}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    out.print(_shown(f"✓ 已导入 {len(items)} 个收费项目（原有 {before} 个），写入 {path}"))
    out.print("  重启 baoxiu serve 后生效。", highlight=False)


@fees_app.command("export")
def fees_export(
    kind: Annotated[
        Format | None,
        typer.Option(
            "--format",
            help="csv or xlsx. Default: from --out's name, else csv.",
            show_default=False,
        ),
    ] = None,
    file: OutOption = None,
    config: ConfigOption = None,
) -> None:
    """Write the fee schedule as the sheet `baoxiu fees import` reads back unchanged."""
    settings = _settings(config)
    kind = _sheet_kind(kind, file, "收费标准.xlsx")
    data = write_cells(fee_rows(settings.fee_schedule().items.values()), kind)
    if file is None:
        out.file.write(data.decode("utf-8-sig"))
        return
    file.write_bytes(data)
    count = len(settings.fees.items)
    out.print(_shown(f"✓ 已导出 {count} 个收费项目到 {file}"))


@app.command("export")
def export(
    start: Annotated[
        str,
        typer.Option("--from", help="First day, site time: 2026-11-01.", show_default=False),
    ],
    end: Annotated[
        str,
        typer.Option("--to", help="Last day, included: 2026-11-30.", show_default=False),
    ],
    kind: Annotated[
        Format | None,
        typer.Option(
            "--format",
            help="csv (the ticket sheet only) or xlsx (tickets, and the fee lines on a second "
            "sheet). Default: from --out's name, else csv.",
            show_default=False,
        ),
    ] = None,
    file: OutOption = None,
    config: ConfigOption = None,
) -> None:
    """Export the tickets reported from --from to --to: one row per ticket with its times,
    team, assignee, SLA outcome, fees and rating, for finance and performance reviews.

    Never the resident's name or phone: the file leaves the system.
    """
    settings = _settings(config)
    try:
        asked = period(start, end, settings.site.tz)
    except InvalidInput as error:
        err.print(_shown(f"✗ {error.message}"))
        raise typer.Exit(2) from None
    kind = _sheet_kind(kind, file, "工单.xlsx")
    if file is not None and not file.parent.is_dir():
        err.print(_shown(f"✗ 目录不存在：{file.parent}"))
        raise typer.Exit(2)
    count = _run(_export(settings, asked, kind, file))
    if file is not None:
        out.print(_shown(f"✓ 已导出 {count} 张工单到 {file}"))


async def _export(settings: Settings, asked: Period, kind: Format, file: Path | None) -> int:
    """Writes the export to a file beside `file`, renamed into place once whole: a failed
    export leaves nothing half-written. Returns how many tickets it holds."""
    partial = file.with_name(f".{file.name}.partial") if file is not None else None
    written = 0
    progress = Progress(
        TextColumn("导出工单"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )

    def done(tickets: int) -> None:
        nonlocal written
        written += tickets
        progress.advance(task, tickets)

    try:
        async with open_service(settings) as service:
            export = TicketExport(service, asked)
            with progress:
                task = progress.add_task("export", total=await export.count())
                if kind == "xlsx":
                    assert partial is not None  # an xlsx always has its --out
                    await export.xlsx(partial, done)
                else:
                    with partial.open("wb") if partial else _stdout() as sink:
                        async for chunk in export.csv(done):
                            sink.write(chunk)
        if file is not None and partial is not None:
            partial.replace(file)
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
    return written


@contextmanager
def _stdout() -> Iterator[BinaryIO]:
    """Standard output for bytes, flushed but left open."""
    yield sys.stdout.buffer
    sys.stdout.buffer.flush()


@rota_app.command("show")
def rota_show(
    team: Annotated[str | None, typer.Option(help="Team id; every team if left out.")] = None,
    moment: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="When, with its UTC offset: 2026-10-01T10:00:00+08:00. Default: now.",
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Who is on duty, by the rota, the imported sheet and the on-call pair.

    The technicians are those round-robin chooses among, the supervisors those an on_duty
    escalation reaches.
    """
    settings = _settings(config)
    directory = settings.directory()
    at = _moment(moment) if moment is not None else SystemClock().now()
    if team is not None and team not in directory.teams:
        known = "、".join(directory.teams)
        err.print(f"✗ 没有班组 {team}（有：{known}）", markup=False, highlight=False)
        raise typer.Exit(2)
    rotas = settings.rotas()

    def names(ids: tuple[str, ...], mark: str) -> Text:
        return _shown("、".join(f"{directory.name_of(i)}{mark}" for i in ids) or "—")

    async def fetch() -> Table:
        table = Table("班组", "维修师傅", "班组长", "说明")
        engine = create_engine(settings.database.url)
        try:
            async with SqlUnitOfWorkFactory(engine)(readonly=True) as uow:
                for t in directory.teams.values():
                    if team not in (None, t.id):
                        continue
                    shifts = await uow.rota.shifts(t.id, *rotas.days(at))
                    duty = rotas.on_duty(directory, t.id, at, shifts)
                    supervisors = rotas.supervisors(directory, t.id, at, shifts)
                    mark = "（备班）" if duty.out_of_hours else ""
                    if t.id not in rotas.teams:
                        said = "未排班：全员在岗"
                    else:
                        said = "非值班时间：急修找备班" if duty.out_of_hours else "值班"
                    row = (names(duty.assignable, mark), names(supervisors, mark), said)
                    table.add_row(_shown(t.name), *row)
        finally:
            await engine.dispose()
        return table

    table = _run(fetch())
    out.print(f"{at.astimezone(settings.site.tz):%Y-%m-%d %H:%M} 值班情况", highlight=False)
    out.print(table)


def _moment(text: str, option: str = "--at") -> datetime:
    """A moment typed with its UTC offset: without one it could be any zone's."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        err.print(f"✗ {option} 写成带时区的时间，如 2026-09-30T17:50:00+08:00", highlight=False)
        raise typer.Exit(2)
    return moment


@report_app.command("weekly")
def report_weekly(
    week: Annotated[
        str | None,
        typer.Option(help="ISO week, e.g. 2026-W48. Default: the week the summary is due for."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The figures as JSON.")] = False,
    send: Annotated[
        bool,
        typer.Option(
            "--send",
            help="Queue it for the management chats now (once per chat and week, as the "
            "scheduled one; a running `baoxiu serve` delivers it).",
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """The weekly summary: a week's figures against the week before, what is overdue now,
    the top technicians and the hot spots."""
    settings = _settings(config)
    tz = settings.site.tz
    at = time.fromisoformat(settings.reports.weekly_time)
    name = week or due_week(SystemClock().now(), settings.reports.weekly_day, at, tz)
    try:
        Period.week(name, tz)
    except ValueError as error:
        err.print(f"✗ --week：{error}", markup=False, highlight=False)
        raise typer.Exit(2) from None

    async def fetch() -> tuple[Week, int | None]:
        async with open_service(settings) as service:
            data = await read_week(service, name)
            if not send:
                return data, None
            photos = PhotoStore(settings.site.data_dir / "photos")
            make = summary_maker(service, photos)
            report = await make(name)
            if report is None:
                return data, 0
            sent = await service.send(report, Reach.MANAGEMENT, once=f"weekly:{name}")
            if not sent and report.picture:
                photos.discard(report.picture)
            return data, sent

    data, sent = _run(fetch())
    if as_json:
        out.file.write(json.dumps(week_json(data), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_report(weekly_report(data, tz))
    if sent is not None:
        chats = len(settings.chats.management)
        if data.quiet:
            err.print(f"这一周（{name}）没有任何报修，没有发送。", highlight=False)
        elif sent:
            err.print(
                f"✓ 已排入发送队列：{sent} 个管理群（baoxiu serve 运行时发出）", highlight=False
            )
        else:
            err.print(f"{name} 的周报已发到全部 {chats} 个管理群，不再重复发送。", highlight=False)


def _print_report(report: Report) -> None:
    out.print(Text(f"{report.title}  {report.period}", style="bold"))
    table = Table(show_header=False, box=None, pad_edge=False)
    for label, value in report.figures:
        table.add_row(Text(label, style="dim"), _shown(value))
    out.print(table)
    for section in report.sections:
        out.print(Text(f"\n{section.title}", style="bold"))
        for line in section.lines:
            out.print(_shown(f"  · {line}"))


@app.command()
def qr(
    location: Annotated[str, typer.Option(help="Where the poster hangs: 3栋2单元, 地下车库B1.")],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="PNG file to write.")],
    config: ConfigOption = None,
    lan: Annotated[
        bool,
        typer.Option(
            "--lan",
            help="For a demo served with `baoxiu serve --lan`: the poster names this machine's "
            "address on the local network while [site] public_url is on loopback.",
        ),
    ] = False,
    port: Annotated[
        int, typer.Option(help="The port `baoxiu serve --lan` listens on.", min=1, max=65535)
    ] = 8080,
) -> None:
    """Make a printable QR poster: residents scan it to report a fault at that location."""
    location = location.strip()
    if not location:
        err.print("✗ --location 不能为空：写上张贴位置，如 3栋2单元", highlight=False)
        raise typer.Exit(2)
    if len(location) > MAX_LOCATION:
        err.print(
            f"✗ --location 最多 {MAX_LOCATION} 个字，现在是 {len(location)} 个", highlight=False
        )
        raise typer.Exit(2)
    if not location.isprintable():
        err.print("✗ --location 不能包含换行或控制字符", highlight=False)
        raise typer.Exit(2)
    if out_file.suffix.lower() != ".png":
        err.print(f"✗ --out 须是 .png 文件：{out_file}", markup=False, highlight=False)
        raise typer.Exit(2)
    if not out_file.parent.is_dir():
        err.print(f"✗ 目录不存在：{out_file.parent}", markup=False, highlight=False)
        raise typer.Exit(2)
    settings = _settings(config)
    try:
        base = public_url(settings.site.public_url, EVERYWHERE if lan else "127.0.0.1", port)
    except CannotListen as error:
        err.print(f"✗ {error}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    if on_loopback(base):
        err.print(
            f"✗ [site] public_url 是本机地址 {base}，业主用手机扫码打不开。正式张贴：把 "
            "public_url 设为业主能打开的地址；局域网演示：baoxiu serve --lan 之后用 "
            "baoxiu qr --lan",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(2)
    url = report_url(base, location)
    try:
        poster = make_poster(settings.site.name, url, location, settings.site.hotline)
        poster.save(out_file, "PNG", dpi=(DPI, DPI))
    except (FontNotFoundError, OSError) as error:
        err.print(f"✗ {error}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    out.print(f"✓ wrote {out_file}: {url}", markup=False, highlight=False)


def main() -> None:
    app()
