"""The data set of the SGD playground (docs/*/sgd-hyperparameters.md#playground), in every language.

The playground (overrides/assets/playground/, loaded on its page only) trains the chapter's linear
regression in the browser on exactly the chapter's data: ``assets/playground/data.js`` is the data
set made with torch as the chapter's "Generating the data set" block makes it (seed 0, 1000
examples, w = [2, -3.4], b = 4.2, sigma = 0.01), as ``window.sgdPlaygroundData = {..., "features":
"<base64 of n*d little-endian float32, row-major>", "labels": "<base64>"}``: the exact float32
numbers (16 KB), since rounded decimals would move the converged loss by more than the playground's
1e-4 agreement with PyTorch; a script, not JSON, so that it loads from file://. Cached in
.cache/playground/ (keyed on torch's version and this file): a rebuild does not import torch.
"""

import base64
import hashlib
import importlib.metadata
import json
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "playground"
FOLDER = "assets/playground"
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
    key = hashlib.sha256(Path(__file__).read_bytes() + importlib.metadata.version("torch").encode())
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


def on_files(files, config):
    files.append(File.generated(config, f"{FOLDER}/data.js", content=data_js()))
    return files
