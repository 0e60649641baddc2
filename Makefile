# evstudy: `make report` builds the demo study, `make test` runs the suite.
# Every target bootstraps .venv from requirements.lock on first use.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RAW    ?= $(or $(EVSTUDY_RAW),data/raw)
# Jupyter refuses to start as root (containers, shared servers) unless told it may.
ALLOW_ROOT  = $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: help venv report ingest test format lab clean bench bench-scale verify lock synth-demo

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "evstudy needs Python 3.11; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name evstudy --display-name "evstudy (Python 3.11)" >/dev/null
	@touch $(STAMP)

venv: $(STAMP) ## create .venv with the pinned dependencies

report: $(STAMP) ## ingest the raw study and build the report (demo by default)
	$(BIN)/evstudy report --raw "$(RAW)"

ingest: $(STAMP) ## ingest the raw study into data/processed
	$(BIN)/evstudy ingest --raw "$(RAW)"

test: $(STAMP) ## ruff (format and lint), then the whole test suite
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest

format: $(STAMP) ## apply ruff's formatting and safe fixes
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

lab: $(STAMP) ## open JupyterLab on the notebooks with the evstudy kernel
	JUPYTER_PATH=$(abspath $(VENV))/share/jupyter $(BIN)/jupyter lab notebooks/ $(ALLOW_ROOT)

clean: ## remove every build output (never data/raw)
	rm -rf data/processed figures reports build
	@mkdir -p data/processed figures reports
	@touch data/processed/.gitkeep figures/.gitkeep reports/.gitkeep

bench: $(STAMP) ## run the benchmarks: build (cold, no-op, naive) and auto-coding, ratios from one run
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_autocode.py

bench-scale: $(STAMP) ## cold build of a generated 153-site study: time by stage and peak memory
	$(BIN)/python benchmarks/bench_build.py --scale

verify: $(STAMP) ## rebuild from raw data in a temporary folder and compare with reports/manifest.json
	$(BIN)/evstudy verify --raw "$(RAW)"

synth-demo: $(STAMP) ## regenerate the committed demo study into data/raw (seed 2023, 9 sites)
	rm -rf data/raw.new
	$(BIN)/evstudy synth --seed 2023 --sites 9 --out data/raw.new
	rm -rf data/raw && mv data/raw.new data/raw

lock: ## re-resolve requirements.lock from pyproject.toml (needs network to the package index)
	$(PYTHON) -m venv /tmp/evstudy-lock && /tmp/evstudy-lock/bin/pip install --quiet pip-tools
	/tmp/evstudy-lock/bin/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url \
	  --no-emit-find-links --all-build-deps --allow-unsafe --output-file requirements.lock pyproject.toml
