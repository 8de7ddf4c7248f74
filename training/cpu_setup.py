"""Process setup for the CLIs on a small shared CPU box (see shared reference training-measured.md).

OPENBLAS_NUM_THREADS must be set before numpy/torch load OpenBLAS, so each CLI module imports this
module first; OpenBLAS threads otherwise fight torch's OpenMP pool (GPT steps get ~2x slower).
"""
from __future__ import annotations

import os
from typing import Mapping

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def configure_torch_threads(threads: int = 2) -> None:
    """Debian's torch defaults to one intra-op thread; two cores give ~1.5x on these models."""
    import torch

    torch.set_num_threads(threads)


JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
RETAIN_CONF = "dirty_decay_ms:-1,muzzy_decay_ms:-1"  # jemalloc never returns memory to the system


def reexec_with_jemalloc(module: str) -> None:
    """Restarts this CLI (`python3 -m module …`) under jemalloc, set never to return memory, when it
    is installed and not loaded.

    glibc serves every allocation over 32 MB (the transformer's attention scores, full-size conv
    activations) with a fresh mmap that page-faults in on first touch: a GPT training step took 21 s
    with glibc and 2.8 s with jemalloc keeping its memory (measured here). jemalloc's default decay
    (memory goes back to the system) is slow too: a 256 px VQGAN encode+decode took 3.8 s with it,
    1.4 s with glibc and 0.35 s keeping memory. So the callers work on one scene or batch at a time
    and what is kept stays small. Set TESSERA_JEMALLOC=0 to opt out."""
    import sys

    preload = os.environ.get("LD_PRELOAD", "")
    if os.environ.get("TESSERA_JEMALLOC", "1") == "0" or "jemalloc" in preload:
        return
    if not os.path.exists(JEMALLOC):
        # Not an error (the results are the same), but a GPT step is ~7x slower without it.
        print(f"note: {JEMALLOC} is not installed, so this runs on glibc's allocator, several times slower "
              "on large models: apt-get install libjemalloc2 (TESSERA_JEMALLOC=0 silences this)", file=sys.stderr)
        return
    env = dict(os.environ, LD_PRELOAD=f"{JEMALLOC} {preload}".strip(), MALLOC_CONF=RETAIN_CONF)
    os.execve(sys.executable, [sys.executable, "-m", module, *sys.argv[1:]], env)


def without_jemalloc(env: Mapping[str, str]) -> dict[str, str]:
    """`env` for a child process that is not PyTorch (Tessera's engine: node + onnxruntime), without
    the jemalloc that reexec_with_jemalloc preloaded. Inherited, it made the engine 5x slower
    (measured: 7 s against 1.5 s per 128 px layout, a third of it in the kernel)."""
    out = dict(env)
    rest = [p for p in out.get("LD_PRELOAD", "").split() if p != JEMALLOC]
    if rest:
        out["LD_PRELOAD"] = " ".join(rest)
    else:
        out.pop("LD_PRELOAD", None)
    if out.get("MALLOC_CONF") == RETAIN_CONF:
        del out["MALLOC_CONF"]
    return out
