"""The Products tab's figures held compactly: numpy columns, the names in one string (issue 16,
«Speed»: the till's peak memory ≤ 120 MB with the insight screen open).

The benchmark's year sells 145,000 products in 90 days: as `figures.ProductRow` tuples they held
about 120 MB in the till. Here the same figures (figures.SOLD_SQL, its ABC, its dead stock) are
read a chunk of rows at a time into one numpy array per column (int32 where every value fits:
~13 MB on the year), and the names and PLUs into one string each with their offsets (the
lowered names made when searched); a row becomes a ProductRow only when it is shown
(the screen lists SHOWN_ROWS of the chosen order). `ordered` ranks as `figures.ranked` does
(measure, then the name, then the row's place) and searches as the screen did (the text in the
lowered name, or the PLU exactly).

With the old system's imported history in the window the rows are read whole first (its merge,
figures._with_history, works on the list); kassa's own sales alone are read in chunks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from kassa_tui.core.clock import DEFAULT_CUTOFF_HOUR, Instant, business_date
from kassa_tui.insight import figures
from kassa_tui.insight.figures import (
    DEAD_DAYS,
    DEAD_LIMIT,
    GIFT_GROUP,
    PRODUCT_DAYS,
    TREND_DAYS,
    ProductRow,
)
from kassa_tui.insight.history import history_days

I64 = npt.NDArray[np.int64]
#: A column of whole numbers: int32 where every value fits (half the memory), else int64.
Ints = npt.NDArray[np.signedinteger[Any]]
#: Rows fetched from SQLite at a time.
FETCH = 5000
#: The ABC codes' letters (index 3: nothing sold).
ABC = ("A", "B", "C", "-")
SEP = "\x00"


def _narrow(column: I64) -> Ints:
    """`column` as int32 when every value fits (and its negation: `ordered` negates), else as
    it is: the till holds 145,000 rows of each on the benchmark's year."""
    if not len(column) or (int(column.min()) > -(2**31) and int(column.max()) < 2**31):
        return column.astype(np.int32)
    return column


def _hits(blob: str, starts: Ints, text: str, whole: bool) -> I64:
    """The rows whose text holds `text` (whole: is `text`)."""
    found: list[int] = []
    if whole:
        padded = SEP + blob + SEP
        needle = SEP + text + SEP
        at = padded.find(needle)
        while at >= 0:
            found.append(at)  # padded[at] is the NUL before the row: the row starts at `at`
            at = padded.find(needle, at + 1)
        return np.searchsorted(starts, np.array(found, np.int64), side="right") - 1
    at = blob.find(text)
    while at >= 0:
        row = int(np.searchsorted(starts, at, side="right")) - 1
        found.append(row)
        at = blob.find(text, int(starts[row + 1]))  # the next row's start: once per row
    return np.array(found, np.int64)


