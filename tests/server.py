"""`baoxiu serve` as a real child process, for tests that restart or kill it."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STARTUP_S = 30
SERVE = (sys.executable, "-m", "baoxiu", "serve")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    key: str

    def request(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
        request = urllib.request.Request(self.base + path, data, headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def output(self) -> str:
        """What the server printed, once it has ended."""
        assert self.process.poll() is not None and self.process.stdout is not None
        return self.process.stdout.read().decode()

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, as when the machine loses power."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@contextmanager
def serving(config: Path, key: str, *args: str, **env: str) -> Iterator[Server]:
    """Start `baoxiu serve` with `config`, more arguments and BAOXIU_* overrides; wait until
    it answers on 127.0.0.1."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BAOXIU_")}
    environment.update(env)
    process = subprocess.Popen(
        [*SERVE, "--config", str(config), "--port", str(port), *args],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    server = Server(process, f"http://127.0.0.1:{port}", key)
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            try:
                if server.request("/healthz")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                raise AssertionError(f"server exited early:\n{output}")
            assert time.monotonic() < deadline, f"server did not start within {STARTUP_S} s"
            time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
