"""The latent transformer: minGPT with taming's parameter names and a KV cache.

tok_emb, pos_emb (1, block, n_embd), drop, blocks.N.{ln1, ln2, attn.{key,query,value,proj}, mlp.0,
mlp.2}, ln_f, head (no bias); `attn.mask` is a registered causal-mask buffer as in taming. Cond and
image tokens share one embedding table with no offset (taming's convention), so vocab_size is
max(image codebook, cond codebook).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Optional

import torch
import torch.nn.functional as F
from torch import nn

# A layer's cache: (key, value), each (B, heads, P, head_dim).
LayerCache = tuple[torch.Tensor, torch.Tensor]


@dataclass(frozen=True)
class GPTConfig:
    vocab_size: int = 1024
    block_size: int = 512
    n_layer: int = 24
    n_head: int = 16
    n_embd: int = 1024
    embd_pdrop: float = 0.0
    resid_pdrop: float = 0.0
    attn_pdrop: float = 0.0
    init_std: float = 0.02  # minGPT's N(0, 0.02); the fixture uses a larger value for decisive logits

    def __post_init__(self) -> None:
        if self.n_embd % self.n_head != 0:
            raise ValueError(f"n_embd {self.n_embd} is not divisible by n_head {self.n_head}")

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head

    @staticmethod
    def from_dict(values: dict[str, Any]) -> "GPTConfig":
        known = {f.name for f in dataclasses.fields(GPTConfig)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown GPT config keys: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        return GPTConfig(**values)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class CausalSelfAttention(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.n_head = config.n_head
        self.key = nn.Linear(config.n_embd, config.n_embd)
        self.query = nn.Linear(config.n_embd, config.n_embd)
        self.value = nn.Linear(config.n_embd, config.n_embd)
        self.attn_drop = nn.Dropout(config.attn_pdrop)
        self.resid_drop = nn.Dropout(config.resid_pdrop)
        self.proj = nn.Linear(config.n_embd, config.n_embd)
        mask = torch.tril(torch.ones(config.block_size, config.block_size))
        self.register_buffer("mask", mask.view(1, 1, config.block_size, config.block_size))

    def forward(self, x: torch.Tensor, past: Optional[LayerCache] = None) -> tuple[torch.Tensor, LayerCache]:
        b, s, c = x.shape
        hd = c // self.n_head

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(b, s, self.n_head, hd).transpose(1, 2)  # (b, heads, s, hd)

        k, q, v = heads(self.key(x)), heads(self.query(x)), heads(self.value(x))
        if past is not None:
            k = torch.cat([past[0].to(k.dtype), k], dim=2)
            v = torch.cat([past[1].to(v.dtype), v], dim=2)
        total = k.shape[2]
        start = total - s  # = P, the number of cached positions
        scores = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
        # Rows P..P+S-1 of the causal mask: new token t sees all cached positions and new tokens ≤ t.
        scores = scores.masked_fill(self.mask[:, :, start:total, :total] == 0, float("-inf"))
        weights = self.attn_drop(F.softmax(scores.float(), dim=-1).to(v.dtype))
        y = torch.matmul(weights, v).transpose(1, 2).contiguous().view(b, s, c)
        return self.resid_drop(self.proj(y)), (k, v)


class Block(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(config.n_embd)
        self.ln2 = nn.LayerNorm(config.n_embd)
        self.attn = CausalSelfAttention(config)
        self.mlp = nn.Sequential(
            nn.Linear(config.n_embd, 4 * config.n_embd),
            nn.GELU(),
            nn.Linear(4 * config.n_embd, config.n_embd),
            nn.Dropout(config.resid_pdrop),
        )

    def forward(self, x: torch.Tensor, past: Optional[LayerCache] = None) -> tuple[torch.Tensor, LayerCache]:
        attended, present = self.attn(self.ln1(x), past)
        x = x + attended
        return x + self.mlp(self.ln2(x)), present


class GPT(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.config = config
        self.tok_emb = nn.Embedding(config.vocab_size, config.n_embd)
        self.pos_emb = nn.Parameter(torch.zeros(1, config.block_size, config.n_embd))
        self.drop = nn.Dropout(config.embd_pdrop)
        self.blocks = nn.Sequential(*[Block(config) for _ in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(config.n_embd)
        self.head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.apply(self._init_weights)

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            module.weight.data.normal_(mean=0.0, std=self.config.init_std)
            if isinstance(module, nn.Linear) and module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)

    def forward(
        self, idx: torch.Tensor, past: Optional[list[LayerCache]] = None
    ) -> tuple[torch.Tensor, list[LayerCache]]:
        """Logits (B, S, vocab) for tokens idx (B, S) at positions P..P+S-1, and each layer's new cache.

        `past` holds P cached positions per layer (None or P=0: the plain full forward).
        """
        s = idx.shape[1]
        p = 0 if past is None else past[0][0].shape[2]
        if not torch.jit.is_tracing() and not torch.onnx.is_in_onnx_export() and p + s > self.config.block_size:
            raise ValueError(f"{p + s} positions exceed the block size {self.config.block_size}")
        x = self.drop(self.tok_emb(idx) + self.pos_emb[:, p : p + s, :])
        presents = []
        for i, block in enumerate(self.blocks):
            x, present = block(x, None if past is None else past[i])
            presents.append(present)
        return self.head(self.ln_f(x)), presents

    def optimizer_groups(self, weight_decay: float) -> list[dict[str, Any]]:
        """minGPT's split: decay on Linear weights only; biases, LayerNorm, embeddings and pos_emb are not decayed."""
        decay, no_decay = [], []
        for module_name, module in self.named_modules():
            for name, param in module.named_parameters(recurse=False):
                if isinstance(module, nn.Linear) and name == "weight":
                    decay.append(param)
                else:
                    no_decay.append(param)
        return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
