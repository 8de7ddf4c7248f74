"""The judge's metrics and the evaluation's batched samplers (training/judge.py, training/evaluate.py)."""
from __future__ import annotations

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
