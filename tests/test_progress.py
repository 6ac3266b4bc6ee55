"""The `census run` progress bar counts the flow's per-workbook log records; the bar of
`census post` and `census certificates` counts communes."""

from __future__ import annotations

import io
import logging

from flows.progress import FAILED_MSG, LOADED_MSG, ProgressBar, counting, progress


def record(msg: str, *args: object, level: int = logging.INFO) -> logging.LogRecord:
    return logging.makeLogRecord({"msg": msg, "args": args, "levelno": level})


def test_bar_counts_workbooks_rows_and_failures():
    out = io.StringIO()
    bar = ProgressBar(2019, 3, out)
    bar.handle(record("Beginning flow run"))  # not a workbook: no tick
    bar.handle(record(LOADED_MSG, "Mường Nhé", 1500, 20))
    bar.handle(record(FAILED_MSG, "tua-chua.xlsx", "not a workbook", level=logging.ERROR))
    bar.handle(record(FAILED_MSG, "x", "y", level=logging.INFO))  # same shape, not an error
    assert (bar.done, bar.rows, bar.failed) == (2, 1520, 1)
    line = out.getvalue().split("\r\033[K")[-1]
    assert line.startswith("2019 [" + "#" * 20 + "." * 10 + "] 2/3 workbooks, 1 failed, 1,520 rows")
    assert "rows/s" in line and line.endswith("tua-chua.xlsx FAILED")
    bar.close()
    assert out.getvalue().endswith("\n")


def test_no_bar_off_a_terminal():
    out = io.StringIO()  # not a tty
    with progress(2019, 10, stream=out) as bar:
        assert bar is None
    assert out.getvalue() == ""


def test_bar_is_attached_only_while_running():
    logger = logging.getLogger("prefect.flow_runs")
    before = list(logger.handlers)
    with progress(2019, 10, stream=io.StringIO(), force=True) as bar:
        assert bar in logger.handlers
    assert logger.handlers == before


def test_count_bar_counts_communes_on_a_terminal_only():
    out = io.StringIO()
    with counting(2025, 4, "communes", stream=out, force=True) as tick:
        tick("Nà Hỳ")
        tick("Sín Thầu")
    line = out.getvalue().split("\r\033[K")[-1]
    assert line == "2025 [" + "#" * 15 + "." * 15 + "] 2/4 communes  Sín Thầu\n"
    quiet = io.StringIO()  # not a tty
    with counting(2025, 4, "communes", stream=quiet) as tick:
        tick("Nà Hỳ")
    assert quiet.getvalue() == ""
