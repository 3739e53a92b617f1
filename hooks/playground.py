"""The SGD playground's data and scripts, in both languages.

The playground on the SGD chapter (docs/*/sgd-hyperparameters.md#playground; code and styles in
overrides/assets/playground/, which the theme publishes in both languages) trains the chapter's
linear regression in the browser, on exactly the chapter's data. This hook has two jobs:

* ``on_files``: generate that data set with torch as the chapter's "Generating the data set"
  block does (seed 0, 1000 examples, true w = [2, -3.4], b = 4.2, noise sigma = 0.01, float32)
  and add it to the site as ``assets/playground/data.js``:

      window.sgdPlaygroundData = {"n": 1000, "d": 2, "seed": 0, "true_w": [2.0, -3.4],
        "true_b": 4.2, "sigma": 0.01, "dtype": "float32", "byteorder": "little",
        "features": "<base64 of n*d float32, row-major>", "labels": "<base64 of n float32>"};

  The values are the exact float32 numbers torch produced (16 KB, about 12 KB gzipped): rounded
  decimals would move the converged loss by more than the playground's 1e-4 agreement with
  PyTorch. A script rather than JSON, so that the page works from file:// too (the offline copy),
  where fetch() cannot read files. tests/test_playground.py checks it bit for bit against the
  chapter's block. torch is imported only when the file is not yet cached in .cache/playground/
  (keyed on torch's version and this file's text), so a rebuild does not pay for the import.

* ``on_post_page``: a page holding the playground (``id="sgd-playground"``) gets the stylesheet in
  its head and, at the end of its body, a few lines that load the two scripts (data, then code)
  once the playground comes within 600 px of the screen: a reader who never scrolls that far does
  not download them (20 KB compressed). URLs are relative to the page, right with and without
  directory URLs. No other page loads them.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
from pathlib import Path

from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "playground"
FOLDER = "assets/playground"
DATA = f"{FOLDER}/data.js"
MARKER = 'id="sgd-playground"'
SEED, NUM_EXAMPLES, TRUE_W, TRUE_B, SIGMA = 0, 1000, [2.0, -3.4], 4.2, 0.01


def generate() -> tuple[bytes, bytes]:
    """(features, labels) as little-endian float32 bytes, made as the chapter makes them."""
    import torch

    torch.manual_seed(SEED)
    true_w = torch.tensor(TRUE_W)
    features = torch.randn(NUM_EXAMPLES, len(TRUE_W))
    labels = features @ true_w + TRUE_B
    labels += torch.normal(0.0, SIGMA, size=labels.shape)
    return features.numpy().astype("<f4").tobytes(), labels.numpy().astype("<f4").tobytes()


def data_js() -> bytes:
    """The published file's bytes, from the cache or generated now."""
    key = hashlib.sha256(Path(__file__).read_bytes())
    key.update(importlib.metadata.version("torch").encode())
    cached = CACHE / f"data.{key.hexdigest()[:16]}.js"
    if cached.exists():
        return cached.read_bytes()
    features, labels = generate()
    doc = {
        "n": NUM_EXAMPLES, "d": len(TRUE_W), "seed": SEED, "true_w": TRUE_W, "true_b": TRUE_B,
        "sigma": SIGMA, "dtype": "float32", "byteorder": "little",
        "features": base64.b64encode(features).decode("ascii"),
        "labels": base64.b64encode(labels).decode("ascii"),
    }
    text = ("/* The SGD chapter's data set for its playground (hooks/playground.py). */\n"
            f"window.sgdPlaygroundData = {json.dumps(doc, separators=(',', ':'))};\n").encode("utf-8")
    CACHE.mkdir(parents=True, exist_ok=True)
    for old in CACHE.glob("data.*"):
        old.unlink()
    cached.write_bytes(text)
    return text


# Loads the scripts in order when the playground nears the viewport (at once without
# IntersectionObserver).
LOADER = """<script>(function (srcs) {
  var root = document.getElementById("sgd-playground"), started = false;
  function load() {
    if (started) return;
    started = true;
    (function next(i) {
      if (i >= srcs.length) return;
      var s = document.createElement("script");
      s.src = srcs[i];
      s.onload = function () { next(i + 1); };
      document.body.appendChild(s);
    })(0);
  }
  if (!root || !("IntersectionObserver" in window)) return load();
  new IntersectionObserver(function (entries, observer) {
    if (entries.some(function (e) { return e.isIntersecting; })) { observer.disconnect(); load(); }
  }, {rootMargin: "600px 0px"}).observe(root);
})(%s);</script>"""


def on_files(files, config):
    files.append(File.generated(config, DATA, content=data_js()))
    return files


def on_post_page(output, page, config):
    if MARKER not in output:
        return output

    def url(name):
        return get_relative_url(f"{FOLDER}/{name}", page.url)

    css = f'<link rel="stylesheet" href="{url("playground.css")}">'
    js = LOADER % json.dumps([url("data.js"), url("playground.js")])
    output = output.replace("</head>", css + "</head>", 1)
    body, end, rest = output.rpartition("</body>")
    return body + js + end + rest
