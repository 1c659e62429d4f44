# xinyong 信用评价管理系统 — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install system-deps lint typecheck bench clean help

help: ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench,spark]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the package with test, bench and spark extras

system-deps: ## Debian packages the tests need (chromium, Chinese fonts, Java 17 for Spark); installs only what is missing
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'wenquanyi'; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
		else echo "chromium/fonts-wqy-microhei missing and not root: browser tests will be skipped"; fi; \
	fi
	@# issue 10 item 4: the Spark engine (`xinyong evaluate --engine spark`, tests/evaluation/test_spark_engine.py) needs Java 17
	@if ! command -v java >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; \
		else echo "java missing and not root: the Spark engine test will be skipped"; fi; \
	fi

run: $(STAMP) ## initialise the embedded database (defaults + demo data) and serve API + web on $(HOST):$(PORT)
	$(BIN)/xinyong init --demo
	$(BIN)/xinyong serve --host $(HOST) --port $(PORT)

CLOCK_DAYS ?= 2027-01-01 2028-02-29 2026-12-31

test: $(STAMP) system-deps ## the whole suite, on SQLite and (with XINYONG_TEST_POSTGRES_URL) on PostgreSQL; then on SQLite at 1 Jan, 29 Feb, 31 Dec
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n 2
	@# issue 6: the suite passes on any date — again with the clock's day fixed (XINYONG_TODAY), SQLite only,
	@# no browser, two xdist workers (each has its own session database)
	@for day in $(CLOCK_DAYS); do \
		echo "== the suite with the clock at $$day (XINYONG_TODAY=$$day, SQLite, not browser)"; \
		env -u XINYONG_TEST_POSTGRES_URL XINYONG_TODAY=$$day $(BIN)/python -m pytest -q -n 2 -m "not browser and not spark and not fuzz" -p no:cacheprovider || exit 1; \
	done

lint: $(STAMP) ## ruff
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP) ## mypy --strict on the pure core (rules, standards)
	$(BIN)/mypy

bench: $(STAMP) ## issue 10's table, each figure beside its reference: bench scripts, then bench/report.py (docs/performance.md)
	@# rows of this run only (bench/_report.py appends); a script that fails is named in the report, the rest still run
	mkdir -p bench/out && : > bench/out/results.jsonl && rm -f bench/out/failed
	$(BIN)/python bench/bench_batch.py || echo bench_batch.py >> bench/out/failed
	$(BIN)/python bench/bench_post.py || echo bench_post.py >> bench/out/failed
	$(BIN)/python bench/bench_impact.py || echo bench_impact.py >> bench/out/failed
	@# SQLite and PostgreSQL (a fresh database on the local server, as the other benches)
	XINYONG_BENCH_POSTGRES_URL=$${XINYONG_BENCH_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres} \
		$(BIN)/python bench/bench_import.py || echo bench_import.py >> bench/out/failed
	@# 10k/100k, 100k/1M, 1M/10M subjects/records (the growth chart; 1M/10M has the targets); Spark at 100k/1M
	$(BIN)/python bench/bench_evaluate_store.py --spark || echo bench_evaluate_store.py >> bench/out/failed
	@# issue 11: dashboard, subject page, filtered list and portal search under 300 ms server time at 100k/1M
	$(BIN)/python bench/bench_web.py || echo bench_web.py >> bench/out/failed
	@# GET evaluation under load vs the trivial /healthz of the same server (issue 10 item 5)
	$(BIN)/python bench/bench_get.py || echo bench_get.py >> bench/out/failed
	$(BIN)/python bench/report.py

clean: ## remove the virtualenv and the embedded database
	rm -rf $(VENV) xinyong.db xinyong.db-wal xinyong.db-shm
