"""Process setup for the CLIs on a small shared CPU box (see shared reference training-measured.md).

OPENBLAS_NUM_THREADS must be set before numpy/torch load OpenBLAS, so each CLI module imports this
module first; OpenBLAS threads otherwise fight torch's OpenMP pool (GPT steps get ~2x slower).
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def configure_torch_threads(threads: int = 2) -> None:
    """Debian's torch defaults to one intra-op thread; two cores give ~1.5x on these models."""
    import torch

    torch.set_num_threads(threads)
