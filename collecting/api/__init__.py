"""Seed 003's API: the customer's endpoints (a company token with collectors:* scopes) and the user's
(`?token=`). `customer` and `user` hold them; `callbacks` the callback test; `urls` routes them all."""
