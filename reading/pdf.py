"""Opening untrusted PDFs with pypdf, and refusing the ones no reader or renderer should touch.

`open_pdf` opens a PDF and counts its pages, so a broken page tree fails at once with a message for
the uploader; `check_page_sizes` refuses pages of impossible sizes (an attack or garbage, on which
renderers choke). Both raise `DocumentError`.
"""

import io

import pypdf
from pypdf.errors import PyPdfError

from reading.sniff import DocumentError

# pypdf raises these built-in errors, besides its own, on malformed PDF structure.
PDF_READ_ERRORS = (PyPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError)
# The page sizes PDF readers must support (ISO 32000-1, annex C.2), in points (1/72 inch) after
# /UserUnit: 3 to 14,400 a side. Outside them a page is an attack or garbage, and renderers choke.
MIN_PAGE_POINTS = 3.0
MAX_PAGE_POINTS = 14_400.0


def open_pdf(data: bytes) -> pypdf.PdfReader:
    """Open a PDF for reading. Raises `DocumentError` for encrypted or unreadable files."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        # Count the pages now, so a broken page tree fails here with a clear message.
        page_count = 0 if encrypted else len(reader.pages)
    except PDF_READ_ERRORS as exc:
        raise DocumentError(f"The PDF could not be read: {exc}") from exc
    if encrypted:
        raise DocumentError("The PDF is encrypted; please upload it without a password or restrictions.")
    if page_count == 0:
        raise DocumentError("The PDF has no pages.")
    return reader


def check_page_sizes(reader: pypdf.PdfReader) -> None:
    """Refuse a PDF with a page no renderer should be asked to draw; `DocumentError` says which."""
    for number, page in enumerate(reader.pages, start=1):
        try:
            unit = float(page.user_unit)
            # A box may name either pair of opposite corners (ISO 32000-1, 7.9.5): its size is unsigned.
            sizes = [
                (abs(float(box.width)) * unit, abs(float(box.height)) * unit) for box in (page.mediabox, page.cropbox)
            ]
        except PDF_READ_ERRORS as error:
            raise DocumentError(f"The PDF's page {number} has no readable page size: {error}") from None
        for width, height in sizes:
            if not (MIN_PAGE_POINTS <= width <= MAX_PAGE_POINTS and MIN_PAGE_POINTS <= height <= MAX_PAGE_POINTS):
                raise DocumentError(
                    f"The PDF's page {number} has an impossible page size ({width:g} x {height:g} points); "
                    f"each side must be {MIN_PAGE_POINTS:g} to {MAX_PAGE_POINTS:g} points."
                )
