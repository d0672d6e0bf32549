"""Catalog import and export: the files a technician gets from a supplier or an old till.

Reading is forgiving (UTF-8 with or without BOM or Windows-1252, `;` `,` or tab, decimal comma
or dot, quoted fields, blank lines, Norwegian or English column names, an .xlsx workbook);
applying is strict. Each row is checked on its own and reported by its physical line number;
a rejected row is skipped, the rest go in one transaction with a journal row per price change
and per other change (event 13021), and one summary row.

Rows find their product by PLU first, then by barcode. The file's columns overwrite the
product's values (a non-empty barcode cell is the product's full list of barcodes); empty
optional cells and missing columns leave them alone; products missing from the file are never
touched. The file is read a chunk of rows at a time, looked up with indexed queries and written
with executemany: neither the catalog nor the file's rows are held in memory, only code → line
dictionaries to find duplicates.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

from peewee import SqliteDatabase

from kassa_tui.barcodes import BadCode, classify
from kassa_tui.clock import Clock, Instant
from kassa_tui.config import Config, EmbeddedLayout
from kassa_tui.errors import Refused
from kassa_tui.i18n import _
from kassa_tui.journal import Event, Journal
from kassa_tui.money import InvalidAmount, format_kr, format_quantity, parse_amount
from kassa_tui.search import reindex, reindex_all

IMPORT = ("13999", "IMPORT")
MAX_NAME = 80  # as product maintenance (kassa_tui.stock) allows
MAX_PRICE_ORE = 100_000_000  # 1 000 000 kr
MAX_REORDER_MILLI = 9_999_000
MAX_STOCK_MILLI = 9_999_999_000
CHUNK = 2000  # rows looked up and written together
REINDEX_ALL_FROM = 5000  # touched products above which one full rebuild is faster
_IN_BATCH = 5000  # SQL parameters per IN (...) list

PRODUCT_FIELDS = ("plu", "ean", "name", "group", "vat", "price", "unit", "cost", "reorder")
EXPORT_HEADER = PRODUCT_FIELDS

# Header names are compared folded: lower case, without spaces and punctuation.
_PRODUCT_SYNONYMS: dict[str, tuple[str, ...]] = {
    key: tuple(names.split())
    for key, names in {
        "plu": "plu plunr varenummer varenr sku artikkelnummer artikkelnr artnr produktnummer"
        " produktnr itemno itemnumber productnumber",
        "ean": "ean ean13 eannr eankode gtin strekkode strekkoder barcode barcodes",
        "name": "name navn varenavn varetekst beskrivelse produktnavn artikkelnavn description"
        " productname",
        "group": "group gruppe varegruppe varegr varegruppenr produktgruppe kategori category"
        " groupcode productgroup",
        "vat": "vat mva moms mvasats momssats mvaprosent vatrate vatpercent",
        "price": "price pris utpris salgspris utsalgspris prisinklmva utprisinklmva priskr"
        " priceinclvat retailprice sellingprice",
        # The demo catalog's own column (data/demo_products.csv): a price in øre, not kroner.
        "price_ore": "priceore prisore prisøre",
        "unit": "unit enhet salgsenhet uom",
        "cost": "cost innpris kostpris innkjøpspris innkjopspris costprice",
        "reorder": "reorder reorderpoint reorderlevel bestillingspunkt minlager minbeholdning",
    }.items()
}
_STOCK_SYNONYMS: dict[str, tuple[str, ...]] = {
    "plu": _PRODUCT_SYNONYMS["plu"],
    "ean": _PRODUCT_SYNONYMS["ean"],
    "quantity": (
        "quantity",
        "qty",
        "antall",
        "beholdning",
        "lagerbeholdning",
        "lager",
        "stock",
        "onhand",
    ),
}
_UNITS = {name: "stk" for name in ("stk", "st", "pcs", "pc", "ea", "each", "piece")} | {
    "kg": "kg",
    "kilo": "kg",
}
_FOLD = re.compile(r"[\W_]+")
_SCIENTIFIC = re.compile(r"^[0-9]+(?:[.,][0-9]+)?[eE][+]?[0-9]+$")
_CODE_SPLIT = re.compile(r"[|,;\s]+")
_QUANTITY = re.compile(r"^(?P<whole>[0-9]{1,7})(?:[.,](?P<frac>[0-9]{1,3}))?$")
_DELIMITERS = (";", "\t", ",")
_HEADER_SEARCH = 10  # a title line or two may come before the header
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class UnreadableFile(Refused):
    """The file as a whole cannot be imported; `message` is the one line for the technician."""


def fold(header: str) -> str:
    """How header names are compared: 'Pris (kr)' → 'priskr', 'MVA %' → 'mva'."""
    return _FOLD.sub("", header.casefold())


@dataclass(frozen=True)
class ColumnSpec:
    """The columns one kind of file has: synonyms per field and what must be there."""

    synonyms: Mapping[str, tuple[str, ...]]
    required: tuple[tuple[str, ...], ...]  # each: one of these fields
    one_of: tuple[str, ...]  # at least one of these fields identifies the product

    def field_for(self, name: str) -> str | None:
        """The field a `--map` FIELD or a header names, or None."""
        folded = fold(name)
        for key, names in self.synonyms.items():
            if folded == fold(key) or folded in names:
                return key
        return None

    def describe(self, key: str) -> str:
        return "price" if key == "price_ore" else key


PRODUCT_COLUMNS = ColumnSpec(
    _PRODUCT_SYNONYMS,
    required=(("name",), ("price", "price_ore"), ("group",), ("vat",)),
    one_of=("plu", "ean"),
)
STOCK_COLUMNS = ColumnSpec(_STOCK_SYNONYMS, required=(("quantity",),), one_of=("plu", "ean"))


# -- reading a file ----------------------------------------------------------------------------

Record = tuple[int, int, list[str]]  # first line, last line, cells


@dataclass
class Table:
    """A readable file with a recognised header: where each field's column is."""

    path: Path
    encoding: str  # "utf-8", "utf-8-sig", "cp1252", ... or "xlsx"
    delimiter: str  # "" for a workbook
    header_line: int
    headers: list[str]
    columns: dict[str, int]
    _records: Callable[[], Iterator[Record]] = field(repr=False)

    def records(self) -> Iterator[Record]:
        """The data records after the header (blank ones included), read afresh each time."""
        for record in self._records():
            if record[0] > self.header_line:
                yield record

    def describe_columns(self) -> str:
        return ", ".join(f"{key}={self.headers[index]}" for key, index in self.columns.items())


