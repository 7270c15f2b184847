"""The README's terminal walkthrough, run as a reader would: in a fresh demo, after the
browser walkthrough has already made a ticket, against a real `baoxiu serve`."""

import json
import re
import subprocess
import sys
from pathlib import Path

from baoxiu.config import load
from baoxiu.demo import config_text
from baoxiu.platforms import PLATFORMS
from tests.server import serving
from tests.web.conftest import REPORT

README = Path(__file__).resolve().parents[1] / "README.md"
NUMBER = re.compile(r"BX\d{8}-\d{4} ")


def block_after(heading: str) -> str:
    """The first ```sh block after the line `heading`."""
    text = README.read_text(encoding="utf-8")
    rest = text[text.index(heading) :]
    return rest[rest.index("```sh\n") + 6 : rest.index("\n```", rest.index("```sh"))]


def test_the_terminal_walkthrough_does_what_it_says(tmp_path: Path) -> None:
    config = tmp_path / "baoxiu.toml"
    config.write_text(config_text(demo=True), encoding="utf-8")
    (tmp_path / ".venv").symlink_to(sys.prefix)  # the README's .venv/bin/…
    key = load(config, PLATFORMS).api.keys[0].get_secret_value()
    script = block_after("The same works from the terminal and the REST API:")
    with serving(config, key) as server:
        assert server.request("/api/v1/tickets", REPORT)[0] == 201  # the browser's leak
        ran = subprocess.run(
            ["bash", "-c", script.replace("http://127.0.0.1:8080", server.base)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    printed = ran.stdout + ran.stderr
    lines = [NUMBER.sub("", line) for line in printed.splitlines()]
    said = re.findall(r"# ([✓✗] .+)$", script, re.MULTILINE)
    assert said, "the walkthrough says what each action prints"
    for expected in said:
        assert expected.strip() in lines, printed
    ticket = json.loads(printed.splitlines()[0])  # the curl answer, on a line of its own
    assert ticket["number"].endswith("-0002") and ticket["location"] == "3栋2单元501"
    assert f"{ticket['number']}" in printed.split("\n", 1)[1]  # `tickets show` found it
    assert "Error" not in printed and "Traceback" not in printed, printed
