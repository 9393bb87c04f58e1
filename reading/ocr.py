"""The OCR reader: images and scanned PDFs into positioned words, for the layout reader.

Recognition is RapidOCR (PP-OCRv6 detection and recognition run by onnxruntime). Its ONNX models ship
inside the `rapidocr` wheel, so nothing is downloaded at run time. The engine is created lazily, once
per process, and shared: loading the models costs about a second and a hundred megabytes.

Work is bounded: images are downscaled to `MAX_SIDE` pixels on their long side before recognition
(JPEGs are decoded at reduced scale straight away), PDFs are rendered at `PDF_DPI` with the same
bound, and at most `MAX_OCR_PAGES` pages are recognised. Boxes are converted back to points from the
top-left corner, like the text-PDF reader's, so the layout reader does not care where words came from.

Points for an image: 72 per inch at the resolution the image records, or, when it records none (or
a silly one), the resolution at which its short side would be no wider than an A4 page, at least
`DEFAULT_DPI`. A photographed receipt thus comes out about receipt-sized, a 600 dpi scan A4-sized.

The detection and recognition models run in onnxruntime sessions made here rather than by RapidOCR,
for one option RapidOCR does not expose: worker threads that sleep instead of spinning while they
wait. Spinning buys a few milliseconds on an idle machine and costs a third of the CPU time (and a
quarter of the wall time) when the cores are shared with anything else, which on a worker they are.
"""

import io
import os
import re
import threading
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageOps

from reading.sniff import DocumentError
from reading.words import Page, Word, WordDocument

if TYPE_CHECKING:
    import numpy as np

# The long side, in pixels, an image is reduced to before recognition. 2000 px keeps 8-point text on
# an A4 page at about 170 dpi, plenty for the recogniser, and bounds the time per page.
MAX_SIDE = 2000
PDF_DPI = 200
MAX_OCR_PAGES = 10
MAX_IMAGE_PIXELS = 50_000_000  # as the engine's upload check: about 7,000 x 7,000
DEFAULT_DPI = 150.0
A4_SHORT_SIDE_INCHES = 8.27
PLAUSIBLE_DPI = (50.0, 2400.0)

# RapidOCR's settings, fixed when the engine is created (its per-call overrides mutate shared state).
# The detector sees at most 1280 px on the long side (the default enlarges small images instead, and
# took three times as long on the corpus's receipts for the same text); the recogniser crops its
# lines from the `MAX_SIDE` image. The text-line orientation classifier is off: scans arrive upright
# once EXIF rotation is applied, and it costs a second pass over every line.
# The recogniser reads its lines in batches of similar shape, each scaled to 48 px high and padded to
# the widest; RapidOCR pads every batch to at least 320 px, though most of a receipt's lines (prices,
# quantities, short labels) are far narrower. Padding only to `REC_MIN_WIDTH` gives the recogniser a
# third less to read, and recognition is two thirds of the time.
REC_MIN_WIDTH = 96
RAPIDOCR_PARAMS: dict[str, Any] = {
    "Global.log_level": "warning",
    "Global.use_cls": False,
    "Global.max_side_len": MAX_SIDE * 2,  # we downscale ourselves, keeping the factor
    "Global.text_score": 0.5,
    "Det.limit_type": "max",
    "Det.limit_side_len": 1280,
    "Rec.rec_img_shape": [3, 48, REC_MIN_WIDTH],
}

# The recogniser often drops the space after a label's colon ("Total:1,332.00"); split it back.
LABEL_GLUED_TO_VALUE = re.compile(r"(?<=[^\W\d_]{2}:)(?=[\w(+-])")

# The models RapidOCR's settings above select (PP-OCRv6 small, in the wheel's `models` directory).
DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"

_engine: Any = None
_sessions_made = False
# Celery's prefork workers are separate processes, each with its own engine; the locks matter only
# where one process runs several threads. Recognition is serialised: onnxruntime already uses every
# core for one page, and PDFium is not thread-safe at all.
_engine_lock = threading.Lock()
_run_lock = threading.Lock()


def read_image(data: bytes) -> WordDocument:
    """Recognise the words of a PNG or JPEG, upright after its EXIF orientation, as one page."""
    image, points_per_pixel = _open_image(data)
    width, height = image.size
    page = ocr_page(image, number=0, points_per_pixel=points_per_pixel)
    page.width, page.height = width * points_per_pixel, height * points_per_pixel
    return WordDocument(pages=[page], source="ocr")


