"""One error type for the domain: `DomainError` stays free of DRF, and the API maps each code to a status."""

import ast
import pickle
from pathlib import Path

import pytest

from invoisx import errors
from invoisx.api.errors import DOMAIN_ERROR_STATUS, UNKNOWN_DOMAIN_ERROR_STATUS, api_exception_handler
from invoisx.errors import DomainError
from invoisx.tests.envelope import error_of

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "venv", "node_modules", "migrations", "tests", "api", "static", "templates", ".git"}
# DRF-layer code outside an `api` module: authentication classes run inside DRF's request cycle.
API_LAYER_MODULES = {"tokens/authentication.py"}
FORBIDDEN = ("rest_framework", "invoisx.api.errors")
CODES = {name: value for name, value in vars(errors).items() if name.isupper() and isinstance(value, str)}


def domain_modules() -> list[Path]:
    modules = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if set(relative.parts[:-1]) & SKIPPED_DIRS or relative.parts[0].startswith("."):
            continue
        if path.name in ("api.py", "conftest.py") or path.name.startswith("test_"):
            continue
        if relative.as_posix() in API_LAYER_MODULES:
            continue
        modules.append(path)
    return sorted(modules)


def forbidden_imports(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from invoisx.api import errors` names the module through its parent
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for imported in names:
            if any(imported == forbidden or imported.startswith(f"{forbidden}.") for forbidden in FORBIDDEN):
                found.append(f"{name}:{node.lineno} imports {imported}")
                break
    return found


def test_the_scan_sees_the_services_and_skips_the_api_layer():
    scanned = {path.relative_to(ROOT).as_posix() for path in domain_modules()}

    assert {"invoices/services.py", "invoices/intake.py", "bank/reconciliations.py", "invoisx/errors.py"} <= scanned
    assert not {"invoices/api/views.py", "invoisx/api/errors.py", "tokens/authentication.py"} & scanned
    assert not any("/tests/" in name or "/migrations/" in name for name in scanned)


def test_the_scan_catches_every_spelling_of_the_forbidden_imports():
    source = (
        "import rest_framework\n"
        "from rest_framework.exceptions import APIException\n"
        "from invoisx.api import errors\n"
        "from invoisx.api.errors import ApiError\n"
        "from invoisx.api.filtering import apply_filters\n"
        "def later():\n"
        "    import rest_framework.status\n"
    )

    found = forbidden_imports(source, "sneaky.py")

    assert sorted({line.split(" imports ")[0] for line in found}) == [f"sneaky.py:{n}" for n in (1, 2, 3, 4, 7)]


def test_no_module_outside_the_api_layer_imports_drf_or_the_api_errors():
    found = [
        problem
        for path in domain_modules()
        for problem in forbidden_imports(path.read_text(), path.relative_to(ROOT).as_posix())
    ]

    assert not found, "Raise invoisx.errors.DomainError (or Django's ValidationError) instead:\n" + "\n".join(found)


def test_a_domain_error_survives_pickling_as_a_celery_result_does():
    error = DomainError(code=errors.PROVIDER_RATE_LIMITED, message="Slow down.", details={"x": ["y"]}, retry_after=3)

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes

    assert (copy.code, copy.message, copy.details, copy.retry_after) == (
        errors.PROVIDER_RATE_LIMITED,
        "Slow down.",
        {"x": ["y"]},
        3,
    )


def test_every_code_has_a_status_and_the_table_names_only_codes():
    assert CODES, "the scan of invoisx.errors found no codes"
    assert set(CODES.values()) == set(DOMAIN_ERROR_STATUS)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (errors.VALIDATION_ERROR, 400),
        (errors.RESOURCE_NOT_FOUND, 404),
        (errors.CONFLICT, 409),
        (errors.MONTHLY_LIMIT_REACHED, 429),
        (errors.PROCESSING_ERROR, 500),
        (errors.IDEMPOTENCY_KEY_IN_USE, 409),
        (errors.IDEMPOTENCY_KEY_REUSED, 422),
        (errors.PROVIDER_RATE_LIMITED, 503),
        (errors.PROVIDER_UNAVAILABLE, 502),
    ],
)
def test_the_handler_answers_each_code_with_its_documented_status(rf, code, status):
    response = api_exception_handler(DomainError(code=code, message="Refused."), {"request": rf.get("/")})

    assert response is not None
    assert response.status_code == status
    assert response.data["error"]["code"] == code


def test_an_unknown_code_is_a_client_error_not_a_server_error(rf):
    error = DomainError(code="never_heard_of_it", message="Refused.")

    response = api_exception_handler(error, {"request": rf.get("/")})

    assert response is not None
    assert response.status_code == UNKNOWN_DOMAIN_ERROR_STATUS == 400


def test_a_domain_error_from_a_service_reaches_the_client_as_the_envelope(alice_api, monkeypatch):
    def refuse(**kwargs):
        raise DomainError(code=errors.CONFLICT, message="Not now.", details={"name": ["Taken."]})

    monkeypatch.setattr("buyers.api.buyer_list", refuse)

    error = error_of(alice_api.get("/api/v1/buyers"), 409, "conflict")

    assert error["message"] == "Not now."
    assert error["details"] == {"name": ["Taken."]}


def test_a_domain_error_that_says_when_to_retry_sends_retry_after(alice_api, monkeypatch):
    def refuse(**kwargs):
        raise DomainError(code=errors.PROVIDER_RATE_LIMITED, message="Slow down.", retry_after=2.6)

    monkeypatch.setattr("buyers.api.buyer_list", refuse)

    response = alice_api.get("/api/v1/buyers")

    error_of(response, 503, "provider_rate_limited")
    assert response["Retry-After"] == "3"


def test_a_selector_that_finds_nothing_answers_404_resource_not_found(alice_api):
    error = error_of(alice_api.get("/api/v1/buyers/buy_doesnotexist"), 404, "resource_not_found")

    assert error["message"] == "No buyer with this id."
