"""The engine's entry points: sniff the document, then hand it to the reader for its kind.

Structured first: a bare UBL / CII file, or a PDF carrying Factur-X / ZUGFeRD / XRechnung XML, is
read exactly. A PDF with a text layer is read into words by `reading.textpdf`; images and PDFs
without one are read by OCR (`reading.ocr`). Either way `fields.read_fields` then finds the invoice
in the words.

`extract` gives the result; `read_document` gives the words it was read from as well, which is what
a supplier layout learned from corrections (`templates`) is matched against and read with, through
`apply_learned_layout`. `read_words` reads only the words, to learn a layout from.
"""

import io
import warnings
from dataclasses import dataclass

from PIL import Image

from invoices.extraction.einvoice import parse_einvoice, parse_facturx
from invoices.extraction.fields import read_fields
from invoices.extraction.result import ExtractionResult
from invoices.extraction.templates import Template, apply_layout, compact, printed_identity
from reading.ocr import add_image_text, read_image, read_scanned_pdf
from reading.pdf import PDF_READ_ERRORS, check_page_sizes, open_pdf
from reading.sniff import DocumentError, Kind, looks_like_xml, sniff
from reading.textpdf import read_text_pdf
from reading.words import WordDocument


class NotSupportedYet(DocumentError):
    """A valid document of a kind the engine cannot read yet (text PDFs, images)."""


MAX_PDF_PAGES = 50
# The kinds of file an invoice comes in; `sniff` knows statements' formats too.
INVOICE_KINDS = frozenset({Kind.PDF, Kind.PNG, Kind.JPEG, Kind.UBL, Kind.CII})
# A text PDF has dozens of words a page; fewer means a scan (perhaps with a stray text stamp).
MIN_TEXT_WORDS = 10
# Below this supplier-name confidence a text PDF's first-page images are read too (a letterhead picture).
IMAGE_TEXT_BELOW = 0.4
MAX_IMAGE_PIXELS = 50_000_000  # about 7,000 x 7,000: an A4 page at 600 dpi, with room to spare
NO_TEXT = "No text could be read from the document."
# The fields whose confidence makes the invoice's, as `fields.read_fields` computes it.
KEY_FIELDS = ("invoice_number", "invoice_date", "total", "supplier_name")


class NoTextFound(DocumentError):
    """A document that opens but shows no readable text: a blank page, a scan too faint to read."""

    def __init__(self) -> None:
        super().__init__(NO_TEXT)


@dataclass
class Reading:
    """What a document was read into: the result, and the words it was read from (None for an e-invoice)."""

    result: ExtractionResult
    words: WordDocument | None


def check_document(data: bytes) -> Kind:
    """Refuse, before anything is stored, what no reader could open; return the document's kind.

    Cheap checks only: the PDF opens and is neither encrypted nor too long, the XML is an invoice,
    the image decodes its header and is not a decompression bomb.
    """
    kind = sniff(data)
    if kind not in INVOICE_KINDS:
        if looks_like_xml(data):
            raise DocumentError("The XML is neither a UBL invoice or credit note nor a CII invoice.")
        raise DocumentError("Unsupported file type: upload a PDF, PNG or JPEG, or a UBL or CII e-invoice.")
    if kind is Kind.PDF:
        reader = open_pdf(data)
        pages = len(reader.pages)
        if pages > MAX_PDF_PAGES:
            raise DocumentError(f"The PDF has {pages} pages; at most {MAX_PDF_PAGES} are accepted.")
        check_page_sizes(reader)
    if kind in (Kind.PNG, Kind.JPEG):
        _check_image(data)
    return kind


def needs_ocr(data: bytes, kind: str) -> bool:
    """Whether reading a checked document needs OCR, and so the OCR queue (settings.QUEUE_OCR): an image
    or a PDF without a text layer does; e-invoices and text PDFs go to the default queue, whose workers
    never load the OCR models.

    A PDF counts as scanned when its first page shows fewer than `MIN_TEXT_WORDS` words to pypdf (the
    rule `_words` applies, on one page, so that deciding stays cheap in the upload request). A text PDF
    whose supplier is only in a letterhead picture is still read by a default worker, which then
    recognises that one picture.
    """
    if kind in (Kind.PNG, Kind.JPEG):
        return True
    if kind != Kind.PDF:
        return False
    try:
        text = open_pdf(data).pages[0].extract_text() or ""
    except (DocumentError, *PDF_READ_ERRORS):
        return True  # the engine will find out what it is; the OCR worker reads anything
    return len(text.split()) < MIN_TEXT_WORDS


def _check_image(data: bytes) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise DocumentError(f"The image is {width} x {height} pixels; it is too large to read.")
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DocumentError("The image is too large to read (a decompression bomb?).") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise DocumentError(f"The image could not be read: {error}") from None