def read_table(
    path: Path,
    spec: ColumnSpec,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    mapping: Mapping[str, str] | None = None,
) -> Table:
    """Open a CSV or .xlsx file and find its header; raises `UnreadableFile` with one line."""
    data = _read_bytes(path)
    if data.startswith(_OLE):
        raise UnreadableFile(
            _("{path}: an old Excel .xls file; save it as .xlsx or CSV").format(path=path)
        )
    if data.startswith(_ZIP):
        workbook = _workbook_records(path)
        return _find_header(path, spec, "xlsx", [""], lambda _sep: workbook, mapping or {})
    text, used = _decode(path, data, encoding)
    text = text.removeprefix("\ufeff")
    if "\n" not in text:  # old Mac line endings
        text = text.replace("\r", "\n")
    if not text.strip():
        raise UnreadableFile(_("{path}: the file is empty").format(path=path))
    if "\x00" in text[:65536]:
        raise UnreadableFile(
            _("{path}: not a text file (a CSV or .xlsx file was expected)").format(path=path)
        )

    def records_for(sep: str) -> Callable[[], Iterator[Record]]:
        return lambda: _csv_records(path, text, sep)

    candidates = [delimiter] if delimiter else list(_DELIMITERS)
    return _find_header(path, spec, used, candidates, records_for, mapping or {})


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile(_("{path}: no such file").format(path=path)) from None
    except IsADirectoryError:
        raise UnreadableFile(_("{path}: is a folder, not a file").format(path=path)) from None
    except OSError as exc:
        message = _("{path}: cannot be read ({error})")
        raise UnreadableFile(message.format(path=path, error=exc.strerror)) from None
    if not data.strip():
        raise UnreadableFile(_("{path}: the file is empty").format(path=path))
    return data


