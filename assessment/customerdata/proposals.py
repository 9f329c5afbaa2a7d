"""What a profile proposes for the roadmap: each problem it found as a milestone, worded
with its own figures in both languages.

One function, `propose`, holds every rule: which figure of the profile (its stored JSON,
`Profile.to_json()`) counts as a problem, from which threshold, in which words, in which
canonical stage. The thresholds are the measured data level's own (score.py), so what
holds the level back is what the roadmap is asked to fix:
- duplicates: more than 0.5% of records beyond the first of their group (the most level 5
  allows) -> merge them;
- a contact field (mobile, e-mail) missing on 10% of records or more -> collect it; the
  files without a mobile column at all -> start recording mobiles;
- a contact field (mobile, phone, e-mail, national id) whose filled values are less than
  98% valid (level 5's validity) -> correct the invalid ones;
- fewer than 40% of records active in the window (level 4's freshness) -> review the
  dormant records;
- customers at risk of leaving (RFM's at risk and cannot lose) -> win them back, a
  process of the stage `process` rather than a data chore.
Counts of records are the shares times the customers, rounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..i18n import number, percent
from ..schema import Localized

#: the least share of duplicate records worth merging (level 5's most)
DUPLICATES_OVER = 0.005
#: the least share of records without a contact field worth collecting it for
MISSING_FROM = 0.10
#: filled values of a field must be at least this share valid (level 5's validity)
VALID_FROM = 0.98
#: records active in the window below this share (level 4's freshness) are reviewed
ACTIVE_FROM = 0.40

_MISSING = {
    "mobile": ("Collect mobile numbers for the {share} of customers without one",
               "گردآوری شماره‌ی موبایل برای {share} از مشتریان که شماره‌ای ندارند"),
    "email": ("Collect e-mail addresses for the {share} of customers without one",
              "گردآوری نشانی ایمیل برای {share} از مشتریان که ایمیلی ندارند"),
}
_INVALID = {
    "mobile": ("Correct the {n} mobile numbers that are not valid",
               "اصلاح {n} شماره‌ی موبایل نامعتبر"),
    "phone": ("Correct the {n} phone numbers that are not valid",
              "اصلاح {n} شماره‌ی تلفن نامعتبر"),
    "email": ("Correct the {n} e-mail addresses that are not valid",
              "اصلاح {n} نشانی ایمیل نامعتبر"),
    "national_id": ("Correct the {n} national ids that fail the check digit",
                    "اصلاح {n} کد ملی که رقم کنترل آن درست نیست"),
}


@dataclass(frozen=True)
class Proposal:
    """A proposed milestone: `key` names its rule (stable across profiles), `stage` is a
    canonical stage id."""

    key: str
    title: Localized
    stage: str


def _worded(key: str, stage: str, texts: tuple[str, str], **figures: Any) -> Proposal:
    en, fa = texts
    return Proposal(key, Localized(
        en=en.format(**{name: value("en") for name, value in figures.items()}),
        fa=fa.format(**{name: value("fa") for name, value in figures.items()})), stage)


def _count(value: float) -> Any:
    return lambda lang: number(value, lang)


def _share(value: float) -> Any:
    return lambda lang: percent(value, lang)


def propose(result: dict[str, Any]) -> list[Proposal]:
    """The milestones a stored profile proposes, by the rules in the module's docstring,
    in the order of the rules."""
    customers = int(result.get("customers") or 0)
    quality = result.get("quality") or {}
    fields: dict[str, dict[str, float]] = quality.get("fields") or {}
    out: list[Proposal] = []
    duplicates = int(quality.get("duplicates") or 0)
    if customers and duplicates / customers > DUPLICATES_OVER:
        out.append(_worded("duplicates", "data", (
            "Merge {n} duplicate customer records", "ادغام {n} رکورد تکراری مشتری"),
            n=_count(duplicates)))
    if customers and "mobile" not in fields and "phone" not in fields:
        out.append(_worded("no_mobile", "data", (
            "Start recording customers' mobile numbers: the files have none",
            "ثبت شماره‌ی موبایل مشتریان را آغاز کنید: پرونده‌ها هیچ شماره‌ای ندارند")))
    for role, texts in _MISSING.items():
        missing = 1 - fields[role]["filled"] if role in fields else 0.0
        if missing >= MISSING_FROM:
            out.append(_worded(f"missing_{role}", "data", texts, share=_share(missing)))
    for role, texts in _INVALID.items():
        values = fields.get(role)
        if not values or not values["filled"]:
            continue
        invalid = round((values["filled"] - values["valid"]) * customers)
        if invalid and values["valid"] / values["filled"] < VALID_FROM:
            out.append(_worded(f"invalid_{role}", "data", texts, n=_count(invalid)))
    active = (quality.get("freshness") or {}).get("active_in_window")
    if active is not None and customers and active < ACTIVE_FROM:
        months = int(result.get("window_months") or 12)
        out.append(_worded("dormant", "data", (
            "Review the {n} customer records with no purchase in the last {months} months",
            "بازبینی {n} رکورد مشتری که در {months} ماه گذشته خریدی نداشته‌اند"),
            n=_count(round((1 - active) * customers)), months=_count(months)))
    leaving = ((result.get("rfm") or {}).get("at_risk_of_leaving") or {}).get("customers")
    if leaving:
        out.append(_worded("at_risk", "process", (
            "Win back the {n} customers at risk of leaving",
            "بازگرداندن {n} مشتری در آستانه‌ی ریزش"), n=_count(leaving)))
    return out
