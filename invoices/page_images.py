"""A received document's pages as images for the review page: PDF pages rendered with pypdfium2, cached.

A rendering is stored once per document (its SHA-256), page and width in the default storage under
`page-images/<sha256>/`, so the page is drawn the first time anyone opens it and read back after
that; deleting the invoice deletes that folder (`page_images_delete`). Images (PNG, JPEG) are their
own single page and are answered as they are.
"""

import io
import threading

import pypdfium2
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from invoices.models import Invoice

PAGE_WIDTH = 1200  # pixels: an A4 page at about 145 dpi, readable beside the fields
MAX_SIDE = 4000  # a very long page is drawn narrower rather than enormous
IMAGE_TYPES = {"png": "image/png", "jpeg": "image/jpeg"}
# pdfium is not thread-safe: one rendering at a time in a process.
_PDFIUM = threading.Lock()


class NoSuchPage(Exception):
    """The document has no such page, or is not a document with pages."""


def page_count(invoice: Invoice) -> int:
    """How many page images the invoice's document has (0 for an e-invoice or no document)."""
    if not invoice.document or invoice.document_kind not in ("pdf", *IMAGE_TYPES):
        return 0
    if invoice.document_kind in IMAGE_TYPES:
        return 1
    return invoice.page_count or 1


def page_image(invoice: Invoice, *, page: int, width: int = PAGE_WIDTH) -> tuple[bytes, str]:
    """Page `page` (1-based) of the invoice's document as image bytes and their content type."""
    if not invoice.document or page < 1:
        raise NoSuchPage()
    if invoice.document_kind in IMAGE_TYPES:
        if page != 1:
            raise NoSuchPage()
        with invoice.document.open("rb") as handle:
            return handle.read(), IMAGE_TYPES[invoice.document_kind]
    if invoice.document_kind != "pdf":
        raise NoSuchPage()
    name = f"{_folder(invoice.document_sha256)}/{page}-{width}.png"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            return handle.read(), "image/png"
    with invoice.document.open("rb") as handle:
        data = handle.read()
    png = render_pdf_page(data, page=page, width=width)
    if not default_storage.exists(name):  # another request may have just drawn it
        default_storage.save(name, ContentFile(png))
    return png, "image/png"


def _folder(sha256: str) -> str:
    return f"page-images/{sha256}"


def page_images_delete(*, sha256: str) -> None:
    """Delete the cached renderings of a document's pages (another company's copy of the file draws them again)."""
    if not sha256:
        return
    folder = _folder(sha256)
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{folder}/{name}")


def render_pdf_page(data: bytes, *, page: int, width: int) -> bytes:
    """Page `page` (1-based) of a PDF drawn `width` pixels wide (narrower if the page is very long), as PNG."""
    with _PDFIUM:
        document = pypdfium2.PdfDocument(data)
        try:
            if page > len(document):
                raise NoSuchPage()
            pdf_page = document[page - 1]
            page_width, page_height = pdf_page.get_size()
            if pdf_page.get_rotation() in (90, 270):
                page_width, page_height = page_height, page_width
            scale = min(width / max(page_width, 1.0), MAX_SIDE / max(page_width, page_height, 1.0))
            image = pdf_page.render(scale=scale).to_pil()
            pdf_page.close()
        finally:
            document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
