"""The work done per workbook, as plain functions: read -> validate -> classify -> one load.

No rule or threshold lives here: reading is `workbooks.reader`, rules are `schemas`, maths is
`transforms`, SQL is `warehouse`. These functions assemble their outputs into the frames one
district-year contributes to the warehouse, and are wrapped as Prefect tasks in census_flow.py.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

import config
from schemas.headers import PERSONAL_KEYS
from schemas.household import TEXT_KEYS, cross_workbook_duplicates, validate
from schemas.rules import RULES
from transforms.classify import classify
from transforms.normalise import canonical_district, district_named_in
from warehouse.writer import DistrictLoad, text_map
from workbooks.reader import WorkbookRead, read_workbook

MASK = "***"  # personal values never leave the private schema


def process_workbook(
    path: Path, year: int, province: config.Province, timings: dict[str, float] | None = None
) -> DistrictLoad:
    """Read, validate and classify one district workbook (raises WorkbookError if unreadable).

    `timings`, when given, receives the seconds each stage took (read, validate, classify,
    assemble): orchestration's view of where the time goes, reported by `make bench`."""
    lap = _Laps(timings)
    read = read_workbook(path)
    lap("read")
    thousand = frozenset(layout.sheet for layout in read.layouts if layout.thousand_dong)
    checked = validate(read.rows, year, province, thousand)
    households = checked.households
    district = _workbook_district(households, read.rows, province)
    lap("validate")
    status = classify(households, year)
    lap("classify")

    rejections = pd.concat(
        [_row_findings(read, checked.findings), _notices(read, thousand, district, province)],
        ignore_index=True,
    )
    rejected_rows = checked.findings.loc[checked.findings["severity"] == "error", "row"].nunique()
    skipped = read.skipped["kind"].value_counts()
    meta = read.rows.loc[households.index, ["source_file", "sheet", "excel_row"]]
    load = DistrictLoad(
        year=year,
        district=district,
        source_file=path.name,
        file_hash=read.file_hash,
        raw=_raw_rows(read, year, district),
        households=pd.concat(
            [
                households.drop(columns=config.standard_for_year(year).indicator_keys),
                status[["deprived_indicators"]],
                meta.assign(file_hash=read.file_hash),
            ],
            axis=1,
        ),
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
        ).assign(year=year, district=district),
        rejections=rejections.assign(year=year, district=district, file_hash=read.file_hash),
        file_record={
            "year": year,
            "district": district,
            "source_file": path.name,
            "file_hash": read.file_hash,
            "status": "loaded" if len(households) else "no_valid_rows",
            "rows_read": read.rows_read,
            "rows_loaded": len(households),
            "rows_rejected": int(rejected_rows),
            "rows_blank": int(skipped.get("blank", 0)),
            "rows_totals": int(skipped.get("totals", 0)),
            "rows_signature": int(skipped.get("signature", 0)),
            "warnings": int((checked.findings["severity"] == "warning").sum()),
            "message": None,
            "recorded_at": datetime.now(UTC).replace(tzinfo=None),
        },
        source=read,
    )
    lap("assemble")
    return load


