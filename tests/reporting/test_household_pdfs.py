"""`census post` and `census certificates`: the posted lists and the household certificates as
PDFs, from a warehouse built by the real flow from real workbooks (tests/reporting/
household_census.py), checked against what the test counts itself from the households it wrote.
The PDFs' text is read back with pypdf; pages are rendered with poppler's pdftoppm where it is
installed.
"""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from flows.cli import main as census
from reporting.vietnamese import slug, sort_key
from tests.reporting import household_census as hc

COMMUNES_2025 = ("Mường Chà", "Nà Hỳ", "Sín Thầu")
POSTED_FROM, POSTED_TO = "2025-11-20", "26/11/2025"
VILLAGES = sorted({v for *_, villages, _ in hc.COMMUNES for v in villages}, key=len, reverse=True)
LIST_ROW = re.compile(rf"^(\d+) (.+) ({'|'.join(map(re.escape, VILLAGES))}) (\d+)(?: (.*))?$")
TITLE = re.compile(r"DANH SÁCH (HỘ [^\n]*?) NĂM (\d{4})")
KINDS = {
    "HỘ NGHÈO": "poor",
    "HỘ CẬN NGHÈO": "near_poor",
    "HỘ THOÁT NGHÈO": "escaped_poor",
    "HỘ THOÁT CẬN NGHÈO": "escaped_near_poor",
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, prefect_harness) -> dict[str, object]:
    root = tmp_path_factory.mktemp("household-pdfs")
    warehouse = hc.build(root)
    everyone = hc.households()
    # A poor household of Sín Thầu in 2025 whose workbook listed its members.
    listed = next(
        h for h in everyone if h.commune == "Sín Thầu" and h.status[2025] == "poor" and h.size > 3
    )
    members = hc.add_members(warehouse, listed, 2025)
    out = root / "noi-bo"
    base = ["--warehouse", str(warehouse), "--out"]
    for year in (2024, 2025):
        dates = ["--from", POSTED_FROM, "--to", POSTED_TO] if year == 2025 else []
        assert census(["post", "--year", str(year), *base, str(out / str(year)), *dates]) == 0
    assert census(["certificates", "--year", "2025", *base, str(out / "2025")]) == 0
    args = ["--year", "2026", "--commune", "SIN THAU", *base, str(out / "2026")]
    assert census(["certificates", *args]) == 0
    return {
        "warehouse": warehouse,
        "out": out,
        "households": everyone,
        "listed": listed,
        "members": members,
    }


def pages(path: Path) -> list[str]:
    return [p.extract_text() for p in PdfReader(path).pages]


def expected_lists(households: list[hc.Household], commune: str, year: int) -> dict[str, list]:
    """The four lists as the test counts them: poor and near-poor now; escaped poverty (poor
    last year, not now) and near-poverty (near-poor last year, neither now)."""
    here = [h for h in households if h.commune_in(year) == commune]
    prev = year - 1
    return {
        "poor": [h for h in here if h.status[year] == "poor"],
        "near_poor": [h for h in here if h.status[year] == "near_poor"],
        "escaped_poor": [
            h for h in here if h.status.get(prev) == "poor" and h.status[year] != "poor"
        ],
        "escaped_near_poor": [
            h
            for h in here
            if h.status.get(prev) == "near_poor" and h.status[year] not in ("poor", "near_poor")
        ],
    }


def read_lists(path: Path) -> tuple[dict[str, list[tuple]], dict[str, str], dict[str, int]]:
    """Per list: its rows (No., head, village, members, note), its pages' text, its title year;
    a list's later pages carry no title and belong to the list before."""
    rows: dict[str, list[tuple]] = {}
    text: dict[str, str] = {}
    years: dict[str, int] = {}
    kind = None
    for page in pages(path):
        found = TITLE.search(page)
        if found:
            kind = KINDS[found.group(1)]
            years[kind] = int(found.group(2))
        text[kind] = text.get(kind, "") + page
        for line in page.splitlines():
            m = LIST_ROW.match(line.strip())
            if m:
                no, name, village, size, note = m.groups()
                rows.setdefault(kind, []).append((int(no), name, village, int(size), note or ""))
    return rows, text, years


