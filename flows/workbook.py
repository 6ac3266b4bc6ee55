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
from schemas.duplicates import copied_sheets, cross_workbook_findings
from schemas.headers import PERSONAL_KEYS, income_scaling
from schemas.household import (
    TEXT_KEYS,
    SheetFacts,
    Validation,
    implausible_income_sheets,
    sheet_findings,
    stray_units,
    validate,
    with_cell_findings,
)
from schemas.other_sheets import members, resident_totals
from schemas.replacement import (
    DEFAULT_MAX_REJECTED_SHARE,
    DEFAULT_MIN_REJECTED_ROWS,
    workbook_refusal,
)
from schemas.rules import findings
from transforms.classify import classify_with_standard
from transforms.units import unit_named_in
from warehouse.run import now
from warehouse.writer import UnitLoad, text_map
from workbooks.error_report import write_error_workbook
from workbooks.reader import (
    SKIPPED_KINDS,
    WorkbookRead,
    fill_districts_from_titles,
    read_workbook,
)

MASK = "***"  # personal values never leave the private schema
META = ["source_file", "sheet", "excel_row"]
CLASSIFIED = ["standard", "basis", "status", "poverty_kind", "deprivation_count", "reason"]
logger = logging.getLogger(__name__)


def process_workbook(
    path: Path,
    year: int,
    province: config.Province,
    *,
    reports_dir: Path | None = None,
    held: pd.DataFrame | None = None,
    refusal: tuple[str, str] | None = None,
    timings: dict[str, float] | None = None,
) -> UnitLoad:
    """Read, validate and classify one workbook (raises WorkbookError if unreadable), and say
    whether it may replace its units (schemas/replacement.py: `UnitLoad.refused`).

    `held`: the year's rows in other workbooks that share an id with this one (HH031, from
    the warehouse); those rows are rejected here. `refusal`: (rule code, detail) when the run
    refuses the workbook for what only the whole year shows (another workbook of the same unit,
    last year's list). `reports_dir`: where its error workbook goes (none written without it).
    `timings`, when given, receives the seconds each stage took (read, validate, classify,
    assemble): where the time goes, for `make bench`."""
    lap = _Laps(timings)
    standard = config.standard_for_year(year)
    read = read_workbook(path, year)
    if province.map(year).has_districts:
        fill_districts_from_titles(read)
    lap("read")
    structure, sheets = sheet_findings(
        {layout.sheet: {*layout.columns, "commune"} for layout in read.layouts},
        standard,
        province.map(year).has_districts,
        tuple((layout.sheet, layout.income_unit) for layout in read.layouts),
        {layout.sheet: layout.title_years for layout in read.layouts},
        year,
    )
    checked = validate(read.rows, year, province, standard, sheets)
    checked = with_cell_findings(checked, read.cell_findings)  # HH040, HH041, HH042
    units, row_units = _reporting_units(checked.row_units, province, year)
    lap("validate")
    status = classify_with_standard(checked.households, standard)
    lap("classify")
    households = pd.concat(
        [
            checked.households.drop(columns=standard.indicator_keys),
            status[["deprived_indicators"]],
            read.rows.loc[checked.households.index, ["source_file", "sheet", "excel_row"]],
        ],
        axis=1,
    ).assign(file_hash=read.file_hash)
    least = int(province.meta.get("min_rejected_rows", DEFAULT_MIN_REJECTED_ROWS))
    structure = pd.concat(
        [
            structure,
            implausible_income_sheets(households, standard, least),
            copied_sheets(read.rows["sheet"], checked.row_ids),
        ],
        ignore_index=True,
    )
    rejections = pd.concat(
        [
            _row_findings(read, checked.findings),
            _notices(read, structure, sheets, units[0], province, year),
        ],
        ignore_index=True,
    )
    rejected = set(checked.findings.loc[checked.findings["severity"] == "error", "row"])
    totals, members, found = _other_sheets(read, year, province, units, households)
    rejections = pd.concat([rejections, found], ignore_index=True)
    if held is not None:  # HH031: ids also in another workbook of the year leave this one
        duplicates = cross_workbook_findings(households, held)
        rejections = pd.concat([rejections, duplicates], ignore_index=True)
        rejected |= set(duplicates.index)
        households, status = households.drop(duplicates.index), status.drop(duplicates.index)
    rejections, refused = _refused(
        rejections, path.name, len(households), len(rejected), province, refusal
    )
    load = UnitLoad(
        year=year,
        units=units,
        source_file=path.name,
        file_hash=read.file_hash,
        raw=_raw_rows(read, year, row_units),
        households=households,
        classifications=pd.concat(
            [households[["year", "household_id", "reporting_unit"]], status[CLASSIFIED]], axis=1
        ),
        private=_private_rows(read.rows, year, row_units, checked),
        rejections=rejections.assign(year=year, reporting_unit=units[0], file_hash=read.file_hash),
        file_record=_file_record(read, year, units, len(households), len(rejected), checked)
        | ({"status": "refused", "message": refused} if refused else {}),
        refused=refused,
        resident_totals=totals,
        members=members,
    )
    lap("assemble")
    if reports_dir is not None:
        load.report = _error_workbook(read, load, reports_dir)
        lap("reports")
    return load


