"""Collecting invoices (seed 003): a company's users, their credentials, collectors and callbacks.

A *customer* (seed 003) is a company; its *users* are the people of the customer's own product,
known by their `remote_id`. A user adds *credentials* for the places their invoices arrive (a
mailbox, an SFTP folder, a supplier portal); a *collector* plugin fetches new invoices with them on
a schedule, each goes through the product's intake as a purchase invoice, and is pushed to the
customer's callback.
"""