def _decode(path: Path, data: bytes, encoding: str | None) -> tuple[str, str]:
    """The text and the encoding it was read with: as given, by BOM, UTF-8, else cp1252."""
    if encoding:
        name = codecs.lookup(encoding).name
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        return _decode_as(path, data, name), name
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _decode_as(path, data, name), name
    if b"\x00" in data[:65536]:
        raise UnreadableFile(
            _("{path}: not a text file (a CSV or .xlsx file was expected)").format(path=path)
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # Ã followed by a continuation byte is how æøå look in UTF-8: a file that has them
        # and also a byte that is not UTF-8 mixes two encodings, and guessing would garble one.
        if re.search(rb"\xc3[\x80-\xbf]", data):
            line = data.count(b"\n", 0, exc.start) + 1
            message = _(
                "{path}: line {line} is not UTF-8 but the rest of the file is (mixed encodings);"
                " save it as UTF-8 or give --encoding"
            )
            raise UnreadableFile(message.format(path=path, line=line)) from None
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _decode_as(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = _("{path}: line {line} is not {encoding} text")
        raise UnreadableFile(message.format(path=path, line=line, encoding=encoding)) from None


def _csv_records(path: Path, text: str, delimiter: str) -> Iterator[Record]:
    reader = csv.reader(_lines(text), delimiter=delimiter, skipinitialspace=True)
    last = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            message = _("{path}: line {line}: a quoted field never ends (a missing closing quote?)")
            raise UnreadableFile(message.format(path=path, line=last + 1)) from None
        first, last = last + 1, reader.line_num
        yield first, last, cells


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their endings, without copying it (io.StringIO would, at four
    bytes a character)."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def _workbook_records(path: Path) -> Callable[[], Iterator[Record]]:
    def records() -> Iterator[Record]:
        try:
            import openpyxl
        except ImportError:  # pragma: no cover - a dependency, but say so if it is missing
            message = _("{path}: reading .xlsx files needs openpyxl (pip install openpyxl)")
            raise UnreadableFile(message.format(path=path)) from None
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            message = _("{path}: not a readable .xlsx workbook ({error})")
            raise UnreadableFile(message.format(path=path, error=exc)) from None
        try:
            sheet = book.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
                yield number, number, [_cell_text(value) for value in values]
        finally:
            book.close()

    return records


def _cell_text(value: Any) -> str:
    """A workbook cell as the text a CSV would hold: 7045811781536, not 7.045811781536e12."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".12g")
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _find_header(
    path: Path,
    spec: ColumnSpec,
    encoding: str,
    delimiters: Sequence[str],
    records_for: Callable[[str], Callable[[], Iterator[Record]]],
    mapping: Mapping[str, str],
) -> Table:
    """The delimiter and header row under which the most columns are recognised."""
    mapped = {fold(header): key for key, header in mapping.items()}
    best: tuple[int, int, int] | None = None
    chosen: tuple[str, Record] | None = None
    first_row: list[str] = []
    for preference, delimiter in enumerate(delimiters):
        rows = (r for r in records_for(delimiter)() if not _blank(r[2]))
        header: Record | None = None
        known = 0
        for record in itertools.islice(rows, _HEADER_SEARCH):
            first_row = first_row or record[2]
            count = sum(
                1 for cell in record[2] if fold(cell) in mapped or spec.field_for(cell) is not None
            )
            if count > known:  # the first row that knows the most columns
                header, known = record, count
        if header is not None:
            score = (known, len(header[2]), -preference)
            if best is None or score > best:
                best, chosen = score, (delimiter, header)
    if chosen is None:
        found = ", ".join(cell.strip() for cell in first_row if cell.strip())[:200]
        message = _("{path}: no header line with known columns (found: {found}); use --map")
        raise UnreadableFile(message.format(path=path, found=found or "-"))
    delimiter, (line, _last, headers) = chosen
    columns = _columns(path, spec, headers, line, mapping)
    return Table(path, encoding, delimiter, line, headers, columns, records_for(delimiter))


def _columns(
    path: Path, spec: ColumnSpec, headers: list[str], line: int, mapping: Mapping[str, str]
) -> dict[str, int]:
    folded = [fold(header) for header in headers]
    columns: dict[str, int] = {}
    for wanted, header in mapping.items():
        if fold(header) not in folded:
            message = _("{path}: --map {field}={header}: no such column (columns: {found})")
            found = ", ".join(h.strip() for h in headers if h.strip())
            raise UnreadableFile(
                message.format(path=path, field=wanted, header=header, found=found)
            )
        columns[wanted] = folded.index(fold(header))
    explicit = set(columns.values())
    for index, header in enumerate(headers):
        key = spec.field_for(header) if index not in explicit else None
        if key is None or key in mapping:
            continue
        for same in (key, *(("price", "price_ore") if key in ("price", "price_ore") else ())):
            if same in columns:
                message = _(
                    "{path}: columns '{first}' and '{second}' on line {line} both mean {field};"
                    " choose one with --map {field}=HEADER"
                )
                first, second = headers[columns[same]].strip(), header.strip()
                field_name = spec.describe(key)
                raise UnreadableFile(
                    message.format(
                        path=path, first=first, second=second, line=line, field=field_name
                    )
                )
        columns[key] = index
    missing = [spec.describe(keys[0]) for keys in spec.required if not set(keys) & set(columns)]
    if not set(spec.one_of) & set(columns):
        missing.append(" or ".join(spec.one_of))
    if missing:
        message = _("{path}: no column for {fields} (columns: {found}); use --map FIELD=HEADER")
        found = ", ".join(h.strip() for h in headers if h.strip())
        raise UnreadableFile(message.format(path=path, fields=", ".join(missing), found=found))
    return dict(sorted(columns.items(), key=lambda item: item[1]))


# -- values in a row ---------------------------------------------------------------------------


class _Bad(ValueError):
    """One problem with one value; its text is the reason shown for the row."""


def parse_kroner(text: str) -> int:
    """'24,90', '24.9', '1 234,50', '1.234,50', 'kr 24,90', '24,-' → øre."""
    try:
        return parse_amount(text)
    except InvalidAmount:
        pass
    cleaned = text.replace("\u00a0", "").replace(" ", "").casefold()
    for affix in ("kr", "nok"):
        cleaned = cleaned.removeprefix(affix).removesuffix(affix)
    cleaned = cleaned.removesuffix(",-").removesuffix(".-")
    if "," in cleaned and "." in cleaned:  # the later mark is the decimal one
        thousands = "." if cleaned.rfind(",") > cleaned.rfind(".") else ","
        cleaned = cleaned.replace(thousands, "")
    return parse_amount(cleaned)


def parse_vat(text: str) -> int:
    """'25', '25 %', '0,25', '11,11' → basis points."""
    cleaned = text.replace("%", "").replace(" ", "").replace(",", ".")
    try:
        rate = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not rate.is_finite() or rate < 0:
        raise ValueError(text)
    if 0 < rate < 1:
        rate *= 100  # a fraction: 0,25 is 25 %
    basis = rate * 100
    if basis != basis.to_integral_value():
        raise ValueError(text)
    return int(basis)


def parse_milli(text: str) -> int:
    """'5', '2,5', '0.375' → thousandths; not negative."""
    match = _QUANTITY.match(text.replace(" ", ""))
    if not match:
        raise ValueError(text)
    return int(match["whole"]) * 1000 + int((match["frac"] or "0").ljust(3, "0"))


def parse_plu(text: str) -> str:
    if not (_digits(text) and len(text) <= 6):
        raise _Bad(_("bad PLU '{value}' (1 to 6 digits)").format(value=text))
    return text.lstrip("0") or "0"  # as the sale screen reads a typed PLU


def parse_codes(text: str, layouts: tuple[EmbeddedLayout, ...]) -> tuple[str, ...]:
    """One or more EAN-8/EAN-13s ('|' or ',' between them); a UPC-A becomes its EAN-13."""
    if _SCIENTIFIC.match(text):
        message = _(
            "barcode '{value}' was turned into a number by a spreadsheet;"
            " format the column as text and export again"
        )
        raise _Bad(message.format(value=text))
    prefixes = tuple(layout.prefix for layout in layouts)
    codes: list[str] = []
    for raw in _CODE_SPLIT.split(text):
        if not raw:
            continue
        code = _plain_ean(raw, prefixes) or _checked_code(raw, layouts)
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _plain_ean(raw: str, embedded_prefixes: tuple[str, ...]) -> str | None:
    """The common case, fast: an EAN-8, UPC-A or EAN-13 with a right check digit outside the
    label ranges. Anything else (None) goes through `barcodes.classify` for its reason."""
    if len(raw) == 12:
        raw = "0" + raw
    if len(raw) not in (8, 13) or not _digits(raw):
        return None
    if len(raw) == 13 and raw.startswith(embedded_prefixes):
        return None
    digits = raw.encode()
    odd, even = digits[-2::-2], digits[-3::-2]  # weights 3 and 1, from the right
    total = 3 * (sum(odd) - 48 * len(odd)) + sum(even) - 48 * len(even)
    return raw if (10 - total % 10) % 10 == digits[-1] - 48 else None


def _checked_code(raw: str, layouts: tuple[EmbeddedLayout, ...]) -> str:
    try:
        scanned = classify(raw, layouts)
    except BadCode as exc:
        message = _("barcode {code}: {reason}")
        raise _Bad(message.format(code=exc.code, reason=exc.reason)) from None
    if scanned.kind == "embedded":
        message = _("barcode {code} is in the range of weight and price labels")
        raise _Bad(message.format(code=scanned.code))
    if scanned.kind != "ean" or len(scanned.code) not in (8, 13):
        raise _Bad(_("{code} is not an EAN-8 or EAN-13").format(code=scanned.code))
    return scanned.code


def _row_shape(record: Record, width: int, delimiter: str) -> str | None:
    """Why a record cannot be read as a row (misaligned columns, a runaway quote), or None."""
    first, last, cells = record
    if last > first:
        message = _("a quoted field runs from line {first} to {last} (a missing closing quote?)")
        return message.format(first=first, last=last)
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        message = _("{count} fields where the header has {width} (an unquoted '{delimiter}'?)")
        shown = "tab" if delimiter == "\t" else delimiter
        return message.format(count=len(cells), width=width, delimiter=shown)
    return None


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


# -- products ----------------------------------------------------------------------------------


@dataclass(slots=True)
class ProductRow:
    """One row of a product file, its values checked; None = leave the product's value alone."""

    line: int
    plu: str | None
    codes: tuple[str, ...] | None
    name: str
    group: str
    vat_bp: int
    price_ore: int
    unit: str | None
    cost_ore: int | None
    reorder_milli: int | None


@dataclass(slots=True)
class _Product:
    """A product's importable state; `group_id` is negative for a group still to be created."""

    plu: str | None
    codes: frozenset[str]
    name: str
    group_id: int
    vat_bp: int
    price_ore: int
    unit: str
    cost_ore: int | None
    reorder_milli: int


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass(frozen=True)
class Sample:
    """A new or changed row, described for the report."""

    line: int
    kind: str  # "new", "changed"
    product: str
    changes: tuple[str, ...]


@dataclass
class ImportReport:
    """What an import found (and, unless a dry run, did)."""

    what: str  # "products", "stock"
    table: Table
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    groups_created: list[str] = field(default_factory=list)
    written: bool = False

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected),
        }


