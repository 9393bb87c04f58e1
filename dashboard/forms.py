"""Forms of the dashboard shell: the password reset request, whose email a worker sends."""

from functools import partial
from typing import Any

from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.template.loader import render_to_string

from companies.tasks import send_user_email


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the email queued instead of sent inside the request."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        # robust: a broker that is down must not turn the answer into an error that only
        # addresses of real users would get.
        transaction.on_commit(partial(send_user_email.delay, subject=subject, body=body, to=to_email), robust=True)