def read_scanned_pdf(data: bytes, *, max_pages: int = MAX_OCR_PAGES, first_page: int = 0) -> WordDocument:
    """Render each page of a PDF at `PDF_DPI` and recognise its words.

    Pages before `first_page` and past `max_pages` are listed with their size but no words, so the
    page count stays true.
    """
    import pypdfium2 as pdfium

    pages: list[Page] = []
    with _run_lock:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            raise DocumentError(f"The PDF could not be read: {error}") from None
        try:
            for index in range(len(pdf)):
                pdf_page = pdf[index]
                try:
                    width, height = pdf_page.get_size()
                    if pdf_page.get_rotation() in (90, 270):
                        width, height = height, width
                    if index >= max_pages or index < first_page:
                        pages.append(Page(number=index, width=width, height=height))
                        continue
                    scale = min(PDF_DPI / 72.0, MAX_SIDE / max(width, height, 1.0))
                    bitmap = pdf_page.render(scale=scale)
                    try:
                        image = bitmap.to_pil().convert("RGB")
                    finally:
                        bitmap.close()
                finally:
                    pdf_page.close()
                page = _recognise(image, number=index, points_per_pixel=1.0 / scale)
                page.width, page.height = width, height
                pages.append(page)
        except pdfium.PdfiumError as error:
            raise DocumentError(f"The PDF could not be rendered: {error}") from None
        finally:
            pdf.close()
    return WordDocument(pages=pages, source="ocr")


def add_image_text(data: bytes, document: WordDocument, *, page_number: int = 0) -> WordDocument:
    """`document` (a PDF's text layer) with the words that only images on one page show added to it.

    Letterheads are often a picture: the supplier's name and VAT number in a logo above a text-layer
    body. The page is rendered whole and recognised; recognised words that sit where the text layer
    already has words are dropped, so nothing is read twice.
    """
    rendered = read_scanned_pdf(data, max_pages=page_number + 1, first_page=page_number)
    if page_number >= len(rendered.pages) or page_number >= len(document.pages):
        return document
    page = document.pages[page_number]
    added = [word for word in rendered.pages[page_number].words if not _covers_text(word, page.words)]
    if not added:
        return document
    pages = list(document.pages)
    pages[page_number] = Page(number=page.number, width=page.width, height=page.height, words=page.words + added)
    return WordDocument(pages=pages, source=document.source)


def _covers_text(word: Word, text_words: list[Word]) -> bool:
    for other in text_words:
        overlap_x = min(word.x1, other.x1) - max(word.x0, other.x0)
        overlap_y = min(word.y1, other.y1) - max(word.y0, other.y0)
        if overlap_x > 0 and overlap_y > 0.3 * min(word.height, other.height):
            return True
    return False


def ocr_page(image: Image.Image, *, number: int, points_per_pixel: float) -> Page:
    """Recognise one page image (RGB); word boxes come back in points of the page it shows."""
    with _run_lock:
        return _recognise(image, number=number, points_per_pixel=points_per_pixel)


_DIGIT_LOOKALIKES = str.maketrans({"I": "1", "l": "1", "|": "1", "O": "0", "o": "0"})
_MISREAD_AMOUNT = re.compile(r"(?P<prefix>RM|Rp|Rs\.?|[$€£¥₹]|[A-Z]{3})?(?P<number>[\dIl|Oo][\dIl|Oo,.]*[.,][\dOo]{2})")