class _Groups:
    """Product groups by code (or by name), and the ones an import will create."""

    def __init__(self, database: SqliteDatabase, *, create: bool) -> None:
        rows = database.execute_sql("SELECT id, code, name FROM product_group").fetchall()
        self.by_code: dict[str, int] = {code: gid for gid, code, _name in rows}
        self.by_name: dict[str, int] = {name.casefold(): gid for gid, _code, name in rows}
        self.codes: dict[int, str] = {gid: code for gid, code, _name in rows}
        self.create = create
        self.planned: dict[str, int] = {}

    def find(self, text: str) -> int | None:
        gid = self.by_code.get(text) or self.by_name.get(text.casefold())
        if gid is None and _digits(text):  # a spreadsheet may have dropped a leading zero
            gid = next(
                (g for c, g in self.by_code.items() if _digits(c) and int(c) == int(text)), None
            )
            if gid is not None:
                self.by_code[text] = gid
        if gid is None and self.create:
            gid = self.planned.setdefault(text, -1 - len(self.planned))
            self.codes[gid] = text
        return gid

    def create_planned(self, database: SqliteDatabase, journal: Journal) -> dict[int, int]:
        """Create the groups planned so far; returns their planned (negative) → real ids."""
        created: dict[int, int] = {}
        for code, planned in self.planned.items():
            if code in self.by_code:
                continue
            cursor = database.execute_sql(
                "INSERT INTO product_group (code, name, saft_group) VALUES (?, ?, '04999')",
                (code, code),
            )
            gid = int(cursor.lastrowid)
            self.by_code[code], self.codes[gid], created[planned] = gid, code, gid
            journal.write(Event.MASTER_DATA, action="add_group", group=code, name=code)
        return created


@dataclass
class _Outcome:
    row: ProductRow
    kind: str  # "new", "changed", "unchanged", "rejected"
    product_id: int = 0
    before: _Product | None = None
    after: _Product | None = None
    changed: tuple[str, ...] = ()
    reason: str = ""


