"""Lighthouse on every page and one program page, every language, phone and desktop (`make audit`).

    python tools/audit.py [--site-dir DIR] [--no-build] [--keep-reports] [--runs N] [--pages quiz,api-glossary]
                          [--presets mobile]

Builds the site into build/audit-site (unless --no-build), serves it on 127.0.0.1 gzip-compressed,
and runs Lighthouse (tools/audit/, `npm ci --prefix tools/audit`) in Debian's Chromium with its
mobile settings (a slow phone on a slow 4G link, simulated) and with --preset=desktop. Targets:
performance >= 95 with the mobile settings; accessibility, best practices, SEO >= 95 everywhere.
Exits 1 when a target is missed (the failing audits are listed under the table) or a page made a
request to another host. The JSON reports go to build/audit/ with --keep-reports.

Mobile performance depends on this machine's speed (Lighthouse slows the CPU four times on top of
whatever else runs): on a busy machine use --runs 3 (the run with the median performance score
counts), and read the benchmark index under the table (Lighthouse expects about 1000 or more).
"""

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))
import localsite  # noqa: E402  (tools/, this script's folder, is on sys.path)
from languages import languages  # noqa: E402

AUDIT = ROOT / "tools" / "audit"
LIGHTHOUSE = AUDIT / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROME = os.environ.get("CHROME_PATH") or localsite.CHROMIUM
# Chromium's own services (component updates, sign-in) still look up Google's hosts with
# --disable-background-networking: the host resolver rule answers every name "not found" without
# asking DNS, so nothing leaves the machine; the site is on 127.0.0.1, an address, not a name.
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-quic"
                " --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'")
# Every Markdown page (by file name; "index" is the home page) and one program page.
PAGES = {p.stem: "" if p.stem == "index" else f"{p.stem}/" for p in sorted(languages()[0].docs.glob("*.md"))}
PAGES["program"] = "programs/linear_regression_scratch/"
PREFIX = {lang.lang: lang.prefix for lang in languages()}
PRESETS = ("mobile", "desktop")
CATEGORIES = {"performance": "perf", "accessibility": "a11y", "best-practices": "best", "seo": "seo"}
TARGET = 95  # the least score of every category, but desktop performance (reported, not a target)


# --- Lighthouse ------------------------------------------------------------------------------------


