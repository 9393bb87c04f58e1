"""Words with their positions: what the text-PDF and OCR readers produce and the layout reader uses.

Coordinates are in points from the page's top-left corner (y grows downwards), whatever the source:
pdfminer's bottom-left origin and OCR pixel boxes are both converted to this before use.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float  # top
    x1: float
    y1: float  # bottom
    page: int  # 0-based
    confidence: float = 1.0  # 1.0 for a PDF text layer; the recogniser's score for OCR

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def centre_y(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class Page:
    number: int  # 0-based
    width: float
    height: float
    words: list[Word] = field(default_factory=list)


@dataclass
class WordDocument:
    """A document read into words, page by page."""

    pages: list[Page]
    source: str  # "text_pdf" or "ocr"

    @property
    def words(self) -> list[Word]:
        return [word for page in self.pages for word in page.words]

    def text(self) -> str:
        """The page text in reading order: lines top to bottom, words left to right."""
        from reading.lines import group_lines

        return "\n\n".join(
            "\n".join(" ".join(word.text for word in line) for line in group_lines(page.words)) for page in self.pages
        )
