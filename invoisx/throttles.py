"""The throttle on password logins, one for both doors: the dashboard's login and the admin's.

django-ratelimit counts POSTs in the shared cache, per client address and per username tried; both
doors count in the same groups, so attempts at one door use up the budget of the other.
"""

from collections.abc import Callable
from typing import Any

from django_ratelimit.decorators import ratelimit

LOGIN_RATE_PER_ADDRESS = "20/m"
LOGIN_RATE_PER_USERNAME = "10/m"


def throttle_login(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse (403) a login POST past either rate; a blocked request never reaches the password check."""
    per_username = ratelimit(
        group="login-username", key="post:username", rate=LOGIN_RATE_PER_USERNAME, method="POST", block=True
    )
    per_address = ratelimit(group="login-address", key="ip", rate=LOGIN_RATE_PER_ADDRESS, method="POST", block=True)
    return per_address(per_username(view))
