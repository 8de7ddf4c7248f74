"""Writes checkpoints laid out like the official taming-transformers ones, with random values.

The key names and shapes come from the architecture notes (shared reference taming-facts.md §1.5),
generated here independently of training.vqgan / training.gpt: if our modules' names drifted from
taming's, loading these files with strict=True would fail. `tests/test_convert_keys.py` checks the
generator against the reference listing of the real f16 model (taming-vqgan-keys.txt).

The file is written the way Lightning 1.0 wrote it: a torch.save dict with epoch, global_step,
pytorch-lightning_version, state_dict, optimizer_states, lr_schedulers, and a `callbacks` dict
keyed by the callback *class*. That class is pickled as GLOBAL
'pytorch_lightning.callbacks.model_checkpoint ModelCheckpoint', a module that does not exist here,
which is exactly what makes `torch.load(weights_only=True)` refuse the real files.
"""
from __future__ import annotations

import io
import pickle
import types
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import torch
import yaml

Shape = tuple[int, ...]


@dataclass(frozen=True)
class DDConfig:
    ch: int = 128
    ch_mult: tuple[int, ...] = (1, 1, 2, 2, 4)
    num_res_blocks: int = 2
    attn_resolutions: tuple[int, ...] = (16,)
    resolution: int = 256
    z_channels: int = 256
    in_channels: int = 3
    out_ch: int = 3
    double_z: bool = False
    dropout: float = 0.0


@dataclass(frozen=True)
class FakeTamingConfig:
    """What a taming Net2NetTransformer project.yaml says, reduced to the fields that set shapes."""

    first_stage: DDConfig = DDConfig()
    cond_stage: DDConfig = DDConfig(in_channels=182, out_ch=182)
    first_embed_dim: int = 256
    first_n_embed: int = 1024
    cond_embed_dim: int = 256
    cond_n_embed: int = 1024
    vocab_size: int = 1024
    block_size: int = 512
    n_layer: int = 24
    n_head: int = 16
    n_embd: int = 1024


# Small but with the official structure: f16 (5 levels), attention at nominal resolution 16,
# 182 segmentation channels; narrow widths so a round trip takes seconds on two cores.
SMALL = FakeTamingConfig(
    first_stage=DDConfig(ch=32, ch_mult=(1, 1, 2, 2, 4), num_res_blocks=1, z_channels=32),
    cond_stage=DDConfig(ch=32, ch_mult=(1, 1, 2, 2, 4), num_res_blocks=1, z_channels=32, in_channels=182, out_ch=182),
    first_embed_dim=32,
    first_n_embed=24,
    cond_embed_dim=32,
    cond_n_embed=20,
    vocab_size=24,
    block_size=32,  # a 4x4 window: 2*16 positions
    n_layer=2,
    n_head=2,
    n_embd=32,
)


def _resnet(prefix: str, c_in: int, c_out: int) -> list[tuple[str, Shape]]:
    keys = [
        (f"{prefix}.norm1.weight", (c_in,)), (f"{prefix}.norm1.bias", (c_in,)),
        (f"{prefix}.conv1.weight", (c_out, c_in, 3, 3)), (f"{prefix}.conv1.bias", (c_out,)),
        (f"{prefix}.norm2.weight", (c_out,)), (f"{prefix}.norm2.bias", (c_out,)),
        (f"{prefix}.conv2.weight", (c_out, c_out, 3, 3)), (f"{prefix}.conv2.bias", (c_out,)),
    ]
    if c_in != c_out:
        keys += [(f"{prefix}.nin_shortcut.weight", (c_out, c_in, 1, 1)), (f"{prefix}.nin_shortcut.bias", (c_out,))]
    return keys


def _attention(prefix: str, c: int) -> list[tuple[str, Shape]]:
    keys = [(f"{prefix}.norm.weight", (c,)), (f"{prefix}.norm.bias", (c,))]
    for name in ("q", "k", "v", "proj_out"):
        keys += [(f"{prefix}.{name}.weight", (c, c, 1, 1)), (f"{prefix}.{name}.bias", (c,))]
    return keys


