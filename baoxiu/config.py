"""Configuration: a TOML file, every value overridable by `BAOXIU_…` environment variables.

Nested keys join with a double underscore (`BAOXIU_DATABASE__URL`, `BAOXIU_API__KEYS`) so
secrets never have to sit in the file. Everything is validated at start-up; `ConfigError`
lists each bad key with what is wrong with it.

`Settings` holds what every site has. Each chat platform adds its own top-level section
(`[name]`) and the field naming a member on it; `settings_model` builds, once per list of
platforms, the model with those fields, so that the file keeps its flat shape, the environment
reaches the platform sections like any other (pydantic-settings reads only declared fields) and a
mistake there is reported at its key. The platforms are passed in rather than imported: they
build on this module, and the registry (`baoxiu.platforms.PLATFORMS`) sits above both.
"""

import functools
import math
import os
import re
import tomllib
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Protocol, Self, TypeVar, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    SecretStr,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url

from tickets.audience import Audience
from tickets.deadlines import Counting, Policy, Rung, Step, Target, TargetChange
from tickets.duplicates import DuplicateRule
from tickets.fee_sheet import CODE
from tickets.fees import MAX_FEN, FeeSchedule, fen
from tickets.fees import FeeItem as ScheduleItem
from tickets.hotspots import HotspotRule
from tickets.people import Directory, DispatchMode, Member, Role, Team
from tickets.phone import normalize_phone
from tickets.rota import WEEKDAYS, Entry, OnCall, Rotas, Span, TeamRota
from tickets.routing import DEFAULT_EMERGENCY_WORDS, DEFAULT_URGENT_WORDS
from tickets.states import Urgency
from tickets.visits import VisitPolicy, VisitRule, VisitWhen
from tickets.worktime import WorkCalendar, Workday, china, weekdays

DEFAULT_PATH = Path("baoxiu.toml")
ENV_PATH = "BAOXIU_CONFIG"

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Text = Annotated[str, Field(min_length=1, max_length=64)]


