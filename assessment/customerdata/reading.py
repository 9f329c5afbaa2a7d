"""Reading a client's file into a table of text columns, whatever it was saved as.

CSV and other delimited text: the encoding is UTF-8 (with or without a byte-order mark),
UTF-16 (with a mark, or found by the detector) or whatever charset-normalizer finds
(Windows-1256 from Persian Excel and accounting programs); the separator is a comma,
semicolon, tab or bar, whichever splits the first lines into the same number of columns.
XLSX (and XLS/ODS) through calamine (fastexcel), first sheet, first row as headers.
Every cell is read as text: normalise.py decides what it means.

A file that cannot be read this way (a fixed-width layout, rows with more cells than the
header, a header cell without a name, an unknown encoding) raises `DataFileError` naming
the file, the row (1 is the header) and the column where it can.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import polars as pl

from ..errors import FieldError

#: the separators tried, in the order preferred when two fit equally well
SEPARATORS = (",", ";", "\t", "|")
#: lines read to choose the separator and check the layout before the engine reads all
SAMPLE_LINES = 50
_SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # XLSX/ODS zip, old XLS
_DETECT_BYTES = 256 * 1024
#: what a file that is not UTF-8 may be in: the detector chooses among these only (files
#: from Persian Windows, Excel and accounting programs, or Western European ones)
CANDIDATE_ENCODINGS = ("utf_16", "utf_16_le", "utf_16_be", "cp1256", "iso8859_6", "cp1252")


class DataFileError(FieldError):
    """A file that cannot be read as a table: which file, which row and column, and why."""

    def __init__(self, file: str, message: str, row: int | None = None,
                 column: int | str | None = None):
        self.file, self.row, self.column, self.reason = file, row, column, message
        where = [file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__("file", ": ".join([", ".join(where), message]))


def read_table(path: Path) -> pl.DataFrame:
    """The file's rows as a table of text (null for an empty cell), headers trimmed."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_SPREADSHEET_MAGIC):
        return _read_spreadsheet(path)
    with path.open("rb") as handle:
        sample = handle.read(65536)
    text = _utf8_start(sample)
    if text is not None:
        # UTF-8 as far as the sample goes: the engine reads the file itself (the fast way
        # for large files), and says so if a later byte is not UTF-8
        try:
            return _read_text(path, path, text.removeprefix("\ufeff"))
        except _NotUtf8:
            pass
    return _read_delimited(path, path.read_bytes())


def _read_spreadsheet(path: Path) -> pl.DataFrame:
    import fastexcel

    try:
        sheet = fastexcel.read_excel(path).load_sheet(0, dtypes="string")
        frame = pl.DataFrame(sheet.to_polars())
    except Exception as exc:  # calamine's errors carry no row; say what it said
        raise DataFileError(path.name, f"not a readable spreadsheet ({exc})") from None
    headers = [str(name).strip() for name in frame.columns]
    _check_headers(path.name, headers, unnamed_prefix="__UNNAMED__")
    return frame.rename(dict(zip(frame.columns, headers, strict=True)))


def _utf8_start(sample: bytes) -> str | None:
    """The sample as text if it is UTF-8 (it may end inside a character), else None."""
    try:
        return sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if len(sample) == 65536 and exc.start >= len(sample) - 3:
            return sample[: exc.start].decode("utf-8", errors="replace")
        return None


