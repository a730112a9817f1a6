"""R17: the bulletin's three files. The PDF's text (pdftotext) holds the court names and
figures; the Word file is an official document (GB/T 9704 layout, headings, a ranked table,
east-Asian fonts named); the Excel workbook opens and says the same."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from openpyxl import load_workbook

from huajie.bulletins.render import HEADINGS
from huajie.bulletins.services import bulletin_file
from huajie.supervision.metrics import percent
from tests.bulletins.conftest import Issued

pytestmark = pytest.mark.django_db

OFFICIAL_FACES = {"仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"}


def pdftotext(data: bytes, tmp_path: Path) -> str:
    """The PDF's text. With CI=true a machine without pdftotext fails, never skips."""
    tool = shutil.which("pdftotext")
    if tool is None:
        message = "找不到 pdftotext：apt-get install poppler-utils"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        # Only a developer's machine without the tool gets here; under CI=true it fails above.
        pytest.skip(message)
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(data)
    return subprocess.run(
        [tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_pdf_holds_the_names_and_figures(issued: Issued, tmp_path: Path) -> None:
    f = issued.second.figures
    text = pdftotext(bulletin_file(issued.second, "pdf"), tmp_path)
    flat = "".join(text.split())
    for needle in (
        "山东省高级人民法院",
        "第2期",
        "关于防范和化解涉诉信访案件工作落实年活动进展情况的通报（第2期）",
        "各市中级人民法院：",
        *HEADINGS,
        "表1",
        "全省合计",
        f"共有化解任务（存量案件）{f['totals']['tasks']}件",
        f"经验收化解{f['totals']['accepted']}件",
        f"化解率{percent(f['totals']['rate'])}",
        "印发",
        "—1—",
    ):
        assert needle in flat, needle
    for area in f["areas"]:
        assert area["name"] in flat
        assert percent(area["rate"]) in flat
    for court in f["behind_pace"]:
        assert court["name"] in flat
    for item in f["exemplary"]:
        assert item["ledger_no"] in flat
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "bulletin.pdf")], capture_output=True, text=True
    ).stdout
    if fonts:  # pdffonts comes with pdftotext; the CJK face is embedded
        assert "yes" in fonts.splitlines()[-1]


def _east_asian_faces(element: object) -> set[str]:
    return {
        fonts.get(qn("w:eastAsia"))
        for fonts in element.iter(qn("w:rFonts"))  # type: ignore[attr-defined]
        if fonts.get(qn("w:eastAsia"))
    }


