"""Generates images with Tessera's own engine (the `tessera batch` CLI on onnxruntime-node), so
that quality is measured on what users run: the shipped ONNX files, the engine's samplers and
settings. It is also about ten times faster than sampling with the PyTorch reference here."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[1]
TSX = REPO_ROOT / "node_modules" / ".bin" / "tsx"
CLI = REPO_ROOT / "electron" / "cli" / "main.ts"


class EngineUnavailable(RuntimeError):
    pass


def engine_available() -> bool:
    return shutil.which("node") is not None and TSX.is_file() and (REPO_ROOT / "node_modules" / "onnxruntime-node").is_dir()


@dataclass(frozen=True)
class EngineSettings:
    sampler: Optional[str] = None  # None: the bundle's defaults
    stride: Optional[int] = None
    temperature: Optional[float] = None
    top_k: Optional[int] = None
    top_p: Optional[float] = None

    def arguments(self) -> list[str]:
        out = []
        for flag, value in (("--sampler", self.sampler), ("--stride", self.stride), ("--temperature", self.temperature), ("--top-k", self.top_k), ("--top-p", self.top_p)):
            if value is not None:
                out += [flag, str(value)]
        return out


def palette_of(classes: Sequence[dict[str, Any]]) -> np.ndarray:
    return np.array([[int(str(c["color"]).lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)] for c in sorted(classes, key=lambda c: int(c["id"]))], dtype=np.uint8)


def generate(bundle: Path, labels: np.ndarray, classes: Sequence[dict[str, Any]], seeds: Sequence[int], settings: EngineSettings, timeout: float = 3600) -> tuple[np.ndarray, float]:
    """Images (N, len(seeds), H, W, 3) uint8 for label maps (N, H, W), every layout with every seed,
    and the engine's wall time in seconds (model load included)."""
    if not engine_available():
        raise EngineUnavailable("node, tsx or onnxruntime-node is missing: run npm ci in the repository root")
    palette = palette_of(classes)
    with tempfile.TemporaryDirectory(prefix="tessera-eval-") as tmp:
        layouts, out = Path(tmp) / "layouts", Path(tmp) / "out"
        layouts.mkdir()
        names = [f"layout{i:04d}" for i in range(len(labels))]
        for name, label in zip(names, labels):
            Image.fromarray(palette[label]).save(layouts / f"{name}.png")
        command = [str(TSX), str(CLI), "batch", "--layouts", str(layouts), "--seeds", ",".join(str(s) for s in seeds), "--out", str(out),
                   "--model", str(Path(bundle).resolve()), "--no-contact-sheet", *settings.arguments()]
        started = time.perf_counter()
        proc = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout)
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            raise RuntimeError(f"tessera batch failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
        images = np.stack([np.stack([np.asarray(Image.open(out / f"{name}-seed{seed}.png").convert("RGB")) for seed in seeds]) for name in names])
    return images, seconds
