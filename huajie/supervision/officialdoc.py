"""Official documents (公文) in the layout of GB/T 9704-2012, as Word and as PDF.

A document is described once (`OfficialDocument`: the issuing organ's red mark, the number
line, the title, addressees, body blocks, signature and date, the footer block 版记) and
rendered by `to_docx` (python-docx) and `to_pdf` (ReportLab). The bulletin (R17) and the
summary report (R20) are both such documents.

Layout facts used (see shared/spec/bulletin.md): A4; top margin 37 mm, left (binding)
margin 28 mm, type area 156 mm × 225 mm, 22 lines of 28 characters in 3号 (16 pt); the
organ's mark red and centred in 小标宋 with a red rule under the number line; the title in
2号 (22 pt) 小标宋; body in 3号仿宋, headings 一、 in 黑体 and （一） in 楷体; tables with a
numbered title, header row in 黑体, figures right-aligned, the total row last; page numbers
in 4号 as "— 3 —", odd pages at the right and even pages at the left; the 版记 between two
rules.

Fonts. The Word file names the faces court PCs have (仿宋_GB2312, 方正小标宋简体, 黑体,
楷体_GB2312) and sets the east-Asian font attribute on every run and style, so Word and
LibreOffice use them for Chinese text. The PDF must embed a font the server has: ReportLab
cannot read the CFF outlines of Noto CJK, and Debian has no free 仿宋, 小标宋 or 楷体 with
TrueType outlines. So the PDF embeds one TrueType CJK face — WenQuanYi Zen Hei (文泉驿正黑,
a 黑体-like sans) — for all text, distinguishing levels by size only. It is not 仿宋 and
the PDF does not claim otherwise; the Word file is the one to print as the official copy.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.simpletypes import ST_HpsMeasure
from docx.shared import Mm, Pt, RGBColor

# --- the document --------------------------------------------------------------------------

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"

RED = "FF0000"
SIZE_TITLE = 22  # 2号
SIZE_BODY = 16  # 3号
SIZE_PAGE_NUMBER = 14  # 4号
SIZE_TABLE = 12  # 小四: a table of many columns does not fit in 3号
SIZE_MARK = 36
LINE_PITCH = 28.9  # 225 mm / 22 lines, in points


@dataclass(frozen=True)
class Heading:
    """一、… (level 1, 黑体) or （一）… (level 2, 楷体)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Table:
    """A table with its numbered title ("表1 …"); columns from `numeric_from` on are figures
    (right-aligned); `total` is the last row."""

    title: str
    header: list[str]
    rows: list[list[str]]
    total: list[str] | None = None
    numeric_from: int = 1


Block = Heading | Para | Table


@dataclass
class OfficialDocument:
    organ: str  # 发文机关标志, e.g. 山东省高级人民法院
    number_line: str  # e.g. 第3期, or 鲁高法〔2019〕14号
    office: str  # the issuing office, left of the date on the line under the number
    title: str
    addressees: str  # 主送机关, ends with "："
    blocks: list[Block]
    signature: str  # at the seal's place
    date: dt.date  # 成文日期
    printed_by: str  # 版记: the printing office
    printed_on: dt.date
    copy_to: str = ""  # 抄送
    notes: list[str] = field(default_factory=list)


def cn_date(day: dt.date) -> str:
    """GB/T 9704: the date in Arabic numerals, e.g. 2019年6月30日."""
    return f"{day.year}年{day.month}月{day.day}日"


# --- Word ----------------------------------------------------------------------------------


# The scripts a font is named for: Latin, its high-ANSI range, east Asian, complex.
_FACES = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")


def _east_asian(element: Any, face: str) -> None:
    """Name `face` for every script on a run or style, and drop theme fonts that would win."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in _FACES:
        fonts.set(qn(attribute), face)


def _run(paragraph: Any, text: str, face: str, size: float, *, color: str = "") -> Any:
    """A run of `text` in `face` at `size` points, not bold, in `color` (hex) if given."""
    run = paragraph.add_run(text)
    run._element.insert(0, _run_properties(face, size, color))
    return run


def _run_properties(face: str, size: float, color: str) -> Any:
    """A run's <w:rPr>, written whole in the schema's order. Through python-docx's font
    setters, each of which looks for its element's place among the others, the runs took a
    third of a bulletin's Word file (docs/performance.md). The same XML either way."""
    properties = OxmlElement("w:rPr")
    properties.append(OxmlElement("w:rFonts", attrs={qn(name): face for name in _FACES}))
    properties.append(OxmlElement("w:b", attrs={qn("w:val"): "0"}))
    if color:
        rgb = str(RGBColor.from_string(color))
        properties.append(OxmlElement("w:color", attrs={qn("w:val"): rgb}))
    half_points = ST_HpsMeasure.convert_to_xml(Pt(size))
    properties.append(OxmlElement("w:sz", attrs={qn("w:val"): half_points}))
    return properties


