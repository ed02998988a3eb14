"""Reading and cleaning attached documents: the demo files, page furniture, and bad files."""

from __future__ import annotations

import io
import shutil
import zipfile

import pytest

from crawler.documents import DocumentError, Limits, document_fields, read_document
from crawler.documents.clean import clean_document
from crawler.documents.legacy import legacy_tool
from crawler.sources.demo.attachments import EXPECTED, PLAN, SITE_FILES, make_ofd, make_pdf


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_demo_document_gives_its_paragraphs_title_and_numbers(name):
    want = EXPECTED[name]
    got = document_fields((SITE_FILES / name).read_bytes(), f"https://x.gov.cn/files/{name}",
                          link_text=str(want.get("link_text") or ""))  # fmt: skip
    assert got["paragraphs"] == want["paragraphs"]
    assert got["title"] == want["title"]
    assert got["needs_ocr"] is bool(want.get("needs_ocr"))
    if "doc_numbers" in want:
        assert got["doc_numbers"] == want["doc_numbers"]
    assert len(got["sha256"]) == 64


def test_page_numbers_in_every_common_form_are_removed():
    body = ["生态环境保护规划的第一段正文内容，写满一整行文字后继续写到下", "一行才结束。"]
    for number in ("— 3 —", "- 3 -", "第3页 共12页", "共12页 第3页", "Page 3 of 12", "3", "3/12"):
        pages = [[*body, number.replace("3", str(i))] for i in range(1, 4)]
        got = clean_document(pages)
        assert all(not p.startswith(("—", "-", "第", "共", "Page")) for p in got.paragraphs), number
        assert got.counts["page_numbers_removed"] == 3, number


def test_running_header_removed_but_a_line_on_one_page_kept():
    pages = [
        ["生态环境部办公厅文件", "关于开展排污许可检查的通知", "一、检查范围"],
        ["生态环境部办公厅文件", "二、检查内容"],
        ["生态环境部办公厅文件", "三、工作要求"],
    ]
    got = clean_document(pages)
    assert "生态环境部办公厅文件" not in got.paragraphs
    assert got.paragraphs == ["关于开展排污许可检查的通知", "一、检查范围", "二、检查内容", "三、工作要求"]


def test_wrapped_lines_are_joined_and_hyphenation_undone():
    lines = [
        "各地要建立攻坚任务清单和责任清单，实行周调度、月通报，对工",
        "作推进不力的地方进行约谈。",
        "1. The agency will publish the assessment of each water compa-",
        "ny and its plans for the coming five years on its website.",
        "Article 3",
    ]
    got = clean_document([lines])
    assert got.paragraphs == [
        "各地要建立攻坚任务清单和责任清单，实行周调度、月通报，对工作推进不力的地方进行约谈。",
        "1. The agency will publish the assessment of each water company and its plans for the coming five"
        " years on its website.",
        "Article 3",
    ]
    assert got.counts["hyphens_joined"] == 1


def test_a_sentence_split_over_a_page_break_is_one_paragraph():
    pdf = make_pdf("测试文件", PLAN, lines_per_page=5)
    got = document_fields(pdf, "https://x.gov.cn/a.pdf")
    assert got["paragraphs"] == PLAN
    assert got["pages"] > 3


def test_one_page_ofd_keeps_its_letterhead_as_a_line_of_its_own():
    """On one page nothing repeats, so the letterhead is the issuing body's line, kept apart."""
    got = document_fields(
        make_ofd(["测试标题通知", "正文第一段。", "2024年1月2日"]), "https://x.gov.cn/a.ofd"
    )
    assert got["paragraphs"] == ["郑州市人民政府办公厅", "测试标题通知", "正文第一段。", "2024年1月2日"]
    assert got["title"] == "测试标题通知"
    assert (got["published"], got["date_source"]) == ("2024-01-02T00:00:00+08:00", "text")


