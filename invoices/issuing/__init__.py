"""Issuing sales invoices: numbering, the EN 16931 arithmetic, the frozen document, and what is made of it.

An issued invoice is frozen as a *document*: a plain JSON dict (`document.py` describes it) built
once, at issue, from the invoice, the company's profile and the buyer. Everything handed out is
derived from that dict and nothing else: the PDF (`pdf.py`), the CII and UBL e-invoices (`cii.py`,
`ubl.py`), the PAdES signature on the PDF (`pades.py`) and the signed JSON envelope (`envelope.py`).
"""
