"""Make the demo site's attachments: ``python -m crawler.sources.demo.attachments``.

Writes ``site/files/`` : a PDF with a text layer (running header, "— N —" page numbers,
paragraphs wrapped inside Chinese sentences, a hyphenated English line), a scanned PDF (an
image, no text layer), a DOCX (header part, headings, a table), an XLSX (a list of units) and
an OFD (running title and "第N页 共M页" on every page), and ``missing.pdf``, an HTML error
page under a PDF name, which the crawl must count as ``wrong_type`` and go on.
:data:`EXPECTED` holds the paragraphs each document should give after cleaning;
``benchmarks/documents.py`` and the tests score against it. Needs reportlab, python-docx,
openpyxl and Pillow (the ``test`` extra).
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

SITE_FILES = Path(__file__).resolve().parent / "site" / "files"
CREATED = datetime.datetime(2022, 9, 20, 9, 0, 0)

PLAN_TITLE = "河南省危险废物规范化环境管理评估方案"
PLAN = [
    "豫环文〔2022〕105号",
    PLAN_TITLE,
    "为贯彻落实《中华人民共和国固体废物污染环境防治法》和《危险废物规范化环境管理评估工作方案》（环办固体〔2021〕20号），推动全省危险废物产生单位和经营单位落实污染环境防治责任，制定本方案。",
    "一、评估对象",
    "全省危险废物重点监管单位、危险废物经营许可证持证单位，以及年产生危险废物10吨以上的其他产生单位。各省辖市可根据本地实际扩大评估范围，并将评估名单报省生态环境厅备案。",
    "二、评估内容",
    "（一）污染环境防治责任制度、标识制度、管理计划制度、申报登记制度、源头分类制度、转移联单制度、经营许可制度和应急预案备案制度的落实情况。",
    "（二）贮存设施、利用设施和处置设施的运行管理情况，以及危险废物环境监测和信息公开情况。",
    "三、工作安排",
    "各省辖市生态环境局于每年3月底前完成上一年度评估工作，评估结果按照达标、基本达标和不达标三个等级确定，并于4月15日前报送省生态环境厅。对评估不达标的单位，要督促其限期整改，整改不到位的依法查处。",
    "The assessment results will be published on the department's website and shared with the provincial"
    " credit information platform for joint enforcement.",
    "2022年9月26日",
]
SCAN_TITLE = "大气污染防治攻坚推进会签到表"
AIR_TITLE = "关于印发《2023年大气污染防治攻坚实施方案》的通知"
AIR = [
    "豫环攻坚办〔2023〕18号",
    AIR_TITLE,
    "各省辖市、济源示范区大气污染防治攻坚办公室：",
    "现将《2023年大气污染防治攻坚实施方案》印发给你们，请结合实际认真贯彻落实。",
    "一、主要目标",
    "2023年，全省细颗粒物（PM2.5）平均浓度控制在每立方米45微克以内，优良天数比例达到68%以上，重污染天数比例控制在2.5%以内。",
    "二、重点任务",
    "任务 | 牵头单位 | 完成时限",
    "钢铁行业超低排放改造 | 省生态环境厅 | 2023年10月底",
    "柴油货车淘汰 | 省交通运输厅 | 2023年12月底",
    "三、保障措施",
    "各地要建立攻坚任务清单和责任清单，实行周调度、月通报，对工作推进不力的地方进行约谈。",
    "二〇二三年五月三十日",
]
LIST_TITLE = "2023年河南省环境监管重点单位名录"
LIST = [
    "名录",
    LIST_TITLE,
    "序号 | 省辖市 | 单位名称 | 类别",
    "1 | 郑州市 | 郑州市东区污水处理厂 | 水环境",
    "2 | 洛阳市 | 洛阳石化有限公司 | 大气环境",
    "3 | 安阳市 | 安阳钢铁集团有限责任公司 | 大气环境",
    "4 | 新乡市 | 新乡化纤股份有限公司 | 水环境",
]
OFD_TITLE = "郑州市重污染天气应急减排措施清单"
OFD = [
    OFD_TITLE,
    "郑政办〔2023〕45号",
    "根据《河南省重污染天气应急预案》，全市启动橙色预警期间，各类工业企业按照绩效分级实施差异化减排，A级企业自主采取减排措施，B级及以下企业按照本清单限产或停产。",
    "一、工业源减排措施",
    "钢铁、焦化、水泥、砖瓦窑等行业B级企业限产30%以上，C级企业停止生产线运行，D级企业全部停产。",
    "二、移动源减排措施",
    "全市范围内国四及以下排放标准的柴油货车禁止上路行驶，建筑垃圾、渣土、砂石运输车辆停止运输。",
    "2023年11月14日",
]
EXPECTED: dict[str, dict[str, object]] = {
    "plan.pdf": {
        "title": PLAN_TITLE,
        "paragraphs": PLAN,
        "doc_numbers": ["豫环文〔2022〕105号", "环办固体〔2021〕20号"],
    },
    "scan.pdf": {"title": SCAN_TITLE, "paragraphs": [], "needs_ocr": True, "link_text": f"{SCAN_TITLE}.pdf"},
    "air-plan.docx": {"title": AIR_TITLE, "paragraphs": AIR, "doc_numbers": ["豫环攻坚办〔2023〕18号"]},
    "units.xlsx": {"title": LIST_TITLE, "paragraphs": LIST},
    "measures.ofd": {"title": OFD_TITLE, "paragraphs": OFD, "doc_numbers": ["郑政办〔2023〕45号"]},
}


def _measure_chars(text: str) -> float:
    """Width in Chinese characters, a Latin character counting half."""
    return sum(1.0 if ord(char) > 0x2E80 else 0.5 for char in text)


def _wrap(text: str, room: float, measure: Callable[[str], float]) -> list[str]:
    """Cut Chinese *text* anywhere so no line is wider than *room*."""
    lines, line = [], ""
    for char in text:
        if line and measure(line + char) > room:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line else lines


def _wrap_english(text: str, room: float, measure: Callable[[str], float]) -> list[str]:
    """Word-wrap to *room*, hyphenating a long last word that would leave a gap."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if measure(candidate) <= room:
            line = candidate
            continue
        cut = max((k for k in range(3, len(word) - 2) if measure(f"{line} {word[:k]}-") <= room), default=0)
        if cut:
            lines.append(f"{line} {word[:cut]}-")
            line = word[cut:]
        else:
            lines.append(line)
            line = word
    return [*lines, line]


