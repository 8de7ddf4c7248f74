"""Command line: render a procedural landscape dataset, example PNGs and a preview grid.

    /usr/bin/python3 -m training.data.generate --out DIR --count N --seed-start S \\
        --size 256x256 [--painted-share 0.3] [--workers 2] [--examples DIR] [--preview FILE.png] [--force]

Scene i of a run uses seed S + i, and a scene depends only on its seed and size, so any seed
range can be regenerated bit-identically later (on the same numpy build) or split over runs.
`--painted-share F` draws that share of the scenes with the painted-style generator
(`painted.py`, `mix.py`): which scenes follows from their seed and F alone.

Seed ranges (a convention, so evaluation never sees training scenes):
    training seeds   TRAIN_SEED_START .. TRAIN_SEED_END - 1   (0 .. 999_999)
    held-out seeds   HELDOUT_SEED_START ..                    (10_000_000 ..)
    painted held-out PAINTED_HELDOUT_SEED_START .. _END - 1   (5_000_000 .. 5_099_999; a run with
                     painted scenes is refused there)
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from .classes import CLASSES
from .dataset_files import write_dataset
from .mix import iter_mixed, painted_flags
from .painted import PAINTED_VERSION
from .pngs import write_example, write_preview
from .render import MAX_SIZE, MIN_SIZE, RENDERER_VERSION, default_workers, iter_batch
# Re-exported here: the seed convention belongs to the command line's documentation.
from .seeds import (
    HELDOUT_SEED_START,
    PAINTED_HELDOUT_SEED_END,
    PAINTED_HELDOUT_SEED_START,
    TRAIN_SEED_END,
    TRAIN_SEED_START,
    check_painted_training_seeds,
    seed_split,
)

PREVIEW_SCENES = 16  # a 4x4 grid
DEFAULT_EXAMPLES = 8

_SIZE = re.compile(r"^\s*(\d+)\s*[xX×]\s*(\d+)\s*$")


def parse_size(text: str) -> tuple[int, int]:
    """'WIDTHxHEIGHT' -> (width, height), with a message that says what was expected."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"invalid size {text!r}: expected WIDTHxHEIGHT in pixels, e.g. 256x256 or 512x256")
    width, height = int(match.group(1)), int(match.group(2))
    for name, value in (("width", width), ("height", height)):
        if not MIN_SIZE <= value <= MAX_SIZE:
            raise ValueError(f"invalid size {text!r}: {name} must be between {MIN_SIZE} and {MAX_SIZE} pixels")
    return width, height


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python3 -m training.data.generate",
        description="Render procedural landscape scenes with pixel-exact label maps.",
        epilog=(
            f"Seed convention: training seeds {TRAIN_SEED_START}..{TRAIN_SEED_END - 1}, "
            f"held-out evaluation seeds from {HELDOUT_SEED_START}. Scene i uses seed S+i."
        ),
    )
    p.add_argument("--out", type=Path, help="dataset folder: images.npy, labels.npy, meta.json")
    p.add_argument("--count", type=int, default=None, help="number of scenes (default: 16 without --out)")
    p.add_argument("--seed-start", type=int, default=TRAIN_SEED_START, help="seed of the first scene (default 0)")
    p.add_argument("--size", default="256x256", help="WIDTHxHEIGHT in pixels (default 256x256)")
    p.add_argument(
        "--painted-share", type=float, default=0.0, metavar="F",
        help="share of the scenes drawn as painted-style layouts (0..1, default 0: all procedural)",
    )  # fmt: skip
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: 2, or fewer cores)")
    p.add_argument("--examples", type=Path, help="folder for example PNGs: image, coloured labels, index labels")
    p.add_argument(
        "--example-count", type=int, default=DEFAULT_EXAMPLES, help=f"scenes written to --examples (default {DEFAULT_EXAMPLES})"
    )
    p.add_argument("--preview", type=Path, help="PNG file for a 4x4 preview grid (image | coloured labels)")
    p.add_argument("--force", action="store_true", help="write into a non-empty --out/--examples, replace --preview")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    return p


