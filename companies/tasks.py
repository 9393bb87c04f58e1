"""Email to dashboard users (password reset links), sent by a worker.

The request that asks for a reset neither waits for the mail server nor reveals, by how long it
takes, whether the address belongs to a user.
"""

import smtplib

from celery import shared_task
from django.core.mail import send_mail


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=5,
)
def send_user_email(subject: str, body: str, to: str) -> None:
    send_mail(subject, body, from_email=None, recipient_list=[to])
