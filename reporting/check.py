"""Open the HTML report in headless Chromium: the charts must have rendered; save a screenshot.

    python -m reporting.check reports/2019/bao-cao-ho-ngheo-2019.html [--screenshot PNG]

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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("html", type=Path)
    p.add_argument("--screenshot", type=Path, help="default: <html without .html>-screenshot.png")
    args = p.parse_args(argv)
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
