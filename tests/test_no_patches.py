"""Tests pass fakes and parameters; none swaps out a name in a module of ours.

A patched constant (`monkeypatch.setattr(longconn, "WATCH_EVERY_S", 0.1)`) ties a test to how
a module reads its own names and hides the knob from whoever builds the object; a parameter
with the production default (`LongConnection(..., watch_every=0.1)`) says what can be tuned.
Setting the environment (`monkeypatch.setenv`) stays: that is how a site configures baoxiu,
and how a test stands for a machine without some program.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = {"tickets", "storage", "cards", "integration", "baoxiu", "jobs", "bench", "tests"}
PATCHING = {"setattr", "delattr", "patch", "object"}
"""monkeypatch.setattr / delattr, unittest.mock's patch and patch.object, builtin setattr."""


def _root(name: str) -> str:
    return name.split(".", 1)[0]


def _our_names(tree: ast.Module) -> set[str]:
    """The names a module binds to modules, or things, of ours."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and _root(node.module) in OURS:
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(
                alias.asname or _root(alias.name)
                for alias in node.names
                if _root(alias.name) in OURS
            )
    return names


def _is_ours(target: ast.expr, ours: set[str]) -> bool:
    """`longconn`, `baoxiu.qr`, or "integration.dingtalk.stream.HEARTBEAT_S"."""
    if isinstance(target, ast.Constant) and isinstance(target.value, str):
        return _root(target.value) in OURS
    while isinstance(target, ast.Attribute):
        target = target.value
    return isinstance(target, ast.Name) and target.id in ours


def _patches(tree: ast.Module) -> Iterator[ast.Call]:
    ours = _our_names(tree)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in PATCHING and _is_ours(node.args[0], ours):
            yield node


def test_no_test_patches_a_module_of_ours() -> None:
    found = [
        f"{path.relative_to(ROOT).as_posix()}:{call.lineno} {ast.unparse(call)}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for call in _patches(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert found == []


def test_the_scan_sees_what_it_looks_for() -> None:
    """So that an empty answer above means absence, not a scan that looks nowhere."""
    code = (
        "import subprocess\nimport baoxiu.qr\nfrom unittest import mock\n"
        "from integration.feishu import longconn\n"
        "def test(monkeypatch):\n"
        "    monkeypatch.setattr(longconn, 'WATCH_EVERY_S', 0.1)\n"
        "    monkeypatch.setattr('integration.dingtalk.stream.HEARTBEAT_S', 0.4)\n"
        "    monkeypatch.delattr(baoxiu.qr, 'find_font')\n"
        "    mock.patch.object(longconn, 'backoff')\n"
        "    monkeypatch.setattr(subprocess, 'run', None)\n"
        "    monkeypatch.setenv('PATH', '')\n"
    )
    assert [call.lineno for call in _patches(ast.parse(code))] == [6, 7, 8, 9]
