"""The readiness report as an editable Word document (.docx), made from the very HTML the
PDF is rendered from (`report.build_html`), so both have the same sections and figures.

The HTML is parsed as WeasyPrint parses it (tinyhtml5) and walked once, element by
element, into python-docx:

- what an element becomes is looked up by its tag and class in `ROLES` (headings, lists,
  tables, side-by-side blocks, pictures, the cover's title); an element not in the table
  is a container, and the text of any element not in the table still ends up in a
  paragraph: nothing is dropped silently. Elements without text that only CSS draws
  (bars, dots, bands) give nothing;
- the print CSS itself decides the two things the PDF's layout gives the Word copy: an
  element `display: none` in print is left out, and a heading the PDF lists in its
  outline (`bookmark-level`) keeps that level as Word's Heading 1 or 2, while the other
  headings (sub-headings the PDF keeps out of its outline) become Heading 3. A
  `break-before: page` starts a new page. Word's navigation pane then shows what the
  PDF's bookmarks show;
- charts (inline SVG) are drawn by WeasyPrint onto a page of their own size and
  rasterised by PDFium (pypdfium2) into PNG pictures; <img> data URLs are pictures as
  they are. A picture is never wider than the page's text;
- a Persian document is right to left throughout, with the Persian font and the
  complex-script size and weight Word uses for Persian (see `_bidi_paragraph`,
  `_bidi_run`, `_complex_script_styles`); text in a `dir="ltr"` element (English user
  text, references) keeps its left-to-right order, and a block so marked (the list of
  sources) is a left-to-right paragraph. Numbered lists in Persian carry their
  numbers in Persian digits as text, since Word has no Persian-digit numbering format.

`build_docx(html)` needs no app and no database: it runs in a render child (`render.py`)
with the same time limit as a PDF.
"""

from __future__ import annotations

import base64
import io
import re

# ElementTree only for its types and walking: tinyhtml5 parses, nothing parses XML here
import xml.etree.ElementTree as ET  # nosec B405
from dataclasses import dataclass, replace
from html import escape
from typing import Any, ClassVar, Protocol

import cssselect2
import tinycss2
import tinyhtml5
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK, WD_PARAGRAPH_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from .. import i18n

HTML_NS = "http://www.w3.org/1999/xhtml"
SVG_NS = "http://www.w3.org/2000/svg"
FONT = "Vazirmatn"
#: The report's A4 page and margins (reports/report.css `@page`): top, end, bottom, start.
PAGE_MM = (210, 297)
MARGINS_MM = (20, 17, 18, 17)
#: Body text, and the smaller text of notes and figures, in points (as in the print CSS).
BODY_PT = 10
SMALL_PT = 8.5
MUTED = RGBColor(0x5B, 0x67, 0x76)
#: Pixels per inch a chart is rasterised at (CSS px are 96 to the inch).
CHART_DPI = 200

#: What an element becomes, by (tag, class), then (tag, None). Anything else is a
#: container: its blocks in order, its loose text as paragraphs.
ROLES: dict[tuple[str, str | None], str] = {
    ("h1", None): "heading", ("h2", None): "heading", ("h3", None): "heading",
    ("h4", None): "heading", ("h5", None): "heading", ("h6", None): "heading",
    ("h1", "cover-client"): "title",
    ("p", "cover-kicker"): "subtitle",
    ("p", "cover-title"): "subtitle",
    ("nav", "toc"): "contents",
    ("div", "running-head"): "running_head",
    ("div", "running-foot"): "running_foot",
    ("p", None): "text",
    ("ol", None): "numbered",
    ("ul", None): "bullets",
    ("table", None): "table",
    ("div", "summary-grid"): "columns",
    ("div", "two-col"): "columns",
    ("div", "kpi-value"): "figure",
    ("svg", None): "picture",
    ("img", None): "picture",
    ("br", None): "break",
    ("head", None): "skip",
    ("script", None): "skip",
    ("style", None): "skip",
    ("template", None): "skip",
}
#: Elements that flow inside a line of text (anything else starts a block).
INLINE = frozenset({"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "em", "i", "kbd",
                    "mark", "q", "s", "small", "span", "strong", "sub", "sup", "time", "u",
                    "var", "wbr"})
