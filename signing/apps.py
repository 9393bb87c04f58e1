"""App configuration for signing: every company gets its signing identity when it is created."""

from typing import Any

from django.apps import AppConfig
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
    from signing.services import signing_identity_ensure

    signing_identity_ensure(company=instance)
