"""Statements built in code for the tests: one set of lines written out as CSV, OFX, MT940, CAMT.053 and PDF.

`LINES` is a small account history (money in and out, two identical coffees on one day, amounts
above a thousand, accented text) whose running balance starts at `OPENING`. Each builder writes it
in one format with the knobs that format varies on, so the tests can check every field against
`LINES` whatever the layout.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

IBAN = "NL91ABNA0417164300"
COUNTER_IBAN = "DE89370400440532013000"
OPENING = Decimal("1500.00")


@dataclass(frozen=True)
class Line:
    day: date
    amount: Decimal
    description: str
    payee: str
    reference: str

    @property
    def debit(self) -> Decimal | None:
        return -self.amount if self.amount < 0 else None

    @property
    def credit(self) -> Decimal | None:
        return self.amount if self.amount > 0 else None


LINES = [
    Line(date(2026, 3, 2), Decimal("2450.00"), "Invoice INV-2026-0042 paid", "Acme Trading BV", "RF18539007547034"),
    Line(date(2026, 3, 3), Decimal("-2.80"), "Café Déjà vu", "Costa Coffee", "C-0001"),
    Line(date(2026, 3, 3), Decimal("-2.80"), "Café Déjà vu", "Costa Coffee", "C-0001"),
    Line(date(2026, 3, 14), Decimal("-1234.56"), "Rent March", "Landlord Ltd", "RENT-03"),
    Line(date(2026, 3, 21), Decimal("-45.10"), "Electricity bill", "Power & Light", "EL-7781"),
    Line(date(2026, 3, 28), Decimal("310.25"), "Refund order 99812", "Shop Online", "R-99812"),
]
CLOSING = OPENING + sum((line.amount for line in LINES), Decimal(0))


def balances(lines: list[Line] = LINES, opening: Decimal = OPENING) -> list[Decimal]:
    """The balance after each line."""
    running, result = opening, []
    for line in lines:
        running += line.amount
        result.append(running)
    return result


def money(value: Decimal, decimal: str = ".", thousands: str = "") -> str:
    """`value` printed with the given marks: money(Decimal("-1234.5"), ",", ".") -> "-1.234,50"."""
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):.2f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{thousands.join(groups)}{decimal}{fraction}"


# ---------------------------------------------------------------------------------------------------
# CSV

HEADERS = {
    "en": {
        "date": "Date", "description": "Description", "amount": "Amount", "debit": "Debit", "credit": "Credit",
        "indicator": "Debit/Credit", "balance": "Balance", "reference": "Reference", "payee": "Payee",
        "currency": "Currency", "account": "Account", "value_date": "Value Date",
    },
    "fr": {
        "date": "Date opération", "description": "Libellé", "amount": "Montant", "debit": "Débit",
        "credit": "Crédit", "indicator": "Sens", "balance": "Solde", "reference": "Référence",
        "payee": "Bénéficiaire", "currency": "Devise", "account": "Numéro de compte", "value_date": "Date de valeur",
    },
    "de": {
        "date": "Buchungstag", "description": "Verwendungszweck", "amount": "Betrag", "debit": "Soll",
        "credit": "Haben", "indicator": "Soll/Haben", "balance": "Saldo", "reference": "Kundenreferenz",
        "payee": "Beguenstigter/Zahlungspflichtiger", "currency": "Währung", "account": "Auftragskonto",
        "value_date": "Valutadatum",
    },
    "nl": {
        "date": "Datum", "description": "Omschrijving", "amount": "Bedrag", "debit": "Af", "credit": "Bij",
        "indicator": "Af Bij", "balance": "Saldo na mutatie", "reference": "Betalingskenmerk",
        "payee": "Naam tegenpartij", "currency": "Munt", "account": "Rekening", "value_date": "Rentedatum",
    },
    "es": {
        "date": "Fecha operación", "description": "Concepto", "amount": "Importe", "debit": "Cargo",
        "credit": "Abono", "indicator": "Cargo/Abono", "balance": "Saldo", "reference": "Referencia",
        "payee": "Beneficiario", "currency": "Divisa", "account": "Cuenta", "value_date": "Fecha valor",
    },
    "ms": {
        "date": "Tarikh Transaksi", "description": "Keterangan", "amount": "Jumlah", "debit": "Debit",
        "credit": "Kredit", "indicator": "Debit/Kredit", "balance": "Baki", "reference": "Rujukan",
        "payee": "Nama", "currency": "Mata Wang", "account": "No Akaun", "value_date": "Tarikh Nilai",
    },
}  # fmt: skip
MARKS = {"en": ("DR", "CR"), "fr": ("Débit", "Crédit"), "de": ("S", "H"), "nl": ("Af", "Bij"), "es": ("Cargo", "Abono")}
MARKS["ms"] = ("DR", "CR")


def csv_statement(
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    language: str = "en",
    columns: tuple[str, ...] = ("date", "payee", "description", "reference", "amount", "balance"),
    decimal: str = ".",
    thousands: str = "",
    date_format: str = "%d/%m/%Y",
    marks: tuple[str, str] | None = None,
    header: bool = True,
    preamble: list[list[str]] | None = None,
    newest_first: bool = False,
    lines: list[Line] = LINES,
    opening: Decimal = OPENING,
    account: str = IBAN,
    currency: str = "EUR",
) -> bytes:
    """`lines` as a bank's CSV export. Column names come from `HEADERS[language]`; "amount" is signed
    unless an "indicator" column is present; "debit" and "credit" are unsigned."""
    debit_mark, credit_mark = marks or MARKS[language]
    after = balances(lines, opening)
    rows = []
    for line, balance in zip(lines, after, strict=True):
        amount = abs(line.amount) if "indicator" in columns else line.amount
        cells = {
            "date": line.day.strftime(date_format),
            "value_date": line.day.strftime(date_format),
            "payee": line.payee,
            "description": line.description,
            "reference": line.reference,
            "amount": money(amount, decimal, thousands),
            "debit": money(line.debit, decimal, thousands) if line.debit else "",
            "credit": money(line.credit, decimal, thousands) if line.credit else "",
            "indicator": debit_mark if line.amount < 0 else credit_mark,
            "balance": money(balance, decimal, thousands),
            "currency": currency,
            "account": account,
        }
        rows.append([cells[name] for name in columns])
    if newest_first:
        rows.reverse()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in preamble or []:
        writer.writerow(row)
    if header:
        writer.writerow([HEADERS[language][name] for name in columns])
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


# ---------------------------------------------------------------------------------------------------
# OFX


def _ofx_transactions(lines: list[Line], *, signed: bool = True) -> str:
    parts = []
    for index, line in enumerate(lines):
        amount = line.amount if signed else abs(line.amount)
        parts.append(
            "<STMTTRN>"
            f"<TRNTYPE>{'CREDIT' if line.amount > 0 else 'DEBIT'}"
            f"<DTPOSTED>{line.day:%Y%m%d}000000.000[-5:EST]"
            f"<TRNAMT>{amount:.2f}"
            f"<FITID>FIT{index:04d}"
            f"<NAME>{line.payee.replace('&', '&amp;')}"
            f"<MEMO>{line.description.replace('&', '&amp;')}"
            "</STMTTRN>"
        )
    return "\n".join(parts)


def ofx_sgml(*, lines: list[Line] = LINES, signed: bool = True, credit_card: bool = False, accounts: int = 1) -> bytes:
    """An OFX 1.02 (SGML) download: leaf elements without closing tags, Windows-1252 text."""
    statements = []
    for number in range(accounts):
        account_id = f"12345678{number}{9 - number}"
        start = (
            "CCSTMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS><CCSTMTRS"
            if credit_card
            else ("STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS><STMTRS")
        )
        end = "CCSTMTRS></CCSTMTTRNRS" if credit_card else "STMTRS></STMTTRNRS"
        account = (
            f"<CCACCTFROM><ACCTID>{account_id}</CCACCTFROM>"
            if credit_card
            else f"<BANKACCTFROM><BANKID>121000248<ACCTID>{account_id}<ACCTTYPE>CHECKING</BANKACCTFROM>"
        )
        statements.append(
            f"<{start}><CURDEF>USD{account}"
            f"<BANKTRANLIST><DTSTART>20260301<DTEND>20260331\n{_ofx_transactions(lines, signed=signed)}\n"
            f"</BANKTRANLIST><LEDGERBAL><BALAMT>{CLOSING:.2f}<DTASOF>20260331</LEDGERBAL>"
            f"<AVAILBAL><BALAMT>1.00<DTASOF>20260331</AVAILBAL></{end}>"
        )
    wrapper = "CREDITCARDMSGSRSV1" if credit_card else "BANKMSGSRSV1"
    body = (
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n"
        "COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"
        "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20260401"
        "<LANGUAGE>ENG<FI><ORG>Example Bank<FID>1234</FI></SONRS></SIGNONMSGSRSV1>"
        f"<{wrapper}>{''.join(statements)}</{wrapper}></OFX>\n"
    )
    return body.encode("cp1252")


def ofx_xml(*, lines: list[Line] = LINES) -> bytes:
    """An OFX 2.2 (XML) download with closing tags everywhere and a CDATA name."""
    transactions = "".join(
        f"""
        <STMTTRN>
          <TRNTYPE>{"CREDIT" if line.amount > 0 else "DEBIT"}</TRNTYPE>
          <DTPOSTED>{line.day:%Y%m%d}</DTPOSTED>
          <DTAVAIL>{line.day:%Y%m%d}</DTAVAIL>
          <TRNAMT>{line.amount:.2f}</TRNAMT>
          <FITID>FIT{index:04d}</FITID>
          <NAME><![CDATA[{line.payee}]]></NAME>
          <MEMO>{line.description.replace("&", "&amp;")}</MEMO>
        </STMTTRN>"""
        for index, line in enumerate(lines)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX>
  <SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
    <DTSERVER>20260401</DTSERVER><LANGUAGE>ENG</LANGUAGE><FI><ORG>Example Bank</ORG><FID>1</FID></FI>
  </SONRS></SIGNONMSGSRSV1>
  <BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
    <STMTRS>
      <CURDEF>EUR</CURDEF>
      <BANKACCTFROM><BANKID>ABNANL2A</BANKID><ACCTID>{IBAN}</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>
      <BANKTRANLIST><DTSTART>20260301</DTSTART><DTEND>20260331</DTEND>{transactions}
      </BANKTRANLIST>
      <LEDGERBAL><BALAMT>{CLOSING:.2f}</BALAMT><DTASOF>20260331</DTASOF></LEDGERBAL>
    </STMTRS>
  </STMTTRNRS></BANKMSGSRSV1>
</OFX>
""".encode()


