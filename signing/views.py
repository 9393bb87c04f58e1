"""`GET /.well-known/jwks.json`: the public keys that sign this instance's envelopes.

Every company's envelope keys, current and replaced (replaced ones still verify what they signed), in
one set, as GOBL's verifiers fetch it from `<iss>/.well-known/jwks.json`. Public key material only;
each `kid` is a random UUID, so the set tells nothing of which company a key is, only how many keys
the instance has made. No authentication: a buyer verifying an envelope has no token here.
"""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from signing.jws import jwks

CACHE_SECONDS = 300


@require_safe
def jwks_view(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(jwks())
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"  # public keys, fetched by verifiers in browsers too
    return response