class ConfigError(Exception):
    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteConfig(Section):
    name: Text = "示例物业"
    timezone: str = "Asia/Shanghai"
    public_url: str = "http://127.0.0.1:8080"
    hotline: str | None = None
    """The service centre's phone (物业服务中心), shown to residents wherever they are told
    to call: the form, the status page, the poster, the "too often" answer."""
    trusted_proxies: list[IPvAnyNetwork] = []
    """Reverse proxies in front of baoxiu (127.0.0.1, 10.0.0.0/8): a request from one of them
    is taken to come from the client its `X-Forwarded-For` names (integration/web/proxies.py)."""
    data_dir: Path = Path("var")
    """Residents' photos live here; a relative path is taken from the config file's folder.
    Beside the default database, so that a run leaves its data in one ignored place."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name like Asia/Shanghai"
            ) from None
        return value

    @field_validator("hotline")
    @classmethod
    def _a_phone_number(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not re.fullmatch(r"[0-9+()\- ]{3,24}", value) or sum(c.isdigit() for c in value) < 3:
            raise ValueError(
                f"not a phone number: {value!r}; write it as residents dial it, "
                "e.g. 0571-88886666 or 400-800-1234"
            )
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


class DatabaseConfig(Section):
    url: str = "sqlite+aiosqlite:///var/baoxiu.db"

    @field_validator("url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        """Plain `sqlite:///` and `postgresql://` URLs get the async driver we ship with."""
        try:
            url = make_url(value)
        except Exception:
            raise ValueError(f"not a database URL: {value!r}") from None
        backend = url.get_backend_name()
        if backend == "postgres":
            backend = "postgresql"
        if backend not in _DRIVERS:
            raise ValueError(f"unsupported database {backend!r}; use sqlite or postgresql")
        return url.set(drivername=_DRIVERS[backend]).render_as_string(hide_password=False)


class DeliveryConfig(Section):
    enabled: bool = True
    """Whether this process sends cards. Every replica may; the outbox shares the work."""
    poll_interval_s: Annotated[float, Field(gt=0, le=60)] = 1.0


KEY_BITS = 72
"""Least randomness an API key must show: `secrets.token_urlsafe(16)` never has less than
about 78 bits by this measure, sixteen `a`s have none, `abcdefghijklmnop` 64."""
NEW_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


def key_bits(key: str) -> float:
    """The key's length times the Shannon entropy of its characters: a cheap floor-free
    estimate that catches repeated and few-character keys, not a strength meter."""
    counts = Counter(key)
    return -sum(n * math.log2(n / len(key)) for n in counts.values())


class ApiConfig(Section):
    keys: list[SecretStr] = []

    @field_validator("keys")
    @classmethod
    def _strong_enough(cls, keys: list[SecretStr]) -> list[SecretStr]:
        for key in keys:
            if len(key.get_secret_value()) < 16:
                raise ValueError(f"each API key needs at least 16 characters; make one: {NEW_KEY}")
            if key_bits(key.get_secret_value()) < KEY_BITS:
                raise ValueError(f"an API key is too easy to guess; make one: {NEW_KEY}")
        return keys


class ChatBinding(Section):
    platform: str
    """The name of a registered platform; `Settings` checks it against them."""
    chat_id: Annotated[str, Field(min_length=1, max_length=128)]


def _shift_span(value: str) -> str:
    try:
        Span.parse(value)
    except ValueError:
        raise ValueError(
            f"{value!r}: write a span as 08:30-17:30; one ending at or before its start runs "
            "past midnight (17:30-08:30)"
        ) from None
    return value


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
"""A time of day as the file writes it: "08:00"."""


class RotaEntry(Section):
    """`[[teams.rota]]`: these members are on duty in these hours on the working days of the
    calendar (`[sla]`) whose weekday is named; `tickets.rota` says how the days count."""

    members: Annotated[list[Slug], Field(min_length=1)]
    days: Annotated[list[Weekday], Field(min_length=1)] = list(get_args(Weekday))
    hours: Annotated[list[Annotated[str, AfterValidator(_shift_span)]], Field(min_length=1)]


class OnCallConfig(Section):
    """`[teams.on_call]`: who covers the hours no rota entry covers (备班)."""

    technician: Slug
    supervisor: Slug


class TeamConfig(Section):
    id: Slug
    name: Text
    categories: Annotated[list[Text], Field(min_length=1)]
    dispatch: DispatchMode = DispatchMode.CLAIM
    max_open_per_technician: Annotated[int, Field(ge=1, le=100)] = 5
    chats: list[ChatBinding] = []
    rota: list[RotaEntry] = []
    on_call: OnCallConfig | None = None
    """Set, the team keeps a rota: its entries, or the imported sheet, say who is on duty
    when, and the on-call pair covers the rest. Unset, everyone is on duty all the time."""
    digest: ClockTime | None = None
    """Set ("08:00"), the team's group gets its open jobs, the most overdue first, each day
    at that time (今日待办)."""


def _phone(value: str | None) -> str | None:
    return None if value is None else normalize_phone(value)


class MemberConfig(Section):
    """Each platform adds the field naming the member on it (`settings_model`); `platform_id`
    reads it."""

    id: Slug
    name: Text
    roles: Annotated[list[Role], Field(min_length=1)]
    teams: list[Slug] = []
    phone: Annotated[str | None, AfterValidator(_phone)] = None


class RoutingConfig(Section):
    emergency_words: list[str] = list(DEFAULT_EMERGENCY_WORDS)
    urgent_words: list[str] = list(DEFAULT_URGENT_WORDS)


class SlaTarget(Section):
    accept_minutes: Annotated[int, Field(gt=0)]
    arrive_minutes: Annotated[int, Field(gt=0)]
    complete_minutes: Annotated[int, Field(gt=0)]
    clock: Counting | None = None
    """"always" (round the clock) or "working" (working hours on working days); left out,
    an emergency counts round the clock and the rest in working time."""


class SlaChange(Section):
    """A category's own promise (`[sla.categories."电梯"]`): what it sets replaces the
    urgency's."""

    accept_minutes: Annotated[int, Field(gt=0)] | None = None
    arrive_minutes: Annotated[int, Field(gt=0)] | None = None
    complete_minutes: Annotated[int, Field(gt=0)] | None = None
    clock: Counting | None = None