class ProductImport:
    """Plans and applies one product file against one database."""

    def __init__(
        self,
        database: SqliteDatabase,
        table: Table,
        config: Config,
        *,
        create_groups: bool = False,
        samples: int = 20,
    ) -> None:
        self.db = database
        self.table = table
        self.vat_rates = config.vat_rates_bp
        self.layouts = config.embedded
        self.create_groups = create_groups
        self.sample_limit = samples
        self._vat_cache: dict[str, int | str] = {}
        self._width = max(len(table.headers), *(index + 1 for index in table.columns.values()))

    def _cell(self, cells: list[str]) -> Callable[[str], str]:
        """The stripped cell of a field ('' when the file has no such column)."""
        values = {key: cells[index].strip() for key, index in self.table.columns.items()}
        return lambda key: values.get(key, "")

    # -- parsing ----------------------------------------------------------------------------

    def parse(self, record: Record) -> ProductRow | str:
        """The row's checked values, or the reasons it is rejected (joined by '; ')."""
        shape = _row_shape(record, self._width, self.table.delimiter)
        if shape:
            return shape
        cells = record[2]
        if len(cells) < self._width:
            cells = cells + [""] * (self._width - len(cells))
        cell = self._cell(cells)
        problems: list[str] = []
        plu: str | None = None
        codes: tuple[str, ...] | None = None
        if text := cell("plu"):
            try:
                plu = parse_plu(text)
            except _Bad as exc:
                problems.append(str(exc))
        if text := cell("ean"):
            try:
                codes = parse_codes(text, self.layouts) or None
            except _Bad as exc:
                problems.append(str(exc))
        if plu is None and codes is None and not problems:
            problems.append(_("no PLU or barcode"))
        name = " ".join(cell("name").split())
        if not name:
            problems.append(_("missing name"))
        elif len(name) > MAX_NAME:
            problems.append(_("name longer than {n} characters").format(n=MAX_NAME))
        group = cell("group")
        if not group:
            problems.append(_("missing group"))
        vat = self._vat(cell("vat"))
        if isinstance(vat, str):
            problems.append(vat)
        price = self._price(cell("price"), cell("price_ore"))
        if isinstance(price, str):
            problems.append(price)
        unit: str | None = None
        if text := cell("unit"):
            unit = _UNITS.get(text.casefold().rstrip("."))
            if unit is None:
                problems.append(_("unknown unit '{value}' (stk or kg)").format(value=text))
        cost: int | None = None
        if text := cell("cost"):
            try:
                cost = parse_kroner(text)
                if cost > MAX_PRICE_ORE:
                    raise InvalidAmount(text)
            except InvalidAmount:
                problems.append(_("bad cost '{value}'").format(value=text))
        reorder: int | None = None
        if text := cell("reorder"):
            try:
                reorder = parse_milli(text)
                if reorder > MAX_REORDER_MILLI:
                    raise ValueError(text)
            except ValueError:
                problems.append(_("bad reorder point '{value}'").format(value=text))
        if problems:
            return "; ".join(problems)
        assert isinstance(vat, int) and isinstance(price, int)
        return ProductRow(record[0], plu, codes, name, group, vat, price, unit, cost, reorder)

    def _vat(self, text: str) -> int | str:
        if not text:
            return _("missing VAT rate")
        cached = self._vat_cache.get(text)
        if cached is None:
            try:
                cached = parse_vat(text)
                if cached not in self.vat_rates:
                    rates = ", ".join(f"{rate / 100:g}" for rate in self.vat_rates)
                    message = _("unknown VAT rate '{value}' (the till's rates: {rates} %)")
                    cached = message.format(value=text, rates=rates)
            except ValueError:
                cached = _("bad VAT rate '{value}'").format(value=text)
            self._vat_cache[text] = cached
        return cached

    def _price(self, kroner: str, ore: str) -> int | str:
        text = kroner or ore
        if not text:
            return _("missing price")
        try:
            price = parse_kroner(text) if kroner else int(ore) if _digits(ore) else -1
        except InvalidAmount:
            return _("bad price '{value}'").format(value=text)
        if not 0 <= price <= MAX_PRICE_ORE:
            return _("bad price '{value}'").format(value=text)
        return price

    # -- the run ----------------------------------------------------------------------------

    def run(self, journal: Journal | None) -> ImportReport:
        """Classify every row and, with a journal, write the new and changed products.

        One pass, a chunk at a time: a chunk is looked up before any of it is written, and
        what earlier chunks released (a PLU or barcode a product no longer has) is still
        counted as its old product's, so a real run decides exactly as its dry run did.
        """
        report = ImportReport("products", self.table)
        groups = _Groups(self.db, create=self.create_groups)
        resolver = _Resolver(self.db, groups)
        next_id = int(self.db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM product").fetchone()[0])
        touched: list[int] = []
        for chunk in _chunks(self._rows(report), CHUNK):
            new: list[_Outcome] = []
            changed: list[_Outcome] = []
            for outcome in resolver.resolve(chunk):
                if outcome.kind == "rejected":
                    report.rejected.append(Rejected(outcome.row.line, outcome.reason))
                    continue
                if outcome.kind == "unchanged":
                    report.unchanged += 1
                    continue
                (new if outcome.kind == "new" else changed).append(outcome)
                if len(report.samples) < self.sample_limit:
                    report.samples.append(self._sample(outcome, groups))
            report.new += len(new)
            report.changed += len(changed)
            if journal is None:
                continue
            created = groups.create_planned(self.db, journal)
            for outcome in (*new, *changed):
                assert outcome.after is not None
                outcome.after.group_id = created.get(outcome.after.group_id, outcome.after.group_id)
            for outcome in new:
                next_id += 1
                outcome.product_id = next_id
            self._insert(new)
            touched.extend(outcome.product_id for outcome in new)
            touched.extend(self._update(journal, changed, groups))
            resolver.release(changed)
        report.groups_created = sorted(groups.planned)
        report.rejected.sort(key=lambda r: r.line)
        if len(touched) > REINDEX_ALL_FROM:
            reindex_all(self.db)
        elif touched:
            reindex(self.db, touched)
        return report

    def _rows(self, report: ImportReport) -> Iterator[ProductRow]:
        for record in self.table.records():
            if _blank(record[2]):
                continue
            report.rows += 1
            parsed = self.parse(record)
            if isinstance(parsed, str):
                report.rejected.append(Rejected(record[0], parsed))
            else:
                yield parsed

    def _sample(self, outcome: _Outcome, groups: _Groups) -> Sample:
        row, after = outcome.row, outcome.after
        assert after is not None
        label = _label(after.plu, sorted(after.codes), after.name)
        if outcome.kind == "new":
            details = (format_kr(after.price_ore, thousands=False),)
            return Sample(row.line, "new", label, details)
        before = outcome.before
        assert before is not None
        return Sample(
            row.line,
            "changed",
            label,
            tuple(_describe(key, before, after, groups) for key in outcome.changed),
        )

    def _insert(self, new: list[_Outcome]) -> None:
        products = [(outcome.product_id, outcome.after) for outcome in new]
        cursor = self.db.cursor()
        cursor.executemany(
            "INSERT INTO product (id, plu, name, group_id, vat_bp, price_ore, unit, active,"
            " reorder_point_milli, cost_ore) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            [
                (
                    pid,
                    p.plu,
                    p.name,
                    p.group_id,
                    p.vat_bp,
                    p.price_ore,
                    p.unit,
                    p.reorder_milli,
                    p.cost_ore,
                )
                for pid, p in products
                if p is not None
            ],
        )
        cursor.executemany(
            "INSERT INTO barcode (code, product_id) VALUES (?, ?)",
            [(code, pid) for pid, p in products if p is not None for code in sorted(p.codes)],
        )

    def _update(self, journal: Journal, outcomes: list[_Outcome], groups: _Groups) -> list[int]:
        """Write changed products and their journal rows; returns the ids to reindex."""
        if not outcomes:
            return []
        cursor = self.db.cursor()
        rows = []
        removed: list[tuple[str, int]] = []
        added: list[tuple[str, int]] = []
        for outcome in outcomes:
            after, before, pid = outcome.after, outcome.before, outcome.product_id
            assert after is not None and before is not None
            rows.append(
                (
                    after.plu,
                    after.name,
                    after.group_id,
                    after.vat_bp,
                    after.price_ore,
                    after.unit,
                    after.cost_ore,
                    after.reorder_milli,
                    pid,
                )
            )
            removed.extend((code, pid) for code in sorted(before.codes - after.codes))
            added.extend((code, pid) for code in sorted(after.codes - before.codes))
        cursor.executemany(
            "UPDATE product SET plu = ?, name = ?, group_id = ?, vat_bp = ?, price_ore = ?,"
            " unit = ?, cost_ore = ?, reorder_point_milli = ? WHERE id = ?",
            rows,
        )
        cursor.executemany("DELETE FROM barcode WHERE code = ? AND product_id = ?", removed)
        cursor.executemany("INSERT INTO barcode (code, product_id) VALUES (?, ?)", added)
        searchable = {"plu", "barcodes", "name", "group"}
        touched: list[int] = []
        for outcome in outcomes:
            after, before, pid = outcome.after, outcome.before, outcome.product_id
            assert after is not None and before is not None
            if "price" in outcome.changed:
                journal.write(
                    Event.PRICE_CHANGE,
                    action="import",
                    product=pid,
                    plu=after.plu,
                    name=after.name,
                    old=before.price_ore,
                    new=after.price_ore,
                )
            others = [key for key in outcome.changed if key != "price"]
            if others:
                journal.write(
                    Event.MASTER_DATA,
                    action="import",
                    product=pid,
                    plu=after.plu,
                    changed={
                        _JOURNAL_KEYS[key]: [
                            _value(key, before, groups),
                            _value(key, after, groups),
                        ]
                        for key in others
                    },
                )
            if searchable & set(outcome.changed):
                touched.append(pid)
        return touched


