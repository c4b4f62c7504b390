# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export LANGSMITH_TRACING ?= false
export LANGSMITH_TEST_TRACKING ?= false
export LANGGRAPH_CLI_NO_ANALYTICS ?= 1
export LANGGRAPH_NO_VERSION_CHECK ?= true
export HF_HUB_OFFLINE ?= 1
export ANONYMIZED_TELEMETRY ?= False

.PHONY: demo test install lint bench clean

# The first install takes a minute or two: say so, and let pip show each package and its progress.
# Once installed, the stamp is newer than pyproject.toml and none of this runs, so later runs stay quiet.
$(BIN)/python:
	@echo "==> Creating the virtual environment in $(VENV)/"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	@echo "==> Installing contractloop and its dependencies into $(VENV)/ (a minute or two the first time)"
	$(BIN)/python -m pip install --progress-bar on -e '.[dev]'
	@echo "==> Installed; later runs of make skip this step"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/contractloop demo

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy core tools playbook_store extraction review qa runtime sandbox agents graphs api backfill evals contractloop

bench: $(STAMP)
	$(BIN)/python -m benchmarks.salesforce_bench

clean:
	rm -rf $(VENV) var .pytest_cache
