"""The built site on this machine, for the tests and `make bench`: build it with plain
`mkdocs build`, serve a folder on 127.0.0.1, and start Debian's headless Chromium for Playwright. (Page
weights are measured compressed by `make bench` itself; `make audit`'s server compresses.)"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Debian's chromium-headless-shell: the same Chromium without the desktop browser's parts (what
# Playwright itself runs headless), which takes a quarter less time over the tests than `chromium`.
CHROMIUM = shutil.which("chromium-headless-shell") or "/usr/bin/chromium-headless-shell"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def build(site_dir: Path) -> None:
    """`mkdocs build -d site_dir` (every language, strict), in the project's Python; raises with
    MkDocs' output if it fails."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(site_dir)], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    if run.returncode:
        raise RuntimeError(f"mkdocs build failed ({run.returncode}):\n{run.stdout[-5000:]}{run.stderr[-5000:]}")


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now (for `mkdocs serve --dev-addr`)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(folder: Path):
    """Serve folder on a free port of 127.0.0.1 with Python's http.server; yields the base URL
    ("http://127.0.0.1:N/") once it answers."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait()


def chromium(playwright):
    """Debian's headless Chromium, launched by Playwright (which must not download a browser)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: "
                           "`make chromium` installs Debian's chromium-headless-shell")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