_JOURNAL_KEYS = {
    "plu": "plu",
    "barcodes": "barcodes",
    "name": "name",
    "group": "group",
    "vat": "vat_bp",
    "price": "price_ore",
    "unit": "unit",
    "cost": "cost_ore",
    "reorder": "reorder_point_milli",
}


def _value(key: str, product: _Product, groups: _Groups) -> Any:
    if key == "barcodes":
        return sorted(product.codes)
    if key == "group":
        return groups.codes.get(product.group_id, str(product.group_id))
    attribute = {"vat": "vat_bp", "price": "price_ore", "cost": "cost_ore"}.get(key, key)
    if key == "reorder":
        attribute = "reorder_milli"
    return getattr(product, attribute)


def _describe(key: str, before: _Product, after: _Product, groups: _Groups) -> str:
    """'price 24,90 → 25,90', 'barcodes +7038010009990 -7020164760728', 'name'."""
    if key == "barcodes":
        plus = [f"+{code}" for code in sorted(after.codes - before.codes)]
        minus = [f"-{code}" for code in sorted(before.codes - after.codes)]
        return " ".join(["barcodes", *plus, *minus])
    if key == "name":
        return f"name '{before.name}' → '{after.name}'"
    old, new = _value(key, before, groups), _value(key, after, groups)
    if key in ("price", "cost"):
        old = "-" if old is None else format_kr(old, thousands=False)
        new = "-" if new is None else format_kr(new, thousands=False)
    elif key == "vat":
        old, new = f"{old / 100:g} %", f"{new / 100:g} %"
    elif key == "reorder":
        old, new = format_quantity(old), format_quantity(new)
    return f"{key} {old or '-'} → {new or '-'}"


def _label(plu: str | None, codes: Sequence[str], name: str) -> str:
    if plu:
        return f"PLU {plu} {name}"
    return f"EAN {codes[0]} {name}" if codes else name


class _Resolver:
    """Finds each row's product and decides new / changed / unchanged / rejected, a chunk at a
    time with indexed lookups; remembers what the file has used so far to find duplicates."""

    def __init__(self, database: SqliteDatabase, groups: _Groups) -> None:
        self.db = database
        self.groups = groups
        self.plu_lines: dict[str, int] = {}
        self.code_lines: dict[str, int] = {}
        self.product_lines: dict[int, int] = {}
        # What written rows took away from their product, still counted as that product's.
        self.released_plus: dict[str, int] = {}
        self.released_codes: dict[str, int] = {}

    def release(self, written: list[_Outcome]) -> None:
        for outcome in written:
            before, after = outcome.before, outcome.after
            assert before is not None and after is not None
            if before.plu is not None and before.plu != after.plu:
                self.released_plus[before.plu] = outcome.product_id
            for code in before.codes - after.codes:
                self.released_codes[code] = outcome.product_id

    def resolve(self, rows: list[ProductRow]) -> list[_Outcome]:
        plus = [r.plu for r in rows if r.plu]
        codes = [code for r in rows for code in r.codes or ()]
        plu_ids: dict[str, int] = dict(
            _select_in(self.db, "SELECT plu, id FROM product WHERE plu IN ({})", plus)
        )
        owners: dict[str, int] = dict(
            _select_in(self.db, "SELECT code, product_id FROM barcode WHERE code IN ({})", codes)
        )
        if self.released_plus:
            for plu in plus:
                if plu not in plu_ids and plu in self.released_plus:
                    plu_ids[plu] = self.released_plus[plu]
        if self.released_codes:
            for code in codes:
                if code not in owners and code in self.released_codes:
                    owners[code] = self.released_codes[code]
        outcomes = [self._identify(row, plu_ids, owners) for row in rows]
        existing = self._products([o.product_id for o in outcomes if o.kind == "changed"])
        for outcome in outcomes:
            if outcome.kind != "rejected":
                outcome.reason = self._target(outcome, existing.get(outcome.product_id))
                if outcome.reason:
                    outcome.kind = "rejected"
                elif outcome.kind == "changed":
                    assert outcome.before is not None and outcome.after is not None
                    outcome.changed = _differences(outcome.before, outcome.after)
                    outcome.kind = "changed" if outcome.changed else "unchanged"
        return outcomes

    def _target(self, outcome: _Outcome, before: _Product | None) -> str:
        """Set what the product becomes (new, or `before` with the row's values); or why not."""
        row = outcome.row
        unit = row.unit or (before.unit if before else "stk")
        reorder = row.reorder_milli
        if reorder is None:
            reorder = before.reorder_milli if before else 0
        if unit != "kg" and reorder % 1000 and (row.unit or row.reorder_milli is not None):
            return _("the reorder point of an item sold per piece is a whole number")
        group_id = self.groups.find(row.group)
        if group_id is None:
            message = _("unknown product group '{group}' (or give --create-groups)")
            return message.format(group=row.group)
        if before is None:
            codes, plu, cost = frozenset(row.codes or ()), row.plu, row.cost_ore
        else:
            codes = frozenset(row.codes) if row.codes is not None else before.codes
            plu = row.plu or before.plu
            cost = row.cost_ore if row.cost_ore is not None else before.cost_ore
        outcome.before = before
        outcome.after = _Product(
            plu, codes, row.name, group_id, row.vat_bp, row.price_ore, unit, cost, reorder
        )
        return ""

    def _identify(
        self, row: ProductRow, plu_ids: dict[str, int], owners: dict[str, int]
    ) -> _Outcome:
        """Which product the row is (PLU first, then barcode), or why it cannot be imported."""
        line = row.line
        if row.plu is not None and (seen := self.plu_lines.setdefault(row.plu, line)) != line:
            reason = _("PLU {plu} is also on line {line}").format(plu=row.plu, line=seen)
            return _Outcome(row, "rejected", reason=reason)
        for code in row.codes or ():
            if (seen := self.code_lines.setdefault(code, line)) != line:
                reason = _("barcode {code} is also on line {line}").format(code=code, line=seen)
                return _Outcome(row, "rejected", reason=reason)
        product_id = plu_ids.get(row.plu) if row.plu is not None else None
        claimed = {owners[code] for code in row.codes or () if code in owners}
        if product_id is None and len(claimed) > 1:
            message = _("the barcodes belong to different products ({products})")
            products = ", ".join(self._name(pid) for pid in sorted(claimed))
            return _Outcome(row, "rejected", reason=message.format(products=products))
        if product_id is None and claimed:
            product_id = claimed.pop()
        foreign = sorted(
            code for code in row.codes or () if owners.get(code, product_id) != product_id
        )
        if foreign:
            message = _("barcode {code} belongs to another product ({product})")
            owner = self._name(owners[foreign[0]])
            return _Outcome(row, "rejected", reason=message.format(code=foreign[0], product=owner))
        if product_id is None:
            return _Outcome(row, "new")
        if (seen := self.product_lines.setdefault(product_id, line)) != line:
            reason = _("the same product as line {line}").format(line=seen)
            return _Outcome(row, "rejected", reason=reason)
        return _Outcome(row, "changed", product_id=product_id)

    def _name(self, product_id: int) -> str:
        row = self.db.execute_sql(
            "SELECT plu, name FROM product WHERE id = ?", (product_id,)
        ).fetchone()
        if row is None:
            return str(product_id)
        return f"PLU {row[0]} {row[1]}" if row[0] else str(row[1])

    def _products(self, ids: list[int]) -> dict[int, _Product]:
        codes: dict[int, set[str]] = {}
        for pid, code in _select_in(
            self.db, "SELECT product_id, code FROM barcode WHERE product_id IN ({})", ids
        ):
            codes.setdefault(pid, set()).add(code)
        return {
            pid: _Product(
                plu,
                frozenset(codes.get(pid, ())),
                name,
                group_id,
                vat_bp,
                price_ore,
                unit,
                cost_ore,
                reorder,
            )
            for pid, plu, name, group_id, vat_bp, price_ore, unit, cost_ore, reorder in _select_in(
                self.db,
                "SELECT id, plu, name, group_id, vat_bp, price_ore, unit, cost_ore,"
                " reorder_point_milli FROM product WHERE id IN ({})",
                ids,
            )
        }


