"""Statement column headers in English, French, German, Dutch, Spanish and Malay, and the roles they name.

Used by the CSV reader for its header row and by the PDF reader for the heading of the transaction
table. A header is normalised (case, accents, punctuation and a trailing number dropped: "Débit",
"Description 2", "Bedrag (EUR)") and scored against each role's phrases: a whole-header match beats
a phrase inside a longer header, and the longer phrase wins, so "Balance transaction id" is a
reference and "Transaction date" a date.
"""

import re
import unicodedata

from reading.currencies import currency_code

# Header words per role, in the normalised form of `_normalise_header`. Phrases of four characters
# or fewer must be the whole header ("in", "af", "date", "name"); longer ones may sit inside it.
VOCABULARY: dict[str, tuple[str, ...]] = {
    "date": (
        "date", "booking date", "transaction date", "trans date", "txn date", "posting date", "posted date",
        "post date", "entry date", "book date", "date posted", "completed date", "buchungstag", "buchungsdatum",
        "datum", "boekdatum", "boekingsdatum", "transactiedatum", "journaaldatum", "date operation",
        "date de l operation", "date d operation", "date comptable", "date de comptabilisation", "fecha",
        "fecha operacion", "fecha de operacion", "fecha contable", "fecha movimiento", "tarikh", "tarikh transaksi",
        "tarikh urus niaga", "created",
    ),
    "value_date": (
        "value date", "valuta", "valutadatum", "valuta datum", "wertstellung", "rentedatum", "date de valeur",
        "date valeur", "fecha valor", "tarikh nilai", "available on",
    ),
    "amount": (
        "amount", "transaction amount", "bedrag", "transactiebedrag", "betrag", "umsatz", "montant", "importe",
        "monto", "jumlah", "amt", "gross", "net",
    ),
    "debit": (
        "debit", "debits", "debit amount", "withdrawal", "withdrawals", "money out", "paid out", "out", "af",
        "afschrijving", "afschrijvingen", "debet", "soll", "lastschrift", "cargo", "cargos", "debe", "payments",
        "keluar", "pengeluaran", "montant debit",
    ),
    "credit": (
        "credit", "credits", "credit amount", "deposit", "deposits", "money in", "paid in", "in", "bij",
        "bijschrijving", "bijschrijvingen", "haben", "gutschrift", "abono", "abonos", "haber", "receipts", "kredit",
        "masuk", "kemasukan", "montant credit",
    ),
    "indicator": (
        "af bij", "bij af", "debit credit", "credit debit", "debet credit", "dr cr", "cr dr", "d c", "c d",
        "soll haben", "s h", "credit debit indicator", "debit credit indicator", "cargo abono", "sens", "sign",
        "direction",
    ),
    "balance": (
        "balance", "running balance", "balance after", "available balance", "ledger balance", "saldo",
        "saldo na mutatie", "saldo na boeking", "solde", "kontostand", "baki",
    ),
    "opening": (
        "opening balance", "initial balance", "start balance", "starting balance", "previous balance",
        "balance brought forward", "beginsaldo", "begin saldo", "anfangssaldo", "saldo inicial", "solde initial",
        "solde de debut", "solde precedent", "baki awal",
    ),
    "closing": (
        "closing balance", "final balance", "end balance", "ending balance", "new balance", "eindsaldo",
        "eind saldo", "endsaldo", "schlusssaldo", "saldo final", "solde final", "solde de fin", "nouveau solde",
        "baki akhir",
    ),
    "period_from": ("initial date", "start date", "from date", "date from", "period start", "period from"),
    "period_to": ("final date", "end date", "to date", "date to", "period end", "period to"),
    "description": (
        "description", "transaction description", "details", "transaction details", "payment details",
        "narrative", "narration", "memo", "omschrijving", "naam omschrijving", "omschrijving transactie", "mededeling",
        "mededelingen", "verwendungszweck", "beschreibung", "libelle", "libelle operation", "detail",
        "concepto", "descripcion", "motivo", "observaciones", "keterangan", "butiran", "reason", "purpose",
        "remittance information", "particulars", "communication", "remarks", "text", "transaction", "transactions",
    ),
    "counterparty": (
        "name", "payee", "payer", "payee name", "payer name", "counterparty", "counterparty name", "counter party",
        "other party", "beneficiary", "beneficiary name", "merchant", "merchant name", "card name", "customer name",
        "customer description", "naam", "naam tegenpartij", "tegenpartij", "naam tegenrekening", "begunstigde",
        "auftraggeber", "empfanger", "zahlungsempfanger", "auftraggeber empfanger", "begunstigter",
        "begunstigter zahlungspflichtiger", "beguenstigter zahlungspflichtiger", "zahlungsbeteiligter",
        "name zahlungsbeteiligter", "beneficiaire", "tiers", "beneficiario", "ordenante", "nama", "nama penerima",
    ),
    "counterparty_account": (
        "counterparty account", "counter account", "counterparty iban", "tegenrekening", "tegenrekening iban",
        "iban tegenpartij", "iban zahlungsbeteiligter", "kontonummer zahlungsbeteiligter", "beneficiary account",
        "payee account", "payee account number", "beneficiary account number", "counterparty account number",
        "compte contrepartie", "cuenta contrapartida", "other account",
    ),
    "account": (
        "account", "account number", "account no", "iban", "own account", "rekening", "rekeningnummer",
        "eigen rekening", "opdrachtgeversrekening", "konto", "kontonummer", "auftragskonto", "iban auftragskonto",
        "compte", "numero de compte", "cuenta", "numero de cuenta", "akaun", "no akaun",
    ),
    "currency": (
        "currency", "currency code", "ccy", "cur", "curr", "valuta", "munt", "muntsoort", "devise", "monnaie",
        "monn", "wahrung", "waehrung", "moneda", "divisa", "mata wang",
    ),
    "reference": (
        "reference", "ref", "ref no", "reference number", "payment reference", "transaction reference",
        "transaction id", "id", "fitid", "referentie", "kenmerk", "betalingskenmerk", "referenz", "kundenreferenz",
        "end to end reference", "end to end id", "referencia", "rujukan", "no rujukan", "check number",
        "cheque number", "n de transaction", "no de transaction", "numero de transaction", "numero d operation",
    ),
}  # fmt: skip
# Phrases that only hint at a role: a better header for the same role wins over them.
WEAK = {("amount", "net"): 30, ("reference", "id"): 10, ("date", "created"): 20}
# Values of a debit/credit indicator column (and the marks some amount columns carry).
DEBIT_MARKS = frozenset(
    {"d", "dr", "db", "debit", "debet", "af", "s", "soll", "cargo", "debe", "-", "out", "withdrawal", "debito"}
)
CREDIT_MARKS = frozenset(
    {"c", "cr", "credit", "bij", "h", "haben", "abono", "haber", "+", "in", "deposit", "kredit", "credito"}
)


