"""The platform registry drives the config, the app, the chat planner and the doctor: none of
them names a platform, and every registered one is heard in each."""

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from baoxiu.app import create_app
from baoxiu.config import (
    ChatBinding,
    ConfigError,
    Section,
    Settings,
    load,
    platform_id,
    platform_section,
    settings_model,
)
from baoxiu.doctor import examine
from baoxiu.platforms import PLATFORMS, sandbox
from baoxiu.platforms.sandbox import sandbox_chats
from baoxiu.wiring import planner_for
from tests.fakes import dingtalk as fake_dingtalk
from tests.fakes import feishu as fake_feishu
from tests.fakes import feishu_callbacks as fake_feishu_callbacks
from tests.fakes.dingtalk import FakeDingTalk
from tests.fakes.feishu import FakeFeishu
from tickets.clock import SystemClock

ROOT = Path(__file__).resolve().parent.parent
COMPOSITION = ["baoxiu/app.py", "baoxiu/wiring.py", "baoxiu/doctor.py", "baoxiu/config.py"]
PLATFORM_WORDS = ["sandbox", "feishu", "dingtalk", "lark", "沙盒", "飞书", "钉钉"]

FEISHU_GROUP = "oc_5ad11d72b830411d72b836c20a1b0001"
DINGTALK_GROUP = "cidshuidianQ0DbfgYxJmlpw8e0m3Zs5g=="
OPEN_ID = "ou_155184d1e73cbfb8973e5a9e698e74f2"


def _named(path: Path) -> set[str]:
    """The platform words in a file, whatever their case."""
    text = path.read_text(encoding="utf-8").lower()
    return {word for word in PLATFORM_WORDS if word in text}


def test_the_composition_root_names_no_platform() -> None:
    assert {path: _named(ROOT / path) for path in COMPOSITION} == {p: set() for p in COMPOSITION}


def test_the_scan_sees_platform_names_where_they_belong() -> None:
    """So that an empty answer above means absence, not a scan that reads nothing."""
    found = set().union(*map(_named, (ROOT / "baoxiu" / "platforms").rglob("*.py")))
    assert {word for p in PLATFORMS for word in (p.name, p.label)} <= found


