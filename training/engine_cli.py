"""Generates images with Tessera's own engine (the `tessera batch` CLI on onnxruntime-node), so
that quality is measured on what users run: the shipped ONNX files, the engine's samplers and
settings. It is also about ten times faster than sampling with the PyTorch reference here."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
from PIL import Image

from .cpu_setup import without_jemalloc

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
    lead: Optional[int] = None  # the parallel sampler's lead (last: callers pass the others by position)

    def arguments(self) -> list[str]:
        out = []
        for flag, value in (("--sampler", self.sampler), ("--stride", self.stride), ("--lead", self.lead), ("--temperature", self.temperature), ("--top-k", self.top_k), ("--top-p", self.top_p)):
            if value is not None:
                out += [flag, str(value)]
        return out


def palette_of(classes: Sequence[dict[str, Any]]) -> np.ndarray:
    return np.array([[int(str(c["color"]).lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)] for c in sorted(classes, key=lambda c: int(c["id"]))], dtype=np.uint8)


class EngineJob:
    """One `tessera batch` run in the background: start it, do other work, then `result()`."""

    def __init__(self, bundle: Path, labels: np.ndarray, classes: Sequence[dict[str, Any]], seeds: Sequence[int], settings: EngineSettings, threads: Optional[int] = None) -> None:
        if not engine_available():
            raise EngineUnavailable("node, tsx or onnxruntime-node is missing: run npm ci in the repository root")
        palette = palette_of(classes)
        self._tmp = tempfile.TemporaryDirectory(prefix="tessera-eval-")
        layouts, self._out = Path(self._tmp.name) / "layouts", Path(self._tmp.name) / "out"
        layouts.mkdir()
        self._names = [f"layout{i:04d}" for i in range(len(labels))]
        self._seeds = list(seeds)
        for name, label in zip(self._names, labels):
            Image.fromarray(palette[label]).save(layouts / f"{name}.png")
        command = [str(TSX), str(CLI), "batch", "--layouts", str(layouts), "--seeds", ",".join(str(s) for s in seeds), "--out", str(self._out),
                   "--model", str(Path(bundle).resolve()), "--no-contact-sheet", *settings.arguments()]
        env = dict(without_jemalloc(os.environ), **({"TESSERA_THREADS": str(threads)} if threads else {}))
        self._started = time.perf_counter()
        self._proc = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def kill(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()

    def result(self, timeout: float = 3600) -> tuple[np.ndarray, float]:
        """Images (N, len(seeds), H, W, 3) uint8 and the engine's wall time (model load included)."""
        try:
            _, stderr = self._proc.communicate(timeout=timeout)
            seconds = time.perf_counter() - self._started
            if self._proc.returncode != 0:
                raise RuntimeError(f"tessera batch failed (exit {self._proc.returncode}):\n{stderr[-4000:]}")
            images = np.stack([np.stack([np.asarray(Image.open(self._out / f"{n}-seed{s}.png").convert("RGB")) for s in self._seeds]) for n in self._names])
            return images, seconds
        finally:
            self.kill()
            self._tmp.cleanup()


# A queued engine run: its result() is (images (N, len(seeds), H, W, 3) uint8, seconds).
EngineRun = Future


class EngineQueue:
    """`tessera batch` runs one after another in the background: every job is queued at once and the
    next starts the moment the previous one ends, so the engine keeps one core busy while the caller
    works on the other (two engine processes side by side only fight over the cores).

        with EngineQueue() as queue:
            cached = queue.submit(bundle, labels, classes, [0], settings, threads=1)
            ...                       # other work
            images, seconds = cached.result()
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tessera-engine")
        self._lock = threading.Lock()
        self._running: Optional[EngineJob] = None
        self._closed = False

    def submit(self, bundle: Path, labels: np.ndarray, classes: Sequence[dict[str, Any]], seeds: Sequence[int], settings: EngineSettings, threads: Optional[int] = None) -> EngineRun:
        """Queues a run; the future's result is what `EngineJob.result` returns."""
        if not engine_available():
            raise EngineUnavailable("node, tsx or onnxruntime-node is missing: run npm ci in the repository root")

        def run() -> tuple[np.ndarray, float]:
            with self._lock:
                if self._closed:
                    raise RuntimeError("the engine queue was closed before this run started")
                job = self._running = EngineJob(bundle, labels, classes, seeds, settings, threads)
            try:
                return job.result()
            finally:
                with self._lock:
                    self._running = None

        return self._pool.submit(run)

    def close(self) -> None:
        """Drops queued runs and stops the one in progress (its caller gets an error, not a hang)."""
        with self._lock:
            self._closed = True
            if self._running is not None:
                self._running.kill()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> "EngineQueue":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def generate(bundle: Path, labels: np.ndarray, classes: Sequence[dict[str, Any]], seeds: Sequence[int], settings: EngineSettings, timeout: float = 3600, threads: Optional[int] = None) -> tuple[np.ndarray, float]:
    """Images (N, len(seeds), H, W, 3) uint8 for label maps (N, H, W), every layout with every seed,
    and the engine's wall time in seconds (model load included)."""
    return EngineJob(bundle, labels, classes, seeds, settings, threads).result(timeout)
