"""One Persian vocabulary: the glossary in docs/glossary.yaml binds every Persian text.

The glossary names, for each term, the one Persian form to write and the forms not to use.
These tests read the Persian a user can see (the catalogue's `fa` texts, the translations'
msgstrs, the print templates and the web templates) and report every banned form as
file:line, the form found and the form to use.

docs/glossary.md is generated from the YAML; after editing the YAML run
`python -m tests.test_glossary` to write it again (a test fails while the two differ).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.yaml"
GLOSSARY_MD = ROOT / "docs" / "glossary.md"
PO = ROOT / "assessment" / "translations" / "fa" / "LC_MESSAGES" / "messages.po"
#: Where the Persian a user reads lives: YAML (only its `fa` texts), the .po, HTML templates.
YAML_GLOBS = ("models/*.yaml", "questionnaires/*.yaml")
HTML_GLOBS = ("reports/*.html", "templates/**/*.html")

ZWNJ = "\u200c"
#: Spellings that are the same letter to a Persian reader: Arabic yeh and kaf, Arabic-Indic
#: digits, no-break spaces; the tatweel only stretches a word.
_SAME = {"ي": "ی", "ى": "ی", "ك": "ک", "\u00a0": " ", "\u202f": " ", "\u0640": ""}
_SAME.update({chr(0x0660 + d): chr(0x06F0 + d) for d in range(10)})


# --- reading the glossary ------------------------------------------------------------------

@dataclass(frozen=True)
class Form:
    """A banned or allowed form: a plain phrase, or a regular expression with examples."""

    pattern: re.Pattern[str]
    label: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Term:
    id: str
    group: str
    en: str
    fa: str
    why: str
    note: str
    banned: tuple[Form, ...]
    allowed: tuple[Form, ...]


def normalise(text: str) -> str:
    """One spelling for letters that look alike, one space for any run of whitespace."""
    return _normalise([(1, text)], " ")[0]


def _phrase_pattern(phrase: str, *, whole_word_end: bool = True) -> str:
    """A plain phrase as a regular expression tolerant of half-space variants.

    A half-space in the phrase also matches a space or nothing («نقطه‌های عطف», «نقطه های
    عطف», «نقطههای عطف»); a space also matches a half-space. The phrase must start a word,
    and (unless `whole_word_end` is false) end one: a half-space suffix («فاصله‌ها») still
    counts as the phrase, a letter («فاصله» inside a longer word) does not.
    """
    parts = []
    for char in normalise(phrase):
        if char == ZWNJ:
            parts.append(f"[{ZWNJ} ]?")
        elif char == " ":
            parts.append(f"[{ZWNJ} ]")
        else:
            parts.append(re.escape(char))
    return r"(?<!\w)" + "".join(parts) + (r"(?!\w)" if whole_word_end else "")


def _form(entry: Any, *, where: str, allowed: bool) -> Form:
    if isinstance(entry, str):
        pattern = _phrase_pattern(entry, whole_word_end=not allowed)
        return Form(re.compile(pattern), f"«{entry}»", (entry,))
    assert isinstance(entry, dict), f"{where}: a form is a phrase or {{regex, examples}}"
    assert set(entry) == {"regex", "examples"}, f"{where}: a regex form has regex and examples"
    examples = tuple(entry["examples"])
    assert examples, f"{where}: a regex form needs examples of what it matches"
    pattern = r"(?<!\w)(?:" + entry["regex"] + ")" + ("" if allowed else r"(?!\w)")
    return Form(re.compile(pattern), "، ".join(f"«{e}»" for e in examples), examples)


def load_glossary(path: Path = GLOSSARY) -> list[Term]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    terms = []
    for n, raw in enumerate(data["terms"]):
        where = f"{path.name} term {raw.get('id', n)}"
        assert {"id", "group", "en", "fa", "why"} <= set(raw), f"{where}: id, group, en, fa, why"
        assert set(raw) <= {"id", "group", "en", "fa", "why", "note", "banned", "allowed"}, where
        terms.append(Term(
            id=raw["id"], group=raw["group"], en=raw["en"], fa=raw["fa"], why=raw["why"],
            note=raw.get("note", ""),
            banned=tuple(_form(e, where=where, allowed=False) for e in raw.get("banned", [])),
            allowed=tuple(_form(e, where=where, allowed=True) for e in raw.get("allowed", [])),
        ))
    return terms


# --- reading the Persian texts -------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    """One text as a reader sees it, made of pieces that each stand on a line of a file."""

    file: str
    pieces: tuple[tuple[int, str], ...]
    joiner: str  # what stands between two pieces: a space (YAML, HTML) or nothing (.po)


def _normalise(pieces: Sequence[tuple[int, str]], joiner: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the line it comes from."""
    out: list[str] = []
    lines: list[int] = []
    for n, (line, piece) in enumerate(pieces):
        for char in (joiner if n else "") + piece:
            char = _SAME.get(char, char)
            if not char:
                continue
            if char.isspace():
                char = " "
                if out and out[-1] == " ":
                    continue
            out.append(char)
            lines.append(line)
    return "".join(out), lines


