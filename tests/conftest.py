"""Shared fixtures: the real data beside the project, a temporary warehouse, the sample."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get("TARIFF_AUDIT_SHARED_DATA",
                   Path(__file__).resolve().parents[1].parent / "shared" / "data")
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (real USITC and Census files); tests skip when it is absent."""
    if not (SHARED_DATA / "hts").is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA} (../shared/data beside the project; "
                    "set TARIFF_AUDIT_SHARED_DATA to point elsewhere)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def sample_snapshot(tmp_path_factory) -> Path:
    """A freshly generated offline sample snapshot (once per test session)."""
    from pipelines.sample.generate import generate

    root = tmp_path_factory.mktemp("sample") / "snapshot"
    generate(root)
    return root