def _layout(
    paragraphs: list[str], room: float, measure: Callable[[str], float] = _measure_chars
) -> list[str]:
    lines: list[str] = []
    for text in paragraphs:
        ascii_share = sum(c.isascii() for c in text) / len(text)
        wrap = _wrap_english if ascii_share > 0.9 else _wrap
        lines.extend(wrap(text, room, measure))
    return lines


def make_pdf(
    header: str,
    paragraphs: list[str],
    lines_per_page: int = 14,
    *,
    font: str = "STSong-Light",
    size: float = 16,
    footer: str = "— {n} —",
) -> bytes:
    """A text-layer PDF: *header* and the *footer* page number on every page, paragraphs wrapped
    to a 416 pt block (a Latin *font* such as Helvetica gives ragged English lines)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    pdf.setTitle("Microsoft Word - 评估方案.docx")
    pdf.setCreator("WPS Office")
    lines = _layout(paragraphs, 416, lambda text: pdfmetrics.stringWidth(text, font, size))
    pages = [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)]
    for number, page in enumerate(pages, 1):
        pdf.setFont(font, 10)
        pdf.drawCentredString(297, 800, header)
        pdf.setFont(font, size)
        for row, line in enumerate(page):
            pdf.drawString(90, 740 - row * size * 1.8, line)
        pdf.setFont(font, 10)
        pdf.drawCentredString(297, 50, footer.format(n=number, total=len(pages)))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_scan() -> bytes:
    """A one-page PDF that is only an image, as a scanner makes it (no text layer)."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (850, 1100), 255)
    draw = ImageDraw.Draw(image)
    for row in range(12):
        draw.rectangle((80, 120 + row * 70, 770, 160 + row * 70), outline=0)
        draw.text((100, 130 + row * 70), f"{row + 1:02d}  signature ____________", fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=100.0, creationDate=CREATED.timetuple(), modDate=CREATED.timetuple())
    return buffer.getvalue()


