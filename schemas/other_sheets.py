"""The two other sheets a workbook may carry (workbook-layout.md, "Other sheets"): the resident
households of each commune (`Tổng số hộ dân cư`) and the members of each household
(`Thành viên hộ`). Each is checked here and given the shape its warehouse table holds.

Resident totals are the rates' denominators for a list of reviewed households only, so a
totals row that cannot be used is a fault of the workbook (WB019, structural: the loaded
version stays) rather than of a row; a total below the households listed for the commune is
a warning (WB028) and the households listed count. Members are personal data used for person
counts and certificates only: a member whose birth year is not a year, or whose household is
not in the workbook, is loaded as far as it goes and warned about (HW003, HW004).
"""

from __future__ import annotations

import pandas as pd

import config
from schemas.rules import findings
from transforms.frames import empty_frame
from transforms.normalise import canonical_id, parse_birth_year, parse_integer
from transforms.text import isin_text
from transforms.units import canonical_commune

TOTALS_COLUMNS = ["reporting_unit", "district", "commune", "households"]
TOTALS_COLUMNS += ["ethnic_minority_households", "source_file", "sheet", "excel_row"]
# The rows of a workbook that carries no such sheet (most do not): returned at once, typed as
# the rows of one that does (0.03 s a workbook saved).
_NO_TOTALS = {
    "year": "int64",
    "reporting_unit": "str",
    "district": "str",
    "commune": "str",
    "households": "int64",
    "ethnic_minority_households": "Int64",
    "source_file": "str",
    "sheet": "str",
    "excel_row": "int64",
}
_NO_MEMBERS = {
    "year": "int64",
    "reporting_unit": "str",
    "household_id": "str",
    "member_name": "str",
    "ethnicity": "str",
    "relation": "str",
    "birth_year": "Int64",
    "sex": "str",
    "source_file": "str",
    "sheet": "str",
    "excel_row": "int64",
}


def resident_totals(
    sheet: pd.DataFrame,
    source_file: str,
    year: int,
    province: config.Province,
    district: str | None,
    listed: pd.Series,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The totals sheet's rows as core.resident_totals rows, and the findings. `district`:
    the workbook's district (None from 2025); `listed`: households listed per commune."""
    if sheet.empty:
        return empty_frame(_NO_TOTALS), _no_findings()
    districts = pd.Series(district, index=sheet.index, dtype="str")
    commune = canonical_commune(districts if district else None, sheet["commune"], province, year)
    households = parse_integer(sheet["households"])
    minority = parse_integer(sheet["ethnic_minority_households"])
    problems = {
        "tên xã không thuộc danh mục đơn vị của năm": commune.isna(),
        "số hộ không phải số nguyên không âm": households.isna() | (households < 0),
        "số hộ dân tộc thiểu số không hợp lệ hoặc lớn hơn tổng số hộ": (
            sheet["ethnic_minority_households"].notna()
            & (minority.isna() | (minority < 0) | (minority > households).fillna(True))
        ),
    }
    bad = pd.Series(False, index=sheet.index)
    found = []
    for why, mask in problems.items():
        mask = mask.fillna(True).astype(bool)
        bad |= mask
        rows = sheet[mask]
        detail = f"{why}: " + rows["commune"].fillna("").astype("str")
        found.append(_at(findings("WB019", detail, **_where(rows, source_file))))
    ok = sheet[~bad]
    counted = ok.assign(commune=commune[~bad], households=households[~bad])
    below = counted[counted["households"] < counted["commune"].map(listed).fillna(0)]
    detail = below["commune"] + ": " + below["households"].astype("str") + " hộ"
    found.append(_at(findings("WB028", detail, **_where(below, source_file))))
    rows = pd.DataFrame(
        {
            "reporting_unit": district if district else counted["commune"],
            "district": district,
            "commune": counted["commune"],
            "households": counted["households"].astype("int64"),
            "ethnic_minority_households": minority[~bad].astype("Int64"),
            "source_file": source_file,
            "sheet": counted["sheet"],
            "excel_row": counted["excel_row"],
        },
        index=counted.index,
    )
    return rows.assign(year=year)[["year", *TOTALS_COLUMNS]], pd.concat(found, ignore_index=True)


def members(
    sheet: pd.DataFrame, source_file: str, year: int, households: pd.Index, units: pd.Series
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The members sheet's rows as private.members rows, and the warnings. `households`: the
    workbook's household ids (canonical); `units`: reporting unit by household id."""
    if sheet.empty:
        return empty_frame(_NO_MEMBERS), _no_findings()
    ids = canonical_id(sheet["household_id"])
    birth = parse_birth_year(sheet["birth_year"])
    wrong_year = sheet["birth_year"].notna() & ~birth.between(1900, year).fillna(False)
    unknown = ids.isna() | ~isin_text(ids, households)
    found = [
        _at(_cell_findings("HW003", sheet[wrong_year], "birth_year", source_file)),
        _at(_cell_findings("HW004", sheet[unknown], "household_id", source_file)),
    ]
    rows = pd.DataFrame(
        {
            "year": year,
            "reporting_unit": ids.map(units),
            "household_id": ids,
            "member_name": sheet["member_name"],
            "ethnicity": sheet["ethnicity"],
            "relation": sheet["relation"],
            "birth_year": birth.where(~wrong_year).astype("Int64"),
            "sex": sheet["sex"],
            "source_file": source_file,
            "sheet": sheet["sheet"],
            "excel_row": sheet["excel_row"],
        }
    )
    return rows[~unknown], pd.concat(found, ignore_index=True)


def _where(rows: pd.DataFrame, source_file: str) -> dict[str, pd.Series]:
    return {
        "source_file": pd.Series(source_file, index=rows.index, dtype="str"),
        "sheet": rows["sheet"],
        "excel_row": rows["excel_row"],
    }


def _cell_findings(code: str, rows: pd.DataFrame, key: str, source_file: str) -> pd.DataFrame:
    """`code` at each of `rows`' `key` cell, with the value as typed (the error workbook's
    "value typed" column)."""
    return findings(code, column_key=key, value=rows[key], **_where(rows, source_file))


def _no_findings() -> pd.DataFrame:
    where = {"source_file": "str", "sheet": "str", "excel_row": "int64"}
    return findings("WB019", pd.Series(dtype="str"), **empty_frame(where))


def _at(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.reset_index(drop=True)
