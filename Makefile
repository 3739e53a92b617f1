# One command per job, the same for people and for CI (.ci/run calls `make test`).
#   make serve   install what is missing, then `mkdocs serve`: every language, live reload
#   make test    install what is missing (headless Chromium included), then run every test
#   make build   install what is missing, then `mkdocs build`: the whole site into site/
#   make bench   build times, reload time, test time and page weights, printed
#   make audit   Lighthouse CI on every page, both languages, phone and desktop, against the targets

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)
NODE_STAMP := tools/audit/node_modules/.package-lock.json
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install chromium chromium-desktop node-deps serve build test bench audit clean

install: $(STAMP)

$(STAMP): requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: this project needs Python 3.11 (set PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

# Debian packages, installed when missing (as root, or through sudo).
APT_INSTALL = { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get update -qq && \
                DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(1) >/dev/null; }

# Debian's headless Chromium (the browser without its desktop parts, as Playwright runs it) and a
# CJK font, for the browser tests, the screenshots and `make bench`.
chromium:
	@command -v chromium-headless-shell >/dev/null && fc-list :lang=zh | grep -q . || $(call APT_INSTALL,chromium-headless-shell fonts-noto-cjk)

# The whole of Debian's Chromium, for Lighthouse.
chromium-desktop: chromium
	@command -v chromium >/dev/null || $(call APT_INSTALL,chromium)

# Lighthouse CI and axe-core, pinned by tools/audit/package-lock.json (Node.js 20 is enough).
node-deps: $(NODE_STAMP)

$(NODE_STAMP): tools/audit/package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: tools/audit needs Node.js >= 18.20 and npm"; exit 1; }
	npm ci --prefix tools/audit --no-audit --no-fund --loglevel=error

serve: install
	$(VENV)/bin/mkdocs serve

build: install
	$(VENV)/bin/mkdocs build

test: install chromium node-deps
	$(PY) -m pytest

bench: install chromium
	$(PY) tools/bench.py

# Lighthouse CI (tools/audit/lighthouserc.yml): every page with the phone settings against the
# targets, then with the desktop ones (performance printed, not a target). LHCI_FLAGS narrows a run:
#   make audit LHCI_FLAGS="--collect.numberOfRuns=1 --collect.url=http://localhost/quiz/"
LHCI = CHROME_PATH=$$(command -v chromium) tools/audit/node_modules/.bin/lhci autorun --config=tools/audit/lighthouserc.yml
audit: install chromium-desktop node-deps
	$(VENV)/bin/mkdocs build --quiet -d build/audit-site
	rm -rf build/audit
	$(LHCI) $(LHCI_FLAGS)
	$(LHCI) --collect.settings.preset=desktop --collect.numberOfRuns=1 --assert.assertions.categories:performance=warn \
	  --upload.outputDir=build/audit/desktop $(LHCI_FLAGS)

clean:
	rm -rf site .cache .pytest_cache build
