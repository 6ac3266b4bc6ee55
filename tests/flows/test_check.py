"""`census check FILE...`: an officer checks a workbook before sending or rerunning it. Real
workbooks (tests/factory.py), the flow's own per-workbook pipeline, no warehouse, no Prefect."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flows import cli
from tests.factory import household, write_workbook
from tests.reliability import hostile

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = cli.main(["check", *args])
    return code, capsys.readouterr().out


def test_a_clean_workbook_passes(folder, capsys):
    write_workbook(folder / "raw" / "2019" / "muong-nhe.xlsx", [household(i) for i in range(1, 6)])
    code, out = check(capsys, "raw/2019/muong-nhe.xlsx")
    assert code == 0, out
    assert "raw/2019/muong-nhe.xlsx (2019): ĐẠT" in out  # the year from the folder's name
    assert "số dòng đọc / rows read: 8" in out  # with the totals row, a blank, the signature
    assert "dòng bỏ qua (trống, tổng cộng, chữ ký, tiêu đề) / rows skipped: 3" in out
    assert "hộ sẽ được nạp / households that would load: 5" in out
    assert "dòng bị loại / rows rejected: 0" in out
    assert not (folder / "reports").exists()  # nothing to correct: no error workbook


def test_rejected_rows_are_counted_by_rule_in_vietnamese_first(folder, capsys):
    rows = [household(i) for i in range(1, 6)]
    rows += [household(6, household_size=45), household(7, household_size=46)]
    rows += [household(8, income_per_capita="nhiều")]
    write_workbook(folder / "raw" / "2019" / "muong-nhe.xlsx", rows)
    code, out = check(capsys, "raw/2019/muong-nhe.xlsx")
    assert code == 1, out
    assert "CÓ LỖI" in out
    assert "hộ sẽ được nạp / households that would load: 5" in out
    assert "dòng bị loại / rows rejected: 3" in out
    lines = out.splitlines()
    hh023 = next(line for line in lines if "HH023" in line)
    hh011 = next(line for line in lines if "HH011" in line)
    assert "2 dòng / rows" in hh023 and "1 dòng / rows" in hh011
    assert lines.index(hh023) < lines.index(hh011)  # most rows first
    assert hh011.endswith("Thu nhập không phải là số / income is not a number")
    report = folder / "reports" / "2019" / "muong-nhe-loi.xlsx"
    assert report.is_file() and f"tệp báo lỗi / error workbook: {Path('reports/2019')}" in out

    # The officer fixes the rows; the check passes and the stale error workbook goes.
    write_workbook(folder / "raw" / "2019" / "muong-nhe.xlsx", [household(i) for i in range(1, 9)])
    code, out = check(capsys, "raw/2019/muong-nhe.xlsx")
    assert code == 0, out
    assert not report.exists()

    # A warning (an implausible income) keeps the row: the check passes and says so.
    rows = [household(i) for i in range(1, 8)] + [household(8, income_per_capita=20_000)]
    write_workbook(folder / "raw" / "2019" / "muong-nhe.xlsx", rows)
    code, out = check(capsys, "raw/2019/muong-nhe.xlsx")
    assert code == 0 and "ĐẠT, có cảnh báo / OK, with warnings" in out, out
    warnings = report.with_name("muong-nhe-canh-bao.xlsx")  # rows kept: a warnings workbook
    assert "HW001  1 dòng / rows" in out and warnings.is_file() and not report.exists()
    assert (
        f"tệp cảnh báo / warnings workbook: {Path('reports/2019/muong-nhe-canh-bao.xlsx')}" in out
    )


def test_year_from_the_option_or_the_folder(folder, capsys):
    write_workbook(folder / "muong-nhe.xlsx", [household(i) for i in range(1, 3)])
    code, out = check(capsys, "muong-nhe.xlsx")
    assert code == 2 and "không rõ năm rà soát" in out and "--year" in out
    code, out = check(capsys, "muong-nhe.xlsx", "--year", "2019")
    assert code == 0 and "muong-nhe.xlsx (2019): ĐẠT" in out


def test_a_notice_about_sheets_names_them(folder, capsys):
    """A finding about a sheet (WB010: its name taken as the commune) was said to be about
    the whole workbook ("cả tệp"); it names its sheets."""
    rows = {"Sín Thầu": [household(1)], "Chung Chải": [household(2)]}
    path = folder / "raw" / "2019" / "muong-nhe.xlsx"
    write_workbook(path, [], sheets=rows, omit=("commune",))
    code, out = check(capsys, "raw/2019/muong-nhe.xlsx")
    assert code == 0, out
    assert "WB010  trang tính / sheet Chung Chải, Sín Thầu: " in out and "cả tệp" not in out


def test_a_folder_stands_for_its_workbooks(folder, capsys):
    """`census check raw/2019` checks every workbook there, as the run would read them (not
    Excel's lock file, not the parts list); a folder without any says so and exits 2."""
    raw = folder / "raw" / "2019"
    write_workbook(raw / "muong-nhe.xlsx", [household(i) for i in range(1, 3)])
    lay = {"district": "Mường Lay", "commune": "Sông Đà"}
    write_workbook(raw / "muong-lay.xlsx", [household(9, household_size=45, **lay)])
    (raw / "~$muong-nhe.xlsx").write_bytes(b"lock")
    (raw / "_parts.csv").write_text("unit,file\n")
    code, out = check(capsys, "raw/2019")
    assert code == 1, out
    assert "raw/2019/muong-lay.xlsx (2019): CÓ LỖI" in out
    assert "raw/2019/muong-nhe.xlsx (2019): ĐẠT" in out
    assert "~$" not in out and "_parts" not in out
    # A name that lost its extension, or has a space after it, or a template's: read, where
    # they were passed over without a word (the run "completed" without those communes).
    shutil.copy(raw / "muong-nhe.xlsx", raw / "muong-cha")
    shutil.copy(raw / "muong-nhe.xlsx", raw / "tua-chua.xlsx ")
    shutil.copy(raw / "muong-nhe.xlsx", raw / "nam-po.xltx")
    (raw / "ghi-chu").write_text("not a spreadsheet", "utf-8")  # not one: left alone
    code, out = check(capsys, "raw/2019")
    for name in ("muong-cha", "tua-chua.xlsx ", "nam-po.xltx"):
        assert f"raw/2019/{name} (2019): ĐẠT" in out, out
    assert "ghi-chu" not in out
    for name in ("muong-cha", "tua-chua.xlsx ", "nam-po.xltx", "ghi-chu"):
        (raw / name).unlink()
    # A list saved in another format is named with what to do, never passed over; an .xlsm
    # (an .xlsx with macros, never run) is read.
    (raw / "muong-lay.xlsx").rename(raw / "muong-lay.xlsm")
    (raw / "muong-cha.csv").write_text("Mã hộ,Họ và tên chủ hộ\nMC-1,Lò Văn A\n", "utf-8")
    code, out = check(capsys, "raw/2019")
    assert code == 2, out
    assert "raw/2019/muong-lay.xlsm (2019): CÓ LỖI" in out
    assert "raw/2019/muong-cha.csv (2019): KHÔNG ĐỌC ĐƯỢC" in out
    assert "the file is text (CSV); open it in Excel or LibreOffice and save it as .xlsx" in out
    # A folder holding workbooks is refused as a whole; one named _... is the province's own.
    write_workbook(raw / "cu" / "muong-nhe.xlsx", [household(1)])
    write_workbook(raw / "_luu" / "muong-nhe.xlsx", [household(1)])
    code, out = check(capsys, "raw/2019")
    assert "raw/2019/cu (2019): KHÔNG ĐỌC ĐƯỢC" in out and "a folder, not a workbook" in out
    assert "_luu" not in out
    (folder / "empty").mkdir()
    code, out = check(capsys, "empty", "--year", "2019")
    assert code == 2 and "không có tệp Excel (.xlsx, .xlsm, .xls) nào" in out


def test_unreadable_and_refused_workbooks(folder, capsys, monkeypatch):
    raw = folder / "raw" / "2019"
    raw.mkdir(parents=True)
    (raw / "broken.xlsx").write_bytes(b"this is not a spreadsheet")
    write_workbook(raw / "muong-nhe.xlsx", [household(i) for i in range(1, 4)])
    code, out = check(capsys, str(raw / "broken.xlsx"), str(raw / "missing.xlsx"))
    assert code == 2
    assert out.count("KHÔNG ĐỌC ĐƯỢC") == 4  # each file's verdict and reason
    assert "WB020 Tệp không phải bảng tính Excel" in out

    # Read, then refused: a file over the size limit (workbooks/guard.py) ...
    monkeypatch.setenv("CENSUS_MAX_FILE_BYTES", "1000")
    code, out = check(capsys, str(raw / "muong-nhe.xlsx"))
    assert code == 1 and "BỊ TỪ CHỐI / refused: WB022" in out
    monkeypatch.delenv("CENSUS_MAX_FILE_BYTES")
    # ... or a workbook with no valid household (a run keeps the unit's loaded data).
    write_workbook(raw / "muong-nhe.xlsx", [household(1, household_size=45)])
    code, out = check(capsys, str(raw / "muong-nhe.xlsx"))
    assert code == 1 and "BỊ TỪ CHỐI / refused: WB006" in out
    # The worst of several files decides.
    code, out = check(capsys, str(raw / "muong-nhe.xlsx"), str(raw / "broken.xlsx"))
    assert code == 2


def test_a_file_refused_unread_says_what_to_do_in_vietnamese_first(folder, capsys):
    """The officer reads Vietnamese only: a file refused before any row is read is explained,
    with its fix, in Vietnamese, then in English for scripts and analysts; the file is named
    once, on its own line."""
    raw = folder / "raw" / "2019"
    raw.mkdir(parents=True)
    (raw / "csv.xlsx").write_text("Mã hộ,Họ và tên chủ hộ\nMN-1,Lò Văn A\n", "utf-8")
    code, out = check(capsys, "raw/2019/csv.xlsx")
    assert code == 2, out
    assert out.splitlines()[1] == (
        "  KHÔNG ĐỌC ĐƯỢC / cannot be read: WB020 Tệp không phải bảng tính Excel: tệp là văn "
        "bản (CSV); mở bằng Excel hoặc LibreOffice rồi lưu lại thành .xlsx / the file is not a "
        "spreadsheet: not a spreadsheet: the file is text (CSV); open it in Excel or "
        "LibreOffice and save it as .xlsx"
    )
    hostile.password_protected(raw / "locked.xlsx")
    (raw / "scan.xlsx").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    code, out = check(capsys, "raw/2019/locked.xlsx", "raw/2019/scan.xlsx")
    assert code == 2, out
    for vietnamese, english in (
        (
            "WB023 Tệp có đặt mật khẩu: gỡ mật khẩu trong Excel (Tệp > "
            "Thông tin > Bảo vệ sổ làm việc) rồi gửi lại",
            "remove the password in Excel (File > Info > Protect Workbook) and send it again",
        ),
        ("WB020 Tệp không phải bảng tính Excel: tệp là bản PDF", "the file is a PDF"),
    ):
        [line] = [line for line in out.splitlines() if vietnamese in line]
        assert line.index(vietnamese) < line.index(english), line
    assert "BỊ TỪ CHỐI / refused: WB023" in out  # read, and refused (exit 1 alone)
    assert "locked.xlsx:" not in out and "scan.xlsx:" not in out  # not named again


def test_check_imports_no_prefect_and_starts_no_server(folder):
    write_workbook(folder / "raw" / "2019" / "muong-nhe.xlsx", [household(i) for i in range(1, 3)])
    probe = (
        "import sys; from flows.cli import main; code = main(['check', 'raw/2019/muong-nhe.xlsx']);"
        " assert not [m for m in sys.modules if m.split('.')[0] == 'prefect'], 'prefect'; "
        "sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=folder, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_output_cut_short_by_its_reader_is_no_crash(folder):
    """`census check raw/2019 | head`: the reader closes the pipe; Python printed a traceback
    of BrokenPipeError. The command ends quietly with SIGPIPE's status (141)."""
    write_workbook(folder / "raw" / "2019" / "muong-nhe.xlsx", [household(i) for i in range(1, 3)])
    probe = "import sys; from flows.launch import main; sys.exit(main(['check', 'raw/2019']))"
    proc = subprocess.Popen(
        [sys.executable, "-c", probe], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # before its first line: every write meets a closed pipe
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 141 and b"Traceback" not in err, err.decode()