def _collapse(text: str) -> str:
    return " ".join(text.split())


def yaml_fa_texts(raw: str, file: str) -> Iterator[Text]:
    """Every `fa:` scalar of a YAML file, with the lines its text stands on."""
    lines = raw.splitlines()

    def walk(node: yaml.Node) -> Iterator[yaml.ScalarNode]:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == "fa" and isinstance(value, yaml.ScalarNode):
                    yield value
                else:
                    yield from walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                yield from walk(item)

    root = yaml.compose(raw, Loader=yaml.SafeLoader)
    for node in walk(root) if root is not None else ():
        start, end = node.start_mark, node.end_mark
        pieces: list[tuple[int, str]] = []
        if node.style in (None, ">", "|"):
            first = start.line + 1 if node.style else start.line
            last = end.line if end.column else end.line - 1
            for index in range(first, last + 1):
                text = lines[index][start.column:] if index == start.line else lines[index]
                if text.strip():
                    pieces.append((index + 1, text.strip()))
        if _collapse(" ".join(p for _, p in pieces)) != _collapse(node.value):
            pieces = [(start.line + 1, node.value)]  # quoted or escaped: the first line
        yield Text(file, tuple(pieces), " ")


def _po_unquote(quoted: str) -> str:
    body = quoted.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), body)


def po_msgstr_texts(raw: str, file: str) -> Iterator[Text]:
    """Every msgstr of a .po file (continuation lines included), never a msgid."""
    pieces: list[tuple[int, str]] | None = None
    for number, line in enumerate([*raw.splitlines(), ""], start=1):
        if line.startswith("msgstr"):
            if pieces:
                yield Text(file, tuple(pieces), "")
            pieces = [(number, _po_unquote(line.split(" ", 1)[1]))]
        elif line.startswith('"') and pieces is not None:
            pieces.append((number, _po_unquote(line)))
        else:
            if pieces:
                yield Text(file, tuple(pieces), "")
            pieces = None


def html_texts(raw: str, file: str) -> Iterator[Text]:
    """A template as one text: a phrase may break across lines of HTML."""
    yield Text(file, tuple(enumerate(raw.splitlines(), start=1)), " ")


def persian_texts(root: Path = ROOT) -> Iterator[Text]:
    for pattern in YAML_GLOBS:
        for path in sorted(root.glob(pattern)):
            name = path.relative_to(root).as_posix()
            yield from yaml_fa_texts(path.read_text(encoding="utf-8"), name)
    yield from po_msgstr_texts(PO.read_text(encoding="utf-8"), PO.relative_to(root).as_posix())
    for pattern in HTML_GLOBS:
        for path in sorted(root.glob(pattern)):
            name = path.relative_to(root).as_posix()
            yield from html_texts(path.read_text(encoding="utf-8"), name)


# --- finding banned forms ------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    file: str
    line: int
    found: str
    term: Term

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: «{self.found}» -> «{self.term.fa}» [{self.term.id}]"


def find_hits(text: Text, terms: Sequence[Term]) -> list[Hit]:
    """Banned forms in `text`, except inside a term's allowed phrases or quoted as a word.

    Where two banned forms overlap (a «نرخ ماندگاری» is also a «ماندگاری») the longer one
    is reported, once.
    """
    body, lines = _normalise(text.pieces, text.joiner)
    spans: list[tuple[int, int, Term]] = []
    for term in terms:
        allowed = [m.span() for form in term.allowed for m in form.pattern.finditer(body)]
        for form in term.banned:
            for match in form.pattern.finditer(body):
                start, end = match.span()
                if any(a < end and start < b for a, b in allowed):
                    continue
                if body[start - 1:start] == "«" and body[end:end + 1] == "»":
                    continue  # the word mentioned, not used: «شاخص آمادگی» is the old name
                spans.append((start, end, term))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    hits: list[Hit] = []
    reach = -1
    for start, end, term in spans:
        if end <= reach:
            continue
        reach = max(reach, end)
        hits.append(Hit(text.file, lines[start], body[start:end], term))
    return hits


