"""A collector run: log in, list, download what is new, store it as the company's purchase invoices.

The chain, each step explicit:
1. The run claims the credential's collection (`COLLECTION`, a lease: see `collecting.schedule` and
   `invoisx.leases`); a second message for the same collection, or one for a credential that is no
   longer queued, does nothing.
2. The collector logs in with the credential's unsealed params. If the source asks for a second
   factor, the credential shows `2fa_waiting` until a code is posted to `…/2fa` (or
   COLLECTING_TWO_FA_WAIT_SECONDS pass).
3. Each listed document this credential does not have yet (by its source key, then by the SHA-256
   of its bytes) is downloaded and goes through the same intake as an upload (`invoice_upload`:
   content sniffing, size limit, the company's SHA-256 de-duplication, extraction, the monthly
   limit) as a `collected` purchase invoice; the invoice and the `CollectedDocument` recording where
   it came from are committed together. A file the intake refuses (not a document it reads, too
   large) is remembered without an invoice, so it is not fetched again; the monthly limit stops the
   run. Each stored document is pushed once its extraction ends (`collecting.callbacks`).
4. The collector's post-collection action (`finish`) is applied to what is stored, the session is
   closed, and the credential is `ok` with its next collection scheduled.

Failures: `LoginFailed` counts against the credential (twice in a row: `disconnected`, with the
`collector.credential_disconnected` event and the `notification_disconnected` callback);
`TransientError` goes back to the task, which retries with backoff; `CollectorError` ends the run as
`error` with its message. A worker that dies loses nothing: what it committed stays (and is skipped
next time by the unique source key and SHA-256 of each credential's documents), and the sweep queues
the collection again once the lease has run out.
"""

import hashlib
import logging
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from collecting.callbacks import collected_document_push, credential_disconnected_notify
from collecting.collectors import collector_get
from collecting.collectors.base import (
    Collector,
    CollectorError,
    DocumentRef,
    Downloaded,
    LoginFailed,
    TransientError,
    TwoFactorPrompt,
)
from collecting.models import CollectedDocument, Credential, CredentialState
from collecting.schedule import COLLECTION, next_collect_at
from collecting.services import credential_params, credential_two_fa_code
from invoices.intake import invoice_upload
from invoices.models import Invoice, Source, Status
from invoisx.enqueue import enqueue_each_on_commit
from invoisx.errors import MONTHLY_LIMIT_REACHED, DomainError
from invoisx.leases import Lost

logger = logging.getLogger(__name__)

DISCONNECT_AFTER_LOGIN_FAILURES = 2
# Documents listed since the last collection, less this: a mail dated before it may arrive after it.
SINCE_OVERLAP = timedelta(days=1)
RUNNING_STATES = (CredentialState.COLLECTING, CredentialState.TWO_FA_WAITING)


def _wait(seconds: float) -> None:
    time.sleep(seconds)


def _two_factor_prompt(credential: Credential) -> TwoFactorPrompt:
    """Show the credential as waiting for a code, and wait for `credential_two_fa` to bring one."""

    def prompt() -> str | None:
        until = timezone.now() + timedelta(seconds=settings.COLLECTING_TWO_FA_WAIT_SECONDS)
        Credential.objects.filter(pk=credential.pk, state=CredentialState.COLLECTING).update(
            state=CredentialState.TWO_FA_WAITING, two_fa_until=until, two_fa_code_sealed="", updated_at=timezone.now()
        )
        try:
            while True:
                code = credential_two_fa_code(credential)
                if code:
                    return code
                if timezone.now() >= until:
                    return None
                _wait(settings.COLLECTING_TWO_FA_POLL_SECONDS)
        finally:
            Credential.objects.filter(pk=credential.pk, state=CredentialState.TWO_FA_WAITING).update(
                state=CredentialState.COLLECTING, two_fa_until=None, two_fa_code_sealed="", updated_at=timezone.now()
            )

    return prompt


