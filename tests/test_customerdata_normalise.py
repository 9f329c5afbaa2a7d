"""Normalising what clients type: digits, amounts, dates, mobiles, e-mails, national ids,
and the likely duplicates found on the normalised keys."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from assessment.customerdata import normalise as norm
from assessment.customerdata import profile_files


def apply(expr_of: object, values: list[str | None]) -> list[object]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(expr_of(pl.col("v")).alias("out"))["out"].to_list()  # type: ignore[operator]


def test_amounts_in_every_written_form() -> None:
    assert norm.amounts(pl.Series([
        "1200", "۱۲۰۰", "١٢٠٠", "1,200,000", "۱٬۲۰۰٬۰۰۰", "12٫5", "۱۲٫۵", "1.250.000",
        "1,200 ریال", "۳۵۰ هزار تومان".replace("هزار ", ""), "450 Rials", "IRR 99", "-20",
        "", None, "free", "nan", "inf",
    ])).to_list() == [1200.0, 1200.0, 1200.0, 1_200_000.0, 1_200_000.0, 12.5, 12.5, 1_250_000.0,
           1200.0, 350.0, 450.0, 99.0, -20.0, None, None, None, None, None]


def test_dates_solar_hijri_in_both_digit_forms_and_gregorian() -> None:
    values = ["1402/05/12", "۱۴۰۲-۰۵-۱۲", "١٤٠٢/٠٥/١٢", "1402.5.12", "2023-08-03",
              "2023/08/03", "2023-08-03 14:20:00", "1402/13/01", "soon", None]
    parsed = norm.dates(pl.Series(values, dtype=pl.String)).to_list()
    # 12 Mordad 1402 is 3 August 2023; month 13 is not a date
    assert parsed == [date(2023, 8, 3)] * 7 + [None, None, None]


def test_each_distinct_date_is_converted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = norm.parse_date

    def counting(text: str) -> date | None:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(norm, "parse_date", counting)
    parsed = norm.dates(pl.Series(["1402/05/12", "1402/05/13"] * 500 + ["2024-01-01"] * 10))
    assert parsed.n_unique() == 3
    assert sorted(calls) == ["1402/05/12", "1402/05/13"]  # ISO dates are read by the engine


def test_mobile_numbers_in_every_common_form() -> None:
    assert apply(norm.mobile_key, [
        "09121234567", "9121234567", "+98 912 123 4567", "0098-912-123-4567",
        "989121234567", "۰۹۱۲۱۲۳۴۵۶۷", "٠٩١٢١٢٣٤٥٦٧", "(0912) 123 45 67",
        "02188776655", "0912123456", "091212345678", "", None,
    ]) == ["9121234567"] * 8 + [None] * 5


def test_email_syntax() -> None:
    assert apply(norm.email_key, [
        "Ali@Example.COM", " sara.k+crm@mail.co.ir ", "ali@", "ali@example", "ali @x.com",
        "a@b@c.com", "@example.com", None,
    ]) == ["ali@example.com", "sara.k+crm@mail.co.ir", None, None, None, None, None, None]


def test_national_id_check_digit_keeps_leading_zeros() -> None:
    # 001234567?: 0*10+0*9+1*8+2*7+3*6+4*5+5*4+6*3+7*2 = 112; 112 % 11 = 2 -> 11-2 = 9
    # 1234567890: 10+18+24+28+30+30+28+24+18 = 210; 210 % 11 = 1 -> check digit 1, not 0
    # 0000000000 is a repeated digit; 12345679 lost its leading zeros in a spreadsheet
    assert apply(norm.national_id_key, [
        "0012345679", "۰۰۱۲۳۴۵۶۷۹", "001-234567-9", "12345679", "1234567891", "1234567890",
        "0000000000", "123", None,
    ]) == ["0012345679"] * 4 + ["1234567891", None, None, None, None]


def test_phone_numbers() -> None:
    assert apply(norm.phone_valid, [
        "021-88776655", "88776655", "+98 21 8877 6655", "09121234567", "12345", None,
    ]) == [True, True, True, True, False, None]


def test_duplicates_across_spelling_digits_case_and_half_spaces(tmp_path: Path) -> None:
    """A list without ids (a record per row):
    1 and 2: the same name with ي/ی and double spacing, the same mobile in Persian digits
      and +98 form -> one group;
    3 and 4: «محمد‌رضا» with a half-space and «محمدرضا», the same e-mail in two cases;
    5 and 6: one national id in Latin and Persian digits;
    8 carries 4's e-mail and 5's national id: 3, 4, 5, 6, 8 are one group;
    7 shares 1's name with another mobile: not a duplicate.
    Groups {1,2} and {3,4,5,6,8}: 7 records involved, 1 + 4 = 5 beyond the first.
    """
    rows = [
        "علي رضايي,۰۹۱۲۱۲۳۴۵۶۷,,",
        "علی  رضایی,+98 912 123 4567,,",
        "محمد\u200cرضا کریمی,,M.Karimi@Example.com,",
        "محمدرضا کريمی,,m.karimi@example.com,",
        "Sara Ahmadi,,,0012345679",
        "Sara A.,,,۰۰۱۲۳۴۵۶۷۹",
        "علی رضایی,09350000000,,",
        "Someone,,m.karimi@example.com,0012345679",
    ]
    path = tmp_path / "list.csv"
    path.write_text("name,mobile,email,national id\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    quality = profile_files([path]).to_json()["quality"]
    assert quality["duplicates"] == 5
    assert quality["duplicate_groups"] == 2
    assert quality["duplicate_records_involved"] == 7
    # mobile on records 1, 2, 7 (all valid); e-mail on 3, 4, 8; national id on 5, 6, 8
    assert quality["fields"]["mobile"] == {"filled": 3 / 8, "valid": 3 / 8}
    assert quality["fields"]["national_id"] == {"filled": 3 / 8, "valid": 3 / 8}
    assert quality["reachable"] == 6 / 8