# --- the glossary as a page ----------------------------------------------------------------

def render_markdown(terms: Sequence[Term]) -> str:
    out = [
        "# Glossary: one Persian vocabulary",
        "",
        "<!-- Generated from docs/glossary.yaml by `python -m tests.test_glossary`;"
        " edit the YAML, not this page. -->",
        "",
        "Every Persian text a user reads uses the one Persian form below for each term:"
        " the catalogue's `fa` texts (`models/`, `questionnaires/`), the translations"
        " (`messages.po`), the print templates (`reports/`) and the web templates"
        " (`templates/`). `tests/test_glossary.py` fails on any form listed as not to use,"
        " and reports it as file:line with the form to use.",
        "",
        "How the test matches: Arabic ي/ك are read as Persian ی/ک and any run of spaces or"
        " line breaks as one space; a half-space in a listed form also matches a space or"
        " nothing, and a space also matches a half-space. A form matches at the start of a"
        " word and up to its end or a half-space suffix («فاصله‌ها» is «فاصله»). Where a"
        " form is ordinary Persian in another sense, the phrases under *still allowed*"
        " keep it; a form quoted on its own («…») is a mention of the word, not a use.",
        "",
    ]
    groups: list[str] = []
    for term in terms:
        if term.group not in groups:
            groups.append(term.group)
    for group in groups:
        out += [f"## {group}", "",
                "| English | Persian | Not to use | Still allowed | Why |",
                "|---|---|---|---|---|"]
        for term in (t for t in terms if t.group == group):
            fa = f"«{term.fa}»" + (f" ({term.note})" if term.note else "")
            banned = "، ".join(f.label for f in term.banned)
            allowed = "، ".join(f.label for f in term.allowed)
            out.append(f"| {term.en} | {fa} | {banned or '–'} | {allowed or '–'} | {term.why} |")
        out.append("")
    return "\n".join(out)


# --- tests ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def terms() -> list[Term]:
    return load_glossary()


def test_the_glossary_is_consistent(terms: list[Term]) -> None:
    ids = [t.id for t in terms]
    assert len(ids) == len(set(ids)), "term ids repeat"
    chosen = {t.fa: t.id for t in terms}
    assert len(chosen) == len(terms), "two terms share one Persian form"
    for term in terms:
        assert all(field.strip() for field in (term.en, term.fa, term.why)), term.id
        assert "\n" not in term.why, f"{term.id}: the reason is one line"
        # the form to use is never itself a form not to use, of this term or another
        hits = find_hits(Text("glossary", ((1, term.fa),), " "), terms)
        assert hits == [], [str(h) for h in hits]
        for form in term.banned:
            for example in form.examples:
                found = find_hits(Text("glossary", ((1, example),), " "), [term])
                assert found, f"{term.id}: «{example}» is listed but not caught"
        for form in term.allowed:
            for example in form.examples:
                assert find_hits(Text("glossary", ((1, example),), " "), [term]) == [], (
                    f"{term.id}: allowed «{example}» is still reported")


def test_the_issues_pairs_are_settled(terms: list[Term]) -> None:
    """The variants issue 16 found each have one form, and the other is banned."""
    settled = {
        "فروش مکمل": "فروش متقاطع", "نرخ ماندگاری": "نرخ حفظ مشتری", "فاصله": "شکاف",
        "تسهیلگر": "تسهیل‌گر", "نقاط عطف": "نقطه‌ی عطف", "فهرست وارسی": "چک‌لیست",
        "رایانامه": "ایمیل", "پست الکترونیکی": "ایمیل", "وبگاه": "وب‌سایت",
        "نگاه یکپارچه": "نمای یکپارچه‌ی مشتری", "لایه": "طبقه",
        "رو در روی مشتری": "در تماس با مشتری", "گروه‌های کانونی": "گروه‌های مشتری منتخب",
        "جذب و تحلیل": "گردآوری داده", "بهروش": "بهترین رویه",
        "بهترین تجربه‌های صنعت": "بهترین رویه", "۱٪": "درصد", "به‌نام": "مشخص",
        "حامی CRM کنید": "حامی CRM", "شاخص آمادگی": "شاخص بلوغ",
    }
    for variant, form in settled.items():
        hits = find_hits(Text("issue", ((1, variant),), " "), terms)
        assert [h.term.fa for h in hits] == [form], (variant, [str(h) for h in hits])


