"""End to end: a reduced-width fake official checkpoint (Lightning layout) → bundle → manifest valid,
ONNX graphs reproduce the loaded PyTorch modules, and the modules hold the checkpoint's weights."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import numpy as np
import pytest
import torch

from training.bundle_manifest import SCHEMA_PATH, validate_manifest, verify_bundle_files
from training.bundle_writer import TORCH_WEIGHTS
from training.convert_taming import ConvertOptions, ConversionResult, _post_process, convert, read_taming_checkpoint, verify_bundle
from training.ort_node import ort_node_available
from training.reference_sampler import ReferenceSampler
from training.sampling import SamplingSettings

from .convert_fixtures.fake_taming_checkpoint import SMALL, official_state_dict, write_fake_checkpoint, write_project_yaml

needs_ort = pytest.mark.skipif(not ort_node_available(), reason="node + onnxruntime-node not installed")


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> ConversionResult:
    # taming's log layout, so the converter finds configs/*-project.yaml by itself.
    run = tmp_path_factory.mktemp("logs") / "2020-11-09T13-31-51_sflckr"
    (run / "checkpoints").mkdir(parents=True)
    (run / "configs").mkdir()
    ckpt = write_fake_checkpoint(run / "checkpoints" / "last.ckpt")
    write_project_yaml(run / "configs" / "2020-11-09T13-31-51-project.yaml")
    lines: list[str] = []
    return convert(ckpt, run.parent / "bundles" / "sflckr", ConvertOptions(verify=ort_node_available(), bundle_id="sflckr-test"), log=lines.append)


def test_manifest_validates_and_describes_the_checkpoint(converted: ConversionResult) -> None:
    manifest = json.loads((converted.out / "manifest.json").read_text())
    jsonschema.validate(manifest, json.loads(SCHEMA_PATH.read_text()))
    validate_manifest(manifest)  # plus the zod cross-field rules
    verify_bundle_files(converted.out, manifest)
    assert manifest["source"]["kind"] == "converted" and manifest["source"]["checkpoint"] == "last.ckpt"
    assert manifest["source"]["globalStep"] == 123456 and "legacy beta" in manifest["source"]["notes"]
    assert manifest["id"] == "sflckr-test" and "2020-11-09T13-31-51_sflckr" in manifest["name"]
    assert manifest["gridFactor"] == 16 and manifest["window"] == {"rows": 4, "cols": 4}
    assert manifest["vocab"] == {"image": SMALL.first_n_embed, "cond": SMALL.cond_n_embed}
    assert manifest["transformer"] == {"layers": 2, "heads": 2, "width": 32, "blockSize": 32, "vocabSize": SMALL.vocab_size}
    assert len(manifest["classes"]) == 182 and manifest["classes"][156]["name"] == "sky-other"
    assert sorted(p.name for p in converted.out.iterdir()) == sorted(
        ["cond_encoder.onnx", "image_encoder.onnx", "image_decoder.onnx", "transformer.onnx", "manifest.json", "MODEL_CARD.md", TORCH_WEIGHTS]
    )
    assert [p.name for p in converted.out.parent.iterdir()] == ["sflckr"]  # no temp folder left beside it
    assert any("project.yaml" in line for line in converted.report) and any("neutralised" in line for line in converted.report)


def test_defaults_are_the_cached_sampler_at_stride_one_and_the_card_says_what_each_costs(converted: ConversionResult) -> None:
    manifest = json.loads((converted.out / "manifest.json").read_text())
    assert manifest["defaults"] == {"temperature": 1.0, "topK": 100, "topP": 1.0, "sampler": "cached", "stride": 1}
    card = (converted.out / "MODEL_CARD.md").read_text()
    assert "**cached, stride 1**" in card and "global step 123456" in card
    # The 4x4 window of the small checkpoint: exact runs 31 positions per token; stride 1 one 16-token prefill and 15 steps.
    assert "one full forward of 31 positions per token" in card and "one 16-token prefill and 15 steps" in card


def test_the_default_sampler_draws_the_exact_samplers_tokens(converted: ConversionResult) -> None:
    """Stride 1 keeps taming's window for every token, so the default gives exact's image (6x6 tokens: the window slides)."""
    reference = ReferenceSampler(converted.models)
    labels = np.zeros((1, 6 * 16, 6 * 16), dtype=np.int64)
    labels[:, 40:, :] = 156  # sky-other over a band of the next class
    labels[:, 60:, 30:70] = 157
    cond = reference.encode_layout(labels)
    settings = SamplingSettings(temperature=1.0, top_k=8, top_p=1.0)
    exact = reference.sample(cond, settings, [3], "exact")
    cached = reference.sample(cond, settings, [3], "cached", 1)
    assert cond.shape == (1, 6, 6)
    assert np.array_equal(exact.tokens, cached.tokens)


def test_modules_hold_the_checkpoint_weights(converted: ConversionResult) -> None:
    expected = official_state_dict(SMALL)  # same seed as the file
    models = converted.models
    pairs = {
        "first_stage_model.quantize.embedding.weight": models.image_vqgan.quantize.embedding.weight,
        "first_stage_model.decoder.up.4.attn.0.proj_out.weight": models.image_vqgan.decoder.up[4].attn[0].proj_out.weight,
        "cond_stage_model.encoder.conv_in.weight": models.seg_vqgan.encoder.conv_in.weight,
        "transformer.blocks.1.attn.query.bias": models.gpt.blocks[1].attn.query.bias,
        "transformer.head.weight": models.gpt.head.weight,
        "transformer.pos_emb": models.gpt.pos_emb,
    }
    for key, actual in pairs.items():
        assert torch.equal(actual.detach(), expected[key]), key


@needs_ort
def test_onnx_graphs_reproduce_the_torch_modules(converted: ConversionResult) -> None:
    metrics = converted.verification
    assert metrics is not None
    assert metrics["cond token agreement"] == 1.0 and metrics["image token agreement"] == 1.0
    assert metrics["decoder max abs diff"] < 1e-4 and metrics["logits max abs diff"] < 1e-4


@needs_ort
def test_fp16_weights_and_external_data(converted: ConversionResult, tmp_path: Path) -> None:
    bundle = tmp_path / "fp16"
    shutil.copytree(converted.out, bundle)
    manifest = json.loads((bundle / "manifest.json").read_text())
    sizes = {key: entry["bytes"] for key, entry in manifest["files"].items()}
    threshold = 1_000_000  # forces the external-data path that S-FLCKR-size files over 2 GB take
    options = ConvertOptions(fp16=True, onnx_only=True, external_data_threshold=threshold)
    manifest = _post_process(bundle, manifest, options, note=lambda line: None)
    validate_manifest(manifest)
    verify_bundle_files(bundle, manifest)
    assert json.loads((bundle / "manifest.json").read_text()) == manifest
    assert not (bundle / TORCH_WEIGHTS).exists()
    for key, entry in manifest["files"].items():
        data = bundle / (entry["path"] + ".data")
        if sizes[key] / 2 > threshold:
            assert data.is_file() and entry["bytes"] < 0.1 * sizes[key], key  # the graph stays, the weights move
            assert data.stat().st_size < 0.6 * sizes[key], key  # and they are half the size
        else:
            assert not data.exists() and entry["bytes"] < 0.65 * sizes[key], key
    metrics = verify_bundle(bundle, converted.models, fp16=True)
    assert metrics["cond token agreement"] >= 0.9 and metrics["image token agreement"] >= 0.9, metrics
    assert metrics["decoder max abs diff"] < 0.05 and metrics["logits max abs diff"] < 0.01, metrics


def test_legacy_format_and_missing_config_load_the_same_weights(converted: ConversionResult, tmp_path: Path) -> None:
    ckpt = write_fake_checkpoint(tmp_path / "legacy.ckpt", legacy_format=True)
    lines: list[str] = []
    loaded = read_taming_checkpoint(ckpt, ConvertOptions(n_head=SMALL.n_head), lines.append)
    assert any("legacy format" in line for line in lines) and any("inferred from the state dict" in line for line in lines)
    assert loaded.global_step == 123456
    for ours, reference in ((loaded.image, converted.models.image_vqgan), (loaded.cond, converted.models.seg_vqgan), (loaded.gpt, converted.models.gpt)):
        theirs = reference.state_dict()
        assert all(torch.equal(v, theirs[k]) for k, v in ours.state_dict().items())
