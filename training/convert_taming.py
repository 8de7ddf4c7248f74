"""Converts an official taming-transformers checkpoint (e.g. S-FLCKR) into a Tessera model bundle.

    /usr/bin/python3 -m training.convert_taming --ckpt last.ckpt [--config project.yaml] --out bundle/ \
        [--fp16] [--int8] [--onnx-only] [--verify] [--id ID --name NAME]

* The checkpoint is read by training.checkpoint_unpickler: no code from the pickle runs, and a pickle
  that asks to run code is refused. Only the state dict's tensors are read from disk.
* Shapes come from the project config (taming's `configs/*-project.yaml`; found next to the
  checkpoint when --config is not given) or, without one, are inferred from the state dict (the
  number of attention heads cannot be, so --n-head is then required).
* first_stage_model.* → image VQGAN, cond_stage_model.* → segmentation VQGAN, transformer.* → GPT
  (training.vqgan / training.gpt, loaded with strict=True). loss.*, the colorize buffer, the
  attn.mask buffers and everything outside the state dict (optimizer states, callbacks) are dropped.
* The bundle is written by training.bundle_writer (ONNX + manifest), then post-processed here:
  fp16 weight storage (--fp16) and ONNX external data for any file over --external-data-threshold.
  Everything happens in a temporary folder beside --out, renamed into place at the very end; on any
  error it is removed, so there is never a partial bundle.
"""
from __future__ import annotations

from . import cpu_setup  # noqa: F401  (must precede numpy/torch: sets OPENBLAS_NUM_THREADS)

import argparse
import json
import math
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

import numpy as np
import onnx
import torch
import yaml
from onnx import TensorProto, helper, numpy_helper

from .bundle_manifest import ManifestError, file_entry, validate_manifest
from .bundle_writer import FILE_NAMES, TORCH_WEIGHTS, BundleModels, BundleTargetError, write_bundle
from .checkpoint_unpickler import CheckpointError, LoadedCheckpoint, StoredTensor, load_checkpoint, refuse_code_calls
from .cocostuff import NUM_CLASSES as COCO_STUFF_CLASSES
from .cocostuff import manifest_classes
from .gpt import GPT, GPTConfig
from .onnx_export import plain_forward_feeds
from .onnx_postprocess import store_weights_as_fp16
from .vqgan import SegmentationVQModel, VQGANConfig, VQModel

Log = Callable[[str], None]

# Protobuf cannot hold more than 2 GiB in one message, so larger ONNX files must keep their weights
# in an external data file. The option exists so tests can force that path on small models.
DEFAULT_EXTERNAL_DATA_THRESHOLD = 2_000_000_000
# Taming's VQModel builds every conv stage with GroupNorm(32 groups) and a nominal resolution of 256.
TAMING_NORM_GROUPS = 32
TAMING_NOMINAL_RESOLUTION = 256

PREFIXES = {"image": "first_stage_model.", "cond": "cond_stage_model.", "gpt": "transformer."}
PART_TITLES = {"image": "image VQGAN (first_stage_model)", "cond": "segmentation VQGAN (cond_stage_model)", "gpt": "transformer (transformer)"}


class ConversionError(Exception):
    """The checkpoint or config cannot be converted; the message says why and what to do."""


# --------------------------------------------------------------------------------------------
# Shapes: from the project config, or inferred from the state dict
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TamingShapes:
    image: VQGANConfig
    cond: VQGANConfig
    gpt: GPTConfig
    source: str  # where the shapes came from, for the report and the manifest notes


def _get(mapping: Any, path: str) -> Any:
    value = mapping
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise ConversionError(f"the config has no {path} (looked for it as a taming Net2NetTransformer project config)")
        value = value[part]
    return value


def _vqgan_from_config(section: Any, what: str, prefix: str) -> VQGANConfig:
    target = str(section.get("target", "")) if isinstance(section, Mapping) else ""
    if not isinstance(section, Mapping):
        raise ConversionError(
            f"{what} is {section!r}: only models conditioned on a segmentation VQGAN are supported "
            "(unconditional, class-conditional and first-stage-conditioned models are not)"
        )
    if "Gumbel" in target or "EMA" in target:
        raise ConversionError(f"{what} is a {target}: only taming's VQModel / VQSegmentationModel quantiser is supported")
    if target and not target.startswith("taming.models.vqgan."):
        raise ConversionError(f"{what} is a {target}: only taming.models.vqgan.VQModel (or VQSegmentationModel) is supported")
    params = _get(section, "params")
    dd = _get(params, "ddconfig")
    if params.get("remap"):
        raise ConversionError(f"{what} uses a codebook remap ({params['remap']}): remapped indices are not supported")
    if dd.get("double_z", False):
        raise ConversionError(f"{what} has double_z: true, which is a KL autoencoder, not a VQGAN")
    try:
        return VQGANConfig(
            ch=int(dd["ch"]),
            ch_mult=tuple(int(m) for m in dd["ch_mult"]),
            num_res_blocks=int(dd["num_res_blocks"]),
            attn_resolutions=tuple(int(r) for r in dd.get("attn_resolutions", [])),
            resolution=int(dd.get("resolution", TAMING_NOMINAL_RESOLUTION)),
            z_channels=int(dd["z_channels"]),
            embed_dim=int(params["embed_dim"]),
            n_embed=int(params["n_embed"]),
            in_channels=int(dd["in_channels"]),
            out_channels=int(dd["out_ch"]),
            norm_groups=TAMING_NORM_GROUPS,
            dropout=0.0,
            legacy_beta=True,  # taming's VQModel always builds VectorQuantizer2 with legacy=True
        )
    except KeyError as missing:
        raise ConversionError(f"{prefix} config lacks {missing.args[0]!r} in its params/ddconfig") from None


