"""App configuration for signing: every company gets its signing identity when it is created.

The identity is made right after the transaction that creates the company commits, not inside it:
the ~50 ms of RSA key generation then holds no lock and is not wasted on a rollback, and a failure
there cannot undo the company (it is logged; `signing_identity_ensure` makes the identity at first
use instead, as it does for companies created before this app existed). A side effect: tests that
roll back every transaction never pay for key generation unless they sign something.
"""

from functools import partial
from typing import Any

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_save


class SigningConfig(AppConfig):
    name = "signing"
    verbose_name = "Signing keys and certificates"

    def ready(self) -> None:
        from companies.models import Company

        # A receiver here, not a call in `companies`: companies sits below signing and must not import it.
        post_save.connect(_company_created, sender=Company, dispatch_uid="signing.company_created")


def _company_created(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw:  # fixtures load raw rows; their companies get an identity at first use
        return
    transaction.on_commit(partial(_identity_make, instance.pk), robust=True)


def _identity_make(company_pk: int) -> None:
    from companies.models import Company
    from signing.services import signing_identity_ensure

    company = Company.objects.filter(pk=company_pk).first()
    if company is not None:  # deleted in between: nothing to sign for
        signing_identity_ensure(company=company)
