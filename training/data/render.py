"""Public rendering API: one scene from a seed, an image for any label map, or many scenes over
worker processes.

A scene depends on (seed, width, height) and nothing else: each scene gets its own
`numpy.random.Generator(PCG64(seed))`, so results are bit-identical whatever the batch it is in,
its position in the batch, or the number of worker processes. `render_from_layout` paints a label
map that the procedural composer did not make (a painted one), with the same textures.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

import numpy as np

from .classes import NUM_CLASSES
from .label_fields import layout_from_labels
from .layout import build_layout
from .seeds import scene_generator
from .textures import paint

# Bump whenever the pixels a seed produces change (layout, textures, classes), so datasets
# and models trained on them can tell which renderer made them.
RENDERER_VERSION = "landscape-1"

MIN_SIZE = 16
MAX_SIZE = 8192


def check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")


def check_size(width: int, height: int) -> None:
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{name} must be an integer, got {value!r}")
        if not MIN_SIZE <= value <= MAX_SIZE:
            raise ValueError(f"{name} must be between {MIN_SIZE} and {MAX_SIZE} pixels, got {value}")


def _check(seed: int, width: int, height: int) -> None:
    check_seed(seed)
    check_size(width, height)


def render_scene(seed: int, width: int = 256, height: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Render one landscape.

    Returns (image, labels): image is uint8 (height, width, 3) RGB, labels is uint8
    (height, width) of class ids from `classes.CLASSES`, exactly the class painted at each pixel.
    """
    _check(seed, width, height)
    rng = scene_generator(seed)
    layout = build_layout(rng, int(height), int(width))
    image = paint(rng, layout)
    return image, layout.labels


def render_from_layout(labels: np.ndarray, seed: int) -> np.ndarray:
    """Render an image (H, W, 3) uint8 for any label map (H, W) of class ids.

    The label map need not look like the composer's scenes: each class is textured where it is
    painted (water above mountains is still water; see `label_fields.py`). `seed` picks the
    scene's random look (colours, noise); the same labels and seed give the same image.
    """
    check_seed(seed)
    labels = np.asarray(labels)
    if labels.ndim != 2:
        raise ValueError(f"labels must be a 2-D (height, width) map of class ids, got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must hold integer class ids, got dtype {labels.dtype}")
    height, width = labels.shape
    check_size(width, height)
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= NUM_CLASSES:
        bad = low if low < 0 else high
        raise ValueError(f"labels hold class id {bad}, outside 0..{NUM_CLASSES - 1}")
    labels = np.ascontiguousarray(labels, dtype=np.uint8)
    rng = scene_generator(seed)
    return paint(rng, layout_from_labels(labels, rng))


def _render_args(args: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    return render_scene(*args)


def _pool_context() -> multiprocessing.context.BaseContext:
    # fork starts workers in milliseconds and the parent holds no threads or locks here;
    # fall back to spawn where fork does not exist.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def iter_batch(
    seeds: Iterable[int], width: int = 256, height: int = 256, workers: int = 1, chunksize: int = 8
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (image, labels) for each seed, in seed order, rendering on `workers` processes.

    Streaming keeps memory flat when writing large datasets to disk.
    """
    seeds = [int(s) for s in seeds]
    for s in seeds:
        _check(s, width, height)
    yield from iter_jobs(_render_args, [(s, width, height) for s in seeds], workers, chunksize)


Job = TypeVar("Job")


def iter_jobs(
    render: Callable[[Job], tuple[np.ndarray, np.ndarray]], jobs: Sequence[Job], workers: int = 1, chunksize: int = 8
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield `render(job)` for each job, in order, on `workers` processes. `render` must be a
    module-level function (worker processes look it up by name)."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if workers == 1 or len(jobs) <= 1:
        for job in jobs:
            yield render(job)
        return
    with _pool_context().Pool(processes=min(workers, len(jobs))) as pool:
        yield from pool.imap(render, jobs, chunksize=max(1, chunksize))


def render_batch(
    seeds: Sequence[int], width: int = 256, height: int = 256, workers: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Render several scenes: returns images (N, H, W, 3) uint8 and labels (N, H, W) uint8."""
    seeds = list(seeds)
    images = np.empty((len(seeds), height, width, 3), dtype=np.uint8)
    labels = np.empty((len(seeds), height, width), dtype=np.uint8)
    chunk = max(1, min(16, len(seeds) // (4 * max(workers, 1)) or 1))
    for i, (image, label) in enumerate(iter_batch(seeds, width, height, workers, chunk)):
        images[i] = image
        labels[i] = label
    return images, labels


def default_workers() -> int:
    """Two workers (the target machine), or fewer where fewer cores are available."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(2, cores))