def decode(name: str, raw: bytes) -> tuple[bytes, str]:
    """The file as UTF-8 bytes, and the encoding it was in."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            if encoding == "utf-8-sig":
                return raw[len(bom):], encoding
            return _transcode(name, raw, encoding), encoding
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_odd = exc.start
    else:
        return raw, "utf-8"
    import charset_normalizer

    # the detector reads from the first byte that is not UTF-8: a file may start with
    # thousands of lines of digits and Latin letters that fit any encoding
    start = max(0, raw.rfind(b"\n", 0, first_odd) + 1)
    best = charset_normalizer.from_bytes(raw[start:start + _DETECT_BYTES],
                                         cp_isolation=list(CANDIDATE_ENCODINGS)).best()
    if best is None:
        raise DataFileError(name, "the text's encoding could not be recognised; save it as "
                                  "UTF-8 CSV or XLSX", row=1)
    return _transcode(name, raw, best.encoding), best.encoding


def _transcode(name: str, raw: bytes, encoding: str) -> bytes:
    try:
        return raw.decode(encoding).encode("utf-8")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise DataFileError(name, f"a character that is not {encoding}", row=row) from None


def _check_headers(name: str, headers: list[str], unnamed_prefix: str | None = None) -> None:
    seen: dict[str, int] = {}
    for number, header in enumerate(headers, start=1):
        if not header or (unnamed_prefix and header.startswith(unnamed_prefix)):
            raise DataFileError(name, "this column has no header; the first row must name "
                                      "every column", row=1, column=number)
        if header in seen:
            raise DataFileError(name, f"the header '{header}' is also column {seen[header]}",
                                row=1, column=number)
        seen[header] = number


def _split(lines: list[str], separator: str) -> list[list[str]]:
    return list(csv.reader(lines, delimiter=separator))


def sniff(name: str, text: str) -> str:
    """The separator of a delimited text, checked on its first lines."""
    lines = [line for line in text.splitlines()[:SAMPLE_LINES] if line.strip()]
    if not lines:
        raise DataFileError(name, "the file is empty")
    if len(lines) > 1 and not text.endswith(("\n", "\r")) and len(text) >= 65536:
        lines = lines[:-1]  # the sample may end inside a line
    best: str | None = None
    for separator in SEPARATORS:
        widths = {len(row) for row in _split(lines, separator)}
        if len(widths) == 1 and widths.pop() > 1 and best is None:
            best = separator
    if best is not None:
        return best
    header = lines[0]
    if "  " in header.strip():
        raise DataFileError(name, "the columns are lined up with spaces (a fixed-width "
                                  "layout); save the file as CSV or XLSX", row=1, column=1)
    for separator in SEPARATORS:
        rows = _split(lines, separator)
        if len(rows[0]) > 1:
            for number, row in enumerate(rows[1:], start=2):
                if len(row) != len(rows[0]):
                    raise DataFileError(
                        name, f"{len(row)} cells where the header has {len(rows[0])}",
                        row=number, column=min(len(row), len(rows[0])) + 1)
    if len(lines) > 1 and all(len(line.split()) > 1 for line in lines[:2]) \
            and len(lines[0].split()) == len(lines[1].split()) and " " in header:
        raise DataFileError(name, "the columns are separated by spaces; save the file as "
                                  "CSV or XLSX", row=1, column=1)
    return ","  # a single column


class _NotUtf8(Exception):
    """The engine met a byte that is not UTF-8 after a sample that was."""


def _read_delimited(path: Path, raw: bytes) -> pl.DataFrame:
    data, _encoding = decode(path.name, raw)
    sample = data[:65536].decode("utf-8", errors="ignore")
    return _read_text(path, data, sample)


def _read_text(path: Path, source: Path | bytes, sample: str) -> pl.DataFrame:
    """Read UTF-8 delimited text (a file, or bytes) whose beginning is `sample`."""
    separator = sniff(path.name, sample)
    header = next(csv.reader([sample.splitlines()[0]], delimiter=separator))
    _check_headers(path.name, [cell.strip() for cell in header])
    try:
        frame = pl.read_csv(source if isinstance(source, Path) else io.BytesIO(source),
                            separator=separator, infer_schema=False, has_header=True,
                            quote_char='"')
    except pl.exceptions.PolarsError as exc:
        if isinstance(source, Path) and "utf-8" in str(exc).lower():
            raise _NotUtf8 from None
        data = source.read_bytes() if isinstance(source, Path) else source
        raise _locate(path.name, data, separator) from None
    headers = [column.strip().removeprefix("\ufeff") for column in frame.columns]
    return frame.rename(dict(zip(frame.columns, headers, strict=True)))


def _locate(name: str, data: bytes, separator: str) -> DataFileError:
    """The first row that does not fit the header (only on the way to an error)."""
    reader = csv.reader(io.StringIO(data.decode("utf-8", errors="replace")),
                        delimiter=separator)
    width = 0
    for number, row in enumerate(reader, start=1):
        if number == 1:
            width = len(row)
        elif row and len(row) != width:
            return DataFileError(name, f"{len(row)} cells where the header has {width}",
                                 row=number, column=min(len(row), width) + 1)
    return DataFileError(name, "the rows could not be read as a table")
