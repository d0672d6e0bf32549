"""Insight: what the till's own sales say about tomorrow (issue 16).

`demand` reads daily demand per product from the till's database (plain SQL, numpy arrays),
`forecast` classifies the products and forecasts them, `backtest` measures how good that was
against "same as last week". Read-only: nothing here writes to the till's database.
"""
