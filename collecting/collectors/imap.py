"""The mailbox collector: invoices that arrive as mail attachments, read over IMAP (imap-tools).

Its rules work as paperless-ngx's mail rules do: one folder, optional From and Subject filters (which
the server applies, as substrings), attachment name wildcards, a maximum age, and an action applied
after collecting (mark read, move to a folder, flag) to the mails that yielded collected files only.
With the mark-read action only unread mails are searched, so a mail once collected is not even
listed again; with the others the run's de-duplication (by key and SHA-256) keeps it from being
collected twice.

An attachment is collected when its bytes (not its name or declared type) are a PDF, a PNG or JPEG
image or a UBL / CII e-invoice: what the product's intake reads (`reading.sniff`).
Images embedded in an HTML body (inline parts with a Content-ID: logos, signatures) are skipped.
A document's key is `<Message-ID>#<attachment index>`, or a hash of the mail's headers when it has
no Message-ID.

Security: TLS (`ssl`, port 993) or STARTTLS, always verifying the server's certificate against the
system's CAs plus `settings.COLLECTING_IMAP_CA_FILE` when set (a private CA; the tests' Dovecot).
`none` (no encryption) is only accepted for a server on the loopback interface: a password never
crosses a network in clear.
"""

import fnmatch
import hashlib
import imaplib
import ipaddress
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage
from imap_tools.errors import (
    MailboxFolderSelectError,
    MailboxLoginError,
    MailboxStarttlsError,
    UnexpectedCommandStatusError,
)

from collecting.collectors import register
from collecting.collectors.base import (
    Collector,
    CollectorError,
    DocumentRef,
    Downloaded,
    LoginFailed,
    Param,
    Session,
    TransientError,
    TwoFactorPrompt,
)
from reading.sniff import DocumentError, Kind, sniff

DEFAULT_TIMEOUT = 30  # seconds, for connecting and for every answer; COLLECTING_IMAP_TIMEOUT overrides
# The server's SINCE compares dates in its own time zone: a day of margin so that a mail that arrived
# just after the previous run is not missed (the run's de-duplication drops what is listed twice).
SINCE_MARGIN = timedelta(days=1)
MAX_KEY_LENGTH = 500  # CollectedDocument.source_key

MIMETYPES = {
    Kind.PDF: "application/pdf",
    Kind.PNG: "image/png",
    Kind.JPEG: "image/jpeg",
    Kind.UBL: "application/xml",
    Kind.CII: "application/xml",
}
EXTENSIONS = {Kind.PDF: "pdf", Kind.PNG: "png", Kind.JPEG: "jpg", Kind.UBL: "xml", Kind.CII: "xml"}

SECURITY_CHOICES = (
    ("ssl", {"en": "TLS (usually port 993)", "fr": "TLS (port 993 en général)"}),
    ("starttls", {"en": "STARTTLS (usually port 143)", "fr": "STARTTLS (port 143 en général)"}),
    ("none", {"en": "None (local server only)", "fr": "Aucune (serveur local uniquement)"}),
)
ACTION_CHOICES = (
    ("mark_read", {"en": "Mark as read", "fr": "Marquer comme lu"}),
    ("move", {"en": "Move to a folder", "fr": "Déplacer dans un dossier"}),
    ("flag", {"en": "Flag", "fr": "Marquer d'un drapeau"}),
    ("none", {"en": "Nothing", "fr": "Rien"}),
)
SEEN = r"\Seen"
FLAGGED = r"\Flagged"
DELETED = r"\Deleted"


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def ssl_context() -> ssl.SSLContext:
    """Verifying context: the system's CAs, plus COLLECTING_IMAP_CA_FILE when the setting names one."""
    context = ssl.create_default_context()
    ca_file = getattr(settings, "COLLECTING_IMAP_CA_FILE", "")
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


def matches(pattern: str, file_name: str) -> bool:
    """Whether `file_name` matches one of the comma-separated wildcards (case-insensitive)."""
    wildcards = [part.strip().lower() for part in pattern.split(",") if part.strip()]
    return not wildcards or any(fnmatch.fnmatchcase(file_name.lower(), wildcard) for wildcard in wildcards)


