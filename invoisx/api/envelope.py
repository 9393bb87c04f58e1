"""Wraps every successful API answer in `{"success": true, "data": ..., "meta": ...}`.

Error answers are already complete envelopes (see errors.py). A view that must answer a bare body,
such as `/ping` whose shape seed 001 fixes, sets `envelope = False`.

Every answer is written by `invoisx.exactjson`, so a Decimal goes out as its exact digits.
"""

from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import JSONRenderer

from invoisx.api.meta import response_meta
from invoisx.exactjson import ExactJSONEncoder


class EnvelopeJSONRenderer(JSONRenderer):
    # Amounts are Decimals: written as their exact digits, never through a float.
    encoder_class = ExactJSONEncoder

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        context = renderer_context or {}
        response = context.get("response")
        view = context.get("view")
        wrap = (
            response is not None
            and not getattr(response, "exception", False)
            and getattr(view, "envelope", True)
            and response.status_code != 204
        )
        if wrap:
            data = {"success": True, "data": data, "meta": response_meta(context.get("request"))}
        return super().render(data, accepted_media_type, renderer_context)
