"""A resident's report while others flood the form with hostile photos.

Each hostile report carries four 16-bit PNGs of 7000×7000 px: about 300 KB each on the wire,
close to 400 MB each once Pillow has them in memory. Eight such reports are sent at once, each
from its own loopback address (127.0.0.2 … .9), so that each client has a rate limit of its own,
while one resident (127.0.0.10) sends a normal report with a phone photo. The baseline, in
the same run, is that same normal report on an idle server. The server runs in this process,
so the peak RSS printed is the server's (plus the bench's few MB of request bodies).

`--side 2800` sends 16-bit PNGs just within the decoding budget instead: they are decoded,
and show what waiting for the decoder threads costs a resident.

    .venv/bin/python -m bench.photos [--attackers 8] [--side 7000]
"""

import argparse
import asyncio
import resource
import secrets
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import FormData
from aiohttp.test_utils import TestServer

from baoxiu.app import create_app
from baoxiu.config import DatabaseConfig
from bench.intake import settings
from integration.web.photos import MAX_PHOTOS
from tests.web.uploads import FIELDS, jpeg, png_16bit


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """The process's resident memory now."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def form(photos: list[tuple[str, bytes]]) -> FormData:
    data = FormData(default_to_multipart=True)
    data.add_field("key", secrets.token_urlsafe(24))
    for name, value in FIELDS.items():
        data.add_field(name, value)
    for filename, content in photos:
        data.add_field("photos", content, filename=filename, content_type="image/png")
    return data


async def report(url: str, client: str, photos: list[tuple[str, bytes]]) -> tuple[int, float]:
    """Status and seconds of one report sent from the loopback address `client`."""
    connector = aiohttp.TCPConnector(local_addr=(client, 0))
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        async with session.post(url, data=form(photos), allow_redirects=False) as response:
            await response.read()
            return response.status, time.perf_counter() - start


async def run(attackers: int, side: int) -> None:
    normal = [("phone.jpg", jpeg((1600, 1200)))]
    hostile = [(f"h{i}.png", png_16bit(side)) for i in range(MAX_PHOTOS)]
    with tempfile.TemporaryDirectory() as folder:
        base = settings()
        config = base.model_copy(
            update={
                "database": DatabaseConfig(url=f"sqlite+aiosqlite:///{Path(folder) / 'b.db'}"),
                "site": base.site.model_copy(update={"data_dir": Path(folder) / "data"}),
            }
        )
        async with TestServer(create_app(config)) as server:
            url = str(server.make_url("/r/new"))
            await report(url, "127.0.0.11", normal)  # templates compiled, threads started
            status, alone = await report(url, "127.0.0.10", normal)
            assert status == 303, status
            idle_peak, idle_now = peak_rss_mb(), rss_mb()
            flood = [
                asyncio.create_task(report(url, f"127.0.0.{2 + i}", hostile))
                for i in range(attackers)
            ]
            await asyncio.sleep(0.2)  # the hostile reports are in
            status, loaded = await report(url, "127.0.0.10", normal)
            assert status == 303, status
            answers = await asyncio.gather(*flood)
            after = rss_mb()
    slowest = max(seconds for _, seconds in answers)
    size = len(hostile[0][1]) // 1024
    print(f"  hostile photos: {MAX_PHOTOS} × {side}×{side} 16-bit PNG, {size} KB each")
    print(f"  normal report alone:                  {alone * 1000:7.0f} ms")
    print(f"  normal report beside {attackers} hostile ones:  {loaded * 1000:7.0f} ms")
    print(
        f"  hostile reports answered {sorted({s for s, _ in answers})}, slowest in {slowest:.1f} s"
    )
    print(f"  server RSS idle:             {idle_now:5.0f} MB (peak {idle_peak:.0f} MB)")
    print(f"  server RSS peak under attack: {peak_rss_mb():5.0f} MB, after it {after:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attackers", type=int, default=8)
    parser.add_argument("--side", type=int, default=7000)
    args = parser.parse_args()
    asyncio.run(run(args.attackers, args.side))


if __name__ == "__main__":
    main()