def mail_key(message: MailMessage) -> str:
    """The mail's Message-ID, or a hash of its headers; hashed too when too long to be a key."""
    message_id = " ".join(message.headers.get("message-id", ())).strip()
    if not message_id:
        headers = "\n".join(f"{name}: {value}" for name, value in message.obj.items())
        return "headers-sha256:" + hashlib.sha256(headers.encode("utf-8", "replace")).hexdigest()
    if len(message_id) > MAX_KEY_LENGTH - 20:
        return "message-id-sha256:" + hashlib.sha256(message_id.encode("utf-8", "replace")).hexdigest()
    return message_id


def mail_date(message: MailMessage) -> datetime | None:
    date = message.date
    if date.year <= 1900:  # imap-tools' answer for a missing or unreadable Date header
        return None
    return date if date.tzinfo else date.replace(tzinfo=UTC)


def collectible_kind(data: bytes) -> Kind | None:
    try:
        kind = sniff(data)
    except DocumentError:  # malformed or unsafe XML: not an e-invoice
        return None
    return kind if kind in MIMETYPES else None


def file_name_for(name: str, index: int, kind: Kind) -> str:
    if not name:
        return f"attachment-{index}.{EXTENSIONS[kind]}"
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        return stem[: 254 - len(extension)] + dot + extension if dot and len(extension) < 10 else name[:255]
    return name


class ImapSession(Session):
    def __init__(self, mailbox: BaseMailBox, params: dict[str, Any]) -> None:
        self.mailbox = mailbox
        self.params = params
        self.capabilities = capabilities(mailbox)
        self._last: MailMessage | None = None  # the last mail read, so its attachments need one fetch

    def criteria(self, since: datetime | None) -> AND:
        start = datetime.now(UTC) - timedelta(days=self.params["maximum_age_days"])
        if since is not None and since - SINCE_MARGIN > start:
            start = since - SINCE_MARGIN
        criteria: dict[str, Any] = {"date_gte": start.date()}
        if self.params.get("from_filter"):
            criteria["from_"] = self.params["from_filter"]
        if self.params.get("subject_filter"):
            criteria["subject"] = self.params["subject_filter"]
        if self.params["action"] == "mark_read":
            criteria["seen"] = False
        return AND(**criteria)

    def documents(self, *, since: datetime | None) -> Iterator[DocumentRef]:
        messages = self.mailbox.fetch(self.criteria(since), charset="UTF-8", mark_seen=False)
        for message in guarded(messages):
            self._last = message
            key = mail_key(message)
            for index, attachment in enumerate(message.attachments):
                if attachment.content_disposition != "attachment" and attachment.content_id:
                    continue  # an image the HTML body shows, not a document
                if not matches(self.params.get("attachment_pattern") or "*", attachment.filename):
                    continue
                kind = collectible_kind(attachment.payload)
                if kind is None:
                    continue
                yield DocumentRef(
                    key=f"{key}#{index}",
                    file_name=file_name_for(attachment.filename, index, kind),
                    issued_at=mail_date(message),
                    extra={"uid": message.uid, "index": index},
                )

    def download(self, ref: DocumentRef) -> Downloaded:
        uid, index = ref.extra["uid"], ref.extra["index"]
        message = self._last
        if message is None or message.uid != uid:
            found = list(guarded(self.mailbox.fetch(uid_list=[uid], mark_seen=False)))
            if not found:
                raise CollectorError(f"The mail of {ref.file_name} is no longer in the folder.")
            message = self._last = found[0]
        attachments = message.attachments
        kind = collectible_kind(attachments[index].payload) if index < len(attachments) else None
        if kind is None:
            raise CollectorError(f"The mail no longer has the attachment {ref.file_name}.")
        return Downloaded(data=attachments[index].payload, mimetype=MIMETYPES[kind])

    def finish(self, collected: list[DocumentRef]) -> None:
        uids = sorted({str(ref.extra["uid"]) for ref in collected}, key=int)
        action = self.params["action"]
        if not uids or action == "none":
            return
        with errors_as_collector_errors():
            if action == "mark_read":
                self.store(uids, SEEN)
            elif action == "flag":
                self.store(uids, FLAGGED)
            elif action == "move":
                self.move(uids, self.params["move_to"])

    def store(self, uids: list[str], flag: str) -> None:
        # Not imap-tools' flag(): it expunges the folder afterwards, which would delete for good the
        # mails the user marked deleted there.
        result = self.mailbox.client.uid("STORE", ",".join(uids), "+FLAGS.SILENT", f"({flag})")
        check(result, f"The server refused to set {flag} on the collected mails")

    def move(self, uids: list[str], folder: str) -> None:
        if not self.mailbox.folder.exists(folder):
            self.mailbox.folder.create(folder)
        if "MOVE" in self.capabilities:
            self.mailbox.move(uids, folder)
            return
        # No MOVE: copy, then mark deleted and expunge only those mails (UIDPLUS), never the others.
        self.mailbox.copy(uids, folder)
        self.store(uids, DELETED)
        if "UIDPLUS" in self.capabilities:
            check(self.mailbox.client.uid("EXPUNGE", ",".join(uids)), "The server refused to expunge")

    def close(self) -> None:
        # The connection is going away anyway: a failed goodbye changes nothing.
        with suppress(OSError, imaplib.IMAP4.error, UnexpectedCommandStatusError):
            self.mailbox.logout()


