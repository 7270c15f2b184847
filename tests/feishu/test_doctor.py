"""`baoxiu doctor` against the fake Feishu: what is wrong, in words a person can act on."""

import asyncio
import sys
from pathlib import Path

from baoxiu.config import load
from baoxiu.doctor import examine
from baoxiu.platforms import PLATFORMS
from tests.fakes.feishu import APP_ID, APP_SECRET, FakeFeishu
from tickets.clock import SystemClock

GOOD = "oc_5ad11d72b830411d72b836c20a1b00a1"
WITHOUT_BOT = "oc_5ad11d72b830411d72b836c20a1b00a2"
KNOWN = "ou_155184d1e73cbfb8973e5a9e698e74f2"
UNKNOWN = "ou_000000000000000000000000000000ff"


def config(fake: FakeFeishu, tmp_path: Path, secret: str = APP_SECRET) -> Path:
    path = tmp_path / "baoxiu.toml"
    path.write_text(
        f"""
[database]
url = "sqlite+aiosqlite:///{tmp_path / "baoxiu.db"}"

[feishu]
app_id = "{APP_ID}"
app_secret = "{secret}"
base_url = "{fake.base_url}"

[[teams]]
id = "shuidian"
name = "水电组"
categories = ["水电"]
chats = [{{ platform = "feishu", chat_id = "{GOOD}" }}]

[[teams]]
id = "tujian"
name = "土建组"
categories = ["门窗"]
chats = [{{ platform = "feishu", chat_id = "{WITHOUT_BOT}" }}]

[[members]]
id = "li"
name = "李师傅"
roles = ["technician"]
teams = ["shuidian"]
feishu_open_id = "{KNOWN}"

[[members]]
id = "wang"
name = "王师傅"
roles = ["technician"]
teams = ["tujian"]
feishu_open_id = "{UNKNOWN}"

[[members]]
id = "zhao"
name = "赵师傅"
roles = ["technician"]
teams = ["tujian"]
""",
        encoding="utf-8",
    )
    return path


async def baoxiu(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "baoxiu",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_doctor_says_what_to_fix(tmp_path: Path) -> None:
    async with FakeFeishu() as fake:
        fake.add_chat(GOOD, name="水电维修群")
        fake.add_chat(WITHOUT_BOT, bot_member=False)
        fake.add_user(KNOWN, name="李四")
        path = config(fake, tmp_path)

        code, output = await baoxiu("doctor", "--config", str(path))
        assert code == 1 and "baoxiu db upgrade" in output

        assert (await baoxiu("db", "upgrade", "--config", str(path)))[0] == 0
        code, output = await baoxiu("doctor", "--config", str(path))
    assert code == 1, output
    assert f"✓ 飞书凭证有效（{APP_ID}）" in output
    assert f"✓ 机器人在群 {GOOD} 里，群名「水电维修群」" in output
    assert f"✗ 群 {WITHOUT_BOT}：请把报修助手机器人加入这个群" in output
    assert "✓ 李师傅的 feishu_open_id 对应飞书用户「李四」" in output
    assert "✗ 王师傅的 feishu_open_id 找不到" in output
    assert "✗ 赵师傅没有配置 feishu_open_id" in output


async def test_doctor_names_bad_credentials(tmp_path: Path) -> None:
    async with FakeFeishu() as fake:
        settings = load(config(fake, tmp_path, secret="not-the-secret"), PLATFORMS)
        findings = await examine(settings, SystemClock())
    assert not findings[-1].ok
    assert findings[-1].text.startswith("飞书凭证不可用（检查 [feishu] app_id / app_secret）")
