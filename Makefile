# The two commands: `make run` and `make test`. Everything they need is installed from here.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Two stamps: `make run` installs the runtime dependencies only; `make test` (and lint, bench) adds the
# test and lint tools of the `dev` extra on top.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test test-py312 lint venv dynamodb-local dynamodb-local-up stockfish bench container-test validate-template clean

$(RUN_STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# requirements.lock pins every package to the versions the suite was verified with. --no-compile:
	# pip compiles one file at a time; $(BYTECODE_STAMP) below compiles the venv on every core.
	$(PY) -m pip install --quiet --no-compile -c requirements.lock -e .
	@touch $(RUN_STAMP)

$(DEV_STAMP): $(RUN_STAMP)
	$(PY) -m pip install --quiet --no-compile -c requirements.lock -e ".[dev]"
	@touch $(DEV_STAMP)

# Bytecode, written once, as the image does (Dockerfile: pip compiles, then compileall). Without it a
# process under PYTHONDONTWRITEBYTECODE=1 (set in the image, and on machines like this one) compiles
# every module it imports from source at every start: ~300 modules, about half of the first API
# request's cold start (bench/cold_start.py; README "Benchmarks"). Redone when the packages are reinstalled.
# The app's own .pyc files go stale as it is edited; Python then compiles that module in memory as
# before, and deploy/run_local.sh refreshes them at each `make run`.
APP_PACKAGES := duelarena accounts games llm deploy
BYTECODE_STAMP := $(VENV)/.compiled
$(BYTECODE_STAMP): $(RUN_STAMP)
	$(PY) -m compileall -q -j0 $(VENV)/lib $(APP_PACKAGES) >/dev/null
	@touch $(BYTECODE_STAMP)

venv: $(DEV_STAMP) $(BYTECODE_STAMP)

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
	@$(MAKE) --no-print-directory -j3 -O $(BYTECODE_STAMP) dynamodb-local-up stockfish
	./deploy/run_local.sh

MYPY := DJANGO_SETTINGS_MODULE=duelarena.settings $(VENV)/bin/mypy

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MYPY)

# The suite runs on $(TEST_WORKERS) pytest-xdist workers: most tests wait on DynamoDB Local, gunicorn,
# Chromium or Stockfish, so more workers than the machine's 2 cores keep both busy. Tests go out
# a module at a time (--dist loadscope), slow modules first (conftest.py), so the workers end together
# and a module's fixtures (gunicorn servers, the LWA stand-in) start once: spread over four workers
# (--dist load), they started up to four times. (loadgroup would group only the modules that start
# servers, but it groups nothing under pytest 9.2: pytest-dev/pytest-xdist#1386.)
# TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 4
PYTEST_PARALLEL = $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadscope)

test: $(DEV_STAMP) $(BYTECODE_STAMP) dynamodb-local stockfish
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MYPY)
	DJANGO_SETTINGS_MODULE=duelarena.settings $(VENV)/bin/pytest -q $(PYTEST_PARALLEL) $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory test-py312
	@if [ "$$CI" = "true" ]; then $(MAKE) --no-print-directory container-test; \
	else echo "container smoke test skipped (runs when CI=true, or: make container-test)"; fi

# The application's unit tests (its four packages; no DynamoDB Local, gunicorn or browser) again on
# Python 3.12, the image's Python, in a second venv with the same pins. The deploy tooling's and the
# contract tests (deploy/, tests/) run once, in the suite above. The interpreter: $(PYTHON312) when set, else pyenv's 3.12 install,
# else a python3.12 on PATH that runs (pyenv's shim refuses unless PYENV_VERSION allows it); none: skipped.
VENV312 := .venv312
UNIT := not integration and not e2e and not browser
UNIT_PACKAGES := duelarena games accounts llm
test-py312: stockfish
	@py=""; \
	for c in "$(PYTHON312)" $$(ls -d "$$(pyenv root 2>/dev/null || echo "$${PYENV_ROOT:-$$HOME/.pyenv}")"/versions/3.12*/bin/python3 2>/dev/null | sort -V -r) python3.12; do \
	  if [ -n "$$c" ] && "$$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' >/dev/null 2>&1; then py="$$c"; break; fi; \
	done; \
	if [ -z "$$py" ]; then echo "Python 3.12 not found: unit tests on 3.12 skipped (set PYTHON312=/path/to/python3.12)"; exit 0; fi; \
	stamp=$(VENV312)/.installed-dev; \
	if [ ! -f $$stamp ] || [ pyproject.toml -nt $$stamp ] || [ requirements.lock -nt $$stamp ]; then \
	  echo "$(VENV312): installing runtime + dev dependencies on $$("$$py" --version)"; \
	  { test -x $(VENV312)/bin/python || "$$py" -m venv $(VENV312); } && \
	  $(VENV312)/bin/python -m pip install --quiet --no-compile -c requirements.lock -e ".[dev]" && \
	  $(VENV312)/bin/python -m compileall -q -j0 $(VENV312)/lib $(APP_PACKAGES) >/dev/null && touch $$stamp || exit 1; \
	fi; \
	echo "unit tests on $$($(VENV312)/bin/python --version)"; \
	DJANGO_SETTINGS_MODULE=duelarena.settings $(VENV312)/bin/pytest -q -p no:cacheprovider -m "$(UNIT)" \
	  $(if $(filter 0,$(TEST_WORKERS)),,-n 2 --dist load --maxschedchunk 1) $(PYTEST312_ARGS) $(UNIT_PACKAGES)

# Builds the image with buildah from a debootstrapped Debian base and checks it (installs buildah and
# debootstrap with apt-get when root on Debian).
container-test: $(DEV_STAMP) dynamodb-local
	./deploy/container_smoke.sh

bench: $(DEV_STAMP) $(BYTECODE_STAMP) dynamodb-local stockfish
	$(PY) bench/cold_start.py
	$(PY) bench/game_ops.py
	$(PY) bench/cost.py
	$(PY) bench/turn_memory.py

# Harness time per turn (provider excluded) and autoplay plies/s between built-ins on DynamoDB Local.
.PHONY: bench-turns
bench-turns: $(DEV_STAMP) dynamodb-local
	$(PY) bench/turn_overhead.py

# `sam validate --lint` (SAM's transform, then cfn-lint) in its own tool venv: the SAM CLI pins its own
# boto3, cfn-lint and Flask, which must not move the app's pins. cfn-lint alone runs in `make test`.
SAM_VENV := .venv-sam
SAM_CLI_VERSION := 1.170.0
validate-template:
	@test -x $(SAM_VENV)/bin/sam || { $(PYTHON) -m venv $(SAM_VENV) && \
	  $(SAM_VENV)/bin/pip install --quiet --no-compile aws-sam-cli==$(SAM_CLI_VERSION); }
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam validate --lint -t template.yaml

clean:
	rm -rf $(VENV) $(VENV312) $(SAM_VENV) staticfiles .pytest_cache