#: How text looks, by tag and by class (the classes the print CSS sets apart).
BOLD_TAGS = frozenset({"b", "strong", "th"})
BOLD_CLASSES = frozenset({"verdict", "kpi-label", "stage-score", "model-score"})
MUTED_CLASSES = frozenset({"muted", "kpi-sub", "qfig", "more", "repeat", "rules-version",
                           "cover-kicker"})
SMALL_CLASSES = frozenset({"small", "qfig", "qlevel", "comment", "more", "kpi-text",
                           "reasons", "gates", "sources"})
ITALIC_CLASSES = frozenset({"comment"})

_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML's white space (not the no-break space)


@dataclass(frozen=True)
class Look:
    """How a stretch of text is set, inherited down the tree."""

    bold: bool = False
    italic: bool = False
    muted: bool = False
    small: bool = False
    rtl: bool = False  #: inside a right-to-left element
    size: float | None = None  #: points, when not the style's


class Box(Protocol):
    """Where blocks go: the document body or a table cell."""

    def add_paragraph(self, text: str = ..., style: Any = ...) -> Paragraph: ...

    def add_table(self, rows: int, cols: int, *args: Any) -> Any: ...


# --- the print CSS, as far as the Word copy needs it ------------------------------------


class PrintStyle:
    """The `display: none`, `bookmark-level` and `break-before` of each element, from the
    document's own <style> sheets, cascaded by specificity and order (no inheritance:
    none of the three is inherited)."""

    PROPERTIES = ("display", "bookmark-level", "break-before", "list-style-type")
    #: WeasyPrint's own default: h1 to h6 are bookmarks of levels 1 to 6.
    DEFAULTS: ClassVar[dict[str, str]] = {f"h{n}": str(n) for n in range(1, 7)}

    def __init__(self, root: ET.Element) -> None:
        self.matcher = cssselect2.Matcher()
        order = 0
        for style in root.iter(f"{{{HTML_NS}}}style"):
            for rule in tinycss2.parse_stylesheet(style.text or "", skip_comments=True,
                                                  skip_whitespace=True):
                if rule.type != "qualified-rule":
                    continue  # @font-face, @page and @media print nothing here
                declarations = {}
                for declaration in tinycss2.parse_blocks_contents(
                        rule.content, skip_comments=True, skip_whitespace=True):
                    if declaration.type != "declaration":
                        continue
                    name = declaration.lower_name
                    value = tinycss2.serialize(declaration.value).strip()
                    if name == "list-style":  # the shorthand: only whether it is none
                        name, value = "list-style-type", (
                            "none" if "none" in value.split() else value)
                    if name in self.PROPERTIES:
                        declarations[name] = value
                if not declarations:
                    continue
                try:
                    selectors = cssselect2.compile_selector_list(rule.prelude)
                except cssselect2.SelectorError:
                    continue
                for selector in selectors:
                    order += 1
                    self.matcher.add_selector(selector, (order, declarations))
        self.values: dict[ET.Element, dict[str, str]] = {}
        for wrapper in cssselect2.ElementWrapper.from_html_root(root).iter_subtree():
            found = self.matcher.match(wrapper)
            if found:
                values: dict[str, str] = {}
                for _specificity, _order, _pseudo, (_n, declarations) in sorted(
                        found, key=lambda hit: (hit[0], hit[3][0])):
                    values.update(declarations)
                self.values[wrapper.etree_element] = values

    def get(self, element: ET.Element, name: str) -> str:
        return self.values.get(element, {}).get(name, "")

    def hidden(self, element: ET.Element) -> bool:
        return self.get(element, "display") == "none"

    def bookmark_level(self, element: ET.Element) -> int | None:
        value = self.get(element, "bookmark-level") or self.DEFAULTS.get(tag_of(element), "")
        return int(value) if value.isdigit() else None

    def unmarked(self, element: ET.Element) -> bool:
        """A list without numbers or bullets (its items carry their own)."""
        return self.get(element, "list-style-type") == "none"

    def new_page(self, element: ET.Element) -> bool:
        return self.get(element, "break-before") in ("page", "left", "right", "recto", "verso")