def make_docx(paragraphs: list[str]) -> bytes:
    """A DOCX with a header part, numbered headings as Heading 2 and one table."""
    import docx

    document = docx.Document()
    document.core_properties.created = CREATED
    document.sections[0].header.paragraphs[0].text = "河南省大气污染防治攻坚战领导小组办公室"
    rows = [p.split(" | ") for p in paragraphs if " | " in p]
    table_done = False
    for text in paragraphs:
        if " | " in text:
            if not table_done:
                table = document.add_table(rows=len(rows), cols=len(rows[0]))
                for r, cells in enumerate(rows):
                    for c, value in enumerate(cells):
                        table.cell(r, c).text = value
                table_done = True
        elif text[:2] in {"一、", "二、", "三、"}:
            document.add_heading(text, level=2)
        else:
            document.add_paragraph(text)
    document.add_paragraph("")
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


def make_xlsx(paragraphs: list[str]) -> bytes:
    """A workbook whose sheet 名录 has a caption row, a header row and four units."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = paragraphs[0]
    sheet.append([paragraphs[1]])
    for row in paragraphs[2:]:
        sheet.append([int(v) if v.isdigit() else v for v in row.split(" | ")])
    book.properties.created = CREATED
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _advance(char: str, size: float) -> str:
    return f"{size if ord(char) > 0x2E80 else size / 2:g}"


def _left(text: str, size: float) -> float:
    """Small type (header, page number) centred on the 210 mm page, body text at the margin."""
    return round((210 - _measure_chars(text) * size) / 2, 2) if size < 5 else 25.0


def _ofd_page(lines: list[str], header: str, number: int, total: int) -> str:
    objects = [(12.0, header, 3.5), *[(30.0 + i * 9.0, t, 5.0) for i, t in enumerate(lines)]]
    objects.append((280.0, f"第{number}页 共{total}页", 3.5))
    body = "".join(
        f'<ofd:TextObject ID="{number * 100 + i}" Boundary="{_left(text, size)} {y}'
        f' {_measure_chars(text) * size:.2f} 8" Font="1" Size="{size}">'
        f'<ofd:TextCode X="0" Y="{size}" DeltaX="{" ".join(_advance(c, size) for c in text[:-1])}">{text}'
        "</ofd:TextCode></ofd:TextObject>"
        for i, (y, text, size) in enumerate(objects)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016">'
        f'<ofd:Content><ofd:Layer ID="{number}">{body}</ofd:Layer></ofd:Content></ofd:Page>'
    )


def make_ofd(paragraphs: list[str], header: str = "郑州市人民政府办公厅", per_page: int = 8) -> bytes:
    """An OFD package: running *header* and "第N页 共M页" on each page, text wrapped at 30."""
    lines = _layout(paragraphs, 30)
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    files = {
        "OFD.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0" DocType="OFD">'
        f"<ofd:DocBody><ofd:DocInfo><ofd:DocID>demo</ofd:DocID><ofd:Title>{paragraphs[0]}</ofd:Title>"
        "<ofd:CreationDate>2023-11-14</ofd:CreationDate></ofd:DocInfo>"
        "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        "Doc_0/Document.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}><ofd:CommonData>'
        "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
        "</ofd:CommonData><ofd:Pages>"
        + "".join(f'<ofd:Page ID="{i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
        + "</ofd:Pages></ofd:Document>",
    }
    for i, page in enumerate(pages):
        files[f"Doc_0/Pages/Page_{i}/Content.xml"] = _ofd_page(page, header, i + 1, len(pages))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(_info(name, (2023, 11, 14, 0, 0, 0)), text.encode("utf-8"))
    return buffer.getvalue()


def _info(name: str, when: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, when)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _fixed_zip(data: bytes) -> bytes:
    """The same ZIP with fixed member times, so regenerating gives identical bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(_info(info.filename, (2022, 9, 20, 0, 0, 0)), source.read(info))
    return buffer.getvalue()


def build() -> dict[str, bytes]:
    """Every demo attachment by file name."""
    return {
        "plan.pdf": make_pdf("河南省生态环境厅文件", PLAN),
        "scan.pdf": make_scan(),
        "air-plan.docx": make_docx(AIR),
        "units.xlsx": make_xlsx(LIST),
        "measures.ofd": make_ofd(OFD),
        # What many portals serve for a file that is gone: an HTML page with status 200.
        "missing.pdf": "<html><body><h1>404</h1><p>文件不存在</p></body></html>".encode(),
    }


if __name__ == "__main__":
    SITE_FILES.mkdir(parents=True, exist_ok=True)
    for name, data in build().items():
        (SITE_FILES / name).write_bytes(data)
        print(f"{SITE_FILES / name}: {len(data)} bytes")