@functools.cache
def _style_id(name: str) -> str:
    """The id of the style `name` in python-docx's default template, which every Word file
    here starts from. Given a name, python-docx searches the template's styles on each
    paragraph: a fifth of a bulletin's Word file."""
    return str(Document().styles[name].style_id)


def _styled_paragraph(document: Any, style: str) -> Any:
    paragraph = document.add_paragraph()
    paragraph._p.style = _style_id(style)
    return paragraph


def _spacing(paragraph: Any, pitch: float = LINE_PITCH, indent: float = 0.0) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(pitch)
    fmt.first_line_indent = Pt(indent)


def _border(paragraph: Any, sides: Sequence[str], color: str = "000000", size: int = 8) -> None:
    """A rule along the paragraph (size in eighths of a point)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in sides:
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), str(size))
        line.set(qn("w:space"), "1")
        line.set(qn("w:color"), color)
        borders.append(line)
    ppr.append(borders)


def _styles(document: Any) -> None:
    normal = document.styles["Normal"]
    normal.font.size = Pt(SIZE_BODY)
    _east_asian(normal.element, FANGSONG)
    for name, face in (("Heading 1", HEITI), ("Heading 2", KAITI), ("Title", XIAOBIAOSONG)):
        style = document.styles[name]
        style.font.size = Pt(SIZE_TITLE if name == "Title" else SIZE_BODY)
        style.font.bold = False
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        _east_asian(style.element, face)
        fmt = style.paragraph_format
        fmt.space_before, fmt.space_after = Pt(0), Pt(0)
        fmt.keep_with_next = True
        # The Title style carries a bottom border in the default template: official titles
        # have none.
        ppr = style.element.find(qn("w:pPr"))
        if ppr is not None:
            for border in ppr.findall(qn("w:pBdr")):
                ppr.remove(border)


def _page(document: Any) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(24)
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(paragraph: Any, alignment: Any) -> None:
    """ "— 3 —" in 4号 Arabic numerals, one character in from the outer edge."""
    paragraph.alignment = alignment
    fmt = paragraph.paragraph_format
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = Pt(SIZE_PAGE_NUMBER)
    else:
        fmt.left_indent = Pt(SIZE_PAGE_NUMBER)
    _run(paragraph, "— ", SONGTI, SIZE_PAGE_NUMBER)
    run = _run(paragraph, "", SONGTI, SIZE_PAGE_NUMBER)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
        if kind is None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
    _run(paragraph, " —", SONGTI, SIZE_PAGE_NUMBER)


def _head(document: Any, doc: OfficialDocument) -> None:
    mark = document.add_paragraph()
    mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(mark, pitch=SIZE_MARK * 1.4)
    _run(mark, doc.organ, XIAOBIAOSONG, SIZE_MARK, color=RED)
    document.add_paragraph()
    number = document.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(number)
    _run(number, doc.number_line, FANGSONG, SIZE_BODY)
    office = document.add_paragraph()
    _spacing(office)
    office.paragraph_format.tab_stops.add_tab_stop(Mm(156), WD_TAB_ALIGNMENT.RIGHT)
    _run(office, f"{doc.office}\t{cn_date(doc.date)}", FANGSONG, SIZE_BODY)
    _border(office, ["bottom"], color=RED, size=12)
    document.add_paragraph()
    title = _styled_paragraph(document, "Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(title, pitch=SIZE_TITLE * 1.5)
    _run(title, doc.title, XIAOBIAOSONG, SIZE_TITLE)
    document.add_paragraph()
    addressees = document.add_paragraph()
    _spacing(addressees)
    _run(addressees, doc.addressees, FANGSONG, SIZE_BODY)


def _table(document: Any, table: Table, number: int) -> None:
    caption = document.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(caption)
    caption.paragraph_format.keep_with_next = True
    _run(caption, f"表{number}　{table.title}", HEITI, SIZE_TABLE + 2)
    rows = [*table.rows, *([table.total] if table.total else [])]
    grid = document.add_table(rows=1 + len(rows), cols=len(table.header))
    grid._tbl.tblStyle_val = _style_id("Table Grid")
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    # A row's cells are found anew on each `.cells` (python-docx walks the row's XML), so
    # each row's are taken once: asked per cell, they were a quarter of the Word file's time.
    grid_rows = grid.rows
    for cell, text in zip(grid_rows[0].cells, table.header, strict=True):
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(paragraph, text, HEITI, SIZE_TABLE)
    _repeat_header(grid_rows[0])
    for index, values in enumerate(rows, start=1):
        is_total = table.total is not None and index == len(rows)
        cells = grid_rows[index].cells
        for column, text in enumerate(values):
            paragraph = cells[column].paragraphs[0]
            if column >= table.numeric_from:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(paragraph, str(text), HEITI if is_total else FANGSONG, SIZE_TABLE)
    document.add_paragraph()


def _repeat_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _body(document: Any, blocks: list[Block]) -> None:
    tables = 0
    for block in blocks:
        if isinstance(block, Heading):
            paragraph = _styled_paragraph(document, f"Heading {block.level}")
            _spacing(paragraph, indent=2 * SIZE_BODY)
            _run(paragraph, block.text, HEITI if block.level == 1 else KAITI, SIZE_BODY)
        elif isinstance(block, Para):
            paragraph = document.add_paragraph()
            _spacing(paragraph, indent=2 * SIZE_BODY)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            _run(paragraph, block.text, FANGSONG, SIZE_BODY)
        else:
            tables += 1
            _table(document, block, tables)


def _tail(document: Any, doc: OfficialDocument) -> None:
    document.add_paragraph()
    for text in (doc.signature, cn_date(doc.date)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _spacing(paragraph)
        paragraph.paragraph_format.right_indent = Pt(4 * SIZE_BODY)  # 右空四字
        _run(paragraph, text, FANGSONG, SIZE_BODY)
    for note in doc.notes:
        paragraph = document.add_paragraph()
        _spacing(paragraph, indent=2 * SIZE_BODY)
        _run(paragraph, note, FANGSONG, SIZE_BODY)
    document.add_paragraph()
    # 版记: the printing office and date between two rules (the copy-to line above, if any).
    lines = ([f"抄送：{doc.copy_to}"] if doc.copy_to else []) + [
        f"{doc.printed_by}\t{cn_date(doc.printed_on)}印发"
    ]
    for index, text in enumerate(lines):
        paragraph = document.add_paragraph()
        _spacing(paragraph)
        fmt = paragraph.paragraph_format
        fmt.left_indent = fmt.right_indent = Pt(SIZE_PAGE_NUMBER)
        fmt.tab_stops.add_tab_stop(Mm(156) - Pt(2 * SIZE_PAGE_NUMBER), WD_TAB_ALIGNMENT.RIGHT)
        sides = ["bottom"] + (["top"] if index == 0 else [])
        _border(paragraph, sides, size=8)
        _run(paragraph, text, FANGSONG, SIZE_PAGE_NUMBER)


def to_docx(doc: OfficialDocument) -> bytes:
    document = Document()
    _styles(document)
    _page(document)
    body = document.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):
        body.remove(paragraph)  # the default template's empty first paragraph
    core = document.core_properties
    core.title, core.author, core.comments = doc.title, doc.organ, doc.number_line
    _head(document, doc)
    _body(document, doc.blocks)
    _tail(document, doc)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- PDF -----------------------------------------------------------------------------------

# TrueType CJK faces ReportLab can embed, best first (see the module docstring).
PDF_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)
PDF_FONT = "HuajieCJK"


class FontMissing(RuntimeError):
    pass


def pdf_font() -> str:
    """Register the first TrueType CJK face found; its name for ReportLab styles."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if PDF_FONT in pdfmetrics.getRegisteredFontNames():
        return PDF_FONT
    for path in PDF_FONTS:
        if path.exists():
            pdfmetrics.registerFont(TTFont(PDF_FONT, str(path), subfontIndex=0))
            return PDF_FONT
    raise FontMissing(
        "找不到可嵌入 PDF 的中文 TrueType 字体，"
        "请安装 fonts-wqy-zenhei（apt-get install fonts-wqy-zenhei）。"
    )


