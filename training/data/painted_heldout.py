"""The painted held-out set: painted-style layouts no training run draws, for measuring fidelity.

Member i of the set is seed PAINTED_HELDOUT_SEED_START + i (a range that training refuses, see
`seeds.check_painted_training_seeds`). Three members in four are 256x256, the size layout
fidelity is scored at on the studio's default canvas; every fourth is wide or tall (long side at
most 512 px). A member's size depends on its seed alone, so any stretch of the range is the same
set whichever `--seed` a run starts from.

The set is not committed: `painted-heldout-manifest.json` records its seed range, count, the
generator versions and the sha256 of its label maps concatenated in order, and
`python3 -m training.data.painted --heldout DIR` writes it again byte for byte (same numpy build;
numpy's SIMD maths may round differently on another CPU kind).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
from PIL import Image

from .classes import CLASS_NAMES, NUM_CLASSES, colourise
from .dataset_files import write_json_atomic
from .painted import PAINTED_VERSION, SIZE_STREAM, draw_canvas_size, painted_layout
from .render import RENDERER_VERSION, render_from_layout
from .seeds import PAINTED_HELDOUT_SEED_END, PAINTED_HELDOUT_SEED_START, scene_generator

FIDELITY_SIZE = 256  # the studio's default canvas, where layout fidelity is reported
OBLONG_EVERY = 4  # every fourth member is wide or tall
OBLONG_MAX_SIDE = 512  # keeps the set small and quick to render
MANIFEST_PATH = Path(__file__).resolve().parent / "painted-heldout-manifest.json"
INDEX_FILE = "index.json"
MANIFEST_FILE = "manifest.json"
FORMAT = "tessera-painted-heldout"


@dataclass(frozen=True)
class Member:
    seed: int
    width: int
    height: int

    @property
    def stem(self) -> str:
        return f"{self.seed:08d}"


def check_heldout_range(seed_start: int, count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
        raise ValueError(f"count must be a positive number of layouts, got {count!r}")
    end = seed_start + count
    if not (PAINTED_HELDOUT_SEED_START <= seed_start and end <= PAINTED_HELDOUT_SEED_END):
        raise ValueError(
            f"painted held-out seeds must lie in {PAINTED_HELDOUT_SEED_START}..{PAINTED_HELDOUT_SEED_END - 1}, "
            f"got {seed_start}..{end - 1}"
        )


def member(seed: int) -> Member:
    """The held-out member of a seed: its canvas size follows from the seed alone."""
    check_heldout_range(seed, 1)
    index = seed - PAINTED_HELDOUT_SEED_START
    if index % OBLONG_EVERY != OBLONG_EVERY - 1:
        return Member(seed, FIDELITY_SIZE, FIDELITY_SIZE)
    width, height = draw_canvas_size(scene_generator(seed, SIZE_STREAM), max_side=OBLONG_MAX_SIDE, shapes="oblong")
    return Member(seed, width, height)


def members(seed_start: int = PAINTED_HELDOUT_SEED_START, count: int = 200) -> list[Member]:
    check_heldout_range(seed_start, count)
    return [member(s) for s in range(seed_start, seed_start + count)]


def square_seeds(count: int) -> list[int]:
    """The first `count` seeds of the range whose members are square (FIDELITY_SIZE px)."""
    seeds: list[int] = []
    seed = PAINTED_HELDOUT_SEED_START
    while len(seeds) < count:
        if (seed - PAINTED_HELDOUT_SEED_START) % OBLONG_EVERY != OBLONG_EVERY - 1:
            seeds.append(seed)
        seed += 1
    if seeds:
        check_heldout_range(PAINTED_HELDOUT_SEED_START, seed - PAINTED_HELDOUT_SEED_START)
    return seeds


def fidelity_pool(count: int, size: int = FIDELITY_SIZE, renders: bool = True) -> tuple[np.ndarray, np.ndarray | None, list[int]]:
    """Layouts (count, size, size) uint8 for layout fidelity, their renders (or None) and seeds.

    They are the set's first `count` square members: at 256 px exactly its files; at another
    size the same seeds drawn on a size x size canvas (the set has no square members there).
    """
    seeds = square_seeds(count)
    labels = np.stack([painted_layout(s, size, size) for s in seeds]) if seeds else np.zeros((0, size, size), np.uint8)
    images = np.stack([render_from_layout(l, s) for l, s in zip(labels, seeds)]) if renders and seeds else None
    if renders and not seeds:
        images = np.zeros((0, size, size, 3), np.uint8)
    return labels, images, seeds


def iter_layouts(items: Iterable[Member]) -> Iterator[tuple[Member, np.ndarray]]:
    for m in items:
        yield m, painted_layout(m.seed, m.width, m.height)


def labels_digest(items: Iterable[Member]) -> str:
    """sha256 of the members' label maps (uint8 class ids, row-major) concatenated in order."""
    digest = hashlib.sha256()
    for _, labels in iter_layouts(items):
        digest.update(np.ascontiguousarray(labels, dtype=np.uint8).tobytes())
    return digest.hexdigest()