# ---------------------------------------------------------------------------------------------------
# MT940


def mt940_amount(value: Decimal) -> str:
    return f"{abs(value):.2f}".replace(".", ",")


def mt940_message(
    lines: list[Line],
    *,
    account: str = IBAN,
    opening: Decimal = OPENING,
    sequence: int = 1,
    info: str = "plain",
    envelope: bool = True,
) -> str:
    """One MT940 message for `lines`; `info` picks the :86: style: "plain", "subfields" (?20..?32),
    "tags" (/EREF/ /NAME/ /REMI/) or "none"."""
    closing = opening + sum((line.amount for line in lines), Decimal(0))
    first, last = (lines[0].day, lines[-1].day) if lines else (date(2026, 3, 1), date(2026, 3, 1))
    out = []
    if envelope:
        out.append("{1:F01ABNANL2AAXXX0000000000}{2:O940ABNANL2AXXXXN}{3:}{4:")
    out += [
        f":20:STMT{sequence:04d}",
        f":25:{account}",
        f":28C:{sequence}/1",
        f":60F:{'C' if opening >= 0 else 'D'}{first:%y%m%d}EUR{mt940_amount(opening)}",
    ]
    for line in lines:
        mark = "C" if line.amount > 0 else "D"
        out.append(
            f":61:{line.day:%y%m%d}{line.day:%m%d}{mark}{mt940_amount(line.amount)}NTRF{line.reference}//B{sequence}"
        )
        if info == "plain":
            out.append(f":86:{line.payee}")
            out.append(line.description)
        elif info == "subfields":
            out.append(f":86:166?00SEPA-UEBERWEISUNG?20EREF+{line.reference}?21SVWZ+{line.description}")
            out.append(f"?30GENODEF1PFK?31{COUNTER_IBAN}?32{line.payee}")
        elif info == "tags":
            out.append(f":86:/TRTP/SEPA OVERBOEKING/IBAN/{COUNTER_IBAN}/BIC/DEUTDEFF/NAME/{line.payee}/")
            out.append(f"REMI/{line.description}/EREF/{line.reference}")
    out.append(f":62F:{'C' if closing >= 0 else 'D'}{last:%y%m%d}EUR{mt940_amount(closing)}")
    if envelope:
        out.append("-}{5:}")
    return "\r\n".join(out) + "\r\n"


