"""The SGD playground on the SGD chapter (docs/*/sgd-hyperparameters.md#playground).

* The data file the build publishes is the chapter's data set, bit for bit.
* The page's JavaScript SGD (window.sgdPlayground.train, float64) agrees with the chapter's
  from-scratch PyTorch loop on the same data, initial values and batch orders, in the mean loss on
  the whole data set after every epoch: to 1e-12 relative with the loop run in float64 (the same
  algorithm, the same arithmetic up to the order of the sums), and to 2e-4 relative with the loop
  as the chapter runs it, in float32. That gap is float32's own: near the noise floor the loss is
  sensitive to the last bits of the parameters, and torch float32 against torch float64 differ by
  as much (chapter setting, epoch 2: median 3e-5 over 30 shuffles, 1.03e-4 with this test's), so
  a bound of 1e-4 would pass or fail with the shuffle.
* The "things to try" the page lists hold for sample 1.
* In Chromium, both languages: the sliders work from the keyboard and change the curves; a large
  η shows the divergence note; no console error, no request to another host; no horizontal
  scroll at 375 px. Screenshots: build/screenshots/playground-<lang>-<desktop|phone>.png.
* The playground's JS + CSS stay under 30 KB compressed.
"""

from __future__ import annotations

import base64
import gzip
import json
from urllib.parse import urlsplit

import numpy as np
import pytest
import torch

from helpers import DOCS, LANGS, PREFIX, ROOT, fences

ASSETS = ROOT / "overrides" / "assets" / "playground"
SHOTS = ROOT / "build" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
PAGE = "sgd-hyperparameters/"
REL_TOL = 2e-4     # JS float64 against torch float32: float32's own rounding reaches 1e-4 (see above)
EXACT_TOL = 1e-12  # JS float64 against torch float64
# (η, |B|, epochs): the chapter's setting, last batches smaller than |B| (1000 = 3·300 + 100,
# 142·7 + 6), full batch, one example per batch
SETTINGS = [(0.03, 10, 3), (0.1, 300, 5), (0.3, 7, 3), (0.01, 1000, 5), (0.01, 1, 2)]


# --- the chapter's code, taken from the page itself ------------------------------------------------

@pytest.fixture(scope="module")
def chapter():
    """Run the chapter's "Generating the data set" and "Model, loss ..." blocks (docs/en)."""
    blocks = [b["code"] for b in fences((DOCS / "en" / "sgd-from-scratch.md").read_text("utf-8"))
              if b["info"] == "python"]
    data_block = next(b for b in blocks if "num_examples, num_inputs = 1000, 2" in b)
    model_block = next(b for b in blocks if "def linreg(" in b and "def sgd(" in b)
    ns: dict = {}
    exec(data_block, ns)
    exec(model_block, ns)  # also w ~ N(0, 0.01²) under torch.manual_seed(1), b = 0
    ns["features"], ns["labels"] = ns["features"].cpu(), ns["labels"].cpu()
    ns["w"], ns["b"] = ns["w"].detach().cpu(), ns["b"].detach().cpu()
    return ns


