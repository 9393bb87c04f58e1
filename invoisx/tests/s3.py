"""A real S3-compatible server for tests: a fresh bucket per test, and boto3 to look inside it.

The server is moto's server mode on 127.0.0.1, which `.ci/run` starts and names in
S3_TEST_ENDPOINT_URL; without it the `s3_bucket` fixture skips (fails under CI=true). Registered for
every test by `pytest_plugins` in the root conftest.py.
"""

import os
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from conftest import require

ENDPOINT = os.environ.get("S3_TEST_ENDPOINT_URL", "")
REGION = "us-east-1"
# moto accepts any key; these are not secrets.
ACCESS_KEY = "invoisx-test"
SECRET_KEY = "invoisx-test-secret"


def s3_client() -> Any:
    return boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def storage_url(bucket: str) -> str:
    """The STORAGE_URL naming `bucket` on the test server, as an operator would write it."""
    return f"s3://{ACCESS_KEY}:{SECRET_KEY}@{bucket}?endpoint_url={ENDPOINT}&region={REGION}"


def keys(bucket: str) -> list[str]:
    """Every object key in the bucket, listed through boto3 rather than through the app."""
    pages = s3_client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


def object_bytes(bucket: str, key: str) -> bytes:
    return s3_client().get_object(Bucket=bucket, Key=key)["Body"].read()


@pytest.fixture
def s3_bucket() -> Iterator[str]:
    """The name of a fresh bucket on the test server, emptied and removed after the test."""
    require(bool(ENDPOINT), "an S3-compatible server (S3_TEST_ENDPOINT_URL)")
    name = f"invoisx-test-{uuid.uuid4().hex[:16]}"
    client = s3_client()
    client.create_bucket(Bucket=name)
    try:
        yield name
    finally:
        for key in keys(name):
            client.delete_object(Bucket=name, Key=key)
        client.delete_bucket(Bucket=name)