# ---------------------------------------------------------------------------------------------------
# CAMT.053


def camt053(
    *,
    lines: list[Line] = LINES,
    version: str = "02",
    statements: int = 1,
    opening_code: str = "OPBD",
    batch: bool = False,
) -> bytes:
    """A camt.053.001.<version> document with `statements` Stmt elements holding `lines` each.

    Versions 08 and later nest party names under `Pty`, as the schema does."""
    nested = int(version) >= 8

    def party(role: str, name: str, iban: str) -> str:
        inner = f"<Nm>{name}</Nm>"
        if nested:
            inner = f"<Pty>{inner}</Pty>"
        return f"<{role}>{inner}</{role}><{role}Acct><Id><IBAN>{iban}</IBAN></Id></{role}Acct>"

    def entry(index: int, line: Line) -> str:
        credit = line.amount > 0
        other = party("Dbtr" if credit else "Cdtr", line.payee.replace("&", "&amp;"), COUNTER_IBAN)
        us = party("Cdtr" if credit else "Dbtr", "Our Company BV", IBAN)
        remittance = (
            "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
            f"<Ref>{line.reference}</Ref></CdtrRefInf></Strd>"
            if line.reference.startswith("RF")
            else f"<Ustrd>{line.description}</Ustrd>"
        )
        details = f"""
            <TxDtls>
              <Refs><EndToEndId>{line.reference if not line.reference.startswith("RF") else "NOTPROVIDED"}</EndToEndId></Refs>
              <RltdPties>{other}{us}</RltdPties>
              <RmtInf>{remittance}</RmtInf>
            </TxDtls>"""
        if batch and index == 0:
            details = details * 2
        booking = f"<DtTm>{line.day.isoformat()}T10:00:00+01:00</DtTm>" if index == 0 else f"<Dt>{line.day}</Dt>"
        return f"""
        <Ntry>
          <NtryRef>{index}</NtryRef>
          <Amt Ccy="EUR">{abs(line.amount):.2f}</Amt>
          <CdtDbtInd>{"CRDT" if credit else "DBIT"}</CdtDbtInd>
          <Sts>BOOK</Sts>
          <BookgDt>{booking}</BookgDt>
          <ValDt><Dt>{line.day.replace(day=line.day.day + 1)}</Dt></ValDt>
          <AcctSvcrRef>BANKREF{index:05d}</AcctSvcrRef>
          <NtryDtls>{details}</NtryDtls>
          <AddtlNtryInf>SEPA {"credit" if credit else "debit"} transfer</AddtlNtryInf>
        </Ntry>"""

    def statement(number: int) -> str:
        iban = IBAN if number == 0 else "DE44500105175407324931"
        closing = CLOSING
        entries = "".join(entry(index, line) for index, line in enumerate(lines))
        return f"""
      <Stmt>
        <Id>STMT-{number}</Id>
        <CreDtTm>2026-04-01T06:00:00</CreDtTm>
        <FrToDt><FrDtTm>2026-03-01T00:00:00</FrDtTm><ToDtTm>2026-03-31T23:59:59</ToDtTm></FrToDt>
        <Acct>
          <Id><IBAN>{iban}</IBAN></Id>
          <Ccy>EUR</Ccy>
          <Svcr><FinInstnId><BIC>ABNANL2A</BIC><Nm>Example Bank N.V.</Nm></FinInstnId></Svcr>
        </Acct>
        <Bal><Tp><CdOrPrtry><Cd>{opening_code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{OPENING:.2f}</Amt>
          <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-02-28</Dt></Dt></Bal>
        <Bal><Tp><CdOrPrtry><Cd>CLAV</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1.00</Amt>
          <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-31</Dt></Dt></Bal>
        <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{abs(closing):.2f}</Amt>
          <CdtDbtInd>{"CRDT" if closing >= 0 else "DBIT"}</CdtDbtInd><Dt><Dt>2026-03-31</Dt></Dt></Bal>
        {entries}
      </Stmt>"""

    body = "".join(statement(number) for number in range(statements))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-04-01T06:00:00</CreDtTm></GrpHdr>{body}
  </BkToCstmrStmt>