# --- bad files: a counted reason, never an exception of another kind ------------------------------
def _encrypted_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt="secret")
    pdf.drawString(72, 720, "confidential")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _long_pdf(pages: int) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for number in range(pages):
        pdf.drawString(72, 720, f"page {number}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (8 * 1024 * 1024))
    return buffer.getvalue()


BAD = {
    "encrypted": ("secret.pdf", _encrypted_pdf),
    "corrupt": ("broken.pdf", lambda: b"%PDF-1.7\n" + bytes(range(256)) * 20),
    "zip_bomb": ("bomb.docx", _zip_bomb),
    "wrong_type": ("notice.pdf", lambda: "<html><body>404 页面不存在</body></html>".encode()),
    "too_many_pages": ("long.pdf", lambda: _long_pdf(500)),
    "empty": ("nothing.pdf", lambda: b""),
}


@pytest.mark.parametrize("reason", sorted(BAD))
def test_bad_file_fails_with_its_reason(reason):
    name, make = BAD[reason]
    with pytest.raises(DocumentError) as caught:
        document_fields(make(), f"https://x.gov.cn/files/{name}")
    assert caught.value.reason == reason


def test_file_past_the_size_limit_is_not_read():
    with pytest.raises(DocumentError, match="too_large"):
        read_document((SITE_FILES / "plan.pdf").read_bytes(), "plan.pdf", Limits(max_bytes=1000))


def test_legacy_word_is_unsupported_without_a_debian_tool_and_corrupt_junk_with_one():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048
    with pytest.raises(DocumentError) as caught:
        read_document(ole, "notice.doc")
    assert caught.value.reason == ("unsupported_format" if legacy_tool() is None else "corrupt")


def test_zip_of_documents_reads_each_member():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("附件1.ofd", (SITE_FILES / "measures.ofd").read_bytes())
        archive.writestr("说明.txt", "not a document")
    got = document_fields(buffer.getvalue(), "https://x.gov.cn/files/attachments.zip")
    assert got["paragraphs"][0] == "附件1.ofd"
    assert got["paragraphs"][1:] == EXPECTED["measures.ofd"]["paragraphs"]


ENGLISH = [
    "Consultation on River Basin Management Plans",
    "1. Introduction",
    "The Environment Agency is consulting on draft river basin management plans for England. The plans set"
    " out the current state of the water environment, the pressures it faces and the actions needed to"
    " improve it over the next six years.",
    "2. What we are asking",
    "We would like your views on whether the proposed objectives are achievable, whether the measures are"
    " proportionate, and how catchment partnerships could be supported to deliver them. Responses will be"
    " summarised and published after the consultation closes.",
    "Article 3",
    "Water companies must publish drainage and wastewater management plans that demonstrate how storm"
    " overflow discharges will be reduced, including interim targets for designated bathing waters.",
]


def test_english_report_with_proportional_font_ragged_lines_and_page_x_of_y():
    pdf = make_pdf("Environment Agency - Draft for consultation", ENGLISH, lines_per_page=9,
                   font="Helvetica", size=11, footer="Page {n} of {total}")  # fmt: skip
    got = document_fields(pdf, "https://www.gov.uk/files/rbmp.pdf", language="en")
    assert got["paragraphs"] == ENGLISH
    assert got["language"] == "en"
    assert got["cleaning"]["document/running_lines_removed"] >= 2


def _spaced_pdf(paragraphs: list[str], font: str, size: float) -> bytes:
    """Two pages, paragraphs set apart by space (no indent), headers that differ on odd and even
    pages, a bare page number at the foot: the layout of many agency reports."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from crawler.sources.demo.attachments import _layout

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    rows: list[str | None] = []
    for text in paragraphs:
        rows += [*_layout([text], 400, lambda t: pdfmetrics.stringWidth(t, font, size)), None]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for number, start in enumerate(range(0, len(rows), 7), 1):
        pdf.setFont(font, 9)
        pdf.drawString(90, 805, "Regional Office" if number % 2 else "Environment Agency — Annual Report")
        y = 740.0
        for row in rows[start : start + 7]:
            if row is None:
                y -= size * 1.2
                continue
            pdf.setFont(font, size)
            pdf.drawString(90, y, row)
            y -= size * 1.5
        pdf.setFont(font, 9)
        pdf.drawCentredString(297, 40, str(number))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


SPACED = {
    "en": [
        "This report summarises the monitoring results for all designated bathing waters in the region"
        " during the 2023 season.",
        "Overall, 92 per cent of sites met the excellent standard, compared with 89 per cent in the"
        " previous year.",
        "Further work is planned on agricultural run-off in three catchments where phosphate levels"
        " remain high.",
    ],
    "zh": [
        "\u3000\u3000各市生态环境局：为切实做好2024年夏季臭氧污染防治工作，现将有关事项通知如下。",
        "\u3000\u3000一是加强挥发性有机物治理，重点行业企业要在6月底前完成泄漏检测与修复。",
        "\u3000\u3000二是强化移动源监管，严格执行非道路移动机械低排放控制区管理要求。",
    ],
}


@pytest.mark.parametrize(("language", "font", "size"), [("en", "Helvetica", 11), ("zh", "STSong-Light", 14)])
def test_spaced_paragraphs_and_a_header_set_apart_on_the_second_page(language, font, size):
    got = document_fields(_spaced_pdf(SPACED[language], font, size), "https://x.gov.uk/report.pdf")
    body = [p for p in got["paragraphs"] if p != "Regional Office"]  # page 1's header cannot be told apart
    assert body == [p.strip("\u3000") for p in SPACED[language]]
    assert got["cleaning"]["document/edge_lines_removed"] == 1


def test_a_notice_title_wrapped_over_two_centred_lines_is_one_title():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for y, size, text in (
        (790, 26, "河南省生态环境厅文件"),
        (750, 14, "豫环文〔2023〕88号"),
        (700, 20, "关于印发《河南省建设项目环境影响评价文件"),
        (672, 20, "分级审批规定（2023年版）》的通知"),
    ):
        pdf.setFont("STSong-Light", size)
        pdf.drawCentredString(297, y, text)
    pdf.setFont("STSong-Light", 16)
    for y, text in (
        (620, "各省辖市生态环境局："),
        (592, "现将规定印发给你们，请认真贯彻执行。"),
        (540, "2023年7月1日"),
    ):
        pdf.drawString(90, y, text)
    pdf.showPage()
    pdf.save()
    got = document_fields(buffer.getvalue(), "https://x.gov.cn/a.pdf")
    assert got["title"] == "关于印发《河南省建设项目环境影响评价文件分级审批规定（2023年版）》的通知"
    assert got["paragraphs"][2] == got["title"]
    assert (got["doc_numbers"], got["published"]) == (["豫环文〔2023〕88号"], "2023-07-01T00:00:00+08:00")


def test_extract_command_and_python_api_give_validated_attachment_records(tmp_path):
    import json

    import crawler
    from tests.conftest import run_cli

    plan = tmp_path / "plan.pdf"
    plan.write_bytes((SITE_FILES / "plan.pdf").read_bytes())
    (tmp_path / "gone.pdf").write_bytes(b"<html>404</html>")
    result = run_cli("extract", str(plan), str(tmp_path / "gone.pdf"))
    assert result.returncode == 1
    (line,) = result.stdout.splitlines()
    record = json.loads(line)
    assert (record["kind"], record["filename"], record["title"]) == (
        "attachment",
        "plan.pdf",
        EXPECTED["plan.pdf"]["title"],
    )
    assert "gone.pdf: wrong_type" in result.stderr
    api = crawler.extract_document((SITE_FILES / "units.xlsx").read_bytes(), "https://x.gov.cn/f/units.xlsx")
    assert api["paragraphs"] == EXPECTED["units.xlsx"]["paragraphs"]
    assert api["text"].startswith("名录")
    assert len(api["content_hash"]) == 40


def test_a_scan_with_a_typed_page_number_still_needs_ocr():
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (400, 500), 200)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for number in (1, 2):
        pdf.drawImage(ImageReader(image), 50, 100, 500, 650)
        pdf.drawString(290, 40, f"- {number} -")
        pdf.showPage()
    pdf.save()
    got = document_fields(buffer.getvalue(), "https://x.gov.cn/scan.pdf", link_text="签到表.pdf")
    assert got["needs_ocr"] is True
    assert got["paragraphs"] == []
    assert got["title"] == "签到表"


def test_an_english_report_headed_by_its_title_on_every_page_takes_it_as_title():
    text = ENGLISH[2]
    pdf = make_pdf("Bathing Water Quality 2023", [text] * 6, lines_per_page=8, font="Helvetica", size=11)
    got = document_fields(pdf, "https://www.gov.uk/files/bw.pdf", link_text="Download the report (PDF, 1MB)")
    assert got["title"] == "Bathing Water Quality 2023"
    assert "Bathing Water Quality 2023" not in got["paragraphs"]


@pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="Tesseract (Debian tesseract-ocr) not installed"
)
def test_ocr_reads_a_scan_only_when_asked():
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1700, 1200), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    for row, text in enumerate(("Notice of inspection", "The inspection will take place on 3 May 2024.")):
        draw.text((150, 200 + row * 90), text, fill=0, font=font)
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=200.0)
    assert document_fields(buffer.getvalue(), "https://x.gov.uk/scan.pdf")["needs_ocr"] is True
    got = document_fields(buffer.getvalue(), "https://x.gov.uk/scan.pdf", ocr=True)
    assert got["needs_ocr"] is False
    assert "The inspection will take place on 3 May 2024." in got["paragraphs"]
