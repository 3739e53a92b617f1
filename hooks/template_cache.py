"""Keep the theme's compiled Jinja templates between builds.

Each build (each language, each `make serve` reload) loads a fresh Jinja environment and compiles
Material's templates again: about 40 of them, a quarter of a second. Jinja's bytecode cache keeps
the compiled code in .cache/jinja, keyed on each template's name and checked against its source,
so an edited template (overrides/) is compiled again and never served stale.
"""

from pathlib import Path

import jinja2

CACHE = Path(__file__).resolve().parent.parent / ".cache" / "jinja"


def on_env(env, config, files):
    CACHE.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(CACHE))
    return env
