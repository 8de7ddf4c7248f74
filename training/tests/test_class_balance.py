"""Class-balanced GPT windows: cell classes, anchored sampling, the token file field, the command
that adds it to older token files, and a GPT run that uses them."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from training import class_balance, encode_tokens, train_gpt, train_segvqgan, train_vqgan
from training.checkpoints import load_checkpoint
from training.class_balance import ClassAnchors, ClassBalance, cell_classes, class_token_weights
from training.datasets import LandscapeDataset
from training.run_config import dataclass_from, GPTTrainConfig, load_run_config
from training.token_dataset import TokenDataset, sample_windows


def test_cell_classes_take_each_cells_majority_and_the_lowest_id_on_ties() -> None:
    labels = np.zeros((1, 4, 6), dtype=np.uint8)  # f=2: a 2x3 cell grid
    labels[0, 0:2, 0:2] = [[3, 3], [3, 1]]  # 3 wins
    labels[0, 0:2, 2:4] = [[2, 4], [4, 2]]  # tie 2/4 → 2
    labels[0, 2:4, 4:6] = 4
    got = cell_classes(labels, 2, 5, chunk=1)
    assert got.dtype == np.uint8
    assert got.tolist() == [[[3, 2, 0], [0, 0, 4]]]


def positional_tokens(classes: np.ndarray) -> TokenDataset:
    """Tokens that say where they came from: cond = the cell's flat index, image = the scene."""
    n, h, w = classes.shape
    cond = np.broadcast_to(np.arange(h * w).reshape(1, h, w), (n, h, w)).astype(np.int32)
    image = np.broadcast_to(np.arange(n).reshape(n, 1, 1), (n, h, w)).astype(np.int32)
    return TokenDataset(image.copy(), cond.copy(), {"image_vocab": n, "cond_vocab": h * w, "grid_factor": 8}, classes)


def rare_class_grid() -> np.ndarray:
    """40 scenes of 12x12 cells, all class 0, but one cell of class 1 in scene 7 (0.02 % of cells)."""
    classes = np.zeros((40, 12, 12), dtype=np.uint8)
    classes[7, 10, 1] = 1
    return classes


def test_anchored_windows_are_aligned_crops_that_hold_the_drawn_class() -> None:
    classes = rare_class_grid()
    tokens = positional_tokens(classes)
    indices = np.arange(40)
    anchors = ClassAnchors.build(classes, indices)
    rng = np.random.default_rng(0)
    cond, image, weights = ClassBalance(anchors, 1.0, None, classes).sample(tokens, indices, 400, 4, 4, rng)
    assert weights is None
    def rare_windows(cond: np.ndarray, image: np.ndarray) -> int:
        count = 0
        for c, i in zip(cond, image):
            top, left = divmod(int(c[0]), 12)
            count += int((classes[int(i[0]), top : top + 4, left : left + 4] == 1).any())
        return count

    for c, i in zip(cond.numpy(), image.numpy()):
        assert (i == i[0]).all()  # one scene per window
        top, left = divmod(int(c[0]), 12)
        assert c.reshape(4, 4).tolist() == np.arange(144).reshape(12, 12)[top : top + 4, left : left + 4].tolist()
    # Two classes present, drawn uniformly: about half the windows hold the one rare cell; plain
    # windows hold it 4 times in 40 x 81 positions.
    assert 150 < rare_windows(cond.numpy(), image.numpy()) < 250
    plain_cond, plain_image = sample_windows(tokens, indices, 400, 4, 4, np.random.default_rng(0))
    assert rare_windows(plain_cond.numpy(), plain_image.numpy()) < 10


def test_anchored_windows_cover_every_position_that_holds_the_cell() -> None:
    classes = rare_class_grid()
    anchors = ClassAnchors.build(classes, np.arange(40))
    anchors.by_class = [anchors.by_class[1]]  # only the rare class
    scenes, tops, lefts = anchors.positions(2000, 4, 4, np.random.default_rng(1))
    assert set(scenes.tolist()) == {7}
    # The cell (10, 1): tops 7..8 (a 12-row grid ends at 8), lefts 0..1.
    assert set(zip(tops.tolist(), lefts.tolist())) == {(7, 0), (7, 1), (8, 0), (8, 1)}


def test_anchors_only_use_the_training_scenes() -> None:
    classes = rare_class_grid()
    anchors = ClassAnchors.build(classes, np.array([i for i in range(40) if i != 7]))
    assert len(anchors.by_class) == 1  # the rare class lives only in a held-out scene


