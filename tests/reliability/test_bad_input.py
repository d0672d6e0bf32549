"""Bad input, generated: every entry either succeeds or is `Refused`, and a refusal changes
nothing but the journal rows a refusal is meant to leave (failed logins, waits, denials)."""

from __future__ import annotations

import copy
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kassa_tui.composition import Till, open_till
from kassa_tui.config import Config, ConfigError, parse
from kassa_tui.core import i18n
from kassa_tui.core.clock import Clock
from kassa_tui.core.errors import Refused
from kassa_tui.demo import load_demo
from kassa_tui.people import users
from kassa_tui.people.person import Person
from kassa_tui.stock.importing import PRODUCT_COLUMNS, import_products, read_table
from tests.reliability.figures import FIGURES
from tests.unit.conftest import (
    APPLES_PLU,
    LOOSE_APPLES_PLU,
    PILSNER,
    REPO_CONFIG,
    ROMME,
    SteeredTime,
    write_config,
)

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TRIED: Counter[str] = Counter()

# Journal rows a refusal may leave behind, and nothing else.
CREDENTIAL_ROWS = {"LOGINFAIL", "PINDELAY"}
DENIAL_ROWS = {"DENIED"}
TABLES = ("basket", "basket_line", "basket_payment", "sale", "product")


@pytest.fixture(scope="module", autouse=True)
def _report_total(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    FIGURES.bad_inputs.update(TRIED)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    lines = [f"  {name}: {n}" for name, n in sorted(TRIED.items())]
    text = "\n".join(["", f"bad inputs tried: {sum(TRIED.values())}", *lines])
    if reporter is not None:
        reporter.write_line(text)
    else:  # pragma: no cover
        print(text)


@pytest.fixture(autouse=True)
def _fast_pins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def time() -> SteeredTime:
    return SteeredTime()


@pytest.fixture
def till(tmp_path: Path, time: SteeredTime) -> Iterator[Till]:
    from kassa_tui.config import load

    opened = open_till(load(write_config(tmp_path)), clock=Clock(source=time))
    i18n.set_language("en")
    load_demo(opened.db, opened.users)
    yield opened
    opened.db.close()


@pytest.fixture
def cashier(till: Till) -> Person:
    return till.users.sign_in("1", "1111")


# -- the state a refusal must leave alone ------------------------------------------------------


def snapshot(till: Till) -> dict[str, list[tuple[Any, ...]]]:
    state = {t: till.db.execute_sql(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in TABLES}
    state["journal"] = till.db.execute_sql(
        "SELECT seq, basic_id, text FROM journal ORDER BY seq"
    ).fetchall()
    return state


def attempt(
    till: Till, kind: str, action: Callable[[], object], may_journal: set[str] = frozenset()
) -> bool:
    """Run `action`: success, or a Refused that changed nothing but `may_journal` rows."""
    TRIED[kind] += 1
    before = snapshot(till)
    try:
        action()
    except Refused as refused:
        assert refused.message and "Traceback" not in refused.message
        after = snapshot(till)
        for table in TABLES:
            assert after[table] == before[table], f"{kind}: {table} changed on a refusal"
        old = before["journal"]
        assert after["journal"][: len(old)] == old, f"{kind}: journal rewritten"
        added = [row[1] for row in after["journal"][len(old) :]]
        assert set(added) <= may_journal, f"{kind}: a refusal journaled {added}"
        return False
    return True


def one_line(till: Till, person: Person) -> int:
    """The id of a line in the open basket (a fresh basket when the last one was paid)."""
    lines = till.baskets.current().priced.lines
    if not lines:
        return till.baskets.add(person, ROMME).id
    return lines[0].line.id


# -- strategies --------------------------------------------------------------------------------

UNICODE_DIGITS = "0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९０１２３４５６７８９𝟎𝟏𝟐𝟑"
CONTROL = "".join(chr(c) for c in [*range(0, 32), 127, 0x85, 0x2028, 0x200B, 0xFEFF])
VALID = [ROMME, PILSNER, APPLES_PLU, LOOSE_APPLES_PLU, "2310001005008", "2410101012345"]

scanned = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=UNICODE_DIGITS, min_size=1, max_size=20),
    st.text(alphabet="0123456789", min_size=14, max_size=4000),
    st.text(alphabet=CONTROL + "0123456789 *,.-+", max_size=30),
    st.builds(
        lambda code, i, c: code[:i] + c + code[i:],
        st.sampled_from(VALID),
        st.integers(0, 13),
        st.text(alphabet=CONTROL + UNICODE_DIGITS + " ", min_size=1, max_size=3),
    ),
    st.sampled_from(VALID),
)
amount_text = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789,.- %kr\t\n", max_size=25),
    st.text(alphabet=UNICODE_DIGITS + ",.", max_size=12),
    st.integers(-(10**30), 10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "0", "-0", "1e9", "NaN", "inf", "0,001", "99999999999999999999"]),
)
pins = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=UNICODE_DIGITS, max_size=10),
    st.sampled_from(["1111", "2222", "9999", "0000", "11111111111111111111"]),
)
numbers = st.one_of(
    st.sampled_from(["1", "2", "9", "0", "-1", "", " 1", "１", "99999999999999999999999"]),
    st.text(max_size=10),
)


# -- the till's entry points -------------------------------------------------------------------


@SETTINGS
@given(code=scanned, qty=st.one_of(st.none(), st.integers(-(10**15), 10**15)))
def test_scanned_codes_and_quantities(till: Till, cashier: Person, code: str, qty: int) -> None:
    attempt(till, "scan", lambda: till.baskets.add(cashier, code, qty))
    attempt(till, "price lookup", lambda: till.baskets.price_lookup(cashier, code))
    if len(till.baskets.current().priced.lines) > 400:  # stay clear of the full-basket rule
        till.sales.pay_card(cashier, "")