def _end(credential_id: int, *, state: str, message: str, now: datetime, **changes: Any) -> bool:
    """End a run: the credential's state, and its next collection by the schedule rule."""
    credential = Credential.objects.filter(pk=credential_id).first()
    if credential is None:
        return False
    changes.setdefault("next_collect_at", next_collect_at(credential=credential, now=now))
    return bool(
        Credential.objects.filter(pk=credential_id, state__in=RUNNING_STATES).update(
            state=state,
            message=message[:2000],
            collect_lease_until=None,
            two_fa_until=None,
            two_fa_code_sealed="",
            updated_at=now,
            **changes,
        )
    )


def _store(*, credential: Credential, ref: DocumentRef, downloaded: Downloaded, digest: str) -> bool:
    """Store one new document through the upload intake, with the record of where it came from; False
    if the intake refused it (remembered without an invoice). The monthly limit is raised."""
    file_name = (ref.file_name or "document")[:255]
    record = {
        "credential": credential,
        "company_id": credential.company_id,
        "source_key": ref.key[:500],
        "sha256": digest,
        "file_name": file_name,
        "mimetype": downloaded.mimetype[:100],
        "issued_at": ref.issued_at,
    }
    upload = SimpleUploadedFile(file_name, downloaded.data, content_type=downloaded.mimetype)
    try:
        with transaction.atomic():
            stored = invoice_upload(
                company=credential.company,
                file=upload,
                source=Source.COLLECTED,
                collected_from={
                    "collector": credential.collector,
                    "credential_id": credential.public_id,
                    "user_id": credential.user.public_id,
                    "remote_id": credential.user.remote_id,
                },
            )
            # Locked: the extraction ending now pushes the document, or we see it ended and push it.
            invoice = Invoice.objects.select_for_update().get(pk=stored.invoice.pk)
            document = CollectedDocument.objects.create(invoice=invoice, **record)
            if invoice.status != Status.PROCESSING:
                collected_document_push(document_id=document.pk)
    except DomainError as refused:
        if refused.code == MONTHLY_LIMIT_REACHED:
            raise
        logger.info("collected document %s of credential %s refused: %s", ref.key, credential.pk, refused.message)
        try:
            with transaction.atomic():
                CollectedDocument.objects.create(invoice=None, **record)
        except IntegrityError:
            pass  # another run remembered it
        return False
    except IntegrityError:
        pass  # another run of this credential stored it meanwhile
    return True


def _collect(*, credential: Credential, collector: Collector) -> int:
    """Log in, store what is new, apply the post-collection action; how many documents were stored."""
    session = collector.open(credential_params(credential), two_factor=_two_factor_prompt(credential))
    stored = 0
    handled: list[DocumentRef] = []
    try:
        known = set(CollectedDocument.objects.filter(credential=credential).values_list("source_key", flat=True))
        since = credential.last_collect_at - SINCE_OVERLAP if credential.last_collect_at else None
        listed: Iterable[DocumentRef] = session.documents(since=since)
        try:
            for ref in listed:
                if ref.key[:500] in known:
                    handled.append(ref)  # stored by an earlier run, which may have stopped before `finish`
                    continue
                downloaded = session.download(ref)
                digest = hashlib.sha256(downloaded.data).hexdigest()
                if CollectedDocument.objects.filter(credential=credential, sha256=digest).exists():
                    handled.append(ref)
                    continue
                if _store(credential=credential, ref=ref, downloaded=downloaded, digest=digest):
                    stored += 1
                    handled.append(ref)
        except DomainError as limit:  # the monthly limit: what was stored is finished, the rest waits
            session.finish(handled)
            raise CollectorError(limit.message) from None
        session.finish(handled)
    finally:
        session.close()
    return stored


