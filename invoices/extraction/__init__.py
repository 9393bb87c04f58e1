"""The invoice extraction engine: document bytes in, a typed `ExtractionResult` out.

A plain Python package with no Django imports, so it can be tested and benchmarked on its own
(`bench/extraction.py`). `engine.extract` is the single entry point: it sniffs the document kind
from its content and dispatches to a reader. E-invoices (UBL, CII, Factur-X / ZUGFeRD / XRechnung
PDFs) are read exactly by `einvoice`; text PDFs and images come later.
"""
