"""Writes for tenancy: creating companies, adding staff to them, and the company's seller profile and logo."""

import hashlib
import io
from typing import IO, Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.validators import validate_email
from django.db import transaction
from PIL import Image, ImageOps
from stdnum import bic, iban
from stdnum.exceptions import ValidationError as StdnumValidationError

from companies.models import Company, InvoiceLanguage, Membership, Role
from companies.plans import PlanName
from invoisx.countries import normalise_country
from invoisx.errors import RESOURCE_NOT_FOUND, DomainError
from invoisx.money import normalise_currency
from invoisx.tax_ids import validate_tax_id

# The seller fields of EN 16931 a company keeps in its profile, in the order forms show them.
PROFILE_FIELDS = (
    "legal_name",
    "tax_id",
    "registration_number",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "iban",
    "bic",
    "bank_account_number",
    "bank_name",
    "default_currency",
    "payment_terms_days",
    "invoice_language",
)
MAX_PAYMENT_TERMS_DAYS = 365


@transaction.atomic
def company_create(*, name: str, plan: str = PlanName.STARTER) -> Company:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["A company needs a name."]})
    if plan not in PlanName.values:
        raise ValidationError({"plan": [f"Unknown plan '{plan}'. Choose one of: {', '.join(PlanName.values)}."]})
    if Company.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": [f"A company named '{name}' already exists."]})
    return Company.objects.create(name=name, plan=plan)


@transaction.atomic
def membership_grant(*, user: AbstractBaseUser, company: Company, role: str = Role.VIEWER) -> Membership:
    membership, _ = Membership.objects.update_or_create(user=user, company=company, defaults={"role": role})
    return membership


def profile_problems(company: Company) -> dict[str, list[str]]:
    """Tidies the profile fields of `company` in place; returns the messages of those that are wrong."""
    problems: dict[str, list[str]] = {}
    for name in PROFILE_FIELDS:
        value = getattr(company, name)
        if isinstance(value, str):
            setattr(company, name, value.strip())
    if company.country:
        try:
            company.country = normalise_country(company.country)
        except ValueError as error:
            problems["country"] = [str(error)]
    if company.tax_id:
        country = None if "country" in problems else company.country or None
        try:
            company.tax_id = validate_tax_id(company.tax_id, country)
        except ValueError as error:
            problems["tax_id"] = [str(error)]
    if company.email:
        try:
            validate_email(company.email)
        except ValidationError:
            problems["email"] = ["Enter a valid email address."]
    if company.iban:
        try:
            company.iban = iban.validate(company.iban)
        except StdnumValidationError as error:
            problems["iban"] = [f"Not a valid IBAN: {str(error).rstrip('.')}."]
    if company.bic:
        try:
            company.bic = bic.validate(company.bic)
        except StdnumValidationError as error:
            problems["bic"] = [f"Not a valid BIC: {str(error).rstrip('.')}."]
    if company.default_currency:
        try:
            company.default_currency = normalise_currency(company.default_currency)
        except ValueError as error:
            problems["default_currency"] = [str(error)]
    days = company.payment_terms_days
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_PAYMENT_TERMS_DAYS:
        problems["payment_terms_days"] = [f"Payment terms are 0 to {MAX_PAYMENT_TERMS_DAYS} days."]
    if company.invoice_language not in InvoiceLanguage.values:
        problems["invoice_language"] = [f"Choose one of: {', '.join(InvoiceLanguage.values)}."]
    return problems


