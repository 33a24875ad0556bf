"""The house rules of DESIGN.md, checked on the source so they cannot drift."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENS = sorted((ROOT / "pages").glob("*.py"))
CORE = sorted((ROOT / "core").rglob("*.py"))
ALLOWED_STREAMLIT = ROOT / "core" / "ui"
ALLOWED_SQL = ROOT / "core" / "store"


def inside(path: Path, folder: Path) -> bool:
    return folder in path.parents


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_screens_live_in_pages_and_streamlits_own_page_list_is_off():
    import tomllib

    assert {p.stem for p in SCREENS} >= {"prepare", "leverage", "concessions", "meso", "moves", "history"}
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showSidebarNavigation"] is False
    assert config["client"]["toolbarMode"] == "viewer"


def test_the_top_level_is_the_design_cards():
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    top = {line.split("/")[0] for line in tracked.splitlines()}
    assert top <= {"pyproject.toml", "app.py", "pages", "core", "data", "tests", "README.md", "Makefile", "bench",
                   "docs", ".ci", ".streamlit", ".gitignore"}, top  # fmt: skip


@pytest.mark.parametrize("path", [*SCREENS, ROOT / "app.py"], ids=lambda p: p.name)
def test_screens_hold_no_sql_and_no_database(path):
    text = path.read_text(encoding="utf-8")
    assert "duckdb" not in imports(path)
    for word in (".execute(", "SELECT ", "INSERT ", "UPDATE ", "DELETE "):
        assert word not in text, f"{path.name} contains {word!r}: SQL belongs in core/store.py"


@pytest.mark.parametrize(
    "path", [p for p in CORE if not inside(p, ALLOWED_SQL)], ids=lambda p: str(p.relative_to(ROOT))
)
def test_core_holds_sql_only_in_the_store(path):
    assert not imports(path) & {"duckdb", "psycopg"}, (
        f"{path.name} talks to the database: only core/store/ may"
    )


@pytest.mark.parametrize(
    "path", [p for p in CORE if not inside(p, ALLOWED_STREAMLIT)], ids=lambda p: str(p.relative_to(ROOT))
)
def test_only_core_ui_imports_streamlit(path):
    assert "streamlit" not in imports(path)


def test_core_imports_without_streamlit():
    modules = [
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in CORE
        if not inside(p, ALLOWED_STREAMLIT)
    ]
    code = f"import sys; import {', '.join(modules)}; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("path", [*SCREENS, *CORE, ROOT / "app.py"], ids=lambda p: p.name)
def test_no_raw_html_reaches_the_page(path):
    assert "unsafe_allow_html" not in path.read_text(encoding="utf-8")


# libpq's own password variable is read where passwords are masked, not as a setting of the cockpit.
READS_ENVIRONMENT = {ROOT / "core" / "settings.py", ROOT / "core" / "store" / "errors.py"}


@pytest.mark.parametrize("path", [*CORE, *SCREENS, ROOT / "app.py"], ids=lambda p: str(p.relative_to(ROOT)))
def test_settings_are_read_from_the_environment_in_one_place(path):
    if path in READS_ENVIRONMENT:
        return
    text = path.read_text(encoding="utf-8")
    assert "os.environ" not in text and "getenv(" not in text, "ask core.settings.settings() instead"


def test_every_variable_the_settings_read_is_documented_there():
    from core import settings

    for name in settings.VARIABLES:
        assert f"| {name} |" in settings.__doc__


def _methods(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        n.name
        for c in tree.body
        if isinstance(c, ast.ClassDef)
        for n in c.body
        if isinstance(n, ast.FunctionDef)
    }


@pytest.mark.parametrize("path", sorted(ALLOWED_SQL.glob("*.py")), ids=lambda p: p.name)
def test_an_aggregate_calls_no_other_aggregates_private_helpers(path):
    """A use case across aggregates composes their repository functions in one unit of work (engine.UnitOfWork),
    never another aggregate's private methods: only its own and the engine's and guards' (members.py)."""
    own = _methods(path) | _methods(ALLOWED_SQL / "engine.py") | _methods(ALLOWED_SQL / "members.py")
    called = {
        node.func.attr for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name) and node.func.value.id == "self"
        and node.func.attr.startswith("_") and not node.func.attr.startswith("__")
    }  # fmt: skip
    assert called - own == set()


# The layers: pages and core/ui read through a store; the commands, the demo loader, the health check and the
# operations log own one. Every other module of core/ is a rule of the method and knows no database.
STORE_USERS = {"cli.py", "demo.py", "health.py", "oplog.py", "__init__.py"}


@pytest.mark.parametrize(
    "path",
    [p for p in sorted((ROOT / "core").glob("*.py")) if p.name not in STORE_USERS],
    ids=lambda p: p.name,
)
def test_the_rules_of_the_method_import_no_store(path):
    assert not imports(path) & {"store", "duckdb", "psycopg", "streamlit"}


def _store_modules_named(path: Path) -> set[str]:
    """The modules inside core/store that `path` imports by name (`core.store.engine`, `..store.engine`)."""
    named = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if "store" in parts and parts.index("store") < len(parts) - 1:
                named.add(node.module)
    return named


@pytest.mark.parametrize(
    "path", [*SCREENS, ROOT / "app.py", *sorted((ROOT / "core" / "ui").glob("*.py"))], ids=lambda p: p.name
)
def test_screens_reach_the_database_only_through_the_store_facade(path):
    """Pages and the Streamlit glue use `core.store`'s façade (the store, its errors); the engine, the
    repositories and the migrations behind it are the store's own."""
    assert _store_modules_named(path) == set()
