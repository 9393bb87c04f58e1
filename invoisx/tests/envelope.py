"""Assertions on the API's envelopes, shared by the endpoint tests."""

import re
from typing import Any

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def success_data(response, status_code: int = 200) -> Any:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"success", "data", "meta"}
    assert body["success"] is True
    assert set(body["meta"]) == {"timestamp", "request_id"}
    assert TIMESTAMP.match(body["meta"]["timestamp"])
    assert body["meta"]["request_id"] == response["X-Request-ID"]
    return body["data"]


def error_of(response, status_code: int, code: str, error_code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert body["success"] is False
    assert isinstance(body["message"], str)
    assert body["message"]
    assert body["error_code"] == (error_code or code.upper())
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    assert body["error"]["docs_url"].endswith(f"/{code}")
    assert set(body["meta"]) == {"timestamp", "request_id"}
    assert body["meta"]["request_id"] == response["X-Request-ID"]
    return body["error"]


def validation_details(response) -> dict[str, list[str]]:
    return error_of(response, 400, "validation_error")["details"]
