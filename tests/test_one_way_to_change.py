"""There is one way to change a ticket: through `tickets` (`decide` and the service).

No other package makes a timeline event or writes a ticket row on its own: storage writes them
only inside the repository the service drives, and only reads events back elsewhere.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tickets", "storage", "cards", "integration", "baoxiu", "jobs", "bench")
READS_EVENTS_BACK = {("storage/repository.py", "_to_event")}
"""Storage turns a stored row back into the Event `tickets` made: the one construction allowed."""
TICKET_TABLES = {"TicketRow", "TicketEventRow"}
WRITES = {"add", "update", "append_event"}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in relative:
                yield relative, ast.parse(path.read_text(encoding="utf-8"))


def _calls(tree: ast.Module) -> Iterator[tuple[str, ast.Call]]:
    """Every call, with the name of the top-level function or class it is in."""
    for node in tree.body:
        owner = getattr(node, "name", "<module>")
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call):
                yield owner, inner


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _event_names(tree: ast.Module) -> set[str]:
    """What the module calls the core's Event (an asyncio.Event is another thing)."""
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "tickets.model"
        for alias in node.names
        if alias.name == "Event"
    }


def test_no_code_outside_tickets_makes_a_timeline_event() -> None:
    found = [
        f"{path}:{call.lineno} in {owner}"
        for path, tree in _modules()
        if not path.startswith("tickets/")
        for owner, call in _calls(tree)
        if isinstance(call.func, ast.Name)
        and call.func.id in _event_names(tree)
        and (path, owner) not in READS_EVENTS_BACK
    ]
    assert found == []


def test_only_the_repository_writes_ticket_rows() -> None:
    found = []
    for path, tree in _modules():
        for _, call in _calls(tree):
            touches = {_name(a) for a in call.args} | {_name(call.func)}
            if touches & TICKET_TABLES and path != "storage/repository.py":
                if _name(call.func) in {"select", "join", "outerjoin", "col"}:
                    continue  # reading
                found.append(f"{path}:{call.lineno} {ast.unparse(call)[:80]}")
    assert found == []


def test_only_the_service_calls_the_repositorys_writes() -> None:
    found = [
        f"{path}:{call.lineno} {ast.unparse(call.func)}"
        for path, tree in _modules()
        if path not in {"tickets/service.py", "storage/repository.py"}
        for _, call in _calls(tree)
        if isinstance(call.func, ast.Attribute)
        and call.func.attr in WRITES
        and _name(call.func.value) == "tickets"
    ]
    assert found == []


def test_the_checks_see_what_they_look_for() -> None:
    """The scans find the service's writes and the repository's rows, so an empty answer above
    means absence, not a scan that looks nowhere."""
    trees = dict(_modules())
    service_writes = [
        call
        for _, call in _calls(trees["tickets/service.py"])
        if isinstance(call.func, ast.Attribute) and call.func.attr in WRITES
    ]
    assert len(service_writes) >= 3
    rows = [c for _, c in _calls(trees["storage/repository.py"]) if _name(c.func) in TICKET_TABLES]
    assert rows
    events = [c for _, c in _calls(trees["tickets/machine.py"]) if _name(c.func) == "Event"]
    assert events and _event_names(trees["storage/repository.py"]) == {"Event"}
