"""JSON with exact decimals: a `Decimal` is written as its own digits (`99999999999999.99`), never
through a binary float, and read back as a `Decimal`.

The one path for JSON that may carry money: API responses (`api.envelope`), stored event data
(`events.Event.data`) and the webhook bodies made from it, and the answers kept for idempotent
replays. Python's json cannot write a number it did not format itself, so simplejson (whose
`use_decimal` writes `str(Decimal)`) does the writing behind the standard `json.JSONEncoder`
interface that DRF's renderer and Django's JSONField expect.
"""

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import simplejson
from django.core.serializers.json import DjangoJSONEncoder

# Already-encoded JSON, written as it is: a stored answer replayed byte for byte.
RawJSON = simplejson.RawJSON


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder (dates as ECMA-262, UUIDs, lazy strings) but with Decimals written exactly.

    Django's, not DRF's: this module sits below the API layer (stored events use it too)."""

    def encode(self, o: Any) -> str:
        return simplejson.dumps(
            o,
            use_decimal=True,
            namedtuple_as_object=False,  # as the standard library: a tuple is an array
            default=self.default,
            skipkeys=self.skipkeys,
            ensure_ascii=self.ensure_ascii,
            check_circular=self.check_circular,
            allow_nan=self.allow_nan,
            sort_keys=self.sort_keys,
            indent=self.indent,
            separators=(self.item_separator, self.key_separator),
        )

    def iterencode(self, o: Any, _one_shot: bool = False) -> Iterator[str]:
        yield self.encode(o)


class ExactJSONDecoder(json.JSONDecoder):
    """Reads every number with a fraction or exponent as a Decimal, so `1332.00` stays `1332.00`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("parse_float", Decimal)
        super().__init__(**kwargs)


def dumps(value: Any, *, compact: bool = True) -> str:
    """`value` as JSON text with exact decimals, non-ASCII kept; NaN and infinities refused."""
    separators = (",", ":") if compact else (", ", ": ")
    return json.dumps(value, cls=ExactJSONEncoder, ensure_ascii=False, allow_nan=False, separators=separators)


def loads(text: str | bytes) -> Any:
    return json.loads(text, cls=ExactJSONDecoder)
