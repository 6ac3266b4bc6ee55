"""Progress bars in the terminal: `census run` (workbooks done of those found, rows a second),
`census post` and `census certificates` (communes written).

Dependency-free. The run's bar listens to the flow's own log records (the flow logs one record per
district written and one per workbook that failed) rather than reaching into the flow, so the
flow stays orchestration only and runs the same without a terminal. On a terminal the bar
replaces Prefect's per-district INFO lines; elsewhere (CI, a pipe) it prints nothing.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

# The flow's messages (flows/census_flow.py) this bar counts.
LOADED_MSG = "%s: %s households read, %s rows rejected"
FAILED_MSG = "%s: %s"
FLOW_LOGGER = "prefect.flow_runs"
WIDTH = 30


class ProgressBar(logging.Handler):
    """Counts the flow's per-workbook records and redraws one status line."""

    def __init__(self, year: int, total: int, stream: TextIO) -> None:
        super().__init__(level=logging.INFO)
        self.year, self.total, self.stream = year, max(total, 1), stream
        self.done = self.rows = self.failed = 0
        self.last = ""
        self.seen, self.started = False, time.perf_counter()

    def emit(self, record: logging.LogRecord) -> None:
        if not self.seen:  # the flow's first record: time from here, not from server start-up
            self.seen, self.started = True, time.perf_counter()
        if record.msg == LOADED_MSG and len(record.args or ()) == 3:
            district, loaded, rejected = record.args
            self.rows += int(loaded) + int(rejected)
            self.last = str(district)
        elif record.msg == FAILED_MSG and record.levelno >= logging.ERROR:
            self.failed += 1
            self.last = f"{record.args[0]} FAILED"
        else:
            return
        self.done += 1
        self.draw()

    def line(self) -> str:
        filled = min(WIDTH, WIDTH * self.done // self.total)
        seconds = max(time.perf_counter() - self.started, 1e-9)
        failed = f", {self.failed} failed" if self.failed else ""
        return (
            f"{self.year} [{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total} "
            f"workbooks{failed}, {self.rows:,} rows, {self.rows / seconds:,.0f} rows/s  "
            f"{self.last}"
        )

    def draw(self) -> None:
        self.stream.write("\r\033[K" + self.line())
        self.stream.flush()

    def close(self) -> None:
        if self.done:
            self.stream.write("\n")
            self.stream.flush()
        super().close()


@contextmanager
def progress(year: int, total: int, stream: TextIO | None = None, force: bool = False):
    """Show the bar while the block runs (only on a terminal unless `force`)."""
    stream = stream or sys.stderr
    if not (force or stream.isatty()):
        yield None
        return
    bar = ProgressBar(year, total, stream)
    logger = logging.getLogger(FLOW_LOGGER)
    # Prefect's console handler (on the root logger) would print each district's line through
    # the bar: quiet it to warnings for the run (errors and warnings still show).
    consoles = [h for h in logging.getLogger().handlers if h.level < logging.WARNING]
    levels = [h.level for h in consoles]
    logger_level = logger.level
    for h in consoles:
        h.setLevel(logging.WARNING)
    logger.addHandler(bar)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield bar
    finally:
        logger.removeHandler(bar)
        logger.setLevel(logger_level)
        for h, level in zip(consoles, levels, strict=True):
            h.setLevel(level)
        bar.close()


class CountBar:
    """A bar of things done of a known total (`census post`, `census certificates`: communes
    written), redrawn on one line: `2025 [#####.....] 3/45 communes  Nà Hỳ`."""

    def __init__(self, year: int, total: int, unit: str, stream: TextIO) -> None:
        self.year, self.total, self.unit, self.stream = year, max(total, 1), unit, stream
        self.done, self.last = 0, ""

    def tick(self, name: str) -> None:
        self.done += 1
        self.last = name
        filled = min(WIDTH, WIDTH * self.done // self.total)
        self.stream.write(
            f"\r\033[K{self.year} [{'#' * filled}{'.' * (WIDTH - filled)}] "
            f"{self.done}/{self.total} {self.unit}  {self.last}"
        )
        self.stream.flush()


@contextmanager
def counting(
    year: int, total: int, unit: str, stream: TextIO | None = None, force: bool = False
) -> Iterator[Callable[[str], None]]:
    """Yield a function to call once per thing done; it draws the bar on a terminal (or when
    `force`) and does nothing elsewhere."""
    stream = stream or sys.stderr
    if not (force or stream.isatty()):
        yield lambda name: None
        return
    bar = CountBar(year, total, unit, stream)
    try:
        yield bar.tick
    finally:
        if bar.done:
            stream.write("\n")
            stream.flush()
