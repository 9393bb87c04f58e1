"""The page model the field reader works on: lines split into segments, and label-value pairs.

Words are grouped into lines (`reading.lines.group_lines`); a line is split into segments where the
gap between two words is wider than about two spaces (`reading.lines.split_at_gaps`), because
invoices set labels and values in columns ("Invoice Date      11/03/2017      Sales Contact"). A label
(`labels.match_label`) found in a segment takes as its value the text after it in the same segment,
else the next segment to its right, else the segment just below it that shares its column.
`read_fields` (in `fields`) builds candidates from these pairs; this module knows nothing about what
the fields mean.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from statistics import median

from invoices.extraction.labels import LabelMatch, match_label
from reading.lines import WordRun, group_lines, split_at_gaps
from reading.words import Word, WordDocument

# Gap between two words, in multiples of the line height, that starts a new segment.
SEGMENT_GAP = 1.1
# How far below a label (in line heights) its value may sit.
BELOW_REACH = 2.6


@dataclass
class Segment(WordRun):
    words: list[Word]
    line: int  # index into `Layout.lines`


@dataclass
class Line:
    index: int
    page: int
    y0: float
    y1: float
    height: float  # the median word height: the font size, near enough
    segments: list[Segment]

    @property
    def text(self) -> str:
        return " ".join(segment.text for segment in self.segments)

    @property
    def words(self) -> list[Word]:
        return [word for segment in self.segments for word in segment.words]


@dataclass(frozen=True)
class Value:
    """A label and the text it introduces, with where that text was found."""

    label: LabelMatch
    text: str
    where: str  # "same" (after the label), "right" (next segment), "below"
    line: Line  # the value's line
    segment: Segment  # the value's segment
    label_segment: Segment  # the segment the label was printed in (the value's own for "same")


class Layout:
    """A document's lines, segments and page sizes, with label lookups."""

    def __init__(self, document: WordDocument) -> None:
        self.document = document
        self.page_heights = {page.number: page.height for page in document.pages}
        self.page_widths = {page.number: page.width for page in document.pages}
        self.lines: list[Line] = []
        for page in document.pages:
            for words in group_lines([w for w in page.words if w.text]):
                self._add_line(words)
        heights = [line.height for line in self.lines]
        self.body_height = median(heights) if heights else 10.0
        self._labels = [self._segment_labels(segment) for line in self.lines for segment in line.segments]

    def _add_line(self, words: list[Word]) -> None:
        index = len(self.lines)
        height = median(word.height for word in words) or 1.0
        segments = [Segment(cell, index) for cell in split_at_gaps(words, gap=SEGMENT_GAP)]
        self.lines.append(
            Line(
                index=index,
                page=words[0].page,
                y0=min(w.y0 for w in words),
                y1=max(w.y1 for w in words),
                height=height,
                segments=segments,
            )
        )

    @staticmethod
    def _segment_labels(segment: Segment) -> tuple[Segment, list[LabelMatch]]:
        return segment, match_label(segment.text)

    def relative_y(self, line: Line) -> float:
        """How far down its page a line sits, from 0 (top) to 1 (bottom)."""
        return line.y0 / max(1.0, self.page_heights.get(line.page, 1.0))

    def values(self, field: str) -> Iterator[Value]:
        """Every value a label for `field` introduces, in reading order.

        The value after a label runs to the next label in the same segment ("Date: 01.04.2026 No: 7"),
        and is only looked for to the right and below when nothing follows the label.
        """
        for segment, matches in self._labels:
            spans = sorted({m.span for m in matches})
            for match in matches:
                if match.field != field:
                    continue
                later = [start for start, _ in spans if start >= match.span[1]]
                end = min(later) if later else len(segment.text)
                after = segment.text[match.span[1] : end].strip(" :.#-–|\t")
                line = self.lines[segment.line]
                if after:
                    yield Value(match, after, "same", line, segment, segment)
                    continue
                if later:
                    continue  # another label follows at once: a heading row, not a label-value pair
                right = self._right_of(segment)
                if right is not None:
                    yield Value(match, right.text, "right", line, right, segment)
                below = self.below(segment)
                if below is not None:
                    yield Value(match, below.text, "below", self.lines[below.line], below, segment)

    def _right_of(self, segment: Segment) -> Segment | None:
        line = self.lines[segment.line]
        position = line.segments.index(segment)
        return line.segments[position + 1] if position + 1 < len(line.segments) else None

    def below(self, segment: Segment) -> Segment | None:
        """The first segment under `segment` that shares its column, within a couple of lines."""
        line = self.lines[segment.line]
        for other in self.lines[segment.line + 1 :]:
            if other.page != line.page or other.y0 - line.y1 > BELOW_REACH * line.height:
                return None
            for candidate in other.segments:
                overlap = min(candidate.x1, segment.x1) - max(candidate.x0, segment.x0)
                if overlap > 0 or abs(candidate.x0 - segment.x0) < 2 * line.height:
                    return candidate
        return None

    def segments(self) -> Iterator[tuple[Segment, list[LabelMatch]]]:
        yield from self._labels

    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)