def _mid(prefix: str, c: int) -> list[tuple[str, Shape]]:
    return _resnet(f"{prefix}.block_1", c, c) + _attention(f"{prefix}.attn_1", c) + _resnet(f"{prefix}.block_2", c, c)


def vqgan_key_shapes(dd: DDConfig, embed_dim: int, n_embed: int) -> list[tuple[str, Shape]]:
    """Every parameter of a taming VQModel in state-dict order, with its shape."""
    keys: list[tuple[str, Shape]] = [("encoder.conv_in.weight", (dd.ch, dd.in_channels, 3, 3)), ("encoder.conv_in.bias", (dd.ch,))]
    levels = len(dd.ch_mult)
    widths = [dd.ch * m for m in dd.ch_mult]
    res = dd.resolution
    c = dd.ch
    for i in range(levels):
        for j in range(dd.num_res_blocks):
            keys += _resnet(f"encoder.down.{i}.block.{j}", c, widths[i])
            c = widths[i]
        if res in dd.attn_resolutions:
            for j in range(dd.num_res_blocks):
                keys += _attention(f"encoder.down.{i}.attn.{j}", c)
        if i != levels - 1:
            keys += [(f"encoder.down.{i}.downsample.conv.weight", (c, c, 3, 3)), (f"encoder.down.{i}.downsample.conv.bias", (c,))]
            res //= 2
    z_out = 2 * dd.z_channels if dd.double_z else dd.z_channels
    keys += _mid("encoder.mid", c)
    keys += [("encoder.norm_out.weight", (c,)), ("encoder.norm_out.bias", (c,)), ("encoder.conv_out.weight", (z_out, c, 3, 3)), ("encoder.conv_out.bias", (z_out,))]

    decoder: list[tuple[str, Shape]] = []
    c = widths[-1]
    decoder += [("decoder.conv_in.weight", (c, dd.z_channels, 3, 3)), ("decoder.conv_in.bias", (c,))]
    decoder += _mid("decoder.mid", c)
    res = dd.resolution // 2 ** (levels - 1)
    up: dict[int, list[tuple[str, Shape]]] = {}
    for i in reversed(range(levels)):
        level: list[tuple[str, Shape]] = []
        for j in range(dd.num_res_blocks + 1):
            level += _resnet(f"decoder.up.{i}.block.{j}", c, widths[i])
            c = widths[i]
        if res in dd.attn_resolutions:
            for j in range(dd.num_res_blocks + 1):
                level += _attention(f"decoder.up.{i}.attn.{j}", c)
        if i != 0:
            level += [(f"decoder.up.{i}.upsample.conv.weight", (c, c, 3, 3)), (f"decoder.up.{i}.upsample.conv.bias", (c,))]
            res *= 2
        up[i] = level
    for i in range(levels):  # ModuleList order: up.0 … up.N (built with insert(0, …))
        decoder += up[i]
    decoder += [("decoder.norm_out.weight", (c,)), ("decoder.norm_out.bias", (c,)), ("decoder.conv_out.weight", (dd.out_ch, c, 3, 3)), ("decoder.conv_out.bias", (dd.out_ch,))]

    quant = [
        ("quantize.embedding.weight", (n_embed, embed_dim)),
        ("quant_conv.weight", (embed_dim, z_out, 1, 1)), ("quant_conv.bias", (embed_dim,)),
        ("post_quant_conv.weight", (dd.z_channels, embed_dim, 1, 1)), ("post_quant_conv.bias", (dd.z_channels,)),
    ]
    return keys + decoder + quant


def gpt_key_shapes(vocab: int, block: int, n_layer: int, n_embd: int) -> list[tuple[str, Shape]]:
    """Every tensor of taming's minGPT (including the attn.mask buffers) with its shape."""
    keys: list[tuple[str, Shape]] = [("pos_emb", (1, block, n_embd)), ("tok_emb.weight", (vocab, n_embd))]
    for n in range(n_layer):
        p = f"blocks.{n}"
        keys += [(f"{p}.ln1.weight", (n_embd,)), (f"{p}.ln1.bias", (n_embd,)), (f"{p}.ln2.weight", (n_embd,)), (f"{p}.ln2.bias", (n_embd,))]
        for name in ("key", "query", "value", "proj"):
            keys += [(f"{p}.attn.{name}.weight", (n_embd, n_embd)), (f"{p}.attn.{name}.bias", (n_embd,))]
        keys += [(f"{p}.attn.mask", (1, 1, block, block))]
        keys += [(f"{p}.mlp.0.weight", (4 * n_embd, n_embd)), (f"{p}.mlp.0.bias", (4 * n_embd,)), (f"{p}.mlp.2.weight", (n_embd, 4 * n_embd)), (f"{p}.mlp.2.bias", (n_embd,))]
    keys += [("ln_f.weight", (n_embd,)), ("ln_f.bias", (n_embd,)), ("head.weight", (vocab, n_embd))]
    return keys


