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
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer, LTItem, LTPage
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFSyntaxError
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.psparser import PSException

from reading.sniff import DocumentError
from reading.words import Page, Word, WordDocument

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


@dataclass(frozen=True)
class _Glyph:
    """A glyph's text and box in an upright frame (PDF units, y upwards), and its type size."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float

    def get_text(self) -> str:
        return self.text


def _direction(char: LTChar) -> int:
    """Which way a glyph's text runs, in degrees anticlockwise: 0, 90, 180 or 270; -1 when skewed."""
    a, b, c, d, _, _ = char.matrix
    scale = max(abs(a), abs(b), abs(c), abs(d), 1e-9)
    if abs(b) < 0.1 * scale and abs(c) < 0.1 * scale:
        return 0 if a > 0 and d > 0 else 180 if a < 0 and d < 0 else -1
    if abs(a) < 0.1 * scale and abs(d) < 0.1 * scale:
        return 90 if b > 0 and c < 0 else 270 if b < 0 and c > 0 else -1
    return -1


def _upright(char: LTChar, direction: int, box: tuple[float, float, float, float]) -> _Glyph:
    """The glyph turned with its page so that its text runs left to right, from a (0, 0) corner."""
    left, bottom, right, top = box
    x0, y0, x1, y1 = char.x0, char.y0, char.x1, char.y1
    size = x1 - x0 if direction in (90, 270) else char.size  # a turned glyph's box is its height wide
    if direction == 90:  # reads upwards: turn the page clockwise
        x0, y0, x1, y1 = y0 - bottom, right - x1, y1 - bottom, right - x0
    elif direction == 270:  # reads downwards: turn it anticlockwise
        x0, y0, x1, y1 = top - y1, x0 - left, top - y0, x1 - left
    elif direction == 180:
        x0, y0, x1, y1 = right - x1, top - y1, right - x0, top - y0
    else:
        x0, y0, x1, y1 = x0 - left, y0 - bottom, x1 - left, y1 - bottom
    return _Glyph(char.get_text(), x0, y0, x1, y1, size)


def _page_words(layout: LTPage, number: int) -> Page:
    """The page's words in the direction most of its text runs; text running other ways (a margin
    note, a stamp) is left out rather than read backwards. A page whose text all runs sideways (a
    landscape table drawn on a portrait page) comes out turned, with its width and height swapped."""
    left, bottom, right, top = layout.bbox
    chars = [
        char
        for char in _chars(layout, [MAX_CHARS_PER_PAGE])
        if char.width >= 0 and not char.get_text().startswith("(cid:")
    ]
    by_direction = Counter(_direction(char) for char in chars if not char.get_text().isspace())
    by_direction.pop(-1, None)
    direction = max((0, 90, 180, 270), key=lambda d: (by_direction[d], d == 0))
    glyphs = [_upright(char, direction, layout.bbox) for char in chars if _direction(char) == direction]
    width, height = right - left, top - bottom
    if direction in (90, 270):
        width, height = height, width
    if glyphs and direction:
        # pdfminer reports a /Rotate page's box unturned while it turns the glyphs: fit the frame to them.
        shift_x = min(0.0, min(g.x0 for g in glyphs))
        shift_y = min(0.0, min(g.y0 for g in glyphs))
        glyphs = [
            _Glyph(g.text, g.x0 - shift_x, g.y0 - shift_y, g.x1 - shift_x, g.y1 - shift_y, g.size) for g in glyphs
        ]
        width = max(width, max(g.x1 for g in glyphs))
        height = max(height, max(g.y1 for g in glyphs))
    words: list[Word] = []
    for line in _glyph_lines(glyphs):
        words.extend(_split_words(line, number, 0.0, height))
    return Page(number=number, width=width, height=height, words=words)


def _glyph_lines(glyphs: list[_Glyph]) -> list[list[_Glyph]]:
    """Glyphs sharing a baseline band, each line left to right."""
    lines: list[list[_Glyph]] = []
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


def _split_words(line: list[_Glyph], page: int, x_origin: float, top: float) -> Iterator[Word]:
    current: list[_Glyph] = []
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


def _word(glyphs: list[_Glyph], page: int, x_origin: float, top: float) -> Word:
    text = "".join(g.get_text() for g in glyphs).replace("\u00a0", " ").strip()
    return Word(
        text=text,
        x0=min(g.x0 for g in glyphs) - x_origin,
        y0=top - max(g.y1 for g in glyphs),
        x1=max(g.x1 for g in glyphs) - x_origin,
        y1=top - min(g.y0 for g in glyphs),
        page=page,
    )