def test_the_word_file_is_an_official_document(issued: Issued) -> None:
    f = issued.second.figures
    document = Document(io.BytesIO(bulletin_file(issued.second, "docx")))
    section = document.sections[0]

    def mm(length: object) -> float:
        return round(int(length) / 36000, 1)  # type: ignore[call-overload]  # EMU

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.left_margin)) == (37, 28)
    assert mm(section.page_width - section.left_margin - section.right_margin) == 156
    assert mm(section.page_height - section.top_margin - section.bottom_margin) == 225

    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    mark = paragraphs[0]
    assert mark.text == "山东省高级人民法院"
    assert mark.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    assert _east_asian_faces(mark._p) == {"方正小标宋简体"}
    assert paragraphs[1].text == "第2期"
    rule = paragraphs[2]._p.find(qn("w:pPr")).find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"  # the red rule under the number line
    title = next(p for p in paragraphs if p.style.name == "Title")
    assert title.text == "关于防范和化解涉诉信访案件工作落实年活动进展情况的通报（第2期）"
    assert title.runs[0].font.size.pt == 22
    assert paragraphs[paragraphs.index(title) + 1].text == "各市中级人民法院："

    headings = [p for p in paragraphs if p.style.name == "Heading 1"]
    assert [p.text for p in headings] == list(HEADINGS)
    assert all(_east_asian_faces(p._p) == {"黑体"} for p in headings)
    subheadings = [p for p in paragraphs if p.style.name == "Heading 2"]
    assert subheadings and all(_east_asian_faces(p._p) == {"楷体_GB2312"} for p in subheadings)
    body = paragraphs[paragraphs.index(headings[0]) + 1]
    assert body.runs[0].font.size.pt == 16 and _east_asian_faces(body._p) == {"仿宋_GB2312"}

    (table,) = document.tables
    header = [c.text for c in table.rows[0].cells]
    assert header[:5] == ["地区", "任务数", "达标", "已验收", "化解率"]
    assert all(_east_asian_faces(c._tc) == {"黑体"} for c in table.rows[0].cells)
    assert table.rows[-1].cells[0].text == "全省合计"
    assert table.rows[-1].cells[1].text == str(f["totals"]["tasks"])
    assert [r.cells[0].text for r in table.rows[1:-1]] == [a["name"] for a in f["areas"]]
    assert table.rows[1].cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    caption = next(p for p in paragraphs if p.text.startswith("表1"))
    assert "各地区化解进度排名" in caption.text

    # Fonts named with the east-Asian attribute, styles included, no theme fonts left.
    faces = _east_asian_faces(document.element.body) | _east_asian_faces(document.styles.element)
    assert faces <= OFFICIAL_FACES and {"仿宋_GB2312", "黑体", "方正小标宋简体"} <= faces
    for style in ("Heading 1", "Heading 2", "Title"):
        fonts = document.styles[style].element.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert fonts.get(qn("w:asciiTheme")) is None and fonts.get(qn("w:eastAsiaTheme")) is None

    # Page numbers "— n —": odd pages at the right, even at the left.
    assert document.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for footer in (odd, even):
        assert footer.text.startswith("— ") and footer.text.endswith(" —")
        assert "PAGE" in "".join(t.text for t in footer._p.iter(qn("w:instrText")))
        assert footer.runs[0].font.size.pt == 14

    # 版记 between two rules, and the date in Arabic numerals with the signature above it.
    footer_block = paragraphs[-1]
    assert footer_block.text.endswith("2019年3月29日印发")
    borders = footer_block._p.find(qn("w:pPr")).find(qn("w:pBdr"))
    assert borders.find(qn("w:top")) is not None and borders.find(qn("w:bottom")) is not None
    assert [p.text for p in paragraphs[-3:-1]] == ["山东省高级人民法院", "2019年3月29日"]


def test_the_excel_file_opens_and_agrees(issued: Issued) -> None:
    f = issued.second.figures
    book = load_workbook(io.BytesIO(bulletin_file(issued.second, "xlsx")))
    assert book.sheetnames == ["总体情况", "各地区排名", "各法院", "问题", "先进典型"]
    summary = {row[0]: row[1] for row in book["总体情况"].iter_rows(min_row=3, values_only=True)}
    assert summary["任务数（存量）"] == f["totals"]["tasks"]
    assert summary["累计验收化解"] == f["totals"]["accepted"]
    assert summary["化解率"] == pytest.approx(f["totals"]["rate"])
    areas = list(book["各地区排名"].iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in areas] == [a["name"] for a in f["areas"]] + ["全省合计"]
    assert areas[-1][1] == f["totals"]["tasks"]
    courts = list(book["各法院"].iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in courts] == [c["name"] for c in f["courts"]]
    examples = list(book["先进典型"].iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in examples] == [e["ledger_no"] for e in f["exemplary"]]


def test_files_live_under_media_root_with_their_hashes(issued: Issued) -> None:
    for fmt in ("docx", "pdf", "xlsx"):
        relative, sha = issued.second.file(fmt)
        assert (Path(settings.MEDIA_ROOT) / relative).is_file() and len(sha) == 64


def test_the_pdf_measures_text_in_c() -> None:
    """ReportLab's C accelerator (the rl-accel package) measures the text it breaks into
    lines; in pure Python that was a quarter of a bulletin's PDF (docs/performance.md)."""
    import types

    from reportlab.lib import rl_accel

    assert isinstance(rl_accel.instanceStringWidthTTF, types.BuiltinFunctionType)
