"""A few optimisation steps on a fixed batch lower each stage's loss (tiny configs)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from training.gpt_training import build_gpt_stage
from training.gpt_training import train_step as gpt_train_step
from training.run_config import load_run_config, stage_section
from training.synthetic_scenes import synthetic_classes, synthetic_image, synthetic_layout
from training.token_dataset import window_sequence_loss
from training.vqgan_training import batch_tensors, build_stage, train_step


def _batch(n: int = 4, size: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    labels = np.stack([synthetic_layout(i, size, size, 5) for i in range(n)])
    images = np.stack([synthetic_image(labels[i], synthetic_classes(5), i) for i in range(n)])
    return batch_tensors(images, labels)


def _section(stage: str, **train) -> dict:
    section = stage_section(load_run_config("tiny"), stage)
    section["train"].update(train)
    return section


def test_image_vqgan_steps_lower_the_loss() -> None:
    x, y = _batch()
    stage = build_stage(_section("image_vqgan", lr=0.003), "image_vqgan", None)
    losses = [train_step(stage, x, y, step=0)["nll_loss"] for _ in range(15)]  # before disc_start: L1 + perceptual
    assert losses[-1] < 0.8 * losses[0]


def test_image_vqgan_step_with_discriminator_and_bf16() -> None:
    x, y = _batch(2)
    stage = build_stage(_section("image_vqgan", precision="bf16"), "image_vqgan", None)
    log = train_step(stage, x, y, step=100)
    assert log["disc_factor"] == 1.0 and "disc_loss" in log and np.isfinite(log["total_loss"])


def test_segmentation_vqgan_steps_lower_the_loss() -> None:
    x, y = _batch()
    stage = build_stage(_section("seg_vqgan", lr=0.003), "seg_vqgan", 5)
    losses = [train_step(stage, x, y, step=s)["rec_loss"] for s in range(20)]
    assert losses[-1] < 0.8 * losses[0]
    assert stage.model.config.in_channels == 5


def test_gpt_steps_lower_the_loss() -> None:
    section = _section("gpt", lr=0.003, warmup_steps=1, steps=40)
    stage = build_gpt_stage(section, {"image_vocab": 32, "cond_vocab": 16})
    assert stage.model.config.vocab_size == 32 and stage.model.config.block_size == 32
    g = torch.Generator().manual_seed(0)
    cond = torch.randint(0, 16, (4, 16), generator=g)
    image = (cond * 2 + 1) % 32  # learnable: image token = f(cond token)
    with torch.no_grad():
        before = float(window_sequence_loss(stage.model, cond, image))
    for step in range(30):
        gpt_train_step(stage, cond, image, step)
    with torch.no_grad():
        after = float(window_sequence_loss(stage.model, cond, image))
    assert after < 0.5 * before


def test_unknown_train_keys_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown keys batchsize"):
        build_stage({**_section("image_vqgan"), "train": {"batchsize": 3}}, "image_vqgan", None)