# English date headers; the other date headers are in languages that write the day first.
_ENGLISH_DATES = frozenset(
    {"date", "booking date", "transaction date", "trans date", "txn date", "posting date", "posted date",
     "post date", "entry date", "book date", "date posted", "completed date", "created", "value date",
     "available on"}
)  # fmt: skip
DAY_FIRST_DATE_HEADERS = frozenset(VOCABULARY["date"] + VOCABULARY["value_date"]) - _ENGLISH_DATES
# Words of a payment-card statement's headers, in the normalised form ("Kreditkarte", "Card number").
_CARD_WORD = re.compile(r"\b(?:card|cards|carte|tarjeta|merchant|haendler|handler|\w*karte)\b")


def names_card(name: str) -> bool:
    """Whether a normalised header or preamble text speaks of a payment card or a merchant."""
    # A debit card draws on a bank account, whose amounts are already signed.
    return bool(_CARD_WORD.search(name)) and "debit" not in name


def normalise_header(text: str) -> tuple[str, str | None]:
    """(normalised header, currency named in brackets): "Bedrag (EUR)" -> ("bedrag", "EUR")."""
    bracketed = re.findall(r"[(\[]([^)\]]*)[)\]]", text)
    currency = next((code for b in bracketed if (code := currency_code(b))), None)
    text = re.sub(r"[(\[][^)\]]*[)\]]", " ", text)
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    plain = re.sub(r"[^a-z0-9]+", " ", plain).strip()
    plain = re.sub(r"(?<=[a-z])\s*\d+$", "", plain).strip()  # "description 1", "reference1"
    return plain, currency


def header_roles(name: str) -> list[tuple[int, str]]:
    """(score, role) for every role a normalised header could name, best first."""
    found: list[tuple[int, str]] = []
    for role, phrases in VOCABULARY.items():
        best = 0
        for phrase in phrases:
            if name == phrase:
                score = 100 + len(phrase)
            elif len(phrase) > 4 and re.search(rf"\b{re.escape(phrase)}\b", name):
                score = 50 + len(phrase)
            elif len(phrase) > 4 and " " not in name and name.endswith(phrase):
                score = 40 + len(phrase)  # German and Dutch compounds: "buchungsbetrag", "eindsaldo"
            else:
                continue
            best = max(best, score - WEAK.get((role, phrase), 0))
        if best:
            found.append((best, role))
    return sorted(found, reverse=True)
