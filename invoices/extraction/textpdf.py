"""Read a PDF's text layer into positioned words with pdfminer.six.

pdfminer reports each glyph (`LTChar`) with its box in PDF user space (origin bottom-left). We skip
pdfminer's own layout analysis, which is the slow part and groups text in ways the layout reader
would have to undo, and build words ourselves: glyphs are grouped into lines by baseline and split
into words at spaces and at gaps wider than a fraction of the font size. Boxes are converted to the
top-left coordinates `words` uses. The page's /Rotate is applied by pdfminer's interpreter, so a
page stored sideways comes out upright; glyphs that still run vertically or upside down (a margin
note, a stamp) are left out rather than read backwards.
"""

import io
import logging
from collections.abc import Iterator

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer, LTItem, LTPage
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFSyntaxError
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.psparser import PSException

from invoices.extraction.sniff import DocumentError
from invoices.extraction.words import Page, Word, WordDocument

DEFAULT_MAX_PAGES = 50
# An invoice page holds a few thousand glyphs; a page with far more is a drawing or an attack.
MAX_CHARS_PER_PAGE = 60_000
# A gap wider than this fraction of the font size starts a new word when the PDF has no space glyph.
WORD_GAP = 0.22
# With a space glyph between them, two letters this far apart (a fraction of the font size) are two words.
SPACED_GAP = 0.08

_READ_ERRORS = (PSException, PDFSyntaxError, PDFEncryptionError, ValueError, TypeError, KeyError, AssertionError)

# pdfminer logs every unreadable object at WARNING; a bad PDF is reported by our own error instead.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def read_text_pdf(data: bytes, *, max_pages: int = DEFAULT_MAX_PAGES) -> WordDocument:
    """The words of each page of a PDF's text layer, at most `max_pages` pages.

    Raises `DocumentError` when the PDF cannot be parsed. A scanned PDF comes back with pages but
    (almost) no words; the caller decides what to do with that.
    """
    pages: list[Page] = []
    try:
        parser = PDFParser(io.BytesIO(data))
        document = PDFDocument(parser)
        resources = PDFResourceManager(caching=True)
        device = PDFPageAggregator(resources, laparams=None)
        interpreter = PDFPageInterpreter(resources, device)
        for number, pdf_page in enumerate(PDFPage.create_pages(document)):
            if number >= max_pages:
                break
            interpreter.process_page(pdf_page)
            pages.append(_page_words(device.get_result(), number))
    except _READ_ERRORS as exc:
        raise DocumentError(f"The PDF could not be read: {exc}") from exc
    if not pages:
        raise DocumentError("The PDF has no pages.")
    return WordDocument(pages=pages, source="text_pdf")


def _chars(item: LTItem, budget: list[int]) -> Iterator[LTChar]:
    """Every glyph under `item`, Form XObjects (`LTFigure`) included, until the budget runs out."""
    if isinstance(item, LTChar):
        budget[0] -= 1
        if budget[0] >= 0:
            yield item
    elif isinstance(item, LTContainer):
        for child in item:
            if budget[0] < 0:
                return
            yield from _chars(child, budget)


def _is_upright(char: LTChar) -> bool:
    a, b, c, d, _, _ = char.matrix
    return a > 0 and d > 0 and abs(b) < 0.1 * a and abs(c) < 0.1 * d


def _page_words(layout: LTPage, number: int) -> Page:
    x_origin, _, x_end, top = layout.bbox[0], layout.bbox[1], layout.bbox[2], layout.bbox[3]
    height = top - layout.bbox[1]
    glyphs = [
        char
        for char in _chars(layout, [MAX_CHARS_PER_PAGE])
        if _is_upright(char) and char.width >= 0 and not char.get_text().startswith("(cid:")
    ]
    words: list[Word] = []
    for line in _glyph_lines(glyphs):
        words.extend(_split_words(line, number, x_origin, top))
    return Page(number=number, width=x_end - x_origin, height=height, words=words)


def _glyph_lines(glyphs: list[LTChar]) -> list[list[LTChar]]:
    """Glyphs sharing a baseline band, each line left to right."""
    lines: list[list[LTChar]] = []
    centres: list[float] = []
    sizes: list[float] = []
    for glyph in sorted(glyphs, key=lambda g: (-round((g.y0 + g.y1) / 2, 1), g.x0)):
        centre = (glyph.y0 + glyph.y1) / 2
        size = max(1.0, glyph.y1 - glyph.y0)
        if lines and abs(centres[-1] - centre) <= 0.35 * min(size, sizes[-1]):
            lines[-1].append(glyph)
            continue
        lines.append([glyph])
        centres.append(centre)
        sizes.append(size)
    # Superscripts and sub-pixel baseline jitter can interleave two lines; re-sort each by x.
    return [sorted(line, key=lambda g: g.x0) for line in lines]


def _split_words(line: list[LTChar], page: int, x_origin: float, top: float) -> Iterator[Word]:
    current: list[LTChar] = []
    spaced = False  # a space glyph was seen since the last letter
    for glyph in line:
        text = glyph.get_text()
        if text.isspace() or not text:
            spaced = bool(current)
            continue
        if current:
            previous = current[-1]
            size = max(1.0, min(previous.size, glyph.size))
            gap = glyph.x0 - previous.x1
            if text == previous.get_text() and abs(glyph.x0 - previous.x0) < 0.2 * size:
                continue  # fake bold: the same glyph printed twice, a hair apart
            # A space glyph drawn over the letters ("F  actuurnummer" with the spaces under the F)
            # separates nothing: only a space that leaves a visible gap ends the word.
            if gap > WORD_GAP * size or (spaced and gap > SPACED_GAP * size):
                yield _word(current, page, x_origin, top)
                current = []
        spaced = False
        current.append(glyph)
    if current:
        yield _word(current, page, x_origin, top)


def _word(glyphs: list[LTChar], page: int, x_origin: float, top: float) -> Word:
    text = "".join(g.get_text() for g in glyphs).replace("\u00a0", " ").strip()
    return Word(
        text=text,
        x0=min(g.x0 for g in glyphs) - x_origin,
        y0=top - max(g.y1 for g in glyphs),
        x1=max(g.x1 for g in glyphs) - x_origin,
        y1=top - min(g.y0 for g in glyphs),
        page=page,
    )
