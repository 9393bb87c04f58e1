"""A secret key generated on one machine is flagged once the configuration is shared between machines."""

import pytest
from django.core import checks

from invoisx.checks import secret_key_warnings

POSTGRES = "postgres://invoisx:invoisx@db.internal:5432/invoisx"
BUCKET = "s3://documents?endpoint_url=https://s3.internal"


@pytest.mark.parametrize(
    "shared",
    [
        {"DATABASE_URL": POSTGRES},
        {"REDIS_URL": "redis://cache.internal:6379/0"},
        {"STORAGE_URL": BUCKET},
        {"AWS_STORAGE_BUCKET_NAME": "documents"},
    ],
)
def test_a_shared_service_without_a_secret_key_in_the_environment_is_warned_about(shared):
    [warning] = secret_key_warnings(environ=shared)

    assert warning.id == "invoisx.W001"
    assert warning.level == checks.WARNING
    assert next(iter(shared)) in warning.msg


def test_every_shared_service_is_named_in_the_warning():
    environ = {"DATABASE_URL": POSTGRES, "REDIS_URL": "redis://cache.internal:6379/0", "STORAGE_URL": BUCKET}

    [warning] = secret_key_warnings(environ=environ)

    assert "(DATABASE_URL, REDIS_URL, STORAGE_URL)" in warning.msg


def test_a_secret_key_set_in_the_environment_is_not_warned_about():
    assert secret_key_warnings(environ={"DATABASE_URL": POSTGRES, "SECRET_KEY": "one-for-every-machine"}) == []


@pytest.mark.parametrize("environ", [{}, {"DATABASE_URL": "sqlite:////srv/invoisx/db.sqlite3"}])
def test_the_embedded_default_on_one_machine_keeps_its_generated_key_without_a_warning(environ):
    assert secret_key_warnings(environ=environ) == []


def test_the_check_runs_with_the_security_checks(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("STORAGE_URL", BUCKET)

    found = checks.run_checks(tags=[checks.Tags.security])

    assert "invoisx.W001" in [message.id for message in found]
