"""The Feishu SDK is pinned to the version the long connection is tested with.

The long connection hands each frame to a handler method whose name and calling convention
changed within lark-oapi 1.x (1.4.0–1.5.5 call `do_without_validation`, later versions
`_do_without_validation`; an unknown method answers every click with a 500). A range would let
a fresh install pick a version no test ran against.
"""

import tomllib
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _requirement(name: str) -> Requirement:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    found = [r for r in map(Requirement, project["dependencies"]) if r.name == name]
    assert len(found) == 1, f"{name} is required once"
    return found[0]


def test_lark_oapi_is_pinned_to_one_version() -> None:
    specifiers = list(_requirement("lark-oapi").specifier)
    assert len(specifiers) == 1 and specifiers[0].operator == "==", specifiers


def test_the_installed_lark_oapi_is_the_pinned_one() -> None:
    assert version("lark-oapi") in _requirement("lark-oapi").specifier
