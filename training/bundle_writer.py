"""Writes a model bundle folder: the four ONNX graphs (+ optional int8 transformer), the PyTorch
weights the reference sampler runs, and manifest.json (validated before anything is published).

The bundle is built in a temp folder next to the target and renamed into place at the end, so a
failed export never leaves a half-written bundle behind.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np
import torch

from . import safe_serialization
from .bundle_manifest import BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, file_entry, preview_hex, validate_manifest
from .gpt import GPT, GPTConfig
from .onnx_export import DEFAULT_TRANSFORMER_CACHE, TENSOR_NAMES, export_cond_encoder, export_image_decoder, export_image_encoder, export_transformer, transformer_tensor_names
from .onnx_postprocess import FP16_MAX, store_weights_as_fp16, write_int8_transformer
from .vqgan import SegmentationVQModel, VQGANConfig, VQModel

TORCH_WEIGHTS = "torch-weights.pt"
FILE_NAMES = {
    "condEncoder": "cond_encoder.onnx",
    "imageEncoder": "image_encoder.onnx",
    "imageDecoder": "image_decoder.onnx",
    "transformer": "transformer.onnx",
    "transformerInt8": "transformer.int8.onnx",
}


class BundleTargetError(FileExistsError):
    pass


@dataclass
class BundleModels:
    image_vqgan: VQModel
    seg_vqgan: SegmentationVQModel
    gpt: GPT
    window: tuple[int, int]  # (rows, cols) in tokens
    classes: list[dict[str, Any]]

    def check_consistent(self) -> None:
        rows, cols = self.window
        if self.image_vqgan.config.grid_factor != self.seg_vqgan.config.grid_factor:
            raise ValueError("image and segmentation VQGANs have different grid factors")
        if self.seg_vqgan.num_classes != len(self.classes):
            raise ValueError(f"the segmentation VQGAN has {self.seg_vqgan.num_classes} classes but {len(self.classes)} are listed")
        if max(self.image_vqgan.config.n_embed, self.seg_vqgan.config.n_embed) > self.gpt.config.vocab_size:
            raise ValueError("the GPT vocabulary is smaller than a codebook")
        if 2 * rows * cols > self.gpt.config.block_size:
            raise ValueError(f"a {rows}x{cols} window needs block size {2 * rows * cols}, the GPT has {self.gpt.config.block_size}")


@torch.no_grad()
def preview_colours(model: VQModel, grid: int = 4, batch: int = 64) -> list[tuple[int, int, int]]:
    """The mean colour each image code decodes to: decode a grid×grid field of the code, average it."""
    model.eval()
    colours = []
    for start in range(0, model.config.n_embed, batch):
        codes = torch.arange(start, min(start + batch, model.config.n_embed))
        tokens = codes.view(-1, 1, 1).expand(-1, grid, grid).contiguous()
        images = torch.clamp(model.decode_tokens(tokens), -1, 1).mean(dim=(2, 3))
        rgb = np.clip(np.round((images.numpy().astype(np.float64) + 1.0) * 127.5), 0, 255).astype(int)
        colours += [tuple(int(v) for v in c) for c in rgb]
    return colours


@torch.no_grad()
def round_weights_to_fp16(model: torch.nn.Module) -> None:
    """Rounds every float parameter and buffer to the nearest fp16 value (kept as fp32), in place."""
    for tensor in [*model.parameters(), *model.buffers()]:
        if tensor.dtype == torch.float32 and tensor.numel() and torch.isfinite(tensor).all() and float(tensor.abs().max()) <= FP16_MAX:
            tensor.copy_(tensor.half().float())


def _state_dict(model: torch.nn.Module, fp16: bool) -> dict[str, torch.Tensor]:
    """fp16: float tensors stored as fp16 (exact for weights already rounded by round_weights_to_fp16;
    load_state_dict copies them back into fp32 parameters)."""
    state = model.state_dict()
    if not fp16:
        return state
    return {k: v.half() if v.dtype == torch.float32 and torch.equal(v.half().float(), v) else v for k, v in state.items()}


def save_torch_weights(path: Path, models: BundleModels, fp16_vqgans: bool = False) -> None:
    safe_serialization.save(
        {
            "format": "tessera-torch-weights",
            "image_vqgan": {"config": models.image_vqgan.config.to_dict(), "state_dict": _state_dict(models.image_vqgan, fp16_vqgans)},
            "seg_vqgan": {"config": models.seg_vqgan.config.to_dict(), "state_dict": _state_dict(models.seg_vqgan, fp16_vqgans)},
            "gpt": {"config": models.gpt.config.to_dict(), "state_dict": models.gpt.state_dict()},
            "window": {"rows": models.window[0], "cols": models.window[1]},
            "classes": models.classes,
        },
        path,
    )


def load_bundle_models(bundle: str | Path) -> tuple[BundleModels, dict[str, Any]]:
    """The PyTorch models of a bundle (eval mode) and its manifest."""
    bundle = Path(bundle)
    manifest_path = bundle / "manifest.json"
    if not manifest_path.is_file():
        raise FileNotFoundError(f"{bundle} is not a bundle: no manifest.json")
    manifest = json.loads(manifest_path.read_text())
    validate_manifest(manifest)
    weights_path = bundle / TORCH_WEIGHTS
    if not weights_path.is_file():
        raise FileNotFoundError(f"{bundle} has no {TORCH_WEIGHTS}: the reference sampler needs the PyTorch weights (converted or ONNX-only bundles lack them)")
    data = safe_serialization.load(weights_path)
    image = VQModel(VQGANConfig.from_dict(data["image_vqgan"]["config"]))
    image.load_state_dict(data["image_vqgan"]["state_dict"])
    seg = SegmentationVQModel(VQGANConfig.from_dict(data["seg_vqgan"]["config"]))
    seg.load_state_dict(data["seg_vqgan"]["state_dict"])
    gpt = GPT(GPTConfig.from_dict(data["gpt"]["config"]))
    gpt.load_state_dict(data["gpt"]["state_dict"])
    window = (int(data["window"]["rows"]), int(data["window"]["cols"]))
    return BundleModels(image.eval(), seg.eval(), gpt.eval(), window, data["classes"]), manifest


def _draft_manifest(models: BundleModels, identity: dict[str, Any], defaults: Optional[dict[str, Any]], int8: bool, transformer_cache: str = DEFAULT_TRANSFORMER_CACHE) -> dict[str, Any]:
    """The manifest with placeholder file entries and preview colours (filled in after export)."""
    gpt_cfg = models.gpt.config
    keys = ["condEncoder", "imageEncoder", "imageDecoder", "transformer"] + (["transformerInt8"] if int8 else [])
    manifest: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "formatVersion": BUNDLE_FORMAT_VERSION,
        "id": identity["id"],
        "name": identity["name"],
        "version": identity["version"],
        "license": identity["license"],
    }
    if identity.get("description"):
        manifest["description"] = identity["description"]
    manifest.update(
        {
            "source": identity["source"],
            "classes": [{"id": int(c["id"]), "name": str(c["name"]), "color": str(c["color"]).lower()} for c in models.classes],
            "gridFactor": models.image_vqgan.config.grid_factor,
            "window": {"rows": models.window[0], "cols": models.window[1]},
            "vocab": {"image": models.image_vqgan.config.n_embed, "cond": models.seg_vqgan.config.n_embed},
            "transformer": {
                "layers": gpt_cfg.n_layer,
                "heads": gpt_cfg.n_head,
                "width": gpt_cfg.n_embd,
                "blockSize": gpt_cfg.block_size,
                "vocabSize": gpt_cfg.vocab_size,
            },
            "files": {key: {"path": FILE_NAMES[key], "sha256": "0" * 64, "bytes": 1} for key in keys},
            "tensors": {**TENSOR_NAMES, "transformer": transformer_tensor_names(transformer_cache)},
            "previewColors": "000000" * models.image_vqgan.config.n_embed,
        }
    )
    if defaults is not None:
        manifest["defaults"] = defaults
    return manifest


def _prepare_target(target: Path) -> None:
    if target.exists():
        if not target.is_dir():
            raise BundleTargetError(f"{target} exists and is not a folder")
        if any(target.iterdir()):
            raise BundleTargetError(f"{target} is not empty: export into a new or empty folder (nothing was written)")
    target.parent.mkdir(parents=True, exist_ok=True)


def write_bundle(
    target: str | Path,
    models: BundleModels,
    identity: dict[str, Any],
    defaults: Optional[dict[str, Any]] = None,
    int8: bool = False,
    extra: Optional[Callable[[Path], None]] = None,
    torch_weights: bool = True,
    fp16_vqgans: bool = False,
    transformer_cache: str = DEFAULT_TRANSFORMER_CACHE,
) -> dict[str, Any]:
    """Exports everything into `target` (new or empty folder); returns the manifest.

    identity: id, name, version, license, source, optional description.
    extra: called with the temp folder before it is renamed, to add files (e.g. reference samples).
    torch_weights: also write torch-weights.pt (what the reference sampler runs); large models that
    only need ONNX (e.g. a converted 450M-parameter checkpoint) can skip it.
    fp16_vqgans: store the three VQGAN graphs' weights as fp16 (computed in fp32; half the bytes).
    The VQGAN modules' weights are rounded to fp16 first, in place, so the ONNX files, the preview
    colours and torch-weights.pt (which then stores them as fp16 too) all hold the same values.
    The transformer stays fp32: the exact sampler's parity with the reference needs its logits.
    transformer_cache: "positions" (the default: the KV cache stays in preallocated buffers addressed
    by position, which all three samplers run on; needs an engine that knows
    `tensors.transformer.positionIds`), "in-place" (2.1.x engines: `pastLength`, no parallel sampler)
    or "concat" (the classic past/present graph older engines read).
    """
    target = Path(target)
    _prepare_target(target)
    models.check_consistent()
    for m in (models.image_vqgan, models.seg_vqgan, models.gpt):
        m.eval()
    # Everything but the file hashes first, so a bad id or class list fails before minutes of export.
    manifest = _draft_manifest(models, identity, defaults, int8, transformer_cache)
    validate_manifest(manifest)
    if fp16_vqgans:
        round_weights_to_fp16(models.image_vqgan)
        round_weights_to_fp16(models.seg_vqgan)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes 0700; a published bundle gets normal permissions
    try:
        export_cond_encoder(models.seg_vqgan, tmp / FILE_NAMES["condEncoder"])
        export_image_encoder(models.image_vqgan, tmp / FILE_NAMES["imageEncoder"])
        export_image_decoder(models.image_vqgan, tmp / FILE_NAMES["imageDecoder"])
        export_transformer(models.gpt, tmp / FILE_NAMES["transformer"], transformer_cache)
        if int8:
            write_int8_transformer(tmp / FILE_NAMES["transformer"], tmp / FILE_NAMES["transformerInt8"])
        if fp16_vqgans:
            for key in ("condEncoder", "imageEncoder", "imageDecoder"):
                store_weights_as_fp16(tmp / FILE_NAMES[key])
        manifest["files"] = {key: file_entry(tmp, FILE_NAMES[key]) for key in manifest["files"]}
        if torch_weights:
            save_torch_weights(tmp / TORCH_WEIGHTS, models, fp16_vqgans)
        manifest["previewColors"] = preview_hex(preview_colours(models.image_vqgan))
        validate_manifest(manifest)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        if extra is not None:
            extra(tmp)
        if target.exists():
            target.rmdir()  # checked empty above
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest
