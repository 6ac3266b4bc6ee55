"""`make bench`: the pipeline's speed against the floor, a province, a correction and the nation.

    python -m bench.run [--scale 0.1] [--profile] [--skip-nation] [--skip-naive]
                        [--skip-temporary] [--skip-server] [--skip-dask]

Measures, on the sample census of Điện Biên for 2019 (10 district workbooks, ~130,000 rows):

- `census run` cold: no local server running (it starts one: flows/local_server.py) and a cold
  process; wall time, peak memory and the time of each stage as the flow records it
  (RunSummary.timings, logged as `stage timings (s): {...}`);
- the floor: the bare fastexcel reader loading every sheet of the same files;
- the naive baseline: `pandas.read_excel` with openpyxl on the same files;
- `census run` again with the local server running (the day's next full run);
- the officer's loop: `census check` of a workbook with an error (one household of 45
  people), the fix, `census check` again, then `census run --district` of that district;
- the same full run and correction without the local server (CENSUS_LOCAL_SERVER=0: a
  temporary Prefect API server per run, as before it), and connected to a running
  `prefect server` (PREFECT_API_URL: runs in their own process);
- the nation (bench/nation.py): ~27 million households in 700 district workbooks, scaled by
  `--scale` (the share of the 700 districts), on the default task runner and on Dask.

The cold run and the naive read are measured REPEAT times, alternated, and compared by their
medians (the machine's speed drifts within minutes). The issue's three ratios are printed as
they are measured, with the load average: naive read / cold run (target >= 2), flow compute /
bare read (<= 3), correction / cold full run (< 0.25).
Flow compute is the pipeline's work in the run with the local server already running: from the
moment its workers start on the workbooks (flows/early.py, before the flow) to the flow's end
(`ahead` + `flow` of its timings), so neither Prefect's start nor waiting for it counts.
Workbooks are generated once and cached outside the repository (`CENSUS_BENCH_CACHE`, default
~/.cache/census-bench); warehouses and reports go to a temporary folder that is removed.
Prints the table and writes it to bench/results.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench import nation

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results.md"  # the default scale; other scales: results-scale-<s>.md
CACHE = Path(os.environ.get("CENSUS_BENCH_CACHE", "~/.cache/census-bench")).expanduser()
PROFILE_HTML = CACHE / "profile.html"  # generated: kept out of the repository
PREFECT_HOME = CACHE / "prefect-home"
YEAR = 2019
DEFAULT_SCALE = 0.02  # 14 of 700 districts: the whole bench in ~10 min on this machine
GIB = 1024**3


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# Child processes: wall time, peak memory, the flow's own stage timings
# ---------------------------------------------------------------------------------------------
def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            # A persistent Prefect home for the bench (like a user's ~/.prefect): the first run
            # ever creates its database; later runs start from a cold process, warm disk.
            "PREFECT_HOME": str(PREFECT_HOME),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "INFO",
            # On a loaded machine the temporary API server can take over 20 s (the default).
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        }
    )
    env.update(extra or {})
    return env


def local_server_pid() -> int | None:
    """The bench's local census server (flows/local_server.py), if one runs."""
    with contextlib.suppress(OSError, ValueError, KeyError):
        state = json.loads((PREFECT_HOME / "census-server" / "state.json").read_text())
        return int(state["pid"])
    return None


def run_child(cmd: list[str], env: dict[str, str], log_path: Path) -> dict[str, object]:
    """Run `cmd` to completion: wall seconds, the child's ru_maxrss, the peak summed RSS of
    its whole process tree (Dask workers are separate processes) and of the local server's
    (where `census run` hands its run: the server, its Prefect API, the run), the peak RSS
    of the largest single process (the run's), exit code, output."""
    peak_tree = peak_process = 0
    with log_path.open("w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak_tree, peak_process
            roots = [proc.pid]
            while not done.is_set():
                server = local_server_pid()
                total, seen = 0, set()
                for pid in roots + ([server] if server else []):
                    with contextlib.suppress(psutil.Error):
                        root = psutil.Process(pid)
                        for p in [root, *root.children(recursive=True)]:
                            if p.pid in seen:
                                continue
                            seen.add(p.pid)
                            with contextlib.suppress(psutil.Error):
                                rss = p.memory_info().rss
                                total += rss
                                peak_process = max(peak_process, rss)
                peak_tree = max(peak_tree, total)
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    text = log_path.read_text(errors="replace")
    return {
        "wall": wall,
        "maxrss": usage.ru_maxrss * 1024,  # Linux reports KiB
        "peak_tree": peak_tree,
        "peak_process": peak_process,
        "code": proc.returncode,
        "timings": parse_timings(text),
        "households": parse_households(text),
        "output": text,
    }


def parse_timings(text: str) -> dict[str, float]:
    found = re.findall(r"stage timings \(s\): (\{.*?\})", text)
    return json.loads(found[-1]) if found else {}


def parse_households(text: str) -> int:
    found = re.findall(r"(\d+) households loaded, (\d+) rows rejected", text)
    return int(found[-1][0]) if found else 0


def census_run(raw: Path, warehouse: Path, reports: Path, extra: list[str] = ()) -> list[str]:
    return [
        str(REPO / ".venv" / "bin" / "census"),
        "run",
        "--year",
        str(YEAR),
        "--raw",
        str(raw),
        "--warehouse",
        str(warehouse),
        "--reports",
        str(reports),
        *extra,
    ]


def check(result: dict[str, object], what: str, log_path: Path) -> None:
    # Exit 1 is also a partial run (some files rejected): the flow's timings line tells a run
    # that finished from one that crashed.
    if result["code"] not in (0, 1) or not result["timings"]:
        tail = "\n".join(str(result["output"]).splitlines()[-30:])
        raise SystemExit(f"{what} failed (exit {result['code']}); log {log_path}:\n{tail}")


def census(args: list[str]) -> list[str]:
    return [str(REPO / ".venv" / "bin" / "census"), *args]


def measured(
    cmd: list[str], env: dict[str, str], work: Path, name: str, expect: int | None = None
) -> dict[str, object]:
    """`run_child`, with the load average when it started; a census run must finish (its
    timings line), any other command must exit `expect`."""
    log_path = work / f"{name}.log"
    load = os.getloadavg()[0]
    result = run_child(cmd, env, log_path)
    result["load"] = load
    if expect is None:
        check(result, name, log_path)
    elif result["code"] != expect:
        tail = "\n".join(str(result["output"]).splitlines()[-30:])
        raise SystemExit(f"{name}: exit {result['code']}, expected {expect}:\n{tail}")
    return result


def with_load(value: str, result: dict[str, object]) -> str:
    return f"{value} (load {result['load']:.1f})"


def print_ratio(what: str, value: float, target: str) -> None:
    """The issue's ratios as they are measured, with the machine's load (1 / 5 / 15 min)."""
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"[bench] {what}: {value:.2f} (target {target}); load {load}", flush=True)


def create_prefect_database() -> None:
    """The bench's Prefect home gets its database before anything is timed, as an officer's
    has after their first run ever: creating it (Prefect's migrations, ~10 s) is not the
    day's first run."""
    if (PREFECT_HOME / "prefect.db").exists():
        return
    log(f"creating the bench's Prefect database once, in {PREFECT_HOME}")
    for action in ("start", "stop"):
        subprocess.run(
            census(["server", action]), env=child_env(), capture_output=True, cwd=REPO, check=True
        )


def stop_local_server() -> None:
    """Stop the bench's local census server, so that a cold run starts it (and the bench
    leaves nothing running)."""
    subprocess.run(census(["server", "stop"]), env=child_env(), capture_output=True, cwd=REPO)


def unit_of(path: Path) -> str:
    """The district a sample workbook is named after (the sample names files by slug)."""
    import config
    from reporting.vietnamese import slug

    province = config.load_province(config.DEFAULT_PROVINCE)
    names = {slug(name): name for name in province.map(YEAR).districts["district"]}
    return names[path.stem]


# ---------------------------------------------------------------------------------------------
# The province, the floor and the naive baseline
# ---------------------------------------------------------------------------------------------
def province_workbooks() -> tuple[Path, float]:
    """The sample census of 2019 (cached); seconds spent writing it (0 when cached)."""
    from sample.census import write_sample_census

    folder = CACHE / f"province-{nation.generator_stamp()}"
    if (folder / "done").exists():
        return folder, 0.0
    shutil.rmtree(folder, ignore_errors=True)
    log(f"writing the sample census of {YEAR} into {folder}")
    started = time.perf_counter()
    write_sample_census(folder, [YEAR])
    (folder / "done").write_text("ok")
    return folder, time.perf_counter() - started


