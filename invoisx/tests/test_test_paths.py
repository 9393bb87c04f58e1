"""Every test in the repository is collected: a package's tests missing from pytest.ini's testpaths
would never run, and nothing would say so."""

import configparser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_every_top_level_package_with_tests_is_in_testpaths():
    config = configparser.ConfigParser()
    config.read(REPO / "pytest.ini")
    listed = set(config["pytest"]["testpaths"].split())
    with_tests = {
        path.parent.name
        for path in REPO.glob("*/tests")
        if path.is_dir() and any(path.rglob("test_*.py")) and path.parent.name not in {".venv", "node_modules"}
    }
    if (REPO / "tests").is_dir():
        with_tests.add("tests")
    assert with_tests - listed == set()
