"""The domain-event outbox: a row per business event, written in the transaction of the change."""