@dataclass(frozen=True)
class ProductTable:
    """figures.ProductFigures' rows column by column (same order: sold in the window best
    first by revenue, then the dead stock listed)."""

    as_of_utc: str
    first: str
    last: str
    dead_count: int
    product_id: Ints
    units_milli: Ints
    revenue_ore: Ints
    margin_ore: Ints  # 0 where has_margin is false
    has_margin: npt.NDArray[np.bool_]
    abc: npt.NDArray[np.int8]  # index into ABC
    last_28_milli: Ints
    before_28_milli: Ints
    on_hand_milli: Ints
    last_sold_utc: npt.NDArray[np.bytes_]
    dead: npt.NDArray[np.bool_]
    group: Ints  # index into groups
    groups: tuple[str, ...]
    unit: Ints  # index into units
    units: tuple[str, ...]
    names: str
    name_starts: Ints
    #: Each name lowered, for the search; None where that is names.lower() (made when searched:
    #: a few ms a key, instead of a second copy of every name held)
    lowered: str | None
    lowered_starts: Ints
    plus: str
    plu_starts: Ints

    def __len__(self) -> int:
        return len(self.product_id)

    def name(self, i: int) -> str:
        return self.names[self.name_starts[i] : self.name_starts[i + 1] - 1]

    def row(self, i: int) -> ProductRow:
        i = int(i)
        return ProductRow(
            int(self.product_id[i]),
            self.plus[self.plu_starts[i] : self.plu_starts[i + 1] - 1],
            self.name(i),
            self.groups[self.group[i]],
            self.units[self.unit[i]],
            int(self.units_milli[i]),
            int(self.revenue_ore[i]),
            int(self.margin_ore[i]) if self.has_margin[i] else None,
            ABC[self.abc[i]],
            int(self.last_28_milli[i]),
            int(self.before_28_milli[i]),
            int(self.on_hand_milli[i]),
            self.last_sold_utc[i].decode(),
            bool(self.dead[i]),
        )

    def rows(self) -> Iterator[ProductRow]:
        """Every row, column by column (`kassa report products` lists them all)."""
        n = len(self)
        names = self.names.split(SEP) if n else []
        plus = self.plus.split(SEP) if n else []
        if len(names) != n or len(plus) != n:  # a NUL in a name: one row at a time
            yield from (self.row(i) for i in range(n))
            return
        make = tuple.__new__
        yield from (
            make(ProductRow, fields)
            for fields in zip(
                self.product_id.tolist(),
                plus,
                names,
                [self.groups[g] for g in self.group.tolist()],
                [self.units[u] for u in self.unit.tolist()],
                self.units_milli.tolist(),
                self.revenue_ore.tolist(),
                [
                    m if has else None
                    for m, has in zip(
                        self.margin_ore.tolist(), self.has_margin.tolist(), strict=True
                    )
                ],
                [ABC[a] for a in self.abc.tolist()],
                self.last_28_milli.tolist(),
                self.before_28_milli.tolist(),
                self.on_hand_milli.tolist(),
                [b.decode() for b in self.last_sold_utc.tolist()],
                self.dead.tolist(),
                strict=True,
            )
        )

    def figures(self) -> figures.ProductFigures:
        return figures.ProductFigures(
            self.as_of_utc, self.first, self.last, tuple(self.rows()), self.dead_count
        )

    def matching(self, search: str) -> npt.NDArray[np.bool_]:
        """Rows whose lowered name holds the search, or whose PLU is it (as the screen's)."""
        text = search.strip().lower()
        keep = np.zeros(len(self), bool)
        if not text:
            keep[:] = True
            return keep
        if SEP in text:
            return keep
        lowered = self.names.lower() if self.lowered is None else self.lowered
        keep[_hits(lowered, self.lowered_starts, text, whole=False)] = True
        keep[_hits(self.plus, self.plu_starts, text, whole=True)] = True
        return keep

    def ordered(
        self, key: str, *, worst_first: bool = False, search: str = "", limit: int | None = None
    ) -> list[ProductRow]:
        """figures.ranked(rows matching `search`, key, worst_first), the first `limit`."""
        keep = self.matching(search)
        if key == "dead":
            keep &= self.dead
            measure = -self.on_hand_milli
        else:
            keep &= (self.units_milli != 0) | (self.revenue_ore != 0)
            if key == "margin":
                keep &= self.has_margin
            if worst_first:
                keep &= self.units_milli > 0
            value = {"units": self.units_milli, "margin": self.margin_ore}.get(
                key, self.revenue_ore
            )
            measure = value if worst_first else -value
        index = np.flatnonzero(keep)
        if limit is not None and len(index) > limit > 0:
            # Only the rows up to the limit-th's measure can be shown: ties there by name.
            kth = np.partition(measure[index], limit - 1)[limit - 1]
            index = index[measure[index] <= kth]
        elif limit == 0:
            index = index[:0]
        values = measure[index].tolist()
        rows = index.tolist()
        names = [self.name(i) for i in rows]
        order = sorted(range(len(rows)), key=lambda k: (values[k], names[k], rows[k]))
        order = [rows[k] for k in order][:limit]
        return [self.row(i) for i in order]