def shapes_from_config(config: Any, source: str) -> TamingShapes:
    """Reads model.params.{first_stage,cond_stage,transformer}_config of a taming project config."""
    model = _get(config, "model")
    target = str(model.get("target", ""))
    if target and not target.endswith("Net2NetTransformer"):
        raise ConversionError(f"the config describes a {target}, not a taming Net2NetTransformer (image VQGAN + cond stage + GPT)")
    params = _get(model, "params")
    permuter = params.get("permuter_config")
    if isinstance(permuter, Mapping) and not str(permuter.get("target", "")).endswith("Identity"):
        raise ConversionError(f"the model uses the token permuter {permuter.get('target')}; only raster order (Identity) is supported")
    if int(params.get("downsample_cond_size", -1)) > -1:
        raise ConversionError("the model resizes its condition before encoding (downsample_cond_size); that is not supported")
    image = _vqgan_from_config(_get(params, "first_stage_config"), "first_stage_config", "first_stage_config")
    cond = _vqgan_from_config(_get(params, "cond_stage_config"), "cond_stage_config", "cond_stage_config")
    gpt_params = _get(_get(params, "transformer_config"), "params")
    if int(gpt_params.get("n_unmasked", 0)) != 0:
        raise ConversionError(f"the GPT has n_unmasked={gpt_params['n_unmasked']} (a partly bidirectional mask); only a causal GPT is supported")
    try:
        gpt = GPTConfig(
            vocab_size=int(gpt_params["vocab_size"]),
            block_size=int(gpt_params["block_size"]),
            n_layer=int(gpt_params["n_layer"]),
            n_head=int(gpt_params["n_head"]),
            n_embd=int(gpt_params["n_embd"]),
        )
    except KeyError as missing:
        raise ConversionError(f"transformer_config.params lacks {missing.args[0]!r}") from None
    except ValueError as error:
        raise ConversionError(f"transformer_config: {error}") from None
    return TamingShapes(image, cond, gpt, source)


def _shape(tensors: Mapping[str, StoredTensor], key: str, what: str) -> tuple[int, ...]:
    tensor = tensors.get(key)
    if tensor is None:
        raise ConversionError(f"cannot infer the {what} shapes: the checkpoint has no {key}")
    return tensor.shape


