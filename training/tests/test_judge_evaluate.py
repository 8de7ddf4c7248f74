"""The judge's metrics and the evaluation's batched samplers (training/judge.py, training/evaluate.py)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from training.evaluate import FastSampler, psnr_uint8
from training.judge import JudgeNet, confusion, iou_report, segment
from training.sampling import SamplingSettings

FIXTURE = Path(__file__).resolve().parents[2] / "assets" / "fixtures" / "tessera-tiny"


def test_iou_report_counts_classes_present_in_target_or_prediction() -> None:
    target = np.array([[0, 0, 1, 1]])
    pred = np.array([[0, 1, 1, 1]])
    rep = iou_report(confusion(pred, target, 3), ["a", "b", "c"])
    assert rep["per_class_iou"] == {"a": 0.5, "b": round(2 / 3, 4), "c": None}
    assert rep["miou"] == round((0.5 + 2 / 3) / 2, 4)
    assert rep["pixel_accuracy"] == 0.75


def test_judge_is_fully_convolutional() -> None:
    torch.manual_seed(0)
    net = JudgeNet(stem=4, channels=(8, 8, 8, 8), num_classes=11)
    images = np.random.default_rng(0).integers(0, 256, (2, 48, 80, 3), dtype=np.uint8)
    out = segment(net, images, precision="fp32")
    assert out.shape == (2, 48, 80) and out.dtype == np.uint8 and out.max() < 11


def test_psnr() -> None:
    a = np.zeros((1, 4, 4, 3), np.uint8)
    b = a.copy()
    b[0, 0, 0, 0] = 255
    assert psnr_uint8(a, b)[0] == pytest.approx(10 * np.log10(48), abs=1e-9)


@pytest.mark.skipif(not (FIXTURE / "torch-weights.pt").is_file(), reason="fixture bundle missing")
@pytest.mark.parametrize("sampler,stride", [("exact", 1), ("cached", 3)])
def test_fast_sampler_matches_the_reference_sampler(sampler: str, stride: int) -> None:
    from training.bundle_writer import load_bundle_models
    from training.reference_sampler import ReferenceSampler

    models, _ = load_bundle_models(FIXTURE)
    rows, cols = models.window[0] + 2, models.window[1] + 3  # the window slides both ways
    cond = np.random.default_rng(1).integers(0, models.seg_vqgan.config.n_embed, (2, rows, cols))
    settings = SamplingSettings(temperature=1.0, top_k=8)
    seeds = [5, 6]
    ref = ReferenceSampler(models).sample(cond, settings, seeds, sampler, stride)
    fast = FastSampler(models.gpt, models.window, models.image_vqgan.config.n_embed, "fp32")
    tokens = fast.exact(cond, settings, seeds) if sampler == "exact" else fast.cached(cond, settings, seeds, stride)
    assert ref.min_margin > 1e-5  # no draw sits on a boundary, so equal logits give equal tokens
    np.testing.assert_array_equal(tokens, ref.tokens)


def test_gpt_cross_entropy_per_class_adds_up_to_the_average() -> None:
    from training.evaluate import eval_gpt_ce
    from training.gpt import GPT, GPTConfig

    torch.manual_seed(0)
    gpt = GPT(GPTConfig(vocab_size=12, block_size=8, n_layer=1, n_head=1, n_embd=8))
    rng = np.random.default_rng(0)
    image, cond = rng.integers(0, 12, (3, 4, 4)), rng.integers(0, 12, (3, 4, 4))
    classes = np.zeros((3, 4, 4), dtype=np.uint8)
    classes[:, :, 2:] = 2  # class 1 absent
    got = eval_gpt_ce(gpt, image, cond, (2, 2), 12, "fp32", batch=5, token_classes=classes, class_names=["a", "b", "c"])
    per_class = got["cross_entropy_per_class_nats"]
    assert per_class["b"] is None
    share = np.bincount(classes.reshape(-1), minlength=3) / classes.size  # 2x2 windows tile the 4x4 grid once
    assert share[0] * per_class["a"] + share[2] * per_class["c"] == pytest.approx(got["cross_entropy_nats"], abs=2e-4)
    assert per_class["a"] != per_class["c"]
    assert "cross_entropy_per_class_nats" not in eval_gpt_ce(gpt, image, cond, (2, 2), 12, "fp32")


def test_judge_trains_on_every_size_and_is_trusted_only_if_all_reach_the_bar(tmp_path: Path) -> None:
    from training import judge as judge_mod
    from training import safe_serialization

    out = tmp_path / "run"
    export = tmp_path / "j.pt"
    judge_mod.main(["train", "--out", str(out), "--export", str(export), "--steps", "2", "--pool", "2", "--sizes", "48,32",
                    "--crop", "32", "--batch", "4", "--eval-count", "2", "--eval-every", "0", "--threads", "1"])
    payload = safe_serialization.load(export)
    assert payload["train"]["sizes"] == [48, 32]
    held = payload["heldout_eval"]
    assert set(held["by_size"]) == {"48", "32"}
    assert held["lowest_miou"] == min(r["miou"] for r in held["by_size"].values())
    report = json.loads((tmp_path / "j-metrics.json").read_text())
    assert report["trusted"] is (report["lowest_miou"] >= judge_mod.TRUST_MIOU)
    # Resuming with other sizes is a different judge, not a continuation.
    with pytest.raises(SystemExit, match="other settings"):
        judge_mod.main(["train", "--out", str(out), "--export", str(export), "--steps", "3", "--pool", "2", "--sizes", "48",
                        "--crop", "32", "--batch", "4", "--eval-count", "2", "--eval-every", "0", "--threads", "1", "--resume"])


@pytest.mark.parametrize("argv,message", [
    (["--sizes", "256,abc"], "separated by commas"),
    (["--sizes", "100"], "multiple of 8"),
    (["--sizes", "256,64", "--crop", "128"], "larger than the smallest --sizes scene"),
    (["--sizes", "256,128,64", "--crop", "64", "--batch", "16"], "split evenly over the 3 sizes"),
])
def test_judge_training_refuses_bad_sizes(tmp_path: Path, argv: list[str], message: str) -> None:
    from training import judge as judge_mod

    with pytest.raises(SystemExit, match=message):
        judge_mod.main(["train", "--out", str(tmp_path / "run"), "--export", str(tmp_path / "j.pt"), *argv])


def test_crops_larger_than_the_scenes_are_refused() -> None:
    from training.judge import sample_batch

    with pytest.raises(ValueError, match="crop 64 is larger than the 32x32 scenes"):
        sample_batch(np.zeros((2, 32, 32, 3), np.uint8), np.zeros((2, 32, 32), np.uint8), 2, 64, torch.Generator().manual_seed(0))


@pytest.mark.skipif(not (FIXTURE / "torch-weights.pt").is_file(), reason="fixture bundle missing")
def test_judge_is_measured_at_the_fidelity_size_on_renders_and_reconstructions() -> None:
    from training.bundle_writer import load_bundle_models
    from training.evaluate import judge_at_fidelity_size
    from training.judge import render_pool

    models, _ = load_bundle_models(FIXTURE)
    torch.manual_seed(0)
    judge = JudgeNet(stem=4, channels=(8, 8, 8, 8), num_classes=11)
    renders, labels = render_pool(10_000_000, 3, 32, None)
    got = judge_at_fidelity_size(judge, models.image_vqgan, renders, labels, scenes=2, size=32, precision="fp32")
    on_renders, on_recs = got["heldout_renders_at_fidelity_size"], got["vqgan_reconstructions_at_fidelity_size"]
    assert (on_renders["scenes"], on_renders["size"], on_renders["pixels"]) == (2, "32x32", 2 * 32 * 32)
    assert (on_recs["scenes"], on_recs["pixels"]) == (3, 3 * 32 * 32)
    assert "vqgan_reconstructions_at_fidelity_size" not in judge_at_fidelity_size(judge, None, renders, labels, 2, 32, "fp32")
