"""Training checkpoints: written atomically (temp file + rename) and refused on resume when they
come from another configuration."""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from . import safe_serialization
from .run_config import config_differences

CHECKPOINT_FORMAT = "tessera-checkpoint"


class CheckpointMismatch(ValueError):
    pass


def save_checkpoint(path: str | Path, payload: dict[str, Any]) -> None:
    """Writes next to the target and renames, so a crash never leaves a half-written last.ckpt."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            safe_serialization.save({"format": CHECKPOINT_FORMAT, **payload}, f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; keep the usual permissions
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def load_checkpoint(path: str | Path, expected_stage: str | None = None) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        # Tensors + JSON only (weights_only load): opening a checkpoint from elsewhere cannot run code.
        payload = safe_serialization.load(path)
    except Exception as exc:
        raise ValueError(f"{path} is not a readable Tessera checkpoint ({exc})") from exc
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path} is not a Tessera training checkpoint (format field missing)")
    if expected_stage is not None and payload.get("stage") != expected_stage:
        raise CheckpointMismatch(f"{path} is a {payload.get('stage')!r} checkpoint, but this run trains {expected_stage!r}")
    return payload


def check_resumable(payload: dict[str, Any], stage: str, run_config: dict[str, Any], path: str | Path) -> None:
    """Refuses to resume from a checkpoint of another stage or configuration, naming what differs."""
    if payload.get("stage") != stage:
        raise CheckpointMismatch(f"cannot resume: {path} is a {payload.get('stage')!r} checkpoint, this run trains {stage!r}")
    diffs = config_differences(payload.get("config", {}), run_config)
    if diffs:
        raise CheckpointMismatch(
            f"cannot resume: {path} was trained with another configuration (differs in: {', '.join(diffs[:8])}). "
            "Use a new --out folder, or the config the checkpoint was made with."
        )


def resume_payload(resume: str | None, ckpt_path: Path, stage: str, run_config: dict[str, Any]) -> dict[str, Any] | None:
    """The checkpoint to resume from (`--resume`: "auto" for `ckpt_path`, or a path), checked
    against this run's config; None for a fresh run, which refuses to overwrite `ckpt_path`."""
    if resume:
        resume_from = ckpt_path if resume == "auto" else Path(resume)
        payload = load_checkpoint(resume_from)
        if payload.get("weights_only"):
            raise CheckpointMismatch(f"cannot resume from {resume_from}: it holds weights only (training.slim_checkpoint), not the optimiser state")
        check_resumable(payload, stage, run_config, resume_from)
        return payload
    if ckpt_path.exists():
        raise FileExistsError(f"{ckpt_path} exists: pass --resume to continue that run, or choose another --out")
    return None


# What a run needs to continue but a trained model does not: optimiser moments, the GAN's
# discriminator, RNG states and dead-code counters (about two thirds of a VQGAN checkpoint).
TRAINING_ONLY_KEYS = ("opt_ae", "opt_d", "discriminator", "optimizer", "code_counts", "torch_rng", "numpy_rng")


def weights_only(payload: dict[str, Any]) -> dict[str, Any]:
    """The checkpoint without its training-only state: it still exports, evaluates and encodes, and
    `--init-from` starts new runs from it, but it cannot `--resume` (it says so)."""
    slim = {k: v for k, v in payload.items() if k not in TRAINING_ONLY_KEYS and k != "format"}
    slim["weights_only"] = True
    return slim


class CheckpointSchedule:
    """When a training loop writes last.ckpt: every `every` steps, at the last step, and whenever
    `minutes` have passed since the last write. The time rule matters on slow machines: a GPU
    config's `checkpoint_every: 1000` is a minute there but hours on a 2-core CPU, where a session
    that ends would otherwise lose everything since the last multiple."""

    def __init__(self, every: int, minutes: float | None = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        if minutes is not None and minutes <= 0:
            raise ValueError(f"--checkpoint-minutes must be positive (got {minutes})")
        self.every, self.seconds, self.clock = every, None if minutes is None else 60.0 * minutes, clock
        self.last = clock()

    def due(self, step: int, total: int) -> bool:
        now = self.clock()
        if step % self.every == 0 or step == total or (self.seconds is not None and now - self.last >= self.seconds):
            self.last = now
            return True
        return False
