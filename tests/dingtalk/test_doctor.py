"""`baoxiu doctor` on DingTalk: credentials, people without ids, and the month's API calls."""

from pathlib import Path

from baoxiu.doctor import examine
from baoxiu.platforms.dingtalk.config import dingtalk_config
from tests.dingtalk.company import SHUIDIAN, running, settings_for
from tests.fakes.dingtalk import GATEWAY_OPEN_PATH, STREAM_PATH, FakeDingTalk
from tickets.clock import SystemClock


async def test_doctor_counts_the_months_calls_and_checks_credentials(
    fake: FakeDingTalk, db_url: str, tmp_path: Path
) -> None:
    async with running(fake, db_url, tmp_path, "stream") as company:
        number = await company.report()
        await company.card_in(SHUIDIAN, number)
    ours = [c for c in fake.requests if c.path not in (GATEWAY_OPEN_PATH, STREAM_PATH)]
    assert len(ours) >= 2  # a token and a card at least
    findings = {f.text: f.ok for f in await examine(company.settings, SystemClock())}
    assert findings[f"本月钉钉接口已调用 {len(ours)} 次（标准版组织每月 10,000 次）"] is True
    assert findings["钉钉凭证有效（dingfk3x9aq7bwcv2m4z）"] is True

    wrong = settings_for(fake, db_url, tmp_path).model_copy(deep=True)
    section = dingtalk_config(wrong)
    assert section is not None
    config = section.model_copy(update={"app_key": "ding-not-ours"})
    refused = await examine(wrong.model_copy(update={"dingtalk": config}), SystemClock())
    assert any(
        not f.ok and f.text.startswith("钉钉凭证不可用（检查 [dingtalk] app_key / app_secret）")
        for f in refused
    )