</Document>
""".encode()


# ---------------------------------------------------------------------------------------------------
# PDF

Text = tuple[float, float, str]  # x, y from the top, text


def pdf(pages: list[list[Text]], *, right_aligned: set[float] | None = None) -> bytes:
    """A text PDF with `pages`' strings at (x, y) from the top-left; x in `right_aligned` is a right edge."""
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=A4)
    _width, height = A4
    for texts in pages:
        document.setFont("Helvetica", 9)
        for x, y, text in texts:
            if right_aligned and x in right_aligned:
                document.drawRightString(x, height - y, text)
            else:
                document.drawString(x, height - y, text)
        document.showPage()
    document.save()
    return buffer.getvalue()


def pdf_statement(*, lines: list[Line] = LINES, layout: str = "columns", per_page: int = 100) -> bytes:
    """A bank statement PDF. Layouts:

    - "columns": Date | Description | Money out | Money in | Balance, opening and closing rows, the
      date printed once per day, the payee on a second line;
    - "amount": Date | Details | Amount | Balance with signed amounts and "12 Mar" dates;
    - "french": Date | Libellé | Débit | Crédit | Solde, decimal comma and space-grouped thousands.
    """
    right = {330.0, 400.0, 480.0}
    header: list[Text]
    if layout == "french":
        header = [
            (40, 150, "Date"),
            (110, 150, "Libellé"),
            (300, 150, "Débit"),
            (365, 150, "Crédit"),
            (455, 150, "Solde"),
        ]
        top = [
            (40, 40, "Banque Exemple SA"),
            (40, 60, f"IBAN : {IBAN}"),
            (40, 75, "Période du 01/03/2026 au 31/03/2026"),
        ]
    elif layout == "amount":
        header = [(40, 150, "Date"), (110, 150, "Details"), (365, 150, "Amount"), (455, 150, "Balance")]
        top = [
            (40, 40, "Example Bank plc"),
            (40, 60, "Account number 12345678"),
            (40, 75, "Statement date 31 March 2026"),
        ]
    else:
        header = [
            (40, 150, "Date"),
            (110, 150, "Description"),
            (285, 150, "Money out"),
            (355, 150, "Money in"),
            (450, 150, "Balance"),
        ]
        top = [
            (40, 40, "Example Bank plc"),
            (40, 60, "Account number 12345678"),
            (40, 75, "Statement period 01/03/2026 to 31/03/2026"),
        ]
    decimal, thousands = (",", " ") if layout == "french" else (".", ",")
    after = balances(lines)
    rows: list[list[Text]] = [[]]
    y = 170.0
    if layout != "amount":
        label = "Solde précédent" if layout == "french" else "Balance brought forward"
        rows[0].append((110, y, label))
        rows[0].append((480, y, money(OPENING, decimal, thousands)))
        y += 15
    previous_day = None
    for index, (line, balance) in enumerate(zip(lines, after, strict=True)):
        if index and index % per_page == 0:
            rows.append([])
            y = 170.0
        page = rows[-1]
        if layout == "amount":
            page.append((40, y, line.day.strftime("%d %b")))
            page.append((110, y, f"{line.payee} {line.description}"))
            page.append((400, y, money(line.amount, decimal, thousands)))
            page.append((480, y, money(balance, decimal, thousands)))
            y += 15
            continue
        if line.day != previous_day:
            page.append((40, y, line.day.strftime("%d %b %Y" if layout == "columns" else "%d/%m/%Y")))
        previous_day = line.day
        page.append((110, y, line.description))
        column = 330.0 if line.amount < 0 else 400.0
        page.append((column, y, money(abs(line.amount), decimal, thousands)))
        page.append((480, y, money(balance, decimal, thousands)))
        page.append((110, y + 11, line.payee))
        y += 28
    last = rows[-1]
    label = "Nouveau solde" if layout == "french" else "Balance carried forward"
    last.append((110, y + 5, label))
    last.append((480, y + 5, money(after[-1], decimal, thousands)))
    pages = [top + header + page if number == 0 else header + page for number, page in enumerate(rows)]
    return pdf(pages, right_aligned=right)


