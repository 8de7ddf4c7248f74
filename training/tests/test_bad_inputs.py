"""Bad input gets a clear error and leaves nothing half-written."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from training import bundle_writer, train_vqgan
from training.bundle_writer import BundleTargetError, load_bundle_models, write_bundle
from training.checkpoints import CheckpointMismatch, load_checkpoint, save_checkpoint
from training.datasets import DatasetError, LandscapeDataset
from training.layouts import LayoutError, read_layout
from training.synthetic_scenes import synthetic_classes
from training.token_dataset import TokenDataset

from .conftest import FIXTURE_DIR

CLASSES = synthetic_classes(5)


def _copy_dataset(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_corrupt_image_array(tiny_dataset: Path, tmp_path: Path) -> None:
    ds = _copy_dataset(tiny_dataset, tmp_path / "ds")
    data = (ds / "images.npy").read_bytes()
    (ds / "images.npy").write_bytes(data[: len(data) // 2])  # truncated download / interrupted copy
    with pytest.raises(DatasetError, match="images.npy is corrupt"):
        LandscapeDataset.load(ds)
    (ds / "images.npy").write_bytes(b"\x89PNG not an array")
    with pytest.raises(DatasetError, match="corrupt or not a .npy"):
        LandscapeDataset.load(ds)


def test_label_out_of_range(tiny_dataset: Path, tmp_path: Path) -> None:
    ds = _copy_dataset(tiny_dataset, tmp_path / "ds")
    labels = np.load(ds / "labels.npy")
    labels[7, 3, 4] = 9
    np.save(ds / "labels.npy", labels)
    with pytest.raises(DatasetError, match="label map 7 contains class 9, but the dataset has 5 classes"):
        LandscapeDataset.load(ds)


def test_unfinished_dataset_and_shape_mismatch(tiny_dataset: Path, tmp_path: Path) -> None:
    ds = _copy_dataset(tiny_dataset, tmp_path / "ds")
    np.save(ds / "labels.npy", np.zeros((3, 8, 8), np.uint8))
    with pytest.raises(DatasetError, match="do not match"):
        LandscapeDataset.load(ds)
    (ds / "meta.json").unlink()
    with pytest.raises(DatasetError, match="did not finish"):
        LandscapeDataset.load(ds)


def test_layout_errors(tmp_path: Path) -> None:
    (tmp_path / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    with pytest.raises(LayoutError, match="not a readable image"):
        read_layout(tmp_path / "corrupt.png", CLASSES)
    grey = np.zeros((16, 24), np.uint8)
    grey[5, 7] = 6
    Image.fromarray(grey).save(tmp_path / "grey.png")
    with pytest.raises(LayoutError, match="class 6 at x=7, y=5, but the model has 5 classes"):
        read_layout(tmp_path / "grey.png", CLASSES)
    rgb = np.zeros((16, 24, 3), np.uint8) + np.array([0x7F, 0xB2, 0xE5], np.uint8)
    rgb[2, 3] = (1, 2, 3)
    Image.fromarray(rgb).save(tmp_path / "rgb.png")
    with pytest.raises(LayoutError, match="colour #010203 at x=3, y=2"):
        read_layout(tmp_path / "rgb.png", CLASSES)
    Image.fromarray(np.zeros((20, 24), np.uint8)).save(tmp_path / "size.png")
    with pytest.raises(LayoutError, match="not a multiple of the grid factor 8"):
        read_layout(tmp_path / "size.png", CLASSES, grid_factor=8)


def test_resume_from_another_config_is_refused(tiny_dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    common = ["--tiny", "--data", str(tiny_dataset), "--no-progress", "--threads", "1", "--out", str(out)]
    assert train_vqgan.main([*common, "--steps", "1"]) == 0
    with pytest.raises(FileExistsError, match="pass --resume"):
        train_vqgan.main([*common, "--steps", "2"])
    with pytest.raises(CheckpointMismatch, match=r"another configuration \(differs in: train.seed\)"):
        train_vqgan.main([*common, "--resume", "--seed", "5"])
    with pytest.raises(CheckpointMismatch, match="is a 'image_vqgan' checkpoint, this run trains 'seg_vqgan'"):
        train_vqgan.main([*common, "--resume", "--cond"])
    with pytest.raises(CheckpointMismatch):
        train_vqgan.main(["--config", "landscapes-v1", *common[1:], "--resume"])
    with pytest.raises(CheckpointMismatch, match="is a 'image_vqgan' checkpoint, but this run trains 'gpt'"):
        load_checkpoint(out / "last.ckpt", "gpt")


def test_foreign_or_corrupt_checkpoints(tmp_path: Path) -> None:
    torch.save({"state_dict": {}}, tmp_path / "other.ckpt")
    with pytest.raises(ValueError, match="not a readable Tessera checkpoint"):
        load_checkpoint(tmp_path / "other.ckpt")
    with pytest.raises(FileNotFoundError):
        load_checkpoint(tmp_path / "missing.ckpt")


def test_checkpoint_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_checkpoint(tmp_path / "last.ckpt", {"stage": "gpt", "step": 1})
    before = (tmp_path / "last.ckpt").read_bytes()

    def broken_save(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("training.safe_serialization.torch.save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(tmp_path / "last.ckpt", {"stage": "gpt", "step": 2})
    assert (tmp_path / "last.ckpt").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["last.ckpt"]


def test_token_dataset_out_of_range(tmp_path: Path) -> None:
    TokenDataset(np.full((1, 4, 4), 40, np.int16), np.zeros((1, 4, 4), np.int16), {"image_vocab": 32, "cond_vocab": 16}).save(tmp_path / "t.npz")
    with pytest.raises(ValueError, match="outside the codebooks"):
        TokenDataset.load(tmp_path / "t.npz")


@pytest.fixture(scope="module")
def fixture_models():
    models, manifest = load_bundle_models(FIXTURE_DIR)
    return models


IDENTITY = {"id": "bad-input-test", "name": "x", "version": "0", "license": "MIT", "source": {"kind": "fixture"}}


def test_export_into_non_empty_folder_is_refused(fixture_models, tmp_path: Path) -> None:
    target = tmp_path / "bundle"
    target.mkdir()
    (target / "keep.txt").write_text("user data")
    with pytest.raises(BundleTargetError, match="is not empty"):
        write_bundle(target, fixture_models, IDENTITY)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]


def test_failed_export_leaves_nothing(fixture_models, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args, **kwargs):
        raise RuntimeError("export blew up")

    monkeypatch.setattr(bundle_writer, "export_transformer", fail)
    with pytest.raises(RuntimeError, match="export blew up"):
        write_bundle(tmp_path / "bundle", fixture_models, IDENTITY)
    assert list(tmp_path.iterdir()) == []


def test_invalid_manifest_is_not_published(fixture_models, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="id"):
        write_bundle(tmp_path / "bundle", fixture_models, {**IDENTITY, "id": "Not Valid"})
    assert list(tmp_path.iterdir()) == []