_REACH = re.compile(
    r"(assignee|team|supervisors|management|on_duty|member:[a-z0-9][a-z0-9_-]{0,63})"
)


def _reach(value: str) -> str:
    if not _REACH.fullmatch(value):
        raise ValueError(
            f"{value!r}: write assignee, team, supervisors, management, on_duty or member:<id>"
        )
    return value


class EscalationStep(Section):
    after_minutes: Annotated[int, Field(ge=0)]
    """Minutes after a deadline is missed."""
    to: Annotated[str, AfterValidator(_reach)]
    """assignee, team, supervisors, management, on_duty, or member:<id>."""


_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


def _working_hours(spans: list[str]) -> list[str]:
    """Spans like "08:30-12:00", each ending after it starts, in order, none overlapping."""
    last = time.min
    for span in spans:
        found = _SPAN.match(span)
        if found is None:
            raise ValueError(f"{span!r}: write a span as 08:30-12:00")
        begin, end = time(int(found[1]), int(found[2])), time(int(found[3]), int(found[4]))
        if end <= begin or begin < last:
            raise ValueError(f"{span!r}: spans must end after they start, in order, not overlap")
        last = end
    return spans


class SlaConfig(Section):
    """What the company promises and when it counts: minutes per urgency, the working
    calendar, and whom an overdue ticket climbs to."""

    calendar: Literal["cn", "weekdays"] = "cn"
    """"cn": China's public holidays with their make-up working days (调休); "weekdays":
    Monday to Friday. The site's own `extra_holidays` and `extra_workdays` apply to both."""
    working_hours: Annotated[list[str], Field(min_length=1), AfterValidator(_working_hours)] = [
        "08:30-12:00",
        "13:30-17:30",
    ]
    extra_holidays: list[date] = []
    extra_workdays: list[date] = []
    check_seconds: Annotated[int, Field(ge=5, le=3600)] = 60
    emergency: SlaTarget = SlaTarget(accept_minutes=15, arrive_minutes=30, complete_minutes=240)
    urgent: SlaTarget = SlaTarget(accept_minutes=60, arrive_minutes=240, complete_minutes=1440)
    normal: SlaTarget = SlaTarget(accept_minutes=1440, arrive_minutes=2880, complete_minutes=4320)
    categories: dict[str, SlaChange] = {}
    escalation: list[EscalationStep] = [
        EscalationStep(after_minutes=0, to="assignee"),
        EscalationStep(after_minutes=30, to="supervisors"),
        EscalationStep(after_minutes=120, to="management"),
    ]
    release_unstarted: bool = False
    """A claimed job not started by its arrive deadline goes back to the group (claim teams)."""
    auto_close_days: Annotated[int, Field(ge=1, le=30)] = 3
    """A completed job the resident has not confirmed after this many days is closed by
    baoxiu, as 系统自动结单（业主未确认）."""

    def workday(self) -> Workday:
        """The site's working days: what SLA clocks count and rota entries apply on."""
        days = china if self.calendar == "cn" else weekdays
        return days(self.extra_holidays, self.extra_workdays)

    def policy(self, tz: ZoneInfo) -> Policy:
        """The policy the core counts deadlines with, in the site's zone."""
        hours = tuple(
            (time.fromisoformat(begin), time.fromisoformat(end))
            for begin, end in (span.split("-") for span in self.working_hours)
        )
        calendar = WorkCalendar(hours, tz, self.workday())
        targets = {urgency: _target(getattr(self, urgency.value), urgency) for urgency in Urgency}
        categories = {name: _change(change) for name, change in self.categories.items()}
        chain = tuple(Rung(step.after_minutes, step.to) for step in self.escalation)
        auto_close = timedelta(days=self.auto_close_days)
        return Policy(targets, categories, calendar, chain, self.release_unstarted, auto_close)


