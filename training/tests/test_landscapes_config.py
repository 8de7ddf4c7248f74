"""The proposed landscapes-v1 models (slow: real sizes). Run with TESSERA_SLOW=1."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from training.autoencoder import AttnBlock
from training.bundle_writer import BundleModels, write_bundle
from training.gpt_training import build_gpt_stage
from training.gpt_training import train_step as gpt_train_step
from training.ort_node import ort_node_available, run_onnx
from training.run_config import load_run_config, stage_section
from training.vqgan_training import build_stage, train_step

pytestmark = pytest.mark.slow


def test_sizes_and_one_bf16_step_per_stage() -> None:
    config = load_run_config("landscapes-v1")
    image = build_stage(stage_section(config, "image_vqgan"), "image_vqgan", None)
    seg = build_stage(stage_section(config, "seg_vqgan"), "seg_vqgan", 11)
    gpt = build_gpt_stage(stage_section(config, "gpt"), {"image_vocab": 512, "cond_vocab": 256})
    assert image.model.config.grid_factor == 8 and seg.model.config.grid_factor == 8
    assert round(sum(p.numel() for p in image.model.parameters()) / 1e6, 1) == pytest.approx(12.3, abs=0.6)
    assert gpt.model.config.block_size == 512 and gpt.model.config.vocab_size == 512
    x = torch.rand(8, 3, 64, 64) * 2 - 1
    y = torch.randint(0, 11, (8, 128, 128))
    assert np.isfinite(train_step(image, x, y[:, :64, :64], step=image.loss.config.disc_start)["total_loss"])
    assert np.isfinite(train_step(seg, x, y, step=0)["total_loss"])
    tokens = torch.randint(0, 256, (8, 256))
    assert np.isfinite(gpt_train_step(gpt, tokens, tokens * 2, 0)["loss"])


@pytest.mark.skipif(not ort_node_available(), reason="node + onnxruntime-node not installed")
def test_random_weight_bundle_exports_and_matches(tmp_path: Path) -> None:
    config = load_run_config("landscapes-v1")
    torch.manual_seed(0)
    image = build_stage(stage_section(config, "image_vqgan"), "image_vqgan", None).model.eval()
    seg = build_stage(stage_section(config, "seg_vqgan"), "seg_vqgan", 11).model.eval()
    gpt = build_gpt_stage(stage_section(config, "gpt"), {"image_vocab": 512, "cond_vocab": 256}).model.eval()
    classes = [{"id": i, "name": f"class-{i}", "color": f"#{i:02x}{i:02x}{i:02x}"} for i in range(11)]
    identity = {"id": "landscapes-random", "name": "random", "version": "0", "license": "MIT", "source": {"kind": "fixture"}}
    write_bundle(tmp_path / "b", BundleModels(image, seg, gpt, (16, 16), classes), identity, int8=True)
    tokens = np.random.default_rng(0).integers(0, 512, (1, 16, 16))
    ids = np.random.default_rng(1).integers(0, 512, (1, 511))
    past = {f"past_{k}_{i}": np.zeros((1, 8, 0, 32), np.float32) for i in range(6) for k in ("key", "value")}
    out = run_onnx([(tmp_path / "b/image_decoder.onnx", {"tokens": tokens}), (tmp_path / "b/transformer.onnx", {"input_ids": ids, **past})], threads=2)
    with torch.no_grad():
        expected_image = torch.clamp(image.decode_tokens(torch.from_numpy(tokens)), -1, 1).numpy()
        expected_logits = gpt(torch.from_numpy(ids))[0].numpy()
    assert np.abs(out[0]["image"] - expected_image).max() < 1e-4
    assert np.abs(out[1]["logits"] - expected_logits).max() < 1e-4


def test_v2_is_fully_convolutional_with_1024_codes_and_one_step_per_stage() -> None:
    config = load_run_config("landscapes-v2")
    image = build_stage(stage_section(config, "image_vqgan"), "image_vqgan", None)
    gpt = build_gpt_stage(stage_section(config, "gpt"), {"image_vocab": 1024, "cond_vocab": 256})
    assert image.model.config.grid_factor == 8 and image.model.config.n_embed == 1024
    # No attention anywhere: 128 px crop training transfers to whole scenes of any size.
    assert not [name for name, module in image.model.named_modules() if isinstance(module, AttnBlock)]
    assert gpt.model.config.vocab_size == 1024 and gpt.model.config.block_size == 512
    assert image.train.warmup_steps == 200 and image.train.min_lr_ratio == 0.05
    x = torch.rand(2, 3, 128, 128) * 2 - 1
    assert np.isfinite(train_step(image, x, torch.zeros(2, 128, 128, dtype=torch.int64), step=0)["total_loss"])
    tokens = torch.randint(0, 256, (2, 256))
    assert np.isfinite(gpt_train_step(gpt, tokens, tokens * 4, 0)["loss"])
