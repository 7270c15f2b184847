"""The benchmark still runs against today's schema (its figures are not asserted here)."""

from pathlib import Path

import pytest

from bench.intake import run


async def test_intake_benchmark_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await run(f"sqlite+aiosqlite:///{tmp_path / 'bench.db'}", 5, races=1)
    printed = capsys.readouterr().out
    assert "intake cost vs baseline" in printed and "winners per race 1" in printed