@transaction.atomic
def company_profile_update(*, company: Company, actor: AbstractBaseUser | None = None, **fields: Any) -> Company:
    """Change the given profile fields of the company, re-read under its row lock; saves only what changed.

    Raises ValidationError naming every wrong field. `actor` is who asks (a dashboard user; None for a token).
    """
    unknown = sorted(set(fields) - set(PROFILE_FIELDS))
    if unknown:
        raise ValidationError({name: ["Not a company profile field."] for name in unknown})
    # FOR NO KEY UPDATE: rows referring to the company (invoices, buyers) are not held up by it.
    locked = Company.objects.select_for_update(no_key=True).filter(pk=company.pk).first()
    if locked is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No such company.")
    stored = {name: getattr(locked, name) for name in PROFILE_FIELDS}
    for name, value in fields.items():
        setattr(locked, name, "" if value is None and name != "payment_terms_days" else value)
    problems = profile_problems(locked)
    if problems:
        raise ValidationError(problems)
    changed = [name for name in PROFILE_FIELDS if getattr(locked, name) != stored[name]]
    if changed:
        locked.save(update_fields=changed)
    return locked


# A logo is printed a few centimetres wide: anything larger is scaled down to this box when stored.
MAX_LOGO_BYTES = 1024 * 1024
LOGO_BOX = (1200, 1200)
# Checked from the header before any pixel is decoded: a small file must not unpack into gigabytes.
MAX_LOGO_PIXELS = 25_000_000
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg"}


def _logo_refused(message: str) -> ValidationError:
    return ValidationError({"logo": [message]})


def _logo_reencoded(data: bytes) -> tuple[bytes, str]:
    """The image re-encoded by Pillow (so what is stored is an image Pillow made, metadata dropped), and
    its extension; refused unless it really is a PNG or JPEG that decodes whole."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in LOGO_FORMATS:
                raise _logo_refused("The logo must be a PNG or JPEG image.")
            width, height = image.size
            if width * height > MAX_LOGO_PIXELS:
                raise _logo_refused("The logo has too many pixels; use one of at most 5000 × 5000.")
            image_format = image.format
            image.load()
            picture = ImageOps.exif_transpose(image)  # a phone photo upright, as it is seen
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _logo_refused("The file is not a readable PNG or JPEG image.") from None
    picture.thumbnail(LOGO_BOX)
    out = io.BytesIO()
    if image_format == "PNG":
        picture.save(out, "PNG", optimize=True)
    else:
        if picture.mode not in ("RGB", "L"):
            picture = picture.convert("RGB")
        picture.save(out, "JPEG", quality=90, optimize=True)
    return out.getvalue(), LOGO_FORMATS[image_format]


def _delete_file_after_commit(storage: Storage, name: str) -> None:
    if name:
        # Robust: the change is committed; a storage error leaves a stray file, not a failed request.
        transaction.on_commit(lambda: storage.delete(name), robust=True)


@transaction.atomic
def company_logo_set(*, company: Company, file: IO[bytes]) -> Company:
    """Make the image in `file` (PNG or JPEG, at most 1 MB) the company's logo, re-encoded; the old
    one is deleted once this commits. Raises ValidationError naming `logo`."""
    data = file.read(MAX_LOGO_BYTES + 1)
    if not data:
        raise _logo_refused("The file is empty.")
    if len(data) > MAX_LOGO_BYTES:
        raise _logo_refused("The logo must be at most 1 MB.")
    image, extension = _logo_reencoded(data)
    locked = Company.objects.select_for_update(no_key=True).filter(pk=company.pk).first()
    if locked is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No such company.")
    previous = locked.logo.name
    # Named by content: a PDF renderer or browser that cached the old logo cannot show it for the new one.
    name = f"{locked.public_id}-{hashlib.sha256(image).hexdigest()[:16]}.{extension}"
    # Written before the row: a rollback leaves a stray file, never a row that names a missing one.
    locked.logo.save(name, ContentFile(image), save=False)
    locked.save(update_fields=["logo"])
    if previous != locked.logo.name:
        _delete_file_after_commit(locked.logo.storage, previous)
    return locked


@transaction.atomic
def company_logo_remove(*, company: Company) -> Company:
    """The company has no logo any more; its file is deleted once this commits."""
    locked = Company.objects.select_for_update(no_key=True).filter(pk=company.pk).first()
    if locked is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No such company.")
    previous = locked.logo.name
    if previous:
        locked.logo = ""
        locked.save(update_fields=["logo"])
        _delete_file_after_commit(locked.logo.storage, previous)
    return locked
