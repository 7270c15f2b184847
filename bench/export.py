"""The export's memory over a million tickets on PostgreSQL: flat whatever the period.

A fresh database, made on the server `--postgres` names and dropped at the end, is seeded as
`bench/sla.py` seeds it (a ticket every 90 seconds, so a million span about three years), and
every other finished job is given two fee lines, a WeChat payment and a rating, so the
workbook's second sheet has rows too. Then a month, and a year, are exported through
`integration.export.TicketExport`, as `baoxiu export` and the API run it, as CSV and as a
workbook (to files in a temporary folder). For each: the tickets, the time, the file's size
and the process's resident memory at its highest during that export (sampled after every
batch), against the memory before the first export; last, the process's peak (getrusage).

    .venv/bin/python -m bench.export --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test
        [--tickets 1000000]
"""

import asyncio
import os
import resource
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from baoxiu.wiring import build_service
from bench.intake import settings
from bench.scratch import million_parser, scratch_database
from bench.sla import seed
from integration.export import Kind, TicketExport, file_name
from tickets.clock import SystemClock
from tickets.service import TicketService
from tickets.stats import Period

TARGET_MB = 200.0
_PAGE = os.sysconf("SC_PAGE_SIZE")

_FEES = text("""
UPDATE ticket SET
    fee_lines = CAST(:lines AS json), fees_total_fen = 11050, paid_fen = 11050,
    paid_method = 'wechat', paid_at = completed_at, paid_by = '林客服',
    rating_overall = 4 + id % 2, rating_speed = 5, rating_attitude = 5, rated_at = confirmed_at
WHERE status = 'closed' AND id % 2 = 0
""")
_LINES = (
    '[{"code": "SD-01", "name": "更换水龙头", "unit": "个", "quantity": "1", "price_fen": 3000, '
    '"amount_fen": 3000, "free": false}, {"code": "SD-02", "name": "疏通下水道", "unit": "次", '
    '"quantity": "1", "price_fen": 8050, "amount_fen": 8050, "free": false}]'
)


def rss_mb() -> float:
    """The process's resident memory now (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE / 2**20


def peak_mb() -> float:
    """The process's highest resident memory so far (getrusage: KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def export(service: TicketService, period: Period, kind: Kind, folder: Path) -> float:
    """Prints one export's figures; returns its highest resident memory."""
    highest = rss_mb()
    tickets = 0

    def done(count: int) -> None:
        nonlocal highest, tickets
        tickets += count
        highest = max(highest, rss_mb())

    name = file_name(period, service.tz)
    path = folder / f"{name}.{kind}"
    start = time.perf_counter()
    job = TicketExport(service, period)
    if kind == "xlsx":
        await job.xlsx(path, done)
    else:
        with path.open("wb") as file:
            async for chunk in job.csv(done):
                file.write(chunk)
    took = time.perf_counter() - start
    highest = max(highest, rss_mb())
    size = path.stat().st_size / 2**20
    path.unlink()
    print(
        f"  {name} as {kind:<4}: {tickets:>9,} tickets in {took:6.1f} s, "
        f"{size:7.1f} MB file, resident memory at most {highest:6.1f} MB"
    )
    return highest


async def run(server: str, tickets: int) -> None:
    async with scratch_database(server, "export") as (engine, url):
        now = datetime.now(UTC)
        await seed(engine, url, tickets, now)
        await paid(engine)
        await measure(engine, now)


async def paid(engine: AsyncEngine) -> None:
    start = time.perf_counter()
    async with engine.begin() as connection:
        count = (await connection.execute(_FEES, {"lines": _LINES})).rowcount
    print(
        f"  gave {count:,} finished jobs fee lines, a payment and a rating in "
        f"{time.perf_counter() - start:.1f} s"
    )


async def measure(engine: AsyncEngine, now: datetime) -> None:
    config = settings()
    service = build_service(config, engine, SystemClock())
    today = now.astimezone(config.site.tz).date()
    tz = config.site.tz
    month = Period.local_days(today - timedelta(days=30), today, tz)
    year = Period.local_days(today - timedelta(days=365), today, tz)
    before = rss_mb()
    print(f"  resident memory before exporting: {before:.1f} MB")
    with tempfile.TemporaryDirectory(prefix="baoxiu-bench-export-") as folder:
        highest = [
            await export(service, period, kind, Path(folder))
            for period in (month, year)
            for kind in ("csv", "xlsx")
        ]
    month_high, year_high = max(highest[:2]), max(highest[2:])
    flat = year_high - month_high
    verdict = "yes" if year_high < TARGET_MB and flat < 20 else "NO"
    print(f"  a year against a month: {flat:+.1f} MB; process peak {peak_mb():.1f} MB")
    print(f"  flat, under {TARGET_MB:.0f} MB: {verdict}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = million_parser(__doc__)
    args = parser.parse_args(argv)
    print("PostgreSQL")
    asyncio.run(run(args.postgres, args.tickets))


if __name__ == "__main__":
    main()