def to_pdf(doc: OfficialDocument) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as PdfTable

    font = pdf_font()
    red = colors.HexColor(f"#{RED}")

    def style(name: str, size: float, **extra: Any) -> ParagraphStyle:
        base = {"fontName": font, "fontSize": size, "leading": size * 1.8, "wordWrap": "CJK"}
        return ParagraphStyle(name, **{**base, **extra})

    body = style("body", SIZE_BODY, leading=LINE_PITCH, firstLineIndent=2 * SIZE_BODY)
    body.alignment = TA_JUSTIFY
    heading = style(
        "heading", SIZE_BODY, leading=LINE_PITCH, firstLineIndent=2 * SIZE_BODY, keepWithNext=1
    )
    plain = style("plain", SIZE_BODY, leading=LINE_PITCH)
    right = style("right", SIZE_BODY, leading=LINE_PITCH, alignment=TA_RIGHT, rightIndent=64)
    cell = style("cell", SIZE_TABLE - 1, leading=(SIZE_TABLE - 1) * 1.35)
    cell_right = style("cell_right", SIZE_TABLE - 1, leading=(SIZE_TABLE - 1) * 1.35)
    cell_right.alignment = TA_RIGHT
    cell_head = style("cell_head", SIZE_TABLE - 1, leading=(SIZE_TABLE - 1) * 1.35)
    cell_head.alignment = TA_CENTER
    width = 156 * mm

    story: list[Any] = [
        Paragraph(doc.organ, style("mark", SIZE_MARK, alignment=TA_CENTER, textColor=red)),
        Spacer(1, 10 * mm),
        Paragraph(doc.number_line, style("number", SIZE_BODY, alignment=TA_CENTER)),
        PdfTable(
            [
                [
                    Paragraph(doc.office, plain),
                    Paragraph(cn_date(doc.date), style("d", SIZE_BODY, alignment=TA_RIGHT)),
                ]
            ],
            colWidths=[width * 0.62, width * 0.38],
            style=[("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)],
        ),
        HRFlowable(width="100%", thickness=1.5, color=red, spaceBefore=2, spaceAfter=12 * mm),
        Paragraph(
            doc.title, style("title", SIZE_TITLE, alignment=TA_CENTER, leading=SIZE_TITLE * 1.5)
        ),
        Spacer(1, LINE_PITCH),
        Paragraph(doc.addressees, plain),
    ]
    tables = 0
    for block in doc.blocks:
        if isinstance(block, Heading):
            story.append(Paragraph(block.text, heading))
        elif isinstance(block, Para):
            story.append(Paragraph(block.text, body))
        else:
            tables += 1
            story += _pdf_table(block, tables, width, cell, cell_right, cell_head, style)
    story += [
        Spacer(1, LINE_PITCH),
        Paragraph(doc.signature, right),
        Paragraph(cn_date(doc.date), right),
    ]
    story += [Paragraph(note, body) for note in doc.notes]
    footer = ([f"抄送：{doc.copy_to}"] if doc.copy_to else []) + [
        f"{doc.printed_by}　　{cn_date(doc.printed_on)}印发"
    ]
    small = style(
        "small", SIZE_PAGE_NUMBER, leading=SIZE_PAGE_NUMBER * 1.8, leftIndent=SIZE_PAGE_NUMBER
    )
    story += [Spacer(1, LINE_PITCH), HRFlowable(width="100%", thickness=1, color=colors.black)]
    for line in footer:
        story += [
            Paragraph(line, small),
            HRFlowable(width="100%", thickness=0.7, color=colors.black),
        ]

    def number_page(canvas: Any, template: Any) -> None:
        page = canvas.getPageNumber()
        text = f"— {page} —"
        canvas.saveState()
        canvas.setFont(font, SIZE_PAGE_NUMBER)
        y = 35 * mm - 7 * mm - SIZE_PAGE_NUMBER
        if page % 2:
            canvas.drawRightString(A4[0] - 26 * mm - SIZE_PAGE_NUMBER, y, text)
        else:
            canvas.drawString(28 * mm + SIZE_PAGE_NUMBER, y, text)
        canvas.restoreState()

    out = io.BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        topMargin=37 * mm,
        bottomMargin=35 * mm,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
        title=doc.title,
        author=doc.organ,
        subject=doc.number_line,
    )
    template.build(story, onFirstPage=number_page, onLaterPages=number_page)
    return out.getvalue()


def _pdf_table(
    table: Table, number: int, width: float, cell: Any, cell_right: Any, cell_head: Any, style: Any
) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.platypus import Paragraph, Spacer
    from reportlab.platypus import Table as PdfTable

    rows = [*table.rows, *([table.total] if table.total else [])]
    data = [[Paragraph(text, cell_head) for text in table.header]]
    for values in rows:
        data.append(
            [
                Paragraph(str(text), cell_right if column >= table.numeric_from else cell)
                for column, text in enumerate(values)
            ]
        )
    first = width * 0.26
    rest = (width - first) / max(len(table.header) - 1, 1)
    grid = PdfTable(data, colWidths=[first] + [rest] * (len(table.header) - 1), repeatRows=1)
    commands: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if table.total:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f6f6f6")))
    grid.setStyle(commands)
    caption = Paragraph(
        f"表{number}　{table.title}",
        style("caption", SIZE_TABLE + 2, alignment=TA_CENTER, keepWithNext=1, spaceBefore=6),
    )
    return [caption, grid, Spacer(1, 10)]