def capabilities(mailbox: BaseMailBox) -> set[str]:
    """The capabilities after login (imaplib keeps those of the greeting, which lack MOVE on Dovecot)."""
    typ, data = mailbox.client.capability()
    if typ != "OK" or not data or not isinstance(data[-1], bytes):
        return set(mailbox.client.capabilities)
    return set(data[-1].decode("ascii", "replace").upper().split())


def check(result: tuple[Any, Any], message: str) -> None:
    if result[0] != "OK":
        raise CollectorError(f"{message}: {result[1]!r}")


@contextmanager
def errors_as_collector_errors() -> Iterator[None]:
    """Connection failures become TransientError, refusals CollectorError (messages carry no secret)."""
    try:
        yield
    except CollectorError:
        raise
    except ssl.SSLCertVerificationError as exc:
        raise CollectorError(f"The mail server's certificate is not trusted: {exc.verify_message}.") from None
    except ssl.SSLError as exc:
        raise CollectorError(
            f"The secure connection to the mail server failed ({exc.reason}): check the port and security."
        ) from None
    except (imaplib.IMAP4.abort, OSError) as exc:
        raise TransientError(f"The mail server could not be reached: {exc}.") from exc
    except (imaplib.IMAP4.error, UnexpectedCommandStatusError) as exc:
        raise CollectorError(f"The mail server refused a command: {exc}") from exc


def guarded(messages: Iterator[MailMessage]) -> Iterator[MailMessage]:
    """`messages`, with the errors of reading them turned into collector errors."""
    while True:
        with errors_as_collector_errors():
            message = next(messages, None)
        if message is None:
            return
        yield message


