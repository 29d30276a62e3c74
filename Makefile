# Two commands on a fresh machine: `make run` and `make test`. Each sets itself up.
.DEFAULT_GOAL := help
PY := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: help run test test-clock lint docs setup clean bench bench-events bench-login bench-courier bench-booking

help:
	@echo "make run    start the whole system with demo data (Ctrl-C stops it)"
	@echo "make test   run every test (unit, integration, end-to-end), the clock-marked ones again at a simulated now"
	@echo "make test-clock SIMULATED_NOW=new-years-eve   only the clock-marked tests, at that moment"
	@echo "make lint   ruff and mypy; eslint over the widget"
	@echo "make docs   regenerate docs/asyncapi.yaml and docs/openapi.json"
	@echo "make bench  every benchmark (make bench-events: only the events one)"
	@echo "make bench-events   events benchmark (BENCH_ARGS=\"--events 2000\"; see bench/README.md)"
	@echo "make bench-login    sign-ins per second against the argon2id hashing limit (see bench/README.md)"
	@echo "make bench-courier  messages/s the courier hands to SMTP vs a plain aiosmtplib client (see bench/README.md)"
	@echo "make bench-booking  availability searches and bookings per second vs the same queries on PostgreSQL"

run:
	scripts/run.sh

setup:
	scripts/prepare.sh

# The tests that depend on the date and time of day run again at a simulated now (README, "Tests").
SIMULATED_NOW ?= dst-saturday-night

test: setup
	scripts/infra.sh test-tools
	$(PY) -m pytest $(PYTEST_ARGS)
	$(PY) -m pytest -m clock --simulated-now $(SIMULATED_NOW) $(PYTEST_ARGS) || [ $$? -eq 5 ]

test-clock: setup
	scripts/infra.sh test-tools
	$(PY) -m pytest -m clock --simulated-now $(SIMULATED_NOW) $(PYTEST_ARGS)

lint:
	scripts/venv.sh
	scripts/infra.sh node-tools
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy shared/src services/*/src shared/tests services/*/tests tests bench
	tests/browser/node_modules/.bin/eslint --config tests/browser/eslint.config.js services/gateway/src/regulars/gateway/widget

docs:
	scripts/venv.sh
	$(PY) -m regulars.shared.contracts.asyncapi > docs/asyncapi.yaml
	$(PY) -m regulars.gateway openapi > docs/openapi.json

clean:
	rm -rf .venv var .pytest_cache .mypy_cache .ruff_cache

# Benchmarks print ratios and percentiles measured in one run; see bench/README.md.
BENCH_ARGS ?=
BENCHES := events login courier booking
bench: $(addprefix bench-,$(BENCHES))

# One rule for every benchmark: make bench-<name> runs python -m bench.<name>.
$(addprefix bench-,$(BENCHES)): bench-%:
	scripts/venv.sh
	scripts/infra.sh all
	$(PY) -m bench.$* $(BENCH_ARGS)
