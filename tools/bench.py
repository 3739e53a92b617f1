"""Print the site's speed and size figures against its budgets (what `make bench` runs).

    python tools/bench.py [--skip-tests]

The cold build (every language, every cache removed: programs executed, offline copy built), the
warm rebuild, the reload during `mkdocs serve` (from saving a Markdown page to the served page
holding the edit, each language), the test suite (unless --skip-tests), and what a first visit of
each kind of page downloads in Chromium (files, bytes once gzip-compressed as a host serves them).
Figures are printed, not asserted: budgets are goals for people, not timed tests.
"""

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))
import localsite  # noqa: E402  (tools/, this script's folder, is on sys.path)
from languages import languages  # noqa: E402
from offline import CACHE as OFFLINE_ZIP  # noqa: E402

BENCH_SITE = ROOT / "build" / "bench-site"
BUDGET = {"cold": 30.0, "warm": 5.0, "reload": 2.0, "tests": 180.0,
          "text": 150_000, "notebook": 200_000, "requests": 25}


def report(what: str, value: str, ok: bool, budget: str) -> None:
    print(f"{what:<44} {value:>14}   {'ok  ' if ok else 'OVER'} (budget {budget})", flush=True)


def reload_times(lang, edits: int = 3) -> list[float]:
    """Seconds from saving docs/<lang>/index.md to the page served by `mkdocs serve` holding the
    edit, for `edits` edits in a row (the first after the server's start is the slowest)."""
    port = localsite.free_port()
    url = f"http://127.0.0.1:{port}/{lang.prefix}"
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    page = lang.docs / "index.md"
    original = page.read_bytes()
    times = []
    try:
        deadline = time.time() + 300
        while time.time() < deadline:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        for _ in range(edits):
            time.sleep(1.0)  # let the watcher settle
            marker = f"bench-marker-{time.time_ns()}"
            start = time.perf_counter()
            page.write_bytes(original + f"\n{marker}\n".encode())
            while marker not in urllib.request.urlopen(url, timeout=30).read().decode("utf-8"):
                if time.perf_counter() - start > 60:
                    return [*times, float("inf")]
                time.sleep(0.05)
            times.append(time.perf_counter() - start)
        return times
    finally:
        page.write_bytes(original)
        proc.terminate()
        proc.wait(10)


def first_visit(browser, url: str) -> tuple[int, int, int]:
    """(files, raw bytes, gzip bytes) that a first visit of url downloads (a fresh context: no cache)."""
    context = browser.new_context(service_workers="block")
    responses = []
    context.on("response", lambda r: responses.append(r))  # a lambda: Playwright sets an attribute on it
    context.new_page().goto(url, wait_until="networkidle")
    bodies = [r.body() if r.ok else b"" for r in responses]  # a redirect has no body
    context.close()
    return len(bodies), sum(map(len, bodies)), sum(len(gzip.compress(b, 6)) for b in bodies)


def page_weights() -> None:
    from playwright.sync_api import sync_playwright

    chapters = sorted(p.stem for p in languages()[0].docs.glob("*.md") if p.stem != "index")
    programs = sorted(p.stem for p in (ROOT / "snippets").glob("*.py"))
    kinds = {"home page": ("", "text"), **{name: (f"{name}/", "text") for name in chapters},
             **{f"programs/{name}": (f"programs/{name}/", "notebook") for name in programs}}
    with localsite.serve(BENCH_SITE) as base, sync_playwright() as p:
        browser = localsite.chromium(p)
        for lang in languages():
            for label, (path, kind) in kinds.items():
                files, raw, gz = first_visit(browser, base + lang.prefix + path)
                ok = gz <= BUDGET[kind] and files <= BUDGET["requests"]
                report(f"first visit {lang.lang} {label}", f"{gz / 1000:.0f} KB gz", ok,
                       f"{BUDGET[kind] // 1000} KB, {BUDGET['requests']} files; {files} files, {raw / 1000:.0f} KB raw")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    args = parser.parse_args()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # for `mkdocs serve` below
    print(f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")

    shutil.rmtree(ROOT / ".cache", ignore_errors=True)
    shutil.rmtree(BENCH_SITE, ignore_errors=True)
    for path in (OFFLINE_ZIP, OFFLINE_ZIP.with_suffix(".key")):  # the offline copy is built again too
        path.unlink(missing_ok=True)
    for kind, what in (("cold", "cold build (every language, no cache)"), ("warm", "warm rebuild (every language)")):
        start = time.perf_counter()
        localsite.build(BENCH_SITE)
        t = time.perf_counter() - start
        report(what, f"{t:.1f} s", t <= BUDGET[kind], f"{BUDGET[kind]:g} s")
    for lang in languages():
        times = reload_times(lang)
        t = statistics.median(times)
        report(f"serve: Markdown edit -> page rebuilt ({lang.lang})", f"{t:.2f} s", t <= BUDGET["reload"],
               f"{BUDGET['reload']:g} s; median of {' / '.join(f'{x:.2f}' for x in times)} s")
    if not args.skip_tests:
        start = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t = time.perf_counter() - start
        report("make test (pytest, after the install)", f"{t:.0f} s", t <= BUDGET["tests"] and not code,
               f"{BUDGET['tests']:g} s; pytest exit {code}")
    page_weights()
    return 0


if __name__ == "__main__":
    sys.exit(main())
