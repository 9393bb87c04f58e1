"""`raises_domain_error(CODE)`: pytest.raises for the one domain error type, checking its code."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from invoisx.errors import DomainError


@contextmanager
def raises_domain_error(code: str, *, match: str | None = None) -> Iterator[pytest.ExceptionInfo[DomainError]]:
    with pytest.raises(DomainError, match=match) as caught:
        yield caught
    assert caught.value.code == code, caught.value