def tag_of(element: ET.Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def classes_of(element: ET.Element) -> list[str]:
    return (element.get("class") or "").split()


def role_of(element: ET.Element) -> str:
    tag = tag_of(element)
    for name in classes_of(element):
        if (tag, name) in ROLES:
            return ROLES[tag, name]
    return ROLES.get((tag, None), "inline" if tag in INLINE else "container")


def look_of(element: ET.Element, look: Look) -> Look:
    """The look of `element`'s text inside text that looks like `look`."""
    tag, names = tag_of(element), set(classes_of(element))
    direction = element.get("dir")
    return replace(
        look,
        bold=look.bold or tag in BOLD_TAGS or bool(names & BOLD_CLASSES),
        italic=look.italic or tag in ("i", "em") or bool(names & ITALIC_CLASSES),
        muted=look.muted or bool(names & MUTED_CLASSES),
        small=look.small or tag == "small" or bool(names & SMALL_CLASSES),
        rtl=direction == "rtl" if direction in ("rtl", "ltr") else look.rtl)


# --- right to left, through python-docx's XML layer -------------------------------------
# python-docx has no API for a paragraph's, a run's, a table's or a section's direction,
# nor for the complex-script font, size and weight Word uses for Persian text; these
# helpers set them on the XML (w:bidi, w:rtl, w:rFonts w:cs, w:szCs, w:bCs,
# w:bidiVisual, w:lang w:bidi), in the order the schema wants.


def _set(parent: Any, tag: str, successors: tuple[str, ...] = (), **attributes: str) -> Any:
    """The child `tag` of `parent` (made, before the first of `successors` there, if
    missing), with `attributes` set (names without the w: prefix)."""
    child = parent.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        later = [parent.find(qn(name)) for name in successors]
        later = [found for found in later if found is not None]
        if later:
            later[0].addprevious(child)
        else:
            parent.append(child)
    for name, value in attributes.items():
        child.set(qn(f"w:{name}"), value)
    return child


#: what follows w:rFonts, w:b, w:i, w:sz in a w:rPr (ECMA-376 order)
_AFTER_FONTS = ("w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
                "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof",
                "w:snapToGrid", "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w",
                "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
                "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em",
                "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")


def _after(name: str) -> tuple[str, ...]:
    return _AFTER_FONTS[_AFTER_FONTS.index(name) + 1:]


def _fonts(rpr: Any) -> None:
    """The report's font for Latin, Persian and East Asian text, in place of theme fonts."""
    fonts = _set(rpr, "w:rFonts", _AFTER_FONTS)
    for name in list(fonts.attrib):
        if name.endswith("Theme"):
            del fonts.attrib[name]
    for script in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{script}"), FONT)


def _bidi_run(run: Any, rtl: bool) -> None:
    """A run in the report's font; right to left (w:rtl) unless it is left-to-right text;
    its complex-script weight and size (what Word uses for Persian) as its Latin ones."""
    rpr = run._r.get_or_add_rPr()
    _fonts(rpr)
    if run.bold:
        _set(rpr, "w:bCs", _after("w:bCs"))
    if run.italic:
        _set(rpr, "w:iCs", _after("w:iCs"))
    if run.font.size is not None:
        _set(rpr, "w:szCs", _after("w:szCs"), val=str(int(run.font.size.pt * 2)))
    if rtl:
        _set(rpr, "w:rtl", _after("w:rtl"))


#: what follows w:bidi in a w:pPr
_AFTER_BIDI = ("w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
               "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
               "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
               "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _bidi_paragraph(paragraph: Paragraph) -> None:
    """A right-to-left paragraph (w:bidi): it starts on the right, lists and indents too."""
    _set(paragraph._p.get_or_add_pPr(), "w:bidi", _AFTER_BIDI)


def _bidi_table(table: Any) -> None:
    """A table whose first column is on the right (w:bidiVisual)."""
    _set(table._tbl.tblPr, "w:bidiVisual", (
        "w:tblStyleRowBandSize", "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing",
        "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
        "w:tblCaption", "w:tblDescription"))


def _complex_script_styles(document: Any, lang: str) -> None:
    """Every style in the report's font, with complex-script size and weight equal to
    its own (Word sets Persian by those); the document's languages: the report's for
    Latin text, Persian for right-to-left text."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr)
    _set(rpr, "w:lang", _after("w:lang"), val="fa-IR" if lang == "fa" else "en-GB",
         bidi="fa-IR")
    for style in styles.findall(qn("w:style")):
        rpr = style.find(qn("w:rPr"))
        if rpr is None:
            continue
        if rpr.find(qn("w:rFonts")) is not None:
            _fonts(rpr)
        # letters spaced apart break Persian's joined letters (the Title's and Subtitle's);
        # and the PDF sets its cover's subtitles upright
        for drop in (rpr.findall(qn("w:spacing")) + (
                rpr.findall(qn("w:i")) + rpr.findall(qn("w:iCs"))
                if style.get(qn("w:styleId")) == "Subtitle" else [])):
            rpr.remove(drop)
        size = rpr.find(qn("w:sz"))
        if size is not None:
            _set(rpr, "w:szCs", _after("w:szCs"), val=size.get(qn("w:val")))
        for latin, complex_script in (("w:b", "w:bCs"), ("w:i", "w:iCs")):
            if rpr.find(qn(latin)) is not None:
                _set(rpr, complex_script, _after(complex_script))


def _bidi_section(section: Any) -> None:
    """Pages laid out right to left (w:bidi in w:sectPr): columns, gutter, page numbers."""
    _set(section._sectPr, "w:bidi", ("w:rtlGutter", "w:docGrid", "w:printerSettings",
                                     "w:sectPrChange"))


# --- pictures --------------------------------------------------------------------------


def _svg_size(svg: ET.Element) -> tuple[float, float]:
    """The drawing's size in CSS px: its width and height, or its viewBox's."""
    box = (svg.get("viewBox") or "").replace(",", " ").split()
    def number(value: str | None) -> float | None:
        match = re.fullmatch(r"\s*([0-9.]+)\s*(px)?\s*", value or "")
        return float(match.group(1)) if match else None
    width, height = number(svg.get("width")), number(svg.get("height"))
    if (width is None or height is None) and len(box) == 4:
        width, height = float(box[2]), float(box[3])
    return (width or 300.0, height or 150.0)


def svg_markup(element: ET.Element) -> str:
    """An inline SVG element written back as HTML has it (no namespace prefixes)."""
    def name(qualified: str) -> str:
        space, _brace, local = qualified[1:].partition("}") if qualified[:1] == "{" else (
            "", "", qualified)
        return f"xlink:{local}" if space == "http://www.w3.org/1999/xlink" else local
    attributes = "".join(f' {name(key)}="{escape(value, quote=True)}"'
                         for key, value in element.attrib.items())
    inner = escape(element.text or "", quote=False) + "".join(
        svg_markup(child) + escape(child.tail or "", quote=False)
        for child in element if isinstance(child.tag, str))
    tag = name(str(element.tag))
    return f"<{tag}{attributes}>{inner}</{tag}>"


def svg_png(svg: ET.Element) -> tuple[bytes, float]:
    """The chart as PNG, drawn by WeasyPrint (the PDF's own renderer, with the report's
    font) on a page of the chart's size and rasterised by PDFium; and its width in points."""
    import pypdfium2

    from .render import font_faces, render_pdf_here

    width, height = _svg_size(svg)
    markup = svg_markup(svg)
    pdf = render_pdf_here(
        f"<!doctype html><html><head><meta charset='utf-8'><style>{font_faces()}"
        f"@page {{ size: {width}px {height}px; margin: 0 }} html, body {{ margin: 0 }}"
        f"body {{ font-family: {FONT}, sans-serif }}"
        f"svg {{ display: block; width: {width}px; height: {height}px }}</style></head>"
        f"<body>{markup}</body></html>")
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=CHART_DPI / 72).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
    finally:
        document.close()
    return out.getvalue(), width * 0.75


def data_image(src: str) -> bytes | None:
    """The bytes of a data: URL image (the only images a report has)."""
    match = re.fullmatch(r"data:image/(png|jpeg|gif);base64,(.*)", src.strip(), re.S)
    return base64.b64decode(match.group(2)) if match else None


# --- the walk --------------------------------------------------------------------------


class WordReport:
    """One pass over the report's HTML into a Word document."""

    def __init__(self, html: str) -> None:
        self.root = tinyhtml5.parse(html)
        self.lang = self.root.get("lang") or "en"
        self.rtl = self.root.get("dir") == "rtl"
        self.css = PrintStyle(self.root)
        self.document = Document()
        self.page_break = False  #: the next block starts a new page

    # the document

    def build(self) -> bytes:
        self._setup()
        body = self.root.find(f"{{{HTML_NS}}}body")
        if body is not None:
            self._blocks(body, self.document, Look(rtl=self.rtl))
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()

    def _setup(self) -> None:
        document = self.document
        section = document.sections[0]
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        top, end, bottom, start = MARGINS_MM
        section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
        section.left_margin, section.right_margin = Mm(start), Mm(end)
        document.styles["Normal"].font.size = Pt(BODY_PT)
        _complex_script_styles(document, self.lang)
        if self.rtl:
            _bidi_section(section)
        head = self.root.find(f"{{{HTML_NS}}}head")
        properties = document.core_properties
        properties.language = "fa-IR" if self.lang == "fa" else self.lang
        properties.comments = ""
        if head is None:
            return
        title = head.find(f"{{{HTML_NS}}}title")
        properties.title = _property("".join(title.itertext()) if title is not None else "")
        for meta in head.iter(f"{{{HTML_NS}}}meta"):
            if meta.get("name") == "author":
                properties.author = _property(meta.get("content") or "")
                properties.last_modified_by = properties.author
            elif meta.get("name") == "description":
                properties.subject = _property(meta.get("content") or "")

    @property
    def text_width(self) -> float:
        """The width of the page's text, in points."""
        return float(Mm(PAGE_MM[0] - MARGINS_MM[1] - MARGINS_MM[3]).pt)

    # blocks

    def _blocks(self, element: ET.Element, box: Box, look: Look) -> None:
        """`element`'s children in order: blocks as they are, loose text and inline
        elements between them gathered into paragraphs."""
        loose: list[tuple[ET.Element | str, Look]] = []
        if element.text:
            loose.append((element.text, look))
        for child in element:
            if not isinstance(child.tag, str) or self.css.hidden(child):
                pass
            elif role_of(child) in ("inline", "break"):
                loose.append((child, look))
            else:
                self._paragraph(box, loose, "Normal")
                loose = []
                self._block(child, box, look_of(child, look))
            if child.tail:
                loose.append((child.tail, look))
        self._paragraph(box, loose, "Normal")

    def _block(self, element: ET.Element, box: Box, look: Look) -> None:
        if self.css.new_page(element):
            self.page_break = True
        role = role_of(element)
        if role == "skip":
            return
        handler = getattr(self, f"_{role}", None)
        if handler is None:  # a container, or an element the table does not know
            self._blocks(element, box, look)
        else:
            handler(element, box, look)

    def _heading(self, element: ET.Element, box: Box, look: Look) -> None:
        level = self.css.bookmark_level(element)
        style = f"Heading {level}" if level in (1, 2) else "Heading 3"
        self._paragraph(box, [(element, replace(look, bold=False))], style, inner=True)

    def _text(self, element: ET.Element, box: Box, look: Look) -> None:
        self._paragraph(box, [(element, look)], "Normal", inner=True)

    def _title(self, element: ET.Element, box: Box, look: Look) -> None:
        self._paragraph(box, [(element, look)], "Title", inner=True)

    def _subtitle(self, element: ET.Element, box: Box, look: Look) -> None:
        self._paragraph(box, [(element, replace(look, muted=False))], "Subtitle", inner=True)

    def _paragraph(self, box: Box, pieces: list[tuple[ET.Element | str, Look]], style: str,
                   inner: bool = False, prefix: str = "") -> Paragraph | None:
        """A paragraph of `pieces` (text, or elements whose text and tails count; with
        `inner`, an element's own tail is left out): None when they hold no text."""
        segments: list[tuple[str, Look]] = []
        for piece, look in pieces:
            if isinstance(piece, str):
                segments.append((piece, look))
            else:
                self._inline(piece, look if inner else look_of(piece, look), segments)
        runs = _tidy(segments)
        if not any(text.strip() for text, _look in runs if text != "\n"):
            return None
        paragraph = self._new_paragraph(box, style, pieces[0][1].rtl)
        if prefix:
            runs.insert(0, (prefix, Look(rtl=self.rtl)))
        for text, look in runs:
            self._run(paragraph, text, look)
        return paragraph

    def _inline(self, element: ET.Element, look: Look, out: list[tuple[str, Look]]) -> None:
        """The text of an inline element (its own look), and then of what is in it."""
        if self.css.hidden(element):
            return
        if role_of(element) == "break":
            out.append(("\n", look))
            return
        if element.text:
            out.append((element.text, look))
        for child in element:
            if not isinstance(child.tag, str):
                pass
            elif role_of(child) == "picture":
                pass  # a picture inside a line of text: none in the report
            else:
                self._inline(child, look_of(child, look), out)
            if child.tail:
                out.append((child.tail, look))

    def _new_paragraph(self, box: Box, style: str, rtl: bool) -> Paragraph:
        """A new paragraph in `box`, right to left when `rtl` (its block's direction)."""
        if isinstance(box, _Cell) and _untouched(box):
            paragraph: Paragraph = box.paragraphs[0]
        else:
            paragraph = box.add_paragraph()
        paragraph.style = self.document.styles[style]
        if rtl:
            _bidi_paragraph(paragraph)
        if self.page_break:
            paragraph.paragraph_format.page_break_before = True
            self.page_break = False
        return paragraph

    def _run(self, paragraph: Paragraph, text: str, look: Look) -> None:
        if text == "\n":
            run = paragraph.add_run()
            run.add_break(WD_BREAK.LINE)
            return
        run = paragraph.add_run(text)
        run.bold = look.bold or None
        run.italic = look.italic or None
        if look.muted:
            run.font.color.rgb = MUTED
        if look.size is not None:
            run.font.size = Pt(look.size)
        elif look.small:
            run.font.size = Pt(SMALL_PT)
        _bidi_run(run, look.rtl)

    # lists

    def _numbered(self, element: ET.Element, box: Box, look: Look) -> None:
        self._list(element, box, look, numbered=True)

    def _bullets(self, element: ET.Element, box: Box, look: Look) -> None:
        self._list(element, box, look, numbered=False)

    def _list(self, element: ET.Element, box: Box, look: Look, numbered: bool) -> None:
        """Each item a list paragraph; numbered lists each start at one. In Persian the
        number is written in Persian digits as text (Word numbers only in Latin or
        Arabic-Indic digits). A list the print sets without marks is plain paragraphs."""
        if self.css.unmarked(element):
            return self._blocks(element, box, look)  # each item a plain paragraph
        style = "List Number" if numbered else "List Bullet"
        number_id = self._new_numbering() if numbered and not self.rtl else None
        count = 0
        for item in element:
            if not isinstance(item.tag, str) or self.css.hidden(item):
                continue
            if tag_of(item) != "li":
                self._block(item, box, look_of(item, look))
                continue
            count += 1
            prefix = f"{i18n.digits(count, self.lang)}. " if numbered and self.rtl else ""
            item_look = look_of(item, look)
            loose: list[tuple[ET.Element | str, Look]] = []
            if item.text:
                loose.append((item.text, item_look))
            first = True
            for child in item:
                if not isinstance(child.tag, str) or self.css.hidden(child):
                    pass
                elif role_of(child) in ("inline", "break"):
                    loose.append((child, item_look))
                else:
                    if first:
                        self._list_paragraph(box, loose, style, number_id, prefix)
                        first = False
                    else:
                        self._paragraph(box, loose, "List Continue")
                    loose = []
                    self._block(child, box, look_of(child, item_look))
                if child.tail:
                    loose.append((child.tail, item_look))
            if first:
                self._list_paragraph(box, loose, style, number_id, prefix)
            else:
                self._paragraph(box, loose, "List Continue")

    def _list_paragraph(self, box: Box, loose: list[tuple[ET.Element | str, Look]], style: str,
                        number_id: int | None, prefix: str) -> None:
        paragraph = self._paragraph(box, loose, style, prefix=prefix)
        if paragraph is None:
            return
        if number_id is not None:
            numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            numbering.get_or_add_ilvl().val = 0
            numbering.get_or_add_numId().val = number_id
        elif prefix:  # the number is in the text: no automatic one beside it
            numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            numbering.get_or_add_ilvl().val = 0
            numbering.get_or_add_numId().val = 0

    def _new_numbering(self) -> int:
        """A numbering of the List Number style's kind that starts again at one."""
        numbering = self.document.part.numbering_part.element
        style = self.document.styles["List Number"].element
        style_num = style.pPr.numPr.numId.val
        abstract = numbering.num_having_numId(style_num).abstractNumId.val
        num = numbering.add_num(abstract)
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        return int(num.numId)

    # tables and side-by-side blocks

    def _table(self, element: ET.Element, box: Box, look: Look) -> None:
        rows = [row for row in element.iter(f"{{{HTML_NS}}}tr") if not self.css.hidden(row)]
        if not rows:
            return self._blocks(element, box, look)
        cells = [[cell for cell in row if tag_of(cell) in ("td", "th")] for row in rows]
        columns = max(len(row) for row in cells)
        if columns == 0:
            return None
        table = self._new_table(box, len(rows), columns, "Table Grid", look.rtl)
        in_head = any(rows[0] in list(head) for head in element.iter(f"{{{HTML_NS}}}thead"))
        header = in_head or (len(rows) > 1 and all(tag_of(cell) == "th" for cell in cells[0]))
        for r, row in enumerate(cells):
            for c, cell in enumerate(row):
                self._blocks(cell, table.cell(r, c), look_of(cell, look))
        if header:  # repeated at the top of each page the table runs onto
            _set(table.rows[0]._tr.get_or_add_trPr(), "w:tblHeader")
        return None

    def _columns(self, element: ET.Element, box: Box, look: Look) -> None:
        """Blocks set side by side in print: a table of one row, without borders."""
        parts = [child for child in element
                 if isinstance(child.tag, str) and not self.css.hidden(child)]
        if not parts:
            return
        table = self._new_table(box, 1, len(parts), None, look.rtl)
        for n, part in enumerate(parts):
            self._block(part, table.cell(0, n), look_of(part, look))

    def _new_table(self, box: Box, rows: int, columns: int, style: str | None,
                   rtl: bool) -> Any:
        if self.page_break:  # a page break belongs to a paragraph: one before the table
            self._new_paragraph(box, "Normal", rtl)
        table = box.add_table(rows, columns)
        if style is not None:
            table.style = self.document.styles[style]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        if rtl:
            _bidi_table(table)
            # each cell starts with one paragraph: right to left too, even one left empty
            # (a line to sign on), so text typed into it in Word runs the right way
            for cell in table._cells:
                _bidi_paragraph(cell.paragraphs[0])
        return table

    def _figure(self, element: ET.Element, box: Box, look: Look) -> None:
        """A key figure, set large."""
        self._paragraph(box, [(element, replace(look, bold=True, size=20))], "Normal",
                        inner=True)

    # pictures and the contents

    def _picture(self, element: ET.Element, box: Box, look: Look) -> None:
        if tag_of(element) == "svg":
            png, width = svg_png(element)
        else:
            data = data_image(element.get("src") or "")
            if data is None:  # not a picture the report could hold: its text, if any
                self._paragraph(box, [(element.get("alt") or "", look)], "Normal")
                return
            png, width = data, self.text_width / 3  # a logo: a third of the line
        paragraph = self._new_paragraph(box, "Normal", look.rtl)
        paragraph.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
        run = paragraph.add_run()
        run.add_picture(io.BytesIO(png), width=Pt(min(width, self.text_width)))
        label = element.get("aria-label") or element.get("alt")
        if label:
            for properties in run._r.iter(qn("wp:docPr")):
                properties.set("descr", label)

    # the running header and footer: in Word's own, on every page but the cover

    def _running_head(self, element: ET.Element, box: Box, look: Look) -> None:
        """The client's and the firm's names (reports/_running.html), in reading order."""
        self._running(self.document.sections[0].header, look,
                      [self._cells(element, "rh-client", "rh-firm")])

    def _running_foot(self, element: ET.Element, box: Box, look: Look) -> None:
        """The confidentiality line, then the title and date, and in English the page
        number (Word writes a page field in Latin digits whatever the language)."""
        footer = self.document.sections[0].footer
        self._running(footer, look, [self._cells(element, "rf-confidential"),
                                     self._cells(element, "rf-title")])
        if not self.rtl:
            paragraph = footer.paragraphs[-1]
            self._run(paragraph, " · ", look)
            _field_char(paragraph, "begin")
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = " PAGE "
            paragraph.add_run()._r.append(instruction)
            _field_char(paragraph, "end")

    def _cells(self, element: ET.Element, *names: str) -> list[ET.Element]:
        return [cell for name in names for cell in element.iter(f"{{{HTML_NS}}}td")
                if name in classes_of(cell)]

    def _running(self, part: Any, look: Look, lines: list[list[ET.Element]]) -> None:
        section = self.document.sections[0]
        section.different_first_page_header_footer = True  # the cover has neither
        breaking, self.page_break = self.page_break, False
        small = replace(look, small=True, muted=True)
        for cells in lines:
            pieces: list[tuple[ET.Element | str, Look]] = []
            for cell in cells:
                if pieces:
                    pieces.append((" · ", small))
                pieces.append((cell, small))
            paragraph = self._paragraph(part, pieces, "Normal", inner=True)
            first = part.paragraphs[0]
            if paragraph is not None and first is not paragraph and not first.text:
                first._p.getparent().remove(first._p)  # the empty one Word starts with
        self.page_break = breaking

    def _contents(self, element: ET.Element, box: Box, look: Look) -> None:
        """The contents as Word's own table of contents (a TOC field of the Heading 1
        and 2 entries), showing the print's entries until Word updates it."""
        entries = [" ".join("".join(item.itertext()).split())
                   for item in element.iter(f"{{{HTML_NS}}}li")]
        for heading in element:
            if isinstance(heading.tag, str) and role_of(heading) == "heading":
                self._paragraph(box, [(heading, look)], "TOC Heading", inner=True)
        entries = [entry for entry in entries if entry]
        if not entries:
            return
        paragraphs = [self._new_paragraph(box, "Normal", look.rtl) for _entry in entries]
        _field_char(paragraphs[0], "begin")
        instruction = OxmlElement("w:instrText")
        instruction.set(qn("xml:space"), "preserve")
        instruction.text = r' TOC \o "1-2" \h \z \u '
        paragraphs[0].add_run()._r.append(instruction)
        _field_char(paragraphs[0], "separate")
        for n, (paragraph, entry) in enumerate(zip(paragraphs, entries, strict=True), 1):
            number = f"{i18n.digits(n, self.lang)}. "
            self._run(paragraph, number + entry, look)
        _field_char(paragraphs[-1], "end")


def _field_char(paragraph: Paragraph, kind: str) -> None:
    mark = OxmlElement("w:fldChar")
    mark.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(mark)


def _property(text: str) -> str:
    """A document property: one line, at most the 255 characters Word keeps."""
    text = " ".join(text.split())
    return text if len(text) <= 255 else text[:254] + "…"


def _untouched(cell: _Cell) -> bool:
    """A new table cell: one empty paragraph (where its first block goes), nothing else."""
    blocks = [child for child in cell._tc if child.tag != qn("w:tcPr")]
    return len(blocks) == 1 and blocks[0].tag == qn("w:p") and all(
        child.tag == qn("w:pPr") for child in blocks[0])


def _tidy(segments: list[tuple[str, Look]]) -> list[tuple[str, Look]]:
    """Runs of text as a browser sets them: white space collapsed, none at the start or
    end of a line, neighbours that look the same joined."""
    runs: list[tuple[str, Look]] = []
    line_start = True
    for text, look in segments:
        if text == "\n":
            if runs and runs[-1][0] != "\n":
                runs[-1] = (runs[-1][0].rstrip(" "), runs[-1][1])
            runs.append(("\n", look))
            line_start = True
            continue
        text = _SPACE.sub(" ", text)
        if line_start:
            text = text.lstrip(" ")
        elif runs and runs[-1][0].endswith(" ") and text.startswith(" "):
            text = text[1:]
        if not text:
            continue
        line_start = False
        if runs and runs[-1][1] == look and runs[-1][0] != "\n":
            runs[-1] = (runs[-1][0] + text, look)
        else:
            runs.append((text, look))
    if runs and runs[-1][0] != "\n":
        runs[-1] = (runs[-1][0].rstrip(" "), runs[-1][1])
    while runs and runs[-1][0] == "\n":
        runs.pop()
    return [(text, look) for text, look in runs if text]


def build_docx(html: str) -> bytes:
    """The Word document of a report's HTML (`report.build_html`)."""
    return WordReport(html).build()