def _vqgan_from_state(tensors: Mapping[str, StoredTensor], prefix: str) -> VQGANConfig:
    what = prefix.rstrip(".")
    ch, in_channels = _shape(tensors, f"{prefix}encoder.conv_in.weight", what)[:2]
    levels = 1 + max((int(m.group(1)) for k in tensors if (m := re.match(re.escape(prefix) + r"encoder\.down\.(\d+)\.", k))), default=-1)
    blocks = 1 + max((int(m.group(1)) for k in tensors if (m := re.match(re.escape(prefix) + r"encoder\.down\.0\.block\.(\d+)\.", k))), default=-1)
    if levels <= 0 or blocks <= 0:
        raise ConversionError(f"cannot infer the {what} shapes: no {prefix}encoder.down.N.block.M keys")
    ch_mult = tuple(_shape(tensors, f"{prefix}encoder.down.{i}.block.0.conv1.weight", what)[0] // ch for i in range(levels))
    attn_levels = [i for i in range(levels) if f"{prefix}encoder.down.{i}.attn.0.q.weight" in tensors]
    z_channels = _shape(tensors, f"{prefix}decoder.conv_in.weight", what)[1]
    if _shape(tensors, f"{prefix}encoder.conv_out.weight", what)[0] != z_channels:
        raise ConversionError(f"{what}: the encoder outputs {_shape(tensors, f'{prefix}encoder.conv_out.weight', what)[0]} channels for {z_channels} latent channels (double_z?): not a VQGAN")
    n_embed, embed_dim = _shape(tensors, f"{prefix}quantize.embedding.weight", what)
    return VQGANConfig(
        ch=ch,
        ch_mult=ch_mult,
        num_res_blocks=blocks,
        # Attention sits where the nominal resolution (taming's 256) halved i times is listed.
        attn_resolutions=tuple(TAMING_NOMINAL_RESOLUTION >> i for i in attn_levels),
        resolution=TAMING_NOMINAL_RESOLUTION,
        z_channels=z_channels,
        embed_dim=embed_dim,
        n_embed=n_embed,
        in_channels=in_channels,
        out_channels=_shape(tensors, f"{prefix}decoder.conv_out.weight", what)[0],
        norm_groups=TAMING_NORM_GROUPS,
        legacy_beta=True,
    )


def shapes_from_state_dict(state: Mapping[str, StoredTensor], n_head: Optional[int]) -> TamingShapes:
    """Infers every shape from the tensors; the head count is not in them and must be given."""
    if n_head is None:
        raise ConversionError(
            "no project config was given or found next to the checkpoint, and the number of attention heads "
            "cannot be read from the weights: pass --config <run>/configs/*-project.yaml, or --n-head (16 for S-FLCKR)"
        )
    image = _vqgan_from_state(state, PREFIXES["image"])
    cond = _vqgan_from_state(state, PREFIXES["cond"])
    p = PREFIXES["gpt"]
    vocab, n_embd = _shape(state, f"{p}tok_emb.weight", "transformer")
    block = _shape(state, f"{p}pos_emb", "transformer")[1]
    layers = 1 + max((int(m.group(1)) for k in state if (m := re.match(re.escape(p) + r"blocks\.(\d+)\.", k))), default=-1)
    try:
        gpt = GPTConfig(vocab_size=vocab, block_size=block, n_layer=layers, n_head=n_head, n_embd=n_embd)
    except ValueError as error:
        raise ConversionError(f"--n-head {n_head}: {error}") from None
    return TamingShapes(image, cond, gpt, f"inferred from the state dict (heads from --n-head {n_head})")


def find_project_config(ckpt: Path) -> Optional[Path]:
    """taming's layout: logs/<run>/checkpoints/last.ckpt beside logs/<run>/configs/<time>-project.yaml."""
    configs = sorted((ckpt.resolve().parent.parent / "configs").glob("*-project.yaml"))
    return configs[-1] if configs else None


def read_config(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except OSError as error:
        raise ConversionError(f"cannot read the config {path}: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        raise ConversionError(f"{path} is not valid YAML: {error}") from None


def window_for(gpt: GPTConfig, override: Optional[tuple[int, int]]) -> tuple[int, int]:
    """The square window whose cond + image tokens fill the block (taming: 16x16 for block 512)."""
    if override is not None:
        rows, cols = override
    else:
        rows = cols = math.isqrt(gpt.block_size // 2)
    if rows < 1 or cols < 1 or 2 * rows * cols > gpt.block_size:
        raise ConversionError(f"a {rows}x{cols} window needs {2 * rows * cols} positions; the GPT's block size is {gpt.block_size}")
    return rows, cols


# --------------------------------------------------------------------------------------------
# State dict: split, check, load
# --------------------------------------------------------------------------------------------


def _is_dropped(part: str, key: str) -> bool:
    """Keys inference never uses: training losses, taming's random colorize buffer, the GPT masks."""
    if key.startswith("loss.") or key == "colorize":
        return part in ("image", "cond")
    return part == "gpt" and key.endswith(".attn.mask")


@dataclass
class SplitState:
    parts: dict[str, dict[str, StoredTensor]]
    masks: dict[str, StoredTensor]  # transformer attn.mask buffers, checked then dropped
    dropped: list[str]
    unexpected: list[str]  # keys under no known prefix


def split_state_dict(state: Mapping[str, Any]) -> SplitState:
    parts: dict[str, dict[str, StoredTensor]] = {name: {} for name in PREFIXES}
    masks: dict[str, StoredTensor] = {}
    dropped: list[str] = []
    unexpected: list[str] = []
    for key, value in state.items():
        if not isinstance(key, str) or not isinstance(value, StoredTensor):
            raise ConversionError(f"state_dict entry {key!r} is {type(value).__name__}, not a tensor: not a taming checkpoint")
        for part, prefix in PREFIXES.items():
            if key.startswith(prefix):
                inner = key[len(prefix) :]
                if _is_dropped(part, inner):
                    dropped.append(key)
                    if part == "gpt":
                        masks[inner] = value
                else:
                    parts[part][inner] = value
                break
        else:
            unexpected.append(key)
    return SplitState(parts, masks, dropped, unexpected)


def _list_keys(keys: list[str], limit: int = 5) -> str:
    shown = ", ".join(keys[:limit])
    return shown + (f" (and {len(keys) - limit} more)" if len(keys) > limit else "")


def check_part(part: str, tensors: Mapping[str, StoredTensor], module: torch.nn.Module, shape_source: str) -> None:
    """Compares names and shapes before reading any data, so errors are clear and fast."""
    prefix = PREFIXES[part]
    expected = {k: tuple(v.shape) for k, v in module.state_dict().items() if not _is_dropped(part, k)}
    missing = [prefix + k for k in expected if k not in tensors]
    unexpected = [prefix + k for k in tensors if k not in expected]
    wrong = [f"{prefix}{k}: checkpoint {tensors[k].shape}, expected {shape}" for k, shape in expected.items() if k in tensors and tensors[k].shape != shape]
    problems = []
    if missing:
        problems.append(f"{len(missing)} missing: {_list_keys(missing)}")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected: {_list_keys(unexpected)}")
    if wrong:
        problems.append(f"{len(wrong)} with the wrong shape: {_list_keys(wrong, 3)}")
    if problems:
        raise ConversionError(
            f"the checkpoint's {PART_TITLES[part]} does not match the model built from the shapes {shape_source}: "
            + "; ".join(problems)
        )
    for key, tensor in tensors.items():
        if not tensor.dtype.is_floating_point:
            raise ConversionError(f"{prefix}{key} holds {tensor.dtype} values; weights must be floating point")


def check_masks(masks: Mapping[str, StoredTensor], gpt: GPT) -> None:
    """The checkpoint's attention masks must be the plain causal mask our GPT builds itself."""
    reference = gpt.state_dict()
    for key, stored in masks.items():
        if key not in reference:
            raise ConversionError(f"transformer.{key} belongs to no layer of a {gpt.config.n_layer}-layer GPT")
        own = reference[key]
        if stored.shape != tuple(own.shape):
            raise ConversionError(f"transformer.{key}: checkpoint {stored.shape}, expected {tuple(own.shape)} (block size {gpt.config.block_size})")
        mask = stored.load()
        stored.storage.release()
        if not torch.equal((mask != 0), (own != 0)):
            raise ConversionError(f"transformer.{key} is not a causal mask (n_unmasked > 0?); only a causal GPT is supported")


def load_part(part: str, tensors: Mapping[str, StoredTensor], module: torch.nn.Module) -> None:
    """Reads the part's tensors (one at a time, freeing each storage) and loads them strictly."""
    state: dict[str, torch.Tensor] = {}
    own = module.state_dict()
    for key, value in own.items():
        if _is_dropped(part, key):
            state[key] = value  # our own causal masks stand in for the dropped buffers
    for key, stored in tensors.items():
        state[key] = stored.load().to(torch.float32)
        stored.storage.release()
    try:
        module.load_state_dict(state, strict=True)
    except RuntimeError as error:  # check_part catches these first; this is the last line of defence
        raise ConversionError(f"loading the {PART_TITLES[part]} failed: {error}") from None


# --------------------------------------------------------------------------------------------
# ONNX post-processing
# --------------------------------------------------------------------------------------------


def move_weights_to_external_data(path: Path, threshold: int) -> Optional[Path]:
    """Rewrites an ONNX file over `threshold` bytes with its weights in `<name>.data` beside it."""
    if path.stat().st_size <= threshold:
        return None
    model = onnx.load(str(path))
    data_path = path.with_name(path.name + ".data")
    if data_path.exists():
        data_path.unlink()  # onnx appends to an existing data file
    onnx.save_model(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True, location=data_path.name, size_threshold=1024)
    onnx.checker.check_model(str(path))
    return data_path


# --------------------------------------------------------------------------------------------
# The conversion
# --------------------------------------------------------------------------------------------


@dataclass
class ConvertOptions:
    config: Optional[Path] = None  # None: look next to the checkpoint, else infer from the state dict
    find_config: bool = True
    n_head: Optional[int] = None
    window: Optional[tuple[int, int]] = None
    fp16: bool = False
    int8: bool = False
    onnx_only: bool = False
    external_data_threshold: int = DEFAULT_EXTERNAL_DATA_THRESHOLD
    verify: bool = False
    bundle_id: str = "taming-converted"
    name: Optional[str] = None
    version: str = "1.0.0"
    license: str = "as released with CompVis/taming-transformers (code MIT); check the checkpoint's terms for your use"
    description: Optional[str] = None
    # Taming's settings (temperature 1, top-k 100, its sliding window), run by the cached sampler at
    # stride 1: every chunk is one token in taming's own window, so it draws exact's tokens (up to float
    # rounding, like any two runtimes), while a window that does not move costs one cached step per
    # token instead of a full forward. Larger strides change the windows; choose them by measurement.
    defaults: dict[str, Any] = field(default_factory=lambda: {"temperature": 1.0, "topK": 100, "topP": 1.0, "sampler": "cached", "stride": 1})


@dataclass
class ConversionResult:
    out: Path
    manifest: dict[str, Any]
    models: BundleModels
    shapes: TamingShapes
    report: list[str]
    verification: Optional[dict[str, float]] = None


MODEL_CARD = "MODEL_CARD.md"


def sampler_costs(window: tuple[int, int]) -> list[str]:
    """What each sampler costs and whether it draws taming's image: for the card and CONVERTER.md."""
    rows, cols = window
    n = rows * cols
    return [
        "| sampler | the image taming's own sampler draws? | cost |",
        "| --- | --- | --- |",
        f"| `exact` | yes: taming's loop | one full forward of {2 * n - 1} positions per token, whatever the canvas |",
        f"| `cached`, stride 1 | yes: every chunk is one token in taming's own window, so it draws exact's tokens (up to float rounding, like any two runtimes) | one cached step per token while the window stays put, a prefill of up to {2 * n - 1} positions when it moves. At {rows}×{cols} tokens (one window) that is one {n}-token prefill and {n - 1} steps; on wider canvases taming's window moves with almost every token of the middle columns, so there it costs nearly a prefill per token |",
        "| `cached`, stride s > 1 | no: a chunk's s tokens share one window, so most of them see a window shifted from taming's | one prefill per chunk of s tokens and one cached step per token: far fewer prefills on large canvases; choose s by measurement (`python3 -m training.choose_stride`) |",
    ]


def model_card(manifest: dict[str, Any], shapes: TamingShapes, checkpoint: str, global_step: Optional[int], options: ConvertOptions) -> str:
    """MODEL_CARD.md of a converted bundle: where it came from, its shapes, and what its defaults cost."""
    d = manifest["defaults"]
    window = (manifest["window"]["rows"], manifest["window"]["cols"])
    f = manifest["gridFactor"]
    g = shapes.gpt
    sampler = f"{d['sampler']}" + (f", stride {d['stride']}" if d["sampler"] == "cached" else "")
    return "\n".join([
        f"# {manifest['name']}",
        "",
        f"Converted by `training.convert_taming` from the taming-transformers checkpoint `{checkpoint}`"
        f"{'' if global_step is None else f' (global step {global_step})'}; shapes {shapes.source}; "
        f"{'fp16 weight storage (computed in fp32)' if options.fp16 else 'fp32 weights'}. The weights and their terms are the checkpoint's.",
        "",
        f"- {len(manifest['classes'])} COCO-Stuff classes (label value = COCO-Stuff id − 1; see training/CONVERTER.md in Tessera)",
        f"- VQGANs: f{f} ({window[0] * f}×{window[1] * f} px per window), {shapes.image.n_embed} image codes, {shapes.cond.n_embed} cond codes",
        f"- GPT: {g.n_layer} layers × {g.n_head} heads × {g.n_embd} wide, block {g.block_size}, a {window[0]}×{window[1]}-token window",
        "",
        "## Defaults, and what each sampler costs",
        "",
        f"Temperature {d['temperature']}, top-k {d['topK']}, top-p {d['topP']}, **{sampler}**. "
        "Taming's own settings, run by the cached sampler at stride 1, which draws the exact sampler's "
        "tokens for less: the default gives the image taming's sampler gives, and a larger stride is a "
        "choice to make by measurement, with the images in front of you.",
        "",
        *sampler_costs(window),
        "",
        "Measured on a 2-core CPU for a model of the S-FLCKR size (random weights; Tessera's docs/PERFORMANCE.md): "
        "256×256 px with these defaults takes tens of seconds, the exact sampler several minutes; the "
        "transformer's single-token steps dominate, each reading all of its weights.",
        "",
    ])


def _refuse_non_empty(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ConversionError(f"{target} exists and is not an empty folder: convert into a new or empty folder (nothing was written)")


def _checkpoint_root(checkpoint: LoadedCheckpoint, name: str) -> tuple[Mapping[str, Any], Optional[int]]:
    root = checkpoint.root
    if not isinstance(root, Mapping):
        raise ConversionError(f"{name} holds a {type(root).__name__}, not a checkpoint dict")
    state = root.get("state_dict")
    if not isinstance(state, Mapping):
        if root and all(isinstance(v, StoredTensor) for v in root.values()):
            state = root  # a bare state dict (e.g. from scripts/extract_submodel.py) would land here
        else:
            raise ConversionError(f"{name} has no state_dict (keys: {', '.join(map(str, list(root)[:8]))})")
    step = root.get("global_step")
    global_step = step if isinstance(step, int) and not isinstance(step, bool) else None
    return state, global_step


def _describe_inert(checkpoint: LoadedCheckpoint) -> str:
    names = checkpoint.placeholders
    if not names:
        return "no class references"
    return f"{len(names)} class reference(s) neutralised, never imported: {_list_keys(names, 4)}"


@dataclass
class TamingModels:
    """The three models with the checkpoint's weights, and what the checkpoint said about itself."""

    image: VQModel
    cond: SegmentationVQModel
    gpt: GPT
    shapes: TamingShapes
    global_step: Optional[int]
    placeholders: list[str]


def read_taming_checkpoint(ckpt: Path, options: ConvertOptions, note: Log) -> TamingModels:
    """Reads the checkpoint safely, works out the shapes, and loads the three models strictly."""
    if not ckpt.is_file():
        raise ConversionError(f"checkpoint {ckpt} does not exist")
    checkpoint = load_checkpoint(ckpt)
    try:
        refuse_code_calls(checkpoint, ckpt.name)
        note(f"read {ckpt.name} ({ckpt.stat().st_size / 1e9:.2f} GB, torch {checkpoint.format} format): {_describe_inert(checkpoint)}")
        if checkpoint.inert_calls:
            note(f"neutralised {len(checkpoint.inert_calls)} call(s) in the pickle (not run): {_list_keys(checkpoint.inert_calls, 3)}")
        state, global_step = _checkpoint_root(checkpoint, ckpt.name)

        config_path = options.config
        if config_path is None and options.find_config:
            config_path = find_project_config(ckpt)
        if config_path is not None:
            shapes = shapes_from_config(read_config(config_path), f"from {config_path.name}")
        else:
            shapes = shapes_from_state_dict(state, options.n_head)
        note(f"shapes {shapes.source}: image VQGAN f{shapes.image.grid_factor} ch {shapes.image.ch}×{list(shapes.image.ch_mult)} "
             f"codes {shapes.image.n_embed}; segmentation VQGAN {shapes.cond.in_channels} classes, codes {shapes.cond.n_embed}; "
             f"GPT {shapes.gpt.n_layer} layers × {shapes.gpt.n_head} heads × {shapes.gpt.n_embd}, vocab {shapes.gpt.vocab_size}, block {shapes.gpt.block_size}")
        if shapes.cond.in_channels != COCO_STUFF_CLASSES or shapes.cond.out_channels != COCO_STUFF_CLASSES:
            raise ConversionError(
                f"the segmentation VQGAN has {shapes.cond.in_channels} input channels; the converter knows the class list of "
                f"{COCO_STUFF_CLASSES}-class COCO-Stuff models (S-FLCKR) only"
            )
        if shapes.image.grid_factor != shapes.cond.grid_factor:
            raise ConversionError(f"the image VQGAN is f{shapes.image.grid_factor} but the segmentation VQGAN f{shapes.cond.grid_factor}: their token grids would not line up")
        if max(shapes.image.n_embed, shapes.cond.n_embed) > shapes.gpt.vocab_size:
            raise ConversionError(f"the GPT vocabulary ({shapes.gpt.vocab_size}) is smaller than a codebook ({shapes.image.n_embed} image, {shapes.cond.n_embed} cond)")

        split = split_state_dict(state)
        if split.unexpected:
            raise ConversionError(
                f"the state dict has {len(split.unexpected)} key(s) outside first_stage_model/cond_stage_model/transformer: "
                f"{_list_keys(split.unexpected)} (a permuter or another model type?)"
            )
        try:
            torch.manual_seed(0)  # construction initialises weights that are then overwritten; keep it deterministic anyway
            image, cond, gpt = VQModel(shapes.image), SegmentationVQModel(shapes.cond), GPT(shapes.gpt)
        except ValueError as error:
            raise ConversionError(f"cannot build the models from the shapes {shapes.source}: {error}") from None
        modules: dict[str, torch.nn.Module] = {"image": image, "cond": cond, "gpt": gpt}
        for part, module in modules.items():
            check_part(part, split.parts[part], module, shapes.source)
        check_masks(split.masks, gpt)
        for part, module in modules.items():
            load_part(part, split.parts[part], module)
        source_dtypes = sorted({str(t.dtype).replace("torch.", "") for p in split.parts.values() for t in p.values()})
        loss_keys = sum(1 for k in split.dropped if ".loss." in k)
        note(f"loaded {sum(len(p) for p in split.parts.values())} tensors ({', '.join(source_dtypes)}) with strict=True; dropped "
             f"{loss_keys} loss keys, {len(split.masks)} attn.mask buffers, {len(split.dropped) - loss_keys - len(split.masks)} colorize buffer(s), "
             f"and everything outside state_dict (optimizer states, callbacks)")
    finally:
        checkpoint.close()
    return TamingModels(image.eval(), cond.eval(), gpt.eval(), shapes, global_step, checkpoint.placeholders)


def convert(ckpt: str | Path, out: str | Path, options: Optional[ConvertOptions] = None, log: Log = print) -> ConversionResult:
    """Runs the whole conversion; raises ConversionError (or CheckpointError) and leaves nothing behind on failure."""
    options = options or ConvertOptions()
    ckpt, target = Path(ckpt), Path(out)
    started = time.monotonic()
    report: list[str] = []

    def note(line: str) -> None:
        report.append(line)
        log(f"[{time.monotonic() - started:6.1f}s] {line}")

    _refuse_non_empty(target)  # before minutes of work
    loaded = read_taming_checkpoint(ckpt, options, note)
    shapes = loaded.shapes
    window = window_for(shapes.gpt, options.window)
    models = BundleModels(loaded.image, loaded.cond, loaded.gpt, window, manifest_classes())
    try:
        models.check_consistent()
    except ValueError as error:
        raise ConversionError(str(error)) from None
    run_name = ckpt.resolve().parent.parent.name if ckpt.resolve().parent.name == "checkpoints" else ckpt.stem
    weights_note = "fp16 weight storage (computed in fp32)" if options.fp16 else "fp32 weights"
    notes = (
        f"converted by training.convert_taming; shapes {shapes.source}; {weights_note}; quantizer: taming legacy beta placement "
        f"(a training-loss detail, no effect on inference); dropped loss.*, colorize, attn.mask and optimizer states; "
        f"pickle class references neutralised: {', '.join(loaded.placeholders) or 'none'}"
    )
    identity = {
        "id": options.bundle_id,
        "name": options.name or f"taming-transformers {run_name} (converted)"[:120],
        "version": options.version,
        "license": options.license,
        "description": options.description
        or (f"Converted from the taming-transformers checkpoint {ckpt.name} ({run_name}, global step {loaded.global_step}); "
            f"conditioned on {COCO_STUFF_CLASSES}-class COCO-Stuff segmentation maps."),
        "source": {"kind": "converted", "checkpoint": ckpt.name, "globalStep": loaded.global_step, "notes": notes[:2000]},
    }

    target.parent.mkdir(parents=True, exist_ok=True)
    workspace = Path(tempfile.mkdtemp(prefix=f".{target.name}.converting-", dir=target.parent))
    try:
        staged = workspace / "bundle"
        note(f"exporting ONNX graphs (window {window[0]}×{window[1]}, grid factor {shapes.image.grid_factor}) …")
        manifest = write_bundle(staged, models, identity, options.defaults, int8=options.int8)
        manifest = _post_process(staged, manifest, options, note)
        (staged / MODEL_CARD).write_text(model_card(manifest, shapes, ckpt.name, loaded.global_step, options))
        verification = None
        if options.verify:
            verification = verify_bundle(staged, models, fp16=options.fp16)
            note("verified against PyTorch with onnxruntime-node: " + ", ".join(f"{k} {v:.3g}" for k, v in verification.items()))
        _refuse_non_empty(target)
        if target.exists():
            target.rmdir()
        os.rename(staged, target)
    except BaseException:
        shutil.rmtree(workspace, ignore_errors=True)
        raise
    shutil.rmtree(workspace, ignore_errors=True)
    total = sum(p.stat().st_size for p in target.iterdir())
    note(f"wrote {target} ({total / 1e6:.1f} MB) in {time.monotonic() - started:.0f} s")
    return ConversionResult(target, manifest, models, shapes, report, verification)


def _post_process(bundle: Path, manifest: dict[str, Any], options: ConvertOptions, note: Log) -> dict[str, Any]:
    """fp16 storage, external data and dropping the torch weights, then a re-validated manifest."""
    changed = False
    if options.onnx_only:
        (bundle / TORCH_WEIGHTS).unlink(missing_ok=True)
        note(f"dropped {TORCH_WEIGHTS} (--onnx-only): the Python reference sampler cannot run on this bundle")
    for key in ("condEncoder", "imageEncoder", "imageDecoder", "transformer"):
        path = bundle / manifest["files"][key]["path"]
        if options.fp16:
            count = store_weights_as_fp16(path)
            changed = True
            note(f"{path.name}: {count} weight tensors stored as fp16 ({path.stat().st_size / 1e6:.1f} MB)")
    for key in list(manifest["files"]):
        path = bundle / manifest["files"][key]["path"]
        data = move_weights_to_external_data(path, options.external_data_threshold)
        if data is not None:
            changed = True
            note(f"{path.name} is over {options.external_data_threshold} bytes: weights moved to {data.name} ({data.stat().st_size / 1e6:.1f} MB)")
    if changed:
        manifest = dict(manifest)
        manifest["files"] = {key: file_entry(bundle, entry["path"]) for key, entry in manifest["files"].items()}
        validate_manifest(manifest)
        (bundle / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


@torch.no_grad()
def verify_bundle(bundle: Path, models: BundleModels, fp16: bool = False, seed: int = 0) -> dict[str, float]:
    """Runs each ONNX graph in onnxruntime-node on small random inputs and compares with PyTorch.

    Returns token agreement (1.0 = identical) and the largest absolute differences. Raises
    ConversionError when fp32 graphs disagree (fp16 storage is allowed small differences).
    """
    from .ort_node import OrtNodeUnavailable, run_onnx

    rng = np.random.default_rng(seed)
    f = models.image_vqgan.config.grid_factor
    rows, cols = models.window
    # Blocky labels, like real maps (and so tokens do not all sit on ties).
    labels = np.repeat(np.repeat(rng.integers(0, models.seg_vqgan.num_classes, (1, 4, 6)), f // 2 or 1, axis=1), f // 2 or 1, axis=2)[:, : 2 * f, : 3 * f]
    image = rng.uniform(-1, 1, (1, 3, 2 * f, 3 * f)).astype(np.float32)
    tokens = rng.integers(0, models.image_vqgan.config.n_embed, (1, 2, 3))
    ids = rng.integers(0, min(models.image_vqgan.config.n_embed, models.seg_vqgan.config.n_embed), (1, 2 * rows * cols - 1))
    cfg = models.gpt.config
    tensor_names = json.loads((bundle / "manifest.json").read_text())["tensors"]["transformer"]
    files = {key: bundle / FILE_NAMES[key] for key in ("condEncoder", "imageEncoder", "imageDecoder", "transformer")}
    try:
        results = run_onnx(
            [(files["condEncoder"], {"labels": labels}), (files["imageEncoder"], {"image": image}), (files["imageDecoder"], {"tokens": tokens}), (files["transformer"], plain_forward_feeds(cfg, ids, tensor_names))],
            threads=2,
            timeout=1800,
        )
    except OrtNodeUnavailable as error:
        raise ConversionError(f"--verify needs onnxruntime-node: {error}") from None
    cond_tokens = models.seg_vqgan.encode_labels(torch.from_numpy(labels)).indices.numpy()
    image_tokens = models.image_vqgan.encode(torch.from_numpy(image)).indices.numpy()
    decoded = torch.clamp(models.image_vqgan.decode_tokens(torch.from_numpy(tokens)), -1, 1).numpy()
    logits, _ = models.gpt(torch.from_numpy(ids))
    metrics = {
        "cond token agreement": float((results[0]["tokens"] == cond_tokens).mean()),
        "image token agreement": float((results[1]["tokens"] == image_tokens).mean()),
        "decoder max abs diff": float(np.abs(results[2]["image"] - decoded).max()),
        "logits max abs diff": float(np.abs(results[3]["logits"] - logits.numpy()).max()),
    }
    if not fp16:
        if metrics["cond token agreement"] < 1.0 or metrics["image token agreement"] < 1.0 or metrics["decoder max abs diff"] > 1e-3 or metrics["logits max abs diff"] > 1e-3:
            raise ConversionError(f"the exported graphs do not reproduce PyTorch: {metrics}")
    return metrics


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def _window_arg(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)[x×](\d+)", text)
    if not match:
        raise argparse.ArgumentTypeError("expected ROWSxCOLS, e.g. 16x16")
    return int(match.group(1)), int(match.group(2))


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m training.convert_taming", description=__doc__.split("\n")[0])
    parser.add_argument("--ckpt", required=True, help="taming Lightning checkpoint, e.g. 2020-11-09T13-31-51_sflckr/checkpoints/last.ckpt")
    parser.add_argument("--config", type=Path, help="taming project config (default: <run>/configs/*-project.yaml if present, else shapes are inferred)")
    parser.add_argument("--no-config", action="store_true", help="do not look for a project config; infer the shapes from the state dict")
    parser.add_argument("--n-head", type=int, help="attention heads, needed when there is no config (16 for S-FLCKR)")
    parser.add_argument("--out", required=True, type=Path, help="bundle folder to create (must not exist or be empty)")
    parser.add_argument("--fp16", action="store_true", help="store ONNX weights as fp16 (half the size; computed in fp32)")
    parser.add_argument("--int8", action="store_true", help="also write transformer.int8.onnx (dynamic int8 MatMuls)")
    parser.add_argument("--onnx-only", action="store_true", help=f"leave out {TORCH_WEIGHTS} (the PyTorch weights the Python reference sampler runs)")
    parser.add_argument("--verify", action="store_true", help="run the graphs in onnxruntime-node and compare with PyTorch before publishing")
    parser.add_argument("--window", type=_window_arg, help="attention window ROWSxCOLS (default: the square that fills half the block, 16x16 for block 512)")
    parser.add_argument("--external-data-threshold", type=int, default=DEFAULT_EXTERNAL_DATA_THRESHOLD, help="ONNX files larger than this many bytes keep their weights in <file>.data")
    parser.add_argument("--id", default="taming-converted", help="bundle id: lowercase letters, digits, . _ -")
    parser.add_argument("--name", help="display name (default: from the run folder)")
    parser.add_argument("--version", default="1.0.0")
    parser.add_argument("--license", default=ConvertOptions.license)
    parser.add_argument("--description")
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--top-k", type=int, default=100)
    parser.add_argument("--top-p", type=float, default=1.0)
    parser.add_argument("--sampler", choices=["exact", "cached"], default="cached", help="default sampler (cached at stride 1 draws exact's tokens, faster)")
    parser.add_argument("--stride", type=int, default=1, help="default cached-sampler stride (1 keeps taming's windows)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads for the export")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    options = ConvertOptions(
        config=args.config,
        find_config=not args.no_config,
        n_head=args.n_head,
        window=args.window,
        fp16=args.fp16,
        int8=args.int8,
        onnx_only=args.onnx_only,
        external_data_threshold=args.external_data_threshold,
        verify=args.verify,
        bundle_id=args.id,
        name=args.name,
        version=args.version,
        license=args.license,
        description=args.description,
        defaults={"temperature": args.temperature, "topK": args.top_k, "topP": args.top_p, "sampler": args.sampler, "stride": args.stride},
    )
    try:
        convert(args.ckpt, args.out, options, log=lambda line: print(line, file=sys.stderr, flush=True))
    except (ConversionError, CheckpointError, BundleTargetError, ManifestError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
