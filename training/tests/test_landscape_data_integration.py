"""The toolkit reads datasets written by training/data (the colleague's procedural landscapes)."""
from __future__ import annotations

from pathlib import Path

import pytest

from training import train_segvqgan
from training.datasets import LandscapeDataset

generate = pytest.importorskip("training.data.generate")


def test_reads_a_generated_dataset_and_trains_on_it(tmp_path: Path) -> None:
    assert generate.main(["--out", str(tmp_path / "data"), "--count", "3", "--size", "64x48", "--workers", "1"]) == 0
    dataset = LandscapeDataset.load(tmp_path / "data")
    from training.data.classes import CLASSES

    assert dataset.classes == [{**c, "color": c["color"].lower()} for c in CLASSES]
    assert dataset.images.shape == (3, 48, 64, 3) and dataset.labels.shape == (3, 48, 64)
    assert train_segvqgan.main(["--tiny", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "seg"), "--steps", "1", "--no-progress", "--threads", "1"]) == 0
