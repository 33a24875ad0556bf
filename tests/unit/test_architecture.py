"""The house rules of DESIGN.md, checked on the source so they cannot drift."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENS = sorted((ROOT / "screens").glob("*.py"))
CORE = sorted((ROOT / "core").glob("*.py"))


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_there_is_no_pages_folder_to_trigger_streamlits_legacy_mode():
    assert not (ROOT / "pages").exists()
    assert SCREENS, "the screens live in screens/"


@pytest.mark.parametrize("path", [*SCREENS, ROOT / "app.py"], ids=lambda p: p.name)
def test_screens_hold_no_sql_and_no_database(path):
    text = path.read_text(encoding="utf-8")
    assert "duckdb" not in imports(path)
    for word in (".execute(", "SELECT ", "INSERT ", "UPDATE ", "DELETE "):
        assert word not in text, f"{path.name} contains {word!r}: SQL belongs in core/store.py"


@pytest.mark.parametrize(
    "path", [p for p in CORE if p.name not in ("ui.py", "store.py")], ids=lambda p: p.name
)
def test_core_holds_sql_only_in_the_store(path):
    assert "duckdb" not in imports(path), (
        f"{path.name} imports duckdb: only core/store.py talks to the database"
    )


def test_core_imports_without_streamlit():
    modules = [f"core.{p.stem}" for p in CORE if p.stem not in ("__init__", "ui")]
    code = f"import sys; import {', '.join(modules)}; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("path", [*SCREENS, *CORE, ROOT / "app.py"], ids=lambda p: p.name)
def test_no_raw_html_reaches_the_page(path):
    assert "unsafe_allow_html" not in path.read_text(encoding="utf-8")
