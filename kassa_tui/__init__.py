"""kassa — a keyboard-driven terminal point-of-sale for Norwegian shops."""

import sys

__version__ = "0.1.0"


def _peewee_without_postgres_drivers() -> None:
    """Import peewee with the PostgreSQL drivers hidden from it.

    peewee imports psycopg at its own import when it is installed (it is: the till pushes to the
    head office with it), which cost the till's cold start 65 ms and 10 MB. kassa uses peewee
    for SQLite only; the head-office code imports psycopg itself, when it runs, for real.
    """
    if "peewee" in sys.modules:
        return
    hidden = [name for name in ("psycopg", "psycopg2", "psycopg2cffi") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` fail fast
    try:
        import peewee  # noqa: F401
    finally:
        for name in hidden:
            del sys.modules[name]


_peewee_without_postgres_drivers()
