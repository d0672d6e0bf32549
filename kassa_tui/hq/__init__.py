"""The head office (HQ) on PostgreSQL: its schema, its registers' roles, what the tills pushed.

HQ is one PostgreSQL database. The rules that keep every sale exactly once (constraints and the
`ingest` function) live in its SQL (kassa_tui/hq/sql/NNNN_name.sql, applied by `migrations`);
the Python here sets the database up, adds registers and reports on them (`kassa hq …`).
"""