# ---------------------------------------------------------------------------------------------------
# OFX with several transaction lists, and bank and card sections in one file


def _ofx_lines_xml(lines: list[Line], first_fitid: int) -> str:
    return "".join(
        f"<STMTTRN><TRNTYPE>{'CREDIT' if line.amount > 0 else 'DEBIT'}</TRNTYPE>"
        f"<DTPOSTED>{line.day:%Y%m%d}</DTPOSTED><TRNAMT>{line.amount:.2f}</TRNAMT>"
        f"<FITID>FIT{first_fitid + index:04d}</FITID><NAME>{line.payee.replace('&', '&amp;')}</NAME></STMTTRN>\n"
        for index, line in enumerate(lines)
    )


def _ofx_lines_sgml(lines: list[Line], first_fitid: int) -> str:
    return "".join(
        f"<STMTTRN><TRNTYPE>{'CREDIT' if line.amount > 0 else 'DEBIT'}\n"
        f"<DTPOSTED>{line.day:%Y%m%d}\n<TRNAMT>{line.amount:.2f}\n"
        f"<FITID>FIT{first_fitid + index:04d}\n<NAME>{line.payee.replace('&', '&amp;')}\n</STMTTRN>\n"
        for index, line in enumerate(lines)
    )


def ofx_sections(
    *,
    bank_lists: list[list[Line]],
    card_lists: list[list[Line]] | None = None,
    xml: bool = False,
    close_lists: bool = True,
) -> bytes:
    """An OFX file whose bank statement holds one `BANKTRANLIST` per entry of `bank_lists` and, when
    `card_lists` is given, a credit-card statement in a `CREDITCARDMSGSRSV1` section after it.

    Card lines are written as OFX signs them, from the holder's side (purchases negative). SGML
    (`xml=False`) leaves leaves unclosed; `close_lists=False` also leaves the transaction lists
    unclosed, as some exporters do."""
    lines_of = _ofx_lines_xml if xml else _ofx_lines_sgml

    def leaf(tag: str, value: str) -> str:
        return f"<{tag}>{value}</{tag}>" if xml else f"<{tag}>{value}\n"

    def tranlists(lists: list[list[Line]], first_fitid: int) -> str:
        out = []
        for number, lines in enumerate(lists):
            start, end = (f"{lines[0].day:%Y%m%d}", f"{lines[-1].day:%Y%m%d}") if lines else ("", "")
            dates = leaf("DTSTART", start) + leaf("DTEND", end) if lines else ""
            closing = "</BANKTRANLIST>\n" if close_lists or xml else ""
            out.append(f"<BANKTRANLIST>{dates}{lines_of(lines, first_fitid + 100 * number)}{closing}")
        return "".join(out)

    def balance(amount: Decimal) -> str:
        if xml:
            return f"<LEDGERBAL><BALAMT>{amount:.2f}</BALAMT><DTASOF>20260331</DTASOF></LEDGERBAL>"
        return f"<LEDGERBAL><BALAMT>{amount:.2f}\n<DTASOF>20260331\n</LEDGERBAL>"

    bank = (
        "<BANKMSGSRSV1><STMTTRNRS><STMTRS>"
        + leaf("CURDEF", "USD")
        + "<BANKACCTFROM>"
        + leaf("BANKID", "121000248")
        + leaf("ACCTID", "1234567890")
        + leaf("ACCTTYPE", "CHECKING")
        + "</BANKACCTFROM>\n"
        + tranlists(bank_lists, 0)
        + balance(CLOSING)
        + "</STMTRS></STMTTRNRS></BANKMSGSRSV1>\n"
    )
    card = ""
    if card_lists is not None:
        card = (
            "<CREDITCARDMSGSRSV1><CCSTMTTRNRS><CCSTMTRS>"
            + leaf("CURDEF", "USD")
            + "<CCACCTFROM>"
            + leaf("ACCTID", "4111111111114321")
            + "</CCACCTFROM>\n"
            + tranlists(card_lists, 1000)
            + balance(Decimal("-123.45"))
            + "</CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1>\n"
        )
    sign_on = "<SIGNONMSGSRSV1><SONRS>" + "<FI>" + leaf("ORG", "Example Bank") + "</FI></SONRS></SIGNONMSGSRSV1>\n"
    if xml:
        head = '<?xml version="1.0" encoding="UTF-8"?>\n<?OFX OFXHEADER="200" VERSION="220"?>\n'
    else:
        head = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nCHARSET:1252\n\n"
    return f"{head}<OFX>{sign_on}{bank}{card}</OFX>\n".encode("cp1252")


