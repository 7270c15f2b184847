"""The clients' toolkit sits below the platforms and the outbox worker, which share it without
importing each other: a platform package reads a card's key from `outbound`, not the worker."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PLATFORMS = ("integration/feishu", "integration/dingtalk", "integration/sandbox")


def _imports(folder: str) -> dict[str, set[str]]:
    """Each module of `folder` → the modules it imports."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        names = found.setdefault(path.relative_to(ROOT).as_posix(), set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
    return found


def _reaching(folder: str, targets: tuple[str, ...]) -> list[str]:
    return [
        f"{path} imports {name}"
        for path, names in _imports(folder).items()
        for name in sorted(names)
        if any(name == t or name.startswith(t + ".") for t in targets)
    ]


def test_the_toolkit_imports_no_platform_and_no_worker() -> None:
    targets = ("integration.delivery", *(p.replace("/", ".") for p in PLATFORMS))
    assert _reaching("integration/outbound", targets) == []


def test_no_platform_imports_the_outbox_worker() -> None:
    assert [f for p in PLATFORMS for f in _reaching(p, ("integration.delivery",))] == []


def test_the_scan_sees_imports() -> None:
    """So that an empty answer above means absence, not a scan that reads nothing."""
    assert _reaching("integration/dingtalk", ("integration.outbound",))
    assert _reaching("integration/delivery", ("integration.outbound",))
