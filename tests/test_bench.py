"""The benchmark still runs against today's schema (its figures are not asserted here)."""

import asyncio
import os
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench import clicks as clicks_bench
from bench import dingtalk as dingtalk_bench
from bench import export as export_bench
from bench import feishu as feishu_bench
from bench import photos as photos_bench
from bench import sla as sla_bench
from bench import stats as stats_bench
from bench.intake import run
from tests.conftest import NO_POSTGRES, POSTGRES_ENV


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


def test_sla_benchmark_runs_and_leaves_no_database(capsys: pytest.CaptureFixture[str]) -> None:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(NO_POSTGRES)
    argv = ["--postgres", url, "--tickets", "2000", "--runs", "5", "--iterations", "5"]
    sla_bench.main(argv)
    printed = capsys.readouterr().out
    assert "seeded 2,000 tickets" in printed
    assert "watcher query, a quiet minute: 1 due" in printed
    assert "watcher query, after an outage: 49 due" in printed
    assert "an index scan of ix_ticket_escalate_at, p95 under 50 ms: yes" in printed
    assert "decide(), no policy" in printed and printed.count("Policy.plan from") == 2
    assert "arrive by Thu 10-15 11:30" in printed  # counted through the National Day week

    assert asyncio.run(benches_left(url, "sla")) == []


async def benches_left(url: str, bench: str) -> list[str]:
    """The databases `bench` made that are still on the server (other benches may be running
    on it meanwhile)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            found = await connection.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :made"),
                {"made": f"baoxiu_bench_{bench}_%"},
            )
            return list(found.scalars())
    finally:
        await engine.dispose()


def test_export_benchmark_runs_and_leaves_no_database(capsys: pytest.CaptureFixture[str]) -> None:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(NO_POSTGRES)
    export_bench.main(["--postgres", url, "--tickets", "3000"])
    printed = capsys.readouterr().out
    assert "seeded 3,000 tickets" in printed and "fee lines, a payment and a rating" in printed
    assert printed.count(" as csv ") == 2 and printed.count(" as xlsx") == 2
    assert "3,000 tickets in" in printed  # the year holds them all
    assert "a year against a month" in printed and "flat, under 200 MB: " in printed
    assert asyncio.run(benches_left(url, "export")) == []


def test_stats_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(NO_POSTGRES)
    stats_bench.main(["--postgres", url, "--tickets", "2000", "--runs", "2"])
    printed = capsys.readouterr().out
    assert "seeded 2,000 tickets" in printed
    assert "the weekly summary's figures (read_week: five breakdowns" in printed
    assert "a year by team: best" in printed and "(2,000 received" in printed
    assert asyncio.run(benches_left(url, "stats")) == []