class _Laps:
    """Adds the seconds since the previous lap to `timings[stage]` (nothing when None)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings, self.last = timings, time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
        self.last = now


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


def _raw_rows(read: WorkbookRead, year: int, district: str) -> pd.DataFrame:
    """Every data row as read, as text; personal columns stay in the private schema."""
    rows = read.rows
    indicator_keys = [k for k in config.all_indicator_keys() if k in rows.columns]
    extra = [c for c in rows.columns if c.startswith("extra:")]
    base = [k for k in TEXT_KEYS if k not in PERSONAL_KEYS]
    raw = rows.reindex(columns=["source_file", "sheet", "excel_row", *base, *indicator_keys])
    raw = raw.assign(year=year, workbook_district=district, file_hash=read.file_hash)
    raw["extra"] = pd.arrays.ArrowExtensionArray(
        text_map(rows.rename(columns=lambda c: c.removeprefix("extra:")), [e[6:] for e in extra])
    )
    return raw


def _column_labels(read: WorkbookRead) -> dict[tuple[str, str], str]:
    return {
        (layout.sheet, key): label
        for layout in read.layouts
        for key, label in layout.columns.items()
    }


def _row_findings(read: WorkbookRead, findings: pd.DataFrame) -> pd.DataFrame:
    """Validation findings with the file, sheet, Excel row and header an officer looks for."""
    where = read.rows.loc[findings["row"], ["source_file", "sheet", "excel_row", "household_id"]]
    out = where.reset_index(drop=True).assign(
        column_key=findings["column_key"].to_numpy(),
        value=findings["value"].astype("str").to_numpy(),
        rule_code=findings["rule_code"].to_numpy(),
        severity=findings["severity"].to_numpy(),
    )
    labels = _column_labels(read)
    out["column_name"] = [
        labels.get((s, k), k) for s, k in zip(out["sheet"], out["column_key"], strict=True)
    ]
    out.loc[out["column_key"].isin(PERSONAL_KEYS) & out["value"].notna(), "value"] = MASK
    out["rule"] = out["rule_code"].map(lambda c: RULES[c].message)
    detail = findings["detail"].to_numpy()
    has_detail = pd.notna(detail)
    if has_detail.any():
        out.loc[has_detail, "rule"] = out.loc[has_detail, "rule"] + " (" + detail[has_detail] + ")"
    return out


def _notices(
    read: WorkbookRead,
    thousand_dong_sheets: frozenset[str],
    district: str,
    province: config.Province,
) -> pd.DataFrame:
    """Workbook- and sheet-level findings (unknown columns, totals, units, encoding, a file
    name naming another district) as audit rows."""
    notices = list(read.notices) + [
        {"sheet": s, "code": "WB007", "detail": "income scaled x1000"} for s in thousand_dong_sheets
    ]
    named = district_named_in(read.path.stem, province)
    if named is not None and named != district:
        notices.append({"code": "WB009", "detail": f"file name: {named}; cells: {district}"})
    return pd.DataFrame(
        [
            {
                "source_file": read.path.name,
                "sheet": n.get("sheet"),
                "excel_row": n.get("excel_row"),
                "rule_code": n["code"],
                "severity": RULES[n["code"]].severity,
                "rule": f"{RULES[n['code']].message}: {n['detail']}",
            }
            for n in notices
        ],
        columns=["source_file", "sheet", "excel_row", "rule_code", "severity", "rule"],
    )


def reject_cross_district_duplicates(
    loads: list[DistrictLoad], loaded_elsewhere: pd.DataFrame
) -> list[DistrictLoad]:
    """HH031: an id in two workbooks of the year is rejected in every workbook of this run that
    holds it, and each rejection names the other place. `loaded_elsewhere` holds the ids
    already in the warehouse for districts this run does not reload."""
    ids = pd.concat(
        [
            *[b.households[["household_id", "source_file", "sheet", "excel_row"]] for b in loads],
            loaded_elsewhere.reindex(columns=["household_id", "source_file", "sheet", "excel_row"]),
        ],
        ignore_index=True,
    )
    dupes = cross_workbook_duplicates(ids)
    if dupes.empty:
        return loads
    where = (
        dupes["source_file"]
        + " / "
        + dupes["sheet"].astype(str)
        + " dòng/row "
        + dupes["excel_row"].astype("Int64").astype(str)
    ).where(dupes["sheet"].notna(), dupes["source_file"])
    places = where.groupby(dupes["household_id"]).agg(lambda s: ", ".join(sorted(s)))
    for batch in loads:
        hit = batch.households["household_id"].isin(places.index)
        if not hit.any():
            continue
        gone = batch.households[hit]
        batch.rejections = pd.concat(
            [
                batch.rejections,
                pd.DataFrame(
                    {
                        "source_file": gone["source_file"],
                        "sheet": gone["sheet"],
                        "excel_row": gone["excel_row"],
                        "household_id": gone["household_id"],
                        "column_key": "household_id",
                        "column_name": "household_id",
                        "value": gone["household_id"],
                        "rule_code": "HH031",
                        "severity": "error",
                        "rule": RULES["HH031"].message
                        + " ("
                        + gone["household_id"].map(places)
                        + ")",
                        "year": batch.year,
                        "district": batch.district,
                        "file_hash": batch.file_hash,
                    }
                ),
            ],
            ignore_index=True,
        )
        kept = batch.households.index[~hit]
        batch.households = batch.households.loc[kept]
        batch.classifications = batch.classifications.loc[kept]
        batch.file_record["rows_loaded"] = len(kept)
        batch.file_record["rows_rejected"] += int(hit.sum())
        if not len(kept):
            batch.file_record["status"] = "no_valid_rows"
    return loads
