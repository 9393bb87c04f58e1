"""Secrets that travel in URLs kept out of logs and error reports: seed 003's user tokens (`?token=…`).

A user token is in the URL by design (seed 003), so every place that writes a URL masks it:
- `MaskTokensFilter` on the loggers that write request lines (`django.server`, runserver's access
  log; `django.request`) and on the console handler every other logger reaches (settings.LOGGING);
- `GunicornLogger`, gunicorn's access and error logs (`gunicorn.conf.py` selects it);
- `MaskingExceptionReporter`, Django's error report (the DEBUG page, mails to ADMINS).
Any `…token=` value is masked (`access_token=`, `csrftoken=` too), in a query or percent-encoded in
another URL's parameter: masking too much costs nothing.
"""

import logging
import re
from typing import Any

from django.views.debug import ExceptionReporter
from gunicorn.glogging import Logger as BaseGunicornLogger

MASK = "[masked]"
TOKEN_IN_TEXT = re.compile(r"(?i)(token(?:=|%3D))[^&\s\"'#;,<>]+")


def mask_tokens(text: str) -> str:
    return TOKEN_IN_TEXT.sub(rf"\g<1>{MASK}", text)


def _masked(value: Any) -> Any:
    return mask_tokens(value) if isinstance(value, str) else value


class MaskTokensFilter(logging.Filter):
    """Rewrites a record whose message holds a token, with the token masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: logging reports it, with nothing formatted
            return True
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class GunicornLogger(BaseGunicornLogger):
    """Gunicorn's logger with tokens masked: in every access log atom (the request line `%(r)s`, the
    query `%(q)s`, the referer `%(f)s`, headers) and in its error log ("Error handling request /…")."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if not any(isinstance(existing, MaskTokensFilter) for existing in self.error_log.filters):
            self.error_log.addFilter(MaskTokensFilter())

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        return {name: _masked(value) for name, value in super().atoms(resp, req, environ, request_time).items()}


class MaskingExceptionReporter(ExceptionReporter):
    """Django's error report with tokens masked: the URL, GET and META values, and local variables
    (by their value, and by their name as Django masks settings: `token`, `key`, `secret`...)."""

    def get_traceback_data(self) -> dict[str, Any]:
        data: dict[str, Any] = super().get_traceback_data()
        hidden = self.filter.hidden_settings
        substitute = self.filter.cleansed_substitute
        if "request_insecure_uri" in data:
            data["request_insecure_uri"] = mask_tokens(data["request_insecure_uri"])
        if "request_GET_items" in data:
            data["request_GET_items"] = [
                (key, substitute if hidden.search(key) else _masked(value)) for key, value in data["request_GET_items"]
            ]
        data["request_meta"] = {key: _masked(value) for key, value in data.get("request_meta", {}).items()}
        for frame in data.get("frames", []):
            if "vars" in frame:
                frame["vars"] = [
                    (name, substitute if hidden.search(name) else _masked(value)) for name, value in frame["vars"]
                ]
        return data