def lighthouse(url: str, preset: str, out: Path) -> dict:
    cmd = ["node", str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
           f"--chrome-flags={CHROME_FLAGS}", "--no-enable-error-reporting",
           "--only-categories=" + ",".join(CATEGORIES)]
    if preset == "desktop":
        cmd.append("--preset=desktop")
    env = dict(os.environ, CHROME_PATH=CHROME)
    out.unlink(missing_ok=True)
    proc = subprocess.run(cmd, cwd=AUDIT, env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode or not out.exists():
        raise RuntimeError(f"lighthouse failed on {url} ({preset}):\n{proc.stderr[-3000:]}")
    return json.loads(out.read_text("utf-8"))


def failing_audits(report: dict, category: str) -> list[str]:
    """The weighted audits of a category that did not pass, worst first, with their weight."""
    out = []
    for ref in report["categories"][category]["auditRefs"]:
        a = report["audits"][ref["id"]]
        if ref["weight"] and a["score"] is not None and a["score"] < 1:
            value = f" {a['displayValue']}" if a.get("displayValue") else ""
            out.append((a["score"], f"{a['id']} (score {a['score']:.2f}, weight {ref['weight']}){value}"))
    return [text for _, text in sorted(out)]


def foreign_requests(report: dict, base: str) -> list[str]:
    host = urlsplit(base).netloc
    items = report["audits"]["network-requests"].get("details", {}).get("items", [])
    return [i["url"] for i in items
            if urlsplit(i["url"]).scheme in ("http", "https", "ws", "wss") and urlsplit(i["url"]).netloc != host]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site-dir", type=Path, default=ROOT / "build" / "audit-site")
    parser.add_argument("--no-build", action="store_true", help="audit the site already in --site-dir")
    parser.add_argument("--keep-reports", action="store_true", help="keep the JSON reports in build/audit/")
    parser.add_argument("--runs", type=int, default=1, help="audits of each page and setting; the median counts")
    parser.add_argument("--pages", default=",".join(PAGES), help=f"pages to audit (default: all of {', '.join(PAGES)})")
    parser.add_argument("--presets", default=",".join(PRESETS), help="mobile, desktop or both (default)")
    args = parser.parse_args(argv)

    if not LIGHTHOUSE.exists():
        print("Lighthouse is not installed: run `npm ci --prefix tools/audit` (`make audit` does)")
        return 2
    if not Path(CHROME).exists():
        print(f"Chromium not found at {CHROME}: `make chromium` installs Debian's chromium package")
        return 2
    start = time.perf_counter()
    if not args.no_build:
        print(f"building the site into {args.site_dir} ...", flush=True)
        localsite.build(args.site_dir)

    rows, misses, foreign, warnings, bench = [], [], [], set(), []
    try:
        with tempfile.TemporaryDirectory(prefix="audit_") as tmp, localsite.serve(args.site_dir.resolve()) as base:
            reports_dir = ROOT / "build" / "audit" if args.keep_reports else Path(tmp)
            reports_dir.mkdir(parents=True, exist_ok=True)
            for kind, lang, preset in itertools.product(args.pages.split(","), PREFIX, args.presets.split(",")):
                page, name = f"/{PREFIX[lang]}{PAGES[kind]}", f"{kind}-{lang}-{preset}"
                reports = []
                for run in range(1, args.runs + 1):
                    suffix = f"-{run}" if args.runs > 1 else ""
                    report = lighthouse(base + page[1:], preset, reports_dir / f"{name}{suffix}.json")
                    if report.get("runtimeError"):
                        raise RuntimeError(f"{name}: {report['runtimeError']}")
                    warnings.update(w.split(". ")[0] for w in report.get("runWarnings", []))
                    bench.append(report["environment"]["benchmarkIndex"])
                    reports.append(report)
                reports.sort(key=lambda r: r["categories"]["performance"]["score"] or 0)
                report = reports[len(reports) // 2]  # the median performance
                cells = []  # the score of each category, "!" after one below its target
                for cat in CATEGORIES:
                    score = report["categories"][cat]["score"]
                    score = None if score is None else round(score * 100)
                    missed = (cat != "performance" or preset == "mobile") and (score is None or score < TARGET)
                    if missed:
                        misses.append((f"{page} {preset}", cat, score, failing_audits(report, cat)))
                    cells.append(("-" if score is None else str(score)) + ("!" if missed else ""))
                foreign += [f"{page} {preset}: {u}" for u in foreign_requests(report, base)]
                rows.append((page, preset, cells))
                print(f"  audited {page} ({preset}): performance {cells[0]}", flush=True)
    except RuntimeError as e:
        print(f"audit: {e}")
        return 2

    width = max(len(r[0]) for r in rows)
    print(f"\nLighthouse {json.loads((LIGHTHOUSE.parent.parent / 'package.json').read_text())['version']}, "
          f"targets: performance >= {TARGET} (mobile), the others >= {TARGET} (every page)\n")
    print(f"{'page':<{width}}  {'preset':<7}" + "".join(f"  {v:>5}" for v in CATEGORIES.values()))
    for page, preset, cells in rows:
        print(f"{page:<{width}}  {preset:<7}" + "".join(f"  {cell:>5}" for cell in cells))
    print("\n(! = below target; desktop performance is reported, not a target)")
    for w in sorted(warnings):
        print(f"Lighthouse warned: {w}.")
    print(f"Benchmark index of this machine during the runs: {min(bench):.0f} to {max(bench):.0f}"
          f"{' (median of %d runs per row)' % args.runs if args.runs > 1 else ''}")
    for where, cat, score, audits in misses:
        print(f"\nMISSED {cat} {score} < {TARGET} on {where}:")
        for a in audits:
            print(f"    {a}")
    for f in foreign:
        print(f"REQUEST TO ANOTHER HOST: {f}")
    print(f"\naudit: {len(rows)} runs in {time.perf_counter() - start:.0f} s, "
          f"{len(misses)} target(s) missed, {len(foreign)} request(s) to another host")
    return 1 if misses or foreign else 0


if __name__ == "__main__":
    sys.exit(main())
