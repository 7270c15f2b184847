"""Configuration: a TOML file, every value overridable by `BAOXIU_…` environment variables.

Nested keys join with a double underscore (`BAOXIU_DATABASE__URL`, `BAOXIU_FEISHU__APP_SECRET`)
so secrets never have to sit in the file. Everything is validated at start-up; `ConfigError`
lists each bad key with what is wrong with it.
"""

import os
import tomllib
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url

from tickets.people import Directory, DispatchMode, Member, Role, Team
from tickets.phone import normalize_phone
from tickets.routing import DEFAULT_EMERGENCY_WORDS, DEFAULT_URGENT_WORDS

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
    data_dir: Path = Path("data")
    """Residents' photos live here; a relative path is taken from the config file's folder."""

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

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


class DatabaseConfig(Section):
    url: str = "sqlite+aiosqlite:///baoxiu.db"

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


class ApiConfig(Section):
    keys: list[SecretStr] = []

    @field_validator("keys")
    @classmethod
    def _long_enough(cls, keys: list[SecretStr]) -> list[SecretStr]:
        for key in keys:
            if len(key.get_secret_value()) < 16:
                raise ValueError("each API key needs at least 16 characters")
        return keys


class ChatBinding(Section):
    platform: Literal["sandbox", "feishu", "dingtalk"]
    chat_id: Annotated[str, Field(min_length=1, max_length=128)]


class TeamConfig(Section):
    id: Slug
    name: Text
    categories: Annotated[list[Text], Field(min_length=1)]
    dispatch: DispatchMode = DispatchMode.CLAIM
    max_open_per_technician: Annotated[int, Field(ge=1, le=100)] = 5
    chats: list[ChatBinding] = []


def _phone(value: str | None) -> str | None:
    return None if value is None else normalize_phone(value)


class MemberConfig(Section):
    id: Slug
    name: Text
    roles: Annotated[list[Role], Field(min_length=1)]
    teams: list[Slug] = []
    phone: Annotated[str | None, AfterValidator(_phone)] = None
    feishu_open_id: str | None = None
    dingtalk_user_id: str | None = None


class RoutingConfig(Section):
    emergency_words: list[str] = list(DEFAULT_EMERGENCY_WORDS)
    urgent_words: list[str] = list(DEFAULT_URGENT_WORDS)


class FeishuConfig(Section):
    """Used from the Feishu issue on; validated now so a config written today stays valid."""

    app_id: str
    app_secret: SecretStr
    encrypt_key: SecretStr | None = None
    verification_token: SecretStr | None = None
    base_url: str = "https://open.feishu.cn"
    mode: Literal["websocket", "webhook"] = "websocket"
    answer_deadline_s: Annotated[float, Field(gt=0, le=3)] = 3.0
    """How long Feishu waits for a click's answer. A click not done half a second before
    is answered 「正在处理，卡片稍后更新」, its card following through the outbox."""


class DingTalkConfig(Section):
    app_key: str
    app_secret: SecretStr
    robot_code: str
    """For an enterprise-internal app's robot, the same as the app key."""
    card_template_id: Annotated[str, Field(min_length=1)]
    """The ticket card built in the card platform after cards/templates/dingtalk_ticket.json."""
    base_url: str = "https://api.dingtalk.com"
    mode: Literal["stream", "http"] = "stream"
    callback_route_key: str | None = None
    api_secret: SecretStr | None = None
    answer_deadline_s: Annotated[float, Field(gt=0, le=2)] = 2.0
    """How long DingTalk waits for a click's answer. A click not done half a second before
    is answered 「正在处理，卡片稍后更新」, its card following through the outbox."""

    @model_validator(mode="after")
    def _http_needs_its_keys(self) -> Self:
        if self.mode == "http" and not (self.callback_route_key and self.api_secret):
            raise ValueError('mode = "http" needs callback_route_key and api_secret')
        return self


class SlaTarget(Section):
    accept_minutes: Annotated[int, Field(gt=0)]
    arrive_minutes: Annotated[int, Field(gt=0)]
    complete_minutes: Annotated[int, Field(gt=0)]


class SlaConfig(Section):
    """Used from the SLA issue on: minutes per urgency, counted in working time."""

    emergency: SlaTarget = SlaTarget(accept_minutes=15, arrive_minutes=30, complete_minutes=240)
    urgent: SlaTarget = SlaTarget(accept_minutes=60, arrive_minutes=240, complete_minutes=1440)
    normal: SlaTarget = SlaTarget(accept_minutes=1440, arrive_minutes=2880, complete_minutes=4320)


class ChatsConfig(Section):
    """Chats beyond the team groups: the supervisors' dispatch desk and the management chat."""

    supervisors: list[ChatBinding] = []
    """Tickets that wait for a dispatcher (assign-mode teams, a full round-robin team) go here."""
    management: list[ChatBinding] = []
    """Read-only cards and, from the reports issue on, the weekly summary."""


class ReportsConfig(Section):
    """Used from the reports issue on: when the weekly summary card goes to management."""

    weekly_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    weekly_time: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "09:00"


class FeeItem(Section):
    code: Slug
    name: Text
    unit: Text = "次"
    price: Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]


class FeesConfig(Section):
    """The published fee schedule (维修服务项目表及收费标准), used from the field-work issue on."""

    items: list[FeeItem] = []


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BAOXIU_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    site: SiteConfig = SiteConfig()
    database: DatabaseConfig = DatabaseConfig()
    api: ApiConfig = ApiConfig()
    routing: RoutingConfig = RoutingConfig()
    teams: Annotated[list[TeamConfig], Field(min_length=1)]
    members: list[MemberConfig] = []
    chats: ChatsConfig = ChatsConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    feishu: FeishuConfig | None = None
    dingtalk: DingTalkConfig | None = None
    sla: SlaConfig = SlaConfig()
    reports: ReportsConfig = ReportsConfig()
    fees: FeesConfig = FeesConfig()

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
        platforms = {c.platform for c in self.all_chats()}
        for platform in ("feishu", "dingtalk"):
            if platform in platforms and getattr(self, platform) is None:
                problems.append(
                    f"{platform}: a team chat uses {platform}, add a [{platform}] section"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def all_chats(self) -> list[ChatBinding]:
        extra = [*self.chats.supervisors, *self.chats.management]
        return [c for t in self.teams for c in t.chats] + extra

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
                Member(id=m.id, name=m.name, roles=frozenset(m.roles), teams=frozenset(m.teams))
                for m in self.members
            ],
        )


def _duplicates(section: str, key: str, values: list[str]) -> list[str]:
    repeated = sorted(v for v, n in Counter(values).items() if n > 1)
    return [f"{section}: {key} {v!r} appears more than once" for v in repeated]


def config_path(explicit: Path | None) -> Path:
    if explicit is not None:
        return explicit
    return Path(os.environ.get(ENV_PATH) or DEFAULT_PATH)


def load(path: Path) -> Settings:
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
        settings = Settings(**data)
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
