# The two commands of the README. Both work on a fresh machine: they install what they need.
# Outside a virtual environment they make one in $(VENV) and install into it (Debian's python3
# refuses `pip install` outside one: "externally-managed-environment"); inside one they use it.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8050

ifdef VIRTUAL_ENV
PY := $(VIRTUAL_ENV)/bin/python
else
PY := $(VENV)/bin/python
endif

.PHONY: demo test install lint

# --system-site-packages: what the machine already has is reused, not downloaded again.
$(VENV)/bin/python:
	$(PYTHON) -m venv --system-site-packages $(VENV)

install: $(if $(VIRTUAL_ENV),,$(VENV)/bin/python)
	$(PY) -m pip install -q -e '.[test]'

# Main job: start the local graph server, build and load the bundled sample, serve the explorer
# on http://$(HOST):$(PORT) (`make demo PORT=8051`). The graph server keeps running afterwards.
demo: install
	$(PY) -m constellation.cli demo --host $(HOST) --port $(PORT)

# Tests against a real local graph server (ArcadeDB over Bolt) and headless Chromium.
test: $(if $(VIRTUAL_ENV),,$(VENV)/bin/python)
	PYTHON=$(PY) bash scripts/test.sh

lint: install
	$(PY) -m ruff check .
