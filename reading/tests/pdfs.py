"""Text PDFs drawn with reportlab for the extraction tests: positioned strings on A4 pages."""

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

Text = tuple[float, float, str] | tuple[float, float, str, float]  # x, y from the top, text, font size


def make_pdf(pages: list[list[Text]], *, rotate: int = 0) -> bytes:
    """A PDF whose pages hold `pages`' strings at (x, y) points from the top-left corner."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    _width, height = A4
    for texts in pages:
        if rotate:
            pdf.setPageRotation(rotate)
        for item in texts:
            x, y, text = item[0], item[1], item[2]
            size = item[3] if len(item) == 4 else 10
            pdf.setFont("Helvetica-Bold" if size > 12 else "Helvetica", size)
            pdf.drawString(x, height - y, text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def right_aligned(x_right: float, y: float, text: str, size: float = 10) -> Text:
    """A string placed so that it ends at `x_right`, as table figures are printed."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font = "Helvetica-Bold" if size > 12 else "Helvetica"
    return (x_right - stringWidth(text, font, size), y, text, size)
