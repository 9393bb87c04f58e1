"""Issuing tests run their tasks in the test process (eagerly), as the embedded default does.

Under CI a broker is configured and real workers run, but they serve another database and do not
know the test's SMTP server: a send queued there would never reach the test.
"""

import pytest


@pytest.fixture(autouse=True)
def tasks_run_in_the_test(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