def manifest(items: list[Member], digest: str) -> dict:
    sizes: dict[str, int] = {}
    for m in items:
        key = f"{m.width}x{m.height}"
        sizes[key] = sizes.get(key, 0) + 1
    return {
        "format": FORMAT,
        "painted_version": PAINTED_VERSION,
        "renderer_version": RENDERER_VERSION,
        "seed_start": items[0].seed,
        "count": len(items),
        "heldout_range": [PAINTED_HELDOUT_SEED_START, PAINTED_HELDOUT_SEED_END - 1],
        "sizes": dict(sorted(sizes.items(), key=lambda kv: -kv[1])),
        "labels_sha256": digest,
        "labels_sha256_of": "each member's uint8 label map (class ids, row-major), concatenated in seed order",
        "command": f"/usr/bin/python3 -m training.data.painted --heldout OUT_DIR --count {len(items)} --seed {items[0].seed}",
    }


def write_heldout(out: Path, seed_start: int, count: int, on_member=None) -> dict:
    """Write the set into `out`: per member SEED_labels.png (palette colours, what the studio
    imports), SEED_image.png (the render), then index.json and manifest.json. Returns the manifest."""
    items = members(seed_start, count)
    out.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    entries = []
    for i, (m, labels) in enumerate(iter_layouts(items)):
        digest.update(labels.tobytes())
        image = render_from_layout(labels, m.seed)
        Image.fromarray(colourise(labels)).save(out / f"{m.stem}_labels.png")
        Image.fromarray(image).save(out / f"{m.stem}_image.png")
        present = np.flatnonzero(np.bincount(labels.reshape(-1), minlength=NUM_CLASSES))
        entries.append({
            "seed": m.seed, "width": m.width, "height": m.height,
            "classes": [CLASS_NAMES[c] for c in present],
            "labels": f"{m.stem}_labels.png", "image": f"{m.stem}_image.png",
        })  # fmt: skip
        if on_member is not None:
            on_member(i, m)
    result = manifest(items, digest.hexdigest())
    write_json_atomic(out / INDEX_FILE, {**result, "members": entries})
    write_json_atomic(out / MANIFEST_FILE, result)
    return result


def check_manifest(path: Path) -> tuple[bool, str]:
    """Regenerate the label maps a manifest describes and compare their sha256 and versions."""
    try:
        recorded = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return False, f"cannot read manifest {path}: {exc}"
    if recorded.get("format") != FORMAT:
        return False, f"{path} is not a painted held-out manifest (format {recorded.get('format')!r})"
    if recorded.get("painted_version") != PAINTED_VERSION:
        return False, f"{path} was made by generator {recorded.get('painted_version')}, this is {PAINTED_VERSION}: regenerate the set and its manifest"
    items = members(int(recorded["seed_start"]), int(recorded["count"]))
    got = labels_digest(items)
    if got != recorded["labels_sha256"]:
        return False, f"label maps differ from {path}: sha256 {got}, manifest {recorded['labels_sha256']}"
    return True, f"{len(items)} painted held-out layouts match {path} (sha256 {got[:16]}...)"
