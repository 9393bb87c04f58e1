"""The engine's single entry point: sniff the document, then hand it to the reader for its kind.

Structured first: a bare UBL / CII file, or a PDF carrying Factur-X / ZUGFeRD / XRechnung XML, is
read exactly. A PDF with a text layer is read into words by `textpdf`; images and PDFs without one
are read by OCR (`ocr`). Either way `fields.read_fields` then finds the invoice in the words.
"""

import io
import warnings

from PIL import Image

from invoices.extraction.einvoice import open_pdf, parse_einvoice, parse_facturx
from invoices.extraction.fields import read_fields
from invoices.extraction.ocr import read_image, read_scanned_pdf
from invoices.extraction.result import ExtractionResult
from invoices.extraction.sniff import DocumentError, Kind, looks_like_xml, sniff
from invoices.extraction.textpdf import read_text_pdf


class NotSupportedYet(DocumentError):
    """A valid document of a kind the engine cannot read yet (text PDFs, images)."""


MAX_PDF_PAGES = 50
# A text PDF has dozens of words a page; fewer means a scan (perhaps with a stray text stamp).
MIN_TEXT_WORDS = 10
MAX_IMAGE_PIXELS = 50_000_000  # about 7,000 x 7,000: an A4 page at 600 dpi, with room to spare


def check_document(data: bytes) -> Kind:
    """Refuse, before anything is stored, what no reader could open; return the document's kind.

    Cheap checks only: the PDF opens and is neither encrypted nor too long, the XML is an invoice,
    the image decodes its header and is not a decompression bomb.
    """
    kind = sniff(data)
    if kind is Kind.UNKNOWN:
        if looks_like_xml(data):
            raise DocumentError("The XML is neither a UBL invoice or credit note nor a CII invoice.")
        raise DocumentError("Unsupported file type: upload a PDF, PNG or JPEG, or a UBL or CII e-invoice.")
    if kind is Kind.PDF:
        pages = len(open_pdf(data).pages)
        if pages > MAX_PDF_PAGES:
            raise DocumentError(f"The PDF has {pages} pages; at most {MAX_PDF_PAGES} are accepted.")
    if kind in (Kind.PNG, Kind.JPEG):
        _check_image(data)
    return kind


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
    kind = sniff(data)
    if kind in (Kind.UBL, Kind.CII):
        return parse_einvoice(data)
    if kind is Kind.PDF:
        if use_embedded_xml:
            result = parse_facturx(data)
            if result is not None:
                return result
        else:
            open_pdf(data)  # encrypted and corrupt PDFs are refused the same way on both paths
        document = read_text_pdf(data, max_pages=MAX_PDF_PAGES)
        if len(document.words) < MIN_TEXT_WORDS * len(document.pages):
            return read_scanned(data)
        return read_fields(document)
    if kind in (Kind.PNG, Kind.JPEG):
        return read_fields(read_image(data))
    if looks_like_xml(data):
        raise DocumentError("The XML is neither a UBL invoice or credit note nor a CII invoice.")
    raise DocumentError("Unsupported file type: upload a PDF, PNG or JPEG, or a UBL or CII e-invoice.")


def read_scanned(data: bytes) -> ExtractionResult:
    """A PDF without a usable text layer: OCR its rendered pages, then read the fields as for an image."""
    return read_fields(read_scanned_pdf(data))
