"""STORAGE_URL and the AWS_* settings choose the S3 bucket; without them files stay on the local disk."""

import pytest
from django.views.debug import SafeExceptionReporterFilter

from invoisx.storage import LOCAL_BACKEND, S3_BACKEND, StorageConfigError, default_storage_setting


def test_nothing_set_keeps_the_local_disk():
    assert default_storage_setting(environ={}) == {"BACKEND": LOCAL_BACKEND}


def test_a_storage_url_names_the_bucket_prefix_endpoint_region_and_keys():
    url = "s3://AKID:se%2Fcret@invoices-prod/tenant-a?endpoint_url=http://127.0.0.1:9000&region=eu-central-1"

    setting = default_storage_setting(environ={"STORAGE_URL": url})

    assert setting["BACKEND"] == S3_BACKEND
    assert setting["OPTIONS"] == {
        "bucket_name": "invoices-prod",
        "location": "tenant-a",
        "access_key": "AKID",
        "secret_key": "se/cret",
        "endpoint_url": "http://127.0.0.1:9000",
        "region_name": "eu-central-1",
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
    }


def test_the_aws_settings_django_storages_documents_choose_the_bucket_too():
    environ = {
        "AWS_STORAGE_BUCKET_NAME": "invoices-prod",
        "AWS_S3_ENDPOINT_URL": "https://s3.example.com",
        "AWS_S3_REGION_NAME": "eu-west-3",
        "AWS_ACCESS_KEY_ID": "AKID",
        "AWS_SECRET_ACCESS_KEY": "secret",
    }

    options = default_storage_setting(environ=environ)["OPTIONS"]

    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "invoices-prod",
        "https://s3.example.com",
        "eu-west-3",
    )
    assert (options["access_key"], options["secret_key"], options["file_overwrite"]) == ("AKID", "secret", False)


def test_aws_keys_without_a_bucket_name_keep_the_local_disk():
    assert default_storage_setting(environ={"AWS_ACCESS_KEY_ID": "AKID"}) == {"BACKEND": LOCAL_BACKEND}


def test_the_storage_url_wins_over_the_aws_settings():
    environ = {"STORAGE_URL": "s3://from-url", "AWS_STORAGE_BUCKET_NAME": "from-aws"}

    assert default_storage_setting(environ=environ)["OPTIONS"]["bucket_name"] == "from-url"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///srv/media", "must start with s3://"),
        ("s3://?endpoint_url=http://127.0.0.1:9000", "names no bucket"),
        ("s3://bucket?endpoint=http://127.0.0.1:9000", "unknown parameter 'endpoint'"),
    ],
)
def test_a_storage_url_that_names_no_usable_bucket_is_refused_at_start_up(url, message):
    with pytest.raises(StorageConfigError, match=message):
        default_storage_setting(environ={"STORAGE_URL": url})


def test_the_keys_are_hidden_where_django_shows_the_settings():
    setting = default_storage_setting(environ={"STORAGE_URL": "s3://AKID:topsecret@bucket"})

    shown = SafeExceptionReporterFilter().cleanse_setting("STORAGES", {"default": setting})

    assert "topsecret" not in str(shown)
    assert "AKID" not in str(shown)
    assert shown["default"]["OPTIONS"]["bucket_name"] == "bucket"
