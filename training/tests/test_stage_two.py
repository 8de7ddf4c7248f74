"""The default model's second stages on tiny configs: a segmentation VQGAN started --init-from a
checkpoint with its mid attention dropped, the decoder-only fine-tune, and the shared image-token
cache that keeps the GPT's tokens and the fine-tune's tokens identical."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
import yaml

from training import encode_tokens, export_bundle, finetune_decoder, train_gpt, train_segvqgan, train_vqgan
from training.bundle_manifest import validate_manifest, verify_bundle_files
from training.bundle_writer import load_bundle_models
from training.checkpoints import load_checkpoint
from training.metrics_log import read_metrics
from training.ort_node import ort_node_available, run_onnx
from training.vqgan_training import load_vqgan


@pytest.fixture(scope="module")
def stage_one(tmp_path_factory: pytest.TempPathFactory, tiny_dataset: Path) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("stage-one")
    common = ["--tiny", "--data", str(tiny_dataset), "--no-progress", "--threads", "1"]
    assert train_vqgan.main([*common, "--out", str(root / "image")]) == 0
    assert train_segvqgan.main([*common, "--out", str(root / "seg")]) == 0
    return {"root": root, "data": tiny_dataset}


def _conv_seg_config(tmp: Path) -> Path:
    config = yaml.safe_load((Path(__file__).parents[1] / "configs/tiny.yaml").read_text())
    config["name"] = "tiny-seg-conv"
    config["seg_vqgan"]["model"].update(encoder_mid_attention=False, decoder_mid_attention=False)
    path = tmp / "tiny-seg-conv.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_seg_init_from_drops_attention_and_keeps_the_rest(stage_one: dict[str, Path], tmp_path: Path) -> None:
    source = load_checkpoint(stage_one["root"] / "seg/last.ckpt")["model"]
    out = tmp_path / "seg-conv"
    args = ["--config", str(_conv_seg_config(tmp_path)), "--data", str(stage_one["data"]), "--no-progress", "--threads", "1", "--out", str(out)]
    assert train_segvqgan.main([*args, "--init-from", str(stage_one["root"] / "seg/last.ckpt"), "--steps", "1"]) == 0
    model, payload = load_vqgan(out / "last.ckpt", "seg_vqgan")
    state = payload["model"]
    assert not [k for k in state if "mid.attn_1" in k] and [k for k in source if "mid.attn_1" in k]
    # One Adam step (lr 1e-3) from the source's weights moves each by about lr, never more than 2·lr
    # (a fresh initialisation would be far away).
    assert max(float((state[k] - source[k]).abs().max()) for k in state) < 2e-3
    assert payload["config"]["init_from"] == str((stage_one["root"] / "seg/last.ckpt").resolve())
    assert train_segvqgan.main([*args, "--init-from", str(stage_one["root"] / "seg/last.ckpt"), "--resume", "--steps", "3"]) == 0
    assert load_checkpoint(out / "last.ckpt")["step"] == 3


def test_init_from_refuses_a_checkpoint_of_another_shape(stage_one: dict[str, Path], tmp_path: Path) -> None:
    config = yaml.safe_load(_conv_seg_config(tmp_path).read_text())
    config["seg_vqgan"]["model"]["ch"] = 12
    (tmp_path / "other.yaml").write_text(yaml.safe_dump(config))
    args = ["--config", str(tmp_path / "other.yaml"), "--data", str(stage_one["data"]), "--no-progress", "--threads", "1", "--out", str(tmp_path / "x")]
    with pytest.raises(RuntimeError, match="size mismatch"):
        train_segvqgan.main([*args, "--init-from", str(stage_one["root"] / "seg/last.ckpt")])


def test_decoder_finetune_freezes_the_encoder_and_exports(stage_one: dict[str, Path], tmp_path: Path) -> None:
    root, data = stage_one["root"], stage_one["data"]
    out = tmp_path / "decoder"
    args = ["--config", "tiny", "--vqgan", str(root / "image/last.ckpt"), "--data", str(data), "--out", str(out), "--no-progress"]
    assert finetune_decoder.main(args) == 0
    source = load_checkpoint(root / "image/last.ckpt")["model"]
    tuned = load_checkpoint(out / "last.ckpt", "image_vqgan")
    frozen = [k for k in source if k.startswith(("encoder.", "quant_conv.", "quantize."))]
    assert frozen and all(torch.equal(tuned["model"][k], source[k]) for k in frozen)
    assert any(not torch.equal(tuned["model"][k], source[k]) for k in tuned["model"] if k.startswith("decoder."))
    assert tuned["model_config"]["decoder_mid_attention"] is False and not [k for k in tuned["model"] if k.startswith("decoder.mid.attn_1")]
    records = read_metrics(out / "metrics.jsonl")
    assert [r["step"] for r in records if "rec_loss" in r] == [1, 2, 3, 4]
    assert [r["step"] for r in records if "eval_psnr_db" in r] == [0, 4]
    assert finetune_decoder.main([*args, "--resume", "--steps", "5"]) == 0
    assert load_checkpoint(out / "last.ckpt")["step"] == 5
    # A fine-tune of the fine-tune (the default model's decoder2 stage) names the whole chain.
    again = tmp_path / "decoder2"
    assert finetune_decoder.main(["--config", "tiny", "--vqgan", str(out / "last.ckpt"), "--data", str(data), "--out", str(again), "--no-progress", "--steps", "2"]) == 0
    first_steps = load_checkpoint(root / "image/last.ckpt")["step"]
    assert export_bundle._steps(load_checkpoint(again / "last.ckpt")) == f"{first_steps} + decoder fine-tune 5 + decoder fine-tune 2"

    # The GPT's tokens come from the same cache, and the fine-tuned checkpoint exports as a bundle.
    tokens = tmp_path / "tokens.npz"
    cache = out / "image-tokens.npz"
    before = cache.stat().st_mtime_ns
    common = ["--data", str(data), "--image-vqgan", str(root / "image/last.ckpt"), "--seg-vqgan", str(root / "seg/last.ckpt"), "--no-progress", "--threads", "1"]
    assert encode_tokens.main([*common, "--out", str(tokens), "--count", "6", "--image-tokens-cache", str(cache)]) == 0
    assert cache.stat().st_mtime_ns == before  # reused, not re-encoded
    assert encode_tokens.main([*common, "--out", str(tmp_path / "fresh.npz"), "--count", "6"]) == 0
    with np.load(tokens) as a, np.load(tmp_path / "fresh.npz") as b:
        assert a["image_tokens"].shape[0] == 6 and np.array_equal(a["image_tokens"], b["image_tokens"])
        assert json.loads(str(a["meta"]))["count"] == 6
    assert train_gpt.main(["--tiny", "--tokens", str(tokens), "--out", str(tmp_path / "gpt"), "--no-progress", "--threads", "1"]) == 0
    bundle = tmp_path / "bundle"
    assert export_bundle.main(["--image-vqgan", str(out / "last.ckpt"), "--seg-vqgan", str(root / "seg/last.ckpt"), "--gpt", str(tmp_path / "gpt/last.ckpt"),
                               "--out", str(bundle), "--id", "tiny-stage-two", "--name", "Tiny", "--threads", "1", "--fp16-vqgans"]) == 0
    manifest = json.loads((bundle / "manifest.json").read_text())
    validate_manifest(manifest)
    verify_bundle_files(bundle, manifest)
    assert "decoder fine-tune 5" in manifest["source"]["notes"] and "fp16" in manifest["source"]["notes"]
    decoder = onnx.load(str(bundle / manifest["files"]["imageDecoder"]["path"]))
    assert [i for i in decoder.graph.initializer if i.data_type == onnx.TensorProto.FLOAT16]
    # The torch weights hold exactly what the fp16 ONNX graphs hold: the same decode, bit for bit
    # up to fp32 arithmetic order.
    models, _ = load_bundle_models(bundle)
    tokens = torch.randint(0, 32, (1, 3, 4))
    expected = models.image_vqgan.decode_tokens(tokens).detach().numpy()
    if not ort_node_available():
        pytest.skip("onnxruntime-node is not installed (npm ci): the fp16 graph's parity is unchecked")
    got = run_onnx([(bundle / manifest["files"]["imageDecoder"]["path"], {manifest["tensors"]["imageDecoder"]["tokens"]: tokens.numpy()})])[0]
    assert np.abs(got[manifest["tensors"]["imageDecoder"]["image"]] - expected).max() < 1e-4


def test_seg_decoder_finetune_keeps_the_cond_tokens(stage_one: dict[str, Path], tmp_path: Path) -> None:
    root, data = stage_one["root"], stage_one["data"]
    out = tmp_path / "seg-decoder"
    assert finetune_decoder.main(["--kind", "seg", "--config", "tiny", "--vqgan", str(root / "seg/last.ckpt"), "--data", str(data), "--out", str(out), "--no-progress"]) == 0
    source = load_checkpoint(root / "seg/last.ckpt")["model"]
    tuned = load_checkpoint(out / "last.ckpt", "seg_vqgan")
    assert all(torch.equal(tuned["model"][k], source[k]) for k in source if k.startswith(("encoder.", "quant_conv.", "quantize.")))
    assert any(not torch.equal(tuned["model"][k], source[k]) for k in source if k.startswith("decoder."))
    records = read_metrics(out / "metrics.jsonl")
    assert [r["step"] for r in records if "pixel_accuracy" in r] == [1, 2, 3, 4]
    assert all(0 <= r["eval_pixel_accuracy"] <= 1 for r in records if "eval_pixel_accuracy" in r)
    assert (out / "label-tokens.npz").is_file()
    model, _ = load_vqgan(out / "last.ckpt", "seg_vqgan")  # loads as an ordinary seg VQGAN


def test_evaluate_refuses_a_bundle_of_other_classes() -> None:
    from training import evaluate

    fixture = Path(__file__).resolve().parents[2] / "assets" / "fixtures" / "tessera-tiny"  # 5 classes
    with pytest.raises(SystemExit, match="has 5 classes, but evaluate measures on the procedural landscape renderer's 11"):
        evaluate.main(["--bundle", str(fixture), "--scenes", "2"])


def test_decoder_finetune_refuses_encoder_changes(stage_one: dict[str, Path], tmp_path: Path) -> None:
    config = yaml.safe_load((Path(__file__).parents[1] / "configs/tiny.yaml").read_text())
    config["image_decoder"]["model"] = {"encoder_mid_attention": False}
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(ValueError, match="encoder and codebook are frozen"):
        finetune_decoder.main(["--config", str(tmp_path / "bad.yaml"), "--vqgan", str(stage_one["root"] / "image/last.ckpt"),
                               "--data", str(stage_one["data"]), "--out", str(tmp_path / "d"), "--no-progress"])


def test_decoder_finetune_loss_override_and_time_budget(stage_one: dict[str, Path], tmp_path: Path) -> None:
    """The fine-tune's own `loss` keys replace the source's (model 3's decoder: no perceptual term, an
    L2 term), and --time-budget lowers the step count once, recording it so --steps repeats it."""
    config = yaml.safe_load((Path(__file__).parents[1] / "configs/tiny.yaml").read_text())
    config["image_decoder"]["loss"] = {"perceptual_weight": 0.0, "l2_weight": 2.0}
    config["image_decoder"]["train"]["steps"] = 100_000
    (tmp_path / "l2.yaml").write_text(yaml.safe_dump(config))
    out = tmp_path / "d"
    budget = finetune_decoder.main(["--config", str(tmp_path / "l2.yaml"), "--vqgan", str(stage_one["root"] / "image/last.ckpt"),
                                    "--data", str(stage_one["data"]), "--out", str(out), "--no-progress", "--device", "cpu", "--time-budget", "3"])
    assert budget == 0
    tuned = load_checkpoint(out / "last.ckpt", "image_vqgan")
    assert tuned["config"]["loss"]["perceptual_weight"] == 0.0 and tuned["config"]["loss"]["l2_weight"] == 2.0
    records = read_metrics(out / "metrics.jsonl")
    planned = [r for r in records if r.get("event") == "time_budget"]
    assert len(planned) == 1 and planned[0]["steps"] < 100_000
    assert tuned["step"] == planned[0]["steps"] == tuned["config"]["train"]["steps"]
    assert all(r["p_loss"] == 0.0 for r in records if "p_loss" in r)
    config["image_decoder"]["loss"] = {"l3_weight": 1.0}
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(ValueError, match="image_decoder.loss: unknown keys l3_weight"):
        finetune_decoder.main(["--config", str(tmp_path / "bad.yaml"), "--vqgan", str(stage_one["root"] / "image/last.ckpt"),
                               "--data", str(stage_one["data"]), "--out", str(tmp_path / "e"), "--no-progress"])
