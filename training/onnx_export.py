"""ONNX export (opset 17) of the four bundle graphs, with dynamic batch/size/sequence/cache axes.

Graph I/O (the names the manifest's `tensors` section records):
  cond_encoder:  labels int64 [B,H,W] → tokens int64 [B,h,w]   (the one-hot is inside the graph)
  image_encoder: image float32 [B,3,H,W] in [-1,1] → tokens int64 [B,h,w]
  image_decoder: tokens int64 [B,h,w] → image float32 [B,3,H,W] in [-1,1]
  transformer:   positions cache (default; serves exact, cached and parallel): input_ids int64 [B,S],
                 position_ids int64 [B,S], key_valid int64 [B,C], past_key_{i}/past_value_{i} float32
                 [B,heads,C,head_dim] → logits [B,S,vocab], new_key_{i}/new_value_{i} [B,heads,S,head_dim]
                 (positions_cache_graph.py);
                 in-place cache (2.1.x bundles): past_length int64 [] instead of position_ids/key_valid
                 (inplace_cache_graph.py);
                 concat cache (older bundles): past [B,heads,P,head_dim] → present [B,heads,P+S,head_dim]
"""
from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .gpt import GPT
from .inplace_cache_graph import TENSOR_NAMES_IN_PLACE, InPlaceCacheTransformerGraph
from .positions_cache_graph import TENSOR_NAMES_POSITIONS, PositionsCacheTransformerGraph
from .vqgan import SegmentationVQModel, VQModel, labels_to_onehot

OPSET = 17

TENSOR_NAMES = {
    "condEncoder": {"labels": "labels", "tokens": "tokens"},
    "imageEncoder": {"image": "image", "tokens": "tokens"},
    "imageDecoder": {"tokens": "tokens", "image": "image"},
    "transformer": {
        "inputIds": "input_ids",
        "logits": "logits",
        "pastKey": "past_key_{i}",
        "pastValue": "past_value_{i}",
        "presentKey": "present_key_{i}",
        "presentValue": "present_value_{i}",
    },
}


def _tokens_from_latents(model: VQModel, z: torch.Tensor) -> torch.Tensor:
    b, c, h, w = z.shape
    indices = model.quantize.nearest_codes(z.permute(0, 2, 3, 1).reshape(-1, c))
    return indices.reshape(b, h, w)