def _minutes(target: SlaTarget | SlaChange) -> dict[Step, int]:
    found = {step: getattr(target, f"{step.value}_minutes") for step in Step}
    return {step: minutes for step, minutes in found.items() if minutes is not None}


def _target(target: SlaTarget, urgency: Urgency) -> Target:
    default = Counting.ALWAYS if urgency is Urgency.EMERGENCY else Counting.WORKING
    return Target(_minutes(target), target.clock or default)


def _change(change: SlaChange) -> TargetChange:
    return TargetChange(_minutes(change), change.clock)


class ChatsConfig(Section):
    """Chats beyond the team groups: the supervisors' dispatch desk and the management chat."""

    supervisors: list[ChatBinding] = []
    """Tickets that wait for a dispatcher (assign-mode teams, a full round-robin team) go here."""
    management: list[ChatBinding] = []
    """Read-only cards and, from the reports issue on, the weekly summary."""
    agents: list[ChatBinding] = []
    """Customer service's chat: closed tickets' return visits (回访) come due here."""


class ReportsConfig(Section):
    """When the weekly summary (周报) of the week before goes to the management chats."""

    weekly_day: Weekday = "mon"
    weekly_time: ClockTime = "09:00"


class DuplicatesConfig(Section):
    """`[duplicates]`: when a new report is marked as possibly repeating an open one
    (tickets/duplicates.py)."""

    window_hours: Annotated[int, Field(ge=1, le=24 * 7)] = 24
    """How far back an open report may be that a new one repeats."""
    similarity: Annotated[int, Field(ge=1, le=100)] = 60
    """From what score (0 to 100) two descriptions of different categories are one fault."""

    def rule(self) -> DuplicateRule:
        return DuplicateRule(timedelta(hours=self.window_hours), self.similarity)


class HotspotsConfig(Section):
    """`[hotspots]`: a place or building with this many faults of one category within the
    window is a candidate for preventive work (tickets/hotspots.py)."""

    window_days: Annotated[int, Field(ge=1, le=366)] = 30
    min_count: Annotated[int, Field(ge=2, le=1000)] = 3

    def rule(self) -> HotspotRule:
        return HotspotRule(self.window_days, self.min_count)


