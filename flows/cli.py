"""The `census` command line: run the annual flow, write sample workbooks or a blank template."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

import config
from flows.prefect_server import run_server
from warehouse import queries, writer

# The embedded Prefect server (no PREFECT_API_URL) gets 20 s to start by default, too short on
# a busy machine: the run then dies before it starts. An operator's own setting still wins.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
from warehouse.publish import DEFAULT_PUBLISHED


def _years(text: str) -> list[int]:
    """`2019` or `2017-2019`."""
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def _years_in(raw_dir: Path) -> list[int]:
    return sorted(int(p.name) for p in raw_dir.iterdir() if p.is_dir() and p.name.isdigit())


def cmd_run(args: argparse.Namespace) -> int:
    server = run_server()  # first: a new server starts while the pipeline's modules are imported
    from flows.census_flow import annual_census, find_workbooks
    from flows.progress import progress
    from flows.runners import task_runner
    from warehouse.run import RunSummary

    runner = task_runner(args.task_runner, args.dask_address, args.dask_workers)
    census_flow = annual_census.with_options(task_runner=runner) if runner else annual_census
    raw_dir = Path(args.raw)
    years = [args.year] if args.year else (_years_in(raw_dir) if raw_dir.is_dir() else [])
    if not years:
        print(f"no census years under {raw_dir}/ (expected folders such as {raw_dir}/2019/)")
        return 2
    worst = 0
    for year in years:
        with server.connected(), progress(year, len(find_workbooks(raw_dir, year))):
            state = census_flow(
                year=year,
                raw_dir=raw_dir,
                warehouse_path=Path(args.warehouse),
                province_code=args.province,
                force=args.force,
                unit=args.unit or args.district,
                reports_dir=Path(args.reports),
                return_state=True,
            )
        summary = state.result(raise_on_failure=False)
        if not isinstance(summary, RunSummary):  # the run itself failed (e.g. wrong warehouse)
            print(f"{year}: {state.name}: {summary}")
            return 2
        print(
            f"{year}: {summary.status}; {len(summary.loaded)} workbooks loaded, "
            f"{len(summary.unchanged)} unchanged, {len(summary.failed)} failed; "
            f"{summary.rows_loaded} households loaded, {summary.rows_rejected} rows rejected"
        )
        for path in summary.reports:
            print(f"  error workbook: {path}")
        for name, reason in summary.failed.items():
            print(f"  FAILED {name}: {reason}")
        worst = max(worst, {"completed": 0, "partial": 1, "failed": 2}[summary.status])
    print_tables(Path(args.warehouse), years)
    return worst


def cmd_serve(args: argparse.Namespace) -> int:
    from prefect.settings import PREFECT_API_URL

    from flows.deployment import serve_annual

    if not PREFECT_API_URL.value():  # a temporary server would forget schedules and history
        print(
            "census serve needs a Prefect server: run `prefect server start`, then "
            "export PREFECT_API_URL=http://127.0.0.1:4200/api (README: Operations)"
        )
        return 2
    serve_annual(Path(args.raw), Path(args.warehouse), args.province, Path(args.reports))
    return 0


def print_tables(warehouse_path: Path, years: list[int]) -> None:
    """One screen: the province's rates by year, the districts' for the years that had them,
    today's communes for the last year, then the targets of the years run."""
    with writer.connect(warehouse_path, read_only=True) as con:
        province = queries.rates(con, years, ("province", "poor_districts"))
        districts = queries.rates(con, years, ("district",))
        last = years[-1]
        communes = queries.rates(con, [y for y in years if y >= last - 1], ("current_commune",))
        gaps = queries.target_gap(con, years)
    if province.empty:
        return
    with pd.option_context("display.width", 140, "display.float_format", "{:.2f}".format):
        print("\nProvince: rates (% of resident households) by census year")
        shown = province.assign(
            note=province["crosses_standard_change"].map({True: "new standard"}).fillna("")
            + province["provisional_standard"].map({True: " (provisional)"}).fillna("")
        )
        columns = ["year", "name", "households", "poor", "poverty_rate", "near_poor_rate"]
        columns += ["multidimensional_poverty_rate", "poverty_rate_cut", "standard", "note"]
        print(shown[columns].to_string(index=False, na_rep="-"))
        if not districts.empty:
            table = districts.pivot_table(
                index="name", columns="year", values="poverty_rate", sort=False
            )
            print("\nPoverty rate (%) by district (the years that had districts)")
            print(table.rename_axis(None).to_string(na_rep="-"))
        if not communes.empty:
            print(f"\nRates {last} (%) by today's commune (earlier years on the same units)")
            table = communes.pivot_table(
                index="name", columns="year", values="poverty_rate", sort=False
            ).rename(columns=lambda y: f"poor {y}")
            now = communes[communes["year"] == last].set_index("name")
            table[f"near-poor {last}"] = now["near_poor_rate"]
            table[f"multidim. {last}"] = now["multidimensional_poverty_rate"]
            table[f"households {last}"] = now["households"]
            print(table.rename_axis(None).to_string(na_rep="-"))
        for year, gap in gaps.groupby("year"):
            print(f"\nTargets {year} (gap = actual - target; points, or households for counts)")
            shown = gap[["name", "indicator", "target", "actual", "gap", "on_track"]]
            print(shown.to_string(index=False, na_rep="-"))
    print(
        f"\nNext: census report --year {last} (Excel, HTML, charts under reports/{last}/); "
        "census publish (the analysts' copy)"
    )