class _Columns:
    """The columns as they are read: numpy parts, and the texts joined a chunk at a time (no
    string object per row is kept)."""

    def __init__(self) -> None:
        self.numbers: list[list[I64]] = [[] for _ in range(7)]
        self.has_margin: list[npt.NDArray[np.bool_]] = []
        self.dead: list[npt.NDArray[np.bool_]] = []
        self.last_sold: list[npt.NDArray[np.bytes_]] = []
        self.texts: list[list[str]] = [[], [], []]  # names, lowered names, PLUs: a blob a chunk
        self.lengths: list[list[I64]] = [[], [], []]
        self.group: list[npt.NDArray[np.int32]] = []
        self.unit: list[npt.NDArray[np.int32]] = []
        self.groups: dict[str, int] = {}
        self.units: dict[str, int] = {}

    def add(self, rows: list[Any]) -> None:
        """figures.product_figures' SQL rows (pid, plu, name, group, unit, units, revenue,
        margin, '-', last28, before28, on_hand, last_utc, dead)."""
        if not rows:
            return
        n = len(rows)
        cols = list(zip(*rows, strict=True))
        for slot, col in enumerate((0, 5, 6, 9, 10, 11)):
            self.numbers[slot].append(np.array(cols[col], np.int64))
        margin = cols[7]
        has = np.fromiter((m is not None for m in margin), bool, n)
        self.has_margin.append(has)
        self.numbers[6].append(np.fromiter((m or 0 for m in margin), np.int64, n))
        self.dead.append(np.array(cols[13], np.int64) == 1)
        self.last_sold.append(np.array(cols[12], dtype=np.bytes_))  # as wide as the longest
        names: tuple[str, ...] = cols[2]
        blob = SEP.join(names)
        lowered = blob.lower()
        lowered_names: Sequence[str] = names
        if len(lowered) != len(blob):  # a letter that lowers to two: one name at a time
            lowered_names = [name.lower() for name in names]
            lowered = SEP.join(lowered_names)
        for slot, (text, parts) in enumerate(
            ((blob, names), (lowered, lowered_names), (SEP.join(cols[1]), cols[1]))
        ):
            self.texts[slot].append(text)
            self.lengths[slot].append(np.fromiter(map(len, parts), np.int64, n) + 1)
        self.group.append(_codes(cols[3], self.groups))
        self.unit.append(_codes(cols[4], self.units))

    def column(self, slot: int, *, keep: bool = False) -> I64:
        """The column whole; its parts let go (unless `keep`): one column doubled at a time."""
        parts = self.numbers[slot]
        whole = np.concatenate(parts) if parts else np.zeros(0, np.int64)
        if not keep:
            parts.clear()
        return whole

    def blob(self, slot: int) -> tuple[str, I64]:
        """The texts joined by NUL and each one's start (n + 1: the last is the end + 1)."""
        lengths = self.lengths[slot]
        starts = np.zeros(1 + sum(len(part) for part in lengths), np.int64)
        if lengths:
            np.cumsum(np.concatenate(lengths), out=starts[1:])
        text = SEP.join(self.texts[slot])
        self.texts[slot].clear()
        lengths.clear()
        return text, starts


def _flag(parts: list[npt.NDArray[np.bool_]]) -> npt.NDArray[np.bool_]:
    return np.concatenate(parts) if parts else np.zeros(0, bool)


def _codes(values: tuple[str, ...], known: dict[str, int]) -> npt.NDArray[np.int32]:
    """Each value's number in `known` (new values numbered on)."""
    for value in dict.fromkeys(values):
        known.setdefault(value, len(known))
    return np.fromiter(map(known.__getitem__, values), np.int32, len(values))