class ImageEncoderGraph(nn.Module):
    def __init__(self, model: VQModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return _tokens_from_latents(self.model, self.model.encode_latents(image))


class CondEncoderGraph(nn.Module):
    def __init__(self, model: SegmentationVQModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, labels: torch.Tensor) -> torch.Tensor:
        onehot = labels_to_onehot(labels, self.model.num_classes)
        return _tokens_from_latents(self.model, self.model.encode_latents(onehot))


class ImageDecoderGraph(nn.Module):
    def __init__(self, model: VQModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        # Clamped so the graph's contract ([-1, 1]) holds; the raw decoder can overshoot slightly.
        return torch.clamp(self.model.decode_tokens(tokens), -1.0, 1.0)


class TransformerGraph(nn.Module):
    """Flat tensor I/O around GPT.forward: (input_ids, k0, v0, k1, v1, ...) → (logits, k0', v0', ...)."""

    def __init__(self, model: GPT) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, *past_flat: torch.Tensor) -> tuple[torch.Tensor, ...]:
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        logits, presents = self.model(input_ids, past)
        out: list[torch.Tensor] = [logits]
        for key, value in presents:
            out += [key, value]
        return tuple(out)


def _export(module: nn.Module, args: tuple, path: Path, input_names: list[str], output_names: list[str], dynamic_axes: dict) -> None:
    module.eval()
    buffer = io.BytesIO()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about shape-dependent Python ints are expected here
        torch.onnx.export(
            module,
            args,
            buffer,
            opset_version=OPSET,
            input_names=input_names,
            output_names=output_names,
            dynamic_axes=dynamic_axes,
            do_constant_folding=True,
        )
    path.write_bytes(buffer.getvalue())


def export_image_encoder(model: VQModel, path: Path) -> None:
    f = model.config.grid_factor
    example = torch.zeros(1, model.config.in_channels, 2 * f, 3 * f)
    _export(ImageEncoderGraph(model), (example,), path, ["image"], ["tokens"], {"image": {0: "B", 2: "H", 3: "W"}, "tokens": {0: "B", 1: "h", 2: "w"}})


def export_cond_encoder(model: SegmentationVQModel, path: Path) -> None:
    f = model.config.grid_factor
    example = torch.zeros(1, 2 * f, 3 * f, dtype=torch.int64)
    _export(CondEncoderGraph(model), (example,), path, ["labels"], ["tokens"], {"labels": {0: "B", 1: "H", 2: "W"}, "tokens": {0: "B", 1: "h", 2: "w"}})


def export_image_decoder(model: VQModel, path: Path) -> None:
    example = torch.zeros(1, 2, 3, dtype=torch.int64)
    _export(ImageDecoderGraph(model), (example,), path, ["tokens"], ["image"], {"tokens": {0: "B", 1: "h", 2: "w"}, "image": {0: "B", 2: "H", 3: "W"}})


TRANSFORMER_CACHE_KINDS = ("positions", "in-place", "concat")
DEFAULT_TRANSFORMER_CACHE = "positions"


def transformer_tensor_names(cache: str) -> dict:
    """The manifest's transformer tensor names for a cache kind (`positionIds` marks positions,
    `pastLength` in-place, neither concat)."""
    if cache not in TRANSFORMER_CACHE_KINDS:
        raise ValueError(f"unknown transformer cache kind {cache!r} (positions, in-place or concat)")
    if cache == "positions":
        return dict(TENSOR_NAMES_POSITIONS)
    return dict(TENSOR_NAMES_IN_PLACE if cache == "in-place" else TENSOR_NAMES["transformer"])


def plain_forward_feeds(cfg, input_ids, tensor_names: dict) -> dict:
    """Feeds for a full forward with no cache, for any graph kind (zero-length past buffers;
    `past_length` 0 for in-place graphs; positions 0..S-1 and an empty key mask for positions graphs)."""
    batch, seq = input_ids.shape
    feeds = {tensor_names["inputIds"]: input_ids}
    for i in range(cfg.n_layer):
        for key in ("pastKey", "pastValue"):
            feeds[tensor_names[key].replace("{i}", str(i))] = np.zeros((batch, cfg.n_head, 0, cfg.head_dim), np.float32)
    if "pastLength" in tensor_names:
        feeds[tensor_names["pastLength"]] = np.array(0, np.int64)
    if "positionIds" in tensor_names:
        feeds[tensor_names["positionIds"]] = np.tile(np.arange(seq, dtype=np.int64), (batch, 1))
        feeds[tensor_names["keyValid"]] = np.zeros((batch, 0), np.int64)
    return feeds


def export_transformer(model: GPT, path: Path, cache: str = DEFAULT_TRANSFORMER_CACHE) -> None:
    """`cache="positions"` (the default) is the graph of positions_cache_graph.py, which the
    parallel sampler needs; `"in-place"` the graph of inplace_cache_graph.py (engines before the
    positions kind read it); `"concat"` the classic past/present graph (engines before in-place)."""
    transformer_tensor_names(cache)  # refuses an unknown kind before minutes of export
    if cache == "positions":
        _export_positions_transformer(model, path)
    elif cache == "in-place":
        _export_in_place_transformer(model, path)
    else:
        _export_concat_transformer(model, path)


def _cache_io(cfg, past_len: int, names: dict, past_axis: str, out_axis: str) -> tuple[list, list[str], list[str], dict]:
    """Example past tensors, the cache inputs' and outputs' names, and their dynamic axes."""
    example_past, inputs, outputs, axes = [], [], [], {}
    for i in range(cfg.n_layer):
        for kind, past_key, out_key in (("key", "pastKey", "presentKey"), ("value", "pastValue", "presentValue")):
            past_name, out_name = names[past_key].replace("{i}", str(i)), names[out_key].replace("{i}", str(i))
            example_past.append(torch.zeros(1, cfg.n_head, past_len, cfg.head_dim))
            inputs.append(past_name)
            outputs.append(out_name)
            axes[past_name] = {0: "B", 2: past_axis}
            axes[out_name] = {0: "B", 2: out_axis}
    return example_past, inputs, outputs, axes


def _export_in_place_transformer(model: GPT, path: Path) -> None:
    # Capacity 5, 2 valid, 3 new: non-trivial sizes on every dynamic axis so the tracer keeps them symbolic.
    capacity, seq_len = 5, 3
    past, cache_in, cache_out, axes = _cache_io(model.config, capacity, TENSOR_NAMES_IN_PLACE, "C", "S")
    axes.update({"input_ids": {0: "B", 1: "S"}, "logits": {0: "B", 1: "S"}})
    example_ids = torch.zeros(1, seq_len, dtype=torch.int64)
    _export(InPlaceCacheTransformerGraph(model), (example_ids, torch.tensor(2, dtype=torch.int64), *past), path, ["input_ids", "past_length", *cache_in], ["logits", *cache_out], axes)


def _export_positions_transformer(model: GPT, path: Path) -> None:
    # Capacity 5, 3 new tokens at non-contiguous positions: non-trivial sizes on every dynamic axis.
    capacity, seq_len = 5, 3
    past, cache_in, cache_out, axes = _cache_io(model.config, capacity, TENSOR_NAMES_POSITIONS, "C", "S")
    axes.update({"input_ids": {0: "B", 1: "S"}, "position_ids": {0: "B", 1: "S"}, "key_valid": {0: "B", 1: "C"}, "logits": {0: "B", 1: "S"}})
    example_ids = torch.zeros(1, seq_len, dtype=torch.int64)
    positions = torch.tensor([[1, 3, 4]], dtype=torch.int64)
    key_valid = torch.tensor([[1, 0, 1, 0, 0]], dtype=torch.int64)
    _export(PositionsCacheTransformerGraph(model), (example_ids, positions, key_valid, *past), path, ["input_ids", "position_ids", "key_valid", *cache_in], ["logits", *cache_out], axes)


def _export_concat_transformer(model: GPT, path: Path) -> None:
    # A non-empty past in the example so the traced graph keeps the cache concatenation; P=0 works at run time.
    past_len, seq_len = 2, 3
    past, cache_in, cache_out, axes = _cache_io(model.config, past_len, TENSOR_NAMES["transformer"], "P", "P_plus_S")
    axes.update({"input_ids": {0: "B", 1: "S"}, "logits": {0: "B", 1: "S"}})
    example_ids = torch.zeros(1, seq_len, dtype=torch.int64)
    _export(TransformerGraph(model), (example_ids, *past), path, ["input_ids", *cache_in], ["logits", *cache_out], axes)
