"""Shared helpers of the loader tests: where ../shared/data is, and a skip when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CONSTELLATION_CSV = SHARED_DATA / "constellation" / "HuggingFaceLLMsWithParamsAndReadmeLinks.csv"
HF_DEP = SHARED_DATA / "hf-dep-network-analysis"


def shared_file(path: Path) -> Path:
    """The path, or skip the test saying which ../shared file is missing."""
    if not path.exists():
        pytest.skip(
            f"needs ../shared/data ({path.relative_to(SHARED_DATA.parent)}): "
            "not present in this checkout"
        )
    return path
