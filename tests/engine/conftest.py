"""Fixtures of the engine tests: one Ray head node for the module that asks for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ray_cluster import ray_head


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a real Ray cluster (head only, 127.0.0.1, 2 CPUs), stopped after the module."""
    pytest.importorskip("ray", reason="Ray is not installed: pip install 'embedforge[ray]' (in the dev extra)")
    with ray_head(tmp_path_factory.mktemp("ray")) as address:
        yield address
