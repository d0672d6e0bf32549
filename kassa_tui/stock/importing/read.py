"""Reading a catalog file: CSV (encoding and delimiter detected) or an .xlsx workbook, its
header found and mapped to fields; every problem with the file as a whole is one
`UnreadableFile` line for the technician.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.stock.importing.columns import ColumnSpec, fold

_DELIMITERS = (";", "\t", ",")
_HEADER_SEARCH = 10  # a title line or two may come before the header
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class UnreadableFile(Refused):
    """The file as a whole cannot be imported; `message` is the one line for the technician."""


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
        rows = (r for r in records_for(delimiter)() if not blank(r[2]))
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


def blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()