@pytest.mark.parametrize("commune", COMMUNES_2025)
def test_each_posted_list_holds_exactly_its_households(outputs, commune):
    path = outputs["out"] / "2025" / f"niem-yet-{slug(commune)}-2025.pdf"
    rows, text, years = read_lists(path)
    expected = expected_lists(outputs["households"], commune, 2025)
    assert list(text) == ["poor", "near_poor", "escaped_poor", "escaped_near_poor"]
    for kind, want in expected.items():
        got = rows.get(kind, [])
        assert [r[0] for r in got] == list(range(1, len(want) + 1)), kind  # numbered 1..N
        assert {(r[1], r[2], r[3]) for r in got} == {(h.head_name, h.village, h.size) for h in want}
        members = sum(h.size for h in want)
        assert f"Tổng cộng: {len(want)} hộ, {members} nhân khẩu" in text[kind]
        # Grouped by village: each village's rows are together, the villages in order.
        villages = [r[2] for r in got]
        assert villages == sorted(villages, key=sort_key)
    # A review held in 2025 posts the lists of 2026; the escapes happened in the 2025 review.
    assert years == {"poor": 2026, "near_poor": 2026, "escaped_poor": 2025} | {
        "escaped_near_poor": 2025
    }


def test_notes_say_how_a_household_came_onto_or_went_off_a_list(outputs):
    rows, *_ = read_lists(outputs["out"] / "2025" / "niem-yet-na-hy-2025.pdf")
    by_name = {h.head_name: h for h in outputs["households"]}
    want_poor = {"near_poor": "Từ hộ cận nghèo", "not_poor": "Hộ nghèo phát sinh mới"}
    want_poor["poor"] = ""
    for _, name, _, _, note in rows["poor"]:
        assert note == want_poor[by_name[name].status[2024]], name
    for _, name, _, _, note in rows["escaped_poor"]:
        now = by_name[name].status[2025]
        assert (
            note == {"near_poor": "Nay là hộ cận nghèo", "not_poor": "Nay là hộ không nghèo"}[now]
        )


def test_each_list_page_has_the_header_period_complaints_and_signature(outputs):
    _, text, _ = read_lists(outputs["out"] / "2025" / "niem-yet-na-hy-2025.pdf")
    for kind, page in text.items():
        assert page.startswith("ỦY BAN NHÂN DÂN\nXÃ NÀ HỲ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n")
        assert "Độc lập - Tự do - Hạnh phúc" in page
        assert "Kết quả rà soát năm 2025 - Xã Nà Hỳ" in page, kind
        assert "Thời gian niêm yết: từ ngày 20/11/2025 đến ngày 26/11/2025." in page
        assert (
            "Mọi ý kiến, khiếu nại xin gửi về Ban Chỉ đạo rà soát hộ nghèo, hộ cận nghèo xã Nà Hỳ"
            in page
        )
        assert "Nà Hỳ, ngày ........ tháng ........ năm ........" in page
        assert "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH" in page  # province.toml's commune signer
    assert "Hộ thuộc danh sách hộ nghèo năm 2025 (kết quả rà soát năm 2024)" in text["escaped_poor"]


def test_a_long_list_repeats_its_header_row_on_the_next_page(outputs):
    texts = pages(outputs["out"] / "2025" / "niem-yet-na-hy-2025.pdf")
    assert not TITLE.search(texts[1])  # the poor list runs onto a second page
    assert texts[1].startswith("TT Họ và tên chủ hộ Thôn, bản Số nhân khẩu Ghi chú")


def test_first_year_lists_on_the_old_map_and_no_escape_lists(outputs):
    out = outputs["out"] / "2024"
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"niem-yet-{s}-2024.pdf" for s in ("cha-cang", "na-hy", "sin-thau")]
    rows, text, _ = read_lists(out / "niem-yet-cha-cang-2024.pdf")
    want = expected_lists(outputs["households"], "Chà Cang", 2024)
    assert {r[1] for r in rows["poor"]} == {h.head_name for h in want["poor"]}
    assert "Kết quả rà soát năm 2024 - Xã Chà Cang, huyện Nậm Pồ" in text["poor"]
    assert "Thời gian niêm yết: từ ngày ...../...../.......... đến ngày" in text["poor"]
    for kind in ("escaped_poor", "escaped_near_poor"):
        assert "chưa có kết quả rà soát của năm nào trước năm 2024" in text[kind]
        assert kind not in rows


def certificate_pages(path: Path) -> list[dict[str, str]]:
    out = []
    for page in pages(path):
        fields = {
            "number": re.search(r"Số: (\d{3})/GCN-HN\.HCN", page).group(1),
            "head": re.search(r"Họ và tên chủ hộ: (.+)", page).group(1).strip(),
            "status": re.search(r"Là (hộ (?:cận )?nghèo) năm (\d{4})\.", page).groups(),
            "text": page,
        }
        out.append(fields)
    return out