def product_table(
    db: Any,
    now: Instant,
    cutoff: int = DEFAULT_CUTOFF_HOUR,
    days: int = PRODUCT_DAYS,
    dead_days: int = DEAD_DAYS,
    *,
    first: str | None = None,
    last_day: str | None = None,
) -> ProductTable:
    """figures.product_figures' figures (same arguments), held as a ProductTable."""
    today = last_day or business_date(now, cutoff)
    last = date.fromisoformat(today)

    def start(back: int) -> str:
        day = (last - timedelta(days=back - 1)).isoformat()
        return figures._range(day, day, cutoff)[0]

    first = first or (last - timedelta(days=days - 1)).isoformat()
    t28, t56, dead_from = start(TREND_DAYS), start(2 * TREND_DAYS), start(dead_days)
    t_first = figures._range(first, first, cutoff)[0]
    end = figures._range(today, today, cutoff)[1]
    bounds = (min(t_first, t56, dead_from), end)
    early = min(first, figures._day_back(last, 2 * TREND_DAYS))
    cursor = db.execute_sql(
        figures.SOLD_SQL,
        (t_first, t_first, t_first, t28, t56, t28, *bounds, GIFT_GROUP, dead_from),
    )
    cols = _Columns()
    if history_days(db, early, today, cutoff):  # the merge works on the whole list
        cols.add(figures._with_history(db, cursor.fetchall(), first, today, cutoff, early))
    else:
        while chunk := cursor.fetchmany(FETCH):
            cols.add(chunk)
    revenue = cols.column(2, keep=True)
    sold = len(revenue)
    # ABC by the revenue before each row (rows best first): < 0.80 of the total A, < 0.95 B.
    before = np.zeros(sold + 1, np.int64)
    np.cumsum(np.maximum(revenue, 0), out=before[1:])
    total = int(before[-1])
    a_end = int(np.searchsorted(before[:sold], 0.80 * total, "left")) if total else 0
    b_end = a_end + int(np.searchsorted(before[a_end:sold], 0.95 * total, "left")) if total else 0
    abc = np.full(sold, 2, np.int8)
    abc[:a_end] = 0
    abc[a_end:b_end] = 1
    seen = np.sort(cols.column(0, keep=True))
    dead_count = int(_flag(cols.dead).sum())
    extra: list[tuple[Any, ...]] = []
    for pid, plu, name, group, unit, on_hand in db.execute_sql(
        "SELECT p.id, COALESCE(p.plu, ''), p.name, g.code, p.unit, ps.on_hand_milli"
        " FROM product_stock ps JOIN product p ON p.id = ps.product_id"
        " JOIN product_group g ON g.id = p.group_id WHERE ps.on_hand_milli > 0"
        " ORDER BY ps.on_hand_milli * COALESCE(p.cost_ore, p.price_ore) DESC, p.id"
    ):
        at = int(np.searchsorted(seen, pid))
        if at < len(seen) and seen[at] == pid:
            continue
        dead_count += 1
        if len(extra) < DEAD_LIMIT:
            extra.append((int(pid), plu, name, group, unit, 0, 0, None, "-", 0, 0, on_hand, "", 1))
    cols.add(extra)
    abc = np.concatenate([abc, np.full(len(extra), 3, np.int8)])
    name_blob, name_starts = cols.blob(0)
    lowered_blob, lowered_starts = cols.blob(1)
    lowered: str | None = lowered_blob
    if np.array_equal(lowered_starts, name_starts):
        lowered_starts = name_starts  # held once
        if lowered_blob == name_blob.lower():
            lowered = None  # made when searched
    del lowered_blob
    starts = _narrow(name_starts)
    plus, plu_starts = cols.blob(2)
    small = np.int16 if max(len(cols.groups), len(cols.units)) < 2**15 else np.int32
    return ProductTable(
        now.utc_text,
        first,
        today,
        dead_count,
        _narrow(cols.column(0)),
        _narrow(cols.column(1)),
        _narrow(cols.column(2)),
        _narrow(cols.column(6)),
        _flag(cols.has_margin),
        abc,
        _narrow(cols.column(3)),
        _narrow(cols.column(4)),
        _narrow(cols.column(5)),
        np.concatenate(cols.last_sold) if cols.last_sold else np.zeros(0, "S1"),
        _flag(cols.dead),
        np.concatenate(cols.group).astype(small) if cols.group else np.zeros(0, small),
        tuple(cols.groups),
        np.concatenate(cols.unit).astype(small) if cols.unit else np.zeros(0, small),
        tuple(cols.units),
        name_blob,
        starts,
        lowered,
        starts if lowered_starts is name_starts else _narrow(lowered_starts),
        plus,
        _narrow(plu_starts),
    )


def product_figures(
    db: Any,
    now: Instant,
    cutoff: int = DEFAULT_CUTOFF_HOUR,
    days: int = PRODUCT_DAYS,
    dead_days: int = DEAD_DAYS,
    *,
    first: str | None = None,
    last_day: str | None = None,
) -> figures.ProductFigures:
    """The Products tab: units, revenue and margin from `first` to `last_day` (default: the
    `days` days up to today's business day); trend, cover and dead stock as of `last_day`.
    Read as a compact ProductTable (what the till's screen holds), then a ProductRow per row
    (for `kassa report products`)."""
    table = product_table(db, now, cutoff, days, dead_days, first=first, last_day=last_day)
    return table.figures()
