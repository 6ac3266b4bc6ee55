"""Open what the province prints in the real clients: the HTML report in headless Chromium
(the charts must have rendered; a screenshot is saved), the Excel workbooks through LibreOffice
headless (converted to PDF as they would print) and PDFs rendered page by page with poppler.

    python -m reporting.check reports/2019/bao-cao-ho-ngheo-2019.html [--screenshot PNG]
    python -m reporting.check --print reports/2019/bieu-mau-2019.xlsx reports/2019/noi-bo/*.pdf

Two Chromium runs on a throwaway profile, with networking side-channels off: `--dump-dom` gives
the page after its load event, where the report's inline script has written
`data-charts-rendered="decoded/total"` on <body> (an <img> counts only if the browser decoded
it: complete and naturalWidth > 0); `--screenshot` saves what a reader sees, which must not be
one flat colour. Exit status 0 when both hold, 1 otherwise.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)
RENDERED = re.compile(r'<body[^>]*data-charts-rendered="(\d+)/(\d+)"')


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(browser: str, profile: str, *args: str) -> str:
    done = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def check_report(html: Path, screenshot: Path) -> tuple[int, int, int]:
    """(charts decoded, charts in the page, colours in the screenshot); raises if no browser."""
    browser = chromium()
    if browser is None:
        raise FileNotFoundError("chromium is not installed (apt-get install -y chromium)")
    url = html.resolve().as_uri()
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        dom = _run(browser, profile, "--virtual-time-budget=10000", "--dump-dom", url)
        _run(
            browser,
            profile,
            "--window-size=1200,5200",
            f"--screenshot={screenshot.resolve()}",
            url,
        )
    match = RENDERED.search(dom)
    decoded, total = (int(match[1]), int(match[2])) if match else (0, 0)
    with Image.open(screenshot) as image:
        colours = len(image.convert("RGB").getcolors(maxcolors=1 << 20) or [])
    return decoded, total, colours


def printed(workbook: Path, out_dir: Path) -> Path:
    """The workbook as LibreOffice prints it: a PDF in out_dir (a throwaway user profile, so a
    running LibreOffice or a first-start dialogue cannot get in the way)."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise FileNotFoundError("LibreOffice is not installed (apt-get install libreoffice-calc)")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="soffice-") as profile:
        subprocess.run(
            [office, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless"]
            + ["--convert-to", "pdf", "--outdir", str(out_dir), str(workbook)],
            capture_output=True,
            timeout=600,
            check=True,
        )
    return out_dir / f"{workbook.stem}.pdf"


def pages(pdf: Path, out_dir: Path, first: int = 1, last: int = 2, dpi: int = 60) -> list[Path]:
    """Pages first..last of the PDF as PNG images in out_dir (poppler's pdftoppm)."""
    if shutil.which("pdftoppm") is None:
        raise FileNotFoundError("poppler is not installed (apt-get install -y poppler-utils)")
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / pdf.stem
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", str(first), "-l", str(last), str(pdf)]
        + [str(prefix)],
        capture_output=True,
        timeout=300,
        check=True,
    )
    return sorted(out_dir.glob(f"{pdf.stem}-*.png"))


def _print_check(files: list[Path]) -> int:
    """Print each workbook through LibreOffice and render each PDF's first pages; a page
    with no ink fails."""
    failed = 0
    for file in files:
        out = file.parent / "kiem-tra-in"
        pdf = printed(file, out) if file.suffix.lower() == ".xlsx" else file
        for png in pages(pdf, out):
            with Image.open(png) as image:
                ink = image.convert("L").getextrema()[0] < 100
            failed += not ink
            print(f"{'OK' if ink else 'FAILED (blank)'}: {png}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("html", type=Path, nargs="?")
    p.add_argument("--screenshot", type=Path, help="default: <html without .html>-screenshot.png")
    p.add_argument(
        "--print",
        nargs="+",
        type=Path,
        dest="files",
        metavar="FILE",
        help="workbooks (.xlsx) to print through LibreOffice, PDFs to render",
    )
    args = p.parse_args(argv)
    if args.files:
        return _print_check(args.files)
    if args.html is None:
        p.error("give the HTML report, or --print FILE...")
    shot = args.screenshot or args.html.with_name(args.html.stem + "-screenshot.png")
    decoded, total, colours = check_report(args.html, shot)
    ok = total > 0 and decoded == total and colours > 16
    print(
        f"{'OK' if ok else 'FAILED'}: {decoded} of {total} charts rendered in Chromium; "
        f"screenshot ({colours} colours): {shot}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