def _differences(before: _Product, after: _Product) -> tuple[str, ...]:
    pairs = (
        ("plu", before.plu, after.plu),
        ("barcodes", before.codes, after.codes),
        ("name", before.name, after.name),
        ("group", before.group_id, after.group_id),
        ("vat", before.vat_bp, after.vat_bp),
        ("price", before.price_ore, after.price_ore),
        ("unit", before.unit, after.unit),
        ("cost", before.cost_ore, after.cost_ore),
        ("reorder", before.reorder_milli, after.reorder_milli),
    )
    return tuple(key for key, old, new in pairs if old != new)


def _select_in(database: SqliteDatabase, sql: str, params: Sequence[Any]) -> Iterator[Any]:
    unique = list(dict.fromkeys(params))
    for start in range(0, len(unique), _IN_BATCH):
        batch = unique[start : start + _IN_BATCH]
        yield from database.execute_sql(sql.format(",".join("?" * len(batch))), batch).fetchall()


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def import_products(
    database: SqliteDatabase,
    journal: Journal,
    table: Table,
    config: Config,
    *,
    dry_run: bool = False,
    create_groups: bool = False,
    samples: int = 20,
) -> ImportReport:
    """Plan the file and, unless a dry run, apply it in one transaction with its journal rows.

    A dry run only reads (it never takes the write lock, so the till sells on meanwhile).
    """
    importer = ProductImport(database, table, config, create_groups=create_groups, samples=samples)
    if dry_run:
        with database.atomic():
            return importer.run(None)
    with database.atomic("IMMEDIATE"):
        journal = _stamped(journal)
        report = importer.run(journal)
        if report.new:  # the time new items got their prices (§ 2-7), not a row for each
            journal.write(
                Event.MASTER_DATA, action="import_add", file=table.path.name, products=report.new
            )
        journal.write(
            IMPORT,
            what="products",
            file=table.path.name,
            groups_created=len(report.groups_created),
            **report.counts(),
        )
    report.written = True
    return report


class _Stamp(Instant):
    """One instant for all of an import's journal rows (they commit together), its texts
    worked out once: a price file can journal 200,000 changes."""

    _texts: tuple[str, str, str]

    def __init__(self, instant: Instant) -> None:
        super().__init__(instant.utc)
        texts = (instant.utc_text, instant.local_date, instant.local_time)
        object.__setattr__(self, "_texts", texts)

    @property
    def utc_text(self) -> str:
        return self._texts[0]

    @property
    def local_date(self) -> str:
        return self._texts[1]

    @property
    def local_time(self) -> str:
        return self._texts[2]


class _StampClock(Clock):
    def __init__(self, stamp: _Stamp) -> None:
        super().__init__(lambda: stamp.utc)
        self.stamp = stamp

    def now(self) -> Instant:
        return self.stamp


def _stamped(journal: Journal) -> Journal:
    """The journal, writing every row with the time the import's transaction began."""
    return Journal(journal.db, journal.register_id, _StampClock(_Stamp(journal.clock.now())))


# -- opening stock -----------------------------------------------------------------------------


@dataclass(slots=True)
class _StockRow:
    line: int
    plu: str | None
    codes: tuple[str, ...]
    level_milli: int


