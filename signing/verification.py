"""What a verification answers, for a PDF and for an envelope alike."""

import datetime
from dataclasses import dataclass, field


@dataclass
class Verification:
    """`valid` only when the signature is intact, made by a key of this instance, and the content is
    unchanged; otherwise `problems` says why, in plain English. `signed_by` is the company whose key
    signed (None when the key is not this instance's); `signed_at` the signing time the signature states."""

    valid: bool = False
    signed_by: str | None = None
    signed_at: datetime.datetime | None = None
    invoice_id: str | None = None
    problems: list[str] = field(default_factory=list)


PdfVerification = Verification
EnvelopeVerification = Verification

NOT_OURS = "It is not signed by a key of this instance."