def test_a_chat_must_name_a_registered_platform(tmp_path: Path) -> None:
    path = tmp_path / "baoxiu.toml"
    path.write_text(
        '[[teams]]\nid = "a"\nname = "A"\ncategories = ["水电"]\n'
        'chats = [{ platform = "wecom", chat_id = "x" }]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as error:
        load(path, PLATFORMS)
    (problem,) = error.value.problems
    assert problem.startswith("teams[0].chats[0].platform: Input should be ")
    assert all(repr(platform.name) in problem for platform in PLATFORMS)


class WeComConfig(Section):
    corp_id: str
    secret: SecretStr


class WeCom:
    """What the config reads of a platform, for one it has never heard of."""

    name = "wecom"
    section = WeComConfig
    member_field = "wecom_user_id"


def test_the_settings_model_has_a_section_and_member_field_per_platform(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = settings_model((sandbox.PLATFORM, WeCom()))
    team = {"id": "a", "name": "A", "categories": ["水电"]}
    li = {"id": "li", "name": "李", "roles": ["agent"]}
    with pytest.raises(ValueError, match=r"chats\[0\]\.platform: Input should be 'sandbox' or"):
        model(teams=[{**team, "chats": [{"platform": "feishu", "chat_id": "oc_1"}]}])
    with pytest.raises(ValueError, match=r"a team chat uses wecom, add a \[wecom\] section"):
        model(teams=[{**team, "chats": [{"platform": "wecom", "chat_id": "g1"}]}])
    with pytest.raises(ValueError, match=r"members\.0\.feishu_open_id"):
        model(teams=[team], members=[{**li, "feishu_open_id": OPEN_ID}])

    monkeypatch.setenv("BAOXIU_WECOM__SECRET", "from-the-environment")
    values: dict[str, Any] = {
        "wecom": {"corp_id": "ww1", "secret": "in-the-file"},
        "teams": [{**team, "chats": [{"platform": "wecom", "chat_id": "g1"}]}],
        "members": [{**li, "wecom_user_id": "LiSi"}],
    }
    settings = model(**values)
    section = platform_section(settings, "wecom", WeComConfig)
    assert section is not None and section.secret.get_secret_value() == "from-the-environment"
    assert platform_id(settings.members[0], "wecom_user_id") == "LiSi"


def test_settings_without_platforms_are_refused() -> None:
    with pytest.raises(TypeError, match="settings_model"):
        Settings(teams=[{"id": "a", "name": "A", "categories": ["水电"]}])


@pytest.fixture
async def everywhere(db_url: str, tmp_path: Path) -> AsyncIterator[Settings]:
    """One team with a group on every platform, one technician known on each."""
    async with FakeFeishu() as feishu, FakeDingTalk() as dingtalk:
        feishu.add_chat(FEISHU_GROUP, name="水电维修群")
        feishu.add_user(OPEN_ID, name="李四")
        dingtalk.add_group(DINGTALK_GROUP)
        values: dict[str, Any] = {
            "site": {"data_dir": str(tmp_path / "data"), "public_url": "https://wy.example.cn"},
            "database": {"url": db_url},
            "feishu": {
                "app_id": fake_feishu.APP_ID,
                "app_secret": fake_feishu.APP_SECRET,
                "base_url": feishu.base_url,
                "mode": "webhook",
                "encrypt_key": fake_feishu_callbacks.ENCRYPT_KEY,
                "verification_token": fake_feishu_callbacks.VERIFICATION_TOKEN,
            },
            "dingtalk": {
                "app_key": fake_dingtalk.APP_KEY,
                "app_secret": fake_dingtalk.APP_SECRET,
                "robot_code": fake_dingtalk.ROBOT_CODE,
                "card_template_id": "5c7c2e1b-9a0d-4f7e-8f43-0b7d2c1a9e10.schema",
                "base_url": dingtalk.base_url,
                "mode": "http",
                "callback_route_key": "baoxiu-cards",
                "api_secret": "an-api-secret-of-our-own-choosing",
            },
            "teams": [
                {
                    "id": "shuidian",
                    "name": "水电组",
                    "categories": ["水电"],
                    "chats": [
                        {"platform": "sandbox", "chat_id": "shuidian"},
                        {"platform": "feishu", "chat_id": FEISHU_GROUP},
                        {"platform": "dingtalk", "chat_id": DINGTALK_GROUP},
                    ],
                }
            ],
            "members": [
                {
                    "id": "li",
                    "name": "李师傅",
                    "roles": ["technician"],
                    "teams": ["shuidian"],
                    "feishu_open_id": OPEN_ID,
                    "dingtalk_user_id": "dt-li",
                }
            ],
        }
        yield settings_model(PLATFORMS)(**values)


def test_every_platform_plans_its_private_chat(everywhere: Settings) -> None:
    planned = planner_for(everywhere).direct_chats["li"]
    assert [platform for platform, _ in planned] == [p.name for p in PLATFORMS]


async def test_every_platform_in_use_is_heard_by_the_doctor(everywhere: Settings) -> None:
    findings = await examine(everywhere, SystemClock())
    assert all(f.ok for f in findings), findings
    for platform in PLATFORMS:
        assert any(platform.label in f.text for f in findings), platform.name


async def test_every_platform_in_use_mounts_its_routes(everywhere: Settings) -> None:
    async with TestClient(TestServer(create_app(everywhere))) as client:
        resources = {r.canonical for r in client.app.router.resources()}
        home = await client.get("/", allow_redirects=False)
    assert {"/sandbox", "/callbacks/feishu", "/callbacks/dingtalk"} <= resources
    assert home.headers["Location"] == sandbox.HOME


def test_listing_the_platforms_imports_no_sdk() -> None:
    """lark-oapi takes seconds to import: the CLI must not pay for it before a site uses it."""
    check = "import sys, baoxiu.cli; print('lark_oapi' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "False"


def test_only_members_who_work_in_the_sandbox_have_a_private_chat_there(
    everywhere: Settings,
) -> None:
    """Management alone on the sandbox (a site switching over): no technician's private card,
    with residents' full contacts, may show on a page that has no login."""
    teams = [
        team.model_copy(update={"chats": [c for c in team.chats if c.platform != "sandbox"]})
        for team in everywhere.teams
    ]
    chats = everywhere.chats.model_copy(
        update={"management": [ChatBinding(platform="sandbox", chat_id="management")]}
    )
    switching = everywhere.model_copy(update={"teams": teams, "chats": chats})
    planned = planner_for(switching).direct_chats["li"]
    assert "sandbox" not in [platform for platform, _ in planned]
    assert [c.id for c in sandbox_chats(switching)] == ["management"]