CARD_LINES = [
    Line(date(2026, 3, 4), Decimal("-59.90"), "", "Book Shop", ""),
    Line(date(2026, 3, 9), Decimal("-12.00"), "", "Cinema", ""),
    Line(date(2026, 3, 15), Decimal("200.00"), "", "Payment thank you", ""),
    Line(date(2026, 3, 20), Decimal("4.50"), "", "Refund Cinema", ""),
]


# ---------------------------------------------------------------------------------------------------
# MT940 with irregular spacing


def mt940_irregular(message: str, *, line_end: str = "\n", indent: str = "", blank_lines: bool = False) -> bytes:
    """`message` (an `mt940_message`) as careless exports write it: `line_end` between lines, tags
    indented by `indent`, trailing spaces on every line and, with `blank_lines`, an empty line
    before every tag."""
    out = []
    for line in message.replace("\r\n", "\n").rstrip("\n").split("\n"):
        if line.startswith(":"):
            if blank_lines:
                out.append("")
            line = indent + line
        out.append(line + "  ")
    return (line_end.join(out) + line_end).encode()


# ---------------------------------------------------------------------------------------------------
# PDF statements without an opening balance


def pdf_without_opening(
    lines: list[Line],
    *,
    opening: Decimal,
    balance_on: str = "line",
    heading: bool = False,
    summary: Decimal | None = None,
) -> bytes:
    """A one-column statement PDF with unsigned amounts and no opening balance row: the running balance
    is printed on every line (`balance_on="line"`) or on each day's last line ("day"), under a
    "Date | Details | Amount | Balance" heading or none. `summary` is an opening balance printed in a
    summary line above the table."""
    after = balances(lines, opening)
    texts: list[Text] = [(40, 40, "Example Bank plc"), (40, 60, "Statement date 31 March 2026")]
    if summary is not None:
        texts.append((300, 60, f"Opening balance {money(summary, '.', ',')}"))
    if heading:
        texts += [(40, 90, "Date"), (110, 90, "Details"), (365, 90, "Amount"), (455, 90, "Balance")]
    y = 110.0
    for index, (line, balance) in enumerate(zip(lines, after, strict=True)):
        texts.append((40, y, line.day.strftime("%d %b")))
        texts.append((110, y, line.payee))
        texts.append((400, y, money(abs(line.amount), ".", ",")))
        last_of_day = index + 1 == len(lines) or lines[index + 1].day != line.day
        if balance_on == "line" or last_of_day:
            texts.append((480, y, money(balance, ".", ",")))
        y += 15
    return pdf([texts], right_aligned={400.0, 480.0})