def _other_sheets(
    read: WorkbookRead,
    year: int,
    province: config.Province,
    units: list[str],
    households: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The resident totals and the members the workbook carries (empty when it carries none),
    and their findings."""
    district = units[0] if province.map(year).has_districts else None
    listed = households.groupby("commune").size()
    totals, totals_found = resident_totals(
        read.resident_totals, read.path.name, year, province, district, listed
    )
    unit_of = households.set_index("household_id")["reporting_unit"]
    people, people_found = members(read.members, read.path.name, year, unit_of.index, unit_of)
    return totals, people, pd.concat([totals_found, people_found], ignore_index=True)


def _private_rows(
    rows: pd.DataFrame, year: int, row_units: pd.Series, checked: Validation
) -> pd.DataFrame:
    """The personal columns of every row, for the private schema only: the id in its
    canonical form (joins to core), an ID number's lost leading zero restored (HW002). Both
    as validation computed them for every row of `rows` (they were computed here a second
    time: _private_rows 0.37 -> 0.02 s for the sample province)."""
    private = rows.reindex(columns=["household_id", *META, *PERSONAL_KEYS])
    return private.assign(
        year=year,
        reporting_unit=row_units,
        household_id=checked.row_ids,
        head_id_number=checked.id_numbers.fillna(private["head_id_number"]),
    )


def _refused(
    rejections: pd.DataFrame,
    source_file: str,
    loaded: int,
    rejected: int,
    province: config.Province,
    refusal: tuple[str, str] | None,
) -> tuple[pd.DataFrame, str | None]:
    """The workbook's findings, with why it may not replace its units (WB017) when it may
    not, and that reason (None when it may)."""
    if refusal is not None:
        code, detail = refusal
        given = findings(code, detail, source_file=source_file)
        rejections = pd.concat([rejections, given], ignore_index=True)
        reason = given["rule"].iloc[0]
    else:
        share = float(province.meta.get("max_rejected_share", DEFAULT_MAX_REJECTED_SHARE))
        least = int(province.meta.get("min_rejected_rows", DEFAULT_MIN_REJECTED_ROWS))
        reason = workbook_refusal(rejections, loaded, rejected, share, least)
    if reason is None:
        return rejections, None
    kept = findings("WB017", reason, source_file=source_file)
    return pd.concat([rejections, kept], ignore_index=True), kept["rule"].iloc[0]


def _reporting_units(
    row_units: pd.Series, province: config.Province, year: int
) -> tuple[list[str], pd.Series]:
    """The units the workbook replaces, read from its cells, never from its file name: its
    district up to the 2024 review (one a workbook: HH032), from 2025 each commune it lists
    (a commune's own workbook, or the province's export of all), but one only a few rows name
    beside another (a slip: HH043); and each row's unit, rows naming none taking the
    workbook's (raw and private rows are replaced with their unit)."""
    named = row_units.dropna()
    has_districts = province.map(year).has_districts
    if not has_districts:
        named = named[~stray_units(named)]
    if named.empty:
        units = ["(unknown)"]
    elif has_districts:
        units = [str(named.mode().iloc[0])]
    else:
        units = sorted(named.unique())
    return units, row_units.fillna(units[0]).where(row_units.isin(units), units[0])


def _file_record(
    read: WorkbookRead, year: int, units: list[str], loaded: int, rejected: int, checked
) -> dict[str, object]:
    """The workbook's line in audit.ingest_files: every row read is loaded, rejected or
    skipped as blank, totals, signature or heading, and counted."""
    skipped = read.skipped["kind"].value_counts()
    return {
        "year": year,
        "reporting_unit": ", ".join(units),
        "source_file": read.path.name,
        "file_hash": read.file_hash,
        "status": "loaded" if loaded else "no_valid_rows",
        "rows_read": read.rows_read,
        "rows_loaded": loaded,
        "rows_rejected": rejected,
        **{f"rows_{kind}": int(skipped.get(kind, 0)) for kind in SKIPPED_KINDS},
        "warnings": int((checked.findings["severity"] == "warning").sum()),
        "message": None,
        "recorded_at": now(),
    }


def _error_workbook(read: WorkbookRead, load: UnitLoad, reports_dir: Path) -> str | None:
    """The officer's error workbook's path (`<unit>-loi.xlsx`; `<unit>-canh-bao.xlsx` when it
    holds warnings only, so the path says so), or None when there is nothing to report; a
    failure to write it is logged, never fatal (the warehouse is the record)."""
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


def _raw_rows(read: WorkbookRead, year: int, row_units: pd.Series) -> pd.DataFrame:
    """Every data row as read, as text; personal columns stay in the private schema."""
    rows = read.rows
    indicator_keys = [k for k in config.all_indicator_keys() if k in rows.columns]
    extra = [c for c in rows.columns if c.startswith("extra:")]
    base = [k for k in TEXT_KEYS if k not in PERSONAL_KEYS]
    raw = rows.reindex(columns=[*META, *base, *indicator_keys])
    raw = raw.assign(year=year, reporting_unit=row_units, file_hash=read.file_hash)
    # The unknown columns alone, then named by their labels: a label that is also a column's
    # key ("household_id" in an analyst's export) never meets that column.
    unknown = rows[extra].rename(columns=lambda c: c.removeprefix("extra:"))
    raw["extra"] = pd.arrays.ArrowExtensionArray(text_map(unknown, [e[6:] for e in extra]))
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
    read: WorkbookRead,
    structure: pd.DataFrame,
    sheets: SheetFacts,
    unit: str,
    province: config.Province,
    year: int,
) -> pd.DataFrame:
    """Workbook- and sheet-level findings (missing or foreign columns, unknown columns,
    totals, units, encoding, a file name naming another unit) as audit rows."""
    notices = [
        *read.notices,
        *structure.to_dict("records"),
        *(
            {"sheet": s, "code": "WB007", "detail": income_scaling(unit)}
            for s, unit in sheets.income_units
            if unit != 1
        ),
    ]
    named = unit_named_in(read.path.stem, province, year)
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
