"""Which column holds what: the roles, and recognising them from Persian or English headers.

A header is compared after the same clean-up as names (Arabic ي/ك as Persian ی/ک, lower
case, no spaces, half-spaces, underscores, dashes or dots): first with whole known headers
for each role, then, for a header none matches whole, with the longest known header it
contains ("Customer mobile number" holds "mobile"). A role takes the first column found
for it; the user corrects the rest (`--map ROLE=COLUMN`, or the mapping form).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: the roles a column can play, in the order they are shown
ROLES = ("customer", "name", "mobile", "phone", "email", "national_id", "city", "date",
         "amount", "product")
#: roles that describe the customer (one value a customer), against those of a purchase
IDENTITY_ROLES = ("name", "mobile", "phone", "email", "national_id", "city")

_KNOWN: dict[str, tuple[str, ...]] = {
    "customer": ("customer", "customer id", "customer code", "customer number", "client",
                 "client id", "client code", "account", "account number", "account id",
                 "cust id", "customerid", "member id", "کد مشتری", "شماره مشتری",
                 "شناسه مشتری", "کد حساب", "شماره حساب", "کد اشتراک", "شماره اشتراک",
                 "مشتری", "کد"),
    "name": ("name", "full name", "customer name", "client name", "contact name",
             "نام", "نام و نام خانوادگی", "نام مشتری", "نام کامل", "نام خریدار",
             "نام و نامخانوادگی", "نام طرف حساب"),
    "mobile": ("mobile", "mobile number", "cell", "cell phone", "cellphone", "mobile phone",
               "موبایل", "شماره موبایل", "تلفن همراه", "شماره همراه", "همراه", "تلفن همراه مشتری"),
    "phone": ("phone", "telephone", "tel", "phone number", "landline", "تلفن", "شماره تلفن",
              "تلفن ثابت", "تماس"),
    "email": ("email", "e-mail", "mail", "email address", "ایمیل", "پست الکترونیک",
              "پست الکترونیکی", "رایانامه"),
    "national_id": ("national id", "national code", "national number", "melli code",
                    "code melli", "nid", "کد ملی", "شماره ملی", "شناسه ملی", "کدملی"),
    "city": ("city", "town", "address", "شهر", "آدرس", "نشانی", "شهرستان"),
    "date": ("date", "order date", "invoice date", "purchase date", "transaction date",
             "sale date", "created", "created at", "تاریخ", "تاریخ خرید", "تاریخ فاکتور",
             "تاریخ سفارش", "تاریخ فروش", "تاریخ تراکنش"),
    "amount": ("amount", "total", "price", "revenue", "sales", "value", "sum", "net amount",
               "مبلغ", "مبلغ کل", "جمع", "جمع کل", "قیمت", "فروش", "مبلغ فاکتور", "مبلغ خرید",
               "مبلغ تراکنش"),
    "product": ("product", "item", "sku", "product name", "product code", "service",
                "کالا", "محصول", "نام کالا", "کد کالا", "خدمت", "نام محصول", "شرح کالا"),
}

_SPACING = re.compile(r"[\s\u200c\u200d_\-.]+")
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه"})


def header_key(header: str) -> str:
    return _SPACING.sub("", header.translate(_LETTERS).lower())


_WHOLE = {header_key(known): role for role, names in _KNOWN.items() for known in names}
_PARTS = sorted(((header_key(known), role) for role, names in _KNOWN.items()
                 for known in names), key=lambda pair: -len(pair[0]))


@dataclass
class ColumnMapping:
    """Role -> column for one file, and the columns that play no role."""

    roles: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [role for role in ROLES if role not in self.roles]

    def to_json(self) -> dict[str, object]:
        return {"roles": dict(self.roles), "unmapped": list(self.unmapped),
                "missing": self.missing}


def guess_role(header: str) -> str | None:
    """The role a header names, or None."""
    key = header_key(header)
    if not key:
        return None
    if key in _WHOLE:
        return _WHOLE[key]
    for part, role in _PARTS:
        if len(part) >= 3 and part in key:
            return role
    return None


def recognise(headers: list[str], overrides: dict[str, str] | None = None) -> ColumnMapping:
    """The proposed mapping of a file's headers; `overrides` (role -> column) win, for
    the columns this file has."""
    roles: dict[str, str] = {}
    for role, column in (overrides or {}).items():
        if column in headers:
            roles[role] = column
    taken = set(roles.values())
    for header in headers:
        if header in taken:
            continue
        guessed = guess_role(header)
        if guessed is not None and guessed not in roles:
            roles[guessed] = header
            taken.add(header)
    return ColumnMapping(
        roles={role: roles[role] for role in ROLES if role in roles},
        unmapped=[header for header in headers if header not in taken],
    )