@pytest.mark.parametrize("commune", COMMUNES_2025)
def test_certificates_one_page_each_numbered_without_gaps(outputs, commune):
    path = outputs["out"] / "2025" / f"giay-chung-nhan-{slug(commune)}-2025.pdf"
    got = certificate_pages(path)
    want = {
        h.head_name: h
        for h in outputs["households"]
        if h.commune == commune and h.status[2025] in ("poor", "near_poor")
    }
    assert [p["number"] for p in got] == [f"{i:03d}" for i in range(1, len(want) + 1)]
    assert sorted(p["head"] for p in got) == sorted(want)
    order = [(sort_key(want[p["head"]].village), sort_key(p["head"])) for p in got]
    assert order == sorted(order)  # by village, then head's name
    for p in got:
        h = want[p["head"]]
        label = {"poor": "hộ nghèo", "near_poor": "hộ cận nghèo"}[h.status[2025]]
        assert p["status"] == (label, "2026")
        text = p["text"]
        assert f"Dân tộc: {h.ethnicity}" in text
        assert f"Nơi thường trú: {h.village}, xã {commune}, tỉnh Điện Biên" in text
        id_line = re.search(r"Số CCCD/Số định danh cá nhân: (.*?)\s+Ngày cấp:", text).group(1)
        assert id_line == (h.head_id_number or "........................")
        assert "Căn cứ Nghị định số 07/2021/NĐ-CP của Chính phủ về chuẩn nghèo đa chiều;" in text
        assert "Căn cứ Quyết định số 24/2021/QĐ-TTg của Thủ tướng Chính phủ" in text
        assert f"Căn cứ kết quả rà soát hộ nghèo, hộ cận nghèo năm 2025 của xã {commune}." in text
        assert "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH" in text
        if h is not outputs["listed"]:
            assert f"1 {h.head_name} {h.ethnicity} Chủ hộ" in text
            assert f"Hộ có {h.size} nhân khẩu" in text


def test_a_certificate_lists_the_members_with_births_under_nam_or_nu(outputs):
    listed = outputs["listed"]
    reader = PdfReader(outputs["out"] / "2025" / "giay-chung-nhan-sin-thau-2025.pdf")
    [page] = [p for p in reader.pages if f"chủ hộ: {listed.head_name}" in p.extract_text()]
    lines = page.extract_text(extraction_mode="layout").splitlines()
    heading = next(line for line in lines if re.search(r"\bNam\s+Nữ\b", line))
    nam, nu = heading.index("Nam"), heading.index("Nữ")
    for i, (name, relation, born, sex) in enumerate(outputs["members"], start=1):
        line = next(line for line in lines if re.match(rf"\s*{i}\s+{re.escape(name)}\s", line))
        assert relation in line and listed.ethnicity in line
        at = line.index(str(born))
        assert (abs(at - nam) < abs(at - nu)) == (sex == "Nam"), line
    assert "nhân khẩu (chưa có danh sách" not in page.extract_text()


def test_the_2026_review_cites_decree_351_and_says_its_standard_is_provisional(outputs):
    [path] = (outputs["out"] / "2026").iterdir()
    assert path.name == "giay-chung-nhan-sin-thau-2026.pdf"
    got = certificate_pages(path)
    want = [h for h in outputs["households"] if h.commune == "Sín Thầu"]
    assert len(got) == sum(h.status[2026] in ("poor", "near_poor") for h in want)
    for p in got:
        assert p["status"][1] == "2027"  # the 2026 review decides the lists of 2027
        assert "Căn cứ Nghị định số 351/2025/NĐ-CP của Chính phủ" in p["text"]
        assert "chuẩn nghèo giai đoạn 2027-2030" in p["text"] and "tạm tính" in p["text"]


def test_files_are_private_and_hold_vietnamese_text(outputs):
    files = sorted(outputs["out"].rglob("*.pdf"))
    assert len(files) == 3 + 3 + 3 + 1
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = "".join(pages(outputs["out"] / "2025" / "giay-chung-nhan-na-hy-2025.pdf"))
    for word in ("Nguyễn", "Điện Biên", "Điêu", "Quàng", "Lường", "Hạnh phúc", "CHỦ TỊCH"):
        assert word in text
    assert not list(outputs["out"].rglob(".*.tmp"))  # no half-written file left


