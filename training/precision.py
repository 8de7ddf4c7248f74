"""bf16 autocast: the big speed lever on AVX512-BF16/AMX CPUs and on GPUs (GroupNorm and the
quantiser stay in fp32, see autoencoder.GroupNorm32 and VectorQuantizer.nearest_codes)."""
from __future__ import annotations

import contextlib
from typing import ContextManager, Union

import torch


def autocast_for(precision: str, device: Union[str, torch.device] = "cpu") -> ContextManager[object]:
    if precision == "bf16":
        return torch.autocast(torch.device(device).type, dtype=torch.bfloat16)
    if precision == "fp32":
        return contextlib.nullcontext()
    raise ValueError(f"precision must be 'bf16' or 'fp32' (got {precision!r})")
