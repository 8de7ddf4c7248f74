"""GPT training on several token datasets at once (scenes rendered at several sizes): the batch
split, where each window comes from, the refusals, and a train_gpt run that records the mixture."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from training import encode_tokens, train_gpt, train_segvqgan, train_vqgan
from training.checkpoints import load_checkpoint
from training.run_config import GPTTrainConfig, dataclass_from
from training.token_dataset import TokenDataset
from training.token_mixture import TokenMixture, batch_counts

META = {"image_vocab": 64, "cond_vocab": 64, "grid_factor": 8, "classes": ["a", "b"], "image_vqgan": {"codebook": "i1"}, "seg_vqgan": {"codebook": "s1"}}


def marked_tokens(path: Path, scenes: int, h: int, w: int, mark: int, meta: dict = META) -> Path:
    """Image tokens all `mark` (which dataset), cond tokens the cell's row (where in the grid)."""
    image = np.full((scenes, h, w), mark, dtype=np.int16)
    cond = np.broadcast_to(np.arange(h, dtype=np.int16).reshape(1, h, 1), (scenes, h, w)).copy()
    # Class 1 on every fourth diagonal: a quarter of the cells of a 8x8 grid, in every 4x4 window;
    # one cell of sixteen in a 4x4 grid.
    rows, cols = np.indices((h, w))
    classes = np.broadcast_to(((rows + cols) % 4 == 0) & ((h > 4) | ((rows == 0) & (cols == 0))), (scenes, h, w)).astype(np.uint8)
    TokenDataset(image, cond, dict(meta), classes).save(path)
    return path


def train_config(**values: object) -> GPTTrainConfig:
    return dataclass_from(GPTTrainConfig, {"batch_size": 8, **values}, "gpt.train")


def test_batches_split_by_share_with_largest_remainders() -> None:
    assert batch_counts([0.5, 0.5], 64) == [32, 32]
    assert batch_counts([2, 1], 10) == [7, 3]
    assert batch_counts([1, 1, 1], 8) == [3, 3, 2]
    assert batch_counts([1, 0.001], 8) == [7, 1]  # a source with a share always gets a window
    assert sum(batch_counts([0.3, 0.7], 5)) == 5


def test_every_batch_holds_each_sources_windows_in_its_share(tmp_path: Path) -> None:
    big = marked_tokens(tmp_path / "big.npz", 20, 8, 8, mark=1)
    whole = marked_tokens(tmp_path / "whole.npz", 20, 4, 4, mark=2)
    mixture = TokenMixture.load([big, whole], [3, 1], train_config(), (4, 4))
    rng = np.random.default_rng(0)
    rows_seen = set()
    for _ in range(20):
        cond, image, weights = mixture.sample(8, 4, 4, rng)
        assert cond.shape == image.shape == (8, 16)
        marks = image[:, 0].tolist()
        assert marks == [1] * 6 + [2] * 2
        # Windows of the whole-scene dataset are the whole grid; the large grid's slide.
        assert all(c[:4].tolist() == [0, 0, 0, 0] for c in cond[6:])
        rows_seen.update(int(c[0]) for c in cond[:6])
        assert weights is None  # class balance off in this config
    assert rows_seen == {0, 1, 2, 3, 4}
    assert mixture.record() == [{"grid": "8x8", "share": 3.0}, {"grid": "4x4", "share": 1.0}]


def test_class_balance_weights_each_sources_windows_by_its_own_shares(tmp_path: Path) -> None:
    big = marked_tokens(tmp_path / "big.npz", 20, 8, 8, mark=1)
    whole = marked_tokens(tmp_path / "whole.npz", 20, 4, 4, mark=2)
    mixture = TokenMixture.load([big, whole], None, train_config(class_weight_power=1.0), (4, 4))
    _, image, weights = mixture.sample(8, 4, 4, np.random.default_rng(1))
    assert weights is not None and weights.shape == image.shape
    # Power 1: each class weighs the same in total, so the rarer class weighs (its share's
    # complement / its share) times the other, by each source's own shares: 3 and 15.
    big_w, whole_w = weights[:4], weights[4:]
    assert float(big_w.max() / big_w.min()) == pytest.approx(3.0, rel=1e-4)
    assert float(whole_w.max() / whole_w.min()) == pytest.approx(15.0, rel=1e-4)


def test_one_source_draws_exactly_what_a_single_dataset_run_drew(tmp_path: Path) -> None:
    from training.token_dataset import sample_windows

    path = marked_tokens(tmp_path / "one.npz", 20, 8, 8, mark=3)
    mixture = TokenMixture.load([path], None, train_config(), (4, 4))
    assert mixture.record() is None  # resumes checkpoints made before mixtures
    cond, image, weights = mixture.sample(8, 4, 4, np.random.default_rng(9))
    tokens = TokenDataset.load(path)
    expected_cond, expected_image = sample_windows(tokens, tokens.split()[0], 8, 4, 4, np.random.default_rng(9))
    assert weights is None and cond.equal(expected_cond) and image.equal(expected_image)


