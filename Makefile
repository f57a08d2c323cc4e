# The two commands: `make run` and `make test`. Everything they need is installed from here.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint venv dynamodb-local bench container-test clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	# requirements.lock pins every package to the versions the suite was verified with.
	$(PY) -m pip install --quiet -c requirements.lock -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

dynamodb-local: $(STAMP)
	$(PY) deploy/dynamodb_local.py fetch

run: $(STAMP) dynamodb-local
	./deploy/run_local.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .

test: $(STAMP) dynamodb-local
	$(VENV)/bin/ruff check .
	DJANGO_SETTINGS_MODULE=duelarena.settings $(VENV)/bin/pytest -q $(PYTEST_ARGS)
	@if [ "$$CI" = "true" ]; then $(MAKE) --no-print-directory container-test; \
	else echo "container smoke test skipped (runs when CI=true, or: make container-test)"; fi

# Builds the image with buildah from a debootstrapped Debian base and checks it (installs buildah and
# debootstrap with apt-get when root on Debian).
container-test: $(STAMP) dynamodb-local
	./deploy/container_smoke.sh

bench: $(STAMP) dynamodb-local
	$(PY) bench/cold_start.py
	$(PY) bench/game_ops.py

# Harness time per turn (provider excluded) and autoplay plies/s between built-ins on DynamoDB Local.
.PHONY: bench-turns
bench-turns: $(STAMP) dynamodb-local
	$(PY) bench/turn_overhead.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
