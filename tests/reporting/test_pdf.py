"""reporting/pdf.py: the page pieces the posted lists and the certificates share."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader

from reporting import pdf

COLUMNS = (
    pdf.Column("TT", 0.08, "C"),
    pdf.Column("Họ và tên", 0.42),
    pdf.Column("Nam", 0.1, "C", group="Năm sinh"),
    pdf.Column("Nữ", 0.1, "C", group="Năm sinh"),
    pdf.Column("Ghi chú", 0.3),
)


def render(rows: int, villages: int = 1) -> list[str]:
    doc = pdf.document("Thử", footer_text="Trang {page}/{pages}")
    doc.add_page()
    pdf.header(doc, ["ỦY BAN NHÂN DÂN", "XÃ NÀ HỲ"], "Số: 001/GCN-HN.HCN")
    pdf.title(doc, ["DANH SÁCH THỬ"], ["Kết quả rà soát năm 2025"])
    body: list = []
    for v in range(villages):
        body.append(pdf.Band(f"Bản Huổi Lụ {v}: thử"))
        body += [[str(i), f"Nguyễn Thị Ánh {i}", "", "1990", ""] for i in range(1, rows + 1)]
    pdf.table(doc, COLUMNS, [*body, pdf.Band("Tổng cộng")])
    pdf.signature(doc, "Nà Hỳ, ngày ... tháng ... năm ...", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    reader = PdfReader(BytesIO(bytes(doc.output())))
    fonts = {
        str(f["/BaseFont"])
        for page in reader.pages
        for f in page["/Resources"]["/Font"].get_object().values()
    }
    assert all("DejaVuSerif" in f for f in fonts) and len(fonts) >= 2  # embedded, not Helvetica
    return [p.extract_text() for p in reader.pages]


def test_header_motto_and_two_row_table_heading_repeated_on_each_page():
    pages = render(80)
    assert len(pages) >= 3
    first = pages[0]
    assert first.startswith("ỦY BAN NHÂN DÂN\nXÃ NÀ HỲ\nSố: 001/GCN-HN.HCN\n")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc" in first
    for page in pages[:-1]:
        assert "TT Họ và tên\nNăm sinh\nGhi chú\nNam Nữ\n" in page
    assert "Nguyễn Thị Ánh 80" in "".join(pages)
    assert pages[0].rstrip().endswith(f"Trang 1/{len(pages)}")


def test_the_signature_block_is_never_split_across_pages():
    for rows in range(20, 40):
        pages = render(rows)
        last = pages[-1]
        for line in ("Nà Hỳ, ngày", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", pdf.SIGN_HERE):
            assert line in last, rows


def test_a_village_band_never_ends_a_page():
    for rows in range(3, 9):
        pages = render(rows, villages=12)
        assert len(pages) > 1
        for page in pages[:-1]:
            last_row = page.rstrip().splitlines()[-2]  # the line above the footer
            assert not last_row.startswith("Bản Huổi Lụ"), (rows, last_row)