def test_variants_of_spelling_are_caught(terms: list[Term]) -> None:
    def found(text: str) -> list[str]:
        return [h.found for h in find_hits(Text("t", ((1, text),), " "), terms)]

    assert found("گروه های کانونی") == ["گروه های کانونی"]  # a space for the half-space
    assert found("گروههای کانونی") == ["گروههای کانونی"]  # no separator at all
    assert found("نقاط\u200cعطف") == ["نقاط\u200cعطف"]  # a half-space for the space
    assert found("تسهيلگر") == ["تسهیلگر"]  # Arabic yeh
    assert found("چک لیست") == ["چک لیست"]
    assert found("فاصله‌های اولویت‌دار") == ["فاصله"]  # a half-space suffix is still the word
    assert found("در این فاصله تغییر کرد") == []  # ordinary Persian: meanwhile
    assert found("در فاصله‌های منظم") == []  # at regular intervals
    assert found("اگر این دو از هم فاصله گرفتند") == []  # drifted apart
    assert found("کلمه‌ی «شاخص آمادگی» نام قدیمی است") == []  # a mention of the old name
    assert found("نرخ ماندگاری") == ["نرخ ماندگاری"]  # the longer banned form, once
    assert found("به روش دیگری") == []
    assert found("به‌روشنی") == []
    assert found("لایه‌ی یکپارچه‌سازی") == []
    assert found("لایه‌های هرم") == ["لایه"]
    assert found("حفظ ۱٪ ممتاز") == ["۱٪"]
    assert found("پیشرفت (٪)") == []


def test_hits_are_reported_on_the_line_they_stand_on(terms: list[Term]) -> None:
    raw = (
        "questions:\n"
        "  - text:\n"
        "      en: Milestones, with a facilitator.\n"
        "      fa: >-\n"
        "        برنامه با نقطه‌های\n"
        "        عطف و تسهیلگر کارگاه.\n"
        "    note: {en: x, fa: فاصله تا هدف}\n"
    )
    hits = [h for t in yaml_fa_texts(raw, "q.yaml") for h in find_hits(t, terms)]
    assert [str(h) for h in hits] == [
        "q.yaml:6: «تسهیلگر» -> «تسهیل‌گر» [facilitator]",
        "q.yaml:7: «فاصله» -> «شکاف» [gap]",
    ]
    po = (
        'msgid "Gap to target"\n'
        'msgstr "فاصله تا هدف"\n'
        "\n"
        'msgid "The facilitator"\n'
        'msgstr ""\n'
        '"نمای "\n'
        '"تسهیلگر"\n'
    )
    hits = [h for t in po_msgstr_texts(po, "m.po") for h in find_hits(t, terms)]
    assert [str(h) for h in hits] == [
        "m.po:2: «فاصله» -> «شکاف» [gap]",
        "m.po:7: «تسهیلگر» -> «تسهیل‌گر» [facilitator]",
    ]


def test_every_source_of_persian_is_read() -> None:
    counts: dict[str, int] = {}
    words: dict[str, str] = {}
    for text in persian_texts():
        kind = text.file.split("/")[0]
        counts[kind] = counts.get(kind, 0) + 1
        words[kind] = words.get(kind, "") + _normalise(text.pieces, text.joiner)[0]
    # texts read per top folder ("assessment" is the .po: one text per msgstr)
    least = {"models": 300, "questionnaires": 600, "assessment": 500, "reports": 2,
             "templates": 40}
    assert {k: counts.get(k, 0) >= n for k, n in least.items()} == dict.fromkeys(least, True), (
        counts)
    for kind in ("models", "questionnaires", "assessment"):
        assert "ارزیابی" in words[kind], kind
    assert "organisation" not in words["questionnaires"]  # English texts are not read


def test_persian_texts_use_the_glossary_forms(terms: list[Term]) -> None:
    hits = [str(hit) for text in persian_texts() for hit in find_hits(text, terms)]
    assert hits == [], f"{len(hits)} banned form(s):\n" + "\n".join(hits)


def test_the_glossary_page_is_generated_from_the_yaml(terms: list[Term]) -> None:
    assert GLOSSARY_MD.read_text(encoding="utf-8") == render_markdown(terms), (
        "docs/glossary.md differs from docs/glossary.yaml: run `python -m tests.test_glossary`")


if __name__ == "__main__":
    GLOSSARY_MD.write_text(render_markdown(load_glossary()), encoding="utf-8")
    sys.stdout.write(f"wrote {GLOSSARY_MD.relative_to(ROOT)}\n")