@SETTINGS
@given(text=amount_text)
def test_typed_quantities(till: Till, cashier: Person, text: str) -> None:
    line = one_line(till, cashier)
    attempt(till, "quantity", lambda: till.baskets.set_quantity(cashier, line, text))
    attempt(till, "quantity, gone line", lambda: till.baskets.set_quantity(cashier, -5, text))


@SETTINGS
@given(text=amount_text, reason=st.text(max_size=20), scope=st.booleans())
def test_discounts(till: Till, cashier: Person, text: str, reason: str, scope: bool) -> None:
    line = one_line(till, cashier)
    if scope:
        action = lambda: till.baskets.discount_line(cashier, line, text, reason)  # noqa: E731
    else:
        action = lambda: till.baskets.discount_sale(cashier, text, reason)  # noqa: E731
    # A cashier above the discount limit is denied, and the denial is journaled.
    attempt(till, "discount", action, DENIAL_ROWS)


@SETTINGS
@given(text=amount_text, number=numbers, pin=pins)
def test_price_overrides_and_approvals(
    till: Till, cashier: Person, time: SteeredTime, text: str, number: str, pin: str
) -> None:
    line = one_line(till, cashier)
    time.advance(till.users.wait_left())  # every example's PIN is checked, none just waits
    attempt(
        till,
        "price override",
        lambda: till.baskets.override_price(cashier, line, text, number, pin),
        CREDENTIAL_ROWS | DENIAL_ROWS,
    )
    time.advance(till.users.wait_left())
    attempt(
        till,
        "discount approval",
        lambda: till.baskets.discount_line(cashier, line, "90%", "Annet", (number, pin)),
        CREDENTIAL_ROWS | DENIAL_ROWS,
    )


@SETTINGS
@given(number=numbers, pin=pins)
def test_sign_in(till: Till, time: SteeredTime, number: str, pin: str) -> None:
    time.advance(till.users.wait_left())  # every example's PIN is checked, none just waits
    ok = attempt(till, "sign in", lambda: till.users.sign_in(number, pin), CREDENTIAL_ROWS)
    if ok:
        assert (number.strip(), pin) in {("1", "1111"), ("2", "2222")}


@SETTINGS
@given(text=amount_text, card=st.booleans())
def test_payments(till: Till, cashier: Person, text: str, card: bool) -> None:
    one_line(till, cashier)
    pay = till.sales.pay_card if card else till.sales.pay_cash
    attempt(till, "card payment" if card else "cash payment", lambda: pay(cashier, text))


# -- catalog import ----------------------------------------------------------------------------

csv_line = st.lists(
    st.one_of(st.text(max_size=15), st.sampled_from([ROMME, "20", "25", "15", "24,90", ""])),
    max_size=8,
).map(";".join)
csv_text = st.builds(
    lambda header, lines, sep: (header + "\n" + "\n".join(lines)).replace(";", sep),
    st.sampled_from(["plu;ean;name;group;vat;price", "ean;name;price", "", "x"]),
    st.lists(csv_line, max_size=12),
    st.sampled_from([";", ",", "\t"]),
)


def dry_import(till: Till, path: Path) -> None:
    TRIED["csv import"] += 1
    before = snapshot(till)
    try:
        report = import_products(
            till.db, till.journal, read_table(path, PRODUCT_COLUMNS), till.config, dry_run=True
        )
    except Refused as refused:  # UnreadableFile is one
        assert refused.message.strip() and "\n" not in refused.message.strip(), refused.message
    else:
        assert not report.written
        assert report.rows >= 0 and report.new + report.changed + report.unchanged <= report.rows
    assert snapshot(till) == before, "a dry run wrote to the database"


@SETTINGS
@given(data=st.binary(max_size=600))
def test_import_random_bytes(till: Till, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "random.csv"
    path.write_bytes(data)
    dry_import(till, path)


@SETTINGS
@given(text=csv_text, encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
def test_import_random_lines(till: Till, tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "lines.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    dry_import(till, path)


# -- kassa.toml --------------------------------------------------------------------------------

RAW = tomllib.loads(REPO_CONFIG.read_text(encoding="utf-8"))


def known_keys(table: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for key, value in table.items():
        found.append((*prefix, key))
        if isinstance(value, dict):
            found.extend(known_keys(value, (*prefix, key)))
    return found


KEYS = sorted(known_keys(RAW))
toml_value = st.recursive(
    st.one_of(
        st.none(),  # None: the key is left out
        st.booleans(),
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=True),
        st.text(max_size=20),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)


@SETTINGS
@given(changes=st.lists(st.tuples(st.sampled_from(KEYS), toml_value), min_size=1, max_size=3))
def test_config_values(tmp_path: Path, changes: list[tuple[tuple[str, ...], Any]]) -> None:
    TRIED["kassa.toml value"] += 1
    raw = copy.deepcopy(RAW)
    for path, value in changes:
        table = raw
        for part in path[:-1]:
            if not isinstance(table.get(part), dict):
                break
            table = table[part]
        else:
            if value is None:
                table.pop(path[-1], None)
            else:
                table[path[-1]] = value
    try:
        config = parse(raw, tmp_path / "kassa.toml")
    except ConfigError as error:
        assert error.key and "\n" not in str(error)
        top = error.key.split(".")[0].split("[")[0]
        assert top in RAW or top == "config", f"{error.key!r} is not a kassa.toml key"
        assert error.key in str(error)
    else:
        assert isinstance(config, Config)
