"""ONNX graphs (run by onnxruntime-node) against PyTorch: identical tokens, images and logits within
1e-4, cached steps equal to the full forward, dynamic sizes."""
from __future__ import annotations


import numpy as np
import onnx
import pytest
import torch

from training.gpt import GPT, GPTConfig
from training.onnx_export import export_cond_encoder, export_image_decoder, export_image_encoder, export_transformer
from training.onnx_postprocess import write_int8_transformer
from training.ort_node import ort_node_available, run_onnx
from training.vqgan import SegmentationVQModel, VQModel, labels_to_onehot

from .conftest import tiny_vqgan_config

pytestmark = pytest.mark.skipif(not ort_node_available(), reason="node + onnxruntime-node not installed")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict:
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("onnx")
    image = VQModel(tiny_vqgan_config()).eval()
    seg = SegmentationVQModel(tiny_vqgan_config(n_embed=16, in_channels=5, out_channels=5)).eval()
    # Codebooks from real latents so tokens vary (a tiny uniform codebook maps everything to one code).
    gen = torch.Generator().manual_seed(0)
    image.quantize.init_from_latents(image.encode_latents(torch.rand(4, 3, 32, 32) * 2 - 1), gen)
    seg.quantize.init_from_latents(seg.encode_latents(labels_to_onehot(torch.randint(0, 5, (4, 32, 32)), 5)), gen)
    gpt = GPT(GPTConfig(vocab_size=32, block_size=32, n_layer=2, n_head=2, n_embd=32, init_std=0.2)).eval()
    paths = {name: folder / f"{name}.onnx" for name in ("image_encoder", "cond_encoder", "image_decoder", "transformer", "transformer_in_place", "transformer_positions")}
    export_image_encoder(image, paths["image_encoder"])
    export_cond_encoder(seg, paths["cond_encoder"])
    export_image_decoder(image, paths["image_decoder"])
    export_transformer(gpt, paths["transformer"], "concat")
    export_transformer(gpt, paths["transformer_in_place"], "in-place")
    export_transformer(gpt, paths["transformer_positions"], "positions")
    paths["transformer_int8"] = folder / "transformer.int8.onnx"
    write_int8_transformer(paths["transformer"], paths["transformer_int8"])
    return {"image": image, "seg": seg, "gpt": gpt, "paths": paths}


def _empty_past(gpt: GPT, batch: int) -> dict[str, np.ndarray]:
    cfg = gpt.config
    return {f"past_{kind}_{i}": np.zeros((batch, cfg.n_head, 0, cfg.head_dim), np.float32) for i in range(cfg.n_layer) for kind in ("key", "value")}


def test_graphs_are_valid_opset_17(exported: dict) -> None:
    for path in exported["paths"].values():
        model = onnx.load(str(path))
        onnx.checker.check_model(model)
        assert any(o.domain in ("", "ai.onnx") and o.version == 17 for o in model.opset_import)


def test_encoders_decoder_match_torch_at_two_sizes(exported: dict) -> None:
    rng = np.random.default_rng(0)
    image, seg = exported["image"], exported["seg"]
    images = [rng.uniform(-1, 1, (2, 3, 32, 48)).astype(np.float32), rng.uniform(-1, 1, (1, 3, 56, 40)).astype(np.float32)]
    labels = [rng.integers(0, 5, (2, 40, 24)), rng.integers(0, 5, (1, 16, 64))]
    tokens = [rng.integers(0, 32, (2, 3, 5)), rng.integers(0, 32, (1, 6, 4))]
    p = exported["paths"]
    runs = [(p["image_encoder"], {"image": x}) for x in images] + [(p["cond_encoder"], {"labels": y}) for y in labels] + [(p["image_decoder"], {"tokens": t}) for t in tokens]
    results = run_onnx(runs)
    with torch.no_grad():
        for x, r in zip(images, results[0:2]):
            assert np.array_equal(r["tokens"], image.encode(torch.from_numpy(x)).indices.numpy())
        for y, r in zip(labels, results[2:4]):
            expected = seg.encode_labels(torch.from_numpy(y)).indices.numpy()
            assert r["tokens"].dtype == np.int64 and np.array_equal(r["tokens"], expected)
            assert len(np.unique(expected)) > 1
        for t, r in zip(tokens, results[4:6]):
            expected = torch.clamp(image.decode_tokens(torch.from_numpy(t)), -1, 1).numpy()
            assert r["image"].shape == expected.shape
            assert np.abs(r["image"] - expected).max() < 1e-4


def test_transformer_full_and_cached_match_torch(exported: dict) -> None:
    gpt, path = exported["gpt"], exported["paths"]["transformer"]
    ids = np.random.default_rng(1).integers(0, 32, (2, 31))
    with torch.no_grad():
        full, presents = gpt(torch.from_numpy(ids))
    full = full.numpy()
    prefix = 20
    first = run_onnx([(path, {"input_ids": ids[:, :prefix], **_empty_past(gpt, 2)}), (path, {"input_ids": ids, **_empty_past(gpt, 2)})])
    assert np.abs(first[1]["logits"] - full).max() < 1e-4
    assert np.abs(first[0]["logits"] - full[:, :prefix]).max() < 1e-4
    for i in range(gpt.config.n_layer):
        assert np.abs(first[1][f"present_key_{i}"] - presents[i][0].numpy()).max() < 1e-4
    # Feed the prefix's presents back and decode the rest one and then several tokens at a time.
    past = {f"past_{k}_{i}": first[0][f"present_{k}_{i}"] for i in range(gpt.config.n_layer) for k in ("key", "value")}
    step = run_onnx([(path, {"input_ids": ids[:, prefix : prefix + 1], **past})])[0]
    assert step["logits"].shape == (2, 1, 32) and step["present_key_0"].shape == (2, 2, prefix + 1, 16)
    assert np.abs(step["logits"][:, 0] - full[:, prefix]).max() < 1e-4
    past = {f"past_{k}_{i}": step[f"present_{k}_{i}"] for i in range(gpt.config.n_layer) for k in ("key", "value")}
    rest = run_onnx([(path, {"input_ids": ids[:, prefix + 1 :], **past})])[0]
    assert np.abs(rest["logits"] - full[:, prefix + 1 :]).max() < 1e-4


def test_in_place_cache_transformer_matches_torch(exported: dict) -> None:
    """The in-place graph: fixed-capacity past buffers + past_length in, new keys/values out. Filled
    the way the engine fills it (prefill, one token, the rest), its logits equal the full forward,
    and zero capacity is a plain forward."""
    gpt, path = exported["gpt"], exported["paths"]["transformer_in_place"]
    cfg = gpt.config
    ids = np.random.default_rng(1).integers(0, 32, (2, 31))
    with torch.no_grad():
        full, presents = gpt(torch.from_numpy(ids))
    full = full.numpy()
    capacity = cfg.block_size
    buffers = {f"past_{k}_{i}": np.zeros((2, cfg.n_head, capacity, cfg.head_dim), np.float32) for i in range(cfg.n_layer) for k in ("key", "value")}
    plain = run_onnx([(path, {"input_ids": ids, "past_length": np.array(0, np.int64), **{n: b[:, :, :0] for n, b in buffers.items()}})])[0]
    assert np.abs(plain["logits"] - full).max() < 1e-4
    length = 0
    for chunk in (ids[:, :20], ids[:, 20:21], ids[:, 21:]):
        # Stale values beyond past_length must not matter: fill them with garbage first.
        for b in buffers.values():
            b[:, :, length:] = 1e3
        out = run_onnx([(path, {"input_ids": chunk, "past_length": np.array(length, np.int64), **buffers})])[0]
        s = chunk.shape[1]
        assert out["new_key_0"].shape == (2, cfg.n_head, s, cfg.head_dim)
        assert np.abs(out["logits"] - full[:, length : length + s]).max() < 1e-4
        for i in range(cfg.n_layer):
            assert np.abs(out[f"new_key_{i}"] - presents[i][0].numpy()[:, :, length : length + s]).max() < 1e-4
            for k in ("key", "value"):
                buffers[f"past_{k}_{i}"][:, :, length : length + s] = out[f"new_{k}_{i}"]
        length += s


def test_int8_transformer_runs_and_stays_close(exported: dict) -> None:
    gpt, path = exported["gpt"], exported["paths"]["transformer_int8"]
    model = onnx.load(str(path))
    ops = {n.op_type for n in model.graph.node}
    assert {"DynamicQuantizeLinear", "MatMulInteger"} <= ops
    ids = np.random.default_rng(2).integers(0, 32, (1, 31))
    out = run_onnx([(path, {"input_ids": ids, **_empty_past(gpt, 1)})])[0]
    with torch.no_grad():
        full, _ = gpt(torch.from_numpy(ids))
    full = full.numpy()
    error = np.abs(out["logits"] - full).max()
    assert error < 0.1 * full.std() + 0.05, error
    # Same greedy choice on most positions.
    assert (out["logits"].argmax(-1) == full.argmax(-1)).mean() > 0.8


