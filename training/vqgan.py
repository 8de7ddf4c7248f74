"""VQGAN (image) and segmentation VQGAN (cond stage) with taming's module names.

Only encoder, decoder, quantize, quant_conv and post_quant_conv live here, so an official
checkpoint's state dict (minus its `loss.*` keys) loads with strict=True. The training losses are
separate modules (training.losses).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from .autoencoder import Decoder, Encoder
from .vector_quantizer import QuantizerOutput, VectorQuantizer


@dataclass(frozen=True)
class VQGANConfig:
    ch: int = 128
    ch_mult: tuple[int, ...] = (1, 1, 2, 2, 4)
    num_res_blocks: int = 2
    attn_resolutions: tuple[int, ...] = (16,)
    resolution: int = 256  # nominal, only used to place attention (as in taming)
    z_channels: int = 256
    embed_dim: int = 256
    n_embed: int = 1024
    in_channels: int = 3
    out_channels: int = 3
    norm_groups: int = 32
    dropout: float = 0.0
    beta: float = 0.25
    legacy_beta: bool = False
    # The mid-block self-attention of each half (taming always has it). Off makes that half fully
    # convolutional, so crop training transfers to whole canvases.
    encoder_mid_attention: bool = True
    decoder_mid_attention: bool = True

    @property
    def grid_factor(self) -> int:
        """Pixels per token side: 2^(levels-1)."""
        return 2 ** (len(self.ch_mult) - 1)

    @staticmethod
    def paper_f16(n_embed: int = 1024, channels: int = 3) -> "VQGANConfig":
        """The layout of every released f16 taming model (e.g. vqgan_imagenet_f16_1024; 182 channels for sflckr's cond stage)."""
        return VQGANConfig(n_embed=n_embed, in_channels=channels, out_channels=channels, legacy_beta=True)

    @staticmethod
    def from_dict(values: dict[str, Any]) -> "VQGANConfig":
        known = {f.name for f in dataclasses.fields(VQGANConfig)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown VQGAN config keys: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        converted = dict(values)
        for key in ("ch_mult", "attn_resolutions"):
            if key in converted:
                converted[key] = tuple(int(v) for v in converted[key])
        return VQGANConfig(**converted)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["ch_mult"] = list(self.ch_mult)
        out["attn_resolutions"] = list(self.attn_resolutions)
        # Taming's layout (attention on) is left implicit, so configs and checkpoints written before
        # these keys existed still compare equal (resume checks, reproducible bundles).
        for key in ("encoder_mid_attention", "decoder_mid_attention"):
            if out[key]:
                del out[key]
        return out


class VQModel(nn.Module):
    """encode(x) = quantize(quant_conv(encoder(x))); decode(z_q) = decoder(post_quant_conv(z_q))."""

    def __init__(self, config: VQGANConfig) -> None:
        super().__init__()
        self.config = config
        shared = dict(
            ch=config.ch,
            ch_mult=config.ch_mult,
            num_res_blocks=config.num_res_blocks,
            attn_resolutions=config.attn_resolutions,
            resolution=config.resolution,
            z_channels=config.z_channels,
            norm_groups=config.norm_groups,
            dropout=config.dropout,
        )
        self.encoder = Encoder(in_channels=config.in_channels, mid_attention=config.encoder_mid_attention, **shared)
        self.decoder = Decoder(out_channels=config.out_channels, mid_attention=config.decoder_mid_attention, **shared)
        self.quantize = VectorQuantizer(config.n_embed, config.embed_dim, config.beta, config.legacy_beta)
        self.quant_conv = nn.Conv2d(config.z_channels, config.embed_dim, 1)
        self.post_quant_conv = nn.Conv2d(config.embed_dim, config.z_channels, 1)

    def encode_latents(self, x: torch.Tensor) -> torch.Tensor:
        """Pre-quantisation latents (B, embed_dim, h, w)."""
        return self.quant_conv(self.encoder(x))

    def encode(self, x: torch.Tensor) -> QuantizerOutput:
        return self.quantize(self.encode_latents(x))

    def decode(self, z_q: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.post_quant_conv(z_q))

    def decode_tokens(self, tokens: torch.Tensor) -> torch.Tensor:
        """(B, h, w) int64 codes → decoder output (B, out_channels, H, W)."""
        return self.decode(self.quantize.lookup(tokens))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, QuantizerOutput]:
        quantized = self.encode(x)
        return self.decode(quantized.z_q), quantized

    @property
    def last_layer(self) -> torch.Tensor:
        """The weight the adaptive GAN weight is measured at (taming: decoder.conv_out.weight)."""
        return self.decoder.conv_out.weight


def labels_to_onehot(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(B, H, W) int64 class ids → (B, N, H, W) float one-hot.

    Written as a comparison against arange rather than F.one_hot so the exported cond encoder is a
    plain Equal + Cast in ONNX; out-of-range ids give an all-zero column (callers validate first).
    """
    classes = torch.arange(num_classes, dtype=labels.dtype, device=labels.device).reshape(1, num_classes, 1, 1)
    return (labels.unsqueeze(1) == classes).to(torch.float32)


def check_label_range(labels: torch.Tensor, num_classes: int, what: str = "label map") -> None:
    """Raises a clear error for class ids outside 0..N-1 (taming issue #25: an IndexError deep inside)."""
    if labels.numel() == 0:
        return
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= num_classes:
        bad = high if high >= num_classes else low
        raise ValueError(f"{what} contains class {bad}, but the model has {num_classes} classes (valid ids 0..{num_classes - 1})")


class SegmentationVQModel(VQModel):
    """The cond stage: a VQModel over one-hot label maps, N channels in and N logits out."""

    def __init__(self, config: VQGANConfig) -> None:
        if config.in_channels != config.out_channels:
            raise ValueError("a segmentation VQGAN has as many output logits as input classes")
        super().__init__(config)

    @property
    def num_classes(self) -> int:
        return self.config.in_channels

    def encode_labels(self, labels: torch.Tensor) -> QuantizerOutput:
        return self.encode(labels_to_onehot(labels, self.num_classes))
