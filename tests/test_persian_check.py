"""The one Persian-text check (tests/persian.py) finds what it should and nothing else."""

from __future__ import annotations

from .persian import foreign_in_persian


def test_latin_words_and_digits_are_found() -> None:
    assert foreign_in_persian("سطح 2: در حال شکل‌گیری، Developing") == ["Developing", "2"]
    assert foreign_in_persian("۹ از ۴۸ پرسش") == []
    assert foreign_in_persian("نمره‌ی ٤٣") == ["٤٣"]


def test_user_text_code_and_kept_acronyms_are_allowed() -> None:
    text = "مشتری «Pars Retail Group 2» در سامانه‌ی CRM، پرونده‌ی report.pdf"
    assert foreign_in_persian(text) == ["Pars", "Retail", "Group", "report", "pdf", "2"]
    assert foreign_in_persian(text, allowed=["Pars Retail  Group 2", "report.pdf"]) == []


def test_half_spaces_and_line_breaks_do_not_hide_user_text() -> None:
    name = "Pars\u200c Retail\nGroup"
    assert foreign_in_persian("مشتری Pars Retail Group", allowed=[name]) == []