class ImapCollector(Collector):
    key = "imap"
    name = {"en": "Mailbox (IMAP)", "fr": "Boîte mail (IMAP)"}
    description = {
        "en": "Collects the invoices attached to the mails of a mailbox folder (PDF, images, e-invoices).",
        "fr": "Collecte les factures jointes aux mails d'un dossier de boîte mail (PDF, images, factures "
        "électroniques).",
    }
    params = (
        Param(
            "host",
            "text",
            {"en": "IMAP server", "fr": "Serveur IMAP"},
            {"en": "imap.example.com", "fr": "imap.exemple.fr"},
        ),
        Param("port", "number", {"en": "Port", "fr": "Port"}, {"en": "993", "fr": "993"}, default=993),
        Param(
            "security",
            "select",
            {"en": "Security", "fr": "Sécurité"},
            default="ssl",
            choices=SECURITY_CHOICES,
        ),
        Param(
            "user",
            "text",
            {"en": "User name", "fr": "Identifiant"},
            {"en": "invoices@example.com", "fr": "factures@exemple.fr"},
        ),
        Param("password", "password", {"en": "Password", "fr": "Mot de passe"}, secret=True),
        Param("folder", "text", {"en": "Folder", "fr": "Dossier"}, {"en": "INBOX", "fr": "INBOX"}, default="INBOX"),
        Param(
            "from_filter",
            "text",
            {"en": "Only from (contains)", "fr": "Seulement de (contient)"},
            {"en": "billing@supplier.com", "fr": "facturation@fournisseur.fr"},
            mandatory=False,
        ),
        Param(
            "subject_filter",
            "text",
            {"en": "Only with a subject containing", "fr": "Seulement si l'objet contient"},
            {"en": "Invoice", "fr": "Facture"},
            mandatory=False,
        ),
        Param(
            "attachment_pattern",
            "text",
            {
                "en": "Attachment names (wildcards, comma-separated)",
                "fr": "Noms des pièces jointes (jokers, séparés par des virgules)",
            },
            {"en": "*.pdf, invoice-*", "fr": "*.pdf, facture-*"},
            mandatory=False,
            default="*",
        ),
        Param(
            "maximum_age_days",
            "number",
            {"en": "Maximum age (days)", "fr": "Ancienneté maximale (jours)"},
            {"en": "30", "fr": "30"},
            default=30,
        ),
        Param(
            "action",
            "select",
            {"en": "After collecting a mail", "fr": "Après la collecte d'un mail"},
            default="mark_read",
            choices=ACTION_CHOICES,
        ),
        Param(
            "move_to",
            "text",
            {"en": "Move to folder", "fr": "Déplacer dans le dossier"},
            {"en": "Invoices/Collected", "fr": "Factures/Collectées"},
            mandatory=False,
        ),
    )

    def clean_params(self, given: dict[str, Any]) -> dict[str, Any]:
        cleaned = super().clean_params(given)
        if not 1 <= cleaned["port"] <= 65535:
            raise ValueError("params.port: between 1 and 65535.")
        if not 1 <= cleaned["maximum_age_days"] <= 3650:
            raise ValueError("params.maximum_age_days: between 1 and 3650.")
        if cleaned["security"] == "none" and not is_loopback(cleaned["host"]):
            raise ValueError("params.security: none is only allowed for a server on this machine; use ssl or starttls.")
        if cleaned["action"] == "move" and not cleaned.get("move_to"):
            raise ValueError("params.move_to: required when the action is move.")
        return cleaned

    def open(self, params: dict[str, Any], *, two_factor: TwoFactorPrompt) -> Session:
        try:
            params = self.clean_params(params)
        except ValueError as exc:
            raise CollectorError(str(exc)) from None
        host, port, security = params["host"], params["port"], params["security"]
        timeout = getattr(settings, "COLLECTING_IMAP_TIMEOUT", DEFAULT_TIMEOUT)
        mailbox: BaseMailBox
        with errors_as_collector_errors():
            try:
                if security == "ssl":
                    mailbox = MailBox(host, port, timeout=timeout, ssl_context=ssl_context())
                elif security == "starttls":
                    mailbox = MailBoxStartTls(host, port, timeout=timeout, ssl_context=ssl_context())
                else:
                    mailbox = MailBoxUnencrypted(host, port, timeout=timeout)
            except MailboxStarttlsError:
                raise CollectorError("The mail server does not offer STARTTLS on this port.") from None
        try:
            with errors_as_collector_errors():
                try:
                    login(mailbox, params["user"], params["password"])
                except MailboxLoginError:
                    raise LoginFailed("The mail server refused the user name or password.") from None
                try:
                    mailbox.folder.set(params["folder"], readonly=params["action"] == "none")
                except MailboxFolderSelectError:
                    raise CollectorError(f"The folder {params['folder']} does not exist on the mail server.") from None
                return ImapSession(mailbox, params)
        except CollectorError:
            close_quietly(mailbox)
            raise


def login(mailbox: BaseMailBox, user: str, password: str) -> None:
    if user.isascii() and password.isascii():
        mailbox.login(user, password, initial_folder=None)
    else:  # LOGIN takes ASCII only; AUTHENTICATE PLAIN carries UTF-8
        try:
            mailbox.login_utf8(user, password, initial_folder=None)
        except imaplib.IMAP4.abort:
            raise
        except imaplib.IMAP4.error:  # imaplib's answer to a NO: the login was refused
            raise LoginFailed("The mail server refused the user name or password.") from None


def close_quietly(mailbox: BaseMailBox) -> None:
    with suppress(OSError):
        mailbox.client.shutdown()


register(ImapCollector())
