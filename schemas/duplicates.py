"""A household id written twice: HH030 within one workbook, HH031 across the year's workbooks.

Both are rejected in every place they occur, never silently de-duplicated (workbook-layout.md,
"What bad input gets"), and each finding names the other places. HH030 is a pandera check of
the typed schema (schemas/household.py); HH031 needs every workbook of the year, so the flow
writes each unit as it comes, asks the warehouse for ids held twice (warehouse/writer.py
`duplicate_ids`) and reloads the few units that hold one with `cross_workbook_findings`.
"""

from __future__ import annotations

import pandas as pd

from schemas.rules import findings

PLACE_COLUMNS = ["household_id", "source_file", "sheet", "excel_row"]
# A sheet sharing this share of its ids with an earlier sheet is a copy of it (WB039).
COPY_SHARE = 0.9


def other_places(text: pd.DataFrame, rows: pd.Series) -> pd.Series:
    """HH030's detail: for each duplicated row, the other places (sheet, row) its id is at."""
    ids = text.loc[rows, "household_id"]
    dupes = text[text["household_id"].isin(ids)]
    place = dupes["sheet"].astype(str) + " dòng/row " + dupes["excel_row"].astype(str)
    per_id = place.groupby(dupes["household_id"]).agg(list)
    own = place.reindex(rows.to_numpy())
    return pd.Series(
        [
            ", ".join(p for p in per_id[i] if p != me)
            for i, me in zip(ids.to_numpy(), own.to_numpy(), strict=True)
        ],
        index=rows.index,
    )


def cross_workbook_duplicates(ids: pd.DataFrame) -> pd.DataFrame:
    """The rows of `ids` (household_id, source_file, ...) whose id is in more than one
    workbook of the year (HH031)."""
    per_id = ids.groupby("household_id")["source_file"].transform("nunique")
    return ids[per_id > 1]


def cross_workbook_findings(households: pd.DataFrame, held: pd.DataFrame) -> pd.DataFrame:
    """HH031 findings for the rows of `households` (one workbook's, PLACE_COLUMNS) whose id is
    also in `held` (the year's other workbooks' rows), each naming every place of its id.
    Indexed like the rows it rejects."""
    places = pd.concat(
        [households[PLACE_COLUMNS], held.reindex(columns=PLACE_COLUMNS)], ignore_index=True
    )
    dupes = cross_workbook_duplicates(places.drop_duplicates())
    where = (
        dupes["source_file"]
        + " / "
        + dupes["sheet"].astype(str)
        + " dòng/row "
        + dupes["excel_row"].astype("Int64").astype(str)
    ).where(dupes["sheet"].notna(), dupes["source_file"])
    listed = where.groupby(dupes["household_id"]).agg(lambda s: ", ".join(sorted(s)))
    hit = households[households["household_id"].isin(listed.index)]
    return findings(
        "HH031",
        hit["household_id"].map(listed),
        source_file=hit["source_file"],
        sheet=hit["sheet"],
        excel_row=hit["excel_row"],
        household_id=hit["household_id"],
        column_key="household_id",
        column_name="household_id",
        value=hit["household_id"],
    )


def copied_sheets(sheets: pd.Series, ids: pd.Series) -> pd.DataFrame:
    """(sheet, code, detail) for each sheet holding at least COPY_SHARE of its household ids
    (canonical, `ids`) on an earlier sheet, as a sheet copied to be edited and left beside
    its original (WB039): its rows are rejected as duplicates (HH030) in both; this names the
    cause once."""
    if not ids.dropna().duplicated().any():  # no id twice (most workbooks): no copy
        return pd.DataFrame(columns=["sheet", "code", "detail"])
    frame = pd.DataFrame({"sheet": sheets, "id": ids}).dropna().drop_duplicates()
    order = list(dict.fromkeys(frame["sheet"]))
    held = {sheet: set(group["id"]) for sheet, group in frame.groupby("sheet", sort=False)}
    rows = []
    for later, sheet in enumerate(order):
        own = held[sheet]
        for earlier in order[:later]:
            shared = len(own & held[earlier])
            if shared >= COPY_SHARE * len(own):
                detail = f"'{sheet}' repeats '{earlier}': {shared} of its {len(own)} ids"
                rows.append((sheet, "WB039", detail))
                break
    return pd.DataFrame(rows, columns=["sheet", "code", "detail"])
