"""The built site on this machine, for the tests and `make bench`: build it with plain
`mkdocs build`, serve a folder on 127.0.0.1, and start Debian's Chromium for Playwright. (Page
weights are measured compressed by `make bench` itself; `make audit`'s server compresses.)"""

import contextlib
import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
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
    """Serve folder on a free port of 127.0.0.1 with Python's http.server, in a thread of this
    process; yields the base URL ("http://127.0.0.1:N/")."""
    handler = functools.partial(Quiet, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_address[1]}/"
        server.shutdown()


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no line on stderr for each request
        pass


def chromium(playwright):
    """Debian's Chromium, launched headless by Playwright (which must not download a browser)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: `make chromium` installs Debian's chromium package")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
