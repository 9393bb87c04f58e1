"""A collector for tests: an in-memory source of documents, per account, that can refuse the login,
fail transiently, or ask for a second factor."""

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

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

FAKE_KEY = "fake"


def invoice_pdf(number: str, total: str, *, supplier: str = "Fake Supplies Ltd") -> bytes:
    """A small text PDF the extractor reads: a supplier, an invoice number, a date and a total."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    lines = [
        supplier,
        "INVOICE",
        f"Invoice Number: {number}",
        "Invoice Date: 2026-03-02",
        "Currency: USD",
        f"Total: {total}",
    ]
    for index, line in enumerate(lines):
        pdf.drawString(72, 770 - 22 * index, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@dataclass
class FakeDocument:
    key: str
    file_name: str
    data: bytes
    issued_at: datetime | None = None
    mimetype: str = "application/pdf"


@dataclass
class FakeSource:
    """What one account holds, and how it behaves. `transient_failures` logins fail transiently first."""

    password: str = "right"
    documents: list[FakeDocument] = field(default_factory=list)
    two_factor_code: str = ""  # when set, the login asks for it
    transient_failures: int = 0
    logins: int = 0
    downloads: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    closed: int = 0


class FakeSession(Session):
    def __init__(self, source: FakeSource) -> None:
        self.source = source

    def documents(self, *, since: datetime | None) -> Iterable[DocumentRef]:
        return [DocumentRef(key=d.key, file_name=d.file_name, issued_at=d.issued_at) for d in self.source.documents]

    def download(self, ref: DocumentRef) -> Downloaded:
        self.source.downloads.append(ref.key)
        found = next(d for d in self.source.documents if d.key == ref.key)
        return Downloaded(data=found.data, mimetype=found.mimetype)

    def finish(self, collected: list[DocumentRef]) -> None:
        self.source.finished.extend(ref.key for ref in collected)

    def close(self) -> None:
        self.source.closed += 1


class FakeCollector(Collector):
    key = FAKE_KEY
    name = {"en": "Fake", "fr": "Factice"}
    description = {"en": "An in-memory source for tests", "fr": "Une source en mémoire pour les tests"}
    params = (
        Param(name="account", type="text", label={"en": "Account", "fr": "Compte"}),
        Param(name="password", type="password", label={"en": "Password", "fr": "Mot de passe"}, secret=True),
    )

    def __init__(self) -> None:
        self.sources: dict[str, FakeSource] = {}

    def open(self, params: dict[str, Any], *, two_factor: TwoFactorPrompt) -> Session:
        source = self.sources.get(params["account"])
        if source is None:
            raise CollectorError("No such account.")
        source.logins += 1
        if source.transient_failures:
            source.transient_failures -= 1
            raise TransientError("The portal answered 503.")
        if params["password"] != source.password:
            raise LoginFailed("wrong password")
        if source.two_factor_code:
            code = two_factor()
            if code is None:
                raise CollectorError("No second factor came in time.")
            if code != source.two_factor_code:
                raise LoginFailed("wrong second factor")
        return FakeSession(source)
