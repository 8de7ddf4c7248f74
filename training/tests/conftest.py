"""Shared test setup. Slow tests (marked `slow`) run only with TESSERA_SLOW=1."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

torch.set_num_threads(1)  # tests share the machine; one thread keeps results canonical too

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DIR = REPO_ROOT / "assets" / "fixtures" / "tessera-tiny"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: long-running; run with TESSERA_SLOW=1")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("TESSERA_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow test: set TESSERA_SLOW=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def one_torch_thread() -> None:
    """CLIs called in-process may set 2 threads; on a busy machine OpenMP's waiting makes that far slower."""
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 synthetic 48x64 scenes with 5 classes, in the training/data folder layout."""
    from training.synthetic_scenes import write_synthetic_dataset

    return write_synthetic_dataset(tmp_path_factory.mktemp("dataset"), count=12, height=48, width=64, num_classes=5, seed=0)


def tiny_vqgan_config(**overrides):
    from training.vqgan import VQGANConfig

    values = dict(ch=8, ch_mult=(1, 1, 2, 2), num_res_blocks=1, attn_resolutions=(), resolution=32, z_channels=8, embed_dim=8, n_embed=32, norm_groups=4)
    values.update(overrides)
    return VQGANConfig(**values)