def cmd_sample(args: argparse.Namespace) -> int:
    from sample.census import write_sample_census

    paths = write_sample_census(Path(args.out), _years(args.years), args.households, args.seed)
    print(f"wrote {len(paths)} workbooks under {args.out}/")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from workbooks.layout import write_template

    write_template(Path(args.out), args.year)
    print(f"wrote {args.out}")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from warehouse.publish import publish

    out = publish(Path(args.warehouse), Path(args.out))
    print(f"published the analysts' copy (no personal data, read-only): {out}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from reporting.files import write_reports

    for path in write_reports(
        Path(args.warehouse), args.year, Path(args.out or f"reports/{args.year}")
    ):
        print(f"wrote {path}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from flows.check import check

    return check([Path(f) for f in args.files], args.year, args.province, Path(args.reports))


def cmd_server(args: argparse.Namespace) -> int:
    """The local census server (flows/local_server.py): its state, or start/stop it."""
    from flows import local_server

    if not local_server.enabled():
        print("máy chủ cục bộ đang tắt (CENSUS_LOCAL_SERVER=0) / the local server is off")
        return 2
    if args.action == "start":
        with local_server.Lease() as lease:  # starts one when none runs; waits for its API
            if lease.url() is None:
                print(f"không khởi động được; xem {local_server.state_dir() / 'server.log'}")
                return 2
    if args.action == "stop":
        state = local_server.stop()
        print("đã dừng máy chủ cục bộ / stopped" if state else "không có máy chủ nào đang chạy")
        return 0
    state = local_server.status()
    if state is None:
        print("không có máy chủ cục bộ nào đang chạy / no local server is running")
        return 0 if args.action == "status" else 2
    print(
        f"máy chủ cục bộ / local server: pid {state['pid']}, "
        f"{state['runs']} lần chạy đang thực hiện / runs under way\n"
        f"  Prefect UI (lịch sử các lần chạy / run history): {state['ui_url']}\n"
        f"  tự dừng sau {state['idle_minutes']:g} phút không dùng / stops after "
        f"{state['idle_minutes']:g} min idle; `census server stop` để dừng ngay / to stop now"
    )
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    print((writer.WAREHOUSE_DIR / "README.md").read_text(encoding="utf-8"))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="census", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the annual flow for a year (default: every year in raw/)")
    run.add_argument("--year", type=int)
    run.add_argument("--raw", default="raw", help="folder holding <year>/ workbook folders")
    run.add_argument("--warehouse", default=str(writer.DEFAULT_WAREHOUSE))
    run.add_argument("--province", default=config.DEFAULT_PROVINCE)
    run.add_argument("--force", action="store_true", help="reload workbooks even if unchanged")
    run.add_argument(
        "--unit",
        help="correction loop: (re)load only this unit's workbook(s) (the district up to the "
        "2024 review, the commune from 2025); others are left alone",
    )
    run.add_argument("--district", help="the same as --unit, for the years that have districts")
    run.add_argument("--reports", default="reports", help="where district error workbooks go")
    run.add_argument(
        "--task-runner",
        choices=("default", "dask"),
        default="default",
        help="where the per-workbook tasks run (the warehouse writes stay in this process)",
    )
    run.add_argument("--dask-address", help="an existing Dask scheduler, e.g. tcp://host:8786")
    run.add_argument("--dask-workers", type=int, default=2, help="local Dask cluster size")
    run.set_defaults(func=cmd_run)

    serve = sub.add_parser(
        "serve", help="serve the scheduled deployment (20 Dec, 15 Jan) against a Prefect server"
    )
    serve.add_argument("--raw", default="raw", help="folder holding <year>/ workbook folders")
    serve.add_argument("--warehouse", default=str(writer.DEFAULT_WAREHOUSE))
    serve.add_argument("--province", default=config.DEFAULT_PROVINCE)
    serve.add_argument("--reports", default="reports", help="where district error workbooks go")
    serve.set_defaults(func=cmd_serve)

    sample = sub.add_parser("sample", help="write realistic sample workbooks")
    sample.add_argument("--out", required=True)
    sample.add_argument("--years", default="2017-2019")
    sample.add_argument("--households", type=int, help="province total (default: real size)")
    sample.add_argument("--seed", type=int, default=2019)
    sample.set_defaults(func=cmd_sample)

    template = sub.add_parser("template", help="write a blank district workbook")
    template.add_argument("--year", type=int, required=True)
    template.add_argument("--out", required=True)
    template.set_defaults(func=cmd_template)

    publish = sub.add_parser(
        "publish", help="write the analysts' copy: no personal data, read-only"
    )
    publish.add_argument("--warehouse", default=str(writer.DEFAULT_WAREHOUSE))
    publish.add_argument("--out", default=str(DEFAULT_PUBLISHED))
    publish.set_defaults(func=cmd_publish)

    report = sub.add_parser("report", help="write a year's Excel and HTML reports, charts as PNG")
    report.add_argument("--year", type=int, required=True)
    report.add_argument("--warehouse", default=str(writer.DEFAULT_WAREHOUSE))
    report.add_argument("--out", help="folder for the reports (default: reports/<year>/)")
    report.set_defaults(func=cmd_report)

    check = sub.add_parser(
        "check",
        help="check workbooks against the year's rules (no warehouse, no server); writes "
        "each error workbook",
    )
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("--year", type=int, help="default: the folder's name (raw/2026/x.xlsx)")
    check.add_argument("--province", default=config.DEFAULT_PROVINCE)
    check.add_argument("--reports", default="reports", help="where error workbooks go")
    check.set_defaults(func=cmd_check)

    server = sub.add_parser(
        "server",
        help="the local server `census run` uses (a Prefect API with its UI, a warm process)",
    )
    server.add_argument("action", choices=("status", "start", "stop"), nargs="?", default="status")
    server.set_defaults(func=cmd_server)

    docs = sub.add_parser("docs", help="print the warehouse's documentation (warehouse/README.md)")
    docs.set_defaults(func=cmd_docs)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
