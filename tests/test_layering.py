"""The import arrows of the product point one way, read from the source with ast.

data_layer's packages are ranked; a module may import its own package or a lower one, never a
higher one. Pages, ui and charts reach data through data_layer only: no database driver, no SQL.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RANKS = {
    "core": 0,
    "store": 1,
    "registry": 2,
    "access": 2,
    "distribution": 3,
    "monitoring": 4,
    "notify": 4,
    "public": 5,
    "ops": 6,
}
DRIVERS = {"duckdb", "psycopg", "psycopg_pool"}
SQL_TEXT = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|DROP|ALTER)\s", re.IGNORECASE)


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "data_layer" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in RANKS else None


def upward_imports(root: Path) -> list[str]:
    found = []
    for path in sorted((root / "data_layer").rglob("*.py")):
        own = path.relative_to(root / "data_layer").parts[0]
        if own not in RANKS:
            continue
        for module in imported_modules(path):
            target = package_of(module)
            if target is not None and RANKS[target] > RANKS[own]:
                found.append(f"{path.relative_to(root)} imports {module} ({own} < {target})")
    return sorted(set(found))


def test_no_data_layer_package_imports_a_higher_one():
    assert upward_imports(ROOT) == []


def test_the_check_sees_an_upward_import(tmp_path):
    # The rule above must be able to fail: a core module that imports ops is reported.
    (tmp_path / "data_layer" / "core").mkdir(parents=True)
    (tmp_path / "data_layer" / "ops").mkdir()
    (tmp_path / "data_layer" / "core" / "bad.py").write_text("from data_layer.ops import cli\n")
    (tmp_path / "data_layer" / "ops" / "fine.py").write_text("from data_layer.core import errors\n")
    assert upward_imports(tmp_path) == [
        "data_layer/core/bad.py imports data_layer.ops (core < ops)",
        "data_layer/core/bad.py imports data_layer.ops.cli (core < ops)",
    ]


def test_every_data_layer_module_lives_in_a_domain_package():
    loose = [p.name for p in (ROOT / "data_layer").glob("*.py") if p.name not in {"__init__.py", "__main__.py"}]
    assert loose == []
    for package in RANKS:
        assert (ROOT / "data_layer" / package / "__init__.py").exists(), package


@pytest.mark.parametrize("folder", ["pages", "ui", "charts"])
def test_screens_and_charts_use_no_driver_and_no_sql(folder):
    offences = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for module in imported_modules(path):
            if module.split(".")[0] in DRIVERS:
                offences.append(f"{path.name} imports {module}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_TEXT.match(node.value):
                offences.append(f"{path.name}:{node.lineno} holds SQL")
    assert offences == []


def test_charts_do_not_reach_the_database():
    for path in sorted((ROOT / "charts").rglob("*.py")):
        for module in imported_modules(path):
            assert package_of(module) in (None, "core"), f"{path.name} imports {module}"
