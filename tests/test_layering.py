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
# What each layer must not import; kb/cli.py is the composition root and may import them all.
FORBIDDEN = {
    "kb": ("ingest", "search", "web"),
    "ingest": ("search", "web"),
}
EXCEPTIONS = {"kb/cli.py"}


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
        if rel in EXCEPTIONS:
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


WEB = REPO / "web"
SHARED = "core"  # web/core: what every feature shares; it imports no feature


def web_features() -> list[str]:
    """Return the feature packages of web/ (each a folder with an __init__.py, core excepted)."""
    return sorted(p.parent.name for p in WEB.glob("*/__init__.py") if p.parent.name != SHARED)


def is_route_module(name: str) -> bool:
    """Say whether a module name is a feature's routes (routes, *_routes) or its JSON api."""
    last = name.split(".")[-1]
    return last in ("routes", "api") or last.endswith("_routes")


def web_violations() -> list[str]:
    """Imports that break web/'s rules: core imports no feature; a feature may use another's
    views, never its routes or API (the app mounts those)."""
    features = web_features()
    found = []
    for path in sorted(WEB.rglob("*.py")):
        parts = path.relative_to(WEB).parts
        owner = parts[0] if len(parts) > 1 else None
        if owner not in (SHARED, *features):
            continue  # web/app.py and web/template_helpers.py compose the features
        for name in sorted(imported_modules(path)):
            pieces = name.split(".")
            if pieces[0] != "web" or len(pieces) < 3 or pieces[1] not in features:
                continue
            if owner == SHARED:
                found.append(f"{path.relative_to(REPO)} imports the feature module {name}")
            elif pieces[1] != owner and is_route_module(".".join(pieces[:3])):
                found.append(f"{path.relative_to(REPO)} imports another feature's routes {name}")
    return found


def test_web_core_imports_no_feature_and_features_not_each_others_routes():
    assert web_features() and web_violations() == []


def test_every_web_module_but_the_composition_lives_in_core_or_a_feature():
    loose = {p.name for p in WEB.glob("*.py")} - {"__init__.py", "app.py", "template_helpers.py"}
    assert loose == set()
