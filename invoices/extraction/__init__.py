"""The invoice extraction engine: document bytes in, a typed `ExtractionResult` out.

A plain Python package with no Django imports, so it can be tested and benchmarked on its own
(`bench/extraction.py`). `engine.extract` (and `engine.read_document`, which keeps the words) is the
entry point: it sniffs the document kind from its content and dispatches to a reader. E-invoices
(UBL, CII, Factur-X / ZUGFeRD / XRechnung PDFs) are read exactly by `einvoice`; text PDFs through
`reading.textpdf`, images and scans through `reading.ocr`, then `fields` finds the invoice in the words.
`templates` learns a supplier's layout from corrected values and reads it again in that supplier's
next invoice. Words, lines, amounts, dates and sniffing come from the `reading` package, which the
statement engine shares.
"""
