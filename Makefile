# The two commands of the README. Both work on a fresh machine: they install what they need.
PYTHON ?= python3

.PHONY: demo test install lint

install:
	$(PYTHON) -m pip install -q -e '.[test]'

# Main job: start the local graph server, build and load the bundled sample, serve the explorer.
demo: install
	constellation demo

# Tests against a real local graph server (ArcadeDB over Bolt) and headless Chromium.
test:
	bash scripts/test.sh

lint:
	ruff check .