def torch_train(ns, lr, batch_size, orders, w0, dtype=torch.float32):
    """The chapter's training loop, with data_iter's torch.randperm replaced by the given orders."""
    linreg, squared_loss, sgd = ns["linreg"], ns["squared_loss"], ns["sgd"]
    features, labels = ns["features"].to(dtype), ns["labels"].to(dtype)
    w = w0.to(dtype).clone().requires_grad_()
    b = torch.zeros(1, dtype=dtype, requires_grad=True)
    losses = []
    for indices in orders:
        for i in range(0, len(features), batch_size):
            j = indices[i : i + batch_size]
            X, y = features.index_select(0, j), labels.index_select(0, j)
            l = squared_loss(linreg(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, len(y))
        with torch.no_grad():
            losses.append(squared_loss(linreg(features, w, b), labels).mean().item())
    return losses


def test_data_file_is_the_chapters_data(built_site, chapter):
    for lang in LANGS:
        path = built_site / PREFIX[lang] / "assets" / "playground" / "data.js"
        doc = json.loads(path.read_text("utf-8").split("window.sgdPlaygroundData = ", 1)[1].rstrip().rstrip(";"))
        features = np.frombuffer(base64.b64decode(doc["features"]), "<f4").reshape(doc["n"], doc["d"])
        labels = np.frombuffer(base64.b64decode(doc["labels"]), "<f4")
        assert np.array_equal(features, chapter["features"].numpy()), f"{path}: features differ from the chapter's"
        assert np.array_equal(labels, chapter["labels"].numpy()), f"{path}: labels differ from the chapter's"
        assert (doc["n"], doc["true_w"], doc["true_b"], doc["sigma"]) == (1000, [2.0, -3.4], 4.2, 0.01)
        assert path.stat().st_size < 20_000, f"{path}: {path.stat().st_size} bytes"


def test_assets_are_small():
    js, css = (ASSETS / "playground.js").read_bytes(), (ASSETS / "playground.css").read_bytes()
    size = len(gzip.compress(js, 9)) + len(gzip.compress(css, 9))
    assert size <= 30 * 1024, f"playground JS + CSS: {size} bytes compressed"


# --- in the browser --------------------------------------------------------------------------------

class Watched:
    """A page that records requests to other hosts and console errors."""

    def __init__(self, browser, base, viewport=DESKTOP):
        self.context = browser.new_context(viewport=viewport, service_workers="block")
        self.page = self.context.new_page()
        host = urlsplit(base).netloc
        self.foreign, self.errors = [], []
        self.page.on("request", lambda r: urlsplit(r.url).scheme in ("http", "https", "ws", "wss")
                     and urlsplit(r.url).netloc != host and self.foreign.append(r.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, url):
        self.page.goto(url, wait_until="load")
        # Its scripts load when it nears the screen, as for a reader who scrolls down to it.
        self.page.locator("#sgd-playground").scroll_into_view_if_needed()
        self.page.wait_for_function("() => document.querySelector('#sgd-playground.pg-ready')", timeout=10_000)
        return self.page

    def clean(self):
        assert not self.foreign, f"requests to another host: {self.foreign}"
        assert not self.errors, f"console errors: {self.errors}"

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def desktop(server, browser):
    w = Watched(browser, server)
    w.open(server + PAGE)
    yield w
    w.close()


def js_train(page, **opts):
    return page.evaluate("o => window.sgdPlayground.train(o)", opts)


@pytest.mark.parametrize("lr,batch_size,epochs", SETTINGS)
def test_javascript_agrees_with_pytorch(desktop, chapter, lr, batch_size, epochs):
    torch.manual_seed(42)
    orders = [torch.randperm(1000) for _ in range(epochs)]
    w0 = chapter["w"]  # the chapter's initial w (torch.manual_seed(1)), b = 0
    js = js_train(desktop.page, lr=lr, batchSize=batch_size, epochs=epochs,
                  orders=[o.tolist() for o in orders], w0=w0.flatten().tolist(), b0=0)
    f32 = torch_train(chapter, lr, batch_size, orders, w0)
    f64 = torch_train(chapter, lr, batch_size, orders, w0, torch.float64)
    rel32 = [abs(a - t) / t for a, t in zip(js["losses"], f32, strict=True)]
    rel64 = [abs(a - t) / t for a, t in zip(js["losses"], f64, strict=True)]
    print(f"η = {lr}, |B| = {batch_size}: losses {['%.4e' % v for v in f32]}, "
          f"max relative difference JS/torch float32 {max(rel32):.1e}, float64 {max(rel64):.1e}")
    assert js["lastBatch"] == 1000 - (js["updates"] - 1) * batch_size
    assert max(rel32) <= REL_TOL, f"JS {js['losses']} vs torch float32 {f32}"
    assert max(rel64) <= EXACT_TOL, f"JS {js['losses']} vs torch float64 {f64}"
    desktop.clean()


def test_the_things_to_try_hold(desktop):
    """The list under the playground, for sample 1 (the page's default draw)."""
    page = desktop.page
    assert page.evaluate("sgdPlayground.sample().seed") == 1
    floor = page.evaluate("sgdPlayground.solution.loss")

    def run(lr, batch_size):
        return js_train(page, lr=lr, batchSize=batch_size)

    assert run(0.3, 10)["losses"][0] < 1.5 * floor  # near L* within one epoch
    assert run(0.003, 10)["losses"][-1] > 10 * floor  # still far after 10 epochs
    for lr in (2, 3):
        r = run(lr, 10)
        assert not r["losses"][-1] <= r["loss0"] and not max(r["losses"]) <= 100  # grows, leaves the plot
    assert run(0.03, 1000)["losses"][-1] > 1
    r = run(0.03, 300)
    assert (r["updates"], r["lastBatch"]) == (4, 100)
    trace = js_train(page, lr=0.03, batchSize=1, record=True)["trace"]  # the path wobbles:
    path = np.array([trace["w1"], trace["w2"]]).T  # it is much longer than the straight line
    assert np.linalg.norm(np.diff(path, axis=0), axis=1).sum() > 1.1 * np.linalg.norm(path[-1] - path[0])
    assert run(1, 10)["losses"][-1] < 2 * floor  # η = 1 converges with |B| = 10 ...
    assert not run(1, 1)["losses"][-1] <= 100  # ... and diverges with |B| = 1 (inf or nan)
    assert 4e-5 < floor < 5e-5  # L*: about σ²/2


def curves(page):
    return page.evaluate("""() => [...document.querySelectorAll('#sgd-playground polyline.pg-curve, #sgd-playground polyline.pg-path')]
                                  .map(p => p.getAttribute('points'))""")


@pytest.mark.parametrize("lang", LANGS)
def test_sliders_and_button_change_the_curves(server, browser, lang):
    w = Watched(browser, server)
    try:
        page = w.open(server + PREFIX[lang] + PAGE)
        labels = page.evaluate("() => [...document.querySelectorAll('#sgd-playground label')].map(l => l.textContent)")
        assert labels == ({"zh": ["学习率 η", "批量大小 |B|"], "en": ["learning rate η", "batch size |B|"]}[lang])
        assert page.input_value("#pg-lr") == "6" and page.text_content("#pg-lr-out") == "0.03"
        assert page.text_content("#pg-bs-out") == "10"
        start = curves(page)
        assert all(len(p.split()) > 100 for p in start), "no curve drawn"
        assert page.is_hidden("#pg-note")

        page.focus("#pg-bs")
        page.keyboard.press("ArrowRight")
        assert page.text_content("#pg-bs-out") == "15"
        after_bs = curves(page)
        assert after_bs[0] != start[0] and after_bs[1] != start[1]
        page.keyboard.press("ArrowLeft")
        assert curves(page) == start  # same draw, same settings: the same curves

        page.focus("#pg-lr")
        page.keyboard.press("ArrowRight")
        assert page.text_content("#pg-lr-out") == "0.05"
        after_lr = curves(page)
        assert after_lr[0] != start[0] and after_lr[1] != start[1]
        assert page.is_hidden("#pg-note")

        page.keyboard.press("End")  # η = 3
        assert page.text_content("#pg-lr-out") == "3"
        assert page.get_attribute("#pg-lr", "aria-valuetext") == "η = 3"
        assert page.is_visible("#pg-note")
        assert page.get_attribute("#sgd-playground", "data-state") == "diverged"
        note = page.text_content("#pg-note")
        assert {"zh": "发散", "en": "Diverged"}[lang] in note and "η = 3" in note
        assert {"zh": "从图的上沿离开", "en": "leaves the plot at the top"}[lang] in note

        page.keyboard.press("Home")
        page.keyboard.press("ArrowRight")  # back to a stable η: the note goes away
        assert page.is_hidden("#pg-note")

        page.focus("#pg-lr")
        for _ in range(5):
            page.keyboard.press("ArrowRight")  # η = 0.03 again
        assert curves(page) == start
        before = page.text_content("#pg-sample-out")
        page.click("#pg-new")
        assert page.text_content("#pg-sample-out") != before
        assert page.evaluate("sgdPlayground.sample().seed") == 2
        assert curves(page)[1] != start[1]
        w.clean()
    finally:
        w.close()


BOX = """() => { const r = document.getElementById('sgd-playground').getBoundingClientRect();
                return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height}; }"""


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("device,viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_screenshots_and_no_horizontal_scroll(server, browser, lang, device, viewport):
    w = Watched(browser, server, viewport)
    try:
        page = w.open(server + PREFIX[lang] + PAGE)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{lang} {device}: the page is {width} px wide"
        box = page.evaluate(BOX)
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        SHOTS.mkdir(parents=True, exist_ok=True)
        # A full-page shot keeps Material's fixed header at the top of the page, off the playground.
        page.screenshot(path=str(SHOTS / f"playground-{lang}-{device}.png"), full_page=True, clip=box)
        page.focus("#pg-lr")
        page.keyboard.press("End")  # the diverged state too, for a person to look at
        page.screenshot(path=str(SHOTS / f"playground-{lang}-{device}-diverged.png"), full_page=True,
                        clip=page.evaluate(BOX))
        w.clean()
    finally:
        w.close()
