"""Writing and reading the compact on-disk dataset: images.npy, labels.npy, meta.json.

Arrays are streamed into memory-mapped temporary .npy files and renamed into place only when
complete, so 20k scenes (about 5 GB at 256x256) never have to fit in memory and a crashed or
interrupted run never leaves a truncated file under the final name. meta.json is written last
(also via rename): a folder with a meta.json holds a complete dataset.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from .classes import CLASSES
from .render import RENDERER_VERSION

IMAGES_FILE = "images.npy"
LABELS_FILE = "labels.npy"
META_FILE = "meta.json"
FORMAT = "tessera-procedural-landscapes"
FORMAT_VERSION = 1


def _temp_path(final: Path) -> Path:
    # Same folder as the final file so os.replace is an atomic rename on one filesystem.
    return final.with_name(f".{final.name}.tmp-{os.getpid()}")


def write_json_atomic(path: Path, data: dict) -> None:
    tmp = _temp_path(path)
    try:
        # Long integer lists (seeds) go on one line; everything else is indented to be read.
        compact = {k: v for k, v in data.items() if isinstance(v, list) and all(isinstance(x, int) for x in v)}
        placeholders = {k: f"@@{k}@@" for k in compact}
        text = json.dumps({k: placeholders.get(k, v) for k, v in data.items()}, indent=2)
        for k, marker in placeholders.items():
            text = text.replace(json.dumps(marker), json.dumps(compact[k]))
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_dataset(
    out: Path,
    scenes: Iterable[tuple[np.ndarray, np.ndarray]],
    seeds: list[int],
    width: int,
    height: int,
    extra_meta: dict | None = None,
    on_scene: Callable[[int, np.ndarray, np.ndarray], None] | None = None,
) -> dict:
    """Stream `scenes` (one per seed, in order) into `out`; returns the metadata written.

    `on_scene(i, image, labels)` is called for each scene as it arrives (progress, examples).
    """
    out.mkdir(parents=True, exist_ok=True)
    count = len(seeds)
    final_images, final_labels, final_meta = out / IMAGES_FILE, out / LABELS_FILE, out / META_FILE
    # An old meta.json must not describe the new, half-written arrays.
    if final_meta.exists():
        final_meta.unlink()
    tmp_images, tmp_labels = _temp_path(final_images), _temp_path(final_labels)
    try:
        images = np.lib.format.open_memmap(tmp_images, mode="w+", dtype=np.uint8, shape=(count, height, width, 3))
        labels = np.lib.format.open_memmap(tmp_labels, mode="w+", dtype=np.uint8, shape=(count, height, width))
        written = 0
        for i, (image, label) in enumerate(scenes):
            images[i] = image
            labels[i] = label
            written += 1
            if on_scene is not None:
                on_scene(i, image, label)
        if written != count:
            raise RuntimeError(f"expected {count} scenes, got {written}")
        images.flush()
        labels.flush()
        del images, labels
        os.replace(tmp_images, final_images)
        os.replace(tmp_labels, final_labels)
    finally:
        for tmp in (tmp_images, tmp_labels):
            if tmp.exists():
                tmp.unlink()
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "renderer_version": RENDERER_VERSION,
        "count": count,
        "width": width,
        "height": height,
        "size": f"{width}x{height}",
        "seed_start": seeds[0] if seeds else None,
        "seeds": seeds,
        "files": {
            "images": {"path": IMAGES_FILE, "dtype": "uint8", "shape": [count, height, width, 3]},
            "labels": {"path": LABELS_FILE, "dtype": "uint8", "shape": [count, height, width]},
        },
        "classes": CLASSES,
    }
    if extra_meta:
        meta.update(extra_meta)
    write_json_atomic(final_meta, meta)
    return meta


def load_dataset(folder: Path | str, mmap: bool = True) -> tuple[np.ndarray, np.ndarray, dict]:
    """(images, labels, meta) of a dataset folder; memory-mapped by default (datasets are big)."""
    folder = Path(folder)
    meta_path = folder / META_FILE
    if not meta_path.exists():
        raise FileNotFoundError(f"{meta_path} not found: not a dataset folder, or its generation did not finish")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    mode = "r" if mmap else None
    images = np.load(folder / meta["files"]["images"]["path"], mmap_mode=mode)
    labels = np.load(folder / meta["files"]["labels"]["path"], mmap_mode=mode)
    return images, labels, meta
