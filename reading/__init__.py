"""The reading stack both document engines share: bytes to text, words, lines, amounts and dates.

A plain Python package at the bottom of the dependency order: it imports no Django and nothing of
`invoices` or `bank`, and both the invoice engine (`invoices.extraction`) and the statement engine
(`bank.statements`) build on it, so one fix to how a date or an amount is read helps both.

- `sniff`: what kind of file some bytes are (PDF, image, e-invoice XML, CAMT.053, OFX, MT940, text),
  and the safe parse of untrusted XML; `DocumentError` for input that cannot be read.
- `text`: bytes to text in whatever encoding a bank or an invoicing tool wrote.
- `words`, `textpdf` and `ocr`: words with their boxes, read from a PDF's text layer or recognised
  in an image or a scanned PDF; `pdf` opens untrusted PDFs.
- `lines`: words grouped into lines by baseline, and lines split into cells at wide gaps.
- `amounts` and `currencies`: money as printed, in every locale's format, and the currency it is in.
- `dates`: dates as printed, numeric or with month names, and the day-first / month-first question.
"""