def test_commune_matches_any_spelling_and_the_default_folder_is_internal(
    outputs, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    warehouse = str(outputs["warehouse"])
    for spelling in ("NA HY", "Xã Nà Hỳ", "nà hỳ"):
        assert (
            census(["post", "--year", "2025", "--commune", spelling, "--warehouse", warehouse]) == 0
        )
    [path] = (tmp_path / "reports" / "2025" / "noi-bo").iterdir()
    assert path.name == "niem-yet-na-hy-2025.pdf"
    assert "reports/2025/noi-bo/niem-yet-na-hy-2025.pdf" in capsys.readouterr().out
    assert (
        census(["certificates", "--year", "2025", "--commune", "Hà Nội", "--warehouse", warehouse])
        == 2
    )
    assert "no commune 'Hà Nội' in the 2025 review (known: Mường Chà, Nà Hỳ, Sín Thầu)" in (
        capsys.readouterr().out
    )
    assert census(["post", "--year", "2019", "--warehouse", warehouse]) == 2
    assert "no census year 2019" in capsys.readouterr().out


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm (poppler-utils) not installed")
@pytest.mark.parametrize("name", ["niem-yet-na-hy-2025.pdf", "giay-chung-nhan-sin-thau-2025.pdf"])
def test_pages_render_as_a4_and_are_not_blank(outputs, tmp_path, name):
    path = outputs["out"] / "2025" / name
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "2", str(path), str(tmp_path / "p")],
        check=True,
    )
    rendered = sorted(tmp_path.glob("p-*.png"))
    assert len(rendered) == 2
    for png in rendered:
        image = Image.open(png).convert("L")
        assert image.height / image.width == pytest.approx(297 / 210, rel=0.01)
        dark = sum(image.histogram()[:128]) / (image.width * image.height)
        assert 0.01 < dark < 0.5, (png.name, dark)  # ink on the page, not a black page


def test_an_empty_list_says_so_and_counts_zero():
    import pandas as pd

    import config
    from reporting import posting_lists
    from reporting.household_lists import LISTS, Commune

    empty = pd.DataFrame({"village": [], "household_size": [], "head_name": [], "status": []})
    posting = posting_lists.Posting(
        commune=Commune(2026, "Mường Lay", unit_type="ward"),
        lists=dict.fromkeys(LISTS, empty),
        previous_year=2025,
        standard="2027-2030",
        provisional=True,
    )
    doc = posting_lists.render(posting, config.load_province())
    text = PdfReader(BytesIO(bytes(doc.output()))).pages[0].extract_text()
    assert "DANH SÁCH HỘ NGHÈO NĂM 2027" in text and "PHƯỜNG MƯỜNG LAY" in text
    assert "Không có hộ nào trong danh sách này.\nTổng cộng: 0 hộ, 0 nhân khẩu" in text
    words = " ".join(text.split())  # the sentences wrap where the page does
    assert "chuẩn nghèo giai đoạn 2027-2030 áp dụng trong lần rà soát này còn tạm tính" in words
    assert "Ban Chỉ đạo rà soát hộ nghèo, hộ cận nghèo phường Mường Lay" in words


def test_the_signature_never_stands_alone_on_a_page():
    """A list that filled its last page put the chair's signature alone on the next one (page
    36 of Nà Hỳ's 2026 posting): its last households now go there with it. Tried for every
    length of a list around the ends of its first and second pages."""
    import pandas as pd

    import config
    from reporting import posting_lists
    from reporting.household_lists import LISTS, Commune

    province = config.load_province()
    columns = {"village": [], "household_size": [], "head_name": [], "status": []}
    empty = pd.DataFrame(columns | {"poverty_movement": [], "near_poverty_movement": []})
    alone = []
    for n in (*range(27, 33), *range(62, 68)):
        poor = pd.DataFrame({
            "village": ["Bản Nà Hỳ 1"] * n,
            "household_size": [4] * n,
            "head_name": [f"Lò Văn Hộ {i:03d}" for i in range(n)],
            "status": ["poor"] * n,
            "poverty_movement": ["stayed_poor"] * n,
            "near_poverty_movement": [None] * n,
        })  # fmt: skip
        posting = posting_lists.Posting(
            commune=Commune(2026, "Nà Hỳ", unit_type="commune"),
            lists=dict.fromkeys(LISTS, empty) | {"poor": poor},
            previous_year=2025,
            standard="2027-2030",
            provisional=True,
        )
        doc = posting_lists.render(posting, province)
        texts = [p.extract_text() for p in PdfReader(BytesIO(bytes(doc.output()))).pages]
        signed = next(t for t in texts if "CHỦ TỊCH" in t)  # the poor list's signature page
        rows = re.findall(r"^(\d+) Lò Văn Hộ", signed, re.M)
        if len(rows) < min(3, n):
            alone.append(n)
        assert "Tổng cộng: " in signed and "khiếu nại" in signed
    assert not alone, alone