def test_token_weights_follow_the_class_shares_and_average_one() -> None:
    classes = np.zeros((10, 10, 10), dtype=np.uint8)
    classes[:, :1, :] = 1  # 10 %
    classes[:, 1, :1] = 2  # 1 %; class 3 absent
    share = np.array([0.89, 0.1, 0.01, 0.0])
    flat = class_token_weights(classes, np.arange(10), 4, 0.0)
    assert flat[:3] == pytest.approx([1, 1, 1]) and flat[3] == 0
    half = class_token_weights(classes, np.arange(10), 4, 0.5)
    assert half[2] / half[1] == pytest.approx(np.sqrt(10), rel=1e-5) and half[3] == 0
    assert float((share * half).sum()) == pytest.approx(1.0, rel=1e-5)
    full = class_token_weights(classes, np.arange(10), 4, 1.0)
    assert share[:3] * full[:3] == pytest.approx([1 / 3] * 3, rel=1e-5)  # each class weighs the same in total


def test_weighted_loss_scales_each_tokens_term() -> None:
    import torch

    from training.gpt import GPT, GPTConfig
    from training.token_dataset import window_sequence_loss

    torch.manual_seed(0)
    gpt = GPT(GPTConfig(vocab_size=16, block_size=8, n_layer=1, n_head=1, n_embd=8)).eval()
    cond, image = torch.randint(0, 16, (2, 4)), torch.randint(0, 16, (2, 4))
    plain = window_sequence_loss(gpt, cond, image)
    assert torch.allclose(window_sequence_loss(gpt, cond, image, torch.ones(2, 4)), plain)
    only_first = torch.zeros(2, 4)
    only_first[0, 0] = 8.0  # one of 8 terms, times 8: the mean is that token's loss
    sequence = torch.cat([cond, image], dim=1)
    logits, _ = gpt(sequence[:, :-1])
    first = torch.nn.functional.cross_entropy(logits[0, 3:4], image[0, :1])
    assert torch.allclose(window_sequence_loss(gpt, cond, image, only_first), first, atol=1e-6)


def test_cell_classes_round_trip_through_the_token_file(tmp_path: Path) -> None:
    tokens = positional_tokens(rare_class_grid())
    tokens.save(tmp_path / "t.npz")
    again = TokenDataset.load(tmp_path / "t.npz")
    assert again.cell_classes is not None and np.array_equal(again.cell_classes, tokens.cell_classes)
    TokenDataset(tokens.image_tokens, tokens.cond_tokens, tokens.meta).save(tmp_path / "old.npz")
    assert TokenDataset.load(tmp_path / "old.npz").cell_classes is None
    np.savez(tmp_path / "bad.npz", image_tokens=tokens.image_tokens, cond_tokens=tokens.cond_tokens, meta=np.array('{"image_vocab": 40, "cond_vocab": 144}'), cell_classes=np.zeros((40, 3, 3), np.uint8))
    with pytest.raises(ValueError, match="cell classes .* do not match"):
        TokenDataset.load(tmp_path / "bad.npz")


def test_the_fraction_and_the_power_must_be_in_range() -> None:
    with pytest.raises(ValueError, match="class_balanced_fraction must be between 0 and 1"):
        dataclass_from(GPTTrainConfig, {"class_balanced_fraction": 1.5}, "gpt.train")
    with pytest.raises(ValueError, match="class_weight_power must be between 0"):
        dataclass_from(GPTTrainConfig, {"class_weight_power": -0.5}, "gpt.train")


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory, tiny_dataset: Path) -> Path:
    root = tmp_path_factory.mktemp("balanced")
    common = ["--tiny", "--data", str(tiny_dataset), "--no-progress", "--threads", "1", "--steps", "1"]
    assert train_vqgan.main([*common, "--out", str(root / "image")]) == 0
    assert train_segvqgan.main([*common, "--out", str(root / "seg")]) == 0
    args = ["--data", str(tiny_dataset), "--image-vqgan", str(root / "image/last.ckpt"), "--seg-vqgan", str(root / "seg/last.ckpt"), "--no-progress", "--threads", "1"]
    assert encode_tokens.main([*args, "--out", str(root / "tokens.npz")]) == 0
    return root


def test_encode_tokens_writes_each_cells_class(encoded: Path, tiny_dataset: Path) -> None:
    tokens = TokenDataset.load(encoded / "tokens.npz")
    dataset = LandscapeDataset.load(tiny_dataset)
    assert tokens.cell_classes is not None and tokens.cell_classes.shape == tokens.image_tokens.shape
    assert np.array_equal(tokens.cell_classes, cell_classes(np.asarray(dataset.labels), 8, dataset.num_classes))
    assert len(np.unique(tokens.cell_classes)) > 2