def extract(data: bytes, *, use_embedded_xml: bool = True) -> ExtractionResult:
    """Extract an invoice from a document's bytes. Raises `DocumentError` for input it cannot read.

    With `use_embedded_xml=False` a Factur-X PDF is read like any other PDF, from what its pages
    show; the benchmark uses that to measure the visual path against the XML's truth.
    """
    return read_document(data, use_embedded_xml=use_embedded_xml).result


def read_document(data: bytes, *, use_embedded_xml: bool = True, require_text: bool = False) -> Reading:
    """`extract`, keeping the words the result was read from.

    With `require_text`, a document in which no text at all can be read (a blank page, a scan too
    faint for OCR) raises `NoTextFound` instead of coming back as a result with every field empty.
    """
    kind = sniff(data)
    if kind in (Kind.UBL, Kind.CII):
        return Reading(parse_einvoice(data), None)
    if kind is Kind.PDF and use_embedded_xml:
        result = parse_facturx(data)
        if result is not None:
            return Reading(result, None)
    words = _words(data, kind, checked=use_embedded_xml)
    if require_text and not any(char.isalnum() for word in words.words for char in word.text):
        raise NoTextFound()
    result = read_fields(words)
    if (
        words.source == "text_pdf"
        and result.field_confidence.get("supplier_name", 0.0) < IMAGE_TEXT_BELOW
        and _first_page_has_images(data)
    ):
        # No convincing supplier in the text layer: the letterhead may be a picture.
        with_images = add_image_text(data, words)
        if with_images is not words:
            words, result = with_images, read_fields(with_images)
    return Reading(result, words)


def _first_page_has_images(data: bytes) -> bool:
    """Whether the PDF's first page draws an image (its resources list one), without decoding any."""
    try:
        resources = open_pdf(data).pages[0].get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        if xobjects is None:
            return False
        return any(xobject.get_object().get("/Subtype") == "/Image" for xobject in xobjects.get_object().values())
    except (DocumentError, IndexError, AttributeError, KeyError, TypeError, ValueError):
        return False


def read_words(data: bytes, *, use_embedded_xml: bool = True) -> WordDocument | None:
    """The words on a document's pages; None for an e-invoice, whose XML is read exactly instead."""
    kind = sniff(data)
    if kind in (Kind.UBL, Kind.CII) or (kind is Kind.PDF and use_embedded_xml and parse_facturx(data) is not None):
        return None
    return _words(data, kind, checked=use_embedded_xml)


def _words(data: bytes, kind: Kind, *, checked: bool) -> WordDocument:
    """The words of a PDF, image or scan; `checked`: a PDF was already opened in looking for Factur-X XML."""
    if kind is Kind.PDF:
        if not checked:
            open_pdf(data)  # encrypted and corrupt PDFs are refused the same way on both paths
        document = read_text_pdf(data, max_pages=MAX_PDF_PAGES)
        if len(document.words) < MIN_TEXT_WORDS * len(document.pages):
            document = read_scanned_pdf(data)
    elif kind in (Kind.PNG, Kind.JPEG):
        document = read_image(data)
    elif looks_like_xml(data):
        raise DocumentError("The XML is neither a UBL invoice or credit note nor a CII invoice.")
    else:
        raise DocumentError("Unsupported file type: upload a PDF, PNG or JPEG, or a UBL or CII e-invoice.")
    return document


def read_scanned(data: bytes) -> ExtractionResult:
    """A PDF without a usable text layer: OCR its rendered pages, then read the fields as for an image."""
    return read_fields(read_scanned_pdf(data))


def apply_learned_layout(reading: Reading, template: Template, *, recognised: float) -> list[str]:
    """Lay what a supplier's learned layout reads in the document over the result; return the fields it changed.

    A learned value replaces the generic one unless the generic reader was surer of its own. The
    supplier stays as this document prints it: the recognised supplier's name or tax id, printed here,
    fills one the generic reader missed and vouches (with the recognition's confidence) for one it read
    alike; nothing the page does not print (an address, say) comes from the supplier the company knows.
    The invoice's confidence is then recomputed from its key fields.
    """
    result = reading.result
    if reading.words is None:
        return []
    confidence = result.field_confidence
    changed = []
    for field, (value, score) in apply_layout(reading.words, template).items():
        current = getattr(result, field)
        if current is not None and score < confidence.get(field, 0.0):
            continue
        if current != value:
            setattr(result, field, value)
            changed.append(field)
        confidence[field] = max(score, confidence.get(field, 0.0)) if current == value else score
    for name, printed in printed_identity(reading.words, template).items():
        field, current = f"supplier_{name}", getattr(result.supplier, name)
        if not current:
            setattr(result.supplier, name, printed)
            confidence[field] = recognised
            changed.append(field)
        elif compact(current) == compact(printed):
            confidence[field] = max(recognised, confidence.get(field, 0.0))
    key = [confidence.get(name, 0.0) for name in KEY_FIELDS]
    result.confidence = round(sum(key) / len(key), 3)
    return changed
