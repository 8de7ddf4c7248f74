"""Taming's VQGAN encoder and decoder, rebuilt from the architecture notes with the same module
names (encoder.down.{i}.block.{j}.conv1, decoder.up.{i}.attn.{j}.q, ...) so that official state
dicts load with strict=True. The network is fully convolutional: any input size divisible by the
downsampling factor works, whatever the nominal `resolution` used to place attention.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn


class GroupNorm32(nn.GroupNorm):
    """GroupNorm computed in float32.

    Under CPU bf16 autocast (torch 1.13) nn.GroupNorm fails with a dtype mismatch between the bf16
    activations and the fp32 affine parameters; normalising in fp32 also keeps the statistics
    accurate. The output goes back to the input's dtype so the next conv still runs in bf16.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dtype == torch.float32:
            return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)
        return F.group_norm(x.float(), self.num_groups, self.weight, self.bias, self.eps).to(x.dtype)


def make_norm(channels: int, groups: int) -> GroupNorm32:
    if channels % groups != 0:
        raise ValueError(f"GroupNorm needs channels divisible by groups: {channels} channels, {groups} groups")
    return GroupNorm32(num_groups=groups, num_channels=channels, eps=1e-6, affine=True)


def swish(x: torch.Tensor) -> torch.Tensor:
    return x * torch.sigmoid(x)


class ResnetBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, groups: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.norm1 = make_norm(in_channels, groups)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.norm2 = make_norm(out_channels, groups)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        # Taming's 1x1 skip projection when the width changes (the 3x3 variant is never enabled).
        self.nin_shortcut = nn.Conv2d(in_channels, out_channels, 1) if in_channels != out_channels else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv1(swish(self.norm1(x)))
        h = self.conv2(self.dropout(swish(self.norm2(h))))
        skip = self.nin_shortcut(x) if self.nin_shortcut is not None else x
        return skip + h


class AttnBlock(nn.Module):
    """Single-head, non-causal self-attention over all H*W positions (1x1 conv projections)."""

    def __init__(self, channels: int, groups: int) -> None:
        super().__init__()
        self.norm = make_norm(channels, groups)
        self.q = nn.Conv2d(channels, channels, 1)
        self.k = nn.Conv2d(channels, channels, 1)
        self.v = nn.Conv2d(channels, channels, 1)
        self.proj_out = nn.Conv2d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.norm(x)
        q, k, v = self.q(h), self.k(h), self.v(h)
        b, c, height, width = q.shape
        q = q.reshape(b, c, height * width).permute(0, 2, 1)  # (b, hw, c)
        k = k.reshape(b, c, height * width)  # (b, c, hw)
        weights = torch.softmax(torch.bmm(q, k) * (int(c) ** -0.5), dim=2)  # (b, hw_query, hw_key)
        v = v.reshape(b, c, height * width)
        out = torch.bmm(v, weights.permute(0, 2, 1)).reshape(b, c, height, width)
        return x + self.proj_out(out)


class Downsample(nn.Module):
    """Zero-pad right and bottom by one, then a stride-2 3x3 conv: floor(H/2) for any H (taming's layout)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, padding=0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.pad(x, (0, 1, 0, 1)))


class Upsample(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class _Level(nn.Module):
    """One resolution level; a plain container so the state-dict keys read down.{i}.block.{j}."""

    def __init__(self) -> None:
        super().__init__()
        self.block = nn.ModuleList()
        self.attn = nn.ModuleList()


class _Mid(nn.Module):
    def __init__(self, channels: int, groups: int, dropout: float, attention: bool = True) -> None:
        super().__init__()
        self.block_1 = ResnetBlock(channels, channels, groups, dropout)
        # Without attention the network is fully convolutional: a model trained on small crops then
        # behaves the same on a whole canvas (global attention trained on 8x8 latents does not).
        self.attn_1: nn.Module = AttnBlock(channels, groups) if attention else nn.Identity()
        self.block_2 = ResnetBlock(channels, channels, groups, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block_2(self.attn_1(self.block_1(x)))


class Encoder(nn.Module):
    def __init__(
        self,
        *,
        ch: int,
        ch_mult: Sequence[int],
        num_res_blocks: int,
        attn_resolutions: Sequence[int],
        in_channels: int,
        resolution: int,
        z_channels: int,
        norm_groups: int = 32,
        dropout: float = 0.0,
        mid_attention: bool = True,
    ) -> None:
        super().__init__()
        self.num_levels = len(ch_mult)
        self.conv_in = nn.Conv2d(in_channels, ch, 3, padding=1)
        in_ch_mult = (1, *ch_mult)
        current_res = resolution  # nominal: only decides where attention goes
        self.down = nn.ModuleList()
        block_in = ch
        for i in range(self.num_levels):
            level = _Level()
            block_in = ch * in_ch_mult[i]
            block_out = ch * ch_mult[i]
            for _ in range(num_res_blocks):
                level.block.append(ResnetBlock(block_in, block_out, norm_groups, dropout))
                block_in = block_out
                if current_res in attn_resolutions:
                    level.attn.append(AttnBlock(block_in, norm_groups))
            if i != self.num_levels - 1:
                level.downsample = Downsample(block_in)
                current_res //= 2
            self.down.append(level)
        self.mid = _Mid(block_in, norm_groups, dropout, mid_attention)
        self.norm_out = make_norm(block_in, norm_groups)
        self.conv_out = nn.Conv2d(block_in, z_channels, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv_in(x)
        for i, level in enumerate(self.down):
            for j, block in enumerate(level.block):
                h = block(h)
                if len(level.attn) > 0:
                    h = level.attn[j](h)
            if i != self.num_levels - 1:
                h = level.downsample(h)
        h = self.mid(h)
        return self.conv_out(swish(self.norm_out(h)))


class Decoder(nn.Module):
    def __init__(
        self,
        *,
        ch: int,
        ch_mult: Sequence[int],
        num_res_blocks: int,
        attn_resolutions: Sequence[int],
        out_channels: int,
        resolution: int,
        z_channels: int,
        norm_groups: int = 32,
        dropout: float = 0.0,
        mid_attention: bool = True,
    ) -> None:
        super().__init__()
        self.num_levels = len(ch_mult)
        block_in = ch * ch_mult[-1]
        current_res = resolution // 2 ** (self.num_levels - 1)
        self.conv_in = nn.Conv2d(z_channels, block_in, 3, padding=1)
        self.mid = _Mid(block_in, norm_groups, dropout, mid_attention)
        levels: list[nn.Module] = []
        for i in reversed(range(self.num_levels)):
            level = _Level()
            block_out = ch * ch_mult[i]
            for _ in range(num_res_blocks + 1):
                level.block.append(ResnetBlock(block_in, block_out, norm_groups, dropout))
                block_in = block_out
                if current_res in attn_resolutions:
                    level.attn.append(AttnBlock(block_in, norm_groups))
            if i != 0:
                level.upsample = Upsample(block_in)
                current_res *= 2
            levels.insert(0, level)  # taming's insert(0, ...): up.{i} matches encoder level i
        self.up = nn.ModuleList(levels)
        self.norm_out = make_norm(block_in, norm_groups)
        self.conv_out = nn.Conv2d(block_in, out_channels, 3, padding=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.mid(self.conv_in(z))
        for i in reversed(range(self.num_levels)):
            level = self.up[i]
            for j, block in enumerate(level.block):
                h = block(h)
                if len(level.attn) > 0:
                    h = level.attn[j](h)
            if i != 0:
                h = level.upsample(h)
        return self.conv_out(swish(self.norm_out(h)))
