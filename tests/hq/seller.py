"""A till process selling for a while (the chaos test runs several at once):

    python -m tests.hq.seller KASSA_TOML SECONDS

Sells rømme, toothpaste and a newspaper again and again, cash and card by turns, printing each
receipt to memory, until SECONDS have passed; prints the number of sales.
"""

from __future__ import annotations

import sys
import time

from kassa_tui.composition import open_till
from kassa_tui.config import load
from kassa_tui.core import i18n
from kassa_tui.people import users
from tests.hq.pushing import sell


def main() -> None:
    config_path, seconds = sys.argv[1], float(sys.argv[2])
    users.SCRYPT_N = 2**8
    till = open_till(load(config_path))
    i18n.set_language("en")
    end = time.monotonic() + seconds
    sold = 0
    while time.monotonic() < end:
        sell(till, card=bool(sold % 2))
        sold += 1
        time.sleep(0.02)
    till.db.close()
    print(sold)


if __name__ == "__main__":
    main()
