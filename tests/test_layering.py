"""The layering as a test: imports point inward (web → search → ingest → kb), inside search/ from
measurement and lesson features to the query pipeline to the indexes to text, and every table
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
# Inside search/: the concerns (sub-packages, and the modules at its top) each concern may import
# besides its own. embedders and lru are shared by all; service wires index and query together
# for the CLI and the web app; measurement may use everything but the lesson features.
SEARCH_MAY_IMPORT = {
    "embedders": set(),
    "lru": set(),
    "text": set(),
    "index": {"embedders", "lru", "text"},
    "query": {"embedders", "lru", "text", "index"},
    "lessons": {"embedders", "lru", "text", "index", "query"},
    "service": {"embedders", "lru", "text", "index", "query"},
    "measure": {"embedders", "lru", "text", "index", "query", "service"},
}
# The query pipeline's stages in the order a query passes them; searcher runs them all.
QUERY_STAGES = ["plan", "legs", "fuse", "rerank", "page", "searcher"]


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


def search_concern(module: str) -> str | None:
    """Return the concern of a module inside search/ ("" for the package itself), else None."""
    parts = module.split(".")
    if parts[0] != "search":
        return None
    return parts[1] if len(parts) > 1 else ""


def search_violations(concern: str, root: Path = REPO) -> list[str]:
    paths = sorted((root / "search").glob(f"{concern}.py")) + sorted(
        (root / "search" / concern).rglob("*.py")
    )
    found = []
    for path in paths:
        for name in sorted(imported_modules(path, root)):
            other = search_concern(name)
            if other not in (None, concern) and other not in SEARCH_MAY_IMPORT[concern]:
                found.append(f"{path.relative_to(root).as_posix()} imports {name}")
    return found


@pytest.mark.parametrize("concern", sorted(SEARCH_MAY_IMPORT))
def test_search_concerns_import_only_those_below(concern):
    assert search_violations(concern) == []


def test_every_search_module_belongs_to_a_concern():
    """A new module goes into the sub-package of its concern, not loose at the top of search/."""
    modules = (
        ".".join(p.relative_to(REPO).with_suffix("").parts) for p in REPO.glob("search/**/*.py")
    )
    concerns = {search_concern(module) for module in modules}
    assert concerns - {"__init__"} - set(SEARCH_MAY_IMPORT) == set()


def test_query_stages_import_no_later_stage():
    """A query passes each stage once, in one direction: a stage knows only those before it."""
    found = []
    for position, stage in enumerate(QUERY_STAGES):
        later = {f"search.query.{name}" for name in QUERY_STAGES[position + 1 :]}
        path = REPO / "search" / "query" / f"{stage}.py"
        found += [f"{stage} imports {name}" for name in imported_modules(path) if name in later]
    assert found == []


def test_the_search_checker_sees_a_stage_importing_measurement(tmp_path):
    source = tmp_path / "search" / "query" / "plan.py"
    source.parent.mkdir(parents=True)
    source.write_text("from search.index.records import FACETS\nimport search.measure.bench\n")
    assert search_violations("query", tmp_path) == [
        "search/query/plan.py imports search.measure.bench"
    ]


def test_the_checker_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "kb" / "bad.py"
    source.parent.mkdir()
    source.write_text(
        "def f():\n    from web.app import create_app\n    import search.query.fusion\n"
    )
    assert imported_modules(source, tmp_path) >= {
        "web.app",
        "web.app.create_app",
        "search.query.fusion",
    }


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
