"""One workbook's way from file to warehouse load: read -> validate -> classify -> UnitLoad.

Plain functions, no Prefect: the flow's task wraps `process_workbook` (flows/tasks.py), and
anything that checks a workbook without a warehouse can call it too. No rule or threshold
lives here: reading is `workbooks.reader`, rules are `schemas`, maths is `transforms`, the
warehouse's shapes are `warehouse.writer`. This module assembles their outputs into the frames
one unit-year contributes, and writes the officer's error workbook beside them.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pandas as pd

import config
from schemas.duplicates import cross_workbook_findings
from schemas.headers import PERSONAL_KEYS
from schemas.household import TEXT_KEYS, validate
from schemas.rules import findings
from transforms.classify import classify_with_standard
from transforms.normalise import canonical_district, district_named_in
from warehouse.run import now
from warehouse.writer import UnitLoad, text_map
from workbooks.error_report import write_error_workbook
from workbooks.reader import WorkbookRead, read_workbook, with_cell_findings

MASK = "***"  # personal values never leave the private schema
logger = logging.getLogger(__name__)


def process_workbook(
    path: Path,
    year: int,
    province: config.Province,
    *,
    reports_dir: Path | None = None,
    held: pd.DataFrame | None = None,
    timings: dict[str, float] | None = None,
) -> UnitLoad:
    """Read, validate and classify one workbook (raises WorkbookError if unreadable).

    `held`: the year's rows in other workbooks that share an id with this one (HH031, from
    the warehouse); those rows are rejected here. `reports_dir`: where its error workbook goes
    (none written without it). `timings`, when given, receives the seconds each stage took
    (read, validate, classify, assemble): where the time goes, for `make bench`."""
    lap = _Laps(timings)
    standard = config.standard_for_year(year)
    read = read_workbook(path)
    lap("read")
    thousand = frozenset(layout.sheet for layout in read.layouts if layout.thousand_dong)
    checked = validate(read.rows, year, province, standard, thousand)
    checked = with_cell_findings(checked, read)  # merged cells, formula errors (HH040, HH041)
    households = checked.households
    unit = _workbook_district(households, read.rows, province)
    lap("validate")
    status = classify_with_standard(households, standard)
    lap("classify")
    rejections = pd.concat(
        [_row_findings(read, checked.findings), _notices(read, thousand, unit, province)],
        ignore_index=True,
    )
    rejected = set(checked.findings.loc[checked.findings["severity"] == "error", "row"])
    meta = read.rows.loc[households.index, ["source_file", "sheet", "excel_row"]]
    households = pd.concat(
        [
            households.drop(columns=standard.indicator_keys),
            status[["deprived_indicators"]],
            meta.assign(file_hash=read.file_hash),
        ],
        axis=1,
    )
    if held is not None:  # HH031: ids also in another workbook of the year leave this one
        duplicates = cross_workbook_findings(households, held)
        rejections = pd.concat([rejections, duplicates], ignore_index=True)
        rejected |= set(duplicates.index)
        households, status = households.drop(duplicates.index), status.drop(duplicates.index)
    load = UnitLoad(
        year=year,
        unit=unit,
        source_file=path.name,
        file_hash=read.file_hash,
        raw=_raw_rows(read, year, unit),
        households=households,
        classifications=pd.concat(
            [
                households[["year", "household_id", "district"]],
                status[
                    ["standard", "basis", "status", "poverty_kind", "deprivation_count", "reason"]
                ],
            ],
            axis=1,
        ),
        private=read.rows.reindex(
            columns=["household_id", "source_file", "sheet", "excel_row", *PERSONAL_KEYS]
        ).assign(year=year, district=unit),
        rejections=rejections.assign(year=year, district=unit, file_hash=read.file_hash),
        file_record=_file_record(read, year, unit, len(households), len(rejected), checked),
    )
    lap("assemble")
    if reports_dir is not None:
        load.report = _error_workbook(read, load, reports_dir)
        lap("reports")
    return load


def _file_record(
    read: WorkbookRead, year: int, unit: str, loaded: int, rejected: int, checked
) -> dict[str, object]:
    """The workbook's line in audit.ingest_files: every row read is loaded, rejected or
    skipped as blank, totals or signature, and counted."""
    skipped = read.skipped["kind"].value_counts()
    return {
        "year": year,
        "district": unit,
        "source_file": read.path.name,
        "file_hash": read.file_hash,
        "status": "loaded" if loaded else "no_valid_rows",
        "rows_read": read.rows_read,
        "rows_loaded": loaded,
        "rows_rejected": rejected,
        "rows_blank": int(skipped.get("blank", 0)),
        "rows_totals": int(skipped.get("totals", 0)),
        "rows_signature": int(skipped.get("signature", 0)),
        "warnings": int((checked.findings["severity"] == "warning").sum()),
        "message": None,
        "recorded_at": now(),
    }


def _error_workbook(read: WorkbookRead, load: UnitLoad, reports_dir: Path) -> str | None:
    """The officer's error workbook; a failure to write it is logged, never fatal (the
    warehouse is the record)."""
    try:
        path = write_error_workbook(read, load.rejections, load.year, load.unit, reports_dir)
    except Exception as exc:
        logger.warning("%s: error workbook not written: %s", load.source_file, exc)
        return None
    return None if path is None else str(path)


class _Laps:
    """Adds the seconds since the previous lap to `timings[stage]` (nothing when None)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings, self.last = timings, time.perf_counter()

    def __call__(self, stage: str) -> None:
        now_ = time.perf_counter()
        if self.timings is not None:
            self.timings[stage] = self.timings.get(stage, 0.0) + now_ - self.last
        self.last = now_


