"""The `census` command line: run the annual flow, write sample workbooks or a blank template."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import config
from flows.local_server import run_server
from warehouse import queries, writer

# The embedded Prefect server (no PREFECT_API_URL) gets 20 s to start by default, too short on
# a busy machine: the run then dies before it starts. An operator's own setting still wins.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
from warehouse.publish import DEFAULT_PUBLISHED

if TYPE_CHECKING:
    from reporting.household_files import Batch, Written

# A run's status as the officer reads it, before Prefect's word for it.
RUN_STATUS_VI = {"completed": "hoàn thành", "partial": "nạp một phần", "failed": "không nạp được"}


def _years(text: str) -> list[int]:
    """Years and ranges separated by commas, in order, each once: `2019`, `2017-2019`,
    `2018,2019,2024-2026`."""
    years: set[int] = set()
    for part in text.split(","):
        first, dash, last = (p.strip() for p in part.partition("-"))
        if not first.isdigit() or (dash and not last.isdigit()) or int(last or first) < int(first):
            raise ValueError(
                f"--years: {part.strip()!r} is not a year or a range of years "
                "(e.g. 2019, 2017-2019, 2018,2019,2024-2026)"
            )
        years.update(range(int(first), int(last or first) + 1))
    return sorted(years)


def _years_in(raw_dir: Path) -> list[int]:
    return sorted(int(p.name) for p in raw_dir.iterdir() if p.is_dir() and p.name.isdigit())


def cmd_run(args: argparse.Namespace) -> int:
    server = run_server()  # first: a new server starts while the pipeline's modules are imported
    from flows import early, workers
    from flows.census_flow import annual_census
    from flows.runners import task_runner

    runner = task_runner(args.task_runner, args.dask_address, args.dask_workers)
    census_flow = annual_census.with_options(task_runner=runner) if runner else annual_census
    raw_dir = Path(args.raw)
    years = [args.year] if args.year else (_years_in(raw_dir) if raw_dir.is_dir() else [])
    if not years:
        print(
            f"không có năm rà soát nào trong {raw_dir}/ (cần thư mục như {raw_dir}/2026/) / "
            f"no census years under {raw_dir}/ (expected folders such as {raw_dir}/2026/)"
        )
        return 2
    worst = 0
    # The default runner's threads hand each workbook to a worker process (flows/workers.py).
    with workers.running(None if runner is None else 0):
        for year in years:
            # The workers start on the workbooks while the Prefect API may still be starting.
            early.start(
                raw_dir,
                year,
                warehouse_path=Path(args.warehouse),
                province_code=args.province,
                reports_dir=Path(args.reports),
                force=args.force,
                unit=args.unit or args.district,
            )
            with server.connected():
                outcome = _run_year(census_flow, args, raw_dir, year)
            if outcome is None:  # the run itself failed (e.g. wrong warehouse)
                return 2
            worst = max(worst, outcome)
    print_tables(Path(args.warehouse), years)
    return worst


def _run_year(census_flow, args: argparse.Namespace, raw_dir: Path, year: int) -> int | None:
    """One year's flow run, its outcome printed: 0 completed, 1 partial, 2 failed; None when
    the run itself failed."""
    from flows.census_flow import find_workbooks
    from flows.progress import progress
    from warehouse.run import RunSummary
    from workbooks.error_report import is_warnings_workbook

    with progress(year, len(find_workbooks(raw_dir, year))):
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
    if not isinstance(summary, RunSummary):
        print(f"{year}: không chạy được / {state.name}: {summary}")
        return None
    # Vietnamese first for the officer, as `census check` prints; the English half is what
    # scripts read (bench/run.py).
    loaded, unchanged, failed = len(summary.loaded), len(summary.unchanged), len(summary.failed)
    print(
        f"{year}: {RUN_STATUS_VI[summary.status]} / {summary.status}; "
        f"{loaded} tệp đã nạp, {unchanged} không đổi, {failed} không nạp / "
        f"{loaded} workbooks loaded, {unchanged} unchanged, {failed} failed; "
        f"{summary.rows_loaded} hộ đã nạp, {summary.rows_rejected} dòng bị loại / "
        f"{summary.rows_loaded} households loaded, {summary.rows_rejected} rows rejected"
    )
    for path in summary.reports:
        warnings = is_warnings_workbook(path)
        kind = "tệp cảnh báo / warnings workbook" if warnings else "tệp báo lỗi / error workbook"
        print(f"  {kind}: {path}")
    for name, reason in summary.failed.items():
        print(f"  KHÔNG NẠP / FAILED {name}: {reason}")
    return {"completed": 0, "partial": 1, "failed": 2}[summary.status]


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
    from reporting.console import rate_tables

    with writer.connect(warehouse_path, read_only=True) as con:
        last = years[-1]
        text = rate_tables(
            queries.rates(con, years, ("province", "poor_districts")),
            queries.rates(con, years, ("district",)),
            queries.rates(con, [y for y in years if y >= last - 1], ("current_commune",)),
            queries.target_gap(con, years),
        )
    if not text:  # no year has rates: nothing to report on either
        return
    print(f"\n{text}")
    print(
        f"\nTiếp theo / next: census report --year {last} (Excel, HTML, biểu đồ / charts: "
        f"reports/{last}/); census publish (bản cho người phân tích / the analysts' copy)"
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


def cmd_forms(args: argparse.Namespace) -> int:
    """`census forms --year Y`: every official form of the review, one workbook."""
    from flows.progress import counting
    from reporting.forms_excel import write_forms

    out = Path(args.out or f"reports/{args.year}")
    try:
        with counting(args.year, 1, "tệp") as tick:
            path, numbers = write_forms(Path(args.warehouse), args.year, out)
            tick(path.name)
    except LookupError as e:
        print(e.args[0] if e.args else e)
        return 2
    print(f"Rà soát năm {args.year}: {len(numbers)} biểu mẫu ({', '.join(numbers)}) ghi vào {path}")
    from reporting.detailed_lists import write_detailed_lists
    from reporting.household_files import INTERNAL

    # Inside the forms' folder (reports/<year>/noi-bo by default), wherever --out points.
    private, listed = write_detailed_lists(Path(args.warehouse), args.year, out / INTERNAL)
    print(
        f"Biểu số 12 (danh sách chi tiết, {listed} hộ) ghi vào {private} "
        "(dữ liệu cá nhân: chỉ dùng nội bộ cán bộ của tỉnh)"
    )
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


def _date(text: str) -> date:
    """`2026-11-20` or `20/11/2026`."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        with contextlib.suppress(ValueError):
            return datetime.strptime(text, fmt).date()
    raise argparse.ArgumentTypeError(f"not a date: {text!r} (write 2026-11-20 or 20/11/2026)")


