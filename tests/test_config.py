"""Configuration: the demo is valid, mistakes name their key, the environment wins."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from baoxiu.config import ConfigError, load
from baoxiu.demo import config_text
from baoxiu.platforms import PLATFORMS
from baoxiu.platforms.feishu.config import feishu_config
from baoxiu.wiring import planner_for
from tickets.audience import Audience, CardAddress
from tickets.duplicates import DuplicateRule
from tickets.fees import FeeItem
from tickets.hotspots import HotspotRule
from tickets.recipients import Reach
from tickets.rota import OnCall
from tickets.visits import VisitRule, VisitWhen


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "baoxiu.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_config_is_a_working_community(tmp_path: Path) -> None:
    settings = load(write(tmp_path, config_text(demo=True)), PLATFORMS)
    directory = settings.directory()
    assert {t.name for t in directory.teams.values()} == {"水电组", "土建组", "电梯组"}
    assert {r for m in directory.members.values() for r in m.roles} == {
        "agent",
        "technician",
        "supervisor",
        "manager",
        "admin",
    }
    assert settings.site.timezone == "Asia/Shanghai"
    assert settings.database.url == f"sqlite+aiosqlite:///{tmp_path / 'var' / 'baoxiu.db'}"
    assert settings.site.data_dir == tmp_path / "var"
    assert len(settings.api.keys[0].get_secret_value()) >= 16


def test_minimal_config_is_valid(tmp_path: Path) -> None:
    assert len(load(write(tmp_path, config_text(demo=False)), PLATFORMS).teams) == 1


TEAM = '[[teams]]\nid = "a"\nname = "A"\ncategories = ["水电"]\n'
DINGTALK = '[dingtalk]\napp_key = "k"\napp_secret = "s"\nrobot_code = "k"\ncard_template_id = "t"\n'


GUESSABLE = "api.keys: an API key is too easy to guess"
FEISHU_WEBHOOK = '[feishu]\napp_id = "cli_1"\napp_secret = "s"\nmode = "webhook"\n'


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (TEAM.replace('"a"', '"A B"'), "teams[0].id: String should match pattern"),
        (TEAM + 'dispatch = "grab"\n', "teams[0].dispatch: Input should be 'claim'"),
        (TEAM + "max_open_per_technician = 0\n", "teams[0].max_open_per_technician:"),
        ('[site]\nnmae = "x"\n' + TEAM, "site.nmae: unknown key (check the spelling)"),
        ('[site]\ntimezone = "Mars/Base"\n' + TEAM, "site.timezone: unknown time zone"),
        ('[database]\nurl = "mysql://x/y"\n' + TEAM, "database.url: unsupported database"),
        ('[api]\nkeys = ["short"]\n' + TEAM, "api.keys: each API key needs at least 16"),
        (
            '[api]\nkeys = ["' + "a" * 16 + '"]\n' + TEAM,
            "api.keys: an API key is too easy to guess",
        ),
        (
            '[api]\nkeys = ["abcdefghijklmnop"]\n' + TEAM,
            "api.keys: an API key is too easy to guess",
        ),
        ("", "teams: Field required"),
        (
            TEAM + TEAM.replace('"a"', '"b"'),
            "teams: category '水电' appears more than once",
        ),
        (
            TEAM + '[[members]]\nid = "li"\nname = "李"\nroles = ["technician"]\n',
            "members[0].teams: a technician needs at least one team",
        ),
        (
            TEAM + '[[members]]\nid = "li"\nname = "李"\nroles = ["boss"]\nteams = ["a"]\n',
            "members[0].roles[0]: Input should be 'agent'",
        ),
        (
            TEAM + '[[members]]\nid = "li"\nname = "李"\nroles = ["agent"]\nteams = ["zz"]\n',
            "members[0].teams: unknown team zz",
        ),
        (
            TEAM + '[[members]]\nid = "li"\nname = "李"\nroles = ["agent"]\nphone = "123"\n',
            "members[0].phone: 请填写 11 位手机号",
        ),
        (
            TEAM + 'chats = [{ platform = "feishu", chat_id = "oc_1" }]\n',
            "feishu: a team chat uses feishu, add a [feishu] section",
        ),
        ('[feishu]\napp_id = "cli_1"\n' + TEAM, "feishu.app_secret: Field required"),
        (
            FEISHU_WEBHOOK + TEAM,
            'feishu: mode = "webhook" needs verification_token: copy the Verification Token',
        ),
        (
            FEISHU_WEBHOOK + 'verification_token = "v"\n' + TEAM,
            'feishu: mode = "webhook" needs encrypt_key: set an Encrypt Key in 飞书开发者后台',
        ),
        ('[dingtalk]\nap_key = "x"\n' + TEAM, "dingtalk.ap_key: unknown key (check the spelling)"),
        (
            DINGTALK + 'mode = "http"\n' + TEAM,
            'dingtalk: mode = "http" needs callback_route_key and api_secret',
        ),
        (
            TEAM + '[[members]]\nid = "li"\nname = "李"\nroles = ["agent"]\nfeishu_open_id = 7\n',
            "members[0].feishu_open_id: Input should be a valid string",
        ),
        ("[[teams]\n", "not valid TOML"),
    ],
)
def test_mistakes_name_the_key_and_what_is_wrong(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(write(tmp_path, text), PLATFORMS)
    assert any(p.startswith(problem) or problem in p for p in error.value.problems), (
        error.value.problems
    )


def test_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="baoxiu init --demo"):
        load(tmp_path / "nope.toml", PLATFORMS)


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAOXIU_DATABASE__URL", "postgres://u:p@db.internal/baoxiu")
    monkeypatch.setenv("BAOXIU_API__KEYS", '["from-the-environment-0001"]')
    monkeypatch.setenv("BAOXIU_SITE__NAME", "环境变量物业")
    settings = load(write(tmp_path, config_text(demo=True)), PLATFORMS)
    assert settings.database.url == "postgresql+asyncpg://u:p@db.internal/baoxiu"
    assert [k.get_secret_value() for k in settings.api.keys] == ["from-the-environment-0001"]
    assert settings.site.name == "环境变量物业"
    assert settings.site.timezone == "Asia/Shanghai"  # untouched keys keep the file's value
    assert len(settings.teams) == 3


def test_environment_reaches_the_platform_sections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAOXIU_FEISHU__APP_SECRET", "from-the-environment")
    text = '[feishu]\napp_id = "cli_1"\napp_secret = "in-the-file"\n' + TEAM
    config = feishu_config(load(write(tmp_path, text), PLATFORMS))
    assert config is not None and config.app_id == "cli_1"
    assert config.app_secret.get_secret_value() == "from-the-environment"


def test_secrets_are_not_printed(tmp_path: Path) -> None:
    settings = load(write(tmp_path, config_text(demo=True)), PLATFORMS)
    assert settings.api.keys[0].get_secret_value() not in repr(settings)


@pytest.mark.parametrize("hotline", ["110a", "12", "0571-8888\n6666", "<a>0571</a>"])
def test_a_hotline_must_be_a_phone_number(tmp_path: Path, hotline: str) -> None:
    text = config_text(demo=True).replace('hotline = "0571-88886666"', f"hotline = {hotline!r}")
    with pytest.raises(ConfigError, match=r"site\.hotline: not a phone number"):
        load(write(tmp_path, text), PLATFORMS)


def test_a_hotline_is_written_as_residents_dial_it(tmp_path: Path) -> None:
    text = config_text(demo=True).replace("0571-88886666", " 400-800-1234 ")
    assert load(write(tmp_path, text), PLATFORMS).site.hotline == "400-800-1234"


EMERGENCY = "emergency = { accept_minutes = 15, arrive_minutes = 30, complete_minutes = 240"
TO = "escalation = [{ after_minutes = 0, to = "


@pytest.mark.parametrize(
    ("sla", "problem"),
    [
        ('working_hours = ["8:30-12:00"]', "sla.working_hours: '8:30-12:00': write a span"),
        ('working_hours = ["13:30-12:00"]', "must end after they start"),
        ('working_hours = ["08:30-12:00", "11:00-17:30"]', "not overlap"),
        ('extra_holidays = ["2026-13-01"]', "sla.extra_holidays[0]"),
        (EMERGENCY + ', clock = "sometimes" }', "sla.emergency.clock"),
        (TO + '"member:nobody" }]', "sla.escalation[0].to: unknown member nobody"),
        (TO + '"boss" }]', "sla.escalation[0].to: 'boss': write assignee, team"),
        ('categories = { "飞机" = { accept_minutes = 5 } }', "sla.categories.飞机: no team takes"),
    ],
)
def test_the_sla_policy_is_checked(tmp_path: Path, sla: str, problem: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load(write(tmp_path, config_text(demo=True) + f"\n[sla]\n{sla}\n"), PLATFORMS)
    assert problem in str(refused.value)


ON_CALL = '[teams.on_call]\ntechnician = "liu"\nsupervisor = "chen"\n'
ROTA = '[[teams.rota]]\nmembers = ["liu", "chen"]\nhours = ["08:30-17:30"]\n'


def lift_rota(text: str) -> str:
    """The demo with `text` added to its last team, 电梯组 (teams[2])."""
    return config_text(demo=True) + "\n" + text


@pytest.mark.parametrize(
    ("rota", "problem"),
    [
        (ROTA, "teams[2].on_call: a team with [[teams.rota]] entries needs [teams.on_call]"),
        (ON_CALL.replace('"liu"', '"nobody"'), "teams[2].on_call.technician: unknown member"),
        (ON_CALL.replace('"liu"', '"li"'), "teams[2].on_call.technician: li is not a technician"),
        (
            ON_CALL.replace('"chen"', '"sun"'),
            "teams[2].on_call.supervisor: sun is not a supervisor of team dianti",
        ),
        (ON_CALL + ROTA.replace('"chen"', '"zhou"'), "teams[2].rota[0].members: zhou is not a"),
        (ON_CALL + ROTA.replace('"chen"', '"ghost"'), "teams[2].rota[0].members: unknown member"),
        (ON_CALL + ROTA + 'days = ["monday"]\n', "teams[2].rota[0].days[0]: Input should be 'mon'"),
        (ON_CALL + ROTA + "days = []\n", "teams[2].rota[0].days: List should have at least 1"),
        (
            ON_CALL + ROTA.replace("08:30-17:30", "8-17"),
            "teams[2].rota[0].hours[0]: '8-17': write a span as 08:30-17:30",
        ),
        (ON_CALL + ROTA.replace("08:30-17:30", "24:00-08:00"), "teams[2].rota[0].hours[0]"),
        (ON_CALL + '[[teams.rota]]\nmembers = ["liu"]\n', "teams[2].rota[0].hours: Field required"),
    ],
)
def test_the_rota_is_checked(tmp_path: Path, rota: str, problem: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load(write(tmp_path, lift_rota(rota)), PLATFORMS)
    assert any(problem in p for p in refused.value.problems), refused.value.problems


def test_a_rota_reaches_the_core(tmp_path: Path) -> None:
    text = ON_CALL + ROTA + 'days = ["mon", "sat"]\n' + ROTA.replace("08:30-17:30", "17:30-08:30")
    settings = load(write(tmp_path, lift_rota(text)), PLATFORMS)
    rotas = settings.rotas()
    assert set(rotas.teams) == {"dianti"} and rotas.tz == settings.site.tz
    day, night = rotas.teams["dianti"].entries
    assert (day.members, day.weekdays, str(day.spans[0])) == (
        ("liu", "chen"),
        frozenset({0, 5}),
        "08:30-17:30",
    )
    assert night.weekdays == frozenset(range(7)) and str(night.spans[0]) == "17:30-08:30"
    assert rotas.teams["dianti"].on_call == OnCall(technician="liu", supervisor="chen")
    assert not rotas.is_workday(date(2026, 10, 1)) and rotas.is_workday(date(2026, 10, 10))
    on_call_only = load(write(tmp_path, lift_rota(ON_CALL)), PLATFORMS).rotas()
    assert on_call_only.teams["dianti"].entries == ()  # the sheet says who works when


def fee(text: str) -> str:
    """The demo with one more fee item."""
    return config_text(demo=True) + f'\n[[fees.items]]\ncode = "X-1"\nname = "试"\n{text}\n'


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        ("", "fees.items[12]: give price, or min_price and max_price, or free = true"),
        ("price = 10\nmin_price = 5\nmax_price = 20", "give either price or min_price and max"),
        ("min_price = 5", "give price, or min_price and max_price, or free = true"),
        ("min_price = 50\nmax_price = 20", "min_price 50 is above max_price 20"),
        ("free = true\nprice = 10", "a free item has no price, min_price or max_price"),
        ("price = -1", "fees.items[12].price: Input should be greater than or equal to 0"),
        ("price = 12.345", "fees.items[12].price: Decimal input should have no more than 2"),
        ("price = 20000000", "fees.items[12].price: Input should be less than or equal to"),
        ('price = 1\ncategory = "绿化"', "fees.items[12].category: no team takes '绿化'"),
        ('price = 1\ncode = "SD-01"', "fees.items: code 'SD-01' appears more than once"),
        ('price = 1\nprice_words = "x"', "fees.items[12].price_words: unknown key"),
    ],
)
def test_the_fee_schedule_is_checked(tmp_path: Path, item: str, problem: str) -> None:
    text = fee(item).replace('code = "X-1"\n', "") if "code =" in item else fee(item)
    with pytest.raises(ConfigError) as refused:
        load(write(tmp_path, text), PLATFORMS)
    assert any(problem in p for p in refused.value.problems), refused.value.problems


def test_the_fee_schedule_reaches_the_core_in_fen(tmp_path: Path) -> None:
    schedule = load(write(tmp_path, fee("price = 0.1")), PLATFORMS).fee_schedule()
    assert list(schedule.items)[:2] == ["SD-01", "SD-02"]
    assert schedule.items["SD-01"] == FeeItem("SD-01", "更换水龙头", "个", "水电", price_fen=3000)
    assert (schedule.items["SD-02"].min_fen, schedule.items["SD-02"].max_fen) == (5000, 15000)
    assert schedule.items["SD-04"].price_fen == 1250
    assert schedule.items["X-1"].price_fen == 10  # 0.1 yuan, exactly
    free = schedule.items["TY-01"]
    assert (free.category, free.free, free.price_words) == (None, True, "免费（物业费已含）")
    assert [i.code for i in schedule.for_category("电梯")] == ["DT-01", "TY-01", "X-1"]


def visits(text: str) -> str:
    """The demo with one more [[visits]] rule."""
    return config_text(demo=True) + f"\n[[visits]]\n{text}\n"


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ('category = "绿化"\npolicy = "always"', "visits[3].category: no team takes '绿化'"),
        ('category = "水电"\npolicy = "never"', "visits: category '水电' appears more than once"),
        ('policy = "always"', "visits: category '(any)' appears more than once"),
        ('category = "门窗"\npolicy = "sometimes"', "visits[3].policy: Input should be 'never'"),
        ('category = "门窗"\npolicy = "always"\nafter_days = -1', "visits[3].after_days"),
        ('category = "门窗"', "visits[3].policy: Field required"),
    ],
)
def test_the_return_visits_are_checked(tmp_path: Path, rule: str, problem: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load(write(tmp_path, visits(rule)), PLATFORMS)
    assert any(problem in p for p in refused.value.problems), refused.value.problems


def test_the_return_visits_and_the_agents_chat_reach_the_core(tmp_path: Path) -> None:
    settings = load(write(tmp_path, visits('category = "门窗"\npolicy = "never"')), PLATFORMS)
    rules = settings.visit_policy().rules
    assert rules["水电"] == VisitRule(VisitWhen.ALWAYS, 3, "水电")
    assert rules[None] == VisitRule(VisitWhen.IF_NOT_RATED, 7)
    assert rules["门窗"].when is VisitWhen.NEVER
    assert settings.groups("sandbox")[-1] == (Audience.AGENTS, "agents")
    assert planner_for(settings).reach(Reach.AGENTS) == [
        CardAddress("sandbox", "agents", Audience.AGENTS)
    ]


def test_duplicates_and_hot_spots_are_configured_and_checked(tmp_path: Path) -> None:
    settings = load(write(tmp_path, config_text(demo=True)), PLATFORMS)
    assert settings.duplicates.rule() == DuplicateRule(timedelta(hours=24), 60)
    assert settings.hotspots.rule() == HotspotRule(30, 3)
    text = config_text(demo=True) + "\n[duplicates]\nwindow_hours = 6\n[hotspots]\nmin_count = 4\n"
    settings = load(write(tmp_path, text), PLATFORMS)
    assert settings.duplicates.rule().window == timedelta(hours=6)
    assert settings.hotspots.rule() == HotspotRule(30, 4)
    bad = config_text(demo=True) + "\n[duplicates]\nwindow_hours = 0\n[hotspots]\nmin_count = 1\n"
    with pytest.raises(ConfigError) as refused:
        load(write(tmp_path, bad), PLATFORMS)
    assert [p.split(":")[0] for p in refused.value.problems] == [
        "duplicates.window_hours",
        "hotspots.min_count",
    ]