def _workbook_district(
    households: pd.DataFrame, rows: pd.DataFrame, province: config.Province
) -> str:
    """The district a workbook is about: read from its cells, never from its file name."""
    names = households["district"].dropna()
    if names.empty:
        names = canonical_district(rows["district"], province).dropna()
    if names.empty:
        return "(unknown)"
    return str(names.mode().iloc[0])


def _raw_rows(read: WorkbookRead, year: int, unit: str) -> pd.DataFrame:
    """Every data row as read, as text; personal columns stay in the private schema."""
    rows = read.rows
    indicator_keys = [k for k in config.all_indicator_keys() if k in rows.columns]
    extra = [c for c in rows.columns if c.startswith("extra:")]
    base = [k for k in TEXT_KEYS if k not in PERSONAL_KEYS]
    raw = rows.reindex(columns=["source_file", "sheet", "excel_row", *base, *indicator_keys])
    raw = raw.assign(year=year, workbook_district=unit, file_hash=read.file_hash)
    raw["extra"] = pd.arrays.ArrowExtensionArray(
        text_map(rows.rename(columns=lambda c: c.removeprefix("extra:")), [e[6:] for e in extra])
    )
    return raw


def _row_findings(read: WorkbookRead, checked: pd.DataFrame) -> pd.DataFrame:
    """Validation findings with the file, sheet, Excel row and header an officer looks for;
    personal values masked."""
    where = read.rows.loc[checked["row"], ["source_file", "sheet", "excel_row", "household_id"]]
    where = where.reset_index(drop=True)
    labels = {
        (layout.sheet, key): label
        for layout in read.layouts
        for key, label in layout.columns.items()
    }
    keys = checked["column_key"].reset_index(drop=True)
    value = checked["value"].astype("str").reset_index(drop=True)
    value = value.where(~(keys.isin(PERSONAL_KEYS) & value.notna()), MASK)
    return findings(
        checked["rule_code"].reset_index(drop=True),
        checked["detail"].reset_index(drop=True),
        **where,
        column_key=keys,
        column_name=pd.Series(
            [labels.get((s, k), k) for s, k in zip(where["sheet"], keys, strict=True)],
            dtype="str",
        ),
        value=value,
    )


def _notices(
    read: WorkbookRead, thousand_dong_sheets: frozenset[str], unit: str, province: config.Province
) -> pd.DataFrame:
    """Workbook- and sheet-level findings (unknown columns, totals, units, encoding, a file
    name naming another district) as audit rows."""
    notices = list(read.notices) + [
        {"sheet": s, "code": "WB007", "detail": "income scaled x1000"} for s in thousand_dong_sheets
    ]
    named = district_named_in(read.path.stem, province)
    if named is not None and named != unit:
        notices.append({"code": "WB009", "detail": f"file name: {named}; cells: {unit}"})
    frame = pd.DataFrame(notices, columns=["sheet", "excel_row", "code", "detail"])
    return findings(
        frame["code"],
        frame["detail"],
        source_file=pd.Series(read.path.name, frame.index),
        sheet=frame["sheet"],
        excel_row=frame["excel_row"],
    )
