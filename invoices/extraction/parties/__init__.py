"""The parties to an invoice as its pages print them: the supplier's name, address and the block it sits in.

`names` finds the supplier's name, `address` the address under it, `vocabulary` holds the words
(legal forms, party labels, titles, countries) both rely on.
"""

from invoices.extraction.parties.address import format_address, vat_country
from invoices.extraction.parties.names import Supplier, is_name_like, read_supplier, seller_block
from invoices.extraction.parties.vocabulary import BUYER_LABELS, LEGAL_FORM, SELLER_LABELS

__all__ = [
    "BUYER_LABELS",
    "LEGAL_FORM",
    "SELLER_LABELS",
    "Supplier",
    "format_address",
    "is_name_like",
    "read_supplier",
    "seller_block",
    "vat_country",
]