def _login_failed(*, credential_id: int, reason: str, now: datetime) -> None:
    with transaction.atomic():
        credential = Credential.objects.select_for_update().select_related("user").filter(pk=credential_id).first()
        if credential is None or credential.state not in RUNNING_STATES:
            return
        failures = credential.login_failures + 1
        if failures < DISCONNECT_AFTER_LOGIN_FAILURES:
            # Tried again soon: the user may have just fixed a typo at the source.
            _end(
                credential_id,
                state=CredentialState.ERROR,
                message=f"The login failed: {reason}",
                now=now,
                login_failures=failures,
                next_collect_at=now + timedelta(seconds=settings.COLLECTING_MIN_INTERVAL_SECONDS),
            )
            return
        message = f"The login failed {failures} times in a row ({reason}); update the credential to collect again."
        _end(credential_id, state=CredentialState.DISCONNECTED, message=message, now=now, login_failures=failures)
        credential_disconnected_notify(credential=credential, message=message)


def credential_collect_run(*, credential_id: int, new_attempt: bool = True) -> int | None:
    """Collect a queued credential; how many documents were stored, None when there was nothing to
    run (not queued, gone, or another worker runs it). `new_attempt` is False for Celery's retries of
    one run. A `TransientError` is raised for the task to retry (the lease still held: release it)."""
    now = timezone.now()
    if not COLLECTION.claim(credential_id, now=now, new_attempt=new_attempt):
        return None
    credential = Credential.objects.select_related("company", "user").filter(pk=credential_id).first()
    if credential is None:
        return None
    collector = collector_get(credential.collector)
    if collector is None:
        _end(credential_id, state=CredentialState.ERROR, message="This collector is no longer available.", now=now)
        return None
    try:
        stored = _collect(credential=credential, collector=collector)
    except TransientError:
        raise  # the task tries again later
    except LoginFailed as failed:
        _login_failed(credential_id=credential_id, reason=str(failed) or "refused", now=timezone.now())
        return None
    except CollectorError as failed:
        _end(credential_id, state=CredentialState.ERROR, message=str(failed) or "The collection failed.", now=now)
        return None
    _end(
        credential_id,
        state=CredentialState.OK,
        message="",
        now=timezone.now(),
        login_failures=0,
        last_collect_at=now,
    )
    logger.info("credential %s collected %s new documents", credential_id, stored)
    return stored


def credential_collect_release(*, credential_id: int) -> None:
    """Let go of a run stopped to be retried, so that the retry may claim it (the sweep counts the wait
    from now)."""
    Credential.objects.filter(pk=credential_id, state__in=RUNNING_STATES).update(
        state=CredentialState.COLLECTING,
        collect_lease_until=None,
        collect_queued_at=timezone.now(),
        two_fa_until=None,
    )


def credential_collect_fail(*, credential_id: int, message: str, lost_at: datetime | None = None) -> None:
    """End a run as `error` with the message; with `lost_at` (the sweep), only if no worker holds it then."""
    now = timezone.now()
    credentials = Credential.objects.filter(pk=credential_id, state__in=RUNNING_STATES)
    if lost_at is not None:
        credentials = credentials.filter(COLLECTION.free(now=lost_at))
    if credentials.exists():
        _end(credential_id, state=CredentialState.ERROR, message=message, now=now)


def collections_sweep(*, now: datetime | None = None) -> Lost:
    """Queue again the collections no message or worker will finish; fail those out of attempts."""
    from collecting.tasks import collect_credential

    now = now or timezone.now()
    # A worker that died waiting for a second factor left its credential waiting: it is lost work too.
    Credential.objects.filter(state=CredentialState.TWO_FA_WAITING, collect_lease_until__lte=now).update(
        state=CredentialState.COLLECTING, two_fa_until=None, two_fa_code_sealed="", updated_at=now
    )
    lost = COLLECTION.lost(now=now)
    for credential_id in lost.exhausted:
        logger.warning("collection of credential %s stopped %s times", credential_id, COLLECTION.max_attempts)
        credential_collect_fail(
            credential_id=credential_id,
            message=f"The collection was started {COLLECTION.max_attempts} times and stopped each time without "
            "finishing; it is tried again at its next collection.",
            lost_at=now,
        )
    enqueue_each_on_commit(collect_credential, lost.requeue)
    return lost
