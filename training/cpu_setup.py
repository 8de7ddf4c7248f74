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


JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"


def reexec_with_jemalloc(module: str, retain: bool = True) -> None:
    """Restarts this CLI (`python3 -m module …`) under jemalloc when it is installed and not loaded.

    glibc serves every allocation over 32 MB (the transformer's attention scores, full-size conv
    activations) with a fresh mmap that page-faults in on first touch: a GPT training step took 21 s
    with glibc and 2.8 s with jemalloc set never to return memory (measured here). Set
    TESSERA_JEMALLOC=0 to opt out. retain=False keeps jemalloc's default decay (memory goes back to
    the system): only for a process whose live memory swings by gigabytes, because it is slow — a
    256 px VQGAN encode+decode took 3.8 s with it, 1.4 s with glibc and 0.35 s retaining."""
    import sys

    preload = os.environ.get("LD_PRELOAD", "")
    if os.environ.get("TESSERA_JEMALLOC", "1") == "0" or "jemalloc" in preload or not os.path.exists(JEMALLOC):
        return
    env = dict(os.environ, LD_PRELOAD=f"{JEMALLOC} {preload}".strip())
    if retain:
        env["MALLOC_CONF"] = "dirty_decay_ms:-1,muzzy_decay_ms:-1"
    os.execve(sys.executable, [sys.executable, "-m", module, *sys.argv[1:]], env)
