"""The statement engine reads through the shared `reading` package, never through the invoice engine."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
FORBIDDEN = ("django", "invoices")


def modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if "tests" not in path.relative_to(PACKAGE).parts)


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.name)
def test_no_statement_module_imports_django_or_the_invoice_engine(path: Path):
    offending = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        offending += [f"{path.name}:{node.lineno} imports {n}" for n in names if n.split(".")[0] in FORBIDDEN]

    assert offending == []


def test_the_scan_sees_every_reader():
    assert {"csv_reader.py", "ofx.py", "mt940.py", "camt053.py", "pdf.py", "sniff.py"} <= {p.name for p in modules()}