def _random_tensor(key: str, shape: Shape, generator: torch.Generator) -> torch.Tensor:
    if key.endswith("attn.mask"):
        return torch.tril(torch.ones(shape[-1], shape[-1])).view(shape)
    if key.endswith("norm1.weight") or key.endswith("norm2.weight") or key.endswith("norm.weight") or key.endswith("norm_out.weight") or ".ln" in key and key.endswith("weight"):
        return 1.0 + 0.1 * torch.randn(shape, generator=generator)
    if key.endswith("embedding.weight"):
        return torch.randn(shape, generator=generator)  # spread codes: varied tokens
    fan_in = 1
    for s in shape[1:]:
        fan_in *= s
    scale = (1.0 / max(fan_in, 1)) ** 0.5 if len(shape) > 1 else 0.05
    return scale * torch.randn(shape, generator=generator)


def official_state_dict(config: FakeTamingConfig = SMALL, seed: int = 0, with_loss_keys: bool = True) -> "OrderedDict[str, torch.Tensor]":
    """A Net2NetTransformer state dict: first_stage_model.*, cond_stage_model.*, transformer.*."""
    generator = torch.Generator().manual_seed(seed)
    state: "OrderedDict[str, torch.Tensor]" = OrderedDict()
    parts = [
        ("first_stage_model", vqgan_key_shapes(config.first_stage, config.first_embed_dim, config.first_n_embed)),
        ("cond_stage_model", vqgan_key_shapes(config.cond_stage, config.cond_embed_dim, config.cond_n_embed)),
        ("transformer", gpt_key_shapes(config.vocab_size, config.block_size, config.n_layer, config.n_embd)),
    ]
    for prefix, keys in parts:
        for key, shape in keys:
            state[f"{prefix}.{key}"] = _random_tensor(key, shape, generator)
    if with_loss_keys:
        # What a VQGAN trained with LPIPS + discriminator carries and inference never uses.
        state["first_stage_model.loss.logvar"] = torch.zeros(())
        state["first_stage_model.loss.perceptual_loss.scaling_layer.shift"] = torch.randn(1, 3, 1, 1, generator=generator)
        state["first_stage_model.loss.discriminator.main.0.weight"] = torch.randn(8, 3, 4, 4, generator=generator)
        state["cond_stage_model.colorize"] = torch.randn(3, config.cond_stage.in_channels, 1, 1, generator=generator)
    return state


