"""There is one clock: `tickets/clock.py` is the only code of ours that reads the time.

Everything else is handed the `Clock` from the composition root, so that one fake clock moves
all of it in a test, and a token's expiry, a chat's pacing and a signature's age are judged by
the same time as the ticket they serve. The fake platforms under tests/fakes/ keep clocks of
their own: they stand for the platforms', not ours.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tickets", "storage", "cards", "integration", "baoxiu", "jobs")
THE_CLOCK = "tickets/clock.py"
READERS = {
    "time": {"time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns"},
    "datetime": {"now", "utcnow", "today"},
    "date": {"today"},
}
"""Modules and classes, and what of theirs reads the system's time."""


def _reads(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Each place that reads the time, called or handed on (`clock=time.monotonic`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner = _last_name(node.value)
            if node.attr in READERS.get(owner, set()):
                yield node.lineno, f"{owner}.{node.attr}"
        elif isinstance(node, ast.ImportFrom) and node.module in READERS:
            for alias in node.names:
                if alias.name in READERS[node.module]:
                    yield node.lineno, f"from {node.module} import {alias.name}"


def _last_name(node: ast.expr) -> str:
    """`time` of `time`, `datetime` of `datetime.datetime`."""
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else ""


def _readers() -> list[str]:
    return [
        f"{path.relative_to(ROOT).as_posix()}:{line} {what}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, what in _reads(ast.parse(path.read_text(encoding="utf-8")))
    ]


def test_only_the_clock_reads_the_time() -> None:
    assert [r for r in _readers() if not r.startswith(THE_CLOCK + ":")] == []


def test_the_scan_sees_what_it_looks_for() -> None:
    """It finds the clock's own reads, and each form a read can take, so that an empty answer
    above means absence, not a scan that looks nowhere."""
    assert {r.split(" ", 1)[1] for r in _readers()} >= {"datetime.now", "time.monotonic"}
    code = (
        "import datetime, time\nfrom time import perf_counter\nfrom datetime import date\n"
        "def f(clock=time.monotonic):\n"
        "    return time.time(), datetime.datetime.now(), date.today()\n"
    )
    assert {what for _, what in _reads(ast.parse(code))} == {
        "from time import perf_counter",
        "time.monotonic",
        "time.time",
        "datetime.now",
        "date.today",
    }