def floor(paths: list[Path]) -> tuple[float, int]:
    """The bare reader: fastexcel loading every sheet of every file to Arrow, nothing else."""
    import fastexcel

    started, rows = time.perf_counter(), 0
    for path in paths:
        reader = fastexcel.read_excel(path)
        for name in reader.sheet_names:
            rows += reader.load_sheet(name, header_row=None).to_arrow().num_rows
    return time.perf_counter() - started, rows


def naive(paths: list[Path]) -> tuple[float, int]:
    """What most hand-written scripts do: pandas.read_excel with openpyxl, every sheet."""
    import pandas as pd

    started, rows = time.perf_counter(), 0
    for path in paths:
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
        rows += sum(len(frame) for frame in sheets.values())
    return time.perf_counter() - started, rows


# Cold runs and naive reads, alternated; the ratio is of their medians: the VM's speed
# drifts by a third within minutes (the same naive read took 16.7-22.3 s in one afternoon), so
# one of each could land on either side of it.
REPEAT = 3


def cold_and_naive(
    raw: Path, work: Path, reports: Path, paths: list[Path], repeat: int, with_naive: bool
) -> tuple[dict[str, object], list[float], list[float], int]:
    """`repeat` cold `census run`s (no server running, each into a new warehouse), each
    followed by a naive read. Returns the cold run of median wall (its timings, and its
    warehouse under "warehouse" for the steps after), every cold wall, every naive time and
    the rows the naive read found."""
    colds, naives, rows = [], [], 0
    for i in range(repeat):
        stop_local_server()  # cold: no server runs, as on the first run of the day
        warehouse = work / f"province-{i}.duckdb"
        result = measured(census_run(raw, warehouse, reports), child_env(), work, f"province-{i}")
        colds.append(result | {"warehouse": warehouse})
        log(f"province, cold run {i + 1} of {repeat}: {fmt_s(result['wall'])}")
        if with_naive:
            seconds, rows = naive(paths)
            naives.append(seconds)
            log(f"naive read {i + 1} of {repeat}: {fmt_s(seconds)}")
    middle = sorted(colds, key=lambda r: r["wall"])[len(colds) // 2]
    return middle, [r["wall"] for r in colds], naives, rows


def samples(values: list[float]) -> str:
    return f"(median of {', '.join(fmt_s(v) for v in values)})" if len(values) > 1 else ""


def _edit_parts(path: Path, edit: Callable[[str, str], str]) -> None:
    """Rewrite an .xlsx with each XML part passed through `edit(name, text)`."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith(".xml"):
                data = edit(info.filename, data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    tmp.replace(path)


def set_household_size(path: Path, size: int | None) -> int:
    """A typing error an officer makes and fixes: the first household's size (on the first
    sheet) set to `size` (45: rejected, over 30), or back to the value returned before."""
    with zipfile.ZipFile(path) as book:
        strings = re.findall(r"<si><t>([^<]*)</t></si>", book.read("xl/sharedStrings.xml").decode())
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    label = str(strings.index("Số nhân khẩu"))
    col, header = re.search(rf'<c r="([A-Z]+)(\d+)"[^>]*t="s"[^>]*><v>{label}</v>', sheet).groups()
    cell = re.compile(rf'(<c r="{col}(\d+)"[^>]*><v>)(\d+)(</v>)')
    first = next(m for m in cell.finditer(sheet) if int(m.group(2)) > int(header))
    before = int(first.group(3))

    def edit(name: str, text: str) -> str:
        if name != "xl/worksheets/sheet1.xml":
            return text
        return text[: first.start(3)] + str(size) + text[first.end(3) :]

    _edit_parts(path, edit)
    return before


def correct_one_district(path: Path) -> None:
    """A district officer's correction: one household head's name retyped (a new hash). The
    sample writes every id, then every name: the first name follows the last id."""
    pattern = re.compile(r"(<si><t>DB-\d\d-\d{6}</t></si><si><t>)(?!DB-)([^<]+)(</t>)")
    nation.edit_shared_strings(path, path, lambda text: pattern.sub(r"\1\2 (sửa)\3", text, count=1))


class PrefectServer:
    """A long-lived Prefect server, as an office would run one: `census run` then connects to
    it (PREFECT_API_URL) instead of starting a temporary one in every process."""

    def __init__(self, log_path: Path) -> None:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.out = log_path.open("w")
        cmd = [str(REPO / ".venv" / "bin" / "prefect"), "server", "start", "--no-ui"]
        cmd += ["--host", "127.0.0.1", "--port", str(self.port)]
        self.proc = subprocess.Popen(
            cmd, stdout=self.out, stderr=subprocess.STDOUT, env=child_env()
        )

    def wait(self, timeout: float = 300) -> float:
        import urllib.request

        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                raise SystemExit(f"prefect server exited ({self.proc.returncode})")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.5)
        raise SystemExit("prefect server did not answer")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.out.close()


def profile(raw: Path, work: Path) -> str:
    """Where the time goes: the flow's per-workbook work and the writer (stage, promote,
    marts), in one thread (the flow runs workbooks in worker processes, which a sampling
    profiler of the main thread would not see), under pyinstrument. Returns the text report;
    HTML to PROFILE_HTML."""
    from pyinstrument import Profiler

    import config
    from flows.tasks import processed
    from warehouse import staging, writer
    from warehouse.run import CensusRun

    province = config.load_province(config.DEFAULT_PROVINCE)
    paths = sorted((raw / str(YEAR)).glob("*.xlsx"))
    con = writer.connect(work / "profile.duckdb")
    spool = staging.folder(work / "profile.duckdb")
    staging.prepare(spool)
    profiler = Profiler(interval=0.005)
    profiler.start()
    try:
        run = CensusRun(con, province, YEAR, spool)
        run.start(raw, work / "profile.duckdb")
        for path in paths:
            run.stage(processed(path, YEAR, province, work / "reports", run.spool, None, None)[0])
        run.promote(sorted(run.staged))
        writer.build_marts(con)
        run.finish()
    finally:
        profiler.stop()
        con.close()
        staging.remove(spool)
    PROFILE_HTML.write_text(profiler.output_html(), encoding="utf-8")
    return profiler.output_text(unicode=True, color=False, show_all=False)


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------
# RunSummary.timings keys: per-workbook stages (summed over workbooks) and the flow's stages.
WORKBOOK_STAGES = ("read", "validate", "classify", "assemble", "stage")
FLOW_STAGES = ("ahead", "hash", "process", "load", "reports", "marts")


def work_seconds(timings: dict[str, float]) -> float:
    """The run's work: the workbooks handed to the workers before the flow began (`ahead`)
    and the flow itself."""
    return timings.get("ahead", 0.0) + timings.get("flow", 0.0)


def stage_list(timings: dict[str, float], keys: tuple[str, ...]) -> str:
    return ", ".join(f"{k} {timings[k]:.2f}" for k in keys if k in timings)


def fmt_s(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 600 else f"{seconds / 60:.1f} min"


def fmt_mem(nbytes: float) -> str:
    return f"{nbytes / GIB:.2f} GiB" if nbytes >= GIB / 2 else f"{nbytes / 1024**2:.0f} MiB"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def machine_note(load_at_start: tuple[float, float, float]) -> str:
    start, end = load_at_start, os.getloadavg()
    return (
        f"{platform.node()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / GIB:.0f} GiB RAM; load average (1 / 5 / 15 min) "
        f"{start[0]:.1f} / {start[1]:.1f} / {start[2]:.1f} when the bench started, "
        f"{end[0]:.1f} / {end[1]:.1f} / {end[2]:.1f} when it ended (other work shares the "
        f"machine: times above {os.cpu_count()} mean waiting for a core)"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench", description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=float, default=DEFAULT_SCALE, help="share of the 700 districts")
    p.add_argument("--profile", action="store_true", help="pyinstrument on the province run")
    p.add_argument("--skip-nation", action="store_true")
    p.add_argument("--skip-dask", action="store_true")
    p.add_argument("--skip-server", action="store_true", help="no runs against a Prefect server")
    p.add_argument("--skip-naive", action="store_true", help="naive baseline takes ~30 s+")
    p.add_argument("--repeat", type=int, default=REPEAT, help="cold runs and naive reads (medians)")
    p.add_argument(
        "--skip-temporary",
        action="store_true",
        help="no runs without the local server (CENSUS_LOCAL_SERVER=0)",
    )
    args = p.parse_args(argv)
    started_all = time.perf_counter()
    load_at_start = os.getloadavg()
    CACHE.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, str, str]] = []  # measure, value, target, verdict
    notes: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="census-bench-"))
    try:
        # --- province: cold ------------------------------------------------------------
        cached, written = province_workbooks()
        if written:
            notes.append(f"Sample census written once in {fmt_s(written)} (cached in {cached}).")
        raw = work / "province"
        shutil.copytree(cached, raw)  # a copy: the correction below changes one workbook
        paths = sorted((raw / str(YEAR)).glob("*.xlsx"))
        reports = work / "reports"
        create_prefect_database()
        log(
            f"province: {args.repeat} cold census runs on {len(paths)} workbooks, each followed "
            "by the naive read (pandas.read_excel with openpyxl, slow)"
        )
        full, cold_walls, naive_times, naive_rows = cold_and_naive(
            raw, work, reports, paths, args.repeat, not args.skip_naive
        )
        warehouse = full["warehouse"]
        t = full["timings"]
        households = full["households"]
        cold_work = work_seconds(t)
        log(f"province: {fmt_s(full['wall'])} (median), {households} households; floor next")
        floor_load = os.getloadavg()[0]
        floor_s, floor_rows = floor(paths)
        stages = stage_list(t, WORKBOOK_STAGES)
        rows += [
            ("Province: households loaded", f"{households:,}", "", ""),
            (
                "Province: `census run` wall, cold (no server running, cold process)",
                with_load(f"{fmt_s(full['wall'])} {samples(cold_walls)}".strip(), full),
                "< 15 s",
                verdict(full["wall"] < 15),
            ),
            (
                "Province: peak memory (the run's process; all processes incl. the local "
                "server and its Prefect API)",
                f"{fmt_mem(full['peak_process'])}; {fmt_mem(full['peak_tree'])}",
                "",
                "",
            ),
            (
                "Province, cold: work (workers' first read to the flow's end; of it before "
                "the flow began, waiting for the API)",
                f"{fmt_s(cold_work)} ({fmt_s(t.get('ahead', 0.0))})",
                "",
                "",
            ),
            (
                "Province, cold: start-up and shutdown (server start, imports, Prefect)",
                fmt_s(full["wall"] - cold_work),
                "",
                "",
            ),
            (
                "Province: per-workbook stages (s, summed over workbooks; in worker processes)",
                stages,
                "",
                "",
            ),
            ("Province: flow stages (s, wall)", stage_list(t, FLOW_STAGES), "", ""),
            (
                f"Floor: fastexcel, every sheet ({floor_rows:,} rows)",
                f"{fmt_s(floor_s)} (load {floor_load:.1f})",
                "",
                "",
            ),
        ]
        if not args.skip_naive:
            naive_s = statistics.median(naive_times)
            rows += [
                (
                    f"Naive: pandas.read_excel + openpyxl ({naive_rows:,} rows)",
                    f"{fmt_s(naive_s)} {samples(naive_times)}".strip(),
                    "",
                    "",
                ),
                (
                    "Naive / ours (naive read / our cold wall; medians)",
                    f"{naive_s / full['wall']:.2f}x",
                    ">= 2x",
                    verdict(naive_s / full["wall"] >= 2),
                ),
            ]
            print_ratio("naive read / our cold census run (wall)", naive_s / full["wall"], ">= 2")

        # --- province again, with the local server running -------------------------------
        log("province: census run again, the local server running (the day's next runs)")
        warm_full = measured(
            census_run(raw, warehouse, reports, ["--force"]), child_env(), work, "province-warm"
        )
        compute = work_seconds(warm_full["timings"])
        rows += [
            (
                "Province: `census run` wall, the local server running",
                with_load(fmt_s(warm_full["wall"]), warm_full),
                "",
                "",
            ),
            (
                "Province: flow compute (the local server running: the workers' first read "
                "to the flow's end)",
                fmt_s(compute),
                "",
                "",
            ),
            (
                "Province: flow stages, the local server running (s, wall)",
                stage_list(warm_full["timings"], FLOW_STAGES),
                "",
                "",
            ),
            (
                "Ours / floor (flow compute / bare read)",
                f"{compute / floor_s:.2f}x",
                "<= 3x",
                verdict(compute / floor_s <= 3),
            ),
        ]
        print_ratio("flow compute / bare fastexcel read", compute / floor_s, "<= 3")
        if not args.skip_naive:
            rows += [
                (
                    "Naive / ours (naive read / our wall, the local server running)",
                    f"{naive_s / warm_full['wall']:.2f}x",
                    "",
                    "",
                ),
                ("Naive / ours (naive read / flow compute)", f"{naive_s / compute:.1f}x", "", ""),
            ]

        # --- correction: the officer's loop ------------------------------------------------
        corrected = paths[len(paths) // 2]
        unit = unit_of(corrected)
        log(f"officer's loop on {corrected.name}: check, fix, check, census run --district")
        size = set_household_size(corrected, 45)
        checking = census(["check", str(corrected), "--reports", str(reports)])
        found = measured(checking, child_env(), work, "check", 1)
        set_household_size(corrected, size)
        correct_one_district(corrected)
        passed = measured(checking, child_env(), work, "check-again", 0)
        fix = measured(
            census_run(raw, warehouse, reports, ["--district", unit]), child_env(), work, "fix"
        )
        if "1 workbooks loaded" not in str(fix["output"]):
            notes.append("The correction run did not load exactly one workbook: see its log.")
        ratio = fix["wall"] / full["wall"]
        rows += [
            (
                f"Officer: `census check` of {corrected.name} with an error (exit 1)",
                with_load(fmt_s(found["wall"]), found),
                "",
                "",
            ),
            (
                "Officer: `census check` of the fixed workbook (exit 0)",
                with_load(fmt_s(passed["wall"]), passed),
                "",
                "",
            ),
            (
                f"Correction: `census run --district {unit}`, one of {len(paths)}, wall",
                with_load(fmt_s(fix["wall"]), fix),
                "",
                "",
            ),
            (
                "Correction / full run (wall; the cold full run)",
                f"{ratio:.2f}",
                "< 0.25",
                verdict(ratio < 0.25),
            ),  # fmt: skip
            (
                "Correction / full run (wall; the full run with the server running)",
                f"{fix['wall'] / warm_full['wall']:.2f}",
                "",
                "",
            ),
            (
                "Correction / full run (flow compute)",
                f"{fix['timings'].get('flow', 0) / max(compute, 1e-9):.2f}",
                "",
                "",
            ),
        ]
        print_ratio("correction / cold full census run (wall)", ratio, "< 0.25")
        stop_local_server()

        # --- without the local server: a temporary Prefect API server per run (before) ----
        if not args.skip_temporary:
            log("without the local server (CENSUS_LOCAL_SERVER=0): full run and correction")
            env = child_env({"CENSUS_LOCAL_SERVER": "0"})
            tmp_full = measured(
                census_run(raw, warehouse, reports, ["--force"]), env, work, "temporary-full"
            )
            correct_one_district(corrected)
            tmp_fix = measured(
                census_run(raw, warehouse, reports, ["--district", unit]),
                env,
                work,
                "temporary-fix",
            )
            rows += [
                (
                    "Without the local server (a temporary API server per run): full; correction",
                    f"{with_load(fmt_s(tmp_full['wall']), tmp_full)}; "
                    f"{with_load(fmt_s(tmp_fix['wall']), tmp_fix)}",
                    "",
                    "",
                ),
                (
                    "Without the local server: correction / full (wall)",
                    f"{tmp_fix['wall'] / tmp_full['wall']:.2f}",
                    "",
                    "",
                ),
            ]

        # --- the same with a running Prefect server ---------------------------------------
        if not args.skip_server:
            log("a running Prefect server: full run and correction again, connected to it")
            server = PrefectServer(work / "server.log")
            try:
                up = server.wait()
                env = child_env({"PREFECT_API_URL": server.url})
                slog = work / "server-full.log"
                warm = run_child(
                    census_run(raw, warehouse, work / "reports", ["--force"]), env, slog
                )
                check(warm, "province run (server)", slog)
                correct_one_district(corrected)
                slog = work / "server-fix.log"
                warm_fix = run_child(
                    census_run(raw, warehouse, work / "reports", ["--district", unit]), env, slog
                )
                check(warm_fix, "correction run (server)", slog)
            finally:
                server.stop()
            rows += [
                (
                    "With a running Prefect server: province wall (server start-up "
                    f"{fmt_s(up)}, once)",
                    fmt_s(warm["wall"]),
                    "< 15 s",
                    verdict(warm["wall"] < 15),
                ),
                (
                    "With a running Prefect server: correction wall; / full",
                    f"{fmt_s(warm_fix['wall'])}; {warm_fix['wall'] / warm['wall']:.2f}",
                    "< 0.25",
                    verdict(warm_fix["wall"] / warm["wall"] < 0.25),
                ),
            ]

        if args.profile:
            log("profile: pyinstrument on the province's work, one thread")
            text = profile(cached, work)
            print(text)
            notes.append(f"Profile (pyinstrument): printed above; HTML in {PROFILE_HTML}.")

        # --- nation ---------------------------------------------------------------------
        if not args.skip_nation:
            count = max(1, round(nation.NATION_DISTRICTS * args.scale))
            log(f"nation: {count} of {nation.NATION_DISTRICTS} districts (scale {args.scale})")
            nraw, provinces, gen = nation.nation(CACHE, count, log)
            if gen["templates"] or gen["districts"] > 1:
                notes.append(
                    f"Nation generated: templates {fmt_s(gen['templates'])}, "
                    f"{count} district workbooks {fmt_s(gen['districts'])} (cached after)."
                )
            env = child_env({"CENSUS_PROVINCES_DIR": str(provinces)})
            runners = [("default", [])]
            if not args.skip_dask:
                runners.append(("Dask, local cluster of 2", ["--task-runner", "dask"]))
            for label, extra in runners:
                log(f"nation: census run, {label} runner")
                nlog = work / f"nation-{extra[-1] if extra else 'default'}.log"
                nw = work / "nation.duckdb"
                cmd = census_run(
                    nraw, nw, work / "reports-nation", ["--province", "nation", "--force", *extra]
                )
                res = run_child(cmd, env, nlog)
                check(res, f"nation run ({label})", nlog)
                n = res["households"]
                # Start-up is paid once; the flow's own time grows with the districts.
                flow_s = res["timings"].get("flow", res["wall"])
                full_scale = res["wall"] - flow_s + flow_s * nation.NATION_DISTRICTS / count
                rows += [
                    (
                        f"Nation ({label}): {count} workbooks, {n:,} households, wall",
                        fmt_s(res["wall"]),
                        "< 10 min" if count == nation.NATION_DISTRICTS else "",
                        verdict(res["wall"] < 600) if count == nation.NATION_DISTRICTS else "",
                    ),
                    (f"Nation ({label}): rows per second", f"{n / res['wall']:,.0f}", "", ""),
                    (
                        f"Nation ({label}): flow stages (s, wall)",
                        stage_list(res["timings"], (*FLOW_STAGES, "flow")),
                        "",
                        "",
                    ),
                    (
                        f"Nation ({label}): peak memory (process tree; ru_maxrss)",
                        f"{fmt_mem(res['peak_tree'])}; {fmt_mem(res['maxrss'])}",
                        "< 4 GiB",
                        verdict(res["peak_tree"] < 4 * GIB),
                    ),
                ]
                if count < nation.NATION_DISTRICTS:
                    notes.append(
                        f"Nation ({label}) at 700 districts is extrapolated linearly from "
                        f"{count}: it misses the marts' growth, which is not linear (docs/"
                        "scaling.md); `make bench SCALE=1` measures it (bench/results-scale-1.md: "
                        "12.9 min and 3.34 GiB on workers, 2 December 2026)."
                    )
                    rows.append(
                        (
                            f"Nation ({label}): 700 districts, extrapolated (start-up "
                            f"once + flow {fmt_s(flow_s)} x {nation.NATION_DISTRICTS / count:.0f})",
                            fmt_s(full_scale),
                            "< 10 min",
                            verdict(full_scale < 600) + " (extrapolated)",
                        )
                    )
                shutil.rmtree(nw, ignore_errors=True)
                nw.unlink(missing_ok=True)
                Path(str(nw) + ".wal").unlink(missing_ok=True)
    finally:
        stop_local_server()  # the bench leaves nothing running
        shutil.rmtree(work, ignore_errors=True)

    total = time.perf_counter() - started_all
    notes.append(f"Whole bench: {fmt_s(total)}. Machine: {machine_note(load_at_start)}.")
    table = ["| measure | value | target | |", "|---|---|---|---|"]
    table += [f"| {m} | {v} | {tg} | {vd} |" for m, v, tg, vd in rows]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = (
        f"# Benchmarks (`make bench`, scale {args.scale}), {when}\n\n"
        + "\n".join(table)
        + "\n\n"
        + "\n".join(f"- {n}" for n in notes)
        + "\n"
    )
    print()
    print(text)
    results = (
        RESULTS
        if args.scale == DEFAULT_SCALE
        else RESULTS.with_stem(f"results-scale-{args.scale:g}")
    )
    results.write_text(text, encoding="utf-8")
    log(f"written {results.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
