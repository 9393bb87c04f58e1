"""Where uploaded and generated files live: the local disk (MEDIA_ROOT) or an S3-compatible bucket.

Invoice documents, bank statements, issued PDFs, company logos and cached page images all go through
Django's default storage (`STORAGES["default"]`), so choosing the backend here is all it takes.

Object storage is chosen by either
- `STORAGE_URL=s3://[ACCESS_KEY:SECRET_KEY@]BUCKET[/PREFIX]?endpoint_url=...&region=...&addressing_style=...`
- or django-storages' own settings: `AWS_STORAGE_BUCKET_NAME` (required), `AWS_S3_ENDPOINT_URL`,
  `AWS_S3_REGION_NAME`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_LOCATION`,
  `AWS_S3_ADDRESSING_STYLE`.
Without the keys boto3 looks for credentials as it always does (environment, instance role).
"""

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

S3_BACKEND = "storages.backends.s3.S3Storage"
LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"

# STORAGE_URL query parameters and the S3Storage options they set.
URL_OPTIONS = {
    "endpoint_url": "endpoint_url",
    "region": "region_name",
    "region_name": "region_name",
    "addressing_style": "addressing_style",
    "signature_version": "signature_version",
}
# AWS_* environment variables and the S3Storage options they set.
ENV_OPTIONS = {
    "AWS_STORAGE_BUCKET_NAME": "bucket_name",
    "AWS_S3_ENDPOINT_URL": "endpoint_url",
    "AWS_S3_REGION_NAME": "region_name",
    "AWS_ACCESS_KEY_ID": "access_key",
    "AWS_SECRET_ACCESS_KEY": "secret_key",
    "AWS_LOCATION": "location",
    "AWS_S3_ADDRESSING_STYLE": "addressing_style",
}


class StorageConfigError(ValueError):
    """STORAGE_URL or the AWS_* settings do not describe a bucket."""


def s3_options_from_url(url: str) -> dict[str, Any]:
    """The S3Storage options a `STORAGE_URL` describes."""
    parts = urlsplit(url)
    if parts.scheme != "s3":
        raise StorageConfigError("STORAGE_URL must start with s3:// (only S3-compatible storage is supported)")
    if not parts.hostname:
        raise StorageConfigError("STORAGE_URL names no bucket: s3://BUCKET?endpoint_url=...")
    options: dict[str, Any] = {"bucket_name": parts.hostname}
    prefix = parts.path.strip("/")
    if prefix:
        options["location"] = prefix
    if parts.username:
        options["access_key"] = unquote(parts.username)
    if parts.password:
        options["secret_key"] = unquote(parts.password)
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        if key not in URL_OPTIONS:
            raise StorageConfigError(f"STORAGE_URL has an unknown parameter {key!r}; known: {', '.join(URL_OPTIONS)}")
        options[URL_OPTIONS[key]] = value
    return options


def s3_options_from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """The S3Storage options the AWS_* variables describe ({} without AWS_STORAGE_BUCKET_NAME)."""
    if not environ.get("AWS_STORAGE_BUCKET_NAME"):
        return {}
    return {option: environ[name] for name, option in ENV_OPTIONS.items() if environ.get(name)}


def default_storage_setting(*, environ: Mapping[str, str]) -> dict[str, Any]:
    """`STORAGES["default"]`: S3 when STORAGE_URL or AWS_STORAGE_BUCKET_NAME is set, else the local disk."""
    url = environ.get("STORAGE_URL", "")
    options = s3_options_from_url(url) if url else s3_options_from_env(environ)
    if not options:
        return {"BACKEND": LOCAL_BACKEND}
    return {"BACKEND": S3_BACKEND, "OPTIONS": {**S3_DEFAULTS, **options}}


# Never overwrite: two uploads of "invoice.pdf" in one month get two names, as on the local disk.
# Objects stay private; a URL to one (none are handed out today) would be signed and expire.
S3_DEFAULTS: dict[str, Any] = {"file_overwrite": False, "default_acl": None, "querystring_auth": True}
