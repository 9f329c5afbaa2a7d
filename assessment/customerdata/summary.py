"""A profile as lines of text for a terminal, in English or Persian.

Figures go through i18n.py (Persian digits, «٪», Solar Hijri dates in Persian). The
texts live here, in both languages, because the command line has no translation
catalogue of its own (the pages will show a profile through templates and `_()`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..i18n import format_date, join_words, number, out_of, percent
from .profile import Profile

ROLE_NAMES = {
    "en": {"customer": "customer id", "name": "name", "mobile": "mobile", "phone": "phone",
           "email": "e-mail", "national_id": "national id", "city": "city / address",
           "date": "date", "amount": "amount", "product": "product"},
    "fa": {"customer": "شناسه‌ی مشتری", "name": "نام", "mobile": "موبایل", "phone": "تلفن",
           "email": "ایمیل", "national_id": "کد ملی", "city": "شهر / نشانی", "date": "تاریخ",
           "amount": "مبلغ", "product": "محصول"},
}
TIER_NAMES = {
    "en": {"top": "top 1%", "big": "big (next 4%)", "medium": "medium (next 15%)",
           "small": "small (remaining 80%)", "inactive": "inactive"},
    "fa": {"top": "ممتاز (۱٪ نخست)", "big": "بزرگ (۴٪ بعدی)", "medium": "متوسط (۱۵٪ بعدی)",
           "small": "کوچک (۸۰٪ باقی)", "inactive": "غیرفعال"},
}
SEGMENT_NAMES = {
    "en": {"champions": "champions", "loyal": "loyal", "new": "new",
           "promising": "promising", "needs_attention": "needs attention",
           "cannot_lose": "cannot lose", "at_risk": "at risk", "hibernating": "hibernating",
           "lost": "lost"},
    "fa": {"champions": "قهرمانان", "loyal": "وفاداران", "new": "مشتریان تازه",
           "promising": "امیدبخش", "needs_attention": "نیازمند توجه",
           "cannot_lose": "نباید از دست بروند", "at_risk": "در معرض ریزش",
           "hibernating": "خفته", "lost": "از دست رفته"},
}
LIMIT_NAMES = {
    "en": {"reach": "customers that can be reached", "validity": "valid values",
           "duplicates": "duplicates", "freshness": "recent activity"},
    "fa": {"reach": "مشتریان در دسترس", "validity": "درستی مقادیر",
           "duplicates": "رکوردهای تکراری", "freshness": "فعالیت تازه"},
}
RANKING_NAMES = {
    "en": {"revenue": "revenue", "purchases": "purchases", "products": "products held"},
    "fa": {"revenue": "درآمد", "purchases": "تعداد خرید", "products": "تعداد محصولات"},
}
TEXT = {
    "en": {
        "head": "customers: {customers}; rows: {rows}",
        "dates": "dates {first} to {last}; as of {as_of}",
        "no_dates": "no dates: identification only",
        "identification": "Identification",
        "field": "{role}: filled {filled}, valid {valid}",
        "duplicates": "likely duplicates, records beyond the first of their group: "
                      "{duplicates} (records involved: {involved}, groups: {groups})",
        "reachable": "reachable by a valid mobile, phone or e-mail: {share}",
        "pyramid": "Customer pyramid ({ranking} over the {months} months to {as_of})",
        "tier": "{tier}: customers {customers}, {share} of {ranking}",
        "rfm": "RFM segments (customers: {customers})",
        "segment": "{segment}: customers {customers}, {share} of {ranking}",
        "leaving": "at risk of leaving: customers {customers}, {share} of {ranking}",
        "score": "Measured data level: {level}{of}",
        "limits": "held back by: {limits}",
    },
    "fa": {
        "head": "{customers} مشتری در {rows} ردیف",
        "dates": "تاریخ‌ها از {first} تا {last}؛ تا تاریخ {as_of}",
        "no_dates": "بدون تاریخ: فقط شناسایی",
        "identification": "شناسایی",
        "field": "{role}: پر {filled}، معتبر {valid}",
        "duplicates": "تکراری‌های محتمل: {duplicates} رکورد افزون بر نخستین رکورد هر گروه "
                      "({involved} رکورد در {groups} گروه)",
        "reachable": "در دسترس با موبایل، تلفن یا ایمیل معتبر: {share}",
        "pyramid": "هرم مشتری ({ranking} در {months} ماه تا {as_of})",
        "tier": "{tier}: {customers} مشتری، {share} از {ranking}",
        "rfm": "بخش‌های RFM ({customers} مشتری)",
        "segment": "{segment}: {customers} مشتری، {share} از {ranking}",
        "leaving": "در آستانه‌ی ریزش: {customers} مشتری، {share} از {ranking}",
        "score": "سطح سنجیده‌ی داده: {level}{of}",
        "limits": "مانع سطح بالاتر: {limits}",
    },
}


def summary_lines(profile: Profile, lang: str) -> list[str]:
    """The profile's figures as short lines, in `lang` ('en' or 'fa')."""
    lang = lang if lang in TEXT else "en"
    text, data = TEXT[lang], profile.to_json()

    def n(value: float | int | None) -> str:
        return number(value, lang)

    def day(iso: str | None) -> str:
        return format_date(date.fromisoformat(iso), lang) if iso else "–"

    lines = [text["head"].format(customers=n(data["customers"]), rows=n(data["rows"]))]
    if data["last_date"]:
        lines.append(text["dates"].format(first=day(data["first_date"]),
                                          last=day(data["last_date"]), as_of=day(data["as_of"])))
    else:
        lines.append(text["no_dates"])
    quality: dict[str, Any] = data["quality"]
    lines += ["", text["identification"]]
    for role, shares in quality["fields"].items():
        lines.append("  " + text["field"].format(role=ROLE_NAMES[lang][role],
                                                 filled=percent(shares["filled"], lang),
                                                 valid=percent(shares["valid"], lang)))
    lines.append("  " + text["duplicates"].format(
        duplicates=n(quality["duplicates"]), involved=n(quality["duplicate_records_involved"]),
        groups=n(quality["duplicate_groups"])))
    lines.append("  " + text["reachable"].format(share=percent(quality["reachable"], lang)))
    if data["pyramid"] is not None:
        ranking = RANKING_NAMES[lang][data["ranking"]]
        lines += ["", text["pyramid"].format(ranking=ranking, months=n(data["window_months"]),
                                             as_of=day(data["as_of"]))]
        for tier in data["pyramid"]:
            lines.append("  " + text["tier"].format(
                tier=TIER_NAMES[lang][tier["tier"]], customers=n(tier["customers"]),
                share=percent(tier["revenue_share"], lang), ranking=ranking))
    if data["rfm"] is not None:
        rfm = data["rfm"]
        ranking = RANKING_NAMES[lang]["revenue" if rfm["monetary_scored"] else "purchases"]
        lines += ["", text["rfm"].format(customers=n(rfm["customers"]))]
        for segment in rfm["segments"]:
            lines.append("  " + text["segment"].format(
                segment=SEGMENT_NAMES[lang][segment["segment"]],
                customers=n(segment["customers"]),
                share=percent(segment["revenue_share"], lang), ranking=ranking))
        leaving = rfm["at_risk_of_leaving"]
        lines.append("  " + text["leaving"].format(
            customers=n(leaving["customers"]), share=percent(leaving["revenue_share"], lang),
            ranking=ranking))
    lines += ["", text["score"].format(level=n(data["score"]), of=out_of(5, lang))]
    limits = data["score_detail"]["limits"]
    if limits:
        names = LIMIT_NAMES[lang]
        lines.append("  " + text["limits"].format(
            limits=join_words([names[limit] for limit in limits], lang)))
    return lines
