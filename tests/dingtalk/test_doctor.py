"""`baoxiu doctor` on DingTalk: credentials, people without ids, and the month's API calls."""

from pathlib import Path

from baoxiu.doctor import examine
from baoxiu.platforms.dingtalk.config import dingtalk_config
from tests.dingtalk.company import SHUIDIAN, running, settings_for
from tests.fakes.dingtalk import (
    QPS_LIMITED,
    QPS_LIMITED_GLOBALLY,
    STANDARD_MONTHLY_QUOTA,
    FakeDingTalk,
)
from tickets.clock import SystemClock


async def test_doctor_counts_the_months_calls_as_dingtalk_does_and_checks_credentials(
    fake: FakeDingTalk, db_url: str, tmp_path: Path
) -> None:
    async with running(fake, db_url, tmp_path, "stream") as company:
        fake.fail_next(1, code=QPS_LIMITED)
        fake.fail_next(1, code=QPS_LIMITED_GLOBALLY)
        number = await company.report()
        await company.card_in(SHUIDIAN, number)
    assert fake.token_fetches >= 1 and fake.calls_this_month >= 1
    findings = {f.text: f.ok for f in await examine(company.settings, SystemClock())}
    calls, quota = fake.calls_this_month, STANDARD_MONTHLY_QUOTA
    used = f"本月钉钉接口已调用 {calls} 次（每月额度 {quota:,} 次）"  # the default: standard
    assert findings[used] is True, findings  # token fetches and refusals for speed are free
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


async def test_doctor_warns_near_the_configured_monthly_quota(
    fake: FakeDingTalk, db_url: str, tmp_path: Path
) -> None:
    async with running(fake, db_url, tmp_path, "stream") as company:
        number = await company.report()
        await company.card_in(SHUIDIAN, number)
    calls = fake.calls_this_month
    settings = company.settings
    section = dingtalk_config(settings)
    assert section is not None
    small = section.model_copy(update={"monthly_api_calls": calls})
    findings = await examine(settings.model_copy(update={"dingtalk": small}), SystemClock())
    (usage,) = [f for f in findings if f.text.startswith("本月钉钉接口已调用")]
    assert not usage.ok and f"（每月额度 {calls:,} 次）：快用完了" in usage.text
