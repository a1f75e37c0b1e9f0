"""The usage examples in the loader's docstrings run, so they cannot drift from the code."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import constellation.loader
import pytest

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(constellation.loader.__path__, "constellation.loader.")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, report=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


def test_examples_are_found() -> None:
    """The modules known to carry examples are among those walked (a layout change would
    otherwise make the test above pass by running nothing)."""
    for name in ("pipeline.names", "pipeline.communities", "pipeline.stable_ids", "ingest.lineage"):
        module = importlib.import_module(f"constellation.loader.{name}")
        assert doctest.testmod(module, report=False).attempted > 0, name
    assert "constellation.loader.pipeline.names" in MODULES
