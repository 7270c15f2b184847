"""`make run` as a new user types it: on a taken port, one line that says what to do."""

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from baoxiu.demo import config_text

ROOT = Path(__file__).resolve().parents[1]


def test_make_run_on_a_taken_port_prints_one_line(tmp_path: Path) -> None:
    """In a copy of the Makefile whose `.venv` is this one, already set up."""
    make = shutil.which("make")
    assert make, "make runs the README's commands"
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "pyproject.toml").touch()
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "baoxiu").symlink_to(Path(sys.prefix) / "bin" / "baoxiu")
    (bin_dir / ".installed").touch()  # after pyproject.toml: nothing to install
    (tmp_path / "baoxiu.toml").write_text(config_text(demo=True), encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("BAOXIU_", "MAKE"))}
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        ran = subprocess.run(
            [make, "run", f"PORT={port}"],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
    said = (ran.stdout + ran.stderr).splitlines()
    assert said == [
        f"✗ 端口 {port} 已被占用：换一个端口，make run PORT={port + 1}"
        f"（或 baoxiu serve --port {port + 1}）"
    ], said
