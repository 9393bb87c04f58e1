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
- Once its answer is made: a request whose process died on the way (a killed worker) was never
  served, and is not counted. `GET /usage/stats` still includes itself: the call it is answering is
  on the request (`request.usage_call`) and the view adds it.
Where the call is counted (Redis, this process's buffer, or the database row) is `usage.recording`'s
business: no request waits for a database write.
"""

import logging
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from tokens.selectors import resolve_request_token
from usage.periods import utc_today
from usage.recording import UsageCall, api_call_count

COUNTED_PREFIX = "/api/v1/"

logger = logging.getLogger(__name__)


class ApiUsageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(COUNTED_PREFIX):
            token = resolve_request_token(request).token
            if token is not None:
                call = UsageCall(company_id=token.company_id, day=utc_today(), is_test=token.is_test)
                request.usage_call = call  # type: ignore[attr-defined]
                response = self.get_response(request)
                try:
                    api_call_count(company_id=call.company_id, day=call.day, is_test=call.is_test)
                except DatabaseError:
                    # The view has done its work: a 500 now would invite the client to do it again.
                    logger.exception("Usage: an API call of company %s could not be counted.", call.company_id)
                return response
        return self.get_response(request)
