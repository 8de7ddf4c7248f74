"""The transformer graph with an in-place KV cache addressed by position (the engine's `positions`
cache kind): what all three samplers run on, including `parallel`, which decodes several token rows
at once and so needs new tokens at non-contiguous positions over a cache whose earlier slots are not
all filled (docs/SAMPLING.md, "parallel").

The cache is one buffer of fixed capacity C per layer, as in the `in-place` kind
(inplace_cache_graph.py), but a slot's index is the position of the token it holds, and which slots
hold keys is a mask, not a prefix length:

  inputs:  input_ids int64 [B,S], position_ids int64 [B,S] (each < the block size),
           key_valid int64 [B,C] (1: the slot holds a key that may be attended),
           past_key_{i}/past_value_{i} float32 [B,heads,C,head_dim]  (C may be 0: a plain forward)
  outputs: logits [B,S,vocab], new_key_{i}/new_value_{i} [B,heads,S,head_dim]

New token t attends to cache slots j with key_valid[j] = 1 and j < position_ids[t], and to new
tokens s with position_ids[s] ≤ position_ids[t] (causal by position). With contiguous positions
P..P+S-1 and key_valid = [j < P] this is exactly the in-place graph's attention, computed by the same
operations in the same order, so `exact` and `cached` give the same logits on either kind. The engine
writes the new keys and values into the slots named by their positions. Plain ONNX operators only
(Gather, MatMul, Where, Softmax, comparisons), no contrib ops: it runs on the CPU, WASM and WebGPU
execution providers.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .gpt import GPT
from .inplace_cache_graph import _attend

TENSOR_NAMES_POSITIONS = {
    "inputIds": "input_ids",
    "logits": "logits",
    "positionIds": "position_ids",
    "keyValid": "key_valid",
    "pastKey": "past_key_{i}",
    "pastValue": "past_value_{i}",
    "presentKey": "new_key_{i}",
    "presentValue": "new_value_{i}",
}


def positions_forward(model: GPT, input_ids: torch.Tensor, position_ids: torch.Tensor, key_valid: torch.Tensor, past_flat: tuple[torch.Tensor, ...] | list[torch.Tensor]) -> tuple[torch.Tensor, ...]:
    """(logits, new_k0, new_v0, ...): the graph's computation, also run eagerly by the Python
    reference sampler (training/parallel_sampler.py) so both sides share one definition."""
    capacity = past_flat[0].shape[2]
    x = model.tok_emb(input_ids) + F.embedding(position_ids, model.pos_emb[0])
    # Unsqueeze, not view/reshape: an ONNX Reshape reads a 0 in its target shape as "keep this
    # dimension", so a zero-capacity cache (a plain forward) would break a traced view.
    slots = torch.arange(capacity, dtype=torch.int64).unsqueeze(0).unsqueeze(0)  # [1,1,C]
    query_positions = position_ids.unsqueeze(2)  # [B,S,1]
    cache_valid = ((key_valid.unsqueeze(1) > 0) & (slots < query_positions)).unsqueeze(1)  # [B,1,S,C]
    causal = (position_ids.unsqueeze(1) <= query_positions).unsqueeze(1)  # [B,1,S,S]
    out: list[torch.Tensor] = []
    for i, block in enumerate(model.blocks):
        x, k, v = _attend(block, x, past_flat[2 * i], past_flat[2 * i + 1], cache_valid, causal)
        out += [k, v]
    return (model.head(model.ln_f(x)), *out)


class PositionsCacheTransformerGraph(nn.Module):
    """Flat I/O: (input_ids, position_ids, key_valid, k0, v0, k1, v1, ...) → (logits, new_k0, new_v0, ...)."""

    def __init__(self, model: GPT) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, position_ids: torch.Tensor, key_valid: torch.Tensor, *past_flat: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return positions_forward(self.model, input_ids, position_ids, key_valid, past_flat)