Yuan = Annotated[Decimal, Field(ge=0, le=MAX_FEN // 100, decimal_places=2)]
"""Money as the file writes it: 30 or 12.5 yuan, exact; the core counts it in fen."""


class FeeItem(Section):
    """`[[fees.items]]`: one line of the published schedule. A fixed `price`, a range the
    technician prices within (`min_price`, `max_price`), or `free` (covered by the
    management fee: recorded on the work order, charged nothing)."""

    code: Annotated[str, Field(pattern=CODE.pattern)]
    name: Text
    category: Text | None = None
    """The category it applies to (one a team takes); left out, any category."""
    unit: Text = "次"
    price: Yuan | None = None
    min_price: Yuan | None = None
    max_price: Yuan | None = None
    free: bool = False

    @model_validator(mode="after")
    def _priced_once(self) -> Self:
        ranged = (self.min_price, self.max_price)
        if self.free:
            if self.price is not None or ranged != (None, None):
                raise ValueError("a free item has no price, min_price or max_price")
        elif self.price is not None:
            if ranged != (None, None):
                raise ValueError("give either price or min_price and max_price, not both")
        elif self.min_price is None or self.max_price is None:
            raise ValueError("give price, or min_price and max_price, or free = true")
        elif self.min_price > self.max_price:
            raise ValueError(f"min_price {self.min_price} is above max_price {self.max_price}")
        return self

    def item(self) -> ScheduleItem:
        """The core's item, in fen."""
        prices = (self.price, self.min_price, self.max_price)
        price, low, high = (None if p is None else fen(p) for p in prices)
        return ScheduleItem(
            self.code, self.name, self.unit, self.category, price, low, high, self.free
        )


class FeesConfig(Section):
    """The published fee schedule (维修服务项目表及收费标准): what a job may be charged.
    `baoxiu fees import` replaces the items from the office's sheet."""

    items: list[FeeItem] = []


class VisitConfig(Section):
    """`[[visits]]`: whether a category's closed jobs get a return visit (回访), and when.
    A category without one (and no rule without a category) gets none."""

    category: Text | None = None
    """The category it applies to (one a team takes); left out, every other category."""
    policy: VisitWhen
    """never, if_not_rated (the resident gave no stars) or always."""
    after_days: Annotated[int, Field(ge=0, le=90)] = 3

    def rule(self) -> VisitRule:
        return VisitRule(self.policy, self.after_days, self.category)


class PlatformFields(Protocol):
    """What the config needs to know of a chat platform."""

    @property
    def name(self) -> str:
        """What chats write as `platform`, and the name of its section."""
        ...

    @property
    def section(self) -> type[Section] | None:
        """Its `[name]` section, if it has settings of its own."""
        ...

    @property
    def member_field(self) -> str | None:
        """The member setting that names a member on it (their open_id, userId…), if any."""
        ...


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BAOXIU_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )
    platforms: ClassVar[tuple[PlatformFields, ...]] = ()
    """Those the model was built with (`settings_model`); none on this base class."""

    site: SiteConfig = SiteConfig()
    database: DatabaseConfig = DatabaseConfig()
    api: ApiConfig = ApiConfig()
    routing: RoutingConfig = RoutingConfig()
    teams: Annotated[list[TeamConfig], Field(min_length=1)]
    members: list[MemberConfig] = []
    chats: ChatsConfig = ChatsConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    sla: SlaConfig = SlaConfig()
    reports: ReportsConfig = ReportsConfig()
    duplicates: DuplicatesConfig = DuplicatesConfig()
    hotspots: HotspotsConfig = HotspotsConfig()
    fees: FeesConfig = FeesConfig()
    visits: list[VisitConfig] = []

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The environment wins over the file, which arrives as init arguments."""
        return (env_settings, init_settings)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if not self.platforms:
            raise TypeError("build the settings with settings_model(PLATFORMS), not Settings")
        problems = []
        team_ids = [t.id for t in self.teams]
        problems += _duplicates("teams", "id", team_ids)
        problems += _duplicates("members", "id", [m.id for m in self.members])
        problems += _duplicates("teams", "category", [c for t in self.teams for c in t.categories])
        for i, member in enumerate(self.members):
            unknown = sorted(set(member.teams) - set(team_ids))
            if unknown:
                problems.append(f"members[{i}].teams: unknown team {', '.join(unknown)}")
            scoped = {Role.TECHNICIAN, Role.SUPERVISOR} & set(member.roles)
            if scoped and not member.teams:
                role = sorted(scoped)[0].value
                problems.append(f"members[{i}].teams: a {role} needs at least one team")
        member_ids = {m.id for m in self.members}
        for i, step in enumerate(self.sla.escalation):
            target = step.to.removeprefix("member:")
            if step.to.startswith("member:") and target not in member_ids:
                problems.append(f"sla.escalation[{i}].to: unknown member {target}")
        directory = self.directory()
        for i, team in enumerate(self.teams):
            problems += _rota_problems(f"teams[{i}]", team, directory)
        categories = {c for t in self.teams for c in t.categories}
        for name in sorted(set(self.sla.categories) - categories):
            problems.append(f"sla.categories.{name}: no team takes this category")
        problems += _duplicates("fees.items", "code", [i.code for i in self.fees.items])
        for i, item in enumerate(self.fees.items):
            if item.category is not None and item.category not in categories:
                problems.append(f"fees.items[{i}].category: no team takes {item.category!r}")
        visited = [v.category or "(any)" for v in self.visits]
        problems += _duplicates("visits", "category", visited)
        for i, visit in enumerate(self.visits):
            if visit.category is not None and visit.category not in categories:
                problems.append(f"visits[{i}].category: no team takes {visit.category!r}")
        names = [p.name for p in self.platforms]
        for where, chat in self._bindings():
            if chat.platform not in names:
                problems.append(f"{where}.platform: Input should be {_one_of(names)}")
        used = {c.platform for c in self.all_chats()}
        for platform in self.platforms:
            name = platform.name
            needed = platform.section and any(
                field.is_required() for field in platform.section.model_fields.values()
            )  # a section that is all defaults may be left out
            if needed and name in used and getattr(self, name, None) is None:
                problems.append(f"{name}: a team chat uses {name}, add a [{name}] section")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _bindings(self) -> Iterator[tuple[str, ChatBinding]]:
        """Every chat of the config, with where it is written."""
        for i, team in enumerate(self.teams):
            for j, chat in enumerate(team.chats):
                yield f"teams[{i}].chats[{j}]", chat
        for j, chat in enumerate(self.chats.supervisors):
            yield f"chats.supervisors[{j}]", chat
        for j, chat in enumerate(self.chats.management):
            yield f"chats.management[{j}]", chat
        for j, chat in enumerate(self.chats.agents):
            yield f"chats.agents[{j}]", chat

    def rotas(self) -> Rotas:
        """The rotas of the teams that keep one (those with an on-call pair)."""
        teams = {
            t.id: TeamRota(
                entries=tuple(
                    Entry(
                        members=tuple(e.members),
                        weekdays=frozenset(WEEKDAYS.index(day) for day in e.days),
                        spans=tuple(Span.parse(span) for span in e.hours),
                    )
                    for e in t.rota
                ),
                on_call=OnCall(t.on_call.technician, t.on_call.supervisor),
            )
            for t in self.teams
            if t.on_call is not None
        }
        return Rotas(teams, self.site.tz, self.sla.workday())

    def fee_schedule(self) -> FeeSchedule:
        """The published schedule, in fen, in the file's order."""
        return FeeSchedule.of(item.item() for item in self.fees.items)

    def visit_policy(self) -> VisitPolicy:
        return VisitPolicy.of(visit.rule() for visit in self.visits)

    def reached_at(self, public_url: str) -> Self:
        """These settings with the public address of this run (`baoxiu.listening`)."""
        site = self.site.model_copy(update={"public_url": public_url})
        return self.model_copy(update={"site": site})

    def all_chats(self) -> list[ChatBinding]:
        extra = [*self.chats.supervisors, *self.chats.management, *self.chats.agents]
        return [c for t in self.teams for c in t.chats] + extra

    def groups(self, platform: str) -> list[tuple[Audience, str]]:
        """Every group chat of `platform` in the config, and whom a card there shows."""
        bindings = [(Audience.TEAM, c) for t in self.teams for c in t.chats]
        bindings += [(Audience.SUPERVISORS, c) for c in self.chats.supervisors]
        bindings += [(Audience.MANAGEMENT, c) for c in self.chats.management]
        bindings += [(Audience.AGENTS, c) for c in self.chats.agents]
        return [(audience, c.chat_id) for audience, c in bindings if c.platform == platform]

    def directory(self) -> Directory:
        return Directory(
            teams=[
                Team(
                    id=t.id,
                    name=t.name,
                    categories=tuple(t.categories),
                    dispatch=t.dispatch,
                    max_open_per_technician=t.max_open_per_technician,
                )
                for t in self.teams
            ],
            members=[
                Member(
                    id=m.id,
                    name=m.name,
                    roles=frozenset(m.roles),
                    teams=frozenset(m.teams),
                    phone=m.phone,
                )
                for m in self.members
            ],
        )


def _rota_problems(where: str, team: TeamConfig, directory: Directory) -> list[str]:
    """Everyone a rota names works in the team, in the role it gives them."""
    problems = []
    if team.rota and team.on_call is None:
        problems.append(
            f"{where}.on_call: a team with [[teams.rota]] entries needs [teams.on_call] "
            "(technician, supervisor) for the hours they leave"
        )
    for j, entry in enumerate(team.rota):
        for member_id in entry.members:
            member = directory.members.get(member_id)
            if member is None:
                problems.append(f"{where}.rota[{j}].members: unknown member {member_id}")
            elif not (member.is_technician_of(team.id) or member.is_supervisor_of(team.id)):
                problems.append(
                    f"{where}.rota[{j}].members: {member_id} is not a technician or supervisor "
                    f"of team {team.id}"
                )
    if team.on_call is not None:
        for role in (Role.TECHNICIAN, Role.SUPERVISOR):
            member_id = getattr(team.on_call, role.value)
            member = directory.members.get(member_id)
            if member is None:
                problems.append(f"{where}.on_call.{role.value}: unknown member {member_id}")
            elif not (member.has(role) and team.id in member.teams):
                problems.append(
                    f"{where}.on_call.{role.value}: {member_id} is not a {role.value} "
                    f"of team {team.id}"
                )
    return problems


def _duplicates(section: str, key: str, values: list[str]) -> list[str]:
    repeated = sorted(v for v, n in Counter(values).items() if n > 1)
    return [f"{section}: {key} {v!r} appears more than once" for v in repeated]


def _one_of(names: Sequence[str]) -> str:
    """`'a', 'b' or 'c'`, as pydantic words a choice."""
    quoted = [repr(n) for n in names]
    if len(quoted) < 2:
        return "".join(quoted)
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"


@functools.cache
def settings_model(platforms: tuple[PlatformFields, ...]) -> type[Settings]:
    """`Settings` with each platform's section (optional) and member id field."""
    ids: dict[str, Any] = {p.member_field: (str | None, None) for p in platforms if p.member_field}
    member = create_model("MemberConfig", __base__=MemberConfig, **ids)
    sections: dict[str, Any] = {p.name: (p.section | None, None) for p in platforms if p.section}
    model = create_model("Settings", __base__=Settings, members=(list[member], []), **sections)
    model.platforms = platforms
    return model


S = TypeVar("S", bound=Section)


def platform_section(settings: Settings, name: str, kind: type[S]) -> S | None:
    """The `[name]` section of a platform, typed; None when the file has none."""
    value = getattr(settings, name, None)
    if value is None:
        return None
    if isinstance(value, kind):
        return value
    raise TypeError(f"[{name}] is a {type(value).__name__}, not a {kind.__name__}")


def platform_id(member: MemberConfig, field: str) -> str | None:
    """The member's id on a platform, from that platform's member field."""
    value = getattr(member, field, None)
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{field} is a {type(value).__name__}, not a str")


def config_path(explicit: Path | None) -> Path:
    if explicit is not None:
        return explicit
    return Path(os.environ.get(ENV_PATH) or DEFAULT_PATH)


def load(path: Path, platforms: Sequence[PlatformFields]) -> Settings:
    """Read, merge with the environment, validate; relative SQLite paths follow the file."""
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            path, ["file not found; create one with `baoxiu init --demo` or pass --config"]
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, [f"not valid TOML: {error}"]) from None
    try:
        settings = settings_model(tuple(platforms))(**data)
    except ValidationError as error:
        raise ConfigError(path, [_describe(e) for e in error.errors()]) from None
    settings = _anchor_sqlite(settings, path.parent)
    site = settings.site.model_copy(update={"data_dir": path.parent / settings.site.data_dir})
    return settings.model_copy(update={"site": site})


def _describe(error: Any) -> str:
    location = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]
    ).lstrip(".")
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check the spelling)"
    return f"{location}: {message}" if location else message


def _anchor_sqlite(settings: Settings, base: Path) -> Settings:
    url = make_url(settings.database.url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return settings
    file = Path(url.database)
    if file.is_absolute():
        return settings
    anchored = url.set(database=str((base / file).resolve())).render_as_string(False)
    return settings.model_copy(update={"database": DatabaseConfig(url=anchored)})