def _household_pdfs(
    args: argparse.Namespace,
    write: Callable[[Batch, Path], Iterator[Written]],
    prefix: str,
    summary: str,
) -> int:
    """Resolve the communes, write each one's PDF (a bar on a terminal), print one line:
    `summary` with {communes}, {households} and {where} filled in."""
    from flows.progress import counting
    from reporting.household_files import batch, default_folder

    try:
        b = batch(Path(args.warehouse), args.year, args.commune, args.province)
    except LookupError as e:
        print(e.args[0] if e.args else e)
        return 2
    out = Path(args.out) if args.out else default_folder(args.year)
    written = []
    with counting(args.year, len(b.communes), "communes") as tick:
        for w in write(b, out):
            written.append(w)
            tick(w.commune.name)
    if not written:
        print(f"Rà soát năm {args.year}: không có xã nào để ghi")
        return 2
    # One file: its path; several: the folder and the pattern of their names.
    where = written[0].path if len(written) == 1 else out / f"{prefix}-*-{args.year}.pdf"
    households = sum(w.households for w in written)
    line = summary.format(communes=len(written), households=households, where=where)
    print(f"Rà soát năm {args.year}: {line} (dữ liệu cá nhân: chỉ dùng nội bộ cán bộ của tỉnh)")
    return 0


def cmd_post(args: argparse.Namespace) -> int:
    from reporting.household_files import POSTING_PREFIX, write_posting_lists

    if args.posted_from and args.posted_to and args.posted_to < args.posted_from:
        print(f"--to {args.posted_to} is before --from {args.posted_from}")
        return 2
    return _household_pdfs(
        args,
        lambda b, out: write_posting_lists(b, out, args.posted_from, args.posted_to),
        POSTING_PREFIX,
        "bốn danh sách niêm yết của {communes} xã, {households} dòng hộ, ghi vào {where}",
    )


def cmd_certificates(args: argparse.Namespace) -> int:
    from reporting.household_files import CERTIFICATE_PREFIX, write_certificates

    return _household_pdfs(
        args,
        write_certificates,
        CERTIFICATE_PREFIX,
        "{households} giấy chứng nhận của {communes} xã, ghi vào {where}",
    )


def cmd_docs(args: argparse.Namespace) -> int:
    print((writer.WAREHOUSE_DIR / "README.md").read_text(encoding="utf-8"))
    return 0


def _add_household_pdf_commands(sub: argparse._SubParsersAction) -> None:
    """`census post` and `census certificates` (reporting/household_files.py)."""
    post = sub.add_parser(
        "post",
        help="write each commune's posting lists of a review as a PDF (personal data: internal)",
    )
    certificates = sub.add_parser(
        "certificates",
        help="write each commune's household certificates of a review as a PDF (internal)",
    )
    for command in (post, certificates):
        command.add_argument("--year", type=int, required=True, help="the review's census year")
        command.add_argument(
            "--commune", help="only this commune (any case, with or without accents)"
        )
        command.add_argument("--warehouse", default=str(writer.DEFAULT_WAREHOUSE))
        command.add_argument("--province", default=config.DEFAULT_PROVINCE)
        command.add_argument("--out", help="folder (default: reports/<year>/noi-bo/)")
    for flag, dest, day in (("--from", "posted_from", "first"), ("--to", "posted_to", "last")):
        post.add_argument(
            flag, dest=dest, type=_date, metavar="DATE", help=f"{day} day of posting (else blank)"
        )
    post.set_defaults(func=cmd_post)
    certificates.set_defaults(func=cmd_certificates)


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

    sample = sub.add_parser(
        "sample",
        help="write realistic sample workbooks, each year on its map: one per district up to "
        "2024, one per commune from 2025",
    )
    sample.add_argument("--out", required=True)
    sample.add_argument(
        "--years",
        default="2017-2019",
        help="years and ranges separated by commas, e.g. 2017-2019 or 2018,2019,2024-2026",
    )
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

    forms = sub.add_parser("forms", help="write a review's official report forms (one workbook)")
    forms.add_argument("--year", type=int, required=True)
    forms.add_argument("--warehouse", default=str(writer.DEFAULT_WAREHOUSE))
    forms.add_argument("--out", help="folder for the workbook (default: reports/<year>/)")
    forms.set_defaults(func=cmd_forms)

    _add_household_pdf_commands(sub)

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
