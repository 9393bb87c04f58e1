"""`reading` sits at the bottom of the dependency order: it imports no Django and none of the apps."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parent
# Every top-level package of the project but `reading` itself: the apps, the project package, the bench.
PROJECT_PACKAGES = sorted(
    path.name
    for path in ROOT.iterdir()
    if path.is_dir() and path.name != "reading" and ((path / "__init__.py").exists() or path.name == "bench")
)
FORBIDDEN = ("django", "rest_framework", "celery", *PROJECT_PACKAGES)


def modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if "tests" not in path.relative_to(PACKAGE).parts)


def imported_names(source: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_the_scan_knows_the_apps_and_sees_every_module():
    assert {"invoices", "bank", "invoisx"} <= set(PROJECT_PACKAGES)
    assert {"amounts.py", "dates.py", "lines.py", "sniff.py", "textpdf.py", "words.py"} <= {p.name for p in modules()}


def test_the_scan_catches_imports_in_every_spelling():
    source = "import django\nfrom invoices.extraction import engine\ndef later():\n    import bank.models\n"

    assert [name for _, name in imported_names(source)] == ["django", "invoices.extraction", "bank.models"]


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.name)
def test_no_reading_module_imports_django_or_an_app(path: Path):
    source = path.read_text(encoding="utf-8")

    offending = [
        f"{path.name}:{line} imports {name}" for line, name in imported_names(source) if name.split(".")[0] in FORBIDDEN
    ]

    assert offending == []
