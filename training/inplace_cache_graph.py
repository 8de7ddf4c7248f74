"""The transformer graph with a KV cache that stays in place (the engine's `in-place` cache kind).

The classic export (`present = concat(past, new)`) makes the engine copy the whole cache out of
onnxruntime and feed it back in every step: new buffers of up to 12 × 0.5 MB per token for the default
model, which measured ~3× slower than the attention itself. This graph takes the cache as a buffer of
fixed capacity plus `past_length`, the number of valid positions in it, and returns only the keys and
values of the S new positions; the engine writes those into its own preallocated buffer. Nothing
grows, so nothing is allocated per step, and the same buffers are fed every step.

  inputs:  input_ids int64 [B,S], past_length int64 [] (valid positions P ≤ capacity C),
           past_key_{i}/past_value_{i} float32 [B,heads,C,head_dim]  (C may be 0: a plain forward)
  outputs: logits [B,S,vocab], new_key_{i}/new_value_{i} [B,heads,S,head_dim]

New token t (position P+t) attends to cache slots j < P and to new tokens ≤ t: the same attention
as the classic graph, so the logits agree with GPT.forward to float rounding. Scores against the
cache and against the new tokens are computed separately and joined before the softmax, so the
capacity-sized cache is never concatenated with anything (no per-step copy inside the graph either).
"""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .gpt import GPT, Block

TENSOR_NAMES_IN_PLACE = {
    "inputIds": "input_ids",
    "logits": "logits",
    "pastLength": "past_length",
    "pastKey": "past_key_{i}",
    "pastValue": "past_value_{i}",
    "presentKey": "new_key_{i}",
    "presentValue": "new_value_{i}",
}


def _attend(block: Block, x: torch.Tensor, past_k: torch.Tensor, past_v: torch.Tensor, cache_valid: torch.Tensor, causal: torch.Tensor):
    attn = block.attn
    b, s, c = x.shape
    hd = c // attn.n_head

    def heads(t: torch.Tensor) -> torch.Tensor:
        return t.view(b, s, attn.n_head, hd).transpose(1, 2)

    h = block.ln1(x)
    k, q, v = heads(attn.key(h)), heads(attn.query(h)), heads(attn.value(h))
    scale = 1.0 / math.sqrt(hd)
    neg = torch.tensor(float("-inf"), dtype=torch.float32)
    past_scores = torch.where(cache_valid, torch.matmul(q, past_k.transpose(-2, -1)) * scale, neg)  # [B,H,S,C]
    new_scores = torch.where(causal, torch.matmul(q, k.transpose(-2, -1)) * scale, neg)  # [B,H,S,S]
    weights = F.softmax(torch.cat([past_scores, new_scores], dim=-1), dim=-1)
    capacity = past_k.shape[2]
    y = torch.matmul(weights[..., :capacity], past_v) + torch.matmul(weights[..., capacity:], v)
    y = y.transpose(1, 2).contiguous().view(b, s, c)
    x = x + attn.proj(y)
    x = x + block.mlp(block.ln2(x))
    return x, k, v


class InPlaceCacheTransformerGraph(nn.Module):
    """Flat I/O: (input_ids, past_length, k0, v0, k1, v1, ...) → (logits, new_k0, new_v0, ...)."""

    def __init__(self, model: GPT) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, past_length: torch.Tensor, *past_flat: torch.Tensor) -> tuple[torch.Tensor, ...]:
        m = self.model
        s = input_ids.shape[1]
        capacity = past_flat[0].shape[2]
        steps = torch.arange(s, dtype=torch.int64)
        positions = past_length + steps
        x = m.tok_emb(input_ids) + torch.index_select(m.pos_emb[0], 0, positions).unsqueeze(0)
        cache_valid = (torch.arange(capacity, dtype=torch.int64) < past_length).view(1, 1, 1, capacity)
        causal = (steps.view(s, 1) >= steps.view(1, s)).view(1, 1, s, s)
        out: list[torch.Tensor] = []
        for i, block in enumerate(m.blocks):
            x, k, v = _attend(block, x, past_flat[2 * i], past_flat[2 * i + 1], cache_valid, causal)
            out += [k, v]
        return (m.head(m.ln_f(x)), *out)