def test_mixtures_refuse_what_cannot_train_one_gpt(tmp_path: Path) -> None:
    big = marked_tokens(tmp_path / "big.npz", 20, 8, 8, mark=1)
    other = marked_tokens(tmp_path / "other.npz", 20, 8, 8, mark=1, meta={**META, "image_vqgan": {"codebook": "i2"}})
    small = marked_tokens(tmp_path / "small.npz", 20, 2, 2, mark=1)
    with pytest.raises(ValueError, match="same image and segmentation VQGAN"):
        TokenMixture.load([big, other], None, train_config(), (4, 4))
    with pytest.raises(ValueError, match="smaller than the 4x4 window"):
        TokenMixture.load([big, small], None, train_config(), (4, 4))
    with pytest.raises(ValueError, match="one share per file"):
        TokenMixture.load([big, big], [1.0], train_config(), (4, 4))
    with pytest.raises(ValueError, match="positive"):
        TokenMixture.load([big, big], [1.0, 0.0], train_config(), (4, 4))
    with pytest.raises(ValueError, match="cannot hold"):
        TokenMixture.load([big, big, big], None, train_config(batch_size=2), (4, 4))
    with pytest.raises(FileNotFoundError, match="encode_tokens"):
        TokenMixture.load([big, tmp_path / "missing.npz"], None, train_config(), (4, 4))


@pytest.fixture(scope="module")
def two_sizes(tmp_path_factory: pytest.TempPathFactory, tiny_dataset: Path) -> tuple[Path, Path]:
    """The tiny dataset's tokens (6x8 grids), and whole-window crops of them (4x4), as a dataset of
    smaller renders would give."""
    root = tmp_path_factory.mktemp("mixture")
    common = ["--tiny", "--data", str(tiny_dataset), "--no-progress", "--threads", "1", "--steps", "1"]
    assert train_vqgan.main([*common, "--out", str(root / "image")]) == 0
    assert train_segvqgan.main([*common, "--out", str(root / "seg")]) == 0
    args = ["--data", str(tiny_dataset), "--image-vqgan", str(root / "image/last.ckpt"), "--seg-vqgan", str(root / "seg/last.ckpt"), "--no-progress", "--threads", "1"]
    assert encode_tokens.main([*args, "--out", str(root / "tokens.npz")]) == 0
    made = TokenDataset.load(root / "tokens.npz")
    assert made.cell_classes is not None
    crop = (slice(None), slice(0, 4), slice(0, 4))
    TokenDataset(made.image_tokens[crop].copy(), made.cond_tokens[crop].copy(), made.meta, made.cell_classes[crop].copy()).save(root / "whole.npz")
    return root / "tokens.npz", root / "whole.npz"


def test_a_gpt_run_trains_on_two_sizes_and_records_the_mixture(two_sizes: tuple[Path, Path], tmp_path: Path) -> None:
    big, whole = two_sizes
    args = ["--tiny", "--tokens", str(big), str(whole), "--tokens-share", "0.5", "0.5", "--no-progress", "--threads", "1", "--out", str(tmp_path / "gpt")]
    assert train_gpt.main([*args, "--steps", "3"]) == 0
    payload = load_checkpoint(tmp_path / "gpt/last.ckpt", "gpt")
    assert payload["step"] == 3
    assert payload["config"]["token_mixture"] == [{"grid": "6x8", "share": 0.5}, {"grid": "4x4", "share": 0.5}]
    lines = [json.loads(line) for line in (tmp_path / "gpt/metrics.jsonl").read_text().splitlines()]
    assert lines[0]["tokens"] == [str(big.resolve()), str(whole.resolve())]
    evaluated = [line for line in lines if "eval_loss" in line]
    assert evaluated and all(np.isfinite(line["eval_loss"]) and np.isfinite(line["eval_loss_4x4"]) for line in evaluated)
    # Resuming with another mixture would train a different run under the same name: refused.
    assert train_gpt.main([*args, "--resume", "--steps", "5"]) == 0
    assert load_checkpoint(tmp_path / "gpt/last.ckpt", "gpt")["step"] == 5
    with pytest.raises(ValueError, match="token_mixture"):
        train_gpt.main(["--tiny", "--tokens", str(big), str(whole), "--tokens-share", "0.9", "0.1", "--no-progress", "--threads", "1", "--out", str(tmp_path / "gpt"), "--resume", "--steps", "7"])
