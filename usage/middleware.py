"""Counting API calls: every request under /api/v1/ made with a valid token counts for its company.

What counts, and why:
- Only requests whose bearer token is valid (known, not revoked, not expired): a missing or bad
  token belongs to no company, so its 401 is counted nowhere.
- Whatever the answer: a 403, 404 or 400 was still served to the company's token.
- Not the requests the rate limiter refused with 429: they were never served, and the limiter does
  not count them either. This middleware sits after `ApiRateLimitMiddleware`, which answers those
  without calling further in.
- sk_test_ calls are recorded apart (`test_api_calls`) and not billed, as sk_test_ uploads do not
  count towards the monthly invoice limit.
The call is counted before the view runs, so `GET /usage/stats` includes itself.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tokens.selectors import resolve_request_token
from usage.periods import utc_today
from usage.services import api_call_record

COUNTED_PREFIX = "/api/v1/"


class ApiUsageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(COUNTED_PREFIX):
            token = resolve_request_token(request).token
            if token is not None:
                api_call_record(company_id=token.company_id, day=utc_today(), is_test=token.is_test)
        return self.get_response(request)
