# vnplan — one-command upkeep. `make help` lists the targets.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Debian packages vnplan needs at run time (OCR) and for generating sample scans (fonts, pdftoppm),
# and the headless browser the review-page tests drive (chromium with its WebDriver).
APT_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng fonts-dejavu-core fonts-liberation2 poppler-utils chromium chromium-driver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
OUT ?= output

.PHONY: help setup system-deps run test lint bench models digit-fonts clean

help: ## show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: system-deps $(STAMP) ## install everything that is missing (Debian packages, project venv)

system-deps: ## apt-get the OCR engine, Vietnamese data and fonts when missing
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml setup.py pipeline/restore/_lattice.c pipeline/ocr/_imaging.c
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: setup ## process samples/ into output/ (JSON, CSV, SQLite)
	$(VENV)/bin/vnplan run samples/ --out $(OUT)

test: setup ## run the test suite and the linter
	$(PY) -m pytest -q
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

lint: setup ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: setup ## run every benchmark and print its numbers
	$(PY) -m benchmarks

models: setup ## rebuild the trained models under models/ from packaged data
	$(PY) -m pip install -q -e '.[train]'
	$(PY) -m pipeline.restore.training.train
	$(PY) -m pipeline.restore.training.gazetteer
	$(MAKE) digit-fonts
	$(PY) -m pipeline.ocr.training.digits

# The handwriting-style fonts (SIL OFL) the digit model is trained on; not needed at run time.
DIGIT_FONT_PACKAGES := fonts-humor-sans fonts-comic-neue fonts-breip fonts-bwht fonts-kristi fonts-dancingscript
digit-fonts:
	@missing=""; for p in $(DIGIT_FONT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

clean: ## remove generated output and caches
	rm -rf $(OUT)/* .pytest_cache .ruff_cache
	touch $(OUT)/.gitkeep
