"""The benchmark still runs against today's schema (its figures are not asserted here)."""

from pathlib import Path

import pytest

from bench import clicks as clicks_bench
from bench import dingtalk as dingtalk_bench
from bench import feishu as feishu_bench
from bench import photos as photos_bench
from bench.intake import run


async def test_intake_benchmark_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await run(f"sqlite+aiosqlite:///{tmp_path / 'bench.db'}", 5, races=1)
    printed = capsys.readouterr().out
    assert "intake cost vs baseline" in printed and "winners per race 1" in printed


async def test_feishu_benchmark_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await feishu_bench.run(None, 8, feishu_bench.Faults(rate_limited=2, outage_s=0.5))
    printed = capsys.readouterr().out
    assert "every card exactly once, within the per-chat limit: yes" in printed
    assert "HTTP 429 ×2" in printed


async def test_dingtalk_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    await dingtalk_bench.run(8, dingtalk_bench.Faults(qps_refused=2, outage_s=0.5))
    printed = capsys.readouterr().out
    assert "every card exactly once, within the QPS limit: yes" in printed
    assert "HTTP 403 ×2" in printed


async def test_clicks_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    await clicks_bench.run(None, 2)
    printed = capsys.readouterr().out
    assert "Feishu: 6 clicks on 2 tickets" in printed
    assert "DingTalk: 6 clicks on 2 tickets" in printed
    assert printed.count("each click updates the card it came from exactly once: yes") == 2


async def test_photos_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    await photos_bench.run(2, 3000)
    printed = capsys.readouterr().out
    assert "normal report beside 2 hostile ones" in printed and "peak under attack" in printed
