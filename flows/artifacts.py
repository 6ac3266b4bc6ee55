"""Prefect artifacts of a flow run, read back from the warehouse after the marts are built.

The warehouse stays the source of truth: every figure here comes from `warehouse.queries`
(audit tables for the run's workbooks, marts for the rates and target gaps). Counts and rates
only: no household id, name or identity number ever reaches an artifact.
"""

from __future__ import annotations

import math

import duckdb
import pandas as pd
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from reporting.vietnamese import slug
from warehouse import queries


def artifact_key(*parts: object) -> str:
    """Prefect keys hold only lowercase letters, digits and dashes: the parts' slugs joined
    by '-' ('dien-bien', 2019, 'Mường Nhé' -> 'dien-bien-2019-muong-nhe')."""
    return "-".join(s for s in map(slug, parts) if s)


def _cell(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float):
        return round(value, 2)
    return value.item() if hasattr(value, "item") else value


def district_table(outcome: pd.Series, rules: pd.DataFrame) -> list[dict[str, object]]:
    """One workbook's rows read, loaded and rejected, then its findings by rule code."""
    table: list[dict[str, object]] = [
        {
            "measure": m,
            "rule_code": None,
            "severity": None,
            "rows": _cell(outcome[c]),
            "cells": None,
        }
        for m, c in (
            ("rows read", "rows_read"),
            ("rows loaded", "rows_loaded"),
            ("rows rejected", "rows_rejected"),
            ("rows skipped (blank, totals, signature, heading)", "rows_skipped"),
            ("warnings", "warnings"),
        )
    ]
    for r in rules.itertuples(index=False):
        table.append(
            {
                "measure": r.rule,
                "rule_code": r.rule_code,
                "severity": r.severity,
                "rows": int(r.rows),
                "cells": int(r.findings),
            }
        )
    return table


def _markdown_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "_none_\n"
    lines = [
        "| " + " | ".join(frame.columns) + " |",
        "|" + "---|" * len(frame.columns),
    ]
    for row in frame.itertuples(index=False):
        cells = ["" if _cell(v) is None else str(_cell(v)) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def summary_markdown(
    province_name: str,
    year: int,
    state_name: str,
    files: dict[str, list[str]],
    rates: pd.DataFrame,
    gaps: pd.DataFrame,
) -> str:
    failed = ", ".join(files["failed"]) or "none"
    return (
        f"# {province_name}: census {year} ({state_name})\n\n"
        f"Workbooks loaded: {len(files['loaded'])}; unchanged since last load: "
        f"{len(files['unchanged'])}; failed: {failed}.\n\n"
        "## Poverty rates (%)\n\n"
        + _markdown_table(rates.drop(columns="year"))
        + "\n## Target gaps (gap = actual - target; points, or households for counts)\n\n"
        + _markdown_table(gaps.drop(columns=["year"]))
        + "\nSource: the warehouse tables marts.poverty_rates and marts.target_gap.\n"
    )


def publish_run_artifacts(
    con: duckdb.DuckDBPyConnection,
    province_code: str,
    province_name: str,
    year: int,
    run_id: str,
    state_name: str,
    files: dict[str, list[str]],
) -> list[str]:
    """A table per workbook this run read, and the province summary; returns their keys."""
    keys = []
    outcomes = queries.run_files(con, run_id)
    rule_counts = queries.run_rule_counts(con, run_id)
    for outcome in outcomes.to_dict("records"):
        outcome = pd.Series(outcome)
        unit = outcome["reporting_unit"]
        stem = outcome["source_file"].rsplit(".", 1)[0]
        key = artifact_key(province_code, year, unit or f"file-{stem}")
        create_table_artifact(
            table=district_table(
                outcome, rule_counts[rule_counts["source_file"] == outcome["source_file"]]
            ),
            key=key,
            description=(
                f"{unit or outcome['source_file']} {year}: {outcome['status']} "
                f"({outcome['source_file']}; run {run_id})"
            ),
        )
        keys.append(key)
    key = artifact_key(province_code, year, "summary")
    create_markdown_artifact(
        markdown=summary_markdown(
            province_name,
            year,
            state_name,
            files,
            queries.rates(con, [year]),
            queries.target_gap(con, [year]),
        ),
        key=key,
        description=f"{province_name} {year}: rates and target gaps after run {run_id}",
    )
    keys.append(key)
    return keys
