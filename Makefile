# The two commands: `make run` and `make test`. Everything they need is installed from here.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Two stamps: `make run` installs the runtime dependencies only; `make test` (and lint, bench) adds the
# test and lint tools of the `dev` extra on top.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint venv dynamodb-local dynamodb-local-up stockfish bench container-test clean

$(RUN_STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# requirements.lock pins every package to the versions the suite was verified with. --no-compile:
	# Python compiles the modules it imports on first use, not every file of every package up front.
	$(PY) -m pip install --quiet --no-compile -c requirements.lock -e .
	@touch $(RUN_STAMP)

$(DEV_STAMP): $(RUN_STAMP)
	$(PY) -m pip install --quiet --no-compile -c requirements.lock -e ".[dev]"
	@touch $(DEV_STAMP)

venv: $(DEV_STAMP)

# deploy/dynamodb_local.py is stdlib-only: the download and the start need no venv, so `make run` fetches
# and starts it (and installs Stockfish) while pip installs (-j3; -O keeps each job's output together).
DDB_PORT ?= $(or $(DYNAMODB_LOCAL_PORT),8001)
dynamodb-local:
	$(PYTHON) deploy/dynamodb_local.py fetch

# Started here, it is stopped by run_local.sh when the server stops (the marker says who owns it).
dynamodb-local-up: dynamodb-local
	@mkdir -p .data
	@$(PYTHON) deploy/dynamodb_local.py status --port $(DDB_PORT) >/dev/null 2>&1 || \
	  ($(PYTHON) deploy/dynamodb_local.py start --port $(DDB_PORT) && touch .data/dynamodb-started-by-make)

# Stockfish (Debian package) for the builtin:stockfish-<elo> players and chess move analysis: installed
# with apt-get when running as root on Debian; otherwise say what to install (its tests then skip).
stockfish:
	@if command -v stockfish >/dev/null 2>&1 || [ -x /usr/games/stockfish ] || [ -n "$$STOCKFISH_PATH" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq stockfish >/dev/null; \
	else echo "stockfish not found: install it (apt-get install stockfish) or set STOCKFISH_PATH; the Stockfish players and chess analysis are off"; fi

run:
	@$(MAKE) --no-print-directory -j3 -O $(RUN_STAMP) dynamodb-local-up stockfish
	./deploy/run_local.sh

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .

test: $(DEV_STAMP) dynamodb-local stockfish
	$(VENV)/bin/ruff check .
	DJANGO_SETTINGS_MODULE=duelarena.settings $(VENV)/bin/pytest -q $(PYTEST_ARGS)
	@if [ "$$CI" = "true" ]; then $(MAKE) --no-print-directory container-test; \
	else echo "container smoke test skipped (runs when CI=true, or: make container-test)"; fi

# Builds the image with buildah from a debootstrapped Debian base and checks it (installs buildah and
# debootstrap with apt-get when root on Debian).
container-test: $(DEV_STAMP) dynamodb-local
	./deploy/container_smoke.sh

bench: $(DEV_STAMP) dynamodb-local
	$(PY) bench/cold_start.py
	$(PY) bench/game_ops.py
	$(PY) bench/cost.py

# Harness time per turn (provider excluded) and autoplay plies/s between built-ins on DynamoDB Local.
.PHONY: bench-turns
bench-turns: $(DEV_STAMP) dynamodb-local
	$(PY) bench/turn_overhead.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
