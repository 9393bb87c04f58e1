"""CI must exercise the production database, not the embedded SQLite default."""

import pytest
from django.db import connection

from conftest import IN_CI


def test_ci_runs_on_postgresql():
    if not IN_CI:
        pytest.skip("only checked under CI=true, where .ci/run provides PostgreSQL")

    assert connection.vendor == "postgresql"