def test_the_command_adds_cell_classes_to_an_older_token_file(encoded: Path, tiny_dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    made = TokenDataset.load(encoded / "tokens.npz")
    older = tmp_path / "older.npz"
    TokenDataset(made.image_tokens, made.cond_tokens, made.meta).save(older)
    assert class_balance.main(["--tokens", str(older), "--data", str(tiny_dataset)]) == 0
    assert "cell classes added" in capsys.readouterr().out
    updated = TokenDataset.load(older)
    assert updated.cell_classes is not None and np.array_equal(updated.cell_classes, made.cell_classes)
    assert np.array_equal(updated.image_tokens, made.image_tokens) and updated.meta == made.meta
    before = older.stat().st_mtime_ns
    assert class_balance.main(["--tokens", str(older), "--data", str(tiny_dataset), "--if-missing"]) == 0
    assert "already has cell classes" in capsys.readouterr().out and older.stat().st_mtime_ns == before


def test_the_command_refuses_a_dataset_the_tokens_did_not_come_from(encoded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from training.synthetic_scenes import write_synthetic_dataset

    other = write_synthetic_dataset(tmp_path / "other", count=12, height=32, width=64, num_classes=5, seed=0)
    target = tmp_path / "t.npz"
    target.write_bytes((encoded / "tokens.npz").read_bytes())
    with pytest.raises(SystemExit) as exit_info:
        class_balance.main(["--tokens", str(target), "--data", str(other)])
    assert exit_info.value.code == 2
    assert "cannot be the dataset" in capsys.readouterr().err


def balanced_config(tmp_path: Path, fraction: float, power: float = 0.5) -> Path:
    config = load_run_config("tiny")
    config["gpt"]["train"].update(class_balanced_fraction=fraction, class_weight_power=power)
    path = tmp_path / f"balanced-{fraction}-{power}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_a_gpt_run_trains_on_balanced_windows_and_records_it(encoded: Path, tmp_path: Path) -> None:
    args = ["--tokens", str(encoded / "tokens.npz"), "--no-progress", "--threads", "1", "--steps", "3"]
    assert train_gpt.main(["--config", str(balanced_config(tmp_path, 0.5)), *args, "--out", str(tmp_path / "gpt")]) == 0
    payload = load_checkpoint(tmp_path / "gpt/last.ckpt", "gpt")
    assert payload["step"] == 3 and payload["config"]["train"]["class_balanced_fraction"] == 0.5
    assert payload["config"]["train"]["class_weight_power"] == 0.5
    assert train_gpt.main(["--config", str(balanced_config(tmp_path, 0.5)), *args, "--out", str(tmp_path / "gpt"), "--resume", "--steps", "5"]) == 0
    assert load_checkpoint(tmp_path / "gpt/last.ckpt", "gpt")["step"] == 5
    # Weights alone, without anchored windows.
    assert train_gpt.main(["--config", str(balanced_config(tmp_path, 0.0, 1.0)), *args, "--out", str(tmp_path / "weights-only")]) == 0
    # Off, the keys stay out of the record: checkpoints from before the options still resume.
    assert train_gpt.main(["--tiny", *args, "--out", str(tmp_path / "plain")]) == 0
    plain = load_checkpoint(tmp_path / "plain/last.ckpt", "gpt")["config"]["train"]
    assert "class_balanced_fraction" not in plain and "class_weight_power" not in plain


def test_a_balanced_run_on_tokens_without_classes_says_how_to_add_them(encoded: Path, tmp_path: Path) -> None:
    made = TokenDataset.load(encoded / "tokens.npz")
    TokenDataset(made.image_tokens, made.cond_tokens, made.meta).save(tmp_path / "older.npz")
    with pytest.raises(ValueError, match="python3 -m training.class_balance --tokens"):
        train_gpt.main(["--config", str(balanced_config(tmp_path, 0.0, 0.5)), "--tokens", str(tmp_path / "older.npz"), "--out", str(tmp_path / "gpt"), "--no-progress", "--threads", "1"])


def test_plain_windows_keep_their_random_draws_so_older_runs_resume_the_same() -> None:
    # The sampler was split into positions + crops for class balance; a run resumed across that
    # change must see the same batches: scenes, then tops, then lefts, from one generator.
    tokens = positional_tokens(rare_class_grid())
    cond, image = sample_windows(tokens, np.arange(40), 6, 4, 4, np.random.default_rng(5))
    rng = np.random.default_rng(5)
    scenes, tops, lefts = rng.choice(np.arange(40), size=6), rng.integers(0, 9, size=6), rng.integers(0, 9, size=6)
    assert image[:, 0].tolist() == scenes.tolist()
    assert cond[:, 0].tolist() == (tops * 12 + lefts).tolist()