def _check_target_folder(parser: argparse.ArgumentParser, flag: str, folder: Path, force: bool) -> None:
    if folder.exists() and not folder.is_dir():
        parser.error(f"{flag} {folder} exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        parser.error(f"{flag} {folder} exists and is not empty; choose another folder or pass --force to overwrite")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)

    if args.out is None and args.examples is None and args.preview is None:
        parser.error("nothing to do: give --out, --examples and/or --preview")
    try:
        width, height = parse_size(args.size)
    except ValueError as exc:
        parser.error(f"--size: {exc}")
    count = args.count
    if count is None:
        if args.out is not None:
            parser.error("--count is required with --out")
        count = max(PREVIEW_SCENES if args.preview else 0, args.example_count if args.examples else 0)
    if count <= 0:
        parser.error(f"--count must be a positive number of scenes, got {count}")
    if args.seed_start < 0:
        parser.error(f"--seed-start must be >= 0, got {args.seed_start}")
    workers = default_workers() if args.workers is None else args.workers
    if workers < 1:
        parser.error(f"--workers must be at least 1, got {workers}")
    if args.example_count < 0:
        parser.error(f"--example-count must be >= 0, got {args.example_count}")
    if not 0.0 <= args.painted_share <= 1.0:  # also false for nan
        parser.error(f"--painted-share must be a share from 0 to 1, got {args.painted_share}")
    if args.painted_share > 0:
        try:
            check_painted_training_seeds(args.seed_start, count)
        except ValueError as exc:
            parser.error(f"--painted-share: {exc}")
    if args.out is not None:
        _check_target_folder(parser, "--out", args.out, args.force)
    if args.examples is not None:
        _check_target_folder(parser, "--examples", args.examples, args.force)
    if args.preview is not None:
        if args.preview.suffix.lower() != ".png":
            parser.error(f"--preview must name a .png file, got {args.preview}")
        if args.preview.exists() and not args.force:
            parser.error(f"--preview {args.preview} already exists; pass --force to replace it")

    split = seed_split(args.seed_start, count)
    if split == "custom" and not args.quiet:
        print(
            f"note: seeds {args.seed_start}..{args.seed_start + count - 1} are outside the training range "
            f"({TRAIN_SEED_START}..{TRAIN_SEED_END - 1}) and the held-out range ({HELDOUT_SEED_START}..)",
            file=sys.stderr,
        )

    # With no dataset to write, render only the scenes the PNGs need.
    wanted = count
    if args.out is None:
        wanted = min(count, max(PREVIEW_SCENES if args.preview else 0, args.example_count if args.examples else 0))
    seeds = list(range(args.seed_start, args.seed_start + wanted))
    n_examples = min(args.example_count, wanted) if args.examples else 0
    n_preview = min(PREVIEW_SCENES, wanted) if args.preview else 0
    kept: list = []
    started = time.perf_counter()
    last_report = [started]

    def on_scene(i: int, image, labels) -> None:
        if i < n_examples:
            write_example(args.examples, seeds[i], image, labels)
        if i < n_preview:
            kept.append((image.copy(), labels.copy()))
        now = time.perf_counter()
        if not args.quiet and (now - last_report[0] > 5 or i + 1 == len(seeds)):
            last_report[0] = now
            rate = (i + 1) / max(now - started, 1e-9)
            print(f"{i + 1}/{len(seeds)} scenes, {rate:.1f} scenes/s", file=sys.stderr)

    extra_meta = {
        "split": split,
        "seed_convention": {
            "train": [TRAIN_SEED_START, TRAIN_SEED_END - 1],
            "heldout_start": HELDOUT_SEED_START,
            "painted_heldout": [PAINTED_HELDOUT_SEED_START, PAINTED_HELDOUT_SEED_END - 1],
            "rule": "scene i uses seed seed_start + i",
        },
    }
    if args.painted_share > 0:
        painted = painted_flags(seeds, args.painted_share)
        scenes = iter_mixed(seeds, width, height, painted, workers, chunksize=8)
        extra_meta.update({
            "painted_share": args.painted_share,
            "painted_version": PAINTED_VERSION,
            "painted_rule": "seed s is painted-style when floor((s + 1) * share) > floor(s * share)",
            "painted_scenes": [i for i, p in enumerate(painted) if p],
        })  # fmt: skip
    else:
        painted = [False] * len(seeds)
        scenes = iter_batch(seeds, width, height, workers, chunksize=8)
    if args.out is not None:
        write_dataset(args.out, scenes, seeds, width, height, extra_meta=extra_meta, on_scene=on_scene)
    else:
        for i, (image, labels) in enumerate(scenes):
            on_scene(i, image, labels)
    if args.preview is not None:
        write_preview(args.preview, kept)

    elapsed = time.perf_counter() - started
    if not args.quiet:
        mixed = f", {sum(painted)} painted-style ({PAINTED_VERSION})" if any(painted) else ""
        print(
            f"rendered {len(seeds)} scenes of {width}x{height}{mixed} ({len(CLASSES)} classes, renderer {RENDERER_VERSION}) "
            f"in {elapsed:.1f} s with {workers} worker(s): {len(seeds) / max(elapsed, 1e-9):.1f} scenes/s",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
