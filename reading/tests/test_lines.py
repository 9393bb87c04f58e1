"""Words grouped into lines by baseline, and lines cut into cells at wide gaps."""

from dataclasses import dataclass

from reading.lines import WordRun, group_lines, split_at_gaps
from reading.words import Word


def word(text: str, x0: float, y0: float, *, height: float = 10, page: int = 0) -> Word:
    return Word(text, x0, y0, x0 + 6 * len(text), y0 + height, page)


def texts(lines: list[list[Word]]) -> list[str]:
    return [" ".join(w.text for w in line) for line in lines]


def test_words_on_one_baseline_make_one_line_left_to_right() -> None:
    words = [word("Total", 50, 100), word("12.50", 300, 101), word("Date", 50, 80), word("01.04.2026", 300, 79)]

    assert texts(group_lines(words)) == ["Date 01.04.2026", "Total 12.50"]


def test_uneven_boxes_within_half_a_height_still_line_up() -> None:
    words = [word("Invoice", 50, 100), word("No.", 110, 104), word("below", 50, 112)]

    assert texts(group_lines(words)) == ["Invoice No.", "below"]


def test_pages_never_share_a_line() -> None:
    words = [word("one", 50, 100, page=0), word("two", 50, 100, page=1)]

    assert texts(group_lines(words)) == ["one", "two"]


def test_a_line_is_cut_where_the_gap_passes_the_given_multiple_of_its_height() -> None:
    line = [word("Invoice", 50, 100), word("Date", 98, 100), word("11/03/2017", 200, 100), word("Net", 400, 100)]

    assert texts(split_at_gaps(line, gap=1.1)) == ["Invoice Date", "11/03/2017", "Net"]
    assert texts(split_at_gaps(line, gap=20)) == ["Invoice Date 11/03/2017 Net"]


def test_the_cut_scales_with_the_type_size() -> None:
    small = [word("a", 0, 0, height=5), word("b", 20, 0, height=5)]
    large = [word("a", 0, 0, height=20), word("b", 20, 0, height=20)]

    assert len(split_at_gaps(small, gap=1.1)) == 2
    assert len(split_at_gaps(large, gap=1.1)) == 1


def test_a_run_of_words_reads_as_its_text_and_spans_from_its_first_to_its_last_word() -> None:
    @dataclass
    class Cell(WordRun):
        words: list[Word]

    cell = Cell(words=[word("Total", 10, 0), word("due", 60, 0)])

    assert (cell.text, cell.x0, cell.x1) == ("Total due", 10, 60 + 6 * 3)
