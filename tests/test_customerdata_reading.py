"""Reading clients' files: every encoding, separator and XLSX give the same table; odd
layouts give a clear error naming the file, the row and the column."""

from __future__ import annotations

import codecs
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from assessment.customerdata import DataFileError, profile_files, read_table, recognise

# Windows-1256 has no Persian ی, so the text uses the Arabic ي as such exports do
ROWS = [
    ["کد مشتري", "نام", "تلفن همراه", "تاريخ خريد", "مبلغ"],
    ["1", "علي رضايي", "09121234567", "1402/05/12", "1,200,000 ريال"],
    ["2", "مريم كريمي", "+989351112222", "1402/06/01", "300000"],
    ["3", "زهرا احمدي", "", "2023-09-10", "450000"],
]


def save(path: Path, encoding: str, separator: str = ",", bom: bytes = b"") -> Path:
    def cell(value: str) -> str:
        return f'"{value}"' if separator in value else value

    text = "\r\n".join(separator.join(cell(v) for v in row) for row in ROWS) + "\r\n"
    path.write_bytes(bom + text.encode(encoding))
    return path


def check(path: Path) -> None:
    data = profile_files([path]).to_json()
    assert data["rows"] == 3
    assert data["customers"] == 3
    assert data["files"][0]["mapping"]["roles"] == {
        "customer": "کد مشتري", "name": "نام", "mobile": "تلفن همراه", "date": "تاريخ خريد",
        "amount": "مبلغ"}
    fields = data["quality"]["fields"]
    assert fields["mobile"] == {"filled": pytest.approx(2 / 3), "valid": pytest.approx(2 / 3)}
    assert fields["date"]["valid"] == 1.0
    assert fields["amount"]["valid"] == 1.0
    # 1402/05/12 is 2023-08-03; 1402/06/01 is 2023-08-23
    assert (data["first_date"], data["last_date"]) == ("2023-08-03", "2023-09-10")
    top = data["pyramid"][0]
    # 3 active: top 1 (the 1,200,000), out of 1,950,000
    assert top["customers"] == 1
    assert top["revenue_share"] == pytest.approx(1_200_000 / 1_950_000)


@pytest.mark.parametrize(("encoding", "bom"), [
    ("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE), ("cp1256", b""),
])
def test_every_encoding_reads_the_same(tmp_path: Path, encoding: str, bom: bytes) -> None:
    check(save(tmp_path / "customers.csv", encoding, bom=bom))


def test_utf16_without_a_mark_is_detected(tmp_path: Path) -> None:
    check(save(tmp_path / "customers.csv", "utf-16-le"))


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_separators(tmp_path: Path, separator: str) -> None:
    check(save(tmp_path / "customers.txt", "utf-8", separator=separator))


def test_xlsx_with_typed_and_text_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(ROWS[0])
    # numbers and dates as Excel stores them, beside text cells
    sheet.append([1, "علي رضايي", 9121234567, "۱۴۰۲/۰۵/۱۲", 1200000])
    sheet.append(["2", "مريم كريمي", "+989351112222", datetime(2023, 8, 23), "300000"])
    sheet.append([3, "زهرا احمدي", None, date(2023, 9, 10), 450000.0])
    path = tmp_path / "customers.xlsx"
    book.save(path)
    check(path)


def test_headers_are_recognised_in_both_languages() -> None:
    english = recognise(["Customer ID", "Full Name", "Mobile Number", "E-mail",
                         "National Code", "City", "Order Date", "Total", "Product", "Notes"])
    assert english.roles == {"customer": "Customer ID", "name": "Full Name",
                             "mobile": "Mobile Number", "email": "E-mail",
                             "national_id": "National Code", "city": "City",
                             "date": "Order Date", "amount": "Total", "product": "Product"}
    assert english.unmapped == ["Notes"]
    assert english.missing == ["phone"]
    persian = recognise(["شناسه مشتری", "نام و نام‌خانوادگی", "شماره موبايل", "تلفن",
                         "کدملی", "پست الکترونیک", "نام کالا", "مبلغ فاکتور", "تاریخ"])
    assert persian.roles == {"customer": "شناسه مشتری", "name": "نام و نام‌خانوادگی",
                             "mobile": "شماره موبايل", "phone": "تلفن", "email": "پست الکترونیک",
                             "national_id": "کدملی", "date": "تاریخ", "amount": "مبلغ فاکتور",
                             "product": "نام کالا"}
    assert recognise(["a", "b"], {"customer": "b"}).roles == {"customer": "b"}


def error_of(path: Path) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        read_table(path)
    return caught.value


def test_fixed_width_layout_is_refused_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("code   name        amount\n1      Ali         1200\n", encoding="utf-8")
    error = error_of(path)
    assert (error.file, error.row, error.column) == ("export.txt", 1, 1)
    assert str(error).startswith("export.txt, row 1, column 1: ")
    assert "fixed-width" in str(error)


def test_a_row_with_more_cells_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    rows = ["customer,date,amount"] + [f"{n},2024-01-01,10" for n in range(80)]
    rows.insert(70, "x,2024-01-01,10,extra")  # beyond the sampled lines: found by the engine
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    error = error_of(path)
    assert (error.row, error.column) == (71, 4)
    assert "4 cells where the header has 3" in str(error)


def test_a_header_without_a_name(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("customer,,amount\n1,2024-01-01,10\n", encoding="utf-8")
    assert (error_of(path).row, error_of(path).column) == (1, 2)


def test_a_title_row_above_the_header_in_a_workbook(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Sales report 1402", None, None])
    sheet.append(["customer", "date", "amount"])
    path = tmp_path / "report.xlsx"
    book.save(path)
    error = error_of(path)
    assert (error.file, error.row, error.column) == ("report.xlsx", 1, 2)


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert "empty" in str(error_of(path))


def test_windows_1256_after_a_long_latin_start(tmp_path: Path) -> None:
    # the first 64 KiB fit UTF-8; the engine meets the first Windows-1256 byte much later
    lines = ["customer,name,amount"] + [f"{n},Ali,10" for n in range(10_000)]
    lines.append("99,علي رضايي,20")
    path = tmp_path / "late.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1256"))
    table = read_table(path)
    assert table.height == 10_001
    assert table["name"][-1] == "علي رضايي"