def import_stock(
    database: SqliteDatabase,
    journal: Journal,
    table: Table,
    config: Config,
    *,
    dry_run: bool = False,
    samples: int = 20,
) -> ImportReport:
    """Bring each listed product's stock to the file's level with one 'import' movement (the
    difference), so the level is always a sum of deltas; a product already there is left alone."""
    report = ImportReport("stock", table)

    def run() -> None:
        now = journal.clock.now()
        seen: dict[int, int] = {}
        movements: list[tuple[str, int, int, str, str, str]] = []
        for chunk in _chunks(_stock_rows(table, config, report), CHUNK):
            plu_ids = dict(
                _select_in(
                    database,
                    "SELECT plu, id FROM product WHERE plu IN ({})",
                    [r.plu for r in chunk if r.plu],
                )
            )
            owners = dict(
                _select_in(
                    database,
                    "SELECT code, product_id FROM barcode WHERE code IN ({})",
                    [code for r in chunk for code in r.codes],
                )
            )
            found = [_stock_product(row, plu_ids, owners) for row in chunk]
            products = {
                pid: (plu, name, unit, level)
                for pid, plu, name, unit, level in _select_in(
                    database,
                    "SELECT p.id, p.plu, p.name, p.unit, COALESCE(s.on_hand_milli, 0)"
                    " FROM product p LEFT JOIN product_stock s ON s.product_id = p.id"
                    " WHERE p.id IN ({})",
                    [pid for pid in found if isinstance(pid, int)],
                )
            }
            movements.clear()
            for row, pid in zip(chunk, found, strict=True):
                if isinstance(pid, str):
                    report.rejected.append(Rejected(row.line, pid))
                    continue
                if (first := seen.setdefault(pid, row.line)) != row.line:
                    reason = _("the same product as line {line}").format(line=first)
                    report.rejected.append(Rejected(row.line, reason))
                    continue
                plu, name, unit, level = products[pid]
                if unit != "kg" and row.level_milli % 1000:
                    message = _("{name} is counted in whole units")
                    report.rejected.append(Rejected(row.line, message.format(name=name)))
                    continue
                delta = row.level_milli - level
                if delta == 0:
                    report.unchanged += 1
                    continue
                report.changed += 1
                if len(report.samples) < samples:
                    change = f"{format_quantity(level)} → {format_quantity(row.level_milli)}"
                    report.samples.append(
                        Sample(row.line, "changed", _label(plu, row.codes, name), (change,))
                    )
                movements.append(
                    (
                        str(uuid.uuid4()),
                        pid,
                        delta,
                        "import",
                        config.register_id,
                        now.utc_text,
                    )
                )
            if not dry_run and movements:
                database.cursor().executemany(
                    "INSERT INTO stock_movement (uuid, product_id, delta_milli, reason, sale_id,"
                    " register_id, created_utc) VALUES (?, ?, ?, ?, NULL, ?, ?)",
                    movements,
                )
        report.rejected.sort(key=lambda r: r.line)

    if dry_run:
        with database.atomic():
            run()
        return report
    with database.atomic("IMMEDIATE"):
        run()
        journal.write(IMPORT, what="stock", file=table.path.name, **report.counts())
    report.written = True
    return report


def _stock_rows(table: Table, config: Config, report: ImportReport) -> Iterator[_StockRow]:
    cols = table.columns
    for record in table.records():
        cells = record[2]
        if _blank(cells):
            continue
        report.rows += 1

        def cell(key: str, cells: list[str] = cells) -> str:
            index = cols.get(key)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        problem = _row_shape(record, len(table.headers), table.delimiter)
        plu: str | None = None
        codes: tuple[str, ...] = ()
        problems = [problem] if problem else []
        if not problems:
            try:
                plu = parse_plu(text) if (text := cell("plu")) else None
                codes = parse_codes(text, config.embedded) if (text := cell("ean")) else ()
            except _Bad as exc:
                problems.append(str(exc))
            if plu is None and not codes and not problems:
                problems.append(_("no PLU or barcode"))
            quantity = cell("quantity")
            level = 0
            if not quantity:
                problems.append(_("missing quantity"))
            else:
                try:
                    level = parse_milli(quantity)
                    if level > MAX_STOCK_MILLI:
                        raise ValueError(quantity)
                except ValueError:
                    problems.append(_("bad quantity '{value}'").format(value=quantity))
        if problems:
            report.rejected.append(Rejected(record[0], "; ".join(problems)))
            continue
        yield _StockRow(record[0], plu, codes, level)


def _stock_product(row: _StockRow, plu_ids: dict[str, int], owners: dict[str, int]) -> int | str:
    """The product's id, or why the row names none (or two)."""
    if row.plu is not None:
        if row.plu in plu_ids:
            return plu_ids[row.plu]
        if not row.codes:
            return _("no product with PLU {plu}").format(plu=row.plu)
    claimed = {owners[code] for code in row.codes if code in owners}
    if len(claimed) == 1:
        return claimed.pop()
    if claimed:
        return _("the barcodes belong to different products ({products})").format(
            products=", ".join(str(pid) for pid in sorted(claimed))
        )
    return _("no product with barcode {code}").format(code=row.codes[0])


# -- export ------------------------------------------------------------------------------------


def export_products(database: SqliteDatabase, out: TextIO) -> int:
    """The catalog as the importer reads it (UTF-8, ';', decimal comma), a row at a time."""
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(EXPORT_HEADER)
    cursor = database.execute_sql(
        "SELECT p.plu, (SELECT group_concat(code, '|') FROM"
        " (SELECT code FROM barcode b WHERE b.product_id = p.id ORDER BY code)),"
        " p.name, g.code, p.vat_bp, p.price_ore, p.unit, p.cost_ore, p.reorder_point_milli"
        " FROM product p JOIN product_group g ON g.id = p.group_id ORDER BY p.id"
    )
    count = 0
    for plu, codes, name, group, vat_bp, price, unit, cost, reorder in cursor:
        writer.writerow(
            (
                plu or "",
                codes or "",
                name,
                group,
                f"{vat_bp / 100:g}".replace(".", ","),
                format_kr(price, thousands=False),
                unit,
                "" if cost is None else format_kr(cost, thousands=False),
                format_quantity(reorder),
            )
        )
        count += 1
    return count
