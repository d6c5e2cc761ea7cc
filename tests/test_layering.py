"""The layering as a test: imports point inward (web → search → ingest → kb), and every table
module is registered by the one bootstrap place."""

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import kb
from kb.store.database import Base

REPO = Path(__file__).resolve().parent.parent
# What each layer must not import; the kb/cli/ package is the composition root and may import
# them all.
FORBIDDEN = {
    "kb": ("ingest", "search", "web"),
    "ingest": ("search", "web"),
}
EXCEPTIONS = ("kb/cli/",)  # path prefixes


def imported_modules(path: Path, root: Path = REPO) -> set[str]:
    """Return the modules a file imports, at the top or inside functions (relative ones resolved)."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def violations(layer: str) -> list[str]:
    found = []
    for path in sorted((REPO / layer).rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        if rel.startswith(EXCEPTIONS):
            continue
        for name in sorted(imported_modules(path)):
            top = name.split(".")[0]
            if top in FORBIDDEN[layer]:
                found.append(f"{rel} imports {name}")
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_imports_point_inward(layer):
    assert violations(layer) == []


def test_the_checker_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "kb" / "bad.py"
    source.parent.mkdir()
    source.write_text("def f():\n    from web.app import create_app\n    import search.fusion\n")
    assert imported_modules(source, tmp_path) >= {"web.app", "web.app.create_app", "search.fusion"}


def test_every_table_module_is_imported_by_the_bootstrap():
    for module in pkgutil.walk_packages(kb.__path__, "kb."):
        importlib.import_module(module.name)
    table_modules = {mapper.class_.__module__ for mapper in Base.registry.mappers}
    bootstrap = imported_modules(REPO / "kb" / "bootstrap.py")
    assert table_modules - bootstrap == set()


def test_the_store_never_imports_the_bootstrap():
    """Table registration flows one way: kb.bootstrap imports the table modules and hands their
    metadata to kb.store.schema; no module of kb/store imports kb.bootstrap, even in a function."""
    found = [
        path.relative_to(REPO).as_posix()
        for path in sorted((REPO / "kb" / "store").rglob("*.py"))
        if "kb.bootstrap" in imported_modules(path)
    ]
    assert found == []