def test_positions_cache_transformer_matches_torch(exported: dict) -> None:
    """The positions graph: contiguous positions over a prefix mask give the in-place graph's logits
    (the same attention: what exact and cached feed it); non-contiguous positions over a cache with
    unfilled slots give the eager computation's (positions_forward, what the reference sampler runs),
    slots that are not valid never matter, and zero capacity is a plain forward."""
    from training.positions_cache_graph import positions_forward

    gpt, paths = exported["gpt"], exported["paths"]
    cfg = gpt.config
    rng = np.random.default_rng(3)
    ids = rng.integers(0, 32, (2, 31))
    with torch.no_grad():
        full, _ = gpt(torch.from_numpy(ids))
    full = full.numpy()
    capacity = cfg.block_size
    names = [f"past_{k}_{i}" for i in range(cfg.n_layer) for k in ("key", "value")]
    plain = run_onnx([(paths["transformer_positions"], {"input_ids": ids, "position_ids": np.tile(np.arange(31), (2, 1)), "key_valid": np.zeros((2, 0), np.int64),
                                                        **{n: np.zeros((2, cfg.n_head, 0, cfg.head_dim), np.float32) for n in names}})])[0]
    assert np.abs(plain["logits"] - full).max() < 1e-4
    # Contiguous: prefill 20, then 11, on a prefix mask, against the in-place graph fed the same buffers.
    buffers = {n: np.full((2, cfg.n_head, capacity, cfg.head_dim), 1e3, np.float32) for n in names}
    prefill = run_onnx([(paths["transformer_positions"], {"input_ids": ids[:, :20], "position_ids": np.tile(np.arange(20), (2, 1)), "key_valid": np.zeros((2, 0), np.int64),
                                                          **{n: b[:, :, :0] for n, b in buffers.items()}})])[0]
    for i in range(cfg.n_layer):
        for k in ("key", "value"):
            buffers[f"past_{k}_{i}"][:, :, :20] = prefill[f"new_{k}_{i}"]
    valid = (np.arange(capacity) < 20).astype(np.int64)[None].repeat(2, 0)
    step = run_onnx([(paths["transformer_positions"], {"input_ids": ids[:, 20:], "position_ids": np.tile(np.arange(20, 31), (2, 1)), "key_valid": valid, **buffers}),
                     (paths["transformer_in_place"], {"input_ids": ids[:, 20:], "past_length": np.array(20, np.int64), **buffers})])
    assert np.abs(step[0]["logits"] - full[:, 20:]).max() < 1e-4
    assert np.array_equal(step[0]["logits"], step[1]["logits"])
    # Non-contiguous: 4 new tokens at scattered positions over a cache with gaps (garbage in the gaps).
    cache = [torch.from_numpy(rng.normal(0, 1, (2, cfg.n_head, capacity, cfg.head_dim)).astype(np.float32)) for _ in names]
    valid = np.zeros((2, capacity), np.int64)
    valid[:, [0, 1, 2, 5, 6, 9, 17]] = 1
    positions = np.tile(np.array([3, 7, 10, 18]), (2, 1))
    new_ids = rng.integers(0, 32, (2, 4))
    with torch.no_grad():
        want = positions_forward(gpt, torch.from_numpy(new_ids), torch.from_numpy(positions), torch.from_numpy(valid), cache)
    got = run_onnx([(paths["transformer_positions"], {"input_ids": new_ids, "position_ids": positions, "key_valid": valid, **{n: c.numpy() for n, c in zip(names, cache)}})])[0]
    assert np.abs(got["logits"] - want[0].numpy()).max() < 1e-4
    assert np.abs(got["new_key_1"] - want[3].numpy()).max() < 1e-4
    # Slots that are not valid do not matter.
    for c in cache:
        c[:, :, torch.from_numpy(valid[0] == 0)] = 1e4
    again = run_onnx([(paths["transformer_positions"], {"input_ids": new_ids, "position_ids": positions, "key_valid": valid, **{n: c.numpy() for n, c in zip(names, cache)}})])[0]
    assert np.array_equal(again["logits"], got["logits"])
