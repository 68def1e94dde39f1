# Each target names one step of the pipeline; `make run` and `make test` are all a new user needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RAW := raw
OUT := processed

.PHONY: install run curate validate clean-text extract audit report lint test fuzz test-early-exit eval train eval-audit bench bench-extraction bench-stages bench-scaling distclean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run: every stage on raw/ into processed/
run: $(STAMP)
	$(BIN)/stretchpipe run $(RAW) --out $(OUT)

## curate: rebuild the curated dataset of processed/ (after make run)
curate: $(STAMP)
	$(BIN)/stretchpipe curate $(OUT)

## validate: check processed/datapackage.json and its CSV tables with frictionless (after make run)
validate: $(STAMP)
	$(BIN)/frictionless validate $(OUT)/datapackage.json

## clean-text / extract / audit: one stage at a time, printed to stdout
clean-text: $(STAMP)
	$(BIN)/stretchpipe clean $(RAW)

extract: $(STAMP)
	$(BIN)/stretchpipe extract $(RAW)

audit: $(STAMP)
	$(BIN)/stretchpipe audit $(RAW)

## report: the audit as one HTML page (report.html)
report: $(STAMP)
	$(BIN)/stretchpipe report $(RAW) -o report.html

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests scripts

test: lint
	$(BIN)/python -m pytest -q

## fuzz: the parsers (HTML, Markdown, front matter, WARC, sitemaps, robots.txt) under Hypothesis, randomly and
## much longer than `make test` does (FUZZ_EXAMPLES per parser); a crash it finds becomes a tests/hostile/ case
FUZZ_EXAMPLES ?= 2000
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q tests/test_fuzz.py

## test-early-exit: every corpus in ../shared (news, development pages, recipes, seed) run with the early exit
## on and off: the same records, byte for byte (make test runs the news and development pages only)
test-early-exit: $(STAMP)
	STRETCHPIPE_EARLY_EXIT_ALL=1 $(BIN)/python -m pytest -q tests/test_gate.py

## eval: per-field accuracy on the written cases, then the development corpus by leave-one-site-out grouped
## cross-validation (a `devcorpus grouped-cv:` line beside `devcorpus in-sample:`; ../shared beside the clone)
eval: $(STAMP)
	$(BIN)/python -m pipeline.evaluate tests/eval
	$(BIN)/python -m pipeline.audit.evaluate tests/audit_eval

## eval-audit: the audit on the development corpus's real pages: recall of faults planted one at a time in
## their text (per fault type), and errors and warnings per page on the pages as they are
DEV_CORPUS ?= ../shared/dev-corpus
eval-audit: $(STAMP)
	$(BIN)/python -m pipeline.audit.planted $(DEV_CORPUS)

## train: refit the record decision (pipeline/data/model/record_decision.json) on ../shared/dev-corpus,
## ../shared/dev-negatives and the written cases; `make eval` scores the same fit by grouped cross-validation
train: $(STAMP)
	$(BIN)/python scripts/train_model.py

## bench: CPU per page as ratios to trafilatura precision (news, stretch pages, a 10:1 crawl-like mix, lxml floor, the run's own cost); pages/s on 1 and 2 workers, trafilatura as reference, peak memory at 1,000 and 10,000 pages, no-op re-run
bench: $(STAMP)
	$(BIN)/python -m pipeline.bench

## bench-extraction: the clean stage beside trafilatura on the shared article-extraction benchmark
## (F1 and pages/s side by side; fails when F1 drops under the floor in tests/eval/floors.json)
BENCHMARK ?= ../shared/bench/article-extraction
bench-extraction: $(STAMP)
	$(BIN)/python scripts/bench_extraction.py $(BENCHMARK)

## bench-stages: CPU ms per page of each stage (acquire, clean, extract, audit) beside trafilatura's extract,
## on the benchmark's news pages, then on the development corpus and the seed (Markdown, text, HTML)
NEWS_PAGES ?= $(BENCHMARK)/html
DEV_PAGES ?= ../shared/dev-corpus/pages ../shared/seed
bench-stages: $(STAMP)
	$(BIN)/python scripts/bench_stages.py $(NEWS_PAGES)
	$(BIN)/python scripts/bench_stages.py $(DEV_PAGES)

## bench-scaling: CPU ms per stretch of clean, extract and audit on one page of 10, 100, 1,000 and 10,000 headed
## stretches (flat columns: linear); a size is skipped once the one before it took over --budget seconds
bench-scaling: $(STAMP)
	$(BIN)/python scripts/bench_scaling.py

## distclean: the venv, every output file (the folder's own .gitkeep stays) and the run state beside it
distclean:
	rm -rf $(VENV) .$(OUT).stretchpipe
	find $(OUT) -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +
