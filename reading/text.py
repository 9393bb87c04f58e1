"""Bytes to text, in whatever encoding the software that wrote the file used.

Banks and invoicing tools export UTF-8 (with or without a BOM), UTF-16 with or without a BOM (Excel's
"Unicode text"), and Windows-1252 or Latin-1 from older systems. `decode_text` tries them in that order
and never fails on a stray byte.
"""

import codecs
import re


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    # Five bytes are undefined in Windows-1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D); read them as Latin-1.
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


LATIN1_FALLBACK = "reading-latin1"
codecs.register_error(LATIN1_FALLBACK, _latin1_fallback)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_text(data: bytes, declared: str | None = None) -> str:
    """The text of `data`: BOM first, then UTF-8, then the declared charset, then Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            return data.decode(declared, errors=LATIN1_FALLBACK)
        except LookupError:
            pass
    return data.decode("cp1252", errors=LATIN1_FALLBACK)


def _utf16_without_bom(data: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when every other byte of an ASCII-looking text is NUL."""
    sample = data[:4000]
    if len(sample) < 8 or sample.count(b"\x00") < len(sample) // 3:
        return None
    odd_nuls = sample[1::2].count(0)
    even_nuls = sample[0::2].count(0)
    if odd_nuls > 0.9 * (len(sample) // 2):
        return "utf-16-le"
    if even_nuls > 0.9 * (len(sample) // 2):
        return "utf-16-be"
    return None


def strip_controls(text: str) -> str:
    """`text` without control characters other than tab and line breaks (SWIFT framing bytes, NULs)."""
    return _CONTROL.sub("", text)
