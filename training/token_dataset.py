"""The pre-encoded token dataset (tokens.npz) and the GPT's training windows.

The GPT trains on k×k windows cropped at random positions from the larger token grids, the cond
window and the image window at the same place: exactly what the sliding-window sampler shows it.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np
import torch


def codebook_fingerprint(state_dict: dict[str, torch.Tensor]) -> str:
    """Short hash of a VQGAN's codebook: ties a GPT and its token dataset to the VQGANs that made them."""
    weight = state_dict["quantize.embedding.weight"].detach().float().contiguous().numpy()
    return hashlib.sha256(weight.tobytes()).hexdigest()[:16]


def save_npz_atomic(path: Path, **arrays: np.ndarray) -> None:
    """np.savez next to `path`, then rename: a crash never leaves a truncated file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".npz", dir=path.parent)
    os.close(fd)
    try:
        np.savez(tmp, **arrays)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600; keep the usual permissions
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@dataclass
class TokenDataset:
    image_tokens: np.ndarray  # (N, h, w) int16/int32
    cond_tokens: np.ndarray  # (N, h, w)
    meta: dict[str, Any]  # image_vocab, cond_vocab, grid_factor, classes, fingerprints, ...
    cell_classes: Optional[np.ndarray] = None  # (N, h, w) uint8: each token cell's majority class (training.class_balance)

    @property
    def grid(self) -> tuple[int, int]:
        return int(self.image_tokens.shape[1]), int(self.image_tokens.shape[2])

    def save(self, path: str | Path) -> None:
        extra = {} if self.cell_classes is None else {"cell_classes": self.cell_classes.astype(np.uint8)}
        save_npz_atomic(Path(path), image_tokens=self.image_tokens, cond_tokens=self.cond_tokens, meta=np.array(json.dumps(self.meta)), **extra)

    @staticmethod
    def load(path: str | Path) -> "TokenDataset":
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no token dataset at {path} (make one with python3 -m training.encode_tokens)")
        try:
            with np.load(path, allow_pickle=False) as data:
                image, cond, meta = data["image_tokens"], data["cond_tokens"], json.loads(str(data["meta"]))
                classes = data["cell_classes"] if "cell_classes" in data.files else None
        except Exception as exc:
            raise ValueError(f"{path} is not a readable token dataset ({exc})") from exc
        if image.shape != cond.shape or image.ndim != 3:
            raise ValueError(f"{path}: image tokens {image.shape} and cond tokens {cond.shape} must both be (N, h, w)")
        if image.size and (int(image.max()) >= meta["image_vocab"] or int(cond.max()) >= meta["cond_vocab"] or min(int(image.min()), int(cond.min())) < 0):
            raise ValueError(f"{path}: tokens outside the codebooks ({meta['image_vocab']} image, {meta['cond_vocab']} cond)")
        if classes is not None and classes.shape != image.shape:
            raise ValueError(f"{path}: cell classes {classes.shape} do not match the token grids {image.shape}")
        return TokenDataset(image, cond, meta, classes)

    def split(self, holdout_fraction: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
        n = self.image_tokens.shape[0]
        held = max(1, int(round(n * holdout_fraction))) if n > 1 else 0
        return np.arange(n - held), np.arange(n - held, n)


WindowPositions = tuple[np.ndarray, np.ndarray, np.ndarray]  # (scenes, tops, lefts), one per window


def window_positions(tokens: TokenDataset, indices: np.ndarray, batch: int, rows: int, cols: int, rng: np.random.Generator) -> WindowPositions:
    """`batch` windows at uniformly random scenes (of `indices`) and positions."""
    h, w = tokens.grid
    if h < rows or w < cols:
        raise ValueError(f"token grids are {h}x{w}, smaller than the {rows}x{cols} window: encode larger images")
    scenes = rng.choice(indices, size=batch)
    tops = rng.integers(0, h - rows + 1, size=batch)
    lefts = rng.integers(0, w - cols + 1, size=batch)
    return scenes, tops, lefts


def crop_windows(grids: np.ndarray, positions: WindowPositions, rows: int, cols: int) -> np.ndarray:
    """(B, rows*cols) int64 crops of (N, h, w) grids, in raster order."""
    return np.stack([grids[int(s), int(t) : int(t) + rows, int(l) : int(l) + cols].reshape(-1) for s, t, l in zip(*positions)]).astype(np.int64)


def sample_windows(
    tokens: TokenDataset, indices: np.ndarray, batch: int, rows: int, cols: int, rng: np.random.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """(cond windows, image windows), each (B, rows*cols) int64 in raster order, at random positions."""
    positions = window_positions(tokens, indices, batch, rows, cols, rng)
    return torch.from_numpy(crop_windows(tokens.cond_tokens, positions, rows, cols)), torch.from_numpy(crop_windows(tokens.image_tokens, positions, rows, cols))


def window_sequence_loss(gpt: torch.nn.Module, cond: torch.Tensor, image: torch.Tensor, weights: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Cross-entropy on the image tokens only: input (cond ++ image)[:-1]; the logit at position
    len(cond)-1+t predicts image token t (taming's Net2NetTransformer training). `weights` (same
    shape as `image`) scale each token's term (training.class_balance); the mean is taken as is."""
    sequence = torch.cat([cond, image], dim=1)
    logits, _ = gpt(sequence[:, :-1])
    image_logits = logits[:, cond.shape[1] - 1 :, :].float()
    if weights is None:
        return torch.nn.functional.cross_entropy(image_logits.reshape(-1, image_logits.shape[-1]), image.reshape(-1))
    per_token = torch.nn.functional.cross_entropy(image_logits.reshape(-1, image_logits.shape[-1]), image.reshape(-1), reduction="none")
    return (per_token * weights.reshape(-1).to(per_token)).mean()
