"""Dead-code restarts (train.codebook_restart_every): unused codes move onto training latents."""
from __future__ import annotations

import numpy as np
import torch

from training.run_config import load_run_config, stage_section
from training.synthetic_scenes import synthetic_classes, synthetic_image, synthetic_layout
from training.vqgan_training import batch_tensors, build_stage, checkpoint_payload, restart_dead_codes, restore, train_step


def _batch(n: int = 4, size: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    labels = np.stack([synthetic_layout(i, size, size, 5) for i in range(n)])
    images = np.stack([synthetic_image(labels[i], synthetic_classes(5), i) for i in range(n)])
    return batch_tensors(images, labels)


def _stage(stage: str, every: int, classes=None):
    section = stage_section(load_run_config("tiny"), stage)
    section["train"]["codebook_restart_every"] = every
    return build_stage(section, stage, classes)


def test_off_by_default_and_left_out_of_the_config_record() -> None:
    stage = _stage("image_vqgan", 0)
    assert stage.code_counts is None and "codebook_restart_every" not in stage.config_record["train"]


def test_dead_codes_move_onto_training_latents_and_counts_reset() -> None:
    torch.manual_seed(0)
    x, y = _batch()
    stage = _stage("image_vqgan", 5)
    # Make half the codebook unreachable: far away from every latent.
    with torch.no_grad():
        stage.model.quantize.embedding.weight[16:] = 1e3
    train_step(stage, x, y, step=0)
    used_before = int((stage.code_counts > 0).sum())
    assert stage.code_counts[16:].sum() == 0 and stage.last_latents is not None
    restarted = restart_dead_codes(stage)
    assert restarted == 32 - used_before
    weight = stage.model.quantize.embedding.weight
    assert float(weight[16:].abs().max()) < 1e2  # now near the latents
    assert int(stage.code_counts.sum()) == 0
    train_step(stage, x, y, step=1)
    assert int((stage.code_counts > 0).sum()) >= used_before


def test_evaluation_batches_do_not_seed_codes() -> None:
    x, y = _batch(2)
    stage = _stage("seg_vqgan", 5, classes=5)
    stage.model.eval()
    from training.vqgan import labels_to_onehot

    with torch.no_grad():
        stage.model(labels_to_onehot(y, 5))
    assert stage.last_latents is None


def test_code_counts_survive_a_checkpoint() -> None:
    x, y = _batch(2)
    stage = _stage("seg_vqgan", 5, classes=5)
    train_step(stage, x, y, step=0)
    rng = np.random.default_rng(0)
    payload = checkpoint_payload(stage, 1, rng, [])
    fresh = _stage("seg_vqgan", 5, classes=5)
    restore(fresh, payload, np.random.default_rng(1))
    assert torch.equal(fresh.code_counts, stage.code_counts)