class _ClassReference:
    """Marker for "pickle the class pytorch_lightning…ModelCheckpoint here" (the module is absent)."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __hash__(self) -> int:
        return hash((self.module, self.name))


MODEL_CHECKPOINT = _ClassReference("pytorch_lightning.callbacks.model_checkpoint", "ModelCheckpoint")


class _LightningPickler(pickle._Pickler):  # the pure-Python pickler lets us write a GLOBAL by hand
    def save(self, obj: Any, save_persistent_id: bool = True) -> None:
        if isinstance(obj, _ClassReference):
            memo = self.memo.get(id(obj))
            if memo is not None:
                self.write(self.get(memo[0]))
                return
            self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("ascii"))
            self.memoize(obj)
            return
        super().save(obj, save_persistent_id)


def _pickle_module() -> types.SimpleNamespace:
    def dump(obj: Any, file: Any, protocol: int = 2) -> None:
        _LightningPickler(file, protocol=protocol).dump(obj)

    return types.SimpleNamespace(Pickler=_LightningPickler, dump=dump, __name__="lightning_like_pickle")


def lightning_checkpoint(state_dict: "OrderedDict[str, torch.Tensor]", global_step: int = 123456, extra: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """The top-level dict Lightning 1.0.8 saved, around a state dict."""
    some_param = next(iter(state_dict.values()))
    root: dict[str, Any] = {
        "epoch": 41,
        "global_step": global_step,
        "pytorch-lightning_version": "1.0.8",
        "callbacks": {MODEL_CHECKPOINT: {"monitor": None, "best_model_score": None, "best_model_path": "", "current_score": None, "dirpath": "logs/x/checkpoints"}},
        "optimizer_states": [
            {
                "state": {0: {"step": 10, "exp_avg": torch.zeros_like(some_param), "exp_avg_sq": torch.zeros_like(some_param)}},
                "param_groups": [{"lr": 4.5e-6, "betas": (0.9, 0.95), "eps": 1e-8, "weight_decay": 0.01, "amsgrad": False, "params": [0]}],
            }
        ],
        "lr_schedulers": [],
        "state_dict": state_dict,
    }
    if extra:
        root.update(extra)
    return root


def save_lightning_checkpoint(root: dict[str, Any], path: Path, legacy_format: bool = False) -> Path:
    torch.save(root, path, pickle_module=_pickle_module(), _use_new_zipfile_serialization=not legacy_format)
    return path


def write_fake_checkpoint(
    path: Path,
    config: FakeTamingConfig = SMALL,
    seed: int = 0,
    legacy_format: bool = False,
    edit_state: Optional[Callable[["OrderedDict[str, torch.Tensor]"], None]] = None,
    extra: Optional[dict[str, Any]] = None,
) -> Path:
    state = official_state_dict(config, seed)
    if edit_state is not None:
        edit_state(state)
    return save_lightning_checkpoint(lightning_checkpoint(state, extra=extra), path, legacy_format)


def _ddconfig_dict(dd: DDConfig) -> dict[str, Any]:
    return {
        "double_z": dd.double_z, "z_channels": dd.z_channels, "resolution": dd.resolution, "in_channels": dd.in_channels,
        "out_ch": dd.out_ch, "ch": dd.ch, "ch_mult": list(dd.ch_mult), "num_res_blocks": dd.num_res_blocks,
        "attn_resolutions": list(dd.attn_resolutions), "dropout": dd.dropout,
    }


def project_yaml(config: FakeTamingConfig = SMALL) -> dict[str, Any]:
    """The merged project config taming's main.py writes next to the checkpoints (S-FLCKR layout)."""
    return {
        "model": {
            "base_learning_rate": 4.5e-06,
            "target": "taming.models.cond_transformer.Net2NetTransformer",
            "params": {
                "first_stage_key": "image",
                "cond_stage_key": "segmentation",
                "transformer_config": {
                    "target": "taming.modules.transformer.mingpt.GPT",
                    "params": {"vocab_size": config.vocab_size, "block_size": config.block_size, "n_layer": config.n_layer, "n_head": config.n_head, "n_embd": config.n_embd},
                },
                "first_stage_config": {
                    "target": "taming.models.vqgan.VQModel",
                    "params": {"embed_dim": config.first_embed_dim, "n_embed": config.first_n_embed, "ddconfig": _ddconfig_dict(config.first_stage), "lossconfig": {"target": "taming.modules.losses.DummyLoss"}},
                },
                "cond_stage_config": {
                    "target": "taming.models.vqgan.VQModel",
                    "params": {"embed_dim": config.cond_embed_dim, "n_embed": config.cond_n_embed, "image_key": "segmentation", "ddconfig": _ddconfig_dict(config.cond_stage), "lossconfig": {"target": "taming.modules.losses.DummyLoss"}},
                },
            },
        },
        "data": {"target": "main.DataModuleFromConfig", "params": {"batch_size": 1, "validation": {"target": "taming.data.sflckr.Examples"}}},
    }


def write_project_yaml(path: Path, config: FakeTamingConfig = SMALL, edit: Optional[Callable[[dict[str, Any]], None]] = None) -> Path:
    data = project_yaml(config)
    if edit is not None:
        edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