@dataclass(frozen=True)
class TextBox:
    """One line of text as the recogniser returns it, in pixels of the image it was given."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    score: float


def fix_misread_digits(token: str) -> str:
    """An amount the recogniser read with letters for digits ("RMI11.90", "1O.50") written with digits.

    Only a token that is otherwise an amount (an optional currency prefix, then digits with cents) is
    touched, so words keep their letters.
    """
    match = _MISREAD_AMOUNT.fullmatch(token)
    if match is None or not any(c.isdigit() for c in match["number"]):
        return token
    return (match["prefix"] or "") + match["number"].translate(_DIGIT_LOOKALIKES)


def split_words(box: TextBox, *, page: int, scale: float) -> list[Word]:
    """The words of a recognised line, each given a share of the line's width by its characters.

    `scale` converts the box's pixels to points. Character widths vary, but proportional shares put
    each word within a character or two of where it is, which is all the layout reader needs.
    """
    text = LABEL_GLUED_TO_VALUE.sub(" ", box.text)
    if not text.strip():
        return []
    char_width = (box.x1 - box.x0) / len(text)
    words = []
    position = 0
    for token in text.split():
        start = text.index(token, position)
        position = start + len(token)
        words.append(
            Word(
                text=fix_misread_digits(token),
                x0=(box.x0 + start * char_width) * scale,
                y0=box.y0 * scale,
                x1=(box.x0 + position * char_width) * scale,
                y1=box.y1 * scale,
                page=page,
                confidence=box.score,
            )
        )
    return words


def _recognise(image: Image.Image, *, number: int, points_per_pixel: float) -> Page:
    import numpy as np  # here, not at the top: the web processes import this module but never recognise

    shrink = min(1.0, MAX_SIDE / max(image.size))
    if shrink < 1.0:
        size = (max(1, round(image.width * shrink)), max(1, round(image.height * shrink)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    words = []
    for box in _run_ocr(np.asarray(image)):
        words.extend(split_words(box, page=number, scale=points_per_pixel / shrink))
    return Page(number=number, width=0.0, height=0.0, words=words)


def _run_ocr(pixels: "np.ndarray") -> list[TextBox]:
    output = _loaded_engine()(pixels)
    if output.boxes is None or output.txts is None or output.scores is None:
        return []  # a blank page: nothing detected
    boxes = []
    for quad, text, score in zip(output.boxes, output.txts, output.scores, strict=True):
        xs, ys = quad[:, 0], quad[:, 1]
        boxes.append(
            TextBox(str(text), float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()), float(score))
        )
    return boxes


def _threads() -> int | None:
    """onnxruntime's thread count from `OCR_THREADS` (default, None: every core, right for one worker process).

    With several worker processes on a small machine, set it so processes x threads = cores.
    """
    threads = os.environ.get("OCR_THREADS", "").strip()
    if not threads.isdigit() or int(threads) < 1:
        return None
    return int(threads)


def _loaded_engine() -> Any:
    """The process's engine with its models loaded, into `_session`s, before its first recognition."""
    global _sessions_made
    engine = _get_engine()
    if not _sessions_made:
        with _engine_lock:
            if not _sessions_made:
                from omegaconf import flag_override

                # RapidOCR's onnxruntime backend uses a session found in the model's settings as it is
                # (rapidocr PR #451); its settings take only plain values unless told otherwise.
                with flag_override(engine.cfg, "allow_objects", True):
                    engine.cfg.Det.session = _session(DET_MODEL)
                    engine.cfg.Rec.session = _session(REC_MODEL)
                _sessions_made = True
    return engine


def _session(model: str) -> Any:
    """An onnxruntime session for one of the wheel's models, its threads sleeping rather than spinning."""
    from pathlib import Path

    import onnxruntime
    import rapidocr

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.enable_cpu_mem_arena = False  # as RapidOCR: line crops vary in size, an arena only grows
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    threads = _threads()
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    path = Path(rapidocr.__file__).parent / "models" / model
    return onnxruntime.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


def _get_engine() -> Any:
    """The process's RapidOCR engine, created on first use (importing it pulls in OpenCV and onnxruntime)."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                from rapidocr import RapidOCR

                _engine = RapidOCR(params=RAPIDOCR_PARAMS)
    return _engine


def _open_image(data: bytes) -> tuple[Image.Image, float]:
    """The image decoded upright and in RGB, at no more than about `MAX_SIDE` pixels where that is
    cheap, and the points each of its pixels spans."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise DocumentError(f"The image is {width} x {height} pixels; it is too large to read.")
            dpi = _recorded_dpi(image) or max(DEFAULT_DPI, min(width, height) / A4_SHORT_SIDE_INCHES)
            if image.format == "JPEG" and max(width, height) > MAX_SIDE:
                # Decode a large JPEG at 1/2, 1/4 or 1/8 scale, never below the size asked for.
                shrink = MAX_SIDE / max(width, height)
                image.draft("RGB", (round(width * shrink), round(height * shrink)))
                dpi *= image.size[0] / width
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            rgb = upright.convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DocumentError("The image is too large to read (a decompression bomb?).") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise DocumentError(f"The image could not be read: {error}") from None
    return rgb, 72.0 / dpi


def _recorded_dpi(image: Image.Image) -> float | None:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        return None
    return value if PLAUSIBLE_DPI[0] <= value <= PLAUSIBLE_DPI[1] else None
